//! Arbitrary text as `response`: parsing and the deadline never panic, and a
//! deadline is never before the message.
#![no_main]

use chrono::NaiveDate;
use howtoreach::model::{BusinessTime, Closures, Hours, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(response) = Response::parse(text) else { return };
    let _ = response.text();
    let Ok(hours) = Hours::parse("Mo-Fr 08:00-12:00,13:00-16:30") else { return };
    let closures = Closures::default();
    let bt = BusinessTime { hours: &hours, closures: &closures };
    let Some(sent) = NaiveDate::from_ymd_opt(2027, 3, 13).and_then(|d| d.and_hms_opt(23, 45, 0)) else {
        return;
    };
    if let Some(due) = bt.deadline(response, sent, chrono_tz::America::Winnipeg) {
        assert!(due >= sent);
    }
});
