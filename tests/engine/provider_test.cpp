// External providers: provider files (providers.cpp), the routing executor (routing_executor.cpp)
// and protocol conformance of the Python providers, driven through make_worker_executor:
// tests/engine/fake_provider.py (no torch needed) and engine/providers/torch_provider.py on a
// machine without torch. Tests that start Python skip where python3 is missing.
#include "attnsweep/engine/providers.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/data_dir.h"
#include "attnsweep/engine/inputs.h"
#include "attnsweep/engine/presets.h"
#include "attnsweep/engine/routing_executor.h"
#include "attnsweep/engine/store.h"
#include "attnsweep/engine/sweep.h"
#include "attnsweep/engine/worker_executor.h"
#include "support/scoped_env.h"

namespace attnsweep {
namespace {

namespace fs = std::filesystem;

const std::string kSource = ATTNSWEEP_SOURCE_DIR;
const std::string kFakeProvider = kSource + "/tests/engine/fake_provider.py";
const std::string kTorchProvider = kSource + "/engine/providers/torch_provider.py";

bool have_python() { return std::system("python3 -c 'import json, threading' >/dev/null 2>&1") == 0; }
bool python_has_torch() { return std::system("python3 -c 'import torch' >/dev/null 2>&1") == 0; }

#define SKIP_WITHOUT_PYTHON() \
  if (!have_python()) GTEST_SKIP() << "python3 is not installed here"

// A fresh directory under the test temp dir, removed at the end of the test; the process id keeps
// test runs of other build trees at the same time out of it.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::path(::testing::TempDir()) / ("provider_test_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& relative, const std::string& text) const {
    const fs::path file = path / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
};

Provider fake_provider(const std::vector<std::string>& kernels) {
  Provider p;
  p.name = "fake";
  p.command = {"python3", kFakeProvider, "--device", "{device}"};
  p.file = "(test)";
  for (const std::string& k : kernels) p.kernels.push_back({k, "fake kernel " + k, ""});
  return p;
}

const std::vector<std::string> kFakeKernels = {"fake_ok", "fake_unsupported", "fake_wrong", "fake_error", "fake_crash"};

SweepSpec spec_of(std::vector<std::string> kernels, int tiers) {
  SweepSpec spec;
  spec.name = "provider-test";
  spec.kernels = std::move(kernels);
  spec.dtypes = {DType::fp16};
  spec.causal = {false};
  for (int i = 0; i < tiers; ++i) spec.tiers.push_back(TierShape{64 << i, 64 << i, 16, 2, 1});
  spec.timing.warmup_ms = 1;
  spec.timing.min_samples = 3;
  spec.timing.max_samples = 5;
  spec.timing.max_cell_s = 0.2;
  spec.seed = 42;
  return spec;
}

WorkerExecutorOptions provider_options(const Provider& p) {
  WorkerExecutorOptions o;
  o.command = p.launch_command();
  o.backend = Backend::cuda;
  o.devices = {0};
  o.startup_timeout_s = 30;
  o.watchdog_margin_s = 20;
  return o;
}

struct Collected {
  std::vector<std::size_t> indices;
  std::vector<CellResult> results;
  std::vector<std::string> logs;
  SweepObserver observer() {
    SweepObserver o;
    o.cell_finished = [this](std::size_t i, const CellResult&) { indices.push_back(i); };
    o.log = [this](const std::string& level, const std::string& text) { logs.push_back(level + ": " + text); };
    return o;
  }
  std::function<void(const CellResult&)> sink() {
    return [this](const CellResult& r) { results.push_back(r); };
  }
};

// ---- provider files ----

TEST(ProviderFile, RelativePathsResolveAgainstTheFile) {
  TempDir dir("paths");
  const std::string file = dir.write("conf/p.json", R"({"name": "mine", "working_dir": "..",
    "command": ["python3", "../bin/p.py", "--device", "{device}"],
    "kernels": [{"name": "mine.k", "description": "a kernel", "seed_analogue": "vectorized_torch"}]})");
  const Provider p = load_provider_file(file);
  EXPECT_EQ(p.name, "mine");
  ASSERT_EQ(p.command.size(), 4u);
  EXPECT_EQ(p.command[0], "python3");  // no '/': looked up on PATH
  EXPECT_EQ(p.command[1], (fs::absolute(dir.path) / "bin/p.py").lexically_normal().string());
  EXPECT_EQ(p.command[3], "{device}");
  EXPECT_EQ(fs::path(p.working_dir), fs::absolute(dir.path).lexically_normal());
  ASSERT_EQ(p.kernels.size(), 1u);
  EXPECT_EQ(p.kernels[0].seed_analogue, "vectorized_torch");
  const std::vector<std::string> argv = p.launch_command();
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ((std::vector<std::string>{argv[0], argv[1], argv[2]}), (std::vector<std::string>{"env", "-C", p.working_dir}));
  EXPECT_EQ(argv[3], "python3");
}

TEST(ProviderFile, ErrorsNameTheFileAndTheField) {
  const std::string ok_kernels = R"("kernels": [{"name": "a"}])";
  const std::string ok_command = R"("command": ["x"])";
  const struct {
    std::string text;
    std::string field;  // expected in the message
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[1]", "must be a JSON object"},
      {"{" + ok_command + ", " + ok_kernels + "}", "field 'name': is missing"},
      {R"({"name": "", )" + ok_command + ", " + ok_kernels + "}", "field 'name': must be a non-empty string"},
      {R"({"name": "a b", )" + ok_command + ", " + ok_kernels + "}", "field 'name': may hold only"},
      {R"({"name": "p", )" + ok_kernels + "}", "field 'command': is missing"},
      {R"({"name": "p", "command": [], )" + ok_kernels + "}", "field 'command': must be a non-empty array"},
      {R"({"name": "p", "command": ["x", 3], )" + ok_kernels + "}", "field 'command/1': must be a non-empty string"},
      {R"({"name": "p", )" + ok_command + "}", "field 'kernels': is missing"},
      {R"({"name": "p", )" + ok_command + R"(, "kernels": []})", "field 'kernels': must be a non-empty array"},
      {R"({"name": "p", )" + ok_command + R"(, "kernels": ["a"]})", "field 'kernels/0': must be an object"},
      {R"({"name": "p", )" + ok_command + R"(, "kernels": [{"name": "a|b"}]})", "field 'kernels/0/name': 'a|b' may hold only"},
      {R"({"name": "p", )" + ok_command + R"(, "kernels": [{"name": "a"}, {"name": "a"}]})", "field 'kernels/1/name': duplicate kernel 'a'"},
      {R"({"name": "p", )" + ok_command + R"(, "kernels": [{"name": "a", "desc": "x"}]})", "field 'kernels/0/desc': is not a known field"},
      {R"({"name": "p", "workdir": ".", )" + ok_command + ", " + ok_kernels + "}", "field 'workdir': is not a known field"},
      {R"({"name": "p", "working_dir": 3, )" + ok_command + ", " + ok_kernels + "}", "field 'working_dir': must be a string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_provider(c.text, "/some/where/p.json");
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("/some/where/p.json: ", 0), 0u) << what;
      EXPECT_NE(what.find(c.field), std::string::npos) << what;
    }
  }
  EXPECT_THROW(load_provider_file("/no/such/provider.json"), std::runtime_error);
}

TEST(ProviderRegistry, ShipsTheTorchProviderWithTheSeedsKernels) {
  const std::vector<Provider> all = installed_providers();
  const auto torch = std::find_if(all.begin(), all.end(), [](const Provider& p) { return p.name == "torch"; });
  ASSERT_NE(torch, all.end());
  std::vector<std::string> names;
  for (const ProviderKernel& k : torch->kernels) names.push_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"scaled_dot_prod_attention", "vectorized_torch",
                                             "vectorized_torch_compiled", "flash_attention_triton", "torch.sdpa_cudnn",
                                             "torch.sdpa_flash", "torch.sdpa_efficient", "torch.sdpa_math"}));
  // The command points at the provider script, wherever the checkout is.
  ASSERT_GE(torch->command.size(), 2u);
  EXPECT_TRUE(fs::equivalent(torch->command[1], kTorchProvider)) << torch->command[1];
  for (const std::string& e : provider_load_errors()) ADD_FAILURE() << e;
  EXPECT_TRUE(is_provider_kernel("torch.sdpa_cudnn"));
  EXPECT_FALSE(is_provider_kernel("cpu_naive"));  // built-in
  EXPECT_FALSE(is_provider_kernel("no_such_kernel"));
}

// Provider files come from ATTNSWEEP_PROVIDERS and the shipped data, never from the current
// directory: starting the program inside someone else's checkout must not run their code.
TEST(ProviderRegistry, SearchesTheEnvironmentAndTheShippedProvidersNotTheCurrentDirectory) {
  const TempDir checkout("checkout");
  checkout.write("resources/providers/theirs.json", R"({"name": "theirs", "command": ["./run.sh"], "kernels": [{"name": "x"}]})");
  const test_support::ScopedEnv env("ATTNSWEEP_PROVIDERS", "/my/providers:/my/one.json");
  const fs::path before = fs::current_path();
  fs::current_path(checkout.path);
  const std::vector<std::string> paths = provider_search_paths();
  fs::current_path(before);
  EXPECT_EQ(paths, (std::vector<std::string>{"/my/providers", "/my/one.json",
                                             (data_dir() / "resources" / "providers").string()}));
}

TEST(ProviderRegistry, SpecsAndPlansAcceptProviderKernels) {
  register_provider(fake_provider(kFakeKernels));
  const SpecParseResult parsed = parse_spec(R"({"version": 1, "name": "p", "kernels": ["cpu_naive", "fake_ok"],
    "dtypes": ["fp16"], "causal": [false], "tiers": [{"q_n": 128, "head_dim": 64, "heads": 2, "batch": 1}]})");
  ASSERT_TRUE(parsed.spec) << (parsed.errors.empty() ? "" : parsed.errors.front().to_string());
  const Plan plan = make_plan(*parsed.spec, make_cpu_device()->caps());
  ASSERT_EQ(plan.cells.size(), 2u);
  const Cell& provided = plan.cells[1];
  EXPECT_EQ(provided.kernel, "fake_ok");
  EXPECT_TRUE(provided.supported) << provided.unsupported_reason;
  EXPECT_EQ(provided.bytes_estimate, 4u * 2 * 128 * 64 * 2);  // Q, K, V, O in fp16

  // The seed's own rows, by their seed names.
  const SpecParseResult seed_torch = parse_spec(preset_json("seed-torch").value());
  ASSERT_TRUE(seed_torch.spec) << (seed_torch.errors.empty() ? "" : seed_torch.errors.front().to_string());
  EXPECT_EQ(seed_torch.spec->tiers.size(), 24u);
  EXPECT_EQ(seed_torch.spec->kernels.size(), 6u);
}

TEST(ProviderRegistry, RefusesABuiltInKernelsName) {
  Provider p = fake_provider({"cpu_naive"});
  p.name = "thief";
  try {
    register_provider(p);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'cpu_naive' is a built-in kernel's name"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(is_provider_kernel("cpu_naive"));
}

// ---- conformance: the fake provider through the worker executor ----

TEST(ProviderConformance, StatusesCrashAndRestartThroughTheWorkerExecutor) {
  SKIP_WITHOUT_PYTHON();
  const Provider provider = fake_provider(kFakeKernels);
  register_provider(provider);
  const SweepSpec spec = spec_of(kFakeKernels, 2);
  auto executor = make_worker_executor(provider_options(provider));
  ASSERT_NE(executor->device(), nullptr);
  EXPECT_EQ(executor->device()->info().name, "fake provider (no device)");

  TempDir dir("conformance");
  const std::string file = (dir.path / "out.jsonl").string();
  Collected seen;
  const SweepOutcome outcome = run_sweep(spec, *executor, {file, false}, seen.observer());
  EXPECT_FALSE(outcome.cancelled);
  EXPECT_EQ(outcome.measured, 10u);

  const ResultFile written = read_result_file(file);
  EXPECT_EQ(written.header["environment"]["device"]["name"], "fake provider (no device)");
  ASSERT_EQ(written.results.size(), 10u);
  std::map<std::string, std::vector<std::string>> statuses;  // kernel -> status per tier
  for (const CellResult& r : written.results) {
    SCOPED_TRACE(r.cell.id());
    statuses[r.cell.kernel].push_back(std::string(status_name(r.status)));
    if (r.cell.kernel == "fake_ok") {
      ASSERT_FALSE(r.timings.empty());
      EXPECT_GT(r.timings.front().time_ms.median, 0);
      EXPECT_TRUE(r.check.checked && r.check.passed);
      EXPECT_NE(r.message.find("synthetic"), std::string::npos);  // never passes for a measurement
      // The provider derives input seeds as the engine does.
      EXPECT_NE(r.message.find("input seed " + std::to_string(cell_seed(spec.seed, r.cell.id()))), std::string::npos)
          << r.message;
    } else {
      EXPECT_TRUE(r.timings.empty());
      EXPECT_FALSE(r.message.empty());
    }
    if (r.cell.kernel == "fake_wrong") {
      EXPECT_TRUE(r.check.checked && !r.check.passed);
    }
    if (r.cell.kernel == "fake_crash") {
      EXPECT_NE(r.message.find("exited with code 70"), std::string::npos) << r.message;
      EXPECT_NE(r.message.find("crashing on purpose"), std::string::npos) << r.message;  // its stderr
    }
  }
  // The crash in tier 1 does not stop tier 2: the provider is restarted and answers again.
  EXPECT_EQ(statuses["fake_ok"], (std::vector<std::string>{"ok", "ok"}));
  EXPECT_EQ(statuses["fake_unsupported"], (std::vector<std::string>{"unsupported", "unsupported"}));
  EXPECT_EQ(statuses["fake_wrong"], (std::vector<std::string>{"wrong", "wrong"}));
  EXPECT_EQ(statuses["fake_error"], (std::vector<std::string>{"error", "error"}));
  EXPECT_EQ(statuses["fake_crash"], (std::vector<std::string>{"crashed", "crashed"}));
}

TEST(ProviderConformance, CancelStopsASlowCell) {
  SKIP_WITHOUT_PYTHON();
  const Provider provider = fake_provider({"fake_slow"});
  auto executor = make_worker_executor(provider_options(provider));
  const Plan plan = make_plan(spec_of({"fake_ok"}, 1));
  Plan slow = plan;
  slow.cells[0].kernel = "fake_slow";  // not registered: the plan is edited to reach the provider
  slow.cells[0].supported = true;
  slow.cells[0].unsupported_reason.clear();
  std::atomic<bool> cancel{false};
  Collected seen;
  SweepObserver observer = seen.observer();
  observer.cell_started = [&](std::size_t, const Cell&) { cancel = true; };
  RunOptions options;
  options.cancel = &cancel;
  EXPECT_FALSE(executor->run(slow, options, observer, seen.sink()));
  EXPECT_TRUE(seen.results.empty());  // an interrupted cell is not written: a resume runs it
}

// ---- routing: built-in and provider kernels in one sweep ----

TEST(RoutingExecutor, SendsEachCellToItsKernelsExecutorInPlanOrder) {
  SKIP_WITHOUT_PYTHON();
  const Provider provider = fake_provider(kFakeKernels);
  register_provider(provider);
  std::vector<ExecutorRoute> routes;
  routes.push_back(make_provider_route(provider, {"fake_ok", "fake_crash"}, provider_options(provider)));
  auto executor = make_routing_executor(make_in_process_executor(make_cpu_device()), std::move(routes));
  EXPECT_NE(executor->describe().find("fake on "), std::string::npos) << executor->describe();
  EXPECT_EQ(executor->device()->info().facts.at("fake.provider"), "fake");  // the provider's facts, prefixed

  SweepSpec spec = spec_of({"cpu_naive", "fake_ok", "fake_crash", "cpu_flash"}, 2);
  spec.dtypes = {DType::fp32};
  TempDir dir("routing");
  const std::string file = (dir.path / "out.jsonl").string();
  Collected seen;
  const SweepOutcome outcome = run_sweep(spec, *executor, {file, false}, seen.observer());
  EXPECT_EQ(outcome.measured, 8u);
  EXPECT_EQ(seen.indices, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));

  const ResultFile written = read_result_file(file);
  EXPECT_EQ(written.header["environment"]["device"]["fake.provider"], "fake");  // facts sit beside name
  const Plan plan = make_plan(spec);
  ASSERT_EQ(written.results.size(), plan.cells.size());
  for (std::size_t i = 0; i < plan.cells.size(); ++i) {
    const CellResult& r = written.results[i];
    EXPECT_EQ(r.cell.id(), plan.cells[i].id());
    const std::string want = r.cell.kernel == "fake_crash" ? "crashed" : "ok";
    EXPECT_EQ(status_name(r.status), want) << r.cell.id() << ": " << r.message;
  }
  // Built-in cells were really measured here; provider cells came from the provider.
  EXPECT_EQ(written.results[0].message.find("synthetic"), std::string::npos);
  EXPECT_NE(written.results[1].message.find("synthetic"), std::string::npos);

  // Resume: nothing left to run, nothing rerun.
  Collected again;
  const SweepOutcome resumed = run_sweep(spec, *executor, {file, true}, again.observer());
  EXPECT_EQ(resumed.already_done, 8u);
  EXPECT_EQ(resumed.measured, 0u);
}

// ---- the method in Python ----

// The provider checks the rows the engine would: method.py's choose_check_rows is correctness.cpp's.
TEST(ProviderMethod, ChecksTheRowsTheEngineChecks) {
  SKIP_WITHOUT_PYTHON();
  struct Case {
    AttentionProblem p;
    std::uint64_t seed;
    bool all_rows;
  };
  const auto problem = [](std::int64_t b, std::int64_t h, std::int64_t n, std::int64_t d) {
    AttentionProblem p;
    p.batch = b, p.heads = h, p.q_n = p.k_n = n, p.head_dim = d;
    return p;
  };
  for (const Case& c : {Case{problem(2, 3, 40, 16), 7, false}, Case{problem(2, 12, 2048, 64), 99, false},
                        Case{problem(32, 32, 512, 64), 5, false}, Case{problem(1, 2, 1024, 128), 1, true}}) {
    SCOPED_TRACE(std::to_string(c.p.batch) + "x" + std::to_string(c.p.heads) + "x" + std::to_string(c.p.q_n));
    TempDir dir("rows");
    const std::string script = dir.write("rows.py", "import sys\nsys.path.insert(0, '" + kSource + "/engine/providers')\n"
                                         "import method\nfor r in method.choose_check_rows(" +
                                         std::to_string(c.p.batch) + ", " + std::to_string(c.p.heads) + ", " +
                                         std::to_string(c.p.q_n) + ", " + std::to_string(c.p.k_n) + ", " +
                                         std::to_string(c.p.head_dim) + ", " + std::to_string(c.seed) + ", " +
                                         (c.all_rows ? "True" : "False") + "):\n    print(*r)\n");
    const std::string out = (dir.path / "rows.txt").string();
    ASSERT_EQ(std::system(("python3 " + script + " > " + out).c_str()), 0);
    std::ifstream in(out);
    std::vector<OutputRow> python;
    for (OutputRow r; in >> r.batch >> r.head >> r.row;) python.push_back(r);
    EXPECT_EQ(python, choose_check_rows(c.p, c.seed, c.all_rows));
  }
}

// ---- the torch provider where torch is missing ----

#define SKIP_UNLESS_TORCH_IS_MISSING()                                                             \
  SKIP_WITHOUT_PYTHON();                                                                           \
  if (python_has_torch()) GTEST_SKIP() << "torch is installed: this checks the machine without it"

// The torch provider as installed from this source tree (resources/providers/torch.json).
Provider installed_torch_provider() {
  const std::vector<Provider> all = installed_providers();
  const auto torch = std::find_if(all.begin(), all.end(), [](const Provider& p) { return p.name == "torch"; });
  if (torch == all.end()) throw std::runtime_error("the torch provider is not installed");
  return *torch;
}

// The provider's kernels run `plan` without torch: every cell unsupported, saying torch is missing.
void expect_unsupported_for_missing_torch(Executor& executor, const Plan& plan) {
  Collected seen;
  EXPECT_TRUE(executor.run(plan, {}, seen.observer(), seen.sink()));
  ASSERT_EQ(seen.results.size(), plan.cells.size());
  for (const CellResult& r : seen.results) {
    EXPECT_EQ(r.status, CellStatus::unsupported) << r.cell.id();
    EXPECT_NE(r.message.find("torch is not installed in "), std::string::npos) << r.message;
  }
}

TEST(TorchProvider, WithoutTorchSaysHelloAndAnswersEveryCellUnsupported) {
  SKIP_UNLESS_TORCH_IS_MISSING();
  const Provider torch = installed_torch_provider();
  auto executor = make_worker_executor(provider_options(torch));
  EXPECT_EQ(executor->device()->info().name, "no torch");
  EXPECT_EQ(executor->device()->info().facts.at("torch"), "not installed");
  std::vector<std::string> kernels;
  for (const ProviderKernel& k : torch.kernels) kernels.push_back(k.name);
  expect_unsupported_for_missing_torch(*executor, make_plan(spec_of(kernels, 1)));
}

// The baseline presets' torch cells, on a machine without torch: every one `unsupported`, saying why.
TEST(TorchProvider, BaselinePresetsWithoutTorchAreUnsupportedWithTheReason) {
  SKIP_UNLESS_TORCH_IS_MISSING();
  auto executor = make_worker_executor(provider_options(installed_torch_provider()));
  for (const char* name : {"seed-vs-torch", "fa3-vs-torch"}) {
    SCOPED_TRACE(name);
    nlohmann::json j = nlohmann::json::parse(preset_json(name).value());
    j["kernels"] = {"torch.sdpa_cudnn", "torch.sdpa_flash", "flash_attention_triton"};  // ours need a CUDA build
    const SpecParseResult parsed = parse_spec(j.dump());
    ASSERT_TRUE(parsed.spec) << parsed.errors.front().to_string();
    expect_unsupported_for_missing_torch(*executor, make_plan(*parsed.spec));
  }
}

}  // namespace
}  // namespace attnsweep
