namespace LossDsl.Language.Ir;

/// <summary>
/// The element type of a tensor parameter as declared, and the type a kernel computes Real values in
/// (<see cref="LossModel.Real"/>: <see cref="Float32"/> or <see cref="Float64"/>). docs/language.md §2.1.
/// </summary>
internal enum ElementType
{
    /// <summary><c>float</c>: read and computed as it is.</summary>
    Float32,
    /// <summary><c>double</c>: a loss with double tensors computes in double.</summary>
    Float64,
    /// <summary><c>System.Half</c>: read into float, gradients written back as Half.</summary>
    Float16,
    /// <summary><c>LossDsl.Numerics.BFloat16</c>: read into float, gradients written back as BFloat16.</summary>
    BFloat16,
    /// <summary><c>int</c> labels.</summary>
    Int32,
    /// <summary><c>long</c> labels: converted to int, each checked to fit.</summary>
    Int64,
}

/// <summary>Facts about <see cref="ElementType"/>s that every stage and emitter reads the same way.</summary>
internal static class ElementTypes
{
    /// <summary>The C# spelling of an element type in generated code.</summary>
    public static string CSharpName(ElementType type) => type switch
    {
        ElementType.Float32 => "float",
        ElementType.Float64 => "double",
        ElementType.Float16 => "global::System.Half",
        ElementType.BFloat16 => "global::LossDsl.Numerics.BFloat16",
        ElementType.Int32 => "int",
        _ => "long",
    };

    /// <summary>The name of an element type in messages and remarks.</summary>
    public static string DisplayName(ElementType type) => type switch
    {
        ElementType.Float32 => "float",
        ElementType.Float64 => "double",
        ElementType.Float16 => "Half",
        ElementType.BFloat16 => "BFloat16",
        ElementType.Int32 => "int",
        _ => "long",
    };

    /// <summary>
    /// The type a kernel reads a tensor of this element type as: the compute type for real tensors (their values are
    /// converted on entry when it differs), <see cref="ElementType.Int32"/> for labels.
    /// </summary>
    public static ElementType KernelType(ElementType type, ElementType real) =>
        type is ElementType.Int32 or ElementType.Int64 ? ElementType.Int32 : real;

    /// <summary>True when the tensor's values must be converted to <see cref="KernelType"/> before the kernel reads them.</summary>
    public static bool IsConverted(ElementType type, ElementType real) => type != KernelType(type, real);
}
