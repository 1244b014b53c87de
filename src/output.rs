//! Standard output that a reader may close early: once the pipe is closed, the rest of the report
//! is dropped quietly, so `entra-perms audit … | head -n 1` still ends with the audit's exit code;
//! and text for a CI log, where no line may be read as a runner's command.

use std::io::{ErrorKind, Write};

/// A writer that stops writing, without failing, when its reader has gone.
pub struct UntilClosed<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> UntilClosed<W> {
    pub fn new(inner: W) -> UntilClosed<W> {
        UntilClosed {
            inner,
            closed: false,
        }
    }

    /// Whether the reader went away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn absorb(&mut self, r: std::io::Result<()>) -> std::io::Result<()> {
        match r {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl<W: Write> Write for UntilClosed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r)
    }
}

/// Whether to colour: `forced` is `--color always` (`Some(true)`) or `never` (`Some(false)`);
/// with `auto`, NO_COLOR (set, not empty) turns colour off, FORCE_COLOR or CLICOLOR_FORCE (set,
/// not `0`) on, and otherwise colour follows whether the output is a terminal.
pub fn use_color(
    forced: Option<bool>,
    terminal: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> bool {
    if let Some(f) = forced {
        return f;
    }
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    let forcing = |k: &str| env(k).is_some_and(|v| !v.is_empty() && v != "0");
    forcing("FORCE_COLOR") || forcing("CLICOLOR_FORCE") || terminal
}

/// A writer for text a CI runner reads as its log: each line passes [`crate::text::ci_inert`]
/// before it is written (a partial line waits for its end, or for [`CiInert::finish`]).
pub struct CiInert<'a> {
    inner: &'a mut dyn Write,
    line: Vec<u8>,
}

impl<'a> CiInert<'a> {
    pub fn new(inner: &'a mut dyn Write) -> CiInert<'a> {
        CiInert {
            inner,
            line: Vec::new(),
        }
    }

    fn emit(&mut self) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        self.inner
            .write_all(crate::text::ci_inert(&text).as_bytes())
    }

    /// Write the last line, if it had no line end.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.inner.flush()
    }
}

impl Write for CiInert<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(part);
            if part.ends_with(b"\n") {
                self.emit()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod colour_tests {
    use super::use_color;

    #[test]
    fn colour_follows_the_conventions() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(use_color(Some(true), false, &env(&[("NO_COLOR", "1")])));
        assert!(!use_color(Some(false), true, &env(&[])));
        assert!(!use_color(None, true, &env(&[("NO_COLOR", "1")])));
        assert!(use_color(None, true, &env(&[("NO_COLOR", "")])));
        assert!(use_color(None, false, &env(&[("FORCE_COLOR", "1")])));
        assert!(use_color(None, false, &env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!use_color(None, false, &env(&[("CLICOLOR_FORCE", "0")])));
        assert!(!use_color(None, false, &env(&[])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(ErrorKind::BrokenPipe.into())
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(ErrorKind::StorageFull.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_reader_ends_the_output_quietly_and_other_errors_stay_errors() {
        let mut out = UntilClosed::new(Closed);
        assert!(writeln!(out, "report").is_ok());
        assert!(out.closed());
        assert!(out.flush().is_ok());
        let mut full = UntilClosed::new(Full);
        assert!(writeln!(full, "report").is_err());
    }
}
