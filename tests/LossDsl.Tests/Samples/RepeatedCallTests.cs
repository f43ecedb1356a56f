using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Internals;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Pairwise;
using LossDsl.Threading;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Samples;

/// <summary>
/// Every fused kernel is called at least twice on the same inputs, with the pooled scratch memory poisoned (all-ones
/// bytes, NaN in float: <see cref="ScratchPool.PoisonRentals"/>) before every call, and must return bitwise the same
/// loss and gradients each time, a loss equal to the forward-only overload's and gradients without NaN; at 1 and 2
/// threads and every SIMD width the machine has. A kernel that reads a scratch buffer before the pass that writes it
/// reads NaN (or a value an earlier call left) and fails. Covers every sample loss of <see cref="SampleLossTests"/>,
/// every pairwise loss of <see cref="PairwiseLossTests"/> and the losses of <see cref="RepeatedCallLosses"/> (found by
/// outside testers), which are also checked against the interpreter's loss and finite differences of it. Runs in the
/// LossParallel collection, alone, since the degree of parallelism, the SIMD width and the poison are process-wide.
/// </summary>
[Collection("LossParallel")]
public class RepeatedCallTests
{
    /// <summary>A loss and its inputs.</summary>
    public sealed record Case(Type Type, string Method, Func<Random, int, Dictionary<string, object>> Inputs)
    {
        public override string ToString() => Type.Name + "." + Method;
    }

    private static Dictionary<string, object> D(params (string, object)[] kv) => kv.ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>
    /// The reproducers at n rows (and, for a classifier head, 350 classes: 3 column tiles of a strip).
    /// </summary>
    public static readonly Case[] Reproducers =
    {
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.NeighbourLogSumExp),
            (r, n) => D(("f", Normal(r, n * 6, 0.5)), ("yl", Normal(r, n)), ("w", 0.05f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.TwoSidedLogSumExp),
            (r, n) => D(("x", Normal(r, n * 5, 0.5)), ("w", Normal(r, 350 * 5, 0.5)), ("dim", 5))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.SupCon),
            (r, n) => D(("z", Normal(r, n * 5)), ("y", Labels(r, n, 40)), ("tau", 0.3f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.ProxyAnchor),
            (r, n) => D(("x", Normal(r, n * 5)), ("y", Labels(r, n, 60)), ("p", Normal(r, 70 * 5)), ("classes", 70), ("alpha", 8f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.DecoupledSoftmax),
            (r, n) => D(("q", Normal(r, n * 5, 0.5)), ("k", Normal(r, n * 5, 0.5)), ("y", Labels(r, n, 30)), ("tau", 0.5f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.Circle),
            (r, n) => D(("z", Normal(r, n * 6)), ("y", Labels(r, n, 40)), ("gamma", 16f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.Uniformity),
            (r, n) => D(("x", Normal(r, n * 5, 0.3)), ("dim", 5), ("t", 2f))),
        new(typeof(RepeatedCallLosses), nameof(RepeatedCallLosses.CauchySchwarz),
            (r, n) => D(("x", Normal(r, n * 4, 0.5)), ("y", Normal(r, n)), ("yhat", Normal(r, n)), ("sigma", 1f))),
    };

    /// <summary>The reproducers' rows in the repeated calls: 5 row blocks of a pair pass, 3 column tiles, 2 row blocks of a strip.</summary>
    private const int ReproducerRows = 300;

    /// <summary>Every case: the samples at their largest test size, the pairwise losses at 130 rows (two row blocks, two tiles), the reproducers.</summary>
    public static IEnumerable<Case> Cases()
    {
        foreach (var c in SampleLossTests.Cases) yield return new Case(c.Type, c.Method, (r, _) => c.Inputs(r, c.Sizes.Max()));
        foreach (var c in PairwiseLossTests.Cases) yield return new Case(typeof(LossDsl.Samples.PairwiseLosses), c.Method, (r, _) => c.Inputs(r, 130));
        foreach (var c in Reproducers) yield return c;
    }

    public static IEnumerable<object[]> CasesAndWidths() =>
        from c in Cases() from w in SimdWidths.Supported select new object[] { c, w };

    public static IEnumerable<object[]> ReproducerCases() => Reproducers.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CasesAndWidths))]
    public void RepeatedCallsOnPoisonedScratchGiveTheSameBitsAsTheForwardOverload(Case c, int width)
    {
        var method = LossInvoker.Find(c.Type, c.Method);
        var invoker = LossInvoker.For(method);
        var forwardMethod = LossInvoker.FindOverload(c.Type, c.Method,
            ps => ps.All(p => p.ParameterType != typeof(Span<float>)) && ps.Length == method.GetParameters().Count(p => p.ParameterType != typeof(Span<float>)));
        var forward = LossInvoker.For(forwardMethod);
        var inputs = c.Inputs(new Random(c.Method.Length * 613 + width), ReproducerRows);
        var ps = method.GetParameters();
        int savedDegree = LossParallel.MaxDegreeOfParallelism;
        bool savedPoison = ScratchPool.PoisonRentals;
        try
        {
            using var scope = SimdWidths.Force(width);
            ScratchPool.PoisonRentals = true;
            foreach (int degree in new[] { 1, 2 })
            {
                LossParallel.MaxDegreeOfParallelism = degree;
                object[]? first = null;
                float firstLoss = 0;
                for (int call = 0; call < 2; call++)
                {
                    var arguments = KernelArguments(method, inputs);
                    float loss = invoker.Invoke(arguments);
                    string where = $"{c} at width {width}, {degree} thread(s), call {call + 1}";
                    Assert.False(float.IsNaN(loss), $"{where}: the loss is NaN");
                    for (int k = 0; k < ps.Length; k++)
                        if (ps[k].ParameterType == typeof(Span<float>))
                            Assert.True(!((float[])arguments[k]).Any(float.IsNaN), $"{where}: {ps[k].Name} has NaN");
                    if (first is null)
                    {
                        first = arguments;
                        firstLoss = loss;
                        float forwardLoss = forward.Invoke(KernelArguments(forwardMethod, inputs));
                        Assert.True(Math.Abs(loss - forwardLoss) <= LossTolerance * (1 + Math.Abs(forwardLoss)) || loss == forwardLoss,
                            $"{where}: the loss {loss:R} differs from the forward-only overload's {forwardLoss:R}");
                        continue;
                    }
                    Assert.True(BitConverter.SingleToInt32Bits(firstLoss) == BitConverter.SingleToInt32Bits(loss), $"{where}: loss {loss:R}, first call {firstLoss:R}");
                    for (int k = 0; k < ps.Length; k++)
                        if (ps[k].ParameterType == typeof(Span<float>))
                            Assert.True(((float[])first[k]).SequenceEqual((float[])arguments[k]), $"{where}: {ps[k].Name} differs from the first call's");
                }
            }
        }
        finally
        {
            ScratchPool.PoisonRentals = savedPoison;
            LossParallel.MaxDegreeOfParallelism = savedDegree;
        }
    }

    /// <summary>The poison reaches the kernels: a rented array is all NaN while it is on, and it is off by default.</summary>
    [Fact]
    public void PoisonedRentalsAreNaN()
    {
        Assert.False(ScratchPool.PoisonRentals);
        try
        {
            ScratchPool.PoisonRentals = true;
            var floats = ScratchPool.Rent<float>(100);
            var states = ScratchPool.Rent<OnlineSumExp.State>(10);
            Assert.All(floats, v => Assert.True(float.IsNaN(v)));
            Assert.All(states, s => Assert.True(float.IsNaN(s.Max) && float.IsNaN(s.Sum)));
            ScratchPool.Return(floats);
            ScratchPool.Return(states);
        }
        finally
        {
            ScratchPool.PoisonRentals = false;
        }
    }

    /// <summary>
    /// The reproducers' kernels against the interpreter's loss (float64) and their gradients against central finite
    /// differences of that loss (not against the interpreter's gradient, which shares the differentiation stage), at 150
    /// rows (3 row blocks of a pair pass, 2 column tiles).
    /// </summary>
    [Theory]
    [MemberData(nameof(ReproducerCases))]
    public void ReproducersMatchTheInterpreterLossAndItsFiniteDifferences(Case c)
    {
        var method = LossInvoker.Find(c.Type, c.Method);
        var rng = new Random(c.Method.Length * 7);
        var inputs = c.Inputs(rng, 150);
        var arguments = KernelArguments(method, inputs);
        float loss = LossInvoker.For(method).Invoke(arguments);
        var interpreter = LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method));
        var values = InterpreterArguments(method, arguments).ToDictionary(kv => kv.Key, kv => kv.Value is float[] f ? (object)Array.ConvertAll(f, v => (double)v) : kv.Value);
        double Reference() => interpreter.Evaluate(values);
        double expected = Reference();
        AssertClose(loss, expected, $"{c}: loss");
        // Finite differences of a loss move the values under stop_gradient too: such a loss's gradient is checked
        // against the interpreter's instead.
        if (LossInvoker.ExpressionOf(method) is var text && (text.Contains("sg(") || text.Contains("stop_gradient(")))
        {
            CompareWithInterpreter(method, inputs, " (stop_gradient)");
            return;
        }
        var ps = method.GetParameters();
        for (int p = 0; p < ps.Length; p++)
        {
            if (ps[p].ParameterType != typeof(Span<float>)) continue;
            var g = (float[])arguments[p];
            string input = values.Keys.First(k => string.Equals(k, ps[p].Name!.Substring(1), StringComparison.OrdinalIgnoreCase));
            var x = (double[])values[input];
            double max = g.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
            int checkedCount = 0;
            for (int trial = 0; trial < 40 && checkedCount < 10; trial++)
            {
                int k = rng.Next(x.Length);
                double x0 = x[k], h = 1e-5 * (1 + Math.Abs(x0));
                x[k] = x0 + h; double plus = Reference();
                x[k] = x0 - h; double minus = Reference();
                x[k] = x0;
                double right = (plus - expected) / h, left = (expected - minus) / h;
                if (Math.Abs(right - left) > 1e-3 * (Math.Abs(right) + Math.Abs(left)) + 1e-6 * (1 + max)) continue; // a kink
                double fd = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(g[k] - fd) <= 1e-3 * Math.Abs(fd) + 2e-4 * max + 1e-7,
                    $"{c}: {ps[p].Name}[{k}] = {g[k]:R} but the finite difference of the interpreter's loss gives {fd:R} (max |{ps[p].Name}| {max:E2})");
                checkedCount++;
            }
            Assert.True(checkedCount > 0, $"{c}: no smooth coordinate of {ps[p].Name} found");
        }
    }
}
