using System;

namespace LossDsl.Training;

/// <summary>A linear model <c>z = w·x + b</c> whose logit <c>z</c> goes into a loss; trained by gradient descent.</summary>
public sealed class LogisticRegression
{
    private readonly float[] _weights;
    private readonly double[] _weightGradient;

    public LogisticRegression(int featureCount)
    {
        _weights = new float[featureCount];
        _weightGradient = new double[featureCount];
    }

    public ReadOnlySpan<float> Weights => _weights;
    public float Bias { get; private set; }

    /// <summary>Writes the logit of the rows numbered in <paramref name="rows"/> to <paramref name="logits"/>, in that order.</summary>
    public void Logits(Dataset data, ReadOnlySpan<int> rows, Span<float> logits)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            var x = data.Row(rows[i]);
            float z = Bias;
            for (int j = 0; j < x.Length; j++) z += _weights[j] * x[j];
            logits[i] = z;
        }
    }

    /// <summary>One gradient-descent step from the loss's gradient with respect to the logits of
    /// <paramref name="rows"/>: by the chain rule dLoss/dw = Σᵢ dLoss/dzᵢ · xᵢ and dLoss/db = Σᵢ dLoss/dzᵢ.</summary>
    public void Step(Dataset data, ReadOnlySpan<int> rows, ReadOnlySpan<float> dLogits, double learningRate)
    {
        Array.Clear(_weightGradient);
        double biasGradient = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            var x = data.Row(rows[i]);
            double dz = dLogits[i];
            for (int j = 0; j < x.Length; j++) _weightGradient[j] += dz * x[j];
            biasGradient += dz;
        }
        for (int j = 0; j < _weights.Length; j++) _weights[j] -= (float)(learningRate * _weightGradient[j]);
        Bias -= (float)(learningRate * biasGradient);
    }
}
