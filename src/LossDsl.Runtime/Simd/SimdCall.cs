using System.Runtime.CompilerServices;

namespace LossDsl.Simd;

/// <summary>
/// The polynomial functions of <typeparamref name="TS"/> as out-of-line calls. A generated loop body with many of them
/// calls them here instead of inlining each one: the JIT's inlining budget per method is limited, and once it is
/// exhausted even single-instruction operations stop being inlined, which costs far more than these calls.
/// </summary>
public static class SimdCall<TS, TV> where TS : struct, ISimdOps<TV> where TV : struct
{
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Exp(TV x) => TS.Exp(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Expm1(TV x) => TS.Expm1(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Log(TV x) => TS.Log(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Log1p(TV x) => TS.Log1p(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Tanh(TV x) => TS.Tanh(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Atan(TV x) => TS.Atan(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Erf(TV x) => TS.Erf(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Sigmoid(TV x) => TS.Sigmoid(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Softplus(TV x) => TS.Softplus(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV Pow(TV x, TV y) => TS.Pow(x, y);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowFromLog(TV x, TV y, TV logAbsX) => TS.PowFromLog(x, y, logAbsX);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowFromLogUniform(TV x, float y, TV logAbsX) => TS.PowFromLogUniform(x, y, logAbsX);
    [MethodImpl(MethodImplOptions.NoInlining)] public static TV PowUniform(TV x, float y) => TS.PowUniform(x, y);
}
