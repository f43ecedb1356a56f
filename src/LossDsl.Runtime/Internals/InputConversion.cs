using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LossDsl.Numerics;

namespace LossDsl.Internals;

/// <summary>
/// The conversions of tensors whose element type is not the kernel's (docs/language.md §2.1): Half and BFloat16 inputs
/// read into float, gradients written back to Half or BFloat16 (rounded to nearest even), long labels narrowed to int
/// with a check. One pass over the elements on the calling thread. Generated code calls it; it is not meant to be
/// called directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class InputConversion
{
    /// <summary>Converts Half values to float (exact).</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        destination = destination.Slice(0, source.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = (float)source[i];
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
        destination = destination.Slice(0, source.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = (Half)source[i];
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
