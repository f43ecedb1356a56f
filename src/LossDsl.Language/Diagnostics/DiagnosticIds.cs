namespace LossDsl.Language;

/// <summary>
/// Every diagnostic the language and the generator can report, in one place: the ids as constants, and
/// <see cref="All"/>, the catalog of their titles and default severities, from which the generator builds its Roslyn
/// descriptors. docs/language.md §11 has a section for each id (the descriptors' help links point there).
/// </summary>
internal static class DiagnosticIds
{
    // Declaration problems (reported by the generator on the C# method).
    public const string NotStaticPartial = "LOSS0001";
    public const string UnsupportedReturnType = "LOSS0002";
    public const string UnsupportedParameterType = "LOSS0003";
    public const string UnsafeBlocksRequired = "LOSS0004";
    public const string UnsupportedDeclaration = "LOSS0005";
    public const string ReservedName = "LOSS0006";

    // Syntax errors, located inside the expression string.
    public const string UnexpectedCharacter = "LOSS0100";
    public const string UnexpectedToken = "LOSS0101";
    public const string InvalidNumber = "LOSS0102";
    public const string NestedTooDeeply = "LOSS0103";

    // Semantic errors.
    public const string UnknownName = "LOSS0200";
    public const string UnknownFunction = "LOSS0201";
    public const string WrongArgumentCount = "LOSS0202";
    public const string RankMismatch = "LOSS0203";
    public const string NotIndexable = "LOSS0204";
    public const string ShapeMismatch = "LOSS0205";
    public const string NotScalar = "LOSS0206";
    public const string TypeMismatch = "LOSS0207";
    public const string ExtentNotInferable = "LOSS0208";
    public const string GradientWithoutInput = "LOSS0209";
    public const string GradientOfNonFloat = "LOSS0210";
    public const string NonDifferentiable = "LOSS0211";
    public const string DuplicateName = "LOSS0212";
    public const string InvalidBinder = "LOSS0213";
    public const string UnusedInput = "LOSS0214";
    public const string MixedElementTypes = "LOSS0215";
    public const string InvalidOutput = "LOSS0216";
    public const string AmbiguousExtent = "LOSS0220";
    public const string RecursiveFunction = "LOSS0221";
    public const string InvalidRepeat = "LOSS0222";
    public const string InvalidReductionOption = "LOSS0217";

    // Limits of the generator.
    public const string GeneratedCodeTooLarge = "LOSS0300";

    public const string InternalError = "LOSS9999";

    /// <summary>Every diagnostic: id, title and default severity.</summary>
    public static readonly DiagnosticKind[] All =
    {
        new(NotStaticPartial, "A [GeneratedLoss] method must be static partial without a body"),
        new(UnsupportedReturnType, "A [GeneratedLoss] method must return float or double"),
        new(UnsupportedParameterType, "Unsupported parameter type"),
        new(UnsafeBlocksRequired, "Generated loss kernels need AllowUnsafeBlocks"),
        new(UnsupportedDeclaration, "Unsupported declaration"),
        new(ReservedName, "Reserved parameter name"),
        new(UnexpectedCharacter, "Unexpected character in loss expression"),
        new(UnexpectedToken, "Syntax error in loss expression"),
        new(InvalidNumber, "Invalid number in loss expression"),
        new(NestedTooDeeply, "Loss expression nested too deeply"),
        new(UnknownName, "Unknown name"),
        new(UnknownFunction, "Unknown function"),
        new(WrongArgumentCount, "Wrong number of arguments"),
        new(RankMismatch, "Wrong number of subscripts"),
        new(NotIndexable, "Value cannot be subscripted"),
        new(ShapeMismatch, "Shape mismatch"),
        new(NotScalar, "The loss is not a scalar"),
        new(TypeMismatch, "Type mismatch"),
        new(ExtentNotInferable, "Shape cannot be inferred"),
        new(GradientWithoutInput, "Gradient output without a matching input"),
        new(GradientOfNonFloat, "Gradient of a non-float input"),
        new(NonDifferentiable, "Gradient through non-differentiable operations only"),
        new(DuplicateName, "Duplicate name"),
        new(InvalidBinder, "Invalid index binder"),
        new(UnusedInput, "Unused input", DslSeverity.Warning),
        new(MixedElementTypes, "Mixed element types"),
        new(InvalidOutput, "Span parameter that is neither a gradient nor an output, or an invalid output binding"),
        new(AmbiguousExtent, "Ambiguous extent"),
        new(RecursiveFunction, "Recursive function"),
        new(InvalidRepeat, "Invalid repeat block"),
        new(InvalidReductionOption, "Invalid reduction option"),
        new(GeneratedCodeTooLarge, "Generated kernel code too large"),
        new(InternalError, "Internal error in the LossDsl generator"),
    };
}

/// <summary>One entry of the diagnostic catalog.</summary>
internal sealed class DiagnosticKind
{
    public DiagnosticKind(string id, string title, DslSeverity severity = DslSeverity.Error) { Id = id; Title = title; Severity = severity; }
    public string Id { get; }
    public string Title { get; }
    /// <summary>The default severity (LOSS0214 is a warning unless the unused input has a gradient output).</summary>
    public DslSeverity Severity { get; }
}
