namespace LossDsl.Generator.Emit;

/// <summary>Escapes text for XML documentation comments.</summary>
internal static class Xml
{
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
