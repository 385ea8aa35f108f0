#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Ingest.dll"
open System
open System.IO
open EcgStream.Formats
open EcgStream.Signal.Pipeline
let mutable chainRef : SignalChain = Unchecked.defaultof<_>
type Sink(out: StreamWriter, id: string, cond: string, leads: EcgStream.Core.Leads.LeadSet) =
    interface ISignalChainSink with
        member _.OnPreprocessed(_) = ()
        member _.OnBeat(_) = ()
        member _.OnWindow(_) = ()
        member _.OnScores(_, _, _) = ()
        member _.OnAlarm(_) = ()
        member _.OnQuality(e) =
            let q = chainRef.Quality
            let t = float e.EndSample / 250.0
            let noisyTime = t >= 300.0 && int ((t - 300.0) / 120.0) % 2 = 0
            for lead in leads do
                out.WriteLine(sprintf "%s\t%s\t%.0f\t%d\t%s\t%.3f\t%.3f\t%.3f\t%d" id cond t (if noisyTime then 1 else 0) (string lead) (q.Kurtosis lead) (q.QrsPowerRatio lead) (q.HighFrequencyRatio lead) (if e.Noisy.Contains lead then 1 else 0))
let out = new StreamWriter(fsi.CommandLineArgs.[1])
for arg in fsi.CommandLineArgs.[2..] do
    let cond, path = let p = arg.Split('=') in p.[0], p.[1]
    let r = RecordReader.Read(path)
    let m = EcgStream.Ingest.Replay.RecordingLeads.Of(r)
    let chain = SignalChain("r", r.SampleRate, m.Leads, SignalChainOptions(EmitWindows = false, Preprocessing = EcgStream.Signal.Preprocessing.PreprocessorOptions.Contract))
    chainRef <- chain
    let sink = Sink(out, r.Name, cond, m.Leads)
    let bs = int (Math.Round r.SampleRate)
    let nch = m.Planes.Count
    let block = Array.zeroCreate<float32> (bs * nch)
    let mutable start = 0
    while start < r.Length do
        let n = min bs (r.Length - start)
        for c in 0 .. nch - 1 do Array.blit m.Planes.[c] start block (c * n) n
        let sb = EcgStream.Core.Samples.SampleBlock("r", int64 start, r.SampleRate, m.Leads, n, ReadOnlyMemory(block, 0, n * nch))
        chain.Process(&sb, sink)
        start <- start + bs
out.Close()
