"""The fixture format and the deterministic inputs shared with the C# tests (tests/LossDsl.Tests/Catalog).

A case names a method of the LossDsl.Losses library, its inputs (each generated from a seed by the small generator
below, which the C# side reimplements bit for bit, so the inputs are not stored), its scalar arguments, and a PyTorch
function of float64 tensors. The fixture file stores the case, the loss and the gradient of the loss with respect to
every input that has a gradient parameter, all computed by PyTorch autograd in float64.

Inputs: splitmix64 from the input's seed; u = (next >> 40) / 2^24 is an exact float32 in [0, 1).
  uniform(lo, hi):  float32(lo + (hi - lo) * u)                              (double arithmetic, then rounded)
  normal(mean, sd): float32(((u1 + u2 + u3 + u4) - 2) * sqrt(3) * sd + mean)  (Irwin-Hall, variance sd^2)
  bernoulli(p):     1.0 if u < p else 0.0
  labels(classes, ignore_p, ignore): ignore if u < ignore_p, else next % classes  (two draws per element when
                    ignore_p > 0: u first, then the class)
  range(classes):   0, 1, ..., length-1 (mod classes when classes > 0)
  shift(by):        (k + by) mod length for k = 0, 1, ..., length-1 (a positive per row, e.g. the other view)
  window(classes, width): rows of `width` distinct classes: per row r = next % classes, then r, r+1, ... mod classes
All float64 operations above are single IEEE operations in a fixed order, so Python and .NET agree exactly.
"""
import json
import math
import os

MASK = (1 << 64) - 1
SQRT3 = math.sqrt(3.0)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform01(self):
        return (self.next() >> 40) / 16777216.0


def _f32(x):
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


def generate(spec, length):
    """The values of one input (a list of Python floats that are exact float32 values, or ints)."""
    r = SplitMix64(spec["seed"])
    kind = spec["kind"]
    if kind == "uniform":
        lo, hi = spec["lo"], spec["hi"]
        return [_f32(lo + (hi - lo) * r.uniform01()) for _ in range(length)]
    if kind == "normal":
        mean, sd = spec["mean"], spec["sd"]
        out = []
        for _ in range(length):
            s = r.uniform01() + r.uniform01() + r.uniform01() + r.uniform01()
            out.append(_f32((s - 2.0) * SQRT3 * sd + mean))
        return out
    if kind == "bernoulli":
        p = spec["p"]
        return [1.0 if r.uniform01() < p else 0.0 for _ in range(length)]
    if kind == "labels":
        classes, ignore_p, ignore = spec["classes"], spec.get("ignore_p", 0.0), spec.get("ignore", -100)
        out = []
        for _ in range(length):
            if ignore_p > 0 and r.uniform01() < ignore_p:
                out.append(ignore)
            else:
                out.append(r.next() % classes)
        return out
    if kind == "range":
        classes = spec.get("classes", 0)
        return [(k % classes) if classes > 0 else k for k in range(length)]
    if kind == "window":
        classes, width = spec["classes"], spec["width"]
        out = []
        for _ in range(length // width):
            start = r.next() % classes
            out.extend((start + j) % classes for j in range(width))
        return out
    if kind == "shift":
        return [(k + spec["by"]) % length for k in range(length)]
    if kind == "gaussian":
        # A normalized Gaussian window of `length` taps (pytorch_ssim's gaussian(window_size, sigma)); no randomness.
        sigma, centre = spec["sigma"], (length - 1) // 2
        taps = [math.exp(-((k - centre) ** 2) / (2.0 * sigma * sigma)) for k in range(length)]
        total = 0.0
        for t in taps:
            total += t
        return [_f32(t / total) for t in taps]
    if kind == "scores":
        # Scores [N, C] of a classifier that has learned something: normal(mean, sd), plus boost at the label column of
        # each row when the labels are arange(C) (row i's label is i mod C).
        classes, mean, sd, boost = spec["classes"], spec["mean"], spec["sd"], spec["boost"]
        out = []
        for k in range(length):
            s = r.uniform01() + r.uniform01() + r.uniform01() + r.uniform01()
            on = (k % classes) == (k // classes) % classes
            out.append(_f32((s - 2.0) * SQRT3 * sd + mean + (boost if on else 0.0)))
        return out
    raise ValueError(f"unknown input kind {kind}")


# ---- The generators a case uses ----------------------------------------------------------------------------------

def uniform(lo, hi):
    return {"kind": "uniform", "lo": float(lo), "hi": float(hi)}


def normal(mean=0.0, sd=1.0):
    return {"kind": "normal", "mean": float(mean), "sd": float(sd)}


def bernoulli(p=0.5):
    return {"kind": "bernoulli", "p": float(p)}


def labels(classes, ignore_p=0.0, ignore=-100):
    return {"kind": "labels", "classes": int(classes), "ignore_p": float(ignore_p), "ignore": int(ignore)}


def arange(classes=0):
    return {"kind": "range", "classes": int(classes)}


def window(classes, width):
    return {"kind": "window", "classes": int(classes), "width": int(width)}


def shift(by):
    return {"kind": "shift", "by": int(by)}


def gaussian(sigma):
    """A normalized Gaussian window as long as its input (its centre at (length - 1) // 2)."""
    return {"kind": "gaussian", "sigma": float(sigma)}


def scores(classes, mean=0.0, sd=1.0, boost=1.0):
    """Scores [N, classes] with boost added at column i mod classes of row i: pair them with labels arange(classes)."""
    return {"kind": "scores", "classes": int(classes), "mean": float(mean), "sd": float(sd), "boost": float(boost)}


class Input:
    """An input of a case: the C# parameter name, its shape, its generator and, when the method takes its
    gradient, the name of the gradient parameter."""

    def __init__(self, name, shape, gen, grad=None, dtype=None):
        self.name, self.shape, self.gen, self.grad = name, tuple(int(s) for s in shape), dict(gen), grad
        self.dtype = dtype or ("int" if gen["kind"] in ("labels", "range", "shift", "window") else "float")

    @property
    def length(self):
        n = 1
        for s in self.shape:
            n *= s
        return n


class Case:
    """One fixture: a library method called on generated inputs, and the PyTorch function that defines it.
    torch_fn(t, s) gets a dict of float64 (or int64) tensors shaped as declared and the dict of scalars, and
    returns the loss as a 0-d tensor, or (loss, {output span name: tensor}) for a method that writes outputs."""

    def __init__(self, id, entry, method, inputs, torch_fn, scalars=None, reference="", tolerance=1e-4):
        self.id, self.entry, self.method, self.inputs = id, entry, method, inputs
        self.torch_fn, self.scalars, self.reference, self.tolerance = torch_fn, dict(scalars or {}), reference, tolerance


# Gradients longer than this are stored as a sample (every element whose magnitude is among the 64 largest, and 448
# elements drawn with a fixed seed) plus the sum, the sum of absolute values and the sum of squares of the whole.
FULL_GRADIENT_LIMIT = 4096
SAMPLE_RANDOM, SAMPLE_LARGEST = 448, 64


def _seed_of(case_id, name):
    # FNV-1a 64 of "case/name": a stable seed per input, written into the fixture.
    h = 0xCBF29CE484222325
    for b in f"{case_id}/{name}".encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h >> 1


def _num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(f"{x:.12g}")


def compute(case):
    import torch
    tensors, specs = {}, []
    for inp in case.inputs:
        gen = dict(inp.gen)
        gen["seed"] = _seed_of(case.id, inp.name)
        values = generate(gen, inp.length)
        if inp.dtype == "int":
            t = torch.tensor(values, dtype=torch.int64).reshape(inp.shape)
        else:
            t = torch.tensor(values, dtype=torch.float64).reshape(inp.shape)
            if inp.grad:
                t.requires_grad_(True)
        tensors[inp.name] = t
        specs.append({"name": inp.name, "dtype": inp.dtype, "shape": list(inp.shape), "gen": gen, **({"grad": inp.grad} if inp.grad else {})})
    result = case.torch_fn(tensors, case.scalars)
    # A case of a method with output spans (docs/language.md §2.4) returns (loss, {output name: tensor}).
    loss, outputs = result if isinstance(result, tuple) else (result, {})
    if not math.isfinite(float(loss)):
        # A case is a check of the kernels against PyTorch on valid inputs: inputs outside the loss's domain (a NaN or
        # infinite reference) would only test that both fail alike.
        raise ValueError(f"{case.id}: PyTorch's loss is {float(loss)}: the case's inputs are outside the loss's domain")
    grads = {}
    with_grad = [inp for inp in case.inputs if inp.grad]
    if with_grad:
        gs = torch.autograd.grad(loss, [tensors[inp.name] for inp in with_grad], allow_unused=True)
        for inp, g in zip(with_grad, gs):
            flat = (torch.zeros(inp.length, dtype=torch.float64) if g is None else g.detach().reshape(-1)).tolist()
            grads[inp.grad] = _gradient_record(case.id, inp.grad, flat)
    output_records = {name: _gradient_record(case.id, name, t.detach().reshape(-1).tolist()) for name, t in outputs.items()}
    return {
        "id": case.id,
        "entry": case.entry,
        "method": case.method,
        "reference": case.reference,
        "tolerance": case.tolerance,
        "inputs": specs,
        "scalars": {k: (v if isinstance(v, int) else float(v)) for k, v in case.scalars.items()},
        "loss": _num(loss.item()),
        "gradients": grads,
        **({"outputs": output_records} if output_records else {}),
    }


def _gradient_record(case_id, name, flat):
    n = len(flat)
    if n <= FULL_GRADIENT_LIMIT:
        return {"length": n, "values": [_num(v) for v in flat]}
    order = sorted(range(n), key=lambda k: (-abs(flat[k]), k))[:SAMPLE_LARGEST]
    r = SplitMix64(_seed_of(case_id, name + "#sample"))
    chosen = set(order)
    while len(chosen) < SAMPLE_LARGEST + SAMPLE_RANDOM:
        chosen.add(r.next() % n)
    idx = sorted(chosen)
    return {
        "length": n,
        "indices": idx,
        "values": [_num(flat[k]) for k in idx],
        "sum": _num(math.fsum(flat)),
        "sumAbs": _num(math.fsum(abs(v) for v in flat)),
        "sumSquares": _num(math.fsum(v * v for v in flat)),
    }


def dumps(record):
    # One key per line at the top level, arrays on one line: small diffs, stable text.
    lines = ["{"]
    keys = list(record.keys())
    for k, key in enumerate(keys):
        comma = "," if k + 1 < len(keys) else ""
        lines.append(f"  {json.dumps(key)}: {json.dumps(record[key], separators=(', ', ': '))}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def fixture_path(directory, case_id):
    return os.path.join(directory, case_id + ".json")
