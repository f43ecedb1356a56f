using System;
using BenchmarkDotNet.Attributes;
using LossDsl.Samples;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>Deterministic benchmark inputs.</summary>
public static class BenchmarkData
{
    /// <summary>Number of classes of the softmax cross-entropy benchmarks whose rows stay in L1 (see <see cref="CrossEntropyBenchmarks.ClassCounts"/>).</summary>
    public const int Classes = 1000;

    /// <summary>Standard deviation of the generated _logits.</summary>
    public const double LogitStdDev = 3.0;

    /// <summary>Logits ~ Normal(0, <see cref="LogitStdDev"/>²), by Box–Muller from a seeded <see cref="Random"/>.</summary>
    public static float[] Logits(int length, int seed)
    {
        var rng = new Random(seed);
        var result = new float[length];
        for (int i = 0; i < length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log is finite
            double u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)) * LogitStdDev;
            double theta = 2.0 * Math.PI * u2;
            result[i] = (float)(r * Math.Cos(theta));
            if (i + 1 < length)
            {
                result[i + 1] = (float)(r * Math.Sin(theta));
            }
        }

        return result;
    }

    /// <summary>Binary targets, each 0 or 1 with probability 1/2.</summary>
    public static float[] BinaryTargets(int length, int seed)
    {
        var rng = new Random(seed);
        var result = new float[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = rng.Next(2);
        }

        return result;
    }

    /// <summary>Class _labels uniform in [0, <paramref name="classes"/>).</summary>
    public static int[] Labels(int rows, int classes, int seed)
    {
        var rng = new Random(seed);
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            result[i] = rng.Next(classes);
        }

        return result;
    }
}

/// <summary>
/// Inputs shared by the elementwise binary losses: _logits, 0/1 targets and the gradient, N elements, drawn with
/// per-benchmark seeds. Derived classes add the four variants.
/// </summary>
public abstract class BinaryLossBenchmark
{
    protected float[] x = Array.Empty<float>();
    protected float[] y = Array.Empty<float>();
    protected float[] dx = Array.Empty<float>();
    protected Baselines.Workspace workspace = new(0);

    [Params(65536, 4194304, 16777216)]
    public int N { get; set; }

    /// <summary>Seed of the _logits; the targets use the next one.</summary>
    protected abstract int Seed { get; }

    [GlobalSetup]
    public void Setup()
    {
        x = BenchmarkData.Logits(N, seed: Seed);
        y = BenchmarkData.BinaryTargets(N, seed: Seed + 1);
        dx = new float[N];
        workspace = new Baselines.Workspace(N);
    }

    /// <summary>Sets how many threads the generated kernels may use (a static store; nothing is allocated).</summary>
    protected static void UseThreads(int threads) => LossParallel.MaxDegreeOfParallelism = threads;
}

/// <summary>Binary cross-entropy with _logits, mean reduction, forward + backward. N = number of elements.</summary>
public class BceBenchmarks : BinaryLossBenchmark
{
    protected override int Seed => 1;

    [Benchmark(Baseline = true)]
    public float Scalar() => Baselines.BceScalar(x, y, dx);

    [Benchmark]
    public float TensorPrimitives() => Baselines.BceTensorPrimitives(x, y, dx, workspace);

    [Benchmark]
    public float Generated1Thread()
    {
        UseThreads(1);
        return ClassicLosses.BceWithLogits(x, y, dx);
    }

    [Benchmark]
    public float GeneratedAllCores()
    {
        UseThreads(Environment.ProcessorCount);
        return ClassicLosses.BceWithLogits(x, y, dx);
    }
}

/// <summary>
/// Sigmoid focal loss (alpha = 0.25), mean reduction, forward + backward. N = number of elements. Gamma = 2 is
/// torchvision's default, for which the generated kernel's power is two multiplications (a small integral exponent);
/// gamma = 1.5 takes the general exp/log route, so both paths are measured.
/// </summary>
public class FocalBenchmarks : BinaryLossBenchmark
{
    private const float Alpha = 0.25f;

    /// <summary>The gammas measured and checked (<c>--check</c>).</summary>
    public static readonly float[] Gammas = { 2f, 1.5f };

    [ParamsSource(nameof(GammaValues))]
    public float Gamma { get; set; }

    public static float[] GammaValues() => Gammas;

    protected override int Seed => 3;

    [Benchmark(Baseline = true)]
    public float Scalar() => Baselines.FocalScalar(x, y, dx, Alpha, Gamma);

    [Benchmark]
    public float TensorPrimitives() => Baselines.FocalTensorPrimitives(x, y, dx, workspace, Alpha, Gamma);

    [Benchmark]
    public float Generated1Thread()
    {
        UseThreads(1);
        return ClassicLosses.SigmoidFocal(x, y, dx, Alpha, Gamma);
    }

    [Benchmark]
    public float GeneratedAllCores()
    {
        UseThreads(Environment.ProcessorCount);
        return ClassicLosses.SigmoidFocal(x, y, dx, Alpha, Gamma);
    }
}

/// <summary>
/// Softmax cross-entropy with integer _labels over C classes, mean over rows, forward + backward. N = total number of
/// _logits requested; the benchmark uses N / C rows (rounded down), so N - N % C _logits. C = 1000 rows (4 KB) stay in
/// L1 and take the generated kernel's two sweeps for the max and the sum of exponentials; C = 32768 rows (128 KB) take
/// its one online sweep.
/// </summary>
public class CrossEntropyBenchmarks
{
    /// <summary>The class counts measured and checked (<c>--check</c>).</summary>
    public static readonly int[] ClassCounts = { BenchmarkData.Classes, 32768 };

    [ParamsSource(nameof(ClassCountValues))]
    public int C { get; set; }

    public static int[] ClassCountValues() => ClassCounts;

    private float[] _logits = Array.Empty<float>();
    private int[] _labels = Array.Empty<int>();
    private float[] _dlogits = Array.Empty<float>();

    [Params(65536, 4194304, 16777216)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int rows = N / C;
        _logits = BenchmarkData.Logits(rows * C, seed: 5);
        _labels = BenchmarkData.Labels(rows, C, seed: 6);
        _dlogits = new float[rows * C];
    }

    [Benchmark(Baseline = true)]
    public float Scalar() => Baselines.CrossEntropyScalar(_logits, _labels, _dlogits);

    [Benchmark]
    public float TensorPrimitives() => Baselines.CrossEntropyTensorPrimitives(_logits, _labels, _dlogits);

    [Benchmark]
    public float Generated1Thread()
    {
        LossParallel.MaxDegreeOfParallelism = 1;
        return ClassicLosses.SoftmaxCrossEntropy(_logits, _labels, _dlogits);
    }

    [Benchmark]
    public float GeneratedAllCores()
    {
        LossParallel.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return ClassicLosses.SoftmaxCrossEntropy(_logits, _labels, _dlogits);
    }
}
