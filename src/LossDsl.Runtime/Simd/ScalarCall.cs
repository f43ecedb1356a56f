using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The transcendental functions of <see cref="Scalar"/> as ordinary (not inlined) calls. Generated kernels use them in
/// scalar code (per-row epilogues, scalar tails, loops that cannot be vectorized): there a call costs little, while
/// inlining every copy would exhaust the JIT's inlining budget for the method and leave the hot vector loop full of
/// calls. The results are bit-identical to <see cref="Scalar"/>'s.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScalarCall
{
    /// <summary><see cref="Scalar.Exp"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Exp(float x) => Scalar.Exp(x);
    /// <summary><see cref="Scalar.Expm1"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Expm1(float x) => Scalar.Expm1(x);
    /// <summary><see cref="Scalar.Log"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Log(float x) => Scalar.Log(x);
    /// <summary><see cref="Scalar.Log1p"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Log1p(float x) => Scalar.Log1p(x);
    /// <summary><see cref="Scalar.Tanh"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Tanh(float x) => Scalar.Tanh(x);
    /// <summary><see cref="Scalar.Atan"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Atan(float x) => Scalar.Atan(x);
    /// <summary><see cref="Scalar.Erf"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Erf(float x) => Scalar.Erf(x);
    /// <summary><see cref="Scalar.Cos"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Cos(float x) => Scalar.Cos(x);
    /// <summary><see cref="Scalar.Sin"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Sin(float x) => Scalar.Sin(x);
    /// <summary><see cref="Scalar.Acos"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Acos(float x) => Scalar.Acos(x);
    /// <summary><see cref="Scalar.Asinh"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Asinh(float x) => Scalar.Asinh(x);
    /// <summary><see cref="Scalar.Atanh"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Atanh(float x) => Scalar.Atanh(x);
    /// <summary><see cref="Scalar.Log1mexp"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Log1mexp(float x) => Scalar.Log1mexp(x);
    /// <summary><see cref="Scalar.Sigmoid"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Sigmoid(float x) => Scalar.Sigmoid(x);
    /// <summary><see cref="Scalar.Softplus"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Softplus(float x) => Scalar.Softplus(x);
    /// <summary><see cref="Scalar.Pow"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Pow(float x, float y) => Scalar.Pow(x, y);
    /// <summary><see cref="Scalar.PowFromLog"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float PowFromLog(float x, float y, float logAbsX) => Scalar.PowFromLog(x, y, logAbsX);
    /// <summary><see cref="Scalar.PowUniform"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static float PowUniform(float x, float y) => Scalar.PowUniform(x, y);
}
