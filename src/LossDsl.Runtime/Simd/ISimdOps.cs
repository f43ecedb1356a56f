using System.Runtime.Intrinsics;

namespace LossDsl.Simd;

/// <summary>
/// The vector operations that generated loss kernels are written against. A kernel body is emitted once as a
/// generic method over <typeparamref name="TVec"/> and instantiated for <see cref="Simd512"/>, <see cref="Simd256"/>,
/// <see cref="Simd128"/> and, for the scalar tail, <see cref="Scalar"/>; the JIT specializes each instantiation, so
/// the static abstract calls below compile to straight-line vector instructions.
/// </summary>
/// <remarks>
/// Masks are vectors whose lanes are all-ones (true) or all-zeros (false), as the hardware compare instructions
/// produce them. The transcendental functions are float-only polynomials accurate to a few ulp (see docs/language.md).
/// </remarks>
public unsafe interface ISimdOps<TVec> where TVec : struct
{
    /// <summary>Number of float lanes.</summary>
    static abstract int Count { get; }
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVec Broadcast(float value);
    /// <summary>Lanes start, start+1, ..., start+Count-1 (the values of a loop index).</summary>
    static abstract TVec Iota(float start);
    static abstract TVec Load(float* source);
    static abstract void Store(TVec value, float* destination);
    /// <summary>Loads Count ints and converts them to float.</summary>
    static abstract TVec LoadInt(int* source);

    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Subtract(TVec a, TVec b);
    static abstract TVec Multiply(TVec a, TVec b);
    static abstract TVec Divide(TVec a, TVec b);
    /// <summary>a * b + c, fused where the hardware has it.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);
    static abstract TVec Negate(TVec a);
    static abstract TVec Abs(TVec a);
    static abstract TVec Min(TVec a, TVec b);
    static abstract TVec Max(TVec a, TVec b);
    static abstract TVec Sqrt(TVec a);
    /// <summary>-1, 0 or +1 (0 for ±0; NaN stays NaN).</summary>
    static abstract TVec Sign(TVec a);
    static abstract TVec Floor(TVec a);

    static abstract TVec Equal(TVec a, TVec b);
    static abstract TVec NotEqual(TVec a, TVec b);
    static abstract TVec LessThan(TVec a, TVec b);
    static abstract TVec LessThanOrEqual(TVec a, TVec b);
    static abstract TVec GreaterThan(TVec a, TVec b);
    static abstract TVec GreaterThanOrEqual(TVec a, TVec b);
    static abstract TVec And(TVec a, TVec b);
    static abstract TVec Or(TVec a, TVec b);
    static abstract TVec Not(TVec mask);
    /// <summary>Lane-wise mask ? a : b.</summary>
    static abstract TVec Select(TVec mask, TVec a, TVec b);
    /// <summary>Lane-wise mask ? 1 : 0.</summary>
    static abstract TVec MaskToOne(TVec mask);

    static abstract TVec Exp(TVec x);
    static abstract TVec Expm1(TVec x);
    static abstract TVec Log(TVec x);
    static abstract TVec Log1p(TVec x);
    static abstract TVec Tanh(TVec x);
    static abstract TVec Atan(TVec x);
    static abstract TVec Erf(TVec x);
    /// <summary>1 / (1 + exp(-x)), stable for all x.</summary>
    static abstract TVec Sigmoid(TVec x);
    /// <summary>log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), stable for all x.</summary>
    static abstract TVec Softplus(TVec x);
    /// <summary>x^y for real y: 1 when y == 0; 0 when x == 0 and y &gt; 0; |x|^y with the sign of x for integral odd y and x &lt; 0; NaN for x &lt; 0 and non-integral y.</summary>
    static abstract TVec Pow(TVec x, TVec y);

    static abstract float Sum(TVec a);
    static abstract float MaxAcross(TVec a);
    static abstract float MinAcross(TVec a);
}
