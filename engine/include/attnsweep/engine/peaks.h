#pragma once
// What a device could reach at most, for "% of peak": the dense tensor-core peak per dtype from the
// datasheet for the cards listed in peaks.cpp, otherwise SM count x max SM clock x the
// architecture's per-SM rate; and the measured GEMM ceiling beside it where one was measured.
// A CPU has no tensor-core peak, and says so.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/result.h"
#include "attnsweep/engine/store.h"

namespace attnsweep {

struct DevicePeak {
  // TFLOP/s by dtype name: fp16, bf16, fp8, tf32 (tensor cores) and fp32 (CUDA cores, FMA).
  std::map<std::string, double> dense_tflops;     // what "% of peak" divides by
  std::string source;                             // "datasheet: NVIDIA H100 SXM5" or "computed: ..."
  std::map<std::string, double> computed_tflops;  // SMs x max SM clock x per-SM rate, when known
  std::string computed_from;                      // "132 SMs x 1980 MHz x cc 9.0 rates"
  std::map<std::string, double> gemm_tflops;      // measured GEMM ceilings, when measured
  std::string note;                               // why there is no peak, when there is none
};

// The peak of a device described as a result header's `environment.device` object (its facts:
// name, backend, sm_count, cc, sm_clock_max_mhz, gemm_tflops.<dtype>).
DevicePeak device_peak(const nlohmann::json& device);
nlohmann::json peak_to_json(const DevicePeak& peak);

// The `peak` object such a device object carries; derived from its facts when it has none (files
// written before devices carried one).
DevicePeak recorded_peak(const nlohmann::json& device);

// The dense peak for a dtype of the device a header records (recorded_peak). nullopt: unknown, or
// the header records several models (mixed_devices).
std::optional<double> peak_tflops(const nlohmann::json& header, DType dtype);

// 100 x TFLOP/s / the dense peak, for one timing `t` of an ok cell `r` on a device whose peak the
// header records (with ranks of several models, the peak of the rank's device that measured `r`);
// where it records none (a CSV report read back), the figure the timing carries. nullopt: not known.
std::optional<double> pct_of_peak(const CellResult& r, const Timing& t, const nlohmann::json& header);

// The results of `f`, each timing's pct_of_peak as pct_of_peak() finds it: what a report writes.
std::vector<CellResult> results_with_pct_of_peak(const ResultFile& f);

}  // namespace attnsweep
