#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace attnsweep {

namespace {

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string errno_text(int e) { return std::strerror(e); }

// Owns the spawn attributes and file actions so every exit path destroys them.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    return "killed by signal " + std::to_string(sig) + " (" + (name ? name : "unknown") + ")";
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

ChildProcess ChildProcess::spawn(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) throw std::runtime_error("worker command is empty");
  int in_pair[2], out_pipe[2], err_pipe[2];
  // stdin is a socket so that writes can say MSG_NOSIGNAL: a dead child must not SIGPIPE us.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0)
    throw std::runtime_error("cannot create the worker's stdin: " + errno_text(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(in_pair[0]), ::close(in_pair[1]);
    throw std::runtime_error("cannot create the worker's stdout: " + errno_text(e));
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(in_pair[0]), ::close(in_pair[1]), ::close(out_pipe[0]), ::close(out_pipe[1]);
    throw std::runtime_error("cannot create the worker's stderr: " + errno_text(e));
  }

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, in_pair[1], 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err_pipe[1], 2);
  // Own process group: terminal Ctrl-C goes to the driver (which cancels cleanly), and a kill of
  // the group also reaches whatever the command started. Signals ignored by the driver (a GUI may
  // ignore SIGPIPE) are reset, and none are blocked.
  sigset_t defaults, none;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
  ::close(in_pair[1]), ::close(out_pipe[1]), ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(in_pair[0]), ::close(out_pipe[0]), ::close(err_pipe[0]);
    throw std::runtime_error("cannot start worker '" + argv[0] + "': " + errno_text(rc));
  }
  ChildProcess child;
  child.pid_ = pid;
  child.in_fd_ = in_pair[0];
  child.out_fd_ = out_pipe[0];
  child.err_fd_ = err_pipe[0];
  set_nonblocking(child.out_fd_);
  set_nonblocking(child.err_fd_);
  return child;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (started() && !exit_) kill();
    close_all();
    pid_ = o.pid_, in_fd_ = o.in_fd_, out_fd_ = o.out_fd_, err_fd_ = o.err_fd_, exit_ = std::move(o.exit_);
    o.pid_ = -1, o.in_fd_ = o.out_fd_ = o.err_fd_ = -1;
    o.exit_.reset();
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (started() && !exit_) kill();
  close_all();
}

void ChildProcess::close_all() noexcept {
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void ChildProcess::close_stdout() { close_fd(out_fd_); }
void ChildProcess::close_stderr() { close_fd(err_fd_); }
void ChildProcess::close_stdin() { close_fd(in_fd_); }

bool ChildProcess::write(std::string_view data, std::string* why) {
  if (in_fd_ < 0) {
    if (why) *why = "its input is closed";
    return false;
  }
  while (!data.empty()) {
    // MSG_DONTWAIT: a child that stopped reading must not block the driver's only thread.
    const ssize_t n = ::send(in_fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (why) *why = errno == EAGAIN ? "it stopped reading its input" : errno_text(errno);
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> ChildProcess::poll_exit() {
  if (exit_ || !started()) return exit_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) exit_ = describe_wait_status(status);
  else if (r < 0 && errno == ECHILD) exit_ = "ended (already reaped elsewhere)";
  return exit_;
}

std::string ChildProcess::wait_or_kill(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!poll_exit() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return exit_ ? *exit_ : kill();
}

std::string ChildProcess::kill() {
  if (!started()) return "not started";
  if (exit_) return *exit_;
  ::kill(-pid_, SIGKILL);  // the group: the command and whatever it started
  ::kill(pid_, SIGKILL);   // in case it left the group
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid_, &status, 0);
  while (r < 0 && errno == EINTR);
  exit_ = r == pid_ ? describe_wait_status(status) : std::string("ended (already reaped elsewhere)");
  return *exit_;
}

}  // namespace attnsweep
