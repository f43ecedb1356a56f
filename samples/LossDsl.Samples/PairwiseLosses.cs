using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>
/// Contrastive, metric and classifier-head losses over pair spaces (the P entries of the loss catalog). Each
/// similarity or logit is a contraction over the feature axis; the compiler computes them tile by tile, with the row
/// statistics carried across tiles and the gradients accumulated as tile products, never storing the whole pair
/// space (docs/language.md, pair spaces).
/// </summary>
public static partial class PairwiseLosses
{
    /// <summary>
    /// InfoNCE over two views (CPC, MoCo, SimCLR's one-directional NT-Xent): row i of <paramref name="a"/> and row i
    /// of <paramref name="b"/> are a positive pair, the other rows of b its negatives; cosine similarities / tau.
    /// </summary>
    [GeneratedLoss("""
        index d, e : dim;
        an[i, d] = a[i, d] / norm[e](a[i, e]);
        bn[j, d] = b[j, d] / norm[e](b[j, e]);
        s[i, j] = sum[d](an[i, d] * bn[j, d]) / tau;
        mean[i](logsumexp[j](s[i, j]) - s[i, i])
        """)]
    public static partial float InfoNceTwoViews(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, Span<float> db, int dim, float tau = 0.1f);

    /// <summary>
    /// CLIP's symmetric InfoNCE: image i and text i match; the logits are the cosine similarities times exp(t) with a
    /// learnable log temperature <c>t[0]</c> (a one-element tensor with a gradient), and the loss averages the
    /// cross-entropies over rows (image to text) and columns (text to image).
    /// </summary>
    [GeneratedLoss("""
        index d, e : dim;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        yn[j, d] = y[j, d] / norm[e](y[j, e]);
        s[i, j] = exp(t[0]) * sum[d](xn[i, d] * yn[j, d]);
        0.5 * (mean[i](logsumexp[j](s[i, j]) - s[i, i]) + mean[j](logsumexp[i](s[i, j]) - s[j, j]))
        """)]
    public static partial float Clip(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> dx, Span<float> dy, Span<float> dt, int dim);

    /// <summary>
    /// SigLIP's pairwise sigmoid loss (Zhai et al. 2023) with a learnable log temperature <c>t[0]</c> and bias
    /// <c>b[0]</c>: every pair is a binary classification, positive on the diagonal; the sum over pairs is divided by
    /// the batch size.
    /// </summary>
    [GeneratedLoss("""
        index d : dim;
        s[i, j] = exp(t[0]) * sum[d](x[i, d] * y[j, d]) + b[0];
        mean[i](sum[j](softplus(-where(i == j, 1, -1) * s[i, j])))
        """)]
    public static partial float SigLip(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> t, ReadOnlySpan<float> b, Span<float> dx, Span<float> dy, Span<float> dt, Span<float> db, int dim);

    /// <summary>
    /// Supervised contrastive loss (Khosla et al. 2020, SupCon "out"): for each anchor, the mean over its positives
    /// (same label, not itself) of the log-probability of the positive among all other samples; anchors without a
    /// positive contribute 0 (their count is clamped to 1, as the reference implementation does).
    /// </summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        mean[i](sum[p | p != i && y[p] == y[i]](logsumexp[a | a != i](s[i, a]) - s[i, p]) / max(count[p | p != i && y[p] == y[i]](1), 1))
        """)]
    public static partial float SupCon(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float tau = 0.1f);

    /// <summary>
    /// Triplet loss with batch-hard mining (Hermans et al. 2017): for each anchor, its farthest positive and its
    /// nearest negative by Euclidean distance; relu(d_pos - d_neg + margin), mean over anchors.
    /// </summary>
    [GeneratedLoss("""
        index d : dim;
        dist[i, j] = sqrt(max(sum[d]((x[i, d] - x[j, d])^2), 1e-12));
        mean[i](relu(max[j | j != i && y[j] == y[i]](dist[i, j]) - min[j | y[j] != y[i]](dist[i, j]) + margin))
        """)]
    public static partial float TripletBatchHard(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int dim, float margin = 0.3f);

    /// <summary>
    /// Multi-similarity loss (Wang et al. 2019) with its pair mining: a negative counts when it is more similar than
    /// the least similar positive minus eps, a positive when it is less similar than the most similar negative plus
    /// eps; cosine similarities.
    /// </summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]);
        minpos[i] = min[j | j != i && y[j] == y[i]](s[i, j]);
        maxneg[i] = max[j | y[j] != y[i]](s[i, j]);
        lp[i] = log1p(sum[j | j != i && y[j] == y[i] && s[i, j] < maxneg[i] + eps](exp(-alpha * (s[i, j] - lambda)))) / alpha;
        ln[i] = log1p(sum[j | y[j] != y[i] && s[i, j] > minpos[i] - eps](exp(beta * (s[i, j] - lambda)))) / beta;
        mean[i](lp[i] + ln[i])
        """)]
    public static partial float MultiSimilarity(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz,
        float alpha = 2f, float beta = 50f, float lambda = 0.5f, float eps = 0.1f);

    /// <summary>
    /// Proxy-anchor loss (Kim et al. 2020): one learnable proxy per class [C, D]; for each class with positives in
    /// the batch, log(1 + sum over its samples of exp(-alpha (s - delta))), and for every class log(1 + sum over the
    /// other samples of exp(alpha (s + delta))); cosine similarities.
    /// </summary>
    [GeneratedLoss("""
        index c : classes;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        pn[c, d] = p[c, d] / norm[e](p[c, e]);
        s[i, c] = sum[d](xn[i, d] * pn[c, d]);
        present[c] = count[i](y[i] == c) > 0;
        sum[c | present[c]](log1p(sum[i | y[i] == c](exp(-alpha * (s[i, c] - delta))))) / max(count[c](present[c]), 1)
            + mean[c](log1p(sum[i | y[i] != c](exp(alpha * (s[i, c] + delta)))))
        """)]
    public static partial float ProxyAnchor(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> p, Span<float> dx, Span<float> dp,
        int classes, float alpha = 32f, float delta = 0.1f);

    /// <summary>
    /// Circle loss (Sun et al. 2020) with class labels: similarities re-weighted by their distance to the optimum
    /// (weights under stop_gradient), logsumexp over positives and negatives of each anchor, softplus of their sum.
    /// </summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]);
        negatives[i] = logsumexp[j | y[j] != y[i]](gamma * sg(relu(s[i, j] + m)) * (s[i, j] - m));
        positives[i] = logsumexp[j | j != i && y[j] == y[i]](-gamma * sg(relu(1 + m - s[i, j])) * (s[i, j] - 1 + m));
        mean[i](softplus(negatives[i] + positives[i]))
        """)]
    public static partial float Circle(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float gamma = 80f, float m = 0.25f);

    /// <summary>
    /// Fused linear cross-entropy (Liger-Kernel, Cut Cross-Entropy): the classifier head's logits h W^T over the
    /// vocabulary are never stored; gradients for the hidden states and the weight matrix.
    /// </summary>
    [GeneratedLoss("""
        logits[i, v] = sum[d](h[i, d] * w[v, d]);
        mean[i](logsumexp[v](logits[i, v]) - sum[v | v == y[i]](logits[i, v]))
        """)]
    public static partial float LinearCrossEntropy(ReadOnlySpan<float> h, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dh, Span<float> dw);

    /// <summary>
    /// ArcFace (Deng et al. 2019): cross-entropy over scaled cosines between features and class weights, with an
    /// additive angular margin on the target class: cos(theta + m) = cos theta cos m - sin theta sin m. Pass cos m and
    /// sin m; with sinM = 0 and cosM = 1 it is NormFace.
    /// </summary>
    [GeneratedLoss("""
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        logit[i, c] = scale * where(c == y[i], cosine[i, c] * cosM - sqrt(max(1 - cosine[i, c]^2, 1e-7)) * sinM, cosine[i, c]);
        mean[i](logsumexp[c](logit[i, c]) - sum[c | c == y[i]](logit[i, c]))
        """)]
    public static partial float ArcFace(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw,
        float scale = 64f, float cosM = 0.87758255f, float sinM = 0.47942555f);
}
