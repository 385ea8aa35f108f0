namespace EcgStream.Training.Tests;

/// <summary>When libtorch cannot load, the message names the loader's reason, not TorchSharp's "package not restored".</summary>
public sealed class TorchRuntimeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecg-torchload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_library_the_loader_refuses_is_reported_with_the_loaders_own_words()
    {
        var path = Path.Combine(_dir, "libtorch.so");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("not an ELF file\n", 300)));   // long enough to get past "file too short"
        var message = TorchRuntime.DescribeLoadFailure(_dir);
        Assert.NotNull(message);
        Assert.StartsWith($"cannot load {path}: ", message);
        Assert.Contains("invalid ELF header", message);          // dlopen's reason
        Assert.DoesNotContain("LD_DEBUG", message);              // .NET's generic advice is dropped
        Assert.DoesNotContain("restored", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_missing_library_is_named_with_the_folder_searched()
    {
        Assert.Equal($"libtorch is not installed: libtorch.so not found in {_dir} (restore and build EcgStream.Training; tools/setup.sh does both)",
            TorchRuntime.DescribeLoadFailure(_dir));
    }

    [Fact]
    public void The_libraries_this_build_carries_load()
    {
        // The test's own bin folder holds libtorch and TorchSharp's glue (patched by tools/setup/torchsharp.sh where needed).
        Assert.Null(TorchRuntime.DescribeLoadFailure(AppContext.BaseDirectory));
    }
}
