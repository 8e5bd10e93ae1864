#pragma once
// A child process with its stdin on a socket and its stdout and stderr on pipes, in a process
// group of its own (so a kill reaches `sh -c` or ssh children too). Private to the engine: the
// worker executor's plumbing. Every fd is close-on-exec, so children never inherit each other's.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnsweep {

class ChildProcess {
 public:
  // Starts argv (argv[0] searched on PATH). Throws std::runtime_error naming the program and why.
  static ChildProcess spawn(const std::vector<std::string>& argv);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& o) noexcept { *this = std::move(o); }
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills and reaps a child still running: no zombies

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int stdout_fd() const { return out_fd_; }  // non-blocking
  int stderr_fd() const { return err_fd_; }  // non-blocking
  void close_stdout();
  void close_stderr();

  // Writes everything or nothing useful: false (with why) when the child has gone or stopped
  // reading. Never raises SIGPIPE.
  bool write(std::string_view data, std::string* why);
  void close_stdin();

  // The exit, described ("exited with code 3", "killed by signal 11 (Segmentation fault)"), once
  // the child has ended; nullopt while it runs. Reaps it.
  std::optional<std::string> poll_exit();
  // Waits up to `seconds` for the child to end by itself; then SIGKILLs its group. Reaps it.
  std::string wait_or_kill(double seconds);
  std::string kill();  // SIGKILL to the group now, then reap

 private:
  void close_all() noexcept;
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::optional<std::string> exit_;
};

std::string describe_wait_status(int status);

}  // namespace attnsweep
