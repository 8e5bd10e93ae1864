#pragma once
// Reports of results, and the readers that take them back. Markdown: the seed's columns plus ours;
// CSV: every column at full precision, the seed's first; JSON: every record, the CSV's rows under
// the same column names, and a summary; HTML: the environment, a table to sort and, when the app
// drew them, the pictures. attnsweep-cli and the app both write them here, so a number prints the
// same in each (columns.h, format.h).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/store.h"

namespace attnsweep {

// The pictures' file names, as the seed names them (the app draws them beside a report).
inline constexpr const char* kForwardPng = "attention_sweep_forward.png";
inline constexpr const char* kHeatmapPng = "attention_sweep_heatmap.png";
inline constexpr const char* kScalingPng = "attention_sweep_scaling.png";

// One dtype and mask of the results: each picture shows one slice, and a report has the three
// pictures of every slice.
struct ResultSlice {
  DType dtype = DType::fp32;
  bool causal = false;
  TimingMode mode = TimingMode::cold;  // the times shown
  bool operator==(const ResultSlice&) const = default;
  std::string label() const;  // "fp16 · causal · cold"
};
// Every dtype and mask, by dtype, full before causal, each in the results' default view mode
// (default_view_mode): the slices a report draws.
std::vector<ResultSlice> result_slices(const std::vector<CellResult>& results);
// A picture's file name: the seed's (kHeatmapPng, ...) when the results have one slice; with
// several, the slice added: "attention_sweep_heatmap_fp16_causal.png".
std::string picture_name(std::string_view seed_name, const ResultSlice& slice, std::size_t slice_count);

// The CSV report's and the JSON report's rows' last column: the device the results ran on.
inline constexpr const char* kDeviceNameColumn = "device_name";

enum class ReportFormat { md, csv, json, html };
std::optional<ReportFormat> parse_report_format(std::string_view name);  // "md", "csv", "json" or "html"

// A picture an HTML report embeds.
struct ReportPicture {
  std::string title;
  std::string png;  // the PNG file's bytes
};

// The Markdown and HTML tables and the JSON summary show one timing mode and say which: `mode`,
// or default_view_mode (cold where the results have cold times). A cell not timed in that mode
// shows its other time, its mode column saying which. The CSV has one row per cell and mode; the
// JSON, every record whole. `baseline`, a kernel of the results (baseline.h): the Markdown and HTML
// tables end with its "speedup vs" column and the JSON summary lists the speedups; "" for none.
std::string report_markdown(const ResultFile& f, std::optional<TimingMode> mode = std::nullopt,
                            const std::string& baseline = "");
std::string report_csv(const ResultFile& f);
std::string report_json(const ResultFile& f, int indent = 2, std::optional<TimingMode> mode = std::nullopt,
                        const std::string& baseline = "");
// Self-contained: the pictures are embedded; without pictures it says how to draw them.
std::string report_html(const ResultFile& f, const std::vector<ReportPicture>& pictures = {},
                        std::optional<TimingMode> mode = std::nullopt, const std::string& baseline = "");
// HTML without pictures. The CSV has no speedup column: it holds every field of the cells, from
// which a speedup follows. Throws std::invalid_argument for a baseline no result is of.
std::string render_report(const ResultFile& f, ReportFormat format, std::optional<TimingMode> mode = std::nullopt,
                          const std::string& baseline = "");

// A numeric column computed across cells (speedup against a baseline): its title and one text per result.
struct DerivedColumn {
  std::string title;
  std::vector<std::string> texts;
};

// One Markdown table: the column titles, the separator (numbers right-aligned), then one line per
// entry of `rows` (indices into `results`), each cell as cell_text() prints it, '|' escaped, and
// the derived columns last. The Markdown report's table and the GUI's "Copy as Markdown" are both this.
std::string markdown_table(const std::vector<CellResult>& results, const std::vector<std::size_t>& rows,
                           std::span<const Column> columns, const std::vector<DerivedColumn>& derived = {});

// The sweep's name: the spec's, else the one the header was given, else "unnamed sweep".
std::string sweep_name(const nlohmann::json& header);
// One line about where the results were measured: "NVIDIA H100 80GB HBM3 · cuda:0 (worker) · 2026-11-25".
std::string describe_environment(const nlohmann::json& header);

// The readers, from a report's text; `source` names it in errors and in the header they make.
// Each throws std::runtime_error "<source>: [line L[, column C (name)]: ]<what is wrong>".
ResultFile parse_markdown_results(std::string_view text, const std::string& source);  // a report, a copy, the seed's
ResultFile parse_csv_results(std::string_view text, const std::string& source);
ResultFile parse_json_results(std::string_view text, const std::string& source);  // {"header":..., "cells":[...]}
ResultFile results_from_json_report(const nlohmann::json& doc, const std::string& source);  // the same, parsed

}  // namespace attnsweep
