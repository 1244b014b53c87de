//! A GitHub Actions runner stand-in: a workflow's jobs (and matrix entries) run step by step in a
//! workspace holding only the user's repository. `run:` steps run as the hosted runner runs them
//! (`bash --noprofile --norc -eo pipefail`), with `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH` and
//! `GITHUB_STEP_SUMMARY`; the job's OIDC variables are set only when the workflow grants
//! `id-token: write`. `uses:` steps: our Action (its action.yml, composite, from this checkout),
//! `actions/cache/restore|save` (exact key, else the newest entry of a restore-key prefix),
//! `actions/upload-artifact` (a name once per workflow run), `github/codeql-action/upload-sarif`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::Yaml;

use super::expr::{self, Context, Value};
use super::{bash, copy_dir, fresh, has_files};

/// Where caches and artifacts live between runs, and what every run starts from.
pub(crate) struct Runner {
    /// The user's repository: only what the test put there.
    pub(crate) repo: PathBuf,
    /// Scratch space: workspaces, homes, caches, artifacts.
    pub(crate) base: PathBuf,
    /// The runner's environment (PATH and the stand-ins' addresses).
    pub(crate) env: HashMap<String, String>,
    /// Repository variables (`vars.X`).
    pub(crate) vars: HashMap<String, String>,
    /// The job's OIDC endpoint and request token, handed out with `id-token: write`.
    pub(crate) oidc: Option<(String, String)>,
    /// Cache entries in the order they were saved: (key, folder).
    caches: Vec<(String, PathBuf)>,
    next_run: u64,
}

/// One job (one matrix entry) of a run.
pub(crate) struct Job {
    pub(crate) name: String,
    pub(crate) success: bool,
    pub(crate) log: String,
    pub(crate) summary: String,
    pub(crate) steps: HashMap<String, StepState>,
}

/// One workflow run.
pub(crate) struct Run {
    pub(crate) jobs: Vec<Job>,
    /// Artifacts uploaded: (name, folder).
    pub(crate) artifacts: Vec<(String, PathBuf)>,
}

impl Run {
    pub(crate) fn success(&self) -> bool {
        self.jobs.iter().all(|j| j.success)
    }

    pub(crate) fn log(&self) -> String {
        self.jobs.iter().map(|j| j.log.as_str()).collect()
    }
}

#[derive(Clone, Default)]
pub(crate) struct StepState {
    pub(crate) outputs: HashMap<String, String>,
    pub(crate) outcome: String,
}

/// What a step's expressions see.
struct Scope<'a> {
    github: HashMap<String, String>,
    runner: HashMap<String, String>,
    vars: &'a HashMap<String, String>,
    inputs: HashMap<String, Value>,
    matrix: HashMap<String, String>,
    steps: &'a HashMap<String, StepState>,
    failed: bool,
}

impl Context for Scope<'_> {
    fn lookup(&self, path: &[String]) -> Value {
        let text = |m: &HashMap<String, String>, k: &str| {
            m.get(k)
                .map(|v| Value::Str(v.clone()))
                .unwrap_or(Value::Null)
        };
        match path
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["github", k] => text(&self.github, k),
            ["runner", k] => text(&self.runner, k),
            ["vars", k] => text(self.vars, k),
            ["matrix", k] => text(&self.matrix, k),
            ["inputs", k] => self.inputs.get(*k).cloned().unwrap_or(Value::Null),
            ["steps", id, "outputs", k] => self
                .steps
                .get(*id)
                .and_then(|s| s.outputs.get(*k))
                .map(|v| Value::Str(v.clone()))
                .unwrap_or(Value::Null),
            ["steps", id, "outcome" | "conclusion"] => self
                .steps
                .get(*id)
                .map(|s| Value::Str(s.outcome.clone()))
                .unwrap_or(Value::Null),
            other => panic!("the recipe reads {other:?}, which this runner does not know"),
        }
    }

    fn status(&self, name: &str) -> Option<bool> {
        match name {
            "always" => Some(true),
            "success" => Some(!self.failed),
            "failure" => Some(self.failed),
            "cancelled" => Some(false),
            _ => None,
        }
    }
}

fn string_map(y: &Yaml, scope: &Scope<'_>) -> Vec<(String, String)> {
    y.as_hash()
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    let value = match v {
                        Yaml::String(s) => expr::substitute(s, scope),
                        Yaml::Boolean(b) => b.to_string(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("a value {other:?}"),
                    };
                    (k.as_str().unwrap().to_string(), value)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `key=value` and `key<<DELIMITER` blocks, as GitHub reads `GITHUB_OUTPUT` and `GITHUB_ENV`.
fn key_values(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .remove(0)
}

impl Runner {
    pub(crate) fn new(repo: PathBuf, base: PathBuf, env: HashMap<String, String>) -> Runner {
        Runner {
            repo,
            base,
            env,
            vars: HashMap::new(),
            oidc: None,
            caches: Vec::new(),
            next_run: 1000,
        }
    }

    /// Run the workflow at `file` (inside the repository) for `event`, with `inputs` for a
    /// `workflow_dispatch` (the others take their defaults).
    pub(crate) fn run(&mut self, file: &str, event: &str, inputs: &[(&str, Value)]) -> Run {
        let doc = load(&self.repo.join(file));
        let triggered = match &doc["on"] {
            Yaml::String(s) => s == event,
            Yaml::Array(list) => list.iter().any(|e| e.as_str() == Some(event)),
            Yaml::Hash(_) => !doc["on"][event].is_badvalue(),
            _ => false,
        };
        assert!(triggered, "{file} does not run on {event}");
        let mut given: HashMap<String, Value> = HashMap::new();
        if event == "workflow_dispatch" {
            if let Some(declared) = doc["on"]["workflow_dispatch"]["inputs"].as_hash() {
                for (k, spec) in declared {
                    let k = k.as_str().unwrap().to_string();
                    let default = match &spec["default"] {
                        Yaml::Boolean(b) => Value::Bool(*b),
                        Yaml::String(s) => Value::Str(s.clone()),
                        _ => Value::Null,
                    };
                    given.insert(k, default);
                }
            }
            for (k, v) in inputs {
                assert!(given.contains_key(*k), "{file} declares no input {k}");
                given.insert((*k).to_string(), v.clone());
            }
        } else {
            assert!(inputs.is_empty(), "inputs only come with workflow_dispatch");
        }
        self.next_run += 1;
        let run_id = self.next_run;
        let mut run = Run {
            jobs: Vec::new(),
            artifacts: Vec::new(),
        };
        let id_token = |y: &Yaml| y["permissions"]["id-token"].as_str() == Some("write");
        for (job_id, job) in doc["jobs"].as_hash().expect("jobs") {
            let job_id = job_id.as_str().unwrap();
            let entries = matrix_entries(&job["strategy"]["matrix"]);
            for (index, matrix) in entries.into_iter().enumerate() {
                let oidc = if id_token(&doc) || id_token(job) {
                    self.oidc.clone()
                } else {
                    None
                };
                let j = self.job(
                    job_id,
                    job,
                    JobSetup {
                        event,
                        run_id,
                        index,
                        matrix,
                        inputs: given.clone(),
                        oidc,
                    },
                    &mut run.artifacts,
                );
                run.jobs.push(j);
            }
        }
        run
    }

    fn job(
        &mut self,
        job_id: &str,
        job: &Yaml,
        setup: JobSetup<'_>,
        artifacts: &mut Vec<(String, PathBuf)>,
    ) -> Job {
        let workspace = fresh(&self.base, "workspace");
        copy_dir(&self.repo, &workspace);
        let home = fresh(&self.base, "home");
        let temp = fresh(&self.base, "runner-temp");
        let mut env = self.env.clone();
        env.insert("HOME".into(), home.display().to_string());
        env.insert("CI".into(), "true".into());
        env.insert("GITHUB_ACTIONS".into(), "true".into());
        env.insert("GITHUB_JOB".into(), job_id.into());
        env.insert("GITHUB_RUN_ID".into(), setup.run_id.to_string());
        env.insert("GITHUB_EVENT_NAME".into(), setup.event.into());
        env.insert("GITHUB_WORKSPACE".into(), workspace.display().to_string());
        env.insert("RUNNER_TEMP".into(), temp.display().to_string());
        env.insert("RUNNER_OS".into(), "Linux".into());
        if let Some((url, token)) = &setup.oidc {
            env.insert("ACTIONS_ID_TOKEN_REQUEST_URL".into(), url.clone());
            env.insert("ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(), token.clone());
        }
        let mut state = JobState {
            name: format!("{job_id} #{}", setup.index),
            env,
            workspace,
            github: HashMap::from([
                ("run_id".to_string(), setup.run_id.to_string()),
                ("job".to_string(), job_id.to_string()),
                ("event_name".to_string(), setup.event.to_string()),
            ]),
            runner: HashMap::from([
                ("temp".to_string(), temp.display().to_string()),
                ("os".to_string(), "Linux".to_string()),
            ]),
            matrix: setup.matrix,
            failed: false,
            log: String::new(),
            summary: String::new(),
        };
        let steps = job["steps"].as_vec().expect("steps").clone();
        let mut states = HashMap::new();
        self.steps(
            &steps,
            &mut state,
            &setup.inputs,
            &mut states,
            None,
            artifacts,
        );
        Job {
            name: state.name,
            success: !state.failed,
            log: state.log,
            summary: state.summary,
            steps: states,
        }
    }

    /// Run `steps` (a job's, or a composite action's with `action` its folder).
    fn steps(
        &mut self,
        steps: &[Yaml],
        state: &mut JobState,
        inputs: &HashMap<String, Value>,
        states: &mut HashMap<String, StepState>,
        action: Option<&Path>,
        artifacts: &mut Vec<(String, PathBuf)>,
    ) {
        for (n, step) in steps.iter().enumerate() {
            let id = step["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("__{n}"));
            let condition = step["if"].as_str().map(|c| {
                let c = c.trim();
                let c = c
                    .strip_prefix("${{")
                    .and_then(|c| c.strip_suffix("}}"))
                    .unwrap_or(c);
                c.to_string()
            });
            let snapshot = states.clone();
            let vars = self.vars.clone();
            let scope = state.scope(&vars, inputs, &snapshot);
            let run_it = match &condition {
                Some(c) if expr::has_status_function(c) => expr::eval(c, &scope).truthy(),
                Some(c) => !state.failed && expr::eval(c, &scope).truthy(),
                None => !state.failed,
            };
            let name = step["name"]
                .as_str()
                .or(step["uses"].as_str())
                .unwrap_or("run")
                .to_string();
            if !run_it {
                state.log.push_str(&format!("--- {name}: skipped\n"));
                states.insert(
                    id,
                    StepState {
                        outputs: HashMap::new(),
                        outcome: "skipped".into(),
                    },
                );
                continue;
            }
            let step_env: Vec<(String, String)> = string_map(&step["env"], &scope);
            let with: HashMap<String, String> =
                string_map(&step["with"], &scope).into_iter().collect();
            let (ok, outputs) = if let Some(script) = step["run"].as_str() {
                let script = expr::substitute(script, &scope);
                self.run_script(&script, &step_env, state, action)
            } else {
                let uses = step["uses"].as_str().expect("run or uses");
                self.uses(uses, &with, state, artifacts)
            };
            state.log.push_str(&format!(
                "--- {name}: {}\n",
                if ok { "success" } else { "failure" }
            ));
            if !ok {
                state.failed = true;
            }
            states.insert(
                id,
                StepState {
                    outputs,
                    outcome: if ok { "success" } else { "failure" }.into(),
                },
            );
        }
    }

    fn run_script(
        &mut self,
        script: &str,
        step_env: &[(String, String)],
        state: &mut JobState,
        action: Option<&Path>,
    ) -> (bool, HashMap<String, String>) {
        let files = fresh(&self.base, "step-files");
        let path = |n: &str| files.join(n).display().to_string();
        let mut env = state.env.clone();
        for n in [
            "GITHUB_OUTPUT",
            "GITHUB_ENV",
            "GITHUB_PATH",
            "GITHUB_STEP_SUMMARY",
        ] {
            std::fs::write(files.join(n), "").unwrap();
            env.insert(n.to_string(), path(n));
        }
        if let Some(dir) = action {
            env.insert("GITHUB_ACTION_PATH".into(), dir.display().to_string());
        }
        env.extend(step_env.iter().cloned());
        let ran = bash(
            script,
            &["--noprofile", "--norc", "-eo", "pipefail"],
            &env,
            &state.workspace,
        );
        state.log.push_str(&ran.stdout);
        state.log.push_str(&ran.stderr);
        let read = |n: &str| std::fs::read_to_string(files.join(n)).unwrap_or_default();
        for dir in read("GITHUB_PATH").lines().filter(|l| !l.is_empty()) {
            let old = state.env.get("PATH").cloned().unwrap_or_default();
            state.env.insert("PATH".into(), format!("{dir}:{old}"));
        }
        state.env.extend(key_values(&read("GITHUB_ENV")));
        state.summary.push_str(&read("GITHUB_STEP_SUMMARY"));
        (ran.code == 0, key_values(&read("GITHUB_OUTPUT")))
    }

    fn uses(
        &mut self,
        uses: &str,
        with: &HashMap<String, String>,
        state: &mut JobState,
        artifacts: &mut Vec<(String, PathBuf)>,
    ) -> (bool, HashMap<String, String>) {
        let (name, _version) = uses.split_once('@').expect("a pinned `uses:`");
        let input = |k: &str| with.get(k).cloned().unwrap_or_default();
        let under_workspace = |p: &str| {
            let p = PathBuf::from(p);
            if p.is_absolute() {
                p
            } else {
                state.workspace.join(p)
            }
        };
        match name {
            "actions/checkout" => (true, HashMap::new()),
            "actions/cache/restore" => {
                let key = input("key");
                let prefixes: Vec<String> = input("restore-keys")
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect();
                let exact = self.caches.iter().rev().find(|(k, _)| *k == key);
                let found = exact.or_else(|| {
                    prefixes.iter().find_map(|p| {
                        self.caches
                            .iter()
                            .rev()
                            .find(|(k, _)| k.starts_with(p.as_str()))
                    })
                });
                let mut outputs = HashMap::new();
                outputs.insert("cache-hit".into(), exact.is_some().to_string());
                if let Some((k, dir)) = found {
                    copy_dir(dir, &under_workspace(&input("path")));
                    outputs.insert("cache-matched-key".into(), k.clone());
                    state
                        .log
                        .push_str(&format!("Cache restored from key: {k}\n"));
                } else {
                    state.log.push_str("Cache not found for input keys\n");
                }
                (true, outputs)
            }
            "actions/cache/save" => {
                let key = input("key");
                let path = under_workspace(&input("path"));
                if self.caches.iter().any(|(k, _)| *k == key) {
                    state.log.push_str(&format!(
                        "Warning: Failed to save: cache entry with key {key} exists\n"
                    ));
                } else if !has_files(&path) {
                    state
                        .log
                        .push_str("Warning: Path Validation Error: no cache saved\n");
                } else {
                    let dir = fresh(&self.base, "cache");
                    copy_dir(&path, &dir);
                    self.caches.push((key, dir));
                }
                (true, HashMap::new())
            }
            "actions/upload-artifact" => {
                let artifact = with
                    .get("name")
                    .cloned()
                    .unwrap_or_else(|| "artifact".into());
                let path = under_workspace(&input("path"));
                if artifacts.iter().any(|(n, _)| *n == artifact) {
                    state.log.push_str(&format!(
                        "Error: Failed to CreateArtifact: an artifact with the name {artifact} already exists in this run (409 Conflict)\n"
                    ));
                    return (false, HashMap::new());
                }
                if !path.exists() || (path.is_dir() && !has_files(&path)) {
                    let error = with.get("if-no-files-found").map(String::as_str) == Some("error");
                    state
                        .log
                        .push_str("No files were found with the provided path\n");
                    return (!error, HashMap::new());
                }
                let dir = fresh(&self.base, "artifact");
                if path.is_dir() {
                    copy_dir(&path, &dir);
                } else {
                    std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
                }
                artifacts.push((artifact, dir));
                (true, HashMap::new())
            }
            "github/codeql-action/upload-sarif" => {
                let file = under_workspace(&input("sarif_file"));
                let ok = std::fs::read_to_string(&file)
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .is_some_and(|v| v["version"] == "2.1.0");
                if !ok {
                    state
                        .log
                        .push_str(&format!("Error: no SARIF 2.1.0 at {}\n", file.display()));
                }
                (ok, HashMap::new())
            }
            "entra-perms/entra-perms" => self.action(with, state, artifacts),
            other => panic!("this runner stand-in has no `{other}`"),
        }
    }

    /// Our composite Action, from this checkout, as the runner runs it.
    fn action(
        &mut self,
        with: &HashMap<String, String>,
        state: &mut JobState,
        artifacts: &mut Vec<(String, PathBuf)>,
    ) -> (bool, HashMap<String, String>) {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let action = load(&root.join("action.yml"));
        let mut inputs = HashMap::new();
        for (k, spec) in action["inputs"].as_hash().unwrap() {
            let k = k.as_str().unwrap();
            let value = match with.get(k) {
                Some(v) => v.clone(),
                None => {
                    assert!(
                        spec["required"].as_bool() != Some(true),
                        "the Action's input {k} is required"
                    );
                    spec["default"].as_str().unwrap_or_default().to_string()
                }
            };
            inputs.insert(k.to_string(), Value::Str(value));
        }
        for k in with.keys() {
            assert!(inputs.contains_key(k), "the Action has no input {k}");
        }
        let steps = action["runs"]["steps"].as_vec().unwrap().clone();
        let mut inner = HashMap::new();
        let failed_before = state.failed;
        state.failed = false;
        self.steps(&steps, state, &inputs, &mut inner, Some(&root), artifacts);
        let ok = !state.failed;
        state.failed = failed_before;
        let scope = state.scope(&self.vars, &inputs, &inner);
        let outputs = action["outputs"]
            .as_hash()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap().to_string(),
                    expr::substitute(v["value"].as_str().unwrap(), &scope),
                )
            })
            .collect();
        (ok, outputs)
    }
}

struct JobSetup<'a> {
    event: &'a str,
    run_id: u64,
    index: usize,
    matrix: HashMap<String, String>,
    inputs: HashMap<String, Value>,
    oidc: Option<(String, String)>,
}

struct JobState {
    name: String,
    env: HashMap<String, String>,
    workspace: PathBuf,
    github: HashMap<String, String>,
    runner: HashMap<String, String>,
    matrix: HashMap<String, String>,
    failed: bool,
    log: String,
    summary: String,
}

impl JobState {
    fn scope<'a>(
        &self,
        vars: &'a HashMap<String, String>,
        inputs: &HashMap<String, Value>,
        steps: &'a HashMap<String, StepState>,
    ) -> Scope<'a> {
        Scope {
            github: self.github.clone(),
            runner: self.runner.clone(),
            vars,
            inputs: inputs.clone(),
            matrix: self.matrix.clone(),
            steps,
            failed: self.failed,
        }
    }
}

/// The entries of `strategy.matrix` (lists of plain values; one entry without a matrix).
fn matrix_entries(matrix: &Yaml) -> Vec<HashMap<String, String>> {
    let Some(axes) = matrix.as_hash() else {
        return vec![HashMap::new()];
    };
    let mut entries = vec![HashMap::new()];
    for (k, values) in axes {
        let k = k.as_str().unwrap().to_string();
        let values: Vec<String> = values
            .as_vec()
            .expect("a matrix axis is a list")
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{v:?}"))
            })
            .collect();
        entries = entries
            .into_iter()
            .flat_map(|e| {
                let k = k.clone();
                values.iter().map(move |v| {
                    let mut e = e.clone();
                    e.insert(k.clone(), v.clone());
                    e
                })
            })
            .collect();
    }
    entries
}
