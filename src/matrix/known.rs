//! Each row of a matrix checked against Microsoft's permission data (the embedded catalog): a
//! permission Graph has with another type only can never be granted; one it does not know may
//! be retired, renamed or newer. Both are warnings naming the row's line.

use serde::Serialize;

use super::Permission;
use crate::permission::PermissionType;

/// A row of the matrix that Microsoft's permission data does not know as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixWarning {
    pub line: usize,
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    /// Whether the row can never be granted (the name exists, not with this type).
    pub impossible: bool,
    pub message: String,
}

/// Each row checked against Microsoft's permission data (the embedded catalog): a name Microsoft
/// has with another type only can never be granted (`impossible`); a name it does not have at
/// all may be retired, renamed or newer than the data, and is still audited. Both are warnings
/// naming the row's line.
pub(super) fn check_against_catalog(
    rows: &mut [Permission],
    origin: &str,
    vendor: Option<&str>,
) -> Vec<MatrixWarning> {
    let mut warnings = Vec::new();
    for row in rows.iter_mut() {
        let known: Vec<PermissionType> = crate::catalog::permissions(&row.name)
            .iter()
            .map(|p| p.ptype)
            .collect();
        let message = if known.is_empty() {
            format!(
                "{origin}:{}: `{}` is not in Microsoft's permission data: a retired, renamed or newer permission (it is still audited)",
                row.line, row.name
            )
        } else if !known.iter().any(|t| row.ptype.accepts(*t)) {
            row.impossible = true;
            let only = known
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ");
            if let Some(vendor) = vendor {
                // A vendor's error: said, never counted.
                warnings.push(MatrixWarning {
                    line: row.line,
                    permission: row.name.clone(),
                    ptype: row.ptype,
                    impossible: true,
                    message: format!(
                        "{vendor} lists {} as {}; Microsoft Graph offers no such permission (only {only}): it is never a gap",
                        row.name, row.ptype
                    ),
                });
                continue;
            }
            format!(
                "{origin}:{}: Microsoft Graph has no {} permission `{}` (only {}): the row can never be granted, so it is never a gap",
                row.line,
                row.ptype,
                row.name,
                known
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        } else {
            continue;
        };
        warnings.push(MatrixWarning {
            line: row.line,
            permission: row.name.clone(),
            ptype: row.ptype,
            impossible: row.impossible,
            message,
        });
    }
    warnings
}
