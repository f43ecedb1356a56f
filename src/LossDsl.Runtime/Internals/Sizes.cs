using System;
using System.ComponentModel;
using System.Globalization;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The size arithmetic of the generated argument checks (docs/language.md §2.1.2): products of extents in 64 bits that
/// cannot wrap around. Extents are ints (at least 0), so a product of two fits in a long, but one of three or more may
/// not: <c>n * n * n</c> with n = 2^22 is 2^66, which wraps to 0 in plain long arithmetic and would let an empty tensor
/// pass its length check. A product that does not fit saturates to <see cref="long.MaxValue"/>: more elements than any
/// span or array holds, so every check that compares it with a length or with <see cref="Array.MaxLength"/> fails, as it
/// must.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Sizes
{
    /// <summary>The value of a size that did not fit in a long.</summary>
    public const long Overflow = long.MaxValue;

    /// <summary><paramref name="a"/> times <paramref name="b"/>, or <see cref="Overflow"/> when the product does not fit in a long.</summary>
    /// <param name="a">A size (at least 0), possibly <see cref="Overflow"/>.</param>
    /// <param name="b">A size (at least 0), possibly <see cref="Overflow"/>.</param>
    public static long Product(long a, long b)
    {
        if (a < 0 || b < 0) throw new ArgumentOutOfRangeException(a < 0 ? nameof(a) : nameof(b), "A size must not be negative.");
        if (a == 0 || b == 0) return 0;
        return a > Overflow / b ? Overflow : a * b;
    }

    /// <summary><paramref name="a"/> plus <paramref name="b"/>, or <see cref="Overflow"/> when the sum does not fit in a long.</summary>
    /// <param name="a">A size (at least 0), possibly <see cref="Overflow"/>.</param>
    /// <param name="b">A size (at least 0), possibly <see cref="Overflow"/>.</param>
    public static long Sum(long a, long b)
    {
        if (a < 0 || b < 0) throw new ArgumentOutOfRangeException(a < 0 ? nameof(a) : nameof(b), "A size must not be negative.");
        return a > Overflow - b ? Overflow : a + b;
    }

    /// <summary>A size for a message: its digits, or "more than 9223372036854775806" for <see cref="Overflow"/>.</summary>
    /// <param name="size">A size from <see cref="Product"/>.</param>
    public static string Text(long size) => size == Overflow
        ? "more than " + (Overflow - 1).ToString(CultureInfo.InvariantCulture)
        : size.ToString(CultureInfo.InvariantCulture);
}
