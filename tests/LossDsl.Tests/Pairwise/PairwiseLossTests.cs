using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Pairwise;

/// <summary>
/// The pairwise losses of the samples (tiled pair passes), at sizes that are not multiples of the row block (64), the
/// column tile (128) or any vector width: the kernel, called twice with identical results, against the float64
/// reference written from the formula (<see cref="PairwiseReference"/>) for the loss and, for the gradients, against
/// central finite differences of that reference; and against the interpreter at small sizes, element by element.
/// </summary>
public class PairwiseLossTests
{
    /// <summary>A loss, its inputs at a number of rows, its reference, and the sizes to test.</summary>
    public sealed record Case(string Method, Func<Random, int, Dictionary<string, object>> Inputs, Func<Func<string, double[]>, Func<string, double[]>, Func<string, object>, double> Reference, int[] Sizes)
    {
        public override string ToString() => Method;
    }

    private static readonly int[] s_sizes = { 1, 7, 65, 130, 513 };

    private static Dictionary<string, object> D(params (string, object)[] kv) => kv.ToDictionary(x => x.Item1, x => x.Item2);

    private static int[] Classes(Random r, int n, int classes) => Labels(r, n, Math.Max(1, classes));

    public static readonly Case[] Cases =
    {
        new(nameof(PairwiseLosses.InfoNceTwoViews),
            (r, n) => D(("a", Normal(r, n * 9)), ("b", Normal(r, n * 9)), ("dim", 9), ("tau", 0.2f)),
            (t, t0, s) => PairwiseReference.InfoNceTwoViews(t("a"), t("b"), 9, (float)s("tau")), s_sizes),
        new(nameof(PairwiseLosses.Clip),
            (r, n) => D(("x", Normal(r, n * 7)), ("y", Normal(r, n * 7)), ("t", new[] { 1.5f }), ("dim", 7)),
            (t, t0, s) => PairwiseReference.Clip(t("x"), t("y"), t("t")[0], 7), s_sizes),
        new(nameof(PairwiseLosses.SigLip),
            (r, n) => D(("x", Normal(r, n * 6, 0.4)), ("y", Normal(r, n * 6, 0.4)), ("t", new[] { 1.2f }), ("b", new[] { -2f }), ("dim", 6)),
            (t, t0, s) => PairwiseReference.SigLip(t("x"), t("y"), t("t")[0], t("b")[0], 6), s_sizes),
        new(nameof(PairwiseLosses.SupCon),
            (r, n) => D(("z", Normal(r, n * 5)), ("y", Classes(r, n, n / 4)), ("tau", 0.3f)),
            (t, t0, s) => PairwiseReference.SupCon(t("z"), (int[])s("y"), 5, (float)s("tau")), s_sizes),
        new(nameof(PairwiseLosses.TripletBatchHard),
            (r, n) => D(("x", Normal(r, n * 5)), ("y", Classes(r, n, n / 3)), ("dim", 5), ("margin", 0.3f)),
            (t, t0, s) => PairwiseReference.TripletBatchHard(t("x"), (int[])s("y"), 5, (float)s("margin")), s_sizes),
        new(nameof(PairwiseLosses.MultiSimilarity),
            (r, n) => D(("z", Normal(r, n * 4)), ("y", Classes(r, n, n / 4))),
            (t, t0, s) => PairwiseReference.MultiSimilarity(t("z"), (int[])s("y"), 4, 2, 50, 0.5, 0.1), s_sizes),
        new(nameof(PairwiseLosses.ProxyAnchor),
            (r, n) => ProxyAnchorInputs(r, n),
            (t, t0, s) => PairwiseReference.ProxyAnchor(t("x"), (int[])s("y"), t("p"), (int)s("classes"), 32, 0.1), s_sizes),
        new(nameof(PairwiseLosses.Circle),
            (r, n) => D(("z", Normal(r, n * 6)), ("y", Classes(r, n, n / 4)), ("gamma", 16f)),
            (t, t0, s) => PairwiseReference.Circle(t("z"), t0("z"), (int[])s("y"), 6, (float)s("gamma"), 0.25), s_sizes),
        new(nameof(PairwiseLosses.LinearCrossEntropy),
            (r, n) => LinearInputs(r, n),
            (t, t0, s) => PairwiseReference.LinearCrossEntropy(t("h"), t("w"), (int[])s("y"), 11), s_sizes),
        new(nameof(PairwiseLosses.ArcFace),
            (r, n) => ArcFaceInputs(r, n),
            (t, t0, s) => PairwiseReference.ArcFace(t("x"), t("w"), (int[])s("y"), 8, (float)s("scale"), 0.87758255f, 0.47942555f), s_sizes),
    };

    private static Dictionary<string, object> ProxyAnchorInputs(Random r, int n)
    {
        int classes = Math.Max(1, n / 3 + (n % 2));
        return D(("x", Normal(r, n * 5)), ("y", Labels(r, n, classes)), ("p", Normal(r, classes * 5)), ("classes", classes));
    }

    private static Dictionary<string, object> LinearInputs(Random r, int n)
    {
        int vocabulary = n == 1 ? 1 : n / 2 + 3; // 7 -> 6, 65 -> 35, 130 -> 68, 513 -> 259
        return D(("h", Normal(r, n * 11, 0.5)), ("w", Normal(r, vocabulary * 11, 0.5)), ("y", Labels(r, n, vocabulary)));
    }

    private static Dictionary<string, object> ArcFaceInputs(Random r, int n)
    {
        int classes = n == 1 ? 1 : n / 3 + 2;
        return D(("x", Normal(r, n * 8)), ("w", Normal(r, classes * 8)), ("y", Labels(r, n, classes)), ("scale", 8f));
    }

    public static TheoryData<Case> AllCases() => new(Cases);

    private static MethodInfo Method(Case c) => LossInvoker.Find(typeof(PairwiseLosses), c.Method);

    /// <summary>Calls the kernel twice and checks both calls give the same bits; returns the loss and the gradients.</summary>
    private static (float Loss, Dictionary<string, float[]> Gradients) RunTwice(MethodInfo method, Dictionary<string, object> inputs)
    {
        var invoker = LossInvoker.For(method);
        var first = KernelArguments(method, inputs);
        var second = KernelArguments(method, inputs);
        float loss = invoker.Invoke(first);
        float again = invoker.Invoke(second);
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(again));
        var gradients = new Dictionary<string, float[]>();
        var ps = method.GetParameters();
        for (int k = 0; k < ps.Length; k++)
        {
            if (ps[k].ParameterType != typeof(Span<float>)) continue;
            var g = (float[])first[k];
            Assert.Equal(g, (float[])second[k]);
            Assert.DoesNotContain(g, float.IsNaN);
            gradients[ps[k].Name!] = g;
        }
        return (loss, gradients);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void KernelMatchesTheFloat64ReferenceAndItsFiniteDifferences(Case c)
    {
        var method = Method(c);
        var rng = new Random(c.Method.Length * 7919);
        foreach (int n in c.Sizes)
        {
            var inputs = c.Inputs(rng, n);
            var (loss, gradients) = RunTwice(method, inputs);
            var tensors = inputs.Where(kv => kv.Value is float[]).ToDictionary(kv => kv.Key, kv => Array.ConvertAll((float[])kv.Value, v => (double)v));
            var initial = tensors.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
            // The reference of a loss with stop_gradient reads the stopped values from the unperturbed inputs.
            double Reference() => c.Reference(name => tensors[name], name => initial[name], name => inputs[name]);
            double expected = Reference();
            Assert.True(Math.Abs(loss - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"{c.Method} at {n} rows: loss {loss:R} vs reference {expected:R}");

            foreach (var (name, g) in gradients)
            {
                var x = tensors[name.Substring(1)];
                double max = g.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
                int checkedCount = 0;
                for (int trial = 0; trial < 24 && checkedCount < 8; trial++)
                {
                    int k = rng.Next(x.Length);
                    double x0 = x[k], h = 1e-5 * (1 + Math.Abs(x0));
                    x[k] = x0 + h; double plus = Reference();
                    x[k] = x0 - h; double minus = Reference();
                    x[k] = x0; double centre = Reference();
                    double right = (plus - centre) / h, left = (centre - minus) / h;
                    if (Math.Abs(right - left) > 1e-3 * (Math.Abs(right) + Math.Abs(left)) + 1e-6 * (1 + max)) continue; // a kink
                    double fd = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(g[k] - fd) <= 1e-3 * Math.Abs(fd) + 2e-4 * max + 1e-7,
                        $"{c.Method} at {n} rows: {name}[{k}] = {g[k]:R} but the reference's finite difference gives {fd:R} (max |{name}| {max:E2})");
                    checkedCount++;
                }
                Assert.True(checkedCount > 0 || max == 0 || x.Length == 0, $"{c.Method} at {n} rows: no smooth coordinate of {name} found");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void KernelMatchesTheInterpreterElementByElement(Case c)
    {
        var method = Method(c);
        var rng = new Random(c.Method.Length * 31);
        foreach (int n in new[] { 1, 3, 9 })
            CompareWithInterpreter(method, c.Inputs(rng, n), $" ({n} rows)");
    }
}
