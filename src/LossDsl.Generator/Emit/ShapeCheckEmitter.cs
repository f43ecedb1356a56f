using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit;

/// <summary>
/// Prints the host code that computes every extent from the tensor lengths and int parameters, in the order the
/// binder proved sufficient (<see cref="LossModel.ExtentPlan"/>), and checks every length, throwing exceptions that
/// name the parameter. No size arithmetic overflows: products are taken in long.
/// </summary>
internal static class ShapeCheckEmitter
{
    /// <param name="writer">Where to print.</param>
    /// <param name="model">The loss.</param>
    /// <param name="extentName">The local that holds an extent.</param>
    /// <param name="withGradients">Also check that every gradient output has its input's length and shares memory with no float input or other gradient.</param>
    /// <param name="length">The expression of a tensor's length, by parameter name (default: <c>name.Length</c> of a span).</param>
    /// <param name="checkSpanOverlaps">Also print the span overlap checks of gradients (CPU methods; the GPU methods check views their own way).</param>
    public static void Emit(CodeWriter writer, LossModel model, System.Func<int, string> extentName, bool withGradients,
        System.Func<string, string>? length = null, bool checkSpanOverlaps = true)
    {
        string Length(string name) => length is null ? name + ".Length" : length(name);
        string ShapeText(TensorInfo t, int unknown) => string.Join(" * ", t.Axes!.Where(a => a != unknown).Select(a => model.Extents[a].Name));

        writer.Line("// Shapes: every extent from a tensor length or an int parameter; every length is checked.");
        foreach (var step in model.ExtentPlan)
        {
            if (step.Scalar >= 0)
            {
                var s = model.Scalars[step.Scalar];
                writer.Line($"if ({s.Name} < 0) throw new global::System.ArgumentOutOfRangeException(nameof({s.Name}), {s.Name}, \"An extent must not be negative.\");");
                writer.Line($"int {extentName(step.Extent)} = {s.Name};");
            }
            else if (step.Extent >= 0)
            {
                var t = model.Tensors[step.Tensor];
                string extent = extentName(step.Extent);
                var others = t.Axes!.Where(a => a != step.Extent).Select(extentName).ToList();
                if (others.Count == 0)
                {
                    writer.Line($"int {extent} = {Length(t.Name)};");
                }
                else
                {
                    string product = string.Join(" * ", others.Select(o => "(long)" + o));
                    writer.Line($"long {extent}_rest = {product};");
                    writer.Line($"if ({extent}_rest == 0 ? {Length(t.Name)} != 0 : {Length(t.Name)} % {extent}_rest != 0)");
                    writer.Line($"    throw new global::System.ArgumentException($\"The length of '{t.Name}' ({{{Length(t.Name)}}}) must be a multiple of {ShapeText(t, step.Extent)} = {{{extent}_rest}}.\", nameof({t.Name}));");
                    writer.Line($"int {extent} = {extent}_rest == 0 ? 0 : (int)({Length(t.Name)} / {extent}_rest);");
                }
            }
            else
            {
                var t = model.Tensors[step.Tensor];
                string product = string.Join(" * ", t.Axes!.Select(a => "(long)" + extentName(a)));
                writer.Line($"if ({Length(t.Name)} != {product})");
                writer.Line($"    throw new global::System.ArgumentException($\"'{t.Name}' has length {{{Length(t.Name)}}} but its shape [{string.Join(", ", t.Axes!.Select(a => model.Extents[a].Name))}] needs {{{product}}} elements.\", nameof({t.Name}));");
            }
        }
        if (!withGradients) return;
        foreach (var t in model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null))
        {
            writer.Line($"if ({Length(t.Gradient!.Name)} != {Length(t.Name)})");
            writer.Line($"    throw new global::System.ArgumentException($\"The gradient '{t.Gradient.Name}' has length {{{Length(t.Gradient.Name)}}} but '{t.Name}' has length {{{Length(t.Name)}}}.\", nameof({t.Gradient.Name}));");
        }
        // A gradient output is written while the inputs are still read (and may hold scratch values before its final
        // ones): it must share memory with no float input and no other gradient.
        if (!checkSpanOverlaps) return;
        var gradients = model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null).Select(t => t.Gradient!.Name).ToList();
        var floats = model.Tensors.Where(t => t.Axes is not null && !t.IsInt).Select(t => t.Name).ToList();
        for (int g = 0; g < gradients.Count; g++)
        {
            foreach (var other in floats.Concat(gradients.Take(g)))
            {
                writer.Line($"if (global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<float>){gradients[g]}, (global::System.ReadOnlySpan<float>){other}))");
                writer.Line($"    throw new global::System.ArgumentException(\"The gradient '{gradients[g]}' overlaps '{other}' in memory; give each gradient its own memory.\", nameof({gradients[g]}));");
            }
        }
    }
}
