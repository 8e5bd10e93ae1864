#include "progress.h"

#include <unistd.h>

#include <cmath>

#include "attnsweep/engine/format.h"

namespace attnsweep::cli {

Progress::Progress(std::size_t total, std::size_t already_done, std::FILE* out)
    : total_(total), done_(already_done), out_(out), tty_(isatty(fileno(out))) {}

std::string Progress::eta() const {
  if (measured_here_ == 0 || done_ >= total_) return "--:--";
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto left = static_cast<long>(std::lround(elapsed / measured_here_ * (total_ - done_)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", left / 3600, left / 60 % 60, left % 60);
  return buf;
}

void Progress::draw() {
  if (!tty_) return;
  constexpr int kWidth = 28;
  const double frac = total_ ? static_cast<double>(done_) / total_ : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(out_, "\r\033[K[%s] %zu/%zu %3.0f%% ETA %s  %s", bar.c_str(), done_, total_, frac * 100,
               eta().c_str(), current_.c_str());
  std::fflush(out_);
}

void Progress::started(const Cell& cell) {
  current_ = cell.kernel + " " + cell.tier.name + " " + std::string(dtype_name(cell.dtype)) +
             (cell.causal ? " causal" : "");
  draw();
}

void Progress::finished(const CellResult& r) {
  ++done_;
  ++measured_here_;
  std::string what;
  if (r.status == CellStatus::ok) {
    // One part per mode, cold first. CPU cells run at GFLOP/s: print the unit that keeps three
    // significant digits.
    for (const Timing& t : r.timings) {
      const std::string rate =
          t.tflops >= 1 ? format_fixed(t.tflops, 1) + " TFLOP/s" : format_sci(t.tflops * 1e3, 3) + " GFLOP/s";
      what += (what.empty() ? "" : "  ") + std::string(timing_mode_name(t.mode)) + " " +
              format_sci(t.time_ms.median, 4) + " ms " + rate + (t.noisy ? " (noisy)" : "") +
              (t.flagged_samples > 0 ? " (" + std::to_string(t.flagged_samples) + " slowed)" : "");
    }
  } else {
    what = std::string(status_name(r.status)) + (r.message.empty() ? "" : ": " + printable_text(r.message));
  }
  if (tty_) {
    std::fprintf(out_, "\r\033[K  %-12s %-26s %-5s %-6s %s\n", r.cell.kernel.c_str(), r.cell.tier.name.c_str(),
                 std::string(dtype_name(r.cell.dtype)).c_str(), r.cell.causal ? "causal" : "full", what.c_str());
    draw();
  } else {
    std::fprintf(out_, "[%zu/%zu] %s %s %s %s: %s\n", done_, total_, r.cell.kernel.c_str(), r.cell.tier.name.c_str(),
                 std::string(dtype_name(r.cell.dtype)).c_str(), r.cell.causal ? "causal" : "full", what.c_str());
    std::fflush(out_);
  }
}

// Log lines carry a worker's words: escaped, so none can move the cursor or retitle the window.
void Progress::message(const std::string& level, const std::string& text) {
  std::fprintf(out_, "%s%s: %s\n", tty_ ? "\r\033[K" : "", printable_text(level, 20).c_str(), printable_text(text).c_str());
  draw();
}

void Progress::close() {
  if (tty_) std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace attnsweep::cli
