using System;

namespace LossDsl;

/// <summary>
/// Marks a <c>static partial</c> method whose body the LossDsl source generator writes from a loss expression:
/// a fused forward + backward SIMD kernel (plus a forward-only overload and one that scales the gradient by an
/// upstream gradient). The language is documented in docs/language.md.
/// </summary>
/// <example>
/// <code>
/// [GeneratedLoss("mean(bce_logits(x, y))")]
/// public static partial float Bce(ReadOnlySpan&lt;float&gt; x, ReadOnlySpan&lt;float&gt; y, Span&lt;float&gt; dx);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedLossAttribute : Attribute
{
    /// <summary>Declares the loss the generator writes the method's body from.</summary>
    /// <param name="expression">
    /// The loss expression over the method's parameters, in the language of docs/language.md: for example
    /// <c>"mean(bce_logits(x, y))"</c>. The generator reports a problem in it as a compile error located in the string
    /// (LOSS0xxx, docs/language.md §11).
    /// </param>
    public GeneratedLossAttribute(string expression) { Expression = expression; }

    /// <summary>The loss expression, as written in the attribute.</summary>
    public string Expression { get; }
}
