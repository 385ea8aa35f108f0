// Probe: record-level aggregations of a model's window probabilities for PhysioNet 2017 AF. Not a test: it measures.
// Writes, per split (validation, test), one line per record: id, AF known, AF positive, the windows' p(AF) in time order.
// record-aggregation.py chooses each aggregation's threshold on validation and reports test (docs/results.md,
// "How a record's windows are folded").
//
//   dotnet build -c Release src/EcgStream.Cli
//   dotnet fsi tools/bench/record-aggregation.fsx models/ecgstream.onnx        # from the repository root; ECGSTREAM_DATA or ../shared/data
//   python3 tools/bench/record-aggregation.py ecgstream-Validation.tsv ecgstream-Test.tsv
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Core.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Formats.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Signal.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Inference.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/EcgStream.Training.dll"
#r "../../src/EcgStream.Cli/bin/Release/net10.0/TorchSharp.dll"
open System
open System.IO
open EcgStream.Training.Data
open EcgStream.Training.Evaluation
open EcgStream.Inference
let native = Path.Combine(__SOURCE_DIRECTORY__, "../../src/EcgStream.Cli/bin/Release/net10.0/runtimes/linux-x64/native")
for lib in ["libonnxruntime.so"] do
    let p = Path.Combine(native, lib)
    if File.Exists p then Runtime.InteropServices.NativeLibrary.Load p |> ignore
let model = fsi.CommandLineArgs.[1]
let report = DatasetReport(fun _ -> ())
let entries = RealDatasets.List((Environment.GetEnvironmentVariable "ECGSTREAM_DATA" |> Option.ofObj |> Option.defaultValue "../shared/data"), report, ["physionet2017"])
let splits = DatasetSplits.Load("docs/runs/2026-11-21/pretrain/splits.json")
let all = RealDatasets.Build(entries, splits, report, WindowingOptions(MaxWindowsPerRecord = 40))
let session = InferenceSession.Load(model)
let af = 1
for split in [Split.Validation; Split.Test] do
    let set = all.Subset(splits.Records(split))
    let p = OnnxScoring.Run(session, set).Probabilities()
    let C = 11
    let recs = [0 .. set.Count - 1] |> List.groupBy (fun i -> set.RecordId i)
    let lines = File.CreateText(sprintf "./%s-%s.tsv" (Path.GetFileNameWithoutExtension model) (string split))
    for (r, idx) in recs do
        let known = (set.KnownMask idx.Head >>> af) &&& 1
        let pos = (set.ClassMask idx.Head >>> af) &&& 1
        let probs = idx |> List.map (fun i -> p.[i * C + af])
        lines.WriteLine(sprintf "%s\t%d\t%d\t%s" r known pos (String.Join(",", probs |> List.map (fun v -> v.ToString("F5")))))
    lines.Close()
    printfn "%A: %d windows, %d records" split set.Count recs.Length
