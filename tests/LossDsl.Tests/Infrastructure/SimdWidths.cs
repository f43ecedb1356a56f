using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Simd;

namespace LossDsl.Tests.Infrastructure;

/// <summary>The SIMD widths this machine runs, and a scope that makes the generated kernels use one of them.</summary>
public static class SimdWidths
{
    /// <summary>512, 256, 128 and 1 (scalar), those this machine supports.</summary>
    public static int[] Supported { get; } = new[] { 512, 256, 128, 1 }.Where(SimdDispatch.IsSupported).ToArray();

    /// <summary><see cref="Supported"/> as xunit member data.</summary>
    public static IEnumerable<object[]> Data() => Supported.Select(w => new object[] { w });

    /// <summary>Sets <see cref="SimdDispatch.ForcedWidth"/> until the returned scope is disposed. Tests that use it
    /// belong to the "LossParallel" collection, which runs alone.</summary>
    public static IDisposable Force(int width)
    {
        var saved = SimdDispatch.ForcedWidth;
        SimdDispatch.ForcedWidth = width;
        return new Restore(saved);
    }

    private sealed class Restore : IDisposable
    {
        private readonly int? _saved;
        public Restore(int? saved) => _saved = saved;
        public void Dispose() => SimdDispatch.ForcedWidth = _saved;
    }
}
