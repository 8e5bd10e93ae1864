#include "app/file_follower.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace attnsweep::gui {

FileFollower::FileFollower(QObject* parent, int interval_ms)
    : QObject(parent), timer_(new QTimer(this)), watcher_(new QFileSystemWatcher(this)) {
  timer_->setInterval(interval_ms);
  connect(timer_, &QTimer::timeout, this, &FileFollower::poll);
  connect(watcher_, &QFileSystemWatcher::fileChanged, this, &FileFollower::poll);
  connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &FileFollower::poll);
}

FileFollower::~FileFollower() = default;

void FileFollower::start(const QString& path) {
  follower_ = std::make_unique<ResultFollower>(path.toStdString());
  path_ = path;
  error_.clear();
  timer_->start();
  poll();
}

void FileFollower::stop() {
  if (!follower_) return;
  timer_->stop();
  if (!watcher_->files().isEmpty()) watcher_->removePaths(watcher_->files());
  if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
  const bool complete = follower_->complete();
  follower_.reset();
  emit finished(complete);
}

std::size_t FileFollower::cells() const { return follower_ ? follower_->file().results.size() : 0; }

std::optional<std::size_t> FileFollower::planned() const {
  return follower_ ? follower_->planned() : std::nullopt;
}

ResultSet FileFollower::resultsSoFar() const {
  ResultSet set;
  static_cast<ResultFile&>(set) = follower_->file();
  set.path = path_.toStdString();
  set.name = QFileInfo(path_).fileName().toStdString();
  return set;
}

// The file, and its folder: a run creating the file, or a new one renamed into place, changes it.
void FileFollower::watch() {
  const QFileInfo info(path_);
  if (QFileInfo(info.absolutePath()).isDir() && !watcher_->directories().contains(info.absolutePath()))
    watcher_->addPath(info.absolutePath());
  if (info.exists() && !watcher_->files().contains(path_)) watcher_->addPath(path_);
}

void FileFollower::poll() {
  if (!follower_) return;
  ResultFollower::Update update;
  try {
    update = follower_->poll();
  } catch (const FollowedFileChanged& e) {
    follower_ = std::make_unique<ResultFollower>(path_.toStdString());
    emit restarted(QString::fromUtf8(e.what()));
    QTimer::singleShot(0, this, &FileFollower::poll);
    return;
  } catch (const std::exception& e) {
    error_ = QString::fromUtf8(e.what());
    follower_.reset();
    timer_->stop();
    emit failed(error_);
    return;
  }
  watch();
  if (update.header || update.replaced_earlier) emit opened(resultsSoFar());
  else if (!update.added.empty()) emit appended(std::move(update.added));
  if (follower_ && follower_->complete()) return stop();
  if (update.more) QTimer::singleShot(0, this, &FileFollower::poll);
}

}  // namespace attnsweep::gui
