using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using LossDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LossDsl.Tests.Infrastructure;

/// <summary>Runs the LossDsl generator on C# source through <see cref="CSharpGeneratorDriver"/> and compiles the result.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
    {
        string dir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var refs = Directory.GetFiles(dir, "*.dll")
            .Where(f => !Path.GetFileName(f).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(f => { try { AssemblyName.GetAssemblyName(f); return f; } catch { return null; } })
            .Where(f => f is not null)
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f!))
            .ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(GeneratedLossAttribute).Assembly.Location));
        refs.Add(MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorSpan<float>).Assembly.Location));
        return refs.ToArray();
    });

    /// <summary>LossDsl.Gpu and ILGPU: with them the generator also emits the GPU kernels.</summary>
    private static readonly Lazy<MetadataReference[]> s_gpuReferences = new(() => new MetadataReference[]
    {
        MetadataReference.CreateFromFile(typeof(LossDsl.Gpu.LossGpu).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation CreateCompilation(string source, bool allowUnsafe = true, string assemblyName = "LossTest", bool gpu = false) =>
        CSharpCompilation.Create(assemblyName + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Test.cs") },
            gpu ? s_references.Value.Concat(s_gpuReferences.Value) : s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable));

    public sealed class Result
    {
        public CSharpCompilation Output { get; init; } = null!;
        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; init; }
        public ImmutableArray<Diagnostic> CompilationDiagnostics { get; init; }
        public string[] GeneratedSources { get; init; } = Array.Empty<string>();
        /// <summary>The hint names of <see cref="GeneratedSources"/>, in the same order.</summary>
        public string[] GeneratedHintNames { get; init; } = Array.Empty<string>();
        public GeneratorDriverRunResult RunResult { get; init; } = null!;
        public IEnumerable<Diagnostic> Errors => GeneratorDiagnostics.Concat(CompilationDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error);
    }

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(new[] { new LossGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="source"/>; with <paramref name="gpu"/>, the compilation references LossDsl.Gpu.</summary>
    public static Result Run(string source, bool allowUnsafe = true, bool gpu = false)
    {
        var compilation = CreateCompilation(source, allowUnsafe, gpu: gpu);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        return new Result
        {
            Output = (CSharpCompilation)output,
            GeneratorDiagnostics = diagnostics,
            CompilationDiagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            GeneratedSources = run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).ToArray(),
            GeneratedHintNames = run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToArray(),
            RunResult = run,
        };
    }

    /// <summary>Compiles source that declares losses and returns the loaded assembly (collectible context).</summary>
    public static Assembly CompileAndLoad(string source)
    {
        var r = Run(source);
        var errors = r.Errors.ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("compilation failed:\n" + string.Join("\n", errors.Select(e => e.ToString())) + "\n" + string.Join("\n----\n", r.GeneratedSources));
        using var ms = new MemoryStream();
        var emit = r.Output.Emit(ms);
        if (!emit.Success) throw new InvalidOperationException(string.Join("\n", emit.Diagnostics));
        ms.Position = 0;
        var alc = new AssemblyLoadContext("loss-test", isCollectible: true);
        return alc.LoadFromStream(ms);
    }
}
