//! The words of the findings a vendor's matrix brings: optional rows, objects it does not map,
//! what could not be read, the roles it requires, and the matrix `--matrix auto` chose.

use super::Finding;

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

pub(super) fn vendor_message(f: &Finding) -> String {
    match f {
        Finding::OptionalPermissions {
            granted,
            not_granted,
        } => format!(
            "Optional in the vendor's list, not counted (--include-optional counts them): granted: \
             {}; not granted: {}.",
            list(granted),
            list(not_granted)
        ),
        Finding::VendorMapsNoObject { vendor, count } => format!(
            "{vendor} maps {count} of these permissions to no protected object: they are audited \
             for the app as a whole (\"(whole app)\"), not per object."
        ),
        Finding::MatrixPartial { vendor, unreadable } => format!(
            "{vendor}'s list could not be read whole, so this audit cannot be either: {}.",
            unreadable.join("; ")
        ),
        Finding::ServiceAccountRolesMissing {
            purpose,
            missing,
            alternatives,
        } => format!(
            "For {purpose}, the service account lacks roles the vendor requires: {}{}. Only active \
             tenant-wide assignments count.",
            missing.join(", "),
            if *alternatives > 1 {
                format!(" (of the closest of the {alternatives} role sets the vendor accepts)")
            } else {
                String::new()
            }
        ),
        Finding::ServiceAccountRolesUnchecked { purposes } => format!(
            "The vendor requires directory roles of the account that runs {}: audit again with \
             --service-account USER to check them.",
            purposes.join(" and ")
        ),
        Finding::AppRoleMissing { role, vendor } => format!(
            "{vendor} assigns the directory role {role} to the app's service principal, and it \
             does not hold it: the operations that need it will fail."
        ),
        Finding::AppRoleExpectedTier0 { role, vendor } => format!(
            "The app holds {role}, as {vendor} assigns it: expected, and still a Tier-0 role (a \
             path to Global Administrator) that makes the app a Tier-0 identity."
        ),
        Finding::MatrixChosen {
            name,
            percent,
            runner_up,
            runner_up_percent,
        } => format!(
            "--matrix auto: the app's grants fit `{name}` best ({percent}% of its permissions and \
             the app's Graph grants in common){}.",
            match (runner_up, runner_up_percent) {
                (Some(r), Some(p)) => format!("; next: `{r}` ({p}%)"),
                _ => String::new(),
            }
        ),
        _ => String::new(),
    }
}
