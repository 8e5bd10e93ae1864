#pragma once
// Order statistics of timing samples and a distribution-free confidence interval of the median.
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// Samples need not be sorted. Empty input gives samples == 0 and zeros elsewhere.
SampleStats compute_stats(std::vector<double> samples);

// A sample as it is kept and written: 6 significant digits, finer than any timer read (CUDA events
// resolve about 0.5 us), and a third of the bytes of a double's 17 digits in the result file.
double kept_sample(double ms);

}  // namespace attnsweep
