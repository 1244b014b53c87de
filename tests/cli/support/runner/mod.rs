//! Stand-ins for the two CI runners, enough to run our recipes as a user's repository holds them:
//! every `run:`/`script:` step really runs in bash, in order, with the variables the runner
//! sets; the few marketplace steps the recipes use (cache, artifacts, SARIF upload, our own
//! Action) keep the rules their documentation states (a cache restores the newest entry of a
//! prefix; an artifact name is unique in a run; a pipeline artifact download skips failed and
//! partially succeeded runs unless told otherwise).

pub(crate) mod expr;
pub(crate) mod github;
pub(crate) mod pipelines;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A script's result: its exit code and what it printed (stdout then stderr).
pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Run `bash <args> FILE` holding `script`, in `cwd`, with exactly `env`, within five minutes.
pub(crate) fn bash(script: &str, args: &[&str], env: &HashMap<String, String>, cwd: &Path) -> Ran {
    let dir = tempfile::tempdir().expect("a folder for the script");
    let file = dir.path().join("step.sh");
    std::fs::write(&file, script).expect("the script");
    let mut child = Command::new("bash")
        .args(args)
        .arg(&file)
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("bash runs") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("a step ran for five minutes:\n{script}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Copy a folder's files (recursively) into `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Whether a folder holds at least one file.
pub(crate) fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// A fresh folder under `base`, numbered.
pub(crate) fn fresh(base: &Path, name: &str) -> PathBuf {
    for i in 0.. {
        let p = base.join(format!("{name}-{i}"));
        if !p.exists() {
            std::fs::create_dir_all(&p).unwrap();
            return p;
        }
    }
    unreachable!()
}
