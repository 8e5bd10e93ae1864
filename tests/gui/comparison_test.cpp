#include "core/comparison.h"

#include <gtest/gtest.h>

#include "core/colors.h"
#include "fixtures.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

ResultFile file_of(std::vector<CellResult> rs) {
  ResultFile f;
  f.results = std::move(rs);
  return f;
}

// `kernel`'s times multiplied by `factor` (its interval with them), the rest as they were.
std::vector<CellResult> scaled(std::vector<CellResult> rs, const std::string& kernel, double factor) {
  for (CellResult& r : rs)
    if (r.cell.kernel == kernel)
      for (Timing& t : r.timings)
        for (double* v : {&t.time_ms.median, &t.time_ms.mean, &t.time_ms.min, &t.time_ms.max, &t.time_ms.p10,
                          &t.time_ms.p90, &t.time_ms.ci_low, &t.time_ms.ci_high})
          *v *= factor;
  return rs;
}

const Slice kFp16{DType::fp16, false};

TEST(Comparison, AFileAgainstItselfIsAllSameAndNeutral) {
  const auto rs = testing::seed_like_results();
  const auto index = compare_runs(file_of(rs), file_of(rs));
  const HeatGrid g = build_ratio_grid(rs, *index, kFp16);
  EXPECT_EQ(g.title, "Time NEW/BASE");
  EXPECT_TRUE(g.diverging);
  EXPECT_FALSE(g.higher_is_better);
  EXPECT_TRUE(g.note.empty());
  std::size_t timed = 0;
  for (const GridCell& c : g.cells) {
    ASSERT_TRUE(c.verdict.has_value());
    EXPECT_EQ(*c.verdict, Verdict::same);
    if (!c.value) continue;
    ++timed;
    EXPECT_DOUBLE_EQ(*c.value, 1.0);
    EXPECT_EQ(diverging(g.scale_position(*c.value)), kNeutral) << "a ratio of 1.0 is the neutral colour";
  }
  EXPECT_EQ(timed, 22u);  // all but the two out-of-memory cells
}

// A planted 10% slowdown of one kernel: slower there, on the worse side of the scale; same elsewhere.
TEST(Comparison, APlantedSlowdownIsSlowerOnThatKernelOnly) {
  const auto base = testing::seed_like_results();
  const auto now = scaled(base, "flash_mma", 1.10);
  const auto index = compare_runs(file_of(base), file_of(now));
  const HeatGrid g = build_ratio_grid(now, *index, kFp16);
  for (std::size_t k = 0; k < g.kernels.size(); ++k)
    for (std::size_t t = 0; t < g.tiers.size(); ++t) {
      const GridCell& c = g.at(k, t);
      if (!c.value) continue;
      if (g.kernels[k] == "flash_mma") {
        EXPECT_EQ(*c.verdict, Verdict::slower);
        EXPECT_NEAR(*c.value, 1.10, 1e-9);
        EXPECT_LT(g.scale_position(*c.value), 0.5);
        EXPECT_EQ(verdict_text(*index->find(c.result->cell)), "▼ slower");
      } else {
        EXPECT_EQ(*c.verdict, Verdict::same) << g.kernels[k];
      }
    }
  EXPECT_EQ(g.scale_ends().first, g.hi) << "the slowest ratio is the worst end";
}

TEST(Comparison, AStatusChangeHasAVerdictAndNoRatio) {
  std::vector<CellResult> base = {make_result("a", 512, 64, 1.0), make_result("b", 512, 64, 1.0)};
  std::vector<CellResult> now = {make_result("a", 512, 64, 1.0), make_result("b", 512, 64, 0, CellStatus::wrong),
                                 make_result("c", 512, 64, 2.0)};
  const auto index = compare_runs(file_of(base), file_of(now));
  const HeatGrid g = build_ratio_grid(now, *index, kFp16);
  EXPECT_EQ(*g.at(1, 0).verdict, Verdict::status_changed);
  EXPECT_FALSE(g.at(1, 0).value.has_value());
  EXPECT_EQ(*g.at(2, 0).verdict, Verdict::new_cell);
  EXPECT_FALSE(g.at(2, 0).value.has_value());
  const CellComparison& same = *index->find(now[0].cell);
  EXPECT_EQ(ratio_with_interval(same).substr(0, 1), "1");
  EXPECT_EQ(verdict_text(same), "= same");
}

// Both runs' curves in one chart per shape: the baseline's marked (drawn dashed) after the current
// run's, one per kernel of either run (a kernel's colour follows its name), without failed cells.
TEST(Comparison, ScalingOverlaysTheBaselineInTheKernelsColours) {
  const auto now = testing::seed_like_results();
  auto base = scaled(now, "cublas", 2.0);
  base.push_back(make_result("old_kernel", 512, 64, 9.0));
  const auto groups = overlay_scaling(now, base, kFp16, ScalingMetric::time_ms);
  const auto plain = build_scaling(now, kFp16, ScalingMetric::time_ms);
  ASSERT_EQ(groups.size(), plain.size());
  const ScalingGroup& g = groups[0];
  ASSERT_EQ(g.series.size(), 7u);  // three current, four baseline
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(g.series[i].baseline);
    EXPECT_EQ(g.series[i].kernel, plain[0].series[i].kernel);
    EXPECT_TRUE(g.series[3 + i].baseline);
    EXPECT_EQ(g.series[3 + i].kernel, g.series[i].kernel);
    EXPECT_TRUE(g.series[3 + i].failed.empty());
  }
  EXPECT_TRUE(g.series[6].baseline);
  EXPECT_EQ(g.series[6].kernel, "old_kernel");
  EXPECT_DOUBLE_EQ(g.series[4].points[0].y, 2.0 * g.series[1].points[0].y);
  EXPECT_GE(g.y_hi, 9.0) << "the range holds the baseline's curves too";
}

TEST(Comparison, EveryVerdictHasItsOwnGlyph) {
  std::vector<std::string> glyphs;
  for (Verdict v : kAllVerdicts) {
    const std::string g = verdict_glyph(v);
    EXPECT_FALSE(g.empty());
    EXPECT_EQ(std::find(glyphs.begin(), glyphs.end(), g), glyphs.end()) << g;
    glyphs.push_back(g);
  }
}

}  // namespace
}  // namespace attnsweep::gui
