using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Language.Tiling;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// Prints a strip pass (<see cref="StripPassPlan"/>): on the caller, its scratch memory and its loop over row blocks,
/// which runs the statistics phase and the weights phase of each block on <c>LossParallel</c> over the block's slots
/// and combines the slots' partials in slot order in between; in the job, the two phases of a slot and the two
/// combinations. The scratch memory holds, for the block being processed: every contraction tile of the block (kept
/// from the statistics phase for the weights phase), each slot's partial statistics and online states, each slot's
/// partial row back contractions, and each slot's weight tiles.
/// </summary>
internal sealed class CpuStripPassEmitter
{
    private readonly CpuKernelContext _kernel;
    private readonly StripPassPlan _plan;

    public CpuStripPassEmitter(CpuKernelContext kernel, StripPassPlan plan) { _kernel = kernel; _plan = plan; }

    private CodeWriter Writer => _kernel.Writer;
    private LossModel Model => _kernel.Model;
    private CpuNames Names => _kernel.Names;
    private StripPassStmt Pass => _plan.Pass;
    /// <summary>The floats of a tile, in the job (the row block is chosen on the caller, by <see cref="EmitEntry"/>).</summary>
    private string TileSize => $"((nint)StripRowBlock * {_plan.ColumnTile})";
    private const string RowBlock = "StripRowBlock";
    private List<Node> Accumulated => _plan.Accumulated.Select(a => a.Reduce).Distinct().ToList();
    private List<OnlineSumExpStmt> Online => _plan.OnlineSums.ToList();
    private string Rows => Names.Extent(Pass.Row.Extent);
    private string Columns => Names.Extent(Pass.Column.Extent);
    private string RowVar => CpuNames.Index(Pass.Row);
    private string Depth(BackContractionRef b) => Names.Extent(b.Back.Feature.Extent);
    private string Output(Node value) => CpuNames.BufferPointer(Pass.Outputs[value]);

    private sealed record BackContractionRef(Language.Tiling.BackContraction Back, int Index);

    private IEnumerable<BackContractionRef> RowBacks => Pass.RowBacks.Select((b, k) => new BackContractionRef(b, k));

    /// <summary>The pass on the caller: scratch memory, then the blocks one after the other.</summary>
    public void EmitEntry()
    {
        int k = _plan.Number;
        Writer.Open("");
        Writer.Line($"int __tiles{k} = (int)(((long){Columns} + {_plan.ColumnTile - 1}) / {_plan.ColumnTile});");
        Writer.Line($"int __slots{k} = global::System.Math.Max(1, global::System.Math.Min({_plan.Slots}, __tiles{k}));");
        // The row block: as many rows as keep the block's contraction tiles within the budget, a multiple of 6 rows.
        Writer.Line($"int __rowBlock{k} = (int)global::System.Math.Clamp({_plan.KeptTileBudget}L / global::System.Math.Max(1L, (long){Pass.Contractions.Count} * __tiles{k} * {_plan.ColumnTile}) / 6 * 6, {_plan.MinimumRowBlock}L, {_plan.MaximumRowBlock}L);");
        Writer.Line($"int __blocks{k} = (int)(((long){Rows} + __rowBlock{k} - 1) / __rowBlock{k});");
        // Offsets in the scratch memory, in floats; in long, checked against the largest array.
        Writer.Line($"long __tile{k} = (long)__rowBlock{k} * {_plan.ColumnTile};");
        Writer.Line($"long __statistics{k} = (long){Pass.Contractions.Count} * __tiles{k} * __tile{k};");
        Writer.Line($"long __rowBacks{k} = __statistics{k} + (long)__slots{k} * {Accumulated.Count} * __rowBlock{k};");
        string rowBackFloats = Pass.RowBacks.Count == 0 ? "0L" : string.Join(" + ", Pass.RowBacks.Select(b => $"(long){Names.Extent(b.Feature.Extent)}"));
        Writer.Line($"long __weights{k} = __rowBacks{k} + (long)__slots{k} * __rowBlock{k} * ({rowBackFloats});");
        Writer.Line($"long __size{k} = __weights{k} + (long)__slots{k} * {_plan.WeightTiles} * __tile{k};");
        Writer.Line($"if (__size{k} > global::System.Array.MaxLength) throw new global::System.OutOfMemoryException($\"The pair space [{{{Rows}}} x {{{Columns}}}] needs {{__size{k}}} floats of scratch memory, more than an array holds.\");");
        Writer.Line($"float[] __strip{k} = global::LossDsl.Internals.ScratchPool.Rent<float>((int)global::System.Math.Max(1L, __size{k}));");
        if (Online.Count > 0)
            Writer.Line($"var __stripStates{k} = global::LossDsl.Internals.ScratchPool.Rent<global::LossDsl.Internals.OnlineSumExp.State>(__slots{k} * {Online.Count} * __rowBlock{k});");
        Writer.Open("try");
        Writer.Open($"fixed (float* __p{k} = __strip{k})");
        Writer.Line($"__job.StripData = __p{k};");
        Writer.Line($"__job.StripStates = {(Online.Count > 0 ? $"__stripStates{k}" : "null")};");
        Writer.Line($"__job.StripTiles = __tiles{k}; __job.StripSlots = __slots{k}; __job.StripRowBlock = __rowBlock{k};");
        Writer.Line($"__job.StripStatistics = (nint)__statistics{k}; __job.StripRowBacks = (nint)__rowBacks{k}; __job.StripWeights = (nint)__weights{k};");
        foreach (var b in Pass.ColumnBacks)
        {
            // A column back contraction accumulates over every block: zero first.
            string depth = Names.Extent(b.Feature.Extent);
            Writer.Line($"for (int __c = 0; __c < {Columns}; __c++) new global::System.Span<float>({Output(b.Value)} + (nint)__c * {depth}, {depth}).Clear();");
        }
        Writer.Open($"for (int __block = 0; __block < __blocks{k}; __block++)");
        Writer.Line("__job.Block = __block;");
        Writer.Line("__job.Phase = 0;");
        Writer.Line($"__job.Start({k}, 0, __slots{k}, 0);");
        Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __slots{k});");
        Writer.Line($"__job.FinishStatistics{k}();");
        Writer.Line("__job.Phase = 1;");
        Writer.Line($"__job.Start({k}, 0, __slots{k}, 0);");
        Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __slots{k});");
        if (Pass.RowBacks.Count > 0) Writer.Line($"__job.FinishRowBacks{k}();");
        Writer.Close();
        Writer.Line("__job.StripData = null;");
        Writer.Line("__job.StripStates = null;");
        Writer.Close(); // fixed
        Writer.Close(); // try
        Writer.Open("finally");
        Writer.Line($"global::LossDsl.Internals.ScratchPool.Return<float>(__strip{k});");
        if (Online.Count > 0) Writer.Line($"global::LossDsl.Internals.ScratchPool.Return<global::LossDsl.Internals.OnlineSumExp.State>(__stripStates{k});");
        Writer.Close();
        Writer.Close();
    }

    /// <summary>The body of the pass method: a slot of the statistics phase or of the weights phase.</summary>
    public void EmitSlot()
    {
        Writer.Line($"int i0 = Block * {RowBlock}, i1 = (int)global::System.Math.Min((long){Rows}, (long)i0 + {RowBlock}), rows = i1 - i0;");
        Writer.Line("int t0 = (int)((long)chunk * StripTiles / StripSlots), t1 = (int)((long)(chunk + 1) * StripTiles / StripSlots);");
        Writer.Open("if (Phase == 0)");
        EmitStatisticsPhase();
        Writer.Close();
        Writer.Open("else");
        EmitWeightsPhase();
        Writer.Close();
    }

    private string Contracted(int c) => $"(StripData + (nint)({c} * StripTiles + t) * {TileSize})";

    private void EmitStatisticsPhase()
    {
        var accumulated = Accumulated;
        var online = Online;
        Writer.Line($"float* partials = StripData + StripStatistics + (nint)chunk * {accumulated.Count} * {RowBlock};");
        if (online.Count > 0) Writer.Line($"int states = chunk * {online.Count} * {RowBlock};");
        Writer.Open($"for (int r = 0; r < rows; r++)");
        for (int a = 0; a < accumulated.Count; a++) Writer.Line($"partials[{a} * {RowBlock} + r] = {CpuKernelContext.Identity(accumulated[a], false)};");
        for (int o = 0; o < online.Count; o++) Writer.Line($"StripStates![states + {o} * {RowBlock} + r] = global::LossDsl.Internals.OnlineSumExp.State.Empty;");
        Writer.Close();
        Writer.Open("for (int t = t0; t < t1; t++)");
        Writer.Line($"int j0 = t * {_plan.ColumnTile}, count = (int)global::System.Math.Min({_plan.ColumnTile}L, (long){Columns} - j0);");
        var tiles = new PairTiles(Pass.Row, Pass.Column, _plan.ColumnTile);
        for (int c = 0; c < Pass.Contractions.Count; c++)
        {
            var contraction = Pass.Contractions[c];
            string depth = Names.Extent(contraction.Feature.Extent);
            tiles.Pointers[contraction.Value] = Contracted(c);
            Writer.Line($"// The tile of {Model.Print(contraction.Value, LossModel.CommentLength)}, kept for the weights phase.");
            Writer.Line($"global::LossDsl.Internals.TileProducts.Contract<TS, TV>({CpuNames.OperandPointer(contraction.RowSource!)} + (nint)i0 * {depth}, {depth}, rows, "
                + $"{CpuNames.PanelPointer(_plan.Panels[c])} + (nint)j0 * {depth}, {_plan.ColumnTile}, {depth}, {Contracted(c)}, {_plan.ColumnTile});");
        }
        Writer.Open($"for (int {RowVar} = i0; {RowVar} < i1; {RowVar}++)");
        for (int a = 0; a < accumulated.Count; a++) Writer.Line($"float {CpuNames.Accumulator(accumulated[a])} = partials[{a} * {RowBlock} + {RowVar} - i0];");
        for (int o = 0; o < online.Count; o++) Writer.Line($"var {CpuNames.OnlineState(online[o])} = StripStates![states + {o} * {RowBlock} + {RowVar} - i0];");
        EmitColumnLoop(_plan.StatisticsLoop, tiles);
        for (int a = 0; a < accumulated.Count; a++) Writer.Line($"partials[{a} * {RowBlock} + {RowVar} - i0] = {CpuNames.Accumulator(accumulated[a])};");
        for (int o = 0; o < online.Count; o++) Writer.Line($"StripStates![states + {o} * {RowBlock} + {RowVar} - i0] = {CpuNames.OnlineState(online[o])};");
        Writer.Close();
        Writer.Close();
    }

    private void EmitWeightsPhase()
    {
        Writer.Line($"float* weights = StripData + StripWeights + (nint)chunk * {_plan.WeightTiles} * {TileSize};");
        var partials = new List<string>();
        string offset = "StripRowBacks";
        foreach (var b in RowBacks)
        {
            string depth = Depth(b);
            string name = $"partial{b.Index}";
            Writer.Line($"float* {name} = StripData + {offset} + (nint)chunk * {RowBlock} * {depth};");
            Writer.Line($"new global::System.Span<float>({name}, rows * {depth}).Clear();");
            offset += $" + (nint)StripSlots * {RowBlock} * {depth}";
            partials.Add(name);
        }
        Writer.Open("for (int t = t0; t < t1; t++)");
        Writer.Line($"int j0 = t * {_plan.ColumnTile}, count = (int)global::System.Math.Min({_plan.ColumnTile}L, (long){Columns} - j0);");
        var tiles = new PairTiles(Pass.Row, Pass.Column, _plan.ColumnTile);
        for (int c = 0; c < Pass.Contractions.Count; c++) tiles.Pointers[Pass.Contractions[c].Value] = Contracted(c);
        foreach (var b in Pass.RowBacks.Concat(Pass.ColumnBacks)) tiles.Pointers[b.Value] = b.Tile == 0 ? "weights" : $"(weights + {b.Tile} * {TileSize})";
        Writer.Open($"for (int {RowVar} = i0; {RowVar} < i1; {RowVar}++)");
        EmitColumnLoop(_plan.WeightsLoop, tiles);
        Writer.Close();
        foreach (var b in RowBacks)
        {
            string depth = Depth(b);
            Writer.Line($"// {Model.Print(b.Back.Value, LossModel.CommentLength)}: the weight tile times the tile's rows of {PlanPrinter.Source(b.Back.Source!)}.");
            Writer.Line($"global::LossDsl.Internals.TileProducts.AccumulateProduct<TS, TV>({tiles.Pointers[b.Back.Value]}, {_plan.ColumnTile}, rows, count, "
                + $"{CpuNames.OperandPointer(b.Back.Source!)} + (nint)j0 * {depth}, {depth}, {depth}, {partials[b.Index]}, {depth});");
        }
        foreach (var b in Pass.ColumnBacks)
        {
            string depth = Names.Extent(b.Feature.Extent);
            Writer.Line($"// {Model.Print(b.Value, LossModel.CommentLength)}: the weight tile, transposed, times the block's rows of {PlanPrinter.Source(b.Source!)}.");
            Writer.Line($"global::LossDsl.Internals.TileProducts.AccumulateTransposedProduct<TS, TV>({tiles.Pointers[b.Value]}, {_plan.ColumnTile}, rows, count, "
                + $"{CpuNames.OperandPointer(b.Source!)} + (nint)i0 * {depth}, {depth}, {depth}, {Output(b.Value)} + (nint)j0 * {depth}, {depth});");
        }
        Writer.Close();
    }

    private void EmitColumnLoop(PlanLoop loop, PairTiles tiles)
    {
        var scope = new Scope(null);
        foreach (var r in _kernel.Plan.Globals) scope.Values[r] = CpuNames.Global(r);
        _kernel.Tiles = tiles;
        new CpuLoopEmitter(_kernel, Enumerable.Empty<Node>()).EmitLoop(loop, scope, "j0", "j0 + count");
        _kernel.Tiles = null;
    }

    /// <summary>The job methods that combine the slots' partials on the caller, in slot order.</summary>
    public void EmitFinishMethods()
    {
        int k = _plan.Number;
        var accumulated = Accumulated;
        var online = Online;
        Writer.Line();
        Writer.Line($"/// <summary>Pass {k}: the statistics of the block's rows, from the slots' partials in slot order.</summary>");
        Writer.Open($"public void FinishStatistics{k}()");
        EmitFieldLocals();
        Writer.Line($"int i0 = Block * {RowBlock}, i1 = (int)global::System.Math.Min((long){Rows}, (long)i0 + {RowBlock});");
        Writer.Line("float* partials = StripData + StripStatistics;");
        Writer.Open($"for (int {RowVar} = i0; {RowVar} < i1; {RowVar}++)");
        Writer.Line($"int r = {RowVar} - i0;");
        for (int a = 0; a < accumulated.Count; a++)
        {
            var s = accumulated[a];
            string acc = CpuNames.Accumulator(s);
            string part = $"partials[(nint)__s * {accumulated.Count} * {RowBlock} + {a} * {RowBlock} + r]";
            Writer.Line($"float {acc} = {CpuKernelContext.Identity(s, false)};");
            Writer.Line(s.ReduceKind switch
            {
                ReduceKind.Sum => $"for (int __s = 0; __s < StripSlots; __s++) {acc} += {part};",
                ReduceKind.Max => $"for (int __s = 0; __s < StripSlots; __s++) {acc} = global::LossDsl.Internals.Scalar.Max({acc}, {part});",
                _ => $"for (int __s = 0; __s < StripSlots; __s++) {acc} = global::LossDsl.Internals.Scalar.Min({acc}, {part});",
            });
            Writer.Line($"{Output(s)}[{RowVar}] = {acc};");
        }
        var scope = new Scope(null);
        foreach (var r in _kernel.Plan.Globals) scope.Values[r] = CpuNames.Global(r);
        for (int o = 0; o < online.Count; o++)
        {
            var stmt = online[o];
            string state = CpuNames.OnlineState(stmt);
            Writer.Line($"var {state} = global::LossDsl.Internals.OnlineSumExp.State.Empty;");
            Writer.Line($"for (int __s = 0; __s < StripSlots; __s++) {state} = global::LossDsl.Internals.OnlineSumExp.Merge({state}, StripStates![__s * {online.Count} * {RowBlock} + {o} * {RowBlock} + r]);");
            Writer.Line($"float {CpuNames.Accumulator(stmt.Max)} = {state}.Max;");
            scope.Values[stmt.Max] = CpuNames.Accumulator(stmt.Max);
            string shift = new CpuExpressionEmitter(_kernel, vector: false, scope).Emit(stmt.Shift);
            Writer.Line($"{Output(stmt.Max)}[{RowVar}] = {CpuNames.Accumulator(stmt.Max)};");
            Writer.Line($"{Output(stmt.Sum)}[{RowVar}] = global::LossDsl.Internals.OnlineSumExp.Rescale({state}.Sum, {state}.Max, {shift});");
        }
        Writer.Close();
        Writer.Close();
        if (Pass.RowBacks.Count == 0) return;
        Writer.Line();
        Writer.Line($"/// <summary>Pass {k}: the row back contractions of the block's rows, from the slots' partials in slot order.</summary>");
        Writer.Open($"public void FinishRowBacks{k}()");
        EmitFieldLocals();
        Writer.Line($"int i0 = Block * {RowBlock}, rows = (int)global::System.Math.Min((long){Rows} - i0, {RowBlock});");
        string offset = "StripRowBacks";
        foreach (var b in RowBacks)
        {
            string depth = Depth(b);
            Writer.Line($"global::LossDsl.Internals.TileProducts.SumParts(StripData + {offset}, (nint){RowBlock} * {depth}, StripSlots, rows * {depth}, {Output(b.Back.Value)} + (nint)i0 * {depth});");
            offset += $" + (nint)StripSlots * {RowBlock} * {depth}";
        }
        Writer.Close();
    }

    private void EmitFieldLocals()
    {
        foreach (var b in _kernel.Plan.Buffers) Writer.Line($"float* {CpuNames.BufferPointer(b.Buffer)} = this.{CpuNames.BufferPointer(b.Buffer)};");
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null)) Writer.Line($"{(t.IsInt ? "int" : "float")}* {CpuNames.TensorPointer(t)} = this.{CpuNames.TensorPointer(t)};");
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Writer.Line($"int {Names.Extent(e)} = this.{Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"{(s.IsInt ? "int" : "float")} {Names.Scalar(s.Id)} = this.{Names.Scalar(s.Id)};");
        if (_kernel.Plan.WithGradients) Writer.Line($"float {Names.Scalar(Model.UpstreamParam)} = this.{Names.Scalar(Model.UpstreamParam)};");
        foreach (var r in _kernel.Plan.Globals) Writer.Line($"float {CpuNames.Global(r)} = this.{CpuNames.Global(r)};");
    }
}
