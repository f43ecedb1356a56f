using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// 128-bit implementation of <see cref="ISimdOps{TVec}"/>: 4 float lanes in a <see cref="Vector128{T}"/>.
/// The transcendental functions are the shared float polynomials of <see cref="VectorMath"/>; see
/// <see cref="ISimdOps{TVec}"/> for their accuracy and special values.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct Simd128 : ISimdOps<Vector128<float>>
{
    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Iota(float start) => Vector128.Create(start) + Vector128<float>.Indices;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* source) => Vector128.Load(source);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, float* destination) => Vector128.Store(value, destination);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LoadInt(int* source) => Vector128.ConvertToSingle(Vector128.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Negate(Vector128<float> a) => -a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sign(Vector128<float> a)
        => Vector128.ConditionalSelect(Vector128.GreaterThan(a, Vector128<float>.Zero), Vector128<float>.One,
            Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128<float>.Zero), Vector128.Create(-1f), a));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Floor(Vector128<float> a) => Vector128.Floor(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Equal(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> NotEqual(Vector128<float> a, Vector128<float> b) => ~Vector128.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThanOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.LessThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeyBelow(Vector128<float> x, Vector128<float> key)
    {
        // The key: the bits with the sign bit flipped (positive) or all bits flipped (negative); every NaN the largest.
        var bits = x.AsUInt32();
        var flip = (Vector128.ShiftRightArithmetic(x.AsInt32(), 31) | Vector128.Create(int.MinValue)).AsUInt32();
        var keys = Vector128.ConditionalSelect(Vector128.Equals(x, x).AsUInt32(), bits ^ flip, Vector128.Create(uint.MaxValue));
        return Vector128.LessThan(keys, key.AsUInt32()).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeyBit(Vector128<float> key, float bit) => (key.AsUInt32() | Vector128.Create(1u << (int)bit)).AsSingle();
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeyValue(Vector128<float> key)
    {
        var k = key.AsUInt32();
        var positive = Vector128.ShiftRightArithmetic(key.AsInt32(), 31).AsUInt32();   // all ones where the top bit of the key is set
        return Vector128.ConditionalSelect(positive, k & Vector128.Create(0x7FFFFFFFu), ~k).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThanOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Not(Vector128<float> mask) => ~mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaskToOne(Vector128<float> mask) => mask & Vector128<float>.One;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Exp(Vector128<float> x) => VectorMath.Exp<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Expm1(Vector128<float> x) => VectorMath.Expm1<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Log(Vector128<float> x) => VectorMath.Log<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Log1p(Vector128<float> x) => VectorMath.Log1p<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Tanh(Vector128<float> x) => VectorMath.Tanh<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Atan(Vector128<float> x) => VectorMath.Atan<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Erf(Vector128<float> x) => VectorMath.Erf<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Cos(Vector128<float> x) => VectorMath.Cos<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sin(Vector128<float> x) => VectorMath.Sin<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Acos(Vector128<float> x) => VectorMath.Acos<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Asinh(Vector128<float> x) => VectorMath.Asinh<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Atanh(Vector128<float> x) => VectorMath.Atanh<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Log1mexp(Vector128<float> x) => VectorMath.Log1mexp<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sigmoid(Vector128<float> x) => VectorMath.Sigmoid<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Softplus(Vector128<float> x) => VectorMath.Softplus<Prim128, Vector128<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Pow(Vector128<float> x, Vector128<float> y) => VectorMath.Pow<Prim128, Vector128<float>>(x, y);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> PowFromLog(Vector128<float> x, Vector128<float> y, Vector128<float> logAbsX) => VectorMath.PowFromLog<Prim128, Vector128<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> PowFromLogUniform(Vector128<float> x, float y, Vector128<float> logAbsX) => VectorMath.PowFromLogUniform<Prim128, Vector128<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> PowUniform(Vector128<float> x, float y) => VectorMath.PowUniform<Prim128, Vector128<float>>(x, y);

    /// <summary>Sum of the lanes in a fixed pairwise order: (a0 + a2) + (a1 + a3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> a)
    {
        Vector128<float> pairs = a + Vector128.Shuffle(a, Vector128.Create(2, 3, 0, 1));
        return pairs.ToScalar() + pairs.GetElement(1);
    }

    /// <summary>Largest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> a)
    {
        Vector128<float> pairs = Vector128.Max(a, Vector128.Shuffle(a, Vector128.Create(2, 3, 0, 1)));
        return MathF.Max(pairs.ToScalar(), pairs.GetElement(1));
    }

    /// <summary>Smallest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector128<float> a)
    {
        Vector128<float> pairs = Vector128.Min(a, Vector128.Shuffle(a, Vector128.Create(2, 3, 0, 1)));
        return MathF.Min(pairs.ToScalar(), pairs.GetElement(1));
    }

}
