#pragma once
// flash_sm90 with its kernel and schedule chosen by the caller, for the harness
// (bench/flash_sm90/bench_sm90.cu) to time variants side by side and for the variant test. Only in
// a build configured with -DATTNSWEEP_SM90_EXPERIMENTS=ON, which compiles every kernel
// (kernel_config.h: kAllKernels) with two run-time switches (Q slots, halved diagonal blocks); with
// -DATTNSWEEP_SM90_TRACE=ON too, the kernels record timelines (sm90_trace.h).
#if !ATTNSWEEP_SM90_EXPERIMENTS
#error "flash_sm90_experiments.h needs a build configured with -DATTNSWEEP_SM90_EXPERIMENTS=ON"
#endif
#include "attnsweep/kernels/problem.h"
#include "kernel_choice.h"
#include "sm90_trace.h"

namespace attnsweep::sm90 {

// The launch the variant comes to on the current device: the shipped choices where it leaves them
// (choose_launch). Throws DeviceError for a consumer count other than 0, 2 or 3.
LaunchConfig resolve_flash_sm90_variant(const AttentionProblem& problem, const Sm90Variant& variant);

// Enqueues the variant on args.stream and returns what it launched. Throws DeviceError as
// launch_flash_sm90 does.
LaunchConfig launch_flash_sm90_variant(const AttentionArgs& args, const Sm90Variant& variant);

// In a trace build (kTraceBuilt), the launches that follow record their timelines into `buffer`
// (not thread-safe: the harness's `trace` mode); an empty buffer stops it.
void set_flash_sm90_trace(const TraceBuffer& buffer);

}  // namespace attnsweep::sm90
