using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LossDsl.Benchmarks;

/// <summary>
/// Entry point. Usage:
/// <code>
///   dotnet run -c Release --project benchmarks/LossDsl.Benchmarks -- --check
///   dotnet run -c Release --project benchmarks/LossDsl.Benchmarks -- --filter '*Bce*' [--sizes 65536,4194304] [--job short]
///   dotnet run -c Release --project benchmarks/LossDsl.Benchmarks -- --pairwise --threads 2 [--cases infonce,linear] [--small]
///   dotnet run -c Release --project benchmarks/LossDsl.Benchmarks -- --memory
/// </code>
/// <c>--check</c> compares every variant with the scalar baseline instead of benchmarking (exit code 1 on mismatch).
/// <c>--pairwise</c> prints medians of the pairwise losses in the format of benchmarks/peers/pairwise_peers.py, and
/// <c>--memory</c> their peak memory at the sizes PyTorch cannot hold (<see cref="PairwiseHarness"/>).
/// <c>--sizes</c> (ours, not BenchmarkDotNet's) keeps only the listed values of the <c>N</c> parameter.
/// Without a <c>--job</c>/<c>-j</c> argument a short job for this noisy 2-core machine is used (3 warmup, 10 measured
/// iterations); any other BenchmarkDotNet argument passes through.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--check"))
        {
            return ConsistencyCheck.Run();
        }

        if (args.Contains("--pairwise"))
        {
            return PairwiseHarness.Run(args);
        }

        if (args.Contains("--memory"))
        {
            return PairwiseHarness.Memory(args);
        }

        var passThrough = new List<string>();
        HashSet<int>? sizes = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--sizes")
            {
                if (i + 1 >= args.Length)
                {
                    Console.Error.WriteLine("--sizes needs a comma-separated list of N values.");
                    return 2;
                }

                sizes = new HashSet<int>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => int.Parse(s, CultureInfo.InvariantCulture)));
            }
            else
            {
                passThrough.Add(args[i]);
            }
        }

        ManualConfig config = DefaultConfig.Instance
            .AddColumn(StatisticColumn.StdDev, BaselineRatioColumn.RatioMean, new NanosecondsPerElementColumn())
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));

        bool jobOnCommandLine = passThrough.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        if (!jobOnCommandLine)
        {
            config = config.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("Short10"));
        }

        if (sizes is not null)
        {
            HashSet<int> keep = sizes;
            config = config.AddFilter(new SimpleFilter(b =>
                b.Parameters.Items.All(p => p.Name != "N" || (p.Value is int n && keep.Contains(n)))));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(passThrough.ToArray(), config);
        return 0;
    }

    /// <summary>Mean time divided by the <c>N</c> parameter (total elements), in nanoseconds.</summary>
    private sealed class NanosecondsPerElementColumn : IColumn
    {
        public string Id => nameof(NanosecondsPerElementColumn);

        public string ColumnName => "ns/elem";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Mean time per element (Mean / N), in nanoseconds";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
            => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            object? n = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value;
            if (report?.ResultStatistics is not { } stats || n is not int elements || elements <= 0)
            {
                return "NA";
            }

            return (stats.Mean / elements).ToString("0.000", CultureInfo.InvariantCulture);
        }

        public override string ToString() => ColumnName;
    }
}
