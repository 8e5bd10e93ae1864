"""PyTorch's SDPA with one backend, for same-call comparisons on the GPU machine.
  python3 torch_one.py run BACKEND DTYPE B,H,N,D,CAUSAL [launches]   a few launches (a profiler's target)
  python3 torch_one.py time BACKEND DTYPE B,H,N,D,CAUSAL ...          median time of each shape (L2 flushed)
BACKEND: flash | cudnn | efficient; DTYPE: fp16 | bf16."""
import sys

import torch
import triton.testing
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.functional import scaled_dot_product_attention as sdpa

mode, backend, dt_name, *rest = sys.argv[1:]
backends = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION, "efficient": SDPBackend.EFFICIENT_ATTENTION}
dt = {"fp16": torch.float16, "bf16": torch.bfloat16}[dt_name]


def inputs(shape):
    b, h, n, d, causal = map(int, shape.split(","))
    return (b, h, n, d, bool(causal)), [torch.randn(b, h, n, d, device="cuda", dtype=dt) for _ in range(3)]


with sdpa_kernel(backends[backend]):
    if mode == "run":
        (_, _, _, _, causal), (q, k, v) = inputs(rest[0])
        for _ in range(int(rest[1]) if len(rest) > 1 else 4):
            sdpa(q, k, v, is_causal=causal)
        torch.cuda.synchronize()
    else:
        print(f"torch {backend} {torch.cuda.get_device_name()} torch {torch.__version__}", flush=True)
        for shape in rest:
            (b, h, n, d, causal), (q, k, v) = inputs(shape)
            ms = triton.testing.do_bench(lambda: sdpa(q, k, v, is_causal=causal), warmup=10, rep=40, return_mode="median")
            flops = 4 * b * h * n * n * d / (2 if causal else 1)
            print(f"{backend} {dt_name} {b:3d} {h:3d} {n:6d} {d:4d} {int(causal)} | {ms * 1000:9.1f} us {flops / ms / 1e9:7.1f} TFLOP/s",
                  flush=True)
