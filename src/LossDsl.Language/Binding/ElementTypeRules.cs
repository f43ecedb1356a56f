using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Binding;

/// <summary>
/// Decides the type a loss computes in from its declaration (docs/language.md §2.1): double tensors make a kernel
/// computed in double, any other real tensors (float, Half, BFloat16) one computed in float. A declaration that mixes
/// double tensors with other real tensors, or a gradient whose element type is not its input's, is LOSS0215; so is an
/// output (§2.4) of another type than the loss computes in (double in a double loss; float, Half or BFloat16 otherwise).
/// </summary>
internal static class ElementTypeRules
{
    /// <summary>Sets <see cref="LossModel.Real"/> from the tensors and gradients (the outputs follow it: <see cref="CheckOutput"/>).</summary>
    public static void Settle(LossModel model, DiagnosticBag diagnostics)
    {
        var reals = model.Parameters.Where(p => p.Kind == ParameterKind.FloatTensor || model.Tensors.Any(t => t.Gradient == p)).ToList();
        var firstDouble = reals.FirstOrDefault(p => p.Element == ElementType.Float64);
        if (firstDouble is not null)
        {
            model.Real = ElementType.Float64;
            foreach (var p in reals.Where(p => p.Element != ElementType.Float64 && p.Kind == ParameterKind.FloatTensor))
                diagnostics.Add(new DslDiagnostic(DiagnosticIds.MixedElementTypes, DslSeverity.Error,
                    $"'{p.Name}' has element type {ElementTypes.DisplayName(p.Element)} but '{firstDouble.Name}' is double: a loss computes in double when its tensors are double, so every real tensor must be double (or none)",
                    0, 0, p.Name));
        }
        foreach (var t in model.Tensors.Where(t => t.Gradient is not null && t.Gradient.Element != t.Parameter.Element))
            diagnostics.Add(new DslDiagnostic(DiagnosticIds.MixedElementTypes, DslSeverity.Error,
                $"the gradient '{t.Gradient!.Name}' has element type {ElementTypes.DisplayName(t.Gradient.Element)} but its input '{t.Name}' is {ElementTypes.DisplayName(t.Parameter.Element)}: a gradient is written in its input's element type",
                0, 0, t.Gradient.Name));
    }

    /// <summary>
    /// An output is written in the type the loss computes in: double in a double loss; float, or Half or BFloat16
    /// (converted after the passes, like their gradients), in a float loss.
    /// </summary>
    public static void CheckOutput(LossModel model, LossParameter output, DiagnosticBag diagnostics)
    {
        if ((output.Element == ElementType.Float64) == (model.Real == ElementType.Float64)) return;
        diagnostics.Add(new DslDiagnostic(DiagnosticIds.MixedElementTypes, DslSeverity.Error,
            $"the output '{output.Name}' has element type {ElementTypes.DisplayName(output.Element)} but the loss computes in {ElementTypes.DisplayName(model.Real)}: "
            + (model.Real == ElementType.Float64 ? "an output of a loss with double tensors is double" : "an output of a float loss is float, Half or BFloat16"),
            0, 0, output.Name));
    }
}
