//! `--format csv`: RFC 4180 through the `csv` crate, one row per protected object and requirement
//! (per tenant with `--tenants`) with what to do about it — the "action plan" a spreadsheet user
//! sorts and filters. UTF-8 with a byte-order mark, so Excel opens it as UTF-8; a cell from the
//! tenant that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is quoted with a `'`.

use std::io::Write;

use crate::audit::{Report, Requirement, Status};
use crate::matrix::Matrix;
use crate::multi::TenantResults;

/// The columns, in order.
pub const HEADER: [&str; 11] = [
    "tenant",
    "app",
    "object",
    "purposes",
    "permission",
    "type",
    "status",
    "via",
    "consent",
    "granted on",
    "action",
];

/// A value from the tenant, made inert for spreadsheets (no formula) and for the terminal.
pub(crate) fn cell(s: &str) -> String {
    let s = crate::text::escape_controls(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

/// What to do about a requirement; empty when it is satisfied.
pub fn action(q: &Requirement) -> String {
    let name = format!("{} ({})", q.permission, q.ptype);
    match q.status {
        Status::Granted | Status::Implied => String::new(),
        Status::Missing => format!("grant {name} with admin consent"),
        Status::RequestedNotGranted => {
            format!("grant admin consent: the app requests {name} but it was never consented")
        }
        Status::WrongType => format!(
            "grant {name}: it is granted only as {}",
            q.granted_as.map(|t| t.to_string()).unwrap_or_default()
        ),
        Status::PrincipalConsentOnly => format!(
            "consent {name} for all users, or audit with --service-account if one of its users is the service account"
        ),
    }
}

fn rows(w: &mut csv::Writer<&mut dyn Write>, tenant: &str, r: &Report) -> Result<(), csv::Error> {
    let app = r
        .app
        .display_name
        .as_deref()
        .or(r.app.app_id.as_deref())
        .unwrap_or("");
    for o in &r.objects {
        for q in &o.requirements {
            w.write_record([
                cell(tenant).as_str(),
                cell(app).as_str(),
                o.object.as_str(),
                &super::layout::join(&q.purposes, " "),
                q.permission.as_str(),
                &q.ptype.to_string(),
                q.status.as_str(),
                q.via.as_deref().unwrap_or(""),
                match q.consent {
                    Some(crate::grants::Consent::AllPrincipals) => "AllPrincipals",
                    Some(crate::grants::Consent::Principal) => "Principal",
                    None => "",
                },
                q.granted_on
                    .as_deref()
                    .map(cell)
                    .unwrap_or_default()
                    .as_str(),
                &action(q),
            ])?;
        }
    }
    Ok(())
}

fn write_all(
    out: &mut dyn Write,
    fill: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> Result<(), csv::Error>,
) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let result = w.write_record(HEADER).and_then(|_| fill(&mut w));
    result.map_err(std::io::Error::other)?;
    w.flush()
}

/// One audit.
pub fn audit(r: &Report, _matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let tenant = r.tenant_id.clone().unwrap_or_default();
    write_all(out, |w| rows(w, &tenant, r))
}

/// Every tenant's rows; a tenant that could not be audited is one row saying why.
pub fn tenants(m: &dyn TenantResults, out: &mut dyn Write) -> std::io::Result<()> {
    write_all(out, |w| {
        m.each(&mut |t| {
            let written = match (&t.report, &t.error) {
                (Some(r), _) => rows(w, &t.tenant, r),
                (None, error) => {
                    let why = format!(
                        "could not be audited: {}",
                        error.as_deref().unwrap_or("unknown error")
                    );
                    w.write_record([
                        cell(&t.tenant).as_str(),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "error",
                        "",
                        "",
                        "",
                        &cell(&why),
                    ])
                }
            };
            written.map_err(std::io::Error::other)
        })
        .map_err(csv::Error::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{diff, Options};
    use crate::grants::{AppIdentity, Grants, Source};

    #[test]
    fn one_row_per_object_and_requirement_readable_by_a_csv_reader() {
        let m = Matrix::embedded().unwrap();
        let mut g = Grants::new(
            crate::cloud::Cloud::Global,
            AppIdentity {
                display_name: Some("=HYPERLINK(\"http://x\"), \"quoted\"\nname".into()),
                ..Default::default()
            },
        );
        g.tenant_id = Some("contoso.example".into());
        let r = diff(&m, &g, Source::Snapshot, &Options::default());
        let mut out = Vec::new();
        audit(&r, &m, &mut out).unwrap();
        assert!(out.starts_with("\u{feff}".as_bytes()));
        let mut reader = csv::Reader::from_reader(&out[3..]);
        assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let expected: usize = r.objects.iter().map(|o| o.requirements.len()).sum();
        assert_eq!(records.len(), expected);
        assert!(
            records[0][1].starts_with("'=HYPERLINK"),
            "{:?}",
            &records[0]
        );
        assert!(!records[0][1].contains('\n'));
        assert_eq!(&records[0][6], "missing");
        assert!(records[0][10].starts_with("grant "));
    }
}
