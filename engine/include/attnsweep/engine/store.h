#pragma once
// The result file: JSON Lines. Line 1 is the header {"type":"header","schema":N,"spec":{...},
// "environment":{...}}; each following line is one finished cell ({"type":"cell",...}), written,
// flushed and fsynced as the cell finishes, so a kill -9 loses no finished cell.
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// Schema 2 keeps one timing per mode in a cell ("timings") and the max-error check's fields
// (naive_max_abs_err, slices_checked, inputs_changed); schema 1 files (one time_ms per cell, checks
// by the relative error) still read, each time under the mode it honestly was (result_json.h).
inline constexpr int kResultSchema = 2;
inline constexpr int kOldestReadableSchema = 1;

struct ResultFile {
  nlohmann::json header = nlohmann::json::object();
  std::vector<CellResult> results;
  std::vector<std::string> warnings;  // e.g. "line 57: torn last line dropped"
};

// Line 1 of a result file: throws std::runtime_error "<where>: ..." unless `h` is a header record of
// a schema this build reads. Every reader of result files checks it.
void check_result_header(const nlohmann::json& h, const std::string& where);

// A cell record after the header: read (throws std::runtime_error "<where>: ..." for one that is not
// a valid record) and kept in `file`, where a later record of the same cell replaces the earlier one
// (a rerun). `index_of_id` maps the ids kept so far to their place. Returns the record's place in
// file.results.
std::size_t keep_cell_record(const nlohmann::json& record, const std::string& where, ResultFile& file,
                      std::map<std::string, std::size_t>& index_of_id);

// Reads a whole file. Throws std::runtime_error with the path and line for a file that is not a
// result file; a torn (half-written) last line is dropped with a warning, not an error.
ResultFile read_result_file(const std::string& path);
// The same, from the file's text; `path` names it in errors.
ResultFile parse_result_lines(const std::string& text, const std::string& path);
// Schema 1 records carry no noisy flag: in a schema 1 file, marks noisy every time whose interval
// is wider than the header spec's target_rel_ci, as the sweep would have marked it. Readers of
// whole files (these two, the JSON report's) call it.
void mark_noisy_in_schema_one(ResultFile& f);

// True for a file a crash left before its header was whole (written by a build that did not
// write the header in one step): empty, or one cut-off line. Resuming it starts it anew.
bool holds_no_header(const std::string& path);

// A whole result file as text: the header line, then one line per result. Throws
// std::runtime_error (naming `path`) for a header or record that would not read back.
std::string result_file_text(const ResultFile& file, const std::string& path);
// That text written with write_output_file (files.h): readers see the old file or the new one,
// never a part, and an existing file is replaced only when `replace` is true.
void write_result_file(const std::string& path, const ResultFile& file, bool replace = false);

class ResultWriter {
 public:
  // Creates the file with its header, replacing any file at `path` (the header appears whole or
  // not at all), or opens it for append after truncating a torn last line (resume). Throws
  // std::runtime_error on I/O failure, a file that is not a regular file, or one another process
  // is writing.
  static ResultWriter create(const std::string& path, const nlohmann::json& header);
  static ResultWriter resume(const std::string& path);
  ResultWriter(ResultWriter&&) noexcept;
  ResultWriter& operator=(ResultWriter&&) noexcept;
  ~ResultWriter();
  void append(const CellResult& r);  // write + flush + fsync
  const std::string& path() const { return path_; }

 private:
  ResultWriter(std::string path, int fd);
  std::string path_;
  int fd_ = -1;
};

}  // namespace attnsweep
