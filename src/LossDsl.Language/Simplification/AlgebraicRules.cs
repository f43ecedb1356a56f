using System;
using System.Collections.Generic;

namespace LossDsl.Language.Ir;

/// <summary>
/// The simplification stage: local algebraic rewrites applied by every <see cref="IrGraph"/> constructor before a node
/// is interned. Constant folding, identities (x+0, x*1, x*0, x^1, --x), select folding, and for reductions: dropping
/// indices the body does not use (sum multiplies by the extent), and factoring terms that do not depend on the bound
/// indices out of a sum. The rules never change a finite result; like every symbolic AD system they treat 0*x as 0.
/// </summary>
internal sealed partial class IrGraph
{
    private Node? Simplify(Op op, Node[] a)
    {
        // Comparisons and logic are not folded: their Bool type must survive (a constant is Real).
        if (AllConst(a) && op != Op.StopGrad && !IsBoolOp(op)) return FoldConstant(op, a);
        switch (op)
        {
            case Op.Add:
                if (a[0].IsConstValue(0)) return a[1];
                if (a[1].IsConstValue(0)) return a[0];
                if (a[1].Op == Op.Neg) return Sub(a[0], a[1].Args[0]);
                if (a[0].Op == Op.Neg) return Sub(a[1], a[0].Args[0]);
                return Factor(Op.Add, a[0], a[1]);
            case Op.Sub:
                if (a[1].IsConstValue(0)) return a[0];
                if (a[0].IsConstValue(0)) return Neg(a[1]);
                if (ReferenceEquals(a[0], a[1])) return Zero;
                if (a[1].Op == Op.Neg) return Add(a[0], a[1].Args[0]);
                return Factor(Op.Sub, a[0], a[1]);
            case Op.Mul:
                if (a[0].IsConstValue(0) || a[1].IsConstValue(0)) return Zero;
                if (a[0].IsConstValue(1)) return a[1];
                if (a[1].IsConstValue(1)) return a[0];
                if (a[0].IsConstValue(-1)) return Neg(a[1]);
                if (a[1].IsConstValue(-1)) return Neg(a[0]);
                if (a[0].Op == Op.Neg && a[1].Op == Op.Neg) return Mul(a[0].Args[0], a[1].Args[0]);
                if (a[0].Op == Op.Neg) return Neg(Mul(a[0].Args[0], a[1]));
                if (a[1].Op == Op.Neg) return Neg(Mul(a[0], a[1].Args[0]));
                // c1 * (c2 * x) -> (c1*c2) * x
                if (a[0].IsConst && a[1].Op == Op.Mul && a[1].Args[0].IsConst) return Mul(Const(a[0].Value * a[1].Args[0].Value), a[1].Args[1]);
                break;
            case Op.Div:
                if (a[1].IsConstValue(1)) return a[0];
                if (a[0].IsConstValue(0)) return Zero;
                if (a[1].IsConst && a[1].Value != 0) return Mul(Const(1.0 / a[1].Value), a[0]);
                if (a[0].Op == Op.Neg) return Neg(Div(a[0].Args[0], a[1]));
                break;
            case Op.Neg:
                if (a[0].Op == Op.Neg) return a[0].Args[0];
                if (a[0].Op == Op.Sub) return Sub(a[0].Args[1], a[0].Args[0]);
                break;
            case Op.Pow:
                if (a[1].IsConstValue(1)) return a[0];
                if (a[1].IsConstValue(0)) return One;
                break;
            case Op.Abs:
                if (a[0].Op is Op.Abs or Op.Exp or Op.Sigmoid or Op.Softplus or Op.Sqrt) return a[0];
                if (a[0].Op == Op.Neg) return Unary(Op.Abs, a[0].Args[0]);
                break;
            case Op.Not:
                if (a[0].Op == Op.Not) return a[0].Args[0];
                break;
            case Op.Select:
                if (a[0].IsConst) return a[0].Value != 0 ? a[1] : a[2];
                if (IsBoolOp(a[0].Op) && AllConst(a[0].Args)) return FoldConstant(a[0].Op, a[0].Args).Value != 0 ? a[1] : a[2];
                if (ReferenceEquals(a[1], a[2])) return a[1];
                if (a[0].Op == Op.Not) return Select(a[0].Args[0], a[2], a[1]);
                break;
            case Op.And:
                if (ReferenceEquals(a[0], a[1])) return a[0];
                break;
            case Op.Or:
                if (ReferenceEquals(a[0], a[1])) return a[0];
                break;
            case Op.StopGrad:
                if (a[0].IsConst || a[0].Op == Op.StopGrad || a[0].Type != DslType.Real) return a[0];
                break;
        }
        return null;
    }

    /// <summary>
    /// Distributivity: a*c ± b*c = (a ± b)*c. The product rule of differentiation leaves such pairs everywhere
    /// (d/dx of u*v sums two products sharing the adjoint), and each factoring saves a multiplication per element.
    /// </summary>
    private Node? Factor(Op op, Node x, Node y)
    {
        if (x.Op != Op.Mul || y.Op != Op.Mul || x.Type == DslType.Int || y.Type == DslType.Int) return null;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                if (ReferenceEquals(x.Args[i], y.Args[j]))
                    return Mul(Binary(op, x.Args[1 - i], y.Args[1 - j]), x.Args[i]);
        return null;
    }

    private Node? SimplifyReduce(ReduceKind kind, IndexVar[] bound, Node body)
    {
        if (bound.Length == 0) return body; // a reduction over no index is its body
        // Drop bound indices the body does not depend on.
        var used = new List<IndexVar>(bound.Length);
        Node? scale = null;
        foreach (var v in bound)
        {
            if (body.DependsOn(v.Id)) used.Add(v);
            else if (kind == ReduceKind.Sum) scale = scale is null ? ExtentOf(v.Extent) : Mul(scale, ExtentOf(v.Extent));
        }
        if (used.Count != bound.Length)
        {
            var inner = used.Count == 0 ? body : Reduce(kind, used.ToArray(), body);
            return scale is null ? inner : Mul(scale, inner);
        }
        if (kind == ReduceKind.Sum)
        {
            if (body.IsConstValue(0)) return Zero;
            // Factor out terms that do not depend on the bound indices: sum_i(c * f(i)) = c * sum_i(f(i)).
            if (body.Op == Op.Mul)
            {
                bool leftFree = !DependsOnAny(body.Args[0], bound), rightFree = !DependsOnAny(body.Args[1], bound);
                if (leftFree) return Mul(body.Args[0], Reduce(kind, bound, body.Args[1]));
                if (rightFree) return Mul(body.Args[1], Reduce(kind, bound, body.Args[0]));
            }
            if (body.Op == Op.Div && !DependsOnAny(body.Args[1], bound))
                return Div(Reduce(kind, bound, body.Args[0]), body.Args[1]);
            if (body.Op == Op.Neg) return Neg(Reduce(kind, bound, body.Args[0]));
        }
        return null;
    }

    private static bool IsBoolOp(Op op) => op is Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge or Op.And or Op.Or or Op.Not;

    private static bool DependsOnAny(Node n, IndexVar[] vars)
    {
        foreach (var v in vars) if (n.DependsOn(v.Id)) return true;
        return false;
    }

    private static bool AllConst(Node[] a)
    {
        foreach (var n in a) if (n.Op != Op.Const) return false;
        return true;
    }

    private Node FoldConstant(Op op, Node[] a)
    {
        double x = a[0].Value, y = a.Length > 1 ? a[1].Value : 0;
        double r = op switch
        {
            Op.Neg => -x, Op.Add => x + y, Op.Sub => x - y, Op.Mul => x * y, Op.Div => x / y,
            Op.Pow => ScalarMath.Pow(x, y), Op.Min => Math.Min(x, y), Op.Max => Math.Max(x, y),
            Op.Abs => Math.Abs(x), Op.Sign => Math.Sign(x), Op.Sqrt => Math.Sqrt(x), Op.Exp => Math.Exp(x),
            Op.Expm1 => ScalarMath.Expm1(x), Op.Log => Math.Log(x), Op.Log1p => ScalarMath.Log1p(x),
            Op.Sigmoid => ScalarMath.Sigmoid(x), Op.Softplus => ScalarMath.Softplus(x), Op.Tanh => Math.Tanh(x),
            Op.Atan => Math.Atan(x), Op.Erf => ScalarMath.Erf(x), Op.Floor => Math.Floor(x),
            Op.Eq => x == y ? 1 : 0, Op.Ne => x != y ? 1 : 0, Op.Lt => x < y ? 1 : 0, Op.Le => x <= y ? 1 : 0,
            Op.Gt => x > y ? 1 : 0, Op.Ge => x >= y ? 1 : 0, Op.And => (x != 0 && y != 0) ? 1 : 0, Op.Or => (x != 0 || y != 0) ? 1 : 0,
            Op.Not => x == 0 ? 1 : 0,
            Op.Select => x != 0 ? a[1].Value : a[2].Value,
            _ => throw new InvalidOperationException("cannot fold " + op),
        };
        return Const(r);
    }
}

/// <summary>Double-precision reference math shared by constant folding and the interpreter.</summary>
internal static class ScalarMath
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    public static double Log1p(double x)
    {
        if (double.IsNaN(x)) return x;
        if (Math.Abs(x) < 1e-4) return x * (1 - x * (0.5 - x * (1.0 / 3 - x * 0.25)));
        return Math.Log(1 + x);
    }

    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x * (1 + x * (0.5 + x / 6));
        return Math.Exp(x) - 1;
    }

    /// <summary>x^y with the language's semantics (see docs/language.md): 0^0 = 1, negative bases need integral exponents.</summary>
    public static double Pow(double x, double y)
    {
        if (y == 0) return 1;
        return Math.Pow(x, y);
    }

    /// <summary>erf(x) to about 1e-15 (Taylor series near 0, continued fraction erfc otherwise).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        if (ax < 2.5)
        {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x;
            for (int n = 0; n < 200; n++)
            {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.Abs(t) < 1e-17 * Math.Abs(sum)) break;
                term *= -x * x / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc via Lentz continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x+ 1/2/(x+ 1/(x+ 3/2/(x+ ...))))
        double f = ax, c = ax, d = 0, tiny = 1e-300;
        for (int n = 1; n < 300; n++)
        {
            double an = n / 2.0;
            d = ax + an * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = ax + an / c; if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }
}
