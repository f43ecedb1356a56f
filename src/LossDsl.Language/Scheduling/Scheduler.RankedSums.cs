using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Scheduling;

internal sealed partial class Scheduler
{
    // ---- Ranked sums ---------------------------------------------------------------------------------------------

    /// <summary>The ranked sums placed so far that sort their keys (in placement order, which is the passes' order).</summary>
    private readonly List<RankedSum> _sortedRankedSums = new();

    /// <summary>
    /// A ranked sum (docs/language.md §6.10): a sum over one index j whose filter orders the elements by a key and
    /// keeps those before a reader's key, <c>sum[j | key(j) op key'(i) &amp;&amp; rest](v)</c> (op one of &lt;, &lt;=, &gt;,
    /// &gt;=; or lexicographic with an index tie-break, <c>key(j) &gt; key'(i) || key(j) == key'(i) &amp;&amp; j &lt;= t(i)</c>),
    /// is computed for every reader at once: the elements of each batch point (the free indices the elements depend
    /// on) are sorted once, their values replaced by prefix sums, and each reader's sum is the prefix its key selects
    /// (a binary search): O(n log n + readers log n) per batch point instead of O(n · readers). A key that is j itself
    /// (<c>sum[j | j &lt;= k](v[j])</c>) is a prefix scan, without a sort. The risk sets of a Cox partial likelihood,
    /// cumulative sums, and the sorted cumulative counts of the Lovász losses are such sums, and so are their
    /// adjoints (the readers' adjoints summed over the readers that keep each element: the same comparison read the
    /// other way round). Returns false when <paramref name="r"/> is not such a sum, when the elements' key is an Int
    /// other than j (its order would not survive the kernel's Real type), or when it has no reader index.
    /// </summary>
    private bool PlaceRankedSum(Node r, IndexVar[] context)
    {
        if (r.Op != Op.Reduce || r.ReduceKind != ReduceKind.Sum || r.Bound.Length != 1 || _buffers.ContainsKey(r) || _aliases.ContainsKey(r)) return false;
        if (r.Args[0] is not { Op: Op.Select } select || !select.Args[2].IsConstValue(0)) return false;
        var free = context.Where(v => r.DependsOn(v.Id)).Distinct().ToArray();
        if (free.Length != r.Free.Length) return false;
        var j = r.Bound[0];
        if (!MatchRanked(select, j, out var rawKey, out _, out _, out _, out var rawConditions, out _)) return false;
        // The batch: the free indices the elements (their key, value and conditions) depend on; the readers: the
        // others. The buffer's axes are the batch, then the readers, so that the sum read from the loss and from a
        // gradient (whose loops come in other orders) is one buffer.
        bool Elemental(IndexVar v) => select.Args[1].DependsOn(v.Id) || rawKey!.DependsOn(v.Id) || rawConditions.Exists(c => c.DependsOn(v.Id));
        var axes = free.Where(Elemental).Concat(free.Where(v => !Elemental(v))).ToArray();
        int batchCount = free.Count(Elemental);
        if (batchCount == axes.Length) return false;

        // Buffers are shared by sums equal up to the names of their free indices (as MaterializeOver).
        var map = new Dictionary<int, IndexVar>();
        for (int k = 0; k < axes.Length; k++) map[axes[k].Id] = BufferAxis(axes[k], k);
        var key = _graph.Substitute(r, map);
        if (_buffers.TryGetValue(key, out var existing))
        {
            if (!ReferenceEquals(key, r)) _aliases[r] = new BufferView(existing, axes);
            return true;
        }
        var canonicalSelect = key.Args[0];
        var cj = key.Bound[0];
        MatchRanked(canonicalSelect, cj, out var elementKey, out var readerKey, out var readerIndex, out var mode, out var elementConditions, out var readerConditions);
        var value = canonicalSelect.Args[1];
        if (elementConditions.Count > 0) value = _graph.Select(_graph.Combine(Op.And, elementConditions), value, _graph.Zero);
        var canonical = axes.Select(a => map[a.Id]).ToArray();
        var batch = canonical.Take(batchCount).ToArray();
        var readers = canonical.Skip(batchCount).ToArray();

        var elementAxes = batch.Append(cj).ToArray();
        bool indexKey = (mode & RankMode.IndexKey) != 0;
        // Readers that are the elements themselves (a Cox risk set, a place in a sort): each one's prefix is found by the sort.
        if (!indexKey && readers.Length == 1 && readers[0].Extent == cj.Extent
            && ReferenceEquals(_graph.Substitute(elementKey!, new Dictionary<int, IndexVar> { [cj.Id] = readers[0] }), readerKey)
            && (readerIndex is null || readerIndex.Op == Op.Index && readerIndex.Ref == readers[0].Id))
        {
            mode |= RankMode.SelfReader;
            readerIndex = _graph.Index(readers[0]);
        }
        var keys = indexKey ? null : NewBuffer(elementKey!, elementAxes);
        var values = NewBuffer(value, elementAxes);
        var indices = indexKey ? null : NewBuffer(_graph.Index(cj), elementAxes);
        var resultAxes = batch.Concat(readers).ToArray();
        var result = NewBuffer(key, resultAxes);
        var ranked = new RankedSum(key, cj, batch, readers, indexKey ? null : elementKey, value, readerKey!, readerIndex,
            readerConditions.Count > 0 ? _graph.Combine(Op.And, readerConditions) : null, mode, keys, values, indices, result);
        // An earlier sum over the same keys has sorted them: its order is reused. The batch axes are canonical buffer
        // axes; the summed index is each sum's own, so the keys are compared with it renamed.
        bool SameKeys(RankedSum s) => s.Element.Extent == cj.Extent && s.Batch.SequenceEqual(batch)
            && ReferenceEquals(s.ElementKey, _graph.Substitute(elementKey!, new Dictionary<int, IndexVar> { [cj.Id] = s.Element }));
        if (!indexKey && _sortedRankedSums.Find(SameKeys) is { } earlier)
            ranked.ShareOrderOf(earlier, () => NewBuffer(_graph.Index(cj), elementAxes));
        else if (!indexKey) _sortedRankedSums.Add(ranked);
        _buffers[key] = result;
        if (!ReferenceEquals(key, r)) _aliases[r] = new BufferView(result, axes);

        var elementExprs = RankedSumExpressions.OfElement(ranked).ToList();
        PlaceReduces(elementExprs, elementAxes, 0, _top, _topAvailable);
        var elements = BuildLoops(elementAxes, 0, elementExprs, new RankElementStmt(ranked), _topAvailable);
        elements.Purpose.Add($"ranked sum {result.Id}: the elements' keys and values");
        var lookupExprs = RankedSumExpressions.OfLookup(ranked).ToList();
        PlaceReduces(lookupExprs, resultAxes, 0, _top, _topAvailable);
        var lookups = BuildLoops(resultAxes, 0, lookupExprs, new RankLookupStmt(ranked), _topAvailable);
        lookups.Purpose.Add($"ranked sum {result.Id}: each reader's prefix");
        _top.Add(new RankedSumStmt(ranked, elements, lookups));
        return true;
    }

    /// <summary>
    /// Splits the filter of a sum over <paramref name="j"/> into the order conjunct (the elements' key, the readers'
    /// key, the tie-break's reader index and the mode), the conjuncts on the elements (they depend on j) and those on
    /// the readers (they do not). False when no conjunct is an order (or more than one could be).
    /// </summary>
    private bool MatchRanked(Node select, IndexVar j, out Node? elementKey, out Node? readerKey, out Node? readerIndex, out RankMode mode,
        out List<Node> elementConditions, out List<Node> readerConditions)
    {
        elementKey = readerKey = readerIndex = null;
        mode = RankMode.None;
        elementConditions = new List<Node>();
        readerConditions = new List<Node>();
        int orders = 0;
        var stack = new Stack<Node>();
        stack.Push(select.Args[0]);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (c.Op == Op.And) { stack.Push(c.Args[1]); stack.Push(c.Args[0]); continue; }
            if (!c.DependsOn(j.Id)) { readerConditions.Add(c); continue; }
            if (orders == 0 && MatchOrder(c, j, out var x, out var y, out var t, out var m))
            {
                elementKey = x; readerKey = y; readerIndex = t; mode = m; orders = 1;
                continue;
            }
            elementConditions.Add(c);
        }
        // The element conditions and the value must not depend on what the readers' side depends on only: checked by
        // the caller through the batch (an index both sides read is a batch index, and the readers must remain).
        return orders == 1;
    }

    /// <summary>Normalizes <c>a op b</c> to <c>x op' y</c> with x the side that depends on <paramref name="j"/>.</summary>
    private static bool Oriented(Node c, IndexVar j, out Node x, out Node y, out Op op)
    {
        x = y = c;
        op = c.Op;
        if (c.Op is not (Op.Lt or Op.Le or Op.Gt or Op.Ge)) return false;
        Node a = c.Args[0], b = c.Args[1];
        if (a.DependsOn(j.Id) && !b.DependsOn(j.Id)) { x = a; y = b; return true; }
        if (b.DependsOn(j.Id) && !a.DependsOn(j.Id))
        {
            x = b; y = a;
            op = c.Op switch { Op.Lt => Op.Gt, Op.Le => Op.Ge, Op.Gt => Op.Lt, _ => Op.Le };
            return true;
        }
        return false;
    }

    private static RankMode ModeOf(Op op) =>
        (op is Op.Gt or Op.Ge ? RankMode.Descending : RankMode.None) | (op is Op.Le or Op.Ge ? RankMode.Inclusive : RankMode.None);

    /// <summary>
    /// An order conjunct: <c>key(j) op key'</c> with a Real key of the elements (or j itself and an Int key'), or the
    /// lexicographic <c>key(j) op key' || key(j) == key' &amp;&amp; j op2 t</c> with a strict op.
    /// </summary>
    private bool MatchOrder(Node c, IndexVar j, out Node? elementKey, out Node? readerKey, out Node? readerIndex, out RankMode mode)
    {
        elementKey = readerKey = readerIndex = null;
        mode = RankMode.None;
        if (Oriented(c, j, out var x, out var y, out var op))
        {
            if (x.Op == Op.Index && x.Ref == j.Id)
            {
                if (y.Type != DslType.Int) return false;
                elementKey = x; readerKey = y; mode = ModeOf(op) | RankMode.IndexKey;
                return true;
            }
            if (x.Type != DslType.Real || y.Type == DslType.Bool) return false;
            elementKey = x; readerKey = y; mode = ModeOf(op);
            return true;
        }
        if (c.Op != Op.Or) return false;
        for (int side = 0; side < 2; side++)
        {
            Node strict = c.Args[side], tie = c.Args[1 - side];
            if (!Oriented(strict, j, out x, out y, out op) || op is not (Op.Lt or Op.Gt) || x.Type != DslType.Real || y.Type == DslType.Bool) continue;
            if (tie.Op != Op.And) continue;
            for (int t = 0; t < 2; t++)
            {
                Node eq = tie.Args[t], byIndex = tie.Args[1 - t];
                bool sameKeys = eq.Op == Op.Eq && (ReferenceEquals(eq.Args[0], x) && ReferenceEquals(eq.Args[1], y) || ReferenceEquals(eq.Args[0], y) && ReferenceEquals(eq.Args[1], x));
                if (!sameKeys || !Oriented(byIndex, j, out var jx, out var ty, out var tieOp) || jx.Op != Op.Index || jx.Ref != j.Id || ty.Type != DslType.Int) continue;
                elementKey = x; readerKey = y; readerIndex = ty;
                mode = ModeOf(op) | RankMode.TieBreak
                    | (tieOp is Op.Gt or Op.Ge ? RankMode.TieDescending : RankMode.None)
                    | (tieOp is Op.Le or Op.Ge ? RankMode.TieInclusive : RankMode.None);
                return true;
            }
        }
        return false;
    }
}
