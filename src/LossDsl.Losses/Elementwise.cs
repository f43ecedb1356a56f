using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section E (docs/losses.md): an elementwise map, then sum / mean reductions and a scalar epilogue. Every
/// method returns the loss and writes its gradient with respect to each <c>d…</c> span in the same fused pass; the
/// generator also emits a forward-only overload and one that takes an upstream gradient.
/// </summary>
public static partial class Elementwise
{
    /// <summary>Mean squared error: <c>mean_e (yhat_e - y_e)^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E01 <c>mse</c> [classic]; Neural Collapse in Deep Linear Networks, Learning from Aggregate Responses, and others.</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/> and <paramref name="y"/> of the same length, any shape, flattened.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.mse_loss(yhat, y)</c> (reduction <c>'mean'</c>).</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    [GeneratedLoss("mean((yhat - y)^2)")]
    public static partial float Mse(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat);

    /// <summary>Binary cross-entropy on logits with a positive-class weight: <c>mean_e pw y softplus(-z) + (1 - y) softplus(z)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E04 <c>bce_with_logits</c> [classic]; BASNet, ProtoECGNet (with <c>pos_weight</c>), GridFormer, Multi-aspect KD.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="y"/> (soft targets in [0, 1] allowed) of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="posWeight"/> = 1 (plain BCE).</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(posWeight))</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="y">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="posWeight">The weight of the positive term.</param>
    [GeneratedLoss("mean(posWeight * y * softplus(-z) + (1 - y) * softplus(z))")]
    public static partial float BceWithLogits(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, float posWeight = 1f);
}
