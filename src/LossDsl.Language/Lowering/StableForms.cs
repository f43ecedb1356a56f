using System.Collections.Generic;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Lowering;

/// <summary>
/// Lowering for emission, after differentiation: rewrites the compact functions that the differentiator prefers into
/// the numerically stable primitive forms the kernels compute, so that the pieces they share are computed once:
/// <list type="bullet">
/// <item><c>softplus(x) = max(x, 0) + log1p(exp(-|x|))</c></item>
/// <item><c>sigmoid(x) = (x &gt;= 0 ? 1 : exp(-|x|)) / (1 + exp(-|x|))</c></item>
/// </list>
/// With both in a loss and its gradient (BCE, focal), <c>exp(-|x|)</c> and <c>1 + exp(-|x|)</c> are shared.
/// </summary>
internal static class StableForms
{
    public static Node Lower(IrGraph g, Node root, Dictionary<Node, Node> memo)
    {
        if (memo.TryGetValue(root, out var done)) return done;
        Node result;
        if (root.Args.Length == 0) result = root;
        else
        {
            var args = new Node[root.Args.Length];
            bool changed = false;
            for (int i = 0; i < args.Length; i++) { args[i] = Lower(g, root.Args[i], memo); changed |= !ReferenceEquals(args[i], root.Args[i]); }
            var n = changed ? g.Rebuild(root, args) : root;
            switch (n.Op)
            {
                case Op.Softplus:
                {
                    var x = n.Args[0];
                    var t = g.Unary(Op.Exp, g.Neg(g.Unary(Op.Abs, x)));
                    result = g.Add(g.Binary(Op.Max, x, g.Zero), g.Unary(Op.Log1p, t));
                    break;
                }
                case Op.Sigmoid:
                {
                    var x = n.Args[0];
                    var t = g.Unary(Op.Exp, g.Neg(g.Unary(Op.Abs, x)));
                    var numerator = g.Select(g.Binary(Op.Ge, x, g.Zero), g.One, t);
                    result = g.Div(numerator, g.Add(g.One, t));
                    break;
                }
                default:
                    result = n;
                    break;
            }
        }
        memo[root] = result;
        return result;
    }
}
