using System.Text;

namespace LossDsl.Generator.Emit;

/// <summary>An indenting text writer for generated C#.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length == 0) { _sb.Append('\n'); return; }
        _sb.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (unless empty) and opens a brace block.</summary>
    public void Open(string header) { if (header.Length > 0) Line(header); Line("{"); _indent++; }
    public void Close(string trailer = "}") { _indent--; Line(trailer); }
    public void Indent() => _indent++;
    public void Unindent() => _indent--;
    public override string ToString() => _sb.ToString();
}
