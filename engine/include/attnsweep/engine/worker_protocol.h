#pragma once
// The worker protocol (docs/worker-protocol.md): JSON Lines over a worker's stdin and stdout.
// The driver sends requests (hello, run_cell, cancel, shutdown); the worker answers with events
// (hello, cell_started, cell_result, log, error, bye). One JSON object per line, UTF-8, no
// newlines inside. Parsing never throws: bad input comes back as an error in words.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "attnsweep/engine/result.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

// Bumped on any change a peer of the previous version would misread. Peers of another version
// are rejected at hello, with both versions named.
inline constexpr int kWorkerProtocolVersion = 1;

// Lines longer than this are refused unread (a result line is a few KiB).
inline constexpr std::size_t kMaxProtocolLineBytes = 1 << 20;

// ---- requests: driver -> worker ----

struct HelloRequest {
  int protocol = kWorkerProtocolVersion;
  std::string client;  // who drives, e.g. "attnsweep 0.1.0"
};

struct RunCellRequest {
  std::uint64_t seq = 0;  // echoed in cell_started / cell_result
  Cell cell;
  TimingOptions timing;
  CheckOptions check;
  std::uint64_t seed = 0;
};

struct CancelRequest {};    // stop the running cell at its next sample; no-op when idle
struct ShutdownRequest {};  // finish, say bye, exit 0 (end of input means the same)

using WorkerRequest = std::variant<HelloRequest, RunCellRequest, CancelRequest, ShutdownRequest>;

// ---- events: worker -> driver ----

struct HelloEvent {
  int protocol = kWorkerProtocolVersion;
  std::string worker;  // program and version, e.g. "attnsweep-cli 0.1.0"
  DeviceInfo device;
  DeviceCaps caps;
  std::uint64_t free_bytes = 0;
};

struct CellStartedEvent {
  std::uint64_t seq = 0;
  std::string cell_id;
};

struct CellResultEvent {
  std::uint64_t seq = 0;
  CellResult result;
};

struct LogEvent {
  std::string level = "info";  // debug | info | warning | error
  std::string message;
};

// A request the worker could not act on, or a failure outside any cell. `fatal`: the worker
// exits after it (it says bye first).
struct ErrorEvent {
  std::string message;
  bool fatal = false;
};

struct ByeEvent {
  std::string reason;  // "shutdown", "end of input", "device poisoned: ...", ...
};

using WorkerEvent = std::variant<HelloEvent, CellStartedEvent, CellResultEvent, LogEvent, ErrorEvent, ByeEvent>;

// One line of text without the trailing newline. Invalid UTF-8 in strings is replaced, never thrown.
std::string to_line(const WorkerRequest& request);
std::string to_line(const WorkerEvent& event);

template <class T>
struct Parsed {
  std::optional<T> value;  // set when error is empty
  std::string error;       // what is wrong, naming the field and the rule
  bool ok() const { return value.has_value(); }
};

// Never throw and never crash, whatever the bytes. Unknown fields are ignored (additions within a
// version); unknown message types, missing or mistyped fields and non-JSON are errors.
Parsed<WorkerRequest> parse_request(std::string_view line);
Parsed<WorkerEvent> parse_event(std::string_view line);

// Exact message for a hello from a peer of another version (both sides use it).
std::string protocol_mismatch_message(int peer_version, std::string_view peer_role);

// True for lines a peer may send that carry nothing (blank, or only whitespace): skipped quietly.
bool is_blank_line(std::string_view line);

}  // namespace attnsweep
