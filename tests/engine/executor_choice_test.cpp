// The one place attnsweep-cli and the app choose an executor (executor_choice.cpp).
#include "attnsweep/engine/executor_choice.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "attnsweep/engine/providers.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {
namespace {

SweepSpec spec_of(std::vector<std::string> kernels) {
  SweepSpec s;
  s.name = "choice";
  s.kernels = std::move(kernels);
  return s;
}

// A provider the tests register; its program is started only where a test says so.
void register_choice_provider() {
  Provider p;
  p.name = "choice-fake";
  p.command = {"python3", ATTNSWEEP_SOURCE_DIR "/tests/engine/fake_provider.py", "--device", "{device}"};
  p.file = "(test)";
  p.kernels.push_back({"choice_fake_ok", "a fake kernel", ""});
  register_provider(p);
}

TEST(ExecutorChoice, BackendsByName) {
  EXPECT_EQ(parse_backend_choice("auto"), BackendChoice::automatic);
  EXPECT_EQ(parse_backend_choice("cpu"), BackendChoice::cpu);
  EXPECT_EQ(parse_backend_choice("cuda"), BackendChoice::cuda);
  EXPECT_FALSE(parse_backend_choice("tpu").has_value());
  EXPECT_EQ(resolve_backend(BackendChoice::cpu), Backend::cpu);
  EXPECT_EQ(resolve_backend(BackendChoice::cuda), Backend::cuda);
  EXPECT_EQ(resolve_backend(BackendChoice::automatic), cuda_device_count() > 0 ? Backend::cuda : Backend::cpu);
}

TEST(ExecutorChoice, CpuWorkRunsInThisProcessUnlessAWorkerIsNamed) {
  const SweepSpec spec = spec_of({"cpu_naive"});
  EXPECT_EQ(make_executor(spec, {BackendChoice::cpu})->describe(), "cpu:0 (in-process)");
  ExecutorChoice remote{BackendChoice::cpu};
  remote.worker_command = std::string(ATTNSWEEP_CLI) + " worker --backend cpu";
  EXPECT_EQ(make_executor(spec, remote)->describe(), "cpu:0 (worker)");
}

TEST(ExecutorChoice, CudaWithoutADeviceSaysSo) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  try {
    make_executor(spec_of({"cpu_naive"}), {BackendChoice::cuda});
    ADD_FAILURE() << "made an executor";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA device is available here"), std::string::npos) << e.what();
  }
}

TEST(ExecutorChoice, DevicesThatAreNotHereAreAUsageError) {
  register_choice_provider();
  ExecutorChoice choice{BackendChoice::cpu};
  choice.devices = "7";
  try {
    make_executor(spec_of({"choice_fake_ok"}), choice);
    ADD_FAILURE() << "made an executor";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("devices: '7' is not a device here"), std::string::npos) << e.what();
  }
}

TEST(ExecutorChoice, ProviderKernelsGetTheirOwnWorker) {
  if (std::system("python3 -c 'import json' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 is not installed here";
  register_choice_provider();
  const auto executor = make_executor(spec_of({"cpu_naive", "choice_fake_ok"}), {BackendChoice::cpu});
  EXPECT_EQ(executor->describe(), "cpu:0 (in-process) + choice-fake on cuda:0 (worker)");
  EXPECT_EQ(make_executor(spec_of({"choice_fake_ok"}), {BackendChoice::cpu})->describe(), "cuda:0 (worker)")
      << "a spec of provider kernels only starts no built-in executor";
}

// --worker-command is split as a shell splits words, so an argument may hold a space.
TEST(ExecutorChoice, WorkerCommandsSplitIntoWordsAsAShellWould) {
  using Words = std::vector<std::string>;
  EXPECT_EQ(command_words("ssh gpu  attnsweep-cli worker --device {device}"),
            (Words{"ssh", "gpu", "attnsweep-cli", "worker", "--device", "{device}"}));
  EXPECT_EQ(command_words("'/opt/my tools/attnsweep-cli' worker"), (Words{"/opt/my tools/attnsweep-cli", "worker"}));
  EXPECT_EQ(command_words(R"(ssh gpu "cd /srv/a b && attnsweep-cli worker")"),
            (Words{"ssh", "gpu", "cd /srv/a b && attnsweep-cli worker"}));
  EXPECT_EQ(command_words(R"(a\ b "say \"hi\" \\ $HOME" 'it''s' "")"), (Words{"a b", "say \"hi\" \\ $HOME", "its", ""}));
  EXPECT_THROW(command_words("ssh 'gpu"), std::invalid_argument);
  EXPECT_THROW(command_words("ssh \"gpu"), std::invalid_argument);
  EXPECT_THROW(command_words("   "), std::invalid_argument);
  try {
    command_words("run 'here");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "worker command: the ' at character 5 is not closed");
  }
}

TEST(ExecutorChoice, TheWorkerProgramIsAttnsweepCli) {
  // These tests are not attnsweep-cli; the build tree has it in engine/ beside tests/.
  const std::string program = worker_program();
  EXPECT_TRUE(program.ends_with("/attnsweep-cli")) << program;
}

TEST(ExecutorChoice, AProcessOfSeveralOnAHostTakesOneDeviceByItsPlace) {
  if (cuda_device_count() == 0) {
    try {
      device_for_node_rank("", 0);
      ADD_FAILURE() << "a device without a GPU";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("no CUDA device is available here"), std::string::npos) << e.what();
    }
    return;
  }
  const int n = cuda_device_count();
  for (int rank = 0; rank < 2 * n + 1; ++rank) {
    EXPECT_EQ(device_for_node_rank("", rank), rank % n);
    EXPECT_EQ(device_for_node_rank("all", rank), rank % n);
    EXPECT_EQ(device_for_node_rank("0", rank), 0);  // ranks share the one named
  }
  EXPECT_THROW(device_for_node_rank(std::to_string(n), 0), std::invalid_argument);
}

}  // namespace
}  // namespace attnsweep
