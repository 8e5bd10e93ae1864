#pragma once
// Measures one cell on one device: allocate, fill seeded random inputs, poison the output,
// check against a higher-precision reference, warm up, keep the card busy first when the spec
// asks for a sustained state, then sample each timing mode until its median is tight or a cap is
// hit, check again, release. A cold sample is one launch after a cache flush; a batch sample,
// back-to-back launches lasting at least 50 us. Cold cells of tiny launches take up to
// max_samples x that batch size samples instead. Every sample's clocks are watched (clock_watch.h).
// Errors become statuses, never exceptions or zeros.
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
