using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section S (docs/losses.md): set- and structure-level losses. The entries here need no primitive beyond
/// reductions along an axis and gathers: projections (max along an axis), losses on precomputed masks or distance maps,
/// and selections whose indices the caller computes without gradient. The others (sort, windows, iterations, matching,
/// persistent homology) are listed in docs/losses.md with what they need.
/// </summary>
public static partial class Structured
{
    /// <summary>
    /// Maximum-intensity-projection loss of SPOCKMIP: the focal Tversky loss of the volume plus <c>coeff</c> times the
    /// focal Tversky losses of its maximum-intensity projections along each spatial axis, on <c>p = sigmoid(z)</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S03 <c>mip_loss</c>; SPOCKMIP.</para>
    /// <para><b>Definition</b>: <c>FTL(p, g) = (1 - TI)^gamma</c>, <c>TI = (TP + s) / (TP + a FN + (1 - a) FP + s)</c>,
    /// <c>TP = sum p g</c>, <c>FN = sum g (1 - p)</c>, <c>FP = sum (1 - g) p</c>, summed over the whole batch;
    /// <c>L = FTL(p, g) + coeff * (FTL(max_x p, max_x g) + FTL(max_y p, max_y g) + FTL(max_z p, max_z g))</c>.
    /// The gradient of a projection goes to the voxel that holds the maximum (split evenly among exact ties, as torch.amax).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and targets <paramref name="g"/> (in [0, 1]) [B, X, Y, Z], row-major.</para>
    /// <para><b>Defaults</b>: <c>s = 1</c>, <c>a = 0.7</c> (weight of false negatives), <c>gamma = 0.75</c>, <c>coeff = 1</c>.</para>
    /// <para><b>PyTorch</b>: <c>p = torch.sigmoid(z); ftl(p, g) + coeff * sum(ftl(p.amax(d), g.amax(d)) for d in (1, 2, 3))</c>,
    /// with <c>ftl</c> as SPOCKMIP's FocalTverskyLoss (Evaluation/evaluate.py).</para>
    /// </remarks>
    /// <param name="z">Logits [B, X, Y, Z].</param>
    /// <param name="g">Targets [B, X, Y, Z].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="nx">X.</param>
    /// <param name="ny">Y.</param>
    /// <param name="s">Smoothing.</param>
    /// <param name="a">The weight of false negatives (1 - a weighs false positives).</param>
    /// <param name="gamma">The focal exponent.</param>
    /// <param name="coeff">The weight of the projections' losses.</param>
    [GeneratedLoss("""
        index b : batch; index x : nx; index y : ny;
        ftl(p, t) = abs(1 - (sum(p * t) + s) / (sum(p * t) + a * sum(t * (1 - p)) + (1 - a) * sum((1 - t) * p) + s))^gamma;
        q[b, x, y, k] = sigmoid(z[b, x, y, k]);
        ftl(q[b, x, y, k], g[b, x, y, k])
          + coeff * (ftl(max[x](q[b, x, y, k]), max[x](g[b, x, y, k]))
                   + ftl(max[y](q[b, x, y, k]), max[y](g[b, x, y, k]))
                   + ftl(max[k](q[b, x, y, k]), max[k](g[b, x, y, k])))
        """)]
    public static partial float MaximumIntensityProjection(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int batch, int nx, int ny,
        float s = 1f, float a = 0.7f, float gamma = 0.75f, float coeff = 1f);

    /// <summary>Skeleton recall: <c>-mean over foreground classes c of (sum p_c g_c skel + s) / (sum g_c skel + s)</c>, <c>p = softmax over classes</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S05 <c>skeleton_recall</c>; TopoMortar (used beside cross-entropy).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [B, C, P] (P pixels, row-major), labels <paramref name="y"/> [B, P],
    /// the precomputed (dilated) ground-truth skeleton <paramref name="skel"/> [B, P] in [0, 1]. Class 0 is the background.</para>
    /// <para><b>Defaults</b>: <c>s = 1e-5</c>.</para>
    /// <para><b>PyTorch</b>: <c>p = softmax(z, 1); g = one_hot(y).permute; -mean_c≥1 ((p*g*skel).sum((0,2)) + s) / ((g*skel).sum((0,2)) + s)</c>
    /// (TopoMortar lib/losses.py SkeletonRecallLoss).</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, P].</param>
    /// <param name="y">Labels [B, P].</param>
    /// <param name="skel">Skeleton mask [B, P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="batch">B.</param>
    /// <param name="classes">C.</param>
    /// <param name="s">Smoothing.</param>
    [GeneratedLoss("""
        index b : batch; index c : classes;
        p[b, c, q] = softmax[c](z[b, c, q]);
        -mean[c | c >= 1]((sum[b, q](p[b, c, q] * (y[b, q] == c) * skel[b, q]) + s) / (sum[b, q]((y[b, q] == c) * skel[b, q]) + s))
        """)]
    public static partial float SkeletonRecall(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> skel, Span<float> dz, int batch, int classes, float s = 1e-5f);

    /// <summary>Boundary loss on a precomputed signed distance map: <c>mean_x phi(x) sigmoid(z(x))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S16 <c>boundary_distance_losses</c> (boundary loss of Kervadec et al.); segmentation survey, SAUNA.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and the ground truth's signed distance transform <paramref name="phi"/>
    /// (negative inside the object), same length. Computing the distance transform is not part of the loss.</para>
    /// <para><b>PyTorch</b>: <c>(torch.sigmoid(z) * phi).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="phi">Signed distance map of the ground truth.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("mean(phi * sigmoid(z))")]
    public static partial float Boundary(ReadOnlySpan<float> z, ReadOnlySpan<float> phi, Span<float> dz);

    /// <summary>Hausdorff distance-transform loss: <c>mean_x (p - g)^2 (dg^alpha + dp^alpha)</c>, <c>p = sigmoid(z)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S16 <c>boundary_distance_losses</c> (HD-DT loss of Karimi and Salcudean); segmentation survey.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/>, target <paramref name="g"/>, and the unsigned distance maps of the
    /// target <paramref name="dg"/> and of the (thresholded) prediction <paramref name="dp"/>, computed by the caller
    /// without gradient; all the same length.</para>
    /// <para><b>Defaults</b>: <c>alpha = 2</c>.</para>
    /// <para><b>PyTorch</b>: <c>((torch.sigmoid(z) - g)**2 * (dg**alpha + dp**alpha)).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits.</param>
    /// <param name="g">Target in [0, 1].</param>
    /// <param name="dg">Distance map of the target.</param>
    /// <param name="dp">Distance map of the prediction.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The exponent of the distances.</param>
    [GeneratedLoss("mean((sigmoid(z) - g)^2 * (dg^alpha + dp^alpha))")]
    public static partial float HausdorffDistanceTransform(ReadOnlySpan<float> z, ReadOnlySpan<float> g, ReadOnlySpan<float> dg, ReadOnlySpan<float> dp, Span<float> dz, float alpha = 2f);

    /// <summary>
    /// Top-K distillation: <c>mean_i KL(softmax(t[i, idx_i] / T) || softmax(s[i, idx_i] / T))</c> over the K classes the
    /// caller selected (the teacher's top K, chosen without gradient).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S10 <c>kl_top</c>; OstQuant. The selection itself (top-k of the teacher under no-grad) is the
    /// caller's: this loss takes its indices.</para>
    /// <para><b>Shapes</b>: student logits <paramref name="s"/> and teacher logits <paramref name="t"/> [N, V], selected
    /// class indices <paramref name="idx"/> [N, K].</para>
    /// <para><b>Defaults</b>: <c>temperature = 3</c> (the public top_kl_loss), no T² factor, mean over rows.</para>
    /// <para><b>PyTorch</b>: <c>F.kl_div(F.log_softmax(s.gather(1, idx) / T, 1), F.log_softmax(t.gather(1, idx) / T, 1),
    /// log_target=True, reduction='batchmean')</c>.</para>
    /// </remarks>
    /// <param name="s">Student logits [N, V].</param>
    /// <param name="t">Teacher logits [N, V].</param>
    /// <param name="idx">Selected classes [N, K].</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="topk">K.</param>
    /// <param name="temperature">T.</param>
    [GeneratedLoss("""
        index k : topk;
        ls[i, k] = log_softmax[k](s[i, idx[i, k]] / temperature);
        lt[i, k] = log_softmax[k](t[i, idx[i, k]] / temperature);
        mean[i](sum[k](exp(lt[i, k]) * (lt[i, k] - ls[i, k])))
        """)]
    public static partial float TopKDistillation(ReadOnlySpan<float> s, ReadOnlySpan<float> t, ReadOnlySpan<int> idx, Span<float> ds, int topk, float temperature = 3f);
}
