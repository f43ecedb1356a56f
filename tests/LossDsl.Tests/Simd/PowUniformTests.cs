using System;
using System.Runtime.Intrinsics;
using LossDsl.Simd;
using Xunit;

namespace LossDsl.Tests.Simd;

/// <summary>PowFromLogUniform (scalar exponent) must give exactly what PowFromLog gives with the exponent broadcast.</summary>
public class PowUniformTests
{
    private static readonly float[] Bases = { 0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 1e-30f, 3e30f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.999999f, 7.25f, -7.25f };
    private static readonly float[] Exponents = { 0f, 1f, -1f, 2f, 3f, -3f, 0.5f, 1.5f, 2.5f, -0.75f, 0.75f, 1e-3f, 40f, float.NaN };

    [Fact]
    public void ScalarMatchesGeneralForm()
    {
        foreach (float x in Bases)
            foreach (float y in Exponents)
            {
                float l = Scalar.Log(Scalar.Abs(x));
                float general = Scalar.PowFromLog(x, y, l), uniform = Scalar.PowFromLogUniform(x, y, l);
                Assert.True(BitConverter.SingleToInt32Bits(general) == BitConverter.SingleToInt32Bits(uniform) || (float.IsNaN(general) && float.IsNaN(uniform)),
                    $"pow({x}, {y}): general {general} vs uniform {uniform}");
            }
    }

    [Fact]
    public void Vector256MatchesGeneralForm()
    {
        if (!Simd256.IsHardwareAccelerated) return; // the scalar test above covers the algorithm
        foreach (float y in Exponents)
            for (int start = 0; start < Bases.Length; start += 8)
            {
                var lanes = new float[8];
                for (int k = 0; k < 8; k++) lanes[k] = Bases[(start + k) % Bases.Length];
                var x = Vector256.Create(lanes);
                var l = Simd256.Log(Simd256.Abs(x));
                var general = Simd256.PowFromLog(x, Vector256.Create(y), l);
                var uniform = Simd256.PowFromLogUniform(x, y, l);
                for (int k = 0; k < 8; k++)
                    Assert.True(BitConverter.SingleToInt32Bits(general[k]) == BitConverter.SingleToInt32Bits(uniform[k]) || (float.IsNaN(general[k]) && float.IsNaN(uniform[k])),
                        $"pow({lanes[k]}, {y}): general {general[k]} vs uniform {uniform[k]}");
            }
    }
}
