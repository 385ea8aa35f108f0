// Beats the product's signal chain finds in whole records (RecordBeats: the stream's own QRS detection), per record:
// duration, beats, the first beat's time and the longest gap between beats. Not a test: it measures.
//
//   dotnet build -c Release src/EcgStream.Cli
//   dotnet fsi tools/bench/record-beats.fsx DIR [RECORD...]     # every *.hea in DIR when no RECORD is named
//
// Output: one tab-separated line per record (name, label from DIR/REFERENCE.csv or "?", seconds, beats, first beat s,
// longest gap s); --rr adds the RR intervals in ms. Single-channel records are read as lead I.
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
open System
open System.IO
open EcgStream.Formats.Wfdb
open EcgStream.Core.Leads
open EcgStream.Signal.Pipeline

let args = fsi.CommandLineArgs |> Array.skip 1
let withRr = args |> Array.contains "--rr"
let positional = args |> Array.filter (fun a -> a <> "--rr")
if positional.Length = 0 then (eprintfn "usage: dotnet fsi tools/bench/record-beats.fsx DIR [RECORD...] [--rr]"; exit 2)
let dir = positional.[0]
let reference = Path.Combine(dir, "REFERENCE.csv")
let labels =
    if File.Exists reference then File.ReadAllLines reference |> Array.map (fun l -> let p = l.Split(',') in p.[0], p.[1]) |> dict
    else dict []
let names =
    if positional.Length > 1 then positional.[1..]
    else Directory.GetFiles(dir, "*.hea") |> Array.map Path.GetFileNameWithoutExtension |> Array.sort
for name in names do
    try
        let r = Wfdb.ReadRecord(Path.Combine(dir, name))
        if r.Samples.Length <> 1 then failwithf "%d channels; this probe reads single-channel records" r.Samples.Length
        let beats = RecordBeats.Detect(r.Samples, r.SampleRate, LeadSet.Of(ReadOnlySpan<Lead>([| Lead.I |])))
        let seconds = float r.Samples.[0].Length / r.SampleRate
        let t = beats |> Seq.map (fun b -> float b.Sample / 250.0) |> Seq.toArray
        let first = if t.Length > 0 then t.[0] else seconds
        let gap = if t.Length > 1 then t |> Array.pairwise |> Array.map (fun (a, b) -> b - a) |> Array.max else seconds
        let label = match labels.TryGetValue name with | true, l -> l | _ -> "?"
        let rr = if withRr then "\t" + String.Join(" ", t |> Array.pairwise |> Array.map (fun (a, b) -> int (round ((b - a) * 1000.0)))) else ""
        printfn "%s\t%s\t%.1f\t%d\t%.2f\t%.2f%s" name label seconds t.Length first gap rr
    with e -> eprintfn "%s: %s" name e.Message
