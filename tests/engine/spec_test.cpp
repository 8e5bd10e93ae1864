// parse_spec: every bad value gets an error naming its JSON path and the rule; good specs parse
// with defaults filled, tiers expanded and deduplicated; no input crashes it.
#include "attnsweep/engine/spec.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>

namespace attnsweep {
namespace {

using nlohmann::json;

// A valid spec using every key; bad specs below are this with one thing broken.
json base_spec() {
  return json::parse(R"({
    "version": 1,
    "name": "unit",
    "kernels": ["cpu_naive", "cpu_flash"],
    "dtypes": ["fp32"],
    "causal": [false, true],
    "tiers": [{"q_n": 64, "head_dim": 32, "heads": 2, "batch": 1}],
    "grid": {"q_n": [64, 128], "head_dim": [32], "heads": [2], "batch": [1]},
    "timing": {"warmup_ms": 1, "min_samples": 2, "max_samples": 5, "target_rel_ci": 0.1, "max_cell_s": 1,
               "modes": ["batch"], "steady": "sustained", "sustain_s": 2},
    "check": {"enabled": true, "rows": "all", "tolerance": 0.01},
    "seed": 7
  })");
}

std::string errors_text(const SpecParseResult& r) {
  std::string out;
  for (const SpecError& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

// What holds for every result, good or bad.
void expect_well_formed(const SpecParseResult& r) {
  EXPECT_EQ(r.spec.has_value(), r.errors.empty());
  for (const SpecError& e : r.errors) {
    EXPECT_FALSE(e.path.empty());
    EXPECT_EQ(e.path[0], '/');
    EXPECT_FALSE(e.rule.empty());
  }
}

TEST(Spec, BaseSpecIsValid) {
  const SpecParseResult r = parse_spec(base_spec().dump());
  ASSERT_TRUE(r.spec) << errors_text(r);
  const SweepSpec& s = *r.spec;
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.name, "unit");
  EXPECT_EQ(s.kernels, (std::vector<std::string>{"cpu_naive", "cpu_flash"}));
  EXPECT_EQ(s.dtypes, std::vector<DType>{DType::fp32});
  EXPECT_EQ(s.causal, (std::vector<bool>{false, true}));
  // The explicit tier first; the grid's (64, 32, 2, 1) duplicates it and is dropped.
  ASSERT_EQ(s.tiers.size(), 2u);
  EXPECT_EQ(s.tiers[0], (TierShape{64, 64, 32, 2, 1}));
  EXPECT_EQ(s.tiers[1], (TierShape{128, 128, 32, 2, 1}));
  EXPECT_EQ(s.timing.warmup_ms, 1);
  EXPECT_EQ(s.timing.min_samples, 2);
  EXPECT_EQ(s.timing.max_samples, 5);
  EXPECT_EQ(s.timing.target_rel_ci, 0.1);
  EXPECT_EQ(s.timing.max_cell_s, 1);
  EXPECT_EQ(s.timing.modes, std::vector<TimingMode>{TimingMode::batch});
  EXPECT_EQ(s.timing.steady, SteadyState::sustained);
  EXPECT_EQ(s.timing.sustain_s, 2);
  EXPECT_TRUE(s.check.enabled);
  EXPECT_TRUE(s.check.all_rows);
  EXPECT_EQ(s.check.tolerance, 0.01);
  EXPECT_EQ(s.seed, 7u);
}

TEST(Spec, DefaultsFillWhatIsLeftOut) {
  const SpecParseResult r =
      parse_spec(R"({"name": "min", "kernels": ["cpu_flash"], "dtypes": ["fp32"], "tiers": [{"q_n": 8, "head_dim": 4, "heads": 1, "batch": 1}]})");
  ASSERT_TRUE(r.spec) << errors_text(r);
  const SweepSpec& s = *r.spec;
  const SweepSpec defaults;
  EXPECT_EQ(s.version, kSpecVersion);
  EXPECT_EQ(s.causal, std::vector<bool>{false});
  EXPECT_EQ(s.tiers[0].k_n, 8);  // k_n defaults to q_n
  EXPECT_EQ(s.timing.warmup_ms, defaults.timing.warmup_ms);
  EXPECT_EQ(s.timing.min_samples, defaults.timing.min_samples);
  EXPECT_EQ(s.timing.max_samples, defaults.timing.max_samples);
  EXPECT_EQ(s.timing.target_rel_ci, defaults.timing.target_rel_ci);
  EXPECT_EQ(s.timing.max_cell_s, defaults.timing.max_cell_s);
  EXPECT_EQ(s.timing.min_samples, 10);  // "95%" over fewer samples would be [min, max]
  EXPECT_EQ(s.timing.modes, (std::vector<TimingMode>{TimingMode::cold, TimingMode::batch}));
  EXPECT_EQ(s.timing.steady, SteadyState::burst);
  EXPECT_EQ(s.timing.sustain_s, defaults.timing.sustain_s);
  EXPECT_TRUE(s.check.enabled);
  EXPECT_FALSE(s.check.all_rows);  // sampled rows of every slice
  EXPECT_FALSE(s.check.tolerance);
  EXPECT_EQ(s.seed, 0u);
}

TEST(Spec, GridCrossesAxesHeadDimSlowestKnFastest) {
  json j = base_spec();
  j.erase("tiers");
  j["grid"] = {{"q_n", {256, 512}}, {"k_n", {1024, 2048}}, {"head_dim", {64, 128}}, {"heads", {4}}, {"batch", {1, 1}}};
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_TRUE(r.spec) << errors_text(r);
  const std::vector<TierShape> expected = {
      {256, 1024, 64, 4, 1},  {256, 2048, 64, 4, 1},  {512, 1024, 64, 4, 1},  {512, 2048, 64, 4, 1},
      {256, 1024, 128, 4, 1}, {256, 2048, 128, 4, 1}, {512, 1024, 128, 4, 1}, {512, 2048, 128, 4, 1},
  };
  EXPECT_EQ(r.spec->tiers, expected);
}

TEST(Spec, DuplicateExplicitTiersAreDropped) {
  json j = base_spec();
  j.erase("grid");
  j["tiers"] = json::array({{{"q_n", 64}, {"head_dim", 32}, {"heads", 2}, {"batch", 1}},
                            {{"q_n", 64}, {"k_n", 64}, {"head_dim", 32}, {"heads", 2}, {"batch", 1}},
                            {{"q_n", 64}, {"k_n", 128}, {"head_dim", 32}, {"heads", 2}, {"batch", 1}}});
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_TRUE(r.spec) << errors_text(r);
  EXPECT_EQ(r.spec->tiers, (std::vector<TierShape>{{64, 64, 32, 2, 1}, {64, 128, 32, 2, 1}}));
}

TEST(Spec, IntegralNumbersWrittenAsFloatsAreAccepted) {
  json j = base_spec();
  j["tiers"][0]["q_n"] = 512.0;
  j["tiers"][0]["head_dim"] = 6.4e1;
  j["seed"] = 1e3;
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_TRUE(r.spec) << errors_text(r);
  EXPECT_EQ(r.spec->tiers[0], (TierShape{512, 512, 64, 2, 1}));
  EXPECT_EQ(r.spec->seed, 1000u);
}

TEST(Spec, LargestLegalValuesAreAccepted) {
  json j = base_spec();
  j.erase("grid");
  // Q and O take exactly 4 TiB each at fp32: 1 * 1024 * 2^20 * 1024 elements * 4 bytes.
  j["tiers"] = json::array({{{"q_n", 1 << 20}, {"head_dim", 1024}, {"heads", 1024}, {"batch", 1}},
                            {{"q_n", 2147483647}, {"k_n", 1}, {"head_dim", 1}, {"heads", 1}, {"batch", 1}}});
  j["seed"] = 18446744073709551615ull;
  j["timing"]["min_samples"] = 1000000;
  j["timing"]["max_samples"] = 1000000;
  j["timing"]["warmup_ms"] = kMaxWarmupMs;
  j["timing"]["max_cell_s"] = kMaxCellSeconds;
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_TRUE(r.spec) << errors_text(r);
  EXPECT_EQ(r.spec->seed, 18446744073709551615ull);
  EXPECT_EQ(r.spec->tiers[1].q_n, 2147483647);
}

TEST(Spec, UnknownKernelMessageListsKnownKernels) {
  json j = base_spec();
  j["kernels"] = {"flash_attention_v9"};
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_EQ(r.errors.size(), 1u) << errors_text(r);
  EXPECT_EQ(r.errors[0].path, "/kernels/0");
  EXPECT_NE(r.errors[0].rule.find("unknown kernel \"flash_attention_v9\""), std::string::npos);
  EXPECT_NE(r.errors[0].rule.find("cpu_naive"), std::string::npos) << r.errors[0].rule;
  EXPECT_NE(r.errors[0].rule.find("cpu_flash"), std::string::npos) << r.errors[0].rule;
}

TEST(Spec, UnknownKeyMessageListsKnownKeys) {
  json j = base_spec();
  j["timing"]["warmup"] = 5;
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_EQ(r.errors.size(), 1u) << errors_text(r);
  EXPECT_EQ(r.errors[0].to_string(),
            "/timing/warmup: unknown key; known keys: warmup_ms, min_samples, max_samples, target_rel_ci, "
            "max_cell_s, modes, steady, sustain_s");
}

TEST(Spec, EveryErrorIsReportedNotJustTheFirst) {
  json j = base_spec();
  j["name"] = 3;
  j["kernels"] = {"cpu_naive", "nope"};
  j["dtypes"] = {"fp64"};
  j["tiers"][0]["head_dim"] = 0;
  j["grid"]["heads"] = {-2};
  j["timing"]["modes"] = {"hot"};
  j["check"]["tolerance"] = -1;
  j["seed"] = -5;
  j["extra"] = true;
  const SpecParseResult r = parse_spec(j.dump());
  EXPECT_FALSE(r.spec);
  std::vector<std::string> paths;
  for (const SpecError& e : r.errors) paths.push_back(e.path);
  const std::vector<std::string> expected = {"/extra",          "/name",          "/kernels/1",    "/dtypes/0",
                                             "/tiers/0/head_dim", "/grid/heads/0", "/timing/modes/0", "/check/tolerance",
                                             "/seed"};
  for (const std::string& p : expected)
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << "no error at " << p << "\n" << errors_text(r);
  EXPECT_EQ(r.errors.size(), expected.size()) << errors_text(r);
}

TEST(Spec, JsonPointerEscapesKeys) {
  json j = base_spec();
  j["a/b~c"] = 1;
  const SpecParseResult r = parse_spec(j.dump());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "/a~1b~0c");
}

TEST(Spec, RoundTripsThroughSpecToJson) {
  const SpecParseResult first = parse_spec(base_spec().dump());
  ASSERT_TRUE(first.spec) << errors_text(first);
  const std::string text = spec_to_json(*first.spec);
  const SpecParseResult second = parse_spec(text);
  ASSERT_TRUE(second.spec) << errors_text(second) << text;
  EXPECT_EQ(spec_to_json(*second.spec), text);
  EXPECT_EQ(second.spec->tiers, first.spec->tiers);
  EXPECT_EQ(second.spec->check.tolerance, first.spec->check.tolerance);
  EXPECT_EQ(second.spec->check.all_rows, first.spec->check.all_rows);
  EXPECT_EQ(second.spec->seed, first.spec->seed);
  // Compact form too, and without a tolerance override; "sampled", the default, is not written, so
  // files of specs that never named the rows resume under it.
  SweepSpec s = *first.spec;
  s.check.tolerance.reset();
  s.check.all_rows = false;
  EXPECT_EQ(spec_to_json(s, -1).find("\"rows\""), std::string::npos);
  const SpecParseResult third = parse_spec(spec_to_json(s, -1));
  ASSERT_TRUE(third.spec) << errors_text(third);
  EXPECT_FALSE(third.spec->check.tolerance);
  EXPECT_EQ(spec_to_json(*third.spec, -1), spec_to_json(s, -1));
}

// ---- The table of bad specs: each breaks one rule; the error must name the path and the rule.

struct BadSpec {
  const char* what;
  std::function<void(json&)> mutate;  // applied to base_spec()
  std::string path;
  std::string phrase;
};

const std::int64_t kTwoTo62 = std::int64_t{1} << 62;

std::vector<BadSpec> bad_specs() {
  return {
      {"unknown root key", [](json& j) { j["kernel"] = {"cpu_naive"}; }, "/kernel", "unknown key; known keys: version, name"},
      {"version 2", [](json& j) { j["version"] = 2; }, "/version", "unsupported version 2; this build reads version 1"},
      {"version as string", [](json& j) { j["version"] = "1"; }, "/version", "must be a positive integer"},
      {"name missing", [](json& j) { j.erase("name"); }, "/name", "required key missing"},
      {"name not a string", [](json& j) { j["name"] = 5; }, "/name", "must be a string (got 5)"},
      {"name empty", [](json& j) { j["name"] = ""; }, "/name", "must not be empty"},
      {"kernels missing", [](json& j) { j.erase("kernels"); }, "/kernels", "required key missing"},
      {"kernels not a list", [](json& j) { j["kernels"] = "cpu_naive"; }, "/kernels", "must be a list of kernel names"},
      {"kernels empty", [](json& j) { j["kernels"] = json::array(); }, "/kernels", "must not be an empty list"},
      {"unknown kernel", [](json& j) { j["kernels"][1] = "flash2"; }, "/kernels/1", "unknown kernel \"flash2\"; known kernels:"},
      {"kernel not a string", [](json& j) { j["kernels"][0] = 3; }, "/kernels/0", "must be a kernel name"},
      {"kernel twice", [](json& j) { j["kernels"][1] = "cpu_naive"; }, "/kernels/1", "duplicate kernel"},
      {"dtypes missing", [](json& j) { j.erase("dtypes"); }, "/dtypes", "required key missing"},
      {"dtypes empty", [](json& j) { j["dtypes"] = json::array(); }, "/dtypes", "must not be an empty list"},
      {"unknown dtype", [](json& j) { j["dtypes"] = {"fp64"}; }, "/dtypes/0", "unknown dtype \"fp64\"; known dtypes: fp32, fp16, bf16, tf32"},
      {"dtype not a string", [](json& j) { j["dtypes"] = {16}; }, "/dtypes/0", "must be a dtype name"},
      {"dtype twice", [](json& j) { j["dtypes"] = {"fp32", "fp32"}; }, "/dtypes/1", "duplicate dtype"},
      {"causal not a list", [](json& j) { j["causal"] = true; }, "/causal", "must be a list of booleans"},
      {"causal empty", [](json& j) { j["causal"] = json::array(); }, "/causal", "must not be an empty list"},
      {"causal not boolean", [](json& j) { j["causal"] = {"yes"}; }, "/causal/0", "must be true or false"},
      {"causal twice", [](json& j) { j["causal"] = {true, true}; }, "/causal/1", "duplicate value true"},
      {"neither tiers nor grid", [](json& j) { j.erase("tiers"); j.erase("grid"); }, "/tiers", "give 'tiers', 'grid' or both"},
      {"tiers not a list", [](json& j) { j["tiers"] = json::object(); }, "/tiers", "must be a list of tiers"},
      {"tiers empty", [](json& j) { j["tiers"] = json::array(); }, "/tiers", "must not be an empty list"},
      {"tier not an object", [](json& j) { j["tiers"][0] = 64; }, "/tiers/0", "must be an object {q_n, k_n, head_dim, heads, batch}"},
      {"tier unknown key", [](json& j) { j["tiers"][0]["seq_len"] = 64; }, "/tiers/0/seq_len", "unknown key; known keys: q_n, k_n"},
      {"tier q_n missing", [](json& j) { j["tiers"][0].erase("q_n"); }, "/tiers/0/q_n", "required key missing"},
      {"head_dim zero", [](json& j) { j["tiers"][0]["head_dim"] = 0; }, "/tiers/0/head_dim", "must be a positive integer (got 0)"},
      {"heads negative", [](json& j) { j["tiers"][0]["heads"] = -1; }, "/tiers/0/heads", "must be a positive integer (got -1)"},
      {"batch fractional", [](json& j) { j["tiers"][0]["batch"] = 1.5; }, "/tiers/0/batch", "must be a positive integer (got 1.5)"},
      {"q_n as string", [](json& j) { j["tiers"][0]["q_n"] = "64"; }, "/tiers/0/q_n", "must be a positive integer (got the string \"64\")"},
      {"k_n zero", [](json& j) { j["tiers"][0]["k_n"] = 0; }, "/tiers/0/k_n", "must be a positive integer"},
      {"k_n null", [](json& j) { j["tiers"][0]["k_n"] = nullptr; }, "/tiers/0/k_n", "must be a positive integer (got null)"},
      {"head_dim over 1024", [](json& j) { j["tiers"][0]["head_dim"] = 2048; }, "/tiers/0/head_dim", "must be at most 1024 (got 2048)"},
      {"q_n over 2^31-1", [](json& j) { j["tiers"][0]["q_n"] = 2147483648LL; }, "/tiers/0/q_n", "must be at most 2147483647"},
      {"heads past int64", [](json& j) { j["tiers"][0]["heads"] = 18446744073709551615ull; }, "/tiers/0/heads", "must be at most 9223372036854775807"},
      {"batch 1e30", [](json& j) { j["tiers"][0]["batch"] = 1e30; }, "/tiers/0/batch", "must be at most 9223372036854775807"},
      {"element count overflows", [](json& j) { j["tiers"][0]["heads"] = kTwoTo62; j["tiers"][0]["batch"] = 4; }, "/tiers/0", "overflows a 64-bit integer"},
      {"scores overflow", [](json& j) { j["tiers"][0] = {{"q_n", 2147483647}, {"head_dim", 1}, {"heads", 4}, {"batch", 1}}; }, "/tiers/0", "the element count of the scores (batch*heads*q_n*k_n) overflows"},
      {"scores bytes overflow", [](json& j) { j["tiers"][0] = {{"q_n", 2147483647}, {"head_dim", 1}, {"heads", 2}, {"batch", 1}}; }, "/tiers/0", "the byte count of the scores (batch*heads*q_n*k_n * element size) overflows"},
      {"tensor over 4 TiB", [](json& j) { j["tiers"][0] = {{"q_n", 1 << 20}, {"head_dim", 1024}, {"heads", 1024}, {"batch", 2}}; }, "/tiers/0", "exceeds what any device could hold (4 TiB)"},
      {"grid not an object", [](json& j) { j["grid"] = json::array(); }, "/grid", "must be an object of axis lists"},
      {"grid unknown axis", [](json& j) { j["grid"]["seq"] = {1}; }, "/grid/seq", "unknown key; known keys: q_n, k_n, head_dim, heads, batch"},
      {"grid axis missing", [](json& j) { j["grid"].erase("head_dim"); }, "/grid/head_dim", "required key missing"},
      {"grid axis empty", [](json& j) { j["grid"]["q_n"] = json::array(); }, "/grid/q_n", "must not be an empty list"},
      {"grid axis not a list", [](json& j) { j["grid"]["batch"] = 1; }, "/grid/batch", "must be a list of positive integers (got 1)"},
      {"grid value zero", [](json& j) { j["grid"]["heads"] = {2, 0}; }, "/grid/heads/1", "must be a positive integer (got 0)"},
      {"grid k_n over limit", [](json& j) { j["grid"]["k_n"] = {4294967296LL}; }, "/grid/k_n/0", "must be at most 2147483647"},
      {"grid largest tier overflows", [](json& j) { j["grid"]["heads"] = {2, kTwoTo62}; }, "/grid", "its largest tier (q_n 128, k_n 128, head_dim 32, heads 4611686018427387904, batch 1): the element count"},
      {"grid crosses into too many tiers", [](json& j) {
         json axis = json::array();
         for (int i = 1; i <= 100; ++i) axis.push_back(i);
         j["grid"] = {{"q_n", axis}, {"head_dim", axis}, {"heads", axis}, {"batch", axis}};
       }, "/grid", "crosses into more than 1000000 tiers"},
      {"too many cells", [](json& j) {
         json q = json::array(), h = json::array();
         for (int i = 1; i <= 1000; ++i) q.push_back(i);
         for (int i = 1; i <= 300; ++i) h.push_back(i);
         j["grid"] = {{"q_n", q}, {"head_dim", {8}}, {"heads", h}, {"batch", {1}}};
       }, "/", "cells (kernels x tiers x dtypes x causal); at most 1000000"},
      {"timing not an object", [](json& j) { j["timing"] = 5; }, "/timing", "must be an object (got 5)"},
      {"timing unknown key", [](json& j) { j["timing"]["warmup"] = 5; }, "/timing/warmup", "unknown key; known keys: warmup_ms"},
      {"warmup negative", [](json& j) { j["timing"]["warmup_ms"] = -1; }, "/timing/warmup_ms", "must be >= 0"},
      {"warmup as string", [](json& j) { j["timing"]["warmup_ms"] = "5"; }, "/timing/warmup_ms", "must be a number"},
      {"min_samples zero", [](json& j) { j["timing"]["min_samples"] = 0; }, "/timing/min_samples", "must be a positive integer (got 0)"},
      {"max_samples huge", [](json& j) { j["timing"]["max_samples"] = 5000000; }, "/timing/max_samples", "must be at most 1000000"},
      {"min above max", [](json& j) { j["timing"]["min_samples"] = 50; j["timing"]["max_samples"] = 20; }, "/timing/max_samples", "must be >= min_samples (20 < 50)"},
      {"min above default max", [](json& j) { j["timing"].erase("max_samples"); j["timing"]["min_samples"] = 500; }, "/timing/min_samples", "must be <= max_samples (500 > 200, the default max_samples)"},
      {"target_rel_ci zero", [](json& j) { j["timing"]["target_rel_ci"] = 0; }, "/timing/target_rel_ci", "must be between 0 and 1"},
      {"target_rel_ci one", [](json& j) { j["timing"]["target_rel_ci"] = 1; }, "/timing/target_rel_ci", "must be between 0 and 1"},
      {"max_cell_s zero", [](json& j) { j["timing"]["max_cell_s"] = 0; }, "/timing/max_cell_s", "must be > 0"},
      // Every duration is bounded: 1e10 s would overflow a watchdog's clock, 1e300 ms never end.
      {"max_cell_s absurd", [](json& j) { j["timing"]["max_cell_s"] = 1e10; }, "/timing/max_cell_s", "must be at most 3600 (one hour; got 10000000000.0)"},
      {"warmup absurd", [](json& j) { j["timing"]["warmup_ms"] = 1e300; }, "/timing/warmup_ms", "must be at most 60000 (one minute; got 1e+300)"},
      {"cache retired", [](json& j) { j["timing"]["cache"] = "cold"; }, "/timing/cache", "replaced by \"modes\": a list of \"cold\""},
      {"modes not a list", [](json& j) { j["timing"]["modes"] = "cold"; }, "/timing/modes", "must be a non-empty list of \"cold\" and \"batch\" (got the string \"cold\")"},
      {"modes empty", [](json& j) { j["timing"]["modes"] = json::array(); }, "/timing/modes", "must be a non-empty list"},
      {"mode unknown", [](json& j) { j["timing"]["modes"] = {"cold", "warm"}; }, "/timing/modes/1", "must be \"cold\" or \"batch\" (got the string \"warm\")"},
      {"mode unstated", [](json& j) { j["timing"]["modes"] = {"unstated"}; }, "/timing/modes/0", "must be \"cold\" or \"batch\""},
      {"mode twice", [](json& j) { j["timing"]["modes"] = {"cold", "cold"}; }, "/timing/modes/1", "duplicate mode \"cold\"; list each mode once"},
      {"steady unknown", [](json& j) { j["timing"]["steady"] = "warm"; }, "/timing/steady", "must be \"burst\" or \"sustained\" (got the string \"warm\")"},
      {"sustain_s zero", [](json& j) { j["timing"]["sustain_s"] = 0; }, "/timing/sustain_s", "must be > 0 and at most 600 (got 0)"},
      {"sustain_s too long", [](json& j) { j["timing"]["sustain_s"] = 3600; }, "/timing/sustain_s", "must be > 0 and at most 600"},
      {"sustain_s absurd", [](json& j) { j["timing"]["sustain_s"] = 1e300; }, "/timing/sustain_s", "must be > 0 and at most 600"},
      {"check not an object", [](json& j) { j["check"] = true; }, "/check", "must be an object (got true)"},
      {"check unknown key", [](json& j) { j["check"]["tol"] = 0.1; }, "/check/tol", "unknown key; known keys: enabled, rows, tolerance"},
      {"check.rows unknown", [](json& j) { j["check"]["rows"] = "some"; }, "/check/rows", "must be \"sampled\" or \"all\" (got the string \"some\")"},
      {"check.rows not a string", [](json& j) { j["check"]["rows"] = 8; }, "/check/rows", "must be \"sampled\" or \"all\" (got 8)"},
      {"check.enabled not boolean", [](json& j) { j["check"]["enabled"] = "yes"; }, "/check/enabled", "must be true or false"},
      {"tolerance zero", [](json& j) { j["check"]["tolerance"] = 0; }, "/check/tolerance", "must be > 0"},
      {"tolerance as string", [](json& j) { j["check"]["tolerance"] = "1e-3"; }, "/check/tolerance", "must be a number"},
      {"seed negative", [](json& j) { j["seed"] = -1; }, "/seed", "must be a non-negative integer (got -1)"},
      {"seed fractional", [](json& j) { j["seed"] = 0.5; }, "/seed", "must be a non-negative integer"},
      {"seed as string", [](json& j) { j["seed"] = "42"; }, "/seed", "must be a non-negative integer"},
  };
}

TEST(Spec, BadSpecTable) {
  const std::vector<BadSpec> table = bad_specs();
  ASSERT_GE(table.size(), 40u);
  for (const BadSpec& bad : table) {
    SCOPED_TRACE(bad.what);
    json j = base_spec();
    bad.mutate(j);
    const SpecParseResult r = parse_spec(j.dump());
    expect_well_formed(r);
    EXPECT_FALSE(r.spec);
    ASSERT_FALSE(r.errors.empty());
    // Every error is about the broken value (one rule may break in more than one way), and one
    // of them says the rule.
    bool found = false;
    for (const SpecError& e : r.errors) {
      EXPECT_EQ(e.path, bad.path) << e.to_string();
      found = found || e.rule.find(bad.phrase) != std::string::npos;
    }
    EXPECT_TRUE(found) << "expected \"" << bad.phrase << "\" at " << bad.path << "; got:\n" << errors_text(r);
  }
}

struct BadText {
  const char* what;
  std::string text;
  std::string phrase;
};

TEST(Spec, TextThatIsNotASpec) {
  const std::vector<BadText> table = {
      {"empty input", "", "not valid JSON"},
      {"whitespace only", "  \n\t ", "not valid JSON"},
      {"truncated object", "{\"name\": \"x\"", "not valid JSON"},
      {"trailing comma", "{\"name\": \"x\",}", "not valid JSON"},
      {"garbage", "name = x", "not valid JSON"},
      {"two documents", "{} {}", "not valid JSON"},
      {"number past double", "{\"seed\": 1e400}", "not valid JSON"},
      {"invalid UTF-8", "{\"name\": \"\xff\xfe\"}", "not valid JSON"},
      {"a list", "[1, 2]", "a spec must be a JSON object (got a list)"},
      {"a string", "\"spec\"", "a spec must be a JSON object (got the string \"spec\")"},
      {"null", "null", "a spec must be a JSON object (got null)"},
      {"deep nesting", std::string(100000, '['), "nest deeper than 64 levels"},
      {"a key twice", R"({"name": "a", "name": "b"})", "key 'name' appears twice in one object"},
      {"text after a NUL", std::string("{\"name\": \"a\"}\0{", 15), "holds a NUL byte"},
  };
  for (const BadText& bad : table) {
    SCOPED_TRACE(bad.what);
    const SpecParseResult r = parse_spec(bad.text);
    expect_well_formed(r);
    ASSERT_EQ(r.errors.size(), 1u) << errors_text(r);
    EXPECT_EQ(r.errors[0].path, "/");
    EXPECT_NE(r.errors[0].rule.find(bad.phrase), std::string::npos) << r.errors[0].rule;
    for (char c : r.errors[0].rule) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in: " << r.errors[0].rule;
  }
}

// ---- Robustness: nothing crashes, throws, or returns both a spec and errors.

TEST(SpecRobustness, EveryTruncationOfAValidSpec) {
  const std::string text = base_spec().dump(2);
  for (std::size_t n = 0; n < text.size(); ++n) {
    const SpecParseResult r = parse_spec(std::string_view(text).substr(0, n));
    expect_well_formed(r);
    EXPECT_FALSE(r.spec) << "prefix of length " << n << " parsed as a spec";
  }
}

TEST(SpecRobustness, RandomBytes) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    std::string text(rng() % 300, '\0');
    for (char& c : text) c = static_cast<char>(rng() % 256);
    expect_well_formed(parse_spec(text));
  }
}

TEST(SpecRobustness, RandomByteEditsOfAValidSpec) {
  std::mt19937 rng(777);
  const std::string base = base_spec().dump();
  const std::string alphabet = "{}[]\":,-+.0123456789eEtruefalsn \\/~x";
  for (int i = 0; i < 5000; ++i) {
    std::string text = base;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 4); break;
        default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (text.empty()) text = "{";
    }
    expect_well_formed(parse_spec(text));
  }
}

// Every value in the spec replaced by every kind of JSON value: type confusion everywhere.
TEST(SpecRobustness, EveryValueReplacedByEveryKindOfValue) {
  const std::vector<json> palette = {
      nullptr, true, false, 0, -1, 1, 1.5, -0.0, 1e300, -1e300, "", "x", "fp32", json::array(), json::object(),
      json::array({1, 2}), json::object({{"a", 1}}), std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max()};
  const json base = base_spec();
  const json flat = base.flatten();
  std::vector<std::string> pointers;
  for (const auto& [pointer, value] : flat.items()) pointers.push_back(pointer);
  // The containers too, not only the leaves.
  for (const char* p : {"/kernels", "/dtypes", "/causal", "/tiers", "/tiers/0", "/grid", "/grid/q_n", "/timing", "/check"})
    pointers.push_back(p);
  int parsed = 0;
  for (const std::string& p : pointers)
    for (const json& v : palette) {
      json j = base;
      j[json::json_pointer(p)] = v;
      const SpecParseResult r = parse_spec(j.dump());
      expect_well_formed(r);
      parsed += r.spec.has_value();
    }
  EXPECT_GT(parsed, 0);  // some replacements are valid (e.g. seed 1, causal false)
}

}  // namespace
}  // namespace attnsweep
