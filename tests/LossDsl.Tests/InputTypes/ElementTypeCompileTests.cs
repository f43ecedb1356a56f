using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Ir;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using Xunit;

namespace LossDsl.Tests.InputTypes;

/// <summary>The decisions the compiler takes from element types and tensor spans (docs/language.md §2.1, §4.4).</summary>
public class ElementTypeCompileTests
{
    private static LossParameter Tensor(string name, ElementType element, bool shaped = false) => new(name, ParameterKind.FloatTensor, "", element, shaped);
    private static LossParameter Gradient(string name, ElementType element, bool shaped = false) => new(name, ParameterKind.Gradient, "", element, shaped);
    private static LossParameter Labels(string name, ElementType element = ElementType.Int32, bool shaped = false) => new(name, ParameterKind.IntTensor, "", element, shaped);

    private const string InfoNce = "zn[i, d] = z[i, d] / norm[e](z[i, e]); s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau; mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))";

    private static System.Collections.Generic.IEnumerable<PlanLoop> Loops(System.Collections.Generic.IEnumerable<Stmt> body)
    {
        foreach (var s in body)
        {
            if (s is PlanLoop l) { yield return l; foreach (var inner in Loops(l.Body)) yield return inner; }
            if (s is VersionedLoop v) foreach (var inner in Loops(new Stmt[] { v.Online, v.MaxSweep, v.SumSweep })) yield return inner;
        }
    }

    [Fact]
    public void DoubleTensorsMakeAScalarKernelWithoutTiles()
    {
        var parameters = new[] { Tensor("z", ElementType.Float64), Labels("pos", ElementType.Int64), Gradient("dz", ElementType.Float64), new LossParameter("tau", ParameterKind.RealScalar, "double", ElementType.Float64) };
        var c = LossCompiler.Compile(InfoNce, parameters, differentiate: true, plan: true);
        Assert.True(c.Success, string.Join("\n", c.Diagnostics));
        Assert.Equal(ElementType.Float64, c.Model!.Real);
        foreach (var plan in new[] { c.Forward!, c.ForwardBackward! })
        {
            Assert.All(plan.Passes, p => Assert.IsType<LoopPassPlan>(p));
            Assert.Empty(plan.Panels);
            var loops = plan.Passes.OfType<LoopPassPlan>().SelectMany(p => Loops(new Stmt[] { p.Loop })).ToList();
            Assert.All(loops, l => Assert.Null(l.Vector));
            Assert.All(plan.Passes.OfType<LoopPassPlan>(), p => Assert.Equal(1, p.ChunkAlignment));
        }
        // The same loss in float is tiled.
        var single = LossCompiler.Compile(InfoNce, new[] { Tensor("z", ElementType.Float32), Labels("pos"), Gradient("dz", ElementType.Float32), new LossParameter("tau", ParameterKind.RealScalar, "float") },
            differentiate: true, plan: true);
        Assert.Equal(ElementType.Float32, single.Model!.Real);
        Assert.Contains(single.ForwardBackward!.Passes, p => p is PairPassPlan or StripPassPlan);
    }

    [Fact]
    public void HalfAndBFloat16ComputeInFloat()
    {
        var c = LossCompiler.Compile("mean(x * y)", new[] { Tensor("x", ElementType.Float16), Tensor("y", ElementType.BFloat16), Gradient("dx", ElementType.Float16) }, differentiate: true, plan: true);
        Assert.True(c.Success, string.Join("\n", c.Diagnostics));
        Assert.Equal(ElementType.Float32, c.Model!.Real);
        Assert.NotNull(c.ForwardBackward!.Passes.OfType<LoopPassPlan>().Single().Loop.Vector);
    }

    [Fact]
    public void MixedElementTypesAreLoss0215OnTheParameter()
    {
        var c = LossCompiler.Compile("mean(x * y)", new[] { Tensor("x", ElementType.Float64), Tensor("y", ElementType.Float32), Gradient("dx", ElementType.Float64) }, differentiate: true);
        var d = Assert.Single(c.Diagnostics);
        Assert.Equal(DiagnosticIds.MixedElementTypes, d.Id);
        Assert.Equal("y", d.Parameter);
        c = LossCompiler.Compile("mean(x)", new[] { Tensor("x", ElementType.Float16), Gradient("dx", ElementType.Float32) }, differentiate: true);
        d = Assert.Single(c.Diagnostics);
        Assert.Equal(DiagnosticIds.MixedElementTypes, d.Id);
        Assert.Equal("dx", d.Parameter);
    }

    [Fact]
    public void SubscriptedTensorSpansGiveTheirExtents()
    {
        const string softTarget = "mean[i](-sum[c](t[i, c] * log_softmax[c](z[i, c])))";
        // Spans: two rank-2 tensors with unknown axes, LOSS0208.
        var spans = LossCompiler.Compile(softTarget, new[] { Tensor("z", ElementType.Float32), Tensor("t", ElementType.Float32), Gradient("dz", ElementType.Float32) }, differentiate: true);
        Assert.Contains(spans.Diagnostics, d => d.Id == DiagnosticIds.ExtentNotInferable);
        // A tensor span: its axes give both extents, the other tensor is checked.
        var shaped = LossCompiler.Compile(softTarget, new[] { Tensor("z", ElementType.Float32, shaped: true), Tensor("t", ElementType.Float32), Gradient("dz", ElementType.Float32) }, differentiate: true);
        Assert.True(shaped.Success, string.Join("\n", shaped.Diagnostics));
        var plan = shaped.Model!.ExtentPlan;
        Assert.Equal(new[] { 0, 1 }, plan.Where(s => s.Axis >= 0).Select(s => s.Axis));
        Assert.All(plan.Where(s => s.Axis >= 0), s => Assert.True(s.Extent >= 0));
        Assert.Contains(plan, s => s.Axis < 0 && s.Extent < 0 && shaped.Model.Tensors[s.Tensor].Name == "t");
        // Two tensor spans: the second one's axes are checked against the first one's.
        var both = LossCompiler.Compile(softTarget, new[] { Tensor("z", ElementType.Float32, shaped: true), Tensor("t", ElementType.Float32, shaped: true) }, differentiate: false);
        Assert.Equal(2, both.Model!.ExtentPlan.Count(s => s.Axis >= 0 && s.Extent < 0));
        // A tensor span used bare is read flat: no axis steps.
        var flat = LossCompiler.Compile("mean(x)", new[] { Tensor("x", ElementType.Float32, shaped: true) }, differentiate: false);
        Assert.DoesNotContain(flat.Model!.ExtentPlan, s => s.Axis >= 0);
        Assert.True(flat.Model.Tensors[0].IsFlat);
    }
}
