"""Times PyTorch's cuDNN SDPA backend on the shapes bench_sm90 times, for same-call ratios.
Usage on the GPU machine: python3 cudnn_same_call.py [d ...] [bf16all]  (prints one line per shape;
bf16all: bf16 at every N, as `bench_sm90 d64` times, instead of N=8192 alone)."""
import sys

import torch
import triton.testing
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.functional import scaled_dot_product_attention as sdpa

bf16_all = "bf16all" in sys.argv[1:]
dims = [int(a) for a in sys.argv[1:] if a != "bf16all"] or [64, 128, 256]
print("cudnn", torch.cuda.get_device_name(), torch.backends.cudnn.version(), flush=True)
for dt_name, dt in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
    for causal in (False, True):
        for d in dims:
            for n in (512, 1024, 2048, 4096, 8192, 16384):
                if dt_name == "bf16" and n != 8192 and not bf16_all:
                    continue
                b, h = 16384 // n, 2048 // d
                q, k, v = (torch.randn(b, h, n, d, device="cuda", dtype=dt) for _ in range(3))
                with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
                    ms = triton.testing.do_bench(lambda: sdpa(q, k, v, is_causal=causal), warmup=10, rep=40, return_mode="median")
                flops = 4 * b * h * n * n * d / (2 if causal else 1)
                print(f"cudnn {dt_name} {b:3d} {h:3d} {n:6d} {d:4d} {int(causal)} | {ms*1000:9.1f} us {flops/ms/1e9:7.1f} TFLOP/s", flush=True)
