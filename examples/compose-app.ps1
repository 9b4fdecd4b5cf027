# ContainerTools and compose files: bring up the app in compose-app/ (an image built from its Dockerfile, a
# service that waits for a healthy one, a named volume, two networks), talk to it, then remove every trace.
$ErrorActionPreference = 'Stop'
$file = Join-Path $PSScriptRoot 'compose-app' 'compose.yaml'
$project = 'compose-app-' + [guid]::NewGuid().ToString('N').Substring(0, 6)

function Get-Page([string] $Url) {
    $client = [System.Net.Http.HttpClient]::new()
    try {
        foreach ($attempt in 1..50) {
            try { return $client.GetStringAsync($Url).GetAwaiter().GetResult().Trim() }
            catch { [System.Threading.Thread]::Sleep(100) }
        }
        throw "Nothing answered at $Url."
    }
    finally { $client.Dispose() }
}

try {
    # The model first, as docker compose config would show it.
    Get-ContainerProject -Path $file -ProjectName $project | Select-Object -ExpandProperty Services | Format-Table

    # Up: the web image is built (it is missing), the store is started and waited for, then web.
    $containers = Start-ContainerProject -Path $file -ProjectName $project -PassThru
    $containers | Format-Table

    $web = $containers | Where-Object Name -eq "$project-web-1"
    $port = ($web.Ports | Where-Object PrivatePort -eq 80).PublicPort
    "web says: $(Get-Page "http://127.0.0.1:$port/")"
    "the store says, through web: $(Get-Page "http://127.0.0.1:$port/cgi-bin/message")"

    # Again: everything is up to date, nothing changes.
    $again = Start-ContainerProject -Path $file -ProjectName $project -PassThru
    "unchanged on the second run: $(-not (Compare-Object $containers.Id $again.Id))"

    Get-ContainerProject -Name $project | Format-Table
}
finally {
    # down -v --rmi local: containers, networks, the volume and the built image.
    Remove-ContainerProject -ProjectName $project -Volumes -RemoveImages Local
}
"containers left: $(@(Get-Container -Label "com.docker.compose.project=$project").Count)"
"images left: $(@(Get-ContainerImage -Name "$project-*").Count)"
