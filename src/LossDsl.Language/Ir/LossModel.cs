using System.Collections.Generic;

namespace LossDsl.Language.Ir;

/// <summary>How a method parameter takes part in the loss.</summary>
internal enum ParameterKind
{
    /// <summary><c>ReadOnlySpan&lt;float&gt;</c> (or double, Half, BFloat16; or a ReadOnlyTensorSpan): a differentiable input tensor.</summary>
    FloatTensor,
    /// <summary><c>ReadOnlySpan&lt;int&gt;</c> (or long; or a ReadOnlyTensorSpan): labels or ids.</summary>
    IntTensor,
    /// <summary>
    /// <c>Span&lt;float&gt;</c> (or double, Half, BFloat16; or a TensorSpan): the gradient of input tensor X when named
    /// <c>dX</c>; otherwise an output, when a let-binding has its name (the binder decides, <see cref="TensorInfo.Gradient"/>
    /// and <see cref="LossModel.Outputs"/>).
    /// </summary>
    Gradient,
    /// <summary><c>float</c>/<c>double</c> hyperparameter.</summary>
    RealScalar,
    /// <summary><c>int</c> hyperparameter or extent.</summary>
    IntScalar,
    /// <summary>A <c>Span&lt;float&gt;</c> declared as an output (the interpreter's <c>Output</c>): it must have a let-binding's name.</summary>
    Output,
}

/// <summary>A parameter of the loss method as the language sees it (no Roslyn types).</summary>
internal sealed class LossParameter
{
    public LossParameter(string name, ParameterKind kind, string clrType, ElementType? element = null, bool shaped = false)
    {
        Name = name; Kind = kind; ClrType = clrType; Shaped = shaped;
        Element = element ?? (kind is ParameterKind.IntTensor or ParameterKind.IntScalar ? ElementType.Int32 : ElementType.Float32);
    }

    public string Name { get; }
    public ParameterKind Kind { get; }
    /// <summary>The element type of a tensor or gradient as declared (float for float and double scalars).</summary>
    public ElementType Element { get; }
    /// <summary>
    /// True for a <c>ReadOnlyTensorSpan&lt;T&gt;</c> or <c>TensorSpan&lt;T&gt;</c>: its shape (<c>Lengths</c>) is known at run
    /// time, so a subscripted tensor gives the extents of its axes and has them checked.
    /// </summary>
    public bool Shaped { get; }
    /// <summary>The C# type as written in generated code, e.g. "float" or "global::System.ReadOnlySpan&lt;float&gt;".</summary>
    public string ClrType { get; }
    public override string ToString() => Name;
}

/// <summary>A tensor input: its parameter and, once bound, the extent symbol of each axis (row-major).</summary>
internal sealed class TensorInfo
{
    public TensorInfo(int id, LossParameter parameter) { Id = id; Parameter = parameter; }
    public int Id { get; }
    public LossParameter Parameter { get; }
    public string Name => Parameter.Name;
    public bool IsInt => Parameter.Kind == ParameterKind.IntTensor;
    /// <summary>Extent symbol per axis; null until the binder sees the first use.</summary>
    public int[]? Axes { get; set; }
    /// <summary>True when the loss uses the tensor without subscripts (elementwise over its flat index).</summary>
    public bool IsFlat { get; set; }
    /// <summary>Offset of the first use in the expression (for diagnostics).</summary>
    public int FirstUseOffset { get; set; } = -1;
    public int FirstUseLength { get; set; }
    /// <summary>The gradient parameter that receives dLoss/dThis, if any.</summary>
    public LossParameter? Gradient { get; set; }
}

/// <summary>A scalar hyperparameter referenced by name.</summary>
internal sealed class ScalarInfo
{
    public ScalarInfo(int id, LossParameter parameter) { Id = id; Parameter = parameter; }
    public int Id { get; }
    public LossParameter Parameter { get; }
    public string Name => Parameter.Name;
    public bool IsInt => Parameter.Kind == ParameterKind.IntScalar;
}

/// <summary>
/// An output: a <c>Span&lt;float&gt;</c> parameter named like a let-binding, which receives the binding's value for every
/// value of its indices (row-major over <see cref="Axes"/>; one element for a binding without indices). Outputs are
/// written by every kernel and do not change the loss or its gradients.
/// </summary>
internal sealed class OutputInfo
{
    public OutputInfo(int id, LossParameter parameter, IndexVar[] axes, Node value, int offset, int length)
    {
        Id = id; Parameter = parameter; Axes = axes; Value = value; Offset = offset; Length = length;
    }

    public int Id { get; }
    public LossParameter Parameter { get; }
    public string Name => Parameter.Name;
    /// <summary>The binding's indices in the order of its parameters (or its one implicit index); empty for a scalar.</summary>
    public IndexVar[] Axes { get; }
    /// <summary>The binding's value over <see cref="Axes"/>, as bound where it is defined.</summary>
    public Node Value { get; internal set; }
    /// <summary>Where the binding's name is in the expression (for diagnostics).</summary>
    public int Offset { get; }
    public int Length { get; }
}

/// <summary>An output's value as a kernel computes it (lowered to stable forms), over the output's axes.</summary>
internal sealed class OutputExpression
{
    public OutputExpression(OutputInfo output, Node expression) { Output = output; Expression = expression; }
    public OutputInfo Output { get; }
    public IndexVar[] Axes => Output.Axes;
    public Node Expression { get; }
}

/// <summary>
/// One step of the run-time shape check that computes every extent from the tensor lengths and int parameters,
/// in an order the binder proved sufficient.
/// </summary>
internal sealed class ExtentStep
{
    private ExtentStep(int extent, int tensor, int scalar, int axis = -1) { Extent = extent; Tensor = tensor; Scalar = scalar; Axis = axis; }
    /// <summary>The extent this step defines, or -1 for a pure check.</summary>
    public int Extent { get; }
    /// <summary>The tensor whose length defines or checks it, or -1.</summary>
    public int Tensor { get; }
    /// <summary>The int parameter that defines it, or -1.</summary>
    public int Scalar { get; }
    /// <summary>The axis of a shaped tensor (<see cref="LossParameter.Shaped"/>) whose length defines or checks it, or -1.</summary>
    public int Axis { get; }
    /// <summary>Extent = the value of int parameter <paramref name="scalar"/> (must be &gt;= 0).</summary>
    public static ExtentStep FromScalar(int extent, int scalar) => new(extent, -1, scalar);
    /// <summary>Extent = length of tensor / product of its other (already known) axes; the division must be exact.</summary>
    public static ExtentStep FromTensor(int extent, int tensor) => new(extent, tensor, -1);
    /// <summary>Check that the tensor's length is the product of its (known) axis extents.</summary>
    public static ExtentStep Check(int tensor) => new(-1, tensor, -1);
    /// <summary>Extent = the length of axis <paramref name="axis"/> of the shaped tensor (its run-time <c>Lengths</c>).</summary>
    public static ExtentStep FromAxis(int extent, int tensor, int axis) => new(extent, tensor, -1, axis);
    /// <summary>Check that axis <paramref name="axis"/> of the shaped tensor has the length of its (known) extent.</summary>
    public static ExtentStep CheckAxis(int tensor, int axis) => new(-1, tensor, -1, axis);
}

/// <summary>An extent symbol: the size of one or more tensor axes, shared by the indices that range over it.</summary>
internal sealed class ExtentInfo
{
    public ExtentInfo(int id, string name) { Id = id; Name = name; }
    public int Id { get; }
    /// <summary>A readable name derived from the first index that ranges over it (e.g. "n_i").</summary>
    public string Name { get; set; }
}

/// <summary>
/// A tensor that is defined, not passed: a stage of a state of a repeat block (docs/language.md §7.2), or the adjoint
/// of one (added by the differentiation stage). Its value is <see cref="Definition"/> for every value of
/// <see cref="Axes"/>, row-major; it is read by <see cref="Op.Load"/> nodes whose reference is <see cref="Ref"/>
/// (negative, so never an input's id), with index or gathered subscripts like an input (a gather out of range reads 0).
/// A read never inlines the definition, so a program of N stages is N definitions of their own size. Kernels store each
/// internal tensor they need into a scratch buffer in a pass of its own, in the order of <see cref="LossModel.Internals"/>
/// (every definition reads only internal tensors before it); the interpreter evaluates them in that order.
/// </summary>
internal sealed class InternalTensor
{
    public InternalTensor(int index, string name, IndexVar[] axes, Node definition, int offset, int length)
    {
        Index = index; Name = name; Axes = axes; Definition = definition; Offset = offset; Length = length;
    }

    /// <summary>The position in <see cref="LossModel.Internals"/>.</summary>
    public int Index { get; }
    /// <summary>The reference of its loads: -1 - <see cref="Index"/>.</summary>
    public int Ref => -1 - Index;
    /// <summary>A readable name: the state and its stage (<c>P@3</c>), or <c>d</c> and the stage of an adjoint (<c>dP@3</c>).</summary>
    public string Name { get; }
    /// <summary>The indices of its axes, free in <see cref="Definition"/>.</summary>
    public IndexVar[] Axes { get; }
    /// <summary>Its value over <see cref="Axes"/>.</summary>
    public Node Definition { get; internal set; }
    /// <summary>Where the assignment that defines it is in the expression (for diagnostics).</summary>
    public int Offset { get; }
    public int Length { get; }
    public override string ToString() => Name;
}

/// <summary>
/// The bound loss: parameters, tensors, extents, and the loss as an IR node. Produced by the binder; the
/// differentiator adds gradient expressions; the scheduler and emitters read it.
/// </summary>
internal sealed class LossModel
{
    public LossModel(IrGraph graph) { Graph = graph; }
    public IrGraph Graph { get; }
    public List<LossParameter> Parameters { get; } = new();
    public List<TensorInfo> Tensors { get; } = new();
    public List<ScalarInfo> Scalars { get; } = new();
    public List<ExtentInfo> Extents { get; } = new();
    public List<ExtentStep> ExtentPlan { get; } = new();
    /// <summary>The outputs (bindings written to <c>Span&lt;float&gt;</c> parameters of their names), in parameter order.</summary>
    public List<OutputInfo> Outputs { get; } = new();
    /// <summary>The internal tensors (stages of repeat blocks, then their adjoints), each defined before its readers.</summary>
    public List<InternalTensor> Internals { get; } = new();

    /// <summary>The internal tensor of a load's negative reference (<see cref="IrGraph.IsInternalLoad"/>).</summary>
    public InternalTensor Internal(int reference) => Internals[-1 - reference];

    /// <summary>Adds an internal tensor and returns it.</summary>
    public InternalTensor AddInternal(string name, IndexVar[] axes, Node definition, int offset, int length)
    {
        var t = new InternalTensor(Internals.Count, name, axes, definition, offset, length);
        Internals.Add(t);
        return t;
    }

    /// <summary>
    /// The type the kernels compute Real values in: <see cref="ElementType.Float64"/> when the tensors are double,
    /// else <see cref="ElementType.Float32"/> (Half and BFloat16 tensors are read into float).
    /// </summary>
    public ElementType Real { get; set; } = ElementType.Float32;
    /// <summary>The scalar loss.</summary>
    public Node Loss { get; set; } = null!;
    /// <summary>The source text of the loss expression.</summary>
    public string Source { get; set; } = "";

    public IrPrinter.Names Names => new()
    {
        Tensor = t => t >= 0 ? Tensors[t].Name : Internal(t).Name,
        Param = p => p < Scalars.Count ? Scalars[p].Name : (p == UpstreamParam ? "upstream" : "p" + p),
        Extent = e => Extents[e].Name,
        Index = i => Graph.Var(i).Name,
    };

    /// <summary>The pseudo-parameter id of the upstream gradient scale (dTotal/dLoss) used as the AD seed.</summary>
    public int UpstreamParam => Scalars.Count;

    public string Print(Node n) => IrPrinter.Print(n, Names);

    /// <summary>
    /// <see cref="Print(Node)"/> cut to at most <paramref name="maxLength"/> characters (ending in "..." when cut), for a
    /// comment or remark in generated code, whose lines stay short however large the value.
    /// </summary>
    public string Print(Node n, int maxLength) => Clip(Print(n), maxLength);

    /// <summary>The most characters of a value printed in a comment of generated code.</summary>
    public const int CommentLength = 200;

    /// <summary><paramref name="text"/>, or its first characters and "..." when it is longer than <paramref name="maxLength"/>.</summary>
    public static string Clip(string text, int maxLength) => text.Length <= maxLength ? text : text.Substring(0, System.Math.Max(0, maxLength - 3)) + "...";
}
