using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Samples;

/// <summary>
/// Every loss of the samples project, compiled from its one declaration by the real build, checked against the
/// interpreter (float64) and the interpreter against finite differences, on random inputs of several sizes.
/// Tolerances: see <see cref="LossCheck"/>.
/// </summary>
public class SampleLossTests
{
    /// <summary>A sample loss and how to make inputs for it at a given size.</summary>
    public sealed record Case(Type Type, string Method, Func<Random, int, Dictionary<string, object>> Inputs, int[] Sizes)
    {
        public override string ToString() => Type.Name + "." + Method;
    }

    private static readonly int[] s_elementwiseSizes = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099 };
    private static readonly int[] s_rowSizes = { 1, 2, 7, 33 };

    private static Dictionary<string, object> D(params (string, object)[] kv) => kv.ToDictionary(x => x.Item1, x => x.Item2);

    public static readonly Case[] Cases =
    {
        new(typeof(ClassicLosses), nameof(ClassicLosses.BceWithLogits), (r, n) => D(("x", Normal(r, n, 3)), ("y", Uniform(r, n, 0, 1))), s_elementwiseSizes),
        new(typeof(ClassicLosses), nameof(ClassicLosses.SigmoidFocal), (r, n) => D(("x", Normal(r, n, 3)), ("y", Bits(r, n))), s_elementwiseSizes),
        new(typeof(ClassicLosses), nameof(ClassicLosses.SoftmaxCrossEntropy), (r, n) => D(("logits", Normal(r, n * Classes(n), 3)), ("labels", Labels(r, n, Classes(n)))), s_rowSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.Mse), (r, n) => D(("yhat", Normal(r, n)), ("y", Normal(r, n))), s_elementwiseSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.Mae), (r, n) => D(("yhat", Normal(r, n)), ("y", Normal(r, n))), s_elementwiseSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.Huber), (r, n) => D(("yhat", Normal(r, n, 2)), ("y", Normal(r, n)), ("delta", 0.7f)), s_elementwiseSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.SmoothL1), (r, n) => D(("yhat", Normal(r, n, 2)), ("y", Normal(r, n)), ("beta", 0.5f)), s_elementwiseSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.PseudoHuber), (r, n) => D(("x", Normal(r, n * 5)), ("y", Normal(r, n * 5)), ("dim", 5), ("c", 0.3f)), s_rowSizes),
        new(typeof(RegressionLosses), nameof(RegressionLosses.Cauchy), (r, n) => D(("x", Normal(r, n * 6)), ("y", Normal(r, n * 6)), ("dim", 6), ("c", 1.5f)), s_rowSizes),
        new(typeof(BinaryLosses), nameof(BinaryLosses.BceWithLogitsPosWeight), (r, n) => D(("x", Normal(r, n * 3, 3)), ("y", Uniform(r, n * 3, 0, 1)), ("posWeight", Uniform(r, 3, 0.5, 3))), s_rowSizes),
        new(typeof(BinaryLosses), nameof(BinaryLosses.Hinge), (r, n) => D(("f", Normal(r, n, 2)), ("y", Bits(r, n, -1, 1))), s_elementwiseSizes),
        new(typeof(BinaryLosses), nameof(BinaryLosses.SquaredHinge), (r, n) => D(("f", Normal(r, n, 2)), ("y", Bits(r, n, -1, 1))), s_elementwiseSizes),
        new(typeof(BinaryLosses), nameof(BinaryLosses.Logistic), (r, n) => D(("f", Normal(r, n, 2)), ("y", Bits(r, n, -1, 1)), ("scale", 1.5f)), s_elementwiseSizes),
        new(typeof(SegmentationLosses), nameof(SegmentationLosses.SoftDice), (r, n) => D(("x", Normal(r, n, 2)), ("g", Bits(r, n))), s_elementwiseSizes),
        new(typeof(SegmentationLosses), nameof(SegmentationLosses.SoftDiceMulticlass), (r, n) => D(("x", Normal(r, 2 * 3 * n, 2)), ("g", Bits(r, 2 * 3 * n)), ("batch", 2), ("classes", 3)), new[] { 1, 5, 40 }),
        new(typeof(SegmentationLosses), nameof(SegmentationLosses.SoftJaccard), (r, n) => D(("x", Normal(r, n, 2)), ("g", Bits(r, n))), s_elementwiseSizes),
        new(typeof(SegmentationLosses), nameof(SegmentationLosses.Tversky), (r, n) => D(("x", Normal(r, n, 2)), ("g", Bits(r, n))), s_elementwiseSizes),
        new(typeof(SegmentationLosses), nameof(SegmentationLosses.FocalTversky), (r, n) => D(("x", Normal(r, n, 2)), ("g", Bits(r, n))), s_elementwiseSizes.Where(s => s > 0).ToArray()),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.CrossEntropyWeighted), (r, n) => WeightedCe(r, n), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.LabelSmoothing), (r, n) => D(("z", Normal(r, n * 10, 3)), ("y", Labels(r, n, 10))), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.KlDivergence), (r, n) => D(("s", Normal(r, n * 9, 2)), ("t", Normal(r, n * 9, 2)), ("rows", n), ("temperature", 2f)), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.JsDivergence), (r, n) => D(("a", Normal(r, n * 9, 2)), ("b", Normal(r, n * 9, 2)), ("rows", n)), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.SoftmaxFocal), (r, n) => D(("z", Normal(r, n * 17, 3)), ("y", Labels(r, n, 17))), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.CrossEntropyZLoss), (r, n) => D(("z", Normal(r, n * 17, 3)), ("y", Labels(r, n, 17)), ("zcoef", 1e-2f)), s_rowSizes),
        new(typeof(MulticlassLosses), nameof(MulticlassLosses.Ldam), (r, n) => D(("z", Normal(r, n * 8, 0.2)), ("y", Labels(r, n, 8)), ("margins", Uniform(r, 8, 0, 0.5)), ("s", 4f)), s_rowSizes),
        new(typeof(MetricLosses), nameof(MetricLosses.Center), (r, n) => D(("x", Normal(r, n * 4)), ("y", Labels(r, n, 3)), ("centers", Normal(r, 3 * 4))), s_rowSizes),
        new(typeof(MetricLosses), nameof(MetricLosses.TripletMargin), (r, n) => D(("a", Normal(r, n * 4)), ("p", Normal(r, n * 4)), ("n", Normal(r, n * 4)), ("dim", 4)), s_rowSizes),
        new(typeof(MetricLosses), nameof(MetricLosses.Contrastive), (r, n) => D(("x1", Normal(r, n * 4, 0.5)), ("x2", Normal(r, n * 4, 0.5)), ("y", Bits(r, n))), s_rowSizes),
        new(typeof(MetricLosses), nameof(MetricLosses.InfoNce), (r, n) => InfoNceInputs(r, n), new[] { 2, 4, 10 }),
    };

    private static int Classes(int rows) => rows switch { 1 => 1, 2 => 7, 7 => 16, _ => 100 };

    private static Dictionary<string, object> WeightedCe(Random r, int n)
    {
        const int c = 9;
        var y = Labels(r, n, c);
        for (int i = 0; i < n; i += 3) y[i] = -100; // ignored rows
        if (n > 1) y[n - 1] = 4;
        return D(("z", Normal(r, n * c, 3)), ("y", y), ("weight", Uniform(r, c, 0.2, 2)));
    }

    private static Dictionary<string, object> InfoNceInputs(Random r, int pairs)
    {
        int m = 2 * pairs;
        var pos = new int[m];
        for (int i = 0; i < m; i++) pos[i] = i ^ 1;
        return D(("z", Normal(r, m * 5)), ("pos", pos), ("tau", 0.5f));
    }

    /// <summary>A seed that is the same in every process (string.GetHashCode is randomized per process).</summary>
    private static int StableSeed(string s)
    {
        int h = 17;
        foreach (char ch in s) h = unchecked(h * 31 + ch);
        return h & 0x7fffffff;
    }

    public static IEnumerable<object[]> AllCases() => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(AllCases))]
    public void KernelMatchesInterpreterAtEverySize(Case c)
    {
        var method = LossInvoker.Find(c.Type, c.Method);
        var rng = new Random(StableSeed(c.Method));
        foreach (int n in c.Sizes) CompareWithInterpreter(method, c.Inputs(rng, n), $" (size {n})");
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void InterpreterGradientMatchesFiniteDifferences(Case c)
    {
        var method = LossInvoker.Find(c.Type, c.Method);
        var rng = new Random(17);
        int size = c.Sizes.Where(s => s > 0).ElementAt(Math.Min(2, c.Sizes.Count(s => s > 0) - 1));
        CheckFiniteDifferences(method, c.Inputs(rng, size), 12, rng);
    }
}
