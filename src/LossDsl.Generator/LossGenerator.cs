using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using LossDsl.Generator.Model;

namespace LossDsl.Generator;

/// <summary>
/// The LossDsl incremental generator. Pipeline (each step named for incremental-caching tests):
/// <list type="number">
/// <item><c>FindLossMethods</c>: <c>ForAttributeWithMetadataName("LossDsl.GeneratedLossAttribute")</c> reads each
/// method into a <see cref="LossMethodInput"/> that holds only values (see LossGenerator.Parser.cs).</item>
/// <item><c>CompileLoss</c>: the language's compiler (<c>LossCompiler.Compile</c>: parse through plan) and the emitters (LossGenerator.Compile.cs) into a
/// <see cref="LossGenerationResult"/>: the source text and diagnostics located inside the expression string; with
/// <c>FindGpuRuntime</c> (does the compilation reference LossDsl.Gpu?), also the GPU file (Emit/Gpu) of a declaration
/// whose tensors are float and int spans (<c>GpuFileEmitter.Supports</c>).</item>
/// </list>
/// Nothing escapes as an exception: an unexpected failure becomes diagnostic LOSS9999 rather than CS8785.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class LossGenerator : IIncrementalGenerator
{
    /// <summary>The metadata name of the attribute the generator looks for: <c>LossDsl.GeneratedLossAttribute</c>.</summary>
    public const string AttributeName = "LossDsl.GeneratedLossAttribute";

    /// <summary>A type of LossDsl.Gpu whose presence in the compilation turns the GPU kernels on.</summary>
    public const string GpuMarkerType = "LossDsl.Gpu.Internals.GpuKernels";

    /// <summary>The tracking names of the pipeline's steps, for tests of incremental caching.</summary>
    public static class StepNames
    {
        /// <summary>The step that reads each <c>[GeneratedLoss]</c> method into a value-only input.</summary>
        public const string FindLossMethods = nameof(FindLossMethods);
        /// <summary>The step that compiles an input into the generated source and its diagnostics.</summary>
        public const string CompileLoss = nameof(CompileLoss);
        /// <summary>The step that finds out whether the compilation references LossDsl.Gpu.</summary>
        public const string FindGpuRuntime = nameof(FindGpuRuntime);
    }

    /// <summary>Registers the pipeline with the compiler; called by Roslyn once per generator instance.</summary>
    /// <param name="context">The compiler's context for registering incremental steps and outputs.</param>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var inputs = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName,
                // Local functions and lambdas too, to report that the attribute has no effect there (LOSS0005).
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax
                    or Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax
                    or Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax,
                static (ctx, ct) => ReadMethod(ctx, ct))
            .Where(static x => x is not null)
            .Select(static (x, _) => x!)
            .WithTrackingName(StepNames.FindLossMethods);

        // GPU kernels only for a compilation that references LossDsl.Gpu (CPU users never need ILGPU).
        var gpu = context.CompilationProvider
            .Select(static (c, _) => c.GetTypeByMetadataName(GpuMarkerType) is not null)
            .WithTrackingName(StepNames.FindGpuRuntime);

        var results = inputs
            .Combine(gpu)
            .Select(static (pair, ct) => Generate(pair.Left, pair.Right, ct))
            .WithTrackingName(StepNames.CompileLoss);

        // The output sees every declaration, so that overloads with the same readable hint name (same method name and
        // parameter count) get their signature hash added: hint names must be unique, or Roslyn drops every file (CS8785).
        context.RegisterSourceOutput(results.Collect(), static (spc, all) =>
        {
            var shared = new HashSet<string>(all.GroupBy(r => r.HintName).Where(g => g.Count() > 1).Select(g => g.Key));
            foreach (var result in all)
            {
                foreach (var d in result.Diagnostics)
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ById(d.Id), d.ToLocation(), LossDsl.Language.DiagnosticText.Sanitize(d.Message)));
                string hint = shared.Contains(result.HintName) ? result.HintName.Replace(".Loss.g.cs", "_" + result.SignatureHash + ".Loss.g.cs") : result.HintName;
                if (result.Source is not null) spc.AddSource(hint, result.Source);
                if (result.GpuSource is not null) spc.AddSource(hint.Replace(".Loss.g.cs", ".Gpu.g.cs"), result.GpuSource);
                if (result.StubSource is not null) spc.AddSource(hint.Replace(".Loss.g.cs", ".Error.g.cs"), result.StubSource);
            }
        });
    }

    private static DiagnosticInfo Internal(Exception e, string filePath, Microsoft.CodeAnalysis.Text.TextSpan span, Microsoft.CodeAnalysis.Text.LinePositionSpan lines) =>
        new(LossDsl.Language.DiagnosticIds.InternalError,
            $"internal error in the LossDsl generator ({e.GetType().Name}: {e.Message}); please report it with the expression",
            filePath, span, lines);
}
