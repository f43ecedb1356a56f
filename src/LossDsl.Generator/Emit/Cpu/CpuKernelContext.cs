using System.Collections.Generic;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;

namespace LossDsl.Generator.Emit.Cpu;

/// <summary>
/// The tiles of a pair pass while its column loop is printed: where each contraction's values and each back
/// contraction's weights are, for the tile whose first row is <c>i0</c> and first column <c>j0</c>, row-major with
/// <see cref="Width"/> columns.
/// </summary>
internal sealed class PairTiles
{
    public PairTiles(IndexVar row, IndexVar column, int width) { Row = row; Column = column; Width = width; }
    public IndexVar Row { get; }
    public IndexVar Column { get; }
    public int Width { get; }
    /// <summary>The pointer to the tile of a contraction (by its value) or of a back contraction's weights (by its value).</summary>
    public Dictionary<Node, string> Pointers { get; } = new();

    /// <summary>The offset of (row, column) in a tile.</summary>
    public string Offset(string row, string column) => $"(nint)({row} - i0) * {Width} + ({column} - j0)";
}

/// <summary>What the parts of the CPU emitter share while they print one kernel: its plan, the writer and the names.</summary>
internal sealed class CpuKernelContext
{
    private int _tempCounter;

    public CpuKernelContext(KernelPlan plan, CodeWriter writer)
    {
        Plan = plan;
        Writer = writer;
        Names = new CpuNames(plan.Model);
        Real = CpuReal.Of(plan.Model);
    }

    /// <summary>The type the kernel computes Real values in.</summary>
    public CpuReal Real { get; }

    public KernelPlan Plan { get; }
    public LossModel Model => Plan.Model;
    /// <summary>Where the emitters print (<see cref="Redirect"/> sends it elsewhere for a while).</summary>
    public CodeWriter Writer { get; private set; }

    /// <summary>Prints into <paramref name="writer"/> until the result is disposed.</summary>
    public System.IDisposable Redirect(CodeWriter writer)
    {
        var saved = Writer;
        Writer = writer;
        return new Restore(() => Writer = saved);
    }

    private sealed class Restore : System.IDisposable
    {
        private System.Action? _undo;
        public Restore(System.Action undo) { _undo = undo; }
        public void Dispose() { _undo?.Invoke(); _undo = null; }
    }

    public CpuNames Names { get; }
    /// <summary>The tiles of the pair pass being printed, or null outside one.</summary>
    public PairTiles? Tiles { get; set; }

    /// <summary>A new local name: "_" + prefix + a counter unique in the kernel.</summary>
    public string Fresh(string prefix) => "__" + prefix + (++_tempCounter);

    /// <summary>Row-major offset ((s0 * E1 + s1) * E2 + s2 ...), in nint.</summary>
    public string Offset(int[] extents, string[] subscripts)
    {
        string offset = "(nint)(" + subscripts[0] + ")";
        for (int k = 1; k < subscripts.Length; k++)
            offset = $"({offset} * {Names.Extent(extents[k])} + (nint)({subscripts[k]}))";
        return offset;
    }

    /// <summary>The identity of a reduction, as the initial value of its accumulator.</summary>
    public static string Identity(Node r, bool asDouble) => r.ReduceKind switch
    {
        ReduceKind.Sum => asDouble ? "0.0" : "0f",
        ReduceKind.Max => asDouble ? "double.NegativeInfinity" : "float.NegativeInfinity",
        _ => asDouble ? "double.PositiveInfinity" : "float.PositiveInfinity",
    };
}
