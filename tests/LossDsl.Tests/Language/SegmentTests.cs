using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Interpretation;
using LossDsl.Language;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Language;

/// <summary>Segment reductions (docs/language.md §6.9): sums keyed by an integer id, computed in one sweep.</summary>
public static partial class SegmentLosses
{
    private const string BatchCentersExpression = """
        index k : classes;
        n[k] = count[i](y[i] == k);
        center[k, d] = sum[i | y[i] == k](x[i, d]) / max(n[k], 1);
        mean[i](sum[d]((x[i, d] - center[y[i], d])^2))
        """;

    /// <summary>Each row's distance to the mean of its class in the batch (read through a gather of the binding).</summary>
    [GeneratedLoss(BatchCentersExpression)]
    public static partial float BatchCenters(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int classes);

    /// <summary>The same in double.</summary>
    [GeneratedLoss(BatchCentersExpression)]
    public static partial double BatchCentersDouble(ReadOnlySpan<double> x, ReadOnlySpan<int> y, Span<double> dx, int classes);

    /// <summary>The worst group's mean loss (group DRO): the segment sums read at their own index.</summary>
    [GeneratedLoss("""
        index k : groups;
        groupMean[k] = sum[i | g[i] == k]((x[i] - t[i])^2) / max(count[i](g[i] == k), 1);
        max[k](groupMean[k]) + 0.1 * mean[k](groupMean[k])
        """)]
    public static partial float WorstGroup(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<int> g, Span<float> dx, int groups);

    /// <summary>A row scaled by the size of its (class, domain) cell: a key of two ids, and a filter beside it.</summary>
    [GeneratedLoss("""
        index a : classes;
        index b : domains;
        cell[a, b] = count[j](y[j] == a && dom[j] == b && w[j] > 0);
        mean[i](w[i] * x[i] / (1 + cell[y[i], dom[i]]))
        """)]
    public static partial float CellSizes(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, ReadOnlySpan<int> dom, Span<float> dx, Span<float> dw, int classes, int domains);

    /// <summary>
    /// Each class's mean probability on its own rows (a value that reads the key's axis: p[i, c] summed where
    /// y[i] == c reads p[i, y[i]]), as JML's per-class sums of probabilities.
    /// </summary>
    [GeneratedLoss("""
        index c : classes;
        p[i, c] = exp(z[i, c] - logsumexp[k](z[i, k]));
        mass[c] = sum[i | y[i] == c](p[i, c]) / max(count[i](y[i] == c), 1);
        mean[c]((1 - mass[c])^2)
        """)]
    public static partial float OwnClassMass(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int classes);

    /// <summary>
    /// Each row's place between its class's smallest and largest value of each feature (a max and a min per segment,
    /// read at the row's label; ties split the gradient; 0 for a class without a kept row) and each class's range (read
    /// at its own index).
    /// </summary>
    [GeneratedLoss("""
        index k : classes;
        hi[k, d] = max[i | y[i] == k](x[i, d]);
        lo[k, d] = min[i | y[i] == k && w[i] > 0; empty = 0](x[i, d]);
        mean[i](sum[d]((hi[y[i], d] - x[i, d]) * (x[i, d] - lo[y[i], d]))) + 0.1 * sum[k, d | count[i](y[i] == k && w[i] > 0) > 0](hi[k, d] - lo[k, d])
        """)]
    public static partial float ClassRanges(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<int> y, Span<float> dx, int classes);
}

/// <summary>
/// Segment reductions against float64 references written out here, the interpreter and finite differences, at every
/// SIMD width and 1 and 2 threads, each kernel called twice; labels out of range belong to no segment and read 0; the
/// plans sweep the elements once (a scatter into a buffer), with no loop over the elements inside another.
/// </summary>
[Collection("LossParallel")]
public class SegmentTests
{
    internal static Dictionary<string, object> CenterInputs(Random rng, int n, int d, int classes, bool outOfRange = true) => new()
    {
        ["x"] = Normal(rng, n * d),
        // Some labels out of range (an ignore label, a class past the last): they belong to no class and read 0.
        ["y"] = Enumerable.Range(0, n).Select(_ => outOfRange && rng.Next(8) == 0 ? (rng.Next(2) == 0 ? -1 : classes + 1) : rng.Next(classes)).ToArray(),
        ["classes"] = classes,
    };

    internal static Dictionary<string, object> GroupInputs(Random rng, int n, int groups) => new()
    {
        ["x"] = Normal(rng, n), ["t"] = Normal(rng, n),
        ["g"] = Enumerable.Range(0, n).Select(_ => rng.Next(groups)).ToArray(), ["groups"] = groups,
    };

    internal static Dictionary<string, object> CellInputs(Random rng, int n, int classes, int domains) => new()
    {
        ["x"] = Normal(rng, n), ["w"] = Normal(rng, n),
        ["y"] = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray(),
        ["dom"] = Enumerable.Range(0, n).Select(_ => rng.Next(domains + 1) - (rng.Next(10) == 0 ? 1 : 0)).ToArray(),
        ["classes"] = classes, ["domains"] = domains,
    };

    /// <summary>The batch-center loss and its gradient in float64, from the definition (a label out of range: center 0).</summary>
    private static (double Loss, double[] Dx) BatchCentersReference(float[] x, int[] y, int classes)
    {
        int n = y.Length, d = x.Length / n;
        var sum = new double[classes * d];
        var count = new double[classes];
        for (int i = 0; i < n; i++)
        {
            if ((uint)y[i] >= (uint)classes) continue;
            count[y[i]]++;
            for (int e = 0; e < d; e++) sum[y[i] * d + e] += x[i * d + e];
        }
        double Center(int k, int e) => (uint)k < (uint)classes ? sum[k * d + e] / Math.Max(count[k], 1) : 0;
        double loss = 0;
        var dx = new double[x.Length];
        // dL/dcenter[k, e], then through the centers back to the rows of class k.
        var dCenter = new double[classes * d];
        for (int i = 0; i < n; i++)
            for (int e = 0; e < d; e++)
            {
                double r = x[i * d + e] - Center(y[i], e);
                loss += r * r / n;
                dx[i * d + e] += 2 * r / n;
                if ((uint)y[i] < (uint)classes) dCenter[y[i] * d + e] -= 2 * r / n;
            }
        for (int i = 0; i < n; i++)
            if ((uint)y[i] < (uint)classes)
                for (int e = 0; e < d; e++) dx[i * d + e] += dCenter[y[i] * d + e] / Math.Max(count[y[i]], 1);
        return (loss, dx);
    }

    private static (float Loss, Dictionary<string, float[]> Gradients) RunEverywhere(string name, Dictionary<string, object> inputs) =>
        LossCheck.RunEverywhere(typeof(SegmentLosses), name, inputs, sameLossAtEveryWidth: true);

    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(37, 5, 4)]
    [InlineData(300, 13, 10)]
    public void BatchCentersMatchTheReference(int n, int d, int classes)
    {
        var inputs = CenterInputs(new Random(n), n, d, classes);
        var (loss, grads) = RunEverywhere(nameof(SegmentLosses.BatchCenters), inputs);
        var (expected, dx) = BatchCentersReference((float[])inputs["x"], (int[])inputs["y"], classes);
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dx"], dx, "dx (float64 reference)");
    }

    [Fact]
    public void TheDoubleKernelMatchesTheReferenceTo1e12()
    {
        var inputs = CenterInputs(new Random(3), 53, 6, 7);
        var x = (float[])inputs["x"];
        var dx = new double[x.Length];
        double loss = SegmentLosses.BatchCentersDouble(Array.ConvertAll(x, v => (double)v), (int[])inputs["y"], dx, 7);
        var (expected, reference) = BatchCentersReference(x, (int[])inputs["y"], 7);
        Assert.True(Math.Abs(loss - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"loss {loss:R}, reference {expected:R}");
        for (int k = 0; k < dx.Length; k++)
            Assert.True(Math.Abs(dx[k] - reference[k]) <= 1e-12 * (1 + Math.Abs(reference[k])), $"dx[{k}] = {dx[k]:R}, reference {reference[k]:R}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(50, 4)]
    [InlineData(501, 9)]
    public void WorstGroupMatchesTheReference(int n, int groups)
    {
        var inputs = GroupInputs(new Random(n + 1), n, groups);
        var (loss, grads) = RunEverywhere(nameof(SegmentLosses.WorstGroup), inputs);
        float[] x = (float[])inputs["x"], t = (float[])inputs["t"];
        int[] g = (int[])inputs["g"];
        var means = Enumerable.Range(0, groups).Select(k =>
        {
            var members = Enumerable.Range(0, n).Where(i => g[i] == k).ToList();
            return members.Sum(i => Math.Pow((double)x[i] - t[i], 2)) / Math.Max(members.Count, 1);
        }).ToArray();
        double worst = means.Max();
        int tied = means.Count(m => m == worst);
        AssertClose(loss, worst + 0.1 * means.Average(), "loss (float64 reference)");
        var dx = new double[n];
        for (int i = 0; i < n; i++)
        {
            int size = g.Count(v => v == g[i]);
            double weight = (means[g[i]] == worst ? 1.0 / tied : 0) + 0.1 / groups;
            dx[i] = weight * 2 * ((double)x[i] - t[i]) / size;
        }
        AssertGradientClose(grads["dx"], dx, "dx (float64 reference)");
    }

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(97, 5, 3)]
    public void CellSizesMatchTheReference(int n, int classes, int domains)
    {
        var inputs = CellInputs(new Random(n + 2), n, classes, domains);
        var (loss, grads) = RunEverywhere(nameof(SegmentLosses.CellSizes), inputs);
        float[] x = (float[])inputs["x"], w = (float[])inputs["w"];
        int[] y = (int[])inputs["y"], dom = (int[])inputs["dom"];
        double Cell(int i) => (uint)y[i] < (uint)classes && (uint)dom[i] < (uint)domains
            ? Enumerable.Range(0, n).Count(j => y[j] == y[i] && dom[j] == dom[i] && w[j] > 0) : 0;
        AssertClose(loss, Enumerable.Range(0, n).Sum(i => (double)w[i] * x[i] / (1 + Cell(i))) / n, "loss (float64 reference)");
        AssertGradientClose(grads["dx"], Enumerable.Range(0, n).Select(i => (double)w[i] / (1 + Cell(i)) / n).ToArray(), "dx (float64 reference)");
        AssertGradientClose(grads["dw"], Enumerable.Range(0, n).Select(i => (double)x[i] / (1 + Cell(i)) / n).ToArray(), "dw (float64 reference)");
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(40, 5)]
    [InlineData(333, 17)]
    public void OwnClassMassMatchesTheReference(int n, int classes)
    {
        var rng = new Random(n + 3);
        var inputs = new Dictionary<string, object>
        {
            ["z"] = Normal(rng, n * classes, 2),
            ["y"] = Enumerable.Range(0, n).Select(_ => rng.Next(10) == 0 ? (rng.Next(2) == 0 ? -1 : classes) : rng.Next(classes)).ToArray(),
            ["classes"] = classes,
        };
        var (loss, _) = RunEverywhere(nameof(SegmentLosses.OwnClassMass), inputs);
        var z = (float[])inputs["z"];
        var y = (int[])inputs["y"];
        double P(int i, int c)
        {
            double max = Enumerable.Range(0, classes).Max(k => (double)z[i * classes + k]);
            return Math.Exp(z[i * classes + c] - max) / Enumerable.Range(0, classes).Sum(k => Math.Exp(z[i * classes + k] - max));
        }
        var mass = Enumerable.Range(0, classes).Select(c =>
        {
            var rows = Enumerable.Range(0, n).Where(i => y[i] == c).ToList();
            return rows.Sum(i => P(i, c)) / Math.Max(rows.Count, 1);
        }).ToArray();
        // A label out of range belongs to no class.
        double expected = mass.Average(m => (1 - m) * (1 - m));
        AssertClose(loss, expected, "loss (float64 reference)");
    }

    /// <summary>Rows on a grid of 0.5 (ties within a class), some of them weighted 0, labels partly out of range.</summary>
    internal static Dictionary<string, object> RangeInputs(Random rng, int n, int d, int classes)
    {
        var inputs = CenterInputs(rng, n, d, classes);
        var x = (float[])inputs["x"];
        for (int k = 0; k < x.Length; k++) x[k] = MathF.Round(x[k] * 2) / 2;
        inputs["w"] = Enumerable.Range(0, n).Select(_ => rng.Next(4) == 0 ? 0f : 1f).ToArray();
        return inputs;
    }

    /// <summary>
    /// A max and a min per segment (ties in the data: values on a grid of 0.5), against a float64 reference of the
    /// definition: a label out of range reads 0 (a gather of the binding), and the gradient of a tied extreme is split
    /// among the tied rows (§6.3).
    /// </summary>
    [Theory]
    [InlineData(1, 2, 2)]
    [InlineData(45, 3, 4)]
    [InlineData(300, 7, 9)]
    public void SegmentMaximaAndMinimaMatchTheReference(int n, int d, int classes)
    {
        var inputs = RangeInputs(new Random(n * 7 + d), n, d, classes);
        var x = (float[])inputs["x"];
        var (loss, grads) = RunEverywhere(nameof(SegmentLosses.ClassRanges), inputs);
        var y = (int[])inputs["y"];
        var w = (float[])inputs["w"];
        bool In(int label) => label >= 0 && label < classes;
        double expected = 0;
        var dx = new double[n * d];
        for (int c = 0; c < d; c++)
        {
            // The extremes of each class, and the rows that attain them (the ties).
            var hi = new double[classes];
            var lo = new double[classes];
            for (int k = 0; k < classes; k++)
            {
                var rows = Enumerable.Range(0, n).Where(i => y[i] == k).ToList();
                var kept = rows.Where(i => w[i] > 0).ToList();
                hi[k] = rows.Count == 0 ? double.NegativeInfinity : rows.Max(i => (double)x[i * d + c]);
                lo[k] = kept.Count == 0 ? 0 : kept.Min(i => (double)x[i * d + c]);
            }
            void Spread(double adjoint, int k, bool max)
            {
                if (!max && !Enumerable.Range(0, n).Any(i => y[i] == k && w[i] > 0)) return; // the empty value passes nothing
                var ties = Enumerable.Range(0, n).Where(i => y[i] == k && (max || w[i] > 0) && x[i * d + c] == (max ? hi[k] : lo[k])).ToList();
                foreach (int i in ties) dx[i * d + c] += adjoint / ties.Count;
            }
            for (int i = 0; i < n; i++)
            {
                double h = In(y[i]) ? hi[y[i]] : 0, l = In(y[i]) ? lo[y[i]] : 0, v = x[i * d + c];
                expected += (h - v) * (v - l) / n;
                dx[i * d + c] += (-(v - l) + (h - v)) / n;
                if (In(y[i])) { Spread((v - l) / n, y[i], true); Spread(-(h - v) / n, y[i], false); }
            }
            for (int k = 0; k < classes; k++)
                if (Enumerable.Range(0, n).Any(i => y[i] == k && w[i] > 0))
                {
                    expected += 0.1 * (hi[k] - lo[k]);
                    Spread(0.1, k, true);
                    Spread(-0.1, k, false);
                }
        }
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dx"], dx, "dx (float64 reference)");
    }

    /// <summary>
    /// The plans: every segment buffer is zeros and then one sweep that scatters into it, and no loop over the rows
    /// runs inside another (the dense form would sum over all rows once per row or per class).
    /// </summary>
    [Theory]
    [InlineData("index k : classes; n[k] = count[i](y[i] == k); center[k, d] = sum[i | y[i] == k](x[i, d]) / max(n[k], 1); mean[i](sum[d]((x[i, d] - center[y[i], d])^2))",
        "x:F, y:I, dx:G, classes:N", 2)]
    [InlineData("index k : groups; m[k] = sum[i | g[i] == k]((x[i] - t[i])^2) / max(count[i](g[i] == k), 1); max[k](m[k])", "x:F, t:F, g:I, dx:G, groups:N", 2)]
    [InlineData("index c : classes; p[i, c] = exp(z[i, c] - logsumexp[k](z[i, k])); mass[c] = sum[i | y[i] == c](p[i, c]) / max(count[i](y[i] == c), 1); mean[c]((1 - mass[c])^2)",
        "z:F, y:I, dz:G, classes:N", 2)]
    [InlineData("index k : classes; hi[k, d] = max[i | y[i] == k](x[i, d]); lo[k, d] = min[i | y[i] == k](x[i, d]); sum[k, d | count[i](y[i] == k) > 0](hi[k, d] - lo[k, d])",
        "x:F, y:I, dx:G, classes:N", 2)]
    public void SegmentsAreOneSweep(string expression, string parameters, int minimumSegmentBuffers)
    {
        var compilation = LossCompiler.Compile(expression, LanguageParameters.Parse(parameters), differentiate: true, plan: true);
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        foreach (var plan in new[] { compilation.Forward!, compilation.ForwardBackward! })
        {
            string text = PlanPrinter.Print(plan);
            int scatters = text.Split('\n').Count(l => l.TrimStart().StartsWith("scatter buffer", StringComparison.Ordinal));
            Assert.True(scatters >= minimumSegmentBuffers, $"expected at least {minimumSegmentBuffers} segment sweeps:\n{text}");
            // The rows' extent appears at most once on any path of nested loops.
            foreach (var pass in plan.Passes.OfType<LoopPassPlan>())
                AssertNoNestedRowLoops(pass.Loop, 0, text);
        }
    }

    private static void AssertNoNestedRowLoops(PlanLoop loop, int outerRowLoops, string text)
    {
        int rows = outerRowLoops + (loop.Var.Name is "i" ? 1 : 0);
        Assert.True(rows <= 1, "a loop over the rows inside another:\n" + text);
        foreach (var inner in loop.Body.OfType<PlanLoop>()) AssertNoNestedRowLoops(inner, rows, text);
    }
}
