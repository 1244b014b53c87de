//! `--redact`: people replaced with stable placeholders in every report (`user-1`,
//! `user-1@redacted.invalid`), for reports sent outside the organisation. Who is a person is read
//! from the report (the service account, user owners, the audit log's actors); then **every**
//! string of the document, at any depth, is rewritten — findings, notes and messages included —
//! so no field can be forgotten. The same person gets the same placeholder everywhere in one run.

use serde_json::Value;

use crate::audit::Report;

/// The placeholders handed out so far: (real value, placeholder).
#[derive(Debug, Default)]
pub struct Placeholders {
    pairs: Vec<(String, String)>,
    users: usize,
    /// Object ids become GUID-shaped placeholders (`00000000-0000-4000-8000-000000000001`), as
    /// a snapshot's loader requires of an id.
    guid_ids: bool,
}

impl Placeholders {
    /// Register one user (object id and UPN) and get its placeholders.
    fn user(&mut self, id: &str, upn: Option<&str>) -> (String, Option<String>) {
        let known = self
            .pairs
            .iter()
            .find(|(real, _)| real.eq_ignore_ascii_case(id))
            .map(|(_, p)| p.clone());
        let id_placeholder = known.unwrap_or_else(|| {
            self.users += 1;
            let p = if self.guid_ids {
                format!("00000000-0000-4000-8000-{:012}", self.users)
            } else {
                format!("user-{}", self.users)
            };
            self.pairs.push((id.to_string(), p.clone()));
            p
        });
        let upn_placeholder = upn.map(|upn| {
            let p = if self.guid_ids {
                let n = id_placeholder.rsplit('-').next().unwrap_or("0");
                format!("user-{}@redacted.invalid", n.trim_start_matches('0'))
            } else {
                format!("{id_placeholder}@redacted.invalid")
            };
            if !self
                .pairs
                .iter()
                .any(|(real, _)| real.eq_ignore_ascii_case(upn))
            {
                self.pairs.push((upn.to_string(), p.clone()));
            }
            p
        });
        (id_placeholder, upn_placeholder)
    }

    /// Register a person known only by name or principal name (an owner's display name, the
    /// audit log's actor).
    fn name(&mut self, real: &str) {
        let real = real.trim();
        if real.is_empty() || self.pairs.iter().any(|(r, _)| r.eq_ignore_ascii_case(real)) {
            return;
        }
        self.users += 1;
        let p = if real.contains('@') {
            format!("user-{}@redacted.invalid", self.users)
        } else {
            format!("user-{}", self.users)
        };
        self.pairs.push((real.to_string(), p));
    }

    /// Every string of `doc`, at any depth, with the known people replaced.
    fn rewrite<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        doc: &mut T,
    ) -> std::io::Result<()> {
        let mut v = serde_json::to_value(&*doc).map_err(std::io::Error::other)?;
        self.apply_value(&mut v);
        *doc = serde_json::from_value(v).map_err(std::io::Error::other)?;
        Ok(())
    }

    /// An owner of the app, when it is a user (an app owning the app is not a person).
    fn owner(&mut self, kind: &str, id: &str, upn: Option<&str>, display_name: Option<&str>) {
        if kind == "user" {
            self.user(id, upn);
            if let Some(name) = display_name {
                self.name(name);
            }
        }
    }

    /// `text` with every known user value replaced.
    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut pairs: Vec<&(String, String)> = self.pairs.iter().collect();
        pairs.sort_by_key(|(real, _)| std::cmp::Reverse(real.len()));
        for (real, placeholder) in pairs {
            if !real.is_empty() {
                out = replace_ignore_case(&out, real, placeholder);
            }
        }
        out
    }

    fn apply_value(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.apply(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.apply_value(x)),
            Value::Object(o) => o.values_mut().for_each(|x| self.apply_value(x)),
            _ => {}
        }
    }
}

fn replace_ignore_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle_lower = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(&needle_lower) {
        if i < last {
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str(with);
        last = i + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Everyone in one report.
fn people(r: &Report, p: &mut Placeholders) {
    if let Some(sa) = &r.service_account {
        p.user(&sa.id, sa.user_principal_name.as_deref());
    }
    for o in r
        .app_security
        .iter()
        .flat_map(|a| a.owners.iter().flatten())
    {
        p.owner(
            &o.kind,
            &o.id,
            o.user_principal_name.as_deref(),
            o.display_name.as_deref(),
        );
    }
    let changes = r
        .changes
        .iter()
        .flat_map(|c| c.grants_added.iter().chain(&c.grants_removed));
    for by in changes
        .filter_map(|g| g.changed_by.as_ref())
        .filter_map(|c| c.by.as_ref())
    {
        p.name(by);
    }
}

/// Redact the people of one report, in every field.
pub fn report(r: &mut Report, p: &mut Placeholders) -> std::io::Result<()> {
    people(r, p);
    p.rewrite(r)
}

/// Redact the people of a snapshot's grants, in every field: the service account, the users who
/// consented for themselves, user owners, the audit log's actors. Ids keep an id's shape and the
/// same person one placeholder, so the redacted snapshot audits as the real one does.
pub fn grants(g: &mut crate::grants::Grants) -> std::io::Result<()> {
    let mut p = Placeholders {
        guid_ids: true,
        ..Placeholders::default()
    };
    if let Some(sa) = &g.service_account {
        p.user(&sa.id, sa.user_principal_name.as_deref());
    }
    for id in g.delegated.iter().filter_map(|d| d.principal_id.as_deref()) {
        p.user(id, None);
    }
    for o in g
        .app_security
        .iter()
        .flat_map(|a| a.owners.iter().flatten())
    {
        p.owner(
            &o.kind,
            &o.id,
            o.user_principal_name.as_deref(),
            o.display_name.as_deref(),
        );
    }
    for e in g.audit_log.iter().flatten() {
        p.name(&e.by);
    }
    let read_at = g.read_at.clone();
    p.rewrite(g)?;
    g.read_at = read_at;
    Ok(())
}

/// Redact the users of every tenant's report and error.
/// One tenant of a multi-tenant audit, as it finishes: its report, then its error.
pub fn tenant(t: &mut crate::multi::TenantResult, p: &mut Placeholders) -> std::io::Result<()> {
    if let Some(r) = &mut t.report {
        report(r, p)?;
    }
    if let Some(e) = &mut t.error {
        *e = p.apply(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_get_stable_placeholders_everywhere() {
        let mut p = Placeholders::default();
        let (id, upn) = p.user(
            "4562BCC8-c436-4f95-b7c0-4f8ce89dca5e",
            Some("backup@contoso.com"),
        );
        assert_eq!(id, "user-1");
        assert_eq!(upn.as_deref(), Some("user-1@redacted.invalid"));
        assert_eq!(
            p.user("4562bcc8-c436-4f95-b7c0-4f8ce89dca5e", None).0,
            "user-1"
        );
        assert_eq!(
            p.apply("Backup@Contoso.com (4562bcc8-c436-4f95-b7c0-4f8ce89dca5e) is not GA"),
            "user-1@redacted.invalid (user-1) is not GA"
        );
        assert_eq!(p.user("other", None).0, "user-2");
    }
}
