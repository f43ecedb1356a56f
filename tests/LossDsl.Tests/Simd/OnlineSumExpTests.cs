using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using LossDsl.Internals;
using LossDsl.Simd;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Simd;

/// <summary>
/// The online normalizer (<see cref="OnlineSumExp"/>): running (max, sum of exp(v - max)) pairs against a
/// double-precision two-sweep reference, including -inf entries, rows of -inf and lanes that never see a finite value.
/// </summary>
public class OnlineSumExpTests
{
    /// <summary>Two-sweep reference: max, and sum(exp(v - max)) in double (1 for entries equal to an infinite max).</summary>
    private static (double Max, double Sum) Reference(float[] v)
    {
        double m = v.Length == 0 ? double.NegativeInfinity : v.Max();
        double s = 0;
        foreach (float x in v) s += x == m ? 1 : Math.Exp(x - m);
        return (m, s);
    }

    private static float[] Row(Random rng, int n, double minusInfFraction, double scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() < minusInfFraction ? float.NegativeInfinity : (float)((rng.NextDouble() * 2 - 1) * scale);
        return v;
    }

    private static void AssertPair(float[] v, float max, float sum, string label)
    {
        var (m, s) = Reference(v);
        Assert.True(max == (float)m, $"{label}: max {max}, expected {m}");
        Assert.True(Math.Abs(sum - s) <= 2e-6 * s * (1 + Math.Log(1 + v.Length)), $"{label}: sum {sum:R}, expected {s:R}");
    }

    [Fact]
    public void AddMatchesTheTwoSweepReference()
    {
        var rng = new Random(7);
        foreach (int n in new[] { 1, 2, 5, 17, 100, 1000 })
            foreach (double inf in new[] { 0, 0.3, 1 })
                foreach (double scale in new[] { 1, 30, 1e4 })
                {
                    var v = Row(rng, n, inf, scale);
                    var state = OnlineSumExp.State.Empty;
                    foreach (float x in v) state = OnlineSumExp.Add(state, x);
                    AssertPair(v, state.Max, state.Sum, $"n {n}, -inf {inf}, scale {scale}");
                }
    }

    [Fact]
    public void IncreasingAndDecreasingSequencesRescaleCorrectly()
    {
        // Every element of an increasing row is a new maximum (the rescaling path), of a decreasing row none is.
        var up = Enumerable.Range(0, 200).Select(i => i * 0.25f - 25).ToArray();
        foreach (var v in new[] { up, up.Reverse().ToArray() })
        {
            var state = OnlineSumExp.State.Empty;
            foreach (float x in v) state = OnlineSumExp.Add(state, x);
            AssertPair(v, state.Max, state.Sum, v[0] < v[1] ? "increasing" : "decreasing");
        }
    }

    [Fact]
    public void RowsOfMinusInfinityRescaleToZero()
    {
        var state = OnlineSumExp.State.Empty;
        for (int i = 0; i < 5; i++) state = OnlineSumExp.Add(state, float.NegativeInfinity);
        Assert.Equal(float.NegativeInfinity, state.Max);
        Assert.True(float.IsFinite(state.Sum));
        // logsumexp's shift for an all -inf row is -3e38: the sum relative to it is exp(-inf) = 0, and lse = -inf.
        Assert.Equal(0f, OnlineSumExp.Rescale(state.Sum, state.Max, -3e38f));
        Assert.Equal(state.Sum, OnlineSumExp.Rescale(state.Sum, state.Max, state.Max));
        Assert.Equal(1f * MathF.Exp(-2f), OnlineSumExp.Rescale(1f, 1f, 3f), 6);
    }

    [Fact]
    public void NaNPropagatesToTheSum()
    {
        var state = OnlineSumExp.State.Empty;
        foreach (float x in new[] { 1f, float.NaN, 2f }) state = OnlineSumExp.Add(state, x);
        Assert.True(float.IsNaN(state.Sum));
    }

    public static IEnumerable<object[]> Widths() => new[] { 512, 256, 128 }.Where(SimdDispatch.IsSupported).Select(w => new object[] { w });

    /// <summary>Per-lane pairs folded by Combine equal the pair of all the lanes' values, also when some lanes saw only -inf.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void CombineFoldsLanes(int width)
    {
        var rng = new Random(width);
        int lanes = width / 32;
        for (int trial = 0; trial < 50; trial++)
        {
            // Lane k sees values[k, 0..perLane): a few lanes only -inf, one lane with a much larger maximum.
            int perLane = 1 + trial % 7;
            var values = new float[lanes][];
            for (int k = 0; k < lanes; k++) values[k] = Row(rng, perLane, k % 3 == 0 ? 1 : 0.2, trial % 2 == 0 ? 5 : 60);
            var laneMax = new float[lanes];
            var laneSum = new float[lanes];
            for (int k = 0; k < lanes; k++)
            {
                var lane = OnlineSumExp.State.Empty;
                foreach (float x in values[k]) lane = OnlineSumExp.Add(lane, x);
                (laneMax[k], laneSum[k]) = (lane.Max, lane.Sum);
            }
            // The running pair already holds one value, as after a previous block.
            var state = new OnlineSumExp.State(0.5f, 1f);
            state = width switch
            {
                512 => OnlineSumExp.Combine<Simd512, Vector512<float>>(Vector512.Create(laneMax), Vector512.Create(laneSum), state),
                256 => OnlineSumExp.Combine<Simd256, Vector256<float>>(Vector256.Create(laneMax), Vector256.Create(laneSum), state),
                _ => OnlineSumExp.Combine<Simd128, Vector128<float>>(Vector128.Create(laneMax), Vector128.Create(laneSum), state),
            };
            var all = values.SelectMany(x => x).Append(0.5f).ToArray();
            AssertPair(all, state.Max, state.Sum, $"width {width}, trial {trial}");
        }
    }
}

/// <summary>
/// Generated kernels whose logsumexp runs online (one sweep over a row for the max and the sum of exponentials):
/// rows with -inf entries, masked logsumexp, large logits and row lengths around the vector widths, at every width,
/// against the interpreter.
/// </summary>
[Collection("LossParallel")]
public class OnlineSumExpKernelTests
{
    private const string Source = """
        using System;
        using LossDsl;

        namespace OnlineTest;

        public static partial class L
        {
            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, t[i]])")]
            public static partial float Ce(ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dz);

            [GeneratedLoss("mean[i](logsumexp[c | c != t[i]](z[i, c]) - z[i, t[i]])")]
            public static partial float MaskedLse(ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dz);
        }

        public static partial class Pairwise
        {
            // The logsumexp's values are dot products over a pair space: a tiled pair pass carries the online max and
            // sum of each row across its column tiles.
            [GeneratedLoss("index d : dim; mean[i](logsumexp[j | j != i](sum[d](x[i, d] * x[j, d])) - sum[d](x[i, d] * x[i, d]))")]
            public static partial float SoftNearest(ReadOnlySpan<float> x, Span<float> dx, int dim);
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_compiled = new(() => GeneratorHarness.CompileAndLoad(Source));
    private static readonly Lazy<Type> s_losses = new(() => s_compiled.Value.GetType("OnlineTest.L")!);

    [Fact]
    public void TheRowSweepsAreOnline()
    {
        var r = GeneratorHarness.Run(Source);
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.GeneratedSources.Length);
        var pairwise = Assert.Single(r.GeneratedSources, x => x.Contains("SoftNearest"));
        Assert.Contains("TileProducts.Contract<TS, TV>", pairwise);
        Assert.Contains("= global::LossDsl.Internals.OnlineSumExp.Rescale(", pairwise);
        Assert.Contains("OnlineSumExp.Combine<TS, TV>", pairwise);
        foreach (var source in r.GeneratedSources.Where(x => x != pairwise))
        {
            Assert.Contains("= global::LossDsl.Internals.OnlineSumExp.Add(__online", source);
            Assert.Contains("OnlineSumExp.Combine<TS, TV>", source);
            Assert.Contains("(max and sum of exp, one online sweep for long rows)", source);
            Assert.Contains($">= {LossDsl.Internals.OnlineSumExp.MinimumLength})", source);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(40)]
    public void PairwiseLogsumexpOverInnerReductionsMatchesTheInterpreter(int rows)
    {
        var rng = new Random(rows);
        const int dim = 7;
        var inputs = new Dictionary<string, object> { ["x"] = Normal(rng, rows * dim, 1.5), ["dim"] = dim };
        var type = s_compiled.Value.GetType("OnlineTest.Pairwise")!;
        CompareWithInterpreter(LossInvoker.Find(type, "SoftNearest"), inputs, $" ({rows} rows)");
    }

    [Theory]
    [MemberData(nameof(SimdWidths.Data), MemberType = typeof(SimdWidths))]
    public void RowsWithMinusInfinityAndLargeLogitsMatchTheInterpreter(int width)
    {
        using var forced = SimdWidths.Force(width);
        var rng = new Random(width);
        // Both versions of the row loop: two sweeps below OnlineSumExp.MinimumLength, one online sweep from it.
        foreach (int classes in new[] { 2, 3, 15, 16, 17, 33, 100, 1000, OnlineSumExp.MinimumLength, OnlineSumExp.MinimumLength + 17 })
        {
            const int rows = 6;
            var z = Normal(rng, rows * classes, 3);
            var t = Labels(rng, rows, classes);
            for (int i = 0; i < rows; i++)
            {
                int other = (t[i] + 1) % classes;
                for (int c = 0; c < classes; c++)
                {
                    int k = i * classes + c;
                    if (c == t[i] || c == other) continue;
                    if (i == 1) z[k] = float.NegativeInfinity;                        // only the label and one other class
                    else if (i == 2) z[k] += 80;                                      // large logits
                    else if (i >= 3 && rng.NextDouble() < 0.3) z[k] = float.NegativeInfinity;
                }
                if (i == 4) z[i * classes + other] = 40;                             // one dominant class
            }
            foreach (var name in new[] { "Ce", "MaskedLse" })
            {
                var inputs = new Dictionary<string, object> { ["z"] = z, ["t"] = t };
                var (loss, grads) = CompareWithInterpreter(LossInvoker.Find(s_losses.Value, name), inputs, $" ({name}, width {width}, {classes} classes)");
                Assert.True(float.IsFinite(loss), $"{name}: loss {loss}");
                Assert.All(grads["dz"], g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
            }
        }
    }
}
