//! The Microsoft clouds (their login and Graph hosts) and Microsoft Graph's own application id:
//! facts the domain and the network both need, owned by neither.

/// A Microsoft cloud: its login authority and its Graph host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    Global,
    Usgov,
    UsgovDod,
    China,
}

impl Cloud {
    /// The Microsoft Graph host of this cloud.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::Usgov => "graph.microsoft.us",
            Cloud::UsgovDod => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Entra ID login host of this cloud.
    pub fn login_host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "login.microsoftonline.us",
            Cloud::China => "login.chinacloudapi.cn",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Usgov => "usgov",
            Cloud::UsgovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }
}

/// The Microsoft Graph application id, the same in every tenant and cloud.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
