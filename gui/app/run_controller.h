#pragma once
// Runs one sweep at a time on a worker thread and hands its events to the GUI thread as plain
// values (hotspot's perfparser facade). Every event carries the run id; events of a run that was
// stopped or replaced are dropped (hotspot's jobtracker). Finished cells are batched: the worker
// posts at most one wake-up at a time, so a burst of tiny cells costs the event loop one call
// (heaptrack's throttling at the source).
//
// The executor comes from a factory, the engine's make_executor unless a test gives another.
#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/metatypes.h"
#include "attnsweep/engine/executor_choice.h"
#include "attnsweep/engine/sweep.h"

namespace attnsweep::gui {

// Called on the run's thread; throws what make_executor throws.
using ExecutorFactory = std::function<std::unique_ptr<Executor>(const SweepSpec&, const ExecutorChoice&)>;

struct RunSummary {
  std::size_t planned = 0, already_done = 0, measured = 0;
  bool cancelled = false;
};

class RunController : public QObject {
  Q_OBJECT
 public:
  explicit RunController(QObject* parent = nullptr, ExecutorFactory factory = make_executor);
  ~RunController() override;  // stops and joins a running sweep

  // Starts a sweep writing `path` (resume: keep the cells already there) on the executor `choice`
  // asks for. Returns the run id, or 0 when a run is already going.
  quint64 start(const SweepSpec& spec, const QString& path, bool resume, const ExecutorChoice& choice);
  // Asks the running sweep to stop after the current sample; finished() follows.
  void stop();
  bool isRunning() const { return active_; }

 signals:
  void planned(quint64 run, qulonglong planned, qulonglong already_done);
  void cellStarted(quint64 run, qulonglong index, QString cell_id);
  void cellsFinished(quint64 run, std::vector<attnsweep::CellResult> results);
  void logMessage(quint64 run, QString level, QString text);
  void finished(quint64 run, attnsweep::gui::RunSummary summary);
  void failed(quint64 run, QString message);

 private:
  // What the worker has produced since the last flush on the GUI thread.
  struct Pending {
    bool has_plan = false;
    std::size_t planned = 0, already_done = 0;
    bool has_started = false;
    std::size_t started_index = 0;
    std::string started_id;
    std::vector<CellResult> finished;
    std::vector<std::pair<std::string, std::string>> logs;
    bool ended = false;
    RunSummary summary;
    std::string error;
  };
  void post(quint64 run, const std::function<void(Pending&)>& update);
  void flush(quint64 run);
  void join();

  ExecutorFactory factory_;
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{true};
  bool active_ = false;  // from start() until finished()/failed() is emitted
  quint64 run_id_ = 0;
  quint64 next_id_ = 1;
  std::mutex mutex_;
  Pending pending_;
  bool flush_posted_ = false;
};

}  // namespace attnsweep::gui

Q_DECLARE_METATYPE(attnsweep::gui::RunSummary)
