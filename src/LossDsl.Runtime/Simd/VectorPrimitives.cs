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

    /// <summary>Lane-wise square root (correctly rounded; NaN below 0).</summary>
    static abstract TVec Sqrt(TVec a);
    /// <summary>True when any lane of <paramref name="mask"/> is set.</summary>
    static abstract bool Any(TVec mask);
    /// <summary>
    /// The argument reduction of sin and cos: x = k pi/2 + r with k = round(x 2/pi), computed in double
    /// (<see cref="TrigReduction"/>) and rounded to float; <paramref name="k"/> is k as an integral float. Valid for
    /// |x| &lt;= <see cref="TrigReduction.Limit"/>.
    /// </summary>
    static abstract TVec ReduceHalfPi(TVec x, out TVec k);
    /// <summary><paramref name="result"/> with each lane set in <paramref name="mask"/> replaced by
    /// <see cref="TrigReduction.Huge"/> of that lane of <paramref name="x"/> (the rare arguments beyond
    /// <see cref="TrigReduction.Limit"/>).</summary>
    static abstract TVec SinCosHuge(TVec x, TVec mask, TVec result, bool cos);
}

/// <summary>
/// The argument reduction of sin and cos, in double: x = k pi/2 + r with k = round(x 2/pi) and
/// r = ((x - k P1) - k P2) - k P3, where pi/2 = P1 + P2 + P3 to 117 bits and P1, P2 have 32 significant bits, so
/// k P1 and k P2 are exact for |k| &lt; 2^21 and x - k P1 is exact (Sterbenz): r is accurate to about 2^-53 relative
/// even where x is within 2^-30 of a multiple of pi/2. No fused multiply-add is used, so every width and the scalar
/// code give the same bits with or without FMA. Beyond <see cref="Limit"/> (|k| would reach 2^21) each lane is
/// computed by <see cref="Huge"/>.
/// </summary>
internal static class TrigReduction
{
    /// <summary>The largest |x| reduced here (2^21: |k| &lt;= 1335088).</summary>
    public const float Limit = 2097152f;
    public const double TwoOverPi = 0.6366197723675814;
    public const double P1 = 1.5707963267341256;
    public const double P2 = 6.077100506303966e-11;
    public const double P3 = 2.0222662487959506e-21;
    /// <summary>1.5 * 2^52: adding and subtracting it rounds a double of magnitude below 2^51 to an integer (ties to even).</summary>
    public const double RoundMagic = 6755399441055744.0;

    /// <summary>sin or cos of a huge (or infinite) argument, by the double-precision library function (a correct
    /// reduction of any argument), rounded to float: the rare slow path of <see cref="VectorMath"/>'s sin and cos.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Huge(float x, bool cos) => (float)(cos ? Math.Cos(x) : Math.Sin(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Reduce(double x, out double k)
    {
        k = (x * TwoOverPi + RoundMagic) - RoundMagic;
        return ((x - k * P1) - k * P2) - k * P3;
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector512<float> mask) => Vector512.ExtractMostSignificantBits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReduceHalfPi(Vector512<float> x, out Vector512<float> k)
    {
        (var lower, var upper) = Vector512.Widen(x);
        var rLower = Reduce(lower, out var kLower);
        var rUpper = Reduce(upper, out var kUpper);
        k = Vector512.Narrow(kLower, kUpper);
        return Vector512.Narrow(rLower, rUpper);
    }

    /// <summary><see cref="TrigReduction.Reduce"/> lane-wise (the same operations, so the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Reduce(Vector512<double> x, out Vector512<double> k)
    {
        var magic = Vector512.Create(TrigReduction.RoundMagic);
        k = (x * Vector512.Create(TrigReduction.TwoOverPi) + magic) - magic;
        return ((x - k * Vector512.Create(TrigReduction.P1)) - k * Vector512.Create(TrigReduction.P2)) - k * Vector512.Create(TrigReduction.P3);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector512<float> SinCosHuge(Vector512<float> x, Vector512<float> mask, Vector512<float> result, bool cos)
    {
        Span<float> lanes = stackalloc float[Vector512<float>.Count];
        result.CopyTo(lanes);
        for (int i = 0; i < lanes.Length; i++)
            if (mask.AsInt32().GetElement(i) != 0) lanes[i] = TrigReduction.Huge(x.GetElement(i), cos);
        return Vector512.Create((ReadOnlySpan<float>)lanes);
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector256<float> mask) => Vector256.ExtractMostSignificantBits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ReduceHalfPi(Vector256<float> x, out Vector256<float> k)
    {
        (var lower, var upper) = Vector256.Widen(x);
        var rLower = Reduce(lower, out var kLower);
        var rUpper = Reduce(upper, out var kUpper);
        k = Vector256.Narrow(kLower, kUpper);
        return Vector256.Narrow(rLower, rUpper);
    }

    /// <summary><see cref="TrigReduction.Reduce"/> lane-wise (the same operations, so the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reduce(Vector256<double> x, out Vector256<double> k)
    {
        var magic = Vector256.Create(TrigReduction.RoundMagic);
        k = (x * Vector256.Create(TrigReduction.TwoOverPi) + magic) - magic;
        return ((x - k * Vector256.Create(TrigReduction.P1)) - k * Vector256.Create(TrigReduction.P2)) - k * Vector256.Create(TrigReduction.P3);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector256<float> SinCosHuge(Vector256<float> x, Vector256<float> mask, Vector256<float> result, bool cos)
    {
        Span<float> lanes = stackalloc float[Vector256<float>.Count];
        result.CopyTo(lanes);
        for (int i = 0; i < lanes.Length; i++)
            if (mask.AsInt32().GetElement(i) != 0) lanes[i] = TrigReduction.Huge(x.GetElement(i), cos);
        return Vector256.Create((ReadOnlySpan<float>)lanes);
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector128<float> mask) => Vector128.ExtractMostSignificantBits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ReduceHalfPi(Vector128<float> x, out Vector128<float> k)
    {
        (var lower, var upper) = Vector128.Widen(x);
        var rLower = Reduce(lower, out var kLower);
        var rUpper = Reduce(upper, out var kUpper);
        k = Vector128.Narrow(kLower, kUpper);
        return Vector128.Narrow(rLower, rUpper);
    }

    /// <summary><see cref="TrigReduction.Reduce"/> lane-wise (the same operations, so the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Reduce(Vector128<double> x, out Vector128<double> k)
    {
        var magic = Vector128.Create(TrigReduction.RoundMagic);
        k = (x * Vector128.Create(TrigReduction.TwoOverPi) + magic) - magic;
        return ((x - k * Vector128.Create(TrigReduction.P1)) - k * Vector128.Create(TrigReduction.P2)) - k * Vector128.Create(TrigReduction.P3);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector128<float> SinCosHuge(Vector128<float> x, Vector128<float> mask, Vector128<float> result, bool cos)
    {
        Span<float> lanes = stackalloc float[Vector128<float>.Count];
        result.CopyTo(lanes);
        for (int i = 0; i < lanes.Length; i++)
            if (mask.AsInt32().GetElement(i) != 0) lanes[i] = TrigReduction.Huge(x.GetElement(i), cos);
        return Vector128.Create((ReadOnlySpan<float>)lanes);
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(float mask) => Bits(mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceHalfPi(float x, out float k)
    {
        double r = TrigReduction.Reduce(x, out double kd);
        k = (float)kd;
        return (float)r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SinCosHuge(float x, float mask, float result, bool cos) => Bits(mask) != 0 ? TrigReduction.Huge(x, cos) : result;
}
