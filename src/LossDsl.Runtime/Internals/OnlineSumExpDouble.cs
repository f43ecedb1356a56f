using System;
using System.ComponentModel;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The online normalizer of logsumexp and softmax (<c>OnlineSumExp</c>) in double, for kernels computed in double:
/// one sweep keeps the maximum m and the sum of exp(v - m), rescaling the sum whenever m grows.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class OnlineSumExpDouble
{
    /// <summary>A running pair: the maximum so far and the sum of exp(v - <see cref="Max"/>) over the values so far.</summary>
    /// <param name="Max">The maximum so far.</param>
    /// <param name="Sum">The sum of exp(v - Max) so far.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly record struct State(double Max, double Sum)
    {
        /// <summary>The pair of no values: (-inf, 0).</summary>
        public static State Empty => new(double.NegativeInfinity, 0.0);
    }

    /// <summary>Adds one value: t = exp(-|v - max|) (1 where equal); a new maximum scales the sum by t and adds 1, otherwise t is added.</summary>
    public static State Add(State state, double value)
    {
        double t = value == state.Max ? 1.0 : Math.Exp(-Math.Abs(value - state.Max));
        return new State(Math.Max(state.Max, value), value > state.Max ? state.Sum * t + 1.0 : state.Sum + t);
    }

    /// <summary>sum(exp(v - shift)) from the pair: <paramref name="sum"/> * exp(<paramref name="max"/> - <paramref name="shift"/>) (1 when they are equal).</summary>
    public static double Rescale(double sum, double max, double shift) => max == shift ? sum : sum * Math.Exp(max - shift);
}
