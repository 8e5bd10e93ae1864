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

TEST(Result, StatusNamesReadBack) {
  for (CellStatus s : {CellStatus::ok, CellStatus::oom, CellStatus::unsupported, CellStatus::skipped,
                       CellStatus::wrong, CellStatus::error, CellStatus::crashed, CellStatus::timeout})
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
  copied.time_ms->max = copied.time_ms->ci_low = copied.time_ms->ci_high = kNaN;
  EXPECT_EQ(result_problem(copied), "");
  EXPECT_EQ(result_problem(failed_result(sample_cell("naive"), CellStatus::oom, "needs 80 GiB")), "");
  CellResult summary = ok_result(sample_cell("seed_row"), 2.0);  // a table's avg/std/min only
  summary.time_ms = SampleStats{0, kNaN, 2.0, 0.1, 1.9, kNaN, kNaN, kNaN, kNaN, kNaN};
  EXPECT_EQ(result_problem(summary), "");
  summary.time_ms->mean = kNaN;
  summary.time_ms->median = 2.0;  // a median alone is enough
  EXPECT_EQ(result_problem(summary), "");
}

struct Broken {
  const char* what;
  std::function<void(CellResult&)> change;
  std::string rule;  // the start of result_problem's answer
};

TEST(Result, EveryImpossibleMeasurementNamesItsRule) {
  const std::vector<Broken> table = {
      {"negative median", [](CellResult& r) { r.time_ms->median = -1; }, "time_ms.median: -1.0 ms is less than a nanosecond"},
      {"zero min", [](CellResult& r) { r.time_ms->min = 0; }, "time_ms.min: 0.0 ms is less than a nanosecond"},
      {"NaN median", [](CellResult& r) { r.time_ms->median = kNaN; }, "time_ms.median: must be a number (got null)"},
      {"infinite max", [](CellResult& r) { r.time_ms->max = std::numeric_limits<double>::infinity(); },
       "time_ms.max: must be a number"},
      {"absurd max", [](CellResult& r) { r.time_ms->max = 1e300; }, "time_ms.max: 1e+300 ms is more than a day"},
      {"min above median", [](CellResult& r) { r.time_ms->min = 0.8; }, "time_ms.min: 0.8 is above p10"},
      {"median above max", [](CellResult& r) { r.time_ms->max = 0.69; }, "time_ms.median: 0.7 is above max 0.69"},
      {"mean outside", [](CellResult& r) { r.time_ms->mean = 50; }, "time_ms.mean: 50.0 is above max"},
      {"interval without its median", [](CellResult& r) { r.time_ms->ci_low = 0.71; }, "time_ms.ci_low: 0.71 is above median"},
      {"negative std", [](CellResult& r) { r.time_ms->std = -0.1; }, "time_ms.std: must be a non-negative number"},
      {"too many samples", [](CellResult& r) { r.time_ms->samples = kMaxSamples + 1; }, "time_ms.samples: must be from 0"},
      {"rate of another time", [](CellResult& r) { r.tflops *= 3; }, "tflops: "},
      {"zero rate", [](CellResult& r) { r.gbps = 0; }, "gbps: must be a positive number (got 0.0)"},
      {"ok without a time", [](CellResult& r) { r.time_ms.reset(); }, "time_ms: missing"},
      {"ok with a failed check", [](CellResult& r) { r.check.passed = false; }, "check.passed: false on an ok cell"},
      {"passed with NaN elements", [](CellResult& r) { r.check.nonfinite = 3; }, "check.passed: true with 3 NaN/Inf"},
      {"passed above its tolerance", [](CellResult& r) { r.check.rel_err = 1; }, "check.passed: true with rel_err 1.0 above"},
      {"negative error", [](CellResult& r) { r.check.max_abs_err = -1; }, "check.max_abs_err: must be a non-negative"},
      {"kernel with a pipe", [](CellResult& r) { r.cell.kernel = "a|b"; }, "kernel: 'a|b' holds '|'"},
      {"tier name of other sizes", [](CellResult& r) { r.cell.tier.name = "hd64-h12-b1-n1k"; },
       "tier.name: 'hd64-h12-b1-n1k' does not match its sizes (hd64-h12-b1-n512)"},
      {"sizes past 64 bits", [](CellResult& r) { r.cell.tier.shape.batch = std::numeric_limits<std::int64_t>::max(); },
       "tier: the element count of Q and O"},
      {"head_dim past the limit", [](CellResult& r) { r.cell.tier.shape.head_dim = 4096; }, "tier: head_dim must be at most 1024"},
      {"an unsupported cell that ran", [](CellResult& r) { r.cell.supported = false; }, "supported: false on a 'ok' cell"},
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
  failed.time_ms = ok_result(sample_cell("naive"), 1).time_ms;
  EXPECT_EQ(result_problem(failed), "time_ms: present on a 'oom' cell; only ok cells carry times");
}

TEST(Result, AdmitKeepsThePossibleAndStripsTheTimeOfTheRest) {
  const CellResult good = ok_result(sample_cell("flash_mma"), 0.7);
  EXPECT_EQ(admit_result(good, "w").time_ms->median, 0.7);

  CellResult negative = good;
  negative.time_ms->median = -1;
  const CellResult error = admit_result(negative, "the worker for cuda:0");
  EXPECT_EQ(error.status, CellStatus::error);
  EXPECT_FALSE(error.time_ms.has_value());
  EXPECT_EQ(error.message.rfind("the worker for cuda:0 sent an impossible result: time_ms.median", 0), 0u) << error.message;
  EXPECT_EQ(error.cell.id(), good.cell.id());
  EXPECT_EQ(result_problem(error), "");

  CellResult failed_check = good;
  failed_check.check.passed = false;
  failed_check.check.rel_err = 0.5;
  const CellResult wrong = admit_result(failed_check, "provider torch");
  EXPECT_EQ(wrong.status, CellStatus::wrong);
  EXPECT_FALSE(wrong.time_ms.has_value());
  EXPECT_EQ(wrong.check.rel_err, 0.5) << "the check that failed is kept";
  EXPECT_EQ(result_problem(wrong), "");
}

}  // namespace
}  // namespace attnsweep
