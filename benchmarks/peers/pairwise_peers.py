#!/usr/bin/env python3
"""PyTorch peers of the pairwise losses in samples/LossDsl.Samples (PairwiseLosses.cs, MetricLosses.cs).

Times forward + backward (loss and every gradient the LossDsl declaration writes), float32, on the CPU, eager and
(PyTorch 2 or later) torch.compile, with a fixed number of threads, and prints the median of the timed runs, one
line per case, then a table. The math is the same as the declarations': see each function's comment.

  python3 benchmarks/peers/pairwise_peers.py --threads 1 --cases infonce,siglip --repeats 5
  python3 benchmarks/peers/pairwise_peers.py --threads 16 --json out.json
  python3 benchmarks/peers/pairwise_peers.py --check cases.json results.json   (the tests' oracle, float64)

Sizes: the issue's (InfoNCE, SigLIP, SupCon at M = 4096, D = 256; linear cross-entropy at N = 2048, D = 512,
V = 32768; ArcFace at N = 4096, C = 1000, D = 128) unless --small, which divides them for a quick run.
"""
import argparse
import json
import os
import statistics
import sys
import time

# The thread count must reach the BLAS before torch loads it (Debian's torch calls the system BLAS: install
# libopenblas0-pthread, or its matrix products run in the reference BLAS at a few GFLOP/s).
if __name__ == "__main__":
    for k, arg in enumerate(sys.argv):
        if arg == "--threads" and k + 1 < len(sys.argv):
            for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[variable] = sys.argv[k + 1]

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def infonce(z, pos, tau=0.1):
    """MetricLosses.InfoNce: cosine similarities / tau, logsumexp over j != i, minus the positive pos[i]."""
    zn = F.normalize(z, dim=1)
    s = zn @ zn.T / tau
    eye = torch.eye(s.shape[0], dtype=torch.bool, device=s.device)
    lse = torch.logsumexp(s.masked_fill(eye, float("-inf")), dim=1)
    return (lse - s[torch.arange(s.shape[0]), pos]).mean()


def siglip(x, y, t, b):
    """PairwiseLosses.SigLip: s = exp(t) x y^T + b, softplus(-z s) summed over pairs / batch, z = 2I - 1."""
    s = torch.exp(t) * (x @ y.T) + b
    z = 2 * torch.eye(s.shape[0], device=s.device) - 1
    return F.softplus(-z * s).sum() / s.shape[0]


def supcon(z, labels, tau=0.1):
    """PairwiseLosses.SupCon: mean over anchors of the mean over positives of lse(others) - s(i, p)."""
    zn = F.normalize(z, dim=1)
    s = zn @ zn.T / tau
    n = s.shape[0]
    eye = torch.eye(n, dtype=torch.bool, device=s.device)
    lse = torch.logsumexp(s.masked_fill(eye, float("-inf")), dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~eye
    count = positive.sum(1).clamp(min=1)
    return (((lse - s) * positive).sum(1) / count).mean()


def linear_cross_entropy(h, w, y):
    """PairwiseLosses.LinearCrossEntropy: cross-entropy of the logits h W^T (materialized here, as eager does)."""
    return F.cross_entropy(h @ w.T, y)


def arcface(x, w, y, scale=64.0, cos_m=0.87758255, sin_m=0.47942555):
    """PairwiseLosses.ArcFace: scaled cosines, cos(theta + m) on the target class, cross-entropy."""
    cosine = F.normalize(x, dim=1) @ F.normalize(w, dim=1).T
    sine = torch.sqrt(torch.clamp(1 - cosine * cosine, min=1e-7))
    target = torch.nn.functional.one_hot(y, cosine.shape[1]).bool()
    logits = scale * torch.where(target, cosine * cos_m - sine * sin_m, cosine)
    return F.cross_entropy(logits, y)


def sigmoid_focal(x, y, alpha=0.25, gamma=2.0):
    """ClassicLosses.SigmoidFocal: torchvision's sigmoid_focal_loss, mean reduction."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    pt = p * y + (1 - p) * (1 - y)
    at = alpha * y + (1 - alpha) * (1 - y)
    return (at * (1 - pt) ** gamma * ce).mean()


def batch_centers(x, y, k=100):
    # The mean row of each class in the batch (index_add, as torch_scatter's scatter_mean), read at each row's label.
    n = torch.zeros(k).index_add(0, y, torch.ones(len(y)))
    centers = torch.zeros(k, x.shape[1]).index_add(0, y, x) / n.clamp_min(1)[:, None]
    return ((x - centers[y]) ** 2).sum(1).mean()


def cox(eta, t, ev):
    # The Cox partial likelihood as survival libraries write it (pycox's cox_ph_loss): the rows sorted by time,
    # descending, and the log of each risk set as a cumulative logsumexp (the times are continuous: no ties).
    order = torch.argsort(t, descending=True)
    eta_s, ev_s = eta[order], ev[order]
    return -((eta_s - torch.logcumsumexp(eta_s, 0)) * ev_s).sum() / ev_s.sum()


def neural_ndcg(s, y, n_iter=50, tol=1e-6, tau=1.0):
    # allRank's neuralNDCG (deterministic, no padding, k = the list): NeuralSort, Sinkhorn scaling that stops once rows
    # and columns sum to 1 within tol (as allRank), the relaxed sort of the gains, over the ideal DCG.
    n = s.shape[1]
    a = (s[:, :, None] - s[:, None, :]).abs()
    scaling = n + 1 - 2 * (torch.arange(n, dtype=s.dtype) + 1)
    p = torch.softmax((s[:, :, None] * scaling[None, None, :] - a.sum(-1, keepdim=True)).permute(0, 2, 1) / tau, -1)
    for _ in range(n_iter):
        p = p / p.sum(1, keepdim=True).clamp(min=1e-10)
        p = p / p.sum(2, keepdim=True).clamp(min=1e-10)
        if torch.max(torch.abs(p.sum(2) - 1)) < tol and torch.max(torch.abs(p.sum(1) - 1)) < tol:
            break
    gains = 2.0 ** y - 1
    discounts = 1 / torch.log2(torch.arange(n, dtype=s.dtype) + 2)
    dcg = ((p @ gains[:, :, None]).squeeze(-1) * discounts).sum(-1)
    idcg = ((2.0 ** torch.sort(y, dim=1, descending=True).values - 1) * discounts).sum(-1)
    zero = idcg == 0
    return -(dcg / (idcg + 1e-10)).masked_fill(zero, 0.0).sum() / (~zero).sum()


def _soft_erode(img):
    return torch.min(-F.max_pool2d(-img, (3, 1), (1, 1), (1, 0)), -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1)))


def _soft_open(img):
    return F.max_pool2d(_soft_erode(img), (3, 3), (1, 1), (1, 1))


def _soft_skel(img, iters=3):
    skel = F.relu(img - _soft_open(img))
    for _ in range(iters):
        img = _soft_erode(img)
        delta = F.relu(img - _soft_open(img))
        skel = skel + F.relu(delta - skel * delta)
    return skel


def cldice(z, y, alpha=0.5, smooth=1.0):
    # TopoMortar's clDiceLoss(iterations=3): softmax, one-hot labels, its negative Dice, soft skeletons, clDice.
    p = torch.softmax(z, 1)
    g = F.one_hot(y, p.shape[1]).permute(0, 3, 1, 2).to(p.dtype)
    dice = -((2 * (p * g).sum((2, 3)) + 1e-5) / torch.clip(g.sum((2, 3)) + p.sum((2, 3)) + 1e-5, 1e-8)).mean()
    skel_pred, skel_true = _soft_skel(p), _soft_skel(g)
    tprec = ((skel_pred * g)[:, 1:].sum() + smooth) / (skel_pred[:, 1:].sum() + smooth)
    tsens = ((skel_true * p)[:, 1:].sum() + smooth) / (skel_true[:, 1:].sum() + smooth)
    return (1 - alpha) * dice + alpha * (1 - 2 * tprec * tsens / (tprec + tsens))


def lovasz_grad(gt_sorted):
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1 - intersection / union
    jaccard[1:] = jaccard[1:] - jaccard[:-1]
    return jaccard


def lovasz_hinge(z, g):
    # Berman et al.'s lovasz_hinge(per_image=True): each image's errors sorted descending, weighted by the Jaccard steps.
    losses = []
    for zi, gi in zip(z, g):
        errors = 1 - zi * (2 * gi - 1)
        errors_sorted, perm = torch.sort(errors, descending=True)
        losses.append(torch.dot(F.relu(errors_sorted), lovasz_grad(gi[perm])))
    return torch.stack(losses).mean()


def cases(small):
    d = 4 if small else 1
    g = torch.Generator().manual_seed(1)
    m, dim = 4096 // d, 256

    def make_infonce():
        z = torch.randn(m, dim, generator=g, requires_grad=True)
        pos = torch.arange(m) ^ 1
        return infonce, (z, pos), (z,)

    def make_siglip():
        x = (torch.randn(m, dim, generator=g) * 0.05).requires_grad_()
        y = (torch.randn(m, dim, generator=g) * 0.05).requires_grad_()
        t = torch.tensor(2.3, requires_grad=True)
        b = torch.tensor(-10.0, requires_grad=True)
        return siglip, (x, y, t, b), (x, y, t, b)

    def make_supcon():
        z = torch.randn(m, dim, generator=g, requires_grad=True)
        labels = torch.randint(0, 64, (m,), generator=g)
        return supcon, (z, labels), (z,)

    def make_linear():
        n, dd, v = 2048 // d, 512, 32768 // d
        h = (torch.randn(n, dd, generator=g) * 0.05).requires_grad_()
        w = (torch.randn(v, dd, generator=g) * 0.05).requires_grad_()
        y = torch.randint(0, v, (n,), generator=g)
        return linear_cross_entropy, (h, w, y), (h, w)

    def make_arcface():
        n, dd, c = 4096 // d, 128, 1000 // d
        x = torch.randn(n, dd, generator=g, requires_grad=True)
        w = torch.randn(c, dd, generator=g, requires_grad=True)
        y = torch.randint(0, c, (n,), generator=g)
        return arcface, (x, w, y), (x, w)

    def make_binary(fn):
        def make():
            n = (1 << 24) // d
            x = torch.randn(n, generator=g, requires_grad=True)
            y = torch.randint(0, 2, (n,), generator=g).float()
            return fn, (x, y), (x,)
        return make

    def make_ce():
        n, c = 4096 // d, 4096
        z = (torch.randn(n, c, generator=g) * 2).requires_grad_()
        y = torch.randint(0, c, (n,), generator=g)
        return F.cross_entropy, (z, y), (z,)

    def make_centers():
        n = 16384 // d
        x = torch.randn(n, 128, generator=g, requires_grad=True)
        y = torch.randint(0, 100, (n,), generator=g)
        return batch_centers, (x, y), (x,)

    def make_cox():
        n = 262144 // d
        eta = torch.randn(n, generator=g, requires_grad=True)
        t = torch.rand(n, generator=g) * 100
        ev = (torch.rand(n, generator=g) < 0.6).float()
        return cox, (eta, t, ev), (eta,)

    def make_lovasz():
        p = 65536 // d
        z = torch.randn(8, p, generator=g, requires_grad=True)
        lab = torch.randint(0, 2, (8, p), generator=g).float()
        return lovasz_hinge, (z, lab), (z,)

    def make_neural_ndcg():
        b, n = 64 // d, 30
        s = torch.randn(b, n, generator=g, requires_grad=True)
        y = torch.randint(0, 5, (b, n), generator=g).float()
        return neural_ndcg, (s, y), (s,)

    def make_cldice():
        h = 128 // d
        z = (torch.randn(4, 2, h, 128, generator=g) * 2).requires_grad_()
        y = torch.randint(0, 2, (4, h, 128), generator=g)
        return cldice, (z, y), (z,)

    return {
        "neuralndcg": (f"NeuralNDCG B={64 // d} n=30", make_neural_ndcg),
        "cldice": (f"clDice B=4 C=2 {128 // d}x128", make_cldice),
        "cox": (f"Cox N={262144 // d}", make_cox),
        "lovasz": (f"Lovasz hinge B=8 P={65536 // d}", make_lovasz),
        "centers": (f"batch centres N={16384 // d} D=128 K=100", make_centers),
        "bce": (f"BCE with logits N={(1 << 24) // d}", make_binary(F.binary_cross_entropy_with_logits)),
        "focal": (f"sigmoid focal N={(1 << 24) // d}", make_binary(sigmoid_focal)),
        "ce": (f"softmax CE {4096 // d}x4096", make_ce),
        "infonce": (f"InfoNCE M={m} D={dim}", make_infonce),
        "siglip": (f"SigLIP M={m} D={dim}", make_siglip),
        "supcon": (f"SupCon M={m} D={dim}", make_supcon),
        "linear": (f"linear+CE N={2048 // d} D=512 V={32768 // d}", make_linear),
        "arcface": (f"ArcFace N={4096 // d} C={1000 // d} D=128", make_arcface),
    }


def time_it(fn, args, grads, repeats, warmup):
    def step():
        for p in grads:
            p.grad = None
        loss = fn(*args)
        loss.backward()
        return loss

    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def check(path_in, path_out):
    """The tests' PyTorch oracle (tests/LossDsl.Tests/Pairwise/PairwiseTorchTests.cs): reads cases written by the test
    (a JSON list of {"case", "inputs", "parameters"}), computes each loss and its gradients in float64 with the
    functions above, and writes {"loss", "gradients": {name: [...]}} per case."""
    torch.set_default_dtype(torch.float64)
    functions = {"infonce": infonce, "siglip": siglip, "supcon": supcon, "linear": linear_cross_entropy, "arcface": arcface}
    results = []
    for case in json.load(open(path_in)):
        tensors = {}
        for name, spec in case["inputs"].items():
            if spec["dtype"] == "int":
                tensors[name] = torch.tensor(spec["data"], dtype=torch.long)
            else:
                tensors[name] = torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"]).requires_grad_()
        args = [tensors[name] for name in case["order"]]
        loss = functions[case["case"]](*args, **case.get("parameters", {}))
        loss.backward()
        gradients = {name: t.grad.reshape(-1).tolist() for name, t in tensors.items() if t.dtype == torch.float64}
        results.append({"case": case["case"], "loss": loss.item(), "gradients": gradients})
    json.dump(results, open(path_out, "w"))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cases", default="infonce,siglip,supcon,linear,arcface")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--json")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    can_compile = hasattr(torch, "compile") and not options.no_compile
    table = []
    all_cases = cases(options.small)
    for key in options.cases.split(","):
        name, make = all_cases[key]
        fn, args, grads = make()
        eager, eager_min = time_it(fn, args, grads, options.repeats, options.warmup)
        row = {"case": name, "threads": options.threads, "eager_ms": eager, "eager_min_ms": eager_min, "torch": torch.__version__}
        if can_compile:
            compiled = torch.compile(fn)
            row["compile_ms"], row["compile_min_ms"] = time_it(compiled, args, grads, options.repeats, options.warmup + 1)
        print(json.dumps(row), flush=True)
        table.append(row)
    print()
    print(f"| case | threads | torch {torch.__version__} eager (median ms) | torch.compile (median ms) |")
    print("|---|---:|---:|---:|")
    for r in table:
        compiled = f"{r['compile_ms']:.1f}" if "compile_ms" in r else "n/a"
        print(f"| {r['case']} | {r['threads']} | {r['eager_ms']:.1f} | {compiled} |")
    if options.json:
        with open(options.json, "w") as f:
            json.dump(table, f, indent=1)


if __name__ == "__main__":
    main()
