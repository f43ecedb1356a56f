using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Language;

/// <summary>
/// Windows written as shifted gathers (docs/language.md §6.7): SSIM's local means, variances and covariance (over the
/// inputs and over intermediate bindings), a local variance about the local mean (a window sum inside a window),
/// an opening (erosion then dilation over 3 × 3 windows clipped to the image), strided max pooling with each tie rule,
/// and a maximum-intensity projection. The gradients are sparse scatters, O(pixels · window).
/// </summary>
public static partial class WindowLosses
{
    /// <summary>SSIM with zero padding (as BASNet's pytorch_ssim): window weights win[a] win[b], radius r, both gradients.</summary>
    [GeneratedLoss("""
        index h : height; shape x[h, w]; shape y[h, w];
        k[a, b] = win[a] * win[b];
        mx[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r]);
        my[h, w] = sum[a, b](k[a, b] * y[h + a - r, w + b - r]);
        sxx[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r]^2) - mx[h, w]^2;
        syy[h, w] = sum[a, b](k[a, b] * y[h + a - r, w + b - r]^2) - my[h, w]^2;
        sxy[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r] * y[h + a - r, w + b - r]) - mx[h, w] * my[h, w];
        1 - mean[h, w]((2 * mx[h, w] * my[h, w] + 0.0001) * (2 * sxy[h, w] + 0.0009) / ((mx[h, w]^2 + my[h, w]^2 + 0.0001) * (sxx[h, w] + syy[h, w] + 0.0009)))
        """)]
    public static partial float Ssim(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> win, Span<float> dx, Span<float> dy, int height, int r);

    /// <summary>The same SSIM with the windows over intermediate values: the bindings xx, yy, xy gathered at h + a - r.</summary>
    [GeneratedLoss("""
        index h : height; shape x[h, w]; shape y[h, w];
        k[a, b] = win[a] * win[b];
        xx[h, w] = x[h, w]^2; yy[h, w] = y[h, w]^2; xy[h, w] = x[h, w] * y[h, w];
        mx[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r]);
        my[h, w] = sum[a, b](k[a, b] * y[h + a - r, w + b - r]);
        sxx[h, w] = sum[a, b](k[a, b] * xx[h + a - r, w + b - r]) - mx[h, w]^2;
        syy[h, w] = sum[a, b](k[a, b] * yy[h + a - r, w + b - r]) - my[h, w]^2;
        sxy[h, w] = sum[a, b](k[a, b] * xy[h + a - r, w + b - r]) - mx[h, w] * my[h, w];
        1 - mean[h, w]((2 * mx[h, w] * my[h, w] + 0.0001) * (2 * sxy[h, w] + 0.0009) / ((mx[h, w]^2 + my[h, w]^2 + 0.0001) * (sxx[h, w] + syy[h, w] + 0.0009)))
        """)]
    public static partial float SsimOverBindings(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> win, Span<float> dx, int height, int r);

    /// <summary>The local variance about the local mean: a window sum (mu) read inside another window.</summary>
    [GeneratedLoss("""
        index h : height; shape x[h, w];
        mu[h, w] = sum[a, b](win[a] * win[b] * x[h + a - r, w + b - r]);
        mean[h, w](sum[a, b](win[a] * win[b] * (x[h + a - r, w + b - r] - mu[h, w])^2))
        """)]
    public static partial float LocalVariance(ReadOnlySpan<float> x, ReadOnlySpan<float> win, Span<float> dx, int height, int r);

    /// <summary>
    /// A morphological opening, as clDice's soft skeleton: erosion over a 3 × 1 and a 1 × 3 window, then dilation over
    /// 3 × 3, each window clipped to the image by a filter (as max pooling's -inf padding), weighted by t.
    /// </summary>
    [GeneratedLoss("""
        index h : height; index a, b : three; shape x[h, w]; shape t[h, w];
        e[h, w] = min(min[a | 0 <= h + a - 1 && h + a - 1 < extent(h)](x[h + a - 1, w]), min[b | 0 <= w + b - 1 && w + b - 1 < extent(w)](x[h, w + b - 1]));
        o[h, w] = max[a, b | 0 <= h + a - 1 && h + a - 1 < extent(h) && 0 <= w + b - 1 && w + b - 1 < extent(w)](e[h + a - 1, w + b - 1]);
        sum[h, w](t[h, w] * o[h, w])
        """)]
    public static partial float Opening(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> dx, int height, int three);

    /// <summary>Max pooling over pool × pool windows with stride pool, ties split (as amax).</summary>
    [GeneratedLoss("""
        index h : height; index a, b : pool; index p : rows; shape x[p, q]; shape t[h, w];
        sum[h, w](t[h, w] * max[a, b](x[pool * h + a, pool * w + b]))
        """)]
    public static partial float MaxPool(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> dx, int height, int pool, int rows);

    /// <summary>Max pooling with the whole gradient to the first maximum of each window (as torch's max_pool2d).</summary>
    [GeneratedLoss("""
        index h : height; index a, b : pool; index p : rows; shape x[p, q]; shape t[h, w];
        sum[h, w](t[h, w] * max[a, b; ties = first](x[pool * h + a, pool * w + b]))
        """)]
    public static partial float MaxPoolFirst(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> dx, int height, int pool, int rows);

    /// <summary>A maximum-intensity projection along the first axis: a plain reduction.</summary>
    [GeneratedLoss("index d : depth; index h : height; sum[h, w](t[h, w] * max[d](x[d, h, w]))")]
    public static partial float Projection(ReadOnlySpan<float> x, ReadOnlySpan<float> t, Span<float> dx, int depth, int height);
}

[Collection("LossParallel")]
public class WindowTests
{
    // ---- Float64 references written from the formulas ------------------------------------------------------------

    /// <summary>x[h, w] of an image of the given height and width, 0 outside it.</summary>
    private static double Pixel(double[] x, int height, int width, int h, int w) => h >= 0 && h < height && w >= 0 && w < width ? x[h * width + w] : 0;

    internal static double Ssim(double[] x, double[] y, float[] win, int height, int r)
    {
        int width = x.Length / height, n = win.Length;
        double total = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                    {
                        double k = (double)win[a] * win[b];
                        double u = Pixel(x, height, width, h + a - r, w + b - r), v = Pixel(y, height, width, h + a - r, w + b - r);
                        mx += k * u; my += k * v; xx += k * u * u; yy += k * v * v; xy += k * u * v;
                    }
                double sxx = xx - mx * mx, syy = yy - my * my, sxy = xy - mx * my;
                total += (2 * mx * my + 1e-4) * (2 * sxy + 9e-4) / ((mx * mx + my * my + 1e-4) * (sxx + syy + 9e-4));
            }
        return 1 - total / (height * width);
    }

    private static double LocalVariance(double[] x, float[] win, int height, int r)
    {
        int width = x.Length / height, n = win.Length;
        double total = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                double mu = 0, sigma = 0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++) mu += (double)win[a] * win[b] * Pixel(x, height, width, h + a - r, w + b - r);
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                    {
                        double d = Pixel(x, height, width, h + a - r, w + b - r) - mu;
                        sigma += (double)win[a] * win[b] * d * d;
                    }
                total += sigma;
            }
        return total / (height * width);
    }

    private static double Opening(double[] x, float[] t, int height)
    {
        int width = x.Length / height;
        var e = new double[x.Length];
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                double m = double.PositiveInfinity;
                for (int d = -1; d <= 1; d++)
                {
                    if (h + d >= 0 && h + d < height) m = Math.Min(m, x[(h + d) * width + w]);
                    if (w + d >= 0 && w + d < width) m = Math.Min(m, x[h * width + w + d]);
                }
                e[h * width + w] = m;
            }
        double total = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                double o = double.NegativeInfinity;
                for (int a = -1; a <= 1; a++)
                    for (int b = -1; b <= 1; b++)
                        if (h + a >= 0 && h + a < height && w + b >= 0 && w + b < width) o = Math.Max(o, e[(h + a) * width + w + b]);
                total += t[h * width + w] * o;
            }
        return total;
    }

    /// <summary>Strided max pooling and its gradient: split among ties, or all to the first in row-major order.</summary>
    private static (double Loss, double[] Gradient) MaxPool(float[] x, float[] t, int height, int pool, bool first)
    {
        int width = t.Length / height, columns = x.Length / (pool * height);
        var g = new double[x.Length];
        double loss = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                var cells = (from a in Enumerable.Range(0, pool) from b in Enumerable.Range(0, pool) select (pool * h + a) * columns + pool * w + b).ToList();
                double m = cells.Max(k => (double)x[k]);
                loss += t[h * width + w] * m;
                var ties = cells.Where(k => x[k] == m).ToList();
                if (first) g[ties[0]] += t[h * width + w];
                else foreach (var k in ties) g[k] += t[h * width + w] / (double)ties.Count;
            }
        return (loss, g);
    }

    // ---- Inputs ----------------------------------------------------------------------------------------------------

    /// <summary>A normalized 1-D Gaussian window of 2r + 1 taps, sigma 1.5.</summary>
    internal static float[] Gaussian(int r)
    {
        var g = Enumerable.Range(-r, 2 * r + 1).Select(d => Math.Exp(-d * d / 4.5)).ToArray();
        double s = g.Sum();
        return g.Select(v => (float)(v / s)).ToArray();
    }

    internal static Dictionary<string, object> SsimInputs(Random rng, int height, int width, int r) => new()
    {
        ["x"] = Uniform(rng, height * width, 0, 1), ["y"] = Uniform(rng, height * width, 0, 1), ["win"] = Gaussian(r), ["height"] = height, ["r"] = r,
    };

    internal static Dictionary<string, object> VarianceInputs(Random rng, int height, int width, int r) => new()
    {
        ["x"] = Normal(rng, height * width), ["win"] = Gaussian(r), ["height"] = height, ["r"] = r,
    };

    internal static Dictionary<string, object> OpeningInputs(Random rng, int height, int width) => new()
    {
        ["x"] = Normal(rng, height * width), ["t"] = Normal(rng, height * width), ["height"] = height, ["three"] = 3,
    };

    /// <summary>Pooling inputs: values in {0, 1, 2, 3}, so that windows have ties; a ragged border the windows do not cover.</summary>
    internal static Dictionary<string, object> PoolInputs(Random rng, int height, int width, int pool) => new()
    {
        ["x"] = Enumerable.Range(0, (pool * height + 1) * (pool * width + 1)).Select(_ => (float)rng.Next(4)).ToArray(),
        ["t"] = Normal(rng, height * width), ["height"] = height, ["pool"] = pool, ["rows"] = pool * height + 1,
    };

    internal static Dictionary<string, object> ProjectionInputs(Random rng, int depth, int height, int width) => new()
    {
        ["x"] = Normal(rng, depth * height * width), ["t"] = Normal(rng, height * width), ["depth"] = depth, ["height"] = height,
    };

    private static double[] D(object a) => Array.ConvertAll((float[])a, v => (double)v);

    // ---- Interpreter, float64 references and finite differences (small) ---------------------------------------------

    [Fact]
    public void SsimMatchesItsDefinitionAndFiniteDifferencesInBothInputs()
    {
        var inputs = SsimInputs(new Random(21), 7, 9, 2);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), nameof(WindowLosses.Ssim)), inputs);
        var win = (float[])inputs["win"];
        var x = (float[])inputs["x"];
        var y = (float[])inputs["y"];
        Assert.Equal(Ssim(D(x), D(y), win, 7, 2), loss, 4);
        ScatterGradientTests.AssertFiniteDifferences(grads["dx"], ScatterGradientTests.FiniteDifferences(d => Ssim(d, D(y), win, 7, 2), x), "dx");
        ScatterGradientTests.AssertFiniteDifferences(grads["dy"], ScatterGradientTests.FiniteDifferences(d => Ssim(D(x), d, win, 7, 2), y), "dy");
        // The same SSIM over the bindings xx, yy, xy gathered through the window.
        var (loss2, grads2) = CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), nameof(WindowLosses.SsimOverBindings)), inputs);
        Assert.Equal(loss, loss2, 5);
        ScatterGradientTests.AssertFiniteDifferences(grads2["dx"], ScatterGradientTests.FiniteDifferences(d => Ssim(d, D(y), win, 7, 2), x), "dx over bindings");
    }

    [Fact]
    public void ALocalVarianceAboutTheLocalMeanMatchesFiniteDifferences()
    {
        var inputs = VarianceInputs(new Random(22), 6, 8, 1);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), nameof(WindowLosses.LocalVariance)), inputs);
        var x = (float[])inputs["x"];
        var win = (float[])inputs["win"];
        Assert.Equal(LocalVariance(D(x), win, 6, 1), loss, 4);
        ScatterGradientTests.AssertFiniteDifferences(grads["dx"], ScatterGradientTests.FiniteDifferences(d => LocalVariance(d, win, 6, 1), x), "dx");
    }

    [Fact]
    public void AnOpeningOfWindowsClippedToTheImageMatchesFiniteDifferences()
    {
        var inputs = OpeningInputs(new Random(23), 6, 7);
        var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), nameof(WindowLosses.Opening)), inputs);
        var x = (float[])inputs["x"];
        var t = (float[])inputs["t"];
        Assert.Equal(Opening(D(x), t, 6), loss, 4);
        ScatterGradientTests.AssertFiniteDifferences(grads["dx"], ScatterGradientTests.FiniteDifferences(d => Opening(d, t, 6), x), "dx");
    }

    [Fact]
    public void StridedMaxPoolingSplitsOrPassesToTheFirstTieAndIgnoresTheUncoveredBorder()
    {
        var inputs = PoolInputs(new Random(24), 5, 4, 2);
        var x = (float[])inputs["x"];
        var t = (float[])inputs["t"];
        // The windows hold ties: the two rules give different gradients.
        Assert.NotEqual(MaxPool(x, t, 5, 2, first: false).Gradient, MaxPool(x, t, 5, 2, first: true).Gradient);
        foreach (var (name, first) in new[] { (nameof(WindowLosses.MaxPool), false), (nameof(WindowLosses.MaxPoolFirst), true) })
        {
            var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), name), inputs);
            var (expected, gradient) = MaxPool(x, t, 5, 2, first);
            Assert.Equal(expected, loss, 4);
            AssertGradientClose(grads["dx"], gradient, name + " dx");
            // The last row and column (rows = 2 height + 1) are read by no window: exactly zero.
            int columns = x.Length / 11;
            for (int q = 0; q < columns; q++) Assert.Equal(0f, grads["dx"][10 * columns + q]);
            for (int p = 0; p < 11; p++) Assert.Equal(0f, grads["dx"][p * columns + columns - 1]);
        }
    }

    [Fact]
    public void AMaximumIntensityProjectionMatchesTheInterpreterAndFiniteDifferences()
    {
        var inputs = ProjectionInputs(new Random(25), 4, 3, 5);
        var method = LossInvoker.Find(typeof(WindowLosses), nameof(WindowLosses.Projection));
        CompareWithInterpreter(method, inputs);
        CheckFiniteDifferences(method, inputs, 30, new Random(26));
    }

    // ---- Threads, widths, repeated calls (large enough for several chunks) ------------------------------------------

    public static IEnumerable<object[]> CasesAndWidths() =>
        from name in new[] { nameof(WindowLosses.Ssim), nameof(WindowLosses.SsimOverBindings), nameof(WindowLosses.LocalVariance), nameof(WindowLosses.Opening),
            nameof(WindowLosses.MaxPool), nameof(WindowLosses.MaxPoolFirst), nameof(WindowLosses.Projection) }
        from w in SimdWidths.Supported
        select new object[] { name, w };

    /// <summary>Inputs of several chunks of the row passes (40 rows of 36 pixels, windows of 5 × 5), and their float64 loss.</summary>
    private static (Dictionary<string, object> Inputs, double Loss) LargeInputs(string name, Random rng)
    {
        switch (name)
        {
            case nameof(WindowLosses.Ssim):
            case nameof(WindowLosses.SsimOverBindings):
            {
                var inputs = SsimInputs(rng, 40, 36, 2);
                return (inputs, Ssim(D(inputs["x"]), D(inputs["y"]), (float[])inputs["win"], 40, 2));
            }
            case nameof(WindowLosses.LocalVariance):
            {
                var inputs = VarianceInputs(rng, 40, 36, 2);
                return (inputs, LocalVariance(D(inputs["x"]), (float[])inputs["win"], 40, 2));
            }
            case nameof(WindowLosses.Opening):
            {
                var inputs = OpeningInputs(rng, 120, 100);
                return (inputs, Opening(D(inputs["x"]), (float[])inputs["t"], 120));
            }
            case nameof(WindowLosses.Projection):
            {
                var inputs = ProjectionInputs(rng, 6, 150, 40);
                return (inputs, double.NaN);
            }
            default:
            {
                var inputs = PoolInputs(rng, 100, 60, 3);
                return (inputs, MaxPool((float[])inputs["x"], (float[])inputs["t"], 100, 3, name == nameof(WindowLosses.MaxPoolFirst)).Loss);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CasesAndWidths))]
    public void TheSameBitsAtOneAndTwoThreadsAndOnEveryCallAgreeingWithTheFloat64Loss(string name, int width)
    {
        var method = LossInvoker.Find(typeof(WindowLosses), name);
        var invoker = LossInvoker.For(method);
        var (inputs, expected) = LargeInputs(name, new Random(name.Length * 37 + width));
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
                    if (!double.IsNaN(expected)) AssertClose(loss, expected, $"{name} at width {width}: the loss against its float64 definition");
                    for (int k = 0; k < ps.Length; k++)
                        if (ps[k].ParameterType == typeof(Span<float>)) Assert.DoesNotContain((float[])arguments[k], float.IsNaN);
                    continue;
                }
                string where = $"{name} at width {width}, {degree} thread(s)";
                Assert.Equal(BitConverter.SingleToInt32Bits(firstLoss), BitConverter.SingleToInt32Bits(loss));
                for (int k = 0; k < ps.Length; k++)
                    if (ps[k].ParameterType == typeof(Span<float>))
                        Assert.True(((float[])first[k]).Select(BitConverter.SingleToInt32Bits).SequenceEqual(((float[])arguments[k]).Select(BitConverter.SingleToInt32Bits)),
                            $"{where}: {ps[k].Name} differs from the first call's");
            }
        }
        finally
        {
            LossDsl.Internals.ScratchPool.PoisonRentals = savedPoison;
            LossParallel.MaxDegreeOfParallelism = savedDegree;
        }
    }

    [Theory]
    [MemberData(nameof(CasesAndWidths))]
    public void TheGradientsAtSeveralChunksAgreeWithTheInterpreterOnSmallImages(string name, int width)
    {
        // The interpreter evaluates a scatter as its indicator sum (O(pixels²)): small images, still several chunks of
        // the scatter's loops for the pooling cases.
        var rng = new Random(name.Length * 41 + width);
        var inputs = name switch
        {
            nameof(WindowLosses.Ssim) => SsimInputs(rng, 12, 10, 2),
            nameof(WindowLosses.SsimOverBindings) => SsimInputs(rng, 12, 10, 2),
            nameof(WindowLosses.LocalVariance) => VarianceInputs(rng, 12, 10, 2),
            nameof(WindowLosses.Opening) => OpeningInputs(rng, 14, 11),
            nameof(WindowLosses.Projection) => ProjectionInputs(rng, 5, 9, 8),
            _ => PoolInputs(rng, 9, 7, 3),
        };
        using var scope = SimdWidths.Force(width);
        CompareWithInterpreter(LossInvoker.Find(typeof(WindowLosses), name), inputs, $" at width {width}");
    }
}
