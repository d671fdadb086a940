//! The built-in index page, written straight from the model.
//!
//! `templates/index.html` (with `templates/base.html`) stays the definition of
//! the page and what a site's own index starts from. When a site replaces
//! neither, the index is written here instead, byte for byte the same (the
//! `index_matches_the_template` tests render both ways and compare), so that
//! the index needs no template value per provider: every provider's summary
//! as Tera maps costs about 6 KB, 60 MB at 10,000 providers, all alive at
//! once. Here each provider's entry is written and forgotten.
//!
//! A change to either template must be made here too; the tests fail until it is.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{ChannelKind, Phone, Provider};
use crate::render::context::{PageView, ViewBuilder, all_languages, provider_path};

/// Appends `s` escaped as Tera's autoescape does.
fn esc(out: &mut String, s: &str) {
    // Tera escapes with this very function (its `fast_escape` feature);
    // writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut *out, s);
}

/// Appends `s` as a JSON string literal that cannot close a `<script>`,
/// as the `json_string` filter does.
fn json(out: &mut String, s: &str) {
    out.push_str(&super::json_literal(s));
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

/// `tel:+1…` without its scheme, as the templates' `replace(from="tel:", to="")`.
fn tel_number(p: &Phone) -> String {
    p.tel_href().replacen("tel:", "", 1)
}

/// The whole index page, as `index.html` extending `base.html` renders it.
pub fn render(views: &ViewBuilder, page: &PageView) -> String {
    let site = views.site;
    let clinic = &site.clinic;
    let mut out = String::with_capacity(1024 + site.providers.len() * 720);
    let o = &mut out;
    let cv = views.clinic_view();

    // base.html: head.
    o.push_str("<!doctype html>\n<html lang=\"");
    esc(o, &site.config.language);
    o.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    esc(o, &page.title);
    o.push_str("</title>\n<meta name=\"description\" content=\"");
    esc(o, &page.description);
    o.push_str("\">\n<link rel=\"canonical\" href=\"");
    esc(o, &page.url);
    o.push_str("\">\n<meta property=\"og:type\" content=\"website\">\n<meta property=\"og:title\" content=\"");
    esc(o, &page.title);
    o.push_str("\">\n<meta property=\"og:description\" content=\"");
    esc(o, &page.description);
    o.push_str("\">\n<meta property=\"og:url\" content=\"");
    esc(o, &page.url);
    o.push_str("\">\n<meta property=\"og:site_name\" content=\"");
    esc(o, &clinic.name);
    o.push_str("\">\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"");
    esc(o, &page.root);
    o.push_str("style.css\">\n\n</head>\n<body class=\"page-");
    esc(o, page.kind);
    o.push_str("\">\n<a class=\"skip\" href=\"#main\">Skip to main content</a>\n<header class=\"site-header\">\n");

    // base.html: emergency first, then the urgent lines.
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
            o.push_str("\n<p><a class=\"tap tap-urgent\" href=\"");
            esc(o, &line.phone.href);
            o.push_str("\">Call <span class=\"value\">");
            tel_parts(o, &line.phone.display);
            o.push_str("</span></a></p>\n<p class=\"hours\">Answered: ");
            esc(o, &line.hours_text);
            o.push_str("</p>\n</div>\n");
        }
        o.push_str("\n</div>\n</section>\n");
    }
    o.push_str("\n<nav class=\"site-nav\" aria-label=\"Site\">\n<a href=\"");
    if page.root.is_empty() {
        o.push_str("./");
    } else {
        esc(o, &page.root);
    }
    o.push_str("\" aria-current=\"page\">All providers at ");
    esc(o, &clinic.name);
    o.push_str("</a>\n</nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");

    // index.html: the content block.
    o.push_str("\n<h1><span class=\"eyebrow\">How to reach us at</span> ");
    esc(o, &clinic.name);
    o.push_str("</h1>\n<p class=\"lead\">How to reach our doctors, nurses and counsellors. Each page shows the best way to reach that person, when someone answers, how soon to expect a reply and who helps after hours.</p>\n\n<form class=\"filter\" id=\"filter-form\" role=\"search\" aria-label=\"Find a provider\" hidden>\n<div class=\"field\">\n<label for=\"filter\">Name</label>\n<input type=\"search\" id=\"filter\" name=\"name\" autocomplete=\"off\" spellcheck=\"false\">\n</div>\n<div class=\"field\">\n<label for=\"filter-department\">Department</label>\n<select id=\"filter-department\" name=\"department\">\n<option value=\"\">All departments</option>\n");
    let departments = departments(&site.providers);
    for (name, _) in &departments {
        o.push_str("<option value=\"");
        esc(o, name);
        o.push_str("\">");
        esc(o, name);
        o.push_str("</option>\n");
    }
    o.push_str("\n</select>\n</div>\n<div class=\"field\">\n<label for=\"filter-language\">Language</label>\n<select id=\"filter-language\" name=\"language\">\n<option value=\"\">All languages</option>\n");
    for language in all_languages(&site.providers) {
        o.push_str("<option value=\"");
        esc(o, &language.tag);
        o.push_str("\">");
        esc(o, &language.name);
        o.push_str("</option>\n");
    }
    o.push_str("\n</select>\n</div>\n<p class=\"filter-status\" id=\"filter-status\" role=\"status\"></p>\n</form>\n\n<div class=\"directory\" id=\"providers\">\n");
    if departments.is_empty() {
        o.push_str("<p>No providers are listed yet. Please call the clinic.</p>");
    }
    o.push('\n');
    for (i, (name, providers)) in departments.iter().enumerate() {
        let _ = write!(
            o,
            "\n<section class=\"department\" aria-labelledby=\"department-{}\" data-department=\"",
            i + 1
        );
        esc(o, name);
        let _ = write!(o, "\">\n<h2 id=\"department-{}\">", i + 1);
        esc(o, name);
        o.push_str("</h2>\n<ul class=\"provider-list\">\n");
        for p in providers {
            entry(o, views, p, name, &page.root);
        }
        o.push_str("\n</ul>\n</section>\n");
    }
    o.push_str("\n</div>\n");

    // index.html: the clinic's JSON-LD.
    let base = &site.config.base_url;
    o.push_str("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"MedicalClinic\",\"@id\":");
    json(o, &format!("{base}/#clinic"));
    o.push_str(",\"name\":");
    json(o, &clinic.name);
    o.push_str(",\"url\":");
    json(o, &format!("{base}/"));
    o.push_str(",\"telephone\":");
    json(o, &tel_number(&clinic.phone));
    if let Some(address) = clinic.address.as_deref().filter(|a| !a.is_empty()) {
        o.push_str(",\"address\":");
        json(o, address);
    }
    if let Some(website) = &clinic.website
        && !website.is_empty()
        && *website != *base
        && *website != format!("{base}/")
    {
        o.push_str(",\"sameAs\":[");
        json(o, website);
        o.push(']');
    }
    if !cv.opening_hours_spec.is_empty() {
        o.push_str(",\"openingHoursSpecification\":[");
        for (i, spec) in cv.opening_hours_spec.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"@type\":\"OpeningHoursSpecification\",\"dayOfWeek\":[");
            for (j, day) in spec.days.iter().enumerate() {
                if j > 0 {
                    o.push(',');
                }
                o.push_str("\"https://schema.org/");
                esc(o, day);
                o.push('"');
            }
            o.push_str("],\"opens\":\"");
            esc(o, &spec.opens);
            o.push_str("\",\"closes\":\"");
            esc(o, &spec.closes);
            o.push_str("\"}");
        }
        o.push(']');
    }
    o.push_str(",\"contactPoint\":[{\"@type\":\"ContactPoint\",\"contactType\":\"Main line\",\"telephone\":");
    json(o, &tel_number(&clinic.phone));
    o.push('}');
    for line in &clinic.urgent {
        o.push_str(",{\"@type\":\"ContactPoint\",\"contactType\":");
        json(o, &line.label);
        o.push_str(",\"telephone\":");
        json(o, &tel_number(&line.phone));
        o.push('}');
    }
    if let Some(phone) = clinic.after_hours.as_ref().and_then(|a| a.phone.as_ref()) {
        o.push_str(",{\"@type\":\"ContactPoint\",\"contactType\":\"After hours\",\"telephone\":");
        json(o, &tel_number(phone));
        o.push('}');
    }
    o.push(']');
    if !site.providers.is_empty() {
        o.push_str(",\"member\":[");
        for (i, p) in site.providers.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"@type\":\"Person\",\"name\":");
            json(o, &p.name);
            o.push_str(",\"jobTitle\":");
            json(o, &p.role);
            o.push_str(",\"url\":");
            json(o, &format!("{base}/{}", provider_path(&p.slug)));
            o.push('}');
        }
        o.push(']');
    }
    o.push_str("}</script>\n");

    // base.html: the clinic block, the footer and the script.
    o.push_str("\n\n<section class=\"clinic\" aria-labelledby=\"clinic-title\">\n<h2 id=\"clinic-title\">Address and hours</h2>\n<address>\n");
    if let Some(address) = clinic.address.as_deref().filter(|a| !a.is_empty()) {
        o.push_str("<p>");
        esc(o, &clinic.name);
        o.push_str("<br>");
        esc(o, address);
        o.push_str("</p>");
    }
    o.push_str("\n<p>Main line:<br><a class=\"tap tap-plain\" href=\"");
    esc(o, &cv.phone.href);
    o.push_str("\">Call <span class=\"value\">");
    tel_parts(o, &cv.phone.display);
    o.push_str("</span></a></p>\n</address>\n<h3>Clinic hours</h3>\n<ul class=\"plain\">\n");
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
    if let Some(after) = &cv.after_hours {
        o.push_str("\n<h3>When the clinic is closed</h3>\n");
        if !after.text.is_empty() {
            o.push_str("<p>");
            esc(o, &after.text);
            o.push_str("</p>");
        }
        o.push('\n');
        if let Some(phone) = &after.phone {
            o.push_str("<p><a class=\"tap tap-plain\" href=\"");
            esc(o, &phone.href);
            o.push_str("\">Call <span class=\"value\">");
            tel_parts(o, &phone.display);
            o.push_str("</span></a></p>");
        }
        o.push('\n');
    }
    o.push_str("\n</section>\n\n</main>\n<footer class=\"site-footer\">\n<p>This page shows information as of <time datetime=\"");
    let build = views.build_view();
    esc(o, &build.date);
    o.push_str("\">");
    esc(o, &build.date_text);
    o.push_str("</time>. Times are ");
    esc(o, &clinic.name);
    o.push_str(" local time (");
    esc(o, clinic.timezone.name());
    o.push_str(").");
    if let Some(website) = &clinic.website
        && !website.is_empty()
    {
        o.push_str(" <a href=\"");
        esc(o, website);
        o.push_str("\" rel=\"noopener noreferrer\">");
        esc(o, &clinic.name);
        o.push_str(" website</a>");
    }
    o.push_str("</p>\n</footer>\n<script src=\"");
    esc(o, &page.root);
    o.push_str("howtoreach.js\" defer></script>\n</body>\n</html>\n");
    out
}

/// Providers by department, departments by name, "Other providers" last
/// (as `departments` in the templates' context).
fn departments(providers: &[std::sync::Arc<Provider>]) -> Vec<(&str, Vec<&Provider>)> {
    let mut groups: BTreeMap<(u8, &str), Vec<&Provider>> = BTreeMap::new();
    for p in providers {
        let key = match &p.department {
            Some(d) => (0, d.as_str()),
            None => (1, "Other providers"),
        };
        groups.entry(key).or_default().push(p);
    }
    groups
        .into_iter()
        .map(|((_, name), ps)| (name, ps))
        .collect()
}

/// One provider's entry in the directory (public channels only).
fn entry(o: &mut String, views: &ViewBuilder, p: &Provider, department: &str, root: &str) {
    o.push_str("\n<li class=\"provider-item\" data-name=\"");
    esc(o, &p.name);
    o.push_str("\" data-department=\"");
    esc(o, department);
    o.push_str("\" data-languages=\"");
    for (i, tag) in p.languages.iter().enumerate() {
        if i > 0 {
            o.push(' ');
        }
        esc(o, tag);
    }
    o.push_str("\">\n<h3><a href=\"");
    esc(o, root);
    esc(o, &provider_path(&p.slug));
    o.push_str("\">");
    esc(o, &p.name);
    o.push_str("</a>");
    if let Some(credentials) = p.credentials.as_deref().filter(|c| !c.is_empty()) {
        o.push_str("<span class=\"credentials\">, ");
        esc(o, credentials);
        o.push_str("</span>");
    }
    o.push_str("</h3>\n<p class=\"role\">");
    esc(o, &p.role);
    o.push_str("</p>\n");
    if views.away_now(p) {
        o.push_str("<p class=\"away-badge\"><strong>Away now.</strong> See the page for who is covering.</p>");
    }
    o.push('\n');
    if !p.languages.is_empty() {
        o.push_str("<p>Speaks: ");
        for (i, tag) in p.languages.iter().enumerate() {
            if i > 0 {
                o.push_str(", ");
            }
            esc(o, crate::render::context::language_name(tag));
        }
        o.push_str("</p>");
    }
    o.push('\n');
    // Loading guarantees at least one public channel; the first is preferred.
    if let Some(c) = p.public_channels().next() {
        let hours = c.hours.as_ref().unwrap_or(&views.site.clinic.hours);
        let facts = views.words.facts(hours);
        o.push_str("<p class=\"best-way\"><strong>Best way:</strong> ");
        esc(o, c.label());
        if !facts.text.is_empty() {
            o.push_str(", ");
            esc(o, &facts.text);
        }
        o.push_str("</p>\n");
        let display = c.display();
        let as_number = !matches!(
            c.kind,
            ChannelKind::Email | ChannelKind::Portal | ChannelKind::Video | ChannelKind::InPerson
        );
        let value = |o: &mut String| {
            if as_number {
                tel_parts(o, &display);
            } else {
                esc(o, &display);
            }
        };
        match c.href().filter(|h| !h.is_empty()) {
            Some(href) => {
                o.push_str("<p><a class=\"tap tap-plain\" href=\"");
                esc(o, &href);
                o.push('"');
                if matches!(c.kind, ChannelKind::Portal | ChannelKind::Video) {
                    o.push_str(" rel=\"noopener noreferrer\"");
                }
                o.push('>');
                esc(o, c.kind.action());
                o.push_str(" <span class=\"value\">");
                value(o);
                o.push_str("</span></a></p>\n");
            }
            None => {
                o.push_str("<p><span class=\"value\">");
                value(o);
                o.push_str("</span></p>");
            }
        }
    }
    o.push_str("\n</li>\n");
}
