using System.Globalization;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// How the CPU emitter spells the type a kernel computes Real values in (<see cref="LossModel.Real"/>): float, whose
/// functions are the runtime's float polynomials (<c>Scalar</c>, <c>ScalarCall</c>) and whose loops may be vectorized,
/// or double, whose functions are <c>LossDsl.Internals.ScalarDouble</c> (the interpreter's double math) and whose
/// loops the planner leaves scalar.
/// </summary>
internal sealed class CpuReal
{
    private CpuReal(bool isDouble) { IsDouble = isDouble; }

    public static readonly CpuReal Float = new(false);
    public static readonly CpuReal Double = new(true);

    public static CpuReal Of(LossModel model) => model.Real == ElementType.Float64 ? Double : Float;

    /// <summary>True for double.</summary>
    public bool IsDouble { get; }
    /// <summary>"float" or "double".</summary>
    public string Name => IsDouble ? "double" : "float";
    /// <summary>The value 1 (the default upstream gradient).</summary>
    public string One => IsDouble ? "1.0" : "1f";
    /// <summary>The value 0 (a gather out of range).</summary>
    public string Zero => IsDouble ? "0.0" : "0f";
    /// <summary>The class of the running pairs of online sums of exponentials.</summary>
    public string Online => IsDouble ? "global::LossDsl.Internals.OnlineSumExpDouble" : "global::LossDsl.Internals.OnlineSumExp";
    /// <summary>The class of min and max in scalar accumulations.</summary>
    public string Math => IsDouble ? "global::LossDsl.Internals.ScalarDouble" : "global::LossDsl.Internals.Scalar";
    /// <summary>The class of the powers of a shared logarithm in scalar code.</summary>
    public string Call => IsDouble ? "global::LossDsl.Internals.ScalarDouble" : "global::LossDsl.Internals.ScalarCall";

    /// <summary>The class scalar code calls an operation on.</summary>
    public string ScalarClass(Op op) => IsDouble ? "global::LossDsl.Internals.ScalarDouble" : CpuIntrinsics.ScalarClass(op);

    /// <summary>An Int or Bool value as a Real.</summary>
    public string From(Node n, string code) => n.Type switch
    {
        DslType.Int => $"({Name})({code})",
        DslType.Bool => $"({code} ? {One} : {Zero})",
        _ => code,
    };

    /// <summary>A literal that reads the same in every culture.</summary>
    public string Literal(double v)
    {
        if (!IsDouble) return CpuExpressionEmitter.FloatLiteral(v);
        if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
        if (double.IsNaN(v)) return "double.NaN";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOf('E') < 0 && s.IndexOf('.') < 0) s += ".0";
        return v < 0 ? "(" + s + ")" : s;
    }
}
