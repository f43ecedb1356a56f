using System.Collections.Generic;
using System.Linq;
using LossDsl.Generator.Emit.Cpu;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// Prints the pair spaces of a plan as GPU kernels, untiled for now (correct at O(N·M·D) work and O((N + M)·D) memory;
/// the tiles in shared memory are the GPU-speed issue's): a pair pass (<see cref="PairPassPlan"/>) is one kernel with a
/// thread per row that sweeps the columns, computing each contraction as a dot product, the statistics, and each back
/// contraction's weight times its operand's row added into the row's accumulators; a strip pass
/// (<see cref="StripPassPlan"/>) is three kernels: the statistics (a thread per row), the row back contractions (a
/// thread per row) and the column back contractions (a thread per column, sweeping the rows), so that every output row
/// has one writer and the results do not depend on timing.
/// </summary>
internal sealed class GpuPairPassEmitter
{
    private readonly GpuKernelContext _kernel;

    public GpuPairPassEmitter(GpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private GpuNames Names => _kernel.Names;

    /// <summary>The body of a pair pass's kernel: rows over the grid, each sweeping every column.</summary>
    public void EmitPairPass(PairPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        var outputs = pass.Outputs;
        RowLoop(pass.Row, outer, scope =>
        {
            var statistics = plan.ColumnLoop.Completes;
            OpenStatistics(plan.Accumulated, plan.OnlineSums);
            foreach (var b in pass.BackContractions) ClearRow(outputs[b.Value], GpuNames.Index(pass.Row), b.Feature.Extent);
            var hoist = new GpuExpressionEmitter(_kernel, scope);
            foreach (var n in plan.ColumnLoop.Hoisted) hoist.Emit(n);
            string j = GpuNames.Index(pass.Column);
            Writer.Open($"for (int {j} = 0; {j} < {Names.Extent(pass.Column.Extent)}; {j}++)");
            var pair = new Scope(scope);
            Contractions(pass.Contractions, pass.Row, pass.Column, pair);
            var loops = new GpuLoopEmitter(_kernel)
            {
                TileStore = (st, s) =>
                {
                    var back = st.Target.Tile!;
                    string weight = GpuExpressionEmitter.AsFloat(st.Value, new GpuExpressionEmitter(_kernel, s).Emit(st.Value));
                    AddWeighted(outputs[back.Value], GpuNames.Index(pass.Row), back, GpuNames.Index(pass.Column), weight);
                },
            };
            loops.EmitBlock(plan.ColumnLoop.Body, pair);
            Writer.Close();
            FinishStatistics(plan.Accumulated, plan.OnlineSums, outputs, GpuNames.Index(pass.Row), scope);
        });
    }

    /// <summary>The statistics kernel of a strip: a thread per row, every column.</summary>
    public void EmitStripStatistics(StripPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        RowLoop(pass.Row, outer, scope =>
        {
            OpenStatistics(plan.Accumulated, plan.OnlineSums);
            var hoist = new GpuExpressionEmitter(_kernel, scope);
            foreach (var n in plan.StatisticsLoop.Hoisted) hoist.Emit(n);
            string j = GpuNames.Index(pass.Column);
            Writer.Open($"for (int {j} = 0; {j} < {Names.Extent(pass.Column.Extent)}; {j}++)");
            var pair = new Scope(scope);
            Contractions(pass.Contractions, pass.Row, pass.Column, pair);
            new GpuLoopEmitter(_kernel).EmitBlock(plan.StatisticsLoop.Body, pair);
            Writer.Close();
            FinishStatistics(plan.Accumulated, plan.OnlineSums, pass.Outputs, GpuNames.Index(pass.Row), scope);
        });
    }

    /// <summary>The row back contractions of a strip: a thread per row, every column.</summary>
    public void EmitStripRowBacks(StripPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        RowLoop(pass.Row, outer, scope =>
        {
            foreach (var b in pass.RowBacks) ClearRow(pass.Outputs[b.Value], GpuNames.Index(pass.Row), b.Feature.Extent);
            string j = GpuNames.Index(pass.Column);
            Writer.Open($"for (int {j} = 0; {j} < {Names.Extent(pass.Column.Extent)}; {j}++)");
            var pair = new Scope(scope);
            var weights = Weights(plan, pair);
            foreach (var b in pass.RowBacks)
                AddWeighted(pass.Outputs[b.Value], GpuNames.Index(pass.Row), b, GpuNames.Index(pass.Column), weights[b.Tile]);
            Writer.Close();
        });
    }

    /// <summary>The column back contractions of a strip: a thread per column, every row.</summary>
    public void EmitStripColumnBacks(StripPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        RowLoop(pass.Column, outer, scope =>
        {
            foreach (var b in pass.ColumnBacks) ClearRow(pass.Outputs[b.Value], GpuNames.Index(pass.Column), b.Feature.Extent);
            string i = GpuNames.Index(pass.Row);
            Writer.Open($"for (int {i} = 0; {i} < {Names.Extent(pass.Row.Extent)}; {i}++)");
            var pair = new Scope(scope);
            var weights = Weights(plan, pair);
            foreach (var b in pass.ColumnBacks)
                AddWeighted(pass.Outputs[b.Value], GpuNames.Index(pass.Column), b, GpuNames.Index(pass.Row), weights[b.Tile]);
            Writer.Close();
        });
    }

    /// <summary>The weights of a pair (the strip's weights body), by weight tile.</summary>
    private Dictionary<int, string> Weights(StripPassPlan plan, Scope pair)
    {
        var pass = plan.Pass;
        Contractions(pass.Contractions, pass.Row, pass.Column, pair);
        var weights = new Dictionary<int, string>();
        var loops = new GpuLoopEmitter(_kernel)
        {
            TileStore = (st, s) =>
            {
                string value = GpuExpressionEmitter.AsFloat(st.Value, new GpuExpressionEmitter(_kernel, s).Emit(st.Value));
                string name = _kernel.Fresh("w");
                Writer.Line($"float {name} = {value};");
                weights[st.Target.Tile!.Tile] = name;
            },
        };
        loops.EmitBlock(plan.WeightsLoop.Body, pair);
        return weights;
    }

    /// <summary>A grid-stride loop with one thread per value of <paramref name="index"/>.</summary>
    private void RowLoop(IndexVar index, Scope outer, System.Action<Scope> body)
    {
        string r = _kernel.Fresh("r");
        Writer.Line($"long {r}Stride = (long)global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX;");
        Writer.Open($"for (long {r} = global::ILGPU.Grid.GlobalIndex.X; {r} < {Names.Extent(index.Extent)}; {r} += {r}Stride)");
        Writer.Line($"int {GpuNames.Index(index)} = (int){r};");
        var scope = new Scope(outer);
        scope.BoundVars.Add(index.Id);
        body(scope);
        Writer.Close();
    }

    /// <summary>Each contraction of the pair as a dot product of its operands' rows, into a local the body reads.</summary>
    private void Contractions(List<Contraction> contractions, IndexVar row, IndexVar column, Scope pair)
    {
        foreach (var c in contractions)
        {
            string name = _kernel.Fresh("c");
            string depth = Names.Extent(c.Feature.Extent), d = _kernel.Fresh("d");
            Writer.Line($"float {name} = 0f; // {_kernel.Model.Print(c.Value)}");
            Writer.Line($"for (int {d} = 0; {d} < {depth}; {d}++) {name} += {GpuNames.Operand(c.RowSource!)}[(long){GpuNames.Index(row)} * {depth} + {d}] * {GpuNames.Operand(c.ColumnSource!)}[(long){GpuNames.Index(column)} * {depth} + {d}];");
            pair.Values[c.Value] = name;
        }
    }

    private void OpenStatistics(IEnumerable<AccumulateStmt> accumulated, IEnumerable<OnlineSumExpStmt> online)
    {
        foreach (var r in accumulated.Select(x => x.Reduce).Distinct())
            Writer.Line($"float {GpuNames.Accumulator(r)} = {GpuKernelContext.Identity(r)};");
        foreach (var o in online)
            Writer.Line($"float {GpuNames.OnlineMax(o)} = float.NegativeInfinity, {GpuNames.OnlineSum(o)} = 0f;");
    }

    /// <summary>The statistics of the row into their buffers: accumulators as they are, online pairs relative to their shifts.</summary>
    private void FinishStatistics(IEnumerable<AccumulateStmt> accumulated, IEnumerable<OnlineSumExpStmt> online, Dictionary<Node, ScratchBuffer> outputs, string row, Scope scope)
    {
        foreach (var r in accumulated.Select(x => x.Reduce).Distinct())
            Writer.Line($"__a.{GpuNames.Buffer(outputs[r])}[{row}] = {GpuNames.Accumulator(r)};");
        foreach (var o in online)
        {
            var after = new Scope(scope);
            after.Values[o.Max] = GpuNames.OnlineMax(o);
            string shift = new GpuExpressionEmitter(_kernel, after).Emit(o.Shift);
            Writer.Line($"__a.{GpuNames.Buffer(outputs[o.Max])}[{row}] = {GpuNames.OnlineMax(o)};");
            Writer.Line($"__a.{GpuNames.Buffer(outputs[o.Sum])}[{row}] = global::LossDsl.Gpu.Internals.GpuReduce.Rescale({GpuNames.OnlineSum(o)}, {GpuNames.OnlineMax(o)}, {shift});");
        }
    }

    private void ClearRow(ScratchBuffer buffer, string row, int feature)
    {
        string depth = Names.Extent(feature), e = _kernel.Fresh("e");
        Writer.Line($"for (int {e} = 0; {e} < {depth}; {e}++) __a.{GpuNames.Buffer(buffer)}[(long){row} * {depth} + {e}] = 0f;");
    }

    /// <summary>out[row, e] += weight * operand[other, e] for every e.</summary>
    private void AddWeighted(ScratchBuffer output, string row, BackContraction back, string other, string weight)
    {
        string depth = Names.Extent(back.Feature.Extent), e = _kernel.Fresh("e");
        Writer.Line($"for (int {e} = 0; {e} < {depth}; {e}++) __a.{GpuNames.Buffer(output)}[(long){row} * {depth} + {e}] += {weight} * {GpuNames.Operand(back.Source!)}[(long){other} * {depth} + {e}];");
    }
}
