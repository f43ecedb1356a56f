using System;
using System.Collections.Generic;
using LossDsl.Language.Ir;

namespace LossDsl.Language.Builtins;

/// <summary>How a function of the language is called.</summary>
internal enum FunctionKind
{
    /// <summary><c>f(a, b, ...)</c>: applied element by element.</summary>
    Elementwise,
    /// <summary><c>f[i, j | filter](e)</c>, or <c>f(e)</c> over the implicit indices of e: reduces over the indices.</summary>
    Reduction,
    /// <summary><c>f[c](e)</c>: a normalization along one axis, which stays free in the result (softmax).</summary>
    AlongAxis,
}

/// <summary>What an argument of a function must be.</summary>
internal enum ArgumentKind
{
    /// <summary>A number; a condition used as a number is 1 or 0.</summary>
    Number,
    /// <summary>A condition (a comparison or a logical combination of them).</summary>
    Condition,
    /// <summary>Either, taken as written.</summary>
    NumberOrCondition,
}

/// <summary>A function of the language: one entry of <see cref="BuiltinTable.Functions"/>.</summary>
internal sealed class FunctionRule
{
    public FunctionRule(string name, FunctionKind kind, ArgumentKind[] arguments, int minArguments, string meaning, Func<CallArguments, Node> expand)
    {
        Name = name; Kind = kind; Arguments = arguments; MinArguments = minArguments; Meaning = meaning; Expand = expand;
    }

    public string Name { get; }
    public FunctionKind Kind { get; }
    /// <summary>The kind of each argument, up to the largest number of arguments.</summary>
    public ArgumentKind[] Arguments { get; }
    public int MinArguments { get; }
    public int MaxArguments => Arguments.Length;
    /// <summary>What the function computes, in one line (documentation and messages).</summary>
    public string Meaning { get; }
    /// <summary>The desugaring: the call, with its arguments bound, as IR operations.</summary>
    public Func<CallArguments, Node> Expand { get; }

    public override string ToString() => Name;
}

/// <summary>A call whose arguments, index binders and filter have been bound: the input of a function's expansion.</summary>
internal sealed class CallArguments
{
    public CallArguments(IrGraph graph, IReadOnlyList<Node> values, IndexVar[] bound, Node? filter, IndexVar? axis)
    {
        Graph = graph; Values = values; Bound = bound; Filter = filter; Axis = axis;
    }

    public IrGraph Graph { get; }
    public IReadOnlyList<Node> Values { get; }
    public int Count => Values.Count;
    public Node this[int index] => Values[index];
    /// <summary>The indices a reduction reduces over (empty for other kinds).</summary>
    public IndexVar[] Bound { get; }
    /// <summary>A reduction's filter condition, if any.</summary>
    public Node? Filter { get; }
    /// <summary>The axis of an along-axis function (softmax).</summary>
    public IndexVar? Axis { get; }
    /// <summary>The tie rule of a max or min reduction (the option <c>ties = ...</c>; docs/language.md §6.3).</summary>
    public TieRule Ties { get; set; }
    /// <summary>The rank of a kth reduction (the option <c>k = K</c>), invariant in the reduced indices.</summary>
    public Node? Rank { get; set; }
    /// <summary>The level of a quantile reduction (the option <c>q = Q</c>), invariant in the reduced indices.</summary>
    public Node? Level { get; set; }
}

/// <summary>How an IR operation costs in a kernel, the unit of the scheduler's and planner's cost model.</summary>
internal enum OpCost
{
    /// <summary>One or a few instructions.</summary>
    Cheap,
    /// <summary>A polynomial approximation of tens of instructions (exp, log, sigmoid, ...).</summary>
    Polynomial,
}

/// <summary>
/// The derivative rule of an operation: given node <c>n</c> and its adjoint, each argument's share of the adjoint
/// (by argument position). Arguments not listed receive nothing.
/// </summary>
internal delegate IEnumerable<(int Argument, Node Partial)> DerivativeRule(IrGraph graph, Node n, Node adjoint);

/// <summary>The numerically stable form of an operation, or null to keep it as it is.</summary>
internal delegate Node? StableFormRule(IrGraph graph, Node n);

/// <summary>An IR operation: one entry of <see cref="BuiltinTable.Operations"/>.</summary>
internal sealed class OperationRule
{
    public OperationRule(Op op, string spelling, OpCost cost, Func<double, double, double, double>? evaluate, DerivativeRule? derivative, StableFormRule? stableForm)
    {
        Op = op; Spelling = spelling; Cost = cost; Evaluate = evaluate; Derivative = derivative; StableForm = stableForm;
    }

    public Op Op { get; }
    /// <summary>The operator symbol or function name it prints as.</summary>
    public string Spelling { get; }
    public OpCost Cost { get; }
    /// <summary>The value in double precision from up to three argument values (unused ones are 0); null for leaves,
    /// loads and reductions, which the interpreter evaluates itself.</summary>
    public Func<double, double, double, double>? Evaluate { get; }
    /// <summary>Null when no gradient flows through the operation (comparisons, sign, floor, stop_gradient, leaves).</summary>
    public DerivativeRule? Derivative { get; }
    /// <summary>Null when the operation is its own stable form.</summary>
    public StableFormRule? StableForm { get; }

    public override string ToString() => Op.ToString();
}
