#pragma once
// Reports from a result file: Markdown (the seed's columns plus ours), CSV and JSON.
#include <string>

#include "attnsweep/engine/store.h"

namespace attnsweep {

inline constexpr const char* kForwardPng = "attention_sweep_forward.png";
inline constexpr const char* kHeatmapPng = "attention_sweep_heatmap.png";
inline constexpr const char* kScalingPng = "attention_sweep_scaling.png";

std::string report_markdown(const ResultFile& f);
std::string report_csv(const ResultFile& f);
std::string report_json(const ResultFile& f, int indent = 2);

}  // namespace attnsweep
