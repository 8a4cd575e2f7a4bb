namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A tmpfs of a few hundred KB or MB mounted on a temporary folder, for tests of a disk that fills up: mounting needs
/// root, so the tests that use it are <see cref="RootFactAttribute"/>s. Unmounted and deleted when disposed.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <param name="size">tmpfs's size option: "256k", "4m".</param>
    public SmallDisk(string size)
    {
        var (exitCode, output) = ShellCommand.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "linewatch-test", _dir.Path);
        Assert.True(exitCode == 0, output);
    }

    public string Path => _dir.Path;

    /// <summary>Writes a file of zeros named <paramref name="name"/> until the disk refuses; delete it to free the space.</summary>
    public string Fill(string name = "filler")
    {
        var path = _dir.File(name);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            // full
        }
        return path;
    }

    public void Dispose()
    {
        ShellCommand.Run("umount", _dir.Path);
        _dir.Dispose();
    }
}
