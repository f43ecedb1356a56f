using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// The names of generated GPU code: the fields of a kernel's argument struct (tensors, gradients, scratch buffers,
/// outputs, extents, scalars) and the locals of the kernels (indices, accumulators, online pairs). Kernels read every field of
/// the struct <c>a</c>; extents and scalars are copied into locals of the same names first.
/// </summary>
internal sealed class GpuNames
{
    private readonly LossModel _model;

    public GpuNames(LossModel model) { _model = model; }

    public static string Tensor(TensorInfo t) => "t_" + t.Name;
    public static string Gradient(TensorInfo t) => "g_" + t.Gradient!.Name;
    public static string Output(OutputInfo o) => "o_" + o.Name;
    public static string Buffer(ScratchBuffer b) => "b_" + b.Id;
    public string Extent(int extent) => "__N_" + Sanitize(_model.Extents[extent].Name);
    public string Scalar(int id) => id == _model.UpstreamParam ? "__upstream" : "__s_" + _model.Scalars[id].Name;
    public static string Index(IndexVar v) => Cpu.CpuNames.IndexName(v.Name, v.Id);
    /// <summary>The view that holds the rows of a pair space's operand: its tensor, or its buffer.</summary>
    public static string Operand(OperandSource source) => "__a." + (source.Tensor is { } t ? Tensor(t) : Buffer(source.Buffer!));
    /// <summary>The value of a reduction a pass completes, read from the globals view at the start of a kernel.</summary>
    public static string Global(Node r) => "_g" + r.Id;
    public static string Accumulator(Node r) => "acc" + r.Id;
    public static string OnlineMax(OnlineSumExpStmt o) => "onlineMax" + o.Max.Id;
    public static string OnlineSum(OnlineSumExpStmt o) => "onlineSum" + o.Max.Id;

    private static string Sanitize(string s) => new string(s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
}
