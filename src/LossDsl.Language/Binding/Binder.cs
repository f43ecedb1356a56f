using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Builtins;
using LossDsl.Language.Desugaring;
using LossDsl.Language.Ir;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Binding;

/// <summary>
/// The bind stage: resolves names against the method's parameters, let-bindings and indices; infers tensor ranks and
/// the extents of their axes; checks types and the calls of built-in functions against <see cref="BuiltinTable"/>, whose
/// expansion into IR is the desugaring stage (<see cref="Desugarer"/>); and proves that every extent can be computed
/// at run time from the tensor lengths and int parameters.
/// </summary>
internal sealed class Binder
{
    private readonly LossModel _model;
    private readonly IrGraph _graph;
    private readonly Dictionary<string, TensorInfo> _tensors = new();
    private readonly Dictionary<string, ScalarInfo> _scalars = new();
    private readonly Dictionary<string, LetStatement> _lets = new();
    /// <summary>The current stage of each state of a repeat block that has one (docs/language.md §7.2).</summary>
    private readonly Dictionary<string, InternalTensor> _stages = new();
    /// <summary>How many stages have been defined: part of a binding's key, since a binding reads the current stages.</summary>
    private int _stageEpoch;
    private readonly Dictionary<string, int> _stageCounts = new();
    private readonly Dictionary<string, int> _declaredIndexExtents = new();
    private readonly Dictionary<string, IndexVar> _implicit = new();
    private readonly List<Dictionary<string, IndexVar>> _scopes = new();
    /// <summary>
    /// The first scope that names resolve in: the scopes below it belong to the callers of the user-defined function
    /// being expanded, whose indices its body does not see (hygiene). 0 outside functions.
    /// </summary>
    private int _scopeBase;
    /// <summary>The values of the parameters of the user-defined function whose body is being bound (null elsewhere, and inside bindings).</summary>
    private Dictionary<string, Node>? _functionArguments;
    /// <summary>The user-defined function whose body is being bound (also inside the bindings it uses), or null.</summary>
    private string? _inFunction;
    private readonly Dictionary<string, FunctionStatement> _functions = new();
    /// <summary>The value of each function call by the function's name and its arguments (equal calls are expanded once).</summary>
    private readonly Dictionary<string, Node> _functionValues = new();
    private readonly HashSet<string> _functionsInProgress = new();
    private int _functionExpansions;

    /// <summary>The most calls of user-defined functions with different arguments a program may expand (LOSS0103 beyond).</summary>
    public const int MaxFunctionExpansions = 10000;
    /// <summary>Every index variable of the program by its source name (bound, implicit, binding parameter): the name's extents.</summary>
    private readonly Dictionary<string, List<IndexVar>> _indicesByName = new();
    /// <summary>The calls extent(c) outside every binder of c: a placeholder extent, settled to the one extent of the name c.</summary>
    private readonly List<(string Name, int Extent, int Offset, int Length)> _extentCalls = new();
    /// <summary>Where each extent(...) call is, by the extent it refers to (for LOSS0208 on an extent that is never known).</summary>
    private readonly List<(int Extent, int Offset, int Length)> _extentUses = new();
    /// <summary>The binding parameters that a gather subscript stands for: index id → (binding, parameter).</summary>
    private readonly Dictionary<int, (string Binding, string Parameter)> _gatheredParameters = new();
    /// <summary>Readable names of extents that no index ranges over (the axes named by a shape declaration).</summary>
    private readonly Dictionary<int, string> _extentNameHints = new();
    /// <summary>The tensors the loss reads (a tensor named only in a shape declaration is checked but not read).</summary>
    private readonly HashSet<int> _loaded = new();
    /// <summary>The extents known at run time once the shapes are settled.</summary>
    private readonly HashSet<int> _known = new();
    private readonly HashSet<string> _letsInProgress = new();
    private readonly List<int> _parent = new(); // union-find over extent symbols
    private readonly Dictionary<int, int> _extentFromScalar = new();
    private readonly DiagnosticBag _diagnostics;
    /// <summary>The Span&lt;float&gt; parameters that are not gradients (outputs if bindings have their names).</summary>
    private readonly List<LossParameter> _spanParameters = new();
    /// <summary>The outputs by binding name: their parameters, and once bound, their values.</summary>
    private readonly Dictionary<string, LossParameter> _outputParameters = new();
    private readonly Dictionary<string, OutputInfo> _pendingOutputs = new();

    private const string FlatIndexName = "_";
    /// <summary>The name of the special form <c>extent(c)</c>: the extent of an index as an Int value.</summary>
    private const string ExtentFunction = "extent";

    private Binder(LossModel model, DiagnosticBag diagnostics)
    {
        _model = model;
        _graph = model.Graph;
        _diagnostics = diagnostics;
    }

    /// <summary>Binds <paramref name="syntax"/>; returns null (with errors in <paramref name="diagnostics"/>) on failure.</summary>
    public static LossModel? Bind(ProgramSyntax syntax, string source, IReadOnlyList<LossParameter> parameters, DiagnosticBag diagnostics)
    {
        var model = new LossModel(new IrGraph()) { Source = source };
        var binder = new Binder(model, diagnostics);
        try
        {
            binder.DeclareParameters(parameters);
            ElementTypeRules.Settle(model, diagnostics);
            var loss = binder.BindProgram(syntax);
            if (diagnostics.HasErrors) return null;
            binder.SettleShapes();
            model.Loss = binder.RemapExtents(loss);
            foreach (var o in model.Outputs) o.Value = binder.RemapExtents(o.Value);
            foreach (var t in model.Internals) t.Definition = binder.RemapExtents(t.Definition);
            foreach (var t in model.Internals) binder.CheckExtentValues(t.Definition, syntax.Result);
            binder.CheckExtentValues(model.Loss, syntax.Result);
            foreach (var o in model.Outputs) binder.CheckExtentValues(o.Value, syntax.Result);
            binder.CheckGradients();
            return diagnostics.HasErrors ? null : model;
        }
        catch (DslException e)
        {
            diagnostics.Add(e.Diagnostic);
            return null;
        }
    }

    private static DslException Error(string id, string message, int offset, int length) =>
        new(new DslDiagnostic(id, DslSeverity.Error, message, offset, length));
    private static DslException Error(string id, string message, Expr at) => Error(id, message, at.Offset, at.Length);

    // ---- Parameters ------------------------------------------------------------------------------------------------

    private void DeclareParameters(IReadOnlyList<LossParameter> parameters)
    {
        foreach (var p in parameters)
        {
            _model.Parameters.Add(p);
            switch (p.Kind)
            {
                case ParameterKind.FloatTensor:
                case ParameterKind.IntTensor:
                {
                    var t = new TensorInfo(_model.Tensors.Count, p);
                    _model.Tensors.Add(t);
                    _tensors[p.Name] = t;
                    break;
                }
                case ParameterKind.RealScalar:
                case ParameterKind.IntScalar:
                {
                    var s = new ScalarInfo(_model.Scalars.Count, p);
                    _model.Scalars.Add(s);
                    _scalars[p.Name] = s;
                    break;
                }
            }
        }
        foreach (var p in parameters)
        {
            if (p.Kind == ParameterKind.Output) { _spanParameters.Add(p); continue; }
            if (p.Kind != ParameterKind.Gradient) continue;
            string target = GradientTarget(p.Name);
            if (target.Length == 0 || !_tensors.TryGetValue(target, out var t) && !_scalars.ContainsKey(target))
            {
                // Not d + a parameter's name: an output if a binding has its name (decided once the bindings are known).
                _spanParameters.Add(p);
                continue;
            }
            if (t is null || t.IsInt)
            {
                _diagnostics.Add(new DslDiagnostic(DiagnosticIds.GradientOfNonFloat, DslSeverity.Error,
                    $"gradient output '{p.Name}' refers to '{target}', which is not a ReadOnlySpan<float> input and cannot be differentiated", 0, 0, p.Name));
                continue;
            }
            if (t.Gradient is not null)
            {
                _diagnostics.Add(new DslDiagnostic(DiagnosticIds.DuplicateName, DslSeverity.Error,
                    $"'{t.Name}' already has the gradient output '{t.Gradient.Name}'; '{p.Name}' would never be written", 0, 0, p.Name));
                continue;
            }
            t.Gradient = p;
        }
    }

    /// <summary>
    /// The <c>Span&lt;float&gt;</c> parameters that are not gradients: each must have the name of a binding, whose value it
    /// receives (an output).
    /// </summary>
    private void MatchOutputs(ProgramSyntax syntax)
    {
        foreach (var p in _spanParameters)
        {
            if (_lets.ContainsKey(p.Name))
            {
                ElementTypeRules.CheckOutput(_model, p, _diagnostics);
                _outputParameters[p.Name] = p;
                continue;
            }
            if (p.Kind == ParameterKind.Gradient && p.Name.Length >= 2 && p.Name[0] == 'd')
            {
                _diagnostics.Add(new DslDiagnostic(DiagnosticIds.GradientWithoutInput, DslSeverity.Error,
                    $"gradient output '{p.Name}' has no matching input: name it 'd' followed by the name of a real input (or, for an output, declare a binding named '{p.Name}')",
                    0, 0, p.Name));
                continue;
            }
            string example = syntax.Lets.Count > 0 ? syntax.Lets[0].Name.Name : "terms";
            _diagnostics.Add(new DslDiagnostic(DiagnosticIds.InvalidOutput, DslSeverity.Error,
                $"'{p.Name}' is a writable span but neither a gradient output (named 'd' followed by an input's name) nor an output: no binding is named '{p.Name}' (declare one, e.g. '{p.Name}[i] = ...;', or rename the parameter after a binding such as '{example}')",
                0, 0, p.Name));
        }
    }

    /// <summary>
    /// Records the output of binding <paramref name="let"/>, bound at its definition to <paramref name="value"/> with its
    /// index parameters in <paramref name="scope"/>: its axes are its parameters, or, for a binding without parameters,
    /// the one implicit index its value depends on (the flat index of unsubscripted tensors, say); none for a scalar.
    /// </summary>
    private void DeclareOutput(LetStatement let, LossParameter parameter, Node value, Dictionary<string, IndexVar> scope)
    {
        string name = let.Name.Name;
        IndexVar[] axes;
        if (let.Parameters is not null)
        {
            axes = let.Parameters.Select(p => scope[p.Name]).ToArray();
            // Each axis needs an extent (LOSS0208 at the parameter otherwise).
            for (int k = 0; k < axes.Length; k++) _usedIndexSpans[axes[k].Id] = (let.Parameters[k].Offset, let.Parameters[k].Length);
        }
        else
        {
            if (value.Free.Length > 1)
            {
                string names = string.Join(", ", value.Free.Select(id => _graph.Var(id).Name));
                throw Error(DiagnosticIds.InvalidOutput,
                    $"output '{name}' depends on the indices {names}; give their order (the layout of '{name}') as parameters: {name}[{names}] = ...", let.Name);
            }
            axes = value.Free.Select(id => _graph.Var(id)).ToArray();
        }
        foreach (int id in value.Free)
        {
            if (axes.Any(a => a.Id == id)) continue;
            string stray = _implicit.TryGetValue(FlatIndexName, out var flat) && flat.Id == id ? "'e' (the flat index of unsubscripted tensors)" : $"'{_graph.Var(id).Name}'";
            throw Error(DiagnosticIds.InvalidOutput,
                $"output '{name}' depends on index {stray}, which is not one of its parameters, so it has no value per element; add it as a parameter or reduce it",
                let.Name);
        }
        _pendingOutputs[name] = new OutputInfo(0, parameter, axes, _graph.ToReal(value), let.Name.Offset, let.Name.Length);
    }

    /// <summary>"dx" -> "x", "dLogits" -> "logits"/"Logits" is matched exactly after the leading d and an optional case change.</summary>
    private string GradientTarget(string gradientName)
    {
        if (gradientName.Length < 2 || gradientName[0] != 'd') return "";
        string rest = gradientName.Substring(1);
        if (_tensors.ContainsKey(rest) || _scalars.ContainsKey(rest)) return rest;
        string lowered = char.ToLowerInvariant(rest[0]) + rest.Substring(1);
        if (_tensors.ContainsKey(lowered) || _scalars.ContainsKey(lowered)) return lowered;
        return rest;
    }

    // ---- Program ---------------------------------------------------------------------------------------------------

    /// <summary>Collects the names used as subscripts or binders (iteratively: a long sum is a deep left spine).</summary>
    private void CollectIndexNames(Expr root, ICollection<string>? except = null)
    {
        var stack = new Stack<Expr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case SubscriptExpr s:
                    foreach (var x in s.Subscripts) { if (x is NameExpr n && except?.Contains(n.Name) != true) _indexNames.Add(n.Name); stack.Push(x); }
                    break;
                case CallExpr c:
                    if (c.Binders is not null) foreach (var b in c.Binders) if (except?.Contains(b.Name) != true) _indexNames.Add(b.Name);
                    if (c.Filter is not null) stack.Push(c.Filter);
                    if (c.Options is not null) foreach (var o in c.Options) stack.Push(o.Value);
                    foreach (var a in c.Arguments) stack.Push(a);
                    break;
                case UnaryExpr u: stack.Push(u.Operand); break;
                case BinaryExpr b: stack.Push(b.Left); stack.Push(b.Right); break;
            }
        }
    }

    private Node BindProgram(ProgramSyntax syntax)
    {
        foreach (var let in syntax.Lets)
        {
            CollectIndexNames(let.Value);
            if (let.Parameters is not null) foreach (var p in let.Parameters) _indexNames.Add(p.Name);
        }
        foreach (var f in syntax.Functions) CollectIndexNames(f.Body, f.Parameters.Select(p => p.Name).ToList());
        CollectIndexNames(syntax.Result);
        foreach (var s in syntax.IndexStatements) foreach (var n in s.Indices) _indexNames.Add(n.Name);
        foreach (var s in syntax.ShapeStatements) foreach (var n in s.Axes) _indexNames.Add(n.Name);
        foreach (var s in syntax.IndexStatements)
        {
            if (!_scalars.TryGetValue(s.Extent.Name, out var scalar) || !scalar.IsInt)
                throw Error(DiagnosticIds.TypeMismatch, $"'{s.Extent.Name}' must be an int parameter of the method to give the extent of an index", s.Extent);
            if (!_extentFromScalar.TryGetValue(scalar.Id, out int extent))
            {
                extent = NewExtent(scalar.Name);
                _extentFromScalar[scalar.Id] = extent;
            }
            foreach (var name in s.Indices)
            {
                CheckIndexName(name);
                if (_declaredIndexExtents.ContainsKey(name.Name))
                    throw Error(DiagnosticIds.DuplicateName, $"index '{name.Name}' is already declared", name);
                _declaredIndexExtents[name.Name] = extent;
            }
        }
        foreach (var f in syntax.Functions) DeclareFunction(f);
        foreach (var let in syntax.Lets)
        {
            if (_tensors.ContainsKey(let.Name.Name) || _scalars.ContainsKey(let.Name.Name) || _lets.ContainsKey(let.Name.Name) || IsFunctionName(let.Name.Name) || IsConstantName(let.Name.Name)
                || _functions.ContainsKey(let.Name.Name) || let.Name.Name == ExtentFunction)
                throw Error(DiagnosticIds.DuplicateName, $"'{let.Name.Name}' is already defined (as a parameter, binding, function or constant); choose another name", let.Name);
            _lets[let.Name.Name] = let;
        }
        foreach (var s in syntax.ShapeStatements) DeclareShape(s);
        MatchOutputs(syntax);
        foreach (var repeat in syntax.Repeats) BindRepeat(repeat, syntax);
        // Bind each let once at its definition to report errors even in unused bindings (the value is discarded:
        // bindings are inlined where they are used), except for an output, which is this value (for a state of a
        // repeat block, its last stage).
        foreach (var let in syntax.Lets)
        {
            var scope = new Dictionary<string, IndexVar>();
            _scopes.Add(scope);
            if (let.Parameters is not null)
                foreach (var p in let.Parameters) { CheckIndexName(p); scope[p.Name] = NewIndexVar(p.Name); }
            var value = BindLetBody(let);
            if (_stages.TryGetValue(let.Name.Name, out var last))
                value = _graph.Load(last.Ref, DslType.Real, let.Parameters!.Select(p => _graph.Index(scope[p.Name])).ToArray());
            if (_outputParameters.TryGetValue(let.Name.Name, out var output)) DeclareOutput(let, output, value, scope);
            _scopes.RemoveAt(_scopes.Count - 1);
        }
        foreach (var p in _model.Parameters)
        {
            if (!_pendingOutputs.TryGetValue(p.Name, out var o)) continue;
            _model.Outputs.Add(new OutputInfo(_model.Outputs.Count, o.Parameter, o.Axes, o.Value, o.Offset, o.Length));
        }

        var loss = BindNumeric(syntax.Result);
        if (loss.Free.Length > 0)
        {
            string names = string.Join(", ", loss.Free.Select(id => "'" + _graph.Var(id).Name + "'").Distinct());
            throw Error(DiagnosticIds.NotScalar,
                $"the loss must be a scalar, but it still depends on index {names}; reduce it with sum, mean, max, ... (e.g. mean(...))", syntax.Result);
        }
        return loss;
    }

    /// <summary>Records a user-defined function: its name and its parameters' names must be new (LOSS0212).</summary>
    private void DeclareFunction(FunctionStatement f)
    {
        string name = f.Name.Name;
        if (_tensors.ContainsKey(name) || _scalars.ContainsKey(name) || IsFunctionName(name) || IsConstantName(name) || name == ExtentFunction || _functions.ContainsKey(name))
            throw Error(DiagnosticIds.DuplicateName, $"'{name}' is already defined (as a parameter, function or constant); choose another name for the function", f.Name);
        var seen = new HashSet<string>();
        foreach (var p in f.Parameters)
        {
            if (!seen.Add(p.Name)) throw Error(DiagnosticIds.DuplicateName, $"function '{name}' has two parameters named '{p.Name}'", p);
            if (p.Name == FlatIndexName || IsFunctionName(p.Name) || p.Name == ExtentFunction || IsConstantName(p.Name))
                throw Error(DiagnosticIds.DuplicateName, $"'{p.Name}' cannot name a parameter of '{name}': it is a built-in function, a constant or the flat index", p);
        }
        _functions[name] = f;
    }

    /// <summary>
    /// <c>shape t[k, d];</c>: the axes of <c>t</c> are the extents of the index names (declared ones keep their int
    /// parameter), so every index named <c>k</c> ranges over the first axis of <c>t</c>; the tensor's rank is fixed.
    /// </summary>
    private void DeclareShape(ShapeStatement s)
    {
        string name = s.Tensor.Name;
        if (!_tensors.TryGetValue(name, out var t))
        {
            if (_scalars.ContainsKey(name))
                throw Error(DiagnosticIds.NotIndexable, $"'{name}' is a scalar parameter and has no shape", s.Tensor);
            throw Error(DiagnosticIds.UnknownName, $"unknown tensor '{name}' in a shape declaration" + Suggest(name), s.Tensor);
        }
        if (t.Axes is not null) throw Error(DiagnosticIds.DuplicateName, $"the shape of '{name}' is already declared", s.Tensor);
        var axes = new int[s.Axes.Count];
        for (int k = 0; k < axes.Length; k++)
        {
            var axis = s.Axes[k];
            if (axis.Name == FlatIndexName) throw Error(DiagnosticIds.InvalidBinder, "'_' (the flat index) cannot name an axis; use an index name", axis);
            CheckIndexName(axis);
            if (!_declaredIndexExtents.TryGetValue(axis.Name, out int extent))
            {
                extent = NewExtent("n_" + axis.Name);
                _extentNameHints[extent] = "n_" + axis.Name;
                _declaredIndexExtents[axis.Name] = extent;
            }
            axes[k] = extent;
        }
        t.Axes = axes;
        t.IsFlat = false;
        _flatUse[t.Id] = false;
        t.FirstUseOffset = s.Tensor.Offset;
        t.FirstUseLength = s.Tensor.Length;
    }

    /// <summary>
    /// The value of a binding where it is used. A binding is inlined as written, so its value depends only on how the
    /// index names in scope resolve (<see cref="LetKey"/>); it is bound once per such resolution and reused at every
    /// other use (bindings that use each other twice, a1 = a0 + a0; a2 = a1 + a1; ..., stay linear, not exponential).
    /// </summary>
    private Node BindLetBody(LetStatement let)
    {
        string key = LetKey(let);
        if (_letValues.TryGetValue(key, out var bound)) return bound;
        if (!_letsInProgress.Add(let.Name.Name))
            throw Error(DiagnosticIds.UnknownName, $"'{let.Name.Name}' refers to itself", let.Name);
        // A binding sees the names of the program, not the parameters of a function that uses it.
        var arguments = _functionArguments;
        _functionArguments = null;
        try { bound = Bind(let.Value); }
        finally { _letsInProgress.Remove(let.Name.Name); _functionArguments = arguments; }
        _letValues[key] = bound;
        return bound;
    }

    private readonly Dictionary<string, Node> _letValues = new();

    /// <summary>
    /// A binding's name with the index variable that every index name in the enclosing scopes resolves to (the
    /// innermost one); names outside every scope resolve the same way everywhere (implicit indices).
    /// </summary>
    private string LetKey(LetStatement let)
    {
        var resolved = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = _scopes.Count - 1; i >= _scopeBase; i--)
            foreach (var kv in _scopes[i])
                if (!resolved.ContainsKey(kv.Key)) resolved[kv.Key] = kv.Value.Id;
        var sb = new System.Text.StringBuilder(let.Name.Name);
        // Inside a function body an index the body does not bind is an error, not the implicit index: another key.
        if (_inFunction is not null) sb.Append("|()");
        // A binding reads the stages current where it is used (a state's name means its latest stage).
        if (_stageEpoch > 0) sb.Append("|@").Append(_stageEpoch);
        foreach (var kv in resolved) sb.Append('|').Append(kv.Key).Append('=').Append(kv.Value);
        return sb.ToString();
    }

    private void CheckIndexName(NameExpr name)
    {
        if (_tensors.ContainsKey(name.Name) || _scalars.ContainsKey(name.Name) || _lets.ContainsKey(name.Name) || IsConstantName(name.Name))
            throw Error(DiagnosticIds.DuplicateName, $"'{name.Name}' cannot be used as an index name: it is already a parameter, binding or constant", name);
    }

    // ---- Indices and extents ---------------------------------------------------------------------------------------

    private int NewExtent(string name)
    {
        int id = _model.Extents.Count;
        _model.Extents.Add(new ExtentInfo(id, name));
        _parent.Add(id);
        return id;
    }

    private int Find(int e)
    {
        while (_parent[e] != e) { _parent[e] = _parent[_parent[e]]; e = _parent[e]; }
        return e;
    }

    private void Unify(int a, int b, Expr at, string what)
    {
        a = Find(a); b = Find(b);
        if (a == b) return;
        bool aScalar = _extentFromScalar.ContainsValue(a), bScalar = _extentFromScalar.ContainsValue(b);
        if (aScalar && bScalar)
            throw Error(DiagnosticIds.ShapeMismatch,
                $"{what}: it ranges over '{_model.Extents[a].Name}' here but over '{_model.Extents[b].Name}' elsewhere", at);
        // Keep the scalar-defined extent as the representative.
        if (bScalar) _parent[a] = b; else _parent[b] = a;
    }

    private IndexVar NewIndexVar(string name)
    {
        int extent = _declaredIndexExtents.TryGetValue(name, out var e) ? e : NewExtent("n_" + name);
        var v = _graph.NewVar(name, extent);
        if (!_indicesByName.TryGetValue(name, out var list)) _indicesByName[name] = list = new List<IndexVar>();
        list.Add(v);
        return v;
    }

    /// <summary>The index <paramref name="name"/> names in the visible scopes (innermost first), or null.</summary>
    private IndexVar? FindInScope(string name)
    {
        for (int i = _scopes.Count - 1; i >= _scopeBase; i--)
            if (_scopes[i].TryGetValue(name, out var v)) return v;
        return null;
    }

    private DslException IndexOutsideFunction(string name, Expr at) =>
        Error(DiagnosticIds.UnknownName,
            $"index '{name}' is not bound inside function '{_inFunction}': a function's body sees its parameters, the method's parameters and the indices its own reductions bind, "
            + $"not the indices of its callers; pass the value as an argument ({_inFunction}(x[{name}])) or bind the index inside the body (sum[{name}](...))", at);

    private IndexVar ResolveIndex(NameExpr name)
    {
        var inScope = FindInScope(name.Name);
        if (inScope is not null) return inScope;
        if (_inFunction is not null) throw IndexOutsideFunction(name.Name, name);
        if (!_implicit.TryGetValue(name.Name, out var implicitVar))
        {
            CheckIndexName(name);
            implicitVar = NewIndexVar(name.Name);
            _implicit[name.Name] = implicitVar;
            _usedIndexSpans[implicitVar.Id] = (name.Offset, name.Length);
        }
        return implicitVar;
    }

    // ---- Expressions -----------------------------------------------------------------------------------------------

    private Node BindBool(Expr e, string context)
    {
        var n = Bind(e);
        if (n.Type != DslType.Bool)
            throw Error(DiagnosticIds.TypeMismatch, $"{context} must be a condition such as a comparison (x > 0, c == y[i])", e);
        return n;
    }

    /// <summary>Binds a numeric operand; a condition used as a number is 1 or 0.</summary>
    private Node BindNumeric(Expr e) => _graph.ToReal(Bind(e));

    private int _bindDepth;

    /// <summary>
    /// How deeply binding may recurse: through nested syntax (which the parser already limits) and through bindings
    /// that use bindings defined after them (bindings defined before their use are bound once, without recursion).
    /// </summary>
    public const int MaxBindDepth = 500;

    /// <summary>
    /// Binds <paramref name="e"/>, reporting LOSS0103 at <paramref name="e"/> where binding recurses past
    /// <see cref="MaxBindDepth"/> or where the value's expression becomes higher than <see cref="IrGraph.MaxHeight"/>.
    /// </summary>
    private Node Bind(Expr e)
    {
        if (_bindDepth >= MaxBindDepth)
            throw Error(DiagnosticIds.NestedTooDeeply, _inFunction is not null
                ? $"the expression is nested too deeply: binding it goes more than {MaxBindDepth} levels deep (through functions that call functions); call fewer functions in a chain, or write the repeated step as a reduction over an index"
                : $"the expression is nested too deeply: binding it goes more than {MaxBindDepth} levels deep (through bindings that use bindings defined after them); define each binding before its use", e);
        _bindDepth++;
        try
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            var n = BindCore(e);
            if (n.Height > IrGraph.MaxHeight)
                throw Error(DiagnosticIds.NestedTooDeeply,
                    $"the expression is nested too deeply: its value is {n.Height} operations deep (the limit is {IrGraph.MaxHeight}), for instance through a long chain of bindings that each use the previous one; "
                    + "write the repeated step as a reduction over an index instead", e);
            return n;
        }
        finally { _bindDepth--; }
    }

    private Node BindCore(Expr e)
    {
        switch (e)
        {
            case NumberExpr num: return _graph.Const(num.Value);
            case NameExpr name: return BindName(name);
            case SubscriptExpr sub: return BindSubscript(sub);
            case UnaryExpr u:
                if (u.Op == UnaryOp.Not) return _graph.Unary(Op.Not, BindBool(u.Operand, "the operand of '!'"));
                return _graph.Neg(BindNumeric(u.Operand));
            case BinaryExpr b: return BindBinary(b);
            case CallExpr c: return BindCall(c);
            default: throw new InvalidOperationException("unknown syntax node " + e.GetType().Name);
        }
    }

    /// <summary>The left-associative chains: + and -, * and /, &amp;&amp;, ||; 0 for the other operators.</summary>
    private static int ChainOf(BinaryOp op) => op switch
    {
        BinaryOp.Add or BinaryOp.Subtract => 1,
        BinaryOp.Multiply or BinaryOp.Divide => 2,
        BinaryOp.And => 3,
        BinaryOp.Or => 4,
        _ => 0,
    };

    /// <summary>
    /// A left-associative chain (<c>a + b - c + ...</c>), bound in a loop along its left spine rather than by recursion.
    /// Up to <see cref="IrGraph.ChainBlock"/> operators are applied left to right as written; a longer chain is split
    /// into blocks of that many, each applied left to right (a block that starts with '-' or '/' starts from -x or
    /// 1/x), and the blocks are added (multiplied, and-ed, or-ed) as a balanced tree, so that the value stays low
    /// (<see cref="IrGraph.Combine"/>) however long the chain.
    /// </summary>
    private Node BindChain(BinaryExpr b)
    {
        int chain = ChainOf(b.Op);
        var spine = new List<BinaryExpr>();
        Expr leftmost = b;
        while (leftmost is BinaryExpr x && ChainOf(x.Op) == chain) { spine.Add(x); leftmost = x.Left; }
        spine.Reverse();
        Node Operand(Expr e, string side) => chain switch
        {
            3 => BindBool(e, $"the {side} operand of '&&'"),
            4 => BindBool(e, $"the {side} operand of '||'"),
            _ => BindNumeric(e),
        };
        Op IrOp(BinaryOp op) => op switch
        {
            BinaryOp.Add => Op.Add, BinaryOp.Subtract => Op.Sub, BinaryOp.Multiply => Op.Mul, BinaryOp.Divide => Op.Div,
            BinaryOp.And => Op.And, _ => Op.Or,
        };
        var blocks = new List<Node>();
        var acc = Operand(leftmost, "left");
        for (int k = 0; k < spine.Count; k++)
        {
            var x = spine[k];
            var right = Operand(x.Right, "right");
            if (k > 0 && k % IrGraph.ChainBlock == 0)
            {
                blocks.Add(acc);
                acc = x.Op switch
                {
                    BinaryOp.Subtract => _graph.Neg(right),
                    BinaryOp.Divide => _graph.Div(_graph.One, right),
                    _ => right,
                };
            }
            else acc = _graph.Binary(IrOp(x.Op), acc, right);
        }
        if (blocks.Count == 0) return acc;
        blocks.Add(acc);
        return _graph.Combine(chain switch { 1 => Op.Add, 2 => Op.Mul, 3 => Op.And, _ => Op.Or }, blocks);
    }

    private Node BindBinary(BinaryExpr b)
    {
        if (ChainOf(b.Op) != 0) return BindChain(b);
        switch (b.Op)
        {
            case BinaryOp.Equal: case BinaryOp.NotEqual: case BinaryOp.Less: case BinaryOp.LessEqual: case BinaryOp.Greater: case BinaryOp.GreaterEqual:
            {
                var l = BindNumeric(b.Left);
                var r = BindNumeric(b.Right);
                var op = b.Op switch
                {
                    BinaryOp.Equal => Op.Eq, BinaryOp.NotEqual => Op.Ne, BinaryOp.Less => Op.Lt,
                    BinaryOp.LessEqual => Op.Le, BinaryOp.Greater => Op.Gt, _ => Op.Ge,
                };
                return _graph.Binary(op, l, r);
            }
            default: // BinaryOp.Power
            {
                var l = BindNumeric(b.Left);
                var r = BindNumeric(b.Right);
                return Desugarer.Power(_graph, l, r);
            }
        }
    }

    private static bool IsConstantName(string name) => name is "inf" or "pi";

    private Node BindName(NameExpr name)
    {
        if (_functionArguments is not null && _functionArguments.TryGetValue(name.Name, out var argument)) return argument;
        if (_scalars.TryGetValue(name.Name, out var s))
            return _graph.Param(s.Id, s.IsInt ? DslType.Int : DslType.Real);
        if (_tensors.TryGetValue(name.Name, out var t))
        {
            // A bare tensor name is elementwise over all its elements: a rank-1 view with the shared flat index.
            return LoadTensor(t, new[] { (Expr)new NameExpr(FlatIndexName, name.Offset, name.Length) }, name, flat: true);
        }
        // A state of a repeat block with a stage: that stage, read at the indices of its parameters' names.
        if (_stages.TryGetValue(name.Name, out var stage)) return LoadStage(stage, _lets[name.Name], null, name);
        // A binding used without subscripts is inlined as written; the indices it uses (its parameters, for an
        // indexed binding) resolve in the enclosing scope by name.
        if (_lets.TryGetValue(name.Name, out var let)) return BindLetBody(let);
        if (name.Name == "inf") return _graph.Const(double.PositiveInfinity);
        if (name.Name == "pi") return _graph.Const(Math.PI);
        if (FindInScope(name.Name) is { } bound) return _graph.Index(bound);
        if (_implicit.ContainsKey(name.Name) || _declaredIndexExtents.ContainsKey(name.Name) || (_indexNames.Contains(name.Name) && IsIndexName(name.Name)))
            return _graph.Index(ResolveIndex(name));
        if (IsFunctionName(name.Name) || _functions.ContainsKey(name.Name) || name.Name == ExtentFunction)
            throw Error(DiagnosticIds.WrongArgumentCount, $"'{name.Name}' is a function: call it with arguments, e.g. {name.Name}(x)", name);
        throw Error(DiagnosticIds.UnknownName, $"unknown name '{name.Name}': not a parameter, binding, index or constant" + Suggest(name.Name), name);
    }

    private string Suggest(string name)
    {
        var candidates = _tensors.Keys.Concat(_scalars.Keys).Concat(_lets.Keys).Concat(_functions.Keys).Concat(BuiltinTable.FunctionNames);
        string? best = null; int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = EditDistance(name, c);
            if (d < bestDistance) { bestDistance = d; best = c; }
        }
        return best is not null && bestDistance <= Math.Max(1, name.Length / 3) ? $" (did you mean '{best}'?)" : "";
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    private Node BindSubscript(SubscriptExpr sub)
    {
        string name = sub.Target.Name;
        if (_functionArguments is not null && _functionArguments.ContainsKey(name))
            throw Error(DiagnosticIds.NotIndexable,
                $"'{name}' is a parameter of function '{_inFunction}', a value, and cannot be subscripted; pass the element instead ({_inFunction}(x[i]))", sub.Target);
        if (_tensors.TryGetValue(name, out var t)) return LoadTensor(t, sub.Subscripts, sub, flat: false);
        if (_stages.TryGetValue(name, out var stage)) return LoadStage(stage, _lets[name], sub.Subscripts, sub);
        if (_lets.TryGetValue(name, out var let))
        {
            if (let.Parameters is null)
                throw Error(DiagnosticIds.NotIndexable, $"binding '{name}' has no index parameters; declare them as {name}[i, ...] = ... to subscript it", sub);
            if (let.Parameters.Count != sub.Subscripts.Count)
                throw Error(DiagnosticIds.RankMismatch, $"binding '{name}' takes {let.Parameters.Count} index(es) but {sub.Subscripts.Count} were given", sub);
            // An index name renames the binding's parameter to it; any other subscript is a gather: the binding's value
            // with the parameter replaced by the subscript's value (0 outside the parameter's extent, as a tensor's).
            var scope = new Dictionary<string, IndexVar>();
            List<(IndexVar Parameter, Node Value)>? gathers = null;
            for (int k = 0; k < sub.Subscripts.Count; k++)
            {
                var subscript = sub.Subscripts[k];
                if (subscript is NameExpr idx && idx.Name != FlatIndexName && IsIndexName(idx.Name))
                {
                    scope[let.Parameters[k].Name] = ResolveIndex(idx);
                    continue;
                }
                var value = Bind(subscript);
                if (!IrGraph.IsIntLike(value) || value.Type == DslType.Bool)
                    throw Error(DiagnosticIds.TypeMismatch,
                        $"a subscript of binding '{name}' must be an index or an integer (an int label such as y[i], or int arithmetic on them)", subscript);
                var parameter = NewIndexVar(let.Parameters[k].Name);
                _usedIndexSpans[parameter.Id] = (subscript.Offset, subscript.Length);
                _gatheredParameters[parameter.Id] = (name, let.Parameters[k].Name);
                scope[let.Parameters[k].Name] = parameter;
                (gathers ??= new()).Add((parameter, value));
            }
            Node body;
            _scopes.Add(scope);
            try { body = BindLetBody(let); }
            finally { _scopes.RemoveAt(_scopes.Count - 1); }
            return gathers is null ? body : Gather(body, gathers);
        }
        if (_scalars.ContainsKey(name))
            throw Error(DiagnosticIds.NotIndexable, $"'{name}' is a scalar parameter and cannot be subscripted", sub.Target);
        throw Error(DiagnosticIds.UnknownName, $"unknown tensor '{name}'" + Suggest(name), sub.Target);
    }

    /// <summary>
    /// A binding's value gathered at integer subscripts: each gathered parameter replaced by its subscript's value
    /// (a macro: the body computes that element only), and 0 (false) where a subscript is outside
    /// <c>[0, extent)</c> of its parameter, as a gather from a tensor reads 0.
    /// </summary>
    private Node Gather(Node body, List<(IndexVar Parameter, Node Value)> gathers)
    {
        Node? inRange = null;
        foreach (var (parameter, value) in gathers)
        {
            body = MarkSegmentKeys(_graph.SubstituteValue(body, parameter.Id, value), value, parameter.Extent);
            var check = _graph.Binary(Op.And, _graph.Binary(Op.Ge, value, _graph.Zero), _graph.Binary(Op.Lt, value, _graph.ExtentOf(parameter.Extent)));
            inRange = inRange is null ? check : _graph.Binary(Op.And, inRange, check);
        }
        return body.Type == DslType.Bool ? _graph.Binary(Op.And, inRange!, body) : _graph.Select(inRange!, body, _graph.Zero);
    }

    /// <summary>
    /// In a sum of the binding that keeps the elements whose key equals the gathered parameter
    /// (<c>n[k] = count[j](y[j] == k)</c> read as <c>n[y[i]]</c>), writes the gathered value in that comparison clamped
    /// into the parameter's axis (<see cref="IrGraph.ClampIndex"/>): the same value inside the range guard of
    /// <see cref="Gather"/>, and a mark by which the scheduler computes the sum once per key, for all keys in one sweep,
    /// rather than once per read (a segment reduction, docs/language.md §6.9).
    /// </summary>
    private Node MarkSegmentKeys(Node body, Node value, int extent)
    {
        if (body.Level == 0) return body;
        var key = _graph.ClampIndex(value, extent);
        Node Conjuncts(Node c, IndexVar[] bound)
        {
            if (c.Op == Op.And) return _graph.Binary(Op.And, Conjuncts(c.Args[0], bound), Conjuncts(c.Args[1], bound));
            if (c.Op != Op.Eq) return c;
            for (int side = 0; side < 2; side++)
            {
                Node other = c.Args[1 - side];
                if (ReferenceEquals(c.Args[side], value) && System.Array.Exists(bound, v => other.DependsOn(v.Id)))
                    return _graph.Binary(Op.Eq, other, key);
            }
            return c;
        }
        return _graph.Rewrite(body, n =>
        {
            if (n.Op != Op.Reduce || n.ReduceKind != ReduceKind.Sum || n.Args[0] is not { Op: Op.Select } select || !select.Args[2].IsConstValue(0)) return null;
            var keep = Conjuncts(select.Args[0], n.Bound);
            return ReferenceEquals(keep, select.Args[0]) ? null : _graph.Rebuild(n, new[] { _graph.Select(keep, select.Args[1], select.Args[2]) });
        });
    }

    // ---- Repeat blocks ---------------------------------------------------------------------------------------------

    /// <summary>The most times a repeat block runs.</summary>
    public const int MaxRepeatCount = 100_000;

    /// <summary>The most stages of all the repeat blocks of a program together (each is a tensor the kernels store).</summary>
    public const int MaxStages = 4096;

    /// <summary>
    /// A repeat block (docs/language.md §7.2): each assignment, in order, <see cref="RepeatStatement.Count"/> times,
    /// defines the next stage of its state as an internal tensor over its parameters (<see cref="LossModel.AddInternal"/>),
    /// bound where the state's name means its previous stage (before the first, the state's binding: its initial
    /// value). Every stage is bound once, and reads the stages before it without inlining them: the program grows
    /// linearly with the count.
    /// </summary>
    private void BindRepeat(RepeatStatement repeat, ProgramSyntax syntax)
    {
        double count = repeat.Count.Value;
        if (count != Math.Floor(count) || count < 1 || count > MaxRepeatCount)
            throw Error(DiagnosticIds.InvalidRepeat, $"the count of a repeat block must be a whole number from 1 to {MaxRepeatCount}", repeat.Count);
        foreach (var a in repeat.Assignments)
        {
            string name = a.Name.Name;
            int declared = _lets.TryGetValue(name, out var state) ? IndexOfLet(syntax, state) : -1;
            if (declared < 0 || declared >= repeat.LetsBefore)
                throw Error(DiagnosticIds.InvalidRepeat,
                    $"'{name}' is assigned in the repeat block but is not a binding declared before it: declare the state with its initial value before the block ({name}[i, ...] = ...;)", a.Name);
            if (state!.Parameters is null || state.Parameters.Count == 0)
                throw Error(DiagnosticIds.InvalidRepeat,
                    $"state '{name}' has no index parameters: a state of a repeat block is a tensor; declare it with its indices ({name}[i] = ...;)", a.Name);
            if (a.Parameters is null || a.Parameters.Count != state.Parameters.Count)
                throw Error(DiagnosticIds.RankMismatch,
                    $"state '{name}' takes {state.Parameters.Count} index(es) (from its declaration), but this assignment gives {a.Parameters?.Count ?? 0}", a.Name);
            var names = new HashSet<string>();
            foreach (var p in a.Parameters)
                if (!names.Add(p.Name)) throw Error(DiagnosticIds.DuplicateName, $"the assignment of '{name}' has two parameters named '{p.Name}'", p);
        }
        long total = _model.Internals.Count + repeat.Assignments.Select(a => a.Name.Name).Distinct().Count(n => !_stages.ContainsKey(n)) + (long)repeat.Assignments.Count * (long)count;
        if (total > MaxStages)
            throw Error(DiagnosticIds.InvalidRepeat,
                $"the repeat blocks would define {total} stages, more than {MaxStages} (each stage is a tensor the kernels keep for the gradient)", repeat.Count);
        // Each state without a stage starts from its binding's value where the block begins (stage 0, stored once):
        // not where its first read is (after the block's earlier assignments), and not recomputed at every read.
        foreach (var a in repeat.Assignments)
        {
            if (_stages.ContainsKey(a.Name.Name)) continue;
            var state = _lets[a.Name.Name];
            DefineStage(a.Name.Name, state.Parameters!, state.Value, () => BindLetBody(state), state.Name.Offset, state.Value.End - state.Name.Offset);
        }
        for (int step = 1; step <= (int)count; step++)
            foreach (var a in repeat.Assignments)
                DefineStage(a.Name.Name, a.Parameters!, a.Value, () => BindNumeric(a.Value), a.Name.Offset, a.Value.End - a.Name.Offset);
    }

    /// <summary>
    /// Defines the next stage of state <paramref name="name"/>: <paramref name="bind"/> (its value, over fresh indices
    /// named by <paramref name="parameters"/>) as an internal tensor whose axes are those of the previous stage.
    /// </summary>
    private void DefineStage(string name, IReadOnlyList<NameExpr> parameters, Expr value, Func<Node> bind, int offset, int length)
    {
        var scope = new Dictionary<string, IndexVar>();
        var axes = new IndexVar[parameters.Count];
        for (int k = 0; k < axes.Length; k++)
        {
            var p = parameters[k];
            CheckIndexName(p);
            axes[k] = NewIndexVar(p.Name);
            scope[p.Name] = axes[k];
            // Each axis needs an extent (LOSS0208 at the parameter otherwise).
            _usedIndexSpans[axes[k].Id] = (p.Offset, p.Length);
        }
        bool first = !_stages.TryGetValue(name, out var previous);
        if (previous is not null)
            for (int k = 0; k < axes.Length; k++) Unify(axes[k].Extent, previous.Axes[k].Extent, parameters[k], $"axis {k} of state '{name}'");
        Node bound;
        _scopes.Add(scope);
        try { bound = _graph.ToReal(bind()); }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
        if (bound.Type != DslType.Real)
            throw Error(DiagnosticIds.TypeMismatch, $"the value of state '{name}' is an integer, but a state holds real numbers: write it as a real value (1.0 * ...)", value);
        foreach (int id in bound.Free)
        {
            if (axes.Any(x => x.Id == id)) continue;
            throw Error(DiagnosticIds.NotScalar,
                $"the value {(first ? "of state" : "assigned to")} '{name}' depends on index '{_graph.Var(id).Name}', which is not one of its parameters; add it as a parameter or reduce it", value);
        }
        int stage = _stageCounts.TryGetValue(name, out int stages) ? stages + 1 : 0;
        _stageCounts[name] = stage;
        _stages[name] = _model.AddInternal($"{name}@{stage}", axes, bound, offset, length);
        _stageEpoch++;
    }

    private static int IndexOfLet(ProgramSyntax syntax, LetStatement let)
    {
        for (int k = 0; k < syntax.Lets.Count; k++) if (ReferenceEquals(syntax.Lets[k], let)) return k;
        return -1;
    }

    /// <summary>
    /// A read of a state's stage: at the given subscripts (index names, or gathered Int values that read 0 outside the
    /// axis), or, used bare, at the indices named like the state's parameters where it is used.
    /// </summary>
    private Node LoadStage(InternalTensor stage, LetStatement state, IReadOnlyList<Expr>? subscripts, Expr at)
    {
        int rank = stage.Axes.Length;
        if (subscripts is not null && subscripts.Count != rank)
            throw Error(DiagnosticIds.RankMismatch, $"state '{state.Name.Name}' takes {rank} index(es) but {subscripts.Count} were given", at);
        var idx = new Node[rank];
        for (int k = 0; k < rank; k++)
            idx[k] = BindAxisSubscript(subscripts is null ? new NameExpr(state.Parameters![k].Name, at.Offset, at.Length) : subscripts[k],
                stage.Axes[k].Extent, k, $"state '{state.Name.Name}'");
        return _graph.Load(stage.Ref, DslType.Real, idx);
    }

    private IndexVar ResolveIndexForUse(NameExpr idx)
    {
        if (_tensors.ContainsKey(idx.Name) || _scalars.ContainsKey(idx.Name) || _lets.ContainsKey(idx.Name))
            throw Error(DiagnosticIds.InvalidBinder, $"'{idx.Name}' is not an index", idx);
        return ResolveIndex(idx);
    }

    private Node LoadTensor(TensorInfo t, IReadOnlyList<Expr> subscripts, Expr at, bool flat)
    {
        if (t.FirstUseOffset < 0) { t.FirstUseOffset = at.Offset; t.FirstUseLength = at.Length; }
        _loaded.Add(t.Id);
        if (t.Axes is null)
        {
            var axes = new int[subscripts.Count];
            for (int k = 0; k < axes.Length; k++) axes[k] = NewExtent(t.Name + (axes.Length == 1 ? "" : "_" + k));
            t.Axes = axes;
            _flatUse[t.Id] = flat;
            t.IsFlat = flat;
        }
        else if (t.Axes.Length != subscripts.Count)
        {
            throw Error(DiagnosticIds.RankMismatch, flat
                ? $"'{t.Name}' is used with {t.Axes.Length} subscripts elsewhere; use it with subscripts here too"
                : $"'{t.Name}' has rank {t.Axes.Length} (from its first use) but {subscripts.Count} subscript(s) are given here", at);
        }
        else if (_flatUse[t.Id] != flat)
        {
            throw Error(DiagnosticIds.RankMismatch, $"'{t.Name}' is used both with and without subscripts; use one form throughout", at);
        }

        var idx = new Node[subscripts.Count];
        for (int k = 0; k < subscripts.Count; k++) idx[k] = BindAxisSubscript(subscripts[k], t.Axes[k], k, $"'{t.Name}'");
        return _graph.Load(t.Id, t.IsInt ? DslType.Int : DslType.Real, idx);
    }

    /// <summary>
    /// Subscript <paramref name="axis"/> of a tensor or a state's stage (<paramref name="what"/>), over
    /// <paramref name="extent"/>: an index name (or the flat index), whose extent joins the axis's, or a gathered Int value.
    /// </summary>
    private Node BindAxisSubscript(Expr s, int extent, int axis, string what)
    {
        if (s is NameExpr ne && (ne.Name == FlatIndexName || IsIndexName(ne.Name)))
        {
            var v = ne.Name == FlatIndexName ? FlatIndex(ne) : ResolveIndex(ne);
            Unify(v.Extent, extent, s, $"index '{v.Name}' is used for axis {axis} of {what}");
            return _graph.Index(v);
        }
        var n = Bind(s);
        if (!IrGraph.IsIntLike(n) || n.Type == DslType.Bool)
            throw Error(DiagnosticIds.TypeMismatch, $"a subscript of {what} must be an integer (an index, an int label such as y[i], or int arithmetic on them)", s);
        return n;
    }

    private readonly Dictionary<int, bool> _flatUse = new();
    /// <summary>Where each index bound by a reduction was introduced (for LOSS0208 on indices without an extent).</summary>
    private readonly Dictionary<int, (int Offset, int Length)> _usedIndexSpans = new();
    /// <summary>Names used as subscripts or binders anywhere in the program: bare uses of them are index values.</summary>
    private readonly HashSet<string> _indexNames = new();

    /// <summary>True if the name is not a parameter/binding/constant/function, so it denotes an index.</summary>
    private bool IsIndexName(string name) =>
        !_tensors.ContainsKey(name) && !_scalars.ContainsKey(name) && !_lets.ContainsKey(name) && !IsConstantName(name)
        && _functionArguments?.ContainsKey(name) != true;

    private IndexVar FlatIndex(Expr at)
    {
        if (_inFunction is not null)
            throw Error(DiagnosticIds.UnknownName,
                $"a tensor without subscripts is read at the flat index, which function '{_inFunction}' does not see: pass the tensor as an argument ({_inFunction}(x))", at);
        if (!_implicit.TryGetValue(FlatIndexName, out var v))
        {
            v = _graph.NewVar("e", NewExtent("n"));
            _implicit[FlatIndexName] = v;
        }
        return v;
    }

    // ---- Calls -----------------------------------------------------------------------------------------------------

    private static bool IsFunctionName(string n) => BuiltinTable.IsFunction(n);

    /// <summary>
    /// Binds a call of a built-in function: its index binders (fresh indices scoped to the call), filter and arguments,
    /// checked against the function's entry in <see cref="BuiltinTable"/>; the desugaring stage expands it into IR.
    /// Without binders, a reduction reduces over the implicit (never bound) indices of its arguments.
    /// </summary>
    private Node BindCall(CallExpr c)
    {
        string f = c.Function.Name;
        if (_functions.TryGetValue(f, out var userFunction)) return BindFunctionCall(c, userFunction);
        if (f == ExtentFunction) return BindExtent(c);
        var function = BuiltinTable.Find(f, c.Binders is not null, c.Arguments.Count)
            ?? throw Error(DiagnosticIds.UnknownFunction, $"unknown function '{f}'" + Suggest(f), c.Function);
        if (c.Options is not null && function.Kind != FunctionKind.Reduction)
            throw Error(DiagnosticIds.InvalidReductionOption,
                $"'{f}' is not a reduction and takes no options: options after ';' belong in a reduction's brackets, such as max[c; ties = first](...)",
                c.Options[0].Offset, c.Options[c.Options.Count - 1].Offset + c.Options[c.Options.Count - 1].Length - c.Options[0].Offset);
        if (c.Binders is not null && function.Kind == FunctionKind.Elementwise)
            throw Error(DiagnosticIds.InvalidBinder, $"'{f}' is not a reduction and takes no [indices]", c.Function);
        int n = c.Arguments.Count;
        if (n < function.MinArguments || n > function.MaxArguments)
        {
            string expected = function.MinArguments == function.MaxArguments ? $"{function.MinArguments}" : $"{function.MinArguments} to {function.MaxArguments}";
            throw Error(DiagnosticIds.WrongArgumentCount, $"'{f}' takes {expected} argument(s) but {n} were given", c);
        }

        switch (function.Kind)
        {
            case FunctionKind.AlongAxis:
            {
                if (c.Binders is null || c.Binders.Count != 1 || c.Filter is not null)
                    throw Error(DiagnosticIds.InvalidBinder, $"'{f}' needs exactly one axis and no filter: {f}[c](z[i, c])", c);
                var axis = ResolveIndexForUse(c.Binders[0]);
                return Desugarer.Expand(function, new CallArguments(_graph, BindArguments(c, function), Array.Empty<IndexVar>(), null, axis));
            }
            case FunctionKind.Reduction when c.Binders is not null:
            {
                var scope = new Dictionary<string, IndexVar>();
                var bound = new IndexVar[c.Binders.Count];
                for (int k = 0; k < bound.Length; k++)
                {
                    var b = c.Binders[k];
                    if (b.Name == FlatIndexName || !IsIndexName(b.Name))
                        throw Error(DiagnosticIds.InvalidBinder, $"'{b.Name}' cannot be a reduction index: it is a parameter, binding or constant", b);
                    if (scope.ContainsKey(b.Name))
                        throw Error(DiagnosticIds.InvalidBinder, $"index '{b.Name}' is listed twice", b);
                    bound[k] = NewIndexVar(b.Name);
                    _usedIndexSpans[bound[k].Id] = (b.Offset, b.Length);
                    scope[b.Name] = bound[k];
                }
                _scopes.Add(scope);
                try
                {
                    var filter = c.Filter is null ? null : BindBool(c.Filter, "a reduction filter");
                    var call = new CallArguments(_graph, BindArguments(c, function), bound, filter, null);
                    return ExpandReduction(c, function, call);
                }
                finally { _scopes.RemoveAt(_scopes.Count - 1); }
            }
            case FunctionKind.Reduction:
            {
                var args = BindArguments(c, function);
                var free = IndexSet.Empty;
                foreach (var a in args) free = IndexSet.Union(free, a.Free);
                var bound = free.Where(IsImplicitFree).Select(id => _graph.Var(id)).ToArray();
                return ExpandReduction(c, function, new CallArguments(_graph, args, bound, null, null));
            }
            default:
                return Desugarer.Expand(function, new CallArguments(_graph, BindArguments(c, function), Array.Empty<IndexVar>(), null, null));
        }
    }

    /// <summary>
    /// A call of a user-defined function: its arguments are bound where it is called, then its body with each parameter
    /// standing for its argument's value (a macro, so equal calls are one value). The body sees none of the caller's
    /// indices (hygiene): only its parameters, the method's parameters, bindings, functions and its own binders.
    /// </summary>
    private Node BindFunctionCall(CallExpr c, FunctionStatement function)
    {
        string name = function.Name.Name;
        if (c.Binders is not null)
            throw Error(DiagnosticIds.InvalidBinder, $"'{name}' is a function, not a reduction, and takes no [indices]", c.Function);
        if (c.Arguments.Count != function.Parameters.Count)
            throw Error(DiagnosticIds.WrongArgumentCount,
                $"'{name}' takes {function.Parameters.Count} argument(s) ({string.Join(", ", function.Parameters.Select(p => p.Name))}) but {c.Arguments.Count} were given", c);
        var arguments = new Node[c.Arguments.Count];
        for (int k = 0; k < arguments.Length; k++) arguments[k] = Bind(c.Arguments[k]);
        string key = name + "(" + string.Join(",", arguments.Select(a => a.Id)) + ")";
        if (_functionValues.TryGetValue(key, out var value)) return value;
        if (++_functionExpansions > MaxFunctionExpansions)
            throw Error(DiagnosticIds.NestedTooDeeply,
                $"the functions expand to more than {MaxFunctionExpansions} different calls (functions that call others several times with different arguments grow exponentially); "
                + "write the repeated step as a reduction over an index, or as bindings", c);
        if (!_functionsInProgress.Add(name))
            throw Error(DiagnosticIds.RecursiveFunction,
                $"function '{name}' calls itself{(_inFunction == name ? "" : $" (through '{_inFunction}')")}; functions are expanded where they are called and cannot be recursive", c.Function);
        var frame = new Dictionary<string, Node>();
        for (int k = 0; k < arguments.Length; k++) frame[function.Parameters[k].Name] = arguments[k];
        var (scopeBase, outerArguments, outerFunction) = (_scopeBase, _functionArguments, _inFunction);
        _scopeBase = _scopes.Count;
        _functionArguments = frame;
        _inFunction = name;
        try { value = Bind(function.Body); }
        finally
        {
            (_scopeBase, _functionArguments, _inFunction) = (scopeBase, outerArguments, outerFunction);
            _functionsInProgress.Remove(name);
        }
        _functionValues[key] = value;
        return value;
    }

    /// <summary>
    /// <c>extent(c)</c>: the extent of index <c>c</c> as an Int (a scalar: it does not make <c>c</c> free). Inside a
    /// reduction that binds <c>c</c> (or a binding whose parameter is <c>c</c>) it is that index's extent; elsewhere,
    /// the declared extent of the name, or the one extent that every index named <c>c</c> has (settled with the shapes).
    /// </summary>
    private Node BindExtent(CallExpr c)
    {
        if (c.Binders is not null)
            throw Error(DiagnosticIds.InvalidBinder, "'extent' takes no [indices]: write extent(c)", c.Function);
        if (c.Arguments.Count != 1)
            throw Error(DiagnosticIds.WrongArgumentCount, $"'extent' takes 1 argument (an index name) but {c.Arguments.Count} were given", c);
        var argument = c.Arguments[0];
        if (argument is not NameExpr name || name.Name == FlatIndexName || !IsIndexName(name.Name))
        {
            string what = argument is NameExpr other
                ? (_functionArguments?.ContainsKey(other.Name) == true ? $": '{other.Name}' is a parameter of '{_inFunction}'"
                    : other.Name == FlatIndexName ? ": '_' is the flat index"
                    : $": '{other.Name}' is a parameter, binding or constant")
                : "";
            throw Error(DiagnosticIds.InvalidBinder, $"the argument of 'extent' must be an index name, as in extent(c){what}", argument);
        }
        int extent;
        if (FindInScope(name.Name) is { } bound) extent = bound.Extent;
        else if (_declaredIndexExtents.TryGetValue(name.Name, out int declared)) extent = declared;
        else
        {
            extent = NewExtent("n_" + name.Name);
            _extentCalls.Add((name.Name, extent, name.Offset, name.Length));
        }
        _extentUses.Add((extent, c.Offset, c.Length));
        return _graph.ExtentOf(extent);
    }

    /// <summary>
    /// Expands a reduction with its options (docs/language.md §6.3): <c>ties = split | first | all</c> (max, min and the
    /// selections kth, median, quantile) sets the tie rule of its gradient; <c>empty = v</c> (any reduction; v invariant
    /// in the reduced indices) gives v where no element passes; <c>k = K</c> (kth, required) is the rank and
    /// <c>q = Q</c> (quantile, required) the level, both invariant in the reduced indices. Options are bound in the
    /// reduction's scope, after its binders and filter.
    /// </summary>
    private Node ExpandReduction(CallExpr c, FunctionRule function, CallArguments call)
    {
        Node? empty = null;
        var seen = new HashSet<string>();
        foreach (var option in c.Options ?? (IReadOnlyList<ReductionOption>)Array.Empty<ReductionOption>())
        {
            string name = option.Name.Name;
            if (!seen.Add(name))
                throw Error(DiagnosticIds.InvalidReductionOption, $"the option '{name}' is given twice", option.Offset, option.Length);
            switch (name)
            {
                case "ties":
                    if (function.Name is not ("max" or "min" or "kth" or "median" or "quantile"))
                        throw Error(DiagnosticIds.InvalidReductionOption,
                            $"'ties' chooses how max, min, kth, median and quantile pass their gradient to tied elements; '{function.Name}' has no ties", option.Offset, option.Length);
                    call.Ties = option.Value is NameExpr { Name: "split" } ? TieRule.Split
                        : option.Value is NameExpr { Name: "first" } ? TieRule.First
                        : option.Value is NameExpr { Name: "all" } ? TieRule.All
                        : throw Error(DiagnosticIds.InvalidReductionOption,
                            "the value of 'ties' must be split (the gradient shared evenly among tied elements), first (all of it to the first) or all (all of it to each)",
                            option.Value);
                    break;
                case "empty":
                    empty = BindInvariantOption(option, function, call, "it is the value where no element passes, so it must be the same for all of them");
                    break;
                case "k":
                    if (function.Name != "kth")
                        throw Error(DiagnosticIds.InvalidReductionOption,
                            $"'k' is the rank of kth (kth[c; k = 2](e)); '{function.Name}' takes no rank", option.Offset, option.Length);
                    call.Rank = BindInvariantOption(option, function, call, "it is the rank of the element kth selects, one for all of them");
                    break;
                case "q":
                    if (function.Name != "quantile")
                        throw Error(DiagnosticIds.InvalidReductionOption,
                            $"'q' is the level of quantile (quantile[c; q = 0.25](e)); '{function.Name}' takes no level", option.Offset, option.Length);
                    call.Level = BindInvariantOption(option, function, call, "it is the level of the quantile, one for all of them");
                    break;
                default:
                    throw Error(DiagnosticIds.InvalidReductionOption,
                        $"unknown option '{name}': a reduction takes 'ties' (max, min, kth, median, quantile: split, first or all), 'empty' (the value of an empty reduction), "
                            + "'k' (the rank of kth) and 'q' (the level of quantile)"
                            + (EditDistance(name, "ties") <= 2 ? " (did you mean 'ties'?)" : EditDistance(name, "empty") <= 2 ? " (did you mean 'empty'?)" : ""),
                        option.Name);
            }
        }
        if (function.Name == "kth" && call.Rank is null)
            throw Error(DiagnosticIds.InvalidReductionOption, "kth needs the rank of the element it selects, 1 for the smallest: kth[c; k = 2](e)", c);
        if (function.Name == "quantile" && call.Level is null)
            throw Error(DiagnosticIds.InvalidReductionOption, "quantile needs its level, between 0 and 1: quantile[c; q = 0.25](e)", c);
        var result = Desugarer.Expand(function, call);
        return empty is null ? result : Desugarer.WithEmptyValue(call, result, empty);
    }

    /// <summary>The value of an option that must not depend on the indices the reduction reduces (LOSS0217).</summary>
    private Node BindInvariantOption(ReductionOption option, FunctionRule function, CallArguments call, string why)
    {
        var value = BindNumeric(option.Value);
        foreach (var v in call.Bound)
            if (value.DependsOn(v.Id))
                throw Error(DiagnosticIds.InvalidReductionOption,
                    $"the value of '{option.Name.Name}' depends on '{v.Name}', an index '{function.Name}' reduces: {why}", option.Value);
        return value;
    }

    private Node[] BindArguments(CallExpr c, FunctionRule function)
    {
        var args = new Node[c.Arguments.Count];
        for (int k = 0; k < args.Length; k++)
        {
            args[k] = function.Arguments[k] switch
            {
                ArgumentKind.Condition => BindBool(c.Arguments[k], $"the {Ordinal(k)} argument of '{function.Name}'"),
                ArgumentKind.NumberOrCondition => Bind(c.Arguments[k]),
                _ => BindNumeric(c.Arguments[k]),
            };
        }
        return args;
    }

    private static string Ordinal(int k) => k switch { 0 => "first", 1 => "second", 2 => "third", _ => $"{k + 1}th" };

    /// <summary>True for a free index that no enclosing binder owns (so a binder-less reduction takes it).</summary>
    private bool IsImplicitFree(int id)
    {
        foreach (var scope in _scopes)
            foreach (var v in scope.Values)
                if (v.Id == id) return false;
        return true;
    }

    // ---- Shapes ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Collapses extent symbols to their representatives and orders the run-time extent computation: int parameters
    /// first, then any tensor with a single unknown axis defines it from its length. Every extent must be reached.
    /// </summary>
    private void SettleShapes()
    {
        for (int v = 0; v < _graph.VarCount; v++) _graph.Var(v).Extent = Find(_graph.Var(v).Extent);
        foreach (var t in _model.Tensors)
            if (t.Axes is not null) for (int k = 0; k < t.Axes.Length; k++) t.Axes[k] = Find(t.Axes[k]);

        var known = _known;
        foreach (var kv in _extentFromScalar)
        {
            _model.ExtentPlan.Add(ExtentStep.FromScalar(Find(kv.Value), kv.Key));
            known.Add(Find(kv.Value));
        }
        var pending = _model.Tensors.Where(t => t.Axes is not null).ToList();
        // A subscripted tensor span knows its shape: each axis gives its extent, or is checked against it.
        foreach (var t in pending.Where(t => t.Parameter.Shaped && !t.IsFlat).ToList())
        {
            for (int k = 0; k < t.Axes!.Length; k++)
                _model.ExtentPlan.Add(known.Add(t.Axes[k]) ? ExtentStep.FromAxis(t.Axes[k], t.Id, k) : ExtentStep.CheckAxis(t.Id, k));
            pending.Remove(t);
        }
        bool progress = true;
        while (progress)
        {
            progress = false;
            // Prefer tensors of lower rank (labels before logits) so messages name the most natural source.
            foreach (var t in pending.OrderBy(t => t.Axes!.Length).ToList())
            {
                var unknown = t.Axes!.Distinct().Where(a => !known.Contains(a)).ToList();
                if (unknown.Count == 0)
                {
                    _model.ExtentPlan.Add(ExtentStep.Check(t.Id));
                    pending.Remove(t);
                    progress = true;
                }
                else if (unknown.Count == 1 && t.Axes!.Count(a => a == unknown[0]) == 1)
                {
                    _model.ExtentPlan.Add(ExtentStep.FromTensor(unknown[0], t.Id));
                    known.Add(unknown[0]);
                    pending.Remove(t);
                    progress = true;
                    break;
                }
            }
        }
        AdoptExtentsByName(known);
        // Every index the loss ranges over needs a known extent (an index that never subscripts a tensor has none).
        if (pending.Count == 0)
        {
            for (int v = 0; v < _graph.VarCount; v++)
            {
                var iv = _graph.Var(v);
                if (known.Contains(iv.Extent) || !_usedIndexSpans.TryGetValue(iv.Id, out var span)) continue;
                if (_gatheredParameters.TryGetValue(iv.Id, out var gathered))
                    throw Error(DiagnosticIds.ExtentNotInferable,
                        $"this subscript gathers parameter '{gathered.Parameter}' of binding '{gathered.Binding}', whose extent is unknown (a gather outside [0, extent) reads 0, so it must be known): "
                        + $"use '{gathered.Parameter}' as a subscript of a tensor in the binding, or declare 'index {gathered.Parameter} : n;'",
                        span.Offset, span.Length);
                int names = _indicesByName.TryGetValue(iv.Name, out var same) ? same.Select(x => x.Extent).Where(known.Contains).Distinct().Count() : 0;
                throw Error(DiagnosticIds.ExtentNotInferable,
                    $"the extent of index '{iv.Name}' is unknown: it subscripts no tensor"
                    + (names > 1 ? $", and the indices named '{iv.Name}' that do range over {names} different extents" : "")
                    + $"; use it as a subscript or declare 'index {iv.Name} : n;' with an int parameter n",
                    span.Offset, span.Length);
            }
        }
        if (pending.Count > 0)
        {
            var t = pending[0];
            var unknownAxes = Enumerable.Range(0, t.Axes!.Length).Where(k => !known.Contains(t.Axes[k])).ToList();
            var indexNames = new List<string>();
            for (int v = 0; v < _graph.VarCount; v++)
                if (unknownAxes.Any(k => t.Axes[k] == _graph.Var(v).Extent) && !indexNames.Contains(_graph.Var(v).Name) && _graph.Var(v).Name != "e")
                    indexNames.Add(_graph.Var(v).Name);
            foreach (var kv in _declaredIndexExtents)
                if (unknownAxes.Any(k => t.Axes[k] == Find(kv.Value)) && !indexNames.Contains(kv.Key)) indexNames.Add(kv.Key);
            string idx = indexNames.Count > 0 ? indexNames[indexNames.Count - 1] : "i";
            throw Error(DiagnosticIds.ExtentNotInferable,
                $"the shape of '{t.Name}' cannot be inferred from the tensor lengths (axes {string.Join(", ", unknownAxes)} are unknown); declare an extent with an int parameter, e.g. 'index {idx} : n;'",
                t.FirstUseOffset, t.FirstUseLength);
        }
        ResolveExtentCalls(known);
        // Readable names for generated code: the int parameter's name, else "n_" + the first index over the extent.
        var used = new HashSet<string>();
        for (int e = 0; e < _model.Extents.Count; e++)
        {
            if (Find(e) != e) continue;
            var fromScalar = _model.ExtentPlan.FirstOrDefault(st => st.Extent == e && st.Scalar >= 0);
            string name = fromScalar is not null ? _model.Scalars[fromScalar.Scalar].Name : NameOfExtent(e);
            string unique = name;
            for (int k = 2; !used.Add(unique); k++) unique = name + "_" + k;
            _model.Extents[e].Name = unique;
        }
    }

    private string NameOfExtent(int extent)
    {
        // Name an extent after the first index that ranges over it: i -> "n_i" (readable in generated code).
        for (int v = 0; v < _graph.VarCount; v++)
            if (_graph.Var(v).Extent == extent) return "n_" + _graph.Var(v).Name;
        foreach (var hint in _extentNameHints)
            if (Find(hint.Key) == extent) return hint.Value;
        return "n" + extent;
    }

    /// <summary>
    /// An index whose extent nothing gives (it subscripts no tensor: a binder used only in comparisons, such as the
    /// c of count[c](count[i](y[i] == c) > 0)) takes the extent of the other indices of its name, when those that are
    /// known agree on one: the name means one extent in the program.
    /// </summary>
    private void AdoptExtentsByName(HashSet<int> known)
    {
        var onTensors = new HashSet<int>(_model.Tensors.Where(t => t.Axes is not null).SelectMany(t => t.Axes!).Select(Find));
        bool changed = false;
        foreach (var vars in _indicesByName.Values)
        {
            var extents = vars.Select(v => Find(v.Extent)).Where(known.Contains).Distinct().ToList();
            if (extents.Count != 1) continue;
            foreach (var v in vars)
            {
                int e = Find(v.Extent);
                if (known.Contains(e) || onTensors.Contains(e)) continue;
                _parent[e] = extents[0];
                changed = true;
            }
        }
        if (changed) for (int v = 0; v < _graph.VarCount; v++) _graph.Var(v).Extent = Find(_graph.Var(v).Extent);
    }

    /// <summary>
    /// Settles each extent(c) outside every binder of c to the one extent of the name c: the extent that every index
    /// named c whose extent is known has. None named c is LOSS0200; several extents is LOSS0220.
    /// </summary>
    private void ResolveExtentCalls(HashSet<int> known)
    {
        foreach (var (name, extent, offset, length) in _extentCalls)
        {
            if (!_indicesByName.TryGetValue(name, out var vars))
                throw Error(DiagnosticIds.UnknownName,
                    $"extent({name}): no index is named '{name}' (an index is a name used as a subscript, bound by a reduction or declared with 'index' or 'shape')", offset, length);
            var extents = vars.Select(v => Find(v.Extent)).Where(known.Contains).Distinct().ToList();
            if (extents.Count > 1)
                throw Error(DiagnosticIds.AmbiguousExtent,
                    $"extent({name}) is ambiguous here: the indices named '{name}' range over {extents.Count} different extents ({string.Join(", ", extents.Select(DisplayName))}); "
                    + $"use it inside the reduction that binds the '{name}' it means (sum[{name}](... / extent({name}))), or give the indices different names", offset, length);
            if (extents.Count == 0)
                throw Error(DiagnosticIds.ExtentNotInferable,
                    $"the extent of index '{name}' is unknown: no index named '{name}' subscripts a tensor; declare 'index {name} : n;' with an int parameter n", offset, length);
            _parent[Find(extent)] = extents[0];
        }
    }

    /// <summary>A name of a known extent for messages: its int parameter, or n_ and an index over it.</summary>
    private string DisplayName(int extent)
    {
        foreach (var kv in _extentFromScalar) if (Find(kv.Value) == extent) return _model.Scalars[kv.Key].Name;
        foreach (var t in _model.Tensors)
            if (t.Axes is not null)
                for (int k = 0; k < t.Axes.Length; k++)
                    if (Find(t.Axes[k]) == extent) return t.Axes.Length == 1 ? $"the length of '{t.Name}'" : $"axis {k} of '{t.Name}'";
        return NameOfExtent(extent);
    }

    /// <summary>Every extent a value uses (extent(c), a mean's count, a gather's range) must be known at run time (LOSS0208).</summary>
    private void CheckExtentValues(Node root, Expr whole)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (n.Op == Op.Extent && !_known.Contains(Find(n.Ref)))
            {
                var use = _extentUses.FirstOrDefault(u => Find(u.Extent) == Find(n.Ref));
                throw use.Length > 0
                    ? Error(DiagnosticIds.ExtentNotInferable, $"the extent '{NameOfExtent(Find(n.Ref))}' is unknown at run time; declare it with 'index ... : n;'", use.Offset, use.Length)
                    : Error(DiagnosticIds.ExtentNotInferable, $"the extent '{NameOfExtent(Find(n.Ref))}' is unknown at run time; declare it with 'index ... : n;'", whole);
            }
            foreach (var a in n.Args) stack.Push(a);
        }
    }

    private Node RemapExtents(Node root)
    {
        var memo = new Dictionary<Node, Node>();
        Node Walk(Node n)
        {
            if (memo.TryGetValue(n, out var done)) return done;
            Node r;
            if (n.Op == Op.Extent) r = Find(n.Ref) == n.Ref ? n : _graph.ExtentOf(Find(n.Ref));
            else if (n.Args.Length == 0) r = n;
            else
            {
                var args = new Node[n.Args.Length];
                bool changed = false;
                for (int i = 0; i < args.Length; i++) { args[i] = Walk(n.Args[i]); changed |= !ReferenceEquals(args[i], n.Args[i]); }
                // Reductions are always rebuilt: with the extents settled, their canonical indices are final, so
                // equal reductions bound at different places become one node.
                r = changed || n.Op == Op.Reduce ? _graph.Rebuild(n, args) : n;
            }
            memo[n] = r;
            return r;
        }
        return Walk(root);
    }

    private void CheckGradients()
    {
        foreach (var t in _model.Tensors)
        {
            if (_loaded.Contains(t.Id)) continue;
            if (t.Gradient is null)
                _diagnostics.Add(new DslDiagnostic(DiagnosticIds.UnusedInput, DslSeverity.Warning, $"input '{t.Name}' is not used by the loss", 0, 0, t.Name));
            else
                _diagnostics.Add(new DslDiagnostic(DiagnosticIds.NonDifferentiable, DslSeverity.Error,
                    $"input '{t.Name}' is not used by the loss, so its gradient '{t.Gradient!.Name}' would always be zero", 0, 0, t.Gradient.Name));
        }
    }
}
