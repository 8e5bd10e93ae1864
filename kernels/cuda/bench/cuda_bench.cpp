// attnsweep-cuda-bench SPEC.json OUT.jsonl: measures every cell of a spec on CUDA device 0 with
// the engine's measure_cell (same checks and timing as `attnsweep-cli run`), in this process,
// one JSON line per cell. A fallback for device calls when the CLI is not at hand.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/measure.h"
#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/spec.h"

int main(int argc, char** argv) {
  using namespace attnsweep;
  if (argc != 3) {
    std::cerr << "usage: attnsweep-cuda-bench SPEC.json OUT.jsonl\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  const SpecParseResult parsed = parse_spec(text.str());
  if (!parsed.spec) {
    for (const auto& e : parsed.errors) std::cerr << argv[1] << ": " << e.to_string() << "\n";
    return 2;
  }
  if (cuda_device_count() == 0) {
    std::cerr << "no CUDA device\n";
    return 1;
  }
  auto device = make_cuda_device(0);
  const Plan plan = make_plan(*parsed.spec, device->caps());
  std::ofstream out(argv[2]);
  out << nlohmann::json{{"type", "header"}, {"environment", capture_environment(device.get())}}.dump() << "\n";
  MeasureOptions opts;
  opts.timing = parsed.spec->timing;
  opts.check = parsed.spec->check;
  opts.seed = parsed.spec->seed;
  for (const Cell& cell : plan.cells) {
    const Kernel* kernel = find_kernel(cell.kernel);
    if (!kernel) continue;
    const CellResult r = measure_cell(*kernel, *device, cell, opts);
    out << result_to_json(r).dump() << std::endl;
    std::printf("%-60s %-8s %8.3f ms %7.1f TFLOP/s %s\n", cell.id().c_str(), std::string(status_name(r.status)).c_str(),
                r.time_ms ? r.time_ms->median : 0.0, r.tflops, r.message.substr(0, 80).c_str());
    if (r.status == CellStatus::crashed) return 3;  // the context is gone
  }
  return 0;
}
