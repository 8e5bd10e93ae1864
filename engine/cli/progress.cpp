#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "attnsweep/engine/format.h"

namespace attnsweep::cli {

namespace {

// "1:02:03"; "--:--" while unknown.
std::string clock_text(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "--:--";
  const long s = std::lround(*seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

// The terminal's width; COLUMNS where the terminal does not say (a pseudo-terminal without a
// size); 80 otherwise.
int terminal_width(std::FILE* out) {
  winsize ws{};
  if (::ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

// The bar's line: "[#####.....] 12/96  13%  0:00:41 elapsed, ETA 0:04:30  flash_mma hd64-...",
// never wider than `width` columns (the cell's name, then the bar, give way).
std::string bar_line(std::size_t done, std::size_t total, double elapsed_s, std::optional<double> eta_s,
                     const std::string& current, int width) {
  constexpr int kMaxBar = 28, kMinBar = 10;
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  char counts[96];
  std::snprintf(counts, sizeof counts, " %zu/%zu %3.0f%%  %s elapsed, ETA %s", done, total, frac * 100,
                clock_text(elapsed_s).c_str(), clock_text(eta_s).c_str());
  // One column stays free: a line exactly as wide as the terminal wraps on some terminals.
  const int room = width - 1;
  const int counts_width = static_cast<int>(std::string(counts).size());
  std::string line;
  const int bar = std::min(kMaxBar, room - counts_width - 2);
  if (bar >= kMinBar) {
    const int filled = static_cast<int>(frac * bar);
    line.assign(1, '[')
        .append(static_cast<std::size_t>(filled), '#')
        .append(static_cast<std::size_t>(bar - filled), '.');
    line += ']';
  }
  line += counts;
  if (!current.empty()) line += "  " + current;
  if (static_cast<int>(line.size()) > room) line.resize(static_cast<std::size_t>(std::max(0, room)));
  return line;
}

}  // namespace

Progress::Progress(std::size_t total, std::size_t already_done, std::FILE* out)
    : total_(total), done_(already_done), out_(out), tty_(isatty(fileno(out))) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::optional<double> Progress::eta() const {
  if (done_ >= total_) return 0.0;
  if (measured_here_ == 0) return std::nullopt;
  return elapsed() / static_cast<double>(measured_here_) * static_cast<double>(total_ - done_);
}

void Progress::draw() {
  if (!tty_) return;
  std::fprintf(out_, "\r\033[K%s", bar_line(done_, total_, elapsed(), eta(), current_, terminal_width(out_)).c_str());
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
    std::fprintf(out_, "[%zu/%zu] %s %s %s %s: %s (%s elapsed, ETA %s)\n", done_, total_, r.cell.kernel.c_str(),
                 r.cell.tier.name.c_str(), std::string(dtype_name(r.cell.dtype)).c_str(),
                 r.cell.causal ? "causal" : "full", what.c_str(), clock_text(elapsed()).c_str(),
                 clock_text(eta()).c_str());
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
