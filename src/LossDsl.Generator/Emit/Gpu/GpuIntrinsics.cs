using System.Collections.Generic;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// The GPU emitter's table from IR operations to C# that ILGPU compiles: an operator on scalars, or a function of
/// <c>LossDsl.Gpu.Internals.GpuMath</c> (float math with the CPU kernels' special cases; ILGPU's intrinsics underneath).
/// Leaves, loads, reductions, selects and powers have forms of their own (see <see cref="GpuExpressionEmitter"/>).
/// </summary>
internal static class GpuIntrinsics
{
    public const string MathClass = "global::LossDsl.Gpu.Internals.GpuMath";

    private static readonly Dictionary<Op, (string? Operator, string Function)> s_table = new()
    {
        [Op.Neg] = ("-", "Negate"),
        [Op.Add] = ("+", "Add"),
        [Op.Sub] = ("-", "Subtract"),
        [Op.Mul] = ("*", "Multiply"),
        [Op.Div] = ("/", "Divide"),
        [Op.Eq] = ("==", "Equal"),
        [Op.Ne] = ("!=", "NotEqual"),
        [Op.Lt] = ("<", "LessThan"),
        [Op.Le] = ("<=", "LessThanOrEqual"),
        [Op.Gt] = (">", "GreaterThan"),
        [Op.Ge] = (">=", "GreaterThanOrEqual"),
        [Op.And] = ("&&", "And"),
        [Op.Or] = ("||", "Or"),
        [Op.Not] = ("!", "Not"),
        [Op.Min] = (null, "Min"),
        [Op.Max] = (null, "Max"),
        [Op.Pow] = (null, "Pow"),
        [Op.Abs] = (null, "Abs"),
        [Op.Sign] = (null, "Sign"),
        [Op.Sqrt] = (null, "Sqrt"),
        [Op.Floor] = (null, "Floor"),
        [Op.Exp] = (null, "Exp"),
        [Op.Expm1] = (null, "Expm1"),
        [Op.Log] = (null, "Log"),
        [Op.Log1p] = (null, "Log1p"),
        [Op.Sigmoid] = (null, "Sigmoid"),
        [Op.Softplus] = (null, "Softplus"),
        [Op.Tanh] = (null, "Tanh"),
        [Op.Atan] = (null, "Atan"),
        [Op.Erf] = (null, "Erf"),
        [Op.Cos] = (null, "Cos"),
        [Op.Sin] = (null, "Sin"),
        [Op.Acos] = (null, "Acos"),
        [Op.Asinh] = (null, "Asinh"),
        [Op.Atanh] = (null, "Atanh"),
        [Op.Log1mexp] = (null, "Log1mexp"),
        [Op.KeyBelow] = (null, "KeyBelow"),
        [Op.KeyBit] = (null, "KeyBit"),
        [Op.KeyValue] = (null, "KeyValue"),
    };

    /// <summary>The C# operator of an operation (null for a function), and its <c>GpuMath</c> function.</summary>
    public static (string? Operator, string Function) Of(Op op) => s_table[op];
}
