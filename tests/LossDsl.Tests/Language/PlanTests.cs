using System.Collections.Generic;
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
        new("NumberTokenLoss", "p[i, k] = softmax[k](z[i, idx[k]]); mean[i]((sum[k](p[i, k] * v[k]) - v[tgt[i]])^2)", "z:F, idx:I, v:F, tgt:I, dz:G"),
        new("ClassWeight", "mean[i](w[y[i]] * (x[i] - t[i])^2)", "w:F, x:F, t:F, y:I, dw:G, dx:G"),
        new("WindowMean", """
            index h : height; index a : ws; shape x[h, w];
            mean[h, w]((sum[a, b](k[a, b] * x[h + a - r, w + b - r]) - t[h, w])^2)
            """, "x:F, k:F, t:F, dx:G, height:N, ws:N, r:N"),
        new("Ssim", """
            index h : height; index a : ws; shape x[h, w]; shape y[h, w];
            mx[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r]);
            my[h, w] = sum[a, b](k[a, b] * y[h + a - r, w + b - r]);
            sxx[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r]^2) - mx[h, w]^2;
            syy[h, w] = sum[a, b](k[a, b] * y[h + a - r, w + b - r]^2) - my[h, w]^2;
            sxy[h, w] = sum[a, b](k[a, b] * x[h + a - r, w + b - r] * y[h + a - r, w + b - r]) - mx[h, w] * my[h, w];
            1 - mean[h, w]((2 * mx[h, w] * my[h, w] + c1) * (2 * sxy[h, w] + c2) / ((mx[h, w]^2 + my[h, w]^2 + c1) * (sxx[h, w] + syy[h, w] + c2)))
            """, "x:F, y:F, k:F, dx:G, height:N, ws:N, r:N, c1:R, c2:R"),
        new("LinearCrossEntropy", """
            logits[i, v] = sum[d](h[i, d] * w[v, d]);
            mean[i](logsumexp[v](logits[i, v]) - sum[v | v == y[i]](logits[i, v]))
            """, "h:F, w:F, y:I, dh:G, dw:G"),
    };

    public static TheoryData<Case> AllCases() => new(Cases);

    private static LossCompilation Compile(Case c)
    {
        var ps = LanguageParameters.Parse(c.Parameters);
        var compilation = LossCompiler.Compile(c.Expression, ps, differentiate: true, plan: true);
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        return compilation;
    }

    private static List<LoopPassPlan> LoopPasses(KernelPlan plan) => plan.Passes.OfType<LoopPassPlan>().ToList();

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
        var pass = Assert.Single(plan.Passes.OfType<LoopPassPlan>());
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
        var bce = Plan("BceWithLogits").Passes.OfType<LoopPassPlan>().Single().Loop.Vector!;
        Assert.Equal(1, bce.Unroll);
        Assert.Empty(bce.OutOfLine);
        // The uniform exponent's power of the focal loss takes its own logarithm (no other value uses log|1 - pt|).
        Assert.NotEmpty(Plan("SigmoidFocal").PowersOwningTheirLog);
        // The gradient sweep of a Jensen-Shannon row computes more polynomial functions than the budget inlines: the
        // first ones it computes are inlined, the rest called.
        var rows = Plan("JsDivergence").Passes.OfType<LoopPassPlan>().Single().Loop;
        var sweep = rows.Body.OfType<PlanLoop>().Last(l => l.Body.Any(s => s is StoreStmt));
        Assert.Equal(1, sweep.Vector!.Unroll);
        var outOfLine = Assert.Single(sweep.Vector.OutOfLine);
        Assert.Equal(LossDsl.Language.Ir.Op.Exp, outOfLine.Op);
    }

    [Fact]
    public void ARowWiseLossRunsRowsInParallelAndVersionsItsOnlineLogsumexp()
    {
        var plan = Plan("SoftmaxCrossEntropy");
        var pass = Assert.Single(plan.Passes.OfType<LoopPassPlan>());
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
        Assert.Equal(3, LoopPasses(plan)[0].Loop.Completes.Count); // sum(p * g), sum(p), sum(g)
        Assert.Empty(LoopPasses(plan)[1].Loop.Completes);
        Assert.Contains(LoopPasses(plan)[1].Loop.Body, s => s is StoreStmt);
        Assert.Equal(LoopPasses(plan)[0].Loop.Completes, plan.Globals);
    }

    [Fact]
    public void APairSpaceIsTiledAndNothingOfItsSizeIsStored()
    {
        var compilation = Compile(Cases.Single(c => c.Name == "InfoNce"));
        foreach (var plan in new[] { compilation.Forward!, compilation.ForwardBackward! })
        {
            // No buffer over two axes of the pair space's extent: statistics are [rows], operands [rows, features].
            Assert.DoesNotContain(plan.Buffers, b => b.Axes.Length == 2 && b.Axes[0].Extent == b.Axes[1].Extent);
            foreach (var b in plan.Buffers)
            {
                Assert.Equal(MemorySpace.Global, b.Space);
                Assert.InRange(b.WrittenInPass, 1, plan.Passes.Count);
                Assert.InRange(b.LastReadInPass, b.WrittenInPass + 1, plan.Passes.Count);
            }
            // The normalized embeddings are packed once into a panel for the tile products.
            Assert.Single(plan.Panels);
            Assert.Single(plan.Passes.OfType<PanelPassPlan>());
        }
        // The loss: one pair pass for the row statistics (the online max and sum of exponentials, the positive's
        // similarity), then a pass over rows.
        var statistics = Assert.Single(compilation.Forward!.Passes.OfType<PairPassPlan>());
        Assert.Single(statistics.Pass.Contractions);
        Assert.Equal(3, statistics.Pass.Statistics.Count);
        Assert.Single(statistics.OnlineSums);
        Assert.Empty(statistics.Pass.BackContractions);
        // With the gradient: the statistics, then one more pass whose single back contraction carries both sides of
        // the symmetric similarity (3 matrix products in all, as PyTorch's S = Z Z^T, G Z and G^T Z).
        var pairs = compilation.ForwardBackward!.Passes.OfType<PairPassPlan>().ToList();
        Assert.Equal(2, pairs.Count);
        Assert.Equal(3, pairs[0].Pass.Statistics.Count);
        var back = Assert.Single(pairs[1].Pass.BackContractions);
        Assert.Empty(pairs[1].Pass.Statistics);
        Assert.Equal(LoopRole.VectorLanes, pairs[1].ColumnLoop.Role);
        Assert.Equal(pairs[0].Panels[0], pairs[1].Panels[0]);
        Assert.Equal(2, compilation.ForwardBackward.Buffers.Single(b => ReferenceEquals(b.Buffer, pairs[1].Pass.Outputs[back.Value])).Axes.Length);
    }

    [Fact]
    public void AClassifierHeadIsOneStripOfThreeMatrixProducts()
    {
        var compilation = Compile(Cases.Single(c => c.Name == "LinearCrossEntropy"));
        // The loss alone: one pair pass (the logits' tiles once, the row statistics), nothing of size N x V.
        var forward = Assert.Single(compilation.Forward!.Passes.OfType<PairPassPlan>());
        Assert.Empty(forward.Pass.BackContractions);
        // With the gradient: one strip whose tiles are computed once, kept for the block, and read by the weights
        // phase, which accumulates dh (a row back contraction) and dw (a column back contraction) from one shared
        // weight tile: 3 matrix products, as PyTorch's h w^T, G w and G^T h.
        var plan = compilation.ForwardBackward!;
        Assert.Empty(plan.Passes.OfType<PairPassPlan>());
        var strip = Assert.Single(plan.Passes.OfType<StripPassPlan>());
        Assert.Single(strip.Pass.Contractions);
        Assert.Single(strip.OnlineSums);
        var row = Assert.Single(strip.Pass.RowBacks);
        var column = Assert.Single(strip.Pass.ColumnBacks);
        Assert.Equal(1, strip.WeightTiles);
        Assert.Equal(row.Tile, column.Tile);
        Assert.Single(strip.Panels);
        Assert.Equal(LoopRole.VectorLanes, strip.StatisticsLoop.Role);
        Assert.Equal(LoopRole.VectorLanes, strip.WeightsLoop.Role);
        Assert.True(strip.MinimumRowBlock % 6 == 0 && strip.MaximumRowBlock % 6 == 0 && strip.MinimumRowBlock <= strip.MaximumRowBlock);
        Assert.DoesNotContain(plan.Buffers, b => b.Axes.Length == 2 && b.Axes.Select(a => a.Extent).ToHashSet().SetEquals(new[] { strip.Pass.Row.Extent, strip.Pass.Column.Extent }));
    }

    [Fact]
    public void HoistedInvariantsAreComputedBeforeTheirLoop()
    {
        // sum(p * g) / ... in the gradient pass of soft Dice does not depend on the element: hoisted out of the pass loop.
        var gradientPass = LoopPasses(Plan("SoftDice"))[1].Loop;
        Assert.NotEmpty(gradientPass.Hoisted);
        Assert.All(gradientPass.Hoisted, n => Assert.False(n.DependsOn(gradientPass.Var.Id)));
    }

    /// <summary>The stores of a plan's loop, at any depth (versioned loops: their one-sweep version).</summary>
    private static List<StoreStmt> Stores(PlanLoop loop) => loop.Body.SelectMany(s => s switch
    {
        StoreStmt st => new List<StoreStmt> { st },
        PlanLoop l => Stores(l),
        VersionedLoop v => Stores(v.Online),
        _ => new List<StoreStmt>(),
    }).ToList();

    [Fact]
    public void AnOutputIsStoredInThePassThatComputesTheLoss()
    {
        // Per-row cross-entropy terms and a statistic: still one pass over the rows, in both kernels, the row's output
        // stored where its loss term is accumulated; the statistic is stored after the passes, like the loss.
        var ps = LanguageParameters.Parse("z:F, y:I, dz:G, terms:G, accuracy:G");
        var compilation = LossCompiler.Compile("terms[i] = logsumexp[c](z[i, c]) - z[i, y[i]]; accuracy = mean[i](z[i, y[i]] >= max[c](z[i, c])); mean[i](terms[i])",
            ps, differentiate: true, plan: true);
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics));
        foreach (var plan in new[] { compilation.Forward!, compilation.ForwardBackward! })
        {
            var pass = Assert.Single(LoopPasses(plan));
            Assert.Equal(LoopRole.ParallelRows, pass.Loop.Role);
            var store = Assert.Single(Stores(pass.Loop), st => st.Target.OutputOf is not null);
            Assert.Equal("terms", store.Target.OutputOf!.Name);
            Assert.Equal(pass.Loop.Var, Assert.Single(store.Indices));
            var statistic = Assert.Single(plan.ScalarOutputs);
            Assert.Equal("accuracy", statistic.Target.OutputOf!.Name);
            Assert.Empty(statistic.Indices);
            Assert.Equal(2, plan.Outputs.Count);
        }
        Assert.Single(compilation.Gradients);
    }

    [Fact]
    public void APerRowOutputOfAPairSpaceIsStoredInTheRowPassAfterItsStatistics()
    {
        var infoNce = Cases.Single(c => c.Name == "InfoNce");
        var withTerms = LossCompiler.Compile("""
            zn[i, d] = z[i, d] / norm[e](z[i, e]);
            s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
            terms[i] = logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]);
            mean[i](terms[i])
            """, LanguageParameters.Parse(infoNce.Parameters + ", terms:G"), differentiate: true, plan: true);
        Assert.True(withTerms.Success, string.Join("; ", withTerms.Diagnostics));
        var without = Compile(infoNce).ForwardBackward!;
        var plan = withTerms.ForwardBackward!;
        // The same passes: the output adds a store to a pass over the rows after the pair passes, which reads the
        // row statistics from their buffers.
        Assert.Equal(without.Passes.Select(p => p.GetType()), plan.Passes.Select(p => p.GetType()));
        var rows = LoopPasses(plan).Single(p => Stores(p.Loop).Any(st => st.Target.OutputOf is not null));
        Assert.Contains("terms", rows.Loop.Purpose);
        Assert.True(rows.Number > plan.Passes.OfType<PairPassPlan>().Max(p => p.Number));
        Assert.Contains(plan.Buffers, b => plan.Passes[b.WrittenInPass - 1] is PairPassPlan && b.LastReadInPass >= rows.Number);
        // The forward kernel stores it in its one pass over the rows, with the loss terms.
        var forward = Assert.Single(LoopPasses(withTerms.Forward!), p => Stores(p.Loop).Any(st => st.Target.OutputOf is not null));
        Assert.Contains("loss terms", forward.Loop.Purpose);
        Assert.Contains("terms", forward.Loop.Purpose);
    }

    /// <summary>The loops of a statement at any depth, each with the loops that enclose it.</summary>
    private static IEnumerable<(PlanLoop Loop, List<PlanLoop> Outer)> LoopsWithin(PlanLoop root)
    {
        var result = new List<(PlanLoop, List<PlanLoop>)>();
        void Walk(Stmt s, List<PlanLoop> outer)
        {
            switch (s)
            {
                case PlanLoop l:
                    result.Add((l, outer));
                    var inner = new List<PlanLoop>(outer) { l };
                    foreach (var b in l.Body) Walk(b, inner);
                    break;
                case VersionedLoop v:
                    Walk(v.Online, outer); Walk(v.MaxSweep, outer); Walk(v.SumSweep, outer);
                    break;
            }
        }
        Walk(root, new List<PlanLoop>());
        return result;
    }

    [Fact]
    public void TheAdjointOfAGatherOverASubVocabularyIsASparseScatterInTheRowPass()
    {
        var compilation = Compile(Cases.Single(c => c.Name == "NumberTokenLoss"));
        var plan = compilation.ForwardBackward!;
        var vocabulary = compilation.Model!.Tensors.Single(t => t.Name == "z").Axes![1];
        var numberTokens = compilation.Model.Tensors.Single(t => t.Name == "idx").Axes![0];
        // One pass over the rows: the loss, the row's zeros and its scatter, with no loop over the vocabulary that
        // encloses a loop over the number tokens or the other way round: O(V + K) per row, not O(V * K).
        var pass = Assert.Single(LoopPasses(plan));
        Assert.False(pass.OneChunk);
        Assert.Equal(LoopRole.ParallelRows, pass.Loop.Role);
        var loops = LoopsWithin(pass.Loop).ToList();
        Assert.DoesNotContain(loops, x => x.Loop.Var.Extent == numberTokens && x.Outer.Any(o => o.Var.Extent == vocabulary));
        Assert.DoesNotContain(loops, x => x.Loop.Var.Extent == vocabulary && x.Outer.Any(o => o.Var.Extent == numberTokens));
        // The scatter: in a loop over the number tokens directly inside the row, after the row's dense store (zeros).
        var scatterLoop = Assert.Single(loops, x => x.Loop.Body.Any(s => s is ScatterStmt));
        Assert.Equal(numberTokens, scatterLoop.Loop.Var.Extent);
        Assert.Equal(new[] { pass.Loop }, scatterLoop.Outer);
        var scatter = scatterLoop.Loop.Body.OfType<ScatterStmt>().Single();
        Assert.True(scatter.IsOwnedBy(pass.Loop.Var.Id));
        var store = Assert.Single(loops, x => x.Loop.Body.Any(s => s is StoreStmt { Target.GradientOf: not null }));
        Assert.Equal(vocabulary, store.Loop.Var.Extent);
        Assert.True(store.Loop.Body.OfType<StoreStmt>().Single().Value.IsConstValue(0));
        Assert.True(pass.Loop.Body.IndexOf(store.Loop) < pass.Loop.Body.IndexOf(scatterLoop.Loop));
        Assert.Contains("scatter dz[i#", PlanPrinter.Print(plan));
    }

    [Fact]
    public void TheAdjointOfAWindowIsOneScatterWithThePixelOutsideTheWindow()
    {
        foreach (var name in new[] { "WindowMean", "Ssim" })
        {
            var compilation = Compile(Cases.Single(c => c.Name == name));
            var plan = compilation.ForwardBackward!;
            var height = compilation.Model!.Tensors.Single(t => t.Name == "x").Axes![0];
            var width = compilation.Model.Tensors.Single(t => t.Name == "x").Axes![1];
            var window = compilation.Model.Tensors.Single(t => t.Name == "k").Axes!;
            // x is read at h + a - r in several window sums (and squared): its loads are one value up to the names of
            // their indices, so dx is one scatter, not one per form of the load.
            var scatters = LoopPasses(plan).SelectMany(p => LoopsWithin(p.Loop).Select(x => (Pass: p, x.Loop, x.Outer)))
                .Where(x => x.Loop.Body.Any(s => s is ScatterStmt)).ToList();
            var (pass, loop, outer) = Assert.Single(scatters);
            // Its loops: the pixel (h, w) outside the window (a, b), so that the pixel's partial (the window sums it
            // reads, computed inline, and the chain rule through them) is computed once per pixel.
            var nest = outer.Append(loop).Select(l => l.Var.Extent).ToArray();
            Assert.Equal(new[] { height, width, window[0], window[1] }, nest);
            // The window sums the pixel's partial reads are completed in loops directly inside the pixel's loops.
            Assert.Contains(LoopsWithin(pass.Loop), x => x.Loop.Completes.Count > 0 && x.Outer.Count == 2 && x.Loop.Var.Extent == window[0]);
            Assert.Empty(plan.Buffers);
            Assert.True(pass.OneChunk);
        }
    }

    [Fact]
    public void AGatherWhoseIndicesAreTheGradientsOwnStaysDense()
    {
        // z[i, y[i]]: one select per element of the row the gradient sweeps anyway (the cost rule keeps it dense).
        foreach (var name in new[] { "SoftmaxCrossEntropy", "CrossEntropyIgnoreIndex" })
        {
            var plan = Plan(name);
            Assert.DoesNotContain(LoopPasses(plan).SelectMany(p => LoopsWithin(p.Loop)), x => x.Loop.Body.Any(s => s is ScatterStmt));
            Assert.DoesNotContain(LoopPasses(plan), p => p.OneChunk);
        }
    }

    [Fact]
    public void AScatterIntoElementsSharedByTheRowsIsOnePassOverTheRowsInOneChunk()
    {
        var plan = Plan("ClassWeight");
        // dw[y[i]] += ... once per row, after the zeros of dw; dx is stored with the loss terms.
        var scatter = Assert.Single(LoopPasses(plan), p => p.OneChunk);
        Assert.Empty(scatter.WorkExtents);
        var statement = Assert.IsType<ScatterStmt>(Assert.Single(scatter.Loop.Body));
        Assert.Equal("w", statement.Tensor!.Name);
        Assert.False(statement.IsOwnedBy(scatter.Loop.Var.Id));
        var zeros = Assert.Single(LoopPasses(plan), p => p.Loop.Body.Any(s => s is StoreStmt { Target.GradientOf.Name: "w" }));
        Assert.True(zeros.Number < scatter.Number);
        Assert.Equal(3, plan.Passes.Count);
    }
}
