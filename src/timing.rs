//! `HOWTOREACH_TIMINGS=1`: the time and peak memory at each stage of a build,
//! on stderr, for profiling. Silent otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("HOWTOREACH_TIMINGS").is_some())
}

/// Prints `what` with the time since `start` and the peak memory so far.
pub fn lap(start: Instant, what: &str) {
    if enabled() {
        eprintln!(
            "timing: {what} done at {:.3} s, peak memory so far {}",
            start.elapsed().as_secs_f64(),
            peak_memory().unwrap_or_else(|| "unknown".into())
        );
    }
}

/// The process's peak resident memory (`VmHWM` on Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
