using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Catalog;

/// <summary>
/// Every loss of the LossDsl.Losses library against PyTorch: the fixtures of tests/reference/fixtures hold the loss and
/// input gradients PyTorch autograd computed in float64 on seeded inputs (tests/reference/make_fixtures.py; .ci/run
/// checks that regenerating them reproduces the committed files). The float32 kernels must match within the
/// fixture's tolerance (1e-4 relative unless a case states otherwise): the loss within <c>tol·|loss|</c> (plus 1e-9),
/// every gradient element within <c>tol·(|g| + 1e-3·max|g|)</c> (relative, with a floor at a thousandth of the
/// gradient's largest element, where float32 cancellation makes a relative error meaningless), and for sampled
/// gradients also their sum within <c>tol·Σ|g|</c> and the sum of absolute values and of squares within <c>tol</c>
/// relative (the GPU kernels, run on ILGPU's CPU accelerator for the small cases, within twice that). Each kernel is called twice (the second time into gradients filled with 0 instead of NaN) and must return
/// the same bits, and the forward-only overload must return the same loss.
/// </summary>
public class CatalogFixtureTests
{
    public static IEnumerable<object[]> Fixtures() => CatalogFixture.All.Keys.Select(k => new object[] { k });

    /// <summary>
    /// One fixture per library method for its GPU kernels: the largest small enough for ILGPU's CPU accelerator (which
    /// runs a warp's threads one by one; every fixture of that size took 29 minutes of test time, most of the suite),
    /// at most <see cref="GpuFixtureElements"/> input elements. The GPU kernels' agreement with the CPU kernels at many
    /// sizes is GpuKernelTests' job.
    /// </summary>
    public static IEnumerable<object[]> GpuFixtures() => CatalogFixture.All.Values
        .Where(f => f.Inputs.Sum(i => (long)i.Length) <= GpuFixtureElements)
        .GroupBy(f => f.Method, StringComparer.Ordinal)
        .Select(g => g.OrderByDescending(f => f.Inputs.Sum(i => (long)i.Length)).ThenBy(f => f.Id, StringComparer.Ordinal).First())
        .OrderBy(f => f.Id, StringComparer.Ordinal)
        .Select(f => new object[] { f.Id });

    /// <summary>
    /// The most input elements of a GPU fixture. At 8192, the largest fixtures of 25 methods took 9.6 minutes of test time
    /// between them in a full-suite run beside builds (a pair space's two radix selections, P31 at 130 x 50 x 12, alone 6.6
    /// minutes); at 2048 each of those methods runs a fixture of 18 to 1,337 elements, still with ragged warps.
    /// </summary>
    public const int GpuFixtureElements = 2048;

    [Fact]
    public void EveryLibraryLossHasAFixtureOrAStatedReason()
    {
        var covered = CatalogFixture.All.Values.Select(f => f.Method).ToHashSet(StringComparer.Ordinal);
        var missing = CatalogLibrary.Methods()
            .Where(m => !covered.Contains(m.DeclaringType!.Name + "." + m.Name) && CatalogLibrary.NoFixtureReason(m) is null)
            .Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();
        Assert.True(missing.Count == 0, "library losses without a PyTorch fixture (add a case to tests/reference/cases_*.py, "
            + "or state why in a <para><b>Not checked against PyTorch</b>: …</para> of the XML doc): " + string.Join(", ", missing));
        Assert.NotEmpty(CatalogFixture.All);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CpuKernelMatchesPyTorch(string id)
    {
        var fixture = CatalogFixture.All[id];
        var method = fixture.FindMethod();
        var invoker = LossInvoker.For(method);

        var first = new Dictionary<string, float[]>();
        float loss = invoker.Invoke(fixture.Arguments(method, first, float.NaN));
        var second = new Dictionary<string, float[]>();
        float again = invoker.Invoke(fixture.Arguments(method, second, 0f));
        Assert.True(BitConverter.SingleToInt32Bits(loss) == BitConverter.SingleToInt32Bits(again), $"{id}: second call gave {again:R}, first {loss:R}");
        foreach (var (name, g) in first)
            Assert.True(g.AsSpan().SequenceEqual(second[name]), $"{id}: {name} differs between two calls on the same inputs");

        // The forward-only overload: the parameters without the gradients (output spans stay).
        var forwardParameters = method.GetParameters().Where(p => !fixture.Gradients.ContainsKey(p.Name!)).Select(p => p.ParameterType).ToList();
        var forwardOnly = LossInvoker.FindOverload(method.DeclaringType!, method.Name, ps => ps.Select(p => p.ParameterType).SequenceEqual(forwardParameters));
        var forwardArgs = fixture.Arguments(forwardOnly, new Dictionary<string, float[]>());
        float forward = LossInvoker.For(forwardOnly).Invoke(forwardArgs);
        Assert.True(Math.Abs(forward - loss) <= 1e-6 * Math.Abs(loss) + 1e-12, $"{id}: the forward-only overload gave {forward:R}, the fused kernel {loss:R}");

        double worst = Compare(fixture, loss, first, "CPU");
        CatalogReport.Record(fixture, "cpu", worst);
    }

    [Theory]
    [MemberData(nameof(GpuFixtures))]
    public void GpuKernelOnTheCpuAcceleratorMatchesPyTorch(string id)
    {
        var fixture = CatalogFixture.All[id];
        var method = fixture.FindMethod();
        using var context = LossDsl.Gpu.LossGpu.CreateContext(b => b.CPU(CPUDevice.Nvidia));
        using var accelerator = context.CreateCPUAccelerator(0);
        using var stream = accelerator.CreateStream();
        var gpu = GpuOverload(method);
        var gradients = new Dictionary<string, float[]>();
        var cpuArgs = fixture.Arguments(method, gradients);
        var buffers = new List<MemoryBuffer>();
        try
        {
            var args = new List<object> { stream };
            var views = new Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>>();
            var ps = method.GetParameters();
            for (int k = 0; k < ps.Length; k++)
            {
                switch (cpuArgs[k])
                {
                    case float[] floats:
                    {
                        var b = accelerator.Allocate1D<float>(Math.Max(1, floats.Length));
                        buffers.Add(b);
                        if (ps[k].ParameterType == typeof(Span<float>)) { b.MemSet(0xFF); views[ps[k].Name!] = b; }
                        else if (floats.Length > 0) b.View.SubView(0, floats.Length).CopyFromCPU(floats);
                        args.Add((ArrayView<float>)b.View.SubView(0, floats.Length));
                        break;
                    }
                    case int[] ints:
                    {
                        var b = accelerator.Allocate1D<int>(Math.Max(1, ints.Length));
                        buffers.Add(b);
                        if (ints.Length > 0) b.View.SubView(0, ints.Length).CopyFromCPU(ints);
                        args.Add((ArrayView<int>)b.View.SubView(0, ints.Length));
                        break;
                    }
                    default:
                        args.Add(cpuArgs[k]);
                        break;
                }
            }
            float loss = (float)gpu.Invoke(null, args.ToArray())!;
            var results = views.ToDictionary(kv => kv.Key, kv => kv.Value.GetAsArray1D()[..gradients[kv.Key].Length]);
            // The GPU kernels sum in another order (a warp's butterfly, a group's tree): twice the CPU tolerance, as
            // GpuKernelTests allows against the CPU kernels. Measured: at most 1.6e-4, on a cancelling gradient element of
            // the Cauchy-Schwarz divergence (P32) 200 times smaller than the largest.
            double worst = Compare(fixture, loss, results, "GPU (CPU accelerator)", toleranceFactor: 2);
            CatalogReport.Record(fixture, "gpu-cpu-accelerator", worst);
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    private static MethodInfo GpuOverload(MethodInfo cpu)
    {
        var expected = new List<Type> { typeof(AcceleratorStream) };
        expected.AddRange(cpu.GetParameters().Select(p =>
            p.ParameterType == typeof(ReadOnlySpan<float>) || p.ParameterType == typeof(Span<float>) ? typeof(ArrayView<float>)
            : p.ParameterType == typeof(ReadOnlySpan<int>) ? typeof(ArrayView<int>) : p.ParameterType));
        return cpu.DeclaringType!.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == cpu.Name && m.GetParameters().Select(p => p.ParameterType).SequenceEqual(expected));
    }

    /// <summary>Asserts the loss and gradients against the fixture; returns the worst relative error (the measure of the class remarks).</summary>
    internal static double Compare(CatalogFixture fixture, float loss, Dictionary<string, float[]> gradients, string what, double toleranceFactor = 1)
    {
        double tol = fixture.Tolerance * toleranceFactor, worst = 0;
        string id = fixture.Id;
        double lossError = Math.Abs(loss - fixture.Loss) / (Math.Abs(fixture.Loss) + 1e-9);
        Assert.True(!double.IsNaN(lossError) && lossError <= tol || loss.Equals((float)fixture.Loss),
            $"{id} ({what}): loss {loss:R}, PyTorch {fixture.Loss:R} (relative error {lossError:E2} > {tol:E0})");
        if (!double.IsNaN(lossError)) worst = lossError;
        foreach (var (name, expected) in fixture.Gradients.Concat(fixture.Outputs))
        {
            Assert.True(gradients.TryGetValue(name, out var actual), $"{id}: the method has no gradient or output '{name}'");
            Assert.Equal(expected.Length, actual!.Length);
            double max = expected.Values.Max(v => Math.Abs(v));
            for (int k = 0; k < expected.Values.Length; k++)
            {
                int e = expected.Indices is null ? k : expected.Indices[k];
                double b = expected.Values[k], a = actual[e];
                double err = Math.Abs(a - b) / (Math.Abs(b) + 1e-3 * max + 1e-30);
                Assert.True(err <= tol, $"{id} ({what}): {name}[{e}] = {a:R}, PyTorch {b:R} (relative error {err:E2} > {tol:E0}; largest |g| {max:E2})");
                worst = Math.Max(worst, err);
            }
            if (expected.Indices is not null)
            {
                double sum = 0, sumAbs = 0, sumSquares = 0;
                foreach (float v in actual) { sum += v; sumAbs += Math.Abs(v); sumSquares += (double)v * v; }
                double eSum = Math.Abs(sum - expected.Sum!.Value) / (expected.SumAbs!.Value + 1e-30);
                double eAbs = Math.Abs(sumAbs - expected.SumAbs.Value) / (expected.SumAbs.Value + 1e-30);
                double eSq = Math.Abs(sumSquares - expected.SumSquares!.Value) / (expected.SumSquares.Value + 1e-30);
                Assert.True(eSum <= tol && eAbs <= tol && eSq <= 2 * tol,
                    $"{id} ({what}): {name} sums {sum:R} / {sumAbs:R} / {sumSquares:R}, PyTorch {expected.Sum:R} / {expected.SumAbs:R} / {expected.SumSquares:R}");
                worst = Math.Max(worst, Math.Max(eSum, eAbs));
            }
        }
        return worst;
    }
}

/// <summary>The [GeneratedLoss] methods of the LossDsl.Losses library.</summary>
public static class CatalogLibrary
{
    public static IEnumerable<MethodInfo> Methods() => typeof(LossDsl.Losses.Elementwise).Assembly.GetTypes()
        .Where(t => t.IsPublic && t.Namespace == "LossDsl.Losses")
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(m => m.GetCustomAttributesData().Any(a => a.AttributeType.Name == "GeneratedLossAttribute"))
        .OrderBy(m => m.DeclaringType!.Name, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>
    /// The reason a library loss has no PyTorch fixture, from its XML documentation
    /// (<c>&lt;para&gt;&lt;b&gt;Not checked against PyTorch&lt;/b&gt;: reason&lt;/para&gt;</c>), or null.
    /// </summary>
    public static string? NoFixtureReason(MethodInfo m)
    {
        var xml = s_documentation.Value;
        var name = "M:" + m.DeclaringType!.FullName + "." + m.Name + "(";
        var member = xml.Descendants("member").FirstOrDefault(e => ((string?)e.Attribute("name"))?.StartsWith(name, StringComparison.Ordinal) == true
            && e.Value.Contains("Not checked against PyTorch", StringComparison.Ordinal));
        return member?.Value;
    }

    private static readonly Lazy<System.Xml.Linq.XDocument> s_documentation = new(() =>
        System.Xml.Linq.XDocument.Load(Path.ChangeExtension(typeof(LossDsl.Losses.Elementwise).Assembly.Location, ".xml")));
}

/// <summary>
/// Writes the worst relative error of each fixture run to <c>catalog-report/*.tsv</c> beside the test assembly, which
/// docs/losses.md quotes (tests/reference/report.py gathers them into the table's column).
/// </summary>
public static class CatalogReport
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "catalog-report");

    public static void Record(CatalogFixture fixture, string target, double worst)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, $"{fixture.Id}.{target}.tsv"),
            string.Join("\t", fixture.Id, fixture.Entry, fixture.Method, target, worst.ToString("E2", System.Globalization.CultureInfo.InvariantCulture)) + "\n");
    }
}
