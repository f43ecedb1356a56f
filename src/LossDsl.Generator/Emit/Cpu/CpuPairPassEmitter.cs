using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// Prints the body of a pair pass's chunk (<see cref="PairPassPlan"/>): one block of rows against every column tile.
/// The tiles are rented per chunk; the statistics accumulate in their buffers (the online ones in running states per
/// row), the back contractions in their buffers' rows of the block, which the chunk owns, so chunks never share a
/// result and the values do not depend on the number of threads.
/// </summary>
internal sealed class CpuPairPassEmitter
{
    private readonly CpuKernelContext _kernel;

    public CpuPairPassEmitter(CpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private KernelPlan Plan => _kernel.Plan;
    private LossModel Model => _kernel.Model;
    private CpuNames Names => _kernel.Names;

    private string OutputPointer(Node value, PairPassPlan plan) => CpuNames.BufferPointer(plan.Pass.Outputs[value]);

    public void Emit(PairPassPlan plan)
    {
        var pass = plan.Pass;
        int tileSize = plan.RowBlock * plan.ColumnTile;
        string row = CpuNames.Index(pass.Row);
        string rows = Names.Extent(pass.Row.Extent), columns = Names.Extent(pass.Column.Extent);
        var online = plan.OnlineSums.ToList();
        var accumulated = plan.Accumulated.Select(a => a.Reduce).Distinct().ToList();

        Writer.Line($"int i0 = chunk * {plan.RowBlock}, i1 = (int)global::System.Math.Min((long){rows}, (long)i0 + {plan.RowBlock}), rows = i1 - i0;");
        Writer.Line($"float[] __tiles = global::LossDsl.Internals.ScratchPool.Rent<float>({plan.TileCount * tileSize});");
        if (online.Count > 0)
            Writer.Line($"global::LossDsl.Internals.OnlineSumExp.State[] __states = global::LossDsl.Internals.ScratchPool.Rent<global::LossDsl.Internals.OnlineSumExp.State>({online.Count * plan.RowBlock});");
        Writer.Open("try");
        Writer.Open("fixed (float* p_tiles = __tiles)");

        // The block's statistics start at their identity, its online states empty, its back contractions at zero.
        Writer.Open($"for (int {row} = i0; {row} < i1; {row}++)");
        foreach (var r in accumulated) Writer.Line($"{OutputPointer(r, plan)}[{row}] = {CpuKernelContext.Identity(r, false)};");
        for (int k = 0; k < online.Count; k++) Writer.Line($"__states[{k * plan.RowBlock} + {row} - i0] = global::LossDsl.Internals.OnlineSumExp.State.Empty;");
        foreach (var b in pass.BackContractions)
            Writer.Line($"new global::System.Span<float>({OutputPointer(b.Value, plan)} + (nint){row} * {Names.Extent(b.Feature.Extent)}, {Names.Extent(b.Feature.Extent)}).Clear();");
        Writer.Close();

        var tiles = new PairTiles(pass.Row, pass.Column, plan.ColumnTile);
        for (int k = 0; k < pass.Contractions.Count; k++) tiles.Pointers[pass.Contractions[k].Value] = k == 0 ? "p_tiles" : $"(p_tiles + {k * tileSize})";
        for (int k = 0; k < pass.BackContractions.Count; k++)
            tiles.Pointers[pass.BackContractions[k].Value] = $"(p_tiles + {(pass.Contractions.Count + k) * tileSize})";

        Writer.Open($"for (int j0 = 0; j0 < {columns}; j0 += {plan.ColumnTile})");
        Writer.Line($"int count = (int)global::System.Math.Min({plan.ColumnTile}L, (long){columns} - j0);");
        for (int k = 0; k < pass.Contractions.Count; k++)
        {
            var c = pass.Contractions[k];
            string depth = Names.Extent(c.Feature.Extent);
            Writer.Line($"// The tile of {Model.Print(c.Value, LossModel.CommentLength)}: the block's rows of {PlanPrinter.Source(c.RowSource!)} times panel {plan.Panels[k].Id}.");
            Writer.Line($"global::LossDsl.Internals.TileProducts.Contract<TS, TV>({CpuNames.OperandPointer(c.RowSource!)} + (nint)i0 * {depth}, {depth}, rows, "
                + $"{CpuNames.PanelPointer(plan.Panels[k])} + (nint)j0 * {depth}, {plan.ColumnTile}, {depth}, {tiles.Pointers[c.Value]}, {plan.ColumnTile});");
        }

        // Each row of the block against the tile's columns.
        Writer.Open($"for (int {row} = i0; {row} < i1; {row}++)");
        foreach (var r in accumulated) Writer.Line($"float {CpuNames.Accumulator(r)} = {OutputPointer(r, plan)}[{row}];");
        for (int k = 0; k < online.Count; k++) Writer.Line($"var {CpuNames.OnlineState(online[k])} = __states[{k * plan.RowBlock} + {row} - i0];");
        var scope = new Scope(null);
        foreach (var r in Plan.Globals) scope.Values[r] = CpuNames.Global(r);
        _kernel.Tiles = tiles;
        new CpuLoopEmitter(_kernel, Enumerable.Empty<Node>()).EmitLoop(plan.ColumnLoop, scope, "j0", "j0 + count");
        _kernel.Tiles = null;
        foreach (var r in accumulated) Writer.Line($"{OutputPointer(r, plan)}[{row}] = {CpuNames.Accumulator(r)};");
        for (int k = 0; k < online.Count; k++) Writer.Line($"__states[{k * plan.RowBlock} + {row} - i0] = {CpuNames.OnlineState(online[k])};");
        Writer.Close();

        foreach (var b in pass.BackContractions)
        {
            string depth = Names.Extent(b.Feature.Extent);
            Writer.Line($"// {Model.Print(b.Value, LossModel.CommentLength)}: the weight tile times the tile's rows of {PlanPrinter.Source(b.Source!)}.");
            Writer.Line($"global::LossDsl.Internals.TileProducts.AccumulateProduct<TS, TV>({tiles.Pointers[b.Value]}, {plan.ColumnTile}, rows, count, "
                + $"{CpuNames.OperandPointer(b.Source!)} + (nint)j0 * {depth}, {depth}, {depth}, {OutputPointer(b.Value, plan)} + (nint)i0 * {depth}, {depth});");
        }
        Writer.Close();

        if (online.Count > 0)
        {
            // The online statistics: the maximum, and the sum of exponentials relative to its shift.
            Writer.Open($"for (int {row} = i0; {row} < i1; {row}++)");
            var finish = new Scope(scope);
            for (int k = 0; k < online.Count; k++)
            {
                var o = online[k];
                string state = CpuNames.OnlineState(o);
                Writer.Line($"var {state} = __states[{k * plan.RowBlock} + {row} - i0];");
                Writer.Line($"float {CpuNames.Accumulator(o.Max)} = {state}.Max;");
                finish.Values[o.Max] = CpuNames.Accumulator(o.Max);
                string shift = new CpuExpressionEmitter(_kernel, vector: false, finish).Emit(o.Shift);
                Writer.Line($"{OutputPointer(o.Max, plan)}[{row}] = {CpuNames.Accumulator(o.Max)};");
                Writer.Line($"{OutputPointer(o.Sum, plan)}[{row}] = global::LossDsl.Internals.OnlineSumExp.Rescale({state}.Sum, {state}.Max, {shift});");
            }
            Writer.Close();
        }
        Writer.Close(); // fixed
        Writer.Close(); // try
        Writer.Open("finally");
        Writer.Line("global::LossDsl.Internals.ScratchPool.Return<float>(__tiles);");
        if (online.Count > 0) Writer.Line("global::LossDsl.Internals.ScratchPool.Return<global::LossDsl.Internals.OnlineSumExp.State>(__states);");
        Writer.Close();
    }
}
