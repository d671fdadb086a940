//! Rendering: Tera set-up (built-in templates, overridden by name from the
//! site's `templates/`), and the list of every output file with its bytes.
//!
//! The renderer knows nothing of the disk it writes to: every file goes through
//! an [`Emit`] sink (the output module's staging folder, or memory for tests and
//! `serve`).

pub mod context;
pub mod guard;
pub mod markdown;
pub mod native;
pub mod qr;
pub mod vcard;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Site;
use context::{Audience, ChannelValues, PageView, ProviderSummary, ViewBuilder};
pub use guard::Guard;

/// The built-in templates, compiled into the binary.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "provider.html",
        include_str!("../../templates/provider.html"),
    ),
    ("handout.html", include_str!("../../templates/handout.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

/// The built-in assets, compiled into the binary; a site's `static/` file of the same path wins.
pub const BUILTIN_ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    (
        "howtoreach.js",
        include_bytes!("../../static/howtoreach.js"),
    ),
];

/// Where rendered files go: `emit(kind, relative path, bytes)`.
pub trait Emit: Sync {
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic>;

    /// Writes a file whose bytes `write` produces in parts: it passes each
    /// part, in order, to the sink it is given. A large file (the index of a
    /// big clinic) then need not be whole in memory. By default the parts
    /// are gathered and the file emitted at once.
    fn emit_parts(&self, dest: Dest, path: &str, write: &mut Parts<'_>) -> Result<(), Diagnostic> {
        let mut all = Vec::new();
        write(&mut |part| {
            all.extend_from_slice(part);
            Ok(())
        })?;
        self.emit(dest, path, &all)
    }

    /// Says that files under the folder `path` follow, none emitted there
    /// yet: an emitter that writes to disk makes the folder now rather than
    /// finding it missing at the first file. The others need not care.
    fn folder(&self, _dest: Dest, _path: &str) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// Receives a file's parts, in order ([`Emit::emit_parts`]).
pub type PartSink<'a> = dyn FnMut(&[u8]) -> Result<(), Diagnostic> + 'a;
/// Produces a file's parts into the sink it is given ([`Emit::emit_parts`]).
pub type Parts<'a> = dyn FnMut(&mut PartSink<'_>) -> Result<(), Diagnostic> + 'a;

/// Renders without keeping anything (`check`).
pub struct Discard;

impl Emit for Discard {
    fn emit(&self, _: Dest, _: &str, _: &[u8]) -> Result<(), Diagnostic> {
        Ok(())
    }

    fn emit_parts(&self, _: Dest, _: &str, write: &mut Parts<'_>) -> Result<(), Diagnostic> {
        write(&mut |_| Ok(()))
    }
}

/// Passes files on, and reports progress: one provider is done when its handout is written.
pub struct Counting<'a> {
    inner: &'a dyn Emit,
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    progress: &'a (dyn Fn(usize, usize) + Sync),
}

impl<'a> Counting<'a> {
    pub fn new(
        inner: &'a dyn Emit,
        total: usize,
        progress: &'a (dyn Fn(usize, usize) + Sync),
    ) -> Self {
        Counting {
            inner,
            done: Default::default(),
            total,
            progress,
        }
    }
}

impl Counting<'_> {
    fn count(&self, dest: Dest) {
        if dest == Dest::Handouts {
            let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            (self.progress)(done, self.total);
        }
    }
}

impl Emit for Counting<'_> {
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.inner.emit(dest, path, bytes)?;
        self.count(dest);
        Ok(())
    }

    fn emit_parts(&self, dest: Dest, path: &str, write: &mut Parts<'_>) -> Result<(), Diagnostic> {
        self.inner.emit_parts(dest, path, write)?;
        self.count(dest);
        Ok(())
    }

    fn folder(&self, dest: Dest, path: &str) -> Result<(), Diagnostic> {
        self.inner.folder(dest, path)
    }
}

/// Which output tree a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    /// `output_dir`: the public site.
    Public,
    /// `handout_dir`: printable handouts, never published.
    Handouts,
}

/// Escapes text for XML and HTML.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A site's templates: the built-in ones and the site's own, compiled once.
pub struct Templates {
    pub tera: Tera,
    /// Which pages are made of built-in templates only, and so are written
    /// by [`native`] without template values.
    pub native: NativePages,
    /// Why every page needs the variables that list every provider
    /// ([`SITE_WIDE`]): a template other than `index.html` names one.
    pub site_wide: Option<String>,
    /// The names of the site's own templates (in `templates/`); every other
    /// template is a built-in one.
    pub own: BTreeSet<String>,
}

/// Template variables listing every provider.
pub const SITE_WIDE: [&str; 3] = ["providers", "departments", "languages"];

/// The pages whose templates are all built-in ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativePages {
    /// `index.html` and `base.html`.
    pub index: bool,
    /// `provider.html` and `base.html`.
    pub provider: bool,
    /// `handout.html`.
    pub handout: bool,
}

impl NativePages {
    fn of(own: &std::collections::BTreeSet<String>) -> Self {
        let base = !own.contains("base.html");
        NativePages {
            index: base && !own.contains("index.html"),
            provider: base && !own.contains("provider.html"),
            handout: !own.contains("handout.html"),
        }
    }
}

impl Templates {
    /// Whether the template context needs `providers`, `departments` and `languages`.
    pub fn needs_site_wide(&self) -> bool {
        !self.native.index || self.site_wide.is_some()
    }
}

/// Files editors write beside the real ones: backups, swap, lock and
/// autosave files (`index.html~`, `.index.html.swp`, `.#index.html`,
/// `#index.html#`, `index.html.bak`, `index.html.orig`, vim's `4913`).
pub fn is_editor_junk(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || ["~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// Whether a file in a site's `templates/` is a template, by its name. Not
/// templates: hidden files (`.DS_Store`, `.gitkeep`), [editor
/// junk](is_editor_junk), and notes (`README`, `README.txt`, `notes.md`,
/// `LICENSE`).
pub fn is_template_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or_default();
    !(name.starts_with('.')
        || is_editor_junk(name)
        || lower.ends_with(".md")
        || lower.ends_with(".markdown")
        || ["readme", "license", "licence", "changelog", "notes"].contains(&stem))
}

/// Whether a path in a site's `templates/`, given as its names (none: the
/// folder itself), is read as a template or a folder of them: no name on
/// the way is hidden, and the last one [is a template's](is_template_name).
/// `build` loads what it accepts; `serve` rebuilds when one changes.
pub fn is_template_path<S: AsRef<str>>(names: &[S]) -> bool {
    names.iter().all(|n| !n.as_ref().starts_with('.'))
        && names.last().is_none_or(|n| is_template_name(n.as_ref()))
}

/// Loads the built-in templates and the site's own (`templates/`, any depth;
/// files [`is_template_name`] accepts).
pub fn load_templates(root: &Path) -> Result<Templates, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut sources: std::collections::BTreeMap<String, String> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
        .collect();
    let mut own = BTreeSet::new();
    let dir = root.join("templates");
    if dir.is_dir() {
        // Hidden folders (`.git`) are not even walked: nothing in them is a
        // template ([`is_template_path`]).
        let hidden = |e: &walkdir::DirEntry| {
            e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')
        };
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| !hidden(e))
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(
                        Diagnostic::error(format!("cannot read the templates folder: {e}"))
                            .io()
                            .in_path("templates"),
                    );
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let names: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            if !is_template_path(&names) {
                continue;
            }
            let shown = Path::new("templates").join(rel);
            let name = names.join("/");
            match crate::load::read_source(entry.path(), &shown) {
                Ok(f) => {
                    own.insert(name.clone());
                    sources.insert(name, f.text.to_string());
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut tera = Tera::new();
    tera.register_filter("json_string", json_string);
    tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
    if let Err(e) = tera.add_raw_templates(sources.iter()) {
        diags.push(template_diagnostic(&e, &own));
        return Err(diags);
    }
    Ok(Templates {
        tera,
        native: NativePages::of(&own),
        site_wide: site_wide_use(&sources),
        own,
    })
}

/// The first template other than `index.html` that names a [`SITE_WIDE`]
/// variable, and which, in words. A plain reading of the template's tags:
/// it may find a use that is not one (a local variable of the same name),
/// which only costs memory, never a wrong page.
fn site_wide_use(sources: &std::collections::BTreeMap<String, String>) -> Option<String> {
    // `index.html` lists every provider on its own page; another template
    // that extends or includes it lists them on its pages too.
    let index_elsewhere = sources.iter().any(|(name, text)| {
        name != "index.html" && template_tags(text).iter().any(|t| t.contains("index.html"))
    });
    for (name, text) in sources {
        if name == "index.html" && !index_elsewhere {
            continue;
        }
        for tag in template_tags(text) {
            if let Some(word) = SITE_WIDE.iter().find(|w| uses_variable(tag, w)) {
                return Some(format!(
                    "the template {name} uses `{word}` (every provider), so each page depends on all of them"
                ));
            }
        }
    }
    None
}

/// The insides of `{{ … }}` and `{% … %}` in a template.
fn template_tags(text: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let inner = &after[1..];
        match inner.find(close) {
            Some(end) => {
                tags.push(&inner[..end]);
                rest = &inner[end + close.len()..];
            }
            None => {
                tags.push(inner);
                break;
            }
        }
    }
    tags
}

/// Whether `code` names the variable `word` itself (not `x.word`, not `words`).
fn uses_variable(code: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        !before.is_some_and(|c| is_ident(c) || c == '.') && !after.is_some_and(is_ident)
    })
}

/// A Tera error as a diagnostic naming the template's file: `templates/NAME`
/// for the site's own, or the built-in template by name (no such file is in
/// the site: the cause is then one of the site's own templates, which the
/// built-in one extends or is extended by).
pub fn template_diagnostic(e: &tera::Error, own: &BTreeSet<String>) -> Diagnostic {
    let name = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            Some(r.filename().to_string())
        }
        _ => None,
    };
    let help = "fix the template; docs/templates.md lists every variable a template can use";
    match name {
        Some(name) if own.contains(&name) => Diagnostic::error(format!("template error: {e}"))
            .help(help)
            .in_path(format!("templates/{name}")),
        // The built-in templates alone render: the site has none of its own
        // only through a fault of howtoreach.
        Some(name) if own.is_empty() => Diagnostic::error(format!(
            "template error in the built-in template {name}: {e}"
        ))
        .help("the site has no templates of its own: this is a fault in howtoreach; please report it with this message"),
        Some(name) => {
            let yours = own
                .iter()
                .map(|n| format!("templates/{n}"))
                .collect::<Vec<_>>()
                .join(", ");
            Diagnostic::error(format!("template error in the built-in template {name}: {e}"))
                .help(format!(
                    "the built-in templates work together; one of the site's own templates gives {name} what it does not expect (the site's own: {yours}). Fix that template, or copy {name} from howtoreach's templates/ into the site's templates/ to change it; docs/templates.md lists every variable a template can use"
                ))
        }
        None => Diagnostic::error(format!("template error: {e}")).help(help),
    }
}

/// The `json_string` filter: the value as a JSON string literal, quotes
/// included, with `<` escaped so it cannot close a `<script>` (for JSON-LD).
fn json_string(value: &str, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    tera::Value::safe_string(&json_literal(value))
}

/// `value` as a JSON string literal with `<` escaped (the `json_string` filter).
pub(crate) fn json_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_json_literal(&mut out, value);
    out
}

/// [`json_literal`], appended to `out`. A value without a quote, backslash,
/// `<` or control character (nearly every one) is copied as it is between
/// quotes, which is what serde_json writes for it.
pub(crate) fn push_json_literal(out: &mut String, value: &str) {
    let plain = |b: &u8| *b >= 0x20 && !matches!(b, b'"' | b'\\' | b'<');
    if value.as_bytes().iter().all(plain) {
        out.push('"');
        out.push_str(value);
        out.push('"');
        return;
    }
    let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_string());
    out.push_str(&json.replace('<', "\\u003c"));
}

/// The index page's own variables.
pub fn index_page(site: &Site) -> PageView {
    let base = &site.config.base_url;
    let clinic = &site.clinic.name;
    PageView {
        kind: "index",
        root: String::new(),
        url: format!("{base}/"),
        title: format!("How to reach us – {clinic}"),
        description: format!(
            "How to reach the providers of {clinic}: who to call, when someone answers, and what to do in an emergency."
        ),
    }
}

/// Counts of what a render produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RenderStats {
    pub pages: usize,
    pub providers: usize,
    pub files: usize,
}

/// Renders the whole site into `out`.
pub fn render_site(
    site: &Site,
    templates: &mut Templates,
    out: &dyn Emit,
) -> Result<RenderStats, Diagnostics> {
    render_site_guarded(site, templates, out).map(|(stats, _)| stats)
}

/// [`render_site`], also giving what the patients-only guard looked for in
/// every public file.
pub fn render_site_guarded(
    site: &Site,
    templates: &mut Templates,
    out: &dyn Emit,
) -> Result<(RenderStats, guard::LookedFor), Diagnostics> {
    let native_pages = templates.native;
    let site_wide = templates.needs_site_wide();
    let own = &templates.own;
    let tera = &mut templates.tera;
    // Every public file passes the patients-only guard on its way out.
    let start = std::time::Instant::now();
    let guard = Guard::new(site, out);
    crate::timing::lap(start, "guard");
    let out: &dyn Emit = &guard;
    let views = ViewBuilder::new(site);
    {
        let global = tera.global_context();
        global.insert("site", &views.site_view());
        global.insert("build", &views.build_view());
        global.insert("clinic", &views.clinic_view());
    }
    if site_wide {
        // Each summary becomes a template value once; `providers` and
        // `departments` share them (Tera's maps are reference-counted). Every
        // page's context holds all of them at once: about 6 KB a provider.
        let summaries: Vec<(Option<String>, tera::Value)> = site
            .providers
            .par_iter()
            .map(|p| {
                let s: ProviderSummary = views.summary(p);
                (s.department.clone(), tera::Value::from_serializable(&s))
            })
            .collect();
        crate::timing::lap(start, "summaries");
        let departments = context::department_values(&summaries);
        let providers: Vec<tera::Value> = summaries.into_iter().map(|(_, v)| v).collect();
        let global = tera.global_context();
        global.insert_value("providers", tera::Value::from(providers));
        global.insert_value("departments", departments);
        global.insert("languages", &context::all_languages(&site.providers));
    }
    let tera: &Tera = tera;
    let frame = native::Frame::new(&views);
    let base = &site.config.base_url;
    let mut diags = Diagnostics::default();

    let render = |template: &str, ctx: &Context, buf: &mut Vec<u8>| -> Result<(), Diagnostic> {
        buf.clear();
        tera.render_to(template, ctx, &mut *buf)
            .map_err(|e| template_diagnostic(&e, own))
    };
    let page = |kind, root: &str, url: String, title: String, description: String| PageView {
        kind,
        root: root.to_string(),
        url,
        title,
        description,
    };

    // The 404 page is served at any depth: its links start from the site's absolute path.
    let root_path = match url::Url::parse(base) {
        Ok(u) => format!("{}/", u.path().trim_end_matches('/')),
        Err(_) => "/".to_string(),
    };

    // Index, 404, sitemap and robots.txt.
    // The index (one large page) and the sitemap render on one thread while
    // the provider pages share the rest.
    let clinic = &site.clinic.name;
    let singles = || {
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut single = |template: &str, path: &str, view: PageView| -> Result<(), Diagnostic> {
            if template == "index.html" && native_pages.index {
                return out.emit_parts(Dest::Public, path, &mut |sink| {
                    native::index::render_parts(&frame, &view, &mut |part| sink(part.as_bytes()))
                });
            }
            let mut ctx = Context::new();
            ctx.insert("page", &view);
            render(template, &ctx, &mut buf)?;
            out.emit(Dest::Public, path, &buf)
        };
        let pages = [
            single("index.html", "index.html", index_page(site)),
            single(
                "404.html",
                "404.html",
                page(
                    "404",
                    &root_path,
                    format!("{base}/404.html"),
                    format!("Page not found – {clinic}"),
                    format!("This page does not exist. Find how to reach {clinic}."),
                ),
            ),
        ];
        let sitemap = sitemap(site);
        let robots = format!("User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n");
        let lists = [
            out.emit(Dest::Public, "sitemap.xml", sitemap.as_bytes()),
            out.emit(Dest::Public, "robots.txt", robots.as_bytes()),
        ];
        (pages, lists)
    };

    // A page, contact card, QR code and handout per provider, in parallel.
    let providers = || -> Vec<Result<(), Diagnostic>> {
        site.providers
            .par_iter()
            .with_max_len(crate::PROVIDERS_AT_ONCE)
            .map_init(
                || Vec::with_capacity(32 * 1024),
                |buf, p| {
                    let url = views.page_url(&p.slug);
                    let dir = ["providers/", &p.slug].concat();
                    out.folder(Dest::Public, &dir)?;
                    let qr =
                        qr::qr_svg(&url, &["QR code linking to the page of ", &p.name].concat())
                            .unwrap_or_default();
                    out.emit(Dest::Public, &[&dir, "/qr.svg"].concat(), qr.as_bytes())?;
                    // The handout shows the same SVG inline: it starts with
                    // `<svg` (no XML prolog; `qr::tests::makes_an_svg`).
                    let inline_qr = qr;

                    let description = [
                        "How to reach ",
                        &p.name,
                        ", ",
                        &p.role,
                        ": channels, hours, response times and who covers.",
                    ]
                    .concat();
                    let title = [&p.name, " – how to reach – ", clinic].concat();
                    let page_path = [&dir, "/index.html"].concat();
                    let handout_path = [&p.slug, ".html"].concat();
                    let page_view = page(
                        "provider",
                        native::PROVIDER_ROOT,
                        url.clone(),
                        title.clone(),
                        description.clone(),
                    );
                    // What the built-in page and handout show of each
                    // channel, worked out once for both.
                    let channels = if native_pages.provider || native_pages.handout {
                        native::provider::channels(&views, p)
                    } else {
                        Vec::new()
                    };
                    // The built-in page is written directly; a site's own
                    // template gets the view as template values.
                    let public = if native_pages.provider {
                        let view =
                            views.provider(p, Audience::Public, &ChannelValues::none(), inline_qr);
                        let shown = native::provider::shown(&channels, Audience::Public);
                        let html = native::provider::page(&frame, &page_view, &view, &shown);
                        out.emit(Dest::Public, &page_path, html.as_bytes())?;
                        view
                    } else {
                        let mut ctx = Context::new();
                        ctx.insert("page", &page_view);
                        let channels = views.channels(p, Audience::Public);
                        let public = views.provider(p, Audience::Public, &channels, inline_qr);
                        ctx.insert("provider", &public);
                        render("provider.html", &ctx, buf)?;
                        out.emit(Dest::Public, &page_path, buf)?;
                        public
                    };

                    let card = vcard::vcard(p, p.public_channels(), &site.clinic, &url);
                    out.emit(
                        Dest::Public,
                        &[&dir, "/", &p.slug, ".vcf"].concat(),
                        card.as_bytes(),
                    )?;

                    let page_view = page("handout", "", url.clone(), title, description);
                    if native_pages.handout {
                        let shown = native::provider::shown(&channels, Audience::Patients);
                        let html = native::provider::handout(&frame, &page_view, &public, &shown);
                        return out.emit(Dest::Handouts, &handout_path, html.as_bytes());
                    }
                    let mut ctx = Context::new();
                    ctx.insert("page", &page_view);
                    // The handout is the same view with every channel.
                    ctx.insert("provider", &views.for_patients(p, public));
                    render("handout.html", &ctx, buf)?;
                    out.emit(Dest::Handouts, &handout_path, buf)
                },
            )
            .collect()
    };
    let ((pages, lists), per_provider) = rayon::join(singles, providers);
    for r in pages.into_iter().chain(per_provider).chain(lists) {
        if let Err(d) = r {
            diags.push(d);
        }
    }

    crate::timing::lap(start, "providers");
    // Assets.
    let site_static = site.root.join("static");
    for (path, bytes) in BUILTIN_ASSETS {
        if site_static.join(path).exists() {
            continue;
        }
        if let Err(d) = out.emit(Dest::Public, path, bytes) {
            diags.push(d);
        }
    }
    copy_static(&site.root, out, &mut diags);

    if diags.has_errors() {
        // A template error repeats for every provider: report each distinct one once.
        let mut seen = std::collections::HashSet::new();
        diags.0.retain(|d| seen.insert(d.message.clone()));
        return Err(diags);
    }
    let n = site.providers.len();
    let stats = RenderStats {
        pages: n + 2,
        providers: n,
        files: guard.written.load(std::sync::atomic::Ordering::Relaxed),
    };
    Ok((stats, guard.looked_for()))
}

/// `sitemap.xml`: the index and every provider page, with their review dates.
pub fn sitemap(site: &Site) -> String {
    let base = &site.config.base_url;
    let mut out = String::with_capacity(128 + site.providers.len() * 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    out.push_str(&format!("  <url><loc>{}/</loc></url>\n", escape_xml(base)));
    for p in &site.providers {
        out.push_str(&format!(
            "  <url><loc>{}/providers/{}/</loc><lastmod>{}</lastmod></url>\n",
            escape_xml(base),
            p.slug,
            p.reviewed
        ));
    }
    out.push_str("</urlset>\n");
    out
}

/// Copies the site's `static/` folder; symbolic links must stay inside the site.
fn copy_static(root: &Path, out: &dyn Emit, diags: &mut Diagnostics) {
    let dir = root.join("static");
    if !dir.is_dir() {
        return;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read static/: {e}"))
                        .in_path("static")
                        .io(),
                );
                continue;
            }
        };
        let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
        let shown = Path::new("static").join(rel);
        if entry.path_is_symlink()
            && let Err(d) = crate::load::check_link_inside(entry.path(), &canonical_root, &shown)
        {
            diags.push(d);
            continue;
        }
        if !entry.path().is_file() {
            continue;
        }
        let Some(rel_str) = rel.to_str() else {
            diags.push(
                Diagnostic::error(format!(
                    "the file name {} is not valid UTF-8",
                    shown.display()
                ))
                .in_path(&shown)
                .help("rename the file"),
            );
            continue;
        };
        match fs::read(entry.path()) {
            Ok(bytes) => match out.emit(Dest::Public, &rel_str.replace('\\', "/"), &bytes) {
                Ok(()) => {}
                Err(d) => diags.push(d),
            },
            Err(e) => diags.push(
                Diagnostic::error(format!("cannot read {}: {e}", shown.display()))
                    .in_path(&shown)
                    .io(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn json_literals_are_serde_jsons_with_lt_escaped(value in "[a-z <>\"\\\\\\x00-\\x1f\u{7f}é€\u{2028}]{0,40}") {
            let want = serde_json::to_string(&value).unwrap_or_default().replace('<', "\\u003c");
            proptest::prop_assert_eq!(json_literal(&value), want);
        }
    }

    #[test]
    fn template_names() {
        for name in [
            "base.html",
            "provider.html",
            "card.txt",
            "sitemap.xml",
            "icon.svg",
            "macros.tera",
            "readme-card.html",
        ] {
            assert!(is_template_name(name), "{name}");
        }
        for name in [
            "README",
            "README.md",
            "Readme.txt",
            "notes.markdown",
            "LICENSE",
            ".DS_Store",
            ".gitkeep",
            "base.html~",
            ".base.html.swp",
            "base.html.swo",
            "#base.html#",
            ".#base.html",
            "base.html.bak",
            "base.html.orig",
            "4913",
        ] {
            assert!(!is_template_name(name), "{name}");
        }
    }

    #[test]
    fn finds_site_wide_variables_in_tags_only() {
        assert!(uses_variable(" for p in providers ", "providers"));
        assert!(uses_variable("providers|length", "providers"));
        assert!(!uses_variable(" provider.languages ", "languages"));
        assert!(!uses_variable(" my_providers ", "providers"));
        let tags = template_tags("All providers {{ a }} x {% if b %}{#c#}{{d");
        assert_eq!(tags, vec![" a ", " if b ", "d"]);
        let dir = tempfile::tempdir().expect("temporary folder");
        let builtin = load_templates(dir.path()).expect("built-in templates");
        assert_eq!(builtin.site_wide, None);
        assert!(builtin.native.index && !builtin.needs_site_wide());
        std::fs::create_dir(dir.path().join("templates")).expect("folder");
        std::fs::write(
            dir.path().join("templates/provider.html"),
            "{% extends \"base.html\" %}{% block content %}{{ providers | length }}{% endblock content %}",
        )
        .expect("template");
        let own = load_templates(dir.path()).expect("templates");
        assert!(
            own.site_wide
                .as_ref()
                .is_some_and(|why| why.contains("provider.html"))
        );
        assert!(own.native.index && !own.native.provider && own.needs_site_wide());
    }

    #[test]
    fn json_string_filter_escapes_for_a_script() {
        let mut tera = Tera::new();
        tera.register_filter("json_string", json_string);
        tera.autoescape_on([".html"]);
        tera.add_raw_template("t.html", "{{ (s) | json_string }}")
            .expect("template");
        let mut ctx = Context::new();
        ctx.insert("s", "a \"b\" \\ </script>\n\u{1}");
        let out = tera.render("t.html", &ctx).expect("renders");
        assert_eq!(out, r#""a \"b\" \\ \u003c/script>\n\u0001""#);
        let back: String = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(back, "a \"b\" \\ </script>\n\u{1}");
    }
}
