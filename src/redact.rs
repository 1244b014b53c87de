//! Secrets out of every output: the secrets this run holds (access tokens, client secrets,
//! assertions, federated tokens) are registered once, and any text that leaves the process —
//! reports, errors, logs — passes through [`redact`], which replaces them with `[redacted]` and
//! masks `user:password@` in URLs. A server that echoes a header back cannot make us print it.

use std::sync::{Mutex, OnceLock};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not registered: replacing every "a" would garble the output,
/// and no real token or secret is that short.
const MIN_SECRET_LEN: usize = 8;

/// Every form of every secret held, longest first, each with how many holders it has.
fn registry() -> &'static Mutex<Vec<(String, usize)>> {
    static SECRETS: OnceLock<Mutex<Vec<(String, usize)>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

tokio::task_local! {
    /// The tokens fetched inside a [`scoped`] future, forgotten when it ends.
    static SCOPE: std::cell::RefCell<Vec<String>>;
}

/// Remember a secret so that it never appears in output, in any of the encodings a server may
/// echo it in (URL-form, percent, JSON). Also registers the parts of a JWT (a server may echo only
/// its payload or signature). Held for the whole run.
pub fn register(secret: &str) {
    let mut list = registry().lock().unwrap_or_else(|e| e.into_inner());
    for form in forms(secret) {
        match list.iter_mut().find(|(s, _)| *s == form) {
            Some((_, holders)) => *holders += 1,
            None => list.push((form, 1)),
        }
    }
    // Longest first, so that a secret containing another is replaced whole.
    list.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
}

/// An access token: registered as [`register`] does, and inside a [`scoped`] future forgotten
/// when that future ends (the tenant it was for is done), so that a run over thousands of
/// tenants holds only the tokens in flight.
pub fn register_token(token: &str) {
    register(token);
    let _ = SCOPE.try_with(|s| s.borrow_mut().push(token.to_string()));
}

/// Run `work` with the tokens fetched in it forgotten once it ends. Whatever leaves `work` must
/// already be free of them ([`scrubbed`]): afterwards they are no longer recognised.
pub async fn scoped<F: std::future::Future>(work: F) -> F::Output {
    let (out, tokens) = SCOPE
        .scope(std::cell::RefCell::new(Vec::new()), async {
            let out = work.await;
            (out, SCOPE.with(|s| std::mem::take(&mut *s.borrow_mut())))
        })
        .await;
    let mut list = registry().lock().unwrap_or_else(|e| e.into_inner());
    for token in tokens {
        for form in forms(&token) {
            if let Some(i) = list.iter().position(|(s, _)| *s == form) {
                list[i].1 -= 1;
                if list[i].1 == 0 {
                    list.remove(i);
                }
            }
        }
    }
    out
}

/// `value` with every secret it holds replaced, through its JSON form; `None` when the redacted
/// form no longer reads back (the value is then not to be shown at all).
pub fn scrubbed<T: serde::Serialize + serde::de::DeserializeOwned>(value: T) -> Option<T> {
    let Ok(text) = serde_json::to_string(&value) else {
        return None;
    };
    if !contains_secret(&text) {
        return Some(value);
    }
    serde_json::from_str(&redact(&text)).ok()
}

/// The distinct forms `secret` is registered in (none for a secret too short to register).
fn forms(secret: &str) -> Vec<String> {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return Vec::new();
    }
    let mut forms = vec![secret.to_string()];
    let parts: Vec<&str> = secret.split('.').collect();
    if parts.len() == 3 {
        // The header of a JWT is public and shared by many tokens; the payload and signature
        // are what identify this one.
        forms.push(parts[1].to_string());
        forms.push(parts[2].to_string());
    }
    let mut out: Vec<String> = forms
        .iter()
        .flat_map(|f| encodings(f))
        .filter(|s| s.len() >= MIN_SECRET_LEN)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `s` as it is written raw and in the encodings a request or an echoing server puts it in:
/// `application/x-www-form-urlencoded` (`+` for space, `%7E`), percent-encoding of every
/// reserved character, in upper- and lower-case hex, and JSON (serde's, with `\/`, and with every
/// punctuation character as `\u00XX`, as .NET's encoder writes `+` and `=`).
fn encodings(s: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
    let mut percent = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            percent.push(char::from(b));
        } else {
            percent.push_str(&format!("%{b:02X}"));
        }
    }
    let tilde = percent.replace('~', "%7E");
    let json = serde_json::to_string(s).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or(&json)
        .to_string();
    let mut unicode = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            unicode.push(c);
        } else {
            unicode.push_str(&format!("\\u{:04X}", c as u32));
        }
    }
    let mut out = vec![s.to_string()];
    for e in [
        form.clone(),
        form.replace('+', "%20"),
        percent.clone(),
        tilde.clone(),
        json.clone(),
        json.replace('/', "\\/"),
        unicode.clone(),
    ] {
        out.push(e.clone());
        // Hex in lower case too (%7e, \u002b).
        out.push(lower_hex(&e));
    }
    out.sort();
    out.dedup();
    out
}

/// `%7E` → `%7e` and `\u002B` → `\u002b`, leaving the rest as it is.
fn lower_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
            continue;
        }
        out.push(c);
        if c == '%' {
            hex_left = 2;
        } else if c == '\\' && chars.peek() == Some(&'u') {
            out.push('u');
            chars.next();
            hex_left = 4;
        }
    }
    out
}

/// `text` with every registered secret replaced and URL credentials masked.
pub fn redact(text: &str) -> String {
    let mut out = mask_url_credentials(text);
    let list = registry().lock().unwrap_or_else(|e| e.into_inner());
    for (secret, _) in list.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    out
}

/// Whether `text` holds a registered secret (for writers that must refuse rather than mask).
pub fn contains_secret(text: &str) -> bool {
    let list = registry().lock().unwrap_or_else(|e| e.into_inner());
    list.iter().any(|(s, _)| text.contains(s.as_str()))
}

/// `scheme://user:password@host` → `scheme://[redacted]@host`, wherever it occurs in `text`.
pub fn mask_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        // The authority ends at the first '/', '?', '#' or white space.
        let end = after
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A writer passing whole lines on, each with every secret redacted (logs, and reports of any
/// length written as they are rendered): a secret is never cut in two by a write. A line longer
/// than [`RedactingWriter::MAX_LINE`] is passed on in parts, cut where a character starts; what
/// is left is passed on at `flush` and when the writer is dropped.
pub struct RedactingWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> RedactingWriter<W> {
    pub const MAX_LINE: usize = 8 * 1024 * 1024;

    pub fn new(inner: W) -> RedactingWriter<W> {
        RedactingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Pass on the first `upto` bytes held, redacted.
    fn pass(&mut self, upto: usize) -> std::io::Result<()> {
        let rest = self.pending.split_off(upto);
        let line = std::mem::replace(&mut self.pending, rest);
        if line.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        self.inner.write_all(redact(&text).as_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|b| *b == b'\n') {
            self.pass(last + 1)?;
        } else if self.pending.len() > Self::MAX_LINE {
            // Cut where a character starts (never before a UTF-8 continuation byte); the last
            // character, perhaps not all written yet, waits.
            let mut at = self.pending.len() - 1;
            while at > 0 && (self.pending[at] & 0xC0) == 0x80 {
                at -= 1;
            }
            let at = if at == 0 { self.pending.len() } else { at };
            self.pass(at)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let all = self.pending.len();
        self.pass(all)?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // The last words of a log line or report; a failure here has nowhere left to be told.
        let _ = std::io::Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_and_jwt_parts_are_replaced() {
        register("header0.payload-unique-123.signature-unique-456");
        register("short");
        let s = redact(
            "echo: Bearer header0.payload-unique-123.signature-unique-456 and payload-unique-123 \
             and short",
        );
        assert_eq!(s, "echo: Bearer [redacted] and [redacted] and short", "{s}");
        assert!(contains_secret("x signature-unique-456 y"));
        assert!(!contains_secret("nothing here"));
    }

    #[test]
    fn a_secret_is_redacted_in_every_encoding_a_server_echoes() {
        // Azure client secrets use letters, digits and `~ . _ -`; other secrets `+ / =`.
        let secret = "Zq8~Secret.Value_x-y+z/w==";
        register(secret);
        let echoes = [
            secret.to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            "Zq8%7ESecret.Value_x-y%2Bz%2Fw%3D%3D".to_string(),
            "Zq8%7eSecret.Value_x-y%2bz%2fw%3d%3d".to_string(),
            "Zq8~Secret.Value_x-y%2Bz%2Fw%3D%3D".to_string(),
            serde_json::to_string(secret).unwrap(),
            "Zq8~Secret.Value_x-y+z\\/w==".to_string(),
            "Zq8\\u007ESecret\\u002EValue\\u005Fx\\u002Dy\\u002Bz\\u002Fw\\u003D\\u003D"
                .to_string(),
            "Zq8\\u007eSecret\\u002eValue\\u005fx\\u002dy\\u002bz\\u002fw\\u003d\\u003d"
                .to_string(),
        ];
        for echo in echoes {
            let text = redact(&format!("error_description: client_secret={echo}&x=1"));
            assert!(!text.contains("Secret"), "{echo} leaked: {text}");
        }
    }

    #[test]
    fn a_tenants_token_is_forgotten_when_its_scope_ends_and_a_held_one_is_not() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        register("held-for-the-run-abcdef");
        let (inside, leaked) = rt.block_on(scoped(async {
            register_token("tenant-token-0123456789");
            register_token("held-for-the-run-abcdef");
            let report = serde_json::json!({"name": "echo tenant-token-0123456789"});
            (
                contains_secret("tenant-token-0123456789"),
                scrubbed(report).unwrap(),
            )
        }));
        assert!(inside);
        assert_eq!(
            leaked["name"], "echo [redacted]",
            "scrubbed before the scope ends"
        );
        assert!(
            !contains_secret("tenant-token-0123456789"),
            "forgotten after"
        );
        assert!(
            contains_secret("held-for-the-run-abcdef"),
            "a secret registered for the run stays, though a scope also took it"
        );
        // Outside any scope a token is held for the run.
        register_token("single-tenant-token-xyz");
        assert!(contains_secret("single-tenant-token-xyz"));
    }

    #[test]
    fn a_secret_cut_across_writes_is_still_redacted() {
        register("split-secret-value-42");
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out);
            use std::io::Write;
            w.write_all(b"one: split-sec").unwrap();
            w.write_all(b"ret-value-42 \xc3").unwrap();
            w.write_all(b"\xa9\ntwo\n").unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "one: [redacted] \u{e9}\ntwo\n");
    }

    #[test]
    fn url_credentials_are_masked() {
        assert_eq!(
            mask_url_credentials("proxy http://bob:hunter2@proxy.local:3128/x failed"),
            "proxy http://[redacted]@proxy.local:3128/x failed"
        );
        assert_eq!(
            mask_url_credentials("https://graph.microsoft.com/v1.0/users?$filter=a@b"),
            "https://graph.microsoft.com/v1.0/users?$filter=a@b"
        );
        assert_eq!(mask_url_credentials("no url"), "no url");
        assert_eq!(
            mask_url_credentials("a://u@h b://p:q@h2"),
            "a://[redacted]@h b://[redacted]@h2"
        );
    }
}
