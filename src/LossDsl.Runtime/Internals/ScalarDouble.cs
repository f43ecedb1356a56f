using System;
using System.ComponentModel;
using LossDsl.Language.Builtins;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The functions of kernels computed in double (losses whose tensors are <c>double</c>): the interpreter's double
/// math (<c>Math</c>, and the language's reference implementations of log1p, expm1, sigmoid, softplus, erf and
/// powers), so that such a kernel agrees with the interpreter up to the order of its sums.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScalarDouble
{
    /// <summary>The smaller value; NaN if either is NaN.</summary>
    public static double Min(double a, double b) => Math.Min(a, b);
    /// <summary>The larger value; NaN if either is NaN.</summary>
    public static double Max(double a, double b) => Math.Max(a, b);
    /// <summary>|a|.</summary>
    public static double Abs(double a) => Math.Abs(a);
    /// <summary>-1, 0 or +1; NaN stays NaN.</summary>
    public static double Sign(double a) => double.IsNaN(a) ? a : Math.Sign(a);
    /// <summary>The square root.</summary>
    public static double Sqrt(double a) => Math.Sqrt(a);
    /// <summary>Rounds toward negative infinity.</summary>
    public static double Floor(double a) => Math.Floor(a);
    /// <summary>e^x.</summary>
    public static double Exp(double x) => Math.Exp(x);
    /// <summary>e^x - 1, accurate near 0.</summary>
    public static double Expm1(double x) => ScalarMath.Expm1(x);
    /// <summary>The natural logarithm.</summary>
    public static double Log(double x) => Math.Log(x);
    /// <summary>log(1 + x), accurate near 0.</summary>
    public static double Log1p(double x) => ScalarMath.Log1p(x);
    /// <summary>The hyperbolic tangent.</summary>
    public static double Tanh(double x) => Math.Tanh(x);
    /// <summary>The arctangent.</summary>
    public static double Atan(double x) => Math.Atan(x);
    /// <summary>The cosine.</summary>
    public static double Cos(double x) => Math.Cos(x);
    /// <summary>The sine.</summary>
    public static double Sin(double x) => Math.Sin(x);
    /// <summary>The arccosine.</summary>
    public static double Acos(double x) => Math.Acos(x);
    /// <summary>The inverse hyperbolic sine.</summary>
    public static double Asinh(double x) => ScalarMath.Asinh(x);
    /// <summary>The inverse hyperbolic tangent.</summary>
    public static double Atanh(double x) => ScalarMath.Atanh(x);
    /// <summary>log(1 - exp(-x)), stable.</summary>
    public static double Log1mexp(double x) => ScalarMath.Log1mexp(x);
    /// <summary>The error function.</summary>
    public static double Erf(double x) => ScalarMath.Erf(x);
    /// <summary>1 / (1 + exp(-x)), stable for all x.</summary>
    public static double Sigmoid(double x) => ScalarMath.Sigmoid(x);
    /// <summary>log(1 + exp(x)), stable for all x.</summary>
    public static double Softplus(double x) => ScalarMath.Softplus(x);
    /// <summary>x^y with the language's semantics (x^0 = 1).</summary>
    public static double Pow(double x, double y) => ScalarMath.Pow(x, y);
    /// <summary>x^y; the supplied log|x| is not needed in double.</summary>
    public static double PowFromLog(double x, double y, double logAbsX) => ScalarMath.Pow(x, y);
    /// <summary>x^y with an exponent that is the same for every element.</summary>
    public static double PowUniform(double x, double y) => ScalarMath.Pow(x, y);
}
