using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Float-only transcendental functions, written once against <see cref="IVectorPrimitives{TVec}"/> and instantiated
/// by <see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/> and <see cref="Scalar"/>. All code paths are
/// branch-free (special inputs are patched in with masks), so a lane's result never depends on its neighbours and
/// the scalar instantiation returns the same bits as the vector ones. Sin and cos reduce their argument in double
/// and branch, for a vector with an argument beyond 2^21, to the double library function for those lanes; both are
/// lane-wise too, so the same holds.
/// </summary>
/// <remarks>
/// <para>The polynomial coefficients were fitted with a Remez exchange on relative error (absolute error for the erf
/// tail) in double precision and then rounded to float (those of sin, cos and asin, used by acos, are Cephes'); the bounds quoted below are the maxima the test sweeps (about a
/// million inputs per function, tests/LossDsl.Tests/Simd) measure against a double-precision reference, in units in the
/// last place of the float result, identical for all four widths.</para>
/// <list type="bullet">
/// <item><description>Exp: 1.01 ulp. Results below 2^-126 (x &lt; -87.33654) are flushed to +0 rather than returned
/// as subnormals: 2^k is applied by adding k to the exponent field (exact, no multiply), which cannot form a
/// subnormal, and no lane ever performs a subnormal multiply (those take microcode assists on x86 even in lanes whose
/// result is discarded). Kernels that care about e^-88 should stay in the log domain (softplus).</description></item>
/// <item><description>Log: 0.85 ulp, subnormal inputs handled exactly (prescaled by 2^23). Log1p: 1.28 ulp.</description></item>
/// <item><description>Expm1: 1.47 ulp, including near 0. Tanh: 1.32 ulp. Atan: 1.35 ulp.</description></item>
/// <item><description>Sigmoid: 2.08 ulp. Softplus: 1.58 ulp. Erf: absolute error 6.4e-8, 0.97 ulp for |x| &lt; 0.9.</description></item>
/// <item><description>Cos: 1.47 ulp, Sin: 1.48 ulp (the argument reduced by pi/2 in double, see <see cref="TrigReduction"/>;
/// beyond 2^21 the double library function). Acos: 1.05 ulp. Asinh: 1.53 ulp. Atanh: 1.77 ulp. Log1mexp: 1.94 ulp
/// (0 below 2^-126, as Exp).</description></item>
/// <item><description>Pow: exp(y * log|x|) in float; relative error within 0.12 * 1e-6 * (1 + |y ln x|) on the test
/// sweep (the error of log|x| is scaled by y).</description></item>
/// </list>
/// </remarks>
internal static class VectorMath
{
    // ---- shared constants -------------------------------------------------------------------------------------------
    private const int SignMaskBits = unchecked((int)0x80000000);
    private const int OneBits = 0x3F800000;
    private const float Log2E = 1.44269504088896341f;
    /// <summary>High part of ln 2 with 15 significant bits: k * Ln2Hi is exact for |k| &lt; 2^9 even without FMA.</summary>
    private const float Ln2Hi = 0.693145751953125f;
    /// <summary>ln 2 - Ln2Hi.</summary>
    private const float Ln2Lo = 1.42860676533018704e-06f;
    /// <summary>1.5 * 2^23: adding it rounds to an integer and leaves that integer in the low mantissa bits.</summary>
    private const float RoundMagic = 12582912f;

    /// <summary>Largest float whose exp is finite (ln(FLT_MAX) rounds above it).</summary>
    private const float ExpOverflow = 88.72283172607422f;
    /// <summary>Smallest float whose exp is a normal float (ln(2^-126) = -87.33654475...; rounded toward zero).</summary>
    private const float ExpUnderflow = -87.33654022216797f;

    // exp(r) - 1 = r + r^2 * Q(r) on [-ln2/2, ln2/2]; Remez fit, relative error 2.9e-1 * 2^-24.
    private const float E2 = 0.4999999701976776f;      // 0x1.fffffep-2
    private const float E3 = 0.16666541993618011f;     // 0x1.5554aep-3
    private const float E4 = 0.04166720435023308f;     // 0x1.555676p-5
    private const float E5 = 0.00836664717644453f;     // 0x1.122886p-7
    private const float E6 = 0.001388249802403152f;    // 0x1.6bebdep-10

    // log(1 + f) = f - f^2/2 + f^3 * P(f) on [sqrt(1/2) - 1, sqrt(2) - 1]; relative error 1.1e-1 * 2^-24.
    private const float L3 = 0.3333333134651184f;      // 0x1.555554p-2
    private const float L4 = -0.25000837445259094f;    // -0x1.000232p-2
    private const float L5 = 0.2000129222869873f;      // 0x1.99a060p-3
    private const float L6 = -0.16622765362262726f;    // -0x1.546f2ap-3
    private const float L7 = 0.14199694991111755f;     // 0x1.22cf4cp-3
    private const float L8 = -0.13164184987545013f;    // -0x1.0d9a3ep-3
    private const float L9 = 0.127791166305542f;       // 0x1.05b760p-3
    private const float L10 = -0.0764610767364502f;    // -0x1.392f40p-4
    /// <summary>Bit pattern of sqrt(1/2): the mantissa is normalised into [sqrt(1/2), sqrt(2)).</summary>
    private const int SqrtHalfBits = 0x3F3504F3;
    private const int ExponentMaskBits = unchecked((int)0xFF800000);
    private const float MinNormal = 1.17549435e-38f;   // 2^-126
    private const float TwoPow23 = 8388608f;

    // tanh(x) = x + x^3 * T(x^2) for |x| < 0.625; relative error 1.4e-1 * 2^-24.
    private const float TanhSmall = 0.625f;
    private const float T0 = -0.3333328068256378f;     // -0x1.555532p-2
    private const float T1 = 0.13331441581249237f;     // 0x1.110726p-3
    private const float T2 = -0.05373971536755562f;    // -0x1.b83c5ap-5
    private const float T3 = 0.0206390880048275f;      // 0x1.52269cp-6
    private const float T4 = -0.005704987328499556f;   // -0x1.75e1cep-8

    // atan(t) = t + t^3 * A(t^2) for t in [0, 1]; relative error 3.0e-1 * 2^-24.
    private const float A0 = -0.33333152532577515f;    // -0x1.5554dcp-2
    private const float A1 = 0.19993773102760315f;     // 0x1.9978f4p-3
    private const float A2 = -0.14211055636405945f;    // -0x1.230adcp-3
    private const float A3 = 0.10666004568338394f;     // 0x1.b4e12ap-4
    private const float A4 = -0.07552214711904526f;    // -0x1.3556b6p-4
    private const float A5 = 0.04321186617016792f;     // 0x1.61fddap-5
    private const float A6 = -0.01636793091893196f;    // -0x1.0c2c14p-6
    private const float A7 = 0.0029206927865743637f;   // 0x1.7ed230p-9
    private const float PiOver2Hi = 1.5707963705062866f;       // float(pi/2), above pi/2
    private const float PiOver2Lo = -4.37113900630947700e-08f; // pi/2 - PiOver2Hi

    // erf(x) = x + x * R(x^2) for |x| < 0.921875; relative error 4.6e-1 * 2^-24.
    private const float ErfSmall = 0.921875f;
    private const float R0 = 0.12837915122509003f;     // 0x1.06eba6p-3
    private const float R1 = -0.37612494826316833f;    // -0x1.8126e6p-2
    private const float R2 = 0.1128181591629982f;      // 0x1.ce1a6ap-4
    private const float R3 = -0.026766616851091385f;   // -0x1.b68b54p-6
    private const float R4 = 0.004993180278688669f;    // 0x1.473baap-8
    private const float R5 = -0.0005990853533148766f;  // -0x1.3a17e0p-11
    // erf(x) = 1 - exp(G(x)) for 0.921875 <= x <= 3.95, G ~ log(erfc(x)); erf absolute error 8.1e-9.
    private const float ErfOne = 3.95f;                // erfc(3.95) < 2^-25, so erf rounds to 1 from here on
    private const float G0 = -0.00020992301870137453f; // -0x1.b83d90p-13
    private const float G1 = -1.1276154518127441f;     // -0x1.20ab68p+0
    private const float G2 = -0.6372858285903931f;     // -0x1.464a54p-1
    private const float G3 = -0.10383884608745575f;    // -0x1.a952ecp-4
    private const float G4 = 0.02218136563897133f;     // 0x1.6b6b64p-6
    private const float G5 = -0.0030315921176224947f;  // -0x1.8d5b5ap-9
    private const float G6 = 0.00019473358406685293f;  // 0x1.9862ccp-13


    // sin(r) = r + r^3 S(r^2), cos(r) = 1 - r^2/2 + r^4 C(r^2) on [-pi/4, pi/4] (Cephes sinf/cosf).
    private const float S1 = -1.6666654611e-1f;
    private const float S2 = 8.3321608736e-3f;
    private const float S3 = -1.9515295891e-4f;
    private const float K1 = 4.166664568298827e-2f;
    private const float K2 = -1.388731625493765e-3f;
    private const float K3 = 2.443315711809948e-5f;

    // asin(s) = s + s z P(z), z = s^2 (or (1 - |x|)/2 with s = sqrt(z)), for s in [0, 0.5] (Cephes asinf).
    private const float Q0 = 1.6666752422e-1f;
    private const float Q1 = 7.4953002686e-2f;
    private const float Q2 = 4.5470025998e-2f;
    private const float Q3 = 2.4181311049e-2f;
    private const float Q4 = 4.2163199048e-2f;
    private const float PiHi = 3.1415927410125732f;            // float(pi), above pi
    private const float PiLo = -8.742278000372485e-08f;        // pi - PiHi

    /// <summary>asinh(x) = log(2|x|) (to float) from here on: 1/(4 x^2) is below 2^-26 of it.</summary>
    private const float AsinhLarge = 4096f;
    /// <summary>ln 2 rounded to float.</summary>
    private const float Ln2F = 0.6931471805599453f;

    // ---- helpers ----------------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec C<TOps, TVec>(float value) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => TOps.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Abs<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => TOps.AndNot(x, TOps.CreateBits(SignMaskBits));

    /// <summary>magnitude with the sign bit of <paramref name="sign"/> OR-ed in (magnitude must be non-negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec WithSignOf<TOps, TVec>(TVec magnitude, TVec sign) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => TOps.Or(magnitude, TOps.And(sign, TOps.CreateBits(SignMaskBits)));

    /// <summary>
    /// Cody-Waite reduction shared by Exp and Expm1: x = k ln2 + r with k = round(x / ln2), |r| &lt;= ln2/2 (slightly
    /// more when x * log2(e) rounds). Returns r; <paramref name="t"/> is k + 1.5 * 2^23 whose low bits hold k.
    /// Valid for |x| &lt; 2^21; callers patch larger inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ReduceExp<TOps, TVec>(TVec x, out TVec t, out TVec k) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        t = TOps.Fma(x, C<TOps, TVec>(Log2E), C<TOps, TVec>(RoundMagic));
        k = TOps.Sub(t, C<TOps, TVec>(RoundMagic));
        TVec r = TOps.Fma(k, C<TOps, TVec>(-Ln2Hi), x);
        return TOps.Fma(k, C<TOps, TVec>(-Ln2Lo), r);
    }

    /// <summary>expm1(r) for |r| &lt;= ~0.35 (relative error &lt; 0.3 * 2^-24 before rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Expm1Poly<TOps, TVec>(TVec r) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec q = TOps.Fma(C<TOps, TVec>(E6), r, C<TOps, TVec>(E5));
        q = TOps.Fma(q, r, C<TOps, TVec>(E4));
        q = TOps.Fma(q, r, C<TOps, TVec>(E3));
        q = TOps.Fma(q, r, C<TOps, TVec>(E2));
        return TOps.Fma(TOps.Mul(r, r), q, r);
    }

    /// <summary>log(1 + f) for f in about [sqrt(1/2) - 1, sqrt(2) - 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Log1pPoly<TOps, TVec>(TVec f) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec p = TOps.Fma(C<TOps, TVec>(L10), f, C<TOps, TVec>(L9));
        p = TOps.Fma(p, f, C<TOps, TVec>(L8));
        p = TOps.Fma(p, f, C<TOps, TVec>(L7));
        p = TOps.Fma(p, f, C<TOps, TVec>(L6));
        p = TOps.Fma(p, f, C<TOps, TVec>(L5));
        p = TOps.Fma(p, f, C<TOps, TVec>(L4));
        p = TOps.Fma(p, f, C<TOps, TVec>(L3));
        TVec q = TOps.Fma(p, f, C<TOps, TVec>(-0.5f));       // -1/2 + f P(f)
        return TOps.Fma(TOps.Mul(f, f), q, f);                 // f + f^2 (-1/2 + f P(f))
    }

    /// <summary>
    /// Splits a positive normal float x into k and m with x = m * 2^k and m in [sqrt(1/2), sqrt(2)).
    /// Returns m; <paramref name="kBits"/> is k &lt;&lt; 23 as int lanes and <paramref name="k"/> is k as float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SplitMantissa<TOps, TVec>(TVec x, out TVec kBits, out TVec k) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec tmp = TOps.SubInt(x, TOps.CreateBits(SqrtHalfBits));
        kBits = TOps.And(tmp, TOps.CreateBits(ExponentMaskBits));
        k = TOps.IntToFloat(TOps.ShiftRightArithmeticInt(tmp, 23));
        return TOps.SubInt(x, kBits);
    }

    /// <summary>k ln2 + log1p(f), adding the small terms first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec AddKLn2<TOps, TVec>(TVec k, TVec log1pF) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => TOps.Fma(k, C<TOps, TVec>(Ln2Hi), TOps.Fma(k, C<TOps, TVec>(Ln2Lo), log1pF));

    // ---- exp / expm1 ------------------------------------------------------------------------------------------------

    /// <summary>e^x. +inf above 88.7228, +0 below -87.3365 (no subnormal results), NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec r = ReduceExp<TOps, TVec>(x, out TVec t, out _);
        TVec u = TOps.Add(Expm1Poly<TOps, TVec>(r), C<TOps, TVec>(1f));     // e^r in [0.7, 1.42]
        // u * 2^k by adding k to the exponent field: exact, and valid for every k in [-126, 128] this range produces.
        TVec result = TOps.AddInt(u, TOps.ShiftLeftInt(t, 23));
        // x > ExpOverflow -> +inf; NaN -> NaN (x + inf keeps the NaN); x < ExpUnderflow -> +0.
        result = TOps.Select(TOps.LessThanOrEqual(x, C<TOps, TVec>(ExpOverflow)), result, TOps.Add(x, C<TOps, TVec>(float.PositiveInfinity)));
        return TOps.Select(TOps.LessThan(x, C<TOps, TVec>(ExpUnderflow)), C<TOps, TVec>(0f), result);
    }

    /// <summary>e^x - 1, accurate near 0; -1 for x below -20, +inf above 88.7228, NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Expm1<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        // Clamping keeps k in [-29, 128]; e^-20 - 1 rounds to -1 and e^89 overflows, so results are unchanged.
        // Min/Max propagate NaN, and NaN flows through the rest of the arithmetic.
        TVec xc = TOps.Min(TOps.Max(x, C<TOps, TVec>(-20f)), C<TOps, TVec>(89f));
        TVec r = ReduceExp<TOps, TVec>(xc, out TVec t, out _);
        TVec p = Expm1Poly<TOps, TVec>(r);
        // e^x - 1 = 2 * (p * 2^(k-1) + (2^(k-1) - 1/2)); 2^(k-1) stays a normal float for k in [-29, 128] and the
        // final doubling is exact (or overflows to +inf exactly when e^x - 1 does).
        TVec half = TOps.AddInt(TOps.ShiftLeftInt(t, 23), TOps.CreateBits(OneBits - (1 << 23)));  // 2^(k-1)
        TVec y = TOps.Fma(p, half, TOps.Sub(half, C<TOps, TVec>(0.5f)));
        return TOps.Add(y, y);
    }

    // ---- log / log1p ------------------------------------------------------------------------------------------------

    /// <summary>log x for x &gt;= 0 (or NaN): subnormals handled, log(±0) = -inf, log(+inf) = +inf, NaN -> NaN.
    /// Negative inputs give garbage; <see cref="Log{TOps,TVec}"/> patches them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LogNonNegative<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec subnormal = TOps.LessThan(x, C<TOps, TVec>(MinNormal));
        TVec xs = TOps.Select(subnormal, TOps.Mul(x, C<TOps, TVec>(TwoPow23)), x);
        TVec m = SplitMantissa<TOps, TVec>(xs, out _, out TVec k);
        k = TOps.Sub(k, TOps.And(subnormal, C<TOps, TVec>(23f)));
        TVec result = AddKLn2<TOps, TVec>(k, Log1pPoly<TOps, TVec>(TOps.Sub(m, C<TOps, TVec>(1f))));
        result = TOps.Select(TOps.LessThan(x, C<TOps, TVec>(float.PositiveInfinity)), result, x);    // +inf, NaN
        return TOps.Select(TOps.Equal(x, C<TOps, TVec>(0f)), C<TOps, TVec>(float.NegativeInfinity), result);
    }

    /// <summary>Natural log: log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf, subnormals handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec result = LogNonNegative<TOps, TVec>(x);
        return TOps.Select(TOps.LessThan(x, C<TOps, TVec>(0f)), C<TOps, TVec>(float.NaN), result);
    }

    /// <summary>log(1 + x) without the special-value patches: correct for x &gt; -1 finite, and NaN in gives NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Log1pCore<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec u = TOps.Add(x, C<TOps, TVec>(1f));
        // c = (1 + x) - u, the rounding error of u, computed exactly: u - 1 is exact (Sterbenz for u in [0.5, 2], and
        // 1 + x is itself exact below that; u - 1 has the spacing of u above) and so is x - (u - 1) for x < 2^24; for
        // larger x, c is at most one ulp of u and only nudges the mantissa.
        TVec c = TOps.Sub(x, TOps.Sub(u, C<TOps, TVec>(1f)));
        TVec m = SplitMantissa<TOps, TVec>(u, out TVec kBits, out TVec k);
        // 1 + x = (m + c 2^-k) 2^k. 2^-k is built from the exponent bits, with k capped at 126 to stay normal (c is
        // zero or negligible for such large u anyway).
        TVec scale = TOps.SubInt(TOps.CreateBits(OneBits), TOps.MinInt(kBits, TOps.CreateBits(126 << 23)));
        TVec f = TOps.Fma(c, scale, TOps.Sub(m, C<TOps, TVec>(1f)));
        return AddKLn2<TOps, TVec>(k, Log1pPoly<TOps, TVec>(f));
    }

    /// <summary>log(1 + x), accurate near 0: log1p(-1) = -inf, log1p(x &lt; -1) = NaN, log1p(+inf) = +inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log1p<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec result = Log1pCore<TOps, TVec>(x);
        result = TOps.Select(TOps.LessThan(x, C<TOps, TVec>(float.PositiveInfinity)), result, x);   // +inf, NaN
        result = TOps.Select(TOps.LessThan(x, C<TOps, TVec>(-1f)), C<TOps, TVec>(float.NaN), result);
        return TOps.Select(TOps.Equal(x, C<TOps, TVec>(-1f)), C<TOps, TVec>(float.NegativeInfinity), result);
    }

    // ---- tanh / sigmoid / softplus -------------------------------------------------------------------------------

    /// <summary>tanh: odd polynomial for |x| &lt; 0.625, else 1 - 2 / (e^(2|x|) + 1), with the sign of x.</summary>
    /// <remarks>
    /// The large-|x| form only rounds the final subtraction at full weight: the error of e^(2|x|) is damped by the
    /// division (and e^(2|x|) overflowing to +inf gives exactly 1), whereas -expm1(-2|x|) / (expm1(-2|x|) + 2) doubles
    /// the error of expm1 near saturation (about 2.5 ulp against about 1.5 ulp measured).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec s = TOps.Mul(x, x);
        TVec p = TOps.Fma(C<TOps, TVec>(T4), s, C<TOps, TVec>(T3));
        p = TOps.Fma(p, s, C<TOps, TVec>(T2));
        p = TOps.Fma(p, s, C<TOps, TVec>(T1));
        p = TOps.Fma(p, s, C<TOps, TVec>(T0));
        TVec a = Abs<TOps, TVec>(x);
        TVec small = TOps.Fma(TOps.Mul(a, s), p, a);

        TVec e = Exp<TOps, TVec>(TOps.Add(a, a));
        TVec large = TOps.Sub(C<TOps, TVec>(1f), TOps.Div(C<TOps, TVec>(2f), TOps.Add(e, C<TOps, TVec>(1f))));
        return WithSignOf<TOps, TVec>(TOps.Select(TOps.LessThan(a, C<TOps, TVec>(TanhSmall)), small, large), x);
    }

    /// <summary>1 / (1 + e^-x) computed as (x &gt;= 0 ? 1 : e) / (1 + e) with e = e^-|x|: no overflow, one rounding
    /// for the division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec e = Exp<TOps, TVec>(TOps.Or(x, TOps.CreateBits(SignMaskBits)));     // e^-|x|
        TVec numerator = TOps.Select(TOps.GreaterThanOrEqual(x, C<TOps, TVec>(0f)), C<TOps, TVec>(1f), e);
        return TOps.Div(numerator, TOps.Add(e, C<TOps, TVec>(1f)));
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Softplus<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec e = Exp<TOps, TVec>(TOps.Or(x, TOps.CreateBits(SignMaskBits)));     // e^-|x| in [0, 1] (or NaN)
        // max propagates NaN, so the unpatched log1p is enough here.
        return TOps.Add(TOps.Max(x, C<TOps, TVec>(0f)), Log1pCore<TOps, TVec>(e));
    }

    // ---- atan / erf -------------------------------------------------------------------------------------------------

    /// <summary>atan: t = min(|x|,1) / max(|x|,1) in [0, 1], odd polynomial, pi/2 - atan(t) when |x| &gt; 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Atan<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec a = Abs<TOps, TVec>(x);
        TVec one = C<TOps, TVec>(1f);
        TVec t = TOps.Div(TOps.Min(a, one), TOps.Max(a, one));
        TVec s = TOps.Mul(t, t);
        TVec p = TOps.Fma(C<TOps, TVec>(A7), s, C<TOps, TVec>(A6));
        p = TOps.Fma(p, s, C<TOps, TVec>(A5));
        p = TOps.Fma(p, s, C<TOps, TVec>(A4));
        p = TOps.Fma(p, s, C<TOps, TVec>(A3));
        p = TOps.Fma(p, s, C<TOps, TVec>(A2));
        p = TOps.Fma(p, s, C<TOps, TVec>(A1));
        p = TOps.Fma(p, s, C<TOps, TVec>(A0));
        TVec r = TOps.Fma(TOps.Mul(t, s), p, t);
        TVec complement = TOps.Sub(C<TOps, TVec>(PiOver2Hi), TOps.Sub(r, C<TOps, TVec>(PiOver2Lo)));
        r = TOps.Select(TOps.GreaterThan(a, one), complement, r);
        return WithSignOf<TOps, TVec>(r, x);
    }

    /// <summary>erf: x + x R(x^2) for |x| &lt; 0.921875, else sign(x) (1 - exp(G(|x|))).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Erf<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec s = TOps.Mul(x, x);
        TVec p = TOps.Fma(C<TOps, TVec>(R5), s, C<TOps, TVec>(R4));
        p = TOps.Fma(p, s, C<TOps, TVec>(R3));
        p = TOps.Fma(p, s, C<TOps, TVec>(R2));
        p = TOps.Fma(p, s, C<TOps, TVec>(R1));
        p = TOps.Fma(p, s, C<TOps, TVec>(R0));
        TVec a = Abs<TOps, TVec>(x);
        TVec small = TOps.Fma(a, p, a);

        TVec ac = TOps.Min(a, C<TOps, TVec>(ErfOne));     // NaN propagates
        TVec g = TOps.Fma(C<TOps, TVec>(G6), ac, C<TOps, TVec>(G5));
        g = TOps.Fma(g, ac, C<TOps, TVec>(G4));
        g = TOps.Fma(g, ac, C<TOps, TVec>(G3));
        g = TOps.Fma(g, ac, C<TOps, TVec>(G2));
        g = TOps.Fma(g, ac, C<TOps, TVec>(G1));
        g = TOps.Fma(g, ac, C<TOps, TVec>(G0));
        TVec large = TOps.Sub(C<TOps, TVec>(1f), Exp<TOps, TVec>(g));
        return WithSignOf<TOps, TVec>(TOps.Select(TOps.LessThan(a, C<TOps, TVec>(ErfSmall)), small, large), x);
    }

    // ---- sin / cos --------------------------------------------------------------------------------------------------

    /// <summary>sin x: reduction by pi/2 in double (<see cref="TrigReduction"/>), a polynomial on [-pi/4, pi/4];
    /// arguments beyond 2^21 (and ±inf, giving NaN) through the double library function, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sin<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => SinCos<TOps, TVec>(x, cos: false);

    /// <summary>cos x, as <see cref="Sin{TOps, TVec}"/> a quarter period on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Cos<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => SinCos<TOps, TVec>(x, cos: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SinCos<TOps, TVec>(TVec x, bool cos) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec r = TOps.ReduceHalfPi(x, out TVec k);
        // cos(k pi/2 + r) = sin((k + 1) pi/2 + r); the quadrant q = k mod 4 in {0, 1, 2, 3} (exact: |k| < 2^21).
        if (cos) k = TOps.Add(k, C<TOps, TVec>(1f));
        TVec q = TOps.Sub(k, TOps.Mul(C<TOps, TVec>(4f), TOps.Floor(TOps.Mul(k, C<TOps, TVec>(0.25f)))));
        TVec z = TOps.Mul(r, r);
        TVec ps = TOps.Fma(TOps.Fma(C<TOps, TVec>(S3), z, C<TOps, TVec>(S2)), z, C<TOps, TVec>(S1));
        TVec sin = TOps.Fma(TOps.Mul(r, z), ps, r);
        TVec pc = TOps.Fma(TOps.Fma(C<TOps, TVec>(K3), z, C<TOps, TVec>(K2)), z, C<TOps, TVec>(K1));
        TVec cosine = TOps.Fma(TOps.Mul(z, z), pc, TOps.Fma(C<TOps, TVec>(-0.5f), z, C<TOps, TVec>(1f)));
        TVec odd = TOps.Or(TOps.Equal(q, C<TOps, TVec>(1f)), TOps.Equal(q, C<TOps, TVec>(3f)));
        TVec result = TOps.Select(odd, cosine, sin);
        // Quadrants 2 and 3 negate (NaN lanes compare false and keep their NaN).
        result = TOps.Xor(result, TOps.And(TOps.GreaterThanOrEqual(q, C<TOps, TVec>(2f)), TOps.CreateBits(SignMaskBits)));
        // sin(-0) = -0 (the polynomial adds a +0 to it).
        if (!cos) result = TOps.Select(TOps.Equal(x, C<TOps, TVec>(0f)), x, result);
        TVec huge = TOps.GreaterThan(Abs<TOps, TVec>(x), C<TOps, TVec>(TrigReduction.Limit));
        return TOps.Any(huge) ? TOps.SinCosHuge(x, huge, result, cos) : result;
    }

    // ---- acos / asinh / atanh ---------------------------------------------------------------------------------------

    /// <summary>asin(s) for s in [0, 1/2] given z = s^2 (or s = sqrt(z) on the other branch of acos).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec AsinPoly<TOps, TVec>(TVec s, TVec z) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec p = TOps.Fma(C<TOps, TVec>(Q4), z, C<TOps, TVec>(Q3));
        p = TOps.Fma(p, z, C<TOps, TVec>(Q2));
        p = TOps.Fma(p, z, C<TOps, TVec>(Q1));
        p = TOps.Fma(p, z, C<TOps, TVec>(Q0));
        return TOps.Fma(TOps.Mul(s, z), p, s);
    }

    /// <summary>
    /// acos x in [0, pi]: pi/2 - asin x for |x| &lt;= 1/2; 2 asin(sqrt((1 - |x|)/2)) for x &gt; 1/2 and pi minus that
    /// for x &lt; -1/2 (so acos(1) = 0 exactly and the result keeps its relative accuracy as x approaches 1);
    /// NaN outside [-1, 1].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Acos<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec a = Abs<TOps, TVec>(x);
        TVec big = TOps.GreaterThan(a, C<TOps, TVec>(0.5f));
        TVec zBig = TOps.Mul(C<TOps, TVec>(0.5f), TOps.Sub(C<TOps, TVec>(1f), a));   // exact (Sterbenz), NaN below 0 after sqrt
        TVec z = TOps.Select(big, zBig, TOps.Mul(x, x));
        TVec s = TOps.Select(big, TOps.Sqrt(zBig), a);
        TVec t = AsinPoly<TOps, TVec>(s, z);                                          // asin(s)
        TVec twice = TOps.Add(t, t);
        TVec bigResult = TOps.Select(TOps.LessThan(x, C<TOps, TVec>(0f)),
            TOps.Sub(C<TOps, TVec>(PiHi), TOps.Sub(twice, C<TOps, TVec>(PiLo))), twice);
        TVec smallResult = TOps.Sub(C<TOps, TVec>(PiOver2Hi), TOps.Sub(WithSignOf<TOps, TVec>(t, x), C<TOps, TVec>(PiOver2Lo)));
        return TOps.Select(big, bigResult, smallResult);
    }

    /// <summary>
    /// asinh x = sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), and sign(x) (log|x| + ln 2) beyond 4096, where x^2
    /// would lose the correction (and overflow from 1.8e19); the same log1p evaluates both (log1p(|x| - 1) = log|x|).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Asinh<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec one = C<TOps, TVec>(1f);
        TVec a = Abs<TOps, TVec>(x);
        TVec a2 = TOps.Mul(a, a);
        TVec medium = TOps.Add(a, TOps.Div(a2, TOps.Add(one, TOps.Sqrt(TOps.Add(one, a2)))));
        TVec large = TOps.GreaterThan(a, C<TOps, TVec>(AsinhLarge));
        TVec result = Log1p<TOps, TVec>(TOps.Select(large, TOps.Sub(a, one), medium));
        result = TOps.Add(result, TOps.And(large, C<TOps, TVec>(Ln2F)));
        return WithSignOf<TOps, TVec>(result, x);
    }

    /// <summary>
    /// atanh x = sign(x) log1p(2|x| / (1 - |x|)) / 2, with 2|x| + 2|x| |x| / (1 - |x|) below 1/2 (no rounding of
    /// the quotient at full weight near 0); ±inf at ±1, NaN beyond.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Atanh<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec a = Abs<TOps, TVec>(x);
        TVec t = TOps.Add(a, a);
        TVec oneMinus = TOps.Sub(C<TOps, TVec>(1f), a);
        TVec small = TOps.Fma(t, TOps.Div(a, oneMinus), t);
        TVec u = TOps.Select(TOps.LessThan(a, C<TOps, TVec>(0.5f)), small, TOps.Div(t, oneMinus));
        TVec result = TOps.Mul(C<TOps, TVec>(0.5f), Log1p<TOps, TVec>(u));
        return WithSignOf<TOps, TVec>(result, x);
    }

    // ---- log1mexp ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// log(1 - e^-x) for x &gt;= 0 (Maechler 2012): log(-expm1(-x)) for x &lt;= ln 2, log1p(-e^-x) above, sharing
    /// one reduction of the exponential and one logarithm polynomial. -inf at 0, NaN below 0 (and for NaN); results
    /// of magnitude below 2^-126 (x &gt; 87.3) are 0, as exp flushes them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log1mexp<TOps, TVec>(TVec x) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec one = C<TOps, TVec>(1f);
        TVec nx = TOps.Xor(x, TOps.CreateBits(SignMaskBits));
        TVec r = ReduceExp<TOps, TVec>(nx, out TVec t, out _);
        TVec p = Expm1Poly<TOps, TVec>(r);
        // expm1(-x) as Expm1 computes it: 2 (p 2^(k-1) + (2^(k-1) - 1/2)); for x below 2^-24 it rounds to -x.
        TVec half = TOps.AddInt(TOps.ShiftLeftInt(t, 23), TOps.CreateBits(OneBits - (1 << 23)));
        TVec em1 = TOps.Fma(p, half, TOps.Sub(half, C<TOps, TVec>(0.5f)));
        em1 = TOps.Add(em1, em1);
        TVec y = TOps.Select(TOps.LessThan(x, C<TOps, TVec>(5.9604645e-8f)), x, TOps.Xor(em1, TOps.CreateBits(SignMaskBits)));
        // e^-x as Exp computes it: (1 + p) 2^k, +0 below the normal range.
        TVec e = TOps.AddInt(TOps.Add(p, one), TOps.ShiftLeftInt(t, 23));
        e = TOps.Select(TOps.LessThan(nx, C<TOps, TVec>(ExpUnderflow)), C<TOps, TVec>(0f), e);
        // The logarithm of y (small x), or of 1 - e with its rounding error c (large x), as Log1pCore takes it.
        TVec smallX = TOps.LessThanOrEqual(x, C<TOps, TVec>(Ln2F));
        TVec u = TOps.Select(smallX, y, TOps.Sub(one, e));
        TVec c = TOps.Sub(TOps.Xor(e, TOps.CreateBits(SignMaskBits)), TOps.Sub(u, one));
        TVec subnormal = TOps.LessThan(u, C<TOps, TVec>(MinNormal));
        TVec us = TOps.Select(subnormal, TOps.Mul(u, C<TOps, TVec>(TwoPow23)), u);
        TVec m = SplitMantissa<TOps, TVec>(us, out TVec kBits, out TVec k);
        k = TOps.Sub(k, TOps.And(subnormal, C<TOps, TVec>(23f)));
        TVec scale = TOps.SubInt(TOps.CreateBits(OneBits), TOps.MinInt(kBits, TOps.CreateBits(126 << 23)));
        TVec mMinus1 = TOps.Sub(m, one);
        TVec f = TOps.Select(smallX, mMinus1, TOps.Fma(c, scale, mMinus1));
        TVec result = AddKLn2<TOps, TVec>(k, Log1pPoly<TOps, TVec>(f));
        result = TOps.Select(TOps.Equal(u, C<TOps, TVec>(0f)), C<TOps, TVec>(float.NegativeInfinity), result);
        return TOps.Select(TOps.GreaterThanOrEqual(x, C<TOps, TVec>(0f)), result, C<TOps, TVec>(float.NaN));
    }

    // ---- pow --------------------------------------------------------------------------------------------------------

    /// <summary>
    /// x^y = exp(y log|x|) with: 1 when y == 0 (also for NaN x); 1 when |x| == 1 (also for infinite or NaN y, as
    /// IEEE pow; the sign rule below still applies for x == -1); 0 / +inf for x == ±0 with y &gt; 0 / y &lt; 0;
    /// for an odd integral y the sign of x, -0 included (pow(-0, -1) = -inf); NaN for x &lt; 0 and non-integral y.
    /// No special case for small integer y here (lanes may differ): pow(x, 2) is within a few ulp of x * x, not
    /// exactly it. <see cref="PowUniform{TOps, TVec}"/> multiplies for a small integral exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Pow<TOps, TVec>(TVec x, TVec y) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => PowFromLog<TOps, TVec>(x, y, LogNonNegative<TOps, TVec>(Abs<TOps, TVec>(x)));

    /// <summary>The integral exponents that a uniform power computes by multiplication: <c>-2 &lt;= k &lt;= 4</c>.</summary>
    public const int SmallIntegerPowerMin = -2, SmallIntegerPowerMax = 4;

    /// <summary>True when a uniform exponent is computed by multiplication (see <see cref="PowSmallInteger{TOps, TVec}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmallIntegerPower(float y) => y >= SmallIntegerPowerMin && y <= SmallIntegerPowerMax && MathF.Floor(y) == y;

    /// <summary>
    /// x^k for a small integer k by multiplication (x*x, x*x*x, (x*x)*(x*x), and a reciprocal for k &lt; 0), as a
    /// constant exponent is lowered: at most three rounded products and a division (within 2 ulp, tested) instead of
    /// exp(k log|x|). Agrees with
    /// <see cref="Pow{TOps, TVec}"/> on every special case (±0, ±inf, NaN, negative bases, the sign of odd powers);
    /// the values differ by the few ulp of the exp/log route.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PowSmallInteger<TOps, TVec>(TVec x, int k) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec p;
        switch (k < 0 ? -k : k)
        {
            case 0: return C<TOps, TVec>(1f);
            case 1: p = x; break;
            case 2: p = TOps.Mul(x, x); break;
            case 3: p = TOps.Mul(TOps.Mul(x, x), x); break;
            default: { TVec x2 = TOps.Mul(x, x); p = TOps.Mul(x2, x2); break; }
        }
        return k < 0 ? TOps.Div(C<TOps, TVec>(1f), p) : p;
    }

    /// <summary>
    /// x^y for an exponent that is the same in every lane (a hyperparameter such as a focal loss's gamma), when no other
    /// value needs log|x|: a small integral exponent is a few multiplications (<see cref="PowSmallInteger{TOps, TVec}"/>)
    /// and computes no logarithm and no exponential; any other exponent is <see cref="PowFromLogUniform{TOps, TVec}"/>.
    /// The test on the exponent is a scalar branch, the same for every element of a call, so it predicts perfectly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PowUniform<TOps, TVec>(TVec x, float y) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        if (IsSmallIntegerPower(y)) return PowSmallInteger<TOps, TVec>(x, (int)y);
        return PowFromLogOtherExponent<TOps, TVec>(x, y, LogNonNegative<TOps, TVec>(Abs<TOps, TVec>(x)));
    }

    /// <summary>
    /// <see cref="PowFromLog{TOps, TVec}"/> for an exponent that is the same in every lane: a small integral exponent is
    /// <see cref="PowSmallInteger{TOps, TVec}"/> (the logarithm, computed for other uses, is then not needed), and the
    /// tests on any other exponent (integral, odd) are scalar branches instead of lane masks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PowFromLogUniform<TOps, TVec>(TVec x, float y, TVec logAbsX) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
        => IsSmallIntegerPower(y) ? PowSmallInteger<TOps, TVec>(x, (int)y) : PowFromLogOtherExponent<TOps, TVec>(x, y, logAbsX);

    /// <summary>The exp/log route of the uniform powers, for an exponent that is not a small integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec PowFromLogOtherExponent<TOps, TVec>(TVec x, float y, TVec logAbsX) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec one = C<TOps, TVec>(1f);
        TVec result = Exp<TOps, TVec>(TOps.Mul(C<TOps, TVec>(y), logAbsX));
        result = TOps.Select(TOps.Equal(Abs<TOps, TVec>(x), one), one, result);
        TVec negative = TOps.LessThan(x, C<TOps, TVec>(0f));
        if (MathF.Floor(y) != y) return TOps.Select(negative, C<TOps, TVec>(float.NaN), result);
        float half = y * 0.5f;
        // An odd exponent keeps the sign of x, -0 included (pow(-0, -1) = -inf, as IEEE).
        if (MathF.Floor(half) != half) result = TOps.Xor(result, TOps.And(x, TOps.CreateBits(SignMaskBits)));
        return result;
    }

    /// <summary>
    /// <see cref="Pow{TOps, TVec}"/> given <paramref name="logAbsX"/> = log|x| (as <c>Log(Abs(x))</c> computes it), so
    /// that several powers of one base share a single logarithm (the focal loss and its gradient use x^g and x^(g-1)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PowFromLog<TOps, TVec>(TVec x, TVec y, TVec logAbsX) where TOps : struct, IVectorPrimitives<TVec> where TVec : struct
    {
        TVec one = C<TOps, TVec>(1f);
        TVec ax = Abs<TOps, TVec>(x);
        TVec result = Exp<TOps, TVec>(TOps.Mul(y, logAbsX));
        result = TOps.Select(TOps.Equal(ax, one), one, result);

        TVec yInteger = TOps.Equal(TOps.Floor(y), y);
        TVec halfY = TOps.Mul(y, C<TOps, TVec>(0.5f));
        TVec yOdd = TOps.AndNot(yInteger, TOps.Equal(TOps.Floor(halfY), halfY));
        TVec negative = TOps.LessThan(x, C<TOps, TVec>(0f));
        // An odd exponent keeps the sign of x, -0 included (pow(-0, -1) = -inf, as IEEE).
        result = TOps.Xor(result, TOps.And(TOps.And(x, yOdd), TOps.CreateBits(SignMaskBits)));
        result = TOps.Select(TOps.AndNot(negative, yInteger), C<TOps, TVec>(float.NaN), result);
        return TOps.Select(TOps.Equal(y, C<TOps, TVec>(0f)), one, result);
    }
}
