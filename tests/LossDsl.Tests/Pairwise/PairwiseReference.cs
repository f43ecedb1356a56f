using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Tests.Pairwise;

/// <summary>
/// The pairwise losses of samples/LossDsl.Samples/PairwiseLosses.cs written again from their formulas in plain
/// float64 loops, sharing nothing with the compiler: an oracle independent of the front end (the interpreter shares
/// it). Inputs are row-major [rows, dim]; every function returns the loss.
/// </summary>
public static class PairwiseReference
{
    private static double[][] Rows(double[] m, int dim)
    {
        int rows = dim == 0 ? 0 : m.Length / dim;
        var r = new double[rows][];
        for (int i = 0; i < rows; i++) r[i] = m.AsSpan(i * dim, dim).ToArray();
        return r;
    }

    private static double[][] Normalized(double[] m, int dim) => Rows(m, dim).Select(r =>
    {
        double n = Math.Sqrt(r.Sum(v => v * v));
        return r.Select(v => v / n).ToArray();
    }).ToArray();

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += a[k] * b[k];
        return s;
    }

    /// <summary>log(sum(exp(v))) over the values, -inf for none.</summary>
    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return double.NegativeInfinity;
        double m = v.Max();
        if (double.IsNegativeInfinity(m)) return m;
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    public static double InfoNceTwoViews(double[] a, double[] b, int dim, double tau)
    {
        var an = Normalized(a, dim);
        var bn = Normalized(b, dim);
        int n = an.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
            total += LogSumExp(Enumerable.Range(0, n).Select(j => Dot(an[i], bn[j]) / tau)) - Dot(an[i], bn[i]) / tau;
        return total / n;
    }

    public static double Clip(double[] x, double[] y, double t, int dim)
    {
        var xn = Normalized(x, dim);
        var yn = Normalized(y, dim);
        int n = xn.Length;
        double scale = Math.Exp(t);
        double S(int i, int j) => scale * Dot(xn[i], yn[j]);
        double rows = 0, columns = 0;
        for (int i = 0; i < n; i++) rows += LogSumExp(Enumerable.Range(0, n).Select(j => S(i, j))) - S(i, i);
        for (int j = 0; j < n; j++) columns += LogSumExp(Enumerable.Range(0, n).Select(i => S(i, j))) - S(j, j);
        return 0.5 * (rows / n + columns / n);
    }

    public static double SigLip(double[] x, double[] y, double t, double b, int dim)
    {
        var xr = Rows(x, dim);
        var yr = Rows(y, dim);
        int n = xr.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                total += Softplus(-(i == j ? 1 : -1) * (Math.Exp(t) * Dot(xr[i], yr[j]) + b));
        return total / n;
    }

    public static double SupCon(double[] z, int[] y, int dim, double tau)
    {
        var zn = Normalized(z, dim);
        int n = zn.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double lse = LogSumExp(Enumerable.Range(0, n).Where(a => a != i).Select(a => Dot(zn[i], zn[a]) / tau));
            var positives = Enumerable.Range(0, n).Where(p => p != i && y[p] == y[i]).ToList();
            double sum = positives.Sum(p => lse - Dot(zn[i], zn[p]) / tau);
            total += sum / Math.Max(positives.Count, 1);
        }
        return total / n;
    }

    public static double TripletBatchHard(double[] x, int[] y, int dim, double margin)
    {
        var xr = Rows(x, dim);
        int n = xr.Length;
        double Distance(int i, int j) => Math.Sqrt(Math.Max(xr[i].Zip(xr[j], (a, b) => (a - b) * (a - b)).Sum(), 1e-12));
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double hardestPositive = double.NegativeInfinity, hardestNegative = double.PositiveInfinity;
            for (int j = 0; j < n; j++)
            {
                if (j != i && y[j] == y[i]) hardestPositive = Math.Max(hardestPositive, Distance(i, j));
                if (y[j] != y[i]) hardestNegative = Math.Min(hardestNegative, Distance(i, j));
            }
            total += Math.Max(hardestPositive - hardestNegative + margin, 0);
        }
        return total / n;
    }

    public static double MultiSimilarity(double[] z, int[] y, int dim, double alpha, double beta, double lambda, double eps)
    {
        var zn = Normalized(z, dim);
        int n = zn.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var pos = Enumerable.Range(0, n).Where(j => j != i && y[j] == y[i]).ToList();
            var negs = Enumerable.Range(0, n).Where(j => y[j] != y[i]).ToList();
            double minPos = pos.Count == 0 ? double.PositiveInfinity : pos.Min(j => Dot(zn[i], zn[j]));
            double maxNeg = negs.Count == 0 ? double.NegativeInfinity : negs.Max(j => Dot(zn[i], zn[j]));
            double sp = pos.Where(j => Dot(zn[i], zn[j]) < maxNeg + eps).Sum(j => Math.Exp(-alpha * (Dot(zn[i], zn[j]) - lambda)));
            double sn = negs.Where(j => Dot(zn[i], zn[j]) > minPos - eps).Sum(j => Math.Exp(beta * (Dot(zn[i], zn[j]) - lambda)));
            total += Math.Log(1 + sp) / alpha + Math.Log(1 + sn) / beta;
        }
        return total / n;
    }

    public static double ProxyAnchor(double[] x, int[] y, double[] p, int classes, double alpha, double delta)
    {
        int dim = classes == 0 ? 0 : p.Length / classes;
        var xn = Normalized(x, dim);
        var pn = Normalized(p, dim);
        int n = xn.Length;
        double positive = 0, negative = 0;
        int present = 0;
        for (int c = 0; c < classes; c++)
        {
            var members = Enumerable.Range(0, n).Where(i => y[i] == c).ToList();
            if (members.Count > 0)
            {
                present++;
                positive += Math.Log(1 + members.Sum(i => Math.Exp(-alpha * (Dot(xn[i], pn[c]) - delta))));
            }
            negative += Math.Log(1 + Enumerable.Range(0, n).Where(i => y[i] != c).Sum(i => Math.Exp(alpha * (Dot(xn[i], pn[c]) + delta))));
        }
        return positive / Math.Max(present, 1) + negative / classes;
    }

    /// <summary>Circle loss; its weights relu(s + m) and relu(1 + m - s) are constants of the gradient (stop_gradient),
    /// so they are computed from <paramref name="weightsFrom"/>, the inputs before any perturbation.</summary>
    public static double Circle(double[] z, double[] weightsFrom, int[] y, int dim, double gamma, double m)
    {
        var zn = Normalized(z, dim);
        var fixedZn = Normalized(weightsFrom, dim);
        int n = zn.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double negatives = LogSumExp(Enumerable.Range(0, n).Where(j => y[j] != y[i]).Select(j =>
            {
                double s = Dot(zn[i], zn[j]);
                return gamma * Math.Max(Dot(fixedZn[i], fixedZn[j]) + m, 0) * (s - m);
            }));
            double positives = LogSumExp(Enumerable.Range(0, n).Where(j => j != i && y[j] == y[i]).Select(j =>
            {
                double s = Dot(zn[i], zn[j]);
                return -gamma * Math.Max(1 + m - Dot(fixedZn[i], fixedZn[j]), 0) * (s - 1 + m);
            }));
            total += Softplus(negatives + positives);
        }
        return total / n;
    }

    public static double LinearCrossEntropy(double[] h, double[] w, int[] y, int dim)
    {
        var hr = Rows(h, dim);
        var wr = Rows(w, dim);
        double total = 0;
        for (int i = 0; i < hr.Length; i++)
            total += LogSumExp(wr.Select(row => Dot(hr[i], row))) - Dot(hr[i], wr[y[i]]);
        return total / hr.Length;
    }

    public static double ArcFace(double[] x, double[] w, int[] y, int dim, double scale, double cosM, double sinM)
    {
        var xn = Normalized(x, dim);
        var wn = Normalized(w, dim);
        double total = 0;
        for (int i = 0; i < xn.Length; i++)
        {
            double Logit(int c)
            {
                double cosine = Dot(xn[i], wn[c]);
                return scale * (c == y[i] ? cosine * cosM - Math.Sqrt(Math.Max(1 - cosine * cosine, 1e-7)) * sinM : cosine);
            }
            total += LogSumExp(Enumerable.Range(0, wn.Length).Select(Logit)) - Logit(y[i]);
        }
        return total / xn.Length;
    }
}
