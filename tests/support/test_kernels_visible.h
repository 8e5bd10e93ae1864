#pragma once
// Sets ATTNSWEEP_TEST_KERNELS=1 for one test (and the workers it starts), then puts it back, so the
// fault-injection kernels never leak into other suites' kernel lists.
#include "support/scoped_env.h"

namespace attnsweep::test_support {

struct TestKernelsVisible : ScopedEnv {
  TestKernelsVisible() : ScopedEnv("ATTNSWEEP_TEST_KERNELS", "1") {}
};

}  // namespace attnsweep::test_support
