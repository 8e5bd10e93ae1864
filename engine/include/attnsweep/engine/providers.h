#pragma once
// External providers (docs/providers.md): programs that speak the worker protocol and offer
// kernels of their own (e.g. engine/providers/torch_provider.py: PyTorch SDPA, torch.compile,
// Triton). Each is registered by a small JSON file:
//   {"name": "torch", "command": ["python3", "../../engine/providers/torch_provider.py",
//    "--device", "{device}"], "working_dir": ".", "kernels": [{"name": "...", "description": "...",
//    "seed_analogue": "..."}]}
// Arguments holding a '/' and working_dir resolve against the file's directory when relative.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnsweep {

struct ProviderKernel {
  std::string name;  // as specs and result files name it; must not clash with a built-in kernel
  std::string description;
  std::string seed_analogue;  // the seed row it is (or stands in for), or empty
};

struct Provider {
  std::string name;
  std::vector<std::string> command;  // worker argv, paths resolved; "{device}" is the device ordinal
  std::string working_dir;           // absolute; empty: inherit the caller's
  std::vector<ProviderKernel> kernels;
  std::string file;  // the JSON file it was read from

  // The argv to start it in working_dir (wrapped in `env -C DIR` when one is set).
  std::vector<std::string> launch_command() const;
};

// Parses one provider file's text; `file` names it in errors and anchors relative paths.
// Throws std::runtime_error "<file>: field '<field>': <rule>".
Provider parse_provider(std::string_view json_text, const std::string& file);
Provider load_provider_file(const std::string& path);  // also throws when unreadable

// Where providers are looked for, in order (the first provider of a name wins):
//   1. each entry of $ATTNSWEEP_PROVIDERS (':'-separated files or directories of *.json);
//   2. the shipped resources/providers of data_dir() (the installed copy's, or the source tree's).
// Never the current directory: a checkout of someone else's repository must not run its code
// unless asked to (ATTNSWEEP_PROVIDERS, or `run --provider FILE`).
std::vector<std::string> provider_search_paths();

// The providers of this process: those found on the search paths (loaded on first use) plus any
// registered since. Files that fail to load are skipped and listed in provider_load_errors().
std::vector<Provider> installed_providers();
std::vector<std::string> provider_load_errors();

// Adds a provider (e.g. from `run --provider FILE`); it takes precedence over installed ones of
// the same name. Throws std::runtime_error when one of its kernels is a built-in kernel's name.
void register_provider(const Provider& provider);

// The provider offering `kernel`, if any. Built-in kernels are never provider kernels.
std::optional<Provider> provider_of_kernel(std::string_view kernel);
bool is_provider_kernel(std::string_view kernel);

}  // namespace attnsweep
