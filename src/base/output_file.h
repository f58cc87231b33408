#pragma once
// Output files (traces, exit states, reports, packed XEX files): their folders
// are created as needed, and every failure to create or write one is an
// OutputError (exit 10) naming the file and the reason.
#include <cstdio>
#include <string>

namespace xdet {

// Creates the folders leading to `path` (nothing for a bare file name).
// Throws OutputError when one cannot be created.
void create_parent_dirs(const std::string& path);

// create_parent_dirs + fopen(path, "wb"). Throws OutputError on failure;
// `what` names the file's role in the message ("trace file").
FILE* open_output_file(const std::string& path, const char* what);

// Writes `data` to `path` (created or truncated) in one go. Throws OutputError.
void write_output_file(const std::string& path, const void* data, size_t size, const char* what);

}  // namespace xdet
