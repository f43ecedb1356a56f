using System.Collections.Generic;
using System.Globalization;

namespace LossDsl.Language.Syntax;

internal enum TokenKind
{
    Number, Identifier,
    Plus, Minus, Star, Slash, Caret,
    LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Semicolon, Colon, Pipe, Assign,
    EqualEqual, NotEqual, Less, LessEqual, Greater, GreaterEqual, AndAnd, OrOr, Bang,
    End,
}

internal readonly struct Token
{
    public Token(TokenKind kind, int offset, int length, string text, double value = 0)
    {
        Kind = kind; Offset = offset; Length = length; Text = text; Value = value;
    }
    public TokenKind Kind { get; }
    public int Offset { get; }
    public int Length { get; }
    public string Text { get; }
    public double Value { get; }
    public override string ToString() => Kind == TokenKind.End ? "end of expression" : "'" + Text + "'";
}

/// <summary>Turns the expression string into tokens. Whitespace and <c># comments</c> (to end of line) are skipped.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') { while (i < text.Length && text[i] != '\n') i++; continue; }
            int start = i;
            if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.')) i++;
                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    int save = i;
                    i++;
                    if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
                    if (i < text.Length && char.IsDigit(text[i])) { while (i < text.Length && char.IsDigit(text[i])) i++; }
                    else i = save; // 'e' starts an identifier: "2e" is 2 followed by e
                }
                if (i < text.Length && (text[i] == 'f' || text[i] == 'F')) i++; // allow C#-style 0.5f
                string s = text.Substring(start, i - start);
                string digits = s.TrimEnd('f', 'F');
                if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || digits.IndexOf('.') != digits.LastIndexOf('.'))
                    throw new DslException(new DslDiagnostic(DiagnosticIds.InvalidNumber, DslSeverity.Error, $"'{s}' is not a valid number", start, i - start));
                tokens.Add(new Token(TokenKind.Number, start, i - start, s, v));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            TokenKind kind;
            int len = 1;
            char n = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (c)
            {
                case '+': kind = TokenKind.Plus; break;
                case '-': kind = TokenKind.Minus; break;
                case '*': kind = TokenKind.Star; break;
                case '/': kind = TokenKind.Slash; break;
                case '^': kind = TokenKind.Caret; break;
                case '(': kind = TokenKind.LParen; break;
                case ')': kind = TokenKind.RParen; break;
                case '[': kind = TokenKind.LBracket; break;
                case ']': kind = TokenKind.RBracket; break;
                case '{': kind = TokenKind.LBrace; break;
                case '}': kind = TokenKind.RBrace; break;
                case ',': kind = TokenKind.Comma; break;
                case ';': kind = TokenKind.Semicolon; break;
                case ':': kind = TokenKind.Colon; break;
                case '=': if (n == '=') { kind = TokenKind.EqualEqual; len = 2; } else kind = TokenKind.Assign; break;
                case '!': if (n == '=') { kind = TokenKind.NotEqual; len = 2; } else kind = TokenKind.Bang; break;
                case '<': if (n == '=') { kind = TokenKind.LessEqual; len = 2; } else kind = TokenKind.Less; break;
                case '>': if (n == '=') { kind = TokenKind.GreaterEqual; len = 2; } else kind = TokenKind.Greater; break;
                case '&':
                    if (n == '&') { kind = TokenKind.AndAnd; len = 2; break; }
                    goto default;
                case '|': if (n == '|') { kind = TokenKind.OrOr; len = 2; } else kind = TokenKind.Pipe; break;
                default:
                    throw new DslException(new DslDiagnostic(DiagnosticIds.UnexpectedCharacter, DslSeverity.Error,
                        $"unexpected character '{c}'", start, 1));
            }
            tokens.Add(new Token(kind, start, len, text.Substring(start, len)));
            i += len;
        }
        tokens.Add(new Token(TokenKind.End, text.Length, 0, ""));
        return tokens;
    }
}
