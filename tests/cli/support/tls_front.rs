//! A TLS front for the fake Graph, as Graph itself is reached: HTTPS on `localhost` with a
//! certificate made for the test, offering HTTP/2 and HTTP/1.1 by ALPN, forwarding each request to
//! the fake. It counts connections and the HTTP version of every request.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio_rustls::rustls;

/// A running TLS front.
pub(crate) struct TlsFront {
    /// `https://localhost:PORT`.
    pub base: String,
    /// The certificate to trust (SSL_CERT_FILE).
    pub ca_pem: PathBuf,
    pub connections: Arc<AtomicUsize>,
    pub http2_requests: Arc<AtomicUsize>,
    pub http1_requests: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// A TLS acceptor for `localhost` with a certificate made for the test, offering `alpn`, the
/// certificate to trust (a PEM file) and the folder that holds it.
pub(crate) fn localhost_tls(
    alpn: &[&[u8]],
) -> (tokio_rustls::TlsAcceptor, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("a certificate for localhost");
    let ca_pem = dir.path().join("ca.pem");
    std::fs::write(&ca_pem, certified.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca_pem,
        dir,
    )
}

impl TlsFront {
    /// Front `backend` (the fake Graph's http:// base), offering HTTP/2 and HTTP/1.1.
    pub(crate) fn start(backend: &str) -> TlsFront {
        TlsFront::start_with(backend, true)
    }

    /// Front `backend` speaking HTTP/1.1 only (a server or TLS-inspecting proxy without HTTP/2).
    pub(crate) fn start_http1_only(backend: &str) -> TlsFront {
        TlsFront::start_with(backend, false)
    }

    // One listener, one accept loop and one forwarding task read best as one piece.
    #[allow(clippy::too_many_lines)]
    fn start_with(backend: &str, offer_h2: bool) -> TlsFront {
        let alpn: &[&[u8]] = if offer_h2 {
            &[b"h2", b"http/1.1"]
        } else {
            &[b"http/1.1"]
        };
        let (acceptor, ca_pem, dir) = localhost_tls(alpn);

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let h2 = Arc::new(AtomicUsize::new(0));
        let h1 = Arc::new(AtomicUsize::new(0));
        let (c, h2c, h1c) = (connections.clone(), h2.clone(), h1.clone());
        let backend = backend.to_string();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let client = reqwest::Client::builder().no_proxy().build().unwrap();
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    c.fetch_add(1, Ordering::Relaxed);
                    let (acceptor, client, backend) =
                        (acceptor.clone(), client.clone(), backend.clone());
                    let (h2c, h1c) = (h2c.clone(), h1c.clone());
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let is_h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                        let service =
                            service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                                let (client, backend) = (client.clone(), backend.clone());
                                let counter = if req.version() == hyper::Version::HTTP_2 {
                                    h2c.clone()
                                } else {
                                    h1c.clone()
                                };
                                async move {
                                    counter.fetch_add(1, Ordering::Relaxed);
                                    let target = req
                                        .uri()
                                        .path_and_query()
                                        .map(|p| p.as_str().to_string())
                                        .unwrap_or_default();
                                    let method = req.method().clone();
                                    let mut forward =
                                        client.request(method, format!("{backend}{target}"));
                                    for name in [
                                        "authorization",
                                        "consistencylevel",
                                        "accept",
                                        "content-type",
                                    ] {
                                        if let Some(v) = req.headers().get(name) {
                                            forward = forward.header(name, v.as_bytes());
                                        }
                                    }
                                    let body = req
                                        .into_body()
                                        .collect()
                                        .await
                                        .map(|b| b.to_bytes())
                                        .unwrap_or_default();
                                    forward = forward.body(body);
                                    let answer = forward.send().await.unwrap();
                                    let status = answer.status().as_u16();
                                    let retry_after = answer
                                        .headers()
                                        .get("retry-after")
                                        .map(|v| v.as_bytes().to_vec());
                                    let body = answer.bytes().await.unwrap_or_default();
                                    let mut response = hyper::Response::builder()
                                        .status(status)
                                        .header("content-type", "application/json");
                                    if let Some(v) = retry_after {
                                        response = response.header("retry-after", v);
                                    }
                                    Ok::<_, std::convert::Infallible>(
                                        response.body(Full::new(body)).unwrap(),
                                    )
                                }
                            });
                        let io = TokioIo::new(tls);
                        if is_h2 {
                            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                                .serve_connection(io, service)
                                .await;
                        } else {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(io, service)
                                .await;
                        }
                    });
                }
            });
        });
        TlsFront {
            base: format!("https://localhost:{port}"),
            ca_pem,
            connections,
            http2_requests: h2,
            http1_requests: h1,
            _dir: dir,
        }
    }
}
