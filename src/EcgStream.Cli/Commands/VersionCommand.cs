using System.CommandLine;
using System.Reflection;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream info`: versions of the tool and what it finds on this machine.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Print the tool's version and runtime environment.");
        cmd.SetAction(_ =>
        {
            var asm = typeof(VersionCommand).Assembly;
            var version = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"ecgstream {version}");
            Console.WriteLine($".NET {Environment.Version} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription} ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})");
            return 0;
        });
        return cmd;
    }
}
