using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>The selections kth, median and quantile (docs/language.md §6.8): rows, filters, empty sets, global, pairs, double.</summary>
public static partial class SelectionLosses
{
    [GeneratedLoss("sum[i](w[i] * kth[c; k = 3](x[i, c]))")]
    public static partial float KthRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * kth[c; k = 3, ties = first](x[i, c]))")]
    public static partial float KthRowsFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * kth[c; k = 3, ties = all](x[i, c]))")]
    public static partial float KthRowsAll(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * median[c](x[i, c]))")]
    public static partial float MedianRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * quantile[c; q = level](x[i, c]))")]
    public static partial float QuantileRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, float level);

    /// <summary>The second largest of each row: a rank from the extent.</summary>
    [GeneratedLoss("index c : nc; sum[i](w[i] * kth[c; k = extent(c) - 1](x[i, c]))")]
    public static partial float SecondLargest(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc);

    /// <summary>A filtered kth with a rank parameter: NaN where fewer than k elements pass.</summary>
    [GeneratedLoss("index c : nc; sum[i](w[i] * kth[c | m[i, c] > 0; k = rank](x[i, c]))")]
    public static partial float KthFiltered(ReadOnlySpan<float> x, ReadOnlySpan<float> m, ReadOnlySpan<float> w, Span<float> dx, int nc, float rank);

    /// <summary>A filtered median with the value of an empty row.</summary>
    [GeneratedLoss("index c : nc; sum[i](w[i] * median[c | m[i, c] > 0; empty = -1](x[i, c]))")]
    public static partial float MedianFilteredEmpty(ReadOnlySpan<float> x, ReadOnlySpan<float> m, ReadOnlySpan<float> w, Span<float> dx, int nc);

    /// <summary>Selections over every element (global passes) and a quantile between them.</summary>
    [GeneratedLoss("median(x) - 0.5 * kth[; k = 2](x) + 0.25 * quantile[; q = 0.3](x)")]
    public static partial float Global(ReadOnlySpan<float> x, Span<float> dx);

    /// <summary>A median of similarities in a pair space.</summary>
    [GeneratedLoss("index d : dim; mean[i](median[j | j != i](sum[d](x[i, d] * x[j, d])))")]
    public static partial float PairMedian(ReadOnlySpan<float> x, Span<float> dx, int dim);

    /// <summary>A double kernel: 64-bit keys.</summary>
    [GeneratedLoss("sum[i](w[i] * (median[c](x[i, c]) + quantile[c; q = 0.75](x[i, c])))")]
    public static partial double MedianDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> dx);
}

/// <summary>
/// kth, median and quantile against the rules written out here (sorting), PyTorch's values (kthvalue, median, quantile
/// and median's split gradient), the interpreter and finite differences, at every SIMD width, 1 and 2 threads, each
/// kernel called twice with the same bits.
/// </summary>
[Collection("LossParallel")]
public class SelectionTests
{
    private const int Rows = 7, Columns = 19;

    private enum Rule { Split, First, All }

    /// <summary>The rank-th smallest (1-based, rounded up) of a row in the order -0 &lt; +0, NaN last; NaN out of range.</summary>
    private static double Kth(IReadOnlyList<double> row, double rank)
    {
        rank = Math.Ceiling(rank);
        if (!(rank >= 1 && rank <= row.Count)) return double.NaN;
        var sorted = row.OrderBy(v => double.IsNaN(v) ? 1 : 0).ThenBy(v => double.IsNaN(v) ? 0 : v).ThenBy(v => double.IsNegative(v) ? 0 : 1).ToList();
        return sorted[(int)rank - 1];
    }

    /// <summary>The adjoint w of a selected value, given to its ties by the rule (nothing when the value is NaN).</summary>
    private static void Spread(IReadOnlyList<double> row, IReadOnlyList<int> positions, double value, double w, Rule rule, double[] g)
    {
        var ties = positions.Where(k => row[k] == value).ToList();
        foreach (int k in ties) g[k] += rule switch { Rule.Split => w / ties.Count, Rule.First => k == ties[0] ? w : 0, _ => w };
    }

    /// <summary>torch.quantile's linear interpolation (lerp as torch computes it) at q of the sorted row.</summary>
    private static (double Value, int Below, int Above, double Weight) Quantile(IReadOnlyList<double> row, double q)
    {
        double position = row.Any(double.IsNaN) ? row.Count - 1 : q * (row.Count - 1);
        int below = (int)Math.Floor(position), above = (int)Math.Ceiling(position);
        double weight = position - below, lo = Kth(row, below + 1), hi = Kth(row, above + 1);
        double value = weight < 0.5 ? lo + weight * (hi - lo) : hi - (hi - lo) * (1 - weight);
        return (value, below, above, weight);
    }

    private static float[] Tied(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)rng.Next(5)).ToArray();

    private static float[] Weights(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() + 0.5) * (rng.Next(2) * 2 - 1)).ToArray();

    private static List<double> Row(float[] x, int i, int width) => Enumerable.Range(0, width).Select(c => (double)x[i * width + c]).ToList();

    /// <summary>
    /// Runs a kernel at every SIMD width and 1 and 2 threads, twice each (the same bits); checks the interpreter;
    /// returns the loss and gradient of the first run.
    /// </summary>
    private static (float Loss, float[] Gradient) RunEverywhere(string name, Func<float[], float> kernel, int length, Dictionary<string, object> args, string what)
    {
        (float, float[])? first = null;
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            foreach (int width in SimdWidths.Supported)
            {
                using var _ = SimdWidths.Force(width);
                foreach (int degree in new[] { 1, 2 })
                {
                    LossParallel.MaxDegreeOfParallelism = degree;
                    var g = Enumerable.Repeat(float.NaN, length).ToArray();
                    float loss = kernel(g);
                    var again = new float[length];
                    Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(kernel(again)));
                    Assert.Equal(g.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));
                    first ??= (loss, g);
                    Assert.True(BitConverter.SingleToInt32Bits(loss) == BitConverter.SingleToInt32Bits(first.Value.Item1)
                        || Math.Abs(loss - first.Value.Item1) <= 1e-5 * (1 + Math.Abs(loss)),
                        $"{what}: width {width}, {degree} thread(s): loss {loss:R}, first {first.Value.Item1:R}");
                }
            }
        }
        finally { LossParallel.MaxDegreeOfParallelism = saved; }
        var method = LossInvoker.Find(typeof(SelectionLosses), name);
        var r = LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method)).EvaluateWithGradients(args);
        LossCheck.AssertClose(first!.Value.Item1, r.Loss, what + " (interpreter)");
        LossCheck.AssertGradientClose(first.Value.Item2, r.Gradients["dx"], what + ": dx (interpreter)");
        return first.Value;
    }

    private static void AssertGradient(float[] kernel, double[] expected, string what)
    {
        Assert.Equal(expected.Length, kernel.Length);
        for (int k = 0; k < kernel.Length; k++)
            Assert.True(Math.Abs(kernel[k] - expected[k]) <= 1e-5 * (1 + Math.Abs(expected[k])) || double.IsNaN(expected[k]) && float.IsNaN(kernel[k]),
                $"{what}[{k}]: kernel {kernel[k]:R}, expected {expected[k]:R}");
    }

    private static void AssertLoss(double expected, float loss, string what) =>
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * (1 + Math.Abs(expected)) || double.IsNaN(expected) && float.IsNaN(loss), $"{what}: loss {loss:R}, expected {expected:R}");

    /// <summary>Σ w_i f(row_i) and its gradient, with f a selection written out on each row.</summary>
    private static (double Loss, double[] Gradient) Rows_(float[] x, float[] w, int width, Func<List<double>, List<int>, (double Value, (int[] Positions, double Share)[] Parts)> select,
        Rule rule, float[]? mask = null)
    {
        var g = new double[x.Length];
        double loss = 0;
        for (int i = 0; i < w.Length; i++)
        {
            var row = Row(x, i, width);
            var kept = Enumerable.Range(0, width).Where(c => mask is null || mask[i * width + c] > 0).ToList();
            var (value, parts) = select(row, kept);
            loss += w[i] * value;
            var gi = new double[width];
            foreach (var part in parts) Spread(row, kept, Kth(kept.Select(c => row[c]).ToList(), part.Positions[0]), w[i] * part.Share, rule, gi);
            for (int c = 0; c < width; c++) g[i * width + c] = gi[c];
        }
        return (loss, g);
    }

    /// <summary>A selection at one rank: the value and its whole adjoint to that rank.</summary>
    private static (double, (int[], double)[]) AtRank(List<double> row, List<int> kept, double rank) =>
        (Kth(kept.Select(c => row[c]).ToList(), rank), new[] { (new[] { (int)Math.Ceiling(rank) }, 1.0) });

    private static double MedianRank(List<double> values) => values.Any(double.IsNaN) ? values.Count : Math.Floor((values.Count - 1) / 2.0) + 1;

    private const string TorchScript = """
        import json, sys
        import torch
        cases = json.load(open(sys.argv[1]))
        out = []
        for c in cases:
            x = torch.tensor(c["x"], dtype=torch.float32).reshape(c["rows"], -1)
            r = {}
            r["kth"] = torch.kthvalue(x, c["k"], dim=1).values.tolist()
            r["median"] = torch.median(x, dim=1).values.tolist()
            r["quantile"] = torch.quantile(x, c["q"], dim=1).tolist()
            grads = []
            for i in range(x.shape[0]):
                row = x[i].clone().double().requires_grad_(True)
                torch.median(row).backward()
                grads.append(row.grad.tolist())
            r["median_grad"] = grads
            out.append(r)
        json.dump(out, open(sys.argv[2], "w"))
        """;

    private static JsonArray RunTorch(JsonArray request)
    {
        string python = Environment.GetEnvironmentVariable("LOSSDSL_TORCH_PYTHON") ?? "/usr/bin/python3";
        string directory = Path.Combine(Path.GetTempPath(), "lossdsl-select-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string script = Path.Combine(directory, "select.py"), input = Path.Combine(directory, "cases.json"), output = Path.Combine(directory, "results.json");
            File.WriteAllText(script, TorchScript);
            File.WriteAllText(input, request.ToJsonString());
            var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { script, input, output }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); throw new TimeoutException("PyTorch took more than 5 minutes."); }
            Assert.True(process.ExitCode == 0, $"{python} with PyTorch failed (exit {process.ExitCode}); set LOSSDSL_TORCH_PYTHON to a python3 with torch.\n{stderr.Result}");
            return JsonNode.Parse(File.ReadAllText(output))!.AsArray();
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    private static double[] Numbers(JsonNode node) => node.AsArray().Select(e => e!.GetValue<double>()).ToArray();

    [Fact]
    public void KthMedianAndQuantileOfRowsWithTies_AsPyTorchAndTheWrittenOutRules()
    {
        var rng = new Random(7);
        var x = Tied(rng, Rows * Columns);
        for (int c = 0; c < Columns; c++) x[c] = 2;                      // a row of equal elements
        x[Columns] = -0f; x[Columns + 1] = 0f; x[Columns + 2] = -0f;     // zeros of both signs
        var even = Tied(rng, Rows * 6);                                  // even rows: the lower median
        var w = Weights(rng, Rows);
        const float level = 0.3f;
        var torch = RunTorch(new JsonArray
        {
            new JsonObject { ["x"] = new JsonArray(x.Select(v => (JsonNode)(double)v).ToArray()), ["rows"] = Rows, ["k"] = 3, ["q"] = level },
            new JsonObject { ["x"] = new JsonArray(even.Select(v => (JsonNode)(double)v).ToArray()), ["rows"] = Rows, ["k"] = 3, ["q"] = level },
        });

        var args = new Dictionary<string, object> { ["x"] = x, ["w"] = w };
        foreach (var (name, kernel, rule) in new (string, Func<float[], float>, Rule)[]
        {
            (nameof(SelectionLosses.KthRows), g => SelectionLosses.KthRows(x, w, g), Rule.Split),
            (nameof(SelectionLosses.KthRowsFirst), g => SelectionLosses.KthRowsFirst(x, w, g), Rule.First),
            (nameof(SelectionLosses.KthRowsAll), g => SelectionLosses.KthRowsAll(x, w, g), Rule.All),
        })
        {
            var (loss, g) = RunEverywhere(name, kernel, x.Length, args, name);
            var written = Rows_(x, w, Columns, (row, kept) => AtRank(row, kept, 3), rule);
            AssertLoss(written.Loss, loss, name);
            AssertGradient(g, written.Gradient, name + ": dx");
        }
        // The values are torch.kthvalue's (equal as numbers: where a row holds -0 and +0, torch may return either sign).
        var kth = Numbers(torch[0]!["kth"]!);
        for (int i = 0; i < Rows; i++) Assert.Equal(kth[i], Kth(Row(x, i, Columns), 3));

        foreach (var (rows, width, t) in new[] { (x, Columns, torch[0]!), (even, 6, torch[1]!) })
        {
            var a = new Dictionary<string, object> { ["x"] = rows, ["w"] = w };
            var (loss, g) = RunEverywhere(nameof(SelectionLosses.MedianRows), d => SelectionLosses.MedianRows(rows, w, d), rows.Length, a, $"median of {width}");
            var median = Numbers(t["median"]!);
            AssertLoss(Enumerable.Range(0, Rows).Sum(i => w[i] * median[i]), loss, $"median of {width} against torch.median");
            var expected = new double[rows.Length];
            for (int i = 0; i < Rows; i++)
            {
                var tg = Numbers(t["median_grad"]![i]!);
                for (int c = 0; c < width; c++) expected[i * width + c] = w[i] * tg[c];
            }
            AssertGradient(g, expected, $"median of {width}: dx against torch.median's split gradient");

            var aq = new Dictionary<string, object> { ["x"] = rows, ["w"] = w, ["level"] = level };
            var (ql, qg) = RunEverywhere(nameof(SelectionLosses.QuantileRows), d => SelectionLosses.QuantileRows(rows, w, d, level), rows.Length, aq, $"quantile of {width}");
            var quantile = Numbers(t["quantile"]!);
            AssertLoss(Enumerable.Range(0, Rows).Sum(i => w[i] * quantile[i]), ql, $"quantile of {width} against torch.quantile");
            var written = Rows_(rows, w, width, (row, kept) =>
            {
                var (value, below, above, weight) = Quantile(kept.Select(c => row[c]).ToList(), level);
                return (value, new[] { (new[] { below + 1 }, 1 - weight), (new[] { above + 1 }, weight) });
            }, Rule.Split);
            AssertGradient(qg, written.Gradient, $"quantile of {width}: dx, split between the neighbours by the weights");
        }
    }

    [Fact]
    public void FiltersEmptySetsNaNAndRanksFromExtents()
    {
        var rng = new Random(11);
        const int nc = 9;
        var x = LossCheck.Normal(rng, Rows * nc);
        x[3] = float.NaN;                                   // row 0 has a NaN: it sorts last, and the median is NaN
        var m = Enumerable.Range(0, Rows * nc).Select(k => k / nc == 2 ? 0f : (float)rng.Next(2)).ToArray();   // row 2 empty
        for (int c = 0; c < nc; c++) m[4 * nc + c] = 1;
        m[3] = 1;
        var w = Weights(rng, Rows);

        foreach (float rank in new[] { 1f, 2f, 2.5f })
        {
            var a = new Dictionary<string, object> { ["x"] = x, ["m"] = m, ["w"] = w, ["nc"] = nc, ["rank"] = rank };
            var (loss, g) = RunEverywhere(nameof(SelectionLosses.KthFiltered), d => SelectionLosses.KthFiltered(x, m, w, d, nc, rank), x.Length, a, $"filtered kth {rank}");
            Assert.True(float.IsNaN(loss), "an empty row's kth is NaN");
            var written = Rows_(x, w, nc, (row, kept) => AtRank(row, kept, rank), Rule.Split, m);
            var rows = Enumerable.Range(0, Rows).Where(i => i != 2).ToList();
            foreach (int i in rows)
                AssertGradient(g.Skip(i * nc).Take(nc).ToArray(), written.Gradient.Skip(i * nc).Take(nc).ToArray(), $"filtered kth {rank}, row {i}");
        }

        var b = new Dictionary<string, object> { ["x"] = x, ["m"] = m, ["w"] = w, ["nc"] = nc };
        var (ml, mg) = RunEverywhere(nameof(SelectionLosses.MedianFilteredEmpty), d => SelectionLosses.MedianFilteredEmpty(x, m, w, d, nc), x.Length, b, "filtered median");
        Assert.True(float.IsNaN(ml), "a row with a NaN has a NaN median");
        for (int c = 0; c < nc; c++) Assert.Equal(0f, mg[2 * nc + c]);   // the empty row: -1 and no gradient
        Assert.True(mg.Take(nc).All(v => v == 0), "a NaN median equals no element: no gradient");
        var clean = (float[])x.Clone();
        clean[3] = 0.25f;
        b["x"] = clean;
        var (cl, cg) = RunEverywhere(nameof(SelectionLosses.MedianFilteredEmpty), d => SelectionLosses.MedianFilteredEmpty(clean, m, w, d, nc), x.Length, b, "filtered median, no NaN");
        var median = Rows_(clean, w, nc, (row, kept) => kept.Count == 0 ? (-1.0, Array.Empty<(int[], double)>()) : AtRank(row, kept, MedianRank(kept.Select(c => row[c]).ToList())), Rule.Split, m);
        AssertLoss(median.Loss, cl, "filtered median");
        AssertGradient(cg, median.Gradient, "filtered median: dx");

        var y = Tied(rng, Rows * nc);
        var s = new Dictionary<string, object> { ["x"] = y, ["w"] = w, ["nc"] = nc };
        var (sl, sg) = RunEverywhere(nameof(SelectionLosses.SecondLargest), d => SelectionLosses.SecondLargest(y, w, d, nc), y.Length, s, "second largest");
        var second = Rows_(y, w, nc, (row, kept) => AtRank(row, kept, nc - 1), Rule.Split);
        AssertLoss(second.Loss, sl, "second largest");
        AssertGradient(sg, second.Gradient, "second largest: dx");
    }

    [Fact]
    public void GlobalSelectionsAcrossChunks()
    {
        var rng = new Random(5);
        foreach (int n in new[] { 1, 2, 37, 5000 })
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)rng.Next(60) - 30).ToArray();
            var (loss, g) = RunEverywhere(nameof(SelectionLosses.Global), d => SelectionLosses.Global(x, d), n, new() { ["x"] = x }, $"global at {n}");
            var all = x.Select(v => (double)v).ToList();
            var positions = Enumerable.Range(0, n).ToList();
            var expected = new double[n];
            double median = Kth(all, MedianRank(all)), second = Kth(all, 2);
            var (q, below, above, weight) = Quantile(all, 0.3);
            Spread(all, positions, median, 1, Rule.Split, expected);
            if (n >= 2) Spread(all, positions, second, -0.5, Rule.Split, expected);
            Spread(all, positions, Kth(all, below + 1), 0.25 * (1 - weight), Rule.Split, expected);
            Spread(all, positions, Kth(all, above + 1), 0.25 * weight, Rule.Split, expected);
            AssertLoss(median - 0.5 * second + 0.25 * q, loss, $"global at {n}");
            if (n >= 2) AssertGradient(g, expected, $"global at {n}: dx");
        }
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesAwayFromTies()
    {
        var rng = new Random(3);
        var x = LossCheck.Normal(rng, Rows * Columns);
        var w = Weights(rng, Rows);
        foreach (string name in new[] { nameof(SelectionLosses.KthRows), nameof(SelectionLosses.MedianRows) })
            LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(SelectionLosses), name), new Dictionary<string, object> { ["x"] = x, ["w"] = w }, 40, rng);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(SelectionLosses), nameof(SelectionLosses.QuantileRows)),
            new Dictionary<string, object> { ["x"] = x, ["w"] = w, ["level"] = 0.37f }, 40, rng);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(SelectionLosses), nameof(SelectionLosses.Global)), new Dictionary<string, object> { ["x"] = x }, 40, rng);
        var p = LossCheck.Normal(rng, 12 * 4);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(SelectionLosses), nameof(SelectionLosses.PairMedian)), new Dictionary<string, object> { ["x"] = p, ["dim"] = 4 }, 30, rng);
    }

    [Fact]
    public void APairSpaceMedianAgreesWithTheInterpreter()
    {
        var rng = new Random(17);
        foreach (int n in new[] { 5, 150 })
        {
            var x = Enumerable.Range(0, n * 4).Select(_ => (float)rng.Next(-2, 3)).ToArray();   // tied similarities
            RunEverywhere(nameof(SelectionLosses.PairMedian), d => SelectionLosses.PairMedian(x, d, 4), x.Length, new() { ["x"] = x, ["dim"] = 4 }, $"pair median at {n}");
        }
    }

    [Fact]
    public void ADoubleKernelSelectsWithSixtyFourBitKeys()
    {
        var rng = new Random(23);
        var x = Enumerable.Range(0, Rows * Columns).Select(_ => rng.Next(7) + rng.NextDouble() * 1e-12).ToArray();   // differ beyond float
        x[5] = x[6];
        var w = Enumerable.Range(0, Rows).Select(_ => rng.NextDouble() + 0.5).ToArray();
        var dx = new double[x.Length];
        double loss = SelectionLosses.MedianDouble(x, w, dx);
        var dx2 = new double[x.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(SelectionLosses.MedianDouble(x, w, dx2)));
        Assert.Equal(dx, dx2);
        double expected = 0;
        var g = new double[x.Length];
        for (int i = 0; i < Rows; i++)
        {
            var row = Enumerable.Range(0, Columns).Select(c => x[i * Columns + c]).ToList();
            var positions = Enumerable.Range(0, Columns).ToList();
            double median = Kth(row, MedianRank(row));
            var (q, below, above, weight) = Quantile(row, 0.75);
            expected += w[i] * (median + q);
            var gi = new double[Columns];
            Spread(row, positions, median, w[i], Rule.Split, gi);
            Spread(row, positions, Kth(row, below + 1), w[i] * (1 - weight), Rule.Split, gi);
            Spread(row, positions, Kth(row, above + 1), w[i] * weight, Rule.Split, gi);
            for (int c = 0; c < Columns; c++) g[i * Columns + c] = gi[c];
        }
        Assert.Equal(expected, loss, 12);
        for (int k = 0; k < x.Length; k++) Assert.Equal(g[k], dx[k], 12);
    }
}
