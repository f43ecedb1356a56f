using System;
using System.Collections.Generic;
using System.Globalization;
using LossDsl.Samples;
using LossDsl.Threading;

namespace LossDsl.Benchmarks;

/// <summary>
/// The <c>--check</c> mode: runs every benchmarked variant on the benchmark inputs and compares loss and gradient with
/// the scalar baseline, so that the benchmarks are known to compare implementations of the same function.
/// </summary>
public static class ConsistencyCheck
{
    /// <summary>Largest allowed |loss - reference| / |reference|.</summary>
    public const double LossTolerance = 1e-4;

    /// <summary>Largest allowed max|grad - reference| / max|reference|.</summary>
    public const double GradientTolerance = 1e-5;

    /// <summary>Largest allowed |central difference - analytic| / max|analytic| for the scalar baselines' gradients.</summary>
    public const double FiniteDifferenceTolerance = 1e-4;

    private static readonly int[] s_sizes = { 1 << 16, 1 << 20 };

    private delegate float BinaryLoss(float[] x, float[] y, float[] dx);

    private delegate float CrossEntropyLoss(float[] logits, int[] labels, float[] dlogits);

    /// <returns>0 when every variant agrees with the scalar baseline within tolerance, 1 otherwise.</returns>
    public static int Run()
    {
        Console.WriteLine($"Consistency check against the scalar baseline (fail if relative loss diff > {LossTolerance:g} or gradient max abs diff > {GradientTolerance:g} * max|grad|)");
        Console.WriteLine($"Processor count: {Environment.ProcessorCount}");
        Console.WriteLine();
        Console.WriteLine($"{"Loss",-17} {"N",9} {"Variant",-18} {"loss",14} {"rel loss diff",14} {"max|grad diff|",15} {"max|grad|",11} {"rel grad diff",14}  result");

        int failures = 0;
        foreach (int n in s_sizes)
        {
            var ws = new Baselines.Workspace(n);

            const float alpha = 0.25f;
            var bce = new (string, BinaryLoss)[]
            {
                ("Scalar", (x, y, dx) => Baselines.BceScalar(x, y, dx)),
                ("TensorPrimitives", (x, y, dx) => Baselines.BceTensorPrimitives(x, y, dx, ws)),
                ("Generated1Thread", (x, y, dx) => { LossParallel.MaxDegreeOfParallelism = 1; return ClassicLosses.BceWithLogits(x, y, dx); }),
                ("GeneratedAllCores", (x, y, dx) => { LossParallel.MaxDegreeOfParallelism = Environment.ProcessorCount; return ClassicLosses.BceWithLogits(x, y, dx); }),
            };
            failures += CheckBinary("BCE", n, seedX: 1, seedY: 2, bce);

            foreach (float gamma in FocalBenchmarks.Gammas)
            {
                var focal = new (string, BinaryLoss)[]
                {
                    ("Scalar", (x, y, dx) => Baselines.FocalScalar(x, y, dx, alpha, gamma)),
                    ("TensorPrimitives", (x, y, dx) => Baselines.FocalTensorPrimitives(x, y, dx, ws, alpha, gamma)),
                    ("Generated1Thread", (x, y, dx) => { LossParallel.MaxDegreeOfParallelism = 1; return ClassicLosses.SigmoidFocal(x, y, dx, alpha, gamma); }),
                    ("GeneratedAllCores", (x, y, dx) => { LossParallel.MaxDegreeOfParallelism = Environment.ProcessorCount; return ClassicLosses.SigmoidFocal(x, y, dx, alpha, gamma); }),
                };
                failures += CheckBinary($"Focal (gamma {gamma})", n, seedX: 3, seedY: 4, focal);
            }

            var crossEntropy = new (string, CrossEntropyLoss)[]
            {
                ("Scalar", (z, l, dz) => Baselines.CrossEntropyScalar(z, l, dz)),
                ("TensorPrimitives", (z, l, dz) => Baselines.CrossEntropyTensorPrimitives(z, l, dz)),
                ("Generated1Thread", (z, l, dz) => { LossParallel.MaxDegreeOfParallelism = 1; return ClassicLosses.SoftmaxCrossEntropy(z, l, dz); }),
                ("GeneratedAllCores", (z, l, dz) => { LossParallel.MaxDegreeOfParallelism = Environment.ProcessorCount; return ClassicLosses.SoftmaxCrossEntropy(z, l, dz); }),
            };
            foreach (int classes in CrossEntropyBenchmarks.ClassCounts)
                failures += CheckCrossEntropy(n, classes, crossEntropy);
        }

        LossParallel.MaxDegreeOfParallelism = 1;
        failures += CheckScalarAgainstDoubleReference();
        Console.WriteLine();
        Console.WriteLine(failures == 0 ? "CHECK PASSED" : $"CHECK FAILED: {failures} variant(s) out of tolerance");
        return failures == 0 ? 0 : 1;
    }

    private static int CheckBinary(string loss, int n, int seedX, int seedY, (string Name, BinaryLoss Run)[] variants)
    {
        float[] x = BenchmarkData.Logits(n, seedX);
        float[] y = BenchmarkData.BinaryTargets(n, seedY);
        var results = new List<(string, float, float[])>();
        foreach (var (name, run) in variants)
        {
            float[] grad = NaNs(n);
            float value = run(x, y, grad);
            results.Add((name, value, grad));
        }

        return Report(loss, n, results);
    }

    private static int CheckCrossEntropy(int n, int classes, (string Name, CrossEntropyLoss Run)[] variants)
    {
        int rows = n / classes;
        float[] logits = BenchmarkData.Logits(rows * classes, seed: 5);
        int[] labels = BenchmarkData.Labels(rows, classes, seed: 6);
        var results = new List<(string, float, float[])>();
        foreach (var (name, run) in variants)
        {
            float[] grad = NaNs(logits.Length);
            float value = run(logits, labels, grad);
            results.Add((name, value, grad));
        }

        return Report($"CE (C={classes})", n, results);
    }

    /// <summary>
    /// Validates the scalar baselines themselves (and so the hand-derived focal gradient) against a double-precision
    /// evaluation of the loss definitions: mean loss, and the gradient at sampled elements by central differences.
    /// </summary>
    private static int CheckScalarAgainstDoubleReference()
    {
        const int n = 1 << 16;
        const double alpha = 0.25;
        Console.WriteLine();
        Console.WriteLine($"Scalar baselines vs double-precision definitions at N = {n} (fail if relative loss diff > {LossTolerance:g} or finite-difference gradient diff > {FiniteDifferenceTolerance:g} * max|grad|)");
        int failures = 0;

        float[] x = BenchmarkData.Logits(n, seed: 1);
        float[] y = BenchmarkData.BinaryTargets(n, seed: 2);
        float[] dx = new float[n];
        float loss = Baselines.BceScalar(x, y, dx);
        failures += CompareWithDefinition("BCE", loss, dx, n, i => BceDefinition(x[i], y[i]),
            (i, xi) => BceDefinition(xi, y[i]), x);

        x = BenchmarkData.Logits(n, seed: 3);
        y = BenchmarkData.BinaryTargets(n, seed: 4);
        foreach (float g in FocalBenchmarks.Gammas)
        {
            double gamma = g;
            loss = Baselines.FocalScalar(x, y, dx, (float)alpha, g);
            failures += CompareWithDefinition($"Focal (gamma {g})", loss, dx, n, i => FocalDefinition(x[i], y[i], alpha, gamma),
                (i, xi) => FocalDefinition(xi, y[i], alpha, gamma), x);
        }

        int classes = BenchmarkData.Classes;
        int rows = n / classes;
        float[] z = BenchmarkData.Logits(rows * classes, seed: 5);
        int[] labels = BenchmarkData.Labels(rows, classes, seed: 6);
        float[] dz = new float[z.Length];
        loss = Baselines.CrossEntropyScalar(z, labels, dz);
        var row = new double[classes];
        double RowLoss(int flat, double value)
        {
            int r = flat / classes;
            for (int c = 0; c < classes; c++)
            {
                row[c] = z[r * classes + c];
            }

            row[flat - r * classes] = value;
            double max = double.NegativeInfinity;
            foreach (double v in row)
            {
                max = Math.Max(max, v);
            }

            double s = 0;
            foreach (double v in row)
            {
                s += Math.Exp(v - max);
            }

            return Math.Log(s) + max - row[labels[r]];
        }

        // Per-"element" definition for the mean: the row loss, counted once per row (at its first element).
        failures += CompareWithDefinition("CrossEntropy", loss, dz, rows,
            i => i % classes == 0 ? RowLoss(i, z[i]) : 0.0, RowLoss, z, sampleLabels: (labels, classes));
        return failures;
    }

    private static double BceDefinition(double x, double y)
        => Math.Max(x, 0) - x * y + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double FocalDefinition(double x, double y, double alpha, double gamma)
    {
        double p = 1 / (1 + Math.Exp(-x));
        double ce = BceDefinition(x, y);
        double pt = p * y + (1 - p) * (1 - y);
        double at = alpha * y + (1 - alpha) * (1 - y);
        return at * ce * Math.Pow(1 - pt, gamma);
    }

    /// <param name="elementLoss">Contribution of element i to the sum whose mean over <paramref name="count"/> is the loss.</param>
    /// <param name="perturbedLoss">The loss term containing element i, as a function of element i's value.</param>
    private static int CompareWithDefinition(string name, float loss, float[] grad, int count, Func<int, double> elementLoss,
        Func<int, double, double> perturbedLoss, float[] inputs, (int[] Labels, int Classes)? sampleLabels = null)
    {
        double sum = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            sum += elementLoss(i);
        }

        double reference = sum / count;
        double lossDiff = Math.Abs(loss - reference) / Math.Abs(reference);

        double maxGrad = 0;
        foreach (float g in grad)
        {
            maxGrad = Math.Max(maxGrad, Math.Abs(g));
        }

        // Sample elements: a fixed stride through the input, plus (for cross-entropy) each sampled row's label column.
        var samples = new List<int>();
        for (int i = 7; i < inputs.Length; i += inputs.Length / 97)
        {
            samples.Add(i);
            if (sampleLabels is { } sl)
            {
                int r = i / sl.Classes;
                samples.Add(r * sl.Classes + sl.Labels[r]);
            }
        }

        double maxFdDiff = 0;
        foreach (int i in samples)
        {
            double v = inputs[i];
            double h = 1e-4 * Math.Max(1.0, Math.Abs(v));
            double fd = (perturbedLoss(i, v + h) - perturbedLoss(i, v - h)) / (2 * h) / count;
            maxFdDiff = Math.Max(maxFdDiff, Math.Abs(fd - grad[i]));
        }

        double fdRel = maxFdDiff / maxGrad;
        bool ok = lossDiff <= LossTolerance && fdRel <= FiniteDifferenceTolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-17} loss {loss,12:g8} vs double {reference,12:g8}: rel diff {lossDiff:e2}; gradient at {samples.Count} samples vs central differences: max abs diff {maxFdDiff:e2} = {fdRel:e2} * max|grad|  {(ok ? "ok" : "FAIL")}"));
        return ok ? 0 : 1;
    }

    private static float[] NaNs(int length)
    {
        var result = new float[length];
        result.AsSpan().Fill(float.NaN); // an element a variant fails to write shows up as a difference
        return result;
    }

    private static int Report(string loss, int n, List<(string Name, float Loss, float[] Grad)> results)
    {
        var (_, refLoss, refGrad) = results[0];
        double maxRefGrad = 0;
        foreach (float g in refGrad)
        {
            maxRefGrad = Math.Max(maxRefGrad, Math.Abs(g));
        }

        int failures = 0;
        foreach (var (name, value, grad) in results)
        {
            double lossDiff = Math.Abs((double)value - refLoss) / Math.Max(Math.Abs((double)refLoss), double.Epsilon);
            double maxDiff = 0;
            for (int i = 0; i < grad.Length; i++)
            {
                double d = Math.Abs((double)grad[i] - refGrad[i]);
                if (!(d <= maxDiff))
                {
                    maxDiff = double.IsNaN(d) ? double.PositiveInfinity : d;
                }
            }

            double gradDiff = maxDiff / Math.Max(maxRefGrad, double.Epsilon);
            bool ok = lossDiff <= LossTolerance && gradDiff <= GradientTolerance && float.IsFinite(value);
            if (!ok)
            {
                failures++;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{loss,-17} {n,9} {name,-18} {value,14:g8} {lossDiff,14:e2} {maxDiff,15:e2} {maxRefGrad,11:e2} {gradDiff,14:e2}  {(ok ? "ok" : "FAIL")}"));
        }

        return failures;
    }
}
