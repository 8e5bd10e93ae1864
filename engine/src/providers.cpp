#include "attnsweep/engine/providers.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/data_dir.h"
#include "attnsweep/engine/files.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& field, const std::string& rule) {
  throw std::runtime_error(file + ": field '" + field + "': " + rule);
}

std::string required_string(const json& j, const std::string& file, const std::string& field, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) fail(file, field, "is missing");
  if (!it->is_string() || it->get<std::string>().empty()) fail(file, field, "must be a non-empty string");
  return it->get<std::string>();
}

std::string optional_string(const json& j, const std::string& file, const std::string& field, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return "";
  if (!it->is_string()) fail(file, field, "must be a string");
  return it->get<std::string>();
}

void only_keys(const json& j, const std::string& file, const std::string& where, std::initializer_list<const char*> keys) {
  for (const auto& [key, value] : j.items())
    if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
      std::string known;
      for (const char* k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
      fail(file, where + key, "is not a known field (known: " + known + ")");
    }
}

// A kernel name becomes part of cell ids ("kernel|tier|dtype|causal") and of command lines.
bool is_valid_kernel_name(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

// Relative paths (arguments with a '/') are relative to the provider file, not to wherever the
// engine happens to be started.
std::string resolve(const fs::path& base, const std::string& arg) {
  if (arg.find('/') == std::string::npos || arg.front() == '/') return arg;
  return (base / arg).lexically_normal().string();
}

std::vector<std::string> provider_files_in(const std::string& entry) {
  std::error_code ec;
  if (!fs::is_directory(entry, ec)) return {entry};
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(entry, ec))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

struct Registry {
  std::mutex mutex;
  bool loaded = false;
  std::vector<Provider> providers;  // registered ones first, then those found
  std::vector<std::string> errors;
};

Registry& registry() {
  static Registry r;
  return r;
}

// Why `p` cannot join `others`, or empty. `p` must not reuse a built-in or another's kernel name.
std::string conflict(const Provider& p, const std::vector<Provider>& others) {
  for (const ProviderKernel& k : p.kernels) {
    if (find_kernel(k.name)) return p.file + ": field 'kernels': '" + k.name + "' is a built-in kernel's name";
    for (const Provider& o : others)
      if (o.name != p.name)
        for (const ProviderKernel& ok : o.kernels)
          if (ok.name == k.name)
            return p.file + ": field 'kernels': '" + k.name + "' is already offered by provider '" + o.name +
                   "' (" + o.file + ")";
  }
  return "";
}

void load_locked(Registry& r) {
  if (r.loaded) return;
  r.loaded = true;
  std::set<std::string> seen_files;
  for (const std::string& entry : provider_search_paths()) {
    for (const std::string& file : provider_files_in(entry)) {
      std::error_code ec;
      const std::string canonical = fs::weakly_canonical(file, ec).string();
      if (!seen_files.insert(ec ? file : canonical).second) continue;
      try {
        Provider p = load_provider_file(file);
        // The first of a name wins: the user's providers shadow the shipped ones.
        if (std::any_of(r.providers.begin(), r.providers.end(), [&](const Provider& o) { return o.name == p.name; }))
          continue;
        if (const std::string why = conflict(p, r.providers); !why.empty()) {
          r.errors.push_back(why);
          continue;
        }
        r.providers.push_back(std::move(p));
      } catch (const std::exception& e) {
        r.errors.push_back(e.what());
      }
    }
  }
}

}  // namespace

std::vector<std::string> Provider::launch_command() const {
  if (working_dir.empty()) return command;
  std::vector<std::string> argv = {"env", "-C", working_dir};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

Provider parse_provider(std::string_view json_text, const std::string& file) {
  json j;
  try {
    j = parse_json(json_text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file + ": " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(file + ": must be a JSON object");
  only_keys(j, file, "", {"name", "command", "working_dir", "kernels"});

  const fs::path base = fs::absolute(fs::path(file)).parent_path();
  Provider p;
  p.file = file;
  p.name = required_string(j, file, "name", "name");
  if (!is_valid_kernel_name(p.name)) fail(file, "name", "may hold only letters, digits, '_', '-' and '.'");

  const auto command = j.find("command");
  if (command == j.end()) fail(file, "command", "is missing");
  if (!command->is_array() || command->empty()) fail(file, "command", "must be a non-empty array of strings (argv)");
  for (std::size_t i = 0; i < command->size(); ++i) {
    const json& arg = (*command)[i];
    if (!arg.is_string() || arg.get<std::string>().empty())
      fail(file, "command/" + std::to_string(i), "must be a non-empty string");
    p.command.push_back(resolve(base, arg.get<std::string>()));
  }

  const std::string dir = optional_string(j, file, "working_dir", "working_dir");
  if (!dir.empty()) {
    fs::path normal = (base / dir).lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();  // "/x/" -> "/x"
    p.working_dir = normal.string();
  }

  const auto kernels = j.find("kernels");
  if (kernels == j.end()) fail(file, "kernels", "is missing");
  if (!kernels->is_array() || kernels->empty()) fail(file, "kernels", "must be a non-empty array of objects");
  for (std::size_t i = 0; i < kernels->size(); ++i) {
    const json& k = (*kernels)[i];
    const std::string where = "kernels/" + std::to_string(i);
    if (!k.is_object()) fail(file, where, "must be an object with name, description, seed_analogue");
    only_keys(k, file, where + "/", {"name", "description", "seed_analogue"});
    ProviderKernel pk;
    pk.name = required_string(k, file, where + "/name", "name");
    if (!is_valid_kernel_name(pk.name))
      fail(file, where + "/name", "'" + pk.name + "' may hold only letters, digits, '_', '-' and '.'");
    pk.description = optional_string(k, file, where + "/description", "description");
    pk.seed_analogue = optional_string(k, file, where + "/seed_analogue", "seed_analogue");
    for (const ProviderKernel& earlier : p.kernels)
      if (earlier.name == pk.name) fail(file, where + "/name", "duplicate kernel '" + pk.name + "'");
    p.kernels.push_back(std::move(pk));
  }
  return p;
}

Provider load_provider_file(const std::string& path) {
  return parse_provider(read_input_file(path, kMaxProviderBytes), path);
}

std::vector<std::string> provider_search_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("ATTNSWEEP_PROVIDERS")) {
    std::stringstream list(env);
    for (std::string entry; std::getline(list, entry, ':');)
      if (!entry.empty()) paths.push_back(entry);
  }
  std::error_code ec;
  if (const fs::path data = data_dir(); !data.empty()) {
    const fs::path shipped = data / "resources" / "providers";
    if (fs::is_directory(shipped, ec)) paths.push_back(shipped.string());
  }
  return paths;
}

std::vector<Provider> installed_providers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  load_locked(r);
  return r.providers;
}

std::vector<std::string> provider_load_errors() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  load_locked(r);
  return r.errors;
}

void register_provider(const Provider& provider) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  load_locked(r);
  if (const std::string why = conflict(provider, r.providers); !why.empty()) throw std::runtime_error(why);
  std::erase_if(r.providers, [&](const Provider& o) { return o.name == provider.name; });
  r.providers.insert(r.providers.begin(), provider);
}

std::optional<Provider> provider_of_kernel(std::string_view kernel) {
  if (find_kernel(kernel)) return std::nullopt;
  for (Provider& p : installed_providers())
    for (const ProviderKernel& k : p.kernels)
      if (k.name == kernel) return std::move(p);
  return std::nullopt;
}

bool is_provider_kernel(std::string_view kernel) { return provider_of_kernel(kernel).has_value(); }

}  // namespace attnsweep
