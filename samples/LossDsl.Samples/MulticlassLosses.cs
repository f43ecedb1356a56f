using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Losses over class logits [N, C] with integer labels [N].</summary>
public static partial class MulticlassLosses
{
    /// <summary>Cross-entropy with class weights and an ignore index, as torch.nn.CrossEntropyLoss(weight, ignore_index): sum_i w_i l_i / sum_i w_i.</summary>
    [GeneratedLoss("""
        w[i] = where(y[i] != ignoreIndex, weight[y[i]], 0);
        sum[i](w[i] * (logsumexp[c](z[i, c]) - z[i, y[i]])) / sum[i](w[i])
        """)]
    public static partial float CrossEntropyWeighted(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> weight, Span<float> dz, int ignoreIndex = -100);

    /// <summary>Cross-entropy with label smoothing eps: (1-eps) CE + eps (lse - mean_c z).</summary>
    [GeneratedLoss("lse = logsumexp[c](z[i, c]); mean[i]((1 - eps) * (lse - z[i, y[i]]) + eps * (lse - mean[c](z[i, c])))")]
    public static partial float LabelSmoothing(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float eps = 0.1f);

    /// <summary>Knowledge-distillation KL(teacher || student) at temperature T, times T^2, mean over rows ("batchmean").</summary>
    [GeneratedLoss("""
        index i : rows;
        lt[i, c] = log_softmax[c](t[i, c] / temperature);
        ls[i, c] = log_softmax[c](s[i, c] / temperature);
        temperature^2 * mean[i](sum[c](exp(lt[i, c]) * (lt[i, c] - ls[i, c])))
        """)]
    public static partial float KlDivergence(ReadOnlySpan<float> s, ReadOnlySpan<float> t, Span<float> ds, int rows, float temperature = 1f);

    /// <summary>Jensen-Shannon divergence between softmax(a) and softmax(b) per row, mean over rows.</summary>
    [GeneratedLoss("""
        index i : rows;
        la[i, c] = log_softmax[c](a[i, c]);
        lb[i, c] = log_softmax[c](b[i, c]);
        lm[i, c] = max(la[i, c], lb[i, c]) + log1p(exp(-abs(la[i, c] - lb[i, c]))) - log(2);
        mean[i](0.5 * sum[c](exp(la[i, c]) * (la[i, c] - lm[i, c]) + exp(lb[i, c]) * (lb[i, c] - lm[i, c])))
        """)]
    public static partial float JsDivergence(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, Span<float> db, int rows);

    /// <summary>Softmax focal loss -(1 - p_y)^gamma log p_y.</summary>
    [GeneratedLoss("lpy = z[i, y[i]] - logsumexp[c](z[i, c]); mean[i](-(1 - exp(lpy))^gamma * lpy)")]
    public static partial float SoftmaxFocal(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float gamma = 2f);

    /// <summary>Cross-entropy plus the PaLM z-loss coef * lse^2.</summary>
    [GeneratedLoss("lse = logsumexp[c](z[i, c]); mean[i](lse - z[i, y[i]] + zcoef * lse^2)")]
    public static partial float CrossEntropyZLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float zcoef = 1e-4f);

    /// <summary>LDAM: cross-entropy on s (z - Delta_y onehot_y), with per-class margins Delta (computed by the caller as max_m n_c^-1/4 rescaled).</summary>
    [GeneratedLoss("mean[i](logsumexp[c](s * (z[i, c] - where(c == y[i], margins[c], 0))) - s * (z[i, y[i]] - margins[y[i]]))")]
    public static partial float Ldam(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> margins, Span<float> dz, float s = 30f);
}
