//! Helpers for the black-box tests in `tests/cli.rs`: small sites written into
//! temporary folders, the `howtoreach` binary run on them with a fixed build
//! date and no colours, and byte snapshots of whole folders.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;

/// 2026-11-25 (UTC, and in America/Winnipeg): the build date of every test run.
pub const EPOCH: &str = "1795600000";

/// The base URL of the test site.
pub const BASE_URL: &str = "https://clinic.example.org";

// ---------------------------------------------------------------------------
// The valid test site. Line numbers matter to some tests: they are found by
// searching the text (`Site::pos`), never hard-coded.

pub const SITE_TOML: &str = r#"base_url = "https://clinic.example.org"
output_dir = "public"
handout_dir = "handouts"
review_after_days = 90
"#;

pub const CLINIC_TOML: &str = r#"name = "Test Clinic"
timezone = "America/Winnipeg"
region = "CA"
phone = "+1 204 555 0100"
hours = "Mo-Fr 08:00-16:30"
address = "1 Main St, Winnipeg MB R3E 0V9"

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

[[closures]]
from = 2026-12-24
to = 2026-12-26
note = "Closed for the holidays."
"#;

/// Lives in a sub-folder: sub-folders must not change the slug.
pub const NADIA: &str = "data/providers/oncology/nadia-okafor.toml";
pub const NADIA_TOML: &str = r#"name = "Nadia Okafor"
credentials = "MD, FRCPC"
role = "Medical oncologist"
department = "Oncology"
languages = ["en", "fr"]
reviewed = 2026-11-01
about = "Dr. Okafor treats breast cancer."

[[channels]]
kind = "phone"
value = "+1 204 555 0142"
hours = "Mo-Fr 09:00-16:00"
response = "same business day"
not_for = ["Emergencies"]

[[channels]]
kind = "email"
value = "nadia.okafor@clinic.example.org"
response = "2 business days"

[[channels]]
kind = "portal"
value = "https://portal.clinic.example.org/okafor"

[[channels]]
kind = "mobile"
label = "Dr. Okafor's mobile"
value = "+1 204 555 0177"
visibility = "patients"
hours = "Mo-Su 08:00-20:00"

[after_hours]
covering = ["samuel-reyes"]
text = "After hours, call the 24-hour line."

[[away]]
from = 2026-12-20
to = 2027-01-03
covering = "samuel-reyes"
"#;

pub const SAMUEL: &str = "data/providers/samuel-reyes.toml";
pub const SAMUEL_TOML: &str = r#"name = "Samuel Reyes"
role = "Nurse practitioner"
department = "Oncology"
reviewed = 2026-11-01

[[channels]]
kind = "phone"
value = "204-555-0150 ext. 12"
response = "4 business hours"

[[channels]]
kind = "video"
value = "https://portal.clinic.example.org/video/reyes"
hours = "Mo,We 13:00-16:00"

[[channels]]
kind = "in-person"
value = "Walk in to Room 4B"
"#;

pub const ADA: &str = "data/providers/ada-byron.toml";
pub const ADA_TOML: &str = r#"name = "Ada Byron"
role = "Counsellor"
department = "Supportive care"
reviewed = 2026-11-01

[[channels]]
kind = "email"
value = "ada.byron@clinic.example.org"
response = "next business day"

[[channels]]
kind = "sms"
value = "(204) 555-0160"
"#;

/// The patients-only number of the test site, as written in `NADIA_TOML`.
pub const SECRET: &str = "+1 204 555 0177";

/// Every way the patients-only number could be written in a file.
pub const SECRET_FORMS: &[&str] = &[
    "+1 204 555 0177",
    "+12045550177",
    "12045550177",
    "2045550177",
    "(204) 555-0177",
    "204-555-0177",
    "204.555.0177",
    "204 555 0177",
    "1-204-555-0177",
    "+1-204-555-0177",
    "555-0177",
    "5550177",
];

// ---------------------------------------------------------------------------
// Running the binary.

/// The binary, with a fixed build date, no colours, and no inherited settings
/// that could change its output.
pub fn howtoreach() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_howtoreach"));
    cmd.env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG");
    cmd
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(args: &[&str], out: Output) -> Run {
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            run.code.is_some(),
            "howtoreach {args:?} was killed by a signal\n{run}"
        );
        run
    }

    /// Asserts the exit status.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "wrong exit status\n{self}");
        self
    }

    #[track_caller]
    pub fn expect_success(&self) -> &Self {
        self.expect_code(0)
    }

    /// Asserts stderr contains `needle`.
    #[track_caller]
    pub fn expect_stderr(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr does not contain {needle:?}\n{self}"
        );
        self
    }

    /// Asserts stderr does not contain `needle`.
    #[track_caller]
    pub fn expect_no_stderr(&self, needle: &str) -> &Self {
        assert!(
            !self.stderr.contains(needle),
            "stderr contains {needle:?}\n{self}"
        );
        self
    }

    /// Lines of stderr that start a diagnostic of the given level (`error`, `warning`).
    pub fn count(&self, level: &str) -> usize {
        let prefix = format!("{level}:");
        let prefix2 = format!("{level}[");
        self.stderr
            .lines()
            .filter(|l| l.starts_with(&prefix) || l.starts_with(&prefix2))
            .count()
    }

    /// Asserts a `help:` line follows a diagnostic.
    #[track_caller]
    pub fn expect_help(&self) -> &Self {
        assert!(
            self.stderr
                .lines()
                .any(|l| l.trim_start_matches([' ', '=', '|']).starts_with("help:")),
            "no `help:` line\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- status: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `howtoreach args...` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let out = howtoreach()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the howtoreach binary runs");
    Run::from_output(args, out)
}

// ---------------------------------------------------------------------------
// Folders.

/// Every file under `dir` (recursively) by relative path, with its bytes.
/// Symbolic links are recorded as `-> target`; folders as an empty entry ending in `/`,
/// so an added empty folder also shows up.
pub fn tree_bytes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("readable folder entry");
            let path = entry.path();
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).expect("link target");
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                let mut shown = rel.into_os_string();
                shown.push("/");
                out.insert(PathBuf::from(shown), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two snapshots are equal, naming the first difference.
#[track_caller]
pub fn assert_same_tree(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    if before == after {
        return;
    }
    let mut diffs = Vec::new();
    for (path, bytes) in before {
        match after.get(path) {
            None => diffs.push(format!("removed: {}", path.display())),
            Some(b) if b != bytes => diffs.push(format!("changed: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            diffs.push(format!("added: {}", path.display()));
        }
    }
    panic!("{what} changed:\n  {}", diffs.join("\n  "));
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let meta = fs::symlink_metadata(entry.path()).expect("metadata");
        let dest = to.join(entry.file_name());
        if meta.is_dir() {
            copy_tree(&entry.path(), &dest);
        } else if meta.file_type().is_symlink() {
            let target = fs::read_link(entry.path()).expect("link");
            std::os::unix::fs::symlink(target, dest).expect("symlink");
        } else {
            fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

/// A site in a temporary folder.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::Builder::new()
                .prefix("howtoreach-test-")
                .tempdir()
                .expect("temporary folder"),
        }
    }

    /// The valid test site (3 providers, no templates/, no static/), not built.
    pub fn unbuilt() -> Site {
        let site = Site::empty();
        site.write("site.toml", SITE_TOML);
        site.write("data/clinic.toml", CLINIC_TOML);
        site.write(NADIA, NADIA_TOML);
        site.write(SAMUEL, SAMUEL_TOML);
        site.write(ADA, ADA_TOML);
        site
    }

    /// The valid test site after a successful `howtoreach build`. The build runs
    /// once per test process; each caller gets its own copy of the built folder
    /// (output and handouts included), which is the same as building it again.
    pub fn built() -> Site {
        let site = Site::empty();
        copy_tree(baseline(), site.root());
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        fs::write(path, text).expect("write file");
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).expect("remove file");
    }

    pub fn mkdir(&self, rel: &str) {
        fs::create_dir_all(self.path(rel)).expect("create folder");
    }

    /// Replaces the one occurrence of `from` in file `rel` by `to`.
    #[track_caller]
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(from).count(),
            1,
            "{from:?} must occur exactly once in {rel}"
        );
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// `rel:line:col` of the first occurrence of `needle` in file `rel`
    /// (1-based, the column counted in characters), as diagnostics show it.
    #[track_caller]
    pub fn pos(&self, rel: &str, needle: &str) -> String {
        let text = self.read(rel);
        let offset = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in {rel}"));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        format!("{rel}:{line}:{col}")
    }

    /// `rel:line:` of the first line containing `needle`, for problems where
    /// only the line is pinned.
    #[track_caller]
    pub fn line(&self, rel: &str, needle: &str) -> String {
        let full = self.pos(rel, needle);
        let (without_col, _) = full.rsplit_once(':').expect("has a column");
        format!("{without_col}:")
    }

    /// Runs `howtoreach <cmd> --site ROOT extra...` from the site's folder.
    pub fn run(&self, cmd: &str, extra: &[&str]) -> Run {
        let root = self
            .root()
            .to_str()
            .expect("UTF-8 temporary path")
            .to_string();
        let mut args = vec![cmd, "--site", root.as_str()];
        args.extend_from_slice(extra);
        run_in(self.root(), &args)
    }

    pub fn build(&self) -> Run {
        self.run("build", &[])
    }

    pub fn check(&self) -> Run {
        self.run("check", &[])
    }

    pub fn check_strict(&self) -> Run {
        self.run("check", &["--strict"])
    }

    /// Snapshot of the whole site folder (inputs, output and handouts).
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        tree_bytes(self.root())
    }

    /// Snapshot of one folder of the site.
    pub fn tree(&self, rel: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        tree_bytes(&self.path(rel))
    }

    /// Every file under `rel` as (relative path, bytes), for scanning.
    pub fn files(&self, rel: &str) -> Vec<(PathBuf, Vec<u8>)> {
        self.tree(rel)
            .into_iter()
            .filter(|(p, _)| !p.to_string_lossy().ends_with('/'))
            .collect()
    }
}

/// The test site, built once per test process, in cargo's per-target
/// temporary folder. A static is never dropped, so the folder stays; folders
/// of earlier runs are removed once they are an hour old.
fn baseline() -> &'static Path {
    static BASELINE: OnceLock<PathBuf> = OnceLock::new();
    BASELINE.get_or_init(|| {
        remove_old_baselines();
        let dir = tempfile::Builder::new()
            .prefix("howtoreach-baseline-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temporary folder")
            .keep();
        for (rel, text) in [
            ("site.toml", SITE_TOML),
            ("data/clinic.toml", CLINIC_TOML),
            (NADIA, NADIA_TOML),
            (SAMUEL, SAMUEL_TOML),
            (ADA, ADA_TOML),
        ] {
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
            fs::write(path, text).expect("write file");
        }
        let root = dir.to_str().expect("UTF-8 path");
        let run = run_in(&dir, &["build", "--site", root]);
        assert_eq!(run.code, Some(0), "the valid test site must build\n{run}");
        dir
    })
}

/// Best effort: removes baseline folders of test runs that ended long ago.
fn remove_old_baselines() {
    let Ok(entries) = fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("howtoreach-baseline-")
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Finds every occurrence of each of `needles` in the files, as "file: needle".
pub fn find_in_files(files: &[(PathBuf, Vec<u8>)], needles: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for (path, bytes) in files {
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(format!("{}: {needle:?}", path.display()));
            }
        }
    }
    hits
}
