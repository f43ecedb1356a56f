namespace LossDsl.Language;

/// <summary>
/// Every diagnostic the language can report, in one place. The generator's <c>DiagnosticDescriptors</c> mirrors these
/// ids with titles and categories; docs/language.md lists them with examples.
/// </summary>
internal static class DiagnosticIds
{
    // Declaration problems (reported by the generator on the C# method).
    public const string NotStaticPartial = "LOSS0001";
    public const string UnsupportedReturnType = "LOSS0002";
    public const string UnsupportedParameterType = "LOSS0003";
    public const string UnsafeBlocksRequired = "LOSS0004";
    public const string UnsupportedDeclaration = "LOSS0005";

    // Syntax errors, located inside the expression string.
    public const string UnexpectedCharacter = "LOSS0100";
    public const string UnexpectedToken = "LOSS0101";
    public const string InvalidNumber = "LOSS0102";

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

    public const string InternalError = "LOSS9999";
}
