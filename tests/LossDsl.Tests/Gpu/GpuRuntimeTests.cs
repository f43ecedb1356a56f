using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using LossDsl.Gpu;
using LossDsl.Gpu.Internals;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Gpu;

/// <summary>A kernel ILGPU cannot compile (it allocates a managed object), to prove that a failure leaves the user's context usable.</summary>
public static class UncompilableKernel
{
    public static void Run(ArrayView<int> data)
    {
        var list = new System.Collections.Generic.List<int> { data.IntLength };
        data[0] = list.Count;
    }
}

/// <summary>
/// The GPU runtime around the generated kernels: a kernel that fails to compile does not poison the user's ILGPU
/// context, kernels are cached per accelerator, and wrong views (length, accelerator, overlap, warp size) are
/// exceptions that name the parameter.
/// </summary>
[Collection("Gpu")]
public class GpuRuntimeTests
{
    private readonly GpuFixture _gpu;

    public GpuRuntimeTests(GpuFixture gpu) => _gpu = gpu;

    private static float[] Normal(int n, int seed) => LossCheck.Normal(new Random(seed), n);

    /// <summary>BCE with logits through the GPU kernels on <paramref name="accelerator"/>, and the CPU kernel's loss.</summary>
    private static (float Gpu, float Cpu, float[] GpuGradient, float[] CpuGradient) Bce(Accelerator accelerator, int n)
    {
        float[] x = Normal(n, 1), y = LossCheck.Bits(new Random(2), n);
        var cpuGradient = new float[n];
        float cpu = ClassicLosses.BceWithLogits(x, y, cpuGradient);
        using var stream = accelerator.CreateStream();
        using var dx = accelerator.Allocate1D<float>(n);
        using var dxv = accelerator.Allocate1D(x);
        using var dyv = accelerator.Allocate1D(y);
        float gpu = ClassicLosses.BceWithLogits(stream, dxv.View, dyv.View, dx.View);
        return (gpu, cpu, dx.GetAsArray1D(), cpuGradient);
    }

    [Fact]
    public void AKernelThatFailsToCompileLeavesTheUsersContextUsable()
    {
        Assert.True(LossGpu.ValidateKernels);
        using var data = _gpu.Cpu.Allocate1D<int>(4);

        // Compiled first in a private context: the failure names the kernel and never reaches the user's context.
        var failure = Assert.Throws<GpuKernelException>(() => GpuKernels.Load<ArrayView<int>>(_gpu.Cpu, UncompilableKernel.Run));
        Assert.Contains(nameof(UncompilableKernel), failure.Message);
        Assert.NotNull(failure.InnerException);
        // The same again: it is not cached as loaded, and fails the same way.
        Assert.Throws<GpuKernelException>(() => GpuKernels.Load<ArrayView<int>>(_gpu.Cpu, UncompilableKernel.Run));

        // The user's context still compiles and runs kernels: forget the loaded ones, so that they compile again.
        LossGpu.ForgetKernels(_gpu.Cpu);
        var (gpu, cpu, gpuGradient, cpuGradient) = Bce(_gpu.Cpu, 1000);
        Assert.True(Math.Abs(gpu - cpu) <= 1e-5 * Math.Abs(cpu), $"GPU {gpu:R}, CPU {cpu:R}");
        for (int i = 0; i < cpuGradient.Length; i++) Assert.True(Math.Abs(gpuGradient[i] - cpuGradient[i]) <= 1e-6f, $"dx[{i}]");

        // And a new accelerator of the same context too.
        using var second = _gpu.Context.CreateCPUAccelerator(0);
        var again = Bce(second, 77);
        Assert.True(Math.Abs(again.Gpu - again.Cpu) <= 1e-5 * Math.Abs(again.Cpu), $"GPU {again.Gpu:R}, CPU {again.Cpu:R}");
    }

    [Fact]
    public void WithoutValidationTheFailureIsStillAGpuKernelException()
    {
        // A separate context: without the private compilation, the failed compile happens in this one.
        using var context = LossGpu.CreateContext(b => b.CPU(CPUDevice.Nvidia));
        using var accelerator = context.CreateCPUAccelerator(0);
        LossGpu.ValidateKernels = false;
        try
        {
            var failure = Assert.Throws<GpuKernelException>(() => GpuKernels.Load<ArrayView<int>>(accelerator, UncompilableKernel.Run));
            Assert.Contains(accelerator.Name, failure.Message);
        }
        finally
        {
            LossGpu.ValidateKernels = true;
        }
    }

    [Fact]
    public void KernelsAreLoadedOncePerAccelerator()
    {
        Bce(_gpu.Cpu, 100);
        var first = GpuKernels.Load<ClassicLossesArgs>(_gpu.Cpu, ClassicLossesArgs.Kernel);
        var second = GpuKernels.Load<ClassicLossesArgs>(_gpu.Cpu, ClassicLossesArgs.Kernel);
        Assert.Same(first, second);
        using var other = _gpu.Context.CreateCPUAccelerator(0);
        Assert.NotSame(first, GpuKernels.Load<ClassicLossesArgs>(other, ClassicLossesArgs.Kernel));
    }

    [Fact]
    public void WrongViewsAreExceptionsThatNameTheParameter()
    {
        var accelerator = _gpu.Cpu;
        using var stream = accelerator.CreateStream();
        using var x = accelerator.Allocate1D(Normal(64, 3));
        using var y = accelerator.Allocate1D(LossCheck.Bits(new Random(4), 64));
        using var shortY = accelerator.Allocate1D<float>(63);
        using var dx = accelerator.Allocate1D<float>(64);
        using var shortDx = accelerator.Allocate1D<float>(65);
        dx.MemSetToZero();

        Assert.Equal("y", Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(stream, x.View, shortY.View, dx.View)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(stream, x.View, y.View, shortDx.View)).ParamName);
        // A gradient that shares memory with an input, or a part of it.
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(stream, x.View, y.View, x.View)).ParamName);
        using var both = accelerator.Allocate1D<float>(100);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() =>
            ClassicLosses.BceWithLogits(stream, x.View, both.View.SubView(0, 64), both.View.SubView(36, 64))).ParamName);
        // An empty device loss view.
        Assert.Equal("loss", Assert.Throws<ArgumentException>(() =>
            ClassicLosses.BceWithLogitsToDevice(stream, both.View.SubView(0, 0), x.View, y.View, dx.View)).ParamName);

        // A view of another accelerator.
        using var other = _gpu.Context.CreateCPUAccelerator(0);
        using var elsewhere = other.Allocate1D(Normal(64, 5));
        var wrong = Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(stream, elsewhere.View, y.View, dx.View));
        Assert.Equal("x", wrong.ParamName);
        Assert.Contains("not on the stream's accelerator", wrong.Message);

        // Labels: the int views are checked the same way.
        using var logits = accelerator.Allocate1D(Normal(3 * 10, 6));
        using var labels = accelerator.Allocate1D(new[] { 1, 2, 3, 4 });
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => ClassicLosses.SoftmaxCrossEntropy(stream, logits.View, labels.View)).ParamName);

        // Nothing above was written: the gradient views still hold what they held (zeros).
        Assert.All(dx.GetAsArray1D(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AcceleratorsWithoutThirtyTwoLaneWarpsAreRefused()
    {
        using var context = LossGpu.CreateContext(b => b.CPU(CPUDevice.Default));
        using var accelerator = context.CreateCPUAccelerator(0);
        Assert.NotEqual(32, accelerator.WarpSize);
        using var stream = accelerator.CreateStream();
        using var x = accelerator.Allocate1D(Normal(8, 7));
        var refused = Assert.Throws<NotSupportedException>(() => ClassicLosses.BceWithLogits(stream, x.View, x.View));
        Assert.Contains("32", refused.Message);
    }

    [Theory]
    [InlineData(33, 16)]    // tiles of 64 columns staged in shared memory, one partial tile
    [InlineData(5, 8200)]   // rows too long for a tile: the sweep reads device memory
    public void PairSpaceSweepsMatchTheCpuKernelStagedOrNot(int m, int dim)
    {
        Assert.Equal(64, GpuReduce.TileColumns(16));
        Assert.Equal(0, GpuReduce.TileColumns(8200));
        var rng = new Random(m + dim);
        float[] x = LossCheck.Normal(rng, m * dim, 0.05), y = LossCheck.Normal(rng, m * dim, 0.05), t = { 2.3f }, b = { -10f };
        float[] dx = new float[x.Length], dy = new float[y.Length], dt = new float[1], db = new float[1];
        float cpu = PairwiseLosses.SigLip(x, y, t, b, dx, dy, dt, db, dim);

        var accelerator = _gpu.Cpu;
        using var stream = accelerator.CreateStream();
        using var gx = accelerator.Allocate1D(x);
        using var gy = accelerator.Allocate1D(y);
        using var gt = accelerator.Allocate1D(t);
        using var gb = accelerator.Allocate1D(b);
        using var gdx = accelerator.Allocate1D<float>(x.Length);
        using var gdy = accelerator.Allocate1D<float>(y.Length);
        using var gdt = accelerator.Allocate1D<float>(1);
        using var gdb = accelerator.Allocate1D<float>(1);
        float gpu = PairwiseLosses.SigLip(stream, gx.View, gy.View, gt.View, gb.View, gdx.View, gdy.View, gdt.View, gdb.View, dim);

        Assert.True(Math.Abs(gpu - cpu) <= 1e-5 * Math.Abs(cpu), $"GPU {gpu:R}, CPU {cpu:R}");
        foreach (var (name, expected, actual) in new[] { ("dx", dx, gdx.GetAsArray1D()), ("dy", dy, gdy.GetAsArray1D()), ("dt", dt, gdt.GetAsArray1D()), ("db", db, gdb.GetAsArray1D()) })
        {
            double max = expected.Max(v => Math.Abs((double)v));
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 2e-4 * Math.Abs(expected[i]) + 2e-5 * max + 1e-9, $"{name}[{i}]: GPU {actual[i]:R}, CPU {expected[i]:R}");
        }
    }

    [Fact]
    public void EmptyInputsGiveTheCpuKernelsResult()
    {
        using var stream = _gpu.Cpu.CreateStream();
        using var none = _gpu.Cpu.Allocate1D<float>(1);
        var empty = none.View.SubView(0, 0);
        float cpu = ClassicLosses.BceWithLogits(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty);
        float gpu = ClassicLosses.BceWithLogits(stream, empty, empty, empty);
        Assert.Equal(float.IsNaN(cpu), float.IsNaN(gpu));
        if (!float.IsNaN(cpu)) Assert.Equal(cpu, gpu);
    }
}

/// <summary>A trivial kernel, to observe the per-accelerator cache.</summary>
public struct ClassicLossesArgs
{
    public ArrayView<float> Data;

    public static void Kernel(ClassicLossesArgs a)
    {
        if (Grid.GlobalIndex.X < a.Data.Length) a.Data[Grid.GlobalIndex.X] = 1f;
    }
}
