using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using ContainerTools.Engine.Internal;

namespace ContainerTools.Engine.Machines
{
    /// <summary>
    /// The per-user store of machine definitions: &lt;root&gt;/&lt;name&gt;/machine.json (plus the machine's tls/ folder and
    /// whatever its provider keeps there). The root is CONTAINERTOOLS_MACHINE_STORE, else
    /// $XDG_CONFIG_HOME/containertools/machines (~/.config/... when unset) on Linux and macOS, %APPDATA%\ContainerTools\machines on Windows.
    /// </summary>
    public sealed class MachineStore
    {
        public const string StoreVariable = "CONTAINERTOOLS_MACHINE_STORE";
        private const string DefinitionFile = "machine.json";
        private const string LockFile = ".lock";
        private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(50);

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        };

        public MachineStore(string root)
        {
            Root = Path.GetFullPath(root);
        }

        public string Root { get; }

        /// <summary>The store of the current user (or the folder CONTAINERTOOLS_MACHINE_STORE names).</summary>
        public static MachineStore Default()
        {
            var overridden = Environment.GetEnvironmentVariable(StoreVariable);
            if (!string.IsNullOrEmpty(overridden))
            {
                return new MachineStore(overridden!);
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return new MachineStore(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "ContainerTools", "machines"));
            }

            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config))
            {
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return new MachineStore(Path.Combine(config!, "containertools", "machines"));
        }

        /// <summary>Machine names are folder, context and network-namespace friendly: letters, digits, '-', '_', '.', starting with a letter or digit.</summary>
        public static void ValidateName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 63 || !char.IsLetterOrDigit(name[0]) || name[0] > 127)
            {
                throw new InvalidSpecException("InvalidMachineName", $"'{name}' is not a valid machine name: use 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit.", name);
            }

            foreach (var c in name)
            {
                if (!(c < 128 && (char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.')))
                {
                    throw new InvalidSpecException("InvalidMachineName", $"'{name}' is not a valid machine name: use 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit.", name);
                }
            }
        }

        public string MachineFolder(string name) => Path.Combine(Root, name);

        public string TlsFolder(string name) => Path.Combine(Root, name, "tls");

        public MachineContext ContextFor(MachineDefinition definition, IProgress<string>? progress = null) =>
            new MachineContext(definition, MachineFolder(definition.Name), TlsFolder(definition.Name), progress);

        public MachineDefinition? Find(string name)
        {
            var file = Path.Combine(MachineFolder(name), DefinitionFile);
            return File.Exists(file) ? Read(file) : null;
        }

        public IReadOnlyList<MachineDefinition> List()
        {
            var result = new List<MachineDefinition>();
            if (!Directory.Exists(Root))
            {
                return result;
            }

            foreach (var folder in Directory.GetDirectories(Root))
            {
                var file = Path.Combine(folder, DefinitionFile);
                if (File.Exists(file))
                {
                    result.Add(Read(file));
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }

        /// <summary>Writes machine.json whole or not at all, in a folder only its owner may enter.</summary>
        public void Save(MachineDefinition definition)
        {
            OwnerOnly.CreateDirectory(Root);
            var folder = MachineFolder(definition.Name);
            OwnerOnly.CreateDirectory(folder);
            OwnerOnly.WriteFile(Path.Combine(folder, DefinitionFile), JsonSerializer.Serialize(definition, Json));
        }

        /// <summary>
        /// Takes the store's lock (&lt;root&gt;/.lock, opened for this holder alone) until the result is disposed, so that what
        /// is allocated from the store's contents (a Local machine's address) and saved is decided by one creation at a
        /// time, in this process or another. A holder that dies releases it with its handle; the file itself stays.
        /// </summary>
        public async Task<IDisposable> LockAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            OwnerOnly.CreateDirectory(Root);
            var file = Path.Combine(Root, LockFile);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    // FileShare.None: a second open fails on Windows (sharing violation) and on Linux (.NET takes flock LOCK_EX).
                    return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (waited.Elapsed < timeout)
                {
                    await Task.Delay(LockRetry, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new ContainerEngineException("MachineStoreLocked", EngineErrorKind.Timeout,
                        $"Another machine creation holds the lock of the machine store ({file}) and did not finish within {timeout.TotalSeconds:0} seconds. Try again when it has finished.",
                        file, e);
                }
            }
        }

        /// <summary>Deletes the machine's folder; the provider must have unmounted and stopped what lives there.</summary>
        public void Delete(string name)
        {
            var folder = MachineFolder(name);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static MachineDefinition Read(string file)
        {
            try
            {
                return JsonSerializer.Deserialize<MachineDefinition>(File.ReadAllText(file), Json)
                    ?? throw new JsonException("the file is empty");
            }
            catch (JsonException e)
            {
                throw new InvalidSpecException("InvalidMachineDefinition",
                    $"The machine definition '{file}' is not valid ({e.Message}). Fix it, or delete its folder after stopping the machine's engine by hand.", file);
            }
        }
    }

    /// <summary>Files and folders only their owner may read (keys, definitions): 0600 / 0700 on Unix; Windows user folders are already per-user.</summary>
    internal static class OwnerOnly
    {
        private static readonly bool IsUnix = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void CreateDirectory(string path)
        {
            Directory.CreateDirectory(path);
            Chmod(path, Convert.ToUInt32("700", 8));
        }

        /// <summary>Written to a temporary file made owner-only before any byte goes in, then renamed into place.</summary>
        public static void WriteFile(string path, string content)
        {
            var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    Chmod(temp, Convert.ToUInt32("600", 8));
                    var bytes = new UTF8Encoding(false).GetBytes(content);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }

                if (File.Exists(path))
                {
                    File.Replace(temp, path, null);
                }
                else
                {
                    File.Move(temp, path);
                }
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }

        private static void Chmod(string path, uint mode)
        {
            if (IsUnix && chmod(path, mode) != 0)
            {
                throw new ContainerEngineException("MachineStorePermission", EngineErrorKind.PermissionDenied,
                    $"Cannot make '{path}' private to its owner (chmod failed, errno {Marshal.GetLastWin32Error()}).", path);
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);
    }
}
