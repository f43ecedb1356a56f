using System;
using System.IO;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LossDsl.Tests.Docs;

/// <summary>README.md's first C# snippet is a whole program that compiles as written, its declarations are those
/// of the samples, and its Set up section holds the two commands CI and a newcomer run.</summary>
public sealed class ReadmeTests
{
    private static readonly string s_readme = File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");

    private static string FirstCSharpSnippet()
    {
        const string open = "```csharp\n";
        int start = s_readme.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += open.Length;
        int end = s_readme.IndexOf("```", start, StringComparison.Ordinal);
        return s_readme[start..end];
    }

    [Fact]
    public void SnippetCompilesAsAProgramWithTheGenerator()
    {
        var result = GeneratorHarness.Run(FirstCSharpSnippet());
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Equal(3, result.GeneratedSources.Length);
        var program = result.Output.WithOptions(result.Output.Options.WithOutputKind(OutputKind.ConsoleApplication));
        var problems = program.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "the README snippet does not compile cleanly:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void SnippetDeclarationsAreTheSamplesDeclarations()
    {
        var lines = FirstCSharpSnippet().Split('\n').Select(l => l.Trim()).ToArray();
        string samples = string.Join("\n", Directory.GetFiles(Path.Combine(DotNetCli.RepositoryRoot, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select(l => l.Trim())));
        int declarations = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("[GeneratedLoss(", StringComparison.Ordinal)) continue;
            declarations++;
            string pair = lines[i] + "\n" + lines[i + 1];
            Assert.True(samples.Contains(pair, StringComparison.Ordinal), "no sample under samples/ declares, as README.md does:\n" + pair);
        }
        Assert.True(declarations >= 2, $"README.md's snippet declares {declarations} losses");
    }

    [Fact]
    public void SetUpSectionRunsTheTrainingProgramAndTheTests()
    {
        int start = s_readme.IndexOf("## Set up", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Set up section");
        int end = s_readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = s_readme[start..(end < 0 ? s_readme.Length : end)];
        var commands = section.Split("```").Where((_, index) => index % 2 == 1).Select(block => block.Trim()).ToArray();
        Assert.Equal(["dotnet run -c Release --project samples/LossDsl.Training", "dotnet test LossDsl.sln -c Release"], commands);
        Assert.Contains("dotnet test LossDsl.sln -c Release", File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, ".ci", "run")));
    }

    [Fact]
    public void HeadlineNumbersAreQuotedFromTheBenchmarksPage()
    {
        // Every time and every ratio of the Headline numbers section is a figure docs/benchmarks.md records.
        int start = s_readme.IndexOf("## Headline numbers", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Headline numbers section");
        int end = s_readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = s_readme[start..end];
        string benchmarks = File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "docs", "benchmarks.md"));
        var recorded = System.Text.RegularExpressions.Regex.Matches(benchmarks, @"\d+(?:\.\d+)?")
            .Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var quoted = System.Text.RegularExpressions.Regex.Matches(section, @"(\d+(?:\.\d+)?) ?(?:ms|s|×|MiB)")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(quoted.Count >= 6, "the Headline numbers section quotes fewer than three comparisons");
        var missing = quoted.Where(v => !recorded.Contains(v)).ToList();
        Assert.True(missing.Count == 0, "README headline figures that docs/benchmarks.md does not record: " + string.Join(", ", missing));
    }
}
