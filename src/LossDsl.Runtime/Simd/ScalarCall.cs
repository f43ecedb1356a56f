using System.Runtime.CompilerServices;

namespace LossDsl.Simd;

/// <summary>
/// The transcendental functions of <see cref="Scalar"/> as ordinary (not inlined) calls. Generated kernels use them in
/// scalar code (per-row epilogues, scalar tails, loops that cannot be vectorized): there a call costs little, while
/// inlining every copy would exhaust the JIT's inlining budget for the method and leave the hot vector loop full of
/// calls. The results are bit-identical to <see cref="Scalar"/>'s.
/// </summary>
public static class ScalarCall
{
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Exp(float x) => Scalar.Exp(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Expm1(float x) => Scalar.Expm1(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Log(float x) => Scalar.Log(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Log1p(float x) => Scalar.Log1p(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Tanh(float x) => Scalar.Tanh(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Atan(float x) => Scalar.Atan(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Erf(float x) => Scalar.Erf(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Sigmoid(float x) => Scalar.Sigmoid(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Softplus(float x) => Scalar.Softplus(x);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float Pow(float x, float y) => Scalar.Pow(x, y);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float PowFromLog(float x, float y, float logAbsX) => Scalar.PowFromLog(x, y, logAbsX);
    [MethodImpl(MethodImplOptions.NoInlining)] public static float PowUniform(float x, float y) => Scalar.PowUniform(x, y);
}
