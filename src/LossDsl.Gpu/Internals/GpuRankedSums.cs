using System.ComponentModel;
using ILGPU;
using LossDsl.Internals;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The ranked sums of GPU kernels (docs/language.md §6.10), as <see cref="RankedSums"/> computes them on the CPU: the
/// same order (keys by the mode's direction, NaN last, equal keys by element index), the same binary search. Each
/// batch point is sorted by one thread (a heap sort in place in the scratch buffers, O(n log n), then the values
/// permuted into the order and replaced by their prefix sums in double), so the results are the same bits at every
/// launch; the sort is not parallel within a batch point. A sum over the keys an earlier sum sorted reads that order
/// instead (<see cref="ScanInSharedOrder"/>, O(n)). Every reader searches, <see cref="RankedSums.SelfReader"/>
/// included (the CPU's one-read lookup would need one more buffer of lengths).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GpuRankedSums
{
    /// <summary>Sorts the <paramref name="n"/> elements at <paramref name="start"/> of the buffers and takes prefix sums of their values.</summary>
    public static void SortAndScan(ArrayView<float> keys, ArrayView<float> values, ArrayView<int> indices, long start, int n, int mode)
    {
        if (n <= 0) return;
        if ((mode & RankedSums.IndexKey) != 0)
        {
            double running = 0;
            if ((mode & RankedSums.Descending) != 0)
                for (int j = n - 1; j >= 0; j--) { running += values[start + j]; values[start + j] = (float)running; }
            else
                for (int j = 0; j < n; j++) { running += values[start + j]; values[start + j] = (float)running; }
            return;
        }
        for (int k = 0; k < n; k++) indices[start + k] = k;
        // Heap sort of (key, index) in place: a max-heap of the order, then the largest moved to the end.
        for (int root = n / 2 - 1; root >= 0; root--) SiftDown(keys, indices, start, root, n, mode);
        for (int end = n - 1; end > 0; end--)
        {
            Swap(keys, indices, start, 0, end);
            SiftDown(keys, indices, start, 0, end, mode);
        }
        Permute(values, indices, start, n);
        Scan(values, start, n);
    }

    /// <summary><see cref="SortAndScan(ArrayView{float}, ArrayView{float}, ArrayView{int}, long, int, int)"/>, the order also written to <paramref name="keptOrder"/> for a later sum to share.</summary>
    public static void SortAndScan(ArrayView<float> keys, ArrayView<float> values, ArrayView<int> indices, long start, int n, int mode, ArrayView<int> keptOrder)
    {
        SortAndScan(keys, values, indices, start, n, mode);
        for (int k = 0; k < n; k++) keptOrder[start + k] = indices[start + k];
    }

    /// <summary>
    /// The elements at <paramref name="start"/> in the order an earlier sum over the same keys kept
    /// (<paramref name="sharedOrder"/>, and <paramref name="sharedKeys"/> its keys in that order; see
    /// <see cref="RankedSums.ReverseSharedOrder"/> and <see cref="RankedSums.ReverseSharedRuns"/> for
    /// <paramref name="shared"/>), without a sort, and the prefix sums of their values: the order and the sums a sort gives.
    /// </summary>
    public static void ScanInSharedOrder(ArrayView<float> keys, ArrayView<float> values, ArrayView<int> indices, long start, int n, int mode,
        ArrayView<int> sharedOrder, ArrayView<float> sharedKeys, int shared)
    {
        if (n <= 0) return;
        int valid = 0;
        while (valid < n && !float.IsNaN(sharedKeys[start + valid])) valid++;
        bool backwards = (shared & RankedSums.ReverseSharedOrder) != 0;
        for (int k = 0; k < n; k++)
        {
            int place = backwards && k < valid ? valid - 1 - k : k;
            indices[start + k] = sharedOrder[start + place];
            keys[start + k] = sharedKeys[start + place];
        }
        if ((shared & RankedSums.ReverseSharedRuns) != 0)
            for (int a = 0; a < valid;)
            {
                int b = a + 1;
                while (b < valid && keys[start + b] == keys[start + a]) b++;
                for (int lo = a, hi = b - 1; lo < hi; lo++, hi--) Swap(keys, indices, start, lo, hi);
                a = b;
            }
        Permute(values, indices, start, n);
        Scan(values, start, n);
    }

    /// <summary>
    /// values[k] = values[indices[k]] in place, cycle by cycle (a visited place's index is marked as ~index while the
    /// cycles are walked).
    /// </summary>
    private static void Permute(ArrayView<float> values, ArrayView<int> indices, long start, int n)
    {
        for (int k = 0; k < n; k++)
        {
            if (indices[start + k] < 0) continue;
            float first = values[start + k];
            int current = k;
            while (true)
            {
                int next = indices[start + current];
                indices[start + current] = ~next;
                if (next == k) { values[start + current] = first; break; }
                values[start + current] = values[start + next];
                current = next;
            }
        }
        for (int k = 0; k < n; k++) indices[start + k] = ~indices[start + k];
    }

    /// <summary>The values replaced by their prefix sums, accumulated in double.</summary>
    private static void Scan(ArrayView<float> values, long start, int n)
    {
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            sum += values[start + k];
            values[start + k] = (float)sum;
        }
    }

    private static void SiftDown(ArrayView<float> keys, ArrayView<int> indices, long start, int root, int count, int mode)
    {
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= count) return;
            if (child + 1 < count && Before(keys[start + child], indices[start + child], keys[start + child + 1], indices[start + child + 1], mode)) child++;
            if (!Before(keys[start + root], indices[start + root], keys[start + child], indices[start + child], mode)) return;
            Swap(keys, indices, start, root, child);
            root = child;
        }
    }

    private static void Swap(ArrayView<float> keys, ArrayView<int> indices, long start, int a, int b)
    {
        float key = keys[start + a];
        keys[start + a] = keys[start + b];
        keys[start + b] = key;
        int index = indices[start + a];
        indices[start + a] = indices[start + b];
        indices[start + b] = index;
    }

    /// <summary>Whether (key a, index ia) comes before (key b, index ib) in the order of the mode.</summary>
    private static bool Before(float a, int ia, float b, int ib, int mode)
    {
        bool an = float.IsNaN(a), bn = float.IsNaN(b);
        if (an || bn)
        {
            if (an != bn) return bn;
        }
        else if (a != b) return (mode & RankedSums.Descending) != 0 ? a > b : a < b;
        return (mode & RankedSums.TieDescending) != 0 ? ia > ib : ia < ib;
    }

    /// <summary>The prefix sum of the elements a reader keeps (see <see cref="RankedSums.Lookup{T}"/>).</summary>
    public static float Lookup(ArrayView<float> keys, ArrayView<float> prefix, ArrayView<int> indices, long start, int n, float key, long index, int mode)
    {
        if (n <= 0) return 0f;
        if ((mode & RankedSums.IndexKey) != 0)
        {
            bool inclusive = (mode & RankedSums.Inclusive) != 0;
            if ((mode & RankedSums.Descending) != 0)
            {
                long first = inclusive ? index : index + 1;
                if (first >= n) return 0f;
                return prefix[start + (first < 0 ? 0 : first)];
            }
            long last = inclusive ? index : index - 1;
            if (last < 0) return 0f;
            return prefix[start + (last > n - 1 ? n - 1 : last)];
        }
        if (float.IsNaN(key)) return 0f;
        int lo = 0, hi = n;
        while (lo < hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (Keeps(keys[start + mid], indices[start + mid], key, index, mode)) lo = mid + 1;
            else hi = mid;
        }
        return lo == 0 ? 0f : prefix[start + lo - 1];
    }

    private static bool Keeps(float elementKey, int elementIndex, float key, long index, int mode)
    {
        if (float.IsNaN(elementKey)) return false;
        bool descending = (mode & RankedSums.Descending) != 0;
        if ((mode & RankedSums.TieBreak) != 0)
        {
            if (descending ? elementKey > key : elementKey < key) return true;
            if (elementKey != key) return false;
            bool tieInclusive = (mode & RankedSums.TieInclusive) != 0;
            return (mode & RankedSums.TieDescending) != 0
                ? tieInclusive ? elementIndex >= index : elementIndex > index
                : tieInclusive ? elementIndex <= index : elementIndex < index;
        }
        bool inclusive = (mode & RankedSums.Inclusive) != 0;
        return descending
            ? inclusive ? elementKey >= key : elementKey > key
            : inclusive ? elementKey <= key : elementKey < key;
    }
}
