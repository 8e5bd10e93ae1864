"""A FlashAttention-2 forward kernel in Triton: the seed's `flash_attention_triton` row.

One program computes BLOCK_M query rows of one (batch, head): it streams K and V in blocks of
BLOCK_N, keeps the running row max and sum (online softmax, base 2), and writes O once. Causal is
top-left (query row i sees keys j <= i, as PyTorch's is_causal); rows and keys past the end are
masked, so any q_n and k_n work. fp16/bf16 run on tensor cores; fp32 uses IEEE products, tf32
(fp32 storage) TF32 ones. Imports triton, so import this module only where it is installed.
"""
import math

import torch
import triton
import triton.language as tl


@triton.jit
def _flash_forward(Q, K, V, O, qk_scale,
                   stride_qb, stride_qh, stride_qm, stride_kb, stride_kh, stride_kn,
                   stride_vb, stride_vh, stride_vn, stride_ob, stride_oh, stride_om,
                   heads, q_n, k_n,
                   HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                   CAUSAL: tl.constexpr, PRECISION: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1).to(tl.int64)  # 64-bit: batch x head offsets can pass 2^31 elements
    b = bh // heads
    h = bh % heads
    q_ptr = Q + b * stride_qb + h * stride_qh
    k_ptr = K + b * stride_kb + h * stride_kh
    v_ptr = V + b * stride_vb + h * stride_vh
    o_ptr = O + b * stride_ob + h * stride_oh

    rows = start_m * BLOCK_M + tl.arange(0, BLOCK_M)  # (BLOCK_M,)
    cols = tl.arange(0, BLOCK_N)                      # (BLOCK_N,)
    dims = tl.arange(0, HEAD_DIM)                     # (HEAD_DIM,)
    q = tl.load(q_ptr + rows[:, None] * stride_qm + dims[None, :], mask=rows[:, None] < q_n, other=0.0)

    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)  # running max of the scaled scores
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)                # running sum of exp2(score - max)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)      # (BLOCK_M, HEAD_DIM)

    # Causal: keys past this block's last row are masked for every row of it; skip those blocks.
    end = k_n
    if CAUSAL:
        end = tl.minimum(k_n, (start_m + 1) * BLOCK_M)
    for start_n in range(0, end, BLOCK_N):
        keys = start_n + cols
        k = tl.load(k_ptr + keys[None, :] * stride_kn + dims[:, None], mask=keys[None, :] < k_n, other=0.0)
        s = tl.dot(q, k, input_precision=PRECISION) * qk_scale  # (BLOCK_M, BLOCK_N), log2 units
        visible = keys[None, :] < k_n
        if CAUSAL:
            visible = visible & (keys[None, :] <= rows[:, None])
        s = tl.where(visible, s, float("-inf"))
        # Row 0 of every block sees key 0, so the first block makes m_i finite for real rows.
        m_new = tl.maximum(m_i, tl.max(s, 1))
        p = tl.math.exp2(s - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(v_ptr + keys[:, None] * stride_vn + dims[None, :], mask=keys[:, None] < k_n, other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=PRECISION)
        m_i = m_new

    out = acc / l_i[:, None]
    tl.store(o_ptr + rows[:, None] * stride_om + dims[None, :], out.to(O.dtype.element_ty), mask=rows[:, None] < q_n)


SUPPORTED_HEAD_DIMS = (16, 32, 64, 128, 256)  # tl.arange needs a power of two, tl.dot at least 16


def _tiles(head_dim, element_bytes):
    """(BLOCK_M, BLOCK_N, warps, stages): the usual FA2 choices, halved for 4-byte elements so the
    K/V pipeline stages still fit in shared memory."""
    if element_bytes == 2:
        if head_dim <= 64:
            return 128, 64, 4, 3
        if head_dim <= 128:
            return 128, 64, 8, 3
        return 64, 64, 4, 2
    if head_dim <= 64:
        return 64, 64, 4, 2
    if head_dim <= 128:
        return 64, 32, 4, 2
    return 32, 32, 4, 2


def unsupported_reason(head_dim):
    if head_dim not in SUPPORTED_HEAD_DIMS:
        return "head_dim {}: the Triton kernel takes {}".format(head_dim, "/".join(map(str, SUPPORTED_HEAD_DIMS)))
    return None


def flash_attention(q, k, v, o, causal, tf32=False):
    """Writes softmax(q k^T / sqrt(d)) v into o; all [B, H, N, d] with the last dimension contiguous."""
    batch, heads, q_n, head_dim = q.shape
    k_n = k.shape[2]
    block_m, block_n, warps, stages = _tiles(head_dim, q.element_size())
    # 16-bit operands: Triton's default; fp32: exact products unless the cell asked for TF32.
    precision = None if q.dtype != torch.float32 else ("tf32" if tf32 else "ieee")
    grid = (triton.cdiv(q_n, block_m), batch * heads)
    _flash_forward[grid](q, k, v, o, (1.0 / math.sqrt(head_dim)) * 1.4426950408889634,
                         q.stride(0), q.stride(1), q.stride(2), k.stride(0), k.stride(1), k.stride(2),
                         v.stride(0), v.stride(1), v.stride(2), o.stride(0), o.stride(1), o.stride(2),
                         heads, q_n, k_n,
                         HEAD_DIM=head_dim, BLOCK_M=block_m, BLOCK_N=block_n, CAUSAL=causal,
                         PRECISION=precision, num_warps=warps, num_stages=stages)
    return o
