using System.Collections.Generic;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Scheduling;

/// <summary>
/// The order of a ranked sum's elements and which of them a reader keeps (docs/language.md §6.10); the flags are
/// passed as an int to <c>LossDsl.Internals.RankedSums</c> and its GPU twin.
/// </summary>
[System.Flags]
internal enum RankMode
{
    /// <summary>Keys ascending, the reader keeps the keys below its own (<c>key(j) &lt; key'(i)</c>).</summary>
    None = 0,
    /// <summary>Keys descending: the reader keeps the keys above its own (<c>&gt;</c>, <c>&gt;=</c>).</summary>
    Descending = 1,
    /// <summary>The reader also keeps the keys equal to its own (<c>&lt;=</c>, <c>&gt;=</c>).</summary>
    Inclusive = 2,
    /// <summary>
    /// A lexicographic order: <c>key(j) &gt; key'(i) || key(j) == key'(i) &amp;&amp; j &lt;= t(i)</c> (the strict comparison
    /// gives the direction; the index comparison decides among equal keys).
    /// </summary>
    TieBreak = 4,
    /// <summary>Among equal keys, indices descending (<c>j &gt; t</c>, <c>j &gt;= t</c>); else ascending.</summary>
    TieDescending = 8,
    /// <summary>Among equal keys, the reader keeps the index equal to its own (<c>j &lt;= t</c>, <c>j &gt;= t</c>).</summary>
    TieInclusive = 16,
    /// <summary>The key is the element's index itself (<c>sum[j | j &lt;= k](v[j])</c>, a prefix scan): nothing is sorted.</summary>
    IndexKey = 32,
    /// <summary>
    /// The readers are the elements (one reader index over the elements' extent, whose key is the elements' key at its
    /// index, and whose tie-break index is itself): the sort finds each one's prefix length, and a lookup is one read
    /// instead of a binary search (the CPU kernels; the GPU kernels search).
    /// </summary>
    SelfReader = 64,
}

/// <summary>
/// How a ranked sum reads the order of an earlier sum over the same keys (<see cref="RankedSum.SharedOrder"/>); passed
/// as an int to <c>LossDsl.Internals.RankedSums</c>.
/// </summary>
[System.Flags]
internal enum SharedOrderFlags
{
    None = 0,
    /// <summary>The keys in the other direction: the shared order's non-NaN part read backwards.</summary>
    Reverse = 1,
    /// <summary>The ties in the other index order: each run of equal keys reversed.</summary>
    ReverseRuns = 2,
}

/// <summary>
/// A ranked sum (docs/language.md §6.10): <c>sum[j | key(j) op key'(readers) &amp;&amp; rest](v)</c> computed for every
/// reader at once: for each point of <see cref="Batch"/>, the elements' keys and values are written
/// (<see cref="RankElementStmt"/>), sorted with the values replaced by their prefix sums (<see cref="RankSortStmt"/>),
/// and each reader's sum is the prefix its key selects (<see cref="RankLookupStmt"/>, a binary search).
/// </summary>
internal sealed class RankedSum
{
    public RankedSum(Node sum, IndexVar element, IndexVar[] batch, IndexVar[] readers, Node? elementKey, Node elementValue,
        Node readerKey, Node? readerIndex, Node? readerCondition, RankMode mode, ScratchBuffer? keys, ScratchBuffer values, ScratchBuffer? indices, ScratchBuffer result)
    {
        Sum = sum; Element = element; Batch = batch; Readers = readers; ElementKey = elementKey; ElementValue = elementValue; ReaderKey = readerKey;
        ReaderIndex = readerIndex; ReaderCondition = readerCondition; Mode = mode; Keys = keys; Values = values; Indices = indices; Result = result;
    }

    /// <summary>The sum, written over the result buffer's axes (<see cref="Batch"/>, then <see cref="Readers"/>).</summary>
    public Node Sum { get; }
    /// <summary>The summed index j.</summary>
    public IndexVar Element { get; }
    /// <summary>The free indices the elements depend on: one sort per point.</summary>
    public IndexVar[] Batch { get; }
    /// <summary>The other free indices: the readers of one batch point.</summary>
    public IndexVar[] Readers { get; }
    /// <summary>key(j), a Real over Batch and Element; null when the key is the index j itself (<see cref="RankMode.IndexKey"/>).</summary>
    public Node? ElementKey { get; }
    /// <summary>The summed value with the filter's other conjuncts on the elements: <c>where(rest, v, 0)</c>.</summary>
    public Node ElementValue { get; }
    /// <summary>key'(i), over Batch and Readers (an Int for <see cref="RankMode.IndexKey"/>).</summary>
    public Node ReaderKey { get; }
    /// <summary>t(i) of a tie-break (an Int), or null.</summary>
    public Node? ReaderIndex { get; }
    /// <summary>The filter's conjuncts that do not depend on the elements: the sum is 0 where they are false.</summary>
    public Node? ReaderCondition { get; }
    public RankMode Mode { get; }
    /// <summary>Scratch over Batch and Element: the keys (sorted by the sort pass); null for <see cref="RankMode.IndexKey"/>.</summary>
    public ScratchBuffer? Keys { get; }
    /// <summary>Scratch over Batch and Element: the values, then their prefix sums in the order.</summary>
    public ScratchBuffer Values { get; }
    /// <summary>Scratch over Batch and Element, holding ints: the element index at each place of the order; null for <see cref="RankMode.IndexKey"/>.</summary>
    public ScratchBuffer? Indices { get; }
    /// <summary>The scratch buffers of the elements (keys, values, indices: those that exist).</summary>
    public IEnumerable<ScratchBuffer> ElementBuffers
    {
        get { if (Keys is not null) yield return Keys; yield return Values; if (Indices is not null) yield return Indices; }
    }
    /// <summary>The buffer of the sum over Batch and Readers, read where the sum is needed.</summary>
    public ScratchBuffer Result { get; }
    /// <summary>
    /// An earlier ranked sum over the same keys (the same <see cref="ElementKey"/> over the same Batch and Element)
    /// whose order this one reuses instead of sorting: the order of one direction, its valid part reversed for the
    /// other, and its runs of equal keys reversed where the tie-breaks' directions differ (O(n) instead of
    /// O(n log n); the same order, so the same bits, as a sort of its own). The risk sets of a Cox model and their
    /// adjoint, the places and label counts of a Lovász loss. Null when this sum sorts.
    /// </summary>
    public RankedSum? SharedOrder { get; private set; }
    /// <summary>
    /// Scratch over Batch and Element, holding ints: the element index at each place of this sum's order, kept by its
    /// sort for the sums that reuse it (<see cref="SharedOrder"/>); null when no later sum does.
    /// </summary>
    public ScratchBuffer? KeptOrder { get; private set; }

    /// <summary>Whether this sum's keys are in the order opposite to <see cref="SharedOrder"/>'s (its valid part is read backwards).</summary>
    public bool ReversesSharedOrder => SharedOrder is { } s && (s.Mode & RankMode.Descending) != (Mode & RankMode.Descending);

    /// <summary>
    /// Whether, after the shared order is read (backwards where <see cref="ReversesSharedOrder"/>), the runs of equal
    /// keys are in the opposite index order to this sum's tie order, so that each run is reversed.
    /// </summary>
    public bool ReversesSharedRuns => SharedOrder is { } s
        && (((s.Mode & RankMode.TieDescending) != 0) ^ ReversesSharedOrder) != ((Mode & RankMode.TieDescending) != 0);

    /// <summary>How this sum reads <see cref="SharedOrder"/>'s order.</summary>
    public SharedOrderFlags SharedOrderFlags =>
        (ReversesSharedOrder ? SharedOrderFlags.Reverse : SharedOrderFlags.None) | (ReversesSharedRuns ? SharedOrderFlags.ReverseRuns : SharedOrderFlags.None);

    /// <summary>
    /// Lets this sum reuse the order of <paramref name="earlier"/> (a sum over the same keys that sorts), which keeps
    /// its order in <paramref name="keptOrder"/> unless it already does.
    /// </summary>
    public void ShareOrderOf(RankedSum earlier, System.Func<ScratchBuffer> keptOrder)
    {
        SharedOrder = earlier;
        earlier.KeptOrder ??= keptOrder();
    }

    /// <summary>The scratch buffers the sort pass writes: the elements' buffers and the kept order.</summary>
    public IEnumerable<ScratchBuffer> SortWrites
    {
        get { foreach (var b in ElementBuffers) yield return b; if (KeptOrder is { } k) yield return k; }
    }

    /// <summary>
    /// The scratch buffers the sort pass reads: the elements' buffers, and the order it reuses with the keys in that
    /// order (the earlier sum's own sorted keys, so that the order and the keys agree to the bit wherever each sum's
    /// keys were computed).
    /// </summary>
    public IEnumerable<ScratchBuffer> SortReads
    {
        get
        {
            foreach (var b in ElementBuffers) yield return b;
            if (SharedOrder is { KeptOrder: { } order, Keys: { } keys }) { yield return order; yield return keys; }
        }
    }
    /// <summary>The extent of the elements.</summary>
    public int Extent => Element.Extent;
    /// <summary>The Real key a lookup searches with; null for <see cref="RankMode.IndexKey"/> (the Int key is <see cref="SearchIndex"/>).</summary>
    public Node? SearchKey => Mode.HasFlag(RankMode.IndexKey) ? null : ReaderKey;
    /// <summary>The Int a lookup takes: the reader's key of an <see cref="RankMode.IndexKey"/> scan, else the tie-break or own index, or null (0).</summary>
    public Node? SearchIndex => Mode.HasFlag(RankMode.IndexKey) ? ReaderKey : ReaderIndex;
}

/// <summary>
/// A ranked sum as one statement of the top-level block: <see cref="Elements"/> (a loop nest over Batch and Element
/// ending in a <see cref="RankElementStmt"/>), the sort (<see cref="RankSortStmt"/>), then <see cref="Lookups"/> (a
/// loop nest over Batch and Readers ending in a <see cref="RankLookupStmt"/>). Fusion never merges into it.
/// </summary>
internal sealed class RankedSumStmt : Stmt
{
    public RankedSumStmt(RankedSum sum, LoopStmt elements, LoopStmt lookups) { Sum = sum; Elements = elements; Lookups = lookups; }
    public RankedSum Sum { get; }
    public LoopStmt Elements { get; }
    public LoopStmt Lookups { get; }
}

/// <summary><c>keys[batch, j] = key(j); values[batch, j] = value(j)</c> at the position of the enclosing loops.</summary>
internal sealed class RankElementStmt : Stmt
{
    public RankElementStmt(RankedSum sum) { Sum = sum; }
    public RankedSum Sum { get; }
}

/// <summary>The sort of each batch point's elements and the prefix sums of their values (a pass of its own, one chunk per point).</summary>
internal sealed class RankSortStmt : Stmt
{
    public RankSortStmt(RankedSum sum) { Sum = sum; }
    public RankedSum Sum { get; }
}

/// <summary><c>result[batch, readers] = condition ? prefix(key'(readers)) : 0</c> at the position of the enclosing loops.</summary>
internal sealed class RankLookupStmt : Stmt
{
    public RankLookupStmt(RankedSum sum) { Sum = sum; }
    public RankedSum Sum { get; }
}

/// <summary>The expressions the statements of a ranked sum evaluate.</summary>
internal static class RankedSumExpressions
{
    public static IEnumerable<Node> OfElement(RankedSum s)
    {
        if (s.ElementKey is { } k) yield return k;
        yield return s.ElementValue;
    }

    public static IEnumerable<Node> OfLookup(RankedSum s)
    {
        yield return s.ReaderKey;
        if (s.ReaderIndex is { } t) yield return t;
        if (s.ReaderCondition is { } c) yield return c;
    }
}
