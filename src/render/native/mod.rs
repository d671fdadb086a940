//! The built-in pages, written straight from the site.
//!
//! `templates/` stays the definition of every page and what a site's own
//! templates start from. When a site replaces none of the templates a page is
//! made of (`index.html` or `provider.html` with `base.html`; `handout.html`),
//! that page is written here instead, byte for byte what Tera gives (the tests
//! in `tests/native.rs` render both ways on varied sites and compare). Tera
//! spends most of a build turning views into template values (about 6 KB of
//! maps per provider summary) and walking them; here the same text is
//! appended to one string.
//!
//! A change to a built-in template must be made here too: the tests fail
//! until it is.

pub mod index;
pub mod provider;

use crate::model::ChannelKind;
use crate::render::context::{
    BuildView, ClinicView, OpeningSpec, PageView, PhoneView, ProviderView, ViewBuilder,
};

/// What every built-in page shows of the clinic and the build, worked out
/// once per render rather than once per page: the views, and the parts of
/// the provider pages and handouts that are the same on every one of them
/// (the emergency and urgent lines, the clinic, the footer), written once.
pub struct Frame<'v, 's> {
    pub views: &'v ViewBuilder<'s>,
    pub clinic: ClinicView,
    pub build: BuildView,
    // The parts below are written from `clinic` and `build` in `new` and
    // never again: neither changes after.
    /// [`page_header`] of a provider page.
    provider_header: String,
    /// [`page_end`] of a provider page.
    provider_end: String,
    /// [`provider::handout_alerts`].
    handout_alerts: String,
    /// [`provider::handout_clinic`].
    handout_clinic: String,
    /// [`provider::handout_end`].
    handout_end: String,
}

/// Where a provider page (`providers/<slug>/`) finds the site's root.
pub(crate) const PROVIDER_ROOT: &str = "../../";

impl<'v, 's> Frame<'v, 's> {
    pub fn new(views: &'v ViewBuilder<'s>) -> Self {
        let clinic = views.clinic_view();
        let build = views.build_view();
        let written = |write: &dyn Fn(&mut String)| {
            let mut out = String::new();
            write(&mut out);
            out
        };
        Frame {
            views,
            provider_header: written(&|o| page_header(o, &clinic, "provider", PROVIDER_ROOT)),
            provider_end: written(&|o| page_end(o, &clinic, &build, "provider", PROVIDER_ROOT)),
            handout_alerts: written(&|o| provider::handout_alerts(o, &clinic)),
            handout_clinic: written(&|o| provider::handout_clinic(o, &clinic)),
            handout_end: written(&|o| provider::handout_end(o, &clinic)),
            clinic,
            build,
        }
    }
}

/// Appends `s` escaped as Tera's autoescape does.
fn esc(out: &mut String, s: &str) {
    // Tera escapes with this very function (its `fast_escape` feature);
    // writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut *out, s);
}

/// Appends `s` as a JSON string literal that cannot close a `<script>`,
/// as the `json_string` filter does.
fn json(out: &mut String, s: &str) {
    super::push_json_literal(out, s);
}

/// A phone number's display form, the extension in its own span (the
/// templates' `split(pat=" ext. ")` loop).
fn tel_parts(out: &mut String, display: &str) {
    for (i, part) in display.split(" ext. ").enumerate() {
        if i == 0 {
            out.push_str("<span class=\"tel\">");
        } else {
            out.push_str(" <span class=\"tel\">ext. ");
        }
        esc(out, part);
        out.push_str("</span>");
    }
}

/// `<a class="…" href="tel:…">Call <span class="value">…</span></a>`
fn call_link(out: &mut String, class: &str, phone: &PhoneView) {
    out.push_str("<a class=\"");
    out.push_str(class);
    out.push_str("\" href=\"");
    esc(out, &phone.href);
    out.push_str("\">Call <span class=\"value\">");
    tel_parts(out, &phone.display);
    out.push_str("</span></a>");
}

/// `<a class="value" href="…">…</a>`: a number written as a link (the
/// handout's lines, the provider page's after-hours line).
fn value_link(out: &mut String, phone: &PhoneView) {
    out.push_str("<a class=\"value\" href=\"");
    esc(out, &phone.href);
    out.push_str("\">");
    tel_parts(out, &phone.display);
    out.push_str("</a>");
}

/// Appends each item with `write`, `separator` between them.
fn join<T>(out: &mut String, items: &[T], separator: &str, mut write: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        write(out, item);
    }
}

/// schema.org OpeningHoursSpecification objects, comma-separated.
fn opening_specs(out: &mut String, specs: &[OpeningSpec]) {
    join(out, specs, ",", |o, spec| {
        o.push_str("{\"@type\":\"OpeningHoursSpecification\",\"dayOfWeek\":[");
        join(o, &spec.days, ",", |o, day| {
            o.push_str("\"https://schema.org/");
            esc(o, day);
            o.push('"');
        });
        o.push_str("],\"opens\":\"");
        esc(o, &spec.opens);
        o.push_str("\",\"closes\":\"");
        esc(o, &spec.closes);
        o.push_str("\"}");
    });
}

/// A provider's pronouns and languages line, between `open` and `close`,
/// `between` separating the two (nothing when it has neither).
fn pronouns_and_languages(out: &mut String, view: &ProviderView, marks: [&str; 3]) {
    let [open, between, close] = marks;
    let pronouns = view.pronouns.as_deref().filter(|s| !s.is_empty());
    let languages = !view.languages.is_empty();
    if pronouns.is_none() && !languages {
        return;
    }
    out.push_str(open);
    if let Some(pronouns) = pronouns {
        out.push_str("Pronouns: ");
        esc(out, pronouns);
        if languages {
            out.push_str(between);
        }
    }
    if languages {
        out.push_str("Speaks: ");
        join(out, &view.languages, ", ", |o, l| esc(o, &l.name));
    }
    out.push_str(close);
}

/// A channel's value as the templates print it: phone-like kinds with the
/// extension in its own span, the rest as text.
fn channel_value(out: &mut String, kind: ChannelKind, display: &str) {
    match kind {
        ChannelKind::Email | ChannelKind::Portal | ChannelKind::Video | ChannelKind::InPerson => {
            esc(out, display)
        }
        _ => tel_parts(out, display),
    }
}

/// `base.html` from the start to the opening of the content block.
fn base_start(o: &mut String, f: &Frame, page: &PageView) {
    let (site, cv) = (f.views.site, &f.clinic);
    o.push_str("<!doctype html>\n<html lang=\"");
    esc(o, &site.config.language);
    o.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    esc(o, &page.title);
    o.push_str("</title>\n<meta name=\"description\" content=\"");
    esc(o, &page.description);
    o.push_str("\">\n");
    if page.kind == "404" {
        o.push_str("<meta name=\"robots\" content=\"noindex\">\n");
    } else {
        o.push_str("<link rel=\"canonical\" href=\"");
        esc(o, &page.url);
        o.push_str("\">\n<meta property=\"og:type\" content=\"");
        o.push_str(if page.kind == "provider" {
            "profile"
        } else {
            "website"
        });
        o.push_str("\">\n<meta property=\"og:title\" content=\"");
        esc(o, &page.title);
        o.push_str("\">\n<meta property=\"og:description\" content=\"");
        esc(o, &page.description);
        o.push_str("\">\n<meta property=\"og:url\" content=\"");
        esc(o, &page.url);
        o.push_str("\">\n<meta property=\"og:site_name\" content=\"");
        esc(o, &cv.name);
        o.push_str("\">\n");
    }
    o.push_str("<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"");
    esc(o, &page.root);
    o.push_str("style.css\">\n\n</head>\n");
    if page.kind == "provider" && page.root == PROVIDER_ROOT {
        o.push_str(&f.provider_header);
    } else {
        page_header(o, cv, page.kind, &page.root);
    }
}

/// `base.html` from `<body>` to the opening of the content block: the
/// emergency and urgent lines, and the link to the index.
fn page_header(o: &mut String, cv: &ClinicView, kind: &str, root: &str) {
    o.push_str("<body class=\"page-");
    esc(o, kind);
    o.push_str("\">\n<a class=\"skip\" href=\"#main\">Skip to main content</a>\n<header class=\"site-header\">\n");

    // Emergency first, then the urgent lines.
    o.push_str("<section class=\"care care-emergency\" aria-labelledby=\"emergency-title\">\n<h2 class=\"care-head\" id=\"emergency-title\">Emergency: call ");
    esc(o, &cv.emergency.number);
    o.push_str("</h2>\n<div class=\"care-body\">\n<p class=\"emergency-text\">");
    esc(o, &cv.emergency.text);
    o.push_str("</p>\n<p><a class=\"tap tap-emergency\" href=\"");
    esc(o, &cv.emergency.href);
    o.push_str("\">Call ");
    esc(o, &cv.emergency.number);
    o.push_str("</a></p>\n</div>\n</section>\n");
    if !cv.urgent.is_empty() {
        o.push_str("\n<section class=\"care care-urgent\" aria-labelledby=\"urgent-title\">\n<h2 class=\"care-head\" id=\"urgent-title\">Urgent, but not an emergency</h2>\n<div class=\"care-body\">\n");
        for line in &cv.urgent {
            o.push_str("\n<div class=\"urgent-line\">\n<h3>");
            esc(o, &line.label);
            o.push_str("</h3>\n");
            if !line.when.is_empty() {
                o.push_str("<p><strong>Call if:</strong> ");
                esc(o, &line.when);
                o.push_str("</p>");
            }
            o.push_str("\n<p>");
            call_link(o, "tap tap-urgent", &line.phone);
            o.push_str("</p>\n<p class=\"hours\">Answered: ");
            esc(o, &line.hours_text);
            o.push_str("</p>\n</div>\n");
        }
        o.push_str("\n</div>\n</section>\n");
    }
    o.push_str("\n<nav class=\"site-nav\" aria-label=\"Site\">\n<a href=\"");
    if root.is_empty() {
        o.push_str("./");
    } else {
        esc(o, root);
    }
    o.push('"');
    if kind == "index" {
        o.push_str(" aria-current=\"page\"");
    }
    o.push_str(">All providers at ");
    esc(o, &cv.name);
    o.push_str("</a>\n</nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

/// `base.html` from the end of the content block: the clinic, the footer
/// and the script.
fn base_end(o: &mut String, f: &Frame, page: &PageView) {
    if page.kind == "provider" && page.root == PROVIDER_ROOT {
        o.push_str(&f.provider_end);
    } else {
        page_end(o, &f.clinic, &f.build, page.kind, &page.root);
    }
}

/// [`base_end`] of a page of `kind` whose site root is at `root`.
fn page_end(o: &mut String, cv: &ClinicView, build: &BuildView, kind: &str, root: &str) {
    let index = kind == "index";
    o.push_str(
        "\n\n<section class=\"clinic\" aria-labelledby=\"clinic-title\">\n<h2 id=\"clinic-title\">",
    );
    if index {
        o.push_str("Address and hours");
    } else {
        esc(o, &cv.name);
    }
    o.push_str("</h2>\n<address>\n");
    let address = cv.address.as_deref().filter(|a| !a.is_empty());
    if index {
        if let Some(address) = address {
            o.push_str("<p>");
            esc(o, &cv.name);
            o.push_str("<br>");
            esc(o, address);
            o.push_str("</p>");
        }
    } else {
        if let Some(address) = address {
            o.push_str("<p>");
            esc(o, address);
            o.push_str("</p>");
        }
        o.push('\n');
    }
    o.push_str("\n<p>Main line:<br>");
    call_link(o, "tap tap-plain", &cv.phone);
    o.push_str("</p>\n</address>\n<h3>Clinic hours</h3>\n<ul class=\"plain\">\n");
    for line in &cv.hours_lines {
        o.push_str("<li>");
        esc(o, line);
        o.push_str("</li>\n");
    }
    o.push_str("\n</ul>\n");
    if !cv.closures.is_empty() {
        o.push_str("\n<h3>Upcoming closures</h3>\n<ul class=\"closures\">\n");
        for closure in &cv.closures {
            o.push_str("<li><strong>");
            esc(o, &closure.dates_text);
            o.push_str("</strong>");
            if !closure.note.is_empty() {
                o.push_str(": ");
                esc(o, &closure.note);
            }
            o.push_str("</li>\n");
        }
        o.push_str("\n</ul>\n");
    }
    o.push('\n');
    if let Some(after) = cv.after_hours.as_ref().filter(|_| kind != "provider") {
        o.push_str("\n<h3>When the clinic is closed</h3>\n");
        if !after.text.is_empty() {
            o.push_str("<p>");
            esc(o, &after.text);
            o.push_str("</p>");
        }
        o.push('\n');
        if let Some(phone) = &after.phone {
            o.push_str("<p>");
            call_link(o, "tap tap-plain", phone);
            o.push_str("</p>");
        }
        o.push('\n');
    }
    o.push_str("\n</section>\n\n</main>\n<footer class=\"site-footer\">\n<p>This page shows information as of <time datetime=\"");
    esc(o, &build.date);
    o.push_str("\">");
    esc(o, &build.date_text);
    o.push_str("</time>. Times are ");
    esc(o, &cv.name);
    o.push_str(" local time (");
    esc(o, &cv.timezone);
    o.push_str(").");
    if let Some(website) = cv.website.as_deref().filter(|w| !w.is_empty()) {
        o.push_str(" <a href=\"");
        esc(o, website);
        o.push_str("\" rel=\"noopener noreferrer\">");
        esc(o, &cv.name);
        o.push_str(" website</a>");
    }
    o.push_str("</p>\n</footer>\n");
    if kind != "404" {
        o.push_str("<script src=\"");
        esc(o, root);
        o.push_str("howtoreach.js\" defer></script>");
    }
    o.push_str("\n</body>\n</html>\n");
}
