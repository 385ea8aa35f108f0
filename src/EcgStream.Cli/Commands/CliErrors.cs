using EcgStream.Formats;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Commands;

/// <summary>
/// Turns the errors a user can cause (bad files, bad arguments) into one line on stderr and exit code 2, and any other
/// exception (a bug) into one line and exit code 70.
/// </summary>
internal static class CliErrors
{
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        // IOException covers the file system refusing a path (a file where a folder should be, no permission, a full
        // disk); its .NET message names the path. UnauthorizedAccessException is how .NET reports EACCES.
        catch (Exception e) when (e is EcgFormatException or ScenarioException or ArgumentException or IOException or UnauthorizedAccessException
                                   or InvalidDataException or FormatException or System.Text.Json.JsonException
                                   or OrtLibraryException or OrtException or ModelContractException or EcgStream.Cluster.ClusterConfigException)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 2;
        }
        // Anything else is a bug of ours, not the user's input: still one line (no stack trace on a user's terminal
        // unless asked for with ECGSTREAM_DEBUG=1) and exit code 70 (EX_SOFTWARE), so scripts can tell it from bad input.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}: {OneLine(e.Message)}); please report it with the command line that caused it");
            if (Environment.GetEnvironmentVariable("ECGSTREAM_DEBUG") == "1") Console.Error.WriteLine(e);
            return InternalErrorExitCode;
        }
    }

    /// <summary>Exit code of an error that is a bug, not bad input (sysexits.h EX_SOFTWARE).</summary>
    public const int InternalErrorExitCode = 70;

    /// <summary>
    /// A message on one line: a list under a heading ("… does not follow model contract v1:" then "  - item" lines) becomes
    /// "heading: item; item", any other line break a space. Log scrapers and the tests read one error per line.
    /// </summary>
    public static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length <= 1) return message.Trim();
        var items = lines.Skip(1).Select(l => l.StartsWith("- ", StringComparison.Ordinal) ? l[2..] : l);
        return lines[0].EndsWith(':') ? $"{lines[0]} {string.Join("; ", items)}" : string.Join(' ', lines);
    }
}
