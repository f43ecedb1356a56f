using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace LossDsl.Tests.Gpu;

/// <summary>
/// A theory that runs only where ILGPU finds a CUDA device, and is reported as skipped (with the reason) elsewhere,
/// such as CI and the development machine, which have no GPU.
/// </summary>
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    private static readonly bool s_hasCuda = FindCuda();

    public CudaTheoryAttribute()
    {
        if (!s_hasCuda) Skip = "No CUDA device on this machine (ILGPU found none): the CUDA run did not happen.";
    }

    /// <summary>True when ILGPU sees a CUDA device.</summary>
    public static bool HasCuda => s_hasCuda;

    private static bool FindCuda()
    {
        using var context = Context.Create(b => b.Cuda());
        return context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
    }
}
