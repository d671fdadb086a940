//! howtoreach: a clinic's "how to reach us" website from one TOML file per provider.
//!
//! The pipeline reads as the source folder does:
//!
//! 1. [`load`]: read `site.toml`, `data/clinic.toml` and `data/providers/**/*.toml`
//!    with spans, and build the validated [`model`] once;
//! 2. [`check`](mod@check): every remaining problem of the whole site, at once;
//! 3. [`render`]: typed views (public channels only on public pages), pages written
//!    directly or through Tera, every public file past the patients-only guard;
//! 4. [`output`]: staged, then swapped in atomically.
//!
//! `check()` and `build()` below are that pipeline; `main.rs` only parses flags
//! and prints what they return.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod check;
pub mod diagnostic;
pub mod init;
pub mod load;
pub mod model;
pub mod output;
pub mod reach;
pub mod render;
pub mod timing;

/// Helpers the unit tests of several modules share.
#[cfg(test)]
pub(crate) mod test_util {
    /// The site at `root` (the example clinic, or a copy of it), loaded and
    /// checked as of 2026-11-01; panics if it has errors.
    pub fn example_site(root: &std::path::Path) -> crate::model::Site {
        let opts = crate::Options {
            site: root.to_path_buf(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
            ..Default::default()
        };
        let (site, diags) = crate::load_and_check(&opts);
        assert!(!diags.has_errors(), "{diags:?}");
        site.expect("the example clinic loads").0
    }
}

/// The most providers one core takes at once in a parallel loop over them
/// (loading, rendering). Rayon otherwise stops splitting the work after a
/// few halvings: at 10,000 providers one core was left alone with the last
/// 90–180 ms of pages. The other core takes any piece it finds waiting.
pub(crate) const PROVIDERS_AT_ONCE: usize = 32;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use diagnostic::{Diagnostic, Diagnostics};
use model::Site;

/// What a `build` or `check` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The site's folder.
    pub site: PathBuf,
    /// `--output`: replaces `output_dir` (relative to the current folder).
    pub output: Option<PathBuf>,
    /// `--base-url`: replaces `base_url`.
    pub base_url: Option<String>,
    /// Warnings count as errors.
    pub strict: bool,
    /// The build date; `None` reads `SOURCE_DATE_EPOCH`, else today in the clinic's time zone.
    pub today: Option<NaiveDate>,
    /// Provider files converted by earlier loads (`serve`).
    pub cache: Option<std::sync::Arc<load::LoadCache>>,
    /// Leave out the checks that can only warn, [`late_warnings`]: `serve`
    /// works them out after the page has reloaded. Being warnings, they never
    /// decide whether a build succeeds (except under `strict`, which then
    /// ignores this).
    pub warnings_later: bool,
    /// The program ends after this build (`howtoreach build`): the model is
    /// not freed, its memory goes back with the process's (freeing it takes
    /// 30 ms of CPU at 10,000 providers, beside printing the warnings).
    pub exiting: bool,
}

/// The build date from `SOURCE_DATE_EPOCH`, if set and valid.
pub fn source_date(tz: Option<chrono_tz::Tz>) -> Result<Option<NaiveDate>, String> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let secs: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH=`{value}` is not a number of seconds"))?;
    let utc = chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{value}` is out of range"))?;
    let date = match tz {
        Some(tz) => utc.with_timezone(&tz).date_naive(),
        None => utc.date_naive(),
    };
    // Business time and reachability look up to a year or so ahead; the
    // opening_hours evaluation stops at the year 9999.
    if !(1970..=9000).contains(&chrono::Datelike::year(&date)) {
        return Err(format!(
            "SOURCE_DATE_EPOCH=`{value}` is {date}, outside the years 1970 to 9000"
        ));
    }
    Ok(Some(date))
}

/// Loads and checks the site: the model (if every file loaded) and every problem.
pub fn load_and_check(opts: &Options) -> (Option<(Site, output::OutputPaths)>, Diagnostics) {
    let start = Instant::now();
    let (loaded, mut diags) = load::load_site(&opts.site, opts.cache.as_deref());
    timing::lap(start, "load");
    let load::Loaded {
        config,
        clinic,
        providers,
        complete,
        ..
    } = loaded;
    let tz = clinic.as_ref().map(|c| c.timezone);
    let today = match opts.today {
        Some(d) => d,
        None => match source_date(tz) {
            Ok(Some(d)) => d,
            Ok(None) => today_in(tz),
            Err(msg) => {
                diags.push(
                    Diagnostic::error(msg)
                        .help("unset SOURCE_DATE_EPOCH, or set it to a Unix time in seconds"),
                );
                today_in(tz)
            }
        },
    };
    let mut base_url = None;
    if let Some(url) = &opts.base_url {
        match load::check_url(url, &["https", "http"]) {
            Ok(u) => base_url = Some(u.trim_end_matches('/').to_string()),
            Err(msg) => diags.push(
                Diagnostic::error(format!("--base-url: {msg}"))
                    .help("give the absolute address where the site is published"),
            ),
        }
    }
    if let Some(config) = &config {
        diags.extend(check::review_dates(&providers, config, today));
    }
    let later = opts.warnings_later && !opts.strict;
    if !later {
        diags.extend(check::private_numbers_published(
            clinic.as_ref(),
            &providers,
        ));
    }
    diags.extend(check::static_links(&opts.site));
    timing::lap(start, "site-wide checks");
    let paths = config
        .as_ref()
        .map(|c| output::resolve(&opts.site, c, opts.output.as_deref(), &mut diags));
    let site = match (config, clinic, paths, complete) {
        (Some(mut config), Some(clinic), Some(paths), true) => {
            if let Some(url) = base_url {
                config.base_url = url;
            }
            let site = Site::new(opts.site.clone(), config, clinic, providers, today);
            timing::lap(start, "model");
            if !later {
                diags.extend(reach::check(&site));
                timing::lap(start, "reachability");
            }
            Some((site, paths))
        }
        _ => None,
    };
    if opts.strict {
        diags.make_strict();
    }
    diags.sort();
    timing::lap(start, "sorting the diagnostics");
    (site, diags)
}

/// The checks that can only warn, left out of [`load_and_check`] by
/// [`Options::warnings_later`]: patients-only numbers that the public site
/// shows anyway, and reachability (gaps, uncovered absences).
pub fn late_warnings(site: &Site) -> Diagnostics {
    let mut diags = check::private_numbers_published(Some(&site.clinic), &site.providers);
    diags.extend(reach::check(site));
    diags
}

/// Today in the clinic's time zone (UTC when the clinic did not load).
fn today_in(tz: Option<chrono_tz::Tz>) -> NaiveDate {
    let now = chrono::Utc::now();
    match tz {
        Some(tz) => now.with_timezone(&tz).date_naive(),
        None => now.date_naive(),
    }
}

/// `howtoreach check`: every problem of the site, templates included (the
/// site is rendered in memory, so a template error fails `check` as it would `build`).
pub fn check(opts: &Options) -> Diagnostics {
    let (site, mut diags) = load_and_check(opts);
    match render::load_templates(&opts.site) {
        Ok(mut tera) => {
            if let Some((site, _)) = site
                && !diags.has_errors()
                && let Err(d) = render::render_site(&site, &mut tera, &render::Discard)
            {
                diags.extend(d);
            }
        }
        Err(d) => diags.extend(d),
    }
    diags
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub stats: render::RenderStats,
    pub output: PathBuf,
    pub handouts: PathBuf,
    pub elapsed: Duration,
    /// Warnings (a build with errors returns `Err`).
    pub warnings: Diagnostics,
}

/// `howtoreach build`: checks, renders into staging folders, swaps them in.
/// On any error nothing in the output folders changes.
pub fn build(opts: &Options) -> Result<BuildReport, Diagnostics> {
    build_with_progress(opts, &|_, _| {})
}

/// `build`, calling `progress(done, total)` as providers are rendered.
pub fn build_with_progress(
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport, Diagnostics> {
    let start = Instant::now();
    let lap = |what: &str| timing::lap(start, what);
    let (loaded, diags) = load_and_check(opts);
    lap("load and check");
    let Some((site, paths)) = loaded else {
        return Err(diags);
    };
    if diags.has_errors() {
        return Err(diags);
    }
    // A stage that fails after the checks reports its errors after the
    // checks' warnings: a failed build still shows every problem found.
    let after_warnings = |errors: Diagnostics| {
        let mut all = diags.clone();
        all.extend(errors);
        all
    };
    let mut tera = render::load_templates(&opts.site).map_err(after_warnings)?;
    let staging = output::Staging::new(&paths)
        .map_err(one)
        .map_err(after_warnings)?;
    lap("templates and staging");
    let counting = render::Counting::new(&staging, site.providers.len(), progress);
    match render::render_site(&site, &mut tera, &counting) {
        Ok(stats) => {
            lap("render");
            staging.commit().map_err(one).map_err(after_warnings)?;
            lap("commit");
            // Freeing every provider takes 30 ms at 10,000 providers (170 ms
            // at 50,000) and nothing needs to wait for it: it happens beside
            // the rest, or not at all when the program ends next.
            let garbage = (site, tera);
            if opts.exiting {
                std::mem::forget(garbage);
            } else {
                let _ = std::thread::Builder::new()
                    .name("howtoreach-drop".into())
                    .spawn(move || drop(garbage));
            }
            Ok(BuildReport {
                stats,
                output: paths.public,
                handouts: paths.handouts,
                elapsed: start.elapsed(),
                warnings: diags,
            })
        }
        Err(render_diags) => {
            staging.abandon();
            Err(after_warnings(render_diags))
        }
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}
