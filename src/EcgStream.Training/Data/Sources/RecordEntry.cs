namespace EcgStream.Training.Data.Sources;

/// <summary>
/// One real record to window: where it is, whose it is (splits are by patient), and its labels,
/// either one class-set-v1 mask for the whole record (<see cref="RecordMask"/>) or, when null, the
/// rhythm annotations of its .atr file (episodes that change within the record).
/// </summary>
/// <param name="ChannelLeads">Lead of each channel by index where the header's names are not standard (PhysioNet 2017's "ECG" is lead I); null: from the channel names.</param>
/// <param name="KnownMask">Classes a record-level label rules on (positive in <paramref name="RecordMask"/> or negative); the
/// others are unknown for its windows. Null: every class (the label names the record's rhythms completely).</param>
public sealed record RecordEntry(string Source, string RecordId, string PatientId, string Path, int? RecordMask, Core.Leads.Lead[]? ChannelLeads = null,
    int? KnownMask = null);
