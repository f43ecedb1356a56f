using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Interpretation;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Outputs;

/// <summary>
/// Losses with outputs (per-sample terms, statistics): every kernel called twice with identical results, its loss,
/// gradients and outputs compared with the interpreter element by element, its loss and outputs with a float64
/// reference written from the formula, and its gradients with central finite differences of that reference's loss
/// (an output does not change the gradient); the overloads, the length checks and the interpreter's API.
/// </summary>
public class OutputTests
{
    /// <summary>The float64 reference of a loss: the loss and each output, from the inputs (tensors as double[]).</summary>
    public delegate (double Loss, Dictionary<string, double[]> Outputs) ReferenceFunction(Func<string, double[]> tensor, Func<string, object> input);

    /// <summary>
    /// A loss with outputs, its inputs at a size, its reference and the sizes to test; the interpreter (slow on pair
    /// spaces, whose gradients it evaluates pair by pair) up to <paramref name="InterpreterSizes"/>.
    /// </summary>
    public sealed record Case(Type Type, string Method, Func<Random, int, Dictionary<string, object>> Inputs, ReferenceFunction Reference, int[] Sizes,
        int InterpreterSizes = int.MaxValue)
    {
        public override string ToString() => Method;

        /// <summary>The reference's loss and outputs on <paramref name="inputs"/> (its float tensors widened to double).</summary>
        public (double Loss, Dictionary<string, double[]> Outputs) ReferenceOf(IReadOnlyDictionary<string, object> inputs)
        {
            var tensors = inputs.Where(kv => kv.Value is float[]).ToDictionary(kv => kv.Key, kv => Array.ConvertAll((float[])kv.Value, v => (double)v));
            return Reference(name => tensors[name], name => inputs[name]);
        }

        /// <summary>The length of each output on <paramref name="inputs"/>, by its name.</summary>
        public Dictionary<string, int> OutputLengths(IReadOnlyDictionary<string, object> inputs) =>
            ReferenceOf(inputs).Outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Length);
    }

    private static readonly int[] s_elementwiseSizes = { 0, 1, 7, 8, 9, 17, 33, 1000, 4099 };
    private static readonly int[] s_rowSizes = { 1, 2, 7, 33, 100 };

    private static Dictionary<string, object> D(params (string, object)[] kv) => kv.ToDictionary(x => x.Item1, x => x.Item2);

    private static int Classes(int rows) => rows switch { 1 => 1, 2 => 5, 7 => 16, 33 => 100, _ => 4500 };

    private static Dictionary<string, double[]> O(params (string, double[])[] kv) => kv.ToDictionary(x => x.Item1, x => x.Item2);

    public static readonly Case[] Cases =
    {
        new(typeof(PerSampleLosses), nameof(PerSampleLosses.CrossEntropyPerSample),
            (r, n) => D(("logits", Normal(r, n * Classes(n), 3)), ("labels", Labels(r, n, Classes(n)))),
            (t, s) =>
            {
                var terms = CrossEntropyTerms(t("logits"), (int[])s("labels"));
                return (terms.Average(), O(("rowLoss", terms)));
            }, s_rowSizes),
        new(typeof(PerSampleLosses), nameof(PerSampleLosses.CrossEntropyEl2n),
            (r, n) => D(("z", Normal(r, n * Classes(n), 3)), ("y", Labels(r, n, Classes(n)))),
            (t, s) =>
            {
                var z = t("z");
                var y = (int[])s("y");
                int c = z.Length / y.Length;
                var el2n = new double[y.Length];
                double correct = 0;
                for (int i = 0; i < y.Length; i++)
                {
                    var p = Softmax(z.AsSpan(i * c, c));
                    el2n[i] = Math.Sqrt(Enumerable.Range(0, c).Sum(k => Math.Pow(p[k] - (k == y[i] ? 1 : 0), 2)));
                    if (z[i * c + y[i]] >= z.AsSpan(i * c, c).ToArray().Max()) correct++;
                }
                return (CrossEntropyTerms(z, y).Average(), O(("el2n", el2n), ("accuracy", new[] { correct / y.Length })));
            }, s_rowSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.Bce),
            (r, n) => D(("x", Normal(r, n, 3)), ("y", Uniform(r, n, 0, 1))),
            (t, s) =>
            {
                var l = BceTerms(t("x"), t("y"));
                return (l.DefaultIfEmpty(double.NaN).Average(), O(("l", l)));
            }, s_elementwiseSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.BceForward),
            (r, n) => D(("x", Normal(r, n, 3)), ("y", Uniform(r, n, 0, 1))),
            (t, s) =>
            {
                var l = BceTerms(t("x"), t("y"));
                return (l.DefaultIfEmpty(double.NaN).Average(), O(("l", l)));
            }, s_elementwiseSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.CrossEntropyLse),
            (r, n) => D(("z", Normal(r, n * Classes(n), 3)), ("y", Labels(r, n, Classes(n)))),
            (t, s) =>
            {
                var z = t("z");
                var y = (int[])s("y");
                int c = z.Length / y.Length;
                var lse = Enumerable.Range(0, y.Length).Select(i => LogSumExp(z.AsSpan(i * c, c).ToArray())).ToArray();
                return (CrossEntropyTerms(z, y).Average(), O(("lse", lse)));
            }, s_rowSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.SigmoidFocal),
            (r, n) => D(("x", Normal(r, n, 3)), ("y", Bits(r, n)), ("alpha", 0.3f), ("gamma", 1.5f)),
            (t, s) =>
            {
                double alpha = (float)s("alpha"), gamma = (float)s("gamma");
                var x = t("x");
                var y = t("y");
                var focal = new double[x.Length];
                for (int k = 0; k < x.Length; k++)
                {
                    double p = 1 / (1 + Math.Exp(-x[k]));
                    double pt = y[k] * p + (1 - y[k]) * (1 - p), at = alpha * y[k] + (1 - alpha) * (1 - y[k]);
                    focal[k] = at * Math.Pow(1 - pt, gamma) * (Softplus(x[k]) - x[k] * y[k]);
                }
                return (focal.DefaultIfEmpty(double.NaN).Average(), O(("focal", focal)));
            }, s_elementwiseSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.CrossEntropyStatistics),
            (r, n) => D(("z", Normal(r, n * (Classes(n) + 1), 3)), ("y", Labels(r, n, Classes(n) + 1))),
            (t, s) =>
            {
                var z = t("z");
                var y = (int[])s("y");
                int c = z.Length / y.Length;
                var prob = new double[z.Length];
                double margin = 0;
                for (int i = 0; i < y.Length; i++)
                {
                    Softmax(z.AsSpan(i * c, c)).CopyTo(prob, i * c);
                    margin += z[i * c + y[i]] - Enumerable.Range(0, c).Where(k => k != y[i]).Max(k => z[i * c + k]);
                }
                return (CrossEntropyTerms(z, y).Average(), O(("prob", prob), ("margin", new[] { margin / y.Length })));
            }, s_rowSizes),
        new(typeof(OutputLosses), nameof(OutputLosses.InfoNce),
            (r, n) => D(("z", Normal(r, 2 * n * 5)), ("pos", Enumerable.Range(0, 2 * n).Select(i => i ^ 1).ToArray()), ("tau", 0.5f)),
            (t, s) =>
            {
                var z = Normalized(t("z"), 5);
                var pos = (int[])s("pos");
                double tau = (float)s("tau");
                var terms = new double[z.Length];
                for (int i = 0; i < z.Length; i++)
                {
                    var others = Enumerable.Range(0, z.Length).Where(j => j != i).Select(j => Dot(z[i], z[j]) / tau);
                    terms[i] = LogSumExp(others) - Dot(z[i], z[pos[i]]) / tau;
                }
                return (terms.Average(), O(("terms", terms)));
            }, new[] { 1, 4, 33, 65 }, 4),
        new(typeof(OutputLosses), nameof(OutputLosses.InfoNceSimilarities),
            (r, n) => D(("z", Normal(r, 2 * n * 5)), ("pos", Enumerable.Range(0, 2 * n).Select(i => i ^ 1).ToArray()), ("tau", 0.5f)),
            (t, s) =>
            {
                var z = Normalized(t("z"), 5);
                var pos = (int[])s("pos");
                double tau = (float)s("tau");
                var similarities = new double[z.Length * z.Length];
                for (int i = 0; i < z.Length; i++)
                    for (int j = 0; j < z.Length; j++) similarities[i * z.Length + j] = Dot(z[i], z[j]) / tau;
                double loss = Enumerable.Range(0, z.Length).Average(i =>
                    LogSumExp(Enumerable.Range(0, z.Length).Where(j => j != i).Select(j => similarities[i * z.Length + j])) - similarities[i * z.Length + pos[i]]);
                return (loss, O(("s", similarities)));
            }, new[] { 1, 4, 65 }, 4),
        new(typeof(OutputLosses), nameof(OutputLosses.LinearCrossEntropy),
            (r, n) => D(("h", Normal(r, n * 11, 0.5)), ("w", Normal(r, (n / 2 + 3) * 11, 0.5)), ("y", Labels(r, n, n / 2 + 3))),
            (t, s) =>
            {
                var h = Rows(t("h"), 11);
                var w = Rows(t("w"), 11);
                var y = (int[])s("y");
                var terms = h.Select((row, i) => LogSumExp(w.Select(v => Dot(row, v))) - Dot(row, w[y[i]])).ToArray();
                return (terms.Average(), O(("terms", terms)));
            }, new[] { 1, 7, 65, 130 }, 7),
    };

    public static TheoryData<Case> AllCases() => new(Cases);

    // ---- References ---------------------------------------------------------------------------------------------

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double[] BceTerms(double[] x, double[] y) => x.Select((v, k) => Softplus(v) - v * y[k]).ToArray();

    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return double.NegativeInfinity;
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    private static double[] Softmax(ReadOnlySpan<double> row)
    {
        var v = row.ToArray();
        double lse = LogSumExp(v);
        return v.Select(x => Math.Exp(x - lse)).ToArray();
    }

    private static double[] CrossEntropyTerms(double[] z, int[] y)
    {
        int c = z.Length / y.Length;
        return y.Select((label, i) => LogSumExp(z.AsSpan(i * c, c).ToArray()) - z[i * c + label]).ToArray();
    }

    private static double[][] Rows(double[] m, int dim) => Enumerable.Range(0, m.Length / dim).Select(i => m.AsSpan(i * dim, dim).ToArray()).ToArray();

    private static double[][] Normalized(double[] m, int dim) => Rows(m, dim).Select(r =>
    {
        double norm = Math.Sqrt(r.Sum(v => v * v));
        return r.Select(v => v / norm).ToArray();
    }).ToArray();

    private static double Dot(double[] a, double[] b) => a.Select((v, k) => v * b[k]).Sum();

    // ---- Running a kernel ---------------------------------------------------------------------------------------

    private static MethodInfo Method(Case c) => LossInvoker.Find(c.Type, c.Method);

    /// <summary>
    /// The generated overload of <paramref name="method"/> without the gradients (every other parameter, outputs
    /// included), or null for a loss without gradients.
    /// </summary>
    public static MethodInfo? ForwardOverload(MethodInfo method)
    {
        var ps = method.GetParameters();
        var gradients = ps.Where(p => p.ParameterType == typeof(Span<float>) && ps.Any(q => q.ParameterType == typeof(ReadOnlySpan<float>) && "d" + q.Name == p.Name)).ToList();
        if (gradients.Count == 0) return null;
        var names = ps.Except(gradients).Select(p => p.Name).ToArray();
        return LossInvoker.FindOverload(method.DeclaringType!, method.Name, candidate => candidate.Select(p => p.Name).SequenceEqual(names));
    }

    private static LossEvaluation Interpret(MethodInfo method, object[] args) =>
        LossExpression.Parse(LossInvoker.ExpressionOf(method), LossInvoker.Declarations(method)).EvaluateWithGradients(InterpreterArguments(method, args));

    /// <summary>Calls the kernel twice on fresh arrays and checks both calls give the same bits; returns the loss and every span.</summary>
    private static (float Loss, Dictionary<string, float[]> Spans) RunTwice(MethodInfo method, IReadOnlyDictionary<string, object> inputs, IReadOnlyDictionary<string, int> outputLengths)
    {
        var invoker = LossInvoker.For(method);
        var first = KernelArguments(method, inputs, outputLengths);
        var second = KernelArguments(method, inputs, outputLengths);
        float loss = invoker.Invoke(first);
        float again = invoker.Invoke(second);
        Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(again));
        var spans = new Dictionary<string, float[]>();
        var ps = method.GetParameters();
        for (int k = 0; k < ps.Length; k++)
        {
            if (ps[k].ParameterType != typeof(Span<float>)) continue;
            Assert.Equal((float[])first[k], (float[])second[k]);
            spans[ps[k].Name!] = (float[])first[k];
        }
        return (loss, spans);
    }

    private static void AssertValuesClose(float[] actual, double[] expected, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values but {expected.Length} expected");
        for (int k = 0; k < actual.Length; k++)
        {
            double e = expected[k], a = actual[k];
            if (a == e || double.IsNaN(a) && double.IsNaN(e)) continue;
            Assert.True(Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e)), $"{what}[{k}]: kernel {a:R} vs {e:R} (|diff| {Math.Abs(a - e):E3})");
        }
    }

    // ---- Tests --------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(AllCases))]
    public void KernelMatchesTheInterpreterAndTheFloat64Reference(Case c)
    {
        var method = Method(c);
        var rng = new Random(c.Method.Length * 7919);
        foreach (int n in c.Sizes)
        {
            string at = $"{c.Method} at size {n}";
            var inputs = c.Inputs(rng, n);
            var reference = c.ReferenceOf(inputs);
            var lengths = reference.Outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Length);
            var (loss, spans) = RunTwice(method, inputs, lengths);

            // The loss and each output, element by element, against the reference.
            Assert.True(double.IsNaN(reference.Loss) && float.IsNaN(loss) || Math.Abs(loss - reference.Loss) <= 1e-4 * (1 + Math.Abs(reference.Loss)),
                $"{at}: loss {loss:R} vs reference {reference.Loss:R}");
            foreach (var (name, expected) in reference.Outputs) AssertValuesClose(spans[name], expected, 1e-4, $"{at}: {name} (reference)");
            // The forward overload (every parameter but the gradients) writes the outputs too.
            if (ForwardOverload(method) is { } forward)
            {
                var forwardArgs = KernelArguments(forward, inputs, lengths);
                float forwardLoss = LossInvoker.For(forward).Invoke(forwardArgs);
                AssertClose(forwardLoss, loss, at + ": the forward overload's loss");
                var ps = forward.GetParameters();
                for (int k = 0; k < ps.Length; k++)
                    if (ps[k].ParameterType == typeof(Span<float>)) AssertValuesClose((float[])forwardArgs[k], reference.Outputs[ps[k].Name!], 1e-4, $"{at}: {ps[k].Name} (forward)");
            }
            if (n > c.InterpreterSizes) continue;

            // Against the interpreter: the loss, each output (and the interpreter against the reference, both in
            // double), each gradient.
            var interpreted = Interpret(method, KernelArguments(method, inputs, lengths));
            AssertClose(loss, interpreted.Loss, at + ": loss");
            Assert.Equal(reference.Outputs.Keys.OrderBy(k => k), interpreted.Outputs.Keys.OrderBy(k => k));
            foreach (var (name, expected) in reference.Outputs)
            {
                var values = interpreted.Outputs[name];
                for (int k = 0; k < expected.Length; k++)
                    Assert.True(Math.Abs(values[k] - expected[k]) <= 1e-9 * (1 + Math.Abs(expected[k])), $"{at}: interpreter {name}[{k}] = {values[k]:R} vs reference {expected[k]:R}");
                AssertValuesClose(spans[name], values, LossTolerance, $"{at}: {name} (interpreter)");
            }
            foreach (var (name, expected) in interpreted.Gradients) AssertGradientClose(spans[name], expected, $"{at}: {name}");
            Assert.Equal(spans.Count, interpreted.Gradients.Count + interpreted.Outputs.Count);
        }
    }

    /// <summary>The gradients are those of the returned loss: central finite differences of the reference's loss.</summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void GradientsAreThoseOfTheLossWhateverTheOutputs(Case c)
    {
        var method = Method(c);
        var rng = new Random(c.Method.Length * 31);
        int n = c.Sizes.Where(s => s > 1).ElementAt(1);
        var inputs = c.Inputs(rng, n);
        var tensors = inputs.Where(kv => kv.Value is float[]).ToDictionary(kv => kv.Key, kv => Array.ConvertAll((float[])kv.Value, v => (double)v));
        double Reference() => c.Reference(name => tensors[name], name => inputs[name]).Loss;
        var lengths = c.OutputLengths(inputs);
        var (_, spans) = RunTwice(method, inputs, lengths);
        foreach (var (name, g) in spans.Where(kv => !lengths.ContainsKey(kv.Key)))
        {
            var x = tensors[name.Substring(1)];
            double max = g.Select(v => Math.Abs((double)v)).Max();
            int checkedCount = 0;
            for (int trial = 0; trial < 24 && checkedCount < 8; trial++)
            {
                int k = rng.Next(x.Length);
                double x0 = x[k], h = 1e-5 * (1 + Math.Abs(x0));
                x[k] = x0 + h; double plus = Reference();
                x[k] = x0 - h; double minus = Reference();
                x[k] = x0;
                double fd = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(g[k] - fd) <= 1e-3 * Math.Abs(fd) + 2e-4 * max + 1e-7, $"{c.Method}: {name}[{k}] = {g[k]:R} but the reference's finite difference gives {fd:R}");
                checkedCount++;
            }
            Assert.True(checkedCount > 0);
        }
    }

    /// <summary>The per-sample cross-entropy's gradient is, bit for bit, the one of the same loss declared without the output.</summary>
    [Fact]
    public void AnOutputDoesNotChangeTheLossOrTheGradient()
    {
        var rng = new Random(5);
        foreach (int n in s_rowSizes)
        {
            var z = Normal(rng, n * Classes(n), 3);
            var y = Labels(rng, n, Classes(n));
            float[] dz = new float[z.Length], dzPlain = new float[z.Length], terms = new float[n];
            float loss = PerSampleLosses.CrossEntropyPerSample(z, y, dz, terms);
            float plain = ClassicLosses.SoftmaxCrossEntropy(z, y, dzPlain);
            Assert.Equal(plain, loss);
            Assert.Equal(dzPlain, dz);
        }
    }

    [Fact]
    public void TheUpstreamOverloadScalesTheGradientButNotTheOutputsAndTheForwardOverloadWritesThem()
    {
        var rng = new Random(3);
        var z = Normal(rng, 33 * 100, 3);
        var y = Labels(rng, 33, 100);
        float[] dz = new float[z.Length], terms = new float[33];
        float loss = PerSampleLosses.CrossEntropyPerSample(z, y, dz, terms);

        float[] dzScaled = new float[z.Length], termsScaled = new float[33];
        float lossScaled = PerSampleLosses.CrossEntropyPerSample(z, y, dzScaled, termsScaled, 0.25f);
        Assert.Equal(loss, lossScaled);
        Assert.Equal(terms, termsScaled);
        for (int k = 0; k < dz.Length; k++) Assert.Equal(0.25f * dz[k], dzScaled[k], 1e-7f);

        var termsForward = new float[33];
        Array.Fill(termsForward, float.NaN);
        float lossForward = PerSampleLosses.CrossEntropyPerSample(z, y, termsForward);
        Assert.Equal(loss, lossForward, 1e-5f);
        for (int k = 0; k < 33; k++) Assert.Equal(terms[k], termsForward[k], 1e-5f);

        // The forward overload of a loss whose scalar output depends on reductions.
        var accuracy = new[] { float.NaN };
        var el2n = new float[33];
        PerSampleLosses.CrossEntropyEl2n(z, y, el2n, accuracy);
        double expected = Enumerable.Range(0, 33).Count(i => z[i * 100 + y[i]] >= z.AsSpan(i * 100, 100).ToArray().Max()) / 33.0;
        Assert.Equal(expected, accuracy[0], 1e-6);
    }

    [Fact]
    public void WrongOutputLengthsThrowNamingTheParameter()
    {
        var z = new float[12];
        var y = new int[3];
        var dz = new float[12];
        var e = Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyPerSample(z, y, dz, new float[4]));
        Assert.Equal("rowLoss", e.ParamName);
        Assert.Contains("The output 'rowLoss' has length 4 but its shape [n_i] needs 3 elements", e.Message);
        Assert.Equal("rowLoss", Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyPerSample(z, y, dz, new float[2], 2f)).ParamName);
        Assert.Equal("rowLoss", Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyPerSample(z, y, new float[0])).ParamName);

        var scalar = Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyEl2n(z, y, dz, new float[3], new float[2]));
        Assert.Equal("accuracy", scalar.ParamName);
        Assert.Contains("The output 'accuracy' has length 2 but it holds one value", scalar.Message);
        Assert.Equal("accuracy", Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyEl2n(z, y, new float[3], Span<float>.Empty)).ParamName);

        var prob = Assert.Throws<ArgumentException>(() => OutputLosses.CrossEntropyStatistics(z, y, dz, new float[11], new float[1]));
        Assert.Equal("prob", prob.ParamName);
        Assert.Contains("[n_i, n_c] needs 12 elements", prob.Message);
        Assert.Equal("l", Assert.Throws<ArgumentException>(() => OutputLosses.BceForward(new float[5], new float[5], new float[6])).ParamName);
    }

    [Fact]
    public void AnOutputMustNotShareMemoryWithAnInputAGradientOrAnotherOutput()
    {
        var x = new float[8];
        var y = new float[8];
        var dx = new float[8];
        Assert.Equal("l", Assert.Throws<ArgumentException>(() => OutputLosses.Bce(x, y, dx, x)).ParamName);
        Assert.Equal("l", Assert.Throws<ArgumentException>(() => OutputLosses.Bce(x, y, dx, dx)).ParamName);
        Assert.Equal("l", Assert.Throws<ArgumentException>(() => OutputLosses.BceForward(x, y, y)).ParamName);
        var both = new float[4];
        var e = Assert.Throws<ArgumentException>(() => PerSampleLosses.CrossEntropyEl2n(new float[4], new int[2], new float[4], both.AsSpan(0, 2), both.AsSpan(1, 1)));
        Assert.Equal("accuracy", e.ParamName);
        Assert.Contains("overlaps 'el2n'", e.Message);
    }

    [Fact]
    public void TheInterpreterReturnsTheOutputs()
    {
        var ce = LossExpression.Parse(
            "terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; top = max[i](terms[i]); mean[i](terms[i])",
            LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("y"), LossParameterDeclaration.Gradient("dz"),
            LossParameterDeclaration.Output("terms"), LossParameterDeclaration.Gradient("top"));
        var args = new Dictionary<string, object> { ["z"] = new float[] { 1f, 2f, 0.5f, -1f, 0f, 3f }, ["y"] = new[] { 1, 2 } };
        var r = ce.EvaluateWithGradients(args);
        double[] expected = { Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5)) - 2, Math.Log(Math.Exp(-1) + Math.Exp(0) + Math.Exp(3)) - 3 };
        Assert.Equal(expected[0], r.Outputs["terms"][0], 12);
        Assert.Equal(expected[1], r.Outputs["terms"][1], 12);
        Assert.Equal(expected.Max(), Assert.Single(r.Outputs["top"]), 12);
        Assert.Equal(expected.Average(), r.Loss, 12);
        Assert.Equal(6, r.Gradients["dz"].Length);
        Assert.StartsWith("terms[i] = ", ce.OutputOf("terms"));
        Assert.StartsWith("top = max[", ce.OutputOf("top"));
        // The upstream gradient scales the gradients, not the outputs.
        Assert.Equal(r.Outputs["terms"], ce.EvaluateWithGradients(args, upstream: 3).Outputs["terms"]);

        var missing = Assert.Throws<LossExpressionException>(() => LossExpression.Parse("mean(x)", LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Output("dx")));
        Assert.Equal("LOSS0216", missing.Id);
    }
}
