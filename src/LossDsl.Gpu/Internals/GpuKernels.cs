using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace LossDsl.Gpu.Internals;

/// <summary>
/// Loads the kernels of generated GPU methods, once per accelerator: the first call of a kernel on an accelerator
/// compiles it (ILGPU's IL → PTX, then the driver's PTX → SASS on CUDA) and keeps the launcher for the accelerator's
/// lifetime. Before a kernel is compiled in the user's <see cref="Context"/>, it is compiled in a private context of the
/// same kind (<see cref="LossGpu.ValidateKernels"/>): ILGPU leaves a context unusable after a failed compilation, so a
/// kernel that cannot compile fails there, with an exception that names it, and the user's context stays intact.
/// Infrastructure for generated code; not a public API; may change without notice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GpuKernels
{
    private static readonly ConditionalWeakTable<Accelerator, ConcurrentDictionary<MethodInfo, Delegate>> s_loaded = new();
    private static readonly object s_validationLock = new();
    private static readonly ConcurrentDictionary<MethodInfo, bool> s_validated = new();
    private static Validator? s_cpuValidator, s_cudaValidator;

    /// <summary>The launcher of an explicitly grouped kernel with one argument struct, compiled for <paramref name="accelerator"/>.</summary>
    /// <exception cref="GpuKernelException">The kernel cannot be compiled (the user's context is not touched).</exception>
    public static Action<AcceleratorStream, KernelConfig, TArgs> Load<TArgs>(Accelerator accelerator, Action<TArgs> kernel) where TArgs : struct
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(kernel);
        var loaded = s_loaded.GetValue(accelerator, _ => new ConcurrentDictionary<MethodInfo, Delegate>());
        var method = kernel.Method;
        if (loaded.TryGetValue(method, out var existing)) return (Action<AcceleratorStream, KernelConfig, TArgs>)existing;
        lock (loaded)
        {
            if (loaded.TryGetValue(method, out existing)) return (Action<AcceleratorStream, KernelConfig, TArgs>)existing;
            if (LossGpu.ValidateKernels) Validate(accelerator.AcceleratorType, method, kernel);
            Action<AcceleratorStream, KernelConfig, TArgs> launcher;
            try
            {
                launcher = accelerator.LoadKernel<TArgs>(kernel);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new GpuKernelException(
                    $"The LossDsl kernel {Describe(method)} did not compile on {accelerator.Name}: {e.Message} " +
                    "Create the ILGPU Context with EnableAlgorithms() (LossGpu.CreateContext does), as the kernels use ILGPU.Algorithms' math.", e);
            }
            loaded[method] = launcher;
            return launcher;
        }
    }

    /// <summary>Forgets the launchers loaded for an accelerator (they are also dropped with it).</summary>
    public static void Forget(Accelerator accelerator) => s_loaded.Remove(accelerator);

    private static void Validate<TArgs>(AcceleratorType type, MethodInfo method, Action<TArgs> kernel) where TArgs : struct
    {
        if (s_validated.ContainsKey(method)) return;
        lock (s_validationLock)
        {
            if (s_validated.ContainsKey(method)) return;
            ref Validator? slot = ref type == AcceleratorType.Cuda ? ref s_cudaValidator : ref s_cpuValidator;
            slot ??= Validator.Create(type);
            try
            {
                slot.Accelerator.LoadKernel<TArgs>(kernel);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The private context is now unusable: a fresh one serves the next kernel.
                slot.Dispose();
                slot = null;
                throw new GpuKernelException($"The LossDsl kernel {Describe(method)} does not compile for {type} accelerators: {e.Message}", e);
            }
            s_validated[method] = true;
        }
    }

    private static string Describe(MethodInfo method) => $"{method.DeclaringType?.FullName}.{method.Name}";

    /// <summary>A private context and accelerator that kernels are compiled in first.</summary>
    private sealed class Validator : IDisposable
    {
        private readonly Context _context;

        private Validator(Context context, Accelerator accelerator) { _context = context; Accelerator = accelerator; }

        public Accelerator Accelerator { get; }

        public static Validator Create(AcceleratorType type)
        {
            Context context = type switch
            {
                AcceleratorType.Cuda => Context.Create(b => b.Cuda().EnableAlgorithms()),
                AcceleratorType.OpenCL => Context.Create(b => b.OpenCL().EnableAlgorithms()),
                _ => Context.Create(b => b.CPU(CPUDevice.Nvidia).EnableAlgorithms()),
            };
            var device = context.Devices.FirstOrDefault(d => d.AcceleratorType == type)
                ?? throw new InvalidOperationException($"No {type} device to compile LossDsl kernels on.");
            return new Validator(context, device.CreateAccelerator(context));
        }

        public void Dispose()
        {
            Accelerator.Dispose();
            _context.Dispose();
        }
    }
}
