using System;
using System.IO;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LossDsl.Gpu;
using LossDsl.GpuBenchmarks;

// The GPU harness: forward + backward of the GPU-speed issue's cases through the generated GPU kernels, the median of
// many runs, GB/s over the minimal bytes and the percentage of a device-to-device copy in the same run; each case
// checked against the CPU kernel. Logs go to stderr, the table to stdout (last), JSON to --json.
//
//   dotnet run -c Release --project benchmarks/LossDsl.GpuBenchmarks -- [--accelerator cuda|cpu] [--small]
//       [--cases bce,ce,...] [--samples 30] [--json results.json]
//
// Without --accelerator it takes the first CUDA device, else ILGPU's CPU accelerator (32-lane warps; slow: use
// --small). benchmarks/device/gpu_side_by_side.sh runs it beside the PyTorch peer on the GPU machine.
string? accelerator = null, json = null, only = null;
bool small = false;
int samples = 30;
for (int k = 0; k < args.Length; k++)
{
    switch (args[k])
    {
        case "--accelerator": accelerator = Next(ref k); break;
        case "--small": small = true; break;
        case "--cases": only = Next(ref k); break;
        case "--samples": samples = int.Parse(Next(ref k), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--json": json = Next(ref k); break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[k]}'; see the comment at the top of Program.cs");
            return 2;
    }
}
if (samples < 1) { Console.Error.WriteLine("--samples must be at least 1"); return 2; }

var cases = GpuCases.All(small);
if (only is not null)
{
    var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = names.Where(n => cases.All(c => c.Name != n)).ToArray();
    if (unknown.Length > 0)
    {
        Console.Error.WriteLine($"unknown cases: {string.Join(", ", unknown)}; known: {string.Join(", ", cases.Select(c => c.Name))}");
        return 2;
    }
    cases = cases.Where(c => names.Contains(c.Name)).ToArray();
}

using var context = LossGpu.CreateContext(b => b.CPU(CPUDevice.Nvidia).Cuda());
Device? device = accelerator switch
{
    null => context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda) ?? context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU),
    "cuda" => context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda),
    "cpu" => context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU),
    _ => null,
};
if (device is null)
{
    Console.Error.WriteLine(accelerator == "cuda" ? "no CUDA device found" : $"unknown accelerator '{accelerator}' (cuda or cpu)");
    return 2;
}
using var acc = device.CreateAccelerator(context);
Console.Error.WriteLine($"LossDsl GPU harness on {acc.Name} ({acc.AcceleratorType}), {(small ? "small" : "full")} sizes, {samples} samples");
// The copy baseline: 1 GiB on a GPU, 64 MiB on the CPU accelerator.
var options = new HarnessOptions(cases, samples, Warmup: small ? 1 : 3, MinSampleMs: small ? 0 : 2, CopyBytes: acc.AcceleratorType == AcceleratorType.Cuda ? 1L << 30 : 1L << 26);
var report = GpuHarness.Run(acc, options, Console.Error);
if (json is not null) File.WriteAllText(json, GpuHarness.Json(report));
Console.WriteLine(GpuHarness.Table(report));
return report.Cases.All(c => c.Check.Passed) ? 0 : 1;

string Next(ref int k)
{
    if (k + 1 >= args.Length) throw new ArgumentException($"{args[k]} needs a value");
    return args[++k];
}
