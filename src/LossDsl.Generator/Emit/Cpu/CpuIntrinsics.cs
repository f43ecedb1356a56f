using System.Collections.Generic;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>How an IR operation is written in C#: an operator on scalars, and a method of <c>ISimdOps</c>.</summary>
/// <param name="Operator">The C# operator on scalars (infix for two operands, prefix for one), or null for a call.</param>
/// <param name="Method">The <c>ISimdOps</c> method (vector code; and the scalar call when there is no operator).</param>
internal sealed record Intrinsic(string? Operator, string Method);

/// <summary>
/// The CPU emitter's table from IR operations to C#. Scalar code writes an operator, or calls <c>Scalar</c> (a
/// polynomial function: <c>ScalarCall</c>, not inlined); vector code calls the <c>ISimdOps</c> method of the kernel's
/// width <c>TS</c> (a polynomial function past the body's inlining budget: <c>SimdCall</c>). Leaves, loads, reductions,
/// selects and powers of a shared logarithm have forms of their own (see <see cref="CpuExpressionEmitter"/>).
/// </summary>
internal static class CpuIntrinsics
{
    private static readonly Dictionary<Op, Intrinsic> s_table = new()
    {
        [Op.Neg] = new("-", "Negate"),
        [Op.Add] = new("+", "Add"),
        [Op.Sub] = new("-", "Subtract"),
        [Op.Mul] = new("*", "Multiply"),
        [Op.Div] = new("/", "Divide"),
        [Op.Eq] = new("==", "Equal"),
        [Op.Ne] = new("!=", "NotEqual"),
        [Op.Lt] = new("<", "LessThan"),
        [Op.Le] = new("<=", "LessThanOrEqual"),
        [Op.Gt] = new(">", "GreaterThan"),
        [Op.Ge] = new(">=", "GreaterThanOrEqual"),
        [Op.And] = new("&&", "And"),
        [Op.Or] = new("||", "Or"),
        [Op.Not] = new("!", "Not"),
        [Op.Min] = new(null, "Min"),
        [Op.Max] = new(null, "Max"),
        [Op.Pow] = new(null, "Pow"),
        [Op.Abs] = new(null, "Abs"),
        [Op.Sign] = new(null, "Sign"),
        [Op.Sqrt] = new(null, "Sqrt"),
        [Op.Floor] = new(null, "Floor"),
        [Op.Exp] = new(null, "Exp"),
        [Op.Expm1] = new(null, "Expm1"),
        [Op.Log] = new(null, "Log"),
        [Op.Log1p] = new(null, "Log1p"),
        [Op.Sigmoid] = new(null, "Sigmoid"),
        [Op.Softplus] = new(null, "Softplus"),
        [Op.Tanh] = new(null, "Tanh"),
        [Op.Atan] = new(null, "Atan"),
        [Op.Erf] = new(null, "Erf"),
        [Op.Cos] = new(null, "Cos"),
        [Op.Sin] = new(null, "Sin"),
        [Op.Acos] = new(null, "Acos"),
        [Op.Asinh] = new(null, "Asinh"),
        [Op.Atanh] = new(null, "Atanh"),
        [Op.Log1mexp] = new(null, "Log1mexp"),
    };

    /// <summary>The class of the order keys of a selection's radix select in scalar code (float and double overloads).</summary>
    public const string OrderKeysClass = "global::LossDsl.Internals.OrderKeys";

    /// <summary>The intrinsic of an arithmetic, logical or elementwise operation.</summary>
    public static Intrinsic Of(Op op) => s_table[op];

    /// <summary>The class scalar code calls an operation on: polynomial functions go through <c>ScalarCall</c>, which is not inlined.</summary>
    public static string ScalarClass(Op op) => BuiltinTable.IsPolynomial(op) ? "global::LossDsl.Internals.ScalarCall" : "global::LossDsl.Internals.Scalar";

    /// <summary>The class vector code calls a polynomial function on when it is out of line.</summary>
    public const string OutOfLineClass = "global::LossDsl.Internals.SimdCall<TS, TV>";
}
