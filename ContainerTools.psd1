@{
    # The module's source of truth. The build copies it into out/ContainerTools and stamps ModuleVersion
    # from Directory.Build.props; the tests check that CmdletsToExport equals the cmdlets the DLL defines.
    RootModule             = 'ContainerTools.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core', 'Desktop')
    GUID                   = 'b4a8f7e2-5d0c-4f55-9a51-3c7e2f6d8a10'
    Author                 = 'ContainerTools contributors'
    CompanyName            = 'ContainerTools contributors'
    Copyright              = '(c) ContainerTools contributors. MIT License.'
    Description            = 'Manage Docker-compatible container engines from PowerShell with typed objects: containers, images, networks, volumes, builds, registries, compose projects and swarm services, on local, remote and managed engines.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('ContainerTools.Format.ps1xml')
    CmdletsToExport        = @(
        'Get-ContainerEngine'
        'Connect-ContainerEngine'
        'Disconnect-ContainerEngine'
        'Get-Container'
        'New-Container'
        'Invoke-ContainerImage'
        'Start-Container'
        'Stop-Container'
        'Restart-Container'
        'Suspend-Container'
        'Resume-Container'
        'Remove-Container'
        'Wait-Container'
        'Rename-Container'
        'Set-Container'
        'Get-ContainerImage'
        'Add-ContainerImageTag'
        'Remove-ContainerImage'
        'Get-ContainerImageHistory'
        'New-ContainerImage'
        'Install-ContainerImage'
        'Publish-ContainerImage'
        'Connect-ContainerRegistry'
        'Disconnect-ContainerRegistry'
        'Export-ContainerImage'
        'Import-ContainerImage'
        'Find-ContainerImage'
        'Get-ContainerNetwork'
        'New-ContainerNetwork'
        'Remove-ContainerNetwork'
        'Connect-ContainerNetwork'
        'Disconnect-ContainerNetwork'
        'Get-ContainerVolume'
        'New-ContainerVolume'
        'Remove-ContainerVolume'
        'Get-ContainerDiskUsage'
        'Get-ContainerStatistics'
        'Get-ContainerProcess'
        'Get-ContainerChange'
        'Export-Container'
        'Copy-ContainerItem'
        'Invoke-ContainerCommand'
        'Enter-Container'
        'Get-ContainerLog'
        'Get-ContainerEvent'
        'Get-ContainerProject'
        'Start-ContainerProject'
        'Stop-ContainerProject'
        'Remove-ContainerProject'
        'New-ContainerMachine'
        'Start-ContainerMachine'
        'Stop-ContainerMachine'
        'Remove-ContainerMachine'
        'Get-ContainerMachine'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('docker', 'container', 'containers', 'podman', 'compose', 'swarm', 'devops', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'Foundation: engine connections (unix, npipe, tcp, TLS, DOCKER_HOST, docker contexts) and the container lifecycle.'
        }
    }
}
