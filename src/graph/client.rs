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

use super::wire::Page;
use crate::graph::error::{clean, status_error, transport_error, Call, GraphError};
use crate::graph::retry::{parse_retry_after, RetryPolicy};
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

/// How much of one collection is read at most.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub pages: usize,
    pub items: usize,
    pub bytes: usize,
}

impl Limits {
    /// One app's collections.
    pub const APP: Limits = Limits {
        pages: MAX_PAGES,
        items: MAX_ITEMS,
        bytes: MAX_COLLECTION_BYTES,
    };
    /// A tenant's collections (`inventory`): up to a million items in 999-item pages, 1 GiB.
    pub const TENANT: Limits = Limits {
        pages: 2_000,
        items: 1_000_000,
        bytes: 1024 * 1024 * 1024,
    };
}

/// The longest one attempt may take, whatever is left of the deadline.
const MAX_ATTEMPT: Duration = Duration::from_secs(60);

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
        let mut items = Vec::new();
        self.get_pages(url, call, Limits::APP, |page: Vec<T>| items.extend(page))
            .await?;
        Ok(items)
    }

    /// GET every page of a collection as [`Self::get_all`] does, within `limits`, handing each
    /// page to `each` as it arrives (a tenant-wide read keeps only what it needs of each page).
    pub async fn get_pages<T: DeserializeOwned>(
        &self,
        url: Url,
        call: Call,
        limits: Limits,
        mut each: impl FnMut(Vec<T>),
    ) -> Result<(), GraphError> {
        let paging = |detail: String| GraphError::Paging {
            what: call.what,
            detail,
        };
        let mut seen: HashSet<String> = HashSet::new();
        let (mut bytes, mut pages, mut count) = (0usize, 0usize, 0usize);
        let mut next = Some(url);
        while let Some(url) = next.take() {
            pages += 1;
            if pages > limits.pages {
                return Err(paging(format!(
                    "Graph kept sending more pages after {}",
                    limits.pages
                )));
            }
            seen.insert(url.as_str().to_string());
            let body = self.send(&url, call).await?;
            bytes += body.len();
            if bytes > limits.bytes {
                return Err(paging(format!(
                    "the pages add up to more than {} MiB",
                    limits.bytes / 1024 / 1024
                )));
            }
            let page: Page<T> = decode(&body, &url, call)?;
            drop(body);
            count += page.value.len();
            if count > limits.items {
                return Err(paging(format!("it holds more than {} items", limits.items)));
            }
            each(page.value);
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
        Ok(())
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
            if matches!(&err, GraphError::Status(e) if e.status == StatusCode::TOO_MANY_REQUESTS) {
                crate::graph::retry::count_throttled();
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
}
