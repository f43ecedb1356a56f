using System.Collections.Generic;

namespace LossDsl.Language.Syntax;

/// <summary>Base of the parsed (unbound) expression tree. Every node knows its span in the source string.</summary>
internal abstract class Expr
{
    protected Expr(int offset, int length) { Offset = offset; Length = length; }
    public int Offset { get; }
    public int Length { get; }
    public int End => Offset + Length;
}

internal sealed class NumberExpr : Expr
{
    public NumberExpr(double value, int offset, int length) : base(offset, length) { Value = value; }
    public double Value { get; }
}

/// <summary>A bare name: a parameter, a let-binding, an index, or a constant such as <c>inf</c>.</summary>
internal sealed class NameExpr : Expr
{
    public NameExpr(string name, int offset, int length) : base(offset, length) { Name = name; }
    public string Name { get; }
}

/// <summary><c>name[e1, e2, ...]</c>: a tensor element or an indexed let-binding.</summary>
internal sealed class SubscriptExpr : Expr
{
    public SubscriptExpr(NameExpr target, IReadOnlyList<Expr> subscripts, int offset, int length) : base(offset, length)
    { Target = target; Subscripts = subscripts; }
    public NameExpr Target { get; }
    public IReadOnlyList<Expr> Subscripts { get; }
}

/// <summary>
/// A call <c>f(args)</c>, or with index binders <c>sum[i, j | filter](args)</c>. <see cref="Binders"/> is null when the
/// call has no brackets.
/// </summary>
internal sealed class CallExpr : Expr
{
    public CallExpr(NameExpr function, IReadOnlyList<NameExpr>? binders, Expr? filter, IReadOnlyList<Expr> arguments, int offset, int length,
        IReadOnlyList<ReductionOption>? options = null)
        : base(offset, length)
    { Function = function; Binders = binders; Filter = filter; Arguments = arguments; Options = options; }
    public NameExpr Function { get; }
    public IReadOnlyList<NameExpr>? Binders { get; }
    public Expr? Filter { get; }
    public IReadOnlyList<Expr> Arguments { get; }
    /// <summary>The options after ';' in the brackets (<c>max[c; ties = first](e)</c>, <c>mean[; empty = 0](x)</c>), or null.</summary>
    public IReadOnlyList<ReductionOption>? Options { get; }
}

/// <summary><c>name = value</c> after ';' in a reduction's brackets: an option of the reduction (docs/language.md §6.3).</summary>
internal sealed class ReductionOption
{
    public ReductionOption(NameExpr name, Expr value) { Name = name; Value = value; }
    public NameExpr Name { get; }
    public Expr Value { get; }
    public int Offset => Name.Offset;
    public int Length => Value.End - Name.Offset;
}

internal enum UnaryOp { Negate, Not }

internal sealed class UnaryExpr : Expr
{
    public UnaryExpr(UnaryOp op, Expr operand, int offset, int length) : base(offset, length) { Op = op; Operand = operand; }
    public UnaryOp Op { get; }
    public Expr Operand { get; }
}

internal enum BinaryOp { Add, Subtract, Multiply, Divide, Power, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, And, Or }

internal sealed class BinaryExpr : Expr
{
    public BinaryExpr(BinaryOp op, Expr left, Expr right, int opOffset, int opLength)
        : base(left.Offset, right.End - left.Offset)
    { Op = op; Left = left; Right = right; OpOffset = opOffset; OpLength = opLength; }
    public BinaryOp Op { get; }
    public Expr Left { get; }
    public Expr Right { get; }
    public int OpOffset { get; }
    public int OpLength { get; }
}

/// <summary><c>name = expr;</c> or <c>name[i, j] = expr;</c>: a let-binding, inlined where it is used.</summary>
internal sealed class LetStatement
{
    public LetStatement(NameExpr name, IReadOnlyList<NameExpr>? parameters, Expr value) { Name = name; Parameters = parameters; Value = value; }
    public NameExpr Name { get; }
    public IReadOnlyList<NameExpr>? Parameters { get; }
    public Expr Value { get; }
}

/// <summary><c>index i, j : n;</c>: declares that indices range over the extent given by the int parameter <c>n</c>.</summary>
internal sealed class IndexStatement
{
    public IndexStatement(IReadOnlyList<NameExpr> indices, NameExpr extent) { Indices = indices; Extent = extent; }
    public IReadOnlyList<NameExpr> Indices { get; }
    public NameExpr Extent { get; }
}

/// <summary>
/// <c>shape t[k, d];</c>: names the axes of tensor <c>t</c>, so that every index named <c>k</c> ranges over its first
/// axis and every index named <c>d</c> over its second (their extents join the shape inference).
/// </summary>
internal sealed class ShapeStatement
{
    public ShapeStatement(NameExpr tensor, IReadOnlyList<NameExpr> axes) { Tensor = tensor; Axes = axes; }
    public NameExpr Tensor { get; }
    public IReadOnlyList<NameExpr> Axes { get; }
}

/// <summary><c>f(a, b) = expr;</c>: a user-defined function, expanded where it is called with its arguments as values.</summary>
internal sealed class FunctionStatement
{
    public FunctionStatement(NameExpr name, IReadOnlyList<NameExpr> parameters, Expr body) { Name = name; Parameters = parameters; Body = body; }
    public NameExpr Name { get; }
    public IReadOnlyList<NameExpr> Parameters { get; }
    public Expr Body { get; }
}

/// <summary>
/// <c>repeat N { s[i, j] = ...; t[k] = ...; }</c>: a fixed-count loop (docs/language.md §7.2). Each assignment defines
/// the next stage of a state, a binding declared before the block (its initial value); the block runs
/// <see cref="Count"/> times.
/// </summary>
internal sealed class RepeatStatement
{
    public RepeatStatement(NameExpr keyword, NumberExpr count, IReadOnlyList<LetStatement> assignments, int letsBefore)
    { Keyword = keyword; Count = count; Assignments = assignments; LetsBefore = letsBefore; }
    public NameExpr Keyword { get; }
    public NumberExpr Count { get; }
    public IReadOnlyList<LetStatement> Assignments { get; }
    /// <summary>How many bindings of the program precede the block (the states must be among them).</summary>
    public int LetsBefore { get; }
}

/// <summary>A whole loss program: declarations, let-bindings and functions, then the loss expression.</summary>
internal sealed class ProgramSyntax
{
    public ProgramSyntax(IReadOnlyList<IndexStatement> indexStatements, IReadOnlyList<LetStatement> lets, Expr result)
        : this(indexStatements, System.Array.Empty<ShapeStatement>(), lets, System.Array.Empty<FunctionStatement>(), result)
    {
    }

    public ProgramSyntax(IReadOnlyList<IndexStatement> indexStatements, IReadOnlyList<ShapeStatement> shapeStatements, IReadOnlyList<LetStatement> lets,
        IReadOnlyList<FunctionStatement> functions, Expr result)
    { IndexStatements = indexStatements; ShapeStatements = shapeStatements; Lets = lets; Functions = functions; Result = result; }
    public IReadOnlyList<IndexStatement> IndexStatements { get; }
    public IReadOnlyList<ShapeStatement> ShapeStatements { get; }
    public IReadOnlyList<LetStatement> Lets { get; }
    public IReadOnlyList<FunctionStatement> Functions { get; }
    /// <summary>The repeat blocks, in program order.</summary>
    public IReadOnlyList<RepeatStatement> Repeats { get; set; } = System.Array.Empty<RepeatStatement>();
    public Expr Result { get; }
}
