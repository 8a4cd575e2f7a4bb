using System.Text;
using LineWatch.Storage;
using LineWatch.Tests.Model;

namespace LineWatch.Tests.Storage;

/// <summary>
/// What can be shown without pulling the plug: the old contents stay until the new ones are whole, no temporary file
/// is left either way, and the folder is flushed once the new file is in place. (That flushes reach the platter on a
/// power cut is the kernel's and the disk's promise; DurableWriteTests sees the system calls themselves.)
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<(string Folder, string Contents)> _syncs = [];

    private AtomicFile Create(string path) => new(path, folder =>
    {
        _syncs.Add((folder, File.ReadAllText(path)));
        AtomicFile.SyncFolder(folder);
    });

    [Fact]
    public void Commit_replaces_the_contents_and_then_flushes_the_folder_leaving_nothing_else()
    {
        var path = _folder.File("switches.json");
        File.WriteAllText(path, "old");

        using (var file = Create(path))
        {
            file.Stream.Write("new contents"u8);
            Assert.Equal("old", File.ReadAllText(path)); // nothing is replaced before the commit
            file.Commit();
        }

        Assert.Equal("new contents", File.ReadAllText(path));
        Assert.Equal([(_folder.Path, "new contents")], _syncs);
        Assert.Equal(["switches.json"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_exception_before_the_commit_keeps_the_old_file_and_removes_the_temporary_one()
    {
        var path = _folder.File("press.profile");
        File.WriteAllText(path, "old profile");

        Assert.Throws<InvalidOperationException>(void () =>
        {
            using var file = Create(path);
            file.Stream.Write(new byte[100_000]);
            throw new InvalidOperationException("the writer failed half way");
        });

        Assert.Equal("old profile", File.ReadAllText(path));
        Assert.Empty(_syncs);
        Assert.Equal(["press.profile"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_rename_that_fails_leaves_no_temporary_file()
    {
        var path = _folder.File("taken");
        Directory.CreateDirectory(path); // a folder where the file should go: the rename is refused

        Assert.ThrowsAny<IOException>(() =>
        {
            using var file = Create(path);
            file.Stream.Write("x"u8);
            file.Commit();
        });

        Assert.Empty(Directory.GetFiles(_folder.Path));
        Assert.Empty(_syncs);
    }

    [Fact]
    public void WriteAllText_creates_the_folder_and_writes_UTF8()
    {
        var path = Path.Combine(_folder.Path, "control", "switches.json");

        AtomicFile.WriteAllText(path, "{\"disabled\":[\"presse-ä\"]}");

        Assert.Equal("{\"disabled\":[\"presse-ä\"]}", File.ReadAllText(path, Encoding.UTF8));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Flushing_a_folder_that_does_not_exist_names_it()
    {
        var missing = _folder.File("gone");
        var error = Assert.Throws<IOException>(() => AtomicFile.SyncFolder(missing));
        Assert.Contains(missing, error.Message);
    }

    public void Dispose() => _folder.Dispose();
}
