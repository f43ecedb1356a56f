using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Generator.Emit.Cpu;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// Prints the loops of a pass for the threads of a GPU kernel. A loop runs in one of two ways:
/// <list type="bullet">
/// <item><description><b>in a thread</b>: a plain loop (the body of an element of an elementwise pass, or anything
/// nested in a loop already spread over lanes);</description></item>
/// <item><description><b>across a warp</b>, for the inner loops of a row that a whole warp handles (a pass whose
/// iterations run inner loops): the row's first-level loops are spread over the 32 lanes (iteration c in lane
/// c mod 32), and the reductions they complete are combined over the warp (<c>GpuReduce.Warp*</c>, online pairs
/// included), so that every lane holds them; the row's own accumulations and stores are made by lane 0 alone.</description></item>
/// </list>
/// Online sums of exponentials always take the online sweep (a <see cref="VersionedLoop"/> prints its online
/// version). Stores into a pair pass's weight tiles are handed to the pair emitter (<see cref="TileStore"/>).
/// </summary>
internal sealed class GpuLoopEmitter
{
    private readonly GpuKernelContext _kernel;

    public GpuLoopEmitter(GpuKernelContext kernel) { _kernel = kernel; }

    /// <summary>How a store into a weight tile is printed (a pair pass's back contraction); null outside pair passes.</summary>
    public Action<StoreStmt, Scope>? TileStore { get; set; }

    private CodeWriter Writer => _kernel.Writer;
    private GpuNames Names => _kernel.Names;

    private GpuExpressionEmitter Expressions(Scope scope) => new(_kernel, scope);

    /// <summary>Prints the statements of a block run by one thread.</summary>
    public void EmitBlock(List<Stmt> body, Scope scope) => EmitStatements(body, scope, warpRow: false);

    /// <summary>Prints the statements of a row run by a whole warp (the local <c>lane</c> holds the thread's lane).</summary>
    public void EmitWarpRow(List<Stmt> body, Scope scope) => EmitStatements(body, scope, warpRow: true);

    private void EmitStatements(List<Stmt> body, Scope scope, bool warpRow)
    {
        foreach (var s in body)
        {
            switch (s)
            {
                case PlanLoop loop when warpRow && ContainsScatter(loop):
                {
                    // A scatter in a row of a warp: after the lanes' stores of the row (a warp barrier), every lane
                    // runs the loop (so every lane holds what it completes) and lane 0 alone accumulates, in order.
                    Writer.Line("global::ILGPU.Warp.Barrier();");
                    OpenAccumulators(loop.Completes);
                    bool outer = _scatterInLaneZero;
                    _scatterInLaneZero = true;
                    EmitLoop(loop, scope, acrossWarp: false);
                    _scatterInLaneZero = outer;
                    Writer.Line("global::ILGPU.Warp.Barrier();");
                    foreach (var r in loop.Completes) scope.Values[r] = GpuNames.Accumulator(r);
                    break;
                }
                case PlanLoop loop:
                    OpenAccumulators(loop.Completes);
                    EmitLoop(loop, scope, acrossWarp: warpRow);
                    foreach (var r in loop.Completes) scope.Values[r] = GpuNames.Accumulator(r);
                    break;
                case VersionedLoop versioned:
                    OpenAccumulators(versioned.Completes);
                    EmitLoop(versioned.Online, scope, acrossWarp: warpRow);
                    foreach (var r in versioned.Completes) scope.Values[r] = GpuNames.Accumulator(r);
                    break;
                case AccumulateStmt acc:
                {
                    string value = GpuExpressionEmitter.AsFloat(acc.Body, Expressions(scope).Emit(acc.Body));
                    Writer.Line((warpRow ? "if (lane == 0) " : "") + GpuKernelContext.Combine(acc.Reduce, GpuNames.Accumulator(acc.Reduce), value));
                    break;
                }
                case OnlineSumExpStmt o:
                {
                    string value = Expressions(scope).Emit(o.Value);
                    Writer.Line($"global::LossDsl.Gpu.Internals.GpuReduce.OnlineAdd(ref {GpuNames.OnlineMax(o)}, ref {GpuNames.OnlineSum(o)}, {value});");
                    break;
                }
                case StoreStmt st when st.Target.Tile is not null:
                    TileStore!(st, scope);
                    break;
                case StoreStmt st:
                {
                    string value = GpuExpressionEmitter.AsFloat(st.Value, Expressions(scope).Emit(st.Value));
                    Writer.Line((warpRow ? "if (lane == 0) " : "") + $"{StoreTarget(st)} = {value};");
                    break;
                }
                case ScatterStmt sc:
                    EmitScatter(sc, scope, warpRow);
                    break;
                case RankElementStmt e:
                    EmitRankElement(e.Sum, scope, warpRow);
                    break;
                case RankLookupStmt l:
                    EmitRankLookup(l.Sum, scope, warpRow);
                    break;
                default:
                    throw new InvalidOperationException($"the GPU emitter has no form for {s.GetType().Name}");
            }
        }
    }

    /// <summary>True while printing a loop of a warp's row whose scatters lane 0 alone makes.</summary>
    private bool _scatterInLaneZero;

    private static bool ContainsScatter(PlanLoop loop) => loop.Body.Any(s => s is ScatterStmt || s is PlanLoop inner && ContainsScatter(inner));

    /// <summary>
    /// <c>target[s0, s1, ...] += value</c>, the adjoint of a gather or an element of a segment reduction added to its
    /// key (combined by its maximum or minimum for a segment max or min): made by one thread in the order of its loops
    /// (lane 0 of a row's warp, or the one thread of a one-chunk pass), so no atomics and the same bits every call.
    /// </summary>
    private void EmitScatter(ScatterStmt sc, Scope scope, bool warpRow)
    {
        var expressions = Expressions(scope);
        var buffer = sc.Tensor is null ? _kernel.Plan.BufferViews[sc.Target.Buffered!].Buffer : null;
        int[] extents = sc.Tensor is { } t ? t.Axes! : buffer!.Axes.Select(a => a.Extent).ToArray();
        var subscripts = new string[sc.Subscripts.Length];
        var checks = new List<string>();
        for (int k = 0; k < subscripts.Length; k++)
        {
            var x = sc.Subscripts[k];
            if (x.Op == Op.Index)
            {
                subscripts[k] = GpuNames.Index(_kernel.Model.Graph.Var(x.Ref));
                continue;
            }
            subscripts[k] = _kernel.Fresh("s");
            Writer.Line($"int {subscripts[k]} = {expressions.Emit(x)};");
            checks.Add($"(uint){subscripts[k]} < (uint){Names.Extent(extents[k])}");
        }
        string value = GpuExpressionEmitter.AsFloat(sc.Value, expressions.Emit(sc.Value));
        if (warpRow || _scatterInLaneZero) checks.Insert(0, "lane == 0");
        string target = sc.Tensor is { } tensor ? GpuNames.Gradient(tensor) : GpuNames.Buffer(buffer!);
        string update = GpuKernelContext.Combine(sc.Combine, $"__a.{target}[{_kernel.Offset(extents, subscripts)}]", value);
        Writer.Line(checks.Count > 0 ? $"if ({string.Join(" && ", checks)}) {update}" : update);
    }

    /// <summary>The offset of a ranked sum's batch point in its element buffers (a long).</summary>
    private string RankBase(RankedSum ranked) =>
        ranked.Batch.Length == 0 ? "0L"
        : $"{_kernel.Offset(ranked.Batch.Select(v => v.Extent).ToArray(), ranked.Batch.Select(GpuNames.Index).ToArray())} * {Names.Extent(ranked.Extent)}";

    /// <summary>An element of a ranked sum: its key and value at its place of the element buffers.</summary>
    private void EmitRankElement(RankedSum ranked, Scope scope, bool warpRow)
    {
        var expressions = Expressions(scope);
        string at = $"{RankBase(ranked)} + {GpuNames.Index(ranked.Element)}";
        string guard = warpRow ? "if (lane == 0) " : "";
        if (ranked.ElementKey is { } key)
            Writer.Line($"{guard}__a.{GpuNames.Buffer(ranked.Keys!)}[{at}] = {GpuExpressionEmitter.AsFloat(key, expressions.Emit(key))};");
        Writer.Line($"{guard}__a.{GpuNames.Buffer(ranked.Values)}[{at}] = {GpuExpressionEmitter.AsFloat(ranked.ElementValue, expressions.Emit(ranked.ElementValue))};");
    }

    /// <summary>A reader of a ranked sum: the prefix of its batch point's order that its key keeps, or 0 where its condition is false.</summary>
    private void EmitRankLookup(RankedSum ranked, Scope scope, bool warpRow)
    {
        var expressions = Expressions(scope);
        string key = ranked.SearchKey is { } k0 ? GpuExpressionEmitter.AsFloat(k0, expressions.Emit(k0)) : "0f";
        string index = ranked.SearchIndex is { } t ? $"(long)({expressions.Emit(t)})" : "0L";
        string condition = ranked.ReaderCondition is { } c ? expressions.Emit(c) : "true";
        string values = $"__a.{GpuNames.Buffer(ranked.Values)}";
        string keys = ranked.Keys is { } k ? $"__a.{GpuNames.Buffer(k)}" : values;
        string indices = (ranked.Indices is { } ix ? $"__a.{GpuNames.Buffer(ix)}" : values) + ".Cast<int>()";
        var axes = ranked.Batch.Concat(ranked.Readers).ToArray();
        string offset = _kernel.Offset(axes.Select(v => v.Extent).ToArray(), axes.Select(GpuNames.Index).ToArray());
        Writer.Line($"// Ranked sum {ranked.Result.Id}: the prefix of the elements this reader keeps ({ranked.Mode}), found by a binary search.");
        Writer.Line($"{(warpRow ? "if (lane == 0) " : "")}__a.{GpuNames.Buffer(ranked.Result)}[{offset}] = {condition} ? global::LossDsl.Gpu.Internals.GpuRankedSums.Lookup({keys}, {values}, {indices}, {RankBase(ranked)}, {Names.Extent(ranked.Extent)}, {key}, {index}, {(int)ranked.Mode}) : 0f;");
    }

    private void OpenAccumulators(List<Node> completes)
    {
        foreach (var r in completes)
            Writer.Line($"float {GpuNames.Accumulator(r)} = {GpuKernelContext.Identity(r)}; // {_kernel.Model.Print(r, LossModel.CommentLength)}");
    }

    /// <summary>A loop whose accumulators are open: in the thread, or spread over the warp's lanes and combined after.</summary>
    private void EmitLoop(PlanLoop loop, Scope outer, bool acrossWarp)
    {
        var scope = new Scope(outer);
        var expressions = Expressions(scope);
        foreach (var n in loop.Hoisted) expressions.Emit(n);
        var online = loop.OnlineSums.ToList();
        foreach (var o in online) Writer.Line($"float {GpuNames.OnlineMax(o)} = float.NegativeInfinity, {GpuNames.OnlineSum(o)} = 0f;");
        string v = GpuNames.Index(loop.Var), extent = Names.Extent(loop.Var.Extent);
        Writer.Open(acrossWarp
            ? $"for (int {v} = lane; {v} < {extent}; {v} += {GpuWarp})"
            : $"for (int {v} = 0; {v} < {extent}; {v}++)");
        var body = new Scope(scope);
        body.BoundVars.Add(loop.Var.Id);
        EmitStatements(loop.Body, body, warpRow: false);
        Writer.Close();
        if (acrossWarp)
        {
            // Each lane holds the reductions over its iterations: combine them over the warp, in every lane.
            foreach (var r in loop.Completes.Where(r => !online.Any(o => ReferenceEquals(o.Max, r) || ReferenceEquals(o.Sum, r))))
            {
                string warp = r.ReduceKind switch { ReduceKind.Sum => "WarpSum", ReduceKind.Max => "WarpMax", _ => "WarpMin" };
                Writer.Line($"{GpuNames.Accumulator(r)} = global::LossDsl.Gpu.Internals.GpuReduce.{warp}({GpuNames.Accumulator(r)});");
            }
            foreach (var o in online)
                Writer.Line($"global::LossDsl.Gpu.Internals.GpuReduce.WarpOnline(ref {GpuNames.OnlineMax(o)}, ref {GpuNames.OnlineSum(o)});");
        }
        foreach (var o in online)
        {
            // The online sum is relative to the running maximum; the expression's sum is relative to its shift.
            Writer.Line($"{GpuNames.Accumulator(o.Max)} = {GpuNames.OnlineMax(o)};");
            var after = new Scope(scope);
            after.Values[o.Max] = GpuNames.Accumulator(o.Max);
            string shift = Expressions(after).Emit(o.Shift);
            Writer.Line($"{GpuNames.Accumulator(o.Sum)} = global::LossDsl.Gpu.Internals.GpuReduce.Rescale({GpuNames.OnlineSum(o)}, {GpuNames.OnlineMax(o)}, {shift});");
        }
    }

    /// <summary>The warp width the lane loops step by.</summary>
    public const string GpuWarp = "global::LossDsl.Gpu.Internals.GpuReduce.WarpSize";

    private string StoreTarget(StoreStmt st)
    {
        if (st.Target.GradientOf is { } t)
            return $"__a.{GpuNames.Gradient(t)}[{_kernel.Offset(t.Axes!, st.Indices.Select(GpuNames.Index).ToArray())}]";
        if (st.Target.OutputOf is { } o)
            return $"__a.{GpuNames.Output(o)}[{_kernel.Offset(o.Axes.Select(x => x.Extent).ToArray(), st.Indices.Select(GpuNames.Index).ToArray())}]";
        var buffer = _kernel.Plan.BufferViews[st.Target.Buffered!].Buffer;
        return $"__a.{GpuNames.Buffer(buffer)}[{_kernel.Offset(buffer.Axes.Select(x => x.Extent).ToArray(), st.Indices.Select(GpuNames.Index).ToArray())}]";
    }
}
