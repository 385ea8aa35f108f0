using System.CommandLine;
using EcgStream.Cli.Commands;
using EcgStream.Cli.Commands.Benchmark;

// `ecgstream`: one subcommand per file under Commands/, each exposing `static Command Create()`.
var root = new RootCommand("EcgStream: streaming ECG rhythm runtime and its model toolchain.")
{
    VersionCommand.Create(),
    ReplayCommand.Create(),
    ClassifyCommand.Create(),
    EvaluateCommand.Create(),
    BenchmarkCommand.Create(),
    SimulateCommand.Create(),
    DemoCommand.Create(),
    WorkerCommand.Create(),
    ClusterDemoCommand.Create(),
    TrainCommand.Create(),
    BenchCommand.Create(BenchReplayCommand.Create(), BenchInferenceCommand.Create(), BenchModelsCommand.Create(), BenchTrainStepCommand.Create(), BenchDaemonCommand.Create(), BenchBedsCommand.Create()),
};

return await root.Parse(args).InvokeAsync();
