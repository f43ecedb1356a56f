#!/usr/bin/env bash
# The pairwise comparison on the GPU machine's CPU (16 cores; its python3 has PyTorch 2.11 with torch.compile), in one
# call. Prepare here, where .NET is:
#
#   ../shared/tools/device-pack benchmarks/LossDsl.Benchmarks/LossDsl.Benchmarks.csproj
#
# then run on the device machine with .devcarry in the carry list:
#
#   bash benchmarks/device/cpu_side_by_side.sh [--small]
#
# It unpacks the self-contained LossDsl.Benchmarks, runs benchmarks/peers/side_by_side.sh at 1 thread and at every
# core, writes the logs and JSON under $OUT (or /tmp/sbs) and prints the table last.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.devcarry/LossDsl.Benchmarks.tar.xz
[ -f "$pack" ] || { echo "$pack is missing: run ../shared/tools/device-pack benchmarks/LossDsl.Benchmarks/LossDsl.Benchmarks.csproj first" >&2; exit 2; }
out=${OUT:-/tmp/sbs}
mkdir -p "$out" /tmp/LossDsl.Benchmarks
tar xJf "$pack" -C /tmp/LossDsl.Benchmarks
export LOSSDSL_BENCH=/tmp/LossDsl.Benchmarks/LossDsl.Benchmarks
export PYTHON=${PYTHON:-python3}
bash benchmarks/peers/side_by_side.sh --out "$out" "$@" 2> "$out/log.txt" | tee "$out/table.md"
