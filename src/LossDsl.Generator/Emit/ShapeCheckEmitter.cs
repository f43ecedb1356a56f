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
    /// <param name="outputs">The outputs the kernel writes: each must have its shape's length and share memory with no float input, gradient or other output.</param>
    /// <param name="length">The expression of a tensor's length, by parameter name (default: <c>name.Length</c> of a span).</param>
    /// <param name="overlaps">The condition that two parameters, by name, share memory (default: <c>MemoryExtensions.Overlaps</c> of spans).</param>
    public static void Emit(CodeWriter writer, LossModel model, System.Func<int, string> extentName, bool withGradients,
        System.Collections.Generic.IReadOnlyList<OutputInfo> outputs, System.Func<string, string>? length = null,
        System.Func<string, string, string>? overlaps = null)
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
        foreach (var o in outputs)
        {
            if (o.Axes.Length == 0)
            {
                writer.Line($"if ({Length(o.Name)} != 1)");
                writer.Line($"    throw new global::System.ArgumentException($\"The output '{o.Name}' has length {{{Length(o.Name)}}} but it holds one value (its binding has no indices).\", nameof({o.Name}));");
                continue;
            }
            string product = string.Join(" * ", o.Axes.Select(a => "(long)" + extentName(a.Extent)));
            writer.Line($"if ({Length(o.Name)} != {product})");
            writer.Line($"    throw new global::System.ArgumentException($\"The output '{o.Name}' has length {{{Length(o.Name)}}} but its shape [{string.Join(", ", o.Axes.Select(a => model.Extents[a.Extent].Name))}] needs {{{product}}} elements.\", nameof({o.Name}));");
        }
        var gradients = new System.Collections.Generic.List<string>();
        if (withGradients)
        {
            foreach (var t in model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null))
            {
                writer.Line($"if ({Length(t.Gradient!.Name)} != {Length(t.Name)})");
                writer.Line($"    throw new global::System.ArgumentException($\"The gradient '{t.Gradient.Name}' has length {{{Length(t.Gradient.Name)}}} but '{t.Name}' has length {{{Length(t.Name)}}}.\", nameof({t.Gradient.Name}));");
            }
            gradients.AddRange(model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null).Select(t => t.Gradient!.Name));
        }
        // A gradient output is written while the inputs are still read (and may hold scratch values before its final
        // ones): it must share memory with no float input and no other gradient. So must an output.
        string Overlaps(string a, string b) => overlaps is null
            ? $"global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<float>){a}, (global::System.ReadOnlySpan<float>){b})"
            : overlaps(a, b);
        var floats = model.Tensors.Where(t => t.Axes is not null && !t.IsInt).Select(t => t.Name).ToList();
        var written = gradients.Select(g => (Name: g, What: "gradient")).Concat(outputs.Select(o => (Name: o.Name, What: "output"))).ToList();
        for (int g = 0; g < written.Count; g++)
        {
            var (name, what) = written[g];
            foreach (var other in floats.Concat(written.Take(g).Select(x => x.Name)))
            {
                writer.Line($"if ({Overlaps(name, other)})");
                writer.Line($"    throw new global::System.ArgumentException(\"The {what} '{name}' overlaps '{other}' in memory; give each {what} its own memory.\", nameof({name}));");
            }
        }
    }
}
