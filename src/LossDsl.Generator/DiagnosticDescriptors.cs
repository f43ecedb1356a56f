using System.Collections.Generic;
using LossDsl.Language;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>Every diagnostic the generator reports (ids from <see cref="DiagnosticIds"/>; docs/language.md lists them).</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "LossDsl";
    private const string HelpBase = "https://github.com/lossdsl/lossdsl/blob/main/docs/language.md#diagnostics";

    private static DiagnosticDescriptor Make(string id, string title, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, "{0}", Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase);

    public static readonly DiagnosticDescriptor NotStaticPartial = Make(DiagnosticIds.NotStaticPartial, "A [GeneratedLoss] method must be static partial without a body");
    public static readonly DiagnosticDescriptor UnsupportedReturnType = Make(DiagnosticIds.UnsupportedReturnType, "A [GeneratedLoss] method must return float");
    public static readonly DiagnosticDescriptor UnsupportedParameterType = Make(DiagnosticIds.UnsupportedParameterType, "Unsupported parameter type");
    public static readonly DiagnosticDescriptor UnsafeBlocksRequired = Make(DiagnosticIds.UnsafeBlocksRequired, "Generated loss kernels need AllowUnsafeBlocks");
    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Make(DiagnosticIds.UnsupportedDeclaration, "Unsupported declaration");
    public static readonly DiagnosticDescriptor UnexpectedCharacter = Make(DiagnosticIds.UnexpectedCharacter, "Unexpected character in loss expression");
    public static readonly DiagnosticDescriptor UnexpectedToken = Make(DiagnosticIds.UnexpectedToken, "Syntax error in loss expression");
    public static readonly DiagnosticDescriptor InvalidNumber = Make(DiagnosticIds.InvalidNumber, "Invalid number in loss expression");
    public static readonly DiagnosticDescriptor UnknownName = Make(DiagnosticIds.UnknownName, "Unknown name");
    public static readonly DiagnosticDescriptor UnknownFunction = Make(DiagnosticIds.UnknownFunction, "Unknown function");
    public static readonly DiagnosticDescriptor WrongArgumentCount = Make(DiagnosticIds.WrongArgumentCount, "Wrong number of arguments");
    public static readonly DiagnosticDescriptor RankMismatch = Make(DiagnosticIds.RankMismatch, "Wrong number of subscripts");
    public static readonly DiagnosticDescriptor NotIndexable = Make(DiagnosticIds.NotIndexable, "Value cannot be subscripted");
    public static readonly DiagnosticDescriptor ShapeMismatch = Make(DiagnosticIds.ShapeMismatch, "Shape mismatch");
    public static readonly DiagnosticDescriptor NotScalar = Make(DiagnosticIds.NotScalar, "The loss is not a scalar");
    public static readonly DiagnosticDescriptor TypeMismatch = Make(DiagnosticIds.TypeMismatch, "Type mismatch");
    public static readonly DiagnosticDescriptor ExtentNotInferable = Make(DiagnosticIds.ExtentNotInferable, "Shape cannot be inferred");
    public static readonly DiagnosticDescriptor GradientWithoutInput = Make(DiagnosticIds.GradientWithoutInput, "Gradient output without a matching input");
    public static readonly DiagnosticDescriptor GradientOfNonFloat = Make(DiagnosticIds.GradientOfNonFloat, "Gradient of a non-float input");
    public static readonly DiagnosticDescriptor NonDifferentiable = Make(DiagnosticIds.NonDifferentiable, "Gradient through non-differentiable operations only");
    public static readonly DiagnosticDescriptor DuplicateName = Make(DiagnosticIds.DuplicateName, "Duplicate name");
    public static readonly DiagnosticDescriptor InvalidBinder = Make(DiagnosticIds.InvalidBinder, "Invalid index binder");
    public static readonly DiagnosticDescriptor UnusedInput = Make(DiagnosticIds.UnusedInput, "Unused input", DiagnosticSeverity.Warning);
    public static readonly DiagnosticDescriptor InternalError = Make(DiagnosticIds.InternalError, "Internal error in the LossDsl generator");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [DiagnosticIds.NotStaticPartial] = NotStaticPartial,
        [DiagnosticIds.UnsupportedReturnType] = UnsupportedReturnType,
        [DiagnosticIds.UnsupportedParameterType] = UnsupportedParameterType,
        [DiagnosticIds.UnsafeBlocksRequired] = UnsafeBlocksRequired,
        [DiagnosticIds.UnsupportedDeclaration] = UnsupportedDeclaration,
        [DiagnosticIds.UnexpectedCharacter] = UnexpectedCharacter,
        [DiagnosticIds.UnexpectedToken] = UnexpectedToken,
        [DiagnosticIds.InvalidNumber] = InvalidNumber,
        [DiagnosticIds.UnknownName] = UnknownName,
        [DiagnosticIds.UnknownFunction] = UnknownFunction,
        [DiagnosticIds.WrongArgumentCount] = WrongArgumentCount,
        [DiagnosticIds.RankMismatch] = RankMismatch,
        [DiagnosticIds.NotIndexable] = NotIndexable,
        [DiagnosticIds.ShapeMismatch] = ShapeMismatch,
        [DiagnosticIds.NotScalar] = NotScalar,
        [DiagnosticIds.TypeMismatch] = TypeMismatch,
        [DiagnosticIds.ExtentNotInferable] = ExtentNotInferable,
        [DiagnosticIds.GradientWithoutInput] = GradientWithoutInput,
        [DiagnosticIds.GradientOfNonFloat] = GradientOfNonFloat,
        [DiagnosticIds.NonDifferentiable] = NonDifferentiable,
        [DiagnosticIds.DuplicateName] = DuplicateName,
        [DiagnosticIds.InvalidBinder] = InvalidBinder,
        [DiagnosticIds.UnusedInput] = UnusedInput,
        [DiagnosticIds.InternalError] = InternalError,
    };

    public static DiagnosticDescriptor ById(string id) => s_byId.TryGetValue(id, out var d) ? d : InternalError;
}
