# ContainerTools quick start: run a web server in a container, talk to it, list it, stop it, remove it.
# Runs on any engine that has the busybox image (./build.sh quickstart builds one locally when needed).
$ErrorActionPreference = 'Stop'

# Which engine are we talking to? (DOCKER_HOST, the docker context, or Connect-ContainerEngine decide.)
Get-ContainerEngine | Format-List Address, ServerVersion, ApiVersion, OperatingSystem

# A web server: busybox httpd serving a page it writes itself, published on a free loopback port.
$name = 'quickstart-web-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
# -Init runs a tiny init as PID 1, so the server stops at once on Stop-Container.
$serve = 'mkdir -p /www && echo hello from ContainerTools > /www/index.html && exec httpd -f -p 80 -h /www'
$web = New-Container -Image busybox -Name $name -Command sh, -c, $serve `
    -Publish '127.0.0.1::80' -Init -Label @{ 'io.containertools.example' = 'quickstart' } -Start
try {
    # Ports are typed objects: no text to parse to find where the engine published it.
    $port = $web.Ports | Where-Object PrivatePort -eq 80
    $url = "http://127.0.0.1:$($port.PublicPort)/"
    $client = [System.Net.Http.HttpClient]::new()
    $page = $null
    foreach ($attempt in 1..50) {
        try { $page = $client.GetStringAsync($url).GetAwaiter().GetResult(); break }
        catch { [System.Threading.Thread]::Sleep(100) }
    }
    $client.Dispose()
    if (-not $page) { throw "The web server at $url did not answer." }
    "The web server at $url says: $($page.Trim())"

    # List it like docker ps does, then stop it: objects flow down the pipeline.
    Get-Container -Name 'quickstart-web-*' | Format-Table
    Get-Container -Name $name | Stop-Container -PassThru | Format-Table Name, State, Status

    # A one-shot command: output lines and the exit code come back on the result.
    $run = Invoke-ContainerImage -Image busybox -Command sh, -c, 'echo hello from a container; exit 3'
    "Exit code $($run.ExitCode), said: $($run.Output)"
}
finally {
    Remove-Container -Name $name -Force
}
"Removed $name; containers left from this example: $(@(Get-Container -Label io.containertools.example=quickstart).Count)"
