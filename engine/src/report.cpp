// What every report shares: the formats by name, the sweep's name and where it ran.
#include "attnsweep/engine/report.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/peaks.h"
#include "header_text.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// "rank 0: host-a, NVIDIA H100 80GB HBM3; rank 1: ...": every process of a sweep run by several.
std::string ranks_text(const json& header) {
  const json ranks = header.value("ranks", json::array());
  if (!ranks.is_array() || ranks.empty()) return "";
  std::string out = std::to_string(ranks.size()) + ": ";
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const json env = ranks[i].is_object() ? ranks[i].value("environment", json()) : json();
    const json device = env.is_object() ? env.value("device", json()) : json();
    out += (i ? "; " : "") + std::string("rank ") + text_of(ranks[i], "rank") + ": " + text_of(env, "host") + ", " +
           text_of(device, "name");
  }
  return out;
}

// "a.jsonl (share 1/2), b.jsonl (share 2/2)": the files a merged file was joined from.
std::string merged_text(const json& header) {
  const json parts = header.value("merged", json::array());
  if (!parts.is_array()) return "";
  std::string out;
  for (const json& p : parts) {
    out += (out.empty() ? "" : ", ") + text_of(p, "file");
    if (!text_of(p, "shard").empty()) out += " (share " + text_of(p, "shard") + ")";
  }
  return out;
}

std::string mixed_devices_text(const json& header) {
  std::string out;
  for (const std::string& name : mixed_devices(header)) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "" : out + " (the device of each cell is in its record; compare cells of one device)";
}

// "fp16 989.4, bf16 989.4, ... TFLOP/s" of a peak map, or "".
std::string tflops_list(const std::map<std::string, double>& by_dtype) {
  std::string out;
  for (const char* dtype : {"fp16", "bf16", "fp8", "tf32", "fp32"})
    if (const auto it = by_dtype.find(dtype); it != by_dtype.end())
      out += (out.empty() ? "" : ", ") + std::string(dtype) + " " + format_number(it->second);
  return out.empty() ? out : out + " TFLOP/s";
}

}  // namespace

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string header_detail(const json& header, std::string_view label) {
  const json details = header.is_object() && header.contains("source") && header["source"].is_object()
                           ? header["source"].value("details", json::array())
                           : json::array();
  for (const json& d : details)
    if (d.is_array() && d.size() == 2 && d[0] == label && d[1].is_string()) return d[1].get<std::string>();
  return "";
}

std::vector<std::pair<std::string, std::string>> environment_lines(const ResultFile& f, TimingMode shown) {
  std::vector<std::pair<std::string, std::string>> lines;
  const json& h = f.header;
  const json env = h.is_object() ? h.value("environment", json()) : json();
  auto line = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) lines.emplace_back(label, value);
  };

  if (h.contains("source")) {
    line("Source", "imported from " + text_of(h["source"], "file") + " (" + text_of(h["source"], "kind") + ")");
    if (h.contains("assumed")) {
      const json& a = h["assumed"];
      line("Assumed", "dtype " + text_of(a, "dtype") + ", causal " + text_of(a, "causal") + ". " + text_of(a, "note"));
    }
    // A table read back says what its own report said, as it said it.
    const json details = h["source"].value("details", json::array());
    if (!env.is_object() && !details.empty()) {
      for (const json& d : details)
        if (d.is_array() && d.size() == 2 && d[0].is_string() && d[1].is_string()) line(d[0], d[1]);
      return lines;
    }
  }
  if (!env.is_object()) {
    line("Environment", "not recorded in this file");
  } else {
    const json device = env.value("device", json());
    if (device.is_object()) {
      const std::string backend = text_of(device, "backend");
      line(backend == "cuda" ? "GPU" : "Device",
           text_of(device, "name") + " (" + backend + " #" + text_of(device, "ordinal") + ")");
      std::string versions;
      for (const char* key : {"driver", "runtime", "cublas", "cudnn"}) {
        const std::string v = text_of(device, key);
        if (!v.empty()) versions += (versions.empty() ? "" : ", ") + std::string(key) + " " + v;
      }
      line("Driver / runtime", versions);
      // The dense peak "% of peak" divides by and, where one was measured, the GEMM ceiling (peaks.h).
      // Cells of several models are each held to their own device's peak, listed with the ranks.
      if (mixed_devices_text(h).empty()) {
        const DevicePeak peak = recorded_peak(device);
        if (peak.dense_tflops.empty()) line("Peak", peak.note);
        else line("Peak (dense)", tflops_list(peak.dense_tflops) + " (" + peak.source + ")");
        line("GEMM ceiling (measured)", tflops_list(peak.gemm_tflops));
      }
    }
    std::string cpu = text_of(env, "cpu_model");
    if (!text_of(env, "cpu_cores").empty()) cpu += ", " + text_of(env, "cpu_cores") + " logical cores";
    line("CPU", cpu);
    line("Host", text_of(env, "host") + (text_of(env, "os").empty() ? "" : ", " + text_of(env, "os")));
    line("Build", text_of(env, "build_id") + (text_of(env, "compiler").empty() ? "" : ", " + text_of(env, "compiler")) +
                      (text_of(env, "build_type").empty() ? "" : ", " + text_of(env, "build_type")));
  }
  std::string date = text_of(h, "started");
  if (date.empty() && env.is_object()) date = text_of(env, "date");
  if (date.empty()) date = text_of(h, "imported").empty() ? "" : text_of(h, "imported") + " (imported)";
  line("Date", date);
  line("Executor", text_of(h, "executor"));
  line("Ranks", ranks_text(h));
  line("Share", text_of(h, "shard").empty() ? "" : text_of(h, "shard") + " of the spec's cells");
  line("Merged from", merged_text(h));
  line("Mixed devices", mixed_devices_text(h));

  line("Times", times_line(f.results, shown));
  std::set<std::string> states;
  for (const CellResult& r : f.results)
    if (r.steady) states.insert(std::string(steady_state_name(r.steady->state)));
  std::string steady;
  for (const std::string& s : states) steady += (steady.empty() ? "" : " and ") + s;
  line("Steady state", steady);
  if (h.contains("clocks")) line("Clocks", clocks_line(h["clocks"]));
  return lines;
}

std::string ResultSlice::label() const {
  return std::string(dtype_name(dtype)) + " · " + causal_label(causal) + " · " + std::string(timing_mode_name(mode));
}

std::vector<ResultSlice> result_slices(const std::vector<CellResult>& results) {
  const TimingMode shown = default_view_mode(results);
  std::vector<ResultSlice> out;
  for (const CellResult& r : results) {
    const ResultSlice s{r.cell.dtype, r.cell.causal, shown};
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const ResultSlice& a, const ResultSlice& b) {
    return std::pair(static_cast<int>(a.dtype), a.causal) < std::pair(static_cast<int>(b.dtype), b.causal);
  });
  return out;
}

std::string picture_name(std::string_view seed_name, const ResultSlice& slice, std::size_t slice_count) {
  std::string name(seed_name);
  if (slice_count <= 1) return name;
  std::string suffix(1, '_');
  suffix.append(dtype_name(slice.dtype)).append("_").append(causal_label(slice.causal));
  const std::size_t dot = name.rfind('.');
  return name.insert(dot == std::string::npos ? name.size() : dot, suffix);
}

namespace {

std::string mode_meaning(TimingMode m) {
  switch (m) {
    case TimingMode::cold: return "cold: one launch per sample after the last-level cache is flushed";
    case TimingMode::batch: return "batch: back-to-back launches per sample on a warm cache, time per launch";
    case TimingMode::unstated: return "as imported: the source does not say how it timed";
  }
  return {};
}

}  // namespace

std::string times_line(const std::vector<CellResult>& results, TimingMode shown) {
  std::string others;
  for (TimingMode m : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    if (m != shown && std::any_of(results.begin(), results.end(), [m](const CellResult& r) { return r.timing(m); }))
      others += (others.empty() ? "" : ", ") + std::string(timing_mode_name(m));
  const auto elsewhere = std::count_if(results.begin(), results.end(), [shown](const CellResult& r) {
    return r.status == CellStatus::ok && !r.timings.empty() && !r.timing(shown);
  });
  std::string line = mode_meaning(shown);
  if (!others.empty()) line += " (also in the file: " + others + ")";
  if (elsewhere > 0)
    line += "; cells not timed " + std::string(timing_mode_name(shown)) + " show the mode they were timed in (" +
            std::to_string(elsewhere) + ")";
  return line;
}

std::string clocks_line(const json& clocks) {
  if (clocks.value("locked", false)) return "SM clock locked at " + text_of(clocks, "sm_mhz") + " MHz";
  return "free (" + text_of(clocks, "why") + ")";
}

std::vector<CellResult> export_rows(const ResultFile& f) {
  std::vector<CellResult> rows;
  for (const CellResult& cell : results_with_pct_of_peak(f)) {
    if (cell.timings.empty()) {
      rows.push_back(cell);
      continue;
    }
    for (const Timing& t : cell.timings) {
      rows.push_back(cell);
      rows.back().timings = {t};
    }
  }
  return rows;
}

SweepWall sweep_wall(const std::vector<CellResult>& results) {
  SweepWall w;
  for (const CellResult& r : results) {
    w.wall_s += r.wall_s;
    if (!r.wall_split) continue;
    ++w.cells_with_split;
    w.split.add(*r.wall_split);
  }
  return w;
}

std::string wall_line(const std::vector<CellResult>& results) {
  const SweepWall w = sweep_wall(results);
  return w.cells_with_split == 0 ? std::string() : "Wall time: " + w.split.describe(w.wall_s) + ".";
}

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "md") return ReportFormat::md;
  if (name == "csv") return ReportFormat::csv;
  if (name == "json") return ReportFormat::json;
  if (name == "html") return ReportFormat::html;
  return std::nullopt;
}

std::string render_report(const ResultFile& f, ReportFormat format, std::optional<TimingMode> mode,
                          const std::string& baseline) {
  switch (format) {
    case ReportFormat::md: return report_markdown(f, mode, baseline);
    case ReportFormat::csv:
      if (!baseline.empty())
        throw std::invalid_argument("--baseline: the CSV report holds the cells' own fields only; use md, html or json");
      return report_csv(f);
    case ReportFormat::json: return report_json(f, 2, mode, baseline);
    case ReportFormat::html: return report_html(f, {}, mode, baseline);
  }
  return {};
}

std::string sweep_name(const json& header) {
  if (header.is_object() && header.contains("spec")) {
    const std::string name = text_of(header["spec"], "name");
    if (!name.empty()) return name;
  }
  const std::string name = text_of(header, "name");
  return name.empty() ? "unnamed sweep" : name;
}

std::string device_name(const json& header) {
  const json env = header.is_object() && header.contains("environment") ? header["environment"] : json();
  const json device = env.is_object() && env.contains("device") ? env["device"] : json();
  std::string where = text_of(device, "name");
  if (where.empty()) where = text_of(env, "gpu");
  if (where.empty()) where = text_of(env, "cpu_model");
  if (where.empty()) where = header_detail(header, "GPU");
  if (where.empty()) where = header_detail(header, "Device");
  return where;
}

std::vector<std::string> mixed_devices(const json& header) {
  const json names = header.is_object() ? header.value("mixed_devices", json::array()) : json::array();
  std::vector<std::string> out;
  if (!names.is_array() || names.size() < 2) return out;
  for (const json& n : names) out.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  return out;
}

std::string describe_environment(const json& header) {
  std::string out;
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += " · ";
    out += s;
  };
  const json env = header.is_object() && header.contains("environment") ? header["environment"] : json();
  if (const std::vector<std::string> mixed = mixed_devices(header); !mixed.empty()) {
    std::string where = "mixed devices:";
    for (std::size_t i = 0; i < mixed.size(); ++i) where += (i ? ", " : " ") + mixed[i];
    add(where);
  } else {
    add(device_name(header));
  }
  add(text_of(header, "executor"));
  std::string date = text_of(header, "started");
  if (date.empty()) date = text_of(env, "date");
  if (date.empty()) date = header_detail(header, "Date");
  add(date.substr(0, 10));
  if (out.empty() && header.is_object() && header.contains("source")) {
    const json& source = header["source"];
    const std::string kind = text_of(source, "kind");
    add(kind == "seed-markdown" ? "imported seed table " + text_of(source, "file")
                                : kind + " " + text_of(source, "file"));
  }
  return out;
}

}  // namespace attnsweep
