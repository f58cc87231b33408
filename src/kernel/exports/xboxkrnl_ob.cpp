// Handles and object references.
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

constexpr uint32_t kDuplicateCloseSource = 1;

void nt_close(ExportCall& c) { c.ret(c.k.close_handle(&c.t, c.arg(0))); }

void nt_duplicate_object(ExportCall& c) {
  uint32_t out = 0;
  NtStatus st = c.k.duplicate_handle(c.t, c.arg(0), &out);
  if (st == kStatusSuccess) {
    if (c.arg(1)) c.mem().write32(c.arg(1), out);
    if (c.arg(2) & kDuplicateCloseSource) c.k.close_handle(&c.t, c.arg(0));
  }
  c.ret(st);
}

void ob_reference_object_by_handle(ExportCall& c) {
  uint32_t obj = 0;
  NtStatus st = c.k.reference_object(c.t, c.arg(0), c.arg(1), &obj);
  if (c.arg(2)) c.mem().write32(c.arg(2), st == kStatusSuccess ? obj : 0);
  c.ret(st);
}

void ob_dereference_object(ExportCall& c) { c.k.dereference_object(c.arg(0)); }

void resolve_handle_arg(ExportCall& c) {
  uint32_t obj;
  uint8_t type;
  if (c.k.resolve_handle(c.t, c.arg(0), &obj, &type) == kStatusSuccess) {
    if (const ObjectRecord* rec = c.k.find_object(obj)) c.resolve("handle_semantic_id", TraceValue::sid(rec->sid));
  }
}

const ExportInfo kExports[] = {
    {207, "NtClose", 1, nt_close, resolve_handle_arg},
    {218, "NtDuplicateObject", 3, nt_duplicate_object, resolve_handle_arg},
    {261, "ObDereferenceObject", 1, ob_dereference_object},
    {272, "ObReferenceObjectByHandle", 3, ob_reference_object_by_handle, resolve_handle_arg},
};

}  // namespace

ExportTable ob_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
