#!/usr/bin/env bash
# The GPU comparison in one call on the GPU machine (one H100 or H200; its python3 has PyTorch 2.11 with CUDA and
# Triton). Prepare here, where .NET is:
#
#   ../shared/tools/device-pack benchmarks/LossDsl.GpuBenchmarks/LossDsl.GpuBenchmarks.csproj
#
# then run on the device machine with .devcarry in the carry list:
#
#   bash benchmarks/device/gpu_side_by_side.sh [--small] [--cases bce,ce,...]
#
# It unpacks the self-contained harness, runs it (every case checked against the CPU kernel, then timed), runs the
# PyTorch peer (eager and torch.compile) on the same card, writes logs and JSON under $OUT (or /tmp/gpu-sbs) and
# prints the joined table last. Budget: about 4 minutes at full sizes, most of it torch.compile and the CPU checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.devcarry/LossDsl.GpuBenchmarks.tar.xz
[ -f "$pack" ] || { echo "$pack is missing: run ../shared/tools/device-pack benchmarks/LossDsl.GpuBenchmarks/LossDsl.GpuBenchmarks.csproj first" >&2; exit 2; }
out=${OUT:-/tmp/gpu-sbs}
mkdir -p "$out" /tmp/LossDsl.GpuBenchmarks
tar xJf "$pack" -C /tmp/LossDsl.GpuBenchmarks
PYTHON=${PYTHON:-python3}
(nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv) > "$out/gpu.txt" 2>&1 || true
status=0
/tmp/LossDsl.GpuBenchmarks/LossDsl.GpuBenchmarks --accelerator cuda --json "$out/lossdsl.json" "$@" \
    > "$out/lossdsl.md" 2> "$out/lossdsl.log" || status=$?
"$PYTHON" benchmarks/peers/gpu_peers.py --device cuda --json "$out/torch.json" "$@" > "$out/torch.md" 2> "$out/torch.log" || status=$?
tail -n 3 "$out/lossdsl.log" "$out/torch.log" >&2
cat "$out/gpu.txt"
"$PYTHON" benchmarks/peers/gpu_table.py "$out/lossdsl.json" "$out/torch.json" | tee "$out/table.md"
exit $status
