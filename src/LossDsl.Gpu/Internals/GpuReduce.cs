using System.ComponentModel;
using ILGPU;
using ILGPU.Algorithms;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// The reductions of generated GPU kernels, deterministic: a warp combines its 32 lanes by a butterfly of
/// <c>ShuffleXor</c> (16, 8, 4, 2, 1; unrolled by hand, as ILGPU 1.5.3 does not unroll), after which every lane holds
/// the same bits (float addition is commutative, so lane a and lane a ^ 16 compute the same sums); a group combines its
/// warps' values through shared memory in warp order; the groups' partials are combined by a single thread in group
/// order. Nothing depends on timing, and the grid depends only on the problem size and the kind of accelerator, so a
/// call gives the same bits every time (GPUs of different models agree to the bit; ILGPU's CPU accelerator, with
/// smaller groups, to float rounding). The kernels assume
/// 32-lane warps (CUDA, or ILGPU's CPU accelerator created with <c>CPUDevice.Nvidia</c>); the generated host code
/// checks it. Infrastructure for generated code; not a public API; may change without notice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GpuReduce
{
    /// <summary>The lanes of a warp the kernels assume.</summary>
    public const int WarpSize = 32;

    /// <summary>Threads per group on a GPU (8 warps).</summary>
    public const int GroupSize = 256;

    /// <summary>The most groups of a launch on a GPU: the grid depends on the problem size only, never on the card.</summary>
    public const int MaxGroups = 1024;

    /// <summary>
    /// Threads per group on an accelerator: <see cref="GroupSize"/> on a GPU, one warp on ILGPU's CPU accelerator
    /// (which runs every thread of a group as a thread of the machine, so that barriers work).
    /// </summary>
    public static int GroupSizeOf(ILGPU.Runtime.Accelerator accelerator) => accelerator.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU ? WarpSize : GroupSize;

    /// <summary>The most groups of a launch on an accelerator: <see cref="MaxGroups"/> on a GPU, 16 on the CPU accelerator.</summary>
    public static int MaxGroupsOf(ILGPU.Runtime.Accelerator accelerator) => accelerator.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU ? 16 : MaxGroups;

    /// <summary>The sum over the warp's lanes, in every lane.</summary>
    public static float WarpSum(float v)
    {
        v += Warp.ShuffleXor(v, 16);
        v += Warp.ShuffleXor(v, 8);
        v += Warp.ShuffleXor(v, 4);
        v += Warp.ShuffleXor(v, 2);
        v += Warp.ShuffleXor(v, 1);
        return v;
    }

    /// <summary>The maximum over the warp's lanes, in every lane.</summary>
    public static float WarpMax(float v)
    {
        v = XMath.Max(v, Warp.ShuffleXor(v, 16));
        v = XMath.Max(v, Warp.ShuffleXor(v, 8));
        v = XMath.Max(v, Warp.ShuffleXor(v, 4));
        v = XMath.Max(v, Warp.ShuffleXor(v, 2));
        v = XMath.Max(v, Warp.ShuffleXor(v, 1));
        return v;
    }

    /// <summary>The minimum over the warp's lanes, in every lane.</summary>
    public static float WarpMin(float v)
    {
        v = XMath.Min(v, Warp.ShuffleXor(v, 16));
        v = XMath.Min(v, Warp.ShuffleXor(v, 8));
        v = XMath.Min(v, Warp.ShuffleXor(v, 4));
        v = XMath.Min(v, Warp.ShuffleXor(v, 2));
        v = XMath.Min(v, Warp.ShuffleXor(v, 1));
        return v;
    }

    /// <summary>
    /// Combines the warp's online (max, sum of exp(v - max)) pairs: every lane ends with the pair of all 32 lanes' values.
    /// </summary>
    public static void WarpOnline(ref float max, ref float sum)
    {
        for (int k = 0; k < 5; k++)
        {
            int offset = 16 >> k;
            float otherMax = Warp.ShuffleXor(max, offset);
            float otherSum = Warp.ShuffleXor(sum, offset);
            // Both lanes of a pair evaluate one expression on the same operands, ordered by lane (the lower lane's
            // pair first), so they get the same bits even where the compiler fuses a product into an addition.
            bool low = (Warp.LaneIdx & offset) == 0;
            float lowMax = low ? max : otherMax, lowSum = low ? sum : otherSum;
            float highMax = low ? otherMax : max, highSum = low ? otherSum : sum;
            float m = XMath.Max(lowMax, highMax);
            sum = lowSum * Factor(lowMax, m) + highSum * Factor(highMax, m);
            max = m;
        }
    }

    /// <summary>One value added to an online (max, sum of exp(v - max)) pair: a new maximum rescales the sum.</summary>
    public static void OnlineAdd(ref float max, ref float sum, float value)
    {
        if (value > max)
        {
            sum = sum * Factor(max, value) + 1f;
            max = value;
        }
        else
        {
            sum += Factor(value, max);
        }
    }

    /// <summary>sum(exp(v - shift)) from an online pair: sum * exp(max - shift), exactly sum when they are equal.</summary>
    public static float Rescale(float sum, float max, float shift) => sum * Factor(max, shift);

    /// <summary>exp(from - to), and 1 when they are equal (also both infinite).</summary>
    private static float Factor(float from, float to) => from == to ? 1f : XMath.Exp(from - to);

    /// <summary>
    /// The group's sum of <paramref name="value"/>, valid in thread 0 (the other threads get the identity).
    /// <paramref name="shared"/> holds at least one float per warp; every thread of the group must call it.
    /// </summary>
    public static float GroupSum(ArrayView<float> shared, float value) => GroupReduce<SumOfWarp>(shared, value);

    /// <summary>The group's maximum, valid in thread 0 (see <see cref="GroupSum"/>).</summary>
    public static float GroupMax(ArrayView<float> shared, float value) => GroupReduce<MaxOfWarp>(shared, value);

    /// <summary>The group's minimum, valid in thread 0 (see <see cref="GroupSum"/>).</summary>
    public static float GroupMin(ArrayView<float> shared, float value) => GroupReduce<MinOfWarp>(shared, value);

    /// <summary>A warp's butterfly reduction and its identity, for <see cref="GroupReduce{TReduction}"/>.</summary>
    private interface IWarpReduction
    {
        float Identity();
        float OverWarp(float value);
    }

    private readonly struct SumOfWarp : IWarpReduction
    {
        public float Identity() => 0f;
        public float OverWarp(float value) => WarpSum(value);
    }

    private readonly struct MaxOfWarp : IWarpReduction
    {
        public float Identity() => float.NegativeInfinity;
        public float OverWarp(float value) => WarpMax(value);
    }

    private readonly struct MinOfWarp : IWarpReduction
    {
        public float Identity() => float.PositiveInfinity;
        public float OverWarp(float value) => WarpMin(value);
    }

    /// <summary>Each warp reduces its lanes, lane 0 of each puts its value in shared memory in warp order, and warp 0 reduces those.</summary>
    private static float GroupReduce<TReduction>(ArrayView<float> shared, float value) where TReduction : struct, IWarpReduction
    {
        var reduction = default(TReduction);
        value = reduction.OverWarp(value);
        int lane = Group.IdxX & (WarpSize - 1), warp = Group.IdxX / WarpSize;
        if (lane == 0) shared[warp] = value;
        Group.Barrier();
        float result = reduction.Identity();
        if (warp == 0)
        {
            result = lane < Group.DimX / WarpSize ? shared[lane] : reduction.Identity();
            result = reduction.OverWarp(result);
        }
        Group.Barrier();
        return result;
    }

    /// <summary>The shared memory a pair-space sweep may take for its tile: 32 KiB.</summary>
    public const int TileFloats = 8192;

    /// <summary>
    /// The rows in a tile of a pair-space sweep whose staged rows hold <paramref name="floatsPerRow"/> floats together:
    /// as many as fit in <see cref="TileFloats"/>, at most 64; 0 when not even one fits (the sweep then reads device
    /// memory).
    /// </summary>
    public static int TileColumns(long floatsPerRow) =>
        floatsPerRow <= 0 ? 64 : floatsPerRow > TileFloats ? 0 : (int)System.Math.Min(64L, TileFloats / floatsPerRow);

    /// <summary>The groups of a launch over <paramref name="work"/> threads' worth of work: at least 1, at most <paramref name="maxGroups"/>.</summary>
    public static int Groups(long work, int groupSize, int maxGroups) => (int)System.Math.Clamp((work + groupSize - 1) / groupSize, 1L, maxGroups);
}
