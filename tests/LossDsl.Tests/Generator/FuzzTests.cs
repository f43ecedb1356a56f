using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Text;
using LossDsl.Interpretation;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Fuzzing the generator. (a) Malformed input: random strings and mutations of valid losses must never crash the
/// generator (CS8785) nor fail internally (LOSS9999); each method either gets its code or an error located in its
/// own string literal (or on its own parameters), and agrees with the interpreter. (b) Well-formed input: random valid
/// elementwise, row-wise and mixed losses are compiled and their kernels compared with the interpreter on random
/// inputs of several sizes. Seeds are fixed, so a failure reproduces; messages include the expression.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    // ---- Scale ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The counts and seeds of a run. CI runs the defaults; a scaled run sets them from the environment:
    /// <c>LOSSDSL_FUZZ_MALFORMED</c> and <c>LOSSDSL_FUZZ_WELLFORMED</c> (counts), <c>LOSSDSL_FUZZ_SEED</c> (one seed for
    /// both parts), and <c>LOSSDSL_FUZZ_ONLY</c> (a comma-separated list of case names, such as <c>W3247</c>, to check
    /// only those: the cases are still generated in order, so a name means the same case as in the full run), and
    /// <c>LOSSDSL_FUZZ_LOG</c> (a file that a long run appends its progress to: each batch's compile time and every
    /// case that takes more than a second, flushed as it goes, so a run that stalls shows where).
    /// docs/benchmarks.md records the scaled runs and their command.
    /// </summary>
    internal static class Scale
    {
        public static int Malformed => Int("LOSSDSL_FUZZ_MALFORMED", MalformedCount);
        public static int WellFormed => Int("LOSSDSL_FUZZ_WELLFORMED", WellFormedCount);
        public static int? Seed => Environment.GetEnvironmentVariable("LOSSDSL_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;
        public static HashSet<string>? Only => Environment.GetEnvironmentVariable("LOSSDSL_FUZZ_ONLY") is { Length: > 0 } s
            ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet() : null;
        /// <summary>Appends a line to the <c>LOSSDSL_FUZZ_LOG</c> file, if one is named.</summary>
        public static void Log(string line)
        {
            if (Environment.GetEnvironmentVariable("LOSSDSL_FUZZ_LOG") is { Length: > 0 } path)
                System.IO.File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss} {line}\n");
        }

        private static int Int(string name, int fallback) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    // ---- (a) Malformed input ----------------------------------------------------------------------------------------

    public const int MalformedCount = 3000;
    private const int MalformedBatch = 100;
    private const string MalformedParameters = "ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<int> t, Span<float> dx, float alpha, int n";

    private static readonly LossParameterDeclaration[] s_malformedDeclarations =
    {
        LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Labels("t"),
        LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Real("alpha"), LossParameterDeclaration.Int("n"),
    };

    /// <summary>Valid losses over the malformed-fuzz parameter list (the samples, renamed), the seeds of the mutations.</summary>
    public static readonly string[] Seeds =
    {
        "mean(bce_logits(x, y))",
        "p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^2 * bce_logits(x, y))",
        "index c : n; mean[i](logsumexp[c](x[i, c]) - x[i, t[i]])",
        "p = sigmoid(x); 1 - (2 * sum(p * y) + alpha) / (sum(p) + sum(y) + alpha)",
        "index d : n;\nzn[i, d] = x[i, d] / norm[e](x[i, e]);\ns[i, j] = sum[d](zn[i, d] * zn[j, d]) / alpha;\nmean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == t[i]](s[i, j]))",
        "d = x - y; mean(where(abs(d) <= alpha, 0.5 * d^2, alpha * (abs(d) - 0.5 * alpha)))",
        "mean(relu(alpha - y * x)^2) # squared hinge, \"quoted\"",
        "index c : n; lse = logsumexp[c](x[i, c]); mean[i]((1 - alpha) * (lse - x[i, t[i]]) + alpha * (lse - mean[c](x[i, c])))",
        "mean(softplus(-alpha * y * x)) + 1e-4 * sum(x^2)",
        "index c : n; lpy = x[i, t[i]] - logsumexp[c](x[i, c]); mean[i](-(1 - exp(lpy))^2 * lpy)",
        "index c : n; mean[i](sum[c](exp(log_softmax[c](x[i, c])) * (log_softmax[c](x[i, c]) - log_softmax[c](y[i, c]))))",
        "mean(where(x > 0 && !(y < .5), sqrt(1 + x*x), -x)) - 2.5e-1 * max(x) + count(x > alpha) / 3",
    };

    private static readonly string[] s_tokens =
    {
        "x", "y", "t", "n", "alpha", "dx", "i", "j", "c", "e", "mean", "sum", "max", "min", "logsumexp", "sigmoid", "softplus", "where",
        "index", "norm", "softmax", "log_softmax", "count", "dot", "foo", "inf", "pi", "(", ")", "[", "]", ",", ";", ":", "|", "+", "-", "*",
        "/", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "=", "&", "1", "0", "0.5", "2e-3", ".5", "1.2.3", "1e", "3f", "#", " ",
        "\n", "\"", "\"\"", "\\", "'", "$", "@", "{", "}", "\t", "\u00e9", "\u03c0", "\u2212", "\U0001F600",
    };

    private static readonly string s_printable = new(Enumerable.Range(32, 95).Select(c => (char)c).ToArray());

    /// <summary>A random malformed (mostly) expression: random characters, a token soup, or a mutated seed.</summary>
    internal static string RandomMalformed(Random r)
    {
        double kind = r.NextDouble();
        if (kind < 0.25)
        {
            var sb = new StringBuilder();
            int len = r.Next(0, 41);
            for (int k = 0; k < len; k++)
            {
                double p = r.NextDouble();
                sb.Append(p < 0.9 ? s_printable[r.Next(s_printable.Length)].ToString() : p < 0.95 ? "\n" : s_tokens[r.Next(s_tokens.Length - 4, s_tokens.Length)]);
            }
            return sb.ToString();
        }
        if (kind < 0.4)
        {
            var sb = new StringBuilder();
            int count = r.Next(1, 21);
            for (int k = 0; k < count; k++) sb.Append(s_tokens[r.Next(s_tokens.Length)]).Append(r.Next(3) == 0 ? " " : "");
            return sb.ToString();
        }
        string s = Seeds[r.Next(Seeds.Length)];
        int mutations = r.Next(1, 4);
        for (int m = 0; m < mutations; m++) s = Mutate(r, s);
        return s;
    }

    private static string Mutate(Random r, string s)
    {
        if (s.Length == 0) return s_tokens[r.Next(s_tokens.Length)];
        int at = r.Next(s.Length);
        switch (r.Next(8))
        {
            case 0: return s.Remove(at, 1); // delete a character
            case 1: return s.Insert(at, s[at].ToString()); // duplicate a character
            case 2: // swap two adjacent characters
                if (at + 1 >= s.Length) return s;
                return s.Substring(0, at) + s[at + 1] + s[at] + s.Substring(at + 2);
            case 3: return s.Substring(0, at); // truncate
            case 4: return s.Insert(at, s_tokens[r.Next(s_tokens.Length)]); // insert a random token
            case 5: return s.Remove(at, 1).Insert(at, s_printable[r.Next(s_printable.Length)].ToString()); // replace a character
            case 6: return s.Remove(at, Math.Min(s.Length - at, r.Next(1, 8))); // delete a range
            default: return s.Substring(0, at) + s.Substring(r.Next(at, s.Length)); // cut out a piece (possibly empty)
        }
    }

    private sealed record MethodSite(string Name, string Expression, int LiteralStart, int LiteralEnd, int ContentStart, TextSpan ParameterList);

    /// <summary>One source with a method per expression, each in a verbatim string literal (quotes doubled).</summary>
    private static (string Source, List<MethodSite> Sites) MalformedSource(IReadOnlyList<string> expressions, int firstIndex)
    {
        var sb = new StringBuilder("using System;\nusing LossDsl;\n\nnamespace Fuzz;\n\npublic static partial class Malformed\n{\n");
        var sites = new List<MethodSite>();
        for (int k = 0; k < expressions.Count; k++)
        {
            string name = "M" + (firstIndex + k);
            sb.Append("    [GeneratedLoss(");
            int literalStart = sb.Length;
            sb.Append("@\"").Append(expressions[k].Replace("\"", "\"\"")).Append('"');
            int literalEnd = sb.Length;
            sb.Append(")]\n    public static partial float ").Append(name);
            int paramStart = sb.Length;
            sb.Append('(').Append(MalformedParameters).Append(')');
            var parameterList = TextSpan.FromBounds(paramStart, sb.Length);
            sb.Append(";\n\n");
            sites.Add(new MethodSite(name, expressions[k], literalStart, literalEnd, literalStart + 2, parameterList));
        }
        sb.Append("}\n");
        return (sb.ToString(), sites);
    }

    /// <summary>Where offset <paramref name="offset"/> of the expression is in a verbatim literal (each quote is written twice).</summary>
    private static int VerbatimPosition(MethodSite site, int offset)
    {
        int quotes = 0;
        for (int k = 0; k < Math.Min(offset, site.Expression.Length); k++) if (site.Expression[k] == '"') quotes++;
        return site.ContentStart + offset + quotes;
    }

    [Fact]
    public void SeedsAreValid()
    {
        var (source, sites) = MalformedSource(Seeds, 0);
        var r = GeneratorHarness.Run(source);
        Assert.Empty(r.Errors);
        Assert.Equal(Seeds.Length, r.GeneratedSources.Length);
        foreach (var s in Seeds) LossExpression.Parse(s, s_malformedDeclarations);
        Assert.Equal(Seeds.Length, sites.Count);
    }

    [Fact]
    public void MalformedInputNeverCrashesAndIsReportedInsideItsLiteral()
    {
        var watch = Stopwatch.StartNew();
        var rng = new Random(Scale.Seed ?? 20261122);
        int count = Scale.Malformed;
        var expressions = Enumerable.Range(0, count).Select(_ => RandomMalformed(rng)).ToList();
        var problems = new List<string>();
        int generated = 0, rejected = 0;
        var idsSeen = new SortedDictionary<string, int>();

        for (int start = 0; start < expressions.Count; start += MalformedBatch)
        {
            var batch = expressions.Skip(start).Take(MalformedBatch).ToList();
            var (source, sites) = MalformedSource(batch, start);
            var r = GeneratorHarness.Run(source);
            var run = r.RunResult.Results[0];
            if (run.Exception is not null) problems.Add($"batch {start}: the generator threw {run.Exception}");
            foreach (var d in r.GeneratorDiagnostics.Concat(r.CompilationDiagnostics).Where(d => d.Id is "CS8785" or "LOSS9999"))
                problems.Add($"batch {start}: {d.Id}: {d.GetMessage()} at {d.Location.SourceSpan} (method {SiteAt(sites, d.Location.SourceSpan)?.Name}: {Show(SiteAt(sites, d.Location.SourceSpan)?.Expression)})");

            var hints = run.GeneratedSources.Select(s => s.HintName).ToHashSet();
            foreach (var site in sites)
            {
                bool hasCode = hints.Contains($"Fuzz.Malformed.{site.Name}_6.Loss.g.cs");
                var mine = r.GeneratorDiagnostics.Where(d => d.Location.SourceSpan.Start >= site.LiteralStart && d.Location.SourceSpan.Start <= site.ParameterList.End).ToList();
                foreach (var d in mine) idsSeen[d.Id] = idsSeen.GetValueOrDefault(d.Id) + 1;
                var errors = mine.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                string what = $"{site.Name} {Show(site.Expression)}";
                if (hasCode) generated++; else rejected++;

                if (hasCode && errors.Count > 0) problems.Add($"{what}: code was generated despite {string.Join(", ", errors.Select(e => e.Id))}");
                if (!hasCode && errors.Count == 0)
                    problems.Add($"{what}: no code and no error; diagnostics: {string.Join("; ", mine.Select(d => $"{d.Id} {d.Severity} {d.GetMessage()}"))}");
                foreach (var e in errors)
                {
                    var span = e.Location.SourceSpan;
                    bool inLiteral = span.Start >= site.LiteralStart && span.End <= site.LiteralEnd;
                    bool onParameters = site.ParameterList.Contains(span);
                    if (!inLiteral && !onParameters) problems.Add($"{what}: {e.Id} at {span} is outside its literal {TextSpan.FromBounds(site.LiteralStart, site.LiteralEnd)} and parameters");
                }

                // The interpreter (same front end) agrees: it accepts exactly the generated ones, and for the others
                // throws with one of the generator's error ids, at the same position for errors in the expression.
                try
                {
                    LossExpression.Parse(site.Expression, s_malformedDeclarations);
                    if (!hasCode) problems.Add($"{what}: the interpreter accepts it but the generator reported {string.Join(", ", errors.Select(e => e.Id))}");
                }
                catch (LossExpressionException ex)
                {
                    if (hasCode) problems.Add($"{what}: generated, but the interpreter rejects it: {ex.Id} {ex.Message}");
                    var same = errors.Where(e => e.Id == ex.Id).ToList();
                    var inExpression = same.Where(e => !site.ParameterList.Contains(e.Location.SourceSpan)).ToList();
                    if (same.Count == 0) problems.Add($"{what}: the interpreter reports {ex.Id} but the generator {string.Join(", ", errors.Select(e => e.Id))}");
                    else if (inExpression.Count > 0 && !inExpression.Any(e => e.Location.SourceSpan.Start == VerbatimPosition(site, ex.Offset)))
                        problems.Add($"{what}: {ex.Id} at offset {ex.Offset} in the interpreter maps to {VerbatimPosition(site, ex.Offset)}, but the generator reports it at {string.Join(", ", same.Select(e => e.Location.SourceSpan))}");
                }
                catch (Exception ex)
                {
                    problems.Add($"{what}: the interpreter throws {ex.GetType().Name}: {ex.Message}");
                }
            }
            foreach (var d in r.GeneratorDiagnostics.Where(d => SiteAt(sites, d.Location.SourceSpan) is null))
                problems.Add($"batch {start}: {d.Id} at {d.Location.SourceSpan} is in no method: {d.GetMessage()}");

            // Generated code compiles: the only compilation errors are the missing implementations of rejected methods.
            foreach (var g in r.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").GroupBy(d => d.Location.SourceTree?.FilePath ?? ""))
            {
                var site = sites.FirstOrDefault(s => g.Key.EndsWith($".{s.Name}_6.Loss.g.cs", StringComparison.Ordinal));
                problems.Add($"{site?.Name} {Show(site?.Expression)}: the generated code does not compile: " +
                             string.Join("; ", g.Select(d => $"{d.Id} {d.GetMessage()}").Distinct()));
            }
        }

        output.WriteLine($"{count} inputs: {generated} generated, {rejected} rejected in {watch.Elapsed.TotalSeconds:F1} s; ids: {string.Join(", ", idsSeen.Select(kv => kv.Key + "×" + kv.Value))}");
        Assert.True(problems.Count == 0, $"{problems.Count} problems, first ones:\n" + string.Join("\n", problems.Take(25)));
        // The mix exercises both outcomes and most syntax and binding errors.
        Assert.True(generated > count / 30 && rejected > count / 3, $"generated {generated}, rejected {rejected}");
        Assert.True(idsSeen.Keys.Count(id => id.StartsWith("LOSS0", StringComparison.Ordinal)) >= 10, "too few distinct diagnostics: " + string.Join(", ", idsSeen.Keys));
    }

    private static MethodSite? SiteAt(List<MethodSite> sites, TextSpan span) =>
        sites.FirstOrDefault(s => span.Start >= s.LiteralStart && span.Start <= s.ParameterList.End);

    private static string Show(string? expression) => expression is null ? "" :
        "\"" + expression.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\"", "\\\"") + "\"";

    // ---- (b) Well-formed input --------------------------------------------------------------------------------------

    /// <summary>
    /// The number of random valid losses, in batches of 100, each checked at 3 sizes: 1500 rather than 2000. Measured
    /// on 2 cores: a batch takes about 2.5 s to generate and compile (53,000 lines of kernels) and 0.8 s to run its 300
    /// kernel calls (JIT included) against the interpreter. 2000 took 65 s alone and 91 s beside the rest of the suite;
    /// 1500 take about 50 s alone, so this file stays well within 90 s.
    /// </summary>
    public const int WellFormedCount = 1500;
    private const int WellFormedBatch = 100;

    public enum Family { Elementwise, RowWise, Mixed, Pair, Saturated, ConstantGradient, Deep }

    internal static string ParametersOf(Family f) => f switch
    {
        Family.Elementwise or Family.ConstantGradient or Family.Deep => "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, Span<float> dy, float alpha",
        Family.RowWise => "ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dz, float alpha",
        Family.Pair => "ReadOnlySpan<float> f, ReadOnlySpan<float> yl, Span<float> df, float alpha, int dim",
        Family.Saturated => "ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha",
        _ => "ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, ReadOnlySpan<int> t, Span<float> dx, Span<float> dz, float alpha",
    };

    /// <summary>
    /// Parameter renamings of elementwise cases: names that the generated code derives from other parameters or uses
    /// itself, and a C# keyword (written <c>@class</c> in C#, <c>class</c> in the expression).
    /// </summary>
    private static readonly Dictionary<string, string>[] s_renames =
    {
        new() { ["y"] = "p_x" },
        new() { ["y"] = "s_alpha" },
        new() { ["alpha"] = "upstreamGradient" },
        new() { ["y"] = "class" },
    };

    /// <summary>
    /// Random valid losses. Values stay in a moderate range by construction: products take one bounded factor,
    /// divisors, logarithms, square roots and power bases are bounded away from zero, exp takes bounded arguments,
    /// and every comparison has a tensor on one side (never two constants).
    /// </summary>
    internal sealed class ExpressionGenerator
    {
        private readonly Random _r;
        private static readonly string[] s_constants = { "0.5", "2", "1.5", "0.25", "3", ".75", "1e-1", "1.25" };
        private static readonly string[] s_exponents = { "0.5", "1.5", "2", "3", "-0.5", "-1", "0", "1" };

        private enum Level { Element, Class, Row }

        private readonly List<string> _elementLets = new(), _rowLets = new();

        public ExpressionGenerator(Random r) { _r = r; }

        private bool P(double p) => _r.NextDouble() < p;
        private T Pick<T>(IReadOnlyList<T> a) => a[_r.Next(a.Count)];
        private string Const() => Pick(s_constants);

        private string TensorLeaf(Level l) => l switch
        {
            Level.Element => P(0.5) ? "x" : "y",
            Level.Class => P(0.85) ? "z[i, c]" : "z[i, t[i]]",
            _ => "z[i, t[i]]",
        };

        private string Leaf(Level l, int d)
        {
            double p = _r.NextDouble();
            if (l == Level.Element && _elementLets.Count > 0 && p < 0.15) return Pick(_elementLets);
            if (l == Level.Row && _rowLets.Count > 0 && p < 0.2) return Pick(_rowLets);
            if (l == Level.Row && p < 0.65) return RowReduction(Math.Max(d, 1));
            if (l == Level.Class && d > 0 && p < 0.08) return RowReduction(d - 1); // a nested reduction (inner c shadows)
            if (p < 0.7) return TensorLeaf(l);
            if (p < 0.8) return "alpha";
            return Const();
        }

        /// <summary>A reduction over the classes of row i; its body always uses z[i, c] directly (so c has an extent).</summary>
        private string RowReduction(int d)
        {
            int kind = _r.Next(6);
            string body = kind is 2 or 5 ? Bnd(Level.Class, d) : Any(Level.Class, d);
            body = P(0.5) ? $"{body} + 0.25 * z[i, c]" : $"{body} - tanh(z[i, c])";
            // A term invariant in c: it receives its adjoint once per class.
            if (P(0.25)) body = $"{body} - {Pick(new[] { "0.5 * z[i, t[i]]", "tanh(z[i, t[i]])", "logsumexp[c](z[i, c])", "alpha * mean[c](z[i, c])" })}";
            return kind switch
            {
                0 or 1 => $"logsumexp[c]({body})",
                2 => $"sum[c]({body})",
                3 => $"mean[c]({body})",
                4 => $"max[c]({body})",
                _ => $"sum[c | c != t[i]]({body})",
            };
        }

        private string Any(Level l, int d)
        {
            if (d <= 0 || P(0.15)) return Leaf(l, d);
            int n = d - 1;
            switch (_r.Next(l == Level.Class ? 25 : 23))
            {
                case 0: return $"({Any(l, n)} + {Any(l, n)})";
                case 1: return $"({Any(l, n)} - {Any(l, n)})";
                case 2: return $"({Any(l, n)} * {Bnd(l, n)})";
                case 3: return $"({Any(l, n)} / {Pos(l, n)})";
                case 4: return $"(-{Any(l, n)})";
                case 5: return $"abs({Any(l, n)})";
                case 6: return $"exp({Bnd(l, n)})";
                case 7: return $"log({Pos(l, n)})";
                case 8: return $"sqrt({Pos(l, n)})";
                case 9: return $"{Pick(new[] { "tanh", "atan", "erf" })}({Any(l, n)})";
                // Offset as comparisons are: max(sqrt(1 + z^2)^0, exp(tanh(a))^(0.5 * tanh(z))) ties at z = 0, and on the
                // band where the exponential rounds to 1 in float (seed 15, W3149).
                case 10: return $"{Pick(new[] { "min", "max" })}({Any(l, n)}, {Any(l, n)} + 0.3183)";
                case 11:
                {
                    // Bounds off the integers: a power of 1 + y^2 is exactly 1 in float for |y| < 2.4e-4, so at a bound
                    // of 1 float and float64 take different sides of the clamp on that band (seed 16, W6684).
                    int a = _r.Next(-3, 1);
                    return $"clamp({Any(l, n)}, {a} + 0.3183, {a + _r.Next(1, 4)} + 0.3183)";
                }
                case 12: return $"relu({Any(l, n)})";
                case 13: return $"where({Cond(l, n)}, {Any(l, n)}, {Any(l, n)})";
                case 14: return $"{Pos(l, n)}^{Pick(s_exponents)}";
                case 15: return $"{Pos(l, n)}^(0.5 * {Bnd(l, n)})";
                case 16: return $"softplus({Any(l, n)})";
                case 17: return $"sigmoid({Any(l, n)})";
                case 18: return $"log1p(exp({Bnd(l, n)}))";
                case 19: return $"({Const()} * {Any(l, n)})";
                case 20: return Bnd(l, d);
                case 21: return Pos(l, d);
                case 22: return $"({Any(l, n)} + {Any(l, n)} * {Bnd(l, n)})";
                case 23: return $"where(c == t[i], {Any(l, n)}, {Any(l, n)})";
                default: return $"{Pick(new[] { "log_softmax", "softmax" })}[c]({Bnd(l, n)} * 2)";
            }
        }

        /// <summary>Bounded: |value| &lt;= about 3.</summary>
        private string Bnd(Level l, int d)
        {
            if (d <= 0) return P(0.3) ? Const() : $"tanh({TensorLeaf(l)})";
            int n = d - 1;
            return _r.Next(7) switch
            {
                0 => $"tanh({Any(l, n)})",
                1 => $"atan({Any(l, n)})",
                2 => $"erf({Any(l, n)})",
                3 => $"sigmoid({Any(l, n)})",
                4 => $"clamp({Any(l, n)}, -2, 2)",
                5 => $"(2 * tanh({Any(l, n)}))",
                _ => P(0.5) ? $"atan({TensorLeaf(l)})" : Const(),
            };
        }

        /// <summary>Positive, bounded away from zero (at least about 0.04).</summary>
        private string Pos(Level l, int d)
        {
            if (d <= 0) return P(0.5) ? $"(1 + {TensorLeaf(l)}^2)" : "(alpha + 0.5)";
            int n = d - 1;
            return _r.Next(8) switch
            {
                0 => $"(1 + {Bnd(l, n)}^2)",
                1 => $"(0.5 + sigmoid({Any(l, n)}))",
                2 => $"exp({Bnd(l, n)})",
                3 => $"sqrt(1 + ({Any(l, n)})^2)",
                4 => $"(1 + abs({Any(l, n)}))",
                5 => $"softplus({Bnd(l, n)})",
                6 => $"sigmoid({Bnd(l, n)})",
                _ => $"(alpha + {Pos(l, n)})",
            };
        }

        private string Cond(Level l, int d)
        {
            string tensor = P(0.6) ? TensorLeaf(l) : $"{Pick(new[] { "abs", "tanh", "sigmoid" })}({TensorLeaf(l)})";
            string op = Pick(new[] { ">", "<", ">=", "<=" });
            // Two sides that are functions of the same leaf may agree to first order where both vanish (tanh(x) < x,
            // min(erf(x), atan(x)) > tanh(x)): float and float64 then take different branches on a band of inputs
            // (|x| < 5e-3 for a cubic gap), which no tolerance covers. An offset makes such crossings transversal; it
            // is no sum of the generator's constants, or `x > (x - 0.5) + 0.5` would tie everywhere (seed 11, W7255).
            string other = P(0.5) ? Const() : $"{Any(l, Math.Max(0, d - 1))} + 0.3183";
            string c = P(0.5) ? $"{tensor} {op} {other}" : $"{other} {op} {tensor}";
            if (d > 0 && P(0.3)) return $"({c}) {Pick(new[] { "&&", "||" })} ({Cond(l, d - 1)})";
            if (d > 0 && P(0.1)) return $"!({c})";
            return c;
        }

        /// <summary>Let-bindings and the loss term over x and y (bare names: the flat index).</summary>
        private (string Lets, string Term) ElementPart(int depth)
        {
            var lets = new StringBuilder();
            _elementLets.Clear();
            if (P(0.35)) { lets.Append($"u = {Any(Level.Element, 2)}; "); _elementLets.Add("u"); }
            if (_elementLets.Count > 0 && P(0.4)) { lets.Append($"v = {Any(Level.Element, 2)}; "); _elementLets.Add("v"); }
            string a = Any(Level.Element, depth);
            string term = _r.Next(5) switch
            {
                0 => $"sum({a}) / 10",
                1 => $"mean({a}) + 0.5 * mean({Any(Level.Element, depth - 1)})",
                2 => $"logsumexp({Bnd(Level.Element, depth)})",
                _ => $"mean({a})",
            };
            // Keeps dx and dy from being identically zero (which is an error).
            return (lets.ToString(), term + " + 0.01 * mean(x * y)");
        }

        /// <summary>Let-bindings and the loss term over z [rows, classes] and labels t [rows].</summary>
        private (string Lets, string Term) RowPart(int depth)
        {
            var lets = new StringBuilder();
            _rowLets.Clear();
            if (P(0.3)) { lets.Append("lse[i] = logsumexp[c](z[i, c]); "); _rowLets.Add("lse[i]"); }
            if (P(0.2)) { lets.Append($"m = max[c]({Bnd(Level.Class, 1)} + z[i, c]); "); _rowLets.Add("m"); }
            // The reduced body uses its indices directly, so their extents are known; t gives the row count.
            string term = _r.Next(5) switch
            {
                0 => $"sum[i]({Any(Level.Row, depth)} + 0.1 * z[i, t[i]]) / 5",
                1 => $"mean[i, c]({Any(Level.Class, depth)} - 0.1 * z[i, c] + 0.1 * z[i, t[i]])",
                2 => $"mean({Any(Level.Row, depth)} + 0.1 * z[i, t[i]])",
                _ => $"mean[i]({Any(Level.Row, depth)} + 0.1 * z[i, t[i]])",
            };
            return (lets.ToString(), term + " + 0.01 * mean[i](sum[c](z[i, c] * z[i, c]) - z[i, t[i]])");
        }

        /// <summary>
        /// A pair space over the rows of f [rows, dim] (a similarity binding) reduced per row with filters on the float
        /// labels yl, counts and several reductions of the same pairs.
        /// </summary>
        private string PairPart()
        {
            // The first three become tiled pair passes (contractions) in float; the L1 distance has no contraction
            // form and runs as nested loops, as every pair space of a double kernel does.
            string similarity = _r.Next(4) switch
            {
                0 => "s[i, j] = sum[d](f[i, d] * f[j, d]) * alpha; ",
                1 => "zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); ",
                2 => "s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; ",
                _ => "s[i, j] = -sum[d](abs(f[i, d] - f[j, d])) * alpha; ",
            };
            string w = Pick(new[] { "0.25", "0.5", "1" });
            string Term() => _r.Next(7) switch
            {
                0 => "logsumexp[j | j != i](s[i, j])",
                1 => $"where(count[j](abs(yl[i] - yl[j]) <= {w}) > 1, logsumexp[j](s[i, j]), 0)",
                2 => "logsumexp[j](s[i, j]) + logsumexp[j](-s[i, j])",
                3 => "sum[j | yl[j] == yl[i] && j != i](softplus(-s[i, j])) / (1 + count[j](yl[j] == yl[i]))",
                4 => "max[j | j != i](s[i, j])",
                5 => "sum[j](sigmoid(s[i, j]) * where(yl[i] == yl[j], -1, 1))",
                _ => $"logsumexp[j | yl[j] != yl[i]](s[i, j] + {Const()}) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i])",
            };
            return "index d, e : dim; " + similarity + (P(0.5) ? $"mean[i]({Term()})" : $"mean[i]({Term()} + 0.5 * {Term()})");
        }

        /// <summary>A focal-like loss whose powers meet saturated probabilities (the inputs reach |x| = 1e4).</summary>
        private string SaturatedPart()
        {
            string b = Pick(new[] { "(1 - pt)", "pt", "p", "(1 - p)", "sigmoid(-x)" });
            // 1 - pt cancels in float as pt saturates (at x = 8 it keeps 3 digits; PyTorch's float32 focal loss computes
            // the same), and a fractional power of it amplifies that error in the gradient beyond the tolerance against
            // the float64 interpreter: it takes integral exponents here (GradientRuleTests checks the saturated focal
            // gradient at gamma 0 and 0.5 against a float64 reference).
            string e = b == "(1 - pt)" ? Pick(new[] { "0", "1", "2", "3" }) : Pick(new[] { "0", "0.5", "1", "1.5", "2", "3", "alpha" });
            string m = Pick(new[] { "bce_logits(x, y)", "softplus(-x)", "-log(pt + 1e-6)", "1" });
            return $"p = sigmoid(x); pt = y * p + (1 - y) * (1 - p); mean({b}^{e} * {m}) + 0.01 * mean(softplus(x) * y)";
        }

        /// <summary>A loss whose gradient with respect to y does not depend on the data (a constant broadcast).</summary>
        private string ConstantGradientPart(int depth)
        {
            _elementLets.Clear();
            // a term of x alone, so that y appears only linearly
            string a = System.Text.RegularExpressions.Regex.Replace(Any(Level.Element, depth), @"\by\b", "x");
            return _r.Next(3) switch
            {
                0 => $"mean({a}) + 0.5 * mean(x * x) - {Const()} * mean(y)",
                // Not `+ x` (a = -1 cancels it: seed 11, W4398, clamp(log(1.25), -2, -1) * x + x) nor `+ x * x` (a = -x
                // cancels it: seed 12, W3738): softplus(x) is no product of a generated term and x.
                1 => $"mean({a} * x + 0.37 * softplus(x)) + alpha * sum(y)",
                _ => $"mean({a}) + 0.37 * mean(x) - mean(y)",
            };
        }

        /// <summary>Deep nesting (a chain of up to 60 functions, each a level of parentheses) or a long sum (up to 500 terms).</summary>
        private string DeepPart()
        {
            if (P(0.5))
            {
                string e = "x";
                int levels = _r.Next(10, 61);
                for (int k = 0; k < levels; k++)
                {
                    e = _r.Next(4) switch
                    {
                        0 => $"tanh(0.9 * {e} + 0.1 * y)",
                        1 => $"({e} - 0.25 * y) / 1.5",
                        2 => $"(softplus({e}) - 0.5)",
                        _ => $"atan({e} + y)",
                    };
                }
                return $"mean({e}) + 0.01 * mean(x * y)";
            }
            int terms = _r.Next(50, 501);
            var sb = new StringBuilder("mean(");
            for (int k = 0; k < terms; k++)
            {
                if (k > 0) sb.Append(_r.Next(4) == 0 ? " - " : " + ");
                sb.Append((0.001 * (k + 1)).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Append(" * ")
                  .Append(Pick(new[] { "x", "y", "x * y", "tanh(x)", "sigmoid(y)", "x^2", "softplus(x - y)" }));
            }
            return sb.Append(')').ToString();
        }

        public string Next(Family f)
        {
            int depth = _r.Next(1, 5);
            switch (f)
            {
                case Family.Elementwise: { var (l, t) = ElementPart(depth); return l + t; }
                case Family.RowWise: { var (l, t) = RowPart(depth); return l + t; }
                case Family.Pair: return PairPart();
                case Family.Saturated: return SaturatedPart();
                case Family.ConstantGradient: return ConstantGradientPart(depth);
                case Family.Deep: return DeepPart();
                default:
                {
                    var (rl, rt) = RowPart(Math.Max(1, depth - 1));
                    var (el, et) = ElementPart(Math.Max(1, depth - 1));
                    return rl + el + rt + " + " + et;
                }
            }
        }
    }

    /// <summary>A random valid loss; <see cref="Renames"/> renames parameters (base name to name), <see cref="Overload"/>
    /// adds a same-arity overload on double spans.</summary>
    private sealed record WellFormed(int Index, Family Family, string Expression, Dictionary<string, string>? Renames = null, bool Overload = false)
    {
        public string Name => "W" + Index;

        /// <summary>The expression as declared (renamed).</summary>
        public string Declared => Renames is null ? Expression
            : Renames.Aggregate(Expression, (e, kv) => System.Text.RegularExpressions.Regex.Replace(e, $@"\b{kv.Key}\b", kv.Value));

        public string Rename(string name) => Renames is not null && Renames.TryGetValue(name, out var n) ? n : name;

        /// <summary>The C# parameter list, renamed (gradients follow their input; keywords escaped).</summary>
        public string Parameters => string.Join(", ", ParametersOf(Family).Split(", ").Select(p =>
        {
            int space = p.LastIndexOf(' ');
            string type = p.Substring(0, space), name = p.Substring(space + 1);
            string renamed = type == "Span<float>" && name.StartsWith('d') ? "d" + Rename(name.Substring(1)) : Rename(name);
            return type + " " + (Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(renamed) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + renamed : renamed);
        }));

        public Dictionary<string, object> RenameInputs(Dictionary<string, object> inputs) => inputs.ToDictionary(kv => Rename(kv.Key), kv => kv.Value);

        public LossParameterDeclaration[] Declarations => FuzzTests.Declarations(Family).Select(d =>
            new LossParameterDeclaration(d.Kind == LossParameterKind.Gradient ? "d" + Rename(d.Name.Substring(1)) : Rename(d.Name), d.Kind)).ToArray();
    }

    private static string WellFormedSource(IEnumerable<WellFormed> items)
    {
        var sb = new StringBuilder("using System;\nusing LossDsl;\n\nnamespace Fuzz;\n\npublic static partial class WellFormed\n{\n");
        foreach (var w in items)
        {
            string attribute = "    [GeneratedLoss(@\"" + w.Declared.Replace("\"", "\"\"") + "\")]\n";
            sb.Append(attribute).Append("    public static partial float ").Append(w.Name).Append('(').Append(w.Parameters).Append(");\n\n");
            if (w.Overload)
                sb.Append(attribute).Append("    public static partial double ").Append(w.Name).Append('(')
                  .Append(w.Parameters.Replace("<float>", "<double>").Replace("float ", "double ")).Append(");\n\n");
        }
        return sb.Append("}\n").ToString();
    }

    private static readonly int[] s_smallSizes = { 0, 1, 2, 3 }, s_middleSizes = { 7, 8, 9 }, s_largeSizes = { 17, 100 };
    private static readonly int[] s_classCounts = { 1, 3, 8, 17 };
    private static readonly float[] s_saturated = { 20, -20, 1e4f, -1e4f, 15, -15, 8, -8 };

    private static Dictionary<string, object> Inputs(Family f, Random r, int size)
    {
        var d = new Dictionary<string, object> { ["alpha"] = (float)(0.3 + 1.2 * r.NextDouble()) };
        switch (f)
        {
            case Family.Pair:
            {
                // At most 20 rows: the interpreter evaluates a pair space's gradient densely, O(rows^3 dim^2).
                int rows = Math.Clamp(size, 2, 20), dim = new[] { 1, 3, 8 }[r.Next(3)];
                d["f"] = LossCheck.Normal(r, rows * dim, 0.7);
                d["yl"] = Enumerable.Range(0, rows).Select(_ => (float)r.Next(3)).ToArray();
                d["dim"] = dim;
                return d;
            }
            case Family.Saturated:
            {
                // Every third element moderate (so the gradient has a scale), the others saturated.
                var x = LossCheck.Normal(r, size, 2);
                for (int k = 0; k < size; k++) if (k % 3 != 0) x[k] = s_saturated[r.Next(s_saturated.Length)];
                d["x"] = x;
                d["y"] = LossCheck.Bits(r, size);
                return d;
            }
        }
        if (f != Family.RowWise)
        {
            d["x"] = LossCheck.Normal(r, size);
            d["y"] = LossCheck.Normal(r, size);
        }
        if (f is Family.RowWise or Family.Mixed)
        {
            int rows = f == Family.Mixed ? r.Next(0, 6) : size, classes = s_classCounts[r.Next(s_classCounts.Length)];
            d["z"] = LossCheck.Normal(r, rows * classes, 1.5);
            d["t"] = LossCheck.Labels(r, rows, classes);
        }
        return d;
    }

    /// <summary>The family of case k: half elementwise, then row-wise, mixed, and one in twenty of each special family.</summary>
    private static Family FamilyOf(int k) => (k % 20) switch
    {
        < 9 => Family.Elementwise,
        < 14 => Family.RowWise,
        < 16 => Family.Mixed,
        16 => Family.Pair,
        17 => Family.Saturated,
        18 => Family.ConstantGradient,
        _ => Family.Deep,
    };

    /// <summary>The random losses of <see cref="WellFormedKernelsMatchTheInterpreter"/>, in order (fixed seed).</summary>
    /// <summary>The draws for a new expression before a case accepts a repeat.</summary>
    private const int MaxDrawsPerCase = 1000;

    private static List<WellFormed> WellFormedItems()
    {
        var r = new Random(Scale.Seed ?? 4242);
        var gen = new ExpressionGenerator(r);
        var items = new List<WellFormed>();
        var seen = new HashSet<string>();
        int repeated = 0;
        for (int k = 0; k < Scale.WellFormed; k++)
        {
            var family = FamilyOf(k);
            string e;
            // No duplicates (small ones repeat), within a bound: a family whose expressions a long run has all drawn
            // would otherwise never end (seed 7 stalled here at 10,000 cases); past it, a repeat is checked again.
            int attempts = 0;
            do e = gen.Next(family); while (!seen.Add(e) && ++attempts < MaxDrawsPerCase);
            if (attempts == MaxDrawsPerCase) repeated++;
            double variant = r.NextDouble();
            var renames = family == Family.Elementwise && variant < 0.1 ? s_renames[r.Next(s_renames.Length)] : null;
            bool overload = variant >= 0.1 && variant < 0.16;
            items.Add(new WellFormed(k, family, e, renames, overload));
        }
        Scale.Log($"{items.Count} cases drawn ({repeated} repeats after {MaxDrawsPerCase} draws)");
        return items;
    }

    [Fact]
    public void RandomWellFormedExpressionsAreAcceptedByTheInterpreter()
    {
        // Valid by construction: the interpreter (the same front end as the generator) accepts every one, and the
        // set is diverse. A failure here is either a mistake of the expression generator or a front-end bug.
        var items = WellFormedItems();
        var rejected = new List<string>();
        foreach (var w in items)
        {
            try { LossExpression.Parse(w.Declared, w.Declarations); }
            catch (LossExpressionException e) { rejected.Add($"{w.Name} ({w.Family}): {Show(w.Declared)}\n    {e.Message.Replace("\n", "\n    ")}"); }
        }
        Assert.True(rejected.Count == 0, $"{rejected.Count} rejected, the first ones:\n" + string.Join("\n", rejected.Take(10)));
        Assert.Equal(items.Count, items.Select(w => w.Expression).Distinct().Count());
        foreach (var f in new[] { "log(", "sqrt(", "exp(", "^", "where(", "logsumexp", "max[c]", "min(", "clamp(", "relu(", "erf(", "atan(", "u = ", "lse[i]", "softmax[c]", "&&", "||", "!(", "c == t[i]",
                                  "count[j]", "s[i, j]", "^0)", "sum(y)", "p_x", "upstreamGradient", "class", "- logsumexp[c](z[i, c])" })
            Assert.True(items.Count(w => (w.Declared + w.Parameters).Contains(f, StringComparison.Ordinal)) >= 3, $"too few declarations with '{f}'");
        Assert.True(items.Count(w => w.Overload) >= 10, "too few overloads");
        Assert.True(items.Max(w => w.Declared.Count(c => c == '(')) >= 50, "no deeply nested expression");
    }

    internal static LossParameterDeclaration[] Declarations(Family f) => f switch
    {
        Family.Elementwise or Family.ConstantGradient or Family.Deep => new[] { LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Gradient("dy"), LossParameterDeclaration.Real("alpha") },
        Family.RowWise => new[] { LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("t"), LossParameterDeclaration.Gradient("dz"), LossParameterDeclaration.Real("alpha") },
        Family.Pair => new[] { LossParameterDeclaration.Tensor("f"), LossParameterDeclaration.Tensor("yl"), LossParameterDeclaration.Gradient("df"), LossParameterDeclaration.Real("alpha"), LossParameterDeclaration.Int("dim") },
        Family.Saturated => new[] { LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Real("alpha") },
        _ => new[] { LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("t"), LossParameterDeclaration.Gradient("dx"), LossParameterDeclaration.Gradient("dz"), LossParameterDeclaration.Real("alpha") },
    };

    /// <summary>The float kernel of a case (the declaration on float spans; a case may have a double overload).</summary>
    private static MethodInfo KernelOf(Type type, WellFormed w) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == w.Name && m.ReturnType == typeof(float)
            && m.GetCustomAttributesData().Any(a => a.AttributeType.Name == "GeneratedLossAttribute"));

    /// <summary>The double overload of a case (declared when <see cref="WellFormed.Overload"/>).</summary>
    private static MethodInfo DoubleOf(Type type, WellFormed w) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == w.Name && m.ReturnType == typeof(double)
            && m.GetCustomAttributesData().Any(a => a.AttributeType.Name == "GeneratedLossAttribute"));

    /// <summary>The double overload of a case compiled on its own (a float miss asks for it, see <see cref="RoundingCheck"/>).</summary>
    private static MethodInfo DoubleKernelOf(WellFormed w) =>
        DoubleOf(CompileAndLoad(WellFormedSource(new[] { w with { Overload = true } })).GetType("Fuzz.WellFormed")!, w);

    /// <summary>
    /// The double overload of a case: against the interpreter to <see cref="RoundingCheck.DoubleTolerance"/>, and a
    /// second call on the same inputs gives the same bits (a double pair space runs as nested loops, not tiles: its
    /// scratch buffers and passes are other code than the float kernel's).
    /// </summary>
    private static void CheckDoubleCase(MethodInfo kernel, Dictionary<string, object> inputs, int size)
    {
        var interp = LossCheck.Interpreter(kernel);
        var dInputs = inputs.ToDictionary(kv => kv.Key, kv => kv.Value switch { float[] f => (object)Array.ConvertAll(f, v => (double)v), float f => (double)f, var v => v });
        var reference = interp.EvaluateWithGradients(dInputs);
        var (first, firstGradients) = RoundingCheck.RunDoubleKernel(kernel, dInputs);
        RoundingCheck.CheckDoubleKernel(kernel, dInputs, reference.Loss, reference.Gradients);
        var (second, secondGradients) = RoundingCheck.RunDoubleKernel(kernel, dInputs);
        Assert.True(BitConverter.DoubleToInt64Bits(first) == BitConverter.DoubleToInt64Bits(second), $"size {size}: the double kernel returns {second:R} on a second call, {first:R} on the first");
        foreach (var (name, g) in firstGradients)
            for (int k = 0; k < g.Length; k++)
                Assert.True(BitConverter.DoubleToInt64Bits(g[k]) == BitConverter.DoubleToInt64Bits(secondGradients[name][k]), $"size {size}: the double kernel's {name}[{k}] is {secondGradients[name][k]:R} on a second call, {g[k]:R} on the first");
    }

    /// <summary>
    /// Checks one case at one size: the kernel against the interpreter; a second call on the same inputs gives the
    /// same bits; with <paramref name="finiteDifferences"/>, the interpreter's gradients against central finite
    /// differences of its float64 loss (which catches a wrong derivative rule that the kernel and the interpreter share).
    /// A miss of the fixed tolerances is accepted only as float rounding of an ill-conditioned value, which
    /// <see cref="RoundingCheck"/> establishes (the double kernel matches the interpreter, and the miss is within the
    /// value's rounding spread); the account is returned, null when nothing missed.
    /// </summary>
    private static string? CheckCase(MethodInfo method, WellFormed w, Dictionary<string, object> inputs, int size, bool finiteDifferences, Random rng, MethodInfo? doubleKernel = null)
    {
        string? rounding = null;
        var (loss, gradients) = LossCheck.RunKernel(method, inputs);
        try
        {
            LossCheck.CompareWithInterpreter(method, inputs, loss, gradients, $" (size {size})");
        }
        catch (Xunit.Sdk.XunitException miss)
        {
            try { rounding = RoundingCheck.Explain(method, doubleKernel ?? DoubleKernelOf(w), inputs, loss, gradients, new Random(w.Index)); }
            catch (Xunit.Sdk.XunitException why) { throw new Xunit.Sdk.XunitException(miss.Message + "\n" + why.Message); }
        }
        // The second call is compared with the first (the one checked above), bit for bit.
        var args = LossCheck.KernelArguments(method, inputs);
        float again = LossInvoker.For(method).Invoke(args);
        Assert.True(BitConverter.SingleToInt32Bits(loss) == BitConverter.SingleToInt32Bits(again), $"size {size}: a second call returns {again:R}, the first {loss:R}");
        foreach (var (p, i) in method.GetParameters().Select((p, i) => (p, i)).Where(x => x.p.ParameterType == typeof(Span<float>)))
        {
            var first = gradients[p.Name!];
            var second = (float[])args[i];
            for (int k = 0; k < first.Length; k++)
                Assert.True(BitConverter.SingleToInt32Bits(first[k]) == BitConverter.SingleToInt32Bits(second[k]), $"size {size}: {p.Name}[{k}] is {second[k]:R} on a second call, {first[k]:R} on the first");
        }
        if (finiteDifferences && float.IsFinite(loss)) LossCheck.CheckFiniteDifferences(method, inputs, 3, rng);
        if (doubleKernel is not null) CheckDoubleCase(doubleKernel, inputs, size);
        return rounding;
    }

    [Fact]
    public void WellFormedKernelsMatchTheInterpreter()
    {
        var watch = Stopwatch.StartNew();
        var only = Scale.Only;
        var items = WellFormedItems().Where(w => only is null || only.Contains(w.Name)).ToList();

        var failures = new List<string>();
        var rounding = new List<string>();
        int checkedCalls = 0;
        var compileTime = new Stopwatch();
        for (int start = 0; start < items.Count; start += WellFormedBatch)
        {
            var batch = items.Skip(start).Take(WellFormedBatch).ToList();
            Assembly assembly;
            Scale.Log($"batch {start}: generating and compiling {batch.Count} cases ({batch[0].Name}..{batch[^1].Name})");
            compileTime.Start();
            try
            {
                assembly = CompileAndLoad(WellFormedSource(batch));
            }
            catch (InvalidOperationException)
            {
                // Find the methods at fault, report them, and compile the rest.
                var r = GeneratorHarness.Run(WellFormedSource(batch));
                var bad = new HashSet<string>();
                foreach (var w in batch)
                {
                    var one = GeneratorHarness.Run(WellFormedSource(new[] { w }));
                    var errors = one.Errors.ToList();
                    if (errors.Count == 0) continue;
                    bad.Add(w.Name);
                    failures.Add($"{w.Name} ({w.Family}) does not compile: {Show(w.Declared)}\n    " + string.Join("\n    ", errors.Take(5).Select(e => e.ToString())));
                }
                Assert.True(bad.Count > 0, "the batch failed to compile but no single method does:\n" + string.Join("\n", r.Errors.Take(10)));
                batch = batch.Where(w => !bad.Contains(w.Name)).ToList();
                assembly = CompileAndLoad(WellFormedSource(batch));
            }

            compileTime.Stop();
            Scale.Log($"batch {start}: {batch.Count} cases compiled, {compileTime.Elapsed.TotalSeconds:F1} s compiling so far, {watch.Elapsed.TotalSeconds:F1} s in all");
            var type = assembly.GetType("Fuzz.WellFormed")!;
            foreach (var w in batch)
            {
                var caseWatch = Stopwatch.StartNew();
                Scale.Log($"  {w.Name} ({w.Family}) starts");
                var method = KernelOf(type, w);
                var doubleKernel = w.Overload ? DoubleOf(type, w) : null;
                var inputRng = new Random(1000 + w.Index);
                int[] sizes = { Pick(inputRng, s_smallSizes), Pick(inputRng, s_middleSizes), Pick(inputRng, s_largeSizes) };
                foreach (int size in sizes)
                {
                    try
                    {
                        if (CheckCase(method, w, w.RenameInputs(Inputs(w.Family, inputRng, size)), size, finiteDifferences: size == sizes[1], inputRng, doubleKernel) is { } account)
                        {
                            rounding.Add($"{w.Name} ({w.Family}, size {size}): {account}");
                            Scale.Log($"  {w.Name} misses the fixed tolerances at size {size}: {account}");
                        }
                        checkedCalls++;
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{w.Name} ({w.Family}, size {size}): {Show(w.Declared)}\n    {e.GetType().Name}: {e.Message.Replace("\n", "\n    ")}");
                        Scale.Log($"  {w.Name} FAILS at size {size}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                        break;
                    }
                }
                if (caseWatch.Elapsed.TotalSeconds > 1) Scale.Log($"  {w.Name} ({w.Family}) took {caseWatch.Elapsed.TotalSeconds:F1} s: {Show(w.Declared)}");
            }
        }

        output.WriteLine($"{items.Count} expressions, {checkedCalls} kernel calls compared (each called twice), {failures.Count} failures, "
            + $"{rounding.Count} float-rounding misses, {watch.Elapsed.TotalSeconds:F1} s ({compileTime.Elapsed.TotalSeconds:F1} s generating and compiling)");
        foreach (var line in rounding) output.WriteLine("  " + line);
        Scale.Log($"done: {items.Count} expressions, {checkedCalls} kernel calls, {failures.Count} failures, {rounding.Count} float-rounding misses");
        Assert.True(failures.Count == 0, $"{failures.Count} of {items.Count} random losses fail; the first ones:\n" + string.Join("\n", failures.Take(15)));
    }

    /// <summary>
    /// Case W3247 of a 6,000-case run with seed 4343 missed its tolerance at size 1 (dz[0]: kernel 7.4108e-4,
    /// interpreter 7.3347e-4): the derivative of tanh, written 1 - tanh^2, cancels in float where tanh saturates
    /// (here tanh of a sum over 16 classes). It is now 4t / (1 + t)^2 with t = exp(-2|x|).
    /// </summary>
    [Fact]
    public void FuzzCaseW3247OfSeed4343MatchesTheInterpreter()
    {
        const string expression = "mean(where(.75 <= abs(z[i, t[i]]), atan(clamp(clamp(logsumexp[c]((z[i, c] / (alpha + 0.5)) + 0.25 * z[i, c]), -3, -1), 0, 1)), exp((2 * tanh(sum[c | c != t[i]]((2 * tanh(1.5)) - tanh(z[i, c])))))^3) + 0.1 * z[i, t[i]]) + 0.01 * mean[i](sum[c](z[i, c] * z[i, c]) - z[i, t[i]])";
        var w = new WellFormed(3247, Family.RowWise, expression);
        var type = CompileAndLoad(WellFormedSource(new[] { w })).GetType("Fuzz.WellFormed")!;
        var rng = new Random(1000 + w.Index);
        int size = Pick(rng, s_smallSizes);
        Assert.Equal(1, size);
        Assert.Null(CheckCase(KernelOf(type, w), w, Inputs(w.Family, rng, size), size, finiteDifferences: true, rng));
        // The same expression at larger sizes and over other rows.
        foreach (int n in new[] { 1, 3, 17 }) Assert.Null(CheckCase(KernelOf(type, w), w, Inputs(w.Family, rng, n), n, finiteDifferences: true, rng));
    }

    /// <summary>
    /// The 11 gradient misses of the two 10,000-case runs of seeds 7 and 8 (docs/architecture.md, "Runs recorded"), each
    /// checked again at its three sizes, with its double overload (each kernel called twice). What they found:
    /// <list type="bullet">
    /// <item>the double kernel of W3256 returned another loss at every call: its fused pass read two row maxima from
    ///   scratch buffers before the passes that fill them (the scheduler fused a sum of exponentials into the loop of a
    ///   maximum that the gradient also materializes for every row). Every pair space of a double kernel runs as nested
    ///   loops, as a float one without a contraction form does (the L1 distance: the last row here);</item>
    /// <item>W3256, W5396, W1096 and W1976 lost the small gradient of a row whose own pair (distance 0) dominates a
    ///   logsumexp: the tiled back contraction computed f(i) sum[j](w) - sum[j](w f(j)), which cancels in float. The
    ///   diagonal of such a pair of terms is exactly 0 and is now skipped (PairSpaces.OffDiagonalFeatures);</item>
    /// <item>the rest are float rounding of gradients that are small differences of large terms, which
    ///   <see cref="RoundingCheck"/> establishes (seed 15's W8685 is one inside a mean: 1 - 1/(1 + y^2), the derivative of
    ///   y - atan(y), which the check's terms now reach).</item>
    /// </list>
    /// </summary>
    public static TheoryData<int, int, Family, string> RecordedMisses => new()
    {
        { 7, 2876, Family.Pair, "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + 0.5) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * sum[j](sigmoid(s[i, j]) * where(yl[i] == yl[j], -1, 1)))" },
        { 7, 3256, Family.Pair, "index d, e : dim; s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + .75) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * logsumexp[j](s[i, j]) + logsumexp[j](-s[i, j]))" },
        { 7, 4076, Family.Pair, "index d, e : dim; s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; mean[i](sum[j](sigmoid(s[i, j]) * where(yl[i] == yl[j], -1, 1)) + 0.5 * sum[j | yl[j] == yl[i] && j != i](softplus(-s[i, j])) / (1 + count[j](yl[j] == yl[i])))" },
        { 7, 5396, Family.Pair, "index d, e : dim; s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; mean[i](where(count[j](abs(yl[i] - yl[j]) <= 0.5) > 1, logsumexp[j](s[i, j]), 0) + 0.5 * sum[j](sigmoid(s[i, j]) * where(yl[i] == yl[j], -1, 1)))" },
        { 7, 5896, Family.Pair, "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + 1.25) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * sum[j](sigmoid(s[i, j]) * where(yl[i] == yl[j], -1, 1)))" },
        { 8, 1096, Family.Pair, "index d, e : dim; s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; mean[i](where(count[j](abs(yl[i] - yl[j]) <= 0.5) > 1, logsumexp[j](s[i, j]), 0))" },
        { 8, 1976, Family.Pair, "index d, e : dim; s[i, j] = -sum[d]((f[i, d] - f[j, d])^2) * alpha; mean[i](where(count[j](abs(yl[i] - yl[j]) <= 1) > 1, logsumexp[j](s[i, j]), 0) + 0.5 * where(count[j](abs(yl[i] - yl[j]) <= 1) > 1, logsumexp[j](s[i, j]), 0))" },
        { 8, 4070, Family.RowWise, "sum[i]((1e-1 / (1 + z[i, t[i]]^2)) + 0.1 * z[i, t[i]]) / 5 + 0.01 * mean[i](sum[c](z[i, c] * z[i, c]) - z[i, t[i]])" },
        { 8, 7776, Family.Pair, "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + 3) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * logsumexp[j | j != i](s[i, j]))" },
        { 8, 8096, Family.Pair, "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + .75) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * logsumexp[j | j != i](s[i, j]))" },
        { 8, 8756, Family.Pair, "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + 1.5) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * max[j | j != i](s[i, j]))" },
        { 0, 3256, Family.Pair, "index d, e : dim; s[i, j] = -sum[d](abs(f[i, d] - f[j, d])) * alpha; mean[i](logsumexp[j | yl[j] != yl[i]](s[i, j] + .75) - sum[j | yl[j] == yl[i]](s[i, j]) / count[j](yl[j] == yl[i]) + 0.5 * logsumexp[j](s[i, j]) + logsumexp[j](-s[i, j]))" },
        { 15, 8685, Family.Elementwise, "u = atan(y); mean(((1.5 + y) - u)) + 0.01 * mean(x * y)" },
    };

    /// <summary>A recorded case compiled with its double overload, and its input generator and sizes as in the run.</summary>
    private static (WellFormed Case, Type Type, Random Inputs, int[] Sizes) Recorded(int index, Family family, string expression)
    {
        var w = new WellFormed(index, family, expression, Overload: true);
        var type = CompileAndLoad(WellFormedSource(new[] { w })).GetType("Fuzz.WellFormed")!;
        var inputRng = new Random(1000 + w.Index);
        int[] sizes = { Pick(inputRng, s_smallSizes), Pick(inputRng, s_middleSizes), Pick(inputRng, s_largeSizes) };
        return (w, type, inputRng, sizes);
    }

    [Theory]
    [MemberData(nameof(RecordedMisses))]
    public void RecordedFuzzMissesAreFixedOrFloatRounding(int seed, int index, Family family, string expression)
    {
        var (w, type, inputRng, sizes) = Recorded(index, family, expression);
        foreach (int size in sizes)
        {
            string? account = CheckCase(KernelOf(type, w), w, Inputs(w.Family, inputRng, size), size, finiteDifferences: size == sizes[1], inputRng, DoubleOf(type, w));
            if (account is not null) output.WriteLine($"seed {seed}, W{index}, size {size}: {account}");
        }
    }

    /// <summary>
    /// The 3 loss misses of the same runs branch on two functions of one input that agree to first order at 0
    /// (tanh(x) &lt; x): on a band of inputs around 0 the float kernel and the float64 interpreter take different
    /// branches, which no tolerance covers (the generator now offsets such comparisons). Seed 16's W6684 is the same
    /// kind at a clamp's bound: <c>(1 + y^2)^a</c> is 1 in float for |y| &lt; 2.4e-4 but above 1 in float64, so the
    /// float kernel sits on the bound (half the gradient, §6.3) where float64 is clamped (none); the generator now
    /// offsets clamp bounds. Seed 15's W3149 too: <c>max(1, exp(0.5 tanh(a) tanh(z)))</c> ties in float where the
    /// exponential rounds to 1; the generator now offsets the second argument of min and max. The double kernels, which
    /// round as the interpreter does, match it at every size; each call twice.
    /// </summary>
    public static TheoryData<int, int, Family, string> NearTieBranches => new()
    {
        { 8, 2560, Family.Elementwise, "u = min(erf(x), atan(x)); sum(softplus(tanh(where(u > tanh(x), (x + u * 0.5), tanh(2))))) / 10 + 0.01 * mean(x * y)" },
        { 8, 6480, Family.Elementwise, "logsumexp((2 * tanh(sigmoid(where((x >= y) || (tanh(x) < x), sqrt((1 + y^2)), sqrt((alpha + 0.5))))))) + 0.01 * mean(x * y)" },
        { 8, 7302, Family.Elementwise, "mean(((y + 1.5 * 3) + where(y <= tanh(y), 1.25, alpha))) + 0.5 * mean(exp(1e-1)) + 0.01 * mean(x * y)" },
        { 15, 3149, Family.RowWise, "mean[i, c](max(sqrt(1 + (z[i, c])^2)^0, exp(tanh(z[i, t[i]]))^(0.5 * tanh(z[i, c]))) - 0.1 * z[i, c] + 0.1 * z[i, t[i]]) + 0.01 * mean[i](sum[c](z[i, c] * z[i, c]) - z[i, t[i]])" },
        { 16, 6684, Family.Elementwise, "mean((sigmoid(clamp((1 + y^2)^(0.5 * tanh(x)), -2, 1)) + abs(softplus((-x))))) + 0.01 * mean(x * y)" },
    };

    [Theory]
    [MemberData(nameof(NearTieBranches))]
    public void NearTieBranchesMatchTheInterpreterInDouble(int seed, int index, Family family, string expression)
    {
        _ = seed; // names the run in the test's display name
        var (w, type, inputRng, sizes) = Recorded(index, family, expression);
        foreach (int size in sizes) CheckDoubleCase(DoubleOf(type, w), Inputs(w.Family, inputRng, size), size);
    }

    /// <summary>
    /// Seed 18's W6656 (a pair space of normalized rows at dim 1, <c>... + 0.5 * max[j | j != i](s[i, j])</c>) missed at
    /// size 17: df[4] was 3.842e-4 against 3.358e-4. Rows 4 and 9 hold inputs 4 float ulps apart (0.59774697 and
    /// 0.5977472); normalizing compresses them (d zn / df = 0.0047 there), so in float their normalized values are
    /// equal and row 2's maximum ties between them (the gradient is split, §6.3), while in float64 they differ and
    /// row 9 takes it all: the miss is half of that maximum's gradient, 4.85e-5. PyTorch's float32 autograd of the same
    /// formula (torch.amax also splits ties) gives 3.84226e-4, the kernel's value to 1.5e-8: a near tie, as the
    /// <see cref="NearTieBranches"/>, not a defect. This replays the run's inputs, checks the near tie, and with the
    /// tie made exact (row 4 := row 9, so that float64 splits too) the float kernel matches the interpreter;
    /// <see cref="RoundingCheck"/> now accounts for such a miss (its near-tie step).
    /// </summary>
    [Fact]
    public void FuzzCaseW6656OfSeed18IsANearTieOfAMaximum()
    {
        const string expression = "index d, e : dim; zn[i, d] = f[i, d] / sqrt(0.001 + sum[e](f[i, e] * f[i, e])); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / (0.1 + alpha); mean[i](where(count[j](abs(yl[i] - yl[j]) <= 0.5) > 1, logsumexp[j](s[i, j]), 0) + 0.5 * max[j | j != i](s[i, j]))";
        var (w, type, inputRng, sizes) = Recorded(6656, Family.Pair, expression);
        Assert.Equal(17, sizes[2]);
        // The run's first two sizes (their checks draw from the same generator: the finite differences at the middle size).
        foreach (int size in sizes.Take(2))
            Assert.Null(CheckCase(KernelOf(type, w), w, Inputs(w.Family, inputRng, size), size, finiteDifferences: size == sizes[1], inputRng, DoubleOf(type, w)));
        var inputs = Inputs(w.Family, inputRng, sizes[2]);
        var f = (float[])inputs["f"];
        Assert.Equal(1, (int)inputs["dim"]);
        Assert.Equal(4, BitConverter.SingleToInt32Bits(f[9]) - BitConverter.SingleToInt32Bits(f[4]));
        static float Normalized(float v) => v / MathF.Sqrt(0.001f + v * v);
        Assert.Equal(Normalized(f[4]), Normalized(f[9]));
        Assert.NotEqual(f[4] / Math.Sqrt(0.001 + (double)f[4] * f[4]), f[9] / Math.Sqrt(0.001 + (double)f[9] * f[9]));
        // RoundingCheck accounts for the miss as a near tie; with the tie exact the kernel matches the interpreter.
        Assert.Contains("near tie", CheckCase(KernelOf(type, w), w, inputs, sizes[2], finiteDifferences: false, inputRng, DoubleOf(type, w)));
        f[4] = f[9];
        Assert.Null(CheckCase(KernelOf(type, w), w, inputs, sizes[2], finiteDifferences: false, inputRng, DoubleOf(type, w)));
    }

    private static int Pick(Random r, int[] a) => a[r.Next(a.Length)];

    /// <summary>
    /// <see cref="GeneratorHarness.CompileAndLoad"/> without its separate diagnostics pass (which binds all the
    /// generated code a second time and costs as much as the emit): generator errors are checked, then the emit itself
    /// reports any compilation error.
    /// </summary>
    private static Assembly CompileAndLoad(string source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("generator errors:\n" + string.Join("\n", errors));
        using var ms = new System.IO.MemoryStream();
        var emit = output.Emit(ms);
        if (!emit.Success) throw new InvalidOperationException("compilation failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        ms.Position = 0;
        return new System.Runtime.Loader.AssemblyLoadContext("loss-fuzz", isCollectible: true).LoadFromStream(ms);
    }

}
