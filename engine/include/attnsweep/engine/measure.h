#pragma once
// Measures one cell on one device: allocate, fill seeded random inputs, poison the output,
// check against a higher-precision reference, warm up, sample until the median is tight or the
// time cap is hit, check again, release. Errors become statuses, never exceptions or zeros.
#include <atomic>
#include <cstdint>
#include <functional>

#include "attnsweep/engine/result.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

struct MeasureOptions {
  TimingOptions timing;
  CheckOptions check;
  std::uint64_t seed = 0;
  const std::atomic<bool>* cancel = nullptr;  // checked between samples
};

// Never throws for kernel or device failures: they become oom/error/crashed/wrong statuses.
// A sticky DeviceError gives status `crashed`; the caller must then discard the device.
CellResult measure_cell(const Kernel& kernel, Device& device, const Cell& cell, const MeasureOptions& opts);

}  // namespace attnsweep
