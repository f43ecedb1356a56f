using System;
using System.Linq;
using LossDsl.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace LossDsl.Tests.Generator;

public class DebugDump(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        string? expr = Environment.GetEnvironmentVariable("LOSSDSL_DUMP");
        string? sig = Environment.GetEnvironmentVariable("LOSSDSL_DUMP_SIG");
        if (expr is null || sig is null) return;
        var r = GeneratorHarness.Run($$"""
            using System;
            using LossDsl;
            public static partial class L { [GeneratedLoss("{{expr}}")] public static partial float F({{sig}}); }
            """);
        foreach (var d in r.GeneratorDiagnostics.Concat(r.CompilationDiagnostics)) output.WriteLine(d.ToString());
        foreach (var s in r.GeneratedSources) System.IO.File.WriteAllText("/tmp/dump.g.cs", s);
    }
}
