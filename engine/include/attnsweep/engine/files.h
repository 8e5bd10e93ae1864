#pragma once
// The files the tools read and write, under one set of rules. A file read is a regular file of
// bounded size: never a FIFO, a device or a folder, which could block, never end, or exhaust memory.
// A file written appears whole or not at all (written beside its place, synced, then renamed
// over it), and replaces an existing file only when asked to.
#include <cstdint>
#include <string>
#include <string_view>

namespace attnsweep {

inline constexpr std::uint64_t kMaxResultsBytes = std::uint64_t{1} << 30;  // 1 GiB: about a million cells
inline constexpr std::uint64_t kMaxSpecBytes = std::uint64_t{64} << 20;    // a million tiers written out
inline constexpr std::uint64_t kMaxProviderBytes = std::uint64_t{1} << 20;

// Throws std::runtime_error "<path>: <what>: <the system's reason>" for the errno of a failed call.
[[noreturn]] void fail_errno(const std::string& path, const std::string& what);

// The whole of the regular file `path`, which must hold at most `max_bytes`. Throws
// std::runtime_error "<path>: <why>": missing, a folder, not a regular file, too large,
// unreadable, or not enough memory.
std::string read_input_file(const std::string& path, std::uint64_t max_bytes);
// The same from an open descriptor (read from its start; the caller keeps and closes it).
std::string read_input_fd(int fd, const std::string& path, std::uint64_t max_bytes);

// Refuses what must not be written over: throws std::runtime_error when `path` exists and is not
// a regular file, or exists and `replace` is false ("<path>: exists; <how_to_replace>").
void check_output_path(const std::string& path, bool replace, std::string_view how_to_replace);

// Writes `bytes` to `path` whole or not at all: into a temporary file in the same folder, synced,
// then renamed over `path`. check_output_path(path, replace, how_to_replace) first. Throws
// std::runtime_error "<path>: <why>"; on failure `path` is as it was and no temporary file is left.
void write_output_file(const std::string& path, std::string_view bytes, bool replace,
                       std::string_view how_to_replace = "choose to replace it");

}  // namespace attnsweep
