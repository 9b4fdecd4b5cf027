using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ContainerTools.Engine;
using ContainerTools.Engine.Containers;
using ContainerTools.Engine.Model;
using ContainerTools.Internal;

namespace ContainerTools.Cmdlets.Container
{
    /// <summary>
    /// Copy-ContainerItem [docker cp]: files, folders and links into or out of a container, container paths written
    /// 'container:/path', with docker cp's destination rules. Local sources take wildcards.
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "ContainerItem", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo), typeof(DirectoryInfo), typeof(ContainerItem))]
    public sealed class CopyContainerItemCommand : ContainerToolsCmdlet
    {
        /// <summary>What to copy: local paths (wildcards allowed), or container paths as 'container:/path'.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [Alias("FullName", "Source")]
        [ArgumentCompleter(typeof(Completion.ContainerPathCompleter))]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Where to: a container path 'container:/path' for local sources, a local path for container sources.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ContainerPathCompleter))]
        public string Destination { get; set; } = string.Empty;

        /// <summary>Write what was copied: FileInfo/DirectoryInfo locally, ContainerItem records in a container.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var destination = Parse(Destination);
            if (destination == null)
            {
                return;
            }

            var sources = Path.Select(Parse).ToList();
            if (sources.Any(s => s == null))
            {
                return;
            }

            if (destination.IsContainerPath)
            {
                CopyIn(sources!, destination);
            }
            else
            {
                CopyOut(sources!, destination);
            }
        }

        private void CopyIn(List<ContainerPathArgument> sources, ContainerPathArgument destination)
        {
            var locals = new List<string>();
            foreach (var source in sources)
            {
                if (source.IsContainerPath)
                {
                    WriteError(new ErrorRecord(new ArgumentException($"Copying between containers is not supported: '{source}' and '{destination}' are both container paths. Copy to a local folder first, then from it."),
                        "CopyBetweenContainers", ErrorCategory.InvalidArgument, source.ToString()));
                    return;
                }

                if (!ResolveLocal(source.Path, locals))
                {
                    return;
                }
            }

            if (locals.Count == 0)
            {
                return;
            }

            var engine = ResolveEngine();
            if (!ShouldProcess(destination.ToString(), "Copy " + string.Join(", ", locals) + " into container"))
            {
                return;
            }

            WriteVerbose($"Asking {engine.Name} to extract {string.Join(", ", locals)} into {destination}.");
            IReadOnlyList<ContainerItem> written = Array.Empty<ContainerItem>();
            WithCopyProgress($"Copying to {destination}", destination.ToString(), progress =>
                written = Stream((post, ct) => engine.Containers.CopyToContainerAsync(locals, destination.Container!, destination.Path,
                    new SynchronousProgress<TransferProgress>(p => post(() => progress(p))), ct)));
            if (PassThru)
            {
                WriteObject(written, enumerateCollection: true);
            }
        }

        private void CopyOut(List<ContainerPathArgument> sources, ContainerPathArgument destination)
        {
            var target = WithTrailingSeparator(destination.Path, SessionState.Path.GetUnresolvedProviderPathFromPSPath(destination.Path));
            if (sources.Any(s => !s.IsContainerPath))
            {
                var local = sources.First(s => !s.IsContainerPath);
                WriteError(new ErrorRecord(new ArgumentException($"Neither '{local}' nor '{destination}' is a container path. Write container paths as 'container:/path'; copy local files with Copy-Item."),
                    "NoContainerPath", ErrorCategory.InvalidArgument, local.ToString()));
                return;
            }

            if (sources.Count > 1 && !Directory.Exists(target))
            {
                WriteError(new ErrorRecord(new ArgumentException($"Several sources are copied into a folder, and '{target}' is not one. Create it first."),
                    "CopyDestinationNotFolder", ErrorCategory.InvalidArgument, target));
                return;
            }

            var engine = ResolveEngine();
            foreach (var source in sources)
            {
                if (!ShouldProcess(target, $"Copy {source} from container"))
                {
                    continue;
                }

                WriteVerbose($"Asking {engine.Name} for the archive of {source}, to extract into {target}.");
                IReadOnlyList<string> written = Array.Empty<string>();
                WithCopyProgress($"Copying {source}", source.ToString(), progress =>
                    written = Stream((post, ct) => engine.Containers.CopyFromContainerAsync(source.Container!, source.Path, target,
                        new SynchronousProgress<TransferProgress>(p => post(() => progress(p))), ct)));
                if (PassThru)
                {
                    foreach (var path in written)
                    {
                        WriteObject(Directory.Exists(path) && (File.GetAttributes(path) & FileAttributes.ReparsePoint) == 0
                            ? new DirectoryInfo(path)
                            : (FileSystemInfo)new FileInfo(path));
                    }
                }
            }
        }

        // One progress bar per copy, always completed; failures become errors naming the path.
        private void WithCopyProgress(string activity, string target, Action<Action<TransferProgress>> copy)
        {
            var record = new ProgressRecord(2, activity, "Starting");
            try
            {
                TryRun(target, () => copy(p =>
                {
                    record.StatusDescription = p.TotalBytes != null
                        ? $"{Formatting.DisplayText.BytesSize(p.Bytes)} of {Formatting.DisplayText.BytesSize(p.TotalBytes.Value)}"
                        : $"{Formatting.DisplayText.BytesSize(p.Bytes)} transferred";
                    record.PercentComplete = p.Percent;
                    WriteProgress(record);
                }));
            }
            finally
            {
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }
        }

        // Wildcards expand to every match (none is an error); a literal path must exist. 'folder/.' and a trailing separator are kept.
        private bool ResolveLocal(string path, List<string> resolved)
        {
            var suffix = path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("\\.", StringComparison.Ordinal) ? path.Substring(path.Length - 2)
                : path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal) ? path.Substring(path.Length - 1)
                : string.Empty;
            var bare = suffix.Length > 0 && path.Length > suffix.Length ? path.Substring(0, path.Length - suffix.Length) : path;
            try
            {
                if (WildcardPattern.ContainsWildcardCharacters(bare))
                {
                    var matches = SessionState.Path.GetResolvedProviderPathFromPSPath(bare, out var provider);
                    if (provider.Name != "FileSystem")
                    {
                        throw new ArgumentException($"'{path}' is not a file system path.");
                    }

                    resolved.AddRange(matches.OrderBy(m => m, StringComparer.Ordinal).Select(m => m + suffix));
                    return true;
                }

                var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(bare);
                if (!File.Exists(full) && !Directory.Exists(full) && !IsLink(full))
                {
                    throw new ItemNotFoundException($"Cannot find path '{full}' because it does not exist.");
                }

                resolved.Add(full + suffix);
                return true;
            }
            catch (ItemNotFoundException)
            {
                WriteFailure(new ResourceNotFoundException("Path", path, $"The local path '{path}' does not exist."), path);
                return false;
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is ProviderNotFoundException || e is System.Management.Automation.DriveNotFoundException)
            {
                WriteError(new ErrorRecord(e, "InvalidCopyPath", ErrorCategory.InvalidArgument, path));
                return false;
            }
        }

        private ContainerPathArgument? Parse(string argument)
        {
            try
            {
                return ContainerPathArgument.Parse(argument, name => SessionState.Drive.GetAll().Any(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)));
            }
            catch (ContainerEngineException e)
            {
                WriteFailure(e, argument);
                return null;
            }
        }

        private static string WithTrailingSeparator(string given, string resolved)
        {
            var trailing = given.EndsWith("/", StringComparison.Ordinal) || given.EndsWith("\\", StringComparison.Ordinal);
            return trailing && !resolved.EndsWith(System.IO.Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                ? resolved + System.IO.Path.DirectorySeparatorChar
                : resolved;
        }

        private static bool IsLink(string path) => (new FileInfo(path).Attributes & FileAttributes.ReparsePoint) != 0 && new FileInfo(path).Exists;
    }
}
