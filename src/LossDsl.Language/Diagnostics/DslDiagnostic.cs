using System;
using System.Collections.Generic;

namespace LossDsl.Language;

/// <summary>Severity of a <see cref="DslDiagnostic"/>.</summary>
internal enum DslSeverity { Error, Warning }

/// <summary>
/// A problem found in a loss expression, located by character offset and length inside the expression string.
/// The generator maps it to a Roslyn diagnostic inside the attribute's string literal; the runtime interpreter
/// throws <c>LossExpressionException</c> with it.
/// </summary>
internal sealed class DslDiagnostic : IEquatable<DslDiagnostic>
{
    public DslDiagnostic(string id, DslSeverity severity, string message, int offset, int length, string? parameter = null)
    {
        Id = id; Severity = severity; Message = DiagnosticText.Sanitize(message); Offset = offset; Length = length; Parameter = parameter;
    }

    /// <summary>When set, the problem is with this method parameter rather than a span of the expression.</summary>
    public string? Parameter { get; }

    public string Id { get; }
    public DslSeverity Severity { get; }
    public string Message { get; }
    /// <summary>Offset of the first character inside the expression string.</summary>
    public int Offset { get; }
    public int Length { get; }

    public bool Equals(DslDiagnostic? other) =>
        other is not null && Id == other.Id && Parameter == other.Parameter && Severity == other.Severity && Message == other.Message && Offset == other.Offset && Length == other.Length;
    public override bool Equals(object? obj) => Equals(obj as DslDiagnostic);
    public override int GetHashCode() => Hash.Combine(Id.GetHashCode(), Message.GetHashCode(), Offset, Length);
    public override string ToString() => $"{Id} ({Offset},{Length}): {Message}";
}

/// <summary>Thrown inside the pipeline to stop at the first error of a stage; caught at the stage boundary.</summary>
internal sealed class DslException : Exception
{
    public DslException(DslDiagnostic diagnostic) : base(diagnostic.Message) { Diagnostic = diagnostic; }
    public DslDiagnostic Diagnostic { get; }
}

/// <summary>A tiny deterministic hash combiner (netstandard2.0 has no System.HashCode).</summary>
internal static class Hash
{
    public static int Combine(int a, int b) { unchecked { return (a * 16777619) ^ b; } }
    public static int Combine(int a, int b, int c) => Combine(Combine(a, b), c);
    public static int Combine(int a, int b, int c, int d) => Combine(Combine(a, b, c), d);
    /// <summary>FNV-1a over a string: stable across processes, unlike string.GetHashCode on .NET Core.</summary>
    public static int Stable(string s)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char ch in s) { h ^= ch; h *= 16777619; }
            return (int)h;
        }
    }
}

/// <summary>A collected list of diagnostics with helpers for the stages.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<DslDiagnostic> _items = new();
    public IReadOnlyList<DslDiagnostic> Items => _items;
    public bool HasErrors { get; private set; }
    public void Add(DslDiagnostic d) { _items.Add(d); if (d.Severity == DslSeverity.Error) HasErrors = true; }
}
