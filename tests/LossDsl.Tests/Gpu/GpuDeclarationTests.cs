using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LossDsl.Tests.Gpu;

/// <summary>
/// The GPU kernels take float and int spans only (docs/language.md §2.1.1): in a compilation that references
/// LossDsl.Gpu, a declaration of float tensors and int labels gets its GPU file and overloads, and a declaration with
/// double, Half, BFloat16 or long tensors, or with tensor spans (gradients and outputs included), compiles with its CPU
/// kernels and no GPU overload.
/// </summary>
public class GpuDeclarationTests
{
    private const string Source = """
        using System;
        using System.Numerics.Tensors;
        using LossDsl;
        using LossDsl.Numerics;

        namespace GpuTypes;

        public static partial class L
        {
            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])")]
            public static partial float CeFloat(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz);

            [GeneratedLoss("mean(bce_logits(x, y)) * alpha")]
            public static partial double BceFloatReturningDouble(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, double alpha = 1);

            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial double BceDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dx);

            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float BceHalf(ReadOnlySpan<Half> x, ReadOnlySpan<Half> y, Span<Half> dx);

            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float BceBFloat16(ReadOnlySpan<BFloat16> x, ReadOnlySpan<float> y, Span<BFloat16> dx);

            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])")]
            public static partial float CeLong(ReadOnlySpan<float> z, ReadOnlySpan<long> y, Span<float> dz);

            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])")]
            public static partial float CeTensor(ReadOnlyTensorSpan<float> z, ReadOnlySpan<int> y, TensorSpan<float> dz);

            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float BceTensorFlat(ReadOnlySpan<float> x, ReadOnlyTensorSpan<float> y);

            [GeneratedLoss("terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; mean[i](terms[i])")]
            public static partial float CeFloatTerms(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> terms);

            [GeneratedLoss("terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; mean[i](terms[i])")]
            public static partial float CeHalfTerms(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<Half> terms);

            [GeneratedLoss("terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; mean[i](terms[i])")]
            public static partial float CeTensorTerms(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, TensorSpan<float> terms);
        }
        """;

    /// <summary>The declarations whose parameters the GPU kernels take.</summary>
    private static readonly string[] s_onGpu = ["CeFloat", "BceFloatReturningDouble", "CeFloatTerms"];

    private static readonly string[] s_cpuOnly = ["BceDouble", "BceHalf", "BceBFloat16", "CeLong", "CeTensor", "BceTensorFlat", "CeHalfTerms", "CeTensorTerms"];

    /// <summary>The methods of <c>GpuTypes.L</c> named <paramref name="name"/> whose first parameter is an ILGPU stream.</summary>
    private static List<IMethodSymbol> GpuOverloads(Compilation compilation, string name)
    {
        var type = compilation.GetTypeByMetadataName("GpuTypes.L");
        Assert.NotNull(type);
        return type!.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.Name == name || m.Name == name + "ToDevice")
            .Where(m => m.Parameters.Length > 0 && m.Parameters[0].Type.ToDisplayString() == "ILGPU.Runtime.AcceleratorStream")
            .ToList();
    }

    [Fact]
    public void OnlyFloatAndIntSpanDeclarationsGetGpuOverloads()
    {
        var r = GeneratorHarness.Run(Source, gpu: true);
        Assert.True(!r.Errors.Any(), string.Join("\n", r.Errors));
        Assert.True(r.GeneratedHintNames.Length == s_onGpu.Length * 2 + s_cpuOnly.Length, string.Join("\n", r.GeneratedHintNames));
        foreach (string name in s_onGpu.Concat(s_cpuOnly))
            Assert.Single(r.GeneratedHintNames, h => h.StartsWith($"GpuTypes.L.{name}_", StringComparison.Ordinal) && h.EndsWith(".Loss.g.cs", StringComparison.Ordinal));

        foreach (string name in s_onGpu)
        {
            Assert.Single(r.GeneratedHintNames, h => h.StartsWith($"GpuTypes.L.{name}_", StringComparison.Ordinal) && h.EndsWith(".Gpu.g.cs", StringComparison.Ordinal));
            // Both declarations have gradients: Name(stream, ...) and NameToDevice(stream, loss, ...), with and without them.
            var overloads = GpuOverloads(r.Output, name);
            Assert.Equal(4, overloads.Count);
            Assert.All(overloads.Where(m => m.Name == name), m => Assert.Equal(name.StartsWith("Ce", StringComparison.Ordinal) ? SpecialType.System_Single : SpecialType.System_Double, m.ReturnType.SpecialType));
            Assert.All(overloads.SelectMany(m => m.Parameters).Where(p => p.Type.Name == "ArrayView"),
                p => Assert.Contains(((INamedTypeSymbol)p.Type).TypeArguments[0].SpecialType, new[] { SpecialType.System_Single, SpecialType.System_Int32 }));
        }
        foreach (string name in s_cpuOnly)
        {
            Assert.DoesNotContain(r.GeneratedHintNames, h => h.StartsWith($"GpuTypes.L.{name}_", StringComparison.Ordinal) && h.EndsWith(".Gpu.g.cs", StringComparison.Ordinal));
            Assert.Empty(GpuOverloads(r.Output, name));
            // The CPU method is there: the partial implementation.
            Assert.Contains(r.Output.GetTypeByMetadataName("GpuTypes.L")!.GetMembers(name).OfType<IMethodSymbol>(), m => m.PartialImplementationPart is not null);
        }
    }

    [Fact]
    public void WithoutLossDslGpuNoDeclarationGetsGpuOverloads()
    {
        var r = GeneratorHarness.Run(Source, gpu: false);
        Assert.True(!r.Errors.Any(), string.Join("\n", r.Errors));
        Assert.Equal(s_onGpu.Length + s_cpuOnly.Length, r.GeneratedHintNames.Length);
        Assert.All(r.GeneratedHintNames, h => Assert.EndsWith(".Loss.g.cs", h, StringComparison.Ordinal));
    }
}
