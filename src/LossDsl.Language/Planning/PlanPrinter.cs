using System.Collections.Generic;
using System.Linq;
using System.Text;
using LossDsl.Language.Ir;
using LossDsl.Language.Scheduling;

namespace LossDsl.Language.Planning;

/// <summary>
/// The one printer of a <see cref="KernelPlan"/>: the one-line summary of the generated remarks
/// (<see cref="Summary"/>), the description of a pass or loop in the comments of generated code (<c>Describe</c>),
/// and the whole plan, indented, for tests and debugging (<see cref="Print"/>).
/// </summary>
internal static class PlanPrinter
{
    /// <summary>"pass 1 over i &lt; n_i (loss terms, dz; 2 inner loop(s): c (...), a1); pass 2 ...".</summary>
    public static string Summary(KernelPlan plan)
    {
        var parts = new List<string>();
        foreach (var pass in plan.Passes)
        {
            if (pass is not LoopPassPlan loopPass)
            {
                parts.Add($"pass {pass.Number}: {Describe(plan.Model, pass)}");
                continue;
            }
            var loop = loopPass.Loop;
            var inner = new List<string>();
            if (loop.Purpose.Count > 0) inner.Add(string.Join(", ", loop.Purpose));
            var nested = loop.Body.Where(s => s is PlanLoop or VersionedLoop).ToList();
            if (nested.Count > 0)
                inner.Add($"{nested.Count} inner loop(s): " + string.Join(", ", nested.Select(s => s switch
                {
                    VersionedLoop v => v.Online.Var.Name + OnlineNote,
                    PlanLoop l => l.Var.Name + (l.OnlineSums.Any() ? OnlineNote : ""),
                    _ => "",
                })));
            parts.Add($"pass {pass.Number} over {loop.Var.Name} < {plan.Model.Extents[loop.Var.Extent].Name} ({string.Join("; ", inner)})");
        }
        return string.Join("; ", parts) + ".";
    }

    private const string OnlineNote = " (max and sum of exp, one online sweep for long rows)";

    /// <summary>
    /// "for i &lt; n_i: loss terms, dz"; for a pair pass, "pairs (i, j) of n_i x n_j in tiles of 64 x 128: 2 statistics,
    /// 1 back contraction"; for a panel pass, "pack panel 0 of 128 rows".
    /// </summary>
    public static string Describe(LossModel model, PassPlan pass) => pass switch
    {
        LoopPassPlan l => Describe(model, l.Loop),
        PanelPassPlan p => $"pack panel {p.Panel.Id}: the column operand {Source(p.Panel.Source)} [{model.Extents[p.Panel.Rows].Name}, {model.Extents[p.Panel.Depth].Name}] in tiles of {p.Panel.Width} rows",
        PairPassPlan p => $"pairs ({p.Pass.Row.Name}, {p.Pass.Column.Name}) of {model.Extents[p.Pass.Row.Extent].Name} x {model.Extents[p.Pass.Column.Extent].Name} "
            + $"in tiles of {p.RowBlock} x {p.ColumnTile}: {p.Pass.Contractions.Count} contraction(s), {p.Pass.Statistics.Count} statistic(s), "
            + $"{p.Pass.BackContractions.Count} back contraction(s)",
        RankSortPassPlan p => $"ranked sum {p.Sum.Result.Id}: {SortDescription(p.Sum)}"
            + (p.Sum.Batch.Length > 0 ? $", once per {string.Join(", ", p.Sum.Batch.Select(v => v.Name))}" : ""),
        StripPassPlan p => $"strips of {p.MinimumRowBlock}-{p.MaximumRowBlock} rows of {model.Extents[p.Pass.Row.Extent].Name} x {model.Extents[p.Pass.Column.Extent].Name} in tiles of {p.ColumnTile}: "
            + $"{p.Pass.Contractions.Count} contraction(s), {p.Pass.Statistics.Count} statistic(s), {p.Pass.RowBacks.Count} row and {p.Pass.ColumnBacks.Count} column back contraction(s)",
        _ => "",
    };

    /// <summary>What a ranked sum's sort pass does: a prefix scan, a sort, or the reuse of an earlier sum's order.</summary>
    private static string SortDescription(RankedSum sum)
    {
        if (sum.Mode.HasFlag(RankMode.IndexKey)) return "prefix sums of the values in index order";
        if (sum.SharedOrder is { } shared)
            return $"the order of ranked sum {shared.Result.Id}{(sum.ReversesSharedOrder ? " reversed" : "")}{(sum.ReversesSharedRuns ? ", its ties reversed" : "")} (no sort), and prefix sums of the values";
        return "sort the elements by key and take prefix sums of their values" + (sum.KeptOrder is not null ? " (the order kept for a later sum)" : "");
    }

    /// <summary>"z" for a tensor, "operand buffer 3" for a buffer.</summary>
    public static string Source(Tiling.OperandSource source) => source.Tensor is { } t ? t.Name : "buffer " + source.Buffer!.Id;

    /// <summary>"for i &lt; n_i: loss terms, dz".</summary>
    public static string Describe(LossModel model, PlanLoop loop)
    {
        var what = loop.Purpose.Count > 0 ? string.Join(", ", loop.Purpose) : "values";
        return $"for {loop.Var.Name} < {model.Extents[loop.Var.Extent].Name}: {what}";
    }

    /// <summary>The whole plan as indented text; reductions are named R&lt;id&gt; and defined where they complete.</summary>
    public static string Print(KernelPlan plan)
    {
        var printer = new Writer(plan);
        printer.Kernel();
        return printer.ToString();
    }

    private sealed class Writer
    {
        private readonly KernelPlan _plan;
        private readonly LossModel _model;
        private readonly IrPrinter.Names _names;
        private readonly StringBuilder _sb = new();
        private int _depth;

        public Writer(KernelPlan plan)
        {
            _plan = plan;
            _model = plan.Model;
            _names = _model.Names;
            _names.Value = n => n.Op == Op.Reduce ? ReductionName(n) : null;
        }

        public override string ToString() => _sb.ToString();

        private static string ReductionName(Node r) => "R" + r.Id;
        private string Expr(Node n) => IrPrinter.Print(n, _names);
        private string Extent(int e) => _model.Extents[e].Name;
        private string Var(IndexVar v) => v.Name + "#" + v.Id;
        private string Definition(Node r) => ReductionName(r) + " = " + Expr(r);

        private void Line(string text) => _sb.Append(' ', _depth * 2).Append(text).Append('\n');

        public void Kernel()
        {
            Line($"kernel {_plan.Name}");
            foreach (var b in _plan.Buffers)
            {
                string axes = string.Join(", ", b.Axes.Select(a => $"{Var(a)} < {Extent(a.Extent)}"));
                Line($"buffer {b.Id} [{axes}] = {Expr(b.Buffer.Value)}; {(b.Space == MemorySpace.GradientOutput ? $"in the gradient output {b.Home!.Gradient!.Name}" : "global memory")}, written in pass {b.WrittenInPass}, last read in pass {b.LastReadInPass}");
            }
            foreach (var p in _plan.Panels)
                Line($"panel {p.Id}: {Source(p.Source)} [{Extent(p.Rows)}, {Extent(p.Depth)}] packed in tiles of {p.Width} rows, in pass {p.WrittenInPass}");
            foreach (var pass in _plan.Passes)
            {
                switch (pass)
                {
                    case LoopPassPlan loopPass:
                        string work = loopPass.WorkExtents.Count == 0 ? "1" : string.Join(" * ", loopPass.WorkExtents.Select(Extent));
                        Line(loopPass.OneChunk
                            ? $"pass {pass.Number}: work per iteration {work}; one chunk (a scatter into shared elements, in order)"
                            : $"pass {pass.Number}: work per iteration {work}; chunks of {loopPass.ChunkWork} work, aligned to {loopPass.ChunkAlignment}");
                        _depth++;
                        Loop(loopPass.Loop);
                        _depth--;
                        break;
                    case PanelPassPlan panelPass:
                        Line($"pass {pass.Number}: pack panel {panelPass.Panel.Id}, one chunk per tile");
                        break;
                    case PairPassPlan pairPass:
                        Pair(pairPass);
                        break;
                    case StripPassPlan stripPass:
                        Strip(stripPass);
                        break;
                    case RankSortPassPlan sortPass:
                        Line($"pass {pass.Number}: {Describe(_model, pass)} ({Order(sortPass.Sum.Mode)}), one chunk per batch point");
                        break;
                }
            }
            foreach (var st in _plan.ScalarOutputs) Line($"store output {st.Target.OutputOf!.Name} = {Expr(st.Value)}");
            Line("loss = " + Expr(_plan.Loss));
        }

        private void Pair(PairPassPlan plan)
        {
            var pass = plan.Pass;
            Line($"pass {plan.Number}: pairs ({Var(pass.Row)} < {Extent(pass.Row.Extent)}, {Var(pass.Column)} < {Extent(pass.Column.Extent)}), blocks of {plan.RowBlock} rows (parallel), tiles of {plan.ColumnTile} columns");
            _depth++;
            for (int k = 0; k < pass.Contractions.Count; k++)
            {
                var c = pass.Contractions[k];
                Line($"contraction tile {ReductionName(c.Value)} = {Expr(c.Value)}: rows of {Source(c.RowSource!)} times panel {plan.Panels[k].Id}");
            }
            foreach (var r in pass.Statistics) Line($"statistic {Definition(r)} -> buffer {pass.Outputs[r].Id}");
            foreach (var b in pass.BackContractions)
                Line($"back contraction {Definition(b.Value)} -> buffer {pass.Outputs[b.Value].Id}: weight tile times rows of {Source(b.Source!)}");
            Line($"for each row {Var(pass.Row)} of the block:");
            _depth++;
            Loop(plan.ColumnLoop, defines: false);
            _depth--;
            _depth--;
        }

        private void Strip(StripPassPlan plan)
        {
            var pass = plan.Pass;
            Line($"pass {plan.Number}: strips of {plan.MinimumRowBlock} to {plan.MaximumRowBlock} rows (as many as keep {plan.KeptTileBudget} floats of contraction tiles; {Var(pass.Row)} < {Extent(pass.Row.Extent)}, in order) by tiles of {plan.ColumnTile} columns ({Var(pass.Column)} < {Extent(pass.Column.Extent)}, {plan.Slots} slots in parallel)");
            _depth++;
            for (int k = 0; k < pass.Contractions.Count; k++)
            {
                var c = pass.Contractions[k];
                Line($"contraction tiles {ReductionName(c.Value)} = {Expr(c.Value)}: rows of {Source(c.RowSource!)} times panel {plan.Panels[k].Id}, kept for the block");
            }
            foreach (var r in pass.Statistics) Line($"statistic {Definition(r)} -> buffer {pass.Outputs[r].Id}");
            foreach (var b in pass.RowBacks)
                Line($"row back contraction {Definition(b.Value)} -> buffer {pass.Outputs[b.Value].Id}: weight tile times rows of {Source(b.Source!)}, one partial per slot");
            foreach (var b in pass.ColumnBacks)
                Line($"column back contraction {Definition(b.Value)} -> buffer {pass.Outputs[b.Value].Id}: transposed weight tile times the block's rows of {Source(b.Source!)}");
            Line($"statistics, for each row {Var(pass.Row)} of the block:");
            _depth++;
            Loop(plan.StatisticsLoop, defines: false);
            _depth--;
            Line($"weights, for each row {Var(pass.Row)} of the block:");
            _depth++;
            Loop(plan.WeightsLoop, defines: false);
            _depth--;
            _depth--;
        }

        private void Loop(PlanLoop loop, bool defines = true)
        {
            string role = loop.Role switch
            {
                LoopRole.ParallelChunks => "parallel chunks",
                LoopRole.ParallelRows => "parallel rows",
                LoopRole.Sequential => "sequential",
                LoopRole.VectorLanes => "vector lanes",
                _ => "tiles",
            };
            Line($"for {Var(loop.Var)} < {Extent(loop.Var.Extent)} ({role}{(loop.Purpose.Count > 0 ? ": " + string.Join(", ", loop.Purpose) : "")})");
            _depth++;
            if (defines) foreach (var r in loop.Completes) Line("completes " + Definition(r));
            foreach (var h in loop.Hoisted) Line("hoist " + Expr(h));
            if (loop.Vector is { } v)
            {
                Line($"vector: unroll {v.Unroll}" + (v.Broadcasts.Count > 0 ? "; broadcast " + string.Join(", ", v.Broadcasts.Select(Expr)) : ""));
                foreach (var n in v.OutOfLine) Line("out of line: " + Expr(n));
            }
            foreach (var s in loop.Body) Statement(s, loop);
            _depth--;
        }

        private void Statement(Stmt s, PlanLoop loop)
        {
            switch (s)
            {
                case PlanLoop l:
                    Loop(l);
                    break;
                case VersionedLoop v:
                    foreach (var r in v.Completes) Line("completes " + Definition(r));
                    Line($"if {Extent(v.Extent)} >= {v.Threshold}: one online sweep");
                    _depth++;
                    Loop(v.Online, defines: false);
                    _depth--;
                    Line("else: a max sweep, then a sum sweep");
                    _depth++;
                    Loop(v.MaxSweep, defines: false);
                    Loop(v.SumSweep, defines: false);
                    _depth--;
                    break;
                case AccumulateStmt a:
                    Line($"accumulate {ReductionName(a.Reduce)} {Combine(a.Reduce)} {Expr(a.Body)}");
                    break;
                case OnlineSumExpStmt o:
                    bool outOfLine = loop.Vector?.OutOfLineSteps.Contains(o) == true;
                    Line($"online {ReductionName(o.Max)} = max, {ReductionName(o.Sum)} = sum of exp(v - {Expr(o.Shift)}) over v = {Expr(o.Value)}{(outOfLine ? " (step out of line)" : "")}");
                    break;
                case StoreStmt st:
                    string target = st.Target.GradientOf is { } t ? t.Gradient!.Name
                        : st.Target.OutputOf is { } output ? "output " + output.Name
                        : st.Target.Tile is { } back ? "weight tile of " + ReductionName(back.Value)
                        : "buffer " + _plan.BufferViews[st.Target.Buffered!].Buffer.Id;
                    Line($"store {target}[{string.Join(", ", st.Indices.Select(Var))}] = {Expr(st.Value)}");
                    break;
                case RankElementStmt e:
                    var ranked = e.Sum;
                    string at = string.Join(", ", ranked.Batch.Append(ranked.Element).Select(Var));
                    Line(ranked.Keys is { } keys
                        ? $"ranked sum {ranked.Result.Id}: key buffer {keys.Id}[{at}] = {Expr(ranked.ElementKey!)}, value buffer {ranked.Values.Id}[{at}] = {Expr(ranked.ElementValue)}"
                        : $"ranked sum {ranked.Result.Id}: value buffer {ranked.Values.Id}[{at}] = {Expr(ranked.ElementValue)}");
                    break;
                case RankLookupStmt l:
                {
                    var r = l.Sum;
                    string cond = r.ReaderCondition is { } c ? $"where({Expr(c)}, ..., 0) of " : "";
                    string tie = (r.Mode.HasFlag(RankMode.TieBreak) && r.ReaderIndex is { } ti ? $", ties by index against {Expr(ti)}" : "")
                        + (r.Mode.HasFlag(RankMode.SelfReader) ? " (each reader is an element: its prefix length from the sort)" : "");
                    Line($"store buffer {r.Result.Id}[{string.Join(", ", r.Batch.Concat(r.Readers).Select(Var))}] = {cond}the prefix of the elements kept by key {Expr(r.ReaderKey)}{tie}: {Expr(r.Sum)}");
                    break;
                }
                case ScatterStmt sc:
                    string into = sc.Tensor is { } grad ? grad.Gradient!.Name : "buffer " + _plan.BufferViews[sc.Target.Buffered!].Buffer.Id;
                    string entry = $"{into}[{string.Join(", ", sc.Subscripts.Select(Subscript))}]";
                    Line(sc.Combine switch
                    {
                        ReduceKind.Sum => $"scatter {entry} += {Expr(sc.Value)}",
                        ReduceKind.Max => $"scatter {entry} = max({entry}, {Expr(sc.Value)})",
                        _ => $"scatter {entry} = min({entry}, {Expr(sc.Value)})",
                    });
                    break;
            }
        }

        private static string Order(RankMode mode) =>
            (mode.HasFlag(RankMode.Descending) ? "descending" : "ascending")
            + (mode.HasFlag(RankMode.TieBreak) ? (mode.HasFlag(RankMode.TieDescending) ? ", equal keys by index descending" : ", equal keys by index ascending") : "");

        private string Subscript(Node x) => x.Op == Op.Index ? Expr(x) + "#" + x.Ref : Expr(x);

        private static string Combine(Node r) => r.ReduceKind switch
        {
            ReduceKind.Sum => "+=",
            ReduceKind.Max => "max=",
            _ => "min=",
        };
    }
}
