using System;
using System.IO;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using LossDsl.Training;
using Xunit;

namespace LossDsl.Tests.Training;

/// <summary>The training program (samples/LossDsl.Training) on a small configuration: both losses go down, both
/// models find the rare class, the focal run finds more of it at p &gt; 0.5, and the plot is a PNG.</summary>
public sealed class TrainerTests
{
    private static readonly TrainingOptions s_small = new()
    {
        TrainCount = 20_000, TestCount = 20_000, Epochs = 6, BatchSize = 256, LearningRate = 0.1, Seed = 5,
    };

    private static readonly Lazy<TrainingHistory> s_history = new(() => Trainer.Run(s_small));

    [Fact]
    public void BothLossesDecreaseEveryEpoch()
    {
        var history = s_history.Value;
        Assert.InRange(history.TrainPositives, 100, 600); // 1.5% of 20,000
        foreach (var run in new[] { history.Bce, history.Focal })
        {
            Assert.Equal(s_small.Epochs + 1, run.Epochs.Count);
            Assert.Equal(Enumerable.Range(0, s_small.Epochs + 1), run.Epochs.Select(e => e.Epoch));
            for (int epoch = 1; epoch < run.Epochs.Count; epoch++)
            {
                Assert.True(run.Epochs[epoch].TrainLoss < run.Epochs[epoch - 1].TrainLoss,
                    $"{run.LossName}: the training loss went from {run.Epochs[epoch - 1].TrainLoss} to {run.Epochs[epoch].TrainLoss} in epoch {epoch}");
            }
            Assert.True(run.Last.TrainLoss < 0.2 * run.First.TrainLoss, $"{run.LossName}: {run.First.TrainLoss} -> {run.Last.TrainLoss}");
        }
        // The untrained model (all logits 0): BCE is log 2, the focal loss a known fraction of it.
        Assert.Equal(Math.Log(2), history.Bce.First.TrainLoss, 5);
    }

    [Fact]
    public void BothModelsRankTheRareClassAndTheFocalOneFindsMoreOfItAtHalf()
    {
        var history = s_history.Value;
        foreach (var run in new[] { history.Bce, history.Focal })
        {
            Assert.InRange(run.First.AveragePrecision, 0.005, 0.03); // untrained: about the share of positives
            Assert.True(run.Last.AveragePrecision > 0.5, $"{run.LossName}: held-out average precision {run.Last.AveragePrecision}");
            Assert.True(run.Last.Recall > 0.2, $"{run.LossName}: held-out recall at p > 0.5 {run.Last.Recall}");
        }
        // The program's point: alpha = 0.75 and gamma = 2 move the operating point towards the rare class.
        Assert.True(history.Focal.Last.Recall > history.Bce.Last.Recall + 0.1,
            $"recall at p > 0.5: focal {history.Focal.Last.Recall}, BCE {history.Bce.Last.Recall}");
    }

    [Fact]
    public void SameOptionsGiveTheSameHistory()
    {
        var again = Trainer.Run(s_small);
        Assert.Equal(s_history.Value.Bce.Epochs, again.Bce.Epochs);
        Assert.Equal(s_history.Value.Focal.Epochs, again.Focal.Epochs);
    }

    [Fact]
    public void PlotIsAPngOfTheRequestedSize()
    {
        using var directory = new TemporaryDirectory("lossdsl-plot");
        string path = directory.Combine("training.png");
        TrainingPlot.Save(s_history.Value, path, width: 640, height: 480);
        byte[] png = File.ReadAllBytes(path);
        Assert.True(png.Length > 10_000, $"the plot is only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        int height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        Assert.Equal((640, 480), (width, height));
    }

    [Fact]
    public void AveragePrecisionMatchesTheStepDefinition()
    {
        // Ranked 0.9 (+), 0.8 (-), 0.7 (+), 0.6 (-): AP = 1/2 * 1/1 + 1/2 * 2/3.
        Assert.Equal(0.5 + 1.0 / 3, Metrics.AveragePrecision([0.9f, 0.8f, 0.7f, 0.6f], [1f, 0f, 1f, 0f]), 12);
        // A tie of one positive and one negative is one step at precision 1/2; then the other positive at 2/3.
        Assert.Equal(0.5 * 0.5 + 0.5 * 2.0 / 3, Metrics.AveragePrecision([0.5f, 0.5f, 0.1f], [1f, 0f, 1f]), 12);
        Assert.Equal(1.0, Metrics.AveragePrecision([3f, 2f, -1f], [1f, 1f, 0f]), 12);
        var (recall, precision) = Metrics.AtHalf([1f, -1f, 2f, 0.5f], [1f, 1f, 0f, 0f]);
        Assert.Equal((0.5, 1.0 / 3), (recall, precision));
    }

    [Fact]
    public void ModelStepIsTheChainRuleThroughTheGeneratedGradient()
    {
        // One step from zero weights with learning rate 1 moves the weights by minus the gradient of mean BCE with
        // respect to (w, b); compare with central differences of the loss computed in double.
        var (data, _) = SyntheticData.Generate(trainCount: 300, testCount: 10, featureCount: 3, positiveRate: 0.3, seed: 3);
        var rows = Enumerable.Range(0, data.Count).ToArray();
        var logits = new float[data.Count];
        var dLogits = new float[data.Count];
        var model = new LogisticRegression(data.FeatureCount);
        model.Logits(data, rows, logits);
        global::LossDsl.Training.Losses.BceWithLogits(logits, data.Labels, dLogits);
        model.Step(data, rows, dLogits, learningRate: 1);

        double Loss(double[] w, double b)
        {
            double sum = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var x = data.Row(i);
                double z = b;
                for (int j = 0; j < x.Length; j++) z += w[j] * x[j];
                sum += Math.Max(z, 0) - z * data.Labels[i] + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            }
            return sum / data.Count;
        }
        const double h = 1e-5;
        for (int j = 0; j <= data.FeatureCount; j++)
        {
            var plus = new double[data.FeatureCount];
            var minus = new double[data.FeatureCount];
            double bPlus = 0, bMinus = 0;
            if (j < data.FeatureCount) { plus[j] = h; minus[j] = -h; }
            else { bPlus = h; bMinus = -h; }
            double gradient = (Loss(plus, bPlus) - Loss(minus, bMinus)) / (2 * h);
            double moved = j < data.FeatureCount ? model.Weights[j] : model.Bias;
            Assert.True(Math.Abs(-moved - gradient) <= 1e-5 + 1e-4 * Math.Abs(gradient), $"parameter {j}: step {-moved}, gradient {gradient}");
        }
    }
}
