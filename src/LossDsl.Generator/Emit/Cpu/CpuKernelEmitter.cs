using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// The CPU emitter: prints a <see cref="KernelPlan"/> as a static method (this class: shapes, scratch buffers, pinning,
/// the passes and the loss) and its job class (<see cref="CpuJobEmitter"/>). Each pass runs its loop over chunks on
/// <c>ChunkRunner</c> (capped by <c>LossParallel.MaxDegreeOfParallelism</c>); chunks write partial results that the
/// method combines in chunk order, so results do not depend on the number of threads.
/// </summary>
internal sealed class CpuKernelEmitter
{
    private readonly CpuKernelContext _kernel;

    /// <summary>The kernels' parameter for the upstream gradient (a reserved name: the user's parameters are beside it).</summary>
    public const string UpstreamParameter = "__upstreamGradient";

    private CpuKernelEmitter(CpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private KernelPlan Plan => _kernel.Plan;
    private LossModel Model => _kernel.Model;
    private CpuNames Names => _kernel.Names;

    /// <summary>
    /// Writes the static method <paramref name="methodName"/> (taking <paramref name="parameters"/>, which end with the
    /// upstream gradient scale when the plan writes gradients) and its job class <paramref name="jobName"/>.
    /// </summary>
    public static void Emit(CodeWriter writer, KernelPlan plan, string methodName, string jobName, IReadOnlyList<(string Name, string Type)> parameters)
    {
        var kernel = new CpuKernelContext(plan, writer);
        new CpuKernelEmitter(kernel).EmitEntry(methodName, jobName, parameters);
        new CpuJobEmitter(kernel).Emit(jobName);
    }

    /// <summary>The extents the kernel's loops and tensors use.</summary>
    internal static IEnumerable<int> UsedExtents(LossModel model)
    {
        var set = new SortedSet<int>();
        foreach (var t in model.Tensors) if (t.Axes is not null) foreach (var a in t.Axes) set.Add(a);
        foreach (var st in model.ExtentPlan) if (st.Extent >= 0) set.Add(st.Extent);
        return set;
    }

    /// <summary>The tensors with gradient outputs that the kernel writes.</summary>
    internal static IEnumerable<TensorInfo> GradientTensors(KernelPlan plan) =>
        plan.WithGradients ? plan.Model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null) : Enumerable.Empty<TensorInfo>();

    private void EmitEntry(string methodName, string jobName, IReadOnlyList<(string Name, string Type)> parameters)
    {
        var signature = string.Join(", ", parameters.Select(p => p.Type + " " + Generator.Model.GeneratedNames.Id(p.Name)));
        string real = _kernel.Real.Name;
        Writer.Open($"public static {real} {methodName}({signature})");

        // 1. Shapes.
        var host = new HostTensorEmitter(Model, Plan.WithGradients);
        host.EmitViews(Writer);
        ShapeCheckEmitter.Emit(Writer, Model, Names.Extent, Plan.WithGradients, Plan.Outputs);
        foreach (var s in Model.Scalars) Writer.Line($"{(s.IsInt ? "int" : real)} {Names.Scalar(s.Id)} = {(s.IsInt ? "" : $"({real})")}{Generator.Model.GeneratedNames.Id(s.Name)};");
        if (Plan.WithGradients) Writer.Line($"{real} {Names.Scalar(Model.UpstreamParam)} = {UpstreamParameter};");
        Writer.Line();

        // 2. Scratch buffers.
        var rented = Plan.Buffers.Where(b => b.Space == MemorySpace.Global).ToList();
        foreach (var b in Plan.Buffers)
        {
            string what = $"{Model.Print(b.Buffer.Value, LossModel.CommentLength)} for every {string.Join(", ", b.Axes.Select(a => a.Name))}";
            if (b.Space == MemorySpace.GradientOutput)
            {
                Writer.Line($"// Scratch buffer {b.Id}, in the gradient output '{b.Home!.Gradient!.Name}' (its only reader is that gradient's store, at the same position): {what}.");
                continue;
            }
            // The size in long (saturated, ShapeCheckEmitter.Product): more than an array holds is refused before any rent.
            string size = ShapeCheckEmitter.Product(b.Axes.Select(a => Names.Extent(a.Extent)).ToList());
            Writer.Line($"// Scratch buffer {b.Id}: {what}.");
            if (b.Axes.Length > 1)
                Writer.Line($"if ({size} > global::System.Array.MaxLength) throw new global::System.OutOfMemoryException($\"Scratch buffer {b.Id} [{string.Join(", ", b.Axes.Select(a => $"{{{Names.Extent(a.Extent)}}}"))}] of this loss would hold more values than an array can ({{(global::System.Array.MaxLength)}}).\");");
            Writer.Line($"{real}[] {CpuNames.BufferArray(b.Buffer)} = global::LossDsl.Internals.ScratchPool.Rent<{real}>((int)global::System.Math.Max(1L, {size}));");
        }
        // 3. Panels: the column operands of the pair passes, packed for the tile products.
        foreach (var p in Plan.Panels)
        {
            string rows = Names.Extent(p.Rows), depth = Names.Extent(p.Depth);
            Writer.Line($"// Panel {p.Id}: the rows of {PlanPrinter.Source(p.Source)}, packed in tiles of {p.Width} (strips of 16 rows, depth-major).");
            Writer.Line($"long {CpuNames.PanelArray(p)}_size = global::System.Math.Max(1L, ((long){rows} + {p.Width - 1}) / {p.Width} * {p.Width} * (long){depth});");
            Writer.Line($"if ({CpuNames.PanelArray(p)}_size > global::System.Array.MaxLength) throw new global::System.OutOfMemoryException($\"The operand {PlanPrinter.Source(p.Source)} [{{{rows}}}, {{{depth}}}] is too large to pack: its panel would hold more values than an array can ({{(global::System.Array.MaxLength)}}).\");");
            Writer.Line($"float[] {CpuNames.PanelArray(p)} = global::LossDsl.Internals.ScratchPool.Rent<float>((int){CpuNames.PanelArray(p)}_size);");
        }
        host.EmitRents(Writer);
        bool rents = rented.Count + Plan.Panels.Count > 0 || host.RentsBuffers;
        if (rents) Writer.Open("try");
        host.EmitConversions(Writer);

        // 3. Pin the spans and run the passes.
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null))
            Writer.Line($"fixed ({host.KernelElement(t.Parameter)}* {CpuNames.TensorPointer(t)} = {host.Memory(t.Parameter)})");
        foreach (var t in GradientTensors(Plan))
            Writer.Line($"fixed ({real}* {CpuNames.GradientPointer(t)} = {host.Memory(t.Gradient!)})");
        foreach (var o in Plan.Outputs) Writer.Line($"fixed ({real}* {CpuNames.OutputPointer(o)} = {host.Memory(o.Parameter)})");
        foreach (var b in rented) Writer.Line($"fixed ({real}* {CpuNames.BufferPointer(b.Buffer)} = {CpuNames.BufferArray(b.Buffer)})");
        foreach (var p in Plan.Panels) Writer.Line($"fixed (float* {CpuNames.PanelPointer(p)} = {CpuNames.PanelArray(p)})");
        Writer.Open("");
        foreach (var b in Plan.Buffers.Where(b => b.Space == MemorySpace.GradientOutput))
            Writer.Line($"{real}* {CpuNames.BufferPointer(b.Buffer)} = {CpuNames.GradientPointer(b.Home!)};");
        Writer.Line($"var __job = {jobName}.Rent();");
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null)) Writer.Line($"__job.{CpuNames.TensorPointer(t)} = {CpuNames.TensorPointer(t)};");
        foreach (var t in GradientTensors(Plan)) Writer.Line($"__job.{CpuNames.GradientPointer(t)} = {CpuNames.GradientPointer(t)};");
        foreach (var o in Plan.Outputs) Writer.Line($"__job.{CpuNames.OutputPointer(o)} = {CpuNames.OutputPointer(o)};");
        foreach (var b in Plan.Buffers) Writer.Line($"__job.{CpuNames.BufferPointer(b.Buffer)} = {CpuNames.BufferPointer(b.Buffer)};");
        foreach (var p in Plan.Panels) Writer.Line($"__job.{CpuNames.PanelPointer(p)} = {CpuNames.PanelPointer(p)};");
        foreach (int e in UsedExtents(Model)) Writer.Line($"__job.{Names.Extent(e)} = {Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"__job.{Names.Scalar(s.Id)} = {Names.Scalar(s.Id)};");
        if (Plan.WithGradients) Writer.Line($"__job.{Names.Scalar(Model.UpstreamParam)} = {Names.Scalar(Model.UpstreamParam)};");
        Writer.Line("__job.Width = global::LossDsl.Simd.SimdDispatch.PreferredWidth;");
        Writer.Open("try");
        foreach (var pass in Plan.Passes) EmitPass(pass);
        // The outputs of one value, then the gradients and outputs computed in buffers to their spans; then the loss.
        var epilogue = new CpuExpressionEmitter(_kernel, vector: false, scope: new Scope(null)) { GlobalsAsLocals = true };
        foreach (var st in Plan.ScalarOutputs)
        {
            Writer.Line($"// The output {st.Target.OutputOf!.Name}: {Model.Print(st.Value, LossModel.CommentLength)}");
            Writer.Line($"{CpuNames.OutputPointer(st.Target.OutputOf)}[0] = ({real})({epilogue.Emit(st.Value)});");
        }
        host.EmitWrites(Writer);
        Writer.Line();
        Writer.Line($"// The loss: {Model.Print(Plan.Loss, LossModel.CommentLength)}");
        Writer.Line($"return ({real})({epilogue.Emit(Plan.Loss)});");
        Writer.Close();
        Writer.Open("finally");
        Writer.Line("__job.Return();");
        Writer.Close();
        Writer.Close(); // fixed block
        if (rents)
        {
            Writer.Close();
            Writer.Open("finally");
            host.EmitReturns(Writer);
            foreach (var b in rented) Writer.Line($"global::LossDsl.Internals.ScratchPool.Return<{real}>({CpuNames.BufferArray(b.Buffer)});");
            foreach (var p in Plan.Panels) Writer.Line($"global::LossDsl.Internals.ScratchPool.Return<float>({CpuNames.PanelArray(p)});");
            Writer.Close();
        }
        Writer.Close();
        Writer.Line();
    }

    /// <summary>Runs a pass over its chunks, then combines each reduction it completes from the partials, in chunk order.</summary>
    private void EmitPass(PassPlan pass)
    {
        int k = pass.Number;
        if (k > 1) Writer.Line();
        Writer.Line($"// Pass {k}: {PlanPrinter.Describe(Model, pass)}");
        switch (pass)
        {
            case PanelPassPlan panelPass:
            {
                var panel = panelPass.Panel;
                Writer.Line($"int __chunks{k} = (int)(((long){Names.Extent(panel.Rows)} + {panel.Width - 1}) / {panel.Width});");
                Writer.Line($"__job.Start({k}, {panel.Width}, __chunks{k}, 0);");
                Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __chunks{k});");
                return;
            }
            case StripPassPlan stripPass:
                new CpuStripPassEmitter(_kernel, stripPass).EmitEntry();
                return;
            case PairPassPlan pairPass:
                Writer.Line($"int __chunks{k} = (int)(((long){Names.Extent(pairPass.Pass.Row.Extent)} + {pairPass.RowBlock - 1}) / {pairPass.RowBlock});");
                Writer.Line($"__job.Start({k}, {pairPass.RowBlock}, __chunks{k}, 0);");
                Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __chunks{k});");
                return;
            case RankSortPassPlan sortPass:
            {
                // One chunk per batch point (with elements, the buffers' size was checked against an array's, so the
                // count fits an int; without, there is nothing to sort).
                string points = ShapeCheckEmitter.Product(sortPass.Sum.Batch.Select(v => Names.Extent(v.Extent)).ToList());
                Writer.Line($"int __chunks{k} = {Names.Extent(sortPass.Sum.Extent)} == 0 ? 0 : (int){points};");
                Writer.Line($"__job.Start({k}, 1, __chunks{k}, 0);");
                Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __chunks{k});");
                return;
            }
        }
        var loopPass = (LoopPassPlan)pass;
        var loop = loopPass.Loop;
        string work = ShapeCheckEmitter.Product(loopPass.WorkExtents.Select(Names.Extent).ToList());
        if (loopPass.OneChunk)
        {
            // A scatter into shared elements: the whole range in one chunk, in order.
            Writer.Line($"int __chunkSize{k} = global::System.Math.Max(1, {Names.Extent(loop.Var.Extent)});");
        }
        else
        {
            Writer.Line($"long __work{k} = {work};");
            Writer.Line($"int __chunkSize{k} = (int)global::System.Math.Max(1L, {loopPass.ChunkWork}L / global::System.Math.Max(1L, __work{k}));");
        }
        if (loopPass.ChunkAlignment > 1)
            Writer.Line($"__chunkSize{k} = (__chunkSize{k} + {loopPass.ChunkAlignment - 1}) & ~{loopPass.ChunkAlignment - 1};");
        Writer.Line($"int __chunks{k} = (int)(((long){Names.Extent(loop.Var.Extent)} + __chunkSize{k} - 1) / __chunkSize{k});");
        Writer.Line($"__job.Start({k}, __chunkSize{k}, __chunks{k}, {loop.Completes.Count});");
        Writer.Line($"global::LossDsl.Internals.ChunkRunner.Run(__job, __chunks{k});");
        for (int j = 0; j < loop.Completes.Count; j++)
        {
            var r = loop.Completes[j];
            string global = CpuNames.Global(r);
            string partial = $"__job.Partials[__c * {loop.Completes.Count} + {j}]";
            string combine = r.ReduceKind switch
            {
                ReduceKind.Sum => $"{global} += {partial};",
                ReduceKind.Max => $"{global} = global::System.Math.Max({global}, {partial});",
                _ => $"{global} = global::System.Math.Min({global}, {partial});",
            };
            Writer.Line($"double {global} = {CpuKernelContext.Identity(r, true)}; // {Model.Print(r, LossModel.CommentLength)}");
            Writer.Line($"for (int __c = 0; __c < __chunks{k}; __c++) {combine}");
            Writer.Line($"__job.{global} = ({_kernel.Real.Name}){global};");
        }
    }
}
