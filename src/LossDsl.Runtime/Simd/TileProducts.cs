using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Simd;

/// <summary>
/// The matrix products of tiled pair spaces, as register-blocked micro-kernels in the manner of BLAS: the similarity
/// tile of a row block against a column tile (<see cref="Contract{TS, TV}"/>, over a panel the column operand was
/// packed into by <see cref="PackPanel"/>), and the accumulation of a weight tile times the column operand's rows into
/// a row block's accumulators (<see cref="AccumulateProduct{TS, TV}"/>). Both keep a block of 6 rows by 2 vectors of
/// accumulators in registers across the whole contraction (12 independent fused multiply-adds, enough to cover the FMA
/// latency on two FMA ports, and 15 of the 16 vector registers of AVX2), with 8 loads per 12 FMAs; the rows left over
/// take a block of 4, then of 1. Measured on the AVX2 development VM, in cache: 6 x 2 reached 70-80 GFLOP/s where
/// 4 x 2 reached 53-68 and 4 x 3 55-75 (docs/benchmarks.md). Generated pair-space kernels call them; each call is
/// deterministic (a fixed order of operations for a given width).
/// </summary>
public static unsafe class TileProducts
{
    /// <summary>
    /// Packs rows <c>[row0, row0 + count)</c> of a row-major matrix (leading dimension <paramref name="ld"/>) into a
    /// panel laid out depth-major: <c>panel[d * width + r] = m[(row0 + r) * ld + d]</c> for <c>d &lt; depth</c>;
    /// columns <c>r</c> from <paramref name="count"/> to <paramref name="width"/> are zero.
    /// </summary>
    public static void PackPanel(float* m, int ld, int row0, int count, int depth, float* panel, int width)
    {
        if ((uint)count > (uint)width) throw new ArgumentOutOfRangeException(nameof(count));
        for (int d = 0; d < depth; d++)
        {
            float* destination = panel + (nint)d * width;
            float* source = m + (nint)row0 * ld + d;
            int r = 0;
            for (; r + 4 <= count; r += 4)
            {
                destination[r] = source[(nint)r * ld];
                destination[r + 1] = source[(nint)(r + 1) * ld];
                destination[r + 2] = source[(nint)(r + 2) * ld];
                destination[r + 3] = source[(nint)(r + 3) * ld];
            }
            for (; r < count; r++) destination[r] = source[(nint)r * ld];
            for (; r < width; r++) destination[r] = 0f;
        }
    }

    /// <summary>
    /// <c>c[r * ldc + j] = sum over d of a[r * lda + d] * panel[d * width + j]</c> for <c>r &lt; rows</c> and
    /// <c>j &lt; width</c>. <paramref name="width"/> must be a multiple of <c>2 * TS.Count</c>.
    /// </summary>
    public static void Contract<TS, TV>(float* a, int lda, int rows, float* panel, int width, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        int step = 2 * TS.Count;
        if (width % step != 0) throw new ArgumentException($"The panel width {width} must be a multiple of {step}.", nameof(width));
        int r = 0;
        for (; r + 6 <= rows; r += 6)
            for (int j = 0; j < width; j += step)
                ContractBlock6<TS, TV>(a + (nint)r * lda, lda, panel + j, width, depth, c + (nint)r * ldc + j, ldc);
        for (; r + 4 <= rows; r += 4)
            for (int j = 0; j < width; j += step)
                ContractBlock4<TS, TV>(a + (nint)r * lda, lda, panel + j, width, depth, c + (nint)r * ldc + j, ldc);
        for (; r < rows; r++)
            for (int j = 0; j < width; j += step)
                ContractBlock1<TS, TV>(a + (nint)r * lda, panel + j, width, depth, c + (nint)r * ldc + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContractBlock6<TS, TV>(float* a, int lda, float* p, int width, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV zero = TS.Broadcast(0f);
        TV c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero;
        TV c30 = zero, c31 = zero, c40 = zero, c41 = zero, c50 = zero, c51 = zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * (nint)lda, a3 = a + 3 * (nint)lda, a4 = a + 4 * (nint)lda, a5 = a + 5 * (nint)lda;
        for (int d = 0; d < depth; d++)
        {
            TV p0 = TS.Load(p), p1 = TS.Load(p + TS.Count);
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
            p += width;
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
    private static void ContractBlock4<TS, TV>(float* a, int lda, float* p, int width, int depth, float* c, int ldc)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV zero = TS.Broadcast(0f);
        TV c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * (nint)lda, a3 = a + 3 * (nint)lda;
        for (int d = 0; d < depth; d++)
        {
            TV p0 = TS.Load(p), p1 = TS.Load(p + TS.Count);
            TV x = TS.Broadcast(a0[d]);
            c00 = TS.MultiplyAdd(x, p0, c00); c01 = TS.MultiplyAdd(x, p1, c01);
            x = TS.Broadcast(a1[d]);
            c10 = TS.MultiplyAdd(x, p0, c10); c11 = TS.MultiplyAdd(x, p1, c11);
            x = TS.Broadcast(a2[d]);
            c20 = TS.MultiplyAdd(x, p0, c20); c21 = TS.MultiplyAdd(x, p1, c21);
            x = TS.Broadcast(a3[d]);
            c30 = TS.MultiplyAdd(x, p0, c30); c31 = TS.MultiplyAdd(x, p1, c31);
            p += width;
        }
        TS.Store(c00, c); TS.Store(c01, c + TS.Count);
        TS.Store(c10, c + ldc); TS.Store(c11, c + ldc + TS.Count);
        TS.Store(c20, c + 2 * (nint)ldc); TS.Store(c21, c + 2 * (nint)ldc + TS.Count);
        TS.Store(c30, c + 3 * (nint)ldc); TS.Store(c31, c + 3 * (nint)ldc + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ContractBlock1<TS, TV>(float* a, float* p, int width, int depth, float* c)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV c0 = TS.Broadcast(0f), c1 = c0;
        for (int d = 0; d < depth; d++)
        {
            TV x = TS.Broadcast(a[d]);
            c0 = TS.MultiplyAdd(x, TS.Load(p), c0);
            c1 = TS.MultiplyAdd(x, TS.Load(p + TS.Count), c1);
            p += width;
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
        int i = 0;
        for (; i + 6 <= rows; i += 6)
        {
            int e = 0;
            for (; e + step <= depth; e += step)
                AccumulateBlock6<TS, TV>(g + (nint)i * ldg, ldg, count, q + e, ldq, r + (nint)i * ldr + e, ldr);
            for (int k = 0; k < 6; k++)
                AccumulateTail(g + (nint)(i + k) * ldg, count, q, ldq, e, depth, r + (nint)(i + k) * ldr);
        }
        for (; i + 4 <= rows; i += 4)
        {
            int e = 0;
            for (; e + step <= depth; e += step)
                AccumulateBlock4<TS, TV>(g + (nint)i * ldg, ldg, count, q + e, ldq, r + (nint)i * ldr + e, ldr);
            for (int k = 0; k < 4; k++)
                AccumulateTail(g + (nint)(i + k) * ldg, count, q, ldq, e, depth, r + (nint)(i + k) * ldr);
        }
        for (; i < rows; i++)
        {
            int e = 0;
            for (; e + step <= depth; e += step)
                AccumulateBlock1<TS, TV>(g + (nint)i * ldg, count, q + e, ldq, r + (nint)i * ldr + e);
            AccumulateTail(g + (nint)i * ldg, count, q, ldq, e, depth, r + (nint)i * ldr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlock6<TS, TV>(float* g, int ldg, int count, float* q, int ldq, float* r, int ldr)
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
            q += ldq;
        }
        TS.Store(c00, r); TS.Store(c01, r + TS.Count);
        TS.Store(c10, r + l); TS.Store(c11, r + l + TS.Count);
        TS.Store(c20, r + 2 * l); TS.Store(c21, r + 2 * l + TS.Count);
        TS.Store(c30, r + 3 * l); TS.Store(c31, r + 3 * l + TS.Count);
        TS.Store(c40, r + 4 * l); TS.Store(c41, r + 4 * l + TS.Count);
        TS.Store(c50, r + 5 * l); TS.Store(c51, r + 5 * l + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlock4<TS, TV>(float* g, int ldg, int count, float* q, int ldq, float* r, int ldr)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        float* r1 = r + ldr, r2 = r + 2 * (nint)ldr, r3 = r + 3 * (nint)ldr;
        TV c00 = TS.Load(r), c01 = TS.Load(r + TS.Count);
        TV c10 = TS.Load(r1), c11 = TS.Load(r1 + TS.Count);
        TV c20 = TS.Load(r2), c21 = TS.Load(r2 + TS.Count);
        TV c30 = TS.Load(r3), c31 = TS.Load(r3 + TS.Count);
        float* g0 = g, g1 = g + ldg, g2 = g + 2 * (nint)ldg, g3 = g + 3 * (nint)ldg;
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
            q += ldq;
        }
        TS.Store(c00, r); TS.Store(c01, r + TS.Count);
        TS.Store(c10, r1); TS.Store(c11, r1 + TS.Count);
        TS.Store(c20, r2); TS.Store(c21, r2 + TS.Count);
        TS.Store(c30, r3); TS.Store(c31, r3 + TS.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlock1<TS, TV>(float* g, int count, float* q, int ldq, float* r)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV c0 = TS.Load(r), c1 = TS.Load(r + TS.Count);
        for (int j = 0; j < count; j++)
        {
            TV x = TS.Broadcast(g[j]);
            c0 = TS.MultiplyAdd(x, TS.Load(q), c0);
            c1 = TS.MultiplyAdd(x, TS.Load(q + TS.Count), c1);
            q += ldq;
        }
        TS.Store(c0, r);
        TS.Store(c1, r + TS.Count);
    }

    /// <summary>The columns <c>[from, depth)</c> of one row, one at a time.</summary>
    private static void AccumulateTail(float* g, int count, float* q, int ldq, int from, int depth, float* r)
    {
        for (int e = from; e < depth; e++)
        {
            float sum = r[e];
            float* column = q + e;
            for (int j = 0; j < count; j++) sum = MathF.FusedMultiplyAdd(g[j], column[(nint)j * ldq], sum);
            r[e] = sum;
        }
    }
}
