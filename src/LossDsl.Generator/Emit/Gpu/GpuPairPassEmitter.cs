using System.Collections.Generic;
using System.Linq;
using LossDsl.Generator.Emit.Cpu;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// Prints the pair spaces of a plan as GPU kernels (O(N·M·D) work, O((N + M)·D) memory): a pair pass
/// (<see cref="PairPassPlan"/>) is one kernel with a thread per row that sweeps the columns, computing each contraction
/// as a dot product, the statistics, and each back contraction's weight times its operand's row added into the row's
/// accumulators; a strip pass (<see cref="StripPassPlan"/>) is three kernels: the statistics (a thread per row), the
/// row back contractions (a thread per row) and the column back contractions (a thread per column, sweeping the rows),
/// so that every output row has one writer and the results do not depend on timing.
/// <para>
/// The sweep goes tile by tile (<see cref="Staged"/>): the group loads the next tile of the swept operands' rows into
/// shared memory together, then each thread reads them from there, so a group reads each swept row from device memory
/// once instead of once per thread. Register-blocked tiles of pairs per thread are the GPU-speed work still to come.
/// </para>
/// </summary>
internal sealed class GpuPairPassEmitter
{
    private const string Active = "__active";
    private readonly GpuKernelContext _kernel;

    /// <summary>The swept operands of the kernel being printed, by view, with their place in the shared tile.</summary>
    private readonly Dictionary<string, (string Offset, string Depth)> _staged = new();

    public GpuPairPassEmitter(GpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private GpuNames Names => _kernel.Names;

    /// <summary>
    /// The operands a sweep reads at the swept index, once each, with the extent of their rows: the contractions'
    /// operands on the swept side. They are staged in shared memory, a tile of columns at a time; the host sizes the
    /// tile from the sum of their depths (<c>GpuReduce.TileColumns</c>).
    /// </summary>
    public static List<(string View, int Depth)> Staged(IEnumerable<Contraction> contractions, bool sweepColumns) =>
        contractions.Select(c => (GpuNames.Operand(sweepColumns ? c.ColumnSource! : c.RowSource!), c.Feature.Extent)).Distinct().ToList();

    /// <summary>The body of a pair pass's kernel: rows over the grid, each sweeping every column.</summary>
    public void EmitPairPass(PairPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        var outputs = pass.Outputs;
        Sweep(pass.Row, pass.Column, Staged(pass.Contractions, sweepColumns: true), outer,
            scope =>
            {
                OpenStatistics(plan.Accumulated, plan.OnlineSums);
                foreach (var b in pass.BackContractions) ClearRow(outputs[b.Value], GpuNames.Index(pass.Row), b.Feature.Extent);
                var hoist = new GpuExpressionEmitter(_kernel, scope);
                foreach (var n in plan.ColumnLoop.Hoisted) hoist.Emit(n);
            },
            pair =>
            {
                Contractions(pass.Contractions, pass.Row, pass.Column, pair, sweepColumns: true);
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
            },
            scope => FinishStatistics(plan.Accumulated, plan.OnlineSums, outputs, GpuNames.Index(pass.Row), scope));
    }

    /// <summary>The statistics kernel of a strip: a thread per row, every column.</summary>
    public void EmitStripStatistics(StripPassPlan plan, Scope outer)
    {
        var pass = plan.Pass;
        Sweep(pass.Row, pass.Column, Staged(pass.Contractions, sweepColumns: true), outer,
            scope =>
            {
                OpenStatistics(plan.Accumulated, plan.OnlineSums);
                var hoist = new GpuExpressionEmitter(_kernel, scope);
                foreach (var n in plan.StatisticsLoop.Hoisted) hoist.Emit(n);
            },
            pair =>
            {
                Contractions(pass.Contractions, pass.Row, pass.Column, pair, sweepColumns: true);
                new GpuLoopEmitter(_kernel).EmitBlock(plan.StatisticsLoop.Body, pair);
            },
            scope => FinishStatistics(plan.Accumulated, plan.OnlineSums, pass.Outputs, GpuNames.Index(pass.Row), scope));
    }

    /// <summary>The row back contractions of a strip: a thread per row, every column.</summary>
    public void EmitStripRowBacks(StripPassPlan plan, Scope outer) => EmitStripBacks(plan, outer, rows: true);

    /// <summary>The column back contractions of a strip: a thread per column, every row.</summary>
    public void EmitStripColumnBacks(StripPassPlan plan, Scope outer) => EmitStripBacks(plan, outer, rows: false);

    /// <summary>
    /// One side's back contractions of a strip: a thread per value of that side's index, sweeping the other side,
    /// recomputing each pair's weights and adding weight times the other side's operand row into its own output row.
    /// </summary>
    private void EmitStripBacks(StripPassPlan plan, Scope outer, bool rows)
    {
        var pass = plan.Pass;
        var (own, swept) = rows ? (pass.Row, pass.Column) : (pass.Column, pass.Row);
        var backs = rows ? pass.RowBacks : pass.ColumnBacks;
        Sweep(own, swept, Staged(pass.Contractions, sweepColumns: rows), outer,
            scope =>
            {
                foreach (var b in backs) ClearRow(pass.Outputs[b.Value], GpuNames.Index(own), b.Feature.Extent);
            },
            pair =>
            {
                var weights = Weights(plan, pair, sweepColumns: rows);
                foreach (var b in backs)
                    AddWeighted(pass.Outputs[b.Value], GpuNames.Index(own), b, GpuNames.Index(swept), weights[b.Tile]);
            },
            _ => { });
    }

    /// <summary>The weights of a pair (the strip's weights body), by weight tile.</summary>
    private Dictionary<int, string> Weights(StripPassPlan plan, Scope pair, bool sweepColumns)
    {
        var pass = plan.Pass;
        Contractions(pass.Contractions, pass.Row, pass.Column, pair, sweepColumns);
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

    /// <summary>
    /// A thread per value of <paramref name="own"/>, each sweeping every value of <paramref name="swept"/> in tiles
    /// staged in shared memory. The groups stride over <paramref name="own"/> together, so that every thread of a group
    /// reaches the same barriers: a thread past the end works on its group's first row and writes nothing
    /// (<c>__active</c> guards every store). <c>__a.TileColumns</c> is 0 when the staged rows do not fit in shared
    /// memory; the tiles then only group the sweep and the operands are read from device memory.
    /// </summary>
    private void Sweep(IndexVar own, IndexVar swept, List<(string View, int Depth)> staged, Scope outer,
        System.Action<Scope> open, System.Action<Scope> pair, System.Action<Scope> close)
    {
        string ownExtent = Names.Extent(own.Extent), sweptExtent = Names.Extent(swept.Extent);
        Writer.Line("var __tile = global::ILGPU.SharedMemory.GetDynamic<float>();");
        Writer.Line("bool __staged = __a.TileColumns > 0;");
        Writer.Line("int __tileColumns = __staged ? __a.TileColumns : 64;");
        _staged.Clear();
        string offset = "0";
        foreach (var (view, depth) in staged)
        {
            string name = _kernel.Fresh("off");
            Writer.Line($"long {name} = ({offset}) * (long)__tileColumns;");
            _staged[view] = (name, Names.Extent(depth));
            offset = offset == "0" ? Names.Extent(depth) : offset + " + " + Names.Extent(depth);
        }
        Writer.Line("long __rowStride = (long)global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX;");
        Writer.Open($"for (long __base = (long)global::ILGPU.Grid.IdxX * global::ILGPU.Group.DimX; __base < {ownExtent}; __base += __rowStride)");
        Writer.Line($"bool {Active} = __base + global::ILGPU.Group.IdxX < {ownExtent};");
        Writer.Line($"int {GpuNames.Index(own)} = (int)({Active} ? __base + global::ILGPU.Group.IdxX : __base);");
        var scope = new Scope(outer);
        scope.BoundVars.Add(own.Id);
        open(scope);
        Writer.Open($"for (int __j0 = 0; __j0 < {sweptExtent}; __j0 += __tileColumns)");
        Writer.Line($"int __jn = global::System.Math.Min(__tileColumns, {sweptExtent} - __j0);");
        Writer.Line("global::ILGPU.Group.Barrier();");
        Writer.Open("if (__staged)");
        foreach (var (view, depth) in staged)
        {
            var (off, d) = _staged[view];
            Writer.Line($"for (long __k = global::ILGPU.Group.IdxX; __k < (long)__jn * {d}; __k += global::ILGPU.Group.DimX) __tile[{off} + __k] = {view}[(long)__j0 * {d} + __k];");
        }
        Writer.Close();
        Writer.Line("global::ILGPU.Group.Barrier();");
        Writer.Open("for (int __jj = 0; __jj < __jn; __jj++)");
        Writer.Line($"int {GpuNames.Index(swept)} = __j0 + __jj;");
        var inner = new Scope(scope);
        inner.BoundVars.Add(swept.Id);
        pair(inner);
        Writer.Close();
        Writer.Close();
        close(scope);
        Writer.Close();
        _staged.Clear();
    }

    /// <summary>Element <paramref name="e"/> of the swept row <paramref name="row"/> of <paramref name="view"/>: from the shared tile when it is staged there.</summary>
    private string SweptRead(string view, string depth, string row, string e) =>
        _staged.TryGetValue(view, out var place) && place.Depth == depth
            ? $"(__staged ? __tile[{place.Offset} + (long)__jj * {depth} + {e}] : {view}[(long){row} * {depth} + {e}])"
            : $"{view}[(long){row} * {depth} + {e}]";

    /// <summary>Each contraction of the pair as a dot product of its operands' rows, into a local the body reads; the swept side from the tile.</summary>
    private void Contractions(List<Contraction> contractions, IndexVar row, IndexVar column, Scope pair, bool sweepColumns)
    {
        foreach (var c in contractions)
        {
            string name = _kernel.Fresh("c");
            string depth = Names.Extent(c.Feature.Extent), d = _kernel.Fresh("d");
            string rowView = GpuNames.Operand(c.RowSource!), columnView = GpuNames.Operand(c.ColumnSource!);
            string rowRead = sweepColumns ? $"{rowView}[(long){GpuNames.Index(row)} * {depth} + {d}]" : SweptRead(rowView, depth, GpuNames.Index(row), d);
            string columnRead = sweepColumns ? SweptRead(columnView, depth, GpuNames.Index(column), d) : $"{columnView}[(long){GpuNames.Index(column)} * {depth} + {d}]";
            Writer.Line($"float {name} = 0f; // {_kernel.Model.Print(c.Value, LossModel.CommentLength)}");
            Writer.Line($"for (int {d} = 0; {d} < {depth}; {d}++) {name} += {rowRead} * {columnRead};");
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
            Writer.Line($"if ({Active}) __a.{GpuNames.Buffer(outputs[r])}[{row}] = {GpuNames.Accumulator(r)};");
        foreach (var o in online)
        {
            var after = new Scope(scope);
            after.Values[o.Max] = GpuNames.OnlineMax(o);
            string shift = new GpuExpressionEmitter(_kernel, after).Emit(o.Shift);
            Writer.Line($"if ({Active}) __a.{GpuNames.Buffer(outputs[o.Max])}[{row}] = {GpuNames.OnlineMax(o)};");
            Writer.Line($"if ({Active}) __a.{GpuNames.Buffer(outputs[o.Sum])}[{row}] = global::LossDsl.Gpu.Internals.GpuReduce.Rescale({GpuNames.OnlineSum(o)}, {GpuNames.OnlineMax(o)}, {shift});");
        }
    }

    private void ClearRow(ScratchBuffer buffer, string row, int feature)
    {
        string depth = Names.Extent(feature), e = _kernel.Fresh("e");
        Writer.Line($"if ({Active}) for (int {e} = 0; {e} < {depth}; {e}++) __a.{GpuNames.Buffer(buffer)}[(long){row} * {depth} + {e}] = 0f;");
    }

    /// <summary>out[row, e] += weight * operand[other, e] for every e (the operand from the tile when it is staged there).</summary>
    private void AddWeighted(ScratchBuffer output, string row, BackContraction back, string other, string weight)
    {
        string depth = Names.Extent(back.Feature.Extent), e = _kernel.Fresh("e");
        string read = SweptRead(GpuNames.Operand(back.Source!), depth, other, e);
        Writer.Line($"if ({Active}) for (int {e} = 0; {e} < {depth}; {e}++) __a.{GpuNames.Buffer(output)}[(long){row} * {depth} + {e}] += {weight} * {read};");
    }
}
