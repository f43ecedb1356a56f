using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>The names generated CPU code gives to tensors, extents, scalars, indices, buffers and reductions.</summary>
internal sealed class CpuNames
{
    private readonly LossModel _model;

    public CpuNames(LossModel model) { _model = model; }

    public static string TensorPointer(TensorInfo t) => "p_" + t.Name;
    public static string GradientPointer(TensorInfo t) => "p_" + t.Gradient!.Name;
    public static string OutputPointer(OutputInfo o) => "p_" + o.Name;
    public string Extent(int extent) => "N_" + Sanitize(_model.Extents[extent].Name);
    public string Scalar(int id) => id == _model.UpstreamParam ? "s_upstream" : "s_" + _model.Scalars[id].Name;
    public static string Index(IndexVar v) => Sanitize(v.Name) + "_" + v.Id;
    public static string BufferPointer(ScratchBuffer b) => "p_buf" + b.Id;
    public static string BufferArray(ScratchBuffer b) => "_buf" + b.Id;
    public static string PanelPointer(PanelPlan p) => "p_panel" + p.Id;
    public static string PanelArray(PanelPlan p) => "_panel" + p.Id;
    /// <summary>The pointer to the rows of an operand of a pair space: its tensor, or its buffer.</summary>
    public static string OperandPointer(OperandSource source) => source.Tensor is { } t ? TensorPointer(t) : BufferPointer(source.Buffer!);
    /// <summary>The value of a reduction a pass completes, as the caller combined it from the per-chunk partials.</summary>
    public static string Global(Node r) => "_g" + r.Id;
    /// <summary>The accumulator of a reduction, declared by the loop that completes it.</summary>
    public static string Accumulator(Node r) => "acc" + r.Id;
    /// <summary>The running (max, sum) pair of an online sum of exponentials.</summary>
    public static string OnlineState(OnlineSumExpStmt o) => "online" + o.Max.Id;
    /// <summary>A vector accumulator of a reduction, per copy of an unrolled body.</summary>
    public static string VectorAccumulator(Node r, int copy) => $"vacc{r.Id}_{copy}";

    private static string Sanitize(string s) => new string(s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
}
