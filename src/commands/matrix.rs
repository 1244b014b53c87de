//! `entra-perms matrix`: the permission matrix, as a table, JSON or Markdown.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::MatrixFormat;
use crate::exit::Outcome;
use crate::matrix::Matrix;
use crate::report::matrix_view;

pub fn run(matrix: Option<&Path>, format: MatrixFormat, out: &mut dyn Write) -> Result<Outcome> {
    let matrix = Matrix::load(matrix)?;
    match format {
        MatrixFormat::Table => matrix_view::table(&matrix, out)?,
        MatrixFormat::Json => matrix_view::json(&matrix, out)?,
        MatrixFormat::Markdown => matrix_view::markdown(&matrix, out)?,
    }
    Ok(Outcome::Passed)
}
