//! What a vendor's matrix says beyond its permissions: whose list it is (the `[matrix]` header:
//! vendor, product, version, source, dates, what could not be read), the directory roles it
//! requires of a service account (`[[role]]`, per purpose; several for one purpose are
//! alternatives), and the roles it assigns to the app's service principal (`[[app-role]]`).

use serde::Serialize;

use super::fields::{guid_field, non_empty_list, parse_enum, SpanError};
use super::raw::{RawAppRole, RawHeader, RawRole, RawRoleSet};
use super::Purpose;
use crate::grants::DirectoryRole;

/// Whose list a matrix is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixInfo {
    pub vendor: String,
    pub product: String,
    /// The product's version the list is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The vendor's page (https).
    pub source: String,
    /// The page's own date (YYYY-MM-DD), where it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_date: Option<String>,
    /// When the page was read (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    /// Why the list is incomplete, where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// The rows of the page that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

/// A directory role, by display name and (where given) template id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRef {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl RoleRef {
    /// Whether `role` is this one: by template id where the matrix gives it, else by name.
    pub fn matches(&self, role: &DirectoryRole) -> bool {
        match &self.id {
            Some(id) => role.template_id.eq_ignore_ascii_case(id),
            None => role.display_name.eq_ignore_ascii_case(&self.name),
        }
    }
}

/// Roles a service account needs, all of them, for these purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSet {
    pub purposes: Vec<Purpose>,
    pub roles: Vec<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A role the vendor assigns to the app's own service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppRole {
    #[serde(flatten)]
    pub role: RoleRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn text(v: &toml::Spanned<String>, key: &str) -> Result<String, SpanError> {
    let s = v.get_ref().trim();
    if s.is_empty() {
        return Err((v.span(), format!("`{key}` is empty")));
    }
    Ok(s.to_string())
}

fn date(v: Option<&toml::Spanned<String>>, key: &str) -> Result<Option<String>, SpanError> {
    let Some(v) = v else { return Ok(None) };
    let s = v.get_ref().trim();
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err((v.span(), format!("{key} `{s}` is not a date (YYYY-MM-DD)")));
    }
    Ok(Some(s.to_string()))
}

pub(super) fn header(raw: &toml::Spanned<RawHeader>) -> Result<MatrixInfo, SpanError> {
    let h = raw.get_ref();
    let source = text(&h.source, "source")?;
    if !source.starts_with("https://") {
        return Err((
            h.source.span(),
            format!("source `{source}` is not an https address of the vendor's page"),
        ));
    }
    Ok(MatrixInfo {
        vendor: text(&h.vendor, "vendor")?,
        product: text(&h.product, "product")?,
        version: h.version.as_ref().map(|v| v.trim().to_string()),
        source,
        document_date: date(h.document_date.as_ref(), "document-date")?,
        retrieved: date(h.retrieved.as_ref(), "retrieved")?,
        partial: h.partial.as_ref().map(|p| p.trim().to_string()),
        unreadable: h.unreadable.iter().map(|u| u.trim().to_string()).collect(),
    })
}

fn role_ref(
    name: &toml::Spanned<String>,
    id: Option<&toml::Spanned<String>>,
) -> Result<RoleRef, SpanError> {
    Ok(RoleRef {
        name: text(name, "name")?,
        id: guid_field(id, "id")?,
    })
}

pub(super) fn role_set(raw: &RawRoleSet) -> Result<RoleSet, SpanError> {
    let purposes = non_empty_list(&raw.purposes, "purposes", |v| {
        parse_enum(v, "purpose", &["backup", "restore"])
    })?;
    if raw.roles.get_ref().is_empty() {
        return Err((raw.roles.span(), "`roles` is empty".to_string()));
    }
    let roles = raw
        .roles
        .get_ref()
        .iter()
        .map(|r: &RawRole| role_ref(&r.name, r.id.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RoleSet {
        purposes,
        roles,
        note: raw.note.as_ref().map(|n| n.trim().to_string()),
    })
}

pub(super) fn app_role(raw: &RawAppRole) -> Result<AppRole, SpanError> {
    Ok(AppRole {
        role: role_ref(&raw.name, raw.id.as_ref())?,
        note: raw.note.as_ref().map(|n| n.trim().to_string()),
    })
}
