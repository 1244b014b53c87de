//! A real headless browser for the HTML reports: Chromium dumps the DOM after the page's scripts
//! ran. Under CI a missing browser fails the test (`.ci/run` installs Debian's `chromium`);
//! elsewhere the test says it was skipped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium (or Chrome) binary on PATH.
pub(crate) fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` (skip) outside CI; under CI its absence fails the test.
pub(crate) fn require() -> Option<PathBuf> {
    match chromium() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => {
            panic!("no headless browser (chromium) on PATH: .ci/run installs Debian's chromium package")
        }
        None => {
            eprintln!("skipped: no chromium on PATH (CI installs it; `apt-get install chromium`)");
            None
        }
    }
}

/// Load `file` from file:// in headless Chromium and return the DOM after its scripts ran.
pub(crate) fn dump_dom(browser: &Path, file: &Path) -> String {
    dump_with(browser, file, &[])
}

/// The same, with more browser switches (a window size, a colour scheme), within 90 s.
fn dump_with(browser: &Path, file: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir().expect("a profile folder");
    let url = format!(
        "file://{}",
        std::fs::canonicalize(file)
            .expect("the page exists")
            .display()
    );
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--virtual-time-budget=3000",
        ])
        .args(extra)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .env("HOME", profile.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("chromium runs").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish loading {url} within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().expect("the DOM");
    assert!(
        dom.contains("<html"),
        "chromium printed no DOM for {url}: {dom:?}"
    );
    dom
}

/// With ENTRA_PERMS_KEEP_REPORTS=DIR, keep a copy of a generated page there to look at.
pub(crate) fn keep(page: &Path, name: &str) {
    if let Some(dir) = std::env::var_os("ENTRA_PERMS_KEEP_REPORTS") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::copy(page, Path::new(&dir).join(name));
    }
}

/// Save a screenshot of `file` (width × height) as PNG to `png`, with the same headless browser.
pub(crate) fn screenshot(browser: &Path, file: &Path, png: &Path, size: (u32, u32)) {
    let profile = tempfile::tempdir().expect("a profile folder");
    let url = format!(
        "file://{}",
        std::fs::canonicalize(file)
            .expect("the page exists")
            .display()
    );
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .env("HOME", profile.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(status.success(), "chromium could not take the screenshot");
}

/// How the browser is set up for [`probe`]: the window's width, and the colour scheme it prefers.
pub(crate) struct Screen {
    pub(crate) width: u32,
    pub(crate) dark: bool,
}

/// Open a copy of `page` at `screen` and evaluate `expression` (JavaScript giving a string) after
/// the page's own script ran; its value comes back. The page's CSP stays in force (it allows the
/// page's inline scripts, and so the probe's, and no fetch). The page is framed at exactly the
/// screen's width (a headless window is never narrower than 500 px; a frame is), and its value
/// comes out by `postMessage`.
pub(crate) fn probe(browser: &Path, page: &Path, screen: Screen, expression: &str) -> String {
    let html = std::fs::read_to_string(page).expect("the page");
    let probe = format!(
        "<script>window.addEventListener('load', function () {{ var v; \
         try {{ v = String({expression}); }} catch (e) {{ v = 'probe failed: ' + e; }} \
         parent.postMessage(v, '*'); }});</script>"
    );
    let at = html.rfind("</body>").expect("the page's body ends");
    let copy = format!("{}{probe}{}", &html[..at], &html[at..]);
    let dir = tempfile::tempdir().expect("a folder for the copy");
    std::fs::write(dir.path().join("page.html"), copy).expect("the copy");
    let frame = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>body {{ margin: 0; }} \
         iframe {{ border: 0; display: block; width: {}px; height: 900px; }}</style></head><body>\
         <iframe src=\"page.html\"></iframe><script>window.addEventListener('message', function (m) {{ \
         var out = document.createElement('pre'); out.id = 'probe-result'; out.textContent = m.data; \
         document.body.appendChild(out); }});</script></body></html>",
        screen.width
    );
    let file = dir.path().join("frame.html");
    std::fs::write(&file, frame).expect("the frame");
    let mut extra = vec![
        format!("--window-size={},1000", screen.width.max(500) + 20),
        "--hide-scrollbars".to_string(),
    ];
    if screen.dark {
        // Blink's preferred colour scheme: 0 is dark.
        extra.push("--blink-settings=preferredColorScheme=0".to_string());
    }
    let dom = dump_with(browser, &file, &extra);
    let at = dom
        .find("<pre id=\"probe-result\">")
        .unwrap_or_else(|| panic!("the probe did not run: {dom}"));
    let rest = &dom[at + "<pre id=\"probe-result\">".len()..];
    let value = &rest[..rest.find("</pre>").expect("the probe's end")];
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}
