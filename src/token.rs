//! Access tokens: a wrapper that never prints its value, and the decoding of a JWT's claims
//! (without verifying it) to learn the tenant, the client and the permissions it carries.

use std::fmt;

use crate::error::Error;
use base64::Engine;
use serde::Deserialize;

/// A bearer token. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token; its value is registered as a secret that no output may show (for as long as
    /// the tenant it is for is being read, inside [`crate::redact::scoped`]).
    pub fn new(value: impl Into<String>) -> Token {
        let value = value.into();
        crate::redact::register_token(&value);
        Token(value)
    }

    /// The raw value, for the Authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The largest token accepted (real access tokens are a few kilobytes).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// A bearer token as given (a file or ENTRA_PERMS_ACCESS_TOKEN), checked: at most
/// [`MAX_TOKEN_BYTES`], an optional `Bearer ` prefix, then printable ASCII without spaces (what
/// an HTTP header can carry). `origin` names where it came from in the error.
pub fn check_raw<'a>(raw: &'a str, origin: &str) -> Result<&'a str, Error> {
    let bad = |why: String| Error::input(format!("the token in {origin} {why}"));
    if raw.len() > MAX_TOKEN_BYTES {
        return Err(bad(format!(
            "is larger than {} KiB: not an access token",
            MAX_TOKEN_BYTES / 1024
        )));
    }
    let token = raw.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token)
        .trim();
    if token.is_empty() {
        return Err(bad("is empty".into()));
    }
    if let Some(c) = token.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(bad(format!(
            "holds a character a token cannot have ({}): is it the token itself?",
            crate::text::escape_controls(&c.escape_unicode().to_string())
        )));
    }
    Ok(token)
}

/// The claims of an access token that the audit uses.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Tenant id.
    pub tid: Option<String>,
    /// Client application id (v1 tokens).
    pub appid: Option<String>,
    /// Client application id (v2 tokens).
    pub azp: Option<String>,
    /// Object id of the user or service principal.
    pub oid: Option<String>,
    /// Audience.
    #[serde(default, deserialize_with = "string_or_first")]
    pub aud: Option<String>,
    /// Application permissions (app-only tokens).
    pub roles: Option<Vec<String>>,
    /// Delegated scopes, space separated (user tokens).
    pub scp: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// Issued at, seconds since the epoch.
    pub iat: Option<i64>,
    /// Not valid before, seconds since the epoch.
    pub nbf: Option<i64>,
    pub upn: Option<String>,
}

impl Claims {
    /// The client application id, from `appid` (v1) or `azp` (v2).
    pub fn client_id(&self) -> Option<&str> {
        self.appid.as_deref().or(self.azp.as_deref())
    }
}

fn string_or_first<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<Aud>::deserialize(d)? {
        None => None,
        Some(Aud::One(s)) => Some(s),
        Some(Aud::Many(v)) => v.into_iter().next(),
    })
}

/// Why a token's claims could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the token is not a JWT (expected three base64url parts separated by '.')")]
    NotJwt,
    #[error("the token's payload is not base64url")]
    NotBase64,
    #[error("the token's payload is not a JSON object of claims: {0}")]
    NotJson(String),
}

/// Decode the payload of a JWT without verifying its signature. Only for reading what a token
/// says about itself; the audit's source of truth stays Microsoft Graph.
pub fn decode_claims(token: &str) -> Result<Claims, ClaimsError> {
    let token = token.trim();
    let token = token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token);
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ClaimsError::NotJwt);
    };
    if header.is_empty() || payload.is_empty() {
        return Err(ClaimsError::NotJwt);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ClaimsError::NotBase64)?;
    serde_json::from_slice(&bytes).map_err(|e| ClaimsError::NotJson(e.to_string()))
}

/// A token must be for Microsoft Graph in `cloud` (its `aud`): a token for another API (or one
/// that names none) says nothing about Graph.
pub fn check_for_graph(claims: &Claims, cloud: crate::cloud::Cloud) -> Result<(), Error> {
    let graph = format!("https://{}", cloud.graph_host());
    let for_graph = claims.aud.as_deref().is_some_and(|aud| {
        aud.trim_end_matches('/').eq_ignore_ascii_case(&graph)
            || aud.eq_ignore_ascii_case(crate::cloud::GRAPH_APP_ID)
    });
    if for_graph {
        return Ok(());
    }
    Err(Error::incomplete(format!(
        "the token is for {}, not for Microsoft Graph ({graph}): its roles and scopes say nothing about Graph; get a token for {graph}",
        claims
            .aud
            .as_deref()
            .map_or("no audience (`aud` is missing)".to_string(), |a| format!("the audience `{a}`"))
    )))
}

/// A token must be valid now (`exp`, `nbf`, five minutes of clock skew allowed), else there is
/// no point sending it: the error says when it expired or starts.
pub fn check_times(claims: &Claims, now: i64) -> Result<(), Error> {
    const SKEW: i64 = 300;
    let at = |t: i64| {
        azure_core::time::OffsetDateTime::from_unix_timestamp(t)
            .map(|t| azure_core::time::to_rfc3339(&t))
            .unwrap_or_else(|_| t.to_string())
    };
    if let Some(exp) = claims.exp.filter(|e| *e + SKEW < now) {
        return Err(Error::incomplete(format!(
            "the access token expired at {} ({} minutes ago): get a new one (e.g. az account get-access-token --resource-type ms-graph)",
            at(exp),
            (now - exp) / 60
        )));
    }
    if let Some(nbf) = claims.nbf.filter(|n| *n > now + SKEW) {
        return Err(Error::incomplete(format!(
            "the access token is not valid before {} (in {} minutes): check this machine's clock",
            at(nbf),
            (nbf - now) / 60
        )));
    }
    Ok(())
}

/// The token was issued for another tenant than the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the access token is for tenant {actual}, not {requested}: get a token for {requested}")]
pub struct TenantMismatch {
    pub actual: String,
    pub requested: String,
}

/// The tenant a token was issued for (its `tid`), checked against the tenant asked for when
/// that is a tenant id. Only what the token says: a token that is not a readable JWT gives
/// `None`, and the tenant Graph answers for is checked later (`GET /organization`).
pub fn tenant_of(token: &Token, requested: Option<&str>) -> Result<Option<String>, TenantMismatch> {
    let tid = decode_claims(token.expose()).ok().and_then(|c| c.tid);
    if let (Some(actual), Some(req)) = (&tid, requested) {
        if crate::permission::is_guid(req) && !actual.eq_ignore_ascii_case(req) {
            return Err(TenantMismatch {
                actual: actual.clone(),
                requested: req.to_string(),
            });
        }
    }
    Ok(tid)
}

#[cfg(test)]
pub(crate) fn encode_unsigned(claims: &serde_json::Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        b64(br#"{"typ":"JWT","alg":"RS256"}"#),
        b64(claims.to_string().as_bytes()),
        b64(b"signature")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_shows_the_token() {
        let t = Token::new("eyJ.secret.value");
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
    }

    #[test]
    fn app_only_claims_are_read() {
        let jwt = encode_unsigned(&json!({
            "tid": "65415bb1-9267-4313-bbf5-ae259732ee12",
            "appid": "46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b",
            "aud": "https://graph.microsoft.com",
            "roles": ["Directory.Read.All", "Policy.Read.All"]
        }));
        let c = decode_claims(&jwt).unwrap();
        assert_eq!(
            c.tid.as_deref(),
            Some("65415bb1-9267-4313-bbf5-ae259732ee12")
        );
        assert_eq!(c.client_id(), Some("46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b"));
        assert_eq!(c.roles.unwrap().len(), 2);
        assert!(c.scp.is_none());
    }

    #[test]
    fn an_expired_or_early_token_or_one_for_another_api_is_refused() {
        let c = |v: serde_json::Value| decode_claims(&encode_unsigned(&v)).unwrap();
        let now = 1_800_000_000;
        let e = check_times(&c(json!({"exp": now - 3600})), now).unwrap_err();
        assert!(
            e.to_string().contains("expired at") && e.to_string().contains("60 minutes ago"),
            "{e}"
        );
        let e = check_times(&c(json!({"nbf": now + 3600})), now).unwrap_err();
        assert!(e.to_string().contains("not valid before"), "{e}");
        assert!(check_times(&c(json!({"exp": now + 60, "nbf": now - 60})), now).is_ok());
        assert!(check_times(&c(json!({})), now).is_ok());
        let arm = c(json!({"aud": "https://management.azure.com/"}));
        let e = check_for_graph(&arm, crate::cloud::Cloud::Global).unwrap_err();
        assert!(
            e.to_string().contains("https://management.azure.com/"),
            "{e}"
        );
        assert!(check_for_graph(
            &c(json!({"aud": "https://graph.microsoft.com/"})),
            crate::cloud::Cloud::Global
        )
        .is_ok());
    }

    #[test]
    fn audience_may_be_a_list() {
        let jwt = encode_unsigned(&json!({"aud": ["a", "b"], "azp": "x"}));
        let c = decode_claims(&format!("Bearer {jwt}")).unwrap();
        assert_eq!(c.aud.as_deref(), Some("a"));
        assert_eq!(c.client_id(), Some("x"));
    }

    #[test]
    fn tenant_of_checks_the_requested_tenant() {
        let t = Token::new(encode_unsigned(
            &json!({"tid": "65415bb1-9267-4313-bbf5-ae259732ee12"}),
        ));
        assert_eq!(
            tenant_of(&t, None).unwrap().as_deref(),
            Some("65415bb1-9267-4313-bbf5-ae259732ee12")
        );
        assert!(tenant_of(&t, Some("65415BB1-9267-4313-BBF5-AE259732EE12")).is_ok());
        assert!(tenant_of(&t, Some("contoso.onmicrosoft.com")).is_ok());
        let e = tenant_of(&t, Some("00000000-0000-0000-0000-000000000001")).unwrap_err();
        assert!(e
            .to_string()
            .contains("not 00000000-0000-0000-0000-000000000001"));
        // An opaque token says nothing: the tenant asked for is not taken on trust.
        let opaque = Token::new("opaque");
        assert_eq!(
            tenant_of(&opaque, Some("00000000-0000-0000-0000-000000000001")).unwrap(),
            None
        );
    }

    #[test]
    fn raw_tokens_are_checked() {
        assert_eq!(
            check_raw("  Bearer abc.def.ghi\n", "T").unwrap(),
            "abc.def.ghi"
        );
        assert!(check_raw("", "T")
            .unwrap_err()
            .message()
            .contains("is empty"));
        assert!(check_raw("a b", "T")
            .unwrap_err()
            .message()
            .contains("character"));
        assert!(check_raw("a\u{1b}b", "T").is_err());
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(check_raw(&huge, "T")
            .unwrap_err()
            .message()
            .contains("larger"));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert_eq!(decode_claims("not a token"), Err(ClaimsError::NotJwt));
        assert_eq!(decode_claims("a.b.c.d"), Err(ClaimsError::NotJwt));
        assert_eq!(decode_claims("a.!!!.c"), Err(ClaimsError::NotBase64));
        assert!(matches!(
            decode_claims("a.YWJj.c"),
            Err(ClaimsError::NotJson(_))
        ));
    }
}
