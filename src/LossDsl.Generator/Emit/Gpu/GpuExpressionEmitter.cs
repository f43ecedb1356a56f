using System;
using System.Linq;
using LossDsl.Generator.Emit.Cpu;
using LossDsl.Language.Ir;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// Prints IR values as scalar C# statements that ILGPU compiles, one local per value, reusing the values already in
/// scope (<see cref="Scope"/>): loads from the argument struct's views (a gathered subscript out of range reads 0, as
/// on the CPU), reductions from their scratch buffers or from the locals the kernel holds them in, and the operations
/// of <see cref="GpuIntrinsics"/>.
/// </summary>
internal sealed class GpuExpressionEmitter
{
    private readonly GpuKernelContext _kernel;
    private readonly Scope _scope;

    public GpuExpressionEmitter(GpuKernelContext kernel, Scope scope) { _kernel = kernel; _scope = scope; }

    private CodeWriter Writer => _kernel.Writer;
    private GpuNames Names => _kernel.Names;

    /// <summary>
    /// A read of a buffer through a view: at a gathered axis, the key of a segment reduction (clamped into the axis;
    /// 0 where it is empty) or the gathered subscript of an internal tensor (0 outside the axis).
    /// </summary>
    private string BufferRead(LossDsl.Language.Scheduling.BufferView view)
    {
        var subscripts = new string[view.Indices.Length];
        var checks = new System.Collections.Generic.List<string>();
        for (int k = 0; k < subscripts.Length; k++)
        {
            if (view.GatheredAt(k) is not { } key) { subscripts[k] = GpuNames.Index(view.Indices[k]); continue; }
            subscripts[k] = Emit(key);
            checks.Add($"(uint)({subscripts[k]}) < (uint){Names.Extent(view.Buffer.Axes[k].Extent)}");
        }
        string read = $"__a.{GpuNames.Buffer(view.Buffer)}[{_kernel.Offset(view.Buffer.Axes.Select(x => x.Extent).ToArray(), subscripts)}]";
        return checks.Count == 0 ? read : $"({string.Join(" && ", checks)} ? {read} : 0f)";
    }

    /// <summary>Writes the statements that compute <paramref name="n"/> and returns the expression that names it.</summary>
    public string Emit(Node n)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var existing = _scope.Lookup(n);
        if (existing is not null) return existing;
        string code;
        switch (n.Op)
        {
            case Op.Const: return CpuExpressionEmitter.FloatLiteral(n.Value);
            case Op.Param: return Names.Scalar(n.Ref);
            case Op.Extent: return Names.Extent(n.Ref);
            case Op.Index: return GpuNames.Index(_kernel.Model.Graph.Var(n.Ref));
            case Op.Reduce:
                if (_kernel.Plan.BufferViews.TryGetValue(n, out var view))
                {
                    code = BufferRead(view);
                    break;
                }
                throw new InvalidOperationException("reduction used before it is computed: " + _kernel.Model.Print(n));
            case Op.Load when IrGraph.IsInternalLoad(n):
                // An internal tensor (a stage of a repeat block): read from the buffer its pass stored.
                code = BufferRead(_kernel.Plan.BufferViews[n]);
                break;
            case Op.Load:
            {
                var t = _kernel.Model.Tensors[n.Ref];
                var subscripts = new string[n.Args.Length];
                var checks = new System.Collections.Generic.List<string>();
                for (int k = 0; k < subscripts.Length; k++)
                {
                    subscripts[k] = Emit(n.Args[k]);
                    if (n.Args[k].Op != Op.Index) checks.Add($"(uint)({subscripts[k]}) < (uint){Names.Extent(t.Axes![k])}");
                }
                string access = $"__a.{GpuNames.Tensor(t)}[{_kernel.Offset(t.Axes!, subscripts)}]";
                code = checks.Count == 0 ? access : $"({string.Join(" && ", checks)} ? {access} : {(t.IsInt ? "0" : "0f")})";
                break;
            }
            case Op.StopGrad: return Emit(n.Args[0]);
            case Op.Select:
            {
                string c = Emit(n.Args[0]), x = Emit(n.Args[1]), y = Emit(n.Args[2]);
                code = n.Type == DslType.Int ? $"({c} ? {x} : {y})" : $"({c} ? {AsFloat(n.Args[1], x)} : {AsFloat(n.Args[2], y)})";
                break;
            }
            case Op.PowFromLog:
            {
                // A uniform exponent (the same for every element, a hyperparameter) multiplies for a small integer.
                string x = AsFloat(n.Args[0], Emit(n.Args[0])), y = AsFloat(n.Args[1], Emit(n.Args[1]));
                // A power that owns its logarithm takes it only when the exponent is not a small integer.
                if (_kernel.Plan.PowersOwningTheirLog.Contains(n))
                    code = $"{GpuIntrinsics.MathClass}.PowUniform({x}, {y})";
                else
                    code = $"{GpuIntrinsics.MathClass}.{(Uniform(n.Args[1]) ? "PowFromLogUniform" : "PowFromLog")}({x}, {y}, {Emit(n.Args[2])})";
                break;
            }
            default:
                code = Operation(n);
                break;
        }
        string type = n.Type switch { DslType.Int => "int", DslType.Bool => "bool", _ => "float" };
        string name = _kernel.Fresh("t");
        Writer.Line($"{type} {name} = {code};");
        _scope.Values[n] = name;
        return name;
    }

    /// <summary>A value that does not depend on any index: the same in every thread.</summary>
    private static bool Uniform(Node n) => n.Free.Length == 0;

    private string Operation(Node n)
    {
        var (op, function) = GpuIntrinsics.Of(n.Op);
        if (op is not null)
        {
            if (n.Args.Length == 1)
            {
                string x = Emit(n.Args[0]);
                return n.Op == Op.Not ? $"!{x}" : $"{op}{AsFloatUnlessInt(n, n.Args[0], x)}";
            }
            string l = Emit(n.Args[0]), r = Emit(n.Args[1]);
            if (n.Op is Op.And or Op.Or) return $"{l} {op} {r}";
            bool intOperation = n.Type == DslType.Int || (n.Type == DslType.Bool && n.Args[0].Type == DslType.Int && n.Args[1].Type == DslType.Int);
            if (intOperation) return $"{AsIntLiteral(n.Args[0], l)} {op} {AsIntLiteral(n.Args[1], r)}";
            return $"{AsFloat(n.Args[0], l)} {op} {AsFloat(n.Args[1], r)}";
        }
        var args = n.Args.Select(Emit).ToArray();
        if (n.Type == DslType.Int)
        {
            for (int k = 0; k < args.Length; k++) args[k] = AsIntLiteral(n.Args[k], args[k]);
            return n.Op switch
            {
                Op.Min => $"({args[0]} < {args[1]} ? {args[0]} : {args[1]})",
                Op.Max => $"({args[0]} > {args[1]} ? {args[0]} : {args[1]})",
                Op.Abs => $"({args[0]} < 0 ? -{args[0]} : {args[0]})",
                Op.Sign => $"({args[0]} > 0 ? 1 : {args[0]} < 0 ? -1 : 0)",
                _ => throw new InvalidOperationException($"no integer form of {n.Op} on the GPU"),
            };
        }
        return $"{GpuIntrinsics.MathClass}.{function}({string.Join(", ", args.Select((x, k) => AsFloat(n.Args[k], x)))})";
    }

    private static string AsFloatUnlessInt(Node n, Node arg, string code) => n.Type == DslType.Int ? code : AsFloat(arg, code);

    public static string AsFloat(Node n, string code) => n.Type switch
    {
        DslType.Int => $"(float)({code})",
        DslType.Bool => $"({code} ? 1f : 0f)",
        _ => code,
    };

    private static string AsIntLiteral(Node n, string code) => n.Op == Op.Const ? ((long)n.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : code;
}
