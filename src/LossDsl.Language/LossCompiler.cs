using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Binding;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;
using LossDsl.Language.Lowering;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Syntax;

namespace LossDsl.Language;

/// <summary>What compiling a loss produced: the bound loss, its gradients, the plans of its kernels, and diagnostics.</summary>
internal sealed class LossCompilation
{
    public LossCompilation(LossModel? model, IReadOnlyList<GradientExpression> gradients, KernelPlan? forward, KernelPlan? forwardBackward,
        IReadOnlyList<DslDiagnostic> diagnostics)
    {
        Model = model; Gradients = gradients; Forward = forward; ForwardBackward = forwardBackward; Diagnostics = diagnostics;
    }

    /// <summary>The bound and simplified loss; null when there are errors.</summary>
    public LossModel? Model { get; }
    /// <summary>dLoss/dTensor for every tensor with a gradient output, in tensor order (empty when not differentiating).</summary>
    public IReadOnlyList<GradientExpression> Gradients { get; }
    /// <summary>The plan of the forward kernel (the loss only), when plans were asked for.</summary>
    public KernelPlan? Forward { get; }
    /// <summary>The plan of the fused forward + backward kernel, when plans were asked for and the loss has gradient outputs.</summary>
    public KernelPlan? ForwardBackward { get; }
    public IReadOnlyList<DslDiagnostic> Diagnostics { get; }
    public bool Success => Model is not null;
}

/// <summary>
/// The compiler's one entry point. It runs the stages in order, each in its own folder:
/// <see cref="Parser"/> (Syntax) → <see cref="Binder"/> (Binding: names, shapes, types), which hands every call of a
/// built-in to <see cref="Desugaring.Desugarer"/> (Desugaring, fed by <see cref="Builtins.BuiltinTable"/>), while the
/// <see cref="Simplification.AlgebraicSimplifier"/> (Simplification) rewrites every IR node as it is built →
/// <see cref="ReverseAd"/> (Differentiation) → <see cref="StableForms"/> (Lowering) → <see cref="Scheduler"/>
/// (Scheduling: loop nests) → <see cref="Planner"/> (Planning: the decisions of how to run them). The generator hands
/// the plans to its emitters; the interpreter evaluates the bound loss and gradients directly.
/// </summary>
internal static class LossCompiler
{
    public static LossCompilation Compile(string source, IReadOnlyList<LossParameter> parameters, bool differentiate, bool plan = false)
    {
        try { return CompileCore(source, parameters, differentiate, plan); }
        catch (InsufficientExecutionStackException)
        {
            // The limits of the parser and the binder (LOSS0103) keep every walk of the later stages well within a
            // thread's stack; this is the backstop should one still run out (a thread with a very small stack).
            var diagnostic = new DslDiagnostic(DiagnosticIds.NestedTooDeeply, DslSeverity.Error,
                "the expression is nested too deeply to compile on this thread's stack; split it into smaller bindings", 0, source.Length);
            return new LossCompilation(null, Array.Empty<GradientExpression>(), null, null, new[] { diagnostic });
        }
    }

    private static LossCompilation CompileCore(string source, IReadOnlyList<LossParameter> parameters, bool differentiate, bool plan)
    {
        var diagnostics = new DiagnosticBag();
        var none = Array.Empty<GradientExpression>();
        ProgramSyntax syntax;
        try { syntax = Parser.Parse(source); }
        catch (DslException e)
        {
            diagnostics.Add(e.Diagnostic);
            return new LossCompilation(null, none, null, null, diagnostics.Items);
        }
        var model = Binder.Bind(syntax, source, parameters, diagnostics);
        if (model is null) return new LossCompilation(null, none, null, null, diagnostics.Items);
        // Span<float> parameters that are outputs (not gradients) need no differentiation.
        differentiate &= model.Tensors.Any(t => t.Gradient is not null);
        IReadOnlyList<GradientExpression> gradients = differentiate
            ? ReverseAd.Differentiate(model, diagnostics).Values.OrderBy(g => g.Tensor.Id).ToList()
            : none;
        if (diagnostics.HasErrors) return new LossCompilation(null, gradients, null, null, diagnostics.Items);
        if (!plan) return new LossCompilation(model, gradients, null, null, diagnostics.Items);

        // Lowering, then the loss alone and the loss with its gradients, each scheduled and planned.
        var memo = new Dictionary<Node, Node>();
        int keyBits = model.Real == ElementType.Float64 ? 64 : 32;
        var loss = StableForms.Lower(model.Graph, model.Loss, memo, keyBits);
        // Both kernels write the outputs.
        var outputs = model.Outputs.Select(o => new OutputExpression(o, StableForms.Lower(model.Graph, o.Value, memo, keyBits))).ToList();
        // The internal tensors (stages of repeat blocks and their adjoints), as the kernels compute them.
        var internals = model.Internals.Select(t => StableForms.Lower(model.Graph, t.Definition, memo, keyBits)).ToList();
        var forward = Planner.Plan("Forward", model, Scheduler.Schedule(model, loss, none, outputs, internals), none);
        KernelPlan? forwardBackward = null;
        if (differentiate)
        {
            var lowered = gradients.Select(g => new GradientExpression(g.Tensor, g.Axes, StableForms.Lower(model.Graph, g.Expression, memo, keyBits))).ToList();
            forwardBackward = Planner.Plan("ForwardBackward", model, Scheduler.Schedule(model, loss, lowered, outputs, internals), lowered);
        }
        return new LossCompilation(model, gradients, forward, forwardBackward, diagnostics.Items);
    }
}
