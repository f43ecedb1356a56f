using System;
using System.IO;
using System.Linq;
using LossDsl.Tests.Catalog;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Docs;

/// <summary>
/// docs/losses.md (written by tests/reference/report.py) has a row for every catalog entry of tests/reference/catalog.tsv
/// and names every method of the LossDsl.Losses library; an entry that is not in the library says why.
/// </summary>
public class CatalogDocsTests
{
    private static readonly string s_doc = File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "docs", "losses.md"));

    [Fact]
    public void EveryCatalogEntryHasARow()
    {
        var rows = s_doc.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();
        var ids = File.ReadAllLines(Path.Combine(DotNetCli.RepositoryRoot, "tests", "reference", "catalog.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')[0]).ToList();
        Assert.True(ids.Count > 100, "catalog.tsv lists too few entries");
        var missing = ids.Where(id => !rows.Any(r => r.StartsWith($"| {id} |", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "docs/losses.md has no row for " + string.Join(", ", missing) + " (run tests/reference/report.py)");
        var unexplained = rows.Where(r => r.Contains("not in the library", StringComparison.Ordinal) && r.Contains("| — not declared yet |", StringComparison.Ordinal)).ToList();
        Assert.True(unexplained.Count == 0, "entries not in the library without a reason (NOT_DECLARED of tests/reference/cases_*.py):\n" + string.Join("\n", unexplained));
    }

    [Fact]
    public void EveryLibraryMethodIsListed()
    {
        var missing = CatalogLibrary.Methods().Select(m => $"`{m.DeclaringType!.Name}.{m.Name}`")
            .Where(name => !s_doc.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/losses.md does not list " + string.Join(", ", missing) + " (run tests/reference/report.py)");
    }
}
