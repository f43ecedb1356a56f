using System.Collections.Generic;
using System.Linq;
using LossDsl.Generator.Model;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit;

/// <summary>
/// Prints the host code between the declared tensor parameters and the memory a kernel reads and writes
/// (docs/language.md §2.1): a tensor span (<c>ReadOnlyTensorSpan&lt;T&gt;</c>, <c>TensorSpan&lt;T&gt;</c>) must be dense
/// and becomes a span of its elements; a tensor whose element type is not the kernel's (Half and BFloat16 in a float
/// kernel, long labels) is converted into a pooled buffer on entry, and a gradient or an output (§2.4) of such a type
/// is computed in a pooled buffer and converted into its span after the passes. Every exception names the parameter.
/// The backend emitters call it around their own entry code; it decides nothing that the model does not say.
/// </summary>
internal sealed class HostTensorEmitter
{
    private readonly LossModel _model;
    private readonly List<LossParameter> _used;
    private readonly HashSet<LossParameter> _gradients;
    private readonly Dictionary<LossParameter, OutputInfo> _outputs;

    /// <param name="model">The loss.</param>
    /// <param name="withGradients">Whether the kernel writes the gradient outputs (every kernel writes the outputs).</param>
    public HostTensorEmitter(LossModel model, bool withGradients)
    {
        _model = model;
        var inputs = model.Tensors.Where(t => t.Axes is not null).ToList();
        var gradients = withGradients ? inputs.Where(t => t.Gradient is not null).Select(t => t.Gradient!).ToList() : new List<LossParameter>();
        _outputs = model.Outputs.ToDictionary(o => o.Parameter);
        _used = inputs.Select(t => t.Parameter).Concat(gradients).Concat(model.Outputs.Select(o => o.Parameter)).ToList();
        _gradients = new HashSet<LossParameter>(gradients);
    }

    /// <summary>True for a parameter the kernel writes: a gradient or an output.</summary>
    private bool Written(LossParameter p) => _gradients.Contains(p) || _outputs.ContainsKey(p);

    /// <summary>The span of a tensor, gradient or output parameter's elements, in its declared element type.</summary>
    public static string Span(LossParameter p) => p.Shaped ? $"__span_{p.Name}" : GeneratedNames.Id(p.Name);

    /// <summary>What the kernel pins for a tensor, gradient or output parameter: its span, or the pooled buffer it is converted into (or from).</summary>
    public string Memory(LossParameter p) => Converted(p) ? Buffer(p) : Span(p);

    /// <summary>The C# type of the elements the kernel reads or writes for a parameter.</summary>
    public string KernelElement(LossParameter p) => ElementTypes.CSharpName(ElementTypes.KernelType(p.Element, _model.Real));

    /// <summary>True when the entry rents buffers that <see cref="EmitReturns"/> gives back.</summary>
    public bool RentsBuffers => _used.Any(Converted);

    private bool Converted(LossParameter p) => ElementTypes.IsConverted(p.Element, _model.Real);
    private static string Buffer(LossParameter p) => $"__buffer_{p.Name}";
    private string Pool(LossParameter p) => "global::LossDsl.Internals.ScratchPool";

    /// <summary>Tensor spans: dense (or empty), within a span's length, of the rank the loss reads them with; then their spans.</summary>
    public void EmitViews(CodeWriter w)
    {
        foreach (var p in _used.Where(p => p.Shaped))
        {
            bool gradient = _gradients.Contains(p);
            w.Line($"if (!{GeneratedNames.Id(p.Name)}.IsDense && {GeneratedNames.Id(p.Name)}.FlattenedLength != 0) throw new global::System.ArgumentException(\"'{p.Name}' must be a dense tensor span (contiguous, row-major); copy a strided or broadcast view into a dense tensor first.\", nameof({GeneratedNames.Id(p.Name)}));");
            w.Line($"if ({GeneratedNames.Id(p.Name)}.FlattenedLength > int.MaxValue) throw new global::System.ArgumentException($\"'{p.Name}' has {{{GeneratedNames.Id(p.Name)}.FlattenedLength}} elements, more than a span can hold.\", nameof({GeneratedNames.Id(p.Name)}));");
            if (_outputs.TryGetValue(p, out var output))
            {
                // An output of one value may have any rank; one with indices has one axis per index.
                int rank = output.Axes.Length;
                if (rank > 0)
                    w.Line($"if ({GeneratedNames.Id(p.Name)}.Rank != {rank}) throw new global::System.ArgumentException($\"The output '{p.Name}' has rank {{{GeneratedNames.Id(p.Name)}.Rank}} but its binding has {rank} ind{(rank == 1 ? "ex" : "ices")}.\", nameof({GeneratedNames.Id(p.Name)}));");
            }
            else
            {
                var tensor = gradient ? _model.Tensors.First(t => t.Gradient == p) : _model.Tensors.First(t => t.Parameter == p);
                if (!tensor.IsFlat)
                {
                    int rank = tensor.Axes!.Length;
                    w.Line($"if ({GeneratedNames.Id(p.Name)}.Rank != {rank}) throw new global::System.ArgumentException($\"'{p.Name}' has rank {{{GeneratedNames.Id(p.Name)}.Rank}} but the loss reads {(gradient ? $"'{tensor.Name}'" : "it")} with {rank} subscript{(rank == 1 ? "" : "s")}.\", nameof({GeneratedNames.Id(p.Name)}));");
                }
            }
            string element = ElementTypes.CSharpName(p.Element);
            w.Line(Written(p)
                ? $"global::System.Span<{element}> {Span(p)} = global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref global::System.Runtime.InteropServices.TensorMarshal.GetReference({GeneratedNames.Id(p.Name)}), (int){GeneratedNames.Id(p.Name)}.FlattenedLength);"
                : $"global::System.ReadOnlySpan<{element}> {Span(p)} = global::System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(in global::System.Runtime.InteropServices.TensorMarshal.GetReference({GeneratedNames.Id(p.Name)}), (int){GeneratedNames.Id(p.Name)}.FlattenedLength);");
        }
    }

    /// <summary>Rents the buffers of the converted tensors, gradients and outputs (before the entry's <c>try</c>).</summary>
    public void EmitRents(CodeWriter w)
    {
        foreach (var p in _used.Where(Converted))
        {
            string what = Written(p)
                ? $"the {(_gradients.Contains(p) ? "gradient" : "output")} '{p.Name}' in {KernelElement(p)}, written to its {ElementTypes.DisplayName(p.Element)} elements after the passes"
                : $"'{p.Name}' read into {KernelElement(p)}";
            w.Line($"// Buffer: {what}.");
            w.Line($"{KernelElement(p)}[] {Buffer(p)} = {Pool(p)}.Rent<{KernelElement(p)}>(global::System.Math.Max(1, {Span(p)}.Length));");
        }
    }

    /// <summary>Converts the inputs into their buffers (inside the entry's <c>try</c>: a label that does not fit throws).</summary>
    public void EmitConversions(CodeWriter w)
    {
        foreach (var p in _used.Where(p => Converted(p) && !Written(p)))
        {
            w.Line(p.Element == ElementType.Int64
                ? $"global::LossDsl.Internals.InputConversion.ToInt32({Span(p)}, {Buffer(p)}, nameof({GeneratedNames.Id(p.Name)}));"
                : $"global::LossDsl.Internals.InputConversion.ToSingle({Span(p)}, {Buffer(p)});");
        }
    }

    /// <summary>Writes the gradients and outputs computed in buffers to their spans (after the passes and the outputs of one value).</summary>
    public void EmitWrites(CodeWriter w)
    {
        foreach (var p in _used.Where(p => Converted(p) && Written(p)))
        {
            w.Line($"// '{p.Name}': the {(_gradients.Contains(p) ? "gradient" : "output")} in its element type ({ElementTypes.DisplayName(p.Element)}, rounded to nearest even).");
            w.Line($"global::LossDsl.Internals.InputConversion.FromSingle(new global::System.ReadOnlySpan<float>({Buffer(p)}, 0, {Span(p)}.Length), {Span(p)});");
        }
    }

    /// <summary>Returns the rented buffers (in the entry's <c>finally</c>).</summary>
    public void EmitReturns(CodeWriter w)
    {
        foreach (var p in _used.Where(Converted)) w.Line($"{Pool(p)}.Return({Buffer(p)});");
    }
}
