#pragma once
// Follows a result file that a run is still writing (attnsweep-cli run on this machine, or on a
// server whose disk is mounted here): each poll reads only the bytes appended since the last one,
// takes the whole new lines, and validates each record as every reader does (json_input.h's parse,
// then the store's header check or the cell record's rules), within the bounds every reader keeps
// (files.h: a regular file of at most kMaxResultsBytes). A line without its end is a record still
// being written: it is left for the next poll. The file is complete when it holds every cell the
// header's spec plans (its share, for a run of one share).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/store.h"

namespace attnsweep {

// The file followed is no longer the one read so far: truncated, replaced by another (a new run
// into the same path) or removed. What was read stays valid; following it again starts anew.
struct FollowedFileChanged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ResultFollower {
 public:
  // The most one poll reads, and the longest line a record may be: a large file already written is
  // taken in steps (`more` says so).
  static constexpr std::uint64_t kMaxPollBytes = std::uint64_t{16} << 20;

  explicit ResultFollower(std::string path);

  struct Update {
    bool header = false;             // the header arrived with this poll
    std::vector<CellResult> added;   // records completed since the last poll, in file order
    bool replaced_earlier = false;   // one of them is a cell run again: file() has the one to show
    bool more = false;               // whole lines wait beyond what this poll read
  };
  // Throws FollowedFileChanged (see above), and std::runtime_error "<path>: line N: <why>" for a
  // whole line that is not a valid record (the records before it are handed out first), a file
  // that is not a regular file or is larger than a result file may be. A file that does not exist
  // yet is an empty update.
  Update poll();

  const std::string& path() const { return path_; }
  const ResultFile& file() const { return file_; }  // all read so far (a cell run again: its last record)
  bool has_header() const { return lines_ > 0; }
  // Cells the header's spec plans (its share); nullopt when this build cannot plan it (a kernel it
  // does not know) or no header has arrived.
  std::optional<std::size_t> planned() const { return planned_; }
  bool complete() const { return planned_ && planned_seen_ == *planned_; }
  std::uint64_t bytes_read() const { return offset_; }

 private:
  void take_line(std::string_view line, Update& update);
  void plan_from_header();

  std::string path_;
  std::uint64_t offset_ = 0;  // the end of the last whole line read
  std::size_t lines_ = 0;     // whole lines read
  std::string header_line_;   // line 1 as read, to tell the same file from a new one
  std::uint64_t device_ = 0, inode_ = 0;
  ResultFile file_;
  std::map<std::string, std::size_t> index_of_id_;
  std::set<std::string> planned_ids_;
  std::optional<std::size_t> planned_;
  std::size_t planned_seen_ = 0;
};

}  // namespace attnsweep
