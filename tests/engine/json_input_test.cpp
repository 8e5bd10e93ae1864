// JSON from outside, parsed with the rules nlohmann's parser leaves to us (json_input.cpp).
#include "attnsweep/engine/json_input.h"

#include <gtest/gtest.h>

#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::error_of;

TEST(JsonInput, ReadsOrdinaryJson) {
  const nlohmann::json j = parse_json(R"({"a": [1, {"b": "\u0000 x"}], "c": {"a": 2}})");
  EXPECT_EQ(j["a"][1]["b"], std::string("\0 x", 3));  // an escaped NUL in a string is JSON
  EXPECT_EQ(j["c"]["a"], 2);                          // the same key in two objects is fine
}

// Recursive copies of a deeply nested value overflow the stack: refused before parsing.
TEST(JsonInput, RefusesDeepNesting) {
  EXPECT_NO_THROW(parse_json(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(error_of([&] { parse_json(deep); }), "lists and objects nest deeper than 64 levels");
  EXPECT_EQ(error_of([&] { parse_json(R"({"x": ")" + std::string(1000, '[') + "\"}"); }), "")
      << "brackets inside a string do not nest";
}

// nlohmann keeps the last of two equal keys, without a word.
TEST(JsonInput, RefusesAKeyTwiceInOneObject) {
  EXPECT_EQ(error_of([] { parse_json(R"({"name": "a", "x": 1, "name": "b"})"); }),
            "key 'name' appears twice in one object");
  EXPECT_EQ(error_of([] { parse_json(R"([{"k": {"z": 1, "z": 2}}])"); }), "key 'z' appears twice in one object");
}

// nlohmann stops reading at a NUL byte, so what follows it would be ignored.
TEST(JsonInput, RefusesANulByte) {
  EXPECT_EQ(error_of([] { parse_json(std::string("{\"a\": 1}\0{\"b\": 2}", 17)); }),
            "holds a NUL byte (byte 9): not JSON text");
}

TEST(JsonInput, SaysWhatIsNotJsonInPrintableText) {
  const std::string e = error_of([] { parse_json("{\"a\": \x1b[31m}"); });
  EXPECT_EQ(e.rfind("not valid JSON: parse error at line 1, column 7", 0), 0u) << e;
  for (char c : e) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << e;
  EXPECT_NE(error_of([] { parse_json("{} {}"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([] { parse_json("{\"a\": 1e400}"); }).find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace attnsweep
