using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using ILGPU;
using ILGPU.Runtime;
using LossDsl.Samples;

namespace LossDsl.GpuBenchmarks;

/// <summary>
/// One timed case: a sample loss at a size, its inputs on the device, and the minimal bytes a fused forward + backward
/// must move (each input read once, each gradient written once).
/// </summary>
public sealed class GpuCase
{
    /// <summary>The short name used on the command line and by the PyTorch peer (benchmarks/peers/gpu_peers.py).</summary>
    public required string Name { get; init; }

    /// <summary>What is measured, with its sizes.</summary>
    public required string Title { get; init; }

    /// <summary>Allocates the inputs on the accelerator and returns the runs of the loss.</summary>
    public required Func<Accelerator, CaseBuffers> Setup { get; init; }
}

/// <summary>
/// A case's device buffers and the calls on them: <see cref="Enqueue"/> enqueues forward + backward with the loss
/// written to a device view (timed), <see cref="Host"/> runs it and returns the loss (checked), <see cref="Check"/>
/// compares the device results with the CPU kernel on the same inputs.
/// </summary>
public sealed class CaseBuffers : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = new();

    public required long MinimalBytes { get; init; }
    public required Action<AcceleratorStream> Enqueue { get; init; }
    public required Func<AcceleratorStream, float> Host { get; init; }
    public required Func<float, CheckResult> Check { get; init; }

    public void Own(params MemoryBuffer[] buffers) => _buffers.AddRange(buffers);

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
    }
}

/// <summary>The GPU loss against the CPU kernel's, and the largest gradient difference relative to the gradient's largest element.</summary>
public readonly record struct CheckResult(float GpuLoss, float CpuLoss, double GradientError)
{
    public double LossError => Math.Abs(GpuLoss - CpuLoss) / Math.Max(1e-30, Math.Abs(CpuLoss));

    /// <summary>Within float rounding of a different summation order.</summary>
    public bool Passed => (LossError <= 1e-4 || (float.IsNaN(GpuLoss) && float.IsNaN(CpuLoss))) && GradientError <= 1e-3;
}

/// <summary>The cases of the GPU-speed issue (docs/benchmarks.md), at full size or divided for a quick run.</summary>
public static class GpuCases
{
    public static IReadOnlyList<GpuCase> All(bool small)
    {
        int n = small ? 1 << 14 : 1 << 26;
        int rows = small ? 64 : 8192, classes = small ? 1000 : 32768;
        int pixels = small ? 4 * 32 * 32 : 64 * 512 * 512;
        int m = small ? 128 : 16384, dim = small ? 64 : 512;
        return new[]
        {
            Elementwise("bce", $"BCE with logits, N = {n}", n, (s, x, y, dx, loss) => ClassicLosses.BceWithLogitsToDevice(s, loss, x, y, dx),
                (s, x, y, dx) => ClassicLosses.BceWithLogits(s, x, y, dx), (x, y, dx) => ClassicLosses.BceWithLogits(x, y, dx), binaryTargets: true),
            Elementwise("focal", $"sigmoid focal, N = {n}", n, (s, x, y, dx, loss) => ClassicLosses.SigmoidFocalToDevice(s, loss, x, y, dx),
                (s, x, y, dx) => ClassicLosses.SigmoidFocal(s, x, y, dx), (x, y, dx) => ClassicLosses.SigmoidFocal(x, y, dx), binaryTargets: true),
            Elementwise("huber", $"Huber, N = {n}", n, (s, x, y, dx, loss) => RegressionLosses.HuberToDevice(s, loss, x, y, dx),
                (s, x, y, dx) => RegressionLosses.Huber(s, x, y, dx), (x, y, dx) => RegressionLosses.Huber(x, y, dx), binaryTargets: false),
            Rows("ce", $"softmax cross-entropy, {rows} x {classes}, int labels", rows, classes,
                (s, z, y, dz, loss) => ClassicLosses.SoftmaxCrossEntropyToDevice(s, loss, z, y, dz),
                (s, z, y, dz) => ClassicLosses.SoftmaxCrossEntropy(s, z, y, dz), (z, y, dz) => ClassicLosses.SoftmaxCrossEntropy(z, y, dz)),
            Rows("zloss", $"cross-entropy + PaLM z-loss, {rows} x {classes}", rows, classes,
                (s, z, y, dz, loss) => MulticlassLosses.CrossEntropyZLossToDevice(s, loss, z, y, dz),
                (s, z, y, dz) => MulticlassLosses.CrossEntropyZLoss(s, z, y, dz), (z, y, dz) => MulticlassLosses.CrossEntropyZLoss(z, y, dz)),
            Elementwise("dice", $"soft Dice on sigmoid, {pixels} pixels", pixels, (s, x, g, dx, loss) => SegmentationLosses.SoftDiceToDevice(s, loss, x, g, dx),
                (s, x, g, dx) => SegmentationLosses.SoftDice(s, x, g, dx), (x, g, dx) => SegmentationLosses.SoftDice(x, g, dx), binaryTargets: true),
            SigLip(m, dim),
            Clip(m, dim),
        };
    }

    private delegate void Enqueue3(AcceleratorStream s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> da, ArrayView<float> loss);
    private delegate float Host3(AcceleratorStream s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> da);
    private delegate float Cpu3(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da);
    private delegate void EnqueueRows(AcceleratorStream s, ArrayView<float> z, ArrayView<int> y, ArrayView<float> dz, ArrayView<float> loss);
    private delegate float HostRows(AcceleratorStream s, ArrayView<float> z, ArrayView<int> y, ArrayView<float> dz);
    private delegate float CpuRows(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

    private static GpuCase Elementwise(string name, string title, int n, Enqueue3 enqueue, Host3 host, Cpu3 cpu, bool binaryTargets) => new()
    {
        Name = name,
        Title = title,
        Setup = accelerator =>
        {
            float[] a = Fill.Normal(n, 1, 1f), b = binaryTargets ? Fill.Bits(n, 2) : Fill.Normal(n, 2, 1f);
            var x = accelerator.Allocate1D(a);
            var y = accelerator.Allocate1D(b);
            var dx = accelerator.Allocate1D<float>(n);
            var loss = accelerator.Allocate1D<float>(1);
            var buffers = new CaseBuffers
            {
                MinimalBytes = 3L * n * sizeof(float),
                Enqueue = s => enqueue(s, x.View, y.View, dx.View, loss.View),
                Host = s => host(s, x.View, y.View, dx.View),
                Check = gpuLoss =>
                {
                    var expected = new float[n];
                    float cpuLoss = cpu(a, b, expected);
                    return new CheckResult(gpuLoss, cpuLoss, Fill.RelativeError(dx.GetAsArray1D(), expected));
                },
            };
            buffers.Own(x, y, dx, loss);
            return buffers;
        },
    };

    private static GpuCase Rows(string name, string title, int rows, int classes, EnqueueRows enqueue, HostRows host, CpuRows cpu) => new()
    {
        Name = name,
        Title = title,
        Setup = accelerator =>
        {
            long count = checked((long)rows * classes);
            float[] a = Fill.Normal(checked((int)count), 3, 2f);
            int[] labels = Fill.Labels(rows, classes, 4);
            var z = accelerator.Allocate1D(a);
            var y = accelerator.Allocate1D(labels);
            var dz = accelerator.Allocate1D<float>(count);
            var loss = accelerator.Allocate1D<float>(1);
            var buffers = new CaseBuffers
            {
                MinimalBytes = 2 * count * sizeof(float) + (long)rows * sizeof(int),
                Enqueue = s => enqueue(s, z.View, y.View, dz.View, loss.View),
                Host = s => host(s, z.View, y.View, dz.View),
                Check = gpuLoss =>
                {
                    var expected = new float[count];
                    float cpuLoss = cpu(a, labels, expected);
                    return new CheckResult(gpuLoss, cpuLoss, Fill.RelativeError(dz.GetAsArray1D(), expected));
                },
            };
            buffers.Own(z, y, dz, loss);
            return buffers;
        },
    };

    /// <summary>SigLIP (samples PairwiseLosses.SigLip) at the peer's temperature and bias: x, y ~ N(0, 0.05²), t = 2.3, b = -10.</summary>
    private static GpuCase SigLip(int m, int dim) => new()
    {
        Name = "siglip",
        Title = $"SigLIP, {m} x {dim}",
        Setup = accelerator =>
        {
            float[] hx = Fill.Normal(m * dim, 5, 0.05f), hy = Fill.Normal(m * dim, 6, 0.05f), ht = { 2.3f }, hb = { -10f };
            var x = accelerator.Allocate1D(hx); var y = accelerator.Allocate1D(hy);
            var t = accelerator.Allocate1D(ht); var b = accelerator.Allocate1D(hb);
            var dx = accelerator.Allocate1D<float>(hx.Length); var dy = accelerator.Allocate1D<float>(hy.Length);
            var dt = accelerator.Allocate1D<float>(1); var db = accelerator.Allocate1D<float>(1);
            var loss = accelerator.Allocate1D<float>(1);
            var buffers = new CaseBuffers
            {
                MinimalBytes = 4L * m * dim * sizeof(float),
                Enqueue = s => PairwiseLosses.SigLipToDevice(s, loss.View, x.View, y.View, t.View, b.View, dx.View, dy.View, dt.View, db.View, dim),
                Host = s => PairwiseLosses.SigLip(s, x.View, y.View, t.View, b.View, dx.View, dy.View, dt.View, db.View, dim),
                Check = gpuLoss =>
                {
                    float[] ex = new float[hx.Length], ey = new float[hy.Length], et = new float[1], eb = new float[1];
                    float cpuLoss = PairwiseLosses.SigLip(hx, hy, ht, hb, ex, ey, et, eb, dim);
                    double error = Math.Max(Math.Max(Fill.RelativeError(dx.GetAsArray1D(), ex), Fill.RelativeError(dy.GetAsArray1D(), ey)),
                        Math.Max(Fill.RelativeError(dt.GetAsArray1D(), et), Fill.RelativeError(db.GetAsArray1D(), eb)));
                    return new CheckResult(gpuLoss, cpuLoss, error);
                },
            };
            buffers.Own(x, y, t, b, dx, dy, dt, db, loss);
            return buffers;
        },
    };

    /// <summary>CLIP's symmetric InfoNCE (samples PairwiseLosses.Clip): x, y ~ N(0, 1), log temperature t = ln(1 / 0.07).</summary>
    private static GpuCase Clip(int m, int dim) => new()
    {
        Name = "clip",
        Title = $"CLIP InfoNCE, {m} x {dim}",
        Setup = accelerator =>
        {
            float[] hx = Fill.Normal(m * dim, 7, 1f), hy = Fill.Normal(m * dim, 8, 1f), ht = { MathF.Log(1 / 0.07f) };
            var x = accelerator.Allocate1D(hx); var y = accelerator.Allocate1D(hy); var t = accelerator.Allocate1D(ht);
            var dx = accelerator.Allocate1D<float>(hx.Length); var dy = accelerator.Allocate1D<float>(hy.Length);
            var dt = accelerator.Allocate1D<float>(1);
            var loss = accelerator.Allocate1D<float>(1);
            var buffers = new CaseBuffers
            {
                MinimalBytes = 4L * m * dim * sizeof(float),
                Enqueue = s => PairwiseLosses.ClipToDevice(s, loss.View, x.View, y.View, t.View, dx.View, dy.View, dt.View, dim),
                Host = s => PairwiseLosses.Clip(s, x.View, y.View, t.View, dx.View, dy.View, dt.View, dim),
                Check = gpuLoss =>
                {
                    float[] ex = new float[hx.Length], ey = new float[hy.Length], et = new float[1];
                    float cpuLoss = PairwiseLosses.Clip(hx, hy, ht, ex, ey, et, dim);
                    double error = Math.Max(Math.Max(Fill.RelativeError(dx.GetAsArray1D(), ex), Fill.RelativeError(dy.GetAsArray1D(), ey)),
                        Fill.RelativeError(dt.GetAsArray1D(), et));
                    return new CheckResult(gpuLoss, cpuLoss, error);
                },
            };
            buffers.Own(x, y, t, dx, dy, dt, loss);
            return buffers;
        },
    };
}

/// <summary>Deterministic inputs, filled in parallel (the full sizes are up to 2^28 elements), and the gradient comparison.</summary>
public static class Fill
{
    private const int Block = 1 << 16;

    public static float[] Normal(int n, int seed, float scale)
    {
        var a = new float[n];
        Parallel.For(0, (n + Block - 1) / Block, blk =>
        {
            var rng = new Random(seed * 7919 + blk);
            int end = Math.Min(n, (blk + 1) * Block);
            for (int i = blk * Block; i < end; i++)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                a[i] = scale * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        });
        return a;
    }

    public static float[] Bits(int n, int seed)
    {
        var a = new float[n];
        Parallel.For(0, (n + Block - 1) / Block, blk =>
        {
            var rng = new Random(seed * 7919 + blk);
            int end = Math.Min(n, (blk + 1) * Block);
            for (int i = blk * Block; i < end; i++) a[i] = rng.Next(2);
        });
        return a;
    }

    public static int[] Labels(int n, int classes, int seed)
    {
        var rng = new Random(seed);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rng.Next(classes);
        return a;
    }

    /// <summary>max |actual - expected| over max |expected| (0 when both are zero everywhere; infinity on a length mismatch or a NaN that is not matched).</summary>
    public static double RelativeError(float[] actual, float[] expected)
    {
        if (actual.Length != expected.Length) return double.PositiveInfinity;
        double max = 0, diff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]) != float.IsNaN(actual[i])) return double.PositiveInfinity;
            if (float.IsNaN(expected[i])) continue;
            max = Math.Max(max, Math.Abs(expected[i]));
            diff = Math.Max(diff, Math.Abs((double)actual[i] - expected[i]));
        }
        return max == 0 ? diff : diff / max;
    }
}
