# Writes the game folder of the file_io sample (deterministic contents):
#   cmake -DDIR=<folder> -P file_io_fixture.cmake
# Media/outside is a host symlink that leaves the folder: the sample checks
# that the guest cannot follow it.
if(NOT DIR)
  message(FATAL_ERROR "DIR not set")
endif()
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}/Media/Sub")
string(REPEAT "0123456789ABCDEF" 512 data)
file(WRITE "${DIR}/Data.bin" "${data}")
file(WRITE "${DIR}/Media/ReadMe.txt" "xdet file_io fixture\n")
file(WRITE "${DIR}/Media/A.bin" "ay")
file(WRITE "${DIR}/Media/b.bin" "bee")
file(WRITE "${DIR}/Media/c.txt" "sea")
file(WRITE "${DIR}/Media/Sub/deep.txt" "deep")
file(CREATE_LINK "../.." "${DIR}/Media/outside" SYMBOLIC)
