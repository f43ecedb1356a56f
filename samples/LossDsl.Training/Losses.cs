using System;
using LossDsl;

namespace LossDsl.Training;

/// <summary>The two losses the training program compares, one declaration each (the same as in README.md).</summary>
public static partial class Losses
{
    /// <summary>Binary cross-entropy on logits, mean over the elements (PyTorch's BCEWithLogitsLoss).</summary>
    [GeneratedLoss("mean(bce_logits(x, y))")]
    public static partial float BceWithLogits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

    /// <summary>The sigmoid focal loss of RetinaNet, as torchvision's sigmoid_focal_loss defines it (mean reduction).</summary>
    [GeneratedLoss("p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))")]
    public static partial float SigmoidFocal(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f, float gamma = 2f);
}
