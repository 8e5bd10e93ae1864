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
  ASSERT_EQ(a.timings.size(), b.timings.size());
  for (std::size_t i = 0; i < a.timings.size(); ++i) {
    const Timing &ta = a.timings[i], &tb = b.timings[i];
    EXPECT_EQ(ta.mode, tb.mode);
    expect_same_stats(ta.time_ms, tb.time_ms);
    EXPECT_DOUBLE_EQ(ta.tflops, tb.tflops);
    EXPECT_DOUBLE_EQ(ta.gbps, tb.gbps);
    EXPECT_EQ(ta.launches_per_sample, tb.launches_per_sample);
    EXPECT_EQ(ta.noisy, tb.noisy);
    EXPECT_EQ(ta.flagged_samples, tb.flagged_samples);
    EXPECT_EQ(ta.flags, tb.flags);
    EXPECT_EQ(ta.samples_ms, tb.samples_ms);
  }
  EXPECT_EQ(a.check.checked, b.check.checked);
  EXPECT_EQ(a.check.passed, b.check.passed);
  EXPECT_DOUBLE_EQ(a.check.rel_err, b.check.rel_err);
  EXPECT_DOUBLE_EQ(a.check.max_abs_err, b.check.max_abs_err);
  EXPECT_DOUBLE_EQ(a.check.tolerance, b.check.tolerance);
  EXPECT_DOUBLE_EQ(a.check.naive_rel_err, b.check.naive_rel_err);
  EXPECT_EQ(a.check.nonfinite, b.check.nonfinite);
  EXPECT_EQ(a.check.unwritten, b.check.unwritten);
  EXPECT_EQ(a.check.rows_checked, b.check.rows_checked);
  EXPECT_DOUBLE_EQ(a.check.naive_max_abs_err, b.check.naive_max_abs_err);
  EXPECT_EQ(a.check.slices_checked, b.check.slices_checked);
  EXPECT_EQ(a.check.rechecked_after_timing, b.check.rechecked_after_timing);
  ASSERT_EQ(a.steady.has_value(), b.steady.has_value());
  if (a.steady) {
    EXPECT_EQ(a.steady->state, b.steady->state);
    EXPECT_EQ(a.steady->settled, b.steady->settled);
  }
  ASSERT_EQ(a.clocks.has_value(), b.clocks.has_value());
  if (a.clocks) {
    EXPECT_EQ(a.clocks->read, b.clocks->read);
    EXPECT_EQ(a.clocks->why_not, b.clocks->why_not);
    EXPECT_EQ(a.clocks->readings, b.clocks->readings);
    EXPECT_EQ(a.clocks->sm_mhz_min, b.clocks->sm_mhz_min);
    EXPECT_EQ(a.clocks->sm_mhz_max, b.clocks->sm_mhz_max);
    EXPECT_EQ(a.clocks->sm_max_mhz, b.clocks->sm_max_mhz);
    EXPECT_EQ(a.clocks->power_w_max, b.clocks->power_w_max);
    EXPECT_EQ(a.clocks->temperature_c_max, b.clocks->temperature_c_max);
    EXPECT_EQ(a.clocks->reasons, b.clocks->reasons);
  }
  ASSERT_EQ(a.wall_split.has_value(), b.wall_split.has_value());
  if (a.wall_split) {
    EXPECT_DOUBLE_EQ(a.wall_split->inputs, b.wall_split->inputs);
    EXPECT_DOUBLE_EQ(a.wall_split->check, b.wall_split->check);
    EXPECT_DOUBLE_EQ(a.wall_split->warmup, b.wall_split->warmup);
    EXPECT_DOUBLE_EQ(a.wall_split->settle, b.wall_split->settle);
    EXPECT_DOUBLE_EQ(a.wall_split->timing, b.wall_split->timing);
  }
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

// GQA, a window and a bottom-right mask are written in the tier only where a cell has them, and
// read back; a record without them (every older one) is multi-head, windowless, top-left.
TEST(CellJson, KvHeadsWindowAndAlignmentRoundTripAndOldRecordsReadAsBefore) {
  Cell c = sample_cell("cpu_flash", 2048, 128, DType::bf16, true);
  c.tier.shape.kv_heads = 4;
  c.tier.shape.window_left = 1024;
  c.tier.shape.window_right = 0;
  c.tier.shape.align = CausalAlign::bottom_right;
  c.tier.name = tier_name(c.tier.shape);
  const json j = cell_to_json(c);
  EXPECT_EQ(j["tier"]["name"], "hd128-h12-kv4-b1-n2k-w1k-br");
  EXPECT_EQ(j["tier"]["kv_heads"], 4);
  EXPECT_EQ(j["tier"]["window_left"], 1024);
  EXPECT_EQ(j["tier"]["window_right"], 0);
  EXPECT_EQ(j["tier"]["align"], "bottom-right");
  const Cell back = cell_from_json(j);
  EXPECT_EQ(back.id(), c.id());
  EXPECT_EQ(back.tier.shape, c.tier.shape);
  EXPECT_EQ(back.problem().kv_group, 3);

  const json plain = cell_to_json(sample_cell("cpu_flash"));
  for (const char* key : {"kv_heads", "window_left", "window_right", "align"}) EXPECT_FALSE(plain["tier"].contains(key)) << key;
  const Cell old = cell_from_json(plain);
  EXPECT_EQ(old.tier.shape.kv_head_count(), old.tier.shape.heads);
  EXPECT_FALSE(old.problem().has_window());
  EXPECT_EQ(old.tier.shape.align, CausalAlign::top_left);

  json bad = j;
  bad["tier"]["kv_heads"] = 5;
  EXPECT_THROW(cell_from_json(bad), std::exception);
  bad = j;
  bad["tier"]["align"] = "middle";
  EXPECT_THROW(cell_from_json(bad), std::exception);
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

// Both modes, a noisy one with flagged samples, a sustained state and clocks: all read back.
TEST(ResultJson, EveryModeAndWhatWasWatchedRoundTrips) {
  CellResult r = ok_result(sample_cell("flash_mma"), 0.5);
  Timing batch = r.timings.front();
  batch.mode = TimingMode::batch;
  batch.launches_per_sample = 12;
  batch.noisy = true;
  batch.flagged_samples = 3;
  batch.flags = {"sw_power_cap", "low_clock"};
  r.timings.push_back(batch);
  r.steady = SteadyRecord{SteadyState::sustained, true};
  r.clocks = ClockSummary{true, "", 40, 1410, 1755, 1980, 690.5, 71, {"sw_power_cap"}};
  const json j = result_to_json(r);
  EXPECT_TRUE(j["noisy"].get<bool>());  // beside the status: any mode noisy
  EXPECT_EQ(j["timings"]["cold"]["launches_per_sample"], 1);
  EXPECT_EQ(j["timings"]["batch"]["flags"], json({"sw_power_cap", "low_clock"}));
  EXPECT_EQ(j["steady"], json({{"state", "sustained"}, {"settled", true}}));
  EXPECT_EQ(j["clocks"]["power_w_max"], 690.5);
  const CellResult back = result_from_json(json::parse(j.dump()));
  expect_same_result(r, back);
  EXPECT_TRUE(back.noisy());
  EXPECT_FALSE(back.timing(TimingMode::cold)->noisy);

  r.clocks = ClockSummary{false, "NVML (libnvidia-ml.so.1) not found"};
  EXPECT_EQ(result_to_json(r)["clocks"], json({{"read", false}, {"why_not", "NVML (libnvidia-ml.so.1) not found"}}));
  expect_same_result(r, result_from_json(result_to_json(r)));
}

// The samples travel as one array per timing, exactly as kept; a record without them still reads.
TEST(ResultJson, SamplesRoundTripAsOneArrayPerTiming) {
  CellResult r = testing::with_samples(ok_result(sample_cell("flash_mma"), 0.5), {0.51, 0.5, 0.4987, 0.502, 0.5});
  const json j = result_to_json(r);
  EXPECT_EQ(j["timings"]["cold"]["samples_ms"], json({0.51, 0.5, 0.4987, 0.502, 0.5}));
  EXPECT_EQ(j["timings"]["cold"]["time_ms"]["samples"], 5);
  expect_same_result(r, result_from_json(json::parse(j.dump())));

  json without = j;
  without["timings"]["cold"].erase("samples_ms");
  EXPECT_TRUE(result_from_json(without).timings.front().samples_ms.empty());

  json short_list = j;
  short_list["timings"]["cold"]["samples_ms"] = json({0.5, 0.5});
  EXPECT_EQ(error_of([&] { (void)result_from_json(short_list); }),
            "cell record: field 'timings.cold.samples_ms': holds 2 times, but time_ms.samples is 5");
  json negative = j;
  negative["timings"]["cold"]["samples_ms"][1] = -0.5;
  EXPECT_EQ(error_of([&] { (void)result_from_json(negative); }),
            "cell record: field 'timings.cold.samples_ms': must hold no negative time");
  json text = j;
  text["timings"]["cold"]["samples_ms"][1] = "0.5";
  EXPECT_EQ(error_of([&] { (void)result_from_json(text); }),
            "cell record: field 'timings.cold.samples_ms': must be a list of numbers");
}

TEST(ResultJson, FailedCellsCarryNoNumbersThatWereNotMeasured) {
  const json j = result_to_json(failed_result(sample_cell("naive"), CellStatus::oom, "needs 9 GiB, 2 GiB free"));
  EXPECT_FALSE(j.contains("timings"));
  EXPECT_FALSE(j.contains("noisy"));
  EXPECT_FALSE(j.contains("time_ms"));
  EXPECT_FALSE(j.contains("tflops"));
  EXPECT_FALSE(j.contains("gbps"));
  EXPECT_EQ(j["check"], json({{"checked", false}}));
}

TEST(ResultJson, OkRecordHasEveryField) {
  const json j = result_to_json(ok_result(sample_cell("naive"), 1.5));
  for (const char* key : {"id", "kernel", "tier", "dtype", "causal", "status", "message", "timings", "noisy", "check",
                          "steady", "wall_split_s", "device", "bytes_estimate", "wall_s"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const char* key : {"time_ms", "tflops", "gbps", "launches_per_sample", "noisy", "flagged_samples"})
    EXPECT_TRUE(j["timings"]["cold"].contains(key)) << key;
  for (const char* key : {"samples", "median", "mean", "std", "min", "max", "p10", "p90", "ci_low", "ci_high"})
    EXPECT_TRUE(j["timings"]["cold"]["time_ms"].contains(key)) << key;
  for (const char* key : {"inputs", "check", "warmup", "settle", "timing"})
    EXPECT_TRUE(j["wall_split_s"].contains(key)) << key;
  for (const char* key : {"checked", "passed", "max_abs_err", "naive_max_abs_err", "tolerance", "rel_err", "naive_rel_err",
                          "nonfinite", "unwritten", "rows_checked", "slices_checked", "rechecked_after_timing"})
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
  Timing& t0 = r.timings.front();
  t0.mode = TimingMode::unstated;
  t0.time_ms = SampleStats{0, unknown, 1.6756, 0.0069, 1.667, unknown, unknown, unknown, unknown, unknown};
  t0.tflops = r.cell.problem().flops() / 1.6756e-3 / 1e12;  // from the mean, the time it is ranked by
  t0.gbps = r.cell.problem().min_bytes() / 1.6756e-3 / 1e9;
  const json j = result_to_json(r);
  EXPECT_EQ(j["timings"]["unstated"]["time_ms"],
            json({{"samples", 0}, {"source", "imported"}, {"mean", 1.6756}, {"std", 0.0069}, {"min", 1.667}}));
  const CellResult back = result_from_json(json::parse(j.dump()));
  const Timing* t = back.timing(TimingMode::unstated);
  ASSERT_TRUE(t);
  EXPECT_TRUE(std::isnan(t->time_ms.median));
  EXPECT_TRUE(std::isnan(t->time_ms.p90));
  EXPECT_DOUBLE_EQ(t->time_ms.min, 1.667);
  EXPECT_DOUBLE_EQ(representative_ms(t->time_ms), 1.6756);
}

// A summary may give its median without a mean (a CSV with median_ms only).
TEST(ResultJson, ImportedSummaryWithAMedianAlone) {
  CellResult r = ok_result(sample_cell("seed_row"), 1.0);
  constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
  r.timings.front().time_ms = SampleStats{0, 1.0, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown};
  const CellResult back = result_from_json(json::parse(result_to_json(r).dump()));
  EXPECT_DOUBLE_EQ(representative_ms(back.timings.front().time_ms), 1.0);
  EXPECT_TRUE(std::isnan(back.timings.front().time_ms.mean));
}

// The worker protocol reads a record's fields without judging them: the executor does.
TEST(ResultJson, ReadingAloneDoesNotJudgeTheMeasurement) {
  json j = result_to_json(ok_result(sample_cell("naive"), 2.0));
  j["timings"]["cold"]["time_ms"]["median"] = -1;
  EXPECT_EQ(read_result_json(j).timings.front().time_ms.median, -1);
  EXPECT_NE(error_of([&] { (void)result_from_json(j); }), "");
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

// Records whose check held rel_err to `tolerance` (no naive max error, no slice count) still read:
// the two are not known (NaN, 0), not made up.
TEST(ResultJson, ChecksWithoutTheMaxRuleFieldsRead) {
  json j = result_to_json(ok_result(sample_cell("naive"), 2.0));
  j["check"].erase("naive_max_abs_err");
  j["check"].erase("slices_checked");
  const CellResult back = result_from_json(j);
  EXPECT_TRUE(back.check.passed);
  EXPECT_TRUE(std::isnan(back.check.naive_max_abs_err));
  EXPECT_EQ(back.check.slices_checked, 0);
  EXPECT_EQ(back.check.rows_checked, 128);
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
  EXPECT_EQ(with("/timings/cold/time_ms/median", "fast"),
            "cell record: field 'timings.cold.time_ms.median': must be a number (or null for a value that was not "
            "finite)");
  EXPECT_EQ(without("/timings/cold/time_ms"), "cell record: field 'timings.cold.time_ms': missing");
  EXPECT_EQ(without("/timings/cold/tflops"), "cell record: field 'timings.cold.tflops': missing");
  EXPECT_EQ(without("/timings"), "cell record: field 'timings': missing: every ok cell carries its times");
  EXPECT_EQ(with("/timings", json::object()), "cell record: field 'timings': must hold at least one mode on an ok cell");
  EXPECT_EQ(with("/timings/warm", good["timings"]["cold"]),
            "cell record: field 'timings.warm': unknown timing mode (known: cold, batch, unstated)");
  EXPECT_EQ(with("/timings/cold/launches_per_sample", 4),
            "cell record: field 'timings.cold.launches_per_sample': must be 1 in a cold timing");
  EXPECT_EQ(with("/timings/cold/time_ms/samples", -1), "cell record: field 'timings.cold.time_ms.samples': must be at least 0");
  EXPECT_EQ(with("/time_ms", good["timings"]["cold"]["time_ms"]),
            "cell record: field 'time_ms': beside 'timings': a record has one form or the other");
  EXPECT_EQ(with("/steady/state", "warm"), "cell record: field 'steady.state': must be \"burst\" or \"sustained\"");
  EXPECT_EQ(with("/clocks", json{{"read", true}}), "cell record: field 'clocks.readings': missing");
  EXPECT_EQ(with("/check/passed", 1), "cell record: field 'check.passed': must be true or false");
  EXPECT_EQ(with("/bytes_estimate", -5), "cell record: field 'bytes_estimate': must be a non-negative integer");
  EXPECT_NE(with("/id", "other|id|fp16|full").find("field 'id': 'other|id|fp16|full' does not match"), std::string::npos);
  // A summary without samples must say where it came from.
  EXPECT_EQ(with("/timings/cold/time_ms/samples", 0), "cell record: field 'timings.cold.time_ms.source': missing");
  EXPECT_EQ(error_of([] { (void)result_from_json(json::array()); }), "cell record: must be a JSON object");
  EXPECT_EQ(error_of([] { (void)cell_from_json(json{{"kernel", "x"}}); }), "cell: field 'tier': missing");

  // A record that reads is also held to what a measurement can be (result_problem).
  EXPECT_EQ(with("/timings/cold/time_ms/median", -1),
            "cell record: field 'timings.cold.time_ms.median': -1.0 ms is less than a nanosecond (at least 1e-06)");
  EXPECT_EQ(with("/timings/cold/time_ms/median", nullptr),
            "cell record: field 'timings.cold.time_ms.median': must be a number (got null)");
  EXPECT_EQ(with("/timings/cold/time_ms/min", 3.0), "cell record: field 'timings.cold.time_ms.min': 3.0 is above p10 1.96");
  EXPECT_EQ(with("/check/passed", false),
            "cell record: field 'check.passed': false on an ok cell; a cell that fails its check is wrong");
  json renamed = good;
  renamed["tier"]["name"] = "hd64-h12-b1-n1k";
  renamed.erase("id");
  EXPECT_EQ(error_of([&] { (void)result_from_json(renamed); }),
            "cell record: field 'tier.name': 'hd64-h12-b1-n1k' does not match its sizes (hd64-h12-b1-n512)");
  json piped = good;
  piped["kernel"] = "naive|hd64-h12-b1-n512";
  piped.erase("id");
  EXPECT_NE(error_of([&] { (void)result_from_json(piped); }).find("field 'kernel': 'naive|hd64-h12-b1-n512' holds '|'"),
            std::string::npos);

  // Times belong to ok cells only.
  json oom = good;
  oom["status"] = "oom";
  EXPECT_EQ(error_of([&] { (void)result_from_json(oom); }),
            "cell record: field 'timings': present on a 'oom' cell; only ok cells carry times");
}

// Records written before timing modes: one time_ms, with `cache` and `launches_per_sample`.
json old_record(const char* cache, int launches) {
  const Cell cell = sample_cell("naive");
  // Rates of the 1.0 ms median, as the record's rules want them.
  const double tflops = cell.problem().flops() / 1e-3 / 1e12, gbps = cell.problem().min_bytes() / 1e-3 / 1e9;
  json j = cell_to_json(cell);
  j.update({{"type", "cell"}, {"status", "ok"}, {"message", ""}, {"tflops", tflops}, {"gbps", gbps},
            {"launches_per_sample", launches}, {"device", 0},
            {"time_ms", {{"samples", 12}, {"median", 1.0}, {"mean", 1.0}, {"std", 0.1}, {"min", 0.9}, {"max", 1.2},
                         {"p10", 0.9}, {"p90", 1.1}, {"ci_low", 0.99}, {"ci_high", 1.01}}}});
  if (cache) j["cache"] = cache;
  return j;
}

TEST(ResultJson, OldRecordsReadUnderTheModeTheyReallyMeasured) {
  const CellResult cold = result_from_json(old_record("cold", 1));
  ASSERT_EQ(cold.timings.size(), 1u);
  EXPECT_EQ(cold.timings[0].mode, TimingMode::cold);
  EXPECT_DOUBLE_EQ(cold.timings[0].tflops, sample_cell("naive").problem().flops() / 1e-3 / 1e12);
  // A batch whose first launch alone found a flushed cache is not cold.
  const CellResult batched = result_from_json(old_record("cold", 3));
  EXPECT_EQ(batched.timings[0].mode, TimingMode::batch);
  EXPECT_EQ(batched.timings[0].launches_per_sample, 3);
  EXPECT_EQ(result_from_json(old_record("warm", 1)).timings[0].mode, TimingMode::batch);
  EXPECT_EQ(result_from_json(old_record(nullptr, 1)).timings[0].mode, TimingMode::unstated);
  EXPECT_EQ(error_of([] { (void)result_from_json(old_record("tepid", 1)); }),
            "cell record: field 'cache': must be \"cold\" or \"warm\"");
  // Written again, the record takes the current form.
  const json again = result_to_json(batched);
  EXPECT_FALSE(again.contains("time_ms"));
  EXPECT_TRUE(again["timings"].contains("batch"));
}

}  // namespace
}  // namespace attnsweep
