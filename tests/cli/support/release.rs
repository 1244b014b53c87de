//! A release folder on disk, made by the release workflow's own packaging scripts from this build:
//! what the installers and the CI recipes install from through `ENTRA_PERMS_BASE_URL`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The release target install.sh picks on this machine.
pub(crate) fn host_target() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    }
}

pub(crate) struct Release {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) archive: PathBuf,
}

/// A release folder as the release workflow publishes it, holding this build of the binary as
/// `version`: its archive, both installers and SHA256SUMS.
pub(crate) fn release_of(version: &str) -> Release {
    let dir = tempfile::tempdir().unwrap();
    #[allow(deprecated)]
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let out = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .args([host_target(), version])
        .arg(dir.path())
        .arg(&bin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let archive = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    assert_eq!(
        archive.file_name().unwrap().to_str().unwrap(),
        format!("entra-perms-{version}-{}.tar.gz", host_target())
    );
    for installer in ["install.sh", "install.ps1"] {
        std::fs::copy(root().join(installer), dir.path().join(installer)).unwrap();
    }
    let out = Command::new("bash")
        .arg(root().join("scripts/checksums.sh"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Release { dir, archive }
}
