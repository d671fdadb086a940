//! A provider's page (`provider.html` extending `base.html`) and handout
//! (`handout.html`).

use std::sync::Arc;

use super::{
    Frame, base_end, base_start, call_link, channel_value, esc, join, json, opening_specs,
    pronouns_and_languages, tel_parts, value_link,
};
use crate::model::{Channel, ChannelKind, Provider};
use crate::render::context::{
    Audience, ClinicView, HoursFacts, PageView, ProviderView, ViewBuilder,
};

/// A channel as the built-in pages show it (the fields of a template's
/// `channel` that they use), worked out once for the page and the handout.
pub struct ChannelShown<'a> {
    c: &'a Channel,
    facts: Arc<HoursFacts>,
    display: &'a str,
    href: Option<String>,
    response_text: Option<String>,
    note_html: tera::Value,
}

/// A channel in one page's list: what it shows, and its position there
/// (a handout lists patients-only channels too, so the two can differ).
pub struct Shown<'a> {
    channel: &'a ChannelShown<'a>,
    /// Position in the list shown (0 = preferred).
    index: usize,
}

/// A `Shown` reads as its channel's [`ChannelShown`], with its own `index`.
impl<'a> std::ops::Deref for Shown<'a> {
    type Target = ChannelShown<'a>;

    fn deref(&self) -> &ChannelShown<'a> {
        self.channel
    }
}

impl Shown<'_> {
    fn preferred(&self) -> bool {
        self.index == 0
    }
}

impl ChannelShown<'_> {
    fn kind(&self) -> ChannelKind {
        self.c.kind
    }

    fn href(&self) -> Option<&str> {
        self.href.as_deref().filter(|h| !h.is_empty())
    }

    /// `<div class="note">…</div>` when the channel has a note.
    fn note(&self, o: &mut String) {
        let html = self.note_html.as_str().unwrap_or("");
        if !html.is_empty() {
            o.push_str("<div class=\"note\">");
            o.push_str(html);
            o.push_str("</div>");
        }
    }
}

/// Every channel of `p` as the built-in pages show it, in order.
pub fn channels<'a>(views: &ViewBuilder, p: &'a Provider) -> Vec<ChannelShown<'a>> {
    p.channels
        .iter()
        .map(|c| ChannelShown {
            c,
            facts: views
                .words
                .facts(c.hours.as_ref().unwrap_or(&views.site.clinic.hours)),
            display: c.display(),
            href: c.href(),
            response_text: c.response.map(|r| r.text()),
            note_html: c
                .note
                .as_deref()
                .map_or_else(tera::Value::none, |n| views.note_html(n)),
        })
        .collect()
}

/// The `channels` `audience` may see, the first preferred: on a public page,
/// public channels only (as [`ViewBuilder::channels`] gives templates).
pub fn shown<'a>(channels: &'a [ChannelShown<'a>], audience: Audience) -> Vec<Shown<'a>> {
    channels
        .iter()
        .filter(|c| audience == Audience::Patients || c.c.is_public())
        .enumerate()
        .map(|(index, channel)| Shown { channel, index })
        .collect()
}

fn is_phone_like(kind: ChannelKind) -> bool {
    matches!(
        kind,
        ChannelKind::Phone | ChannelKind::Mobile | ChannelKind::AnsweringService
    )
}

/// Before an absence's dates.
fn away_word(current: bool) -> &'static str {
    if current { "Away now:" } else { "Away:" }
}

/// "Answered:", "Open:"... before a channel's hours.
fn hours_word(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::InPerson => "Open:",
        ChannelKind::Phone
        | ChannelKind::Mobile
        | ChannelKind::Pager
        | ChannelKind::AnsweringService => "Answered:",
        ChannelKind::Video => "Available:",
        _ => "Messages read:",
    }
}

/// The public page of a provider: `view` and `channels` for the public.
pub fn page(f: &Frame, page: &PageView, view: &ProviderView, channels: &[Shown<'_>]) -> String {
    let cv = &f.clinic;
    let mut out = String::with_capacity(16 * 1024);
    let o = &mut out;
    let root = &page.root;
    base_start(o, f, page);

    o.push_str("\n<div class=\"provider-head\">\n");
    if let Some(photo) = view.photo.as_deref().filter(|s| !s.is_empty()) {
        o.push_str("<img class=\"photo\" src=\"");
        esc(o, root);
        esc(o, photo);
        o.push_str("\" alt=\"\" width=\"96\" height=\"96\">");
    }
    o.push_str("\n<h1><span class=\"eyebrow\">How to reach</span> ");
    esc(o, &view.name);
    if let Some(credentials) = view.credentials.as_deref().filter(|s| !s.is_empty()) {
        o.push_str("<span class=\"credentials\">, ");
        esc(o, credentials);
        o.push_str("</span>");
    }
    o.push_str("</h1>\n<p class=\"role\">");
    esc(o, &view.role);
    if let Some(department) = view.department.as_deref().filter(|s| !s.is_empty()) {
        o.push_str("<br><span class=\"dept\">");
        esc(o, department);
        o.push_str("</span>");
    }
    o.push_str("</p>\n");
    pronouns_and_languages(o, view, ["<p class=\"meta\">", "<br>", "</p>"]);
    o.push_str("\n</div>\n\n");

    if !view.away.is_empty() {
        o.push_str("\n<section class=\"away");
        if view.away_now {
            o.push_str(" away-now");
        }
        o.push_str("\" aria-labelledby=\"away-title\">\n<h2 id=\"away-title\">");
        if view.away_now {
            esc(o, &view.name);
            o.push_str(" is away");
        } else {
            o.push_str("Time away");
        }
        o.push_str("</h2>\n<ul class=\"plain\">\n");
        for absence in &view.away {
            o.push_str("\n<li>\n<p><strong>");
            o.push_str(away_word(absence.current));
            o.push_str("</strong> ");
            esc(o, &absence.dates_text);
            o.push_str(".</p>\n");
            match &absence.covering {
                Some(colleague) => {
                    o.push_str("<p>During this time, please contact <a href=\"");
                    esc(o, root);
                    esc(o, &colleague.url);
                    o.push_str("\">");
                    esc(o, &colleague.name);
                    o.push_str("</a>, ");
                    esc(o, &colleague.role);
                    o.push_str(".</p>\n");
                }
                None => {
                    o.push_str("<p>During this time, please call the clinic: ");
                    call_link(o, "tap tap-plain", &cv.phone);
                    o.push_str("</p>");
                }
            }
            o.push_str("\n</li>\n");
        }
        o.push_str("\n</ul>\n</section>\n");
    }
    o.push_str("\n\n");

    let last = channels.len().saturating_sub(1);
    for (i, ch) in channels.iter().enumerate() {
        let kind = ch.kind();
        o.push('\n');
        if i == 0 {
            o.push_str("<section class=\"ways ways-best\" aria-labelledby=\"best-title\">\n<h2 id=\"best-title\">Best way to reach ");
            esc(o, &view.name);
            o.push_str("</h2>\n");
        } else if i == 1 {
            o.push_str("<section class=\"ways\" aria-labelledby=\"other-title\">\n<h2 id=\"other-title\">Other ways to reach ");
            esc(o, &view.name);
            o.push_str("</h2>\n");
        }
        o.push_str("\n<article class=\"channel");
        if ch.preferred() {
            o.push_str(" channel-best");
        }
        o.push_str("\" data-channel=\"");
        o.push_str(&ch.index.to_string());
        o.push('"');
        if is_phone_like(kind) {
            o.push_str(" data-verb=\"call\"");
        } else if kind == ChannelKind::Pager {
            o.push_str(" data-verb=\"page\"");
        }
        o.push_str(" aria-labelledby=\"channel-");
        o.push_str(&ch.index.to_string());
        o.push_str("\">\n");
        if ch.preferred() {
            o.push_str("<p class=\"tag\">Preferred</p>");
        }
        o.push_str("\n<h3 id=\"channel-");
        o.push_str(&ch.index.to_string());
        o.push_str("\">");
        let label = ch.c.label();
        let kind_label = kind.default_label();
        esc(o, label);
        if label != kind_label {
            o.push_str(" <span class=\"kind\">(");
            esc(o, kind_label);
            o.push_str(")</span>");
        }
        o.push_str("</h3>\n");
        if kind == ChannelKind::InPerson {
            o.push_str("<p class=\"value in-person\">");
            esc(o, ch.display);
            o.push_str("</p>\n");
        } else if let Some(href) = ch.href() {
            o.push_str("<p><a class=\"tap");
            if !ch.preferred() {
                o.push_str(" tap-plain");
            }
            o.push_str("\" href=\"");
            esc(o, href);
            o.push('"');
            if matches!(kind, ChannelKind::Portal | ChannelKind::Video) {
                o.push_str(" rel=\"noopener noreferrer\"");
            }
            o.push('>');
            esc(o, kind.action());
            o.push_str(" <span class=\"value\">");
            channel_value(o, kind, ch.display);
            o.push_str("</span></a></p>\n");
        } else {
            o.push_str("<p>");
            esc(o, kind.action());
            o.push_str(" <span class=\"value\">");
            tel_parts(o, ch.display);
            o.push_str("</span></p>\n");
        }
        o.push_str("\n<p class=\"live\" data-live hidden></p>\n<p class=\"hours\"><strong>");
        o.push_str(hours_word(kind));
        o.push_str("</strong> ");
        join(o, &ch.facts.lines, "<br>", |o, line| esc(o, line));
        o.push_str("</p>\n");
        if let Some(response) = ch.response_text.as_deref().filter(|s| !s.is_empty()) {
            o.push_str("<p class=\"response\">");
            esc(o, response);
            o.push_str("</p>");
        }
        o.push('\n');
        for (items, heading, class) in [
            (&ch.c.use_for, "Use it for", "use-for"),
            (&ch.c.not_for, "Not for", "not-for"),
        ] {
            if !items.is_empty() {
                o.push_str("<h4>");
                o.push_str(heading);
                o.push_str("</h4>\n<ul class=\"");
                o.push_str(class);
                o.push_str("\">\n");
                for item in items.iter() {
                    o.push_str("<li>");
                    esc(o, item);
                    o.push_str("</li>\n");
                }
                o.push_str("\n</ul>\n");
            }
            o.push('\n');
        }
        ch.note(o);
        o.push_str("\n</article>\n");
        if i == 0 || i == last {
            o.push_str("</section>");
        }
        o.push('\n');
    }

    // When the provider's lines are closed.
    let after = &view.after_hours;
    o.push_str("\n\n<section class=\"after-hours\" aria-labelledby=\"after-title\">\n<h2 id=\"after-title\">When ");
    esc(o, &view.name);
    o.push_str("'s lines are closed</h2>\n");
    let after_text = after.text.as_deref().filter(|s| !s.is_empty());
    if let Some(text) = after_text {
        o.push_str("<p>");
        esc(o, text);
        o.push_str("</p>");
    }
    o.push('\n');
    if !after.routes.is_empty() {
        o.push_str("\n<ul class=\"routes plain\">\n");
        for route in &after.routes {
            o.push_str("\n<li class=\"route route-");
            esc(o, route.kind);
            o.push_str("\">\n<p class=\"route-when\">");
            esc(o, &route.when);
            o.push_str("</p>\n");
            if route.kind == "none" {
                o.push_str("<p><strong>No one answers for ");
                esc(o, &view.name);
                o.push_str(" at these times.</strong> If it can wait, use one of the ways above when it opens. If it cannot wait, go to the nearest emergency department or call ");
                esc(o, &cv.emergency.number);
                o.push_str(".</p>\n<p><a class=\"tap tap-emergency\" href=\"");
                esc(o, &cv.emergency.href);
                o.push_str("\">Call ");
                esc(o, &cv.emergency.number);
                o.push_str("</a></p>\n");
            } else {
                o.push_str("<p>");
                match &route.colleague {
                    Some(colleague) => {
                        o.push_str("Contact <a href=\"");
                        esc(o, root);
                        esc(o, &colleague.url);
                        o.push_str("\">");
                        esc(o, &colleague.name);
                        o.push_str("</a>, ");
                        esc(o, &colleague.role);
                        o.push_str(", who covers.");
                    }
                    None => {
                        esc(o, &route.label);
                        o.push('.');
                    }
                }
                o.push_str("</p>\n");
                if let Some(phone) = &route.phone {
                    o.push_str("<p>");
                    call_link(o, "tap tap-plain", phone);
                    o.push_str("</p>");
                }
                o.push('\n');
            }
            o.push_str("\n</li>\n");
        }
        o.push_str("\n</ul>\n");
    } else if after_text.is_none() && after.covering.is_empty() && after.phone.is_none() {
        o.push_str("<p>One of the ways above is answered at every hour of a usual week.</p>\n");
    } else if let Some(phone) = &after.phone {
        o.push_str("<p>");
        call_link(o, "tap tap-plain", phone);
        o.push_str("</p>\n");
    }
    o.push('\n');
    if !after.covering.is_empty() {
        o.push_str("\n<p>Covering for ");
        esc(o, &view.name);
        o.push_str(": ");
        join(o, &after.covering, "; ", |o, colleague| {
            o.push_str("<a href=\"");
            esc(o, root);
            esc(o, &colleague.url);
            o.push_str("\">");
            esc(o, &colleague.name);
            o.push_str("</a>, ");
            esc(o, &colleague.role);
        });
        o.push_str(".</p>\n");
    }
    o.push_str("\n<p class=\"emergency-reminder\"><strong>In an emergency, call ");
    esc(o, &cv.emergency.number);
    o.push_str("</strong>, at any time.</p>\n</section>\n\n");

    if !view.about_html.is_empty() {
        o.push_str("\n<section class=\"about\" aria-labelledby=\"about-title\">\n<h2 id=\"about-title\">About ");
        esc(o, &view.name);
        o.push_str("</h2>\n");
        o.push_str(&view.about_html);
        o.push_str("\n</section>\n");
    }

    o.push_str("\n\n<section class=\"keep\" aria-labelledby=\"keep-title\">\n<h2 id=\"keep-title\">Keep these details</h2>\n<div class=\"keep-grid\">\n<div>\n<p class=\"actions\"><a class=\"tap tap-plain\" href=\"");
    esc(o, &view.vcard);
    o.push_str("\" download=\"");
    esc(o, &view.vcard);
    o.push_str("\">Save contact</a> <button class=\"tap tap-plain\" type=\"button\" data-print hidden>Print this page</button></p>\n<p>Save contact adds the public ways to reach ");
    esc(o, &view.name);
    o.push_str(" to the contacts on your phone or computer.</p>\n<p class=\"print-hint\">To print this page, choose Print in your browser's menu.</p>\n</div>\n<figure class=\"qr\">\n<img src=\"");
    esc(o, view.qr);
    o.push_str("\" alt=\"QR code linking to this page\" width=\"160\" height=\"160\">\n<figcaption>Scan to open this page: <span class=\"url\">");
    esc(o, &view.page_url);
    o.push_str("</span></figcaption>\n</figure>\n</div>\n</section>\n\n<p class=\"reviewed\">Details confirmed on <time datetime=\"");
    esc(o, &view.reviewed);
    o.push_str("\">");
    esc(o, &view.reviewed_text);
    o.push_str("</time>.</p>\n<script type=\"application/json\" id=\"howtoreach-status\">");
    o.push_str(&view.status_json_html);
    o.push_str("</script>");
    json_ld(o, f, view, channels);
    o.push('\n');

    base_end(o, f, page);
    out
}

/// The page's schema.org JSON-LD.
fn json_ld(o: &mut String, f: &Frame, view: &ProviderView, channels: &[Shown<'_>]) {
    let (views, cv) = (f.views, &f.clinic);
    let clinic = &views.site.clinic;
    let credentials = view.credentials.as_deref().unwrap_or("");
    let physician = ["MD", "MBBS", "MBChB", "FRCP", "FRCS"]
        .iter()
        .any(|c| credentials.contains(c));
    let languages = |o: &mut String| join(o, &view.languages, ",", |o, l| json(o, &l.tag));
    o.push_str(
        "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"",
    );
    o.push_str(if physician { "Physician" } else { "Person" });
    o.push_str("\",\"@id\":");
    json(o, &format!("{}#provider", view.page_url));
    o.push_str(",\"name\":");
    json(o, &view.name);
    o.push_str(",\"url\":");
    json(o, &view.page_url);
    o.push(',');
    if physician {
        o.push_str("\"description\":");
        json(o, &view.role);
        o.push(',');
    } else {
        o.push_str("\"jobTitle\":");
        json(o, &view.role);
        o.push(',');
        if !credentials.is_empty() {
            o.push_str("\"honorificSuffix\":");
            json(o, credentials);
            o.push(',');
        }
    }
    if !view.languages.is_empty() {
        o.push_str("\"knowsLanguage\":[");
        languages(o);
        o.push_str("],");
    }
    o.push('"');
    o.push_str(if physician {
        "parentOrganization"
    } else {
        "worksFor"
    });
    o.push_str("\":{\"@type\":\"MedicalClinic\",\"name\":");
    json(o, &cv.name);
    o.push_str(",\"url\":");
    json(o, &format!("{}/", views.site.config.base_url));
    o.push_str(",\"telephone\":");
    json(o, &clinic.phone.e164_with_extension());
    if let Some(address) = cv.address.as_deref().filter(|a| !a.is_empty()) {
        o.push_str(",\"address\":");
        json(o, address);
    }
    if !clinic.urgent.is_empty() {
        o.push_str(",\"contactPoint\":[");
        for (i, line) in clinic.urgent.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"@type\":\"ContactPoint\",\"contactType\":");
            json(o, &line.label);
            o.push_str(",\"telephone\":");
            json(o, &line.phone.e164_with_extension());
            o.push('}');
        }
        o.push(']');
    }
    o.push_str("},\n\"contactPoint\":[");
    for (i, ch) in channels.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str("{\"@type\":\"ContactPoint\",\"contactType\":");
        json(o, ch.c.label());
        o.push(',');
        match ch.kind() {
            ChannelKind::InPerson => {
                o.push_str("\"description\":");
                json(o, ch.display);
            }
            ChannelKind::Fax => {
                o.push_str("\"faxNumber\":");
                json(o, ch.display);
            }
            ChannelKind::Email => {
                o.push_str("\"email\":");
                json(o, ch.display);
            }
            ChannelKind::Portal | ChannelKind::Video => {
                o.push_str("\"url\":");
                json(o, ch.href.as_deref().unwrap_or(""));
            }
            _ => {
                o.push_str("\"telephone\":");
                let href = ch.href.as_deref().unwrap_or("");
                json(o, &href.replace("tel:", "").replace("sms:", ""));
            }
        }
        if !view.languages.is_empty() {
            o.push_str(",\"availableLanguage\":[");
            languages(o);
            o.push(']');
        }
        if !ch.facts.specs.is_empty() {
            o.push_str(",\"hoursAvailable\":[");
            opening_specs(o, &ch.facts.specs);
            o.push(']');
        }
        o.push('}');
    }
    o.push_str("]}</script>");
}

/// The printable handout: every channel, patients-only ones included.
pub fn handout(f: &Frame, page: &PageView, view: &ProviderView, channels: &[Shown<'_>]) -> String {
    let (views, cv) = (f.views, &f.clinic);
    let mut out = String::with_capacity(16 * 1024);
    let o = &mut out;
    o.push_str(HANDOUT_HEAD_1);
    esc(o, &views.site.config.language);
    o.push_str(HANDOUT_HEAD_2);
    esc(o, &page.title);
    o.push_str("</title>\n<meta name=\"description\" content=\"");
    esc(o, &page.description);
    o.push_str("\">\n");
    o.push_str(HANDOUT_STYLE);
    o.push_str(&f.handout_alerts);
    o.push_str("\n</div>\n\n<div class=\"head\">\n<div>\n<h1>How to reach ");
    esc(o, &view.name);
    if let Some(credentials) = view.credentials.as_deref().filter(|s| !s.is_empty()) {
        o.push_str(", ");
        esc(o, credentials);
    }
    o.push_str("</h1>\n<p>");
    esc(o, &view.role);
    if let Some(department) = view.department.as_deref().filter(|s| !s.is_empty()) {
        o.push_str(", ");
        esc(o, department);
    }
    o.push_str("</p>\n");
    pronouns_and_languages(o, view, ["<p>", ". ", ".</p>"]);
    o.push('\n');
    for absence in &view.away {
        o.push_str("<p><strong>");
        o.push_str(away_word(absence.current));
        o.push_str("</strong> ");
        esc(o, &absence.dates_text);
        o.push('.');
        match &absence.covering {
            Some(colleague) => {
                o.push_str(" Please contact ");
                esc(o, &colleague.name);
                o.push_str(", ");
                esc(o, &colleague.role);
                o.push('.');
            }
            None => o.push_str(" Please call the clinic."),
        }
        o.push_str("</p>\n");
    }
    let build = &f.build;
    o.push_str("\n<p class=\"small\">Details confirmed on <time datetime=\"");
    esc(o, &view.reviewed);
    o.push_str("\">");
    esc(o, &view.reviewed_text);
    o.push_str("</time>. This copy was made on <time datetime=\"");
    esc(o, &build.date);
    o.push_str("\">");
    esc(o, &build.date_text);
    o.push_str("</time>. Scan the QR code for the latest details. Times are ");
    esc(o, &cv.name);
    o.push_str(" local time.</p>\n</div>\n<figure class=\"qr\">\n");
    o.push_str(&view.qr_svg_html);
    o.push_str("\n<figcaption>Scan for the latest details: ");
    esc(o, &view.page_url);
    o.push_str("</figcaption>\n</figure>\n</div>\n\n<p class=\"screen-only\">Print this page from your browser's menu. It is made to fit on one sheet. Cut out the wallet card at the bottom.</p>\n\n<section aria-labelledby=\"ways-title\">\n<h2 id=\"ways-title\">Ways to reach ");
    esc(o, &view.name);
    o.push_str("</h2>\n<div class=\"channels\">\n");
    for (i, ch) in channels.iter().enumerate() {
        let kind = ch.kind();
        let n = (i + 1).to_string();
        o.push_str("\n<article class=\"channel");
        if ch.preferred() {
            o.push_str(" channel-best");
        }
        o.push_str("\" aria-labelledby=\"channel-");
        o.push_str(&n);
        o.push_str("\">\n");
        if ch.preferred() {
            o.push_str("<p class=\"tag\">Best way</p>");
        }
        o.push_str("\n<h3 id=\"channel-");
        o.push_str(&n);
        o.push_str("\">");
        let label = ch.c.label();
        let kind_label = kind.default_label();
        esc(o, label);
        if label != kind_label {
            o.push_str(" (");
            esc(o, kind_label);
            o.push(')');
        }
        o.push_str("</h3>\n");
        if !ch.c.is_public() {
            o.push_str("<p class=\"private\">For patients only — please do not share.</p>");
        }
        o.push('\n');
        if kind == ChannelKind::InPerson {
            o.push_str("<p class=\"value\">");
            esc(o, ch.display);
            o.push_str("</p>\n");
        } else {
            o.push_str("<p>");
            esc(o, kind.action());
            o.push(' ');
            match ch.href() {
                Some(href) => {
                    o.push_str("<a class=\"value\" href=\"");
                    esc(o, href);
                    o.push('"');
                    if matches!(kind, ChannelKind::Portal | ChannelKind::Video) {
                        o.push_str(" rel=\"noopener noreferrer\"");
                    }
                    o.push('>');
                }
                None => o.push_str("<span class=\"value\">"),
            }
            channel_value(o, kind, ch.display);
            o.push_str(if ch.href().is_some() {
                "</a>"
            } else {
                "</span>"
            });
            o.push_str("</p>");
        }
        o.push_str("\n<p>");
        o.push_str(hours_word(kind));
        o.push(' ');
        esc(o, &ch.facts.text);
        o.push_str("</p>\n");
        if let Some(response) = ch.response_text.as_deref().filter(|s| !s.is_empty()) {
            o.push_str("<p>");
            esc(o, response);
            o.push_str("</p>");
        }
        o.push('\n');
        for (items, heading) in [(&ch.c.use_for, "Use for:"), (&ch.c.not_for, "Not for:")] {
            if !items.is_empty() {
                o.push_str("<p class=\"sub\">");
                o.push_str(heading);
                o.push_str("</p>\n<ul class=\"inline\">");
                for item in items.iter() {
                    o.push_str("<li>");
                    esc(o, item);
                    o.push_str("</li>");
                }
                o.push_str("</ul>");
            }
            o.push('\n');
        }
        ch.note(o);
        o.push_str("\n</article>\n");
    }
    o.push_str("\n</div>\n</section>\n\n<div class=\"bottom\">\n<div>\n<section aria-labelledby=\"after-title\">\n<h2 id=\"after-title\">When these lines are closed</h2>\n");
    let after = &view.after_hours;
    if let Some(text) = after.text.as_deref().filter(|s| !s.is_empty()) {
        o.push_str("<p>");
        esc(o, text);
        o.push_str("</p>");
    }
    o.push('\n');
    if after.routes.is_empty() {
        if let Some(phone) = &after.phone {
            o.push_str("<p>Call ");
            value_link(o, phone);
            o.push_str("</p>");
        }
        o.push('\n');
    }
    for route in &after.routes {
        o.push_str("<p><strong>");
        esc(o, &route.when);
        o.push_str(":</strong> ");
        if route.kind == "none" {
            o.push_str("no one answers for ");
            esc(o, &view.name);
            o.push_str(". Call when a line above opens.");
        } else if let Some(colleague) = &route.colleague {
            o.push_str("contact ");
            esc(o, &colleague.name);
            o.push_str(", ");
            esc(o, &colleague.role);
            o.push_str(", who covers.");
        } else {
            esc(o, &route.label);
            if let Some(phone) = &route.phone {
                o.push_str(", <a href=\"");
                esc(o, &phone.href);
                o.push_str("\">");
                tel_parts(o, &phone.display);
                o.push_str("</a>");
            }
            o.push('.');
        }
        o.push_str("</p>\n");
    }
    o.push('\n');
    if !after.covering.is_empty() {
        o.push_str("<p>Covering for ");
        esc(o, &view.name);
        o.push_str(": ");
        join(o, &after.covering, ", ", |o, colleague| {
            esc(o, &colleague.name);
            o.push_str(" (");
            esc(o, &colleague.role);
            o.push(')');
        });
        o.push_str(".</p>");
    }
    o.push_str(&f.handout_clinic);
    o.push_str("\n</section>\n</div>\n\n<section class=\"cut\" aria-labelledby=\"wallet-title\">\n<h2 id=\"wallet-title\">Wallet card <span class=\"small\">(cut along the dashed line)</span></h2>\n<div class=\"wallet\">\n<p>");
    esc(o, &cv.name);
    o.push_str("</p>\n<p class=\"w-name\">");
    esc(o, &view.name);
    o.push_str("</p>\n<p>");
    esc(o, &view.role);
    o.push_str("</p>\n");
    if let Some(ch) = channels.first() {
        o.push_str("<p><strong>Best way:</strong> ");
        esc(o, ch.c.label());
        o.push_str(", ");
        if matches!(
            ch.kind(),
            ChannelKind::Phone
                | ChannelKind::Mobile
                | ChannelKind::Pager
                | ChannelKind::AnsweringService
                | ChannelKind::Sms
                | ChannelKind::Fax
        ) {
            tel_parts(o, ch.display);
        } else {
            esc(o, ch.display);
        }
        o.push_str("</p>");
    }
    o.push('\n');
    o.push_str(&f.handout_end);
    out
}

/// The handout from `</head>` to the end of the emergency and urgent
/// lines: the same on every handout ([`Frame`] keeps it).
pub(super) fn handout_alerts(o: &mut String, cv: &ClinicView) {
    o.push_str("</head>\n<body>\n<main>\n<div class=\"alerts\">\n<section class=\"box emergency\" aria-labelledby=\"emergency-title\">\n<h2 id=\"emergency-title\">Emergency</h2>\n<p>");
    esc(o, &cv.emergency.text);
    o.push_str("</p>\n<p class=\"big\">Call <a href=\"");
    esc(o, &cv.emergency.href);
    o.push_str("\">");
    esc(o, &cv.emergency.number);
    o.push_str("</a></p>\n</section>\n");
    if !cv.urgent.is_empty() {
        o.push_str("\n<section class=\"box urgent\" aria-labelledby=\"urgent-title\">\n<h2 id=\"urgent-title\">Urgent, but not an emergency</h2>\n");
        for line in &cv.urgent {
            o.push_str("\n<p><strong>");
            esc(o, &line.label);
            o.push_str(":</strong> ");
            value_link(o, &line.phone);
            o.push_str(". Answered: ");
            esc(o, &line.hours_text);
            o.push('.');
            if !line.when.is_empty() {
                o.push_str("<br>Call if: ");
                esc(o, &line.when);
            }
            o.push_str("</p>\n");
        }
        o.push_str("\n</section>\n");
    }
}

/// The handout's emergency reminder and its clinic section up to the end
/// of the closures (before `</section>`): the same on every handout
/// ([`Frame`] keeps it).
pub(super) fn handout_clinic(o: &mut String, cv: &ClinicView) {
    o.push_str("\n<p><strong>In an emergency, call ");
    esc(o, &cv.emergency.number);
    o.push_str(", at any time.</strong></p>\n</section>\n<section aria-labelledby=\"clinic-title\">\n<h2 id=\"clinic-title\">");
    esc(o, &cv.name);
    o.push_str("</h2>\n<p>");
    if let Some(address) = cv.address.as_deref().filter(|a| !a.is_empty()) {
        esc(o, address);
        o.push_str(". ");
    }
    o.push_str("Main line: ");
    value_link(o, &cv.phone);
    o.push_str("</p>\n<p>Open: ");
    esc(o, &cv.hours_text);
    o.push_str("</p>\n");
    if !cv.closures.is_empty() {
        o.push_str("<p class=\"sub\">Closed:</p>\n<ul class=\"closures small\">");
        for closure in &cv.closures {
            o.push_str("<li>");
            esc(o, &closure.dates_text);
            if !closure.note.is_empty() {
                o.push_str("<span class=\"closure-note\">: ");
                esc(o, &closure.note);
                o.push_str("</span>");
            }
            o.push_str("</li>");
        }
        o.push_str("</ul>");
    }
}

/// The handout's wallet card from its urgent line to the end of the page:
/// the same on every handout ([`Frame`] keeps it).
pub(super) fn handout_end(o: &mut String, cv: &ClinicView) {
    if let Some(line) = cv.urgent.first() {
        o.push_str("<p><strong>Urgent:</strong> ");
        esc(o, &line.label);
        o.push_str(", ");
        tel_parts(o, &line.phone.display);
        o.push_str("</p>");
    }
    o.push_str("\n<p>Clinic: ");
    tel_parts(o, &cv.phone.display);
    o.push_str("</p>\n<p class=\"w-emergency\">Emergency: call ");
    esc(o, &cv.emergency.number);
    o.push_str("</p>\n</div>\n</section>\n</div>\n</main>\n</body>\n</html>\n");
}

/// `handout.html` up to `lang="`.
const HANDOUT_HEAD_1: &str = "<!doctype html>\n<html lang=\"";
/// From after the language to `<title>`.
const HANDOUT_HEAD_2: &str = "\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light\">\n<meta name=\"robots\" content=\"noindex, nofollow\">\n<link rel=\"icon\" href=\"data:,\">\n<title>";

/// The handout's style sheet, as `handout.html` has it: the text between
/// `<style>` and `</head>`, taken from the template itself.
static HANDOUT_STYLE: &str = {
    const TEMPLATE: &str = include_str!("../../../templates/handout.html");
    // `<style>` starts on the line after the description; a constant slice
    // of the template keeps the two from drifting apart.
    const_slice_between(TEMPLATE, "<style>", "</head>")
};

/// The part of `s` from the first `start` to just before the first `end` after it.
const fn const_slice_between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let bytes = s.as_bytes();
    let a = find(bytes, start.as_bytes(), 0);
    let b = find(bytes, end.as_bytes(), a);
    let (_, rest) = bytes.split_at(a);
    let (mid, _) = rest.split_at(b - a);
    match std::str::from_utf8(mid) {
        Ok(s) => s,
        Err(_) => "",
    }
}

/// The position of `needle` in `hay` from `from` (the length of `hay` if absent).
const fn find(hay: &[u8], needle: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let mut j = 0;
        while j < needle.len() && hay[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            return i;
        }
        i += 1;
    }
    hay.len()
}
