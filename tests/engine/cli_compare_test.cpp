// attnsweep-cli compare and run --fail-on through the real binary: the verdicts of a planted
// slowdown, the JSON, and every exit code (0 nothing to fail on, 1 a cell --fail-on names, 2 bad input).
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/store.h"
#include "sample_results.h"
#include "support/shell_command.h"

namespace attnsweep {
namespace {

using nlohmann::json;
// attnsweep-cli with `args`, through the shell as a CI job runs it.
attnsweep::testing::ShellOutcome run_cli(const std::string& args) {
  return attnsweep::testing::run_shell(std::string(ATTNSWEEP_CLI) + " " + args);
}
using testing::TempDir;

const std::string kH100Seed = ATTNSWEEP_SOURCE_DIR "/resources/sample-results/h100-seed.jsonl";

std::vector<json> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

void write_lines(const std::string& path, const std::vector<json>& lines) {
  std::ofstream out(path);
  for (const json& j : lines) out << j.dump() << "\n";
}

// A copy of `from` with every time of `kernel` multiplied by `factor`, as a person would edit one:
// each timing's statistics and samples (schema 2) or the record's time_ms (schema 1); throughput
// divided by it.
void plant(const std::string& from, const std::string& to, const std::string& kernel, double factor) {
  std::vector<json> lines = read_lines(from);
  const auto scale_timing = [factor](json& t) {
    for (auto& [key, value] : t["time_ms"].items())
      if (key != "samples" && value.is_number()) value = value.get<double>() * factor;
    if (t.contains("samples_ms"))
      for (json& x : t["samples_ms"]) x = x.get<double>() * factor;
    for (const char* rate : {"tflops", "gbps"}) t[rate] = t[rate].get<double>() / factor;
  };
  for (json& j : lines) {
    if (j.value("kernel", "") != kernel || j.value("status", "") != "ok") continue;
    if (j.contains("timings"))
      for (auto& [mode, t] : j["timings"].items()) scale_timing(t);
    else
      scale_timing(j);
  }
  write_lines(to, lines);
}

// A result file as a sweep writes it, with 40 kernel-like samples a cell: 3 kernels x 4 sizes.
void write_run(const std::string& path, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  json header = read_lines(kH100Seed).front();  // where the bundled results ran
  header["schema"] = kResultSchema;
  ResultWriter w = ResultWriter::create(path, header);
  for (const char* k : {"flash_mma", "naive", "cublas"})
    for (std::int64_t n : {512, 1024, 2048, 4096}) {
      const double median = 0.02 * static_cast<double>(n) / 512;
      w.append(testing::with_samples(testing::ok_result(testing::sample_cell(k, n), median),
                                     testing::kernel_times(rng, 40, median)));
    }
}

std::map<std::string, std::set<std::string>> verdicts_by_kernel(const json& comparison) {
  std::map<std::string, std::set<std::string>> out;
  for (const json& c : comparison["cells"]) out[c["kernel"]].insert(c["verdict"].get<std::string>());
  return out;
}

TEST(CliCompare, AFileAgainstItselfIsAllSameAndExitsZero) {
  const auto r = run_cli("compare " + kH100Seed + " " + kH100Seed + " --fail-on slower,faster,noisy,missing,new");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("120 cells: 120 same"), std::string::npos) << r.output;
  // Written before samples were kept: it says what it compared on.
  EXPECT_NE(r.output.find("note: 119 cell(s) compared on their medians' 95% intervals"), std::string::npos);
  EXPECT_EQ(r.output.find('\033'), std::string::npos);  // not a terminal: no colour
}

// The acceptance test of compare, on samples: one kernel 10% slower in an edited copy; slower there,
// same elsewhere.
TEST(CliCompare, APlantedSlowdownIsSlowerOnThatKernelOnlyAndFailsTheGate) {
  TempDir dir;
  const std::string base = dir.file("base.jsonl"), now = dir.file("new.jsonl");
  write_run(base, 11);
  plant(base, now, "naive", 1.10);

  const auto r = run_cli("compare " + base + " " + now + " --format json");
  ASSERT_EQ(r.code, 0) << r.output;
  const json j = json::parse(r.output);
  EXPECT_EQ(verdicts_by_kernel(j), (std::map<std::string, std::set<std::string>>{
                                       {"naive", {"slower"}}, {"flash_mma", {"same"}}, {"cublas", {"same"}}}));
  EXPECT_EQ(j["summary"]["verdicts"]["slower"], 4);
  EXPECT_EQ(j["summary"]["verdicts"]["same"], 8);
  for (const json& c : j["cells"]) {
    EXPECT_EQ(c["evidence"], "samples");
    if (c["kernel"] == "naive") EXPECT_NEAR(c["ratio"].get<double>(), 1.10, 1e-4);
  }

  const auto gate = run_cli("compare " + base + " " + now + " --fail-on slower,wrong,crashed,missing");
  EXPECT_EQ(gate.code, 1) << gate.output;
  EXPECT_NE(gate.output.find("compare: 4 cell(s) fail --fail-on slower,wrong,crashed,missing"), std::string::npos);
  EXPECT_EQ(run_cli("compare " + base + " " + now + " --fail-on wrong,crashed,missing").code, 0);
  // A 12% threshold lets 10% through.
  EXPECT_EQ(run_cli("compare " + base + " " + now + " --threshold 12% --fail-on slower").code, 0);
  // The other way round it is faster.
  const json back = json::parse(run_cli("compare " + now + " " + base + " -f json").output);
  EXPECT_EQ(back["summary"]["verdicts"]["faster"], 4);
}

// The bundled H100 results predate samples: the same planted slowdown, judged on the intervals.
TEST(CliCompare, APlantedSlowdownInAFileWithoutSamples) {
  TempDir dir;
  const std::string now = dir.file("new.jsonl");
  plant(kH100Seed, now, "flash_mma", 1.10);
  const auto r = run_cli("compare " + kH100Seed + " " + now + " --format json --fail-on slower");
  EXPECT_EQ(r.code, 1);
  const json j = json::parse(r.output.substr(0, r.output.rfind("compare:")));
  const auto by_kernel = verdicts_by_kernel(j);
  EXPECT_EQ(by_kernel.at("flash_mma"), std::set<std::string>{"slower"});
  for (const char* k : {"naive", "cublas", "fused_simt", "flash_sm90"})
    EXPECT_EQ(by_kernel.at(k), std::set<std::string>{"same"}) << k;
  EXPECT_EQ(j["cells"][0]["evidence"], "intervals");
  EXPECT_EQ(j["summary"]["notes"].size(), 1u);
}

TEST(CliCompare, AMissingCellFailsOnMissing) {
  TempDir dir;
  const std::string now = dir.file("new.jsonl");
  std::vector<json> lines = read_lines(kH100Seed);
  lines.pop_back();
  write_lines(now, lines);
  EXPECT_EQ(run_cli("compare " + kH100Seed + " " + now + " --fail-on missing").code, 1);
  EXPECT_EQ(run_cli("compare " + kH100Seed + " " + now + " --fail-on slower").code, 0);
  EXPECT_EQ(run_cli("compare " + now + " " + kH100Seed + " --fail-on new").code, 1);
}

TEST(CliCompare, EveryFormatWrites) {
  TempDir dir;
  for (const char* format : {"text", "md", "csv", "json", "html"}) {
    const std::string out = dir.file(std::string("cmp.") + format);
    const auto r = run_cli("compare " + kH100Seed + " " + kH100Seed + " --format " + format + " -o " + out);
    EXPECT_EQ(r.code, 0) << format << ": " << r.output;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("same"), std::string::npos) << format;
  }
  const std::string html = dir.file("cmp.html");
  const auto again = run_cli("compare " + kH100Seed + " " + kH100Seed + " -f md -o " + html);
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find(html + ": exists; replace it with --force"), std::string::npos) << again.output;
  EXPECT_EQ(run_cli("compare " + kH100Seed + " " + kH100Seed + " -f md --force -o " + html).code, 0);
}

TEST(CliCompare, BadInputExitsTwoAndSaysWhy) {
  const auto bad = [](const std::string& args, const std::string& says) {
    const auto r = run_cli("compare " + args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << args << ": " << r.output;
  };
  const std::string both = kH100Seed + " " + kH100Seed;
  bad(both + " --threshold fast", "--threshold: must be a percentage");
  bad(both + " --threshold 150%", "--threshold: must be a percentage");
  bad(both + " --format xml", "--format: must be text, md, csv, json or html");
  bad(both + " --fail-on slower,regressed", "--fail-on: unknown 'regressed'");
  bad(both + " --mode warm", "--mode: must be cold, batch or unstated");
  bad(kH100Seed + " /nonexistent/new.jsonl", "/nonexistent/new.jsonl");
  bad(kH100Seed, "new");  // NEW not given
}

// run --fail-on: the same rule for one sweep that must be clean. The CPU kernels run fp32 only, so
// an fp16 cell is unsupported.
TEST(CliCompare, RunFailsOnTheStatusesItIsGiven) {
  TempDir dir;
  const std::string spec = dir.file("spec.json");
  std::ofstream(spec) << R"({"name": "fail-on", "kernels": ["cpu_flash"], "dtypes": ["fp32", "fp16"],
    "tiers": [{"q_n": 16, "head_dim": 8, "heads": 1, "batch": 1}],
    "timing": {"warmup_ms": 1, "min_samples": 3, "max_samples": 3, "max_cell_s": 0.2, "modes": ["batch"]}})";
  const std::string run = "run --spec " + spec + " --backend cpu --quiet --out ";
  const auto clean = run_cli(run + dir.file("a.jsonl") + " --fail-on wrong,crashed,timeout,error");
  EXPECT_EQ(clean.code, 0) << clean.output;
  const auto unsupported = run_cli(run + dir.file("b.jsonl") + " --fail-on wrong,unsupported");
  EXPECT_EQ(unsupported.code, 1) << unsupported.output;
  EXPECT_NE(unsupported.output.find("run: 1 cell(s) fail --fail-on wrong,unsupported"), std::string::npos)
      << unsupported.output;
  const auto verdict = run_cli(run + dir.file("c.jsonl") + " --fail-on slower");
  EXPECT_EQ(verdict.code, 2);
  EXPECT_NE(verdict.output.find("'slower' is a verdict of compare"), std::string::npos) << verdict.output;
}

}  // namespace
}  // namespace attnsweep
