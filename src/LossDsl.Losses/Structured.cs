using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section S (docs/losses.md): set- and structure-level losses: projections (max along an axis), losses on
/// precomputed masks or distance maps, selections whose indices the caller computes without gradient, windows (SSIM,
/// local NCC), k-th values (ICNN), sorted orders through ranked sums (the Lovász losses) and fixed-count iterations
/// through repeat blocks (clDice's soft skeleton, NeuralNDCG's Sinkhorn scaling). The others (matching, persistent
/// homology, SVDs) are listed in docs/losses.md with what they need.
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

    /// <summary>
    /// SSIM loss, <c>1 - mean SSIM</c>: per plane, local means, variances and covariance under a separable window
    /// (zero padding), <c>SSIM = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S01 <c>ssim</c> [classic]; BASNet's SSIM term, Learning to Generate Images with Perceptual Similarity Metrics; [code: NathanUA/BASNet pytorch_ssim/__init__.py].</para>
    /// <para><b>Shapes</b>: images <paramref name="x"/> and <paramref name="y"/> [P, H, W] (P = batch × channels planes, each filtered on its own as <c>conv2d(..., groups = channel)</c>), the 1-D window <paramref name="window"/> [2 radius + 1] (pytorch_ssim's <c>gaussian(11, 1.5)</c>: <c>exp(-(k - 5)^2 / 4.5)</c> normalized).</para>
    /// <para><b>Defaults</b>: <paramref name="radius"/> = 5 (an 11 × 11 window), <paramref name="c1"/> = 0.01², <paramref name="c2"/> = 0.03² (dynamic range 1).</para>
    /// <para><b>PyTorch</b>: pytorch_ssim's <c>_ssim(img1, img2, window, 11, channel, size_average=True)</c>: <c>mu1 = F.conv2d(img1, window, padding = 5, groups = channel)</c>, <c>sigma1_sq = F.conv2d(img1 * img1, ...) - mu1^2</c>, ..., <c>1 - ssim_map.mean()</c>.</para>
    /// <para>The windows are shifted gathers (docs/language.md §6.7): O(pixels × window²) forward and backward, the gradient a sparse scatter.</para>
    /// </remarks>
    /// <param name="x">First images [P, H, W] (the prediction).</param>
    /// <param name="y">Second images [P, H, W] (the target).</param>
    /// <param name="window">The 1-D window, normalized; the 2-D window is its outer product.</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dy">Receives dLoss/dy.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="radius">The window's radius: its length is 2 radius + 1.</param>
    /// <param name="c1">C1 = (0.01 L)^2.</param>
    /// <param name="c2">C2 = (0.03 L)^2.</param>
    [GeneratedLoss("""
        index h : height; index w : width; shape x[p, h, w]; shape y[p, h, w];
        k[a, b] = window[a] * window[b];
        mx[p, h, w] = sum[a, b](k[a, b] * x[p, h + a - radius, w + b - radius]);
        my[p, h, w] = sum[a, b](k[a, b] * y[p, h + a - radius, w + b - radius]);
        sxx[p, h, w] = sum[a, b](k[a, b] * x[p, h + a - radius, w + b - radius]^2) - mx[p, h, w]^2;
        syy[p, h, w] = sum[a, b](k[a, b] * y[p, h + a - radius, w + b - radius]^2) - my[p, h, w]^2;
        sxy[p, h, w] = sum[a, b](k[a, b] * x[p, h + a - radius, w + b - radius] * y[p, h + a - radius, w + b - radius]) - mx[p, h, w] * my[p, h, w];
        1 - mean[p, h, w]((2 * mx[p, h, w] * my[p, h, w] + c1) * (2 * sxy[p, h, w] + c2) / ((mx[p, h, w]^2 + my[p, h, w]^2 + c1) * (sxx[p, h, w] + syy[p, h, w] + c2)))
        """)]
    public static partial float Ssim(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> window, Span<float> dx, Span<float> dy, int height, int width, int radius = 5, float c1 = 1e-4f, float c2 = 9e-4f);

    /// <summary>
    /// BASNet's hybrid loss of one side output: <c>BCE(d, g) + (1 - SSIM(d, g)) + (1 - IoU(d, g))</c> with
    /// <c>d = sigmoid(z)</c>, the IoU per image <c>sum g d / (sum g + sum d - sum g d)</c> averaged over the images.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S02 <c>basnet_hybrid</c>; Boundary-Aware Segmentation Network (BASNet), [code: NathanUA/BASNet basnet_train.py, pytorch_ssim, pytorch_iou]. BASNet sums this over its 8 side outputs: call it once per output.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and masks <paramref name="g"/> [B, H, W] (one channel), the 1-D window <paramref name="window"/> [2 radius + 1] as for <c>Ssim</c>.</para>
    /// <para><b>Defaults</b>: <paramref name="radius"/> = 5 (pytorch_ssim's 11 × 11 Gaussian, sigma 1.5).</para>
    /// <para><b>PyTorch</b>: <c>d = torch.sigmoid(z)</c>; <c>nn.BCELoss()(d, g) + (1 - pytorch_ssim.SSIM(11)(d, g)) + pytorch_iou.IOU()(d, g)</c>.</para>
    /// <para>The BCE is computed from the logits (<c>bce_logits</c>), the same function as BCELoss on <c>sigmoid(z)</c> without its clamp of the logarithm at -100 (reached only where |z| &amp;gt; 100).</para>
    /// </remarks>
    /// <param name="z">Logits of the side output [B, H, W].</param>
    /// <param name="g">Ground-truth masks [B, H, W] in [0, 1].</param>
    /// <param name="window">The 1-D SSIM window, normalized.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="radius">The SSIM window's radius.</param>
    [GeneratedLoss("""
        index h : height; index w : width; shape z[p, h, w]; shape g[p, h, w];
        d[p, h, w] = sigmoid(z[p, h, w]);
        k[a, b] = window[a] * window[b];
        md[p, h, w] = sum[a, b](k[a, b] * d[p, h + a - radius, w + b - radius]);
        mg[p, h, w] = sum[a, b](k[a, b] * g[p, h + a - radius, w + b - radius]);
        sdd[p, h, w] = sum[a, b](k[a, b] * d[p, h + a - radius, w + b - radius]^2) - md[p, h, w]^2;
        sgg[p, h, w] = sum[a, b](k[a, b] * g[p, h + a - radius, w + b - radius]^2) - mg[p, h, w]^2;
        sdg[p, h, w] = sum[a, b](k[a, b] * d[p, h + a - radius, w + b - radius] * g[p, h + a - radius, w + b - radius]) - md[p, h, w] * mg[p, h, w];
        ssim = mean[p, h, w]((2 * md[p, h, w] * mg[p, h, w] + 1e-4) * (2 * sdg[p, h, w] + 9e-4) / ((md[p, h, w]^2 + mg[p, h, w]^2 + 1e-4) * (sdd[p, h, w] + sgg[p, h, w] + 9e-4)));
        both[p] = sum[h, w](g[p, h, w] * d[p, h, w]);
        iou = mean[p](1 - both[p] / (sum[h, w](g[p, h, w]) + sum[h, w](d[p, h, w]) - both[p]));
        mean[p, h, w](bce_logits(z[p, h, w], g[p, h, w])) + (1 - ssim) + iou
        """)]
    public static partial float BasNetHybrid(ReadOnlySpan<float> z, ReadOnlySpan<float> g, ReadOnlySpan<float> window, Span<float> dz, int height, int width, int radius = 5);

    /// <summary>
    /// VoxelMorph's local normalized cross-correlation, <c>-mean cc</c>, with <c>cc = cross^2 / (var_I var_J + 1e-5)</c>
    /// over a cubic window of side <c>2 radius + 1</c> around each voxel (zero padding; the window's size counts
    /// padded voxels too, as VoxelMorph's <c>win_size</c>).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S14 <c>registration_losses</c>, its similarity term (local NCC); Learning deep abdominal CT registration (DDMR) [recalled VoxelMorph forms]; [code: voxelmorph/voxelmorph losses.py NCC]. The Dice term is E07 (<c>Elementwise.SoftDice</c>); the smoothness and the learned weighting are not declared.</para>
    /// <para><b>Shapes</b>: fixed and moved images <paramref name="i"/> and <paramref name="j"/> [P, D, H, W] (P = batch, one channel).</para>
    /// <para><b>Defaults</b>: <paramref name="radius"/> = 4 (VoxelMorph's 9³ window).</para>
    /// <para><b>PyTorch</b>: VoxelMorph's <c>NCC.loss</c>: <c>I_sum = F.conv3d(I, ones(1, 1, 9, 9, 9), padding = 4)</c> and the same for J, I², J², IJ; <c>u_I = I_sum / 729</c>; <c>cross = IJ_sum - u_J I_sum - u_I J_sum + u_I u_J 729</c>; <c>I_var = I2_sum - 2 u_I I_sum + u_I² 729</c>; <c>-mean(cross² / (I_var J_var + 1e-5))</c>.</para>
    /// </remarks>
    /// <param name="i">Fixed images [P, D, H, W].</param>
    /// <param name="j">Moved images [P, D, H, W].</param>
    /// <param name="di">Receives dLoss/di.</param>
    /// <param name="dj">Receives dLoss/dj.</param>
    /// <param name="depth">D.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="side">The window's side, 2 radius + 1.</param>
    /// <param name="radius">The window's radius.</param>
    [GeneratedLoss("""
        index z : depth; index h : height; index w : width; index a, b, c : side;
        shape i[p, z, h, w]; shape j[p, z, h, w];
        n = extent(a) * extent(b) * extent(c);
        si[p, z, h, w] = sum[a, b, c](i[p, z + a - radius, h + b - radius, w + c - radius]);
        sj[p, z, h, w] = sum[a, b, c](j[p, z + a - radius, h + b - radius, w + c - radius]);
        sii[p, z, h, w] = sum[a, b, c](i[p, z + a - radius, h + b - radius, w + c - radius]^2);
        sjj[p, z, h, w] = sum[a, b, c](j[p, z + a - radius, h + b - radius, w + c - radius]^2);
        sij[p, z, h, w] = sum[a, b, c](i[p, z + a - radius, h + b - radius, w + c - radius] * j[p, z + a - radius, h + b - radius, w + c - radius]);
        ui[p, z, h, w] = si[p, z, h, w] / n;
        uj[p, z, h, w] = sj[p, z, h, w] / n;
        cross[p, z, h, w] = sij[p, z, h, w] - uj[p, z, h, w] * si[p, z, h, w] - ui[p, z, h, w] * sj[p, z, h, w] + ui[p, z, h, w] * uj[p, z, h, w] * n;
        vi[p, z, h, w] = sii[p, z, h, w] - 2 * ui[p, z, h, w] * si[p, z, h, w] + ui[p, z, h, w]^2 * n;
        vj[p, z, h, w] = sjj[p, z, h, w] - 2 * uj[p, z, h, w] * sj[p, z, h, w] + uj[p, z, h, w]^2 * n;
        -mean[p, z, h, w](cross[p, z, h, w]^2 / (vi[p, z, h, w] * vj[p, z, h, w] + 1e-5))
        """)]
    public static partial float LocalNcc(ReadOnlySpan<float> i, ReadOnlySpan<float> j, Span<float> di, Span<float> dj, int depth, int height, int width, int side = 9, int radius = 4);

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
    /// <summary>
    /// The ICNN loss of "SuSana Distancia is all you need": <c>-log(score)</c>, where the score rates each embedding's
    /// k nearest neighbours: how close the same-class ones are relative to the nearest different-class one (lambda)
    /// and what fraction of them share its class (gamma).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S09 <c>icnn_loss</c>; SuSana Distancia is all you need [code: ICNN <c>modified_score</c>
    /// and <c>get_icnn_loss</c>, the full-set form: the embeddings are their own targets]. The cross-entropy and the
    /// proto-triplet terms it is averaged with are R01 and P13.</para>
    /// <para><b>Definition</b>: distances <c>d_ij = sqrt(|x_i - x_j|^2 + 1e-6)</c>; <c>N_K(i)</c> and <c>N_P(i)</c>
    /// the <paramref name="k"/> and <paramref name="ipc"/> nearest <c>j != i</c> (selected by <c>kth</c>, no gradient
    /// through the selection); the nearest different-class neighbour among <c>N_P(i)</c>, <c>m_i</c> (+inf if none);
    /// on <c>N_K(i)</c>: <c>nd_ij = d_ij / (m_i + eps)</c> over <c>max(1, max_j nd_ij)</c>; same-class rows:
    /// <c>lambda_s = 1 - sum_i mean_same(nd_ij) / #{i with a same-class neighbour}</c>; different-class:
    /// <c>lambda_d = |sum_i mean_diff(d_ij / max d) / #{i with one} - [none anywhere]|</c>; <c>gamma = mean_i #same / k</c>
    /// (1 when <c>k + 2 &gt;= N</c>); <c>L = -log((lambda_s + lambda_d) / 4 + gamma / 2)</c>, eps = 1e-7 as the code's.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="x"/> [N, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <c>k = 4</c>, <c>ipc = k + 1</c> (the code's defaults; in the full-set form the caller passes
    /// <c>ipc = shot + query</c>). The code lowers k to <c>N - 2</c> when <c>k + 2 &gt;= N</c>; pass the lowered values.</para>
    /// <para><b>PyTorch</b>: <c>d = (torch.cdist(x, x)**2 + 1e-6).sqrt()</c>; <c>v, idx = d.topk(ipc + 1, largest=False)</c>,
    /// first column dropped; same-class matrix from <c>y[idx]</c>; then the sums above, written out in
    /// tests/reference/cases_structured.py.</para>
    /// </remarks>
    /// <param name="x">Embeddings [N, D].</param>
    /// <param name="y">Class labels [N].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="k">The neighbours that are rated.</param>
    /// <param name="ipc">The neighbours searched for the nearest different-class one.</param>
    [GeneratedLoss("""
        dist[i, j] = sqrt(sum[d]((x[i, d] - x[j, d])^2) + 1e-6);
        inK[i, j] = j != i && dist[i, j] <= kth[l | l != i; k = k](dist[i, l]);
        inP[i, j] = j != i && dist[i, j] <= kth[l | l != i; k = ipc](dist[i, l]);
        nearestOther[i] = min[j | inP[i, j] && y[j] != y[i]](dist[i, j]);
        nd[i, j] = dist[i, j] / (nearestOther[i] + 1e-7);
        scale[i] = max(max[j | inK[i, j]](nd[i, j]), 1);
        same[i] = count[j](inK[i, j] && y[j] == y[i]);
        other[i] = count[j](inK[i, j] && y[j] != y[i]);
        far = max(max[i, j | inK[i, j] && y[j] != y[i]](dist[i, j]), 0);
        lambdaSame = 1 - sum[i](sum[j | inK[i, j] && y[j] == y[i]](nd[i, j] / scale[i]) / (same[i] + 1e-7)) / (count[i](same[i] > 0) + 1e-7);
        none = where(count[i](other[i] > 0) == 0, -1, 0);
        lambdaOther = abs(sum[i](sum[j | inK[i, j] && y[j] != y[i]](dist[i, j] / (far + 1e-7)) / (other[i] + 1e-7)) / (count[i](other[i] > 0) + 1e-7) + none);
        gamma = where(k + 2 < extent(i), mean[i](same[i] / k), 1);
        -log(((lambdaSame + lambdaOther) / 2 + gamma) / 2)
        """)]
    public static partial float Icnn(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int k = 4, int ipc = 5);

    /// <summary>
    /// The Lovász hinge of Berman et al., per image: the hinge errors of each image sorted in descending order, weighted
    /// by the steps of the Lovász extension of the Jaccard loss of the labels in that order; the mean over the images.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S07 <c>lovasz_hinge</c>; Berman, Rannen Triki and Blaschko, The Lovász-Softmax loss
    /// (CVPR 2018) [code: <c>lovasz_losses.py</c>, <c>lovasz_hinge(per_image=True)</c>]; a baseline of the Jaccard
    /// metric losses; SAUNA imports smp's LovaszLoss.</para>
    /// <para><b>Definition</b>: errors <c>e_p = 1 - z_p (2 g_p - 1)</c>; the order: errors descending, equal errors by
    /// pixel index (a stable sort); <c>k_p</c> the place of p in it (1-based) and <c>c_p</c> the labels up to it;
    /// <c>J(k, c) = 1 - (G - c) / (G + k - c)</c> with <c>G = sum g</c>; the weight
    /// <c>w_p = J(k_p, c_p) - J(k_p - 1, c_p - g_p)</c> (<c>J(k_p)</c> alone at the first place), under stop-gradient;
    /// <c>L = mean_b sum_p relu(e_p) w_p</c>. k and c are ranked sums (docs/language.md §6.10): one sort per image.
    /// The step is computed without the difference of two Jaccard values, which loses three digits in float at a
    /// thousand pixels: with the union <c>U = G + k - c</c>, it is <c>1 / U</c> for a positive pixel or the first place
    /// and <c>(U - k) / (U (U - 1))</c> otherwise (the same value exactly).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> and binary labels <paramref name="g"/> [B, P] (each image's
    /// pixels flattened; labels 0 or 1). No ignore label: drop ignored pixels before the call.</para>
    /// <para><b>PyTorch</b>: <c>errors_sorted, perm = torch.sort(1 - z * (2 * g - 1), descending=True)</c>;
    /// <c>torch.dot(F.relu(errors_sorted), lovasz_grad(g[perm]))</c> per image, then the mean. PyTorch's sort does not
    /// promise an order among equal errors (their gradients may differ; the loss does not).</para>
    /// </remarks>
    /// <param name="z">Logits [B, P].</param>
    /// <param name="g">Binary labels [B, P] (0 or 1).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="pixels">P, the pixels of one image.</param>
    [GeneratedLoss("""
        index p : pixels;
        e[b, p] = 1 - z[b, p] * (2 * g[b, p] - 1);
        k[b, p] = count[j](e[b, j] > e[b, p] || e[b, j] == e[b, p] && j <= p);
        u[b, p] = sum[q](g[b, q]) + k[b, p] - sum[j | e[b, j] > e[b, p] || e[b, j] == e[b, p] && j <= p](g[b, j]);
        w[b, p] = where(g[b, p] > 0 || k[b, p] == 1, 1 / u[b, p], (u[b, p] - k[b, p]) / (u[b, p] * (u[b, p] - 1)));
        mean[b](sum[p](relu(e[b, p]) * sg(w[b, p])))
        """)]
    public static partial float LovaszHinge(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> dz, int pixels);

    /// <summary>
    /// The Lovász-Softmax loss of Berman et al.: for each class present in the labels, the errors
    /// <c>|[y = c] - softmax(z)_c|</c> of every pixel sorted in descending order, weighted by the steps of the Lovász
    /// extension of the class's Jaccard loss; the mean over the present classes.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S07 <c>lovasz_softmax</c>; Berman, Rannen Triki and Blaschko (CVPR 2018) [code:
    /// <c>lovasz_softmax(probas, labels, classes='present', per_image=False)</c> on <c>softmax(z)</c>]; SAUNA imports
    /// smp's LovaszLoss (multiclass mode, the same computation).</para>
    /// <para><b>Definition</b>: <c>p_ic = softmax_c(z_i)</c>, <c>f_ic = [y_i = c]</c>, <c>e_ic = |f_ic - p_ic|</c>; per
    /// class, the pixels in descending order of <c>e_ic</c> (equal errors by pixel index), <c>k_ic</c> the place of i and
    /// <c>c_ic</c> the pixels of class c up to it, <c>G_c</c> the pixels of class c; the weight
    /// <c>w_ic = J(k_ic, c_ic) - J(k_ic - 1, c_ic - f_ic)</c> with <c>J(k, c) = 1 - (G_c - c) / (G_c + k - c)</c>,
    /// under stop-gradient, computed without the difference as <c>LovaszHinge</c> does (<c>1 / U</c> or
    /// <c>(U - k) / (U (U - 1))</c>, <c>U = G_c + k - c</c>); <c>L = mean_{c: G_c &gt; 0} sum_i e_ic w_ic</c>. Two sorts
    /// per class (ranked sums, docs/language.md §6.10).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [P, C] (pixels of every image flattened, classes last:
    /// <c>z.permute(0, 2, 3, 1).reshape(-1, C)</c> of an NCHW tensor), labels <paramref name="y"/> [P]; a label outside
    /// [0, C) (an ignore label) is a pixel of no class, but its errors still count: drop ignored pixels before the call,
    /// as <c>flatten_probas(ignore=...)</c> does.</para>
    /// <para><b>PyTorch</b>: per present class c, <c>errors_sorted, perm = torch.sort((fg - p[:, c]).abs(), descending=True)</c>,
    /// <c>torch.dot(errors_sorted, lovasz_grad(fg[perm]))</c>; the mean of the classes' losses.</para>
    /// </remarks>
    /// <param name="z">Logits [P, C].</param>
    /// <param name="y">Class labels [P].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="classes">C.</param>
    [GeneratedLoss("""
        index c : classes;
        p[i, c] = softmax[c](z[i, c]);
        e[i, c] = abs((y[i] == c) - p[i, c]);
        k[i, c] = count[j](e[j, c] > e[i, c] || e[j, c] == e[i, c] && j <= i);
        gts[c] = count[i](y[i] == c);
        u[i, c] = gts[c] + k[i, c] - count[j](y[j] == c && (e[j, c] > e[i, c] || e[j, c] == e[i, c] && j <= i));
        w[i, c] = where(y[i] == c || k[i, c] == 1, 1 / u[i, c], (u[i, c] - k[i, c]) / (u[i, c] * (u[i, c] - 1)));
        mean[c | gts[c] > 0](sum[i](e[i, c] * sg(w[i, c])))
        """)]
    public static partial float LovaszSoftmax(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int classes);

    /// <summary>
    /// The clDice loss of TopoMortar (Shit et al.'s centerline Dice, with a Dice term): soft skeletons of the softmax
    /// probabilities and of the one-hot labels by 3 iterations of min-pool erosion and max-pool opening; the
    /// topological precision and sensitivity of the foreground classes; <c>(1 - alpha) Dice + alpha clDice</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S04 <c>cldice</c>; TopoMortar [code: jmlipman/TopoMortar <c>lib/losses.py</c> clDiceLoss,
    /// <c>lib/losses_cldice.py</c> soft_skel].</para>
    /// <para><b>Definition</b>: <c>p = softmax_c(z)</c>, <c>t</c> the one-hot labels; erosion
    /// <c>E(x) = min(min over the 3 × 1 window, min over the 1 × 3 window)</c>, dilation <c>D(x)</c> the max over the 3 × 3
    /// window, each window clipped to the image (max pooling's -inf padding; ties to the first maximum, as max_pool2d);
    /// <c>skel(x)</c>: <c>s = relu(x - D(E(x)))</c>, then 3 times <c>x = E(x)</c>, <c>d = relu(x - D(E(x)))</c>,
    /// <c>s = s + relu(d - s d)</c> (a repeat block, docs/language.md §7.2: each step is stored once, not inlined; the
    /// erosion of each step is a state too, <c>ei</c>, so that the opening's dilation reads it stored, 9 reads per
    /// pixel rather than an erosion recomputed for each of the 9, and the next step's image is that erosion);
    /// <c>Dice = -mean_{b,c} (2 sum p t + 1e-5) / max(sum t + sum p + 1e-5, 1e-8)</c> (sums over the pixels; TopoMortar's
    /// negative Dice); over the foreground classes <c>c &gt;= 1</c>, <c>Tprec = (sum skel(p) t + smooth) / (sum skel(p) + smooth)</c>
    /// and <c>Tsens = (sum skel(t) p + smooth) / (sum skel(t) + smooth)</c>; <c>clDice = 1 - 2 Tprec Tsens / (Tprec + Tsens)</c>;
    /// <c>L = (1 - alpha) Dice + alpha clDice</c>. The skeleton of the labels has no gradient (no adjoint is computed).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [B, C, H, W] (NCHW), labels <paramref name="y"/> [B, H, W] in [0, C).</para>
    /// <para><b>Defaults</b>: 3 iterations (TopoMortar's; another count is another declaration), <c>alpha = 0.5</c>,
    /// <c>smooth = 1</c>; <paramref name="three"/> is the window's length, 3.</para>
    /// <para><b>PyTorch</b>: TopoMortar's <c>clDiceLoss(iterations=3, alpha=0.5, smooth=1)</c> on <c>z</c> and <c>y</c>:
    /// <c>soft_skel</c> with <c>F.max_pool2d</c> of <c>-x</c> over (3, 1) and (1, 3), and of <c>x</c> over (3, 3), padding 1.</para>
    /// </remarks>
    /// <param name="z">Logits [B, C, H, W].</param>
    /// <param name="y">Labels [B, H, W].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="classes">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="alpha">The weight of clDice.</param>
    /// <param name="smooth">The smoothing of the topological precision and sensitivity.</param>
    /// <param name="three">The length of the pooling windows (3).</param>
    [GeneratedLoss("""
        index c : classes; index h : height; index w : width; index a, e : three;
        shape z[n, c, h, w]; shape y[n, h, w];
        p[n, c, h, w] = softmax[c](z[n, c, h, w]);
        t[n, c, h, w] = where(y[n, h, w] == c, 1, 0);
        erP[n, c, h, w] = min(min[a | 0 <= h + a - 1 && h + a - 1 < extent(h)](im[n, c, h + a - 1, w]), min[e | 0 <= w + e - 1 && w + e - 1 < extent(w)](im[n, c, h, w + e - 1]));
        dlP[n, c, h, w] = max[a, e | 0 <= h + a - 1 && h + a - 1 < extent(h) && 0 <= w + e - 1 && w + e - 1 < extent(w); ties = first](ei[n, c, h + a - 1, w + e - 1]);
        erT[n, c, h, w] = min(min[a | 0 <= h + a - 1 && h + a - 1 < extent(h)](gm[n, c, h + a - 1, w]), min[e | 0 <= w + e - 1 && w + e - 1 < extent(w)](gm[n, c, h, w + e - 1]));
        dlT[n, c, h, w] = max[a, e | 0 <= h + a - 1 && h + a - 1 < extent(h) && 0 <= w + e - 1 && w + e - 1 < extent(w); ties = first](ge[n, c, h + a - 1, w + e - 1]);
        im[n, c, h, w] = p[n, c, h, w];
        ei[n, c, h, w] = erP[n, c, h, w];
        sk[n, c, h, w] = relu(im[n, c, h, w] - dlP[n, c, h, w]);
        gm[n, c, h, w] = t[n, c, h, w];
        ge[n, c, h, w] = erT[n, c, h, w];
        gs[n, c, h, w] = relu(gm[n, c, h, w] - dlT[n, c, h, w]);
        repeat 3 {
            im[n, c, h, w] = ei[n, c, h, w];
            ei[n, c, h, w] = erP[n, c, h, w];
            sk[n, c, h, w] = sk[n, c, h, w] + relu(relu(im[n, c, h, w] - dlP[n, c, h, w]) - sk[n, c, h, w] * relu(im[n, c, h, w] - dlP[n, c, h, w]));
            gm[n, c, h, w] = ge[n, c, h, w];
            ge[n, c, h, w] = erT[n, c, h, w];
            gs[n, c, h, w] = gs[n, c, h, w] + relu(relu(gm[n, c, h, w] - dlT[n, c, h, w]) - gs[n, c, h, w] * relu(gm[n, c, h, w] - dlT[n, c, h, w]));
        }
        dice = -mean[n, c]((2 * sum[h, w](p[n, c, h, w] * t[n, c, h, w]) + 1e-5) / max(sum[h, w](t[n, c, h, w]) + sum[h, w](p[n, c, h, w]) + 1e-5, 1e-8));
        tprec = (sum[n, c, h, w | c >= 1](sk[n, c, h, w] * t[n, c, h, w]) + smooth) / (sum[n, c, h, w | c >= 1](sk[n, c, h, w]) + smooth);
        tsens = (sum[n, c, h, w | c >= 1](gs[n, c, h, w] * p[n, c, h, w]) + smooth) / (sum[n, c, h, w | c >= 1](gs[n, c, h, w]) + smooth);
        (1 - alpha) * dice + alpha * (1 - 2 * tprec * tsens / (tprec + tsens))
        """)]
    public static partial float ClDice(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int classes, int height, int width, float alpha = 0.5f, float smooth = 1f, int three = 3);

    /// <summary>
    /// NeuralNDCG of Pobrotyn and Białobrzeski: NDCG@k with the sort of the scores relaxed by NeuralSort and made
    /// doubly stochastic by 50 Sinkhorn normalizations, so that its gradient reaches every score; minus its mean over the
    /// lists whose ideal DCG is not 0.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: S08 <c>neural_ndcg</c>; NeuralNDCG: Direct Optimisation of a Ranking Metric via
    /// Differentiable Relaxation of Sorting [code: allRank <c>neuralNDCG</c>, deterministic, no padding].</para>
    /// <para><b>Definition</b>: per list, <c>Phat[r, i] = softmax_i(((n + 1 - 2 (r + 1)) s_i - sum_j |s_i - s_j|) / tau)</c>
    /// (row r of the relaxed permutation: the soft place r of each item); then 50 times, the columns and then the rows
    /// of P divided by their sums (at least 1e-10); gains <c>g = 2^y - 1</c>;
    /// <c>DCG = sum_{r &lt; k} (sum_i P[r, i] g_i) / log2(r + 2)</c>; the ideal DCG from the exact descending sort of
    /// the labels (a ranked sum: each item's place, ties by index, docs/language.md §6.10); <c>NDCG = DCG / (IDCG + 1e-10)</c>,
    /// 0 where IDCG = 0; <c>L = -sum NDCG / max(lists with IDCG &gt; 0, 1)</c>. The Sinkhorn steps are a repeat block
    /// (docs/language.md §7.2): each stage is stored once, and the gradient goes back through them (staged adjoints).</para>
    /// <para><b>Shapes</b>: scores <paramref name="s"/> and relevance labels <paramref name="y"/> (graded, &gt;= 0, as floats)
    /// [B, n]; lists of one length (no padding: pass whole lists). Memory: the kernels keep every Sinkhorn stage and its
    /// adjoint, 200 B n² floats.</para>
    /// <para><b>Defaults</b>: <c>tau = 1</c>; <c>k</c> = n for the whole list (allRank's default).</para>
    /// <para><b>PyTorch</b>: allRank's <c>neuralNDCG(y_pred=s, y_true=y, temperature=tau, k=k)</c>: <c>deterministic_neural_sort</c>,
    /// <c>sinkhorn_scaling(tol=1e-6, max_iter=50)</c>, <c>P_hat @ (2^y - 1)</c> with the discounts <c>1 / log2(r + 2)</c>,
    /// and <c>dcg(y, y, ats=[k])</c> for the ideal. allRank stops the scaling early once every row and column sums to 1
    /// within 1e-6, a test on the data; here all 50 steps run (the fixtures of tests/reference do the same: with the
    /// early stop, after 48 steps in one case, a small gradient element moves by 2.4e-4 relative).</para>
    /// </remarks>
    /// <param name="s">Scores [B, n].</param>
    /// <param name="y">Relevance labels [B, n].</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="n">The length of a list.</param>
    /// <param name="k">The rank at which NDCG is truncated (n for the whole list).</param>
    /// <param name="tau">NeuralSort's temperature.</param>
    [GeneratedLoss("""
        index r, i, j, q : n;
        P[b, r, i] = softmax[i](((n - 1 - 2 * r) * s[b, i] - sum[j](abs(s[b, i] - s[b, j]))) / tau);
        repeat 50 {
            P[b, r, i] = P[b, r, i] / max(sum[q](P[b, q, i]), 1e-10);
            P[b, r, i] = P[b, r, i] / max(sum[q](P[b, r, q]), 1e-10);
        }
        g[b, i] = 2^y[b, i] - 1;
        dcg[b] = sum[r | r < k](sum[i](P[b, r, i] * g[b, i]) / log2(r + 2));
        place[b, i] = count[j](y[b, j] > y[b, i] || y[b, j] == y[b, i] && j < i);
        idcg[b] = sum[i | place[b, i] < k](g[b, i] / log2(place[b, i] + 2));
        -sum[b | idcg[b] > 0](dcg[b] / (idcg[b] + 1e-10)) / max(count[b](idcg[b] > 0), 1)
        """)]
    public static partial float NeuralNdcg(ReadOnlySpan<float> s, ReadOnlySpan<float> y, Span<float> ds, int n, int k, float tau = 1f);
}
