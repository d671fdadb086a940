//! `howtoreach init DIR`: a small starter site that builds and checks clean.
//!
//! The files live in `starter/` in the repository and are compiled in.

use std::fs;
use std::path::Path;

use crate::diagnostic::Diagnostic;

/// The starter site's files, relative to the new site's folder.
pub const STARTER: &[(&str, &str)] = &[
    ("site.toml", include_str!("../starter/site.toml")),
    (
        "data/clinic.toml",
        include_str!("../starter/data/clinic.toml"),
    ),
    (
        "data/providers/jane-doe.toml",
        include_str!("../starter/data/providers/jane-doe.toml"),
    ),
    (
        "data/providers/sam-lee.toml",
        include_str!("../starter/data/providers/sam-lee.toml"),
    ),
];

/// Writes the starter site into `dir`, which must not exist or be empty.
/// The providers' `reviewed` dates are set to `today`, so a new site checks
/// clean under `--strict` whenever it is made.
pub fn init(dir: &Path, today: chrono::NaiveDate) -> Result<(), Diagnostic> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Diagnostic::error(format!(
                "{} already exists and is not empty",
                dir.display()
            ))
            .in_path(dir)
            .help("give the name of a new folder, e.g. `howtoreach init my-clinic`"));
        }
    }
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::error(format!("cannot create {}: {e}", parent.display()))
                    .in_path(parent)
            })?;
        }
        let text = text.replace("reviewed = 2026-11-01", &format!("reviewed = {today}"));
        fs::write(&path, text).map_err(|e| {
            Diagnostic::error(format!("cannot write {}: {e}", path.display()))
                .in_path(&path)
                .io()
        })?;
    }
    Ok(())
}
