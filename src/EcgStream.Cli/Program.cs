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
// Ctrl-C / SIGTERM: the first asks the command to stop (its cancellation token: training saves a checkpoint, demo shuts
// down); a command that has not stopped 10 s later, or a second signal, ends the process with one line. The parser's own
// handler is off: a second signal made it throw with a stack trace, and a command busy in a read never stopped.
using var cancel = new CancellationTokenSource();
int signals = 0;
void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    if (Interlocked.Increment(ref signals) == 1)
    {
        cancel.Cancel();
        _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => ForceExit("did not stop within 10 s of the signal"), TaskScheduler.Default);
    }
    else ForceExit("stopped by a second signal");
}
static void ForceExit(string why)
{
    Console.Error.WriteLine($"error: interrupted: {why}");
    Environment.Exit(130);
}
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancel.Token);
