using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Builtins;
using LossDsl.Language.Differentiation;
using LossDsl.Language.Ir;

namespace LossDsl.Interpretation;

/// <summary>How a parameter of a run-time loss takes part, mirroring the parameter types of a [GeneratedLoss] method.</summary>
public enum LossParameterKind
{
    /// <summary>A float input tensor (ReadOnlySpan&lt;float&gt; in a generated method).</summary>
    Tensor,
    /// <summary>An int input tensor: labels or ids (ReadOnlySpan&lt;int&gt;).</summary>
    Labels,
    /// <summary>
    /// A Span&lt;float&gt; parameter: the gradient output of an input when named d + the input's name, otherwise an output
    /// when a binding has its name (as in a generated method).
    /// </summary>
    Gradient,
    /// <summary>A float/double hyperparameter.</summary>
    Real,
    /// <summary>An int hyperparameter or extent.</summary>
    Int,
    /// <summary>An output (Span&lt;float&gt;): it receives the value of the binding of the same name, for every value of its indices.</summary>
    Output,
}

/// <summary>
/// A parameter of a run-time loss: the counterpart of one parameter of a <c>[GeneratedLoss]</c> method, for
/// <see cref="LossExpression.Parse"/>. The factory methods name the kinds.
/// </summary>
/// <param name="Name">The name the expression uses, with the rules of a C# parameter name.</param>
/// <param name="Kind">How the parameter takes part.</param>
public sealed record LossParameterDeclaration(string Name, LossParameterKind Kind)
{
    /// <summary>A float input tensor, like a <c>ReadOnlySpan&lt;float&gt;</c> parameter.</summary>
    /// <param name="name">The tensor's name in the expression.</param>
    public static LossParameterDeclaration Tensor(string name) => new(name, LossParameterKind.Tensor);

    /// <summary>An int input tensor of labels or ids, like a <c>ReadOnlySpan&lt;int&gt;</c> parameter.</summary>
    /// <param name="name">The tensor's name in the expression.</param>
    public static LossParameterDeclaration Labels(string name) => new(name, LossParameterKind.Labels);

    /// <summary>
    /// A gradient output, like a <c>Span&lt;float&gt;</c> parameter: <c>d</c> followed by the name of the input it is the
    /// gradient of (<c>"dx"</c> for <c>x</c>). Declaring one makes the interpreter differentiate the loss.
    /// </summary>
    /// <param name="name">The gradient's name: <c>d</c> + the input's name.</param>
    public static LossParameterDeclaration Gradient(string name) => new(name, LossParameterKind.Gradient);

    /// <summary>A real hyperparameter, like a <c>float</c> or <c>double</c> parameter.</summary>
    /// <param name="name">The hyperparameter's name in the expression.</param>
    public static LossParameterDeclaration Real(string name) => new(name, LossParameterKind.Real);

    /// <summary>An int hyperparameter or extent, like an <c>int</c> parameter.</summary>
    /// <param name="name">The parameter's name in the expression.</param>
    public static LossParameterDeclaration Int(string name) => new(name, LossParameterKind.Int);

    /// <summary>
    /// An output, like a <c>Span&lt;float&gt;</c> parameter named after a binding: it receives the binding's value for
    /// every value of its indices (docs/language.md §2.4), in <see cref="LossEvaluation.Outputs"/>.
    /// </summary>
    /// <param name="name">The name of a binding of the expression.</param>
    public static LossParameterDeclaration Output(string name) => new(name, LossParameterKind.Output);
}

/// <summary>
/// A problem in a loss expression, located in the expression string: the first error's id, offset and length, and every
/// error. The message shows the expression with a caret under the offending text.
/// </summary>
public sealed class LossExpressionException : ArgumentException
{
    internal LossExpressionException(string expression, IReadOnlyList<DslDiagnostic> errors)
        : base(Format(expression, errors[0]))
    {
        Id = errors[0].Id; Offset = errors[0].Offset; Length = errors[0].Length;
        Errors = errors.Select(e => $"{e.Id} at {e.Offset}: {e.Message}").ToArray();
    }
    /// <summary>The diagnostic id (LOSSxxxx) of the first problem; docs/language.md §11 explains each one.</summary>
    public string Id { get; }
    /// <summary>Offset of the first problem in the expression, in UTF-16 characters from its start.</summary>
    public int Offset { get; }
    /// <summary>Length of the first problem's text in the expression, in UTF-16 characters.</summary>
    public int Length { get; }
    /// <summary>Every error of the expression, in order, each as <c>"LOSSxxxx at offset: message"</c>.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(string expression, DslDiagnostic d)
    {
        if (d.Parameter is not null) return $"{d.Id}: {d.Message}";
        string caret = new string(' ', Math.Max(0, d.Offset)) + new string('^', Math.Max(1, d.Length));
        return $"{d.Id}: {d.Message}\n  {expression.Replace('\n', ' ')}\n  {caret}";
    }
}

/// <summary>The loss value, the gradients and the outputs of one evaluation, in double precision.</summary>
public sealed class LossEvaluation
{
    internal LossEvaluation(double loss, Dictionary<string, double[]> gradients, Dictionary<string, double[]> outputs)
    {
        Loss = loss; Gradients = gradients; Outputs = outputs;
    }
    /// <summary>The loss value.</summary>
    public double Loss { get; }
    /// <summary>
    /// Gradients by the name of their gradient parameter (e.g. "dx"), each as long as its input, in the input's
    /// row-major layout, scaled by the upstream gradient of the evaluation.
    /// </summary>
    public IReadOnlyDictionary<string, double[]> Gradients { get; }
    /// <summary>Outputs by the name of their parameter (the binding's name), row-major over the binding's indices; one value for a binding without indices.</summary>
    public IReadOnlyDictionary<string, double[]> Outputs { get; }
}

/// <summary>
/// The reference interpreter of the loss language: parses, binds and differentiates an expression at run time with the
/// same front end as the generator, then evaluates the loss and its gradients in double precision, directly from the
/// IR (no scheduling, no vectorization). It is the oracle of the tests and a fallback for losses defined at run time
/// (much slower than a generated kernel).
/// </summary>
/// <remarks>
/// An instance is immutable once parsed: it can be evaluated any number of times, from any number of threads at once.
/// docs/language.md §12 describes the API with an example.
/// </remarks>
public sealed class LossExpression
{
    private readonly LossModel _model;
    private readonly IReadOnlyList<GradientExpression> _gradients;

    private LossExpression(string expression, LossModel model, IReadOnlyList<GradientExpression> gradients, IReadOnlyList<string> warnings)
    {
        Expression = expression; _model = model; _gradients = gradients; Warnings = warnings;
    }

    /// <summary>The expression as given to <see cref="Parse"/>.</summary>
    public string Expression { get; }
    /// <summary>The warnings of the expression (LOSS0214, an unused input), each as <c>"LOSSxxxx: message"</c>.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The loss after binding and simplification, in the language's syntax.</summary>
    public string BoundLoss => _model.Print(_model.Loss);

    /// <summary>
    /// The derived gradient for gradient parameter <paramref name="gradientName"/>, in the language's syntax:
    /// <c>"dz[a0, a1] = ..."</c>.
    /// </summary>
    /// <param name="gradientName">The name of a gradient parameter declared to <see cref="Parse"/> (e.g. "dz").</param>
    /// <exception cref="InvalidOperationException">No gradient parameter has that name.</exception>
    public string GradientOf(string gradientName) =>
        _gradients.First(g => g.Tensor.Gradient!.Name == gradientName) is var g ? $"{gradientName}[{string.Join(", ", g.Axes.Select(a => a.Name))}] = {_model.Print(g.Expression)}" : "";

    /// <summary>
    /// Parses, binds and checks <paramref name="expression"/> with the generator's front end, and differentiates it
    /// when a <see cref="LossParameterKind.Gradient"/> parameter is declared.
    /// </summary>
    /// <param name="expression">The loss expression, as in a <c>[GeneratedLoss]</c> attribute.</param>
    /// <param name="parameters">The parameters the expression may use, as a generated method would declare them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is null.</exception>
    /// <exception cref="LossExpressionException">The expression has errors (the diagnostics of docs/language.md §11).</exception>
    public static LossExpression Parse(string expression, params LossParameterDeclaration[] parameters)
    {
        if (expression is null) throw new ArgumentNullException(nameof(expression));
        var ps = parameters.Select(p => new LossParameter(p.Name, p.Kind switch
        {
            LossParameterKind.Tensor => ParameterKind.FloatTensor,
            LossParameterKind.Labels => ParameterKind.IntTensor,
            LossParameterKind.Gradient => ParameterKind.Gradient,
            LossParameterKind.Real => ParameterKind.RealScalar,
            LossParameterKind.Output => ParameterKind.Output,
            _ => ParameterKind.IntScalar,
        }, "")).ToList();
        bool differentiate = ps.Any(p => p.Kind == ParameterKind.Gradient);
        var compiled = LossCompiler.Compile(expression, ps, differentiate);
        var errors = compiled.Diagnostics.Where(d => d.Severity == DslSeverity.Error).ToList();
        if (!compiled.Success || errors.Count > 0) throw new LossExpressionException(expression, errors.Count > 0 ? errors : compiled.Diagnostics.ToList());
        var warnings = compiled.Diagnostics.Where(d => d.Severity == DslSeverity.Warning).Select(d => $"{d.Id}: {d.Message}").ToList();
        return new LossExpression(expression, compiled.Model!, compiled.Gradients, warnings);
    }

    /// <summary>Evaluates the loss in double precision.</summary>
    /// <param name="arguments">
    /// The inputs by parameter name: a <c>float[]</c>, <c>double[]</c> or <c>int[]</c> for each float tensor (row-major),
    /// an <c>int[]</c> for each labels tensor, any number for each hyperparameter. Gradient and output parameters take none.
    /// </param>
    /// <exception cref="ArgumentException">An argument is missing or of the wrong type, or a tensor's length does not fit
    /// its shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An extent given as an int parameter is negative.</exception>
    public double Evaluate(IReadOnlyDictionary<string, object> arguments) => new Evaluator(_model, arguments, 1.0).Loss();

    /// <summary>
    /// The value of output <paramref name="outputName"/> as bound, in the language's syntax: <c>"terms[i] = ..."</c>, no
    /// brackets for an output of one value.
    /// </summary>
    /// <param name="outputName">The name of an output (a <see cref="LossParameterKind.Output"/> parameter, or a
    /// <see cref="LossParameterKind.Gradient"/> one named after a binding) declared to <see cref="Parse"/>.</param>
    /// <exception cref="InvalidOperationException">No output has that name.</exception>
    public string OutputOf(string outputName) =>
        _model.Outputs.First(o => o.Name == outputName) is var o
            ? $"{outputName}{(o.Axes.Length > 0 ? "[" + string.Join(", ", o.Axes.Select(a => a.Name)) + "]" : "")} = {_model.Print(o.Value)}" : "";

    /// <summary>
    /// Evaluates the loss, every gradient output and every output (docs/language.md §2.4) in double precision.
    /// </summary>
    /// <param name="arguments">The inputs by parameter name, as for <see cref="Evaluate"/>.</param>
    /// <param name="upstream">The upstream gradient: every gradient is multiplied by it (the loss and the outputs are not).</param>
    /// <exception cref="ArgumentException">An argument is missing or of the wrong type, or a tensor's length does not fit
    /// its shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An extent given as an int parameter is negative.</exception>
    public LossEvaluation EvaluateWithGradients(IReadOnlyDictionary<string, object> arguments, double upstream = 1.0)
    {
        var ev = new Evaluator(_model, arguments, upstream);
        double loss = ev.Loss();
        var grads = new Dictionary<string, double[]>();
        foreach (var g in _gradients) grads[g.Tensor.Gradient!.Name] = ev.Values(g.Axes, g.Expression);
        var outputs = new Dictionary<string, double[]>();
        foreach (var o in _model.Outputs) outputs[o.Name] = ev.Values(o.Axes, o.Value);
        return new LossEvaluation(loss, grads, outputs);
    }

    /// <summary>Evaluates IR nodes in double precision with memoization per loop frame.</summary>
    private sealed class Evaluator
    {
        private readonly LossModel _model;
        private readonly double[][] _tensors;
        private readonly double[] _scalars;
        private readonly int[] _extents;

        public Evaluator(LossModel model, IReadOnlyDictionary<string, object> args, double upstream)
        {
            _model = model;
            _tensors = new double[model.Tensors.Count][];
            foreach (var t in model.Tensors)
            {
                if (!args.TryGetValue(t.Name, out var v)) throw new ArgumentException($"missing argument '{t.Name}'", t.Name);
                _tensors[t.Id] = v switch
                {
                    double[] d => d,
                    float[] f => Array.ConvertAll(f, x => (double)x),
                    int[] i => Array.ConvertAll(i, x => (double)x),
                    _ => throw new ArgumentException($"argument '{t.Name}' must be a float[], double[] or int[]", t.Name),
                };
                if (t.IsInt && v is not int[]) throw new ArgumentException($"argument '{t.Name}' holds labels and must be an int[]", t.Name);
            }
            _scalars = new double[model.Scalars.Count + 1];
            foreach (var s in model.Scalars)
            {
                if (!args.TryGetValue(s.Name, out var v)) throw new ArgumentException($"missing argument '{s.Name}'", s.Name);
                _scalars[s.Id] = Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture);
            }
            _scalars[model.UpstreamParam] = upstream;
            _extents = new int[model.Extents.Count];
            foreach (var step in model.ExtentPlan)
            {
                if (step.Scalar >= 0)
                {
                    var s = model.Scalars[step.Scalar];
                    int value = (int)_scalars[s.Id];
                    if (value < 0) throw new ArgumentOutOfRangeException(s.Name, value, "An extent must not be negative.");
                    _extents[step.Extent] = value;
                }
                else if (step.Extent >= 0)
                {
                    var t = model.Tensors[step.Tensor];
                    long rest = 1;
                    foreach (var a in t.Axes!) if (a != step.Extent) rest *= _extents[a];
                    int len = _tensors[t.Id].Length;
                    if (rest == 0 ? len != 0 : len % rest != 0) throw new ArgumentException($"The length of '{t.Name}' ({len}) must be a multiple of {rest}.", t.Name);
                    _extents[step.Extent] = rest == 0 ? 0 : (int)(len / rest);
                }
                else
                {
                    var t = model.Tensors[step.Tensor];
                    long prod = 1;
                    foreach (var a in t.Axes!) prod *= _extents[a];
                    if (_tensors[t.Id].Length != prod) throw new ArgumentException($"'{t.Name}' has length {_tensors[t.Id].Length} but its shape needs {prod} elements.", t.Name);
                }
            }
        }

        private sealed class Frame
        {
            public Frame(Frame? parent, int[] vars) { Parent = parent; Vars = vars; Depth = parent is null ? 0 : parent.Depth + 1; }
            public Frame? Parent { get; }
            public int[] Vars { get; }
            public int[] Values = Array.Empty<int>();
            public int Depth { get; }
            public Dictionary<Node, double> Memo { get; } = new();
        }

        public double Loss() => Eval(_model.Loss, new Frame(null, Array.Empty<int>()));

        /// <summary>The value of <paramref name="expression"/> for every value of <paramref name="axes"/>, row-major (a gradient, an output).</summary>
        public double[] Values(IndexVar[] axes, Node expression)
        {
            long length = 1;
            foreach (var a in axes) length *= _extents[a.Extent];
            var result = new double[length];
            var root = new Frame(null, Array.Empty<int>());
            int pos = 0;
            void Loop(int axis, Frame parent)
            {
                if (axis == axes.Length) { result[pos++] = Eval(expression, parent); return; }
                int extent = _extents[axes[axis].Extent];
                for (int k = 0; k < extent; k++)
                {
                    var f = new Frame(parent, new[] { axes[axis].Id }) { Values = new[] { k } };
                    Loop(axis + 1, f);
                }
            }
            Loop(0, root);
            return result;
        }

        private static bool TryVar(Frame f, int id, out int value)
        {
            for (var x = f; x is not null; x = x.Parent)
                for (int k = 0; k < x.Vars.Length; k++)
                    if (x.Vars[k] == id) { value = x.Values[k]; return true; }
            value = 0;
            return false;
        }

        /// <summary>The innermost frame that binds one of the node's free indices: where its value can be cached.</summary>
        private static Frame CacheFrame(Node n, Frame f)
        {
            for (var x = f; x is not null; x = x.Parent)
            {
                foreach (int v in x.Vars) if (n.DependsOn(v)) return x;
                if (x.Parent is null) return x;
            }
            return f;
        }

        private double Eval(Node n, Frame f)
        {
            // The binder bounds how deep values are (LOSS0103); should a walk still run out of stack, it throws
            // InsufficientExecutionStackException rather than ending the process.
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            switch (n.Op)
            {
                case Op.Const: return n.Value;
                case Op.Param: return _scalars[n.Ref];
                case Op.Extent: return _extents[n.Ref];
                case Op.Index:
                    if (!TryVar(f, n.Ref, out int iv)) throw new InvalidOperationException("unbound index " + _model.Graph.Var(n.Ref).Name);
                    return iv;
            }
            var cache = CacheFrame(n, f);
            if (cache.Memo.TryGetValue(n, out double memo)) return memo;
            double r = Compute(n, f);
            cache.Memo[n] = r;
            return r;
        }

        private double Compute(Node n, Frame f)
        {
            double A(int k) => Eval(n.Args[k], f);
            switch (n.Op)
            {
                case Op.Load:
                {
                    var t = _model.Tensors[n.Ref];
                    long offset = 0;
                    for (int k = 0; k < n.Args.Length; k++)
                    {
                        double s = A(k);
                        int extent = _extents[t.Axes![k]];
                        if (s < 0 || s >= extent) return 0; // gathers out of range read 0 (see docs/language.md)
                        offset = offset * extent + (long)s;
                    }
                    return _tensors[t.Id][offset];
                }
                // Conditions and logic evaluate only the operands they need.
                case Op.Select: return A(0) != 0 ? A(1) : A(2);
                case Op.And: return A(0) != 0 && A(1) != 0 ? 1 : 0;
                case Op.Or: return A(0) != 0 || A(1) != 0 ? 1 : 0;
                case Op.Reduce: return Reduce(n, f);
                case Op.PowFromLog: throw new InvalidOperationException("PowFromLog is an emission-only form");
            }
            // Every other operation: its value from the table of built-ins.
            var evaluate = BuiltinTable.Rule(n.Op).Evaluate ?? throw new InvalidOperationException("cannot evaluate " + n.Op);
            double a = A(0), b = n.Args.Length > 1 ? A(1) : 0, c = n.Args.Length > 2 ? A(2) : 0;
            return evaluate(a, b, c);
        }

        private double Reduce(Node n, Frame f)
        {
            var bound = n.Bound;
            double acc = n.ReduceKind switch { ReduceKind.Sum => 0, ReduceKind.Max => double.NegativeInfinity, _ => double.PositiveInfinity };
            var values = new int[bound.Length];
            var frame = new Frame(f, bound.Select(b => b.Id).ToArray()) { Values = values };
            void Loop(int k)
            {
                if (k == bound.Length)
                {
                    frame.Memo.Clear();
                    double v = Eval(n.Args[0], frame);
                    acc = n.ReduceKind switch
                    {
                        ReduceKind.Sum => acc + v,
                        ReduceKind.Max => double.IsNaN(v) || double.IsNaN(acc) ? double.NaN : Math.Max(acc, v),
                        _ => double.IsNaN(v) || double.IsNaN(acc) ? double.NaN : Math.Min(acc, v),
                    };
                    return;
                }
                int extent = _extents[bound[k].Extent];
                for (int i = 0; i < extent; i++) { values[k] = i; Loop(k + 1); }
            }
            Loop(0);
            return acc;
        }
    }
}
