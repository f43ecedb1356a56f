#!/usr/bin/env bash
# The pairwise losses side by side with PyTorch on one machine in one run: LossDsl (benchmarks/LossDsl.Benchmarks
# --pairwise) and benchmarks/peers/pairwise_peers.py (eager, and torch.compile where PyTorch has it), forward +
# backward, float32, the same sizes, at each thread count; then one table with the ratios.
#
#   bash benchmarks/peers/side_by_side.sh                       # 1 thread and every core, the issue's sizes
#   bash benchmarks/peers/side_by_side.sh --small --threads "1 2" --out /tmp/sbs
#
# LOSSDSL_BENCH is the command that runs LossDsl.Benchmarks (default: dotnet run on the project, built first; on a
# machine without .NET, the self-contained program that ../shared/tools/device-pack makes of it).
# PYTHON is a python3 with torch (default: /usr/bin/python3, Debian's python3-torch, if it imports torch, else python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

small=""
threads="1 $(nproc)"
out="benchmarks/peers/out"
cases="infonce,siglip,supcon,linear,arcface"
while [ $# -gt 0 ]; do
    case "$1" in
        --small) small="--small"; shift ;;
        --threads) threads="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --cases) cases="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$out"

if [ -z "${PYTHON:-}" ]; then
    if /usr/bin/python3 -c "import torch" 2>/dev/null; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
if [ -z "${LOSSDSL_BENCH:-}" ]; then
    dotnet build -c Release benchmarks/LossDsl.Benchmarks >/dev/null
    LOSSDSL_BENCH="dotnet benchmarks/LossDsl.Benchmarks/bin/Release/net10.0/LossDsl.Benchmarks.dll"
fi

for t in $threads; do
    echo "== $t thread(s)" >&2
    $LOSSDSL_BENCH --pairwise --threads "$t" --cases "$cases" $small --json "$out/lossdsl-$t.json" >&2
    "$PYTHON" benchmarks/peers/pairwise_peers.py --threads "$t" --cases "$cases" $small --json "$out/torch-$t.json" >&2
done

"$PYTHON" - "$out" $threads <<'EOF'
import json, os, platform, sys
out, threads = sys.argv[1], sys.argv[2:]
print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
print("| case | threads | LossDsl (ms) | torch eager (ms) | torch.compile (ms) | eager / LossDsl | compile / LossDsl |")
print("|---|---:|---:|---:|---:|---:|---:|")
for t in threads:
    ours = {r["case"]: r for r in json.load(open(os.path.join(out, f"lossdsl-{t}.json")))}
    peers = {r["case"]: r for r in json.load(open(os.path.join(out, f"torch-{t}.json")))}
    for case, r in ours.items():
        p = peers.get(case, {})
        eager, compiled = p.get("eager_ms"), p.get("compile_ms")
        ms = r["lossdsl_ms"]
        fmt = lambda v: "n/a" if v is None else f"{v:.1f}"
        ratio = lambda v: "n/a" if v is None else f"{v / ms:.2f}x"
        print(f"| {case} | {t} | {ms:.1f} | {fmt(eager)} | {fmt(compiled)} | {ratio(eager)} | {ratio(compiled)} |")
if ours:
    print(f"LossDsl machine: {next(iter(ours.values()))['machine']}; torch {next(iter(peers.values()), {}).get('torch', '?')}")
EOF
