#pragma once
// Sets ATTNSWEEP_TEST_KERNELS=1 for one test (and the workers it starts), then puts it back, so the
// fault-injection kernels never leak into other suites' kernel lists.
#include <cstdlib>
#include <optional>
#include <string>

namespace attnsweep::test_support {

class TestKernelsVisible {
 public:
  TestKernelsVisible() {
    if (const char* v = std::getenv("ATTNSWEEP_TEST_KERNELS")) saved_ = v;
    ::setenv("ATTNSWEEP_TEST_KERNELS", "1", 1);
  }
  ~TestKernelsVisible() {
    if (saved_) ::setenv("ATTNSWEEP_TEST_KERNELS", saved_->c_str(), 1);
    else ::unsetenv("ATTNSWEEP_TEST_KERNELS");
  }
  TestKernelsVisible(const TestKernelsVisible&) = delete;
  TestKernelsVisible& operator=(const TestKernelsVisible&) = delete;

 private:
  std::optional<std::string> saved_;
};

}  // namespace attnsweep::test_support
