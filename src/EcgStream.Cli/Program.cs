using System.CommandLine;
using System.CommandLine.Parsing;
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

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Bad input is one line and exit code 2 here as in every command's own checks (CliErrors), not the parser's
    // default of every error, the whole help text and exit code 1.
    var path = new List<string>();
    for (SymbolResult? r = parse.CommandResult; r is CommandResult c; r = c.Parent) path.Insert(0, c.Parent is null ? "ecgstream" : c.Command.Name);
    Console.Error.WriteLine($"error: {string.Join(" ", parse.Errors.Select(e => e.Message))} (`{string.Join(' ', path)} --help` lists the options)");
    return 2;
}
return await parse.InvokeAsync();
