//! A hostile sign-in endpoint: HTTPS on `localhost` (HTTP/1.1) that answers every request with
//! a declared body of `bytes` bytes and streams it until the client hangs up — for showing that
//! no answer the tool reads can fill its memory.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) struct Flood {
    /// `https://localhost:PORT`.
    pub base: String,
    /// The certificate to trust (SSL_CERT_FILE).
    pub ca_pem: PathBuf,
    /// How many body bytes were sent, over all requests.
    pub sent: Arc<AtomicU64>,
    _dir: tempfile::TempDir,
}

impl Flood {
    pub(crate) fn start(bytes: u64) -> Flood {
        let (acceptor, ca_pem, dir) = super::tls_front::localhost_tls(&[b"http/1.1"]);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let sent = Arc::new(AtomicU64::new(0));
        let counter = sent.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let (acceptor, counter) = (acceptor.clone(), counter.clone());
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        // The request's head (its body, if any, is left unread).
                        let mut head = Vec::new();
                        let mut byte = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                            if tls.read(&mut byte).await.unwrap_or(0) == 0 {
                                return;
                            }
                            head.push(byte[0]);
                        }
                        let start = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\n\r\n{{\"access_token\":\""
                        );
                        if tls.write_all(start.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'a'; 64 * 1024];
                        let mut left = bytes.saturating_sub(17);
                        while left > 0 {
                            let n = left.min(chunk.len() as u64) as usize;
                            if tls.write_all(&chunk[..n]).await.is_err() {
                                return;
                            }
                            counter.fetch_add(n as u64, Ordering::Relaxed);
                            left -= n as u64;
                        }
                    });
                }
            });
        });
        Flood {
            base: format!("https://localhost:{port}"),
            ca_pem,
            sent,
            _dir: dir,
        }
    }
}
