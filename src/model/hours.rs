//! Opening hours in the OpenStreetMap `opening_hours` syntax, evaluated by the
//! `opening-hours` crate, and their rendering in words.
//!
//! Every time here is the clinic's local wall-clock time (`NaiveDateTime`):
//! "Mo-Fr 09:00-17:00" means nine to five on the clinic's clock, whatever the
//! UTC offset that day. Conversion to absolute time happens only where a
//! duration is measured in absolute time (see `response.rs`).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use opening_hours::{OpeningHours, RuleKind};

/// A parsed `hours` value. Cloning shares it: channels with the same text
/// (most follow the clinic's) hold one parsed expression.
#[derive(Clone)]
pub struct Hours(Arc<Parsed>);

struct Parsed {
    raw: String,
    oh: OpeningHours,
    /// [`Hours::always_open`], worked out once.
    always_open: OnceLock<bool>,
}

impl fmt::Debug for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hours({:?})", self.0.raw)
    }
}

impl PartialEq for Hours {
    fn eq(&self, other: &Self) -> bool {
        self.0.raw == other.0.raw
    }
}

impl Hours {
    /// Parses an `opening_hours` expression. The error is a sentence for a person.
    pub fn parse(raw: &str) -> Result<Hours, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("the hours are empty".to_string());
        }
        let oh = OpeningHours::from_str(trimmed).map_err(|e| {
            let detail = e.to_string();
            let first = detail.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!(
                "`{trimmed}` is not in the opening_hours syntax ({})",
                first.trim()
            )
        })?;
        Ok(Hours(Arc::new(Parsed {
            raw: trimmed.to_string(),
            oh,
            always_open: OnceLock::new(),
        })))
    }

    /// The expression as written (trimmed).
    pub fn raw(&self) -> &str {
        &self.0.raw
    }

    /// Open intervals intersecting `from..to`, clipped to it, in order.
    /// "Unknown" periods of the syntax count as closed: a patient cannot rely on them.
    pub fn open_ranges(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> impl Iterator<Item = Range<NaiveDateTime>> + '_ {
        self.0
            .oh
            .iter_range(from, to)
            .filter(|r| r.kind == RuleKind::Open)
            .map(|r| r.range)
    }

    /// Whether the hours are open at every minute of a typical week ("24/7").
    pub fn always_open(&self) -> bool {
        *self.0.always_open.get_or_init(|| {
            // Any Monday will do for rules without dates; 2024-01-01 was one.
            let Some(monday) = NaiveDate::from_ymd_opt(2024, 1, 1) else {
                return false;
            };
            self.week(monday)
                .iter()
                .all(|d| d.len() == 1 && d[0] == (0..1440))
        })
    }

    /// Whether the hours are open at `at`.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        self.0.oh.is_open(at)
    }

    /// Open minutes of each weekday in the week starting `monday`, as minute
    /// ranges within the day (0..=1440), split at midnight.
    pub fn week(&self, monday: NaiveDate) -> [Vec<Range<u32>>; 7] {
        let mut days: [Vec<Range<u32>>; 7] = Default::default();
        let start = monday.and_time(NaiveTime::MIN);
        let end = start + Duration::days(7);
        for range in self.open_ranges(start, end) {
            let mut s = range.start;
            while s < range.end {
                let day_start = s.date().and_time(NaiveTime::MIN);
                let next_midnight = day_start + Duration::days(1);
                let e = range.end.min(next_midnight);
                let idx = (s.date() - monday).num_days();
                if let Ok(idx) = usize::try_from(idx)
                    && let Some(day) = days.get_mut(idx)
                {
                    let a = minutes_between(day_start, s);
                    let b = minutes_between(day_start, e);
                    match day.last_mut() {
                        Some(last) if last.end == a => last.end = b,
                        _ => day.push(a..b),
                    }
                }
                s = e;
            }
        }
        days
    }

    /// Whether the hours are open at some time in the year from `from`.
    pub fn opens_within_a_year(&self, from: NaiveDate) -> bool {
        let start = from.and_time(NaiveTime::MIN);
        self.open_ranges(start, start + Duration::days(366))
            .next()
            .is_some()
    }

    /// The hours in words, one line per group of days with the same times,
    /// for the typical week starting `monday`.
    pub fn lines(&self, monday: NaiveDate) -> Vec<String> {
        week_lines(&self.week(monday))
    }
}

fn minutes_between(a: NaiveDateTime, b: NaiveDateTime) -> u32 {
    u32::try_from((b - a).num_minutes()).unwrap_or(0)
}

/// The Monday on or before `date`.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// English name of a weekday.
pub fn day_name(day: Weekday) -> &'static str {
    DAY_NAMES[day.num_days_from_monday() as usize]
}

/// Lines such as "Monday to Friday, 9:00 AM – 5:00 PM" for a week of minute ranges.
pub fn week_lines(days: &[Vec<Range<u32>>; 7]) -> Vec<String> {
    if days.iter().all(|d| d.len() == 1 && d[0] == (0..1440)) {
        return vec!["24 hours a day, 7 days a week".to_string()];
    }
    // Group the days that share the same times, in order of first appearance.
    let mut groups: Vec<(&Vec<Range<u32>>, Vec<usize>)> = Vec::new();
    for (i, day) in days.iter().enumerate() {
        if day.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(times, _)| *times == day) {
            Some((_, members)) => members.push(i),
            None => groups.push((day, vec![i])),
        }
    }
    if groups.is_empty() {
        return vec!["No set hours".to_string()];
    }
    groups
        .into_iter()
        .map(|(times, members)| format!("{}, {}", days_text(&members), times_text(times)))
        .collect()
}

/// "Monday to Friday", "Monday, Wednesday and Friday", "Every day".
pub fn days_text(days: &[usize]) -> String {
    if days.len() == 7 {
        return "Every day".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{} to {}", DAY_NAMES[days[i]], DAY_NAMES[days[j]]));
        } else {
            parts.extend(days[i..=j].iter().map(|&d| DAY_NAMES[d].to_string()));
        }
        i = j + 1;
    }
    join_and(&parts)
}

fn times_text(times: &[Range<u32>]) -> String {
    if times.len() == 1 && times[0] == (0..1440) {
        return "all day".to_string();
    }
    let parts: Vec<String> = times
        .iter()
        .map(|r| format!("{} – {}", clock(r.start), clock(r.end)))
        .collect();
    join_and(&parts)
}

/// "a, b and c"
pub fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "9:00 AM", "12:30 PM", "midnight" for 0 and 1440.
pub fn clock(minutes: u32) -> String {
    if minutes == 0 || minutes == 1440 {
        return "midnight".to_string();
    }
    let h = minutes / 60 % 24;
    let m = minutes % 60;
    let (h12, suffix) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{h12}:{m:02} {suffix}")
}

/// "9:00 AM" for a time of day.
pub fn clock_time(t: NaiveTime) -> String {
    use chrono::Timelike;
    clock(t.hour() * 60 + t.minute())
}

/// "Monday, November 30, 2026"
pub fn date_text(date: NaiveDate) -> String {
    date.format("%B %-d, %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    fn lines(raw: &str) -> Vec<String> {
        Hours::parse(raw).expect("valid hours").lines(monday())
    }

    #[test]
    fn weekdays_in_words() {
        assert_eq!(
            lines("Mo-Fr 09:00-17:00"),
            ["Monday to Friday, 9:00 AM – 5:00 PM"]
        );
    }

    #[test]
    fn several_rules_and_ranges() {
        assert_eq!(
            lines("Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00"),
            [
                "Monday to Friday, 8:00 AM – 12:00 PM and 1:00 PM – 5:00 PM",
                "Saturday, 9:00 AM – 12:00 PM"
            ]
        );
    }

    #[test]
    fn separate_days_are_listed() {
        assert_eq!(
            lines("Mo,We,Fr 09:00-12:00"),
            ["Monday, Wednesday and Friday, 9:00 AM – 12:00 PM"]
        );
        assert_eq!(
            lines("Mo-Tu 09:00-12:00"),
            ["Monday and Tuesday, 9:00 AM – 12:00 PM"]
        );
    }

    #[test]
    fn around_the_clock() {
        assert_eq!(lines("24/7"), ["24 hours a day, 7 days a week"]);
        assert_eq!(lines("Sa-Su 00:00-24:00"), ["Saturday and Sunday, all day"]);
        assert_eq!(lines("Mo-Su 08:00-20:00"), ["Every day, 8:00 AM – 8:00 PM"]);
    }

    #[test]
    fn past_midnight_is_split() {
        assert_eq!(
            lines("Fr 22:00-02:00"),
            [
                "Friday, 10:00 PM – midnight",
                "Saturday, midnight – 2:00 AM"
            ]
        );
    }

    #[test]
    fn never_open() {
        assert_eq!(lines("off"), ["No set hours"]);
        let h = Hours::parse("off").expect("valid");
        assert!(!h.opens_within_a_year(monday()));
    }

    #[test]
    fn invalid_hours_are_rejected() {
        assert!(Hours::parse("whenever").is_err());
        assert!(Hours::parse("").is_err());
        assert!(Hours::parse("Mo-Fr 25:00-26:00x").is_err());
    }

    #[test]
    fn clock_texts() {
        assert_eq!(clock(0), "midnight");
        assert_eq!(clock(9 * 60), "9:00 AM");
        assert_eq!(clock(12 * 60 + 30), "12:30 PM");
        assert_eq!(clock(16 * 60 + 30), "4:30 PM");
        assert_eq!(clock(60 * 24), "midnight");
    }

    #[test]
    fn monday_of_week() {
        let thu = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        assert_eq!(monday_of(thu), monday());
        assert_eq!(monday_of(monday()), monday());
    }
}
