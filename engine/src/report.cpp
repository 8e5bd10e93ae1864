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

#include "attnsweep/engine/peaks.h"
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

bool median_known(const CellResult& r) { return r.time_ms && r.time_ms->samples > 0; }

// ---- Markdown -------------------------------------------------------------------------------

// "fp16 989.4, bf16 989.4, ... TFLOP/s" of a peak map, or "".
std::string tflops_list(const std::map<std::string, double>& by_dtype) {
  std::string out;
  for (const char* dtype : {"fp16", "bf16", "fp8", "tf32", "fp32"})
    if (const auto it = by_dtype.find(dtype); it != by_dtype.end())
      out += (out.empty() ? "" : ", ") + std::string(dtype) + " " + sig4(it->second);
  return out.empty() ? out : out + " TFLOP/s";
}

// The device's dense peak and, where one was measured, its GEMM ceiling (peaks.h).
template <class Line>
void peak_lines(Line& line, const json& device) {
  const DevicePeak peak = recorded_peak(device);
  if (peak.dense_tflops.empty()) line("Peak", peak.note);
  else line("Peak (dense)", tflops_list(peak.dense_tflops) + " (" + peak.source + ")");
  if (!peak.gemm_tflops.empty()) line("GEMM ceiling (measured)", tflops_list(peak.gemm_tflops));
}

void environment_block(std::ostringstream& md, const ResultFile& f) {
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
      peak_lines(line, device);
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

  std::set<std::string> caches;
  for (const CellResult& r : f.results)
    if (!r.cache.empty()) caches.insert(r.cache);
  std::string cache;
  for (const std::string& c : caches) cache += (cache.empty() ? "" : " and ") + c;
  if (caches.count("cold") && caches.size() == 1) cache += " (last-level cache flushed before each sample)";
  line("Cache", cache.empty() ? "not recorded" : cache);
}

void results_table(std::ostringstream& md, const ResultFile& f) {
  md << "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | dtype | causal | avg_ms | std_ms | min_ms | median_ms "
        "| TFLOP/s | status |\n";
  md << "|--------|------|-----|-----|----------|-------|-------|-------|--------|--------|--------|--------|-----------"
        "|---------|--------|\n";
  for (const CellResult& r : f.results) {
    const TierShape& s = r.cell.tier.shape;
    md << "| " << md_escape(r.cell.kernel) << " | " << md_escape(r.cell.tier.name) << " | " << s.q_n << " | " << s.k_n
       << " | " << s.head_dim << " | " << s.heads << " | " << s.batch << " | " << dtype_name(r.cell.dtype) << " | "
       << causal_word(r.cell.causal) << " | ";
    if (r.status == CellStatus::ok && r.time_ms) {
      const SampleStats& t = *r.time_ms;
      auto known = [](double v) { return std::isfinite(v) ? sig4(v) : std::string("n/a"); };
      md << known(t.mean) << " | " << known(t.std) << " | " << known(t.min) << " | " << known(t.median) << " | "
         << known(r.tflops) << " | ok |\n";
    } else {  // a failed cell says what happened in every number column: never a 0
      const std::string label = upper(status_name(r.status));
      for (int i = 0; i < 5; ++i) md << label << " | ";
      md << md_escape(r.message.empty() ? std::string(status_name(r.status)) : r.message) << " |\n";
    }
  }
}

}  // namespace

std::string report_markdown(const ResultFile& f) {
  std::ostringstream md;
  md << "# Attention forward sweep: " << md_escape(sweep_name(f.header)) << "\n\n";
  environment_block(md, f);
  md << "\n";
  results_table(md, f);

  std::map<std::string, int> counts;
  bool median_missing = false;
  for (const CellResult& r : f.results) {
    ++counts[std::string(status_name(r.status))];
    median_missing = median_missing || (r.status == CellStatus::ok && !median_known(r));
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
  md << "\n";
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

}  // namespace

std::string report_csv(const ResultFile& f) {
  static const char* const columns[] = {
      "kernel", "tier", "q_n", "k_n", "head_dim", "heads", "batch", "dtype", "causal", "status", "message",
      "samples", "median_ms", "mean_ms", "std_ms", "min_ms", "max_ms", "p10_ms", "p90_ms", "ci_low_ms", "ci_high_ms",
      "tflops", "gbps", "pct_of_peak", "checked", "check_passed", "rel_err", "max_abs_err", "tolerance",
      "naive_rel_err", "naive_max_abs_err", "nonfinite", "unwritten", "rows_checked", "slices_checked", "cache",
      "launches_per_sample", "device", "bytes_estimate", "wall_s"};
  std::string out;
  for (const char* c : columns) out += std::string(out.empty() ? "" : ",") + c;
  out += "\r\n";

  for (const CellResult& r : f.results) {
    const TierShape& s = r.cell.tier.shape;
    std::vector<std::string> row = {r.cell.kernel, r.cell.tier.name, std::to_string(s.q_n), std::to_string(s.k_n),
                                    std::to_string(s.head_dim), std::to_string(s.heads), std::to_string(s.batch),
                                    std::string(dtype_name(r.cell.dtype)), r.cell.causal ? "true" : "false",
                                    std::string(status_name(r.status)), r.message};
    const bool timed = r.status == CellStatus::ok && r.time_ms;
    if (timed) {
      const SampleStats& t = *r.time_ms;
      row.push_back(t.samples > 0 ? std::to_string(t.samples) : "");  // 0: not known (imported)
      for (double v : {t.median, t.mean, t.std, t.min, t.max, t.p10, t.p90, t.ci_low, t.ci_high, r.tflops, r.gbps})
        row.push_back(csv_number(v));
      const std::optional<double> pct = pct_of_peak(r, f.header);
      row.push_back(pct ? csv_number(*pct) : "");
    } else {
      row.resize(row.size() + 13);
    }
    const CheckResult& c = r.check;
    row.push_back(c.checked ? "true" : "false");
    if (c.checked) {
      row.push_back(c.passed ? "true" : "false");
      for (double v : {c.rel_err, c.max_abs_err, c.tolerance, c.naive_rel_err, c.naive_max_abs_err})
        row.push_back(csv_number(v));
      row.push_back(std::to_string(c.nonfinite));
      row.push_back(std::to_string(c.unwritten));
      row.push_back(std::to_string(c.rows_checked));
      row.push_back(c.slices_checked > 0 ? std::to_string(c.slices_checked) : "");  // 0: not recorded
    } else {
      row.resize(row.size() + 10);
    }
    row.push_back(r.cache);
    row.push_back(std::to_string(r.launches_per_sample));
    row.push_back(std::to_string(r.device));
    row.push_back(r.cell.bytes_estimate > 0 ? std::to_string(r.cell.bytes_estimate) : "");
    row.push_back(r.wall_s > 0 ? csv_number(r.wall_s) : "");

    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) line += ',';
      line += csv_field(row[i]);
    }
    out += line + "\r\n";
  }
  return out;
}

// ---- JSON -----------------------------------------------------------------------------------

std::string report_json(const ResultFile& f, int indent) {
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
    if (r.status == CellStatus::ok) {  // null: the device's peak is not known
      const std::optional<double> pct = pct_of_peak(r, f.header);
      cells.back()["pct_of_peak"] = pct ? json(*pct) : json(nullptr);
    }
    by_status[std::string(status_name(r.status))] = by_status[std::string(status_name(r.status))].get<int>() + 1;
    if (r.status != CellStatus::ok || !r.time_ms || !std::isfinite(representative_ms(*r.time_ms))) continue;
    const std::string group = r.cell.tier.name + "|" + std::string(dtype_name(r.cell.dtype)) + "|" + causal_word(r.cell.causal);
    const auto it = best.find(group);
    if (it == best.end()) {
      group_order.push_back(group);
      best.emplace(group, &r);
    } else if (representative_ms(*r.time_ms) < representative_ms(*it->second->time_ms)) {
      it->second = &r;
    }
  }
  json best_json = json::array();
  for (const std::string& group : group_order) {
    const CellResult& r = *best[group];
    best_json.push_back({{"tier", r.cell.tier.name},
                         {"dtype", std::string(dtype_name(r.cell.dtype))},
                         {"causal", r.cell.causal},
                         {"kernel", r.cell.kernel},
                         {"ms", representative_ms(*r.time_ms)},
                         {"by", median_known(r) ? "median" : "mean"},
                         {"tflops", r.tflops}});
  }

  const json report = {{"header", f.header},
                       {"cells", std::move(cells)},
                       {"summary", {{"cells", f.results.size()}, {"by_status", by_status}, {"best_by_tier", best_json}}},
                       {"warnings", f.warnings}};
  return report.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace attnsweep
