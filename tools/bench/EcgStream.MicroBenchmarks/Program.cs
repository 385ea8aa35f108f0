using BenchmarkDotNet.Running;

// dotnet run -c Release --project tools/bench/EcgStream.MicroBenchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
