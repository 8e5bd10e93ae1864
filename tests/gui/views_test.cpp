#include "core/views.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace attnsweep::gui {
namespace {

using testing::make_result;

TEST(HeatGrid, KernelsByFirstSeenTiersByShapeFailedKeepStatus) {
  const auto rs = testing::seed_like_results();
  const HeatGrid g = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::median_ms, std::nullopt);
  ASSERT_EQ(g.kernels, (std::vector<std::string>{"naive", "cublas", "flash_mma"}));
  ASSERT_EQ(g.tiers.size(), 8u);
  EXPECT_EQ(g.tiers[0].shape.head_dim, 64);
  EXPECT_EQ(g.tiers[0].shape.q_n, 512);
  EXPECT_EQ(g.tiers[3].shape.q_n, 4096);
  EXPECT_EQ(g.tiers[4].shape.head_dim, 128);
  const GridCell& oom = g.at(0, 3);
  ASSERT_NE(oom.result, nullptr);
  EXPECT_EQ(oom.result->status, CellStatus::oom);
  EXPECT_FALSE(oom.value.has_value());
  EXPECT_TRUE(g.log_scale);
  EXPECT_FALSE(g.higher_is_better);
  // The fastest cell is the best end of the scale; the failed one is not on it at all.
  EXPECT_DOUBLE_EQ(g.scale_position(g.lo), 1.0);
  EXPECT_DOUBLE_EQ(g.scale_position(g.hi), 0.0);
}

TEST(HeatGrid, PercentOfBestIsHundredForTheFastest) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 2.0), make_result("b", 512, 64, 1.0),
                                make_result("c", 512, 64, 0, CellStatus::oom)};
  const HeatGrid g = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::pct_of_best, std::nullopt);
  EXPECT_DOUBLE_EQ(*g.at(1, 0).value, 100.0);
  EXPECT_DOUBLE_EQ(*g.at(0, 0).value, 50.0);
  EXPECT_FALSE(g.at(2, 0).value.has_value());
}

TEST(HeatGrid, PercentOfPeakNeedsAKnownPeak) {
  std::vector<CellResult> rs = {make_result("a", 4096, 128, 1.0)};
  const HeatGrid none = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::pct_of_peak, std::nullopt);
  EXPECT_FALSE(none.at(0, 0).value.has_value());
  EXPECT_FALSE(none.note.empty());
  const HeatGrid h100 = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::pct_of_peak, 989.4);
  EXPECT_NEAR(*h100.at(0, 0).value, 100.0 * rs[0].timings.front().tflops / 989.4, 1e-9);
  EXPECT_EQ(h100.lo, 0);  // the colour scale spans the whole peak, not just the values seen
  EXPECT_EQ(h100.hi, 100);
}

TEST(HeatGrid, OnlyTheRequestedSlice) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 1.0, CellStatus::ok, DType::fp16, false),
                                make_result("a", 512, 64, 2.0, CellStatus::ok, DType::bf16, true)};
  EXPECT_EQ(result_slices(rs).size(), 2u);
  const HeatGrid g = build_heat_grid(rs, {DType::bf16, true}, HeatMetric::median_ms, std::nullopt);
  ASSERT_EQ(g.tiers.size(), 1u);
  EXPECT_DOUBLE_EQ(*g.at(0, 0).value, 2.0);
}

// Slices cross dtype and mask with the timing modes the results hold, cold first; a cell not
// timed in a slice's mode has no value there (and no timing), however ok it is.
TEST(HeatGrid, SlicesCarryTheTimingModeAndShowOnlyItsTimes) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 1.0), make_result("b", 512, 64, 3.0)};
  Timing batch = rs[0].timings.front();
  batch.mode = TimingMode::batch;
  batch.time_ms.median = 0.5;
  batch.noisy = true;
  rs[0].timings.push_back(batch);
  const std::vector<Slice> slices = slices_of(rs);
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(slices[0].label(), "fp16 · full · cold");
  EXPECT_EQ(slices[1].label(), "fp16 · full · batch");
  const HeatGrid cold = build_heat_grid(rs, slices[0], HeatMetric::median_ms, std::nullopt);
  EXPECT_DOUBLE_EQ(*cold.at(0, 0).value, 1.0);
  EXPECT_DOUBLE_EQ(*cold.at(1, 0).value, 3.0);
  const HeatGrid hot = build_heat_grid(rs, slices[1], HeatMetric::median_ms, std::nullopt);
  EXPECT_DOUBLE_EQ(*hot.at(0, 0).value, 0.5);
  ASSERT_NE(hot.at(0, 0).timing, nullptr);
  EXPECT_TRUE(hot.at(0, 0).timing->noisy);
  EXPECT_FALSE(hot.at(1, 0).value.has_value());
  EXPECT_EQ(hot.at(1, 0).timing, nullptr);
  EXPECT_EQ(hot.at(1, 0).result->status, CellStatus::ok);
  const auto scaling = build_scaling(rs, slices[1], ScalingMetric::time_ms);
  ASSERT_EQ(scaling[0].series.size(), 2u);
  EXPECT_EQ(scaling[0].series[1].points.size(), 0u);
  EXPECT_EQ(scaling[0].series[1].failed.size(), 1u);  // drawn as not measured in this mode
}

// Speedups come from the engine (the baseline's time over the cell's) in the slice's mode; 1.0, the
// baseline itself, is the neutral middle of a diverging scale.
TEST(HeatGrid, SpeedupAgainstAKernelOfTheSweep) {
  std::vector<CellResult> rs = {make_result("ours", 512, 64, 1.0), make_result("ref", 512, 64, 2.0),
                                make_result("slow", 512, 64, 8.0), make_result("ours", 1024, 64, 4.0),
                                make_result("ref", 1024, 64, 0, CellStatus::oom)};
  const HeatGrid g = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::speedup, std::nullopt, "ref");
  EXPECT_EQ(g.title, "Speedup vs ref");
  EXPECT_TRUE(g.diverging);
  EXPECT_TRUE(g.higher_is_better);
  EXPECT_DOUBLE_EQ(*g.at(0, 0).value, 2.0);
  EXPECT_DOUBLE_EQ(*g.at(1, 0).value, 1.0);
  EXPECT_DOUBLE_EQ(*g.at(2, 0).value, 0.25);
  EXPECT_FALSE(g.at(0, 1).value.has_value()) << "no baseline time in that tier: no speedup";
  EXPECT_DOUBLE_EQ(g.scale_position(1.0), 0.5);
  EXPECT_DOUBLE_EQ(g.scale_position(0.25), 0.0);  // the farthest value sets both ends
  EXPECT_DOUBLE_EQ(g.scale_position(4.0), 1.0);
  EXPECT_GT(g.scale_position(2.0), 0.5);
  const auto [worst, best] = g.scale_ends();
  EXPECT_DOUBLE_EQ(worst, 0.25);
  EXPECT_DOUBLE_EQ(best, 4.0);
  const HeatGrid none = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::speedup, std::nullopt, "absent");
  EXPECT_FALSE(none.at(0, 0).value.has_value());
  EXPECT_FALSE(none.note.empty());
}

TEST(HeatGrid, SpeedupUsesTheSlicesTimingMode) {
  std::vector<CellResult> rs = {make_result("ours", 512, 64, 1.0), make_result("ref", 512, 64, 2.0)};
  for (CellResult& r : rs) {
    Timing batch = r.timings.front();
    batch.mode = TimingMode::batch;
    batch.time_ms.median = r.cell.kernel == "ref" ? 3.0 : 0.5;
    r.timings.push_back(batch);
  }
  const HeatGrid g = build_heat_grid(rs, {DType::fp16, false, TimingMode::batch}, HeatMetric::speedup, std::nullopt, "ref");
  EXPECT_DOUBLE_EQ(*g.at(0, 0).value, 6.0);
}

// A batch-only file (or an imported one) shows its own mode first.
TEST(HeatGrid, WithoutColdTimesTheFirstSliceIsTheModeThereIs) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 1.0)};
  rs[0].timings.front().mode = TimingMode::unstated;
  EXPECT_EQ(slices_of(rs).front().mode, TimingMode::unstated);
}

TEST(Scaling, GroupsByShapeSeriesByKernelFailedApart) {
  const auto rs = testing::seed_like_results();
  const auto groups = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].tiers.head_dim, 64);
  EXPECT_EQ(groups[0].tiers.axis_title(), "sequence length (Q_N = K_N)");
  ASSERT_EQ(groups[0].series.size(), 3u);
  const ScalingSeries& naive = groups[0].series[0];
  EXPECT_EQ(naive.kernel, "naive");
  EXPECT_EQ(naive.points.size(), 3u);
  ASSERT_EQ(naive.failed.size(), 1u);
  EXPECT_EQ(naive.failed[0].x, 4096);
  EXPECT_EQ(groups[0].x_lo, 512);
  EXPECT_EQ(groups[0].x_hi, 4096);
  for (const auto& s : groups[0].series)
    for (const auto& p : s.points) EXPECT_LE(p.lo, p.hi);
}

// A chart of thousands of kernels would take minutes to lay out (QtCharts slows with the square
// of its series) and could not be read: the first kMaxScalingKernels are drawn, and the rest counted.
TEST(Scaling, DrawsTheFirstKernelsAndCountsTheRest) {
  std::vector<CellResult> rs;
  const std::size_t kernels = kMaxScalingKernels + 6;
  for (std::size_t k = 0; k < kernels; ++k)
    for (std::int64_t n : {512, 1024}) rs.push_back(make_result("k" + std::to_string(k), n, 64, 0.1 * (k + 1)));
  const auto groups = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_EQ(groups[0].series.size(), kMaxScalingKernels);
  EXPECT_EQ(groups[0].series.back().kernel, "k" + std::to_string(kMaxScalingKernels - 1));
  EXPECT_EQ(groups[0].kernels_not_drawn, 6u);
  EXPECT_EQ(build_scaling(testing::seed_like_results(), {DType::fp16, false}, ScalingMetric::time_ms)[0].kernels_not_drawn,
            0u);
}

// FlashAttention's benchmark shape: batch x length held at 16k tokens, so every tier has its own
// batch. Its tiers are one curve per head_dim, not one point per tier.
TEST(Scaling, TiersWithBatchTimesLengthConstantMakeOneCurve) {
  std::vector<CellResult> rs;
  for (std::int64_t d : {64, 128, 256})
    for (std::int64_t n = 512; n <= 16384; n *= 2)
      for (const char* k : {"flash_mma", "flash_sm90"})
        rs.push_back(make_result(k, n, d, 1e-3 * static_cast<double>(n), CellStatus::ok, DType::fp16, false, 2048 / d,
                                 16384 / n));
  const auto groups = build_scaling(rs, {DType::fp16, false}, ScalingMetric::tflops);
  ASSERT_EQ(groups.size(), 3u);
  for (const ScalingGroup& g : groups) {
    EXPECT_EQ(g.tiers.tokens, 16384);
    ASSERT_EQ(g.series.size(), 2u);
    EXPECT_EQ(g.series[0].points.size(), 6u);
    EXPECT_EQ(g.series[0].points.front().x, 512);
    EXPECT_EQ(g.series[0].points.back().x, 16384);
  }
  EXPECT_EQ(groups[2].tiers.title(), "d=256 · 8 heads · batch × length = 16k");
  // The heatmap and bars group the same way: three bands of six columns, labels that fit.
  const HeatGrid grid = build_heat_grid(rs, {DType::fp16, false}, HeatMetric::tflops, std::nullopt);
  ASSERT_EQ(grid.groups.size(), 3u);
  EXPECT_EQ(grid.groups[0].tiers.size(), 6u);
  EXPECT_EQ(grid.groups[0].label(), "d64 · h32 · 16k tokens");
  EXPECT_EQ(grid.tiers[0].shape.batch, 32);
  EXPECT_EQ(grid.tiers[5].shape.q_n, 16384);
}

// A sweep over K_N at a fixed Q_N is drawn against K_N, not as a vertical line at Q_N.
TEST(Scaling, TheXAxisIsTheLengthThatVaries) {
  std::vector<CellResult> rs;
  for (std::int64_t k : {1024, 4096, 16384}) {
    CellResult r = make_result("flash_mma", 512, 64, 1.0);
    r.cell.tier.shape.k_n = k;
    r.cell.tier.name = tier_name(r.cell.tier.shape);
    rs.push_back(r);
  }
  const auto groups = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].tiers.axis, LengthAxis::k_n);
  EXPECT_EQ(groups[0].tiers.axis_title(), "K_N (Q_N = 512)");
  ASSERT_EQ(groups[0].series[0].points.size(), 3u);
  EXPECT_EQ(groups[0].series[0].points[1].x, 4096);
  EXPECT_EQ(groups[0].x_lo, 1024);
  EXPECT_EQ(groups[0].x_hi, 16384);

  // Q_N x K_N crossed: one curve along Q_N per K_N.
  std::vector<TierShape> grid;
  for (std::int64_t q : {512, 1024})
    for (std::int64_t k : {2048, 4096}) grid.push_back({q, k, 64, 8, 1});
  const std::vector<TierGroup> crossed = group_tiers(grid);
  ASSERT_EQ(crossed.size(), 2u);
  EXPECT_EQ(crossed[0].axis, LengthAxis::q_n);
  EXPECT_EQ(crossed[0].fixed_length, 2048);
  EXPECT_EQ(crossed[0].label(), "d64 · h8 · b1 · K_N 2k");
  EXPECT_EQ(crossed[1].length_label(crossed[1].tiers[1]), "1k");
}

TEST(Scaling, ThroughputBandFlipsWithTime) {
  std::vector<CellResult> rs = {make_result("a", 1024, 64, 1.0)};
  const auto g = build_scaling(rs, {DType::fp16, false}, ScalingMetric::tflops);
  const ScalingPoint& p = g[0].series[0].points[0];
  EXPECT_NEAR(p.y, rs[0].timings.front().tflops, 1e-9);
  EXPECT_LT(p.lo, p.y);  // the slow p90 sample gives the low throughput
  EXPECT_GT(p.hi, p.y);
}

TEST(Scaling, ResultsOfTwoModelsAreNeverOneCurve) {
  std::vector<CellResult> rs = {make_result("a", 512, 64, 1.0), make_result("a", 1024, 64, 2.0),
                                make_result("a", 2048, 64, 4.0), make_result("b", 512, 64, 1.5)};
  for (CellResult& r : rs) r.device_name = "card A";
  // One model: one series per kernel, named by the kernel alone.
  auto g = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  ASSERT_EQ(g[0].series.size(), 2u);
  EXPECT_EQ(g[0].series[0].label, "a");
  EXPECT_EQ(g[0].series[0].device, "");
  EXPECT_EQ(g[0].series[0].points.size(), 3u);

  rs[1].device_name = "card B";  // kernel a's n=1024 cell ran on another model
  g = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  ASSERT_EQ(g[0].series.size(), 3u);
  EXPECT_EQ(g[0].series[0].label, "a on card A");
  EXPECT_EQ(g[0].series[0].points.size(), 2u);
  EXPECT_EQ(g[0].series[0].device_index, 0u);
  EXPECT_EQ(g[0].series[1].label, "a on card B");
  EXPECT_EQ(g[0].series[1].points.size(), 1u);
  EXPECT_EQ(g[0].series[1].device_index, 1u);
  EXPECT_EQ(g[0].series[1].kernel, g[0].series[0].kernel);  // the kernel's colour and marker, another line style
  EXPECT_EQ(g[0].series[2].label, "b on card A");

  rs[3].device_name.clear();  // a file from before devices were recorded per cell
  g = build_scaling(rs, {DType::fp16, false}, ScalingMetric::time_ms);
  EXPECT_EQ(g[0].series.back().label, "b on an unrecorded device");
}

}  // namespace
}  // namespace attnsweep::gui
