//! The release installer (install.sh) and packaging (scripts/package.sh, scripts/checksums.sh),
//! run on a release folder served from disk: a verified install, a tampered archive refused, and a
//! release without this machine's archive falling back to building from source.

use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = "9.9.9";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

use crate::support::release::{host_target, release_of, Release};

fn release() -> Release {
    release_of(VERSION)
}

struct Installed {
    code: i32,
    stdout: String,
    stderr: String,
    dest: PathBuf,
    github_path: String,
    _home: tempfile::TempDir,
}

fn install(release: &Path, path: Option<&Path>) -> Installed {
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("bin");
    let github_path = home.path().join("github_path");
    let mut search = std::env::var("PATH").unwrap_or_default();
    if let Some(dir) = path {
        search = format!("{}:{search}", dir.display());
    }
    let out = Command::new("bash")
        .arg(root().join("install.sh"))
        .env_clear()
        .env("PATH", search)
        .env("HOME", home.path())
        .env("ENTRA_PERMS_VERSION", VERSION)
        .env(
            "ENTRA_PERMS_BASE_URL",
            format!("file://{}", release.display()),
        )
        .env("ENTRA_PERMS_DEST", &dest)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    Installed {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        github_path: std::fs::read_to_string(&github_path).unwrap_or_default(),
        dest,
        _home: home,
    }
}

#[test]
fn the_installer_verifies_the_checksum_and_installs_the_binary() {
    let release = release();
    let sums = std::fs::read_to_string(release.dir.path().join("SHA256SUMS")).unwrap();
    for name in [
        "install.sh",
        "install.ps1",
        &format!("entra-perms-{VERSION}-"),
    ] {
        assert!(sums.contains(name), "{sums}");
    }
    let run = install(release.dir.path(), None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("entra-perms {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.stdout
    );
    assert_eq!(run.github_path.trim(), run.dest.display().to_string());
    // Only the binary lands in the folder, and it runs.
    let entries: Vec<_> = std::fs::read_dir(&run.dest)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(entries, ["entra-perms"]);
    let audit = Command::new(run.dest.join("entra-perms"))
        .args(["audit", "--from"])
        .arg(root().join("examples/all-granted.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(0));
    assert_eq!(
        crate::support::json(&String::from_utf8_lossy(&audit.stdout))["passed"],
        true
    );
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let release = release();
    let mut bytes = std::fs::read(&release.archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&release.archive, bytes).unwrap();
    let run = install(release.dir.path(), None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("::error title=entra-perms install::checksum mismatch for entra-perms-"),
        "{}",
        run.stdout
    );
    assert!(!run.dest.join("entra-perms").exists());
    assert!(run.github_path.is_empty());
}

#[test]
fn a_release_without_this_machines_archive_builds_from_source() {
    let release = release();
    std::fs::remove_file(&release.archive).unwrap();
    let sums = release.dir.path().join("SHA256SUMS");
    let kept: String = std::fs::read_to_string(&sums)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("entra-perms-"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&sums, kept).unwrap();
    // A cargo that records how it was called, in place of building from GitHub.
    let tools = tempfile::tempdir().unwrap();
    let called = tools.path().join("called");
    let cargo = tools.path().join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nmkdir -p \"$4/bin\"\nprintf '#!/bin/sh\\necho entra-perms {VERSION}\\n' > \"$4/bin/entra-perms\"\nchmod +x \"$4/bin/entra-perms\"\n",
            called.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = install(release.dir.path(), Some(tools.path()));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "Release v{VERSION} has no entra-perms-{VERSION}-{}.tar.gz: building entra-perms {VERSION} from source",
            host_target()
        )),
        "{}",
        run.stderr
    );
    let args = std::fs::read_to_string(&called).unwrap();
    assert_eq!(
        args.trim(),
        format!(
            "install --locked --root {} --git https://github.com/entra-perms/entra-perms --tag v{VERSION} entra-perms",
            run.dest.display()
        )
    );
    assert_eq!(
        run.github_path.trim(),
        run.dest.join("bin").display().to_string()
    );
}
