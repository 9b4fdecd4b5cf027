using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace ContainerTools.Engine.Build
{
    /// <summary>What kind of file system entry a context path is (never following a symbolic link).</summary>
    internal enum EntryKind
    {
        File,
        Directory,
        Symlink,
        Fifo,
        CharDevice,
        BlockDevice,
        Socket,
    }

    /// <summary>An entry's lstat: kind, permission bits (with setuid/setgid/sticky), size, mtime, link target, hard-link identity.</summary>
    internal sealed class EntryStat
    {
        public EntryKind Kind { get; set; }

        /// <summary>Permission bits as a tar header holds them (07777).</summary>
        public int Mode { get; set; }

        public long Size { get; set; }

        /// <summary>Seconds since the Unix epoch (tar keeps whole seconds).</summary>
        public long ModifiedSeconds { get; set; }

        public string? LinkTarget { get; set; }

        /// <summary>The inode, when the file has more than one hard link (else null).</summary>
        public ulong? HardLinkInode { get; set; }

        public int DeviceMajor { get; set; }

        public int DeviceMinor { get; set; }
    }

    /// <summary>
    /// Reads what a tar header needs about a file without following symbolic links. On Linux one statx call gives the
    /// file type, mode, size, mtime, link count and inode; elsewhere the .NET file system API (with the Unix mode where
    /// the runtime has it), and on Windows the modes the docker CLI uses there (0755, read-only files 0555).
    /// </summary>
    internal static class FileProbe
    {
        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly bool IsLinux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        private static readonly PropertyInfo? UnixFileModeProperty = typeof(FileSystemInfo).GetProperty("UnixFileMode");
        private static readonly PropertyInfo? LinkTargetProperty = typeof(FileSystemInfo).GetProperty("LinkTarget");
        private static bool _statxMissing;

        [ThreadStatic]
        private static byte[]? _statxBuffer;

        public static EntryStat Lstat(FileSystemInfo info)
        {
            if (IsLinux && !_statxMissing)
            {
                var stat = TryStatx(info.FullName);
                if (stat != null)
                {
                    return stat;
                }
            }

            return FromFileSystemInfo(info);
        }

        /// <summary>
        /// The target a symbolic link (or junction) stores, not resolved; null when the path is no link, or when this
        /// runtime cannot read link targets (Windows PowerShell 5.1: the entry is then sent as what it points to).
        /// </summary>
        public static string? TryReadLink(string path)
        {
            if (!IsWindows)
            {
                var buffer = new byte[4096];
                var length = (long)readlink(NullTerminated(path), buffer, (UIntPtr)buffer.Length);
                return length >= 0 ? Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(length, buffer.Length)) : null;
            }

            if (LinkTargetProperty == null)
            {
                return null;
            }

            var info = Directory.Exists(path) ? (FileSystemInfo)new DirectoryInfo(path) : new FileInfo(path);
            return LinkTargetProperty.GetValue(info) as string;
        }

        /// <summary>True when the path (not what it points to) is a symbolic link.</summary>
        public static bool IsSymlink(string path)
        {
            FileSystemInfo info = new FileInfo(path);
            if (!info.Exists)
            {
                info = new DirectoryInfo(path);
                if (!info.Exists)
                {
                    return false;
                }
            }

            return (info.Attributes & FileAttributes.ReparsePoint) != 0;
        }

        private static EntryStat? TryStatx(string path)
        {
            var buffer = _statxBuffer ??= new byte[256];
            int result;
            try
            {
                result = statx(AtFdCwd, NullTerminated(path), AtSymlinkNoFollow, StatxBasicStats, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                _statxMissing = true;
                return null;
            }
            catch (DllNotFoundException)
            {
                _statxMissing = true;
                return null;
            }

            if (result != 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno == 38 /* ENOSYS */)
                {
                    _statxMissing = true;
                    return null;
                }

                if (errno == 2 /* ENOENT */)
                {
                    throw Changed(path);
                }

                throw Unreadable(path, $"stat failed with errno {errno}");
            }

            var nlink = BitConverter.ToUInt32(buffer, 16);
            var mode = BitConverter.ToUInt16(buffer, 28);
            var stat = new EntryStat
            {
                Mode = mode & 0xFFF,
                Size = (long)BitConverter.ToUInt64(buffer, 40),
                ModifiedSeconds = BitConverter.ToInt64(buffer, 112),
                DeviceMajor = (int)BitConverter.ToUInt32(buffer, 128),
                DeviceMinor = (int)BitConverter.ToUInt32(buffer, 132),
            };
            stat.Kind = (mode & 0xF000) switch
            {
                0x4000 => EntryKind.Directory,
                0xA000 => EntryKind.Symlink,
                0x1000 => EntryKind.Fifo,
                0x2000 => EntryKind.CharDevice,
                0x6000 => EntryKind.BlockDevice,
                0xC000 => EntryKind.Socket,
                _ => EntryKind.File,
            };
            if (stat.Kind != EntryKind.Directory && nlink > 1)
            {
                stat.HardLinkInode = BitConverter.ToUInt64(buffer, 32);
            }

            if (stat.Kind == EntryKind.Symlink)
            {
                stat.LinkTarget = TryReadLink(path) ?? throw Changed(path);
            }

            if (stat.Kind != EntryKind.File)
            {
                stat.Size = 0;
            }

            return stat;
        }

        private static EntryStat FromFileSystemInfo(FileSystemInfo info)
        {
            try
            {
                info.Refresh();
                if (!info.Exists)
                {
                    throw Changed(info.FullName);
                }

                // A reparse point is a link only when it has a target (OneDrive placeholders and the like are not).
                var target = (info.Attributes & FileAttributes.ReparsePoint) != 0 ? TryReadLink(info.FullName) : null;
                var isLink = target != null;
                var isDirectory = (info.Attributes & FileAttributes.Directory) != 0;
                var stat = new EntryStat
                {
                    Kind = isLink ? EntryKind.Symlink : isDirectory ? EntryKind.Directory : EntryKind.File,
                    Size = !isLink && !isDirectory && info is FileInfo file ? file.Length : 0,
                    ModifiedSeconds = ToUnixSeconds(info.LastWriteTimeUtc),
                    LinkTarget = target,
                };
                if (isLink)
                {
                    stat.Mode = 0x1FF; // 0777, as lstat reports a link
                }
                else if (IsWindows)
                {
                    // The docker CLI on Windows: group/world write dropped, everything executable.
                    var readOnly = !isDirectory && (info.Attributes & FileAttributes.ReadOnly) != 0;
                    stat.Mode = readOnly ? 0x16D /* 0555 */ : 0x1ED /* 0755 */;
                }
                else if (UnixFileModeProperty != null)
                {
                    stat.Mode = Convert.ToInt32(UnixFileModeProperty.GetValue(info), System.Globalization.CultureInfo.InvariantCulture) & 0xFFF;
                }
                else
                {
                    stat.Mode = isDirectory ? 0x1ED : 0x1A4; // 0755, 0644
                }

                return stat;
            }
            catch (IOException e)
            {
                throw Unreadable(info.FullName, e.Message, e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw Unreadable(info.FullName, e.Message, e);
            }
        }

        /// <summary>A context file that cannot be read: permissions, I/O errors.</summary>
        internal static ContainerEngineException Unreadable(string path, string reason, Exception? inner = null) =>
            new ContainerEngineException("BuildContextUnreadable",
                inner is UnauthorizedAccessException || reason.IndexOf("errno 13", StringComparison.Ordinal) >= 0 ? EngineErrorKind.PermissionDenied : EngineErrorKind.OperationFailed,
                $"Cannot read '{path}' for the build context ({reason}). Make it readable, or exclude it in .dockerignore.", path, inner);

        /// <summary>A context file that went away or changed while the context was being sent.</summary>
        internal static ContainerEngineException Changed(string path) =>
            new ContainerEngineException("BuildContextChanged", EngineErrorKind.Conflict,
                $"'{path}' changed or disappeared while the build context was being sent. Build again when nothing is writing to the context.", path);

        private static long ToUnixSeconds(DateTime utc) =>
            (long)Math.Floor((utc - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds);

        private static byte[] NullTerminated(string path)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
            return bytes;
        }

        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxBasicStats = 0x7FF;

        // struct statx has one layout on every Linux architecture (linux/stat.h), unlike struct stat.
        [DllImport("libc", SetLastError = true)]
        private static extern int statx(int dirfd, byte[] pathname, int flags, uint mask, [Out] byte[] statxbuf);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr readlink(byte[] path, [Out] byte[] buf, UIntPtr bufsiz);
    }
}
