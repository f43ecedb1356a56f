using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// The names generated CPU code gives to tensors, extents, scalars, indices, buffers and reductions. Every name in the
/// scope of the user's parameters begins with two underscores (<see cref="Model.GeneratedNames.ReservedPrefix"/>, which
/// parameter names may not), and each family has its own prefix followed by a user name or a number, so no two
/// collide: <c>__p_x</c> for the tensor <c>x</c> beside a parameter <c>p_x</c>, <c>__s_alpha</c> beside <c>s_alpha</c>.
/// </summary>
internal sealed class CpuNames
{
    private readonly LossModel _model;

    public CpuNames(LossModel model) { _model = model; }

    public static string TensorPointer(TensorInfo t) => "__p_" + t.Name;
    public static string GradientPointer(TensorInfo t) => "__p_" + t.Gradient!.Name;
    public static string OutputPointer(OutputInfo o) => "__p_" + o.Name;
    public string Extent(int extent) => "__N_" + Sanitize(_model.Extents[extent].Name);
    public string Scalar(int id) => id == _model.UpstreamParam ? "__upstream" : "__s_" + _model.Scalars[id].Name;
    public static string Index(IndexVar v) => IndexName(v.Name, v.Id);
    public static string BufferPointer(ScratchBuffer b) => "__pbuf" + b.Id;
    public static string BufferArray(ScratchBuffer b) => "__buf" + b.Id;
    public static string PanelPointer(PanelPlan p) => "__ppanel" + p.Id;
    public static string PanelArray(PanelPlan p) => "__panel" + p.Id;
    /// <summary>The pointer to the rows of an operand of a pair space: its tensor, or its buffer.</summary>
    public static string OperandPointer(OperandSource source) => source.Tensor is { } t ? TensorPointer(t) : BufferPointer(source.Buffer!);
    /// <summary>The value of a reduction a pass completes, as the caller combined it from the per-chunk partials.</summary>
    public static string Global(Node r) => "__g" + r.Id;
    /// <summary>The accumulator of a reduction, declared by the loop that completes it.</summary>
    public static string Accumulator(Node r) => "__acc" + r.Id;
    /// <summary>The running (max, sum) pair of an online sum of exponentials.</summary>
    public static string OnlineState(OnlineSumExpStmt o) => "__online" + o.Max.Id;
    /// <summary>A vector accumulator of a reduction, per copy of an unrolled body.</summary>
    public static string VectorAccumulator(Node r, int copy) => $"__vacc{r.Id}_{copy}";

    /// <summary>
    /// An index variable: its name and its id (unique in the loss), never beginning with two underscores, so that no
    /// index collides with the generated names (which do) or with another index.
    /// </summary>
    internal static string IndexName(string name, int id)
    {
        string s = Sanitize(name);
        return (s.StartsWith("_", System.StringComparison.Ordinal) ? "i" + s : s) + "_" + id;
    }

    private static string Sanitize(string s) => new string(s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
}
