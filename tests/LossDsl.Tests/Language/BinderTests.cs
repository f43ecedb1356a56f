using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Ir;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// The binder: shape inference and the run-time extent plan, implicit indices, types, and the simplifier and
/// common-subexpression sharing that run inside every IR constructor (observed through <c>LossModel.Print</c>).
/// </summary>
public class BinderTests
{
    // ---- Helpers --------------------------------------------------------------------------------------------------

    private static LossParameter[] Params(string spec) => LanguageParameters.Parse(spec);

    private static LossCompilation Compile(string source, string parameters)
    {
        var ps = Params(parameters);
        return LossCompiler.Compile(source, ps, ps.Any(p => p.Kind == ParameterKind.Gradient));
    }

    private static LossModel Bind(string source, string parameters)
    {
        var c = Compile(source, parameters);
        Assert.True(c.Success, $"'{source}' failed: {string.Join("; ", c.Diagnostics)}");
        Assert.DoesNotContain(c.Diagnostics, d => d.Severity == DslSeverity.Error);
        return c.Model!;
    }

    private static string Loss(string source, string parameters) { var m = Bind(source, parameters); return m.Print(m.Loss); }

    private static string Shape(LossModel m, string tensor)
    {
        var t = m.Tensors.Single(x => x.Name == tensor);
        return t.Axes is null ? "unused" : "[" + string.Join(", ", t.Axes.Select(a => m.Extents[a].Name)) + "]";
    }

    private static string Plan(LossModel m) => string.Join("; ", m.ExtentPlan.Select(s =>
        s.Scalar >= 0 ? $"{m.Extents[s.Extent].Name} = {m.Scalars[s.Scalar].Name}"
        : s.Extent >= 0 ? $"{m.Extents[s.Extent].Name} from {m.Tensors[s.Tensor].Name}"
        : $"check {m.Tensors[s.Tensor].Name}"));

    private static DslDiagnostic Error(string source, string parameters)
    {
        var c = Compile(source, parameters);
        Assert.False(c.Success, $"'{source}' should fail");
        return c.Diagnostics.First(d => d.Severity == DslSeverity.Error);
    }

    private static void AssertError(string source, string parameters, string id, string marker, int nth = 0, string? message = null)
    {
        var d = Error(source, parameters);
        int offset = -1;
        for (int k = 0, from = 0; k <= nth; k++, from = offset + 1) offset = source.IndexOf(marker, from, StringComparison.Ordinal);
        Assert.True(offset >= 0, "marker not found");
        Assert.True(d.Id == id && d.Offset == offset && d.Length == marker.Length,
            $"'{source}': expected {id} at ({offset},{marker.Length}) '{marker}' but got {d}");
        if (message is not null) Assert.Contains(message, d.Message);
    }

    private static IEnumerable<Node> Reachable(Node root)
    {
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            foreach (var a in n.Args) stack.Push(a);
        }
        return seen;
    }

    // ---- Shapes and extents ---------------------------------------------------------------------------------------

    [Fact]
    public void CrossEntropyShapesFromLabelsAndLogits()
    {
        var m = Bind("mean[i](logsumexp[c](logits[i, c]) - logits[i, labels[i]])", "logits:F, labels:I, dlogits:G");
        Assert.Equal("[n_i, n_c]", Shape(m, "logits"));
        Assert.Equal("[n_i]", Shape(m, "labels"));
        // Labels (rank 1) define the rows first; the logits then define the classes from their length.
        Assert.Equal("n_i from labels; n_c from logits", Plan(m));
        var logits = m.Tensors.Single(t => t.Name == "logits");
        var labels = m.Tensors.Single(t => t.Name == "labels");
        Assert.Equal(labels.Axes![0], logits.Axes![0]);
        Assert.NotEqual(logits.Axes[0], logits.Axes[1]);
    }

    [Fact]
    public void ImplicitFlatIndexIsSharedByBareTensorNames()
    {
        var m = Bind("mean(x * y)", "x:F, y:F");
        Assert.Equal("sum[e](x[e] * y[e]) / #n_e", m.Print(m.Loss));
        Assert.Equal("[n_e]", Shape(m, "x"));
        Assert.Equal("[n_e]", Shape(m, "y"));
        Assert.Equal("n_e from x; check y", Plan(m));
    }

    [Fact]
    public void ExtentFromAnIndexDeclaration()
    {
        var m = Bind("index d : dim; mean[i](sqrt(sum[d]((x[i, d] - y[i, d])^2) + c^2) - c)", "x:F, y:F, dx:G, dim:N, c:R");
        Assert.Equal("[n_i, dim]", Shape(m, "x"));
        Assert.Equal("[n_i, dim]", Shape(m, "y"));
        // Int parameters come first in the plan, then tensors with one unknown axis.
        Assert.Equal("dim = dim; n_i from x; check y", Plan(m));
    }

    [Fact]
    public void DeclaredRowsAndGatheredColumns()
    {
        var m = Bind("index i : rows; mean[i](z[i, t[i]])", "z:F, t:I, rows:N");
        Assert.Equal("[rows]", Shape(m, "t"));
        var z = m.Tensors.Single(x => x.Name == "z");
        Assert.Equal("rows", m.Extents[z.Axes![0]].Name);
        var steps = m.ExtentPlan;
        Assert.Equal(3, steps.Count);
        Assert.True(steps[0].Scalar >= 0, "the int parameter first");
        Assert.True(steps[1].Extent < 0 && m.Tensors[steps[1].Tensor].Name == "t", "then t is checked against rows");
        Assert.True(steps[2].Extent == z.Axes[1] && m.Tensors[steps[2].Tensor].Name == "z", "then z defines its column count");
    }

    [Fact]
    public void ExtentPlanFollowsTheChainOfTensors()
    {
        var m = Bind("sum[i, j, k](a[i, j] * b[j, k] * c[k])", "a:F, b:F, c:F");
        Assert.Equal("[n_i, n_j]", Shape(m, "a"));
        Assert.Equal("[n_j, n_k]", Shape(m, "b"));
        Assert.Equal("n_k from c; n_j from b; n_i from a", Plan(m));
    }

    [Fact]
    public void SameIndexUnifiesExtentsAcrossTensors()
    {
        var m = Bind("mean[i](x[i] * y[i]) + sum[j, k](w[j, k] * x[k])", "x:F, y:F, w:F");
        var x = m.Tensors.Single(t => t.Name == "x");
        var y = m.Tensors.Single(t => t.Name == "y");
        var w = m.Tensors.Single(t => t.Name == "w");
        Assert.Equal(x.Axes![0], y.Axes![0]);
        Assert.Equal(x.Axes[0], w.Axes![1]); // k indexes both x and the second axis of w
        Assert.NotEqual(w.Axes[0], w.Axes[1]);
        Assert.Equal("n_i from x; check y; n_j from w", Plan(m));
    }

    [Fact]
    public void ExtentThatCannotBeInferred()
    {
        AssertError("mean(sum[d](a[i,d]*b[i,d]))", "a:F, b:F", DiagnosticIds.ExtentNotInferable, "a[i,d]", message: "index");
    }

    [Theory]
    [InlineData("mean(x) + sum[k](alpha)")]
    [InlineData("mean(x) + mean[k](alpha)")]
    [InlineData("mean[i](log_softmax[k](x[i]))")]
    [InlineData("mean[i](softmax[k](x[i]) * x[i])")]
    public void AnIndexThatSubscriptsNoTensorHasNoExtent(string source)
    {
        AssertError(source, "x:F, dx:G, alpha:R", DiagnosticIds.ExtentNotInferable, "k", message: "the extent of index 'k' is unknown");
    }

    [Fact]
    public void IndexDeclaredTwiceOverDifferentExtentsIsAShapeMismatch()
    {
        AssertError("index i : n; index j : m; mean[i](a[i]) + mean[j](a[j])", "a:F, da:G, n:N, m:N", DiagnosticIds.ShapeMismatch, "j", 2,
            "ranges over 'm' here but over 'n' elsewhere");
    }

    [Fact]
    public void UnusedInputsAreWarningsUnlessTheyHaveAGradient()
    {
        var c = Compile("mean(x)", "x:F, y:F, dx:G");
        Assert.True(c.Success);
        var w = Assert.Single(c.Diagnostics);
        Assert.Equal((DiagnosticIds.UnusedInput, DslSeverity.Warning, "y"), (w.Id, w.Severity, w.Parameter));

        // With a gradient output the input must be used: an error on the gradient parameter.
        var e = Compile("mean(x)", "x:F, y:F, dx:G, dy:G");
        Assert.False(e.Success);
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal((DiagnosticIds.NonDifferentiable, DslSeverity.Error, "dy"), (d.Id, d.Severity, d.Parameter));
        Assert.Contains("input 'y' is not used by the loss, so its gradient 'dy' would always be zero", d.Message);
    }

    // ---- Types ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("mean(where(x, y, 0))", "x", 0, "the first argument of 'where' must be a condition")]
    [InlineData("mean(x && y > 0)", "x", 0, "the left operand of '&&'")]
    [InlineData("mean(where(!y, x, y))", "y", 0, "the operand of '!'")]
    [InlineData("sum[i | x[i]](y[i])", "x[i]", 0, "a reduction filter must be a condition")]
    [InlineData("mean[i](y[i] * x[y[i]])", "y[i]", 1, "a subscript of 'x' must be an integer")]
    [InlineData("mean[i](y[i] * x[i > 0])", "i > 0", 0, "a subscript of 'x' must be an integer")]
    [InlineData("mean[i](y[i] * x[0.5])", "0.5", 0, "a subscript of 'x' must be an integer")]
    [InlineData("index i : alpha; mean[i](x[i] * y[i])", "alpha", 0, "must be an int parameter")]
    public void TypeErrors(string source, string marker, int nth, string message)
    {
        AssertError(source, "x:F, y:F, alpha:R", DiagnosticIds.TypeMismatch, marker, nth, message);
    }

    [Fact]
    public void IntArithmeticIsAllowedInSubscripts()
    {
        Assert.Equal("sum[i](z[i, 1 + t[i]]) / #n_i", Loss("mean[i](z[i, t[i] + 1])", "z:F, t:I"));
        Assert.Equal("sum[i](z[i, 2 * t[i]])", Loss("sum[i](z[i, 2 * t[i]])", "z:F, t:I"));
    }

    [Fact]
    public void ConditionsConvertToNumbersInArithmetic()
    {
        Assert.Equal("sum[e](where(x[e] > 0, 1, 0) * y[e]) / #n_e", Loss("mean((x > 0) * y)", "x:F, y:F"));
    }

    /// <summary>
    /// A comparison of constants (folded by the simplifier) is still a condition: where(1 > 0, a, b) is a. Also through a
    /// binding to a constant, the way a user switches a term on and off.
    /// </summary>
    [Theory]
    [InlineData("mean(where(1 > 0, x, 2 * x))")]
    [InlineData("on = 1; mean(where(on > 0, x, 2 * x))")]
    [InlineData("mean(where(!(2 < 1), x, 2 * x))")]
    public void AComparisonOfConstantsIsACondition(string source)
    {
        Assert.Equal("sum[e](x[e]) / #n_e", Loss(source, "x:F, dx:G"));
    }

    [Fact]
    public void AFilterComparingConstantsIsACondition()
    {
        Assert.Equal(Loss("sum[i](x[i])", "x:F"), Loss("sum[i | 0 < 1](x[i])", "x:F"));
    }

    // ---- Names ----------------------------------------------------------------------------------------------------

    [Fact]
    public void UnknownNamesSuggestTheClosestName()
    {
        AssertError("mean(x * alpa)", "x:F, alpha:R", DiagnosticIds.UnknownName, "alpa", message: "(did you mean 'alpha'?)");
        AssertError("mean(x * zzz)", "x:F, alpha:R", DiagnosticIds.UnknownName, "zzz");
        Assert.DoesNotContain("did you mean", Error("mean(x * zzz)", "x:F, alpha:R").Message);
        AssertError("mean(softplsu(x))", "x:F", DiagnosticIds.UnknownFunction, "softplsu", message: "(did you mean 'softplus'?)");
    }

    [Fact]
    public void ErrorsInUnusedBindingsAreReported()
    {
        AssertError("p = foo; mean(x)", "x:F", DiagnosticIds.UnknownName, "foo");
    }

    [Fact]
    public void ABindingCannotReferToItself()
    {
        AssertError("p = p + 1; mean(x * p)", "x:F", DiagnosticIds.UnknownName, "p", message: "refers to itself");
    }

    [Fact]
    public void IndexedBindingsAreRenamedToTheirSubscripts()
    {
        Assert.Equal("sum[i](x[i] * y[i]) / sum[i](where(x[i] * y[i] > 0, 1, 0))",
            Loss("p[i] = x[i] * y[i]; q = sum[j](p[j]); q / count[i](p[i] > 0)", "x:F, y:F"));
    }

    [Fact]
    public void NotScalarNamesTheFreeIndex()
    {
        var d = Error("sum[i](x[i] * y[j])", "x:F, y:F");
        Assert.Equal(DiagnosticIds.NotScalar, d.Id);
        Assert.Contains("'j'", d.Message);
        Assert.Equal((0, 19), (d.Offset, d.Length));
    }

    // ---- Extents as values: extent(c) -----------------------------------------------------------------------------

    [Fact]
    public void ExtentOfANameIsTheOneExtentOfItsIndices()
    {
        // Outside its binders, extent(c) is the one extent every index named c has: the classes, from z.
        var m = Bind("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]]) / log(extent(c))", "z:F, y:I, dz:G");
        Assert.EndsWith("/ #n_i / log(#n_c)", m.Print(m.Loss));
        Assert.Equal("[n_i, n_c]", Shape(m, "z"));
        // It is a scalar: sum[c](...) / extent(c) depends on i only, and mean reduces it.
        Assert.Equal("sum[i](sum[c](z[i, c])) / #n_c / #n_i", Loss("mean[i](sum[c](z[i, c]) / extent(c)) + 0 * mean[i](z[i, y[i]])", "z:F, y:I"));
    }

    [Fact]
    public void ExtentInsideAReductionIsItsBindersExtent()
    {
        // Two c's of different extents: inside each binder extent(c) is that binder's.
        Assert.Equal("sum[c1](x[c1]) / #n_c + sum[c3](w[c3]) / #n_c_2",
            Loss("sum[c](x[c] / extent(c)) + sum[c](w[c] / extent(c))", "x:F, w:F, dx:G"));
        // Declared and shape-declared names give their extent anywhere.
        Assert.Equal("sum[i](x[i]) * #n", Loss("index i : n; sum[i](x[i]) * extent(i)", "x:F, n:N"));
        Assert.Equal("sum[k, d](t[k, d]) * #n_k", Loss("index d : dim; shape t[k, d]; sum[k, d](t[k, d]) * extent(k)", "t:F, dim:N"));
    }

    [Fact]
    public void ExtentHasNoGradient()
    {
        var c = Compile("sum(x * extent(e2)) + 0 * sum[e2](w[e2])", "x:F, w:F, dx:G");
        Assert.True(c.Success, string.Join("; ", c.Diagnostics));
        Assert.Equal("#n_e2 * upstream", c.Model!.Print(Assert.Single(c.Gradients).Expression));
    }

    [Theory]
    [InlineData("sum[c](x[c]) + sum[c](w[c]) / extent(c)", "c", 4, DiagnosticIds.AmbiguousExtent, "range over 2 different extents (the length of 'x', the length of 'w')")]
    [InlineData("mean(x) / extent(q)", "q", 0, DiagnosticIds.UnknownName, "no index is named 'q'")]
    [InlineData("mean(x) / extent(x)", "x", 2, DiagnosticIds.InvalidBinder, "must be an index name")]
    [InlineData("mean(x) / extent(x[0])", "x[0]", 0, DiagnosticIds.InvalidBinder, "must be an index name")]
    [InlineData("mean(x) / extent(c, d)", "extent(c, d)", 0, DiagnosticIds.WrongArgumentCount, "'extent' takes 1 argument")]
    [InlineData("mean(x) / extent[c](c)", "extent", 0, DiagnosticIds.InvalidBinder, "takes no [indices]")]
    [InlineData("mean(x) * extent(k) + count[k](k < 3)", "k", 1, DiagnosticIds.ExtentNotInferable, "the extent of index 'k' is unknown")]
    [InlineData("extent = 2; mean(x)", "extent", 0, DiagnosticIds.DuplicateName, "already defined")]
    public void ExtentErrorsAreLocated(string source, string marker, int nth, string id, string message)
    {
        AssertError(source, "x:F, w:F, dx:G", id, marker, nth, message);
    }

    // ---- Extents of indices that subscript no tensor --------------------------------------------------------------

    [Fact]
    public void AnIndexOnlyInComparisonsTakesTheExtentOfItsName()
    {
        // The c of count[c](hasPos[c]) subscripts nothing; every other c ranges over the rows of w.
        var m = Bind("hasPos[c] = count[i](y[i] == c) > 0; sum[c](w[c] * hasPos[c]) / count[c](hasPos[c])", "w:F, y:I, dw:G");
        Assert.Equal("n_c from w; n_i from y", Plan(m));
        var reductions = Reachable(m.Loss).Where(n => n.Op == Op.Reduce).SelectMany(n => n.Bound).Where(v => v.Name == "c").ToList();
        Assert.NotEmpty(reductions);
        Assert.All(reductions, v => Assert.Equal("n_c", m.Extents[v.Extent].Name));
    }

    [Fact]
    public void AnIndexOnlyInComparisonsWithoutOneExtentOfItsNameIsStillUnknown()
    {
        AssertError("mean(w) + count[c](c < 2)", "w:F", DiagnosticIds.ExtentNotInferable, "c", 1, "it subscripts no tensor");
        AssertError("sum[c](x[c]) + sum[c](w[c]) + count[c](c < 2)", "x:F, w:F", DiagnosticIds.ExtentNotInferable, "c", 5,
            "the indices named 'c' that do range over 2 different extents");
        // A tensor axis is never given an extent by name: t's shape stays unknown.
        AssertError("sum[c](w[c]) + sum[i, c](t[i, c])", "w:F, t:F", DiagnosticIds.ExtentNotInferable, "t[i, c]");
    }

    // ---- Shape declarations ---------------------------------------------------------------------------------------

    [Fact]
    public void AShapeDeclarationNamesTheAxesOfAGatheredTable()
    {
        var m = Bind("shape centers[k, d]; 0.5 * sum[i](sum[d]((x[i, d] - centers[y[i], d])^2)) / extent(k)",
            "x:F, y:I, centers:F, dx:G, dcenters:G");
        Assert.Equal("[n_k, n_d]", Shape(m, "centers"));
        Assert.Equal("n_i from y; n_d from x; n_k from centers", Plan(m));
        Assert.EndsWith("/ #n_k", m.Print(m.Loss));
    }

    [Fact]
    public void AShapeDeclarationKeepsADeclaredExtent()
    {
        var m = Bind("index k : classes; shape w[k, d]; sum[k, d](w[k, d]) + sum[i](x[i, y[i]])", "w:F, x:F, y:I, classes:N, dw:G");
        Assert.Equal("[classes, n_d]", Shape(m, "w"));
        Assert.Equal("classes = classes; n_i from y; n_d from w; n4 from x", Plan(m));
    }

    [Fact]
    public void ATensorNamedOnlyInAShapeIsCheckedButUnused()
    {
        var c = Compile("shape t[i]; sum[i](x[i]) * extent(i)", "x:F, t:F");
        Assert.True(c.Success, string.Join("; ", c.Diagnostics));
        Assert.Equal("n_i from x; check t", Plan(c.Model!));
        var w = Assert.Single(c.Diagnostics);
        Assert.Equal((DiagnosticIds.UnusedInput, "t"), (w.Id, w.Parameter));
    }

    [Theory]
    [InlineData("shape alpha[k]; mean(x)", "alpha", 0, DiagnosticIds.NotIndexable, "has no shape")]
    [InlineData("shape v[k]; mean(x)", "v", 0, DiagnosticIds.UnknownName, "unknown tensor 'v'")]
    [InlineData("shape x[k]; shape x[k]; mean[k](x[k])", "x", 1, DiagnosticIds.DuplicateName, "already declared")]
    [InlineData("shape x[k, d]; mean[i](x[i])", "x[i]", 0, DiagnosticIds.RankMismatch, "has rank 2")]
    [InlineData("shape x[alpha]; mean(x)", "alpha", 0, DiagnosticIds.DuplicateName, "cannot be used as an index name")]
    [InlineData("shape x[k]; mean(x)", "x", 1, DiagnosticIds.RankMismatch, "both with and without subscripts")]
    public void ShapeErrorsAreLocated(string source, string marker, int nth, string id, string message)
    {
        AssertError(source, "x:F, alpha:R", id, marker, nth, message);
    }

    // ---- Gathers from indexed bindings ----------------------------------------------------------------------------

    [Fact]
    public void AGatherFromABindingComputesTheGatheredElementOnly()
    {
        var m = Bind("s[i, c] = sum[d](x[i, d] * w[c, d]); mean[i](s[i, y[i]])", "x:F, w:F, y:I, dx:G, dw:G");
        Assert.Equal("sum[i](where(y[i] >= 0 && y[i] < #n_c, sum[d](x[i, d] * w[y[i], d]), 0)) / #n_i", m.Print(m.Loss));
        // No reduction over the binding's parameter: one sum over d per row.
        Assert.Equal(2, Reachable(m.Loss).Count(n => n.Op == Op.Reduce));
    }

    [Fact]
    public void GathersFromBindingsShareWithTheSameGatherAndWithTensors()
    {
        // The binding gathered twice at y[i] is one value; a gathered log_softmax is the tensor gather minus the row's lse.
        var m = Bind("p[i, c] = log_softmax[c](z[i, c]); mean[i](p[i, y[i]] * p[i, y[i]])", "z:F, y:I, dz:G");
        Assert.Single(Reachable(m.Loss), n => n.Op == Op.Log);
        Assert.Contains("z[i, y[i]] - ", m.Print(m.Loss));
        // A condition gathers to false outside the range; a subscript may be any int expression.
        string bools = Loss("pos[i] = x[i] > 0; sum[i](pos[y[i] + 1])", "x:F, y:I");
        Assert.Equal("sum[i](where(x[1 + y[i]] > 0 && (1 + y[i] >= 0 && 1 + y[i] < #n_i_2), 1, 0))", bools);
    }

    [Theory]
    [InlineData("s[i] = x[i] * 2; mean[i](s[w[i]])", "w[i]", DiagnosticIds.TypeMismatch, "a subscript of binding 's' must be an index or an integer")]
    [InlineData("s[c] = c * 2; mean[i](s[y[i]] * x[i])", "y[i]", DiagnosticIds.ExtentNotInferable, "gathers parameter 'c' of binding 's', whose extent is unknown")]
    [InlineData("s[i] = x[i] * 2; mean[i](s[y[i] > 0])", "y[i] > 0", DiagnosticIds.TypeMismatch, "must be an index or an integer")]
    public void GatherFromBindingErrorsAreLocated(string source, string marker, string id, string message)
    {
        AssertError(source, "x:F, w:F, y:I, dx:G", id, marker, message: message);
    }

    // ---- Functions ------------------------------------------------------------------------------------------------

    [Fact]
    public void FunctionsAreExpandedWithTheirArgumentsAndEqualCallsAreShared()
    {
        var m = Bind("f(a, b) = b * log(a) + (1 - b) * log(1 - a); mean(f(sigmoid(x), 0.7) + f(sigmoid(x), 0.7) + f(sigmoid(x), y))", "x:F, y:F, dx:G");
        // The two calls f(sigmoid(x), 0.7) are one value, added to itself; log(sigmoid(x)) is shared by all three calls.
        Assert.Contains(Reachable(m.Loss), n => n.Op == Op.Add && ReferenceEquals(n.Args[0], n.Args[1]));
        Assert.Equal(2, Reachable(m.Loss).Count(n => n.Op == Op.Log));
        // Arguments of any type: a condition stays a condition.
        Assert.Equal("sum[i](where(x[i] > 0, x[i], 0))", Loss("pos(v) = v > 0; sum[i | pos(x[i])](x[i])", "x:F"));
    }

    [Fact]
    public void FunctionBodiesAreHygienic()
    {
        // The body's c is its own: the caller's c in the argument is not captured (a capture would leave one reduction).
        var m = Bind("index c : m; f(a) = sum[c](exp(a * w[c])); sum[i, c](f(z[i, c]))", "z:F, w:F, m:N");
        Assert.Equal(2, Reachable(m.Loss).Count(n => n.Op == Op.Reduce));
        var outer = m.Loss;
        var inner = Assert.Single(outer.Args);
        Assert.Equal((Op.Reduce, Op.Reduce), (outer.Op, inner.Op));
        Assert.Contains(outer.Bound, v => v.Name == "c" && inner.DependsOn(v.Id) && !inner.Bound.Contains(v));
        // A binder-less reduction in the body reduces the implicit indices of its argument, as written out: not the caller's i.
        Assert.Equal("sum[i](max[c](z[i, c])) / #n_i", Loss("index c : m; f(a) = max(a); mean[i](f(z[i, c]))", "z:F, m:N"));
    }

    [Theory]
    [InlineData("f(a) = a * x[i]; mean[i](f(x[i]))", "i", 0, DiagnosticIds.UnknownName, "index 'i' is not bound inside function 'f'")]
    [InlineData("f(a) = a * w; mean(f(x))", "w", 0, DiagnosticIds.UnknownName, "which function 'f' does not see")]
    [InlineData("lse = logsumexp[c](z[i, c]); f(a) = a - lse; mean[i](f(z[i, y[i]]))", "i", 0, DiagnosticIds.UnknownName, "not bound inside function 'f'")]
    [InlineData("f(a) = a[i]; mean(f(x))", "a", 1, DiagnosticIds.NotIndexable, "is a parameter of function 'f'")]
    [InlineData("f(a) = f(a) + 1; mean(f(x))", "f", 1, DiagnosticIds.RecursiveFunction, "function 'f' calls itself")]
    [InlineData("f(a) = g(a) * 2; g(b) = f(b); mean(f(x))", "f", 1, DiagnosticIds.RecursiveFunction, "function 'f' calls itself (through 'g')")]
    [InlineData("f(a, b) = a * b; mean(f(x))", "f(x)", 0, DiagnosticIds.WrongArgumentCount, "'f' takes 2 argument(s) (a, b) but 1 were given")]
    [InlineData("f(a) = a; mean(x * f)", "f", 1, DiagnosticIds.WrongArgumentCount, "is a function")]
    [InlineData("f(a) = a; mean[i](f[i](x[i]))", "f", 1, DiagnosticIds.InvalidBinder, "takes no [indices]")]
    [InlineData("f(a) = a; f = 2; mean(x)", "f", 1, DiagnosticIds.DuplicateName, "already defined")]
    [InlineData("f(a) = a; f(b) = b; mean(x)", "f", 1, DiagnosticIds.DuplicateName, "already defined")]
    [InlineData("exp(a) = a; mean(x)", "exp", 0, DiagnosticIds.DuplicateName, "already defined")]
    [InlineData("x(a) = a; mean(x)", "x", 0, DiagnosticIds.DuplicateName, "already defined")]
    [InlineData("f(a, a) = a; mean(f(x, x))", "a", 1, DiagnosticIds.DuplicateName, "two parameters named 'a'")]
    [InlineData("f(pi) = pi; mean(f(x))", "pi", 0, DiagnosticIds.DuplicateName, "cannot name a parameter")]
    [InlineData("f(a) = sum[a](x[a]); mean(f(x))", "a", 1, DiagnosticIds.InvalidBinder, "cannot be a reduction index")]
    [InlineData("f(a) = a * foo; mean(f(x))", "foo", 0, DiagnosticIds.UnknownName, "unknown name 'foo'")]
    public void FunctionErrorsAreLocated(string source, string marker, int nth, string id, string message)
    {
        AssertError(source, "x:F, w:F, z:F, y:I, dx:G", id, marker, nth, message);
    }

    [Fact]
    public void FunctionsRespectTheDepthLimits()
    {
        // A chain of functions deeper than the binder's limit, and calls that double at every level: LOSS0103, located.
        string chain = "f0(a) = a * 2; " + string.Concat(Enumerable.Range(1, 299).Select(k => $"f{k}(a) = f{k - 1}(a) * 0.5 + 1; ")) + "mean(f299(x))";
        var d = Error(chain, "x:F, dx:G");
        Assert.Equal(DiagnosticIds.NestedTooDeeply, d.Id);
        Assert.True(d.Length > 0 && d.Offset + d.Length <= chain.Length);
        string doubling = "f0(a) = a * 2; " + string.Concat(Enumerable.Range(1, 39).Select(k => $"f{k}(a) = f{k - 1}(exp(a)) + f{k - 1}(log(a)); ")) + "mean(f39(x))";
        d = Error(doubling, "x:F, dx:G");
        Assert.Equal(DiagnosticIds.NestedTooDeeply, d.Id);
        Assert.Contains("more than 10000 different calls", d.Message);
        // 100 functions in a chain are fine.
        Bind("f0(a) = a * 2; " + string.Concat(Enumerable.Range(1, 99).Select(k => $"f{k}(a) = f{k - 1}(a) * 0.5 + 1; ")) + "mean(f99(x))", "x:F, dx:G");
    }

    // ---- Simplification -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("mean(x*1 + 0)", "sum[e](x[e]) / #n_e")]
    [InlineData("mean(1*x - 0)", "sum[e](x[e]) / #n_e")]
    [InlineData("mean(--x)", "sum[e](x[e]) / #n_e")]
    [InlineData("mean(x^1 + x^0)", "sum[e](1 + x[e]) / #n_e")]
    [InlineData("mean(x - x + x)", "sum[e](x[e]) / #n_e")]
    [InlineData("mean(x * (2 + 3) / 5)", "sum[e](x[e]) / #n_e")]
    [InlineData("mean(x^2)", "sum[e](x[e] * x[e]) / #n_e")]
    [InlineData("mean(-x^2)", "-(sum[e](x[e] * x[e]) / #n_e)")]
    [InlineData("mean(x) + 2*3", "sum[e](x[e]) / #n_e + 6")]
    [InlineData("mean(x) * (1 - 1)", "0")]
    [InlineData("sum(x*0)", "0")]
    [InlineData("mean(x + exp(0) + log(1))", "sum[e](1 + x[e]) / #n_e")]
    [InlineData("mean(x * abs(-2))", "2 * sum[e](x[e]) / #n_e")]
    [InlineData("mean(where(x > 0, y, y))", "sum[e](y[e]) / #n_e")]
    [InlineData("mean(pi * x + inf)", "sum[e](inf + 3.141592653589793 * x[e]) / #n_e")]
    [InlineData("sum[i | i > 2](x[i])", "sum[i](where(i > 2, x[i], 0))")]
    public void Simplification(string source, string expected)
    {
        Assert.Equal(expected, Loss(source, "x:F, y:F"));
    }

    [Fact]
    public void ASumOverAnUnusedIndexMultipliesByTheExtent()
    {
        Assert.Equal("alpha * #n", Loss("index i : n; sum[i](alpha)", "alpha:R, n:N"));
        Assert.Equal("#n * sum[i](x[i])", Loss("index j : n; sum[i, j](x[i])", "x:F, n:N"));
    }

    [Fact]
    public void FactorsThatDoNotDependOnTheBoundIndexLeaveTheSum()
    {
        Assert.Equal("alpha * sum[e](x[e])", Loss("sum(alpha * x)", "x:F, alpha:R"));
        Assert.Equal("sum[e](x[e]) / alpha", Loss("sum(x / alpha)", "x:F, alpha:R"));
    }

    // ---- Common subexpressions ------------------------------------------------------------------------------------

    [Fact]
    public void TheSameSubexpressionBuiltTwiceIsTheSameNode()
    {
        var g = new IrGraph();
        var a = g.Param(0, DslType.Real);
        var b = g.Param(1, DslType.Real);
        Assert.Same(g.Unary(Op.Exp, g.Mul(a, b)), g.Unary(Op.Exp, g.Mul(a, b)));
        Assert.Same(g.Add(a, b), g.Add(b, a)); // commutative operations are canonicalized
        Assert.Same(g.Const(2.5), g.Const(2.5));
        Assert.NotSame(g.Sub(a, b), g.Sub(b, a));
        int before = g.NodeCount;
        g.Add(g.Mul(a, b), g.Unary(Op.Exp, g.Mul(a, b)));
        g.Add(g.Mul(a, b), g.Unary(Op.Exp, g.Mul(a, b)));
        Assert.Equal(before + 1, g.NodeCount); // only the Add was new, and only once
    }

    [Fact]
    public void AlphaEquivalentReductionsAreTheSameNode()
    {
        var g = new IrGraph();
        var i = g.NewVar("i", 0);
        var j = g.NewVar("j", 0);
        var x = g.Load(0, DslType.Real, new[] { g.Index(i) });
        var y = g.Load(0, DslType.Real, new[] { g.Index(j) });
        Assert.Same(g.Reduce(ReduceKind.Sum, new[] { i }, g.Unary(Op.Exp, x)), g.Reduce(ReduceKind.Sum, new[] { j }, g.Unary(Op.Exp, y)));
    }

    [Fact]
    public void CompiledLossesShareSubexpressions()
    {
        var m = Bind("mean(exp(x) * alpha + exp(x))", "x:F, alpha:R");
        Assert.Equal("sum[e](exp(x[e]) + alpha * exp(x[e])) / #n_e", m.Print(m.Loss));
        Assert.Single(Reachable(m.Loss), n => n.Op == Op.Exp);
        Assert.Single(Reachable(m.Loss), n => n.Op == Op.Load);

        // A binding is inlined at every use, yet built once.
        var p = Bind("p = sigmoid(x); mean(p * p + p * (2 - p))", "x:F");
        Assert.Single(Reachable(p.Loss), n => n.Op == Op.Sigmoid);

        // mean[i](x[i]) and mean[j](x[j]) are one node, so their difference is exactly zero.
        Assert.Equal("sum[e](y[e]) / #n_e", Loss("mean[i](x[i]) - mean[j](x[j]) + mean(y)", "x:F, y:F"));
    }

    [Fact]
    public void GradientOfBinaryCrossEntropy()
    {
        var c = Compile("mean(bce_logits(x, y))", "x:F, y:F, dx:G");
        Assert.True(c.Success);
        var m = c.Model!;
        var g = Assert.Single(c.Gradients);
        Assert.Equal("x", g.Tensor.Name);
        // The product rule leaves upstream/n * sigmoid(x) - upstream/n * y; distributivity factors it.
        Assert.Equal("upstream / #n_e * (sigmoid(x[a0]) - y[a0])", m.Print(g.Expression));
    }
}
