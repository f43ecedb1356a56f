using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Language;

/// <summary>Fixed-count loops (docs/language.md §7.2): states whose stages are tensors the kernels store.</summary>
public static partial class RepeatLosses
{
    private const string SinkhornExpression = """
        index i, j, k : n;
        P[i, j] = exp(s[i, j] / tau);
        repeat 20 {
            P[i, j] = P[i, j] / sum[k](P[i, k]);
            P[i, j] = P[i, j] / sum[k](P[k, j]);
        }
        sum[i, j](P[i, j] * w[i, j])
        """;

    /// <summary>Sinkhorn normalization (NeuralNDCG's relaxed permutation): 20 row and column normalizations.</summary>
    [GeneratedLoss(SinkhornExpression)]
    public static partial float Sinkhorn(ReadOnlySpan<float> s, ReadOnlySpan<float> w, Span<float> ds, int n, float tau);

    /// <summary>The same in double.</summary>
    [GeneratedLoss(SinkhornExpression)]
    public static partial double SinkhornDouble(ReadOnlySpan<double> s, ReadOnlySpan<double> w, Span<double> ds, int n, double tau);

    /// <summary>
    /// Newton–Schulz iterations toward the square root of a normalized matrix (P21's whitening): three states in one
    /// block, each a matrix product of the others' latest stages.
    /// </summary>
    [GeneratedLoss("""
        index a, b, c : dim;
        fro = sqrt(sum[a, b](A[a, b]^2));
        Y[a, b] = A[a, b] / fro;
        Z[a, b] = where(a == b, 1, 0);
        T[a, b] = 0;
        repeat 4 {
            T[a, b] = 1.5 * where(a == b, 1, 0) - 0.5 * sum[c](Z[a, c] * Y[c, b]);
            Y[a, b] = sum[c](Y[a, c] * T[c, b]);
            Z[a, b] = sum[c](T[a, c] * Z[c, b]);
        }
        sum[a, b](Y[a, b] * W[a, b]) * sqrt(fro)
        """)]
    public static partial float NewtonSchulz(ReadOnlySpan<float> A, ReadOnlySpan<float> W, Span<float> dA, int dim);

    /// <summary>Power iteration: a stage normalized by a reduction over all of the previous one (a global value per stage).</summary>
    [GeneratedLoss("""
        index d, e : dim;
        v[d] = u[d];
        repeat 6 {
            v[d] = sum[e](M[d, e] * v[e]);
            v[d] = v[d] / sqrt(sum[e](v[e]^2) + 1e-3);
        }
        sum[d](v[d] * t[d])
        """)]
    public static partial float PowerIteration(ReadOnlySpan<float> M, ReadOnlySpan<float> u, ReadOnlySpan<float> t, Span<float> dM, Span<float> du, int dim);

    /// <summary>A stage read at gathered rows (0 outside the axis), and the last stage written to an output.</summary>
    [GeneratedLoss("""
        u[i] = x[i];
        repeat 3 {
            u[i] = 0.5 * u[i] + 0.25 * u[y[i]] + 0.1 * u[i]^2;
        }
        mean[i](u[i] * t[i])
        """)]
    public static partial float Gathered(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> t, Span<float> dx, Span<float> u);
}

/// <summary>
/// Repeat blocks against float64 references written out here, the interpreter and finite differences, at every SIMD
/// width and 1 and 2 threads, each kernel called twice; the program grows linearly with the count; errors are located.
/// </summary>
[Collection("LossParallel")]
public class RepeatTests
{
    internal static Dictionary<string, object> SinkhornInputs(Random rng, int n) => new()
    {
        ["s"] = Normal(rng, n * n), ["w"] = Uniform(rng, n * n, 0, 1), ["n"] = n, ["tau"] = 0.7f,
    };

    internal static Dictionary<string, object> NewtonSchulzInputs(Random rng, int dim)
    {
        // A symmetric positive definite matrix: M Mᵀ / dim + I.
        var m = Normal(rng, dim * dim);
        var a = new float[dim * dim];
        for (int r = 0; r < dim; r++)
            for (int c = 0; c < dim; c++)
            {
                double v = r == c ? 1 : 0;
                for (int k = 0; k < dim; k++) v += (double)m[r * dim + k] * m[c * dim + k] / dim;
                a[r * dim + c] = (float)v;
            }
        return new() { ["A"] = a, ["W"] = Normal(rng, dim * dim), ["dim"] = dim };
    }

    internal static Dictionary<string, object> PowerInputs(Random rng, int dim) => new()
    {
        ["M"] = Normal(rng, dim * dim), ["u"] = Uniform(rng, dim, 0.5, 1.5), ["t"] = Normal(rng, dim), ["dim"] = dim,
    };

    internal static Dictionary<string, object> GatheredInputs(Random rng, int n) => new()
    {
        ["x"] = Uniform(rng, n, -1, 1), ["t"] = Normal(rng, n),
        // Some rows gather out of range (-1, n): they read 0.
        ["y"] = Enumerable.Range(0, n).Select(_ => rng.Next(8) == 0 ? (rng.Next(2) == 0 ? -1 : n) : rng.Next(n)).ToArray(),
    };

    /// <summary>Sinkhorn's loss in float64, from the definition.</summary>
    private static double SinkhornReference(double[] s, double[] w, int n, double tau, int steps = 20)
    {
        var p = s.Select(v => Math.Exp(v / tau)).ToArray();
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                double r = 0;
                for (int k = 0; k < n; k++) r += p[i * n + k];
                for (int j = 0; j < n; j++) p[i * n + j] /= r;
            }
            for (int j = 0; j < n; j++)
            {
                double c = 0;
                for (int k = 0; k < n; k++) c += p[k * n + j];
                for (int i = 0; i < n; i++) p[i * n + j] /= c;
            }
        }
        return p.Zip(w, (a, b) => a * b).Sum();
    }

    /// <summary>The Newton–Schulz loss in float64, from the definition (matrix products written out).</summary>
    private static double NewtonSchulzReference(double[] a, double[] w, int dim)
    {
        double norm = Math.Sqrt(a.Sum(v => v * v));
        double[] Mul(double[] x, double[] y)
        {
            var r = new double[dim * dim];
            for (int p = 0; p < dim; p++)
                for (int q = 0; q < dim; q++)
                    for (int k = 0; k < dim; k++) r[p * dim + q] += x[p * dim + k] * y[k * dim + q];
            return r;
        }
        var yk = a.Select(v => v / norm).ToArray();
        var zk = Enumerable.Range(0, dim * dim).Select(q => q / dim == q % dim ? 1.0 : 0).ToArray();
        for (int step = 0; step < 4; step++)
        {
            var zy = Mul(zk, yk);
            var t = Enumerable.Range(0, dim * dim).Select(q => (q / dim == q % dim ? 1.5 : 0) - 0.5 * zy[q]).ToArray();
            yk = Mul(yk, t);
            zk = Mul(t, zk);
        }
        return yk.Zip(w, (p, q) => p * q).Sum() * Math.Sqrt(norm);
    }

    /// <summary>Central differences of a float64 reference at a few coordinates, against a kernel's gradient.</summary>
    private static void AssertGradientMatchesTheReference(float[] gradient, double[] input, Func<double[], double> loss, string what)
    {
        var rng = new Random(11);
        for (int trial = 0; trial < Math.Min(8, input.Length); trial++)
        {
            int q = rng.Next(input.Length);
            double h = 1e-5 * Math.Max(1, Math.Abs(input[q]));
            var plus = (double[])input.Clone();
            var minus = (double[])input.Clone();
            plus[q] += h;
            minus[q] -= h;
            double fd = (loss(plus) - loss(minus)) / (2 * h);
            Assert.True(Math.Abs(gradient[q] - fd) <= 2e-3 * (Math.Abs(fd) + 1e-2),
                $"{what}[{q}] = {gradient[q]:R}, central difference of the float64 reference {fd:R}");
        }
    }

    private static (float Loss, Dictionary<string, float[]> Gradients) RunEverywhere(string name, Dictionary<string, object> inputs) =>
        LossCheck.RunEverywhere(typeof(RepeatLosses), name, inputs);

    private static double[] Doubles(object v) => Array.ConvertAll((float[])v, x => (double)x);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(19)]
    public void SinkhornMatchesTheReference(int n)
    {
        var inputs = SinkhornInputs(new Random(n), n);
        var (loss, grads) = RunEverywhere(nameof(RepeatLosses.Sinkhorn), inputs);
        double[] s = Doubles(inputs["s"]), w = Doubles(inputs["w"]);
        AssertClose(loss, SinkhornReference(s, w, n, 0.7f), "loss (float64 reference)");
        AssertGradientMatchesTheReference(grads["ds"], s, v => SinkhornReference(v, w, n, 0.7f), "ds");
    }

    [Fact]
    public void TheDoubleSinkhornMatchesTheReferenceTo1e10()
    {
        const int n = 9;
        var inputs = SinkhornInputs(new Random(3), n);
        double[] s = Doubles(inputs["s"]), w = Doubles(inputs["w"]);
        var ds = new double[n * n];
        double loss = RepeatLosses.SinkhornDouble(s, w, ds, n, 0.7);
        // Called twice: the same bits.
        var again = new double[n * n];
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(RepeatLosses.SinkhornDouble(s, w, again, n, 0.7)));
        Assert.Equal(ds.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
        double expected = SinkhornReference(s, w, n, 0.7);
        Assert.True(Math.Abs(loss - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"loss {loss:R}, reference {expected:R}");
        for (int q = 0; q < ds.Length; q += 7)
        {
            var plus = (double[])s.Clone();
            var minus = (double[])s.Clone();
            plus[q] += 1e-6;
            minus[q] -= 1e-6;
            double fd = (SinkhornReference(plus, w, n, 0.7) - SinkhornReference(minus, w, n, 0.7)) / 2e-6;
            Assert.True(Math.Abs(ds[q] - fd) <= 1e-7 * (1 + Math.Abs(fd)), $"ds[{q}] = {ds[q]:R}, central difference {fd:R}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(17)]
    public void NewtonSchulzMatchesTheReference(int dim)
    {
        var inputs = NewtonSchulzInputs(new Random(dim + 1), dim);
        var (loss, grads) = RunEverywhere(nameof(RepeatLosses.NewtonSchulz), inputs);
        double[] a = Doubles(inputs["A"]), w = Doubles(inputs["W"]);
        AssertClose(loss, NewtonSchulzReference(a, w, dim), "loss (float64 reference)");
        AssertGradientMatchesTheReference(grads["dA"], a, v => NewtonSchulzReference(v, w, dim), "dA");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(23)]
    public void PowerIterationMatchesTheInterpreter(int dim) => RunEverywhere(nameof(RepeatLosses.PowerIteration), PowerInputs(new Random(dim), dim));

    /// <summary>The gathered stages' loss and last stage in float64, from the definition.</summary>
    private static (double Loss, double[] Last) GatheredReference(double[] x, int[] y, float[] t)
    {
        int n = x.Length;
        var u = (double[])x.Clone();
        for (int step = 0; step < 3; step++)
            u = Enumerable.Range(0, n).Select(i => 0.5 * u[i] + 0.25 * ((uint)y[i] < (uint)n ? u[y[i]] : 0) + 0.1 * u[i] * u[i]).ToArray();
        return (u.Zip(t, (a, b) => a * b).Average(), u);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public void GatheredStagesReadZeroOutsideTheAxis(int n)
    {
        var inputs = GatheredInputs(new Random(n + 5), n);
        float[] x = (float[])inputs["x"], t = (float[])inputs["t"];
        int[] y = (int[])inputs["y"];
        var (expected, last) = GatheredReference(Doubles(x), y, t);
        var interpreter = LossCheck.Interpreter(LossInvoker.Find(typeof(RepeatLosses), nameof(RepeatLosses.Gathered)))
            .EvaluateWithGradients(new Dictionary<string, object> { ["x"] = x, ["y"] = y, ["t"] = t });
        AssertClose(interpreter.Loss, expected, "interpreter loss (float64 reference)");
        float[]? first = null;
        for (int call = 0; call < 2; call++)
        {
            var dx = Enumerable.Repeat(float.NaN, n).ToArray();
            var u = Enumerable.Repeat(float.NaN, n).ToArray();
            float loss = RepeatLosses.Gathered(x, y, t, dx, u);
            AssertClose(loss, expected, "loss (float64 reference)");
            // The output holds the last stage.
            AssertGradientClose(u, last, "u (the last stage)");
            AssertGradientClose(dx, interpreter.Gradients["dx"], "dx (interpreter)");
            AssertGradientMatchesTheReference(dx, Doubles(x), v => GatheredReference(v, y, t).Loss, "dx");
            if (first is null) first = dx;
            else Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), dx.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>The parameters of the Sinkhorn declaration, for the compiler.</summary>
    private static LossParameter[] SinkhornParameters => LanguageParameters.Parse("s:F, w:F, ds:G, n:N, tau:R");

    private static string SinkhornSource(int steps) => SinkhornExpressionWith(steps);

    private static string SinkhornExpressionWith(int steps) => $$"""
        index i, j, k : n;
        P[i, j] = exp(s[i, j] / tau);
        repeat {{steps}} {
            P[i, j] = P[i, j] / sum[k](P[i, k]);
            P[i, j] = P[i, j] / sum[k](P[k, j]);
        }
        sum[i, j](P[i, j] * w[i, j])
        """;

    [Fact]
    public void TheProgramGrowsLinearlyWithTheCount()
    {
        // IR nodes, internal tensors and passes of the fused kernel at 10, 20 and 40 steps: each doubling of the count
        // adds about twice what the previous one added (writing the steps out tripled the front end at every step).
        var sizes = new[] { 10, 20, 40 }.Select(steps =>
        {
            var c = LossCompiler.Compile(SinkhornSource(steps), SinkhornParameters, differentiate: true, plan: true);
            Assert.True(c.Success, string.Join("; ", c.Diagnostics));
            return (Nodes: c.Model!.Graph.NodeCount, Internals: c.Model.Internals.Count, Passes: c.ForwardBackward!.Passes.Count);
        }).ToArray();
        // The initial value and two stages per step, and one adjoint per stage.
        Assert.Equal(new[] { 42, 82, 162 }, sizes.Select(x => x.Internals));
        double nodeGrowth = (double)(sizes[2].Nodes - sizes[1].Nodes) / (sizes[1].Nodes - sizes[0].Nodes);
        double passGrowth = (double)(sizes[2].Passes - sizes[1].Passes) / (sizes[1].Passes - sizes[0].Passes);
        Assert.InRange(nodeGrowth, 1.8, 2.2);
        Assert.InRange(passGrowth, 1.8, 2.2);
        // Fifty steps (a NeuralNDCG default) compile; the plan stores each stage once.
        var fifty = LossCompiler.Compile(SinkhornSource(50), SinkhornParameters, differentiate: true, plan: true);
        Assert.True(fifty.Success);
        Assert.Equal(202, fifty.Model!.Internals.Count);
        Assert.Equal(202, fifty.ForwardBackward!.Buffers.Count(b => b.Buffer.Value.Op == Op.Load));
        // The forward kernel stores only the stages, not their adjoints.
        Assert.Equal(101, fifty.Forward!.Buffers.Count(b => b.Buffer.Value.Op == Op.Load));
    }

    [Fact]
    public void AStateMeansItsLatestStage()
    {
        // Before the block, inside it, and after it: a binding reads the stage current where it is used.
        var c = LossCompiler.Compile("""
            v[i] = x[i];
            twice[i] = 2 * v[i];
            repeat 2 { v[i] = twice[i] + 1; }
            mean[i](twice[i])
            """, LanguageParameters.Parse("x:F, dx:G"), differentiate: true);
        Assert.True(c.Success, string.Join("; ", c.Diagnostics));
        var m = c.Model!;
        // The initial value is stage 0, stored where the block begins; each stage reads the one before it.
        Assert.Equal(new[] { "v@0", "v@1", "v@2", "dv@2", "dv@1", "dv@0" }, m.Internals.Select(t => t.Name));
        Assert.Matches(@"^x\[i\d*\]$", m.Print(m.Internals[0].Definition));
        Assert.Matches(@"^2 \* v@0\[i\d*\] \+ 1$", m.Print(m.Internals[1].Definition));
        Assert.Contains("v@2[", m.Print(m.Loss));
        // mean(2 * (2 * (2 x + 1) + 1)): the gradient is 8 / n for every element.
        var e = LossDsl.Interpretation.LossExpression.Parse("v[i] = x[i]; twice[i] = 2 * v[i]; repeat 2 { v[i] = twice[i] + 1; } mean[i](twice[i])",
            LossDsl.Interpretation.LossParameterDeclaration.Tensor("x"), LossDsl.Interpretation.LossParameterDeclaration.Gradient("dx"));
        var r = e.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = new[] { 1f, 2f } });
        Assert.Equal(2 * (2 * (2 * 1.5 + 1) + 1), r.Loss, 12);
        Assert.All(r.Gradients["dx"], g => Assert.Equal(4.0, g, 12));

        // A state's initial value is its binding's value where the block begins, even when it reads another state
        // that the block assigns first: b@0 = 2 x, not 2 (x + 1).
        var both = LossDsl.Interpretation.LossExpression.Parse("a[i] = x[i]; b[i] = 2 * a[i]; repeat 1 { a[i] = a[i] + 1; b[i] = b[i] + a[i]; } mean[i](b[i])",
            LossDsl.Interpretation.LossParameterDeclaration.Tensor("x"), LossDsl.Interpretation.LossParameterDeclaration.Gradient("dx"));
        var rb = both.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = new[] { 1f, 2f } });
        Assert.Equal((3 * 1 + 1 + 3 * 2 + 1) / 2.0, rb.Loss, 12);
        Assert.All(rb.Gradients["dx"], g => Assert.Equal(1.5, g, 12));

        // A state computed from labels only has no adjoint.
        var labels = LossCompiler.Compile("m[i] = where(y[i] > 0, 1, 0); repeat 2 { m[i] = m[i] * 0.5 + 0.25; } mean[i](x[i] * m[i])",
            LanguageParameters.Parse("x:F, y:I, dx:G"), differentiate: true);
        Assert.True(labels.Success, string.Join("; ", labels.Diagnostics));
        Assert.Equal(new[] { "m@0", "m@1", "m@2" }, labels.Model!.Internals.Select(t => t.Name));
    }

    [Theory]
    [InlineData("v[i] = x[i]; repeat 0 { v[i] = v[i] * 2; } mean[i](v[i])", "0", 0, DiagnosticIds.InvalidRepeat, "must be a whole number from 1")]
    [InlineData("v[i] = x[i]; repeat 2.5 { v[i] = v[i] * 2; } mean[i](v[i])", "2.5", 0, DiagnosticIds.InvalidRepeat, "must be a whole number from 1")]
    [InlineData("v[i] = x[i]; repeat 3 { w[i] = v[i] * 2; } mean[i](v[i])", "w", 0, DiagnosticIds.InvalidRepeat, "is not a binding declared before it")]
    [InlineData("repeat 3 { v[i] = v[i] * 2; } v[i] = x[i]; mean[i](v[i])", "v", 0, DiagnosticIds.InvalidRepeat, "is not a binding declared before it")]
    [InlineData("v = mean(x); repeat 3 { v = v * 2; } v", "v", 1, DiagnosticIds.InvalidRepeat, "has no index parameters")]
    [InlineData("v[i] = x[i]; repeat 3 { v[i, j] = v[i] * 2; } mean[i](v[i])", "v", 1, DiagnosticIds.RankMismatch, "takes 1 index(es)")]
    [InlineData("v[i] = x[i]; repeat 3 { v[i] = v[i] * x[j]; } mean[i](v[i])", "v[i] * x[j]", 0, DiagnosticIds.NotScalar, "depends on index 'j'")]
    [InlineData("v[i] = x[i]; repeat 3 { v[i] = v[i, i]; } mean[i](v[i])", "v[i, i]", 0, DiagnosticIds.RankMismatch, "state 'v' takes 1 index(es)")]
    [InlineData("v[i] = x[i]; repeat 3 { v[i] = v[i] * 2; } }", "}", 1, DiagnosticIds.UnexpectedToken, null)]
    [InlineData("v[i] = x[j]; repeat 3 { v[i] = v[i] * 2; } mean[i](v[i])", "x[j]", 0, DiagnosticIds.NotScalar, "the value of state 'v' depends on index 'j'")]
    [InlineData("v[i] = x[i]; repeat 3 { } mean[i](v[i])", "}", 0, DiagnosticIds.UnexpectedToken, "the repeat block is empty")]
    [InlineData("v[i] = x[i]; repeat 3 { repeat 2 { v[i] = v[i] * 2; } } mean[i](v[i])", "repeat", 1, DiagnosticIds.UnexpectedToken, "repeat blocks do not nest")]
    [InlineData("v[i] = x[i]; repeat 3 { mean(x); } mean[i](v[i])", "mean", 0, DiagnosticIds.UnexpectedToken, "expected an assignment of a state")]
    [InlineData("v[i] = x[i]; repeat 3000 { v[i] = v[i] * 2; v[i] = v[i] + 1; } mean[i](v[i])", "3000", 0, DiagnosticIds.InvalidRepeat, "more than 4096")]
    public void RepeatErrorsAreLocated(string source, string marker, int nth, string id, string? message)
    {
        var c = LossCompiler.Compile(source, LanguageParameters.Parse("x:F, dx:G"), differentiate: true);
        var d = Assert.Single(c.Diagnostics, x => x.Severity == LossDsl.Language.DslSeverity.Error);
        int offset = -1;
        for (int k = 0, from = 0; k <= nth; k++, from = offset + 1) offset = source.IndexOf(marker, from, StringComparison.Ordinal);
        Assert.True(d.Id == id && d.Offset == offset && d.Length == marker.Length, $"'{source}': expected {id} at ({offset},{marker.Length}) '{marker}' but got {d}");
        if (message is not null) Assert.Contains(message, d.Message);
    }
}
