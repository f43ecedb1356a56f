using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The matrix products of tiled pair spaces, as register-blocked micro-kernels in the manner of BLAS: the similarity
/// tile of a row block against a column tile (<see cref="Contract{TS, TV}"/>, over a panel the column operand was
/// packed into by <see cref="PackPanel"/>), the accumulation of a weight tile times the column operand's rows into a
/// row block's accumulators (<see cref="AccumulateProduct{TS, TV}"/>), and its transposed form for the column side
/// (<see cref="AccumulateTransposedProduct{TS, TV}"/>). All three keep a block of 6 rows by 2 vectors of accumulators
/// in registers across the whole contraction (12 independent fused multiply-adds, enough to cover the FMA latency on
/// two FMA ports, and 15 of the 16 vector registers of AVX2), with 8 loads per 12 FMAs; the rows left over take a
/// block of 4 (or 1). The vector operand of each block is read from a contiguous strip, as GotoBLAS reads its packed
/// micro-panels: the panel is packed in strips of <see cref="PanelStrip"/> columns, and the accumulations copy each
/// strip of the operand's columns into a small buffer before the row blocks run over it (a row-major operand with a
/// leading dimension of 512 floats puts 128 rows in 2 sets of the L1 cache; the copy made the accumulation 20-30%
/// faster on the AVX2 development VM). Generated pair-space kernels call them; each call is deterministic (a fixed
/// order of operations for a given width: every output is a sum in the order of the contraction).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class TileProducts
{
    /// <summary>The columns of a panel strip: a panel's width must be a multiple of it.</summary>
    public const int PanelStrip = 16;

    /// <summary>The most rows of an operand strip copied at once by the accumulations.</summary>
    private const int StripRows = 256;

    /// <summary>
    /// Packs rows <c>[row0, row0 + count)</c> of a row-major matrix (leading dimension <paramref name="ld"/>) into a
    /// panel of <paramref name="width"/> columns laid out in strips of <see cref="PanelStrip"/> columns, each
    /// depth-major: <c>panel[(r / 16) * 16 * depth + d * 16 + r % 16] = m[(row0 + r) * ld + d]</c> for
    /// <c>d &lt; depth</c>; columns <c>r</c> from <paramref name="count"/> to <paramref name="width"/> are zero.
    /// </summary>
    public static void PackPanel(float* m, int ld, int row0, int count, int depth, float* panel, int width)
    {
        if ((uint)count > (uint)width) throw new ArgumentOutOfRangeException(nameof(count));
        if (width % PanelStrip != 0) throw new ArgumentException($"The panel width {width} must be a multiple of {PanelStrip}.", nameof(width));
        for (int s = 0; s < width; s += PanelStrip)
        {
            float* strip = panel + (nint)s * depth;
            int live = Math.Clamp(count - s, 0, PanelStrip);
            for (int d = 0; d < depth; d++)
            {
                float* destination = strip + (nint)d * PanelStrip;
                float* source = m + (nint)(row0 + s) * ld + d;
                int r = 0;
                for (; r + 4 <= live; r += 4)
                {
                    destination[r] = source[(nint)r * ld];
                    destination[r + 1] = source[(nint)(r + 1) * ld];
                    destination[r + 2] = source[(nint)(r + 2) * ld];
                    destination[r + 3] = source[(nint)(r + 3) * ld];
                }
                for (; r < live; r++) destination[r] = source[(nint)r * ld];
                for (; r < PanelStrip; r++) destination[r] = 0f;
            }
        }
    }

    /// <summary>
    /// <c>c[r * ldc + j] = sum over d of a[r * lda + d] * panel(d, j)</c> for <c>r &lt; rows</c> and <c>j &lt; width</c>,
    /// over a panel of <see cref="PackPanel"/>. <paramref name="width"/> must be a multiple of <see cref="PanelStrip"/>
    /// and of <c>2 * TS.Count</c>.
    /// </summary>
    public static void Contract<TS, TV>(float* a, int lda, int rows, float* panel, int width, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        int step = 2 * TS.Count;
        if (width % step != 0 || width % PanelStrip != 0)
            throw new ArgumentException($"The panel width {width} must be a multiple of {Math.Max(step, PanelStrip)}.", nameof(width));
        int r = 0;
        for (; r + 6 <= rows; r += 6)
            for (int j = 0; j < width; j += step)
                ContractBlock6<TS, TV>(a + (nint)r * lda, lda, StripColumn(panel, j, depth), StripColumn(panel, j + TS.Count, depth), depth, c + (nint)r * ldc + j, ldc);
        for (; r + 4 <= rows; r += 4)
            for (int j = 0; j < width; j += step)
                ContractBlock4<TS, TV>(a + (nint)r * lda, lda, StripColumn(panel, j, depth), StripColumn(panel, j + TS.Count, depth), depth, c + (nint)r * ldc + j, ldc);
        for (; r < rows; r++)
            for (int j = 0; j < width; j += step)
                ContractBlock1<TS, TV>(a + (nint)r * lda, StripColumn(panel, j, depth), StripColumn(panel, j + TS.Count, depth), depth, c + (nint)r * ldc + j);
    }

    /// <summary>Where column <paramref name="j"/> of a packed panel starts (depth 0); the next depth is <see cref="PanelStrip"/> further.</summary>
    private static float* StripColumn(float* panel, int j, int depth) => panel + (nint)(j / PanelStrip) * PanelStrip * depth + j % PanelStrip;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContractBlock6<TS, TV>(float* a, int lda, float* p, float* q, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV zero = TS.Broadcast(0f);
        TV c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero;
        TV c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * (nint)lda, a3 = a + 3 * (nint)lda, a4 = a + 4 * (nint)lda, a5 = a + 5 * (nint)lda;
        for (int d = 0; d < depth; d++)
        {
            TV p0 = TS.Load(p), p1 = TS.Load(q);
            TV x = TS.Broadcast(a0[d]);
            c00 = TS.MultiplyAdd(x, p0, c00); c01 = TS.MultiplyAdd(x, p1, c01);
            x = TS.Broadcast(a1[d]);
            c10 = TS.MultiplyAdd(x, p0, c10); c11 = TS.MultiplyAdd(x, p1, c11);
            x = TS.Broadcast(a2[d]);
            c20 = TS.MultiplyAdd(x, p0, c20); c21 = TS.MultiplyAdd(x, p1, c21);
            x = TS.Broadcast(a3[d]);
            c30 = TS.MultiplyAdd(x, p0, c30); c31 = TS.MultiplyAdd(x, p1, c31);
            x = TS.Broadcast(a4[d]);
            c40 = TS.MultiplyAdd(x, p0, c40); c41 = TS.MultiplyAdd(x, p1, c41);
            x = TS.Broadcast(a5[d]);
            c50 = TS.MultiplyAdd(x, p0, c50); c51 = TS.MultiplyAdd(x, p1, c51);
            p += PanelStrip; q += PanelStrip;
        }
        nint l = ldc;
        TS.Store(c00, c); TS.Store(c01, c + TS.Count);
        TS.Store(c10, c + l); TS.Store(c11, c + l + TS.Count);
        TS.Store(c20, c + 2 * l); TS.Store(c21, c + 2 * l + TS.Count);
        TS.Store(c30, c + 3 * l); TS.Store(c31, c + 3 * l + TS.Count);
        TS.Store(c40, c + 4 * l); TS.Store(c41, c + 4 * l + TS.Count);
        TS.Store(c50, c + 5 * l); TS.Store(c51, c + 5 * l + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContractBlock4<TS, TV>(float* a, int lda, float* p, float* q, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV zero = TS.Broadcast(0f);
        TV c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * (nint)lda, a3 = a + 3 * (nint)lda;
        for (int d = 0; d < depth; d++)
        {
            TV p0 = TS.Load(p), p1 = TS.Load(q);
            TV x = TS.Broadcast(a0[d]);
            c00 = TS.MultiplyAdd(x, p0, c00); c01 = TS.MultiplyAdd(x, p1, c01);
            x = TS.Broadcast(a1[d]);
            c10 = TS.MultiplyAdd(x, p0, c10); c11 = TS.MultiplyAdd(x, p1, c11);
            x = TS.Broadcast(a2[d]);
            c20 = TS.MultiplyAdd(x, p0, c20); c21 = TS.MultiplyAdd(x, p1, c21);
            x = TS.Broadcast(a3[d]);
            c30 = TS.MultiplyAdd(x, p0, c30); c31 = TS.MultiplyAdd(x, p1, c31);
            p += PanelStrip; q += PanelStrip;
        }
        TS.Store(c00, c); TS.Store(c01, c + TS.Count);
        TS.Store(c10, c + ldc); TS.Store(c11, c + ldc + TS.Count);
        TS.Store(c20, c + 2 * (nint)ldc); TS.Store(c21, c + 2 * (nint)ldc + TS.Count);
        TS.Store(c30, c + 3 * (nint)ldc); TS.Store(c31, c + 3 * (nint)ldc + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContractBlock1<TS, TV>(float* a, float* p, float* q, int depth, float* c)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV c0 = TS.Broadcast(0f), c1 = c0;
        for (int d = 0; d < depth; d++)
        {
            TV x = TS.Broadcast(a[d]);
            c0 = TS.MultiplyAdd(x, TS.Load(p), c0);
            c1 = TS.MultiplyAdd(x, TS.Load(q), c1);
            p += PanelStrip; q += PanelStrip;
        }
        TS.Store(c0, c);
        TS.Store(c1, c + TS.Count);
    }

    /// <summary>
    /// <c>r[i * ldr + e] += sum over j &lt; count of g[i * ldg + j] * q[j * ldq + e]</c> for <c>i &lt; rows</c> and
    /// <c>e &lt; depth</c>: a block of accumulators gains a weight tile times the rows of an operand.
    /// </summary>
    public static void AccumulateProduct<TS, TV>(float* g, int ldg, int rows, int count, float* q, int ldq, int depth, float* r, int ldr)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        int step = 2 * TS.Count;
        float* strip = stackalloc float[StripRows * step];
        for (int j0 = 0; j0 < count; j0 += StripRows)
        {
            // The rows [j0, j0 + n) of the contraction; the sums go on in order from where the previous rows left them.
            int n = Math.Min(StripRows, count - j0);
            float* gj = g + j0, qj = q + (nint)j0 * ldq;
            int e = 0;
            for (; e + step <= depth; e += step)
            {
                CopyStrip<TS, TV>(qj + e, ldq, n, strip);
                int i = 0;
                for (; i + 6 <= rows; i += 6) AccumulateBlock6<TS, TV>(gj + (nint)i * ldg, ldg, n, strip, r + (nint)i * ldr + e, ldr);
                for (; i < rows; i++) AccumulateBlock1<TS, TV>(gj + (nint)i * ldg, n, strip, r + (nint)i * ldr + e);
            }
            for (int i = 0; i < rows; i++) AccumulateTail(gj + (nint)i * ldg, 1, n, qj, ldq, e, depth, r + (nint)i * ldr);
        }
    }

    /// <summary>
    /// <c>r[j * ldr + e] += sum over i &lt; rows of g[i * ldg + j] * q[i * ldq + e]</c> for <c>j &lt; count</c> and
    /// <c>e &lt; depth</c>: the accumulators of a tile's columns gain the weight tile, transposed, times the rows of an
    /// operand (a column back contraction), without a transposed copy: a block of 6 columns broadcasts 6 neighbouring
    /// weights of a row.
    /// </summary>
    public static void AccumulateTransposedProduct<TS, TV>(float* g, int ldg, int rows, int count, float* q, int ldq, int depth, float* r, int ldr)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        int step = 2 * TS.Count;
        float* strip = stackalloc float[StripRows * step];
        for (int i0 = 0; i0 < rows; i0 += StripRows)
        {
            int n = Math.Min(StripRows, rows - i0);
            float* gi = g + (nint)i0 * ldg, qi = q + (nint)i0 * ldq;
            int e = 0;
            for (; e + step <= depth; e += step)
            {
                CopyStrip<TS, TV>(qi + e, ldq, n, strip);
                int j = 0;
                for (; j + 6 <= count; j += 6) TransposedBlock6<TS, TV>(gi + j, ldg, n, strip, r + (nint)j * ldr + e, ldr);
                for (; j < count; j++) TransposedBlock1<TS, TV>(gi + j, ldg, n, strip, r + (nint)j * ldr + e);
            }
            for (int j = 0; j < count; j++) AccumulateTail(gi + j, ldg, n, qi, ldq, e, depth, r + (nint)j * ldr);
        }
    }

    /// <summary>Copies 2 vectors of each of <paramref name="n"/> rows (leading dimension <paramref name="ld"/>) into a contiguous strip.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyStrip<TS, TV>(float* q, int ld, int n, float* strip)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        for (int k = 0; k < n; k++)
        {
            TS.Store(TS.Load(q), strip);
            TS.Store(TS.Load(q + TS.Count), strip + TS.Count);
            q += ld; strip += 2 * TS.Count;
        }
    }

    /// <summary>6 rows of accumulators gain <c>sum over j of g[k * ldg + j] * strip[j]</c> (the strip holds 2 vectors per j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlock6<TS, TV>(float* g, int ldg, int count, float* q, float* r, int ldr)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        nint l = ldr;
        TV c00 = TS.Load(r), c01 = TS.Load(r + TS.Count);
        TV c10 = TS.Load(r + l), c11 = TS.Load(r + l + TS.Count);
        TV c20 = TS.Load(r + 2 * l), c21 = TS.Load(r + 2 * l + TS.Count);
        TV c30 = TS.Load(r + 3 * l), c31 = TS.Load(r + 3 * l + TS.Count);
        TV c40 = TS.Load(r + 4 * l), c41 = TS.Load(r + 4 * l + TS.Count);
        TV c50 = TS.Load(r + 5 * l), c51 = TS.Load(r + 5 * l + TS.Count);
        nint m = ldg;
        float* g0 = g, g1 = g + m, g2 = g + 2 * m, g3 = g + 3 * m, g4 = g + 4 * m, g5 = g + 5 * m;
        for (int j = 0; j < count; j++)
        {
            TV q0 = TS.Load(q), q1 = TS.Load(q + TS.Count);
            TV x = TS.Broadcast(g0[j]);
            c00 = TS.MultiplyAdd(x, q0, c00); c01 = TS.MultiplyAdd(x, q1, c01);
            x = TS.Broadcast(g1[j]);
            c10 = TS.MultiplyAdd(x, q0, c10); c11 = TS.MultiplyAdd(x, q1, c11);
            x = TS.Broadcast(g2[j]);
            c20 = TS.MultiplyAdd(x, q0, c20); c21 = TS.MultiplyAdd(x, q1, c21);
            x = TS.Broadcast(g3[j]);
            c30 = TS.MultiplyAdd(x, q0, c30); c31 = TS.MultiplyAdd(x, q1, c31);
            x = TS.Broadcast(g4[j]);
            c40 = TS.MultiplyAdd(x, q0, c40); c41 = TS.MultiplyAdd(x, q1, c41);
            x = TS.Broadcast(g5[j]);
            c50 = TS.MultiplyAdd(x, q0, c50); c51 = TS.MultiplyAdd(x, q1, c51);
            q += 2 * TS.Count;
        }
        TS.Store(c00, r); TS.Store(c01, r + TS.Count);
        TS.Store(c10, r + l); TS.Store(c11, r + l + TS.Count);
        TS.Store(c20, r + 2 * l); TS.Store(c21, r + 2 * l + TS.Count);
        TS.Store(c30, r + 3 * l); TS.Store(c31, r + 3 * l + TS.Count);
        TS.Store(c40, r + 4 * l); TS.Store(c41, r + 4 * l + TS.Count);
        TS.Store(c50, r + 5 * l); TS.Store(c51, r + 5 * l + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlock1<TS, TV>(float* g, int count, float* q, float* r)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV c0 = TS.Load(r), c1 = TS.Load(r + TS.Count);
        for (int j = 0; j < count; j++)
        {
            TV x = TS.Broadcast(g[j]);
            c0 = TS.MultiplyAdd(x, TS.Load(q), c0);
            c1 = TS.MultiplyAdd(x, TS.Load(q + TS.Count), c1);
            q += 2 * TS.Count;
        }
        TS.Store(c0, r);
        TS.Store(c1, r + TS.Count);
    }

    /// <summary>6 columns of accumulators gain <c>sum over i of g[i * ldg + k] * strip[i]</c> (the strip holds 2 vectors per i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposedBlock6<TS, TV>(float* g, int ldg, int rows, float* q, float* r, int ldr)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        nint l = ldr;
        TV c00 = TS.Load(r), c01 = TS.Load(r + TS.Count);
        TV c10 = TS.Load(r + l), c11 = TS.Load(r + l + TS.Count);
        TV c20 = TS.Load(r + 2 * l), c21 = TS.Load(r + 2 * l + TS.Count);
        TV c30 = TS.Load(r + 3 * l), c31 = TS.Load(r + 3 * l + TS.Count);
        TV c40 = TS.Load(r + 4 * l), c41 = TS.Load(r + 4 * l + TS.Count);
        TV c50 = TS.Load(r + 5 * l), c51 = TS.Load(r + 5 * l + TS.Count);
        for (int i = 0; i < rows; i++)
        {
            TV q0 = TS.Load(q), q1 = TS.Load(q + TS.Count);
            TV x = TS.Broadcast(g[0]);
            c00 = TS.MultiplyAdd(x, q0, c00); c01 = TS.MultiplyAdd(x, q1, c01);
            x = TS.Broadcast(g[1]);
            c10 = TS.MultiplyAdd(x, q0, c10); c11 = TS.MultiplyAdd(x, q1, c11);
            x = TS.Broadcast(g[2]);
            c20 = TS.MultiplyAdd(x, q0, c20); c21 = TS.MultiplyAdd(x, q1, c21);
            x = TS.Broadcast(g[3]);
            c30 = TS.MultiplyAdd(x, q0, c30); c31 = TS.MultiplyAdd(x, q1, c31);
            x = TS.Broadcast(g[4]);
            c40 = TS.MultiplyAdd(x, q0, c40); c41 = TS.MultiplyAdd(x, q1, c41);
            x = TS.Broadcast(g[5]);
            c50 = TS.MultiplyAdd(x, q0, c50); c51 = TS.MultiplyAdd(x, q1, c51);
            q += 2 * TS.Count; g += ldg;
        }
        TS.Store(c00, r); TS.Store(c01, r + TS.Count);
        TS.Store(c10, r + l); TS.Store(c11, r + l + TS.Count);
        TS.Store(c20, r + 2 * l); TS.Store(c21, r + 2 * l + TS.Count);
        TS.Store(c30, r + 3 * l); TS.Store(c31, r + 3 * l + TS.Count);
        TS.Store(c40, r + 4 * l); TS.Store(c41, r + 4 * l + TS.Count);
        TS.Store(c50, r + 5 * l); TS.Store(c51, r + 5 * l + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposedBlock1<TS, TV>(float* g, int ldg, int rows, float* q, float* r)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV c0 = TS.Load(r), c1 = TS.Load(r + TS.Count);
        for (int i = 0; i < rows; i++)
        {
            TV x = TS.Broadcast(*g);
            c0 = TS.MultiplyAdd(x, TS.Load(q), c0);
            c1 = TS.MultiplyAdd(x, TS.Load(q + TS.Count), c1);
            q += 2 * TS.Count; g += ldg;
        }
        TS.Store(c0, r);
        TS.Store(c1, r + TS.Count);
    }

    /// <summary>
    /// <c>destination[e] = sum over k &lt; parts of first[k * stride + e]</c> for <c>e &lt; length</c>, adding the parts in
    /// order (the same rounding for any number of threads).
    /// </summary>
    public static void SumParts(float* first, nint stride, int parts, int length, float* destination)
    {
        int e = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; e + Vector256<float>.Count <= length; e += Vector256<float>.Count)
            {
                var sum = Vector256.Load(first + e);
                for (int k = 1; k < parts; k++) sum += Vector256.Load(first + k * stride + e);
                sum.Store(destination + e);
            }
        }
        for (; e < length; e++)
        {
            float sum = first[e];
            for (int k = 1; k < parts; k++) sum += first[k * stride + e];
            destination[e] = sum;
        }
    }

    /// <summary>
    /// The columns <c>[from, depth)</c> of one accumulator row, one at a time:
    /// <c>r[e] += sum over k &lt; n of g[k * stride] * q[k * ldq + e]</c>.
    /// </summary>
    private static void AccumulateTail(float* g, int stride, int n, float* q, int ldq, int from, int depth, float* r)
    {
        for (int e = from; e < depth; e++)
        {
            float sum = r[e];
            for (int k = 0; k < n; k++) sum = MathF.FusedMultiplyAdd(g[(nint)k * stride], q[(nint)k * ldq + e], sum);
            r[e] = sum;
        }
    }
}
