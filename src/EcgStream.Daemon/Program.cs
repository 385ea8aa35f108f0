using EcgStream.Daemon;

// ecgstreamd [--config FILE] [--key=value ...]: see docs/daemon.md.
return await DaemonMain.RunAsync(args);
