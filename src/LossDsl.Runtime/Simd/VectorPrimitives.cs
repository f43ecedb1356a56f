using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// The small set of lane-wise primitives that <see cref="VectorMath"/> writes its transcendental functions against,
/// so that each function is written once and instantiated for 512-, 256- and 128-bit vectors and for a plain
/// <see cref="float"/> (the scalar tail). Everything works on the float vector type; the "Int" members reinterpret the
/// lanes as 32-bit signed integers (a free bit cast), which keeps the generic code to a single type parameter.
/// </summary>
/// <remarks>
/// Masks are all-ones / all-zeros lanes. For the scalar instantiation a "true" mask is the float whose bits are all
/// ones (a NaN) and <see cref="Select"/> tests the bits, so the same code gives the same answers.
/// </remarks>
internal interface IVectorPrimitives<TVec> where TVec : struct
{
    static abstract TVec Create(float value);
    /// <summary>Every lane holds the given bit pattern.</summary>
    static abstract TVec CreateBits(int bits);

    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Sub(TVec a, TVec b);
    static abstract TVec Mul(TVec a, TVec b);
    static abstract TVec Div(TVec a, TVec b);
    /// <summary>a * b + c, fused when the hardware has FMA (the algorithms do not depend on it being fused).</summary>
    static abstract TVec Fma(TVec a, TVec b, TVec c);
    /// <summary>IEEE 754-2019 minimum: NaN if either operand is NaN.</summary>
    static abstract TVec Min(TVec a, TVec b);
    /// <summary>IEEE 754-2019 maximum: NaN if either operand is NaN.</summary>
    static abstract TVec Max(TVec a, TVec b);
    static abstract TVec Floor(TVec a);

    static abstract TVec And(TVec a, TVec b);
    /// <summary>a &amp; ~b.</summary>
    static abstract TVec AndNot(TVec a, TVec b);
    static abstract TVec Or(TVec a, TVec b);
    static abstract TVec Xor(TVec a, TVec b);

    static abstract TVec Equal(TVec a, TVec b);
    static abstract TVec LessThan(TVec a, TVec b);
    static abstract TVec LessThanOrEqual(TVec a, TVec b);
    static abstract TVec GreaterThan(TVec a, TVec b);
    static abstract TVec GreaterThanOrEqual(TVec a, TVec b);
    /// <summary>Lane-wise mask ? a : b.</summary>
    static abstract TVec Select(TVec mask, TVec a, TVec b);

    /// <summary>Int32 lanes: a + b (wrapping).</summary>
    static abstract TVec AddInt(TVec a, TVec b);
    /// <summary>Int32 lanes: a - b (wrapping).</summary>
    static abstract TVec SubInt(TVec a, TVec b);
    /// <summary>Int32 lanes: signed minimum.</summary>
    static abstract TVec MinInt(TVec a, TVec b);
    /// <summary>Int32 lanes: a &lt;&lt; count.</summary>
    static abstract TVec ShiftLeftInt(TVec a, int count);
    /// <summary>Int32 lanes: a &gt;&gt; count, sign-extending.</summary>
    static abstract TVec ShiftRightArithmeticInt(TVec a, int count);
    /// <summary>Converts the int32 lanes to their float values.</summary>
    static abstract TVec IntToFloat(TVec a);
}

/// <summary><see cref="IVectorPrimitives{TVec}"/> over <see cref="Vector512{T}"/>.</summary>
internal readonly struct Prim512 : IVectorPrimitives<Vector512<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> CreateBits(int bits) => Vector512.Create(bits).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Floor(Vector512<float> a) => Vector512.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AndNot(Vector512<float> a, Vector512<float> b) => Vector512.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Xor(Vector512<float> a, Vector512<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.LessThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AddInt(Vector512<float> a, Vector512<float> b) => (a.AsInt32() + b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SubInt(Vector512<float> a, Vector512<float> b) => (a.AsInt32() - b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinInt(Vector512<float> a, Vector512<float> b) => Vector512.Min(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ShiftLeftInt(Vector512<float> a, int count) => Vector512.ShiftLeft(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ShiftRightArithmeticInt(Vector512<float> a, int count) => Vector512.ShiftRightArithmetic(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IntToFloat(Vector512<float> a) => Vector512.ConvertToSingle(a.AsInt32());
}

/// <summary><see cref="IVectorPrimitives{TVec}"/> over <see cref="Vector256{T}"/>.</summary>
internal readonly struct Prim256 : IVectorPrimitives<Vector256<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> CreateBits(int bits) => Vector256.Create(bits).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Floor(Vector256<float> a) => Vector256.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AndNot(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Xor(Vector256<float> a, Vector256<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AddInt(Vector256<float> a, Vector256<float> b) => (a.AsInt32() + b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SubInt(Vector256<float> a, Vector256<float> b) => (a.AsInt32() - b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinInt(Vector256<float> a, Vector256<float> b) => Vector256.Min(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ShiftLeftInt(Vector256<float> a, int count) => Vector256.ShiftLeft(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ShiftRightArithmeticInt(Vector256<float> a, int count) => Vector256.ShiftRightArithmetic(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IntToFloat(Vector256<float> a) => Vector256.ConvertToSingle(a.AsInt32());
}

/// <summary><see cref="IVectorPrimitives{TVec}"/> over <see cref="Vector128{T}"/>.</summary>
internal readonly struct Prim128 : IVectorPrimitives<Vector128<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Create(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> CreateBits(int bits) => Vector128.Create(bits).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sub(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Div(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Floor(Vector128<float> a) => Vector128.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> AndNot(Vector128<float> a, Vector128<float> b) => Vector128.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Xor(Vector128<float> a, Vector128<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Equal(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThanOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.LessThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThanOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> AddInt(Vector128<float> a, Vector128<float> b) => (a.AsInt32() + b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> SubInt(Vector128<float> a, Vector128<float> b) => (a.AsInt32() - b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MinInt(Vector128<float> a, Vector128<float> b) => Vector128.Min(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ShiftLeftInt(Vector128<float> a, int count) => Vector128.ShiftLeft(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ShiftRightArithmeticInt(Vector128<float> a, int count) => Vector128.ShiftRightArithmetic(a.AsInt32(), count).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> IntToFloat(Vector128<float> a) => Vector128.ConvertToSingle(a.AsInt32());
}

/// <summary>
/// <see cref="IVectorPrimitives{TVec}"/> over a single <see cref="float"/>, so the scalar tail runs the very same
/// algorithms as the vector body and produces bit-identical results (given the same FMA availability).
/// </summary>
internal readonly struct PrimScalar : IVectorPrimitives<float>
{
    /// <summary>The scalar "true" mask: all 32 bits set (a NaN).</summary>
    internal static float True
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => BitConverter.Int32BitsToSingle(-1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float FromBool(bool value) => BitConverter.Int32BitsToSingle(value ? -1 : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Float(int bits) => BitConverter.Int32BitsToSingle(bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float CreateBits(int bits) => Float(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Floor(float a) => MathF.Floor(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float And(float a, float b) => Float(Bits(a) & Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float AndNot(float a, float b) => Float(Bits(a) & ~Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Or(float a, float b) => Float(Bits(a) | Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Xor(float a, float b) => Float(Bits(a) ^ Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Equal(float a, float b) => FromBool(a == b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => FromBool(a < b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThanOrEqual(float a, float b) => FromBool(a <= b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => FromBool(a > b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThanOrEqual(float a, float b) => FromBool(a >= b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float mask, float a, float b) => Bits(mask) != 0 ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float AddInt(float a, float b) => Float(unchecked(Bits(a) + Bits(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float SubInt(float a, float b) => Float(unchecked(Bits(a) - Bits(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinInt(float a, float b) => Float(Math.Min(Bits(a), Bits(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ShiftLeftInt(float a, int count) => Float(Bits(a) << count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ShiftRightArithmeticInt(float a, int count) => Float(Bits(a) >> count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float IntToFloat(float a) => Bits(a);
}
