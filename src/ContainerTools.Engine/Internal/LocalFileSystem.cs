using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace ContainerTools.Engine.Internal
{
    /// <summary>
    /// What extracting an archive needs beyond System.IO on netstandard2.0: permission bits, symbolic and hard links,
    /// and a link's own modification time. libc on Linux and macOS; on Windows the .NET API where the runtime has it.
    /// </summary>
    internal static class LocalFileSystem
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly bool IsLinux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>chmod; a no-op on Windows, which has no such bits.</summary>
        public static void SetMode(string path, int mode)
        {
            if (IsWindows)
            {
                return;
            }

            if (chmod(Bytes(path), (uint)(mode & 0xFFF)) != 0)
            {
                throw Failure("set the permissions of", path);
            }
        }

        public static void CreateSymbolicLink(string path, string target, bool targetIsDirectory)
        {
            if (!IsWindows)
            {
                if (symlink(Bytes(target), Bytes(path)) != 0)
                {
                    throw Failure("create the symbolic link", path);
                }

                return;
            }

            // .NET 6 and later; Windows PowerShell 5.1 (.NET Framework) has no API for it.
            var method = (targetIsDirectory ? typeof(Directory) : typeof(File)).GetMethod("CreateSymbolicLink", BindingFlags.Public | BindingFlags.Static);
            if (method == null)
            {
                throw new ContainerEngineException("SymbolicLinkNotSupported", EngineErrorKind.NotSupported,
                    $"Cannot create the symbolic link '{path}' -> '{target}': this PowerShell cannot create links. Use PowerShell 7.", path);
            }

            try
            {
                method.Invoke(null, new object[] { path, target.Replace('/', '\\') });
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                throw new ContainerEngineException("SymbolicLinkNotSupported", EngineErrorKind.PermissionDenied,
                    $"Cannot create the symbolic link '{path}' -> '{target}' ({e.InnerException.Message}). On Windows, links need Developer Mode or an elevated session.",
                    path, e.InnerException);
            }
        }

        /// <summary>A second name for an existing file (a copy where hard links cannot be made).</summary>
        public static void CreateHardLink(string path, string existing)
        {
            if (IsWindows || link(Bytes(existing), Bytes(path)) != 0)
            {
                File.Copy(existing, path);
            }
        }

        /// <summary>Sets the modification (and access) time; of the link itself for a symbolic link, where the OS allows it.</summary>
        public static void SetModified(string path, long unixSeconds, bool isSymbolicLink)
        {
            if (IsLinux)
            {
                // struct timespec[2] { atime, mtime } with 64-bit fields; AT_SYMLINK_NOFOLLOW so a link keeps its own time.
                var times = new long[] { unixSeconds, 0, unixSeconds, 0 };
                if (utimensat(AtFdCwd, Bytes(path), times, AtSymlinkNoFollow) == 0)
                {
                    return;
                }
            }

            if (isSymbolicLink)
            {
                return; // elsewhere a link's own time cannot be set portably; its target is not touched
            }

            var time = Epoch.AddSeconds(unixSeconds);
            if (Directory.Exists(path))
            {
                Directory.SetLastWriteTimeUtc(path, time);
            }
            else
            {
                File.SetLastWriteTimeUtc(path, time);
            }
        }

        /// <summary>Renames a file, folder or link (the link itself), replacing a file or link already at the new name.</summary>
        public static void Rename(string from, string to)
        {
            if (!IsWindows)
            {
                if (rename(Bytes(from), Bytes(to)) != 0)
                {
                    throw Failure("move '" + from + "' to", to);
                }

                return;
            }

            if (Directory.Exists(from) && (File.GetAttributes(from) & FileAttributes.ReparsePoint) == 0)
            {
                Directory.Move(from, to);
                return;
            }

            if (File.Exists(to))
            {
                File.Delete(to);
            }

            File.Move(from, to);
        }

        private static ContainerEngineException Failure(string what, string path) =>
            new ContainerEngineException("LocalFileSystemFailed", EngineErrorKind.OperationFailed,
                $"Cannot {what} '{path}' (errno {Marshal.GetLastWin32Error()}).", path);

        private static byte[] Bytes(string path)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
            return bytes;
        }

        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(byte[] path, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int symlink(byte[] target, byte[] linkpath);

        [DllImport("libc", SetLastError = true)]
        private static extern int rename(byte[] from, byte[] to);

        [DllImport("libc", SetLastError = true)]
        private static extern int link(byte[] existing, byte[] newpath);

        [DllImport("libc", SetLastError = true)]
        private static extern int utimensat(int dirfd, byte[] path, long[] times, int flags);
    }
}
