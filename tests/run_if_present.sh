#!/bin/sh
# run_if_present.sh PATH... -- COMMAND...
# Runs COMMAND when every PATH exists. Otherwise prints why and exits 77,
# which CTest reports as "skipped" (SKIP_RETURN_CODE): tests that need
# material from outside the repository (../shared) skip in a lone clone.
missing=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ -e "$1" ] || missing="$missing $1"
  shift
done
[ "$1" = "--" ] && shift
if [ -n "$missing" ]; then
  echo "skipped: needs material outside the repository, not present:$missing"
  exit 77
fi
exec "$@"
