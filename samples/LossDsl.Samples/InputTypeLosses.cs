using System;
using System.Numerics.Tensors;
using LossDsl;
using LossDsl.Numerics;

namespace LossDsl.Samples;

/// <summary>
/// The same four losses over the input types users have (docs/language.md §2.1): float (the reference), double
/// tensors (a kernel computed in double), Half and BFloat16 tensors (read into float, gradients written in their
/// type), long labels, and tensor spans whose shapes come from their Lengths.
/// </summary>
public static partial class InputTypeLosses
{
    /// <summary>Binary cross-entropy on logits (elementwise).</summary>
    public const string Bce = "mean(bce_logits(x, y))";
    /// <summary>Softmax cross-entropy over logits z [N, C] with labels y [N] (row-wise, a gather).</summary>
    public const string CrossEntropy = "mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])";
    /// <summary>Cross-entropy against soft targets t [N, C]: two rank-2 spans need a declared extent.</summary>
    public const string SoftTarget = "index c : classes; mean[i](-sum[c](t[i, c] * log_softmax[c](z[i, c])))";
    /// <summary>The same with tensor spans: their Lengths give both extents.</summary>
    public const string SoftTargetShaped = "mean[i](-sum[c](t[i, c] * log_softmax[c](z[i, c])))";
    /// <summary>InfoNCE over views z [M, D] (a pair space: tiled in float, nested loops in double).</summary>
    public const string InfoNce = "zn[i, d] = z[i, d] / norm[e](z[i, e]); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau; mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))";
    /// <summary>Sigmoid focal loss (elementwise, two hyperparameters).</summary>
    public const string Focal = "p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))";

    // float: the reference kernels.

    [GeneratedLoss(Bce)]
    public static partial float BceFloat(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

    [GeneratedLoss(CrossEntropy)]
    public static partial float CrossEntropyFloat(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    [GeneratedLoss(SoftTarget)]
    public static partial float SoftTargetFloat(ReadOnlySpan<float> z, ReadOnlySpan<float> t, Span<float> dz, int classes);

    [GeneratedLoss(Focal)]
    public static partial float FocalFloat(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f, float gamma = 2f);

    // double: kernels computed in double (scalar code, multi-core).

    [GeneratedLoss(Bce)]
    public static partial double BceDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dx);

    [GeneratedLoss(CrossEntropy)]
    public static partial double CrossEntropyDouble(ReadOnlySpan<double> z, ReadOnlySpan<long> y, Span<double> dz);

    [GeneratedLoss(SoftTarget)]
    public static partial double SoftTargetDouble(ReadOnlySpan<double> z, ReadOnlySpan<double> t, Span<double> dz, int classes);

    [GeneratedLoss(Focal)]
    public static partial double FocalDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dx, double alpha = 0.25, double gamma = 2);

    [GeneratedLoss(InfoNce)]
    public static partial double InfoNceDouble(ReadOnlySpan<double> z, ReadOnlySpan<long> pos, Span<double> dz, double tau = 0.1);

    // Half: read into float, gradients written as Half.

    [GeneratedLoss(Bce)]
    public static partial float BceHalf(ReadOnlySpan<Half> x, ReadOnlySpan<Half> y, Span<Half> dx);

    [GeneratedLoss(CrossEntropy)]
    public static partial float CrossEntropyHalf(ReadOnlySpan<Half> z, ReadOnlySpan<int> y, Span<Half> dz);

    [GeneratedLoss(SoftTarget)]
    public static partial float SoftTargetHalf(ReadOnlySpan<Half> z, ReadOnlySpan<Half> t, Span<Half> dz, int classes);

    [GeneratedLoss(Focal)]
    public static partial float FocalHalf(ReadOnlySpan<Half> x, ReadOnlySpan<Half> y, Span<Half> dx, float alpha = 0.25f, float gamma = 2f);

    // BFloat16: read into float, gradients written as BFloat16.

    [GeneratedLoss(Bce)]
    public static partial float BceBFloat16(ReadOnlySpan<BFloat16> x, ReadOnlySpan<BFloat16> y, Span<BFloat16> dx);

    [GeneratedLoss(CrossEntropy)]
    public static partial float CrossEntropyBFloat16(ReadOnlySpan<BFloat16> z, ReadOnlySpan<long> y, Span<BFloat16> dz);

    [GeneratedLoss(SoftTarget)]
    public static partial float SoftTargetBFloat16(ReadOnlySpan<BFloat16> z, ReadOnlySpan<BFloat16> t, Span<BFloat16> dz, int classes);

    [GeneratedLoss(Focal)]
    public static partial float FocalBFloat16(ReadOnlySpan<BFloat16> x, ReadOnlySpan<BFloat16> y, Span<BFloat16> dx, float alpha = 0.25f, float gamma = 2f);

    // long labels in a float kernel.

    [GeneratedLoss(CrossEntropy)]
    public static partial float CrossEntropyLong(ReadOnlySpan<float> z, ReadOnlySpan<long> y, Span<float> dz);

    // Tensor spans: dense, shapes from Lengths.

    [GeneratedLoss(Bce)]
    public static partial float BceTensor(ReadOnlyTensorSpan<float> x, ReadOnlyTensorSpan<float> y, TensorSpan<float> dx);

    [GeneratedLoss(CrossEntropy)]
    public static partial float CrossEntropyTensor(ReadOnlyTensorSpan<float> z, ReadOnlyTensorSpan<long> y, TensorSpan<float> dz);

    [GeneratedLoss(SoftTargetShaped)]
    public static partial float SoftTargetTensor(ReadOnlyTensorSpan<float> z, ReadOnlyTensorSpan<float> t, TensorSpan<float> dz);

    [GeneratedLoss(Focal)]
    public static partial double FocalTensorDouble(ReadOnlyTensorSpan<double> x, ReadOnlySpan<double> y, TensorSpan<double> dx, double alpha = 0.25, double gamma = 2);

    [GeneratedLoss(InfoNce)]
    public static partial float InfoNceTensor(ReadOnlyTensorSpan<float> z, ReadOnlySpan<int> pos, TensorSpan<float> dz, float tau = 0.1f);

    [GeneratedLoss(SoftTargetShaped)]
    public static partial float SoftTargetTensorHalf(ReadOnlyTensorSpan<Half> z, ReadOnlyTensorSpan<Half> t, TensorSpan<Half> dz);
}
