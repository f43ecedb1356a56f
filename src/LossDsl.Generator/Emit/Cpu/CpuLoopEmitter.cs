using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// Prints the loops of a pass as the plan describes them: the hoisted invariants before each loop, a scalar loop, or
/// a vector loop (<c>TS.Count</c> lanes, unrolled with one accumulator per copy, then a scalar tail), the two versions
/// of a <see cref="VersionedLoop"/>, and the accumulations, online steps and stores of the bodies.
/// </summary>
internal sealed class CpuLoopEmitter
{
    private readonly CpuKernelContext _kernel;
    /// <summary>Reductions completed by the pass loop: their per-chunk accumulators are doubles.</summary>
    private readonly HashSet<Node> _passAccumulators;

    public CpuLoopEmitter(CpuKernelContext kernel, IEnumerable<Node> passAccumulators)
    {
        _kernel = kernel;
        _passAccumulators = new HashSet<Node>(passAccumulators);
    }

    private CodeWriter Writer => _kernel.Writer;
    private LossModel Model => _kernel.Model;
    private CpuNames Names => _kernel.Names;

    private CpuExpressionEmitter Scalars(Scope scope) => new(_kernel, vector: false, scope);

    /// <summary>Writes <c>acc op= value</c> for reduction <paramref name="r"/> (sum, max or min; double for a pass's accumulators).</summary>
    private void AccumulateInto(Node r, string value)
    {
        string target = CpuNames.Accumulator(r);
        bool inDouble = _passAccumulators.Contains(r);
        if (inDouble) value = "(double)" + value;
        Writer.Line(Combine(r.ReduceKind, inDouble ? "global::System.Math" : _kernel.Real.Math, target, value));
    }

    /// <summary><c>target = combine(target, value)</c> for a reduction's kind, with <paramref name="math"/>'s Max and Min.</summary>
    private static string Combine(ReduceKind kind, string math, string target, string value) => kind switch
    {
        ReduceKind.Sum => $"{target} += {value};",
        ReduceKind.Max => $"{target} = {math}.Max({target}, {value});",
        _ => $"{target} = {math}.Min({target}, {value});",
    };

    /// <summary>Prints a loop from <paramref name="from"/> to <paramref name="to"/> (its accumulators are already open).</summary>
    public void EmitLoop(PlanLoop loop, Scope outer, string from, string to)
    {
        var scope = new Scope(outer);
        var hoist = Scalars(scope);
        foreach (var n in loop.Hoisted) hoist.Emit(n);
        if (loop.Vector is not null)
        {
            Writer.Open("");
            EmitVectorLoop(loop, scope, from, to);
            Writer.Close();
            return;
        }
        var v = CpuNames.Index(loop.Var);
        Writer.Open($"for (int {v} = {from}; {v} < {to}; {v}++)");
        var body = new Scope(scope);
        body.BoundVars.Add(loop.Var.Id);
        EmitBlock(loop.Body, body);
        Writer.Close();
    }

    private void EmitBlock(List<Stmt> body, Scope scope)
    {
        foreach (var s in body)
        {
            switch (s)
            {
                case PlanLoop loop:
                    OpenAccumulators(loop.Completes);
                    if (loop.OnlineSums.Any()) EmitOnline(loop, scope, "", "// The maximum and the sum of exponentials in one online sweep (the values are computed once).");
                    else EmitLoop(loop, scope, "0", Names.Extent(loop.Var.Extent));
                    foreach (var r in loop.Completes) scope.Values[r] = CpuNames.Accumulator(r);
                    break;
                case VersionedLoop versioned:
                    OpenAccumulators(versioned.Completes);
                    EmitVersioned(versioned, scope);
                    foreach (var r in versioned.Completes) scope.Values[r] = CpuNames.Accumulator(r);
                    break;
                case AccumulateStmt acc:
                    AccumulateInto(acc.Reduce, Scalars(scope).Emit(acc.Body));
                    break;
                case OnlineSumExpStmt o:
                {
                    string v = Scalars(scope).Emit(o.Value);
                    Writer.Line($"{CpuNames.OnlineState(o)} = {_kernel.Real.Online}.Add({CpuNames.OnlineState(o)}, {v});");
                    break;
                }
                case StoreStmt st:
                {
                    string v = Scalars(scope).Emit(st.Value);
                    Writer.Line($"{StorePointer(st)}[{StoreOffset(st, null)}] = {AsFloat(st.Value, v)};");
                    break;
                }
                case ScatterStmt sc:
                    EmitScatter(sc, scope);
                    break;
                case RankElementStmt e:
                    EmitRankElement(e.Sum, scope);
                    break;
                case RankLookupStmt l:
                    EmitRankLookup(l.Sum, scope);
                    break;
            }
        }
    }

    /// <summary>The offset of a ranked sum's batch point: its batch indices, row-major, times the extent of the elements.</summary>
    private string RankBase(RankedSum ranked) =>
        ranked.Batch.Length == 0 ? "(nint)0"
        : $"{_kernel.Offset(ranked.Batch.Select(v => v.Extent).ToArray(), ranked.Batch.Select(CpuNames.Index).ToArray())} * {Names.Extent(ranked.Extent)}";

    /// <summary>An element of a ranked sum: its key and value at its place (batch point, index) of the element buffers.</summary>
    private void EmitRankElement(RankedSum ranked, Scope scope)
    {
        var scalars = Scalars(scope);
        string at = $"{RankBase(ranked)} + {CpuNames.Index(ranked.Element)}";
        if (ranked.ElementKey is { } key)
            Writer.Line($"{CpuNames.BufferPointer(ranked.Keys!)}[{at}] = {AsFloat(key, scalars.Emit(key))};");
        Writer.Line($"{CpuNames.BufferPointer(ranked.Values)}[{at}] = {AsFloat(ranked.ElementValue, scalars.Emit(ranked.ElementValue))};");
    }

    /// <summary>A reader of a ranked sum: the prefix of its batch point's order that its key keeps (a binary search), or 0 where its condition is false.</summary>
    private void EmitRankLookup(RankedSum ranked, Scope scope)
    {
        var scalars = Scalars(scope);
        string real = _kernel.Real.Name;
        string key = ranked.SearchKey is { } k0 ? AsFloat(k0, scalars.Emit(k0)) : _kernel.Real.Zero;
        string index = ranked.SearchIndex is { } t ? $"(long)({scalars.Emit(t)})" : "0L";
        string condition = ranked.ReaderCondition is { } c ? scalars.Emit(c) : "true";
        string b = _kernel.Fresh("rank");
        Writer.Line($"nint {b} = {RankBase(ranked)};");
        string keys = ranked.Keys is { } k ? $"{CpuNames.BufferPointer(k)} + {b}" : $"({real}*)null";
        string indices = ranked.Indices is { } ix ? $"(int*)({CpuNames.BufferPointer(ix)} + {b})" : "(int*)null";
        string offset = _kernel.Offset(ranked.Batch.Concat(ranked.Readers).Select(v => v.Extent).ToArray(), ranked.Batch.Concat(ranked.Readers).Select(CpuNames.Index).ToArray());
        Writer.Line($"// Ranked sum {ranked.Result.Id}: the prefix of the elements this reader keeps ({ranked.Mode}), found by a binary search.");
        Writer.Line($"{CpuNames.BufferPointer(ranked.Result)}[{offset}] = {condition} ? global::LossDsl.Internals.RankedSums.Lookup<{real}>({keys}, {CpuNames.BufferPointer(ranked.Values)} + {b}, {indices}, {Names.Extent(ranked.Extent)}, {key}, {index}, {(int)ranked.Mode}) : {_kernel.Real.Zero};");
    }

    /// <summary>
    /// <c>target[s0, s1, ...] += value</c>, in the order of the loops: the adjoint of a gather (one accumulation per
    /// read) or an element of a segment reduction added to its key (or, for a segment max or min, the entry replaced by
    /// its maximum or minimum with the value); a gathered subscript out of range receives nothing.
    /// </summary>
    private void EmitScatter(ScatterStmt sc, Scope scope)
    {
        var scalars = Scalars(scope);
        int[] extents = ScatterExtents(sc);
        var subscripts = new string[sc.Subscripts.Length];
        var checks = new List<string>();
        for (int k = 0; k < subscripts.Length; k++)
        {
            var x = sc.Subscripts[k];
            if (x.Op == Op.Index)
            {
                subscripts[k] = CpuNames.Index(Model.Graph.Var(x.Ref));
                continue;
            }
            subscripts[k] = _kernel.Fresh("s");
            Writer.Line($"int {subscripts[k]} = {scalars.Emit(x)};");
            checks.Add($"(uint){subscripts[k]} < (uint){Names.Extent(extents[k])}");
        }
        string v = scalars.Emit(sc.Value);
        string pointer;
        if (sc.Tensor is { } t)
        {
            Writer.Line($"// Scatter: the adjoint of a gather of {t.Name}, one accumulation per read; a target out of range (a read of 0) receives nothing.");
            pointer = CpuNames.GradientPointer(t);
        }
        else
        {
            var buffer = _kernel.Plan.BufferViews[sc.Target.Buffered!].Buffer;
            Writer.Line($"// Segments: each element {(sc.Combine == ReduceKind.Sum ? "added to" : "combined with")} the entry of its key; a key out of range belongs to no entry.");
            pointer = CpuNames.BufferPointer(buffer);
        }
        string update = Combine(sc.Combine, _kernel.Real.Math, $"{pointer}[{_kernel.Offset(extents, subscripts)}]", AsFloat(sc.Value, v));
        Writer.Line(checks.Count > 0 ? $"if ({string.Join(" && ", checks)}) {update}" : update);
    }

    /// <summary>The extents of a scatter's target: its gradient's axes, or its buffer's.</summary>
    private int[] ScatterExtents(ScatterStmt sc) =>
        sc.Tensor is { } t ? t.Axes! : _kernel.Plan.BufferViews[sc.Target.Buffered!].Buffer.Axes.Select(a => a.Extent).ToArray();

    private void OpenAccumulators(List<Node> completes)
    {
        foreach (var r in completes)
            Writer.Line($"{_kernel.Real.Name} {CpuNames.Accumulator(r)} = {CpuKernelContext.Identity(r, _kernel.Real.IsDouble)}; // {Model.Print(r, LossModel.CommentLength)}");
    }

    /// <summary>A loop of online sums in a block: the running states before it, and after it the max and the sum relative to its shift.</summary>
    private void EmitOnline(PlanLoop loop, Scope scope, string header, string comment)
    {
        Writer.Open(header);
        Writer.Line(comment);
        var oneSweep = new Scope(scope);
        var online = loop.OnlineSums.ToList();
        foreach (var o in online) Writer.Line($"var {CpuNames.OnlineState(o)} = {_kernel.Real.Online}.State.Empty;");
        EmitLoop(loop, oneSweep, "0", Names.Extent(loop.Var.Extent));
        foreach (var o in online)
        {
            // The online sum is relative to the running maximum; the expression's sum is relative to its shift.
            Writer.Line($"{CpuNames.Accumulator(o.Max)} = {CpuNames.OnlineState(o)}.Max;");
            oneSweep.Values[o.Max] = CpuNames.Accumulator(o.Max);
            string shift = Scalars(oneSweep).Emit(o.Shift);
            Writer.Line($"{CpuNames.Accumulator(o.Sum)} = {_kernel.Real.Online}.Rescale({CpuNames.OnlineState(o)}.Sum, {CpuNames.OnlineState(o)}.Max, {shift});");
        }
        Writer.Close();
    }

    private void EmitVersioned(VersionedLoop versioned, Scope scope)
    {
        EmitOnline(versioned.Online, scope, $"if ({Names.Extent(versioned.Extent)} >= {versioned.Threshold})",
            "// A long row: its maximum and sum of exponentials in one online sweep.");
        Writer.Open("else");
        Writer.Line("// A row that stays in L1: the maximum first, then the sum of exponentials.");
        var twoSweeps = new Scope(scope);
        EmitLoop(versioned.MaxSweep, twoSweeps, "0", Names.Extent(versioned.Extent));
        foreach (var r in versioned.MaxSweep.Completes) twoSweeps.Values[r] = CpuNames.Accumulator(r);
        EmitLoop(versioned.SumSweep, twoSweeps, "0", Names.Extent(versioned.Extent));
        Writer.Close();
    }

    private string AsFloat(Node n, string code) => _kernel.Real.From(n, code);

    private string StorePointer(StoreStmt st) =>
        st.Target.GradientOf is { } t ? CpuNames.GradientPointer(t)
        : st.Target.OutputOf is { } o ? CpuNames.OutputPointer(o)
        : st.Target.Tile is { } back ? _kernel.Tiles!.Pointers[back.Value]
        : CpuNames.BufferPointer(_kernel.Plan.BufferViews[st.Target.Buffered!].Buffer);

    private string StoreOffset(StoreStmt st, string? vectorVarOverride)
    {
        if (st.Target.Tile is not null)
        {
            var tiles = _kernel.Tiles!;
            return tiles.Offset(CpuNames.Index(tiles.Row), vectorVarOverride ?? CpuNames.Index(tiles.Column));
        }
        int[] extents = st.Target.GradientOf is { } t ? t.Axes!
            : st.Target.OutputOf is { } o ? o.Axes.Select(a => a.Extent).ToArray()
            : _kernel.Plan.BufferViews[st.Target.Buffered!].Buffer.Axes.Select(a => a.Extent).ToArray();
        var last = st.Indices[st.Indices.Length - 1];
        return _kernel.Offset(extents, st.Indices.Select(v => vectorVarOverride is not null && ReferenceEquals(v, last) ? vectorVarOverride : CpuNames.Index(v)).ToArray());
    }

    // ---- Vector loops --------------------------------------------------------------------------------------------

    private void EmitVectorLoop(PlanLoop loop, Scope scope, string from, string to)
    {
        var vector = loop.Vector!;
        var v = CpuNames.Index(loop.Var);
        Writer.Line(vector.Unroll == 2
            ? $"// Vectorized over {loop.Var.Name}: TS.Count lanes, unrolled twice with two accumulators, then a scalar tail."
            : $"// Vectorized over {loop.Var.Name}: TS.Count lanes, then a scalar tail.");
        // Broadcast the loop-invariant values the body uses.
        var scalars = Scalars(scope);
        var vectorScope = new Scope(scope);
        vectorScope.BoundVars.Add(loop.Var.Id);
        foreach (var n in vector.Broadcasts)
        {
            string s = scalars.Emit(n);
            string name = _kernel.Fresh("u");
            Writer.Line(n.Type == DslType.Bool
                ? $"TV {name} = {s} ? TS.Equal(TS.Broadcast(0f), TS.Broadcast(0f)) : TS.Broadcast(0f);"
                : $"TV {name} = TS.Broadcast({AsFloat(n, s)});");
            vectorScope.Vectors[n] = name;
        }
        var accumulated = loop.Body.OfType<AccumulateStmt>().Select(a => a.Reduce).Distinct().ToList();
        foreach (var r in accumulated)
        {
            string identity = CpuKernelContext.Identity(r, false);
            Writer.Line($"TV {CpuNames.VectorAccumulator(r, 0)} = TS.Broadcast({identity}), {CpuNames.VectorAccumulator(r, 1)} = TS.Broadcast({identity});");
        }
        var online = loop.OnlineSums.ToList();
        foreach (var o in online)
            Writer.Line($"TV {CpuNames.VectorAccumulator(o.Max, 0)} = TS.Broadcast(float.NegativeInfinity), {CpuNames.VectorAccumulator(o.Sum, 0)} = TS.Broadcast(0f); // per lane: running max, sum of exp(v - max)");
        Writer.Line($"int {v} = {from};");
        if (vector.Unroll == 2)
        {
            // A light body is bound by the latency of its accumulation: two copies with two accumulators.
            Writer.Open($"for (; {v} + 2 * TS.Count <= {to}; {v} += 2 * TS.Count)");
            EmitVectorBody(loop, vectorScope, v, 0);
            Writer.Line($"int {v}_b = {v} + TS.Count;");
            EmitVectorBody(loop, vectorScope, v + "_b", 1);
            Writer.Close();
            Writer.Open($"if ({v} + TS.Count <= {to})");
            EmitVectorBody(loop, vectorScope, v, 0);
            Writer.Line($"{v} += TS.Count;");
            Writer.Close();
        }
        else
        {
            // A heavy body (polynomial functions) has enough independent work per element; one copy keeps the whole
            // body within the JIT's inlining budget.
            Writer.Open($"for (; {v} + TS.Count <= {to}; {v} += TS.Count)");
            EmitVectorBody(loop, vectorScope, v, 0);
            Writer.Close();
        }
        foreach (var r in accumulated)
        {
            string a0 = CpuNames.VectorAccumulator(r, 0), a1 = CpuNames.VectorAccumulator(r, 1);
            AccumulateInto(r, r.ReduceKind switch
            {
                ReduceKind.Sum => $"TS.Sum(TS.Add({a0}, {a1}))",
                ReduceKind.Max => $"TS.MaxAcross(TS.Max({a0}, {a1}))",
                _ => $"TS.MinAcross(TS.Min({a0}, {a1}))",
            });
        }
        foreach (var o in online)
            Writer.Line($"{CpuNames.OnlineState(o)} = global::LossDsl.Internals.OnlineSumExp.Combine<TS, TV>({CpuNames.VectorAccumulator(o.Max, 0)}, {CpuNames.VectorAccumulator(o.Sum, 0)}, {CpuNames.OnlineState(o)});");
        Writer.Open($"for (; {v} < {to}; {v}++)");
        var tail = new Scope(scope);
        tail.BoundVars.Add(loop.Var.Id);
        EmitBlock(loop.Body, tail);
        Writer.Close();
    }

    private void EmitVectorBody(PlanLoop loop, Scope vectorScope, string v, int copy)
    {
        var scope = new Scope(vectorScope) { VectorVar = loop.Var, VectorVarName = v, Vector = loop.Vector };
        var values = new CpuExpressionEmitter(_kernel, vector: true, scope);
        // A value that does not depend on the vectorized index (a gradient such as upstream / n) is a scalar: its
        // broadcast, or one made here, is what the vector statements take.
        foreach (var s in loop.Body)
        {
            switch (s)
            {
                case AccumulateStmt acc:
                {
                    string value = VectorValue(values, scope, acc.Body);
                    string a = CpuNames.VectorAccumulator(acc.Reduce, copy);
                    Writer.Line(acc.Reduce.ReduceKind switch
                    {
                        ReduceKind.Sum => $"{a} = TS.Add({a}, {value});",
                        ReduceKind.Max => $"{a} = TS.Max({a}, {value});",
                        _ => $"{a} = TS.Min({a}, {value});",
                    });
                    break;
                }
                case OnlineSumExpStmt o:
                {
                    string value = VectorValue(values, scope, o.Value);
                    string m = CpuNames.VectorAccumulator(o.Max, copy), sum = CpuNames.VectorAccumulator(o.Sum, copy);
                    string step = loop.Vector!.OutOfLineSteps.Contains(o) ? "StepOutOfLine" : "Step";
                    Writer.Line("// Online max and sum: a new maximum rescales the running sum (one exp per element).");
                    Writer.Line($"({m}, {sum}) = global::LossDsl.Internals.OnlineSumExp.{step}<TS, TV>({m}, {sum}, {value});");
                    break;
                }
                case StoreStmt st:
                {
                    string value = VectorValue(values, scope, st.Value);
                    Writer.Line($"TS.Store({value}, {StorePointer(st)} + {StoreOffset(st, v)});");
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A value of the vectorized body as a vector: a value that does not depend on the vectorized index (a gradient
    /// that does not depend on the data, such as d/dx of mean(x)) is a scalar, broadcast to every lane.
    /// </summary>
    private string VectorValue(CpuExpressionEmitter values, Scope scope, Node n) =>
        n.DependsOn(scope.VectorVar!.Id) ? values.Emit(n) : scope.LookupVector(n) ?? $"TS.Broadcast({AsFloat(n, values.Emit(n))})";
}
