#include "attnsweep/engine/result_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;

constexpr CellStatus kAllStatuses[] = {CellStatus::ok,    CellStatus::oom,   CellStatus::unsupported,
                                       CellStatus::skipped, CellStatus::wrong, CellStatus::error,
                                       CellStatus::crashed, CellStatus::timeout};

void expect_same_stats(const SampleStats& a, const SampleStats& b) {
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_DOUBLE_EQ(a.median, b.median);
  EXPECT_DOUBLE_EQ(a.mean, b.mean);
  EXPECT_DOUBLE_EQ(a.std, b.std);
  EXPECT_DOUBLE_EQ(a.min, b.min);
  EXPECT_DOUBLE_EQ(a.max, b.max);
  EXPECT_DOUBLE_EQ(a.p10, b.p10);
  EXPECT_DOUBLE_EQ(a.p90, b.p90);
  EXPECT_DOUBLE_EQ(a.ci_low, b.ci_low);
  EXPECT_DOUBLE_EQ(a.ci_high, b.ci_high);
}

void expect_same_result(const CellResult& a, const CellResult& b) {
  EXPECT_EQ(a.cell.id(), b.cell.id());
  EXPECT_EQ(a.cell.tier.shape, b.cell.tier.shape);
  EXPECT_EQ(a.cell.bytes_estimate, b.cell.bytes_estimate);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.message, b.message);
  ASSERT_EQ(a.time_ms.has_value(), b.time_ms.has_value());
  if (a.time_ms) expect_same_stats(*a.time_ms, *b.time_ms);
  EXPECT_DOUBLE_EQ(a.tflops, b.tflops);
  EXPECT_DOUBLE_EQ(a.gbps, b.gbps);
  EXPECT_EQ(a.check.checked, b.check.checked);
  EXPECT_EQ(a.check.passed, b.check.passed);
  EXPECT_DOUBLE_EQ(a.check.rel_err, b.check.rel_err);
  EXPECT_DOUBLE_EQ(a.check.max_abs_err, b.check.max_abs_err);
  EXPECT_DOUBLE_EQ(a.check.tolerance, b.check.tolerance);
  EXPECT_DOUBLE_EQ(a.check.naive_rel_err, b.check.naive_rel_err);
  EXPECT_EQ(a.check.nonfinite, b.check.nonfinite);
  EXPECT_EQ(a.check.unwritten, b.check.unwritten);
  EXPECT_EQ(a.check.rows_checked, b.check.rows_checked);
  EXPECT_EQ(a.check.rechecked_after_timing, b.check.rechecked_after_timing);
  EXPECT_EQ(a.cache, b.cache);
  EXPECT_EQ(a.launches_per_sample, b.launches_per_sample);
  EXPECT_EQ(a.device, b.device);
  EXPECT_DOUBLE_EQ(a.wall_s, b.wall_s);
}

TEST(StatusNames, EveryStatusRoundTripsAndUnknownNamesAreRejected) {
  for (CellStatus s : kAllStatuses) {
    const auto back = parse_status(status_name(s));
    ASSERT_TRUE(back.has_value()) << status_name(s);
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(status_name(CellStatus::oom), "oom");
  EXPECT_FALSE(parse_status("OOM").has_value());
  EXPECT_FALSE(parse_status("").has_value());
}

TEST(CellJson, RoundTripsIncludingUnsupportedCells) {
  Cell c = sample_cell("cpu_flash", 2048, 128, DType::bf16, true);
  c.supported = false;
  c.unsupported_reason = "head_dim 128: only 64";
  const json j = cell_to_json(c);
  EXPECT_EQ(j["id"], c.id());
  EXPECT_EQ(j["tier"]["name"], "hd128-h12-b1-n2k");
  EXPECT_EQ(j["dtype"], "bf16");
  const Cell back = cell_from_json(j);
  EXPECT_EQ(back.id(), c.id());
  EXPECT_EQ(back.tier.shape, c.tier.shape);
  EXPECT_FALSE(back.supported);
  EXPECT_EQ(back.unsupported_reason, c.unsupported_reason);
  EXPECT_EQ(back.bytes_estimate, c.bytes_estimate);
}

TEST(ResultJson, EveryStatusRoundTrips) {
  for (CellStatus s : kAllStatuses) {
    const Cell c = sample_cell("naive");
    const CellResult r = s == CellStatus::ok ? ok_result(c, 0.7293) : failed_result(c, s, "why: " + std::string(status_name(s)));
    const json j = result_to_json(r);
    EXPECT_EQ(j["type"], "cell");
    EXPECT_EQ(j["status"], status_name(s));
    // Reparse from text, as the store does.
    expect_same_result(r, result_from_json(json::parse(j.dump())));
  }
}

TEST(ResultJson, FailedCellsCarryNoNumbersThatWereNotMeasured) {
  const json j = result_to_json(failed_result(sample_cell("naive"), CellStatus::oom, "needs 9 GiB, 2 GiB free"));
  EXPECT_FALSE(j.contains("time_ms"));
  EXPECT_FALSE(j.contains("tflops"));
  EXPECT_FALSE(j.contains("gbps"));
  EXPECT_EQ(j["check"], json({{"checked", false}}));
}

TEST(ResultJson, OkRecordHasEveryField) {
  const json j = result_to_json(ok_result(sample_cell("naive"), 1.5));
  for (const char* key : {"id", "kernel", "tier", "dtype", "causal", "status", "message", "time_ms", "tflops", "gbps",
                          "check", "cache", "launches_per_sample", "device", "bytes_estimate", "wall_s"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const char* key : {"samples", "median", "mean", "std", "min", "max", "p10", "p90", "ci_low", "ci_high"})
    EXPECT_TRUE(j["time_ms"].contains(key)) << key;
  for (const char* key : {"checked", "passed", "rel_err", "max_abs_err", "tolerance", "naive_rel_err", "nonfinite",
                          "unwritten", "rows_checked", "rechecked_after_timing"})
    EXPECT_TRUE(j["check"].contains(key)) << key;
}

TEST(ResultJson, TheDeviceModelIsWrittenWhenKnown) {
  CellResult r = ok_result(sample_cell("naive"), 1.5);
  EXPECT_FALSE(result_to_json(r).contains("device_name"));  // unknown (imported): absent, not ""
  r.device_name = "NVIDIA H100 80GB HBM3";
  const json j = result_to_json(r);
  EXPECT_EQ(j["device_name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(result_from_json(j).device_name, "NVIDIA H100 80GB HBM3");
}

TEST(ResultJson, ImportedSummaryKeepsOnlyWhatTheSourceGave) {
  CellResult r = ok_result(sample_cell("vectorized_torch"), 1.0);
  constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
  r.time_ms = SampleStats{0, unknown, 1.6756, 0.0069, 1.667, unknown, unknown, unknown, unknown, unknown};
  const json j = result_to_json(r);
  EXPECT_EQ(j["time_ms"], json({{"samples", 0}, {"source", "imported"}, {"mean", 1.6756}, {"std", 0.0069}, {"min", 1.667}}));
  const CellResult back = result_from_json(json::parse(j.dump()));
  ASSERT_TRUE(back.time_ms);
  EXPECT_TRUE(std::isnan(back.time_ms->median));
  EXPECT_TRUE(std::isnan(back.time_ms->p90));
  EXPECT_DOUBLE_EQ(back.time_ms->min, 1.667);
  EXPECT_DOUBLE_EQ(representative_ms(*back.time_ms), 1.6756);
}

TEST(ResultJson, NonFiniteErrorsSurviveAsNull) {
  CellResult r = failed_result(sample_cell("naive"), CellStatus::wrong, "3 NaN in the output");
  r.check.checked = true;
  r.check.rel_err = std::numeric_limits<double>::quiet_NaN();
  r.check.nonfinite = 3;
  const std::string text = result_to_json(r).dump();
  EXPECT_NE(text.find("\"rel_err\":null"), std::string::npos) << text;
  const CellResult back = result_from_json(json::parse(text));
  EXPECT_TRUE(std::isnan(back.check.rel_err));
  EXPECT_EQ(back.check.nonfinite, 3);
}

TEST(ResultJson, BadRecordsNameTheFieldAndTheRule) {
  const json good = result_to_json(ok_result(sample_cell("naive"), 2.0));
  auto with = [&](const std::string& pointer, const json& value) {
    json j = good;
    j[json::json_pointer(pointer)] = value;
    return error_of([&] { (void)result_from_json(j); });
  };
  auto without = [&](const std::string& pointer) {
    json j = good;
    const json::json_pointer p(pointer);
    j[p.parent_pointer()].erase(p.back());
    return error_of([&] { (void)result_from_json(j); });
  };

  EXPECT_EQ(with("/status", "foo"), "cell record: field 'status': unknown status 'foo'");
  EXPECT_EQ(with("/status", 3), "cell record: field 'status': must be a string");
  EXPECT_EQ(with("/type", "header"), "cell record: field 'type': must be \"cell\"");
  EXPECT_EQ(without("/tier/q_n"), "cell record: field 'tier.q_n': missing");
  EXPECT_EQ(with("/tier/heads", 0), "cell record: field 'tier.heads': must be at least 1");
  EXPECT_EQ(with("/tier/batch", 1.5), "cell record: field 'tier.batch': must be an integer");
  EXPECT_EQ(with("/tier", "hd64"), "cell record: field 'tier': must be an object");
  EXPECT_EQ(with("/dtype", "fp8"), "cell record: field 'dtype': unknown dtype 'fp8' (known: fp32, fp16, bf16, tf32)");
  EXPECT_EQ(with("/causal", "no"), "cell record: field 'causal': must be true or false");
  EXPECT_EQ(with("/time_ms/median", "fast"),
            "cell record: field 'time_ms.median': must be a number (or null for a value that was not finite)");
  EXPECT_EQ(without("/time_ms"), "cell record: field 'time_ms': missing");
  EXPECT_EQ(without("/tflops"), "cell record: field 'tflops': missing");
  EXPECT_EQ(with("/time_ms/samples", -1), "cell record: field 'time_ms.samples': must be at least 0");
  EXPECT_EQ(with("/cache", "lukewarm"), "cell record: field 'cache': must be \"cold\" or \"warm\"");
  EXPECT_EQ(with("/check/passed", 1), "cell record: field 'check.passed': must be true or false");
  EXPECT_EQ(with("/bytes_estimate", -5), "cell record: field 'bytes_estimate': must be a non-negative integer");
  EXPECT_NE(with("/id", "other|id|fp16|full").find("field 'id': 'other|id|fp16|full' does not match"), std::string::npos);
  // A summary without samples must say where it came from.
  EXPECT_EQ(with("/time_ms/samples", 0), "cell record: field 'time_ms.source': missing");
  EXPECT_EQ(error_of([] { (void)result_from_json(json::array()); }), "cell record: must be a JSON object");
  EXPECT_EQ(error_of([] { (void)cell_from_json(json{{"kernel", "x"}}); }), "cell: field 'tier': missing");

  // Times belong to ok cells only.
  json oom = good;
  oom["status"] = "oom";
  EXPECT_EQ(error_of([&] { (void)result_from_json(oom); }),
            "cell record: field 'time_ms': present on a 'oom' cell; only ok cells carry times");
}

}  // namespace
}  // namespace attnsweep
