using System.Text.Json;
using System.Text.Json.Serialization;
using EcgStream.Runtime.Tracking;

namespace EcgStream.Cluster;

/// <summary>
/// A bed owner's record on <c>progress.&lt;site&gt;.&lt;bed&gt;</c>. A checkpoint: samples [From, To) of the bed have been
/// analysed by <see cref="Worker"/> and every event they caused is in the events stream. The last one is where the next
/// owner resumes (it replays a warm-up before it); all of them together are the audit of who analysed what: ranges of
/// one bed never overlap, and holes in them are lost samples.
/// <para>The records of a bed are also its <b>ownership fence</b>: each is written with JetStream's expected last subject
/// sequence = the record its writer read or wrote last, so only one writer can extend the chain. A new owner writes a
/// <see cref="IsClaim">claim</see> (an empty range at the previous owner's <see cref="To"/>) before it analyses anything:
/// from then on the previous owner's writes are refused and it drops the bed. An owner handing a bed back ends its chain
/// with a <see cref="Release"/> (docs/scale-out.md, "Failover without loss or double analysis").</para>
/// <para><see cref="Episodes"/>: the writer's rhythm trackers (per source: "rule", "model", "fused"), so that the next owner
/// continues the episodes open at the handover instead of opening them again after its warm-up.</para>
/// </summary>
public sealed record ProgressRecord(
    [property: JsonPropertyName("worker")] string Worker,
    [property: JsonPropertyName("from")] long From,
    [property: JsonPropertyName("to")] long To,
    [property: JsonPropertyName("rate")] double SampleRate,
    [property: JsonPropertyName("last_msg_utc")] DateTimeOffset LastMessageUtc,
    [property: JsonPropertyName("release"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Release = false,
    [property: JsonPropertyName("episodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, TrackerEpisodes>? Episodes = null)
{
    /// <summary>An empty range: a takeover's claim (or the owner re-asserting itself), not analysed samples.</summary>
    [JsonIgnore] public bool IsClaim => From == To && !Release;
    /// <summary>Analysed samples (a checkpoint proper), as opposed to a claim or a release.</summary>
    [JsonIgnore] public bool IsCheckpoint => To > From;

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);
    public static ProgressRecord? Parse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<ProgressRecord>(json);
}
