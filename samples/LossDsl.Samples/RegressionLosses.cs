using System;
using LossDsl;

namespace LossDsl.Samples;

/// <summary>Regression losses (mean reduction unless stated).</summary>
public static partial class RegressionLosses
{
    /// <summary>Mean squared error.</summary>
    [GeneratedLoss("mean((yhat - y)^2)")]
    public static partial float Mse(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat);

    /// <summary>Mean absolute error (sub-gradient 0 at 0).</summary>
    [GeneratedLoss("mean(abs(yhat - y))")]
    public static partial float Mae(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat);

    /// <summary>Huber loss, as torch.nn.HuberLoss: 0.5 d^2 where |d| &lt;= delta, else delta (|d| - delta/2).</summary>
    [GeneratedLoss("d = yhat - y; mean(where(abs(d) <= delta, 0.5 * d^2, delta * (abs(d) - 0.5 * delta)))")]
    public static partial float Huber(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat, float delta = 1f);

    /// <summary>Smooth L1, as torch.nn.SmoothL1Loss: 0.5 d^2 / beta where |d| &lt; beta, else |d| - beta/2.</summary>
    [GeneratedLoss("d = abs(yhat - y); mean(where(d < beta, 0.5 * d^2 / beta, d - 0.5 * beta))")]
    public static partial float SmoothL1(ReadOnlySpan<float> yhat, ReadOnlySpan<float> y, Span<float> dyhat, float beta = 1f);

    /// <summary>Pseudo-Huber distance per sample (iCT): sqrt(||x - y||^2 + c^2) - c, mean over samples [N, D].</summary>
    [GeneratedLoss("index d : dim; mean[i](sqrt(sum[d]((x[i, d] - y[i, d])^2) + c^2) - c)")]
    public static partial float PseudoHuber(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, int dim, float c = 0.03f);

    /// <summary>Cauchy (Lorentzian) distance per sample: log(1 + ||x - y||^2 / c^2), mean over samples [N, D].</summary>
    [GeneratedLoss("index d : dim; mean[i](log1p(sum[d]((x[i, d] - y[i, d])^2) / c^2))")]
    public static partial float Cauchy(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, int dim, float c = 1f);
}
