#include "flash_sm90_experiments.h"

#include "dispatch.h"
#include "launch_support.h"

namespace attnsweep::sm90 {
namespace {
TraceBuffer recording;  // set_flash_sm90_trace's buffer
}  // namespace

LaunchConfig resolve_flash_sm90_variant(const AttentionProblem& problem, const Sm90Variant& variant) {
  return choose_launch(problem, current_gpu().shape, variant);
}

LaunchConfig launch_flash_sm90_variant(const AttentionArgs& args, const Sm90Variant& variant) {
  const Gpu& gpu = current_gpu();
  const LaunchConfig c = choose_launch(args.problem, gpu.shape, variant);
  launch(args, c, gpu);
  return c;
}

void set_flash_sm90_trace(const TraceBuffer& buffer) { recording = buffer; }

#if ATTNSWEEP_SM90_TRACE
const TraceBuffer& trace_buffer() { return recording; }
#endif

}  // namespace attnsweep::sm90
