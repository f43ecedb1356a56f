using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// 256-bit implementation of <see cref="ISimdOps{TVec}"/>: 8 float lanes in a <see cref="Vector256{T}"/>.
/// The transcendental functions are the shared float polynomials of <see cref="VectorMath"/>; see
/// <see cref="ISimdOps{TVec}"/> for their accuracy and special values.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct Simd256 : ISimdOps<Vector256<float>>
{
    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Iota(float start) => Vector256.Create(start) + Vector256<float>.Indices;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* source) => Vector256.Load(source);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, float* destination) => Vector256.Store(value, destination);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LoadInt(int* source) => Vector256.ConvertToSingle(Vector256.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> a) => -a;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> a)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), Vector256<float>.One,
            Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256<float>.Zero), Vector256.Create(-1f), a));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Floor(Vector256<float> a) => Vector256.Floor(a);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> NotEqual(Vector256<float> a, Vector256<float> b) => ~Vector256.Equals(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeyBelow(Vector256<float> x, Vector256<float> key)
    {
        // The key: the bits with the sign bit flipped (positive) or all bits flipped (negative); every NaN the largest.
        var bits = x.AsUInt32();
        var flip = (Vector256.ShiftRightArithmetic(x.AsInt32(), 31) | Vector256.Create(int.MinValue)).AsUInt32();
        var keys = Vector256.ConditionalSelect(Vector256.Equals(x, x).AsUInt32(), bits ^ flip, Vector256.Create(uint.MaxValue));
        return Vector256.LessThan(keys, key.AsUInt32()).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeyBit(Vector256<float> key, float bit) => (key.AsUInt32() | Vector256.Create(1u << (int)bit)).AsSingle();
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeyValue(Vector256<float> key)
    {
        var k = key.AsUInt32();
        var positive = Vector256.ShiftRightArithmetic(key.AsInt32(), 31).AsUInt32();   // all ones where the top bit of the key is set
        return Vector256.ConditionalSelect(positive, k & Vector256.Create(0x7FFFFFFFu), ~k).AsSingle();
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Not(Vector256<float> mask) => ~mask;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaskToOne(Vector256<float> mask) => mask & Vector256<float>.One;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> x) => VectorMath.Exp<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Expm1(Vector256<float> x) => VectorMath.Expm1<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> x) => VectorMath.Log<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log1p(Vector256<float> x) => VectorMath.Log1p<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Tanh(Vector256<float> x) => VectorMath.Tanh<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Atan(Vector256<float> x) => VectorMath.Atan<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Erf(Vector256<float> x) => VectorMath.Erf<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Cos(Vector256<float> x) => VectorMath.Cos<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sin(Vector256<float> x) => VectorMath.Sin<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Acos(Vector256<float> x) => VectorMath.Acos<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Asinh(Vector256<float> x) => VectorMath.Asinh<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Atanh(Vector256<float> x) => VectorMath.Atanh<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log1mexp(Vector256<float> x) => VectorMath.Log1mexp<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sigmoid(Vector256<float> x) => VectorMath.Sigmoid<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Softplus(Vector256<float> x) => VectorMath.Softplus<Prim256, Vector256<float>>(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Pow(Vector256<float> x, Vector256<float> y) => VectorMath.Pow<Prim256, Vector256<float>>(x, y);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> PowFromLog(Vector256<float> x, Vector256<float> y, Vector256<float> logAbsX) => VectorMath.PowFromLog<Prim256, Vector256<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> PowFromLogUniform(Vector256<float> x, float y, Vector256<float> logAbsX) => VectorMath.PowFromLogUniform<Prim256, Vector256<float>>(x, y, logAbsX);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> PowUniform(Vector256<float> x, float y) => VectorMath.PowUniform<Prim256, Vector256<float>>(x, y);

    /// <summary>Sum of the lanes in a fixed pairwise order: (lanes 0-3 + lanes 4-7), then as <see cref="Simd128.Sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> a) => Simd128.Sum(a.GetLower() + a.GetUpper());

    /// <summary>Largest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> a) => Simd128.MaxAcross(Vector128.Max(a.GetLower(), a.GetUpper()));

    /// <summary>Smallest lane; NaN if any lane is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector256<float> a) => Simd128.MinAcross(Vector128.Min(a.GetLower(), a.GetUpper()));

}
