//! `HOWTOREACH_TIMINGS=1`: the time and peak memory at each stage of a build,
//! on stderr, for profiling. Silent otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("HOWTOREACH_TIMINGS").is_some())
}

/// The moment timings count from: the first call of [`lap`] or [`begin`].
fn origin() -> Instant {
    static AT: OnceLock<Instant> = OnceLock::new();
    *AT.get_or_init(Instant::now)
}

/// Prints a note among the timings (nothing when they are off).
pub fn note(text: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("timing: {}", text());
    }
}

/// Starts the clock that every [`lap`] counts from (call it first in `main`).
pub fn begin() {
    if enabled() {
        origin();
    }
}

/// Prints `what` with the time since [`begin`] (and since `start`, the
/// stage's own start) and the peak memory so far.
pub fn lap(start: Instant, what: &str) {
    if enabled() {
        eprintln!(
            "timing: {what} done at {:.3} s ({:.3} s into its stage), CPU so far {}, peak memory so far {}",
            origin().elapsed().as_secs_f64(),
            start.elapsed().as_secs_f64(),
            cpu_time().unwrap_or_else(|| "unknown".into()),
            peak_memory().unwrap_or_else(|| "unknown".into())
        );
    }
}

/// The process's CPU time so far, user and system (`/proc/self/stat`, in
/// the kernel's clock ticks: 10 ms on Linux).
fn cpu_time() -> Option<String> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(format!(
        "{:.2} s (user {:.2}, system {:.2})",
        (user + system) as f64 / 100.0,
        user as f64 / 100.0,
        system as f64 / 100.0
    ))
}

/// The process's peak resident memory (`VmHWM` on Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
