"""Cases of catalog section P (src/LossDsl.Losses/Pairwise.cs)."""
import torch
import torch.nn.functional as F

from fixturelib import Case, Input, normal, labels, shift

CASES = []


def add(case):
    CASES.append(case)


def _infonce(t, s):
    zn = F.normalize(t["z"], dim=1)
    sim = zn @ zn.T / s["tau"]
    sim = sim.masked_fill(torch.eye(sim.shape[0], dtype=torch.bool), float("-inf"))
    return F.cross_entropy(sim, t["pos"])


for n, d in [(2, 3), (37, 19), (133, 64)]:
    add(Case(f"P03-infonce-{n}x{d}", "P03", "Pairwise.InfoNce",
             [Input("z", [n, d], normal(0, 1), grad="dz"), Input("pos", [n], shift(n // 2))],
             _infonce, scalars={"tau": 0.5},
             reference="F.normalize; sim = zn @ zn.T / tau with -inf diagonal; F.cross_entropy(sim, pos)"))
