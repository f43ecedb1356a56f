#!/usr/bin/env python3
"""Joins the GPU harness's JSON (benchmarks/LossDsl.GpuBenchmarks --json) and the PyTorch peer's
(benchmarks/peers/gpu_peers.py --json), measured in the same run on the same card, into one Markdown table.

  python3 benchmarks/peers/gpu_table.py lossdsl.json torch.json
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        peer = json.load(f)
    theirs = {c["name"]: c for c in peer["cases"]}
    print(f"GPU: {ours['device']}; copy {ours['copy_gbps']:.0f} GB/s (LossDsl harness), {peer['copy_gbps']:.0f} GB/s (PyTorch {peer['torch']})")
    print()
    print("| case | LossDsl ms | GB/s | % of copy | torch eager ms | torch.compile ms | eager / LossDsl | compile / LossDsl | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for c in ours["cases"]:
        t = theirs.get(c["name"], {})
        eager = t.get("eager_median_ms")
        compiled = t.get("compile_median_ms")
        ms = c["median_ms"]

        def cell(v, fmt):
            return fmt.format(v) if v is not None else "–"

        check = "ok" if c["check_passed"] else f"MISMATCH (loss {c['loss_error']:.1e}, grad {c['gradient_error']:.1e})"
        print(f"| {c['title']} | {ms:.4f} | {c['gbps']:.0f} | {c['percent_of_copy']:.0f}% | {cell(eager, '{:.4f}')} | "
              f"{cell(compiled, '{:.4f}')} | {cell(eager / ms if eager else None, '{:.2f}x')} | "
              f"{cell(compiled / ms if compiled else None, '{:.2f}x')} | {check} |")


if __name__ == "__main__":
    main()
