// The CUDA device: memory, a stream, events and a stream hold for timing, an L2 flush sized from
// the device, clocks read through NVML, and the facts a result file's header needs (NVML and
// cuDNN are loaded at run time when present).
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdio>
#include <memory>
#include <string>

#include "attnsweep/kernels/device.h"
#include "cuda_check.h"
#include "nvml.h"
#include "stream_hold.h"

namespace attnsweep {
namespace {

// Longer than any enqueue of a sample's launches takes; a hold that runs out means the host
// stalled (or a launch waited on the held stream), and the sample is refused.
constexpr double kHoldTimeoutS = 2.0;

std::string cudnn_version() {
  void* lib = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libcudnn.so", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return {};
  std::string out;
  if (auto get = reinterpret_cast<size_t (*)()>(dlsym(lib, "cudnnGetVersion"))) {
    const size_t v = get();  // 9.x: major*10000 + minor*100 + patch
    out = std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
  }
  dlclose(lib);
  return out;
}

std::string version_string(int v) {  // CUDA's 1000*major + 10*minor
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

std::string uuid_string(const cudaUUID_t& u) {
  const auto* b = reinterpret_cast<const unsigned char*>(u.bytes);
  char s[48];
  std::snprintf(s, sizeof s, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return s;
}

class CudaDevice final : public Device {
 public:
  explicit CudaDevice(int ordinal) : ordinal_(ordinal) {
    const int count = cuda_device_count();
    if (ordinal < 0 || ordinal >= count)
      throw DeviceError("CUDA device " + std::to_string(ordinal) + " does not exist (" + std::to_string(count) +
                            " present)",
                        false);
    ATTNSWEEP_CUDA_CALL(cudaSetDevice(ordinal));
    cudaDeviceProp p{};
    ATTNSWEEP_CUDA_CALL(cudaGetDeviceProperties(&p, ordinal));
    caps_.backend = Backend::cuda;
    caps_.cc_major = p.major;
    caps_.cc_minor = p.minor;
    caps_.smem_per_block_optin = p.sharedMemPerBlockOptin;
    caps_.known = true;
    l2_bytes_ = static_cast<std::uint64_t>(p.l2CacheSize);

    ATTNSWEEP_CUDA_CALL(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    ATTNSWEEP_CUDA_CALL(cudaEventCreate(&start_));
    ATTNSWEEP_CUDA_CALL(cudaEventCreate(&stop_));
    hold_ = std::make_unique<StreamHold>();
    describe(p);
  }

  ~CudaDevice() override {
    cudaSetDevice(ordinal_);
    if (flush_buf_) cudaFree(flush_buf_);
    if (start_) cudaEventDestroy(start_);
    if (stop_) cudaEventDestroy(stop_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  const DeviceInfo& info() const override { return info_; }
  DeviceCaps caps() const override { return caps_; }

  std::uint64_t free_bytes() const override {
    size_t free = 0, total = 0;
    ATTNSWEEP_CUDA_CALL(cudaMemGetInfo(&free, &total));
    return free;
  }

  void* allocate(std::uint64_t bytes) override {
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, bytes);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw OutOfMemory("cudaMalloc of " + std::to_string(bytes) + " bytes failed on CUDA device " +
                        std::to_string(ordinal_) + " (" + std::to_string(free_bytes()) + " bytes free)");
    }
    ATTNSWEEP_CUDA_CALL(e);
    return p;
  }

  void release(void* p) noexcept override {
    if (p) cudaFree(p);
  }

  void copy_to_device(void* dst, const void* src, std::uint64_t bytes) override {
    ATTNSWEEP_CUDA_CALL(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
    synchronize();
  }
  void copy_to_host(void* dst, const void* src, std::uint64_t bytes) override {
    ATTNSWEEP_CUDA_CALL(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
    synchronize();
  }
  void fill(void* dst, std::uint8_t byte, std::uint64_t bytes) override {
    ATTNSWEEP_CUDA_CALL(cudaMemsetAsync(dst, byte, bytes, stream_));
    synchronize();
  }
  void* stream() override { return stream_; }
  void synchronize() override { ATTNSWEEP_CUDA_CALL(cudaStreamSynchronize(stream_)); }

  // Writes a buffer twice the L2's size on the stream, so the next launch finds nothing cached.
  void flush_cache() override {
    if (!flush_buf_) {
      flush_bytes_ = 2 * l2_bytes_;
      ATTNSWEEP_CUDA_CALL(cudaMalloc(&flush_buf_, flush_bytes_));
    }
    ATTNSWEEP_CUDA_CALL(cudaMemsetAsync(flush_buf_, ++flush_byte_, flush_bytes_, stream_));
  }

  TimedLaunches time_launches(const std::function<void()>& enqueue, int repeats) override {
    hold_->hold(stream_, kHoldTimeoutS);
    struct ReleaseOnExit {  // a launch that throws must not leave the stream held until the timeout
      StreamHold& hold;
      ~ReleaseOnExit() { hold.release(); }
    } release{*hold_};
    ATTNSWEEP_CUDA_CALL(cudaEventRecord(start_, stream_));
    for (int i = 0; i < repeats; ++i) enqueue();
    ATTNSWEEP_CUDA_CALL(cudaEventRecord(stop_, stream_));
    hold_->release();
    TimedLaunches t;
    t.clocks = nvml_->read();  // while the launches run (for all but the shortest samples)
    ATTNSWEEP_CUDA_CALL(cudaEventSynchronize(stop_));
    if (hold_->timed_out())
      throw DeviceError("the stream hold ran out (" + std::to_string(kHoldTimeoutS) +
                            " s) before the timed launches were enqueued, so host time may be in the sample",
                        false);
    float ms = 0;
    ATTNSWEEP_CUDA_CALL(cudaEventElapsedTime(&ms, start_, stop_));
    t.ms = ms;
    return t;
  }

  std::optional<ClockReading> read_clocks() override { return nvml_->read(); }
  std::string clocks_unavailable() const override { return nvml_->why_not(); }

 private:
  void describe(const cudaDeviceProp& p) {
    info_.backend = Backend::cuda;
    info_.ordinal = ordinal_;
    info_.name = p.name;
    auto& f = info_.facts;
    f["name"] = p.name;
    f["uuid"] = uuid_string(p.uuid);
    f["sm_count"] = std::to_string(p.multiProcessorCount);
    f["memory_bytes"] = std::to_string(p.totalGlobalMem);
    f["l2_bytes"] = std::to_string(p.l2CacheSize);
    f["smem_per_block_optin"] = std::to_string(p.sharedMemPerBlockOptin);
    f["cc"] = std::to_string(p.major) + "." + std::to_string(p.minor);
    f["memory_bus_bits"] = std::to_string(p.memoryBusWidth);
    char pci[32] = {};
    cudaDeviceGetPCIBusId(pci, sizeof pci, ordinal_);
    f["pci_bus_id"] = pci;
    int v = 0;
    if (cudaDriverGetVersion(&v) == cudaSuccess) f["driver_cuda"] = version_string(v);
    if (cudaRuntimeGetVersion(&v) == cudaSuccess) f["runtime"] = version_string(v);
    int major = 0, minor = 0, patch = 0;
    if (cublasGetProperty(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS &&
        cublasGetProperty(MINOR_VERSION, &minor) == CUBLAS_STATUS_SUCCESS &&
        cublasGetProperty(PATCH_LEVEL, &patch) == CUBLAS_STATUS_SUCCESS)
      f["cublas"] = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    if (auto c = cudnn_version(); !c.empty()) f["cudnn"] = c;

    nvml_ = std::make_unique<Nvml>(pci);
    const std::string driver = nvml_->driver_version();
    f["driver"] = driver.empty() ? f["driver_cuda"] : driver;
    const std::pair<const char*, std::optional<unsigned>> clocks[] = {
        {"sm_clock_mhz", nvml_->clock_mhz(Nvml::Clock::sm)},
        {"sm_clock_max_mhz", nvml_->max_clock_mhz(Nvml::Clock::sm)},
        {"mem_clock_mhz", nvml_->clock_mhz(Nvml::Clock::mem)},
        {"mem_clock_max_mhz", nvml_->max_clock_mhz(Nvml::Clock::mem)},
    };
    for (const auto& [key, value] : clocks)
      if (value) f[key] = std::to_string(*value);
    f["nvml"] = nvml_->usable() ? "yes" : "no: " + nvml_->why_not();
  }

  int ordinal_;
  DeviceInfo info_;
  DeviceCaps caps_;
  std::uint64_t l2_bytes_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  std::unique_ptr<StreamHold> hold_;
  std::unique_ptr<Nvml> nvml_;
  void* flush_buf_ = nullptr;
  std::uint64_t flush_bytes_ = 0;
  std::uint8_t flush_byte_ = 0;
};

}  // namespace

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // no driver or no GPU: not an error, just none
    return 0;
  }
  return n;
}

std::unique_ptr<Device> make_cuda_device(int ordinal) { return std::make_unique<CudaDevice>(ordinal); }

}  // namespace attnsweep
