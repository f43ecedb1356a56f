using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;
using LossDsl.Language.Tiling;

namespace LossDsl.Language.Scheduling;

/// <summary>
/// The schedule stage: turns the loss and its gradients into a <see cref="LoopProgram"/>.
/// </summary>
/// <remarks>
/// <para>Placement. Every output is a loop nest over its indices (a gradient over the tensor's axes in row-major
/// order; a global reduction over its bound indices). A reduction needed inside a nest is computed at the shallowest
/// depth where all of its free indices are bound, provided they are exactly the enclosing loops (so <c>lse[i]</c> is
/// computed once per row, inside the row loop, and shared by the loss and the gradient). A reduction whose free
/// indices skip an enclosing loop (a pairwise term <c>s[i, a]</c> needed inside <c>for a, d, i</c>) is materialized
/// once into a scratch buffer by an earlier pass instead of being recomputed.</para>
/// <para>Fusion. Loops over the same extent are merged, at every depth, when the later one does not read a value the
/// earlier one (or anything between them) completes. Pairs that share the most work merge first, so the loss terms
/// and the gradient end up in one pass wherever the math allows. After a merge, reductions computed twice in the
/// same scope are computed once.</para>
/// </remarks>
internal sealed partial class Scheduler
{
    private readonly IrGraph _graph;
    private readonly List<Stmt> _top = new();
    private readonly HashSet<Node> _topAvailable = new();
    private readonly Dictionary<Node, ScratchBuffer> _buffers = new();
    private readonly List<ScratchBuffer> _bufferList = new();
    private int _nextBufferId;
    private readonly HashSet<Node> _materializing = new();
    /// <summary>Buffered reductions as they appear after a fusion renamed their indices.</summary>
    private readonly Dictionary<Node, BufferView> _aliases = new();

    private Scheduler(IrGraph graph) { _graph = graph; }

    /// <summary>
    /// Schedules the loss, its gradients and the outputs; <paramref name="internals"/> holds the definitions of the
    /// internal tensors as the kernels compute them (lowered; by default <see cref="InternalTensor.Definition"/>).
    /// </summary>
    public static LoopProgram Schedule(LossModel model, Node loss, IReadOnlyList<GradientExpression> gradients, IReadOnlyList<OutputExpression>? outputs = null,
        IReadOnlyList<Node>? internals = null)
    {
        var s = new Scheduler(model.Graph);
        // Pair spaces first: their statistics and back contractions become buffers filled by tiled pair passes.
        // A loss computed in double has no tiled pair spaces (the tile products are float SIMD): nested loops instead.
        PairAnalysis pairs;
        if (model.Real == ElementType.Float64)
        {
            pairs = new PairAnalysis(loss, gradients.ToList(), new List<Stmt>(), new Dictionary<Node, BufferView>());
            pairs.Outputs.AddRange(outputs ?? System.Array.Empty<OutputExpression>());
        }
        else
        {
            pairs = PairSpaces.Analyze(model.Graph, loss, gradients, s.NewBuffer, outputs);
        }
        loss = pairs.Loss;
        gradients = pairs.Gradients;
        foreach (var kv in pairs.Occurrences)
        {
            if (ReferenceEquals(kv.Key, kv.Value.Buffer.Value)) s._buffers[kv.Key] = kv.Value.Buffer;
            else s._aliases[kv.Key] = kv.Value;
        }
        // The internal tensors the kernel reads, each stored by a pass of its own before anything reads it.
        var roots = new List<Node> { loss };
        roots.AddRange(gradients.Select(g => g.Expression));
        roots.AddRange(pairs.Outputs.Select(o => o.Expression));
        foreach (var pass in pairs.Passes)
        {
            roots.AddRange(Expressions(pass));
            var pair = (IPairPass)pass;
            foreach (var c in pair.Contractions) { roots.Add(c.RowOperand); roots.Add(c.ColumnOperand); }
            foreach (var (b, _) in pair.Backs) roots.Add(b.Operand);
        }
        s.StoreInternals(model, internals ?? model.Internals.Select(t => t.Definition).ToList(), roots);
        foreach (var pass in pairs.Passes) s.AddPairPass(model, pass);
        s.PlaceReduces(new List<Node> { loss }, System.Array.Empty<IndexVar>(), 0, s._top, s._topAvailable);
        foreach (var g in gradients)
        {
            s.StoreWithScatters(StoreTarget.Gradient(g.Tensor), g.Axes, g.Expression, "d" + g.Tensor.Name);
        }
        // An output is stored like a gradient: a loop nest over its axes. One without axes is a scalar expression of
        // global reductions, stored after the passes like the loss.
        var scalarOutputs = new List<StoreStmt>();
        foreach (var o in pairs.Outputs)
        {
            var exprs = new List<Node> { o.Expression };
            int before = s._top.Count;
            s.PlaceReduces(exprs, o.Axes, 0, s._top, s._topAvailable);
            if (o.Axes.Length == 0)
            {
                for (int k = before; k < s._top.Count; k++) if (s._top[k] is LoopStmt l) l.Purpose.Add(o.Output.Name + " terms");
                scalarOutputs.Add(new StoreStmt(StoreTarget.Output(o.Output), o.Axes, o.Expression));
                continue;
            }
            var nest = s.BuildLoops(o.Axes, 0, exprs, new StoreStmt(StoreTarget.Output(o.Output), o.Axes, o.Expression), s._topAvailable);
            nest.Purpose.Add(o.Output.Name);
            s._top.Add(nest);
        }
        foreach (var st in s._top.OfType<LoopStmt>())
            if (st.Completes.Count > 0 && st.Purpose.Count == 0) st.Purpose.Add("loss terms");
        s.Fuse(s._top, new HashSet<Node>(), nested: false);
        var views = new Dictionary<Node, BufferView>();
        foreach (var kv in s._buffers) views[kv.Key] = new BufferView(kv.Value, kv.Value.Axes);
        foreach (var kv in s._aliases) views[kv.Key] = kv.Value;
        s.AddInternalViews(views, s._top.SelectMany(Expressions).Append(loss).Concat(scalarOutputs.Select(o => o.Value)));
        var program = new LoopProgram(s._top, s._bufferList, loss, views);
        program.ScalarOutputs.AddRange(scalarOutputs);
        return program;
    }

    // ---- Internal tensors --------------------------------------------------------------------------------------

    /// <summary>The scratch buffer of each internal tensor the kernel stores, by the reference of its loads.</summary>
    private readonly Dictionary<int, ScratchBuffer> _internalBuffers = new();

    /// <summary>
    /// Stores every internal tensor that <paramref name="roots"/> read, directly or through other internal tensors, in
    /// the model's order (each definition reads only tensors before it): a scratch buffer over the tensor's axes,
    /// filled by a loop nest of its own; its key is the read of the tensor at the buffer's axes, and every read of the
    /// tensor reads the buffer (<see cref="AddInternalViews"/>).
    /// </summary>
    private void StoreInternals(LossModel model, IReadOnlyList<Node> definitions, List<Node> roots)
    {
        if (model.Internals.Count == 0) return;
        var needed = new bool[model.Internals.Count];
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(roots);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (IrGraph.IsInternalLoad(n) && !needed[-1 - n.Ref])
            {
                needed[-1 - n.Ref] = true;
                stack.Push(definitions[-1 - n.Ref]);
            }
            foreach (var a in n.Args) stack.Push(a);
        }
        for (int k = 0; k < needed.Length; k++)
        {
            if (!needed[k]) continue;
            var t = model.Internals[k];
            var axes = t.Axes.Select((a, j) => BufferAxis(a, j)).ToArray();
            var map = new Dictionary<int, IndexVar>();
            for (int j = 0; j < axes.Length; j++) map[t.Axes[j].Id] = axes[j];
            var value = _graph.Substitute(definitions[k], map);
            var key = _graph.Load(t.Ref, DslType.Real, axes.Select(a => _graph.Index(a)).ToArray());
            var buffer = NewBuffer(key, axes);
            _buffers[key] = buffer;
            _internalBuffers[t.Ref] = buffer;
            // An adjoint's reads of gathered elements (a window's) scatter, as an input's gradient does.
            StoreWithScatters(StoreTarget.Buffer(key), axes, value, t.Name);
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> over <paramref name="axes"/> into <paramref name="target"/> (a gradient or an
    /// internal tensor's buffer): the adjoints of gathers summed over indices the target does not have become sparse
    /// scatters (one accumulation per read, <see cref="SplitScatters(Node, IndexVar[], List{ScatterTerm})"/>), each a
    /// pass after the store of the dense rest (zeros where nothing else writes).
    /// </summary>
    private void StoreWithScatters(StoreTarget target, IndexVar[] axes, Node value, string purpose)
    {
        var scatters = new List<ScatterTerm>();
        var dense = SplitScatters(value, axes, scatters);
        var exprs = new List<Node> { dense };
        PlaceReduces(exprs, axes, 0, _top, _topAvailable);
        var nest = BuildLoops(axes, 0, exprs, new StoreStmt(target, axes, dense), _topAvailable);
        nest.Purpose.Add(purpose);
        _top.Add(nest);
        foreach (var term in scatters)
        {
            var scatterExprs = new List<Node> { term.Value };
            scatterExprs.AddRange(term.Subscripts.Where(x => x.Op != Op.Index));
            PlaceReduces(scatterExprs, term.Loops, 0, _top, _topAvailable);
            var scatterNest = BuildLoops(term.Loops, 0, scatterExprs, new ScatterStmt(target, term.Subscripts, term.Value), _topAvailable);
            scatterNest.Purpose.Add(purpose + " (scatter)");
            _top.Add(scatterNest);
        }
    }

    /// <summary>
    /// A view of its buffer for every read of an internal tensor in <paramref name="expressions"/>: the read's index
    /// subscripts address the axes, and a gathered subscript reads its axis at the key (0 outside it, as a gather).
    /// </summary>
    private void AddInternalViews(Dictionary<Node, BufferView> views, IEnumerable<Node> expressions)
    {
        if (_internalBuffers.Count == 0) return;
        foreach (var n in InternalLoads(expressions))
        {
            if (views.ContainsKey(n)) continue;
            var buffer = _internalBuffers[n.Ref];
            var indices = new IndexVar[n.Args.Length];
            Node?[]? gathered = null;
            for (int k = 0; k < indices.Length; k++)
            {
                if (n.Args[k].Op == Op.Index) { indices[k] = _graph.Var(n.Args[k].Ref); continue; }
                indices[k] = buffer.Axes[k];
                (gathered ??= new Node?[indices.Length])[k] = n.Args[k];
            }
            views[n] = new BufferView(buffer, indices, gathered);
        }
    }

    private ScratchBuffer NewBuffer(Node value, IndexVar[] axes)
    {
        var buffer = new ScratchBuffer(_nextBufferId++, value, axes);
        _bufferList.Add(buffer);
        return buffer;
    }

    // ---- Pair passes -------------------------------------------------------------------------------------------

    /// <summary>
    /// Adds a pair pass after what it reads: the operands of its contractions and back contractions (input tensors as
    /// they are, other values materialized row by row), and the values of one row or one column its pairs read.
    /// </summary>
    private void AddPairPass(LossModel model, Stmt stmt)
    {
        var pass = (IPairPass)stmt;
        var ownValues = new HashSet<Node>(pass.Contractions.Select(c => c.Value));
        var context = new[] { pass.Row, pass.Column };
        foreach (var st in pass.Statements)
        {
            foreach (var e in Expressions(st))
            {
                foreach (var r in CollectReduces(new[] { e }))
                {
                    if (ownValues.Contains(r) || _buffers.ContainsKey(r) || _aliases.ContainsKey(r) || _topAvailable.Contains(r)) continue;
                    if (!IsOutermost(r, e, ownValues)) continue;
                    if (r.Free.Length == 0) PlaceReduces(new List<Node> { r }, System.Array.Empty<IndexVar>(), 0, _top, _topAvailable);
                    else Materialize(r, context);
                }
            }
        }
        foreach (var c in pass.Contractions)
        {
            c.RowSource = Operand(model, c.RowOperand, pass.Row, c.Feature);
            c.ColumnSource = Operand(model, c.ColumnOperand, pass.Column, c.Feature);
        }
        foreach (var (b, rows) in pass.Backs) b.Source = Operand(model, b.Operand, rows, b.Feature);
        _top.Add(stmt);
    }

    /// <summary>True if <paramref name="r"/> is read by <paramref name="e"/> other than inside one of <paramref name="computed"/>.</summary>
    private static bool IsOutermost(Node r, Node e, HashSet<Node> computed)
    {
        var seen = new HashSet<Node>();
        bool Walk(Node x)
        {
            if (!seen.Add(x)) return false;
            if (ReferenceEquals(x, r)) return true;
            if (computed.Contains(x)) return false;
            if (x.Op == Op.Reduce && !ReferenceEquals(x, r)) return false;
            foreach (var a in x.Args) if (Walk(a)) return true;
            return false;
        }
        return Walk(e);
    }

    /// <summary>
    /// The rows of an operand over (<paramref name="row"/>, <paramref name="feature"/>): a row-major input tensor read
    /// as it is, or a scratch buffer filled in a pass of its own (shared by operands equal up to the names of their indices).
    /// </summary>
    private OperandSource Operand(LossModel model, Node operand, IndexVar row, IndexVar feature)
    {
        if (operand.Op == Op.Load && operand.Ref >= 0 && operand.Args.Length == 2
            && operand.Args[0].Op == Op.Index && operand.Args[0].Ref == row.Id
            && operand.Args[1].Op == Op.Index && operand.Args[1].Ref == feature.Id)
            return new OperandSource(model.Tensors[operand.Ref], null);
        var axes = new[] { BufferAxis(row, 0), BufferAxis(feature, 1) };
        var key = _graph.Substitute(operand, new Dictionary<int, IndexVar> { [row.Id] = axes[0], [feature.Id] = axes[1] });
        if (!_buffers.TryGetValue(key, out var buffer))
        {
            buffer = NewBuffer(key, axes);
            var exprs = new List<Node> { key };
            PlaceReduces(exprs, axes, 0, _top, _topAvailable);
            var nest = BuildLoops(axes, 0, exprs, new StoreStmt(StoreTarget.Buffer(key), axes, key), _topAvailable);
            nest.Purpose.Add("operand buffer " + buffer.Id);
            _top.Add(nest);
            _buffers[key] = buffer;
        }
        return new OperandSource(null, buffer);
    }

    // ---- Scatters ----------------------------------------------------------------------------------------------

    /// <summary>
    /// A term of a gradient that scatters: <c>grad[Subscripts] += Value</c> for every point of <see cref="Loops"/> (the
    /// gradient's axes that are not gathered, in order, then the indices the term reduces).
    /// </summary>
    private sealed class ScatterTerm
    {
        public ScatterTerm(Node[] subscripts, IndexVar[] loops, Node value, ReduceKind combine = ReduceKind.Sum)
        {
            Subscripts = subscripts; Loops = loops; Value = value; Combine = combine;
        }
        public Node[] Subscripts { get; }
        public IndexVar[] Loops { get; }
        public Node Value { get; }
        /// <summary>How an element combines with its target: added (a sum), or its maximum or minimum (a segment max, min).</summary>
        public ReduceKind Combine { get; }
    }

    /// <summary>
    /// Splits a gradient (or an internal tensor's definition, over <paramref name="axes"/>) into its dense part and the
    /// terms that are cheaper as scatters (into <paramref name="found"/>). The cost rule: the adjoint of
    /// a gather is the term <c>sum[R](where(a == s &amp;&amp; rest, value, 0))</c> (docs/language.md §8.3), where
    /// <c>a</c> is a gradient axis and <c>s</c> the gathered subscript. Computed densely it costs
    /// <c>|a| * |R|</c> per element of the other axes; as a scatter (<c>grad[.., s, ..] += where(rest, value, 0)</c> for
    /// each point of the other axes and R) it costs <c>|R|</c>, plus the store the gradient needs anyway. So a term
    /// scatters exactly when it reduces over some index (R is not empty: NTL's <c>sum[k]</c> over the gathered
    /// vocabulary, <c>sum[i]</c> of <c>weight[y[i]]</c>); a gather whose indices are all the gradient's own
    /// (<c>z[i, y[i]]</c> in cross-entropy: one select per element of a row the gradient sweeps anyway) stays dense.
    /// Sums, differences, negations and factors (<c>c * t</c>, <c>t / c</c>) of such terms are split through. A term
    /// whose value or subscripts would depend on a gathered axis stays dense.
    /// </summary>
    private Node SplitScatters(Node n, IndexVar[] axes, List<ScatterTerm> found)
    {
        _splitVisits = 0; // the walk's budget is per value split
        return SplitScatters(n, axes, found, v => v);
    }

    /// <summary>The walk of <see cref="SplitScatters(Node, IndexVar[], List{ScatterTerm})"/>: <paramref name="wrap"/> applies the factors met on the way down to a term's value.</summary>
    private Node SplitScatters(Node n, IndexVar[] axes, List<ScatterTerm> found, System.Func<Node, Node> wrap)
    {
        // Only where a candidate term is reachable, and within a budget: a value read twice (a + a) is walked twice,
        // so a graph of shared values could double the walk at every level. Stopping early is always correct (what
        // is not split stays in the dense part).
        if (!HasScatterCandidate(n) || found.Count >= MaxScatterTerms || ++_splitVisits > MaxSplitVisits) return n;
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        int before = found.Count;
        Node result;
        switch (n.Op)
        {
            case Op.Add:
                result = _graph.Add(SplitScatters(n.Args[0], axes, found, wrap), SplitScatters(n.Args[1], axes, found, wrap));
                break;
            case Op.Sub:
                result = _graph.Sub(SplitScatters(n.Args[0], axes, found, wrap), SplitScatters(n.Args[1], axes, found, v => wrap(_graph.Neg(v))));
                break;
            case Op.Neg:
                result = _graph.Neg(SplitScatters(n.Args[0], axes, found, v => wrap(_graph.Neg(v))));
                break;
            case Op.Mul:
            {
                var right = n.Args[1];
                var left = SplitScatters(n.Args[0], axes, found, v => wrap(_graph.Mul(v, right)));
                if (found.Count > before) { result = _graph.Mul(left, right); break; }
                var leftFactor = n.Args[0];
                result = _graph.Mul(leftFactor, SplitScatters(right, axes, found, v => wrap(_graph.Mul(leftFactor, v))));
                break;
            }
            case Op.Div:
            {
                var divisor = n.Args[1];
                result = _graph.Div(SplitScatters(n.Args[0], axes, found, v => wrap(_graph.Div(v, divisor))), divisor);
                break;
            }
            case Op.Reduce when MatchScatter(n, axes, wrap) is { } term:
                found.Add(term);
                return _graph.Zero;
            default:
                return n;
        }
        return found.Count > before ? result : n;
    }

    /// <summary>The most scatter terms of one value, and the most nodes its splitting visits (beyond them, the rest stays dense).</summary>
    private const int MaxScatterTerms = 32, MaxSplitVisits = 20000;

    private int _splitVisits;
    private readonly Dictionary<Node, bool> _scatterCandidates = new();

    /// <summary>True if a sum of a select is reachable from <paramref name="n"/> through sums, differences, negations, products and quotients.</summary>
    private bool HasScatterCandidate(Node n)
    {
        if (_scatterCandidates.TryGetValue(n, out bool known)) return known;
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        bool result = n.Op switch
        {
            Op.Reduce => n.ReduceKind == ReduceKind.Sum && n.Args[0].Op == Op.Select,
            Op.Add or Op.Sub or Op.Mul or Op.Div => HasScatterCandidate(n.Args[0]) || HasScatterCandidate(n.Args[1]),
            Op.Neg => HasScatterCandidate(n.Args[0]),
            _ => false,
        };
        return _scatterCandidates[n] = result;
    }

    /// <summary>The scatter of a term <c>sum[R](where(a == s &amp;&amp; rest, value, 0))</c>, or null (see <see cref="SplitScatters(Node, IndexVar[], List{ScatterTerm})"/>).</summary>
    private ScatterTerm? MatchScatter(Node n, IndexVar[] axes, System.Func<Node, Node> wrap) =>
        _buffers.ContainsKey(n) || _aliases.ContainsKey(n) || n.ReduceKind != ReduceKind.Sum ? null : MatchKeyedSum(n, axes, wrap);

    /// <summary>
    /// <c>sum[R](where(a == s &amp;&amp; rest, value, 0))</c> over <paramref name="axes"/> (a gradient's or a buffer's) as a
    /// scatter: <c>target[.., s, ..] += wrap(where(rest, value, 0))</c> for every point of the axes that are not
    /// gathered and of R. A value that reads a gathered axis reads the element's key there (the two are equal inside
    /// the filter). A <c>max</c> or <c>min</c> of <c>where(a == s &amp;&amp; rest, value, ∓inf)</c> (a filtered one) is the same
    /// scatter combining by its maximum or minimum (<see cref="ScatterTerm.Combine"/>). Null when no conjunct compares
    /// an axis with an Int value that does not depend on it.
    /// </summary>
    private ScatterTerm? MatchKeyedSum(Node n, IndexVar[] axes, System.Func<Node, Node> wrap)
    {
        if (n.Op != Op.Reduce || n.ReduceKind == ReduceKind.Kth || n.Bound.Length == 0) return null;
        var body = n.Args[0];
        var identity = _graph.ReduceIdentity(n.ReduceKind);
        if (body.Op != Op.Select || !ReferenceEquals(body.Args[2], identity)) return null;
        var conjuncts = new List<Node>();
        var stack = new Stack<Node>();
        stack.Push(body.Args[0]);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (c.Op == Op.And) { stack.Push(c.Args[1]); stack.Push(c.Args[0]); }
            else conjuncts.Add(c);
        }
        var gathered = new Node?[axes.Length];
        var rest = new List<Node>();
        foreach (var c in conjuncts)
        {
            bool matched = false;
            if (c.Op == Op.Eq)
            {
                for (int side = 0; side < 2 && !matched; side++)
                {
                    Node x = c.Args[side], subscript = c.Args[1 - side];
                    if (x.Op != Op.Index || subscript.Type != DslType.Int) continue;
                    int axis = System.Array.FindIndex(axes, a => a.Id == x.Ref);
                    if (axis < 0 || gathered[axis] is not null || subscript.DependsOn(x.Ref)) continue;
                    gathered[axis] = subscript;
                    matched = true;
                }
            }
            if (!matched) rest.Add(c);
        }
        if (gathered.All(x => x is null)) return null;
        // Inside the filter a gathered axis equals its key: a value that reads the axis reads the key instead (the key
        // clamped into the axis, so that the read stays in range where no element matches; the scatter skips those).
        var inner = body.Args[1];
        for (int k = 0; k < axes.Length; k++)
            if (gathered[k] is { } key && inner.DependsOn(axes[k].Id))
                inner = _graph.Replace(inner, _graph.Index(axes[k]), _graph.IsClampIndex(key, out _, out int clampedTo) && clampedTo == axes[k].Extent ? key : _graph.ClampIndex(key, axes[k].Extent));
        if (rest.Count > 0) inner = _graph.Select(_graph.Combine(Op.And, rest), inner, identity);
        var value = wrap(inner);
        var subscripts = axes.Select((a, k) => gathered[k] ?? _graph.Index(a)).ToArray();
        var loops = axes.Where((a, k) => gathered[k] is null).Concat(OrderSummedLoops(n.Bound, subscripts, value)).ToArray();
        // The value and the gathered subscripts must be computable at each point of the scatter's loops.
        bool Within(Node x) => x.Free.All(id => loops.Any(l => l.Id == id));
        if (!Within(value) || !subscripts.All(Within)) return null;
        return new ScatterTerm(subscripts, loops, value, n.ReduceKind);
    }

    /// <summary>The most summed indices of a scatter whose loop orders are compared (beyond them, the order of the sum).</summary>
    private const int MaxOrderedScatterLoops = 6;

    /// <summary>
    /// The order of a scatter's summed loops that recomputes least: each value of the scatter (a window's per-pixel
    /// partial <c>f(mu[h, w], ...)</c>, a weight <c>k[a, b]</c>, a subscript <c>h + a - r</c>) is computed once per point
    /// of the loops down to the innermost one it depends on (the planner hoists it out of the others), so with every
    /// extent taken as the same nominal size the order that minimizes the sum over the values of that count is chosen;
    /// among equally cheap orders, the one whose indices appear in the earliest subscripts of the scatter first (the
    /// gradient's row-major order), then the order of the sum. SSIM's scatter loops over the pixel (h, w) outside the
    /// window (a, b), so its per-pixel partial is computed once per pixel, not once per window element.
    /// </summary>
    private static IndexVar[] OrderSummedLoops(IndexVar[] summed, Node[] subscripts, Node value)
    {
        var values = subscripts.Append(value);
        // The first subscript of the scatter each summed index appears in.
        var rank = summed.Select(v => System.Array.FindIndex(subscripts, x => x.DependsOn(v.Id))).Select(k => k < 0 ? subscripts.Length : k).ToArray();
        if (summed.Length < 2 || summed.Length > MaxOrderedScatterLoops) return summed;
        // The summed loops each distinct value depends on, as a bit mask.
        var masks = new List<int>();
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(values);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            int mask = 0;
            for (int k = 0; k < summed.Length; k++) if (x.DependsOn(summed[k].Id)) mask |= 1 << k;
            if (mask != 0) masks.Add(mask);
            foreach (var a in x.Args) stack.Push(a);
        }
        const double nominalExtent = 16;
        double Cost(int[] order)
        {
            var position = new int[summed.Length];
            for (int k = 0; k < order.Length; k++) position[order[k]] = k;
            double cost = 0;
            foreach (int mask in masks)
            {
                int depth = 0;
                for (int k = 0; k < summed.Length; k++) if ((mask & (1 << k)) != 0) depth = System.Math.Max(depth, position[k] + 1);
                cost += System.Math.Pow(nominalExtent, depth);
            }
            return cost;
        }
        var best = Enumerable.Range(0, summed.Length).ToArray();
        double bestCost = Cost(best);
        var current = (int[])best.Clone();
        // Permutations in lexicographic order, the identity first: a later order must be strictly cheaper, or as cheap
        // with its indices in earlier subscripts.
        bool EarlierSubscripts(int[] a, int[] b)
        {
            for (int k = 0; k < a.Length; k++) if (rank[a[k]] != rank[b[k]]) return rank[a[k]] < rank[b[k]];
            return false;
        }
        while (NextPermutation(current))
        {
            double c = Cost(current);
            if (c < bestCost || c == bestCost && EarlierSubscripts(current, best)) { bestCost = c; best = (int[])current.Clone(); }
        }
        return best.Select(k => summed[k]).ToArray();
    }

    private static bool NextPermutation(int[] a)
    {
        int i = a.Length - 2;
        while (i >= 0 && a[i] >= a[i + 1]) i--;
        if (i < 0) return false;
        int j = a.Length - 1;
        while (a[j] <= a[i]) j--;
        (a[i], a[j]) = (a[j], a[i]);
        System.Array.Reverse(a, i + 1, a.Length - i - 1);
        return true;
    }

    /// <summary>The tensors whose gradient a statement stores into (densely), at any depth.</summary>
    private static HashSet<TensorInfo> StoredGradients(Stmt s)
    {
        var set = new HashSet<TensorInfo>();
        void Walk(Stmt st)
        {
            if (st is LoopStmt l) foreach (var b in l.Body) Walk(b);
            else if (st is StoreStmt { Target.GradientOf: { } t }) set.Add(t);
        }
        Walk(s);
        return set;
    }

    /// <summary>The scatter statements in a statement, at any depth.</summary>
    private static List<ScatterStmt> Scatters(Stmt s)
    {
        var list = new List<ScatterStmt>();
        void Walk(Stmt st)
        {
            if (st is LoopStmt l) foreach (var b in l.Body) Walk(b);
            else if (st is ScatterStmt sc) list.Add(sc);
        }
        Walk(s);
        return list;
    }

    /// <summary>
    /// True when <paramref name="scatters"/>, the scatters of <paramref name="scatterLoop"/>, may join the loop
    /// <paramref name="stores"/>, which stores the dense part of their gradients: every store and every scatter of a
    /// shared gradient writes, at one axis, its loop's own index, so an iteration of the fused loop stores its slice of
    /// the gradient and then scatters into that slice only.
    /// </summary>
    private static bool ScattersJoinStores(LoopStmt stores, LoopStmt scatterLoop, List<ScatterStmt> scatters)
    {
        foreach (var sc in scatters)
        {
            int axis = System.Array.FindIndex(sc.Subscripts, x => x.Op == Op.Index && x.Ref == scatterLoop.Var.Id);
            if (axis < 0) return false;
            bool aligned = true;
            void Walk(Stmt st)
            {
                if (st is LoopStmt l) foreach (var b in l.Body) Walk(b);
                else if (st is StoreStmt { Target.GradientOf: { } t } store && ReferenceEquals(t, sc.Tensor) && store.Indices[axis].Id != stores.Var.Id) aligned = false;
            }
            Walk(stores);
            if (!aligned) return false;
        }
        return true;
    }

    // ---- Placement ---------------------------------------------------------------------------------------------

    /// <summary>The reductions in expressions, in id order (inner before outer); those <paramref name="skip"/> selects are
    /// left out with everything inside them.</summary>
    private static List<Node> CollectReduces(IEnumerable<Node> roots, System.Func<Node, bool>? skip = null)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(roots);
        var result = new List<Node>();
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (n.Op == Op.Reduce)
            {
                if (skip?.Invoke(n) == true) continue;
                result.Add(n);
            }
            foreach (var a in n.Args) stack.Push(a);
        }
        result.Sort((a, b) => a.Id.CompareTo(b.Id));
        return result;
    }

    private void PlaceReduces(List<Node> exprs, IndexVar[] vars, int depth, List<Stmt> block, HashSet<Node> available)
    {
        // The reductions to compute: not those already available or read from a buffer, nor anything only they read.
        bool Known(Node r) => available.Contains(r) || _buffers.ContainsKey(r) || _aliases.ContainsKey(r);
        foreach (var r in CollectReduces(exprs, Known))
        {
            int needed = 0;
            bool inside = true;
            foreach (int id in r.Free)
            {
                int pos = System.Array.FindIndex(vars, v => v.Id == id);
                if (pos < 0 || pos >= depth) { inside = false; break; }
                needed = System.Math.Max(needed, pos + 1);
            }
            if (!inside) continue; // depends on a deeper loop: placed there
            if (PlaceRankedSum(r, vars) || PlaceSegments(r, vars)) continue;
            if (r.Free.Length == needed)
            {
                // Inline: computed here, once per iteration of the enclosing loops.
                var nestVars = vars.Take(depth).Concat(r.Bound).ToArray();
                var body = new List<Node> { r.Args[0] };
                PlaceReduces(body, nestVars, depth, block, available);
                var loop = BuildLoops(nestVars, depth, body, new AccumulateStmt(r), available);
                loop.Completes.Add(r);
                block.Add(loop);
                available.Add(r);
            }
            else
            {
                Materialize(r, vars);
            }
        }
    }

    private LoopStmt BuildLoops(IndexVar[] vars, int depth, List<Node> exprs, Stmt leaf, HashSet<Node> available)
    {
        var loop = new LoopStmt(vars[depth], new List<Stmt>(), new List<Node>());
        var inner = new HashSet<Node>(available);
        PlaceReduces(exprs, vars, depth + 1, loop.Body, inner);
        loop.Body.Add(depth + 1 == vars.Length ? leaf : BuildLoops(vars, depth + 1, exprs, leaf, inner));
        return loop;
    }

    /// <summary>
    /// Computes <paramref name="r"/> once per value of its free indices into a scratch buffer, in a pass of its own.
    /// Buffers are shared by reductions that are equal up to the names of their free indices: the buffer holds the
    /// reduction written over canonical axis indices, and each use reads it through a <see cref="BufferView"/>.
    /// </summary>
    private void Materialize(Node r, IndexVar[] context)
    {
        if (_buffers.ContainsKey(r) || _aliases.ContainsKey(r) || PlaceRankedSum(r, context) || PlaceSegments(r, context)) return;
        MaterializeOver(r, context.Where(v => r.DependsOn(v.Id)).ToArray());
    }

    /// <summary>
    /// Fills a buffer over <paramref name="axes"/> (the free indices of <paramref name="r"/>, in the buffer's order)
    /// and returns how <paramref name="r"/> reads it; null while that buffer is being filled (a cycle). A sum that
    /// keeps the elements whose key equals an axis is filled by segments (<see cref="FillBySegments"/>), any other
    /// value by a loop nest over the axes.
    /// </summary>
    private BufferView? MaterializeOver(Node r, IndexVar[] axes)
    {
        var canonicalAxes = new IndexVar[axes.Length];
        var map = new Dictionary<int, IndexVar>();
        for (int k = 0; k < axes.Length; k++)
        {
            canonicalAxes[k] = BufferAxis(axes[k], k);
            map[axes[k].Id] = canonicalAxes[k];
        }
        var key = _graph.Substitute(r, map);
        if (!_buffers.TryGetValue(key, out var buffer))
        {
            if (!_materializing.Add(key)) return null;
            buffer = NewBuffer(key, canonicalAxes);
            if (MatchKeyedSum(key, canonicalAxes, v => v) is { } segments) FillBySegments(key, buffer, segments);
            else
            {
                var exprs = new List<Node> { key };
                PlaceReduces(exprs, canonicalAxes, 0, _top, _topAvailable);
                var nest = BuildLoops(canonicalAxes, 0, exprs, new StoreStmt(StoreTarget.Buffer(key), canonicalAxes, key), _topAvailable);
                nest.Purpose.Add("scratch buffer " + buffer.Id);
                _top.Add(nest);
            }
            _buffers[key] = buffer;
            _materializing.Remove(key);
        }
        var view = new BufferView(buffer, axes);
        if (!ReferenceEquals(key, r)) _aliases[r] = view;
        return view;
    }

    // ---- Segment reductions ------------------------------------------------------------------------------------

    /// <summary>
    /// A segment reduction (docs/language.md §6.9): a sum that keeps the elements whose key equals a value
    /// <c>k</c>, <c>sum[R](where(key(R) == k &amp;&amp; rest, value, 0))</c>, is computed for every k at once: zeros, then
    /// one sweep over R that adds each element to the entry of its key, O(|R| + |k|) instead of O(|R| |k|). A max or
    /// min of the same form (its filtered-out elements ∓inf) is a table at ∓inf and a sweep that keeps each entry's
    /// maximum or minimum. k is a free
    /// index of the sum (<c>n[k] = count[j](y[j] == k)</c> read at its own k), or a key gathered from a binding,
    /// clamped into the binding's axis by the binder (<c>n[y[i]]</c>, see <see cref="IrGraph.ClampIndex"/>): the sum
    /// is then tabulated over that axis and read at the key. The adjoint of such a read compares the other way round
    /// (the clamped keys of the summed elements with a row's label <c>y[i]</c>): tabulated over the same axis, read at
    /// the label, and 0 where the label is outside the axis, since no clamped key equals it. Returns false when
    /// <paramref name="r"/> is not such a sum, or when a free index of it is neither a key nor in <paramref name="context"/>.
    /// </summary>
    private bool PlaceSegments(Node r, IndexVar[] context)
    {
        if (r.Op != Op.Reduce || r.ReduceKind == ReduceKind.Kth || r.Bound.Length == 0 || _buffers.ContainsKey(r) || _aliases.ContainsKey(r)) return false;
        if (r.Args[0] is not { Op: Op.Select } select || !ReferenceEquals(select.Args[2], _graph.ReduceIdentity(r.ReduceKind))) return false;
        // The gathered keys compared with a value of the summed elements: each becomes an axis of the table.
        var keys = new List<(IndexVar Axis, Node Key)>();
        var stack = new Stack<Node>();
        stack.Push(select.Args[0]);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (c.Op == Op.And) { stack.Push(c.Args[1]); stack.Push(c.Args[0]); continue; }
            if (c.Op != Op.Eq) continue;
            for (int side = 0; side < 2; side++)
            {
                // A value that does not depend on the summed indices (but on some index: else the sum is one value),
                // compared with the key of each summed element, where one of the two is clamped into an axis.
                Node key = c.Args[side], element = c.Args[1 - side];
                if (key.Type != DslType.Int || key.Free.Length == 0 || keys.Exists(k => ReferenceEquals(k.Key, key))) continue;
                if (System.Array.Exists(r.Bound, v => key.DependsOn(v.Id)) || !System.Array.Exists(r.Bound, v => element.DependsOn(v.Id))) continue;
                // The key read from the binding (n[y[i]]), or the elements' keys clamped (the adjoint of that read:
                // a key outside the axis then matches no element, so the table's 0 outside it is exact).
                if (_graph.IsClampIndex(key, out _, out int extent) || _graph.IsClampIndex(element, out _, out extent))
                    keys.Add((_graph.NewVar("key", extent), key));
            }
        }
        var keyed = r;
        foreach (var (axis, key) in keys)
        {
            keyed = _graph.Replace(keyed, key, _graph.Index(axis));
            // The key may also appear unclamped in the value (a gather of the binding at the key inside the summed
            // value, simplified within the gather's range guard): there too it is the table's axis (out of range,
            // the table is not read: a gathered read outside the axis reads 0).
            if (_graph.IsClampIndex(key, out var raw, out _)) keyed = _graph.Replace(keyed, raw, _graph.Index(axis));
        }
        if (keyed.Free.Any(id => !keys.Exists(k => k.Axis.Id == id) && !System.Array.Exists(context, v => v.Id == id))) return false;
        var axes = keys.Select(k => k.Axis).Concat(context.Where(v => keyed.DependsOn(v.Id))).ToArray();
        if (MatchKeyedSum(keyed, axes, v => v) is null) return false;
        if (MaterializeOver(keyed, axes) is not { } view) return false;
        if (keys.Count > 0)
            _aliases[r] = new BufferView(view.Buffer, view.Indices, axes.Select(a => keys.Find(k => k.Axis.Id == a.Id).Key).ToArray());
        return true;
    }

    /// <summary>
    /// Fills the buffer of a keyed sum: a pass of zeros over its axes, then a pass that scatters
    /// <c>buffer[.., key, ..] += value</c> over the sum's indices (and the axes that are not keyed), in order.
    /// </summary>
    private void FillBySegments(Node key, ScratchBuffer buffer, ScatterTerm segments)
    {
        var identity = _graph.ReduceIdentity(segments.Combine);
        var zeros = BuildLoops(buffer.Axes, 0, new List<Node>(), new StoreStmt(StoreTarget.Buffer(key), buffer.Axes, identity), _topAvailable);
        zeros.Purpose.Add($"segment buffer {buffer.Id}: {(segments.Combine == ReduceKind.Sum ? "zeros" : identity.Value < 0 ? "-inf" : "+inf")}");
        _top.Add(zeros);
        var exprs = new List<Node> { segments.Value };
        exprs.AddRange(segments.Subscripts.Where(x => x.Op != Op.Index));
        // The elements outside, the table's own axes inside: each element's row (x[i, d] over d) is read and added
        // to its key's row contiguously, in one sweep, rather than once per column with the stride of a row.
        bool Own(IndexVar v) => System.Array.Exists(segments.Subscripts, x => x.Op == Op.Index && x.Ref == v.Id);
        var loops = segments.Loops.Where(v => !Own(v)).Concat(segments.Loops.Where(Own)).ToArray();
        PlaceReduces(exprs, loops, 0, _top, _topAvailable);
        var sweep = BuildLoops(loops, 0, exprs, new ScatterStmt(StoreTarget.Buffer(key), segments.Subscripts, segments.Value, segments.Combine), _topAvailable);
        sweep.Purpose.Add($"segment buffer {buffer.Id}: each element {(segments.Combine == ReduceKind.Sum ? "added to" : segments.Combine == ReduceKind.Max ? "maximized into" : "minimized into")} its key");
        _top.Add(sweep);
    }

    private readonly Dictionary<(int Extent, int Position), IndexVar> _bufferAxes = new();

    private IndexVar BufferAxis(IndexVar like, int position)
    {
        if (!_bufferAxes.TryGetValue((like.Extent, position), out var v))
            _bufferAxes[(like.Extent, position)] = v = _graph.NewVar(like.Name, like.Extent);
        return v;
    }

    // ---- Fusion ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Merges loops of a block (and recursively their bodies) and drops recomputations. Inside a loop nest
    /// (<paramref name="nested"/>), a loop that sums <c>exp(v - shift(M))</c> also merges into the loop that completes
    /// <c>M = max(v)</c>, as an <see cref="OnlineSumExpStmt"/> (see <see cref="TryOnlineSumExp"/>).
    /// </summary>
    private void Fuse(List<Stmt> block, HashSet<Node> computedOutside, bool nested)
    {
        DropRecomputations(block, computedOutside);
        while (true)
        {
            int bestP = -1, bestQ = -1, bestScore = -1;
            OnlineSumExpStmt? bestOnline = null;
            for (int q = 0; q < block.Count; q++)
            {
                if (block[q] is not LoopStmt l2) continue;
                // A pass that scatters into elements its iterations share runs as one chunk: nothing joins it.
                if (!nested && HasSharedScatter(l2)) continue;
                var needs2 = Reads(l2);
                var scatters2 = Scatters(l2);
                for (int p = q - 1; p >= 0; p--)
                {
                    // A scatter follows the store of its gradient's dense part: it joins that loop only where the
                    // iterations own their slices of the gradient, and never moves above it.
                    if (scatters2.Any(x => x.Tensor is not null) && StoredGradients(block[p]).Overlaps(scatters2.Where(x => x.Tensor is not null).Select(x => x.Tensor!)))
                    {
                        if (block[p] is LoopStmt ls && ls.Var.Extent == l2.Var.Extent && ScattersJoinStores(ls, l2, scatters2)
                            && !Produces(ls).Overlaps(needs2) && (ls.Var.Id == l2.Var.Id || !BindsInside(l2, ls.Var.Id))
                            && !(!nested && HasSharedScatter(ls)))
                        {
                            int joinScore = 1 + Shared(ls, l2);
                            if (joinScore > bestScore) { bestScore = joinScore; bestP = p; bestQ = q; bestOnline = null; }
                        }
                        break;
                    }
                    // l2 moves up to p: it must not read anything completed by block[p..q-1] ...
                    var produced = Produces(block[p]);
                    if (produced.Overlaps(needs2))
                    {
                        // ... unless it reads only the maximum that an online sum of exponentials can share.
                        if (nested && block[p] is LoopStmt lm && TryOnlineSumExp(lm, l2, produced, needs2) is { } online)
                        {
                            int onlineScore = 1 + Shared(lm, l2);
                            if (onlineScore > bestScore) { bestScore = onlineScore; bestP = p; bestQ = q; bestOnline = online; }
                        }
                        break;
                    }
                    if (block[p] is not LoopStmt l1 || l1.Var.Extent != l2.Var.Extent || !nested && HasSharedScatter(l1)) continue;
                    // Renaming l2's index to l1's must not capture an inner loop or reduction over l1's index.
                    if (l1.Var.Id != l2.Var.Id && BindsInside(l2, l1.Var.Id)) continue;
                    int score = 1 + Shared(l1, l2);
                    if (score > bestScore) { bestScore = score; bestP = p; bestQ = q; bestOnline = null; }
                }
            }
            if (bestP < 0) break;
            var a = (LoopStmt)block[bestP];
            var b = (LoopStmt)block[bestQ];
            block.RemoveAt(bestQ);
            if (bestOnline is not null)
            {
                // The max's accumulation becomes the online statement, which completes the sum as well; the sum
                // loop's other statements (which do not read the max) join the loop as in any fusion.
                int sumAt = b.Body.FindIndex(x => x is AccumulateStmt acc && ReferenceEquals(acc.Reduce, bestOnline.Sum));
                Rename(b, b.Var, a.Var);
                var renamedSum = (AccumulateStmt)b.Body[sumAt];
                b.Body.RemoveAt(sumAt);
                int at = a.Body.FindIndex(x => x is AccumulateStmt acc && ReferenceEquals(acc.Reduce, bestOnline.Max));
                a.Body[at] = new OnlineSumExpStmt(bestOnline.Max, renamedSum.Reduce, bestOnline.Value, bestOnline.Shift, renamedSum.Body);
            }
            else Rename(b, b.Var, a.Var);
            a.Body.AddRange(b.Body);
            foreach (var r in b.Completes) if (!a.Completes.Contains(r)) a.Completes.Add(r);
            foreach (var s in b.Purpose) if (!a.Purpose.Contains(s)) a.Purpose.Add(s);
        }
        var computed = new HashSet<Node>(computedOutside);
        foreach (var st in block)
        {
            foreach (var loop in st is RankedSumStmt ranked ? new[] { ranked.Elements, ranked.Lookups } : st is LoopStmt l ? new[] { l } : System.Array.Empty<LoopStmt>())
            {
                Fuse(loop.Body, computed, nested: true);
                foreach (var r in loop.Completes) computed.Add(r);
            }
        }
    }

    /// <summary>
    /// The online rule (the one-sweep normalizer of online softmax): when <paramref name="sumLoop"/> accumulates
    /// <c>S = sum(exp(v - shift))</c>, <paramref name="maxLoop"/> accumulates <c>M = max(v)</c> over the same extent,
    /// <c>shift</c> depends on M and loop-invariant values only, M is all that the sum loop reads from the max loop, and
    /// nothing else in the sum loop reads M, then both reductions can be computed in one sweep. Returns the statement
    /// that replaces M's accumulation (its sum still written in the sum loop's index), or null when the rule does not
    /// apply. Nested loops only: a top-level pass's reductions are combined from per-chunk partials, which the online
    /// pair does not support.
    /// </summary>
    private OnlineSumExpStmt? TryOnlineSumExp(LoopStmt maxLoop, LoopStmt sumLoop, HashSet<Node> produced, HashSet<Node> needs)
    {
        if (maxLoop.Var.Extent != sumLoop.Var.Extent) return null;
        var overlap = new HashSet<Node>(produced);
        overlap.IntersectWith(needs);
        if (overlap.Count != 1) return null;
        // The one value read: the maximum this loop accumulates, named by itself or by its buffer.
        var read = overlap.First();
        var maxAcc = maxLoop.Body.OfType<AccumulateStmt>().FirstOrDefault(x => ReferenceEquals(x.Reduce, read) || ReferenceEquals(Resource(x.Reduce), read));
        if (maxAcc is null) return null;
        var max = maxAcc.Reduce;
        if (max.Op != Op.Reduce || max.ReduceKind != ReduceKind.Max) return null;
        // Renaming the sum loop's index to the max loop's must not capture an inner loop or a reduction over it (the
        // maximum itself, read in the shift after the loop, binds it and is fine).
        if (maxLoop.Var.Id != sumLoop.Var.Id && BindsInside(sumLoop, maxLoop.Var.Id, except: max)) return null;
        OnlineSumExpStmt? found = null;
        foreach (var st in sumLoop.Body)
        {
            if (st is AccumulateStmt sumAcc && found is null && sumAcc.Reduce.ReduceKind == ReduceKind.Sum && CollectReduces(new[] { sumAcc.Body }).Contains(max))
            {
                var body = sumLoop.Var.Id == maxLoop.Var.Id ? sumAcc.Body : _graph.Substitute(sumAcc.Body, new Dictionary<int, IndexVar> { [sumLoop.Var.Id] = maxLoop.Var });
                if (body.Op != Op.Exp || body.Args[0].Op != Op.Sub || !ReferenceEquals(body.Args[0].Args[0], maxAcc.Body)) return null;
                var shift = body.Args[0].Args[1];
                if (shift.DependsOn(maxLoop.Var.Id)) return null;
                // The shift is evaluated after the loop: any reduction it reads other than M must be available there.
                if (ReadReduces(shift).Any(r => !ReferenceEquals(r, max) && Local(maxLoop).Contains(r))) return null;
                found = new OnlineSumExpStmt(max, sumAcc.Reduce, maxAcc.Body, shift, body);
                continue;
            }
            // Every other statement of the sum loop must not need the maximum.
            if (CollectReduces(Expressions(st)).Contains(max)) return null;
        }
        return found;
    }

    /// <summary>True when a top-level loop scatters into elements that its iterations share (no subscript is its index).</summary>
    private static bool HasSharedScatter(LoopStmt loop) => Scatters(loop).Any(sc => !sc.IsOwnedBy(loop.Var.Id));

    /// <summary>The reductions whose values an expression reads (not those nested inside them).</summary>
    private static List<Node> ReadReduces(Node n)
    {
        var seen = new HashSet<Node>();
        var result = new List<Node>();
        void Visit(Node x)
        {
            if (!seen.Add(x)) return;
            if (x.Op == Op.Reduce) { result.Add(x); return; }
            foreach (var a in x.Args) Visit(a);
        }
        Visit(n);
        return result;
    }

    /// <summary>Drops loops that only recompute reductions already available in this scope.</summary>
    private void DropRecomputations(List<Stmt> block, HashSet<Node> computedOutside)
    {
        var computed = new HashSet<Node>(computedOutside);
        for (int i = 0; i < block.Count; i++)
        {
            if (block[i] is not LoopStmt loop) continue;
            if (loop.Completes.Count > 0 && loop.Completes.All(computed.Contains) && !ContainsStore(loop))
            {
                block.RemoveAt(i--);
                continue;
            }
            foreach (var r in loop.Completes) computed.Add(r);
        }
    }

    /// <summary>True if an inner loop or a reduction inside the statement (other than <paramref name="except"/>) binds the index.</summary>
    private static bool BindsInside(Stmt s, int varId, Node? except = null)
    {
        switch (s)
        {
            case LoopStmt l:
                foreach (var b in l.Body)
                {
                    if (b is LoopStmt inner && inner.Var.Id == varId) return true;
                    if (BindsInside(b, varId, except)) return true;
                }
                foreach (var e in Expressions(s))
                    foreach (var r in CollectReduces(new[] { e }))
                        if (!ReferenceEquals(r, except) && r.Bound.Any(v => v.Id == varId)) return true;
                return false;
            default:
                return false;
        }
    }

    private static bool ContainsStore(Stmt s) => s switch
    {
        StoreStmt or ScatterStmt => true,
        LoopStmt l => l.Body.Any(ContainsStore),
        _ => false,
    };

    /// <summary>What a dependency is on: a reduction, or for a buffered one, its buffer (named by the buffer's key).</summary>
    private Node Resource(Node r) => _aliases.TryGetValue(r, out var view) ? view.Buffer.Value : r;

    /// <summary>
    /// What a statement makes available to the statements after it in the same block: the reductions its own loop
    /// completes, and the buffers it stores anywhere inside. A completed reduction counts under its own name and under
    /// its buffer's (<see cref="Resource"/>), which is what <see cref="Reads"/> names: a reduction that another pass
    /// also materializes (a row's maximum the gradient needs for every row) is still computed here, and a loop that
    /// reads it must not be fused above this one (it would read the buffer before its pass fills it).
    /// </summary>
    private HashSet<Node> Produces(Stmt s)
    {
        var set = new HashSet<Node>();
        if (s is LoopStmt top) foreach (var r in top.Completes) { set.Add(r); set.Add(Resource(r)); }
        if (s is IPairPass pair) foreach (var r in pair.Outputs.Keys) set.Add(r);
        if (s is RankedSumStmt ranked) set.Add(ranked.Sum.Result.Value);
        void Walk(Stmt st)
        {
            switch (st)
            {
                case LoopStmt l: foreach (var b in l.Body) Walk(b); break;
                case StoreStmt { Target.Buffered: { } r }: set.Add(Resource(r)); break;
                case ScatterStmt { Target.Buffered: { } r }: set.Add(Resource(r)); break;
            }
        }
        Walk(s);
        return set;
    }

    /// <summary>Reductions a statement computes itself, at any depth.</summary>
    private static HashSet<Node> Local(Stmt s)
    {
        var set = new HashSet<Node>();
        void Walk(Stmt st)
        {
            if (st is IPairPass pair)
            {
                foreach (var r in pair.Outputs.Keys) set.Add(r);
                foreach (var c in pair.Contractions) set.Add(c.Value);
            }
            if (st is RankedSumStmt ranked) { Walk(ranked.Elements); Walk(ranked.Lookups); return; }
            if (st is not LoopStmt l) return;
            foreach (var r in l.Completes) set.Add(r);
            foreach (var b in l.Body) Walk(b);
        }
        Walk(s);
        return set;
    }

    /// <summary>What a statement needs from before it: reductions it reads but does not compute, and buffers.</summary>
    private HashSet<Node> Reads(Stmt s)
    {
        var local = Local(s);
        var reads = new HashSet<Node>(CollectReduces(Expressions(s)).Where(r => !local.Contains(r)).Select(Resource));
        // The stored internal tensors it reads (their buffers, named by their keys).
        if (_internalBuffers.Count > 0)
            foreach (var n in InternalLoads(Expressions(s))) reads.Add(_internalBuffers[n.Ref].Value);
        // A scatter into a buffer adds to what the pass before it wrote (zeros).
        foreach (var sc in Scatters(s)) if (sc.Target.Buffered is { } target) reads.Add(Resource(target));
        if (s is IPairPass pair)
        {
            foreach (var c in pair.Contractions) { reads.Remove(c.Value); AddSource(reads, c.RowSource); AddSource(reads, c.ColumnSource); }
            foreach (var (b, _) in pair.Backs) AddSource(reads, b.Source);
        }
        return reads;
    }

    /// <summary>The reads of internal tensors in expressions.</summary>
    private static IEnumerable<Node> InternalLoads(IEnumerable<Node> roots) => IrGraph.Reachable(roots).Where(IrGraph.IsInternalLoad);

    private static void AddSource(HashSet<Node> reads, OperandSource? source)
    {
        if (source?.Buffer is { } buffer) reads.Add(buffer.Value);
    }

    private static IEnumerable<Node> Expressions(Stmt s)
    {
        switch (s)
        {
            case AccumulateStmt a: yield return a.Body; break;
            case OnlineSumExpStmt o: yield return o.Value; yield return o.Shift; break;
            case StoreStmt st: yield return st.Value; break;
            case ScatterStmt sc:
                yield return sc.Value;
                foreach (var x in sc.Subscripts) yield return x;
                break;
            case LoopStmt l:
                foreach (var b in l.Body) foreach (var e in Expressions(b)) yield return e;
                break;
            case IPairPass pair:
                foreach (var b in pair.Statements) foreach (var e in Expressions(b)) yield return e;
                break;
            case RankedSumStmt ranked:
                foreach (var e in Expressions(ranked.Elements)) yield return e;
                foreach (var e in Expressions(ranked.Lookups)) yield return e;
                break;
            case RankElementStmt element:
                foreach (var e in RankedSumExpressions.OfElement(element.Sum)) yield return e;
                break;
            case RankLookupStmt lookup:
                foreach (var e in RankedSumExpressions.OfLookup(lookup.Sum)) yield return e;
                break;
        }
    }

    private static int Shared(LoopStmt a, LoopStmt b)
    {
        var na = new HashSet<Node>();
        foreach (var e in Expressions(a)) Collect(e, na);
        var nb = new HashSet<Node>();
        foreach (var e in Expressions(b)) Collect(e, nb);
        na.IntersectWith(nb);
        return na.Count(n => n.Op is Op.Load or Op.Reduce || n.Op >= Op.Abs && n.Op <= Op.Floor);
    }

    private static void Collect(Node n, HashSet<Node> set)
    {
        if (!set.Add(n)) return;
        foreach (var a in n.Args) Collect(a, set);
    }

    /// <summary>Renames an index in an expression, keeping track of buffered reductions inside it.</summary>
    private Node RenameNode(Node n, Dictionary<int, IndexVar> map)
    {
        var renamed = _graph.Substitute(n, map);
        if (ReferenceEquals(renamed, n)) return n;
        foreach (var r in CollectReduces(new[] { n }))
        {
            BufferView? view = _buffers.TryGetValue(r, out var b) ? new BufferView(b, b.Axes) : _aliases.TryGetValue(r, out var v) ? v : null;
            if (view is null) continue;
            var alias = _graph.Substitute(r, map);
            if (!ReferenceEquals(alias, r) && !_buffers.ContainsKey(alias) && !_aliases.ContainsKey(alias))
                _aliases[alias] = new BufferView(view.Buffer, view.Indices.Select(x => map.TryGetValue(x.Id, out var t) ? t : x).ToArray(),
                    view.Gathered?.Select(x => x is null ? null : _graph.Substitute(x, map)).ToArray());
        }
        return renamed;
    }

    private void Rename(Stmt s, IndexVar from, IndexVar to)
    {
        var map = new Dictionary<int, IndexVar> { [from.Id] = to };
        switch (s)
        {
            case LoopStmt l:
                if (l.Var.Id == from.Id) l.Var = to;
                for (int i = 0; i < l.Completes.Count; i++) l.Completes[i] = RenameNode(l.Completes[i], map);
                for (int i = 0; i < l.Body.Count; i++)
                {
                    if (l.Body[i] is AccumulateStmt acc) l.Body[i] = new AccumulateStmt(RenameNode(acc.Reduce, map), RenameNode(acc.Body, map));
                    else if (l.Body[i] is OnlineSumExpStmt o)
                        l.Body[i] = new OnlineSumExpStmt(RenameNode(o.Max, map), RenameNode(o.Sum, map), RenameNode(o.Value, map), RenameNode(o.Shift, map), RenameNode(o.SumBody, map));
                    else Rename(l.Body[i], from, to);
                }
                break;
            case StoreStmt st:
                st.Value = RenameNode(st.Value, map);
                st.Indices = st.Indices.Select(v => v.Id == from.Id ? to : v).ToArray();
                break;
            case ScatterStmt sc:
                sc.Value = RenameNode(sc.Value, map);
                sc.Subscripts = sc.Subscripts.Select(x => RenameNode(x, map)).ToArray();
                break;
        }
    }
}
