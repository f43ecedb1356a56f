using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LossDsl.Interpretation;
using LossDsl.Language;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Docs;

/// <summary>
/// docs/language.md §11 has a section for every diagnostic id, under the anchor its help link points to
/// (<c>#loss0xxx</c>), saying what triggers it, wrong expressions and the fix; and the wrong expressions of the language
/// diagnostics do report their id.
/// </summary>
public sealed class DiagnosticDocsTests
{
    private static readonly string s_language =
        File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, "docs", "language.md")).ReplaceLineEndings("\n");

    /// <summary>The parameters §11 declares for its wrong expressions.</summary>
    private static readonly LossParameterDeclaration[] s_parameters =
    [
        LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("w"), LossParameterDeclaration.Tensor("z"),
        LossParameterDeclaration.Labels("y"), LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Real("alpha"),
        LossParameterDeclaration.Int("n"), LossParameterDeclaration.Int("m"),
    ];

    /// <summary>
    /// Ids whose wrong examples are declarations (the method, its parameters, the project), not expressions; those of
    /// LOSS0216 need an output parameter (Generator/DiagnosticsTests reports each).
    /// </summary>
    private static readonly HashSet<string> s_declarationIds =
    [
        DiagnosticIds.NotStaticPartial, DiagnosticIds.UnsupportedReturnType, DiagnosticIds.UnsupportedParameterType,
        DiagnosticIds.UnsafeBlocksRequired, DiagnosticIds.UnsupportedDeclaration, DiagnosticIds.ReservedName, DiagnosticIds.GradientWithoutInput,
        DiagnosticIds.GradientOfNonFloat, DiagnosticIds.UnusedInput, DiagnosticIds.MixedElementTypes, DiagnosticIds.InvalidOutput,
        DiagnosticIds.InternalError,
        // Their wrong expressions are hundreds of levels deep or hundreds of thousands of terms long, too long to
        // write out (Generator/DeepExpressionTests reports each).
        DiagnosticIds.NestedTooDeeply, DiagnosticIds.GeneratedCodeTooLarge,
    ];

    public static TheoryData<string> Ids() => new(DiagnosticIds.All.Select(d => d.Id));

    public static TheoryData<string> ExpressionIds() => new(DiagnosticIds.All.Select(d => d.Id).Where(id => !s_declarationIds.Contains(id)));

    /// <summary>The text of the section of <paramref name="id"/>: from its anchor to the next anchor or heading of §11.</summary>
    private static string Section(string id)
    {
        string anchor = $"<a id=\"{id.ToLowerInvariant()}\"></a>\n";
        int start = s_language.IndexOf(anchor, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/language.md has no anchor {anchor.Trim()} for {id} (its help link points there)");
        start += anchor.Length;
        int end = new[] { s_language.IndexOf("\n<a id=", start, StringComparison.Ordinal), s_language.IndexOf("\n### ", start, StringComparison.Ordinal),
                          s_language.IndexOf("\n## ", start, StringComparison.Ordinal), s_language.Length }
            .Where(k => k >= 0).Min();
        return s_language[start..end];
    }

    /// <summary>The code spans of the section's line that starts with <paramref name="label"/>.</summary>
    private static List<string> CodeSpans(string section, string label)
    {
        string? line = section.Split('\n').FirstOrDefault(l => l.StartsWith("* " + label + ":", StringComparison.Ordinal));
        Assert.True(line is not null, $"no '* {label}:' line in:\n{section}");
        return Regex.Matches(line!, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdHasASectionUnderItsAnchor(string id)
    {
        string section = Section(id);
        Assert.StartsWith($"#### {id}: ", section, StringComparison.Ordinal);
        foreach (string label in new[] { "Trigger", "Wrong", "Fix" })
        {
            Assert.True(section.Contains("\n* " + label + ": ", StringComparison.Ordinal), $"the section of {id} has no '* {label}:' line:\n{section}");
        }
    }

    [Fact]
    public void EveryAnchorOfSection11IsAKnownId()
    {
        int start = s_language.IndexOf("## 11. Diagnostics", StringComparison.Ordinal);
        int end = s_language.IndexOf("\n## 12.", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/language.md has no §11 followed by §12");
        var ids = DiagnosticIds.All.Select(d => d.Id.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var anchors = Regex.Matches(s_language[start..end], "<a id=\"(loss[0-9]+)\"></a>").Select(m => m.Groups[1].Value).ToList();
        Assert.True(anchors.Count == anchors.Distinct(StringComparer.Ordinal).Count(), "an anchor of §11 appears twice");
        var strays = anchors.Where(a => !ids.Contains(a)).ToList();
        Assert.True(strays.Count == 0, "§11 has anchors of ids that DiagnosticIds.All does not hold: " + string.Join(", ", strays));
    }

    [Theory]
    [MemberData(nameof(ExpressionIds))]
    public void WrongExpressionsReportTheirId(string id)
    {
        var wrong = CodeSpans(Section(id), "Wrong");
        Assert.NotEmpty(wrong);
        foreach (string expression in wrong)
        {
            var exception = Record.Exception(() => LossExpression.Parse(expression, s_parameters));
            Assert.True(exception is not null, $"`{expression}` in the section of {id} is not an error");
            var error = Assert.IsType<LossExpressionException>(exception);
            Assert.True(error.Id == id, $"`{expression}` in the section of {id} reports {error.Id}:\n{error.Message}");
        }
    }
}
