#pragma once
// The worker side of the worker protocol: the loop `attnsweep-cli worker` runs. It opens one
// device, answers hello, measures each requested cell with measure_cell and streams events, one
// flushed line each. Requests are read on a separate thread, so a cancel reaches a running cell.
#include <iosfwd>
#include <string>

#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

struct WorkerOptions {
  Backend backend = Backend::cuda;
  int device = 0;             // CUDA ordinal; ignored on the CPU
  std::string name = "attnsweep-cli";  // said in hello, with the version
};

// Exit codes of run_worker (and of `attnsweep-cli worker`).
inline constexpr int kWorkerExitOk = 0;            // shutdown or end of input
inline constexpr int kWorkerExitNoDevice = 1;      // the device could not be opened
inline constexpr int kWorkerExitProtocol = 2;      // a peer of another protocol version, or output failed
inline constexpr int kWorkerExitPoisoned = 3;      // a sticky device error: this process cannot go on

// Runs until shutdown, end of input, or a poisoned device. Unties `in` from any output stream
// (the reader thread must not flush `out` behind the writer's back). Never throws.
int run_worker(std::istream& in, std::ostream& out, const WorkerOptions& options);

}  // namespace attnsweep
