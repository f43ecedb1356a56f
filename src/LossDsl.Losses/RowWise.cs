using System;

namespace LossDsl.Losses;

/// <summary>
/// Catalog section R (docs/losses.md): a reduction along a class or feature axis (softmax, logsumexp, norm) feeding a
/// nonlinearity. Logits are row-major <c>[N, C]</c>; labels are <c>int</c> class indices <c>[N]</c>. Every method returns the
/// loss and writes its gradient with respect to each <c>d…</c> span in the same fused kernel; the generator also emits a
/// forward-only overload and one that takes an upstream gradient.
/// </summary>
public static partial class RowWise
{
    /// <summary>Softmax cross-entropy with an ignore index: <c>mean over rows with y_i != ignoreIndex of lse_i - z[i, y_i]</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R01 <c>softmax_ce</c> [classic]; most papers of the catalog.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N]; N and C come from the lengths. A label outside [0, C) other than the ignore index reads a logit of 0 (docs/language.md §4.5).</para>
    /// <para><b>Defaults</b>: <paramref name="ignoreIndex"/> = -100. A batch where every row is ignored gives NaN, as PyTorch.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, y, ignore_index=ignoreIndex)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("mean[i | y[i] != ignoreIndex](logsumexp[c](z[i, c]) - z[i, y[i]])")]
    public static partial float CrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int ignoreIndex = -100);

    /// <summary>Softmax cross-entropy with class weights and an ignore index: <c>sum_i w_{y_i} l_i / sum_i w_{y_i}</c> over the rows not ignored, <c>l_i = lse_i - z[i, y_i]</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R01 <c>softmax_ce</c> [classic], the class-weighted option (e.g. LDAM-DRW's re-weighting stage).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], class weights <paramref name="weight"/> [C].</para>
    /// <para><b>Defaults</b>: <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, y, weight=weight, ignore_index=ignoreIndex)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="weight">Class weights [C].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        w[i] = where(y[i] != ignoreIndex, weight[y[i]], 0);
        sum[i](w[i] * (logsumexp[c](z[i, c]) - z[i, y[i]])) / sum[i](w[i])
        
        """)]
    public static partial float CrossEntropyWeighted(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> weight, Span<float> dz, int ignoreIndex = -100);

    /// <summary>Cross-entropy against soft targets: <c>mean_i -sum_c t[i, c] log_softmax(z_i)_c</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R01 <c>softmax_ce</c> [classic] with probability targets (Mixup/CutMix targets, distillation targets).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C] and targets <paramref name="t"/> [N, C] (rows need not sum to 1); <paramref name="classes"/> gives C.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, t)</c> (probability targets).</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="t">Target probabilities [N, C].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="classes">The number of classes C.</param>
    [GeneratedLoss("""
        index c : classes;
        mean[i](-sum[c](t[i, c] * log_softmax[c](z[i, c])))
        
        """)]
    public static partial float SoftTargetCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> t, Span<float> dz, int classes);

    /// <summary>Softmax cross-entropy that also writes each row's loss (<c>reduction='none'</c>): <c>terms_i = lse_i - z[i, y_i]</c>, loss = mean over rows not ignored.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R01 <c>softmax_ce</c> [classic], reduction <c>'none'</c> next to the mean.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], per-row losses <paramref name="terms"/> [N] (0 for an ignored row, as PyTorch).</para>
    /// <para><b>Defaults</b>: <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, y, ignore_index=ignoreIndex, reduction='none')</c> for <paramref name="terms"/>; the loss and <paramref name="dz"/> are CrossEntropy's.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="terms">Receives each row's loss [N].</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        terms[i] = where(y[i] != ignoreIndex, logsumexp[c](z[i, c]) - z[i, y[i]], 0);
        mean[i | y[i] != ignoreIndex](terms[i])
        """)]
    public static partial float CrossEntropyPerSample(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> terms, int ignoreIndex = -100);

    /// <summary>Cross-entropy with label smoothing: <c>mean_i (1 - eps)(lse_i - z[i, y_i]) + eps (lse_i - mean_c z[i, c])</c> over rows not ignored.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R02 <c>label_smoothing_ce</c> [classic]; Compact Transformers, EQ-Net <c>CrossEntropyLossSmooth</c>, BLIP-2 ITC.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="eps"/> = 0.1, <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z, y, label_smoothing=eps, ignore_index=ignoreIndex)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="eps">Smoothing: the target is <c>(1 - eps) onehot + eps / C</c>.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i | y[i] != ignoreIndex]((1 - eps) * (lse - z[i, y[i]]) + eps * (lse - mean[c](z[i, c])))
        
        """)]
    public static partial float LabelSmoothingCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float eps = 0.1f, int ignoreIndex = -100);

    /// <summary>Cross-entropy of temperature-scaled logits: <c>mean_i lse_c(z[i, c] / T) - z[i, y_i] / T</c>, with the gradient in T (post-hoc temperature scaling fits T by this NLL).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R03 <c>temperature_scaled_ce</c> [classic]; On the Limitations of Temperature Scaling, LDR, Correctness-aware calibration baseline.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], <paramref name="temperature"/> a tensor of one element (so that it has a gradient).</para>
    /// <para><b>PyTorch</b>: <c>torch.nn.functional.cross_entropy(z / temperature, y)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="temperature">The temperature T [1].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="dtemperature">Receives dLoss/dT [1].</param>
    [GeneratedLoss("mean[i](logsumexp[c](z[i, c] / temperature[0]) - z[i, y[i]] / temperature[0])")]
    public static partial float TemperatureScaledCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> temperature, Span<float> dz, Span<float> dtemperature);

    /// <summary>Mixup cross-entropy: <c>lam CE(z, ya) + (1 - lam) CE(z, yb)</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R03 <c>mixup_ce</c> [classic].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], the labels of the two mixed samples <paramref name="ya"/>, <paramref name="yb"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>lam * F.cross_entropy(z, ya) + (1 - lam) * F.cross_entropy(z, yb)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="ya">Labels of the first mixed sample [N].</param>
    /// <param name="yb">Labels of the second mixed sample [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="lam">The mixing coefficient (drawn from Beta(a, a) by the caller).</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i](lse - lam * z[i, ya[i]] - (1 - lam) * z[i, yb[i]])
        
        """)]
    public static partial float MixupCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> ya, ReadOnlySpan<int> yb, Span<float> dz, float lam);

    /// <summary>Knowledge distillation: <c>T^2 mean_i sum_c p^t_c (log p^t_c - log p^s_c)</c>, <c>p = softmax(z / T)</c> (KL(teacher || student), batchmean).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R04 <c>kl_divergence</c> [classic]; EQ-Net GPG, Multi-Granularity and Dual-Head KD, JDTLosses <c>KLDivLoss</c>, Attribute-to-Delete.</para>
    /// <para><b>Shapes</b>: student <paramref name="s"/> and teacher <paramref name="t"/> logits [N, C]; <paramref name="classes"/> gives C.</para>
    /// <para><b>Defaults</b>: <paramref name="temperature"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction='batchmean', log_target=True) * T**2</c>.</para>
    /// </remarks>
    /// <param name="s">Student logits [N, C].</param>
    /// <param name="t">Teacher logits [N, C] (no gradient: the teacher is fixed).</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <param name="temperature">The temperature T.</param>
    [GeneratedLoss("""
        index c : classes;
        lt[i, c] = log_softmax[c](t[i, c] / temperature);
        ls[i, c] = log_softmax[c](s[i, c] / temperature);
        temperature^2 * mean[i](sum[c](exp(lt[i, c]) * (lt[i, c] - ls[i, c])))
        
        """)]
    public static partial float KlDivergence(ReadOnlySpan<float> s, ReadOnlySpan<float> t, Span<float> ds, int classes, float temperature = 1f);

    /// <summary>Reverse KL distillation: <c>T^2 mean_i sum_c p^s_c (log p^s_c - log p^t_c)</c>, <c>p = softmax(z / T)</c> (KL(student || teacher)).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R04 <c>kl_divergence</c> [classic], the reverse direction.</para>
    /// <para><b>Shapes</b>: student <paramref name="s"/> and teacher <paramref name="t"/> logits [N, C]; <paramref name="classes"/> gives C.</para>
    /// <para><b>Defaults</b>: <paramref name="temperature"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>F.kl_div(F.log_softmax(t / T, 1), F.log_softmax(s / T, 1), reduction='batchmean', log_target=True) * T**2</c>.</para>
    /// </remarks>
    /// <param name="s">Student logits [N, C].</param>
    /// <param name="t">Teacher logits [N, C] (no gradient: the teacher is fixed).</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <param name="temperature">The temperature T.</param>
    [GeneratedLoss("""
        index c : classes;
        lt[i, c] = log_softmax[c](t[i, c] / temperature);
        ls[i, c] = log_softmax[c](s[i, c] / temperature);
        temperature^2 * mean[i](sum[c](exp(ls[i, c]) * (ls[i, c] - lt[i, c])))
        
        """)]
    public static partial float ReverseKlDivergence(ReadOnlySpan<float> s, ReadOnlySpan<float> t, Span<float> ds, int classes, float temperature = 1f);

    /// <summary>Distillation plus cross-entropy: <c>alpha T^2 KL(p^t || p^s) + (1 - alpha) CE(s, y)</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R04 <c>kl_divergence</c> [classic], the combined objective (EQ-Net <c>KLLossSoft</c>: alpha = 0.5, T = 1; Hinton et al.).</para>
    /// <para><b>Shapes</b>: student <paramref name="s"/> and teacher <paramref name="t"/> logits [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 0.5, <paramref name="temperature"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>alpha * F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction='batchmean', log_target=True) * T**2 + (1 - alpha) * F.cross_entropy(s, y)</c>.</para>
    /// </remarks>
    /// <param name="s">Student logits [N, C].</param>
    /// <param name="t">Teacher logits [N, C] (no gradient: the teacher is fixed).</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="alpha">The weight of the distillation term.</param>
    /// <param name="temperature">The temperature T.</param>
    [GeneratedLoss("""
        lt[i, c] = log_softmax[c](t[i, c] / temperature);
        ls[i, c] = log_softmax[c](s[i, c] / temperature);
        mean[i](alpha * temperature^2 * sum[c](exp(lt[i, c]) * (lt[i, c] - ls[i, c])) + (1 - alpha) * (logsumexp[c](s[i, c]) - s[i, y[i]]))
        
        """)]
    public static partial float KnowledgeDistillation(ReadOnlySpan<float> s, ReadOnlySpan<float> t, ReadOnlySpan<int> y, Span<float> ds, float alpha = 0.5f, float temperature = 1f);

    /// <summary>Jensen-Shannon divergence between <c>p = softmax(a)</c> and <c>q = softmax(b)</c>: <c>mean_i 0.5 KL(p || m) + 0.5 KL(q || m)</c>, <c>m = (p + q) / 2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R05 <c>js_divergence</c> [classic]; HF-Diff, LDR baselines.</para>
    /// <para><b>Shapes</b>: logits <paramref name="a"/> and <paramref name="b"/> [N, C]; <paramref name="classes"/> gives C.</para>
    /// <para><b>PyTorch</b>: <c>p, q = a.softmax(1), b.softmax(1); m = (p + q) / 2; (0.5 * (p * (p.log() - m.log())).sum(1) + 0.5 * (q * (q.log() - m.log())).sum(1)).mean()</c>.</para>
    /// <para><c>log m</c> is computed as a log-add-exp of the two log-probabilities, so no probability is clamped.</para>
    /// </remarks>
    /// <param name="a">Logits of the first distribution [N, C].</param>
    /// <param name="b">Logits of the second distribution [N, C].</param>
    /// <param name="da">Receives dLoss/da.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="classes">The number of classes C.</param>
    [GeneratedLoss("""
        index c : classes;
        la[i, c] = log_softmax[c](a[i, c]);
        lb[i, c] = log_softmax[c](b[i, c]);
        lm[i, c] = max(la[i, c], lb[i, c]) + log1p(exp(-abs(la[i, c] - lb[i, c]))) - log(2);
        mean[i](0.5 * sum[c](exp(la[i, c]) * (la[i, c] - lm[i, c]) + exp(lb[i, c]) * (lb[i, c] - lm[i, c])))
        
        """)]
    public static partial float JsDivergence(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, Span<float> db, int classes);

    /// <summary>Generalized Jensen-Shannon loss against the label (JSC): <c>[w0 KL(e_y || m) + (1 - w0) KL(p || m)] / (-(1 - w0) log(1 - w0))</c>, <c>m = w0 e_y + (1 - w0) p</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R05 <c>js_divergence</c>, the weighted form JSC of LDR's baselines (Englesson and Azizpour, GJS), [code: Optimization-AI/ICML2023_LDR loss.py JSCLoss].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>p = z.softmax(1); e = F.one_hot(y, C); m = w0 * e + (1 - w0) * p; (w0 * (e * (e.clamp_min(1e-30).log() - m.log())).sum(1) + (1 - w0) * (p * (p.log() - m.log())).sum(1)).mean() / (-(1 - w0) * log(1 - w0))</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="w0">The weight of the label distribution, in (0, 1).</param>
    [GeneratedLoss("""
        lp[i, c] = log_softmax[c](z[i, c]);
        lm[i, c] = log((1 - w0) * exp(lp[i, c]) + w0 * (c == y[i]));
        mean[i](-w0 * lm[i, y[i]] + (1 - w0) * sum[c](exp(lp[i, c]) * (lp[i, c] - lm[i, c]))) / (-(1 - w0) * log(1 - w0))
        
        """)]
    public static partial float JsDivergenceWeighted(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float w0);

    /// <summary>Symmetric cross-entropy between a student and its EMA teacher: <c>mean_i -(1 - a) sum_c q_c log p_c - a sum_c p_c log q_c</c>, <c>p = softmax(x)</c>, <c>q = softmax(xEma)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R06 <c>symmetric_ce</c> [classic]; Robust Mean Teacher, [code: mariodoebler/test-time-adaptation classification/utils/losses.py].</para>
    /// <para><b>Shapes</b>: student logits <paramref name="x"/> and teacher logits <paramref name="xEma"/> [N, C]; <paramref name="classes"/> gives C.</para>
    /// <para><b>Defaults</b>: <paramref name="a"/> = 0.5.</para>
    /// <para><b>PyTorch</b>: <c>(-(1 - a) * (xEma.softmax(1) * x.log_softmax(1)).sum(1) - a * (x.softmax(1) * xEma.log_softmax(1)).sum(1)).mean()</c>.</para>
    /// </remarks>
    /// <param name="x">Student logits [N, C].</param>
    /// <param name="xEma">Teacher (EMA model) logits [N, C]; no gradient.</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <param name="a">The weight of the reverse term.</param>
    [GeneratedLoss("""
        index c : classes;
        lp[i, c] = log_softmax[c](x[i, c]);
        lq[i, c] = log_softmax[c](xEma[i, c]);
        mean[i](-(1 - a) * sum[c](exp(lq[i, c]) * lp[i, c]) - a * sum[c](exp(lp[i, c]) * lq[i, c]))
        
        """)]
    public static partial float SymmetricCrossEntropy(ReadOnlySpan<float> x, ReadOnlySpan<float> xEma, Span<float> dx, int classes, float a = 0.5f);

    /// <summary>Symmetric cross-entropy of Wang et al.: <c>alpha CE + beta RCE</c>, <c>RCE = -sum_c p_c log clamp(onehot_c, 1e-4) = -log(1e-4) (1 - p_y)</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R06 <c>symmetric_ce</c> [classic], the SCE baseline of LDR (Wang et al. 2019).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 0.1, <paramref name="beta"/> = 1 (Wang et al.'s CIFAR-10 setting).</para>
    /// <para><b>PyTorch</b>: <c>alpha * F.cross_entropy(z, y) + beta * (-(z.softmax(1) * F.one_hot(y, C).clamp(1e-4, 1).log()).sum(1)).mean()</c> (the reference code also clamps p to [1e-7, 1], which changes only probabilities below 1e-7).</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight of CE.</param>
    /// <param name="beta">The weight of RCE.</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        mean[i](-alpha * lpy - beta * log(1e-4) * where(lpy > -1, -expm1(lpy), 1 - exp(lpy)))
        
        """)]
    public static partial float SymmetricCrossEntropyLabels(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float alpha = 0.1f, float beta = 1f);

    /// <summary>Generalized cross-entropy: <c>mean_i (1 - p_y^q) / q</c>, <c>p = softmax(z)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="q"/> = 0.7.</para>
    /// <para><b>PyTorch</b>: <c>p_y = z.softmax(1).gather(1, y[:, None]); ((1 - p_y**q) / q).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="q">The exponent q in (0, 1].</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        a = q * lpy;
        mean[i](-where(a > -1, expm1(a), exp(a) - 1) / q)
        """)]
    public static partial float GeneralizedCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float q = 0.7f);

    /// <summary>Mean absolute error of the softmax against the one-hot label: <c>mean_i sum_c |onehot_c - p_c| = mean_i 2 (1 - p_y)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(F.one_hot(y, C) - z.softmax(1)).abs().sum(1).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        mean[i](2 * where(lpy > -1, -expm1(lpy), 1 - exp(lpy)))
        """)]
    public static partial float MaeProbability(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>Mean squared error of the softmax against the one-hot label: <c>mean_i sum_c (onehot_c - p_c)^2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>((F.one_hot(y, C) - z.softmax(1))**2).sum(1).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("mean[i](sum[c]((softmax[c](z[i, c]) - (c == y[i]))^2))")]
    public static partial float MseProbability(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>Normalized cross-entropy: <c>mean_i CE_i / (-sum_c log p_c) = (lse_i - z_y) / (C lse_i - sum_c z_c)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>lp = z.log_softmax(1); (-lp.gather(1, y[:, None])[:, 0] / -lp.sum(1)).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i]((lse - z[i, y[i]]) / sum[c](lse - z[i, c]))
        """)]
    public static partial float NormalizedCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>Asymmetric generalized cross-entropy: <c>mean_i ((a + 1)^q - (a + p_y)^q) / q</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="a"/> = 1, <paramref name="q"/> = 2.</para>
    /// <para><b>PyTorch</b>: <c>p_y = z.softmax(1).gather(1, y[:, None]); (((a + 1)**q - (a + p_y)**q) / q).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="a">The offset a.</param>
    /// <param name="q">The exponent q.</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        mean[i](((a + 1)^q - (a + exp(lpy))^q) / q)
        """)]
    public static partial float AsymmetricGeneralizedCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float a = 1f, float q = 2f);

    /// <summary>Asymmetric unhinged loss: <c>mean_i ((a - p_y)^q - (a - 1)^q) / q</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="a"/> = 1.5, <paramref name="q"/> = 0.9.</para>
    /// <para><b>PyTorch</b>: <c>p_y = z.softmax(1).gather(1, y[:, None]); (((a - p_y)**q - (a - 1)**q) / q).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="a">The offset a &amp;gt; 1.</param>
    /// <param name="q">The exponent q.</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        mean[i](((a - exp(lpy))^q - (a - 1)^q) / q)
        """)]
    public static partial float AsymmetricUnhingedLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float a = 1.5f, float q = 0.9f);

    /// <summary>Active-passive loss NCE + RCE: <c>alpha NCE + beta RCE</c>, <c>RCE = -log(1e-4) (1 - p_y)</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = <paramref name="beta"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>alpha * NCE + beta * (-(z.softmax(1) * F.one_hot(y, C).clamp(1e-4, 1).log()).sum(1)).mean()</c>.</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight of NCE.</param>
    /// <param name="beta">The weight of RCE.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i](alpha * (lse - z[i, y[i]]) / sum[c](lse - z[i, c]) + beta * log(1e-4) * where(z[i, y[i]] - lse > -1, expm1(z[i, y[i]] - lse), exp(z[i, y[i]] - lse) - 1))
        """)]
    public static partial float NceRce(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float alpha = 1f, float beta = 1f);

    /// <summary>Active-passive loss NCE + AGCE: <c>alpha NCE + beta ((a + 1)^q - (a + p_y)^q) / q</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = <paramref name="beta"/> = 1, <paramref name="a"/> = 3, <paramref name="q"/> = 1.5 (the NCE+AGCE setting).</para>
    /// <para><b>PyTorch</b>: <c>alpha * NCE + beta * AGCE</c> (both as in their own methods).</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight of NCE.</param>
    /// <param name="beta">The weight of AGCE.</param>
    /// <param name="a">AGCE's offset.</param>
    /// <param name="q">AGCE's exponent.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i](alpha * (lse - z[i, y[i]]) / sum[c](lse - z[i, c]) + beta * ((a + 1)^q - (a + exp(z[i, y[i]] - lse))^q) / q)
        """)]
    public static partial float NceAgce(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float alpha = 1f, float beta = 1f, float a = 3f, float q = 1.5f);

    /// <summary>Active-passive loss NCE + AUL: <c>alpha NCE + beta ((a - p_y)^q - (a - 1)^q) / q</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R07 <c>noise_robust_ce_family</c> [classic]; baselines of LDR's 13 losses, [code: Optimization-AI/ICML2023_LDR loss.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = <paramref name="beta"/> = 1, <paramref name="a"/> = 6, <paramref name="q"/> = 1.5 (the NCE+AUL setting).</para>
    /// <para><b>PyTorch</b>: <c>alpha * NCE + beta * AUL</c> (both as in their own methods).</para>
    /// <para>The reference implementations clamp p to [1e-7, 1]; this one does not (they differ only where a probability is below 1e-7). Where the loss has <c>1 - p_y</c> or <c>p_y^q - 1</c>, it is taken as <c>expm1</c> above -1 and <c>exp - 1</c> below, so that both the value and the gradient stay accurate in float.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="alpha">The weight of NCE.</param>
    /// <param name="beta">The weight of AUL.</param>
    /// <param name="a">AUL's offset.</param>
    /// <param name="q">AUL's exponent.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i](alpha * (lse - z[i, y[i]]) / sum[c](lse - z[i, c]) + beta * ((a - exp(z[i, y[i]] - lse))^q - (a - 1)^q) / q)
        """)]
    public static partial float NceAul(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float alpha = 1f, float beta = 1f, float a = 6f, float q = 1.5f);

    /// <summary>Crammer-Singer multiclass hinge: <c>mean_i max_c [theta 1[c != y_i] + z[i, c] - z[i, y_i]]_+</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R08 <c>multiclass_hinge</c> [classic]; LDR, [code: ICML2023_LDR loss.py CSLoss].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="theta"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>(theta * (1 - F.one_hot(y, C)) + z - z.gather(1, y[:, None])).amax(1).clamp_min(0).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="theta">The margin.</param>
    [GeneratedLoss("mean[i](relu(max[c](theta * (c != y[i]) + z[i, c] - z[i, y[i]])))")]
    public static partial float CrammerSingerHinge(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float theta = 1f);

    /// <summary>Weston-Watkins multiclass hinge: <c>mean_i mean_c [theta 1[c != y_i] + z[i, c] - z[i, y_i]]_+</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R08 <c>multiclass_hinge</c> [classic]; LDR, [code: ICML2023_LDR loss.py WWLoss].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="theta"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>(theta * (1 - F.one_hot(y, C)) + z - z.gather(1, y[:, None])).clamp_min(0).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="theta">The margin.</param>
    [GeneratedLoss("mean[i](mean[c](relu(theta * (c != y[i]) + z[i, c] - z[i, y[i]])))")]
    public static partial float WestonWatkinsHinge(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float theta = 1f);

    /// <summary>Comp-sum loss: <c>mean_i Phi_tau(sum_{c != y} exp(z_c - z_y)) = mean_i (p_y^(tau - 1) - 1) / (1 - tau)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R09 <c>comp_sum_losses</c>; Cross-Entropy Loss Functions: Theoretical Analysis and Applications [recalled].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>u = (z - z_y).exp() summed over c != y; ((1 + u)**(1 - tau) - 1) / (1 - tau)</c>, mean (the catalog's <c>Phi_tau</c>).</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="tau">tau &amp;gt;= 0, tau != 1 (tau = 1 is CrossEntropy; tau = 0 the sum-exponential loss, tau = 2 the MAE 1 - p_y).</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        a = (tau - 1) * lpy;
        mean[i](where(a > -1, expm1(a), exp(a) - 1) / (1 - tau))
        """)]
    public static partial float CompSum(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float tau);

    /// <summary>Cross-entropy plus the PaLM z-loss: <c>mean_i lse_i - z[i, y_i] + zcoef lse_i^2</c> over rows not ignored.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R12 <c>palm_z_loss</c> [classic]; Small-scale proxies for large-scale Transformer training instabilities (PaLM's z-loss).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="zcoef"/> = 1e-4, <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>m = y != ignoreIndex; F.cross_entropy(z, y, ignore_index=ignoreIndex) + zcoef * (z.logsumexp(1)[m]**2).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="zcoef">The z-loss weight.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i | y[i] != ignoreIndex](lse - z[i, y[i]] + zcoef * lse^2)
        """)]
    public static partial float CrossEntropyZLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float zcoef = 1e-4f, int ignoreIndex = -100);

    /// <summary>Softmax focal loss: <c>mean_i -(1 - p_y)^gamma log p_y</c> over rows not ignored.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R14 <c>softmax_focal</c> [classic]; JDTLosses focal CE, segmentation survey.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="gamma"/> = 2 (Lin et al.; JDTLosses defaults to 0, plain cross-entropy), <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>lp = F.log_softmax(z, 1).gather(1, y[:, None]); (-(1 - lp.exp())**gamma * lp)</c>, mean over rows not ignored (JDTLosses losses/focal_loss.py).</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="gamma">The focusing exponent (0 gives cross-entropy).</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        lpy = z[i, y[i]] - logsumexp[c](z[i, c]);
        mean[i | y[i] != ignoreIndex](-where(lpy > -1, -expm1(lpy), 1 - exp(lpy))^gamma * lpy)
        """)]
    public static partial float SoftmaxFocal(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float gamma = 2f, int ignoreIndex = -100);

    /// <summary>LDAM: cross-entropy of <c>s (z - Delta_y onehot_y)</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R15 <c>ldam</c> [classic]; TransICD, [code: kaidic/LDAM-DRW losses.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], per-class margins <paramref name="margins"/> [C] (<c>Delta_c</c> proportional to <c>n_c^(-1/4)</c>, rescaled to <c>max_m = 0.5</c> by the caller).</para>
    /// <para><b>Defaults</b>: <paramref name="s"/> = 30.</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(s * torch.where(F.one_hot(y, C).bool(), z - margins[y][:, None], z), y)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="margins">Per-class margins [C].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="s">The logit scale.</param>
    [GeneratedLoss("""
        mean[i](logsumexp[c](s * (z[i, c] - where(c == y[i], margins[c], 0))) - s * (z[i, y[i]] - margins[y[i]]))
        """)]
    public static partial float Ldam(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> margins, Span<float> dz, float s = 30f);

    /// <summary>LDAM with deferred re-weighting: <c>sum_i w_{y_i} l_i / sum_i w_{y_i}</c>, <c>l_i</c> the cross-entropy of <c>s (z - Delta_y onehot_y)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R15 <c>ldam</c> [classic], the DRW stage; [code: kaidic/LDAM-DRW losses.py, <c>F.cross_entropy(..., weight=self.weight)</c>].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], per-class margins <paramref name="margins"/> [C], class weights <paramref name="weight"/> [C].</para>
    /// <para><b>Defaults</b>: <paramref name="s"/> = 30.</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(s * torch.where(F.one_hot(y, C).bool(), z - margins[y][:, None], z), y, weight=weight)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="margins">Per-class margins [C].</param>
    /// <param name="weight">Class weights [C].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="s">The logit scale.</param>
    [GeneratedLoss("""
        w[i] = weight[y[i]];
        sum[i](w[i] * (logsumexp[c](s * (z[i, c] - where(c == y[i], margins[c], 0))) - s * (z[i, y[i]] - margins[y[i]]))) / sum[i](w[i])
        
        """)]
    public static partial float LdamDrw(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> margins, ReadOnlySpan<float> weight, Span<float> dz, float s = 30f);

    /// <summary>NormFace: cross-entropy of <c>&amp;lt;n(x_i), n(w_c)&amp;gt; / tau</c>, mean over rows.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R16 <c>normalized_softmax</c> [classic]; Hyperspherical embedding for novel class classification, [code: KevinMusgrave/pytorch-metric-learning normalized_softmax_loss.py].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class weights <paramref name="w"/> [C, D], labels <paramref name="y"/> [N]. The N x C logits are tiled, never stored.</para>
    /// <para><b>Defaults</b>: <paramref name="tau"/> = 0.05 (pytorch-metric-learning).</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(F.normalize(x) @ F.normalize(w).T / tau, y)</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Class weights (centres) [C, D]; normalized per class.</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="tau">The temperature.</param>
    [GeneratedLoss("""
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        mean[i](logsumexp[c](cosine[i, c] / tau) - cosine[i, y[i]] / tau)
        """)]
    public static partial float NormalizedSoftmax(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw, float tau = 0.05f);

    /// <summary>ArcFace: cross-entropy of <c>s cos(theta_{i,c} + m 1[c = y_i])</c>, <c>cos theta = &amp;lt;n(x_i), n(w_c)&amp;gt;</c>, with insightface's monotone fallback <c>cos theta - m sin m</c> where <c>theta &amp;gt; pi - m</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R17 <c>arcface</c> [classic]; UNPG, SymFace, CFCD (m = 0.15, s = 128), compared in SFace; [code: pytorch-metric-learning arcface_loss.py; insightface ArcMarginProduct].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class weights <paramref name="w"/> [C, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 64, <paramref name="margin"/> = 0.5 rad (28.6°).</para>
    /// <para><b>PyTorch</b>: <c>cos = F.normalize(x) @ F.normalize(w).T; phi = torch.where(cos &amp;gt; cos(pi - m), torch.cos(torch.acos(cos) + m), cos - m * sin(m)); F.cross_entropy(s * torch.where(onehot, phi, cos), y)</c>.</para>
    /// <para><c>cos(theta + m) = cos theta cos m - sin theta sin m</c> with <c>sin theta = sqrt(1 - cos^2 theta)</c>, as insightface writes it (the same function as <c>cos(acos(cos theta) + m)</c>, with a gradient that does not go through acos). pytorch-metric-learning's ArcFace has no fallback and equals this one where <c>theta + m &amp;lt;= pi</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Class weights (centres) [C, D]; normalized per class.</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="scale">The logit scale s.</param>
    /// <param name="margin">The additive angular margin m in radians, in [0, pi/2].</param>
    [GeneratedLoss("""
        cosM = cos(margin);
        sinM = sin(margin);
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        target[i, c] = where(cosine[i, c] > -cosM, cosine[i, c] * cosM - sqrt(max(1 - cosine[i, c]^2, 1e-12)) * sinM, cosine[i, c] - margin * sinM);
        logit[i, c] = scale * where(c == y[i], target[i, c], cosine[i, c]);
        mean[i](logsumexp[c](logit[i, c]) - logit[i, y[i]])
        
        """)]
    public static partial float ArcFace(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw, float scale = 64f, float margin = 0.5f);

    /// <summary>CosFace: cross-entropy of <c>s (cos theta_{i,c} - m 1[c = y_i])</c>, <c>cos theta = &amp;lt;n(x_i), n(w_c)&amp;gt;</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R17 <c>cosface</c> [classic]; [code: pytorch-metric-learning cosface_loss.py].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class weights <paramref name="w"/> [C, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 64, <paramref name="margin"/> = 0.35.</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(s * (F.normalize(x) @ F.normalize(w).T - m * F.one_hot(y, C)), y)</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Class weights (centres) [C, D]; normalized per class.</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="scale">The logit scale s.</param>
    /// <param name="margin">The additive cosine margin m.</param>
    [GeneratedLoss("""
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        logit[i, c] = scale * (cosine[i, c] - margin * (c == y[i]));
        mean[i](logsumexp[c](logit[i, c]) - logit[i, y[i]])
        """)]
    public static partial float CosFace(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw, float scale = 64f, float margin = 0.35f);

    /// <summary>SFace: <c>mean_i -sg(r_intra(theta_{y_i})) s cos theta_{y_i} + mean_i sum_{c != y_i} sg(r_inter(theta_c)) s cos theta_c</c>, <c>r_intra(t) = sigmoid(k (t - a))</c>, <c>r_inter(t) = sigmoid(-k (t - b))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R18 <c>sface</c>; SFace: Sigmoid-Constrained Hypersphere Loss, [code: zhongyy/SFace SFace_torch/head/metrics.py].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class weights <paramref name="w"/> [C, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 64, <paramref name="k"/> = 80, <paramref name="a"/> = 0.80, <paramref name="b"/> = 1.23.</para>
    /// <para><b>PyTorch</b>: the SFaceLoss forward in torch: <c>cos = F.normalize(x) @ F.normalize(w).T</c>, the weights from <c>torch.acos</c> under <c>torch.no_grad()</c>.</para>
    /// <para>The angle is <c>acos(cos)</c> under stop-gradient, with the cosine clamped to [-1, 1] against rounding.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Class weights (centres) [C, D]; normalized per class.</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="scale">The scale s.</param>
    /// <param name="k">The slope of the re-weighting sigmoids.</param>
    /// <param name="a">The intra-class angle centre (radians).</param>
    /// <param name="b">The inter-class angle centre (radians).</param>
    [GeneratedLoss("""
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
          theta[i, c] = sg(acos(clamp(cosine[i, c], -1, 1)));
          intra[i] = -sg(sigmoid(k * (theta[i, y[i]] - a))) * scale * cosine[i, y[i]];
          inter[i] = sum[c | c != y[i]](sg(sigmoid(-k * (theta[i, c] - b))) * scale * cosine[i, c]);
          mean[i](intra[i]) + mean[i](inter[i])
        """)]
    public static partial float SFace(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw, float scale = 64f, float k = 80f, float a = 0.8f, float b = 1.23f);

    /// <summary>MadaCos: cross-entropy of <c>s cos_{i,c} - s m 1[c = y_i]</c> with a scale and a margin set by the batch: <c>s = max(32, log(9999999 (1 - alpha) / alpha) / (1 - med))</c>, <c>m = max(0, med - log(B_med alpha / (1 - alpha)) / s)</c>, where <c>med</c> is the median target cosine and <c>B_i = sum_{c != y_i} exp(s cos_{i,c})</c> is read at the row of the median; <c>s</c> and <c>m</c> are constants for the gradient.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R19 <c>madacos</c>; Coarse-to-Fine: Learning Compact Discriminative Representation for Single-Stage Image Retrieval (CFCD), [code: bassyess/CFCD core/model/madacos.py].</para>
    /// <para><b>Shapes</b>: cosines <paramref name="cosine"/> [N, C] (<c>F.linear(F.normalize(features), F.normalize(weight))</c>), labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="alpha"/> = 0.1 (CFCD's <c>MODEL.HEADS.ALPHA</c>).</para>
    /// <para><b>PyTorch</b>: CFCD's <c>MadaCosLayerFunction</c> (training mode, one GPU) followed by <c>F.cross_entropy</c>: the median by <c>torch.median</c> (the lower median), the scale and margin computed without gradient, and the backward <c>dL/dcos = s dL/dlogits</c>.</para>
    /// <para><c>log B</c> is a log-sum-exp here, so a large <c>s</c> cannot overflow it. Where several rows share the median's value, <c>log B</c> is their mean (torch reads the one row that <c>torch.median</c> returns, which it does not specify). CFCD's evaluation mode (margin 0) is not a separate method.</para>
    /// </remarks>
    /// <param name="cosine">Cosines between the features and the class weights [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dcosine">Receives dLoss/dcosine.</param>
    /// <param name="alpha">The target probability mass alpha in (0, 1) that sets the scale and the margin.</param>
    [GeneratedLoss("""
        target[i] = cosine[i, y[i]];
        med = median[i](target[i]);
        s = sg(max(32, log(9999999 * (1 - alpha) / alpha) / (1 - med)));
        logB[i] = logsumexp[c | c != y[i]](s * cosine[i, c]);
        m = sg(max(0, med - (mean[i | target[i] == med](logB[i]) + log(alpha / (1 - alpha))) / s));
        logit[i, c] = s * cosine[i, c] - s * m * (c == y[i]);
        mean[i](logsumexp[c](logit[i, c]) - logit[i, y[i]])
        """)]
    public static partial float MadaCos(ReadOnlySpan<float> cosine, ReadOnlySpan<int> y, Span<float> dcosine, float alpha = 0.1f);

    /// <summary>MLCD multi-label cluster discrimination: <c>mean_i log(1 + sum_{c in neg_i} exp(s cos_ic)) + log(1 + sum_{c in pos_i} exp(-s cos_ic))</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R20 <c>mlcd_multilabel</c>; Multi-label Cluster Discrimination [recalled][unconfirmed: margins and sampling ratio].</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], cluster centres <paramref name="w"/> [C, D], positive and sampled-negative masks <paramref name="pos"/> and <paramref name="neg"/> [N, C] (1 = in the set); <paramref name="dim"/> gives D.</para>
    /// <para><b>Defaults</b>: <paramref name="scale"/> = 32 (the catalog states none). A row with an empty positive or negative set has a NaN gradient, as in PyTorch.</para>
    /// <para><b>PyTorch</b>: <c>cos = F.normalize(x) @ F.normalize(w).T; (F.softplus(torch.logsumexp((s * cos).masked_fill(neg == 0, -inf), 1)) + F.softplus(torch.logsumexp((-s * cos).masked_fill(pos == 0, -inf), 1))).mean()</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="w">Cluster centres [C, D].</param>
    /// <param name="pos">Positive-cluster mask [N, C].</param>
    /// <param name="neg">Sampled negative-cluster mask [N, C].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="dim">The feature dimension D.</param>
    /// <param name="scale">The scale s.</param>
    [GeneratedLoss("""
        index d : dim;
        cosine[i, c] = sum[d](x[i, d] * w[c, d]) / (norm[e](x[i, e]) * norm[e](w[c, e]));
        mean[i](softplus(logsumexp[c | neg[i, c] > 0](scale * cosine[i, c])) + softplus(logsumexp[c | pos[i, c] > 0](-scale * cosine[i, c])))
        """)]
    public static partial float MlcdMultiLabel(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> pos, ReadOnlySpan<float> neg, Span<float> dx, Span<float> dw, int dim, float scale = 32f);

    /// <summary>Center loss: <c>0.5 sum_i ||x_i - c_{y_i}||^2</c>, with the gradients in the features and the centres.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R22 <c>center_loss</c> [classic]; behind ND loss (R43), Hyperspherical embedding. The centre update <c>c_j -= alpha sum_{i: y_i = j}(c_j - x_i) / (1 + n_j)</c> is the caller's step from <paramref name="dcenters"/> (its numerator).</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], labels <paramref name="y"/> [N], centres <paramref name="centers"/> [K, D]. <paramref name="dcenters"/> is a dense scatter, O(K N D) (docs/language.md §13).</para>
    /// <para><b>PyTorch</b>: <c>0.5 * ((x - centers[y])**2).sum()</c>.</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="centers">Class centres [K, D].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dcenters">Receives dLoss/dcenters.</param>
    [GeneratedLoss("0.5 * sum[i, d]((x[i, d] - centers[y[i], d])^2)")]
    public static partial float CenterLoss(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> centers, Span<float> dx, Span<float> dcenters);

    /// <summary>Number token loss NTL-MSE: <c>mean over positions whose label is a number token of (sum_k p_k v_k - v_y)^2</c>, <c>p = softmax over the number tokens' logits</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R24 <c>number_token_loss</c>; Regress, Don't Guess, [code: tum-ai/number-token-loss src/ntl/loss_functions]. Added to CE with weight 0.5 by the caller.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, V] (LM positions flattened), labels <paramref name="y"/> [N], number tokens <paramref name="tokens"/> and their values <paramref name="values"/> [K]. <paramref name="dz"/> is a dense scatter over the K gathered columns, O(N V K).</para>
    /// <para><b>PyTorch</b>: <c>p = z[:, tokens].softmax(1); yhat = (p * values).sum(1); valid = isin(y, tokens); F.mse_loss(yhat[valid], value_of[y[valid]])</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (vocabulary ids; ignored positions carry any id that is not a number token, e.g. -100).</param>
    /// <param name="tokens">The vocabulary ids of the number tokens [K].</param>
    /// <param name="values">The value of each number token [K].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        lp[i, k] = log_softmax[k](z[i, tokens[k]]);
        vy[i] = sum[k | tokens[k] == y[i]](values[k]);
        mean[i | count[k](tokens[k] == y[i]) > 0]((sum[k](exp(lp[i, k]) * values[k]) - vy[i])^2)
        
        """)]
    public static partial float NumberTokenMse(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<int> tokens, ReadOnlySpan<float> values, Span<float> dz);

    /// <summary>Number token loss NTL-WAS: <c>mean over positions whose label is a number token of sum_k p_k |v_k - v_y|</c> (the Wasserstein-1 distance to the one-hot label).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R24 <c>number_token_loss</c>; Regress, Don't Guess, [code: tum-ai/number-token-loss src/ntl/loss_functions]. Added to CE with weight 0.5 by the caller.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, V], labels <paramref name="y"/> [N], number tokens <paramref name="tokens"/> and their values <paramref name="values"/> [K].</para>
    /// <para><b>PyTorch</b>: <c>p = z[:, tokens].softmax(1); valid = isin(y, tokens); (p[valid] * (values[None] - value_of[y[valid]][:, None]).abs()).sum(1).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (vocabulary ids; ignored positions carry any id that is not a number token, e.g. -100).</param>
    /// <param name="tokens">The vocabulary ids of the number tokens [K].</param>
    /// <param name="values">The value of each number token [K].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        lp[i, k] = log_softmax[k](z[i, tokens[k]]);
        vy[i] = sum[k | tokens[k] == y[i]](values[k]);
        mean[i | count[k](tokens[k] == y[i]) > 0](sum[k](exp(lp[i, k]) * abs(values[k] - vy[i])))
        
        """)]
    public static partial float NumberTokenWasserstein(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<int> tokens, ReadOnlySpan<float> values, Span<float> dz);

    /// <summary>Direct coverage optimization (the pass-at-N loss): <c>mean_b -log(1 - (1 - p_b)^N)</c>, <c>log p_b = sum_t log softmax(z[b, t])_{y[b, t]}</c> over the tokens not ignored.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R25 <c>direct_coverage_optimization</c>; Rethinking Fine-Tuning when Scaling Test-Time Compute [paper].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [B, T, V], labels <paramref name="y"/> [B, T] (<paramref name="ignoreIndex"/> marks padding); <paramref name="steps"/> gives T.</para>
    /// <para><b>Defaults</b>: <paramref name="ignoreIndex"/> = -100.</para>
    /// <para><b>PyTorch</b>: <c>lp = -F.cross_entropy(z.transpose(1, 2), y, ignore_index=ignoreIndex, reduction='none').sum(1); (-torch.log(-torch.expm1(N * torch.log1p(-lp.exp())))).mean()</c>.</para>
    /// <para><c>log(1 - e^u)</c> is <c>log1mexp(-u)</c> (stable on both sides of -ln 2); below <c>log p = -80</c> (where <c>p</c> underflows in float) the loss is its limit <c>-log N - log p</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [B, T, V].</param>
    /// <param name="y">Labels [B, T].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="steps">The sequence length T.</param>
    /// <param name="attempts">The test-time budget N.</param>
    /// <param name="ignoreIndex">Rows with this label are left out of the mean.</param>
    [GeneratedLoss("""
        index t : steps;
        lp[b] = sum[t | y[b, t] != ignoreIndex](z[b, t, y[b, t]] - logsumexp[v](z[b, t, v]));
        q[b] = max(lp[b], -80);
        l1[b] = log1mexp(-q[b]);
        u[b] = attempts * l1[b];
        lc[b] = log1mexp(-u[b]);
        mean[b](where(lp[b] < -80, -log(attempts) - lp[b], -lc[b]))
        
        """)]
    public static partial float DirectCoverage(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int steps, float attempts, int ignoreIndex = -100);

    /// <summary>Verbose images' EOS objective: <c>mean_t softmax(z_t)[eos]</c> (minimised over the image perturbation).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R26 <c>verbose_images_eos_uncertainty</c>; Inducing High Energy-Latency of VLMs with Verbose Images, [code: KuofengGao/Verbose_Images lavis/models/blip2_models/blip2_opt.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [T, V]; <paramref name="vocab"/> gives V.</para>
    /// <para><b>PyTorch</b>: <c>z.softmax(1)[:, eos].mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [T, V].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="vocab">The vocabulary size V.</param>
    /// <param name="eos">The end-of-sequence token id.</param>
    [GeneratedLoss("""
        index c : vocab;
        mean[i](exp(z[i, eos] - logsumexp[c](z[i, c])))
        """)]
    public static partial float VerboseImagesEos(ReadOnlySpan<float> z, Span<float> dz, int vocab, int eos);

    /// <summary>Verbose images' uncertainty objective: <c>sum_{t,c} u (log u - log softmax(z_t)_c)</c>, <c>u = 1/V</c> (KL(uniform || p), sum reduction).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R26 <c>verbose_images_eos_uncertainty</c>; Inducing High Energy-Latency of VLMs with Verbose Images, [code: KuofengGao/Verbose_Images].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [T, V]; <paramref name="vocab"/> gives V.</para>
    /// <para><b>PyTorch</b>: <c>F.kl_div(F.log_softmax(z, 1), torch.full_like(z, 1 / V), reduction='sum')</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [T, V].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="vocab">The vocabulary size V.</param>
    [GeneratedLoss("""
        index c : vocab;
        sum[i, c]((1 / vocab) * (log(1 / vocab) - log_softmax[c](z[i, c])))
        """)]
    public static partial float VerboseImagesUncertainty(ReadOnlySpan<float> z, Span<float> dz, int vocab);

    /// <summary>Probability margin: <c>mean_i max_{c != y_i} p_c - p_{y_i}</c>, <c>p = softmax(z)</c> (an attack maximises it).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R27 <c>probability_margin</c>; Towards Million-Scale Adversarial Robustness Evaluation (PMA), [code: OpenTAI/taiadv APGD.py Probability_margin].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C] (C &amp;gt;= 2), labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>p = z.softmax(1); (p.masked_fill(F.one_hot(y, C).bool(), -inf).amax(1) - p.gather(1, y[:, None])[:, 0]).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        lse = logsumexp[c](z[i, c]);
        mean[i](exp(max[c | c != y[i]](z[i, c]) - lse) - exp(z[i, y[i]] - lse))
        """)]
    public static partial float ProbabilityMargin(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>Carlini-Wagner logit margin: <c>mean_i max_{c != y_i} z_c - z_{y_i}</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R27 <c>probability_margin</c>, the CW margin it is contrasted with.</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C] (C &amp;gt;= 2), labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(z.masked_fill(F.one_hot(y, C).bool(), -inf).amax(1) - z.gather(1, y[:, None])[:, 0]).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("mean[i](max[c | c != y[i]](z[i, c]) - z[i, y[i]])")]
    public static partial float CwMargin(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>FedLD margin control: <c>CE(z, y) + lambda log(1 + ||softmax(Z)||_F^2)</c>, the norm over the whole batch.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R28 <c>fedld_margin_control</c>; Tackling Data Heterogeneity in Federated Learning via Loss Decomposition, [code: Zeng-Shuang/FedLD methods/fedld.py].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="lambda"/> = 0.03.</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(z, y) + lambda * torch.log1p((z.softmax(1)**2).sum())</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="lambda">The weight of the margin term.</param>
    [GeneratedLoss("""
        p[i, c] = softmax[c](z[i, c]);
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]]) + lambda * log1p(sum[i, c](p[i, c]^2))
        """)]
    public static partial float FedLdMarginControl(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float lambda = 0.03f);

    /// <summary>Bias loss: <c>mean_i w_i CE_i</c>, <c>w_i = exp(beta vhat_i) - 1 + alpha</c>, <c>vhat_i = (v_i - gmin) / (max_j v_j - min_j v_j)</c>, <c>v_i = Var(sg(F_i))</c> (unbiased), <c>gmin = min(globalMin, min_j v_j)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R29 <c>bias_loss</c>; Bias Loss for Mobile Neural Networks, [code: a public BiasLoss implementation (lusinlu), normalisation mode 'global'].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], the sample's feature maps flattened <paramref name="features"/> [N, K] (no gradient: detached).</para>
    /// <para><b>Defaults</b>: <paramref name="globalMin"/> = 100000 (the reference's initial value), <paramref name="alpha"/> = 0.3, <paramref name="beta"/> = 0.3.</para>
    /// <para><b>PyTorch</b>: <c>v = features.var(1); gmin = min(globalMin, v.min()); w = torch.exp(beta * (v - gmin) / (v.max() - v.min())) - 1 + alpha; (w * F.cross_entropy(z, y, reduction='none')).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="features">Feature maps [N, K], detached.</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="globalMin">The running minimum of the variances over past batches (the caller keeps this state; the initial value disables it).</param>
    /// <param name="alpha">The weight offset alpha.</param>
    /// <param name="beta">The exponent beta.</param>
    [GeneratedLoss("""
        v[i] = sg(sum[k]((features[i, k] - mean[j](features[i, j]))^2) / (extent(k) - 1));
        gmin = min(globalMin, min[j](v[j]));
        wt[i] = exp(beta * (v[i] - gmin) / (max[j](v[j]) - min[j](v[j]))) - 1 + alpha;
        mean[i](wt[i] * (logsumexp[c](z[i, c]) - z[i, y[i]]))
        
        """)]
    public static partial float BiasLoss(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> features, Span<float> dz, float globalMin = 100000f, float alpha = 0.3f, float beta = 0.3f);

    /// <summary>Correctness-aware calibration (CA) loss: <c>sum_i w_i (c_i - k_i)^2 / sum_i w_i</c>, <c>c_i = max_c softmax(z_i)_c</c>, <c>k_i = 1[argmax original_i = y_i]</c>, <c>w_i = 1 - acc</c> if correct else <c>acc</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R30 <c>correctness_aware_calibration</c>; Optimizing Calibration by Gaining Aware of Prediction Correctness, [code: liuyvchi/Correctness-aware-calibration src/cal_metrics/temperature_scaling_CA.py].</para>
    /// <para><b>Shapes</b>: calibrated logits <paramref name="z"/> [N, C], the original model's logits <paramref name="original"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>k = (original.argmax(1) == y).double(); acc = k.mean(); w = torch.where(k == 1, 1 - acc, acc); c = z.softmax(1).amax(1); (w * (c - k)**2).sum() / w.sum()</c>.</para>
    /// </remarks>
    /// <param name="z">Calibrated logits [N, C].</param>
    /// <param name="original">The original prediction's logits [N, C] (no gradient).</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        correct[i] = original[i, y[i]] >= max[c](original[i, c]);
        acc = mean[i](correct[i]);
        w[i] = where(correct[i], 1 - acc, acc);
        conf[i] = exp(max[c](z[i, c]) - logsumexp[c](z[i, c]));
        sum[i](w[i] * (conf[i] - correct[i])^2) / sum[i](w[i])
        
        """)]
    public static partial float CorrectnessAwareCalibration(ReadOnlySpan<float> z, ReadOnlySpan<float> original, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>SAF trajectory loss: <c>CE(z, y) + lambda mean_i KL(softmax(bank[ids_i] / tau) || softmax(z_i / tau))</c>, the outputs recorded E epochs earlier gathered by sample id.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R31 <c>saf_trajectory_kl</c>; Sharpness-Aware Training for Free [paper] (defaults unconfirmed).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], the memory bank <paramref name="bank"/> [M, C] and each row's sample id <paramref name="ids"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(z, y) + lambda * F.kl_div(F.log_softmax(z / tau, 1), F.log_softmax(bank[ids] / tau, 1), reduction='batchmean', log_target=True)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="bank">Recorded outputs [M, C].</param>
    /// <param name="ids">Sample ids into the bank [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="lambda">The weight of the trajectory term.</param>
    /// <param name="tau">The temperature.</param>
    [GeneratedLoss("""
        lt[i, c] = log_softmax[c](bank[ids[i], c] / tau);
        ls[i, c] = log_softmax[c](z[i, c] / tau);
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]]) + lambda * mean[i](sum[c](exp(lt[i, c]) * (lt[i, c] - ls[i, c])))
        
        """)]
    public static partial float SafTrajectoryKl(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> bank, ReadOnlySpan<int> ids, Span<float> dz, float lambda, float tau);

    /// <summary>KL-regularised worst case over instance weights: <c>r log((1/n) sum_i exp(l_i / r))</c> (the weights are <c>softmax_i(l_i / r)</c>).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R32 <c>kl_dro_reweighting</c>; Doubly Robust Instance-Reweighted Adversarial Training [recalled].</para>
    /// <para><b>Shapes</b>: per-sample losses <paramref name="l"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>r * (torch.logsumexp(l / r, 0) - math.log(n))</c>.</para>
    /// </remarks>
    /// <param name="l">Per-sample losses [N].</param>
    /// <param name="dl">Receives dLoss/dl (the instance weights).</param>
    /// <param name="r">The KL regularisation strength.</param>
    [GeneratedLoss("""
        m = sg(max[i](l[i]));
        m + r * log(mean[i](exp((l[i] - m) / r)))
        """)]
    public static partial float KlDro(ReadOnlySpan<float> l, Span<float> dl, float r);

    /// <summary>KL-DRO over per-sample cross-entropies: <c>r log((1/n) sum_i exp(l_i / r))</c>, <c>l_i = lse_i - z[i, y_i]</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R32 <c>kl_dro_reweighting</c>; Doubly Robust Instance-Reweighted Adversarial Training [recalled].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C] (of the adversarial examples), labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>l = F.cross_entropy(z, y, reduction='none'); r * (torch.logsumexp(l / r, 0) - math.log(n))</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    /// <param name="r">The KL regularisation strength.</param>
    [GeneratedLoss("""
        l[i] = logsumexp[c](z[i, c]) - z[i, y[i]];
        m = sg(max[i](l[i]));
        m + r * log(mean[i](exp((l[i] - m) / r)))
        """)]
    public static partial float KlDroCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float r);

    /// <summary>Worst-group loss (group DRO): <c>max_g mean_{i in g} l_i</c> over the non-empty groups.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R33 <c>worst_group_loss</c>; Assessing Algorithmic Bias in Language-Based Depression Detection [paper].</para>
    /// <para><b>Shapes</b>: per-sample losses <paramref name="l"/> [N], group ids <paramref name="group"/> [N] in [0, <paramref name="groups"/>). <paramref name="dl"/> is dense over groups, O(G N).</para>
    /// <para><b>PyTorch</b>: <c>torch.stack([l[group == g].mean() for g in range(G) if (group == g).any()]).max()</c>.</para>
    /// <para>A tie between the worst groups gives each the full gradient (docs/language.md §8.2), where PyTorch's max picks one.</para>
    /// </remarks>
    /// <param name="l">Per-sample losses [N].</param>
    /// <param name="group">Group ids [N].</param>
    /// <param name="dl">Receives dLoss/dl.</param>
    /// <param name="groups">The number of groups G.</param>
    [GeneratedLoss("""
        index g : groups;
        gm[g] = sum[i | group[i] == g](l[i]) / count[i](group[i] == g);
        max[g | count[i](group[i] == g) > 0](gm[g])
        
        """)]
    public static partial float WorstGroup(ReadOnlySpan<float> l, ReadOnlySpan<int> group, Span<float> dl, int groups);

    /// <summary>RePRI transductive objective: <c>l1 CE_support + l2 KL(pihat || pi) + l3 H(query)</c> of the prototype classifier <c>p_fg = sigmoid(tau cos(f, w) - b)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R34 <c>repri_transductive</c>; Few-Shot Segmentation Without Meta-Learning (RePRI), [code: mboudiaf/RePRI-for-Few-Shot-Segmentation src/classifier.py].</para>
    /// <para><b>Shapes</b>: support features <paramref name="fs"/> [P, D] and foreground labels <paramref name="gs"/> [P] (0 or 1), query features <paramref name="fq"/> [Q, D], prototype <paramref name="w"/> [D], bias <paramref name="b"/> [1] (pixels flattened, all valid).</para>
    /// <para><b>Defaults</b>: <paramref name="l1"/> = 1, <paramref name="l2"/> = <paramref name="l3"/> = 1 (RePRI sets them 'auto'), <paramref name="tau"/> = 20.</para>
    /// <para><b>PyTorch</b>: <c>ps = sigmoid(tau * F.cosine_similarity(fs, w[None]) - b); pq likewise; ce = -(gs * log(ps + 1e-10) + (1 - gs) * log(1 - ps + 1e-10)).mean(); m = pq.mean(); kl = (1 - m) * log((1 - m) / (1 - pi)) + m * log(m / pi); h = -(pq * log(pq + 1e-10) + (1 - pq) * log(1 - pq + 1e-10)).mean(); l1 * ce + l2 * kl + l3 * h</c>.</para>
    /// </remarks>
    /// <param name="fs">Support features [P, D].</param>
    /// <param name="gs">Support foreground labels [P].</param>
    /// <param name="fq">Query features [Q, D].</param>
    /// <param name="w">The foreground prototype [D].</param>
    /// <param name="b">The bias [1].</param>
    /// <param name="dw">Receives dLoss/dw.</param>
    /// <param name="db">Receives dLoss/db.</param>
    /// <param name="pi">The target foreground proportion.</param>
    /// <param name="l1">The weight of the support cross-entropy.</param>
    /// <param name="l2">The weight of the KL term ('auto' in RePRI's config).</param>
    /// <param name="l3">The weight of the query entropy ('auto' in RePRI's config).</param>
    /// <param name="tau">The cosine temperature.</param>
    [GeneratedLoss("""
        ps[p] = sigmoid(tau * sum[d](fs[p, d] * w[d]) / (norm[e](fs[p, e]) * norm[e](w[e])) - b[0]);
        pq[q] = sigmoid(tau * sum[d](fq[q, d] * w[d]) / (norm[e](fq[q, e]) * norm[e](w[e])) - b[0]);
        ce = mean[p](-(gs[p] * log(ps[p] + 1e-10) + (1 - gs[p]) * log(1 - ps[p] + 1e-10)));
        fg = mean[q](pq[q]);
        kl = (1 - fg) * log((1 - fg) / (1 - pi)) + fg * log(fg / pi);
        ent = mean[q](-(pq[q] * log(pq[q] + 1e-10) + (1 - pq[q]) * log(1 - pq[q] + 1e-10)));
        l1 * ce + l2 * kl + l3 * ent
        
        """)]
    public static partial float RepriTransductive(ReadOnlySpan<float> fs, ReadOnlySpan<float> gs, ReadOnlySpan<float> fq, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> dw, Span<float> db, float pi, float l1 = 1f, float l2 = 1f, float l3 = 1f, float tau = 20f);

    /// <summary>Instance-weighted distillation (TGeo-KD): <c>mean_i alpha_i CE(s_i, y_i) + (1 - alpha_i) T^2 KL(p^t_i || p^s_i)</c>, <c>p = softmax(z / T)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R36 <c>kd_variants</c>; TGeo-KD (the per-row weights alpha_i come from a small network; its gradient is <paramref name="dalpha"/>) [paper].</para>
    /// <para><b>Shapes</b>: student <paramref name="s"/> and teacher <paramref name="t"/> logits [N, C], labels <paramref name="y"/> [N], weights <paramref name="alpha"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="temperature"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>(alpha * F.cross_entropy(s, y, reduction='none') + (1 - alpha) * T**2 * F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1), reduction='none', log_target=True).sum(1)).mean()</c>.</para>
    /// </remarks>
    /// <param name="s">Student logits [N, C].</param>
    /// <param name="t">Teacher logits [N, C] (no gradient: the teacher is fixed).</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="alpha">Per-row weights [N] in [0, 1].</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="dalpha">Receives dLoss/dalpha.</param>
    /// <param name="temperature">The temperature T.</param>
    [GeneratedLoss("""
        lt[i, c] = log_softmax[c](t[i, c] / temperature);
        ls[i, c] = log_softmax[c](s[i, c] / temperature);
        mean[i](alpha[i] * (logsumexp[c](s[i, c]) - s[i, y[i]]) + (1 - alpha[i]) * temperature^2 * sum[c](exp(lt[i, c]) * (lt[i, c] - ls[i, c])))
        
        """)]
    public static partial float KdInstanceWeighted(ReadOnlySpan<float> s, ReadOnlySpan<float> t, ReadOnlySpan<int> y, ReadOnlySpan<float> alpha, Span<float> ds, Span<float> dalpha, float temperature = 1f);

    /// <summary>Hyp-CE: cross-entropy of hyperbolic multinomial-logistic-regression logits (Ganea et al.; hyptorch's
    /// <c>HyperbolicMLR</c>) on features mapped to the Poincaré ball of curvature <c>-c</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R38 <c>hyperbolic_ce</c>; Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing
    /// [code: Kartik-3004/hyp-oc train.py, nn.CrossEntropyLoss on hyptorch's HyperbolicMLR(ToPoincare(x))].</para>
    /// <para><b>Definition</b>: features are clipped to norm <c>r</c> and mapped to the ball, <c>xt = expmap0(min(1, r / (|x| + 1e-5)) x)</c>,
    /// <c>expmap0(u) = tanh(sqrt(c) |u|) u / (sqrt(c) |u|)</c> (|u| clamped below at 1e-5); each class k has a point
    /// <c>p_k = expmap0(pv_k)</c> and a normal <c>a_k = (1 - c |p_k|^2) av_k</c>; with the Möbius sum <c>m = (-p_k) (+)_c xt</c>
    /// (hyptorch's batch form, whose denominator carries + 1e-5), the logit is
    /// <c>z_k = lambda_k |a_k| / sqrt(c) asinh(2 sqrt(c) &lt;m, a_k&gt; / ((1 - c |m|^2) |a_k|))</c>, <c>lambda_k = 2 / (1 - c |p_k|^2)</c>;
    /// the loss is the mean cross-entropy of the logits. The pseudo-negatives Hyp-OC samples around a running mean are
    /// rows of <paramref name="x"/> with their label, drawn by the caller.</para>
    /// <para><b>Shapes</b>: features <paramref name="x"/> [N, D], class offsets <paramref name="pv"/> and normals <paramref name="av"/> [K, D] (tangent vectors at 0, hyptorch's <c>p_vals</c> and <c>a_vals</c>), labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: none stated: hyptorch's curvature default is c = 1. hyptorch projects the mapped points back into the ball of radius
    /// <c>(1 - 1e-3) / sqrt(c)</c>; that projection changes nothing while <c>sqrt(c) r</c> and <c>sqrt(c) |pv_k|</c> stay below 3.8, and is left out.</para>
    /// <para><b>PyTorch</b>: <c>F.cross_entropy(HyperbolicMLR(ball_dim=D, n_classes=K, c)(ToPoincare(c, clip_r=r)(x)), y)</c> with
    /// hyptorch's <c>nn.py</c> and <c>pmath.py</c> (its arsinh is asinh).</para>
    /// </remarks>
    /// <param name="x">Features [N, D].</param>
    /// <param name="pv">Class offsets [K, D] (tangent vectors at the origin).</param>
    /// <param name="av">Class normals [K, D] (tangent vectors at the origin).</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="dpv">Receives dLoss/dpv.</param>
    /// <param name="dav">Receives dLoss/dav.</param>
    /// <param name="c">The curvature magnitude c &gt; 0.</param>
    /// <param name="clipR">The clipping radius r of the features.</param>
    [GeneratedLoss("""
        xn[i] = norm[d](x[i, d]) + 1e-5;
        fac[i] = min(1, clipR / xn[i]);
        un[i] = max(fac[i] * (xn[i] - 1e-5), 1e-5);
        g[i] = fac[i] * tanh(sqrt(c) * un[i]) / (sqrt(c) * un[i]);                 # xt = g x
        pn[k] = max(norm[d](pv[k, d]), 1e-5);
        h[k] = tanh(sqrt(c) * pn[k]) / (sqrt(c) * pn[k]);                            # p = h pv
        pp[k] = h[k]^2 * sum[d](pv[k, d]^2);                                         # |p|^2
        cf[k] = 1 - c * pp[k];                                                       # a = cf av
        an[k] = cf[k] * norm[d](av[k, d]);                                           # |a|
        vv[i] = g[i]^2 * sum[d](x[i, d]^2);                                          # |xt|^2
        uv[i, k] = -g[i] * h[k] * sum[d](x[i, d] * pv[k, d]);                        # <-p, xt>
        ua[k] = -h[k] * cf[k] * sum[d](pv[k, d] * av[k, d]);                         # <-p, a>
        va[i, k] = g[i] * cf[k] * sum[d](x[i, d] * av[k, d]);                        # <xt, a>
        al[i, k] = 1 + 2 * c * uv[i, k] + c * vv[i];
        den[i, k] = 1 + 2 * c * uv[i, k] + c^2 * pp[k] * vv[i] + 1e-5;
        ma[i, k] = (al[i, k] * ua[k] + cf[k] * va[i, k]) / den[i, k];                # <m, a>
        mm[i, k] = (al[i, k]^2 * pp[k] + 2 * al[i, k] * cf[k] * uv[i, k] + cf[k]^2 * vv[i]) / den[i, k]^2;   # |m|^2
        logit[i, k] = 2 / cf[k] * an[k] / sqrt(c) * asinh(2 * sqrt(c) * ma[i, k] / ((1 - c * mm[i, k]) * an[k]));
        mean[i](logsumexp[k](logit[i, k]) - logit[i, y[i]])
        """)]
    public static partial float HyperbolicCrossEntropy(ReadOnlySpan<float> x, ReadOnlySpan<float> pv, ReadOnlySpan<float> av, ReadOnlySpan<int> y,
        Span<float> dx, Span<float> dpv, Span<float> dav, float c, float clipR);

    /// <summary>Latency-aware load balancing: <c>CV^2(a importance) + CV^2(a load)</c>, <c>importance_e = sum_t G_te</c>, <c>load_e = sum_t P(e in top-k)</c>, <c>CV^2(x) = Var(x) / (Mean(x)^2 + 1e-10)</c> (unbiased variance).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R39 <c>latency_aware_load_balancing</c>; ShiftAddViT, [code: GATECH-EIC/ShiftAddViT pvt/fmoe_new.py] (Shazeer's noisy top-k gating).</para>
    /// <para><b>Shapes</b>: gates <paramref name="gates"/>, clean and noisy gate logits <paramref name="clean"/>, <paramref name="noisy"/> and noise standard deviations <paramref name="noiseStd"/> [T, E]; the top-k thresholds (the (k+1)-th and k-th largest noisy logits) <paramref name="thresholdIn"/>, <paramref name="thresholdOut"/> [T]; latency weights <paramref name="latency"/> [E]. The top-k selection itself is the caller's (catalog S).</para>
    /// <para><b>PyTorch</b>: <c>load = torch.where(noisy &amp;gt; tin[:, None], Phi((clean - tin[:, None]) / std), Phi((clean - tout[:, None]) / std)).sum(0); cv2 = lambda v: v.var() / (v.mean()**2 + 1e-10); cv2(a * gates.sum(0)) + cv2(a * load)</c>.</para>
    /// </remarks>
    /// <param name="gates">Gate values [T, E].</param>
    /// <param name="clean">Clean gate logits [T, E].</param>
    /// <param name="noisy">Noisy gate logits [T, E].</param>
    /// <param name="noiseStd">Noise standard deviations [T, E].</param>
    /// <param name="thresholdIn">Threshold for an expert in the top-k [T].</param>
    /// <param name="thresholdOut">Threshold for an expert outside the top-k [T].</param>
    /// <param name="latency">Latency weights [E] (ShiftAddViT: 6 for multiplication, 4 for shift, 1 ...).</param>
    /// <param name="dgates">Receives dLoss/dgates.</param>
    /// <param name="dclean">Receives dLoss/dclean.</param>
    /// <param name="dnoiseStd">Receives dLoss/dnoiseStd.</param>
    /// <param name="dthresholdIn">Receives dLoss/dthresholdIn.</param>
    /// <param name="dthresholdOut">Receives dLoss/dthresholdOut.</param>
    [GeneratedLoss("""
        imp[e] = latency[e] * sum[t](gates[t, e]);
        prob[t, e] = where(noisy[t, e] > thresholdIn[t],
                           0.5 * (1 + erf((clean[t, e] - thresholdIn[t]) / noiseStd[t, e] * 0.7071067811865476)),
                           0.5 * (1 + erf((clean[t, e] - thresholdOut[t]) / noiseStd[t, e] * 0.7071067811865476)));
        load[e] = latency[e] * sum[t](prob[t, e]);
        ne = extent(e);
        mi = mean[e](imp[e]);
        ml = mean[e](load[e]);
        sum[e]((imp[e] - mi)^2) / (ne - 1) / (mi^2 + 1e-10) + sum[e]((load[e] - ml)^2) / (ne - 1) / (ml^2 + 1e-10)
        
        """)]
    public static partial float LatencyAwareLoadBalancing(ReadOnlySpan<float> gates, ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy, ReadOnlySpan<float> noiseStd, ReadOnlySpan<float> thresholdIn, ReadOnlySpan<float> thresholdOut, ReadOnlySpan<float> latency, Span<float> dgates, Span<float> dclean, Span<float> dnoiseStd, Span<float> dthresholdIn, Span<float> dthresholdOut);

    /// <summary>Mean EL2N score: <c>mean_i ||softmax(z_i) - onehot(y_i)||_2</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R40 <c>el2n_grand_scores</c>; Deep Learning on a Data Diet [paper] (a data-pruning score, not a training loss; GraNd is a per-example parameter-gradient norm, O).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(z.softmax(1) - F.one_hot(y, C)).norm(dim=1).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("mean[i](norm[c](softmax[c](z[i, c]) - (c == y[i])))")]
    public static partial float El2n(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    /// <summary>EL2N scores: writes <c>el2n_i = ||softmax(z_i) - onehot(y_i)||_2</c> for every row and returns their mean.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R40 <c>el2n_grand_scores</c>; Deep Learning on a Data Diet [paper].</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], scores <paramref name="el2n"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(z.softmax(1) - F.one_hot(y, C)).norm(dim=1)</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="el2n">Receives each row's score [N].</param>
    [GeneratedLoss("""
        el2n[i] = norm[c](softmax[c](z[i, c]) - (c == y[i]));
        mean[i](el2n[i])
        """)]
    public static partial float El2nScores(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> el2n);

    /// <summary>Pseudo-Huber consistency loss: <c>mean_i weight_i (sqrt(||x_i - y_i||^2 + c^2) - c)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R41 <c>pseudo_huber</c>; Improved Techniques for Training Consistency Models (iCT) [recalled].</para>
    /// <para><b>Shapes</b>: student outputs <paramref name="x"/> and (stop-gradient) teacher outputs <paramref name="y"/> [N, D] (each sample's [C, H, W] flattened), per-sample weights <paramref name="weight"/> [N] (<c>lambda(sigma_i) = 1 / (sigma_{i+1} - sigma_i)</c>).</para>
    /// <para><b>PyTorch</b>: <c>(weight * (((x - y)**2).sum(1) + c**2).sqrt() - c)).mean()</c>.</para>
    /// <para>Computed as <c>r^2 / (sqrt(r^2 + c^2) + c)</c>, which does not cancel when r is much smaller than c.</para>
    /// </remarks>
    /// <param name="x">Student outputs [N, D].</param>
    /// <param name="y">Teacher outputs [N, D] (no gradient).</param>
    /// <param name="weight">Per-sample weights [N].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="c">The constant c (iCT: 0.00054 sqrt(D)).</param>
    [GeneratedLoss("""
        r2[i] = sum[d]((x[i, d] - y[i, d])^2);
        mean[i](weight[i] * r2[i] / (sqrt(r2[i] + c^2) + c))
        """)]
    public static partial float PseudoHuber(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> weight, Span<float> dx, float c);

    /// <summary>Cauchy (Lorentzian) consistency loss: <c>mean_i weight_i log(1 + ||x_i - y_i||^2 / c^2)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R42 <c>cauchy_loss</c>; Improved Training Technique for Latent Consistency Models [paper] (the constant and normalisation are [unconfirmed]; Barron's alpha = 0 form is this with c√2).</para>
    /// <para><b>Shapes</b>: student outputs <paramref name="x"/> and teacher outputs <paramref name="y"/> [N, D], per-sample weights <paramref name="weight"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(weight * torch.log1p(((x - y)**2).sum(1) / c**2)).mean()</c>.</para>
    /// </remarks>
    /// <param name="x">Student outputs [N, D].</param>
    /// <param name="y">Teacher outputs [N, D] (no gradient).</param>
    /// <param name="weight">Per-sample weights [N].</param>
    /// <param name="dx">Receives dLoss/dx.</param>
    /// <param name="c">The scale c.</param>
    [GeneratedLoss("mean[i](weight[i] * log1p(sum[d]((x[i, d] - y[i, d])^2) / c^2))")]
    public static partial float Cauchy(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> weight, Span<float> dx, float c);

    /// <summary>Norm-and-direction distillation: <c>(lambda / N) sum_i 1 - &amp;lt;s_i, n(c_{y_i})&amp;gt; / max(||s_i||, ||t_i||)</c>.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R43 <c>nd_loss</c>; Improving Knowledge Distillation via Regularizing Feature Norm and Direction, [code: WangYZ1608/Knowledge-Distillation-via-ND CIFAR/DIST++/utils.py DirectNormLoss].</para>
    /// <para><b>Shapes</b>: student <paramref name="s"/> and teacher <paramref name="t"/> embeddings [N, D], the teacher's class means <paramref name="centers"/> [K, D], labels <paramref name="y"/> [N].</para>
    /// <para><b>Defaults</b>: <paramref name="lambda"/> = 1.</para>
    /// <para><b>PyTorch</b>: <c>e = F.normalize(centers[y]); lambda * (1 - (s * e).sum(1) / torch.maximum(s.norm(dim=1), t.norm(dim=1))).mean()</c>.</para>
    /// </remarks>
    /// <param name="s">Student embeddings [N, D].</param>
    /// <param name="t">Teacher embeddings [N, D] (no gradient).</param>
    /// <param name="centers">Teacher class means [K, D].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="ds">Receives dLoss/ds.</param>
    /// <param name="lambda">The loss factor.</param>
    [GeneratedLoss("""
        lambda * mean[i](1 - sum[d](s[i, d] * centers[y[i], d]) / norm[e](centers[y[i], e]) / max(norm[e](s[i, e]), norm[e](t[i, e])))
        """)]
    public static partial float NdLoss(ReadOnlySpan<float> s, ReadOnlySpan<float> t, ReadOnlySpan<float> centers, ReadOnlySpan<int> y, Span<float> ds, float lambda = 1f);

    /// <summary>SymFace symmetry term: <c>mean_i rho_i (1 - cos(left_i, right_i))</c> between the embeddings of the two half-faces.</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R44 <c>symface_symmetry</c>; SymFace: Additional Facial Symmetry Loss [paper] (the distance d is [unconfirmed]: this is the cosine distance; rho, the frontalness from landmarks, is an input).</para>
    /// <para><b>Shapes</b>: embeddings <paramref name="left"/> and <paramref name="right"/> [N, D], frontalness <paramref name="rho"/> [N].</para>
    /// <para><b>PyTorch</b>: <c>(rho * (1 - F.cosine_similarity(left, right))).mean()</c>.</para>
    /// </remarks>
    /// <param name="left">Left half-face embeddings [N, D].</param>
    /// <param name="right">Right half-face embeddings [N, D].</param>
    /// <param name="rho">Frontalness coefficients [N].</param>
    /// <param name="dleft">Receives dLoss/dleft.</param>
    /// <param name="dright">Receives dLoss/dright.</param>
    [GeneratedLoss("""
        mean[i](rho[i] * (1 - sum[d](left[i, d] * right[i, d]) / (norm[e](left[i, e]) * norm[e](right[i, e]))))
        """)]
    public static partial float SymFaceSymmetry(ReadOnlySpan<float> left, ReadOnlySpan<float> right, ReadOnlySpan<float> rho, Span<float> dleft, Span<float> dright);

    /// <summary>Sentence-embedding regression term: <c>mean_i 1 - cos(ehat_i, e_i)</c> (added to the caption cross-entropy with a weight).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R45 <c>sentence_embedding_regression</c>; Multitask learning in Audio Captioning [paper] (cosine distance or MSE is [unconfirmed]; the MSE form is E01 <c>Elementwise.Mse</c>).</para>
    /// <para><b>Shapes</b>: predicted embeddings <paramref name="ehat"/> and SBERT embeddings <paramref name="e"/> [N, D]; <paramref name="dim"/> gives D.</para>
    /// <para><b>PyTorch</b>: <c>(1 - F.cosine_similarity(ehat, e)).mean()</c>.</para>
    /// </remarks>
    /// <param name="ehat">Predicted embeddings [N, D].</param>
    /// <param name="e">Target sentence embeddings [N, D] (no gradient).</param>
    /// <param name="dehat">Receives dLoss/dehat.</param>
    /// <param name="dim">The embedding dimension D.</param>
    [GeneratedLoss("""
        index d : dim;
        mean[i](1 - sum[d](ehat[i, d] * e[i, d]) / (norm[k](ehat[i, k]) * norm[k](e[i, k])))
        """)]
    public static partial float SentenceEmbeddingRegression(ReadOnlySpan<float> ehat, ReadOnlySpan<float> e, Span<float> dehat, int dim);

    /// <summary>MVP masked, weighted cross-entropy: <c>mean_i weight_i (lse over allowed classes of z_i - z[i, y_i])</c>; a class is allowed when it occurs in the batch's labels or <paramref name="mask"/> allows it (the others' logits are -inf).</summary>
    /// <remarks>
    /// <para><b>Catalog</b>: R46 <c>mvp_masked_logits_focal</c>; Online Class Incremental Learning ... Mask and Visual Prompt Tuning (MVP) [paper] (the focal weights come from gradient similarity, [unconfirmed]: they are the input <paramref name="weight"/>).</para>
    /// <para><b>Shapes</b>: logits <paramref name="z"/> [N, C], labels <paramref name="y"/> [N], class mask <paramref name="mask"/> [C] (1 = allowed; e.g. the task's classes), per-sample weights <paramref name="weight"/> [N]. The batch-presence test costs O(N C).</para>
    /// <para><b>PyTorch</b>: <c>allowed = (mask &amp;gt; 0) | F.one_hot(y, C).any(0); (weight * F.cross_entropy(z.masked_fill(~allowed, -inf), y, reduction='none')).mean()</c>.</para>
    /// </remarks>
    /// <param name="z">Logits [N, C].</param>
    /// <param name="y">Labels [N] (class indices).</param>
    /// <param name="mask">Allowed classes [C].</param>
    /// <param name="weight">Per-sample weights [N].</param>
    /// <param name="dz">Receives dLoss/dz.</param>
    [GeneratedLoss("""
        mean[i](weight[i] * (logsumexp[c | mask[c] > 0 || count[j](y[j] == c) > 0](z[i, c]) - z[i, y[i]]))
        """)]
    public static partial float MvpMaskedCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, ReadOnlySpan<float> mask, ReadOnlySpan<float> weight, Span<float> dz);
}
