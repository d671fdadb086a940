//! Response expectations ("2 business days") and business-time arithmetic.
//!
//! Business time counts the minutes when a channel is staffed (its own hours,
//! else the clinic's), skipping the clinic's closures. A business day is a day,
//! not a closure, on which the channel is open at some time; an answer due in
//! N business days is due when the channel closes on the Nth business day after
//! the day the message was sent.

use std::fmt;
use std::ops::Range;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::hours::Hours;

/// How soon to expect an answer, per SPEC's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    Minutes(u32),
    Hours(u32),
    BusinessHours(u32),
    Days(u32),
    BusinessDays(u32),
    SameDay,
    SameBusinessDay,
    NextBusinessDay,
}

/// The forms accepted, for help texts.
pub const RESPONSE_FORMS: &str = "\"N minutes\", \"N hours\", \"N business hours\", \"N days\", \
\"N business days\", \"same day\", \"same business day\" or \"next business day\"";

impl Response {
    /// Parses a response expectation such as `"2 business days"` (case-insensitive,
    /// extra spaces allowed, singular forms too).
    pub fn parse(text: &str) -> Result<Response, String> {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let fixed = match words.as_slice() {
            ["same", "day"] => Some(Response::SameDay),
            ["same", "business", "day"] => Some(Response::SameBusinessDay),
            ["next", "business", "day"] => Some(Response::NextBusinessDay),
            _ => None,
        };
        if let Some(r) = fixed {
            return Ok(r);
        }
        let bad = || format!("`{text}` is not a response expectation");
        let (number, unit) = match words.as_slice() {
            [n, rest @ ..] if !rest.is_empty() => (*n, rest.join(" ")),
            _ => return Err(bad()),
        };
        let n: u32 = number.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(format!("`{text}`: the number must be at least 1"));
        }
        if n > 10_000 {
            return Err(format!("`{text}`: the number is too large"));
        }
        let response = match unit.as_str() {
            "minute" | "minutes" => Response::Minutes(n),
            "hour" | "hours" => Response::Hours(n),
            "business hour" | "business hours" => Response::BusinessHours(n),
            "day" | "days" => Response::Days(n),
            "business day" | "business days" => Response::BusinessDays(n),
            _ => return Err(bad()),
        };
        // "1 days" and "2 day" are read as meant; the text on the page is always right.
        Ok(response)
    }

    /// "Expect an answer within 2 business days."
    pub fn text(self) -> String {
        fn plural(n: u32, one: &str, many: &str) -> String {
            let unit = if n == 1 { one } else { many };
            ["Expect an answer within ", &n.to_string(), " ", unit, "."].concat()
        }
        match self {
            Response::Minutes(n) => plural(n, "minute", "minutes"),
            Response::Hours(n) => plural(n, "hour", "hours"),
            Response::BusinessHours(n) => plural(n, "business hour", "business hours"),
            Response::Days(n) => plural(n, "day", "days"),
            Response::BusinessDays(n) => plural(n, "business day", "business days"),
            Response::SameDay => "Expect an answer the same day.".to_string(),
            Response::SameBusinessDay => "Expect an answer the same business day.".to_string(),
            Response::NextBusinessDay => {
                "Expect an answer by the end of the next business day.".to_string()
            }
        }
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Days the clinic is closed, as inclusive date ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closures(Vec<(NaiveDate, NaiveDate)>);

impl Closures {
    pub fn new(mut ranges: Vec<(NaiveDate, NaiveDate)>) -> Self {
        ranges.sort();
        Closures(ranges)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.0
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&date))
    }

    pub fn ranges(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.0
    }
}

/// How far ahead business time looks before giving up (a channel that never opens).
const HORIZON_DAYS: i64 = 400;

/// A channel's staffed time: its hours minus the clinic's closures.
#[derive(Debug, Clone, Copy)]
pub struct BusinessTime<'a> {
    pub hours: &'a Hours,
    pub closures: &'a Closures,
}

impl BusinessTime<'_> {
    /// Staffed intervals in `from..to`, split at midnight, closure days left out.
    pub fn open_intervals(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> impl Iterator<Item = Range<NaiveDateTime>> + '_ {
        self.hours.open_ranges(from, to).flat_map(move |r| {
            split_at_midnight(r).filter(|part| !self.closures.contains(part.start.date()))
        })
    }

    /// Whether someone answers at `at`.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        !self.closures.contains(at.date()) && self.hours.is_open(at)
    }

    /// When the channel next opens (if closed at `at`) or closes (if open), within
    /// two weeks; touching intervals (midnight in 24/7 hours) count as one.
    pub fn next_change(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let open = self.is_open(at);
        let horizon = at + Duration::days(14);
        let mut end: Option<NaiveDateTime> = None;
        for r in self.open_intervals(at, horizon) {
            if !open {
                return Some(r.start);
            }
            match end {
                Some(e) if r.start > e => return Some(e),
                _ => end = Some(r.end),
            }
        }
        match end {
            Some(e) if e < horizon => Some(e),
            _ => None,
        }
    }

    /// When an answer is due for a message sent at `sent` (clinic local time),
    /// or `None` when the channel is not staffed again within the horizon.
    pub fn deadline(
        &self,
        response: Response,
        sent: NaiveDateTime,
        tz: Tz,
    ) -> Option<NaiveDateTime> {
        let horizon = sent + Duration::days(HORIZON_DAYS);
        match response {
            Response::Minutes(n) => Some(add_absolute(sent, Duration::minutes(i64::from(n)), tz)),
            Response::Hours(n) => Some(add_absolute(sent, Duration::hours(i64::from(n)), tz)),
            Response::Days(n) => Some(sent + Duration::days(i64::from(n))),
            Response::SameDay => Some(next_midnight(sent)),
            Response::BusinessHours(n) => {
                let mut left = i64::from(n) * 60;
                for r in self.open_intervals(sent, horizon) {
                    let len = (r.end - r.start).num_minutes();
                    if len >= left {
                        return Some(r.start + Duration::minutes(left));
                    }
                    left -= len;
                }
                None
            }
            Response::SameBusinessDay => {
                // Due at today's close if the channel is still to be staffed today,
                // else at the close of the next business day.
                let today = sent.date();
                let end_today = self.last_close_on(today, sent);
                match end_today {
                    Some(end) => Some(end),
                    None => self.nth_business_day_close(today, 1),
                }
            }
            Response::NextBusinessDay => self.nth_business_day_close(sent.date(), 1),
            Response::BusinessDays(n) => self.nth_business_day_close(sent.date(), n),
        }
    }

    /// The last closing time on `date` after `after`, if the channel is staffed then.
    fn last_close_on(&self, date: NaiveDate, after: NaiveDateTime) -> Option<NaiveDateTime> {
        let start = date.and_time(NaiveTime::MIN);
        self.open_intervals(after.max(start), start + Duration::days(1))
            .last()
            .map(|r| r.end)
    }

    /// The close of the `n`th business day after `date`.
    fn nth_business_day_close(&self, date: NaiveDate, n: u32) -> Option<NaiveDateTime> {
        let from = (date + Duration::days(1)).and_time(NaiveTime::MIN);
        let horizon = from + Duration::days(HORIZON_DAYS);
        let mut count = 0;
        let mut current: Option<(NaiveDate, NaiveDateTime)> = None;
        for r in self.open_intervals(from, horizon) {
            match current {
                Some((day, _)) if day == r.start.date() => {
                    current = Some((day, r.end));
                }
                Some((_, end)) if count == n => return Some(end),
                _ => {
                    count += 1;
                    if count > n {
                        break;
                    }
                    current = Some((r.start.date(), r.end));
                }
            }
        }
        match current {
            Some((_, end)) if count == n => Some(end),
            _ => None,
        }
    }
}

fn next_midnight(t: NaiveDateTime) -> NaiveDateTime {
    (t.date() + Duration::days(1)).and_time(NaiveTime::MIN)
}

/// Splits an interval into its parts within each calendar day.
fn split_at_midnight(r: Range<NaiveDateTime>) -> impl Iterator<Item = Range<NaiveDateTime>> {
    let mut start = r.start;
    std::iter::from_fn(move || {
        if start >= r.end {
            return None;
        }
        let end = r.end.min(next_midnight(start));
        let part = start..end;
        start = end;
        Some(part)
    })
}

/// Adds an absolute duration to a local time, across daylight-saving changes.
fn add_absolute(local: NaiveDateTime, d: Duration, tz: Tz) -> NaiveDateTime {
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => (t + d).naive_local(),
        // A local time that does not exist (skipped by a spring-forward): count from it as written.
        None => local + d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_default()
    }

    fn hours(raw: &str) -> Hours {
        Hours::parse(raw).expect("valid hours")
    }

    const TZ: Tz = chrono_tz::America::Winnipeg;

    #[test]
    fn parses_every_form() {
        assert_eq!(Response::parse("30 minutes"), Ok(Response::Minutes(30)));
        assert_eq!(Response::parse("1 minute"), Ok(Response::Minutes(1)));
        assert_eq!(Response::parse("4 hours"), Ok(Response::Hours(4)));
        assert_eq!(
            Response::parse("4 business hours"),
            Ok(Response::BusinessHours(4))
        );
        assert_eq!(Response::parse("1 day"), Ok(Response::Days(1)));
        assert_eq!(
            Response::parse("2 business days"),
            Ok(Response::BusinessDays(2))
        );
        assert_eq!(Response::parse("Same day"), Ok(Response::SameDay));
        assert_eq!(
            Response::parse(" same  business day "),
            Ok(Response::SameBusinessDay)
        );
        assert_eq!(
            Response::parse("next business day"),
            Ok(Response::NextBusinessDay)
        );
    }

    #[test]
    fn rejects_other_text() {
        for bad in [
            "soon", "2", "two days", "0 days", "2 weeks", "-1 days", "", "next day",
        ] {
            assert!(Response::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(
            Response::BusinessDays(2).text(),
            "Expect an answer within 2 business days."
        );
        assert_eq!(Response::Days(1).text(), "Expect an answer within 1 day.");
        assert_eq!(
            Response::SameBusinessDay.text(),
            "Expect an answer the same business day."
        );
    }

    #[test]
    fn business_days_skip_weekends_and_closures() {
        let h = hours("Mo-Fr 09:00-17:00");
        let closures = Closures::new(vec![(
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap_or_default(),
        )]);
        let bt = BusinessTime {
            hours: &h,
            closures: &closures,
        };
        // Wednesday 2026-12-23 10:00, 2 business days: Thursday 24, then Tuesday 29 (25-28 closed).
        assert_eq!(
            bt.deadline(Response::BusinessDays(2), at(2026, 12, 23, 10, 0), TZ),
            Some(at(2026, 12, 29, 17, 0))
        );
        // Friday evening, next business day: Monday.
        assert_eq!(
            bt.deadline(Response::NextBusinessDay, at(2026, 11, 27, 20, 0), TZ),
            Some(at(2026, 11, 30, 17, 0))
        );
    }

    #[test]
    fn same_business_day() {
        let h = hours("Mo-Fr 09:00-17:00");
        let c = Closures::default();
        let bt = BusinessTime {
            hours: &h,
            closures: &c,
        };
        assert_eq!(
            bt.deadline(Response::SameBusinessDay, at(2026, 11, 25, 8, 0), TZ),
            Some(at(2026, 11, 25, 17, 0))
        );
        assert_eq!(
            bt.deadline(Response::SameBusinessDay, at(2026, 11, 25, 18, 0), TZ),
            Some(at(2026, 11, 26, 17, 0))
        );
        // Saturday: Monday's close.
        assert_eq!(
            bt.deadline(Response::SameBusinessDay, at(2026, 11, 28, 12, 0), TZ),
            Some(at(2026, 11, 30, 17, 0))
        );
    }

    #[test]
    fn business_hours_carry_over_nights_and_lunch() {
        let h = hours("Mo-Fr 08:00-12:00,13:00-17:00");
        let c = Closures::default();
        let bt = BusinessTime {
            hours: &h,
            closures: &c,
        };
        // Wednesday 11:00 + 4 business hours: 1 h before lunch, 3 h after: 16:00.
        assert_eq!(
            bt.deadline(Response::BusinessHours(4), at(2026, 11, 25, 11, 0), TZ),
            Some(at(2026, 11, 25, 16, 0))
        );
        // Friday 16:00 + 2 business hours: 1 h Friday, 1 h Monday: Monday 09:00.
        assert_eq!(
            bt.deadline(Response::BusinessHours(2), at(2026, 11, 27, 16, 0), TZ),
            Some(at(2026, 11, 30, 9, 0))
        );
    }

    #[test]
    fn absolute_durations_cross_daylight_saving() {
        let h = hours("24/7");
        let c = Closures::default();
        let bt = BusinessTime {
            hours: &h,
            closures: &c,
        };
        // Winnipeg springs forward at 2:00 on 2027-03-14: 1:30 + 1 hour is 3:30 local.
        assert_eq!(
            bt.deadline(Response::Hours(1), at(2027, 3, 14, 1, 30), TZ),
            Some(at(2027, 3, 14, 3, 30))
        );
        assert_eq!(
            bt.deadline(Response::SameDay, at(2026, 11, 25, 10, 0), TZ),
            Some(at(2026, 11, 26, 0, 0))
        );
        assert_eq!(
            bt.deadline(Response::Days(2), at(2026, 11, 25, 10, 0), TZ),
            Some(at(2026, 11, 27, 10, 0))
        );
    }

    #[test]
    fn next_change_opens_and_closes() {
        let h = hours("Mo-Fr 09:00-17:00");
        let closures = Closures::new(vec![(
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
        )]);
        let bt = BusinessTime {
            hours: &h,
            closures: &closures,
        };
        // Wednesday 10:00: open until 17:00.
        assert_eq!(
            bt.next_change(at(2026, 11, 25, 10, 0)),
            Some(at(2026, 11, 25, 17, 0))
        );
        // Friday evening: Monday 30 is a closure, so Tuesday 09:00.
        assert_eq!(
            bt.next_change(at(2026, 11, 27, 18, 0)),
            Some(at(2026, 12, 1, 9, 0))
        );
        let always = hours("24/7");
        let none = Closures::default();
        let bt = BusinessTime {
            hours: &always,
            closures: &none,
        };
        assert_eq!(bt.next_change(at(2026, 11, 25, 10, 0)), None);
    }

    #[test]
    fn never_staffed_has_no_deadline() {
        let h = hours("off");
        let c = Closures::default();
        let bt = BusinessTime {
            hours: &h,
            closures: &c,
        };
        assert_eq!(
            bt.deadline(Response::BusinessDays(1), at(2026, 11, 25, 10, 0), TZ),
            None
        );
    }

    // Properties of business time, over random hours, closures and send times.
    use proptest::prelude::*;

    const PATTERNS: [&str; 6] = [
        "Mo-Fr 09:00-17:00",
        "Mo-Fr 08:00-12:00,13:00-16:30",
        "Tu-Th 13:00-17:00",
        "24/7",
        "Mo-Su 08:00-20:00",
        "Fr 22:00-02:00",
    ];

    fn business(n: u32) -> impl Strategy<Value = Response> {
        prop_oneof![
            (1..=n).prop_map(Response::BusinessHours),
            (1..=n).prop_map(Response::BusinessDays),
            Just(Response::SameBusinessDay),
            Just(Response::NextBusinessDay),
        ]
    }

    fn closures() -> impl Strategy<Value = Closures> {
        proptest::collection::vec((0i64..60, 0i64..4), 0..4).prop_map(|v| {
            let base = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
            Closures::new(
                v.into_iter()
                    .map(|(start, len)| {
                        let from = base + Duration::days(start);
                        (from, from + Duration::days(len))
                    })
                    .collect(),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn business_deadlines_are_monotonic_skip_closures_and_fall_in_hours(
            pattern in 0..PATTERNS.len(),
            closures in closures(),
            response in business(12),
            a in 0i64..(60 * 1440),
            gap in 0i64..(3 * 1440),
        ) {
            let h = hours(PATTERNS[pattern]);
            let bt = BusinessTime { hours: &h, closures: &closures };
            let start = at(2026, 11, 23, 0, 0);
            let t1 = start + Duration::minutes(a);
            let t2 = t1 + Duration::minutes(gap);
            let (d1, d2) = (bt.deadline(response, t1, TZ), bt.deadline(response, t2, TZ));
            if let (Some(d1), Some(d2)) = (d1, d2) {
                prop_assert!(d1 >= t1, "due {d1} before sent {t1}");
                prop_assert!(d1 <= d2, "later message due earlier: {t1} → {d1}, {t2} → {d2}");
                // The answer is due at a time the channel is staffed up to: the
                // minute before it is open, on a day that is not a closure.
                let last = d1 - Duration::minutes(1);
                prop_assert!(bt.is_open(last), "{response:?} from {t1} due {d1}, outside the hours");
                prop_assert!(!closures.contains(last.date()), "due {d1} on a closure");
            }
        }
    }
}
