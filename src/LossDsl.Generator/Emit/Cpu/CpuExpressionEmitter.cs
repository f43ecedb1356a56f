using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Builtins;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>The values computed so far in a block of generated code, by lexical scope (common subexpressions are reused).</summary>
internal sealed class Scope
{
    public Scope(Scope? parent) { Parent = parent; }
    public Scope? Parent { get; }
    /// <summary>Scalar locals (float, int or bool) by the value they hold.</summary>
    public Dictionary<Node, string> Values { get; } = new();
    /// <summary>Vector locals by the value they hold.</summary>
    public Dictionary<Node, string> Vectors { get; } = new();
    /// <summary>The index whose loop is vectorized in this scope, and the name of its (first-lane) counter.</summary>
    public IndexVar? VectorVar { get; set; }
    public string? VectorVarName { get; set; }
    /// <summary>The vector plan of that loop (which functions are out of line).</summary>
    public VectorBody? Vector { get; set; }
    /// <summary>Indices bound by the enclosing loops.</summary>
    public HashSet<int> BoundVars { get; } = new();

    public string? Lookup(Node n)
    {
        for (var s = this; s is not null; s = s.Parent) if (s.Values.TryGetValue(n, out var v)) return v;
        return null;
    }

    public string? LookupVector(Node n)
    {
        for (var s = this; s is not null; s = s.Parent) if (s.Vectors.TryGetValue(n, out var v)) return v;
        return null;
    }

    public string? VectorVarNameFor(int id)
    {
        for (var s = this; s is not null; s = s.Parent) if (s.VectorVar is { } v && v.Id == id) return s.VectorVarName;
        return null;
    }
}

/// <summary>
/// Prints IR values as C# statements, one local per value, reusing the values already in scope: scalar code on
/// float/int/bool locals, and vector code on <c>TV</c> locals of the kernel's width <c>TS</c> (masks are vectors too).
/// The spelling of each operation comes from <see cref="CpuIntrinsics"/>.
/// </summary>
internal sealed class CpuExpressionEmitter
{
    private readonly CpuKernelContext _kernel;
    private readonly bool _vector;
    private readonly Scope _scope;

    public CpuExpressionEmitter(CpuKernelContext kernel, bool vector, Scope scope) { _kernel = kernel; _vector = vector; _scope = scope; }

    /// <summary>Reductions completed by the passes are read from the caller's locals (the loss epilogue) rather than job fields.</summary>
    public bool GlobalsAsLocals { get; set; }

    private CodeWriter Writer => _kernel.Writer;
    private CpuNames Names => _kernel.Names;
    private KernelPlan Plan => _kernel.Plan;

    /// <summary>Writes the statements that compute <paramref name="n"/> and returns the expression that names it.</summary>
    public string Emit(Node n) => _vector && n.DependsOn(_scope.VectorVar!.Id) ? Vector(n) : Scalar(n);

    // ---- Scalar code -------------------------------------------------------------------------------------------------

    private string Scalar(Node n)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var existing = _scope.Lookup(n);
        if (existing is not null) return existing;
        string code;
        switch (n.Op)
        {
            case Op.Const: return _kernel.Real.Literal(n.Value);
            case Op.Param: return Names.Scalar(n.Ref);
            case Op.Extent: return Names.Extent(n.Ref);
            case Op.Index: return CpuNames.Index(_kernel.Model.Graph.Var(n.Ref));
            case Op.Reduce:
                if (GlobalsAsLocals) return $"(({_kernel.Real.Name}){CpuNames.Global(n)})";
                if (_kernel.Tiles is { } tiles && tiles.Pointers.TryGetValue(n, out var tile))
                {
                    code = $"{tile}[{tiles.Offset(CpuNames.Index(tiles.Row), CpuNames.Index(tiles.Column))}]";
                    break;
                }
                if (Plan.BufferViews.TryGetValue(n, out var view))
                {
                    code = ScalarBufferRead(view);
                    break;
                }
                throw new InvalidOperationException("reduction used before it is computed: " + _kernel.Model.Print(n));
            case Op.Load when LossDsl.Language.Ir.IrGraph.IsInternalLoad(n):
                // An internal tensor (a stage of a repeat block): read from the buffer its pass stored.
                code = ScalarBufferRead(Plan.BufferViews[n]);
                break;
            case Op.Load:
            {
                var t = _kernel.Model.Tensors[n.Ref];
                var subscripts = new string[n.Args.Length];
                var checks = new List<string>();
                for (int k = 0; k < subscripts.Length; k++)
                {
                    subscripts[k] = Scalar(n.Args[k]);
                    if (n.Args[k].Op != Op.Index) checks.Add($"(uint)({subscripts[k]}) < (uint){Names.Extent(t.Axes![k])}");
                }
                // A gathered subscript out of range reads 0 (docs/language.md, gathers).
                string access = $"{CpuNames.TensorPointer(t)}[{_kernel.Offset(t.Axes!, subscripts)}]";
                code = checks.Count == 0 ? access : $"({string.Join(" && ", checks)} ? {access} : {(t.IsInt ? "0" : _kernel.Real.Zero)})";
                break;
            }
            case Op.StopGrad: return Scalar(n.Args[0]);
            case Op.Select:
            {
                string c = Scalar(n.Args[0]), a = Scalar(n.Args[1]), b = Scalar(n.Args[2]);
                code = n.Type == DslType.Int ? $"({c} ? {a} : {b})" : $"({c} ? {AsFloat(n.Args[1], a)} : {AsFloat(n.Args[2], b)})";
                break;
            }
            case Op.PowFromLog when Plan.PowersOwningTheirLog.Contains(n):
            {
                // Nothing else uses log|x|: PowUniform takes it only when the exponent is not a small integer.
                string a = Scalar(n.Args[0]), b = Scalar(n.Args[1]);
                code = $"{_kernel.Real.Call}.PowUniform({AsFloat(n.Args[0], a)}, {AsFloat(n.Args[1], b)})";
                break;
            }
            case Op.PowFromLog:
            {
                string a = Scalar(n.Args[0]), b = Scalar(n.Args[1]), l = Scalar(n.Args[2]);
                code = $"{_kernel.Real.Call}.PowFromLog({AsFloat(n.Args[0], a)}, {AsFloat(n.Args[1], b)}, {l})";
                break;
            }
            // The order keys of a selection's radix select, in the bits of the kernel's Real type.
            case Op.KeyBelow: case Op.KeyBit: case Op.KeyValue:
            {
                string args = string.Join(", ", n.Args.Select(a => AsFloat(a, Scalar(a))));
                code = $"{CpuIntrinsics.OrderKeysClass}.{(n.Op == Op.KeyBelow ? "Below" : n.Op == Op.KeyBit ? "SetBit" : "Value")}({args})";
                break;
            }
            default:
                code = ScalarOperation(n);
                break;
        }
        string type = n.Type switch { DslType.Int => "int", DslType.Bool => "bool", _ => _kernel.Real.Name };
        string name = _kernel.Fresh("t");
        Writer.Line($"{type} {name} = {code};");
        _scope.Values[n] = name;
        return name;
    }

    /// <summary>An operation of <see cref="CpuIntrinsics"/> on scalars: an operator, or a call on float (System.Math on int).</summary>
    private string ScalarOperation(Node n)
    {
        var intrinsic = CpuIntrinsics.Of(n.Op);
        if (intrinsic.Operator is { } op)
        {
            if (n.Args.Length == 1) return $"{op}{Scalar(n.Args[0])}";
            string a = Scalar(n.Args[0]), b = Scalar(n.Args[1]);
            if (n.Op is Op.And or Op.Or) return $"{a} {op} {b}";
            bool intOperation = n.Type == DslType.Int || (n.Type == DslType.Bool && n.Args[0].Type == DslType.Int && n.Args[1].Type == DslType.Int);
            if (intOperation) return $"{AsIntLiteral(n.Args[0], a)} {op} {AsIntLiteral(n.Args[1], b)}";
            return $"{AsFloat(n.Args[0], a)} {op} {AsFloat(n.Args[1], b)}";
        }
        var args = n.Args.Select(Scalar).ToArray();
        if (n.Type == DslType.Int) return $"global::System.Math.{n.Op}({string.Join(", ", args.Select((a, k) => AsIntLiteral(n.Args[k], a)))})";
        return $"{_kernel.Real.ScalarClass(n.Op)}.{intrinsic.Method}({string.Join(", ", args.Select((a, k) => AsFloat(n.Args[k], a)))})";
    }

    /// <summary>A scalar read of a buffer through a view (a gathered key out of its axis reads 0).</summary>
    private string ScalarBufferRead(LossDsl.Language.Scheduling.BufferView view)
    {
        var (subscripts, checks) = BufferSubscripts(view, k => CpuNames.Index(view.Indices[k]));
        string read = $"{CpuNames.BufferPointer(view.Buffer)}[{_kernel.Offset(view.Buffer.Axes.Select(a => a.Extent).ToArray(), subscripts)}]";
        return checks.Count == 0 ? read : $"({string.Join(" && ", checks)} ? {read} : {_kernel.Real.Zero})";
    }

    /// <summary>A vector read of a buffer through a view, contiguous along its last axis (the vectorized index).</summary>
    private string VectorBufferRead(LossDsl.Language.Scheduling.BufferView view)
    {
        var (subscripts, checks) = BufferSubscripts(view, k => k == view.Indices.Length - 1 ? _scope.VectorVarNameFor(view.Indices[k].Id)! : CpuNames.Index(view.Indices[k]));
        string load = $"TS.Load({CpuNames.BufferPointer(view.Buffer)} + {_kernel.Offset(view.Buffer.Axes.Select(a => a.Extent).ToArray(), subscripts)})";
        // A key out of range reads 0 in every lane (the key does not depend on the vectorized index).
        return checks.Count == 0 ? load : $"({string.Join(" && ", checks)} ? {load} : TS.Broadcast(0f))";
    }

    /// <summary>
    /// The subscripts of a buffer read: the index of each axis (<paramref name="indexAt"/>), or at a gathered axis its
    /// key, computed as a scalar, with the check that it lies in the axis (a segment reduction read at a key, a gathered
    /// read of an internal tensor).
    /// </summary>
    private (string[] Subscripts, List<string> Checks) BufferSubscripts(LossDsl.Language.Scheduling.BufferView view, System.Func<int, string> indexAt)
    {
        var subscripts = new string[view.Indices.Length];
        var checks = new List<string>();
        for (int k = 0; k < subscripts.Length; k++)
        {
            if (view.GatheredAt(k) is not { } key) { subscripts[k] = indexAt(k); continue; }
            subscripts[k] = Scalar(key);
            checks.Add($"(uint)({subscripts[k]}) < (uint){Names.Extent(view.Buffer.Axes[k].Extent)}");
        }
        return (subscripts, checks);
    }

    private string AsFloat(Node n, string code) => _kernel.Real.From(n, code);

    /// <summary>An int operand; a constant (an integral double in the IR) as an int literal.</summary>
    private static string AsIntLiteral(Node n, string code) => n.Op == Op.Const ? ((long)n.Value).ToString(CultureInfo.InvariantCulture) : code;

    // ---- Vector code -------------------------------------------------------------------------------------------------

    /// <summary>The class that provides a polynomial function in vector code: <c>TS</c>, or <c>SimdCall</c> when the plan calls it out of line.</summary>
    private string VectorClass(Node n) => _scope.Vector!.OutOfLine.Contains(n) ? CpuIntrinsics.OutOfLineClass : "TS";

    private string Vector(Node n)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (!n.DependsOn(_scope.VectorVar!.Id))
        {
            var uniform = _scope.LookupVector(n);
            if (uniform is not null) return uniform;
            // A uniform value not broadcast before the loop (a cheap leaf): broadcast where it is used.
            string s = Scalar(n);
            if (n.Type == DslType.Bool) return $"({s} ? TS.Equal(TS.Broadcast(0f), TS.Broadcast(0f)) : TS.Broadcast(0f))";
            return $"TS.Broadcast({AsFloat(n, s)})";
        }
        var existing = _scope.LookupVector(n);
        if (existing is not null) return existing;
        string code;
        string V(int k) => Vector(n.Args[k]);
        string AsReal(int k) => n.Args[k].Type == DslType.Bool ? $"TS.MaskToOne({V(k)})" : V(k);
        string ScalarArgument(int k) => AsFloat(n.Args[k], Scalar(n.Args[k]));
        bool owningLog = Plan.PowersOwningTheirLog.Contains(n);
        bool uniformExponent = n.Op == Op.PowFromLog && !n.Args[1].DependsOn(_scope.VectorVar!.Id);
        switch (n.Op)
        {
            case Op.Index: code = $"TS.Iota((float){_scope.VectorVarNameFor(n.Ref)})"; break;
            case Op.Load when LossDsl.Language.Ir.IrGraph.IsInternalLoad(n):
                code = VectorBufferRead(Plan.BufferViews[n]);
                break;
            case Op.Load:
            {
                var t = _kernel.Model.Tensors[n.Ref];
                var subscripts = new string[n.Args.Length];
                var checks = new List<string>();
                for (int k = 0; k < subscripts.Length; k++)
                {
                    subscripts[k] = k == subscripts.Length - 1 ? _scope.VectorVarNameFor(_scope.VectorVar!.Id)! : Scalar(n.Args[k]);
                    if (k < subscripts.Length - 1 && n.Args[k].Op != Op.Index) checks.Add($"(uint)({subscripts[k]}) < (uint){Names.Extent(t.Axes![k])}");
                }
                string pointer = $"{CpuNames.TensorPointer(t)} + {_kernel.Offset(t.Axes!, subscripts)}";
                string load = t.IsInt ? $"TS.LoadInt({pointer})" : $"TS.Load({pointer})";
                // A gathered row out of range reads 0, as in scalar code: one check for every lane (the row does not
                // depend on the vectorized index), and no load outside the tensor.
                code = checks.Count == 0 ? load : $"({string.Join(" && ", checks)} ? {load} : TS.Broadcast(0f))";
                break;
            }
            case Op.Reduce when _kernel.Tiles is { } tiles && tiles.Pointers.TryGetValue(n, out var tile):
                // A contraction's tile: row-major, contiguous along the vectorized column index.
                code = $"TS.Load({tile} + {tiles.Offset(CpuNames.Index(tiles.Row), _scope.VectorVarNameFor(tiles.Column.Id)!)})";
                break;
            case Op.Reduce:
                code = VectorBufferRead(Plan.BufferViews[n]);
                break;
            case Op.StopGrad: return Vector(n.Args[0]);
            case Op.Select:
                code = $"TS.Select({V(0)}, {AsReal(1)}, {AsReal(2)})";
                break;
            case Op.And: case Op.Or: case Op.Not:
                code = $"TS.{CpuIntrinsics.Of(n.Op).Method}({string.Join(", ", n.Args.Select((_, k) => V(k)))})";
                break;
            // Powers of a shared logarithm. A uniform exponent (a hyperparameter) becomes scalar branches; a power that
            // owns its logarithm computes a small integral exponent with a few multiplications, any other with log|x|.
            case Op.PowFromLog when uniformExponent && owningLog:
                code = $"{VectorClass(n)}.PowUniform({AsReal(0)}, {ScalarArgument(1)})"; break;
            case Op.PowFromLog when owningLog:
                code = $"{VectorClass(n)}.Pow({AsReal(0)}, {AsReal(1)})"; break;
            case Op.PowFromLog when uniformExponent:
                code = $"{VectorClass(n)}.PowFromLogUniform({AsReal(0)}, {ScalarArgument(1)}, {AsReal(2)})"; break;
            case Op.PowFromLog:
                code = $"{VectorClass(n)}.PowFromLog({AsReal(0)}, {AsReal(1)}, {AsReal(2)})"; break;
            // A selection's key per lane: the selections of the rows a transposed pair pass vectorizes over.
            case Op.KeyBelow:
                code = $"TS.KeyBelow({AsReal(0)}, {AsReal(1)})"; break;
            case Op.KeyBit:
                code = $"TS.KeyBit({AsReal(0)}, {ScalarArgument(1)})"; break;
            case Op.KeyValue:
                code = $"TS.KeyValue({AsReal(0)})"; break;
            default:
            {
                var intrinsic = CpuIntrinsics.Of(n.Op);
                string cls = BuiltinTable.IsPolynomial(n.Op) ? VectorClass(n) : "TS";
                code = $"{cls}.{intrinsic.Method}({string.Join(", ", n.Args.Select((_, k) => AsReal(k)))})";
                break;
            }
        }
        string name = _kernel.Fresh("v");
        Writer.Line($"TV {name} = {code};");
        _scope.Vectors[n] = name;
        return name;
    }

    /// <summary>A float literal that reads the same in every culture; infinities and out-of-range values are spelled out.</summary>
    internal static string FloatLiteral(double v)
    {
        if (double.IsPositiveInfinity(v)) return "float.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "float.NegativeInfinity";
        if (double.IsNaN(v)) return "float.NaN";
        float f = (float)v;
        if (float.IsPositiveInfinity(f)) return "float.MaxValue";
        if (float.IsNegativeInfinity(f)) return "-float.MaxValue";
        string s = f.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOf('E') < 0 && s.IndexOf('.') < 0) s += ".0";
        return f < 0 ? "(" + s + "f)" : s + "f";
    }
}
