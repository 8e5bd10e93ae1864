// Where the programs find their shipped files (data_dir.cpp) when run from the build tree. An
// installed copy is checked by tests/install/installed_copy_check.cmake.
#include "attnsweep/engine/data_dir.h"

#include <gtest/gtest.h>

#include "support/scoped_env.h"

namespace attnsweep {
namespace {

using test_support::ScopedEnv;

TEST(DataDir, ABinaryOfTheBuildTreeFindsItsSourceTree) {
  const ScopedEnv allowed("ATTNSWEEP_NO_SOURCE_TREE", nullptr);
  const std::filesystem::path dir = data_dir();
  ASSERT_FALSE(dir.empty());
  EXPECT_TRUE(std::filesystem::equivalent(dir, ATTNSWEEP_SOURCE_DIR)) << dir;
}

TEST(DataDir, TheSourceTreeCanBeRefused) {
  const ScopedEnv refused("ATTNSWEEP_NO_SOURCE_TREE", "1");
  EXPECT_TRUE(data_dir().empty()) << data_dir();
}

}  // namespace
}  // namespace attnsweep
