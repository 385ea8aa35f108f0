using EcgStream.Formats;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Commands;

/// <summary>Turns the errors a user can cause (bad files, bad arguments) into one line on stderr and exit code 2.</summary>
internal static class CliErrors
{
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) when (e is EcgFormatException or ScenarioException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException
                                   or OrtLibraryException or OrtException or ModelContractException or EcgStream.Cluster.ClusterConfigException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
