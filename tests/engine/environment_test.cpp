#include "attnsweep/engine/environment.h"

#include <gtest/gtest.h>

#include <regex>

namespace attnsweep {
namespace {

TEST(Environment, DateIsUtcIso8601) {
  EXPECT_TRUE(std::regex_match(utc_now_iso8601(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << utc_now_iso8601();
}

TEST(Environment, BuildIdIsVersionPlusCommit) {
  EXPECT_TRUE(std::regex_match(build_id(), std::regex(R"(\d+\.\d+\.\d+\+[0-9a-z]+(-debug)?)"))) << build_id();
}

TEST(Environment, HostFactsWithoutADevice) {
  const nlohmann::json env = capture_environment(nullptr);
  for (const char* key : {"host", "os", "cpu_model", "date", "build_id", "version", "git_commit", "build_type", "compiler"}) {
    ASSERT_TRUE(env.contains(key)) << key;
    ASSERT_TRUE(env[key].is_string()) << key;
    EXPECT_FALSE(env[key].get<std::string>().empty()) << key;
  }
  EXPECT_GT(env["cpu_cores"].get<unsigned>(), 0u);
  EXPECT_GT(env["memory_bytes"].get<std::uint64_t>(), 1u << 20);
  EXPECT_EQ(env["build_id"], build_id());
  EXPECT_FALSE(env.contains("device"));
}

TEST(Environment, DeviceFactsAreMergedUnderDevice) {
  const std::unique_ptr<Device> cpu = make_cpu_device();
  const nlohmann::json env = capture_environment(cpu.get());
  ASSERT_TRUE(env.contains("device"));
  const nlohmann::json& d = env["device"];
  EXPECT_EQ(d["backend"], "cpu");
  EXPECT_EQ(d["ordinal"], 0);
  EXPECT_EQ(d["name"], cpu->info().name);
  for (const auto& [key, value] : cpu->info().facts)
    if (key != "backend" && key != "ordinal" && key != "name") EXPECT_EQ(d[key], value) << key;
  // The device's peak (peaks.h): a CPU says it has none rather than giving a number.
  ASSERT_TRUE(d.contains("peak"));
  EXPECT_FALSE(d["peak"].contains("dense_tflops"));
  EXPECT_EQ(d["peak"]["note"], "a CPU has no tensor-core peak");
}

TEST(Environment, DeviceNamesOfSeveralEnvironmentsOnceEachInOrder) {
  using nlohmann::json;
  const json a = {{"device", {{"name", "card A"}}}}, b = {{"device", {{"name", "card B"}}}};
  EXPECT_EQ(device_names_of({a, b, a, json::object(), json(), {{"device", {{"name", 3}}}}}),
            (std::vector<std::string>{"card A", "card B"}));
  EXPECT_TRUE(device_names_of({}).empty());
}

}  // namespace
}  // namespace attnsweep
