//! The matrix file as TOML holds it, before validation: every value with its span, so that an
//! error names its line and column.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatrix {
    pub(super) version: Option<String>,
    /// Whose list it is: the vendor's header.
    pub(super) matrix: Option<Spanned<RawHeader>>,
    #[serde(default)]
    pub(super) permission: Vec<RawPermission>,
    #[serde(default)]
    pub(super) implies: Vec<RawImplies>,
    #[serde(default)]
    pub(super) role: Vec<RawRoleSet>,
    #[serde(default, rename = "app-role")]
    pub(super) app_role: Vec<RawAppRole>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawHeader {
    pub(super) vendor: Spanned<String>,
    pub(super) product: Spanned<String>,
    pub(super) version: Option<String>,
    pub(super) source: Spanned<String>,
    pub(super) document_date: Option<Spanned<String>>,
    pub(super) retrieved: Option<Spanned<String>>,
    pub(super) partial: Option<String>,
    #[serde(default)]
    pub(super) unreadable: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoleSet {
    pub(super) purposes: Spanned<Vec<Spanned<String>>>,
    pub(super) roles: Spanned<Vec<RawRole>>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRole {
    pub(super) name: Spanned<String>,
    pub(super) id: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAppRole {
    pub(super) name: Spanned<String>,
    pub(super) id: Option<Spanned<String>>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPermission {
    pub(super) name: Spanned<String>,
    #[serde(rename = "type")]
    pub(super) ptype: Spanned<String>,
    pub(super) api_versions: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) objects: Spanned<Vec<Spanned<String>>>,
    pub(super) purposes: Spanned<Vec<Spanned<String>>>,
    pub(super) description: Spanned<String>,
    pub(super) application_id: Option<Spanned<String>>,
    pub(super) delegated_id: Option<Spanned<String>>,
    /// The vendor marks it optional: counted only with `--include-optional`.
    pub(super) optional: Option<bool>,
    /// What the reader should know of the row (a vendor's error, say), in our words.
    pub(super) note: Option<Spanned<String>>,
    /// Where the row comes from, when not the header's `source`.
    pub(super) source: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImplies {
    pub(super) broader: Spanned<String>,
    pub(super) narrower: Spanned<String>,
    #[serde(rename = "type")]
    pub(super) ptype: Spanned<String>,
    pub(super) source: Spanned<String>,
}
