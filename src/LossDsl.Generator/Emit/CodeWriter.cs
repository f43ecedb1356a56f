using System;
using System.Text;

namespace LossDsl.Generator.Emit;

/// <summary>
/// An indenting text writer for generated C#. It holds at most <see cref="MaxLength"/> characters: a file that would
/// be longer throws <see cref="GeneratedCodeTooLargeException"/> (the generator reports LOSS0300) before it can
/// exhaust memory.
/// </summary>
internal sealed class CodeWriter
{
    /// <summary>The most characters one generated file may have (the samples' largest is under 200 KB).</summary>
    public const int MaxLength = 8 * 1024 * 1024;

    private readonly StringBuilder _sb = new();
    private int _indent;

    /// <summary>Writes a line at the current indentation; text with line breaks is several lines, each indented.</summary>
    public void Line(string text = "")
    {
        int newline = text.IndexOf('\n');
        if (newline >= 0)
        {
            Line(text.Substring(0, newline));
            Line(text.Substring(newline + 1));
            return;
        }
        if (_sb.Length + text.Length + _indent * 4 + 1 > MaxLength) throw new GeneratedCodeTooLargeException(MaxLength);
        if (text.Length == 0) { _sb.Append('\n'); return; }
        _sb.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (unless empty) and opens a brace block.</summary>
    public void Open(string header) { if (header.Length > 0) Line(header); Line("{"); _indent++; }
    public void Close(string trailer = "}") { _indent--; Line(trailer); }
    public void Indent() => _indent++;
    public void Unindent() => _indent--;

    /// <summary>A new, empty writer at this one's indentation, whose text <see cref="Append"/> adds here later.</summary>
    public CodeWriter Fork() => new() { _indent = _indent };

    /// <summary>Appends the text of a writer made by <see cref="Fork"/>.</summary>
    public void Append(CodeWriter fork)
    {
        if (_sb.Length + fork._sb.Length > MaxLength) throw new GeneratedCodeTooLargeException(MaxLength);
        _sb.Append(fork._sb);
    }

    public override string ToString() => _sb.ToString();
}

/// <summary>A generated file would be longer than <see cref="CodeWriter.MaxLength"/> characters (LOSS0300).</summary>
internal sealed class GeneratedCodeTooLargeException : Exception
{
    public GeneratedCodeTooLargeException(int limit) : base($"the generated file would be longer than {limit} characters") { Limit = limit; }
    public int Limit { get; }
}
