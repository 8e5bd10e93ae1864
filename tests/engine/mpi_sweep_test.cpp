// A sweep over MPI ranks end to end: attnsweep-cli under `mpirun --oversubscribe -np 3` on the CPU
// backend. Skips when this attnsweep-cli was built without MPI or no mpirun is on the PATH.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "attnsweep/engine/store.h"
#include "attnsweep/kernels/device.h"
#include "sample_results.h"
#include "support/shell_command.h"

namespace fs = std::filesystem;

namespace attnsweep {
namespace {

using testing::TempDir;

using Outcome = testing::ShellOutcome;
Outcome shell(const std::string& command) { return testing::run_shell(command); }

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0)
      return (fs::path(dir) / program).string();
  return "";
}

// Cells of 150 ms of warm-up each (so a rank can be killed mid-sweep), on tiny CPU problems.
std::string spec_text(int tiers, double warmup_ms) {
  std::string list;
  for (int i = 0; i < tiers; ++i)
    list += std::string(i ? "," : "") + R"({"q_n": )" + std::to_string(16 + 8 * i) +
            R"(, "head_dim": 8, "heads": 1, "batch": 1})";
  return R"({"name": "mpi-test", "kernels": ["cpu_naive", "cpu_flash"], "dtypes": ["fp32"], "causal": [false, true],
    "tiers": [)" +
         list + R"(], "timing": {"warmup_ms": )" + std::to_string(warmup_ms) +
         R"(, "min_samples": 3, "max_samples": 5, "target_rel_ci": 0.5, "max_cell_s": 0.2, "modes": ["batch"]}, "seed": 5})";
}

std::size_t lines_in(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

class MpiSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = find_on_path("mpirun");
    if (mpirun_.empty()) GTEST_SKIP() << "mpirun is not on the PATH (Debian: openmpi-bin)";
    const Outcome version = shell(std::string(ATTNSWEEP_CLI) + " --version");
    if (version.output.find("MPI: yes") == std::string::npos)
      GTEST_SKIP() << "attnsweep-cli was built without MPI (" << version.output << ")";
    // Open MPI refuses to start as root unless told twice; CI runs as root, a user does not.
    if (::getuid() == 0) {
      ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
      ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    }
  }

  // mpirun's arguments for `ranks` processes on this machine, whatever its core count; one OpenMP
  // thread each, so that ranks sharing a few cores do not spin against each other's threads.
  std::string launch(int ranks) const {
    return mpirun_ + " --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 -np " + std::to_string(ranks) + " " +
           ATTNSWEEP_CLI;
  }

  std::string mpirun_;
  TempDir dir_;
};

TEST_F(MpiSweepTest, ThreeRanksWriteOneFileWithEveryCellOnceAndTheResultsOfOneProcess) {
  const std::string spec = dir_.file("spec.json");
  std::ofstream(spec) << spec_text(3, 1);
  const std::string one = dir_.file("one.jsonl"), three = dir_.file("three.jsonl");
  const Outcome alone = shell(std::string(ATTNSWEEP_CLI) + " run --backend cpu -q --spec " + spec + " --out " + one);
  ASSERT_EQ(alone.code, 0) << alone.output;
  const Outcome mpi = shell(launch(3) + " run --backend cpu -q --spec " + spec + " --out " + three);
  ASSERT_EQ(mpi.code, 0) << mpi.output;
  EXPECT_NE(mpi.output.find("on mpi: 3 ranks on 1 host; rank 0: cpu"), std::string::npos) << mpi.output;
  EXPECT_NE(mpi.output.find("measured 12 of 12 cells"), std::string::npos) << mpi.output;
  EXPECT_EQ(mpi.output.find("rank 1"), std::string::npos) << "a rank printed: " << mpi.output;

  const ResultFile a = read_result_file(one), b = read_result_file(three);
  ASSERT_EQ(a.results.size(), 12u);
  EXPECT_EQ(lines_in(three), 1 + a.results.size()) << "not one line per cell";
  std::map<std::string, const CellResult*> by_id;
  for (const CellResult& r : b.results) by_id[r.cell.id()] = &r;
  for (const CellResult& r : a.results) {
    ASSERT_TRUE(by_id.count(r.cell.id())) << r.cell.id();
    EXPECT_EQ(by_id[r.cell.id()]->status, r.status) << r.cell.id();
    EXPECT_EQ(by_id[r.cell.id()]->check.passed, r.check.passed) << r.cell.id();
    EXPECT_TRUE(r.check.passed) << r.cell.id();
  }
  ASSERT_EQ(b.header["ranks"].size(), 3u);
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(b.header["ranks"][r]["rank"], r);
    EXPECT_EQ(b.header["ranks"][r]["node_rank"], r);  // one host
    EXPECT_EQ(b.header["ranks"][r]["environment"]["host"], a.header["environment"]["host"]);
  }
  EXPECT_EQ(b.header["spec"], a.header["spec"]);
}

TEST_F(MpiSweepTest, AJobThatLosesARankResumesWithoutRunningAFinishedCellAgain) {
  const std::string spec = dir_.file("spec.json");
  std::ofstream(spec) << spec_text(6, 150);  // 24 cells of about 0.2 s: several seconds on 3 ranks
  const std::string out = dir_.file("r.jsonl");
  const std::string log = dir_.file("first.log");

  const pid_t mpirun = ::fork();
  ASSERT_GE(mpirun, 0);
  if (mpirun == 0) {
    ::setpgid(0, 0);
    const std::string command =
        "exec " + launch(3) + " run --backend cpu -q --spec " + spec + " --out " + out + " >" + log + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Once a few cells are written, kill rank 1 as a lost host would be.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines_in(out) < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pid_t victim = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream environ(entry.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(environ)), {});
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(cmdline)), {});
    if (env.find(std::string("OMPI_COMM_WORLD_RANK=1") + '\0') != std::string::npos &&
        cmd.find("attnsweep-cli") != std::string::npos && cmd.find(out) != std::string::npos)
      victim = static_cast<pid_t>(std::stol(entry.path().filename().string()));
  }
  ASSERT_GT(victim, 0) << "rank 1 not found; cells written: " << lines_in(out) - 1;
  ::kill(victim, SIGKILL);
  int status = 0;
  ::waitpid(mpirun, &status, 0);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the job went on without a rank";

  const ResultFile partial = read_result_file(out);
  const std::size_t done = partial.results.size();
  ASSERT_GE(done, 3u);
  ASSERT_LT(done, 24u) << "the sweep ended before the kill";

  const Outcome resumed = shell(launch(3) + " run --backend cpu -q --resume --spec " + spec + " --out " + out);
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("measured " + std::to_string(24 - done) + " of 24 cells (" + std::to_string(done) +
                                " already in the file)"),
            std::string::npos)
      << resumed.output;
  const ResultFile whole = read_result_file(out);
  EXPECT_EQ(whole.results.size(), 24u);
  EXPECT_EQ(lines_in(out), 1 + 24u) << "a cell was run again, or a torn line kept";
  for (std::size_t i = 0; i < done; ++i)  // the finished cells are the records written before the kill
    EXPECT_EQ(whole.results[i].cell.id(), partial.results[i].cell.id());
}

TEST_F(MpiSweepTest, ABadArgumentIsSaidOnceAndNoRankRuns) {
  const Outcome out = shell(launch(3) + " run --backend cpu --spec " + dir_.file("missing.json"));
  EXPECT_EQ(out.code, 2) << out.output;
  const std::string message = "attnsweep-cli: --spec: " + dir_.file("missing.json") + ": no such file";
  ASSERT_NE(out.output.find(message), std::string::npos) << out.output;
  EXPECT_EQ(out.output.find(message, out.output.find(message) + 1), std::string::npos) << "said more than once";

  const Outcome shard = shell(launch(2) + " run --backend cpu --preset smoke --shard 3/2");
  EXPECT_EQ(shard.code, 2) << shard.output;
  EXPECT_NE(shard.output.find("--shard: must be K/N"), std::string::npos) << shard.output;
}

TEST_F(MpiSweepTest, RanksThatCannotStartAreNamedAndTheJobEnds) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present: the cuda backend starts here";
  const Outcome out = shell(launch(2) + " run --backend cuda --preset smoke --out " + dir_.file("r.jsonl"));
  EXPECT_EQ(out.code, 1) << out.output;
  EXPECT_NE(out.output.find("the sweep cannot start on every rank:"), std::string::npos) << out.output;
  for (const char* rank : {"rank 0 on ", "rank 1 on "})
    EXPECT_NE(out.output.find(rank), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("no CUDA device is available here"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(dir_.file("r.jsonl")));
}

}  // namespace
}  // namespace attnsweep
