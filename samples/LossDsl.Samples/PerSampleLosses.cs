using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>
/// Losses that also write per-sample values: a binding named like a <c>Span&lt;float&gt;</c> parameter is an output,
/// written for every value of its indices (docs/language.md, outputs). The gradient is the gradient of the returned
/// loss, as without the outputs.
/// </summary>
public static partial class PerSampleLosses
{
    /// <summary>
    /// Softmax cross-entropy (mean over rows) that also writes each row's loss to <paramref name="rowLoss"/>, as
    /// PyTorch's <c>cross_entropy(..., reduction='none')</c> returns it (for hard-example mining, per-sample weighting,
    /// logging).
    /// </summary>
    [GeneratedLoss("rowLoss[i] = logsumexp[c](logits[i, c]) - logits[i, labels[i]]; mean[i](rowLoss[i])")]
    public static partial float CrossEntropyPerSample(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits, Span<float> rowLoss);

    /// <summary>
    /// Softmax cross-entropy that also writes each sample's EL2N score (Paul et al. 2021, "Deep Learning on a Data
    /// Diet": the L2 norm of the error of its softmax, used to prune easy examples) and the batch's accuracy (one value;
    /// ties with the true class count as correct). Neither is part of the loss or its gradient.
    /// </summary>
    [GeneratedLoss("""
        el2n[i] = norm[c](softmax[c](z[i, c]) - (c == y[i]));
        accuracy = mean[i](z[i, y[i]] >= max[c](z[i, c]));
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])
        """)]
    public static partial float CrossEntropyEl2n(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> el2n, Span<float> accuracy);
}
