using System;
using System.ComponentModel;
using ILGPU;
using ILGPU.Runtime;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// The run-time checks of generated GPU methods: views on the stream's accelerator, lengths an <c>int</c> extent can
/// hold, gradients and outputs that share memory with nothing else, 32-lane warps. Each failure is an exception that names the
/// parameter. Infrastructure for generated code; not a public API; may change without notice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GpuChecks
{
    /// <summary>Checks the accelerator of the stream: its warps must have 32 lanes.</summary>
    public static void Stream(AcceleratorStream stream, string name)
    {
        if (stream is null) throw new ArgumentNullException(name);
        if (stream.Accelerator.WarpSize != GpuReduce.WarpSize)
            throw new NotSupportedException(
                $"LossDsl GPU kernels need warps of 32 lanes; {stream.Accelerator.Name} has {stream.Accelerator.WarpSize}. " +
                "Use CUDA, or ILGPU's CPU accelerator created with CPUDevice.Nvidia.");
    }

    /// <summary>The view's length as an int, after checking that it lives on the stream's accelerator.</summary>
    public static int Length<T>(ArrayView<T> view, AcceleratorStream stream, string name) where T : unmanaged
    {
        if (view.Length > 0 && view.GetAccelerator() != stream.Accelerator)
            throw new ArgumentException($"The view '{name}' is on {view.GetAccelerator().Name}, not on the stream's accelerator {stream.Accelerator.Name}.", name);
        if (view.Length > int.MaxValue)
            throw new ArgumentException($"The view '{name}' has {view.Length} elements; LossDsl extents are ints (at most {int.MaxValue}).", name);
        return (int)view.Length;
    }

    /// <summary>True when two views share memory (of any element types: their byte ranges are compared).</summary>
    public static bool Overlaps<TA, TB>(ArrayView<TA> a, ArrayView<TB> b) where TA : unmanaged where TB : unmanaged
    {
        if (a.Length == 0 || b.Length == 0 || a.GetAccelerator() != b.GetAccelerator()) return false;
        long pa = a.LoadEffectiveAddressAsPtr().ToInt64(), pb = b.LoadEffectiveAddressAsPtr().ToInt64();
        long sa = System.Runtime.CompilerServices.Unsafe.SizeOf<TA>(), sb = System.Runtime.CompilerServices.Unsafe.SizeOf<TB>();
        return pa < pb + b.Length * sb && pb < pa + a.Length * sa;
    }
}
