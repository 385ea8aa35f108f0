// Noise stress test records, made as the MIT-BIH Noise Stress Test Database made its own: a clean MIT-BIH record with
// the NSTDB's real electrode noise (`bw` baseline wander, `ma` muscle artifact) added from 5 min on, 2 min noisy and
// 2 min clean in turn, at a set SNR (S = (median peak-to-peak of the record's normal QRS, ±50 ms)^2 / 8 per channel,
// N = mean square of the scaled noise, the NSTDB's definition). The reference annotations are copied beside each record,
// so `ecgstream benchmark` scores them as it scores the clean ones. Not a test: it makes inputs for a measurement.
//
//   dotnet build -c Release src/EcgStream.Cli
//   dotnet fsi tools/bench/nstdb-noisy.fsx ma 6 /tmp/nst-ma6 101 106 ...     # noise, SNR dB, output folder, records
//   tools/ecgstream benchmark --data-root /tmp/nst-ma6 --records all --datasets mitdb --out DIR
//
// docs/results.md ("Noise stress") gives the figures.
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
open System
open System.IO
open EcgStream.Formats
open EcgStream.Formats.Wfdb
let data = Environment.GetEnvironmentVariable "ECGSTREAM_DATA" |> Option.ofObj |> Option.defaultValue "../shared/data"
let noiseName, snr, outDir = fsi.CommandLineArgs.[1], float fsi.CommandLineArgs.[2], fsi.CommandLineArgs.[3]
let ids = fsi.CommandLineArgs.[4..]
let noise = RecordReader.Read(Path.Combine(data, "nstdb-noise", noiseName))
Directory.CreateDirectory(Path.Combine(outDir, "mitdb")) |> ignore
for id in ids do
    let path = Path.Combine(data, "mitdb", id)
    let r = RecordReader.Read(path)
    let ann = Wfdb.ReadAnnotations(path)
    let fs = r.SampleRate
    let hw = int (0.05 * fs)
    let samples = r.Samples |> Array.map Array.copy
    for c in 0 .. samples.Length - 1 do
        let x = r.Samples.[c]
        let pp = [| for a in ann do
                      if (a.Symbol = "N" || a.Symbol = "L" || a.Symbol = "R") && a.Sample > int64 hw && a.Sample + int64 hw < int64 x.Length then
                          let s = x.[int a.Sample - hw .. int a.Sample + hw]
                          yield float (Array.max s - Array.min s) |] |> Array.sort
        let S = (pp.[pp.Length / 2] ** 2.0) / 8.0
        let nz = noise.Samples.[c % noise.Samples.Length]
        let nm = Array.average nz
        let nms = nz |> Array.averageBy (fun v -> (float v - float nm) ** 2.0)
        let a = sqrt (S / (nms * 10.0 ** (snr / 10.0)))
        for i in 0 .. x.Length - 1 do
            let t = float i / fs
            if t >= 300.0 && int ((t - 300.0) / 120.0) % 2 = 0 then
                samples.[c].[i] <- x.[i] + float32 (a * (float nz.[i % nz.Length] - float nm))
    let noisy = Recording(Name = r.Name, SampleRate = r.SampleRate, Signals = r.Signals, Samples = samples, Annotations = r.Annotations, Comments = r.Comments)
    Wfdb.WriteRecord(Path.Combine(outDir, "mitdb"), noisy)
    File.Copy(path + ".atr", Path.Combine(outDir, "mitdb", id + ".atr"), true)
    printfn "%s: %s %.0f dB" id noiseName snr
