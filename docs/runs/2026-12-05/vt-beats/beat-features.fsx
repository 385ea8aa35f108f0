#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
#r "../../../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Ingest.dll"
open System
open System.IO
open EcgStream.Formats
open EcgStream.Formats.Wfdb
open EcgStream.Signal.Pipeline
let dir = Path.Combine((Environment.GetEnvironmentVariable "ECGSTREAM_DATA" |> Option.ofObj |> Option.defaultValue "../shared/data"), "mitdb")
let recs = Directory.GetFiles(dir, "*.atr") |> Array.map Path.GetFileNameWithoutExtension |> Array.sort
let out = new StreamWriter(fsi.CommandLineArgs.[1])
out.WriteLine("rec\tt\tsym\tinvt\tlead\tshape\tamp\tpre\tpost\tw50\tarea\tslope\tsb")
let med (a: float[]) = if a.Length = 0 then nan else (let s = Array.sort a in if s.Length % 2 = 1 then s.[s.Length/2] else 0.5*(s.[s.Length/2-1]+s.[s.Length/2]))
for id in recs do
    let path = Path.Combine(dir, id)
    let r = RecordReader.Read(path)
    let mapped = EcgStream.Ingest.Replay.RecordingLeads.Of(r)
    let struct (planes, beats, _) = RecordBeats.Run(mapped.Planes, r.SampleRate, mapped.Leads)
    let ann = Wfdb.ReadAnnotations(path)
    let beatAnn = ann |> Seq.filter (fun a -> a.IsBeat) |> Array.ofSeq
    let bt = beatAnn |> Array.map (fun a -> float a.Sample / r.SampleRate)
    let rh = ann |> Seq.filter (fun a -> a.Rhythm <> null) |> Array.ofSeq
    let vt = [| for i in 0 .. rh.Length - 1 do
                  if rh.[i].Rhythm.TrimEnd('\000') = "VT" then
                      let s = float rh.[i].Sample / r.SampleRate
                      let e = if i + 1 < rh.Length then float rh.[i+1].Sample / r.SampleRate else r.DurationSeconds
                      yield (s, e) |]
    let n = beats.Count
    let t = Array.init n (fun i -> float beats.[i].Sample / 250.0)
    let rr = Array.init n (fun i -> if i = 0 then nan else t.[i] - t.[i-1])
    for i in 0 .. n - 1 do
        let b = beats.[i]
        // nearest annotation
        let k = Array.BinarySearch(bt, t.[i])
        let k = if k < 0 then ~~~k else k
        let cands = [k-1; k] |> List.filter (fun j -> j >= 0 && j < bt.Length)
        let sym =
            match cands |> List.sortBy (fun j -> abs (bt.[j] - t.[i])) with
            | j :: _ when abs (bt.[j] - t.[i]) < 0.15 -> beatAnn.[j].Symbol
            | _ -> "X"
        let invt = vt |> Array.exists (fun (s, e) -> t.[i] >= s - 0.2 && t.[i] <= e + 0.2)
        let prevRr = [| for j in max 1 (i-16) .. i-1 -> rr.[j] |] |> Array.filter (fun v -> v < 3.0)
        let m = med prevRr
        let prevAmp = [| for j in max 0 (i-16) .. i-1 -> abs (float beats.[j].Amplitude) |]
        let ma = med prevAmp
        let x = planes.[b.Lead]
        let c = int b.Sample
        let hw = 25
        let peak = if c >= 0 && c < x.Length then float x.[c] else nan
        let mutable w50 = nan
        let mutable area = nan
        let mutable slope = nan
        if c - hw - 1 >= 0 && c + hw + 1 < x.Length && abs peak > 1e-6 then
            // baseline: median of the snippet ends
            let base0 = 0.5 * (float x.[c-hw] + float x.[c+hw])
            let pk = abs (peak - base0)
            let mutable lo = c
            while lo > c - hw && abs (float x.[lo-1] - base0) >= 0.3 * pk do lo <- lo - 1
            let mutable hi = c
            while hi < c + hw && abs (float x.[hi+1] - base0) >= 0.3 * pk do hi <- hi + 1
            w50 <- float (hi - lo + 1) / 250.0
            let mutable s = 0.0
            let mutable sl = 0.0
            for j in c - hw .. c + hw do
                s <- s + abs (float x.[j] - base0)
                sl <- max sl (abs (float x.[j+1] - float x.[j]))
            area <- s / (pk * float (2*hw+1))
            slope <- sl / pk
        let post = if i + 1 < n then rr.[i+1] / m else nan
        out.WriteLine(String.Join("\t", [| id; t.[i].ToString("F3"); sym; (if invt then "1" else "0"); string b.Lead; b.Shape.ToString("F4"); (abs (float b.Amplitude) / ma).ToString("F4"); (rr.[i] / m).ToString("F4"); post.ToString("F4"); w50.ToString("F4"); area.ToString("F4"); slope.ToString("F4"); (if b.SearchBack then "1" else "0") |]))
    eprintfn "%s %d beats, %d ann, %d VT eps, %.2f h" id n bt.Length vt.Length (r.DurationSeconds/3600.0)
out.Close()
