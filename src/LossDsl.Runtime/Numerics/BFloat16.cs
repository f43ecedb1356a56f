using System;
using System.Globalization;

namespace LossDsl.Numerics;

/// <summary>
/// A bfloat16 number: the upper 16 bits of a <see cref="float"/> (1 sign bit, 8 exponent bits, 7 mantissa bits), the
/// storage type of many training pipelines. .NET 10 has no BFloat16; loss methods take <c>ReadOnlySpan&lt;BFloat16&gt;</c>
/// inputs and <c>Span&lt;BFloat16&gt;</c> gradients of this type (read into float, gradients written back rounded to
/// nearest even). A span of any other 16-bit bfloat16 type with the same bits (System.Numerics.BFloat16 of .NET 11)
/// converts with <c>MemoryMarshal.Cast</c>.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    private readonly ushort _bits;

    private BFloat16(ushort bits) { _bits = bits; }

    /// <summary>The raw bits.</summary>
    public ushort Bits => _bits;

    /// <summary>The number with these raw bits.</summary>
    /// <param name="bits">The upper 16 bits of a float.</param>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>The float with the same value (exact).</summary>
    /// <param name="value">The number.</param>
    public static explicit operator float(BFloat16 value) => BitConverter.Int32BitsToSingle(value._bits << 16);

    /// <summary>The nearest bfloat16 (ties to even); NaN stays NaN, values past the largest finite one become infinite.</summary>
    /// <param name="value">The float to round.</param>
    public static explicit operator BFloat16(float value) => new(Round(BitConverter.SingleToUInt32Bits(value)));

    /// <summary>The bits of the nearest bfloat16 to the float with bits <paramref name="bits"/> (ties to even; NaN quiet).</summary>
    internal static ushort Round(uint bits)
    {
        if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((bits >> 16) | 0x0040u);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>True when both have the same bits.</summary>
    /// <param name="other">The other number.</param>
    public bool Equals(BFloat16 other) => _bits == other._bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bits;

    /// <summary>The value as a float, in the invariant culture.</summary>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);

    /// <summary>True when both have the same bits.</summary>
    /// <param name="left">A number.</param>
    /// <param name="right">Another number.</param>
    public static bool operator ==(BFloat16 left, BFloat16 right) => left.Equals(right);

    /// <summary>True when the bits differ.</summary>
    /// <param name="left">A number.</param>
    /// <param name="right">Another number.</param>
    public static bool operator !=(BFloat16 left, BFloat16 right) => !left.Equals(right);
}
