//! An Azure Pipelines agent stand-in: a pipeline's steps run in order in a workspace holding only
//! the user's repository. Template expressions (`${{ parameters.x }}`) are filled in first, as the
//! server does; macros (`$(name)`) when a step runs; variables reach scripts as environment
//! variables (`Pipeline.Workspace` → `PIPELINE_WORKSPACE`), secrets such as `System.AccessToken`
//! only where a step maps them. Scripts (`bash:`, `AzureCLI@2` inline bash, which also exposes the
//! service connection) run in bash, and their `##vso[…]` commands take effect. Tasks:
//! `DownloadPipelineArtifact@2` (the latest completed run of the branch carrying the tags, whose
//! result is succeeded — or partially succeeded, or failed, only when allowed — and the artifact
//! must be in it), `PublishPipelineArtifact@1` (a name once per run), `PublishTestResults@2`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::Yaml;

use super::expr::{self, Context, Value};
use super::{bash, copy_dir, fresh, has_files};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Result {
    Succeeded,
    PartiallySucceeded,
    Failed,
}

/// A run kept by the server: its result, branch, tags and artifacts.
pub(crate) struct Run {
    pub(crate) id: u64,
    pub(crate) result: Result,
    pub(crate) branch: String,
    pub(crate) tags: Vec<String>,
    pub(crate) artifacts: HashMap<String, PathBuf>,
    pub(crate) log: String,
    /// `##vso[task.logissue type=error]` messages.
    pub(crate) errors: Vec<String>,
}

pub(crate) struct Agent {
    pub(crate) repo: PathBuf,
    pub(crate) base: PathBuf,
    pub(crate) env: HashMap<String, String>,
    /// What AzureCLI@2 exposes of the service connection (AZURESUBSCRIPTION_*), and the
    /// agent's OIDC request address (System.OidcRequestUri).
    pub(crate) connection: HashMap<String, String>,
    pub(crate) runs: Vec<Run>,
}

struct Conditions<'a> {
    variables: &'a HashMap<String, String>,
    failed: bool,
}

impl Context for Conditions<'_> {
    fn lookup(&self, path: &[String]) -> Value {
        match path {
            [v, name] if v == "variables" => self
                .variables
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| Value::Str(v.clone()))
                .unwrap_or(Value::Null),
            other => panic!("a condition reads {other:?}"),
        }
    }

    fn status(&self, name: &str) -> Option<bool> {
        match name {
            "always" | "succeededorfailed" => Some(true),
            "succeeded" => Some(!self.failed),
            "failed" => Some(self.failed),
            "canceled" | "cancelled" => Some(false),
            _ => None,
        }
    }
}

/// Fill `$(name)` macros of known variables; unknown ones stay as written, as the agent does.
fn macros(text: &str, variables: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$(") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find(')') {
            Some(end) => {
                let name = &after[..end];
                match variables.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[at..at + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn env_name(variable: &str) -> String {
    variable.to_uppercase().replace('.', "_")
}

fn text_of(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

impl Agent {
    /// Run the pipeline `file` on `branch` with `parameters` (the others take their defaults).
    pub(crate) fn run(&mut self, file: &str, branch: &str, parameters: &[(&str, bool)]) -> &Run {
        let doc = self.render(file, parameters);

        let id = 500 + self.runs.len() as u64;
        let workspace = fresh(&self.base, "pipeline");
        let sources = workspace.join("s");
        copy_dir(&self.repo, &sources);
        let temp = fresh(&self.base, "agent-temp");
        let tools = fresh(&self.base, "agent-tools");
        let staging = workspace.join("a");
        std::fs::create_dir_all(&staging).unwrap();
        let mut variables: HashMap<String, String> = HashMap::from([
            ("Pipeline.Workspace".into(), workspace.display().to_string()),
            (
                "Build.SourcesDirectory".into(),
                sources.display().to_string(),
            ),
            (
                "Build.ArtifactStagingDirectory".into(),
                staging.display().to_string(),
            ),
            ("Agent.TempDirectory".into(), temp.display().to_string()),
            ("Agent.ToolsDirectory".into(), tools.display().to_string()),
            (
                "System.TeamProjectId".into(),
                "5b9e1c70-0c3a-4d1f-9c55-8d5f7e2a1b44".into(),
            ),
            ("System.DefinitionId".into(), "17".into()),
            ("Build.SourceBranch".into(), branch.into()),
            ("Build.BuildId".into(), id.to_string()),
            ("System.AccessToken".into(), "ado-system-token".into()),
        ]);
        if let Some(vars) = doc["variables"].as_hash() {
            for (k, v) in vars {
                let value = macros(&text_of(v).unwrap(), &variables);
                variables.insert(k.as_str().unwrap().into(), value);
            }
        }
        let mut path = self.env.get("PATH").cloned().unwrap_or_default();
        let mut run = Run {
            id,
            result: Result::Succeeded,
            branch: branch.into(),
            tags: Vec::new(),
            artifacts: HashMap::new(),
            log: String::new(),
            errors: Vec::new(),
        };
        let mut failed = false;
        let mut with_issues = false;
        for step in doc["steps"].as_vec().expect("steps") {
            let name = step["displayName"]
                .as_str()
                .or(step["task"].as_str())
                .unwrap_or("script")
                .to_string();
            let condition = step["condition"].as_str().unwrap_or("succeeded()");
            let ctx = Conditions {
                variables: &variables,
                failed,
            };
            if !expr::eval(condition, &ctx).truthy() {
                run.log.push_str(&format!("--- {name}: skipped\n"));
                continue;
            }
            let mut env = self.env.clone();
            env.insert("PATH".into(), path.clone());
            env.insert("TF_BUILD".into(), "True".into());
            for (k, v) in &variables {
                if k != "System.AccessToken" {
                    env.insert(env_name(k), v.clone());
                }
            }
            if let Some(map) = step["env"].as_hash() {
                for (k, v) in map {
                    env.insert(
                        k.as_str().unwrap().into(),
                        macros(&text_of(v).unwrap(), &variables),
                    );
                }
            }
            let input = |k: &str| text_of(&step["inputs"][k]).map(|v| macros(&v, &variables));
            let ok = if let Some(script) = step["bash"].as_str() {
                let script = macros(script, &variables);
                self.script(&script, env, &sources, &mut run, &mut path, &mut variables)
            } else {
                let task = step["task"].as_str().expect("a step is bash: or task:");
                if task == "AzureCLI@2" {
                    assert_eq!(input("scriptType").as_deref(), Some("bash"));
                    assert_eq!(input("scriptLocation").as_deref(), Some("inlineScript"));
                    env.extend(self.connection.clone());
                    let script = input("inlineScript").expect("an inline script");
                    self.script(&script, env, &sources, &mut run, &mut path, &mut variables)
                } else {
                    self.task(task, &input, &mut run)
                }
            };
            run.log.push_str(&format!(
                "--- {name}: {}\n",
                if ok { "succeeded" } else { "failed" }
            ));
            if !ok {
                if step["continueOnError"].as_bool() == Some(true) {
                    with_issues = true;
                } else {
                    failed = true;
                }
            }
        }
        run.result = if failed {
            Result::Failed
        } else if with_issues {
            Result::PartiallySucceeded
        } else {
            Result::Succeeded
        };
        self.runs.push(run);
        self.runs.last().unwrap()
    }

    /// The pipeline with its template expressions filled in, as the server does before a run
    /// (a boolean parameter renders as True or False).
    fn render(&self, file: &str, parameters: &[(&str, bool)]) -> Yaml {
        let raw = std::fs::read_to_string(self.repo.join(file)).unwrap();
        let declared = yaml_rust2::YamlLoader::load_from_str(&raw)
            .unwrap()
            .remove(0);
        // Template expressions first: a boolean parameter renders as True or False.
        let mut text = raw.clone();
        if let Some(list) = declared["parameters"].as_vec() {
            for p in list {
                let name = p["name"].as_str().unwrap();
                let value = parameters
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| *v)
                    .or(p["default"].as_bool())
                    .expect("a boolean parameter");
                let rendered = if value { "True" } else { "False" };
                text = text.replace(&format!("${{{{ parameters.{name} }}}}"), rendered);
            }
        }
        for (name, _) in parameters {
            assert!(
                raw.contains(&format!("parameters.{name}")),
                "{file} has no parameter {name}"
            );
        }
        assert!(
            !text.contains("${{"),
            "a template expression is left in {file}"
        );
        yaml_rust2::YamlLoader::load_from_str(&text)
            .unwrap()
            .remove(0)
    }

    /// A task other than a script: artifacts and test results.
    fn task(&self, task: &str, input: &dyn Fn(&str) -> Option<String>, run: &mut Run) -> bool {
        match task {
            "DownloadPipelineArtifact@2" => self.download(input, run),
            "PublishPipelineArtifact@1" => {
                let target = PathBuf::from(input("targetPath").expect("targetPath"));
                let artifact = input("artifact").expect("an artifact name");
                if run.artifacts.contains_key(&artifact) {
                    run.log.push_str(&format!(
                        "##[error]Artifact {artifact} already exists for build {}.\n",
                        run.id
                    ));
                    return false;
                }
                if !target.exists() || (target.is_dir() && !has_files(&target)) {
                    run.log.push_str(&format!(
                        "##[error]Path does not exist or is empty: {}\n",
                        target.display()
                    ));
                    return false;
                }
                let kept = fresh(&self.base, "pipeline-artifact");
                copy_dir(&target, &kept);
                run.artifacts.entry(artifact).or_insert(kept);
                true
            }
            "PublishTestResults@2" => {
                let file = PathBuf::from(input("testResultsFiles").expect("a results file"));
                let must = input("failTaskOnMissingResultsFile").as_deref() == Some("true");
                let fail_failed = input("failTaskOnFailedTests").as_deref() == Some("true");
                match std::fs::read_to_string(&file) {
                    Err(_) => {
                        run.log.push_str(
                            "##[warning]No test result files matching the pattern were found.\n",
                        );
                        !must
                    }
                    Ok(xml) => !(fail_failed && has_failures(&xml)),
                }
            }
            other => panic!("this agent stand-in has no task {other}"),
        }
    }

    fn script(
        &self,
        script: &str,
        env: HashMap<String, String>,
        cwd: &Path,
        run: &mut Run,
        path: &mut String,
        variables: &mut HashMap<String, String>,
    ) -> bool {
        let ran = bash(script, &["--noprofile", "--norc"], &env, cwd);
        run.log.push_str(&ran.stdout);
        run.log.push_str(&ran.stderr);
        for line in ran.stdout.lines() {
            let Some(command) = line.trim_start().strip_prefix("##vso[") else {
                continue;
            };
            let Some((head, value)) = command.split_once(']') else {
                continue;
            };
            let mut words = head.split_whitespace();
            let area = words.next().unwrap_or_default();
            let properties: HashMap<&str, &str> = words
                .flat_map(|w| w.split(';'))
                .filter_map(|p| p.split_once('='))
                .collect();
            match area {
                "task.prependpath" => *path = format!("{value}:{path}"),
                "task.setvariable" => {
                    let name = properties.get("variable").expect("a variable name");
                    variables.insert((*name).to_string(), value.to_string());
                }
                "build.addbuildtag" => run.tags.push(value.to_string()),
                "task.logissue" if properties.get("type") == Some(&"error") => {
                    run.errors.push(value.to_string())
                }
                _ => {}
            }
        }
        ran.code == 0
    }

    fn download(&self, input: &dyn Fn(&str) -> Option<String>, run: &mut Run) -> bool {
        assert_eq!(input("source").as_deref(), Some("specific"));
        assert_eq!(input("runVersion").as_deref(), Some("latestFromBranch"));
        for required in ["project", "pipeline"] {
            assert!(input(required).is_some(), "{required} is required");
        }
        let flag = |k: &str| input(k).as_deref() == Some("true");
        let branch = input("runBranch").unwrap_or_else(|| "refs/heads/master".into());
        let tags: Vec<String> = input("tags")
            .unwrap_or_default()
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let allowed = |r: Result| match r {
            Result::Succeeded => true,
            Result::PartiallySucceeded => flag("allowPartiallySucceededBuilds"),
            Result::Failed => flag("allowFailedBuilds"),
        };
        let latest = self.runs.iter().rev().find(|r| {
            r.branch == branch && allowed(r.result) && tags.iter().all(|t| r.tags.contains(t))
        });
        let artifact = input("artifact").expect("an artifact name");
        let target = PathBuf::from(input("path").expect("a path"));
        match latest {
            None => {
                run.log.push_str(
                    "##[error]No builds currently exist in the pipeline definition supplied.\n",
                );
                false
            }
            Some(found) => match found.artifacts.get(&artifact) {
                Some(dir) => {
                    copy_dir(dir, &target);
                    run.log.push_str(&format!(
                        "Downloading artifact {artifact} of run {}\n",
                        found.id
                    ));
                    true
                }
                None => {
                    run.log.push_str(&format!(
                        "##[error]Artifact {artifact} was not found for build {}.\n",
                        found.id
                    ));
                    false
                }
            },
        }
    }
}

/// Whether a JUnit document records a failure.
fn has_failures(xml: &str) -> bool {
    xml.contains("<failure")
}
