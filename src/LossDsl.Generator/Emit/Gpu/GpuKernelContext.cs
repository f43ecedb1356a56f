using LossDsl.Language.Ir;
using LossDsl.Language.Planning;

namespace LossDsl.Generator.Emit.Gpu;

/// <summary>What the parts of the GPU emitter share while they print the kernels of one plan.</summary>
internal sealed class GpuKernelContext
{
    private int _tempCounter;

    public GpuKernelContext(KernelPlan plan, CodeWriter writer)
    {
        Plan = plan;
        Writer = writer;
        Names = new GpuNames(plan.Model);
    }

    public KernelPlan Plan { get; }
    public LossModel Model => Plan.Model;
    public CodeWriter Writer { get; }
    public GpuNames Names { get; }

    /// <summary>A new local name: "_" + prefix + a counter unique in the kernel class.</summary>
    public string Fresh(string prefix) => "_" + prefix + (++_tempCounter);

    /// <summary>Row-major offset ((s0 * E1 + s1) * E2 + s2 ...), in long.</summary>
    public string Offset(int[] extents, string[] subscripts)
    {
        string offset = "(long)(" + subscripts[0] + ")";
        for (int k = 1; k < subscripts.Length; k++)
            offset = $"({offset} * {Names.Extent(extents[k])} + (long)({subscripts[k]}))";
        return offset;
    }

    /// <summary>The identity of a reduction, as the initial value of its accumulator.</summary>
    public static string Identity(Node r) => r.ReduceKind switch
    {
        ReduceKind.Sum => "0f",
        ReduceKind.Max => "float.NegativeInfinity",
        _ => "float.PositiveInfinity",
    };

    /// <summary>acc = combine(acc, value) for a reduction's kind.</summary>
    public static string Combine(Node r, string accumulator, string value) => Combine(r.ReduceKind, accumulator, value);

    /// <summary>target = combine(target, value) for a reduction's kind (an accumulator, or an entry a scatter combines into).</summary>
    public static string Combine(ReduceKind kind, string accumulator, string value) => kind switch
    {
        ReduceKind.Sum => $"{accumulator} += {value};",
        ReduceKind.Max => $"{accumulator} = {GpuIntrinsics.MathClass}.Max({accumulator}, {value});",
        _ => $"{accumulator} = {GpuIntrinsics.MathClass}.Min({accumulator}, {value});",
    };
}
