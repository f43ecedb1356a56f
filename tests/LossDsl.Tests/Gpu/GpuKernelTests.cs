using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LossDsl.Gpu;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Pairwise;
using LossDsl.Tests.Samples;
using Xunit;
using Xunit.Abstractions;

namespace LossDsl.Tests.Gpu;

/// <summary>ILGPU's CPU accelerator with 32-lane warps (as CUDA has), shared by the GPU tests; and a CUDA accelerator when the machine has one.</summary>
public sealed class GpuFixture : IDisposable
{
    public GpuFixture()
    {
        Context = LossGpu.CreateContext(b => b.CPU(CPUDevice.Nvidia).Cuda());
        Cpu = Context.CreateCPUAccelerator(0);
        var cuda = Context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
        Cuda = cuda?.CreateAccelerator(Context);
    }

    public Context Context { get; }
    public Accelerator Cpu { get; }
    public Accelerator? Cuda { get; }

    public void Dispose()
    {
        Cuda?.Dispose();
        Cpu.Dispose();
        Context.Dispose();
    }
}

[CollectionDefinition("Gpu")]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>
{
}

/// <summary>
/// Every sample loss through its generated GPU kernels, on ILGPU's CPU accelerator (32-lane warps, as CUDA; slow, so
/// the sizes are small), against the CPU kernel on the same inputs: the loss within 1e-5 relative (plus 1e-6), every
/// gradient element within 2e-4 of its value plus 2e-5 of the gradient's largest element (float rounding in a
/// different order: a warp's butterfly and a group's tree instead of SIMD lanes), both GPU calls identical to the bit,
/// the interpreter's loss and gradients within the kernel tests' tolerances, and the device-value overload equal to the
/// host one. The same on CUDA when the machine has a CUDA device.
/// </summary>
[Collection("Gpu")]
public class GpuKernelTests
{
    private readonly GpuFixture _gpu;
    private readonly ITestOutputHelper _output;

    public GpuKernelTests(GpuFixture gpu, ITestOutputHelper output) { _gpu = gpu; _output = output; }

    /// <summary>A loss, its inputs at a size, and the sizes to run on the GPU.</summary>
    public sealed record Case(Type Type, string Method, Func<Random, int, Dictionary<string, object>> Inputs, int[] Sizes)
    {
        public override string ToString() => Type.Name + "." + Method;
    }

    public static IEnumerable<object[]> AllCases()
    {
        foreach (var c in SampleLossTests.Cases)
        {
            // Two sizes: a small one with a ragged warp, and the largest of the CPU test's (the CPU accelerator is slow).
            var sizes = c.Sizes.Where(s => s > 0).ToArray();
            yield return new object[] { new Case(c.Type, c.Method, c.Inputs, new[] { sizes[Math.Min(1, sizes.Length - 1)], sizes[^1] }.Distinct().ToArray()) };
        }
        foreach (var c in PairwiseLossTests.Cases)
            yield return new object[] { new Case(typeof(LossDsl.Samples.PairwiseLosses), c.Method, c.Inputs, new[] { 7, 65 }) };
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void GpuKernelsMatchTheCpuKernelOnTheCpuAccelerator(Case c) => Check(c, _gpu.Cpu);

    [CudaTheory]
    [MemberData(nameof(AllCases))]
    public void GpuKernelsMatchTheCpuKernelOnCuda(Case c) => Check(c, _gpu.Cuda!);

    private void Check(Case c, Accelerator accelerator)
    {
        var cpuMethod = LossInvoker.Find(c.Type, c.Method);
        var gpuMethod = GpuOverload(c.Type, c.Method, cpuMethod);
        var rng = new Random(c.Method.Length * 101 + 7);
        using var stream = accelerator.CreateStream();
        foreach (int n in c.Sizes)
        {
            var inputs = c.Inputs(rng, n);
            var cpuArgs = LossCheck.KernelArguments(cpuMethod, inputs);
            float cpuLoss = LossInvoker.For(cpuMethod).Invoke(cpuArgs);

            var watch = Stopwatch.StartNew();
            var (loss, gradients) = RunGpu(gpuMethod, cpuMethod, inputs, accelerator, stream);
            _output.WriteLine($"{c} at {n}: first GPU call {watch.ElapsedMilliseconds} ms");
            var (again, gradientsAgain) = RunGpu(gpuMethod, cpuMethod, inputs, accelerator, stream);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(again));

            string label = $"{c} at size {n} on {accelerator.AcceleratorType}";
            Assert.True(Math.Abs(loss - cpuLoss) <= 1e-5 * Math.Abs(cpuLoss) + 1e-6 || (float.IsNaN(loss) && float.IsNaN(cpuLoss)),
                $"{label}: GPU loss {loss:R}, CPU loss {cpuLoss:R}");
            var ps = cpuMethod.GetParameters();
            for (int k = 0; k < ps.Length; k++)
            {
                if (ps[k].ParameterType != typeof(Span<float>)) continue;
                var cpu = (float[])cpuArgs[k];
                var gpu = gradients[ps[k].Name!];
                Assert.Equal(gpu, gradientsAgain[ps[k].Name!]);
                double max = cpu.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
                for (int e = 0; e < cpu.Length; e++)
                    Assert.True(Math.Abs(gpu[e] - cpu[e]) <= 2e-4 * Math.Abs(cpu[e]) + 2e-5 * max + 1e-7,
                        $"{label}: {ps[k].Name}[{e}] GPU {gpu[e]:R}, CPU {cpu[e]:R} (max |{ps[k].Name}| {max:E2})");
            }

            // The interpreter, a second oracle (it shares only the front end with the kernels).
            var interpreter = LossExpression.Parse(LossInvoker.ExpressionOf(cpuMethod), LossInvoker.Declarations(cpuMethod))
                .EvaluateWithGradients(LossCheck.InterpreterArguments(cpuMethod, cpuArgs));
            LossCheck.AssertClose(loss, interpreter.Loss, $"{label}: GPU loss against the interpreter");
            foreach (var (name, gpu) in gradients)
                LossCheck.AssertGradientClose(gpu, interpreter.Gradients[name], $"{label}: GPU {name} against the interpreter");

            // The device-value overload: the same loss, written into a view, without waiting on the host.
            float device = RunToDevice(c.Type, c.Method, cpuMethod, inputs, accelerator, stream);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(device));
        }
    }

    /// <summary>The generated GPU overload that mirrors the CPU method: the stream, then views for the spans.</summary>
    private static MethodInfo GpuOverload(Type type, string name, MethodInfo cpu)
    {
        var expected = new List<Type> { typeof(AcceleratorStream) };
        expected.AddRange(cpu.GetParameters().Select(p => GpuType(p.ParameterType)));
        return type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name && m.GetParameters().Select(p => p.ParameterType).SequenceEqual(expected));
    }

    private static Type GpuType(Type t) =>
        t == typeof(ReadOnlySpan<float>) || t == typeof(Span<float>) ? typeof(ArrayView<float>)
        : t == typeof(ReadOnlySpan<int>) ? typeof(ArrayView<int>)
        : t;

    private static (float Loss, Dictionary<string, float[]> Gradients) RunGpu(MethodInfo gpu, MethodInfo cpu, Dictionary<string, object> inputs,
        Accelerator accelerator, AcceleratorStream stream)
    {
        var cpuArgs = LossCheck.KernelArguments(cpu, inputs);
        var buffers = new List<MemoryBuffer>();
        try
        {
            var args = new List<object> { stream };
            var gradients = new Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>>();
            var ps = cpu.GetParameters();
            for (int k = 0; k < ps.Length; k++)
                args.Add(ToDevice(ps[k], cpuArgs[k], accelerator, buffers, gradients));
            float loss = (float)gpu.Invoke(null, args.ToArray())!;
            return (loss, gradients.ToDictionary(kv => kv.Key, kv => kv.Value.GetAsArray1D()));
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    private static float RunToDevice(Type type, string name, MethodInfo cpu, Dictionary<string, object> inputs, Accelerator accelerator, AcceleratorStream stream)
    {
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name + "ToDevice" && m.GetParameters().Length == cpu.GetParameters().Length + 3);
        var cpuArgs = LossCheck.KernelArguments(cpu, inputs);
        var buffers = new List<MemoryBuffer>();
        try
        {
            using var loss = accelerator.Allocate1D<float>(1);
            var args = new List<object> { stream, (ArrayView<float>)loss.View };
            var ps = cpu.GetParameters();
            for (int k = 0; k < ps.Length; k++)
                args.Add(ToDevice(ps[k], cpuArgs[k], accelerator, buffers, new Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>>()));
            args.Add(1f);
            method.Invoke(null, args.ToArray());
            stream.Synchronize();
            return loss.GetAsArray1D()[0];
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    private static object ToDevice(ParameterInfo p, object value, Accelerator accelerator, List<MemoryBuffer> buffers,
        Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>> gradients)
    {
        switch (value)
        {
            case float[] floats:
            {
                var buffer = accelerator.Allocate1D<float>(Math.Max(1, floats.Length));
                buffers.Add(buffer);
                if (p.ParameterType == typeof(Span<float>))
                {
                    buffer.MemSet(0xFF); // NaN everywhere: every element must be written
                    gradients[p.Name!] = buffer;
                }
                else if (floats.Length > 0)
                {
                    buffer.View.SubView(0, floats.Length).CopyFromCPU(floats);
                }
                return (ArrayView<float>)buffer.View.SubView(0, floats.Length);
            }
            case int[] ints:
            {
                var buffer = accelerator.Allocate1D<int>(Math.Max(1, ints.Length));
                buffers.Add(buffer);
                if (ints.Length > 0) buffer.View.SubView(0, ints.Length).CopyFromCPU(ints);
                return (ArrayView<int>)buffer.View.SubView(0, ints.Length);
            }
            default:
                return value;
        }
    }
}
