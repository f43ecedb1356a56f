using System.Collections.Generic;
using System.Linq;
using LossDsl.Generator.Emit.Cpu;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>
/// The GPU emitter: prints a <see cref="KernelPlan"/> as a class of ILGPU kernels and the host method that runs them on
/// a stream (<c>Run</c>: checks, device memory, launches). Every pass of the plan becomes one kernel (a strip three),
/// all taking one argument struct <c>Args</c> (the views of the tensors, gradients, scratch buffers and reductions,
/// the extents and the scalars):
/// <list type="bullet">
/// <item><description>a loop pass over elements: a grid-stride loop with a thread per element;</description></item>
/// <item><description>a loop pass over rows (its iterations run inner loops): a warp per row, the row's loops spread over
/// the lanes and reduced over the warp (<see cref="GpuLoopEmitter"/>);</description></item>
/// <item><description>a pair or strip pass: <see cref="GpuPairPassEmitter"/>; a panel pass packs nothing (the GPU
/// kernels read the operands' rows as they are).</description></item>
/// </list>
/// The reductions a pass completes are combined per group (<c>GpuReduce.Group*</c>, one partial per group), then by
/// a one-thread kernel in group order into the reductions view; a last one-thread kernel evaluates the loss. The grid
/// depends on the problem size only (<c>GpuReduce.Groups</c>), so results are the same on every call and device.
/// </summary>
internal sealed class GpuKernelEmitter
{
    private readonly GpuKernelContext _kernel;

    private GpuKernelEmitter(GpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private KernelPlan Plan => _kernel.Plan;
    private LossModel Model => _kernel.Model;
    private GpuNames Names => _kernel.Names;
    private const string Reduce = "global::LossDsl.Gpu.Internals.GpuReduce";

    /// <summary>
    /// Writes the nested class <paramref name="className"/> with the kernels of <paramref name="plan"/> and its
    /// <c>Run</c> method, which takes the stream, <paramref name="parameters"/> (views and scalars), the upstream
    /// gradient (when the plan writes gradients), and the view that receives the loss (empty: the loss is returned).
    /// </summary>
    public static void Emit(CodeWriter writer, KernelPlan plan, string className, IReadOnlyList<(string Name, string Type, ParameterKind Kind)> parameters)
    {
        var kernel = new GpuKernelContext(plan, writer);
        var emitter = new GpuKernelEmitter(kernel);
        writer.Line($"/// <summary>The GPU kernels of the {plan.Name} plan (see the remarks on the loss method) and the method that runs them.</summary>");
        writer.Open($"public static class {className}");
        emitter.EmitArgs();
        writer.Line();
        emitter.EmitRun(parameters);
        foreach (var pass in plan.Passes) emitter.EmitPassKernels(pass);
        emitter.EmitLossKernel();
        writer.Close();
    }

    /// <summary>The reductions that passes complete, each with its slot in the reductions view.</summary>
    private int GlobalSlot(Node r) => Plan.Globals.IndexOf(r);

    private IEnumerable<TensorInfo> Tensors => Model.Tensors.Where(t => t.Axes is not null);

    private IEnumerable<TensorInfo> GradientTensors => CpuKernelEmitter.GradientTensors(Plan);

    private void EmitArgs()
    {
        Writer.Line("/// <summary>The arguments of every kernel: views, extents and scalars.</summary>");
        Writer.Open("public struct Args");
        foreach (var t in Tensors) Writer.Line($"public global::ILGPU.ArrayView<{(t.IsInt ? "int" : "float")}> {GpuNames.Tensor(t)};");
        foreach (var t in GradientTensors) Writer.Line($"public global::ILGPU.ArrayView<float> {GpuNames.Gradient(t)};");
        foreach (var o in Plan.Outputs) Writer.Line($"public global::ILGPU.ArrayView<float> {GpuNames.Output(o)};");
        foreach (var b in Plan.Buffers) Writer.Line($"public global::ILGPU.ArrayView<float> {GpuNames.Buffer(b.Buffer)};");
        Writer.Line("public global::ILGPU.ArrayView<float> Globals, Partials, Loss;");
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Writer.Line($"public int {Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"public {(s.IsInt ? "int" : "float")} {Names.Scalar(s.Id)};");
        if (Plan.WithGradients) Writer.Line($"public float {Names.Scalar(Model.UpstreamParam)};");
        Writer.Line("public int Groups;");
        Writer.Line("public int TileColumns;");
        Writer.Close();
    }

    // ---- The host method ------------------------------------------------------------------------------------------

    private void EmitRun(IReadOnlyList<(string Name, string Type, ParameterKind Kind)> parameters)
    {
        var signature = parameters.Select(p => $"{p.Type} {Generator.Model.GeneratedNames.Id(p.Name)}").ToList();
        signature.Insert(0, "global::ILGPU.Runtime.AcceleratorStream __stream");
        if (Plan.WithGradients) signature.Add("float __upstreamGradient");
        signature.Add("global::ILGPU.ArrayView<float> __loss");
        Writer.Line("/// <summary>Checks the arguments, enqueues the kernels on the stream, and returns the loss when <paramref name=\"__loss\"/> is empty (waiting for the stream), else NaN.</summary>");
        Writer.Open($"public static float Run({string.Join(",\n    ", signature)})"); // one parameter a line
        Writer.Line("global::LossDsl.Gpu.Internals.GpuChecks.Stream(__stream, \"stream\");");
        var views = parameters.Where(p => p.Kind is ParameterKind.FloatTensor or ParameterKind.IntTensor or ParameterKind.Gradient).ToList();
        foreach (var p in views) Writer.Line($"int __length_{p.Name} = global::LossDsl.Gpu.Internals.GpuChecks.Length({Generator.Model.GeneratedNames.Id(p.Name)}, __stream, nameof({Generator.Model.GeneratedNames.Id(p.Name)}));");
        ShapeCheckEmitter.Emit(Writer, Model, Names.Extent, Plan.WithGradients, Plan.Outputs, name => "__length_" + name,
            (a, b) => $"global::LossDsl.Gpu.Internals.GpuChecks.Overlaps({Generator.Model.GeneratedNames.Id(a.Name)}, {Generator.Model.GeneratedNames.Id(b.Name)})");
        Writer.Line("bool __toHost = __loss.Length == 0;");
        Writer.Line("if (!__toHost) global::LossDsl.Gpu.Internals.GpuChecks.Length(__loss, __stream, \"loss\");");
        foreach (var s in Model.Scalars) Writer.Line($"{(s.IsInt ? "int" : "float")} {Names.Scalar(s.Id)} = {(s.IsInt ? "" : "(float)")}{Generator.Model.GeneratedNames.Id(s.Name)};");

        // Device memory beyond the inputs and gradients: the reductions, the groups' partials, the loss, the buffers.
        int partialsPerGroup = Plan.Passes.OfType<LoopPassPlan>().Select(p => p.Loop.Completes.Count).DefaultIfEmpty(0).Max();
        Writer.Line($"int __group = {Reduce}.GroupSizeOf(__stream.Accelerator), __maxGroups = {Reduce}.MaxGroupsOf(__stream.Accelerator);");
        Writer.Line($"long __globals = {Plan.Globals.Count}, __partials = {partialsPerGroup}L * __maxGroups;");
        Writer.Line("long __size = __globals + __partials + 1;");
        foreach (var b in Plan.Buffers.Where(b => b.Space == MemorySpace.Global))
        {
            // Saturating size arithmetic (Sizes): a total beyond long is refused by GpuScratch.Rent, never wrapped.
            string size = ShapeCheckEmitter.Product(b.Axes.Select(x => Names.Extent(x.Extent)).ToList());
            Writer.Line($"long __offset{b.Id} = __size; __size = global::LossDsl.Internals.Sizes.Sum(__size, {size}); // buffer {b.Id}: {Model.Print(b.Buffer.Value, LossModel.CommentLength)}");
        }
        Writer.Line("var __scratch = global::LossDsl.Gpu.Internals.GpuScratch.Rent(__stream, __size);");
        Writer.Line("var __a = new Args();");
        foreach (var t in Tensors) Writer.Line($"__a.{GpuNames.Tensor(t)} = {Generator.Model.GeneratedNames.Id(t.Name)};");
        foreach (var t in GradientTensors) Writer.Line($"__a.{GpuNames.Gradient(t)} = {Generator.Model.GeneratedNames.Id(t.Gradient!.Name)};");
        foreach (var o in Plan.Outputs) Writer.Line($"__a.{GpuNames.Output(o)} = {Generator.Model.GeneratedNames.Id(o.Name)};");
        foreach (var b in Plan.Buffers)
        {
            Writer.Line(b.Space == MemorySpace.GradientOutput
                ? $"__a.{GpuNames.Buffer(b.Buffer)} = {Generator.Model.GeneratedNames.Id(b.Home!.Gradient!.Name)}; // buffer {b.Id} lives in the gradient output"
                : $"__a.{GpuNames.Buffer(b.Buffer)} = __scratch.SubView(__offset{b.Id}, {ShapeCheckEmitter.Product(b.Axes.Select(x => Names.Extent(x.Extent)).ToList())});");
        }
        Writer.Line("__a.Globals = __scratch.SubView(0, global::System.Math.Max(1L, __globals));");
        Writer.Line("__a.Partials = __scratch.SubView(__globals, global::System.Math.Max(1L, __partials));");
        Writer.Line("__a.Loss = __toHost ? __scratch.SubView(__globals + __partials, 1) : __loss;");
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Writer.Line($"__a.{Names.Extent(e)} = {Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"__a.{Names.Scalar(s.Id)} = {Names.Scalar(s.Id)};");
        if (Plan.WithGradients) Writer.Line($"__a.{Names.Scalar(Model.UpstreamParam)} = __upstreamGradient;");
        Writer.Line("var __accelerator = __stream.Accelerator;");
        foreach (var pass in Plan.Passes) EmitLaunch(pass);
        Writer.Line($"global::LossDsl.Gpu.Internals.GpuKernels.Load<Args>(__accelerator, Loss)(__stream, new global::ILGPU.KernelConfig(1, {Reduce}.WarpSize), __a);");
        Writer.Line("if (!__toHost) return float.NaN;");
        Writer.Line("var __host = new float[1];");
        Writer.Line("global::ILGPU.Runtime.ArrayViewExtensions.CopyToCPU(__a.Loss, __stream, __host);");
        Writer.Line("__stream.Synchronize();");
        Writer.Line("return __host[0];");
        Writer.Close();
    }

    private void EmitLaunch(PassPlan pass)
    {
        int k = pass.Number;
        Writer.Line($"// Pass {k}: {PlanPrinter.Describe(Model, pass)}");
        string Launch(string kernel, string groups) =>
            $"global::LossDsl.Gpu.Internals.GpuKernels.Load<Args>(__accelerator, {kernel})(__stream, new global::ILGPU.KernelConfig({groups}, __group), __a);";
        switch (pass)
        {
            case PanelPassPlan:
                Writer.Line("// (nothing to pack: the GPU kernels read the operand's rows as they are)");
                return;
            case PairPassPlan pair:
                Writer.Line(Sweep($"Pass{k}", pair.Pass.Row, GpuPairPassEmitter.Staged(pair.Pass.Contractions, sweepColumns: true)));
                return;
            case RankSortPassPlan sort:
                Writer.Line($"__a.Groups = {Reduce}.Groups({RankPoints(sort.Sum)}, __group, __maxGroups);");
                Writer.Line(Launch($"Pass{k}", "__a.Groups"));
                return;
            case StripPassPlan strip:
                var columns = GpuPairPassEmitter.Staged(strip.Pass.Contractions, sweepColumns: true);
                Writer.Line(Sweep($"Pass{k}Statistics", strip.Pass.Row, columns));
                if (strip.Pass.RowBacks.Count > 0) Writer.Line(Sweep($"Pass{k}RowBacks", strip.Pass.Row, columns));
                if (strip.Pass.ColumnBacks.Count > 0)
                    Writer.Line(Sweep($"Pass{k}ColumnBacks", strip.Pass.Column, GpuPairPassEmitter.Staged(strip.Pass.Contractions, sweepColumns: false)));
                return;
        }
        var loopPass = (LoopPassPlan)pass;
        string extent = Names.Extent(loopPass.Loop.Var.Extent);
        string work = RowMode(loopPass) ? $"(long){extent} * {Reduce}.WarpSize" : $"(long){extent}";
        // A scatter into shared elements: one group, whose first thread runs the pass in order.
        Writer.Line(loopPass.OneChunk ? "__a.Groups = 1;" : $"__a.Groups = {Reduce}.Groups({work}, __group, __maxGroups);");
        Writer.Line(Launch($"Pass{k}", "__a.Groups"));
        if (loopPass.Loop.Completes.Count > 0)
            Writer.Line($"global::LossDsl.Gpu.Internals.GpuKernels.Load<Args>(__accelerator, Finish{k})(__stream, new global::ILGPU.KernelConfig(1, {Reduce}.WarpSize), __a);");
    }

    /// <summary>
    /// The launch of a pair-space sweep (<see cref="GpuPairPassEmitter"/>): a thread per value of <paramref name="own"/>,
    /// and the shared memory of one tile of the swept operands' rows (<c>GpuReduce.TileColumns</c> rows; none when a
    /// row of them does not fit).
    /// </summary>
    private string Sweep(string kernel, IndexVar own, List<(string View, int Depth)> staged)
    {
        string depth = staged.Count == 0 ? "0L" : string.Join(" + ", staged.Select(x => "(long)" + Names.Extent(x.Depth)));
        // Two statements, the launch over three lines (CodeWriter indents each line).
        return $"__a.TileColumns = {Reduce}.TileColumns({depth});\n" +
            $"global::LossDsl.Gpu.Internals.GpuKernels.Load<Args>(__accelerator, {kernel})(__stream,\n    new global::ILGPU.KernelConfig({Reduce}.Groups({Names.Extent(own.Extent)}, __group, __maxGroups), __group,\n    " +
            $"global::ILGPU.SharedMemoryConfig.RequestDynamic<float>(global::System.Math.Max(1, __a.TileColumns * (int)({depth})))), __a);";
    }

    /// <summary>The number of batch points of a ranked sum (a long).</summary>
    private string RankPoints(RankedSum ranked) => ShapeCheckEmitter.Product(ranked.Batch.Select(v => Names.Extent(v.Extent)).ToList());

    /// <summary>The sort of a ranked sum: a thread per batch point sorts its elements and takes their prefix sums.</summary>
    private void EmitRankSortPass(RankSortPassPlan pass, string describe)
    {
        var ranked = pass.Sum;
        OpenKernel($"Pass{pass.Number}", describe + " A thread per batch point.");
        string values = $"__a.{GpuNames.Buffer(ranked.Values)}";
        string keys = ranked.Keys is { } k ? $"__a.{GpuNames.Buffer(k)}" : values;
        string indices = (ranked.Indices is { } ix ? $"__a.{GpuNames.Buffer(ix)}" : values) + ".Cast<int>()";
        Writer.Line("long __stride = (long)global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX;");
        Writer.Open($"for (long __r = global::ILGPU.Grid.GlobalIndex.X; __r < {RankPoints(ranked)}; __r += __stride)");
        string at = $"__r * {Names.Extent(ranked.Extent)}, {Names.Extent(ranked.Extent)}, {(int)ranked.Mode}";
        if (ranked.SharedOrder is { KeptOrder: { } shared, Keys: { } sharedKeys })
            Writer.Line($"global::LossDsl.Gpu.Internals.GpuRankedSums.ScanInSharedOrder({keys}, {values}, {indices}, {at}, __a.{GpuNames.Buffer(shared)}.Cast<int>(), __a.{GpuNames.Buffer(sharedKeys)}, {(int)ranked.SharedOrderFlags}); // {ranked.Mode}, the order of ranked sum {ranked.SharedOrder.Result.Id} ({ranked.SharedOrderFlags})");
        else if (ranked.KeptOrder is { } kept)
            Writer.Line($"global::LossDsl.Gpu.Internals.GpuRankedSums.SortAndScan({keys}, {values}, {indices}, {at}, __a.{GpuNames.Buffer(kept)}.Cast<int>()); // {ranked.Mode}, the order kept");
        else
            Writer.Line($"global::LossDsl.Gpu.Internals.GpuRankedSums.SortAndScan({keys}, {values}, {indices}, {at}); // {ranked.Mode}");
        Writer.Close();
        Writer.Close();
    }

    /// <summary>A pass whose iterations run inner loops takes a warp per iteration.</summary>
    private static bool RowMode(LoopPassPlan pass) => !pass.OneChunk && pass.Loop.Body.Any(s => s is PlanLoop or VersionedLoop);

    // ---- The kernels ----------------------------------------------------------------------------------------------

    /// <summary>The locals every kernel starts with: extents, scalars, and the reductions completed so far.</summary>
    private Scope OpenKernel(string name, string summary)
    {
        Writer.Line();
        Writer.Line($"/// <summary>{Xml.Escape(summary)}</summary>");
        Writer.Open($"public static void {name}(Args __a)");
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Writer.Line($"int {Names.Extent(e)} = __a.{Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"{(s.IsInt ? "int" : "float")} {Names.Scalar(s.Id)} = __a.{Names.Scalar(s.Id)};");
        if (Plan.WithGradients) Writer.Line($"float {Names.Scalar(Model.UpstreamParam)} = __a.{Names.Scalar(Model.UpstreamParam)};");
        var scope = new Scope(null);
        foreach (var r in Plan.Globals)
        {
            Writer.Line($"float {GpuNames.Global(r)} = __a.Globals[{GlobalSlot(r)}];");
            scope.Values[r] = GpuNames.Global(r);
        }
        return scope;
    }

    private void EmitPassKernels(PassPlan pass)
    {
        int k = pass.Number;
        string describe = $"Pass {k}: {PlanPrinter.Describe(Model, pass)}.";
        switch (pass)
        {
            case PanelPassPlan:
                return;
            case PairPassPlan pair:
            {
                var scope = OpenKernel($"Pass{k}", describe + " A thread per row.");
                new GpuPairPassEmitter(_kernel).EmitPairPass(pair, scope);
                Writer.Close();
                return;
            }
            case StripPassPlan strip:
            {
                var pairs = new GpuPairPassEmitter(_kernel);
                var scope = OpenKernel($"Pass{k}Statistics", describe + " The statistics: a thread per row.");
                pairs.EmitStripStatistics(strip, scope);
                Writer.Close();
                if (strip.Pass.RowBacks.Count > 0)
                {
                    scope = OpenKernel($"Pass{k}RowBacks", describe + " The row back contractions: a thread per row.");
                    pairs.EmitStripRowBacks(strip, scope);
                    Writer.Close();
                }
                if (strip.Pass.ColumnBacks.Count > 0)
                {
                    scope = OpenKernel($"Pass{k}ColumnBacks", describe + " The column back contractions: a thread per column.");
                    pairs.EmitStripColumnBacks(strip, scope);
                    Writer.Close();
                }
                return;
            }
            case RankSortPassPlan sort:
                EmitRankSortPass(sort, describe);
                return;
        }
        EmitLoopPass((LoopPassPlan)pass, describe);
    }

    private void EmitLoopPass(LoopPassPlan pass, string describe)
    {
        int k = pass.Number;
        var loop = pass.Loop;
        bool rows = RowMode(pass);
        var scope = OpenKernel($"Pass{k}", describe + (pass.OneChunk ? " One thread, in order (a scatter into shared elements)." : rows ? " A warp per row." : " A thread per element."));
        foreach (var r in loop.Completes) Writer.Line($"float {GpuNames.Accumulator(r)} = {GpuKernelContext.Identity(r)}; // {Model.Print(r, LossModel.CommentLength)}");
        var expressions = new GpuExpressionEmitter(_kernel, scope);
        foreach (var n in loop.Hoisted) expressions.Emit(n);
        string v = GpuNames.Index(loop.Var), extent = Names.Extent(loop.Var.Extent);
        if (rows)
        {
            Writer.Line($"int lane = global::ILGPU.Group.IdxX & ({Reduce}.WarpSize - 1);");
            Writer.Line($"long __warps = ((long)global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX) / {Reduce}.WarpSize;");
            Writer.Open($"for (long __r = global::ILGPU.Grid.GlobalIndex.X / {Reduce}.WarpSize; __r < {extent}; __r += __warps)");
        }
        else if (pass.OneChunk)
        {
            Writer.Open($"for (long __r = global::ILGPU.Grid.GlobalIndex.X == 0 ? 0 : {extent}; __r < {extent}; __r++)");
        }
        else
        {
            Writer.Line("long __stride = (long)global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX;");
            Writer.Open($"for (long __r = global::ILGPU.Grid.GlobalIndex.X; __r < {extent}; __r += __stride)");
        }
        Writer.Line($"int {v} = (int)__r;");
        var body = new Scope(scope);
        body.BoundVars.Add(loop.Var.Id);
        var loops = new GpuLoopEmitter(_kernel);
        if (rows) loops.EmitWarpRow(loop.Body, body);
        else loops.EmitBlock(loop.Body, body);
        Writer.Close();
        if (loop.Completes.Count > 0)
        {
            // One partial per group for each reduction, combined in group order by Finish.
            Writer.Line($"var __shared = global::ILGPU.SharedMemory.Allocate<float>({Reduce}.GroupSize / {Reduce}.WarpSize); // a float per warp");
            for (int j = 0; j < loop.Completes.Count; j++)
            {
                var r = loop.Completes[j];
                string group = r.ReduceKind switch { ReduceKind.Sum => "GroupSum", ReduceKind.Max => "GroupMax", _ => "GroupMin" };
                Writer.Line($"float __p{j} = {Reduce}.{group}(__shared, {GpuNames.Accumulator(r)});");
                Writer.Line($"if (global::ILGPU.Group.IdxX == 0) __a.Partials[(long)global::ILGPU.Grid.IdxX * {loop.Completes.Count} + {j}] = __p{j};");
            }
        }
        Writer.Close();

        if (loop.Completes.Count == 0) return;
        Writer.Line();
        Writer.Line($"/// <summary>Pass {k}: its reductions from the groups' partials, in group order (one thread, in double).</summary>");
        Writer.Open($"public static void Finish{k}(Args __a)");
        Writer.Line("if (global::ILGPU.Group.IdxX != 0) return;");
        for (int j = 0; j < loop.Completes.Count; j++)
        {
            var r = loop.Completes[j];
            string partial = $"(double)__a.Partials[(long)__g * {loop.Completes.Count} + {j}]";
            string identity = r.ReduceKind switch { ReduceKind.Sum => "0.0", ReduceKind.Max => "double.NegativeInfinity", _ => "double.PositiveInfinity" };
            string combine = r.ReduceKind switch
            {
                ReduceKind.Sum => $"__v += {partial};",
                ReduceKind.Max => $"__v = global::ILGPU.Algorithms.XMath.Max(__v, {partial});",
                _ => $"__v = global::ILGPU.Algorithms.XMath.Min(__v, {partial});",
            };
            Writer.Open("");
            Writer.Line($"double __v = {identity}; // {Model.Print(r, LossModel.CommentLength)}");
            Writer.Line($"for (int __g = 0; __g < __a.Groups; __g++) {combine}");
            Writer.Line($"__a.Globals[{GlobalSlot(r)}] = (float)__v;");
            Writer.Close();
        }
        Writer.Close();
    }

    private void EmitLossKernel()
    {
        string outputs = string.Concat(Plan.ScalarOutputs.Select(st => $", the output {st.Target.OutputOf!.Name}: {Model.Print(st.Value, LossModel.CommentLength)}"));
        var scope = OpenKernel("Loss", $"The loss: {Model.Print(Plan.Loss, LossModel.CommentLength)}{outputs} (one thread).");
        Writer.Line("if (global::ILGPU.Group.IdxX != 0) return;");
        var expressions = new GpuExpressionEmitter(_kernel, scope);
        foreach (var st in Plan.ScalarOutputs)
        {
            string output = expressions.Emit(st.Value);
            Writer.Line($"__a.{GpuNames.Output(st.Target.OutputOf!)}[0] = {GpuExpressionEmitter.AsFloat(st.Value, output)};");
        }
        string value = expressions.Emit(Plan.Loss);
        Writer.Line($"__a.Loss[0] = {GpuExpressionEmitter.AsFloat(Plan.Loss, value)};");
        Writer.Close();
    }
}
