using System;

namespace LossDsl.Training;

/// <summary>A binary classification data set: <see cref="Count"/> rows of <see cref="FeatureCount"/> features
/// (row-major in <see cref="Features"/>) and a label of 0 or 1 per row.</summary>
public sealed class Dataset
{
    public Dataset(float[] features, float[] labels)
    {
        if (labels.Length == 0 || features.Length % labels.Length != 0)
            throw new ArgumentException($"{features.Length} features do not make rows for {labels.Length} labels", nameof(features));
        Features = features;
        Labels = labels;
        FeatureCount = features.Length / labels.Length;
        PositiveCount = Array.FindAll(labels, label => label == 1f).Length;
    }

    public float[] Features { get; }
    public float[] Labels { get; }
    public int Count => Labels.Length;
    public int FeatureCount { get; }
    public int PositiveCount { get; }

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);
}

/// <summary>
/// A rare-event problem: a row is positive with probability <c>positiveRate</c>. Negatives come from two groups:
/// most are easy (far from the positives), a fraction are hard (they share part of the positives' signal). Every
/// feature has unit-variance Gaussian noise, so the classes overlap and no classifier is perfect.
/// </summary>
public static class SyntheticData
{
    /// <summary>The share of negatives that look partly like positives.</summary>
    public const double HardNegativeShare = 0.15;

    public static (Dataset Train, Dataset Test) Generate(int trainCount, int testCount, int featureCount, double positiveRate, int seed)
    {
        if (featureCount < 2) throw new ArgumentOutOfRangeException(nameof(featureCount), "at least 2 features");
        if (positiveRate <= 0 || positiveRate >= 1) throw new ArgumentOutOfRangeException(nameof(positiveRate));
        var rng = new Random(seed);
        // Where the positives sit: a fixed direction over all features, of norm `separation`.
        const double separation = 3.0;
        var positiveMean = new double[featureCount];
        double norm = 0;
        for (int j = 0; j < featureCount; j++)
        {
            positiveMean[j] = (j % 2 == 0 ? 1 : -1) * (1 + rng.NextDouble());
            norm += positiveMean[j] * positiveMean[j];
        }
        for (int j = 0; j < featureCount; j++) positiveMean[j] *= separation / Math.Sqrt(norm);

        Dataset Draw(int count)
        {
            var features = new float[count * featureCount];
            var labels = new float[count];
            for (int i = 0; i < count; i++)
            {
                bool positive = rng.NextDouble() < positiveRate;
                bool hard = !positive && rng.NextDouble() < HardNegativeShare;
                labels[i] = positive ? 1f : 0f;
                for (int j = 0; j < featureCount; j++)
                {
                    // Easy negatives sit a little on the other side of the origin; hard ones share the first half
                    // of the positives' mean.
                    double mean = positive ? positiveMean[j] : hard ? (j < featureCount / 2 ? positiveMean[j] : 0) : -0.5 * positiveMean[j];
                    features[i * featureCount + j] = (float)(mean + Normal(rng));
                }
            }
            return new Dataset(features, labels);
        }

        var train = Draw(trainCount);
        var test = Draw(testCount);
        return (train, test);
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
