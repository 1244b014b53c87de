//! Times as the tool writes them: RFC 3339 in UTC, to the second (what Graph's `$filter` takes).

/// `t` (RFC 3339) in UTC to the second, e.g. `2026-11-20T08:00:00Z`; `None` when it is no time.
pub fn utc_seconds(t: &str) -> Option<String> {
    let t = azure_core::time::parse_rfc3339(t.trim()).ok()?.to_utc();
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// Whole days from `earlier` to `later` (both RFC 3339); `None` when either is no time.
pub fn days_between(earlier: &str, later: &str) -> Option<i64> {
    let a = azure_core::time::parse_rfc3339(earlier.trim()).ok()?;
    let b = azure_core::time::parse_rfc3339(later.trim()).ok()?;
    Some((b - a).whole_days())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_normalised_or_refused() {
        assert_eq!(
            super::utc_seconds("2026-11-20T09:00:00.123+01:00").as_deref(),
            Some("2026-11-20T08:00:00Z")
        );
        assert_eq!(super::utc_seconds("2026-11-20' or true"), None);
        assert_eq!(
            super::days_between("2026-05-16T10:00:00Z", "2026-12-02T10:00:00Z"),
            Some(200)
        );
    }
}
