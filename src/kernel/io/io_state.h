#pragma once
// The kernel's I/O state: file objects (handles to vfs::OpenFile), I/O
// completion ports, symbolic-link objects and asynchronous requests in
// flight, all keyed by guest object address in ordered containers.
//
// Completion timing (virtual time, deterministic):
//   * a file opened with FILE_SYNCHRONOUS_IO_ALERT/NONALERT completes every
//     read and write inside the call (no virtual-time cost) and returns the
//     final status;
//   * a file opened without them is asynchronous, as on the console: the
//     call returns STATUS_PENDING with IO_STATUS_BLOCK.Status = PENDING, and
//     the transfer happens kIoBaseLatencyUnits + ceil(bytes / kIoBytesPerUnit)
//     instruction units later (20 us + 10 ns per 64 bytes), at the first
//     scheduler deadline check at or after that time, in issue order.
// Completion then, in this order: IO_STATUS_BLOCK {status, information};
// the event (or, without one, the file object) is set; a packet goes to the
// file's completion port (unless the APC routine's low bit is set); the APC
// routine is queued to the issuing thread as ApcRoutine(ApcContext,
// IoStatusBlock, 0).
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/ntstatus.h"
#include "kernel/thread.h"
#include "vfs/file_system.h"

namespace xdet::kernel {

class Kernel;

inline constexpr uint64_t kIoBaseLatencyUnits = 2000;  // 20 us
inline constexpr uint64_t kIoBytesPerUnit = 64;        // 6.4 GB/s

// Guest object sizes (all start with a DISPATCHER_HEADER).
inline constexpr uint32_t kFileObjectSize = 0x40;
inline constexpr uint32_t kQueueObjectSize = 0x28;
inline constexpr uint32_t kSymbolicLinkObjectSize = 0x10;

class IoState {
 public:
  explicit IoState(Kernel& k);
  ~IoState();
  IoState(const IoState&) = delete;
  IoState& operator=(const IoState&) = delete;

  vfs::FileSystem& fs() { return fs_; }

  struct FileObject {
    std::unique_ptr<vfs::OpenFile> file;
    uint64_t position = 0;
    bool synchronous = false;
    // Directory scan (NtQueryDirectoryFile): the pattern of the first call
    // (or the last restart) and a sorted snapshot of the entries.
    bool scan_started = false;
    std::string pattern;
    std::vector<vfs::DirEntry> entries;
    size_t next_entry = 0;
    uint32_t port = 0;  // completion port (KQUEUE address), 0 = none
    uint32_t key = 0;
  };

  // Creates a file object and handle for an opened file.
  NtStatus add_file(Thread& t, std::unique_ptr<vfs::OpenFile> file, bool synchronous, uint32_t* handle);
  // The file object a handle names: INVALID_HANDLE / OBJECT_TYPE_MISMATCH.
  NtStatus file_from_handle(Thread& t, uint32_t handle, uint32_t* object, FileObject** out);
  FileObject* file_at(uint32_t object);

  // ---- reads and writes ----
  enum class IoKind : uint8_t { kRead, kWrite, kReadScatter };
  struct IoRequest {
    IoKind kind = IoKind::kRead;
    uint32_t file = 0;         // file object
    uint32_t event = 0;        // event object, 0 = none
    uint32_t apc_routine = 0;  // guest address (low bit: no completion packet)
    uint32_t apc_context = 0;
    uint32_t iosb = 0;
    uint32_t buffer = 0;       // buffer, or the segment array for scatter reads
    uint32_t length = 0;
    uint64_t offset = 0;
    uint32_t issuer_tid = 0;
  };
  // Starts a request whose arguments were validated by the caller: the
  // final status (synchronous file) or STATUS_PENDING.
  NtStatus start(Thread& t, IoRequest r);
  // Earliest completion time, kNever if none.
  uint64_t next_deadline() const;
  // Completes requests due at or before `now`.
  void complete_due(uint64_t now);
  size_t pending_count() const { return pending_.size(); }
  // Whether queued user APCs can be delivered (the kernel's APC queue).
  bool apcs_supported() const;

  // ---- completion ports ----
  struct Packet {
    uint32_t key, apc_context, status, information;
  };
  NtStatus create_port(Thread& t, const std::string& name, uint32_t* handle);
  NtStatus port_from_handle(Thread& t, uint32_t handle, uint32_t* object);
  void post(Thread* poster, uint32_t port, const Packet& p);
  // NtRemoveIoCompletion: SUCCESS, TIMEOUT or PENDING (blocked; the packet
  // is written when the wait is satisfied: finish_remove).
  NtStatus remove(Thread& t, uint32_t port, uint32_t pkey, uint32_t papc, uint32_t piosb, const int64_t* timeout);
  // Called by the kernel when a NtRemoveIoCompletion wait ends.
  void finish_remove(Thread& t, uint32_t port, bool satisfied);
  // Associates a file with a port (FileCompletionInformation).
  void associate(FileObject& f, uint32_t port, uint32_t key);

  // ---- symbolic-link objects (NtOpenSymbolicLinkObject) ----
  NtStatus open_link(Thread& t, const std::string& target, uint32_t* handle);
  const std::string* link_target(uint32_t object) const;

  // The kernel frees a guest object: drop host-side state.
  void on_object_freed(uint32_t object);

 private:
  struct Pending {
    IoRequest req;
    uint32_t information = 0;
  };
  struct RemoveRequest {
    uint32_t pkey = 0, papc = 0, piosb = 0;
  };
  NtStatus transfer(const IoRequest& r, FileObject& f, uint64_t now_filetime, uint32_t* information);
  // `signaler`: the caller for a request completed inside its call, null
  // (the kernel) for an asynchronous completion.
  void finish(Thread* signaler, const IoRequest& r, NtStatus status, uint32_t information);

  Kernel& k_;
  vfs::FileSystem fs_;
  std::map<uint32_t, FileObject> files_;
  std::map<uint32_t, std::deque<Packet>> ports_;
  std::map<uint32_t, std::string> links_;
  std::map<uint32_t, RemoveRequest> removes_;                 // by tid
  std::map<std::pair<uint64_t, uint64_t>, IoRequest> pending_;  // (due, seq)
  uint64_t seq_ = 0;
  std::vector<uint8_t> bounce_;  // host buffer for transfers
};

}  // namespace xdet::kernel
