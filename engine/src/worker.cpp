#include "attnsweep/engine/worker.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <istream>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>

#include "attnsweep/engine/measure.h"
#include "attnsweep/engine/worker_protocol.h"
#include "attnsweep/kernels/device.h"

#ifndef ATTNSWEEP_VERSION
#define ATTNSWEEP_VERSION "unknown"
#endif

namespace attnsweep {

namespace {

// Writes events, one flushed line each. Shared by the main loop and the reader thread (which
// reports unreadable requests at once, even while a cell runs).
class Emitter {
 public:
  explicit Emitter(std::ostream& out) : out_(out) {}
  bool emit(const WorkerEvent& e) {
    const std::string line = to_line(e);
    std::lock_guard lock(m_);
    if (closed_) return false;
    out_ << line << '\n' << std::flush;
    return static_cast<bool>(out_);
  }
  void close() {
    std::lock_guard lock(m_);
    closed_ = true;
  }

 private:
  std::mutex m_;
  std::ostream& out_;
  bool closed_ = false;
};

// Requests waiting for the main loop. Cancel does not queue: it flips `cancel` at once, which
// measure_cell polls between samples.
struct Inbox {
  std::mutex m;
  std::condition_variable changed;
  std::deque<WorkerRequest> queue;
  bool input_ended = false;
  bool stop_reading = false;  // the main loop has finished
  bool reader_done = false;
  std::atomic<bool> cancel{false};
};

enum class LineRead { line, too_long, end };

// The next line of `in`, without its newline. A line longer than the protocol allows is read to
// its end but not kept, so a peer that never sends a newline cannot fill this process's memory.
LineRead read_line(std::istream& in, std::string& line) {
  line.clear();
  std::streambuf* const buf = in.rdbuf();
  bool any = false, too_long = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      if (!any) return LineRead::end;
      break;
    }
    any = true;
    if (c == '\n') break;
    if (too_long) continue;
    if (line.size() == kMaxProtocolLineBytes) {
      too_long = true;
      line.clear();
      line.shrink_to_fit();
    } else {
      line += static_cast<char>(c);
    }
  }
  return too_long ? LineRead::too_long : LineRead::line;
}

void read_requests(std::istream& in, const std::shared_ptr<Inbox>& inbox, const std::shared_ptr<Emitter>& emitter) {
  std::string line;
  std::uint64_t line_no = 0;
  for (;;) {
    {
      std::lock_guard lock(inbox->m);
      if (inbox->stop_reading) break;
    }
    const LineRead read = read_line(in, line);
    if (read == LineRead::end) {
      std::lock_guard lock(inbox->m);
      // Like shutdown: queued cells still run (`worker < requests.jsonl` works). A driver that
      // died is noticed at the next write instead.
      inbox->input_ended = true;
      inbox->changed.notify_all();
      break;
    }
    ++line_no;
    if (read == LineRead::too_long) {
      emitter->emit(ErrorEvent{"request line " + std::to_string(line_no) + " ignored: longer than " +
                                   std::to_string(kMaxProtocolLineBytes) + " bytes",
                               false});
      continue;
    }
    if (is_blank_line(line)) continue;
    Parsed<WorkerRequest> parsed = parse_request(line);
    if (!parsed.ok()) {
      emitter->emit(ErrorEvent{"request line " + std::to_string(line_no) + " ignored: " + parsed.error, false});
      continue;
    }
    std::lock_guard lock(inbox->m);
    if (std::holds_alternative<CancelRequest>(*parsed.value)) {
      inbox->cancel = true;
      continue;
    }
    // Reset here, in arrival order, so a cancel sent right after this cell is not lost.
    if (std::holds_alternative<RunCellRequest>(*parsed.value)) inbox->cancel = false;
    const bool shutdown = std::holds_alternative<ShutdownRequest>(*parsed.value);
    inbox->queue.push_back(std::move(*parsed.value));
    inbox->changed.notify_all();
    if (shutdown) break;
  }
  std::lock_guard lock(inbox->m);
  inbox->reader_done = true;
  inbox->changed.notify_all();
}

std::unique_ptr<Device> open_device(const WorkerOptions& o) {
  return o.backend == Backend::cpu ? make_cpu_device() : make_cuda_device(o.device);
}

std::string device_label(const WorkerOptions& o) {
  return std::string(backend_name(o.backend)) + (o.backend == Backend::cuda ? ":" + std::to_string(o.device) : "");
}

class WorkerLoop {
 public:
  WorkerLoop(const WorkerOptions& o, std::shared_ptr<Inbox> inbox, std::shared_ptr<Emitter> emitter)
      : options_(o), inbox_(std::move(inbox)), emitter_(std::move(emitter)) {}

  int run() {
    for (;;) {
      std::optional<WorkerRequest> next = pop();
      if (!next) return bye("end of input", kWorkerExitOk);
      if (auto* hello = std::get_if<HelloRequest>(&*next)) {
        if (int code = on_hello(*hello); code >= 0) return code;
      } else if (auto* run_cell = std::get_if<RunCellRequest>(&*next)) {
        if (int code = on_run_cell(*run_cell); code >= 0) return code;
      } else if (std::holds_alternative<ShutdownRequest>(*next)) {
        return bye("shutdown", kWorkerExitOk);
      }
      if (output_failed_) return kWorkerExitProtocol;
    }
  }

 private:
  static constexpr int kGoOn = -1;

  std::optional<WorkerRequest> pop() {
    std::unique_lock lock(inbox_->m);
    inbox_->changed.wait(lock, [&] { return !inbox_->queue.empty() || inbox_->input_ended || inbox_->reader_done; });
    if (inbox_->queue.empty()) return std::nullopt;
    WorkerRequest r = std::move(inbox_->queue.front());
    inbox_->queue.pop_front();
    return r;
  }

  void emit(const WorkerEvent& e) {
    if (!emitter_->emit(e)) output_failed_ = true;
  }

  int bye(const std::string& reason, int code) {
    emit(ByeEvent{reason});
    return code;
  }

  int on_hello(const HelloRequest& hello) {
    if (hello.protocol != kWorkerProtocolVersion) {
      emit(ErrorEvent{protocol_mismatch_message(hello.protocol, "the driver"), true});
      return bye("protocol version mismatch", kWorkerExitProtocol);
    }
    if (!device_) {
      try {
        device_ = open_device(options_);
      } catch (const std::exception& e) {
        emit(ErrorEvent{"cannot open " + device_label(options_) + ": " + e.what(), true});
        return bye("no device", kWorkerExitNoDevice);
      }
    }
    HelloEvent h;
    h.worker = options_.name + " " + ATTNSWEEP_VERSION;
    h.device = device_->info();
    h.caps = device_->caps();
    h.free_bytes = device_->free_bytes();
    emit(h);
    return kGoOn;
  }

  int on_run_cell(const RunCellRequest& r) {
    if (!device_) {
      emit(ErrorEvent{"run_cell " + std::to_string(r.seq) + " ignored: send hello first", false});
      return kGoOn;
    }
    emit(CellStartedEvent{r.seq, r.cell.id()});
    CellResult result;
    if (const Kernel* kernel = find_kernel(r.cell.kernel)) {
      MeasureOptions mo{r.timing, r.check, r.seed, &inbox_->cancel};
      // The driver's plan is not trusted: a kernel runs only what it supports on this device
      // (a CPU kernel handed fp16 would write floats past 2-byte buffers).
      Cell cell = r.cell;
      if (const Support support = cell_support(*kernel, cell, device_->caps()); !support.ok) {
        cell.supported = false;
        cell.unsupported_reason = support.reason;
      }
      try {
        result = measure_cell(*kernel, *device_, cell, mo);
      } catch (const std::exception& e) {  // measure_cell promises not to throw; a bug must not kill the worker
        result.cell = r.cell;
        result.status = CellStatus::error;
        result.message = std::string("measure_cell threw: ") + e.what();
      }
    } else {
      result.cell = r.cell;
      result.status = CellStatus::error;
      result.message = "kernel '" + r.cell.kernel + "' is not built into this worker";
    }
    result.device = device_->info().ordinal;
    emit(CellResultEvent{r.seq, result});
    if (result.status == CellStatus::crashed)
      return bye("device poisoned: " + result.message, kWorkerExitPoisoned);
    return kGoOn;
  }

  WorkerOptions options_;
  std::shared_ptr<Inbox> inbox_;
  std::shared_ptr<Emitter> emitter_;
  std::unique_ptr<Device> device_;
  bool output_failed_ = false;
};

}  // namespace

int run_worker(std::istream& in, std::ostream& out, const WorkerOptions& options) {
  in.tie(nullptr);
  auto inbox = std::make_shared<Inbox>();
  auto emitter = std::make_shared<Emitter>(out);
  std::thread reader(read_requests, std::ref(in), inbox, emitter);

  int code = kWorkerExitProtocol;
  try {
    code = WorkerLoop(options, inbox, emitter).run();
  } catch (const std::exception& e) {
    emitter->emit(ErrorEvent{std::string("worker failed: ") + e.what(), true});
  }

  // Silence the reader, then join it if it stops soon (it does at end of input); a read blocked
  // on a terminal or pipe cannot be interrupted portably, so that thread is left to process exit.
  emitter->close();
  std::unique_lock lock(inbox->m);
  inbox->stop_reading = true;
  const bool done = inbox->changed.wait_for(lock, std::chrono::milliseconds(200), [&] { return inbox->reader_done; });
  lock.unlock();
  if (done) reader.join();
  else reader.detach();
  return code;
}

}  // namespace attnsweep
