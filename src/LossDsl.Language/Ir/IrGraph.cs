using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Text;
using LossDsl.Language.Simplification;

namespace LossDsl.Language.Ir;

/// <summary>
/// Builds IR nodes. Every constructor first applies the rules of the simplification stage
/// (<see cref="AlgebraicSimplifier"/>), then hash-conses the result, so the graph is always simplified and common
/// subexpressions are always shared (common-subexpression elimination by construction).
/// </summary>
internal sealed class IrGraph
{
    private readonly AlgebraicSimplifier _simplifier;
    private readonly Dictionary<string, Node> _nodes = new();
    private readonly List<IndexVar> _vars = new();
    private readonly StringBuilder _key = new();
    private int _nextId;

    public IrGraph() { _simplifier = new AlgebraicSimplifier(this); }

    /// <summary>
    /// The greatest <see cref="Node.Height"/> the binder accepts for a value of the source (LOSS0103 beyond it). The
    /// stages after binding walk the IR recursively; the gradient, the lowering and the schedule build values a small
    /// multiple of this high, which keeps those walks well within a thread's stack.
    /// </summary>
    public const int MaxHeight = 400;

    /// <summary>Terms up to this many are summed left to right as written; longer lists in balanced blocks (<see cref="Combine"/>).</summary>
    public const int ChainBlock = 32;

    /// <summary>
    /// Combines <paramref name="items"/> with the associative operation <paramref name="op"/> (Add, Mul, And, Or): up to
    /// <see cref="ChainBlock"/> items left to right, as a chain written in the source would be; a longer list in
    /// left-to-right blocks of that many, combined as a balanced tree, so the result is at most
    /// <see cref="ChainBlock"/> + log2(count / <see cref="ChainBlock"/>) high whatever the count (a 25,000-term sum
    /// must not become a 25,000-deep chain that every later walk recurses through). Iterative; an empty sum is 0, an empty product 1.
    /// </summary>
    public Node Combine(Op op, IReadOnlyList<Node> items)
    {
        if (items.Count == 0) return op switch { Op.Add => Zero, Op.Mul => One, _ => throw new ArgumentException("no items to combine", nameof(items)) };
        var blocks = new List<Node>((items.Count + ChainBlock - 1) / ChainBlock);
        for (int start = 0; start < items.Count; start += ChainBlock)
        {
            var acc = items[start];
            for (int k = start + 1; k < Math.Min(items.Count, start + ChainBlock); k++) acc = Binary(op, acc, items[k]);
            blocks.Add(acc);
        }
        while (blocks.Count > 1)
        {
            var next = new List<Node>((blocks.Count + 1) / 2);
            for (int k = 0; k < blocks.Count; k += 2) next.Add(k + 1 < blocks.Count ? Binary(op, blocks[k], blocks[k + 1]) : blocks[k]);
            blocks = next;
        }
        return blocks[0];
    }

    public IndexVar NewVar(string name, int extent)
    {
        var v = new IndexVar(_vars.Count, name, extent);
        _vars.Add(v);
        return v;
    }

    public IndexVar Var(int id) => _vars[id];
    public int VarCount => _vars.Count;
    public int NodeCount => _nextId;

    // ---- Leaves -------------------------------------------------------------------------------------------------

    public Node Const(double value) => Intern(Op.Const, DslType.Real, Array.Empty<Node>(), value, 0, ReduceKind.Sum, Array.Empty<IndexVar>());
    public Node Param(int id, DslType type) => Intern(Op.Param, type, Array.Empty<Node>(), 0, id, ReduceKind.Sum, Array.Empty<IndexVar>());
    /// <summary>The size of an extent as an Int value.</summary>
    public Node ExtentOf(int extent) => Intern(Op.Extent, DslType.Int, Array.Empty<Node>(), 0, extent, ReduceKind.Sum, Array.Empty<IndexVar>());
    public Node Index(IndexVar v) => Intern(Op.Index, DslType.Int, Array.Empty<Node>(), 0, v.Id, ReduceKind.Sum, Array.Empty<IndexVar>());
    public Node Load(int tensor, DslType type, Node[] subscripts) => Intern(Op.Load, type, subscripts, 0, tensor, ReduceKind.Sum, Array.Empty<IndexVar>());

    /// <summary>
    /// True for a read of an internal tensor (a stage of a repeat block or its adjoint, <see cref="InternalTensor"/>):
    /// a <see cref="Op.Load"/> whose reference is negative.
    /// </summary>
    public static bool IsInternalLoad(Node n) => n.Op == Op.Load && n.Ref < 0;

    /// <summary>The distinct values reachable from <paramref name="roots"/>, each once, without recursion.</summary>
    public static IEnumerable<Node> Reachable(IEnumerable<Node> roots)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(roots);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            yield return n;
            foreach (var a in n.Args) stack.Push(a);
        }
    }

    // ---- Operations ---------------------------------------------------------------------------------------------

    public Node Unary(Op op, Node a)
    {
        var args = new[] { a };
        return _simplifier.Simplify(op, args) ?? Intern(op, ResultType(op, args), args, 0, 0, ReduceKind.Sum, Array.Empty<IndexVar>());
    }

    public Node Binary(Op op, Node a, Node b)
    {
        if (IsCommutative(op) && b.Id < a.Id) (a, b) = (b, a);
        var args = new[] { a, b };
        return _simplifier.Simplify(op, args) ?? Intern(op, ResultType(op, args), args, 0, 0, ReduceKind.Sum, Array.Empty<IndexVar>());
    }

    public Node Select(Node condition, Node whenTrue, Node whenFalse)
    {
        var args = new[] { condition, whenTrue, whenFalse };
        return _simplifier.Simplify(Op.Select, args) ?? Intern(Op.Select, ResultType(Op.Select, args), args, 0, 0, ReduceKind.Sum, Array.Empty<IndexVar>());
    }

    public Node StopGrad(Node a) => Unary(Op.StopGrad, a);

    /// <summary>x^y from log|x| (emission only; see <see cref="Op.PowFromLog"/>).</summary>
    public Node PowFromLog(Node x, Node y, Node logAbsX) =>
        Intern(Op.PowFromLog, DslType.Real, new[] { x, y, logAbsX }, 0, 0, ReduceKind.Sum, Array.Empty<IndexVar>());

    /// <summary>A reduction; <paramref name="ties"/> is the tie rule of a max or min (ignored for a sum).</summary>
    public Node Reduce(ReduceKind kind, IndexVar[] bound, Node body, TieRule ties = TieRule.Split)
    {
        if (kind == ReduceKind.Kth) throw new ArgumentException("a selection is built by Kth", nameof(kind));
        if (kind == ReduceKind.Sum) ties = TieRule.Split;
        var simplified = _simplifier.SimplifyReduce(kind, bound, body, ties);
        if (simplified is not null) return simplified;
        return Bind(kind, bound, new[] { body }, ties);
    }

    /// <summary>
    /// The selection <c>kth[bound | keep; k = rank](body)</c> (<see cref="ReduceKind.Kth"/>): the <paramref name="rank"/>-th
    /// smallest of the elements of <paramref name="body"/> where <paramref name="keep"/> holds (all of them when null).
    /// The rank does not depend on the bound indices. Not simplified: the rank counts repeated elements.
    /// </summary>
    public Node Kth(IndexVar[] bound, Node body, Node rank, Node? keep, TieRule ties = TieRule.Split)
    {
        foreach (var v in bound)
            if (rank.DependsOn(v.Id)) throw new ArgumentException("the rank of a selection depends on a bound index", nameof(rank));
        return Bind(ReduceKind.Kth, bound, keep is null ? new[] { body, rank } : new[] { body, rank, keep }, ties);
    }

    /// <summary>
    /// Interns a reduction over <paramref name="args"/> (the body first), alpha-normalized: bound indices become
    /// canonical variables chosen from the body's nesting level, so that reductions equal up to the names of their
    /// indices are the same node (and share work).
    /// </summary>
    private Node Bind(ReduceKind kind, IndexVar[] bound, Node[] args, TieRule ties)
    {
        int level = 0;
        foreach (var a in args) level = Math.Max(level, a.Level);
        level++;
        var canonical = new IndexVar[bound.Length];
        Dictionary<int, IndexVar>? rename = null;
        for (int k = 0; k < bound.Length; k++)
        {
            int variant = 0;
            IndexVar c;
            while (true)
            {
                c = CanonicalVar(bound[k], level, k, variant++);
                bool clash = false;
                foreach (var a in args) clash |= c.Id != bound[k].Id && a.DependsOn(c.Id);
                for (int q = 0; q < k && !clash; q++) clash = canonical[q].Id == c.Id;
                if (!clash) break;
            }
            canonical[k] = c;
            if (c.Id != bound[k].Id) (rename ??= new Dictionary<int, IndexVar>())[bound[k].Id] = c;
        }
        if (rename is not null)
        {
            args = (Node[])args.Clone();
            for (int k = 0; k < args.Length; k++) args[k] = Substitute(args[k], rename);
        }
        return Intern(Op.Reduce, DslType.Real, args, 0, 0, kind, canonical, ties);
    }

    private readonly Dictionary<(int Extent, int Level, int Position, int Variant), IndexVar> _canonical = new();

    private IndexVar CanonicalVar(IndexVar original, int level, int position, int variant)
    {
        var key = (original.Extent, level, position, variant);
        if (!_canonical.TryGetValue(key, out var v)) _canonical[key] = v = NewVar(original.Name, original.Extent);
        return v;
    }

    // Convenience
    public Node Add(Node a, Node b) => Binary(Op.Add, a, b);
    public Node Sub(Node a, Node b) => Binary(Op.Sub, a, b);
    public Node Mul(Node a, Node b) => Binary(Op.Mul, a, b);
    public Node Div(Node a, Node b) => Binary(Op.Div, a, b);
    public Node Neg(Node a) => Unary(Op.Neg, a);
    public Node Zero => Const(0);
    public Node One => Const(1);
    /// <summary>The identity of a sum, max or min (0, -inf, +inf): the value of an element a filter leaves out.</summary>
    public Node ReduceIdentity(ReduceKind kind) => kind switch
    {
        ReduceKind.Max => Const(double.NegativeInfinity),
        ReduceKind.Min => Const(double.PositiveInfinity),
        _ => Zero,
    };
    /// <summary>A Bool as 0/1.</summary>
    public Node ToReal(Node a) => a.Type == DslType.Bool ? Select(a, One, Zero) : a;

    /// <summary>Rebuilds <paramref name="n"/> with new arguments (same operation and attributes).</summary>
    public Node Rebuild(Node n, Node[] args)
    {
        switch (n.Op)
        {
            case Op.Const: case Op.Param: case Op.Extent: case Op.Index: return n;
            case Op.Load: return Load(n.Ref, n.Type, args);
            case Op.Select: return Select(args[0], args[1], args[2]);
            case Op.PowFromLog: return PowFromLog(args[0], args[1], args[2]);
            case Op.Reduce: return RebuildReduce(n, n.Bound, args);
            default: return args.Length == 1 ? Unary(n.Op, args[0]) : Binary(n.Op, args[0], args[1]);
        }
    }

    /// <summary>A reduction like <paramref name="n"/> (kind, tie rule) over <paramref name="bound"/> and <paramref name="args"/>.</summary>
    private Node RebuildReduce(Node n, IndexVar[] bound, Node[] args) =>
        n.ReduceKind == ReduceKind.Kth
            ? Kth(bound, args[0], args[1], args.Length > 2 ? args[2] : null, n.Ties)
            : Reduce(n.ReduceKind, bound, args[0], n.Ties);

    /// <summary>
    /// Renames free index variables (capture-avoiding: a reduction that binds a replacement target is alpha-renamed).
    /// </summary>
    public Node Substitute(Node n, IReadOnlyDictionary<int, IndexVar> map)
    {
        bool touches = false;
        foreach (var k in map.Keys) if (n.DependsOn(k)) { touches = true; break; }
        if (!touches) return n;
        var memo = new Dictionary<Node, Node>();
        return SubstituteCore(n, map, memo);
    }

    private Node SubstituteCore(Node n, IReadOnlyDictionary<int, IndexVar> map, Dictionary<Node, Node> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        bool touches = false;
        foreach (var k in map.Keys) if (n.DependsOn(k)) { touches = true; break; }
        if (!touches) return n;
        if (memo.TryGetValue(n, out var done)) return done;
        Node result;
        if (n.Op == Op.Index)
        {
            result = Index(map[n.Ref]);
        }
        else if (n.Op == Op.Reduce)
        {
            // Alpha-rename bound variables that collide with a replacement target.
            var bound = n.Bound;
            var args = (Node[])n.Args.Clone();
            Dictionary<int, IndexVar>? inner = null;
            for (int i = 0; i < bound.Length; i++)
            {
                foreach (var target in map.Values)
                {
                    if (target.Id != bound[i].Id) continue;
                    inner ??= new Dictionary<int, IndexVar>();
                    var fresh = NewVar(bound[i].Name, bound[i].Extent);
                    inner[bound[i].Id] = fresh;
                    if (ReferenceEquals(bound, n.Bound)) bound = (IndexVar[])bound.Clone();
                    bound[i] = fresh;
                }
            }
            if (inner is not null) for (int k = 0; k < args.Length; k++) args[k] = Substitute(args[k], inner);
            // Bound indices shadow the mapping inside the reduction.
            Dictionary<int, IndexVar>? shadowed = null;
            foreach (var v in n.Bound)
                if (map.ContainsKey(v.Id)) { shadowed ??= new Dictionary<int, IndexVar>(map.ToDictionary(kv => kv.Key, kv => kv.Value)); shadowed.Remove(v.Id); }
            var innerMap = shadowed ?? map;
            if (innerMap.Count > 0)
            {
                // The same mapping shares the memo: a chain of reductions each reading the previous ones (a radix
                // select) is walked once, not once per path to each of them.
                var innerMemo = shadowed is null ? memo : new Dictionary<Node, Node>();
                for (int k = 0; k < args.Length; k++) args[k] = SubstituteCore(args[k], innerMap, innerMemo);
            }
            result = RebuildReduce(n, bound, args);
        }
        else
        {
            var args = new Node[n.Args.Length];
            for (int i = 0; i < args.Length; i++) args[i] = SubstituteCore(n.Args[i], map, memo);
            result = Rebuild(n, args);
        }
        memo[n] = result;
        return result;
    }

    /// <summary>
    /// Replaces the free index <paramref name="indexId"/> by the Int value <paramref name="value"/> (a gather of a
    /// binding's parameter): capture-avoiding, a reduction that binds an index <paramref name="value"/> depends on is
    /// alpha-renamed first. The result is built by the constructors, so it is simplified and hash-consed.
    /// </summary>
    public Node SubstituteValue(Node n, int indexId, Node value) =>
        n.DependsOn(indexId) ? SubstituteValueCore(n, indexId, value, new Dictionary<Node, Node>()) : n;

    private Node SubstituteValueCore(Node n, int indexId, Node value, Dictionary<Node, Node> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (!n.DependsOn(indexId)) return n;
        if (memo.TryGetValue(n, out var done)) return done;
        Node result;
        if (n.Op == Op.Index) result = value;
        else if (n.Op == Op.Reduce)
        {
            // n depends on the index, so it does not bind it; rename the bound indices the value depends on.
            var bound = n.Bound;
            var args = (Node[])n.Args.Clone();
            Dictionary<int, IndexVar>? rename = null;
            for (int i = 0; i < bound.Length; i++)
            {
                if (!value.DependsOn(bound[i].Id)) continue;
                rename ??= new Dictionary<int, IndexVar>();
                if (ReferenceEquals(bound, n.Bound)) bound = (IndexVar[])bound.Clone();
                bound[i] = NewVar(bound[i].Name, bound[i].Extent);
                rename[n.Bound[i].Id] = bound[i];
            }
            for (int k = 0; k < args.Length; k++)
                args[k] = SubstituteValueCore(rename is null ? args[k] : Substitute(args[k], rename), indexId, value, memo);
            result = RebuildReduce(n, bound, args);
        }
        else
        {
            var args = new Node[n.Args.Length];
            for (int i = 0; i < args.Length; i++) args[i] = SubstituteValueCore(n.Args[i], indexId, value, memo);
            result = Rebuild(n, args);
        }
        memo[n] = result;
        return result;
    }

    /// <summary>
    /// <c>min(max(s, 0), extent - 1)</c>: the Int value <paramref name="s"/> clamped into the axis of
    /// <paramref name="extentId"/>. A gather of a binding writes its subscript in this form where a reduction of the
    /// binding compares it with a label (a segment key, docs/language.md §6.9): inside the gather's range guard it
    /// equals <paramref name="s"/>, and its range is known, so the scheduler can tabulate the reduction over the axis.
    /// </summary>
    public Node ClampIndex(Node s, int extentId) =>
        Binary(Op.Min, Binary(Op.Max, s, Zero), Sub(ExtentOf(extentId), One));

    /// <summary>True if <paramref name="v"/> is <see cref="ClampIndex"/> of some value: that value and the extent.</summary>
    public bool IsClampIndex(Node v, out Node value, out int extentId)
    {
        value = v;
        extentId = -1;
        if (v.Op != Op.Min || v.Type != DslType.Int) return false;
        for (int side = 0; side < 2; side++)
        {
            Node low = v.Args[side], high = v.Args[1 - side];
            if (low.Op != Op.Max) continue;
            foreach (var extent in high.Args)
            {
                if (extent.Op != Op.Extent) continue;
                for (int k = 0; k < 2; k++)
                {
                    if (!low.Args[1 - k].IsConstValue(0)) continue;
                    if (ReferenceEquals(ClampIndex(low.Args[k], extent.Ref), v)) { value = low.Args[k]; extentId = extent.Ref; return true; }
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Replaces every occurrence of the node <paramref name="target"/> in <paramref name="n"/> by
    /// <paramref name="replacement"/> (hash-consing makes the occurrences one node). The target's free indices must not
    /// be bound inside <paramref name="n"/>, nor the replacement's.
    /// </summary>
    public Node Replace(Node n, Node target, Node replacement) => ReplaceCore(n, target, replacement, new Dictionary<Node, Node>());

    private Node ReplaceCore(Node n, Node target, Node replacement, Dictionary<Node, Node> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (ReferenceEquals(n, target)) return replacement;
        if (n.Args.Length == 0 || n.Id < target.Id) return n; // arguments are older than their users
        if (memo.TryGetValue(n, out var done)) return done;
        var args = new Node[n.Args.Length];
        bool changed = false;
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = ReplaceCore(n.Args[i], target, replacement, memo);
            changed |= !ReferenceEquals(args[i], n.Args[i]);
        }
        var result = !changed ? n : n.Op == Op.Reduce ? RebuildReduce(n, n.Bound, args) : Rebuild(n, args);
        memo[n] = result;
        return result;
    }

    /// <summary>
    /// Rebuilds <paramref name="n"/> bottom-up, applying <paramref name="rule"/> to every rebuilt node (its result, or
    /// the node itself when it returns null).
    /// </summary>
    public Node Rewrite(Node n, Func<Node, Node?> rule) => RewriteCore(n, rule, new Dictionary<Node, Node>());

    private Node RewriteCore(Node n, Func<Node, Node?> rule, Dictionary<Node, Node> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (memo.TryGetValue(n, out var done)) return done;
        var args = new Node[n.Args.Length];
        bool changed = false;
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = RewriteCore(n.Args[i], rule, memo);
            changed |= !ReferenceEquals(args[i], n.Args[i]);
        }
        var rebuilt = !changed ? n : n.Op == Op.Reduce ? RebuildReduce(n, n.Bound, args) : Rebuild(n, args);
        var result = rule(rebuilt) ?? rebuilt;
        memo[n] = result;
        return result;
    }

    // ---- Interning ----------------------------------------------------------------------------------------------

    private Node Intern(Op op, DslType type, Node[] args, double value, int reference, ReduceKind kind, IndexVar[] bound, TieRule ties = TieRule.Split)
    {
        var sb = _key.Clear();
        sb.Append((int)op).Append('|').Append((int)type).Append('|').Append(reference).Append('|')
          .Append(BitConverter.DoubleToInt64Bits(value).ToString(CultureInfo.InvariantCulture)).Append('|').Append((int)kind).Append('|');
        if (ties != TieRule.Split) sb.Append('t').Append((int)ties).Append('|');
        foreach (var v in bound) sb.Append(v.Id).Append(',');
        sb.Append('|');
        foreach (var a in args) sb.Append(a.Id).Append(',');
        string key = sb.ToString();
        if (_nodes.TryGetValue(key, out var existing)) return existing;

        int[] free;
        if (op == Op.Index) free = new[] { reference };
        else
        {
            free = IndexSet.Empty;
            foreach (var a in args) free = IndexSet.Union(free, a.Free);
            if (op == Op.Reduce) free = IndexSet.Remove(free, bound);
        }
        int level = 0, height = 0;
        foreach (var a in args) { level = Math.Max(level, a.Level); height = Math.Max(height, a.Height + 1); }
        if (op == Op.Reduce) level++;
        var node = new Node(_nextId++, op, type, args, value, reference, kind, bound, free, level, height, ties);
        _nodes.Add(key, node);
        return node;
    }

    /// <summary>An Int value, or a constant with an integral value (so <c>y[i] + 1</c> is still an Int).</summary>
    public static bool IsIntLike(Node n) => n.Type == DslType.Int || (n.Op == Op.Const && Math.Floor(n.Value) == n.Value && Math.Abs(n.Value) < 1 << 30);

    private static bool IsCommutative(Op op) => op is Op.Add or Op.Mul or Op.Min or Op.Max or Op.Eq or Op.Ne or Op.And or Op.Or;

    private static DslType ResultType(Op op, Node[] args)
    {
        switch (op)
        {
            case Op.Eq: case Op.Ne: case Op.Lt: case Op.Le: case Op.Gt: case Op.Ge: case Op.And: case Op.Or: case Op.Not: case Op.KeyBelow:
                return DslType.Bool;
            case Op.Select:
                return IsIntLike(args[1]) && IsIntLike(args[2]) && (args[1].Type == DslType.Int || args[2].Type == DslType.Int) ? DslType.Int : DslType.Real;
            case Op.Add: case Op.Sub: case Op.Mul: case Op.Min: case Op.Max:
                return IsIntLike(args[0]) && IsIntLike(args[1]) && (args[0].Type == DslType.Int || args[1].Type == DslType.Int) ? DslType.Int : DslType.Real;
            case Op.Neg: case Op.Abs: case Op.Sign: case Op.StopGrad:
                return args[0].Type == DslType.Int ? DslType.Int : DslType.Real;
            default:
                return DslType.Real;
        }
    }
}
