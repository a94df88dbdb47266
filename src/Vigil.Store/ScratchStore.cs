namespace Vigil.Store;

/// <summary>Throw-away chroot stores (<c>local?root=DIR</c>): what verification rebuilds and tests make and remove.</summary>
public static class ScratchStore
{
    /// <summary>
    /// Deletes a chroot store's directory. Store files and directories are read-only, so the
    /// directories are made writable first. Best effort: a leftover in the temp directory harms nothing.
    /// </summary>
    public static void Delete(string root)
    {
        try
        {
            foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                if (!OperatingSystem.IsWindows() && entry is DirectoryInfo && (entry.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    entry.UnixFileMode |= UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead;
                }
            }
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in place; the caller's result stands.
        }
    }
}
