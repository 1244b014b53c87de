//! The Microsoft Graph HTTP client: GET only, bearer token, a deadline for the whole audit,
//! bounded paging that never leaves the Graph host, retries of throttled and transient responses
//! within a budget, size-limited bodies, and Graph error bodies turned into messages that say
//! what to do (a permission to grant only for 401/403, never for a malformed request).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use url::Url;

use super::wire::{ErrorEnvelope, Page};
use crate::token::Token;

/// The largest response body the client reads (the Graph catalog is about 0.5 MB).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The most pages read of one collection (Graph's pages hold 100 to 999 items).
pub const MAX_PAGES: usize = 1_000;

/// The most items read of one collection. An app holds at most a few hundred permissions (Graph
/// defines about 600 app roles); anything near this is a Graph or proxy gone wrong.
pub const MAX_ITEMS: usize = 20_000;

/// The most bytes read of one collection, all pages together.
pub const MAX_COLLECTION_BYTES: usize = 64 * 1024 * 1024;

/// The longest one attempt may take, whatever is left of the deadline.
const MAX_ATTEMPT: Duration = Duration::from_secs(60);

/// How throttled (429) and transient (503, 504, network) failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first back-off when the response gives no Retry-After; doubles each time.
    pub base_delay: Duration,
    /// The longest single back-off we choose (a server's Retry-After is honoured as given).
    pub max_delay: Duration,
    /// The total time one request may spend waiting between attempts.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

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

/// A Microsoft Graph client for one tenant and token.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    retry: RetryPolicy,
    max_body: usize,
    requests: Arc<AtomicUsize>,
    /// When the whole audit must be done, and the `--timeout` it came from.
    deadline: Option<(Instant, Duration)>,
    /// The client to use should `http` (HTTP/2 only) fail to connect, and whether it did.
    fallback: Option<reqwest::Client>,
    fell_back: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client for `base` (scheme, host and optional path prefix, without the version segment).
    pub fn new(http: reqwest::Client, base: Url, token: &Token) -> anyhow::Result<GraphClient> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                anyhow::anyhow!(
                    "the access token contains characters that cannot be sent in an HTTP header"
                )
            })?;
        auth.set_sensitive(true);
        Ok(GraphClient {
            http,
            base,
            auth,
            retry: RetryPolicy::default(),
            max_body: MAX_BODY_BYTES,
            requests: Arc::new(AtomicUsize::new(0)),
            deadline: None,
            fallback: None,
            fell_back: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        })
    }

    /// Use `client` (HTTP/1.1 or HTTP/2 by ALPN) if the main one cannot connect (a server or a
    /// TLS-inspecting proxy that does not speak HTTP/2).
    pub fn with_fallback(mut self, client: reqwest::Client) -> GraphClient {
        self.fallback = Some(client);
        self
    }

    fn http(&self) -> &reqwest::Client {
        match &self.fallback {
            Some(f) if self.fell_back.load(Ordering::Relaxed) => f,
            _ => &self.http,
        }
    }

    /// Finish every request, retries and paging included, by `at`: the deadline of an audit
    /// given `--timeout total` (named in the error).
    pub fn with_deadline(mut self, at: Instant, total: Duration) -> GraphClient {
        self.deadline = Some((at, total));
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> GraphClient {
        self.retry = retry;
        self
    }

    /// Limit response bodies to `bytes` (default [`MAX_BODY_BYTES`]).
    pub fn with_max_body(mut self, bytes: usize) -> GraphClient {
        self.max_body = bytes;
        self
    }

    /// How many HTTP requests this client (and its clones) sent.
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The URL of `path` (which starts with `/v1.0/…` or `/beta/…`) with query parameters
    /// encoded as Graph expects.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        let prefix = self.base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}{path}"));
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// GET one resource.
    pub async fn get<T: DeserializeOwned>(&self, url: Url, call: Call) -> Result<T, GraphError> {
        let body = self.send(&url, call).await?;
        decode(&body, &url, call)
    }

    /// GET one resource; a 404 is `None`.
    pub async fn get_optional<T: DeserializeOwned>(
        &self,
        url: Url,
        call: Call,
    ) -> Result<Option<T>, GraphError> {
        match self.get(url, call).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET every page of a collection, following `@odata.nextLink` on the same host only, and
    /// never a link twice; at most [`MAX_PAGES`] pages, [`MAX_ITEMS`] items and
    /// [`MAX_COLLECTION_BYTES`] bytes. A page without a `value` array is an unreadable answer,
    /// never an empty list.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        url: Url,
        call: Call,
    ) -> Result<Vec<T>, GraphError> {
        let paging = |detail: String| GraphError::Paging {
            what: call.what,
            detail,
        };
        let mut items = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut bytes = 0usize;
        let mut pages = 0usize;
        let mut next = Some(url);
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(paging(format!(
                    "Graph kept sending more pages after {MAX_PAGES}"
                )));
            }
            seen.insert(url.as_str().to_string());
            let body = self.send(&url, call).await?;
            bytes += body.len();
            if bytes > MAX_COLLECTION_BYTES {
                return Err(paging(format!(
                    "the pages add up to more than {} MiB",
                    MAX_COLLECTION_BYTES / 1024 / 1024
                )));
            }
            let page: Page<T> = decode(&body, &url, call)?;
            drop(body);
            if items.len() + page.value.len() > MAX_ITEMS {
                return Err(paging(format!("it holds more than {MAX_ITEMS} items")));
            }
            items.extend(page.value);
            if let Some(link) = page.next_link {
                let link = self.pinned(&link, call)?;
                if seen.contains(link.as_str()) {
                    return Err(paging(format!(
                        "Graph sent a paging link it had already sent (a loop) on page {pages}"
                    )));
                }
                next = Some(link);
            }
        }
        Ok(items)
    }

    /// A paging link, accepted only on the Graph host we were given.
    fn pinned(&self, link: &str, call: Call) -> Result<Url, GraphError> {
        let foreign = |link_host: String| GraphError::ForeignNextLink {
            what: call.what,
            link_host,
            graph_host: origin(&self.base),
        };
        let url = Url::parse(link).map_err(|_| foreign(link.chars().take(80).collect()))?;
        if origin(&url) != origin(&self.base) {
            return Err(foreign(origin(&url)));
        }
        Ok(url)
    }

    async fn send(&self, url: &Url, call: Call) -> Result<Vec<u8>, GraphError> {
        let path = display_path(url);
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let left = self.time_left(call, &path)?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let on_http2 = self.fallback.is_some() && !self.fell_back.load(Ordering::Relaxed);
            let mut request = self
                .http()
                .get(url.clone())
                .header(AUTHORIZATION, self.auth.clone())
                .header(ACCEPT, "application/json")
                .timeout(left.min(MAX_ATTEMPT));
            if call.advanced {
                request = request.header("ConsistencyLevel", "eventual");
            }
            let attempt_result = tokio::time::timeout(left, async {
                match request.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        let headers = resp.headers().clone();
                        let body = read_limited(resp, call, &path, self.max_body).await;
                        Ok((status, headers, body))
                    }
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(|_| self.deadline_error(call, &path))?;
            let (retry_after, err) = match attempt_result {
                Ok((status, headers, body)) => {
                    let retry_after = headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    let request_id = headers
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(|v| clean(v, 100));
                    tracing::info!(
                        method = %"GET",
                        path = %path,
                        status = status.as_u16(),
                        ms = started.elapsed().as_millis() as u64,
                        retries = attempt - 1,
                        "graph request"
                    );
                    if status.is_success() {
                        return body;
                    }
                    let body = body.unwrap_or_default();
                    let retryable = matches!(status.as_u16(), 429 | 503 | 504);
                    let err = status_error(status, &body, request_id, &path, call);
                    if !retryable {
                        return Err(err);
                    }
                    (retry_after, err)
                }
                Err(source) => {
                    tracing::info!(method = %"GET", path = %path, error = %source, retries = attempt - 1, "graph request failed");
                    if self.expired() {
                        return Err(self.deadline_error(call, &path));
                    }
                    // No answer over HTTP/2 (a server or proxy that does not speak it): from now
                    // on, and for this request again, the ALPN client.
                    if on_http2 && !source.is_timeout() {
                        if !self.fell_back.swap(true, Ordering::Relaxed) {
                            tracing::info!(path = %path, error = %source, "HTTP/2 failed: falling back to HTTP/1.1 or ALPN");
                        }
                        attempt -= 1;
                        continue;
                    }
                    // A timeout may pass; a refused connection or a failed name lookup will not.
                    let transient = source.is_timeout();
                    let err = transport_error(call, &path, &source);
                    if !transient {
                        return Err(err);
                    }
                    (None, err)
                }
            };
            let backoff = self
                .retry
                .base_delay
                .saturating_mul(2u32.saturating_pow(attempt - 1))
                .min(self.retry.max_delay);
            let delay = retry_after.unwrap_or(backoff);
            let past_deadline = self
                .deadline
                .is_some_and(|(at, _)| Instant::now() + delay >= at);
            if attempt >= self.retry.max_attempts
                || waited + delay > self.retry.budget
                || past_deadline
            {
                return Err(match err {
                    GraphError::Status(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
                        GraphError::Throttled {
                            what: call.what,
                            path,
                            attempts: attempt,
                        }
                    }
                    other => other,
                });
            }
            tracing::info!(path = %path, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            waited += delay;
        }
    }
}

impl GraphClient {
    /// What is left of the deadline (a long time when there is none); an error when nothing is.
    fn time_left(&self, call: Call, path: &str) -> Result<Duration, GraphError> {
        match self.deadline {
            None => Ok(Duration::from_secs(24 * 3600)),
            Some((at, _)) => {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Err(self.deadline_error(call, path))
                } else {
                    Ok(left)
                }
            }
        }
    }

    fn expired(&self) -> bool {
        self.deadline.is_some_and(|(at, _)| Instant::now() >= at)
    }

    fn deadline_error(&self, call: Call, path: &str) -> GraphError {
        GraphError::Deadline {
            what: call.what,
            path: path.to_string(),
            secs: self.deadline.map_or(0, |(_, d)| d.as_secs()),
        }
    }
}

/// A network failure, described by its innermost cause (reqwest's outer message only repeats
/// the URL).
fn transport_error(call: Call, path: &str, e: &reqwest::Error) -> GraphError {
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

/// scheme://host:port of a URL.
fn origin(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    )
}

/// The path and query of a URL, percent-decoded for reading (never carries secrets).
fn display_path(url: &Url) -> String {
    let raw = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    clean(&percent_decode(&raw.replace('+', " ")), 2000)
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// `Retry-After` in seconds (Graph may send fractions, e.g. "2.128") or as an HTTP date
/// (RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`); at most an hour.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    parse_retry_after_at(v, azure_core::time::OffsetDateTime::now_utc())
}

fn parse_retry_after_at(v: &str, now: azure_core::time::OffsetDateTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(3600.0)));
    }
    let at = azure_core::time::parse_rfc7231(v).ok()?;
    let secs = (at - now).as_seconds_f64();
    Some(Duration::from_secs_f64(secs.clamp(0.0, 3600.0)))
}

/// Text from a server, made safe to print: known secrets redacted, control characters and
/// line breaks escaped, at most `max` characters.
fn clean(s: &str, max: usize) -> String {
    let s: String = s.chars().take(max).collect();
    crate::text::escape_controls(&crate::redact::redact(&s))
}

async fn read_limited(
    mut resp: reqwest::Response,
    call: Call,
    path: &str,
    max: usize,
) -> Result<Vec<u8>, GraphError> {
    let too_large = || GraphError::Decode {
        what: call.what,
        path: path.to_string(),
        detail: format!("the body is larger than the {max} bytes accepted"),
    };
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(source) => return Err(transport_error(call, path, &source)),
        }
    }
}

fn status_error(
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

fn decode<T: DeserializeOwned>(body: &[u8], url: &Url, call: Call) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|e| GraphError::Decode {
        what: call.what,
        path: display_path(url),
        detail: clean(&e.to_string(), 300),
    })
}

/// Quote a string for an OData `$filter` literal: `'` becomes `''`.
pub fn odata_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_an_http_date() {
        let now = azure_core::time::parse_rfc7231("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after_at("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after_at("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after_at("Mon, 07 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(parse_retry_after_at("not a date", now), None);
    }

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
    fn retry_after_accepts_fractions() {
        assert_eq!(parse_retry_after("10"), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after(" 2.5 "),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn odata_quotes_are_doubled() {
        assert_eq!(odata_quote("O'Brien's app"), "'O''Brien''s app'");
    }

    #[test]
    fn urls_keep_a_path_prefix_and_encode_queries() {
        let c = GraphClient::new(
            reqwest::Client::new(),
            Url::parse("http://127.0.0.1:9/graph").unwrap(),
            &Token::new("t"),
        )
        .unwrap();
        let u = c.url(
            "/v1.0/servicePrincipals",
            &[("$filter", "displayName eq 'A&B'")],
        );
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/graph/v1.0/servicePrincipals?%24filter=displayName+eq+%27A%26B%27"
        );
        assert_eq!(
            display_path(&u),
            "/graph/v1.0/servicePrincipals?$filter=displayName eq 'A&B'"
        );
    }

    #[test]
    fn next_links_are_pinned_to_the_graph_origin() {
        let c = GraphClient::new(
            reqwest::Client::new(),
            Url::parse("https://graph.microsoft.com").unwrap(),
            &Token::new("t"),
        )
        .unwrap();
        let call = Call {
            what: "x",
            needs: "y",
            advanced: false,
        };
        assert!(c
            .pinned("https://graph.microsoft.com/v1.0/x?$skiptoken=1", call)
            .is_ok());
        assert!(c.pinned("https://evil.example/v1.0/x", call).is_err());
        assert!(c.pinned("http://graph.microsoft.com/v1.0/x", call).is_err());
        assert!(c
            .pinned("https://graph.microsoft.com:8443/v1.0/x", call)
            .is_err());
        assert!(c.pinned("/relative", call).is_err());
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
