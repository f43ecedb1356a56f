using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The online normalizer of logsumexp and softmax (Milakov and Gimelshein, 2018): one sweep computes the maximum m of
/// the values v and the sum s = sum(exp(v - m)) relative to it, rescaling s whenever m grows. Generated kernels keep
/// (m, s) per vector lane, fold the lanes with <see cref="Combine{TS, TV}"/> into a <see cref="State"/>, finish the tail
/// with <see cref="Add"/> and convert s to the sum the expression asked for (relative to its own shift) with
/// <see cref="Rescale"/>. The pair is passed by value, so that the kernel's locals stay in registers.
/// </summary>
/// <remarks>
/// Each element costs one exponential, exp(-|v - m|): if v &gt; m the old sum is scaled by it and the new element
/// contributes 1, otherwise the element contributes it. Equal values (including m = v = -inf, where v - m is NaN)
/// contribute exp(0) = 1, so a row of -inf gives m = -inf and a finite s, and <see cref="Rescale"/> to a finite shift
/// gives 0, as the two-sweep form does. A NaN value makes s NaN.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class OnlineSumExp
{
    /// <summary>
    /// The row length from which generated kernels use the online sweep; shorter rows take a max sweep and a sum sweep.
    /// The planner decides it (<c>Planner.OnlineMinimumLength</c>, where the measurements are), and generated code prints it.
    /// </summary>
    public const int MinimumLength = LossDsl.Language.Planning.Planner.OnlineMinimumLength;

    /// <summary>A running pair: the maximum so far and the sum of exp(v - <see cref="Max"/>) over the values so far.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly record struct State(float Max, float Sum)
    {
        /// <summary>The pair of no values: (-inf, 0).</summary>
        public static State Empty => new(float.NegativeInfinity, 0f);
    }

    /// <summary>
    /// One online step in every lane: t = exp(-|v - max|) (1 where they are equal); a new maximum scales the sum by t
    /// and adds 1, otherwise t is added. The vector loops of generated kernels call it, and <see cref="Add"/> for the tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (TV Max, TV Sum) Step<TS, TV>(TV max, TV sum, TV value) where TS : struct, ISimdOps<TV> where TV : struct
    {
        TV one = TS.Broadcast(1f);
        TV t = TS.Select(TS.Equal(value, max), one, TS.Exp(TS.Negate(TS.Abs(TS.Subtract(value, max)))));
        return (TS.Max(max, value), TS.Select(TS.GreaterThan(value, max), TS.MultiplyAdd(sum, t, one), TS.Add(sum, t)));
    }

    /// <summary><see cref="Step{TS, TV}"/> as a call, for vector bodies past their inlining budget (see <c>SimdCall</c>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (TV Max, TV Sum) StepOutOfLine<TS, TV>(TV max, TV sum, TV value) where TS : struct, ISimdOps<TV> where TV : struct
        => Step<TS, TV>(max, sum, value);

    /// <summary>Adds one value to a running pair (<see cref="Step{TS, TV}"/> on one lane).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static State Add(State state, float value)
    {
        var (max, sum) = Step<Scalar, float>(state.Max, state.Sum, value);
        return new State(max, sum);
    }

    /// <summary>Merges the per-lane pairs (<paramref name="laneMax"/>, <paramref name="laneSum"/>) into a running pair, in a fixed lane order.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static State Combine<TS, TV>(TV laneMax, TV laneSum, State state) where TS : struct, ISimdOps<TV> where TV : struct
    {
        float m = TS.MaxAcross(laneMax);
        TV shift = TS.Broadcast(m);
        TV factor = TS.Select(TS.Equal(laneMax, shift), TS.Broadcast(1f), TS.Exp(TS.Subtract(laneMax, shift)));
        return Merge(state, new State(m, TS.Sum(TS.Multiply(laneSum, factor))));
    }

    /// <summary>Merges two running pairs.</summary>
    public static State Merge(State a, State b)
    {
        float m = MathF.Max(a.Max, b.Max);
        return new State(m, a.Sum * Factor(a.Max, m) + b.Sum * Factor(b.Max, m));
    }

    /// <summary>sum(exp(v - shift)) from the pair: <paramref name="sum"/> * exp(<paramref name="max"/> - <paramref name="shift"/>).</summary>
    public static float Rescale(float sum, float max, float shift) => sum * Factor(max, shift);

    /// <summary>exp(from - to), and 1 when they are equal (also both infinite).</summary>
    private static float Factor(float from, float to) => from == to ? 1f : Scalar.Exp(from - to);
}
