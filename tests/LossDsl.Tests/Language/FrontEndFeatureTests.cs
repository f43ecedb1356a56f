using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Planning;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// Declarations that use the front end's extents as values (<c>extent(c)</c>), gathers from indexed bindings,
/// user-defined functions and shape declarations (docs/language.md §4.4, §7, §7.1), compiled by the real build.
/// </summary>
public static partial class FrontEndLosses
{
    /// <summary>Label smoothing with eps / C from the classes' extent (no int parameter): lse - (1 - eps) z_y - eps mean_c z.</summary>
    [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - (1 - eps) * z[i, y[i]] - eps * sum[c](z[i, c] / extent(c)))")]
    public static partial float LabelSmoothing(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float eps = 0.1f);

    /// <summary>Cross-entropy minus beta times the entropy of the softmax normalized by log C (extent(c) outside every binder of c).</summary>
    [GeneratedLoss("""
        ent[i] = -sum[c](softmax[c](z[i, c]) * log_softmax[c](z[i, c]));
        mean[i](logsumexp[c](z[i, c]) - z[i, y[i]] - beta * ent[i] / log(extent(c)))
        """)]
    public static partial float NormalizedEntropyPenalty(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, float beta = 0.3f);

    /// <summary>Cross-entropy of a linear classifier head, the label's logit gathered from the binding (O(N D), no filtered sum).</summary>
    [GeneratedLoss("s[i, c] = sum[d](x[i, d] * w[c, d]); mean[i](logsumexp[c](s[i, c]) - s[i, y[i]])")]
    public static partial float LinearCrossEntropy(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, Span<float> dw);

    /// <summary>
    /// A focal Tversky term (catalog E09/S03) as a function, used for a volume [B, H, W] and its maximum projections
    /// along H and along W; its parameter g shadows the tensor g.
    /// </summary>
    [GeneratedLoss("""
        index b : batch; index h : height;
        ftl(p, g) = abs(1 - (sum(p * g) + s) / (sum(p * g) + a * sum(g * (1 - p)) + (1 - a) * sum((1 - g) * p) + s))^gamma;
        q[b, h, w] = sigmoid(x[b, h, w]);
        ftl(q[b, h, w], g[b, h, w]) + 0.5 * (ftl(max[h](q[b, h, w]), max[h](g[b, h, w])) + ftl(max[w](q[b, h, w]), max[w](g[b, h, w])))
        """)]
    public static partial float FocalTverskyProjections(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, int batch, int height,
        float a = 0.7f, float gamma = 0.75f, float s = 1f);

    /// <summary>The center loss over the classes present in the batch: the shape declaration gives k the rows of centers.</summary>
    [GeneratedLoss("""
        shape centers[k, d];
        0.5 * sum[i](sum[d]((x[i, d] - centers[y[i], d])^2)) / count[k](count[i](y[i] == k) > 0)
        """)]
    public static partial float CenterLossPresentClasses(ReadOnlySpan<float> x, ReadOnlySpan<int> y, ReadOnlySpan<float> centers, Span<float> dx, Span<float> dcenters);
}

public class FrontEndFeatureTests
{
    /// <summary>The cases of <see cref="FrontEndLosses"/> the GPU tests run too (Gpu/GpuKernelTests).</summary>
    public static IEnumerable<(string Method, Func<Random, int, Dictionary<string, object>> Inputs)> GpuCases()
    {
        yield return (nameof(FrontEndLosses.LinearCrossEntropy), (r, n) => new() { ["x"] = LossCheck.Normal(r, n * 6), ["w"] = LossCheck.Normal(r, 5 * 6), ["y"] = LossCheck.Labels(r, n, 5) });
        yield return (nameof(FrontEndLosses.LabelSmoothing), (r, n) => new() { ["z"] = LossCheck.Normal(r, n * 7, 2), ["y"] = LossCheck.Labels(r, n, 7) });
    }

    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double m = v.Max(), s = 0;
        foreach (double e in v) s += Math.Exp(e - m);
        return m + Math.Log(s);
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Central differences of a float64 loss over each of the tensors, coordinate by coordinate.</summary>
    private static double[][] FiniteDifferences(Func<double[][], double> loss, params float[][] tensors)
    {
        var d = tensors.Select(t => Array.ConvertAll(t, v => (double)v)).ToArray();
        var g = d.Select(t => new double[t.Length]).ToArray();
        for (int t = 0; t < d.Length; t++)
        {
            for (int k = 0; k < d[t].Length; k++)
            {
                double x0 = d[t][k], h = 1e-5 * (1 + Math.Abs(x0));
                d[t][k] = x0 + h; double lp = loss(d);
                d[t][k] = x0 - h; double lm = loss(d);
                d[t][k] = x0;
                g[t][k] = (lp - lm) / (2 * h);
            }
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

    /// <summary>Calls a kernel twice, into <paramref name="gradients"/> and into fresh arrays: the same bits both times.</summary>
    private static float CallTwice(Func<float[][], float> kernel, params float[][] gradients)
    {
        float loss = kernel(gradients);
        var again = gradients.Select(g => new float[g.Length]).ToArray();
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(kernel(again)));
        for (int k = 0; k < gradients.Length; k++) Assert.Equal(gradients[k].Select(BitConverter.SingleToInt32Bits), again[k].Select(BitConverter.SingleToInt32Bits));
        return loss;
    }

    private static void AssertLoss(double expected, float loss, string what) =>
        Assert.True(Math.Abs(loss - expected) <= 2e-5 * (1 + Math.Abs(expected)), $"{what}: kernel loss {loss:R}, float64 formula {expected:R}");

    /// <summary>The kernel against the interpreter (loss and every gradient).</summary>
    private static void AgreesWithTheInterpreter(string method, Dictionary<string, object> inputs) =>
        LossCheck.CompareWithInterpreter(LossInvoker.Find(typeof(FrontEndLosses), method), inputs);

    [Fact]
    public void LabelSmoothingWithTheClassCountMatchesTheFormula()
    {
        var rng = new Random(11);
        foreach (var (rows, classes) in new[] { (1, 2), (3, 7), (5, 33) })
        {
            var z = LossCheck.Normal(rng, rows * classes, 2);
            var y = LossCheck.Labels(rng, rows, classes);
            const double eps = 0.1;
            double Loss(double[][] t)
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    var row = t[0].Skip(i * classes).Take(classes).ToArray();
                    total += LogSumExp(row) - (1 - eps) * row[y[i]] - eps * row.Sum() / classes;
                }
                return total / rows;
            }
            var dz = new float[z.Length];
            float loss = CallTwice(g => FrontEndLosses.LabelSmoothing(z, y, g[0]), dz);
            AssertLoss(Loss(new[] { Array.ConvertAll(z, v => (double)v) }), loss, $"label smoothing {rows}x{classes}");
            AssertGradient(dz, FiniteDifferences(Loss, z)[0], $"label smoothing {rows}x{classes}: dz");
            AgreesWithTheInterpreter(nameof(FrontEndLosses.LabelSmoothing), new() { ["z"] = z, ["y"] = y });
        }
    }

    [Fact]
    public void EntropyNormalizedByTheLogOfTheClassCountMatchesTheFormula()
    {
        var rng = new Random(12);
        foreach (var (rows, classes) in new[] { (2, 3), (4, 17) })
        {
            var z = LossCheck.Normal(rng, rows * classes, 2);
            var y = LossCheck.Labels(rng, rows, classes);
            const double beta = 0.3;
            double Loss(double[][] t)
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    var row = t[0].Skip(i * classes).Take(classes).ToArray();
                    double lse = LogSumExp(row), entropy = 0;
                    foreach (double v in row) entropy -= Math.Exp(v - lse) * (v - lse);
                    total += lse - row[y[i]] - beta * entropy / Math.Log(classes);
                }
                return total / rows;
            }
            var dz = new float[z.Length];
            float loss = CallTwice(g => FrontEndLosses.NormalizedEntropyPenalty(z, y, g[0]), dz);
            AssertLoss(Loss(new[] { Array.ConvertAll(z, v => (double)v) }), loss, $"normalized entropy {rows}x{classes}");
            AssertGradient(dz, FiniteDifferences(Loss, z)[0], $"normalized entropy {rows}x{classes}: dz");
            AgreesWithTheInterpreter(nameof(FrontEndLosses.NormalizedEntropyPenalty), new() { ["z"] = z, ["y"] = y });
        }
    }

    [Fact]
    public void AGatheredLinearHeadMatchesTheFormulaAndReadsZeroOutOfRange()
    {
        var rng = new Random(13);
        foreach (var (rows, classes, features) in new[] { (1, 2, 1), (4, 5, 3), (9, 11, 8) })
        {
            var x = LossCheck.Normal(rng, rows * features);
            var w = LossCheck.Normal(rng, classes * features);
            var y = LossCheck.Labels(rng, rows, classes);
            if (rows > 1) { y[0] = classes; y[1] = -1; } // out of range: the gathered logit reads 0, as a tensor's would
            double Loss(double[][] t)
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                {
                    var s = new double[classes];
                    for (int c = 0; c < classes; c++)
                        for (int d = 0; d < features; d++) s[c] += t[0][i * features + d] * t[1][c * features + d];
                    total += LogSumExp(s) - (y[i] >= 0 && y[i] < classes ? s[y[i]] : 0);
                }
                return total / rows;
            }
            var dx = new float[x.Length];
            var dw = new float[w.Length];
            float loss = CallTwice(g => FrontEndLosses.LinearCrossEntropy(x, w, y, g[0], g[1]), dx, dw);
            AssertLoss(Loss(new[] { Array.ConvertAll(x, v => (double)v), Array.ConvertAll(w, v => (double)v) }), loss, $"linear CE {rows}x{classes}x{features}");
            var fd = FiniteDifferences(Loss, x, w);
            AssertGradient(dx, fd[0], $"linear CE {rows}x{classes}x{features}: dx");
            AssertGradient(dw, fd[1], $"linear CE {rows}x{classes}x{features}: dw");
            AgreesWithTheInterpreter(nameof(FrontEndLosses.LinearCrossEntropy), new() { ["x"] = x, ["w"] = w, ["y"] = y });
        }
    }

    [Fact]
    public void AFocalTverskyFunctionUsedThreeTimesMatchesTheFormula()
    {
        var rng = new Random(14);
        foreach (var (batch, height, width) in new[] { (1, 2, 3), (2, 3, 4) })
        {
            int n = batch * height * width;
            var x = LossCheck.Normal(rng, n, 2);
            var g = LossCheck.Bits(rng, n);
            const double a = 0.7, gamma = 0.75, s = 1;
            static double Ftl(IReadOnlyList<double> p, IReadOnlyList<double> t)
            {
                double tp = 0, fn = 0, fp = 0;
                for (int k = 0; k < p.Count; k++) { tp += p[k] * t[k]; fn += t[k] * (1 - p[k]); fp += (1 - t[k]) * p[k]; }
                return Math.Pow(Math.Abs(1 - (tp + s) / (tp + a * fn + (1 - a) * fp + s)), gamma);
            }
            double Loss(double[][] t)
            {
                int At(int b, int h, int w) => (b * height + h) * width + w;
                var q = t[0].Select(Sigmoid).ToArray();
                var gd = Array.ConvertAll(g, v => (double)v);
                var maxH = new List<(double Q, double G)>();
                for (int b = 0; b < batch; b++)
                    for (int w = 0; w < width; w++)
                        maxH.Add((Enumerable.Range(0, height).Max(h => q[At(b, h, w)]), Enumerable.Range(0, height).Max(h => gd[At(b, h, w)])));
                var maxW = new List<(double Q, double G)>();
                for (int b = 0; b < batch; b++)
                    for (int h = 0; h < height; h++)
                        maxW.Add((Enumerable.Range(0, width).Max(w => q[At(b, h, w)]), Enumerable.Range(0, width).Max(w => gd[At(b, h, w)])));
                return Ftl(q, gd) + 0.5 * (Ftl(maxH.Select(m => m.Q).ToList(), maxH.Select(m => m.G).ToList())
                                         + Ftl(maxW.Select(m => m.Q).ToList(), maxW.Select(m => m.G).ToList()));
            }
            var dx = new float[n];
            float loss = CallTwice(d => FrontEndLosses.FocalTverskyProjections(x, g, d[0], batch, height), dx);
            AssertLoss(Loss(new[] { Array.ConvertAll(x, v => (double)v) }), loss, $"focal Tversky {batch}x{height}x{width}");
            AssertGradient(dx, FiniteDifferences(Loss, x)[0], $"focal Tversky {batch}x{height}x{width}: dx");
            AgreesWithTheInterpreter(nameof(FrontEndLosses.FocalTverskyProjections), new() { ["x"] = x, ["g"] = g, ["batch"] = batch, ["height"] = height });
        }
    }

    [Fact]
    public void ACenterLossOverThePresentClassesMatchesTheFormula()
    {
        var rng = new Random(15);
        foreach (var (rows, classes, features) in new[] { (1, 1, 2), (6, 4, 3), (10, 9, 5) })
        {
            var x = LossCheck.Normal(rng, rows * features);
            var centers = LossCheck.Normal(rng, classes * features);
            var y = LossCheck.Labels(rng, rows, classes);
            int present = y.Distinct().Count();
            double Loss(double[][] t)
            {
                double total = 0;
                for (int i = 0; i < rows; i++)
                    for (int d = 0; d < features; d++)
                    {
                        double diff = t[0][i * features + d] - t[1][y[i] * features + d];
                        total += diff * diff;
                    }
                return 0.5 * total / present;
            }
            var dx = new float[x.Length];
            var dcenters = new float[centers.Length];
            float loss = CallTwice(g => FrontEndLosses.CenterLossPresentClasses(x, y, centers, g[0], g[1]), dx, dcenters);
            AssertLoss(Loss(new[] { Array.ConvertAll(x, v => (double)v), Array.ConvertAll(centers, v => (double)v) }), loss, $"center loss {rows}x{classes}x{features}");
            var fd = FiniteDifferences(Loss, x, centers);
            AssertGradient(dx, fd[0], $"center loss {rows}x{classes}x{features}: dx");
            AssertGradient(dcenters, fd[1], $"center loss {rows}x{classes}x{features}: dcenters");
            AgreesWithTheInterpreter(nameof(FrontEndLosses.CenterLossPresentClasses), new() { ["x"] = x, ["y"] = y, ["centers"] = centers });
        }
        // The rows of centers are checked like any axis: a length that is not a multiple of the features is refused.
        var error = Assert.Throws<ArgumentException>(() =>
            FrontEndLosses.CenterLossPresentClasses(new float[6], new int[2], new float[7], new float[6], new float[7]));
        Assert.Equal("centers", error.ParamName);
    }

    /// <summary>
    /// A gather from an indexed binding computes the gathered element only: the forward kernel of
    /// <c>mean[i](s[i, y[i]])</c> is one pass over the rows whose work is a loop over d, where the filtered-sum
    /// workaround loops over every class of every row.
    /// </summary>
    [Fact]
    public void AGatheredBindingIsNotComputedDensely()
    {
        const string binding = "s[i, c] = sum[d](x[i, d] * w[c, d]); ";
        var parameters = LanguageParameters.Parse("x:F, w:F, y:I, dx:G, dw:G");
        var gathered = LossCompiler.Compile(binding + "mean[i](s[i, y[i]])", parameters, differentiate: true, plan: true);
        var dense = LossCompiler.Compile(binding + "mean[i](sum[c | c == y[i]](s[i, c]))", parameters, differentiate: true, plan: true);
        Assert.True(gathered.Success && dense.Success, string.Join("; ", gathered.Diagnostics.Concat(dense.Diagnostics)));

        string Work(LossCompilation c) => string.Join(" | ", c.Forward!.Passes.OfType<LoopPassPlan>()
            .Select(p => c.Model!.Extents[p.Loop.Var.Extent].Name + ": " + string.Join(" * ", p.WorkExtents.Select(e => c.Model.Extents[e].Name))));
        // One pass over the rows, each a loop over d; the extent of c appears only in the gather's range check (#n_c).
        Assert.Equal("n_i: n_d", Work(gathered));
        Assert.DoesNotContain("n_c", PlanPrinter.Print(gathered.Forward!).Replace("#n_c", ""));
        // The workaround computes every s[i, c]: a pair pass over the rows and the classes.
        Assert.Contains("pairs (i#", PlanPrinter.Print(dense.Forward!));
        Assert.Contains("< n_c)", PlanPrinter.Print(dense.Forward!));
    }
}
