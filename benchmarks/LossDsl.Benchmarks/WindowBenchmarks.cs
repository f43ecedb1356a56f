using System;
using BenchmarkDotNet.Attributes;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// SSIM over one image with an 11 × 11 Gaussian window written as shifted gathers (docs/language.md §6.7), whose
/// gradient scatters back into the window's pixels (§8.3): forward only and forward + backward.
/// </summary>
public static partial class WindowLosses
{
    [GeneratedLoss("""
        index h : height; shape x[h, w]; shape y[h, w];
        k[a, b] = win[a] * win[b];
        mx[h, w] = sum[a, b](k[a, b] * x[h + a - 5, w + b - 5]);
        my[h, w] = sum[a, b](k[a, b] * y[h + a - 5, w + b - 5]);
        sxx[h, w] = sum[a, b](k[a, b] * x[h + a - 5, w + b - 5]^2) - mx[h, w]^2;
        syy[h, w] = sum[a, b](k[a, b] * y[h + a - 5, w + b - 5]^2) - my[h, w]^2;
        sxy[h, w] = sum[a, b](k[a, b] * x[h + a - 5, w + b - 5] * y[h + a - 5, w + b - 5]) - mx[h, w] * my[h, w];
        1 - mean[h, w]((2 * mx[h, w] * my[h, w] + 0.0001) * (2 * sxy[h, w] + 0.0009) / ((mx[h, w]^2 + my[h, w]^2 + 0.0001) * (sxx[h, w] + syy[h, w] + 0.0009)))
        """)]
    public static partial float Ssim(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> win, Span<float> dx, int height);
}

/// <summary>SSIM of one Size × Size image (11 × 11 Gaussian window, sigma 1.5).</summary>
public class WindowBenchmarks
{
    private float[] _x = Array.Empty<float>(), _y = Array.Empty<float>(), _dx = Array.Empty<float>(), _win = Array.Empty<float>();

    [Params(64, 256)]
    public int Size { get; set; }

    [Params(1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(121);
        _x = new float[Size * Size];
        _y = new float[Size * Size];
        _dx = new float[Size * Size];
        for (int k = 0; k < _x.Length; k++) { _x[k] = (float)rng.NextDouble(); _y[k] = (float)rng.NextDouble(); }
        _win = new float[11];
        double sum = 0;
        for (int a = 0; a < 11; a++) sum += Math.Exp(-(a - 5) * (a - 5) / 4.5);
        for (int a = 0; a < 11; a++) _win[a] = (float)(Math.Exp(-(a - 5) * (a - 5) / 4.5) / sum);
        LossParallel.MaxDegreeOfParallelism = Threads == 0 ? Environment.ProcessorCount : Threads;
    }

    [Benchmark(Baseline = true)]
    public float Forward() => WindowLosses.Ssim(_x, _y, _win, Size);

    [Benchmark]
    public float ForwardBackward() => WindowLosses.Ssim(_x, _y, _win, _dx, Size);
}
