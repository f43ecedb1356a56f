using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Differentiation;

/// <summary>
/// The differentiation stage: symbolic reverse-mode AD on the IR. The adjoint of every node is itself an IR
/// expression over the node's free indices, so gradients are ordinary expressions that the simplifier, the scheduler
/// and the emitters treat like the loss. The derivative rule of each operation is in <see cref="BuiltinTable.Operations"/>.
/// </summary>
/// <remarks>
/// A node used under more indices than it depends on (a[i] inside a pairwise term over i, j, or v[i] in
/// <c>z[i, c] + v[i]</c> under a sum over c) receives the sum of its parents' adjoints over the extra indices of the
/// parent's space, whether or not the adjoint's expression mentions them. A reduction passes its adjoint to its body unchanged (sum) or to the
/// arg-max elements (max/min, by the reduction's tie rule: split evenly by default, see <see cref="TieRule"/>). The gradient of an input tensor collects the adjoints of all its
/// loads: plain index subscripts are renamed to the gradient's axes, while gathered subscripts such as
/// <c>z[i, y[i]]</c> scatter through an indicator (<c>c == y[i]</c>). The stages of repeat blocks (internal tensors,
/// docs/language.md §7.2) are differentiated in reverse order, each from the adjoint of its stage held as a tensor
/// (staged adjoints, see <see cref="Differentiate"/>).
/// </remarks>
internal sealed class ReverseAd
{
    private readonly LossModel _model;
    private readonly IrGraph _graph;
    /// <summary>The contributions to each canonical value's adjoint, in its canonical indices.</summary>
    private readonly Dictionary<Node, List<Node>> _contributions = new();

    private ReverseAd(LossModel model) { _model = model; _graph = model.Graph; }

    /// <summary>
    /// Differentiates the loss with respect to every tensor that has a gradient output, seeding with the upstream
    /// gradient <c>upstream</c> (dTotal/dLoss). Returns, per tensor id, the gradient axes and expression.
    /// </summary>
    public static Dictionary<int, GradientExpression> Differentiate(LossModel model, DiagnosticBag diagnostics)
    {
        var graph = model.Graph;
        var seed = graph.Param(model.UpstreamParam, DslType.Real);
        // The adjoints from every root: the loss, then, in reverse stage order, the definition of each internal tensor
        // (a stage of a repeat block) seeded with that tensor's adjoint (staged adjoints, docs/architecture.md).
        var rounds = new List<(ReverseAd Ad, Dictionary<Node, Node> Adjoints)>();
        var first = new ReverseAd(model);
        rounds.Add((first, first.Backpropagate(model.Loss, seed)));
        int stages = model.Internals.Count;
        // A stage that reads no input with a gradient output, directly or through earlier stages (the skeleton of a
        // label), has no adjoint to compute.
        var differentiable = new bool[stages];
        for (int k = 0; k < stages; k++)
            differentiable[k] = IrGraph.Reachable(new[] { model.Internals[k].Definition })
                .Any(n => n.Op == Op.Load && (n.Ref >= 0 ? model.Tensors[n.Ref].Gradient is not null : differentiable[-1 - n.Ref]));
        for (int k = stages - 1; k >= 0; k--)
        {
            if (!differentiable[k]) continue;
            // dLoss/dStage, with the adjoints of the later stages held as tensors: the stage's contributions to the
            // loss and to every later definition that reads it, each read scattered to the stage's axes.
            var stage = model.Internals[k];
            var axes = stage.Axes.Select((a, j) => graph.NewVar("a" + j, a.Extent)).ToArray();
            var contributions = rounds.SelectMany(r => r.Ad.Contributions(stage.Ref, axes, r.Adjoints)).ToList();
            if (contributions.Count == 0) continue;
            var value = graph.Combine(Op.Add, contributions);
            if (value.IsConstValue(0)) continue;
            var adjoint = model.AddInternal("d" + stage.Name, axes, value, stage.Offset, stage.Length);
            var ad = new ReverseAd(model);
            var stageSeed = graph.Load(adjoint.Ref, DslType.Real, stage.Axes.Select(a => graph.Index(a)).ToArray());
            rounds.Add((ad, ad.Backpropagate(stage.Definition, stageSeed)));
        }
        var result = new Dictionary<int, GradientExpression>();
        foreach (var t in model.Tensors)
        {
            if (t.Gradient is null || t.Axes is null) continue;
            var axes = new IndexVar[t.Axes.Length];
            for (int k = 0; k < axes.Length; k++) axes[k] = graph.NewVar("a" + k, t.Axes[k]);
            // One load per element of a long sum: a balanced sum of the contributions beyond a few.
            var g = new GradientExpression(t, axes, graph.Combine(Op.Add, rounds.SelectMany(r => r.Ad.Contributions(t.Id, axes, r.Adjoints)).ToList()));
            if (g.Expression.IsConstValue(0))
            {
                diagnostics.Add(new DslDiagnostic(DiagnosticIds.NonDifferentiable, DslSeverity.Error,
                    $"the loss does not depend differentiably on '{t.Name}' (it only reaches the loss through comparisons, sign, floor or stop_gradient, or its terms cancel), so '{t.Gradient.Name}' would always be zero",
                    t.FirstUseOffset, t.FirstUseLength));
            }
            result[t.Id] = g;
        }
        return result;
    }

    /// <summary>
    /// Propagates adjoints from the root down. Values equal up to the names of their free indices (the normalized
    /// embedding zn[i, d] read as zn[j, d] in a pair, or a similarity used by two reductions) are one value here: each
    /// is renamed to a canonical form (<see cref="Canonical"/>), their adjoints are summed in its indices, and the sum
    /// is propagated once. So the chain rule through a shared definition is written once, and the gradient reaches an
    /// operand as one sum of contributions (which the tiling stage turns into one tile product). Canonical values are
    /// processed from the highest to the lowest, so every value has all its contributions when it is processed.
    /// </summary>
    private Dictionary<Node, Node> Backpropagate(Node root, Node seed)
    {
        var adjoints = new Dictionary<Node, Node>();
        var pending = new SortedSet<Node>(Comparer<Node>.Create((a, b) =>
        {
            int byHeight = Height(b).CompareTo(Height(a));
            return byHeight != 0 ? byHeight : b.Id.CompareTo(a.Id);
        }));
        Contribute(root, seed, pending);
        while (pending.Count > 0)
        {
            var n = pending.Min!;
            pending.Remove(n);
            // A value read by many terms (a 25,000-term sum) sums its contributions as a balanced tree beyond a few.
            Node adj = _graph.Combine(Op.Add, _contributions[n]);
            if (adj.IsConstValue(0)) continue;
            adjoints[n] = adj;
            if (n.Type != DslType.Real || n.Op == Op.StopGrad) continue;
            var rule = BuiltinTable.Rule(n.Op).Derivative;
            if (rule is null) continue;
            foreach (var (position, partial) in rule(_graph, n, adj))
            {
                var arg = n.Args[position];
                if (arg.Type != DslType.Real || partial.IsConstValue(0)) continue;
                // Sum over the indices of the parent's space that the argument does not have. The space is the
                // parent's free indices (its adjoint is a value for each of them, even where the adjoint's expression
                // does not mention them: z[i, c] + v[i] under sum[c] gives v[i] the adjoint once per c) together with
                // the partial's (a reduction's body lives under its reduced indices too, which the body depends on).
                var extra = n.Free.Concat(partial.Free).Distinct().Where(id => !arg.DependsOn(id)).Select(id => _graph.Var(id)).ToArray();
                Contribute(arg, extra.Length == 0 ? partial : _graph.Reduce(ReduceKind.Sum, extra, partial), pending);
            }
        }
        return adjoints;
    }

    private void Contribute(Node n, Node adj, SortedSet<Node> pending)
    {
        if (adj.IsConstValue(0)) return;
        var (canonical, map) = Canonical(n);
        if (map is not null) adj = _graph.Substitute(adj, map);
        if (!_contributions.TryGetValue(canonical, out var list)) _contributions[canonical] = list = new List<Node>();
        list.Add(adj);
        pending.Add(canonical);
    }

    /// <summary>The length of the longest path to a leaf: a value is higher than everything it reads.</summary>
    private static int Height(Node n) => n.Height;

    private readonly Dictionary<Node, (Node, Dictionary<int, IndexVar>?)> _canonical = new();
    private readonly Dictionary<(int Extent, int Position), IndexVar> _canonicalVars = new();

    /// <summary>
    /// A value with its free indices renamed, in the order a walk of its expression first meets them, to canonical
    /// indices (one per extent and position), and the renaming; a value without free indices is its own canonical form.
    /// </summary>
    private (Node Canonical, Dictionary<int, IndexVar>? Map) Canonical(Node n)
    {
        if (n.Free.Length == 0) return (n, null);
        if (_canonical.TryGetValue(n, out var done)) return done;
        var order = new List<int>();
        var seen = new HashSet<Node>();
        // A preorder walk (arguments left to right) with an explicit stack.
        var stack = new Stack<Node>();
        stack.Push(n);
        while (stack.Count > 0 && order.Count < n.Free.Length)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x.Op == Op.Index && n.DependsOn(x.Ref) && !order.Contains(x.Ref)) order.Add(x.Ref);
            for (int k = x.Args.Length - 1; k >= 0; k--) stack.Push(x.Args[k]);
        }
        var map = new Dictionary<int, IndexVar>();
        for (int k = 0; k < order.Count; k++)
        {
            var v = _graph.Var(order[k]);
            if (!_canonicalVars.TryGetValue((v.Extent, k), out var c)) _canonicalVars[(v.Extent, k)] = c = _graph.NewVar(v.Name, v.Extent);
            if (c.Id != v.Id) map[v.Id] = c;
        }
        var result = map.Count == 0 ? (n, null) : (_graph.Substitute(n, map), map);
        // The walk order depends on the ids of the indices (commutative operands are ordered by id), so values equal up
        // to the names of their free indices can still get two forms (x[h + a, b + w] and x[h + a, w + b], a window's
        // load seen from two parents): the first form met is kept, and a later one renamed onto it where a renaming
        // within equal extents makes them one node, so that such a value receives one adjoint.
        var (form, formMap) = (result.Item1, result.Item2);
        int shape = ShapeHash(form);
        if (!_forms.TryGetValue(shape, out var known)) _forms[shape] = known = new List<Node>();
        foreach (var other in known)
        {
            if (ReferenceEquals(other, form)) break;
            if (Renaming(form, other) is not { } onto) continue;
            var composed = new Dictionary<int, IndexVar>();
            foreach (var id in n.Free)
            {
                var v = formMap is not null && formMap.TryGetValue(id, out var c) ? c : _graph.Var(id);
                if (onto.TryGetValue(v.Id, out var w)) v = w;
                if (v.Id != id) composed[id] = v;
            }
            return _canonical[n] = (other, composed.Count == 0 ? null : composed);
        }
        if (!known.Contains(form)) known.Add(form);
        return _canonical[n] = result;
    }

    /// <summary>The canonical forms met so far, by <see cref="ShapeHash"/>.</summary>
    private readonly Dictionary<int, List<Node>> _forms = new();
    private readonly Dictionary<Node, int> _shapeHashes = new();

    /// <summary>
    /// A hash of a value that does not change when its indices are renamed within their extents: an index hashes as
    /// its extent, the operands of a commutative operation are combined in an order of their own hashes.
    /// </summary>
    private int ShapeHash(Node n)
    {
        if (_shapeHashes.TryGetValue(n, out int h)) return h;
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        int hash = Hash.Combine((int)n.Op, (int)n.Type, (int)n.ReduceKind, (int)n.Ties);
        hash = n.Op == Op.Index ? Hash.Combine(hash, _graph.Var(n.Ref).Extent) : Hash.Combine(hash, n.Ref, n.Value.GetHashCode());
        foreach (var e in n.Bound.Select(b => b.Extent).OrderBy(e => e)) hash = Hash.Combine(hash, e);
        var args = n.Args.Select(ShapeHash);
        if (n.Op is Op.Add or Op.Mul or Op.Min or Op.Max or Op.Eq or Op.Ne or Op.And or Op.Or) args = args.OrderBy(x => x);
        foreach (var a in args) hash = Hash.Combine(hash, a);
        return _shapeHashes[n] = hash;
    }

    /// <summary>The most renamings tried to match two forms of one shape.</summary>
    private const int MaxRenamings = 24;

    /// <summary>A renaming of the free indices of <paramref name="from"/>, each to one of <paramref name="to"/> of the same extent, that makes them one node; or null.</summary>
    private Dictionary<int, IndexVar>? Renaming(Node from, Node to)
    {
        if (from.Free.Length != to.Free.Length || from.Type != to.Type) return null;
        var source = from.Free.Select(_graph.Var).ToArray();
        var target = to.Free.Select(_graph.Var).ToArray();
        if (!source.Select(v => v.Extent).OrderBy(e => e).SequenceEqual(target.Select(v => v.Extent).OrderBy(e => e))) return null;
        var map = new Dictionary<int, IndexVar>();
        var used = new bool[target.Length];
        int tries = 0;
        bool Assign(int k)
        {
            if (k == source.Length)
            {
                if (++tries > MaxRenamings) return false;
                return ReferenceEquals(_graph.Substitute(from, map), to);
            }
            for (int t = 0; t < target.Length; t++)
            {
                if (used[t] || target[t].Extent != source[k].Extent) continue;
                used[t] = true;
                map[source[k].Id] = target[t];
                if (Assign(k + 1)) return true;
                used[t] = false;
                map.Remove(source[k].Id);
                if (tries > MaxRenamings) return false;
            }
            return false;
        }
        if (!Assign(0)) return null;
        foreach (var id in map.Keys.ToList()) if (map[id].Id == id) map.Remove(id);
        return map;
    }

    /// <summary>
    /// The contributions of the loads of tensor <paramref name="reference"/> (an input's id or an internal tensor's
    /// reference) to its gradient over <paramref name="axes"/>: plain index subscripts renamed to the axes, gathered
    /// ones scattered through an indicator, and the indices the gradient does not have summed.
    /// </summary>
    private List<Node> Contributions(int reference, IndexVar[] axes, Dictionary<Node, Node> adjoints)
    {
        var contributions = new List<Node>();
        foreach (var kv in adjoints.OrderBy(kv => kv.Key.Id))
        {
            var load = kv.Key;
            if (load.Op != Op.Load || load.Ref != reference) continue;
            var map = new Dictionary<int, IndexVar>();
            var conditions = new List<(int Axis, Node Subscript)>();
            for (int k = 0; k < axes.Length; k++)
            {
                var s = load.Args[k];
                if (s.Op == Op.Index && !map.ContainsKey(s.Ref)) map[s.Ref] = axes[k];
                else conditions.Add((k, s));
            }
            var adj = _graph.Substitute(kv.Value, map);
            Node? cond = null;
            foreach (var (axis, subscript) in conditions)
            {
                var c = _graph.Binary(Op.Eq, _graph.Index(axes[axis]), _graph.Substitute(subscript, map));
                cond = cond is null ? c : _graph.Binary(Op.And, cond, c);
            }
            var contribution = cond is null ? adj : _graph.Select(cond, adj, _graph.Zero);
            var rest = contribution.Free.Where(id => axes.All(a => a.Id != id)).Select(id => _graph.Var(id)).ToArray();
            if (rest.Length > 0) contribution = _graph.Reduce(ReduceKind.Sum, rest, contribution);
            contributions.Add(contribution);
        }
        return contributions;
    }
}

/// <summary>dLoss/dTensor as an expression over fresh axis indices (one per tensor axis, row-major).</summary>
internal sealed class GradientExpression
{
    public GradientExpression(TensorInfo tensor, IndexVar[] axes, Node expression) { Tensor = tensor; Axes = axes; Expression = expression; }
    public TensorInfo Tensor { get; }
    public IndexVar[] Axes { get; }
    public Node Expression { get; set; }
}
