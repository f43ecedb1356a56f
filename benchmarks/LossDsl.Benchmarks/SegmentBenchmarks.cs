using System;
using BenchmarkDotNet.Attributes;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// A segment reduction (docs/language.md §6.9): each row's squared distance to the mean of its class in the batch,
/// forward + backward, with the class means as a binding read at the label (one sweep over the rows) and written out
/// as a filter over the rows of the same label (the form without segments: every row sums over all rows).
/// </summary>
public static partial class SegmentLosses
{
    [GeneratedLoss("""
        index k : classes;
        n[k] = count[i](y[i] == k);
        center[k, d] = sum[i | y[i] == k](x[i, d]) / max(n[k], 1);
        mean[i](sum[d]((x[i, d] - center[y[i], d])^2))
        """)]
    public static partial float BatchCenters(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx, int classes);

    [GeneratedLoss("""
        mean[i](sum[d]((x[i, d] - sum[j | y[j] == y[i]](x[j, d]) / max(count[j](y[j] == y[i]), 1))^2))
        """)]
    public static partial float BatchCentersPairwise(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx);
}

/// <summary>The batch-centre loss, N rows of D = 128 in 100 classes, with segments and in the pairwise form.</summary>
public class SegmentBenchmarks
{
    private float[] _x = Array.Empty<float>(), _dx = Array.Empty<float>();
    private int[] _y = Array.Empty<int>();

    [Params(2048, 16384)]
    public int N { get; set; }

    [Params(1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _x = PairwiseCases.Normal(rng, N * 128, 1);
        _y = PairwiseCases.Labels(rng, N, 100);
        _dx = new float[_x.Length];
        LossParallel.MaxDegreeOfParallelism = Threads == 0 ? Environment.ProcessorCount : Threads;
    }

    [Benchmark(Baseline = true)]
    public float Segments() => SegmentLosses.BatchCenters(_x, _y, _dx, 100);

    /// <summary>The same loss without segments (O(N^2 D)): measured at the smaller size only.</summary>
    [Benchmark]
    public float Pairwise() => N <= 2048 ? SegmentLosses.BatchCentersPairwise(_x, _y, _dx) : float.NaN;
}
