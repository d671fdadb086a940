//! Black-box tests of the reachability warnings of `check`: gaps in the week,
//! gaps made by closures and absences, absences nobody covers, covering
//! chains that end in someone away, covering cycles, and what the provider
//! page says to do after hours.

mod common;

use common::*;

/// The test clinic without its 24-hour line and its after-hours line: only
/// the providers' own channels remain as routes.
fn clinic_without_backstops() -> String {
    let clinic = CLINIC_TOML
        .replace(
            "[[urgent]]\nlabel = \"24-hour line\"\nphone = \"+1 204 555 0199\"\nhours = \"24/7\"\nwhen = \"Fever of 38 °C or higher.\"\n",
            "",
        )
        .replace(
            "[after_hours]\ntext = \"Outside clinic hours, call the answering service.\"\nphone = \"+1 204 555 0198\"\n",
            "",
        );
    assert!(!clinic.contains("[[urgent]]") && !clinic.contains("[after_hours]"));
    clinic
}

fn warnings_about<'a>(run: &'a Run, needle: &str) -> Vec<&'a str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("warning:") && l.contains(needle))
        .collect()
}

#[test]
fn weekday_only_channels_leave_evenings_and_weekends_uncovered() {
    let site = Site::unbuilt();
    site.write("data/clinic.toml", &clinic_without_backstops());
    let check = site.check();
    check.expect_success();
    // Ada's channels follow the clinic's hours (Mo-Fr 08:00-16:30).
    let ada = warnings_about(&check, "Ada Byron (data/providers/ada-byron.toml)");
    assert_eq!(ada.len(), 1, "{check}");
    let line = ada[0];
    assert!(
        line.contains("Monday to Friday, midnight – 8:00 AM and 4:30 PM – midnight"),
        "{line}"
    );
    assert!(line.contains("Saturday and Sunday, all day"), "{line}");
    assert!(
        line.contains("no channel is open, no after-hours route, no urgent line"),
        "{line}"
    );
    check.expect_stderr(ADA);
    site.check_strict().expect_code(1);
}

#[test]
fn a_24_7_urgent_line_closes_every_gap() {
    let site = Site::unbuilt();
    let check = site.check_strict();
    check.expect_success();
    assert!(
        warnings_about(&check, "no channel is open").is_empty(),
        "{check}"
    );
}

#[test]
fn clinic_after_hours_line_is_a_route_at_any_hour() {
    let site = Site::unbuilt();
    let clinic = clinic_without_backstops()
        + "\n[after_hours]\ntext = \"Call the answering service.\"\nphone = \"+1 204 555 0198\"\n";
    site.write("data/clinic.toml", &clinic);
    let check = site.check();
    // Ada has no [after_hours] of her own: the clinic's line covers her.
    assert!(warnings_about(&check, "Ada Byron (").is_empty(), "{check}");
}

#[test]
fn after_hours_colleague_counts_only_while_their_channels_are_open() {
    let site = Site::unbuilt();
    site.write("data/clinic.toml", &clinic_without_backstops());
    // Ada names Samuel for after hours; Samuel answers in the clinic's hours only.
    site.write(
        ADA,
        &format!("{ADA_TOML}\n[after_hours]\ncovering = [\"samuel-reyes\"]\n"),
    );
    let check = site.check();
    let ada = warnings_about(&check, "Ada Byron (");
    assert_eq!(ada.len(), 1, "{check}");
    assert!(
        ada[0].contains("Saturday and Sunday, all day"),
        "{}",
        ada[0]
    );
}

#[test]
fn closures_make_dated_gaps_in_the_next_60_days() {
    let site = Site::unbuilt();
    // Every route of Ada is open around the clock, except on closure days.
    let clinic =
        clinic_without_backstops().replace("hours = \"Mo-Fr 08:00-16:30\"", "hours = \"24/7\"");
    site.write("data/clinic.toml", &clinic);
    let check = site.check();
    let ada = warnings_about(&check, "Ada Byron (");
    assert_eq!(ada.len(), 1, "{check}");
    assert!(
        ada[0].contains("December 24, 2026 midnight to December 27, 2026 midnight"),
        "{}",
        ada[0]
    );
}

#[test]
fn absence_without_covering_is_a_warning_with_its_line() {
    let site = Site::unbuilt();
    site.write(
        ADA,
        &format!("{ADA_TOML}\n[[away]]\nfrom = 2026-12-01\nto = 2026-12-05\n"),
    );
    let check = site.check();
    check.expect_success();
    check.expect_stderr("Ada Byron is away from 2026-12-01 to 2026-12-05 and no one covers");
    check.expect_stderr(&format!("{}:", ADA));
    check.expect_stderr(&site.line(ADA, "[[away]]"));
    check.expect_help();
    site.check_strict().expect_code(1);
}

#[test]
fn past_absences_are_not_reported() {
    let site = Site::unbuilt();
    site.write(
        ADA,
        &format!("{ADA_TOML}\n[[away]]\nfrom = 2026-01-01\nto = 2026-01-05\n"),
    );
    let check = site.check_strict();
    check.expect_success();
}

#[test]
fn covering_chain_that_ends_in_someone_away() {
    let site = Site::unbuilt();
    // Nadia (away Dec 20 – Jan 3) is covered by Samuel, who is away too, with no one covering.
    site.write(
        SAMUEL,
        &format!("{SAMUEL_TOML}\n[[away]]\nfrom = 2026-12-28\nto = 2027-01-10\n"),
    );
    let check = site.check();
    check.expect_stderr(
        "the covering chain for Nadia Okafor's absence (2026-12-20 to 2027-01-03) ends in Samuel Reyes, who is away from 2026-12-28 to 2027-01-10: nadia-okafor → samuel-reyes",
    );
    check.expect_stderr(&site.pos(NADIA, "\"samuel-reyes\"\n"));
}

#[test]
fn covering_cycle_is_reported() {
    let site = Site::unbuilt();
    site.write(
        SAMUEL,
        &format!(
            "{SAMUEL_TOML}\n[[away]]\nfrom = 2026-12-22\nto = 2026-12-30\ncovering = \"nadia-okafor\"\n"
        ),
    );
    let check = site.check();
    check.expect_stderr("covering cycle during Nadia Okafor's absence");
    check.expect_stderr("nadia-okafor → samuel-reyes → nadia-okafor");
    site.check_strict().expect_code(1);
}

#[test]
fn provider_page_says_what_to_do_after_hours() {
    let site = Site::unbuilt();
    site.build().expect_success();
    let page = site.read("public/providers/ada-byron/index.html");
    // Outside Ada's hours the clinic's after-hours line is the first route.
    assert!(page.contains("after-hours line"), "{page}");
    assert!(page.contains("(204) 555-0198"), "{page}");
}

#[test]
fn provider_page_shows_a_gap_plainly() {
    let site = Site::unbuilt();
    site.write("data/clinic.toml", &clinic_without_backstops());
    site.build().expect_success();
    let page = site.read("public/providers/ada-byron/index.html");
    assert!(
        page.contains("No one answers for Ada Byron at these times"),
        "{page}"
    );
}

#[test]
fn an_on_call_channel_stays_open_when_the_clinic_is_closed() {
    let site = Site::unbuilt();
    let clinic =
        clinic_without_backstops().replace("hours = \"Mo-Fr 08:00-16:30\"", "hours = \"24/7\"");
    site.write("data/clinic.toml", &clinic);
    site.write(
        ADA,
        &format!(
            "{ADA_TOML}\n[[channels]]\nkind = \"answering-service\"\nvalue = \"+1 204 555 0170\"\nhours = \"24/7\"\n"
        ),
    );
    let check = site.check();
    assert!(warnings_about(&check, "Ada Byron (").is_empty(), "{check}");
    // The live-status data tells the script that this channel ignores closures.
    site.build().expect_success();
    let page = site.read("public/providers/ada-byron/index.html");
    assert!(page.contains("\"closures\":[]"), "{page}");
}
