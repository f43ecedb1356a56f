using System;
using System.Collections.Generic;
using LossDsl.Interpretation;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// The interpreter's arguments (docs/language.md §12): every bad argument is an <see cref="ArgumentException"/> (or its
/// <see cref="ArgumentNullException"/>, <see cref="ArgumentOutOfRangeException"/>) whose <c>ParamName</c> is the
/// parameter, never a NullReferenceException, FormatException, InvalidCastException or OverflowException, and never a
/// value silently made up (a null scalar read as 0, a fractional extent truncated).
/// </summary>
public class InterpreterArgumentTests
{
    private const string CrossEntropy = "mean[i](logsumexp[c](z[i, c]) - z[i, y[i]]) * alpha";

    private static readonly LossExpression s_ce = LossExpression.Parse(CrossEntropy,
        LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("y"), LossParameterDeclaration.Gradient("dz"),
        LossParameterDeclaration.Real("alpha"));

    /// <summary>An explicit extent: <c>index c : n</c>.</summary>
    private static readonly LossExpression s_rows = LossExpression.Parse("index c : n; sum[i, c](x[i, c])",
        LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Int("n"));

    private static Dictionary<string, object> Good() => new()
    {
        ["z"] = new float[] { 1f, 2f, 0.5f, -1f, 0f, 3f },
        ["y"] = new[] { 1, 2 },
        ["alpha"] = 0.5,
    };

    private static Dictionary<string, object> With(string name, object? value)
    {
        var args = Good();
        args[name] = value!;
        return args;
    }

    private static Dictionary<string, object> Without(string name)
    {
        var args = Good();
        args.Remove(name);
        return args;
    }

    /// <summary>Both entry points throw <typeparamref name="T"/> (exactly) naming <paramref name="parameter"/>.</summary>
    private static void AssertRejected<T>(LossExpression loss, IReadOnlyDictionary<string, object> args, string parameter, string? message = null)
        where T : ArgumentException
    {
        var e1 = Assert.Throws<T>(() => loss.Evaluate(args));
        var e2 = Assert.Throws<T>(() => loss.EvaluateWithGradients(args));
        Assert.Equal(parameter, e1.ParamName);
        Assert.Equal(parameter, e2.ParamName);
        if (message is not null) Assert.Contains(message, e1.Message);
    }

    [Fact]
    public void TheGoodArgumentsEvaluate()
    {
        // The baseline the other tests break one argument of: docs §12's example, scaled by alpha.
        Assert.Equal(0.5 * 0.26512634393268, s_ce.Evaluate(Good()), 12);
        Assert.Equal(6.0, s_rows.Evaluate(new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3 }, ["n"] = 3 }), 12);
    }

    [Fact]
    public void NullArgumentsAreArgumentNull()
    {
        Assert.Equal("arguments", Assert.Throws<ArgumentNullException>(() => s_ce.Evaluate(null!)).ParamName);
        Assert.Equal("arguments", Assert.Throws<ArgumentNullException>(() => s_ce.EvaluateWithGradients(null!)).ParamName);
    }

    [Theory]
    [InlineData("z")]
    [InlineData("y")]
    [InlineData("alpha")]
    public void AMissingArgumentIsNamed(string name) => AssertRejected<ArgumentException>(s_ce, Without(name), name, "missing");

    [Theory]
    [InlineData("z")]
    [InlineData("y")]
    [InlineData("alpha")]
    public void ANullArgumentIsArgumentNull(string name) => AssertRejected<ArgumentNullException>(s_ce, With(name, null), name);

    [Fact]
    public void ANullIntArgumentIsNotZero() =>
        AssertRejected<ArgumentNullException>(s_rows, new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3 }, ["n"] = null! }, "n");

    [Theory]
    [InlineData("z", "abc")]
    [InlineData("z", 1.5)]
    [InlineData("z", new long[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("y", new float[] { 1, 2 })]
    [InlineData("y", new double[] { 1, 2 })]
    [InlineData("y", "1, 2")]
    public void ATensorOfTheWrongTypeIsNamed(string name, object value) => AssertRejected<ArgumentException>(s_ce, With(name, value), name);

    [Theory]
    [InlineData("1.5")]          // a string where a number belongs: not parsed (FormatException before)
    [InlineData("abc")]
    [InlineData(true)]           // bool and char convert to numbers in Convert.ToDouble; they are not numbers here
    [InlineData('x')]
    public void AScalarThatIsNotANumberIsNamed(object value) => AssertRejected<ArgumentException>(s_ce, With("alpha", value), "alpha", "number");

    [Fact]
    public void AScalarOfAnotherTypeIsNamed()
    {
        // InvalidCastException before: an object that is not IConvertible.
        AssertRejected<ArgumentException>(s_ce, With("alpha", new object()), "alpha");
        AssertRejected<ArgumentException>(s_ce, With("alpha", new[] { 0.5 }), "alpha");
    }

    [Fact]
    public void AnyNumericTypeIsAReal()
    {
        double expected = s_ce.Evaluate(Good());
        foreach (object alpha in new object[] { 0.5f, 0.5m, (Half)0.5f })
            Assert.Equal(expected, s_ce.Evaluate(With("alpha", alpha)), 12);
        Assert.Equal(2 * expected, s_ce.Evaluate(With("alpha", 1L)), 12);
        Assert.Equal(2 * expected, s_ce.Evaluate(With("alpha", (byte)1)), 12);
    }

    [Theory]
    [InlineData(2.5)]                 // truncated to 2 before
    [InlineData(double.NaN)]
    [InlineData(3e9)]                 // beyond int: wrapped before
    [InlineData(-3e9)]
    [InlineData(1L << 40)]
    public void AnIntParameterNeedsAWholeNumberInTheRangeOfInt(object n) =>
        AssertRejected<ArgumentException>(s_rows, new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3 }, ["n"] = n }, "n", "whole number");

    [Fact]
    public void AWholeNumberOfAnyTypeIsAnInt()
    {
        foreach (object n in new object[] { 3, 3L, 3.0, 3f, (short)3, 3m })
            Assert.Equal(6.0, s_rows.Evaluate(new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3 }, ["n"] = n }), 12);
    }

    [Fact]
    public void ANegativeExtentIsOutOfRange() =>
        AssertRejected<ArgumentOutOfRangeException>(s_rows, new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3 }, ["n"] = -3 }, "n");

    [Fact]
    public void AnUnknownNameIsNamed() => AssertRejected<ArgumentException>(s_ce, With("w", new float[] { 1 }), "w", "not a parameter");

    [Fact]
    public void AGradientOrOutputTakesNoArgument()
    {
        AssertRejected<ArgumentException>(s_ce, With("dz", new float[6]), "dz", "no argument");
        var withOutput = LossExpression.Parse("t[i] = x[i] * x[i]; sum[i](t[i])", LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Output("t"));
        AssertRejected<ArgumentException>(withOutput, new Dictionary<string, object> { ["x"] = new float[2], ["t"] = new float[2] }, "t", "no argument");
    }

    [Fact]
    public void AWrongLengthIsNamed()
    {
        // 7 logits are not rows of 2 labels' classes; 3 labels give 3 rows of 6 / 3 = 2 classes but a label 2 >= 2 reads 0.
        AssertRejected<ArgumentException>(s_ce, With("z", new float[7]), "z", "multiple");
        AssertRejected<ArgumentException>(s_rows, new Dictionary<string, object> { ["x"] = new double[] { 1, 2, 3, 4 }, ["n"] = 3 }, "x");
    }

    [Fact]
    public void AWrongShapeIsNamed()
    {
        // x and y share both axes: the same number of rows and columns.
        var loss = LossExpression.Parse("index c : n; sum[i, c](x[i, c] * y[i, c])",
            LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Int("n"));
        AssertRejected<ArgumentException>(loss, new Dictionary<string, object> { ["x"] = new float[6], ["y"] = new float[4], ["n"] = 2 }, "y", "shape");
    }

    [Fact]
    public void AShapeBeyondLongIsNamedNotWrapped()
    {
        // n^3 with n = 2^22 is 2^66: wrapped to 0 in long, it let an empty x pass and loop over 2^66 elements.
        var loss = LossExpression.Parse("index i, j, k : n; sum[i, j, k](x[i, j, k]^2)", LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Int("n"));
        AssertRejected<ArgumentException>(loss, new Dictionary<string, object> { ["x"] = Array.Empty<float>(), ["n"] = 1 << 22 }, "x", "more elements than a long");
        Assert.Equal(0.0, loss.Evaluate(new Dictionary<string, object> { ["x"] = Array.Empty<float>(), ["n"] = 0 }));
    }

    [Fact]
    public void ParseRejectsNullDeclarations()
    {
        Assert.Equal("expression", Assert.Throws<ArgumentNullException>(() => LossExpression.Parse(null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => LossExpression.Parse("sum(x)", null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => LossExpression.Parse("sum(x)", LossParameterDeclaration.Tensor("x"), null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => LossExpression.Parse("sum(x)", new LossParameterDeclaration("x", (LossParameterKind)42))).ParamName);
    }
}
