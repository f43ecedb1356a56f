using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit.Sdk;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// Tells a kernel defect from float32 rounding where a float kernel misses its tolerance against the float64
/// interpreter (<see cref="LossCheck.CompareWithInterpreter"/>). The fixed tolerances there hold for well-conditioned
/// values; a gradient element that is the small difference of large terms (two loss terms whose gradients nearly
/// cancel, a pair space's expanded distances) can be computed in float no closer than the rounding of those terms,
/// by any float implementation (PyTorch's float32 included). A miss counts as rounding only when all of these hold:
/// <list type="number">
/// <item>the same declaration compiled on double spans matches the interpreter to <see cref="DoubleTolerance"/>: the
///   kernel computes the same function as the interpreter (no wrong rule, schedule or emitted operation; a double
///   pair space runs as nested loops, so this checks the IR and the derivative, not the tiles), and what is left is
///   how float rounding propagates;</item>
/// <item>the miss is within the tolerance plus <see cref="SpreadFactor"/> times the value's <em>spread</em> plus
///   <see cref="TermFactor"/> float epsilons of the <em>magnitude of its terms</em>, where
///   <list type="bullet">
///   <item>the spread is how far the float64 interpreter moves the value when the differentiable inputs move by 0 to
///     4 float ulps (the conditioning of the function), plus how far the float kernel moves beyond that (its own
///     rounding noise, which a small change of the inputs reshuffles: a Monte Carlo estimate of its rounding error),
///     over <see cref="Trials"/> draws;</item>
///   <item>the magnitude of the terms is, for each gradient element, the sum of the absolute values of the gradients
///     of the loss's additive terms (the top-level sum, also inside an outer mean or sum), each evaluated by the
///     interpreter on its own: the classic bound of a float sum, n·ε·sum|x|, where the terms cancel
///     (<see cref="TermMagnitudes"/>).</item>
///   </list>
///   A miss far beyond these is a numerically poor formula (as 1 - tanh² was, fuzz case W3247), not rounding.</item>
/// </list>
/// Or, failing the second check, the miss is a <em>near tie</em> (<see cref="NearTie"/>): with the elements of each
/// input that are a few ulps apart made equal, the float kernel's results match the interpreter there: float computed
/// a tie of a max or a branch that float64 resolves (fuzz case W6656 of seed 18).
/// A wrong first call (a scratch buffer read before it is written) is not explained: the caller checks the values of
/// the first call, and the jitter of later calls on other inputs is measured against the interpreter's own moves.
/// </summary>
public static class RoundingCheck
{
    public const int Trials = 4;
    /// <summary>How many spreads a float miss may reach (a float kernel rounds at every step, the perturbation once).</summary>
    public const double SpreadFactor = 8;
    /// <summary>How many float epsilons (2^-24) of its terms' magnitude a gradient element may miss by.</summary>
    public const double TermFactor = 4;
    /// <summary>The relative tolerance of the double kernel against the interpreter.</summary>
    public const double DoubleTolerance = 1e-9;

    /// <summary>
    /// Explains a float kernel's miss as rounding, or throws (an <see cref="XunitException"/>) saying which check
    /// fails. Returns a one-line account of the miss: the worst element, its distance in spreads, and the double
    /// kernel's largest relative error.
    /// </summary>
    public static string Explain(MethodInfo floatKernel, MethodInfo doubleKernel, IReadOnlyDictionary<string, object> inputs, float loss, IReadOnlyDictionary<string, float[]> grads, Random rng)
    {
        var interp = LossCheck.Interpreter(floatKernel);
        var dInputs = LossCheck.InterpreterArguments(floatKernel, LossCheck.KernelArguments(floatKernel, inputs))
            .ToDictionary(kv => kv.Key, kv => kv.Value switch { float[] f => (object)Array.ConvertAll(f, v => (double)v), float f => (double)f, var v => v });
        var reference = interp.EvaluateWithGradients(dInputs);

        var differentiable = new HashSet<string>(grads.Keys.Select(g => inputs.Keys.First(k => string.Equals(k, g.Substring(1), StringComparison.OrdinalIgnoreCase))));

        // 1. The double kernel computes the interpreter's function.
        double doubleError = CheckDoubleKernel(doubleKernel, dInputs, reference.Loss, reference.Gradients);

        // 2. The spread of every value under input perturbations of a few float ulps: how far the function itself moves
        // (the interpreter), and how far the float kernel moves beyond that (its own rounding noise, which a small
        // change of the inputs reshuffles: a Monte Carlo estimate of the rounding error, as in Monte Carlo arithmetic).
        double spreadLoss = 0, jitterLoss = 0;
        var spread = reference.Gradients.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        var jitter = reference.Gradients.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        void Widen(ref double slot, double moved, double at)
        {
            if (double.IsFinite(moved) && double.IsFinite(at)) slot = Math.Max(slot, Math.Abs(moved - at));
        }
        for (int t = 0; t < Trials; t++)
        {
            // Each element of a differentiable input (one with a gradient output) moved by a random 0 to 4 ulps up or
            // down, in float so that the kernel sees it too. Other inputs stay: float labels are compared exactly.
            var movedFloat = inputs.ToDictionary(kv => kv.Key, kv => kv.Value is float[] a && differentiable.Contains(kv.Key)
                ? (object)a.Select(v => Nudge(v, rng)).ToArray() : kv.Value);
            var moved = LossCheck.InterpreterArguments(floatKernel, LossCheck.KernelArguments(floatKernel, movedFloat))
                .ToDictionary(kv => kv.Key, kv => kv.Value switch { float[] f => (object)Array.ConvertAll(f, v => (double)v), float f => (double)f, var v => v });
            var r = interp.EvaluateWithGradients(moved);
            var (kLoss, kGrads) = LossCheck.RunKernel(floatKernel, movedFloat);
            Widen(ref spreadLoss, r.Loss, reference.Loss);
            Widen(ref jitterLoss, kLoss - r.Loss, loss - reference.Loss);
            foreach (var (name, g) in r.Gradients)
                for (int k = 0; k < g.Length; k++)
                {
                    Widen(ref spread[name][k], g[k], reference.Gradients[name][k]);
                    Widen(ref jitter[name][k], kGrads[name][k] - g[k], grads[name][k] - reference.Gradients[name][k]);
                }
        }

        var magnitudes = TermMagnitudes(floatKernel, dInputs);

        // 3. Every float value within its tolerance plus SpreadFactor spreads.
        double worst = 0;
        string worstAt = "loss";
        string detail = "";
        void Check(double actual, double expected, double baseTolerance, double functionSpread, double kernelJitter, double terms, string what)
        {
            double spreadOf = functionSpread + kernelJitter + TermFactor * Epsilon * terms / SpreadFactor;
            if (double.IsNaN(actual) && double.IsNaN(expected) || actual == expected) return;
            double excess = Math.Abs(actual - expected) - baseTolerance;
            if (!(excess <= SpreadFactor * spreadOf))
                throw new XunitException($"{what}: float kernel {actual:R} vs interpreter {expected:R} is {Math.Abs(actual - expected):E3} off, "
                    + $"beyond the tolerance {baseTolerance:E3} plus {SpreadFactor} times the rounding spread and term magnitude {spreadOf:E3} (double kernel within {doubleError:E1}): not rounding");
            if (excess > 0 && excess / spreadOf > worst) { worst = excess / spreadOf; worstAt = what; detail = $"miss {Math.Abs(actual - expected):E2}, tolerance {baseTolerance:E2}, function spread {functionSpread:E2}, kernel jitter {kernelJitter:E2}, terms {terms:E2}"; }
        }
        try
        {
            Check(loss, reference.Loss, LossCheck.LossTolerance * (1 + Math.Abs(reference.Loss)), spreadLoss, jitterLoss, 0, "loss");
            foreach (var (name, g) in grads)
            {
                var e = reference.Gradients[name];
                double[]? terms = magnitudes is not null && magnitudes.TryGetValue(name, out var m) ? m : null;
                double max = e.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
                for (int k = 0; k < g.Length; k++)
                    Check(g[k], e[k], LossCheck.GradRelTolerance * Math.Abs(e[k]) + LossCheck.GradMaxTolerance * max + (max == 0 ? 1e-6 : 1e-30), spread[name][k], jitter[name][k], terms?[k] ?? 0, $"{name}[{k}]");
            }
        }
        catch (XunitException notRounding)
        {
            return NearTie(floatKernel, inputs, differentiable, loss, grads) is { } tie
                ? tie + $"; the double kernel matches the interpreter within {doubleError:E1}"
                : throw new XunitException(notRounding.Message + "; no near tie of the inputs explains it either");
        }
        return $"float rounding: the worst miss ({worstAt}: {detail}) is {worst:F2} rounding spreads beyond the tolerance; the double kernel matches the interpreter within {doubleError:E1}";
    }

    private const double Epsilon = 1.0 / (1 << 24);

    /// <summary>How many float ulps apart two elements of one input may be for <see cref="NearTie"/> to make them equal.</summary>
    public const int NearTieUlps = 64;

    /// <summary>
    /// The account of a miss caused by a near tie of the inputs, or null. A function with a branch or a max is not
    /// continuous where two of its inputs' values tie: where two elements of an input are a few ulps apart, float
    /// rounding can make the values computed from them equal (normalizing rows compresses them: fuzz case W6656 of seed
    /// 18, whose max then split its gradient in float and not in float64), so that the float kernel takes the tie's
    /// side and float64 the other, and no tolerance covers the jump. The miss is that only when, with the elements of
    /// each differentiable input that are within <see cref="NearTieUlps"/> of each other made equal (a move of at most
    /// that many ulps), both the float kernel's results on the original inputs and the float kernel on the tied inputs
    /// match the interpreter on the tied inputs within the fixed tolerances: the kernel already computed at the tie.
    /// </summary>
    private static string? NearTie(MethodInfo floatKernel, IReadOnlyDictionary<string, object> inputs, HashSet<string> differentiable, float loss, IReadOnlyDictionary<string, float[]> grads)
    {
        int tied = 0;
        var snapped = inputs.ToDictionary(kv => kv.Key, kv =>
        {
            if (kv.Value is not float[] a || !differentiable.Contains(kv.Key)) return kv.Value;
            var b = (float[])a.Clone();
            var order = Enumerable.Range(0, b.Length).Where(k => float.IsFinite(b[k])).OrderBy(k => b[k]).ToArray();
            for (int start = 0; start < order.Length;)
            {
                int end = start + 1;
                while (end < order.Length && Math.Sign(b[order[end]]) == Math.Sign(b[order[start]])
                    && Math.Abs((long)BitConverter.SingleToInt32Bits(b[order[end]]) - BitConverter.SingleToInt32Bits(b[order[start]])) <= NearTieUlps) end++;
                for (int k = start + 1; k < end; k++) { if (b[order[k]] != b[order[start]]) tied++; b[order[k]] = b[order[start]]; }
                start = end;
            }
            return (object)b;
        });
        if (tied == 0) return null;
        try
        {
            LossCheck.CompareWithInterpreter(floatKernel, snapped, loss, grads.ToDictionary(kv => kv.Key, kv => kv.Value), " (the original results against the tied inputs)");
            LossCheck.CompareWithInterpreter(floatKernel, snapped, " (the tied inputs)");
        }
        catch (XunitException) { return null; }
        return $"a near tie: with {tied} input element(s) moved by at most {NearTieUlps} ulps onto an equal neighbour, the float kernel's results match the interpreter, and so does the kernel on those inputs";
    }

    /// <summary>
    /// For each gradient element, the sum of the absolute values of the gradients of the loss's additive terms, each
    /// declared on its own and evaluated by the interpreter (null when the loss is one term). The terms are those of the
    /// last statement, split further inside parentheses and inside a term that is a whole <c>mean</c> or <c>sum</c>
    /// (both linear: <c>mean(a - b)</c> is <c>mean(a) - mean(b)</c>), at most <see cref="MaxTerms"/> of them: the sum
    /// a float kernel rounds is one of those terms at some level (<c>1 - 1/(1 + y^2)</c>, the derivative of
    /// <c>y - atan(y)</c>: seed 15, W8685). A term that does not depend on an input contributes nothing to its gradient.
    /// </summary>
    public static Dictionary<string, double[]>? TermMagnitudes(MethodInfo kernel, IReadOnlyDictionary<string, object> inputs)
    {
        string expression = LossInvoker.ExpressionOf(kernel);
        var declarations = LossInvoker.Declarations(kernel);
        int last = LastTopLevel(expression, ';');
        string prefix = last < 0 ? "" : expression.Substring(0, last + 1) + " ";
        var terms = new List<string>();
        Expand(expression.Substring(last + 1).Trim(), "", "", terms);
        if (terms.Count < 2) return null;
        var result = declarations.Where(d => d.Kind == Interpretation.LossParameterKind.Gradient).ToDictionary(d => d.Name, d => (double[]?)null);
        foreach (var term in terms)
        {
            string declaration = prefix + term;
            foreach (var gradient in result.Keys.ToList())
            {
                // One gradient at a time: a term need not depend on every input (LOSS0211 then means a zero gradient).
                var only = declarations.Where(d => d.Kind != Interpretation.LossParameterKind.Gradient || d.Name == gradient).ToArray();
                Interpretation.LossExpression partial;
                try { partial = Interpretation.LossExpression.Parse(declaration, only); }
                catch (Interpretation.LossExpressionException) { continue; }
                var g = partial.EvaluateWithGradients(inputs.Where(kv => only.Any(d => d.Name == kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value)).Gradients[gradient];
                var sum = result[gradient] ??= new double[g.Length];
                for (int k = 0; k < g.Length; k++) if (double.IsFinite(g[k])) sum[k] += Math.Abs(g[k]);
            }
        }
        return result.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
    }

    /// <summary>The most terms <see cref="TermMagnitudes"/> evaluates (each is a parse and an evaluation per gradient).</summary>
    private const int MaxTerms = 24;

    /// <summary>
    /// Adds the additive terms of <paramref name="text"/> (written inside <paramref name="open"/> and
    /// <paramref name="close"/>) to <paramref name="terms"/>: outer parentheses and a sign dropped (magnitudes are
    /// absolute), a sum split at its top level, a whole <c>mean[...](...)</c> or <c>sum[...](...)</c> split inside.
    /// </summary>
    private static void Expand(string text, string open, string close, List<string> terms)
    {
        text = text.Trim();
        while (true)
        {
            if (text.StartsWith('-') || text.StartsWith('+')) { text = text.Substring(1).Trim(); continue; }
            if (text.StartsWith('(') && Matching(text, 0) == text.Length - 1) { text = text.Substring(1, text.Length - 2).Trim(); continue; }
            break;
        }
        var parts = TopLevelTerms(text);
        if (parts.Count > 1 && terms.Count + parts.Count <= MaxTerms)
        {
            foreach (var part in parts) Expand(part, open, close, terms);
            return;
        }
        var wrapper = System.Text.RegularExpressions.Regex.Match(text, @"^(mean|sum)(\[[^\]]*\])?\(");
        if (wrapper.Success && Matching(text, wrapper.Length - 1) == text.Length - 1)
        {
            var inner = new List<string>();
            Expand(text.Substring(wrapper.Length, text.Length - wrapper.Length - 1), open + text.Substring(0, wrapper.Length), ")" + close, inner);
            if (inner.Count > 1 && terms.Count + inner.Count <= MaxTerms) { terms.AddRange(inner); return; }
        }
        terms.Add(open + text + close);
    }

    /// <summary>The index of the last occurrence of <paramref name="c"/> outside brackets and parentheses, or -1.</summary>
    private static int LastTopLevel(string text, char c)
    {
        int depth = 0, found = -1;
        for (int k = 0; k < text.Length; k++)
        {
            if (text[k] is '(' or '[') depth++;
            else if (text[k] is ')' or ']') depth--;
            else if (text[k] == c && depth == 0) found = k;
        }
        return found;
    }

    /// <summary>The index of the parenthesis that closes the one at <paramref name="at"/>, or -1.</summary>
    private static int Matching(string text, int at)
    {
        int depth = 0;
        for (int k = at; k < text.Length; k++)
        {
            if (text[k] is '(' or '[') depth++;
            else if (text[k] is ')' or ']' && --depth == 0) return k;
        }
        return -1;
    }

    /// <summary>
    /// The terms of a sum at the top level (outside brackets and parentheses), each with its sign: a '+' or '-' is
    /// binary unless it follows an operator, an opening bracket or the exponent of a number (1e-1).
    /// </summary>
    private static List<string> TopLevelTerms(string text)
    {
        var terms = new List<string>();
        int depth = 0, start = 0;
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (c is '(' or '[') { depth++; continue; }
            if (c is ')' or ']') { depth--; continue; }
            if (depth != 0 || c is not ('+' or '-')) continue;
            int p = k - 1;
            while (p >= 0 && text[p] == ' ') p--;
            if (p < 0 || "+-*/^(,<>=!&|?:".IndexOf(text[p]) >= 0) continue; // unary
            if (text[p] is 'e' or 'E' && p > 0 && (char.IsDigit(text[p - 1]) || text[p - 1] == '.') && !IsNamePart(text, p)) continue; // exponent
            terms.Add(text.Substring(start, k - start).Trim());
            start = k;
        }
        terms.Add(text.Substring(start).Trim());
        return terms.Select(t => t.StartsWith('+') ? t.Substring(1).Trim() : t).Where(t => t.Length > 0).ToList();
    }

    /// <summary>True when the 'e' at <paramref name="at"/> ends a name (x1e) rather than a number's mantissa (1e).</summary>
    private static bool IsNamePart(string text, int at)
    {
        int k = at - 1;
        while (k >= 0 && (char.IsDigit(text[k]) || text[k] == '.')) k--;
        return k >= 0 && (char.IsLetter(text[k]) || text[k] == '_');
    }

    /// <summary>A float moved by 0 to 4 ulps, up or down.</summary>
    private static float Nudge(float v, Random rng)
    {
        if (!float.IsFinite(v)) return v;
        int steps = rng.Next(5);
        bool up = rng.Next(2) == 0;
        for (int k = 0; k < steps; k++) v = up ? MathF.BitIncrement(v) : MathF.BitDecrement(v);
        return v;
    }

    /// <summary>Calls a double kernel on float64 inputs: its loss and its gradients by parameter name.</summary>
    public static (double Loss, Dictionary<string, double[]> Gradients) RunDoubleKernel(MethodInfo kernel, IReadOnlyDictionary<string, object> inputs)
    {
        var ps = kernel.GetParameters();
        var args = ps.Select(p =>
        {
            if (p.ParameterType != typeof(Span<double>)) return inputs[p.Name!];
            var source = (double[])inputs.First(kv => string.Equals(kv.Key, p.Name!.Substring(1), StringComparison.OrdinalIgnoreCase)).Value;
            var g = new double[source.Length];
            Array.Fill(g, double.NaN); // every element must be written
            return g;
        }).ToArray();
        double loss = LossInvoker.For(kernel).InvokeDouble(args);
        return (loss, ps.Select((p, i) => (p, i)).Where(x => x.p.ParameterType == typeof(Span<double>)).ToDictionary(x => x.p.Name!, x => (double[])args[x.i]));
    }

    /// <summary>
    /// Runs a double kernel on float64 inputs and checks it against the interpreter's loss and gradients to
    /// <see cref="DoubleTolerance"/> (relative to the value plus, for a gradient, its largest element); returns the
    /// largest relative error, or throws.
    /// </summary>
    public static double CheckDoubleKernel(MethodInfo kernel, IReadOnlyDictionary<string, object> inputs, double expectedLoss, IReadOnlyDictionary<string, double[]> expectedGradients)
    {
        var (loss, gradients) = RunDoubleKernel(kernel, inputs);
        double worst = 0;
        void Check(double actual, double expected, double scale, string what)
        {
            if (double.IsNaN(actual) && double.IsNaN(expected) || actual == expected) return;
            double error = Math.Abs(actual - expected) / scale;
            if (!(error <= DoubleTolerance))
                throw new XunitException($"{what}: the double kernel gives {actual:R}, the interpreter {expected:R} (relative {error:E2} > {DoubleTolerance:E0}): the kernel computes another function");
            worst = Math.Max(worst, error);
        }
        Check(loss, expectedLoss, 1 + Math.Abs(expectedLoss), "loss");
        foreach (var (name, g) in gradients)
        {
            var e = expectedGradients[name];
            double max = e.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            for (int k = 0; k < g.Length; k++) Check(g[k], e[k], Math.Abs(e[k]) + max + 1e-300, $"{name}[{k}]");
        }
        return worst;
    }
}
