using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LossDsl.Interpretation;
using LossDsl.Internals;
using LossDsl.Numerics;
using LossDsl.Simd;
using LossDsl.Tests.Infrastructure;
using LossDsl.Threading;
using Xunit;

namespace LossDsl.Tests.Packaging;

/// <summary>
/// The runtime's public surface is what users call: the attribute, the interpreter, the parallelism setting, the
/// SIMD width setting and the element type <c>LossDsl.Numerics.BFloat16</c>. Everything else that generated code needs is in <c>LossDsl.Internals</c>, hidden from
/// IntelliSense, and the build requires XML docs on every public member.
/// </summary>
public sealed class PublicSurfaceTests
{
    private const string InternalsNamespace = "LossDsl.Internals";

    private static readonly Assembly s_runtime = typeof(GeneratedLossAttribute).Assembly;

    /// <summary>The user-facing API: each type, and the public members it may declare (null = any).</summary>
    private static readonly Dictionary<Type, string[]?> s_userFacing = new()
    {
        [typeof(GeneratedLossAttribute)] = null,
        [typeof(LossExpression)] = null,
        [typeof(LossExpressionException)] = null,
        [typeof(LossEvaluation)] = null,
        [typeof(LossParameterDeclaration)] = null,
        [typeof(LossParameterKind)] = null,
        [typeof(LossParallel)] = ["MaxDegreeOfParallelism", "get_MaxDegreeOfParallelism", "set_MaxDegreeOfParallelism"],
        [typeof(SimdDispatch)] =
        [
            "PreferredWidth", "get_PreferredWidth", "HardwareWidth", "get_HardwareWidth",
            "ForcedWidth", "get_ForcedWidth", "set_ForcedWidth", "IsSupported",
        ],
        [typeof(BFloat16)] =
        [
            "Bits", "get_Bits", "FromBits", "op_Explicit", "Equals", "GetHashCode", "ToString", "op_Equality", "op_Inequality",
        ],
    };

    [Fact]
    public void EveryExportedTypeOutsideTheInternalsIsUserFacing()
    {
        var unexpected = s_runtime.GetExportedTypes()
            .Where(t => t.Namespace != InternalsNamespace && !s_userFacing.ContainsKey(t))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(unexpected.Count == 0,
            "public types outside " + InternalsNamespace + " that are not in the user-facing allow-list (move plumbing to "
            + InternalsNamespace + ", or add a type users call to the list):\n" + string.Join("\n", unexpected));
    }

    [Fact]
    public void UserFacingTypesDeclareOnlyTheirListedMembers()
    {
        foreach (var (type, allowed) in s_userFacing)
        {
            Assert.True(type.IsPublic, $"{type.FullName} is not public");
            Assert.NotEqual(InternalsNamespace, type.Namespace);
            if (allowed is null) continue;
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(m => m.Name)
                .ToHashSet(StringComparer.Ordinal);
            Assert.True(members.SetEquals(allowed),
                $"{type.FullName} declares the public members [{string.Join(", ", members.Order(StringComparer.Ordinal))}], "
                + $"expected [{string.Join(", ", allowed.Order(StringComparer.Ordinal))}]");
        }
    }

    [Fact]
    public void EveryInternalsTypeIsHiddenFromIntelliSense()
    {
        var internals = s_runtime.GetExportedTypes().Where(t => t.Namespace == InternalsNamespace).ToList();
        Assert.Contains(typeof(ChunkRunner), internals);
        Assert.Contains(typeof(ISimdOps<>), internals);
        Assert.Contains(typeof(OnlineSumExp.State), internals);
        Assert.Contains(typeof(ScalarDouble), internals);
        Assert.Contains(typeof(InputConversion), internals);
        var visible = internals
            .Where(t => t.GetCustomAttribute<EditorBrowsableAttribute>() is not { State: EditorBrowsableState.Never })
            .Select(t => t.FullName)
            .ToList();
        Assert.True(visible.Count == 0,
            "types of " + InternalsNamespace + " without [EditorBrowsable(EditorBrowsableState.Never)]:\n" + string.Join("\n", visible));
    }

    [Fact]
    public void GeneratedCodeNamesOnlyInternalsAndUserFacingTypes()
    {
        var userFacing = s_userFacing.Keys.Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
        string snapshots = Path.Combine(DotNetCli.RepositoryRoot, "tests", "LossDsl.Tests", "Generator", "Snapshots");
        var files = Directory.GetFiles(snapshots, "*.verified.txt");
        Assert.NotEmpty(files);
        var named = files
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"global::(LossDsl(?:\.[A-Za-z0-9_]+)+)").Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(named);
        // A name is a type (global::LossDsl.Internals.ChunkRunner) or a member of one (...ChunkRunner.Run).
        var strays = named
            .Where(n => !n.StartsWith(InternalsNamespace + ".", StringComparison.Ordinal)
                        && !userFacing.Any(t => n == t || n.StartsWith(t + ".", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(strays.Count == 0, "generated code names runtime types that are neither internals nor user-facing:\n" + string.Join("\n", strays));
    }

    [Theory]
    [InlineData("src/LossDsl.Runtime/LossDsl.Runtime.csproj")]
    [InlineData("src/LossDsl.Generator/LossDsl.Generator.csproj")]
    [InlineData("src/LossDsl.Gpu/LossDsl.Gpu.csproj")]
    public void PackedProjectsRequireDocumentationOnEveryPublicMember(string project)
    {
        // GenerateDocumentationFile turns on CS1591 (a public member without XML docs), and warnings are errors;
        // no project or props file may suppress it.
        var root = XDocument.Load(Path.Combine(DotNetCli.RepositoryRoot, project));
        Assert.Contains(root.Descendants("GenerateDocumentationFile"), e => e.Value.Trim() == "true");
        foreach (string file in new[] { project, "Directory.Build.props" })
        {
            string text = File.ReadAllText(Path.Combine(DotNetCli.RepositoryRoot, file));
            Assert.False(text.Contains("1591", StringComparison.Ordinal), $"{file} suppresses CS1591 (missing XML docs)");
        }
    }
}

/// <summary>
/// The GPU package's public surface: <c>LossGpu</c> (context set-up and settings) and <c>GpuKernelException</c>;
/// what the generated GPU code calls is in <c>LossDsl.Gpu.Internals</c>, hidden from IntelliSense.
/// </summary>
public sealed class GpuPublicSurfaceTests
{
    private const string InternalsNamespace = "LossDsl.Gpu.Internals";

    private static readonly Assembly s_gpu = typeof(LossDsl.Gpu.LossGpu).Assembly;

    [Fact]
    public void OnlyLossGpuAndGpuKernelExceptionAreUserFacing()
    {
        var userFacing = s_gpu.GetExportedTypes().Where(t => t.Namespace != InternalsNamespace).Select(t => t.FullName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "LossDsl.Gpu.GpuKernelException", "LossDsl.Gpu.LossGpu" }, userFacing);
        var members = typeof(LossDsl.Gpu.LossGpu).GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "CreateContext", "ForgetKernels", "ValidateKernels", "get_ValidateKernels", "set_ValidateKernels" }, members);
    }

    [Fact]
    public void EveryInternalsTypeIsHiddenFromIntelliSense()
    {
        var internals = s_gpu.GetExportedTypes().Where(t => t.Namespace == InternalsNamespace).ToList();
        Assert.Contains(typeof(LossDsl.Gpu.Internals.GpuKernels), internals);
        var visible = internals
            .Where(t => t.GetCustomAttribute<EditorBrowsableAttribute>() is not { State: EditorBrowsableState.Never })
            .Select(t => t.FullName)
            .ToList();
        Assert.True(visible.Count == 0, "types of " + InternalsNamespace + " without [EditorBrowsable(Never)]:\n" + string.Join("\n", visible));
    }
}
