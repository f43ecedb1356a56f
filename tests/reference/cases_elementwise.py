"""Cases of catalog section E (src/LossDsl.Losses/Elementwise.cs)."""
import torch
import torch.nn.functional as F

from fixturelib import Case, Input, normal, uniform, bernoulli

CASES = []


def add(case):
    CASES.append(case)


# Sizes that are not multiples of 8 (vector tails), one of exactly 16 lanes, and one above the 16K-element threshold
# where the kernels go multi-core.
SIZES = [1, 37, 1000, 20011]

for n in SIZES:
    add(Case(f"E01-mse-n{n}", "E01", "Elementwise.Mse",
             [Input("yhat", [n], normal(0, 1), grad="dyhat"), Input("y", [n], normal(0.2, 1))],
             lambda t, s: F.mse_loss(t["yhat"], t["y"]),
             reference="torch.nn.functional.mse_loss"))

for n in SIZES:
    for pw in (1.0, 3.0):
        add(Case(f"E04-bce_with_logits-n{n}-pw{pw:g}", "E04", "Elementwise.BceWithLogits",
                 [Input("z", [n], normal(0, 3), grad="dz"), Input("y", [n], uniform(0, 1))],
                 lambda t, s: F.binary_cross_entropy_with_logits(t["z"], t["y"], pos_weight=torch.tensor(s["posWeight"], dtype=torch.float64)),
                 scalars={"posWeight": pw},
                 reference="torch.nn.functional.binary_cross_entropy_with_logits"))
