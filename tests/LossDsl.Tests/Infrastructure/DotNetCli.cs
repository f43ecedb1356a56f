using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace LossDsl.Tests.Infrastructure;

/// <summary>Runs the <c>dotnet</c> CLI (or a program) as a child process, for the tests that pack, build and run
/// projects: output captured, a time limit that kills the whole process tree, and an environment cleaned of the
/// variables the outer <c>dotnet test</c> set for its own MSBuild.</summary>
public static class DotNetCli
{
    /// <summary>The result of one command: exit code (-1 when it timed out), what it printed, and how long it ran.</summary>
    public sealed record Result(string Command, int ExitCode, bool TimedOut, string Output, TimeSpan Elapsed)
    {
        public bool Succeeded => !TimedOut && ExitCode == 0;

        /// <summary>A failure message that carries the command and everything it printed.</summary>
        public string Describe(string what) =>
            $"{what}: `{Command}` {(TimedOut ? "timed out" : $"exited with {ExitCode}")} after {Elapsed.TotalSeconds:F0} s. Output:\n{Output}";
    }

    /// <summary>The <c>dotnet</c> host that runs this test process, else the one on PATH.</summary>
    public static string Host { get; } = FindHost();

    /// <summary>The repository root: the first folder above the test assembly (else above this source file) that
    /// holds LossDsl.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static Result Run(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunProgram(Host, workingDirectory, arguments, timeout);

    /// <summary>Runs <paramref name="program"/>; build servers and MSBuild node reuse are off, so no process it starts
    /// outlives it (one that did would hold the output pipes open).</summary>
    public static Result RunProgram(string program, string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The outer `dotnet test` exports variables that point its own MSBuild at its own SDK and node processes.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(name);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        string command = Path.GetFileName(program) + " " + string.Join(' ', start.ArgumentList);
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it exited meanwhile
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        else
        {
            process.WaitForExit(); // drains the asynchronous output readers
        }
        stopwatch.Stop();
        lock (output) return new Result(command, exited ? process.ExitCode : -1, !exited, output.ToString(), stopwatch.Elapsed);
    }

    private static string FindHost()
    {
        string? fromProcess = Environment.ProcessPath;
        if (fromProcess is not null && Path.GetFileNameWithoutExtension(fromProcess).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return fromProcess;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null)
        {
            string candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate)) return candidate;
        }
        return "dotnet";
    }

    private static string FindRepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string sourcePath = "")
    {
        foreach (string? start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourcePath) })
        {
            for (var directory = start is null ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "LossDsl.sln"))) return directory.FullName;
            }
        }
        throw new InvalidOperationException($"LossDsl.sln was found neither above {AppContext.BaseDirectory} nor above {sourcePath}");
    }
}

/// <summary>A fresh folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a file still held open: the system's temporary folder is cleaned anyway
        catch (UnauthorizedAccessException) { }
    }
}
