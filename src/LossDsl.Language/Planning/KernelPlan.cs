using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Language.Planning;

/// <summary>What a loop's iterations are and who runs them.</summary>
internal enum LoopRole
{
    /// <summary>A pass over elements (no inner loops): split into fixed chunks that run in parallel; each chunk writes
    /// partial results, which are combined in chunk order.</summary>
    ParallelChunks,
    /// <summary>A pass over rows (each iteration runs inner loops): rows split into fixed chunks that run in parallel;
    /// partial results combined in chunk order.</summary>
    ParallelRows,
    /// <summary>A nested loop run in order by the thread that runs the enclosing iteration.</summary>
    Sequential,
    /// <summary>A nested innermost loop whose memory accesses are contiguous along its index: its iterations are
    /// spread over vector lanes (see <see cref="PlanLoop.Vector"/>), then a scalar tail.</summary>
    VectorLanes,
    /// <summary>A loop over the tiles of an index; its body loops over the elements of one tile.</summary>
    Tile,
}

/// <summary>Where a scratch buffer lives.</summary>
internal enum MemorySpace
{
    /// <summary>Main (device) memory, allocated for the duration of one call and shared by every thread.</summary>
    Global,
    /// <summary>
    /// The gradient output of a tensor of the same shape (<see cref="BufferPlan.Home"/>): the buffer's only reader is
    /// that gradient's store, at the store's own position, so the store reads each element before it overwrites it,
    /// and the buffer costs no memory (a back contraction of a pair space usually is such a buffer).
    /// </summary>
    GradientOutput,
}

/// <summary>
/// The plan of one kernel (the forward, or the fused forward + backward): the loop program of the scheduler with every
/// decision about how to run it made, so that an emitter only prints it. Passes run in order; each pass's loop and the
/// reductions it completes (combined from per-chunk partials), the scratch buffers with their sizes and lifetimes, and
/// the loss as an expression of the passes' results.
/// </summary>
internal sealed class KernelPlan
{
    public KernelPlan(string name, LossModel model, bool withGradients, IReadOnlyList<GradientExpression> gradients, List<PassPlan> passes,
        List<BufferPlan> buffers, List<PanelPlan> panels, Dictionary<Node, BufferView> bufferViews, Node loss, HashSet<Node> powersOwningTheirLog)
    {
        Name = name; Model = model; WithGradients = withGradients; Gradients = gradients; Passes = passes; Buffers = buffers; Panels = panels;
        BufferViews = bufferViews; Loss = loss; PowersOwningTheirLog = powersOwningTheirLog;
        foreach (var p in passes.OfType<LoopPassPlan>()) Globals.AddRange(p.Loop.Completes);
    }

    /// <summary>"Forward" or "ForwardBackward".</summary>
    public string Name { get; }
    public LossModel Model { get; }
    /// <summary>True when the kernel writes gradient outputs (and takes the upstream gradient).</summary>
    public bool WithGradients { get; }
    /// <summary>The gradients the kernel writes, by tensor id (empty for the forward kernel).</summary>
    public IReadOnlyList<GradientExpression> Gradients { get; }
    public List<PassPlan> Passes { get; }
    public List<BufferPlan> Buffers { get; }
    /// <summary>The column operands of pair passes, packed into panels for the tile products.</summary>
    public List<PanelPlan> Panels { get; }
    /// <summary>For each reduction read from a scratch buffer: the buffer and the indices that address it.</summary>
    public Dictionary<Node, BufferView> BufferViews { get; }
    /// <summary>The loss: a scalar expression over the results of the passes (<see cref="Globals"/>).</summary>
    public Node Loss { get; }
    /// <summary>The outputs the kernel writes (every kernel writes all of them): their stores are in the passes, or in <see cref="ScalarOutputs"/>.</summary>
    public IReadOnlyList<OutputInfo> Outputs => Model.Outputs;
    /// <summary>
    /// The stores of the outputs without indices, after the last pass: scalar expressions over <see cref="Globals"/>,
    /// evaluated like the loss.
    /// </summary>
    public List<StoreStmt> ScalarOutputs { get; } = new();
    /// <summary>The reductions the passes complete, in pass order: their values are known to every later pass and to the loss.</summary>
    public List<Node> Globals { get; } = new();
    /// <summary>
    /// The powers x^y = PowFromLog(x, y, log|x|) whose logarithm no other value of the kernel uses. They are computed
    /// by a power that takes log|x| itself only when it needs it, so that a small integral exponent known only at run
    /// time (a focal loss's gamma = 2) costs a few multiplications and no logarithm. A logarithm other values share
    /// (x^a and log x in one loss) stays a value of its own, computed once.
    /// </summary>
    public HashSet<Node> PowersOwningTheirLog { get; }
}

/// <summary>One pass of a kernel: work split into chunks that run in parallel; passes run one after the other.</summary>
internal abstract class PassPlan
{
    protected PassPlan(int number) { Number = number; }

    /// <summary>1-based, in execution order.</summary>
    public int Number { get; }
}

/// <summary>A pass that is a parallel loop over chunks of its index.</summary>
internal sealed class LoopPassPlan : PassPlan
{
    public LoopPassPlan(int number, PlanLoop loop, IReadOnlyList<int> workExtents, int chunkWork, int chunkAlignment, bool oneChunk = false) : base(number)
    {
        Loop = loop; WorkExtents = workExtents; ChunkWork = chunkWork; ChunkAlignment = chunkAlignment; OneChunk = oneChunk;
    }

    /// <summary>
    /// The pass runs as one chunk (its whole range, in order, on one thread): it scatters into gradient elements that
    /// its iterations share (<see cref="ScatterStmt"/>), so one thread accumulating in index order keeps it deterministic.
    /// </summary>
    public bool OneChunk { get; }

    /// <summary>The pass's loop: <see cref="LoopRole.ParallelChunks"/> or <see cref="LoopRole.ParallelRows"/>.</summary>
    public PlanLoop Loop { get; }
    /// <summary>The work of one iteration: the product of these extents (the nested loops along the deepest path; empty = 1).</summary>
    public IReadOnlyList<int> WorkExtents { get; }
    /// <summary>The work of one chunk, in innermost iterations: chunk size = max(1, ChunkWork / work per iteration). Fixed,
    /// so the chunking (and the order of partial results) never depends on the number of threads.</summary>
    public int ChunkWork { get; }
    /// <summary>Chunk sizes are rounded up to a multiple of this, so vectorized chunks have no tail but the last.</summary>
    public int ChunkAlignment { get; }
}

/// <summary>
/// The sort of a ranked sum (docs/language.md §6.10): one chunk per point of its batch, each sorting that point's
/// elements (written by the pass before) and replacing their values by prefix sums, for the lookups of the pass after.
/// </summary>
internal sealed class RankSortPassPlan : PassPlan
{
    public RankSortPassPlan(int number, RankedSum sum) : base(number) { Sum = sum; }
    public RankedSum Sum { get; }
}

/// <summary>A pass that packs a column operand of pair passes into panels: one chunk per column tile.</summary>
internal sealed class PanelPassPlan : PassPlan
{
    public PanelPassPlan(int number, PanelPlan panel) : base(number) { Panel = panel; }
    public PanelPlan Panel { get; }
}

/// <summary>
/// A tiled pass over a pair space (<see cref="PairPassStmt"/>): one chunk per block of <see cref="RowBlock"/> rows, and
/// for each block the column tiles of <see cref="ColumnTile"/> columns in order. Per tile: each contraction as a tile
/// product of the block's rows of its row operand and its column operand's panel; then, for each row of the block,
/// <see cref="ColumnLoop"/> over the tile's columns (accumulating the statistics, carried across tiles in the row's
/// accumulators, and storing the back contractions' weights into their tiles); then each weight tile times its
/// operand's rows added to the block's rows of the back contraction's buffer. The online statistics are finished per
/// row after the last tile. The tiles of a chunk are scratch memory of the thread that runs it.
/// </summary>
internal sealed class PairPassPlan : PassPlan
{
    public PairPassPlan(int number, PairPassStmt pass, int rowBlock, int columnTile, List<PanelPlan> panels, PlanLoop columnLoop) : base(number)
    {
        Pass = pass; RowBlock = rowBlock; ColumnTile = columnTile; Panels = panels; ColumnLoop = columnLoop;
    }

    public PairPassStmt Pass { get; }
    public int RowBlock { get; }
    public int ColumnTile { get; }
    /// <summary>The panel of each contraction's column operand, in the order of <see cref="PairPassStmt.Contractions"/>.</summary>
    public List<PanelPlan> Panels { get; }
    /// <summary>The loop over one tile's columns for one row.</summary>
    public PlanLoop ColumnLoop { get; }
    /// <summary>The online statistics: their running states are kept per row across the tiles.</summary>
    public IEnumerable<OnlineSumExpStmt> OnlineSums => ColumnLoop.OnlineSums;
    /// <summary>The statistics accumulated directly (not online), in their buffers across the tiles.</summary>
    public IEnumerable<AccumulateStmt> Accumulated => ColumnLoop.Body.OfType<AccumulateStmt>();
    /// <summary>Tiles per chunk: one per contraction, then one per back contraction, each RowBlock x ColumnTile.</summary>
    public int TileCount => Pass.Contractions.Count + Pass.BackContractions.Count;
}

/// <summary>
/// A strip pass (<see cref="StripPassStmt"/>): row blocks (of <see cref="MinimumRowBlock"/> to <see cref="MaximumRowBlock"/> rows) one after the other; for each,
/// the column tiles of <see cref="ColumnTile"/> columns run in parallel in <see cref="Slots"/> fixed slots (a slot
/// takes a contiguous run of tiles, so the partial results never depend on the number of threads), first
/// <see cref="StatisticsLoop"/> (each tile's contractions are kept for the block), then the statistics of the block
/// are combined in slot order, then <see cref="WeightsLoop"/> and the back contractions' tile products, then the row
/// back contractions are combined in slot order.
/// </summary>
internal sealed class StripPassPlan : PassPlan
{
    public StripPassPlan(int number, StripPassStmt pass, int minimumRowBlock, int maximumRowBlock, long keptTileBudget, int columnTile, int slots,
        List<PanelPlan> panels, PlanLoop statisticsLoop, PlanLoop weightsLoop)
        : base(number)
    {
        Pass = pass; MinimumRowBlock = minimumRowBlock; MaximumRowBlock = maximumRowBlock; KeptTileBudget = keptTileBudget;
        ColumnTile = columnTile; Slots = slots; Panels = panels; StatisticsLoop = statisticsLoop; WeightsLoop = weightsLoop;
    }

    public StripPassStmt Pass { get; }
    /// <summary>
    /// The rows of a block are chosen at run time, once the column extent is known: the most rows, a multiple of 6,
    /// whose contraction tiles (kept from the statistics phase for the weights phase) fit in
    /// <see cref="KeptTileBudget"/> floats, clamped to [<see cref="MinimumRowBlock"/>, <see cref="MaximumRowBlock"/>].
    /// </summary>
    public int MinimumRowBlock { get; }
    public int MaximumRowBlock { get; }
    public long KeptTileBudget { get; }
    public int ColumnTile { get; }
    /// <summary>The most slots a block's tiles are split into (fewer when there are fewer tiles).</summary>
    public int Slots { get; }
    /// <summary>The panel of each contraction's column operand, in the order of <see cref="StripPassStmt.Contractions"/>.</summary>
    public List<PanelPlan> Panels { get; }
    public PlanLoop StatisticsLoop { get; }
    public PlanLoop WeightsLoop { get; }
    public IEnumerable<OnlineSumExpStmt> OnlineSums => StatisticsLoop.OnlineSums;
    public IEnumerable<AccumulateStmt> Accumulated => StatisticsLoop.Body.OfType<AccumulateStmt>();
    /// <summary>Weight tiles per slot: one per distinct weight.</summary>
    public int WeightTiles => Pass.WeightTiles;
}

/// <summary>
/// A column operand packed in tiles of <see cref="Width"/> rows (<c>TileProducts.PackPanel</c>), each tile in strips of
/// 16 rows stored depth-major: for tile t, <c>panel[t * Depth * Width + (r / 16) * 16 * Depth + d * 16 + r % 16] =
/// operand[t * Width + r, d]</c>, zero past the last row.
/// </summary>
internal sealed class PanelPlan
{
    public PanelPlan(int id, OperandSource source, int rows, int depth, int width)
    {
        Id = id; Source = source; Rows = rows; Depth = depth; Width = width;
    }

    public int Id { get; }
    public OperandSource Source { get; }
    /// <summary>The extent of the operand's rows.</summary>
    public int Rows { get; }
    /// <summary>The extent of its feature axis.</summary>
    public int Depth { get; }
    public int Width { get; }
    /// <summary>The pass that packs it.</summary>
    public int WrittenInPass { get; set; }
}

/// <summary>A scratch buffer: a reduction computed once for every value of its free indices.</summary>
internal sealed class BufferPlan
{
    public BufferPlan(ScratchBuffer buffer, MemorySpace space, int writtenInPass, int lastReadInPass, TensorInfo? home = null)
    {
        Buffer = buffer; Space = space; WrittenInPass = writtenInPass; LastReadInPass = lastReadInPass; Home = home;
    }

    /// <summary>For <see cref="MemorySpace.GradientOutput"/>, the tensor whose gradient output holds the buffer.</summary>
    public TensorInfo? Home { get; }

    public ScratchBuffer Buffer { get; }
    public int Id => Buffer.Id;
    /// <summary>Its size is the product of the extents of these axes (row-major).</summary>
    public IndexVar[] Axes => Buffer.Axes;
    public MemorySpace Space { get; }
    /// <summary>The pass that fills it.</summary>
    public int WrittenInPass { get; }
    /// <summary>The last pass that reads it: after it, the buffer is dead.</summary>
    public int LastReadInPass { get; }
}

/// <summary>
/// A loop of the plan: <c>for Var in 0..extent</c>. The reductions in <see cref="Completes"/> have their accumulators
/// set to their identity just before the loop and hold their values just after it; statements anywhere inside it may
/// accumulate into them.
/// </summary>
internal sealed class PlanLoop : Stmt
{
    public PlanLoop(IndexVar var, LoopRole role, List<Stmt> body, List<Node> completes, List<Node> hoisted, VectorBody? vector, List<string> purpose)
    {
        Var = var; Role = role; Body = body; Completes = completes; Hoisted = hoisted; Vector = vector; Purpose = purpose;
    }

    public IndexVar Var { get; }
    public LoopRole Role { get; }
    /// <summary>Nested <see cref="PlanLoop"/>s and <see cref="VersionedLoop"/>s, and the scheduler's
    /// <see cref="AccumulateStmt"/>, <see cref="OnlineSumExpStmt"/> and <see cref="StoreStmt"/>.</summary>
    public List<Stmt> Body { get; }
    public List<Node> Completes { get; }
    /// <summary>Values the body needs that do not depend on <see cref="Var"/>: computed once, before the loop, in this order.</summary>
    public List<Node> Hoisted { get; }
    /// <summary>How the iterations map to vector lanes; null for a loop that runs one iteration at a time.</summary>
    public VectorBody? Vector { get; }
    /// <summary>What the loop computes ("loss terms", "dx", "scratch buffer 0"), for comments.</summary>
    public List<string> Purpose { get; }
    /// <summary>The online sums of exponentials the loop carries (their running states are opened before it and finished after it).</summary>
    public IEnumerable<OnlineSumExpStmt> OnlineSums
    {
        get { foreach (var s in Body) if (s is OnlineSumExpStmt o) yield return o; }
    }
}

/// <summary>
/// How a loop spreads its iterations over vector lanes: <see cref="Unroll"/> copies of the body per step (each with its
/// own accumulators), the loop-invariant values broadcast to every lane before the loop, and the polynomial functions
/// called out of line because the body is past the JIT's inlining budget.
/// </summary>
internal sealed class VectorBody
{
    public VectorBody(int unroll, List<Node> broadcasts, HashSet<Node> outOfLine, HashSet<OnlineSumExpStmt> outOfLineSteps)
    {
        Unroll = unroll; Broadcasts = broadcasts; OutOfLine = outOfLine; OutOfLineSteps = outOfLineSteps;
    }

    /// <summary>2 for a light body (bound by the latency of its accumulation), 1 for a body with polynomial functions.</summary>
    public int Unroll { get; }
    /// <summary>Loop-invariant values the body uses, computed once and broadcast to every lane (constants and indices are broadcast where used).</summary>
    public List<Node> Broadcasts { get; }
    /// <summary>Polynomial functions of the body past the inlining budget: called out of line, not inlined.</summary>
    public HashSet<Node> OutOfLine { get; }
    /// <summary>Online sum-of-exponentials steps past the inlining budget.</summary>
    public HashSet<OnlineSumExpStmt> OutOfLineSteps { get; }
}

/// <summary>
/// A loop with online sums of exponentials, versioned on its length: when the extent is at least
/// <see cref="Threshold"/>, <see cref="Online"/> (one sweep that reads the row once); otherwise the
/// <see cref="MaxSweep"/> and then the <see cref="SumSweep"/> (fewer operations per element, for rows that stay in L1).
/// The accumulators of <see cref="Completes"/> are opened before the choice and hold their values after it.
/// </summary>
internal sealed class VersionedLoop : Stmt
{
    public VersionedLoop(int extent, int threshold, List<Node> completes, PlanLoop online, PlanLoop maxSweep, PlanLoop sumSweep)
    {
        Extent = extent; Threshold = threshold; Completes = completes; Online = online; MaxSweep = maxSweep; SumSweep = sumSweep;
    }

    /// <summary>The extent the choice tests.</summary>
    public int Extent { get; }
    public int Threshold { get; }
    public List<Node> Completes { get; }
    public PlanLoop Online { get; }
    public PlanLoop MaxSweep { get; }
    public PlanLoop SumSweep { get; }
}
