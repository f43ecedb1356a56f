using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LossDsl.Internals;

/// <summary>
/// Infrastructure for generated code; not a public API; may change without notice.
/// The pooled arrays of generated kernels (scratch buffers, packed panels, pair-pass tiles and online states, and the
/// buffers of converted tensors), from <see cref="ArrayPool{T}.Shared"/>: a rented array holds whatever an earlier
/// call left in it, so a kernel must write every element before it reads it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScratchPool
{
    /// <summary>
    /// Test hook: when set, every rented array is filled with all-ones bytes (NaN in float, double, Half and
    /// BFloat16, -1 in integers, NaN in both fields of an online state) before it is handed out, so that a kernel that
    /// reads scratch memory before writing it gives NaN instead of a stale value of an earlier call. Process-wide; the
    /// tests that set it run alone (the "LossParallel" collection).
    /// </summary>
    internal static bool PoisonRentals { get; set; }

    /// <summary>An array of at least <paramref name="minimumLength"/> elements from the shared pool (see <see cref="Return{T}"/>).</summary>
    public static T[] Rent<T>(int minimumLength) where T : struct
    {
        var array = ArrayPool<T>.Shared.Rent(minimumLength);
        if (PoisonRentals && !RuntimeHelpers.IsReferenceOrContainsReferences<T>()) MemoryMarshal.AsBytes(array.AsSpan()).Fill(0xFF);
        return array;
    }

    /// <summary>Gives an array from <see cref="Rent{T}"/> back to the shared pool.</summary>
    public static void Return<T>(T[] array) where T : struct => ArrayPool<T>.Shared.Return(array);
}
