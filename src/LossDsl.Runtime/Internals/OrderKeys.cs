using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The order keys of the radix select that computes kth, median and quantile (docs/language.md §6.8): the key of a
/// value is its bits mapped so that unsigned order is the value order (a negative value's bits inverted, a positive
/// value's sign bit set), -0 before +0, every NaN the largest key. A selection's key is built bit by bit in the bits of
/// a value of the kernel's type (<c>float</c>: 32 bits, <c>double</c>: 64), so it travels like any other value.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class OrderKeys
{
    /// <summary>The order key of a float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Key(float x)
    {
        if (float.IsNaN(x)) return uint.MaxValue;
        uint u = BitConverter.SingleToUInt32Bits(x);
        return u ^ (uint)((int)u >> 31 | int.MinValue);
    }

    /// <summary>The order key of a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(double x)
    {
        if (double.IsNaN(x)) return ulong.MaxValue;
        ulong u = BitConverter.DoubleToUInt64Bits(x);
        return u ^ (ulong)((long)u >> 63 | long.MinValue);
    }

    /// <summary>Whether the key of <paramref name="x"/> is below the key held in the bits of <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Below(float x, float key) => Key(x) < BitConverter.SingleToUInt32Bits(key);

    /// <summary>Whether the key of <paramref name="x"/> is below the key held in the bits of <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Below(double x, double key) => Key(x) < BitConverter.DoubleToUInt64Bits(key);

    /// <summary>The key held in <paramref name="key"/> with bit <paramref name="bit"/> (0 to 31) set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SetBit(float key, float bit) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(key) | 1u << (int)bit);

    /// <summary>The key held in <paramref name="key"/> with bit <paramref name="bit"/> (0 to 63) set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SetBit(double key, double bit) => BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(key) | 1ul << (int)bit);

    /// <summary>The float whose key is held in the bits of <paramref name="key"/> (a NaN for the keys above +inf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Value(float key)
    {
        uint k = BitConverter.SingleToUInt32Bits(key);
        return BitConverter.UInt32BitsToSingle((k & 0x80000000u) != 0 ? k & 0x7FFFFFFFu : ~k);
    }

    /// <summary>The double whose key is held in the bits of <paramref name="key"/> (a NaN for the keys above +inf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Value(double key)
    {
        ulong k = BitConverter.DoubleToUInt64Bits(key);
        return BitConverter.UInt64BitsToDouble((k & 0x8000000000000000ul) != 0 ? k & 0x7FFFFFFFFFFFFFFFul : ~k);
    }
}
