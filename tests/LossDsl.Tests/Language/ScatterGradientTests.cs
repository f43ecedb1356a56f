using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Language;

/// <summary>
/// Gathers whose gradient is a sparse scatter (docs/language.md §8.3): a sub-vocabulary softmax (NTL, a gather summed
/// over the gathered list, scattered into the row it reads), a per-class weight (a scatter into elements shared by every
/// row: one chunk, in order) and per-class centres (a scatter owned by the feature axis). Indices repeat and fall out of
/// range (-1 and the extent: a read of 0 that receives nothing).
/// </summary>
public static partial class ScatterLosses
{
    /// <summary>Number Token Loss (Zausinger et al., 2025) on the logits of the K number tokens idx of the vocabulary.</summary>
    [GeneratedLoss("p[i, k] = softmax[k](z[i, idx[k]]); mean[i]((sum[k](p[i, k] * v[k]) - v[tgt[i]])^2)")]
    public static partial float Ntl(ReadOnlySpan<float> z, ReadOnlySpan<int> idx, ReadOnlySpan<float> v, ReadOnlySpan<int> tgt, Span<float> dz);

    /// <summary>A per-class weight read by every row.</summary>
    [GeneratedLoss("mean[i](w[y[i]] * (x[i] - t[i])^2)")]
    public static partial float ClassWeight(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<int> y, Span<float> dw, Span<float> dx);

    /// <summary>Centre loss (Wen et al., 2016).</summary>
    [GeneratedLoss("mean[i](sum[d]((x[i, d] - centers[y[i], d])^2))")]
    public static partial float Centers(ReadOnlySpan<float> x, ReadOnlySpan<float> centers, ReadOnlySpan<int> y, Span<float> dx, Span<float> dcenters);
}

[Collection("LossParallel")]
public class ScatterGradientTests
{
    // ---- Float64 references written from the formulas ------------------------------------------------------------

    private static double Read(double[] a, long k, long length) => k >= 0 && k < length ? a[k] : 0;

    private static double Ntl(double[] z, int[] idx, double[] v, int[] tgt, int vocabulary)
    {
        int n = tgt.Length, kk = idx.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var g = new double[kk];
            for (int k = 0; k < kk; k++) g[k] = idx[k] >= 0 && idx[k] < vocabulary ? z[(long)i * vocabulary + idx[k]] : 0;
            double m = g.Max(), s = g.Sum(x => Math.Exp(x - m)), e = 0;
            for (int k = 0; k < kk; k++) e += Math.Exp(g[k] - m) / s * v[k];
            double d = e - Read(v, tgt[i], kk);
            total += d * d;
        }
        return total / n;
    }

    private static double ClassWeight(double[] w, float[] x, float[] t, int[] y)
    {
        double total = 0;
        for (int i = 0; i < y.Length; i++) total += Read(w, y[i], w.Length) * ((double)x[i] - t[i]) * ((double)x[i] - t[i]);
        return total / y.Length;
    }

    private static double Centers(float[] x, double[] centers, int[] y, int dims)
    {
        int classes = centers.Length / dims;
        double total = 0;
        for (int i = 0; i < y.Length; i++)
            for (int d = 0; d < dims; d++)
            {
                double c = y[i] >= 0 && y[i] < classes ? centers[y[i] * dims + d] : 0;
                total += (x[i * dims + d] - c) * (x[i * dims + d] - c);
            }
        return total / y.Length;
    }

    /// <summary>Central differences of a float64 loss at every coordinate of <paramref name="x"/>.</summary>
    internal static double[] FiniteDifferences(Func<double[], double> loss, float[] x)
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

    internal static void AssertFiniteDifferences(float[] kernel, double[] expected, string what)
    {
        double max = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        Assert.True(max > 0, $"{what}: the reference gradient is zero everywhere");
        for (int k = 0; k < kernel.Length; k++)
        {
            double tol = 2e-4 * Math.Abs(expected[k]) + 2e-5 * max + 1e-7;
            Assert.True(Math.Abs(kernel[k] - expected[k]) <= tol, $"{what}[{k}]: kernel {kernel[k]:R}, finite differences {expected[k]:R} (tol {tol:E2})");
        }
    }

    // ---- Inputs ----------------------------------------------------------------------------------------------------

    /// <summary>The K = 8 number tokens of a vocabulary: a duplicate (3 twice) and two out of range (-1 and the extent).</summary>
    private static int[] NumberTokens(int vocabulary) => new[] { 3, 0, vocabulary - 1, 3, -1, 7, vocabulary, 5 };

    internal static Dictionary<string, object> NtlInputs(Random rng, int rows, int vocabulary)
    {
        var idx = NumberTokens(vocabulary);
        var tgt = Enumerable.Range(0, rows).Select(_ => rng.Next(-1, idx.Length + 1)).ToArray();
        return new() { ["z"] = Normal(rng, rows * vocabulary, 2), ["idx"] = idx, ["v"] = Normal(rng, idx.Length, 3), ["tgt"] = tgt };
    }

    /// <summary>Labels in [-1, classes]: out of range at both ends, and repeated.</summary>
    private static int[] LabelsWithOutOfRange(Random rng, int rows, int classes) => Enumerable.Range(0, rows).Select(_ => rng.Next(-1, classes + 1)).ToArray();

    internal static Dictionary<string, object> ClassWeightInputs(Random rng, int rows, int classes) => new()
    {
        ["w"] = Normal(rng, classes), ["x"] = Normal(rng, rows), ["t"] = Normal(rng, rows), ["y"] = LabelsWithOutOfRange(rng, rows, classes),
    };

    internal static Dictionary<string, object> CentersInputs(Random rng, int rows, int classes, int dims) => new()
    {
        ["x"] = Normal(rng, rows * dims), ["centers"] = Normal(rng, classes * dims), ["y"] = LabelsWithOutOfRange(rng, rows, classes),
    };

    // ---- Finite differences (small) --------------------------------------------------------------------------------

    [Fact]
    public void NtlGradientMatchesFiniteDifferencesAndTheInterpreter()
    {
        var rng = new Random(11);
        const int rows = 5, vocabulary = 12;
        var inputs = NtlInputs(rng, rows, vocabulary);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(ScatterLosses), nameof(ScatterLosses.Ntl)), inputs);
        var z = (float[])inputs["z"];
        var idx = (int[])inputs["idx"];
        var v = Array.ConvertAll((float[])inputs["v"], x => (double)x);
        var tgt = (int[])inputs["tgt"];
        Assert.Equal(Ntl(Array.ConvertAll(z, x => (double)x), idx, v, tgt, vocabulary), loss, 4);
        var dz = grads["dz"];
        AssertFiniteDifferences(dz, FiniteDifferences(d => Ntl(d, idx, v, tgt, vocabulary), z), "dz");
        // Columns that no number token names receive exactly nothing; the duplicate's column receives both reads.
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < vocabulary; c++)
                if (!idx.Contains(c)) Assert.Equal(0f, dz[i * vocabulary + c]);
        Assert.Contains(Enumerable.Range(0, rows), i => dz[i * vocabulary + 3] != 0);
    }

    [Fact]
    public void AWeightReadByEveryRowMatchesFiniteDifferences()
    {
        var rng = new Random(12);
        const int rows = 40, classes = 6;
        var inputs = ClassWeightInputs(rng, rows, classes);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(ScatterLosses), nameof(ScatterLosses.ClassWeight)), inputs);
        var w = (float[])inputs["w"];
        var x = (float[])inputs["x"];
        var t = (float[])inputs["t"];
        var y = (int[])inputs["y"];
        Assert.Contains(-1, y);
        Assert.Contains(classes, y);
        Assert.Equal(ClassWeight(Array.ConvertAll(w, v => (double)v), x, t, y), loss, 4);
        AssertFiniteDifferences(grads["dw"], FiniteDifferences(d => ClassWeight(d, x, t, y), w), "dw");
    }

    [Fact]
    public void CentersMatchFiniteDifferences()
    {
        var rng = new Random(13);
        const int rows = 30, classes = 5, dims = 3;
        var inputs = CentersInputs(rng, rows, classes, dims);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(ScatterLosses), nameof(ScatterLosses.Centers)), inputs);
        var x = (float[])inputs["x"];
        var centers = (float[])inputs["centers"];
        var y = (int[])inputs["y"];
        Assert.Equal(Centers(x, Array.ConvertAll(centers, v => (double)v), y, dims), loss, 4);
        AssertFiniteDifferences(grads["dcenters"], FiniteDifferences(d => Centers(x, d, y, dims), centers), "dcenters");
    }

    // ---- Threads, widths, repeated calls (large enough for several chunks) ------------------------------------------

    public static IEnumerable<object[]> CasesAndWidths() =>
        from name in new[] { nameof(ScatterLosses.Ntl), nameof(ScatterLosses.ClassWeight), nameof(ScatterLosses.Centers) }
        from w in SimdWidths.Supported
        select new object[] { name, w };

    private static Dictionary<string, object> LargeInputs(string name, Random rng) => name switch
    {
        // 3000 rows of 8 number tokens: 2048 rows per chunk, two chunks.
        nameof(ScatterLosses.Ntl) => NtlInputs(rng, 3000, 40),
        // 40,000 rows: three chunks of the loss pass, one of the scatter.
        nameof(ScatterLosses.ClassWeight) => ClassWeightInputs(rng, 40000, 7),
        // 5000 rows of 12 features: the scatter pass over the features in chunks of 3.
        _ => CentersInputs(rng, 5000, 9, 12),
    };

    [Theory]
    [MemberData(nameof(CasesAndWidths))]
    public void TheSameBitsAtOneAndTwoThreadsAndOnEveryCallAgreeingWithTheInterpreter(string name, int width)
    {
        var method = LossInvoker.Find(typeof(ScatterLosses), name);
        var invoker = LossInvoker.For(method);
        var inputs = LargeInputs(name, new Random(name.Length * 31 + width));
        var ps = method.GetParameters();
        int savedDegree = LossParallel.MaxDegreeOfParallelism;
        bool savedPoison = LossDsl.Internals.ScratchPool.PoisonRentals;
        try
        {
            using var scope = SimdWidths.Force(width);
            LossDsl.Internals.ScratchPool.PoisonRentals = true;
            object[]? first = null;
            float firstLoss = 0;
            foreach (int degree in new[] { 1, 2, 1, 2 })
            {
                LossParallel.MaxDegreeOfParallelism = degree;
                var arguments = KernelArguments(method, inputs); // gradients filled with NaN: every element must be written
                float loss = invoker.Invoke(arguments);
                if (first is null)
                {
                    first = arguments;
                    firstLoss = loss;
                    continue;
                }
                string where = $"{name} at width {width}, {degree} thread(s)";
                Assert.Equal(BitConverter.SingleToInt32Bits(firstLoss), BitConverter.SingleToInt32Bits(loss));
                for (int k = 0; k < ps.Length; k++)
                    if (ps[k].ParameterType == typeof(Span<float>))
                        Assert.True(((float[])first[k]).Select(BitConverter.SingleToInt32Bits).SequenceEqual(((float[])arguments[k]).Select(BitConverter.SingleToInt32Bits)),
                            $"{where}: {ps[k].Name} differs from the first call's");
            }
            LossParallel.MaxDegreeOfParallelism = 2;
            CompareWithInterpreter(method, inputs, $" at width {width}");
        }
        finally
        {
            LossDsl.Internals.ScratchPool.PoisonRentals = savedPoison;
            LossParallel.MaxDegreeOfParallelism = savedDegree;
        }
    }
}
