using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LossDsl.Numerics;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The conversions of tensors whose element type is not the kernel's (docs/language.md §2.1): Half and BFloat16 inputs
/// read into float, gradients written back to Half or BFloat16 (rounded to nearest even), long labels narrowed to int
/// with a check. One pass over the elements on the calling thread.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class InputConversion
{
    /// <summary>Converts Half values to float (exact).</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        var bits = MemoryMarshal.Cast<Half, ushort>(source);
        var target = MemoryMarshal.Cast<float, uint>(destination.Slice(0, source.Length));
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<ushort>.Count <= bits.Length; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.Create(bits.Slice(i, Vector128<ushort>.Count)));
                HalfToSingle(lower).CopyTo(target.Slice(i));
                HalfToSingle(upper).CopyTo(target.Slice(i + Vector128<uint>.Count));
            }
        }
        for (; i < bits.Length; i++) target[i] = BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf(bits[i]));
    }

    /// <summary>
    /// The bits of the floats equal to the Half values whose bits are in the low half of each lane: the exponent
    /// rebiased, infinities and NaNs kept, subnormals normalized through a subtraction of floats (exact).
    /// </summary>
    private static Vector128<uint> HalfToSingle(Vector128<uint> half)
    {
        var sign = Vector128.ShiftLeft(half & Vector128.Create(0x8000u), 16);
        var bits = Vector128.ShiftLeft(half & Vector128.Create(0x7FFFu), 13);
        var exponent = bits & Vector128.Create(0x0F800000u);
        bits += Vector128.Create(0x38000000u); // (127 - 15) << 23
        bits += Vector128.Equals(exponent, Vector128.Create(0x0F800000u)) & Vector128.Create(0x38000000u); // infinity, NaN: the largest exponent
        var subnormal = (bits + Vector128.Create(0x00800000u)).AsSingle() - Vector128.Create(0x38800000u).AsSingle();
        bits = Vector128.ConditionalSelect(Vector128.Equals(exponent, Vector128<uint>.Zero), subnormal.AsUInt32(), bits);
        return bits | sign;
    }

    /// <summary>
    /// The bits of the Half values nearest (ties to even) to the floats with bits <paramref name="value"/>, in the low
    /// half of each lane (System.Half's conversion on vectors): values past the largest Half become infinite, NaN
    /// stays NaN (quiet, with its sign).
    /// </summary>
    private static Vector128<uint> SingleToHalf(Vector128<uint> value)
    {
        var sign = Vector128.ShiftRightLogical(value & Vector128.Create(0x80000000u), 16);
        var isNaN = Vector128.GreaterThan(value & Vector128.Create(0x7FFFFFFFu), Vector128.Create(0x7F800000u));
        var magnitude = Vector128.Min(Vector128.Create(65520f), (value & Vector128.Create(0x7FFFFFFFu)).AsSingle());
        // Adding 2^(e + 13) (at least 2^-1 times the smallest normal Half) rounds the mantissa to Half's precision.
        var offset = (Vector128.Max(magnitude, Vector128.Create(0x38800000u).AsSingle()).AsUInt32() & Vector128.Create(0x7F800000u)) + Vector128.Create(0x06800000u);
        var bits = (magnitude + offset.AsSingle()).AsUInt32();
        var exponent = Vector128.ShiftRightLogical((bits & Vector128.Create(0x7F800000u)) - Vector128.Create(0x3F000000u), 13);
        var half = bits + exponent;
        half &= Vector128.Create(0x7FFFu);
        half = Vector128.ConditionalSelect(isNaN, Vector128.Create(0x7E00u), half);
        return half | sign;
    }

    /// <summary>Converts BFloat16 values to float (exact: the bits shifted into the upper half).</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void ToSingle(ReadOnlySpan<BFloat16> source, Span<float> destination)
    {
        var bits = MemoryMarshal.Cast<BFloat16, ushort>(source);
        var target = MemoryMarshal.Cast<float, uint>(destination.Slice(0, source.Length));
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<ushort>.Count <= bits.Length; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.Create(bits.Slice(i, Vector128<ushort>.Count)));
                Vector128.ShiftLeft(lower, 16).CopyTo(target.Slice(i));
                Vector128.ShiftLeft(upper, 16).CopyTo(target.Slice(i + Vector128<uint>.Count));
            }
        }
        for (; i < bits.Length; i++) target[i] = (uint)bits[i] << 16;
    }

    /// <summary>Converts float values to Half, rounding to nearest even.</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void FromSingle(ReadOnlySpan<float> source, Span<Half> destination)
    {
        var bits = MemoryMarshal.Cast<float, uint>(source);
        var target = MemoryMarshal.Cast<Half, ushort>(destination.Slice(0, source.Length));
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<ushort>.Count <= bits.Length; i += Vector128<ushort>.Count)
            {
                var lower = SingleToHalf(Vector128.Create(bits.Slice(i, Vector128<uint>.Count)));
                var upper = SingleToHalf(Vector128.Create(bits.Slice(i + Vector128<uint>.Count, Vector128<uint>.Count)));
                Vector128.Narrow(lower, upper).CopyTo(target.Slice(i));
            }
        }
        for (; i < bits.Length; i++) target[i] = BitConverter.HalfToUInt16Bits((Half)BitConverter.UInt32BitsToSingle(bits[i]));
    }

    /// <summary>Converts float values to BFloat16, rounding to nearest even.</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void FromSingle(ReadOnlySpan<float> source, Span<BFloat16> destination)
    {
        var bits = MemoryMarshal.Cast<float, uint>(source);
        var target = MemoryMarshal.Cast<BFloat16, ushort>(destination.Slice(0, source.Length));
        for (int i = 0; i < bits.Length; i++) target[i] = BFloat16.Round(bits[i]);
    }

    /// <summary>Narrows long labels to int.</summary>
    /// <param name="source">The labels.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    /// <param name="parameterName">The parameter the labels came from, for the exception.</param>
    /// <exception cref="ArgumentException">A label is outside the range of int.</exception>
    public static void ToInt32(ReadOnlySpan<long> source, Span<int> destination, string parameterName)
    {
        destination = destination.Slice(0, source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            long value = source[i];
            if (value < int.MinValue || value > int.MaxValue)
                throw new ArgumentException($"'{parameterName}[{i}]' is {value}, outside the range of int; long labels are read as int.", parameterName);
            destination[i] = (int)value;
        }
    }
}
