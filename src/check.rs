//! Site-wide checks that need the whole model: review dates and the static
//! folder. (Per-file problems are found while loading; output folders in
//! `output::resolve`.)

use std::path::Path;

use chrono::Duration;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{ChannelValue, Site};

/// Every warning and error about the loaded site.
pub fn check_site(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::default();
    review_dates(site, &mut diags);
    private_numbers_published(site, &mut diags);
    static_links(&site.root, &mut diags);
    diags
}

/// `reviewed` older than `review_after_days`, or in the future.
fn review_dates(site: &Site, diags: &mut Diagnostics) {
    let days = i64::from(site.config.review_after_days);
    for p in &site.providers {
        let age = (site.today - p.reviewed).num_days();
        if p.reviewed > site.today {
            diags.push(
                Diagnostic::warning(format!(
                    "{}'s details are marked reviewed on {}, which is in the future",
                    p.name, p.reviewed
                ))
                .at(&p.file, p.reviewed_span.clone())
                .label("after today")
                .help(format!(
                    "write the day the details were last confirmed (today is {})",
                    site.today
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
}

/// A patients-only number that the site publishes anyway is not private.
fn private_numbers_published(site: &Site, diags: &mut Diagnostics) {
    let clinic = crate::model::clinic_public_numbers(&site.clinic);
    for p in &site.providers {
        let own: Vec<String> = p.public_channels().flat_map(|c| c.value_forms()).collect();
        for c in p.channels.iter().filter(|c| !c.is_public()) {
            let ChannelValue::Phone(phone) = &c.value else {
                continue;
            };
            let where_public = if clinic.contains(&phone.e164) {
                "the clinic's own number (main line, urgent line or after-hours line)"
            } else if own.contains(&phone.e164) {
                "one of this provider's public channels"
            } else {
                continue;
            };
            diags.push(
                Diagnostic::warning(format!(
                    "the patients-only number {} is also {where_public}, so it is published anyway",
                    phone.display
                ))
                .at(&p.file, c.value_span.clone())
                .label("not private")
                .help("check the number: a patients-only channel should be a number the public site does not show"),
            );
        }
    }
}

/// Symbolic links in `static/` that lead outside the site.
fn static_links(root: &Path, diags: &mut Diagnostics) {
    let dir = root.join("static");
    if !dir.is_dir() {
        return;
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
}
