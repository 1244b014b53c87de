//! Restore rights just in time: the audit names the Tier-0 application permissions only restore
//! needs, and `plan --scope restore --just-in-time` prints a grant block and a revoke block for
//! them, in every format, safe to paste (the az revoke run here against a stand-in `az`).

use serde_json::Value;

use crate::support::{entra_perms, example, findings, json, run};

const WINDOW: [&str; 4] = [
    "Directory.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod",
    "Policy.ReadWrite.ConditionalAccess",
    "User.ReadWrite.All",
];

fn plan(extra: &[&str]) -> (i32, String, String) {
    let mut cmd = entra_perms();
    cmd.args(["plan", "--from"])
        .arg(example("all-granted.json"))
        .args(["--scope", "restore", "--just-in-time"])
        .args(extra);
    run(cmd)
}

#[test]
fn the_audit_names_the_tier0_permissions_only_restore_needs() {
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(example("all-granted.json")));
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let f = findings(&doc, "restore-only-tier0");
    assert_eq!(f.len(), 1, "{}", doc["findings"]);
    assert_eq!(f[0]["data"]["permissions"], serde_json::json!(WINDOW));
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("plan --scope restore --just-in-time"));
}

#[test]
fn plan_just_in_time_prints_a_grant_and_a_revoke_block() {
    let (code, out, err) = plan(&["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let p = json(&out);
    let j = &p["justInTime"];
    let names: Vec<&str> = j["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["permission"].as_str().unwrap())
        .collect();
    assert_eq!(names, WINDOW);
    for block in ["grant", "revoke"] {
        assert_eq!(j[block]["azCli"].as_array().unwrap().len(), 4, "{block}");
        assert_eq!(
            j[block]["powershell"].as_array().unwrap().len(),
            4,
            "{block}"
        );
    }
    // Never granted for good: no permanent step for them.
    let permanent: Vec<&Value> = p["application"].as_array().unwrap().iter().collect();
    assert!(
        permanent
            .iter()
            .all(|s| !WINDOW.contains(&s["permission"].as_str().unwrap())),
        "{permanent:?}"
    );
    let revoke = j["revoke"]["powershell"][0].as_str().unwrap();
    assert!(
        revoke.contains("Where-Object { $_.AppRoleId -eq '19dbc75e-c2e2-444c-a770-ec69d8559fc7' }"),
        "{revoke}"
    );
    assert!(revoke.contains("Remove-MgServicePrincipalAppRoleAssignment"));

    for (format, needles) in [
        (
            "text",
            vec![
                "Restore rights just in time:",
                "Before a restore: grant",
                "After the restore: revoke",
            ],
        ),
        (
            "markdown",
            vec![
                "### Restore rights just in time",
                "**Before a restore: grant**",
                "```powershell\nGet-MgServicePrincipalAppRoleAssignment",
            ],
        ),
        (
            "html",
            // Never "nothing to do" above a restore window.
            vec![
                "id=\"just-in-time\"",
                "After the restore: revoke",
                "JUST IN TIME",
            ],
        ),
    ] {
        let (code, out, err) = plan(&["--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        for n in needles {
            assert!(out.contains(n), "{format}: `{n}` not in\n{out}");
        }
        // A window alone is never an admin-consent link (that grants for good); the page's
        // embedded JSON keeps the URL as data.
        let offered = if format == "html" {
            "class=\"consent\""
        } else {
            "adminconsent"
        };
        assert!(!out.contains(offered), "{format}");
    }
}

/// The az revoke, pasted into a shell: it finds the assignment by its app role id and deletes
/// that one (a stand-in `az` records what it was asked).
#[cfg(unix)]
#[test]
fn the_az_revoke_finds_the_assignment_by_its_app_role_and_deletes_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let az = dir.path().join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$AZ_LOG\"\ncase \"$*\" in *'--method GET'*) echo 'assignment-of-the-role';; esac\n",
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_, out, _) = plan(&["--format", "json"]);
    let p = json(&out);
    let line = p["justInTime"]["revoke"]["azCli"][0]
        .as_str()
        .unwrap()
        .to_string();
    let log = dir.path().join("az.log");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&line)
        .env("PATH", format!("{}:/usr/bin:/bin", dir.path().display()))
        .env("AZ_LOG", &log)
        .status()
        .unwrap();
    assert!(status.success());
    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls[0]
            .contains("--query value[?appRoleId=='19dbc75e-c2e2-444c-a770-ec69d8559fc7'].id | [0]"),
        "{}",
        calls[0]
    );
    assert!(
        calls[1].starts_with("rest --method DELETE --url https://graph.microsoft.com/v1.0/servicePrincipals/00063ffc-54e9-405d-b8f3-56124728e051/appRoleAssignments/assignment-of-the-role "),
        "{}",
        calls[1]
    );
}

#[test]
fn just_in_time_with_a_backup_scope_is_refused() {
    let (code, out, err) = run(entra_perms()
        .args(["plan", "--scope", "backup", "--just-in-time", "--from"])
        .arg(example("all-granted.json")));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("--just-in-time plans the restore window"),
        "{err}"
    );
}
