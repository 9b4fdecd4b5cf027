using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace ContainerTools.Tests.Infrastructure
{
    /// <summary>A temporary folder laid out by a test (files with modes, empty folders, links), deleted afterwards.</summary>
    public sealed class ContextFolder : IDisposable
    {
        public ContextFolder(string prefix = "ct-ctx-")
        {
            Root = Directory.CreateTempSubdirectory(prefix).FullName;
        }

        public string Root { get; }

        public string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

        public ContextFolder File(string relative, string content = "", UnixFileMode? mode = null, DateTime? modifiedUtc = null)
        {
            var path = PathOf(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
            if (mode != null && !OperatingSystem.IsWindows())
            {
                System.IO.File.SetUnixFileMode(path, mode.Value);
            }

            if (modifiedUtc != null)
            {
                System.IO.File.SetLastWriteTimeUtc(path, modifiedUtc.Value);
            }

            return this;
        }

        public ContextFolder Bytes(string relative, byte[] content)
        {
            var path = PathOf(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, content);
            return this;
        }

        /// <summary>A sparse file of the given length (no disk space, reads as zeros).</summary>
        public ContextFolder Sparse(string relative, long length)
        {
            var path = PathOf(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Create);
            stream.SetLength(length);
            return this;
        }

        public ContextFolder Dir(string relative, UnixFileMode? mode = null)
        {
            var path = PathOf(relative);
            Directory.CreateDirectory(path);
            if (mode != null && !OperatingSystem.IsWindows())
            {
                System.IO.File.SetUnixFileMode(path, mode.Value);
            }

            return this;
        }

        public ContextFolder Symlink(string relative, string target)
        {
            var path = PathOf(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.CreateSymbolicLink(path, target);
            return this;
        }

        public ContextFolder HardLink(string relative, string existing)
        {
            using var ln = Process.Start(new ProcessStartInfo("ln", new[] { PathOf(existing), PathOf(relative) }) { UseShellExecute = false })!;
            ln.WaitForExit();
            if (ln.ExitCode != 0)
            {
                throw new InvalidOperationException("ln failed for " + relative);
            }

            return this;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
