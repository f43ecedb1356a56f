using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit;

/// <summary>
/// Prints the host code that computes every extent from the tensor lengths and int parameters, in the order the
/// binder proved sufficient (<see cref="LossModel.ExtentPlan"/>), and checks every length, throwing exceptions that
/// name the parameter. No size arithmetic overflows: products of extents are taken in long and saturate where they do
/// not fit (<see cref="Product"/>), so a shape too large for any span fails its length check. A subscripted tensor span gives the
/// extents of its axes from its <c>Lengths</c> (or has them checked); the lengths of the other tensors are those of
/// their spans (<see cref="HostTensorEmitter.Span"/>).
/// </summary>
internal static class ShapeCheckEmitter
{
    /// <param name="writer">Where to print.</param>
    /// <param name="model">The loss.</param>
    /// <param name="extentName">The local that holds an extent.</param>
    /// <param name="withGradients">Also check that every gradient output has its input's length and shares memory with no input or other gradient.</param>
    /// <param name="outputs">The outputs the kernel writes (docs/language.md §2.4): each must have its shape's length and share memory with no input, gradient or other output.</param>
    /// <param name="length">The expression of a tensor's length, by parameter name (default: the <c>Length</c> of its span, <see cref="HostTensorEmitter.Span"/>); the GPU kernels give their views' lengths (they take no tensor spans, whose <c>Lengths</c> the checks also read: <see cref="Gpu.GpuFileEmitter.Supports"/>).</param>
    /// <param name="overlaps">The condition that two parameters share memory (default: <c>MemoryExtensions.Overlaps</c> of their spans); the GPU kernels compare their views.</param>
    public static void Emit(CodeWriter writer, LossModel model, System.Func<int, string> extentName, bool withGradients,
        System.Collections.Generic.IReadOnlyList<OutputInfo> outputs, System.Func<string, string>? length = null,
        System.Func<LossParameter, LossParameter, string>? overlaps = null)
    {
        string Length(LossParameter p) => length is null ? HostTensorEmitter.Span(p) + ".Length" : length(p.Name);
        string ShapeText(TensorInfo t, int unknown) => string.Join(" * ", t.Axes!.Where(a => a != unknown).Select(a => model.Extents[a].Name));

        writer.Line("// Shapes: every extent from a tensor length or an int parameter; every length is checked.");
        foreach (var step in model.ExtentPlan)
        {
            if (step.Axis >= 0)
            {
                EmitAxis(writer, model, extentName, step);
            }
            else if (step.Scalar >= 0)
            {
                var s = model.Scalars[step.Scalar];
                writer.Line($"if ({Id(s.Name)} < 0) throw new global::System.ArgumentOutOfRangeException(nameof({Id(s.Name)}), {Id(s.Name)}, \"An extent must not be negative.\");");
                writer.Line($"int {extentName(step.Extent)} = {Id(s.Name)};");
            }
            else if (step.Extent >= 0)
            {
                var t = model.Tensors[step.Tensor];
                string extent = extentName(step.Extent);
                var others = t.Axes!.Where(a => a != step.Extent).Select(extentName).ToList();
                if (others.Count == 0)
                {
                    writer.Line($"int {extent} = {Length(t.Parameter)};");
                }
                else
                {
                    writer.Line($"long {extent}_rest = {Product(others)};");
                    writer.Line($"if ({extent}_rest == 0 ? {Length(t.Parameter)} != 0 : {Length(t.Parameter)} % {extent}_rest != 0)");
                    writer.Line($"    throw new global::System.ArgumentException($\"The length of '{t.Name}' ({{{Length(t.Parameter)}}}) must be a multiple of {ShapeText(t, step.Extent)} = {{{Text(extent + "_rest")}}}.\", nameof({Id(t.Name)}));");
                    writer.Line($"int {extent} = {extent}_rest == 0 ? 0 : (int)({Length(t.Parameter)} / {extent}_rest);");
                }
            }
            else
            {
                var t = model.Tensors[step.Tensor];
                string product = Product(t.Axes!.Select(extentName).ToList());
                writer.Line($"if ({Length(t.Parameter)} != {product})");
                writer.Line($"    throw new global::System.ArgumentException($\"'{t.Name}' has length {{{Length(t.Parameter)}}} but its shape [{string.Join(", ", t.Axes!.Select(a => model.Extents[a].Name))}] needs {{{Text(product)}}} elements.\", nameof({Id(t.Name)}));");
            }
        }
        foreach (var o in outputs)
        {
            var p = o.Parameter;
            if (p.Shaped && o.Axes.Length > 0)
            {
                // An output tensor span has the output's shape: axis by axis (its rank is checked with its view).
                for (int k = 0; k < o.Axes.Length; k++)
                {
                    string extent = extentName(o.Axes[k].Extent);
                    writer.Line($"if ({Id(p.Name)}.Lengths[{k}] != {extent})");
                    writer.Line($"    throw new global::System.ArgumentException($\"The output '{o.Name}' has length {{{Id(p.Name)}.Lengths[{k}]}} on axis {k} but its shape needs {model.Extents[o.Axes[k].Extent].Name} = {{{extent}}}.\", nameof({Id(o.Name)}));");
                }
                continue;
            }
            if (o.Axes.Length == 0)
            {
                writer.Line($"if ({Length(p)} != 1)");
                writer.Line($"    throw new global::System.ArgumentException($\"The output '{o.Name}' has length {{{Length(p)}}} but it holds one value (its binding has no indices).\", nameof({Id(o.Name)}));");
                continue;
            }
            string product = Product(o.Axes.Select(a => extentName(a.Extent)).ToList());
            writer.Line($"if ({Length(p)} != {product})");
            writer.Line($"    throw new global::System.ArgumentException($\"The output '{o.Name}' has length {{{Length(p)}}} but its shape [{string.Join(", ", o.Axes.Select(a => model.Extents[a.Extent].Name))}] needs {{{Text(product)}}} elements.\", nameof({Id(o.Name)}));");
        }
        var gradients = new System.Collections.Generic.List<LossParameter>();
        if (withGradients)
        {
            foreach (var t in model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null))
            {
                var g = t.Gradient!;
                gradients.Add(g);
                if (g.Shaped && !t.IsFlat)
                {
                    // A gradient tensor span has its input's shape: axis by axis.
                    for (int k = 0; k < t.Axes!.Length; k++)
                    {
                        string extent = extentName(t.Axes[k]);
                        writer.Line($"if ({Id(g.Name)}.Lengths[{k}] != {extent})");
                        writer.Line($"    throw new global::System.ArgumentException($\"The gradient '{g.Name}' has length {{{Id(g.Name)}.Lengths[{k}]}} on axis {k} but '{t.Name}' has {model.Extents[t.Axes[k]].Name} = {{{extent}}}.\", nameof({Id(g.Name)}));");
                    }
                    continue;
                }
                if (g.Shaped && t.Parameter.Shaped)
                {
                    writer.Line($"if (!global::System.MemoryExtensions.SequenceEqual({Id(g.Name)}.Lengths, {Id(t.Name)}.Lengths))");
                    writer.Line($"    throw new global::System.ArgumentException(\"The gradient '{g.Name}' must have the shape (Lengths) of '{t.Name}'.\", nameof({Id(g.Name)}));");
                }
                writer.Line($"if ({Length(g)} != {Length(t.Parameter)})");
                writer.Line($"    throw new global::System.ArgumentException($\"The gradient '{g.Name}' has length {{{Length(g)}}} but '{t.Name}' has length {{{Length(t.Parameter)}}}.\", nameof({Id(g.Name)}));");
            }
        }
        // A gradient output is written while the inputs are still read (and may hold scratch values before its final
        // ones): it must share memory with no input (real or int, compared as bytes when the element types differ) and
        // no other gradient. So must an output. Every overlap is refused, an exact alias too: a pass may write one
        // element of a gradient before a later pass reads the input element in its memory.
        string Overlaps(LossParameter a, LossParameter b) => overlaps is null
            ? $"global::System.MemoryExtensions.Overlaps({ReadOnlySpan(a, b)}, {ReadOnlySpan(b, a)})"
            : overlaps(a, b);
        var inputs = model.Tensors.Where(t => t.Axes is not null).Select(t => t.Parameter).ToList();
        var written = gradients.Select(g => (Parameter: g, What: "gradient")).Concat(outputs.Select(o => (o.Parameter, What: "output"))).ToList();
        for (int w = 0; w < written.Count; w++)
        {
            var (p, what) = written[w];
            foreach (var other in inputs.Concat(written.Take(w).Select(x => x.Parameter)))
            {
                writer.Line($"if ({Overlaps(p, other)})");
                writer.Line($"    throw new global::System.ArgumentException(\"The {what} '{p.Name}' overlaps '{other.Name}' in memory; give each {what} its own memory.\", nameof({Id(p.Name)}));");
            }
        }
    }

    /// <summary>
    /// The expression of the product of int extents (at least 0) in long: the first two multiplied in long (the product of
    /// two ints fits), every further one through <c>LossDsl.Internals.Sizes.Product</c>, which saturates at
    /// <c>long.MaxValue</c> instead of wrapping (n^3 with n = 2^22 would wrap to 0 and pass an empty tensor's check).
    /// </summary>
    /// <param name="extents">The expressions of the extents (ints); none gives 1.</param>
    public static string Product(System.Collections.Generic.IReadOnlyList<string> extents)
    {
        if (extents.Count == 0) return "1L";
        string product = "(long)" + extents[0];
        if (extents.Count > 1) product += " * (long)" + extents[1];
        for (int k = 2; k < extents.Count; k++) product = $"global::LossDsl.Internals.Sizes.Product({product}, {extents[k]})";
        return product;
    }

    /// <summary>The expression of a size's text in a message (<c>Sizes.Text</c>: a saturated size reads "more than ...").</summary>
    /// <remarks>Parenthesized: it is printed in an interpolation hole, where a bare <c>global::</c> would start a format.</remarks>
    private static string Text(string size) => $"(global::LossDsl.Internals.Sizes.Text({size}))";

    /// <summary>A parameter's elements as a read-only span to compare with <paramref name="other"/>'s: of their element type, or bytes when the types differ.</summary>
    private static string ReadOnlySpan(LossParameter p, LossParameter other) => p.Element == other.Element
        ? $"(global::System.ReadOnlySpan<{ElementTypes.CSharpName(p.Element)}>){HostTensorEmitter.Span(p)}"
        : $"(global::System.ReadOnlySpan<byte>)global::System.Runtime.InteropServices.MemoryMarshal.AsBytes({HostTensorEmitter.Span(p)})";

    /// <summary>An extent from the length of a tensor span's axis, or a check of that length against a known extent.</summary>
    /// <summary>A parameter's name as an identifier (escaped where it is a keyword: <c>@class</c>).</summary>
    private static string Id(string name) => Model.GeneratedNames.Id(name);

    private static void EmitAxis(CodeWriter writer, LossModel model, System.Func<int, string> extentName, ExtentStep step)
    {
        var t = model.Tensors[step.Tensor];
        int k = step.Axis;
        string length = $"{Id(t.Name)}.Lengths[{k}]";
        if (step.Extent >= 0)
        {
            writer.Line($"if ({length} > int.MaxValue)");
            writer.Line($"    throw new global::System.ArgumentException($\"Axis {k} of '{t.Name}' has length {{{length}}}, more than an extent can be.\", nameof({Id(t.Name)}));");
            writer.Line($"int {extentName(step.Extent)} = (int){length};");
            return;
        }
        string extent = extentName(t.Axes![k]);
        writer.Line($"if ({length} != {extent})");
        writer.Line($"    throw new global::System.ArgumentException($\"Axis {k} of '{t.Name}' has length {{{length}}} but the loss needs {model.Extents[t.Axes[k]].Name} = {{{extent}}}.\", nameof({Id(t.Name)}));");
    }
}
