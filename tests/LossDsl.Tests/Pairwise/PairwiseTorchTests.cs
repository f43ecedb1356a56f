using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Pairwise;

/// <summary>
/// PyTorch as a third oracle of the pairwise losses: the functions of benchmarks/peers/pairwise_peers.py (the peers the
/// benchmarks compare with, so this also checks that both sides compute the same thing) evaluate InfoNCE, SigLIP,
/// SupCon, linear cross-entropy and ArcFace in float64 with autograd on the inputs given to the generated kernels,
/// at sizes that are not multiples of the tiles or vectors. The loss and every gradient element must agree to float
/// rounding. Needs a python3 with torch: <c>/usr/bin/python3</c> with Debian's <c>python3-torch</c> (what .ci/run
/// installs), or the interpreter named by <c>LOSSDSL_TORCH_PYTHON</c>.
/// </summary>
public class PairwiseTorchTests
{
    private sealed record TorchCase(string Key, string[] Order, Dictionary<string, object> Inputs, Dictionary<string, int[]> Shapes,
        Dictionary<string, double> Parameters, Func<Dictionary<string, object>, Dictionary<string, float[]>, float> Run);

    private static List<TorchCase> Cases()
    {
        var rng = new Random(11);
        const int m = 133, d = 19;
        var cases = new List<TorchCase>();
        {
            var z = LossCheck.Normal(rng, m * d);
            var pos = Enumerable.Range(0, m).Select(i => (i * 7 + 3) % m).ToArray();
            cases.Add(new("infonce", new[] { "z", "pos" }, new() { ["z"] = z, ["pos"] = pos }, new() { ["z"] = new[] { m, d } }, new() { ["tau"] = 0.2 },
                (i, g) => MetricLosses.InfoNce((float[])i["z"], (int[])i["pos"], g["z"] = new float[m * d], 0.2f)));
        }
        {
            var x = LossCheck.Normal(rng, m * d, 0.3);
            var y = LossCheck.Normal(rng, m * d, 0.3);
            cases.Add(new("siglip", new[] { "x", "y", "t", "b" },
                new() { ["x"] = x, ["y"] = y, ["t"] = new[] { 1.1f }, ["b"] = new[] { -3f } },
                new() { ["x"] = new[] { m, d }, ["y"] = new[] { m, d }, ["t"] = new[] { 1 }, ["b"] = new[] { 1 } }, new(),
                (i, g) => PairwiseLosses.SigLip((float[])i["x"], (float[])i["y"], (float[])i["t"], (float[])i["b"],
                    g["x"] = new float[m * d], g["y"] = new float[m * d], g["t"] = new float[1], g["b"] = new float[1], d)));
        }
        {
            var z = LossCheck.Normal(rng, m * d);
            var labels = LossCheck.Labels(rng, m, 17);
            cases.Add(new("supcon", new[] { "z", "labels" }, new() { ["z"] = z, ["labels"] = labels }, new() { ["z"] = new[] { m, d } }, new() { ["tau"] = 0.3 },
                (i, g) => PairwiseLosses.SupCon((float[])i["z"], (int[])i["labels"], g["z"] = new float[m * d], 0.3f)));
        }
        {
            const int v = 301, dd = 23;
            var h = LossCheck.Normal(rng, m * dd, 0.5);
            var w = LossCheck.Normal(rng, v * dd, 0.5);
            var y = LossCheck.Labels(rng, m, v);
            cases.Add(new("linear", new[] { "h", "w", "y" }, new() { ["h"] = h, ["w"] = w, ["y"] = y }, new() { ["h"] = new[] { m, dd }, ["w"] = new[] { v, dd } }, new(),
                (i, g) => PairwiseLosses.LinearCrossEntropy((float[])i["h"], (float[])i["w"], (int[])i["y"], g["h"] = new float[m * dd], g["w"] = new float[v * dd])));
        }
        {
            const int c = 45, dd = 12;
            var x = LossCheck.Normal(rng, m * dd);
            var w = LossCheck.Normal(rng, c * dd);
            var y = LossCheck.Labels(rng, m, c);
            cases.Add(new("arcface", new[] { "x", "w", "y" }, new() { ["x"] = x, ["w"] = w, ["y"] = y }, new() { ["x"] = new[] { m, dd }, ["w"] = new[] { c, dd } },
                new() { ["scale"] = 16, ["cos_m"] = 0.87758255, ["sin_m"] = 0.47942555 },
                (i, g) => PairwiseLosses.ArcFace((float[])i["x"], (float[])i["w"], (int[])i["y"], g["x"] = new float[m * dd], g["w"] = new float[c * dd], 16f, 0.87758255f, 0.47942555f)));
        }
        return cases;
    }

    [Fact]
    public void KernelsMatchPyTorchInFloat64()
    {
        var cases = Cases();
        var request = new JsonArray();
        foreach (var c in cases)
        {
            var inputs = new JsonObject();
            foreach (var (name, value) in c.Inputs)
            {
                inputs[name] = value is int[] ints
                    ? new JsonObject { ["dtype"] = "int", ["data"] = new JsonArray(ints.Select(k => (JsonNode)k).ToArray()) }
                    : new JsonObject
                    {
                        ["dtype"] = "float",
                        ["shape"] = new JsonArray(c.Shapes[name].Select(k => (JsonNode)k).ToArray()),
                        ["data"] = new JsonArray(((float[])value).Select(f => (JsonNode)(double)f).ToArray()),
                    };
            }
            var parameters = new JsonObject();
            foreach (var (name, value) in c.Parameters) parameters[name] = value;
            request.Add(new JsonObject { ["case"] = c.Key, ["order"] = new JsonArray(c.Order.Select(o => (JsonNode)o).ToArray()), ["inputs"] = inputs, ["parameters"] = parameters });
        }

        var results = RunTorch(request);
        Assert.Equal(cases.Count, results.Count);
        for (int k = 0; k < cases.Count; k++)
        {
            var c = cases[k];
            var result = results[k]!;
            for (int call = 0; call < 2; call++)
            {
                var gradients = new Dictionary<string, float[]>();
                float loss = c.Run(c.Inputs, gradients);
                double expected = result["loss"]!.GetValue<double>();
                Assert.True(Math.Abs(loss - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"{c.Key}: loss {loss:R}, PyTorch {expected:R}");
                foreach (var (name, g) in gradients)
                {
                    var reference = result["gradients"]![name]!.AsArray().Select(e => e!.GetValue<double>()).ToArray();
                    Assert.Equal(reference.Length, g.Length);
                    double max = reference.Select(Math.Abs).DefaultIfEmpty(0).Max();
                    for (int e = 0; e < g.Length; e++)
                        Assert.True(Math.Abs(g[e] - reference[e]) <= 1e-3 * max + 1e-4 * Math.Abs(reference[e]) + 1e-7,
                            $"{c.Key}: d{name}[{e}] = {g[e]:R}, PyTorch {reference[e]:R} (max |d{name}| {max:E2})");
                }
            }
        }
    }

    private static JsonArray RunTorch(JsonArray request)
    {
        string python = Environment.GetEnvironmentVariable("LOSSDSL_TORCH_PYTHON") ?? "/usr/bin/python3";
        string script = Path.Combine(RepositoryRoot(), "benchmarks", "peers", "pairwise_peers.py");
        string directory = Path.Combine(Path.GetTempPath(), "lossdsl-torch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string input = Path.Combine(directory, "cases.json"), output = Path.Combine(directory, "results.json");
            File.WriteAllText(input, request.ToJsonString());
            var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { script, "--check", input, output }) start.ArgumentList.Add(a);
            Process process;
            try { process = Process.Start(start)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"This test needs a python3 with PyTorch ({python} could not start: {e.Message}). "
                    + "Install Debian's python3-torch (apt-get install -y python3-torch, as .ci/run does) or set LOSSDSL_TORCH_PYTHON.", e);
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); throw new TimeoutException("PyTorch took more than 5 minutes."); }
                Assert.True(process.ExitCode == 0, $"{python} {script} --check failed (exit {process.ExitCode}). A python3 with PyTorch is needed: "
                    + $"apt-get install -y python3-torch (as .ci/run does), or set LOSSDSL_TORCH_PYTHON.\n{stderr.Result}");
            }
            return JsonNode.Parse(File.ReadAllText(output))!.AsArray();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LossDsl.sln"))) return d.FullName;
        throw new InvalidOperationException("LossDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
