// Every reader against random and mutated input: result files, JSON, CSV and Markdown reports, the
// seed's table, specs, worker and provider lines, provider files. Deterministic seeds and fixed
// counts, so a failure reproduces and the suite stays seconds long. None may crash, hang, throw
// anything but its documented error, or accept an impossible measurement: what a reader returns
// is checked here against the rules written out again independently of result_problem.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "attnsweep/engine/providers.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/engine/store.h"
#include "attnsweep/engine/worker_protocol.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

// Fragments that break parsers and rules more often than random bytes do.
const std::vector<std::string> kTokens = {std::string(1, '\0'),
                                          "\n",
                                          "\r\n",
                                          "\"",
                                          "\\",
                                          ",",
                                          "|",
                                          "{",
                                          "}",
                                          "[",
                                          "]",
                                          ":",
                                          "'",
                                          "=",
                                          "-",
                                          "\x1b[2J",
                                          "\xff",
                                          "\xc3",
                                          "true",
                                          "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                                          "\"median\":",
                                          "\"ok\"",
                                          "\"status\":\"ok\",",
                                          "| ok |",
                                          "OOM",
                                          "n/a",
                                          "\\|",
                                          "&lt;",
                                          "\xef\xbb\xbf",
                                          "\"type\":\"cell\","};
// What a number may become.
const std::vector<std::string> kNumbers = {
    "null", "-1",         "0",    "1e308",   "1e-320", "NaN", "9223372036854775807", "18446744073709551616",
    "-0.0", "2147483648", "1e-7", "86400001"};

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  std::string random_bytes(std::size_t max_len) {
    std::string s(below(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(below(256));
    return s;
  }

  // One to four edits: flip, insert, delete, duplicate, replace a number, cut.
  std::string mutate(std::string s) {
    const std::size_t edits = 1 + below(4);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = below(s.size() + 1);
      switch (below(7)) {
        case 0:
          if (!s.empty()) s[below(s.size())] = static_cast<char>(below(256));
          break;
        case 1: s.insert(at, kTokens[below(kTokens.size())]); break;
        case 2: s.erase(at, 1 + below(16)); break;
        case 3: s.insert(at, s.substr(below(s.size() + 1), 1 + below(64))); break;
        case 4: {  // a number becomes another
          const std::size_t digit = s.find_first_of("0123456789", at);
          if (digit == std::string::npos) break;
          const std::size_t end = s.find_first_not_of("0123456789.e+-", digit);
          s.replace(digit, (end == std::string::npos ? s.size() : end) - digit, kNumbers[below(kNumbers.size())]);
          break;
        }
        case 5: s.resize(at); break;
        default: s.insert(at, random_bytes(8)); break;
      }
    }
    return s;
  }

 private:
  std::mt19937 rng_;
};

// The rules, independently of result_problem: what no reader may ever hand back.
void expect_possible(const CellResult& r, const std::string& input) {
  const std::string where = "from input: " + input.substr(0, 300);
  EXPECT_EQ(r.cell.kernel.find('|'), std::string::npos) << where;
  EXPECT_FALSE(r.cell.kernel.empty()) << where;
  EXPECT_EQ(r.cell.tier.name, tier_name(r.cell.tier.shape)) << where;
  EXPECT_TRUE(r.cell.tier.shape.head_dim >= 1 && r.cell.tier.shape.head_dim <= 1024) << where;
  if (r.status != CellStatus::ok) {
    EXPECT_TRUE(r.timings.empty()) << where;
    return;
  }
  ASSERT_FALSE(r.timings.empty()) << where;
  EXPECT_FALSE(r.check.checked && !r.check.passed) << "ok with a failed check, " << where;
  for (const Timing& timing : r.timings) {
    const SampleStats& t = timing.time_ms;
    const double ms = representative_ms(t);
    EXPECT_TRUE(std::isfinite(ms) && ms >= 1e-6 && ms <= 86'400'000) << ms << " " << where;
    if (t.samples > 0) {
      EXPECT_LE(t.min, t.median * (1 + 1e-9)) << where;
      EXPECT_LE(t.median, t.max * (1 + 1e-9)) << where;
      EXPECT_GE(t.std, 0) << where;
    } else if (std::isfinite(t.min)) {
      EXPECT_LE(t.min, ms * (1 + 1e-9)) << where;
    }
    EXPECT_TRUE(std::isfinite(timing.tflops) && timing.tflops > 0) << where;
    if (timing.mode == TimingMode::cold) EXPECT_EQ(timing.launches_per_sample, 1) << where;
  }
}

// A reader that returns a file: only its documented error, and only possible results. Its JSON
// report reads back (every writer copes with whatever a reader accepted).
void expect_results_reader(const std::function<ResultFile(const std::string&)>& read, const std::string& input) {
  ResultFile f;
  try {
    f = read(input);
  } catch (const std::runtime_error&) {
    return;
  }
  for (const CellResult& r : f.results) expect_possible(r, input);
  (void)report_markdown(f);
  (void)report_csv(f);
  (void)report_html(f);
  EXPECT_NO_THROW((void)parse_json_results(report_json(f), "again.json")) << input.substr(0, 300);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Corpus {
  std::string lines, json, csv, markdown, seed;
};

Corpus corpus() {
  ResultFile f = testing::sample_result_file();
  ResultFile summary;
  summary.results = {testing::ok_result(testing::sample_cell("k"), 1.0)};
  Timing& imported = summary.results[0].timings.front();
  imported.mode = TimingMode::unstated;
  imported.time_ms =
      SampleStats{0, std::nan(""), 1.2, 0.1, 1.1, std::nan(""), std::nan(""), std::nan(""), std::nan(""), std::nan("")};
  imported.tflops = summary.results[0].cell.problem().flops() / 1.2e-3 / 1e12;
  imported.gbps = summary.results[0].cell.problem().min_bytes() / 1.2e-3 / 1e9;
  f.results.push_back(summary.results[0]);
  Corpus c;
  c.lines = result_file_text(f, "corpus.jsonl");
  c.json = report_json(f);
  c.csv = report_csv(f);
  c.markdown = report_markdown(f);
  c.seed = read_file(ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md");
  return c;
}

using Reader = std::function<ResultFile(const std::string&)>;

TEST(ReadersFuzz, ResultFilesAndReports) {
  const Corpus c = corpus();
  const std::vector<std::pair<std::string, Reader>> readers = {
      {c.lines, [](const std::string& t) { return parse_result_lines(t, "f.jsonl"); }},
      {c.json, [](const std::string& t) { return parse_json_results(t, "f.json"); }},
      {c.csv, [](const std::string& t) { return parse_csv_results(t, "f.csv"); }},
      {c.markdown, [](const std::string& t) { return parse_markdown_results(t, "f.md"); }},
      {c.seed, [](const std::string& t) { return parse_markdown_results(t, "seed.md"); }},
  };
  for (std::size_t k = 0; k < readers.size(); ++k) {
    const auto& [valid, read] = readers[k];
    SCOPED_TRACE("reader " + std::to_string(k));
    expect_results_reader(read, valid);
    Mutator m(1000 + static_cast<std::uint32_t>(k));
    for (int i = 0; i < 1000; ++i) expect_results_reader(read, m.mutate(valid));
    for (int i = 0; i < 200; ++i) expect_results_reader(read, m.random_bytes(200));
    if (::testing::Test::HasFailure()) return;  // one reproducible case is enough to read
  }
}

// Mutations of one record at a time, inside an otherwise good file: they reach the field rules.
TEST(ReadersFuzz, OneRecordAtATime) {
  const ResultFile f = testing::sample_result_file();
  const std::string header = f.header.dump() + "\n";
  Mutator m(7);
  for (int i = 0; i < 4000; ++i) {
    const std::string record = result_to_json(f.results[m.below(f.results.size())]).dump();
    expect_results_reader([](const std::string& t) { return parse_result_lines(t, "f.jsonl"); },
                          header + m.mutate(record) + "\n");
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ReadersFuzz, Specs) {
  const std::string valid = R"({"version":1,"name":"fuzz","kernels":["cpu_naive","cpu_flash"],"dtypes":["fp32"],
    "causal":[false,true],"tiers":[{"q_n":512,"head_dim":64,"heads":12,"batch":1}],
    "grid":{"q_n":[256,512],"head_dim":[32],"heads":[2],"batch":[1,2]},
    "timing":{"warmup_ms":25,"min_samples":10,"max_samples":200,"target_rel_ci":0.02,"max_cell_s":10,"cache":"cold"},
    "check":{"enabled":true,"tolerance":0.001},"seed":7})";
  Mutator m(11);
  for (int i = 0; i < 5000; ++i) {
    const std::string text = i % 5 == 4 ? m.random_bytes(200) : m.mutate(valid);
    const SpecParseResult r = parse_spec(text);  // never throws
    EXPECT_NE(r.spec.has_value(), !r.errors.empty()) << text;
    if (!r.spec) continue;
    EXPECT_TRUE(r.spec->timing.warmup_ms >= 0 && r.spec->timing.warmup_ms <= kMaxWarmupMs) << text;
    EXPECT_TRUE(r.spec->timing.max_cell_s > 0 && r.spec->timing.max_cell_s <= kMaxCellSeconds) << text;
    for (const TierShape& s : r.spec->tiers) EXPECT_TRUE(tier_shape_problems(s, 4).empty()) << text;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ReadersFuzz, WorkerAndProviderLines) {
  const ResultFile f = testing::sample_result_file();
  RunCellRequest run;
  run.seq = 3;
  run.cell = f.results[0].cell;
  HelloEvent hello;
  hello.device.name = "fuzz";
  hello.device.facts["cc"] = "9.0";
  const std::vector<std::string> requests = {to_line(WorkerRequest{HelloRequest{}}), to_line(WorkerRequest{run}),
                                             to_line(WorkerRequest{CancelRequest{}})};
  const std::vector<std::string> events = {to_line(WorkerEvent{hello}),
                                           to_line(WorkerEvent{CellStartedEvent{3, "x"}}),
                                           to_line(WorkerEvent{CellResultEvent{3, f.results[0]}}),
                                           to_line(WorkerEvent{CellResultEvent{4, f.results[2]}}),
                                           to_line(WorkerEvent{LogEvent{"info", "hi"}}),
                                           to_line(WorkerEvent{ErrorEvent{"bad", true}}),
                                           to_line(WorkerEvent{ByeEvent{"done"}})};
  Mutator m(23);
  for (int i = 0; i < 5000; ++i) {
    const std::string request = m.mutate(requests[m.below(requests.size())]);
    const Parsed<WorkerRequest> r = parse_request(request);  // never throws
    EXPECT_NE(r.ok(), !r.error.empty());
    if (const auto* cell = r.ok() ? std::get_if<RunCellRequest>(&*r.value) : nullptr) {
      EXPECT_EQ(cell_problem(cell->cell), "") << request;
      EXPECT_TRUE(cell->timing.warmup_ms <= kMaxWarmupMs && cell->timing.max_cell_s <= kMaxCellSeconds) << request;
    }
    const std::string event = i % 5 == 4 ? m.random_bytes(120) : m.mutate(events[m.below(events.size())]);
    const Parsed<WorkerEvent> e = parse_event(event);  // never throws; the executor judges results
    EXPECT_NE(e.ok(), !e.error.empty());
    if (const auto* result = e.ok() ? std::get_if<CellResultEvent>(&*e.value) : nullptr) {
      const CellResult admitted = admit_result(result->result, "fuzz");
      if (admitted.status == CellStatus::ok) expect_possible(admitted, event);
      else EXPECT_TRUE(admitted.timings.empty()) << event;
    }
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ReadersFuzz, ProviderFiles) {
  const std::string valid = R"({"name":"p","command":["python3","./p.py","--device","{device}"],"working_dir":".",
    "kernels":[{"name":"p.one","description":"d","seed_analogue":"s"}]})";
  Mutator m(31);
  for (int i = 0; i < 2000; ++i) {
    const std::string text = m.mutate(valid);
    try {
      const Provider p = parse_provider(text, "/tmp/fuzz/p.json");
      EXPECT_FALSE(p.command.empty()) << text;
      for (const ProviderKernel& k : p.kernels) EXPECT_EQ(kernel_name_problem(k.name), "") << text;
    } catch (const std::runtime_error&) {
    }
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace attnsweep
