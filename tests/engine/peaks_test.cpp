#include "attnsweep/engine/peaks.h"

#include <gtest/gtest.h>

#include "attnsweep/engine/store.h"

namespace attnsweep {
namespace {

using nlohmann::json;

json h100_sxm() {
  return {{"backend", "cuda"},
          {"name", "NVIDIA H100 80GB HBM3"},
          {"sm_count", "132"},
          {"cc", "9.0"},
          {"sm_clock_max_mhz", "1980"}};
}

json header_with(const json& device) { return {{"environment", {{"device", device}}}}; }

TEST(Peaks, H100SxmHasItsDatasheetPeaksAndTheComputedOnesBeside) {
  const DevicePeak p = device_peak(h100_sxm());
  EXPECT_EQ(p.source, "datasheet: NVIDIA H100 SXM5");
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("fp16"), 989.4);
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("bf16"), 989.4);
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("fp8"), 1978.9);
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("tf32"), 494.7);
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("fp32"), 66.9);
  // 132 SMs x 1980 MHz x 4096 FLOP/clock: above the datasheet's, whose tensor figures assume 1830 MHz.
  EXPECT_NEAR(p.computed_tflops.at("fp16"), 132 * 1980e6 * 4096 / 1e12, 1e-9);
  EXPECT_NE(p.computed_from.find("132 SMs x 1980 MHz"), std::string::npos) << p.computed_from;
  EXPECT_TRUE(p.gemm_tflops.empty());
  EXPECT_TRUE(p.note.empty());
}

// The datasheet figures are what the per-SM rates give at the clock each datasheet assumes.
TEST(Peaks, DatasheetsAgreeWithSmsTimesClockTimesRate) {
  struct Part {
    const char* name;
    int sms;
    double tensor_mhz;
    const char* cc;
  };
  for (const Part& part : {Part{"NVIDIA H100 80GB HBM3", 132, 1830, "9.0"}, Part{"NVIDIA H100 PCIe", 114, 1620, "9.0"},
                           Part{"NVIDIA A100-SXM4-80GB", 108, 1410, "8.0"}}) {
    SCOPED_TRACE(part.name);
    const json device = {{"backend", "cuda"},
                         {"name", part.name},
                         {"sm_count", std::to_string(part.sms)},
                         {"cc", part.cc},
                         {"sm_clock_max_mhz", std::to_string(static_cast<int>(part.tensor_mhz))}};
    const DevicePeak p = device_peak(device);
    ASSERT_EQ(p.source.rfind("datasheet: ", 0), 0u) << p.source;
    for (const char* dtype : {"fp16", "bf16", "tf32"})
      EXPECT_NEAR(p.dense_tflops.at(dtype) / p.computed_tflops.at(dtype), 1.0, 0.005) << dtype;
  }
}

TEST(Peaks, PartsAreToldApartByNameAndSmCount) {
  EXPECT_EQ(device_peak({{"name", "NVIDIA H100 PCIe"}, {"sm_count", "114"}}).source, "datasheet: NVIDIA H100 PCIe");
  EXPECT_EQ(device_peak({{"name", "NVIDIA H100 NVL"}, {"sm_count", "132"}}).source, "datasheet: NVIDIA H100 NVL");
  EXPECT_EQ(device_peak({{"name", "NVIDIA H200"}, {"sm_count", "132"}}).source, "datasheet: NVIDIA H200 SXM");
  EXPECT_DOUBLE_EQ(device_peak({{"name", "NVIDIA H200"}}).dense_tflops.at("bf16"), 989.4);
  const DevicePeak a100 = device_peak({{"name", "NVIDIA A100-SXM4-40GB"}, {"sm_count", "108"}});
  EXPECT_DOUBLE_EQ(a100.dense_tflops.at("fp16"), 312);
  EXPECT_FALSE(a100.dense_tflops.count("fp8"));  // Ampere has no fp8
}

// A MIG slice reports fewer SMs than the whole card: its peak is computed, not the card's.
TEST(Peaks, AnUnlistedSmCountIsComputedFromTheDevice) {
  json mig = h100_sxm();
  mig["sm_count"] = "16";
  const DevicePeak p = device_peak(mig);
  EXPECT_EQ(p.source.rfind("computed: 16 SMs x 1980 MHz", 0), 0u) << p.source;
  EXPECT_NEAR(p.dense_tflops.at("fp16"), 16 * 1980e6 * 4096 / 1e12, 1e-9);
}

TEST(Peaks, CpuAndUnknownDevicesSayWhyThereIsNone) {
  const DevicePeak cpu = device_peak({{"backend", "cpu"}, {"name", "AMD EPYC"}});
  EXPECT_TRUE(cpu.dense_tflops.empty());
  EXPECT_EQ(cpu.note, "a CPU has no tensor-core peak");
  const DevicePeak unknown = device_peak({{"backend", "cuda"}, {"name", "Some GPU"}, {"cc", "12.0"}});
  EXPECT_TRUE(unknown.dense_tflops.empty());
  EXPECT_NE(unknown.note.find("cc 12.0"), std::string::npos) << unknown.note;
  EXPECT_FALSE(peak_tflops(header_with({{"backend", "cpu"}}), DType::fp32).has_value());
  EXPECT_FALSE(peak_tflops(json::object(), DType::fp16).has_value());
}

TEST(Peaks, MeasuredGemmCeilingsComeFromTheFacts) {
  json d = h100_sxm();
  d["gemm_tflops.fp16"] = "751";
  d["gemm_tflops.bf16"] = "796.5";
  const DevicePeak p = device_peak(d);
  EXPECT_DOUBLE_EQ(p.gemm_tflops.at("fp16"), 751);
  EXPECT_DOUBLE_EQ(p.gemm_tflops.at("bf16"), 796.5);
  EXPECT_DOUBLE_EQ(p.dense_tflops.at("fp16"), 989.4);  // "% of peak" stays on the datasheet
}

TEST(Peaks, ARecordedPeakWinsOverTheFacts) {
  json d = h100_sxm();
  d["peak"] = peak_to_json(device_peak(d));
  d["peak"]["dense_tflops"]["fp16"] = 1000.0;
  EXPECT_EQ(peak_tflops(header_with(d), DType::fp16), 1000.0);
  EXPECT_EQ(peak_tflops(header_with(h100_sxm()), DType::fp16), 989.4);  // derived when none is recorded
  const json round_trip = peak_to_json(recorded_peak(d));
  EXPECT_EQ(round_trip, d["peak"]);
}

TEST(Peaks, PctOfPeakOnlyForOkCellsOfAKnownPeak) {
  CellResult r;
  r.cell.dtype = DType::bf16;
  r.status = CellStatus::ok;
  Timing t;
  t.tflops = 494.7;
  EXPECT_DOUBLE_EQ(*pct_of_peak(r, t, header_with(h100_sxm())), 50.0);
  EXPECT_FALSE(pct_of_peak(r, t, header_with({{"backend", "cpu"}})).has_value());
  r.status = CellStatus::wrong;
  EXPECT_FALSE(pct_of_peak(r, t, header_with(h100_sxm())).has_value());
}

// A sweep over ranks of two models: each cell is held to the peak of the device that measured it;
// a cell of a model no rank lists has none, and the header as a whole names no one peak.
TEST(Peaks, MixedDevicesHoldEachCellToItsOwnDevicesPeak) {
  json a100 = {{"backend", "cuda"},
               {"name", "NVIDIA A100-SXM4-80GB"},
               {"sm_count", "108"},
               {"cc", "8.0"},
               {"sm_clock_max_mhz", "1410"}};
  a100["peak"] = peak_to_json(device_peak(a100));
  a100["peak"]["dense_tflops"]["bf16"] = 312.0;
  json header = header_with(h100_sxm());
  header["ranks"] = {{{"rank", 0}, {"environment", {{"device", h100_sxm()}}}},
                     {{"rank", 1}, {"environment", {{"device", a100}}}}};
  header["mixed_devices"] = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB"};
  CellResult r;
  r.cell.dtype = DType::bf16;
  r.status = CellStatus::ok;
  Timing t;
  t.tflops = 156.0;
  r.device_name = "NVIDIA A100-SXM4-80GB";
  EXPECT_DOUBLE_EQ(*pct_of_peak(r, t, header), 50.0);
  r.device_name = "NVIDIA H100 80GB HBM3";
  EXPECT_DOUBLE_EQ(*pct_of_peak(r, t, header), 100.0 * 156.0 / 989.4);
  r.device_name = "NVIDIA L4";
  EXPECT_FALSE(pct_of_peak(r, t, header).has_value());
  EXPECT_FALSE(peak_tflops(header, DType::bf16).has_value());
}

// The H100 results shipped with the app: no cell above the datasheet's peak.
TEST(Peaks, ShippedH100ResultsStayUnderTheDatasheetPeak) {
  const ResultFile f =
      read_result_file(std::string(ATTNSWEEP_SOURCE_DIR) + "/resources/sample-results/h100-seed.jsonl");
  int with_pct = 0;
  for (const CellResult& r : f.results)
    for (const Timing& t : r.timings) {
      const std::optional<double> pct = pct_of_peak(r, t, f.header);
      if (!pct) continue;
      ++with_pct;
      EXPECT_GT(*pct, 0) << r.cell.id();
      EXPECT_LE(*pct, 100) << r.cell.id();
    }
  EXPECT_GT(with_pct, 0);
}

}  // namespace
}  // namespace attnsweep
