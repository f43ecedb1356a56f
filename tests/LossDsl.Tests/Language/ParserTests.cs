using System;
using System.Globalization;
using System.Linq;
using System.Text;
using LossDsl.Language;
using LossDsl.Language.Syntax;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// The parser: precedence and associativity, comments, numbers, let-bindings, index declarations, reductions with
/// binders and filters, node spans, and syntax errors located at the offending token.
/// </summary>
public class ParserTests
{
    // ---- Helpers --------------------------------------------------------------------------------------------------

    /// <summary>Prints an expression fully parenthesized: every unary and binary operation in its own ( ).</summary>
    internal static string Print(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case NumberExpr n: sb.Append(n.Value.ToString("R", CultureInfo.InvariantCulture)); break;
            case NameExpr n: sb.Append(n.Name); break;
            case SubscriptExpr s:
                sb.Append(s.Target.Name).Append('[');
                for (int k = 0; k < s.Subscripts.Count; k++) { if (k > 0) sb.Append(", "); Write(sb, s.Subscripts[k]); }
                sb.Append(']');
                break;
            case CallExpr c:
                sb.Append(c.Function.Name);
                if (c.Binders is not null)
                {
                    sb.Append('[').Append(string.Join(", ", c.Binders.Select(b => b.Name)));
                    if (c.Filter is not null) { sb.Append(" | "); Write(sb, c.Filter); }
                    sb.Append(']');
                }
                sb.Append('(');
                for (int k = 0; k < c.Arguments.Count; k++) { if (k > 0) sb.Append(", "); Write(sb, c.Arguments[k]); }
                sb.Append(')');
                break;
            case UnaryExpr u:
                sb.Append('(').Append(u.Op == UnaryOp.Negate ? "-" : "!");
                Write(sb, u.Operand);
                sb.Append(')');
                break;
            case BinaryExpr b:
                sb.Append('(');
                Write(sb, b.Left);
                sb.Append(' ').Append(Symbol(b.Op)).Append(' ');
                Write(sb, b.Right);
                sb.Append(')');
                break;
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+", BinaryOp.Subtract => "-", BinaryOp.Multiply => "*", BinaryOp.Divide => "/", BinaryOp.Power => "^",
        BinaryOp.Equal => "==", BinaryOp.NotEqual => "!=", BinaryOp.Less => "<", BinaryOp.LessEqual => "<=",
        BinaryOp.Greater => ">", BinaryOp.GreaterEqual => ">=", BinaryOp.And => "&&", _ => "||",
    };

    private static string ParseResult(string text)
    {
        var program = Parser.Parse(text);
        Assert.Empty(program.Lets);
        Assert.Empty(program.IndexStatements);
        return Print(program.Result);
    }

    private static DslDiagnostic ParseError(string text)
    {
        var e = Assert.Throws<DslException>(() => Parser.Parse(text));
        return e.Diagnostic;
    }

    private static void AssertError(string text, string id, int offset, int length, string? message = null)
    {
        var d = ParseError(text);
        Assert.True(d.Id == id && d.Offset == offset && d.Length == length,
            $"'{text}': expected {id} at ({offset},{length}) but got {d}");
        Assert.Equal(DslSeverity.Error, d.Severity);
        if (message is not null) Assert.Contains(message, d.Message);
    }

    // ---- Precedence and associativity -----------------------------------------------------------------------------

    [Theory]
    [InlineData("-x^2", "(-(x ^ 2))")]
    [InlineData("-2^2", "(-(2 ^ 2))")]
    [InlineData("a-b-c", "((a - b) - c)")]
    [InlineData("a/b/c", "((a / b) / c)")]
    [InlineData("a-b+c", "((a - b) + c)")]
    [InlineData("x^y^z", "(x ^ (y ^ z))")]
    [InlineData("2^-x", "(2 ^ (-x))")]
    [InlineData("x^-y^2", "(x ^ (-(y ^ 2)))")]
    [InlineData("a^b*c", "((a ^ b) * c)")]
    [InlineData("a + b * c", "(a + (b * c))")]
    [InlineData("a * b / c", "((a * b) / c)")]
    [InlineData("(a + b) * c", "((a + b) * c)")]
    [InlineData("-a * b", "((-a) * b)")]
    [InlineData("--a", "(-(-a))")]
    [InlineData("a - -b", "(a - (-b))")]
    [InlineData("a < b + 1", "(a < (b + 1))")]
    [InlineData("a + 1 >= b * 2", "((a + 1) >= (b * 2))")]
    [InlineData("a || b && c", "(a || (b && c))")]
    [InlineData("a && b || c && d", "((a && b) || (c && d))")]
    [InlineData("!a && b", "((!a) && b)")]
    [InlineData("!(a < b)", "(!(a < b))")]
    [InlineData("a == b && c != d", "((a == b) && (c != d))")]
    [InlineData("a <= b || a > c", "((a <= b) || (a > c))")]
    [InlineData("(a < b) < c", "((a < b) < c)")]
    [InlineData("f(a, b + c, -d)", "f(a, (b + c), (-d))")]
    [InlineData("x[i, y[i] + 1]", "x[i, (y[i] + 1)]")]
    [InlineData("max(a, b)^2", "(max(a, b) ^ 2)")]
    public void PrecedenceAndAssociativity(string text, string expected)
    {
        Assert.Equal(expected, ParseResult(text));
    }

    [Theory]
    [InlineData("a < b < c", 6)]
    [InlineData("a == b == c", 7)]
    [InlineData("a <= b > c", 7)]
    [InlineData("mean(x) + mean(x < y < 1)", 21)]
    public void ComparisonsDoNotChain(string text, int offsetOfSecond)
    {
        var d = ParseError(text);
        Assert.Equal(DiagnosticIds.UnexpectedToken, d.Id);
        Assert.Equal(offsetOfSecond, d.Offset);
        Assert.InRange(d.Length, 1, 2);
        Assert.Contains("comparisons do not chain", d.Message);
    }

    // ---- Comments and numbers -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("mean(x) # the mean\n + 1 # and one more", "(mean(x) + 1)")]
    [InlineData("# a comment line\nx", "x")]
    [InlineData("x#no space", "x")]
    [InlineData("a # b\r\n* c", "(a * c)")]
    [InlineData("a + # (unbalanced \" quote\nb", "(a + b)")]
    public void CommentsRunToTheEndOfTheLine(string text, string expected)
    {
        Assert.Equal(expected, ParseResult(text));
    }

    [Fact]
    public void OnlyACommentIsAnEmptyExpression()
    {
        AssertError("# nothing here", DiagnosticIds.UnexpectedToken, 14, 0, "the expression is empty");
        AssertError("", DiagnosticIds.UnexpectedToken, 0, 0, "the expression is empty");
        AssertError("   \n\t ", DiagnosticIds.UnexpectedToken, 6, 0, "the expression is empty");
    }

    [Theory]
    [InlineData("1e-4", 1e-4)]
    [InlineData(".5", 0.5)]
    [InlineData("2.5f", 2.5)]
    [InlineData("3F", 3)]
    [InlineData("1E+3", 1000)]
    [InlineData("1e3", 1000)]
    [InlineData("0.25", 0.25)]
    [InlineData("7", 7)]
    [InlineData("6.02e23", 6.02e23)]
    [InlineData("1.5e-3f", 1.5e-3)]
    [InlineData("3.", 3)]
    public void Numbers(string text, double value)
    {
        var n = Assert.IsType<NumberExpr>(Parser.Parse(text).Result);
        Assert.Equal(value, n.Value);
        Assert.Equal(0, n.Offset);
        Assert.Equal(text.Length, n.Length);
    }

    [Fact]
    public void NumberSpansAndAnExponentWithoutDigits()
    {
        var b = Assert.IsType<BinaryExpr>(Parser.Parse("x + 2.5f").Result);
        var n = Assert.IsType<NumberExpr>(b.Right);
        Assert.Equal((4, 4), (n.Offset, n.Length));
        // "2e" is the number 2 followed by the name e: not an exponent, so a syntax error at 'e'.
        AssertError("x * 2e", DiagnosticIds.UnexpectedToken, 5, 1, "found 'e'");
        Assert.Equal("(2 * e)", ParseResult("2*e"));
    }

    [Theory]
    [InlineData("1.2.3", 0, 5)]
    [InlineData("x + 1..2", 4, 4)]
    [InlineData("x * .5.", 4, 3)]
    [InlineData("3.5.f", 0, 5)]
    public void InvalidNumbers(string text, int offset, int length)
    {
        AssertError(text, DiagnosticIds.InvalidNumber, offset, length, "is not a valid number");
    }

    [Theory]
    [InlineData("x + $", 4)]
    [InlineData("a & b", 2)]
    [InlineData("x @ y", 2)]
    [InlineData("mean(\"x\")", 5)]
    [InlineData(". + x", 0)]
    [InlineData("x + \u2212y", 4)] // a Unicode minus sign is not '-'
    public void UnexpectedCharacters(string text, int offset)
    {
        AssertError(text, DiagnosticIds.UnexpectedCharacter, offset, 1, "unexpected character");
    }

    // ---- Statements -----------------------------------------------------------------------------------------------

    [Fact]
    public void LetWithIndexParameters()
    {
        var p = Parser.Parse("p[i, c] = z[i, c] * 2; q = sum(p); q / 2");
        Assert.Equal(2, p.Lets.Count);
        Assert.Equal("p", p.Lets[0].Name.Name);
        Assert.Equal(new[] { "i", "c" }, p.Lets[0].Parameters!.Select(n => n.Name));
        Assert.Equal("(z[i, c] * 2)", Print(p.Lets[0].Value));
        Assert.Equal("q", p.Lets[1].Name.Name);
        Assert.Null(p.Lets[1].Parameters);
        Assert.Equal("sum(p)", Print(p.Lets[1].Value));
        Assert.Equal("(q / 2)", Print(p.Result));
        Assert.Equal((0, 1), (p.Lets[0].Name.Offset, p.Lets[0].Name.Length));
        Assert.Equal(5, p.Lets[0].Parameters![1].Offset);
    }

    [Fact]
    public void ComparisonIsNotABinding()
    {
        Assert.Equal("(p[i] == 1)", ParseResult("p[i] == 1"));
        Assert.Equal("(p == 1)", ParseResult("p == 1"));
        // A subscript that is not a list of names cannot start a binding: the '=' is then an error.
        AssertError("p[i + 1] = 3; p", DiagnosticIds.UnexpectedToken, 9, 1, "unexpected '='");
    }

    [Fact]
    public void TrailingSemicolonIsAllowed()
    {
        Assert.Equal("mean(x)", ParseResult("mean(x);"));
        AssertError("mean(x);;", DiagnosticIds.UnexpectedToken, 8, 1, "expected ';' or the end of the expression but found ';'");
    }

    [Fact]
    public void LetErrors()
    {
        AssertError("p = x", DiagnosticIds.UnexpectedToken, 5, 0, "';' after the binding of 'p'");
        AssertError("p = x mean(p)", DiagnosticIds.UnexpectedToken, 6, 4, "';' after the binding of 'p'");
        AssertError("p[i,] = x; p", DiagnosticIds.UnexpectedToken, 4, 1);
    }

    [Fact]
    public void IndexStatements()
    {
        var p = Parser.Parse("index i, j : n; index c : m; sum[i, j, c](z[i, c] * w[j])");
        Assert.Equal(2, p.IndexStatements.Count);
        Assert.Equal(new[] { "i", "j" }, p.IndexStatements[0].Indices.Select(n => n.Name));
        Assert.Equal("n", p.IndexStatements[0].Extent.Name);
        Assert.Equal(new[] { "c" }, p.IndexStatements[1].Indices.Select(n => n.Name));
        Assert.Equal("m", p.IndexStatements[1].Extent.Name);
        Assert.Equal(26, p.IndexStatements[1].Extent.Offset);
        Assert.Empty(p.Lets);
        Assert.Equal("sum[i, j, c]((z[i, c] * w[j]))", Print(p.Result));
    }

    [Fact]
    public void IndexStatementsThenLets()
    {
        var p = Parser.Parse("index d : dim;\nzn[i, d] = z[i, d] / norm[e](z[i, e]);\nmean[i](sum[d](zn[i, d]))");
        Assert.Single(p.IndexStatements);
        Assert.Single(p.Lets);
        Assert.Equal("(z[i, d] / norm[e](z[i, e]))", Print(p.Lets[0].Value));
    }

    [Fact]
    public void IndexIsAnOrdinaryNameElsewhere()
    {
        Assert.Equal("(index + 1)", ParseResult("index + 1"));
        AssertError("index i n; x", DiagnosticIds.UnexpectedToken, 8, 1, "expected ':'");
        AssertError("index i : n x", DiagnosticIds.UnexpectedToken, 12, 1, "';' after the index declaration");
        AssertError("index i : 3; x", DiagnosticIds.UnexpectedToken, 10, 1, "the name of an int parameter");
    }

    [Fact]
    public void ShapeStatements()
    {
        var p = Parser.Parse("shape centers[k, d]; index d : dim; shape w[k]; sum[k](w[k])");
        Assert.Equal(2, p.ShapeStatements.Count);
        Assert.Equal("centers", p.ShapeStatements[0].Tensor.Name);
        Assert.Equal((6, 7), (p.ShapeStatements[0].Tensor.Offset, p.ShapeStatements[0].Tensor.Length));
        Assert.Equal(new[] { "k", "d" }, p.ShapeStatements[0].Axes.Select(n => n.Name));
        Assert.Equal(17, p.ShapeStatements[0].Axes[1].Offset);
        Assert.Equal(new[] { "k" }, p.ShapeStatements[1].Axes.Select(n => n.Name));
        Assert.Single(p.IndexStatements);
        Assert.Equal("sum[k](w[k])", Print(p.Result));
    }

    [Fact]
    public void ShapeIsAnOrdinaryNameElsewhere()
    {
        Assert.Equal("(shape + 1)", ParseResult("shape + 1"));
        Assert.Equal("(shape[i] * 2)", ParseResult("shape[i] * 2"));
        Assert.Equal("shape", Parser.Parse("shape = 2; shape").Lets[0].Name.Name);
        AssertError("shape w[k] x", DiagnosticIds.UnexpectedToken, 11, 1, "';' after the shape declaration");
        AssertError("shape w[k, 1]; x", DiagnosticIds.UnexpectedToken, 11, 1, "an index name");
        AssertError("shape w[]; x", DiagnosticIds.UnexpectedToken, 8, 1, "an index name");
    }

    [Fact]
    public void FunctionDefinitions()
    {
        var p = Parser.Parse("f(a, b) = a * b + 1; g(x) = f(x, 2) > 0; p = 1; mean(f(x, y))");
        Assert.Equal(2, p.Functions.Count);
        Assert.Equal("f", p.Functions[0].Name.Name);
        Assert.Equal(new[] { "a", "b" }, p.Functions[0].Parameters.Select(n => n.Name));
        Assert.Equal(5, p.Functions[0].Parameters[1].Offset);
        Assert.Equal("((a * b) + 1)", Print(p.Functions[0].Body));
        Assert.Equal("(f(x, 2) > 0)", Print(p.Functions[1].Body));
        Assert.Single(p.Lets);
        Assert.Equal("mean(f(x, y))", Print(p.Result));
    }

    [Fact]
    public void FunctionErrorsAndLookalikes()
    {
        // A call compared with '==' is an expression, not a definition.
        Assert.Equal("(f(a) == 1)", ParseResult("f(a) == 1"));
        AssertError("f() = 1; mean(x)", DiagnosticIds.UnexpectedToken, 2, 1, "function 'f' needs at least one parameter");
        AssertError("f(a) = a mean(x)", DiagnosticIds.UnexpectedToken, 9, 4, "';' after the definition of 'f'");
        // Not a list of names: an expression, whose '=' is then an error.
        AssertError("f(a + 1) = 2; x", DiagnosticIds.UnexpectedToken, 9, 1, "unexpected '='");
        AssertError("f(a,) = 2; x", DiagnosticIds.UnexpectedToken, 4, 1, "a parameter name");
    }

    // ---- Reductions -----------------------------------------------------------------------------------------------

    [Fact]
    public void ReductionWithBinderAndFilter()
    {
        var c = Assert.IsType<CallExpr>(Parser.Parse("sum[j | j != i](s[i, j])").Result);
        Assert.Equal("sum", c.Function.Name);
        Assert.Equal(new[] { "j" }, c.Binders!.Select(b => b.Name));
        Assert.Equal("(j != i)", Print(c.Filter!));
        Assert.Equal("s[i, j]", Print(Assert.Single(c.Arguments)));
        Assert.Equal((0, 24), (c.Offset, c.Length));
    }

    [Theory]
    [InlineData("mean[i, j | i < j && j < 4](x[i] * x[j])", "mean[i, j | ((i < j) && (j < 4))]((x[i] * x[j]))")]
    [InlineData("logsumexp[c](z[i, c])", "logsumexp[c](z[i, c])")]
    [InlineData("max(a, b)", "max(a, b)")]
    [InlineData("mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))",
        "mean[i]((logsumexp[j | (j != i)](s[i, j]) - sum[j | (j == pos[i])](s[i, j])))")]
    [InlineData("f()", "f()")]
    [InlineData("softmax[c](z[i, c] / t)", "softmax[c]((z[i, c] / t))")]
    public void Reductions(string text, string expected)
    {
        Assert.Equal(expected, ParseResult(text));
    }

    [Fact]
    public void CallWithoutBindersHasNullBinders()
    {
        var c = Assert.IsType<CallExpr>(Parser.Parse("mean(x)").Result);
        Assert.Null(c.Binders);
        Assert.Null(c.Filter);
    }

    [Fact]
    public void BinderErrors()
    {
        AssertError("sum[i + 1](x[i])", DiagnosticIds.InvalidBinder, 4, 5, "must be plain index names");
        AssertError("sum[i, y[i]](x[i])", DiagnosticIds.InvalidBinder, 7, 4, "must be plain index names");
        AssertError("x[i | i > 0]", DiagnosticIds.InvalidBinder, 6, 5, "a '|' filter is only allowed in a reduction");
        AssertError("sum[](x)", DiagnosticIds.UnexpectedToken, 4, 1, "expected an index inside '[ ]'");
        AssertError("sum[i | i > 0, j](x)", DiagnosticIds.UnexpectedToken, 13, 1, "expected ']'");
    }

    // ---- Spans and other errors -----------------------------------------------------------------------------------

    [Fact]
    public void NodeSpans()
    {
        var outer = Assert.IsType<BinaryExpr>(Parser.Parse("a-b-c").Result);
        Assert.Equal((0, 5, 3, 1), (outer.Offset, outer.Length, outer.OpOffset, outer.OpLength));
        var inner = Assert.IsType<BinaryExpr>(outer.Left);
        Assert.Equal((0, 3, 1), (inner.Offset, inner.Length, inner.OpOffset));

        var neg = Assert.IsType<UnaryExpr>(Parser.Parse("  -x^2").Result);
        Assert.Equal((2, 4), (neg.Offset, neg.Length));

        var sub = Assert.IsType<SubscriptExpr>(Parser.Parse("x[i, j]").Result);
        Assert.Equal((0, 7), (sub.Offset, sub.Length));

        var cmp = Assert.IsType<BinaryExpr>(Parser.Parse("a <= b").Result);
        Assert.Equal((2, 2), (cmp.OpOffset, cmp.OpLength));

        // Parentheses are not part of the inner node's span.
        var paren = Assert.IsType<BinaryExpr>(Parser.Parse("(a + b)").Result);
        Assert.Equal((1, 5), (paren.Offset, paren.Length));
    }

    [Theory]
    [InlineData("mean(x", 6, 0, "expected ',' or ')' but found end of expression")]
    [InlineData("mean((x)", 8, 0, "end of expression")]
    [InlineData("x +", 3, 0, "unexpected end of expression: expected a value")]
    [InlineData("x y", 2, 1, "expected ';' or the end of the expression but found 'y'")]
    [InlineData("mean(x))", 7, 1, "found ')'")]
    [InlineData("(", 1, 0, "unexpected end of expression")]
    [InlineData(")", 0, 1, "expected a value but found ')'")]
    [InlineData("x[i", 3, 0, "expected ',', '|' or ']'")]
    [InlineData("mean(x,)", 7, 1, "expected a value but found ')'")]
    [InlineData("x = = 1; x", 4, 1, "expected a value but found '='")]
    [InlineData("mean(x) = 3", 8, 1, "unexpected '='")] // a function definition that leaves no loss
    [InlineData("mean(x + 1) = 3", 12, 1, "unexpected '='")]
    public void SyntaxErrorsAreLocatedAtTheOffendingToken(string text, int offset, int length, string message)
    {
        AssertError(text, DiagnosticIds.UnexpectedToken, offset, length, message);
    }
}
