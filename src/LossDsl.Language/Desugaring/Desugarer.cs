using System.Collections.Generic;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Desugaring;

/// <summary>
/// The desugaring stage: expands a call of a built-in function, once the binder has bound its arguments, binders and
/// filter, into IR operations. <see cref="BuiltinTable.Functions"/> says which expansion each function takes; the
/// longer ones are here. Everything after this stage sees only the operations of <see cref="Op"/>.
/// </summary>
internal static class Desugarer
{
    /// <summary>Expands <paramref name="call"/> as <paramref name="function"/> says.</summary>
    public static Node Expand(FunctionRule function, CallArguments call) => function.Expand(call);

    // ---- Elementwise ---------------------------------------------------------------------------------------------

    /// <summary>softplus(x) = log(1 + e^x); softplus(x, beta) = softplus(beta x) / beta, as torch.nn.Softplus.</summary>
    public static Node Softplus(CallArguments c)
    {
        var g = c.Graph;
        if (c.Count == 1) return g.Unary(Op.Softplus, c[0]);
        return g.Div(g.Unary(Op.Softplus, g.Mul(c[1], c[0])), c[1]);
    }

    /// <summary>x^y; x^2 is x * x, so that the differentiator sees a product.</summary>
    public static Node Power(CallArguments c) => Power(c.Graph, c[0], c[1]);

    /// <summary>x^y; x^2 is x * x (the <c>^</c> operator expands here too).</summary>
    public static Node Power(IrGraph g, Node x, Node y) => y.IsConstValue(2) ? g.Mul(x, x) : g.Binary(Op.Pow, x, y);

    /// <summary>Binary cross-entropy on logits, softplus(x) - x y, whose stable form is max(x, 0) - x y + log1p(exp(-|x|)).</summary>
    public static Node BceLogits(CallArguments c) => c.Graph.Sub(c.Graph.Unary(Op.Softplus, c[0]), c.Graph.Mul(c[0], c[1]));

    // ---- Reductions ------------------------------------------------------------------------------------------------

    /// <summary>The body of a filtered reduction: the identity of the reduction where the filter is false.</summary>
    private static Node Masked(CallArguments c, Node body, double identity) =>
        c.Filter is null ? body : c.Graph.Select(c.Filter, body, c.Graph.Const(identity));

    public static Node Sum(CallArguments c) => c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c[0], 0));

    /// <summary>sum / count, where count is the number of terms the filter keeps.</summary>
    public static Node Mean(CallArguments c) =>
        c.Graph.Div(c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c[0], 0)), c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c.Graph.One, 0)));

    public static Node Max(CallArguments c) => c.Graph.Reduce(ReduceKind.Max, c.Bound, Masked(c, c[0], double.NegativeInfinity), c.Ties);

    public static Node Min(CallArguments c) => c.Graph.Reduce(ReduceKind.Min, c.Bound, Masked(c, c[0], double.PositiveInfinity), c.Ties);

    /// <summary>
    /// The option <c>empty = v</c> of a reduction: <c>where(count &gt; 0, reduction, v)</c>, where count is the number of
    /// elements the filter keeps (the product of the extents without a filter). The reduction's adjoint is then 0
    /// where nothing passes; every element is masked out there, so no element receives a gradient through it.
    /// </summary>
    public static Node WithEmptyValue(CallArguments c, Node reduction, Node value)
    {
        var g = c.Graph;
        if (c.Bound.Length == 0) return reduction;
        var count = g.Reduce(ReduceKind.Sum, c.Bound, Masked(c, g.One, 0));
        return g.Select(g.Binary(Op.Gt, count, g.Zero), reduction, value);
    }

    public static Node LogSumExp(CallArguments c) => LogSumExp(c.Graph, c.Bound, Masked(c, c[0], double.NegativeInfinity));

    /// <summary>The number of terms whose condition is true, or whose value is not zero.</summary>
    public static Node Count(CallArguments c)
    {
        var g = c.Graph;
        var a = c[0];
        var indicator = a.Type == DslType.Bool ? g.ToReal(a) : g.ToReal(g.Binary(Op.Ne, a, g.Zero));
        return g.Reduce(ReduceKind.Sum, c.Bound, Masked(c, indicator, 0));
    }

    public static Node Norm(CallArguments c) =>
        c.Graph.Unary(Op.Sqrt, c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c.Graph.Mul(c[0], c[0]), 0)));

    public static Node Norm1(CallArguments c) => c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c.Graph.Unary(Op.Abs, c[0]), 0));

    public static Node Dot(CallArguments c) => c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c.Graph.Mul(c[0], c[1]), 0));

    // ---- Selections (docs/language.md §6.8) ----------------------------------------------------------------------------

    /// <summary>The K-th smallest kept element (<c>k = K</c>, 1-based, as torch.kthvalue; NaN sorts last).</summary>
    public static Node Kth(CallArguments c) => c.Graph.Kth(c.Bound, c[0], c.Rank!, c.Filter, c.Ties);

    /// <summary>
    /// The lower median, as torch.median: the ((n - 1) div 2 + 1)-th smallest of the n kept elements, and NaN if one
    /// of them is NaN (then the rank is n: NaN sorts last).
    /// </summary>
    public static Node Median(CallArguments c)
    {
        var g = c.Graph;
        var n = KeptCount(c);
        var rank = g.Add(g.Unary(Op.Floor, g.Mul(g.Const(0.5), g.Sub(n, g.One))), g.One);
        return g.Kth(c.Bound, c[0], g.Select(HasNaN(c), n, rank), c.Filter, c.Ties);
    }

    /// <summary>
    /// The q-quantile with linear interpolation, as torch.quantile: at the position p = q (n - 1) of the sorted kept
    /// elements (0-based; n - 1 when one is NaN, so NaN), the neighbours below and above, mixed by w = p - floor(p) as
    /// torch.lerp computes it. Its gradient reaches both neighbours, by the weights 1 - w and w.
    /// </summary>
    public static Node Quantile(CallArguments c)
    {
        var g = c.Graph;
        var last = g.Sub(KeptCount(c), g.One);
        var position = g.Select(HasNaN(c), last, g.Mul(c.Level!, last));
        var below = g.Unary(Op.Floor, position);
        var weight = g.Sub(position, below);
        var low = g.Kth(c.Bound, c[0], g.Add(below, g.One), c.Filter, c.Ties);
        var high = g.Kth(c.Bound, c[0], g.Add(Ceiling(g, position), g.One), c.Filter, c.Ties);
        var difference = g.Sub(high, low);
        // torch.lerp: start + w (end - start) below w = 0.5, end - (1 - w)(end - start) from there.
        return g.Select(g.Binary(Op.Lt, weight, g.Const(0.5)), g.Add(low, g.Mul(weight, difference)), g.Sub(high, g.Mul(g.Sub(g.One, weight), difference)));
    }

    /// <summary>ceil(x) = -floor(-x).</summary>
    private static Node Ceiling(IrGraph g, Node x) => g.Neg(g.Unary(Op.Floor, g.Neg(x)));

    /// <summary>The number of elements a reduction keeps (the product of the extents without a filter).</summary>
    private static Node KeptCount(CallArguments c) => c.Graph.Reduce(ReduceKind.Sum, c.Bound, Masked(c, c.Graph.One, 0));

    /// <summary>Whether a kept element is NaN (the only value not equal to itself).</summary>
    private static Node HasNaN(CallArguments c)
    {
        var g = c.Graph;
        var nan = g.Reduce(ReduceKind.Sum, c.Bound, Masked(c, g.ToReal(g.Binary(Op.Ne, c[0], c[0])), 0));
        return g.Binary(Op.Gt, nan, g.Zero);
    }

    /// <summary>
    /// logsumexp, max-shifted: m = max(e); lse = m + log(sum(exp(e - m))), with m under stop_gradient (the result does
    /// not depend on the shift) and clamped to -3e38 so that an all -inf input gives -inf rather than NaN.
    /// </summary>
    public static Node LogSumExp(IrGraph g, IndexVar[] bound, Node body)
    {
        if (bound.Length == 0) return body;
        var m = g.Reduce(ReduceKind.Max, bound, body);
        var shift = g.StopGrad(g.Binary(Op.Max, m, g.Const(-3e38)));
        var s = g.Reduce(ReduceKind.Sum, bound, g.Unary(Op.Exp, g.Sub(body, shift)));
        return g.Add(shift, g.Unary(Op.Log, s));
    }

    // ---- Along an axis -----------------------------------------------------------------------------------------------

    public static Node Softmax(CallArguments c) => c.Graph.Unary(Op.Exp, LogSoftmax(c));

    /// <summary>log_softmax[c](e) = e - logsumexp over c: the axis stays free in e; the normalizer reduces over a renamed copy.</summary>
    public static Node LogSoftmax(CallArguments c)
    {
        var g = c.Graph;
        var axis = c.Axis!;
        var body = c[0];
        var fresh = g.NewVar(axis.Name, axis.Extent);
        var copy = g.Substitute(body, new Dictionary<int, IndexVar> { [axis.Id] = fresh });
        return g.Sub(body, LogSumExp(g, new[] { fresh }, copy));
    }
}
