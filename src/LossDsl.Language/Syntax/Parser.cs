using System.Collections.Generic;

namespace LossDsl.Language.Syntax;

/// <summary>
/// Recursive-descent parser for the loss language (grammar in docs/language.md). Stops at the first syntax error
/// with a <see cref="DslException"/> whose diagnostic is located at the offending token.
/// </summary>
/// <remarks>
/// Left-associative chains (<c>a + b + c ...</c>) are parsed in a loop, so a long sum costs no stack; true nesting
/// (parentheses, prefix operators, powers, call arguments and subscripts) is limited to <see cref="MaxNesting"/>
/// levels, beyond which the parser reports LOSS0103 at the token that crosses the limit instead of recursing further.
/// Precedence, loosest first: <c>||</c>, <c>&amp;&amp;</c>, comparisons (non-associative), <c>+ -</c>, <c>* /</c>,
/// prefix <c>- !</c>, <c>^</c> (right-associative, so <c>-x^2</c> is <c>-(x^2)</c> and <c>2^-x</c> is allowed).
/// </remarks>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private int _pos;
    private int _nesting;

    /// <summary>The deepest nesting of parentheses, prefix operators, powers, arguments and subscripts the parser accepts.</summary>
    public const int MaxNesting = 200;

    private Parser(string text) { _tokens = Lexer.Tokenize(text); }

    public static ProgramSyntax Parse(string text) => new Parser(text).ParseProgram();

    private Token Current => _tokens[_pos];
    private Token Peek(int k) => _tokens[System.Math.Min(_pos + k, _tokens.Count - 1)];
    private Token Next() => _tokens[_pos++];

    private static DslException Error(Token at, string message) =>
        new(new DslDiagnostic(DiagnosticIds.UnexpectedToken, DslSeverity.Error, message, at.Offset, System.Math.Max(at.Length, at.Kind == TokenKind.End ? 0 : 1)));

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Error(Current, $"expected {what} but found {Current}");
        return Next();
    }

    private ProgramSyntax ParseProgram()
    {
        if (Current.Kind == TokenKind.End) throw Error(Current, "the expression is empty: expected a loss expression");
        var indexStatements = new List<IndexStatement>();
        var shapeStatements = new List<ShapeStatement>();
        var lets = new List<LetStatement>();
        var functions = new List<FunctionStatement>();
        var repeats = new List<RepeatStatement>();
        while (true)
        {
            if (Current.Kind == TokenKind.Identifier && Current.Text == "repeat" && Peek(1).Kind == TokenKind.Number)
            {
                repeats.Add(ParseRepeat(lets.Count));
                continue;
            }
            if (Current.Kind == TokenKind.Identifier && Current.Text == "index" && Peek(1).Kind == TokenKind.Identifier)
            {
                indexStatements.Add(ParseIndexStatement());
                continue;
            }
            if (Current.Kind == TokenKind.Identifier && Current.Text == "shape" && Peek(1).Kind == TokenKind.Identifier && Peek(2).Kind == TokenKind.LBracket)
            {
                shapeStatements.Add(ParseShapeStatement());
                continue;
            }
            if (IsLetStart())
            {
                lets.Add(ParseLet());
                continue;
            }
            if (IsFunctionStart())
            {
                functions.Add(ParseFunction());
                continue;
            }
            break;
        }
        var result = ParseExpression();
        if (Current.Kind == TokenKind.Semicolon) Next();
        if (Current.Kind != TokenKind.End)
            throw Error(Current, Current.Kind == TokenKind.Assign
                ? "unexpected '=': a binding must be a name (optionally with index parameters) and end with ';'"
                : $"expected ';' or the end of the expression but found {Current}");
        return new ProgramSyntax(indexStatements, shapeStatements, lets, functions, result) { Repeats = repeats };
    }

    /// <summary><c>repeat N { assignment; ... }</c>: assignments only (name or name[i, ...], '=', value, ';').</summary>
    private RepeatStatement ParseRepeat(int letsBefore)
    {
        var keyword = ParseName("'repeat'");
        var count = Next();
        Expect(TokenKind.LBrace, "'{' after the count of the repeat block (repeat 10 { ... })");
        var assignments = new List<LetStatement>();
        while (Current.Kind != TokenKind.RBrace)
        {
            if (Current.Kind == TokenKind.Identifier && Current.Text == "repeat" && Peek(1).Kind == TokenKind.Number)
                throw Error(Current, "repeat blocks do not nest: write the inner steps out, or make the outer count a multiple of the inner one");
            if (!IsLetStart())
                throw Error(Current, $"expected an assignment of a state (name[i, ...] = ...;) or '}}' to end the repeat block, but found {Current}");
            assignments.Add(ParseLet());
        }
        var close = Next();
        if (assignments.Count == 0) throw Error(close, "the repeat block is empty: it must assign at least one state (name[i, ...] = ...;)");
        return new RepeatStatement(keyword, new NumberExpr(count.Value, count.Offset, count.Length), assignments, letsBefore);
    }

    /// <summary>A let starts with <c>name =</c> or <c>name[a, b] =</c> (not <c>==</c>).</summary>
    private bool IsLetStart()
    {
        if (Current.Kind != TokenKind.Identifier) return false;
        if (Peek(1).Kind == TokenKind.Assign) return true;
        if (Peek(1).Kind != TokenKind.LBracket) return false;
        int k = 2;
        while (Peek(k).Kind == TokenKind.Identifier || Peek(k).Kind == TokenKind.Comma) k++;
        return Peek(k).Kind == TokenKind.RBracket && Peek(k + 1).Kind == TokenKind.Assign;
    }

    /// <summary>A function definition starts with <c>name(a, b) =</c> (names and commas only inside the parentheses; not <c>==</c>).</summary>
    private bool IsFunctionStart()
    {
        if (Current.Kind != TokenKind.Identifier || Peek(1).Kind != TokenKind.LParen) return false;
        int k = 2;
        while (Peek(k).Kind == TokenKind.Identifier || Peek(k).Kind == TokenKind.Comma) k++;
        return Peek(k).Kind == TokenKind.RParen && Peek(k + 1).Kind == TokenKind.Assign;
    }

    private FunctionStatement ParseFunction()
    {
        var name = ParseName("a name");
        Expect(TokenKind.LParen, "'('");
        if (Current.Kind == TokenKind.RParen)
            throw Error(Current, $"function '{name.Name}' needs at least one parameter (a value without parameters is a binding: {name.Name} = ...;)");
        var parameters = new List<NameExpr> { ParseName("a parameter name") };
        while (Current.Kind == TokenKind.Comma) { Next(); parameters.Add(ParseName("a parameter name")); }
        Expect(TokenKind.RParen, "',' or ')'");
        var assign = Expect(TokenKind.Assign, "'='");
        var body = ParseExpression();
        // A definition that ends the text leaves no loss: most likely an expression with a stray '=' (mean(x) = 3).
        if (Current.Kind == TokenKind.End)
            throw Error(assign, $"unexpected '=': a binding must be a name (optionally with index parameters) and end with ';', and a function definition ({name.Name}(...) = ...;) must be followed by the loss");
        Expect(TokenKind.Semicolon, "';' after the definition of '" + name.Name + "'");
        return new FunctionStatement(name, parameters, body);
    }

    private ShapeStatement ParseShapeStatement()
    {
        Next(); // 'shape'
        var tensor = ParseName("a tensor name");
        Expect(TokenKind.LBracket, "'[' and the names of the tensor's axes (shape t[k, d];)");
        var axes = new List<NameExpr> { ParseName("an index name") };
        while (Current.Kind == TokenKind.Comma) { Next(); axes.Add(ParseName("an index name")); }
        Expect(TokenKind.RBracket, "',' or ']'");
        Expect(TokenKind.Semicolon, "';' after the shape declaration");
        return new ShapeStatement(tensor, axes);
    }

    private IndexStatement ParseIndexStatement()
    {
        Next(); // 'index'
        var names = new List<NameExpr> { ParseName("an index name") };
        while (Current.Kind == TokenKind.Comma) { Next(); names.Add(ParseName("an index name")); }
        Expect(TokenKind.Colon, "':' and the int parameter that gives the extent (index i : n;)");
        var extent = ParseName("the name of an int parameter");
        Expect(TokenKind.Semicolon, "';' after the index declaration");
        return new IndexStatement(names, extent);
    }

    private LetStatement ParseLet()
    {
        var name = ParseName("a name");
        List<NameExpr>? parameters = null;
        if (Current.Kind == TokenKind.LBracket)
        {
            Next();
            parameters = new List<NameExpr> { ParseName("an index name") };
            while (Current.Kind == TokenKind.Comma) { Next(); parameters.Add(ParseName("an index name")); }
            Expect(TokenKind.RBracket, "']'");
        }
        Expect(TokenKind.Assign, "'='");
        var value = ParseExpression();
        Expect(TokenKind.Semicolon, "';' after the binding of '" + name.Name + "'");
        return new LetStatement(name, parameters, value);
    }

    private NameExpr ParseName(string what)
    {
        var t = Expect(TokenKind.Identifier, what);
        return new NameExpr(t.Text, t.Offset, t.Length);
    }

    private Expr ParseExpression() => ParseOr();

    /// <summary>Enters one level of nesting at <paramref name="at"/>; past <see cref="MaxNesting"/>, reports LOSS0103 there.</summary>
    private void Enter(Token at)
    {
        if (++_nesting > MaxNesting)
            throw new DslException(new DslDiagnostic(DiagnosticIds.NestedTooDeeply, DslSeverity.Error,
                $"the expression is nested too deeply (more than {MaxNesting} levels of parentheses, prefix operators, powers or arguments); "
                + "split it into bindings (name = ...;)", at.Offset, System.Math.Max(at.Length, 1)));
    }

    private void Leave() => _nesting--;

    /// <summary>An expression one nesting level deeper (inside parentheses, brackets or arguments, or after '^').</summary>
    private Expr ParseNested(Token at)
    {
        Enter(at);
        var e = ParseExpression();
        Leave();
        return e;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind == TokenKind.OrOr)
        {
            var op = Next();
            left = new BinaryExpr(BinaryOp.Or, left, ParseAnd(), op.Offset, op.Length);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseComparison();
        while (Current.Kind == TokenKind.AndAnd)
        {
            var op = Next();
            left = new BinaryExpr(BinaryOp.And, left, ParseComparison(), op.Offset, op.Length);
        }
        return left;
    }

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        BinaryOp? op = Current.Kind switch
        {
            TokenKind.EqualEqual => BinaryOp.Equal,
            TokenKind.NotEqual => BinaryOp.NotEqual,
            TokenKind.Less => BinaryOp.Less,
            TokenKind.LessEqual => BinaryOp.LessEqual,
            TokenKind.Greater => BinaryOp.Greater,
            TokenKind.GreaterEqual => BinaryOp.GreaterEqual,
            _ => null,
        };
        if (op is null) return left;
        var t = Next();
        var right = ParseAdditive();
        var result = new BinaryExpr(op.Value, left, right, t.Offset, t.Length);
        if (Current.Kind is TokenKind.EqualEqual or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual)
            throw Error(Current, "comparisons do not chain: write (a < b) && (b < c)");
        return result;
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var t = Next();
            left = new BinaryExpr(t.Kind == TokenKind.Plus ? BinaryOp.Add : BinaryOp.Subtract, left, ParseMultiplicative(), t.Offset, t.Length);
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var t = Next();
            left = new BinaryExpr(t.Kind == TokenKind.Star ? BinaryOp.Multiply : BinaryOp.Divide, left, ParseUnary(), t.Offset, t.Length);
        }
        return left;
    }

    private Expr ParseUnary()
    {
        // A run of prefix operators is read in a loop; each still counts as a level of nesting.
        var prefixes = new List<Token>();
        while (Current.Kind is TokenKind.Minus or TokenKind.Bang)
        {
            Enter(Current);
            prefixes.Add(Next());
        }
        var operand = ParsePower();
        for (int k = prefixes.Count - 1; k >= 0; k--)
        {
            var t = prefixes[k];
            operand = new UnaryExpr(t.Kind == TokenKind.Minus ? UnaryOp.Negate : UnaryOp.Not, operand, t.Offset, operand.End - t.Offset);
            Leave();
        }
        return operand;
    }

    private Expr ParsePower()
    {
        var left = ParsePrimary();
        if (Current.Kind != TokenKind.Caret) return left;
        var t = Next();
        Enter(t);
        var right = ParseUnary(); // right-associative; allows x^-1
        Leave();
        return new BinaryExpr(BinaryOp.Power, left, right, t.Offset, t.Length);
    }

    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Next();
                return new NumberExpr(t.Value, t.Offset, t.Length);
            case TokenKind.LParen:
            {
                Next();
                var inner = ParseNested(t);
                Expect(TokenKind.RParen, "')'");
                return inner;
            }
            case TokenKind.Identifier:
                return ParseNameOrCall();
            default:
                throw Error(t, t.Kind == TokenKind.End ? "unexpected end of expression: expected a value" : $"expected a value but found {t}");
        }
    }

    private Expr ParseNameOrCall()
    {
        var name = ParseName("a name");
        if (Current.Kind == TokenKind.LParen) return ParseCallArguments(name, null, null);
        if (Current.Kind != TokenKind.LBracket) return name;

        var open = Next();
        var items = new List<Expr>();
        Expr? filter = null;
        if (Current.Kind == TokenKind.RBracket) throw Error(Current, "expected an index inside '[ ]'");
        if (Current.Kind != TokenKind.Semicolon)
        {
            items.Add(ParseNested(open));
            while (Current.Kind == TokenKind.Comma) { Next(); items.Add(ParseNested(open)); }
            if (Current.Kind == TokenKind.Pipe)
            {
                Next();
                filter = ParseNested(open);
            }
        }
        // name[i | filter; option = value, ...](args): options of a reduction after ';' (also with no binders).
        var options = Current.Kind == TokenKind.Semicolon ? ParseOptions(open) : null;
        var close = Expect(TokenKind.RBracket, options is not null ? "',' or ']'" : filter is null ? "',', '|' or ']'" : "']'");
        if (Current.Kind == TokenKind.LParen)
        {
            // name[i, j | filter](args): the bracket holds index binders.
            var binders = new List<NameExpr>();
            foreach (var item in items)
            {
                if (item is NameExpr n) binders.Add(n);
                else throw new DslException(new DslDiagnostic(DiagnosticIds.InvalidBinder, DslSeverity.Error,
                    $"the indices of '{name.Name}[...]' must be plain index names", item.Offset, item.Length));
            }
            return ParseCallArguments(name, items.Count == 0 ? null : binders, filter, options);
        }
        if (options is not null)
            throw new DslException(new DslDiagnostic(DiagnosticIds.InvalidReductionOption, DslSeverity.Error,
                $"options after ';' are only allowed in the brackets of a reduction such as max[c; ties = first](...), not in the subscript of '{name.Name}'",
                options[0].Offset, options[options.Count - 1].Offset + options[options.Count - 1].Length - options[0].Offset));
        if (filter is not null)
            throw new DslException(new DslDiagnostic(DiagnosticIds.InvalidBinder, DslSeverity.Error,
                "a '|' filter is only allowed in a reduction such as sum[i | cond](...)", filter.Offset, filter.Length));
        return new SubscriptExpr(name, items, name.Offset, close.Offset + close.Length - name.Offset);
    }

    /// <summary>The options after ';' in a reduction's brackets: <c>name = value</c>, separated by commas.</summary>
    private List<ReductionOption> ParseOptions(Token open)
    {
        Next(); // ';'
        var options = new List<ReductionOption>();
        while (true)
        {
            var name = ParseName("an option (ties = split, first or all; empty = a value)");
            Expect(TokenKind.Assign, $"'=' and the value of the option '{name.Name}'");
            options.Add(new ReductionOption(name, ParseNested(open)));
            if (Current.Kind != TokenKind.Comma) return options;
            Next();
        }
    }

    private Expr ParseCallArguments(NameExpr name, List<NameExpr>? binders, Expr? filter, List<ReductionOption>? options = null)
    {
        var open = Expect(TokenKind.LParen, "'('");
        var args = new List<Expr>();
        if (Current.Kind != TokenKind.RParen)
        {
            args.Add(ParseNested(open));
            while (Current.Kind == TokenKind.Comma) { Next(); args.Add(ParseNested(open)); }
        }
        var close = Expect(TokenKind.RParen, "',' or ')'");
        return new CallExpr(name, binders, filter, args, name.Offset, close.Offset + close.Length - name.Offset, options);
    }
}
