//! One file per command, each `run(config, out) -> Result<Outcome>` over a validated config, and
//! what they share: writing a report, the async runtime, and the command line's hints on errors.

pub mod audit;
pub mod diff_matrix;
pub mod explain;
pub mod inventory;
pub mod manual;
pub mod matrix;
pub mod plan;
pub mod snapshot;

mod hint;
mod progress;

pub use hint::hint;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::{input, redact};

/// Write a report to `path`, or to `out`. The report is rendered whole first, with any secret a
/// server echoed into it redacted. A file is written beside its target and renamed over it, so a
/// failed run leaves no half-written report; a target that is one of the run's inputs is refused
/// (exit 2).
pub(crate) fn write_report(
    path: Option<&Path>,
    inputs: &[&Path],
    out: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    render(&mut buf).context("cannot render the report")?;
    let doc = scrubbed(buf);
    match path {
        None => Ok(out.write_all(&doc)?),
        Some(path) => Ok(input::write_atomically(path, inputs, &doc)?),
    }
}

/// Write a report of any length to `path`, or to `out`, as it is rendered: a line at a time, each
/// with any secret a server echoed into it redacted (the streamed multi-tenant documents, whose
/// every tenant was already scrubbed as it finished). A file is written beside its target and
/// renamed over it once complete, as [`write_report`] does.
pub(crate) fn write_streamed(
    path: Option<&Path>,
    inputs: &[&Path],
    out: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let scrubbed = |to: &mut dyn Write| -> Result<()> {
        let mut w = redact::RedactingWriter::new(std::io::BufWriter::new(to));
        render(&mut w).context("cannot write the report")?;
        Ok(w.flush()?)
    };
    match path {
        None => scrubbed(out),
        Some(path) => {
            let mut file = input::PartialFile::create(path, inputs)?;
            scrubbed(&mut file)?;
            Ok(file.persist()?)
        }
    }
}

/// A rendered report with any secret a server echoed into it redacted.
pub(crate) fn scrubbed(buf: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&buf);
    if redact::contains_secret(&text) {
        redact::redact(&text).into_bytes()
    } else {
        buf
    }
}
