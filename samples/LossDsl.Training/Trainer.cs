using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace LossDsl.Training;

/// <summary>What to train on and how. The defaults are the program's; every field is deterministic given
/// <see cref="Seed"/>.</summary>
public sealed record TrainingOptions
{
    public int TrainCount { get; init; } = 100_000;
    public int TestCount { get; init; } = 50_000;
    public int FeatureCount { get; init; } = 8;
    /// <summary>The share of positive rows (the rare class).</summary>
    public double PositiveRate { get; init; } = 0.015;
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 0.05;
    /// <summary>The focal loss's weight of the positives (the negatives get 1 - alpha). torchvision's default is 0.25,
    /// tuned for detection with a prior-initialized bias; here the positives are the rare class, so 0.75.</summary>
    public float FocalAlpha { get; init; } = 0.75f;
    /// <summary>The focusing exponent: (1 - pt)^gamma discounts the examples the model already gets right.</summary>
    public float FocalGamma { get; init; } = 2f;
    public int Seed { get; init; } = 2026;
}

/// <summary>A model's state after an epoch: its loss over the whole training set, and on the held-out set the
/// average precision of the positives and the recall and precision of the rule "probability above 0.5".</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double AveragePrecision, double Recall, double Precision);

/// <summary>One model trained with one loss: the metrics after each epoch, epoch 0 being the model before training.</summary>
public sealed record LossHistory(string LossName, IReadOnlyList<EpochMetrics> Epochs)
{
    public EpochMetrics First => Epochs[0];
    public EpochMetrics Last => Epochs[^1];
}

/// <summary>The two runs of <see cref="Trainer.Run"/>, on the same data, batches and initial model.</summary>
public sealed record TrainingHistory(TrainingOptions Options, int TrainPositives, int TestPositives, LossHistory Bce, LossHistory Focal);

/// <summary>
/// Trains two logistic-regression classifiers on the same rare-event problem with plain mini-batch gradient
/// descent, one with BCE with logits and one with the sigmoid focal loss, both generated from their declarations in
/// <see cref="Losses"/>. Each loss gives the gradient with respect to the logits; the model's gradient follows by
/// the chain rule (<see cref="LogisticRegression.Step"/>).
/// </summary>
public static class Trainer
{
    private delegate float LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> dLogits);
    private delegate float LossOnly(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels);

    /// <summary>Trains both models for <see cref="TrainingOptions.Epochs"/> epochs and returns their metrics per
    /// epoch; writes one line per epoch to <paramref name="log"/> when it is given.</summary>
    public static TrainingHistory Run(TrainingOptions options, TextWriter? log = null)
    {
        if (options.Epochs < 1 || options.BatchSize < 1 || options.TrainCount < options.BatchSize)
            throw new ArgumentException("at least one epoch and one full batch are needed", nameof(options));
        var (train, test) = SyntheticData.Generate(options.TrainCount, options.TestCount, options.FeatureCount, options.PositiveRate, options.Seed);
        float alpha = options.FocalAlpha, gamma = options.FocalGamma;
        var bce = new ModelRun("BCE", train, test,
            (z, y, dz) => Losses.BceWithLogits(z, y, dz), (z, y) => Losses.BceWithLogits(z, y));
        var focal = new ModelRun("focal", train, test,
            (z, y, dz) => Losses.SigmoidFocal(z, y, dz, alpha, gamma), (z, y) => Losses.SigmoidFocal(z, y, alpha, gamma));

        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{train.Count:N0} training rows ({train.PositiveCount} positive, {100.0 * train.PositiveCount / train.Count:F1}%), "
            + $"{test.Count:N0} held-out rows ({test.PositiveCount} positive), {train.FeatureCount} features; "
            + $"mini-batches of {options.BatchSize}, learning rate {options.LearningRate}, focal alpha {alpha}, gamma {gamma}"));
        log?.WriteLine("epoch | BCE:   train loss   AP    recall@0.5  precision@0.5 | focal: train loss   AP    recall@0.5  precision@0.5");
        Report(log, bce.Evaluate(0), focal.Evaluate(0));

        var order = new int[train.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var shuffle = new Random(options.Seed + 1);
        int batches = train.Count / options.BatchSize;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            for (int b = 0; b < batches; b++)
            {
                var rows = order.AsSpan(b * options.BatchSize, options.BatchSize);
                bce.Step(rows, options.LearningRate);
                focal.Step(rows, options.LearningRate);
            }
            Report(log, bce.Evaluate(epoch), focal.Evaluate(epoch));
        }
        return new TrainingHistory(options, train.PositiveCount, test.PositiveCount, bce.History(), focal.History());
    }

    private static void Report(TextWriter? log, EpochMetrics bce, EpochMetrics focal) =>
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{bce.Epoch,5} |        {bce.TrainLoss,8:F5}  {bce.AveragePrecision,5:F3}  {bce.Recall,8:F3}  {bce.Precision,11:F3}     |        "
            + $"{focal.TrainLoss,8:F5}  {focal.AveragePrecision,5:F3}  {focal.Recall,8:F3}  {focal.Precision,11:F3}"));

    /// <summary>One model, its loss, and the buffers it reuses: no allocation per step.</summary>
    private sealed class ModelRun(string name, Dataset train, Dataset test, LossAndGradient lossAndGradient, LossOnly loss)
    {
        private readonly LogisticRegression _model = new(train.FeatureCount);
        private readonly List<EpochMetrics> _epochs = [];
        private readonly float[] _batchLabels = new float[train.Count];
        private readonly float[] _batchLogits = new float[train.Count];
        private readonly float[] _batchGradient = new float[train.Count];
        private readonly float[] _trainLogits = new float[train.Count];
        private readonly float[] _testLogits = new float[test.Count];
        private readonly int[] _trainRows = Sequence(train.Count);
        private readonly int[] _testRows = Sequence(test.Count);

        public void Step(ReadOnlySpan<int> rows, double learningRate)
        {
            var logits = _batchLogits.AsSpan(0, rows.Length);
            var labels = _batchLabels.AsSpan(0, rows.Length);
            var dLogits = _batchGradient.AsSpan(0, rows.Length);
            for (int i = 0; i < rows.Length; i++) labels[i] = train.Labels[rows[i]];
            _model.Logits(train, rows, logits);
            lossAndGradient(logits, labels, dLogits); // dLoss/dz for every row of the batch, in the same pass as the loss
            _model.Step(train, rows, dLogits, learningRate);
        }

        public EpochMetrics Evaluate(int epoch)
        {
            _model.Logits(train, _trainRows, _trainLogits);
            double trainLoss = loss(_trainLogits, train.Labels);
            _model.Logits(test, _testRows, _testLogits);
            double ap = Metrics.AveragePrecision(_testLogits, test.Labels);
            var (recall, precision) = Metrics.AtHalf(_testLogits, test.Labels);
            var metrics = new EpochMetrics(epoch, trainLoss, ap, recall, precision);
            _epochs.Add(metrics);
            return metrics;
        }

        public LossHistory History() => new(name, _epochs.ToArray());

        private static int[] Sequence(int count)
        {
            var rows = new int[count];
            for (int i = 0; i < count; i++) rows[i] = i;
            return rows;
        }
    }
}
