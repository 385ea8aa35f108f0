using EcgStream.Ingest.Bench;

// usage: EcgStream.Benchmarks ingest-decode [SECONDS] | ingest-fuzz N [SEED]
return args switch
{
    ["ingest-decode", .. var rest] => IngestDecodeBench.Run(rest.Length > 0 ? double.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 5),
    ["ingest-fuzz", var n, .. var rest] => IngestFuzzCommand.Run(long.Parse(n, System.Globalization.CultureInfo.InvariantCulture),
        rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 1),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: EcgStream.Benchmarks ingest-decode [SECONDS]   frames decoded per second, one core");
    Console.Error.WriteLine("       EcgStream.Benchmarks ingest-fuzz N [SEED]      N random/mutated inputs into every ingest decoder");
    return 2;
}
