//! `entra-perms diff-matrix OLD NEW`: what a newer matrix adds, drops or changes.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::ExplainFormat;
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report::matrix;

pub fn run(old: &Path, new: &Path, format: ExplainFormat, out: &mut dyn Write) -> Result<Outcome> {
    let old = Matrix::load(Some(old))?;
    let new = Matrix::load(Some(new))?;
    let d = crate::matrix_diff::diff(&old, &new);
    match format {
        ExplainFormat::Table => matrix::diff_text(&d, out)?,
        ExplainFormat::Json => matrix::diff_json(&d, out)?,
    }
    Ok(Outcome::Passed)
}
