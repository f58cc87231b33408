#pragma once
// Writers of `xdet timeline`: the self-contained HTML page and the
// Chrome/Perfetto trace-event JSON.
#include <cstdio>
#include <string>

#include "timeline/timeline_model.h"

namespace xdet::timeline {

// The model as the page's compact JSON (delta-coded integer columns and a
// string table; see README.md). Exposed for tests.
std::string page_data_json(const Model& m);

void write_html(const Model& m, std::FILE* out);
void write_perfetto(const Model& m, std::FILE* out);

}  // namespace xdet::timeline
