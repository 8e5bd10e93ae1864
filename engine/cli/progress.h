#pragma once
// Sweep progress for a terminal (one bar, redrawn in place, that fits the terminal's width) or for
// a log (one line per cell). Both say the time spent and an estimate of the time left.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "attnsweep/engine/result.h"

namespace attnsweep::cli {

class Progress {
 public:
  Progress(std::size_t total, std::size_t already_done, std::FILE* out);
  void started(const Cell& cell);
  void finished(const CellResult& result);
  void message(const std::string& level, const std::string& text);
  void close();  // ends the bar's line

 private:
  void draw();
  double elapsed() const;
  std::optional<double> eta() const;
  std::size_t total_, done_, measured_here_ = 0;
  std::FILE* out_;
  bool tty_;
  std::string current_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace attnsweep::cli
