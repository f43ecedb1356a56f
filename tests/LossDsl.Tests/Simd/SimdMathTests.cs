using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using LossDsl.Internals;
using LossDsl.Simd;
using Xunit;
using Xunit.Abstractions;

namespace LossDsl.Tests.Simd;

/// <summary>
/// Accuracy and exactness tests for <see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/> and
/// <see cref="Scalar"/>. Each transcendental function is swept over about a million inputs and compared with a
/// double-precision reference; the error is measured in ulps of the float nearest the reference.
/// </summary>
/// <remarks>
/// Exp (and functions built on it) return +0 instead of a subnormal when the true result is below 2^-126; the sweeps
/// accept that as "absolute error at most 2^-126" for those functions only (<see cref="Check"/>'s flushToZero).
/// </remarks>
public sealed unsafe class SimdMathTests
{
    private readonly ITestOutputHelper _output;

    public SimdMathTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Widths => new[] { new object[] { 512 }, new object[] { 256 }, new object[] { 128 }, new object[] { 1 } };

    private const float MinNormal = 1.17549435e-38f;
    private static readonly float s_true = BitConverter.Int32BitsToSingle(-1);

    /// <summary>Whether this machine runs the given width; tests return early (pass vacuously) when it does not.</summary>
    private static bool IsAccelerated(int width) => width switch
    {
        512 => Simd512.IsHardwareAccelerated,
        256 => Simd256.IsHardwareAccelerated,
        128 => Simd128.IsHardwareAccelerated,
        1 => Scalar.IsHardwareAccelerated,
        _ => throw new ArgumentOutOfRangeException(nameof(width)),
    };

    // ================================================================================================================
    // Accuracy sweeps
    // ================================================================================================================

    [Theory, MemberData(nameof(Widths))]
    public void Exp_IsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Exp, Inputs.Exp.Value, Math.Exp, maxUlp: 2, flushToZero: true);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Expm1_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Expm1, Inputs.Expm1.Value, Reference.Expm1, maxUlp: 3);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Log_IsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Log, Inputs.Log.Value, Math.Log, maxUlp: 2);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Log1p_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Log1p, Inputs.Log1p.Value, Reference.Log1p, maxUlp: 3);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Tanh_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Tanh, Inputs.Tanh.Value, Math.Tanh, maxUlp: 3);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Sigmoid_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Sigmoid, Inputs.Sigmoid.Value, Reference.Sigmoid, maxUlp: 3, flushToZero: true);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Softplus_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Softplus, Inputs.Sigmoid.Value, Reference.Softplus, maxUlp: 3, flushToZero: true);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Atan_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Atan, Inputs.Atan.Value, Math.Atan, maxUlp: 3);
    }

    /// <summary>
    /// sin and cos: the reduction by pi/2 is done in double (pi/2 to 117 bits), so the error stays a few ulp of the
    /// result everywhere, also at the floats nearest to multiples of pi/2 (where the result is tiny) and up to 2^21;
    /// beyond, each lane is the double library function rounded to float.
    /// </summary>
    [Theory, MemberData(nameof(Widths))]
    public void Cos_IsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Cos, Inputs.Trig.Value, Math.Cos, maxUlp: 2);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Sin_IsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Sin, Inputs.Trig.Value, Math.Sin, maxUlp: 2);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Acos_IsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Acos, Inputs.UnitInterval.Value, Math.Acos, maxUlp: 2);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Asinh_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Asinh, Inputs.Asinh.Value, Math.Asinh, maxUlp: 3);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Atanh_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Atanh, Inputs.UnitInterval.Value, Math.Atanh, maxUlp: 3);
    }

    /// <summary>log(1 - e^-x): results below 2^-126 in magnitude (x &gt; 87.3) are 0, as exp flushes them.</summary>
    [Theory, MemberData(nameof(Widths))]
    public void Log1mexp_IsWithin3Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        Check(width, Op.Log1mexp, Inputs.Log1mexp.Value, Reference.Log1mexp, maxUlp: 3, flushToZero: true);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Erf_AbsoluteErrorIsAtMost3e7_AndRelativeErrorNearZeroIsWithin2Ulp(int width)
    {
        if (!IsAccelerated(width)) return;
        (float[] input, double[] references) = Sweep(width, Op.Erf, Inputs.Erf.Value, Reference.Erf);
        float[] actual = Unary(width, Op.Erf, input);
        double maxAbs = 0, maxUlpNearZero = 0;
        float worstAbs = 0, worstUlp = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double reference = references[i];
            if (double.IsNaN(reference))
            {
                if (!float.IsNaN(actual[i])) Assert.Fail($"erf({input[i]:R}) = {actual[i]:R}, expected NaN");
                continue;
            }

            double abs = Math.Abs(actual[i] - reference);
            if (abs > maxAbs) (maxAbs, worstAbs) = (abs, input[i]);
            if (Math.Abs(input[i]) < 0.9f)
            {
                double ulp = UlpError(actual[i], reference);
                if (ulp > maxUlpNearZero) (maxUlpNearZero, worstUlp) = (ulp, input[i]);
            }
        }

        _output.WriteLine($"width {width}: erf max abs error {maxAbs:E3} at x = {worstAbs:R}; max ulp for |x| < 0.9: {maxUlpNearZero:F3} at x = {worstUlp:R} ({input.Length} inputs)");
        Assert.True(maxAbs <= 3e-7, $"erf absolute error {maxAbs:E3} at x = {worstAbs:R}");
        Assert.True(maxUlpNearZero <= 2, $"erf error {maxUlpNearZero:F3} ulp at x = {worstUlp:R}");
    }

    [Theory, MemberData(nameof(Widths))]
    public void Pow_RelativeErrorIsWithin1e6TimesOnePlusYLogX(int width)
    {
        if (!IsAccelerated(width)) return;
        (float[] allX, float[] allY) = Inputs.Pow.Value;
        int[] sample = Sample(width, allX.Length);
        float[] x = Array.ConvertAll(sample, i => allX[i]), y = Array.ConvertAll(sample, i => allY[i]);
        float[] actual = Binary(width, Op.Pow, x, y);
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double reference = Math.Pow(x[i], y[i]);
            double magnitude = Math.Abs(y[i] * Math.Log(Math.Abs(x[i])));
            double bound = 1e-6 * (1 + magnitude);
            double relative = reference == 0 ? Math.Abs(actual[i]) : Math.Abs(actual[i] - reference) / Math.Abs(reference);
            if (Math.Abs(reference) < MinNormal && Math.Abs(actual[i] - reference) <= MinNormal) relative = 0;   // flushed
            if (!(relative <= bound))
            {
                Assert.Fail($"pow({x[i]:R}, {y[i]:R}) = {actual[i]:R}, expected {reference:R} (relative error {relative:E3} > {bound:E3})");
            }

            if (relative / bound > worst) (worst, worstIndex) = (relative / bound, i);
        }

        _output.WriteLine($"width {width}: pow worst relative error / bound = {worst:F4} at pow({x[worstIndex]:R}, {y[worstIndex]:R}) ({x.Length} inputs)");
    }

    /// <summary>
    /// The vector structs and <see cref="Scalar"/> run the same algorithm, so a kernel's scalar tail gives the same
    /// bits as its vector body.
    /// </summary>
    [Theory, MemberData(nameof(Widths))]
    public void VectorLanes_MatchScalarBitForBit(int width)
    {
        if (!IsAccelerated(width)) return;
        if (width == 1) return;   // Scalar is the reference here.
        foreach (Op op in new[] { Op.Exp, Op.Expm1, Op.Log, Op.Log1p, Op.Tanh, Op.Sigmoid, Op.Softplus, Op.Atan, Op.Erf, Op.Cos, Op.Sin, Op.Acos, Op.Asinh, Op.Atanh, Op.Log1mexp })
        {
            float[] input = Inputs.Mixed.Value;
            float[] vector = Unary(width, op, input);
            float[] scalar = s_scalarMixed.GetOrAdd(op, o => Unary(1, o, input));
            for (int i = 0; i < input.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(vector[i]) != BitConverter.SingleToInt32Bits(scalar[i]) && !(float.IsNaN(vector[i]) && float.IsNaN(scalar[i])))
                {
                    Assert.Fail($"{op}({input[i]:R}): width {width} gives {vector[i]:R}, scalar gives {scalar[i]:R}");
                }
            }
        }

        (float[] allX, float[] allY) = Inputs.Pow.Value;
        float[] x = allX[..Inputs.Mixed.Value.Length], y = allY[..Inputs.Mixed.Value.Length];
        float[] powVector = Binary(width, Op.Pow, x, y);
        float[] powScalar = s_scalarMixed.GetOrAdd(Op.Pow, _ => Binary(1, Op.Pow, x, y));
        for (int i = 0; i < x.Length; i++)
        {
            if (!powVector[i].Equals(powScalar[i]))
            {
                Assert.Fail($"pow({x[i]:R}, {y[i]:R}): width {width} gives {powVector[i]:R}, scalar {powScalar[i]:R}");
            }
        }
    }

    // ================================================================================================================
    // Special values
    // ================================================================================================================

    [Theory, MemberData(nameof(Widths))]
    public void SpecialValues(int width)
    {
        if (!IsAccelerated(width)) return;
        float inf = float.PositiveInfinity, nan = float.NaN, max = float.MaxValue, eps = float.Epsilon;
        const float ln2 = 0.6931472f;

        ExpectExact(width, Op.Exp, (0f, 1f), (-0f, 1f), (inf, inf), (-inf, 0f), (nan, nan), (89f, inf), (88.72284f, inf),
            (-88f, 0f), (-104f, 0f), (-1e30f, 0f), (1e30f, inf), (eps, 1f), (1f, 2.7182817f));
        Assert.True(float.IsFinite(Unary(width, Op.Exp, [88.72283f])[0]), "exp(88.72283) must be finite");
        Assert.True(Unary(width, Op.Exp, [-87.33654f])[0] >= MinNormal, "exp(-87.33654) must be the smallest normal or above");

        ExpectExact(width, Op.Expm1, (0f, 0f), (inf, inf), (-inf, -1f), (nan, nan), (-20f, -1f), (-1e30f, -1f), (89f, inf),
            (1e-30f, 1e-30f), (-1e-30f, -1e-30f), (1e30f, inf));
        Assert.True(float.IsFinite(Unary(width, Op.Expm1, [88.72283f])[0]), "expm1(88.72283) must be finite");

        ExpectExact(width, Op.Log, (1f, 0f), (0f, -inf), (-0f, -inf), (-1f, nan), (-inf, nan), (-eps, nan), (inf, inf), (nan, nan),
            (2f, ln2), (eps, -103.27893f), (max, 88.72284f), (MinNormal, -87.33655f));

        ExpectExact(width, Op.Log1p, (0f, 0f), (-1f, -inf), (-2f, nan), (-inf, nan), (inf, inf), (nan, nan), (1f, ln2),
            (1e-30f, 1e-30f), (-1e-30f, -1e-30f), (eps, eps), (max, 88.72284f));

        ExpectExact(width, Op.Tanh, (0f, 0f), (-0f, -0f), (inf, 1f), (-inf, -1f), (nan, nan), (20f, 1f), (-20f, -1f), (max, 1f),
            (1e-30f, 1e-30f), (-1e-30f, -1e-30f));

        ExpectExact(width, Op.Sigmoid, (0f, 0.5f), (inf, 1f), (-inf, 0f), (nan, nan), (100f, 1f), (-200f, 0f), (max, 1f), (-max, 0f));

        ExpectExact(width, Op.Softplus, (0f, ln2), (inf, inf), (-inf, 0f), (nan, nan), (100f, 100f), (-200f, 0f), (max, max), (-max, 0f));

        ExpectExact(width, Op.Atan, (0f, 0f), (-0f, -0f), (inf, 1.5707964f), (-inf, -1.5707964f), (nan, nan), (1f, 0.7853982f),
            (-1f, -0.7853982f), (max, 1.5707964f), (1e-30f, 1e-30f));

        ExpectExact(width, Op.Erf, (0f, 0f), (-0f, -0f), (inf, 1f), (-inf, -1f), (nan, nan), (4f, 1f), (-4f, -1f), (max, 1f),
            (1e-30f, 1.1283792e-30f));

        const float pi = 3.1415927f, halfPi = 1.5707964f;
        ExpectExact(width, Op.Cos, (0f, 1f), (-0f, 1f), (inf, nan), (-inf, nan), (nan, nan), (pi, -1f), (1e-30f, 1f),
            (1e30f, (float)Math.Cos(1e30f)), (-1e30f, (float)Math.Cos(1e30f)), (1e4f, (float)Math.Cos(1e4)), (max, (float)Math.Cos(max)));
        ExpectExact(width, Op.Sin, (0f, 0f), (-0f, -0f), (inf, nan), (-inf, nan), (nan, nan), (halfPi, 1f), (-halfPi, -1f), (1e-30f, 1e-30f),
            (-1e-30f, -1e-30f), (eps, eps), (1e30f, (float)Math.Sin(1e30f)), (-1e30f, -(float)Math.Sin(1e30f)), (1e4f, (float)Math.Sin(1e4)),
            (3e6f, (float)Math.Sin(3e6)), (pi, (float)Math.Sin(pi)));
        ExpectExact(width, Op.Acos, (1f, 0f), (-1f, pi), (0f, halfPi), (-0f, halfPi), (0.5f, 1.0471976f), (-0.5f, 2.0943951f),
            (1.0000001f, nan), (-1.0000001f, nan), (2f, nan), (inf, nan), (-inf, nan), (nan, nan), (0.99999994f, (float)Math.Acos(0.99999994f)));
        ExpectExact(width, Op.Asinh, (0f, 0f), (-0f, -0f), (inf, inf), (-inf, -inf), (nan, nan), (1e-30f, 1e-30f), (eps, eps),
            (1e30f, (float)Math.Asinh(1e30)), (-1e30f, -(float)Math.Asinh(1e30)), (max, (float)Math.Asinh(max)), (1f, 0.8813736f));
        ExpectExact(width, Op.Atanh, (0f, 0f), (-0f, -0f), (1f, inf), (-1f, -inf), (1.0000001f, nan), (-1.0000001f, nan), (inf, nan),
            (nan, nan), (1e-30f, 1e-30f), (eps, eps), (0.99999994f, (float)Math.Atanh(0.99999994f)), (-0.99999994f, -(float)Math.Atanh(0.99999994f)));
        ExpectExact(width, Op.Log1mexp, (0f, -inf), (-0f, -inf), (-1e-30f, nan), (-1f, nan), (-inf, nan), (nan, nan), (inf, 0f), (100f, 0f),
            (ln2, (float)Reference.Log1mexp(ln2)), (1e-30f, (float)Math.Log(1e-30)), (1e-40f, (float)Math.Log(1e-40f)), (eps, (float)Math.Log(eps)),
            (20f, (float)Reference.Log1mexp(20)), (1f, (float)Reference.Log1mexp(1)));
    }

    [Theory, MemberData(nameof(Widths))]
    public void Pow_SpecialCases(int width)
    {
        if (!IsAccelerated(width)) return;
        float inf = float.PositiveInfinity, nan = float.NaN;
        var cases = new (float X, float Y, float Expected)[]
        {
            // y == 0 -> 1, including 0^0, NaN^0, inf^0 and negative bases.
            (0f, 0f, 1f), (-0f, 0f, 1f), (nan, 0f, 1f), (inf, 0f, 1f), (-inf, -0f, 1f), (-3f, 0f, 1f), (5f, -0f, 1f),
            // x == 0: 0 for y > 0, +inf for y < 0; an odd integral y keeps the sign of -0 (as IEEE and Math.Pow).
            (0f, 2f, 0f), (0f, 0.5f, 0f), (-0f, 3f, -0f), (-0f, 2f, 0f), (-0f, 0.5f, 0f), (0f, inf, 0f), (0f, -1f, inf), (-0f, -3f, -inf), (-0f, -2f, inf), (0f, -0.5f, inf), (0f, -inf, inf),
            // negative base: integral y gives |x|^y, negated for odd y; other y give NaN.
            (-2f, 2f, 4f), (-2f, 3f, -8f), (-2f, -1f, -0.5f), (-2f, -2f, 0.25f), (-1f, 5f, -1f), (-1f, 4f, 1f),
            (-2f, 0.5f, nan), (-8f, 1f / 3f, nan), (-1f, nan, nan), (-inf, 3f, -inf), (-inf, 2f, inf), (-inf, -3f, -0f), (-inf, 0.5f, nan),
            (-2f, 1e10f, inf), (-0.5f, 1e10f, 0f),
            // |x| == 1 gives magnitude 1 for every y (as IEEE pow), signed by the odd-integer rule.
            (1f, 1e30f, 1f), (1f, inf, 1f), (1f, -inf, 1f), (1f, nan, 1f), (-1f, inf, 1f), (-1f, -inf, 1f),
            // infinities and NaN.
            (inf, 2f, inf), (inf, -2f, 0f), (2f, inf, inf), (2f, -inf, 0f), (0.5f, inf, 0f), (0.5f, -inf, inf),
            (nan, 1f, nan), (2f, nan, nan), (nan, nan, nan),
            // ordinary values, overflow and underflow.
            (2f, 10f, 1024f), (10f, -2f, 0.01f), (4f, 0.5f, 2f), (2f, 128f, inf), (2f, -150f, 0f), (1e30f, 2f, inf), (1e-30f, 2f, 0f),
        };
        float[] xs = new float[cases.Length], ys = new float[cases.Length];
        for (int i = 0; i < cases.Length; i++) (xs[i], ys[i]) = (cases[i].X, cases[i].Y);
        float[] actual = Binary(width, Op.Pow, xs, ys);
        for (int i = 0; i < cases.Length; i++)
        {
            float expected = cases[i].Expected;
            bool ok = float.IsNaN(expected) ? float.IsNaN(actual[i])
                : expected == 0 || float.IsInfinity(expected) ? BitConverter.SingleToInt32Bits(actual[i]) == BitConverter.SingleToInt32Bits(expected)
                : Math.Abs(actual[i] - expected) <= 2e-6 * Math.Abs(expected);
            Assert.True(ok, $"width {width}: pow({cases[i].X:R}, {cases[i].Y:R}) = {actual[i]:R}, expected {expected:R}");
        }
    }

    // ================================================================================================================
    // Exact operations
    // ================================================================================================================

    private static readonly float[] s_specials =
    {
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 3f, -3f, 1e-40f, -1e-40f, 1e30f, -1e30f, 8388609f, -8388609f,
        float.MaxValue, float.MinValue, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        0.1f, -0.1f, 7.25f, -7.75f, 16777216f, 123456.5f, -0.99999994f, 0.99999994f,
    };

    [Theory, MemberData(nameof(Widths))]
    public void Comparisons_ProduceAllOnesOrAllZeroMasks(int width)
    {
        if (!IsAccelerated(width)) return;
        (float[] a, float[] b) = AllPairs(s_specials);
        ExpectBinaryMask(width, Op.Equal, a, b, (x, y) => x == y);
        ExpectBinaryMask(width, Op.NotEqual, a, b, (x, y) => x != y);
        ExpectBinaryMask(width, Op.LessThan, a, b, (x, y) => x < y);
        ExpectBinaryMask(width, Op.LessThanOrEqual, a, b, (x, y) => x <= y);
        ExpectBinaryMask(width, Op.GreaterThan, a, b, (x, y) => x > y);
        ExpectBinaryMask(width, Op.GreaterThanOrEqual, a, b, (x, y) => x >= y);
    }

    [Theory, MemberData(nameof(Widths))]
    public void MaskLogic_SelectAndMaskToOne(int width)
    {
        if (!IsAccelerated(width)) return;
        (float[] a, float[] b) = AllPairs(s_specials);
        float[] lt = Binary(width, Op.LessThan, a, b);
        float[] gt = Binary(width, Op.GreaterThan, a, b);
        float[] and = Binary(width, Op.And, lt, gt);
        float[] or = Binary(width, Op.Or, lt, gt);
        float[] notLt = Unary(width, Op.Not, lt);
        float[] one = Unary(width, Op.MaskToOne, lt);
        float[] select = Ternary(width, Op.Select, lt, a, b);
        for (int i = 0; i < a.Length; i++)
        {
            bool isLess = a[i] < b[i], isGreater = a[i] > b[i];
            AssertMask(and[i], false, $"and at {i}");
            AssertMask(or[i], isLess || isGreater, $"or at {i}");
            AssertMask(notLt[i], !isLess, $"not at {i}");
            Assert.Equal(isLess ? 1f : 0f, one[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(isLess ? a[i] : b[i]), BitConverter.SingleToInt32Bits(select[i]));
        }

        // Select keeps NaN payloads and signed zeros of the chosen operand.
        float[] mask = Fill(64, i => i % 2 == 0 ? s_true : 0f);
        float[] x = Fill(64, i => i % 3 == 0 ? -0f : BitConverter.Int32BitsToSingle(0x7FC00000 + i));
        float[] y = Fill(64, i => i);
        float[] chosen = Ternary(width, Op.Select, mask, x, y);
        for (int i = 0; i < chosen.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(i % 2 == 0 ? x[i] : y[i]), BitConverter.SingleToInt32Bits(chosen[i]));
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void Arithmetic_MatchesScalarIeee(int width)
    {
        if (!IsAccelerated(width)) return;
        (float[] a, float[] b) = AllPairs(s_specials);
        ExpectBinary(width, Op.Add, a, b, (x, y) => x + y);
        ExpectBinary(width, Op.Subtract, a, b, (x, y) => x - y);
        ExpectBinary(width, Op.Multiply, a, b, (x, y) => x * y);
        ExpectBinary(width, Op.Divide, a, b, (x, y) => x / y);
        ExpectBinary(width, Op.Min, a, b, MathF.Min);
        ExpectBinary(width, Op.Max, a, b, MathF.Max);
        ExpectUnary(width, Op.Negate, s_specials, x => -x);
        ExpectUnary(width, Op.Abs, s_specials, MathF.Abs);
        ExpectUnary(width, Op.Sqrt, s_specials, MathF.Sqrt);
        ExpectUnary(width, Op.Floor, s_specials, MathF.Floor);
        ExpectUnary(width, Op.Sign, s_specials, x => x > 0 ? 1f : x < 0 ? -1f : x);

        float[] c = Fill(a.Length, i => (i % 7) - 3.5f);
        float[] fma = Ternary(width, Op.MultiplyAdd, a, b, c);
        for (int i = 0; i < a.Length; i++)
        {
            float fused = MathF.FusedMultiplyAdd(a[i], b[i], c[i]), unfused = a[i] * b[i] + c[i];
            Assert.True(fma[i].Equals(fused) || fma[i].Equals(unfused), $"MultiplyAdd({a[i]:R}, {b[i]:R}, {c[i]:R}) = {fma[i]:R}");
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void SignAndFloor_SpecialCases(int width)
    {
        if (!IsAccelerated(width)) return;
        ExpectExact(width, Op.Sign, (3f, 1f), (-3f, -1f), (0f, 0f), (-0f, -0f), (1e-40f, 1f), (-1e-40f, -1f),
            (float.PositiveInfinity, 1f), (float.NegativeInfinity, -1f), (float.NaN, float.NaN));
        ExpectExact(width, Op.Floor, (1.5f, 1f), (-1.5f, -2f), (-0.5f, -1f), (0.5f, 0f), (-0f, -0f), (2f, 2f), (-2f, -2f),
            (8388607.5f, 8388607f), (-8388607.5f, -8388608f), (1e30f, 1e30f), (float.NegativeInfinity, float.NegativeInfinity), (float.NaN, float.NaN));
    }

    [Theory, MemberData(nameof(Widths))]
    public void IotaBroadcastAndLoadInt(int width)
    {
        if (!IsAccelerated(width)) return;
        int count = LaneCount(width);
        foreach (float start in new[] { 0f, -3f, 100.5f, 16777200f })
        {
            float[] iota = Iota(width, start);
            Assert.Equal(count, iota.Length);
            for (int i = 0; i < count; i++) Assert.Equal(start + i, iota[i]);
        }

        float[] broadcast = Broadcast(width, -2.25f);
        Assert.All(broadcast, v => Assert.Equal(-2.25f, v));

        int[] ints = { 0, 1, -1, 7, int.MaxValue, int.MinValue, 16777217, -16777217, 123456789, 42, -42, 3, 1 << 30, -(1 << 24), 5, 6 };
        float[] converted = LoadInt(width, ints);
        for (int i = 0; i < converted.Length; i++) Assert.Equal((float)ints[i], converted[i]);
    }

    [Theory, MemberData(nameof(Widths))]
    public void Reductions_SumMaxMin(int width)
    {
        if (!IsAccelerated(width)) return;
        int count = LaneCount(width);

        float[] lanes = Fill(count, i => i + 1);
        Assert.Equal(count * (count + 1) / 2f, Reduce(width, Op.Sum, lanes));
        Assert.Equal(count, Reduce(width, Op.MaxAcross, lanes));
        Assert.Equal(1f, Reduce(width, Op.MinAcross, lanes));

        // Every lane position gets the extreme once; -0 < +0 and NaN anywhere poisons max/min.
        for (int at = 0; at < count; at++)
        {
            float[] v = Fill(count, i => i == at ? -5f : i == (at + 1) % count ? 7f : 0.25f * i);
            if (count == 1) v[0] = -5f;
            Assert.Equal(count == 1 ? -5f : 7f, Reduce(width, Op.MaxAcross, v));
            Assert.Equal(-5f, Reduce(width, Op.MinAcross, v));

            float[] withNaN = Fill(count, i => i == at ? float.NaN : i);
            Assert.True(float.IsNaN(Reduce(width, Op.MaxAcross, withNaN)));
            Assert.True(float.IsNaN(Reduce(width, Op.MinAcross, withNaN)));
            Assert.True(float.IsNaN(Reduce(width, Op.Sum, withNaN)));
        }

        // The sum is a fixed pairwise tree: 1e8 + (-1e8) pairs cancel before the small lanes are added.
        float[] tree = Fill(count, i => i < count / 2 ? (i % 2 == 0 ? 1e8f : 1f) : (i % 2 == 0 ? -1e8f : 1f));
        float expected = Pairwise(tree, 0, count);
        Assert.Equal(expected, Reduce(width, Op.Sum, tree));
    }

    [Fact]
    public void Dispatch_PreferredWidthIsSupportedAndForcingAnUnsupportedWidthThrows()
    {
        Assert.True(SimdDispatch.IsSupported(SimdDispatch.PreferredWidth));
        Assert.True(SimdDispatch.IsSupported(SimdDispatch.HardwareWidth));
        Assert.True(SimdDispatch.IsSupported(1));
        int expectedHardware = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 1;
        Assert.Equal(expectedHardware, SimdDispatch.HardwareWidth);

        foreach (int bad in new[] { 0, 2, 64, 1024, -256 })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SimdDispatch.ForcedWidth = bad);
            Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        }

        if (!Vector512.IsHardwareAccelerated)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => SimdDispatch.ForcedWidth = 512);
        }
    }

    // ================================================================================================================
    // Sweep machinery
    // ================================================================================================================

    /// <summary>Double-precision references per swept function, shared by the four widths.</summary>
    private static readonly ConcurrentDictionary<Op, double[]> s_references = new();

    /// <summary>Scalar results on <see cref="Inputs.Mixed"/>, shared by the three vector widths.</summary>
    private static readonly ConcurrentDictionary<Op, float[]> s_scalarMixed = new();

    /// <summary>
    /// Every input for the vector widths. <see cref="Scalar"/> runs the identical algorithm (checked bit for bit by
    /// <see cref="VectorLanes_MatchScalarBitForBit"/>) but costs one call per element, which in a Debug build is
    /// about 20 times a vector lane, so its sweep takes every 4th input plus all the trailing edge values.
    /// </summary>
    private static int[] Sample(int width, int length)
    {
        const int scalarStride = 4, edgeTail = 64;
        var indices = new List<int>(length);
        for (int i = 0; i < length; i++)
        {
            if (width != 1 || i % scalarStride == 0 || i >= length - edgeTail) indices.Add(i);
        }

        return indices.ToArray();
    }

    private static (float[] Input, double[] References) Sweep(int width, Op op, float[] all, Func<double, double> reference)
    {
        double[] references = s_references.GetOrAdd(op, _ => Array.ConvertAll(all, x => reference(x)));
        int[] sample = Sample(width, all.Length);
        return (Array.ConvertAll(sample, i => all[i]), Array.ConvertAll(sample, i => references[i]));
    }

    private void Check(int width, Op op, float[] all, Func<double, double> reference, double maxUlp, bool flushToZero = false)
    {
        (float[] input, double[] references) = Sweep(width, op, all, reference);
        float[] actual = Unary(width, op, input);
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double expected = references[i];
            double error = UlpError(actual[i], expected);
            if (flushToZero && Math.Abs(expected) < MinNormal && Math.Abs(actual[i] - expected) <= MinNormal) error = 0;
            if (!(error <= maxUlp))
            {
                Assert.Fail($"width {width}: {op}({input[i]:R}) = {actual[i]:R}, expected {expected:R} ({error:F3} ulp > {maxUlp} ulp)");
            }

            if (error > worst) (worst, worstIndex) = (error, i);
        }

        _output.WriteLine($"width {width}: {op} max error {worst:F3} ulp at x = {input[worstIndex]:R} ({input.Length} inputs)");
    }

    /// <summary>|actual - reference| in ulps of the float nearest the reference (subnormal ulp below 2^-126).</summary>
    private static double UlpError(float actual, double reference)
    {
        if (double.IsNaN(reference)) return float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (float.IsNaN(actual)) return double.PositiveInfinity;
        float rounded = (float)reference;
        if (float.IsInfinity(rounded) || float.IsInfinity(actual)) return actual == rounded ? 0 : double.PositiveInfinity;
        double magnitude = Math.Abs(reference);
        double ulp = magnitude < MinNormal ? Math.ScaleB(1.0, -149) : Math.ScaleB(1.0, Math.ILogB(magnitude) - 23);
        return Math.Abs(actual - reference) / ulp;
    }

    /// <summary>
    /// Zeros (with their sign), infinities and NaN must match exactly; other expected values are the correctly rounded
    /// results and may be off by at most 1 ulp.
    /// </summary>
    private static void ExpectExact(int width, Op op, params (float X, float Expected)[] cases)
    {
        float[] xs = new float[cases.Length];
        for (int i = 0; i < cases.Length; i++) xs[i] = cases[i].X;
        float[] actual = Unary(width, op, xs);
        for (int i = 0; i < cases.Length; i++)
        {
            float expected = cases[i].Expected;
            bool ok = float.IsNaN(expected) ? float.IsNaN(actual[i])
                : expected == 0 || float.IsInfinity(expected) ? BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[i])
                : Math.Abs(BitConverter.SingleToInt32Bits(expected) - (long)BitConverter.SingleToInt32Bits(actual[i])) <= 1;
            Assert.True(ok, $"width {width}: {op}({cases[i].X:R}) = {actual[i]:R}, expected {expected:R}");
        }
    }

    private static void ExpectUnary(int width, Op op, float[] a, Func<float, float> expected)
    {
        float[] actual = Unary(width, op, a);
        for (int i = 0; i < a.Length; i++)
        {
            float e = expected(a[i]);
            Assert.True(e.Equals(actual[i]) && (float.IsNaN(e) || BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(actual[i])),
                $"width {width}: {op}({a[i]:R}) = {actual[i]:R}, expected {e:R}");
        }
    }

    private static void ExpectBinary(int width, Op op, float[] a, float[] b, Func<float, float, float> expected)
    {
        float[] actual = Binary(width, op, a, b);
        for (int i = 0; i < a.Length; i++)
        {
            float e = expected(a[i], b[i]);
            Assert.True(e.Equals(actual[i]) && (float.IsNaN(e) || BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(actual[i])),
                $"width {width}: {op}({a[i]:R}, {b[i]:R}) = {actual[i]:R}, expected {e:R}");
        }
    }

    private static void ExpectBinaryMask(int width, Op op, float[] a, float[] b, Func<float, float, bool> expected)
    {
        float[] actual = Binary(width, op, a, b);
        for (int i = 0; i < a.Length; i++) AssertMask(actual[i], expected(a[i], b[i]), $"width {width}: {op}({a[i]:R}, {b[i]:R})");
    }

    private static void AssertMask(float mask, bool expected, string what)
        => Assert.True(BitConverter.SingleToInt32Bits(mask) == (expected ? -1 : 0), $"{what}: mask bits 0x{BitConverter.SingleToInt32Bits(mask):X8}, expected {expected}");

    private static (float[] A, float[] B) AllPairs(float[] values)
    {
        var a = new float[values.Length * values.Length];
        var b = new float[a.Length];
        for (int i = 0; i < values.Length; i++)
        {
            for (int j = 0; j < values.Length; j++) (a[i * values.Length + j], b[i * values.Length + j]) = (values[i], values[j]);
        }

        return (a, b);
    }

    private static float[] Fill(int count, Func<int, float> value)
    {
        var result = new float[count];
        for (int i = 0; i < count; i++) result[i] = value(i);
        return result;
    }

    private static float Pairwise(float[] v, int start, int length)
        => length == 1 ? v[start] : Pairwise2(v, start, length);

    // The tree the structs use: halves are added lane-wise, so lane i pairs with lane i + length/2.
    private static float Pairwise2(float[] v, int start, int length)
    {
        var half = new float[length / 2];
        for (int i = 0; i < half.Length; i++) half[i] = v[start + i] + v[start + i + half.Length];
        return Pairwise(half, 0, half.Length);
    }

    // ================================================================================================================
    // Width dispatch: the same operation through Simd512 / Simd256 / Simd128 / Scalar.
    // ================================================================================================================

    private enum Op
    {
        Exp, Expm1, Log, Log1p, Tanh, Sigmoid, Softplus, Atan, Erf,
        Cos, Sin, Acos, Asinh, Atanh, Log1mexp,
        Negate, Abs, Sqrt, Sign, Floor, Not, MaskToOne,
        Add, Subtract, Multiply, Divide, Min, Max, Pow, And, Or,
        Equal, NotEqual, LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual,
        Select, MultiplyAdd,
        Sum, MaxAcross, MinAcross,
    }

    private static int LaneCount(int width) => width switch { 512 => Simd512.Count, 256 => Simd256.Count, 128 => Simd128.Count, _ => Scalar.Count };

    private static float[] Unary(int width, Op op, float[] a) => width switch
    {
        512 => Unary<Simd512, Vector512<float>>(op, a),
        256 => Unary<Simd256, Vector256<float>>(op, a),
        128 => Unary<Simd128, Vector128<float>>(op, a),
        _ => Unary<Scalar, float>(op, a),
    };

    private static float[] Binary(int width, Op op, float[] a, float[] b) => width switch
    {
        512 => Binary<Simd512, Vector512<float>>(op, a, b),
        256 => Binary<Simd256, Vector256<float>>(op, a, b),
        128 => Binary<Simd128, Vector128<float>>(op, a, b),
        _ => Binary<Scalar, float>(op, a, b),
    };

    private static float[] Ternary(int width, Op op, float[] a, float[] b, float[] c) => width switch
    {
        512 => Ternary<Simd512, Vector512<float>>(op, a, b, c),
        256 => Ternary<Simd256, Vector256<float>>(op, a, b, c),
        128 => Ternary<Simd128, Vector128<float>>(op, a, b, c),
        _ => Ternary<Scalar, float>(op, a, b, c),
    };

    private static float Reduce(int width, Op op, float[] lanes) => width switch
    {
        512 => Reduce<Simd512, Vector512<float>>(op, lanes),
        256 => Reduce<Simd256, Vector256<float>>(op, lanes),
        128 => Reduce<Simd128, Vector128<float>>(op, lanes),
        _ => Reduce<Scalar, float>(op, lanes),
    };

    private static float[] Iota(int width, float start) => width switch
    {
        512 => ToArray<Simd512, Vector512<float>>(Simd512.Iota(start)),
        256 => ToArray<Simd256, Vector256<float>>(Simd256.Iota(start)),
        128 => ToArray<Simd128, Vector128<float>>(Simd128.Iota(start)),
        _ => ToArray<Scalar, float>(Scalar.Iota(start)),
    };

    private static float[] Broadcast(int width, float value) => width switch
    {
        512 => ToArray<Simd512, Vector512<float>>(Simd512.Broadcast(value)),
        256 => ToArray<Simd256, Vector256<float>>(Simd256.Broadcast(value)),
        128 => ToArray<Simd128, Vector128<float>>(Simd128.Broadcast(value)),
        _ => ToArray<Scalar, float>(Scalar.Broadcast(value)),
    };

    private static float[] LoadInt(int width, int[] ints) => width switch
    {
        512 => LoadInt<Simd512, Vector512<float>>(ints),
        256 => LoadInt<Simd256, Vector256<float>>(ints),
        128 => LoadInt<Simd128, Vector128<float>>(ints),
        _ => LoadInt<Scalar, float>(ints),
    };

    private static float[] ToArray<TOps, TVec>(TVec v) where TOps : ISimdOps<TVec> where TVec : struct
    {
        var result = new float[TOps.Count];
        fixed (float* p = result) TOps.Store(v, p);
        return result;
    }

    private static float[] LoadInt<TOps, TVec>(int[] ints) where TOps : ISimdOps<TVec> where TVec : struct
    {
        fixed (int* p = ints) return ToArray<TOps, TVec>(TOps.LoadInt(p));
    }

    private static float Reduce<TOps, TVec>(Op op, float[] lanes) where TOps : ISimdOps<TVec> where TVec : struct
    {
        Assert.Equal(TOps.Count, lanes.Length);
        fixed (float* p = lanes)
        {
            TVec v = TOps.Load(p);
            return op switch
            {
                Op.Sum => TOps.Sum(v),
                Op.MaxAcross => TOps.MaxAcross(v),
                Op.MinAcross => TOps.MinAcross(v),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
        }
    }

    private static TVec Apply<TOps, TVec>(Op op, TVec a) where TOps : ISimdOps<TVec> where TVec : struct => op switch
    {
        Op.Exp => TOps.Exp(a),
        Op.Expm1 => TOps.Expm1(a),
        Op.Log => TOps.Log(a),
        Op.Log1p => TOps.Log1p(a),
        Op.Tanh => TOps.Tanh(a),
        Op.Sigmoid => TOps.Sigmoid(a),
        Op.Softplus => TOps.Softplus(a),
        Op.Atan => TOps.Atan(a),
        Op.Erf => TOps.Erf(a),
        Op.Cos => TOps.Cos(a),
        Op.Sin => TOps.Sin(a),
        Op.Acos => TOps.Acos(a),
        Op.Asinh => TOps.Asinh(a),
        Op.Atanh => TOps.Atanh(a),
        Op.Log1mexp => TOps.Log1mexp(a),
        Op.Negate => TOps.Negate(a),
        Op.Abs => TOps.Abs(a),
        Op.Sqrt => TOps.Sqrt(a),
        Op.Sign => TOps.Sign(a),
        Op.Floor => TOps.Floor(a),
        Op.Not => TOps.Not(a),
        Op.MaskToOne => TOps.MaskToOne(a),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static TVec Apply<TOps, TVec>(Op op, TVec a, TVec b) where TOps : ISimdOps<TVec> where TVec : struct => op switch
    {
        Op.Add => TOps.Add(a, b),
        Op.Subtract => TOps.Subtract(a, b),
        Op.Multiply => TOps.Multiply(a, b),
        Op.Divide => TOps.Divide(a, b),
        Op.Min => TOps.Min(a, b),
        Op.Max => TOps.Max(a, b),
        Op.Pow => TOps.Pow(a, b),
        Op.And => TOps.And(a, b),
        Op.Or => TOps.Or(a, b),
        Op.Equal => TOps.Equal(a, b),
        Op.NotEqual => TOps.NotEqual(a, b),
        Op.LessThan => TOps.LessThan(a, b),
        Op.LessThanOrEqual => TOps.LessThanOrEqual(a, b),
        Op.GreaterThan => TOps.GreaterThan(a, b),
        Op.GreaterThanOrEqual => TOps.GreaterThanOrEqual(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static TVec Apply<TOps, TVec>(Op op, TVec a, TVec b, TVec c) where TOps : ISimdOps<TVec> where TVec : struct => op switch
    {
        Op.Select => TOps.Select(a, b, c),
        Op.MultiplyAdd => TOps.MultiplyAdd(a, b, c),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    // The arrays are processed Count lanes at a time; a ragged end goes through Scalar, like a kernel's tail.
    private static float[] Unary<TOps, TVec>(Op op, float[] a) where TOps : ISimdOps<TVec> where TVec : struct
    {
        var result = new float[a.Length];
        int n = TOps.Count, i = 0;
        fixed (float* pa = a, pr = result)
        {
            for (; i + n <= a.Length; i += n) TOps.Store(Apply<TOps, TVec>(op, TOps.Load(pa + i)), pr + i);
            for (; i < a.Length; i++) pr[i] = Apply<Scalar, float>(op, pa[i]);
        }

        return result;
    }

    private static float[] Binary<TOps, TVec>(Op op, float[] a, float[] b) where TOps : ISimdOps<TVec> where TVec : struct
    {
        var result = new float[a.Length];
        int n = TOps.Count, i = 0;
        fixed (float* pa = a, pb = b, pr = result)
        {
            for (; i + n <= a.Length; i += n) TOps.Store(Apply<TOps, TVec>(op, TOps.Load(pa + i), TOps.Load(pb + i)), pr + i);
            for (; i < a.Length; i++) pr[i] = Apply<Scalar, float>(op, pa[i], pb[i]);
        }

        return result;
    }

    private static float[] Ternary<TOps, TVec>(Op op, float[] a, float[] b, float[] c) where TOps : ISimdOps<TVec> where TVec : struct
    {
        var result = new float[a.Length];
        int n = TOps.Count, i = 0;
        fixed (float* pa = a, pb = b, pc = c, pr = result)
        {
            for (; i + n <= a.Length; i += n) TOps.Store(Apply<TOps, TVec>(op, TOps.Load(pa + i), TOps.Load(pb + i), TOps.Load(pc + i)), pr + i);
            for (; i < a.Length; i++) pr[i] = Apply<Scalar, float>(op, pa[i], pb[i], pc[i]);
        }

        return result;
    }

    // ================================================================================================================
    // Inputs and double-precision references
    // ================================================================================================================

    private static class Inputs
    {
        private const int Dense = 700_000;
        private const int Logarithmic = 300_000;

        private static readonly float[] s_edge =
        {
            0f, -0f, float.Epsilon, -float.Epsilon, 1e-45f, 1e-40f, -1e-40f, 1e-38f, MinNormal, -MinNormal, 1e-30f, -1e-30f, 1e-10f, -1e-10f,
            1e-7f, -1e-7f, 0.5f, -0.5f, 1f, -1f, 2f, -2f, 10f, -10f, 88.72283f, 88.72284f, -87.33654f, -87.33655f, -103.97f, -103.98f,
            1e10f, -1e10f, 1e30f, -1e30f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)),
        };

        public static readonly Lazy<float[]> Exp = new(() => Build(-104f, 89f, 1e-12, 100, symmetric: true));
        public static readonly Lazy<float[]> Expm1 = new(() => Build(-20f, 89f, 1e-30, 100, symmetric: true));
        public static readonly Lazy<float[]> Log = new(() => Build(0.25f, 4f, 1e-45, 3.4e38, symmetric: false, logDense: 0.5));
        public static readonly Lazy<float[]> Log1p = new(() => Build(-1f, 3f, 1e-40, 3.4e38, symmetric: false, negativeTiny: true));
        public static readonly Lazy<float[]> Tanh = new(() => Build(-10f, 10f, 1e-30, 100, symmetric: true));
        public static readonly Lazy<float[]> Sigmoid = new(() => Build(-110f, 110f, 1e-30, 1e4, symmetric: true));
        public static readonly Lazy<float[]> Atan = new(() => Build(-4f, 4f, 1e-30, 1e30, symmetric: true));
        public static readonly Lazy<float[]> Erf = new(() => Build(-5f, 5f, 1e-30, 100, symmetric: true));
        public static readonly Lazy<float[]> Mixed = new(() => Build(-100f, 100f, 1e-40, 3e38, symmetric: true, count: 65_536));

        /// <summary>
        /// [-8, 8] densely, magnitudes 1e-30 to 3e38, and the floats nearest to k pi/2 for k up to 2^20 (with their
        /// neighbours), where the reduced argument is smallest.
        /// </summary>
        public static readonly Lazy<float[]> Trig = new(() =>
        {
            var values = new List<float>(Build(-8f, 8f, 1e-30, 3e38, symmetric: true));
            var random = new Random(12);
            for (int i = 0; i < 100_000; i++)
            {
                double k = i < 50_000 ? i : Math.Floor(Math.Exp(random.NextDouble() * Math.Log(1 << 21)));
                float x = (float)(k * Math.PI / 2);
                values.Add(x);
                values.Add(MathF.BitIncrement(x));
                values.Add(-MathF.BitDecrement(x));
            }

            return values.ToArray();
        });

        /// <summary>[-1, 1] densely, both ends within 2^-20 densely, and magnitudes from 1e-30 to 2.</summary>
        public static readonly Lazy<float[]> UnitInterval = new(() =>
        {
            var values = new List<float>(Build(-1f, 1f, 1e-30, 2, symmetric: true));
            for (float x = 1f; x > 1f - 1f / (1 << 20); x = MathF.BitDecrement(x)) { values.Add(x); values.Add(-x); }
            return values.ToArray();
        });

        public static readonly Lazy<float[]> Asinh = new(() => Build(-10f, 10f, 1e-30, 3e38, symmetric: true));

        /// <summary>[0, 3] densely (ln 2 at both sides), magnitudes 1e-40 to 100, and some negative inputs (NaN).</summary>
        public static readonly Lazy<float[]> Log1mexp = new(() => Build(0f, 3f, 1e-40, 100, symmetric: false, negativeTiny: true));

        /// <summary>x log-spaced in [1e-4, 1e4] (some negative with integral y), y in [-12, 12], |y log|x|| &lt;= 80.</summary>
        public static readonly Lazy<(float[] X, float[] Y)> Pow = new(() =>
        {
            const int count = 400_000;
            var random = new Random(20240601);
            var x = new float[count];
            var y = new float[count];
            for (int i = 0; i < count; i++)
            {
                float xi, yi;
                do
                {
                    xi = (float)Math.Pow(10, random.NextDouble() * 8 - 4);
                    yi = (float)(random.NextDouble() * 24 - 12);
                    if (i % 4 == 0) { xi = -xi; yi = MathF.Round(yi); }
                    else if (i % 4 == 1) yi = MathF.Round(yi * 2) / 2;
                }
                while (Math.Abs(yi * Math.Log(Math.Abs(xi))) > 80);
                x[i] = xi;
                y[i] = yi;
            }

            return (x, y);
        });

        /// <summary>
        /// A uniform grid over [lo, hi], a logarithmic sweep of magnitudes over [tinyMagnitude, hugeMagnitude] (both
        /// signs when symmetric), optionally a second dense grid around 1, plus the edge values.
        /// </summary>
        private static float[] Build(float lo, float hi, double tinyMagnitude, double hugeMagnitude, bool symmetric,
            double logDense = 0, bool negativeTiny = false, int count = Dense + Logarithmic)
        {
            var values = new List<float>(count + s_edge.Length);
            int dense = count * Dense / (Dense + Logarithmic), logarithmic = count - dense;
            for (int i = 0; i < dense; i++)
            {
                double t = (i + 0.5) / dense;
                if (logDense > 0 && i % 2 == 1) values.Add((float)(1 - logDense + 2 * logDense * t));
                else values.Add((float)(lo + (hi - lo) * t));
            }

            double logLo = Math.Log(tinyMagnitude), logHi = Math.Log(hugeMagnitude);
            for (int i = 0; i < logarithmic; i++)
            {
                double magnitude = Math.Exp(logLo + (logHi - logLo) * (i + 0.5) / logarithmic);
                bool negative = (symmetric || negativeTiny) && i % 2 == 1;
                if (negativeTiny && magnitude >= 1) negative = false;
                values.Add((float)(negative ? -magnitude : magnitude));
            }

            values.AddRange(s_edge);
            return values.ToArray();
        }
    }

    private static class Reference
    {
        public static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

        /// <summary>Kahan's log1p: accurate to a few double ulps for every x.</summary>
        public static double Log1p(double x)
        {
            if (double.IsNaN(x) || x < -1) return double.NaN;
            if (x == -1) return double.NegativeInfinity;
            if (double.IsPositiveInfinity(x)) return x;
            double u = 1 + x;
            return u == 1 ? x : Math.Log(u) * x / (u - 1);
        }

        public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        /// <summary>log(1 - e^-x) (Maechler): log(-expm1(-x)) up to ln 2, log1p(-e^-x) above; NaN below 0.</summary>
        public static double Log1mexp(double x)
        {
            if (!(x >= 0)) return double.NaN;
            if (x <= Math.Log(2))
            {
                double u = Math.Exp(-x);
                double em1 = u == 1 ? -x : (u - 1) * (-x / Math.Log(u));   // Kahan's expm1(-x)
                return Math.Log(-em1);
            }
            return Log1p(-Math.Exp(-x));
        }

        public static double Softplus(double x) => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x));

        /// <summary>
        /// erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)): all terms positive, so no
        /// cancellation; about 1e-15 relative for |x| &lt; 6, and erf = ±1 in double beyond.
        /// </summary>
        public static double Erf(double x)
        {
            if (double.IsNaN(x)) return double.NaN;
            double a = Math.Abs(x);
            if (a >= 6) return Math.Sign(x);
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 500 && term > sum * 1e-18; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }

            return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
        }
    }
}
