using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using LossDsl.Generator.Emit;
using LossDsl.Generator.Model;
using LossDsl.Language;
using LossDsl.Language.Ir;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator;

public sealed partial class LossGenerator
{
    /// <summary>
    /// Compiles one method with the language's compiler and hands its plans to the emitters (the GPU emitter too when
    /// <paramref name="gpu"/>, the compilation references LossDsl.Gpu, and the GPU kernels take the declaration's
    /// parameter types). Never throws.
    /// </summary>
    private static LossGenerationResult Generate(LossMethodInput input, bool gpu, CancellationToken ct)
    {
        string hint = HintName(input), hash = GeneratedNames.SignatureHash(input);
        var diagnostics = new List<DiagnosticInfo>(input.DeclarationDiagnostics);
        try
        {
            if (diagnostics.Any(IsError))
                return new LossGenerationResult(hint, null, new EquatableArray<DiagnosticInfo>(diagnostics)) { StubSource = StubFileEmitter.Emit(input, diagnostics.First(IsError)), SignatureHash = hash };

            var parameters = input.Parameters.Select(p => new LossParameter(p.Name, p.Kind, p.TypeText, p.Element, p.Shaped)).ToList();
            bool differentiate = parameters.Any(p => p.Kind == ParameterKind.Gradient);
            var compilation = LossCompiler.Compile(input.Expression, parameters, differentiate, plan: true);
            foreach (var d in compilation.Diagnostics) diagnostics.Add(Locate(input, d));
            if (!compilation.Success)
                return new LossGenerationResult(hint, null, new EquatableArray<DiagnosticInfo>(diagnostics)) { StubSource = StubFileEmitter.Emit(input, diagnostics.FirstOrDefault(IsError)), SignatureHash = hash };
            ct.ThrowIfCancellationRequested();

            string source = LossFileEmitter.Emit(input, compilation);
            string? gpuSource = gpu && Emit.Gpu.GpuFileEmitter.Supports(input) ? Emit.Gpu.GpuFileEmitter.Emit(input, compilation) : null;
            return new LossGenerationResult(hint, source, new EquatableArray<DiagnosticInfo>(diagnostics)) { GpuSource = gpuSource, SignatureHash = hash };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (GeneratedCodeTooLargeException e)
        {
            var (span, lines) = input.Map(0, input.Expression.Length);
            diagnostics.Add(new DiagnosticInfo(DiagnosticIds.GeneratedCodeTooLarge,
                $"the kernels of this loss are too large to generate ({e.Message}); simplify the expression or split it into several losses", input.FilePath, span, lines));
            return new LossGenerationResult(hint, null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        catch (InsufficientExecutionStackException)
        {
            // Emission ran out of stack (the compiler's limits make this a backstop): a located error, not a crash.
            var (span, lines) = input.Map(0, input.Expression.Length);
            diagnostics.Add(new DiagnosticInfo(DiagnosticIds.NestedTooDeeply,
                "the expression is nested too deeply to generate its kernels on this thread's stack; split it into smaller bindings", input.FilePath, span, lines));
            return new LossGenerationResult(hint, null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        catch (Exception e)
        {
            var (span, lines) = input.Map(-1, 0);
            var internalError = Internal(e, input.FilePath, span, lines);
            diagnostics.Add(internalError);
            return new LossGenerationResult(hint, null, new EquatableArray<DiagnosticInfo>(diagnostics)) { StubSource = StubFileEmitter.Emit(input, internalError), SignatureHash = hash };
        }
    }

    private static bool IsError(DiagnosticInfo d) => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error;

    private static DiagnosticInfo Locate(LossMethodInput input, DslDiagnostic d)
    {
        if (d.Parameter is not null)
        {
            var p = input.Parameters.FirstOrDefault(x => x.Name == d.Parameter);
            if (p is not null)
            {
                var span = new TextSpan(p.SpanStart, p.SpanLength);
                return new DiagnosticInfo(d.Id, d.Message, input.FilePath, span,
                    new LinePositionSpan(new LinePosition(p.Line, p.Column), new LinePosition(p.Line, p.Column + p.SpanLength)));
            }
        }
        var (s, l) = d.Parameter is not null && input.Parameters.All(x => x.Name != d.Parameter) ? input.Map(-1, 0) : input.Map(d.Offset, d.Length);
        return new DiagnosticInfo(d.Id, d.Message, input.FilePath, s, l);
    }

    /// <summary>The readable hint name (namespace, types, method, parameter count); the output step makes overloads that share it unique.</summary>
    private static string HintName(LossMethodInput input) => GeneratedNames.HintStem(input) + ".Loss.g.cs";
}
