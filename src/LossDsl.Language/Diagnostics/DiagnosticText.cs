using System.Text;

namespace LossDsl.Language;

/// <summary>
/// Makes a diagnostic message safe to show, whatever user text it echoes (names, expression fragments, type names):
/// control characters and lone surrogates are escaped (<c>\0</c>, <c>\u0007</c>, <c>\uD800</c>), and each run of
/// text without a space longer than <see cref="MaxRun"/> characters (a 100,000-character name) is cut with an
/// ellipsis, as is a message longer than <see cref="MaxMessage"/>. The language's diagnostics and the generator's
/// declaration diagnostics pass through it, so no message can carry text an IDE or a log cannot show.
/// </summary>
internal static class DiagnosticText
{
    /// <summary>The longest run of non-space characters kept (user names and fragments are cut there).</summary>
    public const int MaxRun = 200;

    /// <summary>The longest message kept.</summary>
    public const int MaxMessage = 2000;

    /// <summary>The message, escaped and capped.</summary>
    public static string Sanitize(string message)
    {
        if (message is null) return "";
        if (IsClean(message)) return message;
        var sb = new StringBuilder(System.Math.Min(message.Length, MaxMessage + 16));
        int run = 0;
        bool cut = false;
        for (int i = 0; i < message.Length; i++)
        {
            char c = message[i];
            if (c == ' ') { run = 0; cut = false; }
            if (cut) continue;
            string piece;
            if (char.IsHighSurrogate(c) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1])) piece = message.Substring(i++, 2);
            else if (char.IsSurrogate(c) || (char.IsControl(c) && c != ' ')) piece = c switch
            {
                '\0' => "\\0",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("X4"),
            };
            else piece = c.ToString();
            if (c != ' ')
            {
                if (run >= MaxRun) { sb.Append('…'); cut = true; continue; }
                run += piece.Length;
            }
            sb.Append(piece);
            if (sb.Length >= MaxMessage) { sb.Append('…'); break; }
        }
        return sb.ToString();
    }

    private static bool IsClean(string message)
    {
        if (message.Length > MaxMessage) return false;
        int run = 0;
        foreach (char c in message)
        {
            if (char.IsSurrogate(c) || char.IsControl(c)) return false;
            run = c == ' ' ? 0 : run + 1;
            if (run > MaxRun) return false;
        }
        return true;
    }
}
