using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LossDsl.Interpretation;
using LossDsl.Numerics;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Tests.Infrastructure.LossCheck;

namespace LossDsl.Tests.Outputs;

/// <summary>
/// Outputs of the element types and tensor spans of docs/language.md §2.1 (§2.4, element types): double outputs of a
/// loss computed in double against the interpreter to 1e-12 (a row loss and a pair space's per-row terms), Half and
/// BFloat16 outputs of a float loss equal to the float64 values within the type's rounding, and tensor-span outputs
/// with the binding's shape, written as the span outputs of the same declaration are; the checks of each.
/// </summary>
public class OutputElementTypeTests
{
    private const double DoubleTolerance = 1e-12;

    private static LossEvaluation Interpret(string method, Dictionary<string, object> arguments, params LossParameterDeclaration[] declarations) =>
        LossExpression.Parse(LossInvoker.ExpressionOf(LossInvoker.Find(typeof(OutputLosses), method)), declarations).EvaluateWithGradients(arguments);

    private static void AssertDoubleClose(double actual, double expected, string what) =>
        Assert.True(Math.Abs(actual - expected) <= DoubleTolerance * (1 + Math.Abs(expected)), $"{what}: kernel {actual:R} vs interpreter {expected:R}");

    private static void AssertDoublesClose(double[] actual, double[] expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < actual.Length; k++) AssertDoubleClose(actual[k], expected[k], $"{what}[{k}]");
    }

    private static double[] Doubles(float[] v) => Array.ConvertAll(v, x => (double)x);

    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(7, 16)]
    [InlineData(33, 100)]
    public void DoubleOutputsOfADoubleLossAgreeWithTheInterpreter(int rows, int classes)
    {
        var rng = new Random(rows * 31 + classes);
        var z = Doubles(Normal(rng, rows * classes, 3));
        var labels = Labels(rng, rows, classes);
        var dz = new double[z.Length];
        var terms = new double[rows];
        Array.Fill(terms, double.NaN);
        double loss = OutputLosses.CrossEntropyDouble(z, Array.ConvertAll(labels, l => (long)l), dz, terms);

        var reference = Interpret(nameof(OutputLosses.CrossEntropyDouble), new() { ["z"] = z, ["y"] = labels },
            LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("y"), LossParameterDeclaration.Gradient("dz"), LossParameterDeclaration.Output("terms"));
        AssertDoubleClose(loss, reference.Loss, "loss");
        AssertDoublesClose(terms, reference.Outputs["terms"], "terms");
        AssertDoublesClose(dz, reference.Gradients["dz"], "dz");

        // The forward overload writes them too.
        var forwardTerms = new double[rows];
        AssertDoubleClose(OutputLosses.CrossEntropyDouble(z, Array.ConvertAll(labels, l => (long)l), forwardTerms), reference.Loss, "forward loss");
        AssertDoublesClose(forwardTerms, reference.Outputs["terms"], "forward terms");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    public void PerRowTermsOfADoublePairSpaceAgreeWithTheInterpreter(int pairs)
    {
        var rng = new Random(pairs);
        int m = 2 * pairs, dim = 5;
        var z = Doubles(Normal(rng, m * dim));
        var pos = Enumerable.Range(0, m).Select(i => i ^ 1).ToArray();
        var dz = new double[z.Length];
        var terms = new double[m];
        double loss = OutputLosses.InfoNceDouble(z, pos, dz, terms, 0.5);

        var reference = Interpret(nameof(OutputLosses.InfoNceDouble), new() { ["z"] = z, ["pos"] = pos, ["tau"] = 0.5 },
            LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("pos"), LossParameterDeclaration.Gradient("dz"),
            LossParameterDeclaration.Output("terms"), LossParameterDeclaration.Real("tau"));
        AssertDoubleClose(loss, reference.Loss, "loss");
        AssertDoublesClose(terms, reference.Outputs["terms"], "terms");
        AssertDoublesClose(dz, reference.Gradients["dz"], "dz");
    }

    [Fact]
    public void HalfAndBFloat16OutputsAreTheValuesRoundedToTheirType()
    {
        var rng = new Random(3);
        int rows = 33, classes = 100;
        var z = Normal(rng, rows * classes, 3);
        var y = Labels(rng, rows, classes);
        var dz = new float[z.Length];
        var terms = new Half[rows];
        var lse = new BFloat16[rows];
        var top = new Half[1];
        float loss = OutputLosses.CrossEntropyRounded(z, y, dz, terms, lse, top);

        // The loss and the gradient are the float kernel's (the outputs add nothing to them).
        var dzFloat = new float[z.Length];
        float lossFloat = PerSampleLosses.CrossEntropyPerSample(z, y, dzFloat, new float[rows]);
        AssertClose(loss, lossFloat, "loss");
        AssertGradientClose(dz, Doubles(dzFloat), "dz");

        // Each output within its type's rounding (half an ulp: 2^-11 for Half, 2^-8 for BFloat16) of the float64 value.
        double maxTerm = double.NegativeInfinity;
        for (int i = 0; i < rows; i++)
        {
            double rowLse = LogSumExp(Enumerable.Range(0, classes).Select(c => (double)z[i * classes + c]));
            double term = rowLse - z[i * classes + y[i]];
            maxTerm = Math.Max(maxTerm, term);
            Assert.True(Math.Abs((double)terms[i] - term) <= Math.Pow(2, -11) * Math.Abs(term) + 1e-5 * (1 + Math.Abs(term)), $"terms[{i}] = {(double)terms[i]} vs {term}");
            Assert.True(Math.Abs((float)lse[i] - rowLse) <= Math.Pow(2, -8) * Math.Abs(rowLse) + 1e-5 * (1 + Math.Abs(rowLse)), $"lse[{i}] = {(float)lse[i]} vs {rowLse}");
        }
        Assert.True(Math.Abs((double)top[0] - maxTerm) <= Math.Pow(2, -11) * Math.Abs(maxTerm) + 1e-5 * (1 + maxTerm), $"top = {(double)top[0]} vs {maxTerm}");

        // Lengths, and memory shared across element types (compared as bytes).
        Assert.Equal("terms", Assert.Throws<ArgumentException>(() => OutputLosses.CrossEntropyRounded(z, y, dz, new Half[rows + 1], lse, top)).ParamName);
        Assert.Equal("top", Assert.Throws<ArgumentException>(() => OutputLosses.CrossEntropyRounded(z, y, dz, terms, lse, new Half[2])).ParamName);
        var shared = new Half[rows];
        var overlap = Assert.Throws<ArgumentException>(() => OutputLosses.CrossEntropyRounded(z, y, dz, shared, MemoryMarshal.Cast<Half, BFloat16>(shared.AsSpan()), top));
        Assert.Equal("lse", overlap.ParamName);
        Assert.Contains("overlaps 'terms'", overlap.Message);
        var onInput = Assert.Throws<ArgumentException>(() => OutputLosses.CrossEntropyRounded(z, y, dz, terms, lse, MemoryMarshal.Cast<float, Half>(z.AsSpan(0, 1)).Slice(0, 1)));
        Assert.Equal("top", onInput.ParamName);
        Assert.Contains("overlaps 'z'", onInput.Message);
    }

    [Fact]
    public void TensorSpanOutputsHaveTheBindingsShape()
    {
        var rng = new Random(4);
        int rows = 7, classes = 5;
        var z = Normal(rng, rows * classes, 3);
        var y = Labels(rng, rows, classes);
        float[] prob = new float[rows * classes], margin = new float[1], dz = new float[z.Length];
        float loss = OutputLosses.CrossEntropyStatisticsTensor(z, y, dz, new TensorSpan<float>(prob, new nint[] { rows, classes }), new TensorSpan<float>(margin, new nint[] { 1 }));

        // The same values as the span outputs of the same declaration.
        float[] probSpan = new float[rows * classes], marginSpan = new float[1], dzSpan = new float[z.Length];
        float lossSpan = OutputLosses.CrossEntropyStatistics(z, y, dzSpan, probSpan, marginSpan);
        Assert.Equal(lossSpan, loss);
        Assert.Equal(probSpan, prob);
        Assert.Equal(marginSpan, margin);
        Assert.Equal(dzSpan, dz);

        // One value at any rank.
        var margin2 = new float[1];
        OutputLosses.CrossEntropyStatisticsTensor(z, y, dz, new TensorSpan<float>(prob, new nint[] { rows, classes }), new TensorSpan<float>(margin2, new nint[] { 1, 1 }));
        Assert.Equal(marginSpan, margin2);

        // The rank of the binding's indices, their extents as Lengths, one element for one value.
        var flat = Assert.Throws<ArgumentException>(() =>
            OutputLosses.CrossEntropyStatisticsTensor(z, y, dz, new TensorSpan<float>(prob, new nint[] { rows * classes }), new TensorSpan<float>(margin, new nint[] { 1 })));
        Assert.Equal("prob", flat.ParamName);
        Assert.Contains("has rank 1 but its binding has 2 indices", flat.Message);
        var transposed = Assert.Throws<ArgumentException>(() =>
            OutputLosses.CrossEntropyStatisticsTensor(z, y, dz, new TensorSpan<float>(prob, new nint[] { classes, rows }), new TensorSpan<float>(margin, new nint[] { 1 })));
        Assert.Equal("prob", transposed.ParamName);
        Assert.Contains("on axis 0", transposed.Message);
        var two = Assert.Throws<ArgumentException>(() =>
            OutputLosses.CrossEntropyStatisticsTensor(z, y, dz, new TensorSpan<float>(prob, new nint[] { rows, classes }), new TensorSpan<float>(new float[2], new nint[] { 2 })));
        Assert.Equal("margin", two.ParamName);
        Assert.Contains("holds one value", two.Message);
    }
}
