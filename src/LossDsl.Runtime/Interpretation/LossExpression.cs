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

    private readonly Dictionary<string, LossParameterKind> _parameters;

    private LossExpression(string expression, LossModel model, IReadOnlyList<GradientExpression> gradients, IReadOnlyList<string> warnings,
        Dictionary<string, LossParameterKind> parameters)
    {
        Expression = expression; _model = model; _gradients = gradients; Warnings = warnings; _parameters = parameters;
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
    /// <exception cref="ArgumentNullException"><paramref name="expression"/>, <paramref name="parameters"/> or one of its declarations is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A declaration's kind is not a <see cref="LossParameterKind"/>.</exception>
    /// <exception cref="LossExpressionException">The expression has errors (the diagnostics of docs/language.md §11).</exception>
    public static LossExpression Parse(string expression, params LossParameterDeclaration[] parameters)
    {
        if (expression is null) throw new ArgumentNullException(nameof(expression));
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        foreach (var p in parameters)
        {
            if (p is null) throw new ArgumentNullException(nameof(parameters), "A parameter declaration is null.");
            if (p.Name is null) throw new ArgumentNullException(nameof(parameters), "A parameter declaration has no name.");
            if (!Enum.IsDefined(typeof(LossParameterKind), p.Kind))
                throw new ArgumentOutOfRangeException(nameof(parameters), p.Kind, $"The parameter '{p.Name}' has no kind of LossParameterKind.");
        }
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
        var kinds = new Dictionary<string, LossParameterKind>(StringComparer.Ordinal);
        foreach (var p in parameters) kinds[p.Name] = p.Kind;
        return new LossExpression(expression, compiled.Model!, compiled.Gradients, warnings, kinds);
    }

    /// <summary>Evaluates the loss in double precision.</summary>
    /// <param name="arguments">
    /// The inputs by parameter name: a <c>float[]</c>, <c>double[]</c> or <c>int[]</c> for each float tensor (row-major),
    /// an <c>int[]</c> for each labels tensor, a number for each hyperparameter (a whole one for an int parameter).
    /// Gradient and output parameters take none.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="arguments"/> is null, or an argument is null (its ParamName is the parameter).</exception>
    /// <exception cref="ArgumentException">An argument is missing or of the wrong type (a string, bool or char is not a
    /// number; an int parameter needs a whole number in the range of int), a name is not an input of the loss, or a
    /// tensor's length does not fit its shape. ParamName is the parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An extent given as an int parameter is negative.</exception>
    public double Evaluate(IReadOnlyDictionary<string, object> arguments) => new Evaluator(_model, _parameters, arguments, 1.0).Loss();

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
    /// <exception cref="ArgumentNullException"><paramref name="arguments"/> is null, or an argument is null (its ParamName is the parameter).</exception>
    /// <exception cref="ArgumentException">An argument is missing or of the wrong type (a string, bool or char is not a
    /// number; an int parameter needs a whole number in the range of int), a name is not an input of the loss, or a
    /// tensor's length does not fit its shape. ParamName is the parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An extent given as an int parameter is negative.</exception>
    public LossEvaluation EvaluateWithGradients(IReadOnlyDictionary<string, object> arguments, double upstream = 1.0)
    {
        var ev = new Evaluator(_model, _parameters, arguments, upstream);
        double loss = ev.Loss();
        var grads = new Dictionary<string, double[]>();
        foreach (var g in _gradients) grads[g.Tensor.Gradient!.Name] = ev.Values(g.Axes, g.Expression, g.Tensor.Gradient!.Name);
        var outputs = new Dictionary<string, double[]>();
        foreach (var o in _model.Outputs) outputs[o.Name] = ev.Values(o.Axes, o.Value, o.Name);
        return new LossEvaluation(loss, grads, outputs);
    }

    /// <summary>Evaluates IR nodes in double precision with memoization per loop frame.</summary>
    private sealed class Evaluator
    {
        private readonly LossModel _model;
        private readonly double[][] _tensors;
        private readonly double[] _scalars;
        private readonly int[] _extents;

        public Evaluator(LossModel model, IReadOnlyDictionary<string, LossParameterKind> parameters, IReadOnlyDictionary<string, object> args, double upstream)
        {
            if (args is null) throw new ArgumentNullException("arguments");
            _model = model;
            // Every argument must name an input: a name the loss does not declare, or a gradient or an output (the
            // evaluation returns those), is a mistake the caller wants to hear about rather than an ignored value.
            foreach (var name in args.Keys)
            {
                if (!parameters.TryGetValue(name, out var kind))
                    throw new ArgumentException($"'{name}' is not a parameter of the loss; its parameters are {string.Join(", ", parameters.Keys.Select(k => $"'{k}'"))}.", name);
                if (kind is LossParameterKind.Gradient or LossParameterKind.Output)
                    throw new ArgumentException($"'{name}' is {(kind == LossParameterKind.Output ? "an output" : "a gradient (or output)")} parameter: it takes no argument (the evaluation returns its values).", name);
            }
            _tensors = new double[model.Tensors.Count][];
            foreach (var t in model.Tensors)
            {
                object v = Argument(args, t.Name);
                _tensors[t.Id] = t.IsInt
                    ? v is int[] labels ? Array.ConvertAll(labels, x => (double)x)
                        : throw new ArgumentException($"The argument '{t.Name}' holds labels and must be an int[], not {TypeName(v)}.", t.Name)
                    : v switch
                    {
                        double[] d => d,
                        float[] f => Array.ConvertAll(f, x => (double)x),
                        int[] i => Array.ConvertAll(i, x => (double)x),
                        _ => throw new ArgumentException($"The argument '{t.Name}' must be a float[], double[] or int[], not {TypeName(v)}.", t.Name),
                    };
            }
            _scalars = new double[model.Scalars.Count + 1];
            foreach (var s in model.Scalars) _scalars[s.Id] = Number(Argument(args, s.Name), s.Name, s.IsInt);
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
                    long rest = Product(t.Axes!.Where(a => a != step.Extent), t.Name);
                    int len = _tensors[t.Id].Length;
                    if (rest == 0 ? len != 0 : len % rest != 0) throw new ArgumentException($"The length of '{t.Name}' ({len}) must be a multiple of {rest}.", t.Name);
                    _extents[step.Extent] = rest == 0 ? 0 : (int)(len / rest);
                }
                else
                {
                    var t = model.Tensors[step.Tensor];
                    long prod = Product(t.Axes!, t.Name);
                    if (_tensors[t.Id].Length != prod) throw new ArgumentException($"'{t.Name}' has length {_tensors[t.Id].Length} but its shape needs {prod} elements.", t.Name);
                }
            }
        }

        /// <summary>The argument of a parameter: present and not null.</summary>
        private static object Argument(IReadOnlyDictionary<string, object> args, string name)
        {
            if (!args.TryGetValue(name, out var v)) throw new ArgumentException($"The argument '{name}' is missing.", name);
            return v ?? throw new ArgumentNullException(name, $"The argument '{name}' is null.");
        }

        private static string TypeName(object v) => v.GetType().Name;

        /// <summary>
        /// A scalar argument: a number of a primitive numeric type (or decimal, Half). An int parameter needs a whole
        /// number in the range of int; a string, a bool or a char is not a number.
        /// </summary>
        private static double Number(object v, string name, bool isInt)
        {
            double value = v switch
            {
                double d => d,
                float f => f,
                Half h => (double)h,
                decimal m => (double)m,
                int i => i,
                long l => l,
                short sh => sh,
                sbyte sb => sb,
                byte b => b,
                ushort us => us,
                uint ui => ui,
                ulong ul => ul,
                _ => throw new ArgumentException($"The argument '{name}' must be a number, not {TypeName(v)}.", name),
            };
            if (isInt && !(value >= int.MinValue && value <= int.MaxValue && Math.Floor(value) == value))
                throw new ArgumentException($"The argument '{name}' is an int parameter and must be a whole number in the range of int, not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", name);
            return value;
        }

        /// <summary>The product of extents, in long: one beyond long is more elements than any array holds.</summary>
        private long Product(IEnumerable<int> extents, string name)
        {
            long product = 1;
            foreach (int a in extents)
            {
                int e = _extents[a];
                if (e != 0 && product > long.MaxValue / e)
                    throw new ArgumentException($"The shape of '{name}' [{string.Join(", ", extents.Select(x => _extents[x]))}] has more elements than a long counts.", name);
                product *= e;
            }
            return product;
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

        /// <summary>The values of the internal tensors computed so far, by position in <see cref="LossModel.Internals"/>.</summary>
        private double[]?[]? _internals;

        /// <summary>
        /// The values of internal tensor <paramref name="index"/>, row-major over its axes. The tensors before it are
        /// computed first, in order (each definition reads only tensors before it), so no evaluation nests another.
        /// </summary>
        private double[] InternalValues(int index)
        {
            _internals ??= new double[]?[_model.Internals.Count];
            for (int k = 0; k <= index; k++)
            {
                if (_internals[k] is not null) continue;
                var t = _model.Internals[k];
                _internals[k] = Values(t.Axes, t.Definition, t.Name);
            }
            return _internals[index]!;
        }

        /// <summary>The value of <paramref name="expression"/> for every value of <paramref name="axes"/>, row-major (a gradient, an output).</summary>
        public double[] Values(IndexVar[] axes, Node expression, string name)
        {
            long length = Product(axes.Select(a => a.Extent), name);
            if (length > Array.MaxLength)
                throw new ArgumentException($"'{name}' has {length} values, more than an array holds.", name);
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
                    // An input, or an internal tensor (a stage of a repeat block, or its adjoint: its values computed once).
                    var internalTensor = n.Ref < 0 ? _model.Internal(n.Ref) : null;
                    var values = internalTensor is not null ? InternalValues(internalTensor.Index) : _tensors[n.Ref];
                    long offset = 0;
                    for (int k = 0; k < n.Args.Length; k++)
                    {
                        double s = A(k);
                        int extent = _extents[internalTensor is not null ? internalTensor.Axes[k].Extent : _model.Tensors[n.Ref].Axes![k]];
                        if (s < 0 || s >= extent) return 0; // gathers out of range read 0 (see docs/language.md)
                        offset = offset * extent + (long)s;
                    }
                    return values[offset];
                }
                // Conditions and logic evaluate only the operands they need.
                case Op.Select: return A(0) != 0 ? A(1) : A(2);
                case Op.And: return A(0) != 0 && A(1) != 0 ? 1 : 0;
                case Op.Or: return A(0) != 0 || A(1) != 0 ? 1 : 0;
                case Op.Reduce: return Reduce(n, f);
                case Op.PowFromLog: case Op.KeyBelow: case Op.KeyBit: case Op.KeyValue:
                    throw new InvalidOperationException(n.Op + " is an emission-only form");
            }
            // Every other operation: its value from the table of built-ins.
            var evaluate = BuiltinTable.Rule(n.Op).Evaluate ?? throw new InvalidOperationException("cannot evaluate " + n.Op);
            double a = A(0), b = n.Args.Length > 1 ? A(1) : 0, c = n.Args.Length > 2 ? A(2) : 0;
            return evaluate(a, b, c);
        }

        private double Reduce(Node n, Frame f)
        {
            if (n.ReduceKind == ReduceKind.Kth) return Select(n, f);
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

        /// <summary>
        /// A selection (docs/language.md §6.8): the kept elements sorted (-0 before +0, NaN last) and the one at the
        /// rank, rounded up (1-based); NaN when the rank is out of range.
        /// </summary>
        private double Select(Node n, Frame f)
        {
            double rank = Math.Ceiling(Eval(n.Args[1], f));
            var bound = n.Bound;
            var kept = new List<double>();
            var values = new int[bound.Length];
            var frame = new Frame(f, bound.Select(b => b.Id).ToArray()) { Values = values };
            void Loop(int k)
            {
                if (k == bound.Length)
                {
                    frame.Memo.Clear();
                    if (n.Args.Length < 3 || Eval(n.Args[2], frame) != 0) kept.Add(Eval(n.Args[0], frame));
                    return;
                }
                int extent = _extents[bound[k].Extent];
                for (int i = 0; i < extent; i++) { values[k] = i; Loop(k + 1); }
            }
            Loop(0);
            if (!(rank >= 1 && rank <= kept.Count)) return double.NaN;
            kept.Sort(TotalOrder);
            return kept[(int)rank - 1];
        }

        private static int TotalOrder(double a, double b)
        {
            if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a).CompareTo(double.IsNaN(b));
            if (a != b) return a.CompareTo(b);
            return double.IsNegative(b).CompareTo(double.IsNegative(a));
        }
    }
}
