#pragma once
// Reports from a result file: Markdown (the seed's columns plus ours), CSV and JSON.
#include <optional>
#include <string>

#include "attnsweep/engine/store.h"

namespace attnsweep {

inline constexpr const char* kForwardPng = "attention_sweep_forward.png";
inline constexpr const char* kHeatmapPng = "attention_sweep_heatmap.png";
inline constexpr const char* kScalingPng = "attention_sweep_scaling.png";

// The Markdown table and the JSON summary show one timing mode and say which: `mode`, or
// default_view_mode (cold where the file has cold times). The CSV has a row per cell and mode;
// the JSON, every record whole.
std::string report_markdown(const ResultFile& f, std::optional<TimingMode> mode = std::nullopt);
std::string report_csv(const ResultFile& f);
std::string report_json(const ResultFile& f, int indent = 2, std::optional<TimingMode> mode = std::nullopt);

}  // namespace attnsweep
