using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using LossDsl.Generator.Model;
using LossDsl.Language;
using LossDsl.Language.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator;

public sealed partial class LossGenerator
{
    /// <summary>Reads a [GeneratedLoss] method into values; declaration problems become diagnostics in the input.</summary>
    private static LossMethodInput? ReadMethod(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        if (ctx.TargetSymbol is not IMethodSymbol method) return null;
        if (ctx.TargetNode is not MethodDeclarationSyntax syntax) return ReadUnsupportedTarget(ctx, method, ct);
        var tree = syntax.SyntaxTree;
        string path = tree.FilePath;
        var text = tree.GetText(ct);
        var diagnostics = new List<DiagnosticInfo>();

        DiagnosticInfo At(string id, string message, SyntaxNodeOrToken where) =>
            new(id, message, path, where.Span, text.Lines.GetLinePositionSpan(where.Span));

        // The expression and where its characters are in the source.
        var attribute = ctx.Attributes[0];
        string expression = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
        var argumentSyntax = (attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault()?.Expression;
        var literalSpan = argumentSyntax?.Span ?? syntax.Identifier.Span;
        int[] offsetMap = argumentSyntax is LiteralExpressionSyntax literal ? BuildOffsetMap(literal.Token, expression) : Array.Empty<int>();
        var lines = text.Lines.GetLinePositionSpan(literalSpan);
        var lineStarts = new List<int>();
        for (int l = lines.Start.Line; l <= lines.End.Line; l++) lineStarts.Add(text.Lines[l].Start);

        // The declaration.
        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!method.IsStatic || !isPartial || syntax.Body is not null || syntax.ExpressionBody is not null)
            diagnostics.Add(At(DiagnosticIds.NotStaticPartial, $"'{method.Name}' must be declared 'static partial' without a body; LossDsl writes its body", syntax.Identifier));
        if (method.IsGenericMethod)
            diagnostics.Add(At(DiagnosticIds.UnsupportedDeclaration, $"'{method.Name}' must not be generic", syntax.Identifier));
        if (method.ReturnType.SpecialType is not (SpecialType.System_Single or SpecialType.System_Double))
            diagnostics.Add(At(DiagnosticIds.UnsupportedReturnType, $"'{method.Name}' must return float or double (the loss), not '{method.ReturnType.ToDisplayString()}'", syntax.ReturnType));
        if (ctx.SemanticModel.Compilation.Options is CSharpCompilationOptions { AllowUnsafe: false })
            diagnostics.Add(At(DiagnosticIds.UnsafeBlocksRequired, "generated loss kernels pin spans and use pointers: set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project", syntax.Identifier));
        if (argumentSyntax is not null && expression.Length == 0 && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is null)
            diagnostics.Add(At(DiagnosticIds.UnexpectedToken, "the loss expression must be a constant string", argumentSyntax));

        var types = new List<TypeDeclarationSpec>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            var decl = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (decl is null || !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(At(DiagnosticIds.UnsupportedDeclaration, $"the containing type '{t.Name}' must be declared partial", syntax.Identifier));
            // A file-local type cannot be continued in the generated file (it would be another type).
            else if (decl.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword)) is { } file && file.IsKind(SyntaxKind.FileKeyword))
                diagnostics.Add(At(DiagnosticIds.UnsupportedDeclaration, $"the containing type '{t.Name}' must not be file-local ('file'): the generated implementation is in another file", syntax.Identifier));
            string keyword = t.IsRecord ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record") : t.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
            string name = t.Name + (t.TypeParameters.Length > 0 ? "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">" : "");
            types.Insert(0, new TypeDeclarationSpec(keyword, name));
        }

        var parameters = new List<ParameterSpec>();
        foreach (var p in method.Parameters)
        {
            var pSyntax = p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as ParameterSyntax;
            var type = ParameterTypes.Classify(p.Type);
            var span = pSyntax?.Span ?? syntax.Identifier.Span;
            var pos = text.Lines.GetLinePosition(span.Start);
            if (type is null || p.RefKind != RefKind.None)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticIds.UnsupportedParameterType,
                    $"parameter '{p.Name}' has type '{p.Type.ToDisplayString()}'{(p.RefKind != RefKind.None ? " with a ref modifier" : "")}; {ParameterTypes.Expected}",
                    path, span, text.Lines.GetLinePositionSpan(span)));
                continue;
            }
            // Modifiers the generated overloads and kernels cannot repeat (the implementation must match the declaration).
            var modifier = pSyntax?.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.ScopedKeyword) || m.IsKind(SyntaxKind.ParamsKeyword) || m.IsKind(SyntaxKind.ThisKeyword));
            if (modifier is { } mod && mod.RawKind != 0)
            {
                diagnostics.Add(At(DiagnosticIds.UnsupportedDeclaration, $"parameter '{p.Name}' must not be declared '{mod.Text}': a loss parameter takes no modifier", mod));
                continue;
            }
            if (p.Name.StartsWith(GeneratedNames.ReservedPrefix, StringComparison.Ordinal))
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticIds.ReservedName,
                    $"parameter '{p.Name}' begins with '{GeneratedNames.ReservedPrefix}', which is reserved for the names of generated code; rename it",
                    path, span, text.Lines.GetLinePositionSpan(span)));
                continue;
            }
            // The default as its constant value: the text as written may name constants the generated file cannot see.
            string? defaultText = p.HasExplicitDefaultValue ? DefaultLiteral(p.ExplicitDefaultValue, type.Kind == ParameterKind.IntScalar ? "int" : type.TypeText) : null;
            parameters.Add(new ParameterSpec(p.Name, type.Kind, type.TypeText, defaultText, span.Start, span.Length, pos.Line, pos.Character)
                { Element = type.Element, Shaped = type.Shaped });
        }

        // The accessibility, and 'unsafe', which the implementation must repeat and the overloads share.
        string accessibility = string.Join(" ", syntax.Modifiers
            .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                || m.IsKind(SyntaxKind.UnsafeKeyword))
            .Select(m => m.Text));

        return new LossMethodInput(
            method.ContainingNamespace.IsGlobalNamespace ? "" : method.ContainingNamespace.ToDisplayString(),
            new EquatableArray<TypeDeclarationSpec>(types),
            method.Name,
            accessibility,
            new EquatableArray<ParameterSpec>(parameters),
            expression,
            path,
            new EquatableArray<int>(offsetMap),
            new EquatableArray<int>(lineStarts),
            lines.Start.Line,
            literalSpan,
            new EquatableArray<DiagnosticInfo>(diagnostics))
            {
                ReturnType = method.ReturnType.SpecialType == SpecialType.System_Double ? "double" : "float",
                Stub = StubDeclaration(method, syntax, ct),
                HasDocumentation = syntax.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)
                    || t.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia) || t.ToString().StartsWith("///", StringComparison.Ordinal)),
            };
    }

    /// <summary>
    /// The declaration of an implementation that throws, for a method whose loss has errors, so that the compiler does
    /// not add CS8795 (partial method without implementation) to the LOSS diagnostics: the declaration as written
    /// (modifiers, fully qualified types, parameter modifiers, no defaults). Null where no implementation can be
    /// written (the method is not static partial, has a body, or is generic; a containing type is not partial or is
    /// file-local; a type is unknown or a pointer).
    /// </summary>
    private static string? StubDeclaration(IMethodSymbol method, MethodDeclarationSyntax syntax, CancellationToken ct)
    {
        if (!method.IsStatic || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword) || syntax.Body is not null || syntax.ExpressionBody is not null || method.IsGenericMethod) return null;
        // Types the compiler already reports in the declaration would be reported again in the generated file.
        if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(p => p.Type.TypeKind is TypeKind.Error or TypeKind.Pointer or TypeKind.FunctionPointer)) return null;
        if (method.Parameters.Length != syntax.ParameterList.Parameters.Count) return null;
        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            var decl = t.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (decl is null || !decl.Modifiers.Any(SyntaxKind.PartialKeyword) || decl.Modifiers.Any(SyntaxKind.FileKeyword)) return null;
        }
        var format = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);
        string modifiers = string.Join(" ", syntax.Modifiers.Select(m => m.Text));
        string parameters = string.Join(", ", syntax.ParameterList.Parameters.Select((ps, i) =>
        {
            var p = method.Parameters[i];
            string mods = string.Join(" ", ps.Modifiers.Select(m => m.Text));
            return (mods.Length > 0 ? mods + " " : "") + p.Type.ToDisplayString(format) + " " + GeneratedNames.Id(p.Name);
        }));
        string refKind = method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : "";
        return $"{modifiers} {refKind}{method.ReturnType.ToDisplayString(format)} {GeneratedNames.Id(method.Name)}({parameters})";
    }

    /// <summary>A parameter's default as a C# literal of the parameter's type (float, double or int).</summary>
    private static string DefaultLiteral(object? value, string type)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (type)
        {
            case "float":
            {
                float f = value is null ? 0f : Convert.ToSingle(value, inv);
                return float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity" : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
                    : f.ToString("R", inv) + "f";
            }
            case "double":
            {
                double d = value is null ? 0d : Convert.ToDouble(value, inv);
                return double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity"
                    : d.ToString("R", inv) + "d";
            }
            default:
            {
                int n = value is null ? 0 : Convert.ToInt32(value, inv);
                return n == int.MinValue ? "int.MinValue" : n.ToString(inv);
            }
        }
    }

    /// <summary>
    /// [GeneratedLoss] on a local function or a lambda: the generator writes methods of types only, so it says so
    /// (LOSS0005) rather than leaving the attribute without effect.
    /// </summary>
    private static LossMethodInput? ReadUnsupportedTarget(GeneratorAttributeSyntaxContext ctx, IMethodSymbol method, CancellationToken ct)
    {
        var node = ctx.TargetNode;
        var text = node.SyntaxTree.GetText(ct);
        var where = node switch
        {
            LocalFunctionStatementSyntax local => local.Identifier.Span,
            _ => node.Span,
        };
        string what = node is LocalFunctionStatementSyntax ? $"the local function '{method.Name}'" : "a lambda";
        var diagnostic = new DiagnosticInfo(DiagnosticIds.UnsupportedDeclaration,
            $"[GeneratedLoss] on {what} has no effect: a loss must be a static partial method of a type", node.SyntaxTree.FilePath, where, text.Lines.GetLinePositionSpan(where));
        var types = new List<TypeDeclarationSpec>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType) types.Insert(0, new TypeDeclarationSpec("class", t.Name));
        return new LossMethodInput("", new EquatableArray<TypeDeclarationSpec>(types), method.Name + "_" + where.Start, "",
            new EquatableArray<ParameterSpec>(Array.Empty<ParameterSpec>()), "", node.SyntaxTree.FilePath,
            new EquatableArray<int>(Array.Empty<int>()), new EquatableArray<int>(Array.Empty<int>()), 0, where,
            new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
    }

    /// <summary>
    /// Maps each character of the literal's value to its position in the source (plus one entry for the end), for
    /// regular strings with escapes, verbatim strings and raw (single- or multi-line) strings.
    /// </summary>
    internal static int[] BuildOffsetMap(SyntaxToken token, string value)
    {
        string text = token.Text;
        int start = token.SpanStart;
        var map = new int[value.Length + 1];
        try
        {
            if (token.IsKind(SyntaxKind.StringLiteralToken) && text.StartsWith("@", StringComparison.Ordinal))
            {
                int i = 2;
                for (int k = 0; k < value.Length; k++)
                {
                    map[k] = start + i;
                    i += value[k] == '"' ? 2 : 1;
                }
                map[value.Length] = start + i;
            }
            else if (token.IsKind(SyntaxKind.StringLiteralToken))
            {
                int i = 1;
                for (int k = 0; k < value.Length; k++)
                {
                    map[k] = start + i;
                    if (text[i] != '\\') { i++; continue; }
                    char e = text[i + 1];
                    int len = e switch { 'x' => 2 + HexRun(text, i + 2, 4), 'u' => 6, 'U' => 10, _ => 2 };
                    // \U beyond the BMP is a surrogate pair: two value characters for one escape.
                    if (e == 'U' && int.TryParse(text.Substring(i + 2, 8), System.Globalization.NumberStyles.HexNumber, null, out int cp) && cp > 0xFFFF)
                    {
                        k++;
                        if (k < value.Length) map[k] = start + i;
                    }
                    i += len;
                }
                map[value.Length] = start + i;
            }
            else
            {
                // Raw string literals: skip the opening quotes; for multi-line ones, the first line break and the
                // closing line's indentation at the start of every content line.
                int quotes = 0;
                while (quotes < text.Length && text[quotes] == '"') quotes++;
                int i = quotes;
                int indent = 0;
                bool multiLine = token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken);
                if (multiLine)
                {
                    while (i < text.Length && text[i] != '\n') i++;
                    i++;
                    int lastLine = text.LastIndexOf('\n');
                    while (lastLine + 1 + indent < text.Length && (text[lastLine + 1 + indent] == ' ' || text[lastLine + 1 + indent] == '\t')) indent++;
                    i += Math.Min(indent, Leading(text, i));
                }
                for (int k = 0; k < value.Length; k++)
                {
                    if (value[k] == '\n' || value[k] == '\r')
                    {
                        while (i < text.Length && text[i] != value[k]) i++;
                        map[k] = start + i;
                        i++;
                        if (value[k] == '\n' && multiLine) i += Math.Min(indent, Leading(text, i));
                        continue;
                    }
                    while (i < text.Length && text[i] != value[k]) i++;
                    map[k] = start + i;
                    i++;
                }
                map[value.Length] = start + Math.Min(i, text.Length);
            }
            return map;
        }
        catch (IndexOutOfRangeException)
        {
            return Array.Empty<int>();
        }
    }

    private static int HexRun(string text, int from, int max)
    {
        int n = 0;
        while (n < max && from + n < text.Length && Uri.IsHexDigit(text[from + n])) n++;
        return n;
    }

    private static int Leading(string text, int from)
    {
        int n = 0;
        while (from + n < text.Length && (text[from + n] == ' ' || text[from + n] == '\t')) n++;
        return n;
    }
}
