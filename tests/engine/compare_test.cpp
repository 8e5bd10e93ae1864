#include "attnsweep/engine/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "attnsweep/engine/open_results.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::failed_result;
using testing::kernel_times;
using testing::ok_result;
using testing::sample_cell;
using testing::with_samples;

const char* kH100Seed = ATTNSWEEP_SOURCE_DIR "/resources/sample-results/h100-seed.jsonl";
const char* kSeedTable = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";

json header_on(const std::string& gpu) {
  return {{"type", "header"},
          {"schema", 2},
          {"environment",
           {{"build_id", "0.1.0+abc"},
            {"host", "gpu-box"},
            {"device", {{"backend", "cuda"}, {"name", gpu}, {"uuid", "GPU-1"}, {"driver", "580.95"}, {"cudnn", "9.14.0"}}}}},
          {"clocks", {{"locked", false}, {"why", "not asked to lock them"}}}};
}

// A run of `kernels` over four sizes, 60 kernel-like samples a cell; `factor(kernel)` scales a
// kernel's true time, as a change to it would.
template <typename Factor>
ResultFile run_of(std::mt19937_64& rng, const std::vector<std::string>& kernels, Factor factor) {
  ResultFile f;
  f.header = header_on("NVIDIA H100 80GB HBM3");
  for (const std::string& k : kernels)
    for (std::int64_t n : {512, 1024, 2048, 4096}) {
      const Cell c = sample_cell(k, n);
      const double median = 0.01 * static_cast<double>(n) / 512 * factor(k);
      f.results.push_back(with_samples(ok_result(c, median), kernel_times(rng, 60, median)));
    }
  return f;
}

ResultFile run_of(std::mt19937_64& rng, const std::vector<std::string>& kernels) {
  return run_of(rng, kernels, [](const std::string&) { return 1.0; });
}

// Every time of `kernel`'s cells times `factor`: samples and statistics, as an edited copy would hold.
ResultFile scaled(ResultFile f, const std::string& kernel, double factor) {
  for (CellResult& r : f.results)
    if (r.cell.kernel == kernel)
      for (Timing& t : r.timings) {
        for (double& x : t.samples_ms) x *= factor;
        for (double* v : {&t.time_ms.median, &t.time_ms.mean, &t.time_ms.std, &t.time_ms.min, &t.time_ms.max,
                          &t.time_ms.p10, &t.time_ms.p90, &t.time_ms.ci_low, &t.time_ms.ci_high})
          *v *= factor;
      }
  return f;
}

// Whether comparing runs under these headers calls them runs on different cards.
bool compared_across_cards(const json& base_header, const json& new_header) {
  ResultFile base, now;
  base.header = base_header;
  now.header = new_header;
  return compare(base, now).different_card;
}

std::map<std::string, std::set<Verdict>> verdicts_by_kernel(const Comparison& c) {
  std::map<std::string, std::set<Verdict>> out;
  for (const CellComparison& cell : c.cells) out[cell.cell.kernel].insert(cell.verdict);
  return out;
}

TEST(Compare, VerdictNamesRoundTrip) {
  for (Verdict v : kAllVerdicts) EXPECT_EQ(parse_verdict(verdict_name(v)), v);
  EXPECT_EQ(verdict_name(Verdict::status_changed), "status-changed");
  EXPECT_EQ(verdict_name(Verdict::new_cell), "new");
  EXPECT_FALSE(parse_verdict("regressed"));
}

TEST(Compare, AFileAgainstItselfIsAllSame) {
  std::mt19937_64 rng(1);
  ResultFile f = run_of(rng, {"flash_mma", "naive"});
  f.results.push_back(failed_result(sample_cell("naive", 16384), CellStatus::oom, "needs 80 GiB"));
  const Comparison c = compare(f, f);
  ASSERT_EQ(c.cells.size(), f.results.size());
  for (const CellComparison& cell : c.cells) EXPECT_EQ(cell.verdict, Verdict::same) << cell.cell.id();
  EXPECT_EQ(c.cells.front().evidence, Evidence::samples);
  EXPECT_DOUBLE_EQ(c.cells.front().ratio, 1);
  EXPECT_DOUBLE_EQ(c.cells.front().p_value, 1);
  EXPECT_EQ(c.cells.back().note, "oom in both");
  EXPECT_TRUE(c.environment.empty());
  EXPECT_FALSE(c.different_card);
  EXPECT_TRUE(c.notes.empty());
  EXPECT_EQ(c.counts().at(Verdict::same), static_cast<int>(f.results.size()));
}

// The acceptance test of the method: one kernel 10% slower, everything else untouched.
TEST(Compare, APlantedTenPercentSlowdownIsSlowerOnThatKernelOnly) {
  std::mt19937_64 rng(2);
  const ResultFile base = run_of(rng, {"flash_mma", "naive", "cublas"});
  const Comparison c = compare(base, scaled(base, "flash_mma", 1.10));
  const auto by_kernel = verdicts_by_kernel(c);
  EXPECT_EQ(by_kernel.at("flash_mma"), std::set{Verdict::slower});
  EXPECT_EQ(by_kernel.at("naive"), std::set{Verdict::same});
  EXPECT_EQ(by_kernel.at("cublas"), std::set{Verdict::same});
  for (const CellComparison& cell : c.cells)
    if (cell.cell.kernel == "flash_mma") {
      EXPECT_NEAR(cell.ratio, 1.10, 1e-9);
      EXPECT_LE(cell.ratio_low, 1.10);
      EXPECT_GE(cell.ratio_high, 1.10);
      EXPECT_GT(cell.ratio_low, 1.0);
      EXPECT_LT(cell.p_value, 1e-6);
    }
}

// Freshly drawn samples, not an edited copy: a real 10% change each way is found on every cell.
TEST(Compare, RealChangesOfTenPercentAreFoundBothWays) {
  std::mt19937_64 rng(3);
  const ResultFile base = run_of(rng, {"flash_mma", "naive", "cublas"});
  const ResultFile now = run_of(rng, {"flash_mma", "naive", "cublas"}, [](const std::string& k) {
    return k == "flash_mma" ? 1.10 : k == "naive" ? 0.90 : 1.0;
  });
  const auto by_kernel = verdicts_by_kernel(compare(base, now));
  EXPECT_EQ(by_kernel.at("flash_mma"), std::set{Verdict::slower});
  EXPECT_EQ(by_kernel.at("naive"), std::set{Verdict::faster});
  for (Verdict v : by_kernel.at("cublas")) EXPECT_TRUE(v == Verdict::same || v == Verdict::noisy);
}

// Two runs of the same build on a quiet card, many times over: never faster or slower.
TEST(Compare, BackToBackRunsOfOneBuildAreNeverFasterOrSlower) {
  std::mt19937_64 rng(4);
  const std::vector<std::string> kernels = {"flash_mma", "naive", "cublas", "fused_simt", "flash_sm90"};
  int cells = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const Comparison c = compare(run_of(rng, kernels), run_of(rng, kernels));
    for (const CellComparison& cell : c.cells) {
      ++cells;
      EXPECT_TRUE(cell.verdict == Verdict::same || cell.verdict == Verdict::noisy)
          << cell.cell.id() << " " << verdict_name(cell.verdict) << " ratio " << cell.ratio << " p " << cell.p_value;
    }
  }
  EXPECT_EQ(cells, 20 * 5 * 4);
}

// A real shift smaller than the threshold is not a regression; the threshold moves the line.
TEST(Compare, AShiftUnderTheThresholdIsSame) {
  std::mt19937_64 rng(5);
  ResultFile base;
  base.header = header_on("NVIDIA H100 80GB HBM3");
  const Cell cell = sample_cell("flash_mma");
  base.results.push_back(with_samples(ok_result(cell, 1.0), kernel_times(rng, 5000, 1.0)));
  const ResultFile now = scaled(base, "flash_mma", 1.01);
  const Comparison at_two = compare(base, now);
  EXPECT_EQ(at_two.cells[0].verdict, Verdict::same);
  EXPECT_LT(at_two.cells[0].p_value, 0.05);  // real, but under 2%
  CompareOptions tight;
  tight.threshold = 0.005;
  EXPECT_EQ(compare(base, now, tight).cells[0].verdict, Verdict::slower);
}

// Three samples a side cannot show a change at 5%, however large it looks.
TEST(Compare, AChangeTheSamplesCannotShowIsNoisy) {
  ResultFile base, now;
  const Cell cell = sample_cell("flash_mma");
  base.results.push_back(with_samples(ok_result(cell, 1.0), {1.0, 1.3, 0.8}));
  now.results.push_back(with_samples(ok_result(cell, 1.0), {1.15, 1.4, 0.85}));
  const Comparison c = compare(base, now);
  EXPECT_EQ(c.cells[0].verdict, Verdict::noisy);
  EXPECT_NEAR(c.cells[0].ratio, 1.15, 1e-12);
  EXPECT_GT(c.cells[0].p_value, 0.05);
  EXPECT_TRUE(std::isnan(c.cells[0].ratio_low));  // nothing bounds it at 95%
  EXPECT_EQ(c.cells[0].note, "too few samples to bound the ratio (3 in BASE, 3 in NEW)");
}

TEST(Compare, CellsAreMatchedByIdAndStatusChangesNamed) {
  ResultFile base, now;
  const Cell kept = sample_cell("flash_mma", 512), gone = sample_cell("naive", 512), broke = sample_cell("cublas", 512),
             fixed = sample_cell("naive", 16384), added = sample_cell("flash_sm90", 512);
  base.results = {with_samples(ok_result(kept, 1.0), {1.0, 1.01, 0.99}), ok_result(gone, 2.0), ok_result(broke, 3.0),
                  failed_result(fixed, CellStatus::oom, "needs 80 GiB")};
  now.results = {ok_result(fixed, 4.0), failed_result(broke, CellStatus::wrong, "rel_err 0.5 > 2e-3"),
                 ok_result(added, 5.0), with_samples(ok_result(kept, 1.0), {1.0, 1.01, 0.99})};
  const Comparison c = compare(base, now);
  ASSERT_EQ(c.cells.size(), 5u);
  // BASE's order, then what NEW adds.
  EXPECT_EQ(c.cells[0].cell.id(), kept.id());
  EXPECT_EQ(c.cells[0].verdict, Verdict::same);
  EXPECT_EQ(c.cells[1].cell.id(), gone.id());
  EXPECT_EQ(c.cells[1].verdict, Verdict::missing);
  EXPECT_FALSE(c.cells[1].now.has_value());
  EXPECT_EQ(c.cells[2].verdict, Verdict::status_changed);
  EXPECT_EQ(c.cells[2].note, "ok -> wrong: rel_err 0.5 > 2e-3");
  EXPECT_EQ(c.cells[2].now->status, CellStatus::wrong);
  EXPECT_EQ(c.cells[3].verdict, Verdict::status_changed);
  EXPECT_EQ(c.cells[3].note, "oom -> ok");
  EXPECT_EQ(c.cells[4].cell.id(), added.id());
  EXPECT_EQ(c.cells[4].verdict, Verdict::new_cell);
  EXPECT_TRUE(std::isnan(c.cells[4].ratio));
  const auto counts = c.counts();
  EXPECT_EQ(counts.at(Verdict::status_changed), 2);
  EXPECT_EQ(counts.at(Verdict::faster), 0);
}

// A file written before samples were kept (the bundled H100 results, schema 1) compares on its
// medians' intervals, and says so.
TEST(Compare, AFileWithoutSamplesComparesOnItsIntervals) {
  const ResultFile base = read_result_file(kH100Seed);
  const Comparison self = compare(base, base);
  for (const CellComparison& cell : self.cells) EXPECT_EQ(cell.verdict, Verdict::same) << cell.cell.id();
  EXPECT_EQ(self.cells.front().evidence, Evidence::intervals);
  EXPECT_TRUE(std::isnan(self.cells.front().p_value));
  ASSERT_EQ(self.notes.size(), 1u);
  EXPECT_NE(self.notes[0].find("119 cell(s) compared on their medians' 95% intervals, not on samples: neither file"),
            std::string::npos)
      << self.notes[0];

  const Comparison planted = compare(base, scaled(base, "flash_mma", 1.10));
  const auto by_kernel = verdicts_by_kernel(planted);
  EXPECT_EQ(by_kernel.at("flash_mma"), std::set{Verdict::slower});
  for (const char* k : {"naive", "cublas", "fused_simt", "flash_sm90"}) EXPECT_EQ(by_kernel.at(k), std::set{Verdict::same}) << k;

  // Against a run that has samples, only BASE is named as lacking them.
  ResultFile with = base;
  for (CellResult& r : with.results)
    if (r.status == CellStatus::ok) r = with_samples(r, {r.timings[0].time_ms.median});
  EXPECT_NE(compare(base, with).notes.at(0).find(": BASE holds per-sample times"), std::string::npos);
}

// The seed's table gives avg/std/min only: its cells compare on the ratio alone, never faster or slower.
TEST(Compare, ImportedSummariesAreNeverFasterOrSlower) {
  const ResultFile seed = open_results(kSeedTable);
  for (const CellComparison& cell : compare(seed, seed).cells) EXPECT_EQ(cell.verdict, Verdict::same) << cell.cell.id();
  const ResultFile slower = scaled(seed, "flash_attention_triton", 1.5);
  for (const CellComparison& cell : compare(seed, slower).cells) {
    if (cell.base->status != CellStatus::ok) continue;
    EXPECT_EQ(cell.evidence, Evidence::summaries);
    EXPECT_EQ(cell.verdict, cell.cell.kernel == "flash_attention_triton" ? Verdict::noisy : Verdict::same) << cell.cell.id();
  }
}

TEST(Compare, TheComparedModeIsChosenAndMismatchesSaid) {
  const Cell cell = sample_cell("flash_mma");
  ResultFile both, batch_only, cold_only;
  both.results.push_back(testing::with_batch_timing(ok_result(cell, 1.0)));  // cold 1.0, batch 0.5
  batch_only.results.push_back(ok_result(cell, 0.5));
  batch_only.results[0].timings[0].mode = TimingMode::batch;
  cold_only.results.push_back(ok_result(cell, 1.0));

  const Comparison c = compare(both, batch_only);  // BASE has cold times: cold by default
  EXPECT_EQ(c.mode, TimingMode::cold);
  EXPECT_EQ(c.cells[0].verdict, Verdict::same);
  EXPECT_EQ(c.cells[0].note, "compared in batch mode; BASE: 2 samples slowed (sw_power_cap)");
  EXPECT_EQ(c.cells[0].base->mode, TimingMode::batch);

  CompareOptions batch;
  batch.mode = TimingMode::batch;
  const Comparison in_batch = compare(both, both, batch);
  EXPECT_EQ(in_batch.cells[0].base->mode, TimingMode::batch);
  EXPECT_DOUBLE_EQ(in_batch.cells[0].base->ms, 0.5);

  const Comparison apart = compare(cold_only, batch_only);
  EXPECT_EQ(apart.cells[0].verdict, Verdict::noisy);
  EXPECT_EQ(apart.cells[0].evidence, Evidence::none);
  EXPECT_EQ(apart.cells[0].note, "timed cold in BASE and batch in NEW: no mode in common");
}

TEST(Compare, SlowedSamplesAreNoted) {
  const Cell cell = sample_cell("flash_mma");
  ResultFile base, now;
  base.results.push_back(ok_result(cell, 1.0));
  now.results.push_back(ok_result(cell, 1.0));
  now.results[0].timings[0].flagged_samples = 4;
  now.results[0].timings[0].flags = {"sw_power_cap", "low_clock"};
  const Comparison c = compare(base, now);
  EXPECT_EQ(c.cells[0].note, "NEW: 4 samples slowed (sw_power_cap, low_clock)");
  EXPECT_EQ(c.cells[0].now->flagged_samples, 4);
}

// Two back-to-back runs of one build on an H100 gave `slower` cells, one where a run had taken
// samples under the power cap: a side with slowed samples or a noisy time keeps a cell at most
// noisy, and the note says which side and why.
TEST(Compare, ASlowedOrNoisySideIsAtMostNoisy) {
  std::mt19937_64 rng(7);
  ResultFile base;
  base.header = header_on("NVIDIA H100 80GB HBM3");
  base.results.push_back(with_samples(ok_result(sample_cell("flash_mma"), 1.0), kernel_times(rng, 200, 1.0)));
  const ResultFile now = scaled(base, "flash_mma", 1.1);
  ASSERT_EQ(compare(base, now).cells[0].verdict, Verdict::slower) << "on clean samples, a real slowdown";

  ResultFile slowed = now;
  slowed.results[0].timings[0].flagged_samples = 3;
  slowed.results[0].timings[0].flags = {"sw_power_cap"};
  const CellComparison s = compare(base, slowed).cells[0];
  EXPECT_EQ(s.verdict, Verdict::noisy);
  EXPECT_LT(s.p_value, 0.05) << "the test still finds the change; the verdict does not trust it";
  EXPECT_EQ(s.note, "NEW: 3 samples slowed (sw_power_cap); noisy, not slower: NEW's samples were slowed");

  const CellComparison f = compare(slowed, base).cells[0];
  EXPECT_EQ(f.verdict, Verdict::noisy);
  EXPECT_EQ(f.note, "BASE: 3 samples slowed (sw_power_cap); noisy, not faster: BASE's samples were slowed");

  ResultFile noisy_base = base;
  noisy_base.results[0].timings[0].noisy = true;
  const CellComparison n = compare(noisy_base, slowed).cells[0];
  EXPECT_EQ(n.verdict, Verdict::noisy);
  EXPECT_EQ(n.note, "NEW: 3 samples slowed (sw_power_cap); noisy, not slower: BASE is noisy and NEW's samples were "
                    "slowed");

  ResultFile small_change = scaled(noisy_base, "flash_mma", 1.005);
  small_change.results[0].timings[0].noisy = true;
  EXPECT_EQ(compare(noisy_base, small_change).cells[0].verdict, Verdict::same) << "no change to doubt";
}

// A change the samples show, but whose interval reaches inside the threshold, is not yet a
// verdict: the data cannot tell whether it is as large as the smallest change worth one.
TEST(Compare, AChangeWhoseIntervalReachesInsideTheThresholdIsNoisy) {
  std::mt19937_64 rng(11);
  ResultFile base;
  base.header = header_on("NVIDIA H100 80GB HBM3");
  base.results.push_back(with_samples(ok_result(sample_cell("flash_mma"), 1.0), kernel_times(rng, 30, 1.0)));
  ResultFile now;
  now.header = base.header;
  now.results.push_back(with_samples(ok_result(sample_cell("flash_mma"), 1.0), kernel_times(rng, 30, 1.028)));
  const CellComparison c = compare(base, now).cells[0];
  ASSERT_GT(c.ratio, 1.02) << "the case needs a median change past the threshold";
  ASSERT_LT(c.ratio_low, 1.02) << "and an interval that reaches inside it";
  ASSERT_LT(c.p_value, 0.05) << "and a change the test finds";
  EXPECT_EQ(c.verdict, Verdict::noisy);
  EXPECT_NE(c.note.find("noisy, not slower: the ratio's interval reaches inside the threshold"), std::string::npos)
      << c.note;
}

TEST(Compare, BadOptionsAreRefused) {
  CompareOptions o;
  o.threshold = -0.1;
  EXPECT_THROW(compare({}, {}, o), std::invalid_argument);
  o = {};
  o.alpha = 0;
  EXPECT_THROW(compare({}, {}, o), std::invalid_argument);
}

// A different card is the first thing said; then versions, then every other fact that differs.
TEST(CompareEnvironment, ADifferentCardComesFirst) {
  json base = header_on("NVIDIA H100 80GB HBM3"), now = header_on("NVIDIA A100-SXM4-80GB");
  now["environment"]["device"]["driver"] = "590.10";
  now["environment"]["device"]["torch.torch"] = "2.11.0";
  now["environment"]["device"]["sm_clock_mhz"] = "1410";  // the moment's clock: not a difference
  now["environment"]["build_id"] = "0.1.0+def";
  now["clocks"] = {{"locked", true}, {"sm_mhz", 1590}};
  const std::vector<EnvironmentDifference> d = environment_differences(base, now);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].what, "GPU");
  EXPECT_EQ(d[0].base, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(d[0].now, "NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(d[1].what, "driver");
  EXPECT_EQ(d[1].now, "590.10");
  EXPECT_EQ(d[2].what, "torch.torch");
  EXPECT_EQ(d[2].base, "not recorded");
  EXPECT_EQ(d[3].what, "clocks");
  EXPECT_EQ(d[3].base, "free (not asked to lock them)");
  EXPECT_EQ(d[3].now, "SM clock locked at 1590 MHz");
  EXPECT_EQ(d[4].what, "build_id");

  EXPECT_TRUE(compared_across_cards(base, now));
  EXPECT_FALSE(compared_across_cards(base, base));
}

TEST(CompareEnvironment, AnotherCardOfTheSameModelIsNamedByItsUuid) {
  json base = header_on("NVIDIA H100 80GB HBM3"), now = base;
  now["environment"]["device"]["uuid"] = "GPU-2";
  now["environment"]["device"]["cudnn"] = "9.19.0";
  now["spec"] = {{"timing", {{"modes", {"cold"}}}}};
  const std::vector<EnvironmentDifference> d = environment_differences(base, now);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].what, "GPU UUID (another card of the same model)");
  EXPECT_EQ(d[1].what, "cudnn");
  EXPECT_EQ(d[2].what, "timing.modes");
  EXPECT_EQ(d[2].now, "[\"cold\"]");
  EXPECT_FALSE(compared_across_cards(base, now));
}

TEST(CompareFailOn, VerdictsAndStatuses) {
  const FailOn rule = parse_fail_on("slower,wrong,crashed,missing", true);
  EXPECT_EQ(rule.verdicts, (std::vector{Verdict::slower, Verdict::missing}));
  EXPECT_EQ(rule.statuses, (std::vector{CellStatus::wrong, CellStatus::crashed}));
  EXPECT_TRUE(parse_fail_on("", true).empty());

  CellComparison c;
  c.verdict = Verdict::same;
  c.now = ComparedSide{CellStatus::wrong};
  EXPECT_TRUE(fails(rule, c));  // wrong in both runs: still wrong
  c.now->status = CellStatus::ok;
  EXPECT_FALSE(fails(rule, c));
  c.verdict = Verdict::slower;
  EXPECT_TRUE(fails(rule, c));

  CellResult r = failed_result(sample_cell("naive"), CellStatus::crashed, "signal 11");
  EXPECT_TRUE(fails(rule, r));
  r.status = CellStatus::oom;
  EXPECT_FALSE(fails(rule, r));
}

TEST(CompareFailOn, BadWordsAreNamed) {
  EXPECT_THROW(parse_fail_on("slower,regressed", true), std::invalid_argument);
  try {
    parse_fail_on("slower,regressed", true);
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--fail-on: unknown 'regressed' (known: slower, faster, noisy, status-changed, "
                                     "missing, new, wrong, crashed, timeout, error, oom, unsupported, skipped)");
  }
  try {
    parse_fail_on("wrong,slower", false);
    ADD_FAILURE() << "a verdict was taken for a single run";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'slower' is a verdict of compare"), std::string::npos);
  }
  EXPECT_THROW(parse_fail_on("ok", true), std::invalid_argument);
  EXPECT_THROW(parse_fail_on("same", true), std::invalid_argument);
}

}  // namespace
}  // namespace attnsweep
