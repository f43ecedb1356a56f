using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using LossDsl.Generator;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Incremental caching of the generator pipeline: unrelated edits reuse every step output, an edit of one expression
/// recompiles exactly that method, and the step models hold only values (no symbols, syntax or compilations, which
/// would defeat caching and keep old compilations alive).
/// </summary>
public class IncrementalTests
{
    private const string FirstFile = """
        using System;
        using LossDsl;

        namespace Incremental;

        public static partial class Losses
        {
            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);
        }
        """;

    private const string SecondFile = """
        using System;
        using LossDsl;

        namespace Incremental;

        public static partial class Losses
        {
            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, t[i]])")]
            public static partial float Ce(ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dz);
        }
        """;

    private const string BothInOneFile = """
        using System;
        using LossDsl;

        namespace Incremental;

        public static partial class Losses
        {
            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, t[i]])")]
            public static partial float Ce(ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dz);
        }
        """;

    private const string Unrelated = """
        namespace Incremental;

        public class Unrelated
        {
            public int Twice(int v) => 2 * v;
        }
        """;

    private static SyntaxTree Tree(string text, string path) => CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: path);

    private static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        GeneratorHarness.CreateCompilation("", assemblyName: "Incremental").RemoveAllSyntaxTrees().AddSyntaxTrees(trees);

    private static (GeneratorDriver Driver, GeneratorRunResult Result) Run(GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        return (driver, result);
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.ContainsKey(step), $"step '{step}' is not tracked; tracked: {string.Join(", ", result.TrackedSteps.Keys)}");
        return result.TrackedSteps[step].SelectMany(s => s.Outputs);
    }

    private static string MethodOf(object model)
    {
        // LossMethodInput has MethodName; LossGenerationResult has HintName ("Namespace.Type.Method_N.Loss.g.cs").
        var type = model.GetType();
        if (type.GetProperty("MethodName")?.GetValue(model) is string name) return name;
        if (type.GetProperty("HintName")?.GetValue(model) is string hint) return hint.Split('.').Reverse().Skip(3).First().Split('_')[0];
        throw new InvalidOperationException("unknown model " + type);
    }

    private static string Format(GeneratorRunResult result, string step) =>
        string.Join(", ", Outputs(result, step).Select(o => $"{MethodOf(o.Value)}: {o.Reason}"));

    private static void AssertAllReused(GeneratorRunResult result, string step)
    {
        var outputs = Outputs(result, step).ToList();
        Assert.Equal(2, outputs.Count);
        Assert.True(outputs.All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
            $"{step}: expected every output Cached or Unchanged, got {Format(result, step)}");
    }

    private static void AssertOnlyModified(GeneratorRunResult result, string step, string method)
    {
        var outputs = Outputs(result, step).ToList();
        Assert.Equal(2, outputs.Count);
        foreach (var (value, reason) in outputs)
        {
            if (MethodOf(value) == method)
                Assert.True(reason == IncrementalStepRunReason.Modified, $"{step}: expected {method} Modified, got {Format(result, step)}");
            else
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{step}: expected the other method Cached or Unchanged, got {Format(result, step)}");
        }
    }

    [Fact]
    public void FirstRunTracksBothMethods()
    {
        var (_, result) = Run(GeneratorHarness.CreateDriver(), Compilation(Tree(FirstFile, "First.cs"), Tree(SecondFile, "Second.cs")));
        Assert.Equal(new[] { "Bce", "Ce" }, Outputs(result, LossGenerator.StepNames.FindLossMethods).Select(o => MethodOf(o.Value)).OrderBy(x => x));
        Assert.All(Outputs(result, LossGenerator.StepNames.CompileLoss), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void AddingAnUnrelatedSyntaxTreeReusesEveryStep()
    {
        var compilation = Compilation(Tree(FirstFile, "First.cs"), Tree(SecondFile, "Second.cs"));
        var (driver, first) = Run(GeneratorHarness.CreateDriver(), compilation);
        var (_, second) = Run(driver, compilation.AddSyntaxTrees(Tree(Unrelated, "Unrelated.cs")));
        AssertAllReused(second, LossGenerator.StepNames.FindLossMethods);
        AssertAllReused(second, LossGenerator.StepNames.CompileLoss);
        Assert.Equal(first.GeneratedSources.Select(s => s.SourceText.ToString()), second.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void EditingAnUnrelatedMethodBodyReusesEveryStep()
    {
        var unrelated = Tree(Unrelated, "Unrelated.cs");
        var compilation = Compilation(Tree(FirstFile, "First.cs"), Tree(SecondFile, "Second.cs"), unrelated);
        var (driver, _) = Run(GeneratorHarness.CreateDriver(), compilation);
        var edited = compilation.ReplaceSyntaxTree(unrelated, Tree(Unrelated.Replace("2 * v", "3 * v + 1"), "Unrelated.cs"));
        var (_, second) = Run(driver, edited);
        AssertAllReused(second, LossGenerator.StepNames.FindLossMethods);
        AssertAllReused(second, LossGenerator.StepNames.CompileLoss);
    }

    [Fact]
    public void EditingOneExpressionRecompilesOnlyThatMethod()
    {
        var first = Tree(FirstFile, "First.cs");
        var compilation = Compilation(first, Tree(SecondFile, "Second.cs"));
        var (driver, _) = Run(GeneratorHarness.CreateDriver(), compilation);
        var edited = compilation.ReplaceSyntaxTree(first, Tree(FirstFile.Replace("mean(bce_logits(x, y))", "mean(bce_logits(x, y) + 0.5 * x^2)"), "First.cs"));
        var (driver2, second) = Run(driver, edited);
        AssertOnlyModified(second, LossGenerator.StepNames.FindLossMethods, "Bce");
        AssertOnlyModified(second, LossGenerator.StepNames.CompileLoss, "Bce");
        Assert.Contains(second.GeneratedSources, s => s.SourceText.ToString().Contains("0.5 * x^2", StringComparison.Ordinal));

        // And back: the file is the one of the first run again.
        var (_, third) = Run(driver2, compilation);
        AssertOnlyModified(third, LossGenerator.StepNames.CompileLoss, "Bce");
        Assert.DoesNotContain(third.GeneratedSources, s => s.SourceText.ToString().Contains("0.5 * x^2", StringComparison.Ordinal));
    }

    [Fact]
    public void EditingOneExpressionInASharedFileRecompilesOnlyThatMethod()
    {
        // Both methods in one file; the edit keeps the length so that the other method's positions do not move
        // (its diagnostics locations are part of its model).
        var tree = Tree(BothInOneFile, "Both.cs");
        var compilation = Compilation(tree);
        var (driver, _) = Run(GeneratorHarness.CreateDriver(), compilation);
        var edited = compilation.ReplaceSyntaxTree(tree, Tree(BothInOneFile.Replace("mean(bce_logits(x, y))", "mean(bce_logits(y, x))"), "Both.cs"));
        var (_, second) = Run(driver, edited);
        AssertOnlyModified(second, LossGenerator.StepNames.FindLossMethods, "Bce");
        AssertOnlyModified(second, LossGenerator.StepNames.CompileLoss, "Bce");
    }

    [Fact]
    public void EditingTheLaterMethodOfASharedFileRecompilesOnlyThatMethod()
    {
        var tree = Tree(BothInOneFile, "Both.cs");
        var compilation = Compilation(tree);
        var (driver, _) = Run(GeneratorHarness.CreateDriver(), compilation);
        string changed = BothInOneFile.Replace("logsumexp[c](z[i, c]) - z[i, t[i]]", "logsumexp[c](z[i, c]) - z[i, t[i]] + 0.01 * sum[c](z[i, c]^2)");
        var (_, second) = Run(driver, compilation.ReplaceSyntaxTree(tree, Tree(changed, "Both.cs")));
        AssertOnlyModified(second, LossGenerator.StepNames.FindLossMethods, "Ce");
        AssertOnlyModified(second, LossGenerator.StepNames.CompileLoss, "Ce");
    }

    // ---- Model purity ---------------------------------------------------------------------------------------------

    private static readonly Type[] s_forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SemanticModel), typeof(Compilation),
        // Also forbidden: these hold a syntax tree (and through it, the compilation's sources) alive.
        typeof(SyntaxTree), typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxReference), typeof(Location), typeof(AttributeData),
    };

    /// <summary>
    /// Walks an object graph through its fields and readable properties, into collections (EquatableArray, arrays,
    /// lists) and records; returns the path of every value whose type is a Roslyn symbol, syntax or compilation type.
    /// </summary>
    internal static List<string> FindForbidden(object? root, string path = "model")
    {
        var found = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, path, 0);
        return found;

        void Walk(object? value, string at, int depth)
        {
            if (value is null || depth > 32) return;
            var type = value.GetType();
            foreach (var f in s_forbidden)
                if (f.IsAssignableFrom(type)) { found.Add($"{at}: {type.FullName}"); return; }
            if (type.IsPrimitive || type.IsEnum || value is string || value is decimal || value is Type || value is MemberInfo) return;
            if (!type.IsValueType && !visited.Add(value)) return;
            if (value is IEnumerable sequence)
            {
                int k = 0;
                foreach (var item in sequence) Walk(item, $"{at}[{k++}]", depth + 1);
            }
            for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    Walk(field.GetValue(value), $"{at}.{field.Name}", depth + 1);
            }
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is null) continue;
                object? v;
                try { v = property.GetValue(value); }
                catch (TargetInvocationException) { continue; }
                Walk(v, $"{at}.{property.Name}", depth + 1);
            }
        }
    }

    [Fact]
    public void PurityCheckFindsSymbolsAndSyntax()
    {
        // The walker itself: a symbol or a node hidden in a record, an array and a tuple is found.
        var compilation = Compilation(Tree(FirstFile, "First.cs"));
        var symbol = compilation.GetTypeByMetadataName("Incremental.Losses")!;
        var node = compilation.SyntaxTrees[0].GetRoot();
        Assert.NotEmpty(FindForbidden(new Holder("a", new object[] { 1, (2, symbol) })));
        Assert.NotEmpty(FindForbidden(new Holder("b", new List<object> { node })));
        Assert.NotEmpty(FindForbidden(new Holder("c", compilation)));
        Assert.Empty(FindForbidden(new Holder("d", new object[] { 1, "x", ImmutableArray.Create(1, 2) })));
    }

    private sealed record Holder(string Name, object Value);

    [Fact]
    public void StepModelsHoldOnlyValues()
    {
        // Include declaration and expression diagnostics, a namespace, nested types and defaults in the models.
        string source = """
            using System;
            using LossDsl;

            namespace Purity.Inner;

            public static partial class Outer
            {
                public static partial class Losses
                {
                    [GeneratedLoss("mean(bce_logits(x, y))")]
                    public static partial float Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f);

                    [GeneratedLoss("mean(x + foo)")]
                    public static partial float Bad(ReadOnlySpan<float> x, Span<float> dx);

                    [GeneratedLoss("mean(x)")]
                    public static partial double BadReturn(ReadOnlySpan<float> x, float[] w, Span<float> dx);
                }
            }
            """;
        var driver = GeneratorHarness.CreateDriver().RunGenerators(Compilation(Tree(source, "Purity.cs")));
        var result = driver.GetRunResult().Results.Single();
        int models = 0;
        foreach (var step in new[] { LossGenerator.StepNames.FindLossMethods, LossGenerator.StepNames.CompileLoss })
        {
            foreach (var (value, _) in Outputs(result, step))
            {
                models++;
                Assert.Contains("LossDsl.Generator", value.GetType().Assembly.GetName().Name);
                var bad = FindForbidden(value, step);
                Assert.True(bad.Count == 0, $"{step} model {value.GetType().Name} holds Roslyn objects:\n  " + string.Join("\n  ", bad));
            }
        }
        Assert.Equal(6, models);

        // The models compare by value: a fresh driver on an equal compilation produces equal models.
        var again = GeneratorHarness.CreateDriver().RunGenerators(Compilation(Tree(source, "Purity.cs"))).GetRunResult().Results.Single();
        foreach (var step in new[] { LossGenerator.StepNames.FindLossMethods, LossGenerator.StepNames.CompileLoss })
        {
            var a = Outputs(result, step).Select(o => o.Value).ToList();
            var b = Outputs(again, step).Select(o => o.Value).ToList();
            Assert.Equal(a.Count, b.Count);
            for (int k = 0; k < a.Count; k++)
            {
                Assert.True(a[k].Equals(b[k]), $"{step}: models of {MethodOf(a[k])} differ between equal compilations");
                Assert.Equal(a[k].GetHashCode(), b[k].GetHashCode());
            }
        }
    }
}
