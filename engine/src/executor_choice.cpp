#include "attnsweep/engine/executor_choice.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "attnsweep/engine/routing_executor.h"
#include "attnsweep/engine/worker_executor.h"
#include "attnsweep/kernels/device.h"

namespace attnsweep {

std::vector<int> parse_devices(const std::string& text, int available) {
  std::vector<int> out;
  if (text == "all") {
    for (int i = 0; i < available; ++i) out.push_back(i);
  } else {
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');) {
      std::size_t used = 0;
      int d = -1;
      try {
        d = std::stoi(item, &used);
      } catch (const std::exception&) {
      }
      if (used != item.size() || d < 0 || d >= available)
        throw std::invalid_argument("devices: '" + item + "' is not a device here (0.." +
                                    std::to_string(available - 1) + ", or all)");
      out.push_back(d);
    }
  }
  if (out.empty()) throw std::invalid_argument("devices: no device named");
  return out;
}

namespace {

// The executor of the built-in kernels. Trusted CPU work runs in this process unless a worker
// command is given; CUDA work runs in workers unless asked to run here.
std::unique_ptr<Executor> make_builtin_executor(Backend backend, const ExecutorChoice& choice) {
  const bool remote = !choice.worker_command.empty();
  if (!remote && (backend == Backend::cpu || choice.in_process)) {
    if (backend == Backend::cpu) return make_in_process_executor(make_cpu_device());
    return make_in_process_executor(make_cuda_device(parse_devices(choice.devices, cuda_device_count()).front()));
  }
  WorkerExecutorOptions options;
  options.backend = backend;
  options.command = remote ? command_words(choice.worker_command) : default_worker_command(worker_program(), backend);
  // A remote worker's devices are not ours to count: any ordinal goes, and its hello answers.
  const int available = remote ? 1 << 16 : cuda_device_count();
  options.devices = backend == Backend::cuda ? parse_devices(choice.devices, available) : std::vector<int>{0};
  return make_worker_executor(options);
}

}  // namespace

std::vector<std::string> command_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {  // literal up to the next '
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos)
        throw std::invalid_argument("worker command: the ' at character " + std::to_string(i + 1) + " is not closed");
      word.append(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {  // up to the next unescaped "; \ escapes " and \ inside
      const std::size_t open = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) ++i;
        word += text[i];
      }
      if (i == text.size())
        throw std::invalid_argument("worker command: the \" at character " + std::to_string(open + 1) + " is not closed");
    } else if (c == '\\') {  // the next character as it is
      if (i + 1 == text.size()) throw std::invalid_argument("worker command: it ends with a lone \\");
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) throw std::invalid_argument("worker command: it names no program");
  return words;
}

std::optional<BackendChoice> parse_backend_choice(std::string_view name) {
  if (name == "auto") return BackendChoice::automatic;
  if (name == "cpu") return BackendChoice::cpu;
  if (name == "cuda") return BackendChoice::cuda;
  return std::nullopt;
}

Backend resolve_backend(BackendChoice choice) {
  switch (choice) {
    case BackendChoice::cpu: return Backend::cpu;
    case BackendChoice::cuda: return Backend::cuda;
    case BackendChoice::automatic: break;
  }
  return cuda_device_count() > 0 ? Backend::cuda : Backend::cpu;
}

std::unique_ptr<Executor> make_executor(const SweepSpec& spec, const ExecutorChoice& choice) {
  const Backend backend = resolve_backend(choice.backend);
  // Provider kernels go to their provider's program, the rest to the built-in executor; a spec
  // naming only one kind starts only that one.
  return make_executor_for_spec(
      spec,
      [&] {
        if (backend == Backend::cuda && cuda_device_count() == 0 && choice.worker_command.empty())
          throw std::runtime_error("no CUDA device is available here: choose the cpu backend, or run on a GPU host");
        return make_builtin_executor(backend, choice);
      },
      [&] { return provider_worker_options(parse_devices(choice.devices, std::max(cuda_device_count(), 1))); });
}

int device_for_node_rank(const std::string& devices, int node_rank) {
  const int available = cuda_device_count();
  if (available == 0)
    throw std::runtime_error("no CUDA device is available here: choose the cpu backend, or run on a GPU host");
  const std::vector<int> list = parse_devices(devices.empty() ? "all" : devices, available);
  return list[static_cast<std::size_t>(node_rank) % list.size()];
}

std::string worker_program() {
  namespace fs = std::filesystem;
  const fs::path self = current_executable_path();
  if (self.filename() == "attnsweep-cli") return self.string();
  const fs::path dir = self.parent_path();
  for (const fs::path& candidate : {dir / "attnsweep-cli", dir.parent_path() / "engine" / "attnsweep-cli"})
    if (fs::exists(candidate)) return candidate.string();
  throw std::runtime_error("attnsweep-cli was not found beside " + self.filename().string() + " (looked in " +
                           dir.string() + " and ../engine): CUDA work runs in its worker process");
}

}  // namespace attnsweep
