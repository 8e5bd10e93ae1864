// attnsweep-cli end to end: every subcommand through the real binary, its exit codes (0 ran,
// 2 bad usage or spec, 1 runtime failure, 3 nothing measured), its messages, and the files it writes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "attnsweep/engine/store.h"
#include "attnsweep/kernels/device.h"
#include "support/shell_command.h"

namespace fs = std::filesystem;
using namespace attnsweep;

namespace {

using Outcome = attnsweep::testing::ShellOutcome;

// `timeout_s`: killed after that long (exit code 124), for inputs that could block or never end.
Outcome cli(const std::string& args, int timeout_s = 0) {
  const std::string timeout = timeout_s > 0 ? "timeout " + std::to_string(timeout_s) + " " : std::string();
  return attnsweep::testing::run_shell(timeout + ATTNSWEEP_CLI + " " + args);
}

// A spec of two tiny tiers on the CPU kernels: seconds to run on two cores.
constexpr const char* kTinySpec = R"({
  "name": "cli-test", "kernels": ["cpu_naive", "cpu_flash"], "dtypes": ["fp32"], "causal": [false, true],
  "tiers": [{"q_n": 32, "head_dim": 16, "heads": 2, "batch": 1}, {"q_n": 48, "k_n": 40, "head_dim": 8, "heads": 1, "batch": 2}],
  "timing": {"warmup_ms": 1, "min_samples": 3, "max_samples": 5, "target_rel_ci": 0.5, "max_cell_s": 0.2, "modes": ["batch"]},
  "seed": 7})";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("attnsweep-cli-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  fs::path dir_;
};

}  // namespace

TEST_F(CliTest, ListsKernelsPresetsAndDevices) {
  const Outcome kernels = cli("list kernels");
  EXPECT_EQ(kernels.code, 0) << kernels.output;
  EXPECT_NE(kernels.output.find("cpu_naive"), std::string::npos);
  EXPECT_NE(kernels.output.find("cpu_flash"), std::string::npos);
  const Outcome presets = cli("list presets");
  EXPECT_EQ(presets.code, 0);
  for (const char* name : {"seed", "smoke", "fa3-paper", "demo-cpu"})
    EXPECT_NE(presets.output.find(name), std::string::npos) << name;
  const Outcome devices = cli("list devices");
  EXPECT_EQ(devices.code, 0);
  EXPECT_NE(devices.output.find("cpu:0"), std::string::npos);
  EXPECT_EQ(cli("list gadgets").code, 2);
}

TEST_F(CliTest, ValidateNamesThePathAndTheRule) {
  const Outcome good = cli("validate " + write("good.json", kTinySpec));
  EXPECT_EQ(good.code, 0) << good.output;
  EXPECT_NE(good.output.find("8 cells"), std::string::npos) << good.output;

  std::string bad = kTinySpec;
  bad.replace(bad.find("\"head_dim\": 16"), 14, "\"head_dim\": -16");
  const Outcome rejected = cli("validate " + write("bad.json", bad));
  EXPECT_EQ(rejected.code, 2);
  EXPECT_NE(rejected.output.find("/tiers/0/head_dim"), std::string::npos) << rejected.output;

  EXPECT_EQ(cli("validate " + write("garbage.json", "{not json")).code, 2);
  EXPECT_EQ(cli("validate " + path("missing.json")).code, 2);
}

TEST_F(CliTest, RunWritesEveryCellAndResumeRunsNoneTwice) {
  const std::string spec = write("spec.json", kTinySpec);
  const std::string out = path("results.jsonl");
  const Outcome first = cli("run --spec " + spec + " --backend cpu --out " + out);
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("measured 8 of 8 cells"), std::string::npos) << first.output;
  ResultFile file = read_result_file(out);
  ASSERT_EQ(file.results.size(), 8u);
  for (const CellResult& r : file.results) {
    EXPECT_EQ(r.status, CellStatus::ok) << r.cell.id() << ": " << r.message;
    EXPECT_TRUE(r.check.passed) << r.cell.id();
    ASSERT_NE(r.timing(TimingMode::batch), nullptr);
    EXPECT_GT(r.timing(TimingMode::batch)->time_ms.median, 0);
  }
  EXPECT_EQ(file.header["spec"]["name"], "cli-test");

  const Outcome again = cli("run --spec " + spec + " --backend cpu --resume --quiet --out " + out);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("8 already in the file"), std::string::npos) << again.output;
  EXPECT_EQ(read_result_file(out).results.size(), 8u);

  // Another spec's file is not resumed into.
  std::string other = kTinySpec;
  other.replace(other.find("\"seed\": 7"), 9, "\"seed\": 8");
  const Outcome mismatch = cli("run --spec " + write("other.json", other) + " --backend cpu --resume --out " + out);
  EXPECT_EQ(mismatch.code, 1);
  EXPECT_NE(mismatch.output.find("different spec"), std::string::npos) << mismatch.output;
}

TEST_F(CliTest, BadUsageExitsTwoWithAMessage) {
  const std::string spec = write("spec.json", kTinySpec);
  EXPECT_EQ(cli("run").code, 2);
  EXPECT_EQ(cli("run --preset smoke --spec " + spec).code, 2);
  const Outcome unknown = cli("run --preset nosuch --out " + path("x.jsonl"));
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.output.find("unknown preset"), std::string::npos) << unknown.output;
  const Outcome kernel = cli("run --spec " + spec + " --kernels cpu_flash,nosuch --out " + path("x.jsonl"));
  EXPECT_EQ(kernel.code, 2);
  EXPECT_NE(kernel.output.find("nosuch"), std::string::npos);
  EXPECT_EQ(cli("run --spec " + spec + " --backend tpu --out " + path("x.jsonl")).code, 2);
  const Outcome resume = cli("run --spec " + spec + " --resume");
  EXPECT_EQ(resume.code, 2);
  EXPECT_NE(resume.output.find("--out"), std::string::npos);
  EXPECT_FALSE(fs::exists(path("x.jsonl")));
}

TEST_F(CliTest, CudaWithoutAGpuIsARuntimeFailure) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  const Outcome r = cli("run --spec " + write("spec.json", kTinySpec) + " --backend cuda --out " + path("x.jsonl"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("no CUDA device"), std::string::npos) << r.output;
}

TEST_F(CliTest, VersionAndHelpNameTheProgram) {
  const Outcome version = cli("--version");
  EXPECT_EQ(version.code, 0) << version.output;
  EXPECT_TRUE(version.output.starts_with("attnsweep-cli ")) << version.output;
  EXPECT_NE(version.output.find("(git "), std::string::npos) << version.output;
  const Outcome help = cli("--help");
  EXPECT_EQ(help.code, 0);
  for (const char* command : {"list", "validate", "run", "report", "import", "worker", "--version"})
    EXPECT_NE(help.output.find(command), std::string::npos) << command;
}

TEST_F(CliTest, AMistypedCommandGetsTheNearestOne) {
  const Outcome typo = cli("lsit kernels");
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.output.find("unknown command 'lsit'; did you mean 'list'?"), std::string::npos) << typo.output;
  const Outcome prefix = cli("val spec.json");
  EXPECT_NE(prefix.output.find("did you mean 'validate'?"), std::string::npos) << prefix.output;
  const Outcome far = cli("benchmark");
  EXPECT_EQ(far.code, 2);
  EXPECT_EQ(far.output.find("did you mean"), std::string::npos) << far.output;
  EXPECT_NE(far.output.find("commands: list, validate, run"), std::string::npos) << far.output;
  const Outcome what = cli("list kernel");
  EXPECT_EQ(what.code, 2);
  EXPECT_NE(what.output.find("did you mean 'kernels'?"), std::string::npos) << what.output;
}

// Nothing of the sweep can run on this backend: refused before it starts, naming what would run.
TEST_F(CliTest, ASweepOfWhichNothingRunsIsRefusedUpFront) {
  std::string fp16 = kTinySpec;
  fp16.replace(fp16.find("[\"fp32\"]"), 8, "[\"fp16\"]");
  const Outcome r = cli("run --spec " + write("fp16.json", fp16) + " --backend cpu --out " + path("x.jsonl"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("nothing in sweep 'cli-test' can run on cpu: cpu_naive: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Kernels that run on cpu: cpu_naive and cpu_flash"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("x.jsonl")));

  // The seed's CUDA kernels where no GPU is: a CPU-only build does not know them, a CUDA build
  // plans them as another backend's; neither runs the sweep.
  if (cuda_device_count() > 0) return;
  const Outcome seed = cli("run --preset seed --out " + path("seed.jsonl"));
  EXPECT_EQ(seed.code, 2) << seed.output;
  EXPECT_TRUE(seed.output.find("run on cuda") != std::string::npos ||
              seed.output.find("unknown kernel \"naive\"") != std::string::npos)
      << seed.output;
  EXPECT_FALSE(fs::exists(path("seed.jsonl")));
}

// Cells that ran and not one measured (each unsupported here) make a failed run that says why;
// one measured cell among them is a run that worked. The fake provider answers without a GPU.
TEST_F(CliTest, ASweepThatMeasuresNothingIsNotASuccess) {
  if (std::system("python3 -c 'import json' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 is not installed here";
  const std::string provider = write("fake.json", R"({"name": "fake", "command": ["python3", ")" +
                                                      std::string(ATTNSWEEP_SOURCE_DIR) +
                                                      R"(/tests/engine/fake_provider.py", "--device", "{device}"],
    "kernels": [{"name": "fake_unsupported", "description": "unsupported everywhere"},
                {"name": "fake_ok", "description": "a made-up time"}]})");
  std::string spec = kTinySpec;
  const std::string cpu_kernels = R"(["cpu_naive", "cpu_flash"])";
  spec.replace(spec.find(cpu_kernels), cpu_kernels.size(), R"(["fake_unsupported"])");
  const Outcome none =
      cli("run --provider " + provider + " --spec " + write("none.json", spec) + " --quiet --out " + path("none.jsonl"));
  EXPECT_EQ(none.code, 3) << none.output;
  EXPECT_NE(none.output.find("sweep 'cli-test' measured nothing: none of its 4 cells ran here (first: "),
            std::string::npos)
      << none.output;
  EXPECT_NE(none.output.find("(first: fake_unsupported hd16-h2-b1-n32: unsupported: "), std::string::npos)
      << none.output;
  EXPECT_EQ(read_result_file(path("none.jsonl")).results.size(), 4u) << "the file keeps each cell's status";

  spec.replace(spec.find(R"(["fake_unsupported"])"), 20, R"(["fake_unsupported", "fake_ok"])");
  const Outcome some =
      cli("run --provider " + provider + " --spec " + write("some.json", spec) + " --quiet --out " + path("some.jsonl"));
  EXPECT_EQ(some.code, 0) << some.output;
}

// Piped, every finished cell says the time spent and left; on a terminal the bar redrawn in
// place fits its width.
TEST_F(CliTest, ProgressSaysElapsedAndEtaAndFitsTheTerminal) {
  const std::string spec = write("spec.json", kTinySpec);
  const Outcome piped = cli("run --spec " + spec + " --backend cpu --out " + path("piped.jsonl"));
  ASSERT_EQ(piped.code, 0) << piped.output;
  EXPECT_NE(piped.output.find("[8/8] "), std::string::npos) << piped.output;
  EXPECT_NE(piped.output.find(" elapsed, ETA 0:00:00)"), std::string::npos) << piped.output;

  // script(1) gives the program a terminal; a terminal without a size falls back to COLUMNS.
  constexpr std::size_t kColumns = 60;
  const std::string command = "COLUMNS=" + std::to_string(kColumns) + " script -qec '" + std::string(ATTNSWEEP_CLI) +
                              " run --spec " + spec + " --backend cpu --out " + path("tty.jsonl") + "' /dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string screen;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) screen.append(buf.data(), n);
  ASSERT_EQ(::pclose(pipe), 0) << screen;
  std::size_t bars = 0;
  std::size_t begin = 0;
  while (begin < screen.size()) {
    std::size_t end = screen.find_first_of("\r\n", begin);
    if (end == std::string::npos) end = screen.size();
    std::string line = screen.substr(begin, end - begin);
    if (line.starts_with("\033[K")) line.erase(0, 3);
    if (line.find(" elapsed, ETA ") != std::string::npos) {
      ++bars;
      EXPECT_LT(line.size(), kColumns) << "'" << line << "'";
    }
    begin = end + 1;
  }
  EXPECT_GE(bars, 8u) << screen;
}

TEST_F(CliTest, ReportsInEveryFormatAndRefusesOthers) {
  const std::string out = path("results.jsonl");
  ASSERT_EQ(cli("run --spec " + write("spec.json", kTinySpec) + " --backend cpu --quiet --out " + out).code, 0);
  const Outcome md = cli("report " + out + " --format md");
  EXPECT_EQ(md.code, 0);
  EXPECT_NE(md.output.find("| Kernel | Tier | Q_N | K_N | head_dim | heads | batch |"), std::string::npos) << md.output;
  EXPECT_NE(md.output.find("attention_sweep_heatmap_fp32_causal.png"), std::string::npos) << "a picture per slice";
  EXPECT_EQ(cli("report " + out + " --format csv -o " + path("r.csv")).code, 0);
  EXPECT_TRUE(fs::file_size(path("r.csv")) > 0);
  ASSERT_EQ(cli("report " + out + " --format json -o " + path("r.json")).code, 0);
  std::ifstream json(path("r.json"));
  nlohmann::json report;
  EXPECT_NO_THROW(report = nlohmann::json::parse(json));
  EXPECT_FALSE(report.is_null());
  const Outcome html = cli("report " + out + " --format html");
  EXPECT_EQ(html.code, 0);
  EXPECT_TRUE(html.output.starts_with("<!doctype html>")) << html.output;
  EXPECT_NE(html.output.find("<td class=\"num\" data-v="), std::string::npos);
  const Outcome pdf = cli("report " + out + " --format pdf");
  EXPECT_EQ(pdf.code, 2);
  EXPECT_NE(pdf.output.find("--format: must be md, csv, json or html (got 'pdf')"), std::string::npos) << pdf.output;
  EXPECT_EQ(cli("report " + write("junk.jsonl", "hello\n")).code, 2);
}

// Every report reads back: the CLI reports whatever the app opens, in every format.
TEST_F(CliTest, ReportsFromEveryFormatTheAppOpens) {
  const std::string out = path("results.jsonl");
  ASSERT_EQ(cli("run --spec " + write("spec.json", kTinySpec) + " --backend cpu --quiet --out " + out).code, 0);
  std::map<std::string, std::string> first;
  for (const std::string format : {"md", "csv", "json"}) {
    const Outcome r = cli("report " + out + " --format " + format + " -o " + path("report." + format));
    ASSERT_EQ(r.code, 0) << r.output;
    first[format] = read_text(path("report." + format));
  }
  const std::string seed = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";
  for (const std::string& source : {path("report.md"), path("report.csv"), path("report.json"), seed}) {
    for (const std::string format : {"md", "csv", "json", "html"}) {
      const Outcome r = cli("report " + source + " --format " + format + " --force -o " + path("again." + format));
      EXPECT_EQ(r.code, 0) << source << " as " << format << ": " << r.output;
      EXPECT_GT(fs::file_size(path("again." + format)), 0u) << source << " as " << format;
    }
  }
  // A CSV and a JSON report hold every number: their reports are the result file's, to the digit.
  ASSERT_EQ(cli("report " + path("report.csv") + " --format csv --force -o " + path("again.csv")).code, 0);
  EXPECT_EQ(read_text(path("again.csv")), first["csv"]);
  ASSERT_EQ(cli("report " + path("report.json") + " --format json --force -o " + path("again.json")).code, 0);
  EXPECT_EQ(read_text(path("again.json")), first["json"]);
  // A Markdown report holds 4 digits: its table comes back as it was.
  ASSERT_EQ(cli("report " + path("report.md") + " --format md --force -o " + path("again.md")).code, 0);
  auto table_of = [](const std::string& md) { return md.substr(md.find("\n|"), md.find("\n\n", md.find("\n|")) - md.find("\n|")); };
  EXPECT_EQ(table_of(read_text(path("again.md"))), table_of(first["md"]));

  const Outcome imported = cli("import " + path("report.csv") + " -o " + path("imported.jsonl"));
  ASSERT_EQ(imported.code, 0) << imported.output;
  EXPECT_EQ(read_result_file(path("imported.jsonl")).results.size(), 8u);
}

TEST_F(CliTest, ImportsTheSeedWithZerosAsOom) {
  const std::string seed = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";
  const std::string out = path("seed.jsonl");
  const Outcome r = cli("import " + seed + " -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  const ResultFile file = read_result_file(out);
  ASSERT_EQ(file.results.size(), 96u);
  std::size_t oom = 0;
  for (const CellResult& c : file.results) oom += c.status == CellStatus::oom;
  EXPECT_EQ(oom, 17u);
  const Outcome md = cli("report " + out);
  EXPECT_NE(md.output.find("OOM"), std::string::npos);
  EXPECT_EQ(md.output.find("| 0 | 0 | 0 |"), std::string::npos) << "a failed cell must never read as 0 ms";
  EXPECT_EQ(cli("import " + write("not-a-table.md", "# nothing here\n") + " -o " + path("x.jsonl")).code, 2);
}

TEST_F(CliTest, ReportsSpeedupsAgainstABaselineKernel) {
  const std::string results = ATTNSWEEP_SOURCE_DIR "/resources/sample-results/h100-seed.jsonl";
  const Outcome md = cli("report " + results + " --baseline flash_sm90");
  EXPECT_EQ(md.code, 0) << md.output;
  EXPECT_NE(md.output.find("| speedup vs flash_sm90 |"), std::string::npos);
  const Outcome json = cli("report " + results + " --format json --baseline cublas");
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.output)["summary"]["baseline"]["kernel"], "cublas");
  const Outcome unknown = cli("report " + results + " --baseline fa3");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.output.find("--baseline: no kernel 'fa3' in the results (kernels: naive, cublas"), std::string::npos)
      << unknown.output;
  const Outcome csv = cli("report " + results + " --format csv --baseline cublas");
  EXPECT_EQ(csv.code, 2);
  EXPECT_NE(csv.output.find("--baseline: the CSV report holds the cells' own fields only"), std::string::npos);
}

// ---- hostile and clumsy input: refused with a clear message, nothing lost, nothing obeyed --------

TEST_F(CliTest, NoFileIsReplacedWithoutForce) {
  const std::string spec = write("spec.json", kTinySpec);
  const std::string precious = write("precious.jsonl", "my notes\n");
  const Outcome run = cli("run --spec " + spec + " --backend cpu --quiet --out " + precious);
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find(precious + ": exists; continue it with --resume, or replace it with --force"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(read_text(precious), "my notes\n");
  const Outcome forced = cli("run --spec " + spec + " --backend cpu --quiet --force --out " + precious);
  ASSERT_EQ(forced.code, 0) << forced.output;
  EXPECT_EQ(read_result_file(precious).results.size(), 8u);

  // import -o and report -o refuse an existing file; a report over its own results above all.
  const std::string seed = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";
  const std::string results_text = read_text(precious);
  for (const std::string& command : {"import " + seed + " -o " + precious, "report " + precious + " -o " + precious,
                                     "report " + precious + " --format csv -o " + precious}) {
    const Outcome r = cli(command);
    EXPECT_EQ(r.code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("exists; replace it with --force"), std::string::npos) << r.output;
  }
  EXPECT_EQ(read_text(precious), results_text);
  const Outcome report = cli("report " + precious + " --force -o " + precious);
  EXPECT_EQ(report.code, 0) << report.output;
  EXPECT_EQ(read_text(precious).rfind("# Attention forward sweep: cli-test", 0), 0u) << "asked for, so replaced";
}

// A result file is appended to and resumed: it cannot be standard output, as a report can.
TEST_F(CliTest, RunOutDashIsRefusedReportOutDashIsStandardOutput) {
  const Outcome run = cli("run --spec " + write("spec.json", kTinySpec) + " --backend cpu --out -");
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.output.find("--out -: a result file cannot be standard output"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists("-"));
  const std::string seed = ATTNSWEEP_SOURCE_DIR "/tests/engine/data/seed_000_44dcfb095d361470.md";
  const Outcome report = cli("report " + seed + " -o -");
  EXPECT_EQ(report.code, 0) << report.output;
  EXPECT_NE(report.output.find("| Kernel | Tier |"), std::string::npos);
  const Outcome imported = cli("import " + seed + " -o -");
  EXPECT_EQ(imported.code, 0) << imported.output;
  EXPECT_EQ(imported.output.rfind("{\"assumed\"", 0), 0u) << imported.output.substr(0, 200);
}

// Endless or blocking inputs are refused at once; nothing reads forever or runs out of memory.
TEST_F(CliTest, DevicesFifosAndFoldersAreRefusedAtOnce) {
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto refused = [&](const std::string& command, const std::string& words) {
    const Outcome r = cli(command, /*timeout_s=*/20);  // 124: it blocked or read on
    EXPECT_EQ(r.code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find(words), std::string::npos) << command << ": " << r.output;
  };
  refused("validate /dev/zero", "/dev/zero: is a device");
  refused("validate " + fifo, "is a FIFO");
  refused("report /dev/zero", "is a device");
  refused("report " + fifo, "is a FIFO");
  refused("validate " + dir_.string(), "is a folder");
  refused("run --spec /dev/zero --backend cpu --out " + path("y.jsonl"), "is a device");
  const Outcome resume =
      cli("run --spec " + write("spec.json", kTinySpec) + " --backend cpu --resume --out /dev/full", 20);
  EXPECT_NE(resume.code, 0);
  EXPECT_NE(resume.output.find("/dev/full: is a device"), std::string::npos) << resume.output;
}

TEST_F(CliTest, KernelsListedTwiceAreRefusedNotRunTwice) {
  const Outcome r = cli("run --spec " + write("spec.json", kTinySpec) + " --kernels cpu_naive,cpu_naive --backend cpu "
                        "--out " + path("x.jsonl"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("/kernels/1: duplicate kernel \"cpu_naive\""), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("x.jsonl")));
}

// A spec's name, a worker's log line: printed escaped, never obeyed by the terminal.
TEST_F(CliTest, ControlCharactersAreShownEscaped) {
  std::string spec = kTinySpec;
  spec.replace(spec.find("\"cli-test\""), 10, "\"\\u001b]0;pwned\\u0007\\u001b[2J\"");
  const Outcome r = cli("validate " + write("spec.json", spec));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("valid spec '\\x1b]0;pwned\\x07\\x1b[2J'"), std::string::npos) << r.output;
  for (char c : r.output) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << r.output;
}

// A result file a crash left with half a header (or none) is resumed as a new file.
TEST_F(CliTest, ResumingAFileCutInItsHeaderStartsItAnew) {
  const std::string out = write("cut.jsonl", R"({"environment":{"build_id":"0.1.0+ab)");
  const Outcome r = cli("run --spec " + write("spec.json", kTinySpec) + " --backend cpu --quiet --resume --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(read_result_file(out).results.size(), 8u);
}

TEST_F(CliTest, SharesRunOnTheirOwnAndMergeIntoTheWholeSweep) {
  const std::string spec = write("spec.json", kTinySpec);
  const std::string whole = path("whole.jsonl");
  ASSERT_EQ(cli("run --spec " + spec + " --backend cpu --quiet --out " + whole).code, 0);
  std::string shares;
  std::size_t cells = 0;
  for (const char* k : {"1", "2", "3"}) {
    const std::string out = path(std::string("share") + k + ".jsonl");
    const Outcome r = cli("run --spec " + spec + " --backend cpu --quiet --shard " + k + "/3 --out " + out);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find(std::string("(share ") + k + "/3)"), std::string::npos) << r.output;
    const ResultFile f = read_result_file(out);
    EXPECT_EQ(f.header["shard"], std::string(k) + "/3");
    cells += f.results.size();
    shares += " " + out;
  }
  EXPECT_EQ(cells, 8u);

  // A share resumes as itself only.
  const Outcome other = cli("run --spec " + spec + " --backend cpu --resume --shard 2/3 --out " + path("share1.jsonl"));
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.output.find("holds share 1/3 of this spec, not share 2/3"), std::string::npos) << other.output;
  const Outcome same = cli("run --spec " + spec + " --backend cpu --resume --shard 1/3 --out " + path("share1.jsonl"));
  EXPECT_EQ(same.code, 0) << same.output;
  EXPECT_NE(same.output.find("measured 0 of"), std::string::npos) << same.output;

  const std::string merged = path("merged.jsonl");
  const Outcome merge = cli("merge" + shares + " -o " + merged);
  ASSERT_EQ(merge.code, 0) << merge.output;
  EXPECT_NE(merge.output.find("merged 8 cells of the 8 the spec plans from 3 file(s)"), std::string::npos)
      << merge.output;
  std::map<std::string, CellStatus> expected, got;
  for (const CellResult& r : read_result_file(whole).results) expected[r.cell.id()] = r.status;
  for (const CellResult& r : read_result_file(merged).results) got[r.cell.id()] = r.status;
  EXPECT_EQ(got, expected);

  // The same share twice is reported; a share left out is named.
  const Outcome twice =
      cli("merge " + path("share1.jsonl") + " " + path("share1.jsonl") + " -o " + path("twice.jsonl"));
  EXPECT_EQ(twice.code, 0) << twice.output;
  EXPECT_NE(twice.output.find("cell(s) in more than one file"), std::string::npos) << twice.output;
  EXPECT_NE(twice.output.find("planned cell(s) in no file"), std::string::npos) << twice.output;
}

TEST_F(CliTest, MergeRefusesFilesOfAnotherSpec) {
  const std::string a = path("a.jsonl"), b = path("b.jsonl");
  ASSERT_EQ(cli("run --spec " + write("a.json", kTinySpec) + " --backend cpu --quiet --shard 1/2 --out " + a).code, 0);
  std::string other = kTinySpec;
  other.replace(other.find("\"seed\": 7"), 9, "\"seed\": 8");
  ASSERT_EQ(cli("run --spec " + write("b.json", other) + " --backend cpu --quiet --shard 2/2 --out " + b).code, 0);
  const Outcome r = cli("merge " + a + " " + b + " -o " + path("m.jsonl"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find(b + ": holds results of a different spec than " + a + " (first difference at spec/seed)"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(path("m.jsonl")));
  EXPECT_EQ(cli("merge -o " + path("m.jsonl")).code, 2);  // no inputs
  const Outcome shard =
      cli("run --spec " + write("c.json", kTinySpec) + " --backend cpu --shard 0/2 --out " + path("c.jsonl"));
  EXPECT_EQ(shard.code, 2);
  EXPECT_NE(shard.output.find("--shard: must be K/N with whole numbers 1 <= K <= N, e.g. 2/4 (got '0/2')"),
            std::string::npos)
      << shard.output;
}

TEST_F(CliTest, VersionSaysWhetherSweepsRunOverMpi) {
  const Outcome v = cli("--version");
  EXPECT_EQ(v.code, 0) << v.output;
  EXPECT_EQ(v.output.rfind("attnsweep-cli 0.", 0), 0u) << v.output;
  EXPECT_TRUE(v.output.find("\nMPI: yes (") != std::string::npos ||
              v.output.find("\nMPI: no (built without MPI") != std::string::npos)
      << v.output;
}

TEST_F(CliTest, RunOverMpiWithoutMpiInTheBuildSaysSo) {
  if (cli("--version").output.find("\nMPI: yes (") != std::string::npos)
    GTEST_SKIP() << "built with MPI: run --mpi runs a sweep (mpi_sweep_test.cpp)";
  const Outcome mpi = cli("run --mpi --preset smoke --backend cpu --out " + path("x.jsonl"));
  EXPECT_EQ(mpi.code, 1);
  EXPECT_NE(mpi.output.find("--mpi: this attnsweep-cli was built without MPI"), std::string::npos) << mpi.output;
  EXPECT_FALSE(fs::exists(path("x.jsonl")));
}
