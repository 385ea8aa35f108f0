using EcgStream.Core.Samples;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;

namespace EcgStream.Signal.Pipeline;

/// <summary>Receives everything a <see cref="SignalChain"/> produces. Arguments are valid only during the call.</summary>
public interface ISignalChainSink : IRuleSink
{
    /// <summary>The preprocessed 250 Hz block (for display or recording).</summary>
    void OnPreprocessed(in SampleBlock block);
    void OnQuality(in QualityEpoch epoch);
    void OnBeat(in QrsBeat beat);
    void OnWindow(in EcgWindow window);
}
