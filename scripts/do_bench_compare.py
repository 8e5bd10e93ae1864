#!/usr/bin/env python3
"""The torch provider's cold cuDNN times beside triton.testing.do_bench's, cell by cell.

do_bench times one launch per sample after clearing the L2 (a 256 MB buffer zeroed before each),
so its median is a cold single-launch time measured by another tool. Reads a result file of
`torch.sdpa_cudnn` cells, times the same shapes with do_bench, and prints per cell both medians,
their ratio, and whether they agree within 2% (N >= 2048) or 5% (below).

  python3 scripts/do_bench_compare.py RESULTS.jsonl
"""
import json
import sys

import torch
import torch.nn.functional as F
import triton.testing
from torch.nn.attention import SDPBackend, sdpa_kernel

DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def do_bench_ms(tier, dtype, causal):
    shape_q = (tier["batch"], tier["heads"], tier["q_n"], tier["head_dim"])
    shape_kv = (tier["batch"], tier["heads"], tier["k_n"], tier["head_dim"])
    q = torch.randn(shape_q, device="cuda", dtype=DTYPES[dtype])
    k = torch.randn(shape_kv, device="cuda", dtype=DTYPES[dtype])
    v = torch.randn(shape_kv, device="cuda", dtype=DTYPES[dtype])

    def run():
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    return triton.testing.do_bench(run, warmup=25, rep=200, return_mode="median")


def main(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    print("tier dtype causal | provider cold ms (samples) | do_bench ms | provider/do_bench | within")
    agree = total = 0
    for line in lines[1:]:
        cell = json.loads(line)
        if cell.get("kernel") != "torch.sdpa_cudnn" or cell.get("status") != "ok":
            continue
        cold = cell["timings"].get("cold")
        if cold is None:
            continue
        ours = cold["time_ms"]["median"]
        theirs = do_bench_ms(cell["tier"], cell["dtype"], cell["causal"])
        bound = 0.02 if cell["tier"]["q_n"] >= 2048 else 0.05
        ok = abs(ours / theirs - 1) <= bound
        agree += ok
        total += 1
        print("{} {} {} | {:.4f} ({}) | {:.4f} | {:.3f} | {}".format(
            cell["tier"]["name"], cell["dtype"], "causal" if cell["causal"] else "full", ours,
            cold["time_ms"]["samples"], theirs, ours / theirs, "yes" if ok else "NO ({:.0f}%)".format(bound * 100)))
    print("{} of {} cells agree within the bound (2% at N >= 2048, 5% below)".format(agree, total))


if __name__ == "__main__":
    main(sys.argv[1])
