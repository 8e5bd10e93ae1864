#include "mpi_sweep.h"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

#include "attnsweep/engine/hand_out.h"

namespace attnsweep::mpi {

namespace {

constexpr int kTagToRoot = 1;  // every message of a rank to rank 0 (JSON text)
constexpr int kTagCell = 2;    // rank 0 to a rank: the next cell's id; empty: stop

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

void send_text(const std::string& text, int to, int tag) {
  check(MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

// Receives the message `status` announced (after a probe).
std::string receive_text(const MPI_Status& status) {
  int length = 0;
  MPI_Get_count(&status, MPI_CHAR, &length);
  std::string text(static_cast<std::size_t>(length), '\0');
  check(MPI_Recv(text.data(), length, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return text;
}

// Rank 0's links: the other ranks over MPI, its own thread through memory. Polls MPI and naps on
// the mailbox in turn, so neither kind of message waits long and an idle rank 0 uses no core.
class MpiRankLinks final : public RankLinks {
 public:
  explicit MpiRankLinks(int size) : size_(size), own_(0, mailbox_) {}
  int size() const override { return size_; }

  std::optional<RankMessage> receive(std::chrono::microseconds wait) override {
    if (auto m = mailbox_.pop(std::chrono::microseconds(0))) return m;
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kTagToRoot, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
    if (arrived) return RankMessage{status.MPI_SOURCE, receive_text(status)};
    return mailbox_.pop(wait);
  }

  void assign(int rank, const std::optional<std::string>& cell_id) override {
    if (rank == 0) own_.assign(cell_id);
    else send_text(cell_id.value_or(""), rank, kTagCell);
  }

  CoordinatorLink& own_link() override { return own_; }

 private:
  int size_;
  Mailbox mailbox_;
  ThreadLink own_;
};

// Another rank's link to rank 0. Waiting for the next cell naps between probes (20 us growing to
// 1 ms) instead of spinning in a blocking receive: ranks sharing cores leave them to the ranks
// that measure.
class MpiCoordinatorLink final : public CoordinatorLink {
 public:
  std::optional<std::string> next_cell() override {
    auto nap = std::chrono::microseconds(20);
    for (;;) {
      int arrived = 0;
      MPI_Status status;
      check(MPI_Iprobe(0, kTagCell, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (arrived) {
        std::string id = receive_text(status);
        if (id.empty()) return std::nullopt;
        return id;
      }
      std::this_thread::sleep_for(nap);
      nap = std::min(nap * 2, std::chrono::microseconds(1000));
    }
  }
  void send(const std::string& message) override { send_text(message, 0, kTagToRoot); }
};

}  // namespace

Session::Session() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw std::runtime_error(
        "the MPI library does not allow threads (MPI_THREAD_FUNNELED); rank 0 measures on a thread of its own");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  MPI_Comm_rank(node, &node_rank_);
  MPI_Comm_free(&node);
}

Session::~Session() { MPI_Finalize(); }

std::string Session::broadcast(const std::string& text) const {
  long long length = static_cast<long long>(text.size());
  check(MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  std::string out = root() ? text : std::string(static_cast<std::size_t>(length), '\0');
  check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

std::unique_ptr<Executor> coordinate(Session& session, std::unique_ptr<Executor> own, const std::string& own_hello,
                                     const SweepSpec& spec) {
  std::vector<std::string> hellos(static_cast<std::size_t>(session.size()));
  hellos[0] = own_hello;
  for (int received = 1; received < session.size(); ++received) {  // a rank's first message is its hello
    MPI_Status status;
    check(MPI_Probe(MPI_ANY_SOURCE, kTagToRoot, MPI_COMM_WORLD, &status), "MPI_Probe");
    hellos[static_cast<std::size_t>(status.MPI_SOURCE)] = receive_text(status);
  }
  return make_hand_out_executor(std::make_unique<MpiRankLinks>(session.size()), hellos, std::move(own), spec);
}

void serve(Session&, Executor* executor, const std::string& hello, const SweepSpec& spec) {
  MpiCoordinatorLink link;
  link.send(hello);
  if (executor) {
    serve_cells(link, *executor, spec);
    return;
  }
  // Could not start: rank 0 stops every rank once it has read the hellos.
  while (link.next_cell()) {
  }
  link.send(R"({"kind":"bye"})");
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  // "Open MPI v4.1.4, package: ..., ident: ...": the name and version are what say whether it fits.
  const std::string version(text, static_cast<std::size_t>(length));
  return version.substr(0, version.find_first_of(",\n\r"));
}

}  // namespace attnsweep::mpi
