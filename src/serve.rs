//! `howtoreach serve`: a local preview that rebuilds on every change and
//! reloads the pages open in the browser.
//!
//! Only `main.rs` knows this module: the library has no idea it is served.
//!
//! - **Builds stay in memory.** `Options::output` names a folder that is never
//!   created, and [`render::render_site`] writes only to the [`Emit`] sink given
//!   to it, so neither `output_dir` nor `handout_dir` is touched. `base_url`
//!   becomes `http://127.0.0.1:PORT`.
//! - **HTTP** is HTTP/1.1 over `std::net`, on 127.0.0.1 only, one thread per
//!   connection, `Connection: close`. A request must name 127.0.0.1 or
//!   localhost in `Host` (handouts hold patients-only numbers: a web page
//!   using DNS rebinding must not read them).
//! - **URLs:** `/…` the public site (`/providers/x` redirects to
//!   `/providers/x/`; unknown paths get `404.html` with status 404);
//!   `/__handouts/` the printable handouts (a local preview only: handouts are
//!   never part of the public site); `/__howtoreach/events` server-sent events,
//!   one `version` event per rebuild; `/__howtoreach/reload.js` the reload
//!   script, added before `</body>` of every HTML response (an external
//!   same-origin script: pages allow no inline script);
//!   `/__howtoreach/status` the last build as JSON; `/__howtoreach/serve.css`
//!   the error overlay's style.
//! - **Errors:** a build that fails keeps the last good files; every HTML
//!   response then carries an overlay (added by the server, so it works with
//!   JavaScript off) listing the diagnostics. The terminal shows them too.
//! - **Watching:** `notify` on the site folder (not recursive: `site.toml` and
//!   the creation of the folders below), and `data/`, `templates/`, `static/`
//!   (recursive). Events are debounced: a rebuild starts once no event came for
//!   [`QUIET`].
//! - **Incremental rebuilds:** see [`Builder::plan`]. Loading and checking are
//!   always whole-site (every diagnostic stays right); rendering is not.

use std::collections::{BTreeMap, BTreeSet};

// Keys are the site's own slugs and paths: FxHash, as the build uses, not
// SipHash (whose defence against chosen keys buys nothing here).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use notify::Watcher;
use rayon::prelude::*;
use tera::Context;

use howtoreach::Options;
use howtoreach::diagnostic::{Diagnostic, Diagnostics};
use howtoreach::model::{Provider, Site};
use howtoreach::render::context::{ProviderSummary, ViewBuilder};
use howtoreach::render::{self, Dest, Emit, Templates};

/// A rebuild starts once the watched folders were quiet this long.
const QUIET: Duration = Duration::from_millis(25);
/// ... or at the latest this long after the first event (a long `git checkout`).
const MAX_WAIT: Duration = Duration::from_millis(1000);
/// How many ports after the one asked for are tried when it is taken.
const PORT_TRIES: u16 = 50;
/// Server-sent-event connections get a comment this often, to notice closed tabs.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Where handouts are served (local preview only).
const HANDOUTS: &str = "/__handouts/";

/// What `howtoreach serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Settings {
    pub site: PathBuf,
    /// 0 lets the system pick a free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Colours in the terminal.
    pub color: bool,
}

/// Serves until Ctrl-C. `Err` for what stops it from starting (bad `--site`,
/// no free port, no file watcher).
pub fn run(settings: Settings) -> Result<(), Diagnostic> {
    if !settings.site.is_dir() {
        return Err(Diagnostic::error(format!(
            "--site {}: no such folder",
            settings.site.display()
        ))
        .help("give the folder that holds the site's site.toml"));
    }
    let root = settings
        .site
        .canonicalize()
        .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", settings.site.display())))?;
    let (listener, port) = bind(settings.port)?;
    let base = format!("http://127.0.0.1:{port}");
    let shared = Arc::new(Shared::new(port));

    // Watch before the first build, so a change made during it is not missed.
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| {
        Diagnostic::error(format!("cannot watch the site's files: {e}"))
            .help("on Linux, raise fs.inotify.max_user_watches (sysctl)")
    })?;
    watch(
        &mut watcher,
        &root,
        &root,
        notify::RecursiveMode::NonRecursive,
    )?;
    for dir in WATCHED_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            watch(&mut watcher, &root, &path, notify::RecursiveMode::Recursive)?;
        }
    }

    let mut builder = Builder::new(
        Options {
            site: root.clone(),
            output: Some(scratch_output()),
            base_url: Some(base.clone()),
            // Unchanged provider files are not parsed again on each rebuild.
            cache: Some(Arc::new(howtoreach::load::LoadCache::default())),
            // Worked out after the reload (`Builder::finish`).
            warnings_later: true,
            ..Options::default()
        },
        settings.color,
    );
    let start = Instant::now();
    let mut report = builder.rebuild(&shared, true);
    let took = start.elapsed();
    if let Some(w) = builder.finish(&shared).warnings {
        report.warnings = w;
    }
    eprintln!("{}", report.line(took));

    {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("howtoreach-watch".into())
            .spawn(move || watch_loop(&root, builder, watcher, &rx, &shared))
            .map_err(|e| Diagnostic::error(format!("cannot start the file watcher: {e}")))?;
    }
    {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("howtoreach-http".into())
            .spawn(move || accept_loop(&listener, &shared))
            .map_err(|e| Diagnostic::error(format!("cannot start the web server: {e}")))?;
    }
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| Diagnostic::error(format!("cannot handle Ctrl-C: {e}")))?;

    eprintln!(
        "serving on {base}/ (handouts, for printing, at {base}{HANDOUTS}); press Ctrl-C to stop"
    );
    if settings.open {
        open_browser(&format!("{base}/"));
    }
    // Every sender lives in the Ctrl-C handler, which lives as long as the process.
    let _ = stop_rx.recv();
    eprintln!("stopped");
    Ok(())
}

/// The output folder given to the library: it is only checked, never created.
fn scratch_output() -> PathBuf {
    std::env::temp_dir().join(format!("howtoreach-serve-{}-in-memory", std::process::id()))
}

/// Binds 127.0.0.1:`port`, or the next free port after it.
fn bind(port: u16) -> Result<(TcpListener, u16), Diagnostic> {
    let tries = if port == 0 { 1 } else { PORT_TRIES };
    let mut last_error = None;
    for candidate in (0..tries).filter_map(|i| port.checked_add(i)) {
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, candidate))) {
            Ok(listener) => {
                let actual = listener.local_addr().map(|a| a.port()).map_err(|e| {
                    Diagnostic::error(format!("cannot read the server's address: {e}"))
                })?;
                if port != 0 && actual != port {
                    eprintln!("port {port} is in use; using port {actual} instead");
                }
                return Ok((listener, actual));
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last_error = Some(e),
            Err(e) => {
                return Err(Diagnostic::error(format!(
                    "cannot listen on 127.0.0.1:{candidate}: {e}"
                ))
                .help("choose another port with --port N (0 picks any free one)"));
            }
        }
    }
    Err(Diagnostic::error(format!(
        "cannot listen on 127.0.0.1: ports {port} to {} are in use ({})",
        port.saturating_add(tries - 1),
        last_error.map_or_else(|| "no port tried".to_string(), |e| e.to_string())
    ))
    .help("choose another port with --port N (0 picks any free one)"))
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = cmd.spawn() {
        eprintln!("cannot open a browser ({e}): open {url} yourself");
    }
}

// ---------------------------------------------------------------------------
// What is served, shared between the builder and the web server.

/// Which output tree a file belongs to ([`Dest`], hashable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Tree {
    Public,
    Handouts,
}

impl From<Dest> for Tree {
    fn from(d: Dest) -> Self {
        match d {
            Dest::Public => Tree::Public,
            Dest::Handouts => Tree::Handouts,
        }
    }
}

type Key = (Tree, String);
type Files = HashMap<Key, Arc<[u8]>>;

/// The site as served: the files of the last good build, and the errors of the
/// last build if it failed.
#[derive(Default)]
struct Served {
    files: Files,
    /// Plain-text diagnostics of the last build, when it failed.
    errors: Option<String>,
}

struct Shared {
    served: RwLock<Served>,
    /// Bumped on every change the browser should see.
    version: Mutex<u64>,
    changed: Condvar,
    /// True while the index and sitemap of an incremental rebuild are being
    /// rendered, after the reload was sent: requests for them wait.
    index_pending: Mutex<bool>,
    index_ready: Condvar,
    port: u16,
}

impl Shared {
    fn new(port: u16) -> Self {
        Shared {
            served: RwLock::default(),
            version: Mutex::new(0),
            changed: Condvar::new(),
            index_pending: Mutex::new(false),
            index_ready: Condvar::new(),
            port,
        }
    }

    fn version(&self) -> u64 {
        *self.version.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells every open page to reload.
    fn bump(&self) {
        let mut v = self.version.lock().unwrap_or_else(PoisonError::into_inner);
        *v += 1;
        self.changed.notify_all();
    }

    /// Waits until the version differs from `seen`, or `timeout` passes.
    fn wait_change(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self.version.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |v| *v == seen)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    /// Marks the index and sitemap as being rendered (`true`) or ready (`false`).
    fn set_index_pending(&self, pending: bool) {
        let mut p = self
            .index_pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *p = pending;
        if !pending {
            self.index_ready.notify_all();
        }
    }

    /// Waits while the index and sitemap are being rendered (at most `timeout`).
    fn wait_index(&self, timeout: Duration) {
        let guard = self
            .index_pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let _ = self
            .index_ready
            .wait_timeout_while(guard, timeout, |pending| *pending)
            .unwrap_or_else(PoisonError::into_inner);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        self.served.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Served> {
        self.served.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An [`Emit`] sink keeping, in memory, the files `keep` accepts. A later file
/// with the same path replaces an earlier one, as on disk.
struct Collect<'a> {
    keep: &'a (dyn Fn(Tree, &str) -> bool + Sync),
    files: Mutex<Files>,
}

impl<'a> Collect<'a> {
    fn new(keep: &'a (dyn Fn(Tree, &str) -> bool + Sync)) -> Self {
        Collect {
            keep,
            files: Mutex::default(),
        }
    }

    fn into_files(self) -> Files {
        self.files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Emit for Collect<'_> {
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let tree = Tree::from(dest);
        if (self.keep)(tree, path) {
            self.files
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert((tree, path.to_string()), Arc::from(bytes));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Building.

/// The last good build, what incremental rebuilds start from.
struct Good {
    site: Site,
    templates: Templates,
    /// Files copied from `static/`: a rendered file never replaces one of them.
    static_keys: HashSet<Key>,
    /// The rendered files of each provider (page, contact card, QR code, handout).
    owned: HashMap<String, Vec<Key>>,
    /// The providers' entries in the index.
    summaries: Summaries,
    /// What every public file served was checked not to hold.
    looked_for: render::guard::LookedFor,
}

/// What [`Builder::finish`] does after an incremental rebuild's reload.
struct Deferred {
    /// The changed providers, whose index entry is still to be made.
    changed: BTreeSet<String>,
    /// The public files rendered again, checked against the changed
    /// providers only so far (the index and sitemap come with `finish`).
    fresh: HashSet<Key>,
}

/// What a rebuild did, for the terminal.
#[derive(Debug)]
struct Report {
    kind: ReportKind,
    load: Duration,
    render: Duration,
    warnings: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum ReportKind {
    /// Everything rendered; `first`: the first build.
    Full {
        providers: usize,
        files: usize,
        first: bool,
    },
    /// Only what depends on the changed providers.
    Incremental {
        changed: Vec<String>,
        rendered: usize,
    },
    /// The last build had failed; this one has the same output as the one before.
    Recovered,
    /// Nothing that is rendered changed.
    Unchanged,
    /// The site has errors; the last good build is still served.
    Failed {
        errors: usize,
        same: bool,
        /// Whether an earlier build succeeded (its files are still served).
        served: bool,
    },
}

impl Report {
    /// Whether the browser was told to reload.
    fn reloads(&self) -> bool {
        !matches!(
            self.kind,
            ReportKind::Unchanged | ReportKind::Failed { same: true, .. }
        )
    }

    fn line(&self, total: Duration) -> String {
        let timing = format!(
            "load and check {}, render {}",
            ms(self.load),
            ms(self.render)
        );
        let warnings = match self.warnings {
            0 => String::new(),
            1 => ", 1 warning".to_string(),
            n => format!(", {n} warnings"),
        };
        match &self.kind {
            ReportKind::Full {
                providers,
                files,
                first,
            } => format!(
                "{} the whole site ({providers} providers, {files} files) in {} ({timing}){warnings}",
                if *first { "built" } else { "rebuilt" },
                ms(total)
            ),
            ReportKind::Incremental { changed, rendered } => format!(
                "rebuilt in {} ({timing}): {} changed; re-rendered {} (the index and sitemap follow){warnings}",
                ms(total),
                list(changed),
                match rendered {
                    1 => "1 provider".to_string(),
                    n => format!("{n} providers"),
                },
            ),
            ReportKind::Recovered => format!(
                "rebuilt in {} ({timing}): the errors are fixed; the site is as before{warnings}",
                ms(total)
            ),
            ReportKind::Unchanged => format!(
                "checked in {}: nothing that is published changed{warnings}",
                ms(total)
            ),
            ReportKind::Failed {
                errors,
                same,
                served,
            } => format!(
                "build failed in {}: {}{warnings}; {}{}",
                ms(total),
                match errors {
                    1 => "1 error".to_string(),
                    n => format!("{n} errors"),
                },
                if *served {
                    "still serving the last good build"
                } else {
                    "pages show the errors until they are fixed"
                },
                if *same {
                    " (same errors as before)"
                } else {
                    ""
                }
            ),
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

fn list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [first, second, rest @ ..] => format!("{first}, {second} and {} more", rest.len()),
    }
}

/// How a rebuild renders.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Full,
    /// Providers whose file changed (or is new), and providers that are gone.
    Incremental {
        changed: BTreeSet<String>,
        removed: BTreeSet<String>,
    },
    Nothing,
}

struct Builder {
    opts: Options,
    color: bool,
    good: Option<Good>,
    /// A template, static file, `site.toml` or clinic changed since the last
    /// good full build (kept across failed builds).
    pending_full: bool,
    /// `Err(why)` when this site cannot be rebuilt incrementally.
    incremental: Result<(), String>,
    /// Warnings already shown in the terminal.
    warnings_shown: HashSet<String>,
    /// After an incremental rebuild: what [`Builder::finish`] does (the
    /// index, the sitemap, the guard's look at the site).
    deferred: Option<Deferred>,
    /// After a good build: its warnings so far; [`Builder::finish`] adds the
    /// reachability warnings and shows what is new.
    warnings_pending: Option<Diagnostics>,
}

impl Builder {
    fn new(opts: Options, color: bool) -> Self {
        Builder {
            opts,
            color,
            good: None,
            pending_full: true,
            incremental: Ok(()),
            warnings_shown: HashSet::default(),
            deferred: None,
            warnings_pending: None,
        }
    }

    fn root(&self) -> &Path {
        &self.opts.site
    }

    /// Rebuilds and publishes; `full` when something other than provider files changed.
    fn rebuild(&mut self, shared: &Shared, full: bool) -> Report {
        self.pending_full |= full;
        let start = Instant::now();
        let (loaded, diags) = howtoreach::load_and_check(&self.opts);
        let load = start.elapsed();
        let site = match loaded {
            Some((site, _)) if !diags.has_errors() => site,
            _ => return self.fail(shared, &diags, load, Duration::ZERO),
        };
        // Shown by `finish`, with the reachability warnings.
        let warnings = 0;
        let pending = diags.clone();
        let start = Instant::now();
        let plan = self.plan(&site);
        if std::env::var_os("HOWTOREACH_TIMINGS").is_some() {
            eprintln!("timing: planned in {}", ms(start.elapsed()));
        }
        let result = match plan {
            Plan::Nothing => {
                let had_errors = shared.write().errors.take().is_some();
                if had_errors {
                    shared.bump();
                }
                Ok(if had_errors {
                    ReportKind::Recovered
                } else {
                    ReportKind::Unchanged
                })
            }
            Plan::Incremental { changed, removed } => {
                match self.incremental(shared, &site, &changed, &removed) {
                    Ok(rendered) => {
                        if let Some(good) = &mut self.good {
                            let old = std::mem::replace(&mut good.site, site);
                            // Freeing a large site takes a while: not on the way to the reload.
                            let _ = std::thread::Builder::new().spawn(move || drop(old));
                        }
                        Ok(ReportKind::Incremental {
                            changed: changed.into_iter().chain(removed).collect(),
                            rendered,
                        })
                    }
                    // The full build reports the problem (or proves it was the shortcut's).
                    Err(_) => self.full(shared, site),
                }
            }
            Plan::Full => self.full(shared, site),
        };
        let render = start.elapsed();
        match result {
            Ok(kind) => {
                self.warnings_pending = Some(pending);
                Report {
                    kind,
                    load,
                    render,
                    warnings,
                }
            }
            Err(mut errors) => {
                errors.extend(diags);
                errors.sort();
                self.fail(shared, &errors, load, render)
            }
        }
    }

    /// Prints warnings not shown before; returns how many there are.
    /// `forget_gone`: warnings not in `diags` may be shown again later (a good
    /// build); a failed build has fewer checks, so it forgets nothing.
    fn show_warnings(&mut self, diags: &Diagnostics, forget_gone: bool) -> usize {
        let mut now = HashSet::default();
        for d in diags.iter().filter(|d| !d.is_error()) {
            // Cheaper than rendering each one (or working out its line and
            // column), and as telling: the message, where, and the help.
            let place = match (d.location.as_deref(), &d.path) {
                (Some((file, span)), _) => {
                    let (line, col) = file.line_col(span.start);
                    format!("{}:{line}:{col}", file.path.display())
                }
                (None, Some(path)) => path.display().to_string(),
                (None, None) => String::new(),
            };
            let key = format!(
                "{}\n{place}\n{}",
                d.message,
                d.help.as_deref().unwrap_or_default()
            );
            if !self.warnings_shown.contains(&key) {
                eprintln!("{}", d.render(self.color));
            }
            now.insert(key);
        }
        let count = now.len();
        if forget_gone {
            self.warnings_shown = now;
        } else {
            self.warnings_shown.extend(now);
        }
        count
    }

    fn fail(
        &mut self,
        shared: &Shared,
        diags: &Diagnostics,
        load: Duration,
        render: Duration,
    ) -> Report {
        // Nothing is left for `finish` to show: the warnings are shown here.
        self.warnings_pending = None;
        let text = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render(false))
            .collect::<Vec<_>>()
            .join("\n");
        let same = {
            let mut served = shared.write();
            let same = served.errors.as_deref() == Some(text.as_str());
            served.errors = Some(text);
            same
        };
        if !same {
            for d in diags.iter().filter(|d| d.is_error()) {
                eprintln!("{}", d.render(self.color));
            }
            shared.bump();
        }
        let warnings = self.show_warnings(diags, false);
        Report {
            kind: ReportKind::Failed {
                errors: diags.errors(),
                same,
                served: self.good.is_some(),
            },
            load,
            render,
            warnings,
        }
    }

    /// Whether to render everything, only what depends on the changed
    /// providers, or nothing.
    ///
    /// Everything when: there is no good build yet; a template, static file,
    /// `site.toml` or the clinic changed (every page shows the clinic); the
    /// build date changed; or this site cannot be rebuilt incrementally (see
    /// [`incremental_check`]). Otherwise the providers whose file text changed
    /// (or who are new or gone).
    fn plan(&self, site: &Site) -> Plan {
        let Some(good) = &self.good else {
            return Plan::Full;
        };
        // Texts are compared below: `serve` loads with a cache, so provider
        // files keep their text (a build without one releases it).
        debug_assert!(self.opts.cache.is_some());
        if self.pending_full
            || self.incremental.is_err()
            || good.site.config.file.text != site.config.file.text
            || good.site.clinic.file.text != site.clinic.file.text
            || good.site.today != site.today
        {
            return Plan::Full;
        }
        // Both sites' slug indexes, rather than maps made anew: a reload at
        // 10,000 providers goes through here with one provider changed.
        let old = &good.site;
        let mut changed = BTreeSet::new();
        for p in &site.providers {
            match old
                .provider_index(&p.slug)
                .and_then(|i| old.providers.get(i))
            {
                // The load cache hands back the same provider for an unchanged file.
                Some(before) if Arc::ptr_eq(before, p) || before.file.text == p.file.text => {}
                _ => {
                    changed.insert(p.slug.clone());
                }
            }
        }
        let removed: BTreeSet<String> = old
            .providers
            .iter()
            .filter(|p| site.provider_index(&p.slug).is_none())
            .map(|p| p.slug.clone())
            .collect();
        if changed.is_empty() && removed.is_empty() {
            Plan::Nothing
        } else {
            Plan::Incremental { changed, removed }
        }
    }

    /// Renders the whole site and publishes it.
    fn full(&mut self, shared: &Shared, site: Site) -> Result<ReportKind, Diagnostics> {
        let first = self.good.is_none();
        let mut templates = render::load_templates(self.root())?;
        let everything = |_: Tree, _: &str| true;
        let out = Collect::new(&everything);
        let (stats, looked_for) = render::render_site_guarded(&site, &mut templates, &out)?;
        let files = out.into_files();
        let static_keys = static_keys(self.root());
        let slugs: HashSet<&str> = site.providers.iter().map(|p| p.slug.as_str()).collect();
        let mut owned: HashMap<String, Vec<Key>> = HashMap::default();
        for key in files.keys() {
            if let Some(slug) = owner(key.0, &key.1)
                && slugs.contains(slug)
                && !static_keys.contains(key)
            {
                owned.entry(slug.to_string()).or_default().push(key.clone());
            }
        }
        let was = self.incremental.is_ok();
        let mut summaries = Summaries::default();
        self.incremental =
            incremental_check(&site, &mut templates, &files, &static_keys, &mut summaries);
        if let Err(why) = &self.incremental
            && was
        {
            eprintln!("note: every change rebuilds the whole site: {why}");
        }
        let count = files.len();
        {
            let mut served = shared.write();
            served.files = files;
            served.errors = None;
        }
        shared.bump();
        self.good = Some(Good {
            site,
            templates,
            static_keys,
            owned,
            summaries,
            looked_for,
        });
        self.pending_full = false;
        Ok(ReportKind::Full {
            providers: stats.providers,
            files: count,
            first,
        })
    }

    /// Re-renders what depends on the changed providers and publishes it.
    /// Returns how many providers were rendered.
    fn incremental(
        &mut self,
        shared: &Shared,
        site: &Site,
        changed: &BTreeSet<String>,
        removed: &BTreeSet<String>,
    ) -> Result<usize, Diagnostics> {
        let Some(good) = &mut self.good else {
            return Err(Diagnostics::default());
        };
        let start = Instant::now();
        let affected = affected(&good.site, site, changed, removed);
        let deps_done = start.elapsed();
        let parts = render_providers(site, &mut good.templates, &affected, &good.static_keys)?;
        if std::env::var_os("HOWTOREACH_TIMINGS").is_some() {
            eprintln!(
                "timing: dependencies found in {}, {} providers rendered in {}",
                ms(deps_done),
                affected.len(),
                ms(start.elapsed() - deps_done),
            );
        }
        // The index and sitemap follow right after the reload is sent
        // (`finish`); until then, requests for them wait.
        shared.set_index_pending(true);
        let fresh: Vec<Key> = parts
            .keys()
            .filter(|(tree, _)| *tree == Tree::Public)
            .cloned()
            .chain(["index.html", "sitemap.xml"].map(|p| (Tree::Public, p.to_string())))
            .collect();
        // (A rebuild whose `finish` has not run yet left its own.)
        let deferred = self.deferred.get_or_insert_with(|| Deferred {
            changed: BTreeSet::new(),
            fresh: HashSet::default(),
        });
        deferred.changed.extend(changed.iter().cloned());
        deferred.fresh.extend(fresh);
        {
            let mut served = shared.write();
            for slug in affected.iter().chain(removed) {
                for key in good.owned.remove(slug).unwrap_or_default() {
                    served.files.remove(&key);
                }
            }
            for (key, bytes) in parts {
                if let Some(slug) = owner(key.0, &key.1) {
                    good.owned
                        .entry(slug.to_string())
                        .or_default()
                        .push(key.clone());
                }
                served.files.insert(key, bytes);
            }
            served.errors = None;
        }
        shared.bump();
        Ok(affected.len())
    }

    /// After the reload of a good build: the index and sitemap of an
    /// incremental rebuild (if the index cannot be rendered this way, a full
    /// rebuild follows and reports the problem), then the reachability
    /// warnings, and the warnings not shown before.
    fn finish(&mut self, shared: &Shared) -> Finished {
        let mut out = Finished::default();
        if let Some(Deferred { changed, fresh }) = self.deferred.take() {
            // Requests for the index never wait for ever, even if this panics.
            struct Ready<'a>(&'a Shared);
            impl Drop for Ready<'_> {
                fn drop(&mut self) {
                    self.0.set_index_pending(false);
                }
            }
            let ready = Ready(shared);
            let start = Instant::now();
            let rendered = match &mut self.good {
                Some(good) => render_index(
                    &good.site,
                    &mut good.templates,
                    &mut good.summaries,
                    Some(&changed),
                )
                .map(|index| {
                    let sitemap = render::sitemap(&good.site);
                    let mut served = shared.write();
                    for (path, bytes) in
                        [("index.html", index), ("sitemap.xml", sitemap.into_bytes())]
                    {
                        let key = (Tree::Public, path.to_string());
                        if !good.static_keys.contains(&key) {
                            served.files.insert(key, Arc::from(bytes));
                        }
                    }
                })
                .is_ok(),
                None => false,
            };
            drop(ready);
            let rendered_in = start.elapsed();
            // The reload's pages were guarded against the providers they show;
            // now against every patients-only value, as a build does. The
            // files that did not change passed a guard last time: if it
            // looked for every value this one does, they pass this one too;
            // if not (a number just made private may stand on a page that did
            // not change), every public file is looked at. If one leaks, the
            // full rebuild reports it.
            let guarded = rendered
                && self.good.as_mut().is_some_and(|good| {
                    let guard = render::Guard::new(&good.site, &render::Discard);
                    let looked_for = guard.looked_for();
                    let only = looked_for.within(&good.looked_for).then_some(&fresh);
                    let (leaking, seen) = public_files_leaking(&guard, &shared.read().files, only);
                    out.guarded = seen;
                    if leaking.is_empty() {
                        good.looked_for = looked_for;
                        return true;
                    }
                    // Not served a moment longer: the full rebuild below
                    // fails on them and keeps serving what it had.
                    let mut served = shared.write();
                    for key in &leaking {
                        served.files.remove(key);
                    }
                    false
                });
            if !guarded {
                out.full = Some(self.rebuild(shared, true));
            }
            out.index = Some(start.elapsed());
            out.index_alone = rendered_in;
        }
        if let Some(mut diags) = self.warnings_pending.take() {
            if self.opts.warnings_later
                && !self.opts.strict
                && let Some(good) = &self.good
            {
                diags.extend(howtoreach::late_warnings(&good.site));
                diags.sort();
            }
            out.warnings = Some(self.show_warnings(&diags, true));
        }
        out
    }
}

/// The public files (of `only`, if given) that hold a value `guard` looks
/// for (on both cores), and how many files were looked at.
fn public_files_leaking(
    guard: &render::Guard<'_>,
    files: &Files,
    only: Option<&HashSet<Key>>,
) -> (Vec<Key>, usize) {
    let leaks = |(key, bytes): (&Key, &Arc<[u8]>)| {
        let leaks = key.0 == Tree::Public && guard.emit(Dest::Public, &key.1, bytes).is_err();
        leaks.then(|| key.clone())
    };
    match only {
        Some(only) => {
            let some: Vec<(&Key, &Arc<[u8]>)> = only
                .iter()
                .filter_map(|key| files.get_key_value(key))
                .collect();
            let leaking = some.par_iter().filter_map(|&f| leaks(f)).collect();
            (leaking, some.len())
        }
        None => {
            let leaking = files.par_iter().filter_map(leaks).collect();
            let public = files.keys().filter(|k| k.0 == Tree::Public).count();
            (leaking, public)
        }
    }
}

/// What [`Builder::finish`] did after a reload.
#[derive(Debug, Default)]
struct Finished {
    /// How long the index and sitemap took, after an incremental rebuild.
    index: Option<Duration>,
    /// How many public files the guard was to look at then.
    guarded: usize,
    /// The part of `index` before the guard.
    index_alone: Duration,
    /// The full rebuild that replaced an index that could not be rendered
    /// alone, or that reports a patients-only value the guard found.
    full: Option<Report>,
    /// How many warnings the build has, reachability included.
    warnings: Option<usize>,
}

/// The provider a rendered file belongs to, by its path (SPEC's output layout):
/// `providers/<slug>/…` in the public tree, `<slug>.html` in the handouts.
fn owner(tree: Tree, path: &str) -> Option<&str> {
    match tree {
        Tree::Public => path.strip_prefix("providers/")?.split('/').next(),
        Tree::Handouts => {
            let first = path.split('/').next()?;
            Some(first.strip_suffix(".html").unwrap_or(first))
        }
    }
    .filter(|s| !s.is_empty())
}

/// The paths of the site's `static/` files, as the build copies them.
fn static_keys(root: &Path) -> HashSet<Key> {
    let dir = root.join("static");
    walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&dir).ok()?.to_str()?;
            Some((Tree::Public, rel.replace('\\', "/")))
        })
        .collect()
}

/// The slugs a provider names in `covering` (after hours and absences).
fn covering(p: &Provider) -> impl Iterator<Item = &str> {
    p.after_hours
        .covering
        .iter()
        .map(|r| r.slug.as_str())
        .chain(
            p.away
                .iter()
                .filter_map(|a| a.covering.as_ref())
                .map(|r| r.slug.as_str()),
        )
}

/// The providers whose data a provider's files show: the provider; the
/// colleagues they name in `covering` (name, role, link, and when they can be
/// reached); and, following absences only, whoever covers for those
/// colleagues while they are away, and so on (`reach::Analysis::reachable`
/// follows `[[away]] covering` chains, not after-hours ones).
fn deps<'a>(by_slug: &HashMap<&'a str, &'a Provider>, p: &'a Provider) -> HashSet<&'a str> {
    let mut out: HashSet<&str> = std::iter::once(p.slug.as_str()).collect();
    let mut stack: Vec<&str> = Vec::new();
    for c in covering(p) {
        if out.insert(c) {
            stack.push(c);
        }
    }
    while let Some(slug) = stack.pop() {
        let Some(q) = by_slug.get(slug) else {
            continue;
        };
        for a in q.away.iter().filter_map(|a| a.covering.as_ref()) {
            if out.insert(&a.slug) {
                stack.push(&a.slug);
            }
        }
    }
    out
}

fn by_slug(site: &Site) -> HashMap<&str, &Provider> {
    site.providers
        .iter()
        .map(|p| (p.slug.as_str(), &**p))
        .collect()
}

/// Which providers' files must be rendered again when `changed` (and
/// `removed`) providers changed from `old` to `new`: every provider whose
/// files show one of them ([`deps`]), in either version of the site; and the
/// colleagues a changed provider names, in either version (a page may say
/// whom its provider covers for). Only providers that exist in `new`.
///
/// Worked backwards from the changed providers, in one pass over each site:
/// `deps(p)` holds a changed provider `s` when `p` is `s`, or when one of the
/// colleagues `p` names leads to `s` through `[[away]] covering` links.
fn affected(
    old: &Site,
    new: &Site,
    changed: &BTreeSet<String>,
    removed: &BTreeSet<String>,
) -> BTreeSet<String> {
    let seeds: HashSet<&str> = changed.iter().chain(removed).map(String::as_str).collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    for site in [old, new] {
        // Who names `a` as the colleague covering one of their absences.
        let mut covered_by: HashMap<&str, Vec<&str>> = HashMap::default();
        for q in &site.providers {
            for a in q.away.iter().filter_map(|a| a.covering.as_ref()) {
                covered_by
                    .entry(a.slug.as_str())
                    .or_default()
                    .push(q.slug.as_str());
            }
        }
        // Everyone from whom a changed provider is reached through absences.
        let mut leads: HashSet<&str> = seeds.clone();
        let mut stack: Vec<&str> = seeds.iter().copied().collect();
        while let Some(slug) = stack.pop() {
            for q in covered_by.get(slug).into_iter().flatten() {
                if leads.insert(q) {
                    stack.push(q);
                }
            }
        }
        for p in &site.providers {
            if seeds.contains(p.slug.as_str()) || covering(p).any(|c| leads.contains(c)) {
                out.insert(p.slug.clone());
            }
        }
        for seed in &seeds {
            if let Some(i) = site.provider_index(seed) {
                out.extend(covering(&site.providers[i]).map(str::to_string));
            }
        }
    }
    out.retain(|s| new.provider_index(s).is_some());
    debug_assert_eq!(out, affected_by_deps(old, new, changed, removed));
    out
}

/// [`affected`] by its definition, provider by provider: the check of the
/// faster version in debug builds (and so in every test).
fn affected_by_deps(
    old: &Site,
    new: &Site,
    changed: &BTreeSet<String>,
    removed: &BTreeSet<String>,
) -> BTreeSet<String> {
    let seeds: HashSet<&str> = changed.iter().chain(removed).map(String::as_str).collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    for site in [old, new] {
        let by_slug = by_slug(site);
        for p in &site.providers {
            if deps(&by_slug, p).iter().any(|d| seeds.contains(d)) {
                out.insert(p.slug.clone());
            }
        }
        for seed in &seeds {
            if let Some(p) = by_slug.get(seed) {
                out.extend(covering(p).map(str::to_string));
            }
        }
    }
    let exists: HashSet<&str> = new.providers.iter().map(|p| p.slug.as_str()).collect();
    out.retain(|s| exists.contains(s.as_str()));
    out
}

/// The files of `slugs` (page, contact card, QR code, handout), rendered by the
/// library's own [`render::render_site`] on a smaller site: those providers and
/// their [`deps`], which is everything their files show (checked by
/// [`incremental_check`]). Files of other providers, and global
/// ones, are dropped.
fn render_providers(
    site: &Site,
    templates: &mut Templates,
    slugs: &BTreeSet<String>,
    static_keys: &HashSet<Key>,
) -> Result<Files, Diagnostics> {
    if slugs.is_empty() {
        return Ok(Files::default());
    }
    let by_slug = by_slug(site);
    let keep: HashSet<&str> = slugs
        .iter()
        .filter_map(|s| by_slug.get(s.as_str()))
        .flat_map(|p| deps(&by_slug, p))
        .collect();
    let small = Site::new(
        site.root.clone(),
        site.config.clone(),
        site.clinic.clone(),
        site.providers
            .iter()
            .filter(|p| keep.contains(p.slug.as_str()))
            .cloned()
            .collect(),
        site.today,
    );
    let wanted = |tree: Tree, path: &str| {
        owner(tree, path).is_some_and(|s| slugs.contains(s))
            && !static_keys.contains(&(tree, path.to_string()))
    };
    let out = Collect::new(&wanted);
    render::render_site(&small, templates, &out)?;
    Ok(out.into_files())
}

/// Each provider's entry in the index, as a template value, by slug.
type Summaries = HashMap<String, (Option<String>, tera::Value)>;

/// The index page, as [`render::render_site`] renders it. `fresh`: the
/// providers whose summary must be made again (`None`: all).
///
/// This repeats the library's index code (the library has no way to render
/// the index alone); [`incremental_check`] compares the result with the
/// library's after every full build, and turns incremental rebuilds off if
/// they ever differ.
fn render_index(
    site: &Site,
    templates: &mut Templates,
    cache: &mut Summaries,
    fresh: Option<&BTreeSet<String>>,
) -> Result<Vec<u8>, Diagnostic> {
    let views = ViewBuilder::new(site);
    if templates.native.index {
        // Written without template values: nothing to keep between rebuilds.
        cache.clear();
        return Ok(render::native::index::render(
            &render::native::Frame::new(&views),
            &render::index_page(site),
        )
        .into_bytes());
    }
    let own = &templates.own;
    let tera = &mut templates.tera;
    // A summary shows one provider only (and the clinic and date, which make
    // every rebuild a full one): only those of changed providers are made again.
    let stale = |p: &&Arc<Provider>| {
        fresh.is_none_or(|f| f.contains(&p.slug)) || !cache.contains_key(&p.slug)
    };
    let computed: Vec<(String, (Option<String>, tera::Value))> = site
        .providers
        .par_iter()
        .filter(stale)
        .map(|p| {
            let s: ProviderSummary = views.summary(p);
            (
                p.slug.clone(),
                (s.department.clone(), tera::Value::from_serializable(&s)),
            )
        })
        .collect();
    cache.extend(computed);
    let current: HashSet<&str> = site.providers.iter().map(|p| p.slug.as_str()).collect();
    cache.retain(|slug, _| current.contains(slug.as_str()));
    let mut summaries = Vec::with_capacity(site.providers.len());
    for p in &site.providers {
        match cache.get(&p.slug) {
            Some(summary) => summaries.push(summary.clone()),
            None => {
                return Err(Diagnostic::error(format!(
                    "no summary of {} for the index",
                    p.slug
                )));
            }
        }
    }
    let departments = render::context::department_values(&summaries);
    let providers: Vec<tera::Value> = summaries.into_iter().map(|(_, v)| v).collect();
    {
        let global = tera.global_context();
        global.insert("site", &views.site_view());
        global.insert("build", &views.build_view());
        global.insert("clinic", &views.clinic_view());
        global.insert_value("providers", tera::Value::from(providers));
        global.insert_value("departments", departments);
        global.insert(
            "languages",
            &render::context::all_languages(&site.providers),
        );
    }
    let mut ctx = Context::new();
    ctx.insert("page", &render::index_page(site));
    let mut buf = Vec::with_capacity(64 * 1024);
    tera.render_to("index.html", &ctx, &mut buf)
        .map_err(|e| render::template_diagnostic(&e, own))?;
    Ok(buf)
}

/// Whether rendering only some providers gives the same files as a full
/// build, for this site and these templates. `Err(why)` if not:
///
/// - a template other than `index.html` uses a site-wide variable
///   ([`SITE_WIDE`]): provider pages and handouts would depend on every provider;
/// - the index rendered by [`render_index`] differs from the full build's;
/// - the files of one provider, rendered alone, differ from the full build's.
fn incremental_check(
    site: &Site,
    templates: &mut Templates,
    files: &Files,
    static_keys: &HashSet<Key>,
    summaries: &mut Summaries,
) -> Result<(), String> {
    if let Some(found) = &templates.site_wide {
        return Err(found.clone());
    }
    let index_key = (Tree::Public, "index.html".to_string());
    if !static_keys.contains(&index_key) {
        let index = render_index(site, templates, summaries, None).map_err(|d| d.message)?;
        if files.get(&index_key).map(|b| &b[..]) != Some(&index[..]) {
            return Err("the index rendered alone differs from a full build's".into());
        }
    }
    // The provider with the most colleagues, so that the most is compared.
    let Some(p) = site.providers.iter().max_by_key(|p| covering(p).count()) else {
        return Ok(());
    };
    let one = BTreeSet::from([p.slug.clone()]);
    let alone = render_providers(site, templates, &one, static_keys).map_err(|d| {
        d.iter().next().map_or_else(
            || "rendering one provider failed".to_string(),
            |d| d.message.clone(),
        )
    })?;
    let in_full: BTreeMap<&Key, &Arc<[u8]>> = files
        .iter()
        .filter(|(k, _)| owner(k.0, &k.1) == Some(p.slug.as_str()) && !static_keys.contains(*k))
        .collect();
    let alone: BTreeMap<&Key, &Arc<[u8]>> = alone.iter().collect();
    if in_full != alone {
        return Err(format!(
            "the files of {} rendered alone differ from a full build's",
            p.slug
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Watching.

/// The folders watched recursively.
const WATCHED_DIRS: [&str; 3] = ["data", "templates", "static"];

fn watch(
    watcher: &mut notify::RecommendedWatcher,
    root: &Path,
    path: &Path,
    mode: notify::RecursiveMode,
) -> Result<(), Diagnostic> {
    watcher.watch(path, mode).map_err(|e| {
        let shown = path.strip_prefix(root).unwrap_or(path);
        Diagnostic::error(format!("cannot watch {}: {e}", shown.display()))
            .help("on Linux, raise fs.inotify.max_user_watches (sysctl)")
    })
}

/// What a changed path means for the next rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Not an input (another file, an editor's swap file).
    Ignored,
    /// A provider file (or folder of them).
    Provider,
    /// `site.toml`, the clinic, a template or a static file: render everything.
    Everything,
}

fn classify(root: &Path, path: &Path) -> Change {
    let Ok(rel) = path.strip_prefix(root) else {
        return Change::Ignored;
    };
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let junk = parts.last().is_some_and(|n| render::is_editor_junk(n));
    match parts.as_slice() {
        ["site.toml"] => Change::Everything,
        ["data"] | ["data", "clinic.toml"] => Change::Everything,
        ["data", "providers", ..] if !junk => Change::Provider,
        // What the build does not read as a template (notes, hidden files)
        // changes nothing.
        ["templates", rest @ ..] if render::is_template_path(rest) => Change::Everything,
        ["static", ..] => Change::Everything,
        _ => Change::Ignored,
    }
}

/// The events of one debounced batch.
#[derive(Default)]
struct Batch {
    relevant: bool,
    full: bool,
    paths: BTreeSet<PathBuf>,
    /// Watched folders that appeared (`data/`, `templates/`, `static/`).
    new_dirs: BTreeSet<PathBuf>,
}

impl Batch {
    fn add(&mut self, root: &Path, event: notify::Result<notify::Event>) {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                eprintln!("file watcher: {e}; rebuilding everything");
                self.relevant = true;
                self.full = true;
                return;
            }
        };
        if event.need_rescan() {
            self.relevant = true;
            self.full = true;
        }
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            match classify(root, &path) {
                Change::Ignored => continue,
                Change::Provider => self.relevant = true,
                Change::Everything => {
                    self.relevant = true;
                    self.full = true;
                }
            }
            if path.parent() == Some(root)
                && WATCHED_DIRS.iter().any(|d| path.ends_with(d))
                && path.is_dir()
            {
                self.new_dirs.insert(path.clone());
            }
            self.paths.insert(path);
        }
    }

    /// Whether the provider files are the ones the last load found: every
    /// path of the batch is a provider file known before that still exists,
    /// or something else that is gone again (an editor's or `sed -i`'s
    /// temporary file). A new or removed provider file, a folder or a link
    /// means the folder must be listed again.
    fn same_files(&self, cache: &howtoreach::load::LoadCache) -> bool {
        !self.full
            && self.new_dirs.is_empty()
            && self.paths.iter().all(|path| {
                let provider_file = path.extension().is_some_and(|e| e == "toml");
                match std::fs::symlink_metadata(path) {
                    Ok(meta) => meta.is_file() && provider_file && cache.knows_file(path),
                    Err(_) => !(provider_file && cache.knows_file(path)),
                }
            })
    }

    /// The slugs of the provider files in the batch (the stems of its
    /// `.toml` paths): with [`Batch::same_files`], the only providers whose
    /// files may have changed.
    fn slugs(&self) -> impl Iterator<Item = String> + '_ {
        self.paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
    }

    /// When the newest file of the batch was written.
    fn written(&self) -> Option<SystemTime> {
        self.paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .max()
    }
}

fn watch_loop(
    root: &Path,
    mut builder: Builder,
    mut watcher: notify::RecommendedWatcher,
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    shared: &Shared,
) {
    // Ends when the watcher's channel closes, i.e. never while the process runs.
    while let Ok(first) = rx.recv() {
        let mut batch = Batch::default();
        batch.add(root, first);
        if !batch.relevant {
            continue;
        }
        let seen = Instant::now();
        let seen_at = SystemTime::now();
        loop {
            match rx.recv_timeout(QUIET) {
                Ok(event) => batch.add(root, event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if seen.elapsed() > MAX_WAIT {
                break;
            }
        }
        for dir in &batch.new_dirs {
            if let Err(d) = watch(&mut watcher, root, dir, notify::RecursiveMode::Recursive) {
                eprintln!("{}", d.render(builder.color));
            }
        }
        if let Some(cache) = &builder.opts.cache
            && batch.same_files(cache)
        {
            cache.only_changed(batch.slugs());
        }
        let start = Instant::now();
        let mut report = builder.rebuild(shared, batch.full);
        let sent = Instant::now();
        // From the write (the newest modification time in the batch) to the reload event.
        let sent_at = seen_at + (sent - seen);
        let written = batch.written().filter(|w| {
            sent_at
                .duration_since(*w)
                .is_ok_and(|d| d < Duration::from_secs(60))
        });
        // The index, sitemap and reachability warnings come after the reload.
        let finished = builder.finish(shared);
        if let Some(w) = finished.warnings {
            report.warnings = w;
        }
        let mut line = report.line(sent - start);
        let done = if report.reloads() {
            "reload sent"
        } else {
            "done"
        };
        match written {
            Some(w) => line.push_str(&format!(
                " (change seen {} after the write; {done} {} after it)",
                ms(seen_at.duration_since(w).unwrap_or_default()),
                ms(sent_at.duration_since(w).unwrap_or_default()),
            )),
            None => line.push_str(&format!(
                " ({done} {} after the change was seen)",
                ms(sent - seen)
            )),
        }
        eprintln!("{line}");
        if let Some(mut full) = finished.full {
            if let Some(w) = finished.warnings {
                full.warnings = w;
            }
            eprintln!("{}", full.line(finished.index.unwrap_or_default()));
        } else if let Some(took) = finished.index
            && std::env::var_os("HOWTOREACH_TIMINGS").is_some()
        {
            eprintln!(
                "timing: the index and sitemap followed in {} (rendered in {}; then the guard, at {} public files)",
                ms(took),
                ms(finished.index_alone),
                finished.guarded
            );
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP.

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            continue;
        };
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("howtoreach-conn".into())
            .spawn(move || {
                // A client that goes away mid-answer is no error of ours.
                let _ = handle(stream, &shared);
            });
        if let Err(e) = spawned {
            eprintln!("cannot answer a request: {e}");
        }
    }
}

struct Request {
    method: String,
    path: String,
    host: Option<String>,
}

/// Reads a request's head (the body, if any, is ignored).
fn read_request(stream: &mut TcpStream) -> io::Result<Option<Request>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 16 * 1024 {
            return Ok(None);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target)) = (first.next(), first.next()) else {
        return Ok(None);
    };
    let host = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim().to_ascii_lowercase())
    });
    let path = target.split(['?', '#']).next().unwrap_or_default();
    Ok(Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        host,
    }))
}

/// A response, before it is written.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
            location: None,
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Response::new(status, "text/plain; charset=utf-8", format!("{text}\n"))
    }

    fn write(&self, stream: &mut TcpStream, head_only: bool) -> io::Result<()> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if let Some(location) = &self.location {
            out.push_str(&format!("Location: {location}\r\n"));
        }
        if self.status == 405 {
            out.push_str("Allow: GET, HEAD\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        stream.write_all(&bytes)?;
        stream.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn handle(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(req) = read_request(&mut stream)? else {
        return Ok(());
    };
    let head_only = req.method == "HEAD";
    let response = if !host_allowed(req.host.as_deref(), shared.port) {
        Response::text(
            403,
            &format!(
                "howtoreach serve answers only http://127.0.0.1:{0}/ and http://localhost:{0}/",
                shared.port
            ),
        )
    } else if req.method != "GET" && !head_only {
        Response::text(405, "howtoreach serve only answers GET and HEAD")
    } else if req.path == "/__howtoreach/events" {
        return events(stream, shared);
    } else {
        match percent_decode(&req.path) {
            Some(path) => answer(&path, shared),
            None => Response::text(400, "bad path"),
        }
    };
    response.write(&mut stream, head_only)
}

/// Only requests addressed to this machine by name or loopback address.
fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        // HTTP/1.0 without Host: only local clients can connect anyway.
        return true;
    };
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}") || (port == 80 && host == *name))
}

/// Decodes `%XX`; `None` for bad escapes, non-UTF-8, NUL, or `.`/`..` segments.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    let bad = !s.starts_with('/')
        || s.contains(['\0', '\\'])
        || s.split('/').any(|seg| seg == "." || seg == "..");
    (!bad).then_some(s)
}

fn answer(path: &str, shared: &Shared) -> Response {
    // The version first: if a rebuild comes in between, the page is stamped
    // with the older version and reloads again.
    let version = shared.version();
    // The index and sitemap of an incremental rebuild come just after the
    // reload: never serve the old ones.
    let public = path.trim_start_matches('/');
    if !path.starts_with(HANDOUTS) && matches!(public, "" | "index.html" | "sitemap.xml") {
        shared.wait_index(Duration::from_secs(30));
    }
    let served = shared.read();
    let errors = served.errors.as_deref();
    let html = |status: u16, bytes: &[u8]| {
        Response::new(
            status,
            "text/html; charset=utf-8",
            inject(bytes, version, errors),
        )
    };
    match path {
        "/__howtoreach/reload.js" => {
            return Response::new(200, "text/javascript; charset=utf-8", RELOAD_JS);
        }
        "/__howtoreach/serve.css" => {
            return Response::new(200, "text/css; charset=utf-8", SERVE_CSS);
        }
        "/__howtoreach/status" => {
            let status = serde_json::json!({
                "version": version,
                "ok": errors.is_none(),
                "errors": errors,
                "files": served.files.len(),
            });
            return Response::new(200, "application/json", status.to_string());
        }
        "/__handouts" => return redirect(HANDOUTS),
        _ => {}
    }
    let (tree, rel) = match path.strip_prefix(HANDOUTS) {
        Some("") => return html(200, handout_list(&served.files).as_bytes()),
        Some(rel) => (Tree::Handouts, rel),
        None => (Tree::Public, path.trim_start_matches('/')),
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(bytes) = served.files.get(&(tree, file.clone())) {
        let content_type = content_type(&file);
        return if content_type.starts_with("text/html") {
            html(200, bytes)
        } else {
            Response::new(200, content_type, bytes.to_vec())
        };
    }
    if !rel.is_empty()
        && !rel.ends_with('/')
        && served
            .files
            .contains_key(&(tree, format!("{rel}/index.html")))
    {
        return redirect(&format!("{path}/"));
    }
    if served.files.is_empty() {
        return html(
            503,
            b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>howtoreach serve</title></head><body><p>The site has not been built yet.</p></body></html>",
        );
    }
    match served.files.get(&(Tree::Public, "404.html".to_string())) {
        Some(page) => html(404, page),
        None => Response::text(404, "not found"),
    }
}

fn redirect(to: &str) -> Response {
    let mut r = Response::text(301, &format!("see {to}"));
    r.location = Some(to.to_string());
    r
}

fn handout_list(files: &Files) -> String {
    let mut names: Vec<&str> = files
        .keys()
        .filter(|(t, p)| *t == Tree::Handouts && p.ends_with(".html"))
        .map(|(_, p)| p.as_str())
        .collect();
    names.sort_unstable();
    let items: String = names
        .iter()
        .map(|n| {
            let n = render::escape_xml(n);
            format!("<li><a href=\"{HANDOUTS}{n}\">{n}</a></li>\n")
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Handouts (local preview)</title></head><body><main><h1>Printable handouts</h1><p>Handouts include patients-only channels: print them, never publish them. <code>howtoreach build</code> writes them into the handout folder.</p><ul>\n{items}</ul></main></body></html>"
    )
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "vcf" => "text/vcard; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Adds the reload script before `</body>`, and the error overlay after `<body…>`.
fn inject(html: &[u8], version: u64, errors: Option<&str>) -> Vec<u8> {
    let allowed;
    let html = match allow_own_scripts(html) {
        Some(page) => {
            allowed = page;
            &allowed[..]
        }
        None => html,
    };
    let script = format!("<script src=\"/__howtoreach/reload.js?v={version}\"></script>\n");
    let overlay = errors.map(overlay).unwrap_or_default();
    let mut out = Vec::with_capacity(html.len() + script.len() + overlay.len());
    let lower = html.to_ascii_lowercase();
    let body_open = find(&lower, b"<body").and_then(|i| {
        lower[i..]
            .iter()
            .position(|&b| b == b'>')
            .map(|j| i + j + 1)
    });
    let body_close = rfind(&lower, b"</body").filter(|&c| body_open.is_none_or(|o| c >= o));
    let open_at = body_open.unwrap_or(0);
    let close_at = body_close.unwrap_or(html.len());
    out.extend_from_slice(&html[..open_at]);
    out.extend_from_slice(overlay.as_bytes());
    out.extend_from_slice(&html[open_at..close_at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[close_at..]);
    out
}

/// A page whose Content-Security-Policy `<meta>` has no `script-src` (so
/// `default-src` forbids scripts, as handouts do), with `script-src 'self'`
/// put first in it, so that the reload script runs. `None` when nothing is
/// to change.
fn allow_own_scripts(html: &[u8]) -> Option<Vec<u8>> {
    // The reload script needs `script-src 'self'` (handouts allow no script)
    // and `connect-src 'self'` for its event stream (pages set `default-src 'none'`).
    let lower = html.to_ascii_lowercase();
    let at = find(&lower, b"content-security-policy")?;
    let tag_start = rfind(&lower[..at], b"<meta")?;
    let tag_end = at + lower[at..].iter().position(|&b| b == b'>')?;
    let content =
        tag_start + find(&lower[tag_start..tag_end], b"content=\"")? + b"content=\"".len();
    let policy_end = content + lower[content..tag_end].iter().position(|&b| b == b'"')?;
    let policy = &lower[content..policy_end];
    let mut add: Vec<u8> = Vec::new();
    if find(policy, b"script-src").is_none() {
        add.extend_from_slice(b"script-src 'self'; ");
    }
    if find(policy, b"connect-src").is_none() {
        add.extend_from_slice(b"connect-src 'self'; ");
    }
    if add.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(html.len() + add.len());
    out.extend_from_slice(&html[..content]);
    out.extend_from_slice(&add);
    out.extend_from_slice(&html[content..]);
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The error overlay: plain HTML (pages allow no inline style or script).
fn overlay(errors: &str) -> String {
    format!(
        "<link rel=\"stylesheet\" href=\"/__howtoreach/serve.css\">\n<div id=\"howtoreach-serve-errors\" role=\"alert\"><p><strong>The site has errors.</strong> This page is from the last good build. Fix the files below: the page reloads by itself.</p><pre>{}</pre></div>\n",
        render::escape_xml(errors)
    )
}

/// Reloads the page when the site is rebuilt (server-sent events).
const RELOAD_JS: &str = r#"// howtoreach serve: reloads this page when the site is rebuilt. Added by `serve` only.
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script ? new URL(script.src).searchParams.get("v") : null;
  if (!window.EventSource) return;
  var source = new EventSource("/__howtoreach/events");
  source.addEventListener("version", function (event) {
    if (served === null) served = event.data;
    else if (event.data !== served) {
      source.close();
      window.location.reload();
    }
  });
})();
"#;

const SERVE_CSS: &str = r#"/* howtoreach serve: the error overlay. */
#howtoreach-serve-errors {
  position: fixed; inset: 0 0 auto 0; z-index: 2147483647;
  max-height: 70vh; overflow: auto; margin: 0; padding: 1rem 1.25rem;
  background: #fff4f4; color: #1a1a1a; border-bottom: 4px solid #b00020;
  font: 16px/1.4 system-ui, sans-serif; box-shadow: 0 4px 16px rgba(0,0,0,.3);
}
#howtoreach-serve-errors pre {
  white-space: pre-wrap; font: 14px/1.35 ui-monospace, monospace; margin: .5rem 0 0;
}
"#;

/// One `version` event now and one per change, until the page goes away.
fn events(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n",
    )?;
    let mut sent = None;
    loop {
        let now = match sent {
            None => shared.version(),
            Some(seen) => shared.wait_change(seen, KEEP_ALIVE),
        };
        if sent == Some(now) {
            stream.write_all(b": keep-alive\n\n")?;
        } else {
            stream.write_all(format!("event: version\ndata: {now}\n\n").as_bytes())?;
            sent = Some(now);
        }
        stream.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const SITE: &str = "base_url = \"https://clinic.example.org\"\n";
    const CLINIC: &str = r#"name = "Test Clinic"
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
when = "Fever."

[after_hours]
text = "Call the answering service."
phone = "+1 204 555 0198"
"#;

    fn provider(name: &str, phone: &str, covering: &[&str], away: Option<&str>) -> String {
        let mut s = format!(
            "name = \"{name}\"\nrole = \"Nurse\"\ndepartment = \"Oncology\"\nreviewed = 2026-11-01\n\n[[channels]]\nkind = \"phone\"\nvalue = \"{phone}\"\nhours = \"Mo-Fr 09:00-12:00\"\n"
        );
        if !covering.is_empty() {
            let list: Vec<String> = covering.iter().map(|c| format!("\"{c}\"")).collect();
            s.push_str(&format!(
                "\n[after_hours]\ncovering = [{}]\n",
                list.join(", ")
            ));
        }
        if let Some(c) = away {
            s.push_str(&format!(
                "\n[[away]]\nfrom = 2026-11-20\nto = 2026-12-05\ncovering = \"{c}\"\n"
            ));
        }
        s
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap_or(root)).expect("create folder");
        fs::write(path, text).expect("write file");
    }

    /// a → b (after hours), b → c (away), d alone, e covers a.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path();
        write(root, "site.toml", SITE);
        write(root, "data/clinic.toml", CLINIC);
        write(
            root,
            "data/providers/a.toml",
            &provider("Ann Able", "+1 204 555 0111", &["b"], None),
        );
        write(
            root,
            "data/providers/b.toml",
            &provider("Bob Baker", "+1 204 555 0112", &[], Some("c")),
        );
        write(
            root,
            "data/providers/sub/c.toml",
            &provider("Cy Cole", "+1 204 555 0113", &[], None),
        );
        write(
            root,
            "data/providers/d.toml",
            &provider("Di Dunn", "+1 204 555 0114", &[], None),
        );
        write(
            root,
            "data/providers/e.toml",
            &provider("Ed Eads", "+1 204 555 0115", &["a"], None),
        );
        dir
    }

    fn builder(root: &Path) -> Builder {
        Builder::new(
            Options {
                site: root.to_path_buf(),
                output: Some(root.join("never-written")),
                base_url: Some("http://127.0.0.1:1111".into()),
                today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
                cache: Some(Arc::new(howtoreach::load::LoadCache::default())),
                warnings_later: true,
                ..Options::default()
            },
            false,
        )
    }

    fn snapshot(shared: &Shared) -> BTreeMap<Key, Vec<u8>> {
        shared
            .read()
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.to_vec()))
            .collect()
    }

    /// A clean in-memory build of the site as it is now.
    fn clean(root: &Path) -> BTreeMap<Key, Vec<u8>> {
        let shared = Shared::new(1111);
        let report = builder(root).rebuild(&shared, true);
        assert!(matches!(report.kind, ReportKind::Full { .. }), "{report:?}");
        snapshot(&shared)
    }

    #[track_caller]
    fn assert_same(a: &BTreeMap<Key, Vec<u8>>, b: &BTreeMap<Key, Vec<u8>>) {
        let diff: Vec<&Key> = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .collect();
        assert!(
            diff.is_empty(),
            "incremental and clean builds differ: {diff:?}"
        );
    }

    /// How many public files `serve` serves.
    fn public_files(shared: &Shared) -> usize {
        shared
            .read()
            .files
            .keys()
            .filter(|k| k.0 == Tree::Public)
            .count()
    }

    /// The index and sitemap that follow an incremental rebuild's reload.
    fn finish(b: &mut Builder, shared: &Shared) -> Finished {
        let finished = b.finish(shared);
        assert!(
            finished.full.is_none(),
            "the index needed a full rebuild: {finished:?}"
        );
        assert!(!*shared.index_pending.lock().expect("lock"));
        finished
    }

    #[test]
    fn warnings_only_checks_come_after_the_reload() {
        let dir = site();
        let root = dir.path();
        // An absence nobody covers: a reachability warning.
        write(
            root,
            "data/providers/g.toml",
            &format!(
                "{}\n[[away]]\nfrom = 2026-12-01\nto = 2026-12-05\n",
                provider("Gus Gray", "+1 204 555 0117", &[], None)
            ),
        );
        // A patients-only number the public site shows anyway.
        write(
            root,
            "data/providers/h.toml",
            &format!(
                "{}\n[[channels]]\nkind = \"mobile\"\nvalue = \"+1 204 555 0117\"\nvisibility = \"patients\"\n",
                provider("Hal Hunt", "+1 204 555 0118", &[], None)
            ),
        );
        let shared = Shared::new(1111);
        let mut b = builder(root);
        let report = b.rebuild(&shared, true);
        assert!(matches!(report.kind, ReportKind::Full { .. }), "{report:?}");
        let finished = b.finish(&shared);
        let all = howtoreach::check(&Options {
            warnings_later: false,
            cache: None,
            ..b.opts.clone()
        });
        let without_reach = howtoreach::load_and_check(&Options {
            cache: None,
            ..b.opts.clone()
        })
        .1
        .iter()
        .filter(|d| !d.is_error())
        .count();
        let expected = all.iter().filter(|d| !d.is_error()).count();
        assert!(
            all.iter().any(|d| d.message.contains("is also published")),
            "{all:?}"
        );
        assert!(
            expected > without_reach,
            "the test site has warnings of the later checks"
        );
        assert_eq!(finished.warnings, Some(expected));
        // Under `strict` every check runs at once: warnings decide the build.
        let (_, strict) = howtoreach::load_and_check(&Options {
            cache: None,
            strict: true,
            ..b.opts.clone()
        });
        assert_eq!(strict.errors(), expected);
    }

    #[test]
    fn incremental_rebuilds_equal_clean_builds() {
        let dir = site();
        let root = dir.path();
        let shared = Shared::new(1111);
        let mut b = builder(root);
        let first = b.rebuild(&shared, true);
        assert!(matches!(first.kind, ReportKind::Full { .. }), "{first:?}");
        assert_eq!(b.incremental, Ok(()));

        // c changes: c; b (c covers b's absence); a (a's after-hours colleague b is
        // reached through c while away). Not e: e → a is an after-hours link, and a
        // is never away, so e's page shows nothing of c (the clean build agrees).
        write(
            root,
            "data/providers/sub/c.toml",
            &provider("Cy Cole-Smith", "+1 204 555 0123", &[], None),
        );
        let r = b.rebuild(&shared, false);
        let finished = finish(&mut b, &shared);
        // Nothing new to look for: only the files rendered again are looked at.
        let public = public_files(&shared);
        assert!(
            (3..public).contains(&finished.guarded),
            "{} of {public}",
            finished.guarded
        );
        assert_eq!(
            r.kind,
            ReportKind::Incremental {
                changed: vec!["c".into()],
                rendered: 3
            },
        );
        assert_same(&snapshot(&shared), &clean(root));

        // d changes alone: only d.
        write(
            root,
            "data/providers/d.toml",
            &provider("Di Dunn", "+1 204 555 0124", &[], None),
        );
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert_eq!(
            r.kind,
            ReportKind::Incremental {
                changed: vec!["d".into()],
                rendered: 1
            }
        );
        assert_same(&snapshot(&shared), &clean(root));

        // d now covers for c after hours; a new provider f; e goes away.
        write(
            root,
            "data/providers/d.toml",
            &provider("Di Dunn", "+1 204 555 0124", &["c"], None),
        );
        write(
            root,
            "data/providers/f.toml",
            &provider("Flo Fox", "+1 204 555 0116", &["d"], None),
        );
        fs::remove_file(root.join("data/providers/e.toml")).expect("remove e");
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert!(matches!(r.kind, ReportKind::Incremental { .. }), "{r:?}");
        assert_same(&snapshot(&shared), &clean(root));
        assert!(
            !shared
                .read()
                .files
                .contains_key(&(Tree::Public, "providers/e/index.html".into()))
        );

        // A broken file keeps the last good files and reports the error; the fix recovers.
        let good = snapshot(&shared);
        write(
            root,
            "data/providers/d.toml",
            &provider("Di Dunn", "+1 204 555", &["c"], None),
        );
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert!(
            matches!(r.kind, ReportKind::Failed { same: false, .. }),
            "{r:?}"
        );
        assert!(
            shared
                .read()
                .errors
                .as_deref()
                .is_some_and(|e| e.contains("d.toml"))
        );
        assert_same(&snapshot(&shared), &good);
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert!(
            matches!(r.kind, ReportKind::Failed { same: true, .. }),
            "{r:?}"
        );
        write(
            root,
            "data/providers/d.toml",
            &provider("Di Dunn", "+1 204 555 0124", &["c"], None),
        );
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert_eq!(r.kind, ReportKind::Recovered);
        assert!(shared.read().errors.is_none());
        assert_same(&snapshot(&shared), &clean(root));

        // Nothing changed: nothing to reload.
        let before = shared.version();
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert_eq!(r.kind, ReportKind::Unchanged);
        assert_eq!(shared.version(), before);

        // The clinic changes: everything.
        write(
            root,
            "data/clinic.toml",
            &CLINIC.replace("Test Clinic", "Best Clinic"),
        );
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert!(matches!(r.kind, ReportKind::Full { .. }), "{r:?}");
        assert_same(&snapshot(&shared), &clean(root));
    }

    #[test]
    fn a_template_using_every_provider_turns_incremental_off() {
        let dir = site();
        let root = dir.path();
        write(
            root,
            "templates/provider.html",
            "<!doctype html><html lang=\"en\"><body>{{ provider.name }}, one of {{ providers | length }}</body></html>",
        );
        let shared = Shared::new(1111);
        let mut b = builder(root);
        b.rebuild(&shared, true);
        assert!(
            b.incremental
                .as_ref()
                .is_err_and(|e| e.contains("provider.html")),
            "{:?}",
            b.incremental
        );
        write(
            root,
            "data/providers/f.toml",
            &provider("Flo Fox", "+1 204 555 0116", &[], None),
        );
        let r = b.rebuild(&shared, false);
        finish(&mut b, &shared);
        assert!(matches!(r.kind, ReportKind::Full { .. }), "{r:?}");
        assert_same(&snapshot(&shared), &clean(root));
    }

    #[test]
    fn a_number_made_private_on_an_unchanged_page_is_caught_after_the_reload() {
        let dir = site();
        let root = dir.path();
        // Fay's page mentions Gil's line, public for now.
        write(
            root,
            "data/providers/f.toml",
            &provider("Fay Ford", "+1 204 555 0119", &[], None).replacen(
                "reviewed = 2026-11-01\n",
                "reviewed = 2026-11-01\nabout = \"Or call Gil on +1 204 555 0116.\"\n",
                1,
            ),
        );
        let gil = provider("Gil Gray", "+1 204 555 0120", &[], None);
        write(
            root,
            "data/providers/g.toml",
            &format!("{gil}\n[[channels]]\nkind = \"mobile\"\nvalue = \"+1 204 555 0116\"\n"),
        );
        let shared = Shared::new(1111);
        let mut b = builder(root);
        let first = b.rebuild(&shared, true);
        assert!(matches!(first.kind, ReportKind::Full { .. }), "{first:?}");
        // Gil's mobile becomes patients-only: only Gil's files are rendered
        // again, but Fay's unchanged page still shows the number.
        write(
            root,
            "data/providers/g.toml",
            &format!(
                "{gil}\n[[channels]]\nkind = \"mobile\"\nvalue = \"+1 204 555 0116\"\nvisibility = \"patients\"\n"
            ),
        );
        let r = b.rebuild(&shared, false);
        assert!(matches!(r.kind, ReportKind::Incremental { .. }), "{r:?}");
        let public = public_files(&shared);
        let finished = b.finish(&shared);
        assert_eq!(
            finished.guarded, public,
            "a new value looked for: every file"
        );
        let full = finished
            .full
            .expect("a full rebuild after the guard's finding");
        assert!(
            matches!(full.kind, ReportKind::Failed { .. }),
            "the full rebuild fails on the leak: {full:?}"
        );
        // And the page that shows it is no longer served.
        let served = snapshot(&shared);
        let shows = |bytes: &Vec<u8>| String::from_utf8_lossy(bytes).contains("555 0116");
        let leaking: Vec<_> = served
            .iter()
            .filter(|(k, v)| k.0 == Tree::Public && shows(v))
            .map(|(k, _)| k)
            .collect();
        assert!(leaking.is_empty(), "{leaking:?}");
        assert!(
            served.contains_key(&(Tree::Public, "providers/g/index.html".to_string())),
            "the rest is still served"
        );
    }

    #[test]
    fn a_batch_knows_when_the_provider_files_are_the_same() {
        let dir = site();
        let root = dir.path().canonicalize().expect("canonical");
        let shared = Shared::new(1111);
        let mut b = builder(&root);
        let _ = b.rebuild(&shared, true);
        let cache = b.opts.cache.clone().expect("a load cache");
        let providers = root.join("data/providers");
        let batch = |paths: &[PathBuf]| Batch {
            relevant: true,
            full: false,
            paths: paths.iter().cloned().collect(),
            new_dirs: BTreeSet::new(),
        };
        // An edit, through a temporary file that is gone again.
        let edited = providers.join("d.toml");
        assert!(cache.knows_file(&edited));
        let sed = batch(&[edited.clone(), providers.join("sedX1y2z3")]);
        assert!(sed.same_files(&cache));
        // ... in which only d.toml may have changed.
        assert_eq!(sed.slugs().collect::<Vec<_>>(), ["d"]);
        // A new provider file.
        write(
            &root,
            "data/providers/n.toml",
            &provider("Nia New", "+1 204 555 0119", &[], None),
        );
        assert!(!batch(&[providers.join("n.toml")]).same_files(&cache));
        // A removed one.
        fs::remove_file(&edited).expect("remove");
        assert!(!batch(&[edited]).same_files(&cache));
        // A folder.
        fs::create_dir(providers.join("new-folder")).expect("folder");
        assert!(!batch(&[providers.join("new-folder")]).same_files(&cache));
        // Told the files are the same and only d.toml was written, the next
        // load does not list them again (here wrongly: d.toml is gone, and
        // its absence shows).
        cache.only_changed(["d".to_string()]);
        let (_, diags) = howtoreach::load_and_check(&b.opts);
        assert!(
            diags.iter().any(|d| d.message.contains("d.toml")),
            "the remembered list was used: {diags:?}"
        );
        // Otherwise it does.
        let (loaded, diags) = howtoreach::load_and_check(&b.opts);
        let (site, _) = loaded.expect("the site loads");
        assert!(!diags.has_errors(), "{diags:?}");
        assert!(site.provider_index("n").is_some());
        assert!(site.provider_index("d").is_none());
    }

    #[test]
    fn classifies_paths() {
        let root = Path::new("/site");
        let c = |p: &str| classify(root, &root.join(p));
        assert_eq!(c("site.toml"), Change::Everything);
        assert_eq!(c("data/clinic.toml"), Change::Everything);
        assert_eq!(c("data/providers/a.toml"), Change::Provider);
        assert_eq!(c("data/providers/onc/a.toml"), Change::Provider);
        assert_eq!(c("data/providers/.a.toml.swp"), Change::Ignored);
        assert_eq!(c("data/providers/a.toml~"), Change::Ignored);
        assert_eq!(c("templates/base.html"), Change::Everything);
        assert_eq!(c("templates/partials"), Change::Everything);
        assert_eq!(c("templates"), Change::Everything);
        assert_eq!(c("templates/README.md"), Change::Ignored);
        assert_eq!(c("templates/.git/index"), Change::Ignored);
        assert_eq!(c("templates/base.html~"), Change::Ignored);
        // An editor's autosave or copy of a provider file is no provider file.
        assert_eq!(c("data/providers/#jane.toml#"), Change::Ignored);
        assert_eq!(c("data/providers/jane.toml.bak"), Change::Ignored);
        assert_eq!(c("data/providers/jane.toml"), Change::Provider);
        assert_eq!(c("static/style.css"), Change::Everything);
        assert_eq!(c("public/index.html"), Change::Ignored);
        assert_eq!(c("handouts/a.html"), Change::Ignored);
        assert_eq!(c("README.md"), Change::Ignored);
        assert_eq!(
            classify(root, Path::new("/elsewhere/site.toml")),
            Change::Ignored
        );
    }

    #[test]
    fn owners() {
        assert_eq!(owner(Tree::Public, "providers/a-b/index.html"), Some("a-b"));
        assert_eq!(owner(Tree::Public, "providers/a-b/a-b.vcf"), Some("a-b"));
        assert_eq!(owner(Tree::Public, "index.html"), None);
        assert_eq!(owner(Tree::Handouts, "a-b.html"), Some("a-b"));
    }

    #[test]
    fn index_requests_wait_while_the_index_is_rendered() {
        let shared = Arc::new(Shared::new(1111));
        let put = |body: &str| {
            shared.write().files.insert(
                (Tree::Public, "index.html".to_string()),
                Arc::from(body.as_bytes()),
            );
        };
        put("<p>old index</p>");
        shared.set_index_pending(true);
        let requester = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || answer("/", &shared))
        };
        // The request is made while the index is pending; it must not get the old one.
        std::thread::sleep(Duration::from_millis(100));
        put("<p>new index</p>");
        shared.set_index_pending(false);
        let response = requester.join().expect("the request thread ends");
        let body = String::from_utf8_lossy(&response.body);
        assert!(body.contains("new index"), "{body}");
    }

    #[test]
    fn injects_script_and_overlay() {
        let page = b"<!doctype html><html><BODY class=x><p>hi</p></body></html>";
        let out = String::from_utf8(inject(page, 7, None)).expect("utf-8");
        assert_eq!(
            out,
            "<!doctype html><html><BODY class=x><p>hi</p><script src=\"/__howtoreach/reload.js?v=7\"></script>\n</body></html>"
        );
        let out = String::from_utf8(inject(page, 7, Some("error: <bad> & worse"))).expect("utf-8");
        assert!(
            out.contains("<BODY class=x><link rel=\"stylesheet\""),
            "{out}"
        );
        assert!(out.contains("error: &lt;bad&gt; &amp; worse"), "{out}");
        let out = String::from_utf8(inject(b"plain", 1, None)).expect("utf-8");
        assert!(out.starts_with("plain<script"), "{out}");
        let handout = b"<head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head><body></body>";
        let out = String::from_utf8(inject(handout, 1, None)).expect("utf-8");
        assert!(
            out.contains("content=\"script-src 'self'; connect-src 'self'; default-src 'none'\""),
            "{out}"
        );
        let page = b"<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\"><body></body>";
        let out = allow_own_scripts(page).map(String::from_utf8);
        assert!(
            matches!(&out, Some(Ok(s)) if s.contains("content=\"connect-src 'self'; script-src 'self'\"")),
            "{out:?}"
        );
        let done = b"<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; connect-src 'self'\">";
        assert_eq!(allow_own_scripts(done), None);
    }

    #[test]
    fn paths_and_hosts() {
        assert_eq!(percent_decode("/a%20b/").as_deref(), Some("/a b/"));
        assert_eq!(percent_decode("/../etc/passwd"), None);
        assert_eq!(percent_decode("/%2e%2e/x"), None);
        assert_eq!(percent_decode("/a%2"), None);
        assert!(host_allowed(Some("127.0.0.1:1111"), 1111));
        assert!(host_allowed(Some("localhost:1111"), 1111));
        assert!(!host_allowed(Some("evil.example:1111"), 1111));
        assert!(!host_allowed(Some("127.0.0.1:1112"), 1111));
    }
}
