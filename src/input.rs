//! Files in and out, bounded and safe: every input is read through a size limit whatever kind of
//! path it is (a FIFO or a device is refused at once, `/dev/zero` never fills memory), and every
//! report is written beside its target and renamed over it — never over one of the run's inputs.

use crate::error::Error;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("it is not a regular file (a FIFO, a device or a directory); give a file{}", if *.0 { ", or - for standard input" } else { "" })]
    NotAFile(bool),
    #[error("it is larger than {0}")]
    TooLarge(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A size for people: bytes as KiB or MiB.
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / 1024 / 1024)
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Read at most `limit` bytes of `path`. `-` is standard input where `stdin_ok`; any other path
/// must be a regular file (after symlinks), checked before it is opened, so a FIFO cannot block
/// and a device cannot stream forever.
pub fn read_bounded(path: &Path, limit: u64, stdin_ok: bool) -> Result<Vec<u8>, ReadError> {
    if stdin_ok && path.as_os_str() == "-" {
        return take(std::io::stdin().lock(), limit);
    }
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(stdin_ok));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(size(limit)));
    }
    take(std::fs::File::open(path)?, limit)
}

fn take(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge(size(limit)));
    }
    Ok(buf)
}

/// The path a file name stands for once symlinks are followed (for a file that does not exist
/// yet: its resolved directory and its name).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Whether two paths name the same file, however spelled: the same resolved path, or (for files
/// that exist) the same device and inode, which catches hard links.
pub fn same_place(a: &Path, b: &Path) -> bool {
    if resolved(a).is_some_and(|ra| resolved(b).is_some_and(|rb| ra == rb)) {
        return true;
    }
    same_inode(a, b)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(ma), Ok(mb)) => ma.dev() == mb.dev() && ma.ino() == mb.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// Files the sign-in and TLS read from the environment (a certificate and its private key, a
/// federated token, a CA bundle): inputs no report may overwrite, though no flag names them.
fn environment_inputs() -> Vec<PathBuf> {
    [
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
        "SSL_CERT_FILE",
    ]
    .iter()
    .filter_map(std::env::var_os)
    .filter(|v| !v.is_empty())
    .map(PathBuf::from)
    .collect()
}

/// Write `doc` to `path` whole or not at all (see [`PartialFile`]).
pub fn write_atomically(path: &Path, inputs: &[&Path], doc: &[u8]) -> Result<(), Error> {
    let mut f = PartialFile::create(path, inputs)?;
    if let Some(file) = f.file.as_mut() {
        file.write_all(doc).map_err(|e| f.fail(e))?;
    }
    f.persist()
}

/// A report file being written: beside its target under a temporary name, renamed over the
/// target once complete (`persist`), so a failed run leaves no half-written report; a target
/// that is one of the run's inputs is refused. A device (`/dev/stdout`) is written in place.
pub struct PartialFile {
    target: PathBuf,
    shown: String,
    tmp: Option<PathBuf>,
    file: Option<std::fs::File>,
}

impl PartialFile {
    pub fn create(path: &Path, inputs: &[&Path]) -> Result<PartialFile, Error> {
        let shown = path.display().to_string();
        let target = resolved(path).ok_or_else(|| {
            Error::input(format!(
                "cannot write the output file {shown}: its folder does not exist"
            ))
        })?;
        let from_env = environment_inputs();
        let all = inputs
            .iter()
            .copied()
            .chain(from_env.iter().map(PathBuf::as_path));
        for input in all {
            if same_place(input, path) || resolved(input).is_some_and(|i| i == target) {
                return Err(Error::input(format!(
                    "the output file {shown} is the input file {}: writing the report there would destroy it; choose another output file",
                    input.display()
                )));
            }
        }
        let fail =
            |e: std::io::Error| Error::input(format!("cannot write the output file {shown}: {e}"));
        if std::fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(fail)?;
            return Ok(PartialFile {
                target,
                shown,
                tmp: None,
                file: Some(f),
            });
        }
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Created new (O_EXCL): a file or a planted symlink already at the name is never followed
        // or truncated; another name is tried instead, a bounded number of times.
        for attempt in 0..16u32 {
            let tmp = dir.join(format!(
                ".{name}.{}.{attempt}.entra-perms.tmp",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => {
                    return Ok(PartialFile {
                        target: target.clone(),
                        shown,
                        tmp: Some(tmp),
                        file: Some(f),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(fail(e)),
            }
        }
        Err(fail(std::io::Error::other(
            "16 temporary names beside it are taken",
        )))
    }

    fn fail(&self, e: std::io::Error) -> Error {
        Error::input(format!("cannot write the output file {}: {e}", self.shown))
    }

    /// Finish: the whole file in place of the target.
    pub fn persist(mut self) -> Result<(), Error> {
        let Some(mut f) = self.file.take() else {
            return Ok(());
        };
        let Some(tmp) = self.tmp.take() else {
            return f.flush().map_err(|e| self.fail(e));
        };
        let done = f
            .sync_all()
            .and_then(|()| std::fs::rename(&tmp, &self.target));
        if let Err(e) = done {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.fail(e));
        }
        Ok(())
    }
}

impl Write for PartialFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.file.as_mut() {
            Some(f) => f.write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), std::io::Write::flush)
    }
}

impl Drop for PartialFile {
    /// Never persisted: the half-written file goes.
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_for_files_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, b"hello").unwrap();
        assert_eq!(read_bounded(&f, 5, false).unwrap(), b"hello");
        assert!(matches!(
            read_bounded(&f, 4, false),
            Err(ReadError::TooLarge(_))
        ));
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 1024, false),
            Err(ReadError::NotAFile(false))
        ));
        assert!(matches!(
            read_bounded(dir.path(), 1024, true),
            Err(ReadError::NotAFile(true))
        ));
        assert!(matches!(
            read_bounded(&dir.path().join("none"), 10, false),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn output_never_replaces_an_input_and_is_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("s.json");
        std::fs::write(&input, b"input").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let e = write_atomically(&link, &[&input], b"report").unwrap_err();
        assert!(e.message().contains("is the input file"), "{e}");
        assert_eq!(std::fs::read(&input).unwrap(), b"input");

        let out = dir.path().join("r.json");
        write_atomically(&out, &[&input], b"report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"report");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty());
        let e = write_atomically(&dir.path().join("no/such/dir/r.json"), &[], b"x").unwrap_err();
        assert!(e.message().contains("cannot write"), "{e}");
    }
}

#[cfg(test)]
mod output_tests {
    use super::*;

    #[test]
    fn a_planted_symlink_at_the_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let planted = dir.path().join(format!(
            ".report.json.{}.0.entra-perms.tmp",
            std::process::id()
        ));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let target = dir.path().join("report.json");
        write_atomically(&target, &[], b"{}").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&target).unwrap(), b"{}");
    }

    #[test]
    fn the_same_file_is_recognised_however_it_is_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(&a, b"x").unwrap();
        let link = dir.path().join("hard.json");
        std::fs::hard_link(&a, &link).unwrap();
        assert!(same_place(&a, &dir.path().join(".").join("a.json")));
        assert!(same_place(&a, &link));
        assert!(!same_place(&a, &dir.path().join("b.json")));
        let e = write_atomically(&link, &[a.as_path()], b"y").unwrap_err();
        assert!(e.message().contains("is the input file"), "{e}");
        assert_eq!(std::fs::read(&a).unwrap(), b"x");
    }
}
