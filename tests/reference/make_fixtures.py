#!/usr/bin/env python3
"""Writes the PyTorch fixtures of the LossDsl.Losses library (tests/reference/fixtures/*.json), or checks them.

    /usr/bin/python3 tests/reference/make_fixtures.py           # regenerate every fixture
    /usr/bin/python3 tests/reference/make_fixtures.py --check   # regenerate in memory and compare (CI)
    /usr/bin/python3 tests/reference/make_fixtures.py --only R01  # the cases whose id starts with R01

Each case (cases_*.py) computes a library loss and its input gradients with PyTorch autograd in float64 from the most
standard implementation (torch.nn.functional, or the catalog's formula written in torch) on seeded inputs (fixturelib:
the C# tests regenerate the same inputs bit for bit). tests/LossDsl.Tests/Catalog/CatalogFixtureTests.cs calls the
library's kernels on them and compares. --check fails when a committed fixture is missing, stale (its case changed) or
orphaned, or when a value differs by more than 1e-9 relative (float64 reductions may round differently on another
CPU; the kernels are compared at 1e-4).
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixturelib  # noqa: E402


def all_cases():
    import cases_elementwise
    import cases_rowwise
    import cases_pairwise
    import cases_structured
    cases = cases_elementwise.CASES + cases_rowwise.CASES + cases_pairwise.CASES + cases_structured.CASES
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate case ids: {sorted(dup)}")
    return cases


def _close(a, b, scale):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= 1e-9 * (abs(b) + scale) or a == b


def _compare(old, new):
    """The differences between a committed fixture and a regenerated one (empty when they agree)."""
    problems = []
    for key in ("id", "entry", "method", "inputs", "scalars", "tolerance", "reference"):
        if old.get(key) != new.get(key):
            problems.append(f"{key} changed")
    if not _close(old.get("loss"), new.get("loss"), 1e-300):
        problems.append(f"loss {old.get('loss')} != {new.get('loss')}")
    og, ng = dict(old.get("gradients", {}), **old.get("outputs", {})), dict(new.get("gradients", {}), **new.get("outputs", {}))
    if sorted(og) != sorted(ng):
        problems.append(f"gradients {sorted(og)} != {sorted(ng)}")
        return problems
    for name in ng:
        a, b = og[name], ng[name]
        if a.get("length") != b.get("length") or a.get("indices") != b.get("indices"):
            problems.append(f"{name}: layout changed")
            continue
        scale = max([abs(v) for v in b["values"] if not isinstance(v, str)] + [1e-300])
        bad = [k for k, (x, y) in enumerate(zip(a["values"], b["values"])) if not _close(x, y, 1e-6 * scale)]
        if len(a["values"]) != len(b["values"]) or bad:
            problems.append(f"{name}: {len(bad)} values differ (first at {bad[:3]})")
        for key in ("sum", "sumAbs", "sumSquares"):
            if key in b and not _close(a.get(key), b[key], 1e-6 * scale * b["length"]):
                problems.append(f"{name}.{key} {a.get(key)} != {b[key]}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing them")
    ap.add_argument("--only", default="", help="only the cases whose id starts with this")
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures"), help="the fixture folder")
    args = ap.parse_args()

    import torch
    torch.manual_seed(0)
    torch.set_num_threads(1)
    cases = [c for c in all_cases() if c.id.startswith(args.only)]
    failures = []
    written = set()
    for case in cases:
        record = fixturelib.compute(case)
        path = fixturelib.fixture_path(args.out, case.id)
        written.add(os.path.basename(path))
        if args.check:
            if not os.path.exists(path):
                failures.append(f"{case.id}: no committed fixture ({path})")
                continue
            with open(path) as f:
                old = json.load(f)
            new = json.loads(fixturelib.dumps(record))
            for p in _compare(old, new):
                failures.append(f"{case.id}: {p}")
        else:
            os.makedirs(args.out, exist_ok=True)
            with open(path, "w") as f:
                f.write(fixturelib.dumps(record))
    if not args.only:
        orphans = sorted(set(n for n in os.listdir(args.out) if n.endswith(".json")) - written) if os.path.isdir(args.out) else []
        for name in orphans:
            if args.check:
                failures.append(f"{name}: a committed fixture that no case produces")
            else:
                os.remove(os.path.join(args.out, name))
    verb = "checked" if args.check else "wrote"
    print(f"{verb} {len(cases)} fixtures (PyTorch {torch.__version__}) in {args.out}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"{len(failures)} problem(s): regenerate with /usr/bin/python3 tests/reference/make_fixtures.py and review the diff", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
