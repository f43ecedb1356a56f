using System;
using System.ComponentModel;
using System.Numerics;
using LossDsl.Language.Scheduling;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// Ranked sums (docs/language.md §6.10): <c>sum[j | key(j) op key'(i)](v(j))</c> for every reader i at once. The elements
/// of one batch point (their keys, values and indices, written by the kernel) are sorted once so that the elements a
/// reader keeps are a prefix of the order, their values replaced by the prefix sums of that order
/// (<see cref="SortAndScan{T}(T*, T*, int*, int, int)"/>); each reader then finds the length of its prefix by a binary search
/// (<see cref="Lookup{T}"/>): O(n log n + readers · log n) instead of O(n · readers).
/// </summary>
/// <remarks>
/// The order: keys ascending (the filters <c>&lt;</c>, <c>&lt;=</c>) or descending (<c>&gt;</c>, <c>&gt;=</c>), every
/// NaN key last (a comparison with NaN is false, so no reader keeps it), keys that compare equal (-0 and +0 too) by their
/// element index, ascending, or descending when a tie-break <c>j &gt; t</c> or <c>j &gt;= t</c> asks so. Every element
/// has its own place, so the order, and therefore every sum, is the same bits at every thread count. Prefix sums are
/// accumulated in double.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class RankedSums
{
    /// <summary>The flags of <see cref="RankMode"/>, as the generated code passes them.</summary>
    public const int Descending = (int)RankMode.Descending, Inclusive = (int)RankMode.Inclusive, TieBreak = (int)RankMode.TieBreak,
        TieDescending = (int)RankMode.TieDescending, TieInclusive = (int)RankMode.TieInclusive, IndexKey = (int)RankMode.IndexKey,
        SelfReader = (int)RankMode.SelfReader;

    /// <summary>
    /// Sorts the <paramref name="n"/> elements of one batch point (<paramref name="keys"/> and <paramref name="values"/>,
    /// in index order on entry) into the order of <paramref name="mode"/>, writes each one's element index to
    /// <paramref name="indices"/> (for the tie-breaks of <see cref="Lookup{T}"/>), and replaces the values by their
    /// inclusive prefix sums in that order. With <see cref="SelfReader"/> (the readers are the elements themselves)
    /// <paramref name="indices"/> receives instead, at each element's own index, the length of the prefix that element
    /// keeps as a reader, so that a lookup is one read. With <see cref="IndexKey"/> the key is the element's index
    /// itself: nothing is sorted, and the values become their prefix sums in index order (suffix sums when
    /// descending), each at its own index.
    /// </summary>
    public static void SortAndScan<T>(T* keys, T* values, int* indices, int n, int mode) where T : unmanaged, IFloatingPointIeee754<T> =>
        SortAndScan(keys, values, indices, n, mode, null, null, 0, null);

    /// <summary>Flags of a shared order (<see cref="SortAndScan{T}(T*, T*, int*, int, int, int*, T*, int, int*)"/>).</summary>
    public const int ReverseSharedOrder = (int)SharedOrderFlags.Reverse, ReverseSharedRuns = (int)SharedOrderFlags.ReverseRuns;

    /// <summary>
    /// <see cref="SortAndScan{T}(T*, T*, int*, int, int)"/>, with two options. With <paramref name="sharedOrder"/> (the
    /// order an earlier sum over the same keys kept, and <paramref name="sharedKeys"/>, its keys in that order) nothing
    /// is sorted: the order and the keys are those, the non-NaN part read backwards with
    /// <see cref="ReverseSharedOrder"/> (the other direction), and each run of equal keys reversed with
    /// <see cref="ReverseSharedRuns"/> (the other tie order): O(n), and the order a sort would give. With
    /// <paramref name="keptOrder"/> the element index at each place of the order is also written there, for a later
    /// sum to share.
    /// </summary>
    public static void SortAndScan<T>(T* keys, T* values, int* indices, int n, int mode, int* sharedOrder, T* sharedKeys, int shared, int* keptOrder)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n <= 0) return;
        if ((mode & IndexKey) != 0)
        {
            double running = 0;
            if ((mode & Descending) != 0)
                for (int j = n - 1; j >= 0; j--) { running += double.CreateTruncating(values[j]); values[j] = T.CreateTruncating(running); }
            else
                for (int j = 0; j < n; j++) { running += double.CreateTruncating(values[j]); values[j] = T.CreateTruncating(running); }
            return;
        }
        bool descending = (mode & Descending) != 0;
        var order = ScratchPool.Rent<T>(n);
        var index = ScratchPool.Rent<int>(n);
        var sorted = ScratchPool.Rent<T>(n);
        try
        {
            // The keys in ascending order of the sort (negated when descending), NaN keys after the others; the runtime's
            // sort of primitive keys (introsort, no comparer calls) carries the element indices.
            int valid;
            if (sharedOrder is null)
            {
                int m = 0;
                for (int k = 0; k < n; k++)
                    if (!T.IsNaN(keys[k])) { order[m] = descending ? -keys[k] : keys[k]; index[m++] = k; }
                valid = m;
                for (int k = 0; k < n; k++)
                    if (T.IsNaN(keys[k])) { order[m] = keys[k]; index[m++] = k; }
                order.AsSpan(0, valid).Sort(index.AsSpan(0, valid));
                // Equal keys (-0 and +0 too) by index: ascending, or descending when the tie-break asks so.
                bool tieDescending = (mode & TieDescending) != 0;
                for (int a = 0; a < valid;)
                {
                    int b = RunEnd(order, a, valid);
                    if (b - a > 1)
                    {
                        var run = index.AsSpan(a, b - a);
                        run.Sort();
                        if (tieDescending) run.Reverse();
                    }
                    a = b;
                }
            }
            else
            {
                // The shared order of the same keys, with its keys: the non-NaN keys first, then the NaN keys.
                valid = 0;
                while (valid < n && !T.IsNaN(sharedKeys[valid])) valid++;
                bool backwards = (shared & ReverseSharedOrder) != 0;
                for (int k = 0; k < n; k++)
                {
                    int place = backwards && k < valid ? valid - 1 - k : k;
                    index[k] = sharedOrder[place];
                    order[k] = k < valid && descending ? -sharedKeys[place] : sharedKeys[place];
                }
                if ((shared & ReverseSharedRuns) != 0)
                    for (int a = 0; a < valid;)
                    {
                        int b = RunEnd(order, a, valid);
                        if (b - a > 1) index.AsSpan(a, b - a).Reverse();
                        a = b;
                    }
            }
            if (keptOrder is not null) new ReadOnlySpan<int>(index, 0, n).CopyTo(new Span<int>(keptOrder, n));
            for (int k = 0; k < n; k++) sorted[k] = values[index[k]];
            double running = 0;
            for (int k = 0; k < n; k++)
            {
                keys[k] = k < valid && descending ? -order[k] : order[k];
                running += double.CreateTruncating(sorted[k]);
                values[k] = T.CreateTruncating(running);
            }
            if ((mode & SelfReader) == 0)
            {
                new ReadOnlySpan<int>(index, 0, n).CopyTo(new Span<int>(indices, n));
                return;
            }
            // Each element as a reader: with a tie-break it keeps the elements before its place (and itself when
            // inclusive); else those whose key is beyond its own, and its equals when inclusive (its tie run's end or
            // start). A NaN key keeps nothing.
            bool tieBreak = (mode & TieBreak) != 0, inclusive = (mode & (tieBreak ? TieInclusive : Inclusive)) != 0;
            for (int a = 0; a < valid;)
            {
                int b = RunEnd(order, a, valid);
                for (int k = a; k < b; k++) indices[index[k]] = tieBreak ? k + (inclusive ? 1 : 0) : inclusive ? b : a;
                a = b;
            }
            for (int k = valid; k < n; k++) indices[index[k]] = 0;
        }
        finally
        {
            ScratchPool.Return(order);
            ScratchPool.Return(index);
            ScratchPool.Return(sorted);
        }
    }

    /// <summary>
    /// The sum of the values of the elements a reader keeps: those whose key compares with <paramref name="key"/> as
    /// <paramref name="mode"/> says (and, with <see cref="TieBreak"/>, those with an equal key whose index compares with
    /// <paramref name="index"/>), found as the length of the prefix of the order they form (a binary search, or with
    /// <see cref="SelfReader"/> the length the sort found for element <paramref name="index"/>). 0 when it keeps none (a
    /// NaN key keeps none).
    /// </summary>
    public static T Lookup<T>(T* keys, T* prefix, int* indices, int n, T key, long index, int mode) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n <= 0) return T.Zero;
        if ((mode & SelfReader) != 0)
        {
            // The reader is element `index`: its prefix length was found by the sort.
            int kept = indices[index];
            return kept == 0 ? T.Zero : prefix[kept - 1];
        }
        if ((mode & IndexKey) != 0)
        {
            // The key is the element index j; the reader's key is the Int `index` (j < t, j <= t, j > t, j >= t).
            bool inclusive = (mode & Inclusive) != 0;
            if ((mode & Descending) != 0)
            {
                long first = inclusive ? index : index + 1;
                if (first >= n) return T.Zero;
                return prefix[Math.Max(first, 0)];
            }
            long last = inclusive ? index : index - 1;
            if (last < 0) return T.Zero;
            return prefix[Math.Min(last, n - 1)];
        }
        if (T.IsNaN(key)) return T.Zero;
        int lo = 0, hi = n; // keeps [0, lo) and not [hi, n)
        while (lo < hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (Keeps(keys[mid], indices[mid], key, index, mode)) lo = mid + 1;
            else hi = mid;
        }
        return lo == 0 ? T.Zero : prefix[lo - 1];
    }

    /// <summary>The end of the run of keys equal to <c>order[a]</c> (-0 and +0 are equal) among the first <paramref name="valid"/>.</summary>
    private static int RunEnd<T>(T[] order, int a, int valid) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int b = a + 1;
        while (b < valid && order[b] == order[a]) b++;
        return b;
    }

    /// <summary>Whether a reader with <paramref name="key"/> (and tie-break index <paramref name="index"/>) keeps an element.</summary>
    private static bool Keeps<T>(T elementKey, int elementIndex, T key, long index, int mode) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(elementKey)) return false;
        bool descending = (mode & Descending) != 0;
        if ((mode & TieBreak) != 0)
        {
            if (descending ? elementKey > key : elementKey < key) return true;
            if (elementKey != key) return false;
            bool tieInclusive = (mode & TieInclusive) != 0;
            return (mode & TieDescending) != 0
                ? tieInclusive ? elementIndex >= index : elementIndex > index
                : tieInclusive ? elementIndex <= index : elementIndex < index;
        }
        bool inclusive = (mode & Inclusive) != 0;
        return descending
            ? inclusive ? elementKey >= key : elementKey > key
            : inclusive ? elementKey <= key : elementKey < key;
    }
}
