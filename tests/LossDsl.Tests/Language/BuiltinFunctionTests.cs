using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>The functions cos, sin, acos, asinh, atanh (and artanh), log1mexp, each in a weighted sum.</summary>
public static partial class BuiltinFunctionLosses
{
    [GeneratedLoss("sum(w * cos(x))")]
    public static partial float Cos(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * sin(x))")]
    public static partial float Sin(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * acos(x))")]
    public static partial float Acos(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * asinh(x))")]
    public static partial float Asinh(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * atanh(x))")]
    public static partial float Atanh(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * artanh(x))")]
    public static partial float Artanh(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum(w * log1mexp(x))")]
    public static partial float Log1mexp(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    /// <summary>Every new function in one loss (also compiled to GPU kernels: see GpuKernelTests).</summary>
    public const string AllExpression =
        "mean(cos(x) + 2 * sin(x) + asinh(3 * x) + log1mexp(abs(x) + 0.1) + acos(tanh(x)) + atanh(0.9 * tanh(x)))";

    [GeneratedLoss(AllExpression)]
    public static partial float All(ReadOnlySpan<float> x, Span<float> dx);

    /// <summary>The same in a kernel computed in double (the functions of ScalarDouble).</summary>
    [GeneratedLoss(AllExpression)]
    public static partial double AllDouble(ReadOnlySpan<double> x, Span<double> dx);
}

/// <summary>
/// The new built-in functions: each kernel, at every SIMD width, against its formula written here in float64 (loss,
/// and the derivative formula for every element, extreme arguments included), against central finite differences of
/// that formula where it is smooth, and against the interpreter; every kernel called twice (the same bits), and the
/// gradient the same bits at every width (an elementwise function runs the same algorithm in every lane).
/// </summary>
[Collection("LossParallel")]
public class BuiltinFunctionTests
{
    public sealed record Function(string Name, Func<double, double> Value, Func<double, double> Derivative, float[] Inputs, Func<float, bool> Smooth)
    {
        public override string ToString() => Name;
    }

    private static float[] Grid(double lo, double hi, int count) =>
        Enumerable.Range(0, count).Select(k => (float)(lo + (hi - lo) * (k + 0.5) / count)).ToArray();

    /// <summary>log(1 - e^-x) as Maechler (2012) writes it, with Kahan's expm1 and log1p.</summary>
    private static double Log1mexp(double x) => x <= Math.Log(2) ? Math.Log(-Expm1(-x)) : Log1p(-Math.Exp(-x));
    private static double Expm1(double x) { double u = Math.Exp(x); return u == 1 ? x : double.IsPositiveInfinity(u) ? u : (u - 1) * (x / Math.Log(u)); }
    private static double Log1p(double x) { double u = 1 + x; return u == 1 ? x : Math.Log(u) * (x / (u - 1)); }

    public static readonly Function[] Functions =
    {
        new("Cos", Math.Cos, x => -Math.Sin(x), Grid(-10, 10, 41).Concat(new[] { 0f, -0f, 1e4f, -1e4f, 12345.678f, 2.5e6f, 1e30f, -1e30f, 3.4e38f }).ToArray(),
            x => Math.Abs(x) <= 100),
        new("Sin", Math.Sin, Math.Cos, Grid(-10, 10, 41).Concat(new[] { 0f, -0f, 1e4f, -1e4f, 12345.678f, 2.5e6f, 1e30f, -1e30f, -3.4e38f, 1e-30f }).ToArray(),
            x => Math.Abs(x) <= 100),
        new("Acos", Math.Acos, x => -1 / Math.Sqrt((1 - x) * (1 + x)),
            Grid(-1, 1, 41).Concat(new[] { 0f, -0f, 0.99999994f, -0.99999994f, 1f, -1f, 1e-30f }).ToArray(), x => Math.Abs(x) < 0.999),
        new("Asinh", Math.Asinh, x => 1 / Math.Sqrt(1 + x * x),
            Grid(-10, 10, 41).Concat(new[] { 0f, -0f, 1e-30f, -1e-30f, 5000f, 1e30f, -1e30f, 3.4e38f, -3.4e38f }).ToArray(), x => Math.Abs(x) <= 100),
        new("Atanh", Math.Atanh, x => 1 / ((1 - x) * (1 + x)),
            Grid(-1, 1, 41).Concat(new[] { 0f, -0f, 0.99999994f, -0.99999994f, 1e-30f, -1e-30f, 0.5f, -0.5f }).ToArray(), x => Math.Abs(x) < 0.999),
        new("Artanh", Math.Atanh, x => 1 / ((1 - x) * (1 + x)), new[] { -0.75f, -0.3f, 0f, 0.2f, 0.5f, 0.9f, 0.99999994f }, x => Math.Abs(x) < 0.999),
        new("Log1mexp", Log1mexp, x => 1 / Expm1(x),
            Grid(0.01, 10, 41).Concat(new[] { 1e-30f, 1e-7f, 1e-3f, 0.6931472f, 0.6931471f, 20f, 80f, 87f, 100f }).ToArray(), x => x >= 1e-3 && x <= 30),
    };

    public static IEnumerable<object[]> Cases() => Functions.Select(f => new object[] { f });

    private static MethodInfo Method(string name) => LossInvoker.Find(typeof(BuiltinFunctionLosses), name);

    /// <summary>Calls the kernel twice, the second time into a fresh gradient: the same bits.</summary>
    private static (float Loss, float[] Gradient) CallTwice(LossInvoker kernel, float[] x, float[] w)
    {
        var dx = new float[x.Length];
        float loss = kernel.Invoke(x, w, dx);
        var again = new float[x.Length];
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(kernel.Invoke(x, w, again)));
        Assert.Equal(dx.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));
        return (loss, dx);
    }

    private static float[] Weights(int n)
    {
        var rng = new Random(n);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).Select(v => v == 0 ? 0.5f : v).ToArray();
    }

    private static void AssertDerivative(float actual, double expected, string what)
    {
        if (double.IsInfinity(expected) || double.IsNaN(expected))
        {
            Assert.True(actual.Equals((float)expected), $"{what}: kernel {actual:R}, formula {expected:R}");
            return;
        }
        double tol = 4e-6 * Math.Abs(expected) + 1e-37;
        Assert.True(Math.Abs(actual - expected) <= tol, $"{what}: kernel {actual:R}, formula {expected:R} ({Math.Abs(actual - expected) / Math.Abs(expected):E2} relative)");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelsMatchTheFormulaItsDerivativeAndFiniteDifferencesAtEveryWidth(Function f)
    {
        var kernel = LossInvoker.For(Method(f.Name));
        var x = f.Inputs;
        var w = Weights(x.Length);
        double expectedLoss = 0, magnitude = 0;
        for (int k = 0; k < x.Length; k++) { expectedLoss += w[k] * f.Value(x[k]); magnitude += Math.Abs(w[k] * f.Value(x[k])); }

        float[]? first = null;
        foreach (int width in SimdWidths.Supported)
        {
            using var _ = SimdWidths.Force(width);
            var (loss, dx) = CallTwice(kernel, x, w);
            string at = $"{f.Name} at width {width}";
            Assert.True(Math.Abs(loss - expectedLoss) <= 2e-6 * magnitude + 1e-30, $"{at}: loss {loss:R}, formula {expectedLoss:R}");
            for (int k = 0; k < x.Length; k++) AssertDerivative(dx[k], w[k] * f.Derivative(x[k]), $"{at}: d{f.Name}/dx at x = {x[k]:R}");
            // An elementwise gradient is the same algorithm in every lane and every width.
            first ??= dx;
            Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), dx.Select(BitConverter.SingleToInt32Bits));
        }

        // Central differences of the formula (float64) where the function is smooth at the step's scale.
        for (int k = 0; k < x.Length; k++)
        {
            if (!f.Smooth(x[k])) continue;
            double h = 1e-5 * (1 + Math.Abs(x[k]));
            double fd = w[k] * (f.Value(x[k] + h) - f.Value(x[k] - h)) / (2 * h);
            Assert.True(Math.Abs(first![k] - fd) <= 2e-4 * Math.Abs(fd) + 2e-5, $"{f.Name}: kernel d/dx {first[k]:R} at x = {x[k]:R}, finite differences {fd:R}");
        }

        // The interpreter (double) against the same formulas.
        var method = Method(f.Name);
        var interpreter = LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method))
            .EvaluateWithGradients(new Dictionary<string, object> { ["x"] = x, ["w"] = w });
        Assert.True(Math.Abs(interpreter.Loss - expectedLoss) <= 1e-12 * magnitude + 1e-300, $"{f.Name}: interpreter loss {interpreter.Loss:R}, formula {expectedLoss:R}");
        var g = interpreter.Gradients["dx"];
        for (int k = 0; k < x.Length; k++)
        {
            double e = w[k] * f.Derivative(x[k]);
            Assert.True(e.Equals(g[k]) || Math.Abs(g[k] - e) <= 1e-10 * Math.Abs(e), $"{f.Name}: interpreter d/dx {g[k]:R} at x = {x[k]:R}, formula {e:R}");
        }
    }

    /// <summary>
    /// The singular points: atanh(±1) = ±inf, log1mexp(0) = -inf (derivatives +inf); outside the domain the value is
    /// NaN (log1mexp's derivative is still the formula's 1 / expm1(x)).
    /// </summary>
    [Theory]
    [InlineData("Atanh", 1f, double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData("Atanh", -1f, double.NegativeInfinity, double.PositiveInfinity)]
    [InlineData("Artanh", 1f, double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData("Log1mexp", 0f, double.NegativeInfinity, double.PositiveInfinity)]
    [InlineData("Log1mexp", -0.5f, double.NaN, -2.541494082536798)]
    [InlineData("Acos", 1.5f, double.NaN, double.NaN)]
    public void SingularPointsGiveTheLimitOfTheFormula(string name, float x, double value, double derivative)
    {
        var kernel = LossInvoker.For(Method(name));
        foreach (int width in SimdWidths.Supported)
        {
            using var _ = SimdWidths.Force(width);
            var (loss, dx) = CallTwice(kernel, new[] { x }, new[] { 1f });
            Assert.True(loss.Equals((float)value), $"{name}({x}) at width {width}: {loss:R}, expected {value:R}");
            AssertDerivative(dx[0], derivative, $"{name}'({x}) at width {width}");
        }
        var method = Method(name);
        var r = LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method))
            .EvaluateWithGradients(new Dictionary<string, object> { ["x"] = new[] { x }, ["w"] = new[] { 1f } });
        Assert.True(r.Loss.Equals(value), $"interpreter {name}({x}) = {r.Loss:R}, expected {value:R}");
        double g = r.Gradients["dx"][0];
        Assert.True(g.Equals(derivative) || Math.Abs(g - derivative) <= 1e-12 * Math.Abs(derivative), $"interpreter {name}'({x}) = {g:R}, expected {derivative:R}");
    }

    private static double AllFormula(double[] x)
    {
        double sum = 0;
        foreach (double v in x)
            sum += Math.Cos(v) + 2 * Math.Sin(v) + Math.Asinh(3 * v) + Log1mexp(Math.Abs(v) + 0.1) + Math.Acos(Math.Tanh(v)) + Math.Atanh(0.9 * Math.Tanh(v));
        return sum / x.Length;
    }

    /// <summary>Every function in one loss: the float kernel at every width and the double kernel against the formula and its finite differences.</summary>
    [Fact]
    public void AllFunctionsInOneLossInFloatAndDouble()
    {
        var x = Grid(-3, 3, 37);
        var xd = Array.ConvertAll(x, v => (double)v);
        double expected = AllFormula(xd);
        var fd = new double[x.Length];
        for (int k = 0; k < x.Length; k++)
        {
            var p = (double[])xd.Clone();
            double h = 1e-6 * (1 + Math.Abs(xd[k]));
            p[k] = xd[k] + h; double plus = AllFormula(p);
            p[k] = xd[k] - h; double minus = AllFormula(p);
            fd[k] = (plus - minus) / (2 * h);
        }
        var kernel = LossInvoker.For(Method(nameof(BuiltinFunctionLosses.All)));
        foreach (int width in SimdWidths.Supported)
        {
            using var _ = SimdWidths.Force(width);
            var dx = new float[x.Length];
            float loss = kernel.Invoke(x, dx);
            Assert.Equal(expected, loss, 5);
            for (int k = 0; k < x.Length; k++) Assert.True(Math.Abs(dx[k] - fd[k]) <= 1e-4 * Math.Abs(fd[k]) + 1e-6, $"width {width}: dx[{k}] {dx[k]:R}, finite differences {fd[k]:R}");
        }

        var ddx = new double[x.Length];
        double lossDouble = BuiltinFunctionLosses.AllDouble(xd, ddx);
        Assert.True(Math.Abs(lossDouble - expected) <= 1e-12 * Math.Abs(expected), $"double kernel {lossDouble:R}, formula {expected:R}");
        double lossAgain = BuiltinFunctionLosses.AllDouble(xd, new double[x.Length]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(lossDouble), BitConverter.DoubleToInt64Bits(lossAgain));
        for (int k = 0; k < x.Length; k++) Assert.True(Math.Abs(ddx[k] - fd[k]) <= 1e-7 * (1 + Math.Abs(fd[k])), $"double kernel dx[{k}] {ddx[k]:R}, finite differences {fd[k]:R}");
    }
}
