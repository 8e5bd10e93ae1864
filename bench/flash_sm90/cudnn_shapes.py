"""Times PyTorch's cuDNN SDPA backend on the shapes flash_sm90_bench times, to put the two side by
side on one card in one run (triton.testing.do_bench medians).
Usage: python3 cudnn_shapes.py [d ...] [bf16all | seed]  (prints one line per shape;
bf16all: bf16 at every N, as `bench_sm90 d64` times, instead of N=8192 alone; seed: the seed's tiers
in fp16, as `bench_sm90 seed` times)."""
import sys

import torch
import triton.testing
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.functional import scaled_dot_product_attention as sdpa

bf16_all = "bf16all" in sys.argv[1:]
seed = "seed" in sys.argv[1:]
dims = [int(a) for a in sys.argv[1:] if a not in ("bf16all", "seed")] or [64, 128, 256]
print("cudnn", torch.cuda.get_device_name(), torch.backends.cudnn.version(), flush=True)
NS = (512, 1024, 2048, 4096, 8192, 16384)
if seed:  # (dtype, causal, d, B, H, N) in bench_sm90 seed's order
    shapes = [("fp16", c, d, b, h, n) for c in (False, True) for d, h, b in ((64, 12, 1), (64, 12, 8), (128, 12, 1), (256, 24, 2))
              for n in NS]
else:
    shapes = [(dt_name, c, d, 16384 // n, 2048 // d, n) for dt_name in ("fp16", "bf16") for c in (False, True) for d in dims
              for n in NS if dt_name == "fp16" or n == 8192 or bf16_all]
for dt_name, causal, d, b, h, n in shapes:
    dt = torch.float16 if dt_name == "fp16" else torch.bfloat16
    q, k, v = (torch.randn(b, h, n, d, device="cuda", dtype=dt) for _ in range(3))
    with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
        ms = triton.testing.do_bench(lambda: sdpa(q, k, v, is_causal=causal), warmup=10, rep=40, return_mode="median")
    flops = 4 * b * h * n * n * d / (2 if causal else 1)
    print(f"cudnn {dt_name} {b:3d} {h:3d} {n:6d} {d:4d} {int(causal)} | {ms*1000:9.1f} us {flops/ms/1e9:7.1f} TFLOP/s", flush=True)
