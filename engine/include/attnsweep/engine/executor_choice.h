#pragma once
// Which executor runs a sweep, decided here for attnsweep-cli and the app alike: the backend (auto:
// CUDA when a device is present), the CUDA devices, in this process or in worker processes (CUDA
// work runs in workers unless asked otherwise: a crashing kernel cannot take the caller down),
// and one worker per provider whose kernels the spec names (providers.h).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep {

enum class BackendChoice { automatic, cpu, cuda };
std::optional<BackendChoice> parse_backend_choice(std::string_view name);  // "auto", "cpu" or "cuda"
// The backend "auto" resolves to: cuda when a CUDA device is present, else cpu.
Backend resolve_backend(BackendChoice choice);

struct ExecutorChoice {
  BackendChoice backend = BackendChoice::automatic;
  std::string devices = "0";   // CUDA devices: "all" or "0,1,..."; also those the providers run on
  bool in_process = false;     // CUDA work in this process instead of a worker
  std::string worker_command;  // a worker's argv in words (command_words), "{device}" replaced (e.g. "ssh gpu
                               // attnsweep-cli worker --device {device}"); empty: attnsweep-cli's own worker
};

// A command line split into words as a POSIX shell splits them, without expanding anything:
// spaces separate words; '...' keeps everything inside as it is; "..." too, except that \" and
// \\ stand for " and \; outside quotes \ takes the next character as it is. So
// `ssh gpu 'attnsweep-cli worker --device {device}'` is three words, `"/opt/my tools/cli" worker`
// two. Throws std::invalid_argument for an unclosed quote or no word at all.
std::vector<std::string> command_words(std::string_view text);

// The CUDA ordinals `devices` ("all" or "0,1,...") names among `available` (run --lock-clocks
// locks the clocks of these). Throws std::invalid_argument naming an entry that is no device here.
std::vector<int> parse_devices(const std::string& devices, int available);

// Throws std::invalid_argument for a choice that cannot be right anywhere ("devices: '7' is not a
// device here (0..1, or all)"), std::runtime_error when what it asks for is not here or does not
// start ("no CUDA device is available here ...", a provider that fails its hello).
std::unique_ptr<Executor> make_executor(const SweepSpec& spec, const ExecutorChoice& choice);

// The one CUDA device a process of a sweep over several processes drives (an MPI rank): the
// `node_rank`-th of `devices` ("all" or "" for every device of this host, or "0,1,..."), round
// robin when the host has more such processes than devices (they then share a card). Throws
// std::invalid_argument for a list naming no device here, std::runtime_error when this host has
// no CUDA device.
int device_for_node_rank(const std::string& devices, int node_rank);

// The attnsweep-cli whose `worker` measures CUDA cells: this program when it is attnsweep-cli,
// else the one beside it (installed) or in the build tree's engine/ folder. Throws
// std::runtime_error saying where it looked.
std::string worker_program();

}  // namespace attnsweep
