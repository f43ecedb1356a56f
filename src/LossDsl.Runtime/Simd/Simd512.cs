using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// 512-bit implementation of <see cref="ISimdOps{TVec}"/>: 16 float lanes in a <see cref="Vector512{T}"/>.
/// The transcendental functions are the shared float polynomials of <see cref="VectorMath"/>; see
/// <see cref="ISimdOps{TVec}"/> for their accuracy and special values.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct Simd512 : ISimdOps<Vector512<float>>
{
    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Iota(float start) => Vector512.Create(start) + Vector512<float>.Indices;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* source) => Vector512.Load(source);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, float* destination) => Vector512.Store(value, destination);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LoadInt(int* source) => Vector512.ConvertToSingle(Vector512.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Negate(Vector512<float> a) => -a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sign(Vector512<float> a)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), Vector512<float>.One,
            Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512<float>.Zero), Vector512.Create(-1f), a));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Floor(Vector512<float> a) => Vector512.Floor(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> NotEqual(Vector512<float> a, Vector512<float> b) => ~Vector512.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.LessThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeyBelow(Vector512<float> x, Vector512<float> key)
    {
        // The key: the bits with the sign bit flipped (positive) or all bits flipped (negative); every NaN the largest.
        var bits = x.AsUInt32();
        var flip = (Vector512.ShiftRightArithmetic(x.AsInt32(), 31) | Vector512.Create(int.MinValue)).AsUInt32();
        var keys = Vector512.ConditionalSelect(Vector512.Equals(x, x).AsUInt32(), bits ^ flip, Vector512.Create(uint.MaxValue));
        return Vector512.LessThan(keys, key.AsUInt32()).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeyBit(Vector512<float> key, float bit) => (key.AsUInt32() | Vector512.Create(1u << (int)bit)).AsSingle();
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeyValue(Vector512<float> key)
    {
        var k = key.AsUInt32();
        var positive = Vector512.ShiftRightArithmetic(key.AsInt32(), 31).AsUInt32();   // all ones where the top bit of the key is set
        return Vector512.ConditionalSelect(positive, k & Vector512.Create(0x7FFFFFFFu), ~k).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Not(Vector512<float> mask) => ~mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaskToOne(Vector512<float> mask) => mask & Vector512<float>.One;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> x) => VectorMath.Exp<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Expm1(Vector512<float> x) => VectorMath.Expm1<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> x) => VectorMath.Log<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log1p(Vector512<float> x) => VectorMath.Log1p<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Tanh(Vector512<float> x) => VectorMath.Tanh<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Atan(Vector512<float> x) => VectorMath.Atan<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Erf(Vector512<float> x) => VectorMath.Erf<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Cos(Vector512<float> x) => VectorMath.Cos<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sin(Vector512<float> x) => VectorMath.Sin<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Acos(Vector512<float> x) => VectorMath.Acos<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Asinh(Vector512<float> x) => VectorMath.Asinh<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Atanh(Vector512<float> x) => VectorMath.Atanh<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log1mexp(Vector512<float> x) => VectorMath.Log1mexp<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sigmoid(Vector512<float> x) => VectorMath.Sigmoid<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Softplus(Vector512<float> x) => VectorMath.Softplus<Prim512, Vector512<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Pow(Vector512<float> x, Vector512<float> y) => VectorMath.Pow<Prim512, Vector512<float>>(x, y);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> PowFromLog(Vector512<float> x, Vector512<float> y, Vector512<float> logAbsX) => VectorMath.PowFromLog<Prim512, Vector512<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> PowFromLogUniform(Vector512<float> x, float y, Vector512<float> logAbsX) => VectorMath.PowFromLogUniform<Prim512, Vector512<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> PowUniform(Vector512<float> x, float y) => VectorMath.PowUniform<Prim512, Vector512<float>>(x, y);

    /// <summary>Sum of the lanes in a fixed pairwise order: (lanes 0-7 + lanes 8-15), then as <see cref="Simd256.Sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> a) => Simd256.Sum(a.GetLower() + a.GetUpper());

    /// <summary>Largest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> a) => Simd256.MaxAcross(Vector256.Max(a.GetLower(), a.GetUpper()));

    /// <summary>Smallest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector512<float> a) => Simd256.MinAcross(Vector256.Min(a.GetLower(), a.GetUpper()));

}
