using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Planning;
using LossDsl.Language.Scheduling;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Language;

/// <summary>
/// The scheduler and the planner on their own: the plans of representative losses (elementwise, row-wise with an
/// online logsumexp, masked reductions, global reductions in two passes, a pair space with scratch buffers, several
/// gradients), as approved snapshots of the plan printer (Language/Snapshots; LOSSDSL_ACCEPT=1 updates them), and the
/// decisions that matter checked one by one.
/// </summary>
public class PlanTests
{
    public sealed record Case(string Name, string Expression, string Parameters)
    {
        public override string ToString() => Name;
    }

    public static readonly Case[] Cases =
    {
        new("Mse", "mean((yhat - y)^2)", "yhat:F, y:F, dyhat:G"),
        new("BceWithLogits", "mean(bce_logits(x, y))", "x:F, y:F, dx:G"),
        new("SigmoidFocal", "p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))",
            "x:F, y:F, dx:G, alpha:R, gamma:R"),
        new("SoftmaxCrossEntropy", "mean[i](logsumexp[c](logits[i, c]) - logits[i, labels[i]])", "logits:F, labels:I, dlogits:G"),
        new("CrossEntropyIgnoreIndex", "sum[i | y[i] != ignore](logsumexp[c](z[i, c]) - z[i, y[i]]) / count[i](y[i] != ignore)", "z:F, y:I, dz:G, ignore:N"),
        new("SoftDice", "p = sigmoid(x); 1 - (2 * sum(p * g) + smooth) / (sum(p) + sum(g) + smooth)", "x:F, g:F, dx:G, smooth:R"),
        new("JsDivergence", """
            index i : rows;
            la[i, c] = log_softmax[c](a[i, c]);
            lb[i, c] = log_softmax[c](b[i, c]);
            lm[i, c] = max(la[i, c], lb[i, c]) + log1p(exp(-abs(la[i, c] - lb[i, c]))) - log(2);
            mean[i](0.5 * sum[c](exp(la[i, c]) * (la[i, c] - lm[i, c]) + exp(lb[i, c]) * (lb[i, c] - lm[i, c])))
            """, "a:F, b:F, da:G, db:G, rows:N"),
        new("InfoNce", """
            zn[i, d] = z[i, d] / norm[e](z[i, e]);
            s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
            mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
            """, "z:F, pos:I, dz:G, tau:R"),
    };

    public static TheoryData<Case> AllCases() => new(Cases);

    private static LossCompilation Compile(Case c)
    {
        var ps = LanguageParameters.Parse(c.Parameters);
        var compilation = LossCompiler.Compile(c.Expression, ps, differentiate: true, plan: true);
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        return compilation;
    }

    private static KernelPlan Plan(string name) => Compile(Cases.Single(c => c.Name == name)).ForwardBackward!;

    [Theory]
    [MemberData(nameof(AllCases))]
    public void PlansMatchTheApprovedSnapshots(Case c)
    {
        var compilation = Compile(c);
        Approvals.Verify(PlanPrinter.Print(compilation.Forward!) + "\n" + PlanPrinter.Print(compilation.ForwardBackward!), "Plan." + c.Name);
    }

    [Fact]
    public void AnElementwiseLossIsOneParallelVectorizedPass()
    {
        var plan = Plan("Mse");
        var pass = Assert.Single(plan.Passes);
        Assert.Equal(LoopRole.ParallelChunks, pass.Loop.Role);
        Assert.Equal(Planner.VectorChunkAlignment, pass.ChunkAlignment);
        Assert.Empty(pass.WorkExtents);
        // A light body is unrolled twice; it accumulates the loss and stores the gradient in the same sweep.
        Assert.Equal(2, pass.Loop.Vector!.Unroll);
        Assert.Contains(pass.Loop.Body, s => s is AccumulateStmt);
        Assert.Contains(pass.Loop.Body, s => s is StoreStmt);
        Assert.Empty(plan.Buffers);
    }

    [Fact]
    public void APolynomialBodyIsNotUnrolledAndSpendsTheInliningBudgetInOrder()
    {
        var bce = Plan("BceWithLogits").Passes.Single().Loop.Vector!;
        Assert.Equal(1, bce.Unroll);
        Assert.Empty(bce.OutOfLine);
        // The uniform exponent's power of the focal loss takes its own logarithm (no other value uses log|1 - pt|).
        Assert.NotEmpty(Plan("SigmoidFocal").PowersOwningTheirLog);
        // The gradient sweep of a Jensen-Shannon row computes more polynomial functions than the budget inlines: the
        // first ones it computes are inlined, the rest called.
        var rows = Plan("JsDivergence").Passes.Single().Loop;
        var sweep = rows.Body.OfType<PlanLoop>().Last(l => l.Body.Any(s => s is StoreStmt));
        Assert.Equal(1, sweep.Vector!.Unroll);
        var outOfLine = Assert.Single(sweep.Vector.OutOfLine);
        Assert.Equal(LossDsl.Language.Ir.Op.Exp, outOfLine.Op);
    }

    [Fact]
    public void ARowWiseLossRunsRowsInParallelAndVersionsItsOnlineLogsumexp()
    {
        var plan = Plan("SoftmaxCrossEntropy");
        var pass = Assert.Single(plan.Passes);
        Assert.Equal(LoopRole.ParallelRows, pass.Loop.Role);
        Assert.Null(pass.Loop.Vector);
        var versioned = Assert.Single(pass.Loop.Body.OfType<VersionedLoop>());
        Assert.Equal(Planner.OnlineMinimumLength, versioned.Threshold);
        Assert.Single(versioned.Online.OnlineSums);
        Assert.All(new[] { versioned.Online, versioned.MaxSweep, versioned.SumSweep }, l => Assert.Equal(LoopRole.VectorLanes, l.Role));
        Assert.Empty(versioned.MaxSweep.OnlineSums);
        // The gradient's row sweep is in the same pass, after the row's statistics.
        var gradient = pass.Loop.Body.OfType<PlanLoop>().Last();
        Assert.Equal(LoopRole.VectorLanes, gradient.Role);
        Assert.Contains(gradient.Body, s => s is StoreStmt);
        // A row is the work of one iteration.
        Assert.Single(pass.WorkExtents);
    }

    [Fact]
    public void GlobalReductionsNeededByTheGradientTakeAPassOfTheirOwn()
    {
        var plan = Plan("SoftDice");
        Assert.Equal(2, plan.Passes.Count);
        Assert.Equal(3, plan.Passes[0].Loop.Completes.Count); // sum(p * g), sum(p), sum(g)
        Assert.Empty(plan.Passes[1].Loop.Completes);
        Assert.Contains(plan.Passes[1].Loop.Body, s => s is StoreStmt);
        Assert.Equal(plan.Passes[0].Loop.Completes, plan.Globals);
    }

    [Fact]
    public void APairSpaceMaterializesPairTermsIntoBuffersWithLifetimes()
    {
        var plan = Plan("InfoNce");
        Assert.NotEmpty(plan.Buffers);
        foreach (var b in plan.Buffers)
        {
            Assert.Equal(MemorySpace.Global, b.Space);
            Assert.InRange(b.WrittenInPass, 1, plan.Passes.Count);
            Assert.InRange(b.LastReadInPass, b.WrittenInPass + 1, plan.Passes.Count);
        }
        // The row loop of the loss computes each similarity once: an online logsumexp over a loop with inner loops
        // is one sweep, not versioned.
        var forward = Compile(Cases.Single(c => c.Name == "InfoNce")).Forward!;
        var rows = forward.Passes.Last().Loop;
        Assert.Equal(LoopRole.ParallelRows, rows.Role);
        var pairs = rows.Body.OfType<PlanLoop>().Single(l => l.OnlineSums.Any());
        Assert.Equal(LoopRole.Sequential, pairs.Role);
        Assert.Empty(rows.Body.OfType<VersionedLoop>());
    }

    [Fact]
    public void HoistedInvariantsAreComputedBeforeTheirLoop()
    {
        // sum(p * g) / ... in the gradient pass of soft Dice does not depend on the element: hoisted out of the pass loop.
        var gradientPass = Plan("SoftDice").Passes[1].Loop;
        Assert.NotEmpty(gradientPass.Hoisted);
        Assert.All(gradientPass.Hoisted, n => Assert.False(n.DependsOn(gradientPass.Var.Id)));
    }
}
