using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using LossDsl.Training;

// The first program worth running: two logistic-regression classifiers trained side by side on a rare-event problem
// (1.5% positives), one with BCE with logits and one with the sigmoid focal loss, both declared in one line each in
// Losses.cs and generated as fused forward + backward kernels. One line per epoch, then a plot of both runs.

var options = new TrainingOptions();
var stopwatch = Stopwatch.StartNew();
var history = Trainer.Run(options, Console.Out);
stopwatch.Stop();

string plot = Path.GetFullPath("training.png");
TrainingPlot.Save(history, plot);

var bce = history.Bce.Last;
var focal = history.Focal.Last;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"after {options.Epochs} epochs ({stopwatch.Elapsed.TotalSeconds:F1} s): on the {history.TestPositives} held-out positives, "
    + $"BCE recall@0.5 {bce.Recall:F3} at precision {bce.Precision:F3} (AP {bce.AveragePrecision:F3}), "
    + $"focal recall@0.5 {focal.Recall:F3} at precision {focal.Precision:F3} (AP {focal.AveragePrecision:F3})"));
Console.WriteLine($"plot of both runs: {plot}");
if (!TrainingPlot.HasFonts) Console.WriteLine("  (no font was found on this machine, so the plot has no text; on Debian, apt-get install fonts-dejavu-core)");
