using System;
using ILGPU;
using ILGPU.Runtime;
using LossDsl.Gpu.Internals;

namespace LossDsl.Gpu;

/// <summary>
/// Settings and helpers of the GPU methods that the LossDsl generator adds to every <c>[GeneratedLoss]</c> method of a
/// project that references LossDsl.Gpu: <c>Name(stream, views..., hyperparameters)</c> (the loss as a host float; it
/// waits for the stream) and <c>NameToDevice(stream, views..., loss, ...)</c> (the loss written to a device view; it only
/// enqueues). See docs/gpu.md.
/// </summary>
public static class LossGpu
{
    /// <summary>
    /// When true (the default), each kernel is compiled in a private ILGPU context before it is compiled in the user's:
    /// a kernel that cannot compile then fails with a <see cref="GpuKernelException"/> and the user's context stays
    /// usable (ILGPU leaves a context broken after a failed compilation). It doubles the one-time compile cost of each
    /// kernel; set it to false once the kernels of an application are known to compile.
    /// </summary>
    public static bool ValidateKernels { get; set; } = true;

    /// <summary>
    /// An ILGPU context set up as LossDsl's kernels need: ILGPU.Algorithms' math enabled, optimization level O1, and
    /// the accelerators <paramref name="configure"/> adds (for example <c>b =&gt; b.Cuda()</c>, or
    /// <c>b =&gt; b.CPU(CPUDevice.Nvidia)</c> for ILGPU's CPU accelerator with 32-lane warps).
    /// </summary>
    public static Context CreateContext(Action<Context.Builder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Context.Create(b =>
        {
            configure(b);
            b.EnableAlgorithms().Optimize(OptimizationLevel.O1);
        });
    }

    /// <summary>Drops the kernels compiled for <paramref name="accelerator"/> (they are also dropped when it is collected).</summary>
    public static void ForgetKernels(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        GpuKernels.Forget(accelerator);
    }
}

/// <summary>A generated GPU kernel could not be compiled for an accelerator.</summary>
public sealed class GpuKernelException : Exception
{
    /// <summary>Creates the exception with its message and the compiler's exception.</summary>
    public GpuKernelException(string message, Exception inner) : base(message, inner) { }
}
