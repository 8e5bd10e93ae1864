#pragma once
// Holds a stream while the host enqueues a timed interval behind it, so host dispatch never lands
// between the interval's events: a one-thread kernel spins until the host sets a flag in mapped
// host memory, or until its timeout passes (then it sets `timed_out`), so it can never hang.
#include <cuda_runtime.h>

namespace attnsweep {

class StreamHold {
 public:
  StreamHold();  // allocates the mapped flags; throws DeviceError
  ~StreamHold();
  StreamHold(const StreamHold&) = delete;
  StreamHold& operator=(const StreamHold&) = delete;

  void hold(cudaStream_t stream, double timeout_s);  // enqueues the spinning kernel
  void release();                                    // lets it finish
  bool timed_out() const;                            // the last hold ran out before release()

 private:
  volatile int* host_ = nullptr;  // [0] release flag, [1] timed-out flag
  int* device_ = nullptr;         // the same memory, as the kernel sees it
};

}  // namespace attnsweep
