using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcgStream.Cluster;

/// <summary>
/// A bed owner's checkpoint on <c>progress.&lt;site&gt;.&lt;bed&gt;</c>: samples [From, To) of the bed have been analysed by
/// <see cref="Worker"/> and every event they caused is in the events stream. The last one is where the next owner
/// resumes (it replays a warm-up before it); all of them together are the audit of who analysed what: ranges of
/// one bed never overlap (a checkpoint is written only on top of the one its writer read — JetStream's expected
/// last subject sequence), and holes in them are lost samples.
/// </summary>
public sealed record ProgressRecord(
    [property: JsonPropertyName("worker")] string Worker,
    [property: JsonPropertyName("from")] long From,
    [property: JsonPropertyName("to")] long To,
    [property: JsonPropertyName("rate")] double SampleRate,
    [property: JsonPropertyName("last_msg_utc")] DateTimeOffset LastMessageUtc)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);
    public static ProgressRecord? Parse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<ProgressRecord>(json);
}
