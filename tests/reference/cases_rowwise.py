"""Cases of catalog section R (src/LossDsl.Losses/RowWise.cs)."""
import torch
import torch.nn.functional as F

from fixturelib import Case, Input, normal, labels

CASES = []


def add(case):
    CASES.append(case)


# (rows, classes): non-multiples of 8, a single row, and a row of 32768 classes (the online logsumexp path).
SHAPES = [(1, 5), (37, 10), (129, 1001), (3, 32768)]

for n, c in SHAPES:
    add(Case(f"R01-softmax_ce-{n}x{c}", "R01", "RowWise.CrossEntropy",
             [Input("z", [n, c], normal(0, 2), grad="dz"), Input("y", [n], labels(c, ignore_p=0.1 if n > 1 else 0.0))],
             lambda t, s: F.cross_entropy(t["z"], t["y"], ignore_index=s["ignoreIndex"]),
             scalars={"ignoreIndex": -100},
             reference="torch.nn.functional.cross_entropy"))
