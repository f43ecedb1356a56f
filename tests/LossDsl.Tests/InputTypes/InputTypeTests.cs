using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using LossDsl.Interpretation;
using LossDsl.Numerics;
using LossDsl.Samples;
using LossDsl.Tests.Infrastructure;
using Xunit;
using static LossDsl.Samples.InputTypeLosses;

namespace LossDsl.Tests.InputTypes;

/// <summary>
/// The input types of docs/language.md §2.1 on the losses of samples/InputTypeLosses.cs (elementwise BCE, softmax
/// cross-entropy with labels, a row-wise soft-target cross-entropy, a focal loss with hyperparameters). Every input
/// value is a bfloat16 value, so float, double, Half and BFloat16 kernels read the same numbers: the float kernel is
/// checked against the interpreter (float tolerance), the double kernel against the interpreter to 1e-12, the Half and
/// BFloat16 kernels against the float kernel bit for bit (their loss is the float kernel's, their gradients its
/// gradients rounded to their type) and against the interpreter within their rounding; tensor spans and long labels
/// against the spans and int labels, bit for bit. Every kernel is called twice.
/// </summary>
public class InputTypeTests
{
    private const int DefaultRows = 37, DefaultClasses = 11;

    /// <summary>Inputs of one size whose values are exact in bfloat16, Half, float and double.</summary>
    private sealed class Data
    {
        public Data(int seed, int rows = DefaultRows, int classes = DefaultClasses)
        {
            var r = new Random(seed);
            double Normal(double scale) => Exact(scale * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
            int n = rows * classes;
            X = Enumerable.Range(0, n).Select(_ => Normal(3)).ToArray();
            Y = Enumerable.Range(0, n).Select(_ => Exact(r.NextDouble())).ToArray();
            Z = Enumerable.Range(0, n).Select(_ => Normal(3)).ToArray();
            T = Enumerable.Range(0, n).Select(_ => Exact(0.05 + r.NextDouble())).ToArray();
            Labels = Enumerable.Range(0, rows).Select(_ => r.Next(classes)).ToArray();
            Rows = rows;
            ClassCount = classes;
        }

        public double[] X { get; }
        public double[] Y { get; }
        public double[] Z { get; }
        public double[] T { get; }
        public int[] Labels { get; }
        public int Rows { get; }
        public int ClassCount { get; }

        /// <summary>The nearest bfloat16 value, kept away from Half's subnormals.</summary>
        private static double Exact(double v) => Math.Abs(v) < 1e-3 ? 0 : (float)(BFloat16)(float)v;
    }

    private static float[] F(double[] v) => Array.ConvertAll(v, x => (float)x);
    private static Half[] H(double[] v) => Array.ConvertAll(v, x => (Half)x);
    private static BFloat16[] B(double[] v) => Array.ConvertAll(v, x => (BFloat16)(float)x);
    private static long[] L(int[] v) => Array.ConvertAll(v, x => (long)x);
    private static float[] Nan(int n) => Enumerable.Repeat(float.NaN, n).ToArray();

    private static LossEvaluation Interpret(string expression, Dictionary<string, object> arguments, params LossParameterDeclaration[] declarations) =>
        LossExpression.Parse(expression, declarations).EvaluateWithGradients(arguments);

    private static LossEvaluation InterpretBce(Data d) => Interpret(Bce, new() { ["x"] = d.X, ["y"] = d.Y },
        LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"));
    private static LossEvaluation InterpretCrossEntropy(Data d) => Interpret(CrossEntropy, new() { ["z"] = d.Z, ["y"] = d.Labels },
        LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("y"), LossParameterDeclaration.Gradient("dz"));
    private static LossEvaluation InterpretSoftTarget(Data d) => Interpret(SoftTarget, new() { ["z"] = d.Z, ["t"] = d.T, ["classes"] = d.ClassCount },
        LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Tensor("t"), LossParameterDeclaration.Gradient("dz"), LossParameterDeclaration.Int("classes"));
    private static LossEvaluation InterpretFocal(Data d, double alpha, double gamma) => Interpret(Focal, new() { ["x"] = d.X, ["y"] = d.Y, ["alpha"] = alpha, ["gamma"] = gamma },
        LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"),
        LossParameterDeclaration.Real("alpha"), LossParameterDeclaration.Real("gamma"));

    // ---- Comparisons -------------------------------------------------------------------------------------------------

    /// <summary>A double kernel against the interpreter: loss to 1e-12 relative, each gradient element to 1e-12 of itself plus 1e-13 of the largest.</summary>
    private static void AssertDouble(double loss, double[] gradient, LossEvaluation reference, string gradientName, string what)
    {
        Assert.True(Math.Abs(loss - reference.Loss) <= 1e-12 * Math.Abs(reference.Loss) + 1e-15, $"{what}: loss {loss:R} vs interpreter {reference.Loss:R}");
        var expected = reference.Gradients[gradientName];
        Assert.Equal(expected.Length, gradient.Length);
        double max = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(gradient[i] - expected[i]) <= 1e-12 * Math.Abs(expected[i]) + 1e-13 * max,
                $"{what}: {gradientName}[{i}] = {gradient[i]:R} vs interpreter {expected[i]:R}");
    }

    /// <summary>A float kernel against the interpreter (the tolerances of <see cref="LossCheck"/>).</summary>
    private static void AssertFloat(float loss, float[] gradient, LossEvaluation reference, string gradientName, string what)
    {
        LossCheck.AssertClose(loss, reference.Loss, what + ": loss");
        LossCheck.AssertGradientClose(gradient, reference.Gradients[gradientName], what + ": " + gradientName);
    }

    /// <summary>
    /// A gradient in a 16-bit type against the float kernel's, bit for bit (rounded to nearest even), and against the
    /// interpreter within the type's rounding (<paramref name="epsilon"/>, half an ulp relative) and the float tolerance.
    /// </summary>
    private static void AssertRounded(float[] actual, float[] floatKernel, Func<float, float> round, double[] reference, double epsilon, string what)
    {
        Assert.Equal(floatKernel.Length, actual.Length);
        double max = reference.Length == 0 ? 0 : reference.Max(Math.Abs);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(round(floatKernel[i])) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}[{i}] = {actual[i]:R}, but the float kernel's {floatKernel[i]:R} rounds to {round(floatKernel[i]):R}");
            Assert.True(Math.Abs(actual[i] - reference[i]) <= epsilon * Math.Abs(reference[i]) + LossCheck.GradRelTolerance * Math.Abs(reference[i]) + LossCheck.GradMaxTolerance * max + 6e-8,
                $"{what}[{i}] = {actual[i]:R} vs interpreter {reference[i]:R}");
        }
    }

    private static float RoundHalf(float v) => (float)(Half)v;
    private static float RoundBFloat16(float v) => (float)(BFloat16)v;
    private const double HalfEpsilon = 1.0 / 2048, BFloat16Epsilon = 1.0 / 256;

    private static void AssertSame(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: {actual:R} != {expected:R}");

    private static void AssertSame(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: {actual:R} != {expected:R}");

    private static void AssertSame<T>(T[] expected, T[] actual, string what) where T : IEquatable<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i].Equals(actual[i]), $"{what}[{i}]: {actual[i]} != {expected[i]}");
    }

    // ---- float and double ----------------------------------------------------------------------------------------------

    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DoubleKernelsMatchTheInterpreterTo1e12(int seed)
    {
        var d = new Data(seed);
        for (int call = 0; call < 2; call++)
        {
            string what = $"seed {seed}, call {call + 1}";
            var dx = new double[d.X.Length];
            AssertDouble(BceDouble(d.X, d.Y, dx), dx, InterpretBce(d), "dx", "BceDouble " + what);
            var dz = new double[d.Z.Length];
            AssertDouble(CrossEntropyDouble(d.Z, L(d.Labels), dz), dz, InterpretCrossEntropy(d), "dz", "CrossEntropyDouble " + what);
            AssertDouble(SoftTargetDouble(d.Z, d.T, dz, d.ClassCount), dz, InterpretSoftTarget(d), "dz", "SoftTargetDouble " + what);
            AssertDouble(FocalDouble(d.X, d.Y, dx, 0.3, 1.5), dx, InterpretFocal(d, 0.3, 1.5), "dx", "FocalDouble " + what);
            AssertDouble(FocalDouble(d.X, d.Y, dx), dx, InterpretFocal(d, 0.25, 2), "dx", "FocalDouble (defaults) " + what);
        }
    }

    [Fact]
    public void ADoublePairSpaceRunsAsNestedLoopsAndMatchesTheInterpreter()
    {
        var r = new Random(13);
        int m = 14, dim = 5;
        var z = Enumerable.Range(0, m * dim).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        var pos = Enumerable.Range(0, m).Select(i => i ^ 1).ToArray();
        var reference = Interpret(InfoNce, new() { ["z"] = z, ["pos"] = pos, ["tau"] = 0.5 },
            LossParameterDeclaration.Tensor("z"), LossParameterDeclaration.Labels("pos"), LossParameterDeclaration.Gradient("dz"), LossParameterDeclaration.Real("tau"));
        var dz = new double[z.Length];
        for (int call = 0; call < 2; call++) AssertDouble(InfoNceDouble(z, L(pos), dz, 0.5), dz, reference, "dz", $"InfoNceDouble call {call + 1}");
        // The float kernel tiles the pair space; with a tensor span it reads the same memory.
        var fz = Nan(z.Length);
        var tz = Nan(z.Length);
        var zf = F(z);
        float loss = InfoNceTensor(new ReadOnlyTensorSpan<float>(zf, new nint[] { m, dim }), pos, new TensorSpan<float>(tz, new nint[] { m, dim }), 0.5f);
        AssertFloat(loss, tz, reference, "dz", "InfoNceTensor");
        AssertSame(MetricLosses.InfoNce(zf, pos, fz, 0.5f), loss, "InfoNceTensor vs InfoNce");
        AssertSame(fz, tz, "InfoNceTensor dz");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DoubleKernelsAgreeWithTheFloatKernels(int seed)
    {
        var d = new Data(seed);
        var dx = new double[d.X.Length];
        var fx = Nan(d.X.Length);
        double loss = FocalDouble(d.X, d.Y, dx, 0.3, 1.5);
        float floatLoss = FocalFloat(F(d.X), F(d.Y), fx, 0.3f, 1.5f);
        LossCheck.AssertClose(floatLoss, loss, "focal: float vs double");
        LossCheck.AssertGradientClose(fx, dx, "focal: float dx vs double dx");

        var dz = new double[d.Z.Length];
        var fz = Nan(d.Z.Length);
        LossCheck.AssertClose(CrossEntropyFloat(F(d.Z), d.Labels, fz), CrossEntropyDouble(d.Z, L(d.Labels), dz), "cross-entropy: float vs double");
        LossCheck.AssertGradientClose(fz, dz, "cross-entropy: float dz vs double dz");
    }

    [Fact]
    public void DoubleOverloadsScaleAndComputeTheLossAlone()
    {
        var d = new Data(4);
        var dz = new double[d.Z.Length];
        var half = new double[d.Z.Length];
        double loss = SoftTargetDouble(d.Z, d.T, dz, d.ClassCount);
        AssertSame(loss, SoftTargetDouble(d.Z, d.T, half, d.ClassCount, upstreamGradient: 0.5), "loss with an upstream gradient");
        for (int i = 0; i < dz.Length; i++) AssertSame(dz[i] * 0.5, half[i], $"dz[{i}] * 0.5");
        Assert.True(Math.Abs(SoftTargetDouble(d.Z, d.T, d.ClassCount) - loss) <= 1e-14 * Math.Abs(loss), "forward-only loss");
    }

    [Fact]
    public void FloatReferenceKernelsMatchTheInterpreter()
    {
        var d = new Data(5);
        var dx = Nan(d.X.Length);
        AssertFloat(BceFloat(F(d.X), F(d.Y), dx), dx, InterpretBce(d), "dx", "BceFloat");
        var dz = Nan(d.Z.Length);
        AssertFloat(CrossEntropyFloat(F(d.Z), d.Labels, dz), dz, InterpretCrossEntropy(d), "dz", "CrossEntropyFloat");
        AssertFloat(SoftTargetFloat(F(d.Z), F(d.T), dz, d.ClassCount), dz, InterpretSoftTarget(d), "dz", "SoftTargetFloat");
        AssertFloat(FocalFloat(F(d.X), F(d.Y), dx, 0.3f, 1.5f), dx, InterpretFocal(d, 0.3, 1.5), "dx", "FocalFloat");
    }

    [Fact]
    public void ReferenceGradientsMatchFiniteDifferencesOfTheLoss()
    {
        // The interpreter shares the front end with the kernels: its gradients of these declarations against float64
        // central differences of the loss, an oracle that shares nothing with the differentiation.
        var d = new Data(11);
        var rng = new Random(11);
        var binary = new Dictionary<string, object> { ["x"] = F(d.X), ["y"] = F(d.Y) };
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(InputTypeLosses), nameof(BceFloat)), binary, 12, rng);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(InputTypeLosses), nameof(FocalFloat)),
            new Dictionary<string, object>(binary) { ["alpha"] = 0.3f, ["gamma"] = 1.5f }, 12, rng);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(InputTypeLosses), nameof(CrossEntropyFloat)),
            new Dictionary<string, object> { ["z"] = F(d.Z), ["y"] = d.Labels }, 12, rng);
        LossCheck.CheckFiniteDifferences(LossInvoker.Find(typeof(InputTypeLosses), nameof(SoftTargetFloat)),
            new Dictionary<string, object> { ["z"] = F(d.Z), ["t"] = F(d.T), ["classes"] = d.ClassCount }, 12, rng);
    }

    // ---- Half and BFloat16 ---------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Seeds))]
    public void HalfKernelsAreTheFloatKernelsRoundedToHalf(int seed)
    {
        var d = new Data(seed);
        for (int call = 0; call < 2; call++)
        {
            string what = $"seed {seed}, call {call + 1}";
            var fx = Nan(d.X.Length);
            var hx = new Half[d.X.Length];
            AssertSame(BceFloat(F(d.X), F(d.Y), fx), BceHalf(H(d.X), H(d.Y), hx), "BceHalf loss " + what);
            AssertRounded(Array.ConvertAll(hx, v => (float)v), fx, RoundHalf, InterpretBce(d).Gradients["dx"], HalfEpsilon, "BceHalf dx " + what);

            var fz = Nan(d.Z.Length);
            var hz = new Half[d.Z.Length];
            AssertSame(CrossEntropyFloat(F(d.Z), d.Labels, fz), CrossEntropyHalf(H(d.Z), d.Labels, hz), "CrossEntropyHalf loss " + what);
            AssertRounded(Array.ConvertAll(hz, v => (float)v), fz, RoundHalf, InterpretCrossEntropy(d).Gradients["dz"], HalfEpsilon, "CrossEntropyHalf dz " + what);

            AssertSame(SoftTargetFloat(F(d.Z), F(d.T), fz, d.ClassCount), SoftTargetHalf(H(d.Z), H(d.T), hz, d.ClassCount), "SoftTargetHalf loss " + what);
            AssertRounded(Array.ConvertAll(hz, v => (float)v), fz, RoundHalf, InterpretSoftTarget(d).Gradients["dz"], HalfEpsilon, "SoftTargetHalf dz " + what);

            AssertSame(FocalFloat(F(d.X), F(d.Y), fx, 0.3f, 1.5f), FocalHalf(H(d.X), H(d.Y), hx, 0.3f, 1.5f), "FocalHalf loss " + what);
            AssertRounded(Array.ConvertAll(hx, v => (float)v), fx, RoundHalf, InterpretFocal(d, 0.3, 1.5).Gradients["dx"], HalfEpsilon, "FocalHalf dx " + what);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void BFloat16KernelsAreTheFloatKernelsRoundedToBFloat16(int seed)
    {
        var d = new Data(seed);
        for (int call = 0; call < 2; call++)
        {
            string what = $"seed {seed}, call {call + 1}";
            var fx = Nan(d.X.Length);
            var bx = new BFloat16[d.X.Length];
            AssertSame(BceFloat(F(d.X), F(d.Y), fx), BceBFloat16(B(d.X), B(d.Y), bx), "BceBFloat16 loss " + what);
            AssertRounded(Array.ConvertAll(bx, v => (float)v), fx, RoundBFloat16, InterpretBce(d).Gradients["dx"], BFloat16Epsilon, "BceBFloat16 dx " + what);

            var fz = Nan(d.Z.Length);
            var bz = new BFloat16[d.Z.Length];
            AssertSame(CrossEntropyFloat(F(d.Z), d.Labels, fz), CrossEntropyBFloat16(B(d.Z), L(d.Labels), bz), "CrossEntropyBFloat16 loss " + what);
            AssertRounded(Array.ConvertAll(bz, v => (float)v), fz, RoundBFloat16, InterpretCrossEntropy(d).Gradients["dz"], BFloat16Epsilon, "CrossEntropyBFloat16 dz " + what);

            AssertSame(SoftTargetFloat(F(d.Z), F(d.T), fz, d.ClassCount), SoftTargetBFloat16(B(d.Z), B(d.T), bz, d.ClassCount), "SoftTargetBFloat16 loss " + what);
            AssertRounded(Array.ConvertAll(bz, v => (float)v), fz, RoundBFloat16, InterpretSoftTarget(d).Gradients["dz"], BFloat16Epsilon, "SoftTargetBFloat16 dz " + what);

            AssertSame(FocalFloat(F(d.X), F(d.Y), fx, 0.3f, 1.5f), FocalBFloat16(B(d.X), B(d.Y), bx, 0.3f, 1.5f), "FocalBFloat16 loss " + what);
            AssertRounded(Array.ConvertAll(bx, v => (float)v), fx, RoundBFloat16, InterpretFocal(d, 0.3, 1.5).Gradients["dx"], BFloat16Epsilon, "FocalBFloat16 dx " + what);
        }
    }

    [Fact]
    public void HalfOverloadsScaleAndComputeTheLossAlone()
    {
        var d = new Data(6);
        var hx = new Half[d.X.Length];
        var scaled = new Half[d.X.Length];
        var fx = Nan(d.X.Length);
        float loss = FocalHalf(H(d.X), H(d.Y), hx);
        AssertSame(loss, FocalHalf(H(d.X), H(d.Y), scaled, 0.25f, 2f, upstreamGradient: 0.5f), "loss with an upstream gradient");
        FocalFloat(F(d.X), F(d.Y), fx, 0.25f, 2f, upstreamGradient: 0.5f);
        for (int i = 0; i < fx.Length; i++) AssertSame(RoundHalf(fx[i]), (float)scaled[i], $"dx[{i}] at upstream 0.5");
        AssertSame(FocalFloat(F(d.X), F(d.Y)), FocalHalf(H(d.X), H(d.Y)), "forward-only loss");
    }

    [Fact]
    public void BFloat16RoundsToNearestEven()
    {
        Assert.Equal(1f, (float)(BFloat16)1f);
        Assert.Equal(1f, (float)(BFloat16)BitConverter.Int32BitsToSingle(0x3F808000)); // a tie: to the even 1.0
        Assert.Equal(BitConverter.Int32BitsToSingle(0x3F820000), (float)(BFloat16)BitConverter.Int32BitsToSingle(0x3F818000)); // a tie: to even 0x3F82
        Assert.Equal(BitConverter.Int32BitsToSingle(0x3F810000), (float)(BFloat16)BitConverter.Int32BitsToSingle(0x3F808001)); // above the tie
        Assert.True(float.IsPositiveInfinity((float)(BFloat16)float.MaxValue));
        Assert.True(float.IsNaN((float)(BFloat16)float.NaN));
        Assert.True(float.IsNaN((float)(BFloat16)BitConverter.Int32BitsToSingle(0x7F800001))); // a NaN whose payload is in the low bits stays NaN
        Assert.Equal(-0f, (float)(BFloat16)(-0f));
        Assert.True(float.IsNegative((float)(BFloat16)(-0f)));
        // Conversions of long spans (the vector body and the tail).
        var values = Enumerable.Range(-40, 81).Select(i => (BFloat16)(i * 0.37f)).ToArray();
        var floats = new float[values.Length];
        LossDsl.Internals.InputConversion.ToSingle(values, floats);
        for (int i = 0; i < values.Length; i++) Assert.Equal((float)values[i], floats[i]);
        var back = new BFloat16[values.Length];
        LossDsl.Internals.InputConversion.FromSingle(floats, back);
        AssertSame(values, back, "round trip");
    }

    [Fact]
    public void HalfConversionsAgreeWithSystemHalf()
    {
        // Every Half to float, in the vector body and the tail.
        var halves = Enumerable.Range(0, 65536).Select(b => BitConverter.UInt16BitsToHalf((ushort)b)).Append((Half)1).ToArray();
        var floats = new float[halves.Length];
        LossDsl.Internals.InputConversion.ToSingle(halves, floats);
        for (int i = 0; i < halves.Length; i++)
        {
            float expected = (float)halves[i];
            Assert.True(float.IsNaN(expected) ? float.IsNaN(floats[i]) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(floats[i]),
                $"Half bits {BitConverter.HalfToUInt16Bits(halves[i]):X4}: {floats[i]:R} != {expected:R}");
        }
        // Floats to Half: every Half value, its neighbours, the midpoints to the next Half (ties), overflow, NaN, random values.
        var r = new Random(14);
        var values = floats.Where(f => !float.IsNaN(f)).SelectMany(f => new[]
        {
            f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) + 1), BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) - 1),
            BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) + 0x1000), BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) + 0xFFF),
        }).Concat(new[] { 65504f, 65519.99f, 65520f, 1e6f, -1e6f, float.MaxValue, float.Epsilon, -float.Epsilon, 1e-8f, 3e-8f, float.NaN, -float.NaN })
            .Concat(Enumerable.Range(0, 10000).Select(_ => (float)((r.NextDouble() - 0.5) * Math.Pow(2, r.Next(-30, 20))))).ToArray();
        var back = new Half[values.Length];
        LossDsl.Internals.InputConversion.FromSingle(values, back);
        for (int i = 0; i < values.Length; i++)
        {
            Half expected = (Half)values[i];
            Assert.True(Half.IsNaN(expected) ? Half.IsNaN(back[i]) : BitConverter.HalfToUInt16Bits(expected) == BitConverter.HalfToUInt16Bits(back[i]),
                $"{values[i]:R} (bits {BitConverter.SingleToInt32Bits(values[i]):X8}): {BitConverter.HalfToUInt16Bits(back[i]):X4} != {BitConverter.HalfToUInt16Bits(expected):X4}");
        }
    }

    // ---- long labels ---------------------------------------------------------------------------------------------------

    [Fact]
    public void LongLabelsAreReadAsInt()
    {
        var d = new Data(7);
        var fz = Nan(d.Z.Length);
        var lz = Nan(d.Z.Length);
        for (int call = 0; call < 2; call++)
        {
            AssertSame(CrossEntropyFloat(F(d.Z), d.Labels, fz), CrossEntropyLong(F(d.Z), L(d.Labels), lz), "loss");
            AssertSame(fz, lz, "dz");
        }
        AssertFloat(CrossEntropyLong(F(d.Z), L(d.Labels), lz), lz, InterpretCrossEntropy(d), "dz", "CrossEntropyLong");
        // An ignore-style label out of [0, C) is in the range of int: it gathers 0, as an int label does.
        var labels = d.Labels.ToArray();
        labels[3] = -100;
        AssertSame(CrossEntropyFloat(F(d.Z), labels, fz), CrossEntropyLong(F(d.Z), L(labels), lz), "loss with label -100");
    }

    [Fact]
    public void ALongLabelOutsideTheRangeOfIntThrowsNamingTheParameter()
    {
        var d = new Data(8);
        var labels = L(d.Labels);
        labels[5] = (long)int.MaxValue + 1;
        var e = Assert.Throws<ArgumentException>(() => CrossEntropyLong(F(d.Z), labels, Nan(d.Z.Length)));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("y[5]", e.Message);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => CrossEntropyLong(F(d.Z), labels)).ParamName);
        labels[5] = long.MinValue;
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => CrossEntropyDouble(d.Z, labels, new double[d.Z.Length])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => CrossEntropyBFloat16(B(d.Z), labels, new BFloat16[d.Z.Length])).ParamName);
        // The pooled buffers went back: the next call works.
        labels[5] = 0;
        CrossEntropyLong(F(d.Z), labels, Nan(d.Z.Length));
    }

    // ---- Tensor spans --------------------------------------------------------------------------------------------------

    [Fact]
    public void TensorSpansTakeTheirShapesFromLengths()
    {
        var d = new Data(9);
        nint[] matrix = { d.Rows, d.ClassCount };
        for (int call = 0; call < 2; call++)
        {
            // Elementwise: any rank, read flat.
            var fx = Nan(d.X.Length);
            var tx = Nan(d.X.Length);
            float bce = BceFloat(F(d.X), F(d.Y), fx);
            AssertSame(bce, BceTensor(new ReadOnlyTensorSpan<float>(F(d.X), matrix), new ReadOnlyTensorSpan<float>(F(d.Y), matrix), new TensorSpan<float>(tx, matrix)), "BceTensor loss");
            AssertSame(fx, tx, "BceTensor dx");
            AssertSame(bce, BceTensor(F(d.X), F(d.Y), tx), "BceTensor rank 1");

            // Cross-entropy: z [N, C] and long labels [N].
            var fz = Nan(d.Z.Length);
            var tz = Nan(d.Z.Length);
            AssertSame(CrossEntropyFloat(F(d.Z), d.Labels, fz),
                CrossEntropyTensor(new ReadOnlyTensorSpan<float>(F(d.Z), matrix), L(d.Labels), new TensorSpan<float>(tz, matrix)), "CrossEntropyTensor loss");
            AssertSame(fz, tz, "CrossEntropyTensor dz");

            // Soft targets: both extents from the Lengths, no int parameter.
            AssertSame(SoftTargetFloat(F(d.Z), F(d.T), fz, d.ClassCount),
                SoftTargetTensor(new ReadOnlyTensorSpan<float>(F(d.Z), matrix), new ReadOnlyTensorSpan<float>(F(d.T), matrix), new TensorSpan<float>(tz, matrix)), "SoftTargetTensor loss");
            AssertSame(fz, tz, "SoftTargetTensor dz");
            AssertFloat(SoftTargetTensor(new ReadOnlyTensorSpan<float>(F(d.Z), matrix), new ReadOnlyTensorSpan<float>(F(d.T), matrix), new TensorSpan<float>(tz, matrix)),
                tz, InterpretSoftTarget(d), "dz", "SoftTargetTensor");

            var hz = new Half[d.Z.Length];
            var htz = new Half[d.Z.Length];
            AssertSame(SoftTargetHalf(H(d.Z), H(d.T), hz, d.ClassCount),
                SoftTargetTensorHalf(new ReadOnlyTensorSpan<Half>(H(d.Z), matrix), new ReadOnlyTensorSpan<Half>(H(d.T), matrix), new TensorSpan<Half>(htz, matrix)), "SoftTargetTensorHalf loss");
            AssertSame(hz, htz, "SoftTargetTensorHalf dz");

            // A double tensor span and a double span.
            var dx = new double[d.X.Length];
            var tdx = new double[d.X.Length];
            AssertSame(FocalDouble(d.X, d.Y, dx, 0.3, 1.5), FocalTensorDouble(new ReadOnlyTensorSpan<double>(d.X, matrix), d.Y, new TensorSpan<double>(tdx, matrix), 0.3, 1.5), "FocalTensorDouble loss");
            AssertSame(dx, tdx, "FocalTensorDouble dx");
        }
    }

    [Fact]
    public void TensorSpanShapeErrorsNameTheParameter()
    {
        var d = new Data(10);
        nint[] matrix = { d.Rows, d.ClassCount };
        var z = F(d.Z);
        var t = F(d.T);
        var dz = Nan(z.Length);
        string Thrown(Action action) => Assert.Throws<ArgumentException>(action).ParamName!;

        // Not dense: a transposed view (strides [1, N]), a broadcast row (stride 0), a gradient with a row stride.
        nint[] transposedShape = { d.ClassCount, d.Rows };
        nint[] transposedStrides = { 1, d.ClassCount };
        Assert.Equal("z", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, transposedShape, transposedStrides),
            new ReadOnlyTensorSpan<float>(t, transposedShape), new TensorSpan<float>(dz, transposedShape))));
        Assert.False(new ReadOnlyTensorSpan<float>(t, matrix, new nint[] { 0, 1 }).IsDense);
        Assert.Equal("t", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<float>(t, matrix, new nint[] { 0, 1 }), new TensorSpan<float>(dz, matrix))));
        var wide = new float[2 * z.Length];
        Assert.Equal("dz", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<float>(t, matrix),
            new TensorSpan<float>(wide, matrix, new nint[] { 2 * d.ClassCount, 1 }))));
        Assert.Contains("dense", Assert.Throws<ArgumentException>(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, transposedShape, transposedStrides), t)).Message);

        // Rank.
        Assert.Equal("z", Thrown(() => SoftTargetTensor(z, new ReadOnlyTensorSpan<float>(t, matrix), new TensorSpan<float>(dz, matrix))));
        Assert.Equal("dz", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<float>(t, matrix), dz)));
        Assert.Equal("y", Thrown(() => CrossEntropyTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<long>(L(d.Labels), new nint[] { d.Rows, 1 }), new TensorSpan<float>(dz, matrix))));

        // Extents: the same number of elements in another shape, and a wrong number of labels.
        nint[] other = { d.ClassCount, d.Rows };
        Assert.Equal("t", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<float>(t, other), new TensorSpan<float>(dz, matrix))));
        Assert.Equal("dz", Thrown(() => SoftTargetTensor(new ReadOnlyTensorSpan<float>(z, matrix), new ReadOnlyTensorSpan<float>(t, matrix), new TensorSpan<float>(dz, other))));
        Assert.Equal("y", Thrown(() => CrossEntropyTensor(new ReadOnlyTensorSpan<float>(z, matrix), L(d.Labels).AsSpan(1).ToArray(), new TensorSpan<float>(dz, matrix))));

        // Flat use: any rank, but a gradient tensor span has its input's shape.
        Assert.Equal("dx", Thrown(() => BceTensor(new ReadOnlyTensorSpan<float>(F(d.X), matrix), new ReadOnlyTensorSpan<float>(F(d.Y), matrix), new TensorSpan<float>(Nan(d.X.Length), other))));
        Assert.Equal("y", Thrown(() => BceTensor(F(d.X), F(d.Y).AsSpan(1).ToArray(), Nan(d.X.Length))));
    }

    [Fact]
    public void WrongLengthsThrowNamingTheParameter()
    {
        var d = new Data(11);
        string Thrown(Action action) => Assert.Throws<ArgumentException>(action).ParamName!;
        Assert.Equal("y", Thrown(() => BceDouble(d.X, d.Y.AsSpan(1).ToArray(), new double[d.X.Length])));
        Assert.Equal("dx", Thrown(() => BceDouble(d.X, d.Y, new double[d.X.Length - 1])));
        Assert.Equal("dz", Thrown(() => CrossEntropyDouble(d.Z, L(d.Labels), new double[d.Z.Length + 1])));
        Assert.Equal("z", Thrown(() => SoftTargetDouble(d.Z.AsSpan(1).ToArray(), d.T.AsSpan(1).ToArray(), new double[d.Z.Length - 1], d.ClassCount)));
        Assert.Equal("dx", Thrown(() => BceHalf(H(d.X), H(d.Y), new Half[3])));
        Assert.Equal("y", Thrown(() => FocalHalf(H(d.X), H(d.Y).AsSpan(2).ToArray())));
        Assert.Equal("dx", Thrown(() => BceBFloat16(B(d.X), B(d.Y), new BFloat16[d.X.Length + 2])));
        Assert.Equal("z", Thrown(() => CrossEntropyBFloat16(B(d.Z).AsSpan(1).ToArray(), L(d.Labels), new BFloat16[d.Z.Length - 1])));
        // A gradient that shares memory with an input.
        var x = d.X.ToArray();
        Assert.Equal("dx", Thrown(() => BceDouble(x, d.Y, x)));
        var hx = H(d.X);
        Assert.Equal("dx", Thrown(() => BceHalf(hx, H(d.Y), hx)));
    }

    [Fact]
    public void EmptyInputsGiveTheFloatKernelsResults()
    {
        var d = new Data(12, rows: 0);
        AssertSame(CrossEntropyFloat(Array.Empty<float>(), Array.Empty<int>(), Array.Empty<float>()), (float)CrossEntropyDouble(Array.Empty<double>(), Array.Empty<long>(), Array.Empty<double>()), "empty cross-entropy");
        AssertSame(BceFloat(Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>()), BceHalf(Array.Empty<Half>(), Array.Empty<Half>(), Array.Empty<Half>()), "empty BCE");
        AssertSame(BceFloat(Array.Empty<float>(), Array.Empty<float>()), BceTensor(ReadOnlyTensorSpan<float>.Empty, ReadOnlyTensorSpan<float>.Empty), "empty tensor span");
        Assert.Empty(d.X);
    }
}
