using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using LossDsl.Internals;
using Xunit;

namespace LossDsl.Tests.Simd;

/// <summary>
/// The uniform-exponent powers (<c>PowFromLogUniform</c>, <c>PowUniform</c>): for an exponent that is not a small
/// integer they give exactly what the per-lane <c>PowFromLog</c> gives; for an integral exponent in [-2, 4] they are
/// products, within 2 ulp of the correctly rounded power and equal to it on every special case.
/// </summary>
public class PowUniformTests
{
    private static readonly float[] s_bases = { 0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 1e-30f, 3e30f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.999999f, 7.25f, -7.25f, 1.1e-19f, -3.3e9f };
    private static readonly float[] s_otherExponents = { 0.5f, 1.5f, 2.5f, -0.75f, 0.75f, 1e-3f, 40f, -3f, 5f, 6f, float.NaN, float.PositiveInfinity, float.NegativeInfinity };
    private static readonly float[] s_smallIntegers = { -2f, -1f, 0f, 1f, 2f, 3f, 4f };

    public static IEnumerable<object[]> Widths => new[] { new object[] { 512 }, new object[] { 256 }, new object[] { 128 }, new object[] { 1 } };

    /// <summary>The three powers at one width, lane by lane over <see cref="Bases"/> with one exponent.</summary>
    private static (float General, float FromLogUniform, float Uniform)[] Evaluate(int width, float y)
    {
        var result = new (float, float, float)[s_bases.Length];
        for (int start = 0; start < s_bases.Length; start += 16)
        {
            var lanes = new float[16];
            for (int k = 0; k < 16; k++) lanes[k] = s_bases[(start + k) % s_bases.Length];
            float[] g = new float[16], f = new float[16], u = new float[16];
            switch (width)
            {
                case 512:
                {
                    var x = Vector512.Create(lanes);
                    var l = Simd512.Log(Simd512.Abs(x));
                    Simd512.PowFromLog(x, Vector512.Create(y), l).CopyTo(g);
                    Simd512.PowFromLogUniform(x, y, l).CopyTo(f);
                    Simd512.PowUniform(x, y).CopyTo(u);
                    break;
                }
                case 256:
                case 128:
                    for (int h = 0; h < 16; h += 8)
                    {
                        var x = Vector256.Create(lanes, h);
                        if (width == 256)
                        {
                            var l = Simd256.Log(Simd256.Abs(x));
                            Simd256.PowFromLog(x, Vector256.Create(y), l).CopyTo(g, h);
                            Simd256.PowFromLogUniform(x, y, l).CopyTo(f, h);
                            Simd256.PowUniform(x, y).CopyTo(u, h);
                        }
                        else
                        {
                            foreach (var (q, o) in new[] { (x.GetLower(), h), (x.GetUpper(), h + 4) })
                            {
                                var l = Simd128.Log(Simd128.Abs(q));
                                Simd128.PowFromLog(q, Vector128.Create(y), l).CopyTo(g, o);
                                Simd128.PowFromLogUniform(q, y, l).CopyTo(f, o);
                                Simd128.PowUniform(q, y).CopyTo(u, o);
                            }
                        }
                    }
                    break;
                default:
                    for (int k = 0; k < 16; k++)
                    {
                        float l = Scalar.Log(Scalar.Abs(lanes[k]));
                        g[k] = Scalar.PowFromLog(lanes[k], y, l);
                        f[k] = Scalar.PowFromLogUniform(lanes[k], y, l);
                        u[k] = Scalar.PowUniform(lanes[k], y);
                    }
                    break;
            }
            for (int k = 0; k < 16 && start + k < s_bases.Length; k++) result[start + k] = (g[k], f[k], u[k]);
        }
        return result;
    }

    private static bool IsAccelerated(int width) => width switch
    {
        512 => Simd512.IsHardwareAccelerated,
        256 => Simd256.IsHardwareAccelerated,
        128 => Simd128.IsHardwareAccelerated,
        _ => true,
    };

    private static bool Same(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b));

    [Theory, MemberData(nameof(Widths))]
    public void OtherExponents_MatchTheGeneralFormExactly(int width)
    {
        if (!IsAccelerated(width)) return; // this width does not run here (the scalar case covers the algorithm)
        foreach (float y in s_otherExponents)
        {
            var r = Evaluate(width, y);
            for (int i = 0; i < s_bases.Length; i++)
            {
                Assert.True(Same(r[i].General, r[i].FromLogUniform), $"pow({s_bases[i]}, {y}): PowFromLog {r[i].General} vs PowFromLogUniform {r[i].FromLogUniform}");
                Assert.True(Same(r[i].General, r[i].Uniform), $"pow({s_bases[i]}, {y}): PowFromLog {r[i].General} vs PowUniform {r[i].Uniform}");
            }
        }
    }

    [Theory, MemberData(nameof(Widths))]
    public void SmallIntegerExponents_AreProductsWithinTwoUlp(int width)
    {
        if (!IsAccelerated(width)) return; // this width does not run here (the scalar case covers the algorithm)
        foreach (float y in s_smallIntegers)
        {
            var r = Evaluate(width, y);
            for (int i = 0; i < s_bases.Length; i++)
            {
                float x = s_bases[i];
                float expected = (float)Math.Pow(x, y);
                foreach (var (name, actual) in new[] { ("PowFromLogUniform", r[i].FromLogUniform), ("PowUniform", r[i].Uniform) })
                {
                    if (float.IsNaN(expected) || float.IsInfinity(expected) || expected == 0f || Math.Abs(expected) < 1.17549435e-38f)
                        Assert.True(Same(expected, actual), $"{name}({x}, {y}) = {actual}, expected {expected}");
                    else
                        Assert.True(UlpDistance(expected, actual) <= 2, $"{name}({x}, {y}) = {actual}, expected {expected} ({UlpDistance(expected, actual)} ulp)");
                }
                // The products agree with the exp/log route on every special case and to a few ulp elsewhere.
                if (float.IsNaN(expected) || float.IsInfinity(expected) || expected == 0f)
                    Assert.True(Same(r[i].General, r[i].Uniform), $"pow({x}, {y}): PowFromLog {r[i].General} vs PowUniform {r[i].Uniform}");
            }
        }
    }

    [Fact]
    public void SmallIntegerPower_Range()
    {
        foreach (float y in s_smallIntegers) Assert.True(VectorMath.IsSmallIntegerPower(y), y.ToString());
        foreach (float y in new[] { -3f, 5f, 0.5f, 2.0000002f, 1.9999999f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            Assert.False(VectorMath.IsSmallIntegerPower(y), y.ToString());
    }

    private static long UlpDistance(float a, float b)
    {
        if (Math.Sign(a) != Math.Sign(b)) return long.MaxValue;
        return Math.Abs((long)BitConverter.SingleToInt32Bits(Math.Abs(a)) - BitConverter.SingleToInt32Bits(Math.Abs(b)));
    }
}
