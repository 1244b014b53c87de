//! What kind of failure an error is — the user's input (exit 2) or a run that could not complete
//! (exit 3) — carried by the error itself, as rustsec's `Error { kind }` does.
//!
//! Every loader of user input (arguments, matrices, snapshots, baselines, tenants files, tokens
//! given) returns an [`Error`] of kind [`Kind::Input`]; anything else that fails means the run
//! could not complete. `exit.rs` reads the kind through [`kind_of`] and never inspects types.

/// The kinds of failure, each with its exit code in `exit.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What the user gave us is wrong: arguments, a file, a query.
    Input,
    /// The run could not complete: sign-in, network, Graph, a deadline.
    Incomplete,
}

/// An error that says which kind of failure it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: Kind,
    message: String,
}

impl Error {
    /// An error in what the user gave us.
    pub fn input(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Input,
            message: message.into(),
        }
    }

    /// A run that could not complete, said as such.
    pub fn incomplete(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Incomplete,
            message: message.into(),
        }
    }

    /// The same error, its message led by `prefix` (where it came from); the kind is kept.
    pub fn prefixed(self, prefix: &str) -> Error {
        Error {
            kind: self.kind,
            message: format!("{prefix}: {}", self.message),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The kind of a failed run: the kind said by the innermost error that says one (the cause, which
/// knows best), else [`Kind::Incomplete`] — an unclassified failure never passes for bad input.
pub fn kind_of(e: &anyhow::Error) -> Kind {
    e.chain()
        .filter_map(|c| c.downcast_ref::<Error>())
        .last()
        // One given as context is found by anyhow's own downcast.
        .or_else(|| e.downcast_ref::<Error>())
        .map_or(Kind::Incomplete, Error::kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::anyhow;

    #[test]
    fn the_kind_is_read_from_the_chain_innermost_first() {
        let input: anyhow::Error = Error::input("bad file").into();
        assert_eq!(kind_of(&input.context("while loading")), Kind::Input);
        assert_eq!(kind_of(&anyhow!("network down")), Kind::Incomplete);
        let both = anyhow::Error::from(Error::input("bad"))
            .context(Error::incomplete("outer says otherwise"));
        assert_eq!(kind_of(&both), Kind::Input);
        let as_context = anyhow!("no such file").context(Error::input("cannot read the matrix"));
        assert_eq!(kind_of(&as_context), Kind::Input);
    }
}
