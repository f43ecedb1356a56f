using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Embedding and metric-learning losses over embeddings [N, D].</summary>
public static partial class MetricLosses
{
    /// <summary>Center loss 0.5 sum_i ||x_i - c_{y_i}||^2, with gradients for the features and the centers.</summary>
    [GeneratedLoss("0.5 * sum[i, d]((x[i, d] - centers[y[i], d])^2)")]
    public static partial float Center(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> centers, Span<float> dx, Span<float> dcenters);

    /// <summary>Triplet margin loss as torch.nn.TripletMarginLoss (p = 2, eps = 1e-6).</summary>
    [GeneratedLoss("""
        index d : dim;
        mean[i](relu(norm[d](a[i, d] - p[i, d] + eps) - norm[d](a[i, d] - n[i, d] + eps) + margin))
        """)]
    public static partial float TripletMargin(ReadOnlySpan<float> a, ReadOnlySpan<float> p, ReadOnlySpan<float> n, Span<float> da, Span<float> dp, Span<float> dn, int dim, float margin = 1f, float eps = 1e-6f);

    /// <summary>Contrastive loss (Hadsell et al. 2006) on pairs: y d^2 + (1 - y) relu(m - d)^2, y = 1 for similar pairs.</summary>
    [GeneratedLoss("dist = norm[d](x1[i, d] - x2[i, d]); mean[i](y[i] * dist^2 + (1 - y[i]) * relu(margin - dist)^2)")]
    public static partial float Contrastive(ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> y, Span<float> dx1, Span<float> dx2, float margin = 1f);

    /// <summary>InfoNCE / NT-Xent over views z [M, D]: cosine similarities / tau, the positive of row i is pos[i], all other rows are negatives.</summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
        """)]
    public static partial float InfoNce(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, float tau = 0.1f);
}
