using System.Collections.Generic;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Scheduling;

/// <summary>A statement of the loop program the scheduler produces and the emitters print.</summary>
internal abstract class Stmt { }

/// <summary>
/// <c>for var in 0..extent { body }</c>. The reductions in <see cref="Completes"/> have their accumulators
/// initialized just before the loop and hold their final values just after it.
/// </summary>
internal sealed class LoopStmt : Stmt
{
    public LoopStmt(IndexVar var, List<Stmt> body, List<Node> completes) { Var = var; Body = body; Completes = completes; }
    public IndexVar Var { get; set; }
    public List<Stmt> Body { get; set; }
    public List<Node> Completes { get; }
    /// <summary>A short description for the generated comment ("loss terms", "dx", ...).</summary>
    public List<string> Purpose { get; } = new();
}

/// <summary>
/// <c>acc(R) op= body</c> at the innermost loop of reduction R. <see cref="Body"/> is R's body written in the indices
/// of the enclosing loops (fusion may have renamed them), <see cref="Reduce"/> identifies the accumulator.
/// </summary>
internal sealed class AccumulateStmt : Stmt
{
    public AccumulateStmt(Node reduce) : this(reduce, reduce.Args[0]) { }
    public AccumulateStmt(Node reduce, Node body) { Reduce = reduce; Body = body; }
    public Node Reduce { get; }
    public Node Body { get; }
}

/// <summary>
/// The online (one-sweep) form of a max-shifted sum of exponentials, as logsumexp and softmax write it:
/// <c>M = max(v)</c> and <c>S = sum(exp(v - shift(M)))</c> in one loop. The loop keeps a running maximum m and the sum
/// s' = sum(exp(v - m)) relative to it, rescaling s' whenever m grows (one exp per element); after the loop
/// <c>M = m</c> and <c>S = s' * exp(M - shift(M))</c>. Both reductions are in the loop's <see cref="LoopStmt.Completes"/>.
/// An emitter may still print the two sweeps (<c>M</c>, then <c>S</c> from <see cref="SumBody"/>) where they are
/// cheaper: the CPU emitter does so for rows shorter than <c>OnlineSumExp.MinimumLength</c>.
/// </summary>
internal sealed class OnlineSumExpStmt : Stmt
{
    public OnlineSumExpStmt(Node max, Node sum, Node value, Node shift, Node sumBody) { Max = max; Sum = sum; Value = value; Shift = shift; SumBody = sumBody; }
    /// <summary>The Max reduction of <see cref="Value"/>.</summary>
    public Node Max { get; }
    /// <summary>The Sum reduction of <c>exp(Value - Shift)</c>.</summary>
    public Node Sum { get; }
    /// <summary>v, written in the indices of the enclosing loops.</summary>
    public Node Value { get; }
    /// <summary>shift(M): an expression of <see cref="Max"/> and loop-invariant values, evaluated after the loop.</summary>
    public Node Shift { get; }
    /// <summary><c>exp(Value - Shift)</c>, the body of <see cref="Sum"/> in the indices of the enclosing loops.</summary>
    public Node SumBody { get; }
}

/// <summary>
/// Writes a value to a gradient output, an output or a scratch buffer at the position of the given loop indices (none
/// for a scalar output, which <see cref="LoopProgram.ScalarOutputs"/> stores after the passes).
/// </summary>
internal sealed class StoreStmt : Stmt
{
    public StoreStmt(StoreTarget target, IndexVar[] indices, Node value) { Target = target; Indices = indices; Value = value; }
    public StoreTarget Target { get; }
    public IndexVar[] Indices { get; set; }
    public Node Value { get; set; }
}

/// <summary>
/// A sparse scatter: <c>target[s0, s1, ...] += value</c>, once per iteration of the enclosing loops. Its target is a
/// gradient output (the adjoint of a gather), whose dense part an earlier <see cref="StoreStmt"/> has written (zeros
/// where nothing else contributes), or a scratch buffer (a segment reduction, docs/language.md §6.9) that an earlier
/// pass has filled with zeros. A subscript is the index of an enclosing loop (a plain axis) or an Int expression (a
/// gathered axis); a target outside the extents receives nothing (for a gradient, it was a gather that read 0; for a
/// segment, an element whose key is no key of the axis), and duplicate targets accumulate. When no subscript is the
/// index of the pass's own loop, the pass's iterations write shared elements and the planner runs it as one chunk, so
/// the order of accumulation never depends on the threads.
/// </summary>
internal sealed class ScatterStmt : Stmt
{
    public ScatterStmt(StoreTarget target, Node[] subscripts, Node value, ReduceKind combine = ReduceKind.Sum)
    {
        Target = target; Subscripts = subscripts; Value = value; Combine = combine;
    }
    /// <summary>
    /// How the value combines with the target: added (<see cref="ReduceKind.Sum"/>: the adjoint of a gather, a segment
    /// sum), or the target replaced by the maximum or minimum of the two (a segment max or min, whose table starts at
    /// ∓inf; a NaN element makes its entry NaN, as the reduction).
    /// </summary>
    public ReduceKind Combine { get; }
    /// <summary>A gradient output (<see cref="StoreTarget.Gradient"/>) or a scratch buffer (<see cref="StoreTarget.Buffer"/>).</summary>
    public StoreTarget Target { get; }
    /// <summary>The tensor whose gradient output receives the scatter, or null for a buffer.</summary>
    public TensorInfo? Tensor => Target.GradientOf;
    /// <summary>One per axis of the target: an <see cref="Op.Index"/> of an enclosing loop, or a gathered Int expression.</summary>
    public Node[] Subscripts { get; set; }
    public Node Value { get; set; }

    /// <summary>True when the subscript of some axis is the loop index <paramref name="varId"/> (its iteration owns the elements it writes).</summary>
    public bool IsOwnedBy(int varId) => System.Array.Exists(Subscripts, s => s.Op == Op.Index && s.Ref == varId);
}

/// <summary>Where a <see cref="StoreStmt"/> writes.</summary>
internal sealed class StoreTarget
{
    private StoreTarget(TensorInfo? gradientOf, Node? buffered, Tiling.BackContraction? tile, OutputInfo? output = null)
    { GradientOf = gradientOf; Buffered = buffered; Tile = tile; OutputOf = output; }
    /// <summary>The tensor whose gradient output is written.</summary>
    public TensorInfo? GradientOf { get; }
    /// <summary>The output (a binding written to the <c>Span&lt;float&gt;</c> of its name), row-major over its axes.</summary>
    public OutputInfo? OutputOf { get; }
    /// <summary>The value (a reduction, or an operand of a pair space) materialized into a scratch buffer.</summary>
    public Node? Buffered { get; }
    /// <summary>The weight tile of a back contraction, inside a pair pass.</summary>
    public Tiling.BackContraction? Tile { get; }
    public static StoreTarget Gradient(TensorInfo t) => new(t, null, null);
    public static StoreTarget Buffer(Node value) => new(null, value, null);
    public static StoreTarget TileOf(Tiling.BackContraction back) => new(null, null, back);
    public static StoreTarget Output(OutputInfo output) => new(null, null, null, output);
}

/// <summary>
/// A value computed once into a scratch buffer for every value of its free indices (in <see cref="Axes"/> order): a
/// reduction needed where its indices are not the enclosing loops, a statistic or back contraction of a pair pass, or
/// an operand of a pair space.
/// </summary>
internal sealed class ScratchBuffer
{
    public ScratchBuffer(int id, Node value, IndexVar[] axes) { Id = id; Value = value; Axes = axes; }
    public int Id { get; }
    /// <summary>The value it holds, written in <see cref="Axes"/>.</summary>
    public Node Value { get; }
    public IndexVar[] Axes { get; }
}

/// <summary>
/// The schedule of one kernel: top-level loops (passes) in order, the scratch buffers, and the loss epilogue (a scalar
/// expression over the values of the global reductions).
/// </summary>
internal sealed class LoopProgram
{
    public LoopProgram(List<Stmt> passes, List<ScratchBuffer> buffers, Node loss, Dictionary<Node, BufferView> bufferViews)
    { Passes = passes; Buffers = buffers; Loss = loss; BufferViews = bufferViews; }
    public List<Stmt> Passes { get; }
    public List<ScratchBuffer> Buffers { get; }
    public Node Loss { get; }
    /// <summary>For each reduction that is read from a scratch buffer: the buffer and the indices that address it.</summary>
    public Dictionary<Node, BufferView> BufferViews { get; }
    /// <summary>
    /// The stores of the outputs without indices (statistics such as a margin): scalar expressions over the values of
    /// the global reductions, like <see cref="Loss"/>, stored after the last pass.
    /// </summary>
    public List<StoreStmt> ScalarOutputs { get; } = new();
}

/// <summary>
/// A reduction read from a scratch buffer, addressed by <see cref="Indices"/> (one per buffer axis), except at the
/// axes where <see cref="Gathered"/> holds an Int expression: a segment reduction read at a key (docs/language.md §6.9).
/// </summary>
internal sealed class BufferView
{
    public BufferView(ScratchBuffer buffer, IndexVar[] indices, Node?[]? gathered = null) { Buffer = buffer; Indices = indices; Gathered = gathered; }
    public ScratchBuffer Buffer { get; }
    /// <summary>The index of each axis (at a gathered axis, the buffer's own axis, which addresses nothing).</summary>
    public IndexVar[] Indices { get; }
    /// <summary>
    /// Null, or per axis null or the Int expression that addresses it: a key outside the axis reads 0 (emitters check),
    /// which is the sum's value there, since the table's keys were clamped into the axis.
    /// </summary>
    public Node?[]? Gathered { get; }
    /// <summary>The gathered expression of axis <paramref name="k"/>, or null.</summary>
    public Node? GatheredAt(int k) => Gathered?[k];
}
