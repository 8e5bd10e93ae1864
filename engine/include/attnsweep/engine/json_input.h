#pragma once
// JSON text from outside (spec, result and provider files, worker lines), parsed one way with the
// rules nlohmann's parser leaves to the caller: nesting at most kMaxJsonDepth deep (deeper input
// would overflow the stack of the recursive copies made later), no key twice in one object (the
// parser would silently keep the last), and no NUL byte (the parser would stop reading there).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace attnsweep {

inline constexpr int kMaxJsonDepth = 64;  // the deepest record we write nests 4 levels

// Throws std::runtime_error with what is wrong, in printable text: "not valid JSON (syntax error
// while parsing value - invalid literal; last read: 'x')", "nests deeper than 64 levels",
// "key 'name' appears twice in one object", "holds a NUL byte (byte 12)".
nlohmann::json parse_json(std::string_view text);

}  // namespace attnsweep
