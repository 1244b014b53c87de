# Install a pinned entra-perms release on Windows: the x86_64 binary from the GitHub release, its
# SHA-256 checked against the release's SHA256SUMS before anything is installed.
#
#   $env:ENTRA_PERMS_VERSION = '0.1.0'; ./install.ps1      (installs into $HOME\.entra-perms\bin)
#
# ENTRA_PERMS_DEST changes the folder; ENTRA_PERMS_BASE_URL replaces the download address (a mirror).
$ErrorActionPreference = 'Stop'
$version = $env:ENTRA_PERMS_VERSION
if (-not $version) { throw 'Set ENTRA_PERMS_VERSION to the release to install (e.g. 0.1.0).' }
$repo = if ($env:ENTRA_PERMS_REPO) { $env:ENTRA_PERMS_REPO } else { 'entra-perms/entra-perms' }
$base = if ($env:ENTRA_PERMS_BASE_URL) { $env:ENTRA_PERMS_BASE_URL } else { "https://github.com/$repo/releases/download/v$version" }
$dest = if ($env:ENTRA_PERMS_DEST) { $env:ENTRA_PERMS_DEST } else { Join-Path $HOME '.entra-perms\bin' }
$archive = "entra-perms-$version-x86_64-pc-windows-msvc.zip"
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("entra-perms-" + [guid]::NewGuid())
New-Item -ItemType Directory -Force -Path $work, $dest | Out-Null
try {
    $zip = Join-Path $work $archive
    Invoke-WebRequest -UseBasicParsing -TimeoutSec 300 -Uri "$base/$archive" -OutFile $zip
    Invoke-WebRequest -UseBasicParsing -TimeoutSec 300 -Uri "$base/SHA256SUMS" -OutFile (Join-Path $work 'SHA256SUMS')
    $line = Get-Content (Join-Path $work 'SHA256SUMS') | Where-Object { $_ -match " \*?$([regex]::Escape($archive))$" } | Select-Object -First 1
    if (-not $line) { throw "SHA256SUMS of v$version has no line for $archive" }
    $expected = ($line -split ' ')[0].ToLower()
    $actual = (Get-FileHash -Algorithm SHA256 $zip).Hash.ToLower()
    if ($expected -ne $actual) { throw "Checksum mismatch for $archive (SHA256SUMS says $expected, the download is $actual); nothing installed" }
    Expand-Archive -Force -Path $zip -DestinationPath (Join-Path $work 'x')
    Move-Item -Force (Join-Path $work 'x\entra-perms.exe') (Join-Path $dest 'entra-perms.exe')
} finally {
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
& (Join-Path $dest 'entra-perms.exe') --version
if (-not (($env:PATH -split ';') -contains $dest)) {
    Write-Host "Installed into $dest; add it to PATH:  `$env:PATH = `"$dest;`$env:PATH`""
}
