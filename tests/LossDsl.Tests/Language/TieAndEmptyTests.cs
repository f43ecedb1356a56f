using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>Max and min with each tie rule (docs/language.md §6.3), and reductions with a value for the empty set.</summary>
public static partial class TieLosses
{
    [GeneratedLoss("sum[i](w[i] * max[c](x[i, c]))")]
    public static partial float MaxPool(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * max[c; ties = split](x[i, c]))")]
    public static partial float MaxPoolSplit(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * max[c; ties = first](x[i, c]))")]
    public static partial float MaxPoolFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * max[c; ties = all](x[i, c]))")]
    public static partial float MaxPoolAll(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * min[c](x[i, c]))")]
    public static partial float MinPool(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * min[c; ties = first](x[i, c]))")]
    public static partial float MinPoolFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    [GeneratedLoss("sum[i](w[i] * min[c; ties = all](x[i, c]))")]
    public static partial float MinPoolAll(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx);

    /// <summary>Erosion (min over k) then dilation (max over c), as a morphological opening of each row.</summary>
    [GeneratedLoss("index c : nc; index k : nk; sum[i](w[i] * max[c](min[k](x[i, c, k])))")]
    public static partial float ErodeDilate(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc, int nk);

    [GeneratedLoss("index c : nc; index k : nk; sum[i](w[i] * max[c; ties = first](min[k; ties = first](x[i, c, k])))")]
    public static partial float ErodeDilateFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc, int nk);

    [GeneratedLoss("index c : nc; index k : nk; sum[i](w[i] * max[c; ties = all](min[k; ties = all](x[i, c, k])))")]
    public static partial float ErodeDilateAll(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc, int nk);

    /// <summary>A max over two indices: "first" is the first in row-major order of (c, k), as argmax of the flattened row.</summary>
    [GeneratedLoss("index c : nc; index k : nk; sum[i](w[i] * max[c, k; ties = first](x[i, c, k]))")]
    public static partial float MaxTwoIndicesFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc, int nk);

    [GeneratedLoss("index c : nc; index k : nk; sum[i](w[i] * max[c, k](x[i, c, k]))")]
    public static partial float MaxTwoIndices(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, int nc, int nk);

    /// <summary>The elementwise max and min: half the adjoint to each argument at a tie (torch.maximum, torch.minimum).</summary>
    [GeneratedLoss("sum(w * max(a, b) + w * w * min(a, b))")]
    public static partial float Elementwise(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> w, Span<float> da, Span<float> db);

    /// <summary>A global max (one reduction over every element, across the chunks of a pass).</summary>
    [GeneratedLoss("max(x) - 0.5 * min[; ties = first](x)")]
    public static partial float GlobalMax(ReadOnlySpan<float> x, Span<float> dx);

    /// <summary>Batch-hard triplet mining (a tiled pair space) with each tie rule, for inputs on an integer grid whose distances tie.</summary>
    [GeneratedLoss("""
        index d : dim;
        dist[i, j] = sqrt(max(sum[d]((x[i, d] - x[j, d])^2), 1e-12));
        mean[i](relu(max[j | j != i && y[j] == y[i]](dist[i, j]) - min[j | y[j] != y[i]](dist[i, j]) + 0.3))
        """)]
    public static partial float TripletSplit(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int dim);

    [GeneratedLoss("""
        index d : dim;
        dist[i, j] = sqrt(max(sum[d]((x[i, d] - x[j, d])^2), 1e-12));
        mean[i](relu(max[j | j != i && y[j] == y[i]; ties = first](dist[i, j]) - min[j | y[j] != y[i]; ties = first](dist[i, j]) + 0.3))
        """)]
    public static partial float TripletFirst(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int dim);

    [GeneratedLoss("""
        index d : dim;
        dist[i, j] = sqrt(max(sum[d]((x[i, d] - x[j, d])^2), 1e-12));
        mean[i](relu(max[j | j != i && y[j] == y[i]; ties = all](dist[i, j]) - min[j | y[j] != y[i]; ties = all](dist[i, j]) + 0.3))
        """)]
    public static partial float TripletAll(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int dim);

    // ---- empty = v --------------------------------------------------------------------------------------------------

    /// <summary>Cross-entropy with an ignore index: 0 (and no gradient) when every label is ignored.</summary>
    [GeneratedLoss("mean[i | y[i] != ignore; empty = 0](logsumexp[c](z[i, c]) - z[i, y[i]])")]
    public static partial float CrossEntropyIgnore(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, int ignore = -100);

    /// <summary>Each row's reductions over its unmasked columns, with the value of an empty row.</summary>
    [GeneratedLoss("""
        index c : nc;
        sum[i](mean[c | m[i, c] > 0; empty = 0](x[i, c]) + max[c | m[i, c] > 0; empty = -1](x[i, c]) + min[c | m[i, c] > 0; empty = 2](x[i, c])
             + logsumexp[c | m[i, c] > 0; empty = 0](x[i, c]) + sum[c | m[i, c] > 0; empty = 5](x[i, c]) + count[c | m[i, c] > 0; empty = 0.5](x[i, c] > 0)
             + norm[c | m[i, c] > 0; empty = 3](x[i, c]))
        """)]
    public static partial float RowsWithEmpty(ReadOnlySpan<float> x, ReadOnlySpan<float> m, Span<float> dx, int nc);

    /// <summary>The value of an empty row may be any expression invariant in the reduced index: its gradient flows where the row is empty.</summary>
    [GeneratedLoss("index c : nc; sum[i](mean[c | m[i, c] > 0; empty = -3 * x[i, 0]](x[i, c] * x[i, c]))")]
    public static partial float EmptyValueFromInput(ReadOnlySpan<float> x, ReadOnlySpan<float> m, Span<float> dx, int nc);

    /// <summary>A binder-less reduction with options: over every element of x, 0 for an empty x.</summary>
    [GeneratedLoss("mean[; empty = 0](x * x) + max[; empty = 0](x)")]
    public static partial float BinderlessEmpty(ReadOnlySpan<float> x, Span<float> dx);
}

/// <summary>
/// The tie conventions of max and min, against PyTorch (float64 autograd: amax/amin split the gradient evenly among
/// ties, argmax picks the first, torch.maximum gives half to each argument at a tie) and against the conventions
/// written out here; and the value of empty reductions with zero gradients, in the kernels (every SIMD width, each
/// called twice) and the interpreter.
/// </summary>
[Collection("LossParallel")]
public class TieAndEmptyTests
{
    private const int Rows = 6, Classes = 19, Depth = 3;

    /// <summary>Values in {0, 1, 2, 3} (ties everywhere), and a row whose elements are all equal.</summary>
    private static float[] Tied(Random rng, int n, int rowLength)
    {
        var x = Enumerable.Range(0, n).Select(_ => (float)rng.Next(4)).ToArray();
        for (int k = 0; k < rowLength; k++) x[k] = 2;
        return x;
    }

    private static float[] Weights(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() + 0.5) * (rng.Next(2) * 2 - 1)).ToArray();

    // ---- the conventions written out -------------------------------------------------------------------------------

    private enum Rule { Split, First, All }

    /// <summary>d(w · max over a row)/d(row) (or min): the ties of the row's extreme receive w by the rule.</summary>
    private static double[] Extreme(IReadOnlyList<double> row, double w, bool max, Rule rule, out double value)
    {
        value = max ? row.Max() : row.Min();
        var g = new double[row.Count];
        var ties = Enumerable.Range(0, row.Count).Where(k => row[k] == (max ? row.Max() : row.Min())).ToList();
        foreach (int k in ties)
            g[k] = rule switch { Rule.Split => w / ties.Count, Rule.First => k == ties[0] ? w : 0, _ => w };
        return g;
    }

    private static (double Loss, double[] Gradient) Pool(float[] x, float[] w, int width, bool max, Rule rule)
    {
        var g = new double[x.Length];
        double loss = 0;
        for (int i = 0; i < w.Length; i++)
        {
            var row = Enumerable.Range(0, width).Select(c => (double)x[i * width + c]).ToList();
            var gi = Extreme(row, w[i], max, rule, out double v);
            loss += w[i] * v;
            for (int c = 0; c < width; c++) g[i * width + c] = gi[c];
        }
        return (loss, g);
    }

    private static (double Loss, double[] Gradient) ErodeDilate(float[] x, float[] w, Rule rule)
    {
        var g = new double[x.Length];
        double loss = 0;
        for (int i = 0; i < w.Length; i++)
        {
            var eroded = new double[Classes];
            for (int c = 0; c < Classes; c++) eroded[c] = Enumerable.Range(0, Depth).Min(k => (double)x[(i * Classes + c) * Depth + k]);
            var outer = Extreme(eroded, w[i], max: true, rule, out double v);
            loss += w[i] * v;
            for (int c = 0; c < Classes; c++)
            {
                if (outer[c] == 0) continue;
                var row = Enumerable.Range(0, Depth).Select(k => (double)x[(i * Classes + c) * Depth + k]).ToList();
                var inner = Extreme(row, outer[c], max: false, rule, out _);
                for (int k = 0; k < Depth; k++) g[(i * Classes + c) * Depth + k] += inner[k];
            }
        }
        return (loss, g);
    }

    // ---- PyTorch ---------------------------------------------------------------------------------------------------

    private const string TorchScript = """
        import json, sys
        import torch
        torch.set_default_dtype(torch.float64)
        cases = json.load(open(sys.argv[1]))
        out = []
        for c in cases:
            x = torch.tensor(c["x"], dtype=torch.float64).reshape(c["shape"]).requires_grad_(True)
            w = torch.tensor(c["w"], dtype=torch.float64)
            kind = c["kind"]
            extra = {}
            if kind == "amax": v = x.amax(dim=1)
            elif kind == "amin": v = x.amin(dim=1)
            elif kind == "argmax": v = x.gather(1, x.argmax(dim=1, keepdim=True)).squeeze(1)
            elif kind == "argmin": v = x.gather(1, x.argmin(dim=1, keepdim=True)).squeeze(1)
            elif kind == "erode_dilate": v = x.amin(dim=2).amax(dim=1)
            elif kind == "erode_dilate_first":
                e = x.gather(2, x.argmin(dim=2, keepdim=True)).squeeze(2)
                v = e.gather(1, e.argmax(dim=1, keepdim=True)).squeeze(1)
            elif kind == "amax_flat": v = x.flatten(1).amax(dim=1)
            elif kind == "argmax_flat":
                f = x.flatten(1)
                v = f.gather(1, f.argmax(dim=1, keepdim=True)).squeeze(1)
            elif kind == "maximum":
                b = torch.tensor(c["b"], dtype=torch.float64).reshape(c["shape"]).requires_grad_(True)
                v = torch.maximum(x, b) + w * torch.minimum(x, b)
                extra["b"] = b
            loss = (w * v).sum()
            loss.backward()
            r = {"loss": loss.item(), "x": x.grad.flatten().tolist()}
            for k, t in extra.items(): r[k] = t.grad.flatten().tolist()
            out.append(r)
        json.dump(out, open(sys.argv[2], "w"))
        """;

    private static JsonArray RunTorch(JsonArray request)
    {
        string python = Environment.GetEnvironmentVariable("LOSSDSL_TORCH_PYTHON") ?? "/usr/bin/python3";
        string directory = Path.Combine(Path.GetTempPath(), "lossdsl-ties-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string script = Path.Combine(directory, "ties.py"), input = Path.Combine(directory, "cases.json"), output = Path.Combine(directory, "results.json");
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
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static JsonObject TorchCase(string kind, float[] x, int[] shape, float[] w, float[]? b = null)
    {
        var o = new JsonObject
        {
            ["kind"] = kind,
            ["x"] = new JsonArray(x.Select(v => (JsonNode)(double)v).ToArray()),
            ["shape"] = new JsonArray(shape.Select(v => (JsonNode)v).ToArray()),
            ["w"] = new JsonArray(w.Select(v => (JsonNode)(double)v).ToArray()),
        };
        if (b is not null) o["b"] = new JsonArray(b.Select(v => (JsonNode)(double)v).ToArray());
        return o;
    }

    private static double[] Gradient(JsonNode result, string name) => result[name]!.AsArray().Select(e => e!.GetValue<double>()).ToArray();

    // ---- kernels ---------------------------------------------------------------------------------------------------

    /// <summary>Runs a kernel at every SIMD width, twice each (the same bits), and the interpreter; returns the results at the first width.</summary>
    private static (float Loss, float[][] Gradients) RunEverywhere(string name, Func<float[][], float> kernel, int[] gradientLengths,
        Dictionary<string, object> interpreterArguments, string what)
    {
        (float, float[][])? first = null;
        foreach (int width in SimdWidths.Supported)
        {
            using var _ = SimdWidths.Force(width);
            var g = gradientLengths.Select(n => Enumerable.Repeat(float.NaN, n).ToArray()).ToArray();
            float loss = kernel(g);
            var again = gradientLengths.Select(n => new float[n]).ToArray();
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(kernel(again)));
            for (int k = 0; k < g.Length; k++) Assert.Equal(g[k].Select(BitConverter.SingleToInt32Bits), again[k].Select(BitConverter.SingleToInt32Bits));
            first ??= (loss, g);
            Assert.True(Math.Abs(loss - first.Value.Item1) <= 1e-5 * (1 + Math.Abs(loss)), $"{what}: width {width} loss {loss:R}, first width {first.Value.Item1:R}");
        }

        var method = LossInvoker.Find(typeof(TieLosses), name);
        var r = LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method)).EvaluateWithGradients(interpreterArguments);
        LossCheck.AssertClose(first!.Value.Item1, r.Loss, what + " (interpreter)");
        var gradientNames = method.GetParameters().Where(p => p.ParameterType == typeof(Span<float>)).Select(p => p.Name!).ToArray();
        for (int k = 0; k < gradientNames.Length; k++) LossCheck.AssertGradientClose(first.Value.Item2[k], r.Gradients[gradientNames[k]], $"{what}: {gradientNames[k]} (interpreter)");
        return first.Value;
    }

    private static void AssertGradient(float[] kernel, double[] expected, string what)
    {
        Assert.Equal(expected.Length, kernel.Length);
        for (int k = 0; k < kernel.Length; k++)
            Assert.True(Math.Abs(kernel[k] - expected[k]) <= 1e-6 * (1 + Math.Abs(expected[k])), $"{what}[{k}]: kernel {kernel[k]:R}, expected {expected[k]:R}");
    }

    [Fact]
    public void MaxAndMinSplitTiesEvenlyByDefault_FirstAndAllOnRequest_AsPyTorchAndTheWrittenOutRules()
    {
        var rng = new Random(42);
        var x = Tied(rng, Rows * Classes, Classes);
        var w = Weights(rng, Rows);
        var x3 = Tied(rng, Rows * Classes * Depth, Classes * Depth);
        // Rows of x3 whose erosions tie too: every element of a (c, k) block the same value in some blocks.
        for (int c = 0; c < Classes; c += 3) for (int k = 0; k < Depth; k++) x3[(Rows - 1) * Classes * Depth + c * Depth + k] = 1;
        var a = Tied(rng, 40, 0);
        var b = Tied(rng, 40, 0);
        var we = Weights(rng, 40);

        var request = new JsonArray
        {
            TorchCase("amax", x, new[] { Rows, Classes }, w), TorchCase("argmax", x, new[] { Rows, Classes }, w),
            TorchCase("amin", x, new[] { Rows, Classes }, w), TorchCase("argmin", x, new[] { Rows, Classes }, w),
            TorchCase("erode_dilate", x3, new[] { Rows, Classes, Depth }, w), TorchCase("erode_dilate_first", x3, new[] { Rows, Classes, Depth }, w),
            TorchCase("amax_flat", x3, new[] { Rows, Classes, Depth }, w), TorchCase("argmax_flat", x3, new[] { Rows, Classes, Depth }, w),
            TorchCase("maximum", a, new[] { 40 }, we, b),
        };
        var torch = RunTorch(request);

        Dictionary<string, object> Args(params (string, object)[] kv) => kv.ToDictionary(p => p.Item1, p => p.Item2);
        void Check(string name, Func<float[][], float> kernel, int length, Dictionary<string, object> args, (double Loss, double[] Gradient) written, JsonNode? reference)
        {
            var (loss, g) = RunEverywhere(name, kernel, new[] { length }, args, name);
            Assert.True(Math.Abs(loss - written.Loss) <= 1e-5 * (1 + Math.Abs(written.Loss)), $"{name}: loss {loss:R}, written out {written.Loss:R}");
            AssertGradient(g[0], written.Gradient, $"{name}: dx against the written-out rule");
            if (reference is not null)
            {
                Assert.True(Math.Abs(loss - reference["loss"]!.GetValue<double>()) <= 1e-5 * (1 + Math.Abs(loss)), $"{name}: loss {loss:R}, PyTorch {reference["loss"]}");
                AssertGradient(g[0], Gradient(reference, "x"), $"{name}: dx against PyTorch");
            }
        }

        var pool = Args(("x", x), ("w", w));
        Check(nameof(TieLosses.MaxPool), g => TieLosses.MaxPool(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, true, Rule.Split), torch[0]);
        Check(nameof(TieLosses.MaxPoolSplit), g => TieLosses.MaxPoolSplit(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, true, Rule.Split), torch[0]);
        Check(nameof(TieLosses.MaxPoolFirst), g => TieLosses.MaxPoolFirst(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, true, Rule.First), torch[1]);
        Check(nameof(TieLosses.MaxPoolAll), g => TieLosses.MaxPoolAll(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, true, Rule.All), null);
        Check(nameof(TieLosses.MinPool), g => TieLosses.MinPool(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, false, Rule.Split), torch[2]);
        Check(nameof(TieLosses.MinPoolFirst), g => TieLosses.MinPoolFirst(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, false, Rule.First), torch[3]);
        Check(nameof(TieLosses.MinPoolAll), g => TieLosses.MinPoolAll(x, w, g[0]), x.Length, pool, Pool(x, w, Classes, false, Rule.All), null);

        var cube = Args(("x", x3), ("w", w), ("nc", Classes), ("nk", Depth));
        Check(nameof(TieLosses.ErodeDilate), g => TieLosses.ErodeDilate(x3, w, g[0], Classes, Depth), x3.Length, cube, ErodeDilate(x3, w, Rule.Split), torch[4]);
        Check(nameof(TieLosses.ErodeDilateFirst), g => TieLosses.ErodeDilateFirst(x3, w, g[0], Classes, Depth), x3.Length, cube, ErodeDilate(x3, w, Rule.First), torch[5]);
        Check(nameof(TieLosses.ErodeDilateAll), g => TieLosses.ErodeDilateAll(x3, w, g[0], Classes, Depth), x3.Length, cube, ErodeDilate(x3, w, Rule.All), null);
        Check(nameof(TieLosses.MaxTwoIndices), g => TieLosses.MaxTwoIndices(x3, w, g[0], Classes, Depth), x3.Length, cube, Pool(x3, w, Classes * Depth, true, Rule.Split), torch[6]);
        Check(nameof(TieLosses.MaxTwoIndicesFirst), g => TieLosses.MaxTwoIndicesFirst(x3, w, g[0], Classes, Depth), x3.Length, cube, Pool(x3, w, Classes * Depth, true, Rule.First), torch[7]);

        // Elementwise max(a, b) and min(a, b): half to each at a tie, as torch.maximum and torch.minimum.
        var (eLoss, eg) = RunEverywhere(nameof(TieLosses.Elementwise), g => TieLosses.Elementwise(a, b, we, g[0], g[1]), new[] { a.Length, b.Length },
            Args(("a", a), ("b", b), ("w", we)), "elementwise max/min");
        Assert.True(Math.Abs(eLoss - torch[8]!["loss"]!.GetValue<double>()) <= 1e-5 * (1 + Math.Abs(eLoss)), $"elementwise: loss {eLoss:R}, PyTorch {torch[8]!["loss"]}");
        AssertGradient(eg[0], Gradient(torch[8]!, "x"), "elementwise: da against PyTorch");
        AssertGradient(eg[1], Gradient(torch[8]!, "b"), "elementwise: db against PyTorch");
        Assert.Contains(Enumerable.Range(0, a.Length), k => a[k] == b[k]);   // the inputs do tie
    }

    /// <summary>
    /// Mining in a tiled pair space with tied distances (points on a small integer grid): each rule's kernel against the
    /// interpreter, and the split gradient against the written-out rule on the anchors' hardest positive and negative.
    /// </summary>
    [Fact]
    public void PairSpaceMiningFollowsTheTieRules()
    {
        var rng = new Random(13);
        const int dim = 3;
        foreach (int n in new[] { 9, 140 })
        {
            var x = Enumerable.Range(0, n * dim).Select(_ => (float)rng.Next(3)).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
            var args = new Dictionary<string, object> { ["x"] = x, ["y"] = y, ["dim"] = dim };
            RunEverywhere(nameof(TieLosses.TripletSplit), g => TieLosses.TripletSplit(x, y, g[0], dim), new[] { x.Length }, args, $"triplet split at {n}");
            RunEverywhere(nameof(TieLosses.TripletFirst), g => TieLosses.TripletFirst(x, y, g[0], dim), new[] { x.Length }, args, $"triplet first at {n}");
            RunEverywhere(nameof(TieLosses.TripletAll), g => TieLosses.TripletAll(x, y, g[0], dim), new[] { x.Length }, args, $"triplet all at {n}");

            // The split rule written out: each anchor's loss term passes 1/n to its tied hardest positives (split) and
            // -1/n to its tied hardest negatives, each distance's gradient (x_i - x_j) / d to both ends.
            var expected = new double[x.Length];
            double Dist(int i, int j) => Math.Sqrt(Math.Max(Enumerable.Range(0, dim).Sum(d => Math.Pow(x[i * dim + d] - x[j * dim + d], 2)), 1e-12));
            for (int i = 0; i < n; i++)
            {
                var pos = Enumerable.Range(0, n).Where(j => j != i && y[j] == y[i]).ToList();
                var neg = Enumerable.Range(0, n).Where(j => y[j] != y[i]).ToList();
                if (pos.Count == 0 || neg.Count == 0) continue;
                double hp = pos.Max(j => Dist(i, j)), hn = neg.Min(j => Dist(i, j));
                if (hp - hn + 0.3 <= 0) continue;
                void Spread(List<int> tied, double weight)
                {
                    foreach (int j in tied)
                    {
                        double dij = Dist(i, j);
                        if (dij * dij <= 1e-12) continue;   // the clamp: no gradient
                        for (int d = 0; d < dim; d++)
                        {
                            double g = weight / tied.Count * (x[i * dim + d] - x[j * dim + d]) / dij;
                            expected[i * dim + d] += g;
                            expected[j * dim + d] -= g;
                        }
                    }
                }
                Spread(pos.Where(j => Dist(i, j) == hp).ToList(), 1.0 / n);
                Spread(neg.Where(j => Dist(i, j) == hn).ToList(), -1.0 / n);
            }
            var dx = new float[x.Length];
            TieLosses.TripletSplit(x, y, dx, dim);
            AssertGradient(dx, expected, $"triplet split at {n}: dx against the written-out rule");
        }
    }

    /// <summary>A max and a min over every element (reduced across the chunks of a pass): split and first.</summary>
    [Fact]
    public void GlobalMaxAndMinFollowTheirRules()
    {
        var rng = new Random(5);
        foreach (int n in new[] { 1, 37, 5000 })
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)rng.Next(50)).ToArray();
            double max = x.Max(), min = x.Min();
            int ties = x.Count(v => v == max), first = Array.IndexOf(x, (float)min);
            var expected = new double[n];
            for (int k = 0; k < n; k++) expected[k] = (x[k] == max ? 1.0 / ties : 0) - (k == first ? 0.5 : 0);
            var (loss, g) = RunEverywhere(nameof(TieLosses.GlobalMax), d => TieLosses.GlobalMax(x, d[0]), new[] { n }, new() { ["x"] = x }, $"global max at {n}");
            Assert.Equal(max - 0.5 * min, loss, 5);
            AssertGradient(g[0], expected, $"global max at {n}: dx");
        }
    }

    [Fact]
    public void AFullyIgnoredBatchGivesTheEmptyValueAndZeroGradients()
    {
        var rng = new Random(8);
        const int n = 5, classes = 7;
        var z = LossCheck.Normal(rng, n * classes, 2);
        var ignored = Enumerable.Repeat(-100, n).ToArray();
        var (loss, g) = RunEverywhere(nameof(TieLosses.CrossEntropyIgnore), d => TieLosses.CrossEntropyIgnore(z, ignored, d[0]), new[] { z.Length },
            new() { ["z"] = z, ["y"] = ignored, ["ignore"] = -100 }, "all ignored");
        Assert.Equal(0f, loss);
        Assert.All(g[0], v => Assert.Equal(0f, v));

        // Some rows kept: the masked mean, as without the option.
        var y = new[] { 3, -100, 0, -100, 6 };
        var (partial, gp) = RunEverywhere(nameof(TieLosses.CrossEntropyIgnore), d => TieLosses.CrossEntropyIgnore(z, y, d[0]), new[] { z.Length },
            new() { ["z"] = z, ["y"] = y, ["ignore"] = -100 }, "some ignored");
        double expected = 0;
        foreach (int i in new[] { 0, 2, 4 })
        {
            double m = Enumerable.Range(0, classes).Max(c => (double)z[i * classes + c]);
            double lse = m + Math.Log(Enumerable.Range(0, classes).Sum(c => Math.Exp(z[i * classes + c] - m)));
            expected += (lse - z[i * classes + y[i]]) / 3;
        }
        Assert.Equal(expected, partial, 5);
        Assert.All(Enumerable.Range(classes, classes).Concat(Enumerable.Range(3 * classes, classes)), k => Assert.Equal(0f, gp[0][k]));
    }

    [Fact]
    public void EveryReductionGivesItsEmptyValueOnAnEmptyRowWithZeroGradients()
    {
        var rng = new Random(9);
        const int n = 4, nc = 21;
        var x = LossCheck.Normal(rng, n * nc);
        var m = Enumerable.Range(0, n * nc).Select(k => k / nc == 1 || k / nc == 3 ? 0f : (float)rng.Next(2)).ToArray();   // rows 1 and 3 empty
        m[0] = 1;
        var (loss, g) = RunEverywhere(nameof(TieLosses.RowsWithEmpty), d => TieLosses.RowsWithEmpty(x, m, d[0], nc), new[] { x.Length },
            new() { ["x"] = x, ["m"] = m, ["nc"] = nc }, "rows with empty");
        double expected = 2 * (0 - 1 + 2 + 0 + 5 + 0.5 + 3);
        for (int i = 0; i < n; i += 2)
        {
            var kept = Enumerable.Range(0, nc).Where(c => m[i * nc + c] > 0).Select(c => (double)x[i * nc + c]).ToList();
            double mx = kept.Max();
            expected += kept.Average() + mx + kept.Min() + mx + Math.Log(kept.Sum(v => Math.Exp(v - mx))) + kept.Sum() + kept.Count(v => v > 0)
                + Math.Sqrt(kept.Sum(v => v * v));
        }
        Assert.Equal(expected, loss, 4);
        foreach (int i in new[] { 1, 3 })
            for (int c = 0; c < nc; c++) Assert.Equal(0f, g[0][i * nc + c]);
        Assert.All(g[0], v => Assert.True(float.IsFinite(v)));

        // Every row empty.
        var none = new float[n * nc];
        var (emptyLoss, ge) = RunEverywhere(nameof(TieLosses.RowsWithEmpty), d => TieLosses.RowsWithEmpty(x, none, d[0], nc), new[] { x.Length },
            new() { ["x"] = x, ["m"] = none, ["nc"] = nc }, "every row empty");
        Assert.Equal(n * (0 - 1 + 2 + 0 + 5 + 0.5f + 3), emptyLoss);
        Assert.All(ge[0], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TheEmptyValueMayDependOnTheInputs()
    {
        var rng = new Random(10);
        const int n = 3, nc = 5;
        var x = LossCheck.Normal(rng, n * nc);
        var m = new float[] { 1, 0, 1, 1, 0, /* empty */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        var (loss, g) = RunEverywhere(nameof(TieLosses.EmptyValueFromInput), d => TieLosses.EmptyValueFromInput(x, m, d[0], nc), new[] { x.Length },
            new() { ["x"] = x, ["m"] = m, ["nc"] = nc }, "empty value from an input");
        double expected = (x[0] * x[0] + x[2] * x[2] + x[3] * x[3]) / 3.0 - 3 * x[5] + x[14] * x[14];
        Assert.Equal(expected, loss, 5);
        var dx = new double[x.Length];
        foreach (int k in new[] { 0, 2, 3 }) dx[k] = 2 * x[k] / 3.0;
        dx[5] = -3;
        dx[14] = 2 * x[14];
        AssertGradient(g[0], dx, "empty value from an input: dx");
    }

    [Fact]
    public void BinderlessReductionsTakeOptionsToo()
    {
        var x = new float[] { 1, -2, 3, 3 };
        var (loss, g) = RunEverywhere(nameof(TieLosses.BinderlessEmpty), d => TieLosses.BinderlessEmpty(x, d[0]), new[] { x.Length }, new() { ["x"] = x }, "binder-less");
        Assert.Equal((1 + 4 + 9 + 9) / 4.0 + 3, loss, 5);
        AssertGradient(g[0], new[] { 0.5, -1, 1.5 + 0.5, 1.5 + 0.5 }, "binder-less: dx");
        var (empty, _) = RunEverywhere(nameof(TieLosses.BinderlessEmpty), d => TieLosses.BinderlessEmpty(Array.Empty<float>(), d[0]), new[] { 0 },
            new() { ["x"] = Array.Empty<float>() }, "binder-less, empty");
        Assert.Equal(0f, empty);
    }
}
