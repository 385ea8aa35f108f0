using System.Globalization;
using System.Net;

namespace EcgStream.Ingest.Transports;

/// <summary>
/// A byte source written as one string (configuration files, command lines):
/// <c>serial:/dev/ttyUSB0[@230400]</c>, <c>tcp:HOST:PORT</c> (connect), <c>tcp-listen:[ADDR:]PORT</c>
/// (accept one device; loopback by default), <c>file:PATH</c>, or <c>-</c> (standard input).
/// </summary>
public abstract record TransportSpec
{
    public sealed record Serial(SerialPortOptions Options) : TransportSpec;
    public sealed record TcpConnect(TcpClientOptions Options) : TransportSpec;
    public sealed record TcpListen(TcpServerOptions Options) : TransportSpec;
    public sealed record File(string Path) : TransportSpec;

    public static TransportSpec Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        if (spec == "-") return new File("-");
        int colon = spec.IndexOf(':');
        if (colon < 0) throw Bad(spec, "no scheme (serial:, tcp:, tcp-listen:, file: or -)");
        string scheme = spec[..colon], rest = spec[(colon + 1)..];
        switch (scheme)
        {
            case "serial":
            {
                int at = rest.LastIndexOf('@');
                string path = at < 0 ? rest : rest[..at];
                if (path.Length == 0) throw Bad(spec, "no device path");
                int baud = 230400;
                if (at >= 0 && !int.TryParse(rest[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out baud))
                    throw Bad(spec, $"baud \"{rest[(at + 1)..]}\" is not a number");
                return new Serial(new SerialPortOptions(path, baud));
            }
            case "tcp":
            {
                int c = rest.LastIndexOf(':');
                if (c <= 0) throw Bad(spec, "expected tcp:HOST:PORT");
                return new TcpConnect(new TcpClientOptions(rest[..c].Trim('[', ']'), Port(spec, rest[(c + 1)..], 1)));
            }
            case "tcp-listen":
            {
                int c = rest.LastIndexOf(':');
                if (c < 0) return new TcpListen(new TcpServerOptions(Port(spec, rest, 0)));
                if (!IPAddress.TryParse(rest[..c].Trim('[', ']'), out var addr)) throw Bad(spec, $"\"{rest[..c]}\" is not an IP address");
                return new TcpListen(new TcpServerOptions(Port(spec, rest[(c + 1)..], 0), addr));
            }
            case "file":
                if (rest.Length == 0) throw Bad(spec, "no path");
                return new File(rest);
            default:
                throw Bad(spec, $"unknown scheme \"{scheme}\" (serial, tcp, tcp-listen, file)");
        }
    }

    private static int Port(string spec, string s, int min) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p >= min && p <= 65535
            ? p
            : throw Bad(spec, $"port \"{s}\" is not a number in {min}..65535");

    private static FormatException Bad(string spec, string why) => new($"transport \"{spec}\": {why}");

    /// <summary>Opens the source (for tcp-listen: waits for one device) and returns its byte stream.</summary>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken = default)
    {
        switch (this)
        {
            case Serial s:
                return SerialPort.Open(s.Options).Stream;
            case TcpConnect t:
                return await TcpTransport.ConnectAsync(t.Options, cancellationToken).ConfigureAwait(false);
            case TcpListen l:
                using (var server = TcpServer.Start(l.Options))
                    return await server.AcceptAsync(cancellationToken).ConfigureAwait(false);
            case File f:
                return FileTransport.OpenRead(f.Path);
            default:
                throw new InvalidOperationException($"unknown transport {this}");
        }
    }
}
