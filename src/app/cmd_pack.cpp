// xdet pack in.elf out.xex [--compress basic|lzx] [--encrypt] [--devkit-key]
//                          [--stack-size N] [--title-id N]
// Turns a guest ELF linked with the guest SDK (guest/sdk/xex.ld) into an
// XEX2 with import tables for every kernel function it references.
#include <cstdio>
#include <fstream>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "base/output_file.h"
#include "base/error.h"
#include "loader/elf_to_xex.h"
#include "loader/loader.h"
#include "loader/xex2_writer.h"

namespace xdet::app {

int run_pack(int argc, char** argv) {
  CLI::App app{"Build an XEX2 from a linked guest ELF", "xdet pack"};
  configure_app(app);
  std::string in, out, compress = "none";
  bool encrypt = false, devkit = false;
  uint32_t stack_size = 0x40000, title_id = 0x58440000, system_flags = 0;
  app.add_option("input", in, "guest ELF (32-bit big-endian PowerPC)")->required();
  app.add_option("output", out, "XEX2 file to write")->required();
  app.add_option("--compress", compress, "basefile compression: none, basic (zero runs), lzx (xdet's LZX compressor, 32 KB window)")
      ->check(CLI::IsMember({"none", "basic", "lzx"}));
  app.add_flag("--encrypt", encrypt, "AES-128-CBC encrypt the basefile (retail master key)");
  app.add_flag("--devkit-key", devkit, "with --encrypt: use the devkit (all-zero) master key");
  app.add_option("--stack-size", stack_size, "DEFAULT_STACK_SIZE header")->check(kPositive);
  app.add_option("--title-id", title_id, "EXECUTION_INFO title ID")->check(kNonNegative);
  app.add_option("--system-flags", system_flags, "SYSTEM_FLAGS header: privilege bits 0-31")->check(kNonNegative);
  if (auto rc = parse_cli(app, "pack", argc, argv)) return *rc;
  if (devkit && !encrypt) throw Error(ExitCode::kUsage, "--devkit-key needs --encrypt");
  std::vector<uint8_t> elf = loader::read_file(in);
  xex::XexBuildSpec spec = xex::spec_from_elf(elf, in);
  spec.compression = compress == "basic" ? xex::BaseCompression::kBasic
                     : compress == "lzx"  ? xex::BaseCompression::kLzx
                                          : xex::BaseCompression::kRaw;
  spec.encrypt = encrypt;
  spec.devkit_key = devkit;
  spec.default_stack_size = stack_size;
  spec.title_id = title_id;
  spec.system_flags = system_flags;
  std::string base_name = in.substr(in.find_last_of('/') + 1);
  if (base_name.size() > 4 && base_name.substr(base_name.size() - 4) == ".elf") base_name.resize(base_name.size() - 4);
  spec.original_pe_name = base_name + ".exe";
  std::vector<uint8_t> xex_bytes = xex::build_xex(spec);
  // Check the result parses and decodes before writing it.
  xex::XexFile parsed = xex::parse_xex(xex_bytes, out);
  xex::decode_basefile(parsed, xex_bytes);
  write_output_file(out, xex_bytes.data(), xex_bytes.size(), "XEX file");
  std::printf("%s: %zu bytes, image 0x%08X+0x%zX, entry 0x%08X, %zu imports\n", out.c_str(), xex_bytes.size(),
              spec.image_base, spec.image.size(), spec.entry_point, spec.imports.size());
  return 0;
}

}  // namespace xdet::app
