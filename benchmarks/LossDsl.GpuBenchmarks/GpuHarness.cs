using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ILGPU.Runtime;

namespace LossDsl.GpuBenchmarks;

/// <summary>What to run: the cases, how many timed samples, and where to write the results.</summary>
public sealed record HarnessOptions(IReadOnlyList<GpuCase> Cases, int Samples, int Warmup, double MinSampleMs, long CopyBytes);

/// <summary>One case's measurement.</summary>
public sealed record CaseResult(string Name, string Title, double FirstCallMs, double MedianMs, double MinMs, int CallsPerSample,
    long MinimalBytes, double GBPerSecond, double PercentOfCopy, CheckResult Check);

/// <summary>The run: the device, its copy bandwidth and every case.</summary>
public sealed record HarnessReport(string Device, string AcceleratorType, double CopyGBPerSecond, long CopyBytes, IReadOnlyList<CaseResult> Cases);

/// <summary>
/// Times forward + backward of each case on one accelerator: a first call (kernel compilation included), warm-up,
/// then <see cref="HarnessOptions.Samples"/> samples, each the mean of enough back-to-back calls to last
/// <see cref="HarnessOptions.MinSampleMs"/> with one stream synchronization at its end; the median and the minimum of
/// the samples, the effective bandwidth over the minimal bytes, and its percentage of a device-to-device copy timed
/// the same way in the same run. Each case is also checked against the CPU kernel on the same inputs.
/// </summary>
public static class GpuHarness
{
    public static HarnessReport Run(Accelerator accelerator, HarnessOptions options, TextWriter log)
    {
        using var stream = accelerator.CreateStream();
        double copy = CopyBandwidth(accelerator, stream, options, log);
        var results = new List<CaseResult>();
        foreach (var c in options.Cases)
        {
            log.WriteLine($"{c.Name}: {c.Title}: allocating");
            using var buffers = c.Setup(accelerator);
            var watch = Stopwatch.StartNew();
            float loss = buffers.Host(stream);
            double first = watch.Elapsed.TotalMilliseconds;
            var check = buffers.Check(loss);
            log.WriteLine($"{c.Name}: first call {first:F1} ms; loss {loss:R} (CPU kernel {check.CpuLoss:R}); gradient error {check.GradientError:E2}: {(check.Passed ? "ok" : "MISMATCH")}");
            var (median, min, calls) = Time(() => buffers.Enqueue(stream), stream, options);
            double gbs = buffers.MinimalBytes / (median * 1e-3) / 1e9;
            results.Add(new CaseResult(c.Name, c.Title, first, median, min, calls, buffers.MinimalBytes, gbs, 100 * gbs / copy, check));
            log.WriteLine($"{c.Name}: median {median:F4} ms (min {min:F4}, {calls} calls per sample), {gbs:F0} GB/s, {100 * gbs / copy:F0}% of a copy");
        }
        return new HarnessReport(accelerator.Name, accelerator.AcceleratorType.ToString(), copy, options.CopyBytes, results);
    }

    /// <summary>GB/s of a device-to-device copy (bytes read plus bytes written), timed like the cases.</summary>
    private static double CopyBandwidth(Accelerator accelerator, AcceleratorStream stream, HarnessOptions options, TextWriter log)
    {
        long n = options.CopyBytes / sizeof(float);
        using var source = accelerator.Allocate1D<float>(n);
        using var target = accelerator.Allocate1D<float>(n);
        source.MemSetToZero(stream);
        var (median, _, _) = Time(() => source.View.CopyTo(stream, target.View), stream, options);
        double gbs = 2.0 * n * sizeof(float) / (median * 1e-3) / 1e9;
        log.WriteLine($"copy of {n * sizeof(float) >> 20} MiB: median {median:F4} ms, {gbs:F0} GB/s (read + write)");
        return gbs;
    }

    private static (double Median, double Min, int Calls) Time(Action call, AcceleratorStream stream, HarnessOptions options)
    {
        for (int w = 0; w < options.Warmup; w++) call();
        stream.Synchronize();
        // Calls per sample: enough that one synchronization is a small part of a sample.
        var probe = Stopwatch.StartNew();
        call();
        stream.Synchronize();
        double once = Math.Max(1e-3, probe.Elapsed.TotalMilliseconds);
        int calls = (int)Math.Clamp(Math.Ceiling(options.MinSampleMs / once), 1, 1000);
        var samples = new double[options.Samples];
        for (int s = 0; s < samples.Length; s++)
        {
            var watch = Stopwatch.StartNew();
            for (int k = 0; k < calls; k++) call();
            stream.Synchronize();
            samples[s] = watch.Elapsed.TotalMilliseconds / calls;
        }
        Array.Sort(samples);
        double median = samples.Length % 2 == 1 ? samples[samples.Length / 2] : 0.5 * (samples[samples.Length / 2 - 1] + samples[samples.Length / 2]);
        return (median, samples[0], calls);
    }

    /// <summary>The results as a Markdown table.</summary>
    public static string Table(HarnessReport report)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"LossDsl on {report.Device} ({report.AcceleratorType}); copy {report.CopyGBPerSecond:F0} GB/s ({report.CopyBytes >> 20} MiB, read + write)");
        text.AppendLine();
        text.AppendLine("| case | first call ms | median ms | min ms | GB/s | % of copy | check |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in report.Cases)
            text.AppendLine(inv, $"| {r.Title} | {r.FirstCallMs:F1} | {r.MedianMs:F4} | {r.MinMs:F4} | {r.GBPerSecond:F1} | {r.PercentOfCopy:F1}% | " +
                $"{(r.Check.Passed ? "ok" : "MISMATCH")} (loss {r.Check.LossError:E1}, grad {r.Check.GradientError:E1}) |");
        return text.ToString();
    }

    /// <summary>The results as JSON (read by benchmarks/peers/gpu_table.py).</summary>
    public static string Json(HarnessReport report) => JsonSerializer.Serialize(new
    {
        device = report.Device,
        accelerator = report.AcceleratorType,
        copy_gbps = report.CopyGBPerSecond,
        cases = report.Cases.Select(r => new
        {
            name = r.Name,
            title = r.Title,
            first_call_ms = r.FirstCallMs,
            median_ms = r.MedianMs,
            min_ms = r.MinMs,
            minimal_bytes = r.MinimalBytes,
            gbps = r.GBPerSecond,
            percent_of_copy = r.PercentOfCopy,
            check_passed = r.Check.Passed,
            loss_error = r.Check.LossError,
            gradient_error = r.Check.GradientError,
        }),
    }, new JsonSerializerOptions { WriteIndented = true });
}
