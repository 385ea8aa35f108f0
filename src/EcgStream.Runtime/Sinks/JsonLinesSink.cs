using System.Text.Json;
using EcgStream.Core.Events;

namespace EcgStream.Runtime.Sinks;

/// <summary>Writes one JSON object per line per event to a stream (stdout or a file), flushing each line.</summary>
public sealed class JsonLinesSink : IObserver<RhythmEvent>, IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Utf8JsonWriter _writer;
    private readonly Lock _gate = new();

    public JsonLinesSink(Stream stream, bool ownsStream = false)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _writer = new Utf8JsonWriter(stream);
    }

    public long Written { get; private set; }

    public void OnNext(RhythmEvent value)
    {
        lock (_gate)
        {
            EventJson.Write(_writer, value);
            _writer.Flush();
            _writer.Reset();
            _stream.Write(NewLine);
            _stream.Flush();
            Written++;
        }
    }

    public void OnError(Exception error) => _stream.Flush();
    public void OnCompleted() => _stream.Flush();

    public void Dispose()
    {
        _writer.Dispose();
        if (_ownsStream) _stream.Dispose();
    }
}
