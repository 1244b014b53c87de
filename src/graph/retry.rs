//! How throttled and transient failures are retried: the policy, and Graph's `Retry-After`.

use std::time::Duration;

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

/// Throttled answers (429) this process has waited out, for the progress of a long run.
static THROTTLED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One more throttled answer, about to be retried.
pub fn count_throttled() {
    THROTTLED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// How many throttled answers this process has waited out.
pub fn throttled() -> usize {
    THROTTLED.load(std::sync::atomic::Ordering::Relaxed)
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
    fn retry_after_accepts_fractions() {
        assert_eq!(parse_retry_after("10"), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after(" 2.5 "),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
