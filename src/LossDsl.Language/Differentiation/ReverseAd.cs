using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Differentiation;

/// <summary>
/// The differentiation stage: symbolic reverse-mode AD on the IR. The adjoint of every node is itself an IR
/// expression over the node's free indices, so gradients are ordinary expressions that the simplifier, the scheduler
/// and the emitters treat like the loss. The derivative rules are in <see cref="LocalDerivatives"/>, one per op.
/// </summary>
/// <remarks>
/// A node used under more indices than it depends on (a[i] inside a pairwise term over i, j) receives the sum of its
/// parents' adjoints over the extra indices. A reduction passes its adjoint to its body unchanged (sum) or to the
/// arg-max elements (max/min; ties each receive it). The gradient of an input tensor collects the adjoints of all its
/// loads: plain index subscripts are renamed to the gradient's axes, while gathered subscripts such as
/// <c>z[i, y[i]]</c> scatter through an indicator (<c>c == y[i]</c>).
/// </remarks>
internal sealed class ReverseAd
{
    private readonly LossModel _model;
    private readonly IrGraph _g;
    private readonly Dictionary<Node, List<Node>> _contributions = new();

    private ReverseAd(LossModel model) { _model = model; _g = model.Graph; }

    /// <summary>
    /// Differentiates the loss with respect to every tensor that has a gradient output, seeding with the upstream
    /// gradient <c>upstream</c> (dTotal/dLoss). Returns, per tensor id, the gradient axes and expression.
    /// </summary>
    public static Dictionary<int, GradientExpression> Differentiate(LossModel model, DiagnosticBag diagnostics)
    {
        var ad = new ReverseAd(model);
        var seed = model.Graph.Param(model.UpstreamParam, DslType.Real);
        var adjoints = ad.Backpropagate(model.Loss, seed);
        var result = new Dictionary<int, GradientExpression>();
        foreach (var t in model.Tensors)
        {
            if (t.Gradient is null || t.Axes is null) continue;
            var g = ad.CollectTensorGradient(t, adjoints);
            if (g.Expression.IsConstValue(0))
            {
                diagnostics.Add(new DslDiagnostic(DiagnosticIds.NonDifferentiable, DslSeverity.Error,
                    $"the loss does not depend differentiably on '{t.Name}' (it only reaches the loss through comparisons, sign, floor or stop_gradient, or its terms cancel), so '{t.Gradient.Name}' would always be zero",
                    t.FirstUseOffset, t.FirstUseLength));
            }
            result[t.Id] = g;
        }
        return result;
    }

    private Dictionary<Node, Node> Backpropagate(Node root, Node seed)
    {
        // Reachable nodes in reverse topological order (ids grow with creation, arguments before users).
        var reachable = new HashSet<Node>();
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!reachable.Add(n)) continue;
            if (n.Op == Op.StopGrad) continue;
            foreach (var a in n.Args) stack.Push(a);
        }
        var order = reachable.OrderByDescending(n => n.Id).ToList();
        var adjoints = new Dictionary<Node, Node>();
        Contribute(root, seed);
        foreach (var n in order)
        {
            if (!_contributions.TryGetValue(n, out var list)) continue;
            Node adj = list[0];
            for (int i = 1; i < list.Count; i++) adj = _g.Add(adj, list[i]);
            if (adj.IsConstValue(0)) continue;
            adjoints[n] = adj;
            if (n.Type != DslType.Real) continue;
            foreach (var (arg, partial) in LocalDerivatives(n, adj))
            {
                if (arg.Type != DslType.Real || partial.IsConstValue(0)) continue;
                // Sum over the indices the parent's adjoint has and the argument does not.
                var extra = partial.Free.Where(id => !arg.DependsOn(id)).Select(id => _g.Var(id)).ToArray();
                Contribute(arg, extra.Length == 0 ? partial : _g.Reduce(ReduceKind.Sum, extra, partial));
            }
        }
        return adjoints;
    }

    private void Contribute(Node n, Node adj)
    {
        if (adj.IsConstValue(0)) return;
        if (!_contributions.TryGetValue(n, out var list)) _contributions[n] = list = new List<Node>();
        list.Add(adj);
    }

    /// <summary>The derivative rules: for node n with adjoint adj, each argument's share of the adjoint.</summary>
    private IEnumerable<(Node Arg, Node Partial)> LocalDerivatives(Node n, Node adj)
    {
        var a = n.Args.Length > 0 ? n.Args[0] : null!;
        var b = n.Args.Length > 1 ? n.Args[1] : null!;
        switch (n.Op)
        {
            case Op.Neg: yield return (a, _g.Neg(adj)); break;
            case Op.Add: yield return (a, adj); yield return (b, adj); break;
            case Op.Sub: yield return (a, adj); yield return (b, _g.Neg(adj)); break;
            case Op.Mul: yield return (a, _g.Mul(adj, b)); yield return (b, _g.Mul(adj, a)); break;
            case Op.Div:
                yield return (a, _g.Div(adj, b));
                yield return (b, _g.Neg(_g.Div(_g.Mul(adj, n), b)));
                break;
            case Op.Pow:
                // d/da a^b = b a^(b-1); d/db a^b = a^b log(a) (0 where a <= 0, where the power is constant in b or undefined).
                yield return (a, _g.Mul(adj, _g.Mul(b, _g.Binary(Op.Pow, a, _g.Sub(b, _g.One)))));
                yield return (b, _g.Select(_g.Binary(Op.Gt, a, _g.Zero), _g.Mul(adj, _g.Mul(n, _g.Unary(Op.Log, a))), _g.Zero));
                break;
            case Op.Min:
            case Op.Max:
            {
                // The larger (smaller) argument receives the adjoint; on a tie each receives half, as in PyTorch.
                var wins = _g.Binary(n.Op == Op.Max ? Op.Gt : Op.Lt, a, b);
                var loses = _g.Binary(n.Op == Op.Max ? Op.Lt : Op.Gt, a, b);
                var half = _g.Mul(_g.Const(0.5), adj);
                yield return (a, _g.Select(wins, adj, _g.Select(loses, _g.Zero, half)));
                yield return (b, _g.Select(wins, _g.Zero, _g.Select(loses, adj, half)));
                break;
            }
            case Op.Abs: yield return (a, _g.Mul(adj, _g.Unary(Op.Sign, a))); break;
            case Op.Sqrt: yield return (a, _g.Div(_g.Mul(_g.Const(0.5), adj), n)); break;
            case Op.Exp: yield return (a, _g.Mul(adj, n)); break;
            case Op.Expm1: yield return (a, _g.Mul(adj, _g.Add(n, _g.One))); break;
            case Op.Log: yield return (a, _g.Div(adj, a)); break;
            case Op.Log1p: yield return (a, _g.Div(adj, _g.Add(a, _g.One))); break;
            case Op.Sigmoid: yield return (a, _g.Mul(adj, _g.Mul(n, _g.Sub(_g.One, n)))); break;
            case Op.Softplus: yield return (a, _g.Mul(adj, _g.Unary(Op.Sigmoid, a))); break;
            case Op.Tanh: yield return (a, _g.Mul(adj, _g.Sub(_g.One, _g.Mul(n, n)))); break;
            case Op.Atan: yield return (a, _g.Div(adj, _g.Add(_g.One, _g.Mul(a, a)))); break;
            case Op.Erf:
                yield return (a, _g.Mul(adj, _g.Mul(_g.Const(2 / Math.Sqrt(Math.PI)), _g.Unary(Op.Exp, _g.Neg(_g.Mul(a, a))))));
                break;
            case Op.Select:
                yield return (n.Args[1], _g.Select(a, adj, _g.Zero));
                yield return (n.Args[2], _g.Select(a, _g.Zero, adj));
                break;
            case Op.Reduce:
                if (n.ReduceKind == ReduceKind.Sum) yield return (a, adj);
                else yield return (a, _g.Select(_g.Binary(Op.Eq, a, n), adj, _g.Zero));
                break;
            // Sign, Floor, comparisons, logic, StopGrad, leaves and loads: no (or no further) derivative.
        }
    }

    private GradientExpression CollectTensorGradient(TensorInfo t, Dictionary<Node, Node> adjoints)
    {
        var axes = new IndexVar[t.Axes!.Length];
        for (int k = 0; k < axes.Length; k++) axes[k] = _g.NewVar("a" + k, t.Axes[k]);
        Node total = _g.Zero;
        foreach (var kv in adjoints.OrderBy(kv => kv.Key.Id))
        {
            var load = kv.Key;
            if (load.Op != Op.Load || load.Ref != t.Id) continue;
            var map = new Dictionary<int, IndexVar>();
            var conditions = new List<(int Axis, Node Subscript)>();
            for (int k = 0; k < axes.Length; k++)
            {
                var s = load.Args[k];
                if (s.Op == Op.Index && !map.ContainsKey(s.Ref)) map[s.Ref] = axes[k];
                else conditions.Add((k, s));
            }
            var adj = _g.Substitute(kv.Value, map);
            Node? cond = null;
            foreach (var (axis, subscript) in conditions)
            {
                var c = _g.Binary(Op.Eq, _g.Index(axes[axis]), _g.Substitute(subscript, map));
                cond = cond is null ? c : _g.Binary(Op.And, cond, c);
            }
            var contribution = cond is null ? adj : _g.Select(cond, adj, _g.Zero);
            var rest = contribution.Free.Where(id => axes.All(a => a.Id != id)).Select(id => _g.Var(id)).ToArray();
            if (rest.Length > 0) contribution = _g.Reduce(ReduceKind.Sum, rest, contribution);
            total = _g.Add(total, contribution);
        }
        return new GradientExpression(t, axes, total);
    }
}

/// <summary>dLoss/dTensor as an expression over fresh axis indices (one per tensor axis, row-major).</summary>
internal sealed class GradientExpression
{
    public GradientExpression(TensorInfo tensor, IndexVar[] axes, Node expression) { Tensor = tensor; Axes = axes; Expression = expression; }
    public TensorInfo Tensor { get; }
    public IndexVar[] Axes { get; }
    public Node Expression { get; set; }
}
