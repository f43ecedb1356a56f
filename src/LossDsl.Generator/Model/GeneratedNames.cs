using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace LossDsl.Generator.Model;

/// <summary>
/// The names generated code gives its files, classes and parameters, chosen so that they never collide with each
/// other or with the user's names: a declaration is identified by its full signature (containing types, method and
/// parameter types), a user name that is a C# keyword is escaped, and a generated parameter takes a name no user
/// parameter has. Generated locals and fields begin with <see cref="ReservedPrefix"/>, which user parameters may not
/// (LOSS0006).
/// </summary>
internal static class GeneratedNames
{
    /// <summary>The prefix of generated locals in the scope of the user's parameters; a parameter name may not begin with it (LOSS0006).</summary>
    public const string ReservedPrefix = "__";

    /// <summary>The declaration's full signature: namespace, containing types, method and parameter types.</summary>
    public static string Signature(LossMethodInput input) =>
        string.Join(".", new[] { input.Namespace }.Where(n => n.Length > 0).Concat(input.ContainingTypes.Select(t => t.Name)).Append(input.MethodName))
        + "(" + string.Join(", ", input.Parameters.Select(p => p.TypeText)) + ")";

    /// <summary>
    /// A short stable hash of the full signature (8 hex digits, FNV-1a), which tells apart overloads with the same
    /// number of parameters; stable across runs and machines.
    /// </summary>
    public static string SignatureHash(LossMethodInput input)
    {
        uint h = 2166136261;
        foreach (char c in Signature(input)) { h ^= c; h *= 16777619; }
        return h.ToString("x8");
    }

    /// <summary>The readable part of the hint name: namespace, containing types, method and parameter count.</summary>
    public static string HintStem(LossMethodInput input)
    {
        var parts = new List<string>();
        if (input.Namespace.Length > 0) parts.Add(input.Namespace);
        parts.AddRange(input.ContainingTypes.Select(t => t.Name));
        parts.Add(input.MethodName);
        string name = string.Join(".", parts);
        return Identifierish(name, keepDots: true) + "_" + input.Parameters.Count;
    }

    /// <summary>The class of the CPU kernels, nested in the user's type: unique per method and parameter types.</summary>
    public static string KernelClass(LossMethodInput input) => $"__{input.MethodName}_{input.Parameters.Count}_{SignatureHash(input)}_Kernels";

    /// <summary>The class of the GPU kernels in LossDsl.Generated: unique per containing types, method and parameter types.</summary>
    public static string GpuKernelClass(LossMethodInput input)
    {
        var parts = new List<string>();
        if (input.Namespace.Length > 0) parts.Add(input.Namespace);
        parts.AddRange(input.ContainingTypes.Select(t => t.Name));
        parts.Add(input.MethodName);
        return Identifierish(string.Join("_", parts), keepDots: false) + $"_{input.Parameters.Count}_{SignatureHash(input)}_GpuKernels";
    }

    /// <summary>A user name as a C# identifier: escaped with @ when it is a keyword.</summary>
    public static string Id(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A name for a generated parameter beside the user's: <paramref name="preferred"/>, or it with a number when a user parameter has it.</summary>
    public static string Unused(string preferred, LossMethodInput input)
    {
        var taken = new HashSet<string>(input.Parameters.Select(p => p.Name));
        if (!taken.Contains(preferred)) return preferred;
        for (int k = 1; ; k++) if (!taken.Contains(preferred + k)) return preferred + k;
    }

    private static string Identifierish(string s, bool keepDots)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(char.IsLetterOrDigit(c) || c == '_' || (keepDots && c == '.') ? c : '_');
        return sb.ToString();
    }
}
