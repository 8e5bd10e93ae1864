#include "app/run_controller.h"

#include <QMetaObject>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace attnsweep::gui {

RunController::RunController(QObject* parent, ExecutorFactory factory)
    : QObject(parent), factory_(std::move(factory)) {}

RunController::~RunController() {
  cancel_ = true;
  join();
}

void RunController::join() {
  if (worker_.joinable()) worker_.join();
}

quint64 RunController::start(const SweepSpec& spec, const QString& path, bool resume, const ExecutorChoice& choice) {
  if (isRunning()) return 0;
  join();
  const quint64 run = next_id_++;
  run_id_ = run;
  cancel_ = false;
  done_ = false;
  active_ = true;
  {
    std::lock_guard lock(mutex_);
    pending_ = Pending{};
    flush_posted_ = false;
  }
  worker_ = std::thread([this, run, spec, choice, file = SweepFile{path.toStdString(), resume}] {
#ifdef __linux__
    // CPU kernels use every core; a lower priority for this thread (and the kernel threads it
    // starts, which inherit it) lets the GUI thread in on time.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
#endif
    SweepObserver obs;
    obs.planned = [&](std::size_t planned, std::size_t already) {
      post(run, [&](Pending& p) {
        p.has_plan = true;
        p.planned = planned;
        p.already_done = already;
      });
    };
    obs.cell_started = [&](std::size_t index, const Cell& cell) {
      post(run, [&](Pending& p) {
        p.has_started = true;
        p.started_index = index;
        p.started_id = cell.id();
      });
    };
    obs.cell_finished = [&](std::size_t, const CellResult& r) { post(run, [&](Pending& p) { p.finished.push_back(r); }); };
    obs.log = [&](const std::string& level, const std::string& msg) {
      post(run, [&](Pending& p) { p.logs.emplace_back(level, msg); });
    };
    RunSummary summary;
    std::string error;
    try {
      std::unique_ptr<Executor> executor = factory_(spec, choice);
      const SweepOutcome out = run_sweep(spec, *executor, file, obs, &cancel_);
      summary = {out.planned, out.already_done, out.measured, out.cancelled};
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "the sweep failed";
    }
    done_ = true;
    post(run, [&](Pending& p) {
      p.ended = true;
      p.summary = summary;
      p.error = error;
    });
  });
  return run;
}

void RunController::stop() { cancel_ = true; }

void RunController::post(quint64 run, const std::function<void(Pending&)>& update) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    update(pending_);
    wake = !flush_posted_;
    flush_posted_ = true;
  }
  if (wake) QMetaObject::invokeMethod(this, [this, run] { flush(run); }, Qt::QueuedConnection);
}

void RunController::flush(quint64 run) {
  Pending p;
  {
    std::lock_guard lock(mutex_);
    p = std::move(pending_);
    pending_ = Pending{};
    flush_posted_ = false;
  }
  if (run != run_id_) return;  // a stale run's events
  if (p.has_plan) emit planned(run, p.planned, p.already_done);
  for (auto& [level, msg] : p.logs) emit logMessage(run, QString::fromStdString(level), QString::fromStdString(msg));
  if (!p.finished.empty()) emit cellsFinished(run, std::move(p.finished));
  if (p.has_started && !p.ended)
    emit cellStarted(run, p.started_index, QString::fromStdString(p.started_id));
  if (p.ended) {
    join();
    active_ = false;
    if (!p.error.empty()) emit failed(run, QString::fromStdString(p.error));
    else emit finished(run, p.summary);
  }
}

}  // namespace attnsweep::gui
