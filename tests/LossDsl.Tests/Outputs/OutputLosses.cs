using System;
using System.Numerics.Tensors;
using LossDsl;
using LossDsl.Numerics;

namespace LossDsl.Tests.Outputs;

/// <summary>
/// Declarations with outputs (bindings written to the <c>Span&lt;float&gt;</c> parameters of their names), compiled by
/// the real build, next to those of <c>LossDsl.Samples.PerSampleLosses</c>: per-element terms over flat tensors (torch's
/// <c>reduction='none'</c>), with and without a gradient, an output of two indices, a statistic without indices that
/// the loss does not use, and per-row terms of pair spaces (a tiled pair pass and a strip pass).
/// </summary>
public static partial class OutputLosses
{
    /// <summary>BCE on logits and its per-element terms (a binding over the flat index of unsubscripted tensors).</summary>
    [GeneratedLoss("l = bce_logits(x, y); mean(l)")]
    public static partial float Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> l);

    /// <summary>The same terms, without a gradient: the kernel is the forward one, with the output.</summary>
    [GeneratedLoss("l = bce_logits(x, y); mean(l)")]
    public static partial float BceForward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> l);

    /// <summary>
    /// A binding without parameters over one index: its <c>i</c> is the one of <c>mean[i]</c> where the loss uses it, and,
    /// as an output, the implicit index of its definition, so it is written for every row.
    /// </summary>
    [GeneratedLoss("lse = logsumexp[c](z[i, c]); mean[i](lse - z[i, y[i]])")]
    public static partial float CrossEntropyLse(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> lse);

    /// <summary>The sigmoid focal loss and its per-element terms.</summary>
    [GeneratedLoss("""
        p = sigmoid(x);
        pt = y * p + (1 - y) * (1 - p);
        at = alpha * y + (1 - alpha) * (1 - y);
        focal = at * (1 - pt)^gamma * bce_logits(x, y);
        mean(focal)
        """)]
    public static partial float SigmoidFocal(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> focal,
        float alpha = 0.25f, float gamma = 2f);

    /// <summary>
    /// Cross-entropy with statistics the loss does not use: the probabilities [i, c] (an output of two indices,
    /// row-major) and the mean margin of the true class over the best other class (one value).
    /// </summary>
    [GeneratedLoss("""
        prob[i, c] = softmax[c](z[i, c]);
        margin = mean[i](z[i, y[i]] - max[c | c != y[i]](z[i, c]));
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])
        """)]
    public static partial float CrossEntropyStatistics(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> prob, Span<float> margin);

    /// <summary>InfoNCE and its per-row terms (the row statistics of a tiled pair pass).</summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        terms[i] = logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]);
        mean[i](terms[i])
        """)]
    public static partial float InfoNce(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, Span<float> terms, float tau = 0.5f);

    /// <summary>
    /// InfoNCE that also writes its similarities s[i, j]: an output of the pair space's values themselves (computed for
    /// it by nested loops over the pairs, apart from the tiles the loss and the gradient use).
    /// </summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
        """)]
    public static partial float InfoNceSimilarities(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, Span<float> s, float tau = 0.5f);

    /// <summary>A classifier head's cross-entropy over a vocabulary and its per-row terms (the statistics of a strip pass).</summary>
    [GeneratedLoss("""
        logits[i, v] = sum[d](h[i, d] * w[v, d]);
        terms[i] = logsumexp[v](logits[i, v]) - sum[v | v == y[i]](logits[i, v]);
        mean[i](terms[i])
        """)]
    public static partial float LinearCrossEntropy(ReadOnlySpan<float> h, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dh, Span<float> dw,
        Span<float> terms);

    // ---- Element types and tensor spans (docs/language.md §2.4, element types) ------------------------------------

    /// <summary>The per-row terms of a cross-entropy computed in double (double tensors: the outputs are double).</summary>
    [GeneratedLoss("terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; mean[i](terms[i])")]
    public static partial double CrossEntropyDouble(ReadOnlySpan<double> z, ReadOnlySpan<long> y, Span<double> dz, Span<double> terms);

    /// <summary>InfoNCE computed in double and its per-row terms (a double loss has no tiled pair spaces: nested loops).</summary>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        terms[i] = logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]);
        mean[i](terms[i])
        """)]
    public static partial double InfoNceDouble(ReadOnlySpan<double> z, ReadOnlySpan<int> pos, Span<double> dz, Span<double> terms, double tau = 0.5);

    /// <summary>
    /// A float cross-entropy that writes its terms as Half, each row's logsumexp as BFloat16 and the largest term as
    /// Half (computed in float buffers, rounded into the spans after the passes).
    /// </summary>
    [GeneratedLoss("""
        lse[i] = logsumexp[c](z[i, c]);
        terms[i] = lse[i] - z[i, y[i]];
        top = max[i](terms[i]);
        mean[i](terms[i])
        """)]
    public static partial float CrossEntropyRounded(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<Half> terms, Span<BFloat16> lse,
        Span<Half> top);

    /// <summary><see cref="CrossEntropyStatistics"/> with tensor-span outputs: the probabilities [n_i, n_c] and the margin.</summary>
    [GeneratedLoss("""
        prob[i, c] = softmax[c](z[i, c]);
        margin = mean[i](z[i, y[i]] - max[c | c != y[i]](z[i, c]));
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])
        """)]
    public static partial float CrossEntropyStatisticsTensor(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, TensorSpan<float> prob,
        TensorSpan<float> margin);
}
