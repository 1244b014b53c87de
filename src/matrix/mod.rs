//! The permission matrix: its types, loading (embedded or `--matrix FILE`) and validation.
//!
//! Every error names the file, the line and the column, and what is wrong.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::permission::PermissionType;

/// The matrix shipped inside the binary.
pub const EMBEDDED: &str = include_str!("../../permissions.toml");
/// The largest matrix file accepted (the embedded one is about 10 KiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The name the embedded matrix is reported under.
pub const EMBEDDED_NAME: &str = "permissions.toml (embedded)";

/// What a permission is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Backup,
    Restore,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Backup, Purpose::Restore];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Backup => "backup",
            Purpose::Restore => "restore",
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Microsoft Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ApiVersion {
    #[serde(rename = "v1.0")]
    V1,
    #[serde(rename = "beta")]
    Beta,
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        })
    }
}

/// One row of the matrix: a permission of one type, what it protects and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub name: String,
    pub ptype: PermissionType,
    pub api_versions: Vec<ApiVersion>,
    pub objects: Vec<String>,
    pub purposes: Vec<Purpose>,
    pub description: String,
    /// The app role id (Application permission), lower case.
    pub application_id: Option<String>,
    /// The delegated scope id (Delegated permission), lower case.
    pub delegated_id: Option<String>,
    /// The 1-based line of its `name` in the matrix file (for SARIF locations).
    pub line: usize,
    /// Microsoft Graph has no permission of this name with this type (e.g. `User.Read` as
    /// Application): it can never be granted, so it is never a gap (a warning says so).
    pub impossible: bool,
    /// The vendor marks it optional: counted only with `--include-optional`.
    pub optional: bool,
    /// What the reader should know of the row (a vendor's error, say).
    pub note: Option<String>,
    /// Where the row comes from: its own `source`, else the header's.
    pub source: Option<String>,
}

impl Permission {
    /// The Graph id of this permission as a grant of type `t` (`Application` or `Delegated`).
    pub fn id_for(&self, t: PermissionType) -> Option<&str> {
        match t {
            PermissionType::Application => self.application_id.as_deref(),
            PermissionType::Delegated => self.delegated_id.as_deref(),
            PermissionType::Any => None,
        }
    }

    pub fn has_purpose(&self, p: Purpose) -> bool {
        self.purposes.contains(&p)
    }
}

/// A broader permission that Microsoft documents as also allowing what a narrower one allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Implication {
    pub broader: String,
    pub narrower: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub source: String,
}

/// The validated matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Where it came from (a path, or the embedded copy's name), for messages.
    pub origin: String,
    /// The matrix's own version, if it declares one.
    pub version: Option<String>,
    pub permissions: Vec<Permission>,
    pub implies: Vec<Implication>,
    /// The TOML it was read from, as written (comments included): `matrix --format toml` gives
    /// it back, to commit to a repository and name with `--matrix`.
    pub text: String,
    /// Rows Microsoft's permission data does not know as written.
    pub warnings: Vec<MatrixWarning>,
    /// The embedded matrix's name (`keepit`, `veeam-vbr13`, …); `None` for a file.
    pub name: Option<String>,
    /// Whose list it is (the `[matrix]` header).
    pub info: Option<MatrixInfo>,
    /// The roles it requires of a service account, per purpose (alternatives for one purpose).
    pub roles: Vec<RoleSet>,
    /// The roles the vendor assigns to the app's service principal.
    pub app_roles: Vec<AppRole>,
}

impl Matrix {
    /// The matrix shipped in the binary (the source document's, `keepit`).
    pub fn embedded() -> Result<Matrix, MatrixError> {
        Matrix::parse(EMBEDDED, EMBEDDED_NAME).map(|mut m| {
            m.name = Some("keepit".to_string());
            m
        })
    }

    /// Load `--matrix FILE`, or the embedded matrix when no file is given.
    pub fn load(path: Option<&Path>) -> Result<Matrix, Error> {
        Matrix::load_detailed(path).map_err(Error::from)
    }

    /// [`Matrix::load`], refusing (exit 2) a matrix with any row Microsoft's permission data does
    /// not know as written when `strict`.
    pub fn load_checked(path: Option<&Path>, strict: bool) -> Result<Matrix, Error> {
        let matrix = Matrix::load(path)?;
        if strict && !matrix.warnings.is_empty() {
            return Err(Error::input(format!(
                "the matrix has rows Microsoft's permission data does not know as written (refused in strict mode): {}",
                matrix
                    .warnings
                    .iter()
                    .map(|w| w.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        Ok(matrix)
    }

    /// [`Matrix::load`], with the error's place in the file as data.
    pub fn load_detailed(path: Option<&Path>) -> Result<Matrix, MatrixError> {
        // An embedded matrix by its name (a file of that name is `./NAME`).
        if let Some(found) = path.and_then(Path::to_str).and_then(embedded::named) {
            return found;
        }
        if path.and_then(Path::to_str) == Some(embedded::AUTO) {
            return Err(MatrixError {
                origin: embedded::AUTO.to_string(),
                position: None,
                message: "`auto` picks the matrix one app's grants fit best: it is for an audit of one app (from Graph or a snapshot), not this command".to_string(),
            });
        }
        match path {
            None => Matrix::embedded(),
            Some(path) => {
                let origin = path.display().to_string();
                let bytes =
                    crate::input::read_bounded(path, MAX_FILE_BYTES, true).map_err(|e| {
                        MatrixError {
                            origin: origin.clone(),
                            position: None,
                            message: match e {
                                crate::input::ReadError::TooLarge(limit) => format!(
                                    "the file is larger than {limit}: not a permission matrix"
                                ),
                                // A bare word is most likely a misspelt embedded name.
                                e if !origin.contains(['/', '\\', '.']) => format!(
                                    "no embedded matrix `{origin}` (the embedded ones: {}) and no file of that name: {e}",
                                    embedded::names()
                                ),
                                e => format!("cannot read the matrix file: {e}"),
                            },
                        }
                    })?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    let at = e.utf8_error().valid_up_to();
                    MatrixError {
                        origin: origin.clone(),
                        position: None,
                        message: format!(
                            "the file is not UTF-8 text (invalid byte at offset {at})"
                        ),
                    }
                })?;
                Matrix::parse(&text, &origin)
            }
        }
    }

    /// Parse and validate matrix text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Matrix, MatrixError> {
        let err_at = |span: Option<Range<usize>>, message: String| MatrixError {
            origin: origin.to_string(),
            position: span.map(|s| line_col(text, s.start)),
            message,
        };
        let raw: RawMatrix =
            toml::from_str(text).map_err(|e| err_at(e.span(), e.message().trim().to_string()))?;

        let mut permissions = Vec::with_capacity(raw.permission.len());
        let mut seen: HashMap<(String, PermissionType), ()> = HashMap::new();
        let mut ids_by_name: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        if raw.permission.is_empty() {
            return Err(err_at(
                None,
                "the matrix has no [[permission]] tables".to_string(),
            ));
        }
        for row in raw.permission {
            permissions.push(check_row(row, &err_at, text, &mut seen, &mut ids_by_name)?);
        }

        let mut implies = Vec::with_capacity(raw.implies.len());
        let mut seen_implies = BTreeSet::new();
        for imp in raw.implies {
            implies.push(check_implies(
                imp,
                &permissions,
                &err_at,
                &mut seen_implies,
            )?);
        }

        let at = |(s, m): SpanError| err_at(Some(s), m);
        let info = raw
            .matrix
            .as_ref()
            .map(vendor::header)
            .transpose()
            .map_err(at)?;
        let roles = raw
            .role
            .iter()
            .map(vendor::role_set)
            .collect::<Result<Vec<_>, _>>()
            .map_err(at)?;
        let app_roles = raw
            .app_role
            .iter()
            .map(vendor::app_role)
            .collect::<Result<Vec<_>, _>>()
            .map_err(at)?;
        // Each row cites its source: its own, else the vendor's page.
        if let Some(i) = &info {
            for p in permissions.iter_mut().filter(|p| p.source.is_none()) {
                p.source = Some(i.source.clone());
            }
        }
        let vendor_name = info.as_ref().map(|i: &MatrixInfo| i.vendor.as_str());
        let warnings = check_against_catalog(&mut permissions, origin, vendor_name);
        Ok(Matrix {
            origin: origin.to_string(),
            version: raw.version.map(|v| v.trim().to_string()),
            permissions,
            implies,
            text: text.to_string(),
            warnings,
            name: None,
            info,
            roles,
            app_roles,
        })
    }

    /// The protected objects, in order of first appearance.
    pub fn objects(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.permissions {
            for o in &p.objects {
                if !out.contains(&o.as_str()) {
                    out.push(o);
                }
            }
        }
        out
    }

    /// The distinct permission names, in order of first appearance.
    pub fn permission_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.permissions {
            if !out.contains(&p.name.as_str()) {
                out.push(&p.name);
            }
        }
        out
    }

    /// The name and type of the permission with this Graph id (app role or scope id).
    pub fn by_id(&self, id: &str) -> Vec<(&str, PermissionType)> {
        let id = id.to_ascii_lowercase();
        let mut out = Vec::new();
        for t in [PermissionType::Application, PermissionType::Delegated] {
            if let Some(p) = self
                .permissions
                .iter()
                .find(|p| p.id_for(t) == Some(id.as_str()))
            {
                out.push((p.name.as_str(), t));
            }
        }
        out
    }

    /// The application permissions (rows of type Application or Any) that only `purpose` needs:
    /// no row for another purpose names them, as an application permission.
    pub fn application_only_for(&self, purpose: Purpose) -> Vec<&str> {
        let as_app = |p: &&Permission| p.ptype != PermissionType::Delegated;
        self.permission_names()
            .into_iter()
            .filter(|name| {
                let rows: Vec<&Permission> = self
                    .permissions
                    .iter()
                    .filter(as_app)
                    .filter(|p| p.name.eq_ignore_ascii_case(name))
                    .collect();
                !rows.is_empty() && rows.iter().all(|p| p.purposes == [purpose])
            })
            .collect()
    }

    /// The Tier-0 application permissions only restore needs: those an app that restores
    /// rarely can hold just in time.
    pub fn restore_only_tier0(&self) -> Vec<&str> {
        self.application_only_for(Purpose::Restore)
            .into_iter()
            .filter(|name| crate::catalog::app_tier(name).is_some_and(|t| t.tier == 0))
            .collect()
    }

    /// The matrix's id for permission `name` granted as type `t`.
    pub fn id_of(&self, name: &str, t: PermissionType) -> Option<&str> {
        self.permissions
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.id_for(t))
    }
}

fn canonical_name(perms: &[Permission], name: &str) -> Option<String> {
    let name = name.trim();
    perms
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.name.clone())
}

fn is_permission_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Builds a [`MatrixError`] at a place of the file.
type ErrAt<'a> = dyn Fn(Option<Range<usize>>, String) -> MatrixError + 'a;

/// Ids of each permission name seen so far (a name's rows must agree on its ids).
type IdsByName = HashMap<String, (Option<String>, Option<String>)>;

/// A free-text value, trimmed; empty is none.
fn trimmed(v: Option<toml::Spanned<String>>) -> Option<String> {
    v.map(|s| s.into_inner().trim().to_string())
        .filter(|s| !s.is_empty())
}

/// One `[[permission]]` row, validated.
fn check_row(
    row: RawPermission,
    err_at: &ErrAt<'_>,
    text: &str,
    seen: &mut HashMap<(String, PermissionType), ()>,
    ids_by_name: &mut IdsByName,
) -> Result<Permission, MatrixError> {
    let name = row.name.get_ref().trim().to_string();
    if !is_permission_name(&name) {
        return Err(err_at(
            Some(row.name.span()),
            format!(
                "`{name}` is not a permission name (expected letters, digits, '.', '_' or '-')"
            ),
        ));
    }
    let ptype = parse_enum(&row.ptype, "type", &["Application", "Delegated", "Any"])
        .map_err(|(s, m)| err_at(Some(s), m))?;
    if seen.insert((name.to_lowercase(), ptype), ()).is_some() {
        return Err(err_at(
            Some(row.name.span()),
            format!("duplicate row: `{name}` ({ptype}) appears twice"),
        ));
    }
    // A vendor's page seldom says which API version: then the row names none.
    let api_versions = match &row.api_versions {
        None => Vec::new(),
        Some(list) => non_empty_list(list, "api_versions", |v| {
            parse_enum(v, "API version", &["v1.0", "beta"])
        })
        .map_err(|(s, m)| err_at(Some(s), m))?,
    };
    let purposes = non_empty_list(&row.purposes, "purposes", |v| {
        parse_enum(v, "purpose", &["backup", "restore"])
    })
    .map_err(|(s, m)| err_at(Some(s), m))?;
    let objects = non_empty_list(&row.objects, "objects", |v| {
        let o = v.get_ref().trim();
        if o.is_empty() {
            Err((v.span(), "an object name is empty".to_string()))
        } else {
            Ok(o.to_string())
        }
    })
    .map_err(|(s, m)| err_at(Some(s), m))?;
    let description = row.description.get_ref().trim().to_string();
    if description.is_empty() {
        return Err(err_at(
            Some(row.description.span()),
            "the description is empty".to_string(),
        ));
    }
    // An id a row leaves out comes from Microsoft's permission data: a matrix written from a
    // vendor's page needs only names and types.
    let from_catalog = |t: PermissionType| {
        crate::catalog::permissions(&name)
            .into_iter()
            .find(|p| p.ptype == t && !p.id.is_empty())
            .map(|p| p.id.to_ascii_lowercase())
    };
    let application_id = guid_field(row.application_id.as_ref(), "application_id")
        .map_err(|(s, m)| err_at(Some(s), m))?
        .or_else(|| {
            ptype
                .accepts(PermissionType::Application)
                .then(|| from_catalog(PermissionType::Application))
                .flatten()
        });
    let delegated_id = guid_field(row.delegated_id.as_ref(), "delegated_id")
        .map_err(|(s, m)| err_at(Some(s), m))?
        .or_else(|| {
            ptype
                .accepts(PermissionType::Delegated)
                .then(|| from_catalog(PermissionType::Delegated))
                .flatten()
        });
    // A name Microsoft's data knows, yet not with this type, is checked below (a warning: it
    // can never be granted); an unknown one must bring its ids.
    let known = crate::catalog::knows(&name);
    let needs = |t: PermissionType, id: &Option<String>, key: &str| {
        if ptype.accepts(t) && ptype != PermissionType::Any && id.is_none() && !known {
            Err(err_at(
                Some(row.name.span()),
                format!("`{name}` is a {ptype} permission but has no {key}"),
            ))
        } else {
            Ok(())
        }
    };
    needs(
        PermissionType::Application,
        &application_id,
        "application_id",
    )?;
    needs(PermissionType::Delegated, &delegated_id, "delegated_id")?;
    if ptype == PermissionType::Any && application_id.is_none() && delegated_id.is_none() && !known
    {
        return Err(err_at(
            Some(row.name.span()),
            format!("`{name}` has neither an application_id nor a delegated_id"),
        ));
    }
    // Rows of one name must agree on each id both give (a row of one type may give only its own).
    let clash =
        |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x != y);
    let entry = ids_by_name.entry(name.to_lowercase()).or_default();
    if clash(&entry.0, &application_id) || clash(&entry.1, &delegated_id) {
        return Err(err_at(
            Some(row.name.span()),
            format!("`{name}` appears in several rows with different ids"),
        ));
    }
    entry.0 = entry.0.take().or_else(|| application_id.clone());
    entry.1 = entry.1.take().or_else(|| delegated_id.clone());
    let line = line_col(text, row.name.span().start).0;
    Ok(Permission {
        line,
        name,
        ptype,
        api_versions,
        objects,
        purposes,
        description,
        application_id,
        delegated_id,
        impossible: false,
        optional: row.optional.unwrap_or(false),
        note: trimmed(row.note),
        source: trimmed(row.source),
    })
}

/// One `[[implies]]` entry, validated against the rows and the catalog.
fn check_implies(
    imp: RawImplies,
    permissions: &[Permission],
    err_at: &ErrAt<'_>,
    seen_implies: &mut BTreeSet<(String, String, PermissionType)>,
) -> Result<Implication, MatrixError> {
    let ptype = parse_enum(&imp.ptype, "type", &["Application", "Delegated"])
        .map_err(|(s, m)| err_at(Some(s), m))?;
    // The broader permission may be any Microsoft Graph permission: a row of the matrix or
    // one of the embedded catalog.
    let broader = canonical_name(permissions, imp.broader.get_ref())
        .or_else(|| {
            crate::catalog::permissions(imp.broader.get_ref().trim())
                .first()
                .map(|p| p.permission.clone())
        })
        .ok_or_else(|| {
            err_at(
                Some(imp.broader.span()),
                format!(
                    "implies: `{}` is neither a permission of this matrix nor a Microsoft Graph permission",
                    imp.broader.get_ref()
                ),
            )
        })?;
    let narrower = canonical_name(permissions, imp.narrower.get_ref()).ok_or_else(|| {
        err_at(
            Some(imp.narrower.span()),
            format!(
                "implies: `{}` is not a permission of this matrix",
                imp.narrower.get_ref()
            ),
        )
    })?;
    if broader == narrower {
        return Err(err_at(
            Some(imp.narrower.span()),
            format!("implies: `{broader}` cannot imply itself"),
        ));
    }
    if !permissions
        .iter()
        .any(|p| p.name == narrower && p.ptype.accepts(ptype))
    {
        return Err(err_at(
            Some(imp.ptype.span()),
            format!("implies: the matrix has no {ptype} row for `{narrower}`"),
        ));
    }
    let has_id = permissions
        .iter()
        .any(|p| p.name == broader && p.id_for(ptype).is_some())
        || crate::catalog::permissions(&broader)
            .iter()
            .any(|p| p.ptype == ptype);
    if !has_id {
        return Err(err_at(
            Some(imp.broader.span()),
            format!("implies: `{broader}` is not a {ptype} permission of Microsoft Graph"),
        ));
    }
    let source = imp.source.get_ref().trim().to_string();
    if source.is_empty() {
        return Err(err_at(
            Some(imp.source.span()),
            "implies: the source is empty (name the Microsoft Graph page that documents it)"
                .to_string(),
        ));
    }
    if !seen_implies.insert((broader.clone(), narrower.clone(), ptype)) {
        return Err(err_at(
            Some(imp.broader.span()),
            format!("duplicate implies entry: `{broader}` => `{narrower}` ({ptype})"),
        ));
    }
    Ok(Implication {
        broader,
        narrower,
        ptype,
        source,
    })
}

/// A matrix that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixError {
    pub origin: String,
    /// 1-based (line, column), where the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(
                f,
                "invalid matrix {}:{line}:{col}: {}",
                self.origin, self.message
            ),
            None => write!(f, "invalid matrix {}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for MatrixError {}

impl From<MatrixError> for Error {
    fn from(e: MatrixError) -> Error {
        Error::input(e.to_string())
    }
}

pub mod embedded;
mod fields;
mod known;
mod raw;
#[cfg(test)]
mod tests;
mod vendor;

pub use fields::line_col;
use fields::SpanError;
use fields::{guid_field, non_empty_list, parse_enum};
use known::check_against_catalog;
pub use known::MatrixWarning;
use raw::{RawImplies, RawMatrix, RawPermission};
pub use vendor::{AppRole, MatrixInfo, RoleRef, RoleSet};
