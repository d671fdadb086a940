//! The built-in index page (`index.html` extending `base.html`): each
//! provider's entry is written and forgotten, so the index needs no template
//! value per provider.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Frame, base_end, base_start, channel_value, esc, join, json, opening_specs};
use crate::diagnostic::Diagnostic;
use crate::model::{ChannelKind, Provider};
use crate::render::context::{PageView, ViewBuilder, all_languages, provider_path};

/// The whole index page, as `index.html` extending `base.html` renders it.
pub fn render(f: &Frame, page: &PageView) -> String {
    let mut all = String::with_capacity(1024 + f.views.site.providers.len() * 720);
    let gathered = render_parts(f, page, &mut |part| {
        all.push_str(part);
        Ok(())
    });
    // Gathering into a String cannot fail.
    debug_assert!(gathered.is_ok());
    all
}

/// About this many bytes of the page are passed on at a time.
const PART: usize = 256 * 1024;

/// Passes what `o` holds on to `sink` once it is a part's worth.
fn pass_on(o: &mut String, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
    if o.len() >= PART {
        sink(o)?;
        o.clear();
    }
    Ok(())
}

type Sink<'a> = dyn FnMut(&str) -> Result<(), Diagnostic> + 'a;

/// The index page, passed to `sink` in parts as it is written: at 50,000
/// providers the page is 35 MB, which need not be in memory at once.
pub fn render_parts(f: &Frame, page: &PageView, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
    let views = f.views;
    let site = views.site;
    let clinic = &site.clinic;
    let mut out = String::with_capacity(PART + 64 * 1024);
    let o = &mut out;
    let cv = &f.clinic;

    base_start(o, f, page);

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
            pass_on(o, sink)?;
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
    json(o, &clinic.phone.e164_with_extension());
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
        opening_specs(o, &cv.opening_hours_spec);
        o.push(']');
    }
    o.push_str(",\"contactPoint\":[{\"@type\":\"ContactPoint\",\"contactType\":\"Main line\",\"telephone\":");
    json(o, &clinic.phone.e164_with_extension());
    o.push('}');
    for line in &clinic.urgent {
        o.push_str(",{\"@type\":\"ContactPoint\",\"contactType\":");
        json(o, &line.label);
        o.push_str(",\"telephone\":");
        json(o, &line.phone.e164_with_extension());
        o.push('}');
    }
    if let Some(phone) = clinic.after_hours.as_ref().and_then(|a| a.phone.as_ref()) {
        o.push_str(",{\"@type\":\"ContactPoint\",\"contactType\":\"After hours\",\"telephone\":");
        json(o, &phone.e164_with_extension());
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
            pass_on(o, sink)?;
        }
        o.push(']');
    }
    o.push_str("}</script>\n");

    base_end(o, f, page);
    sink(o)
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
    join(o, &p.languages, " ", |o, tag| esc(o, tag));
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
        join(o, &p.languages, ", ", |o, tag| {
            esc(o, crate::render::context::language_name(tag));
        });
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
        let value = |o: &mut String| channel_value(o, c.kind, display);
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
