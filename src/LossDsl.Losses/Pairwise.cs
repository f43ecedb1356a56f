using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section P (docs/losses.md): losses over pairs of a batch (N×N) or of items and proxies (N×M), contrastive,
/// triplet and proxy losses. Embeddings are row-major <c>[N, D]</c>. The pair matrices are never materialized: the
/// scheduler tiles them (docs/language.md §9.4).
/// </summary>
public static partial class Pairwise
{
    // ---- P01 triplet_margin -------------------------------------------------------------------------------------

    /// <summary>Triplet margin loss on explicit triplets: <c>mean_i [ ||a_i - p_i + eps|| - ||a_i - n_i + eps|| + margin ]_+</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P01 <c>triplet_margin</c> [classic]; FaceNet, SuSana Proto-Triplet, CFCD, SNR metric, Metrix.</para>
    /// <para><b>Shapes</b>: anchors <paramref name="a"/>, positives <paramref name="p"/> and negatives <paramref name="n"/> [N, D]; D is <paramref name="dim"/>.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1 and <paramref name="eps"/> = 1e-6, as <c>torch.nn.TripletMarginLoss</c> (the catalog's 0.05 is pytorch-metric-learning's, see <c>TripletMarginMined</c>).</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.triplet_margin_loss(a, p, n, margin=margin, p=2, eps=eps)</c>.</para>
    /// </remarks>
    /// <param name="a">Anchors [N, D].</param>
    /// <param name="p">Positives [N, D].</param>
    /// <param name="n">Negatives [N, D].</param>
    /// <param name="da">Receives dLoss/da.</param>
    /// <param name="dp">Receives dLoss/dp.</param>
    /// <param name="dn">Receives dLoss/dn.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="margin">The margin.</param>
    /// <param name="eps">Added to the differences before the norm, as torch's pairwise_distance.</param>
    [GeneratedLoss("""
        index d : dim;
        mean[i](relu(norm[d](a[i, d] - p[i, d] + eps) - norm[d](a[i, d] - n[i, d] + eps) + margin))
        """)]
    public static partial float TripletMargin(ReadOnlySpan<float> a, ReadOnlySpan<float> p, ReadOnlySpan<float> n,
        Span<float> da, Span<float> dp, Span<float> dn, int dim, float margin = 1f, float eps = 1e-6f);

    /// <summary>
    /// Triplet margin loss over every triplet of a labelled batch (pytorch-metric-learning's default: all triplets,
    /// L2 distance of normalized embeddings, mean over the triplets with a positive loss):
    /// <c>sum_{(i,j,k)} [d_ij - d_ik + margin]_+ / #{(i,j,k) : d_ij - d_ik + margin &gt; 0}</c>, j != i with y_j = y_i, y_k != y_i.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P01 <c>triplet_margin</c> [classic] (mining "all", reducer: mean over non-zero terms); pytorch-metric-learning TripletMarginLoss.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N]. The triplets are a
    /// reduction over N³ triplets computed as nested loops (O(N³)); the N×N distances are computed once.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 0.05 (pytorch-metric-learning). No triplet with a positive loss gives 0.</para>
    /// <para><b>PyTorch</b>: <c>zn = F.normalize(z); d = torch.cdist(zn, zn)</c>; the triplets' <c>relu(d[a,p] - d[a,n] + margin)</c>, summed over the non-zero ones and divided by their number (pytorch-metric-learning AvgNonZeroReducer).</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="margin">The margin.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        dist[i, j] = sqrt(max(sum[d]((zn[i, d] - zn[j, d])^2), 1e-12));
        v[i, j, k] = dist[i, j] - dist[i, k] + margin;
        total = sum[i, j, k | j != i && y[j] == y[i] && y[k] != y[i]](relu(v[i, j, k]));
        active = count[i, j, k | j != i && y[j] == y[i] && y[k] != y[i]](v[i, j, k] > 0);
        total / max(active, 1)
        """)]
    public static partial float TripletMarginMined(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float margin = 0.05f);

    /// <summary>
    /// Triplet margin loss with batch-hard mining (Hermans et al. 2017): for each anchor with a positive and a
    /// negative, <c>[max_p d_ip - min_n d_in + margin]_+</c> over L2 distances of normalized embeddings; mean over
    /// the anchors whose loss is positive.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P01 <c>triplet_margin</c> [classic] (mining "batch-hard", reducer: mean over non-zero terms).</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N]; the hardest positive and negative are streamed over the pair tiles.</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 0.05 (pytorch-metric-learning; FaceNet 0.2).</para>
    /// <para><b>PyTorch</b>: <c>d = torch.cdist(F.normalize(z), F.normalize(z))</c>; <c>hp = d.masked_fill(~pos, -inf).amax(1)</c>, <c>hn = d.masked_fill(~neg, inf).amin(1)</c>; <c>l = relu(hp - hn + margin)</c> over anchors with both; sum / #(l &gt; 0) (pytorch-metric-learning BatchHardMiner + TripletMarginLoss).</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="margin">The margin.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        dist[i, j] = sqrt(max(sum[d]((zn[i, d] - zn[j, d])^2), 1e-12));
        valid[i] = count[j | j != i && y[j] == y[i]](1) > 0 && count[j | y[j] != y[i]](1) > 0;
        v[i] = max[j | j != i && y[j] == y[i]](dist[i, j]) - min[j | y[j] != y[i]](dist[i, j]) + margin;
        sum[i | valid[i]](relu(v[i])) / max(count[i | valid[i]](v[i] > 0), 1)
        """)]
    public static partial float TripletMarginBatchHard(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float margin = 0.05f);

    // ---- P02 contrastive_hadsell --------------------------------------------------------------------------------

    /// <summary>Contrastive loss on explicit pairs (Hadsell et al. 2006): <c>mean_i y_i d_i^2 + (1 - y_i) [margin - d_i]_+^2</c>, <c>d_i = ||x1_i - x2_i||</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P02 <c>contrastive_hadsell</c> [classic]; Siamese networks, SNR contrastive, Metrix.</para>
    /// <para><b>Shapes</b>: pairs <paramref name="x1"/>, <paramref name="x2"/> [N, D], similarity <paramref name="y"/> [N] (1 similar, 0 dissimilar; soft values allowed).</para>
    /// <para><b>Defaults</b>: <paramref name="margin"/> = 1 (pytorch-metric-learning's <c>neg_margin</c>).</para>
    /// <para><b>PyTorch</b>: <c>d = (x1 - x2).norm(dim=1); (y * d**2 + (1 - y) * F.relu(margin - d)**2).mean()</c>.</para>
    /// </remarks>
    /// <param name="x1">First items of the pairs [N, D].</param>
    /// <param name="x2">Second items of the pairs [N, D].</param>
    /// <param name="y">1 for a similar pair, 0 for a dissimilar one [N].</param>
    /// <param name="dx1">Receives dLoss/dx1.</param>
    /// <param name="dx2">Receives dLoss/dx2.</param>
    /// <param name="margin">The margin of dissimilar pairs.</param>
    [GeneratedLoss("""
        dist[i] = norm[d](x1[i, d] - x2[i, d]);
        mean[i](y[i] * dist[i]^2 + (1 - y[i]) * relu(margin - dist[i])^2)
        """)]
    public static partial float Contrastive(ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> y,
        Span<float> dx1, Span<float> dx2, float margin = 1f);

    /// <summary>
    /// Contrastive loss over every pair of a labelled batch (pytorch-metric-learning ContrastiveLoss): positive pairs
    /// <c>[d - posMargin]_+</c>, negative pairs <c>[negMargin - d]_+</c>, each averaged over its non-zero terms, summed;
    /// L2 distance of normalized embeddings.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P02 <c>contrastive_hadsell</c> [classic], the pytorch-metric-learning variant.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N]; ordered pairs i != j.</para>
    /// <para><b>Defaults</b>: <paramref name="posMargin"/> = 0, <paramref name="negMargin"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>d = torch.cdist(F.normalize(z), F.normalize(z))</c>; <c>lp = relu(d[pos] - posMargin)</c>, <c>ln = relu(negMargin - d[neg])</c>; <c>lp.sum() / max(#(lp &gt; 0), 1) + ln.sum() / max(#(ln &gt; 0), 1)</c>.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="posMargin">Positive pairs closer than this cost nothing.</param>
    /// <param name="negMargin">Negative pairs farther than this cost nothing.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        dist[i, j] = sqrt(max(sum[d]((zn[i, d] - zn[j, d])^2), 1e-12));
        sp = sum[i, j | j != i && y[j] == y[i]](relu(dist[i, j] - posMargin));
        cp = count[i, j | j != i && y[j] == y[i]](dist[i, j] - posMargin > 0);
        sn = sum[i, j | y[j] != y[i]](relu(negMargin - dist[i, j]));
        cn = count[i, j | y[j] != y[i]](negMargin - dist[i, j] > 0);
        sp / max(cp, 1) + sn / max(cn, 1)
        """)]
    public static partial float ContrastivePairs(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float posMargin = 0f, float negMargin = 1f);

    // ---- P03 infonce_nt_xent ------------------------------------------------------------------------------------

    /// <summary>InfoNCE / NT-Xent over L2-normalized embeddings with one positive per row: <c>mean_i lse_{j != i}(s_ij) - s_{i, pos_i}</c>, <c>s = n(z) n(z)^T / tau</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P03 <c>infonce_nt_xent</c> [classic]; SimCLR and the contrastive papers of the catalog.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D] (both views stacked), positive index <paramref name="pos"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 0.5.</para>
    /// <para><b>PyTorch</b>: <c>zn = F.normalize(z); s = zn @ zn.T / tau; s.fill_diagonal_(-inf); F.cross_entropy(s, pos)</c>.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="pos">The index of each row's positive [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
        """)]
    public static partial float InfoNce(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, float tau = 0.5f);

    /// <summary>Decoupled InfoNCE (the positive removed from the denominator): <c>mean_i lse_{j != i, j != pos_i}(s_ij) - s_{i, pos_i}</c>, <c>s = n(z) n(z)^T / tau</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P03 <c>infonce_nt_xent</c> [classic], the decoupled variant (Yeh et al. 2022; cf. P14).</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], positive index <paramref name="pos"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 0.5.</para>
    /// <para><b>PyTorch</b>: <c>s = zn @ zn.T / tau</c> with the diagonal and each row's positive set to -inf; <c>(torch.logsumexp(s, 1) - s_pos).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="pos">The index of each row's positive [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        mean[i](logsumexp[j | j != i && j != pos[i]](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
        """)]
    public static partial float InfoNceDecoupled(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, float tau = 0.5f);

    /// <summary>
    /// NT-Xent with label-defined positives (pytorch-metric-learning NTXentLoss): every positive pair (i, j), j != i,
    /// y_j = y_i, is a softmax of its similarity against the negatives of i: <c>mean_{(i,j)} -log(e^{s_ij} / (e^{s_ij} + sum_{k: y_k != y_i} e^{s_ik}))</c>, <c>s = n(z) n(z)^T / tau</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P03 <c>infonce_nt_xent</c> [classic], label-based positives; pytorch-metric-learning ntxent_loss.py.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 0.07 (pytorch-metric-learning).</para>
    /// <para><b>PyTorch</b>: <c>s = F.normalize(z) @ F.normalize(z).T / tau</c>; for each positive pair <c>-(s_ij - torch.logaddexp(s_ij, torch.logsumexp(s_i[neg_i])))</c>, mean over the positive pairs.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        negl[i] = logsumexp[k | y[k] != y[i]](s[i, k]);
        mean[i, j | j != i && y[j] == y[i]](softplus(negl[i] - s[i, j]))
        """)]
    public static partial float NtXentLabels(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float tau = 0.07f);

    // ---- P04 clip_symmetric_infonce -----------------------------------------------------------------------------

    /// <summary>
    /// CLIP's symmetric InfoNCE: <c>S = min(exp(t), maxScale) n(x) n(y)^T</c>, <c>L = 0.5 (CE_rows(S, arange) + CE_cols(S, arange))</c>,
    /// each cross-entropy with label smoothing <paramref name="smoothing"/>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P04 <c>clip_symmetric_infonce</c> [classic]; M2-Encoder, LexLIP, Sparse-CBM, CWCL baseline; BLIP-2 ITC (smoothing 0.1).</para>
    /// <para><b>Shapes</b>: image embeddings <paramref name="x"/> [N, D], text embeddings <paramref name="y"/> [N, D] (row i of each is a pair), learnable log scale <paramref name="t"/> [1].</para>
    /// <para><b>Defaults</b>: initialize <paramref name="t"/> to log(1/0.07); <paramref name="maxScale"/> = 100; <paramref name="smoothing"/> = 0.</para>
    /// <para><b>PyTorch</b>: <c>S = torch.clamp(t.exp(), max=maxScale) * F.normalize(x) @ F.normalize(y).T; 0.5 * (F.cross_entropy(S, r, label_smoothing=smoothing) + F.cross_entropy(S.T, r, label_smoothing=smoothing))</c>, <c>r = torch.arange(N)</c>.</para>
    /// </remarks>
    /// <param name="x">Image embeddings [N, D].</param>
    /// <param name="y">Text embeddings [N, D].</param>
    /// <param name="t">The learnable log logit scale [1].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dy">Receives dLoss/dy.</param>
    /// <param name="dt">Receives dLoss/dt (0 while the scale is clamped).</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="maxScale">The clamp of exp(t).</param>
    /// <param name="smoothing">Label smoothing of both cross-entropies.</param>
    [GeneratedLoss("""
        index d, e : dim;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        yn[j, d] = y[j, d] / norm[e](y[j, e]);
        s[i, j] = min(exp(t[0]), maxScale) * sum[d](xn[i, d] * yn[j, d]);
        rows = mean[i](logsumexp[j](s[i, j]) - (1 - smoothing) * s[i, i] - smoothing * mean[j](s[i, j]));
        cols = mean[j](logsumexp[i](s[i, j]) - (1 - smoothing) * s[j, j] - smoothing * mean[i](s[i, j]));
        0.5 * (rows + cols)
        """)]
    public static partial float Clip(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> t,
        Span<float> dx, Span<float> dy, Span<float> dt, int dim, float maxScale = 100f, float smoothing = 0f);

    // ---- P05 siglip_sigmoid -------------------------------------------------------------------------------------

    /// <summary>
    /// SigLIP's pairwise sigmoid loss: <c>L = (1/N) sum_{i,j} softplus(-z_ij (exp(t) &lt;n(x_i), n(y_j)&gt; + b))</c>, <c>z_ij = +1 if i == j else -1</c>,
    /// with a learnable log temperature and bias.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P05 <c>siglip_sigmoid</c> [classic]; UniViTAR, Video-ColBERT (P26).</para>
    /// <para><b>Shapes</b>: image embeddings <paramref name="x"/> [N, D], text embeddings <paramref name="y"/> [N, D] (normalized here, as big_vision's model does before the loss), <paramref name="t"/> [1], <paramref name="b"/> [1].</para>
    /// <para><b>Defaults</b>: initialize <paramref name="t"/> to log 10 and <paramref name="b"/> to -10.</para>
    /// <para><b>PyTorch</b>: <c>logits = t.exp() * F.normalize(x) @ F.normalize(y).T + b; labels = 2 * torch.eye(N) - 1; -F.logsigmoid(labels * logits).sum() / N</c>.</para>
    /// </remarks>
    /// <param name="x">Image embeddings [N, D].</param>
    /// <param name="y">Text embeddings [N, D].</param>
    /// <param name="t">The learnable log temperature [1].</param>
    /// <param name="b">The learnable bias [1].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dy">Receives dLoss/dy.</param>
    /// <param name="dt">Receives dLoss/dt.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="dim">The feature dimension D.</param>
    [GeneratedLoss("""
        index d, e : dim;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        yn[j, d] = y[j, d] / norm[e](y[j, e]);
        s[i, j] = exp(t[0]) * sum[d](xn[i, d] * yn[j, d]) + b[0];
        mean[i](sum[j](softplus(-where(i == j, 1, -1) * s[i, j])))
        """)]
    public static partial float SigLip(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> t, ReadOnlySpan<float> b,
        Span<float> dx, Span<float> dy, Span<float> dt, Span<float> db, int dim);

    // ---- P06 supcon ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Supervised contrastive loss (Khosla et al. 2020, "out" form): <c>l_i = -(1/|P(i)|) sum_{p in P(i)} [s_ip - lse_{a != i}(s_ia)]</c>,
    /// <c>P(i) = {p != i : y_p = y_i}</c>, <c>s = n(z) n(z)^T / tau</c>; mean over the anchors that have a positive.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P06 <c>supcon</c> [classic]; base of WhitenedCSE, ConR, ProtoECGNet, DEXML comparisons.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D] (all views stacked, views of one sample share a label), labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 0.1 (pytorch-metric-learning; the SupCon paper uses 0.07).</para>
    /// <para><b>PyTorch</b>: pytorch-metric-learning SupConLoss: <c>s = F.normalize(z) @ F.normalize(z).T / tau</c>; <c>log_prob = s - logsumexp over a != i</c>; <c>-(pos * log_prob).sum(1) / pos.sum(1)</c>, averaged over the anchors with a positive (AvgNonZeroReducer).</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
        npos[i] = count[p | p != i && y[p] == y[i]](1);
        l[i] = logsumexp[a | a != i](s[i, a]) - sum[p | p != i && y[p] == y[i]](s[i, p]) / max(npos[i], 1);
        mean[i | npos[i] > 0](l[i])
        """)]
    public static partial float SupCon(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float tau = 0.1f);

    // ---- P07 bpr_align_uniform ----------------------------------------------------------------------------------

    /// <summary>Bayesian personalized ranking: <c>-mean_i log sig(&lt;u_i, ipos_i&gt; - &lt;u_i, ineg_i&gt;)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P07 <c>bpr_align_uniform</c> [classic] (BPR); CM3.</para>
    /// <para><b>Shapes</b>: users <paramref name="u"/>, positive items <paramref name="ipos"/>, negative items <paramref name="ineg"/> [N, D].</para>
    /// <para><b>PyTorch</b>: <c>-F.logsigmoid((u * ipos).sum(1) - (u * ineg).sum(1)).mean()</c>.</para>
    /// </remarks>
    /// <param name="u">User embeddings [N, D].</param>
    /// <param name="ipos">Positive item embeddings [N, D].</param>
    /// <param name="ineg">Negative item embeddings [N, D].</param>
    /// <param name="du">Receives dLoss/du.</param>
    /// <param name="dipos">Receives dLoss/dipos.</param>
    /// <param name="dineg">Receives dLoss/dineg.</param>
    /// <param name="dim">The feature dimension D.</param>
    [GeneratedLoss("""
        index d : dim;
        mean[i](softplus(sum[d](u[i, d] * ineg[i, d]) - sum[d](u[i, d] * ipos[i, d])))
        """)]
    public static partial float Bpr(ReadOnlySpan<float> u, ReadOnlySpan<float> ipos, ReadOnlySpan<float> ineg,
        Span<float> du, Span<float> dipos, Span<float> dineg, int dim);

    /// <summary>Alignment (Wang and Isola 2020): <c>mean_i ||x_i - y_i||^alpha</c> over positive pairs.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P07 <c>bpr_align_uniform</c> [classic] (alignment); CM3, WhitenedCSE, Understanding the Behaviour of Contrastive Loss.</para>
    /// <para><b>Shapes</b>: <paramref name="x"/>, <paramref name="y"/> [N, D] (usually normalized by the caller).</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>(x - y).norm(p=2, dim=1).pow(alpha).mean()</c> (align_loss of the authors' code).</para>
    /// </remarks>
    /// <param name="x">First views [N, D].</param>
    /// <param name="y">Second views [N, D].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dy">Receives dLoss/dy.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="alpha">The power of the distance.</param>
    [GeneratedLoss("""
        index d : dim;
        mean[i](norm[d](x[i, d] - y[i, d])^alpha)
        """)]
    public static partial float Alignment(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> dy, int dim, float alpha = 2f);

    /// <summary>Uniformity (Wang and Isola 2020): <c>log mean_{i&lt;j} exp(-t ||x_i - x_j||^2)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P07 <c>bpr_align_uniform</c> [classic] (uniformity); CM3, WhitenedCSE, Understanding the Behaviour of Contrastive Loss.</para>
    /// <para><b>Shapes</b>: <paramref name="x"/> [N, D] (usually normalized by the caller); the pairs i &lt; j of torch.pdist.</para>
    /// <para><b>Defaults</b>: <paramref name="t"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()</c> (uniform_loss of the authors' code).</para>
    /// </remarks>
    /// <param name="x">Embeddings [N, D].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="t">The scale of the squared distances.</param>
    [GeneratedLoss("""
        index d : dim;
        log(mean[i, j | i < j](exp(-t * sum[d]((x[i, d] - x[j, d])^2))))
        """)]
    public static partial float Uniformity(ReadOnlySpan<float> x, Span<float> dx, int dim, float t = 2f);

    // ---- P08 cm3_calibrated_uniformity --------------------------------------------------------------------------

    /// <summary>
    /// CM³ calibrated uniformity: <c>L = align(u, ipos) + (gamma/2) [uniform(u) + log mean_{i&lt;j} exp(-t (||x_i - x_j||^2 - 2 + 2 sim_ij))]</c>,
    /// <c>sim_ij = clamp(sim_ij, minSim, maxSim)</c>, align with alpha = 2.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P08 <c>cm3_calibrated_uniformity</c>; CM³: Calibrating Multimodal Recommendation.</para>
    /// <para><b>Shapes</b>: users <paramref name="u"/> and their positive items <paramref name="ipos"/> [N, D], items <paramref name="x"/> [M, D], the items' multimodal similarity <paramref name="sim"/> [M, M] (a constant). Embeddings are unit-norm (normalized by the caller).</para>
    /// <para><b>Defaults</b>: <paramref name="t"/> = 2, <paramref name="gamma"/> = 0.5 (grid 0.5 / 0.9); <paramref name="minSim"/>, <paramref name="maxSim"/> are tuned per data set.</para>
    /// <para><b>PyTorch</b>: <c>(u - ipos).norm(dim=1).pow(2).mean() + gamma / 2 * (torch.pdist(u).pow(2).mul(-t).exp().mean().log() + (-t * (torch.cdist(x, x).pow(2) - 2 + 2 * sim.clamp(minSim, maxSim))).exp()[triu(1)].mean().log())</c>.</para>
    /// </remarks>
    /// <param name="u">User embeddings [N, D].</param>
    /// <param name="ipos">Positive item embeddings [N, D].</param>
    /// <param name="x">Item embeddings [M, D].</param>
    /// <param name="sim">Multimodal item-feature similarity [M, M].</param>
    /// <param name="du">Receives dLoss/du.</param>
    /// <param name="dipos">Receives dLoss/dipos.</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="minSim">Lower clamp of the similarity.</param>
    /// <param name="maxSim">Upper clamp of the similarity.</param>
    /// <param name="gamma">The weight of the uniformity terms.</param>
    /// <param name="t">The scale of the squared distances.</param>
    [GeneratedLoss("""
        index d : dim;
        align = mean[i](sum[d]((u[i, d] - ipos[i, d])^2));
        uni = log(mean[i, j | i < j](exp(-t * sum[d]((u[i, d] - u[j, d])^2))));
        cal = log(mean[a, b | a < b](exp(-t * (sum[d]((x[a, d] - x[b, d])^2) - 2 + 2 * clamp(sim[a, b], minSim, maxSim)))));
        align + gamma / 2 * (uni + cal)
        """)]
    public static partial float CalibratedUniformity(ReadOnlySpan<float> u, ReadOnlySpan<float> ipos, ReadOnlySpan<float> x, ReadOnlySpan<float> sim,
        Span<float> du, Span<float> dipos, Span<float> dx, int dim, float minSim, float maxSim, float gamma = 0.5f, float t = 2f);

    // ---- P10 circle / proxy_anchor ------------------------------------------------------------------------------

    /// <summary>
    /// Circle loss (Sun et al. 2020) with class labels, on cosine similarities:
    /// <c>l_i = softplus(lse_{n}(gamma a_n (s_n - m)) + lse_{p}(-gamma a_p (s_p - 1 + m)))</c>, <c>a_p = [1 + m - sg(s_p)]_+</c>,
    /// <c>a_n = [sg(s_n) + m]_+</c>; mean over the anchors with a positive and a negative.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P10 <c>circle</c> [classic]; compared by UNPG, mixed by Metrix.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="m"/> = 0.4, <paramref name="gamma"/> = 80 (pytorch-metric-learning).</para>
    /// <para><b>PyTorch</b>: pytorch-metric-learning CircleLoss: <c>s = F.normalize(z) @ F.normalize(z).T</c>; masked logsumexps of <c>-gamma * relu(1 + m - s.detach()) * (s - (1 - m))</c> over positives and <c>gamma * relu(s.detach() + m) * (s - m)</c> over negatives; <c>F.softplus(lp + ln)</c>, averaged over the rows with both.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="m">The relaxation margin.</param>
    /// <param name="gamma">The scale.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        s[i, j] = sum[d](zn[i, d] * zn[j, d]);
        lp[i] = logsumexp[j | j != i && y[j] == y[i]](-gamma * sg(relu(1 + m - s[i, j])) * (s[i, j] - 1 + m));
        ln[i] = logsumexp[j | y[j] != y[i]](gamma * sg(relu(s[i, j] + m)) * (s[i, j] - m));
        valid[i] = count[j | j != i && y[j] == y[i]](1) > 0 && count[j | y[j] != y[i]](1) > 0;
        mean[i | valid[i]](softplus(lp[i] + ln[i]))
        """)]
    public static partial float Circle(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float m = 0.4f, float gamma = 80f);

    /// <summary>
    /// Proxy-Anchor loss (Kim et al. 2020): one learnable proxy per class;
    /// <c>L = (1/|C+|) sum_{c in C+} log(1 + sum_{i: y_i = c} e^{-alpha (s_ic - delta)}) + (1/C) sum_c log(1 + sum_{i: y_i != c} e^{alpha (s_ic + delta)})</c>,
    /// <c>s</c> the cosine similarities of embeddings and proxies, <c>C+</c> the classes present in the batch.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P10 <c>proxy_anchor</c> [classic]; compared by UNPG, mixed by Metrix.</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="x"/> [N, D], labels <paramref name="y"/> [N] in [0, C), proxies <paramref name="p"/> [C, D]. The reductions run over the batch per proxy (column-wise).</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 32, <paramref name="delta"/> = 0.1.</para>
    /// <para><b>PyTorch</b>: pytorch-metric-learning ProxyAnchorLoss: <c>cos = F.normalize(x) @ F.normalize(p).T</c>; <c>pos = F.one_hot(y, C)</c>; <c>log1p((exp(-alpha (cos - delta)) * pos).sum(0)).sum() / #present + log1p((exp(alpha (cos + delta)) * (1 - pos)).sum(0)).sum() / C</c>.</para>
    /// </remarks>
    /// <param name="x">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="p">Proxies [C, D].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dp">Receives dLoss/dp.</param>
    /// <param name="classes">The number of classes C (rows of the proxies).</param>
    /// <param name="alpha">The scale.</param>
    /// <param name="delta">The margin.</param>
    [GeneratedLoss("""
        index c : classes;
        xn[i, d] = x[i, d] / norm[e](x[i, e]);
        pn[c, d] = p[c, d] / norm[e](p[c, e]);
        s[i, c] = sum[d](xn[i, d] * pn[c, d]);
        present[c] = count[i](y[i] == c) > 0;
        sum[c | present[c]](log1p(sum[i | y[i] == c](exp(-alpha * (s[i, c] - delta))))) / max(count[c](present[c]), 1)
            + mean[c](log1p(sum[i | y[i] != c](exp(alpha * (s[i, c] + delta)))))
        """)]
    public static partial float ProxyAnchor(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> p, Span<float> dx, Span<float> dp,
        int classes, float alpha = 32f, float delta = 0.1f);

    // ---- P12 snr_distance_losses --------------------------------------------------------------------------------

    /// <summary>
    /// Contrastive loss on the signal-to-noise-ratio distance (Yuan et al. 2019): <c>d_ij = Var(n(z_j) - n(z_i)) / Var(n(z_i))</c>
    /// (variances over the feature axis), positive pairs <c>[d - posMargin]_+</c> and negative pairs <c>[negMargin - d]_+</c>,
    /// each averaged over its non-zero terms, summed.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P12 <c>snr_distance_losses</c>; Signal-to-Noise Ratio: A Robust Distance Metric for DML. The paper's embedding regularizer is not included [unconfirmed].</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="z"/> [N, D], labels <paramref name="y"/> [N]; ordered pairs i != j (the distance is asymmetric).</para>
    /// <para><b>Defaults</b>: <paramref name="posMargin"/> = 0, <paramref name="negMargin"/> = 1 (pytorch-metric-learning SignalToNoiseRatioContrastiveLoss).</para>
    /// <para><b>PyTorch</b>: pytorch-metric-learning SNRDistance on <c>zn = F.normalize(z)</c>: <c>torch.var(zn[:, None] - zn[None], dim=2) / torch.var(zn, dim=1)[:, None]</c>, then the contrastive reduction of <c>ContrastivePairs</c>.</para>
    /// </remarks>
    /// <param name="z">Embeddings [N, D].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="posMargin">Positive pairs closer than this cost nothing.</param>
    /// <param name="negMargin">Negative pairs farther than this cost nothing.</param>
    [GeneratedLoss("""
        zn[i, d] = z[i, d] / norm[e](z[i, e]);
        mz[i] = mean[d](zn[i, d]);
        va[i] = mean[d](zn[i, d]^2) - mz[i]^2;
        dist[i, j] = (mean[d]((zn[j, d] - zn[i, d])^2) - (mz[j] - mz[i])^2) / va[i];
        sp = sum[i, j | j != i && y[j] == y[i]](relu(dist[i, j] - posMargin));
        cp = count[i, j | j != i && y[j] == y[i]](dist[i, j] - posMargin > 0);
        sn = sum[i, j | y[j] != y[i]](relu(negMargin - dist[i, j]));
        cn = count[i, j | y[j] != y[i]](negMargin - dist[i, j] > 0);
        sp / max(cp, 1) + sn / max(cn, 1)
        """)]
    public static partial float SnrContrastive(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float posMargin = 0f, float negMargin = 1f);

    // ---- P14 decoupled_softmax ----------------------------------------------------------------------------------

    /// <summary>
    /// Decoupled softmax for multi-label retrieval (DEXML): <c>L_i = mean_{j in P(i)} -log(e^{s_ij} / (e^{s_ij} + sum_{k not in P(i)} e^{s_ik}))
    /// = mean_{j in P(i)} softplus(lse_{k not in P(i)}(s_ik) - s_ij)</c>, <c>s = q l^T / tau</c>; mean over the queries with a positive.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P14 <c>decoupled_softmax</c> [recalled]; Dual-Encoders for Extreme Multi-Label Classification (DEXML).</para>
    /// <para><b>Shapes</b>: queries <paramref name="q"/> [Nq, D], labels <paramref name="l"/> [Nl, D] (in-batch and hard negatives), multi-hot positives <paramref name="pos"/> [Nq, Nl] (1 positive, 0 negative).</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="tau"/>.</para>
    /// <para><b>PyTorch</b>: <c>s = q @ l.T / tau</c>; <c>neg = torch.logsumexp(s.masked_fill(pos &gt; 0, -inf), 1)</c>; per positive <c>-(s - torch.logaddexp(s, neg))</c>, mean over each query's positives, mean over queries with a positive.</para>
    /// </remarks>
    /// <param name="q">Query embeddings [Nq, D].</param>
    /// <param name="l">Label embeddings [Nl, D].</param>
    /// <param name="pos">Multi-hot positive mask [Nq, Nl].</param>
    /// <param name="dq">Receives dLoss/dq.</param>
    /// <param name="dl">Receives dLoss/dl.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        index d : dim;
        s[i, j] = sum[d](q[i, d] * l[j, d]) / tau;
        negl[i] = logsumexp[k | pos[i, k] == 0](s[i, k]);
        npos[i] = count[j | pos[i, j] != 0](1);
        mean[i | npos[i] > 0](sum[j | pos[i, j] != 0](softplus(negl[i] - s[i, j])) / max(npos[i], 1))
        """)]
    public static partial float DecoupledSoftmax(ReadOnlySpan<float> q, ReadOnlySpan<float> l, ReadOnlySpan<float> pos,
        Span<float> dq, Span<float> dl, int dim, float tau);

    // ---- P15 robust_global_contrastive (iSogCLR) ----------------------------------------------------------------

    /// <summary>
    /// The robust global contrastive objective of iSogCLR on a mini-batch, with individual learnable temperatures:
    /// <c>F = mean_i [ (tau_i + tau2_i) rho + tau_i log mean_{j != i} e^{h_ij / tau_i} + tau2_i log mean_{j != i} e^{h2_ij / tau2_i} ]</c>,
    /// <c>h_ij = &lt;x_i, t_j&gt; - &lt;x_i, t_i&gt;</c> (image to text), <c>h2_ij = &lt;x_j, t_i&gt; - &lt;x_i, t_i&gt;</c> (text to image).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P15 <c>robust_global_contrastive</c>; Not All Semantics are Created Equal (iSogCLR, LibAUC GCLoss_v2).</para>
    /// <para><b>Shapes</b>: image features <paramref name="x"/> and text features <paramref name="t"/> [N, D] (normalized by the caller), per-sample temperatures <paramref name="tau"/> and <paramref name="tau2"/> [N].
    /// The inner means are the mini-batch estimates: SogCLR's moving averages <c>u_i</c> and the temperature updates with clipping to [tau_min, tau_max] are optimizer state across steps, outside this loss.</para>
    /// <para><b>Defaults</b>: <paramref name="rho"/> = 6 (LibAUC); temperatures start at 0.01.</para>
    /// <para><b>PyTorch</b>: <c>S = x @ t.T; h = S - S.diag()[:, None]; h2 = S.T - S.diag()[:, None]</c>; off-diagonal <c>torch.logsumexp(h / tau[:, None]) - log(N - 1)</c>, likewise for h2 with tau2; the formula above.</para>
    /// </remarks>
    /// <param name="x">Image features [N, D].</param>
    /// <param name="t">Text features [N, D].</param>
    /// <param name="tau">Per-image temperatures [N].</param>
    /// <param name="tau2">Per-text temperatures [N].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dt">Receives dLoss/dt.</param>
    /// <param name="dtau">Receives dLoss/dtau.</param>
    /// <param name="dtau2">Receives dLoss/dtau2.</param>
    /// <param name="rho">The robustness constant of the temperature terms.</param>
    [GeneratedLoss("""
        s[i, j] = sum[d](x[i, d] * t[j, d]);
        img[i] = tau[i] * (logsumexp[j | j != i]((s[i, j] - s[i, i]) / tau[i]) - log(count[j | j != i](tau[j] == tau[j])));
        txt[i] = tau2[i] * (logsumexp[j | j != i]((s[j, i] - s[i, i]) / tau2[i]) - log(count[j | j != i](tau[j] == tau[j])));
        mean[i]((tau[i] + tau2[i]) * rho + img[i] + txt[i])
        """)]
    public static partial float RobustGlobalContrastive(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<float> tau, ReadOnlySpan<float> tau2,
        Span<float> dx, Span<float> dt, Span<float> dtau, Span<float> dtau2, float rho = 6f);

    // ---- P17 focal_infonce_hard_negative_mixing -----------------------------------------------------------------

    /// <summary>
    /// Focal InfoNCE: <c>mean_i -(1 - p_i)^gamma log p_i</c>, <c>p_i = softmax_j(s_ij)_i</c>, <c>s = n(q) n(k)^T / tau</c> (row i of
    /// <paramref name="k"/> is the positive of query i, the other rows its negatives).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P17 <c>focal_infonce_hard_negative_mixing</c> [paper, unconfirmed]; KaLM-Embedding-V2. The focal weight is not detached (whether the paper detaches it is unconfirmed). The hard-negative mixing synthesizes extra negative rows, which the caller appends to <paramref name="k"/> (they then have no query).</para>
    /// <para><b>Shapes</b>: queries <paramref name="q"/> [N, D], keys <paramref name="k"/> [M, D], M ≥ N; query i's positive is key i.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="tau"/> and <paramref name="gamma"/>.</para>
    /// <para><b>PyTorch</b>: <c>logp = F.log_softmax(F.normalize(q) @ F.normalize(k).T / tau, 1).diagonal()</c>; <c>(-(1 - logp.exp()) ** gamma * logp).mean()</c>.</para>
    /// </remarks>
    /// <param name="q">Query embeddings [N, D].</param>
    /// <param name="k">Key embeddings [M, D].</param>
    /// <param name="dq">Receives dLoss/dq.</param>
    /// <param name="dk">Receives dLoss/dk.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="tau">Temperature.</param>
    /// <param name="gamma">The focusing exponent.</param>
    [GeneratedLoss("""
        index d, e : dim;
        qn[i, d] = q[i, d] / norm[e](q[i, e]);
        kn[j, d] = k[j, d] / norm[e](k[j, e]);
        s[i, j] = sum[d](qn[i, d] * kn[j, d]) / tau;
        lp[i] = sum[j | j == i](s[i, j]) - logsumexp[j](s[i, j]);
        mean[i](-(-expm1(lp[i]))^gamma * lp[i])
        """)]
    public static partial float FocalInfoNce(ReadOnlySpan<float> q, ReadOnlySpan<float> k, Span<float> dq, Span<float> dk, int dim, float tau, float gamma);

    // ---- P18 mann_whitney_auc -----------------------------------------------------------------------------------

    /// <summary>Mann–Whitney (pairwise AUC) loss: <c>mean_{q, a, b} softplus(sn_qb - sp_qa)</c> = <c>mean BCE(sig(sp - sn), 1)</c> over every (positive, negative) pair of a query.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P18 <c>mann_whitney_auc</c> [paper]; Optimizing What Matters: AUC-Driven Learning for Robust Neural Retrieval.</para>
    /// <para><b>Shapes</b>: positive scores <paramref name="sp"/> [Q, P], negative scores <paramref name="sn"/> [Q, Nn]; Q is <paramref name="queries"/>.</para>
    /// <para><b>PyTorch</b>: <c>F.softplus(sn[:, None, :] - sp[:, :, None]).mean()</c>.</para>
    /// </remarks>
    /// <param name="sp">Scores of the positives [Q, P].</param>
    /// <param name="sn">Scores of the negatives [Q, Nn].</param>
    /// <param name="dsp">Receives dLoss/dsp.</param>
    /// <param name="dsn">Receives dLoss/dsn.</param>
    /// <param name="queries">The number of queries Q.</param>
    [GeneratedLoss("""
        index q : queries;
        mean[q, a, b](softplus(sn[q, b] - sp[q, a]))
        """)]
    public static partial float MannWhitneyAuc(ReadOnlySpan<float> sp, ReadOnlySpan<float> sn, Span<float> dsp, Span<float> dsn, int queries);

    // ---- P19 relative_loss_prediction ---------------------------------------------------------------------------

    /// <summary>
    /// Relative loss prediction of HPM: for every pair of patches (a, b) of an image whose target losses differ,
    /// <c>-1[L_b &gt; L_a] log(sig(lhat_b - lhat_a) + eps) - 1[L_b &lt; L_a] log(1 - sig(lhat_b - lhat_a) + eps)</c>, summed and divided by the number of such pairs.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P19 <c>relative_loss_prediction</c>; Bootstrap Masked Visual Modeling via Hard Patches Mining (HPM), forward_learning_loss (relative).</para>
    /// <para><b>Shapes</b>: predicted losses <paramref name="pred"/> and target losses <paramref name="target"/> (a constant) [B, L]; L is <paramref name="patches"/>. O(B L²) pairs as nested loops.</para>
    /// <para><b>Defaults</b>: <paramref name="eps"/> = 1e-6, as the authors' code.</para>
    /// <para><b>PyTorch</b>: <c>pos = target[:, None, :] &gt; target[:, :, None]; neg = target[:, None, :] &lt; target[:, :, None]; m = pred[:, None, :] - pred[:, :, None]</c>; <c>(-pos * torch.log(torch.sigmoid(m) + eps) - neg * torch.log(1 - torch.sigmoid(m) + eps)).sum() / (pos + neg).sum()</c>.</para>
    /// </remarks>
    /// <param name="pred">Predicted per-patch losses [B, L].</param>
    /// <param name="target">Per-patch reconstruction losses [B, L].</param>
    /// <param name="dpred">Receives dLoss/dpred.</param>
    /// <param name="patches">The number of patches L.</param>
    /// <param name="eps">Added inside the logarithms.</param>
    [GeneratedLoss("""
        index a, b : patches;
        up = sum[n, a, b | target[n, b] > target[n, a]](-log(sigmoid(pred[n, b] - pred[n, a]) + eps));
        down = sum[n, a, b | target[n, b] < target[n, a]](-log(1 - sigmoid(pred[n, b] - pred[n, a]) + eps));
        (up + down) / count[n, a, b](target[n, b] != target[n, a])
        """)]
    public static partial float RelativeLossPrediction(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, Span<float> dpred, int patches, float eps = 1e-6f);

    // ---- P20 thurstone_fidelity ---------------------------------------------------------------------------------

    /// <summary>
    /// Thurstone fidelity loss of DeQA-Score on pairs (A, B) of predicted score distributions:
    /// <c>phat = Phi((muA - muB) / sqrt(sA^2 + sB^2))</c>, <c>p</c> the same from the ground truth (a constant);
    /// <c>mean 1 - sqrt(p phat + eps) - sqrt((1 - p)(1 - phat) + eps)</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P20 <c>thurstone_fidelity</c>; Teaching LLMs to Regress Accurate Image Quality Scores (DeQA-Score).</para>
    /// <para><b>Shapes</b>: every input [M], element k the k-th pair; the caller chooses the pairs.</para>
    /// <para><b>Defaults</b>: <paramref name="eps"/> = 1e-8.</para>
    /// <para><b>PyTorch</b>: <c>Phi(v) = 0.5 * (1 + torch.erf(v / sqrt(2)))</c>; <c>phat = Phi((muA - muB) / sqrt(sA**2 + sB**2))</c>, <c>p = Phi((gA - gB) / sqrt(gsA**2 + gsB**2))</c>; <c>(1 - torch.sqrt(p * phat + eps) - torch.sqrt((1 - p) * (1 - phat) + eps)).mean()</c>.</para>
    /// </remarks>
    /// <param name="muA">Predicted mean score of A [M].</param>
    /// <param name="sA">Predicted standard deviation of A [M].</param>
    /// <param name="muB">Predicted mean score of B [M].</param>
    /// <param name="sB">Predicted standard deviation of B [M].</param>
    /// <param name="gA">Ground-truth MOS of A [M].</param>
    /// <param name="gsA">Ground-truth standard deviation of A [M].</param>
    /// <param name="gB">Ground-truth MOS of B [M].</param>
    /// <param name="gsB">Ground-truth standard deviation of B [M].</param>
    /// <param name="dmuA">Receives dLoss/dmuA.</param>
    /// <param name="dsA">Receives dLoss/dsA.</param>
    /// <param name="dmuB">Receives dLoss/dmuB.</param>
    /// <param name="dsB">Receives dLoss/dsB.</param>
    /// <param name="eps">Added inside the square roots.</param>
    [GeneratedLoss("""
        phat = 0.5 * (1 + erf((muA - muB) / sqrt(2 * (sA^2 + sB^2))));
        p = 0.5 * (1 + erf((gA - gB) / sqrt(2 * (gsA^2 + gsB^2))));
        mean(1 - sqrt(p * phat + eps) - sqrt((1 - p) * (1 - phat) + eps))
        """)]
    public static partial float ThurstoneFidelity(ReadOnlySpan<float> muA, ReadOnlySpan<float> sA, ReadOnlySpan<float> muB, ReadOnlySpan<float> sB,
        ReadOnlySpan<float> gA, ReadOnlySpan<float> gsA, ReadOnlySpan<float> gB, ReadOnlySpan<float> gsB,
        Span<float> dmuA, Span<float> dsA, Span<float> dmuB, Span<float> dsB, float eps = 1e-8f);

    // ---- P22 continuously_weighted_contrastive ------------------------------------------------------------------

    /// <summary>
    /// Continuously weighted contrastive loss (CWCL), trainable modality to frozen modality:
    /// <c>L = mean_i [ lse_j(s_ij) - sum_j w_ij s_ij / sum_j w_ij ]</c>, <c>s = n(p) n(q)^T / tau</c>, <c>w_ij = (1 + &lt;n(q_i), n(q_j)&gt;) / 2</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P22 <c>continuously_weighted_contrastive</c> [recalled][unconfirmed]; CWCL: Cross-Modal Transfer with Continuously Weighted Contrastive Loss.</para>
    /// <para><b>Shapes</b>: trainable embeddings <paramref name="p"/> [N, D], frozen embeddings <paramref name="q"/> [N, D] (no gradient); both normalized here.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="tau"/>.</para>
    /// <para><b>PyTorch</b>: <c>pn, qn = F.normalize(p), F.normalize(q); w = (1 + qn @ qn.T) / 2; logp = F.log_softmax(pn @ qn.T / tau, 1)</c>; <c>(-(w * logp).sum(1) / w.sum(1)).mean()</c>.</para>
    /// </remarks>
    /// <param name="p">Embeddings of the trainable modality [N, D].</param>
    /// <param name="q">Embeddings of the frozen modality [N, D].</param>
    /// <param name="dp">Receives dLoss/dp.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        index d, e : dim;
        pn[i, d] = p[i, d] / norm[e](p[i, e]);
        qn[i, d] = q[i, d] / norm[e](q[i, e]);
        w[i, j] = (1 + sum[d](qn[i, d] * qn[j, d])) / 2;
        s[i, j] = sum[d](pn[i, d] * qn[j, d]) / tau;
        mean[i](logsumexp[j](s[i, j]) - sum[j](w[i, j] * s[i, j]) / sum[j](w[i, j]))
        """)]
    public static partial float Cwcl(ReadOnlySpan<float> p, ReadOnlySpan<float> q, Span<float> dp, int dim, float tau);

    /// <summary>
    /// CWCL in both directions: <c>0.5 (L_{p→q} + L_{q→p})</c>, the second with the frozen modality's rows as queries
    /// (<c>mean_j [ lse_i(s_ij) - sum_i w_ij s_ij / sum_i w_ij ]</c>), the weights from the frozen modality in both.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P22 <c>continuously_weighted_contrastive</c> [recalled][unconfirmed], with the symmetric direction.</para>
    /// <para><b>Shapes</b>: as <c>Cwcl</c>.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="tau"/>.</para>
    /// <para><b>PyTorch</b>: <c>0.5 * (cwcl(S) + cwcl(S.T))</c> with <c>S = F.normalize(p) @ F.normalize(q).T / tau</c>, <c>cwcl(S) = (-(w * F.log_softmax(S, 1)).sum(1) / w.sum(1)).mean()</c>.</para>
    /// </remarks>
    /// <param name="p">Embeddings of the trainable modality [N, D].</param>
    /// <param name="q">Embeddings of the frozen modality [N, D].</param>
    /// <param name="dp">Receives dLoss/dp.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="tau">Temperature.</param>
    [GeneratedLoss("""
        index d, e : dim;
        pn[i, d] = p[i, d] / norm[e](p[i, e]);
        qn[i, d] = q[i, d] / norm[e](q[i, e]);
        w[i, j] = (1 + sum[d](qn[i, d] * qn[j, d])) / 2;
        s[i, j] = sum[d](pn[i, d] * qn[j, d]) / tau;
        rows = mean[i](logsumexp[j](s[i, j]) - sum[j](w[i, j] * s[i, j]) / sum[j](w[i, j]));
        cols = mean[j](logsumexp[i](s[i, j]) - sum[i](w[i, j] * s[i, j]) / sum[i](w[i, j]));
        0.5 * (rows + cols)
        """)]
    public static partial float CwclSymmetric(ReadOnlySpan<float> p, ReadOnlySpan<float> q, Span<float> dp, int dim, float tau);

    // ---- P23 contrastive_attraction_repulsion (CACR) ------------------------------------------------------------

    /// <summary>
    /// Contrastive attraction and repulsion (CACR, Euclidean-cost form): for sample n with views q_nv,
    /// <c>L_n = sum_v pi+_nv [ c(q_nv, k_n) - sum_j pi-_nvj c(q_nv, kq_j) ]</c>, <c>c(a, b) = 1 - &lt;a, b&gt;</c>,
    /// <c>pi+_nv = softmax_v(||q_nv - k_n||^2 / T)</c> and <c>pi-_nvj = softmax_j(-c(q_nv, kq_j) / T)</c> under stop-gradient; mean over n.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P23 <c>contrastive_attraction_repulsion</c>; Contrastive Attraction and Contrastive Repulsion (CACR). The RBF variant is not declared.</para>
    /// <para><b>Shapes</b>: query views <paramref name="q"/> [N, V, D], positive (momentum) keys <paramref name="k"/> [N, D], negative keys <paramref name="kq"/> [M, D] (a queue); all normalized here; only the queries get a gradient.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="temperature"/>.</para>
    /// <para><b>PyTorch</b>: the formula above with <c>F.normalize</c>, <c>torch.softmax(... .detach() / T)</c> over the views and over the queue.</para>
    /// </remarks>
    /// <param name="q">Query views [N, V, D].</param>
    /// <param name="k">Positive keys [N, D].</param>
    /// <param name="kq">Negative keys [M, D].</param>
    /// <param name="dq">Receives dLoss/dq.</param>
    /// <param name="views">The number of views V.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="temperature">The temperature T of both weightings.</param>
    [GeneratedLoss("""
        index v : views;
        index d, e : dim;
        qn[n, v, d] = q[n, v, d] / norm[e](q[n, v, e]);
        kp[n, d] = k[n, d] / norm[e](k[n, e]);
        kn[j, d] = kq[j, d] / norm[e](kq[j, e]);
        cp[n, v] = 1 - sum[d](qn[n, v, d] * kp[n, d]);
        cn[n, v, j] = 1 - sum[d](qn[n, v, d] * kn[j, d]);
        wp[n, v] = softmax[v](sg(sum[d]((qn[n, v, d] - kp[n, d])^2)) / temperature);
        wn[n, v, j] = softmax[j](-sg(cn[n, v, j]) / temperature);
        mean[n](sum[v](wp[n, v] * (cp[n, v] - sum[j](wn[n, v, j] * cn[n, v, j]))))
        """)]
    public static partial float ContrastiveAttractionRepulsion(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> kq, Span<float> dq,
        int views, int dim, float temperature);

    // ---- P24 metrix_mixup ---------------------------------------------------------------------------------------

    /// <summary>
    /// Metrix's mixed contrastive loss: <c>xt_i = lam_i xp_i + (1 - lam_i) xn_i</c> (a positive and a negative of anchor i mixed),
    /// <c>l_i = lam_i [d(a_i, xt_i) - posMargin]_+ + (1 - lam_i) [negMargin - d(a_i, xt_i)]_+</c>, Euclidean d; mean over i.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P24 <c>metrix_mixup</c> (contrastive instance); It Takes Two to Tango: Mixup for Deep Metric Learning. The multi-similarity and proxy-anchor instances are not declared.</para>
    /// <para><b>Shapes</b>: anchors <paramref name="a"/>, positives <paramref name="xp"/>, negatives <paramref name="xn"/> [N, D] (embeddings, normalized by the caller), mixing weights <paramref name="lam"/> [N] (drawn from Beta(alpha, alpha) by the caller).</para>
    /// <para><b>Defaults</b>: <paramref name="posMargin"/> = 0, <paramref name="negMargin"/> = 0.5.</para>
    /// <para><b>PyTorch</b>: <c>xt = lam[:, None] * xp + (1 - lam[:, None]) * xn; d = (a - xt).norm(dim=1); (lam * F.relu(d - posMargin) + (1 - lam) * F.relu(negMargin - d)).mean()</c>.</para>
    /// </remarks>
    /// <param name="a">Anchors [N, D].</param>
    /// <param name="xp">Positives [N, D].</param>
    /// <param name="xn">Negatives [N, D].</param>
    /// <param name="lam">Mixing weights [N].</param>
    /// <param name="da">Receives dLoss/da.</param>
    /// <param name="dxp">Receives dLoss/dxp.</param>
    /// <param name="dxn">Receives dLoss/dxn.</param>
    /// <param name="posMargin">The positive margin.</param>
    /// <param name="negMargin">The negative margin.</param>
    [GeneratedLoss("""
        dist[i] = norm[d](a[i, d] - lam[i] * xp[i, d] - (1 - lam[i]) * xn[i, d]);
        mean[i](lam[i] * relu(dist[i] - posMargin) + (1 - lam[i]) * relu(negMargin - dist[i]))
        """)]
    public static partial float MetrixContrastive(ReadOnlySpan<float> a, ReadOnlySpan<float> xp, ReadOnlySpan<float> xn, ReadOnlySpan<float> lam,
        Span<float> da, Span<float> dxp, Span<float> dxn, float posMargin = 0f, float negMargin = 0.5f);

    // ---- P26 late_interaction_dual_sigmoid ----------------------------------------------------------------------

    /// <summary>
    /// SigLIP loss on late-interaction (MeanMaxSim) scores: <c>MMS_ij = mean_a max_c &lt;q_ia, v_jc&gt;</c>,
    /// <c>L = (1/N) sum_{i,j} softplus(-z_ij (exp(t) MMS_ij + b))</c>, <c>z_ij = +1 if i == j else -1</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P26 <c>late_interaction_dual_sigmoid</c> [paper]; Video-ColBERT. The dual loss is the sum of two calls, one on the frame-level tokens and one on the video-level tokens, each with its own t and b (the weighting is unconfirmed).</para>
    /// <para><b>Shapes</b>: query tokens <paramref name="q"/> [N, Tq, D], video tokens <paramref name="v"/> [N, Tv, D], <paramref name="t"/> [1], <paramref name="b"/> [1]. Nested loops: O(N² Tq Tv D).</para>
    /// <para><b>Defaults</b>: initialize <paramref name="t"/> to log 10 and <paramref name="b"/> to -10 (SigLIP).</para>
    /// <para><b>PyTorch</b>: <c>mms = torch.einsum('iad,jcd-&gt;ijac', q, v).amax(3).mean(2); logits = t.exp() * mms + b; -F.logsigmoid((2 * torch.eye(N) - 1) * logits).sum() / N</c>.</para>
    /// </remarks>
    /// <param name="q">Query token embeddings [N, Tq, D].</param>
    /// <param name="v">Video token embeddings [N, Tv, D].</param>
    /// <param name="t">The learnable log temperature [1].</param>
    /// <param name="b">The learnable bias [1].</param>
    /// <param name="dq">Receives dLoss/dq.</param>
    /// <param name="dv">Receives dLoss/dv.</param>
    /// <param name="dt">Receives dLoss/dt.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="queryTokens">Tq.</param>
    /// <param name="videoTokens">Tv.</param>
    /// <param name="dim">D.</param>
    [GeneratedLoss("""
        index a : queryTokens;
        index c : videoTokens;
        index d : dim;
        mms[i, j] = mean[a](max[c](sum[d](q[i, a, d] * v[j, c, d])));
        mean[i](sum[j](softplus(-where(i == j, 1, -1) * (exp(t[0]) * mms[i, j] + b[0]))))
        """)]
    public static partial float LateInteractionSigLip(ReadOnlySpan<float> q, ReadOnlySpan<float> v, ReadOnlySpan<float> t, ReadOnlySpan<float> b,
        Span<float> dq, Span<float> dv, Span<float> dt, Span<float> db, int queryTokens, int videoTokens, int dim);

    // ---- P28 prototype_losses -----------------------------------------------------------------------------------

    /// <summary>
    /// ProtoECGNet's prototype cluster, separation and sparsity terms on similarity scores:
    /// <c>wClst (-mean_i max_{p correct} S_ip) + wSep mean_i max_{p wrong} S_ip + wSpars mean_i sum_p [S_ip]_+</c>,
    /// prototype p correct for sample i when its class is one of i's labels.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P28 <c>prototype_losses</c> (clst, sep, spars); ProtoECGNet. The BCE term is E04, the diversity and prototype-contrastive terms are not declared.</para>
    /// <para><b>Shapes</b>: similarity scores <paramref name="S"/> [N, Pr], the class of each prototype <paramref name="protoClass"/> [Pr], multi-hot labels <paramref name="y"/> [N, C]. A sample without a correct (or without a wrong) prototype gives an infinite term, as the formula.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for the weights.</para>
    /// <para><b>PyTorch</b>: <c>correct = y[:, protoClass] &gt; 0</c>; <c>-S.masked_fill(~correct, -inf).amax(1).mean()</c>, <c>S.masked_fill(correct, -inf).amax(1).mean()</c>, <c>F.relu(S).sum(1).mean()</c>, weighted.</para>
    /// </remarks>
    /// <param name="S">Similarity scores [N, Pr].</param>
    /// <param name="protoClass">Class of each prototype [Pr].</param>
    /// <param name="y">Multi-hot labels [N, C].</param>
    /// <param name="dS">Receives dLoss/dS.</param>
    /// <param name="wClst">Weight of the cluster term.</param>
    /// <param name="wSep">Weight of the separation term.</param>
    /// <param name="wSpars">Weight of the sparsity term.</param>
    [GeneratedLoss("""
        correct[i, p] = y[i, protoClass[p]] > 0;
        clst = -mean[i](max[p | correct[i, p]](S[i, p]));
        sep = mean[i](max[p | !correct[i, p]](S[i, p]));
        spars = mean[i](sum[p](relu(S[i, p])));
        wClst * clst + wSep * sep + wSpars * spars
        """)]
    public static partial float PrototypeClusterSeparation(ReadOnlySpan<float> S, ReadOnlySpan<int> protoClass, ReadOnlySpan<float> y, Span<float> dS,
        float wClst, float wSep, float wSpars);

    // ---- P29 gumbel_contrastive ---------------------------------------------------------------------------------

    /// <summary>
    /// Gumbel contrastive loss of Sparse-CBM: <c>G_dim = softmax_dim((S + g) / tau)</c>, <c>g = -log(-log u)</c>;
    /// <c>L = 0.5 (mean(-log G_0) + mean(-log G_1))</c>, the means over all entries.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P29 <c>gumbel_contrastive</c>; Sparse Concept Bottleneck Models: Gumbel Tricks in Contrastive Learning.</para>
    /// <para><b>Shapes</b>: image–concept similarities <paramref name="s"/> [N, K], uniform draws <paramref name="u"/> in (0, 1) [N, K] (the Gumbel noise, drawn by the caller); K is <paramref name="concepts"/>.</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 1 (hard = False).</para>
    /// <para><b>PyTorch</b>: <c>g = -torch.log(-torch.log(u))</c>; <c>0.5 * (-torch.log(F.softmax((s + g) / tau, 0)).mean() - torch.log(F.softmax((s + g) / tau, 1)).mean())</c> (F.gumbel_softmax with the noise given).</para>
    /// </remarks>
    /// <param name="s">Similarities [N, K].</param>
    /// <param name="u">Uniform draws [N, K].</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="concepts">K.</param>
    /// <param name="tau">The Gumbel-softmax temperature.</param>
    [GeneratedLoss("""
        index k : concepts;
        v[i, k] = (s[i, k] - log(-log(u[i, k]))) / tau;
        0.5 * (mean[i, k](logsumexp[a](v[a, k]) - v[i, k]) + mean[i, k](logsumexp[c](v[i, c]) - v[i, k]))
        """)]
    public static partial float GumbelContrastive(ReadOnlySpan<float> s, ReadOnlySpan<float> u, Span<float> ds, int concepts, float tau = 1f);

    // ---- P30 hyperbolic_pairwise_confusion ----------------------------------------------------------------------

    /// <summary>
    /// Hyperbolic pairwise confusion (Hyp-PC): <c>L = (1/(2M)) sum_i d_c(a_i, b_i)</c>, <c>d_c(x, y) = (2/sqrt c) artanh(sqrt c ||(-x) (+)_c y||)</c>,
    /// (+)_c the Möbius addition on the Poincaré ball.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P30 <c>hyperbolic_pairwise_confusion</c>; Hyp-OC. The batch of N = 2M is split by the caller into its halves <paramref name="a"/> and <paramref name="b"/>.</para>
    /// <para><b>Shapes</b>: <paramref name="a"/>, <paramref name="b"/> [M, D], points of the ball (sqrt c ||x|| &lt; 1).</para>
    /// <para><b>Defaults</b>: none stated by the catalog for the curvature <paramref name="c"/>.</para>
    /// <para><b>PyTorch</b>: <c>u = -a</c>; <c>m = ((1 + 2c &lt;u,b&gt; + c|b|²) u + (1 - c|u|²) b) / (1 + 2c &lt;u,b&gt; + c²|u|²|b|²)</c>; <c>(2 / sqrt(c) * torch.atanh(sqrt(c) * m.norm(dim=1))).sum() / (2M)</c>.</para>
    /// </remarks>
    /// <param name="a">First halves of the pairs [M, D].</param>
    /// <param name="b">Second halves of the pairs [M, D].</param>
    /// <param name="da">Receives dLoss/da.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="dim">D.</param>
    /// <param name="c">The curvature.</param>
    [GeneratedLoss("""
        index d : dim;
        uu[i] = sum[d](a[i, d]^2);
        vv[i] = sum[d](b[i, d]^2);
        uv[i] = -sum[d](a[i, d] * b[i, d]);
        ca[i] = 1 + 2 * c * uv[i] + c * vv[i];
        cb[i] = 1 - c * uu[i];
        mob[i] = sqrt(ca[i]^2 * uu[i] + 2 * ca[i] * cb[i] * uv[i] + cb[i]^2 * vv[i]) / (1 + 2 * c * uv[i] + c^2 * uu[i] * vv[i]);
        r[i] = sqrt(c) * mob[i];
        0.5 * mean[i](2 / sqrt(c) * atanh(r[i]))
        """)]
    public static partial float HyperbolicPairwiseConfusion(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, Span<float> db, int dim, float c);

    /// <summary>
    /// Hyp-PC as the authors' released code computes it: <c>HyperbolicPairwiseConfusion</c> with <c>atan</c> where the formula has <c>artanh</c>:
    /// <c>L = (1/(2M)) sum_i (2/sqrt c) atan(sqrt c ||(-a_i) (+)_c b_i||)</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P30 <c>hyperbolic_pairwise_confusion</c>; Hyp-OC (loss.py TPC_loss_hyp).</para>
    /// <para><b>Shapes</b>: as <c>HyperbolicPairwiseConfusion</c>.</para>
    /// <para><b>Defaults</b>: none stated by the catalog for the curvature <paramref name="c"/>.</para>
    /// <para><b>PyTorch</b>: as <c>HyperbolicPairwiseConfusion</c> with <c>torch.atan</c>.</para>
    /// </remarks>
    /// <param name="a">First halves of the pairs [M, D].</param>
    /// <param name="b">Second halves of the pairs [M, D].</param>
    /// <param name="da">Receives dLoss/da.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="dim">D.</param>
    /// <param name="c">The curvature.</param>
    [GeneratedLoss("""
        index d : dim;
        uu[i] = sum[d](a[i, d]^2);
        vv[i] = sum[d](b[i, d]^2);
        uv[i] = -sum[d](a[i, d] * b[i, d]);
        ca[i] = 1 + 2 * c * uv[i] + c * vv[i];
        cb[i] = 1 - c * uu[i];
        mob[i] = sqrt(ca[i]^2 * uu[i] + 2 * ca[i] * cb[i] * uv[i] + cb[i]^2 * vv[i]) / (1 + 2 * c * uv[i] + c^2 * uu[i] * vv[i]);
        0.5 * mean[i](2 / sqrt(c) * atan(sqrt(c) * mob[i]))
        """)]
    public static partial float HyperbolicPairwiseConfusionAtan(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, Span<float> db, int dim, float c);

    // ---- P31 unified_negative_pair_generation --------------------------------------------------------------------

    /// <summary>
    /// UNPG: ArcFace cross-entropy whose every row also competes with the batch's negative pairs,
    /// <c>mean_i -log(exp(s phi_{i,y_i}) / (sum_c exp(s phi_{i,c}) + sum_{(j,k) in S'} exp(s cos(x_j, x_k))))</c>, where the
    /// negative pairs are <c>j &amp;lt; k</c> with <c>y_j != y_k</c> and <c>S'</c> keeps those whose similarity lies in
    /// <c>[Q1 - w IQR, Q3 + w IQR]</c> (the box-and-whisker filter).
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P31 <c>unified_negative_pair_generation</c>; Unified Negative Pair Generation toward Well-discriminative Feature Space for Face Recognition, [code: Jung-Jun-Uk/UNPG recognition/models/build.py, head.py].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class weights <paramref name="w"/> [C, D], labels <paramref name="y"/> [N]. The batch needs at least one negative pair (two labels).</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 64, <paramref name="margin"/> = 0.5 (UNPG's <c>head.zoo.yaml</c> for ArcFace), <paramref name="wisk"/> = 1.0 (the catalog's; the repository's <c>unpg</c> entry sets 1.5).</para>
    /// <para><b>PyTorch</b>: UNPG's <c>HeadAndLoss</c> with the ArcFace head: <c>phi = torch.where(onehot, torch.cos(torch.acos(cos) + m), cos)</c>; the negatives <c>sn</c> are the upper triangle of <c>n(x) n(x)^T</c> where the labels differ; <c>sorted_x = torch.sort(sn)[0]</c>, <c>Q1 = sorted_x[int(0.25 l)]</c>, <c>Q3 = sorted_x[int(0.75 l)]</c>; <c>F.cross_entropy(s * torch.cat([phi, sn'.expand(N, -1)], 1), y)</c>.</para>
    /// <para>The quartiles are order statistics (<c>kth</c> of rank <c>floor(q l) + 1</c>, as UNPG indexes the sorted list), not interpolated quantiles; they only choose the kept pairs and receive no gradient. The appended block's log-sum-exp is one value shared by every row, so the cost is O(N C D + N^2 D), not N (C + N^2). The ArcFace term is UNPG's, without insightface's fallback beyond <c>pi - m</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Class weights [C, D]; normalized per class.</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="scale">The logit scale s.</param>
    /// <param name="margin">The additive angular margin m in radians.</param>
    /// <param name="wisk">The whisker length w, in interquartile ranges.</param>
    [GeneratedLoss("""
        cosM = cos(margin);
        sinM = sin(margin);
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        logit[i, c] = scale * where(c == y[i], cosine[i, c] * cosM - sqrt(max(1 - cosine[i, c]^2, 1e-12)) * sinM, cosine[i, c]);
        sim[j, k] = sum[d](x[j, d] * x[k, d]) / (norm[e](x[j, e]) * norm[e](x[k, e]));
        pairs = count[j, k](j < k && y[j] != y[k]);
        q1 = kth[j, k | j < k && y[j] != y[k]; k = floor(0.25 * pairs) + 1](sim[j, k]);
        q3 = kth[j, k | j < k && y[j] != y[k]; k = floor(0.75 * pairs) + 1](sim[j, k]);
        negatives = logsumexp[j, k | j < k && y[j] != y[k] && sim[j, k] >= q1 - wisk * (q3 - q1) && sim[j, k] <= q3 + wisk * (q3 - q1)](scale * sim[j, k]);
        rows[i] = logsumexp[c](logit[i, c]);
        mean[i](rows[i] + softplus(negatives - rows[i]) - logit[i, y[i]])
        """)]
    public static partial float UnifiedNegativePairGeneration(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw, float scale = 64f, float margin = 0.5f, float wisk = 1f);

    // ---- P32 cauchy_schwarz_ib ----------------------------------------------------------------------------------

    /// <summary>
    /// Conditional Cauchy–Schwarz divergence of CS-IB between the targets and the predictions given the inputs:
    /// <c>D = log2 sum_i [sum_j K_ij L1_ij / (sum_j K_ij)^2] + log2 sum_i [sum_j K_ij L2_ij / (sum_j K_ij)^2] - 2 log2 sum_i [sum_j K_ij L21_ij / (sum_j K_ij)^2]</c>,
    /// Gaussian kernels <c>K</c> on the inputs, <c>L1</c> on the targets, <c>L2</c> on the predictions, <c>L21_ij = k(yhat_i, y_j)</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P32 <c>cauchy_schwarz_ib</c>, the prediction term D_CS; Cauchy-Schwarz Divergence Information Bottleneck for Regression. The compression term I_CS is not declared.
    /// The catalog writes the normalizer as <c>sum_j K_ij^2</c>; this declaration reads it as <c>(sum_j K_ij)^2</c>, the conditional CS estimator's.</para>
    /// <para><b>Shapes</b>: inputs <paramref name="x"/> [N, D] (no gradient), targets <paramref name="y"/> [N], predictions <paramref name="yhat"/> [N].</para>
    /// <para><b>Defaults</b>: kernel width <paramref name="sigma"/> = 1 (training).</para>
    /// <para><b>PyTorch</b>: <c>k(a, b) = exp(-torch.cdist(a, b)**2 / (2 sigma**2))</c>; <c>K = k(x, x)</c>, <c>t(L) = ((K * L).sum(1) / K.sum(1)**2).sum()</c>; <c>torch.log2(t(k(y, y))) + torch.log2(t(k(yhat, yhat))) - 2 * torch.log2(t(k(yhat, y)))</c>.</para>
    /// </remarks>
    /// <param name="x">Inputs [N, D].</param>
    /// <param name="y">Targets [N].</param>
    /// <param name="yhat">Predictions [N].</param>
    /// <param name="dyhat">Receives dLoss/dyhat.</param>
    /// <param name="sigma">The Gaussian kernel width.</param>
    [GeneratedLoss("""
        kx[i, j] = exp(-sum[d]((x[i, d] - x[j, d])^2) / (2 * sigma^2));
        ks[i] = sum[j](kx[i, j]);
        t1 = sum[i](sum[j](kx[i, j] * exp(-(y[i] - y[j])^2 / (2 * sigma^2))) / ks[i]^2);
        t2 = sum[i](sum[j](kx[i, j] * exp(-(yhat[i] - yhat[j])^2 / (2 * sigma^2))) / ks[i]^2);
        t3 = sum[i](sum[j](kx[i, j] * exp(-(yhat[i] - y[j])^2 / (2 * sigma^2))) / ks[i]^2);
        log2(t1) + log2(t2) - 2 * log2(t3)
        """)]
    public static partial float CauchySchwarzDivergence(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> yhat, Span<float> dyhat, float sigma = 1f);

    // ---- P34 pairwise_hashing_loss ------------------------------------------------------------------------------

    /// <summary>
    /// Pairwise similarity-preserving hashing loss (DPSH form): <c>mean_{i,j} [softplus(theta_ij) - s_ij theta_ij] + eta mean_{i,d} (u_id - sign(u_id))^2</c>,
    /// <c>theta_ij = 0.5 &lt;u_i, u_j&gt;</c>, <c>s_ij = 1[y_i = y_j]</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Catalog</b>: P34 <c>pairwise_hashing_loss</c> [unconfirmed] (the standard DPSH likelihood; CSCE-Net's dynamic sign function produces <paramref name="u"/>).</para>
    /// <para><b>Shapes</b>: relaxed codes <paramref name="u"/> [N, K], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: none stated by the catalog for <paramref name="eta"/>.</para>
    /// <para><b>PyTorch</b>: <c>theta = 0.5 * u @ u.T; S = (y[:, None] == y[None]).double(); (F.softplus(theta) - S * theta).mean() + eta * (u - u.sign()).pow(2).mean()</c>.</para>
    /// </remarks>
    /// <param name="u">Relaxed codes [N, K].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="du">Receives dLoss/du.</param>
    /// <param name="eta">The weight of the quantization term.</param>
    [GeneratedLoss("""
        theta[i, j] = 0.5 * sum[d](u[i, d] * u[j, d]);
        mean[i, j](softplus(theta[i, j]) - (y[i] == y[j]) * theta[i, j]) + eta * mean[i, d]((u[i, d] - sign(u[i, d]))^2)
        """)]
    public static partial float PairwiseHashing(ReadOnlySpan<float> u, ReadOnlySpan<int> y, Span<float> du, float eta);
}
