//! What went wrong talking to Microsoft Graph, in words that say what to do: a permission to
//! grant only for 401/403, never for a malformed request; server text cleaned before it is shown.

use reqwest::StatusCode;

use crate::graph::wire::ErrorEnvelope;

/// What a request reads, and the permission the auditing identity needs for it: the words of
/// the error message when Graph says no.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub what: &'static str,
    /// The least-privileged permission for the read (Graph's reference page), with its broader
    /// alternatives.
    pub needs: &'static str,
    /// An advanced query (an OData cast on a transitive relationship, `$count`): Graph requires
    /// the header `ConsistencyLevel: eventual` and `$count=true`.
    pub advanced: bool,
}

/// A request to Microsoft Graph that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Status(Box<StatusError>),
    #[error("cannot reach Microsoft Graph for {what} (GET {path}): {detail}. Check the network, the proxy (HTTPS_PROXY, NO_PROXY), the CA certificates (SSL_CERT_FILE), the cloud and the Graph URL")]
    Transport {
        what: &'static str,
        path: String,
        detail: String,
    },
    #[error("Microsoft Graph kept throttling the request for {what} (GET {path}) after {attempts} attempts; run the audit again later")]
    Throttled {
        what: &'static str,
        path: String,
        attempts: u32,
    },
    #[error("refusing to follow a paging link to another host ({link_host}) while reading {what}: the token is only ever sent to {graph_host}")]
    ForeignNextLink {
        what: &'static str,
        link_host: String,
        graph_host: String,
    },
    #[error(
        "Microsoft Graph sent a response that could not be read for {what} (GET {path}): {detail}"
    )]
    Decode {
        what: &'static str,
        path: String,
        detail: String,
    },
    #[error("stopped reading {what}: {detail}; Microsoft Graph or a proxy in between is misbehaving, so the audit cannot be trusted")]
    Paging { what: &'static str, detail: String },
    #[error("the audit did not finish within its deadline of {secs} s while reading {what} (GET {path}); Microsoft Graph is slow or not answering: run again later")]
    Deadline {
        what: &'static str,
        path: String,
        secs: u64,
    },
    #[error("the audit did not finish within its deadline of {secs} s: the sign-in or Microsoft Graph is slow or not answering; run again later")]
    SessionDeadline { secs: u64 },
}

/// Graph answered with an error status.
#[derive(Debug)]
pub struct StatusError {
    pub status: StatusCode,
    /// Graph's `error.code`, e.g. `Authorization_RequestDenied`.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub path: String,
    pub call: Call,
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&status_message(self))
    }
}

fn status_message(e: &StatusError) -> String {
    let StatusError {
        status,
        code,
        message,
        request_id,
        path,
        call,
    } = e;
    let mut s = format!(
        "Microsoft Graph answered {} to GET {path} ({})",
        status.as_u16(),
        call.what
    );
    if !code.is_empty() || !message.is_empty() {
        s.push_str(&format!(": {code}: {}", message.trim()));
    }
    if let Some(id) = request_id {
        s.push_str(&format!(" [request-id {id}]"));
    }
    let hint = match status.as_u16() {
        401 => "the token was refused (expired, malformed, or issued for another cloud or audience): sign in again, and check the cloud".to_string(),
        403 => format!(
            "the auditing identity may not read {}: grant it {} (with admin consent) and run again",
            call.what, call.needs
        ),
        404 => "it does not exist in this tenant".to_string(),
        400 | 405 | 501 => "Graph refused the request itself (malformed or unsupported), which no permission changes: check the Graph URL and the cloud, and report it with the request id".to_string(),
        _ => String::new(),
    };
    if !hint.is_empty() {
        s.push_str(&format!(". Hint: {hint}"));
    }
    s
}

impl GraphError {
    /// The HTTP status, when Graph answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            GraphError::Status(e) => Some(e.status),
            _ => None,
        }
    }

    /// Whether Graph refused the auditing identity (401/403): the only answers that call for
    /// granting it something.
    pub fn is_denied(&self) -> bool {
        matches!(self.status().map(|s| s.as_u16()), Some(401 | 403))
    }

    /// Graph's own words for a refused request: status, code and message, without advice.
    pub fn graph_words(&self) -> String {
        match self {
            GraphError::Status(e) => {
                let mut s = format!("{} to GET {}", e.status.as_u16(), e.path);
                if !e.code.is_empty() || !e.message.is_empty() {
                    s.push_str(&format!(": {}: {}", e.code, e.message.trim()));
                }
                s
            }
            other => other.to_string(),
        }
    }
}

/// A network failure, described by its innermost cause (reqwest's outer message only repeats
/// the URL).
pub(crate) fn transport_error(call: Call, path: &str, e: &reqwest::Error) -> GraphError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        detail = format!("timed out ({detail})");
    }
    GraphError::Transport {
        what: call.what,
        path: path.to_string(),
        detail: clean(&detail, 500),
    }
}

/// Text from a server, made safe to print: known secrets redacted, control characters and
/// line breaks escaped, at most `max` characters.
pub(crate) fn clean(s: &str, max: usize) -> String {
    // Redacted whole before it is cut: a secret cut in two would no longer be recognised.
    let s: String = crate::redact::redact(s).chars().take(max).collect();
    crate::text::escape_controls(&s)
}

pub(crate) fn status_error(
    status: StatusCode,
    body: &[u8],
    header_request_id: Option<String>,
    path: &str,
    call: Call,
) -> GraphError {
    let (code, message, request_id) = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(env) => (
            clean(&env.error.code, 100),
            clean(&env.error.message, 500),
            env.error
                .inner_error
                .and_then(|i| i.request_id)
                .map(|id| clean(&id, 100))
                .or(header_request_id),
        ),
        Err(_) => (
            String::new(),
            clean(&String::from_utf8_lossy(body), 200),
            header_request_id,
        ),
    };
    GraphError::Status(Box::new(StatusError {
        status,
        code,
        message,
        request_id,
        path: path.to_string(),
        call,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_request_never_asks_for_a_permission() {
        let body = br#"{"error":{"code":"Request_UnsupportedQuery","message":"Request with $count=true must have ConsistencyLevel:eventual."}}"#;
        let call = Call {
            what: "roles",
            needs: "RoleManagement.Read.Directory",
            advanced: true,
        };
        let e = status_error(StatusCode::BAD_REQUEST, body, None, "/v1.0/x", call);
        let s = e.to_string();
        assert!(s.contains("Request_UnsupportedQuery"), "{s}");
        assert!(!s.contains("grant"), "{s}");
        assert!(!e.is_denied());
        let denied = status_error(StatusCode::FORBIDDEN, b"", None, "/v1.0/x", call);
        assert!(denied.is_denied());
    }

    #[test]
    fn server_text_is_cleaned_before_it_is_printed() {
        let body = b"{\"error\":{\"code\":\"X\",\"message\":\"line1\\n\\u001b[31mred\"}}";
        let call = Call {
            what: "w",
            needs: "n",
            advanced: false,
        };
        let s = status_error(StatusCode::BAD_REQUEST, body, None, "/p", call).to_string();
        assert!(!s.contains('\u{1b}') && !s.contains('\n'), "{s:?}");
    }

    #[test]
    fn forbidden_names_the_permission_to_grant() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"799ac1b2"}}}"#;
        let e = status_error(
            StatusCode::FORBIDDEN,
            body,
            None,
            "/v1.0/oauth2PermissionGrants",
            Call {
                what: "the delegated permission grants",
                needs: "DelegatedPermissionGrant.Read.All",
                advanced: false,
            },
        );
        let s = e.to_string();
        assert!(s.contains("403"), "{s}");
        assert!(s.contains("Authorization_RequestDenied"), "{s}");
        assert!(
            s.contains("grant it DelegatedPermissionGrant.Read.All"),
            "{s}"
        );
        assert!(s.contains("request-id 799ac1b2"), "{s}");
    }
}
