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
using LossDsl.Tests.Language;
using LossDsl.Tests.Outputs;
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
/// Every sample loss, and every loss with outputs (docs/language.md §2.4), through its generated GPU kernels, on ILGPU's
/// CPU accelerator (32-lane warps, as CUDA; slow, so the sizes are small), against the CPU kernel on the same inputs:
/// the loss within 1e-5 relative (plus 1e-6), every element of a gradient or an output within 2e-4 of its value plus
/// 2e-5 of the span's largest element (float rounding in a different order: a warp's butterfly and a group's tree
/// instead of SIMD lanes), both GPU calls identical to the bit, the interpreter's loss, gradients and outputs within
/// the kernel tests' tolerances, the device-value overload equal to the host one, and the forward overload of a loss
/// with outputs writing them too. The same on CUDA when the machine has a CUDA device.
/// </summary>
[Collection("Gpu")]
public class GpuKernelTests
{
    private readonly GpuFixture _gpu;
    private readonly ITestOutputHelper _output;

    public GpuKernelTests(GpuFixture gpu, ITestOutputHelper output) { _gpu = gpu; _output = output; }

    /// <summary>
    /// A loss, its inputs at a size, the sizes to run on the GPU, the length of each output on given inputs (none: no
    /// outputs), and the sizes up to which the interpreter checks it too (slow on pair spaces).
    /// </summary>
    public sealed record Case(Type Type, string Method, Func<Random, int, Dictionary<string, object>> Inputs, int[] Sizes,
        Func<Dictionary<string, object>, IReadOnlyDictionary<string, int>>? OutputLengths = null, int InterpreterSizes = int.MaxValue)
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
        // A gather from an indexed binding and extent(c) (docs/language.md §4.4, §7).
        foreach (var (method, inputs) in FrontEndFeatureTests.GpuCases())
            yield return new object[] { new Case(typeof(FrontEndLosses), method, inputs, new[] { 3, 40 }) };
        // Gathers whose gradient is a scatter: into the row a warp owns (lane 0, after a warp barrier), into elements
        // every row shares (one thread, in order), and into a slice owned by a feature.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.ScatterLosses), "Ntl", (r, n) => LossDsl.Tests.Language.ScatterGradientTests.NtlInputs(r, n, 40), new[] { 5, 70 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.ScatterLosses), "ClassWeight", (r, n) => LossDsl.Tests.Language.ScatterGradientTests.ClassWeightInputs(r, n, 7), new[] { 5, 300 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.ScatterLosses), "Centers", (r, n) => LossDsl.Tests.Language.ScatterGradientTests.CentersInputs(r, n, 9, 12), new[] { 5, 70 }) };
        // Segment reductions (docs/language.md §6.9): zeros, then one thread scattering each element into its key.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SegmentLosses), "BatchCenters", (r, n) => LossDsl.Tests.Language.SegmentTests.CenterInputs(r, n, 5, 4), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SegmentLosses), "WorstGroup", (r, n) => LossDsl.Tests.Language.SegmentTests.GroupInputs(r, n, 3), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SegmentLosses), "CellSizes", (r, n) => LossDsl.Tests.Language.SegmentTests.CellInputs(r, n, 3, 2), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SegmentLosses), "ClassRanges", (r, n) => LossDsl.Tests.Language.SegmentTests.RangeInputs(r, n, 3, 4), new[] { 3, 40 }) };
        // Ranked sums (docs/language.md §6.10): elements, a thread per batch point sorting them, lookups.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RankedLosses), "Cox", LossDsl.Tests.Language.RankedSumTests.CoxInputs, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RankedLosses), "EarthMover", (r, n) => LossDsl.Tests.Language.RankedSumTests.EarthMoverInputs(r, n, 6), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Losses.Structured), "LovaszHinge", (r, n) => LossDsl.Tests.Language.RankedSumTests.LovaszInputs(r, 2, n, ties: true), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RankedLosses), "Thresholds", (r, n) => LossDsl.Tests.Language.RankedSumTests.ThresholdInputs(r, n, 5), new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RankedLosses), "Orders", LossDsl.Tests.Language.RankedSumTests.OrderInputs, new[] { 3, 40 }) };
        // Windows (docs/language.md §6.7): SSIM, a window inside a window, an opening, strided pooling, a projection.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.WindowLosses), "Ssim", (r, n) => LossDsl.Tests.Language.WindowTests.SsimInputs(r, n, 9, 2), new[] { 3, 20 }, InterpreterSizes: 3) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.WindowLosses), "LocalVariance", (r, n) => LossDsl.Tests.Language.WindowTests.VarianceInputs(r, n, 7, 1), new[] { 3, 20 }, InterpreterSizes: 3) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.WindowLosses), "Opening", (r, n) => LossDsl.Tests.Language.WindowTests.OpeningInputs(r, n, 6), new[] { 3, 20 }, InterpreterSizes: 3) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.WindowLosses), "MaxPoolFirst", (r, n) => LossDsl.Tests.Language.WindowTests.PoolInputs(r, n, 5, 2), new[] { 3, 20 }, InterpreterSizes: 3) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.WindowLosses), "Projection", (r, n) => LossDsl.Tests.Language.WindowTests.ProjectionInputs(r, 4, n, 6), new[] { 3, 20 }) };
        // The functions cos, sin, acos, asinh, atanh, log1mexp; max and min with each tie rule; empty reductions.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.BuiltinFunctionLosses), nameof(LossDsl.Tests.Language.BuiltinFunctionLosses.All),
            (r, n) => new() { ["x"] = LossCheck.Normal(r, n, 1.5) }, new[] { 7, 65 }) };
        foreach (var method in new[] { "MaxPool", "MaxPoolFirst", "MaxPoolAll", "MinPool" })
            yield return new object[] { new Case(typeof(LossDsl.Tests.Language.TieLosses), method,
                (r, n) => new() { ["x"] = Enumerable.Range(0, n * 19).Select(_ => (float)r.Next(4)).ToArray(), ["w"] = LossCheck.Normal(r, n) }, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.TieLosses), "ErodeDilate",
            (r, n) => new() { ["x"] = Enumerable.Range(0, n * 15).Select(_ => (float)r.Next(3)).ToArray(), ["w"] = LossCheck.Normal(r, n), ["nc"] = 5, ["nk"] = 3 }, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.TieLosses), "RowsWithEmpty",
            (r, n) => new() { ["x"] = LossCheck.Normal(r, n * 21), ["m"] = Enumerable.Range(0, n * 21).Select(k => k / 21 % 2 == 1 ? 0f : r.Next(2)).ToArray(), ["nc"] = 21 },
            new[] { 3, 40 }) };
        // Selections: a radix select of counts per row (each tie rule), filtered with an empty value, global, in a pair space.
        foreach (var method in new[] { "KthRows", "KthRowsFirst", "MedianRows" })
            yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SelectionLosses), method,
                (r, n) => new() { ["x"] = Enumerable.Range(0, n * 19).Select(_ => (float)r.Next(5)).ToArray(), ["w"] = LossCheck.Normal(r, n) }, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SelectionLosses), "QuantileRows",
            (r, n) => new() { ["x"] = LossCheck.Normal(r, n * 19), ["w"] = LossCheck.Normal(r, n), ["level"] = 0.3f }, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SelectionLosses), "MedianFilteredEmpty",
            (r, n) => new() { ["x"] = LossCheck.Normal(r, n * 9), ["m"] = Enumerable.Range(0, n * 9).Select(k => k / 9 % 2 == 1 ? 0f : r.Next(2)).ToArray(),
                ["w"] = LossCheck.Normal(r, n), ["nc"] = 9 }, new[] { 3, 40 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SelectionLosses), "Global",
            (r, n) => new() { ["x"] = Enumerable.Range(0, n).Select(_ => (float)r.Next(30)).ToArray() }, new[] { 7, 300 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.SelectionLosses), "PairMedian",
            (r, n) => new() { ["x"] = LossCheck.Normal(r, n * 4), ["dim"] = 4 }, new[] { 5, 40 }) };
        // Repeat blocks (docs/language.md §7.2): a pass per stage and per adjoint, each stored into a buffer.
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RepeatLosses), "Sinkhorn", LossDsl.Tests.Language.RepeatTests.SinkhornInputs, new[] { 2, 13 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RepeatLosses), "NewtonSchulz", LossDsl.Tests.Language.RepeatTests.NewtonSchulzInputs, new[] { 3, 9 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RepeatLosses), "PowerIteration", LossDsl.Tests.Language.RepeatTests.PowerInputs, new[] { 2, 21 }) };
        yield return new object[] { new Case(typeof(LossDsl.Tests.Language.RepeatLosses), "Gathered", LossDsl.Tests.Language.RepeatTests.GatheredInputs, new[] { 3, 40 },
            inputs => new Dictionary<string, int> { ["u"] = ((float[])inputs["x"]).Length }) };
        foreach (var c in OutputTests.Cases)
        {
            var sizes = c.Sizes.Where(s => s > 0).ToArray();
            yield return new object[]
            {
                new Case(c.Type, c.Method, c.Inputs, new[] { sizes[Math.Min(1, sizes.Length - 1)], sizes[^1] }.Distinct().ToArray(), inputs => c.OutputLengths(inputs), c.InterpreterSizes),
            };
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void GpuKernelsMatchTheCpuKernelOnTheCpuAccelerator(Case c) => Check(c, _gpu.Cpu);

    [CudaTheory]
    [MemberData(nameof(AllCases))]
    public void GpuKernelsMatchTheCpuKernelOnCuda(Case c) => Check(c, _gpu.Cuda!);

    /// <summary>
    /// <c>LOSSDSL_GPU_ONLY=Cox,Orders</c> checks only the cases whose method is named (the theory is one test, its cases
    /// not serializable, and the CPU accelerator takes minutes over all of them); unset in CI.
    /// </summary>
    private static readonly HashSet<string>? s_only = Environment.GetEnvironmentVariable("LOSSDSL_GPU_ONLY") is { Length: > 0 } only
        ? new HashSet<string>(only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : null;

    private void Check(Case c, Accelerator accelerator)
    {
        if (s_only is not null && !s_only.Contains(c.Method)) return;
        var cpuMethod = LossInvoker.Find(c.Type, c.Method);
        var gpuMethod = GpuOverload(c.Type, c.Method, cpuMethod);
        var rng = new Random(c.Method.Length * 101 + 7);
        using var stream = accelerator.CreateStream();
        foreach (int n in c.Sizes)
        {
            var inputs = c.Inputs(rng, n);
            var lengths = c.OutputLengths?.Invoke(inputs);
            var cpuArgs = LossCheck.KernelArguments(cpuMethod, inputs, lengths);
            float cpuLoss = LossInvoker.For(cpuMethod).Invoke(cpuArgs);

            var watch = Stopwatch.StartNew();
            var (loss, spans) = RunGpu(gpuMethod, cpuMethod, inputs, lengths, accelerator, stream);
            _output.WriteLine($"{c} at {n}: first GPU call {watch.ElapsedMilliseconds} ms");
            var (again, spansAgain) = RunGpu(gpuMethod, cpuMethod, inputs, lengths, accelerator, stream);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(again));

            string label = $"{c} at size {n} on {accelerator.AcceleratorType}";
            AssertLossClose(loss, cpuLoss, label);
            var ps = cpuMethod.GetParameters();
            for (int k = 0; k < ps.Length; k++)
            {
                if (ps[k].ParameterType != typeof(Span<float>)) continue;
                Assert.Equal(spans[ps[k].Name!], spansAgain[ps[k].Name!]);
                AssertSpanClose(spans[ps[k].Name!], (float[])cpuArgs[k], $"{label}: {ps[k].Name}");
            }

            // The interpreter, a second oracle (it shares only the front end with the kernels).
            if (n <= c.InterpreterSizes)
            {
                var interpreter = LossExpression.Parse(LossInvoker.ExpressionOf(cpuMethod), LossInvoker.Declarations(cpuMethod))
                    .EvaluateWithGradients(LossCheck.InterpreterArguments(cpuMethod, cpuArgs));
                LossCheck.AssertClose(loss, interpreter.Loss, $"{label}: GPU loss against the interpreter");
                foreach (var (name, gpu) in spans)
                {
                    var expected = interpreter.Gradients.TryGetValue(name, out var gradient) ? gradient : interpreter.Outputs[name];
                    LossCheck.AssertGradientClose(gpu, expected, $"{label}: GPU {name} against the interpreter");
                }
            }

            // The device-value overload: the same loss, written into a view, without waiting on the host.
            float device = RunToDevice(c.Type, c.Method, cpuMethod, inputs, lengths, accelerator, stream);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(device));

            // The forward overload of a loss with outputs and gradients (every parameter but the gradients) writes the
            // outputs too, from the forward plan.
            if (lengths is { Count: > 0 } && OutputTests.ForwardOverload(cpuMethod) is { } cpuForward)
            {
                var (forwardLoss, forwardSpans) = RunGpu(GpuOverload(c.Type, c.Method, cpuForward), cpuForward, inputs, lengths, accelerator, stream);
                AssertLossClose(forwardLoss, cpuLoss, label + " (forward)");
                Assert.Equal(lengths.Keys.Order(StringComparer.Ordinal), forwardSpans.Keys.Order(StringComparer.Ordinal));
                for (int k = 0; k < ps.Length; k++)
                    if (forwardSpans.TryGetValue(ps[k].Name!, out var output)) AssertSpanClose(output, (float[])cpuArgs[k], $"{label}: {ps[k].Name} (forward)");
            }
        }
    }

    /// <summary>Output views are checked like the gradients: their lengths, and memory shared with an input, a gradient or another output.</summary>
    [Fact]
    public void OutputViewsAreCheckedForLengthAndOverlap()
    {
        var accelerator = _gpu.Cpu;
        using var stream = accelerator.CreateStream();
        using var z = accelerator.Allocate1D<float>(12);
        using var y = accelerator.Allocate1D<int>(3);
        using var dz = accelerator.Allocate1D<float>(12);
        using var outputs = accelerator.Allocate1D<float>(8);
        z.MemSetToZero();
        y.MemSetToZero();
        ArrayView<float> el2n = outputs.View.SubView(0, 3), accuracy = outputs.View.SubView(3, 1);

        var length = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, dz.View, outputs.View.SubView(0, 4), accuracy));
        Assert.Equal("el2n", length.ParamName);
        Assert.Contains("The output 'el2n' has length 4 but its shape [n_i] needs 3 elements", length.Message);
        var scalar = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, el2n, outputs.View.SubView(3, 2)));
        Assert.Equal("accuracy", scalar.ParamName);
        Assert.Contains("it holds one value", scalar.Message);

        var gradient = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, dz.View, dz.View.SubView(0, 3), accuracy));
        Assert.Equal("el2n", gradient.ParamName);
        Assert.Contains("overlaps 'dz'", gradient.Message);
        var input = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, el2n, z.View.SubView(11, 1)));
        Assert.Equal("accuracy", input.ParamName);
        Assert.Contains("overlaps 'z'", input.Message);
        var output = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, dz.View, el2n, outputs.View.SubView(2, 1)));
        Assert.Equal("accuracy", output.ParamName);
        Assert.Contains("overlaps 'el2n'", output.Message);

        // Views of their own run: every element written (ln 4 per row of zero logits; every label ties, so accuracy 1).
        float loss = LossDsl.Samples.PerSampleLosses.CrossEntropyEl2n(stream, z.View, y.View, dz.View, el2n, accuracy);
        Assert.Equal(MathF.Log(4), loss, 1e-6f);
        var values = outputs.GetAsArray1D();
        for (int i = 0; i < 3; i++) Assert.Equal(MathF.Sqrt(0.75f * 0.75f + 3 * 0.25f * 0.25f), values[i], 1e-6f);
        Assert.Equal(1f, values[3]);
    }

    private static void AssertLossClose(float gpu, float cpu, string label) =>
        Assert.True(Math.Abs(gpu - cpu) <= 1e-5 * Math.Abs(cpu) + 1e-6 || (float.IsNaN(gpu) && float.IsNaN(cpu)), $"{label}: GPU loss {gpu:R}, CPU loss {cpu:R}");

    /// <summary>A gradient or an output: every element within 2e-4 of its CPU value plus 2e-5 of the span's largest.</summary>
    private static void AssertSpanClose(float[] gpu, float[] cpu, string what)
    {
        Assert.Equal(cpu.Length, gpu.Length);
        double max = cpu.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
        for (int e = 0; e < cpu.Length; e++)
            Assert.True(Math.Abs(gpu[e] - cpu[e]) <= 2e-4 * Math.Abs(cpu[e]) + 2e-5 * max + 1e-7,
                $"{what}[{e}] GPU {gpu[e]:R}, CPU {cpu[e]:R} (max {max:E2})");
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

    /// <summary>Runs a GPU overload on fresh device memory; returns the loss and every span it wrote (gradients and outputs), by name.</summary>
    private static (float Loss, Dictionary<string, float[]> Spans) RunGpu(MethodInfo gpu, MethodInfo cpu, Dictionary<string, object> inputs,
        IReadOnlyDictionary<string, int>? outputLengths, Accelerator accelerator, AcceleratorStream stream)
    {
        var cpuArgs = LossCheck.KernelArguments(cpu, inputs, outputLengths);
        var buffers = new List<MemoryBuffer>();
        try
        {
            var args = new List<object> { stream };
            var spans = new Dictionary<string, (MemoryBuffer1D<float, Stride1D.Dense> Buffer, int Length)>();
            var ps = cpu.GetParameters();
            for (int k = 0; k < ps.Length; k++)
                args.Add(ToDevice(ps[k], cpuArgs[k], accelerator, buffers, spans));
            float loss = (float)gpu.Invoke(null, args.ToArray())!;
            return (loss, spans.ToDictionary(kv => kv.Key, kv => kv.Value.Buffer.GetAsArray1D()[..kv.Value.Length]));
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    /// <summary>
    /// Runs the <c>ToDevice</c> overload with the CPU method's parameters (and the upstream gradient 1 when it has
    /// gradients: a loss without them has only the forward one); returns the loss it wrote into a view.
    /// </summary>
    private static float RunToDevice(Type type, string name, MethodInfo cpu, Dictionary<string, object> inputs, IReadOnlyDictionary<string, int>? outputLengths,
        Accelerator accelerator, AcceleratorStream stream)
    {
        var views = cpu.GetParameters().Select(p => GpuType(p.ParameterType)).ToList();
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name + "ToDevice" && m.GetParameters().Skip(2).Take(views.Count).Select(p => p.ParameterType).SequenceEqual(views)
                && m.GetParameters().Length <= views.Count + 3);
        bool upstream = method.GetParameters().Length == views.Count + 3;
        var cpuArgs = LossCheck.KernelArguments(cpu, inputs, outputLengths);
        var buffers = new List<MemoryBuffer>();
        try
        {
            using var loss = accelerator.Allocate1D<float>(1);
            var args = new List<object> { stream, (ArrayView<float>)loss.View };
            var ps = cpu.GetParameters();
            for (int k = 0; k < ps.Length; k++)
                args.Add(ToDevice(ps[k], cpuArgs[k], accelerator, buffers, new Dictionary<string, (MemoryBuffer1D<float, Stride1D.Dense> Buffer, int Length)>()));
            if (upstream) args.Add(1f);
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
        Dictionary<string, (MemoryBuffer1D<float, Stride1D.Dense> Buffer, int Length)> spans)
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
                    spans[p.Name!] = (buffer, floats.Length);
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
