using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The vector operations that generated loss kernels are written against. A kernel body is emitted once as a
/// generic method over <typeparamref name="TVec"/> and instantiated for <see cref="Simd512"/>, <see cref="Simd256"/>,
/// <see cref="Simd128"/> and, for the scalar tail, <see cref="Scalar"/>; the JIT specializes each instantiation, so
/// the static abstract calls below compile to straight-line vector instructions.
/// </summary>
/// <remarks>
/// <para>Masks are vectors whose lanes are all-ones (true) or all-zeros (false), as the hardware compare instructions
/// produce them; for <see cref="Scalar"/> a mask is a float whose 32 bits are all ones (a NaN) or all zeros.</para>
/// <para>The transcendental functions are float-only polynomials (never evaluated in double), branch-free, and the
/// same algorithm for every width, so <see cref="Scalar"/> returns the same bits as a vector lane. Measured maximum
/// errors against a double-precision reference over dense sweeps: Exp 1.0 ulp, Log 0.9, Log1p 1.3, Expm1 1.5,
/// Tanh 1.3, Atan 1.4, Softplus 1.6, Sigmoid 2.1, Cos 1.5, Sin 1.5, Acos 1.1, Asinh 1.6, Atanh 1.8, Log1mexp 1.9,
/// Erf 6.4e-8 absolute (1 ulp for |x| &lt; 0.9), Pow about
/// (1 + |y ln x|) * 2^-24 relative. Results that would be subnormal (below 2^-126) come out as +0 from Exp and
/// the functions built on it (Sigmoid, Softplus, Pow); subnormal inputs are handled exactly.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public unsafe interface ISimdOps<TVec> where TVec : struct
{
    /// <summary>Number of float lanes.</summary>
    static abstract int Count { get; }
    /// <summary>Whether the runtime accelerates vectors of this width on this machine (always true for the scalar one).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TVec Broadcast(float value);
    /// <summary>Lanes start, start+1, ..., start+Count-1 (the values of a loop index).</summary>
    static abstract TVec Iota(float start);
    /// <summary>Loads Count floats (no alignment required).</summary>
    static abstract TVec Load(float* source);
    /// <summary>Stores Count floats (no alignment required).</summary>
    static abstract void Store(TVec value, float* destination);
    /// <summary>Loads Count ints and converts them to float.</summary>
    static abstract TVec LoadInt(int* source);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TVec Add(TVec a, TVec b);
    /// <summary>Lane-wise a - b.</summary>
    static abstract TVec Subtract(TVec a, TVec b);
    /// <summary>Lane-wise a * b.</summary>
    static abstract TVec Multiply(TVec a, TVec b);
    /// <summary>Lane-wise a / b (IEEE: division by zero gives ±inf or NaN).</summary>
    static abstract TVec Divide(TVec a, TVec b);
    /// <summary>a * b + c, fused where the hardware has it.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);
    /// <summary>Lane-wise -a.</summary>
    static abstract TVec Negate(TVec a);
    /// <summary>Lane-wise |a|.</summary>
    static abstract TVec Abs(TVec a);
    /// <summary>IEEE 754-2019 minimum, as <see cref="System.MathF.Min"/>: NaN if either operand is NaN, -0 &lt; +0.</summary>
    static abstract TVec Min(TVec a, TVec b);
    /// <summary>IEEE 754-2019 maximum, as <see cref="System.MathF.Max"/>: NaN if either operand is NaN, -0 &lt; +0.</summary>
    static abstract TVec Max(TVec a, TVec b);
    /// <summary>Lane-wise square root: NaN for a &lt; 0.</summary>
    static abstract TVec Sqrt(TVec a);
    /// <summary>-1, 0 or +1 (0 for ±0; NaN stays NaN).</summary>
    static abstract TVec Sign(TVec a);
    /// <summary>Rounds toward negative infinity.</summary>
    static abstract TVec Floor(TVec a);

    /// <summary>Ordered compare: false when either operand is NaN (as are the other relational compares).</summary>
    static abstract TVec Equal(TVec a, TVec b);
    /// <summary>Not <see cref="Equal"/>: true when either operand is NaN, like the C# != operator.</summary>
    static abstract TVec NotEqual(TVec a, TVec b);
    /// <summary>Lane-wise a &lt; b as a mask (false when either operand is NaN).</summary>
    static abstract TVec LessThan(TVec a, TVec b);
    /// <summary>Lane-wise a &lt;= b as a mask (false when either operand is NaN).</summary>
    static abstract TVec LessThanOrEqual(TVec a, TVec b);
    /// <summary>Lane-wise: the order key of x below the key held in the bits of <paramref name="key"/>, as a mask
    /// (<see cref="OrderKeys"/>: the radix select of kth, median and quantile).</summary>
    static abstract TVec KeyBelow(TVec x, TVec key);
    /// <summary>Lane-wise: the key held in the bits of <paramref name="key"/> with bit <paramref name="bit"/> set (<see cref="OrderKeys.SetBit(float, float)"/>).</summary>
    static abstract TVec KeyBit(TVec key, float bit);
    /// <summary>Lane-wise: the value whose key is held in the bits of <paramref name="key"/> (<see cref="OrderKeys.Value(float)"/>).</summary>
    static abstract TVec KeyValue(TVec key);
    /// <summary>Lane-wise a &gt; b as a mask (false when either operand is NaN).</summary>
    static abstract TVec GreaterThan(TVec a, TVec b);
    /// <summary>Lane-wise a &gt;= b as a mask (false when either operand is NaN).</summary>
    static abstract TVec GreaterThanOrEqual(TVec a, TVec b);
    /// <summary>Bitwise and of two masks (logical and).</summary>
    static abstract TVec And(TVec a, TVec b);
    /// <summary>Bitwise or of two masks (logical or).</summary>
    static abstract TVec Or(TVec a, TVec b);
    /// <summary>Bitwise complement of a mask (logical not).</summary>
    static abstract TVec Not(TVec mask);
    /// <summary>Lane-wise mask ? a : b.</summary>
    static abstract TVec Select(TVec mask, TVec a, TVec b);
    /// <summary>Lane-wise mask ? 1 : 0.</summary>
    static abstract TVec MaskToOne(TVec mask);

    /// <summary>e^x: +inf above 88.72283, +0 below -87.33654 (no subnormal results), NaN propagates.</summary>
    static abstract TVec Exp(TVec x);
    /// <summary>e^x - 1, accurate near 0: -1 for large negative x, +inf above 88.72283, NaN propagates.</summary>
    static abstract TVec Expm1(TVec x);
    /// <summary>Natural log: log(±0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf; subnormal inputs handled.</summary>
    static abstract TVec Log(TVec x);
    /// <summary>log(1 + x), accurate near 0: log1p(-1) = -inf, log1p(x &lt; -1) = NaN, log1p(+inf) = +inf.</summary>
    static abstract TVec Log1p(TVec x);
    /// <summary>Hyperbolic tangent, accurate relative to the result near 0, exactly ±1 for large |x|.</summary>
    static abstract TVec Tanh(TVec x);
    /// <summary>Arctangent in (-pi/2, pi/2); atan(±inf) = ±pi/2 (the float nearest).</summary>
    static abstract TVec Atan(TVec x);
    /// <summary>Error function; exactly ±1 for |x| &gt;= 3.95, relative accuracy near 0.</summary>
    static abstract TVec Erf(TVec x);
    /// <summary>cos x: reduced by pi/2 in double, a polynomial on [-pi/4, pi/4]; NaN for ±inf and NaN.</summary>
    static abstract TVec Cos(TVec x);
    /// <summary>sin x: reduced by pi/2 in double, a polynomial on [-pi/4, pi/4]; sin(±0) = ±0, NaN for ±inf and NaN.</summary>
    static abstract TVec Sin(TVec x);
    /// <summary>Arccosine in [0, pi]: acos(1) = 0, acos(-1) = pi (the float nearest), NaN outside [-1, 1].</summary>
    static abstract TVec Acos(TVec x);
    /// <summary>Inverse hyperbolic sine, odd, accurate near 0 and finite for every finite x.</summary>
    static abstract TVec Asinh(TVec x);
    /// <summary>Inverse hyperbolic tangent, odd, accurate near 0: ±inf at ±1, NaN for |x| &gt; 1.</summary>
    static abstract TVec Atanh(TVec x);
    /// <summary>log(1 - exp(-x)) for x &gt;= 0, stable (Maechler): -inf at 0, NaN below 0; 0 for x &gt; 87.3 (the result would be below 2^-126).</summary>
    static abstract TVec Log1mexp(TVec x);
    /// <summary>1 / (1 + exp(-x)), stable for all x.</summary>
    static abstract TVec Sigmoid(TVec x);
    /// <summary>log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), stable for all x.</summary>
    static abstract TVec Softplus(TVec x);
    /// <summary>x^y for real y: 1 when y == 0; 0 when x == 0 and y &gt; 0; |x|^y with the sign of x for integral odd y and x &lt; 0; NaN for x &lt; 0 and non-integral y.</summary>
    /// <remarks>
    /// Also: +inf when x == ±0 and y &lt; 0, -inf for x == -0 and odd integral y &lt; 0 (as IEEE); 1 when |x| == 1 for any y, including ±inf and NaN (signed by the odd-y
    /// rule for x == -1), as IEEE pow; NaN otherwise when x or y is NaN. Computed as exp(y log|x|) in float, so the
    /// relative error grows like (1 + |y ln x|) * 2^-24, and pow(x, 2) is within a few ulp of x * x, not exactly it.
    /// </remarks>
    static abstract TVec Pow(TVec x, TVec y);
    /// <summary><see cref="Pow"/> with log|x| supplied (it must equal <c>Log(Abs(x))</c>), to share one logarithm between powers of a base.</summary>
    static abstract TVec PowFromLog(TVec x, TVec y, TVec logAbsX);
    /// <summary><see cref="PowFromLog"/> with the same exponent in every lane; an integral exponent in [-2, 4] is computed
    /// by multiplication (the supplied logarithm is then unused).</summary>
    static abstract TVec PowFromLogUniform(TVec x, float y, TVec logAbsX);
    /// <summary><see cref="Pow"/> with the same exponent in every lane: an integral exponent in [-2, 4] is computed by
    /// multiplication, with no logarithm or exponential; any other exponent as <see cref="PowFromLogUniform"/>.</summary>
    static abstract TVec PowUniform(TVec x, float y);

    /// <summary>Sum of the lanes in a fixed pairwise order (lane i + lane i + Count/2, recursively), so the result is
    /// reproducible for a given width.</summary>
    static abstract float Sum(TVec a);
    /// <summary>Largest lane; NaN if any lane is NaN.</summary>
    static abstract float MaxAcross(TVec a);
    /// <summary>Smallest lane; NaN if any lane is NaN.</summary>
    static abstract float MinAcross(TVec a);
}
