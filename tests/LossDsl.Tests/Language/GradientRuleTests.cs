using System;
using System.Linq;
using LossDsl.Interpretation;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// Declarations whose gradients were once wrong in the kernel and the interpreter alike (they share the front end),
/// each checked against central finite differences of a float64 loss written here from the formula, not through the
/// compiler: a term invariant in a reduction's index (it receives its adjoint once per element of the reduction), and
/// powers whose derivative meets 0 * inf (an exponent of 0, a base that saturated to 0).
/// </summary>
public static partial class GradientRuleLosses
{
    /// <summary>v[i]^2 is summed over c: dv = 2 m v * upstream.</summary>
    [GeneratedLoss("index i : n; index c : m; sum[i](sum[c](z[i, c]^2 + v[i]^2))")]
    public static partial float InvariantTerm(ReadOnlySpan<float> z, ReadOnlySpan<float> v, Span<float> dz, Span<float> dv, int n, int m);

    /// <summary>Valid by docs/language.md §8.4 (once rejected with LOSS0211 because its gradient seemed to cancel).</summary>
    [GeneratedLoss("sum[c](x[c] * x[c] - sum[k](x[k]))")]
    public static partial float CenteredSum(ReadOnlySpan<float> x, Span<float> dx);

    /// <summary>Normalized cross-entropy (Ma et al., 2020): a log-softmax summed over the classes.</summary>
    [GeneratedLoss("index c : classes; lse = logsumexp[c](z[i, c]); mean[i]((z[i, y[i]] - lse) / sum[c](z[i, c] - lse))")]
    public static partial float NormalizedCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int classes);

    /// <summary>Symmetric cross-entropy (Wang et al., 2019) with log 0 clamped to log(1e-4), as the paper does.</summary>
    [GeneratedLoss("""
        index c : classes;
        p[i, c] = softmax[c](z[i, c]);
        ce = logsumexp[c](z[i, c]) - z[i, y[i]];
        rce = -sum[c](p[i, c] * where(c == y[i], 0, log(1e-4)));
        mean[i](a * ce + b * rce)
        """)]
    public static partial float SymmetricCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int classes, float a = 0.1f, float b = 1f);

    /// <summary>The mean of expm1: its derivative is exp(x), exact where expm1(x) + 1 cancels (x well below 0).</summary>
    [GeneratedLoss("mean(expm1(x))")]
    public static partial float MeanExpm1(ReadOnlySpan<float> x, Span<float> dx);

    /// <summary>torchvision's sigmoid focal loss without the alpha weight.</summary>
    [GeneratedLoss("p = sigmoid(x); pt = y * p + (1 - y) * (1 - p); mean((1 - pt)^gamma * bce_logits(x, y))")]
    public static partial float Focal(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float gamma);
}

public class GradientRuleTests
{
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    private static double LogSumExp(double[] z, int row, int classes)
    {
        double m = double.NegativeInfinity;
        for (int c = 0; c < classes; c++) m = Math.Max(m, z[row * classes + c]);
        double s = 0;
        for (int c = 0; c < classes; c++) s += Math.Exp(z[row * classes + c] - m);
        return m + Math.Log(s);
    }

    /// <summary>Central differences of <paramref name="loss"/> (float64) at <paramref name="x"/>, coordinate by coordinate.</summary>
    private static double[] FiniteDifferences(Func<double[], double> loss, float[] x)
    {
        var d = Array.ConvertAll(x, v => (double)v);
        var g = new double[d.Length];
        for (int k = 0; k < d.Length; k++)
        {
            double x0 = d[k], h = 1e-5 * (1 + Math.Abs(x0));
            d[k] = x0 + h; double lp = loss(d);
            d[k] = x0 - h; double lm = loss(d);
            d[k] = x0;
            g[k] = (lp - lm) / (2 * h);
        }
        return g;
    }

    private static void AssertGradient(float[] kernel, double[] expected, string what)
    {
        double max = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int k = 0; k < kernel.Length; k++)
        {
            Assert.True(float.IsFinite(kernel[k]), $"{what}[{k}] = {kernel[k]}");
            double tol = 2e-4 * Math.Abs(expected[k]) + 2e-5 * max + 1e-7;
            Assert.True(Math.Abs(kernel[k] - expected[k]) <= tol, $"{what}[{k}]: kernel {kernel[k]:R}, finite differences {expected[k]:R} (tol {tol:E2})");
        }
    }

    /// <summary>Calls a kernel twice, into <paramref name="gradient"/> and into a fresh array: the same bits both times.</summary>
    private static float CallTwice(Func<float[], float> kernel, float[] gradient)
    {
        float loss = kernel(gradient);
        var again = new float[gradient.Length];
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(kernel(again)));
        Assert.Equal(gradient.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));
        return loss;
    }

    [Fact]
    public void ATermInvariantInAReductionIndexReceivesItsAdjointOncePerElement()
    {
        var rng = new Random(3);
        const int n = 3, m = 5;
        var z = LossCheck.Normal(rng, n * m);
        var v = LossCheck.Normal(rng, n);
        var dz = new float[z.Length];
        var dv = new float[v.Length];
        for (int call = 0; call < 2; call++)
        {
            float loss = GradientRuleLosses.InvariantTerm(z, v, dz, dv, n, m);
            Assert.Equal(z.Sum(x => (double)x * x) + m * v.Sum(x => (double)x * x), loss, 4);
            for (int k = 0; k < z.Length; k++) Assert.Equal(2 * z[k], dz[k], 5);
            for (int k = 0; k < v.Length; k++) Assert.Equal(2 * m * v[k], dv[k], 5);
        }

        // The interpreter (same front end) agrees now, and so does the finite difference of its loss.
        var interp = LossExpression.Parse("index i : n; index c : m; sum[i](sum[c](z[i, c] + v[i]))",
            LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Tensor("v"), LossParameterDeclaration.Gradient("dz"),
            LossParameterDeclaration.Gradient("dv"), LossParameterDeclaration.Int("n"), LossParameterDeclaration.Int("m"));
        var r = interp.EvaluateWithGradients(new System.Collections.Generic.Dictionary<string, object> { ["z"] = z, ["v"] = v, ["n"] = n, ["m"] = m });
        Assert.All(r.Gradients["dv"], g => Assert.Equal(m, g, 12));
    }

    [Fact]
    public void TheDerivativeOfExpm1IsExpAlsoForNegativeArguments()
    {
        var x = new[] { -80f, -30f, -17.5f, -10f, -1f, -1e-3f, 0f, 1e-3f, 1f, 5f, 20f };
        var dx = new float[x.Length];
        CallTwice(g => GradientRuleLosses.MeanExpm1(x, g), dx);
        for (int k = 0; k < x.Length; k++)
        {
            double expected = Math.Exp(x[k]) / x.Length;
            Assert.True(Math.Abs(dx[k] - expected) <= 1e-6 * expected + 1e-45, $"dx[{k}] at x = {x[k]}: {dx[k]:R}, exp(x)/n = {expected:R}");
        }
    }

    [Fact]
    public void ASumThatSubtractsItsOwnTotalIsDifferentiable()
    {
        var x = LossCheck.Normal(new Random(5), 7);
        var dx = new float[x.Length];
        CallTwice(g => GradientRuleLosses.CenteredSum(x, g), dx);
        AssertGradient(dx, FiniteDifferences(d => d.Sum(v => v * v - d.Sum()), x), "dx");
        // d/dx_k = 2 x_k - C
        for (int k = 0; k < x.Length; k++) Assert.Equal(2 * x[k] - x.Length, dx[k], 4);
    }

    [Fact]
    public void LossesThatSumALogSoftmaxOverTheClassesMatchFiniteDifferences()
    {
        var rng = new Random(7);
        foreach (var (rows, classes) in new[] { (1, 3), (4, 10), (3, 33) })
        {
            var z = LossCheck.Normal(rng, rows * classes, 2);
            var y = LossCheck.Labels(rng, rows, classes);
            var dz = new float[z.Length];

            CallTwice(g => GradientRuleLosses.NormalizedCrossEntropy(z, y, g, classes), dz);
            AssertGradient(dz, FiniteDifferences(d =>
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    double lse = LogSumExp(d, i, classes), sum = 0;
                    for (int c = 0; c < classes; c++) sum += d[i * classes + c] - lse;
                    total += (d[i * classes + y[i]] - lse) / sum;
                }
                return total / rows;
            }, z), $"normalized CE {rows}x{classes}: dz");

            const double a = 0.1, b = 1;
            CallTwice(g => GradientRuleLosses.SymmetricCrossEntropy(z, y, g, classes), dz);
            AssertGradient(dz, FiniteDifferences(d =>
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    double lse = LogSumExp(d, i, classes), rce = 0;
                    for (int c = 0; c < classes; c++) if (c != y[i]) rce -= Math.Exp(d[i * classes + c] - lse) * Math.Log(1e-4);
                    total += a * (lse - d[i * classes + y[i]]) + b * rce;
                }
                return total / rows;
            }, z), $"symmetric CE {rows}x{classes}: dz");
        }
    }

    /// <summary>
    /// At |x| = 20 and 1e4 the probability saturates to 0 or 1 in float, so 1 - pt is 0: the derivative of (1 - pt)^gamma
    /// is 0 * 0^-1 for gamma = 0 and infinite for gamma = 0.5, where the derivative of pt underflowed to 0 too. PyTorch
    /// gives 0 (gamma = 0, its pow backward masks a zero exponent) and NaN (gamma = 0.5); the gradient here is 0 in both,
    /// the limit, and matches the finite differences of the float64 loss elsewhere.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void FocalGradientsAreFiniteAtSaturation(double gamma)
    {
        var x = new float[] { 20, -20, 1e4f, -1e4f, 0.3f, 20, -20, 0, 0, -2.5f, 1.5f };
        var y = new float[] { 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1 };
        var dx = new float[x.Length];
        float loss = CallTwice(g => GradientRuleLosses.Focal(x, y, g, (float)gamma), dx);
        double Loss(double[] d)
        {
            double total = 0;
            for (int k = 0; k < d.Length; k++)
            {
                // 1 - pt, from the logit so that it does not round to 0 in float64 either
                double q = y[k] == 1 ? Sigmoid(-d[k]) : Sigmoid(d[k]);
                double bce = Softplus(d[k]) - y[k] * d[k];
                total += (gamma == 0 ? 1 : Math.Pow(q, gamma)) * bce;
            }
            return total / d.Length;
        }
        Assert.Equal(Loss(Array.ConvertAll(x, v => (double)v)), loss, 4);
        AssertGradient(dx, FiniteDifferences(Loss, x), $"focal gamma {gamma}: dx");
    }

    [Fact]
    public void FocalTverskyGradientIsFiniteAtAPerfectPrediction()
    {
        // Perfect predictions: p rounds to g exactly, so tp = sum(g), fn = fp = 0 and TI = 1.
        var x = new float[] { 30, -30, 30, 30, -30 };
        var g = new float[] { 1, 0, 1, 1, 0 };
        var dx = new float[x.Length];
        float loss = CallTwice(d => SegmentationLosses.FocalTversky(x, g, d), dx);
        Assert.Equal(0f, loss);
        Assert.All(dx, v => Assert.Equal(0f, v));
    }
}
