#!/usr/bin/env python3
"""PyTorch peers of the GPU harness (benchmarks/LossDsl.GpuBenchmarks): the same cases, sizes and gradients.

Times forward + backward (the loss and every gradient the LossDsl declaration writes), float32, eager and with
torch.compile (PyTorch 2 or later), and prints the median of the timed samples, one line per case on stderr, then a
table. Each sample is the mean of enough back-to-back steps to last 2 ms, closed by one synchronization, as the
harness does; a device-to-device copy is timed the same way for the percentage of the copy bandwidth.

  python3 benchmarks/peers/gpu_peers.py [--device cuda|cpu] [--small] [--cases bce,ce] [--samples 30] [--json out.json]

--device cpu with --small is a quick check of the script itself on a machine without a GPU.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# The losses both peers time are written once, in pairwise_peers.py (same folder).
from pairwise_peers import sigmoid_focal, siglip


def bce(x, y):
    """ClassicLosses.BceWithLogits."""
    return F.binary_cross_entropy_with_logits(x, y)


def huber(yhat, y):
    """RegressionLosses.Huber (delta = 1)."""
    return F.huber_loss(yhat, y, delta=1.0)


def ce(z, y):
    """ClassicLosses.SoftmaxCrossEntropy."""
    return F.cross_entropy(z, y)


def zloss(z, y, zcoef=1e-4):
    """MulticlassLosses.CrossEntropyZLoss: cross-entropy plus zcoef * logsumexp^2, averaged over rows."""
    lse = torch.logsumexp(z, dim=1)
    return (lse - z.gather(1, y[:, None]).squeeze(1) + zcoef * lse * lse).mean()


def dice(x, g, smooth=1.0):
    """SegmentationLosses.SoftDice: 1 - (2 sum(p g) + s) / (sum(p) + sum(g) + s), p = sigmoid(x)."""
    p = torch.sigmoid(x)
    return 1 - (2 * (p * g).sum() + smooth) / (p.sum() + g.sum() + smooth)


def clip(x, y, t):
    """PairwiseLosses.Clip: cosine similarities times exp(t), cross-entropy over rows and over columns."""
    s = torch.exp(t) * (F.normalize(x, dim=1) @ F.normalize(y, dim=1).T)
    target = torch.arange(s.shape[0], device=s.device)
    return 0.5 * (F.cross_entropy(s, target) + F.cross_entropy(s.T, target))


def cases(small, device):
    """name -> (title, minimal bytes, make) as in benchmarks/LossDsl.GpuBenchmarks/GpuCases.cs."""
    n = 1 << 14 if small else 1 << 26
    rows, classes = (64, 1000) if small else (8192, 32768)
    pixels = 4 * 32 * 32 if small else 64 * 512 * 512
    m, dim = (128, 64) if small else (16384, 512)
    g = torch.Generator(device=device).manual_seed(1)

    def normal(*shape, scale=1.0):
        return torch.randn(*shape, generator=g, device=device) * scale

    def bits(count):
        return torch.randint(0, 2, (count,), generator=g, device=device).float()

    def elementwise(fn, binary):
        def make():
            x = normal(n).requires_grad_()
            y = bits(n) if binary else normal(n)
            return fn, (x, y), (x,)
        return make

    def rowwise(fn):
        def make():
            z = normal(rows, classes, scale=2.0).requires_grad_()
            y = torch.randint(0, classes, (rows,), generator=g, device=device)
            return fn, (z, y), (z,)
        return make

    def make_dice():
        x = normal(pixels).requires_grad_()
        return dice, (x, bits(pixels)), (x,)

    def make_siglip():
        x = normal(m, dim, scale=0.05).requires_grad_()
        y = normal(m, dim, scale=0.05).requires_grad_()
        t = torch.tensor(2.3, device=device, requires_grad=True)
        b = torch.tensor(-10.0, device=device, requires_grad=True)
        return siglip, (x, y, t, b), (x, y, t, b)

    def make_clip():
        x = normal(m, dim).requires_grad_()
        y = normal(m, dim).requires_grad_()
        t = torch.tensor(math.log(1 / 0.07), device=device, requires_grad=True)
        return clip, (x, y, t), (x, y, t)

    return {
        "bce": (f"BCE with logits, N = {n}", 3 * n * 4, elementwise(bce, True)),
        "focal": (f"sigmoid focal, N = {n}", 3 * n * 4, elementwise(sigmoid_focal, True)),
        "huber": (f"Huber, N = {n}", 3 * n * 4, elementwise(huber, False)),
        "ce": (f"softmax cross-entropy, {rows} x {classes}, int labels", 2 * rows * classes * 4 + rows * 4, rowwise(ce)),
        "zloss": (f"cross-entropy + PaLM z-loss, {rows} x {classes}", 2 * rows * classes * 4 + rows * 4, rowwise(zloss)),
        "dice": (f"soft Dice on sigmoid, {pixels} pixels", 3 * pixels * 4, make_dice),
        "siglip": (f"SigLIP, {m} x {dim}", 4 * m * dim * 4, make_siglip),
        "clip": (f"CLIP InfoNCE, {m} x {dim}", 4 * m * dim * 4, make_clip),
    }


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def time_samples(call, device, samples, warmup, min_sample_ms):
    """Median and minimum ms per call over samples, each the mean of back-to-back calls closed by one synchronization."""
    for _ in range(warmup):
        call()
    sync(device)
    start = time.perf_counter()
    call()
    sync(device)
    once = max(1e-3, (time.perf_counter() - start) * 1000)
    calls = max(1, min(1000, math.ceil(min_sample_ms / once)))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        sync(device)
        times.append((time.perf_counter() - start) * 1000 / calls)
    return statistics.median(times), min(times)


def run_case(fn, args, grads, device, samples, warmup, min_sample_ms):
    def step():
        for p in grads:
            p.grad = None
        loss = fn(*args)
        loss.backward()
        return loss

    start = time.perf_counter()
    step()
    sync(device)
    first = (time.perf_counter() - start) * 1000
    median, low = time_samples(step, device, samples, warmup, min_sample_ms)
    return first, median, low


def copy_bandwidth(device, nbytes, samples, min_sample_ms):
    src = torch.zeros(nbytes // 4, device=device)
    dst = torch.empty_like(src)
    median, _ = time_samples(lambda: dst.copy_(src), device, samples, 3, min_sample_ms)
    return 2 * nbytes / (median * 1e-3) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--cases")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--no-compile", action="store_true", help="eager only")
    parser.add_argument("--json")
    a = parser.parse_args()
    device = a.device
    all_cases = cases(a.small, device)
    names = a.cases.split(",") if a.cases else list(all_cases)
    unknown = [n for n in names if n not in all_cases]
    if unknown:
        sys.exit(f"unknown cases: {', '.join(unknown)}; known: {', '.join(all_cases)}")
    can_compile = hasattr(torch, "compile") and not a.no_compile
    min_sample_ms = 0 if a.small else 2
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    copy = copy_bandwidth(device, (1 << 30) if device == "cuda" else (1 << 26), a.samples, min_sample_ms)
    print(f"PyTorch {torch.__version__} on {name}; copy {copy:.0f} GB/s", file=sys.stderr)
    results = []
    for key in names:
        title, nbytes, make = all_cases[key]
        fn, args, grads = make()
        row = {"name": key, "title": title, "minimal_bytes": nbytes}
        first, median, low = run_case(fn, args, grads, device, a.samples, 3, min_sample_ms)
        row.update(eager_first_ms=first, eager_median_ms=median, eager_min_ms=low)
        print(f"{key}: eager median {median:.4f} ms (min {low:.4f}; first {first:.1f} ms)", file=sys.stderr)
        if can_compile:
            try:
                torch._dynamo.reset()
                first, median, low = run_case(torch.compile(fn), args, grads, device, a.samples, 3, min_sample_ms)
                row.update(compile_first_ms=first, compile_median_ms=median, compile_min_ms=low)
                print(f"{key}: torch.compile median {median:.4f} ms (min {low:.4f}; first call with compilation {first:.0f} ms)", file=sys.stderr)
            except Exception as e:  # a compile failure is reported, not hidden
                row["compile_error"] = f"{type(e).__name__}: {e}"[:300]
                print(f"{key}: torch.compile failed: {row['compile_error']}", file=sys.stderr)
        results.append(row)
        del fn, args, grads
        if device == "cuda":
            torch.cuda.empty_cache()
    report = {"torch": torch.__version__, "device": name, "copy_gbps": copy, "compile": can_compile, "cases": results}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
    print(f"PyTorch {torch.__version__} on {name}; copy {copy:.0f} GB/s\n")
    print("| case | eager ms | torch.compile ms |")
    print("|---|---:|---:|")
    for r in results:
        compiled = f"{r['compile_median_ms']:.4f}" if "compile_median_ms" in r else r.get("compile_error", "n/a")[:40]
        print(f"| {r['title']} | {r['eager_median_ms']:.4f} | {compiled} |")


if __name__ == "__main__":
    main()
