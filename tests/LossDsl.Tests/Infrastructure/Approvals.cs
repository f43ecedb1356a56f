using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// A small approval-file helper. <see cref="Verify"/> compares a text with
/// <c>{directory of the calling test file}/Snapshots/{name}.verified.txt</c> after normalizing both (line endings to
/// <c>\n</c>, trailing whitespace trimmed on every line, exactly one final newline).
/// </summary>
/// <remarks>
/// On a mismatch, or when the verified file does not exist, the actual text is written to <c>{name}.received.txt</c>
/// next to it (git-ignored) and the assertion fails with the first differing line and a diff excerpt of ±3 lines.
/// With the environment variable <c>LOSSDSL_ACCEPT=1</c> the actual text is written to the <c>.verified.txt</c> file
/// instead and the assertion passes (review the diff before committing).
/// </remarks>
public static class Approvals
{
    public const string AcceptVariable = "LOSSDSL_ACCEPT";
    private const int Context = 3;

    public static void Verify(string actual, string name, [CallerFilePath] string path = "")
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("the caller's file path is unknown", nameof(path));
        string directory = Path.Combine(Path.GetDirectoryName(path)!, "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.txt");
        string receivedPath = Path.Combine(directory, name + ".received.txt");
        string normalizedActual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, normalizedActual, new UTF8Encoding(false));
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == normalizedActual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, normalizedActual, new UTF8Encoding(false));
        if (expected is null)
            Assert.Fail($"Snapshot '{name}' has no approved file {verifiedPath}. The actual text is in {receivedPath}; " +
                        $"review it and rename it to .verified.txt, or run the tests with {AcceptVariable}=1.");
        Assert.Fail(DescribeDifference(name, expected, normalizedActual, verifiedPath, receivedPath));
    }

    /// <summary>Line endings to \n, trailing whitespace removed from every line, no trailing blank lines, one final \n.</summary>
    public static string Normalize(string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var sb = new StringBuilder(text.Length);
        foreach (var line in lines) sb.Append(line.TrimEnd()).Append('\n');
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The failure message: first differing line (1-based) with both versions, and a ±3-line diff excerpt.</summary>
    public static string DescribeDifference(string name, string expected, string actual, string verifiedPath = "", string receivedPath = "")
    {
        var e = expected.TrimEnd('\n').Split('\n');
        var a = actual.TrimEnd('\n').Split('\n');
        int first = 0;
        while (first < e.Length && first < a.Length && e[first] == a[first]) first++;
        // The first difference from the end, to bound the changed region of the excerpt.
        int tailE = e.Length - 1, tailA = a.Length - 1;
        while (tailE >= first && tailA >= first && e[tailE] == a[tailA]) { tailE--; tailA--; }

        var sb = new StringBuilder();
        sb.Append($"Snapshot '{name}' differs from {verifiedPath} at line {first + 1}").AppendLine(".");
        sb.Append("  expected: ").AppendLine(first < e.Length ? e[first] : "<end of file>");
        sb.Append("  actual:   ").AppendLine(first < a.Length ? a[first] : "<end of file>");
        sb.AppendLine($"Received text written to {receivedPath} (set {AcceptVariable}=1 to accept).");

        int from = Math.Max(0, first - Context);
        int removedEnd = Math.Min(tailE, first + 2 * Context); // show a bounded number of changed lines
        int addedEnd = Math.Min(tailA, first + 2 * Context);
        sb.AppendLine($"@@ -{from + 1} +{from + 1} @@");
        for (int k = from; k < first; k++) sb.Append("  ").AppendLine(e[k]);
        for (int k = first; k <= removedEnd; k++) sb.Append("- ").AppendLine(e[k]);
        for (int k = first; k <= addedEnd; k++) sb.Append("+ ").AppendLine(a[k]);
        if (removedEnd < tailE || addedEnd < tailA) sb.AppendLine("  ...");
        for (int k = tailE + 1; k < Math.Min(e.Length, tailE + 1 + Context); k++) sb.Append("  ").AppendLine(e[k]);
        return sb.ToString();
    }
}
