#pragma once
// The MPI transport of a sweep run by several processes (hand_out.h): `mpirun -np N attnsweep-cli
// run ...` or `srun attnsweep-cli run ...`. Built only when MPI is found at configure time.
#include <memory>
#include <string>

#include "attnsweep/engine/executor.h"
#include "attnsweep/engine/spec.h"

namespace attnsweep::mpi {

// MPI for the life of this object: the first and the last MPI call of the process. Only the
// thread that made it calls MPI (rank 0's own cells run on another thread, without MPI).
class Session {
 public:
  Session();  // throws std::runtime_error when MPI does not start
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int node_rank() const { return node_rank_; }  // among the ranks on this host: picks the device
  bool root() const { return rank_ == 0; }

  std::string broadcast(const std::string& text) const;  // rank 0's text, on every rank

 private:
  int rank_ = 0, size_ = 1, node_rank_ = 0;
};

// Rank 0: collects every rank's hello (hand_out.h: hello_message) and returns the executor that
// hands the cells out, or throws naming every rank that cannot work (after stopping them all).
std::unique_ptr<Executor> coordinate(Session& session, std::unique_ptr<Executor> own, const std::string& own_hello,
                                     const SweepSpec& spec);

// Every other rank: sends its hello, then measures what rank 0 hands out until it says stop.
// `executor` is null when the rank could not start one (its hello says why).
void serve(Session& session, Executor* executor, const std::string& hello, const SweepSpec& spec);

// "Open MPI v4.1.4": the MPI library this program runs with (callable without a Session).
std::string library_version();

}  // namespace attnsweep::mpi
