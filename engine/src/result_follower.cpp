#include "attnsweep/engine/result_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "attnsweep/engine/files.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/plan.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/schedule.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// Closes the descriptor on every way out of a poll.
struct OpenFile {
  int fd = -1;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

// Up to `n` bytes at `offset` (fewer at the end of the file).
std::string read_at(int fd, std::uint64_t offset, std::uint64_t n, const std::string& path) {
  std::string out(n, '\0');
  std::uint64_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail_errno(path, "cannot read");
    if (r == 0) break;
    got += static_cast<std::uint64_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace

ResultFollower::ResultFollower(std::string path) : path_(std::move(path)) {}

ResultFollower::Update ResultFollower::poll() {
  Update update;
  OpenFile f{::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) {
    if (errno != ENOENT) fail_errno(path_, "cannot open");
    if (has_header()) throw FollowedFileChanged(path_ + ": removed while followed");
    return update;  // the run has not created it yet
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail_errno(path_, "cannot read its size");
  if (!S_ISREG(st.st_mode)) throw std::runtime_error(path_ + ": not a regular file; only a result file can be followed");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > kMaxResultsBytes)
    throw std::runtime_error(path_ + ": " + std::to_string(size) + " bytes, more than a result file may hold (" +
                             std::to_string(kMaxResultsBytes) + ")");
  if (has_header()) {
    if (static_cast<std::uint64_t>(st.st_dev) != device_ || static_cast<std::uint64_t>(st.st_ino) != inode_)
      throw FollowedFileChanged(path_ + ": replaced by another file while followed");
    if (size < offset_)
      throw FollowedFileChanged(path_ + ": truncated while followed (now " + std::to_string(size) + " bytes; " +
                                std::to_string(offset_) + " were read)");
    if (read_at(f.fd, 0, header_line_.size() + 1, path_) != header_line_ + "\n")
      throw FollowedFileChanged(path_ + ": rewritten while followed (its header changed)");
  }
  if (size == offset_) return update;

  const std::string chunk = read_at(f.fd, offset_, std::min(size - offset_, kMaxPollBytes), path_);
  std::size_t begin = 0;
  for (std::size_t newline; (newline = chunk.find('\n', begin)) != std::string::npos; begin = newline + 1) {
    try {
      take_line(std::string_view(chunk).substr(begin, newline - begin), update);
    } catch (const std::runtime_error&) {
      if (!update.header && update.added.empty()) throw;
      update.more = true;  // the lines before it first; the next poll starts at it, and throws
      return update;
    }
    offset_ += newline + 1 - begin;
    if (lines_ == 1) {
      device_ = static_cast<std::uint64_t>(st.st_dev);
      inode_ = static_cast<std::uint64_t>(st.st_ino);
    }
  }
  if (begin == 0 && chunk.size() == kMaxPollBytes)
    throw std::runtime_error(path_ + ": line " + std::to_string(lines_ + 1) + ": more than " +
                             std::to_string(kMaxPollBytes) + " bytes without its end: not a record");
  update.more = offset_ + (chunk.size() - begin) < size;
  if (!update.added.empty() && file_.header.value("schema", kResultSchema) == 1) {
    ResultFile added{file_.header, std::move(update.added), {}};
    mark_noisy_in_schema_one(added);
    update.added = std::move(added.results);
    mark_noisy_in_schema_one(file_);
  }
  return update;
}

void ResultFollower::take_line(std::string_view line, Update& update) {
  const std::string where = path_ + ": line " + std::to_string(lines_ + 1);
  json record;
  try {
    record = parse_json(line);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(where + ": " + e.what() +
                             (lines_ == 0 ? "; a result file starts with its header record"
                                          : " (a whole line, so not one still being written)"));
  }
  if (lines_ == 0) {
    check_result_header(record, where);
    file_.header = std::move(record);
    header_line_ = std::string(line);
    update.header = true;
    plan_from_header();
  } else {
    const std::size_t cells_before = file_.results.size();
    const CellResult& r = file_.results[keep_cell_record(record, where, file_, index_of_id_)];
    if (file_.results.size() == cells_before) update.replaced_earlier = true;
    else planned_seen_ += planned_ids_.count(r.cell.id());
    update.added.push_back(r);
  }
  ++lines_;
}

void ResultFollower::plan_from_header() {
  const json spec = file_.header.value("spec", json());
  if (!spec.is_object()) return;
  const SpecParseResult parsed = parse_spec(spec.dump());
  if (!parsed.spec) return;
  Plan plan = make_plan(*parsed.spec);
  if (const json shard = file_.header.value("shard", json()); shard.is_string()) {
    try {
      plan = shard_of(plan, parse_shard(shard.get<std::string>()));
    } catch (const std::invalid_argument&) {
      return;  // a share this build cannot read: completion unknown
    }
  }
  for (const Cell& c : plan.cells) planned_ids_.insert(c.id());
  planned_ = planned_ids_.size();
}

}  // namespace attnsweep
