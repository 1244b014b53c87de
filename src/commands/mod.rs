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
        let mut w = LineScrub::new(std::io::BufWriter::new(to));
        render(&mut w).context("cannot write the report")?;
        w.finish()?.flush()?;
        Ok(())
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

/// A writer passing whole lines on, each scrubbed of secrets; a line longer than
/// [`LineScrub::MAX_LINE`] is passed on in parts, cut at a character's boundary.
struct LineScrub<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> LineScrub<W> {
    const MAX_LINE: usize = 8 * 1024 * 1024;

    fn new(inner: W) -> LineScrub<W> {
        LineScrub {
            inner,
            pending: Vec::new(),
        }
    }

    fn pass(&mut self, upto: usize) -> std::io::Result<()> {
        let rest = self.pending.split_off(upto);
        let line = std::mem::replace(&mut self.pending, rest);
        self.inner.write_all(&scrubbed(line))
    }

    /// Everything written, passed on; the writer underneath.
    fn finish(mut self) -> std::io::Result<W> {
        let all = self.pending.len();
        self.pass(all)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for LineScrub<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|b| *b == b'\n') {
            self.pass(last + 1)?;
        } else if self.pending.len() > Self::MAX_LINE {
            // Cut where a character starts (never before a UTF-8 continuation byte); the last
            // character, perhaps not all written yet, waits.
            let mut at = self.pending.len() - 1;
            while at > 0 && (self.pending[at] & 0xC0) == 0x80 {
                at -= 1;
            }
            let at = if at == 0 { self.pending.len() } else { at };
            self.pass(at)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
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
