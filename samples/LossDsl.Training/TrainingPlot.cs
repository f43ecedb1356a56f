using System.Linq;
using ScottPlot;

namespace LossDsl.Training;

/// <summary>Draws a <see cref="TrainingHistory"/> into a PNG: the training loss of both runs after each epoch (top,
/// each loss on its own axis, since their scales differ) and the held-out metrics per epoch (bottom).</summary>
public static class TrainingPlot
{
    /// <summary>Whether the renderer (SkiaSharp) finds any font: on a machine with none, the plot is drawn without
    /// its text (on Debian, the package fonts-dejavu-core brings fonts).</summary>
    public static bool HasFonts => SkiaSharp.SKTypeface.Default.GlyphCount > 0;

    public static void Save(TrainingHistory history, string path, int width = 1100, int height = 850)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var losses = multiplot.GetPlot(0);
        var metrics = multiplot.GetPlot(1);
        var bceColor = Colors.C0;
        var focalColor = Colors.C1;
        static double[] Epochs(LossHistory run, int from) => run.Epochs.Skip(from).Select(e => (double)e.Epoch).ToArray();

        // From epoch 1: the untrained model's loss (log 2 for BCE) would flatten the curves.
        var bceLoss = losses.Add.Scatter(Epochs(history.Bce, 1), history.Bce.Epochs.Skip(1).Select(e => e.TrainLoss).ToArray(), bceColor);
        bceLoss.LegendText = "BCE with logits (left axis)";
        var focalLoss = losses.Add.Scatter(Epochs(history.Focal, 1), history.Focal.Epochs.Skip(1).Select(e => e.TrainLoss).ToArray(), focalColor);
        focalLoss.LegendText = $"sigmoid focal, alpha {history.Options.FocalAlpha}, gamma {history.Options.FocalGamma} (right axis)";
        focalLoss.Axes.YAxis = losses.Axes.Right;
        losses.Title("Training loss over the training set after each epoch");
        losses.Axes.Left.Label.Text = "BCE with logits";
        losses.Axes.Right.Label.Text = "sigmoid focal";
        losses.Axes.Bottom.Label.Text = "epoch";
        losses.ShowLegend(Alignment.UpperRight);

        void AddMetrics(LossHistory run, Color color, string name)
        {
            var epochs = Epochs(run, 0);
            var ap = metrics.Add.Scatter(epochs, run.Epochs.Select(e => e.AveragePrecision).ToArray(), color);
            ap.LegendText = $"{name}: average precision";
            var recall = metrics.Add.Scatter(epochs, run.Epochs.Select(e => e.Recall).ToArray(), color);
            recall.LegendText = $"{name}: recall at p > 0.5";
            recall.LinePattern = LinePattern.Dashed;
            var precision = metrics.Add.Scatter(epochs, run.Epochs.Select(e => e.Precision).ToArray(), color);
            precision.LegendText = $"{name}: precision at p > 0.5";
            precision.LinePattern = LinePattern.Dotted;
        }
        AddMetrics(history.Bce, bceColor, "BCE");
        AddMetrics(history.Focal, focalColor, "focal");
        metrics.Title($"Held-out set: {history.TestPositives} positives among {history.Options.TestCount:N0} rows");
        metrics.Axes.Left.Label.Text = "on the rare class";
        metrics.Axes.Bottom.Label.Text = "epoch";
        metrics.Axes.SetLimitsY(0, 1);
        metrics.ShowLegend(Alignment.LowerRight, Orientation.Horizontal);

        foreach (var plot in new[] { losses, metrics })
        {
            plot.Axes.SetLimitsX(0, history.Options.Epochs + 0.5);
            plot.Layout.Fixed(new PixelPadding(left: 80, right: 80, bottom: 55, top: 40)); // the same data area in both
        }
        multiplot.SavePng(path, width, height);
    }
}
