// Reading a format-8 WFDB record in parts, as replay streams it: seconds to read a synthetic 30-minute two-signal
// record (360 Hz, random first differences) in parts of 90 frames (0.25 s) with one WfdbPartReads, printed as JSON.
// Format 8 stores first differences, so a part must start from the running values before it.
//
//   dotnet build -c Release src/EcgStream.Formats
//   dotnet fsi tools/bench/format8-parts.fsx [FORMATS_DLL]     (default: this checkout's Release build)
let dll = if fsi.CommandLineArgs.Length > 1 then fsi.CommandLineArgs.[1] else System.IO.Path.Combine(__SOURCE_DIRECTORY__, "../../src/EcgStream.Formats/bin/Release/net10.0/EcgStream.Formats.dll")
let asm = System.Reflection.Assembly.LoadFrom(System.IO.Path.GetFullPath dll)
let wfdb = asm.GetType("EcgStream.Formats.Wfdb.Wfdb")
let sumsType = asm.GetType("EcgStream.Formats.Wfdb.WfdbPartReads")
let dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ecgstream-format8-bench")
System.IO.Directory.CreateDirectory dir |> ignore
let frames = 360 * 1800
let rng = System.Random(1)
System.IO.File.WriteAllText(System.IO.Path.Combine(dir, "r.hea"), sprintf "r 2 360 %d\nr.dat 8 200 8 0 0 0 0 a\nr.dat 8 200 8 0 0 0 0 b\n" frames)
System.IO.File.WriteAllBytes(System.IO.Path.Combine(dir, "r.dat"), Array.init (2 * frames) (fun _ -> byte (sbyte (rng.Next(-3, 4)))))
let header = wfdb.GetMethod("ReadHeader", [| typeof<string> |]).Invoke(null, [| box (System.IO.Path.Combine(dir, "r")) |])
let sums = System.Activator.CreateInstance(sumsType, [| header |])
let read = wfdb.GetMethods() |> Array.find (fun m -> m.Name = "ReadRecord" && m.GetParameters().Length = 5 && m.GetParameters().[0].ParameterType.Name = "WfdbHeader")
let sw = System.Diagnostics.Stopwatch.StartNew()
let mutable from = 0L
while from < int64 frames do
    read.Invoke(null, [| header; box from; box (System.Nullable(min (int64 frames) (from + 90L))); null; sums |]) |> ignore
    from <- from + 90L
printfn "{\"benchmark\":\"format8-parts\",\"frames\":%d,\"part_frames\":90,\"seconds\":%.2f,\"formats\":\"%s\"}" frames sw.Elapsed.TotalSeconds (System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath dll)))
System.IO.Directory.Delete(dir, true)
