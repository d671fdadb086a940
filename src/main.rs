//! The command line: parse flags, call the library, print diagnostics, exit.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: the build allocates many small template values from two threads;
/// measured 10,000-provider build (see README) faster and smaller than with glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use howtoreach::diagnostic::{Diagnostic, Diagnostics};

mod serve;

/// Build a clinic's "how to reach us" website from one TOML file per provider.
#[derive(Parser, Debug)]
#[command(name = "howtoreach", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the site and build it into the output and handout folders.
    Build {
        /// The site's folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// Output folder, instead of site.toml's output_dir (relative to the current folder).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Published address, instead of site.toml's base_url.
        #[arg(long = "base-url")]
        base_url: Option<String>,
    },
    /// Report every problem of the site without building it.
    Check {
        /// The site's folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Preview the site on http://127.0.0.1, rebuilding and reloading the browser on every change.
    Serve {
        /// The site's folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// Port to listen on; when it is taken, the next free one (0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Write a new site with example data into DIR.
    Init {
        /// The new site's folder (must not exist, or be empty).
        dir: PathBuf,
    },
}

/// Exit statuses, per SPEC.
const SITE_ERRORS: u8 = 1;
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    howtoreach::timing::begin();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE_OR_IO } else { 0 });
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // A --site that is not a folder is bad usage, not a problem of a site.
    if let Command::Build { site, .. } | Command::Check { site, .. } = &cli.command
        && !site.is_dir()
    {
        let d = Diagnostic::error(format!("--site {}: no such folder", site.display()))
            .help("give the folder that holds the site's site.toml");
        eprintln!("{}", d.render(color));
        return ExitCode::from(USAGE_OR_IO);
    }
    match cli.command {
        Command::Build {
            site,
            output,
            base_url,
        } => {
            let opts = howtoreach::Options {
                site,
                output,
                base_url,
                exiting: true,
                ..Default::default()
            };
            let bar = Progress::new();
            let result =
                howtoreach::build_with_progress(&opts, &|done, total| bar.tick(done, total));
            bar.finish();
            match result {
                Ok(report) => {
                    let printing = std::time::Instant::now();
                    print_diagnostics(&report.warnings, color);
                    howtoreach::timing::lap(printing, "printing the warnings");
                    eprintln!(
                        "built {} pages for {} providers ({} files) into {} in {:.2} s{}",
                        report.stats.pages,
                        report.stats.providers,
                        report.stats.files,
                        report.output.display(),
                        report.elapsed.as_secs_f64(),
                        match report.warnings.warnings() {
                            0 => String::new(),
                            1 => ", 1 warning".to_string(),
                            n => format!(", {n} warnings"),
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print_diagnostics(&diags, color);
                    eprintln!(
                        "build failed: {}; the previous output is untouched",
                        counts(&diags)
                    );
                    ExitCode::from(exit_status(&diags))
                }
            }
        }
        Command::Check { site, strict } => {
            let opts = howtoreach::Options {
                site,
                strict,
                ..Default::default()
            };
            let diags = howtoreach::check(&opts);
            print_diagnostics(&diags, color);
            if diags.has_errors() {
                eprintln!("check failed: {}", counts(&diags));
                ExitCode::from(exit_status(&diags))
            } else {
                eprintln!("check passed: {}", counts(&diags));
                ExitCode::SUCCESS
            }
        }
        Command::Serve { site, port, open } => match serve::run(serve::Settings {
            site,
            port,
            open,
            color,
        }) {
            Ok(()) => ExitCode::SUCCESS,
            Err(d) => {
                eprintln!("{}", d.render(color));
                ExitCode::from(USAGE_OR_IO)
            }
        },
        Command::Init { dir } => match howtoreach::init::init(&dir, init_date()) {
            Ok(()) => {
                eprintln!(
                    "wrote a new site into {}: edit its files, then run `howtoreach build --site {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(d) => {
                eprintln!("{}", d.render(color));
                ExitCode::from(USAGE_OR_IO)
            }
        },
    }
}

/// A progress bar for builds that take more than a second, on a terminal and
/// outside CI; invisible otherwise.
struct Progress {
    bar: indicatif::ProgressBar,
    start: std::time::Instant,
    enabled: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new() -> Self {
        let enabled = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} providers ({eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Progress {
            bar,
            start: std::time::Instant::now(),
            enabled,
            shown: Default::default(),
        }
    }

    fn tick(&self, done: usize, total: usize) {
        use std::sync::atomic::Ordering;
        if !self.enabled {
            return;
        }
        if !self.shown.load(Ordering::Relaxed) && self.start.elapsed().as_secs() >= 1 {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_length(total as u64);
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The date `init` writes as `reviewed`: `SOURCE_DATE_EPOCH` (UTC), else today on this computer.
fn init_date() -> chrono::NaiveDate {
    match howtoreach::source_date(None) {
        Ok(Some(d)) => d,
        _ => chrono::Local::now().date_naive(),
    }
}

fn print_diagnostics(diags: &Diagnostics, color: bool) {
    use rayon::prelude::*;
    use std::io::Write as _;
    // A large site can have thousands: rendered on both cores, a thousand
    // at a time (all at once, 20,000 warnings would add 15 MB to the peak).
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for chunk in diags.0.chunks(1024) {
        let rendered: Vec<String> = chunk.par_iter().map(|d| d.render(color)).collect();
        for text in rendered {
            let _ = writeln!(err, "{text}");
        }
    }
    let _ = err.flush();
}

fn counts(diags: &Diagnostics) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}",
        plural(diags.errors(), "error"),
        plural(diags.warnings(), "warning")
    )
}

/// 1 for problems of the site, 2 for I/O failures (a diagnostic without a source span
/// that is about the output folders or reading files) — see `is_io`.
fn exit_status(diags: &Diagnostics) -> u8 {
    if diags.iter().filter(|d| d.is_error()).all(|d| d.io) {
        USAGE_OR_IO
    } else {
        SITE_ERRORS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
