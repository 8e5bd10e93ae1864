// Shared main for the non-Qt suites. The GUI suite has its own main that creates a
// QApplication on the offscreen platform.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
