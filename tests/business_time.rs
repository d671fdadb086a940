//! Business time on the Rust side, against the cases shared with the live-status
//! script (`tests/fixtures/business_time.json`, also read by `tests/js/`).
//! The texts of the fixture are the script's; here the times are checked, and
//! that the `week` the page embeds agrees with the hours it comes from.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use howtoreach::model::hours::monday_of;
use howtoreach::model::{BusinessTime, Closures, Hours, Response};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/business_time.json");

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .unwrap_or_else(|e| panic!("`{s}` is not a local time: {e}"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("`{s}` is not a date: {e}"))
}

fn optional_time(v: &Value) -> Option<NaiveDateTime> {
    v.as_str().map(local)
}

fn show(t: Option<NaiveDateTime>) -> String {
    t.map_or_else(
        || "null".to_string(),
        |t| t.format("%Y-%m-%dT%H:%M").to_string(),
    )
}

fn cases() -> Vec<Value> {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    fixture["cases"]
        .as_array()
        .expect("`cases` is a list")
        .clone()
}

#[test]
fn the_fixture_has_cases_with_unique_names() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().filter_map(|c| c["name"].as_str()).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "every case has a unique name");
    assert_eq!(count, cases.len());
}

#[test]
fn every_case_agrees_with_the_rust_side() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case["name"].as_str().expect("name");
        let raw = case["hours"].as_str().expect("hours");
        let hours = Hours::parse(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tz: Tz = case["timezone"]
            .as_str()
            .expect("timezone")
            .parse()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let closures = Closures::new(
            case["closures"]
                .as_array()
                .expect("closures")
                .iter()
                .map(|c| {
                    (
                        date(c[0].as_str().expect("from")),
                        date(c[1].as_str().expect("to")),
                    )
                })
                .collect(),
        );
        let now = local(case["now"].as_str().expect("now"));
        let response = case["response"]
            .as_str()
            .map(|r| Response::parse(r).unwrap_or_else(|e| panic!("{name}: {e}")));
        let expect = &case["expect"];

        // The week a page embeds for these hours is the fixture's `week`.
        let week: Vec<Vec<[u32; 2]>> = hours
            .week(monday_of(now.date()))
            .iter()
            .map(|day| day.iter().map(|r| [r.start, r.end]).collect())
            .collect();
        let fixture_week: Vec<Vec<[u32; 2]>> =
            serde_json::from_value(case["week"].clone()).expect("week");
        if week != fixture_week {
            failures.push(format!("{name}: week {week:?}, fixture {fixture_week:?}"));
        }

        let bt = BusinessTime {
            hours: &hours,
            closures: &closures,
        };
        let open = bt.is_open(now);
        if Some(open) != expect["open"].as_bool() {
            failures.push(format!("{name}: open {open}, expected {}", expect["open"]));
        }
        let next = bt.next_change(now);
        if next != optional_time(&expect["next_change"]) {
            failures.push(format!(
                "{name}: next_change {}, expected {}",
                show(next),
                expect["next_change"]
            ));
        }
        let due = response.and_then(|r| bt.deadline(r, now, tz));
        if due != optional_time(&expect["deadline"]) {
            failures.push(format!(
                "{name}: deadline {}, expected {}",
                show(due),
                expect["deadline"]
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
