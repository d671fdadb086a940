//! Site-wide checks over whatever loaded: review dates, patients-only numbers
//! that are published anyway, the static folder, and (on a complete site) who
//! can be reached when. Per-file problems are found while loading; output
//! folders in `output::resolve`.

use rustc_hash::FxHashMap;
use std::path::Path;

use chrono::{Duration, NaiveDate};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Channel, ChannelValue, Clinic, Config, Phone, Provider};

/// `reviewed` older than `review_after_days`, or in the future.
pub fn review_dates(
    providers: &[std::sync::Arc<Provider>],
    config: &Config,
    today: NaiveDate,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let days = i64::from(config.review_after_days);
    for p in providers {
        let age = (today - p.reviewed).num_days();
        if p.reviewed > today {
            diags.push(
                Diagnostic::warning(format!(
                    "{}'s details are marked reviewed on {}, which is in the future",
                    p.name, p.reviewed
                ))
                .at(&p.file, p.reviewed_span.clone())
                .label("after today")
                .help(format!(
                    "write the day the details were last confirmed (today is {today})"
                )),
            );
        } else if age > days {
            diags.push(
                Diagnostic::warning(format!(
                    "{}'s details were last confirmed {age} days ago (more than {days})",
                    p.name
                ))
                .at(&p.file, p.reviewed_span.clone())
                .label(format!(
                    "due for review since {}",
                    p.reviewed + Duration::days(days)
                ))
                .help("confirm every channel with the provider, then set `reviewed` to that day"),
            );
        }
    }
    diags
}

/// Where the public site shows a number: the clinic's line (the last of
/// them with the number), else the first provider's channel.
enum Shown<'a> {
    /// One of the clinic's lines: "main line", "after-hours line" or an urgent line's label.
    Clinic(&'a str),
    /// A provider's public channel.
    Channel(&'a Provider, &'a Channel),
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Clinic(line) => write!(f, "the clinic's {line}"),
            Shown::Channel(p, c) => write!(f, "{}'s {}", p.name, c.label()),
        }
    }
}

/// A number as its `tel:` link has it: E.164 and extension, borrowed (a
/// large site's tens of thousands of numbers cost no copy).
fn number_key(phone: &Phone) -> (&str, Option<&str>) {
    (&phone.e164, phone.extension.as_deref())
}

/// Every phone number the public site shows, by [`number_key`], with where
/// it is shown.
fn published_numbers<'a>(
    clinic: Option<&'a Clinic>,
    providers: &'a [std::sync::Arc<Provider>],
) -> FxHashMap<(&'a str, Option<&'a str>), Shown<'a>> {
    let mut out = FxHashMap::default();
    if let Some(c) = clinic {
        out.insert(number_key(&c.phone), Shown::Clinic("main line"));
        for u in &c.urgent {
            out.insert(number_key(&u.phone), Shown::Clinic(&u.label));
        }
        if let Some(p) = c.after_hours.as_ref().and_then(|a| a.phone.as_ref()) {
            out.insert(number_key(p), Shown::Clinic("after-hours line"));
        }
    }
    for p in providers {
        for c in p.public_channels() {
            if let ChannelValue::Phone(phone) = &c.value {
                out.entry(number_key(phone)).or_insert(Shown::Channel(p, c));
            }
        }
    }
    out
}

const HELP_PUBLISHED: &str =
    "check the number: a patients-only channel should be a number the public site does not show";

/// A patients-only number that the public site shows anyway is not private.
pub fn private_numbers_published(
    clinic: Option<&Clinic>,
    providers: &[std::sync::Arc<Provider>],
) -> Diagnostics {
    use rayon::prelude::*;
    let published = published_numbers(clinic, providers);
    // On both cores: a clinic that reuses numbers can have thousands.
    let per_provider: Vec<Diagnostic> = providers
        .par_iter()
        .flat_map_iter(|p| {
            p.channels
                .iter()
                .filter(|c| !c.is_public())
                .filter_map(|c| match &c.value {
                    ChannelValue::Phone(phone) => Some((c, phone)),
                    _ => None,
                })
                .filter_map(|(c, phone)| {
                    let place = published.get(&number_key(phone))?;
                    let warning = Diagnostic::warning(format!(
                        "the patients-only number {} is also published as {place}",
                        phone.display
                    ))
                    .label("not private")
                    .help(HELP_PUBLISHED);
                    // The value's line as loaded; the file is read again only
                    // for a channel loaded without it.
                    Some(match c.private_line.as_deref() {
                        Some(line) => warning.at_excerpt(line),
                        None => warning.at(&p.file, c.value_span.clone()),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    Diagnostics(per_provider)
}

/// Symbolic links in `static/` that lead outside the site.
pub fn static_links(root: &Path) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let dir = root.join("static");
    if !dir.is_dir() {
        return diags;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        if entry.path_is_symlink() {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            if let Err(d) = crate::load::check_link_inside(entry.path(), &canonical_root, rel) {
                diags.push(d);
            }
        }
    }
    diags
}
