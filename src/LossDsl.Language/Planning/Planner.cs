using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Builtins;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Language.Planning;

/// <summary>
/// The plan stage: turns the scheduler's <see cref="LoopProgram"/> into a <see cref="KernelPlan"/> by deciding, once,
/// everything an emitter needs to print it: the role of every loop (parallel passes, sequential loops, vector lanes),
/// which loops of online sums are versioned on their length, the loop invariants hoisted before each loop, which loops
/// are contiguous and vectorized (and how: unrolling, broadcasts, the inlining budget), the powers that take their
/// own logarithm, the work of a pass's iteration (its chunking), and the scratch buffers with their lifetimes.
/// </summary>
internal sealed class Planner
{
    /// <summary>Work of one parallel chunk, in innermost iterations.</summary>
    public const int ChunkWork = 16384;

    /// <summary>Vectorized passes have chunks that are a multiple of this many elements (a multiple of every vector width).</summary>
    public const int VectorChunkAlignment = 64;

    /// <summary>
    /// The row length from which a loop of online sums of exponentials takes one online sweep; shorter rows take a
    /// max sweep and a sum sweep. Measured on softmax cross-entropy (one thread, AVX-512, 2^24 logits): the online
    /// sweep is 10-15% slower for rows of 128 to 1000 floats, which stay in L1 between the sweeps, about even at 2048,
    /// and 3-11% faster from 4096 to 262144 (docs/benchmarks.md).
    /// </summary>
    public const int OnlineMinimumLength = 4096;

    /// <summary>
    /// How many polynomial functions a vector body inlines; further ones are called out of line. Measured with the
    /// JIT's disassembly (DOTNET_JitDisasm): BCE (exp, log1p) inlines completely; the focal loss (three exps, a log, a
    /// log1p) inlined in full exhausted the JIT's inlining budget and left even multiplications as calls.
    /// </summary>
    public const int MaxInlinedPolynomials = 4;

    private readonly LossModel _model;
    private readonly LoopProgram _program;
    private readonly HashSet<Node> _globals = new();
    private readonly HashSet<Node> _powersOwningTheirLog;

    private Planner(LossModel model, LoopProgram program)
    {
        _model = model;
        _program = program;
        foreach (var pass in program.Passes.OfType<LoopStmt>()) foreach (var r in pass.Completes) _globals.Add(r);
        _powersOwningTheirLog = PowersOwningTheirLog(program);
    }

    /// <summary>Plans the kernel <paramref name="name"/> from its loop program.</summary>
    public static KernelPlan Plan(string name, LossModel model, LoopProgram program, IReadOnlyList<GradientExpression> gradients)
    {
        var planner = new Planner(model, program);
        var passes = new List<PassPlan>();
        var panels = new List<PanelPlan>();
        foreach (var stmt in program.Passes)
        {
            if (stmt is PairPassStmt pair)
            {
                planner.PlanPair(pair, passes, panels);
                continue;
            }
            if (stmt is StripPassStmt strip)
            {
                planner.PlanStrip(strip, passes, panels);
                continue;
            }
            if (stmt is RankedSumStmt ranked)
            {
                planner.PlanRanked(ranked, passes);
                continue;
            }
            var loop = (LoopStmt)stmt;
            // Every pass sees the results of all passes (a pass never reads what it completes itself).
            var available = new HashSet<Node>(planner._globals);
            var planned = planner.PlanLoop(loop, new HashSet<int>(), available, topLevel: true);
            int alignment = planned.Vector is not null ? VectorChunkAlignment : 1;
            passes.Add(new LoopPassPlan(passes.Count + 1, planned, WorkExtents(loop), ChunkWork, alignment, oneChunk: ScattersIntoSharedElements(loop)));
        }
        var plan = new KernelPlan(name, model, gradients.Count > 0, gradients, passes, planner.PlanBuffers(passes), panels,
            program.BufferViews, program.Loss, planner._powersOwningTheirLog);
        plan.ScalarOutputs.AddRange(program.ScalarOutputs);
        return plan;
    }

    /// <summary>
    /// A ranked sum as three passes: the elements' keys and values (parallel over its outer index), the sort of each
    /// batch point (one chunk per point), the readers' lookups (parallel over its outer index). Scalar code: the
    /// stores of the elements and the lookups are not plain stores of one value.
    /// </summary>
    private void PlanRanked(RankedSumStmt ranked, List<PassPlan> passes)
    {
        var elements = PlanLoop(ranked.Elements, new HashSet<int>(), new HashSet<Node>(_globals), topLevel: true);
        passes.Add(new LoopPassPlan(passes.Count + 1, elements, WorkExtents(ranked.Elements), ChunkWork, 1));
        passes.Add(new RankSortPassPlan(passes.Count + 1, ranked.Sum));
        var lookups = PlanLoop(ranked.Lookups, new HashSet<int>(), new HashSet<Node>(_globals), topLevel: true);
        passes.Add(new LoopPassPlan(passes.Count + 1, lookups, WorkExtents(ranked.Lookups), ChunkWork, 1));
    }

    // ---- Pair passes ---------------------------------------------------------------------------------------------------

    /// <summary>Rows of a pair space per chunk (a multiple of the tile products' blocks of 6 and 4 rows).</summary>
    public const int PairRowBlock = 72;

    /// <summary>
    /// Columns per tile (a multiple of two vectors of every width). A tile of 72 rows by 128 columns is 36 KiB per
    /// contraction or weight; the panel slice of one tile is 128 x depth floats (128 KiB at depth 256), so that a row
    /// block's operand rows, a panel slice and the tiles stay in L2.
    /// </summary>
    public const int PairColumnTile = 128;

    /// <summary>The values a pair pass reads from its contraction tiles (contiguous along the column index).</summary>
    private HashSet<Node> _tileValues = new();

    /// <summary>Slots of a strip pass: the most column tiles of one row block that run at once.</summary>
    public const int StripSlots = 16;

    /// <summary>
    /// The floats a strip pass may keep of a block's contraction tiles (64 MiB): the row block is the most rows, a
    /// multiple of 6, whose tiles fit, between <see cref="StripMinimumRowBlock"/> and <see cref="StripMaximumRowBlock"/>.
    /// Each block reads and writes every column back contraction (dW of a classifier head) once, so larger blocks
    /// move less memory: linear cross-entropy at N = 2048, D = 512, V = 32768 took 4.1 s with blocks of 72 rows and
    /// 3.3 s with 288 on the AVX2 development VM, 1 thread.
    /// </summary>
    public const long StripKeptTileBudget = 16L << 20;
    public const int StripMinimumRowBlock = 72;
    public const int StripMaximumRowBlock = 288;

    private void PlanPair(PairPassStmt pair, List<PassPlan> passes, List<PanelPlan> panels)
    {
        var pairPanels = Panels(pair, passes, panels);
        var columnLoop = PlanTileLoop(pair, pair.Body, pair.Statistics, "pairs of a tile");
        passes.Add(new PairPassPlan(passes.Count + 1, pair, PairRowBlock, PairColumnTile, pairPanels, columnLoop));
    }

    private void PlanStrip(StripPassStmt strip, List<PassPlan> passes, List<PanelPlan> panels)
    {
        var stripPanels = Panels(strip, passes, panels);
        var statistics = PlanTileLoop(strip, strip.StatisticsBody, strip.Statistics, "statistics of a tile");
        var weights = PlanTileLoop(strip, strip.WeightsBody, new List<Node>(), "weights of a tile");
        passes.Add(new StripPassPlan(passes.Count + 1, strip, StripMinimumRowBlock, StripMaximumRowBlock, StripKeptTileBudget, PairColumnTile, StripSlots, stripPanels, statistics, weights));
    }

    /// <summary>The panel of each contraction's column operand: packed once, in a pass of its own, for every pass that reads it.</summary>
    private static List<PanelPlan> Panels(IPairPass pass, List<PassPlan> passes, List<PanelPlan> panels)
    {
        var result = new List<PanelPlan>();
        foreach (var c in pass.Contractions)
        {
            var source = c.ColumnSource!;
            var panel = panels.FirstOrDefault(p => SameSource(p.Source, source) && p.Depth == c.Feature.Extent && p.Rows == pass.Column.Extent);
            if (panel is null)
            {
                panel = new PanelPlan(panels.Count, source, pass.Column.Extent, c.Feature.Extent, PairColumnTile);
                panels.Add(panel);
                passes.Add(new PanelPassPlan(passes.Count + 1, panel));
                panel.WrittenInPass = passes.Count;
            }
            result.Add(panel);
        }
        return result;
    }

    /// <summary>The loop over one tile's columns for one row, with the pass's contractions read from their tiles.</summary>
    private PlanLoop PlanTileLoop(IPairPass pass, List<Stmt> body, List<Node> statistics, string purpose)
    {
        _tileValues = new HashSet<Node>(pass.Contractions.Select(c => c.Value));
        var columns = new LoopStmt(pass.Column, body, new List<Node>(statistics));
        columns.Purpose.Add(purpose);
        var loop = PlanLoop(columns, new HashSet<int> { pass.Row.Id }, new HashSet<Node>(_globals), topLevel: false);
        _tileValues = new HashSet<Node>();
        return loop;
    }

    private static bool SameSource(OperandSource a, OperandSource b) =>
        ReferenceEquals(a.Tensor, b.Tensor) && ReferenceEquals(a.Buffer, b.Buffer);

    // ---- Loops -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Plans a loop whose enclosing loops bind <paramref name="bound"/> and before which the reductions in
    /// <paramref name="available"/> (globals, and those completed by earlier loops of enclosing blocks) are known.
    /// </summary>
    private PlanLoop PlanLoop(LoopStmt loop, HashSet<int> bound, HashSet<Node> available, bool topLevel, List<Stmt>? body = null, List<Node>? completes = null)
    {
        body ??= loop.Body;
        completes ??= loop.Completes;
        var hoisted = Hoist(loop.Var, body, bound, available);
        // The vector code is float SIMD: a loss computed in double runs its loops as scalar code.
        bool vectorized = _model.Real != ElementType.Float64 && IsContiguous(loop.Var, body);
        bool hasInnerLoops = body.Any(s => s is LoopStmt);
        var role = topLevel ? (hasInnerLoops ? LoopRole.ParallelRows : LoopRole.ParallelChunks)
            : vectorized ? LoopRole.VectorLanes : LoopRole.Sequential;

        var inner = new HashSet<int>(bound) { loop.Var.Id };
        var innerAvailable = new HashSet<Node>(available);
        var planned = new List<Stmt>();
        foreach (var s in body)
        {
            if (s is LoopStmt nested)
            {
                planned.Add(PlanNested(nested, inner, innerAvailable));
                foreach (var r in nested.Completes) innerAvailable.Add(r);
            }
            else planned.Add(s);
        }
        var vector = vectorized ? PlanVector(loop.Var, body) : null;
        return new PlanLoop(loop.Var, role, planned, completes, hoisted, vector, new List<string>(loop.Purpose));
    }

    /// <summary>A nested loop; one with online sums of exponentials and no loops inside is versioned on its length.</summary>
    private Stmt PlanNested(LoopStmt loop, HashSet<int> bound, HashSet<Node> available)
    {
        var online = loop.Body.OfType<OnlineSumExpStmt>().ToList();
        if (online.Count == 0 || loop.Body.Any(s => s is LoopStmt))
        {
            // No online sums, or the values are themselves reductions (pairwise similarities): one sweep, so that the
            // inner reductions are computed once.
            return PlanLoop(loop, bound, available, topLevel: false);
        }
        var oneSweep = PlanLoop(loop, bound, available, topLevel: false);
        var maxBody = loop.Body.Select(s => s is OnlineSumExpStmt o ? new AccumulateStmt(o.Max, o.Value) : s).ToList();
        var maxCompletes = loop.Completes.Where(r => !online.Any(o => ReferenceEquals(o.Sum, r))).ToList();
        var maxSweep = PlanLoop(loop, bound, available, topLevel: false, maxBody, maxCompletes);
        var afterMax = new HashSet<Node>(available);
        foreach (var r in maxCompletes) afterMax.Add(r);
        var sumBody = online.Select(o => (Stmt)new AccumulateStmt(o.Sum, o.SumBody)).ToList();
        var sumSweep = PlanLoop(loop, bound, afterMax, topLevel: false, sumBody, online.Select(o => o.Sum).ToList());
        return new VersionedLoop(loop.Var.Extent, OnlineMinimumLength, loop.Completes, oneSweep, maxSweep, sumSweep);
    }

    /// <summary>
    /// True when a pass scatters into gradient elements that its iterations share (no subscript of the scatter is the
    /// pass's index, as in <c>weight[y[i]]</c>): the pass runs as one chunk, in order, so that every element accumulates
    /// its contributions in index order whatever the number of threads. A scatter that writes, at some axis, the pass's
    /// own index (NTL's <c>dz[i, idx[k]]</c>) writes only its iteration's slice and runs in parallel.
    /// </summary>
    private static bool ScattersIntoSharedElements(LoopStmt pass)
    {
        bool shared = false;
        void Walk(Stmt s)
        {
            if (s is LoopStmt l) foreach (var b in l.Body) Walk(b);
            else if (s is ScatterStmt sc && !sc.IsOwnedBy(pass.Var.Id)) shared = true;
        }
        Walk(pass);
        return shared;
    }

    // ---- Loop-invariant code motion -------------------------------------------------------------------------------

    /// <summary>
    /// The values a loop's body computes that do not depend on the loop's index and can be computed before it (their
    /// indices are bound and their reductions known there, or read from scratch buffers): the largest such subexpressions, in the order the body
    /// reaches them. Leaves, loads and reductions are not hoisted (they are read where used).
    /// </summary>
    private List<Node> Hoist(IndexVar var, List<Stmt> body, HashSet<int> bound, HashSet<Node> available)
    {
        var hoisted = new List<Node>();
        var seen = new HashSet<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (!n.DependsOn(var.Id) && IsComputableOutside(n, bound, available))
            {
                if (n.Args.Length > 0 && n.Op != Op.Load && n.Op != Op.Reduce) hoisted.Add(n);
                return;
            }
            if (n.Op == Op.Reduce) return;
            foreach (var a in n.Args) Visit(a);
        }
        foreach (var e in DirectExpressions(body)) Visit(e);
        return hoisted;
    }

    private bool IsComputableOutside(Node n, HashSet<int> bound, HashSet<Node> available)
    {
        foreach (int id in n.Free) if (!bound.Contains(id)) return false;
        var stack = new Stack<Node>();
        stack.Push(n);
        var seen = new HashSet<Node>();
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x.Op == Op.Reduce)
            {
                if (!available.Contains(x) && !_program.BufferViews.ContainsKey(x)) return false;
                continue;
            }
            foreach (var a in x.Args) stack.Push(a);
        }
        return true;
    }

    /// <summary>The expressions a loop evaluates in its own iterations (not those that nested loops reduce: those are values there).</summary>
    internal static IEnumerable<Node> DirectExpressions(List<Stmt> body)
    {
        foreach (var s in body)
        {
            switch (s)
            {
                case AccumulateStmt a: yield return a.Body; break;
                case OnlineSumExpStmt o: yield return o.Value; break;
                case StoreStmt st: yield return st.Value; break;
                case ScatterStmt sc:
                    yield return sc.Value;
                    foreach (var x in sc.Subscripts) yield return x;
                    break;
                case LoopStmt l: foreach (var e in DirectExpressions(l.Body)) yield return e; break;
                case RankElementStmt element: foreach (var e in RankedSumExpressions.OfElement(element.Sum)) yield return e; break;
                case RankLookupStmt lookup: foreach (var e in RankedSumExpressions.OfLookup(lookup.Sum)) yield return e; break;
            }
        }
    }

    // ---- Vectorization ---------------------------------------------------------------------------------------------

    /// <summary>
    /// True for an innermost loop whose every load, buffer read and store that depends on its index reaches memory
    /// contiguously along that index (the index is the last subscript and appears nowhere else in it).
    /// </summary>
    private bool IsContiguous(IndexVar var, List<Stmt> body)
    {
        // A scatter's targets are not contiguous (and may repeat): scalar code, in order.
        // A ranked sum's element and lookup statements write several values or call a search: scalar code too.
        if (body.Any(s => s is LoopStmt or ScatterStmt or RankElementStmt or RankLookupStmt)) return false;
        var seen = new HashSet<Node>();
        bool ok = true;
        void Check(Node n)
        {
            if (!ok || !seen.Add(n) || !n.DependsOn(var.Id)) return;
            if (n.Op == Op.Load)
            {
                for (int k = 0; k < n.Args.Length; k++)
                {
                    var s = n.Args[k];
                    bool isVar = s.Op == Op.Index && s.Ref == var.Id;
                    if (isVar && k != n.Args.Length - 1) { ok = false; return; }
                    if (!isVar && s.DependsOn(var.Id)) { ok = false; return; }
                }
                return;
            }
            if (n.Op == Op.Reduce)
            {
                if (_tileValues.Contains(n)) return; // a tile is row-major: contiguous along the column index
                if (!_program.BufferViews.TryGetValue(n, out var view)) { ok = false; return; }
                for (int k = 0; k < view.Indices.Length; k++)
                {
                    // A key read from a segment buffer is a scalar: it must not depend on the vectorized index.
                    if (view.GatheredAt(k) is { } key) { if (key.DependsOn(var.Id)) { ok = false; return; } continue; }
                    if (view.Indices[k].Id == var.Id && k != view.Indices.Length - 1) { ok = false; return; }
                }
                return;
            }
            foreach (var a in n.Args) Check(a);
        }
        foreach (var s in body)
        {
            switch (s)
            {
                case AccumulateStmt a: Check(a.Body); break;
                case OnlineSumExpStmt o: Check(o.Value); break;
                case StoreStmt st:
                    for (int k = 0; k < st.Indices.Length - 1; k++) if (st.Indices[k].Id == var.Id) return false;
                    if (st.Indices[st.Indices.Length - 1].Id != var.Id) return false;
                    Check(st.Value);
                    break;
            }
        }
        return ok;
    }

    /// <summary>
    /// The vector form of a contiguous loop. A light body (no polynomial function) is bound by the latency of its
    /// accumulation and is unrolled twice with two accumulators; a heavy one has enough independent work per element,
    /// and one copy keeps it within the JIT's inlining budget, of which the first <see cref="MaxInlinedPolynomials"/>
    /// polynomial functions (in the order the body computes them) are inlined and the rest called.
    /// </summary>
    private VectorBody PlanVector(IndexVar var, List<Stmt> body)
    {
        // Loop-invariant values: broadcast before the loop (subscripts of a load or a buffer read stay scalars).
        var broadcasts = new List<Node>();
        var seen = new HashSet<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (!n.DependsOn(var.Id)) { broadcasts.Add(n); return; }
            if (n.Op is Op.Load or Op.Reduce) { foreach (var a in n.Args) if (!a.DependsOn(var.Id)) broadcasts.Add(a); return; }
            foreach (var a in n.Args) Visit(a);
        }
        foreach (var e in DirectExpressions(body)) Visit(e);
        broadcasts.RemoveAll(n => n.Op is Op.Const or Op.Index);

        // The inlining budget, spent in the order the body's values are computed: a function before its arguments.
        var outOfLine = new HashSet<Node>();
        var outOfLineSteps = new HashSet<OnlineSumExpStmt>();
        int inlined = 0;
        bool Spend() => inlined++ >= MaxInlinedPolynomials;
        var computed = new HashSet<Node>();
        void Compute(Node n)
        {
            if (!n.DependsOn(var.Id) || !computed.Add(n) || n.Op is Op.Load or Op.Reduce) return;
            if (BuiltinTable.IsPolynomial(n.Op) && Spend()) outOfLine.Add(n);
            for (int k = 0; k < n.Args.Length; k++)
            {
                // A power's uniform exponent is a scalar; a power owning its logarithm computes it itself.
                if (n.Op == Op.PowFromLog && (k == 1 && !n.Args[1].DependsOn(var.Id) || k == 2 && _powersOwningTheirLog.Contains(n))) continue;
                Compute(n.Args[k]);
            }
        }
        bool polynomials = false;
        foreach (var s in body)
        {
            switch (s)
            {
                case AccumulateStmt a: Compute(a.Body); break;
                case StoreStmt st: Compute(st.Value); break;
                case OnlineSumExpStmt o:
                    Compute(o.Value);
                    polynomials = true;
                    if (Spend()) outOfLineSteps.Add(o);
                    break;
            }
        }
        polynomials |= inlined > 0;
        return new VectorBody(polynomials ? 1 : 2, broadcasts, outOfLine, outOfLineSteps);
    }

    // ---- Passes, buffers and powers ----------------------------------------------------------------------------------

    /// <summary>The extents of the nested loops along the first deepest path of a pass (the work of one iteration).</summary>
    private static IReadOnlyList<int> WorkExtents(LoopStmt loop)
    {
        var best = new List<int>();
        void Walk(LoopStmt l, List<int> path)
        {
            bool leaf = true;
            foreach (var s in l.Body.OfType<LoopStmt>())
            {
                leaf = false;
                path.Add(s.Var.Extent);
                Walk(s, path);
                path.RemoveAt(path.Count - 1);
            }
            if (leaf && path.Count > best.Count) best = new List<int>(path);
        }
        Walk(loop, new List<int>());
        return best;
    }

    private List<BufferPlan> PlanBuffers(List<PassPlan> passes)
    {
        var result = new List<BufferPlan>();
        // A gradient output holds at most one buffer: two would be written to the same memory.
        var homes = new HashSet<TensorInfo>();
        foreach (var buffer in _program.Buffers)
        {
            int written = 0, lastRead = 0;
            foreach (var pass in passes)
            {
                if (Writes(pass, buffer)) written = written == 0 ? pass.Number : written;
                if (Reads(pass, buffer)) lastRead = pass.Number;
            }
            var home = lastRead == 0 ? null : GradientHome(buffer, passes[lastRead - 1], passes);
            if (home is not null && !homes.Add(home)) home = null;
            result.Add(home is null
                ? new BufferPlan(buffer, MemorySpace.Global, written, lastRead)
                : new BufferPlan(buffer, MemorySpace.GradientOutput, written, lastRead, home));
        }
        return result;
    }

    /// <summary>
    /// The tensor whose gradient output can hold a buffer: the buffer has the tensor's shape, the pass that last reads
    /// it is the only one that does, and there its only reader is the store of that gradient (the gradient's only
    /// store), which reads it at the position it writes. Null when there is none.
    /// </summary>
    private TensorInfo? GradientHome(ScratchBuffer buffer, PassPlan lastReader, List<PassPlan> passes)
    {
        if (lastReader is not LoopPassPlan pass) return null;
        var statements = new List<Stmt>();
        if (!Leaves(pass.Loop, buffer, statements)) return null;
        var readers = statements.Where(s => Reads(s, buffer)).ToList();
        if (readers.Count != 1 || readers[0] is not StoreStmt { Target.GradientOf: { } tensor } store) return null;
        if (tensor.Axes is null || !tensor.Axes.SequenceEqual(buffer.Axes.Select(a => a.Extent))) return null;
        if (store.Indices.Length != buffer.Axes.Length) return null;
        // Every read of the buffer in the store is at the store's own indices.
        foreach (var n in Reachable(store.Value))
            if (n.Op is Op.Reduce or Op.Load && _program.BufferViews.TryGetValue(n, out var view) && ReferenceEquals(view.Buffer, buffer)
                && !view.Indices.Select(x => x.Id).SequenceEqual(store.Indices.Select(x => x.Id)))
                return null;
        // Nothing else writes that gradient, and no pass before this one reads the buffer.
        int stores = 0;
        foreach (var p in passes.OfType<LoopPassPlan>())
        {
            var all = new List<Stmt>();
            Leaves(p.Loop, buffer, all);
            stores += all.Count(x => x is StoreStmt { Target.GradientOf: { } t } && ReferenceEquals(t, tensor));
        }
        return stores == 1 && passes.Count(p => Reads(p, buffer)) == 1 ? tensor : null;
    }

    /// <summary>The leaf statements of a loop, false if a hoisted value of some loop reads the buffer.</summary>
    private bool Leaves(Stmt s, ScratchBuffer buffer, List<Stmt> leaves)
    {
        switch (s)
        {
            case PlanLoop l:
                if (l.Hoisted.Any(n => Uses(n, buffer))) return false;
                return l.Body.All(b => Leaves(b, buffer, leaves));
            case VersionedLoop v:
                return Leaves(v.Online, buffer, leaves) && Leaves(v.MaxSweep, buffer, leaves) && Leaves(v.SumSweep, buffer, leaves);
            default:
                leaves.Add(s);
                return true;
        }
    }

    private static IEnumerable<Node> Reachable(Node root) => IrGraph.Reachable(new[] { root });

    private bool Writes(PassPlan pass, ScratchBuffer buffer) => pass switch
    {
        LoopPassPlan l => Writes(l.Loop, buffer),
        PairPassPlan p => p.Pass.Outputs.ContainsValue(buffer),
        StripPassPlan p => p.Pass.Outputs.ContainsValue(buffer),
        RankSortPassPlan p => p.Sum.SortWrites.Contains(buffer),
        _ => false,
    };

    private bool Reads(PassPlan pass, ScratchBuffer buffer) => pass switch
    {
        LoopPassPlan l => Reads(l.Loop, buffer),
        PanelPassPlan p => ReferenceEquals(p.Panel.Source.Buffer, buffer),
        PairPassPlan p => Reads(p.ColumnLoop, buffer) || p.OnlineSums.Any(o => Uses(o.Shift, buffer))
            || p.Pass.Contractions.Any(c => ReferenceEquals(c.RowSource!.Buffer, buffer))
            || p.Pass.BackContractions.Any(b => ReferenceEquals(b.Source!.Buffer, buffer)),
        StripPassPlan p => Reads(p.StatisticsLoop, buffer) || Reads(p.WeightsLoop, buffer) || p.OnlineSums.Any(o => Uses(o.Shift, buffer))
            || p.Pass.Contractions.Any(c => ReferenceEquals(c.RowSource!.Buffer, buffer))
            || p.Pass.Backs.Any(b => ReferenceEquals(b.Back.Source!.Buffer, buffer)),
        RankSortPassPlan p => p.Sum.SortReads.Contains(buffer),
        _ => false,
    };

    private bool Writes(Stmt s, ScratchBuffer buffer) => s switch
    {
        PlanLoop l => l.Body.Any(b => Writes(b, buffer)),
        VersionedLoop v => Writes(v.Online, buffer),
        StoreStmt { Target.Buffered: { } r } => ReferenceEquals(_program.BufferViews[r].Buffer, buffer),
        ScatterStmt { Target.Buffered: { } r } => ReferenceEquals(_program.BufferViews[r].Buffer, buffer),
        RankElementStmt e => e.Sum.ElementBuffers.Contains(buffer),
        RankLookupStmt l => ReferenceEquals(l.Sum.Result, buffer),
        _ => false,
    };

    private bool Uses(Node n, ScratchBuffer buffer)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>();
        stack.Push(n);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x.Op is Op.Reduce or Op.Load && _program.BufferViews.TryGetValue(x, out var view) && ReferenceEquals(view.Buffer, buffer)) return true;
            foreach (var a in x.Args) stack.Push(a);
        }
        return false;
    }

    private bool Reads(Stmt s, ScratchBuffer buffer) => s switch
    {
        PlanLoop l => l.Body.Any(b => Reads(b, buffer)) || l.Hoisted.Any(n => Uses(n, buffer)),
        VersionedLoop v => Reads(v.Online, buffer) || Reads(v.MaxSweep, buffer) || Reads(v.SumSweep, buffer),
        AccumulateStmt a => Uses(a.Body, buffer),
        OnlineSumExpStmt o => Uses(o.Value, buffer) || Uses(o.Shift, buffer),
        StoreStmt st => Uses(st.Value, buffer),
        ScatterStmt sc => Uses(sc.Value, buffer) || sc.Subscripts.Any(x => Uses(x, buffer)),
        RankElementStmt e => RankedSumExpressions.OfElement(e.Sum).Any(x => Uses(x, buffer)),
        RankLookupStmt l => l.Sum.ElementBuffers.Contains(buffer) || RankedSumExpressions.OfLookup(l.Sum).Any(x => Uses(x, buffer)),
        _ => false,
    };

    /// <summary>The powers whose log|x| has no other consumer in the program (see <see cref="KernelPlan.PowersOwningTheirLog"/>).</summary>
    private static HashSet<Node> PowersOwningTheirLog(LoopProgram program)
    {
        var consumers = new Dictionary<Node, int>();
        var seen = new HashSet<Node>();
        var powers = new List<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (n.Op == Op.PowFromLog) powers.Add(n);
            foreach (var a in n.Args)
            {
                consumers[a] = consumers.TryGetValue(a, out int c) ? c + 1 : 1;
                Visit(a);
            }
        }
        void VisitStmt(Stmt s)
        {
            switch (s)
            {
                case LoopStmt l: foreach (var b in l.Body) VisitStmt(b); break;
                case IPairPass pair: foreach (var b in pair.Statements) VisitStmt(b); break;
                case AccumulateStmt a: Visit(a.Reduce); Visit(a.Body); break;
                case OnlineSumExpStmt o: Visit(o.Max); Visit(o.Sum); Visit(o.Value); Visit(o.Shift); break;
                case StoreStmt st: Visit(st.Value); break;
                case ScatterStmt sc: Visit(sc.Value); foreach (var x in sc.Subscripts) Visit(x); break;
                case RankedSumStmt ranked: VisitStmt(ranked.Elements); VisitStmt(ranked.Lookups); break;
                case RankElementStmt element: foreach (var e in RankedSumExpressions.OfElement(element.Sum)) Visit(e); break;
                case RankLookupStmt lookup: foreach (var e in RankedSumExpressions.OfLookup(lookup.Sum)) Visit(e); break;
            }
        }
        foreach (var p in program.Passes) VisitStmt(p);
        foreach (var b in program.Buffers) Visit(b.Value);
        Visit(program.Loss);
        foreach (var st in program.ScalarOutputs) Visit(st.Value);
        return new HashSet<Node>(powers.Where(p => consumers[p.Args[2]] == 1));
    }
}
