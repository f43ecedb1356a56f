using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Interpretation;
using LossDsl.Threading;
using Xunit;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// Checks a generated kernel against the double-precision interpreter and the interpreter against float64 central
/// finite differences.
/// </summary>
/// <remarks>
/// Tolerances (float32 kernel vs float64 reference):
/// loss: |L - L_ref| &lt;= 2e-5 (1 + |L_ref|);
/// gradient, per element: |g - g_ref| &lt;= 2e-4 |g_ref| + 2e-5 max|g_ref| (+ 1e-6 where the whole reference is 0);
/// finite differences (float64, h = 1e-6 (1 + |x|)): |g_ref - fd| &lt;= 1e-5 (|fd| + max|g_ref|) + 1e-9, skipping
/// coordinates where the left and right difference quotients disagree (a kink of relu, abs, max or a where).
/// </remarks>
public static class LossCheck
{
    public const double LossTolerance = 2e-5;
    public const double GradRelTolerance = 2e-4;
    public const double GradMaxTolerance = 2e-5;

    /// <summary>
    /// Builds the argument arrays for the kernel (float[]/int[]/scalars) in parameter order: for every Span&lt;float&gt;,
    /// an array of NaN (every element must be written) as long as its input (a gradient) or as
    /// <paramref name="outputLengths"/> says (an output, docs/language.md §2.4).
    /// </summary>
    public static object[] KernelArguments(MethodInfo method, IReadOnlyDictionary<string, object> inputs, IReadOnlyDictionary<string, int>? outputLengths = null)
    {
        return method.GetParameters().Select(p =>
        {
            var t = p.ParameterType;
            if (t == typeof(Span<float>))
            {
                string target = p.Name!.Substring(1);
                var source = inputs.FirstOrDefault(kv => string.Equals(kv.Key, target, StringComparison.OrdinalIgnoreCase)).Value as float[];
                var g = new float[outputLengths is not null && outputLengths.TryGetValue(p.Name!, out int length) ? length : source?.Length ?? 0];
                Array.Fill(g, float.NaN); // every element must be written
                return (object)g;
            }
            if (inputs.TryGetValue(p.Name!, out var v)) return v;
            if (p.HasDefaultValue) return p.DefaultValue!;
            throw new ArgumentException("no input for " + p.Name);
        }).ToArray();
    }

    /// <summary>The inputs among a kernel's arguments (every parameter but the gradients and outputs), by name.</summary>
    public static Dictionary<string, object> InterpreterArguments(MethodInfo method, object[] kernelArgs) =>
        method.GetParameters().Select((p, i) => (p, i)).Where(x => x.p.ParameterType != typeof(Span<float>) && x.p.ParameterType != typeof(Span<double>))
            .ToDictionary(x => x.p.Name!, x => kernelArgs[x.i]);

    /// <summary>Calls a float kernel on <paramref name="inputs"/>: its loss, and its gradients by parameter name.</summary>
    public static (float Loss, Dictionary<string, float[]> Gradients) RunKernel(MethodInfo method, IReadOnlyDictionary<string, object> inputs)
    {
        var args = KernelArguments(method, inputs);
        float loss = LossInvoker.For(method).Invoke(args);
        var grads = method.GetParameters().Select((p, i) => (p, i)).Where(x => x.p.ParameterType == typeof(Span<float>))
            .ToDictionary(x => x.p.Name!, x => (float[])args[x.i]);
        return (loss, grads);
    }

    /// <summary>Runs the kernel and the interpreter on the same inputs and compares loss and gradients.</summary>
    public static (float Loss, Dictionary<string, float[]> Gradients) CompareWithInterpreter(MethodInfo method, IReadOnlyDictionary<string, object> inputs, string label = "")
    {
        var (loss, grads) = RunKernel(method, inputs);
        CompareWithInterpreter(method, inputs, loss, grads, label);
        return (loss, grads);
    }

    /// <summary>Compares a kernel's results on <paramref name="inputs"/> with the interpreter's.</summary>
    public static void CompareWithInterpreter(MethodInfo method, IReadOnlyDictionary<string, object> inputs, float loss, IReadOnlyDictionary<string, float[]> gradients, string label = "")
    {
        var reference = Interpreter(method).EvaluateWithGradients(InterpreterArguments(method, KernelArguments(method, inputs)));
        AssertClose(loss, reference.Loss, $"{method.Name}{label}: loss");
        foreach (var (name, g) in gradients) AssertGradientClose(g, reference.Gradients[name], $"{method.Name}{label}: {name}");
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MethodInfo, LossExpression> s_interpreters = new();

    /// <summary>
    /// The interpreter of a method's declaration, parsed (and differentiated) once per method: a case checks the kernel
    /// at several sizes and by finite differences, and the random losses of the fuzzer are checked 4 times each. A
    /// <see cref="LossExpression"/> keeps no state between evaluations, so it is shared; the table does not keep the
    /// method (of a collectible assembly) alive.
    /// </summary>
    public static LossExpression Interpreter(MethodInfo method) =>
        s_interpreters.GetValue(method, m => LossExpression.Parse(LossInvoker.ExpressionOf(m), LossInvoker.Declarations(m)));

    public static void AssertClose(double actual, double expected, string what)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        double tol = LossTolerance * (1 + Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= tol || actual == expected,
            $"{what}: kernel {actual:R} vs interpreter {expected:R} (|diff| {Math.Abs(actual - expected):E3} > tol {tol:E3})");
    }

    public static void AssertGradientClose(float[] actual, double[] expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        foreach (var e in expected) if (!double.IsNaN(e) && !double.IsInfinity(e)) max = Math.Max(max, Math.Abs(e));
        for (int k = 0; k < actual.Length; k++)
        {
            double e = expected[k], a = actual[k];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            // Where the reference gradient is exactly zero everywhere (a loss at its minimum, one row), float rounding
            // of terms that cancel is all that is left: allow 1e-6.
            double tol = GradRelTolerance * Math.Abs(e) + GradMaxTolerance * max + (max == 0 ? 1e-6 : 1e-30);
            if (!(Math.Abs(a - e) <= tol) && a != e)
                Assert.Fail($"{what}[{k}]: kernel {a:R} vs interpreter {e:R} (|diff| {Math.Abs(a - e):E3} > tol {tol:E3}; max|g| {max:E3})");
        }
    }

    /// <summary>Checks the interpreter's gradients against float64 central finite differences on some coordinates.</summary>
    public static void CheckFiniteDifferences(MethodInfo method, IReadOnlyDictionary<string, object> inputs, int coordinates, Random rng)
    {
        var interp = Interpreter(method);
        var args = InterpreterArguments(method, KernelArguments(method, inputs));
        // Evaluate in double: convert float tensors to double arrays we can perturb.
        var dargs = args.ToDictionary(kv => kv.Key, kv => kv.Value is float[] f ? (object)Array.ConvertAll(f, x => (double)x) : kv.Value);
        var reference = interp.EvaluateWithGradients(dargs);
        foreach (var grad in reference.Gradients)
        {
            string inputName = dargs.Keys.First(k => string.Equals(k, grad.Key.Substring(1), StringComparison.OrdinalIgnoreCase));
            var x = (double[])dargs[inputName];
            if (x.Length == 0) continue;
            double max = grad.Value.Select(Math.Abs).DefaultIfEmpty(0).Max();
            int checkedCount = 0;
            for (int n = 0; n < coordinates; n++)
            {
                int k = rng.Next(x.Length);
                double x0 = x[k], h = 1e-6 * (1 + Math.Abs(x0));
                x[k] = x0 + h; double lp = interp.Evaluate(dargs);
                x[k] = x0 - h; double lm = interp.Evaluate(dargs);
                x[k] = x0; double l0 = interp.Evaluate(dargs);
                double right = (lp - l0) / h, left = (l0 - lm) / h;
                if (Math.Abs(right - left) > 1e-3 * (Math.Abs(right) + Math.Abs(left)) + 1e-7 * (1 + max)) continue; // a kink
                double fd = (lp - lm) / (2 * h);
                double g = grad.Value[k];
                // ... plus the rounding of the loss itself, divided by the step (a large loss with a small gradient).
                double tol = 1e-5 * (Math.Abs(fd) + max) + 1e-9 + 1e-14 * (1 + Math.Abs(l0)) / h;
                Assert.True(Math.Abs(g - fd) <= tol, $"{method.Name}: {grad.Key}[{k}] = {g:R} but finite difference gives {fd:R} (tol {tol:E2})");
                checkedCount++;
            }
            Assert.True(checkedCount > 0 || coordinates == 0, $"{method.Name}: no smooth coordinate found for {grad.Key}");
        }
    }

    /// <summary>
    /// Runs a float kernel at every SIMD width and 1 and 2 threads, twice each (the same bits), gradients poisoned with
    /// NaN; at each width the loss and gradients are the same bits at 1 and 2 threads, and every width's are compared
    /// with the interpreter (vector widths sum in other orders); then the interpreter is compared with finite
    /// differences on <paramref name="finiteDifferences"/> coordinates. With <paramref name="sameLossAtEveryWidth"/> the
    /// loss must also be the same bits at every width (declarations summed in one order whatever the width: segments).
    /// Returns the first width's results.
    /// </summary>
    public static (float Loss, Dictionary<string, float[]> Gradients) RunEverywhere(Type declaring, string name, IReadOnlyDictionary<string, object> inputs,
        int finiteDifferences = 6, bool sameLossAtEveryWidth = false)
    {
        var method = LossInvoker.Find(declaring, name);
        var invoker = LossInvoker.For(method);
        (float, Dictionary<string, float[]>)? first = null;
        int saved = LossParallel.MaxDegreeOfParallelism;
        try
        {
            foreach (int width in SimdWidths.Supported)
            {
                using var _ = SimdWidths.Force(width);
                (float Loss, Dictionary<string, float[]> Grads)? atWidth = null;
                foreach (int degree in new[] { 1, 2 })
                {
                    LossParallel.MaxDegreeOfParallelism = degree;
                    var args = KernelArguments(method, inputs);
                    float loss = invoker.Invoke(args);
                    var again = KernelArguments(method, inputs);
                    Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(invoker.Invoke(again)));
                    var grads = new Dictionary<string, float[]>();
                    foreach (var (p, i) in method.GetParameters().Select((p, i) => (p, i)).Where(x => x.p.ParameterType == typeof(Span<float>)))
                    {
                        var g = (float[])args[i];
                        Assert.Equal(g.Select(BitConverter.SingleToInt32Bits), ((float[])again[i]).Select(BitConverter.SingleToInt32Bits));
                        grads[p.Name!] = g;
                    }
                    // The threads never change the order of a sum: the same bits at 1 and 2 threads.
                    atWidth ??= (loss, grads);
                    Assert.Equal(BitConverter.SingleToInt32Bits(atWidth.Value.Loss), BitConverter.SingleToInt32Bits(loss));
                    foreach (var (g, values) in grads)
                        Assert.Equal(atWidth.Value.Grads[g].Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));
                }
                CompareWithInterpreter(method, inputs, atWidth!.Value.Loss, atWidth.Value.Grads, $" ({name}, width {width})");
                first ??= atWidth;
                if (sameLossAtEveryWidth) Assert.Equal(BitConverter.SingleToInt32Bits(first.Value.Item1), BitConverter.SingleToInt32Bits(atWidth.Value.Loss));
            }
        }
        finally { LossParallel.MaxDegreeOfParallelism = saved; }
        CheckFiniteDifferences(method, inputs, finiteDifferences, new Random(5));
        return first!.Value;
    }

    // ---- Random inputs --------------------------------------------------------------------------------------------

    public static float[] Normal(Random rng, int n, double scale = 1)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    public static float[] Uniform(Random rng, int n, double lo, double hi)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return a;
    }

    public static float[] Bits(Random rng, int n, float zero = 0, float one = 1)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Next(2) == 0 ? zero : one;
        return a;
    }

    public static int[] Labels(Random rng, int n, int classes)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rng.Next(classes);
        return a;
    }
}
