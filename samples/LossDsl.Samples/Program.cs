using System;
using LossDsl.Samples;

var rng = new Random(1);
int n = 1 << 20;
var x = new float[n]; var y = new float[n]; var dx = new float[n];
for (int i = 0; i < n; i++) { x[i] = (float)(rng.NextDouble() * 8 - 4); y[i] = rng.Next(2); }
float bce = ClassicLosses.BceWithLogits(x, y, dx);
Console.WriteLine($"BCE with logits over {n} elements: loss = {bce:G6}, dx[0] = {dx[0]:G6}");
float focal = ClassicLosses.SigmoidFocal(x, y, dx);
Console.WriteLine($"Sigmoid focal: loss = {focal:G6}, dx[0] = {dx[0]:G6}");
int rows = 1000, classes = 100;
var z = new float[rows * classes]; var labels = new int[rows]; var dz = new float[rows * classes];
for (int i = 0; i < z.Length; i++) z[i] = (float)(rng.NextDouble() * 6 - 3);
for (int i = 0; i < rows; i++) labels[i] = rng.Next(classes);
float ce = ClassicLosses.SoftmaxCrossEntropy(z, labels, dz);
Console.WriteLine($"Softmax cross-entropy [{rows} x {classes}]: loss = {ce:G6}, dz[0] = {dz[0]:G6}");
