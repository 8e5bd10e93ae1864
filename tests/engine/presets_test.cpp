// The shipped presets: embedded copies match resources/presets, each is a valid spec wherever its
// kernels are built, as is every benchmark spec in bench/specs, and each preset holds the shapes its
// name promises.
#include "attnsweep/engine/presets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep {
namespace {

using nlohmann::json;

std::string errors_text(const SpecParseResult& r) {
  std::string out;
  for (const SpecError& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

// The preset's shapes, whether or not its kernels exist in this build: kernels swapped for one
// that always does, so CUDA presets are checked in CPU-only builds too.
SweepSpec shapes_of(const std::string& name) {
  json j = json::parse(preset_json(name).value());
  j["kernels"] = {"cpu_flash"};
  const SpecParseResult r = parse_spec(j.dump());
  EXPECT_TRUE(r.spec) << name << ":\n" << errors_text(r);
  return r.spec.value_or(SweepSpec{});
}

std::vector<std::string> kernels_of(const std::string& name) {
  return json::parse(preset_json(name).value())["kernels"].get<std::vector<std::string>>();
}

TEST(Presets, TheShippedOnesAreListedSorted) {
  const std::vector<std::string> names = preset_names();
  for (const char* want : {"seed", "smoke", "demo-cpu", "fa3-paper", "seed-vs-torch", "fa3-vs-torch"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_FALSE(preset_json("no-such-preset"));
  EXPECT_FALSE(preset_json(""));
}

TEST(Presets, EmbeddedTextMatchesTheFileInResources) {
  for (const std::string& name : preset_names()) {
    std::ifstream in(std::string(ATTNSWEEP_SOURCE_DIR) + "/resources/presets/" + name + ".json", std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::stringstream file;
    file << in.rdbuf();
    EXPECT_EQ(preset_json(name).value(), file.str()) << name << ": rebuild to re-embed";
  }
}

// A shipped spec (a preset, or a benchmark's spec in bench/specs) is valid wherever its kernels are
// built; in a build without some of them, the only complaint is those kernels' names, and with its
// kernels swapped for one every build has, it is valid everywhere: a spec the parser rejects fails
// here, on every build.
void expect_valid_where_its_kernels_exist(const std::string& text) {
  const SpecParseResult r = parse_spec(text);
  const std::vector<std::string> kernels = json::parse(text)["kernels"].get<std::vector<std::string>>();
  const bool all_built = std::all_of(kernels.begin(), kernels.end(), [](const std::string& k) { return find_kernel(k); });
  if (all_built) EXPECT_TRUE(r.spec) << errors_text(r);
  for (const SpecError& e : r.errors) {
    EXPECT_EQ(e.path.rfind("/kernels/", 0), 0u) << e.to_string();
    EXPECT_NE(e.rule.find("unknown kernel"), std::string::npos) << e.to_string();
  }
  json swapped = json::parse(text);
  swapped["kernels"] = {"cpu_flash"};
  const SpecParseResult shapes = parse_spec(swapped.dump());
  EXPECT_TRUE(shapes.spec) << errors_text(shapes);
}

TEST(Presets, EachIsValidWhereItsKernelsExist) {
  for (const std::string& name : preset_names()) {
    SCOPED_TRACE(name);
    expect_valid_where_its_kernels_exist(preset_json(name).value());
    const SpecParseResult r = parse_spec(preset_json(name).value());
    if (r.spec) EXPECT_EQ(r.spec->name, name);  // the preset names itself as its file does
  }
}

TEST(Presets, EachBenchmarkSpecIsValidWhereItsKernelsExist) {
  const std::filesystem::path dir = std::filesystem::path(ATTNSWEEP_SOURCE_DIR) / "bench" / "specs";
  int specs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    ASSERT_TRUE(in);
    std::stringstream text;
    text << in.rdbuf();
    expect_valid_where_its_kernels_exist(text.str());
    ++specs;
  }
  EXPECT_GT(specs, 0) << dir << " holds no spec";
}

// The seed's 24 tiers, (head_dim, heads, batch) x N, as its table's columns give them.
TEST(Presets, SeedHasTheSeedsTwentyFourTiersAndFourKernels) {
  EXPECT_EQ(kernels_of("seed"), (std::vector<std::string>{"naive", "cublas", "fused_simt", "flash_mma"}));
  const SweepSpec s = shapes_of("seed");
  EXPECT_EQ(s.dtypes, std::vector<DType>{DType::fp16});
  EXPECT_EQ(s.causal, std::vector<bool>{false});
  std::vector<TierShape> expected;
  for (const auto& [d, h, b] : {std::tuple{64, 12, 1}, {64, 12, 8}, {128, 12, 1}, {256, 24, 2}})
    for (std::int64_t n : {512, 1024, 2048, 4096, 8192, 16384}) expected.push_back({n, n, d, h, b});
  EXPECT_EQ(s.tiers, expected);
  std::set<std::string> names;
  for (const TierShape& t : s.tiers) names.insert(tier_name(t));
  EXPECT_EQ(names.size(), 24u);
  EXPECT_TRUE(names.count("hd64-h12-b1-n512"));  // the seed called it "Long-hd128-12h-1b-512"
  EXPECT_TRUE(names.count("hd256-h24-b2-n16k"));
}

// FlashAttention-3's benchmark: hidden size 2048 and 16k tokens per batch.
TEST(Presets, Fa3PaperKeepsHiddenSize2048And16kTokens) {
  EXPECT_EQ(kernels_of("fa3-paper"), (std::vector<std::string>{"flash_mma", "flash_sm90"}));
  const SweepSpec s = shapes_of("fa3-paper");
  EXPECT_EQ(s.dtypes, (std::vector<DType>{DType::fp16, DType::bf16}));
  EXPECT_EQ(s.causal, (std::vector<bool>{false, true}));
  ASSERT_EQ(s.tiers.size(), 18u);
  std::set<std::int64_t> head_dims, lengths;
  for (const TierShape& t : s.tiers) {
    SCOPED_TRACE(tier_name(t));
    EXPECT_EQ(t.head_dim * t.heads, 2048);
    EXPECT_EQ(t.batch * t.q_n, 16384);
    EXPECT_EQ(t.q_n, t.k_n);
    head_dims.insert(t.head_dim);
    lengths.insert(t.q_n);
  }
  EXPECT_EQ(head_dims, (std::set<std::int64_t>{64, 128, 256}));
  EXPECT_EQ(lengths, (std::set<std::int64_t>{512, 1024, 2048, 4096, 8192, 16384}));
}

// Ours beside PyTorch's cuDNN and FlashAttention-2 backends and the Triton kernel, in one sweep on
// the seed's tiers and on FlashAttention-3's, fp16 and bf16, causal and not; the baselines run
// through the torch provider.
TEST(Presets, BaselinePresetsPutOursBesideTorchsOnTheSameTiers) {
  const std::vector<std::pair<std::string, std::string>> pairs = {{"seed-vs-torch", "seed"}, {"fa3-vs-torch", "fa3-paper"}};
  for (const auto& [name, tiers_from] : pairs) {
    SCOPED_TRACE(name);
    EXPECT_EQ(kernels_of(name), (std::vector<std::string>{"flash_mma", "flash_sm90", "torch.sdpa_cudnn", "torch.sdpa_flash",
                                                          "flash_attention_triton"}));
    for (const char* baseline : {"torch.sdpa_cudnn", "torch.sdpa_flash", "flash_attention_triton"})
      EXPECT_TRUE(is_provider_kernel(baseline)) << baseline;
    const SweepSpec s = shapes_of(name);
    EXPECT_EQ(s.dtypes, (std::vector<DType>{DType::fp16, DType::bf16}));
    EXPECT_EQ(s.causal, (std::vector<bool>{false, true}));
    EXPECT_EQ(s.tiers, shapes_of(tiers_from).tiers);
    EXPECT_EQ(s.timing.min_samples, TimingOptions{}.min_samples);  // the engine's method, not a shortcut
    EXPECT_TRUE(s.check.enabled);
  }
}

// Sizes, not timings: these presets must stay small enough for 2 CPU cores.
TEST(Presets, SmokeIsTinyAndRunsOnTheCpu) {
  EXPECT_EQ(kernels_of("smoke"), (std::vector<std::string>{"cpu_naive", "cpu_flash"}));
  const SweepSpec s = shapes_of("smoke");
  EXPECT_EQ(s.dtypes, std::vector<DType>{DType::fp32});
  EXPECT_EQ(s.causal, (std::vector<bool>{false, true}));
  double flops = 0;
  for (const TierShape& t : s.tiers) {
    EXPECT_LE(t.q_n, 256);
    EXPECT_LE(t.head_dim, 64);
    flops += 4.0 * t.batch * t.heads * t.q_n * t.k_n * t.head_dim;
  }
  EXPECT_LE(s.kernels.size() * s.tiers.size() * s.causal.size(), 50u);
  // Every cell at max_samples plus check, recheck and a warm-up run, causal counted as full:
  // a few GFLOP, seconds on two cores even at a naive kernel's few GFLOP/s.
  const double runs_per_cell = s.timing.max_samples + 3;
  EXPECT_LT(flops * 2 /* kernels */ * s.causal.size() * runs_per_cell, 5e9);
  EXPECT_LE(s.timing.max_cell_s, 0.5);
}

TEST(Presets, DemoCpuComparesBothCpuKernelsUpTo2k) {
  EXPECT_EQ(kernels_of("demo-cpu"), (std::vector<std::string>{"cpu_naive", "cpu_flash"}));
  const SweepSpec s = shapes_of("demo-cpu");
  EXPECT_EQ(s.dtypes, std::vector<DType>{DType::fp32});
  EXPECT_EQ(s.causal, (std::vector<bool>{false, true}));
  std::set<std::int64_t> lengths;
  for (const TierShape& t : s.tiers) {
    EXPECT_EQ(t.head_dim, 64);
    EXPECT_EQ(t.heads, 4);
    EXPECT_EQ(t.batch, 1);
    lengths.insert(t.q_n);
  }
  EXPECT_EQ(*lengths.begin(), 256);
  EXPECT_EQ(*lengths.rbegin(), 2048);
  EXPECT_LE(s.timing.max_cell_s, 2.0);  // 16 cells must fit in about a minute
}

TEST(Presets, PlansOfCpuPresetsHaveNoUnsupportedCells) {
  for (const char* name : {"smoke", "demo-cpu"}) {
    const SpecParseResult r = parse_spec(preset_json(name).value());
    if (!r.spec) GTEST_SKIP() << "CPU kernels not in this build";
    for (const Cell& c : make_plan(*r.spec).cells) EXPECT_TRUE(c.supported) << c.id() << ": " << c.unsupported_reason;
  }
}

}  // namespace
}  // namespace attnsweep
