using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Packaging;

/// <summary>
/// Packs src/LossDsl.Runtime once, into a temporary folder, as the LossDsl package with a version of its own
/// (0.0.0-test…, so that no package cache can answer with an older build), in its own artifacts folder, so the
/// repository's bin and obj folders are left alone.
/// </summary>
public sealed class PackedLossDsl : IDisposable
{
    private readonly TemporaryDirectory _root = new("lossdsl-pack");

    public PackedLossDsl()
    {
        Version = "0.0.0-test" + Guid.NewGuid().ToString("N")[..12];
        Feed = _root.Combine("feed");
        Pack = DotNetCli.Run(DotNetCli.RepositoryRoot,
            ["pack", Path.Combine("src", "LossDsl.Runtime", "LossDsl.Runtime.csproj"), "-c", "Release", "-o", Feed,
             "--artifacts-path", _root.Combine("artifacts"), "-p:Version=" + Version],
            TimeSpan.FromMinutes(10));
        PackagePath = Path.Combine(Feed, $"LossDsl.{Version}.nupkg");
        GpuPack = DotNetCli.Run(DotNetCli.RepositoryRoot,
            ["pack", Path.Combine("src", "LossDsl.Gpu", "LossDsl.Gpu.csproj"), "-c", "Release", "-o", Feed,
             "--artifacts-path", _root.Combine("artifacts-gpu"), "-p:Version=" + Version],
            TimeSpan.FromMinutes(10));
        GpuPackagePath = Path.Combine(Feed, $"LossDsl.Gpu.{Version}.nupkg");
        LossesPack = DotNetCli.Run(DotNetCli.RepositoryRoot,
            ["pack", Path.Combine("src", "LossDsl.Losses", "LossDsl.Losses.csproj"), "-c", "Release", "-o", Feed,
             "--artifacts-path", _root.Combine("artifacts-losses"), "-p:Version=" + Version],
            TimeSpan.FromMinutes(10));
        LossesPackagePath = Path.Combine(Feed, $"LossDsl.Losses.{Version}.nupkg");
    }

    public string Version { get; }
    public string Feed { get; }
    public DotNetCli.Result Pack { get; }
    public string PackagePath { get; }
    public DotNetCli.Result GpuPack { get; }
    public string GpuPackagePath { get; }
    public DotNetCli.Result LossesPack { get; }
    public string LossesPackagePath { get; }

    /// <summary>A new folder in this fixture's temporary folder (deleted with it).</summary>
    public string NewDirectory(string name)
    {
        string path = _root.Combine(name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public void AssertPacked()
    {
        Assert.True(Pack.Succeeded, Pack.Describe("packing src/LossDsl.Runtime failed"));
        Assert.True(File.Exists(PackagePath),
            $"`{Pack.Command}` succeeded but {PackagePath} is not there; the feed holds: "
            + string.Join(", ", Directory.Exists(Feed) ? Directory.GetFiles(Feed).Select(Path.GetFileName) : []) + "\n" + Pack.Output);
    }

    public void AssertGpuPacked()
    {
        Assert.True(GpuPack.Succeeded, GpuPack.Describe("packing src/LossDsl.Gpu failed"));
        Assert.True(File.Exists(GpuPackagePath), $"`{GpuPack.Command}` succeeded but {GpuPackagePath} is not there\n" + GpuPack.Output);
    }

    public void AssertLossesPacked()
    {
        Assert.True(LossesPack.Succeeded, LossesPack.Describe("packing src/LossDsl.Losses failed"));
        Assert.True(File.Exists(LossesPackagePath), $"`{LossesPack.Command}` succeeded but {LossesPackagePath} is not there\n" + LossesPack.Output);
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>
/// The LossDsl package as a user gets it: what it holds, and a console project that references nothing but the
/// package (no AllowUnsafeBlocks of its own, no Analyzer item), builds, runs, and prints a loss and a gradient that
/// match the formula computed here in double precision.
/// </summary>
public sealed class PackageTests(PackedLossDsl package) : IClassFixture<PackedLossDsl>
{
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void PackageHoldsTheRuntimeTheGeneratorThePropsAndTheReadme()
    {
        package.AssertPacked();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        string listing = string.Join("\n", entries.Order());
        foreach (string expected in new[]
                 {
                     "lib/net10.0/LossDsl.Runtime.dll", "lib/net10.0/LossDsl.Runtime.xml", "analyzers/dotnet/cs/LossDsl.Generator.dll",
                     "buildTransitive/LossDsl.props", "README.md", "LossDsl.nuspec",
                 })
        {
            Assert.True(entries.Contains(expected), $"the package lacks {expected}; it holds:\n{listing}");
        }
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("LossDsl.Generator", StringComparison.Ordinal));

        string readme = ReadEntry(zip, "README.md");
        Assert.Equal(File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "README.md")), readme);
        Assert.Contains("GeneratedLossAttribute", ReadEntry(zip, "lib/net10.0/LossDsl.Runtime.xml"));

        var nuspec = XDocument.Parse(ReadEntry(zip, "LossDsl.nuspec"));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string Meta(string name) => metadata.Element(ns + name)?.Value ?? "";
        Assert.Equal("LossDsl", Meta("id"));
        Assert.Equal(package.Version, Meta("version"));
        Assert.Equal("LossDsl contributors", Meta("authors"));
        Assert.Equal("MIT", Meta("license"));
        Assert.Equal("expression", metadata.Element(ns + "license")!.Attribute("type")?.Value);
        Assert.Equal("README.md", Meta("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Meta("description")), "the package has no description");
        Assert.Contains("source-generator", Meta("tags").Split(' '));
        Assert.Equal("https://github.com/lossdsl/lossdsl", metadata.Element(ns + "repository")?.Attribute("url")?.Value);
        // The generator is inside the package, not a dependency of it; the runtime depends on nothing.
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id")).ToList();
        Assert.True(dependencies.Count == 0, "the package has dependencies: " + string.Join(", ", dependencies));
    }

    [Fact]
    public void ConsumerThatReferencesOnlyThePackageBuildsAndComputesTheLossAndGradient()
    {
        package.AssertPacked();
        // 37 logits: a vector body and a scalar tail at every SIMD width; values from -4 to 4.1, targets 0 and 1.
        var x = Enumerable.Range(0, 37).Select(i => (float)(((i * 7) % 19 - 9) * 0.45 + 0.01 * i)).ToArray();
        var y = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? 1f : 0f).ToArray();
        string project = WriteConsumer("consumer", x, y, allowUnsafeBlocks: null);

        var build = DotNetCli.Run(project, ["build", "-c", "Release"], s_buildTimeout);
        Assert.True(build.Succeeded, build.Describe("the consumer of the LossDsl package did not build"));
        string assembly = Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll");
        var run = DotNetCli.Run(project, [assembly], TimeSpan.FromMinutes(2));
        Assert.True(run.Succeeded, run.Describe("the consumer of the LossDsl package failed"));

        var printed = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
        Assert.True(printed.ContainsKey("loss") && printed.ContainsKey("forward") && printed.ContainsKey("dx"),
            "the consumer printed no 'loss', 'forward' and 'dx' lines:\n" + run.Output);
        double loss = double.Parse(printed["loss"], CultureInfo.InvariantCulture);
        double forward = double.Parse(printed["forward"], CultureInfo.InvariantCulture);
        double[] dx = printed["dx"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // mean(bce_logits(x, y)) = mean(max(x, 0) - x*y + log(1 + exp(-|x|))); d/dx_i = (sigmoid(x_i) - y_i) / n.
        int n = x.Length;
        double expectedLoss = 0;
        var expectedDx = new double[n];
        for (int i = 0; i < n; i++)
        {
            double xi = x[i], yi = y[i];
            expectedLoss += Math.Max(xi, 0) - xi * yi + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
            expectedDx[i] = (1 / (1 + Math.Exp(-xi)) - yi) / n;
        }
        expectedLoss /= n;

        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss),
            $"loss {loss:R} from the consumer, {expectedLoss:R} from the formula\n{run.Output}");
        Assert.True(Math.Abs(forward - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss),
            $"forward-only loss {forward:R} from the consumer, {expectedLoss:R} from the formula\n{run.Output}");
        Assert.Equal(n, dx.Length);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(dx[i] - expectedDx[i]) <= 1e-7 + 1e-5 * Math.Abs(expectedDx[i]),
                $"dx[{i}] = {dx[i]:R} from the consumer, {expectedDx[i]:R} from the formula (x = {x[i]:R}, y = {y[i]})\n{run.Output}");
        }
    }

    [Fact]
    public void GpuPackageHoldsItsAssemblyAndDependsOnLossDslAndIlgpu()
    {
        package.AssertGpuPacked();
        using var zip = ZipFile.OpenRead(package.GpuPackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (string expected in new[] { "lib/net10.0/LossDsl.Gpu.dll", "lib/net10.0/LossDsl.Gpu.xml", "README.md", "LossDsl.Gpu.nuspec" })
            Assert.True(entries.Contains(expected), $"the GPU package lacks {expected}; it holds:\n{string.Join("\n", entries.Order())}");
        Assert.Contains("LossGpu", ReadEntry(zip, "lib/net10.0/LossDsl.Gpu.xml"));
        var nuspec = XDocument.Parse(ReadEntry(zip, "LossDsl.Gpu.nuspec"));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("LossDsl.Gpu", metadata.Element(ns + "id")?.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), "the GPU package has no description");
        var dependencies = metadata.Descendants(ns + "dependency")
            .ToDictionary(d => (string)d.Attribute("id")!, d => (string?)d.Attribute("version"));
        Assert.Equal(package.Version, dependencies.GetValueOrDefault("LossDsl"));
        Assert.Equal("1.5.3", dependencies.GetValueOrDefault("ILGPU"));
        Assert.Equal("1.5.3", dependencies.GetValueOrDefault("ILGPU.Algorithms"));
    }

    [Fact]
    public void ConsumerOfBothPackagesRunsTheGpuKernelsOnIlgpusCpuAccelerator()
    {
        package.AssertPacked();
        package.AssertGpuPacked();
        var x = Enumerable.Range(0, 45).Select(i => (float)((i * 11 % 23 - 11) * 0.37)).ToArray();
        var y = Enumerable.Range(0, 45).Select(i => i % 4 == 0 ? 1f : 0f).ToArray();
        string project = WriteConsumer("consumer-gpu", x, y, allowUnsafeBlocks: null, gpu: true);

        var build = DotNetCli.Run(project, ["build", "-c", "Release"], s_buildTimeout);
        Assert.True(build.Succeeded, build.Describe("the consumer of the LossDsl and LossDsl.Gpu packages did not build"));
        var run = DotNetCli.Run(project, [Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll")], TimeSpan.FromMinutes(3));
        Assert.True(run.Succeeded, run.Describe("the GPU consumer failed"));
        var printed = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2)).Where(parts => parts.Length == 2).ToDictionary(parts => parts[0], parts => parts[1]);
        Assert.True(printed.ContainsKey("loss") && printed.ContainsKey("gpu") && printed.ContainsKey("gpudx"), "the consumer printed no 'gpu' lines:\n" + run.Output);
        double cpu = double.Parse(printed["loss"], CultureInfo.InvariantCulture);
        double gpu = double.Parse(printed["gpu"], CultureInfo.InvariantCulture);
        double[] dx = printed["dx"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double[] gpuDx = printed["gpudx"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(Math.Abs(gpu - cpu) <= 1e-5 * Math.Abs(cpu), $"GPU loss {gpu:R}, CPU loss {cpu:R}\n{run.Output}");
        Assert.Equal(dx.Length, gpuDx.Length);
        for (int i = 0; i < dx.Length; i++)
            Assert.True(Math.Abs(gpuDx[i] - dx[i]) <= 1e-7 + 1e-5 * Math.Abs(dx[i]), $"dx[{i}]: GPU {gpuDx[i]:R}, CPU {dx[i]:R}\n{run.Output}");
    }

    [Fact]
    public void LossesPackageHoldsTheLibraryWithItsDocumentationAndNoGenerator()
    {
        package.AssertLossesPacked();
        using var zip = ZipFile.OpenRead(package.LossesPackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (string expected in new[] { "lib/net10.0/LossDsl.Losses.dll", "lib/net10.0/LossDsl.Losses.xml", "README.md", "LossDsl.Losses.nuspec" })
            Assert.True(entries.Contains(expected), $"the library package lacks {expected}; it holds:\n{string.Join("\n", entries.Order())}");
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
        // The documentation is the declarations' (catalog id, shapes, PyTorch equivalent), not the generated summaries.
        var xml = XDocument.Parse(ReadEntry(zip, "lib/net10.0/LossDsl.Losses.xml"));
        var crossEntropy = xml.Descendants("member").Single(m => (string)m.Attribute("name")!
            == "M:LossDsl.Losses.RowWise.CrossEntropy(System.ReadOnlySpan{System.Single},System.ReadOnlySpan{System.Int32},System.Span{System.Single},System.Int32)").Value;
        Assert.Contains("R01", crossEntropy);
        Assert.Contains("torch.nn.functional.cross_entropy", crossEntropy);
        var nuspec = XDocument.Parse(ReadEntry(zip, "LossDsl.Losses.nuspec"));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var dependencies = nuspec.Root.Descendants(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, d => (string?)d.Attribute("version"));
        Assert.Equal(package.Version, dependencies.GetValueOrDefault("LossDsl"));
        Assert.Equal(package.Version, dependencies.GetValueOrDefault("LossDsl.Gpu"));
        Assert.False(dependencies.ContainsKey("LossDsl.Generator"), "the library package depends on the generator");
    }

    [Fact]
    public void ConsumerOfTheLossesPackageCallsACatalogLoss()
    {
        package.AssertPacked();
        package.AssertGpuPacked();
        package.AssertLossesPacked();
        string directory = package.NewDirectory("consumer-losses");
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="packages" /></config>
              <packageSources><add key="lossdsl-test-feed" value="{package.Feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LossDsl.Losses" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System;
            using System.Globalization;
            using LossDsl.Losses;

            float[] z = { 2.5f, -1f, 0.25f, 0.5f, 3f, -2f };
            int[] y = { 0, 2 };
            var dz = new float[z.Length];
            float loss = RowWise.CrossEntropy(z, y, dz);
            Console.WriteLine("loss " + loss.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("dz " + string.Join(" ", Array.ConvertAll(dz, v => v.ToString("R", CultureInfo.InvariantCulture))));
            """, new UTF8Encoding(false));
        var build = DotNetCli.Run(directory, ["build", "-c", "Release"], s_buildTimeout);
        Assert.True(build.Succeeded, build.Describe("the consumer of the LossDsl.Losses package did not build"));
        var run = DotNetCli.Run(directory, [Path.Combine(directory, "bin", "Release", "net10.0", "Consumer.dll")], TimeSpan.FromMinutes(3));
        Assert.True(run.Succeeded, run.Describe("the LossDsl.Losses consumer failed"));
        var printed = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2)).Where(parts => parts.Length == 2).ToDictionary(parts => parts[0], parts => parts[1]);
        // Cross-entropy of two rows of three classes, in double precision: mean_i lse_i - z[i, y_i]; dz = (softmax - onehot) / 2.
        double[] zz = { 2.5, -1, 0.25, 0.5, 3, -2 };
        int[] yy = { 0, 2 };
        double expected = 0;
        var expectedDz = new double[6];
        for (int i = 0; i < 2; i++)
        {
            double lse = Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(zz[i * 3 + c])));
            expected += (lse - zz[i * 3 + yy[i]]) / 2;
            for (int c = 0; c < 3; c++) expectedDz[i * 3 + c] = (Math.Exp(zz[i * 3 + c] - lse) - (c == yy[i] ? 1 : 0)) / 2;
        }
        double loss = double.Parse(printed["loss"], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(loss - expected) <= 1e-6 * expected, $"loss {loss:R}, expected {expected:R}\n{run.Output}");
        double[] dz = printed["dz"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        for (int k = 0; k < 6; k++)
            Assert.True(Math.Abs(dz[k] - expectedDz[k]) <= 1e-6, $"dz[{k}] {dz[k]:R}, expected {expectedDz[k]:R}\n{run.Output}");
    }

    [Fact]
    public void ConsumerThatTurnsUnsafeCodeOffGetsLoss0004()
    {
        package.AssertPacked();
        string project = WriteConsumer("consumer-safe", [1f, -2f], [1f, 0f], allowUnsafeBlocks: false);
        var build = DotNetCli.Run(project, ["build", "-c", "Release"], s_buildTimeout);
        Assert.False(build.Succeeded, build.Describe("a consumer with AllowUnsafeBlocks false built"));
        Assert.True(build.Output.Contains("error LOSS0004", StringComparison.Ordinal), build.Describe("the build failed without LOSS0004"));
    }

    /// <summary>A console project that references the LossDsl package of the fixture, with a nuget.config that adds
    /// the fixture's feed to the configured sources and restores into a packages folder of its own.</summary>
    private string WriteConsumer(string name, float[] x, float[] y, bool? allowUnsafeBlocks, bool gpu = false)
    {
        string directory = package.NewDirectory(name);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="packages" />
              </config>
              <packageSources>
                <add key="lossdsl-test-feed" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        string unsafeProperty = allowUnsafeBlocks is bool value ? $"<AllowUnsafeBlocks>{(value ? "true" : "false")}</AllowUnsafeBlocks>" : "";
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {unsafeProperty}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LossDsl" Version="{package.Version}" />
                {(gpu ? $"<PackageReference Include=\"LossDsl.Gpu\" Version=\"{package.Version}\" />" : "")}
              </ItemGroup>
            </Project>
            """);
        static string Floats(float[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture) + "f"));
        File.WriteAllText(Path.Combine(directory, "Program.cs"), $$"""
            using System;
            using System.Globalization;
            using LossDsl;
            {{(gpu ? GpuConsumerUsings : "")}}

            float[] x = { {{Floats(x)}} };
            float[] y = { {{Floats(y)}} };
            var dx = new float[x.Length];
            float loss = Losses.Bce(x, y, dx);
            float forward = Losses.Bce(x, y);
            Console.WriteLine("loss " + loss.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("forward " + forward.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("dx " + string.Join(" ", Array.ConvertAll(dx, v => v.ToString("R", CultureInfo.InvariantCulture))));
            {{(gpu ? GpuConsumerLines : "")}}

            static partial class Losses
            {
                [GeneratedLoss("mean(bce_logits(x, y))")]
                public static partial float Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);
            }
            """, new UTF8Encoding(false));
        return directory;
    }

    /// <summary>The GPU half of the consumer: the same loss through the generated GPU overload on ILGPU's CPU accelerator.</summary>
    private const string GpuConsumerUsings = "using ILGPU;\nusing ILGPU.Runtime;\nusing ILGPU.Runtime.CPU;\nusing LossDsl.Gpu;";

    private const string GpuConsumerLines = """
        using (var context = LossGpu.CreateContext(b => b.CPU(CPUDevice.Nvidia)))
        using (var accelerator = context.CreateCPUAccelerator(0))
        using (var stream = accelerator.CreateStream())
        using (var gx = accelerator.Allocate1D(x))
        using (var gy = accelerator.Allocate1D(y))
        using (var gdx = accelerator.Allocate1D<float>(x.Length))
        {
            float gpuLoss = Losses.Bce(stream, gx.View, gy.View, gdx.View);
            Console.WriteLine("gpu " + gpuLoss.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("gpudx " + string.Join(" ", Array.ConvertAll(gdx.GetAsArray1D(), v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        """;

    private static string ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"the package has no {name}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}
