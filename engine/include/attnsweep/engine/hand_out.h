#pragma once
// One sweep measured by several processes (the ranks of an MPI job). Rank 0 hands the cells out one
// at a time, largest first, to whichever rank is free (itself included, on a thread of its own), and
// is the only writer of the result file; every rank measures what it is given with its own
// executor (for CUDA, worker processes: a crashing kernel costs a worker, not a rank). The two ends
// speak JSON text messages; how they travel (MPI, or memory for rank 0's own thread) is the
// transport's business (mpi_sweep.h). docs/mpi.md describes the messages.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep {

// A rank's end: its next cell (by id; nullopt when rank 0 says stop) and its messages to rank 0.
class CoordinatorLink {
 public:
  virtual ~CoordinatorLink() = default;
  virtual std::optional<std::string> next_cell() = 0;
  virtual void send(const std::string& message) = 0;
};

// Measures the cells rank 0 hands out, one at a time, until it says stop; sends each result as
// the record the store writes, forwards the executor's log lines, and says bye with how long it
// waited between a result and its next cell.
void serve_cells(CoordinatorLink& link, Executor& executor, const SweepSpec& spec,
                 const std::atomic<bool>* cancel = nullptr);

// What a rank tells rank 0 before any cell: where it runs and on what, or why it cannot work.
// `usage_error`: the failure is a bad argument, not a missing or broken device.
std::string hello_message(int rank, int node_rank, const Executor* executor, const std::string& start_error,
                          bool usage_error);

struct RankMessage {
  int rank = 0;
  std::string text;
};

// Rank 0's end: messages from any rank, and each rank's next cell (nullopt: stop).
class RankLinks {
 public:
  virtual ~RankLinks() = default;
  virtual int size() const = 0;  // ranks, rank 0 included
  virtual std::optional<RankMessage> receive(std::chrono::microseconds wait) = 0;
  virtual void assign(int rank, const std::optional<std::string>& cell_id) = 0;
  virtual CoordinatorLink& own_link() = 0;  // rank 0's own end, served on a thread
};

// Messages between threads of one process: rank 0's own end, and a whole job in tests.
class Mailbox {
 public:
  void push(RankMessage m);
  std::optional<RankMessage> pop(std::chrono::microseconds wait);

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<RankMessage> messages_;
};

// A rank served on a thread of rank 0's process: its messages go to `mailbox`.
class ThreadLink final : public CoordinatorLink {
 public:
  ThreadLink(int rank, Mailbox& mailbox) : rank_(rank), mailbox_(mailbox) {}
  std::optional<std::string> next_cell() override;
  void send(const std::string& message) override { mailbox_.push({rank_, message}); }
  void assign(const std::optional<std::string>& cell_id);

 private:
  int rank_;
  Mailbox& mailbox_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::optional<std::string>> cells_;
};

// The executor run_sweep drives on rank 0; it keeps `links`. `hellos` holds every rank's
// hello_message(), in rank order (rank 0's own first); `own` is rank 0's executor (null when it
// failed to start). Throws std::invalid_argument (a rank's bad argument) or std::runtime_error (a
// rank that cannot work) naming every rank that failed, after telling every rank to stop.
std::unique_ptr<Executor> make_hand_out_executor(std::unique_ptr<RankLinks> links,
                                                 const std::vector<std::string>& hellos, std::unique_ptr<Executor> own,
                                                 const SweepSpec& spec);

}  // namespace attnsweep
