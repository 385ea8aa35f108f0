// A split file with every record of some datasets in its test part: for a model that must have seen no label of those
// datasets' patients (e.g. an encoder fine-tuned before leave-patient-out cross-validation over them). Records of those
// datasets the base file does not name (added to ../shared/data after it was written) are added, each with its
// patient as the readers name it, so that training does not place them by the file's rule. Not a test: it makes an input.
//
//   dotnet fsi tools/bench/hold-out-datasets.fsx BASE_SPLITS OUT_SPLITS DATA_ROOT DATASET...
//   e.g. dotnet fsi tools/bench/hold-out-datasets.fsx docs/runs/2026-11-21/pretrain/splits.json runs/ft/splits.json ../shared/data mitdb cpsc2021
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
let args = fsi.CommandLineArgs.[1..]
if args.Length < 4 then failwith "usage: hold-out-datasets.fsx BASE_SPLITS OUT_SPLITS DATA_ROOT DATASET..."
let basePath, outPath, dataRoot, datasets = args.[0], args.[1], args.[2], args.[3..]
let root = JsonNode.Parse(File.ReadAllText basePath)
let records = root.["Records"].AsObject()
let mutable moved, added = 0, 0
for ds in datasets do
    for KeyValue(key, node) in Seq.toArray records do
        if key.StartsWith(ds + "/") then
            node.["Split"] <- JsonValue.Create "Test"
            moved <- moved + 1
    // records on disk the file does not name: CPSC 2021's data_P_R belong to patient P, the others are their own patient
    for hea in Directory.EnumerateFiles(Path.Combine(dataRoot, ds), "*.hea") do
        let id = Path.GetFileNameWithoutExtension hea
        let key = ds + "/" + id
        if not (records.ContainsKey key) then
            let patient = if ds = "cpsc2021" && id.StartsWith "data_" then sprintf "cpsc2021/patient-%s" (id.Split('_').[1]) else key
            let entry = JsonObject()
            entry.["Patient"] <- JsonValue.Create patient
            entry.["Split"] <- JsonValue.Create "Test"
            records.[key] <- entry
            added <- added + 1
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath outPath)) |> ignore
File.WriteAllText(outPath, root.ToJsonString(JsonSerializerOptions(WriteIndented = true)))
printfn "%s: %d records of %s moved to Test, %d added" outPath (moved + added) (String.concat ", " datasets) added
