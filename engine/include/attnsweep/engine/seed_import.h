#pragma once
// Reads the seed's Markdown table (Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms |
// std_ms | min_ms). Its tier names are discarded and renamed from the values; rows of 0 ms are
// cells that did not run (out of memory in the seed), recorded as `oom`, never as times.
#include <string>

#include "attnsweep/engine/store.h"

namespace attnsweep {

ResultFile import_seed_markdown(const std::string& markdown_text, const std::string& source_name);

}  // namespace attnsweep
