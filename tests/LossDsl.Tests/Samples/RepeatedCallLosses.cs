using System;
using LossDsl;

namespace LossDsl.Tests.Samples;

/// <summary>
/// Losses found by outside testers whose fused forward + backward kernel read a scratch buffer before the pass that
/// writes it, declared as a user writes them from docs/language.md (so the real generator compiles them).
/// </summary>
public static partial class RepeatedCallLosses
{
    /// <summary>A logsumexp of a pair space kept only for rows with more than one neighbour within <paramref name="w"/>.</summary>
    [GeneratedLoss("""
        s[i, j] = sum[d](f[i, d] * f[j, d]);
        mean[i](where(count[j](abs(yl[i] - yl[j]) <= w) > 1, logsumexp[j](s[i, j]), 0))
        """)]
    public static partial float NeighbourLogSumExp(ReadOnlySpan<float> f, ReadOnlySpan<float> yl, Span<float> df, float w = 0.5f);

    /// <summary>Two logsumexps of a classifier head's logits, of opposite signs (a strip pass).</summary>
    [GeneratedLoss("""
        index d : dim;
        s[i, c] = sum[d](x[i, d] * w[c, d]);
        mean[i](logsumexp[c](s[i, c]) + logsumexp[c](-s[i, c]))
        """)]
    public static partial float TwoSidedLogSumExp(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, Span<float> dw, int dim);

    /// <summary>Supervised contrastive loss (Khosla et al. 2020) as a user writes it: anchors without positives give 0.</summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        positives[i] = count[j](j != i && y[j] == y[i]);
        terms[i] = sum[j | j != i && y[j] == y[i]](s[i, j] - logsumexp[a | a != i](s[i, a]));
        mean[i](-terms[i] / max(positives[i], 1))
        """)]
    public static partial float SupCon(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float tau = 0.1f);

    /// <summary>Proxy-anchor loss (Kim et al. 2020) as a user writes it: a mean over the classes present in the batch.</summary>
    [GeneratedLoss("""
        index c : classes;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        pn[c, d] = p[c, d] / norm[e](p[c, e]);
        s[i, c] = sum[d](xn[i, d] * pn[c, d]);
        members[c] = count[i](y[i] == c);
        attract = sum[c | members[c] > 0](log1p(sum[i | y[i] == c](exp(-alpha * (s[i, c] - delta)))));
        repel = sum[c](log1p(sum[i | y[i] != c](exp(alpha * (s[i, c] + delta)))));
        attract / count[c](members[c] > 0) + repel / classes
        """)]
    public static partial float ProxyAnchor(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> p, Span<float> dx, Span<float> dp,
        int classes, float alpha = 32f, float delta = 0.1f);

    /// <summary>Decoupled softmax (DEXML): each positive against the negatives of its query only.</summary>
    [GeneratedLoss("""
        s[i, j] = sum[d](q[i, d] * k[j, d]) / tau;
        negatives[i] = logsumexp[j | y[j] != y[i]](s[i, j]);
        positives[i] = count[j](y[j] == y[i]);
        mean[i](sum[j | y[j] == y[i]](softplus(negatives[i] - s[i, j])) / max(positives[i], 1))
        """)]
    public static partial float DecoupledSoftmax(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> y, Span<float> dq, Span<float> dk, float tau = 0.1f);

    /// <summary>Circle loss (Sun et al. 2020) as a user writes it from the catalog's formula.</summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]);
        ap[i, j] = relu(1 + m - sg(s[i, j]));
        an[i, j] = relu(sg(s[i, j]) + m);
        lp[i] = logsumexp[j | j != i && y[j] == y[i]](-gamma * ap[i, j] * (s[i, j] - (1 - m)));
        ln[i] = logsumexp[j | y[j] != y[i]](gamma * an[i, j] * (s[i, j] - m));
        mean[i](softplus(lp[i] + ln[i]))
        """)]
    public static partial float Circle(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float gamma = 80f, float m = 0.4f);

    /// <summary>
    /// Uniformity (Wang and Isola 2020): the log of a global mean over the pairs. Its gradient needs the total over all
    /// pairs before any pair's gradient, so the pair statistic that sums each row goes in a pair pass before the one of
    /// the gradient (the fused kernel once put both in one pass and read the total before it was complete).
    /// </summary>
    [GeneratedLoss("index d : dim; log(mean[i, j | i < j](exp(-t * sum[d]((x[i, d] - x[j, d])^2))))")]
    public static partial float Uniformity(ReadOnlySpan<float> x, Span<float> dx, int dim, float t = 2f);

    /// <summary>
    /// The Cauchy-Schwarz divergence of CS-IB (catalog P32): three gradient statistics of one pair space whose only
    /// reader is the store of dyhat (the planner once placed all three in dyhat, where they overwrote each other).
    /// </summary>
    [GeneratedLoss("""
        kx[i, j] = exp(-sum[d]((x[i, d] - x[j, d])^2) / (2 * sigma^2));
        ks[i] = sum[j](kx[i, j]);
        t1 = sum[i](sum[j](kx[i, j] * exp(-(y[i] - y[j])^2 / (2 * sigma^2))) / ks[i]^2);
        t2 = sum[i](sum[j](kx[i, j] * exp(-(yhat[i] - yhat[j])^2 / (2 * sigma^2))) / ks[i]^2);
        t3 = sum[i](sum[j](kx[i, j] * exp(-(yhat[i] - y[j])^2 / (2 * sigma^2))) / ks[i]^2);
        log2(t1) + log2(t2) - 2 * log2(t3)
        """)]
    public static partial float CauchySchwarz(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> yhat, Span<float> dyhat, float sigma = 1f);
}
