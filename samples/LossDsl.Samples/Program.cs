using System;
using System.Collections.Generic;
using System.Diagnostics;
using LossDsl.Interpretation;
using LossDsl.Samples;

// The main sample: a few losses declared in one line each (see ClassicLosses.cs and the other files here), called
// on random data, and checked against the double-precision interpreter of the same expression.

var rng = new Random(1);
float[] Normal(int n, double scale)
{
    var a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
    return a;
}

int n = 1 << 22;
var x = Normal(n, 3);
var y = new float[n];
for (int i = 0; i < n; i++) y[i] = rng.Next(2);
var dx = new float[n];

var sw = Stopwatch.StartNew();
float focal = ClassicLosses.SigmoidFocal(x, y, dx);
sw.Stop();
Console.WriteLine($"Sigmoid focal loss over {n:N0} logits: loss = {focal:G7}, dLoss/dx[0] = {dx[0]:G7} (first call, {sw.Elapsed.TotalMilliseconds:F1} ms incl. JIT)");

sw.Restart();
const int repeats = 10;
for (int r = 0; r < repeats; r++) ClassicLosses.SigmoidFocal(x, y, dx);
sw.Stop();
Console.WriteLine($"  forward + backward, fused: {sw.Elapsed.TotalMilliseconds / repeats:F2} ms per call ({Environment.ProcessorCount} cores)");

// The same expression, interpreted in double precision, on a slice.
var slice = 4096;
var reference = LossExpression.Parse(
    "p = sigmoid(x); pt = y*p + (1-y)*(1-p); at = alpha*y + (1-alpha)*(1-y); mean(at * (1-pt)^gamma * bce_logits(x, y))",
    LossParameterDeclaration.Tensor("x"), LossParameterDeclaration.Tensor("y"), LossParameterDeclaration.Gradient("dx"),
    LossParameterDeclaration.Real("alpha"), LossParameterDeclaration.Real("gamma"));
var xs = x.AsSpan(0, slice).ToArray();
var ys = y.AsSpan(0, slice).ToArray();
var dxs = new float[slice];
float kernel = ClassicLosses.SigmoidFocal(xs, ys, dxs);
var exact = reference.EvaluateWithGradients(new Dictionary<string, object> { ["x"] = xs, ["y"] = ys, ["alpha"] = 0.25, ["gamma"] = 2.0 });
double maxDiff = 0;
for (int i = 0; i < slice; i++) maxDiff = Math.Max(maxDiff, Math.Abs(dxs[i] - exact.Gradients["dx"][i]));
Console.WriteLine($"  vs the float64 interpreter on {slice} elements: loss {kernel:G9} vs {exact.Loss:G9}, max |gradient difference| {maxDiff:E2}");
Console.WriteLine($"  derived gradient: {reference.GradientOf("dx")}");

int rows = 4096, classes = 1000;
var logits = Normal(rows * classes, 2);
var labels = new int[rows];
for (int i = 0; i < rows; i++) labels[i] = rng.Next(classes);
var dlogits = new float[logits.Length];
float ce = ClassicLosses.SoftmaxCrossEntropy(logits, labels, dlogits);
Console.WriteLine($"Softmax cross-entropy over [{rows} x {classes}] logits: loss = {ce:G7} (log {classes} = {Math.Log(classes):G7} for uniform logits)");

var weights = new float[classes];
Array.Fill(weights, 1f);
labels[0] = -100;
float weighted = MulticlassLosses.CrossEntropyWeighted(logits, labels, weights, dlogits);
Console.WriteLine($"  with class weights and ignore_index = -100 on row 0: loss = {weighted:G7}, dlogits of the ignored row all zero: {Array.TrueForAll(dlogits[..classes], v => v == 0)}");

int pairs = 256, dim = 64;
var views = Normal(2 * pairs * dim, 1);
var positive = new int[2 * pairs];
for (int i = 0; i < positive.Length; i++) positive[i] = i ^ 1;
var dviews = new float[views.Length];
float nce = MetricLosses.InfoNce(views, positive, dviews, 0.1f);
Console.WriteLine($"InfoNCE over {2 * pairs} views of dimension {dim} (pairwise, tau = 0.1): loss = {nce:G7}");
