using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LossDsl.Samples;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// The pairwise losses of samples/LossDsl.Samples at the sizes of the pairwise issue, with the inputs of
/// benchmarks/peers/pairwise_peers.py (same shapes and scales; PyTorch's random numbers differ, which does not change
/// the work): InfoNCE, SigLIP and SupCon at M = 4096, D = 256; linear cross-entropy at N = 2048, D = 512, V = 32768;
/// ArcFace at N = 4096, C = 1000, D = 128. <c>divide</c> divides M, N, V and C for a quick run (the peers' --small is 4).
/// Each case returns one forward + backward call (loss and every gradient). Three elementwise and row cases of the same
/// harness put the classic losses side by side with PyTorch too: BCE with logits and the sigmoid focal loss at
/// N = 2^24, softmax cross-entropy at 4096 x 4096 (divided the same way).
/// </summary>
public static class PairwiseCases
{
    public static readonly string[] Keys = { "infonce", "siglip", "supcon", "linear", "arcface" };

    /// <summary>The elementwise and row cases (not in <see cref="Keys"/>: name them with --cases).</summary>
    public static readonly string[] ClassicKeys = { "bce", "focal", "ce", "centers", "cox", "lovasz", "neuralndcg", "cldice" };

    /// <summary>The case's name, as the peer script prints it, and a forward + backward call.</summary>
    public static (string Name, Func<float> Run) Create(string key, int divide = 1)
    {
        var rng = new Random(1);
        int m = 4096 / divide;
        switch (key)
        {
            case "infonce":
            {
                const int d = 256;
                var z = Normal(rng, m * d, 1);
                var pos = Enumerable.Range(0, m).Select(i => Math.Min(i ^ 1, m - 1)).ToArray();
                var dz = new float[z.Length];
                return ($"InfoNCE M={m} D={d}", () => MetricLosses.InfoNce(z, pos, dz, 0.1f));
            }
            case "siglip":
            {
                const int d = 256;
                var x = Normal(rng, m * d, 0.05);
                var y = Normal(rng, m * d, 0.05);
                float[] t = { 2.3f }, b = { -10f }, dt = new float[1], db = new float[1];
                var dx = new float[x.Length];
                var dy = new float[y.Length];
                return ($"SigLIP M={m} D={d}", () => PairwiseLosses.SigLip(x, y, t, b, dx, dy, dt, db, d));
            }
            case "supcon":
            {
                const int d = 256;
                var z = Normal(rng, m * d, 1);
                var labels = Labels(rng, m, 64);
                var dz = new float[z.Length];
                return ($"SupCon M={m} D={d}", () => PairwiseLosses.SupCon(z, labels, dz, 0.1f));
            }
            case "linear":
            {
                int n = 2048 / divide, v = 32768 / divide;
                const int d = 512;
                return LinearCrossEntropy(rng, n, d, v);
            }
            case "arcface":
            {
                int n = 4096 / divide, c = 1000 / divide;
                const int d = 128;
                var x = Normal(rng, n * d, 1);
                var w = Normal(rng, c * d, 1);
                var y = Labels(rng, n, c);
                var dx = new float[x.Length];
                var dw = new float[w.Length];
                return ($"ArcFace N={n} C={c} D={d}", () => PairwiseLosses.ArcFace(x, w, y, dx, dw));
            }
            case "bce":
            case "focal":
            {
                int n = (1 << 24) / divide;
                var x = Normal(rng, n, 1);
                var y = Enumerable.Range(0, n).Select(_ => (float)rng.Next(2)).ToArray();
                var dx = new float[n];
                return key == "bce"
                    ? ($"BCE with logits N={n}", () => ClassicLosses.BceWithLogits(x, y, dx))
                    : ($"sigmoid focal N={n}", () => ClassicLosses.SigmoidFocal(x, y, dx));
            }
            case "ce":
            {
                int n = 4096 / divide;
                const int c = 4096;
                var z = Normal(rng, n * c, 2);
                var y = Labels(rng, n, c);
                var dz = new float[z.Length];
                return ($"softmax CE {n}x{c}", () => ClassicLosses.SoftmaxCrossEntropy(z, y, dz));
            }
            case "centers":
            {
                // A segment reduction (docs/language.md §6.9): class means of the batch, read at each row's label.
                int n = 16384 / divide;
                const int d = 128, k = 100;
                var x = Normal(rng, n * d, 1);
                var y = Labels(rng, n, k);
                var dx = new float[x.Length];
                return ($"batch centres N={n} D={d} K={k}", () => SegmentLosses.BatchCenters(x, y, dx, k));
            }
            case "cox":
            {
                // A ranked sum (docs/language.md §6.10): each event's risk set, the rows that lasted at least as long.
                int n = 262144 / divide;
                var (eta, t, ev) = Survival(rng, n);
                var deta = new float[n];
                return ($"Cox N={n}", () => RankedLosses.Cox(eta, t, ev, deta));
            }
            case "lovasz":
            {
                // Two ranked sums per image: the place of each error in the descending order and the labels up to it.
                int b = 8, p = 65536 / divide;
                var z = Normal(rng, b * p, 1);
                var g = Enumerable.Range(0, b * p).Select(_ => (float)rng.Next(2)).ToArray();
                var dz = new float[z.Length];
                return ($"Lovasz hinge B={b} P={p}", () => LossDsl.Losses.Structured.LovaszHinge(z, g, dz, p));
            }
            case "neuralndcg":
            {
                // A repeat block (docs/language.md §7.2): 50 Sinkhorn steps over each list's relaxed permutation.
                int b = 64 / divide, n = 30;
                var s = Normal(rng, b * n, 1);
                var y = Enumerable.Range(0, b * n).Select(_ => (float)rng.Next(5)).ToArray();
                var ds = new float[s.Length];
                return ($"NeuralNDCG B={b} n={n}", () => LossDsl.Losses.Structured.NeuralNdcg(s, y, ds, n, n));
            }
            case "cldice":
            {
                // Soft skeletons by 3 repeated erosions and openings of 3 x 3 windows.
                int b = 4, c = 2, h = 128 / divide, w = 128;
                var z = Normal(rng, b * c * h * w, 2);
                var y = Labels(rng, b * h * w, c);
                var dz = new float[z.Length];
                return ($"clDice B={b} C={c} {h}x{w}", () => LossDsl.Losses.Structured.ClDice(z, y, dz, c, h, w));
            }
            default:
                throw new ArgumentException($"Unknown case '{key}'; the cases are {string.Join(", ", Keys.Concat(ClassicKeys))}.", nameof(key));
        }
    }

    public static (string Name, Func<float> Run) LinearCrossEntropy(Random rng, int n, int d, int v)
    {
        var h = Normal(rng, n * d, 0.05);
        var w = Normal(rng, v * d, 0.05);
        var y = Labels(rng, n, v);
        var dh = new float[h.Length];
        var dw = new float[w.Length];
        return ($"linear+CE N={n} D={d} V={v}", () => PairwiseLosses.LinearCrossEntropy(h, w, y, dh, dw));
    }

    /// <summary>Survival data: scores, continuous times (no ties), 60% events.</summary>
    public static (float[] Eta, float[] T, float[] Ev) Survival(Random rng, int n) =>
        (Normal(rng, n, 1), Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 100)).ToArray(),
         Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.6 ? 1f : 0f).ToArray());

    public static float[] Normal(Random rng, int length, double scale)
    {
        var result = new float[length];
        for (int i = 0; i < length; i++)
            result[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return result;
    }

    public static int[] Labels(Random rng, int length, int classes)
    {
        var result = new int[length];
        for (int i = 0; i < length; i++) result[i] = rng.Next(classes);
        return result;
    }
}

/// <summary>
/// BenchmarkDotNet cases of the pairwise losses, forward + backward, at 1 thread and at every core. A call takes
/// 0.1-4 s here, so run them with a short job:
/// <code>dotnet run -c Release --project benchmarks/LossDsl.Benchmarks -- --filter '*Pairwise*' --job short</code>
/// </summary>
[MemoryDiagnoser]
public class PairwiseBenchmarks
{
    private Func<float> _run = () => 0f;

    [Params("infonce", "siglip", "supcon", "linear", "arcface")]
    public string Case { get; set; } = "infonce";

    /// <summary>Threads; 0 is every core.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        LossParallel.MaxDegreeOfParallelism = Threads == 0 ? Environment.ProcessorCount : Threads;
        _run = PairwiseCases.Create(Case).Run;
    }

    [GlobalCleanup]
    public void Cleanup() => LossParallel.MaxDegreeOfParallelism = Environment.ProcessorCount;

    [Benchmark]
    public float ForwardBackward() => _run();
}

/// <summary>
/// The harness modes of the pairwise losses: medians side by side with the PyTorch peer (<c>--pairwise</c>), and peak
/// memory at the sizes PyTorch cannot hold (<c>--memory</c>).
/// </summary>
public static class PairwiseHarness
{
    /// <summary>
    /// <c>--pairwise [--threads N] [--cases a,b] [--repeats R] [--small] [--json path]</c>: for each case, one warm-up
    /// call, then R timed calls (at least 3 and at least 4 s), and the median, one JSON line per case as the peer
    /// script prints them, then a table.
    /// </summary>
    public static int Run(string[] args)
    {
        int threads = IntOption(args, "--threads", 1);
        int repeats = IntOption(args, "--repeats", 5);
        int divide = args.Contains("--small") ? 4 : 1;
        var keys = StringOption(args, "--cases")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? PairwiseCases.Keys;
        LossParallel.MaxDegreeOfParallelism = threads;
        var rows = new List<Dictionary<string, object>>();
        foreach (var key in keys)
        {
            var (name, run) = PairwiseCases.Create(key, divide);
            float loss = run();
            var times = new List<double>();
            var total = Stopwatch.StartNew();
            while (times.Count < Math.Max(3, repeats) || (total.Elapsed.TotalSeconds < 4 && times.Count < 100))
            {
                var watch = Stopwatch.StartNew();
                loss = run();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var row = new Dictionary<string, object>
            {
                ["case"] = name, ["threads"] = threads, ["lossdsl_ms"] = Median(times), ["lossdsl_min_ms"] = times[0], ["runs"] = times.Count,
                ["loss"] = loss, ["machine"] = Machine(),
            };
            Console.WriteLine(JsonSerializer.Serialize(row));
            rows.Add(row);
        }
        Console.WriteLine();
        Console.WriteLine("| case | threads | LossDsl (median ms) | runs |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r["case"]} | {r["threads"]} | {(double)r["lossdsl_ms"]:F1} | {r["runs"]} |"));
        if (StringOption(args, "--json") is { } path) File.WriteAllText(path, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>
    /// <c>--memory [--threads N] [--cases infonce,siglip,linear]</c>: InfoNCE and SigLIP at M = 65536, D = 256 and
    /// linear cross-entropy at N = 8192, D = 1024, V = 131072, one forward + backward call each (after a small call
    /// of the same loss, so that the code is compiled), with the process's peak resident memory beyond the inputs
    /// and gradients: the peak is reset (/proc/self/clear_refs) once they are allocated and written, and read
    /// (VmHWM) after the call, each case in a process of its own. PyTorch would hold the M x M similarities (16 GiB)
    /// or the N x V logits (4 GiB) twice.
    /// </summary>
    public static int Memory(string[] args)
    {
        if (!File.Exists("/proc/self/status"))
        {
            Console.Error.WriteLine("--memory reads /proc/self/status (Linux only).");
            return 2;
        }
        int threads = IntOption(args, "--threads", Environment.ProcessorCount);
        LossParallel.MaxDegreeOfParallelism = threads;
        var keys = StringOption(args, "--cases")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? new[] { "infonce", "siglip", "linear" };
        bool child = args.Contains("--child");
        if (!child)
        {
            Console.WriteLine($"| case | threads | time (s) | inputs + gradients (MiB) | peak beyond them (MiB) | loss |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        }
        if (!child && keys.Length > 1)
        {
            // One process per case: a case's scratch arrays, returned to the shared pool, would be resident already
            // for the next one and hide its peak.
            foreach (var key in keys)
            {
                string self = Environment.ProcessPath!;
                var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
                if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(PairwiseHarness).Assembly.Location);
                foreach (var a in new[] { "--memory", "--child", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--cases", key }) start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                Console.Write(process.StandardOutput.ReadToEnd());
                process.WaitForExit();
                if (process.ExitCode != 0) return process.ExitCode;
            }
            Console.WriteLine($"machine: {Machine()}");
            return 0;
        }
        foreach (var key in keys)
        {
            // Warm up on a small problem, then let the collector return what it can.
            (key == "linear" ? PairwiseCases.LinearCrossEntropy(new Random(2), 64, 64, 512) : PairwiseCases.Create(key, 64)).Run();
            var (name, run, bytes) = Large(key);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            long before = Status("VmRSS");
            ResetPeak();
            var watch = Stopwatch.StartNew();
            float loss = run();
            double seconds = watch.Elapsed.TotalSeconds;
            long peak = Status("VmHWM");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {threads} | {seconds:F1} | {bytes / (1 << 20)} | {(peak - before) / 1024.0:F0} | {loss:G6} |"));
            run = null!;
            GC.Collect();
        }
        if (!child) Console.WriteLine($"machine: {Machine()}");
        return 0;
    }

    private static (string Name, Func<float> Run, long Bytes) Large(string key)
    {
        var rng = new Random(3);
        switch (key)
        {
            case "infonce":
            {
                const int m = 65536, d = 256;
                var z = PairwiseCases.Normal(rng, m * d, 1);
                var pos = Enumerable.Range(0, m).Select(i => i ^ 1).ToArray();
                var dz = new float[z.Length];
                Array.Fill(dz, 1f); // written, so resident before the peak is reset
                return ($"InfoNCE M={m} D={d}", () => MetricLosses.InfoNce(z, pos, dz, 0.1f), 2L * z.Length * 4 + pos.Length * 4);
            }
            case "siglip":
            {
                const int m = 65536, d = 256;
                var x = PairwiseCases.Normal(rng, m * d, 0.05);
                var y = PairwiseCases.Normal(rng, m * d, 0.05);
                float[] t = { 2.3f }, b = { -10f }, dt = new float[1], db = new float[1];
                var dx = new float[x.Length];
                var dy = new float[y.Length];
                Array.Fill(dx, 1f);
                Array.Fill(dy, 1f);
                return ($"SigLIP M={m} D={d}", () => PairwiseLosses.SigLip(x, y, t, b, dx, dy, dt, db, d), 4L * x.Length * 4);
            }
            case "linear":
            {
                const int n = 8192, d = 1024, v = 131072;
                var h = PairwiseCases.Normal(rng, n * d, 0.05);
                var w = PairwiseCases.Normal(rng, v * d, 0.05);
                var y = PairwiseCases.Labels(rng, n, v);
                var dh = new float[h.Length];
                var dw = new float[w.Length];
                Array.Fill(dh, 1f);
                Array.Fill(dw, 1f);
                return ($"linear+CE N={n} D={d} V={v}", () => PairwiseLosses.LinearCrossEntropy(h, w, y, dh, dw), 2L * (h.Length + (long)w.Length) * 4 + y.Length * 4);
            }
            default:
                throw new ArgumentException($"--memory knows infonce, siglip and linear, not '{key}'.");
        }
    }

    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"note: could not reset the peak ({e.Message}); the peak since start is reported.");
        }
    }

    /// <summary>A field of /proc/self/status, in KiB.</summary>
    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"/proc/self/status has no {field}.");
    }

    private static string Machine()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        string simd = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit";
        return $"{cpu}, {Environment.ProcessorCount} cores, {simd}, .NET {Environment.Version}";
    }

    private static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string? StringOption(string[] args, string name)
    {
        int k = Array.IndexOf(args, name);
        if (k < 0) return null;
        if (k + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
        return args[k + 1];
    }

    private static int IntOption(string[] args, string name, int fallback)
        => StringOption(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
