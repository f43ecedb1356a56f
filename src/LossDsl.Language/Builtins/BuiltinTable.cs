using System;
using System.Collections.Generic;
using LossDsl.Language.Desugaring;
using LossDsl.Language.Ir;
using LossDsl.Language.Lowering;

namespace LossDsl.Language.Builtins;

/// <summary>
/// The built-ins of the language, in one table. It has two parts:
/// <list type="bullet">
/// <item><see cref="Functions"/>: every function a loss expression can call, by name: its kind (elementwise,
/// reduction, along an axis), its arguments, what it means, and how the desugaring stage expands it into IR
/// operations (<see cref="Desugarer"/>).</item>
/// <item><see cref="Operations"/>: every IR operation: how it is written, its cost in a kernel, its value in double
/// precision (constant folding and the interpreter), its derivative (reverse-mode AD) and its numerically stable form
/// (lowering before scheduling).</item>
/// </list>
/// A new function that is a combination of existing operations is one entry in <see cref="Functions"/> (and, if its
/// expansion is more than a line, a method of <see cref="Desugarer"/>). A new primitive is an <see cref="Op"/>, one
/// entry here in each part, and its spelling in each emitter's intrinsic table.
/// </summary>
internal static class BuiltinTable
{
    // ---- Functions ---------------------------------------------------------------------------------------------------

    private static readonly ArgumentKind[] s_oneNumber = { ArgumentKind.Number };
    private static readonly ArgumentKind[] s_twoNumbers = { ArgumentKind.Number, ArgumentKind.Number };
    private static readonly ArgumentKind[] s_threeNumbers = { ArgumentKind.Number, ArgumentKind.Number, ArgumentKind.Number };

    private static FunctionRule Elementwise(string name, ArgumentKind[] arguments, string meaning, Func<CallArguments, Node> expand, int minArguments = -1) =>
        new(name, FunctionKind.Elementwise, arguments, minArguments < 0 ? arguments.Length : minArguments, meaning, expand);

    private static FunctionRule Primitive(string name, Op op, string meaning) =>
        new(name, FunctionKind.Elementwise, s_oneNumber, 1, meaning, c => c.Graph.Unary(op, c[0]));

    private static FunctionRule Reduction(string name, ArgumentKind[] arguments, string meaning, Func<CallArguments, Node> expand) =>
        new(name, FunctionKind.Reduction, arguments, arguments.Length, meaning, expand);

    private static FunctionRule AlongAxis(string name, string meaning, Func<CallArguments, Node> expand) =>
        new(name, FunctionKind.AlongAxis, s_oneNumber, 1, meaning, expand);

    /// <summary>Every function of the language. A name may have an elementwise and a reduction entry (max, min).</summary>
    public static readonly FunctionRule[] Functions =
    {
        Primitive("abs", Op.Abs, "|x|"),
        Primitive("sign", Op.Sign, "-1, 0 or 1"),
        Primitive("sqrt", Op.Sqrt, "square root"),
        Elementwise("rsqrt", s_oneNumber, "1 / sqrt(x)", c => c.Graph.Div(c.Graph.One, c.Graph.Unary(Op.Sqrt, c[0]))),
        Elementwise("square", s_oneNumber, "x * x", c => c.Graph.Mul(c[0], c[0])),
        Primitive("exp", Op.Exp, "e^x"),
        Primitive("expm1", Op.Expm1, "e^x - 1, accurate near 0"),
        Primitive("log", Op.Log, "natural logarithm"),
        Elementwise("log2", s_oneNumber, "log(x) / log(2)", c => c.Graph.Mul(c.Graph.Const(1 / Math.Log(2)), c.Graph.Unary(Op.Log, c[0]))),
        Primitive("log1p", Op.Log1p, "log(1 + x), accurate near 0"),
        Primitive("sigmoid", Op.Sigmoid, "1 / (1 + e^-x)"),
        Elementwise("logsigmoid", s_oneNumber, "-softplus(-x)", c => c.Graph.Neg(c.Graph.Unary(Op.Softplus, c.Graph.Neg(c[0])))),
        Elementwise("softplus", s_twoNumbers, "log(1 + e^x); softplus(x, beta) = softplus(beta x) / beta", Desugarer.Softplus, minArguments: 1),
        Primitive("tanh", Op.Tanh, "hyperbolic tangent"),
        Primitive("atan", Op.Atan, "arctangent"),
        Primitive("erf", Op.Erf, "error function"),
        Primitive("floor", Op.Floor, "largest integer not above x (no gradient)"),
        Primitive("cos", Op.Cos, "cosine"),
        Primitive("sin", Op.Sin, "sine"),
        Primitive("acos", Op.Acos, "arccosine, in [0, pi]"),
        Primitive("asinh", Op.Asinh, "inverse hyperbolic sine"),
        Primitive("atanh", Op.Atanh, "inverse hyperbolic tangent"),
        Primitive("artanh", Op.Atanh, "atanh(x) (the same function)"),
        Primitive("log1mexp", Op.Log1mexp, "log(1 - exp(-x)) for x > 0, stable"),
        Elementwise("neg", s_oneNumber, "-x", c => c.Graph.Neg(c[0])),
        Elementwise("relu", s_oneNumber, "max(x, 0)", c => c.Graph.Binary(Op.Max, c[0], c.Graph.Zero)),
        Elementwise("max", s_twoNumbers, "the larger of a and b", c => c.Graph.Binary(Op.Max, c[0], c[1])),
        Elementwise("min", s_twoNumbers, "the smaller of a and b", c => c.Graph.Binary(Op.Min, c[0], c[1])),
        Elementwise("pow", s_twoNumbers, "x^y (also written x ^ y)", Desugarer.Power),
        Elementwise("clamp", s_threeNumbers, "min(max(x, lo), hi)", c => c.Graph.Binary(Op.Min, c.Graph.Binary(Op.Max, c[0], c[1]), c[2])),
        Elementwise("where", new[] { ArgumentKind.Condition, ArgumentKind.Number, ArgumentKind.Number }, "c ? a : b", c => c.Graph.Select(c[0], c[1], c[2])),
        Elementwise("select", new[] { ArgumentKind.Condition, ArgumentKind.Number, ArgumentKind.Number }, "c ? a : b (same as where)", c => c.Graph.Select(c[0], c[1], c[2])),
        Elementwise("stop_gradient", s_oneNumber, "x, with no gradient flowing through it", c => c.Graph.StopGrad(c[0])),
        Elementwise("sg", s_oneNumber, "stop_gradient(x)", c => c.Graph.StopGrad(c[0])),
        Elementwise("bce_logits", s_twoNumbers, "binary cross-entropy of logits x and targets y: softplus(x) - x y", Desugarer.BceLogits),

        Reduction("sum", s_oneNumber, "sum over the indices", Desugarer.Sum),
        Reduction("mean", s_oneNumber, "sum / number of (unmasked) terms", Desugarer.Mean),
        Reduction("max", s_oneNumber, "maximum over the indices", Desugarer.Max),
        Reduction("min", s_oneNumber, "minimum over the indices", Desugarer.Min),
        Reduction("logsumexp", s_oneNumber, "log(sum(exp(e))), max-shifted", Desugarer.LogSumExp),
        Reduction("count", new[] { ArgumentKind.NumberOrCondition }, "number of true conditions (or non-zero values)", Desugarer.Count),
        Reduction("norm", s_oneNumber, "sqrt(sum(e^2))", Desugarer.Norm),
        Reduction("norm1", s_oneNumber, "sum(|e|)", Desugarer.Norm1),
        Reduction("dot", s_twoNumbers, "sum(a * b)", Desugarer.Dot),
        Reduction("kth", s_oneNumber, "the k-th smallest element (1-based; option k = K)", Desugarer.Kth),
        Reduction("median", s_oneNumber, "the lower median: the ((n - 1) div 2 + 1)-th smallest of n elements; NaN if one is NaN", Desugarer.Median),
        Reduction("quantile", s_oneNumber, "the q-quantile, interpolated linearly between neighbours (option q = Q)", Desugarer.Quantile),
        AlongAxis("softmax", "exp(e - logsumexp along the axis)", Desugarer.Softmax),
        AlongAxis("log_softmax", "e - logsumexp along the axis", Desugarer.LogSoftmax),
    };

    private static readonly Dictionary<string, List<FunctionRule>> s_byName = IndexFunctions();

    private static Dictionary<string, List<FunctionRule>> IndexFunctions()
    {
        var byName = new Dictionary<string, List<FunctionRule>>();
        foreach (var f in Functions)
        {
            if (!byName.TryGetValue(f.Name, out var list)) byName[f.Name] = list = new List<FunctionRule>();
            list.Add(f);
        }
        return byName;
    }

    public static bool IsFunction(string name) => s_byName.ContainsKey(name);

    public static IEnumerable<string> FunctionNames => s_byName.Keys;

    /// <summary>
    /// The entry a call refers to: the elementwise form of a name that has both (max, min) when the call has no
    /// index brackets and two arguments, otherwise the first entry of that name. Null for an unknown name.
    /// </summary>
    public static FunctionRule? Find(string name, bool hasBinders, int argumentCount)
    {
        if (!s_byName.TryGetValue(name, out var entries)) return null;
        if (entries.Count > 1 && !hasBinders && argumentCount == 2)
            foreach (var e in entries) if (e.Kind == FunctionKind.Elementwise) return e;
        foreach (var e in entries) if (e.Kind != FunctionKind.Elementwise) return e;
        return entries[0];
    }

    // ---- Operations --------------------------------------------------------------------------------------------------

    private static OperationRule Operation(Op op, string spelling, Func<double, double, double, double>? evaluate = null,
        DerivativeRule? derivative = null, StableFormRule? stableForm = null, OpCost cost = OpCost.Cheap) =>
        new(op, spelling, cost, evaluate, derivative, stableForm);

    /// <summary>Every IR operation, indexed by <see cref="Op"/>.</summary>
    public static readonly OperationRule[] Operations = BuildOperations();

    private static OperationRule[] BuildOperations()
    {
        var rules = new[]
        {
            Operation(Op.Const, "constant"),
            Operation(Op.Param, "parameter"),
            Operation(Op.Extent, "#extent"),
            Operation(Op.Index, "index"),
            Operation(Op.Load, "load"),

            Operation(Op.Neg, "-", (a, _, _) => -a,
                (g, n, adj) => new[] { (0, g.Neg(adj)) }),
            Operation(Op.Add, "+", (a, b, _) => a + b,
                (g, n, adj) => new[] { (0, adj), (1, adj) }),
            Operation(Op.Sub, "-", (a, b, _) => a - b,
                (g, n, adj) => new[] { (0, adj), (1, g.Neg(adj)) }),
            Operation(Op.Mul, "*", (a, b, _) => a * b,
                (g, n, adj) => new[] { (0, g.Mul(adj, n.Args[1])), (1, g.Mul(adj, n.Args[0])) }),
            Operation(Op.Div, "/", (a, b, _) => a / b,
                (g, n, adj) => new[] { (0, g.Div(adj, n.Args[1])), (1, g.Neg(g.Div(g.Mul(adj, n), n.Args[1]))) }),
            // d/da a^b = b a^(b-1), defined as 0 where b == 0 (as PyTorch's pow backward: a^0 is constant, and
            // 0 * 0^(-1) would be NaN) and where a == 0 with b < 1 (the one-sided derivative is infinite there; a zero
            // base is where a saturated probability underflowed, 1 - p with p == 1, and its own derivative underflowed
            // to 0 too, so an infinite partial would only turn the gradient into inf * 0 = NaN, as it does in PyTorch:
            // 0 is the limit in those cases, the convention PyTorch's norm backward takes at 0);
            // d/db a^b = a^b log(a) (0 where a <= 0, where the power is constant in b or undefined).
            Operation(Op.Pow, "^", (a, b, _) => ScalarMath.Pow(a, b),
                (g, n, adj) => new[]
                {
                    (0, g.Select(g.Binary(Op.Or, g.Binary(Op.Eq, n.Args[1], g.Zero), g.Binary(Op.And, g.Binary(Op.Eq, n.Args[0], g.Zero), g.Binary(Op.Lt, n.Args[1], g.One))), g.Zero,
                        g.Mul(adj, g.Mul(n.Args[1], g.Binary(Op.Pow, n.Args[0], g.Sub(n.Args[1], g.One)))))),
                    (1, g.Select(g.Binary(Op.Gt, n.Args[0], g.Zero), g.Mul(adj, g.Mul(n, g.Unary(Op.Log, n.Args[0]))), g.Zero)),
                },
                StableForms.Power, OpCost.Polynomial),
            // The larger (smaller) argument receives the adjoint; on a tie each receives half, as in PyTorch.
            Operation(Op.Min, "min", (a, b, _) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b), MinMaxDerivative),
            Operation(Op.Max, "max", (a, b, _) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b), MinMaxDerivative),

            Operation(Op.Abs, "abs", (a, _, _) => Math.Abs(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Unary(Op.Sign, n.Args[0]))) }),
            Operation(Op.Sign, "sign", (a, _, _) => double.IsNaN(a) ? a : Math.Sign(a)),
            Operation(Op.Sqrt, "sqrt", (a, _, _) => Math.Sqrt(a),
                (g, n, adj) => new[] { (0, g.Div(g.Mul(g.Const(0.5), adj), n)) }),
            Operation(Op.Exp, "exp", (a, _, _) => Math.Exp(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, n)) }, cost: OpCost.Polynomial),
            Operation(Op.Expm1, "expm1", (a, _, _) => ScalarMath.Expm1(a),
                // exp(x), not expm1(x) + 1: the sum cancels for negative x (relative error 6e-8 e^-x, all of it below -17).
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Unary(Op.Exp, n.Args[0]))) }, cost: OpCost.Polynomial),
            Operation(Op.Log, "log", (a, _, _) => Math.Log(a),
                (g, n, adj) => new[] { (0, g.Div(adj, n.Args[0])) }, cost: OpCost.Polynomial),
            Operation(Op.Log1p, "log1p", (a, _, _) => ScalarMath.Log1p(a),
                (g, n, adj) => new[] { (0, g.Div(adj, g.Add(n.Args[0], g.One))) }, cost: OpCost.Polynomial),
            Operation(Op.Sigmoid, "sigmoid", (a, _, _) => ScalarMath.Sigmoid(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Mul(n, g.Sub(g.One, n)))) },
                StableForms.Sigmoid, OpCost.Polynomial),
            Operation(Op.Softplus, "softplus", (a, _, _) => ScalarMath.Softplus(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Unary(Op.Sigmoid, n.Args[0]))) },
                StableForms.Softplus, OpCost.Polynomial),
            // d tanh(x) = 1 - tanh(x)^2 = sech(x)^2, computed as 4t / (1 + t)^2 with t = exp(-2|x|): 1 - tanh^2 cancels
            // in float as tanh saturates (at |x| = 6 it keeps two significant digits).
            Operation(Op.Tanh, "tanh", (a, _, _) => Math.Tanh(a),
                (g, n, adj) =>
                {
                    var t = g.Unary(Op.Exp, g.Neg(g.Mul(g.Const(2), g.Unary(Op.Abs, n.Args[0]))));
                    var onePlusT = g.Add(g.One, t);
                    return new[] { (0, g.Mul(adj, g.Div(g.Mul(g.Const(4), t), g.Mul(onePlusT, onePlusT)))) };
                }, cost: OpCost.Polynomial),
            Operation(Op.Atan, "atan", (a, _, _) => Math.Atan(a),
                (g, n, adj) => new[] { (0, g.Div(adj, g.Add(g.One, g.Mul(n.Args[0], n.Args[0])))) }, cost: OpCost.Polynomial),
            Operation(Op.Erf, "erf", (a, _, _) => ScalarMath.Erf(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Mul(g.Const(2 / Math.Sqrt(Math.PI)), g.Unary(Op.Exp, g.Neg(g.Mul(n.Args[0], n.Args[0])))))) },
                cost: OpCost.Polynomial),
            Operation(Op.Floor, "floor", (a, _, _) => Math.Floor(a)),
            // cos' = -sin, sin' = cos.
            Operation(Op.Cos, "cos", (a, _, _) => Math.Cos(a),
                (g, n, adj) => new[] { (0, g.Neg(g.Mul(adj, g.Unary(Op.Sin, n.Args[0])))) }, cost: OpCost.Polynomial),
            Operation(Op.Sin, "sin", (a, _, _) => Math.Sin(a),
                (g, n, adj) => new[] { (0, g.Mul(adj, g.Unary(Op.Cos, n.Args[0]))) }, cost: OpCost.Polynomial),
            // acos' = -1 / sqrt(1 - x^2), written (1 - x)(1 + x), which does not cancel as |x| nears 1 (-inf at ±1).
            Operation(Op.Acos, "acos", (a, _, _) => Math.Acos(a),
                (g, n, adj) => new[] { (0, g.Neg(g.Div(adj, g.Unary(Op.Sqrt, g.Mul(g.Sub(g.One, n.Args[0]), g.Add(g.One, n.Args[0])))))) },
                cost: OpCost.Polynomial),
            // asinh' = 1 / sqrt(1 + x^2), written r / sqrt(1 + r^2) with r = 1/|x| for |x| > 1 (x^2 overflows from 1.8e19).
            Operation(Op.Asinh, "asinh", (a, _, _) => ScalarMath.Asinh(a),
                (g, n, adj) =>
                {
                    var x = n.Args[0];
                    var ax = g.Unary(Op.Abs, x);
                    var r = g.Div(g.One, ax);
                    var large = g.Div(r, g.Unary(Op.Sqrt, g.Add(g.One, g.Mul(r, r))));
                    var small = g.Div(g.One, g.Unary(Op.Sqrt, g.Add(g.One, g.Mul(x, x))));
                    return new[] { (0, g.Mul(adj, g.Select(g.Binary(Op.Gt, ax, g.One), large, small))) };
                }, cost: OpCost.Polynomial),
            // atanh' = 1 / (1 - x^2), written (1 - x)(1 + x) (±inf at ±1).
            Operation(Op.Atanh, "atanh", (a, _, _) => ScalarMath.Atanh(a),
                (g, n, adj) => new[] { (0, g.Div(adj, g.Mul(g.Sub(g.One, n.Args[0]), g.Add(g.One, n.Args[0])))) }, cost: OpCost.Polynomial),
            // log1mexp' = e^-x / (1 - e^-x) = 1 / expm1(x): accurate near 0 (+inf at 0) and 0 once expm1 overflows.
            Operation(Op.Log1mexp, "log1mexp", (a, _, _) => ScalarMath.Log1mexp(a),
                (g, n, adj) => new[] { (0, g.Div(adj, g.Unary(Op.Expm1, n.Args[0]))) }, cost: OpCost.Polynomial),

            Operation(Op.Eq, "==", (a, b, _) => a == b ? 1 : 0),
            Operation(Op.Ne, "!=", (a, b, _) => a != b ? 1 : 0),
            Operation(Op.Lt, "<", (a, b, _) => a < b ? 1 : 0),
            Operation(Op.Le, "<=", (a, b, _) => a <= b ? 1 : 0),
            Operation(Op.Gt, ">", (a, b, _) => a > b ? 1 : 0),
            Operation(Op.Ge, ">=", (a, b, _) => a >= b ? 1 : 0),
            Operation(Op.And, "&&", (a, b, _) => a != 0 && b != 0 ? 1 : 0),
            Operation(Op.Or, "||", (a, b, _) => a != 0 || b != 0 ? 1 : 0),
            Operation(Op.Not, "!", (a, _, _) => a == 0 ? 1 : 0),

            Operation(Op.Select, "where", (c, a, b) => c != 0 ? a : b,
                (g, n, adj) => new[] { (1, g.Select(n.Args[0], adj, g.Zero)), (2, g.Select(n.Args[0], g.Zero, adj)) }),
            Operation(Op.StopGrad, "stop_gradient", (a, _, _) => a),
            // A sum passes its adjoint to its body; a max or min to the elements equal to it, by its tie rule.
            Operation(Op.Reduce, "reduce", derivative: ReduceDerivative),
            Operation(Op.PowFromLog, "powfromlog", (a, b, _) => ScalarMath.Pow(a, b), cost: OpCost.Polynomial),
            // The order keys of the radix select (emission only; their bits are the kernel's type, so no value in double).
            Operation(Op.KeyBelow, "keybelow"),
            Operation(Op.KeyBit, "keybit"),
            Operation(Op.KeyValue, "keyvalue"),
        };
        var table = new OperationRule[rules.Length];
        foreach (var r in rules)
        {
            if (table[(int)r.Op] is not null) throw new InvalidOperationException("two rules for " + r.Op);
            table[(int)r.Op] = r;
        }
        foreach (Op op in Enum.GetValues(typeof(Op)))
            if (table[(int)op] is null) throw new InvalidOperationException("no rule for " + op);
        return table;
    }

    private static IEnumerable<(int, Node)> MinMaxDerivative(IrGraph g, Node n, Node adj)
    {
        var a = n.Args[0];
        var b = n.Args[1];
        var wins = g.Binary(n.Op == Op.Max ? Op.Gt : Op.Lt, a, b);
        var loses = g.Binary(n.Op == Op.Max ? Op.Lt : Op.Gt, a, b);
        var half = g.Mul(g.Const(0.5), adj);
        return new[]
        {
            (0, g.Select(wins, adj, g.Select(loses, g.Zero, half))),
            (1, g.Select(wins, g.Zero, g.Select(loses, adj, half))),
        };
    }

    /// <summary>
    /// The adjoint of a reduction's body. A sum passes its adjoint to every element. A max or min passes it to the
    /// elements equal to its result (the ties), by its <see cref="TieRule"/>: split evenly, <c>where(e == m, adj, 0) /
    /// sum(e == m)</c> (torch.amax; the count is a reduction of <c>e == m</c> after the max, and is invariant in the
    /// reduced indices, so it divides after any sum that the adjoint feeds); all to the first tie in row-major order of
    /// the bound indices (torch.max(dim), argmax: for each bound index in turn, the least value among the ties left);
    /// or all to each tie. A selection (kth, median, quantile's neighbours) is an element too and takes the same rules. A NaN result equals no element: split gives 0 / 0 = NaN (as PyTorch), the others 0.
    /// </summary>
    private static IEnumerable<(int, Node)> ReduceDerivative(IrGraph g, Node n, Node adj)
    {
        if (n.ReduceKind == ReduceKind.Sum) return new[] { (0, adj) };
        var tied = g.Binary(Op.Eq, n.Args[0], n);
        // A selection's value is a kept element: its ties are the kept elements equal to it (the rank and the filter
        // receive nothing), under the same rules.
        if (n.ReduceKind == ReduceKind.Kth && n.Args.Length > 2) tied = g.Binary(Op.And, n.Args[2], tied);
        switch (n.Ties)
        {
            case TieRule.All:
                return new[] { (0, g.Select(tied, adj, g.Zero)) };
            case TieRule.First:
            {
                var first = tied;
                foreach (var v in n.Bound)
                {
                    var index = g.Index(v);
                    var least = g.Reduce(ReduceKind.Min, n.Bound, g.Select(first, index, g.Const(double.PositiveInfinity)));
                    first = g.Binary(Op.And, first, g.Binary(Op.Eq, index, least));
                }
                return new[] { (0, g.Select(first, adj, g.Zero)) };
            }
            default:
            {
                var count = g.Reduce(ReduceKind.Sum, n.Bound, g.Select(tied, g.One, g.Zero));
                // A selection equal to no element (NaN, or an empty set given a value by empty = v) passes nothing.
                if (n.ReduceKind == ReduceKind.Kth) count = g.Binary(Op.Max, count, g.One);
                return new[] { (0, g.Div(g.Select(tied, adj, g.Zero), count)) };
            }
        }
    }

    public static OperationRule Rule(Op op) => Operations[(int)op];

    /// <summary>True for an operation whose kernel form is a long polynomial (exp, log, ...): the cost model's unit.</summary>
    public static bool IsPolynomial(Op op) => Operations[(int)op].Cost == OpCost.Polynomial;
}
