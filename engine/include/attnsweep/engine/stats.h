#pragma once
// Order statistics of timing samples and a distribution-free confidence interval of the median.
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// Samples need not be sorted. Empty input gives samples == 0 and zeros elsewhere.
SampleStats compute_stats(std::vector<double> samples);

}  // namespace attnsweep
