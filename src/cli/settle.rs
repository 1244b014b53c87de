//! The plan and snapshot commands' arguments settled into their validated configs (the rules
//! clap cannot express), and the check every `--app` passes.

use super::*;

/// `--app` as given, which may not be blank.
pub(super) fn app_arg(app: &str) -> Result<String, Error> {
    let app = app.trim();
    if app.is_empty() {
        return Err(Error::input(
            "--app is empty: give the application (client) id, the service principal's object id or its exact display name",
        ));
    }
    Ok(app.to_string())
}

impl PlanArgs {
    pub fn config(&self) -> Result<PlanConfig, Error> {
        let source = match (&self.app, &self.from) {
            (_, Some(path)) => GrantsSource::Snapshot(path.clone()),
            (Some(app), None) => GrantsSource::Graph { app: app_arg(app)? },
            (None, None) => return Err(Error::input("give --app APP or --from SNAPSHOT")),
        };
        if let Some(path) = &self.output {
            crate::config::check_output_path(path, "--output").map_err(Error::input)?;
        }
        if self.just_in_time && self.scope == Scope::Backup {
            return Err(Error::input(
                "--just-in-time plans the restore window, which --scope backup has none of: use --scope restore (or all)",
            ));
        }
        Ok(PlanConfig {
            source,
            matrix: self.source.matrix.clone(),
            strict_matrix: self.source.strict_matrix,
            connection: Connection::try_from(&self.connection)?,
            service_account: self.service_account.clone(),
            options: crate::audit::Options {
                scope: self.scope,
                strict: self.strict,
                fail_on: FailOn::Gap,
                include_optional: self.include_optional,
            },
            format: match self.format {
                PlanFormat::Text => crate::config::PlanFormat::Text,
                PlanFormat::Json => crate::config::PlanFormat::Json,
                PlanFormat::Markdown => crate::config::PlanFormat::Markdown,
                PlanFormat::Html => crate::config::PlanFormat::Html,
            },
            output: self.output.clone(),
            just_in_time: self.just_in_time,
        })
    }
}

impl SnapshotArgs {
    pub fn config(&self) -> Result<SnapshotConfig, Error> {
        if let Some(path) = &self.output {
            crate::config::check_output_path(path, "--output").map_err(Error::input)?;
        }
        Ok(SnapshotConfig {
            app: app_arg(&self.app)?,
            matrix: self.source.matrix.clone(),
            strict_matrix: self.source.strict_matrix,
            connection: Connection::try_from(&self.connection)?,
            service_account: self.service_account.clone(),
            output: self.output.clone(),
            redact: self.redact,
        })
    }
}
