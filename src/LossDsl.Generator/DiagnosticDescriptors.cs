using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>The Roslyn descriptors of the diagnostics, made from the one catalog <see cref="DiagnosticIds.All"/>.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "LossDsl";
    private const string HelpBase = "https://github.com/lossdsl/lossdsl/blob/main/docs/language.md#";

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = DiagnosticIds.All.ToDictionary(
        d => d.Id,
        d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", Category,
            d.Severity == DslSeverity.Warning ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
            isEnabledByDefault: true, helpLinkUri: HelpBase + d.Id.ToLowerInvariant()));

    /// <summary>The descriptor of an id (LOSS9999 for an unknown one).</summary>
    public static DiagnosticDescriptor ById(string id) => s_byId.TryGetValue(id, out var d) ? d : s_byId[DiagnosticIds.InternalError];
}
