//! Site-wide checks that need the whole model: review dates and the static
//! folder. (Per-file problems are found while loading; output folders in
//! `output::resolve`.)

use std::path::Path;

use chrono::Duration;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Site;

/// Every warning and error about the loaded site.
pub fn check_site(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::default();
    review_dates(site, &mut diags);
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
                .help(format!("write the day the details were last confirmed (today is {})", site.today)),
            );
        } else if age > days {
            diags.push(
                Diagnostic::warning(format!(
                    "{}'s details were last confirmed {age} days ago (more than {days})",
                    p.name
                ))
                .at(&p.file, p.reviewed_span.clone())
                .label(format!("due for review since {}", p.reviewed + Duration::days(days)))
                .help("confirm every channel with the provider, then set `reviewed` to that day"),
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
    for entry in walkdir::WalkDir::new(&dir).follow_links(false).into_iter().flatten() {
        if entry.path_is_symlink() {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            if let Err(d) = crate::load::check_link_inside(entry.path(), &canonical_root, rel) {
                diags.push(d);
            }
        }
    }
}
