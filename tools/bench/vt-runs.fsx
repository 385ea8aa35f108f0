// Probe, not a product rule: how far runs of beats of another QRS shape (QrsBeat.Shape below a correlation, every RR in
// the run under 0.6 s, i.e. over 100/min) go towards ventricular tachycardia on MIT-BIH, against its "(VT" episodes.
// The runtime's rules have no VT detector; docs/results.md ("Ventricular tachycardia: measured, not met") gives the
// benchmark's figures and this probe's. Not a test: it measures.
//
//   dotnet build -c Release src/EcgStream.Cli
//   dotnet fsi tools/bench/vt-runs.fsx [SHAPE-CORRELATION]      # from the repository root; default 0.7 (the rules' OddShapeCorrelation)
//
// Output: per record with a run or a reference episode, counts; then per minimum run length (3–6 beats) episode Se and +P
// (a run and an episode match when they overlap within 1 s) and runs on the records without VT per hour.
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Ingest.dll"
open System
open System.IO
open EcgStream.Formats
open EcgStream.Formats.Wfdb
open EcgStream.Signal.Pipeline
let dir = Path.Combine((Environment.GetEnvironmentVariable "ECGSTREAM_DATA" |> Option.ofObj |> Option.defaultValue "../shared/data"), "mitdb")
let recs = Directory.GetFiles(dir, "*.atr") |> Array.map (fun p -> Path.GetFileNameWithoutExtension p) |> Array.sort
let minRuns = [3; 4; 5; 6]
let oddThr = float (fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "0.7")
let totals = Collections.Generic.Dictionary<int, int[]>()   // ref eps, ref detected, det eps, det true, det on VT-free records
for k in minRuns do totals.[k] <- Array.zeroCreate 6
let mutable freeHours = 0.0
for id in recs do
    let path = Path.Combine(dir, id)
    let r = RecordReader.Read(path)
    let mapped = EcgStream.Ingest.Replay.RecordingLeads.Of(r)
    let struct (planes, beats, _) = RecordBeats.Run(mapped.Planes, r.SampleRate, mapped.Leads)
    // reference VT episodes
    let ann = Wfdb.ReadAnnotations(path) |> Seq.filter (fun a -> not (String.IsNullOrEmpty a.Aux)) |> Array.ofSeq
    let refEps =
        [| for i in 0 .. ann.Length - 1 do
            if ann.[i].Aux.TrimEnd('\000') = "(VT" then
                let s = float ann.[i].Sample / r.SampleRate
                let e = if i + 1 < ann.Length then float ann.[i + 1].Sample / r.SampleRate else r.DurationSeconds
                yield (s, e) |]
    if refEps.Length = 0 then freeHours <- freeHours + r.DurationSeconds / 3600.0
    let t = beats |> Seq.map (fun b -> float b.Sample / 250.0) |> Array.ofSeq
    let odd = beats |> Seq.map (fun b -> b.Shape < float32 oddThr) |> Array.ofSeq
    for k in minRuns do
        // runs of >= k consecutive odd beats, each RR within the run < 0.6 s
        let dets = Collections.Generic.List<float * float>()
        let mutable i = 0
        while i < t.Length do
            if odd.[i] then
                let mutable j = i
                while j + 1 < t.Length && odd.[j + 1] && t.[j + 1] - t.[j] < 0.6 do j <- j + 1
                if j - i + 1 >= k then dets.Add((t.[i], t.[j]))
                i <- j + 1
            else i <- i + 1
        let tol = 1.0
        let overl (a, b) (c, d) = a - tol <= d && c <= b + tol
        let tot = totals.[k]
        tot.[0] <- tot.[0] + refEps.Length
        tot.[1] <- tot.[1] + (refEps |> Array.filter (fun re -> dets |> Seq.exists (overl re)) |> Array.length)
        tot.[2] <- tot.[2] + dets.Count
        tot.[3] <- tot.[3] + (dets |> Seq.filter (fun d -> refEps |> Array.exists (overl d)) |> Seq.length)
        if refEps.Length = 0 then tot.[4] <- tot.[4] + dets.Count
        if k = 3 && (dets.Count > 0 || refEps.Length > 0) then printfn "%s ref %d det %d true %d" id refEps.Length dets.Count (dets |> Seq.filter (fun d -> refEps |> Array.exists (overl d)) |> Seq.length)
for k in minRuns do
    let tt = totals.[k]
    printfn "run>=%d: ref %d, Se %.3f, det %d, +P %.3f, false on VT-free records %d (%.2f/h over %.1f h)" k tt.[0] (float tt.[1] / float tt.[0]) tt.[2] (float tt.[3] / float (max 1 tt.[2])) tt.[4] (float tt.[4] / freeHours) freeHours
