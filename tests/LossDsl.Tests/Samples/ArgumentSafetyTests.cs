using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.InteropServices;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Samples;

/// <summary>
/// Run-time argument safety of the generated CPU kernels (docs/language.md §2.2, §2.4, §2.1.2): a gradient or output
/// that shares any memory with an input (of any element type), another gradient or another output is refused before
/// anything is written, whatever the offset (an exact alias too); and no size arithmetic wraps around: a shape whose
/// element count does not fit in a long fails its length check, a scratch buffer larger than an array is refused before
/// it is rented. The sizes used here fail their checks before any large allocation, so the tests run in milliseconds.
/// </summary>
public class ArgumentSafetyTests
{
    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
    }

    /// <summary>Asserts <paramref name="call"/> throws an ArgumentException naming <paramref name="written"/> and <paramref name="other"/>, and writes nothing to <paramref name="memory"/>.</summary>
    private static void AssertOverlapRefused<T>(T[] memory, string written, string other, Action call)
    {
        var before = (T[])memory.Clone();
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Equal(written, e.ParamName);
        Assert.Contains($"'{written}' overlaps '{other}'", e.Message);
        Assert.Equal(before, memory);
    }

    // ---- Overlapping gradients and outputs -------------------------------------------------------------------------

    /// <summary>The outside reproducer: a gradient shifted by one element from its input (1003 elements) gave 72 wrong gradients.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(0)]    // an exact alias
    [InlineData(1002)] // one shared element
    [InlineData(-1002)]
    public void AGradientOverlappingItsInputIsRefused(int shift)
    {
        const int n = 1003;
        var memory = Values(n + Math.Abs(shift), 1);
        var y = Values(n, 2).Select(v => v > 0 ? 1f : 0f).ToArray();
        int xAt = shift < 0 ? -shift : 0, dxAt = shift < 0 ? 0 : shift;
        AssertOverlapRefused(memory, "dx", "x", () => ClassicLosses.BceWithLogits(memory.AsSpan(xAt, n), y, memory.AsSpan(dxAt, n)));
        // The upstream overload runs the same checks.
        AssertOverlapRefused(memory, "dx", "x", () => ClassicLosses.BceWithLogits(memory.AsSpan(xAt, n), y, memory.AsSpan(dxAt, n), 2f));
    }

    [Fact]
    public void AGradientOverlappingAnotherInputIsRefused()
    {
        var x = Values(8, 3);
        var memory = Values(9, 4);
        AssertOverlapRefused(memory, "dx", "y", () => ClassicLosses.BceWithLogits(x, memory.AsSpan(0, 8), memory.AsSpan(1, 8)));
    }

    [Fact]
    public void AGradientOverlappingLabelsIsRefused()
    {
        // The labels are ints: the spans are compared as bytes. Before, only float inputs were compared.
        int rows = 4, classes = 3;
        var memory = new int[rows * classes + rows];
        for (int i = 0; i < rows; i++) memory[i] = i % classes;
        var labels = memory.AsSpan(0, rows);
        var logits = Values(rows * classes, 5);
        AssertOverlapRefused(memory, "dlogits", "labels", () => ClassicLosses.SoftmaxCrossEntropy(logits, memory.AsSpan(0, rows),
            MemoryMarshal.Cast<int, float>(memory.AsSpan(rows - 1, rows * classes))));
        AssertOverlapRefused(memory, "dlogits", "labels", () => ClassicLosses.SoftmaxCrossEntropy(logits, memory.AsSpan(0, rows),
            MemoryMarshal.Cast<int, float>(memory.AsSpan(0, rows * classes))));
        // Right after the labels: fine, and the same as in memory of its own.
        var dlogits = new float[rows * classes];
        float expected = ClassicLosses.SoftmaxCrossEntropy(logits, labels, dlogits);
        float loss = ClassicLosses.SoftmaxCrossEntropy(logits, labels, MemoryMarshal.Cast<int, float>(memory.AsSpan(rows, rows * classes)));
        Assert.Equal(expected, loss);
        Assert.Equal(dlogits, MemoryMarshal.Cast<int, float>(memory.AsSpan(rows, rows * classes)).ToArray());
    }

    [Fact]
    public void GradientsOverlappingEachOtherAreRefused()
    {
        var h = Values(2 * 4, 6);
        var w = Values(3 * 4, 7);
        var y = new[] { 0, 2 };
        var memory = new float[20];
        // dh = [0, 8), dw = [7, 19): one shared element; the later gradient is named, with the earlier one.
        AssertOverlapRefused(memory, "dw", "dh", () => PairwiseLosses.LinearCrossEntropy(h, w, y, memory.AsSpan(0, 8), memory.AsSpan(7, 12)));
        AssertOverlapRefused(memory, "dw", "dh", () => PairwiseLosses.LinearCrossEntropy(h, w, y, memory.AsSpan(0, 8), memory.AsSpan(0, 12)));
        // Disjoint neighbours in one array are accepted and give the results of separate arrays.
        var dh = new float[8];
        var dw = new float[12];
        float expected = PairwiseLosses.LinearCrossEntropy(h, w, y, dh, dw);
        Assert.Equal(expected, PairwiseLosses.LinearCrossEntropy(h, w, y, memory.AsSpan(0, 8), memory.AsSpan(8, 12)));
        Assert.Equal(dh.Concat(dw).ToArray(), memory[..20]);
    }

    [Fact]
    public void AnOutputOverlappingAnInputAGradientOrLabelsIsRefused()
    {
        int rows = 3, classes = 4;
        var logits = Values(rows * classes + 1, 8);
        var labels = new[] { 1, 0, 3 };
        var dlogits = new float[rows * classes];
        // The per-sample output over the logits (shifted), over the gradient, over the labels (as bytes).
        AssertOverlapRefused(logits, "rowLoss", "logits", () => PerSampleLosses.CrossEntropyPerSample(logits.AsSpan(1, rows * classes), labels, dlogits, logits.AsSpan(0, rows)));
        var shared = new float[rows * classes + rows];
        AssertOverlapRefused(shared, "rowLoss", "dlogits", () => PerSampleLosses.CrossEntropyPerSample(logits.AsSpan(0, rows * classes), labels, shared.AsSpan(0, rows * classes), shared.AsSpan(rows * classes - 1, rows)));
        var labelMemory = new[] { 1, 0, 3 };
        AssertOverlapRefused(labelMemory, "rowLoss", "labels", () => PerSampleLosses.CrossEntropyPerSample(logits.AsSpan(0, rows * classes), labelMemory, dlogits, MemoryMarshal.Cast<int, float>(labelMemory.AsSpan())));
        // The forward overload (no gradient) writes the output too, and checks it the same way.
        AssertOverlapRefused(logits, "rowLoss", "logits", () => PerSampleLosses.CrossEntropyPerSample(logits.AsSpan(0, rows * classes), labels, logits.AsSpan(rows * classes - 2, rows)));
        // Two outputs over one another.
        var z = Values(rows * classes, 9);
        var outputs = new float[rows + 1];
        AssertOverlapRefused(outputs, "accuracy", "el2n", () => PerSampleLosses.CrossEntropyEl2n(z, labels, dlogits, outputs.AsSpan(0, rows), outputs.AsSpan(rows - 1, 1)));
        PerSampleLosses.CrossEntropyEl2n(z, labels, dlogits, outputs.AsSpan(0, rows), outputs.AsSpan(rows, 1));
    }

    [Fact]
    public void OverlapsOfEveryElementTypeAreRefused()
    {
        // Half and BFloat16 gradients are computed in a buffer and converted after the passes, double ones in place:
        // every one must still share no memory with an input (the rule does not depend on the element type).
        const int n = 37;
        var half = Values(n + 1, 10).Select(v => (Half)v).ToArray();
        var yHalf = Values(n, 11).Select(v => (Half)(v > 0 ? 1f : 0f)).ToArray();
        AssertOverlapRefused(half, "dx", "x", () => InputTypeLosses.BceHalf(half.AsSpan(0, n), yHalf, half.AsSpan(1, n)));
        var bf = Values(n + 1, 12).Select(v => (Numerics.BFloat16)v).ToArray();
        var yBf = yHalf.Select(v => (Numerics.BFloat16)(float)v).ToArray();
        AssertOverlapRefused(bf, "dx", "x", () => InputTypeLosses.BceBFloat16(bf.AsSpan(1, n), yBf, bf.AsSpan(0, n)));
        var dbl = Values(n + 1, 13).Select(v => (double)v).ToArray();
        var yDbl = yHalf.Select(v => (double)v).ToArray();
        AssertOverlapRefused(dbl, "dx", "x", () => InputTypeLosses.BceDouble(dbl.AsSpan(0, n), yDbl, dbl.AsSpan(1, n)));
        // A gradient over long labels (compared as bytes).
        int rows = 2, classes = 3;
        var longs = new long[rows + rows * classes];
        AssertOverlapRefused(longs, "dz", "y", () => InputTypeLosses.CrossEntropyLong(Values(rows * classes, 14), longs.AsSpan(0, rows),
            MemoryMarshal.Cast<long, float>(longs.AsSpan(1, rows * classes / 2 + 1)).Slice(0, rows * classes)));
    }

    [Fact]
    public void OverlappingTensorSpansAreRefused()
    {
        const int n = 10;
        var memory = Values(n + 1, 15);
        var y = Values(n, 16).Select(v => v > 0 ? 1f : 0f).ToArray();
        AssertOverlapRefused(memory, "dx", "x", () => InputTypeLosses.BceTensor(
            new ReadOnlyTensorSpan<float>(memory.AsSpan(0, n)), new ReadOnlyTensorSpan<float>(y), new TensorSpan<float>(memory.AsSpan(1, n))));
    }

    // ---- Size arithmetic -------------------------------------------------------------------------------------------

    private const string CubeSource = """
        using System;
        using LossDsl;
        namespace SizeTests;
        public static partial class Losses
        {
            [GeneratedLoss("index i, j, k : n; sum[i, j, k](x[i, j, k]^2)")]
            public static partial float Cube(ReadOnlySpan<float> x, Span<float> dx, int n);

            [GeneratedLoss("index i, j, k, l : n; sum[i, j, k, l](x[i, j, k, l]^2)")]
            public static partial float Four(ReadOnlySpan<float> x, Span<float> dx, int n);

            [GeneratedLoss("index j, k : n; t[i, j, k] = x[i] * j * k; sum[i](x[i])")]
            public static partial float Outer(ReadOnlySpan<float> x, Span<float> t, int n);
        }
        """;

    private static readonly Lazy<Assembly> s_sizes = new(() => GeneratorHarness.CompileAndLoad(CubeSource));

    private static LossInvoker Sizes(string name) =>
        LossInvoker.For(s_sizes.Value.GetType("SizeTests.Losses")!.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == name && m.GetParameters().Length == 3));

    /// <summary>
    /// The outside reproducer: n^3 with n = 2^22 is 2^66, which wrapped to 0 in long, so an empty x passed its length
    /// check and the kernel read 2^66 elements out of bounds. n^4 with n = 2^16 is 2^64, which wraps to 0 as well.
    /// </summary>
    [Theory]
    [InlineData("Cube", 1 << 22)]
    [InlineData("Cube", 1 << 21)]         // 2^63: one past long.MaxValue
    [InlineData("Cube", int.MaxValue)]
    [InlineData("Four", 1 << 16)]
    [InlineData("Four", 1 << 17)]
    public void AShapeWhoseSizeDoesNotFitInALongFailsItsLengthCheck(string name, int n)
    {
        var e = Assert.Throws<ArgumentException>(() => Sizes(name).Invoke(Array.Empty<float>(), Array.Empty<float>(), n));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("more than", e.Message);
    }

    [Fact]
    public void ShapesThatFitStillWork()
    {
        var x = Values(27, 17);
        var dx = new float[27];
        Assert.Equal(x.Sum(v => (double)v * v), Sizes("Cube").Invoke(x, dx, 3), 3);
        for (int k = 0; k < x.Length; k++) Assert.Equal(2.0 * x[k], dx[k], 5);
        Assert.Equal(0f, Sizes("Cube").Invoke(Array.Empty<float>(), Array.Empty<float>(), 0));
        // A non-empty x of the wrong length is refused at such sizes as well.
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Sizes("Cube").Invoke(new float[8], new float[8], 1 << 22)).ParamName);
    }

    [Fact]
    public void AnOutputWhoseSizeDoesNotFitInALongIsRefused()
    {
        // t[i, j, k] has n_i * n * n elements: 4 * (2^31 - 1)^2 does not fit in a long; the output's check names it.
        var t = new float[4];
        var e = Assert.Throws<ArgumentException>(() => Sizes("Outer").Invoke(new float[] { 1, 2, 3, 4 }, t, int.MaxValue));
        Assert.Equal("t", e.ParamName);
        Assert.Contains("more than", e.Message);
        Assert.Equal(new float[4], t);
    }

    private const string SplitSource = """
        using System;
        using LossDsl;
        namespace SplitTests;
        public static partial class Losses
        {
            [GeneratedLoss("index i : n; index c : m; sum[i, c](x[0] * i * c) + max[i](min[c](x[0] + i - c))")]
            public static partial float Wide(ReadOnlySpan<float> x, int n, int m);
        }
        """;

    /// <summary>
    /// The work split: with 16384 or more inner iterations per outer one, every outer iteration is a chunk, and each
    /// chunk keeps one partial per sum of the pass. 2^31 - 1 chunks of two partials each wrapped to a negative count
    /// in int, so the partials were never grown and the chunks indexed out of them; now the count is a long, and one
    /// beyond an array is refused before the pass runs.
    /// </summary>
    [Fact]
    public void PartialSumsBeyondAnArrayAreRefusedBeforeThePassRuns()
    {
        var assembly = GeneratorHarness.CompileAndLoad(SplitSource);
        var wide = LossInvoker.For(assembly.GetType("SplitTests.Losses")!.GetMethod("Wide")!);
        var e = Assert.Throws<OutOfMemoryException>(() => wide.Invoke(new float[] { 1f }, int.MaxValue, 1 << 14));
        Assert.Contains("2147483647 chunks with 2 sums each needs more partial sums", e.Message);
        // Small extents run: sum over i < 3, c < 2 of i * c = 3; max over i of min over c of (1 + i - c) = 2.
        Assert.Equal(5f, wide.Invoke(new float[] { 1f }, 3, 2));
    }

    /// <summary>
    /// The outside reproducer: InfoNCE in double keeps its pair values [N, N] in scratch memory; at N = 46341 the count
    /// is just past an array (2^31 + 4281), at N = 65537 past 2^32. The embedding dimension is 0 here, so the inputs
    /// are tiny and the kernel fails on its size check, before renting anything.
    /// </summary>
    [Theory]
    [InlineData(46341)]
    [InlineData(65537)]
    public void APairSpaceLargerThanAnArrayIsRefusedBeforeItIsRented(int n)
    {
        var pos = new long[n];
        for (int i = 0; i < n; i++) pos[i] = (i + 1) % n;
        var e = Assert.Throws<OutOfMemoryException>(() => InputTypeLosses.InfoNceDouble(Array.Empty<double>(), pos, Array.Empty<double>()));
        Assert.Contains($"[{n}, {n}]", e.Message);
        Assert.Contains("more values than an array", e.Message);
    }
}
