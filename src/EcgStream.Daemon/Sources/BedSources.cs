using EcgStream.Daemon.Configuration;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Sources;

public static class BedSources
{
    public static IBedSource Create(SourceConfig config, ILogger log) => config.Kind switch
    {
        SourceKind.TcpClient or SourceKind.TcpServer or SourceKind.Serial => new WireSource(config, log),
        SourceKind.File => new RecordingFileSource(config, log),
        SourceKind.Synthetic => new SyntheticSource(config),
        SourceKind.BleStdin => new BleStdinSource(config),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "unknown source kind"),
    };
}
