using System;
using System.Globalization;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using Xunit;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Approval snapshots of the generated file for representative losses (the same expressions and signatures as the
/// samples): elementwise (BCE with logits, sigmoid focal), row-wise (softmax cross-entropy), global reductions in two
/// passes (soft Dice), pairwise with scratch buffers (InfoNCE), a kernel computed in double with long labels, Half
/// tensor spans, and outputs (per-row scores and a statistic of the cross-entropy with EL2N scores). The approved
/// files are in Generator/Snapshots;
/// run with LOSSDSL_ACCEPT=1 to update them after an intended change of the emitted code, and review the diff.
/// </summary>
public class SnapshotTests
{
    public sealed record Sample(string Name, string Declaration)
    {
        public override string ToString() => Name;
    }

    public static readonly Sample[] Samples =
    {
        new("BceWithLogits", """
            [GeneratedLoss("mean(bce_logits(x, y))")]
            public static partial float BceWithLogits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);
            """),
        new("SigmoidFocal", """
            [GeneratedLoss("p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))")]
            public static partial float SigmoidFocal(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = 0.25f, float gamma = 2f);
            """),
        new("SoftmaxCrossEntropy", """
            [GeneratedLoss("mean[i](logsumexp[c](logits[i, c]) - logits[i, labels[i]])")]
            public static partial float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dlogits);
            """),
        new("SoftDice", """
            [GeneratedLoss("p = sigmoid(x); 1 - (2 * sum(p * g) + smooth) / (sum(p) + sum(g) + smooth)")]
            public static partial float SoftDice(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, float smooth = 1f);
            """),
        new("InfoNce", """"
            [GeneratedLoss("""
                zn[i, d] = z[i, d] / norm[e](z[i, e]);
                s[i, j] = sum[d](zn[i, d] * zn[j, d]) / tau;
                mean[i](logsumexp[j | j != i](s[i, j]) - sum[j | j == pos[i]](s[i, j]))
                """)]
            public static partial float InfoNce(ReadOnlySpan<float> z, ReadOnlySpan<int> pos, Span<float> dz, float tau = 0.1f);
            """"),
        new("CrossEntropyDouble", """
            [GeneratedLoss("mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])")]
            public static partial double CrossEntropyDouble(ReadOnlySpan<double> z, ReadOnlySpan<long> y, Span<double> dz);
            """),
        new("SoftTargetTensorHalf", """
            [GeneratedLoss("mean[i](-sum[c](t[i, c] * log_softmax[c](z[i, c])))")]
            public static partial float SoftTargetTensorHalf(System.Numerics.Tensors.ReadOnlyTensorSpan<Half> z, System.Numerics.Tensors.ReadOnlyTensorSpan<Half> t,
                System.Numerics.Tensors.TensorSpan<Half> dz);
            """),
        new("CrossEntropyEl2n", """"
            [GeneratedLoss("""
                el2n[i] = norm[c](softmax[c](z[i, c]) - (c == y[i]));
                accuracy = mean[i](z[i, y[i]] >= max[c](z[i, c]));
                mean[i](logsumexp[c](z[i, c]) - z[i, y[i]])
                """)]
            public static partial float CrossEntropyEl2n(ReadOnlySpan<float> z, ReadOnlySpan<int> y, Span<float> dz, Span<float> el2n, Span<float> accuracy);
            """"),
    };

    /// <summary>A loss full of constants whose text could depend on the culture (negative, tiny, huge, fractional).</summary>
    private static readonly Sample s_constants = new("Constants", """
        [GeneratedLoss("mean(-0.5 * x^2 + 1e-7 * abs(y) - 2.5e10 * sigmoid(-x) + clamp(x, -3.75, 1.5) + where(x > -0.125, y, -y))")]
        public static partial float s_constants(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx, float alpha = -0.25f);
        """);

    public static TheoryData<Sample> AllSamples() => new(Samples);

    internal static string SourceFor(params Sample[] samples) =>
        "using System;\nusing LossDsl;\n\nnamespace Snapshots.Losses;\n\npublic static partial class Losses\n{\n"
        + string.Join("\n\n", samples.Select(s => Indent(s.Declaration))) + "\n}\n";

    private static string Indent(string s) => string.Join("\n", s.Replace("\r\n", "\n").Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

    /// <summary>Runs the generator on one sample and returns its single generated file, checking that all is clean.</summary>
    internal static string Generate(Sample sample)
    {
        var r = GeneratorHarness.Run(SourceFor(sample));
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics);
        return Assert.Single(r.GeneratedSources);
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void GeneratedFileMatchesApprovedSnapshot(Sample sample)
    {
        Approvals.Verify(Generate(sample), sample.Name);
    }

    [Fact]
    public void GeneratedCodeDoesNotDependOnTheCulture()
    {
        var all = Samples.Append(s_constants).ToArray();
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        string[] invariant, odd;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            invariant = all.Select(Generate).ToArray();

            var culture = (CultureInfo)new CultureInfo("sv-SE").Clone();
            culture.NumberFormat.NegativeSign = "\u2212";
            culture.NumberFormat.NumberDecimalSeparator = ",";
            culture.NumberFormat.NumberGroupSeparator = "\u00a0";
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            Assert.Equal("\u22121,5", (-1.5).ToString(CultureInfo.CurrentCulture)); // the culture really is in effect
            odd = all.Select(Generate).ToArray();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved.CurrentCulture;
            CultureInfo.CurrentUICulture = saved.CurrentUICulture;
        }

        for (int k = 0; k < all.Length; k++)
        {
            if (invariant[k] != odd[k])
                Assert.Fail(Approvals.DescribeDifference(all[k].Name + " (invariant vs sv-SE with U+2212)", Approvals.Normalize(invariant[k]), Approvals.Normalize(odd[k])));
            Assert.DoesNotContain("\u2212", odd[k]);
        }
    }

    [Fact]
    public void GeneratedCodeIsDeterministicAcrossRuns()
    {
        // Two independent generator runs (fresh drivers and compilations) give byte-identical files.
        foreach (var s in Samples) Assert.Equal(Generate(s), Generate(s));
    }
}
