using System;
using BenchmarkDotNet.Attributes;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// Ranked sums (docs/language.md §6.10): the Cox partial likelihood, whose risk sets are sums over the rows that lasted
/// at least as long, forward + backward, as a filtered sum (sorted once, O(N log N)) and written as a product with the
/// comparison (the form the rule does not see: every row sums over all rows, O(N²)). The Lovász hinge is the library's
/// (LossDsl.Losses.Structured.LovaszHinge, in PairwiseCases).
/// </summary>
public static partial class RankedLosses
{
    [GeneratedLoss("mean[i | ev[i] > 0](log(sum[j | t[j] >= t[i]](exp(eta[j]))) - eta[i])")]
    public static partial float Cox(ReadOnlySpan<float> eta, ReadOnlySpan<float> t, ReadOnlySpan<float> ev, Span<float> deta);

    [GeneratedLoss("mean[i | ev[i] > 0](log(sum[j](exp(eta[j]) * (t[j] >= t[i]))) - eta[i])")]
    public static partial float CoxDense(ReadOnlySpan<float> eta, ReadOnlySpan<float> t, ReadOnlySpan<float> ev, Span<float> deta);
}

/// <summary>The Cox loss at N rows (continuous times, 60% events), sorted and dense.</summary>
public class RankedBenchmarks
{
    private float[] _eta = Array.Empty<float>(), _t = Array.Empty<float>(), _ev = Array.Empty<float>(), _deta = Array.Empty<float>();

    [Params(4096, 65536)]
    public int N { get; set; }

    [Params(1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_eta, _t, _ev) = PairwiseCases.Survival(new Random(7), N);
        _deta = new float[N];
        LossParallel.MaxDegreeOfParallelism = Threads == 0 ? Environment.ProcessorCount : Threads;
    }

    [Benchmark(Baseline = true)]
    public float Sorted() => RankedLosses.Cox(_eta, _t, _ev, _deta);

    /// <summary>The same loss without the rule (O(N²)): measured at the smaller size only.</summary>
    [Benchmark]
    public float Dense() => N <= 4096 ? RankedLosses.CoxDense(_eta, _t, _ev, _deta) : float.NaN;
}
