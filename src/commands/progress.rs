//! Progress of an audit of many tenants, on stderr: a bar with done, failed, throttled answers
//! waited out and the time left on a terminal; elsewhere (a CI log) one line at every tenth of
//! the way.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub(super) struct Progress {
    total: usize,
    done: usize,
    /// Tenants audited with gaps, and tenants that could not be audited.
    failed: usize,
    errors: usize,
    started: Instant,
    bar: Option<indicatif::ProgressBar>,
    /// The last tenth a line was written for.
    tenth: usize,
}

impl Progress {
    pub(super) fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} tenants · {msg} · {elapsed} elapsed, about {eta} left",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("0 failed · 0 not audited · 0 throttled");
            bar
        });
        Progress {
            total,
            done: 0,
            failed: 0,
            errors: 0,
            started: Instant::now(),
            bar,
            tenth: 0,
        }
    }

    /// One tenant finished, with the code it alone would exit with.
    pub(super) fn done(&mut self, exit: crate::exit::Exit) {
        self.done += 1;
        match exit {
            crate::exit::Exit::Success => {}
            crate::exit::Exit::Gaps => self.failed += 1,
            _ => self.errors += 1,
        }
        let throttled = crate::graph::retry::throttled();
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} failed · {} not audited · {throttled} throttled",
                self.failed, self.errors
            ));
            bar.inc(1);
            return;
        }
        let tenth = self.done * 10 / self.total.max(1);
        if tenth > self.tenth {
            self.tenth = tenth;
            let elapsed = self.started.elapsed().as_secs_f64();
            let left = elapsed / self.done as f64 * (self.total - self.done) as f64;
            // A CI log's line: a failed write to stderr has nowhere to be told.
            let _ = writeln!(
                std::io::stderr(),
                "entra-perms: {}/{} tenants ({}%), {} failed, {} could not be audited, {throttled} throttled answer{} waited out, {:.0} s elapsed, about {:.0} s left",
                self.done,
                self.total,
                self.done * 100 / self.total.max(1),
                self.failed,
                self.errors,
                if throttled == 1 { "" } else { "s" },
                elapsed,
                left
            );
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
