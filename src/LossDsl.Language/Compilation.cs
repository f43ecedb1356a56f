using System;
using System.Collections.Generic;
using LossDsl.Language.Binding;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;
using LossDsl.Language.Syntax;

namespace LossDsl.Language;

/// <summary>The result of the front half of the pipeline: parse, bind, differentiate.</summary>
internal sealed class CompiledLoss
{
    public CompiledLoss(LossModel? model, Dictionary<int, GradientExpression> gradients, IReadOnlyList<DslDiagnostic> diagnostics)
    { Model = model; Gradients = gradients; Diagnostics = diagnostics; }
    public LossModel? Model { get; }
    /// <summary>Per tensor id, dLoss/dTensor (empty when not differentiating).</summary>
    public Dictionary<int, GradientExpression> Gradients { get; }
    public IReadOnlyList<DslDiagnostic> Diagnostics { get; }
    public bool Success => Model is not null;
}

/// <summary>
/// Runs the stages in order: <see cref="Parser"/> (syntax) -> <see cref="Binder"/> (names, shapes, types; the simplifier
/// runs inside every IR constructor) -> <see cref="ReverseAd"/> (gradients). Scheduling and emission follow in the
/// generator; the interpreter evaluates the result directly.
/// </summary>
internal static class LossCompiler
{
    public static CompiledLoss Compile(string source, IReadOnlyList<LossParameter> parameters, bool differentiate)
    {
        var diagnostics = new DiagnosticBag();
        ProgramSyntax syntax;
        try { syntax = Parser.Parse(source); }
        catch (DslException e)
        {
            diagnostics.Add(e.Diagnostic);
            return new CompiledLoss(null, new Dictionary<int, GradientExpression>(), diagnostics.Items);
        }
        var model = Binder.Bind(syntax, source, parameters, diagnostics);
        if (model is null) return new CompiledLoss(null, new Dictionary<int, GradientExpression>(), diagnostics.Items);
        var gradients = differentiate ? ReverseAd.Differentiate(model, diagnostics) : new Dictionary<int, GradientExpression>();
        if (diagnostics.HasErrors) return new CompiledLoss(null, gradients, diagnostics.Items);
        return new CompiledLoss(model, gradients, diagnostics.Items);
    }
}
