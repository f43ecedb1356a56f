using System;
using System.Linq;
using LossDsl.Language.Ir;

namespace LossDsl.Tests.Infrastructure;

/// <summary>Parameter lists for driving the language's compiler directly in tests.</summary>
internal static class LanguageParameters
{
    /// <summary>Parameters from "name:kind" with kinds F (float tensor), I (int tensor), G (gradient), R (real), N (int).</summary>
    public static LossParameter[] Parse(string spec) => spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
    {
        var kv = p.Split(':');
        var kind = kv[1] switch
        {
            "F" => ParameterKind.FloatTensor, "I" => ParameterKind.IntTensor, "G" => ParameterKind.Gradient,
            "R" => ParameterKind.RealScalar, "N" => ParameterKind.IntScalar, _ => throw new ArgumentException(kv[1]),
        };
        return new LossParameter(kv[0], kind, "");
    }).ToArray();
}
