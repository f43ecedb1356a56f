using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Catalog;

/// <summary>
/// The PyTorch fixtures of tests/reference/fixtures (written by tests/reference/make_fixtures.py): a library method, its
/// inputs as generator specifications (regenerated here bit for bit, see <see cref="FixtureInputs"/>), its scalar
/// arguments, and the loss and input gradients PyTorch autograd computed in float64.
/// </summary>
public sealed class CatalogFixture
{
    public required string Id { get; init; }
    public required string Entry { get; init; }
    /// <summary>"Class.Method" in the LossDsl.Losses namespace.</summary>
    public required string Method { get; init; }
    public required string Reference { get; init; }
    public required double Tolerance { get; init; }
    public required IReadOnlyList<FixtureInput> Inputs { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> Scalars { get; init; }
    public required double Loss { get; init; }
    public required IReadOnlyDictionary<string, FixtureGradient> Gradients { get; init; }
    /// <summary>The values PyTorch computed for the method's output spans (docs/language.md §2.4), by name.</summary>
    public required IReadOnlyDictionary<string, FixtureGradient> Outputs { get; init; }

    public override string ToString() => Id;

    public static string Directory => Path.Combine(DotNetCli.RepositoryRoot, "tests", "reference", "fixtures");

    /// <summary>Every committed fixture, by id.</summary>
    public static IReadOnlyDictionary<string, CatalogFixture> All { get; } = Load();

    private static Dictionary<string, CatalogFixture> Load()
    {
        var all = new Dictionary<string, CatalogFixture>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var r = doc.RootElement;
            var fixture = new CatalogFixture
            {
                Id = r.GetProperty("id").GetString()!,
                Entry = r.GetProperty("entry").GetString()!,
                Method = r.GetProperty("method").GetString()!,
                Reference = r.GetProperty("reference").GetString()!,
                Tolerance = r.GetProperty("tolerance").GetDouble(),
                Inputs = r.GetProperty("inputs").EnumerateArray().Select(FixtureInput.Parse).ToList(),
                Scalars = r.GetProperty("scalars").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
                Loss = Number(r.GetProperty("loss")),
                Gradients = r.GetProperty("gradients").EnumerateObject().ToDictionary(p => p.Name, p => FixtureGradient.Parse(p.Value)),
                Outputs = r.TryGetProperty("outputs", out var outputs)
                    ? outputs.EnumerateObject().ToDictionary(p => p.Name, p => FixtureGradient.Parse(p.Value))
                    : new Dictionary<string, FixtureGradient>(),
            };
            all.Add(fixture.Id, fixture);
        }
        return all;
    }

    internal static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => double.Parse(s!, CultureInfo.InvariantCulture) }
        : e.GetDouble();

    /// <summary>The library method (the user-declared overload, with gradients).</summary>
    public MethodInfo FindMethod()
    {
        int dot = Method.LastIndexOf('.');
        var type = typeof(LossDsl.Losses.Elementwise).Assembly.GetType("LossDsl.Losses." + Method[..dot], throwOnError: true)!;
        return LossInvoker.Find(type, Method[(dot + 1)..]);
    }

    /// <summary>
    /// The arguments of <paramref name="method"/>: generated inputs, gradient arrays the length of their input and
    /// output arrays the length PyTorch gave them, filled with <paramref name="fill"/> (NaN checks that every element is
    /// written) and returned in <paramref name="gradients"/> by parameter name, the fixture's scalars, and the
    /// parameters' defaults for the rest.
    /// </summary>
    public object[] Arguments(MethodInfo method, Dictionary<string, float[]> gradients, float fill = float.NaN)
    {
        var inputs = Inputs.ToDictionary(i => i.Name, i => i.Generate());
        var gradientOf = Inputs.Where(i => i.Gradient is not null).ToDictionary(i => i.Gradient!, i => i);
        var args = new List<object>();
        foreach (var p in method.GetParameters())
        {
            if (inputs.TryGetValue(p.Name!, out var value)) args.Add(value);
            else if (gradientOf.TryGetValue(p.Name!, out var of))
            {
                var g = new float[of.Length];
                Array.Fill(g, fill);
                gradients[p.Name!] = g;
                args.Add(g);
            }
            else if (Outputs.TryGetValue(p.Name!, out var output))
            {
                var o = new float[output.Length];
                Array.Fill(o, fill);
                gradients[p.Name!] = o;
                args.Add(o);
            }
            else if (Scalars.TryGetValue(p.Name!, out var s))
                args.Add(p.ParameterType == typeof(int) ? s.GetInt32() : p.ParameterType == typeof(double) ? s.GetDouble() : (object)(float)s.GetDouble());
            else if (p.HasDefaultValue) args.Add(p.DefaultValue!);
            else throw new InvalidOperationException($"{Id}: no value for parameter '{p.Name}' of {Method}");
        }
        return args.ToArray();
    }
}

/// <summary>An input of a fixture: its parameter name, element type, shape, generator and gradient parameter.</summary>
public sealed record FixtureInput(string Name, bool IsInt, int[] Shape, JsonElement Generator, string? Gradient)
{
    public int Length => Shape.Aggregate(1, (a, b) => checked(a * b));

    public static FixtureInput Parse(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        e.GetProperty("dtype").GetString() == "int",
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        e.GetProperty("gen").Clone(),
        e.TryGetProperty("grad", out var g) ? g.GetString() : null);

    /// <summary>The values: a float[] or an int[].</summary>
    public object Generate() => FixtureInputs.Generate(Generator, Length, IsInt);
}

/// <summary>A gradient of a fixture: every element, or for long ones a sample of elements plus sums over all of them.</summary>
public sealed record FixtureGradient(int Length, int[]? Indices, double[] Values, double? Sum, double? SumAbs, double? SumSquares)
{
    public static FixtureGradient Parse(JsonElement e) => new(
        e.GetProperty("length").GetInt32(),
        e.TryGetProperty("indices", out var idx) ? idx.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null,
        e.GetProperty("values").EnumerateArray().Select(CatalogFixture.Number).ToArray(),
        e.TryGetProperty("sum", out var s) ? CatalogFixture.Number(s) : null,
        e.TryGetProperty("sumAbs", out var a) ? CatalogFixture.Number(a) : null,
        e.TryGetProperty("sumSquares", out var q) ? CatalogFixture.Number(q) : null);
}

/// <summary>
/// The input generators of tests/reference/fixturelib.py, bit for bit: splitmix64 from the input's seed, uniform
/// draws <c>(next &gt;&gt; 40) / 2^24</c> (exact float32 values), and float64 arithmetic in the same order as the
/// Python code before one rounding to float32.
/// </summary>
public static class FixtureInputs
{
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            unchecked
            {
                _state += 0x9E3779B97F4A7C15UL;
                ulong z = _state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        public double Uniform01() => (Next() >> 40) / 16777216.0;
    }

    public static object Generate(JsonElement spec, int length, bool isInt)
    {
        var r = new SplitMix64(spec.GetProperty("seed").GetUInt64());
        string kind = spec.GetProperty("kind").GetString()!;
        double D(string name) => spec.GetProperty(name).GetDouble();
        switch (kind)
        {
            case "uniform":
            {
                double lo = D("lo"), hi = D("hi");
                return Floats(length, () => (float)(lo + (hi - lo) * r.Uniform01()));
            }
            case "normal":
            {
                double mean = D("mean"), sd = D("sd"), sqrt3 = Math.Sqrt(3.0);
                return Floats(length, () =>
                {
                    double s = r.Uniform01() + r.Uniform01() + r.Uniform01() + r.Uniform01();
                    return (float)((s - 2.0) * sqrt3 * sd + mean);
                });
            }
            case "bernoulli":
            {
                double p = D("p");
                return Floats(length, () => r.Uniform01() < p ? 1f : 0f);
            }
            case "labels":
            {
                ulong classes = spec.GetProperty("classes").GetUInt64();
                double ignoreP = D("ignore_p");
                int ignore = spec.GetProperty("ignore").GetInt32();
                var a = new int[length];
                for (int k = 0; k < length; k++)
                    a[k] = ignoreP > 0 && r.Uniform01() < ignoreP ? ignore : (int)(r.Next() % classes);
                return Convert(a, isInt);
            }
            case "range":
            {
                int classes = spec.GetProperty("classes").GetInt32();
                return Convert(Enumerable.Range(0, length).Select(k => classes > 0 ? k % classes : k).ToArray(), isInt);
            }
            case "window":
            {
                ulong classes = spec.GetProperty("classes").GetUInt64();
                int width = spec.GetProperty("width").GetInt32();
                var a = new int[length];
                for (int row = 0; row < length / width; row++)
                {
                    ulong start = r.Next() % classes;
                    for (int j = 0; j < width; j++) a[row * width + j] = (int)((start + (ulong)j) % classes);
                }
                return Convert(a, isInt);
            }
            case "shift":
            {
                int by = spec.GetProperty("by").GetInt32();
                return Convert(Enumerable.Range(0, length).Select(k => (int)(((long)k + by) % length)).ToArray(), isInt);
            }
            case "gaussian":
            {
                // A normalized Gaussian window (no randomness), summed in order as fixturelib does.
                double sigma = D("sigma");
                int centre = (length - 1) / 2;
                var taps = new double[length];
                double total = 0;
                for (int k = 0; k < length; k++) taps[k] = Math.Exp(-((double)(k - centre) * (k - centre)) / (2.0 * sigma * sigma));
                foreach (double t in taps) total += t;
                return taps.Select(t => (float)(t / total)).ToArray();
            }
            case "scores":
            {
                // Normal scores [N, classes] with boost at column i mod classes of row i (labels arange(classes)).
                int classes = spec.GetProperty("classes").GetInt32();
                double mean = D("mean"), sd = D("sd"), boost = D("boost"), sqrt3 = Math.Sqrt(3.0);
                var a = new float[length];
                for (int k = 0; k < length; k++)
                {
                    double s = r.Uniform01() + r.Uniform01() + r.Uniform01() + r.Uniform01();
                    bool on = k % classes == k / classes % classes;
                    a[k] = (float)((s - 2.0) * sqrt3 * sd + mean + (on ? boost : 0.0));
                }
                return a;
            }
            default:
                throw new NotSupportedException($"input kind '{kind}'");
        }
    }

    private static float[] Floats(int length, Func<float> next)
    {
        var a = new float[length];
        for (int k = 0; k < length; k++) a[k] = next();
        return a;
    }

    private static object Convert(int[] values, bool isInt) => isInt ? values : values.Select(v => (float)v).ToArray();
}
