// What a result can be (result.cpp): every rule a record is held to wherever it enters, and how an
// impossible one is kept without its time.
#include "attnsweep/engine/result.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The statistics of a result's first timing (cold in sample results).
SampleStats& times(CellResult& r) { return r.timings.front().time_ms; }

TEST(Result, StatusNamesReadBack) {
  for (CellStatus s : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped, CellStatus::wrong,
                       CellStatus::error, CellStatus::crashed, CellStatus::timeout})
    EXPECT_EQ(parse_status(status_name(s)), s);
  EXPECT_EQ(parse_status("OK"), std::nullopt);
}

TEST(Result, KernelNamesThatCanNameCells) {
  EXPECT_EQ(kernel_name_problem("flash_sm90"), "");
  EXPECT_EQ(kernel_name_problem("torch.sdpa_cudnn"), "");
  EXPECT_EQ(kernel_name_problem("FlashAttention 2 (Tri Dao)"), "");
  EXPECT_EQ(kernel_name_problem(""), "must not be empty");
  EXPECT_NE(kernel_name_problem("a|hd64-h1-b1-n512").find("holds '|'"), std::string::npos);
  EXPECT_NE(kernel_name_problem("evil\x1b]0;x\x07").find("control character"), std::string::npos);
  EXPECT_NE(kernel_name_problem(std::string(201, 'k')).find("at most 200"), std::string::npos);
}

TEST(Result, MeasuredAndFailedCellsArePossible) {
  EXPECT_EQ(result_problem(ok_result(sample_cell("flash_mma"), 0.7)), "");
  CellResult copied = ok_result(sample_cell("flash_mma"), 0.7);  // a table that gives some statistics
  times(copied).max = times(copied).ci_low = times(copied).ci_high = kNaN;
  EXPECT_EQ(result_problem(copied), "");
  EXPECT_EQ(result_problem(failed_result(sample_cell("naive"), CellStatus::oom, "needs 80 GiB")), "");
  CellResult summary = ok_result(sample_cell("seed_row"), 2.0);  // a table's avg/std/min only
  summary.timings.front().mode = TimingMode::unstated;
  times(summary) = SampleStats{0, kNaN, 2.0, 0.1, 1.9, kNaN, kNaN, kNaN, kNaN, kNaN};
  EXPECT_EQ(result_problem(summary), "");
  times(summary).mean = kNaN;
  times(summary).median = 2.0;  // a median alone is enough
  EXPECT_EQ(result_problem(summary), "");
}

struct Broken {
  const char* what;
  std::function<void(CellResult&)> change;
  std::string rule;  // the start of result_problem's answer
};

TEST(Result, EveryImpossibleMeasurementNamesItsRule) {
  const std::vector<Broken> table = {
      {"negative median", [](CellResult& r) { times(r).median = -1; },
       "timings.cold.time_ms.median: -1.0 ms is less than a nanosecond"},
      {"zero min", [](CellResult& r) { times(r).min = 0; },
       "timings.cold.time_ms.min: 0.0 ms is less than a nanosecond"},
      {"NaN median", [](CellResult& r) { times(r).median = kNaN; },
       "timings.cold.time_ms.median: must be a number (got null)"},
      {"infinite max", [](CellResult& r) { times(r).max = std::numeric_limits<double>::infinity(); },
       "timings.cold.time_ms.max: must be a number"},
      {"absurd max", [](CellResult& r) { times(r).max = 1e300; },
       "timings.cold.time_ms.max: 1e+300 ms is more than a day"},
      {"min above median", [](CellResult& r) { times(r).min = 0.8; }, "timings.cold.time_ms.min: 0.8 is above p10"},
      {"median above max", [](CellResult& r) { times(r).max = 0.69; },
       "timings.cold.time_ms.median: 0.7 is above max 0.69"},
      {"mean outside", [](CellResult& r) { times(r).mean = 50; }, "timings.cold.time_ms.mean: 50.0 is above max"},
      {"interval without its median", [](CellResult& r) { times(r).ci_low = 0.71; },
       "timings.cold.time_ms.ci_low: 0.71 is above median"},
      {"negative std", [](CellResult& r) { times(r).std = -0.1; },
       "timings.cold.time_ms.std: must be a non-negative number"},
      {"too many samples", [](CellResult& r) { times(r).samples = kMaxSamples + 1; },
       "timings.cold.time_ms.samples: must be from 0"},
      {"rate of another time", [](CellResult& r) { r.timings.front().tflops *= 3; }, "timings.cold.tflops: "},
      {"zero rate", [](CellResult& r) { r.timings.front().gbps = 0; },
       "timings.cold.gbps: must be a positive number (got 0.0)"},
      {"ok without a time", [](CellResult& r) { r.timings.clear(); }, "timings: missing"},
      {"a mode timed twice", [](CellResult& r) { r.timings.push_back(r.timings.front()); },
       "timings.cold: the mode is timed twice"},
      {"cold timing of a batch", [](CellResult& r) { r.timings.front().launches_per_sample = 4; },
       "timings.cold.launches_per_sample: must be 1 in a cold timing"},
      {"batch without launches",
       [](CellResult& r) {
         r.timings.front().mode = TimingMode::batch;
         r.timings.front().launches_per_sample = 0;
       },
       "timings.batch.launches_per_sample: must be at least 1"},
      {"more flagged than taken", [](CellResult& r) { r.timings.front().flagged_samples = 38; },
       "timings.cold.flagged_samples: must be from 0 to its 37 samples"},
      {"negative share of the peak", [](CellResult& r) { r.timings.front().pct_of_peak = -5; },
       "timings.cold.pct_of_peak: must be a non-negative number"},
      {"ok with a failed check", [](CellResult& r) { r.check.passed = false; }, "check.passed: false on an ok cell"},
      {"passed with NaN elements", [](CellResult& r) { r.check.nonfinite = 3; }, "check.passed: true with 3 NaN/Inf"},
      {"passed above its tolerance", [](CellResult& r) { r.check.max_abs_err = 1; },
       "check.passed: true with max_abs_err 1.0 above"},
      {"passed above the tolerance of an older check",
       [](CellResult& r) {
         r.check.naive_max_abs_err = kNaN;
         r.check.rel_err = 1;
       },
       "check.passed: true with rel_err 1.0 above"},
      {"passed with changed inputs", [](CellResult& r) { r.check.inputs_changed = true; },
       "check.passed: true with inputs_changed"},
      {"more slices than rows", [](CellResult& r) { r.check.slices_checked = 129; },
       "check.slices_checked: 129 slices from 128 rows"},
      {"negative naive error", [](CellResult& r) { r.check.naive_max_abs_err = -1; },
       "check.naive_max_abs_err: must be a non-negative"},
      {"clock range upside down",
       [](CellResult& r) {
         r.clocks.emplace();
         r.clocks->read = true;
         r.clocks->sm_mhz_min = 1900;
         r.clocks->sm_mhz_max = 1500;
       },
       "clocks.sm_mhz_min: 1900 is above sm_mhz_max 1500"},
      {"infinite power",
       [](CellResult& r) {
         r.clocks.emplace();
         r.clocks->read = true;
         r.clocks->power_w_max = std::numeric_limits<double>::infinity();
       },
       "clocks.power_w_max: must be a number"},
      {"negative wall split", [](CellResult& r) { r.wall_split.emplace().check = -1; },
       "wall_split_s.check: must be a non-negative number"},
      {"negative error", [](CellResult& r) { r.check.max_abs_err = -1; }, "check.max_abs_err: must be a non-negative"},
      {"kernel with a pipe", [](CellResult& r) { r.cell.kernel = "a|b"; }, "kernel: 'a|b' holds '|'"},
      {"tier name of other sizes", [](CellResult& r) { r.cell.tier.name = "hd64-h12-b1-n1k"; },
       "tier.name: 'hd64-h12-b1-n1k' does not match its sizes (hd64-h12-b1-n512)"},
      {"sizes past 64 bits", [](CellResult& r) { r.cell.tier.shape.batch = std::numeric_limits<std::int64_t>::max(); },
       "tier: the element count of Q and O"},
      {"head_dim past the limit", [](CellResult& r) { r.cell.tier.shape.head_dim = 4096; },
       "tier: head_dim must be at most 1024"},
      {"an unsupported cell that ran", [](CellResult& r) { r.cell.supported = false; },
       "supported: false on a 'ok' cell"},
      {"negative wall time", [](CellResult& r) { r.wall_s = -2; }, "wall_s: must be a non-negative number"},
  };
  for (const Broken& b : table) {
    SCOPED_TRACE(b.what);
    CellResult r = ok_result(sample_cell("flash_mma"), 0.7);
    b.change(r);
    const std::string problem = result_problem(r);
    EXPECT_EQ(problem.rfind(b.rule, 0), 0u) << problem;
  }
  CellResult failed = failed_result(sample_cell("naive"), CellStatus::oom, "x");
  failed.timings = ok_result(sample_cell("naive"), 1).timings;
  EXPECT_EQ(result_problem(failed), "timings: present on a 'oom' cell; only ok cells carry times");
}

TEST(Result, AdmitKeepsThePossibleAndStripsTheTimeOfTheRest) {
  const CellResult good = ok_result(sample_cell("flash_mma"), 0.7);
  EXPECT_EQ(admit_result(good, "w").timings.front().time_ms.median, 0.7);

  CellResult negative = good;
  times(negative).median = -1;
  const CellResult error = admit_result(negative, "the worker for cuda:0");
  EXPECT_EQ(error.status, CellStatus::error);
  EXPECT_TRUE(error.timings.empty());
  EXPECT_EQ(error.message.rfind("the worker for cuda:0 sent an impossible result: timings.cold.time_ms.median", 0), 0u)
      << error.message;
  EXPECT_EQ(error.cell.id(), good.cell.id());
  EXPECT_EQ(result_problem(error), "");

  CellResult failed_check = good;
  failed_check.check.passed = false;
  failed_check.check.max_abs_err = 0.5;
  const CellResult wrong = admit_result(failed_check, "provider torch");
  EXPECT_EQ(wrong.status, CellStatus::wrong);
  EXPECT_TRUE(wrong.timings.empty());
  EXPECT_EQ(wrong.check.max_abs_err, 0.5) << "the check that failed is kept";
  EXPECT_EQ(result_problem(wrong), "");
}

}  // namespace
}  // namespace attnsweep
