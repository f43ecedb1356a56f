using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace LossDsl.Tests.Generator;

/// <summary>
/// The generator never emits code that fails to compile, nor code that warns under TreatWarningsAsErrors, for any
/// legal declaration (issue 11, defects 6, 7 and 9): gradients that do not depend on the data, parameter names that
/// look like generated names or are escaped keywords, defaults that name user constants, overloads with the same
/// parameter count, self-comparisons. Each reproducer is compiled through the real generator and the C# compiler
/// with every warning an error, and its kernels are run. Declarations the generator cannot take get a LOSS diagnostic
/// at the declaration, and the generated stub keeps the compiler from adding CS8795 to it.
/// </summary>
public class GeneratedCodeHygieneTests
{
    // ---- Harness ------------------------------------------------------------------------------------------------

    private sealed record Output(CSharpCompilation Compilation, ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compiler, string[] Sources, string[] HintNames)
    {
        public IEnumerable<Diagnostic> All => Generator.Concat(Compiler);
        public string Dump() => string.Join("\n", All.Select(d => d.ToString())) + "\n----\n" + string.Join("\n----\n", Sources);
    }

    /// <summary>Runs the generator and compiles its output with every warning reported as an error.</summary>
    private static Output Compile(string source, bool gpu = false)
    {
        var compilation = GeneratorHarness.CreateCompilation(source, gpu: gpu);
        compilation = compilation.WithOptions(compilation.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Error).WithWarningLevel(9999));
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        return new Output((CSharpCompilation)output, diagnostics,
            output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError).ToImmutableArray(),
            run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).ToArray(),
            run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToArray());
    }

    /// <summary>Compiles a legal declaration: no diagnostic at all (warnings are errors); returns the loaded assembly.</summary>
    private static Assembly CompileClean(string source)
    {
        var o = Compile(source);
        Assert.True(!o.All.Any(), "expected no diagnostics:\n" + o.Dump());
        using var ms = new MemoryStream();
        var emit = o.Compilation.Emit(ms);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        ms.Position = 0;
        return new AssemblyLoadContext("hygiene", isCollectible: true).LoadFromStream(ms);
    }

    private static string Wrap(string members, string usings = "") =>
        "using System;\nusing LossDsl;\n" + usings + "\npublic static partial class L\n{\n" + members + "\n}\n";

    private static MethodInfo Method(Assembly a, string name, int parameters, string type = "L") =>
        a.GetType(type)!.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == name && m.GetParameters().Length == parameters);

    private static float Invoke(Assembly a, string name, params object[] args) => LossInvoker.For(Method(a, name, args.Length)).Invoke(args);

    // ---- Defect 6: gradients that do not depend on the data ------------------------------------------------------

    /// <summary>
    /// The documentation a user writes on a declaration is the method's documentation: the generated implementation
    /// part carries no documentation comment (it would replace the user's in the XML file), the overloads inherit
    /// the user's remarks and parameters, and an undocumented declaration keeps the generated remarks.
    /// </summary>
    [Fact]
    public void TheUsersDocumentationIsKept()
    {
        const string source = """
            using System;
            using LossDsl;
            public static partial class L
            {
                /// <summary>The user's summary.</summary>
                /// <remarks>The user's remarks.</remarks>
                /// <param name="x">Logits.</param>
                /// <param name="y">Targets.</param>
                /// <param name="dx">The gradient.</param>
                [GeneratedLoss("mean(bce_logits(x, y))")]
                public static partial float Documented(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

                [GeneratedLoss("mean(bce_logits(x, y))")]
                public static partial float Undocumented(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);
            }
            """;
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(), CSharpSyntaxTree.ParseText(source, options, path: "Test.cs"));
        var driver = CSharpGeneratorDriver.Create(new[] { new LossDsl.Generator.LossGenerator().AsSourceGenerator() }, parseOptions: options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var pe = new System.IO.MemoryStream();
        using var xml = new System.IO.MemoryStream();
        var emit = output.Emit(pe, xmlDocumentationStream: xml);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        Assert.DoesNotContain(emit.Diagnostics, d => d.Id is "CS1570" or "CS1572" or "CS1573" or "CS1574" or "CS1584");
        var doc = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(xml.ToArray()));
        string Member(string prefix) => doc.Descendants("member").Single(m => ((string)m.Attribute("name")!).Equals(prefix, StringComparison.Ordinal)).ToString();
        string documented = Member("M:L.Documented(System.ReadOnlySpan{System.Single},System.ReadOnlySpan{System.Single},System.Span{System.Single})");
        Assert.Contains("The user's summary.", documented);
        Assert.Contains("The user's remarks.", documented);
        Assert.Contains("Logits.", documented);
        Assert.DoesNotContain("Computes the loss", documented);
        string upstream = Member("M:L.Documented(System.ReadOnlySpan{System.Single},System.ReadOnlySpan{System.Single},System.Span{System.Single},System.Single)");
        Assert.Contains("inheritdoc", upstream);
        Assert.Contains("path=\"/param\"", upstream);
        string undocumented = Member("M:L.Undocumented(System.ReadOnlySpan{System.Single},System.ReadOnlySpan{System.Single},System.Span{System.Single})");
        Assert.Contains("Loss expression:", undocumented);
    }

    [Fact]
    public void GradientsThatDoNotDependOnTheDataAreBroadcastStores()
    {
        var a = CompileClean(Wrap("""
            [GeneratedLoss("mean(fake) - mean(real)")]
            public static partial float Critic(ReadOnlySpan<float> fake, ReadOnlySpan<float> real, Span<float> dfake, Span<float> dreal);
        """));
        // Lengths that exercise the vector loop and its scalar tail (the two flat tensors share their extent).
        foreach (int n in new[] { 1, 7, 8, 37, 100 })
        {
            var fake = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
            var real = Enumerable.Range(0, n).Select(i => 0.5f * i + 1).ToArray();
            var dfake = new float[n];
            var dreal = new float[n];
            float loss = Invoke(a, "Critic", fake, real, dfake, dreal);
            LossCheck.AssertClose(loss, fake.Average() - real.Average(), "loss");
            Assert.All(dfake, g => Assert.Equal(1f / n, g, 6));
            Assert.All(dreal, g => Assert.Equal(-1f / n, g, 6));
        }
    }

    [Fact]
    public void ConstantGradientOfARegularizerBesideADataTerm()
    {
        var a = CompileClean(Wrap("""
            [GeneratedLoss("mean[i]((x[i] - y[i])^2) + lambda * sum(w)")]
            public static partial float Reg(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> w, Span<float> dx, Span<float> dw, float lambda = 0.1f);
        """));
        var x = new float[] { 1, 2, 3, 4, 5 };
        var y = new float[] { 0, 2, 1, 4, 9 };
        var w = Enumerable.Range(0, 19).Select(i => 0.1f * i).ToArray();
        var dx = new float[5];
        var dw = new float[19];
        float loss = Invoke(a, "Reg", x, y, w, dx, dw, 0.25f);
        LossCheck.AssertClose(loss, x.Zip(y, (p, q) => (p - q) * (p - q)).Average() + 0.25 * w.Sum(), "loss");
        Assert.All(dw, g => Assert.Equal(0.25f, g));
        for (int i = 0; i < 5; i++) Assert.Equal(2 * (x[i] - y[i]) / 5, dx[i], 5);
    }

    // ---- Defect 6: names that look like generated names, keywords, defaults, modifiers ---------------------------

    [Fact]
    public void ParameterNamesThatLookLikeGeneratedNames()
    {
        // p_x beside x, s_alpha beside alpha, a parameter named upstreamGradient, N_n, and index names that look like
        // generated names.
        var a = CompileClean(Wrap("""
            [GeneratedLoss("mean[i](alpha * (x[i] - p_x[i])^2) + s_alpha * upstreamGradient + 0 * sum[p_x_0](p_x[p_x_0])")]
            public static partial float F(ReadOnlySpan<float> x, ReadOnlySpan<float> p_x, Span<float> dx, Span<float> dp_x, float alpha, float s_alpha, float upstreamGradient);
        """));
        var x = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
        var px = x.Select(v => v * 0.5f).ToArray();
        var dx = new float[x.Length];
        var dpx = new float[x.Length];
        float loss = Invoke(a, "F", x, px, dx, dpx, 2f, 3f, 5f);
        double expected = x.Zip(px, (p, q) => 2.0 * (p - q) * (p - q)).Average() + 15;
        LossCheck.AssertClose(loss, expected, "loss");
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(2 * 2 * (x[i] - px[i]) / x.Length, dx[i], 5);
            Assert.Equal(-2 * 2 * (x[i] - px[i]) / x.Length, dpx[i], 5);
        }
        // The overload with the upstream gradient names its parameter upstreamGradient1, beside the user's.
        var scaled = Method(a, "F", 8);
        Assert.Equal("upstreamGradient1", scaled.GetParameters()[7].Name);
        var dx2 = new float[x.Length];
        var dpx2 = new float[x.Length];
        Assert.Equal(loss, LossInvoker.For(scaled).Invoke(x, px, dx2, dpx2, 2f, 3f, 5f, 2f), 5);
        for (int i = 0; i < x.Length; i++) Assert.Equal(2 * dx[i], dx2[i], 5);
    }

    [Fact]
    public void KeywordParameterNamesAreEscaped()
    {
        var a = CompileClean(Wrap("""
            [GeneratedLoss("mean[i](logsumexp[c](in[i, c]) - in[i, class[i]]) * checked")]
            public static partial float Ce(ReadOnlySpan<float> @in, ReadOnlySpan<int> @class, Span<float> din, float @checked = 1f);
        """));
        var logits = new float[] { 1, 2, 3, 0, 0, 0 };
        var labels = new[] { 2, 0 };
        var din = new float[6];
        float loss = Invoke(a, "Ce", logits, labels, din, 2f);
        double l0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3;
        double l1 = Math.Log(3);
        LossCheck.AssertClose(loss, 2 * (l0 + l1) / 2, "loss");
        Assert.Equal(2 * (1f / 3 - 1) / 2, din[3], 5);
        // The forward overload repeats the default, under the escaped name.
        var forward = Method(a, "Ce", 3);
        Assert.Equal("checked", forward.GetParameters()[2].Name);
        Assert.Equal(1f, forward.GetParameters()[2].DefaultValue);
    }

    [Fact]
    public void DefaultsThatNameUserConstantsAreRepeatedAsTheirValues()
    {
        var a = CompileClean("""
            using System;
            using LossDsl;
            using static Consts;
            public static class Cfg { public const float A = 0.25f; public const double B = 1e-3; public const int K = 3; }
            public static class Consts { public const float Gamma = 2.5f; }
            namespace Inner
            {
                public static partial class L
                {
                    [GeneratedLoss("mean((x - y)^2) * a + b + k + gamma")]
                    public static partial float F(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float a = Cfg.A, double b = Cfg.B * 2, int k = Cfg.K, float gamma = Gamma);
                }
            }
            """);
        // The forward overload (no gradient) takes the defaults: x, y and the four hyperparameters.
        var forward = a.GetType("Inner.L")!.GetMethods().Single(m => m.Name == "F" && m.GetParameters().Length == 6);
        var defaults = forward.GetParameters().Skip(2).Select(p => p.DefaultValue).ToArray();
        Assert.Equal(new object[] { 0.25f, 2e-3, 3, 2.5f }, defaults);
    }

    public static TheoryData<string, string> Modifiers() => new()
    {
        { "scoped", "public static partial float F(scoped ReadOnlySpan<float> x);" },
        { "params", "public static partial float F(params ReadOnlySpan<float> x);" },
        { "this", "public static partial float F(this ReadOnlySpan<float> x);" },
    };

    [Theory]
    [MemberData(nameof(Modifiers))]
    public void ParameterModifiersAreReportedOnTheModifier(string modifier, string declaration)
    {
        string source = Wrap($"    [GeneratedLoss(\"mean(x)\")]\n    {declaration}");
        var o = Compile(source);
        var d = Assert.Single(o.All);
        Assert.Equal("LOSS0005", d.Id);
        int at = source.IndexOf(modifier + " ReadOnlySpan", StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(at, modifier.Length), d.Location.SourceSpan);
    }

    [Fact]
    public void UnsafeMethodsAreImplementedUnsafe()
    {
        var a = CompileClean(Wrap("""
            [GeneratedLoss("mean(x^2)")]
            public static unsafe partial float F(ReadOnlySpan<float> x, Span<float> dx);
        """));
        var dx = new float[3];
        Assert.Equal(14f / 3, Invoke(a, "F", new float[] { 1, 2, 3 }, dx), 5);
        Assert.Equal(new[] { 2f / 3, 4f / 3, 2f }, dx);
    }

    [Fact]
    public void FileLocalContainingTypesAreReported()
    {
        string source = "using System;\nusing LossDsl;\nfile static partial class L\n{\n    [GeneratedLoss(\"mean(x)\")]\n    public static partial float F(ReadOnlySpan<float> x);\n}\n";
        var o = Compile(source);
        // The generator cannot implement a method of a file-local type in its own file, so CS8795 comes along.
        var d = Assert.Single(o.All, x => x.Id.StartsWith("LOSS", StringComparison.Ordinal));
        Assert.Equal("LOSS0005", d.Id);
        Assert.Equal(source.IndexOf("F(", StringComparison.Ordinal), d.Location.SourceSpan.Start);
        Assert.Empty(o.Sources);
    }

    [Fact]
    public void ReservedParameterNamesAreReportedOnTheParameter()
    {
        string source = Wrap("""
            [GeneratedLoss("mean(__job)")]
            public static partial float F(ReadOnlySpan<float> __job);
        """);
        var o = Compile(source);
        var d = Assert.Single(o.All);
        Assert.Equal("LOSS0006", d.Id);
        int at = source.IndexOf("ReadOnlySpan<float> __job", StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(at, "ReadOnlySpan<float> __job".Length), d.Location.SourceSpan);
    }

    // ---- Defect 7: overloads with the same parameter count --------------------------------------------------------

    [Fact]
    public void OverloadsWithTheSameParameterCountGetTheirOwnFilesAndKernels()
    {
        var o = Compile(Wrap("""
            [GeneratedLoss("mean((x - y)^2)")]
            public static partial float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);
            [GeneratedLoss("mean[i](logsumexp[c](x[i, c]) - x[i, y[i]])")]
            public static partial float Loss(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx);
            [GeneratedLoss("mean[i](logsumexp[c](x[i, c]) - x[i, y[i]])")]
            public static partial float Loss(ReadOnlySpan<float> x, ReadOnlySpan<long> y, Span<float> dx);
            [GeneratedLoss("mean(x)")]
            public static partial float Other(ReadOnlySpan<float> x);
        """));
        Assert.True(!o.All.Any(), o.Dump());
        Assert.Equal(4, o.HintNames.Length);
        Assert.Equal(o.HintNames.Length, o.HintNames.Distinct().Count());
        Assert.Contains("L.Other_1.Loss.g.cs", o.HintNames);
        // The three overloads of three parameters share the readable part of their names and differ by their signature's hash.
        Assert.Equal(3, o.HintNames.Count(h => h.StartsWith("L.Loss_3_", StringComparison.Ordinal)));

        using var ms = new MemoryStream();
        Assert.True(o.Compilation.Emit(ms).Success);
        var a = new AssemblyLoadContext("hygiene", isCollectible: true).LoadFromStream(new MemoryStream(ms.ToArray()));
        var l = a.GetType("L")!;
        var mse = l.GetMethods().Single(m => m.Name == "Loss" && m.GetParameters().Length == 3 && m.GetParameters()[1].ParameterType == typeof(ReadOnlySpan<float>));
        Assert.Equal(1f, LossInvoker.For(mse).Invoke(new float[] { 1, 2 }, new float[] { 0, 1 }, new float[2]), 6);
        var ce = l.GetMethods().Single(m => m.Name == "Loss" && m.GetParameters().Length == 3 && m.GetParameters()[1].ParameterType == typeof(ReadOnlySpan<int>));
        LossCheck.AssertClose(LossInvoker.For(ce).Invoke(new float[] { 0, 0, 0, 0 }, new[] { 1, 0 }, new float[4]), Math.Log(2), "loss");
    }

    // ---- Defect 9: warnings, CS8795, ignored attributes, messages -----------------------------------------------

    [Fact]
    public void SelfComparisonBuildsWithWarningsAsErrors()
    {
        var a = CompileClean(Wrap("""
            [GeneratedLoss("count[i](y[i] == y[i]) + mean[i](x[i] * (x[i] >= x[i]))")]
            public static partial float F(ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx);
        """));
        var x = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var dx = new float[9];
        float loss = Invoke(a, "F", x, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, dx);
        LossCheck.AssertClose(loss, 9 + x.Average(), "loss");
        Assert.All(dx, g => Assert.Equal(1f / 9, g, 6));
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "unknown name", "[GeneratedLoss(\"mean(z)\")]\n    public static partial float F(ReadOnlySpan<float> x);", "LOSS0200" },
        { "syntax", "[GeneratedLoss(\"mean(x\")]\n    public static partial float F(ReadOnlySpan<float> x);", "LOSS0101" },
        { "parameter type", "[GeneratedLoss(\"mean(x)\")]\n    public static partial float F(ReadOnlySpan<float> x, string s);", "LOSS0003" },
        { "ref parameter", "[GeneratedLoss(\"mean(x)\")]\n    public static partial float F(ref float q, ReadOnlySpan<float> x);", "LOSS0003" },
        { "return type", "[GeneratedLoss(\"mean(x)\")]\n    internal static partial int F(ReadOnlySpan<float> x);", "LOSS0002" },
        { "reserved name", "[GeneratedLoss(\"mean(x)\")]\n    public static partial float F(ReadOnlySpan<float> x, float __k);", "LOSS0006" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ALossWithErrorsGetsAThrowingImplementationSoItsDiagnosticIsTheOnlyError(string name, string declaration, string id)
    {
        var o = Compile(Wrap("    " + declaration));
        var d = Assert.Single(o.All, x => x.Severity == DiagnosticSeverity.Error || x.IsWarningAsError);
        Assert.True(d.Id == id, name + ": " + o.Dump());
        Assert.Contains("throw new global::System.InvalidOperationException", Assert.Single(o.Sources));
    }

    [Fact]
    public void TheThrowingImplementationNamesTheError()
    {
        var o = Compile(Wrap("    [GeneratedLoss(\"mean(z)\")]\n    public static partial float F(ReadOnlySpan<float> x);"));
        Assert.Equal(new[] { "LOSS0200" }, o.All.Select(d => d.Id).ToArray());
        // Compile without the LOSS error to run the stub.
        using var ms = new MemoryStream();
        Assert.True(o.Compilation.Emit(ms).Success);
        var a = new AssemblyLoadContext("hygiene", isCollectible: true).LoadFromStream(new MemoryStream(ms.ToArray()));
        var e = Assert.Throws<InvalidOperationException>(() => LossInvoker.For(Method(a, "F", 1)).Invoke(new float[] { 1 }));
        Assert.Contains("LOSS0200", e.Message);
    }

    [Fact]
    public void TheAttributeOnALocalFunctionOrALambdaIsReported()
    {
        string source = """
            using System;
            using LossDsl;
            public static class Host
            {
                public static void Run()
                {
                    [GeneratedLoss("mean(x)")]
                    static float Local(ReadOnlySpan<float> x) => 0;
                    Func<float, float> f = [GeneratedLoss("mean(x)")] (float v) => v;
                    Local(default);
                    f(0);
                }
            }
            """;
        var o = Compile(source);
        var ids = o.All.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.True(ids.Count == 2 && ids.All(d => d.Id == "LOSS0005"), o.Dump());
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(source.IndexOf("Local(ReadOnlySpan", StringComparison.Ordinal), "Local".Length), ids[0].Location.SourceSpan);
        Assert.Equal(source.IndexOf("[GeneratedLoss(\"mean(x)\")] (float", StringComparison.Ordinal), ids[1].Location.SourceSpan.Start);
    }

    [Fact]
    public void DiagnosticMessagesEscapeControlCharactersAndLoneSurrogatesAndCapLongNames()
    {
        string longName = new string('q', 100_000);
        var cases = new[]
        {
            ($"mean({longName})", "LOSS0200", new string('q', 190)),
            ("mean(a\\0b)", "LOSS0100", "'\\0'"),
            ("mean(c\\uD800d)", "LOSS0100", "'\\uD800'"),
        };
        foreach (var (expression, id, echoed) in cases)
        {
            var o = Compile(Wrap($"    [GeneratedLoss(\"{expression}\")]\n    public static partial float F(ReadOnlySpan<float> x);"));
            var d = Assert.Single(o.Generator, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal(id, d.Id);
            string m = d.GetMessage();
            Assert.True(m.Length <= 400, $"{d.Id}: {m.Length} characters");
            Assert.DoesNotContain(m, c => char.IsControl(c) || char.IsSurrogate(c));
            Assert.Contains(echoed, m, StringComparison.Ordinal);
            if (id == "LOSS0200") Assert.Contains("q…", m, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SanitizeEscapesAndCaps()
    {
        Assert.Equal("name 'a\\0b'", LossDsl.Language.DiagnosticText.Sanitize("name 'a\0b'"));
        Assert.Equal("'\\uD800' and '😀'", LossDsl.Language.DiagnosticText.Sanitize("'\uD800' and '😀'"));
        Assert.Equal("x " + new string('y', 200) + "… z", LossDsl.Language.DiagnosticText.Sanitize("x " + new string('y', 500) + " z"));
        Assert.Equal("plain message", LossDsl.Language.DiagnosticText.Sanitize("plain message"));
    }

    [Fact]
    public void GpuFilesCompileWithParametersNamedLikeTheirGeneratedParameters()
    {
        // stream, loss and upstreamGradient are the GPU overloads' own parameters; p_x, s_alpha and @class look like
        // generated names or are keywords.
        var o = Compile(Wrap("""
            [GeneratedLoss("mean[i](logsumexp[c](stream[i, c]) - stream[i, class[i]]) * loss + s_alpha * upstreamGradient + 0 * mean(p_x)")]
            public static partial float F(ReadOnlySpan<float> stream, ReadOnlySpan<int> @class, ReadOnlySpan<float> p_x, Span<float> dstream, float loss, float s_alpha, float upstreamGradient);
            [GeneratedLoss("mean(fake) - mean(real)")]
            public static partial float Critic(ReadOnlySpan<float> fake, ReadOnlySpan<float> real, Span<float> dfake, Span<float> dreal);
        """), gpu: true);
        Assert.True(!o.All.Any(), o.Dump());
        Assert.Equal(2, o.HintNames.Count(h => h.EndsWith(".Gpu.g.cs", StringComparison.Ordinal)));
        var gpuOverload = o.Compilation.GetTypeByMetadataName("L")!.GetMembers("FToDevice").OfType<IMethodSymbol>()
            .Single(m => m.Parameters.Any(p => p.Name.StartsWith("upstreamGradient", StringComparison.Ordinal) && p.Name != "upstreamGradient"));
        Assert.Equal(new[] { "stream1", "loss1" }, gpuOverload.Parameters.Take(2).Select(p => p.Name).ToArray());
        Assert.Equal("upstreamGradient1", gpuOverload.Parameters.Last().Name);
    }
}
