#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Ingest.dll"
// Per lead and 1 s epoch of the preprocessed 250 Hz signal: today's noise flag, the epoch's range (max-min),
// total power, 5-15 Hz power, and the 15-45 Hz band's energy in ten 100 ms sub-blocks.
open System
open System.IO
open EcgStream.Formats
open EcgStream.Signal.Pipeline
open EcgStream.Signal.Filters
let mutable chainRef : SignalChain = Unchecked.defaultof<_>
type Sink(out: StreamWriter, id: string, cond: string, leads: EcgStream.Core.Leads.LeadSet) =
    let n = leads.Count
    let hf = SosFilter(FilterDesign.ButterworthBandPass(2, 15, 45, 250.0), n)
    let qb = SosFilter(FilterDesign.ButterworthBandPass(2, 5, 15, 250.0), n)
    let bufX = Array.init n (fun _ -> ResizeArray<float32>())
    let bufH = Array.init n (fun _ -> ResizeArray<float32>())
    let bufQ = Array.init n (fun _ -> ResizeArray<float32>())
    let mutable flags = Collections.Generic.Queue<int * bool[]>()
    let mutable pos = 0L
    interface ISignalChainSink with
        member _.OnPreprocessed(b) =
            for p in 0 .. n - 1 do
                let x = b.Plane(p).ToArray()
                let h = Array.zeroCreate<float32> x.Length
                let q = Array.zeroCreate<float32> x.Length
                hf.Process(p, ReadOnlySpan(x), Span(h))
                qb.Process(p, ReadOnlySpan(x), Span(q))
                bufX.[p].AddRange(x); bufH.[p].AddRange(h); bufQ.[p].AddRange(q)
        member _.OnBeat(_) = ()
        member _.OnWindow(_) = ()
        member _.OnScores(_, _, _) = ()
        member _.OnAlarm(_) = ()
        member _.OnQuality(e) =
            let t = float e.EndSample / 250.0
            let noisyTime = t >= 300.0 && int ((t - 300.0) / 120.0) % 2 = 0
            let s0 = int (e.StartSample - pos)
            let mutable i = 0
            for lead in leads do
                let p = i
                let xs = bufX.[p]
                if s0 >= 0 && s0 + 250 <= xs.Count then
                    let x = xs.GetRange(s0, 250).ToArray()
                    let h = bufH.[p].GetRange(s0, 250).ToArray()
                    let q = bufQ.[p].GetRange(s0, 250).ToArray()
                    let rng = Array.max x - Array.min x
                    let pw = x |> Array.averageBy (fun v -> v * v)
                    let qp = q |> Array.averageBy (fun v -> v * v)
                    let subs = [| for k in 0 .. 9 -> h.[k*25 .. k*25+24] |> Array.averageBy (fun v -> v * v) |]
                    out.WriteLine(sprintf "%s\t%s\t%.0f\t%d\t%s\t%d\t%g\t%g\t%g\t%s" id cond t (if noisyTime then 1 else 0) (string lead) (if e.Noisy.Contains lead then 1 else 0) rng pw qp (String.Join(",", subs |> Array.map (fun v -> v.ToString("g4")))))
                i <- i + 1
            // keep the buffers short
            let keepFrom = int (e.EndSample - pos) - 500
            if keepFrom > 0 then
                for p in 0 .. n - 1 do bufX.[p].RemoveRange(0, keepFrom); bufH.[p].RemoveRange(0, keepFrom); bufQ.[p].RemoveRange(0, keepFrom)
                pos <- pos + int64 keepFrom
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
