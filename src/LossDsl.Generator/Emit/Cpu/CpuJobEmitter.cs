using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// Prints a kernel's job class: a <c>ChunkJob</c> holding the kernel's pointers, extents, scalars and the results of
/// earlier passes, with one method per pass that runs the pass's loop over one chunk of its range at the SIMD width
/// of the call (a generic method instantiated for Vector512/256/128 and scalar code), and writes the chunk's partial
/// results to its own slots.
/// </summary>
internal sealed class CpuJobEmitter
{
    private readonly CpuKernelContext _kernel;

    public CpuJobEmitter(CpuKernelContext kernel) { _kernel = kernel; }

    private CodeWriter Writer => _kernel.Writer;
    private KernelPlan Plan => _kernel.Plan;
    private LossModel Model => _kernel.Model;
    private CpuNames Names => _kernel.Names;
    /// <summary>"float" or "double": the type the kernel computes Real values in.</summary>
    private string R => _kernel.Real.Name;

    private const string GenericConstraints = "where TS : struct, global::LossDsl.Internals.ISimdOps<TV> where TV : struct";

    public void Emit(string jobName)
    {
        Writer.Line($"/// <summary>The passes of <c>{jobName}</c>, run chunk by chunk by <c>LossParallel</c>. One instance per calling thread.</summary>");
        Writer.Open($"private sealed unsafe class {jobName} : global::LossDsl.Internals.ChunkJob");
        Writer.Line($"[global::System.ThreadStatic] private static {jobName}? t_cached;");
        Writer.Line($"public static {jobName} Rent() {{ var j = t_cached ?? new {jobName}(); t_cached = null; return j; }}");
        Writer.Line("public void Return() { ClearPointers(); t_cached = this; }");
        Writer.Line();
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null)) Writer.Line($"public {(t.IsInt ? "int" : R)}* {CpuNames.TensorPointer(t)};");
        foreach (var t in CpuKernelEmitter.GradientTensors(Plan)) Writer.Line($"public {R}* {CpuNames.GradientPointer(t)};");
        foreach (var o in Plan.Outputs) Writer.Line($"public {R}* {CpuNames.OutputPointer(o)};");
        foreach (var b in Plan.Buffers) Writer.Line($"public {R}* {CpuNames.BufferPointer(b.Buffer)};");
        foreach (var p in Plan.Panels) Writer.Line($"public float* {CpuNames.PanelPointer(p)};");
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Writer.Line($"public int {Names.Extent(e)};");
        foreach (var s in Model.Scalars) Writer.Line($"public {(s.IsInt ? "int" : R)} {Names.Scalar(s.Id)};");
        if (Plan.WithGradients) Writer.Line($"public {R} {Names.Scalar(Model.UpstreamParam)};");
        foreach (var r in Plan.Globals) Writer.Line($"public {R} {CpuNames.Global(r)};");
        Writer.Line("public int Width, Pass, ChunkSize, ChunkCount, Accumulators;");
        if (Plan.Passes.OfType<StripPassPlan>().Any())
        {
            // The strip pass being run: its scratch memory, the block and the phase.
            Writer.Line("public float* StripData;");
            Writer.Line("public global::LossDsl.Internals.OnlineSumExp.State[]? StripStates;");
            Writer.Line("public nint StripStatistics, StripRowBacks, StripWeights;");
            Writer.Line("public int StripTiles, StripSlots, StripRowBlock, Block, Phase;");
        }
        Writer.Line("public double[] Partials = new double[16];");
        Writer.Line();
        Writer.Open("public void Start(int pass, int chunkSize, int chunkCount, int accumulators)");
        Writer.Line("Pass = pass; ChunkSize = chunkSize; ChunkCount = chunkCount; Accumulators = accumulators;");
        // One partial per chunk and sum, counted in long: beyond an array is refused rather than wrapped.
        Writer.Line("long needed = (long)chunkCount * accumulators;");
        Writer.Line("if (needed > global::System.Array.MaxLength) throw new global::System.OutOfMemoryException($\"A pass of {chunkCount} chunks with {accumulators} sums each needs more partial sums than an array holds.\");");
        Writer.Line("if (Partials.Length < needed) Partials = new double[(int)global::System.Math.Min(global::System.Array.MaxLength, global::System.Math.Max(needed, 2L * Partials.Length))];");
        Writer.Close();
        Writer.Line();
        Writer.Open("private void ClearPointers()");
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null)) Writer.Line($"{CpuNames.TensorPointer(t)} = null;");
        foreach (var t in CpuKernelEmitter.GradientTensors(Plan)) Writer.Line($"{CpuNames.GradientPointer(t)} = null;");
        foreach (var o in Plan.Outputs) Writer.Line($"{CpuNames.OutputPointer(o)} = null;");
        foreach (var b in Plan.Buffers) Writer.Line($"{CpuNames.BufferPointer(b.Buffer)} = null;");
        foreach (var p in Plan.Panels) Writer.Line($"{CpuNames.PanelPointer(p)} = null;");
        Writer.Close();
        Writer.Line();
        Writer.Open("public override void Execute(int chunk)");
        Writer.Open("switch (Width)");
        Writer.Line("case 512: Run<global::LossDsl.Internals.Simd512, global::System.Runtime.Intrinsics.Vector512<float>>(chunk); break;");
        Writer.Line("case 256: Run<global::LossDsl.Internals.Simd256, global::System.Runtime.Intrinsics.Vector256<float>>(chunk); break;");
        Writer.Line("case 128: Run<global::LossDsl.Internals.Simd128, global::System.Runtime.Intrinsics.Vector128<float>>(chunk); break;");
        Writer.Line("default: Run<global::LossDsl.Internals.Scalar, float>(chunk); break;");
        Writer.Close();
        Writer.Close();
        Writer.Line();
        Writer.Open($"private void Run<TS, TV>(int chunk) {GenericConstraints}");
        Writer.Open("switch (Pass)");
        foreach (var pass in Plan.Passes) Writer.Line($"case {pass.Number}: Pass{pass.Number}<TS, TV>(chunk); break;");
        Writer.Close();
        Writer.Close();

        foreach (var pass in Plan.Passes)
        {
            Writer.Line();
            EmitPass(pass);
        }
        foreach (var strip in Plan.Passes.OfType<StripPassPlan>()) new CpuStripPassEmitter(_kernel, strip).EmitFinishMethods();
        Writer.Close();
    }

    private void EmitPass(PassPlan pass)
    {
        Writer.Line($"/// <summary>Pass {pass.Number}: {Xml.Escape(PlanPrinter.Describe(Model, pass))}.</summary>");
        Writer.Open($"private void Pass{pass.Number}<TS, TV>(int chunk) {GenericConstraints}");
        // The body first, then the locals it reads: a kernel of many passes and buffers (the stages of a repeat block)
        // would otherwise copy every field into every pass, a prologue as long as the kernel.
        var body = Writer.Fork();
        using (_kernel.Redirect(body))
        {
            switch (pass)
            {
                case LoopPassPlan loopPass: EmitLoopPass(loopPass); break;
                case PanelPassPlan panelPass: EmitPanelPass(panelPass); break;
                case PairPassPlan pairPass: new CpuPairPassEmitter(_kernel).Emit(pairPass); break;
                case StripPassPlan stripPass: new CpuStripPassEmitter(_kernel, stripPass).EmitSlot(); break;
                case RankSortPassPlan sortPass: EmitRankSortPass(sortPass); break;
            }
        }
        EmitPrologue(Identifiers(body.ToString()));
        Writer.Append(body);
        Writer.Close();
    }

    /// <summary>The identifiers in generated text.</summary>
    private static HashSet<string> Identifiers(string code)
    {
        var set = new HashSet<string>();
        for (int k = 0; k < code.Length; k++)
        {
            char c = code[k];
            if (!(char.IsLetter(c) || c == '_') || k > 0 && (char.IsLetterOrDigit(code[k - 1]) || code[k - 1] == '_')) continue;
            int end = k + 1;
            while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] == '_')) end++;
            set.Add(code.Substring(k, end - k));
            k = end - 1;
        }
        return set;
    }

    /// <summary>The job's fields that a pass's body uses (<paramref name="used"/>: its identifiers), as locals.</summary>
    private void EmitPrologue(HashSet<string> used)
    {
        void Local(string type, string name)
        {
            if (used.Contains(name)) Writer.Line($"{type} {name} = this.{name};");
        }
        foreach (var t in Model.Tensors.Where(t => t.Axes is not null)) Local($"{(t.IsInt ? "int" : R)}*", CpuNames.TensorPointer(t));
        foreach (var t in CpuKernelEmitter.GradientTensors(Plan)) Local($"{R}*", CpuNames.GradientPointer(t));
        foreach (var o in Plan.Outputs) Local($"{R}*", CpuNames.OutputPointer(o));
        foreach (var b in Plan.Buffers) Local($"{R}*", CpuNames.BufferPointer(b.Buffer));
        foreach (var p in Plan.Panels) Local("float*", CpuNames.PanelPointer(p));
        foreach (int e in CpuKernelEmitter.UsedExtents(Model)) Local("int", Names.Extent(e));
        foreach (var s in Model.Scalars) Local(s.IsInt ? "int" : R, Names.Scalar(s.Id));
        if (Plan.WithGradients) Local(R, Names.Scalar(Model.UpstreamParam));
        foreach (var r in Plan.Globals) Local(R, CpuNames.Global(r));
    }

    private void EmitLoopPass(LoopPassPlan pass)
    {
        var loop = pass.Loop;
        Writer.Line($"int lo = chunk * ChunkSize, hi = (int)global::System.Math.Min((long){Names.Extent(loop.Var.Extent)}, (long)lo + ChunkSize);");
        var scope = new Scope(null);
        foreach (var r in Plan.Globals) scope.Values[r] = CpuNames.Global(r);
        // The chunk's accumulators of the reductions the pass completes: one partial per chunk, in double.
        foreach (var r in loop.Completes) Writer.Line($"double {CpuNames.Accumulator(r)} = {CpuKernelContext.Identity(r, true)};");
        new CpuLoopEmitter(_kernel, loop.Completes).EmitLoop(loop, scope, "lo", "hi");
        for (int k = 0; k < loop.Completes.Count; k++)
            Writer.Line($"Partials[chunk * {loop.Completes.Count} + {k}] = {CpuNames.Accumulator(loop.Completes[k])};");
    }

    /// <summary>Sorts the elements of batch point <c>chunk</c> of a ranked sum and takes the prefix sums of their values.</summary>
    private void EmitRankSortPass(RankSortPassPlan pass)
    {
        var ranked = pass.Sum;
        string n = Names.Extent(ranked.Extent);
        Writer.Line($"nint b = (nint)chunk * {n};");
        string keys = ranked.Keys is { } k ? $"{CpuNames.BufferPointer(k)} + b" : $"({R}*)null";
        string indices = ranked.Indices is { } ix ? $"(int*)({CpuNames.BufferPointer(ix)} + b)" : "(int*)null";
        // The order and the keys of the earlier sum this one reuses; where this sum keeps its order for a later one.
        string shared = ranked.SharedOrder is { KeptOrder: { } so, Keys: { } sk }
            ? $"(int*)({CpuNames.BufferPointer(so)} + b), {CpuNames.BufferPointer(sk)} + b" : $"(int*)null, ({R}*)null";
        string kept = ranked.KeptOrder is { } ko ? $"(int*)({CpuNames.BufferPointer(ko)} + b)" : "(int*)null";
        Writer.Line($"global::LossDsl.Internals.RankedSums.SortAndScan<{R}>({keys}, {CpuNames.BufferPointer(ranked.Values)} + b, {indices}, {n}, {(int)ranked.Mode}, {shared}, {(int)ranked.SharedOrderFlags}, {kept}); // {ranked.Mode}"
            + (ranked.SharedOrder is { } s ? $", the order of ranked sum {s.Result.Id} ({ranked.SharedOrderFlags})" : ""));
    }

    /// <summary>Packs tile <c>chunk</c> of a column operand into its panel.</summary>
    private void EmitPanelPass(PanelPassPlan pass)
    {
        var panel = pass.Panel;
        string rows = Names.Extent(panel.Rows), depth = Names.Extent(panel.Depth);
        Writer.Line($"int row0 = chunk * {panel.Width}, count = (int)global::System.Math.Min({panel.Width}L, (long){rows} - row0);");
        Writer.Line($"global::LossDsl.Internals.TileProducts.PackPanel({CpuNames.OperandPointer(panel.Source)}, {depth}, row0, count, {depth}, {CpuNames.PanelPointer(panel)} + (nint)row0 * {depth}, {panel.Width});");
    }
}
