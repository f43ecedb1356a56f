using LossDsl.Language.Ir;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>What a parameter's C# type makes it: its role, its element type, whether it is a tensor span, and its type in generated code.</summary>
internal sealed record ParameterType(ParameterKind Kind, ElementType Element, bool Shaped, string TypeText);

/// <summary>
/// The C# types a loss method's parameters may have (docs/language.md §2.1): <c>ReadOnlySpan&lt;T&gt;</c> and
/// <c>ReadOnlyTensorSpan&lt;T&gt;</c> inputs of float, double, Half or BFloat16 (real) and int or long (labels);
/// <c>Span&lt;T&gt;</c> and <c>TensorSpan&lt;T&gt;</c> gradients and outputs of a real T; float, double and int scalars.
/// </summary>
internal static class ParameterTypes
{
    /// <summary>The end of LOSS0003's message: what a parameter may be.</summary>
    public const string Expected =
        "a loss takes ReadOnlySpan<T> or ReadOnlyTensorSpan<T> inputs (T: float, double, Half, BFloat16; int or long labels), "
        + "Span<T> or TensorSpan<T> gradient outputs named d<input> or outputs named after a binding, and float, double or int hyperparameters";

    /// <summary>The parameter type, or null when the language does not take it (LOSS0003).</summary>
    public static ParameterType? Classify(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Single) return new(ParameterKind.RealScalar, ElementType.Float32, false, "float");
        if (type.SpecialType == SpecialType.System_Double) return new(ParameterKind.RealScalar, ElementType.Float64, false, "double");
        if (type.SpecialType == SpecialType.System_Int32) return new(ParameterKind.IntScalar, ElementType.Int32, false, "int");
        if (type is not INamedTypeSymbol { IsGenericType: true } named || named.TypeArguments.Length != 1) return null;
        string container = named.ContainingNamespace?.ToDisplayString() ?? "";
        bool readOnly, shaped;
        switch ((container, named.Name))
        {
            case ("System", "ReadOnlySpan"): readOnly = true; shaped = false; break;
            case ("System", "Span"): readOnly = false; shaped = false; break;
            case ("System.Numerics.Tensors", "ReadOnlyTensorSpan"): readOnly = true; shaped = true; break;
            case ("System.Numerics.Tensors", "TensorSpan"): readOnly = false; shaped = true; break;
            default: return null;
        }
        var element = Element(named.TypeArguments[0]);
        if (element is null) return null;
        bool isInt = element is ElementType.Int32 or ElementType.Int64;
        if (!readOnly && isInt) return null;
        var kind = !readOnly ? ParameterKind.Gradient : isInt ? ParameterKind.IntTensor : ParameterKind.FloatTensor;
        return new(kind, element.Value, shaped, TypeText(readOnly, shaped, element.Value));
    }

    /// <summary>The type of a parameter in generated code.</summary>
    public static string TypeText(bool readOnly, bool shaped, ElementType element)
    {
        string generic = shaped
            ? (readOnly ? "global::System.Numerics.Tensors.ReadOnlyTensorSpan" : "global::System.Numerics.Tensors.TensorSpan")
            : (readOnly ? "global::System.ReadOnlySpan" : "global::System.Span");
        return $"{generic}<{ElementTypes.CSharpName(element)}>";
    }

    private static ElementType? Element(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Single: return ElementType.Float32;
            case SpecialType.System_Double: return ElementType.Float64;
            case SpecialType.System_Int32: return ElementType.Int32;
            case SpecialType.System_Int64: return ElementType.Int64;
        }
        string name = type.ToDisplayString();
        return name switch
        {
            "System.Half" => ElementType.Float16,
            "LossDsl.Numerics.BFloat16" => ElementType.BFloat16,
            _ => null,
        };
    }
}
