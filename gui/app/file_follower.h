#pragma once
// Follows a result file that a run is still writing (attnsweep-cli on this machine, or on a server
// whose disk is mounted here) through the engine's ResultFollower, on the GUI thread: a poll every
// second, and one at once when QFileSystemWatcher reports a change. The watcher is only a hint: on
// network file systems it misses changes, so the timer alone must do. Each poll reads only what was
// appended. Following ends when the file holds every cell its spec plans, on stop(), or at a line
// that is not a record; a file truncated or replaced by a new run is read again from its start.
#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "app/metatypes.h"
#include "attnsweep/engine/result_follower.h"
#include "core/result_set.h"

class QFileSystemWatcher;
class QTimer;

namespace attnsweep::gui {

class FileFollower : public QObject {
  Q_OBJECT
 public:
  explicit FileFollower(QObject* parent = nullptr, int interval_ms = 1000);
  ~FileFollower() override;

  void start(const QString& path);  // reads what the file holds at once
  void stop();                      // ends following; finished() says so
  bool isFollowing() const { return follower_ != nullptr; }
  bool hasHeader() const { return follower_ && follower_->has_header(); }
  QString error() const { return error_; }  // why following last failed; "" since start()
  QString path() const { return path_; }
  std::size_t cells() const;                   // read so far
  std::optional<std::size_t> planned() const;  // cells the file's spec plans, when known
  void poll();

 signals:
  // The header arrived, or a cell was run again (or the file is read anew): every result so far.
  void opened(attnsweep::gui::ResultSet results);
  void appended(std::vector<attnsweep::CellResult> cells);
  // The file changed under the follower (truncated, replaced, removed): it is read from its start.
  void restarted(QString why);
  // Following ended: `complete` when the file holds every planned cell, else it was stopped.
  void finished(bool complete);
  // A line that is not a record, a file that is not a result file: following ended.
  void failed(QString message);

 private:
  void watch();
  ResultSet resultsSoFar() const;

  QString path_;
  QString error_;
  std::unique_ptr<ResultFollower> follower_;
  QTimer* timer_;
  QFileSystemWatcher* watcher_;
};

}  // namespace attnsweep::gui
