#include "attnsweep/engine/worker_executor.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>
#include <thread>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/worker_protocol.h"
#include "child_process.h"

namespace attnsweep {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kJunkLinesReported = 20;     // per worker process; then one "more suppressed" line
constexpr int kStderrLinesForwarded = 50;  // per worker process
constexpr std::size_t kStderrTailLines = 4;  // kept for the crash message
constexpr auto kPollInterval = std::chrono::milliseconds(50);  // how often cancel is looked at

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Now + `s` seconds; past a century (or for NaN), never: the clock's nanoseconds would overflow.
Clock::time_point after_seconds(double s) {
  constexpr double kCentury = 100.0 * 365 * 24 * 3600;
  if (!(s < kCentury)) return Clock::time_point::max();
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(s, 0.0)));
}

template <class Strings>
std::string join(const Strings& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// "2.5": seconds in messages, locale-independent.
std::string seconds_text(double s) { return format_number(s, 6); }

// Printable, bounded excerpt of what a worker sent, for messages.
std::string excerpt(std::string_view line, std::size_t max = 160) { return printable_text(line, max); }

// Splits a byte stream into lines. A line longer than the protocol allows is dropped (reported
// once) instead of growing without bound.
class LineSplitter {
 public:
  template <class OnLine, class OnOverflow>
  void feed(std::string_view bytes, OnLine&& on_line, OnOverflow&& on_overflow) {
    while (!bytes.empty()) {
      const std::size_t nl = bytes.find('\n');
      const std::string_view part = bytes.substr(0, nl);
      if (!discarding_) {
        buf_.append(part);
        if (buf_.size() > kMaxProtocolLineBytes) {
          discarding_ = true;
          buf_.clear();
          on_overflow();
        }
      }
      if (nl == std::string_view::npos) return;
      if (!discarding_) {
        std::string line = std::move(buf_);
        buf_.clear();
        on_line(std::string_view(line));
      }
      discarding_ = false;
      bytes.remove_prefix(nl + 1);
    }
  }
  // A last line without a newline, at end of stream.
  std::optional<std::string> take_rest() {
    std::optional<std::string> rest;
    if (!discarding_ && !buf_.empty()) rest = std::move(buf_);
    buf_.clear();
    discarding_ = false;
    return rest;
  }

 private:
  std::string buf_;
  bool discarding_ = false;
};

// The device as the worker described it in hello: enough for the result file's environment and
// for planning. Measuring happens in the worker, so the memory calls are not available here.
class RemoteDevice final : public Device {
 public:
  explicit RemoteDevice(const HelloEvent& h) : info_(h.device), caps_(h.caps), free_(h.free_bytes) {
    info_.facts["worker"] = h.worker;
  }
  const DeviceInfo& info() const override { return info_; }
  DeviceCaps caps() const override { return caps_; }
  std::uint64_t free_bytes() const override { return free_; }
  void* allocate(std::uint64_t) override { remote(); }
  void release(void*) noexcept override {}
  void copy_to_device(void*, const void*, std::uint64_t) override { remote(); }
  void copy_to_host(void*, const void*, std::uint64_t) override { remote(); }
  void fill(void*, std::uint8_t, std::uint64_t) override { remote(); }
  void* stream() override { return nullptr; }
  void synchronize() override { remote(); }
  void flush_cache() override { remote(); }
  TimedLaunches time_launches(const std::function<void()>&, int) override { remote(); }
  std::optional<ClockReading> read_clocks() override { remote(); }
  std::string clocks_unavailable() const override { return "read where the cells are measured"; }

 private:
  [[noreturn]] static void remote() {
    throw std::logic_error("this device lives in a worker process: measure through the worker executor");
  }
  DeviceInfo info_;
  DeviceCaps caps_;
  std::uint64_t free_;
};

enum class SlotState { stopped, starting, idle, busy };

// One device and the worker process serving it (restarted as often as it dies).
struct Slot {
  int ordinal = 0;
  std::string label;  // "cuda:1"
  std::string device_name;  // from the first hello: what its cells are recorded as measured on
  ChildProcess proc;
  SlotState state = SlotState::stopped;
  Clock::time_point deadline;  // hello (starting) or result (busy) is due by then

  int failed_starts = 0;  // consecutive; reset by a cell result
  bool given_up = false;
  std::string start_failure;  // why the last start failed
  std::optional<std::string> doomed;  // a fatal protocol problem found while reading: kill it
  bool leaving = false;  // it said bye, or reported a crash (a poisoned worker exits): no more cells

  // The running cell.
  std::size_t cell_index = 0;
  std::uint64_t seq = 0;
  Clock::time_point cell_started;
  bool cancel_sent = false;

  // This process's words: for the message when it dies.
  std::string first_output;  // its first bytes on stdout, while it has not said hello
  std::optional<HelloEvent> hello;
  std::string last_error;
  std::string bye_reason;
  std::deque<std::string> stderr_tail;
  int junk_lines = 0;
  int stderr_lines = 0;
  LineSplitter out, err;

  void forget_process() {
    proc = ChildProcess();
    state = SlotState::stopped;
    first_output.clear();
    hello.reset();
    last_error.clear();
    bye_reason.clear();
    stderr_tail.clear();
    junk_lines = stderr_lines = 0;
    out = LineSplitter();
    err = LineSplitter();
    doomed.reset();
    leaving = false;
    cancel_sent = false;
  }
};

constexpr std::size_t kFirstOutputShown = 200;  // bytes of a worker's output before hello

// What a worker that never said hello printed instead: a login banner, a shell's error, garbage.
std::string before_hello(const Slot& s) {
  if (s.first_output.empty()) return "; it printed nothing on stdout";
  return "; instead of hello it printed: \"" + excerpt(s.first_output, kFirstOutputShown) + "\"";
}

std::string describe_exit(const Slot& s, const std::string& how) {
  std::string text = how;
  if (!s.bye_reason.empty()) text += " after saying bye (" + s.bye_reason + ")";
  if (!s.last_error.empty()) text += "; its last error: " + s.last_error;
  if (!s.stderr_tail.empty()) {
    text += "; stderr ends: ";
    text += join(s.stderr_tail, " | ");
  }
  return text;
}

class WorkerExecutor final : public Executor {
 public:
  explicit WorkerExecutor(WorkerExecutorOptions o) : options_(std::move(o)) {
    if (options_.command.empty() || options_.command[0].empty()) throw std::runtime_error("the worker command is empty");
    if (options_.devices.empty()) throw std::runtime_error("no devices given for the workers");
    for (int ordinal : options_.devices) {
      auto slot = std::make_unique<Slot>();
      slot->ordinal = ordinal;
      slot->label = std::string(backend_name(options_.backend)) + ":" + std::to_string(ordinal);
      slots_.push_back(std::move(slot));
    }
    // All workers start at once (CUDA init overlaps); any that fails fails the executor.
    for (auto& s : slots_) start(*s);
    for (;;) {
      for (auto& s : slots_)
        if (s->state == SlotState::stopped)
          throw std::runtime_error("worker for " + s->label + " (" + command_text(*s) + ") did not start: " +
                                   s->start_failure);
      if (std::all_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->state == SlotState::idle; })) break;
      step();
    }
    remote_ = std::make_unique<RemoteDevice>(*slots_.front()->hello);
  }

  ~WorkerExecutor() override {
    // Ask politely, together, then kill whoever has not left after a short while.
    for (auto& s : slots_)
      if (s->proc.started()) {
        s->proc.write(to_line(WorkerRequest{ShutdownRequest{}}) + "\n", nullptr);
        s->proc.close_stdin();
      }
    const auto until = after_seconds(2.0);
    for (auto& s : slots_)
      if (s->proc.started()) s->proc.wait_or_kill(std::max(0.0, seconds_between(Clock::now(), until)));
  }

  std::string describe() const override {
    std::vector<std::string> ordinals;
    for (int d : options_.devices) ordinals.push_back(std::to_string(d));
    return std::string(backend_name(options_.backend)) + ":" + join(ordinals, ",") + " (worker)";
  }
  const Device* device() const override { return remote_.get(); }
  DeviceCaps caps() const override { return remote_->caps(); }

  bool run(const Plan& plan, const RunOptions& opts, const SweepObserver& obs,
           const std::function<void(const CellResult&)>& sink) override {
    Run run{plan, obs, sink};
    run_ = &run;
    struct Reset {
      Run*& r;
      ~Reset() { r = nullptr; }
    } reset{run_};
    for (auto& [level, text] : pending_logs_) log(level, text);
    pending_logs_.clear();

    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < plan.cells.size(); ++i)
      if (!opts.done_ids.count(plan.cells[i].id())) queue.push_back(i);

    for (;;) {
      if (opts.cancel && opts.cancel->load() && !run.cancelling) begin_cancel();
      if (!run.cancelling) {
        while (!queue.empty() && !plan.cells[queue.front()].supported) {
          finish_without_worker(queue.front());
          queue.pop_front();
        }
        for (auto& s : slots_) {
          if (queue.empty()) break;
          if (s->state == SlotState::idle && s->leaving) {
            retire(*s);  // restarted on the next pass, so the cell goes to a fresh worker
          } else if (s->state == SlotState::idle) {
            dispatch(*s, queue.front());
            queue.pop_front();
          } else if (s->state == SlotState::stopped && !s->given_up) {
            start(*s);
          }
        }
      }
      const bool busy = std::any_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->state == SlotState::busy; });
      if (!busy && (run.cancelling || queue.empty())) return !run.cancelling;
      if (!busy && std::all_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->given_up; })) {
        std::vector<std::string> reasons;
        for (auto& s : slots_) reasons.push_back(s->label + ": " + s->start_failure);
        const std::string why = join(reasons, "; ");
        throw std::runtime_error("no worker is left to run the remaining " + std::to_string(queue.size()) +
                                 " cells (" + why + "); the cells finished so far are in the result file");
      }
      step();
    }
  }

 private:
  struct Run {
    const Plan& plan;
    const SweepObserver& obs;
    const std::function<void(const CellResult&)>& sink;
    bool cancelling = false;
  };

  // ---- process lifecycle ----

  std::vector<std::string> command_for(const Slot& s) const {
    std::vector<std::string> argv = options_.command;
    for (std::string& a : argv)
      for (std::size_t at; (at = a.find("{device}")) != std::string::npos;)
        a.replace(at, 8, std::to_string(s.ordinal));
    return argv;
  }
  std::string command_text(const Slot& s) const {
    return join(command_for(s), " ");
  }

  void start(Slot& s) {
    s.forget_process();
    try {
      s.proc = ChildProcess::spawn(command_for(s));
    } catch (const std::exception& e) {
      start_failed(s, e.what());
      return;
    }
    std::string why;
    if (!s.proc.write(to_line(WorkerRequest{HelloRequest{kWorkerProtocolVersion, "attnsweep"}}) + "\n", &why)) {
      start_failed(s, "could not send hello (" + why + "); it " + describe_exit(s, s.proc.kill()));
      return;
    }
    s.state = SlotState::starting;
    s.deadline = after_seconds(options_.startup_timeout_s);
  }

  void start_failed(Slot& s, const std::string& reason, bool hopeless = false) {
    if (s.proc.started()) s.proc.kill();
    s.forget_process();
    s.start_failure = reason;
    if (hopeless || ++s.failed_starts >= options_.max_start_attempts) {
      s.given_up = true;
      log("error", "worker for " + s.label + " given up: " + reason);
    } else {
      log("error", "worker for " + s.label + " failed to start: " + reason);
    }
  }

  // ---- the event loop: one step waits for output (or a deadline) and reacts to it ----

  void step() {
    pump(next_wait());
    for (auto& s : slots_) {
      if (s->doomed) kill_doomed(*s);
      reap_if_ended(*s);
      enforce_deadline(*s);
    }
  }

  std::chrono::milliseconds next_wait() const {
    auto wait = std::chrono::duration_cast<Clock::duration>(kPollInterval);
    const auto now = Clock::now();
    for (const auto& s : slots_)
      if (s->state == SlotState::starting || s->state == SlotState::busy)
        wait = std::min(wait, std::max(Clock::duration::zero(), s->deadline - now));
    return std::chrono::ceil<std::chrono::milliseconds>(wait);
  }

  void pump(std::chrono::milliseconds wait) {
    std::vector<pollfd> fds;
    std::vector<std::pair<Slot*, bool>> owners;  // (slot, is stderr)
    for (auto& s : slots_) {
      if (s->proc.stdout_fd() >= 0) fds.push_back({s->proc.stdout_fd(), POLLIN, 0}), owners.emplace_back(s.get(), false);
      if (s->proc.stderr_fd() >= 0) fds.push_back({s->proc.stderr_fd(), POLLIN, 0}), owners.emplace_back(s.get(), true);
    }
    if (fds.empty()) {
      std::this_thread::sleep_for(wait);
      return;
    }
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait.count())) <= 0) return;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_available(*owners[i].first, owners[i].second);
  }

  // Reads what is there without blocking; at end of stream, closes our end.
  void read_available(Slot& s, bool from_stderr) {
    char buf[1 << 16];
    for (;;) {
      const int fd = from_stderr ? s.proc.stderr_fd() : s.proc.stdout_fd();
      if (fd < 0) return;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;  // EAGAIN: nothing more for now
      if (n == 0) {
        LineSplitter& split = from_stderr ? s.err : s.out;
        if (auto rest = split.take_rest()) from_stderr ? on_stderr_line(s, *rest) : on_line(s, *rest);
        from_stderr ? s.proc.close_stderr() : s.proc.close_stdout();
        return;
      }
      const std::string_view bytes(buf, static_cast<std::size_t>(n));
      if (!from_stderr && s.state == SlotState::starting && s.first_output.size() <= kFirstOutputShown)
        s.first_output.append(bytes.substr(0, kFirstOutputShown + 1 - s.first_output.size()));
      if (from_stderr)
        s.err.feed(bytes, [&](std::string_view l) { on_stderr_line(s, l); }, [] {});
      else
        s.out.feed(bytes, [&](std::string_view l) { on_line(s, l); },
                   [&] { junk(s, "a line longer than " + std::to_string(kMaxProtocolLineBytes) + " bytes", ""); });
    }
  }

  void drain(Slot& s) {
    read_available(s, false);
    read_available(s, true);
  }

  void reap_if_ended(Slot& s) {
    if (!s.proc.started() || s.state == SlotState::stopped) return;
    std::optional<std::string> how = s.proc.poll_exit();
    // A worker that closed its output is leaving (or broken): give it a moment, then make sure.
    if (!how && s.proc.stdout_fd() < 0) how = s.proc.wait_or_kill(2.0);
    if (!how) return;
    drain(s);  // a result written just before the exit still counts
    on_exit(s, *how);
  }

  void on_exit(Slot& s, const std::string& how) {
    const std::string text = describe_exit(s, how);
    switch (s.state) {
      case SlotState::starting:
        start_failed(s, "it " + text + " before saying hello" + before_hello(s));
        return;
      case SlotState::busy:
        record_failure(s, CellStatus::crashed, "the worker died during this cell: it " + text);
        break;
      case SlotState::idle:
        if (s.bye_reason.empty()) ++s.failed_starts;  // died unasked: don't restart it forever
        log(s.bye_reason.empty() ? "warning" : "info",
            "worker for " + s.label + " " + text + "; a new one starts for the next cell");
        break;
      case SlotState::stopped:
        break;
    }
    s.forget_process();
    if (s.failed_starts >= options_.max_start_attempts && !s.given_up) {
      s.given_up = true;
      s.start_failure = "it kept dying: " + text;
      log("error", "worker for " + s.label + " given up: it kept dying");
    }
  }

  void kill_doomed(Slot& s) {
    const std::string reason = *s.doomed;
    s.proc.kill();
    if (s.state == SlotState::busy) {
      record_failure(s, CellStatus::error, reason);
      s.forget_process();
    } else {
      start_failed(s, reason, /*hopeless=*/true);
    }
  }

  void enforce_deadline(Slot& s) {
    if (Clock::now() < s.deadline) return;
    if (s.state == SlotState::starting) {
      start_failed(s, "no hello within " + seconds_text(options_.startup_timeout_s) + " s" + before_hello(s));
    } else if (s.state == SlotState::busy) {
      const std::string how = s.proc.kill();
      drain(s);  // it may have answered at the last moment
      if (s.state == SlotState::busy) {
        if (s.cancel_sent) {
          // Cancelled and stuck in a kernel: the cell stays unfinished (not written), so a
          // resume runs it again.
          log("warning", "cell " + run_->plan.cells[s.cell_index].id() + " did not stop within " +
                             seconds_text(options_.cancel_grace_s) + " s of the cancel; worker for " + s.label +
                             " killed (" + how + ")");
        } else {
          const Cell& cell = run_->plan.cells[s.cell_index];
          record_failure(s, CellStatus::timeout,
                         "no result within " + seconds_text(watchdog_s(cell)) + " s (watchdog: " +
                             seconds_text(options_.watchdog_factor) + " x max_cell_s + " +
                             seconds_text(options_.watchdog_margin_s) + " s); the worker was killed and restarted");
        }
      }
      s.forget_process();
    }
  }

  // ---- what a worker says ----

  void on_line(Slot& s, std::string_view line) {
    if (is_blank_line(line)) return;
    Parsed<WorkerEvent> parsed = parse_event(line);
    if (!parsed.ok()) {
      junk(s, parsed.error, line);
      return;
    }
    std::visit([&](auto& e) { on_event(s, e); }, *parsed.value);
  }

  void on_event(Slot& s, HelloEvent& h) {
    if (s.state != SlotState::starting) {
      log("warning", "worker for " + s.label + " said hello again; ignored");
      return;
    }
    if (h.protocol != kWorkerProtocolVersion) {
      s.doomed = protocol_mismatch_message(h.protocol, "the worker");
      return;
    }
    s.hello = h;
    s.device_name = h.device.name;
    s.state = SlotState::idle;
    s.deadline = Clock::time_point::max();
  }
  void on_event(Slot& s, CellStartedEvent&) { (void)s; }
  void on_event(Slot& s, CellResultEvent& e) {
    if (s.state != SlotState::busy || e.seq != s.seq) {
      log("error", "worker for " + s.label + " sent a result for request " + std::to_string(e.seq) +
                       ", which is not running; ignored");
      return;
    }
    s.failed_starts = 0;
    // A worker whose device is poisoned reports the cell crashed, says bye and exits; a cell sent to
    // it in between would be blamed for a crash it did not cause.
    if (e.result.status == CellStatus::crashed) s.leaving = true;
    finish(s, std::move(e.result));
  }
  void on_event(Slot& s, LogEvent& e) { log(e.level, s.label + ": " + e.message); }
  void on_event(Slot& s, ErrorEvent& e) {
    s.last_error = e.message;
    log("error", "worker for " + s.label + ": " + e.message);
  }
  void on_event(Slot& s, ByeEvent& e) {
    s.bye_reason = e.reason.empty() ? "no reason given" : e.reason;
    s.leaving = true;
  }

  // Waits for a leaving worker to exit (killing it if it lingers) and forgets it.
  void retire(Slot& s) {
    const std::string how = s.proc.wait_or_kill(5.0);
    drain(s);
    log("info", "worker for " + s.label + " " + describe_exit(s, how) + "; a new one starts for the next cell");
    s.forget_process();
  }

  void on_stderr_line(Slot& s, std::string_view line) {
    if (is_blank_line(line)) return;
    s.stderr_tail.push_back(excerpt(line, 300));
    if (s.stderr_tail.size() > kStderrTailLines) s.stderr_tail.pop_front();
    if (++s.stderr_lines <= kStderrLinesForwarded) log("warning", s.label + " worker stderr: " + excerpt(line, 300));
  }

  void junk(Slot& s, const std::string& error, std::string_view line) {
    ++s.junk_lines;
    if (s.junk_lines <= kJunkLinesReported)
      log("error", "worker for " + s.label + " sent an unreadable line (ignored): " + error +
                       (line.empty() ? std::string() : " -- line: " + excerpt(line)));
    else if (s.junk_lines == kJunkLinesReported + 1)
      log("error", "worker for " + s.label + " keeps sending unreadable lines; no more of them are reported");
  }

  // ---- cells ----

  double watchdog_s(const Cell&) const {
    const TimingOptions& t = run_->plan.spec.timing;
    return options_.watchdog_factor * t.max_cell_s + options_.watchdog_margin_s + t.warmup_ms / 1000.0;
  }

  void dispatch(Slot& s, std::size_t index) {
    const Cell& cell = run_->plan.cells[index];
    if (run_->obs.cell_started) run_->obs.cell_started(index, cell);
    RunCellRequest request{++next_seq_, cell, run_->plan.spec.timing, run_->plan.spec.check, run_->plan.spec.seed};
    s.state = SlotState::busy;
    s.cell_index = index;
    s.seq = request.seq;
    s.cell_started = Clock::now();
    s.cancel_sent = false;
    s.deadline = after_seconds(watchdog_s(cell));
    std::string why;
    if (!s.proc.write(to_line(WorkerRequest{std::move(request)}) + "\n", &why)) {
      const std::string how = s.proc.kill();
      drain(s);
      record_failure(s, CellStatus::crashed, "could not send the cell to the worker (" + why + "); it " + describe_exit(s, how));
      s.forget_process();
    }
  }

  void begin_cancel() {
    run_->cancelling = true;
    for (auto& s : slots_) {
      if (s->state != SlotState::busy) continue;
      s->cancel_sent = true;
      if (!s->proc.write(to_line(WorkerRequest{CancelRequest{}}) + "\n", nullptr)) {
        s->deadline = Clock::now();  // cannot ask: kill at once
      } else {
        s->deadline = std::min(s->deadline, after_seconds(options_.cancel_grace_s));
      }
    }
  }

  void finish(Slot& s, CellResult result) {
    s.state = SlotState::idle;
    s.deadline = Clock::time_point::max();
    const Cell& cell = run_->plan.cells[s.cell_index];
    if (result.cell.id() != cell.id()) {
      const std::string other = result.cell.id();
      result = CellResult{};
      result.status = CellStatus::error;
      result.message = "the worker answered with a result for another cell (" + excerpt(other, 300) + ")";
    }
    // The worker's word is checked like a file's: an impossible measurement is never recorded as ok.
    result.cell = cell;
    result.device = s.ordinal;
    result.device_name = s.device_name;
    result = admit_result(std::move(result), "the worker for " + s.label);
    // Cancelled mid-cell: unfinished, so not written; a resume runs it again.
    if (run_->cancelling && result.status == CellStatus::skipped && result.message == "cancelled") return;
    deliver(s.cell_index, result);
  }

  void record_failure(Slot& s, CellStatus status, const std::string& message) {
    CellResult r;
    r.cell = run_->plan.cells[s.cell_index];
    r.status = status;
    r.message = message;
    r.device = s.ordinal;
    r.device_name = s.device_name;
    r.wall_s = seconds_between(s.cell_started, Clock::now());
    s.state = SlotState::stopped;
    deliver(s.cell_index, r);
  }

  // A cell the plan already marked as not runnable here: decided without a worker.
  void finish_without_worker(std::size_t index) {
    const Cell& cell = run_->plan.cells[index];
    if (run_->obs.cell_started) run_->obs.cell_started(index, cell);
    CellResult r;
    r.cell = cell;
    r.status = cell.unsupported_reason.rfind("runs on ", 0) == 0 ? CellStatus::skipped : CellStatus::unsupported;
    r.message = cell.unsupported_reason;
    r.device_name = remote_->info().name;
    deliver(index, r);
  }

  void deliver(std::size_t index, const CellResult& r) {
    run_->sink(r);
    if (run_->obs.cell_finished) run_->obs.cell_finished(index, r);
  }

  void log(const std::string& level, const std::string& text) {
    if (run_ && run_->obs.log) run_->obs.log(level, text);
    else if (!run_) pending_logs_.emplace_back(level, text);
  }

  WorkerExecutorOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<RemoteDevice> remote_;
  std::uint64_t next_seq_ = 0;
  Run* run_ = nullptr;
  std::vector<std::pair<std::string, std::string>> pending_logs_;  // said before a run had an observer
};

}  // namespace

std::vector<std::string> default_worker_command(const std::string& cli_path, Backend backend) {
  return {cli_path, "worker", "--backend", std::string(backend_name(backend)), "--device", "{device}"};
}

std::string current_executable_path() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::unique_ptr<Executor> make_worker_executor(WorkerExecutorOptions options) {
  return std::make_unique<WorkerExecutor>(std::move(options));
}

}  // namespace attnsweep
