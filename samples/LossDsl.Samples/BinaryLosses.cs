using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Binary classification losses on logits or scores.</summary>
public static partial class BinaryLosses
{
    /// <summary>BCE with logits and a per-class positive weight over logits [N, C] (torch pos_weight).</summary>
    [GeneratedLoss("mean(posWeight[c] * y[n, c] * softplus(-x[n, c]) + (1 - y[n, c]) * softplus(x[n, c]))")]
    public static partial float BceWithLogitsPosWeight(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> posWeight, Span<float> dx);

    /// <summary>Hinge loss on margins y*f with labels in {-1, +1}.</summary>
    [GeneratedLoss("mean(relu(margin - y * f))")]
    public static partial float Hinge(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float margin = 1f);

    /// <summary>Squared hinge loss.</summary>
    [GeneratedLoss("mean(relu(margin - y * f)^2)")]
    public static partial float SquaredHinge(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float margin = 1f);

    /// <summary>Logistic loss log(1 + exp(-s y f)) with labels in {-1, +1}.</summary>
    [GeneratedLoss("mean(softplus(-scale * y * f))")]
    public static partial float Logistic(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float scale = 1f);
}
