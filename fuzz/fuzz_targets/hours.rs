//! Arbitrary text as `hours`: parsing, words, and business-time arithmetic never panic.
#![no_main]

use chrono::{Duration, NaiveDate};
use howtoreach::model::{BusinessTime, Closures, Hours, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(hours) = Hours::parse(text) else { return };
    let Some(monday) = NaiveDate::from_ymd_opt(2026, 11, 23) else { return };
    let _ = hours.lines(monday);
    let Some(day) = NaiveDate::from_ymd_opt(2026, 12, 24) else { return };
    let closures = Closures::new(vec![(day, day + Duration::days(2))]);
    let bt = BusinessTime { hours: &hours, closures: &closures };
    let Some(sent) = monday.and_hms_opt(18, 30, 0) else { return };
    let _ = bt.next_change(sent);
    for r in [Response::BusinessHours(3), Response::BusinessDays(2), Response::SameBusinessDay] {
        if let Some(due) = bt.deadline(r, sent, chrono_tz::America::Winnipeg) {
            assert!(due >= sent, "an answer cannot be due before the message is sent");
        }
    }
});
