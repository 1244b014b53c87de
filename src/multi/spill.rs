//! Many tenants' results on disk: each tenant's result (an audit's, an inventory's) written as one
//! JSON line to a private temporary file as it finishes (in completion order) and read back one
//! at a time in the tenants file's order, so that the documents of 10,000 tenants are written
//! without holding their reports in memory. The file is removed when the spill is dropped.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{MultiSummary, TenantResult, TenantResults};

/// The largest one tenant's result may be on disk (a report is tens of kilobytes).
const MAX_RESULT_BYTES: u64 = 64 * 1024 * 1024;

pub struct Spill<T = TenantResult> {
    path: PathBuf,
    writer: Mutex<BufWriter<File>>,
    /// Where each tenant's line is, by its place in the tenants file.
    spans: Vec<Option<(u64, u64)>>,
    end: u64,
    /// The sums of the audits pushed (for `TenantResults`).
    summary: MultiSummary,
    kind: PhantomData<T>,
}

impl<T: Serialize + DeserializeOwned> Spill<T> {
    /// A new, empty spill for `tenants` results, in the system's temporary folder.
    pub fn create(tenants: usize) -> std::io::Result<Spill<T>> {
        let dir = std::env::temp_dir();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for attempt in 0..16u32 {
            let path = dir.join(format!(
                "entra-perms-{}-{stamp}-{attempt}.spill",
                std::process::id()
            ));
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // The reports are the tenant's business: readable by this user alone.
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Spill {
                        path,
                        writer: Mutex::new(BufWriter::new(file)),
                        spans: vec![None; tenants],
                        end: 0,
                        summary: MultiSummary::default(),
                        kind: PhantomData,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(
            "16 temporary names for the tenants' results are taken",
        ))
    }

    /// Keep the result of the tenant at `index` in the tenants file.
    pub fn push(&mut self, index: usize, result: &T) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(result).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let slot = self
            .spans
            .get_mut(index)
            .ok_or_else(|| std::io::Error::other("a tenant beyond the tenants file"))?;
        self.writer
            .get_mut()
            .map_err(|_| std::io::Error::other("the spill is poisoned"))?
            .write_all(&line)?;
        *slot = Some((self.end, line.len() as u64));
        self.end += line.len() as u64;
        Ok(())
    }

    /// Hand each result kept to `f`, in the tenants file's order; the first error stops.
    pub fn each_kept(&self, f: &mut dyn FnMut(&T) -> std::io::Result<()>) -> std::io::Result<()> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| std::io::Error::other("the spill is poisoned"))?;
        writer.flush()?;
        let file = writer.get_mut();
        let mut buf = Vec::new();
        for &(at, len) in self.spans.iter().flatten() {
            if len > MAX_RESULT_BYTES {
                return Err(std::io::Error::other(format!(
                    "a tenant's result is larger than {} MiB",
                    MAX_RESULT_BYTES / 1024 / 1024
                )));
            }
            file.seek(SeekFrom::Start(at))?;
            buf.clear();
            (&mut *file).take(len).read_to_end(&mut buf)?;
            let result: T = serde_json::from_slice(&buf).map_err(std::io::Error::other)?;
            f(&result)?;
        }
        // Later writes go to the end again.
        file.seek(SeekFrom::End(0))?;
        Ok(())
    }
}

impl Spill<TenantResult> {
    /// Keep an audit's result, and count it.
    pub fn push_audit(&mut self, index: usize, result: &TenantResult) -> std::io::Result<()> {
        self.push(index, result)?;
        self.summary.add(result);
        Ok(())
    }
}

impl TenantResults for Spill<TenantResult> {
    fn summary(&self) -> &MultiSummary {
        &self.summary
    }

    fn each(&self, f: &mut dyn FnMut(&TenantResult) -> std::io::Result<()>) -> std::io::Result<()> {
        self.each_kept(f)
    }
}

impl<T> Drop for Spill<T> {
    fn drop(&mut self) {
        // A temporary file; nothing is left to tell if it cannot be removed.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    fn result(tenant: &str, exit: Exit) -> TenantResult {
        TenantResult {
            tenant: tenant.into(),
            exit,
            report: None,
            error: Some(format!("{tenant} could not be read")),
        }
    }

    #[test]
    fn results_come_back_in_the_files_order_as_often_as_asked_and_the_file_goes() {
        let mut spill = Spill::create(3).unwrap();
        spill
            .push_audit(2, &result("c.example", Exit::Incomplete))
            .unwrap();
        spill
            .push_audit(0, &result("a.example", Exit::Incomplete))
            .unwrap();
        spill
            .push_audit(1, &result("b.example", Exit::Incomplete))
            .unwrap();
        for _ in 0..2 {
            let mut seen = Vec::new();
            spill
                .each(&mut |t| {
                    seen.push(t.tenant.clone());
                    Ok(())
                })
                .unwrap();
            assert_eq!(seen, ["a.example", "b.example", "c.example"]);
        }
        assert_eq!(spill.summary().errors, 3);
        assert!(spill
            .push_audit(3, &result("d.example", Exit::Success))
            .is_err());
        let path = spill.path.clone();
        assert!(path.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "private to this user");
        }
        drop(spill);
        assert!(!path.exists());
    }
}
