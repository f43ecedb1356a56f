using System.Collections.Generic;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Simplification;

/// <summary>
/// The simplification stage: local algebraic rewrites that every <see cref="IrGraph"/> constructor applies before a node
/// is interned, so the graph is simplified as it is built. Constant folding (with the values of
/// <see cref="BuiltinTable.Operations"/>), identities (x+0, x*1, x*0, x^1, --x), select folding, distributivity, and for
/// reductions: dropping indices the body does not use (a sum multiplies by the extent), and factoring terms that do
/// not depend on the bound indices out of a sum. The rules never change a finite result; like every symbolic AD system
/// they treat 0*x as 0.
/// </summary>
internal sealed class AlgebraicSimplifier
{
    private readonly IrGraph _graph;

    public AlgebraicSimplifier(IrGraph graph) { _graph = graph; }

    private Node Zero => _graph.Zero;
    private Node One => _graph.One;
    private Node Const(double value) => _graph.Const(value);
    private Node Add(Node a, Node b) => _graph.Add(a, b);
    private Node Sub(Node a, Node b) => _graph.Sub(a, b);
    private Node Mul(Node a, Node b) => _graph.Mul(a, b);
    private Node Div(Node a, Node b) => _graph.Div(a, b);
    private Node Neg(Node a) => _graph.Neg(a);

    /// <summary>The simplified form of <c>op(a)</c>, or null when no rule applies.</summary>
    public Node? Simplify(Op op, Node[] a)
    {
        // Comparisons and logic are not folded: their Bool type must survive (a constant is Real).
        // Operations without a value in double (the order keys of a selection, whose bits are the kernel's type) stay.
        if (AllConst(a) && op != Op.StopGrad && !IsBoolOp(op) && BuiltinTable.Rule(op).Evaluate is not null) return FoldConstant(op, a);
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
                // 1 - sigmoid(x) = sigmoid(-x): exact where the subtraction would cancel (for x = 15, 1 - p in float
                // keeps one significant bit), and its stable form shares exp(-|x|) with sigmoid(x).
                if (a[0].IsConstValue(1) && a[1].Op == Op.Sigmoid) return _graph.Unary(Op.Sigmoid, Neg(a[1].Args[0]));
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
                if (a[0].Op == Op.Neg) return _graph.Unary(Op.Abs, a[0].Args[0]);
                break;
            case Op.Not:
                if (a[0].Op == Op.Not) return a[0].Args[0];
                break;
            case Op.Select:
                if (a[0].IsConst) return a[0].Value != 0 ? a[1] : a[2];
                if (IsBoolOp(a[0].Op) && AllConst(a[0].Args)) return FoldConstant(a[0].Op, a[0].Args).Value != 0 ? a[1] : a[2];
                if (ReferenceEquals(a[1], a[2])) return a[1];
                if (a[0].Op == Op.Not) return _graph.Select(a[0].Args[0], a[2], a[1]);
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
                    return Mul(_graph.Binary(op, x.Args[1 - i], y.Args[1 - j]), x.Args[i]);
        return null;
    }

    /// <summary>The simplified form of a reduction, or null when no rule applies.</summary>
    public Node? SimplifyReduce(ReduceKind kind, IndexVar[] bound, Node body, TieRule ties = TieRule.Split)
    {
        if (bound.Length == 0) return body; // a reduction over no index is its body
        // Drop bound indices the body does not depend on.
        var used = new List<IndexVar>(bound.Length);
        Node? scale = null;
        foreach (var v in bound)
        {
            if (body.DependsOn(v.Id)) used.Add(v);
            else if (kind == ReduceKind.Sum) scale = scale is null ? _graph.ExtentOf(v.Extent) : Mul(scale, _graph.ExtentOf(v.Extent));
        }
        if (used.Count != bound.Length)
        {
            var inner = used.Count == 0 ? body : _graph.Reduce(kind, used.ToArray(), body, ties);
            return scale is null ? inner : Mul(scale, inner);
        }
        if (kind == ReduceKind.Sum)
        {
            if (body.IsConstValue(0)) return Zero;
            // Factor out terms that do not depend on the bound indices: sum_i(c * f(i)) = c * sum_i(f(i)).
            if (body.Op == Op.Mul)
            {
                bool leftFree = !DependsOnAny(body.Args[0], bound), rightFree = !DependsOnAny(body.Args[1], bound);
                if (leftFree) return Mul(body.Args[0], _graph.Reduce(kind, bound, body.Args[1]));
                if (rightFree) return Mul(body.Args[1], _graph.Reduce(kind, bound, body.Args[0]));
            }
            if (body.Op == Op.Div && !DependsOnAny(body.Args[1], bound))
                return Div(_graph.Reduce(kind, bound, body.Args[0]), body.Args[1]);
            if (body.Op == Op.Neg) return Neg(_graph.Reduce(kind, bound, body.Args[0]));
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

    private Node FoldConstant(Op op, Node[] a) =>
        Const(BuiltinTable.Rule(op).Evaluate!(a[0].Value, a.Length > 1 ? a[1].Value : 0, a.Length > 2 ? a[2].Value : 0));
}

