# A runbook step that can run any number of times: make sure a named service container exists and runs,
# then report it. No prompts, no text parsing; every verb is idempotent, so a re-run changes nothing.
param(
    [string] $Name = 'runbook-cache-' + [guid]::NewGuid().ToString('N').Substring(0, 6),
    [string] $Image = 'busybox'
)
$ErrorActionPreference = 'Stop'

function Set-ServiceContainer {
    param([string] $Name, [string] $Image)
    # -ErrorAction Ignore: "not there yet" is an expected answer here, not a failure.
    $existing = Get-Container -Name $Name -ErrorAction Ignore
    if (-not $existing) {
        New-Container -Image $Image -Name $Name -Command sleep, 3600 -Init -RestartPolicy UnlessStopped `
            -Label @{ 'io.containertools.example' = 'runbook' } -Start
    }
    else {
        # Starting a running container is no error: no need to look at its state first.
        $existing | Start-Container -PassThru
    }
}

try {
    $first = Set-ServiceContainer -Name $Name -Image $Image
    $second = Set-ServiceContainer -Name $Name -Image $Image      # the re-run: same container, still running
    if ($first.Id -ne $second.Id) { throw 'The second run created another container.' }
    "Run 1 and run 2 left one container: $($second.Name) ($($second.State))"

    # Stop it as another runbook might, and converge again.
    Stop-Container -Name $Name -Timeout 1
    $third = Set-ServiceContainer -Name $Name -Image $Image
    "After a stop, the runbook brought it back: $($third.State)"
}
finally {
    Remove-Container -Name $Name -Force       # no error if it is already gone
    Remove-Container -Name $Name -Force
}
"Left behind: $(@(Get-Container -Label io.containertools.example=runbook | Where-Object Name -eq $Name).Count)"
