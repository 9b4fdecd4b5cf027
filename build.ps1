#Requires -Version 7.2
<#
.SYNOPSIS
    Build, test, try and package ContainerTools (for people with pwsh; build.sh does the same with bash).
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Quickstart', 'Bench', 'Package', 'Help')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:CONFIGURATION = $Configuration

switch ($Task) {
    'Package' {
        & dotnet build ./ContainerTools.slnx -c $Configuration -nologo
        if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
        # The module folder is publishable as is; Test-ModuleManifest checks what the Gallery will check.
        $manifest = Test-ModuleManifest ./out/ContainerTools/ContainerTools.psd1
        "Packaged $($manifest.Name) $($manifest.Version) in ./out/ContainerTools (Publish-Module -Path ./out/ContainerTools)"
    }
    'Quickstart' {
        if ($IsLinux) { & bash ./build.sh quickstart } else {
            & dotnet build ./ContainerTools.slnx -c $Configuration -nologo
            if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
            Import-Module ./out/ContainerTools/ContainerTools.psd1 -Force
            & ./examples/quickstart.ps1
        }
    }
    default { & bash ./build.sh $Task.ToLowerInvariant() }
}
if ($LASTEXITCODE) { exit $LASTEXITCODE }
