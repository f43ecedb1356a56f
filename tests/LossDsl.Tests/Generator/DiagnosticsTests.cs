using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Every diagnostic the generator reports, with its exact id and exact location. Expected spans are computed from a
/// marker substring of the test source (the offending token inside the expression's string literal, or the part of
/// the declaration at fault), never hard-coded offsets, except where a test states a line and column on purpose.
/// Every run is also checked for the global invariants in <see cref="CheckInvariants"/>.
/// </summary>
public class DiagnosticsTests
{
    private const string Params = "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f";
    private const string Anchor = "[GeneratedLoss(";

    // ---- Cases ----------------------------------------------------------------------------------------------------

    /// <summary>One diagnostic test: the full source, the expected id, span and message fragment.</summary>
    public sealed record Case(string Name, string Source, string Id, TextSpan Span, string? Message = null, bool AllowUnsafe = true, bool EndOfExpression = false)
    {
        public override string ToString() => Name;
    }

    private static string Source(string literal, string parameters = Params, string name = "F", string typeModifiers = "public static partial", string methodModifiers = "public static partial", string returnType = "float") =>
        "using System;\nusing LossDsl;\n\n" +
        $"{typeModifiers} class L\n{{\n    {Anchor}{literal})]\n    {methodModifiers} {returnType} {name}({parameters});\n}}\n";

    /// <summary>A regular string literal for an expression without quotes or backslashes.</summary>
    private static string Regular(string expression)
    {
        Assert.DoesNotContain("\"", expression);
        Assert.DoesNotContain("\\", expression);
        return "\"" + expression + "\"";
    }

    /// <summary>
    /// The span of the <paramref name="nth"/> occurrence of <paramref name="marker"/> after <paramref name="after"/>;
    /// an identifier-like marker only matches as a whole word.
    /// </summary>
    internal static TextSpan Find(string source, string marker, int nth = 0, string after = Anchor)
    {
        int from = source.IndexOf(after, StringComparison.Ordinal);
        Assert.True(from >= 0, $"anchor '{after}' not found");
        bool word = marker.Length > 0 && marker.All(c => char.IsLetterOrDigit(c) || c == '_');
        int found = -1, seen = 0;
        for (int k = source.IndexOf(marker, from, StringComparison.Ordinal); k >= 0; k = source.IndexOf(marker, k + 1, StringComparison.Ordinal))
        {
            if (word && ((k > 0 && IsWordChar(source[k - 1])) || (k + marker.Length < source.Length && IsWordChar(source[k + marker.Length])))) continue;
            if (seen++ == nth) { found = k; break; }
        }
        Assert.True(found >= 0, $"marker '{marker}' (occurrence {nth}) not found in:\n{source}");
        return new TextSpan(found, marker.Length);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>An error inside a regular-string expression, at the nth occurrence of a marker in the expression.</summary>
    private static Case Expr(string name, string id, string expression, string marker, int nth = 0, string parameters = Params, string? message = null)
    {
        string source = Source(Regular(expression), parameters);
        return new Case(name, source, id, Find(source, marker, nth, Anchor + "\""), message);
    }

    /// <summary>An error at the end of a regular-string expression (a zero-length, or at most one character, span).</summary>
    private static Case AtEnd(string name, string id, string expression, string parameters = Params, string? message = null)
    {
        string source = Source(Regular(expression), parameters);
        int contentStart = source.IndexOf(Anchor, StringComparison.Ordinal) + Anchor.Length + 1;
        return new Case(name, source, id, new TextSpan(contentStart + expression.Length, 0), message, EndOfExpression: true);
    }

    /// <summary>An error located on the declaration (a parameter, the identifier, the return type...).</summary>
    private static Case Decl(string name, string id, string source, string marker, int nth = 0, string? message = null, bool allowUnsafe = true) =>
        new(name, source, id, Find(source, marker, nth, Anchor), message, allowUnsafe);

    public static readonly Case[] Cases = BuildCases();

    private static Case[] BuildCases()
    {
        var list = new List<Case>
        {
            // Syntax.
            Expr("unexpected-token", "LOSS0101", "mean(softplus(x) +)", ")", 1, message: "expected a value but found ')'"),
            Expr("unexpected-character-dollar", "LOSS0100", "mean(softplus(x) + $)", "$", message: "unexpected character '$'"),
            Expr("unexpected-character-ampersand", "LOSS0100", "mean(x & y)", "&", message: "unexpected character '&'"),
            Expr("invalid-number", "LOSS0102", "mean(x + 1.2.3)", "1.2.3", message: "'1.2.3' is not a valid number"),
            Expr("invalid-number-two-dots", "LOSS0102", "mean(x * .5.)", ".5.", message: "not a valid number"),
            AtEnd("unclosed-parenthesis-at-end", "LOSS0101", "mean(softplus(x) + (y", message: "expected ')' but found end of expression"),
            AtEnd("unclosed-call-at-end", "LOSS0101", "mean(x * y", message: "end of expression"),
            AtEnd("operator-at-end", "LOSS0101", "mean(x) ==", message: "unexpected end of expression"),
            AtEnd("empty-expression", "LOSS0101", "", message: "the expression is empty"),
            Expr("chained-comparison", "LOSS0101", "mean(x) + mean(x < y < 1)", "<", 1, message: "comparisons do not chain"),
            Expr("missing-semicolon-after-let", "LOSS0101", "p = sigmoid(x) mean(p * y)", "mean", message: "';' after the binding of 'p'"),
            Expr("assignment-in-expression", "LOSS0101", "mean(x) = 3", "=", message: "unexpected '='"),
            Expr("empty-subscript", "LOSS0101", "mean(x[])", "]", message: "expected an index inside '[ ]'"),

            // Names and functions.
            Expr("unknown-name", "LOSS0200", "mean(softplus(x) + foo)", "foo", message: "unknown name 'foo'"),
            Expr("unknown-name-did-you-mean", "LOSS0200", "mean(softplus(x) * alpa + y)", "alpa", message: "unknown name 'alpa': not a parameter, binding, index or constant (did you mean 'alpha'?)"),
            Expr("unknown-tensor", "LOSS0200", "mean[i](x[i] + w[i] + y[i])", "w", message: "unknown tensor 'w'"),
            Expr("unknown-function", "LOSS0201", "mean(softplus(x) + foo(y))", "foo", message: "unknown function 'foo'"),
            Expr("unknown-function-did-you-mean", "LOSS0201", "mean(sofplus(x) * y)", "sofplus", message: "unknown function 'sofplus' (did you mean 'softplus'?)"),
            Expr("wrong-arity", "LOSS0202", "mean(sigmoid(x, y))", "sigmoid(x, y)", message: "'sigmoid' takes 1 argument(s) but 2 were given"),
            Expr("wrong-arity-range", "LOSS0202", "mean(clamp(x, y) * y)", "clamp(x, y)", message: "'clamp' takes 3 argument(s) but 2 were given"),
            Expr("function-without-arguments", "LOSS0202", "mean(x * sigmoid + y)", "sigmoid", message: "'sigmoid' is a function"),

            // Ranks, shapes, scalars.
            Expr("rank-mismatch", "LOSS0203", "mean[i](x[i]) + sum[i, j](x[i, j]) + mean(y)", "x[i, j]", message: "'x' has rank 1 (from its first use) but 2 subscript(s) are given here"),
            Expr("rank-mismatch-flat-and-subscripted", "LOSS0203", "mean(x[i] * y[i]) + mean(x)", "x", 1, message: "both with and without subscripts"),
            Expr("rank-mismatch-binding", "LOSS0203", "p[i] = x[i] * y[i]; mean[i](p[i, i])", "p[i, i]", message: "binding 'p' takes 1 index(es) but 2 were given"),
            Expr("subscript-scalar", "LOSS0204", "mean[i](x[i] + y[i] * alpha[i])", "alpha", message: "'alpha' is a scalar parameter and cannot be subscripted"),
            Expr("subscript-binding-without-parameters", "LOSS0204", "p = sigmoid(x); mean(p[i] * y)", "p[i]", message: "binding 'p' has no index parameters"),
            Expr("shape-mismatch", "LOSS0205", "index i : n; index j : m; mean[i](a[i] * b[i]) + mean[j](a[j])", "j", 2,
                "ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da, int n, int m", "ranges over 'm' here but over 'n' elsewhere"),
            Expr("not-scalar", "LOSS0206", "mean(x + y) + x", "mean(x + y) + x", message: "the loss must be a scalar"),
            Expr("not-scalar-free-index", "LOSS0206", "sum[i](x[i] * y[j])", "sum[i](x[i] * y[j])", message: "'j'"),

            // Types.
            Expr("type-mismatch-where-condition", "LOSS0207", "mean(where(x, y, 0) + x)", "x", message: "the first argument of 'where' must be a condition"),
            Expr("type-mismatch-float-subscript", "LOSS0207", "mean[i](y[i] * x[y[i]])", "y[i]", 1, message: "a subscript of 'x' must be an integer"),
            Expr("type-mismatch-fractional-subscript", "LOSS0207", "mean[i](y[i] * x[1.5])", "1.5", message: "a subscript of 'x' must be an integer"),
            Expr("type-mismatch-not", "LOSS0207", "mean(where(!x, x, y))", "x", message: "the operand of '!'"),
            Expr("type-mismatch-index-extent", "LOSS0207", "index i : alpha; mean[i](x[i] * y[i])", "alpha", message: "'alpha' must be an int parameter"),
            Expr("extent-not-inferable", "LOSS0208", "mean(sum[d](a[i,d]*b[i,d]))", "a[i,d]", 0,
                "ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> da", "cannot be inferred"),
            Expr("extent-of-unused-reduction-index", "LOSS0208", "mean(x) + sum[k](alpha)", "k", message: "the extent of index 'k' is unknown"),
            // softmax over an axis that its argument does not use: the normalizer sums over k, whose extent is unknown.
            Expr("extent-of-unused-softmax-axis", "LOSS0208", "mean[i](log_softmax[k](x[i]) * y[i])", "k", message: "the extent of index 'k' is unknown"),

            // Gradients.
            Decl("gradient-without-input", "LOSS0209", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx, Span<float> dq"), "Span<float> dq",
                message: "gradient output 'dq' has no matching input"),
            Decl("gradient-of-int-tensor", "LOSS0210", Source(Regular("mean(x * t)"), "ReadOnlySpan<float> x, ReadOnlySpan<int> t, Span<float> dx, Span<float> dt"), "Span<float> dt",
                message: "'dt' refers to 't', which is not a ReadOnlySpan<float> input"),
            Decl("gradient-of-scalar", "LOSS0210", Source(Regular("mean(x * alpha)"), "ReadOnlySpan<float> x, Span<float> dx, float alpha, Span<float> dalpha"), "Span<float> dalpha",
                message: "'dalpha' refers to 'alpha'"),

            // Outputs.
            Decl("span-neither-gradient-nor-output", "LOSS0216", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx, Span<float> scores"), "Span<float> scores",
                message: "'scores' is a writable span but neither a gradient output"),
            Expr("output-depends-on-another-index", "LOSS0216", "t[i] = x[i] - y[k]; mean[i](x[i] * y[i])", "t", 0,
                "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> t", "output 't' depends on index 'k', which is not one of its parameters"),
            Expr("output-depends-on-the-flat-index", "LOSS0216", "t[i] = w[i] + x; mean(x)", "t", 0,
                "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx, Span<float> t", "output 't' depends on index 'e' (the flat index of unsubscripted tensors)"),
            Expr("output-plain-binding-of-two-indices", "LOSS0216", "p = softmax[c](z[i, c]); mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])", "p", 0,
                "ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> p", "give their order"),
            Expr("output-extent-not-inferable", "LOSS0208", "t[k] = alpha; mean(x)", "k", 0,
                "ReadOnlySpan<float> x, Span<float> dx, Span<float> t, float alpha", "the extent of index 'k' is unknown"),
            Expr("non-differentiable", "LOSS0211", "mean(y * (x > 0) + sign(x) * y)", "x", 0, "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx",
                "the loss does not depend differentiably on 'x'"),
            Expr("non-differentiable-stop-gradient", "LOSS0211", "mean(y * stop_gradient(x))", "x", 0, "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx", "'dx' would always be zero"),
            Expr("non-differentiable-subscripted", "LOSS0211", "mean[i](y[i] * where(x[i] > y[i], 1, 0))", "x[i]", 0, "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx"),

            // Names declared twice, binders.
            Expr("duplicate-let-parameter", "LOSS0212", "alpha = 1; mean(alpha * x)", "alpha", message: "'alpha' is already defined"),
            Expr("duplicate-let", "LOSS0212", "p = x; p = y; mean(p)", "p", 1, message: "'p' is already defined"),
            Expr("duplicate-index-declaration", "LOSS0212", "index i : n; index i : n; mean[i](x[i])", "i", 1, "ReadOnlySpan<float> x, Span<float> dx, int n", "index 'i' is already declared"),
            Expr("index-named-like-parameter", "LOSS0212", "index x : n; mean(x)", "x", 0, "ReadOnlySpan<float> x, Span<float> dx, int n", "'x' cannot be used as an index name"),
            Expr("invalid-binder-parameter", "LOSS0213", "sum[x](x)", "x", message: "'x' cannot be a reduction index"),
            Expr("invalid-binder-not-a-reduction", "LOSS0213", "mean(sigmoid[i](x))", "sigmoid", message: "'sigmoid' is not a reduction"),
            Expr("invalid-binder-filter-in-subscript", "LOSS0213", "mean[i](x[i | i > 0])", "i > 0", message: "a '|' filter is only allowed in a reduction"),
            Expr("invalid-binder-expression", "LOSS0213", "sum[i + 1](x[i])", "i + 1", message: "must be plain index names"),
            Expr("invalid-binder-listed-twice", "LOSS0213", "sum[i, i](x[i])", "i", 1, message: "index 'i' is listed twice"),
            Expr("invalid-binder-softmax-axes", "LOSS0213", "mean(softmax[i, j](x[i]))", "softmax[i, j](x[i])", message: "'softmax' needs exactly one axis"),

            // Extents as values, gathers from bindings, functions (docs/language.md §4.4, §7, §7.1).
            Expr("ambiguous-extent", "LOSS0220", "sum[c](x[c]) + sum[c](w[c]) / extent(c)", "c", 4,
                "ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dx", "extent(c) is ambiguous here"),
            Expr("recursive-function", "LOSS0221", "f(a) = g(a) * 2; g(b) = f(b); mean(f(x))", "f", 1, message: "function 'f' calls itself (through 'g')"),
            Expr("repeat-state-not-declared", "LOSS0222", "v[i] = x[i]; repeat 3 { u[i] = v[i] * 2; } mean[i](v[i])", "u", 0, message: "'u' is assigned in the repeat block but is not a binding declared before it"),
            Expr("index-not-bound-in-function", "LOSS0200", "f(a) = a * x[i]; mean[i](f(x[i]))", "i", 0, message: "index 'i' is not bound inside function 'f'"),
            Expr("gathered-binding-extent-unknown", "LOSS0208", "s[c] = c * 2; mean[i](s[y[i]] * x[i])", "y[i]", 0,
                "ReadOnlySpan<float> x, ReadOnlySpan<int> y, Span<float> dx", "whose extent is unknown"),
            // Reduction options (docs/language.md §6.3).
            Expr("reduction-option-unknown", "LOSS0217", "mean[i; tie = first](x[i] * y[i])", "tie", message: "unknown option 'tie': a reduction takes 'ties' (max, min, kth, median, quantile: split, first or all), 'empty' (the value of an empty reduction), 'k' (the rank of kth) and 'q' (the level of quantile) (did you mean 'ties'?)"),
            Expr("reduction-option-on-a-function", "LOSS0217", "mean(sigmoid[; ties = first](x) * y)", "ties = first", message: "'sigmoid' is not a reduction and takes no options"),
            Expr("reduction-option-in-a-subscript", "LOSS0217", "mean[i](x[i; empty = 0] * y[i])", "empty = 0", message: "options after ';' are only allowed in the brackets of a reduction"),
            Expr("reduction-option-on-softmax", "LOSS0217", "mean[i](x[i] * softmax[i; ties = all](y[i]))", "ties = all", message: "'softmax' is not a reduction and takes no options"),
            Expr("reduction-option-ties-on-sum", "LOSS0217", "sum[i; ties = first](x[i] * y[i])", "ties = first", message: "'sum' has no ties"),
            Expr("reduction-option-ties-value", "LOSS0217", "max[i; ties = last](x[i] * y[i])", "last", message: "the value of 'ties' must be split"),
            Expr("reduction-option-empty-not-invariant", "LOSS0217", "mean[i | y[i] > 0; empty = x[i]](x[i])", "x[i]", message: "the value of 'empty' depends on 'i', an index 'mean' reduces"),
            Expr("reduction-option-twice", "LOSS0217", "max[i; ties = all, ties = first](x[i] * y[i])", "ties = first", message: "the option 'ties' is given twice"),
            Expr("kth-without-rank", "LOSS0217", "kth[i](x[i] * y[i])", "kth[i](x[i] * y[i])", message: "kth needs the rank of the element it selects"),
            Expr("quantile-without-level", "LOSS0217", "quantile[i](x[i] * y[i])", "quantile[i](x[i] * y[i])", message: "quantile needs its level"),
            Expr("rank-on-median", "LOSS0217", "median[i; k = 2](x[i] * y[i])", "k = 2", message: "'k' is the rank of kth"),
            Expr("level-on-kth", "LOSS0217", "kth[i; k = 1, q = 0.5](x[i] * y[i])", "q = 0.5", message: "'q' is the level of quantile"),
            Expr("rank-not-invariant", "LOSS0217", "kth[i; k = i](x[i] * y[i])", "i", nth: 1, message: "the value of 'k' depends on 'i', an index 'kth' reduces"),
            Expr("ties-on-median-value", "LOSS0217", "median[i; ties = last](x[i] * y[i])", "last", message: "the value of 'ties' must be split"),
            Expr("reduction-option-without-value", "LOSS0101", "max[i; ties](x[i] * y[i])", "]", message: "expected '=' and the value of the option 'ties'"),

            // Unused inputs.
            Decl("unused-input-warning", "LOSS0214", Source(Regular("mean(softplus(x))")), "ReadOnlySpan<float> y", message: "input 'y' is not used by the loss"),

            // Declarations.
            Decl("not-static", "LOSS0001", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", typeModifiers: "public partial", methodModifiers: "public partial"), "F",
                message: "'F' must be declared 'static partial' without a body"),
            Decl("not-partial-with-body", "LOSS0001", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", methodModifiers: "public static").Replace("dx);", "dx) => 0;"), "F"),
            Decl("return-type-int", "LOSS0002", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", returnType: "int"), "int", message: "must return float or double"),
            Decl("return-type-void", "LOSS0002", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", returnType: "void"), "void"),
            Decl("parameter-float-array", "LOSS0003", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, float[] w, Span<float> dx"), "float[] w", message: "parameter 'w' has type 'float[]'"),
            Decl("parameter-ref", "LOSS0003", Source(Regular("mean(x * w)"), "ReadOnlySpan<float> x, ref float w, Span<float> dx"), "ref float w", message: "ref modifier"),
            Decl("reserved-parameter-name", "LOSS0006", Source(Regular("mean(x * __w)"), "ReadOnlySpan<float> x, float __w, Span<float> dx"), "float __w", message: "reserved for the names of generated code"),
            Decl("parameter-scoped", "LOSS0005", Source(Regular("mean(x)"), "scoped ReadOnlySpan<float> x, Span<float> dx"), "scoped", message: "must not be declared 'scoped'"),
            Decl("parameter-span-of-short", "LOSS0003", Source(Regular("mean(x)"), "ReadOnlySpan<short> x, Span<float> dx"), "ReadOnlySpan<short> x"),
            Decl("parameter-span-of-long-gradient", "LOSS0003", Source(Regular("mean(x * y)"), "ReadOnlySpan<float> x, ReadOnlySpan<long> y, Span<long> dy"), "Span<long> dy"),
            Decl("mixed-float-and-double", "LOSS0215", Source(Regular("mean(x * y)"), "ReadOnlySpan<double> x, ReadOnlySpan<float> y, Span<double> dx"), "ReadOnlySpan<float> y",
                message: "'y' has element type float but 'x' is double"),
            Decl("mixed-half-and-double", "LOSS0215", Source(Regular("mean(x * y)"), "ReadOnlySpan<Half> x, ReadOnlySpan<double> y, Span<Half> dx"), "ReadOnlySpan<Half> x",
                message: "'x' has element type Half but 'y' is double"),
            Decl("gradient-element-type", "LOSS0215", Source(Regular("mean(x)"), "ReadOnlySpan<double> x, Span<float> dx"), "Span<float> dx",
                message: "the gradient 'dx' has element type float but its input 'x' is double"),
            Decl("output-float-in-double-loss", "LOSS0215", Source(Regular("t = bce_logits(x, y); mean(t)"), "ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dx, Span<float> t"), "Span<float> t",
                message: "the output 't' has element type float but the loss computes in double"),
            Decl("output-double-in-float-loss", "LOSS0215", Source(Regular("t = bce_logits(x, y); mean(t)"), "ReadOnlySpan<Half> x, ReadOnlySpan<float> y, Span<Half> dx, Span<double> t"), "Span<double> t",
                message: "the output 't' has element type double but the loss computes in float"),
            Decl("unsafe-blocks-off", "LOSS0004", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx"), "F", message: "AllowUnsafeBlocks", allowUnsafe: false),
            Decl("containing-type-not-partial", "LOSS0005", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", typeModifiers: "public static"), "F",
                message: "the containing type 'L' must be declared partial"),
            Decl("outer-type-not-partial", "LOSS0005",
                "using System;\nusing LossDsl;\n\npublic static class Outer\n{\n    public static partial class L\n    {\n        [GeneratedLoss(\"mean(x)\")]\n        public static partial float F(ReadOnlySpan<float> x, Span<float> dx);\n    }\n}\n",
                "F", message: "the containing type 'Outer' must be declared partial"),
            Decl("generic-method", "LOSS0005", Source(Regular("mean(x)"), "ReadOnlySpan<float> x, Span<float> dx", name: "F<T>"), "F", message: "must not be generic"),
            Decl("null-expression", "LOSS0101", Source("null", "ReadOnlySpan<float> x, Span<float> dx"), "null", message: "must be a constant string"),
        };
        return list.ToArray();
    }

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.Name));

    private static Case Get(string name) => Cases.Single(c => c.Name == name);

    // ---- Tests ----------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReportsExactIdAndLocation(string name)
    {
        var c = Get(name);
        var r = GeneratorHarness.Run(c.Source, c.AllowUnsafe);
        CheckInvariants(c.Source, r);
        var matching = r.GeneratorDiagnostics.Where(d => d.Id == c.Id).ToList();
        Assert.True(matching.Count > 0, $"{name}: expected {c.Id} but got:\n{Describe(c.Source, r.GeneratorDiagnostics)}");
        var located = matching.Where(d => SameLocation(d.Location.SourceSpan, c)).ToList();
        Assert.True(located.Count > 0,
            $"{name}: {c.Id} expected at {c.Span} '{Text(c.Source, c.Span)}' but got:\n{Describe(c.Source, r.GeneratorDiagnostics)}");
        var d0 = located[0];
        if (c.Message is not null) Assert.Contains(c.Message, d0.GetMessage());
        // The location is in the test file, with line/column consistent with the span.
        var lines = d0.Location.GetLineSpan();
        Assert.Equal("Test.cs", lines.Path);
        var text = SourceText.From(c.Source);
        Assert.Equal(text.Lines.GetLinePosition(d0.Location.SourceSpan.Start), lines.StartLinePosition);
        Assert.Equal(text.Lines.GetLinePosition(d0.Location.SourceSpan.End), lines.EndLinePosition);
        // Only one error per method for these single-mistake sources (the first error of a stage stops it), and the
        // only LOSS diagnostics are the expected one (and, for some, an unused-input warning).
        Assert.All(r.GeneratorDiagnostics.Where(d => d.Id.StartsWith("LOSS", StringComparison.Ordinal) && d.Id != c.Id),
            d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    private static bool SameLocation(TextSpan actual, Case c) =>
        c.EndOfExpression ? actual.Start == c.Span.Start && actual.Length <= 1 : actual == c.Span;

    [Fact]
    public void EveryDiagnosticIdIsCovered()
    {
        var ids = AllIds().Where(id => id != "LOSS9999").ToList();
        Assert.True(ids.Count >= 20, "DiagnosticIds not found by reflection");
        // LOSS0103 (nesting) and LOSS0300 (file size) need expressions too long for a case here: DeepExpressionTests.
        var covered = Cases.Select(c => c.Id).Concat(new[] { "LOSS0214", "LOSS0103", "LOSS0300" }).ToHashSet();
        var missing = ids.Where(id => !covered.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "no test for " + string.Join(", ", missing));
    }

    [Fact]
    public void UnusedInputIsOnlyAWarningAndTheLossIsGenerated()
    {
        var c = Get("unused-input-warning");
        var r = GeneratorHarness.Run(c.Source);
        CheckInvariants(c.Source, r);
        var d = Assert.Single(r.GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Single(r.GeneratedSources);
        Assert.Empty(r.CompilationDiagnostics.Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>
    /// An input that has a gradient output but is not used by the loss: its gradient would always be zero, so it is
    /// an error (LOSS0211) on the gradient parameter and nothing is generated; a warning alone would leave the user
    /// with CS8795 "partial method must have an implementation".
    /// </summary>
    [Fact]
    public void UnusedInputWithAGradientIsAnErrorOnTheGradient()
    {
        string source = Source(Regular("mean(softplus(x))"), "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> dy");
        var r = GeneratorHarness.Run(source);
        CheckInvariants(source, r);
        var d = Assert.Single(r.GeneratorDiagnostics);
        Assert.Equal("LOSS0211", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(Find(source, "Span<float> dy"), d.Location.SourceSpan);
        Assert.Contains("input 'y' is not used by the loss, so its gradient 'dy' would always be zero", d.GetMessage());
        // No loss: only the implementation that throws, so that LOSS0211 is the only error.
        Assert.Contains("InvalidOperationException", Assert.Single(r.GeneratedSources));
        Assert.DoesNotContain(r.GeneratedHintNames, h => h.EndsWith(".Loss.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void SeveralMethodsGetTheirOwnDiagnosticsAndValidOnesAreStillGenerated()
    {
        string source = """
            using System;
            using LossDsl;

            public static partial class L
            {
                [GeneratedLoss("mean(softplus(x) + foo)")]
                public static partial float Bad1(ReadOnlySpan<float> x, Span<float> dx);

                [GeneratedLoss("mean(bce_logits(x, y))")]
                public static partial float Good(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

                [GeneratedLoss("mean(x + $)")]
                public static partial float Bad2(ReadOnlySpan<float> x, Span<float> dx);
            }
            """;
        var r = GeneratorHarness.Run(source);
        CheckInvariants(source, r);
        Assert.Equal(2, r.GeneratorDiagnostics.Length);
        Assert.Equal(Find(source, "foo"), r.GeneratorDiagnostics.Single(d => d.Id == "LOSS0200").Location.SourceSpan);
        Assert.Equal(Find(source, "$"), r.GeneratorDiagnostics.Single(d => d.Id == "LOSS0100").Location.SourceSpan);
        var generated = Assert.Single(r.RunResult.Results[0].GeneratedSources, g => g.HintName.EndsWith(".Loss.g.cs", StringComparison.Ordinal));
        Assert.Contains(".Good_", "." + generated.HintName);
        // The methods with errors get implementations that throw (*.Error.g.cs): no CS8795 beside the LOSS errors.
        Assert.Equal(2, r.RunResult.Results[0].GeneratedSources.Count(g => g.HintName.EndsWith(".Error.g.cs", StringComparison.Ordinal)));
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    // ---- String literal forms -------------------------------------------------------------------------------------

    private static Diagnostic SingleLoss(string source, string id)
    {
        var r = GeneratorHarness.Run(source);
        CheckInvariants(source, r);
        return Assert.Single(r.GeneratorDiagnostics, d => d.Id == id);
    }

    private static void AssertAt(Diagnostic d, string source, TextSpan expected)
    {
        Assert.True(d.Location.SourceSpan == expected,
            $"{d.Id} expected at {expected} '{Text(source, expected)}' but is at {d.Location.SourceSpan} '{Text(source, d.Location.SourceSpan)}'");
        var lines = SourceText.From(source).Lines;
        Assert.Equal(lines.GetLinePositionSpan(expected), d.Location.GetLineSpan().Span);
    }

    private static string Method(string literal) =>
        "using System;\nusing LossDsl;\n\npublic static partial class L\n{\n    " + Anchor + literal + ")]\n    public static partial float F(ReadOnlySpan<float> x, Span<float> dx);\n}\n";

    [Fact]
    public void RegularStringWithEscapesMapsOffsets()
    {
        string source = Method("\"\\tmean(x +\\t\\n foo)\"");
        var d = SingleLoss(source, "LOSS0200");
        AssertAt(d, source, Find(source, "foo"));
        Assert.Equal(new LinePosition(5, 35), d.Location.GetLineSpan().StartLinePosition);
    }

    [Fact]
    public void RegularStringWithQuotesHexAndSurrogatePairEscapesInACommentMapsOffsets()
    {
        // The comment holds \U0001F600 (two UTF-16 chars from one escape), \"q\" and \x41; the error is on the next line of the value.
        string source = Method("\"mean(x) # \\U0001F600 \\\"q\\\" \\x41\\n + foo\"");
        var d = SingleLoss(source, "LOSS0200");
        AssertAt(d, source, Find(source, "foo"));
    }

    [Fact]
    public void RegularStringErrorOnAnEscapedQuote()
    {
        // mean(x + "y"): the first '"' of the value is written \" in the source: the span starts at the backslash.
        string source = Method("\"mean(x + \\\"y\\\")\"");
        var d = SingleLoss(source, "LOSS0100");
        Assert.Equal(Find(source, "\\\"y").Start, d.Location.SourceSpan.Start);
        Assert.InRange(d.Location.SourceSpan.Length, 1, 2);
    }

    /// <summary>A name whose last character is written as a \u escape: the span must cover the whole escape.</summary>
    [Fact]
    public void RegularStringTokenEndingInAUnicodeEscapeIsCoveredCompletely()
    {
        string source = Method("\"mean(x + fo\\u006F)\"");
        var d = SingleLoss(source, "LOSS0200");
        Assert.Contains("'foo'", d.GetMessage());
        AssertAt(d, source, Find(source, "fo\\u006F"));
    }

    /// <summary>
    /// A \U escape of a character in the basic multilingual plane (one UTF-16 char, not a surrogate pair): offsets
    /// after it must not shift.
    /// </summary>
    [Fact]
    public void RegularStringWithALongUnicodeEscapeOfABmpCharacterMapsOffsets()
    {
        string source = Method("\"mean(\\U00000078 + foo)\""); // mean(x + foo)
        var d = SingleLoss(source, "LOSS0200");
        AssertAt(d, source, Find(source, "foo"));
    }

    [Fact]
    public void VerbatimStringWithDoubledQuotesInACommentMapsOffsets()
    {
        string source = "using System;\nusing LossDsl;\n\npublic static partial class L\n{\n    [GeneratedLoss(@\"mean(x) # a \"\"quoted\"\" comment\n        + foo\")]\n    public static partial float F(ReadOnlySpan<float> x, Span<float> dx);\n}\n";
        var d = SingleLoss(source, "LOSS0200");
        AssertAt(d, source, Find(source, "foo"));
        Assert.Equal(new LinePositionSpan(new LinePosition(6, 10), new LinePosition(6, 13)), d.Location.GetLineSpan().Span);
    }

    private const string RawSource = """"
        using System;
        using LossDsl;

        public static partial class L
        {
            [GeneratedLoss("""
                p = sigmoid(x); # the "probability"
                mean(p * (1 - p) + foo)
                """)]
            public static partial float F(ReadOnlySpan<float> x, Span<float> dx);
        }

        """";

    [Fact]
    public void MultiLineRawStringWithIndentationMapsOffsets()
    {
        var d = SingleLoss(RawSource, "LOSS0200");
        AssertAt(d, RawSource, Find(RawSource, "foo"));
        // Line 7 (0-based) is "        mean(p * (1 - p) + foo)": 8 spaces of indentation, then 19 characters before foo.
        Assert.Equal(new LinePositionSpan(new LinePosition(7, 27), new LinePosition(7, 30)), d.Location.GetLineSpan().Span);
    }

    [Fact]
    public void MultiLineRawStringWithCrLfLineEndingsMapsOffsets()
    {
        string source = RawSource.Replace("\r\n", "\n").Replace("\n", "\r\n");
        var d = SingleLoss(source, "LOSS0200");
        AssertAt(d, source, Find(source, "foo"));
        Assert.Equal(new LinePositionSpan(new LinePosition(7, 27), new LinePosition(7, 30)), d.Location.GetLineSpan().Span);
    }

    [Fact]
    public void MultiLineRawStringErrorAtTheEnd()
    {
        string source = """"
            using System;
            using LossDsl;

            public static partial class L
            {
                [GeneratedLoss("""
                    p = sigmoid(x);

                      mean(p + (x
                    """)]
                public static partial float F(ReadOnlySpan<float> x, Span<float> dx);
            }

            """";
        var d = SingleLoss(source, "LOSS0101");
        int end = Find(source, "mean(p + (x").End;
        Assert.Equal(end, d.Location.SourceSpan.Start);
        Assert.InRange(d.Location.SourceSpan.Length, 0, 1);
        Assert.Equal(new LinePosition(8, 21), d.Location.GetLineSpan().StartLinePosition);
    }

    [Fact]
    public void SingleLineRawStringWithQuotesMapsOffsets()
    {
        string source = Method("\"\"\"mean(x + \"y\" + foo)\"\"\"");
        var d = SingleLoss(source, "LOSS0100");
        AssertAt(d, source, new TextSpan(Find(source, "\"y").Start, 1));
    }

    [Theory]
    [InlineData("const-reference", "E")]
    [InlineData("concatenation", "\"mean(x\" + \" + foo)\"")]
    [InlineData("interpolation", "$\"mean({A} + foo)\"")]
    public void NonLiteralArgumentsReportAtTheWholeArgument(string kind, string argument)
    {
        string source = "using System;\nusing LossDsl;\n\npublic static partial class L\n{\n    const string A = \"x\";\n    const string E = \"mean(x + foo)\";\n    "
            + Anchor + argument + ")]\n    public static partial float F(ReadOnlySpan<float> x, Span<float> dx);\n}\n";
        var d = SingleLoss(source, "LOSS0200");
        Assert.True(d.Location.SourceSpan == Find(source, argument), $"{kind}: at {d.Location.SourceSpan} '{Text(source, d.Location.SourceSpan)}'");
    }

    // ---- Invariants -----------------------------------------------------------------------------------------------

    internal static IEnumerable<string> AllIds() =>
        typeof(LossDsl.Language.DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);

    internal static DiagnosticSeverity ExpectedSeverity(string id) => id == "LOSS0214" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;

    /// <summary>
    /// For every run: the generator did not throw (no CS8785) nor fail internally (no LOSS9999); every LOSS id is a
    /// known one, with the severity of its descriptor; a method with an error has no generated file; and a method
    /// without a generated file has an error located in it (else the user sees only CS8795).
    /// </summary>
    internal static void CheckInvariants(string source, GeneratorHarness.Result r)
    {
        var all = r.GeneratorDiagnostics.Concat(r.CompilationDiagnostics).ToList();
        Assert.Null(r.RunResult.Results[0].Exception);
        Assert.DoesNotContain(all, d => d.Id == "CS8785");
        Assert.DoesNotContain(all, d => d.Id == "LOSS9999");
        var ids = AllIds().ToHashSet();
        foreach (var d in r.GeneratorDiagnostics)
        {
            Assert.Contains(d.Id, ids);
            Assert.Equal(d.Descriptor.DefaultSeverity, d.Severity);
            Assert.Equal(ExpectedSeverity(d.Id), d.Descriptor.DefaultSeverity);
            Assert.Equal("LossDsl", d.Descriptor.Category);
        }

        // Generated code compiles: the only compilation errors are in the test source (e.g. CS8795 for methods left
        // without an implementation, CS0751 for a partial method in a non-partial type).
        var generatedErrors = r.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath != "Test.cs").ToList();
        Assert.True(generatedErrors.Count == 0, "the generated code does not compile:\n" + string.Join("\n", generatedErrors.Select(d => d.ToString()).Distinct()));

        var tree = CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions);
        var methods = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString().Contains("GeneratedLoss"))).ToList();
        var hints = r.RunResult.Results[0].GeneratedSources.Select(s => s.HintName).ToList();
        foreach (var m in methods)
        {
            string name = m.Identifier.Text;
            bool generated = hints.Any(h => ("." + h).Contains("." + name + "_" + m.ParameterList.Parameters.Count + ".Loss.g.cs", StringComparison.Ordinal));
            var errors = r.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && m.FullSpan.Contains(d.Location.SourceSpan)).ToList();
            Assert.False(generated && errors.Count > 0, $"'{name}' has errors ({string.Join(", ", errors.Select(e => e.Id))}) but its file was generated");
            Assert.True(generated || errors.Count > 0,
                $"'{name}' has no generated file and no error located in it; diagnostics:\n{Describe(source, r.GeneratorDiagnostics)}");
        }
    }

    internal static string Text(string source, TextSpan span) =>
        span.Start >= 0 && span.End <= source.Length ? source.Substring(span.Start, span.Length) : "<outside the source>";

    internal static string Describe(string source, IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => $"  {d.Id} {d.Severity} {d.Location.SourceSpan} '{Text(source, d.Location.SourceSpan)}': {d.GetMessage()}"));
}
