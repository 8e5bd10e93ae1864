#include "attnsweep/engine/peaks.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "attnsweep/engine/format.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// Dense (no 2:4 sparsity) peaks in TFLOP/s from NVIDIA's datasheets and architecture whitepapers:
// half the "with sparsity" figures they print for fp16, bf16, fp8 and tf32; fp32 is the CUDA
// cores' FMA rate. A part matches when its name holds every word of `names` (case ignored) and,
// where the device reports one, its SM count is `sms` (a MIG slice has fewer and is computed).
struct Datasheet {
  const char* part;
  std::initializer_list<const char*> names;
  int sms;
  double fp16, bf16, fp8, tf32, fp32;
};

// More specific names first: "H100 NVL" before "H100".
const Datasheet kDatasheets[] = {
    {"NVIDIA H100 NVL", {"h100", "nvl"}, 132, 835.5, 835.5, 1670.5, 417.5, 60},
    {"NVIDIA H100 PCIe", {"h100", "pcie"}, 114, 756.5, 756.5, 1513, 378, 51},
    {"NVIDIA H200 NVL", {"h200", "nvl"}, 132, 835.5, 835.5, 1670.5, 417.5, 60},
    {"NVIDIA GH200", {"gh200"}, 132, 989.4, 989.4, 1978.9, 494.7, 66.9},
    {"NVIDIA H100 SXM5", {"h100"}, 132, 989.4, 989.4, 1978.9, 494.7, 66.9},
    {"NVIDIA H200 SXM", {"h200"}, 132, 989.4, 989.4, 1978.9, 494.7, 66.9},
    {"NVIDIA A100 (SXM4 and PCIe)", {"a100"}, 108, 312, 312, 0, 156, 19.5},  // no fp8 on Ampere
};

// Dense FLOP per clock per SM, by compute capability (the whitepapers' per-SM rates; 0: none).
struct ArchRate {
  int cc_major, cc_minor;
  double fp16, bf16, fp8, tf32, fp32;
};
const ArchRate kArchRates[] = {
    {8, 0, 2048, 2048, 0, 1024, 128},     // A100: 4 tensor cores x 256 fp16 FMA; 64 FP32 lanes
    {9, 0, 4096, 4096, 8192, 2048, 256},  // H100/H200: 4 tensor cores x 512 fp16 FMA; 128 FP32 lanes
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A fact as a string ("132"), or empty; facts are strings, identity fields may be numbers.
std::string fact(const json& device, const char* key) {
  const auto it = device.find(key);
  if (it == device.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

double fact_number(const json& device, const char* key) {
  // from_chars, not strtod: the app runs under the user's locale, where strtod wants "1980,0".
  const std::string s = fact(device, key);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return (ec == std::errc() && end == s.data() + s.size() && v > 0) ? v : 0;
}

void put(std::map<std::string, double>& out, double fp16, double bf16, double fp8, double tf32, double fp32) {
  const std::pair<const char*, double> values[] = {
      {"fp16", fp16}, {"bf16", bf16}, {"fp8", fp8}, {"tf32", tf32}, {"fp32", fp32}};
  for (const auto& [name, v] : values)
    if (v > 0) out[name] = v;
}

std::map<std::string, double> numbers_of(const json& j) {
  std::map<std::string, double> out;
  if (!j.is_object()) return out;
  for (const auto& [key, value] : j.items())
    if (value.is_number() && value.get<double>() > 0) out[key] = value.get<double>();
  return out;
}

}  // namespace

DevicePeak device_peak(const json& device) {
  DevicePeak peak;
  if (!device.is_object()) {
    peak.note = "no device recorded";
    return peak;
  }
  if (fact(device, "backend") == "cpu") {
    peak.note = "a CPU has no tensor-core peak";
    return peak;
  }

  // Measured GEMM ceilings, recorded as facts "gemm_tflops.<dtype>" by whatever measured them.
  for (const char* dtype : {"fp16", "bf16", "fp8", "tf32", "fp32"})
    if (const double v = fact_number(device, ("gemm_tflops." + std::string(dtype)).c_str()); v > 0)
      peak.gemm_tflops[dtype] = v;

  const double sms = fact_number(device, "sm_count");
  const double mhz = fact_number(device, "sm_clock_max_mhz");
  const std::string cc = fact(device, "cc");
  for (const ArchRate& a : kArchRates) {
    if (cc != std::to_string(a.cc_major) + "." + std::to_string(a.cc_minor) || sms <= 0 || mhz <= 0) continue;
    const double per_rate = sms * mhz * 1e6 / 1e12;  // TFLOP/s per FLOP/clock/SM
    put(peak.computed_tflops, a.fp16 * per_rate, a.bf16 * per_rate, a.fp8 * per_rate, a.tf32 * per_rate,
        a.fp32 * per_rate);
    peak.computed_from = format_fixed(sms, 0) + " SMs x " + format_fixed(mhz, 0) + " MHz (max SM clock) x the per-SM rates of cc " + cc;
  }

  const std::string name = lower(fact(device, "name"));
  for (const Datasheet& d : kDatasheets) {
    const bool named =
        std::all_of(d.names.begin(), d.names.end(), [&](const char* w) { return name.find(w) != std::string::npos; });
    if (!named || (sms > 0 && static_cast<int>(sms) != d.sms)) continue;
    put(peak.dense_tflops, d.fp16, d.bf16, d.fp8, d.tf32, d.fp32);
    peak.source = std::string("datasheet: ") + d.part;
    return peak;
  }
  if (!peak.computed_tflops.empty()) {
    peak.dense_tflops = peak.computed_tflops;
    peak.source = "computed: " + peak.computed_from;
    return peak;
  }
  peak.note = "peak unknown: not a listed part, and no per-SM rate known for cc " +
              (cc.empty() ? "(not recorded)" : cc) +
              (sms > 0 && mhz > 0 ? "" : " or no SM count and max clock recorded");
  return peak;
}

json peak_to_json(const DevicePeak& peak) {
  json j = json::object();
  if (!peak.dense_tflops.empty()) {
    j["dense_tflops"] = peak.dense_tflops;
    j["source"] = peak.source;
  }
  if (!peak.computed_tflops.empty()) {
    j["computed_tflops"] = peak.computed_tflops;
    j["computed_from"] = peak.computed_from;
  }
  if (!peak.gemm_tflops.empty()) j["gemm_tflops"] = peak.gemm_tflops;
  if (!peak.note.empty()) j["note"] = peak.note;
  return j;
}

DevicePeak recorded_peak(const json& device) {
  if (!device.is_object() || !device.contains("peak") || !device["peak"].is_object()) return device_peak(device);
  const json& j = device["peak"];
  DevicePeak peak;
  peak.dense_tflops = numbers_of(j.value("dense_tflops", json()));
  peak.source = j.value("source", "");
  peak.computed_tflops = numbers_of(j.value("computed_tflops", json()));
  peak.computed_from = j.value("computed_from", "");
  peak.gemm_tflops = numbers_of(j.value("gemm_tflops", json()));
  peak.note = j.value("note", "");
  return peak;
}

std::optional<double> peak_tflops(const json& header, DType dtype) {
  if (!header.is_object() || !header.contains("environment")) return std::nullopt;
  if (header.contains("mixed_devices")) return std::nullopt;  // no one peak for several models
  const json& env = header["environment"];
  if (!env.is_object() || !env.contains("device")) return std::nullopt;
  const DevicePeak peak = recorded_peak(env["device"]);
  const auto it = peak.dense_tflops.find(std::string(dtype_name(dtype)));
  if (it == peak.dense_tflops.end()) return std::nullopt;
  return it->second;
}

namespace {

// The dense peak for r's dtype on the device that measured r. A header of several models holds
// each cell to the rank's device whose model the cell names; a cell of no rank it lists has none.
std::optional<double> cell_peak_tflops(const CellResult& r, const json& header) {
  if (!header.is_object() || !header.contains("mixed_devices")) return peak_tflops(header, r.cell.dtype);
  const json ranks = header.value("ranks", json::array());
  for (const json& rank : ranks.is_array() ? ranks : json::array()) {
    const json env = rank.is_object() ? rank.value("environment", json()) : json();
    const json device = env.is_object() ? env.value("device", json()) : json();
    if (!device.is_object() || device.value("name", "") != r.device_name) continue;
    const DevicePeak peak = recorded_peak(device);
    const auto it = peak.dense_tflops.find(std::string(dtype_name(r.cell.dtype)));
    return it == peak.dense_tflops.end() ? std::nullopt : std::optional<double>(it->second);
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> pct_of_peak(const CellResult& r, const Timing& t, const json& header) {
  if (r.status != CellStatus::ok) return std::nullopt;
  if (const std::optional<double> peak = cell_peak_tflops(r, header))
    return t.tflops > 0 ? std::optional<double>(100.0 * t.tflops / *peak) : std::nullopt;
  return std::isfinite(t.pct_of_peak) ? std::optional<double>(t.pct_of_peak) : std::nullopt;
}

std::vector<CellResult> results_with_pct_of_peak(const ResultFile& f) {
  std::vector<CellResult> results = f.results;
  for (CellResult& r : results)
    for (Timing& t : r.timings) t.pct_of_peak = pct_of_peak(r, t, f.header).value_or(std::nan(""));
  return results;
}

}  // namespace attnsweep
