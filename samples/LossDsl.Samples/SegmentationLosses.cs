using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Overlap losses for segmentation (probabilities from logits).</summary>
public static partial class SegmentationLosses
{
    /// <summary>Binary soft Dice over all pixels: p = sigmoid(x), 1 - (2 sum(p g) + s) / (sum(p) + sum(g) + s).</summary>
    [GeneratedLoss("p = sigmoid(x); 1 - (2 * sum(p * g) + smooth) / (sum(p) + sum(g) + smooth)")]
    public static partial float SoftDice(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, float smooth = 1f);

    /// <summary>Multi-class soft Dice on logits [B, C, P] with softmax over C; Dice per class over batch and pixels, mean over classes.</summary>
    [GeneratedLoss("""
        index b : batch;
        index c : classes;
        p[b, c, h] = softmax[c](x[b, c, h]);
        dice[c] = (2 * sum[b, h](p[b, c, h] * g[b, c, h]) + smooth) / (sum[b, h](p[b, c, h]) + sum[b, h](g[b, c, h]) + smooth);
        mean[c](1 - dice[c])
        """)]
    public static partial float SoftDiceMulticlass(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, int batch, int classes, float smooth = 1f);

    /// <summary>Soft Jaccard (IoU) loss: 1 - (I + s) / (sum(p) + sum(g) - I + s).</summary>
    [GeneratedLoss("p = sigmoid(x); inter = sum(p * g); 1 - (inter + smooth) / (sum(p) + sum(g) - inter + smooth)")]
    public static partial float SoftJaccard(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, float smooth = 1f);

    /// <summary>Tversky loss, alpha weighting false negatives (SPOCKMIP convention).</summary>
    [GeneratedLoss("""
        p = sigmoid(x);
        tp = sum(p * g); fn = sum(g * (1 - p)); fp = sum((1 - g) * p);
        1 - (tp + smooth) / (tp + alpha * fn + (1 - alpha) * fp + smooth)
        """)]
    public static partial float Tversky(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, float alpha = 0.7f, float smooth = 1f);

    /// <summary>Focal Tversky loss |1 - TI|^gamma.</summary>
    [GeneratedLoss("""
        p = sigmoid(x);
        tp = sum(p * g); fn = sum(g * (1 - p)); fp = sum((1 - g) * p);
        ti = (tp + smooth) / (tp + alpha * fn + (1 - alpha) * fp + smooth);
        abs(1 - ti)^gamma
        """)]
    public static partial float FocalTversky(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, float alpha = 0.7f, float gamma = 0.75f, float smooth = 1f);
}
