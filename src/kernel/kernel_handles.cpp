// The handle-based (Nt*/Ob*) object services.
#include <algorithm>
#include <cctype>

#include "kernel/io/io_state.h"
#include "kernel/kernel.h"

namespace xdet::kernel {

namespace {
std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
bool same_family(uint8_t a, uint8_t b) {
  auto family = [](uint8_t t) -> int {
    if (t == kTypeEventNotification || t == kTypeEventSynchronization) return 0;
    if (t == kTypeTimerNotification || t == kTypeTimerSynchronization) return 8;
    return t;
  };
  return family(a) == family(b);
}
}  // namespace

uint32_t Kernel::new_handle_object(Thread& t, uint8_t type, uint32_t size, const std::string& name, uint32_t* handle,
                                   bool* existed, NtStatus* status) {
  *existed = false;
  *status = kStatusSuccess;
  uint32_t site_pc = static_cast<uint32_t>(t.ctx.lr);
  if (!name.empty()) {
    auto it = names_.find(lower(name));
    if (it != names_.end()) {
      ObjectRecord& rec = objects_[it->second];
      if (!same_family(rec.type, type)) {
        *status = kStatusObjectTypeMismatch;
        return 0;
      }
      *handle = handles_.add(rec.address, rec.type);
      ++rec.handle_count;
      ++progress_;
      emit(&t, TraceKind::kHandleCreate,
           {{"raw_handle_id", TraceValue::hex32(*handle)},
            {"handle_semantic_id", TraceValue::sid(rec.sid)},
            {"object_type", TraceValue::uinteger(rec.type)},
            {"create_site_pc", TraceValue::hex32(site_pc)}});
      *existed = true;
      *status = kStatusObjectNameExists;
      return rec.address;
    }
  }
  uint32_t alloc = pool_.allocate(layout::kObjectHeaderSize + size, 16);
  if (!alloc) {
    *status = kStatusNoMemory;
    return 0;
  }
  uint32_t obj = alloc + layout::kObjectHeaderSize;
  mem_.write32(alloc + 0x00, 1);  // pointer_count
  mem_.write32(alloc + 0x04, 1);  // handle_count
  *handle = handles_.add(obj, type);
  ObjectRecord& rec = objects_[obj];
  rec.address = obj;
  rec.type = type;
  rec.alloc = alloc;
  rec.handle_count = 1;
  rec.creator_tid = t.tid;
  rec.name = name;
  rec.sid = semantic_id(site_pc, t.tid, t.event_idx, type);
  if (!name.empty()) names_[lower(name)] = obj;
  ++progress_;
  emit(&t, TraceKind::kHandleCreate,
       {{"raw_handle_id", TraceValue::hex32(*handle)},
        {"handle_semantic_id", TraceValue::sid(rec.sid)},
        {"object_type", TraceValue::uinteger(type)},
        {"create_site_pc", TraceValue::hex32(site_pc)}});
  return obj;
}

NtStatus Kernel::create_event(Thread& t, uint32_t* handle, uint8_t type, bool initial, const std::string& name) {
  uint8_t dtype = type ? kTypeEventSynchronization : kTypeEventNotification;
  bool existed;
  NtStatus st;
  uint32_t obj = new_handle_object(t, dtype, layout::kEventSize, name, handle, &existed, &st);
  if (obj && !existed) {
    initialize_event(obj, dtype, initial);
  }
  return st;
}

NtStatus Kernel::create_semaphore(Thread& t, uint32_t* handle, int32_t count, int32_t limit, const std::string& name) {
  if (limit <= 0 || count < 0 || count > limit) return kStatusInvalidParameter;
  bool existed;
  NtStatus st;
  uint32_t obj = new_handle_object(t, kTypeSemaphore, layout::kSemaphoreSize, name, handle, &existed, &st);
  if (obj && !existed) initialize_semaphore(obj, count, limit);
  return st;
}

NtStatus Kernel::create_mutant(Thread& t, uint32_t* handle, bool initial_owner, const std::string& name) {
  bool existed;
  NtStatus st;
  uint32_t obj = new_handle_object(t, kTypeMutant, layout::kMutantSize, name, handle, &existed, &st);
  if (obj && !existed) initialize_mutant(&t, obj, initial_owner);
  return st;
}

NtStatus Kernel::create_timer(Thread& t, uint32_t* handle, uint8_t type, const std::string& name) {
  uint8_t dtype = type ? kTypeTimerSynchronization : kTypeTimerNotification;
  bool existed;
  NtStatus st;
  uint32_t obj = new_handle_object(t, dtype, layout::kTimerSize, name, handle, &existed, &st);
  if (obj && !existed) initialize_timer(obj, type);
  return st;
}

NtStatus Kernel::resolve_handle(Thread& t, uint32_t handle, uint32_t* object, uint8_t* type) const {
  if (handle == kCurrentThreadHandle) {
    *object = t.kthread;
    *type = kTypeThread;
    return kStatusSuccess;
  }
  const HandleTable::Entry* e = handles_.lookup(handle);
  if (!e) return kStatusInvalidHandle;
  *object = e->object;
  *type = e->type;
  return kStatusSuccess;
}

NtStatus Kernel::close_handle(Thread* t, uint32_t handle) {
  const HandleTable::Entry* e = handles_.lookup(handle);
  if (!e) return kStatusInvalidHandle;
  uint32_t obj = e->object;
  handles_.remove(handle);
  ObjectRecord& rec = objects_[obj];
  if (rec.handle_count) --rec.handle_count;
  ++progress_;
  emit(t, TraceKind::kHandleDestroy,
       {{"raw_handle_id", TraceValue::hex32(handle & ~3u)},
        {"handle_semantic_id", TraceValue::sid(rec.sid)},
        {"object_type", TraceValue::uinteger(rec.type)}});
  maybe_free_object(obj);
  return kStatusSuccess;
}

NtStatus Kernel::duplicate_handle(Thread& t, uint32_t handle, uint32_t* out) {
  uint32_t obj;
  uint8_t type;
  NtStatus st = resolve_handle(t, handle, &obj, &type);
  if (st != kStatusSuccess) return st;
  ObjectRecord& rec = objects_[obj];
  *out = handles_.add(obj, type);
  ++rec.handle_count;
  ++progress_;
  emit(&t, TraceKind::kHandleCreate,
       {{"raw_handle_id", TraceValue::hex32(*out)},
        {"handle_semantic_id", TraceValue::sid(rec.sid)},
        {"object_type", TraceValue::uinteger(type)},
        {"create_site_pc", TraceValue::hex32(static_cast<uint32_t>(t.ctx.lr))}});
  return kStatusSuccess;
}

NtStatus Kernel::reference_object(Thread& t, uint32_t handle, uint32_t expected_type_marker, uint32_t* object) {
  uint32_t obj;
  uint8_t type;
  NtStatus st = resolve_handle(t, handle, &obj, &type);
  if (st != kStatusSuccess) return st;
  bool ok = expected_type_marker == 0 ||
            (expected_type_marker == 0xD00EBEEF && (type == kTypeEventNotification || type == kTypeEventSynchronization)) ||
            (expected_type_marker == 0xD017BEEF && type == kTypeSemaphore) ||
            (expected_type_marker == 0xD01BBEEF && type == kTypeThread);
  if (!ok) return kStatusObjectTypeMismatch;
  ++objects_[obj].ref_count;
  *object = obj;
  return kStatusSuccess;
}

void Kernel::dereference_object(uint32_t object) {
  auto it = objects_.find(object);
  if (it == objects_.end()) return;
  if (it->second.ref_count) --it->second.ref_count;
  maybe_free_object(object);
}

void Kernel::maybe_free_object(uint32_t address) {
  auto it = objects_.find(address);
  if (it == objects_.end()) return;
  ObjectRecord& rec = it->second;
  if (!rec.alloc || rec.handle_count || rec.ref_count || !rec.waiters.empty()) return;
  if (rec.type == kTypeThread) {
    if (Thread* t = thread_by_kthread(address); t && t->state == ThreadState::kTerminated) free_thread_resources(*t);
    return;
  }
  cancel_timer(address);
  set_timer_apc(address, nullptr, 0, 0);
  io_->on_object_freed(address);
  if (!rec.name.empty()) names_.erase(lower(rec.name));
  pool_.release(rec.alloc);
  objects_.erase(it);
}

}  // namespace xdet::kernel
