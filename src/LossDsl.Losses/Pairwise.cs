using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section P (docs/losses.md): losses over pairs of a batch (N×N) or of items and proxies (N×M), contrastive,
/// triplet and proxy losses. Embeddings are row-major <c>[N, D]</c>. The pair matrices are never materialized: the
/// scheduler tiles them (docs/language.md §9.4).
/// </summary>
public static partial class Pairwise
{
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
}
