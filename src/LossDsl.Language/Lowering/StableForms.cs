using System.Collections.Generic;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Lowering;

/// <summary>
/// The lowering stage, after differentiation: rewrites the compact operations that the differentiator prefers into the
/// numerically stable forms the kernels compute (the <see cref="OperationRule.StableForm"/> of each operation in
/// <see cref="BuiltinTable.Operations"/>), so that the pieces they share are computed once:
/// <list type="bullet">
/// <item><c>softplus(x) = max(x, 0) + log1p(exp(-|x|))</c></item>
/// <item><c>sigmoid(x) = (x &gt;= 0 ? 1 : exp(-|x|)) / (1 + exp(-|x|))</c></item>
/// <item><c>x^k</c> for a constant integer 2 &lt;= |k| &lt;= 4: repeated multiplication (and a reciprocal for k &lt; 0);
/// <c>x^0.5 = sqrt(x)</c>; <c>x^(e-1) = PowFromLog(x, e-1, log|x|)</c>; any other <c>x^e = x^(e-1) * x</c> (exact at
/// x == 0 by a select), so that a focal loss's x^g and its gradient's x^(g-1) share one logarithm and one exponential.</item>
/// </list>
/// With both in a loss and its gradient (BCE, focal), <c>exp(-|x|)</c> and <c>1 + exp(-|x|)</c> are shared.
/// A selection (<see cref="ReduceKind.Kth"/>: kth, median, quantile) becomes a radix select of counts (<see cref="RadixSelect"/>).
/// </summary>
internal static class StableForms
{
    /// <summary>
    /// Lowers <paramref name="root"/>; <paramref name="memo"/> shares the work between the roots of one kernel, whose
    /// Real values have <paramref name="keyBits"/> bits (32 for float, 64 for double: the order keys of a selection).
    /// </summary>
    public static Node Lower(IrGraph g, Node root, Dictionary<Node, Node> memo, int keyBits)
    {
        if (memo.TryGetValue(root, out var done)) return done;
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        Node result;
        if (root.Args.Length == 0) result = root;
        else
        {
            var args = new Node[root.Args.Length];
            bool changed = false;
            for (int i = 0; i < args.Length; i++) { args[i] = Lower(g, root.Args[i], memo, keyBits); changed |= !ReferenceEquals(args[i], root.Args[i]); }
            var n = changed ? g.Rebuild(root, args) : root;
            if (n.Op == Op.Reduce && n.ReduceKind == ReduceKind.Kth)
            {
                result = RadixSelect(g, n, keyBits);
                memo[root] = result;
                return result;
            }
            // A tie rule matters to differentiation only: forgotten here, so maxima that differ in it are one reduction.
            if (n.Op == Op.Reduce && n.Ties != TieRule.Split) n = g.Reduce(n.ReduceKind, n.Bound, n.Args[0]);
            result = BuiltinTable.Rule(n.Op).StableForm?.Invoke(g, n) ?? n;
        }
        memo[root] = result;
        return result;
    }

    /// <summary>
    /// A selection as a radix select (docs/language.md §6.8, §9.3): the K-th smallest kept element is the one whose
    /// order key (the bits of the value mapped so that unsigned order is value order, -0 before +0, every NaN last) is
    /// the largest key T with fewer than K kept keys below T. That key is found from its top bit down: with the bits
    /// found so far, set the next one where fewer than K keys are below the key with it set. Each bit is one count
    /// over the reduced indices, after the previous: 32 sweeps for float (64 for double), O(32 n) with no buffer and no
    /// order of the elements, so the selection runs wherever a sum does (a row, a global pass, a pair space) and is exact
    /// (an element's bits) and deterministic. A rank outside 1..n (an empty set) sets every bit or none: NaN.
    /// </summary>
    public static Node RadixSelect(IrGraph g, Node n, int keyBits)
    {
        var body = n.Args[0];
        var rank = n.Args[1];
        var keep = n.Args.Length > 2 ? n.Args[2] : null;
        var key = g.Zero; // the key with no bit set: +0 has all its bits 0, as float and as double
        for (int bit = keyBits - 1; bit >= 0; bit--)
        {
            var candidate = g.Binary(Op.KeyBit, key, g.Const(bit));
            var below = g.Binary(Op.KeyBelow, body, candidate);
            if (keep is not null) below = g.Binary(Op.And, keep, below);
            var count = g.Reduce(ReduceKind.Sum, n.Bound, g.Select(below, g.One, g.Zero));
            key = g.Select(g.Binary(Op.Ge, count, rank), key, candidate);
        }
        return g.Unary(Op.KeyValue, key);
    }

    /// <summary><c>softplus(x) = max(x, 0) + log1p(exp(-|x|))</c>.</summary>
    public static Node? Softplus(IrGraph g, Node n)
    {
        var x = n.Args[0];
        var t = g.Unary(Op.Exp, g.Neg(g.Unary(Op.Abs, x)));
        return g.Add(g.Binary(Op.Max, x, g.Zero), g.Unary(Op.Log1p, t));
    }

    /// <summary><c>sigmoid(x) = (x &gt;= 0 ? 1 : exp(-|x|)) / (1 + exp(-|x|))</c>.</summary>
    public static Node? Sigmoid(IrGraph g, Node n)
    {
        var x = n.Args[0];
        var t = g.Unary(Op.Exp, g.Neg(g.Unary(Op.Abs, x)));
        var numerator = g.Select(g.Binary(Op.Ge, x, g.Zero), g.One, t);
        return g.Div(numerator, g.Add(g.One, t));
    }

    /// <summary>Powers: products for small constant integers, sqrt, a reciprocal, or a power sharing log|x| (see the class).</summary>
    public static Node? Power(IrGraph g, Node n)
    {
        var x = n.Args[0];
        var y = n.Args[1];
        if (y.IsConst && y.Value == System.Math.Floor(y.Value) && System.Math.Abs(y.Value) >= 2 && System.Math.Abs(y.Value) <= 4)
        {
            int k = (int)System.Math.Abs(y.Value);
            var x2 = g.Mul(x, x);
            var p = k == 2 ? x2 : k == 3 ? g.Mul(x2, x) : g.Mul(x2, x2);
            return y.Value < 0 ? g.Div(g.One, p) : p;
        }
        if (y.IsConstValue(0.5)) return g.Unary(Op.Sqrt, x);
        if (y.IsConstValue(-1)) return g.Div(g.One, x);
        var logAbs = g.Unary(Op.Log, g.Unary(Op.Abs, x));
        // x^(e-1), as the derivative of x^e writes it: computed directly.
        if (y.Op == Op.Sub && y.Args[1].IsConstValue(1)) return g.PowFromLog(x, y, logAbs);
        // Any other x^e is x^(e-1) * x (exact for x == 0 by a select), so that a loss with x^e and its gradient with
        // x^(e-1) (focal losses) compute one exponential, not two.
        var powerOfZero = g.Select(g.Binary(Op.Gt, y, g.Zero), g.Zero, g.Select(g.Binary(Op.Eq, y, g.Zero), g.One, g.Const(double.PositiveInfinity)));
        return g.Select(g.Binary(Op.Eq, x, g.Zero), powerOfZero, g.Mul(g.PowFromLog(x, g.Sub(y, g.One), logAbs), x));
    }
}
