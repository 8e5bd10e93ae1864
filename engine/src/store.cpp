#include "attnsweep/engine/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

#include "attnsweep/engine/files.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/result_json.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// What a scan of a result file's bytes found: the records, and how many bytes are good.
struct Scan {
  ResultFile file;
  std::size_t good_bytes = 0;    // end of the last complete record; a torn tail lies after it
  bool needs_newline = false;    // the last record is complete JSON but its '\n' never made it
};

}  // namespace

std::size_t keep_cell_record(const json& record, const std::string& where, ResultFile& file,
                      std::map<std::string, std::size_t>& index_of_id) {
  CellResult r;
  try {
    r = result_from_json(record);
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  const auto [it, added] = index_of_id.try_emplace(r.cell.id(), file.results.size());
  if (added) file.results.push_back(std::move(r));
  else file.results[it->second] = std::move(r);
  return it->second;
}

void check_result_header(const json& h, const std::string& where) {
  if (!h.is_object() || h.value("type", json()) != "header")
    throw std::runtime_error(where + ": must be the header record {\"type\":\"header\",\"schema\":" +
                             std::to_string(kResultSchema) + ",...}");
  const json schema = h.value("schema", json());
  if (!schema.is_number_integer())
    throw std::runtime_error(where + ": header field 'schema' must be an integer");
  const std::int64_t n = schema.get<std::int64_t>();
  if (n < kOldestReadableSchema || n > kResultSchema)
    throw std::runtime_error(where + ": schema " + schema.dump() + " is not supported (this build reads schemas " +
                             std::to_string(kOldestReadableSchema) + " to " + std::to_string(kResultSchema) + ")");
}

void mark_noisy_in_schema_one(ResultFile& f) {
  if (f.header.value("schema", kResultSchema) != 1) return;
  const json spec = f.header.value("spec", json::object());
  const json timing = spec.is_object() ? spec.value("timing", json::object()) : json::object();
  if (!timing.is_object() || !timing.contains("target_rel_ci") || !timing["target_rel_ci"].is_number()) return;
  const double target = timing["target_rel_ci"].get<double>();
  for (CellResult& r : f.results)
    for (Timing& t : r.timings)
      if (t.time_ms.samples > 0) t.noisy = t.time_ms.rel_ci() > target;
}

namespace {

Scan scan_result_text(const std::string& text, const std::string& path) {
  Scan scan;
  if (text.empty()) throw std::runtime_error(path + ": empty file, not a result file (line 1 must be a header)");

  std::map<std::string, std::size_t> index_of_id;  // a later record of the same cell replaces it (a rerun)
  std::size_t begin = 0;
  for (std::size_t line_no = 1; begin < text.size(); ++line_no) {
    const std::size_t newline = text.find('\n', begin);
    const bool terminated = newline != std::string::npos;
    const std::size_t end = terminated ? newline : text.size();
    const bool last = !terminated || end + 1 == text.size();
    const std::string where = path + ": line " + std::to_string(line_no);

    const std::string_view line(text.data() + begin, end - begin);
    json record;
    try {
      record = parse_json(line);
    } catch (const std::runtime_error& e) {
      // A write cut short leaves a prefix of a record, or zeros where the file system had no data.
      const bool torn = line.find('\0') != std::string_view::npos || !json::accept(line);
      if (line_no == 1 && torn) throw std::runtime_error(where + ": not JSON; a result file starts with its header record");
      if (!last || !torn) throw std::runtime_error(where + ": " + e.what() + (torn ? " (only the last line may be torn)" : ""));
      scan.file.warnings.push_back("line " + std::to_string(line_no) + ": torn last line dropped (" +
                                   std::to_string(end - begin) + " bytes that are not a complete record)");
      break;
    }
    if (line_no == 1) {
      check_result_header(record, where);
      scan.file.header = std::move(record);
    } else {
      keep_cell_record(record, where, scan.file, index_of_id);
    }
    scan.good_bytes = terminated ? end + 1 : end;
    scan.needs_newline = !terminated;
    begin = end + 1;
  }
  return scan;
}

// One write(2) per record, so a record is on disk whole or (after a crash) as a torn last line.
void write_whole(int fd, const std::string& bytes, const std::string& path) {
  const off_t before = ::lseek(fd, 0, SEEK_END);
  ssize_t n;
  do n = ::write(fd, bytes.data(), bytes.size());
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(bytes.size())) return;
  const int err = n < 0 ? errno : ENOSPC;
  if (before >= 0 && ::ftruncate(fd, before) != 0) { /* the torn tail stays; resume drops it */ }
  errno = err;
  fail_errno(path, "cannot write " + std::to_string(bytes.size()) + " bytes" +
                       (n >= 0 ? " (wrote only " + std::to_string(n) + ")" : ""));
}

void sync(int fd, const std::string& path) {
  if (::fsync(fd) != 0) fail_errno(path, "fsync failed");
}

// A record as one line of the file. One that would not read back would make the file unreadable.
std::string record_line(const CellResult& r, const std::string& path) {
  const json record = result_to_json(r);
  try {
    (void)result_from_json(record);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": refusing to write an invalid record: " + e.what());
  }
  return record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// One writer per file: a second process appending would interleave records.
void lock_exclusive(int fd, const std::string& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
  const int err = errno;
  ::close(fd);
  errno = err;
  fail_errno(path, err == EWOULDBLOCK ? "another process is writing this result file" : "cannot lock");
}

}  // namespace

ResultFile read_result_file(const std::string& path) {
  return parse_result_lines(read_input_file(path, kMaxResultsBytes), path);
}

ResultFile parse_result_lines(const std::string& text, const std::string& path) {
  ResultFile file = scan_result_text(text, path).file;
  mark_noisy_in_schema_one(file);
  return file;
}

bool holds_no_header(const std::string& path) {
  const std::string text = read_input_file(path, kMaxResultsBytes);
  if (text.empty()) return true;
  // One line, cut off: the start of a header record a crash interrupted.
  return text.find('\n') == std::string::npos && text.front() == '{' && !json::accept(text);
}

std::string result_file_text(const ResultFile& file, const std::string& path) {
  check_result_header(file.header, path + ": header to write");
  std::string text = file.header.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  for (const CellResult& r : file.results) text += record_line(r, path);
  return text;
}

void write_result_file(const std::string& path, const ResultFile& file, bool replace) {
  write_output_file(path, result_file_text(file, path), replace, "replace it with --force");
}

ResultWriter::ResultWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

ResultWriter::ResultWriter(ResultWriter&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }

ResultWriter& ResultWriter::operator=(ResultWriter&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

ResultWriter::~ResultWriter() {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
}

ResultWriter ResultWriter::create(const std::string& path, const json& header) {
  check_result_header(header, path + ": header to write");
  // A file another process is writing is refused, not replaced.
  if (const int old = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); old >= 0) {
    lock_exclusive(old, path);
    ::close(old);
  }
  // The header appears whole or not at all: a crash while it is written leaves no half a header.
  write_output_file(path, header.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", /*replace=*/true);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) fail_errno(path, "cannot open");
  lock_exclusive(fd, path);
  return ResultWriter(path, fd);
}

ResultWriter ResultWriter::resume(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail_errno(path, "cannot open for resume");
  lock_exclusive(fd, path);
  ResultWriter writer(path, fd);
  const std::string text = read_input_fd(fd, path, kMaxResultsBytes);
  const Scan scan = scan_result_text(text, path);
  if (scan.file.header.value("schema", kResultSchema) != kResultSchema)
    throw std::runtime_error(path + ": written in schema " + scan.file.header["schema"].dump() +
                             "; new records cannot be appended to it (write to a new file)");
  if (scan.good_bytes < text.size()) {  // a torn last line: cut it off so new records start clean
    if (::ftruncate(fd, static_cast<off_t>(scan.good_bytes)) != 0) fail_errno(path, "cannot drop the torn last line");
    sync(fd, path);
  }
  if (scan.needs_newline) {
    write_whole(fd, "\n", path);
    sync(fd, path);
  }
  return writer;
}

void ResultWriter::append(const CellResult& r) {
  write_whole(fd_, record_line(r, path_), path_);
  sync(fd_, path_);
}

}  // namespace attnsweep
