//! Black-box tests of `howtoreach serve` on 127.0.0.1: start it on a small
//! site, fetch pages with a minimal HTTP client, edit, break and fix files,
//! and watch the served site follow. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SITE_TOML: &str = "base_url = \"https://clinic.example.org\"\noutput_dir = \"public\"\nhandout_dir = \"handouts\"\n";

const CLINIC_TOML: &str = r#"name = "Serve Test Clinic"
timezone = "America/Winnipeg"
region = "CA"
phone = "+1 204 555 0100"
hours = "Mo-Fr 08:00-16:30"

[emergency]
number = "911"
text = "If this is a medical emergency, call 911."

[[urgent]]
label = "24-hour line"
phone = "+1 204 555 0199"
hours = "24/7"
when = "Fever of 38 °C or higher."

[after_hours]
text = "Outside clinic hours, call the answering service."
phone = "+1 204 555 0198"
"#;

const NADIA_TOML: &str = r#"name = "Nadia Okafor"
role = "Medical oncologist"
department = "Oncology"
reviewed = 2026-11-01

[[channels]]
kind = "phone"
value = "+1 204 555 0142"
hours = "Mo-Fr 09:00-16:00"

[[channels]]
kind = "mobile"
value = "+1 204 555 0177"
visibility = "patients"

[after_hours]
covering = ["samuel-reyes"]
"#;

const SAMUEL_TOML: &str = r#"name = "Samuel Reyes"
role = "Nurse practitioner"
department = "Oncology"
reviewed = 2026-11-01

[[channels]]
kind = "phone"
value = "+1 204 555 0150"
"#;

/// The longest any wait may take.
const PATIENCE: Duration = Duration::from_secs(10);

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folder");
    std::fs::write(path, text).expect("write file");
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("howtoreach-serve-")
        .tempdir()
        .expect("temporary folder");
    write(dir.path(), "site.toml", SITE_TOML);
    write(dir.path(), "data/clinic.toml", CLINIC_TOML);
    write(dir.path(), "data/providers/nadia-okafor.toml", NADIA_TOML);
    write(dir.path(), "data/providers/samuel-reyes.toml", SAMUEL_TOML);
    dir
}

/// A running `howtoreach serve`, killed when dropped (a failing test included).
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &Path, port: u16) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_howtoreach"))
            .args(["serve", "--port", &port.to_string(), "--site"])
            .arg(site)
            .env("SOURCE_DATE_EPOCH", "1795600000")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the howtoreach binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = Arc::clone(&log);
            // Drains stderr for the whole run, so the server never blocks on it.
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.split("serving on http://127.0.0.1:").nth(1) {
                        let digits: String =
                            rest.chars().take_while(char::is_ascii_digit).collect();
                        let _ = tx.send(digits.parse::<u16>().ok());
                    }
                    let mut log = log.lock().expect("log lock");
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        match rx.recv_timeout(PATIENCE) {
            Ok(Some(port)) => server.port = port,
            _ => panic!("serve did not say where it serves\n{}", server.log()),
        }
        server
    }

    fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// `GET path` with the given `Host`: (status, body).
    fn get_as(&self, host: &str, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(PATIENCE))
            .expect("read timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .expect("send request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read response");
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"));
        (status, body.to_string())
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.get_as(&format!("127.0.0.1:{}", self.port), path)
    }

    /// Polls `path` until `ok(body)`; returns the body.
    #[track_caller]
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let (_, body) = self.get(path);
            if ok(&body) {
                return body;
            }
            if start.elapsed() > PATIENCE {
                panic!(
                    "{path} never showed {what}\n--- last body:\n{body}\n--- log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends Ctrl-C and waits for a clean exit.
    fn interrupt(&mut self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "exit status {status}\n{}", self.log());
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "serve did not stop\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads server-sent events until a `version` event other than `not`.
fn next_version(events: &mut BufReader<TcpStream>, not: Option<&str>) -> String {
    let start = Instant::now();
    let mut line = String::new();
    let mut in_version = false;
    while start.elapsed() < PATIENCE {
        line.clear();
        events.read_line(&mut line).expect("read an event line");
        let line = line.trim_end();
        if line == "event: version" {
            in_version = true;
        } else if let Some(data) = line.strip_prefix("data: ")
            && in_version
        {
            if Some(data) != not {
                return data.to_string();
            }
            in_version = false;
        }
    }
    panic!("no new version event");
}

#[test]
fn serves_rebuilds_shows_errors_and_recovers() {
    let dir = site();
    let root = dir.path();
    let mut server = Server::start(root, 0);
    let base = format!("http://127.0.0.1:{}", server.port);

    // The site, with base_url replaced and the reload script added.
    let (status, index) = server.get("/");
    assert_eq!(status, 200, "{index}");
    assert!(index.contains("Nadia Okafor"), "{index}");
    assert!(
        index.contains("<script src=\"/__howtoreach/reload.js?v="),
        "{index}"
    );
    let (status, page) = server.get("/providers/nadia-okafor/");
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("{base}/providers/nadia-okafor/")),
        "{page}"
    );
    assert!(!page.contains("clinic.example.org/providers"), "{page}");
    assert!(
        !page.contains("555-0177"),
        "a patients-only number on a public page"
    );
    assert_eq!(server.get("/providers/nadia-okafor").0, 301);
    assert_eq!(server.get("/no/such/page").0, 404);
    assert_eq!(server.get("/__howtoreach/reload.js").0, 200);
    let (status, handout) = server.get("/__handouts/nadia-okafor.html");
    assert_eq!(status, 200);
    assert!(
        handout.contains("555-0177"),
        "the handout shows patients-only channels"
    );
    // Another site's page (DNS rebinding) must not read the handouts.
    assert_eq!(
        server
            .get_as("evil.example", "/__handouts/nadia-okafor.html")
            .0,
        403
    );

    // A reload event follows each rebuild.
    let mut events = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    events.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        events,
        "GET /__howtoreach/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port
    )
    .expect("send");
    let mut events = BufReader::new(events);
    let first = next_version(&mut events, None);

    // Edit a provider: their page, and the page of whom they cover, follow.
    write(
        root,
        "data/providers/samuel-reyes.toml",
        &SAMUEL_TOML.replace("Samuel Reyes", "Samuel Reyes-Lopez"),
    );
    server.wait_for("/providers/samuel-reyes/", "the new name", |b| {
        b.contains("Samuel Reyes-Lopez")
    });
    server.wait_for(
        "/providers/nadia-okafor/",
        "the covering colleague's new name",
        |b| b.contains("Samuel Reyes-Lopez"),
    );
    server.wait_for("/", "the new name in the index", |b| {
        b.contains("Samuel Reyes-Lopez")
    });
    let second = next_version(&mut events, Some(&first));
    assert_ne!(first, second);

    // Break it: the last good pages stay, with the errors over them.
    write(
        root,
        "data/providers/samuel-reyes.toml",
        &SAMUEL_TOML
            .replace("Samuel Reyes", "Samuel Reyes-Lopez")
            .replace("+1 204 555 0150", "+1 204 555"),
    );
    let broken = server.wait_for("/providers/samuel-reyes/", "the error overlay", |b| {
        b.contains("howtoreach-serve-errors")
    });
    assert!(broken.contains("samuel-reyes.toml"), "{broken}");
    assert!(
        broken.contains("Samuel Reyes-Lopez"),
        "the last good page is kept"
    );
    let (status, json) = server.get("/__howtoreach/status");
    assert_eq!(status, 200);
    assert!(json.contains("\"ok\":false"), "{json}");
    assert!(
        server.log().contains("samuel-reyes.toml"),
        "{}",
        server.log()
    );
    assert!(server.log().contains("build failed"), "{}", server.log());

    // Fix it: the overlay goes, the new content comes.
    write(
        root,
        "data/providers/samuel-reyes.toml",
        &SAMUEL_TOML.replace("Samuel Reyes", "Samuel Reyes-Smith"),
    );
    server.wait_for("/providers/samuel-reyes/", "recovery", |b| {
        b.contains("Samuel Reyes-Smith") && !b.contains("howtoreach-serve-errors")
    });
    let (_, json) = server.get("/__howtoreach/status");
    assert!(json.contains("\"ok\":true"), "{json}");

    // A new provider appears; a template change rebuilds everything.
    write(
        root,
        "data/providers/ada-byron.toml",
        &SAMUEL_TOML
            .replace("Samuel Reyes", "Ada Byron")
            .replace("0150", "0160"),
    );
    server.wait_for("/providers/ada-byron/", "a new provider", |b| {
        b.contains("Ada Byron")
    });
    write(
        root,
        "templates/404.html",
        "<!doctype html><html lang=\"en\"><head><title>Lost</title></head><body><p>Custom not-found page</p></body></html>",
    );
    server.wait_for("/missing", "the new 404 template", |b| {
        b.contains("Custom not-found page")
    });
    // A provider file removed: their page goes.
    std::fs::remove_file(root.join("data/providers/ada-byron.toml")).expect("remove");
    server.wait_for("/providers/ada-byron/", "the removed provider gone", |b| {
        b.contains("Custom not-found page")
    });

    let log = server.log();
    assert!(log.contains("reload sent"), "{log}");
    assert!(log.contains("after the write"), "{log}");
    // serve never writes the output folders.
    assert!(!root.join("public").exists());
    assert!(!root.join("handouts").exists());

    server.interrupt();
    assert!(server.log().contains("stopped"), "{}", server.log());
}

#[test]
fn a_taken_port_moves_serve_to_the_next_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port();
    let dir = site();
    let server = Server::start(dir.path(), port);
    assert_ne!(server.port, port);
    assert!(
        server.log().contains(&format!("port {port} is in use")),
        "{}",
        server.log()
    );
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn a_broken_site_is_served_with_its_errors_until_fixed() {
    let dir = site();
    let root = dir.path();
    write(
        root,
        "data/providers/samuel-reyes.toml",
        &SAMUEL_TOML.replace("kind = \"phone\"", "kind = \"telegraph\""),
    );
    let server = Server::start(root, 0);
    let (status, body) = server.get("/");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("howtoreach-serve-errors"), "{body}");
    assert!(body.contains("telegraph"), "{body}");
    write(root, "data/providers/samuel-reyes.toml", SAMUEL_TOML);
    server.wait_for("/", "the site", |b| {
        b.contains("Samuel Reyes") && !b.contains("howtoreach-serve-errors")
    });
}
