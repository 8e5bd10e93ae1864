// The hand-out of a sweep over several ranks (hand_out.cpp), with every rank on a thread of this
// process: the same two ends an MPI job runs, over memory instead of MPI (mpi_sweep_test.cpp runs
// them under mpirun).
#include "attnsweep/engine/hand_out.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/schedule.h"
#include "attnsweep/engine/store.h"
#include "attnsweep/engine/sweep.h"
#include "attnsweep/kernels/device.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using nlohmann::json;
using testing::TempDir;

// 2 kernels x 3 tiers x 2 masks = 12 small CPU cells.
SweepSpec sample_spec() {
  const SpecParseResult parsed = parse_spec(R"({"version": 1, "name": "hand-out", "kernels": ["cpu_naive", "cpu_flash"],
    "dtypes": ["fp32"], "causal": [false, true],
    "tiers": [{"q_n": 32, "head_dim": 16, "heads": 2, "batch": 1}, {"q_n": 64, "head_dim": 8, "heads": 1, "batch": 1},
              {"q_n": 48, "k_n": 40, "head_dim": 8, "heads": 1, "batch": 2}],
    "timing": {"warmup_ms": 0, "min_samples": 3, "max_samples": 3, "target_rel_ci": 0.5, "max_cell_s": 0.2, "modes": ["batch"]},
    "seed": 11})");
  EXPECT_TRUE(parsed.spec);
  return *parsed.spec;
}

std::unique_ptr<Executor> cpu_executor() { return make_in_process_executor(make_cpu_device()); }

// Every rank of a job in this process: all messages to rank 0 through one mailbox.
class ThreadRankLinks final : public RankLinks {
 public:
  explicit ThreadRankLinks(int size) {
    for (int r = 0; r < size; ++r) links_.push_back(std::make_unique<ThreadLink>(r, mailbox_));
  }
  int size() const override { return static_cast<int>(links_.size()); }
  std::optional<RankMessage> receive(std::chrono::microseconds wait) override { return mailbox_.pop(wait); }
  void assign(int rank, const std::optional<std::string>& cell_id) override { links_[rank]->assign(cell_id); }
  CoordinatorLink& own_link() override { return *links_[0]; }
  CoordinatorLink& link(int rank) { return *links_[rank]; }

 private:
  Mailbox mailbox_;
  std::vector<std::unique_ptr<ThreadLink>> links_;
};

// An executor whose device gave up: every run throws, as a worker executor does when no worker is left.
class GivenUpExecutor final : public Executor {
 public:
  explicit GivenUpExecutor(std::unique_ptr<Executor> inner) : inner_(std::move(inner)) {}
  std::string describe() const override { return inner_->describe(); }
  const Device* device() const override { return inner_->device(); }
  DeviceCaps caps() const override { return inner_->caps(); }
  bool run(const Plan&, const RunOptions&, const SweepObserver&,
           const std::function<void(const CellResult&)>&) override {
    throw std::runtime_error("no worker is left");
  }

 private:
  std::unique_ptr<Executor> inner_;
};

// A job of `executors.size()` ranks: rank 0's executor goes to the coordinator, the others serve
// on threads. run_sweep() runs the sweep; the threads end when rank 0 says stop.
class Job {
 public:
  explicit Job(std::vector<std::unique_ptr<Executor>> executors, const SweepSpec& spec = sample_spec(),
               std::vector<std::string> hellos = {})
      : spec_(spec), executors_(std::move(executors)) {
    auto links = std::make_unique<ThreadRankLinks>(static_cast<int>(executors_.size()));
    links_ = links.get();
    for (std::size_t r = 0; r < executors_.size(); ++r)
      if (hellos.size() <= r)
        hellos.push_back(hello_message(static_cast<int>(r), static_cast<int>(r), executors_[r].get(), "", false));
    for (std::size_t r = 1; r < executors_.size(); ++r)
      threads_.emplace_back([this, r] {
        if (executors_[r]) {
          serve_cells(links_->link(static_cast<int>(r)), *executors_[r], spec_);
        } else {  // could not start: waits for the stop, as mpi::serve does
          while (links_->link(static_cast<int>(r)).next_cell()) {
          }
          links_->link(static_cast<int>(r)).send(R"({"kind":"bye"})");
        }
      });
    try {
      coordinator_ = make_hand_out_executor(std::move(links), hellos, std::move(executors_[0]), spec_);
    } catch (...) {
      join();
      throw;
    }
  }
  ~Job() {
    coordinator_.reset();  // stops the ranks if no sweep ran
    join();
  }
  Executor& coordinator() { return *coordinator_; }

 private:
  void join() {
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }
  SweepSpec spec_;
  std::vector<std::unique_ptr<Executor>> executors_;
  ThreadRankLinks* links_ = nullptr;
  std::vector<std::thread> threads_;
  std::unique_ptr<Executor> coordinator_;
};

std::vector<std::unique_ptr<Executor>> cpu_ranks(int n) {
  std::vector<std::unique_ptr<Executor>> out;
  for (int r = 0; r < n; ++r) out.push_back(cpu_executor());
  return out;
}

// Logs and the order cells were handed out in.
struct Seen {
  std::vector<std::string> started;
  std::vector<std::string> logs;
  SweepObserver observer() {
    SweepObserver o;
    o.cell_started = [this](std::size_t, const Cell& c) { started.push_back(c.id()); };
    o.log = [this](const std::string& level, const std::string& text) { logs.push_back(level + ": " + text); };
    return o;
  }
};

std::map<std::string, const CellResult*> by_id(const ResultFile& f) {
  std::map<std::string, const CellResult*> out;
  for (const CellResult& r : f.results) out[r.cell.id()] = &r;
  return out;
}

TEST(HandOut, ThreeRanksWriteEveryCellOnceWithTheResultsOfOneProcess) {
  TempDir dir;
  const SweepSpec spec = sample_spec();
  const std::unique_ptr<Executor> alone = cpu_executor();
  run_sweep(spec, *alone, SweepFile{dir.file("one.jsonl"), false}, SweepObserver{});

  Seen seen;
  SweepOutcome outcome;
  {
    Job job(cpu_ranks(3));
    EXPECT_EQ(job.coordinator().describe().rfind("mpi: 3 ranks on 1 host; rank 0: cpu", 0), 0u)
        << job.coordinator().describe();
    outcome =
        run_sweep(spec, job.coordinator(), SweepFile{dir.file("three.jsonl"), false}, seen.observer());
  }
  const ResultFile one = read_result_file(dir.file("one.jsonl"));
  const ResultFile three = read_result_file(dir.file("three.jsonl"));
  EXPECT_EQ(outcome.measured, one.results.size());
  EXPECT_FALSE(outcome.cancelled);
  ASSERT_EQ(three.results.size(), one.results.size());
  std::ifstream lines(dir.file("three.jsonl"));
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(lines), {}, '\n'), 1 + static_cast<long>(one.results.size()))
      << "a cell was written twice";
  std::set<std::string> started(seen.started.begin(), seen.started.end());
  EXPECT_EQ(started.size(), seen.started.size()) << "a cell was handed out twice";
  const auto mine = by_id(three);
  for (const CellResult& r : one.results) {
    ASSERT_TRUE(mine.count(r.cell.id())) << r.cell.id();
    const CellResult& m = *mine.at(r.cell.id());
    EXPECT_EQ(m.status, r.status) << r.cell.id();
    EXPECT_EQ(m.check.passed, r.check.passed) << r.cell.id();
    EXPECT_EQ(m.device_name, make_cpu_device()->info().name);
  }
  ASSERT_EQ(three.header["ranks"].size(), 3u);
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(three.header["ranks"][r]["rank"], r);
    EXPECT_EQ(three.header["ranks"][r]["environment"]["device"]["backend"], "cpu");
  }
  EXPECT_FALSE(three.header.contains("mixed_devices"));
  const bool reported = std::any_of(seen.logs.begin(), seen.logs.end(), [](const std::string& l) {
    return l.rfind("info: hand-out: ", 0) == 0 && l.find(" ms for each on average") != std::string::npos;
  });
  EXPECT_TRUE(reported) << "no wait summary among " << seen.logs.size() << " log lines";
}

TEST(HandOut, CellsGoOutLargestFirstAndFinishedOnesAreNotRunAgain) {
  TempDir dir;
  const SweepSpec spec = sample_spec();
  const std::string path = dir.file("r.jsonl");
  const Plan plan = make_plan(spec, make_cpu_device()->caps());
  // A file that already holds the largest cell.
  {
    ResultFile done;
    done.header = {{"type", "header"}, {"schema", kResultSchema}, {"spec", json::parse(spec_to_json(spec))}};
    done.results.push_back(testing::ok_result(plan.cells[largest_first(plan)[0]], 1.0));
    write_result_file(path, done);
  }
  Seen seen;
  {
    Job job(cpu_ranks(1));  // rank 0 alone: the hand-out order is the order cells start in
    const SweepOutcome outcome =
        run_sweep(spec, job.coordinator(), SweepFile{path, true}, seen.observer());
    EXPECT_EQ(outcome.already_done, 1u);
    EXPECT_EQ(outcome.measured, plan.cells.size() - 1);
  }
  std::vector<std::string> expected;
  for (std::size_t i : largest_first(plan)) expected.push_back(plan.cells[i].id());
  expected.erase(expected.begin());
  EXPECT_EQ(seen.started, expected);
  EXPECT_EQ(read_result_file(path).results.size(), plan.cells.size());
}

TEST(HandOut, ARankThatGivesUpHandsItsCellBackAndTheOthersFinish) {
  TempDir dir;
  std::vector<std::unique_ptr<Executor>> ranks = cpu_ranks(3);
  ranks[1] = std::make_unique<GivenUpExecutor>(cpu_executor());
  Seen seen;
  {
    Job job(std::move(ranks));
    const SweepOutcome outcome = run_sweep(sample_spec(), job.coordinator(),
                                           SweepFile{dir.file("r.jsonl"), false}, seen.observer());
    EXPECT_EQ(outcome.measured, outcome.planned);
  }
  EXPECT_EQ(read_result_file(dir.file("r.jsonl")).results.size(), make_plan(sample_spec()).cells.size());
  const bool told = std::any_of(seen.logs.begin(), seen.logs.end(), [](const std::string& l) {
    return l.find("error: rank 1 on ") == 0 &&
           l.find("cannot measure any more (no worker is left)") != std::string::npos;
  });
  EXPECT_TRUE(told);
}

TEST(HandOut, WhenEveryRankGivesUpTheCellsLeftAreNamedNotLost) {
  TempDir dir;
  std::vector<std::unique_ptr<Executor>> ranks;
  ranks.push_back(std::make_unique<GivenUpExecutor>(cpu_executor()));
  ranks.push_back(std::make_unique<GivenUpExecutor>(cpu_executor()));
  Job job(std::move(ranks));
  try {
    run_sweep(sample_spec(), job.coordinator(), SweepFile{dir.file("r.jsonl"), false}, SweepObserver{});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no rank is left to run the remaining 12 cells"), std::string::npos)
        << e.what();
  }
}

TEST(HandOut, ARankThatCannotStartIsNamedAndEveryRankStops) {
  const std::string host = capture_environment(nullptr).value("host", "");
  std::vector<std::unique_ptr<Executor>> ranks = cpu_ranks(3);
  ranks[2].reset();
  const std::vector<std::string> hellos = {
      hello_message(0, 0, ranks[0].get(), "", false), hello_message(1, 1, ranks[1].get(), "", false),
      hello_message(2, 2, nullptr, "cannot start the cuda backend: no CUDA device is available here", false)};
  try {
    Job job(std::move(ranks), sample_spec(), hellos);
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 2 on " + host +
                                         ": cannot start the cuda backend: no CUDA device is available here"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
  }
}

TEST(HandOut, TheHeaderSaysWhenRanksRunOnDifferentModels) {
  TempDir dir;
  std::vector<std::unique_ptr<Executor>> ranks = cpu_ranks(2);
  json other = json::parse(hello_message(1, 0, ranks[1].get(), "", false));
  other["environment"]["device"]["name"] = "another card";
  other["environment"]["host"] = "elsewhere";
  const std::vector<std::string> hellos = {hello_message(0, 0, ranks[0].get(), "", false), other.dump()};
  {
    Job job(std::move(ranks), sample_spec(), hellos);
    EXPECT_NE(job.coordinator().describe().find("2 ranks on 2 hosts"), std::string::npos);
    run_sweep(sample_spec(), job.coordinator(), SweepFile{dir.file("r.jsonl"), false}, SweepObserver{});
  }
  const ResultFile f = read_result_file(dir.file("r.jsonl"));
  EXPECT_EQ(f.header["mixed_devices"], json::array({make_cpu_device()->info().name, "another card"}));
  EXPECT_EQ(f.header["ranks"][1]["environment"]["host"], "elsewhere");
}

TEST(HandOut, CancelStopsHandingOutAndResumeCompletes) {
  TempDir dir;
  const std::string path = dir.file("r.jsonl");
  std::atomic<bool> cancel{false};
  {
    Job job(cpu_ranks(2));
    SweepObserver stop_after_one;
    stop_after_one.cell_finished = [&](std::size_t, const CellResult&) { cancel = true; };
    const SweepOutcome first =
        run_sweep(sample_spec(), job.coordinator(), SweepFile{path, false}, stop_after_one, &cancel);
    EXPECT_TRUE(first.cancelled);
    EXPECT_LT(first.measured, first.planned);
  }
  {
    Job job(cpu_ranks(2));
    const SweepOutcome second =
        run_sweep(sample_spec(), job.coordinator(), SweepFile{path, true}, SweepObserver{});
    EXPECT_FALSE(second.cancelled);
    EXPECT_EQ(second.already_done + second.measured, second.planned);
  }
  EXPECT_EQ(read_result_file(path).results.size(), make_plan(sample_spec()).cells.size());
}

}  // namespace
}  // namespace attnsweep
