using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Ir;
using LossDsl.Language.Scheduling;

namespace LossDsl.Generator.Emit;

/// <summary>
/// The CPU emitter: prints a <see cref="LoopProgram"/> as C#. Each top-level loop (a pass) becomes a method of a
/// <c>ChunkJob</c> that runs over a chunk of the loop's range; chunks run on <c>LossParallel</c> and write per-chunk
/// partial results that the caller adds in chunk order, so results do not depend on the thread count. Innermost loops
/// whose accesses are contiguous are vectorized with the generic <c>ISimdOps</c> operations (instantiated for
/// Vector512/256/128), unrolled twice with two accumulators, and finished by a scalar tail.
/// </summary>
internal sealed class CpuEmitter
{
    private readonly LossModel _model;
    private readonly LoopProgram _program;
    private readonly CodeWriter _w;
    /// <summary>Reductions completed by a pass: the entry combines their partials and passes them on in job fields.</summary>
    private readonly List<Node> _globals = new();
    private int _tempCounter;

    /// <summary>Chunk size, in innermost iterations, of a parallel pass. Fixed, so chunking never depends on threads.</summary>
    public const int ChunkWork = 16384;

    /// <summary>Powers (<see cref="Op.PowFromLog"/>) whose log|x| no other value of the program uses; see <see cref="PowersOwningTheirLog"/>.</summary>
    private readonly HashSet<Node> _powersOwningTheirLog;

    private CpuEmitter(LossModel model, LoopProgram program, CodeWriter writer)
    {
        _model = model; _program = program; _w = writer;
        _powersOwningTheirLog = PowersOwningTheirLog(program);
    }

    /// <summary>
    /// The powers x^y = PowFromLog(x, y, log|x|) whose logarithm has no other consumer in the program. They are printed
    /// as <c>PowUniform</c> / <c>Pow</c>, which compute log|x| themselves, so that a small integral exponent known only at
    /// run time (a focal loss's gamma = 2) costs a few multiplications and no logarithm. A logarithm that other values
    /// share (x^a and log x in one loss) stays a value of its own, computed once.
    /// </summary>
    private static HashSet<Node> PowersOwningTheirLog(LoopProgram program)
    {
        var consumers = new Dictionary<Node, int>();
        var seen = new HashSet<Node>();
        var powers = new List<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (n.Op == Op.PowFromLog) powers.Add(n);
            foreach (var a in n.Args)
            {
                consumers[a] = consumers.TryGetValue(a, out int c) ? c + 1 : 1;
                Visit(a);
            }
        }
        void VisitStmt(Stmt s)
        {
            switch (s)
            {
                case LoopStmt l: foreach (var b in l.Body) VisitStmt(b); break;
                case AccumulateStmt a: Visit(a.Reduce); Visit(a.Body); break;
                case OnlineSumExpStmt o: Visit(o.Max); Visit(o.Sum); Visit(o.Value); Visit(o.Shift); break;
                case StoreStmt st: Visit(st.Value); break;
            }
        }
        foreach (var p in program.Passes) VisitStmt(p);
        foreach (var b in program.Buffers) Visit(b.Reduce);
        Visit(program.Loss);
        return new HashSet<Node>(powers.Where(p => consumers[p.Args[2]] == 1));
    }

    /// <summary>
    /// Writes a static method <paramref name="methodName"/> (taking the loss parameters plus, when
    /// <paramref name="withGradients"/>, an upstream gradient scale) and its job class.
    /// </summary>
    public static void EmitKernel(CodeWriter w, LossModel model, LoopProgram program, string methodName, string jobName,
        IReadOnlyList<(string Name, string Type)> parameters, bool withGradients)
    {
        var e = new CpuEmitter(model, program, w);
        e.EmitEntry(methodName, jobName, parameters, withGradients);
        e.EmitJob(jobName, withGradients);
    }

    // ---- Names ---------------------------------------------------------------------------------------------------

    private string TensorPtr(TensorInfo t) => "p_" + t.Name;
    private string GradPtr(TensorInfo t) => "p_" + t.Gradient!.Name;
    private string ExtentName(int e) => "N_" + Sanitize(_model.Extents[e].Name);
    private string ScalarName(int id) => id == _model.UpstreamParam ? "s_upstream" : "s_" + _model.Scalars[id].Name;
    private static string Sanitize(string s) => new string(s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
    private static string VarName(IndexVar v) => Sanitize(v.Name) + "_" + v.Id;
    private static string BufferPtr(ScratchBuffer b) => "p_buf" + b.Id;
    private static string GlobalName(Node r) => "_g" + r.Id;

    private IEnumerable<int> UsedExtents()
    {
        var set = new SortedSet<int>();
        foreach (var t in _model.Tensors) if (t.Axes is not null) foreach (var a in t.Axes) set.Add(a);
        foreach (var st in _model.ExtentPlan) if (st.Extent >= 0) set.Add(st.Extent);
        return set;
    }

    // ---- Entry method ----------------------------------------------------------------------------------------------

    private void EmitEntry(string methodName, string jobName, IReadOnlyList<(string Name, string Type)> parameters, bool withGradients)
    {
        var sig = string.Join(", ", parameters.Select(p => p.Type + " " + p.Name));
        _w.Open($"public static float {methodName}({sig})");

        // 1. Shapes.
        _w.Line("// Shapes: every extent from a tensor length or an int parameter; every length is checked.");
        foreach (var step in _model.ExtentPlan)
        {
            if (step.Scalar >= 0)
            {
                var s = _model.Scalars[step.Scalar];
                _w.Line($"if ({s.Name} < 0) throw new global::System.ArgumentOutOfRangeException(nameof({s.Name}), {s.Name}, \"An extent must not be negative.\");");
                _w.Line($"int {ExtentName(step.Extent)} = {s.Name};");
            }
            else if (step.Extent >= 0)
            {
                var t = _model.Tensors[step.Tensor];
                var others = t.Axes!.Where(a => a != step.Extent).Select(ExtentName).ToList();
                if (others.Count == 0)
                {
                    _w.Line($"int {ExtentName(step.Extent)} = {t.Name}.Length;");
                }
                else
                {
                    string prod = string.Join(" * ", others.Select(o => "(long)" + o));
                    _w.Line($"long {ExtentName(step.Extent)}_rest = {prod};");
                    _w.Line($"if ({ExtentName(step.Extent)}_rest == 0 ? {t.Name}.Length != 0 : {t.Name}.Length % {ExtentName(step.Extent)}_rest != 0)");
                    _w.Line($"    throw new global::System.ArgumentException($\"The length of '{t.Name}' ({{{t.Name}.Length}}) must be a multiple of {ShapeText(t, step.Extent)} = {{{ExtentName(step.Extent)}_rest}}.\", nameof({t.Name}));");
                    _w.Line($"int {ExtentName(step.Extent)} = {ExtentName(step.Extent)}_rest == 0 ? 0 : (int)({t.Name}.Length / {ExtentName(step.Extent)}_rest);");
                }
            }
            else
            {
                var t = _model.Tensors[step.Tensor];
                string prod = string.Join(" * ", t.Axes!.Select(a => "(long)" + ExtentName(a)));
                _w.Line($"if ({t.Name}.Length != {prod})");
                _w.Line($"    throw new global::System.ArgumentException($\"'{t.Name}' has length {{{t.Name}.Length}} but its shape [{string.Join(", ", t.Axes!.Select(a => _model.Extents[a].Name))}] needs {{{prod}}} elements.\", nameof({t.Name}));");
            }
        }
        if (withGradients)
        {
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null))
            {
                _w.Line($"if ({t.Gradient!.Name}.Length != {t.Name}.Length)");
                _w.Line($"    throw new global::System.ArgumentException($\"The gradient '{t.Gradient.Name}' has length {{{t.Gradient.Name}.Length}} but '{t.Name}' has length {{{t.Name}.Length}}.\", nameof({t.Gradient.Name}));");
            }
        }
        foreach (var s in _model.Scalars) _w.Line($"{(s.IsInt ? "int" : "float")} {ScalarName(s.Id)} = {(s.IsInt ? "" : "(float)")}{s.Name};");
        if (withGradients) _w.Line($"float {ScalarName(_model.UpstreamParam)} = upstreamGradient;");
        _w.Line();

        // 2. Scratch buffers.
        foreach (var b in _program.Buffers)
        {
            string size = string.Join(" * ", b.Axes.Select(a => "(long)" + ExtentName(a.Extent)));
            _w.Line($"// Scratch buffer {b.Id}: {_model.Print(b.Reduce)} for every {string.Join(", ", b.Axes.Select(a => a.Name))}.");
            _w.Line($"float[] _buf{b.Id} = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)global::System.Math.Max(1L, {size}));");
        }
        if (_program.Buffers.Count > 0) _w.Open("try");

        // 3. Pin and run the passes.
        var pinned = new List<string>();
        foreach (var t in _model.Tensors.Where(t => t.Axes is not null))
            pinned.Add($"fixed ({(t.IsInt ? "int" : "float")}* {TensorPtr(t)} = {t.Name})");
        if (withGradients)
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null))
                pinned.Add($"fixed (float* {GradPtr(t)} = {t.Gradient!.Name})");
        foreach (var b in _program.Buffers) pinned.Add($"fixed (float* {BufferPtr(b)} = _buf{b.Id})");
        foreach (var p in pinned) _w.Line(p);
        _w.Open("");
        _w.Line($"var __job = {jobName}.Rent();");
        foreach (var t in _model.Tensors.Where(t => t.Axes is not null)) _w.Line($"__job.{TensorPtr(t)} = {TensorPtr(t)};");
        if (withGradients)
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null)) _w.Line($"__job.{GradPtr(t)} = {GradPtr(t)};");
        foreach (var b in _program.Buffers) _w.Line($"__job.{BufferPtr(b)} = {BufferPtr(b)};");
        foreach (int e in UsedExtents()) _w.Line($"__job.{ExtentName(e)} = {ExtentName(e)};");
        foreach (var s in _model.Scalars) _w.Line($"__job.{ScalarName(s.Id)} = {ScalarName(s.Id)};");
        if (withGradients) _w.Line($"__job.{ScalarName(_model.UpstreamParam)} = {ScalarName(_model.UpstreamParam)};");
        _w.Line("__job.Width = global::LossDsl.Simd.SimdDispatch.PreferredWidth;");
        _w.Open("try");
        int passNumber = 0;
        foreach (var stmt in _program.Passes)
        {
            var loop = (LoopStmt)stmt;
            passNumber++;
            if (passNumber > 1) _w.Line();
            _w.Line($"// Pass {passNumber}: {Describe(loop)}");
            _w.Line($"long __work{passNumber} = {InnerWork(loop)};");
            _w.Line($"int __chunkSize{passNumber} = (int)global::System.Math.Max(1L, {ChunkWork}L / global::System.Math.Max(1L, __work{passNumber}));");
            if (IsVectorizable(loop)) _w.Line($"__chunkSize{passNumber} = (__chunkSize{passNumber} + 63) & ~63;");
            _w.Line($"int __chunks{passNumber} = (int)(((long){ExtentName(loop.Var.Extent)} + __chunkSize{passNumber} - 1) / __chunkSize{passNumber});");
            _w.Line($"__job.Start({passNumber}, __chunkSize{passNumber}, __chunks{passNumber}, {loop.Completes.Count});");
            _w.Line($"global::LossDsl.Threading.LossParallel.Run(__job, __chunks{passNumber});");
            for (int k = 0; k < loop.Completes.Count; k++)
            {
                var r = loop.Completes[k];
                string partial = $"__job.Partials[__c * {loop.Completes.Count} + {k}]";
                string add = r.ReduceKind switch
                {
                    ReduceKind.Sum => $"{GlobalName(r)} += {partial};",
                    ReduceKind.Max => $"{GlobalName(r)} = global::System.Math.Max({GlobalName(r)}, {partial});",
                    _ => $"{GlobalName(r)} = global::System.Math.Min({GlobalName(r)}, {partial});",
                };
                _w.Line($"double {GlobalName(r)} = {Identity(r, true)}; // {_model.Print(r)}");
                _w.Line($"for (int __c = 0; __c < __chunks{passNumber}; __c++) {add}");
                _w.Line($"__job.{GlobalName(r)} = (float){GlobalName(r)};");
                _globals.Add(r);
            }
        }
        _w.Line();
        _w.Line($"// The loss: {_model.Print(_program.Loss)}");
        var epilogue = new ExprWriter(this, vector: false, scope: new Scope(null));
        epilogue.GlobalsAsLocals = true;
        _w.Line($"return (float)({epilogue.Emit(_program.Loss, _w)});");
        _w.Close();
        _w.Open("finally");
        _w.Line("__job.Return();");
        _w.Close();
        _w.Close(); // fixed block
        if (_program.Buffers.Count > 0)
        {
            _w.Close();
            _w.Open("finally");
            foreach (var b in _program.Buffers) _w.Line($"global::System.Buffers.ArrayPool<float>.Shared.Return(_buf{b.Id});");
            _w.Close();
        }
        _w.Close();
        _w.Line();
    }

    private string ShapeText(TensorInfo t, int unknown) =>
        string.Join(" * ", t.Axes!.Where(a => a != unknown).Select(a => _model.Extents[a].Name));

    private string Describe(LoopStmt loop)
    {
        var what = loop.Purpose.Count > 0 ? string.Join(", ", loop.Purpose) : "values";
        return $"for {loop.Var.Name} < {_model.Extents[loop.Var.Extent].Name}: {what}";
    }

    /// <summary>Work per iteration of a top-level loop: the product of nested loop extents along the first deepest path (at least 1).</summary>
    private string InnerWork(LoopStmt loop)
    {
        string best = "1L";
        int bestDepth = 0;
        void Walk(LoopStmt l, List<string> path)
        {
            bool leaf = true;
            foreach (var s in l.Body.OfType<LoopStmt>())
            {
                leaf = false;
                path.Add("(long)" + ExtentName(s.Var.Extent));
                Walk(s, path);
                path.RemoveAt(path.Count - 1);
            }
            if (leaf && path.Count > bestDepth) { bestDepth = path.Count; best = string.Join(" * ", path); }
        }
        Walk(loop, new List<string>());
        return best;
    }

    // ---- Job class -------------------------------------------------------------------------------------------------

    private void EmitJob(string jobName, bool withGradients)
    {
        _w.Line($"/// <summary>The passes of <c>{jobName}</c>, run chunk by chunk by <c>LossParallel</c>. One instance per calling thread.</summary>");
        _w.Open($"private sealed unsafe class {jobName} : global::LossDsl.Threading.ChunkJob");
        _w.Line($"[global::System.ThreadStatic] private static {jobName}? t_cached;");
        _w.Line($"public static {jobName} Rent() {{ var j = t_cached ?? new {jobName}(); t_cached = null; return j; }}");
        _w.Line("public void Return() { ClearPointers(); t_cached = this; }");
        _w.Line();
        foreach (var t in _model.Tensors.Where(t => t.Axes is not null)) _w.Line($"public {(t.IsInt ? "int" : "float")}* {TensorPtr(t)};");
        if (withGradients)
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null)) _w.Line($"public float* {GradPtr(t)};");
        foreach (var b in _program.Buffers) _w.Line($"public float* {BufferPtr(b)};");
        foreach (int e in UsedExtents()) _w.Line($"public int {ExtentName(e)};");
        foreach (var s in _model.Scalars) _w.Line($"public {(s.IsInt ? "int" : "float")} {ScalarName(s.Id)};");
        if (withGradients) _w.Line($"public float {ScalarName(_model.UpstreamParam)};");
        foreach (var loop in _program.Passes.OfType<LoopStmt>())
            foreach (var r in loop.Completes) _w.Line($"public float {GlobalName(r)};");
        _w.Line("public int Width, Pass, ChunkSize, ChunkCount, Accumulators;");
        _w.Line("public double[] Partials = new double[16];");
        _w.Line();
        _w.Open("public void Start(int pass, int chunkSize, int chunkCount, int accumulators)");
        _w.Line("Pass = pass; ChunkSize = chunkSize; ChunkCount = chunkCount; Accumulators = accumulators;");
        _w.Line("int needed = chunkCount * accumulators;");
        _w.Line("if (Partials.Length < needed) Partials = new double[global::System.Math.Max(needed, Partials.Length * 2)];");
        _w.Close();
        _w.Line();
        _w.Open("private void ClearPointers()");
        foreach (var t in _model.Tensors.Where(t => t.Axes is not null)) _w.Line($"{TensorPtr(t)} = null;");
        if (withGradients)
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null)) _w.Line($"{GradPtr(t)} = null;");
        foreach (var b in _program.Buffers) _w.Line($"{BufferPtr(b)} = null;");
        _w.Close();
        _w.Line();
        _w.Open("public override void Execute(int chunk)");
        _w.Open("switch (Width)");
        _w.Line("case 512: Run<global::LossDsl.Simd.Simd512, global::System.Runtime.Intrinsics.Vector512<float>>(chunk); break;");
        _w.Line("case 256: Run<global::LossDsl.Simd.Simd256, global::System.Runtime.Intrinsics.Vector256<float>>(chunk); break;");
        _w.Line("case 128: Run<global::LossDsl.Simd.Simd128, global::System.Runtime.Intrinsics.Vector128<float>>(chunk); break;");
        _w.Line("default: Run<global::LossDsl.Simd.Scalar, float>(chunk); break;");
        _w.Close();
        _w.Close();
        _w.Line();
        _w.Open("private void Run<TS, TV>(int chunk) where TS : struct, global::LossDsl.Simd.ISimdOps<TV> where TV : struct");
        _w.Open("switch (Pass)");
        for (int p = 1; p <= _program.Passes.Count; p++) _w.Line($"case {p}: Pass{p}<TS, TV>(chunk); break;");
        _w.Close();
        _w.Close();

        int number = 0;
        foreach (var loop in _program.Passes.OfType<LoopStmt>())
        {
            number++;
            _w.Line();
            _w.Line($"/// <summary>Pass {number}: {Escape(Describe(loop))}.</summary>");
            _w.Open($"private void Pass{number}<TS, TV>(int chunk) where TS : struct, global::LossDsl.Simd.ISimdOps<TV> where TV : struct");
            EmitPassPrologue(withGradients);
            _w.Line($"int lo = chunk * ChunkSize, hi = (int)global::System.Math.Min((long){ExtentName(loop.Var.Extent)}, (long)lo + ChunkSize);");
            var scope = new Scope(null);
            foreach (var r in _globals) scope.Values[r] = GlobalName(r);
            // Accumulators of this pass, one partial per chunk.
            foreach (var r in loop.Completes) _w.Line($"double {AccumulatorName(r)} = {Identity(r, true)};");
            EmitLoop(loop, scope, "lo", "hi", topLevel: true);
            for (int k = 0; k < loop.Completes.Count; k++)
                _w.Line($"Partials[chunk * {loop.Completes.Count} + {k}] = {AccumulatorName(loop.Completes[k])};");
            _w.Close();
        }
        _w.Close();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private void EmitPassPrologue(bool withGradients)
    {
        foreach (var t in _model.Tensors.Where(t => t.Axes is not null)) _w.Line($"{(t.IsInt ? "int" : "float")}* {TensorPtr(t)} = this.{TensorPtr(t)};");
        if (withGradients)
            foreach (var t in _model.Tensors.Where(t => t.Gradient is not null && t.Axes is not null)) _w.Line($"float* {GradPtr(t)} = this.{GradPtr(t)};");
        foreach (var b in _program.Buffers) _w.Line($"float* {BufferPtr(b)} = this.{BufferPtr(b)};");
        foreach (int e in UsedExtents()) _w.Line($"int {ExtentName(e)} = this.{ExtentName(e)};");
        foreach (var s in _model.Scalars) _w.Line($"{(s.IsInt ? "int" : "float")} {ScalarName(s.Id)} = this.{ScalarName(s.Id)};");
        if (withGradients) _w.Line($"float {ScalarName(_model.UpstreamParam)} = this.{ScalarName(_model.UpstreamParam)};");
        foreach (var r in _globals) _w.Line($"float {GlobalName(r)} = this.{GlobalName(r)};");
    }

    private static string Identity(Node r, bool asDouble) => r.ReduceKind switch
    {
        ReduceKind.Sum => asDouble ? "0.0" : "0f",
        ReduceKind.Max => asDouble ? "double.NegativeInfinity" : "float.NegativeInfinity",
        _ => asDouble ? "double.PositiveInfinity" : "float.PositiveInfinity",
    };

    // ---- Loops -----------------------------------------------------------------------------------------------------

    /// <summary>Reductions completed by a pass loop: their per-chunk accumulators are doubles.</summary>
    private readonly HashSet<Node> _doubleAccumulators = new();

    /// <summary>The accumulator of a reduction, declared by the loop that completes it.</summary>
    private static string AccumulatorName(Node r) => "acc" + r.Id;
    /// <summary>The running (max, sum) pair of an online sum of exponentials (see <see cref="EmitOnlineOrTwoSweeps"/>).</summary>
    private static string OnlineStateName(OnlineSumExpStmt o) => "online" + o.Max.Id;

    /// <summary>Writes <c>acc op= value</c> for reduction <paramref name="r"/> (sum, max or min; double for pass-level accumulators).</summary>
    private void AccumulateInto(Node r, string value)
    {
        string target = AccumulatorName(r);
        bool dbl = _doubleAccumulators.Contains(r);
        if (dbl) value = "(double)" + value;
        string math = dbl ? "global::System.Math" : "global::LossDsl.Simd.Scalar";
        _w.Line(r.ReduceKind switch
        {
            ReduceKind.Sum => $"{target} += {value};",
            ReduceKind.Max => $"{target} = {math}.Max({target}, {value});",
            _ => $"{target} = {math}.Min({target}, {value});",
        });
    }

    private void EmitBlock(List<Stmt> body, Scope scope)
    {
        foreach (var s in body)
        {
            switch (s)
            {
                case LoopStmt loop:
                    foreach (var r in loop.Completes)
                    {
                        _w.Line($"float {AccumulatorName(r)} = {Identity(r, false)}; // {_model.Print(r)}");
                    }
                    if (loop.Body.Any(b => b is OnlineSumExpStmt)) EmitOnlineOrTwoSweeps(loop, scope);
                    else EmitLoop(loop, scope, "0", ExtentName(loop.Var.Extent), topLevel: false);
                    foreach (var r in loop.Completes)
                    {
                        scope.Values[r] = AccumulatorName(r);
                    }
                    break;
                case AccumulateStmt acc:
                {
                    var ew = new ExprWriter(this, vector: false, scope: scope);
                    AccumulateInto(acc.Reduce, ew.Emit(acc.Body, _w));
                    break;
                }
                case OnlineSumExpStmt o:
                {
                    var ew = new ExprWriter(this, vector: false, scope: scope);
                    string v = ew.Emit(o.Value, _w);
                    _w.Line($"{OnlineStateName(o)} = global::LossDsl.Simd.OnlineSumExp.Add({OnlineStateName(o)}, {v});");
                    break;
                }
                case StoreStmt st:
                {
                    var ew = new ExprWriter(this, vector: false, scope: scope);
                    string v = ew.Emit(st.Value, _w);
                    _w.Line($"{StorePointer(st)}[{StoreOffset(st, null)}] = {ToFloat(st.Value, v)};");
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A loop with online sums of exponentials (<see cref="OnlineSumExpStmt"/>), versioned on its length: rows of at
    /// least <c>OnlineSumExp.MinimumLength</c> take one online sweep, which reads the row once; shorter rows, which stay
    /// in L1 between sweeps, take the maximum sweep and then the sum sweep, which cost fewer operations per element
    /// (the online update rescales with selects). The crossover was measured on softmax cross-entropy
    /// (docs/benchmarks.md). A loop with inner loops (the value is itself a reduction, as a pairwise similarity) is
    /// always online: two sweeps would compute those inner reductions twice.
    /// </summary>
    private void EmitOnlineOrTwoSweeps(LoopStmt loop, Scope scope)
    {
        var online = loop.Body.OfType<OnlineSumExpStmt>().ToList();
        string extent = ExtentName(loop.Var.Extent);
        bool versioned = !loop.Body.Any(s => s is LoopStmt);
        if (versioned)
        {
            _w.Open($"if ({extent} >= global::LossDsl.Simd.OnlineSumExp.MinimumLength)");
            _w.Line("// A long row: its maximum and sum of exponentials in one online sweep.");
        }
        else
        {
            _w.Open("");
            _w.Line("// The maximum and the sum of exponentials in one online sweep (the values are computed once).");
        }
        var oneSweep = new Scope(scope);
        foreach (var o in online) _w.Line($"var {OnlineStateName(o)} = global::LossDsl.Simd.OnlineSumExp.State.Empty;");
        EmitLoop(loop, oneSweep, "0", extent, topLevel: false);
        foreach (var o in online)
        {
            // The online sum is relative to the running maximum; the expression's sum is relative to its shift.
            _w.Line($"{AccumulatorName(o.Max)} = {OnlineStateName(o)}.Max;");
            oneSweep.Values[o.Max] = AccumulatorName(o.Max);
            string shift = new ExprWriter(this, vector: false, scope: oneSweep).Emit(o.Shift, _w);
            _w.Line($"{AccumulatorName(o.Sum)} = global::LossDsl.Simd.OnlineSumExp.Rescale({OnlineStateName(o)}.Sum, {OnlineStateName(o)}.Max, {shift});");
        }
        _w.Close();
        if (!versioned) return;
        _w.Open("else");
        _w.Line("// A row that stays in L1: the maximum first, then the sum of exponentials.");
        var twoSweeps = new Scope(scope);
        var maxSweep = new LoopStmt(loop.Var,
            loop.Body.Select(s => s is OnlineSumExpStmt o ? new AccumulateStmt(o.Max, o.Value) : s).ToList(),
            loop.Completes.Where(r => !online.Any(o => ReferenceEquals(o.Sum, r))).ToList());
        EmitLoop(maxSweep, twoSweeps, "0", extent, topLevel: false);
        foreach (var r in maxSweep.Completes) twoSweeps.Values[r] = AccumulatorName(r);
        var sumSweep = new LoopStmt(loop.Var, online.Select(o => (Stmt)new AccumulateStmt(o.Sum, o.SumBody)).ToList(), online.Select(o => o.Sum).ToList());
        EmitLoop(sumSweep, twoSweeps, "0", extent, topLevel: false);
        _w.Close();
    }

    private static string ToFloat(Node n, string code) => n.Type == DslType.Bool ? $"({code} ? 1f : 0f)" : n.Type == DslType.Int ? $"(float)({code})" : code;

    private string StorePointer(StoreStmt st) =>
        st.Target.GradientOf is { } t ? GradPtr(t) : BufferPtr(_program.BufferViews[st.Target.Buffered!].Buffer);

    private string StoreOffset(StoreStmt st, string? vectorVarOverride)
    {
        int[] extents = st.Target.GradientOf is { } t ? t.Axes! : _program.BufferViews[st.Target.Buffered!].Buffer.Axes.Select(a => a.Extent).ToArray();
        return Offset(extents, st.Indices.Select(v => vectorVarOverride is not null && ReferenceEquals(v, st.Indices[st.Indices.Length - 1]) ? vectorVarOverride : VarName(v)).ToArray());
    }

    /// <summary>Row-major offset ((s0 * E1 + s1) * E2 + s2 ...), in nint.</summary>
    internal string Offset(int[] extents, string[] subscripts)
    {
        string acc = "(nint)(" + subscripts[0] + ")";
        for (int k = 1; k < subscripts.Length; k++)
            acc = $"({acc} * {ExtentName(extents[k])} + (nint)({subscripts[k]}))";
        return acc;
    }

    private void EmitLoop(LoopStmt loop, Scope outer, string from, string to, bool topLevel)
    {
        var v = VarName(loop.Var);
        if (topLevel)
            foreach (var r in loop.Completes) _doubleAccumulators.Add(r);

        // Hoist work that does not depend on this loop (loop-invariant code motion).
        var scope = new Scope(outer);
        HoistInvariants(loop, scope);

        if (IsVectorizable(loop))
        {
            _w.Open("");
            EmitVectorLoop(loop, scope, v, from, to);
            _w.Close();
            return;
        }
        _w.Open($"for (int {v} = {from}; {v} < {to}; {v}++)");
        var body = new Scope(scope);
        body.BoundVars.Add(loop.Var.Id);
        EmitBlock(loop.Body, body);
        _w.Close();
    }

    private void HoistInvariants(LoopStmt loop, Scope scope)
    {
        var candidates = new List<Node>();
        var seen = new HashSet<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (scope.Lookup(n) is not null) return;
            if (!n.DependsOn(loop.Var.Id) && IsComputableOutside(n, loop, scope))
            {
                if (n.Args.Length > 0 && n.Op != Op.Load && n.Op != Op.Reduce) candidates.Add(n);
                return;
            }
            if (n.Op == Op.Reduce) return;
            foreach (var a in n.Args) Visit(a);
        }
        foreach (var e in DirectExpressions(loop)) Visit(e);
        if (candidates.Count == 0) return;
        var ew = new ExprWriter(this, vector: false, scope: scope);
        foreach (var n in candidates) ew.Emit(n, _w);
    }

    /// <summary>The expressions a loop evaluates in its own iterations (not those of reductions nested loops complete).</summary>
    private static IEnumerable<Node> DirectExpressions(LoopStmt loop)
    {
        foreach (var s in loop.Body)
        {
            switch (s)
            {
                case AccumulateStmt a: yield return a.Body; break;
                case OnlineSumExpStmt o: yield return o.Value; break;
                case StoreStmt st: yield return st.Value; break;
                case LoopStmt l: foreach (var e in DirectExpressions(l)) yield return e; break;
            }
        }
    }

    /// <summary>True if every index the node uses is bound outside and every reduction it reads is available.</summary>
    private bool IsComputableOutside(Node n, LoopStmt loop, Scope scope)
    {
        foreach (int id in n.Free) if (!scope.IsBoundVar(id)) return false;
        var stack = new Stack<Node>();
        stack.Push(n);
        var seen = new HashSet<Node>();
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x.Op == Op.Reduce)
            {
                if (scope.Lookup(x) is null && !_program.BufferViews.ContainsKey(x)) return false;
                continue;
            }
            foreach (var a in x.Args) stack.Push(a);
        }
        return true;
    }

    /// <summary>
    /// An innermost loop is vectorized when every load, buffer read and store that depends on its index reaches
    /// memory contiguously along that index (it is the last subscript and appears nowhere else).
    /// </summary>
    internal bool IsVectorizable(LoopStmt loop)
    {
        if (loop.Body.Any(s => s is LoopStmt)) return false;
        var seen = new HashSet<Node>();
        bool ok = true;
        void Check(Node n)
        {
            if (!ok || !seen.Add(n) || !n.DependsOn(loop.Var.Id)) return;
            if (n.Op == Op.Load)
            {
                for (int k = 0; k < n.Args.Length; k++)
                {
                    var s = n.Args[k];
                    bool isVar = s.Op == Op.Index && s.Ref == loop.Var.Id;
                    if (isVar && k != n.Args.Length - 1) { ok = false; return; }
                    if (!isVar && s.DependsOn(loop.Var.Id)) { ok = false; return; }
                }
                return;
            }
            if (n.Op == Op.Reduce)
            {
                if (!_program.BufferViews.TryGetValue(n, out var view)) { ok = false; return; }
                for (int k = 0; k < view.Indices.Length; k++)
                    if (view.Indices[k].Id == loop.Var.Id && k != view.Indices.Length - 1) { ok = false; return; }
                return;
            }
            foreach (var a in n.Args) Check(a);
        }
        foreach (var s in loop.Body)
        {
            switch (s)
            {
                case AccumulateStmt a: Check(a.Body); break;
                case OnlineSumExpStmt o: Check(o.Value); break;
                case StoreStmt st:
                    for (int k = 0; k < st.Indices.Length - 1; k++) if (st.Indices[k].Id == loop.Var.Id) return false;
                    if (st.Indices[st.Indices.Length - 1].Id != loop.Var.Id) return false;
                    Check(st.Value);
                    break;
            }
        }
        return ok;
    }

    private void EmitVectorLoop(LoopStmt loop, Scope scope, string v, string from, string to)
    {
        _w.Line(IsLight(loop)
            ? $"// Vectorized over {loop.Var.Name}: TS.Count lanes, unrolled twice with two accumulators, then a scalar tail."
            : $"// Vectorized over {loop.Var.Name}: TS.Count lanes, then a scalar tail.");
        // Broadcast the loop-invariant values the body uses.
        var uniform = new List<Node>();
        var seen = new HashSet<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            if (!n.DependsOn(loop.Var.Id)) { uniform.Add(n); return; }
            if (n.Op is Op.Load or Op.Reduce) { foreach (var a in n.Args) if (!a.DependsOn(loop.Var.Id)) uniform.Add(a); return; }
            foreach (var a in n.Args) Visit(a);
        }
        foreach (var e in DirectExpressions(loop)) Visit(e);
        var scalarWriter = new ExprWriter(this, vector: false, scope: scope);
        var vectorScope = new Scope(scope);
        vectorScope.BoundVars.Add(loop.Var.Id);
        foreach (var n in uniform)
        {
            if (n.Op is Op.Const or Op.Index) continue; // broadcast where used
            string s = scalarWriter.Emit(n, _w);
            if (n.Type == DslType.Bool)
            {
                string name = "_u" + (++_tempCounter);
                _w.Line($"TV {name} = {s} ? TS.Equal(TS.Broadcast(0f), TS.Broadcast(0f)) : TS.Broadcast(0f);");
                vectorScope.Vectors[n] = name;
            }
            else
            {
                string name = "_u" + (++_tempCounter);
                _w.Line($"TV {name} = TS.Broadcast({ToFloat(n, s)});");
                vectorScope.Vectors[n] = name;
            }
        }
        var accs = loop.Body.OfType<AccumulateStmt>().Select(a => a.Reduce).Distinct().ToList();
        foreach (var r in accs)
        {
            string id = Identity(r, false);
            _w.Line($"TV vacc{r.Id}_0 = TS.Broadcast({id}), vacc{r.Id}_1 = TS.Broadcast({id});");
        }
        var online = loop.Body.OfType<OnlineSumExpStmt>().ToList();
        foreach (var o in online)
            _w.Line($"TV vacc{o.Max.Id}_0 = TS.Broadcast(float.NegativeInfinity), vacc{o.Sum.Id}_0 = TS.Broadcast(0f); // per lane: running max, sum of exp(v - max)");
        _w.Line($"int {v} = {from};");
        if (IsLight(loop))
        {
            // A light body is bound by the latency of its accumulation: two copies with two accumulators.
            _w.Open($"for (; {v} + 2 * TS.Count <= {to}; {v} += 2 * TS.Count)");
            EmitVectorBody(loop, vectorScope, v, 0);
            _w.Line($"int {v}_b = {v} + TS.Count;");
            EmitVectorBody(loop, vectorScope, v + "_b", 1);
            _w.Close();
            _w.Open($"if ({v} + TS.Count <= {to})");
            EmitVectorBody(loop, vectorScope, v, 0);
            _w.Line($"{v} += TS.Count;");
            _w.Close();
        }
        else
        {
            // A heavy body (transcendental functions) has enough independent work per element; one copy keeps the
            // whole body within the JIT's inlining budget.
            _w.Open($"for (; {v} + TS.Count <= {to}; {v} += TS.Count)");
            EmitVectorBody(loop, vectorScope, v, 0);
            _w.Close();
        }
        foreach (var r in accs)
        {
            string combined = r.ReduceKind switch
            {
                ReduceKind.Sum => $"TS.Sum(TS.Add(vacc{r.Id}_0, vacc{r.Id}_1))",
                ReduceKind.Max => $"TS.MaxAcross(TS.Max(vacc{r.Id}_0, vacc{r.Id}_1))",
                _ => $"TS.MinAcross(TS.Min(vacc{r.Id}_0, vacc{r.Id}_1))",
            };
            AccumulateInto(r, combined);
        }
        foreach (var o in online)
            _w.Line($"{OnlineStateName(o)} = global::LossDsl.Simd.OnlineSumExp.Combine<TS, TV>(vacc{o.Max.Id}_0, vacc{o.Sum.Id}_0, {OnlineStateName(o)});");
        _w.Open($"for (; {v} < {to}; {v}++)");
        var tail = new Scope(scope);
        tail.BoundVars.Add(loop.Var.Id);
        EmitBlock(loop.Body, tail);
        _w.Close();
    }

    /// <summary>True when no vector operation of the body is a heavy (polynomial) function.</summary>
    private static bool IsLight(LoopStmt loop) => HeavyCount(loop) == 0 && !loop.Body.Any(s => s is OnlineSumExpStmt);

    /// <summary>
    /// How many heavy functions a vector body inlines; further ones are out-of-line calls (<c>SimdCall</c>). Measured
    /// with the JIT's disassembly (DOTNET_JitDisasm): BCE (exp, log1p) inlines completely; the focal loss (three exps, a
    /// log, a log1p) inlined in full exhausted the JIT's inlining budget and left even multiplications as calls.
    /// </summary>
    internal const int MaxInlinedHeavy = 4;

    private static int HeavyCount(LoopStmt loop)
    {
        var seen = new HashSet<Node>();
        int count = 0;
        void Visit(Node n)
        {
            if (!seen.Add(n) || !n.DependsOn(loop.Var.Id)) return;
            if (IsHeavy(n.Op)) count++;
            foreach (var a in n.Args) Visit(a);
        }
        foreach (var e in DirectExpressions(loop)) Visit(e);
        return count;
    }

    private void EmitVectorBody(LoopStmt loop, Scope vectorScope, string v, int copy)
    {
        var scope = new Scope(vectorScope);
        scope.VectorVar = loop.Var;
        scope.VectorVarName = v;

        var ew = new ExprWriter(this, vector: true, scope: scope);
        foreach (var s in loop.Body)
        {
            switch (s)
            {
                case AccumulateStmt acc:
                {
                    string value = ew.Emit(acc.Body, _w);
                    string a = $"vacc{acc.Reduce.Id}_{copy}";
                    _w.Line(acc.Reduce.ReduceKind switch
                    {
                        ReduceKind.Sum => $"{a} = TS.Add({a}, {value});",
                        ReduceKind.Max => $"{a} = TS.Max({a}, {value});",
                        _ => $"{a} = TS.Min({a}, {value});",
                    });
                    break;
                }
                case OnlineSumExpStmt o:
                {
                    string value = ew.Emit(o.Value, _w);
                    string m = $"vacc{o.Max.Id}_{copy}", sum = $"vacc{o.Sum.Id}_{copy}";
                    // The step's exponential counts against the body's inlining budget like any heavy function.
                    string step = ew.VectorClass(Op.Exp) == "TS" ? "Step" : "StepOutOfLine";
                    _w.Line($"// Online max and sum: a new maximum rescales the running sum (one exp per element).");
                    _w.Line($"({m}, {sum}) = global::LossDsl.Simd.OnlineSumExp.{step}<TS, TV>({m}, {sum}, {value});");
                    break;
                }
                case StoreStmt st:
                {
                    string value = ew.Emit(st.Value, _w);
                    _w.Line($"TS.Store({value}, {StorePointer(st)} + {StoreOffset(st, v)});");
                    break;
                }
            }
        }
    }

    // ---- Expressions -----------------------------------------------------------------------------------------------

    /// <summary>Names of values computed so far, by lexical scope.</summary>
    internal sealed class Scope
    {
        public Scope(Scope? parent) { Parent = parent; }
        public Scope? Parent { get; }
        public Dictionary<Node, string> Values { get; } = new();
        public Dictionary<Node, string> Vectors { get; } = new();
        public IndexVar? VectorVar { get; set; }
        public string? VectorVarName { get; set; }
        public HashSet<int> BoundVars { get; } = new();
        /// <summary>How many heavy functions this vector body has inlined so far (see <see cref="MaxInlinedHeavy"/>).</summary>
        public int HeavyInlined { get; set; }

        public string? Lookup(Node n)
        {
            for (var s = this; s is not null; s = s.Parent) if (s.Values.TryGetValue(n, out var v)) return v;
            return null;
        }
        public string? LookupVector(Node n)
        {
            for (var s = this; s is not null; s = s.Parent) if (s.Vectors.TryGetValue(n, out var v)) return v;
            return null;
        }
        public bool IsBoundVar(int id)
        {
            for (var s = this; s is not null; s = s.Parent) if (s.BoundVars.Contains(id)) return true;
            return false;
        }
        public string? VectorVarNameFor(int id)
        {
            for (var s = this; s is not null; s = s.Parent) if (s.VectorVar is { } v && v.Id == id) return s.VectorVarName;
            return null;
        }
    }

    /// <summary>Prints IR nodes as C# statements, one local per node, reusing values already in scope (CSE).</summary>
    internal sealed class ExprWriter
    {
        private readonly CpuEmitter _e;
        private readonly bool _vector;
        private readonly Scope _scope;
        public bool GlobalsAsLocals { get; set; }

        public ExprWriter(CpuEmitter e, bool vector, Scope scope) { _e = e; _vector = vector; _scope = scope; }

        public string Emit(Node n, CodeWriter w) => _vector && n.DependsOn(_scope.VectorVar!.Id) ? Vector(n, w) : Scalar(n, w);

        private string Fresh(string prefix) => "_" + prefix + (++_e._tempCounter);

        // Scalar code: float/int/bool locals.
        private string Scalar(Node n, CodeWriter w)
        {
            var existing = _scope.Lookup(n);
            if (existing is not null) return existing;
            string code;
            switch (n.Op)
            {
                case Op.Const: return FloatLiteral(n.Value);
                case Op.Param: return _e.ScalarName(n.Ref);
                case Op.Extent: return _e.ExtentName(n.Ref);
                case Op.Index: return VarName(_e_var(n.Ref));
                case Op.Reduce:
                    if (GlobalsAsLocals) return $"((float){GlobalName(n)})";
                    if (_e._program.BufferViews.TryGetValue(n, out var view))
                    {
                        code = $"{BufferPtr(view.Buffer)}[{_e.Offset(view.Buffer.Axes.Select(a => a.Extent).ToArray(), view.Indices.Select(VarName).ToArray())}]";
                        break;
                    }
                    throw new InvalidOperationException("reduction used before it is computed: " + _e._model.Print(n));
                case Op.Load:
                {
                    var t = _e._model.Tensors[n.Ref];
                    var subs = new string[n.Args.Length];
                    var checks = new List<string>();
                    for (int k = 0; k < subs.Length; k++)
                    {
                        subs[k] = Scalar(n.Args[k], w);
                        if (n.Args[k].Op != Op.Index) checks.Add($"(uint)({subs[k]}) < (uint){_e.ExtentName(t.Axes![k])}");
                    }
                    string access = $"{_e.TensorPtr(t)}[{_e.Offset(t.Axes!, subs)}]";
                    code = checks.Count == 0 ? access : $"({string.Join(" && ", checks)} ? {access} : {(t.IsInt ? "0" : "0f")})";
                    break;
                }
                case Op.StopGrad: return Scalar(n.Args[0], w);
                case Op.Select:
                {
                    string c = Scalar(n.Args[0], w), a = Scalar(n.Args[1], w), b = Scalar(n.Args[2], w);
                    code = n.Type == DslType.Int ? $"({c} ? {a} : {b})" : $"({c} ? {F(n.Args[1], a)} : {F(n.Args[2], b)})";
                    break;
                }
                case Op.Neg: code = $"-{Scalar(n.Args[0], w)}"; break;
                case Op.Add: case Op.Sub: case Op.Mul: case Op.Div:
                case Op.Eq: case Op.Ne: case Op.Lt: case Op.Le: case Op.Gt: case Op.Ge:
                {
                    string a = Scalar(n.Args[0], w), b = Scalar(n.Args[1], w);
                    bool intOp = n.Type == DslType.Int || (n.Type == DslType.Bool && n.Args[0].Type == DslType.Int && n.Args[1].Type == DslType.Int);
                    if (!intOp) { a = F(n.Args[0], a); b = F(n.Args[1], b); }
                    else { a = I(n.Args[0], a); b = I(n.Args[1], b); }
                    code = $"{a} {IrPrinter.Symbol(n.Op)} {b}";
                    break;
                }
                case Op.And: code = $"{Scalar(n.Args[0], w)} && {Scalar(n.Args[1], w)}"; break;
                case Op.Or: code = $"{Scalar(n.Args[0], w)} || {Scalar(n.Args[1], w)}"; break;
                case Op.Not: code = $"!{Scalar(n.Args[0], w)}"; break;
                case Op.PowFromLog when _e._powersOwningTheirLog.Contains(n):
                {
                    // Nothing else uses log|x|: PowUniform takes it only when the exponent is not a small integer.
                    string a = Scalar(n.Args[0], w), b = Scalar(n.Args[1], w);
                    code = $"global::LossDsl.Simd.ScalarCall.PowUniform({F(n.Args[0], a)}, {F(n.Args[1], b)})";
                    break;
                }
                case Op.PowFromLog:
                {
                    string a = Scalar(n.Args[0], w), b = Scalar(n.Args[1], w), l = Scalar(n.Args[2], w);
                    code = $"global::LossDsl.Simd.ScalarCall.PowFromLog({F(n.Args[0], a)}, {F(n.Args[1], b)}, {l})";
                    break;
                }
                case Op.Min: case Op.Max: case Op.Pow:
                {
                    string a = Scalar(n.Args[0], w), b = Scalar(n.Args[1], w);
                    code = n.Type == DslType.Int
                        ? $"global::System.Math.{n.Op}({a}, {b})"
                        : $"global::LossDsl.Simd.{ScalarClass(n.Op)}.{n.Op}({F(n.Args[0], a)}, {F(n.Args[1], b)})";
                    break;
                }
                default:
                {
                    string a = Scalar(n.Args[0], w);
                    code = n.Type == DslType.Int && n.Op is Op.Abs or Op.Sign
                        ? $"global::System.Math.{n.Op}({a})"
                        : $"global::LossDsl.Simd.{ScalarClass(n.Op)}.{n.Op}({F(n.Args[0], a)})";
                    break;
                }
            }
            string type = n.Type switch { DslType.Int => "int", DslType.Bool => "bool", _ => "float" };
            string name = Fresh("t");
            w.Line($"{type} {name} = {code};");
            _scope.Values[n] = name;
            return name;
        }

        private IndexVar _e_var(int id) => _e._model.Graph.Var(id);

        /// <summary>The class that provides an operation in vector code: <c>TS</c>, or <c>SimdCall</c> for heavy functions
        /// beyond the body's inlining budget (see <see cref="MaxInlinedHeavy"/>).</summary>
        public string VectorClass(Op op)
        {
            if (!IsHeavy(op)) return "TS";
            // The first few heavy functions of a body are inlined, the rest are called out of line.
            return _scope.HeavyInlined++ < MaxInlinedHeavy ? "TS" : "global::LossDsl.Simd.SimdCall<TS, TV>";
        }

        private static string F(Node n, string code) => n.Type switch
        {
            DslType.Int => $"(float)({code})",
            DslType.Bool => $"({code} ? 1f : 0f)",
            _ => code,
        };

        private static string I(Node n, string code) => n.Op == Op.Const ? ((long)n.Value).ToString(CultureInfo.InvariantCulture) : code;

        // Vector code: TV locals; masks are TV too.
        private string Vector(Node n, CodeWriter w)
        {
            if (!n.DependsOn(_scope.VectorVar!.Id))
            {
                var u = _scope.LookupVector(n);
                if (u is not null) return u;
                // A uniform value not broadcast in the prologue (cheap leaf): broadcast inline.
                string s = Scalar(n, w);
                if (n.Type == DslType.Bool) return $"({s} ? TS.Equal(TS.Broadcast(0f), TS.Broadcast(0f)) : TS.Broadcast(0f))";
                return $"TS.Broadcast({F(n, s)})";
            }
            var existing = _scope.LookupVector(n);
            if (existing is not null) return existing;
            string code;
            string V(int k) => Vector(n.Args[k], w);
            string AsReal(int k) => n.Args[k].Type == DslType.Bool ? $"TS.MaskToOne({V(k)})" : V(k);
            switch (n.Op)
            {
                case Op.Index: code = $"TS.Iota((float){_scope.VectorVarNameFor(n.Ref)})"; break;
                case Op.Load:
                {
                    var t = _e._model.Tensors[n.Ref];
                    var subs = new string[n.Args.Length];
                    for (int k = 0; k < subs.Length; k++)
                        subs[k] = k == subs.Length - 1 ? _scope.VectorVarNameFor(_scope.VectorVar!.Id)! : Scalar(n.Args[k], w);
                    string ptr = $"{_e.TensorPtr(t)} + {_e.Offset(t.Axes!, subs)}";
                    code = t.IsInt ? $"TS.LoadInt({ptr})" : $"TS.Load({ptr})";
                    break;
                }
                case Op.Reduce:
                {
                    var view = _e._program.BufferViews[n];
                    var subs = view.Indices.Select((x, k) => k == view.Indices.Length - 1 ? _scope.VectorVarNameFor(x.Id)! : VarName(x)).ToArray();
                    code = $"TS.Load({BufferPtr(view.Buffer)} + {_e.Offset(view.Buffer.Axes.Select(a => a.Extent).ToArray(), subs)})";
                    break;
                }
                case Op.StopGrad: return Vector(n.Args[0], w);
                case Op.Select:
                    code = $"TS.Select({V(0)}, {AsReal(1)}, {AsReal(2)})";
                    break;
                case Op.Neg: code = $"TS.Negate({AsReal(0)})"; break;
                case Op.Add: code = $"TS.Add({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Sub: code = $"TS.Subtract({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Mul: code = $"TS.Multiply({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Div: code = $"TS.Divide({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Eq: code = $"TS.Equal({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Ne: code = $"TS.NotEqual({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Lt: code = $"TS.LessThan({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Le: code = $"TS.LessThanOrEqual({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Gt: code = $"TS.GreaterThan({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Ge: code = $"TS.GreaterThanOrEqual({AsReal(0)}, {AsReal(1)})"; break;
                case Op.And: code = $"TS.And({V(0)}, {V(1)})"; break;
                case Op.Or: code = $"TS.Or({V(0)}, {V(1)})"; break;
                case Op.Not: code = $"TS.Not({V(0)})"; break;
                case Op.Min: case Op.Max:
                    code = $"TS.{n.Op}({AsReal(0)}, {AsReal(1)})"; break;
                case Op.Pow:
                    code = $"{VectorClass(n.Op)}.Pow({AsReal(0)}, {AsReal(1)})"; break;
                case Op.PowFromLog when !n.Args[1].DependsOn(_scope.VectorVar!.Id) && _e._powersOwningTheirLog.Contains(n):
                    // A uniform exponent, and nothing else uses log|x|: a small integral exponent is a few
                    // multiplications (no logarithm, no exponential); any other takes log|x| inside.
                    code = $"{VectorClass(n.Op)}.PowUniform({AsReal(0)}, {F(n.Args[1], Scalar(n.Args[1], w))})"; break;
                case Op.PowFromLog when _e._powersOwningTheirLog.Contains(n):
                    code = $"{VectorClass(n.Op)}.Pow({AsReal(0)}, {AsReal(1)})"; break;
                case Op.PowFromLog when !n.Args[1].DependsOn(_scope.VectorVar!.Id):
                    // The exponent is the same in every lane (a hyperparameter): its tests become scalar branches.
                    code = $"{VectorClass(n.Op)}.PowFromLogUniform({AsReal(0)}, {F(n.Args[1], Scalar(n.Args[1], w))}, {AsReal(2)})"; break;
                case Op.PowFromLog:
                    code = $"{VectorClass(n.Op)}.PowFromLog({AsReal(0)}, {AsReal(1)}, {AsReal(2)})"; break;
                default:
                    code = $"{VectorClass(n.Op)}.{n.Op}({AsReal(0)})"; break;
            }
            string name = Fresh("v");
            w.Line($"TV {name} = {code};");
            _scope.Vectors[n] = name;
            return name;
        }
    }

    /// <summary>Operations whose vector form is a long polynomial (they dominate the JIT's inlining budget).</summary>
    internal static bool IsHeavy(Op op) => op is Op.Exp or Op.Expm1 or Op.Log or Op.Log1p or Op.Tanh or Op.Atan or Op.Erf
        or Op.Sigmoid or Op.Softplus or Op.Pow or Op.PowFromLog;

    /// <summary>Scalar code calls heavy functions through <c>ScalarCall</c> (not inlined) and the rest inline.</summary>
    private static string ScalarClass(Op op) => IsHeavy(op) ? "ScalarCall" : "Scalar";

    internal static string FloatLiteral(double v)
    {
        if (double.IsPositiveInfinity(v)) return "float.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "float.NegativeInfinity";
        if (double.IsNaN(v)) return "float.NaN";
        float f = (float)v;
        if (float.IsPositiveInfinity(f)) return "float.MaxValue";
        if (float.IsNegativeInfinity(f)) return "-float.MaxValue";
        string s = f.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOf('E') < 0 && s.IndexOf('.') < 0) s += ".0";
        return (f < 0 ? "(" + s + "f)" : s + "f");
    }
}
