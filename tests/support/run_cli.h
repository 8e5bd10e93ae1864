#pragma once
// Runs the built attnsweep-cli (ATTNSWEEP_CLI) through the shell, as a script or a CI job would.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace attnsweep::test_support {

struct CliOutcome {
  int code = -1;
  std::string output;  // stdout and stderr together
};

inline CliOutcome run_cli(const std::string& args) {
  const std::string command = std::string(ATTNSWEEP_CLI) + " " + args + " 2>&1";
  CliOutcome out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out.output += buf.data();
  const int status = ::pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace attnsweep::test_support
