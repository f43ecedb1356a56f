using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// The device memory of generated GPU methods beyond their inputs and gradients (the reductions' partials and
/// results, the plan's scratch buffers, the loss), one growing buffer per <see cref="AcceleratorStream"/>: calls on a
/// stream run in its order, so the next call may reuse the memory as soon as it is enqueued. Calls on one stream must
/// not be made from two threads at once (as with the stream itself). Infrastructure for generated code; not a public
/// API; may change without notice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class GpuScratch
{
    private static readonly ConditionalWeakTable<AcceleratorStream, GpuScratch> s_streams = new();
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

    private GpuScratch() { }

    /// <summary>At least <paramref name="floats"/> floats of device memory for a call on <paramref name="stream"/>.</summary>
    public static ArrayView<float> Rent(AcceleratorStream stream, long floats)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var scratch = s_streams.GetValue(stream, _ => new GpuScratch());
        floats = Math.Max(1L, floats);
        // The generated methods add the buffers' sizes with saturation (LossDsl.Internals.Sizes): a total that does not
        // fit in a long, or whose bytes do not, is more memory than any device has.
        if (floats > long.MaxValue / sizeof(float))
            throw new OutOfMemoryException($"The call needs {LossDsl.Internals.Sizes.Text(floats)} floats of device memory beyond its inputs, more than a device can hold.");
        if (scratch._buffer is null || scratch._buffer.Length < floats)
        {
            // Work already enqueued may still read the old buffer.
            if (scratch._buffer is not null)
            {
                stream.Synchronize();
                scratch._buffer.Dispose();
            }
            long capacity = Math.Max(floats, scratch._buffer is null ? 0 : 2 * scratch._buffer.Length);
            scratch._buffer = stream.Accelerator.Allocate1D<float>(capacity);
        }
        return scratch._buffer.View.SubView(0, floats);
    }
}
