#pragma once
// An Executor that measures in worker processes speaking the worker protocol
// (docs/worker-protocol.md), one per device. A worker that dies makes its cell `crashed`, one
// that outlives the watchdog is killed and its cell is `timeout`; either way the worker is
// restarted and the sweep goes on. Cancel kills a worker stuck in a kernel. Every child is reaped.
#include <memory>
#include <string>
#include <vector>

#include "attnsweep/engine/executor.h"

namespace attnsweep {

struct WorkerExecutorOptions {
  // argv of one worker; every "{device}" in it becomes the worker's device ordinal. E.g.
  // {"ssh", "gpu-host", "attnsweep-cli", "worker", "--backend", "cuda", "--device", "{device}"}.
  std::vector<std::string> command;
  Backend backend = Backend::cuda;
  std::vector<int> devices = {0};  // one worker each; cells go to whichever is free

  // Watchdog per cell: factor x the spec's max_cell_s + margin (warm-up, checks, allocation).
  double watchdog_factor = 2.0;
  double watchdog_margin_s = 30;
  double startup_timeout_s = 60;  // spawn to hello (CUDA init; ssh)
  double cancel_grace_s = 2;      // after a cancel request, before the kill
  int max_start_attempts = 3;     // consecutive failed starts before a device is given up
};

// The command `<cli_path> worker --backend <cpu|cuda> --device {device}`.
std::vector<std::string> default_worker_command(const std::string& cli_path, Backend backend);

// This program's own path (/proc/self/exe), for default_worker_command in attnsweep-cli.
std::string current_executable_path();

// Starts every worker and waits for its hello. Throws std::runtime_error saying which worker
// failed and why (cannot start, exited, spoke another protocol version, no hello in time).
// Executor::run throws std::runtime_error when every device has been given up.
std::unique_ptr<Executor> make_worker_executor(WorkerExecutorOptions options);

}  // namespace attnsweep
