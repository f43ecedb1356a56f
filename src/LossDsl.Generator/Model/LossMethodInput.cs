using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator.Model;

/// <summary>An immutable array with value equality, so that pipeline models compare by content (incremental caching).</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T> where T : IEquatable<T>
{
    private readonly T[]? _items;
    public EquatableArray(T[] items) { _items = items; }
    public EquatableArray(IEnumerable<T> items) { _items = items.ToArray(); }
    public int Count => _items?.Length ?? 0;
    public T this[int i] => _items![i];
    public bool Equals(EquatableArray<T> other)
    {
        var a = _items ?? Array.Empty<T>();
        var b = other._items ?? Array.Empty<T>();
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (!a[i].Equals(b[i])) return false;
        return true;
    }
    public override bool Equals(object? obj) => obj is EquatableArray<T> o && Equals(o);
    public override int GetHashCode()
    {
        int h = 17;
        foreach (var x in _items ?? Array.Empty<T>()) h = unchecked(h * 31 + x.GetHashCode());
        return h;
    }
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A diagnostic as plain values (no Roslyn Location object, which would pin syntax trees in the cache).</summary>
internal sealed record DiagnosticInfo(string Id, string Message, string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
}

/// <summary>A containing type, outermost first, to re-open as <c>partial</c>.</summary>
internal sealed record TypeDeclarationSpec(string Keyword, string Name);

/// <summary>A method parameter: language kind, the C# type as written, default value text (or null).</summary>
internal sealed record ParameterSpec(string Name, LossDsl.Language.Ir.ParameterKind Kind, string TypeText, string? DefaultValue, int SpanStart, int SpanLength, int Line, int Column)
{
    /// <summary>The element type of a tensor or gradient as declared.</summary>
    public LossDsl.Language.Ir.ElementType Element { get; init; } = Kind is LossDsl.Language.Ir.ParameterKind.IntTensor or LossDsl.Language.Ir.ParameterKind.IntScalar
        ? LossDsl.Language.Ir.ElementType.Int32 : LossDsl.Language.Ir.ElementType.Float32;
    /// <summary>True for a ReadOnlyTensorSpan or TensorSpan.</summary>
    public bool Shaped { get; init; }
}

/// <summary>
/// Everything the generator needs about one [GeneratedLoss] method, as values: names, parameters, the expression and
/// a map from expression offsets to source positions (so diagnostics land inside the string literal).
/// </summary>
internal sealed record LossMethodInput(
    string Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    string MethodName,
    string Accessibility,
    EquatableArray<ParameterSpec> Parameters,
    string Expression,
    string FilePath,
    EquatableArray<int> OffsetMap,
    EquatableArray<int> LineStarts,
    int FirstLine,
    TextSpan LiteralSpan,
    EquatableArray<DiagnosticInfo> DeclarationDiagnostics)
{
    /// <summary>The declared return type: "float" or "double".</summary>
    public string ReturnType { get; init; } = "float";

    /// <summary>
    /// True when the declaration has a documentation comment (<c>///</c>). The implementation part then carries none:
    /// a partial method's implementation comment would replace the user's in the documentation file.
    /// </summary>
    public bool HasDocumentation { get; init; }

    /// <summary>
    /// The declaration of an implementation that throws, emitted when the loss has errors so that they are the only
    /// errors the user sees (no CS8795); null where none can be written.
    /// </summary>
    public string? Stub { get; init; }

    /// <summary>Maps an offset inside the expression to a location in the source file.</summary>
    public (TextSpan, LinePositionSpan) Map(int offset, int length)
    {
        if (OffsetMap.Count == 0 || offset < 0) return (LiteralSpan, Lines(LiteralSpan));
        int last = OffsetMap.Count - 1; // the entry past the last character
        int start = OffsetMap[Math.Min(offset, last)];
        // A character ends where the next one starts (escape sequences span several source characters).
        int end = length <= 0 || offset >= last ? start : OffsetMap[Math.Min(offset + length, last)];
        var span = TextSpan.FromBounds(start, Math.Max(start, end));
        return (span, Lines(span));
    }

    private LinePositionSpan Lines(TextSpan span) => new(Position(span.Start), Position(span.End));

    private LinePosition Position(int absolute)
    {
        int k = 0;
        while (k + 1 < LineStarts.Count && LineStarts[k + 1] <= absolute) k++;
        return new LinePosition(FirstLine + k, absolute - LineStarts[k]);
    }
}

/// <summary>The output of the pipeline for one method: the generated files (null when there are errors) and diagnostics.</summary>
internal sealed record LossGenerationResult(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The hash of the declaration's full signature (<see cref="GeneratedNames.SignatureHash"/>): the output step adds it to the hint names of overloads that share <see cref="HintName"/>.</summary>
    public string SignatureHash { get; init; } = "";

    /// <summary>
    /// For a declaration with errors, the implementation that throws (<c>StubFileEmitter</c>), added as
    /// <c>*.Error.g.cs</c>: the <c>*.Loss.g.cs</c> file exists only for a loss without errors.
    /// </summary>
    public string? StubSource { get; init; }

    /// <summary>The GPU file (its kernels and overloads), when the compilation references LossDsl.Gpu and the GPU kernels take the declaration's parameters (<c>GpuFileEmitter.Supports</c>).</summary>
    public string? GpuSource { get; init; }
}
