using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section R (docs/losses.md): a reduction along a class or feature axis (softmax, logsumexp, norm) feeding a
/// nonlinearity. Logits are row-major <c>[N, C]</c>; labels are <c>int</c> class indices <c>[N]</c>.
/// </summary>
public static partial class RowWise
{
    /// <summary>Softmax cross-entropy with an ignore index: <c>mean over rows with y_i != ignoreIndex of lse_i - z[i, y_i]</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R01 <c>softmax_ce</c> [classic]; most papers of the catalog.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N]; N and C come from the lengths.
    /// A label outside [0, C) other than the ignore index reads a logit of 0 (docs/language.md §4.5).</para>
    /// <para><b>Defaults</b>: <paramref name="ignoreIndex"/> = -100. A batch where every row is ignored gives NaN, as PyTorch.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, y, ignore_index=ignoreIndex)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("mean[i | y[i] != ignoreIndex](logsumexp[c](z[i, c]) - z[i, y[i]])")]
    public static partial float CrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int ignoreIndex = -100);
}
