using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The polynomial functions of <typeparamref name="TS"/> as out-of-line calls. A generated loop body with many of them
/// calls them here instead of inlining each one: the JIT's inlining budget per method is limited, and once it is
/// exhausted even single-instruction operations stop being inlined, which costs far more than these calls.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SimdCall<TS, TV> where TS : struct, ISimdOps<TV> where TV : struct
{
    /// <summary><see cref="ISimdOps{TVec}.Exp"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Exp(TV x) => TS.Exp(x);
    /// <summary><see cref="ISimdOps{TVec}.Expm1"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Expm1(TV x) => TS.Expm1(x);
    /// <summary><see cref="ISimdOps{TVec}.Log"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Log(TV x) => TS.Log(x);
    /// <summary><see cref="ISimdOps{TVec}.Log1p"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Log1p(TV x) => TS.Log1p(x);
    /// <summary><see cref="ISimdOps{TVec}.Tanh"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Tanh(TV x) => TS.Tanh(x);
    /// <summary><see cref="ISimdOps{TVec}.Atan"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Atan(TV x) => TS.Atan(x);
    /// <summary><see cref="ISimdOps{TVec}.Erf"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Erf(TV x) => TS.Erf(x);
    /// <summary><see cref="ISimdOps{TVec}.Cos"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Cos(TV x) => TS.Cos(x);
    /// <summary><see cref="ISimdOps{TVec}.Sin"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Sin(TV x) => TS.Sin(x);
    /// <summary><see cref="ISimdOps{TVec}.Acos"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Acos(TV x) => TS.Acos(x);
    /// <summary><see cref="ISimdOps{TVec}.Asinh"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Asinh(TV x) => TS.Asinh(x);
    /// <summary><see cref="ISimdOps{TVec}.Atanh"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Atanh(TV x) => TS.Atanh(x);
    /// <summary><see cref="ISimdOps{TVec}.Log1mexp"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Log1mexp(TV x) => TS.Log1mexp(x);
    /// <summary><see cref="ISimdOps{TVec}.Sigmoid"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Sigmoid(TV x) => TS.Sigmoid(x);
    /// <summary><see cref="ISimdOps{TVec}.Softplus"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Softplus(TV x) => TS.Softplus(x);
    /// <summary><see cref="ISimdOps{TVec}.Pow"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Pow(TV x, TV y) => TS.Pow(x, y);
    /// <summary><see cref="ISimdOps{TVec}.PowFromLog"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowFromLog(TV x, TV y, TV logAbsX) => TS.PowFromLog(x, y, logAbsX);
    /// <summary><see cref="ISimdOps{TVec}.PowFromLogUniform"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowFromLogUniform(TV x, float y, TV logAbsX) => TS.PowFromLogUniform(x, y, logAbsX);
    /// <summary><see cref="ISimdOps{TVec}.PowUniform"/> of <typeparamref name="TS"/> as a call that is never inlined.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowUniform(TV x, float y) => TS.PowUniform(x, y);
}
