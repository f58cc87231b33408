#include "kernel/io/io_state.h"

#include <algorithm>

#include "kernel/kernel.h"

namespace xdet::kernel {

namespace {

constexpr uint32_t kScatterPageSize = 4096;

void write_iosb(GuestMemory& mem, uint32_t iosb, NtStatus status, uint32_t information) {
  if (!iosb) return;
  mem.write32(iosb, status);
  mem.write32(iosb + 4, information);
}

}  // namespace

IoState::IoState(Kernel& k) : k_(k) {}
IoState::~IoState() = default;

bool IoState::apcs_supported() const { return true; }

// ---------------------------------------------------------------- files

NtStatus IoState::add_file(Thread& t, std::unique_ptr<vfs::OpenFile> file, bool synchronous, uint32_t* handle) {
  bool existed = false;
  NtStatus st = kStatusSuccess;
  uint32_t obj = k_.new_handle_object(t, kTypeFile, kFileObjectSize, {}, handle, &existed, &st);
  if (!obj) return st;
  // The file object is waitable: a notification event that I/O on the file
  // (without an event of its own) sets on completion.
  k_.initialize_event(obj, 0, false);
  for (uint32_t off = layout::kDispatcherHeaderSize; off < kFileObjectSize; off += 4) k_.mem_.write32(obj + off, 0);
  FileObject& f = files_[obj];
  f.file = std::move(file);
  f.synchronous = synchronous;
  return kStatusSuccess;
}

NtStatus IoState::file_from_handle(Thread& t, uint32_t handle, uint32_t* object, FileObject** out) {
  uint32_t obj;
  uint8_t type;
  NtStatus st = k_.resolve_handle(t, handle, &obj, &type);
  if (st != kStatusSuccess) return st;
  auto it = files_.find(obj);
  if (type != kTypeFile || it == files_.end()) return kStatusObjectTypeMismatch;
  *object = obj;
  *out = &it->second;
  return kStatusSuccess;
}

IoState::FileObject* IoState::file_at(uint32_t object) {
  auto it = files_.find(object);
  return it == files_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------- I/O

NtStatus IoState::start(Thread& t, IoRequest r) {
  FileObject* f = file_at(r.file);
  if (!f) return kStatusInvalidHandle;
  r.issuer_tid = t.tid;
  // The event (or the file object) is cleared when the request starts.
  k_.reset_event(r.event ? r.event : r.file);
  if (f->synchronous) {
    uint32_t info = 0;
    NtStatus st = transfer(r, *f, k_.system_time(), &info);
    finish(&t, r, st, info);
    return st;
  }
  write_iosb(k_.mem_, r.iosb, kStatusPending, 0);
  uint64_t due = k_.now() + kIoBaseLatencyUnits + (uint64_t{r.length} + kIoBytesPerUnit - 1) / kIoBytesPerUnit;
  // The file object (and with it the open file) lives until completion.
  ++k_.objects_[r.file].ref_count;
  if (r.event) ++k_.objects_[r.event].ref_count;
  pending_.emplace(std::make_pair(due, seq_++), r);
  return kStatusPending;
}

uint64_t IoState::next_deadline() const { return pending_.empty() ? kNever : pending_.begin()->first.first; }

void IoState::complete_due(uint64_t now) {
  while (!pending_.empty() && pending_.begin()->first.first <= now) {
    IoRequest r = pending_.begin()->second;
    pending_.erase(pending_.begin());
    FileObject* f = file_at(r.file);
    uint32_t info = 0;
    NtStatus st = f ? transfer(r, *f, k_.system_time(), &info) : kStatusInvalidHandle;
    finish(nullptr, r, st, info);
    k_.dereference_object(r.file);
    if (r.event) k_.dereference_object(r.event);
  }
}

NtStatus IoState::transfer(const IoRequest& r, FileObject& f, uint64_t now_filetime, uint32_t* information) {
  *information = 0;
  GuestMemory& mem = k_.mem_;
  try {
    if (r.kind == IoKind::kWrite) {
      bounce_.resize(r.length);
      if (r.length) mem.read_bytes(r.buffer, bounce_.data(), r.length);
      NtStatus st = f.file->write(r.offset, bounce_.data(), r.length, information, now_filetime);
      if (st == kStatusSuccess || *information) f.position = r.offset + *information;
      return st;
    }
    // Reads: only as much as the file holds past the offset is copied.
    vfs::FileInfo info;
    NtStatus st = f.file->info(&info);
    if (st != kStatusSuccess) return st;
    uint64_t avail = info.size > r.offset ? info.size - r.offset : 0;
    uint32_t want = static_cast<uint32_t>(std::min<uint64_t>(r.length, avail));
    if (r.length && !want) return kStatusEndOfFile;
    bounce_.resize(want);
    uint32_t got = 0;
    st = want ? f.file->read(r.offset, bounce_.data(), want, &got) : kStatusSuccess;
    if (st != kStatusSuccess) return st;
    if (r.kind == IoKind::kRead) {
      mem.write_bytes(r.buffer, bounce_.data(), got);
    } else {
      // FILE_SEGMENT_ELEMENT array: one 4-byte page pointer per 4 KB.
      for (uint32_t done = 0, seg = 0; done < got; done += kScatterPageSize, ++seg) {
        uint32_t page = mem.read32(r.buffer + 4 * seg);
        mem.write_bytes(page, bounce_.data() + done, std::min(kScatterPageSize, got - done));
      }
    }
    *information = got;
    f.position = r.offset + got;
    return kStatusSuccess;
  } catch (const GuestFault&) {
    *information = 0;
    return kStatusAccessViolation;
  }
}

void IoState::finish(Thread* signaler, const IoRequest& r, NtStatus status, uint32_t information) {
  try {
    write_iosb(k_.mem_, r.iosb, status, information);
  } catch (const GuestFault&) {
    // The status block went away: the console would fault in the completion
    // APC; xdet drops the write.
  }
  k_.set_event(signaler, r.event ? r.event : r.file);
  FileObject* f = file_at(r.file);
  if (f && f->port && !(r.apc_routine & 1)) post(signaler, f->port, {f->key, r.apc_context, status, information});
  // ApcRoutine(ApcContext, IoStatusBlock, 0) as a user APC to the issuer.
  if (uint32_t routine = r.apc_routine & ~1u) {
    if (Thread* issuer = k_.thread_by_tid(r.issuer_tid)) k_.queue_user_apc(signaler, *issuer, routine, r.apc_context, r.iosb, 0);
  }
}

// ---------------------------------------------------------------- ports

NtStatus IoState::create_port(Thread& t, const std::string& name, uint32_t* handle) {
  bool existed = false;
  NtStatus st = kStatusSuccess;
  uint32_t obj = k_.new_handle_object(t, kTypeQueue, kQueueObjectSize, name, handle, &existed, &st);
  if (!obj || existed) return st;
  // KQUEUE: header (type 4, signal state = entries), entry list, count.
  GuestMemory& mem = k_.mem_;
  mem.write8(obj + layout::kHeaderType, kTypeQueue);
  mem.write8(obj + layout::kHeaderAbsolute, 0);
  mem.write8(obj + layout::kHeaderSize, kQueueObjectSize / 4);
  mem.write8(obj + layout::kHeaderInserted, 0);
  mem.write32(obj + layout::kHeaderSignalState, 0);
  mem.write32(obj + layout::kHeaderWaitListFlink, obj + layout::kHeaderWaitListFlink);
  mem.write32(obj + layout::kHeaderWaitListBlink, obj + layout::kHeaderWaitListFlink);
  for (uint32_t off = layout::kDispatcherHeaderSize; off < kQueueObjectSize; off += 4) mem.write32(obj + off, 0);
  ports_[obj];
  return st;
}

NtStatus IoState::port_from_handle(Thread& t, uint32_t handle, uint32_t* object) {
  uint8_t type;
  NtStatus st = k_.resolve_handle(t, handle, object, &type);
  if (st != kStatusSuccess) return st;
  if (type != kTypeQueue || !ports_.count(*object)) return kStatusObjectTypeMismatch;
  return kStatusSuccess;
}

void IoState::post(Thread* poster, uint32_t port, const Packet& p) {
  auto it = ports_.find(port);
  if (it == ports_.end()) return;
  it->second.push_back(p);
  // Signal state = entries not yet claimed by a satisfied remover (a claim
  // decrements it; the claimed packet leaves the deque when that waiter's
  // wait completes).
  k_.write_signal(port, k_.read_signal(port) + 1);
  ObjectRecord& rec = k_.touch_object(poster, port);
  rec.last_signaler_tid = poster ? poster->tid : 0;
  ++k_.progress_;
  k_.wake_waiters(poster, port, false);
}

NtStatus IoState::remove(Thread& t, uint32_t port, uint32_t pkey, uint32_t papc, uint32_t piosb,
                         const int64_t* timeout) {
  removes_[t.tid] = {pkey, papc, piosb};
  return k_.wait_internal(t, &port, 1, WaitType::kAny, false, timeout, WaitContinuation::kIoCompletionRemove, port);
}

void IoState::finish_remove(Thread& t, uint32_t port, bool satisfied) {
  auto r = removes_.find(t.tid);
  if (r == removes_.end()) return;
  RemoveRequest req = r->second;
  removes_.erase(r);
  if (!satisfied) return;
  auto it = ports_.find(port);
  if (it == ports_.end() || it->second.empty()) return;
  Packet p = it->second.front();
  it->second.pop_front();
  try {
    if (req.pkey) k_.mem_.write32(req.pkey, p.key);
    if (req.papc) k_.mem_.write32(req.papc, p.apc_context);
    write_iosb(k_.mem_, req.piosb, p.status, p.information);
  } catch (const GuestFault&) {
  }
}

void IoState::associate(FileObject& f, uint32_t port, uint32_t key) {
  if (f.port) k_.dereference_object(f.port);
  f.port = port;
  f.key = key;
  if (port) ++k_.objects_[port].ref_count;
}

// ---------------------------------------------------------------- links

NtStatus IoState::open_link(Thread& t, const std::string& target, uint32_t* handle) {
  bool existed = false;
  NtStatus st = kStatusSuccess;
  uint32_t obj = k_.new_handle_object(t, kTypeSymbolicLink, kSymbolicLinkObjectSize, {}, handle, &existed, &st);
  if (!obj) return st;
  // Not a dispatcher: a signalled header makes waits on it return at once.
  k_.initialize_event(obj, 0, true);
  links_[obj] = target;
  return kStatusSuccess;
}

const std::string* IoState::link_target(uint32_t object) const {
  auto it = links_.find(object);
  return it == links_.end() ? nullptr : &it->second;
}

void IoState::on_object_freed(uint32_t object) {
  if (auto it = files_.find(object); it != files_.end()) {
    uint32_t port = it->second.port;
    files_.erase(it);
    if (port) k_.dereference_object(port);
  }
  ports_.erase(object);
  links_.erase(object);
}

}  // namespace xdet::kernel
