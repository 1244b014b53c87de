//! The command line's hint for a failure: which flag to look at. Modules below the command line
//! describe failures in their own terms; only here are they tied to flags.

use crate::graph::auth::SignInFailed;
use crate::graph::error::GraphError;

/// A hint naming the flags that bear on `e`, when any does.
pub fn hint(e: &anyhow::Error) -> Option<String> {
    // A sign-in failure is a context of the error (anyhow finds contexts by downcasting the error).
    if let Some(s) = e.downcast_ref::<SignInFailed>() {
        return Some(format!(
            "the sign-in is chosen with --auth (here {}); the tenant with --tenant or AZURE_TENANT_ID; see `entra-perms audit --help`",
            s.method
        ));
    }
    let graph = e
        .chain()
        .find_map(|c| c.downcast_ref::<GraphError>())
        .or_else(|| e.downcast_ref::<GraphError>())?;
    {
        match graph {
            GraphError::Deadline { secs, .. } | GraphError::SessionDeadline { secs } => Some(
                format!("if Microsoft Graph is only slow, raise --timeout (here {secs} s)"),
            ),
            GraphError::Transport { .. } => {
                Some("check --cloud and --graph-url (or ENTRA_PERMS_GRAPH_URL)".to_string())
            }
            GraphError::Status(s) => match s.status.as_u16() {
                401 => Some("check --cloud: the token must be for that cloud's Graph".to_string()),
                400 | 405 | 501 => Some("check --graph-url and --cloud".to_string()),
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_and_sign_ins_name_their_flags() {
        let e: anyhow::Error = GraphError::SessionDeadline { secs: 7 }.into();
        assert!(hint(&e.context("reading"))
            .unwrap()
            .contains("--timeout (here 7 s)"));
        let e = anyhow::anyhow!("AADSTS7000215").context(SignInFailed {
            method: "client-secret",
        });
        assert!(hint(&e).unwrap().contains("--auth (here client-secret)"));
        assert_eq!(hint(&anyhow::anyhow!("other")), None);
    }
}
