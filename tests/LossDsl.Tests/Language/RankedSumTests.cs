using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Language;

/// <summary>Ranked sums (docs/language.md §6.10): sums over the elements ordered before each reader, by a sort.</summary>
public static partial class RankedLosses
{
    private const string CoxExpression = "mean[i | ev[i] > 0](log(sum[j | t[j] >= t[i]](exp(eta[j]))) - eta[i])";

    /// <summary>The Cox partial likelihood (Breslow's ties): each event against its risk set, the rows that lasted at least as long.</summary>
    [GeneratedLoss(CoxExpression)]
    public static partial float Cox(ReadOnlySpan<float> eta, ReadOnlySpan<float> t, ReadOnlySpan<float> ev, Span<float> deta);

    /// <summary>The same in double.</summary>
    [GeneratedLoss(CoxExpression)]
    public static partial double CoxDouble(ReadOnlySpan<double> eta, ReadOnlySpan<double> t, ReadOnlySpan<double> ev, Span<double> deta);

    /// <summary>The squared earth mover's distance of each row's softmax to a target distribution: cumulative sums along the classes (a prefix scan per row).</summary>
    [GeneratedLoss("""
        index k : classes;
        p[i, k] = softmax[k](z[i, k]);
        mean[i](sum[k]((sum[m | m <= k](p[i, m] - q[i, m]))^2))
        """)]
    public static partial float EarthMover(ReadOnlySpan<float> z, ReadOnlySpan<float> q, Span<float> dz, int classes);

    /// <summary>
    /// Strict ascending keys of the elements read at another extent's keys (an Int key among them), a filter on the
    /// elements and one on the readers: each reader's weight times the values below its threshold.
    /// </summary>
    [GeneratedLoss("""
        index r : readers;
        mean[r | on[r] > 0](w[r] * sum[j | x[j] < y[r] && m[j] > 0](v[j]) + u[r] * sum[j | x[j] <= lim[r]](v[j]^2))
        """)]
    public static partial float Thresholds(ReadOnlySpan<float> x, ReadOnlySpan<float> m, ReadOnlySpan<float> v, ReadOnlySpan<float> y,
        ReadOnlySpan<int> lim, ReadOnlySpan<float> on, ReadOnlySpan<float> w, ReadOnlySpan<float> u, Span<float> dv, Span<float> dw, int readers);

    /// <summary>
    /// Descending keys with ties broken by descending index, the same keys with ties by ascending index (which reuses
    /// the first order with its ties reversed; the adjoints read both backwards), and an index key read at an Int
    /// tensor (out of range included).
    /// </summary>
    [GeneratedLoss("""
        sum[i](w[i] * sum[j | x[j] > x[i] || x[j] == x[i] && j >= i](v[j]))
        + sum[i](w[i] * sum[j | x[j] > x[i] || x[j] == x[i] && j < i](v[j]^2))
        + sum[i](w[i] * sum[j | j < at[i]](v[j]) + sum[j | j >= at[i]](w[j] * v[j]))
        """)]
    public static partial float Orders(ReadOnlySpan<float> x, ReadOnlySpan<float> v, ReadOnlySpan<float> w, ReadOnlySpan<int> at, Span<float> dv, Span<float> dw);
}

/// <summary>
/// Ranked sums against float64 definitions written out here (the sorted algorithms as PyTorch's users write them:
/// <c>torch.sort</c> and <c>cumsum</c>), the interpreter (dense filtered sums) and finite differences, at every SIMD width
/// and 1 and 2 threads, each kernel called twice; ties, NaN keys, readers' filters, empty sets; the plans sort once and
/// have no loop over the elements inside a loop over the readers.
/// </summary>
[Collection("LossParallel")]
public class RankedSumTests
{
    private static (float Loss, Dictionary<string, float[]> Gradients) RunEverywhere(string name, Dictionary<string, object> inputs, int finiteDifferences = 6) =>
        LossCheck.RunEverywhere(typeof(RankedLosses), name, inputs, finiteDifferences);

    /// <summary>Survival data: times with ties (rounded), about 60% events, the first row an event.</summary>
    internal static Dictionary<string, object> CoxInputs(Random rng, int n) => new()
    {
        ["eta"] = Normal(rng, n),
        ["t"] = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 20, 0)).ToArray(),
        ["ev"] = Enumerable.Range(0, n).Select(i => i == 0 || rng.NextDouble() < 0.6 ? 1f : 0f).ToArray(),
    };

    /// <summary>The Cox loss and its gradient in float64, from the definition: risk sets by sorting the times descending.</summary>
    private static (double Loss, double[] Deta) CoxReference(float[] eta, float[] t, float[] ev)
    {
        int n = eta.Length;
        var order = Enumerable.Range(0, n).OrderByDescending(i => t[i]).ToArray();
        // risk[i] = sum of exp(eta[j]) over t[j] >= t[i]: cumulative over the descending order, to the end of i's tie block.
        var risk = new double[n];
        double running = 0;
        for (int a = 0; a < n;)
        {
            int b = a;
            while (b < n && t[order[b]] == t[order[a]]) running += Math.Exp(eta[order[b++]]);
            for (int c = a; c < b; c++) risk[order[c]] = running;
            a = b;
        }
        int events = ev.Count(x => x > 0);
        double loss = 0;
        var deta = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (ev[i] <= 0) continue;
            loss += (Math.Log(risk[i]) - eta[i]) / events;
            deta[i] -= 1.0 / events;
            for (int j = 0; j < n; j++)
                if (t[j] >= t[i]) deta[j] += Math.Exp(eta[j]) / risk[i] / events;
        }
        return (events == 0 ? double.NaN : loss, deta);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(400)]
    public void CoxMatchesTheReference(int n)
    {
        var inputs = CoxInputs(new Random(n), n);
        var (loss, grads) = RunEverywhere(nameof(RankedLosses.Cox), inputs);
        var (expected, deta) = CoxReference((float[])inputs["eta"], (float[])inputs["t"], (float[])inputs["ev"]);
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["deta"], deta, "deta (float64 reference)");
    }

    [Fact]
    public void TheDoubleCoxKernelMatchesTheReferenceTo1e12()
    {
        var inputs = CoxInputs(new Random(3), 301);
        float[] eta = (float[])inputs["eta"], t = (float[])inputs["t"], ev = (float[])inputs["ev"];
        var deta = new double[eta.Length];
        double[] eta64 = Array.ConvertAll(eta, v => (double)v), t64 = Array.ConvertAll(t, v => (double)v), ev64 = Array.ConvertAll(ev, v => (double)v);
        double loss = RankedLosses.CoxDouble(eta64, t64, ev64, deta);
        // Called twice: the same bits (the scratch buffers of the first call hold nothing the second reads).
        var again = new double[eta.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(RankedLosses.CoxDouble(eta64, t64, ev64, again)));
        Assert.Equal(deta.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
        var (expected, reference) = CoxReference(eta, t, ev);
        Assert.True(Math.Abs(loss - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"loss {loss:R}, reference {expected:R}");
        for (int k = 0; k < deta.Length; k++)
            Assert.True(Math.Abs(deta[k] - reference[k]) <= 1e-12 * (1 + Math.Abs(reference[k])), $"deta[{k}] = {deta[k]:R}, reference {reference[k]:R}");
    }

    internal static Dictionary<string, object> EarthMoverInputs(Random rng, int n, int classes)
    {
        var q = new float[n * classes];
        for (int i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, classes).Select(_ => rng.NextDouble()).ToArray();
            double s = row.Sum();
            for (int k = 0; k < classes; k++) q[i * classes + k] = (float)(row[k] / s);
        }
        return new() { ["z"] = Normal(rng, n * classes, 2), ["q"] = q, ["classes"] = classes };
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 5)]
    [InlineData(70, 37)]
    public void EarthMoverMatchesTheReference(int n, int classes)
    {
        var inputs = EarthMoverInputs(new Random(n * 7 + classes), n, classes);
        var (loss, grads) = RunEverywhere(nameof(RankedLosses.EarthMover), inputs);
        float[] z = (float[])inputs["z"], q = (float[])inputs["q"];
        double expected = 0;
        var dz = new double[z.Length];
        for (int i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, classes).Select(k => (double)z[i * classes + k]).ToArray();
            double max = row.Max(), s = row.Sum(x => Math.Exp(x - max));
            var p = row.Select(x => Math.Exp(x - max) / s).ToArray();
            // cdf[k] = cumsum(p - q); dL/dp[m] = sum over k >= m of 2 cdf[k] / n; then through the softmax.
            var cdf = new double[classes];
            double run = 0;
            for (int k = 0; k < classes; k++) { run += p[k] - q[i * classes + k]; cdf[k] = run; expected += run * run / n; }
            var dp = new double[classes];
            double suffix = 0;
            for (int k = classes - 1; k >= 0; k--) { suffix += 2 * cdf[k] / n; dp[k] = suffix; }
            double dot = Enumerable.Range(0, classes).Sum(k => dp[k] * p[k]);
            for (int k = 0; k < classes; k++) dz[i * classes + k] = p[k] * (dp[k] - dot);
        }
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dz"], dz, "dz (float64 reference)");
    }

    /// <summary>Logits and binary labels; some errors tied (logits of a few values), so the index tie-break decides.</summary>
    internal static Dictionary<string, object> LovaszInputs(Random rng, int images, int pixels, bool ties) => new()
    {
        ["z"] = Enumerable.Range(0, images * pixels).Select(_ => ties ? (float)(rng.Next(5) - 2) * 0.75f : (float)(rng.NextDouble() * 4 - 2)).ToArray(),
        ["g"] = Enumerable.Range(0, images * pixels).Select(_ => rng.Next(3) == 0 ? 1f : 0f).ToArray(),
        ["pixels"] = pixels,
    };

    /// <summary>
    /// The Lovász hinge as its authors' code computes it (lovasz_hinge_flat per image, then the mean): errors sorted
    /// descending (a stable sort: ties by index), the Jaccard loss of the sorted labels' cumulative sums, its steps.
    /// </summary>
    private static (double Loss, double[] Dz) LovaszReference(float[] z, float[] g, int pixels)
    {
        int images = z.Length / pixels;
        double loss = 0;
        var dz = new double[z.Length];
        for (int b = 0; b < images; b++)
        {
            double Error(int p) => 1 - (double)z[b * pixels + p] * (2 * g[b * pixels + p] - 1);
            var order = Enumerable.Range(0, pixels).OrderByDescending(Error).ToArray(); // LINQ's sort is stable
            double gts = Enumerable.Range(0, pixels).Sum(p => (double)g[b * pixels + p]);
            var jaccard = new double[pixels];
            double cum = 0;
            for (int k = 0; k < pixels; k++)
            {
                cum += g[b * pixels + order[k]];
                double intersection = gts - cum, union = gts + (k + 1 - cum);
                jaccard[k] = 1 - intersection / union;
            }
            for (int k = pixels - 1; k > 0; k--) jaccard[k] -= jaccard[k - 1];
            for (int k = 0; k < pixels; k++)
            {
                int p = order[k];
                double e = Error(p);
                loss += Math.Max(0, e) * jaccard[k] / images;
                // d relu(e)/dz at e > 0 (PyTorch's relu gives 0 at e = 0; the inputs avoid it).
                if (e > 0) dz[b * pixels + p] = -(2 * g[b * pixels + p] - 1) * jaccard[k] / images;
            }
        }
        return (loss, dz);
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 50, false)]
    [InlineData(2, 333, true)]
    public void LovaszHingeMatchesItsAuthorsAlgorithm(int images, int pixels, bool ties)
    {
        var inputs = LovaszInputs(new Random(images * 1000 + pixels), images, pixels, ties);
        // The library's declaration (LossDsl.Losses.Structured, catalog S07). With tied errors every move of a logit
        // reorders the ties (the weights jump): no smooth coordinate to difference.
        var (loss, grads) = LossCheck.RunEverywhere(typeof(LossDsl.Losses.Structured), nameof(LossDsl.Losses.Structured.LovaszHinge), inputs, ties ? 0 : 6);
        var (expected, dz) = LovaszReference((float[])inputs["z"], (float[])inputs["g"], pixels);
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dz"], dz, "dz (float64 reference)");
    }

    internal static Dictionary<string, object> ThresholdInputs(Random rng, int n, int readers)
    {
        // Keys on a coarse grid (ties with the readers' keys), some NaN keys on both sides.
        float Key() => rng.Next(12) == 0 ? float.NaN : (float)rng.Next(-4, 5) * 0.5f;
        return new()
        {
            ["x"] = Enumerable.Range(0, n).Select(_ => Key()).ToArray(),
            ["m"] = Enumerable.Range(0, n).Select(_ => rng.Next(4) == 0 ? 0f : 1f).ToArray(),
            ["v"] = Normal(rng, n),
            ["y"] = Enumerable.Range(0, readers).Select(_ => Key()).ToArray(),
            ["lim"] = Enumerable.Range(0, readers).Select(_ => rng.Next(-3, 4)).ToArray(),
            ["on"] = Enumerable.Range(0, readers).Select(r => r > 0 && rng.Next(5) == 0 ? 0f : 1f).ToArray(),
            ["w"] = Normal(rng, readers), ["u"] = Normal(rng, readers), ["readers"] = readers,
        };
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(30, 7)]
    [InlineData(257, 100)]
    public void FiltersTiesAndNaNKeysMatchTheReference(int n, int readers)
    {
        var inputs = ThresholdInputs(new Random(n + readers), n, readers);
        var (loss, grads) = RunEverywhere(nameof(RankedLosses.Thresholds), inputs);
        float[] x = (float[])inputs["x"], m = (float[])inputs["m"], v = (float[])inputs["v"], y = (float[])inputs["y"], on = (float[])inputs["on"];
        float[] w = (float[])inputs["w"], u = (float[])inputs["u"];
        int[] lim = (int[])inputs["lim"];
        int kept = on.Count(o => o > 0);
        double expected = 0;
        var dv = new double[n];
        var dw = new double[readers];
        for (int r = 0; r < readers; r++)
        {
            if (on[r] <= 0) continue;
            // NaN compares false: a NaN key is kept by no reader, a NaN reader keeps nothing.
            var below = Enumerable.Range(0, n).Where(j => x[j] < y[r] && m[j] > 0).ToList();
            var upTo = Enumerable.Range(0, n).Where(j => x[j] <= lim[r]).ToList();
            double s1 = below.Sum(j => (double)v[j]), s2 = upTo.Sum(j => (double)v[j] * v[j]);
            expected += (w[r] * s1 + u[r] * s2) / kept;
            dw[r] = s1 / kept;
            foreach (int j in below) dv[j] += w[r] / kept;
            foreach (int j in upTo) dv[j] += 2 * u[r] * v[j] / kept;
        }
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dv"], dv, "dv (float64 reference)");
        AssertGradientClose(grads["dw"], dw, "dw (float64 reference)");
    }

    internal static Dictionary<string, object> OrderInputs(Random rng, int n) => new()
    {
        ["x"] = Enumerable.Range(0, n).Select(_ => (float)rng.Next(6)).ToArray(),
        ["v"] = Normal(rng, n), ["w"] = Normal(rng, n),
        ["at"] = Enumerable.Range(0, n).Select(_ => rng.Next(-2, n + 3)).ToArray(),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(515)]
    public void DescendingTiesAndIndexKeysMatchTheReference(int n)
    {
        var inputs = OrderInputs(new Random(n * 3), n);
        var (loss, grads) = RunEverywhere(nameof(RankedLosses.Orders), inputs);
        float[] x = (float[])inputs["x"], v = (float[])inputs["v"], w = (float[])inputs["w"];
        int[] at = (int[])inputs["at"];
        double expected = 0;
        var dv = new double[n];
        var dw = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (x[j] > x[i] || x[j] == x[i] && j >= i) { expected += (double)w[i] * v[j]; dv[j] += w[i]; dw[i] += v[j]; }
                if (x[j] > x[i] || x[j] == x[i] && j < i) { expected += (double)w[i] * v[j] * v[j]; dv[j] += 2.0 * w[i] * v[j]; dw[i] += (double)v[j] * v[j]; }
                if (j < at[i]) { expected += (double)w[i] * v[j]; dv[j] += w[i]; dw[i] += v[j]; }
                if (j >= at[i]) { expected += (double)w[j] * v[j]; dv[j] += w[j]; dw[j] += v[j]; }
            }
        AssertClose(loss, expected, "loss (float64 reference)");
        AssertGradientClose(grads["dv"], dv, "dv (float64 reference)");
        AssertGradientClose(grads["dw"], dw, "dw (float64 reference)");
    }

    [Fact]
    public void EmptyExtentsGiveZeroSums()
    {
        // No elements: every reader's sum is 0 (the readers' weights see 0); no readers: nothing to read.
        var inputs = ThresholdInputs(new Random(1), 0, 3);
        var (loss, grads) = RunEverywhere(nameof(RankedLosses.Thresholds), inputs);
        Assert.Equal(0f, loss);
        Assert.All(grads["dw"], g => Assert.Equal(0f, g));
    }

    /// <summary>
    /// The plans: each ranked sum is three passes (elements, one sort per batch point, lookups), and the keys are sorted
    /// once however many sums read them; the Cox loss has no loop
    /// over the rows inside a loop over the rows (it had one per risk set before); an Int key other than the index
    /// stays a dense filtered sum (its order would not survive the conversion to float).
    /// </summary>
    [Theory]
    [InlineData("mean[i | ev[i] > 0](log(sum[j | t[j] >= t[i]](exp(eta[j]))) - eta[i])", "eta:F, t:F, ev:F, deta:G", 2, 1, true)]
    [InlineData("index k : classes; p[i, k] = softmax[k](z[i, k]); mean[i](sum[k]((sum[m | m <= k](p[i, m] - q[i, m]))^2))", "z:F, q:F, dz:G, classes:N", 2, 2, false)]
    [InlineData("sum[i](sum[j | lab[j] <= lab[i]](x[j]))", "x:F, lab:I, dx:G", 0, 0, false)]
    [InlineData("index p : pixels; e[b, p] = 1 - z[b, p] * (2 * g[b, p] - 1); k[b, p] = count[j](e[b, j] > e[b, p] || e[b, j] == e[b, p] && j <= p); "
        + "c[b, p] = sum[j | e[b, j] > e[b, p] || e[b, j] == e[b, p] && j <= p](g[b, j]); mean[b](sum[p](relu(e[b, p]) * sg(c[b, p] / k[b, p])))", "z:F, g:F, dz:G, pixels:N", 2, 1, false)]
    public void ThePlansSortInsteadOfNestingTheElements(string expression, string parameters, int sumPasses, int sorts, bool flat)
    {
        var compilation = LossCompiler.Compile(expression, LanguageParameters.Parse(parameters), differentiate: true, plan: true);
        Assert.DoesNotContain(compilation.Diagnostics, d => d.Severity == DslSeverity.Error);
        var plan = compilation.ForwardBackward!;
        Assert.Equal(sumPasses, plan.Passes.OfType<RankSortPassPlan>().Count());
        // A later sum over the same keys reuses the order of the first (Cox's adjoint, backwards; the second count over
        // Lovász's errors): one sort, or one prefix scan per sum.
        Assert.Equal(sorts, plan.Passes.OfType<RankSortPassPlan>().Count(p => p.Sum.SharedOrder is null));
        Assert.All(plan.Passes.OfType<RankSortPassPlan>().Where(p => p.Sum.SharedOrder is not null), p => Assert.NotNull(p.Sum.SharedOrder!.KeptOrder));
        if (flat) Assert.All(plan.Passes.OfType<LoopPassPlan>(), pass => Assert.DoesNotContain(pass.Loop.Body, s => s is PlanLoop or VersionedLoop));
    }
}
