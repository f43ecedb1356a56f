using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Classic losses, each one declaration.</summary>
public static partial class ClassicLosses
{
    /// <summary>Binary cross-entropy on logits (PyTorch BCEWithLogitsLoss, mean reduction).</summary>
    [GeneratedLoss("mean(bce_logits(x, y))")]
    public static partial float BceWithLogits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

    /// <summary>Sigmoid focal loss of RetinaNet, as torchvision's sigmoid_focal_loss defines it (mean reduction).</summary>
    [GeneratedLoss("p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))")]
    public static partial float SigmoidFocal(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f, float gamma = 2f);

    /// <summary>Softmax cross-entropy with integer labels over logits [N, C] (mean over rows).</summary>
    [GeneratedLoss("mean[i](logsumexp[c](logits[i, c]) - logits[i, labels[i]])")]
    public static partial float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits);
}
