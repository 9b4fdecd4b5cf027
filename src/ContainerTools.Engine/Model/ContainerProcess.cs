using System;
using System.Collections.Generic;
using ContainerTools.Engine.Connection;

namespace ContainerTools.Engine.Model
{
    /// <summary>
    /// One process running in a container, as docker top shows it: the columns ps gave (their titles as keys in
    /// Columns), with the usual ones also as typed properties.
    /// </summary>
    public sealed class ContainerProcess
    {
        internal ContainerProcess(ContainerEngineConnection engine, string containerId, string containerName, IReadOnlyDictionary<string, string> columns)
        {
            Engine = engine;
            ContainerId = containerId;
            ContainerName = containerName;
            Columns = columns;
            Pid = Number(columns, "PID");
            ParentPid = Number(columns, "PPID");
            User = Value(columns, "USER", "UID", "RUSER", "EUSER", "RUID", "EUID");
            Time = Value(columns, "TIME", "CPUTIME");
            Command = Value(columns, "CMD", "COMMAND", "ARGS", "COMM", "UCMD") ?? string.Empty;
        }

        public ContainerEngineConnection Engine { get; }

        public string ContainerId { get; }

        public string ContainerName { get; }

        /// <summary>The process id on the engine's host (what docker top shows).</summary>
        public int? Pid { get; }

        public int? ParentPid { get; }

        /// <summary>The USER or UID column.</summary>
        public string? User { get; }

        /// <summary>The cumulative CPU time column (TIME).</summary>
        public string? Time { get; }

        /// <summary>The CMD, COMMAND or ARGS column.</summary>
        public string Command { get; }

        /// <summary>Every column ps gave, by its title (UID, PID, PPID, C, STIME, TTY, TIME, CMD by default).</summary>
        public IReadOnlyDictionary<string, string> Columns { get; }

        private static string? Value(IReadOnlyDictionary<string, string> columns, params string[] titles)
        {
            foreach (var title in titles)
            {
                if (columns.TryGetValue(title, out var value))
                {
                    return value;
                }
            }

            return null;
        }

        private static int? Number(IReadOnlyDictionary<string, string> columns, string title) =>
            columns.TryGetValue(title, out var text) && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : (int?)null;
    }

    /// <summary>How a path in a container's file system differs from its image (docker diff's C, A, D).</summary>
    public enum ContainerChangeKind
    {
        Changed = 0,
        Added = 1,
        Deleted = 2,
    }

    /// <summary>One entry of docker diff.</summary>
    public sealed class ContainerChange
    {
        internal ContainerChange(ContainerEngineConnection engine, string containerId, string containerName, string path, ContainerChangeKind kind)
        {
            Engine = engine;
            ContainerId = containerId;
            ContainerName = containerName;
            Path = path;
            Kind = kind;
        }

        public ContainerEngineConnection Engine { get; }

        public string ContainerId { get; }

        public string ContainerName { get; }

        public string Path { get; }

        public ContainerChangeKind Kind { get; }

        /// <summary>docker diff's letter: C, A or D.</summary>
        public string Symbol => Kind == ContainerChangeKind.Added ? "A" : Kind == ContainerChangeKind.Deleted ? "D" : "C";

        public override string ToString() => Symbol + " " + Path;
    }

    /// <summary>What a path inside a container is (file, folder, link).</summary>
    public enum ContainerItemType
    {
        File,
        Directory,
        SymbolicLink,
        Other,
    }

    /// <summary>A file, folder or link inside a container, as the engine's stat of a container path gives it.</summary>
    public sealed class ContainerItem
    {
        internal ContainerItem(ContainerEngineConnection engine, string containerId, string containerName, string path, ContainerItemType type,
            long size, int mode, DateTimeOffset modified, string? linkTarget)
        {
            Engine = engine;
            ContainerId = containerId;
            ContainerName = containerName;
            Path = path;
            Type = type;
            Size = size;
            Mode = mode;
            Modified = modified;
            LinkTarget = linkTarget;
        }

        public ContainerEngineConnection Engine { get; }

        public string ContainerId { get; }

        public string ContainerName { get; }

        /// <summary>The absolute path in the container.</summary>
        public string Path { get; }

        public ContainerItemType Type { get; }

        public long Size { get; }

        /// <summary>Permission bits (07777).</summary>
        public int Mode { get; }

        public DateTimeOffset Modified { get; }

        /// <summary>For a link: where it points (as the engine resolves it).</summary>
        public string? LinkTarget { get; }

        /// <summary>ls -l style: drwxr-xr-x, -rw-r--r--, lrwxrwxrwx.</summary>
        public string ModeText
        {
            get
            {
                var chars = new char[10];
                chars[0] = Type == ContainerItemType.Directory ? 'd' : Type == ContainerItemType.SymbolicLink ? 'l' : '-';
                const string rwx = "rwxrwxrwx";
                for (var i = 0; i < 9; i++)
                {
                    chars[i + 1] = (Mode & (1 << (8 - i))) != 0 ? rwx[i] : '-';
                }

                return new string(chars);
            }
        }

        public override string ToString() => ContainerName + ":" + Path;
    }
}

namespace ContainerTools.Engine.Model
{
    /// <summary>Progress of a copy: bytes moved so far, and the total when it is known in advance.</summary>
    public sealed class TransferProgress
    {
        public TransferProgress(long bytes, long? totalBytes)
        {
            Bytes = bytes;
            TotalBytes = totalBytes;
        }

        public long Bytes { get; }

        public long? TotalBytes { get; }

        /// <summary>0–100 when the total is known, else -1.</summary>
        public int Percent => TotalBytes > 0 ? (int)System.Math.Min(100, Bytes * 100 / TotalBytes.Value) : -1;
    }
}
