using System;
using BenchmarkDotNet.Attributes;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// Number Token Loss (Zausinger et al., 2025): a softmax over the logits of K number tokens gathered from a vocabulary
/// of V, whose gradient scatters back into those K columns of each row (docs/language.md §8.3). Plain softmax
/// cross-entropy over the same logits is the yardstick: both read every logit once and write every gradient element.
/// </summary>
public static partial class NtlLosses
{
    [GeneratedLoss("p[i, k] = softmax[k](z[i, idx[k]]); mean[i]((sum[k](p[i, k] * v[k]) - v[tgt[i]])^2)")]
    public static partial float Ntl(ReadOnlySpan<float> z, ReadOnlySpan<int> idx, ReadOnlySpan<float> v, ReadOnlySpan<int> tgt, Span<float> dz);

    [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])")]
    public static partial float CrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);
}

/// <summary>NTL and cross-entropy at V = 32768 and K = 10 number tokens (the digits), N rows.</summary>
public class NtlBenchmarks
{
    private float[] _z = Array.Empty<float>(), _dz = Array.Empty<float>(), _v = Array.Empty<float>();
    private int[] _idx = Array.Empty<int>(), _tgt = Array.Empty<int>(), _y = Array.Empty<int>();

    public const int Vocabulary = 32768;

    [Params(64, 512)]
    public int Rows { get; set; }

    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _z = BenchmarkData.Logits(Rows * Vocabulary, 101);
        _dz = new float[_z.Length];
        // The ten digit tokens of a tokenizer's vocabulary, spread over it.
        _idx = new int[10];
        for (int k = 0; k < _idx.Length; k++) _idx[k] = 15 + 1009 * k;
        _v = new float[_idx.Length];
        for (int k = 0; k < _v.Length; k++) _v[k] = k;
        _tgt = BenchmarkData.Labels(Rows, _idx.Length, 102);
        _y = BenchmarkData.Labels(Rows, Vocabulary, 103);
        LossParallel.MaxDegreeOfParallelism = Threads == 0 ? Environment.ProcessorCount : Threads;
    }

    [Benchmark(Baseline = true)]
    public float CrossEntropy() => NtlLosses.CrossEntropy(_z, _y, _dz);

    [Benchmark]
    public float Ntl() => NtlLosses.Ntl(_z, _idx, _v, _tgt, _dz);
}
