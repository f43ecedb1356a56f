using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section E (docs/losses.md): an elementwise map, then sum / mean reductions and a scalar epilogue. Every
/// method returns the loss and writes its gradient with respect to each <c>d…</c> span in the same fused pass; the
/// generator also emits a forward-only overload and one that takes an upstream gradient.
/// </summary>
public static partial class Elementwise
{
    // ---- E01 mse ------------------------------------------------------------------------------------------------

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

    /// <summary>Summed squared error: <c>sum_e (yhat_e - y_e)^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E01 <c>mse</c> [classic], reduction <c>'sum'</c>.</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/> and <paramref name="y"/> of the same length, any shape, flattened.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.mse_loss(yhat, y, reduction='sum')</c>.</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    [GeneratedLoss("sum((yhat - y)^2)")]
    public static partial float MseSum(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat);

    /// <summary>Weighted mean squared error: <c>mean_e w_e (yhat_e - y_e)^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E01 <c>mse</c> [classic], with a per-element weight <c>w_e</c>.</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/>, <paramref name="y"/> and <paramref name="w"/> of the same length, flattened.</para>
    /// <para><b>PyTorch</b>: <c>(w * torch.nn.functional.mse_loss(yhat, y, reduction='none')).mean()</c>.</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="w">Per-element weights (not differentiated).</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    [GeneratedLoss("mean(w * (yhat - y)^2)")]
    public static partial float MseWeighted(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, ReadOnlySpan<float> w, Span<float> dyhat);

    // ---- E02 mae ------------------------------------------------------------------------------------------------

    /// <summary>Mean absolute error (L1): <c>mean_e |yhat_e - y_e|</c>; the sub-gradient at 0 is 0.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E02 <c>mae</c> (L1) [classic]; xPatch, SAUNA, LPL.</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/> and <paramref name="y"/> of the same length, flattened.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.l1_loss(yhat, y)</c>.</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    [GeneratedLoss("mean(abs(yhat - y))")]
    public static partial float Mae(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat);

    // ---- E03 huber / smooth_l1 ----------------------------------------------------------------------------------

    /// <summary>Smooth L1: <c>mean_e (0.5 d^2 / beta if |d| &lt; beta else |d| - 0.5 beta)</c>, <c>d = yhat - y</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E03 <c>huber</c> / <c>smooth_l1</c> [classic]; SAUNA <c>smoothl1</c>, SeaBird.</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/> and <paramref name="y"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="beta"/> = 1 (must be positive).</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.smooth_l1_loss(yhat, y, beta=beta)</c>.</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    /// <param name="beta">Where the quadratic part turns linear.</param>
    [GeneratedLoss("d = abs(yhat - y); mean(where(d < beta, 0.5 * d^2 / beta, d - 0.5 * beta))")]
    public static partial float SmoothL1(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat, float beta = 1f);

    /// <summary>Huber: <c>mean_e (0.5 d^2 if |d| &lt;= delta else delta (|d| - 0.5 delta))</c>, <c>d = yhat - y</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E03 <c>huber</c> / <c>smooth_l1</c> [classic].</para>
    /// <para><b>Shapes</b>: <paramref name="yhat"/> and <paramref name="y"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="delta"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.huber_loss(yhat, y, delta=delta)</c>.</para>
    /// </remarks>
    /// <param name="yhat">Predictions.</param>
    /// <param name="y">Targets.</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    /// <param name="delta">Where the quadratic part turns linear.</param>
    [GeneratedLoss("d = yhat - y; mean(where(abs(d) <= delta, 0.5 * d^2, delta * (abs(d) - 0.5 * delta)))")]
    public static partial float Huber(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat, float delta = 1f);

    // ---- E04 bce_with_logits ------------------------------------------------------------------------------------

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

    /// <summary>Binary cross-entropy on logits <c>[N, C]</c> with per-class weights and positive weights: <c>mean_{n,c} w_c (pw_c y softplus(-z) + (1 - y) softplus(z))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E04 <c>bce_with_logits</c> [classic], with <c>pos_weight [C]</c> (ProtoECGNet) and <c>weight</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="y"/> [N, C]; <paramref name="weight"/> and
    /// <paramref name="posWeight"/> [C]; C comes from their length.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.binary_cross_entropy_with_logits(z, y, weight=weight, pos_weight=posWeight)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Targets in [0, 1] [N, C].</param>
    /// <param name="weight">The weight of each class's loss [C].</param>
    /// <param name="posWeight">The weight of each class's positive term [C].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("mean(weight[c] * (posWeight[c] * y[n, c] * softplus(-z[n, c]) + (1 - y[n, c]) * softplus(z[n, c])))")]
    public static partial float BceWithLogitsClassWeighted(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight, Span<float> dz);

    // ---- E05 sigmoid_focal --------------------------------------------------------------------------------------

    private const string SigmoidFocalTerm = """
        p  = sigmoid(z);
        pt = y * p + (1 - y) * (1 - p);
        at = where(alpha >= 0, alpha * y + (1 - alpha) * (1 - y), 1);
        """;

    /// <summary>Sigmoid focal loss, mean over elements: <c>mean_e a_t (1 - p_t)^gamma BCE(z, y)</c>, <c>p = sig(z)</c>, <c>p_t = p y + (1 - p)(1 - y)</c>, <c>a_t = a y + (1 - a)(1 - y)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E05 <c>sigmoid_focal</c> [classic]; RetinaNet, segmentation-loss survey, SAUNA <c>BinaryFocalLoss</c> (gamma = 2).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="y"/> (in [0, 1]) of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 0.25 (a negative alpha disables the weighting, as torchvision), <paramref name="gamma"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>torchvision.ops.sigmoid_focal_loss(z, y, alpha, gamma, reduction='mean')</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="y">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight of the positive class (negative: no weighting).</param>
    /// <param name="gamma">The focusing exponent.</param>
    [GeneratedLoss(SigmoidFocalTerm + "mean(at * (1 - pt)^gamma * bce_logits(z, y))")]
    public static partial float SigmoidFocal(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, float alpha = 0.25f, float gamma = 2f);

    /// <summary>Sigmoid focal loss, summed and divided by a normalizer (RetinaNet: the number of foreground anchors): <c>sum_e a_t (1 - p_t)^gamma BCE(z, y) / normalizer</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E05 <c>sigmoid_focal</c> [classic], reduction <c>'sum'</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="y"/> of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="normalizer"/> = 1 (plain sum), <paramref name="alpha"/> = 0.25, <paramref name="gamma"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>torchvision.ops.sigmoid_focal_loss(z, y, alpha, gamma, reduction='sum') / normalizer</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="y">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="normalizer">The divisor of the sum.</param>
    /// <param name="alpha">The weight of the positive class (negative: no weighting).</param>
    /// <param name="gamma">The focusing exponent.</param>
    [GeneratedLoss(SigmoidFocalTerm + "sum(at * (1 - pt)^gamma * bce_logits(z, y)) / normalizer")]
    public static partial float SigmoidFocalSum(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, float normalizer = 1f, float alpha = 0.25f, float gamma = 2f);

    /// <summary>Sigmoid focal loss (mean) that also writes each element's loss, torchvision's default <c>reduction='none'</c>, to <paramref name="l"/>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E05 <c>sigmoid_focal</c> [classic], reduction <c>'none'</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/>, targets <paramref name="y"/> and the output <paramref name="l"/> of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 0.25, <paramref name="gamma"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>l = torchvision.ops.sigmoid_focal_loss(z, y, alpha, gamma, reduction='none')</c>; returns <c>l.mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="y">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz (of the mean).</param>
    /// <param name="l">Receives each element's loss.</param>
    /// <param name="alpha">The weight of the positive class (negative: no weighting).</param>
    /// <param name="gamma">The focusing exponent.</param>
    [GeneratedLoss(SigmoidFocalTerm + "l = at * (1 - pt)^gamma * bce_logits(z, y); mean(l)")]
    public static partial float SigmoidFocalPerElement(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, Span<float> l, float alpha = 0.25f, float gamma = 2f);

    // ---- E06 binary_margin_surrogates ---------------------------------------------------------------------------

    /// <summary>Hinge loss on the margin <c>t = y f</c>: <c>mean_e [m - t]_+</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c> [classic]; LibAUC <c>hinge_loss</c>, From Logistic Regression to the Perceptron, EnsLoss.</para>
    /// <para><b>Shapes</b>: scores <paramref name="f"/> and labels <paramref name="y"/> in {-1, +1} of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1.</para>
    /// <para><b>PyTorch</b>: LibAUC <c>hinge_loss(margin, y * f).mean()</c> = <c>torch.max(margin - y * f, 0).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Scores.</param>
    /// <param name="y">Labels in {-1, +1} (any real sign and scale is accepted).</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="margin">The margin m.</param>
    [GeneratedLoss("mean(relu(margin - y * f))")]
    public static partial float Hinge(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float margin = 1f);

    /// <summary>Squared hinge loss: <c>mean_e [m - y f]_+^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c> [classic]; LibAUC <c>squared_hinge_loss</c> (its default surrogate).</para>
    /// <para><b>Shapes</b>: scores <paramref name="f"/> and labels <paramref name="y"/> in {-1, +1} of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1.</para>
    /// <para><b>PyTorch</b>: LibAUC <c>squared_hinge_loss(margin, y * f).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Scores.</param>
    /// <param name="y">Labels in {-1, +1}.</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="margin">The margin m.</param>
    [GeneratedLoss("mean(relu(margin - y * f)^2)")]
    public static partial float SquaredHinge(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float margin = 1f);

    /// <summary>Squared loss on the margin: <c>mean_e (m - y f)^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c> [classic]; LibAUC <c>squared_loss</c>.</para>
    /// <para><b>Shapes</b>: scores <paramref name="f"/> and labels <paramref name="y"/> in {-1, +1} of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1.</para>
    /// <para><b>PyTorch</b>: LibAUC <c>squared_loss(margin, y * f).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Scores.</param>
    /// <param name="y">Labels in {-1, +1}.</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="margin">The margin m.</param>
    [GeneratedLoss("mean((margin - y * f)^2)")]
    public static partial float SquaredMargin(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float margin = 1f);

    /// <summary>Logistic loss: <c>mean_e log(1 + exp(-s y f))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c> [classic]; LibAUC <c>logistic_loss</c>, From Logistic Regression to the Perceptron.</para>
    /// <para><b>Shapes</b>: scores <paramref name="f"/> and labels <paramref name="y"/> in {-1, +1} of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 1.</para>
    /// <para><b>PyTorch</b>: LibAUC <c>logistic_loss(scale, y * f).mean()</c> = <c>torch.log(1 + torch.exp(-scale * y * f)).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Scores.</param>
    /// <param name="y">Labels in {-1, +1}.</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="scale">The scale s.</param>
    [GeneratedLoss("mean(softplus(-scale * y * f))")]
    public static partial float Logistic(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float scale = 1f);

    /// <summary>Barrier hinge loss: <c>mean_e max(-s (m + t) + m, max(m - t, s (t - m)))</c>, <c>t = y f</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c> [classic]; LibAUC <c>barrier_hinge_loss</c> (Charoenphakdee et al. 2019).</para>
    /// <para><b>Shapes</b>: scores <paramref name="f"/> and labels <paramref name="y"/> in {-1, +1} of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1; the catalog states no default scale, so <paramref name="scale"/> is required.</para>
    /// <para><b>PyTorch</b>: LibAUC <c>barrier_hinge_loss((margin, scale), y * f).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Scores.</param>
    /// <param name="y">Labels in {-1, +1}.</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="scale">The slope s of the barrier.</param>
    /// <param name="margin">The margin m.</param>
    [GeneratedLoss("t = y * f; mean(max(-scale * (margin + t) + margin, max(margin - t, scale * (t - margin))))")]
    public static partial float BarrierHinge(ReadOnlySpan<float> f, ReadOnlySpan<float> y, Span<float> df, float scale, float margin = 1f);

    /// <summary>SAUNA's hinge loss: <c>u = eps - tanh(z) y</c>, the mean of <c>u</c> over the elements where <c>u &gt; 0</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E06 <c>binary_margin_surrogates</c>, SAUNA <c>HingeLoss</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="y"/> (in [-1, 1]) of the same length.</para>
    /// <para><b>Defaults</b>: <paramref name="eps"/> = 1. No positive element gives NaN, as PyTorch's mean of an empty selection.</para>
    /// <para><b>PyTorch</b>: SAUNA <c>mlpipeline/losses/seman_segmentation_losses.py HingeLoss</c>: <c>u = eps - torch.tanh(z) * y; u[u &gt; 0].mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="y">Targets in [-1, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="eps">The margin.</param>
    [GeneratedLoss("u[e] = eps - tanh(z[e]) * y[e]; mean[e | u[e] > 0](u[e])")]
    public static partial float SaunaHinge(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, float eps = 1f);

    // ---- E07 soft_dice ------------------------------------------------------------------------------------------

    /// <summary>Binary soft Dice over all elements (dataset level): <c>p = sig(z)</c>, <c>1 - (2 sum p g + s) / (sum p + sum g + s)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E07 <c>soft_dice</c> [classic]; SeaBird, TopoMortar, DDMR, segmentation survey; SPOCKMIP <c>Dice</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> (hard or soft, in [0, 1]) of the same length, flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = torch.sigmoid(z); 1 - (2 * (p * g).sum() + smooth) / (p.sum() + g.sum() + smooth)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("p = sigmoid(z); 1 - (2 * sum(p * g) + smooth) / (sum(p) + sum(g) + smooth)")]
    public static partial float SoftDice(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, float smooth = 1f);

    /// <summary>Binary soft Dice with the squared denominator of V-Net: <c>p = sig(z)</c>, <c>1 - (2 sum p g + s) / (sum p^2 + sum g^2 + s)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E07 <c>soft_dice</c> [classic], squared-denominator variant (V-Net).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = torch.sigmoid(z); 1 - (2 * (p * g).sum() + smooth) / ((p * p).sum() + (g * g).sum() + smooth)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("p = sigmoid(z); 1 - (2 * sum(p * g) + smooth) / (sum(p^2) + sum(g^2) + smooth)")]
    public static partial float SoftDiceSquared(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, float smooth = 1f);

    /// <summary>Multi-class soft Dice on logits <c>[B, C, P]</c>, softmax over C, Dice per class over batch and pixels (dataset level): <c>mean_c 1 - (2 sum_{b,h} p g + s) / (sum p + sum g + s)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E07 <c>soft_dice</c> [classic], multi-class, sums over batch and space.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and one-hot or soft targets <paramref name="g"/> [B, C, P] (P: the pixels, any spatial shape flattened).</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = z.softmax(1); 1 - ((2 * (p * g).sum((0, 2)) + smooth) / (p.sum((0, 2)) + g.sum((0, 2)) + smooth)).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="g">Targets [B, C, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("""
        index b : batch;
        index c : classes;
        p[b, c, h] = softmax[c](z[b, c, h]);
        dice[c] = (2 * sum[b, h](p[b, c, h] * g[b, c, h]) + smooth) / (sum[b, h](p[b, c, h]) + sum[b, h](g[b, c, h]) + smooth);
        mean[c](1 - dice[c])
        """)]
    public static partial float SoftDiceMulticlass(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, int classes, float smooth = 1f);

    /// <summary>Multi-class soft Dice per image and class: <c>mean_{b,c} 1 - (2 sum_h p g + s) / (sum_h p + sum_h g + s)</c>, softmax over C.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E07 <c>soft_dice</c> [classic], per-image sums.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> [B, C, P].</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = z.softmax(1); 1 - ((2 * (p * g).sum(2) + smooth) / (p.sum(2) + g.sum(2) + smooth)).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="g">Targets [B, C, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("""
        index b : batch;
        index c : classes;
        p[b, c, h] = softmax[c](z[b, c, h]);
        dice[b, c] = (2 * sum[h](p[b, c, h] * g[b, c, h]) + smooth) / (sum[h](p[b, c, h]) + sum[h](g[b, c, h]) + smooth);
        mean[b, c](1 - dice[b, c])
        """)]
    public static partial float SoftDicePerImage(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, int classes, float smooth = 1f);

    // ---- E08 soft_jaccard ---------------------------------------------------------------------------------------

    /// <summary>Binary soft Jaccard (IoU) loss over all elements: <c>p = sig(z)</c>, <c>I = sum p g</c>, <c>1 - (I + s) / (sum p + sum g - I + s)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E08 <c>soft_jaccard</c> [classic]; SAUNA baseline, SPOCKMIP <c>IOU</c>.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = torch.sigmoid(z); i = (p * g).sum(); 1 - (i + smooth) / (p.sum() + g.sum() - i + smooth)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("p = sigmoid(z); inter = sum(p * g); 1 - (inter + smooth) / (sum(p) + sum(g) - inter + smooth)")]
    public static partial float SoftJaccard(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, float smooth = 1f);

    /// <summary>Soft Jaccard loss per image, mean over the batch (BASNet): <c>mean_b 1 - (I_b + s) / (sum_h p + sum_h g - I_b + s)</c>, <c>p = sig(z)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E08 <c>soft_jaccard</c> [classic]; BASNet IoU term (no smoothing, mean over the batch).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> [B, P].</para>
    /// <para><b>Defaults</b>: <paramref name="smooth"/> = 0 (BASNet).</para>
    /// <para><b>PyTorch</b>: BASNet <c>pytorch_iou/__init__.py _iou(torch.sigmoid(z), g)</c>: per image <c>1 - I / (sum g + sum p - I)</c>, averaged.</para>
    /// </remarks>
    /// <param name="z">Logits [B, P].</param>
    /// <param name="g">Targets [B, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss("""
        index b : batch;
        p[b, h] = sigmoid(z[b, h]);
        inter[b] = sum[h](p[b, h] * g[b, h]);
        mean[b](1 - (inter[b] + smooth) / (sum[h](p[b, h]) + sum[h](g[b, h]) - inter[b] + smooth))
        """)]
    public static partial float SoftJaccardPerImage(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, float smooth = 0f);

    // ---- E09 tversky / focal_tversky ----------------------------------------------------------------------------

    private const string TverskyIndex = """
        p = sigmoid(z);
        tp = sum(p * g); fn = sum(g * (1 - p)); fp = sum((1 - g) * p);
        ti = (tp + smooth) / (tp + alpha * fn + (1 - alpha) * fp + smooth);
        """;

    /// <summary>Tversky loss: <c>p = sig(z)</c>, <c>TI = (TP + s) / (TP + a FN + (1 - a) FP + s)</c>, <c>1 - TI</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E09 <c>tversky</c> [classic]; SPOCKMIP, segmentation survey.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b> (SPOCKMIP): <paramref name="alpha"/> = 0.7 (the weight of false negatives), <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>p = torch.sigmoid(z)</c>, TP, FN, FP as SPOCKMIP <c>Evaluation/evaluate.py FocalTverskyLoss</c>, <c>1 - TI</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight a of false negatives (1 - a weighs false positives).</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss(TverskyIndex + "1 - ti")]
    public static partial float Tversky(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, float alpha = 0.7f, float smooth = 1f);

    /// <summary>Focal Tversky loss: <c>|1 - TI|^gamma</c>, TI as <c>Tversky</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E09 <c>focal_tversky</c> [classic]; SPOCKMIP main loss.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> of the same length, flattened.</para>
    /// <para><b>Defaults</b> (SPOCKMIP): <paramref name="alpha"/> = 0.7, <paramref name="gamma"/> = 0.75, <paramref name="smooth"/> = 1.</para>
    /// <para><b>PyTorch</b>: SPOCKMIP <c>Evaluation/evaluate.py FocalTverskyLoss(torch.sigmoid(z), g)</c> = <c>pow(abs(1 - TI), gamma)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Targets in [0, 1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight a of false negatives.</param>
    /// <param name="gamma">The focal exponent.</param>
    /// <param name="smooth">The smoothing s.</param>
    [GeneratedLoss(TverskyIndex + "abs(1 - ti)^gamma")]
    public static partial float FocalTversky(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, float alpha = 0.7f, float gamma = 0.75f, float smooth = 1f);

    // ---- E10 jaccard_metric_loss / dice_semimetric_loss ---------------------------------------------------------

    // JDTLoss (mIoU_D term): the L1 cardinalities of the kept probabilities p and labels g of each class, summed over the
    // batch and the pixels; the Tversky index; the loss of the classes the mean runs over.
    private const string JdtTail = """
        pc[c] = sum[b, h](p[b, c, h]);
        gc[c] = sum[b, h](q[b, c, h]);
        dc[c] = sum[b, h](abs(p[b, c, h] - q[b, c, h]));
        tp[c] = (pc[c] + gc[c] - dc[c]) / 2;
        tv[c] = (tp[c] + smooth) / (tp[c] + alpha * (pc[c] - tp[c]) + beta * (gc[c] - tp[c]) + smooth);
        lc[c] = where(logLoss != 0, -log(tv[c]), 1 - tv[c])^gamma;
        """;

    private const string JdtHard = """
        index b : batch;
        index c : classes;
        keep[b, h] = y[b, h] != ignoreIndex;
        p[b, c, h] = softmax[c](z[b, c, h]) * keep[b, h];
        q[b, c, h] = (c == y[b, h]) * keep[b, h];
        """ + JdtTail + """
        mean[c | gc[c] > 0; empty = 0](lc[c])
        """;

    private const string JdtSoft = """
        index b : batch;
        index c : classes;
        p[b, c, h] = softmax[c](z[b, c, h]) * keep[b, h];
        q[b, c, h] = t[b, c, h] * keep[b, h];
        """ + JdtTail + """
        mean[c](lc[c])
        """;

    /// <summary>Jaccard metric loss (JML) with hard labels, dataset level: per class <c>TP = (|p| + |g| - |p - g|) / 2</c> (L1 cardinalities over batch and pixels), <c>T = (TP + s) / (TP + a FP + b FN + s)</c>, loss <c>(1 - T)^gamma</c> (or <c>(-log T)^gamma</c>), mean over the classes present in the labels.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E10 <c>jaccard_metric_loss</c> (JML); Jaccard Metric Losses (Wang and Blaschko 2023).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [B, C, P] (softmax over C), labels <paramref name="y"/> [B, P]
    /// (P: the pixels, any spatial shape flattened). Pixels whose label is <paramref name="ignoreIndex"/> are left out.</para>
    /// <para><b>Defaults</b> (JDTLosses): <paramref name="alpha"/> = <paramref name="beta"/> = 1 (Jaccard), <paramref name="gamma"/> = 1,
    /// <paramref name="smooth"/> = 1e-3, active classes PRESENT (classes with a kept pixel), <paramref name="logLoss"/> = 0.
    /// Only the mIoU_D term (weight 1 by default); the per-image mIoU_I / mIoU_C terms (weight 0 by default) and class weights are not included.
    /// A batch where no class is present gives 0 with zero gradients, as JDTLosses.</para>
    /// <para><b>PyTorch</b>: zifuwanggg/JDTLosses <c>losses/jdt_loss.py JDTLoss(alpha, beta, gamma, smooth, log_loss, ignore_index)(z, y)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="y">Labels [B, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="alpha">The weight of false positives.</param>
    /// <param name="beta">The weight of false negatives.</param>
    /// <param name="gamma">The focal exponent (at least 1).</param>
    /// <param name="smooth">The smoothing s.</param>
    /// <param name="ignoreIndex">Pixels with this label are left out.</param>
    /// <param name="logLoss">Nonzero: <c>-log T</c> instead of <c>1 - T</c>.</param>
    [GeneratedLoss(JdtHard)]
    public static partial float JaccardMetricLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int batch, int classes,
        float alpha = 1f, float beta = 1f, float gamma = 1f, float smooth = 1e-3f, int ignoreIndex = -100, int logLoss = 0);

    /// <summary>Jaccard metric loss (JML) with soft labels (label smoothing, knowledge distillation, averaged annotations), dataset level, mean over all classes; as <c>JaccardMetricLoss</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E10 <c>jaccard_metric_loss</c> (JML), soft labels.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and soft labels <paramref name="t"/> [B, C, P]; the keep mask <paramref name="keep"/> [B, P] (1 keeps a pixel, 0 drops it; all ones for none).</para>
    /// <para><b>Defaults</b> (JDTLosses): <paramref name="alpha"/> = <paramref name="beta"/> = 1, <paramref name="gamma"/> = 1, <paramref name="smooth"/> = 1e-3, active classes ALL.</para>
    /// <para><b>PyTorch</b>: zifuwanggg/JDTLosses <c>losses/jdt_loss.py JDTLoss(alpha, beta, gamma, smooth, log_loss)(z, t, keep_mask=keep.bool())</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="t">Soft labels [B, C, P].</param>
    /// <param name="keep">The keep mask [B, P], 1 or 0.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="alpha">The weight of false positives.</param>
    /// <param name="beta">The weight of false negatives.</param>
    /// <param name="gamma">The focal exponent (at least 1).</param>
    /// <param name="smooth">The smoothing s.</param>
    /// <param name="logLoss">Nonzero: <c>-log T</c> instead of <c>1 - T</c>.</param>
    [GeneratedLoss(JdtSoft)]
    public static partial float JaccardMetricLossSoft(ReadOnlySpan<float> z, ReadOnlySpan<float> t, ReadOnlySpan<float> keep, Span<float> dz, int batch, int classes,
        float alpha = 1f, float beta = 1f, float gamma = 1f, float smooth = 1e-3f, int logLoss = 0);

    /// <summary>Dice semimetric loss (DML) with hard labels: <c>JaccardMetricLoss</c> with <c>a = b = 0.5</c>, <c>D = (|p| + |g| - |p - g|) / (|p| + |g|)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E10 <c>dice_semimetric_loss</c> (DML); Dice Semimetric Losses (Wang et al. 2023).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [B, C, P], labels <paramref name="y"/> [B, P].</para>
    /// <para><b>Defaults</b> (JDTLosses): <paramref name="alpha"/> = <paramref name="beta"/> = 0.5, <paramref name="gamma"/> = 1, <paramref name="smooth"/> = 1e-3, active classes PRESENT.</para>
    /// <para><b>PyTorch</b>: zifuwanggg/JDTLosses <c>losses/jdt_loss.py JDTLoss(alpha=0.5, beta=0.5, ...)(z, y)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="y">Labels [B, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="alpha">The weight of false positives.</param>
    /// <param name="beta">The weight of false negatives.</param>
    /// <param name="gamma">The focal exponent (at least 1).</param>
    /// <param name="smooth">The smoothing s.</param>
    /// <param name="ignoreIndex">Pixels with this label are left out.</param>
    /// <param name="logLoss">Nonzero: <c>-log D</c> instead of <c>1 - D</c>.</param>
    [GeneratedLoss(JdtHard)]
    public static partial float DiceSemimetricLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int batch, int classes,
        float alpha = 0.5f, float beta = 0.5f, float gamma = 1f, float smooth = 1e-3f, int ignoreIndex = -100, int logLoss = 0);

    /// <summary>Dice semimetric loss (DML) with soft labels: <c>JaccardMetricLossSoft</c> with <c>a = b = 0.5</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E10 <c>dice_semimetric_loss</c> (DML), soft labels.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and soft labels <paramref name="t"/> [B, C, P]; keep mask <paramref name="keep"/> [B, P].</para>
    /// <para><b>Defaults</b> (JDTLosses): <paramref name="alpha"/> = <paramref name="beta"/> = 0.5, <paramref name="gamma"/> = 1, <paramref name="smooth"/> = 1e-3, active classes ALL.</para>
    /// <para><b>PyTorch</b>: zifuwanggg/JDTLosses <c>losses/jdt_loss.py JDTLoss(alpha=0.5, beta=0.5, ...)(z, t, keep_mask=keep.bool())</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="t">Soft labels [B, C, P].</param>
    /// <param name="keep">The keep mask [B, P], 1 or 0.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="alpha">The weight of false positives.</param>
    /// <param name="beta">The weight of false negatives.</param>
    /// <param name="gamma">The focal exponent (at least 1).</param>
    /// <param name="smooth">The smoothing s.</param>
    /// <param name="logLoss">Nonzero: <c>-log D</c> instead of <c>1 - D</c>.</param>
    [GeneratedLoss(JdtSoft)]
    public static partial float DiceSemimetricLossSoft(ReadOnlySpan<float> z, ReadOnlySpan<float> t, ReadOnlySpan<float> keep, Span<float> dz, int batch, int classes,
        float alpha = 0.5f, float beta = 0.5f, float gamma = 1f, float smooth = 1e-3f, int logLoss = 0);

    // ---- E11 sauna_hypercube_jaccard ----------------------------------------------------------------------------

    /// <summary>SAUNA's soft Jaccard on the hypercube [-1, 1]: <c>p = tanh(z)</c>, <c>I(x, y) = sum|x + y| - sum|x - y|</c>, <c>U(x, y) = sum|x + y| + sum|x - y|</c>;
    /// type 2: <c>1 - (I(p+, g+) + I(p-, g-)) / (U(p+, g+) + U(p-, g-))</c>; type 1: <c>(1 - I/(U + eps))_fg + (1 - I/(U + eps))_bg</c>; summed over classes (the first with weight 1, the others with <c>secondaryWeight</c>).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E11 <c>sauna_hypercube_jaccard</c>; Image-level Regression for Uncertainty-aware Retinal Image Segmentation (SAUNA).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> in [-1, 1] [B, C, P] (C: SAUNA's foreground channels, its target channel 0 already dropped).
    /// Sums run over the batch and the pixels of each class. SAUNA switches a class whose targets are all non-negative to a sigmoid Jaccard
    /// (data-dependent control flow); this method is the tanh branch, for targets with negative values (the SAUNA transform).</para>
    /// <para><b>Defaults</b>: <paramref name="lossType"/> = 2 (as <c>DistanceSoftJaccardLoss</c> uses), <paramref name="eps"/> = 1e-8 (type 1 only), <paramref name="secondaryWeight"/> = 1.</para>
    /// <para><b>PyTorch</b>: Oulu-IMEDS/SAUNA <c>mlpipeline/losses/seman_segmentation_losses.py SoftJaccardLoss(loss_type)(z, cat([anything, g], 1))</c> (tanh branch).</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="g">Targets in [-1, 1] [B, C, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="lossType">1 or 2 (any other value: type 2).</param>
    /// <param name="secondaryWeight">The weight of the classes after the first.</param>
    /// <param name="eps">The smoothing of type 1.</param>
    [GeneratedLoss("""
        index b : batch;
        index c : classes;
        p[b, c, h] = tanh(z[b, c, h]);
        sf[c] = sum[b, h](abs(relu(p[b, c, h]) + relu(g[b, c, h])));
        df[c] = sum[b, h](abs(relu(p[b, c, h]) - relu(g[b, c, h])));
        sb[c] = sum[b, h](abs(relu(-p[b, c, h]) + relu(-g[b, c, h])));
        db[c] = sum[b, h](abs(relu(-p[b, c, h]) - relu(-g[b, c, h])));
        lc[c] = where(lossType == 1,
                      2 - (sf[c] - df[c]) / (sf[c] + df[c] + eps) - (sb[c] - db[c]) / (sb[c] + db[c] + eps),
                      1 - (sf[c] - df[c] + sb[c] - db[c]) / (sf[c] + df[c] + sb[c] + db[c]));
        sum[c](where(c == 0, 1, secondaryWeight) * lc[c])
        """)]
    public static partial float SaunaHypercubeJaccard(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, int classes,
        int lossType = 2, float secondaryWeight = 1f, float eps = 1e-8f);

    // ---- E12 sauna_stable_focal_l1 ------------------------------------------------------------------------------

    /// <summary>SAUNA's stable focal L1: <c>p = tanh(z)</c>, <c>w = a |p - g|^b</c> where <c>sign(p) = sign(g)</c> else 1, times <c>posWeight</c> where <c>g &gt; 0</c>;
    /// per class <c>mean_{b,h} w |p - g|</c>, then the class-weighted mean (<c>[1, secondaryWeight, …]</c>).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E12 <c>sauna_stable_focal_l1</c> (SFL); SAUNA.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> in [-1, 1] [B, C, P] (SAUNA's target channel 0 already dropped).</para>
    /// <para><b>Defaults</b> (SAUNA <c>DistanceLoss</c>): <paramref name="alpha"/> = 2, <paramref name="beta"/> = 1, <paramref name="posWeight"/> = 1,
    /// <paramref name="secondaryWeight"/> = 1, <paramref name="lossType"/> = 1 (0 and 2 detach the weight; 2 and 3 also divide it by
    /// <c>max(|p|, clamp(|g|, 0.4, 1))</c>). Base loss L1 (SAUNA's default <c>sfl1</c>).</para>
    /// <para><b>PyTorch</b>: Oulu-IMEDS/SAUNA <c>seman_segmentation_losses.py DistanceLoss('distance-sfl1', ...)(z, cat([anything, g], 1))</c> = <c>SFLoss(torch.tanh(z), g)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="g">Targets in [-1, 1] [B, C, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="alpha">The scale a of the focal weight.</param>
    /// <param name="beta">The exponent b of the focal weight.</param>
    /// <param name="posWeight">The extra weight where the target is positive.</param>
    /// <param name="secondaryWeight">The weight of the classes after the first.</param>
    /// <param name="lossType">0 to 3, as SAUNA's <c>SFLoss</c>.</param>
    [GeneratedLoss("""
        index b : batch;
        index c : classes;
        p[b, c, h] = tanh(z[b, c, h]);
        e[b, c, h] = abs(p[b, c, h] - g[b, c, h]);
        w0[b, c, h] = where(sign(p[b, c, h]) * sign(g[b, c, h]) > 0, alpha * e[b, c, h]^beta, 1) * where(g[b, c, h] > 0, posWeight, 1);
        w1[b, c, h] = w0[b, c, h] * where(lossType >= 2, 1 / max(abs(p[b, c, h]), clamp(abs(g[b, c, h]), 0.4, 1)), 1);
        w[b, c, h] = where(lossType == 0 || lossType == 2, sg(w1[b, c, h]), w1[b, c, h]);
        cw[c] = where(c == 0, 1, secondaryWeight);
        sum[c](cw[c] * mean[b, h](w[b, c, h] * e[b, c, h])) / sum[c](cw[c])
        """)]
    public static partial float SaunaStableFocalL1(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, int classes,
        float alpha = 2f, float beta = 1f, float posWeight = 1f, float secondaryWeight = 1f, int lossType = 1);

    // ---- E15 margin_bce -----------------------------------------------------------------------------------------

    /// <summary>BCE on logits shifted against the label (GridFormer): <c>z' = z - m (2 y - 1)</c>, <c>sum_{b,p} BCE(z', y) / B</c> (sum over the query points, mean over the batch).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E15 <c>margin_bce</c>; GridFormer: Point-Grid Transformer for Surface Reconstruction.</para>
    /// <para><b>Shapes</b>: occupancy logits <paramref name="z"/> and occupancies <paramref name="y"/> in {0, 1} [B, P], flattened.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 0.4 (GridFormer's <c>Trainer.train_step</c> default).</para>
    /// <para><b>PyTorch</b>: list17/GridFormer <c>src/conv_onet/training.py compute_loss</c>:
    /// <c>F.binary_cross_entropy_with_logits(z - m * (y * 2 - 1), y, reduction='none').sum(-1).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Occupancy logits [B, P].</param>
    /// <param name="y">Occupancies [B, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B (the divisor of the sum).</param>
    /// <param name="margin">The logit shift m.</param>
    [GeneratedLoss("sum(bce_logits(z - margin * (2 * y - 1), y)) / batch")]
    public static partial float MarginBce(ReadOnlySpan<float> z, ReadOnlySpan<float> y, Span<float> dz, int batch, float margin = 0.4f);

    // ---- E17 sigmoid_weighted_diffusion_loss --------------------------------------------------------------------

    /// <summary>Sigmoid-weighted diffusion loss (Kingma and Gao 2023, SiD2): <c>mean_b sig(bias - lam_b) * rate_b * ||eps_b - epshat_b||^2</c>, with <c>rate_b = -dlam/dt</c> at the sample's time.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E17 <c>sigmoid_weighted_diffusion_loss</c>; Simpler Diffusion (SiD2). [paper][recalled]: the formula as the catalog writes it.</para>
    /// <para><b>Shapes</b>: noise <paramref name="eps"/> and prediction <paramref name="epshat"/> [B, D] (D: every other axis flattened); per-sample
    /// log-SNR <paramref name="lam"/> and <paramref name="rate"/> (<c>-dlam/dt</c>) [B].</para>
    /// <para><b>Defaults</b>: none; the bias is tuned per resolution and SiD2's values are unconfirmed, so <paramref name="bias"/> is required.</para>
    /// <para><b>PyTorch</b>: <c>(torch.sigmoid(bias - lam) * rate * ((eps - epshat) ** 2).sum(1)).mean()</c> (the catalog's formula).</para>
    /// </remarks>
    /// <param name="eps">The noise [B, D].</param>
    /// <param name="epshat">The network's prediction of the noise [B, D].</param>
    /// <param name="lam">The log-SNR of each sample [B].</param>
    /// <param name="rate">-dlam/dt of each sample [B].</param>
    /// <param name="depshat">Receives dLoss/depshat.</param>
    /// <param name="bias">The shift b of the sigmoid weighting.</param>
    [GeneratedLoss("mean[b](sigmoid(bias - lam[b]) * rate[b] * sum[d]((eps[b, d] - epshat[b, d])^2))")]
    public static partial float SigmoidWeightedDiffusion(ReadOnlySpan<float> eps, ReadOnlySpan<float> epshat, ReadOnlySpan<float> lam, ReadOnlySpan<float> rate, Span<float> depshat, float bias);

    // ---- E18 nwd_loss -------------------------------------------------------------------------------------------

    /// <summary>Normalized Gaussian Wasserstein distance loss: boxes <c>(cx, cy, w, h)</c> as Gaussians,
    /// <c>W2 = (cx_a - cx_b)^2 + (cy_a - cy_b)^2 + eps + ((w_a - w_b)^2 + (h_a - h_b)^2) / 4</c>, <c>mean_m 1 - exp(-sqrt(W2) / C)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E18 <c>nwd_loss</c>; DEAL-YOLO (Normalized Gaussian Wasserstein Distance, Wang et al.).</para>
    /// <para><b>Shapes</b>: matched predicted and ground-truth boxes <paramref name="pred"/>, <paramref name="target"/> [M, 4] as (cx, cy, w, h).</para>
    /// <para><b>Defaults</b>: <paramref name="c"/> = 12.8 (the NWD paper's AI-TOD constant), <paramref name="eps"/> = 1e-7 (jwwangchn/NWD adds it to the center distance).</para>
    /// <para><b>PyTorch</b>: <c>w2 = ((pred[:, :2] - target[:, :2]) ** 2).sum(1) + eps + ((pred[:, 2:] - target[:, 2:]) ** 2).sum(1) / 4; (1 - torch.exp(-w2.sqrt() / c)).mean()</c>
    /// (jwwangchn/NWD <c>wasserstein_loss</c> on center-size boxes).</para>
    /// </remarks>
    /// <param name="pred">Predicted boxes [M, 4].</param>
    /// <param name="target">Ground-truth boxes [M, 4].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    /// <param name="boxes">M.</param>
    /// <param name="c">The normalizing constant C.</param>
    /// <param name="eps">Added under the square root.</param>
    [GeneratedLoss("""
        index m : boxes;
        w2[m] = (pred[m, 0] - target[m, 0])^2 + (pred[m, 1] - target[m, 1])^2 + eps
              + ((pred[m, 2] - target[m, 2])^2 + (pred[m, 3] - target[m, 3])^2) / 4;
        mean[m](1 - exp(-sqrt(w2[m]) / c))
        """)]
    public static partial float Nwd(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, Span<float> dpred, int boxes, float c = 12.8f, float eps = 1e-7f);

    // ---- E19 wise_iou -------------------------------------------------------------------------------------------

    // Boxes (cx, cy, w, h) -> corners; the intersection, union and smallest enclosing box of each pair; L_IoU = 1 - IoU and
    // the distance factor R = exp(center distance^2 / sg(W_g^2 + H_g^2)).
    private const string WiseIouTerms = """
        index m : boxes;
        px0[m] = pred[m, 0] - pred[m, 2] / 2;   py0[m] = pred[m, 1] - pred[m, 3] / 2;
        px1[m] = pred[m, 0] + pred[m, 2] / 2;   py1[m] = pred[m, 1] + pred[m, 3] / 2;
        tx0[m] = target[m, 0] - target[m, 2] / 2; ty0[m] = target[m, 1] - target[m, 3] / 2;
        tx1[m] = target[m, 0] + target[m, 2] / 2; ty1[m] = target[m, 1] + target[m, 3] / 2;
        inter[m] = relu(min(px1[m], tx1[m]) - max(px0[m], tx0[m])) * relu(min(py1[m], ty1[m]) - max(py0[m], ty0[m]));
        union[m] = (px1[m] - px0[m]) * (py1[m] - py0[m]) + (tx1[m] - tx0[m]) * (ty1[m] - ty0[m]) - inter[m];
        liou[m] = 1 - inter[m] / union[m];
        encl[m] = (max(px1[m], tx1[m]) - min(px0[m], tx0[m]))^2 + (max(py1[m], ty1[m]) - min(py0[m], ty0[m]))^2;
        r[m] = exp(((pred[m, 0] - target[m, 0])^2 + (pred[m, 1] - target[m, 1])^2) / sg(encl[m]));
        """;

    /// <summary>Wise-IoU v1: <c>mean_m R L_IoU</c>, <c>L_IoU = 1 - IoU</c>, <c>R = exp(((x - x_g)^2 + (y - y_g)^2) / sg(W_g^2 + H_g^2))</c> with <c>W_g, H_g</c> the smallest enclosing box.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E19 <c>wise_iou</c> (WIoU v1); DEAL-YOLO.</para>
    /// <para><b>Shapes</b>: matched predicted and ground-truth boxes <paramref name="pred"/>, <paramref name="target"/> [M, 4] as (cx, cy, w, h)
    /// (the repository takes corners; the loss is the same function of the boxes).</para>
    /// <para><b>PyTorch</b>: Instinct323/wiou <c>iou.py IouLoss(ltype='WIoU', monotonous=None)</c> on the boxes' corners, averaged.</para>
    /// </remarks>
    /// <param name="pred">Predicted boxes [M, 4].</param>
    /// <param name="target">Ground-truth boxes [M, 4].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    /// <param name="boxes">M.</param>
    [GeneratedLoss(WiseIouTerms + "mean[m](r[m] * liou[m])")]
    public static partial float WiseIouV1(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, Span<float> dpred, int boxes);

    /// <summary>Wise-IoU v3 (non-monotonic focusing): <c>mean_m rw R L_IoU</c>, <c>beta = sg(L_IoU) / iouMean</c>, <c>rw = beta / (delta alpha^(beta - delta))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E19 <c>wise_iou</c> (WIoU v3); DEAL-YOLO.</para>
    /// <para><b>Shapes</b>: boxes <paramref name="pred"/>, <paramref name="target"/> [M, 4] as (cx, cy, w, h).</para>
    /// <para><b>Defaults</b> (repository): <paramref name="alpha"/> = 1.7, <paramref name="delta"/> = 2.7 (paper: 1.9, 3). The running mean
    /// <paramref name="iouMean"/> is state the caller keeps: before each call, <c>iouMean = (1 - mom) iouMean + mom mean_m L_IoU</c>
    /// (mom = 1e-2; the repository starts it at 1).</para>
    /// <para><b>PyTorch</b>: Instinct323/wiou <c>iou.py IouLoss(ltype='WIoU', monotonous=False)</c> with <c>iou_mean</c> given, averaged.</para>
    /// </remarks>
    /// <param name="pred">Predicted boxes [M, 4].</param>
    /// <param name="target">Ground-truth boxes [M, 4].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    /// <param name="boxes">M.</param>
    /// <param name="iouMean">The running mean of L_IoU (the caller's state).</param>
    /// <param name="alpha">The focusing base.</param>
    /// <param name="delta">The focusing offset.</param>
    [GeneratedLoss(WiseIouTerms + """
        beta[m] = sg(liou[m]) / iouMean;
        mean[m](beta[m] / (delta * alpha^(beta[m] - delta)) * r[m] * liou[m])
        """)]
    public static partial float WiseIouV3(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, Span<float> dpred, int boxes, float iouMean, float alpha = 1.7f, float delta = 2.7f);

    // ---- E20 bag_level_vs_instance_level ------------------------------------------------------------------------

    /// <summary>Learning from aggregate responses: <c>rho sum_k (ybar_k - mean_{i in B_k} f_i)^2 + (1 - rho) sum_k sum_{i in B_k} (ybar_k - f_i)^2</c> (bag level at rho = 1, instance level at rho = 0).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E20 <c>bag_level_vs_instance_level</c>; Learning from Aggregate Responses: Instance Level versus Bag Level Loss Functions. [paper]</para>
    /// <para><b>Shapes</b>: predictions <paramref name="f"/> [N], bag ids <paramref name="bag"/> in [0, K) [N], bag responses <paramref name="ybar"/> [K].
    /// An empty bag makes the bag-level term NaN (0/0). The segment mean is a filtered sum, O(K N).</para>
    /// <para><b>Defaults</b>: none; <paramref name="rho"/> is required.</para>
    /// <para><b>PyTorch</b>: segment means by <c>index_add_</c>: <c>rho * ((ybar - seg_mean(f)) ** 2).sum() + (1 - rho) * ((ybar[bag] - f) ** 2).sum()</c>.</para>
    /// </remarks>
    /// <param name="f">Predictions [N].</param>
    /// <param name="bag">The bag of each prediction [N].</param>
    /// <param name="ybar">The aggregate (mean) response of each bag [K].</param>
    /// <param name="df">Receives dLoss/df.</param>
    /// <param name="rho">The weight of the bag-level term.</param>
    [GeneratedLoss("""
        rho * sum[k]((ybar[k] - sum[i | bag[i] == k](f[i]) / count[i](bag[i] == k))^2)
          + (1 - rho) * sum[i]((ybar[bag[i]] - f[i])^2)
        """)]
    public static partial float AggregateResponse(ReadOnlySpan<float> f, ReadOnlySpan<int> bag, ReadOnlySpan<float> ybar, Span<float> df, float rho);

    // ---- E21 bandit_regression_losses ---------------------------------------------------------------------------

    /// <summary>KL loss of online neural regression for rewards in [0, 1]: <c>mean_e r log(r / f) + (1 - r) log((1 - r) / (1 - f))</c> (0 log 0 = 0).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E21 <c>bandit_regression_losses</c>; Contextual Bandits with Online Neural Regression. [paper] The squared loss
    /// of the same paper is <c>Mse</c>; the random perturbation of the predictions is done by the caller.</para>
    /// <para><b>Shapes</b>: predictions <paramref name="f"/> in (0, 1) and rewards <paramref name="r"/> in [0, 1] of the same length.</para>
    /// <para><b>PyTorch</b>: <c>(torch.xlogy(r, r) - r * torch.log(f) + torch.xlogy(1 - r, 1 - r) - (1 - r) * torch.log(1 - f)).mean()</c>.</para>
    /// </remarks>
    /// <param name="f">Predicted rewards in (0, 1).</param>
    /// <param name="r">Observed rewards in [0, 1].</param>
    /// <param name="df">Receives dLoss/df.</param>
    [GeneratedLoss("""
        mean(r * log(where(r > 0, r, 1)) - r * log(f) + (1 - r) * log(where(r < 1, 1 - r, 1)) - (1 - r) * log(1 - f))
        """)]
    public static partial float BanditKl(ReadOnlySpan<float> f, ReadOnlySpan<float> r, Span<float> df);

    // ---- E22 multi_aspect_kd ------------------------------------------------------------------------------------

    /// <summary>Multi-aspect knowledge distillation: <c>CE(zCls, y) + BCEwithlogits(zAsp, q)</c>, cross-entropy mean over rows, BCE mean over rows and aspects.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E22 <c>multi_aspect_kd</c>; Multi-aspect Knowledge Distillation with Large Language Model. [paper]</para>
    /// <para><b>Shapes</b>: class logits <paramref name="zCls"/> [N, C], labels <paramref name="y"/> [N], aspect logits <paramref name="zAsp"/> [N, A],
    /// the MLLM's yes-probabilities <paramref name="q"/> [N, A] (soft targets).</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(zCls, y) + F.binary_cross_entropy_with_logits(zAsp, q)</c>.</para>
    /// </remarks>
    /// <param name="zCls">Class logits [N, C].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="zAsp">Aspect logits [N, A].</param>
    /// <param name="q">Aspect soft targets [N, A].</param>
    /// <param name="dzCls">Receives dLoss/dzCls.</param>
    /// <param name="dzAsp">Receives dLoss/dzAsp.</param>
    [GeneratedLoss("mean[i](logsumexp[c](zCls[i, c]) - zCls[i, y[i]] + mean[a](bce_logits(zAsp[i, a], q[i, a])))")]
    public static partial float MultiAspectKd(ReadOnlySpan<float> zCls, ReadOnlySpan<int> y, ReadOnlySpan<float> zAsp, ReadOnlySpan<float> q, Span<float> dzCls, Span<float> dzAsp);

    // ---- E24 branch_consistency_mse -----------------------------------------------------------------------------

    /// <summary>Consistency between two branches' predictions: <c>mean_e (pA_e - pB_e)^2</c>, differentiated through both branches.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E24 <c>branch_consistency_mse</c>; PI-RADS v2 dual-path CNN. [unconfirmed]: the abstract says only that the loss
    /// "penalises the difference in predictions"; this is the catalog's form.</para>
    /// <para><b>Shapes</b>: <paramref name="pA"/> and <paramref name="pB"/> of the same length.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.mse_loss(pA, pB)</c> with gradients to both.</para>
    /// </remarks>
    /// <param name="pA">Predictions of branch A.</param>
    /// <param name="pB">Predictions of branch B.</param>
    /// <param name="dpA">Receives dLoss/dpA.</param>
    /// <param name="dpB">Receives dLoss/dpB.</param>
    [GeneratedLoss("mean((pA - pB)^2)")]
    public static partial float BranchConsistencyMse(ReadOnlySpan<float> pA, ReadOnlySpan<float> pB, Span<float> dpA, Span<float> dpB);

    // ---- E25 masked_reconstruction ------------------------------------------------------------------------------

    /// <summary>Masked reconstruction: <c>sum_e m_e (xhat_e - x_e)^2 / sum_e m_e</c>, the mean squared error over the masked (dropped) elements.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E25 <c>masked_reconstruction</c>; Self-Supervised U-Net for Flat/Sessile Polyps (inpainting of dropped pixels).</para>
    /// <para><b>Shapes</b>: <paramref name="xhat"/>, <paramref name="x"/> and the mask <paramref name="mask"/> (1 where an element was dropped) of the same length.</para>
    /// <para><b>PyTorch</b>: <c>(mask * (xhat - x) ** 2).sum() / mask.sum()</c>.</para>
    /// </remarks>
    /// <param name="xhat">Reconstruction.</param>
    /// <param name="x">Original.</param>
    /// <param name="mask">1 on the masked elements, 0 elsewhere.</param>
    /// <param name="dxhat">Receives dLoss/dxhat.</param>
    [GeneratedLoss("sum(mask * (xhat - x)^2) / sum(mask)")]
    public static partial float MaskedMse(ReadOnlySpan<float> xhat, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> dxhat);

    /// <summary>MAE patch loss: targets normalized per patch (<c>(t - mean) / sqrt(var + 1e-6)</c>, unbiased variance) when <c>normPix</c>,
    /// <c>mean_d (pred - t)^2</c> per patch, averaged over the masked patches.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E25 <c>masked_reconstruction</c>, MAE-style reconstruction (HPM builds on it).</para>
    /// <para><b>Shapes</b>: <paramref name="pred"/> and <paramref name="target"/> [P, D] (P: every patch of the batch, D: pixels per patch), <paramref name="mask"/> [P] (1 masked, 0 visible).</para>
    /// <para><b>Defaults</b>: <paramref name="normPix"/> = 1 (MAE's <c>norm_pix_loss=True</c> recipe).</para>
    /// <para><b>PyTorch</b>: facebookresearch/mae <c>models_mae.py MaskedAutoencoderViT.forward_loss</c> on patchified images.</para>
    /// </remarks>
    /// <param name="pred">Predicted patches [P, D].</param>
    /// <param name="target">Target patches [P, D].</param>
    /// <param name="mask">1 on the masked patches [P].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    /// <param name="normPix">Nonzero: normalize each target patch.</param>
    [GeneratedLoss("""
        mu[p] = mean[d](target[p, d]);
        sd[p] = sqrt(sum[d]((target[p, d] - mu[p])^2) / (extent(d) - 1) + 1e-6);
        t[p, d] = where(normPix != 0, (target[p, d] - mu[p]) / sd[p], target[p, d]);
        sum[p](mask[p] * mean[d]((pred[p, d] - t[p, d])^2)) / sum[p](mask[p])
        """)]
    public static partial float MaePatchLoss(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, ReadOnlySpan<float> mask, Span<float> dpred, int normPix = 1);

    /// <summary>HPM's reconstruction of per-patch L2-normalized targets: <c>sum_p m_p sum_d (n(pred_p) - n(target_p))_d^2 / sum_p m_p</c>, <c>n(x) = x / ||x||_2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E25 <c>masked_reconstruction</c>, HPM variant (the normalization is a row prologue).</para>
    /// <para><b>Shapes</b>: <paramref name="pred"/> and <paramref name="target"/> [P, D], <paramref name="mask"/> [P].</para>
    /// <para><b>PyTorch</b>: <c>((F.normalize(pred, dim=-1) - F.normalize(target, dim=-1)) ** 2).sum(-1)</c>, then <c>(loss * mask).sum() / mask.sum()</c>.</para>
    /// </remarks>
    /// <param name="pred">Predicted patches [P, D].</param>
    /// <param name="target">Target patches [P, D].</param>
    /// <param name="mask">1 on the masked patches [P].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    [GeneratedLoss("""
        np[p, d] = pred[p, d] / norm[e](pred[p, e]);
        nt[p, d] = target[p, d] / norm[e](target[p, e]);
        sum[p](mask[p] * sum[d]((np[p, d] - nt[p, d])^2)) / sum[p](mask[p])
        """)]
    public static partial float MaskedNormalizedPatchL2(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, ReadOnlySpan<float> mask, Span<float> dpred);

    // ---- E27 presto_ordinal -------------------------------------------------------------------------------------

    /// <summary>PRESTO ordinal regression: <c>P(Y &lt;= k | x) = sig(theta_k - w_k . x)</c> with a separate <c>w_k</c> per transition,
    /// <c>mean_i -log(P(Y &lt;= y_i) - P(Y &lt;= y_i - 1))</c> + <c>lambda sum_k ||w_{k+1} - w_k||_1</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E27 <c>presto_ordinal</c>; Predicting Rare Events by Shrinking Towards Proportional Odds. [paper]</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], transition weights <paramref name="w"/> [K-1, D], thresholds <paramref name="theta"/> [K-1],
    /// labels <paramref name="y"/> in [0, K) [N]; <c>P(Y &lt;= -1) = 0</c>, <c>P(Y &lt;= K-1) = 1</c>. Thresholds must keep the cumulative probabilities increasing.</para>
    /// <para><b>Defaults</b>: <paramref name="lambda"/> = 0 (the fused-lasso penalty is a weight regularizer; the catalog states no default).</para>
    /// <para><b>Numerics</b>: <c>sig(a) - sig(b)</c> is computed as <c>sig(a) sig(-b) (1 - e^(b - a))</c> in log space, which does not cancel where
    /// both probabilities are close to 1 (the naive float32 difference loses up to 3e-4 relative in the gradients of the fixtures).</para>
    /// <para><b>PyTorch</b>: <c>cdf = torch.sigmoid(theta - x @ w.T)</c> padded with 0 and 1, <c>-torch.log(cdf[i, y] - cdf[i, y - 1]).mean() + lambda * (w[1:] - w[:-1]).abs().sum()</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Per-transition weights [K-1, D].</param>
    /// <param name="theta">Thresholds [K-1].</param>
    /// <param name="y">Ordinal labels [N].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="dtheta">Receives dLoss/dtheta.</param>
    /// <param name="lambda">The weight of the fused-lasso penalty.</param>
    [GeneratedLoss("""
        eta[i, k] = theta[k] - sum[d](w[k, d] * x[i, d]);
        la[i] = sum[k | k == y[i]](logsigmoid(eta[i, k]));                          # log sig(a), a = eta_y (0 for the top class)
        lb[i] = sum[k | k == y[i] - 1](logsigmoid(-eta[i, k]));                     # log sig(-b), b = eta_{y-1} (0 for the bottom class)
        lm[i] = sum[k, j | k == y[i] && j == k - 1](log(where(j < k, -expm1(eta[i, j] - eta[i, k]), 1)));  # log(1 - e^(b - a)) when both exist (the where keeps the pairs the filter drops finite)
        mean[i](-(la[i] + lb[i] + lm[i])) + lambda * sum[k, j, d | j == k + 1](abs(w[j, d] - w[k, d]))
        """)]
    public static partial float PrestoOrdinal(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> theta, ReadOnlySpan<int> y,
        Span<float> dx, Span<float> dw, Span<float> dtheta, float lambda = 0f);

    // ---- E28 margin_mse -----------------------------------------------------------------------------------------

    /// <summary>Margin-MSE distillation for ranking: <c>mean_i ((sPos_i - sNeg_i) - (tPos_i - tNeg_i))^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E28 <c>margin_mse</c>; Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge Distillation.</para>
    /// <para><b>Shapes</b>: student scores <paramref name="sPos"/>, <paramref name="sNeg"/> and teacher scores <paramref name="tPos"/>, <paramref name="tNeg"/> [N].</para>
    /// <para><b>PyTorch</b>: sebastian-hofstaetter/neural-ranking-kd <c>margin_mse_loss.py</c>: <c>nn.MSELoss()(sPos - sNeg, tPos - tNeg)</c>.</para>
    /// </remarks>
    /// <param name="sPos">Student scores of the positives.</param>
    /// <param name="sNeg">Student scores of the negatives.</param>
    /// <param name="tPos">Teacher scores of the positives.</param>
    /// <param name="tNeg">Teacher scores of the negatives.</param>
    /// <param name="dsPos">Receives dLoss/dsPos.</param>
    /// <param name="dsNeg">Receives dLoss/dsNeg.</param>
    [GeneratedLoss("mean(((sPos - sNeg) - (tPos - tNeg))^2)")]
    public static partial float MarginMse(ReadOnlySpan<float> sPos, ReadOnlySpan<float> sNeg, ReadOnlySpan<float> tPos, ReadOnlySpan<float> tNeg, Span<float> dsPos, Span<float> dsNeg);

    // ---- E29 vae_elbo -------------------------------------------------------------------------------------------

    /// <summary>VAE negative ELBO with a Gaussian decoder: <c>(sum_{i,d} (xhat - x)^2 + beta sum_{i,z} -0.5 (1 + logvar - mu^2 - exp(logvar))) / N</c> (per-sample sums, mean over the batch).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E29 <c>vae_elbo</c> [classic]; VAE-MLP for lymph node metastasis, HybridGNet.</para>
    /// <para><b>Shapes</b>: reconstruction <paramref name="xhat"/> and data <paramref name="x"/> [N, D]; posterior <paramref name="mu"/>, <paramref name="logvar"/> [N, Dz].</para>
    /// <para><b>Defaults</b>: <paramref name="beta"/> = 1 (beta-VAE otherwise).</para>
    /// <para><b>PyTorch</b>: <c>(F.mse_loss(xhat, x, reduction='sum') + beta * -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp())) / N</c> (the PyTorch VAE example's KLD).</para>
    /// </remarks>
    /// <param name="xhat">Reconstruction [N, D].</param>
    /// <param name="x">Data [N, D].</param>
    /// <param name="mu">Posterior means [N, Dz].</param>
    /// <param name="logvar">Posterior log-variances [N, Dz].</param>
    /// <param name="dxhat">Receives dLoss/dxhat.</param>
    /// <param name="dmu">Receives dLoss/dmu.</param>
    /// <param name="dlogvar">Receives dLoss/dlogvar.</param>
    /// <param name="batch">N.</param>
    /// <param name="beta">The weight of the KL term.</param>
    [GeneratedLoss("""
        index i : batch;
        (sum[i, d]((xhat[i, d] - x[i, d])^2) - 0.5 * beta * sum[i, k](1 + logvar[i, k] - mu[i, k]^2 - exp(logvar[i, k]))) / batch
        """)]
    public static partial float VaeElbo(ReadOnlySpan<float> xhat, ReadOnlySpan<float> x, ReadOnlySpan<float> mu, ReadOnlySpan<float> logvar,
        Span<float> dxhat, Span<float> dmu, Span<float> dlogvar, int batch, float beta = 1f);

    /// <summary>VAE negative ELBO with a Bernoulli decoder on logits: <c>(sum_{i,d} BCE(xlogit, x) + beta KL) / N</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: E29 <c>vae_elbo</c> [classic] (the PyTorch VAE example's BCE reconstruction, on logits).</para>
    /// <para><b>Shapes</b>: decoder logits <paramref name="xlogit"/> and data <paramref name="x"/> in [0, 1] [N, D]; <paramref name="mu"/>, <paramref name="logvar"/> [N, Dz].</para>
    /// <para><b>Defaults</b>: <paramref name="beta"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>(F.binary_cross_entropy_with_logits(xlogit, x, reduction='sum') + beta * -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp())) / N</c>.</para>
    /// </remarks>
    /// <param name="xlogit">Decoder logits [N, D].</param>
    /// <param name="x">Data in [0, 1] [N, D].</param>
    /// <param name="mu">Posterior means [N, Dz].</param>
    /// <param name="logvar">Posterior log-variances [N, Dz].</param>
    /// <param name="dxlogit">Receives dLoss/dxlogit.</param>
    /// <param name="dmu">Receives dLoss/dmu.</param>
    /// <param name="dlogvar">Receives dLoss/dlogvar.</param>
    /// <param name="batch">N.</param>
    /// <param name="beta">The weight of the KL term.</param>
    [GeneratedLoss("""
        index i : batch;
        (sum[i, d](bce_logits(xlogit[i, d], x[i, d])) - 0.5 * beta * sum[i, k](1 + logvar[i, k] - mu[i, k]^2 - exp(logvar[i, k]))) / batch
        """)]
    public static partial float VaeElboBernoulli(ReadOnlySpan<float> xlogit, ReadOnlySpan<float> x, ReadOnlySpan<float> mu, ReadOnlySpan<float> logvar,
        Span<float> dxlogit, Span<float> dmu, Span<float> dlogvar, int batch, float beta = 1f);
}
