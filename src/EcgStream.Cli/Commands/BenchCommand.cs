using System.CommandLine;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream bench …`: the parent of the benchmark subcommands (inference, training step, …).</summary>
internal static class BenchCommand
{
    public static Command Create(params Command[] subcommands)
    {
        var cmd = new Command("bench", "Measure latency and throughput of a stage; prints JSON.");
        foreach (var sub in subcommands) cmd.Subcommands.Add(sub);
        return cmd;
    }
}
