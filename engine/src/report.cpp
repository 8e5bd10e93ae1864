#include "attnsweep/engine/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "attnsweep/engine/clock_watch.h"
#include "attnsweep/engine/result_json.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// At most 4 significant digits, plain notation for the sizes a time takes ("0.7293", "116.7",
// "2598"); trailing zeros dropped so a source's "0.0056" does not claim more digits than it had.
// Empty for a value that is not known (NaN).
std::string sig4(double v) {
  if (!std::isfinite(v)) return "";
  if (v == 0) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3e", v);  // rounds to 4 significant digits first
  const int exponent = std::atoi(std::strchr(buf, 'e') + 1);
  const int decimals = std::max(0, 3 - exponent);
  if (decimals > 9) return buf;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string causal_word(bool causal) { return causal ? "causal" : "full"; }

// A string field of a JSON object, or "" when absent or not a string.
std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string sweep_name(const json& header) {
  if (header.contains("spec")) {
    const std::string name = text_of(header["spec"], "name");
    if (!name.empty()) return name;
  }
  const std::string name = text_of(header, "name");
  return name.empty() ? "unnamed sweep" : name;
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

bool median_known(const Timing& t) { return t.time_ms.samples > 0; }

// What a timing mode means, for the line that says which mode a report shows.
std::string mode_meaning(TimingMode m) {
  switch (m) {
    case TimingMode::cold: return "cold: one launch per sample after the last-level cache is flushed";
    case TimingMode::batch: return "batch: back-to-back launches per sample on a warm cache, time per launch";
    case TimingMode::unstated: return "as imported: the source does not say how it timed";
  }
  return {};
}

// "ok", then what a reader must know about the time: noisy, samples taken while slowed down.
std::string ok_label(const Timing& t) {
  std::string label = "ok";
  if (t.noisy) label += ", noisy";
  if (t.flagged_samples > 0) {
    std::string why;
    for (const std::string& f : t.flags) why += (why.empty() ? "" : " ") + f;
    label += ", " + std::to_string(t.flagged_samples) + " slowed samples (" + why + ")";
  }
  return label;
}

// Where the sweep's wall time went: the cells' wall time, and its split summed over the cells
// that recorded one (none for imported files and files that predate it).
struct SweepWall {
  double wall_s = 0;
  WallSplit split;
  int cells_with_split = 0;
};

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

std::string wall_split_line(const SweepWall& w) {
  return w.cells_with_split == 0 ? std::string() : "Wall time: " + w.split.describe(w.wall_s) + ".";
}

// ---- Markdown -------------------------------------------------------------------------------

void environment_block(std::ostringstream& md, const ResultFile& f, TimingMode shown) {
  const json& h = f.header;
  const json env = h.value("environment", json());
  auto line = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) md << "- **" << label << ":** " << md_escape(value) << "\n";
  };

  if (h.contains("source")) {
    line("Source", "imported from " + text_of(h["source"], "file") + " (" + text_of(h["source"], "kind") + ")");
    if (h.contains("assumed")) {
      const json& a = h["assumed"];
      line("Assumed", "dtype " + text_of(a, "dtype") + ", causal " + text_of(a, "causal") + ". " + text_of(a, "note"));
    }
  }
  if (!env.is_object()) {
    line("Environment", "not recorded in this file");
  } else {
    const json device = env.value("device", json());
    if (device.is_object()) {
      const std::string backend = text_of(device, "backend");
      line(backend == "cuda" ? "GPU" : "Device", text_of(device, "name") + " (" + backend + " #" +
                                                     text_of(device, "ordinal") + ")");
      std::string versions;
      for (const char* key : {"driver", "runtime", "cublas", "cudnn"}) {
        const std::string v = text_of(device, key);
        if (!v.empty()) versions += (versions.empty() ? "" : ", ") + std::string(key) + " " + v;
      }
      line("Driver / runtime", versions);
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

  std::string others;
  for (TimingMode m : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    if (m != shown && std::any_of(f.results.begin(), f.results.end(), [m](const CellResult& r) { return r.timing(m); }))
      others += (others.empty() ? "" : ", ") + std::string(timing_mode_name(m));
  line("Times", mode_meaning(shown) + (others.empty() ? "" : " (also in the file: " + others + ")"));
  std::set<std::string> steady;
  for (const CellResult& r : f.results)
    if (r.steady) steady.insert(std::string(steady_state_name(r.steady->state)));
  std::string states;
  for (const std::string& s : steady) states += (states.empty() ? "" : " and ") + s;
  line("Steady state", states);
  if (h.contains("clocks")) {
    const json& c = h["clocks"];
    line("Clocks", c.value("locked", false) ? "SM clock locked at " + text_of(c, "sm_mhz") + " MHz"
                                            : "free (" + text_of(c, "why") + ")");
  }
}

void results_table(std::ostringstream& md, const ResultFile& f, TimingMode shown) {
  md << "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | dtype | causal | avg_ms | std_ms | min_ms | median_ms "
        "| TFLOP/s | status |\n";
  md << "|--------|------|-----|-----|----------|-------|-------|-------|--------|--------|--------|--------|-----------"
        "|---------|--------|\n";
  for (const CellResult& r : f.results) {
    const TierShape& s = r.cell.tier.shape;
    md << "| " << md_escape(r.cell.kernel) << " | " << md_escape(r.cell.tier.name) << " | " << s.q_n << " | " << s.k_n
       << " | " << s.head_dim << " | " << s.heads << " | " << s.batch << " | " << dtype_name(r.cell.dtype) << " | "
       << causal_word(r.cell.causal) << " | ";
    const Timing* timing = r.timing(shown);
    if (r.status == CellStatus::ok && timing) {
      const SampleStats& t = timing->time_ms;
      auto known = [](double v) { return std::isfinite(v) ? sig4(v) : std::string("n/a"); };
      md << known(t.mean) << " | " << known(t.std) << " | " << known(t.min) << " | " << known(t.median) << " | "
         << known(timing->tflops) << " | " << ok_label(*timing) << " |\n";
    } else if (r.status == CellStatus::ok) {  // timed, but not in the mode shown
      for (int i = 0; i < 5; ++i) md << "n/a | ";
      md << "ok, not timed " << timing_mode_name(shown) << " |\n";
    } else {  // a failed cell says what happened in every number column: never a 0
      const std::string label = upper(status_name(r.status));
      for (int i = 0; i < 5; ++i) md << label << " | ";
      md << md_escape(r.message.empty() ? std::string(status_name(r.status)) : r.message) << " |\n";
    }
  }
}

}  // namespace

std::string report_markdown(const ResultFile& f, std::optional<TimingMode> mode) {
  const TimingMode shown = mode.value_or(default_view_mode(f.results));
  std::ostringstream md;
  md << "# Attention forward sweep: " << md_escape(sweep_name(f.header)) << "\n\n";
  environment_block(md, f, shown);
  md << "\n";
  results_table(md, f, shown);

  std::map<std::string, int> counts;
  bool median_missing = false, marked = false;
  for (const CellResult& r : f.results) {
    ++counts[std::string(status_name(r.status))];
    const Timing* t = r.timing(shown);
    median_missing = median_missing || (r.status == CellStatus::ok && t && !median_known(*t));
    marked = marked || (t && (t->noisy || t->flagged_samples > 0));
  }
  md << "\n" << f.results.size() << " cells";
  std::string sep = ": ";
  for (const auto& [status, n] : counts) {
    md << sep << n << " " << status;
    sep = ", ";
  }
  md << ". Times in milliseconds; TFLOP/s = 4·B·H·Q_N·K_N·d (halved for causal) / median.";
  if (median_missing)
    md << " n/a: not in the source; where the median is unknown, TFLOP/s is computed from avg_ms.";
  if (marked)
    md << " noisy: the median's 95% interval stayed wider than the spec's target_rel_ci. slowed: samples taken "
          "while NVML named a slowdown reason or the SM clock was under "
       << static_cast<int>(kLowClockFraction * 100) << "% of its highest.";
  md << "\n";
  if (const std::string split = wall_split_line(sweep_wall(f.results)); !split.empty()) md << "\n" << split << "\n";
  if (!f.warnings.empty()) {
    md << "\n";
    for (const std::string& w : f.warnings) md << "> Warning: " << md_escape(w) << "\n";
  }
  md << "\n![Forward time](" << kForwardPng << ")\n\n![Heatmap](" << kHeatmapPng << ")\n\n![Scaling curve]("
     << kScalingPng << ")\n";
  return md.str();
}

// ---- CSV ------------------------------------------------------------------------------------

namespace {

// RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Shortest text that reads back to the same double; empty when not known.
std::string csv_number(double v) { return std::isfinite(v) ? json(v).dump() : ""; }

std::string csv_row(const CellResult& r, const Timing* timing) {
  const TierShape& s = r.cell.tier.shape;
  std::vector<std::string> row = {r.cell.kernel, r.cell.tier.name, std::to_string(s.q_n), std::to_string(s.k_n),
                                  std::to_string(s.head_dim), std::to_string(s.heads), std::to_string(s.batch),
                                  std::string(dtype_name(r.cell.dtype)), r.cell.causal ? "true" : "false",
                                  std::string(status_name(r.status)), r.message};
  if (timing) {
    const SampleStats& t = timing->time_ms;
    row.push_back(t.samples > 0 ? std::to_string(t.samples) : "");  // 0: not known (imported)
    for (double v : {t.median, t.mean, t.std, t.min, t.max, t.p10, t.p90, t.ci_low, t.ci_high, timing->tflops, timing->gbps})
      row.push_back(csv_number(v));
  } else {
    row.resize(row.size() + 12);
  }
  const CheckResult& c = r.check;
  row.push_back(c.checked ? "true" : "false");
  if (c.checked) {
    row.push_back(c.passed ? "true" : "false");
    for (double v : {c.rel_err, c.max_abs_err, c.tolerance, c.naive_rel_err}) row.push_back(csv_number(v));
    row.push_back(std::to_string(c.nonfinite));
    row.push_back(std::to_string(c.unwritten));
  } else {
    row.resize(row.size() + 7);
  }
  if (timing) {
    std::string flags;
    for (const std::string& flag : timing->flags) flags += (flags.empty() ? "" : " ") + flag;
    row.insert(row.end(), {std::string(timing_mode_name(timing->mode)), std::to_string(timing->launches_per_sample),
                           timing->noisy ? "true" : "false", std::to_string(timing->flagged_samples), flags});
  } else {
    row.resize(row.size() + 5);
  }
  row.push_back(r.steady ? std::string(steady_state_name(r.steady->state)) : "");
  const bool clocks_read = r.clocks && r.clocks->read && r.clocks->readings > 0;
  row.push_back(clocks_read ? std::to_string(r.clocks->sm_mhz_min) : "");
  row.push_back(clocks_read ? std::to_string(r.clocks->sm_mhz_max) : "");
  row.push_back(clocks_read && r.clocks->power_w_max ? csv_number(*r.clocks->power_w_max) : "");
  row.push_back(clocks_read && r.clocks->temperature_c_max ? csv_number(*r.clocks->temperature_c_max) : "");
  row.push_back(std::to_string(r.device));
  row.push_back(r.cell.bytes_estimate > 0 ? std::to_string(r.cell.bytes_estimate) : "");
  row.push_back(r.wall_s > 0 ? csv_number(r.wall_s) : "");
  if (r.wall_split) {
    for (double v : {r.wall_split->inputs, r.wall_split->check, r.wall_split->warmup, r.wall_split->settle,
                     r.wall_split->timing})
      row.push_back(csv_number(v));
  } else {
    row.resize(row.size() + 5);
  }

  std::string line;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) line += ',';
    line += csv_field(row[i]);
  }
  return line + "\r\n";
}

}  // namespace

std::string report_csv(const ResultFile& f) {
  static const char* const columns[] = {
      "kernel", "tier", "q_n", "k_n", "head_dim", "heads", "batch", "dtype", "causal", "status", "message",
      "samples", "median_ms", "mean_ms", "std_ms", "min_ms", "max_ms", "p10_ms", "p90_ms", "ci_low_ms", "ci_high_ms",
      "tflops", "gbps", "checked", "check_passed", "rel_err", "max_abs_err", "tolerance", "naive_rel_err",
      "nonfinite", "unwritten", "mode", "launches_per_sample", "noisy", "flagged_samples", "flags", "steady",
      "sm_mhz_min", "sm_mhz_max", "power_w_max", "temperature_c_max", "device", "bytes_estimate", "wall_s",
      "inputs_s", "check_s", "warmup_s", "settle_s", "timing_s"};
  std::string out;
  for (const char* c : columns) out += std::string(out.empty() ? "" : ",") + c;
  out += "\r\n";

  // One row per cell and timing mode, cold first; a cell without times has one row, mode empty.
  for (const CellResult& r : f.results) {
    std::vector<const Timing*> timings;
    for (const Timing& t : r.timings) timings.push_back(&t);
    if (timings.empty()) timings.push_back(nullptr);
    for (const Timing* timing : timings) out += csv_row(r, timing);
  }
  return out;
}

// ---- JSON -----------------------------------------------------------------------------------

std::string report_json(const ResultFile& f, int indent, std::optional<TimingMode> mode) {
  const TimingMode shown = mode.value_or(default_view_mode(f.results));
  const SweepWall wall = sweep_wall(f.results);
  json cells = json::array();
  json by_status = json::object();
  for (CellStatus s : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped, CellStatus::wrong,
                       CellStatus::error, CellStatus::crashed, CellStatus::timeout})
    by_status[std::string(status_name(s))] = 0;

  // Fastest ok kernel per (tier, dtype, causal), in the order the groups first appear.
  std::vector<std::string> group_order;
  std::map<std::string, const CellResult*> best;
  for (const CellResult& r : f.results) {
    cells.push_back(result_to_json(r));
    by_status[std::string(status_name(r.status))] = by_status[std::string(status_name(r.status))].get<int>() + 1;
    const Timing* t = r.timing(shown);
    if (r.status != CellStatus::ok || !t || !std::isfinite(representative_ms(t->time_ms))) continue;
    const std::string group = r.cell.tier.name + "|" + std::string(dtype_name(r.cell.dtype)) + "|" + causal_word(r.cell.causal);
    const auto it = best.find(group);
    if (it == best.end()) {
      group_order.push_back(group);
      best.emplace(group, &r);
    } else if (representative_ms(t->time_ms) < representative_ms(it->second->timing(shown)->time_ms)) {
      it->second = &r;
    }
  }
  json best_json = json::array();
  for (const std::string& group : group_order) {
    const CellResult& r = *best[group];
    const Timing& t = *r.timing(shown);
    best_json.push_back({{"tier", r.cell.tier.name},
                         {"dtype", std::string(dtype_name(r.cell.dtype))},
                         {"causal", r.cell.causal},
                         {"kernel", r.cell.kernel},
                         {"ms", representative_ms(t.time_ms)},
                         {"by", median_known(t) ? "median" : "mean"},
                         {"tflops", t.tflops},
                         {"noisy", t.noisy}});
  }

  const json report = {{"header", f.header},
                       {"cells", std::move(cells)},
                       {"summary",
                        {{"cells", f.results.size()},
                         {"by_status", by_status},
                         {"mode", std::string(timing_mode_name(shown))},
                         {"best_by_tier", best_json},
                         {"wall_s", wall.wall_s},
                         {"wall_split_s", {{"inputs", wall.split.inputs},
                                           {"check", wall.split.check},
                                           {"warmup", wall.split.warmup},
                                           {"settle", wall.split.settle},
                                           {"timing", wall.split.timing}}}}},
                       {"warnings", f.warnings}};
  return report.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace attnsweep
