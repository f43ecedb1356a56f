using System.IO;
using System.Linq;
using System.Text.Json;
using LossDsl.GpuBenchmarks;
using Xunit;

namespace LossDsl.Tests.Gpu;

/// <summary>
/// The GPU harness (benchmarks/LossDsl.GpuBenchmarks) at its small sizes on ILGPU's CPU accelerator: every case it
/// times on the GPU machine is set up, checked against the CPU kernel and timed here too, so that the prepared device
/// script does not meet its first bug on the device's clock.
/// </summary>
[Collection("Gpu")]
public class GpuHarnessTests
{
    private readonly GpuFixture _gpu;

    public GpuHarnessTests(GpuFixture gpu) => _gpu = gpu;

    [Fact]
    public void EveryCaseRunsAndMatchesTheCpuKernelOnTheCpuAccelerator()
    {
        var cases = GpuCases.All(small: true);
        Assert.Equal(new[] { "bce", "focal", "huber", "ce", "zloss", "dice", "siglip", "clip" }, cases.Select(c => c.Name));
        // CLIP's untiled pair space takes seconds on the CPU accelerator: the other pair space (SigLIP) stands for it here.
        var options = new HarnessOptions(cases.Where(c => c.Name != "clip").ToArray(), Samples: 1, Warmup: 0, MinSampleMs: 0, CopyBytes: 1 << 20);
        var report = GpuHarness.Run(_gpu.Cpu, options, TextWriter.Null);

        Assert.Equal(options.Cases.Count, report.Cases.Count);
        foreach (var r in report.Cases)
        {
            Assert.True(r.Check.Passed, $"{r.Name}: loss error {r.Check.LossError:E2}, gradient error {r.Check.GradientError:E2}");
            Assert.True(r.MedianMs > 0 && r.MinimalBytes > 0 && r.GBPerSecond > 0, r.Name);
        }
        string table = GpuHarness.Table(report);
        foreach (var c in options.Cases) Assert.Contains("| " + c.Title + " |", table);
        using var json = JsonDocument.Parse(GpuHarness.Json(report));
        Assert.Equal(options.Cases.Count, json.RootElement.GetProperty("cases").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("copy_gbps").GetDouble() > 0);
    }
}
