#pragma once
// Runs a shell command line for the end-to-end tests of attnsweep-cli: its exit code and what it
// printed (stdout and stderr together).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace attnsweep::testing {

struct ShellOutcome {
  int code = -1;       // the exit code; -1 when it did not exit normally
  std::string output;  // stdout and stderr together
};

inline ShellOutcome run_shell(const std::string& command) {
  ShellOutcome out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out.output += buf.data();
  const int status = ::pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace attnsweep::testing
