using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Ir;
using LossDsl.Language.Lowering;
using LossDsl.Language.Scheduling;
using Xunit;
using Xunit.Abstractions;

namespace LossDsl.Tests.Language;

public class PlanDump
{
    internal static string Plan(string expr, params LossParameter[] ps)
    {
        var c = LossCompiler.Compile(expr, ps, ps.Any(p => p.Kind == ParameterKind.Gradient));
        if (!c.Success) return string.Join("\n", c.Diagnostics);
        var m = c.Model!;
        var memo = new Dictionary<Node, Node>();
        var loss = StableForms.Lower(m.Graph, m.Loss, memo);
        var grads = c.Gradients.Values.Select(g => new LossDsl.Language.Differentiation.GradientExpression(g.Tensor, g.Axes, StableForms.Lower(m.Graph, g.Expression, memo))).ToList();
        var text = string.Join("\n", c.Gradients.Values.Select(g => "d" + g.Tensor.Name + " = " + m.Print(g.Expression)));
        return text + "\n" + LoopProgramPrinter.Print(m, Scheduler.Schedule(m, loss, grads));
    }

    [Fact]
    public void Dump()
    {
        string? expr = Environment.GetEnvironmentVariable("LOSSDSL_PLAN");
        if (expr is null) return;
        var ps = Environment.GetEnvironmentVariable("LOSSDSL_PLAN_PARAMS")!.Split(',').Select(p =>
        {
            var kv = p.Split(':');
            return new LossParameter(kv[0], Enum.Parse<ParameterKind>(kv[1]), "");
        }).ToArray();
        System.IO.File.WriteAllText("/tmp/plan.txt", Plan(expr, ps));
    }
}
