#include "attnsweep/engine/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <utility>

#include "attnsweep/engine/format.h"

namespace attnsweep {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) { throw std::runtime_error(path + ": " + why); }


class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// What a path that is not a regular file is, for the message.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno(path, "cannot write");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Makes a rename durable. Best effort: some file systems refuse fsync on folders.
void sync_folder_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  ::fsync(dir);
  ::close(dir);
}

}  // namespace

void fail_errno(const std::string& path, const std::string& what) { fail(path, what + ": " + std::strerror(errno)); }

std::string read_input_fd(int fd, const std::string& path, std::uint64_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_errno(path, "cannot read");
  if (!S_ISREG(st.st_mode)) fail(path, "is " + kind_of(st.st_mode) + ", not a file that can be read whole");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes)
    fail(path, "is " + format_bytes(static_cast<double>(size)) + "; files over " +
                   format_bytes(static_cast<double>(max_bytes)) + " are not read");
  std::string text;
  try {
    text.resize(size);
    std::uint64_t done = 0;
    for (;;) {
      if (done == text.size()) text.resize(text.size() + (1 << 16));  // the file may have grown
      const ssize_t n = ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno(path, "cannot read");
      if (n == 0) break;
      done += static_cast<std::uint64_t>(n);
      if (done > max_bytes)
        fail(path, "grew past " + format_bytes(static_cast<double>(max_bytes)) + " while being read");
    }
    text.resize(done);
  } catch (const std::bad_alloc&) {
    fail(path, "not enough memory to read its " + format_bytes(static_cast<double>(size)));
  }
  return text;
}

std::string read_input_file(const std::string& path, std::uint64_t max_bytes) {
  // Non-blocking, so opening a FIFO returns at once (and is then refused) instead of waiting for a writer.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) fail(path, "no such file");
    fail_errno(path, "cannot open");
  }
  return read_input_fd(fd.get(), path, max_bytes);
}

void check_output_path(const std::string& path, bool replace, std::string_view how_to_replace) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // not there (or unreachable: the write says why)
  if (!S_ISREG(st.st_mode)) fail(path, "is " + kind_of(st.st_mode) + ", not a file to write results into");
  if (!replace) fail(path, "exists; " + std::string(how_to_replace));
}

void write_output_file(const std::string& path, std::string_view bytes, bool replace, std::string_view how_to_replace) {
  check_output_path(path, replace, how_to_replace);
  static std::atomic<unsigned> counter{0};
  std::string temp;
  int raw = -1;
  for (int attempt = 0; raw < 0 && attempt < 100; ++attempt) {
    temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    raw = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);  // 0666: the umask decides
    if (raw < 0 && errno != EEXIST) fail_errno(path, "cannot create a file beside it");
  }
  if (raw < 0) fail(path, "cannot create a temporary file beside it");
  Fd fd(raw);
  try {
    write_all(fd.get(), bytes, path);
    if (::fsync(fd.get()) != 0) fail_errno(path, "fsync failed");
    if (::close(fd.release()) != 0) fail_errno(path, "cannot write");
    if (::rename(temp.c_str(), path.c_str()) != 0) fail_errno(path, "cannot replace");
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  sync_folder_of(path);
}

}  // namespace attnsweep
