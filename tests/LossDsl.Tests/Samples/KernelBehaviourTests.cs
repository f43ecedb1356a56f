using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Interpretation;
using LossDsl.Samples;
using LossDsl.Simd;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Samples;

/// <summary>
/// Behaviour of the generated kernels beyond the per-loss checks: large inputs, every SIMD width, identical results
/// for any thread count, extreme logits, the generated overloads, argument validation and allocation.
/// </summary>
[Collection("LossParallel")]
public class KernelBehaviourTests
{
    [Theory]
    [InlineData(1_000_000)]
    [InlineData(1 << 20)]
    [InlineData(1_000_003)]
    public void LargeElementwiseInputsMatchTheInterpreter(int n)
    {
        var rng = new Random(n);
        var x = Normal(rng, n, 3);
        var y = Bits(rng, n);
        CompareWithInterpreter(LossInvoker.Find(typeof(ClassicLosses), nameof(ClassicLosses.BceWithLogits)), new Dictionary<string, object> { ["x"] = x, ["y"] = y }, $" (n = {n})");
        CompareWithInterpreter(LossInvoker.Find(typeof(ClassicLosses), nameof(ClassicLosses.SigmoidFocal)), new Dictionary<string, object> { ["x"] = x, ["y"] = y }, $" (n = {n})");
    }

    [Fact]
    public void LargeRowwiseInputMatchesTheInterpreter()
    {
        var rng = new Random(5);
        int rows = 2048, classes = 1000;
        var inputs = new Dictionary<string, object> { ["logits"] = Normal(rng, rows * classes, 3), ["labels"] = Labels(rng, rows, classes) };
        CompareWithInterpreter(LossInvoker.Find(typeof(ClassicLosses), nameof(ClassicLosses.SoftmaxCrossEntropy)), inputs);
    }

    [Theory]
    [MemberData(nameof(SimdWidths.Data), MemberType = typeof(SimdWidths))]
    public void EverySimdWidthMatchesTheInterpreter(int width)
    {
        using var forced = SimdWidths.Force(width);
        var rng = new Random(width);
        foreach (var c in SampleLossTests.Cases)
        {
            var method = LossInvoker.Find(c.Type, c.Method);
            foreach (int n in c.Sizes.Where(s => s > 0).Take(3)) CompareWithInterpreter(method, c.Inputs(rng, n), $" (width {width}, size {n})");
        }
    }

    /// <summary>
    /// The focal loss's gamma is a run-time exponent: gamma - 1 in [-2, 4] and integral takes the product path of
    /// PowUniform (no logarithm), any other the exp/log path. Both must match the interpreter at every width, and the
    /// scalar tail (n = 4099 is not a multiple of any width) must agree with the vector body.
    /// </summary>
    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(5f)]
    [InlineData(1.5f)]
    [InlineData(2.5f)]
    [InlineData(6f)]
    public void FocalMatchesTheInterpreterForIntegralAndOtherGammas(float gamma)
    {
        var method = LossInvoker.Find(typeof(ClassicLosses), nameof(ClassicLosses.SigmoidFocal));
        foreach (int w in SimdWidths.Supported)
        {
            using var forced = SimdWidths.Force(w);
            var rng = new Random(w + (int)(gamma * 10));
            int n = 4099;
            var inputs = new Dictionary<string, object> { ["x"] = Normal(rng, n, 3), ["y"] = Bits(rng, n), ["alpha"] = 0.3f, ["gamma"] = gamma };
            CompareWithInterpreter(method, inputs, $" (gamma {gamma}, width {w})");
        }
    }

    [Fact]
    public void ResultsAreIdenticalForEveryThreadCount()
    {
        var rng = new Random(3);
        int n = 3 * CpuChunk + 12345;
        var x = Normal(rng, n, 3);
        var y = Bits(rng, n);
        int rows = 5000, classes = 97;
        var z = Normal(rng, rows * classes, 3);
        var labels = Labels(rng, rows, classes);
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            (float, float[], float, float[]) Run(int threads)
            {
                LossParallel.MaxDegreeOfParallelism = threads;
                var dx = new float[n];
                float focal = ClassicLosses.SigmoidFocal(x, y, dx);
                var dz = new float[z.Length];
                float ce = ClassicLosses.SoftmaxCrossEntropy(z, labels, dz);
                return (focal, dx, ce, dz);
            }
            var one = Run(1);
            foreach (int threads in new[] { 2, 3, 4, 8 })
            {
                var other = Run(threads);
                Assert.Equal(one.Item1, other.Item1);
                Assert.Equal(one.Item3, other.Item3);
                Assert.True(one.Item2.AsSpan().SequenceEqual(other.Item2), $"focal gradient differs with {threads} threads");
                Assert.True(one.Item4.AsSpan().SequenceEqual(other.Item4), $"cross-entropy gradient differs with {threads} threads");
            }
        }
        finally { LossParallel.MaxDegreeOfParallelism = saved; }
    }

    private const int CpuChunk = 16384;

    [Fact]
    public void ExtremeLogitsGiveFiniteLossesAndGradients()
    {
        float[] x = { -1e4f, -1e3f, -100f, -88f, -30f, -1f, 0f, 1f, 30f, 88f, 100f, 1e3f, 1e4f, 9999.5f, -9999.5f, 17f, -17f };
        float[] y = x.Select((_, i) => (float)(i % 2)).ToArray();
        foreach (var name in new[] { nameof(ClassicLosses.BceWithLogits), nameof(ClassicLosses.SigmoidFocal) })
        {
            var method = LossInvoker.Find(typeof(ClassicLosses), name);
            var (loss, grads) = CompareWithInterpreter(method, new Dictionary<string, object> { ["x"] = x, ["y"] = y });
            Assert.True(float.IsFinite(loss), $"{name}: loss {loss}");
            Assert.All(grads["dx"], g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
        }
        // Softmax losses with rows of huge logits.
        var rng = new Random(9);
        int rows = 6, classes = 5;
        var z = Uniform(rng, rows * classes, -1e4, 1e4);
        var labels = Labels(rng, rows, classes);
        foreach (var (type, name, inputs) in new (Type, string, Dictionary<string, object>)[]
        {
            (typeof(ClassicLosses), nameof(ClassicLosses.SoftmaxCrossEntropy), new() { ["logits"] = z, ["labels"] = labels }),
            (typeof(MulticlassLosses), nameof(MulticlassLosses.LabelSmoothing), new() { ["z"] = z, ["y"] = labels }),
            (typeof(MulticlassLosses), nameof(MulticlassLosses.CrossEntropyZLoss), new() { ["z"] = z, ["y"] = labels }),
        })
        {
            var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(type, name), inputs);
            Assert.True(float.IsFinite(loss), $"{name}: loss {loss}");
            Assert.All(grads.Values.SelectMany(g => g), g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
        }
    }

    [Fact]
    public void ForwardOnlyAndUpstreamOverloadsAgreeWithTheFusedKernel()
    {
        var rng = new Random(11);
        int n = 1001;
        var x = Normal(rng, n, 2);
        var y = Bits(rng, n);
        var dx = new float[n];
        float fused = ClassicLosses.SigmoidFocal(x, y, dx, 0.3f, 1.5f);
        float forward = ClassicLosses.SigmoidFocal(x, y, 0.3f, 1.5f);
        Assert.Equal(fused, forward, 5);
        var scaled = new float[n];
        float again = ClassicLosses.SigmoidFocal(x, y, scaled, 0.3f, 1.5f, -2.5f);
        Assert.Equal(fused, again);
        for (int i = 0; i < n; i++) Assert.Equal(-2.5f * dx[i], scaled[i], 1e-6f * (1 + Math.Abs(scaled[i])));
        // Defaults of the forward overload come from the declaration.
        Assert.Equal(ClassicLosses.SigmoidFocal(x, y, dx), ClassicLosses.SigmoidFocal(x, y), 5);
    }

    [Fact]
    public void WrongLengthsThrowArgumentExceptionsNamingTheParameter()
    {
        var e1 = Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(new float[4], new float[5], new float[4]));
        Assert.Equal("y", e1.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(new float[4], new float[4], new float[3]));
        Assert.Equal("dx", e2.ParamName);
        var e3 = Assert.Throws<ArgumentException>(() => ClassicLosses.SoftmaxCrossEntropy(new float[10], new int[3], new float[10]));
        Assert.Equal("logits", e3.ParamName);
        Assert.Contains("multiple of", e3.Message);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => RegressionLosses.PseudoHuber(new float[4], new float[4], new float[4], -2));
        Assert.Equal("dim", e4.ParamName);
        var e5 = Assert.Throws<ArgumentException>(() => RegressionLosses.PseudoHuber(new float[6], new float[6], new float[6], 4));
        Assert.Equal("x", e5.ParamName);
    }

    [Fact]
    public void AGradientThatSharesMemoryWithAnInputOrAnotherGradientIsRefused()
    {
        var x = new float[8];
        var y = new float[8];
        var e1 = Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(x, y, x));
        Assert.Equal("dx", e1.ParamName);
        Assert.Contains("overlaps 'x'", e1.Message);
        // A gradient in the memory of the targets, or half over its input, is refused as well.
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(x, y, y)).ParamName);
        var shared = new float[12];
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => ClassicLosses.BceWithLogits(shared.AsSpan(0, 8), y, shared.AsSpan(4, 8))).ParamName);
        // Two gradients over the same memory: the second is named.
        var h = new float[2 * 4];
        var w = new float[3 * 4];
        var grads = new float[12];
        var e2 = Assert.Throws<ArgumentException>(() => LossDsl.Samples.PairwiseLosses.LinearCrossEntropy(h, w, new[] { 0, 2 }, grads.AsSpan(0, 8), grads.AsSpan(0, 12)));
        Assert.Equal("dw", e2.ParamName);
        Assert.Contains("overlaps 'dh'", e2.Message);
        // Adjacent, not overlapping: fine.
        var both = new float[20];
        LossDsl.Samples.PairwiseLosses.LinearCrossEntropy(h, w, new[] { 0, 2 }, both.AsSpan(0, 8), both.AsSpan(8, 12));
    }

    [Fact]
    public void EmptyInputsFollowTheMathOfTheReduction()
    {
        // mean over nothing is 0/0 (NaN, as in PyTorch); a sum over nothing is 0.
        Assert.True(float.IsNaN(ClassicLosses.BceWithLogits(Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>())));
        Assert.Equal(0f, MetricLosses.Center(Array.Empty<float>(), Array.Empty<int>(), Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>()));
    }

    [Fact]
    public void OutOfRangeLabelsReadZeroAndIgnoredRowsGetNoGradient()
    {
        var rng = new Random(2);
        int rows = 4, classes = 3;
        var z = Normal(rng, rows * classes);
        var y = new[] { 0, -100, 2, -100 };
        var dz = new float[z.Length];
        float loss = MulticlassLosses.CrossEntropyWeighted(z, y, new float[] { 1, 1, 1 }, dz);
        Assert.True(float.IsFinite(loss));
        for (int c = 0; c < classes; c++) { Assert.Equal(0f, dz[1 * classes + c]); Assert.Equal(0f, dz[3 * classes + c]); }
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        var rng = new Random(4);
        int n = 100_000;
        var x = Normal(rng, n);
        var y = Bits(rng, n);
        var dx = new float[n];
        int rows = 200, classes = 50;
        var z = Normal(rng, rows * classes);
        var labels = Labels(rng, rows, classes);
        var dz = new float[z.Length];
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                LossParallel.MaxDegreeOfParallelism = threads;
                for (int i = 0; i < 20; i++) { ClassicLosses.SigmoidFocal(x, y, dx); ClassicLosses.SoftmaxCrossEntropy(z, labels, dz); }
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 100; i++) { ClassicLosses.SigmoidFocal(x, y, dx); ClassicLosses.SoftmaxCrossEntropy(z, labels, dz); }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated == 0, $"{allocated} bytes allocated by 200 calls with {threads} thread(s)");
            }
        }
        finally { LossParallel.MaxDegreeOfParallelism = saved; }
    }

    [Fact]
    public void TheInterpreterIsUsableDirectly()
    {
        var loss = LossExpression.Parse("mean(bce_logits(x, y))", LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"));
        var r = loss.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = new double[] { 0, 2 }, ["y"] = new double[] { 1, 0 } });
        double expected = (Math.Log(2) + (2 + Math.Log(1 + Math.Exp(-2)))) / 2;
        Assert.Equal(expected, r.Loss, 12);
        Assert.Equal((0.5 - 1) / 2, r.Gradients["dx"][0], 12);
        var ex = Assert.Throws<LossExpressionException>(() => LossExpression.Parse("mean(x +)", LossParameterDeclaration.Tensor("x")));
        Assert.Equal("LOSS0101", ex.Id);
        Assert.Equal(8, ex.Offset);
    }
}
