namespace EcgStream.Core.Rhythms;

/// <summary>An interval of a rhythm (or alarm) in stream seconds: ground truth or a detection.</summary>
public readonly record struct Episode(string Rhythm, double StartSeconds, double EndSeconds)
{
    public double Duration => EndSeconds - StartSeconds;
    public bool Overlaps(Episode other) => StartSeconds < other.EndSeconds && other.StartSeconds < EndSeconds;
}
