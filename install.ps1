# Install a pinned entra-perms release on Windows: the x86_64 binary from the GitHub release, its
# SHA-256 checked against the release's SHA256SUMS.
#
#   $env:ENTRA_PERMS_VERSION = '0.1.0'; ./install.ps1      (installs into $HOME\.entra-perms\bin)
$ErrorActionPreference = 'Stop'
$version = $env:ENTRA_PERMS_VERSION
if (-not $version) { throw 'Set ENTRA_PERMS_VERSION to the release to install (e.g. 0.1.0).' }
$repo = if ($env:ENTRA_PERMS_REPO) { $env:ENTRA_PERMS_REPO } else { 'entra-perms/entra-perms' }
$dest = if ($env:ENTRA_PERMS_DEST) { $env:ENTRA_PERMS_DEST } else { Join-Path $HOME '.entra-perms\bin' }
$archive = "entra-perms-$version-x86_64-pc-windows-msvc.zip"
$base = "https://github.com/$repo/releases/download/v$version"
New-Item -ItemType Directory -Force -Path $dest | Out-Null
$zip = Join-Path $dest $archive
Invoke-WebRequest -Uri "$base/$archive" -OutFile $zip
$sums = (Invoke-WebRequest -Uri "$base/SHA256SUMS").Content
$expected = ($sums -split "`n" | Where-Object { $_ -match " $([regex]::Escape($archive))$" }) -replace ' .*', ''
$actual = (Get-FileHash -Algorithm SHA256 $zip).Hash.ToLower()
if (-not $expected -or $expected.Trim().ToLower() -ne $actual) { throw "Checksum mismatch for $archive" }
Expand-Archive -Force -Path $zip -DestinationPath $dest
Remove-Item $zip
& (Join-Path $dest 'entra-perms.exe') --version
Write-Host "Installed into $dest: add it to PATH."
