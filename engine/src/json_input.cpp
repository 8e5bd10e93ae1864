#include "attnsweep/engine/json_input.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "attnsweep/engine/format.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// True when arrays and objects nest deeper than `limit` (brackets inside strings do not count).
bool nested_too_deep(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

json parse_json(std::string_view text) {
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    throw std::runtime_error("holds a NUL byte (byte " + std::to_string(nul + 1) + "): not JSON text");
  if (nested_too_deep(text, kMaxJsonDepth))
    throw std::runtime_error("lists and objects nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");

  // The keys of each object being read; checked for repeats when it closes.
  std::vector<std::vector<std::string>> open_objects;
  std::string repeated;
  const json::parser_callback_t watch_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::key) {
      open_objects.back().push_back(parsed.get<std::string>());
    } else if (event == json::parse_event_t::object_end) {
      std::vector<std::string>& keys = open_objects.back();
      std::sort(keys.begin(), keys.end());
      if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end() && repeated.empty())
        repeated = *twice;
      open_objects.pop_back();
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text, watch_keys);
  } catch (const json::exception& e) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 2: ..."; the
    // bytes it quotes may be anything.
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw std::runtime_error("not valid JSON: " + printable_text(what, 300));
  }
  if (!repeated.empty())
    throw std::runtime_error("key '" + printable_text(repeated, 80) + "' appears twice in one object");
  return j;
}

}  // namespace attnsweep
