using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// One-lane implementation of <see cref="ISimdOps{TVec}"/> over <see cref="float"/>, used for the scalar tail of a
/// kernel (and for scalar code). It runs the same <see cref="VectorMath"/> algorithms as the vector structs, so an
/// element gives the same bits whether it lands in the vector body or in the tail.
/// </summary>
/// <remarks>
/// Masks are floats whose bits are all ones (true, a NaN: <see cref="True"/>) or all zeros (false, +0).
/// <see cref="Select"/> and <see cref="MaskToOne"/> test whether any bit is set; <see cref="And"/>, <see cref="Or"/>
/// and <see cref="Not"/> operate on the bits.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct Scalar : ISimdOps<float>
{
    /// <summary>The "true" mask value: all 32 bits set.</summary>
    public static float True
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PrimScalar.True;
    }

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Iota(float start) => start;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* source) => *source;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, float* destination) => *destination = value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LoadInt(int* source) => *source;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Negate(float a) => -a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sign(float a) => a > 0f ? 1f : a < 0f ? -1f : a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Floor(float a) => MathF.Floor(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Equal(float a, float b) => PrimScalar.FromBool(a == b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float NotEqual(float a, float b) => PrimScalar.FromBool(a != b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => PrimScalar.FromBool(a < b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThanOrEqual(float a, float b) => PrimScalar.FromBool(a <= b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float KeyBelow(float x, float key) => PrimScalar.FromBool(OrderKeys.Below(x, key));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float KeyBit(float key, float bit) => OrderKeys.SetBit(key, bit);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float KeyValue(float key) => OrderKeys.Value(key);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => PrimScalar.FromBool(a > b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThanOrEqual(float a, float b) => PrimScalar.FromBool(a >= b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float And(float a, float b) => BitConverter.Int32BitsToSingle(Bits(a) & Bits(b));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Or(float a, float b) => BitConverter.Int32BitsToSingle(Bits(a) | Bits(b));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Not(float mask) => BitConverter.Int32BitsToSingle(~Bits(mask));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float mask, float a, float b) => Bits(mask) != 0 ? a : b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaskToOne(float mask) => Bits(mask) != 0 ? 1f : 0f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float x) => VectorMath.Exp<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Expm1(float x) => VectorMath.Expm1<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float x) => VectorMath.Log<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log1p(float x) => VectorMath.Log1p<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Tanh(float x) => VectorMath.Tanh<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Atan(float x) => VectorMath.Atan<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Erf(float x) => VectorMath.Erf<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Cos(float x) => VectorMath.Cos<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sin(float x) => VectorMath.Sin<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Acos(float x) => VectorMath.Acos<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Asinh(float x) => VectorMath.Asinh<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Atanh(float x) => VectorMath.Atanh<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log1mexp(float x) => VectorMath.Log1mexp<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sigmoid(float x) => VectorMath.Sigmoid<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Softplus(float x) => VectorMath.Softplus<PrimScalar, float>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Pow(float x, float y) => VectorMath.Pow<PrimScalar, float>(x, y);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float PowFromLog(float x, float y, float logAbsX) => VectorMath.PowFromLog<PrimScalar, float>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float PowFromLogUniform(float x, float y, float logAbsX) => VectorMath.PowFromLogUniform<PrimScalar, float>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float PowUniform(float x, float y) => VectorMath.PowUniform<PrimScalar, float>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float a) => a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(float a) => a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MinAcross(float a) => a;
}
