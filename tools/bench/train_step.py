#!/usr/bin/python3
"""PyTorch reference for `ecgstream bench train-step`.

The same model and step, op for op: D pre-norm transformer blocks (LayerNorm, fused-QKV
multi-head self-attention written as matmul + softmax + matmul, out projection, LayerNorm,
Linear -> exact GELU -> Linear, residuals), loss = mean(out^2), backward, AdamW
(PyTorch 1.13's single-tensor path, lr 1e-4, weight decay 0.01), zero_grad(set_to_none=True).
Prints one JSON line with the same fields as the C# command.

    /usr/bin/python3 tools/bench/train_step.py --width 192 --depth 8 --heads 6 --tokens 108 --batch 64 --threads 2
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiheadSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * dim, dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * dim))
        nn.init.xavier_uniform_(self.in_proj_weight)
        self.out_proj = nn.Linear(dim, dim)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x, key_padding_mask=None):
        b, t, e = x.shape
        dh = e // self.heads
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias).reshape(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        q = qkv.select(0, 0) * (1.0 / math.sqrt(dh))
        k = qkv.select(0, 1)
        v = qkv.select(0, 2)
        scores = q.matmul(k.transpose(-2, -1))
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask.reshape(b, 1, 1, t), float("-inf"))
        attn = scores.softmax(-1)
        context = attn.matmul(v).transpose(1, 2).reshape(b, t, e)
        return self.out_proj(context)


class TransformerBlock(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        hidden = int(round(dim * mlp_ratio))
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiheadSelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(0.0)

    def forward(self, x, key_padding_mask=None):
        h = x + self.drop(self.attn(self.norm1(x), key_padding_mask))
        m = self.fc2(self.drop(F.gelu(self.fc1(self.norm2(h)))))
        return h + self.drop(m)


def resident_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=int, default=192)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--tokens", type=int, default=108)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.width % a.heads:
        ap.error(f"--width {a.width} is not a multiple of --heads {a.heads}")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    blocks = nn.ModuleList(TransformerBlock(a.width, a.heads) for _ in range(a.depth))
    opt = torch.optim.AdamW(blocks.parameters(), lr=1e-4, weight_decay=0.01, foreach=False)
    x = torch.randn(a.batch, a.tokens, a.width)

    times = []
    cpu = []  # CPU seconds per step: on a shared machine wall time mostly measures the neighbours
    rss_after_warmup = 0.0
    trace_every = max(1, a.steps // 20)
    rss_trace = []
    for i in range(-a.warmup, a.steps):
        if i == 0:
            rss_after_warmup = resident_mb()
        cpu_start = time.process_time()
        start = time.perf_counter()
        h = x
        for b in blocks:
            h = b(h)
        loss = h.square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i >= 0:
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
            if i % trace_every == trace_every - 1:
                rss_trace.append(round(resident_mb(), 1))
    times.sort()
    cpu.sort()
    print(json.dumps({
        "benchmark": "train-step",
        "engine": "pytorch",
        "libtorch": torch.__version__,
        "width": a.width, "depth": a.depth, "heads": a.heads, "tokens": a.tokens, "batch": a.batch,
        "threads": a.threads, "steps": a.steps, "warmup": a.warmup,
        "parameters": sum(p.numel() for p in blocks.parameters()),
        "median_s": round(quantile(times, 0.5), 6),
        "min_s": round(times[0], 6),
        "p90_s": round(quantile(times, 0.9), 6),
        "median_cpu_s": round(quantile(cpu, 0.5), 6),
        "rss_mb_after_warmup": round(rss_after_warmup, 1),
        "rss_mb_end": round(resident_mb(), 1),
        "rss_mb_trace": rss_trace,
    }))


if __name__ == "__main__":
    main()
