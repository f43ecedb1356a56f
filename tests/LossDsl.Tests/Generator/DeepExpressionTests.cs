using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using LossDsl.Interpretation;
using LossDsl.Language;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Deep and exponentially shared expressions (issue 11, defect 8): deep nesting is a located LOSS0103, never a stack
/// overflow, in the generator and in the interpreter; long left-associative chains compile; bindings that use the
/// previous one twice stay linear; chained bindings give a small generated file; and every sample declaration's
/// generated files stay small with short lines.
/// </summary>
public sealed class DeepExpressionTests
{
    private static string Declaration(string expression, string parameters = "ReadOnlySpan<float> x", string returnType = "float") => $$"""
        using System;
        using LossDsl;
        public static partial class Deep
        {
            [GeneratedLoss("{{expression}}")]
            public static partial {{returnType}} Loss({{parameters}});
        }
        """;

    /// <summary>Runs <paramref name="action"/> on a thread with a stack of <paramref name="stackBytes"/> and rethrows what it threw.</summary>
    private static T OnThread<T>(int stackBytes, Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() => { try { result = action(); } catch (Exception e) { error = e; } }, stackBytes);
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException("the action threw", error);
        return result;
    }

    private static void AssertNoCrash(GeneratorHarness.Result r)
    {
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id is "CS8785" or DiagnosticIds.InternalError);
    }

    // ---- Nesting ------------------------------------------------------------------------------------------------

    [Fact]
    public void FiveThousandNestedParenthesesAreALocatedDiagnosticInTheGenerator()
    {
        string expression = "mean(" + new string('(', 5000) + "x" + new string(')', 5000) + ")";
        string text = Declaration(expression);
        var r = GeneratorHarness.Run(text);
        AssertNoCrash(r);
        var d = Assert.Single(r.GeneratorDiagnostics, d => d.Id == DiagnosticIds.NestedTooDeeply);
        // Located at the parenthesis that crosses the limit: the first "(" of the nest is the limit's first level.
        int nestStart = text.IndexOf("mean(", StringComparison.Ordinal) + "mean(".Length;
        Assert.Equal(nestStart + LossDsl.Language.Syntax.Parser.MaxNesting - 1, d.Location.SourceSpan.Start);
        Assert.Equal("(", text.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.DoesNotContain(r.GeneratedSources, s => s.Contains("class __Loss", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("-", "x")]      // prefix operators
    [InlineData("exp(", "x)")]  // call arguments
    [InlineData("2^", "x")]     // powers nest to the right
    public void EveryKindOfNestingIsLimited(string open, string close)
    {
        var sb = new StringBuilder("mean(");
        for (int k = 0; k < 3000; k++) sb.Append(open);
        sb.Append(close == "x)" ? "x" : close);
        if (close == "x)") sb.Append(')', 3000);
        sb.Append(')');
        var e = Assert.Throws<LossExpressionException>(() => LossExpression.Parse(sb.ToString(), LossParameterDeclaration.Tensor("x")));
        Assert.Equal(DiagnosticIds.NestedTooDeeply, e.Id);
        Assert.True(e.Offset > 0 && e.Offset < sb.Length, $"located inside the expression: {e.Offset}");
    }

    [Fact]
    public void NestingUpToTheLimitCompiles()
    {
        int depth = LossDsl.Language.Syntax.Parser.MaxNesting - 1; // mean( ... ) is one level
        string expression = "mean(" + new string('(', depth) + "x" + new string(')', depth) + ")";
        var loss = LossExpression.Parse(expression, LossParameterDeclaration.Tensor("x"));
        Assert.Equal(2.0, loss.Evaluate(new Dictionary<string, object> { ["x"] = new[] { 1f, 3f } }), 12);
    }

    [Fact]
    public void FiveThousandNestedParenthesesAreALocatedErrorInTheInterpreter()
    {
        string expression = "mean(" + new string('(', 5000) + "x" + new string(')', 5000) + ")";
        var e = Assert.Throws<LossExpressionException>(() => LossExpression.Parse(expression, LossParameterDeclaration.Tensor("x")));
        Assert.Equal(DiagnosticIds.NestedTooDeeply, e.Id);
        Assert.Equal("mean(".Length + LossDsl.Language.Syntax.Parser.MaxNesting - 1, e.Offset);
    }

    // ---- Long chains ----------------------------------------------------------------------------------------------

    private static string GatherSum(int terms) => string.Join(" + ", Enumerable.Range(0, terms).Select(k => $"x[{k}]"));

    [Fact]
    public void ATwentyFiveThousandTermSumRunsInTheInterpreterWithItsGradient()
    {
        const int n = 25_000;
        var loss = LossExpression.Parse(GatherSum(n), LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Gradient("dx"));
        // Gathers past the end read 0 (docs/language.md), so a short x keeps the gradient's evaluation cheap.
        var x = Enumerable.Range(0, 60).Select(k => (float)((k % 7) - 3)).ToArray();
        var result = loss.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = x });
        Assert.Equal(x.Sum(v => (double)v), result.Loss, 6);
        Assert.All(result.Gradients["dx"], g => Assert.Equal(1.0, g));
    }

    [Fact]
    public void ATwentyFiveThousandTermSumThroughTheGeneratorIsAKernelOrALocatedDiagnostic()
    {
        var r = GeneratorHarness.Run(Declaration(GatherSum(25_000)));
        AssertNoCrash(r);
        var errors = r.Errors.ToList();
        if (errors.Count == 0)
        {
            Assert.All(r.GeneratedSources, s => Assert.True(s.Length <= 8 * 1024 * 1024));
            return;
        }
        // Too large a file is the one diagnostic it may give, on the expression.
        var d = Assert.Single(r.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticIds.GeneratedCodeTooLarge, d.Id);
        Assert.Equal("Test.cs", d.Location.GetLineSpan().Path);
    }

    [Fact]
    public void AModerateSumRunsThroughTheGeneratedKernel()
    {
        // Longer than one block of the chain (32 terms), so the terms are combined as a balanced tree.
        const int n = 300;
        string expression = string.Join(" - ", Enumerable.Range(0, n).Select(k => $"x[{k}] * {k % 5 + 1}"));
        var asm = GeneratorHarness.CompileAndLoad(Declaration(expression, "ReadOnlySpan<float> x, Span<float> dx"));
        var method = LossInvoker.FindOverload(asm.GetType("Deep")!, "Loss", ps => ps.Length == 2);
        var x = Enumerable.Range(0, n).Select(k => (float)Math.Sin(k)).ToArray();
        var dx = new float[n];
        float loss = LossInvoker.For(method).Invoke(x, dx);
        double expected = x[0] * 1.0;
        for (int k = 1; k < n; k++) expected -= x[k] * (k % 5 + 1.0);
        Assert.Equal(expected, loss, 3);
        for (int k = 0; k < n; k++) Assert.Equal(k == 0 ? 1.0 : -(k % 5 + 1.0), dx[k], 5);
    }

    // ---- Chained bindings -----------------------------------------------------------------------------------------

    private static string Doubling(int levels)
    {
        var sb = new StringBuilder("a0 = mean(x); ");
        for (int k = 1; k <= levels; k++) sb.Append($"a{k} = a{k - 1} + a{k - 1}; ");
        sb.Append($"a{levels}");
        return sb.ToString();
    }

    [Fact]
    public void BindingsThatDoubleAtEachLevelCompileInSecondsAndRunCorrectly()
    {
        // The front end binds each binding once and reuses it: seconds, not the 44 s (and LOSS9999) of a re-bound chain.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        LossExpression.Parse(Doubling(24), LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Gradient("dx"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"binding and differentiating took {watch.Elapsed}");
        var asm = GeneratorHarness.CompileAndLoad(Declaration(Doubling(24), "ReadOnlySpan<float> x, Span<float> dx"));
        var method = LossInvoker.FindOverload(asm.GetType("Deep")!, "Loss", ps => ps.Length == 2);
        var x = new[] { 1f, 2f, 4f, 1f };
        var dx = new float[4];
        float loss = LossInvoker.For(method).Invoke(x, dx);
        Assert.Equal((1 << 24) * 2.0, loss, 0);
        Assert.All(dx, g => Assert.Equal((1 << 24) / 4.0, g, 0));

        var interpreted = LossExpression.Parse(Doubling(24), LossParameterDeclaration.Tensor("x"));
        Assert.Equal((1 << 24) * 2.0, interpreted.Evaluate(new Dictionary<string, object> { ["x"] = x }), 6);
    }

    private static string ChainedSigmoids(int levels)
    {
        var sb = new StringBuilder("b0 = x[i]; ");
        for (int k = 1; k <= levels; k++) sb.Append($"b{k} = sigmoid(b{k - 1} * x[i] + w[i]); ");
        sb.Append($"mean[i](b{levels})");
        return sb.ToString();
    }

    [Fact]
    public void SixteenChainedSigmoidsCompileToASmallFile()
    {
        var r = GeneratorHarness.Run(Declaration(ChainedSigmoids(16), "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, Span<float> dw"), gpu: true);
        Assert.Empty(r.Errors);
        Assert.All(r.GeneratedSources, s => Assert.True(s.Length < 200 * 1024, $"a generated file of {s.Length} characters"));
        AssertShortLines(r.GeneratedSources);
        // The remarks are written once; the other overloads inherit them.
        string loss = r.GeneratedSources.Single(s => s.Contains("static partial float Loss(", StringComparison.Ordinal));
        Assert.Equal(1, Count(loss, "/// <remarks>"));
        Assert.Equal(2, Count(loss, "/// <inheritdoc cref=\"Loss("));
    }

    [Fact]
    public void SixteenChainedSigmoidsMatchTheInterpreter()
    {
        var asm = GeneratorHarness.CompileAndLoad(Declaration(ChainedSigmoids(16), "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, Span<float> dw"));
        var method = LossInvoker.FindOverload(asm.GetType("Deep")!, "Loss", ps => ps.Length == 4);
        var x = Enumerable.Range(0, 37).Select(k => (float)Math.Cos(k) * 1.5f).ToArray();
        var w = Enumerable.Range(0, 37).Select(k => (float)Math.Sin(3 * k) * 0.5f).ToArray();
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        float loss = LossInvoker.For(method).Invoke(x, w, dx, dw);
        var interpreted = LossExpression.Parse(ChainedSigmoids(16), LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w"),
            LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Gradient("dw"));
        var expected = interpreted.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = x, ["w"] = w });
        Assert.Equal(expected.Loss, loss, 4);
        for (int k = 0; k < x.Length; k++)
        {
            Assert.Equal(expected.Gradients["dx"][k], dx[k], 4);
            Assert.Equal(expected.Gradients["dw"][k], dw[k], 4);
        }
        // The interpreter's printout of the bound loss names its shared values once, so it stays short.
        Assert.True(interpreted.BoundLoss.Length < 20_000, $"{interpreted.BoundLoss.Length} characters");
    }

    [Fact]
    public void AChainOfBindingsTooDeepIsALocatedDiagnostic()
    {
        string expression = ChainedSigmoids(400);
        string source = Declaration(expression, "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx");
        var r = GeneratorHarness.Run(source);
        AssertNoCrash(r);
        var d = Assert.Single(r.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticIds.NestedTooDeeply, d.Id);
        // At the binding whose value crosses the limit: one of the chain's sigmoid(...) expressions.
        string text = source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
        Assert.Matches(@"^(sigmoid\()?b\d+", text);
        Assert.True(text.Length < 40, $"located at '{text}', not at the whole expression");

        var e = Assert.Throws<LossExpressionException>(() => LossExpression.Parse(expression, LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w")));
        Assert.Equal(DiagnosticIds.NestedTooDeeply, e.Id);
    }

    [Fact]
    public void BindingsUsedBeforeTheirDefinitionAreLimitedToo()
    {
        // c0 uses c1, which uses c2, ...: binding c0 recurses through every one of them.
        var sb = new StringBuilder();
        for (int k = 0; k < 3000; k++) sb.Append($"c{k} = c{k + 1}; ");
        sb.Append("c3000 = mean(x); c0");
        var e = Assert.Throws<LossExpressionException>(() => LossExpression.Parse(sb.ToString(), LossParameterDeclaration.Tensor("x")));
        Assert.Equal(DiagnosticIds.NestedTooDeeply, e.Id);
    }

    [Fact]
    public void TheDeepestAcceptedChainCompilesAndRunsOnAOneMegabyteStack()
    {
        // About as high as the binder accepts (three operations a level): the gradient, lowering, schedule, plan and
        // emitters all walk it, on the stack of an ordinary thread.
        int levels = 0;
        while (levels < 1000)
        {
            try { LossExpression.Parse(ChainedSigmoids(levels + 10), LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w")); levels += 10; }
            catch (LossExpressionException) { break; }
        }
        Assert.InRange(levels, 50, 1000);
        string source = Declaration(ChainedSigmoids(levels), "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, Span<float> dw");
        var r = OnThread(1024 * 1024, () => GeneratorHarness.Run(source, gpu: true));
        Assert.Empty(r.Errors);
        var x = new[] { 0.5f, -1f, 2f };
        var w = new[] { 0.1f, 0.2f, -0.3f };
        var evaluation = OnThread(1024 * 1024, () =>
            LossExpression.Parse(ChainedSigmoids(levels), LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w"),
                LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Gradient("dw"))
            .EvaluateWithGradients(new Dictionary<string, object> { ["x"] = x, ["w"] = w }));
        Assert.True(double.IsFinite(evaluation.Loss) && evaluation.Loss > 0 && evaluation.Loss < 1);
    }

    [Fact]
    public void AWalkThatRunsOutOfStackIsACatchableError()
    {
        // On a thread with a tiny stack even bounded walks may run out: the interpreter then reports LOSS0103 (the
        // process survives), or it compiles; anything else fails.
        string expression = ChainedSigmoids(120);
        var e = OnThread(192 * 1024, () =>
        {
            try
            {
                LossExpression.Parse(expression, LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w"), LossParameterDeclaration.Gradient("dx"));
                return (Exception?)null;
            }
            catch (Exception caught) { return caught; }
        });
        Assert.True(e is null || (e is LossExpressionException error && error.Id == DiagnosticIds.NestedTooDeeply), $"threw {e}");
    }

    // ---- Generated text of the samples ----------------------------------------------------------------------------

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int k = text.IndexOf(what, StringComparison.Ordinal); k >= 0; k = text.IndexOf(what, k + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static void AssertShortLines(IEnumerable<string> sources)
    {
        foreach (var s in sources)
        {
            var longest = s.Split('\n').OrderByDescending(l => l.Length).First();
            Assert.True(longest.Length <= 400, $"a generated line of {longest.Length} characters: {longest[..Math.Min(200, longest.Length)]}...");
        }
    }

    public static TheoryData<string> SampleFiles() => new(
        Directory.GetFiles(Path.Combine(DotNetCli.RepositoryRoot, "samples", "LossDsl.Samples"), "*.cs")
            .Where(f => File.ReadAllText(f).Contains("[GeneratedLoss(", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f)!));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void EverySampleDeclarationGeneratesSmallFilesWithShortLines(string file)
    {
        string source = File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "samples", "LossDsl.Samples", file));
        var r = GeneratorHarness.Run(source, gpu: true);
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.NotEmpty(r.GeneratedSources);
        for (int k = 0; k < r.GeneratedSources.Length; k++)
            Assert.True(r.GeneratedSources[k].Length < 200 * 1024, $"{r.GeneratedHintNames[k]} has {r.GeneratedSources[k].Length} characters");
        AssertShortLines(r.GeneratedSources);
    }
}
