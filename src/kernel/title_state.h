#pragma once
// What the kernel knows about the running title beyond threads and objects:
// its XEX (privileges, headers, resources), the loader data table entry and
// kernel variables that describe it, the console configuration it sees
// (AV pack, region, language, profile, controller), and the host-side state
// of the XAM services (launch data, notification listeners, enumerators,
// XexGetProcedureAddress thunks, the deterministic random stream).
//
// Everything here is deterministic: it depends only on the XEX, the run's
// options and guest actions. Ordered containers only.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loader/export_names.h"
#include "loader/xex2.h"
#include "vfs/content_store.h"

namespace xdet::loader {
struct LoadedModule;
}

namespace xdet::kernel {

class Kernel;

// One line of an input script: the controller state from `frame` on.
struct InputFrame {
  uint64_t frame = 0;
  uint16_t buttons = 0;
  uint8_t left_trigger = 0, right_trigger = 0;
  int16_t thumb_lx = 0, thumb_ly = 0, thumb_rx = 0, thumb_ry = 0;
};

// Parses an input script (format in docs/kernel.md, "XAM"): throws
// InputError naming the file and line on a bad line.
std::vector<InputFrame> parse_input_script(const std::string& text, const std::string& name);

// Console configuration and run options the title can observe.
struct TitleOptions {
  std::string command_line_args;    // appended to the image name in ExLoadedCommandLine
  uint64_t seed = 0;                // XeCryptRandom stream
  bool profile_signed_in = true;    // one offline profile in slot 0
  std::string gamertag = "xdet";
  uint64_t xuid = 0xE000000000000001ull;  // offline XUID (0xE0... prefix)
  bool controller_connected = false;      // --input connects controller 0
  std::vector<InputFrame> input;
  std::vector<uint8_t> launch_data;       // what XamLoaderGetLaunchData returns until the title sets its own
  uint32_t av_pack = 6;             // XGetAVPack: 6 (VGA, what xenia reports)
  uint32_t av_region = 0x00001000;  // XCONFIG_SECURED_AV_REGION: NTSC-M (USA/Canada)
  uint32_t game_region = 0xFFFF;    // XGetGameRegion: all regions, as ExConsoleGameRegion
  uint32_t language = 1;            // XGetLanguage / XCONFIG_USER_LANGUAGE: English
  uint32_t country = 103;           // XCONFIG_USER_COUNTRY: United States
  bool widescreen = false;          // XCONFIG_USER_VIDEO_FLAGS 0x00050000 instead of 0x00040000
  uint32_t license_mask = 0;        // XamContentGetLicenseMask: no license (trial) unless given
};

class TitleState {
 public:
  explicit TitleState(TitleOptions options = {}) : options_(std::move(options)) {}

  const TitleOptions& options() const { return options_; }
  TitleOptions& options() { return options_; }

  // --- the executable ---
  // The parsed headers (before mapping) and, once mapped, the module.
  void set_headers(const xex::XexFile& headers, const std::string& image_name);
  void bind_module(Kernel& k, const loader::LoadedModule& module);
  const loader::LoadedModule* module() const { return module_; }
  const xex::XexFile* headers() const { return have_headers_ ? &headers_ : nullptr; }
  const std::string& image_name() const { return image_name_; }
  uint32_t system_flags() const;
  // XEX header block copy in guest memory (LDR xex_header_base), 0 before bind.
  uint32_t header_copy() const { return header_copy_; }
  // The title's LDR_DATA_TABLE_ENTRY (its module handle), allocated on demand.
  uint32_t ldr_entry(Kernel& k);
  // Kernel variables this state provides (XexExecutableModuleHandle,
  // ExLoadedImageName, ExLoadedCommandLine); 0 if not one of them.
  uint32_t variable(Kernel& k, uint16_t ordinal);
  // The command line ExLoadedCommandLine holds.
  std::string command_line() const;

  // Module handles (LDR entries) of the kernel modules, allocated on demand.
  uint32_t kernel_module_handle(Kernel& k, exports::KernelModule m);
  std::optional<exports::KernelModule> kernel_module_for_handle(uint32_t handle) const;

  // --- XexGetProcedureAddress thunks: `sc 2; blr` pairs ---
  // Guest address of a callable thunk for (module, ordinal); 0 if out of slots.
  uint32_t procedure_thunk(Kernel& k, exports::KernelModule m, uint16_t ordinal);
  // The (module, ordinal) of the thunk whose `sc` is at `address`.
  std::optional<std::pair<exports::KernelModule, uint16_t>> find_thunk(uint32_t address) const;

  // Guest code xdet generates (the title-terminate stub): the words are
  // copied to executable system memory; returns its address or 0.
  uint32_t code_block(Kernel& k, const std::vector<uint32_t>& words);

  // --- deterministic services ---
  void random_bytes(uint8_t* out, size_t n);
  std::vector<uint8_t>& launch_data() { return launch_data_; }
  std::vector<uint32_t>& terminate_registrations() { return terminate_registrations_; }
  bool ui_active = false;
  bool inactivity_processing = true;
  uint16_t vibration_left = 0, vibration_right = 0;
  uint16_t keystroke_buttons = 0;  // controller buttons already reported as keystrokes

  // --- profile settings written by the title: (setting id) -> value bytes
  // (4 or 8 bytes for numbers, the data for strings and blobs) ---
  std::map<uint32_t, std::vector<uint8_t>>& profile_settings() { return profile_settings_; }

  // --- notifications ---
  struct Listener {
    uint64_t mask = 0;
    std::deque<std::pair<uint32_t, uint32_t>> queue;  // (id, param)
  };
  // Keyed by the listener's event object (its handle resolves to it).
  std::map<uint32_t, Listener>& listeners() { return listeners_; }
  bool boot_notifications_posted = false;

  // --- enumerators (XamContentCreateEnumerator and friends) ---
  struct Enumerator {
    uint32_t item_size = 0;
    std::vector<std::vector<uint8_t>> items;
    size_t next = 0;
  };
  std::map<uint32_t, Enumerator>& enumerators() { return enumerators_; }

  // --- content packages (xam_content.cpp) ---
  // The store is set once the run's scratch directory exists; null before.
  void set_content_root(const std::string& root) { content_store_.emplace(root); }
  vfs::ContentStore* content_store() { return content_store_ ? &*content_store_ : nullptr; }
  struct OpenContent {
    std::string device;  // the FileSystem device its root links to
    vfs::ContentKey key;
  };
  // Mounted packages by lower-case root name ("save").
  std::map<std::string, OpenContent>& open_content() { return open_content_; }
  uint32_t next_content_device = 0;

  // --- networking (xam_net.cpp) ---
  std::map<uint32_t, uint32_t>& wsa_last_error() { return wsa_last_error_; }  // by tid
  uint32_t wsa_startups = 0;
  uint32_t xnet_startups = 0;

 private:
  TitleOptions options_;
  xex::XexFile headers_;
  bool have_headers_ = false;
  const loader::LoadedModule* module_ = nullptr;
  std::string image_name_;
  uint32_t ldr_entry_ = 0;
  uint32_t header_copy_ = 0;
  uint32_t image_name_var_ = 0;
  uint32_t command_line_var_ = 0;
  uint32_t module_handle_var_ = 0;
  uint32_t thunk_page_ = 0;
  uint32_t kernel_handles_[2] = {0, 0};
  std::map<std::pair<exports::KernelModule, uint16_t>, uint32_t> thunks_;  // -> address
  std::map<uint32_t, std::pair<exports::KernelModule, uint16_t>> thunk_at_;
  uint64_t random_state_ = 0;
  bool random_seeded_ = false;
  std::vector<uint8_t> launch_data_;
  std::vector<uint32_t> terminate_registrations_;
  std::map<uint32_t, Listener> listeners_;
  std::map<uint32_t, Enumerator> enumerators_;
  std::optional<vfs::ContentStore> content_store_;
  std::map<std::string, OpenContent> open_content_;
  std::map<uint32_t, uint32_t> wsa_last_error_;
  std::map<uint32_t, std::vector<uint8_t>> profile_settings_;
};

}  // namespace xdet::kernel
