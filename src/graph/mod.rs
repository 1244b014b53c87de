//! Microsoft Graph: the HTTP client, authentication, wire types, and fetching what an app was
//! granted. Only this module knows Graph's JSON; the rest of the program sees `Grants`.

pub mod assertion;
pub mod auth;
pub mod client;
pub mod error;
pub mod fetch;
pub mod retry;
pub mod session;
pub mod wire;

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use url::Url;

use crate::cloud::Cloud;
use crate::error::Error;

/// The HTTP client shared by token requests and Graph calls: timeouts, a User-Agent with our
/// version, no redirects (a token must not follow one), the proxy from HTTPS_PROXY/NO_PROXY, and
/// the extra CA bundle in SSL_CERT_FILE.
pub fn http_client() -> Result<reqwest::Client> {
    builder()?.build().context(
        "cannot set up HTTPS (is a CA certificate store installed? set SSL_CERT_FILE to a PEM bundle)",
    )
}

/// The settings every client shares (see [`http_client`]).
fn builder() -> Result<reqwest::ClientBuilder> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none());
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let pem = crate::input::read_bounded(std::path::Path::new(&path), 16 * 1024 * 1024, false)
            .map_err(|e| {
                Error::input(format!(
                    "cannot read the CA bundle {} (SSL_CERT_FILE): {e}",
                    path.to_string_lossy()
                ))
            })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| {
            format!(
                "the CA bundle {} (SSL_CERT_FILE) is not PEM certificates",
                path.to_string_lossy()
            )
        })?;
        anyhow::ensure!(
            !certs.is_empty(),
            "the CA bundle {} (SSL_CERT_FILE) holds no certificate",
            path.to_string_lossy()
        );
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder)
}

/// The client for Graph itself. Over https it speaks HTTP/2 from the start (Graph does), so
/// that every request of an audit, all started together, shares one connection: with ALPN alone
/// a cold client would open one connection per request before learning the server multiplexes.
/// (`GraphClient` falls back to the shared client should a server or proxy refuse HTTP/2.) A
/// loopback `--graph-url` is never reached through a proxy: HTTP_PROXY would see the token in
/// clear text on http://.
pub fn graph_http_client(base: &Url, shared: &reqwest::Client) -> Result<reqwest::Client> {
    let loopback = is_loopback(base);
    let https = base.scheme() == "https";
    if !loopback && !https {
        return Ok(shared.clone());
    }
    let mut b = builder()?;
    if loopback {
        b = b.no_proxy();
    }
    if https {
        b = b.http2_prior_knowledge();
    }
    b.build().context("cannot set up the HTTP client")
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

const USER_AGENT: &str = concat!(
    env!("CARGO_PKG_NAME"),
    "/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/entra-perms/entra-perms)"
);

/// The Graph base URL: the one given (already checked by [`parse_base_url`]) or the cloud's host.
pub fn base_url(cloud: Cloud, custom: Option<&Url>) -> Result<Url> {
    match custom {
        Some(url) => Ok(url.clone()),
        None => Url::parse(&format!("https://{}", cloud.graph_host()))
            .context("the cloud's Graph host is not a URL"),
    }
}

/// Check a Graph base URL given by the user: https, or http for a loopback host; a plain host
/// (no user, query or fragment), without the version segment. The error says what is wrong with
/// it; the caller names where it came from.
pub fn parse_base_url(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "`{raw}`: http:// is only allowed for loopback hosts; use https://"
            ))
        }
        other => return Err(format!("`{raw}`: unsupported scheme {other}")),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{raw}` must be a plain host URL (no user or password)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{raw}` must not have a query or fragment"));
    }
    let last = url
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if last.eq_ignore_ascii_case("v1.0") || last.eq_ignore_ascii_case("beta") {
        return Err(format!(
            "`{raw}`: give the base URL without the version segment (`{last}`)"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_defaults_to_the_clouds_graph_host() {
        assert_eq!(
            base_url(Cloud::Usgov, None).unwrap().as_str(),
            "https://graph.microsoft.us/"
        );
        assert_eq!(
            base_url(Cloud::China, None).unwrap().as_str(),
            "https://microsoftgraph.chinacloudapi.cn/"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://[::1]:8080").is_ok());
        assert!(parse_base_url("http://localhost:1").is_ok());
        assert!(parse_base_url("https://graph.example.com").is_ok());
        let e = parse_base_url("http://graph.example.com").unwrap_err();
        assert!(e.to_string().contains("loopback"), "{e}");
        assert!(parse_base_url("http://10.0.0.1").is_err());
        assert!(parse_base_url("ftp://127.0.0.1").is_err());
        assert!(parse_base_url("https://graph.microsoft.com/v1.0").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
