using System;

namespace LossDsl.Training;

/// <summary>How well scores separate the rare positives from the negatives.</summary>
public static class Metrics
{
    /// <summary>Average precision of the positives ranked by score (the area under the precision-recall curve as a
    /// step function, as scikit-learn's average_precision_score computes it; tied scores form one step).</summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        int positives = 0;
        foreach (float label in labels) if (label == 1f) positives++;
        if (positives == 0) throw new ArgumentException("no positive label", nameof(labels));
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        // Descending by score: walk from the end, one step per distinct score.
        double ap = 0;
        int truePositives = 0, seen = 0;
        for (int k = order.Length - 1; k >= 0;)
        {
            float score = keys[k];
            int stepPositives = 0, stepCount = 0;
            for (; k >= 0 && keys[k] == score; k--, stepCount++) if (labels[order[k]] == 1f) stepPositives++;
            truePositives += stepPositives;
            seen += stepCount;
            ap += (double)stepPositives / positives * truePositives / seen;
        }
        return ap;
    }

    /// <summary>Recall and precision of the rule "positive when the logit is above 0" (probability above 0.5).
    /// Precision is 0 when nothing is predicted positive.</summary>
    public static (double Recall, double Precision) AtHalf(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels)
    {
        int truePositives = 0, predicted = 0, positives = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            bool isPositive = labels[i] == 1f;
            if (isPositive) positives++;
            if (logits[i] > 0)
            {
                predicted++;
                if (isPositive) truePositives++;
            }
        }
        return (positives == 0 ? 0 : (double)truePositives / positives, predicted == 0 ? 0 : (double)truePositives / predicted);
    }
}
