#pragma once
// The results every view shows, and the signals that keep them in step: a whole new set
// (opened file, new run) or one more cell (live). Views read; only the owner writes.
#include <QObject>

#include "core/result_set.h"

namespace attnsweep::gui {

class ResultsDocument : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  const ResultSet& set() const { return set_; }
  const std::vector<CellResult>& results() const { return set_.results; }

  void replace(ResultSet set);
  void append(std::vector<CellResult> cells);  // live rows, in batches

 signals:
  void reset();
  // Cells [first, first + count) were appended.
  void appended(std::size_t first, std::size_t count);

 private:
  ResultSet set_;
};

}  // namespace attnsweep::gui
