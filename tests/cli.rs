//! Black-box tests of the `howtoreach` binary against SPEC.md: "What is
//! checked", "The command line" and "The output".
//!
//! Every test writes a small site into a temporary folder and runs the binary
//! with `SOURCE_DATE_EPOCH` (2026-11-25) and `NO_COLOR=1`. Helpers are in
//! `tests/common/mod.rs`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

// ---------------------------------------------------------------------------
// Errors: each breaks one thing in a built site.

/// Asserts that `build` on the (broken) site fails with status 1, names every
/// position in `at` (`file:line:col`, `file:line:` or a file path) and shows
/// the offending source line, prints a `help:` line, and leaves every file of
/// the site folder (output and handouts included) byte-identical; and that
/// `check` fails with status 1 naming the same positions. Returns the build's
/// run for further assertions.
///
/// The sites come from `Site::built()`: a copy of the valid site after a
/// successful build, so there is a previous output to protect.
#[track_caller]
fn assert_rejected(site: &Site, at: &[&str]) -> Run {
    let before = site.snapshot();
    let build = site.build();
    build.expect_code(1).expect_help();
    for pos in at {
        build.expect_stderr(pos);
        if let Some(line) = source_line(site, pos) {
            build.expect_stderr(line.trim());
        }
    }
    assert!(
        build.count("error") >= at.len(),
        "expected at least {} errors\n{build}",
        at.len()
    );
    assert_same_tree(
        &before,
        &site.snapshot(),
        "the site folder after a failed build",
    );
    let check = site.check();
    check.expect_code(1).expect_help();
    for pos in at {
        check.expect_stderr(pos);
    }
    assert_same_tree(&before, &site.snapshot(), "the site folder after check");
    build
}

/// The text of the line a `file:line:...` position names, if it names one.
fn source_line(site: &Site, pos: &str) -> Option<String> {
    let mut parts = pos.split(':');
    let file = parts.next()?;
    let line: usize = parts.next()?.parse().ok()?;
    let text = fs::read_to_string(site.path(file)).ok()?;
    text.lines().nth(line - 1).map(str::to_string)
}

#[test]
fn toml_syntax_error_points_at_its_line() {
    let site = Site::built();
    site.replace(
        NADIA,
        "credentials = \"MD, FRCPC\"",
        "credentials = \"MD, FRCPC",
    );
    let line = site.line(NADIA, "credentials");
    assert_rejected(&site, &[&line]);
}

#[test]
fn toml_syntax_error_in_clinic_points_at_its_line() {
    let site = Site::built();
    site.replace("data/clinic.toml", "[emergency]", "[emergency");
    let line = site.line("data/clinic.toml", "[emergency");
    assert_rejected(&site, &[&line]);
}

#[test]
fn unknown_provider_key_suggests_the_close_one() {
    let site = Site::built();
    site.replace(NADIA, "role = ", "rol = ");
    let at = site.pos(NADIA, "rol = ");
    assert_rejected(&site, &[&at])
        .expect_stderr("`rol`")
        .expect_stderr("did you mean `role`");
}

#[test]
fn unknown_channel_key_suggests_the_close_one() {
    let site = Site::built();
    site.replace(NADIA, "value = \"nadia.okafor", "vaule = \"nadia.okafor");
    let at = site.pos(NADIA, "vaule");
    assert_rejected(&site, &[&at])
        .expect_stderr("`vaule`")
        .expect_stderr("did you mean `value`");
}

#[test]
fn unknown_site_key_suggests_the_close_one() {
    let site = Site::built();
    site.replace("site.toml", "review_after_days", "review_after_dais");
    let at = site.pos("site.toml", "review_after_dais");
    assert_rejected(&site, &[&at]).expect_stderr("did you mean `review_after_days`");
}

#[test]
fn unknown_clinic_key_suggests_the_close_one() {
    let site = Site::built();
    site.replace("data/clinic.toml", "address = ", "adress = ");
    let at = site.pos("data/clinic.toml", "adress");
    assert_rejected(&site, &[&at]).expect_stderr("did you mean `address`");
}

#[test]
fn missing_required_provider_key_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "role = \"Medical oncologist\"\n", "");
    // The key belongs to the file's top-level table: the file is named with a position.
    let at = format!("{NADIA}:1:");
    assert_rejected(&site, &[&at]).expect_stderr("`role`");
}

#[test]
fn missing_required_channel_key_points_at_the_channel() {
    let site = Site::built();
    site.replace(NADIA, "value = \"nadia.okafor@clinic.example.org\"\n", "");
    // The second [[channels]] table is the one without a value.
    let text = site.read(NADIA);
    let second = text
        .match_indices("[[channels]]")
        .nth(1)
        .expect("2 channels")
        .0;
    let line = text[..second].matches('\n').count() + 1;
    let at = format!("{NADIA}:{line}:");
    assert_rejected(&site, &[&at]).expect_stderr("`value`");
}

#[test]
fn missing_emergency_in_clinic_is_an_error() {
    let site = Site::built();
    site.replace(
        "data/clinic.toml",
        "[emergency]\nnumber = \"911\"\ntext = \"If this is a medical emergency, call 911.\"\n",
        "",
    );
    assert_rejected(&site, &["data/clinic.toml:1:"]).expect_stderr("`emergency`");
}

#[test]
fn wrong_type_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "reviewed = 2026-11-01", "reviewed = \"2026-11-01\"");
    let at = site.pos(NADIA, "\"2026-11-01\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn wrong_type_in_a_list_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "languages = [\"en\", \"fr\"]", "languages = \"en\"");
    let at = site.pos(NADIA, "\"en\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn invalid_phone_number_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "\"+1 204 555 0142\"", "\"+1 204 555\"");
    let at = site.pos(NADIA, "\"+1 204 555\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn short_number_is_allowed_only_for_the_emergency() {
    let site = Site::built();
    site.replace(SAMUEL, "\"204-555-0150 ext. 12\"", "\"911\"");
    let at = site.pos(SAMUEL, "\"911\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn invalid_clinic_phone_number_is_an_error() {
    let site = Site::built();
    site.replace(
        "data/clinic.toml",
        "\"+1 204 555 0199\"",
        "\"555-CALL-NOW\"",
    );
    let at = site.pos("data/clinic.toml", "\"555-CALL-NOW\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn invalid_email_address_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "\"nadia.okafor@clinic.example.org\"",
        "\"Nadia Okafor <nadia.okafor@clinic.example.org>\"",
    );
    let at = site.pos(NADIA, "\"Nadia Okafor <");
    assert_rejected(&site, &[&at]);
}

#[test]
fn portal_and_video_urls_must_be_https() {
    let site = Site::built();
    site.replace(
        NADIA,
        "\"https://portal.clinic.example.org/okafor\"",
        "\"http://portal.clinic.example.org/okafor\"",
    );
    site.replace(
        SAMUEL,
        "\"https://portal.clinic.example.org/video/reyes\"",
        "\"javascript:alert(1)\"",
    );
    site.replace(
        SAMUEL,
        "kind = \"in-person\"\nvalue = \"Walk in to Room 4B\"",
        "kind = \"portal\"\nvalue = \"data:text/html,<script>alert(1)</script>\"",
    );
    let http = site.pos(NADIA, "\"http://");
    let js = site.pos(SAMUEL, "\"javascript:");
    let data = site.pos(SAMUEL, "\"data:");
    let build = assert_rejected(&site, &[&http, &js, &data]);
    assert_eq!(build.count("error"), 3, "{build}");
}

#[test]
fn invalid_hours_are_an_error() {
    let site = Site::built();
    site.replace(NADIA, "\"Mo-Fr 09:00-16:00\"", "\"weekdays 9 to 4\"");
    let at = site.pos(NADIA, "\"weekdays 9 to 4\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn invalid_clinic_hours_are_an_error() {
    let site = Site::built();
    // (Times past midnight such as 25:00 are valid opening_hours syntax.)
    site.replace(
        "data/clinic.toml",
        "\"Mo-Fr 08:00-16:30\"",
        "\"Monday to Friday\"",
    );
    let at = site.pos("data/clinic.toml", "\"Monday to Friday\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn invalid_response_expectation_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "\"2 business days\"", "\"soon\"");
    let at = site.pos(NADIA, "\"soon\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn unknown_time_zone_is_an_error() {
    let site = Site::built();
    site.replace(
        "data/clinic.toml",
        "\"America/Winnipeg\"",
        "\"America/Winipeg\"",
    );
    let at = site.pos("data/clinic.toml", "\"America/Winipeg\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn unknown_region_is_an_error() {
    let site = Site::built();
    site.replace("data/clinic.toml", "region = \"CA\"", "region = \"Canada\"");
    let at = site.pos("data/clinic.toml", "\"Canada\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn datetime_where_a_date_is_expected_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "reviewed = 2026-11-01",
        "reviewed = 2026-11-01T10:00:00",
    );
    let at = site.pos(NADIA, "2026-11-01T10:00:00");
    assert_rejected(&site, &[&at]);
}

#[test]
fn impossible_date_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "reviewed = 2026-11-01", "reviewed = 2026-02-30");
    // TOML itself rejects the date: the line is pinned, the column may be the
    // value's or the day's.
    let line = site.line(NADIA, "2026-02-30");
    assert_rejected(&site, &[&line]);
}

#[test]
fn closure_ending_before_it_starts_is_an_error() {
    let site = Site::built();
    site.replace("data/clinic.toml", "to = 2026-12-26", "to = 2026-12-20");
    let at = site.pos("data/clinic.toml", "2026-12-20");
    assert_rejected(&site, &[&at]);
}

#[test]
fn absence_ending_before_it_starts_is_an_error() {
    let site = Site::built();
    site.replace(NADIA, "to = 2027-01-03", "to = 2026-12-01");
    let at = site.pos(NADIA, "2026-12-01");
    assert_rejected(&site, &[&at]);
}

#[test]
fn after_hours_covering_an_unknown_provider_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "covering = [\"samuel-reyes\"]",
        "covering = [\"samuel-reye\"]",
    );
    let at = site.pos(NADIA, "\"samuel-reye\"");
    assert_rejected(&site, &[&at]).expect_stderr("did you mean `samuel-reyes`");
}

#[test]
fn absence_covering_an_unknown_provider_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "covering = \"samuel-reyes\"",
        "covering = \"nobody-here\"",
    );
    let at = site.pos(NADIA, "\"nobody-here\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn provider_covering_for_themselves_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "covering = [\"samuel-reyes\"]",
        "covering = [\"nadia-okafor\"]",
    );
    let at = site.pos(NADIA, "[\"nadia-okafor\"]");
    // The value inside the list, one column after the bracket.
    let (prefix, col) = at.rsplit_once(':').expect("col");
    let col: usize = col.parse().expect("number");
    let at = format!("{prefix}:{}", col + 1);
    assert_rejected(&site, &[&at]);
}

#[test]
fn same_slug_in_two_sub_folders_is_an_error() {
    let site = Site::built();
    site.write("data/providers/breast/nadia-okafor.toml", NADIA_TOML);
    let build = assert_rejected(&site, &["data/providers/breast/nadia-okafor.toml"]);
    build.expect_stderr(NADIA);
}

#[test]
fn slug_that_is_not_lowercase_words_is_an_error() {
    let site = Site::built();
    site.write(
        "data/providers/Bad_Name.toml",
        ADA_TOML.replace("Ada", "Bad").as_str(),
    );
    assert_rejected(&site, &["data/providers/Bad_Name.toml"]).expect_stderr("Bad_Name");
}

#[test]
fn missing_photo_is_an_error() {
    let site = Site::built();
    site.replace(
        NADIA,
        "department = \"Oncology\"\n",
        "department = \"Oncology\"\nphoto = \"photos/nadia-okafor.jpg\"\n",
    );
    let at = site.pos(NADIA, "\"photos/nadia-okafor.jpg\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn photo_outside_static_is_an_error() {
    let site = Site::built();
    site.mkdir("static/photos");
    site.write("static/photos/nadia-okafor.jpg", "not really a JPEG");
    site.replace(
        NADIA,
        "department = \"Oncology\"\n",
        "department = \"Oncology\"\nphoto = \"../site.toml\"\n",
    );
    let at = site.pos(NADIA, "\"../site.toml\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn photo_inside_static_is_accepted() {
    let site = Site::built();
    site.write("static/photos/nadia-okafor.jpg", "not really a JPEG");
    site.replace(
        NADIA,
        "department = \"Oncology\"\n",
        "department = \"Oncology\"\nphoto = \"photos/nadia-okafor.jpg\"\n",
    );
    site.build().expect_success();
    assert_eq!(
        site.read("public/photos/nadia-okafor.jpg"),
        "not really a JPEG"
    );
}

#[test]
fn provider_without_a_public_channel_is_an_error() {
    let site = Site::built();
    site.replace(
        ADA,
        "value = \"ada.byron@clinic.example.org\"\n",
        "value = \"ada.byron@clinic.example.org\"\nvisibility = \"patients\"\n",
    );
    site.replace(
        ADA,
        "value = \"(204) 555-0160\"\n",
        "value = \"(204) 555-0160\"\nvisibility = \"patients\"\n",
    );
    let line = site.line(ADA, "[[channels]]");
    assert_rejected(&site, &[&line]).expect_stderr("public channel");
}

#[test]
fn output_folder_that_is_the_site_root_is_refused() {
    let site = Site::built();
    site.replace("site.toml", "output_dir = \"public\"", "output_dir = \".\"");
    let at = site.pos("site.toml", "\".\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn output_folder_that_contains_the_site_is_refused() {
    let site = Site::built();
    site.replace(
        "site.toml",
        "output_dir = \"public\"",
        "output_dir = \"..\"",
    );
    let at = site.pos("site.toml", "\"..\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn output_folder_holding_a_data_folder_is_refused() {
    let site = Site::built();
    site.write("archive/data/clinic.toml", CLINIC_TOML);
    site.replace(
        "site.toml",
        "output_dir = \"public\"",
        "output_dir = \"archive\"",
    );
    let at = site.pos("site.toml", "\"archive\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn output_folder_not_made_by_howtoreach_is_refused() {
    let site = Site::built();
    site.write("www/index.html", "<p>The clinic's own page</p>");
    site.replace(
        "site.toml",
        "output_dir = \"public\"",
        "output_dir = \"www\"",
    );
    let at = site.pos("site.toml", "\"www\"");
    assert_rejected(&site, &[&at]);
    assert_eq!(site.read("www/index.html"), "<p>The clinic's own page</p>");
}

#[test]
fn output_flag_naming_a_folder_not_made_by_howtoreach_is_refused() {
    let site = Site::built();
    site.write("www/index.html", "<p>The clinic's own page</p>");
    let before = site.snapshot();
    let build = site.run("build", &["--output", "www"]);
    // Status 1 or 2 (a site problem or bad usage): SPEC does not say which.
    assert!(matches!(build.code, Some(1 | 2)), "{build}");
    build.expect_stderr("www").expect_help();
    assert_same_tree(&before, &site.snapshot(), "the site folder");
}

#[test]
fn handout_folder_that_is_the_site_root_is_refused() {
    let site = Site::built();
    site.replace(
        "site.toml",
        "handout_dir = \"handouts\"",
        "handout_dir = \".\"",
    );
    let at = site.pos("site.toml", "\".\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn handout_folder_not_made_by_howtoreach_is_refused() {
    let site = Site::built();
    site.write("print/notes.txt", "keep me");
    site.replace(
        "site.toml",
        "handout_dir = \"handouts\"",
        "handout_dir = \"print\"",
    );
    let at = site.pos("site.toml", "\"print\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn handout_folder_inside_the_output_folder_is_refused() {
    let site = Site::built();
    site.replace(
        "site.toml",
        "handout_dir = \"handouts\"",
        "handout_dir = \"public/handouts\"",
    );
    let at = site.pos("site.toml", "\"public/handouts\"");
    assert_rejected(&site, &[&at]);
}

#[test]
fn handout_folder_inside_static_is_refused() {
    // static/ is copied into the output: handouts there would be published.
    let site = Site::built();
    site.mkdir("static");
    site.replace(
        "site.toml",
        "handout_dir = \"handouts\"",
        "handout_dir = \"static/handouts\"",
    );
    let at = site.pos("site.toml", "\"static/handouts\"");
    assert_rejected(&site, &[&at]);
}

fn outside_folder() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("howtoreach-outside-")
        .tempdir()
        .expect("temporary folder")
}

#[test]
fn symlink_in_providers_leading_outside_the_site_is_refused() {
    let site = Site::built();
    let outside = outside_folder();
    let target = outside.path().join("eve-smith.toml");
    fs::write(&target, ADA_TOML.replace("Ada Byron", "Eve Smith")).expect("write");
    std::os::unix::fs::symlink(&target, site.path("data/providers/eve-smith.toml"))
        .expect("symlink");
    assert_rejected(&site, &["data/providers/eve-smith.toml"]);
}

#[test]
fn symlinked_folder_in_providers_leading_outside_the_site_is_refused() {
    let site = Site::built();
    let outside = outside_folder();
    fs::write(
        outside.path().join("eve-smith.toml"),
        ADA_TOML.replace("Ada Byron", "Eve Smith"),
    )
    .expect("write");
    std::os::unix::fs::symlink(outside.path(), site.path("data/providers/shared"))
        .expect("symlink");
    assert_rejected(&site, &["data/providers/shared"]);
}

#[test]
fn clinic_file_symlink_leading_outside_the_site_is_refused() {
    let site = Site::built();
    let outside = outside_folder();
    let target = outside.path().join("clinic.toml");
    fs::write(&target, CLINIC_TOML).expect("write");
    site.remove("data/clinic.toml");
    std::os::unix::fs::symlink(&target, site.path("data/clinic.toml")).expect("symlink");
    assert_rejected(&site, &["data/clinic.toml"]);
}

#[test]
fn symlink_in_static_leading_outside_the_site_is_refused() {
    let site = Site::built();
    let outside = outside_folder();
    let target = outside.path().join("secret.txt");
    fs::write(&target, "outside-secret-contents").expect("write");
    site.mkdir("static");
    std::os::unix::fs::symlink(&target, site.path("static/logo.png")).expect("symlink");
    assert_rejected(&site, &["static/logo.png"]);
    let leaks = find_in_files(&site.files("public"), &["outside-secret-contents"]);
    assert!(leaks.is_empty(), "{leaks:?}");
}

#[test]
fn symlink_in_static_leading_inside_the_site_is_copied() {
    let site = Site::built();
    site.write("assets/logo.svg", "<svg/>");
    site.mkdir("static");
    std::os::unix::fs::symlink("../assets/logo.svg", site.path("static/logo.svg"))
        .expect("symlink");
    site.build().expect_success();
    assert_eq!(site.read("public/logo.svg"), "<svg/>");
}

// ---------------------------------------------------------------------------
// Every problem in one run.

#[test]
fn every_problem_in_every_file_is_reported_in_one_run() {
    let site = Site::built();
    site.replace(
        "data/clinic.toml",
        "\"America/Winnipeg\"",
        "\"Mars/Olympus\"",
    );
    site.replace(NADIA, "\"+1 204 555 0142\"", "\"+1 204 555\"");
    site.replace(NADIA, "\"Mo-Fr 09:00-16:00\"", "\"whenever\"");
    site.replace(NADIA, "\"2 business days\"", "\"soon\"");
    site.replace(SAMUEL, "\"4 business hours\"", "\"eventually\"");
    site.replace(ADA, "\"ada.byron@clinic.example.org\"", "\"ada.byron\"");
    let at = [
        site.pos("data/clinic.toml", "\"Mars/Olympus\""),
        site.pos(NADIA, "\"+1 204 555\""),
        site.pos(NADIA, "\"whenever\""),
        site.pos(NADIA, "\"soon\""),
        site.pos(SAMUEL, "\"eventually\""),
        site.pos(ADA, "\"ada.byron\""),
    ];
    let at: Vec<&str> = at.iter().map(String::as_str).collect();
    let build = assert_rejected(&site, &at);
    assert_eq!(build.count("error"), 6, "{build}");
    build.expect_stderr("6 errors");
}

#[test]
fn output_folder_problem_is_reported_with_problems_in_data() {
    let site = Site::built();
    site.replace("site.toml", "output_dir = \"public\"", "output_dir = \".\"");
    site.replace(NADIA, "\"+1 204 555 0142\"", "\"+1 204 555\"");
    let at = [
        site.pos("site.toml", "\".\""),
        site.pos(NADIA, "\"+1 204 555\""),
    ];
    let build = assert_rejected(&site, &[&at[0], &at[1]]);
    assert_eq!(build.count("error"), 2, "{build}");
}

#[test]
fn unknown_covering_is_reported_with_problems_in_other_files() {
    let site = Site::built();
    site.replace(
        NADIA,
        "covering = \"samuel-reyes\"",
        "covering = \"nobody-here\"",
    );
    site.replace(ADA, "\"next business day\"", "\"whenever\"");
    let at = [
        site.pos(NADIA, "\"nobody-here\""),
        site.pos(ADA, "\"whenever\""),
    ];
    let build = assert_rejected(&site, &[&at[0], &at[1]]);
    assert_eq!(build.count("error"), 2, "{build}");
}

#[test]
fn review_warning_is_reported_with_errors() {
    let site = Site::built();
    site.replace(SAMUEL, "reviewed = 2026-11-01", "reviewed = 2025-01-01");
    site.replace(ADA, "\"next business day\"", "\"whenever\"");
    let build = assert_rejected(&site, &[&site.pos(ADA, "\"whenever\"")]);
    build.expect_stderr(&site.pos(SAMUEL, "2025-01-01"));
    assert_eq!(build.count("warning"), 1, "{build}");
}

// ---------------------------------------------------------------------------
// Warnings.

#[test]
fn review_date_older_than_review_after_days_warns() {
    let site = Site::built();
    // 2026-11-25 is 328 days after 2026-01-01.
    site.replace(NADIA, "reviewed = 2026-11-01", "reviewed = 2026-01-01");
    let at = site.pos(NADIA, "2026-01-01");

    let check = site.check();
    check.expect_success().expect_stderr(&at).expect_help();
    assert_eq!(check.count("warning"), 1, "{check}");
    assert_eq!(check.count("error"), 0, "{check}");

    let strict = site.check_strict();
    strict.expect_code(1).expect_stderr(&at);

    let build = site.build();
    build
        .expect_success()
        .expect_stderr(&at)
        .expect_stderr("1 warning");
    assert_eq!(build.count("warning"), 1, "{build}");
    assert!(site.exists("public/providers/nadia-okafor/index.html"));
}

#[test]
fn review_after_days_from_site_toml_is_used() {
    let site = Site::built();
    // 24 days old: fine with the default 90, stale with 20.
    site.replace(
        "site.toml",
        "review_after_days = 90",
        "review_after_days = 20",
    );
    let check = site.check();
    check.expect_success();
    assert_eq!(check.count("warning"), 3, "{check}");
}

#[test]
fn review_date_in_the_future_warns() {
    let site = Site::built();
    site.replace(SAMUEL, "reviewed = 2026-11-01", "reviewed = 2026-12-01");
    let at = site.pos(SAMUEL, "2026-12-01");
    let check = site.check();
    check.expect_success().expect_stderr(&at);
    assert_eq!(check.count("warning"), 1, "{check}");
    site.check_strict().expect_code(1).expect_stderr(&at);
}

#[test]
fn hours_when_nobody_can_be_reached_warn() {
    // No urgent line, no after-hours route: Ada's channels only cover weekdays.
    let site = Site::unbuilt();
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
    site.write("data/clinic.toml", &clinic);
    let check = site.check();
    check.expect_success();
    assert!(
        check.count("warning") >= 1 && check.stderr.contains(ADA),
        "expected a warning about the hours nobody answers for {ADA}\n{check}"
    );
    site.check_strict().expect_code(1);
}

#[test]
fn valid_site_checks_clean_under_strict_and_check_writes_nothing() {
    let site = Site::unbuilt();
    let before = site.snapshot();
    let check = site.check_strict();
    check.expect_success();
    assert_eq!(check.count("warning"), 0, "{check}");
    assert_eq!(check.count("error"), 0, "{check}");
    assert_same_tree(&before, &site.snapshot(), "the site folder after check");
}

#[test]
fn failed_first_build_creates_no_folder() {
    let site = Site::unbuilt();
    site.replace(NADIA, "\"+1 204 555 0142\"", "\"+1 204 555\"");
    let before = site.snapshot();
    site.build().expect_code(1);
    assert_same_tree(
        &before,
        &site.snapshot(),
        "the site folder after a failed build",
    );
}

// ---------------------------------------------------------------------------
// Exit statuses.

#[test]
fn unknown_flag_is_bad_usage() {
    let site = Site::built();
    let before = site.snapshot();
    let run = site.run("build", &["--frobnicate"]);
    run.expect_code(2);
    assert_same_tree(&before, &site.snapshot(), "the site folder");
    run_in(site.root(), &["check", "--site"]).expect_code(2);
    run_in(site.root(), &["publish"]).expect_code(2);
}

#[test]
fn output_folder_under_a_regular_file_is_an_io_error() {
    let site = Site::built();
    site.write("notes.txt", "a file, not a folder");
    let before = site.snapshot();
    let run = site.run("build", &["--output", "notes.txt/public"]);
    run.expect_code(2).expect_stderr("notes.txt");
    assert_same_tree(&before, &site.snapshot(), "the site folder");
}

#[test]
fn site_folder_that_does_not_exist_is_bad_usage() {
    let dir = Site::empty();
    let run = run_in(dir.root(), &["check", "--site", "no-such-site"]);
    run.expect_code(2).expect_stderr("no-such-site");
}

// ---------------------------------------------------------------------------
// The output.

fn relative_files(site: &Site, rel: &str) -> Vec<String> {
    site.files(rel)
        .into_iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|p| !p.starts_with(".howtoreach"))
        .collect()
}

#[test]
fn build_writes_the_spec_tree() {
    let site = Site::built();
    let public = relative_files(&site, "public");
    for slug in ["ada-byron", "nadia-okafor", "samuel-reyes"] {
        for file in [
            format!("providers/{slug}/index.html"),
            format!("providers/{slug}/{slug}.vcf"),
            format!("providers/{slug}/qr.svg"),
        ] {
            assert!(public.contains(&file), "no {file} in {public:#?}");
        }
    }
    for file in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "style.css",
    ] {
        assert!(
            public.contains(&file.to_string()),
            "no {file} in {public:#?}"
        );
    }
    assert!(
        !public.iter().any(|p| p.contains("handout")),
        "handouts in the public folder: {public:#?}"
    );
    let mut handouts = relative_files(&site, "handouts");
    handouts.sort();
    assert_eq!(
        handouts,
        ["ada-byron.html", "nadia-okafor.html", "samuel-reyes.html"]
    );
    let robots = site.read("public/robots.txt");
    assert!(
        robots.contains(&format!("Sitemap: {BASE_URL}/sitemap.xml")),
        "{robots}"
    );
    let qr = site.read("public/providers/nadia-okafor/qr.svg");
    assert!(qr.contains("<svg"), "{qr}");
    let index = site.read("public/index.html");
    for name in ["Ada Byron", "Nadia Okafor", "Samuel Reyes"] {
        assert!(index.contains(name), "index lacks {name}");
    }
    for file in [
        "public/index.html",
        "public/providers/nadia-okafor/index.html",
    ] {
        let page = site.read(file);
        assert!(
            page.trim_start()
                .to_ascii_lowercase()
                .starts_with("<!doctype html>"),
            "{file} is not an HTML5 document"
        );
        assert!(
            page.contains("If this is a medical emergency, call 911."),
            "{file} lacks the emergency text"
        );
    }
}

#[test]
fn emergency_text_comes_before_urgent_lines_and_channels() {
    let site = Site::built();
    let page = site.read("public/providers/nadia-okafor/index.html");
    let emergency = page
        .find("If this is a medical emergency")
        .expect("emergency text");
    let urgent = page.find("24-hour line").expect("urgent line");
    let channel = page.find("(204) 555-0142").expect("the preferred channel");
    assert!(emergency < urgent, "urgent line before the emergency text");
    assert!(urgent < channel, "a channel before the urgent line");
}

#[test]
fn sitemap_lists_every_page_with_urls_ending_in_slash() {
    let site = Site::built();
    let sitemap = site.read("public/sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().expect("closed"))
        .collect();
    assert!(locs.contains(&format!("{BASE_URL}/").as_str()), "{sitemap}");
    for slug in ["ada-byron", "nadia-okafor", "samuel-reyes"] {
        let url = format!("{BASE_URL}/providers/{slug}/");
        assert!(locs.contains(&url.as_str()), "no {url} in {sitemap}");
    }
    for loc in &locs {
        assert!(loc.ends_with('/'), "{loc} does not end in /");
        assert!(!loc.contains("handout"), "{loc}");
    }
}

#[test]
fn build_replaces_the_output_whole() {
    let site = Site::built();
    site.write("public/stale.html", "from an old build");
    site.remove(ADA);
    site.build().expect_success();
    assert!(!site.exists("public/providers/ada-byron"));
    assert!(!site.exists("handouts/ada-byron.html"));
    assert!(!site.exists("public/stale.html"));
    assert!(site.exists("public/providers/nadia-okafor/index.html"));
    let sitemap = site.read("public/sitemap.xml");
    assert!(!sitemap.contains("ada-byron"), "{sitemap}");
    let index = site.read("public/index.html");
    assert!(!index.contains("Ada Byron"), "index still lists Ada Byron");
    // No staging folder is left behind.
    let leftovers: Vec<String> = fs::read_dir(site.root())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains("previous"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn same_input_gives_byte_identical_output() {
    let first = Site::built();
    let public = first.tree("public");
    let handouts = first.tree("handouts");
    // Again in place.
    first.build().expect_success();
    assert_same_tree(
        &public,
        &first.tree("public"),
        "public/ after a second build",
    );
    assert_same_tree(
        &handouts,
        &first.tree("handouts"),
        "handouts/ after a second build",
    );
    // And in another folder: the site's location is not in the output.
    let second = Site::unbuilt();
    second.build().expect_success();
    assert_same_tree(&public, &second.tree("public"), "public/ built elsewhere");
    assert_same_tree(
        &handouts,
        &second.tree("handouts"),
        "handouts/ built elsewhere",
    );
}

#[test]
fn build_date_comes_from_source_date_epoch() {
    let site = Site::unbuilt();
    // A template that prints the build date.
    site.write(
        "templates/404.html",
        "<!DOCTYPE html><html lang=\"en\"><title>x</title><p>built {{ build.date }}</p></html>",
    );
    site.build().expect_success();
    let page = site.read("public/404.html");
    assert!(page.contains("built 2026-11-25"), "{page}");
}

#[test]
fn site_templates_and_static_files_win_over_built_ins() {
    let site = Site::unbuilt();
    site.write(
        "templates/provider.html",
        "<!DOCTYPE html><html lang=\"en\"><title>{{ provider.name }}</title>\
         <p>SITE-PROVIDER-TEMPLATE {{ provider.name }}</p></html>",
    );
    // Inheritance from a built-in template.
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}<p>SITE-INDEX-BLOCK</p>{% endblock content %}",
    );
    site.write("static/style.css", "/* SITE-STYLE */\n");
    site.write("static/img/logo.svg", "<svg/>");
    site.build().expect_success();
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(
        page.contains("SITE-PROVIDER-TEMPLATE Nadia Okafor"),
        "{page}"
    );
    let index = site.read("public/index.html");
    assert!(index.contains("SITE-INDEX-BLOCK"), "{index}");
    assert!(
        index.contains("If this is a medical emergency, call 911."),
        "the built-in base.html is not used: {index}"
    );
    assert_eq!(site.read("public/style.css"), "/* SITE-STYLE */\n");
    assert_eq!(site.read("public/img/logo.svg"), "<svg/>");
    // The built-in handout template is still used.
    let handout = site.read("handouts/nadia-okafor.html");
    assert!(!handout.contains("SITE-PROVIDER-TEMPLATE"), "{handout}");
}

#[test]
fn notes_hidden_files_and_editor_backups_in_templates_are_not_templates() {
    let site = Site::unbuilt();
    site.write(
        "templates/provider.html",
        "{% extends \"base.html\" %}{% block content %}<p>SITE-PROVIDER {{ provider.name }}</p>{% endblock content %}",
    );
    // Each of these would fail the build as a template.
    let broken = "{{ not a template";
    for name in [
        "README.md",
        "README",
        "notes.md",
        "LICENSE.txt",
        ".DS_Store",
        "provider.html~",
        "provider.html.bak",
        ".provider.html.swp",
        "#provider.html#",
        "4913",
        ".git/HEAD",
    ] {
        site.write(&format!("templates/{name}"), broken);
    }
    site.build().expect_success();
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(page.contains("SITE-PROVIDER Nadia Okafor"), "{page}");
    // Any other file is a template: its error is reported.
    site.write("templates/partials/card.txt", broken);
    site.build()
        .expect_code(1)
        .expect_stderr("templates/partials/card.txt");
}

#[test]
fn template_error_leaves_the_previous_output_untouched() {
    // Fails while rendering, after the output has started to be written.
    let site = Site::built();
    site.write(
        "templates/provider.html",
        "<!DOCTYPE html><html lang=\"en\"><title>x</title>{{ provider.no_such_field }}</html>",
    );
    let before = site.snapshot();
    site.build()
        .expect_code(1)
        .expect_stderr("templates/provider.html")
        .expect_help();
    assert_same_tree(
        &before,
        &site.snapshot(),
        "the site folder after a failed build",
    );
}

#[test]
fn a_build_that_fails_after_the_checks_still_shows_their_warnings() {
    let site = Site::built();
    site.replace(SAMUEL, "reviewed = 2026-11-01", "reviewed = 2025-01-01");
    let warning = site.pos(SAMUEL, "2025-01-01");
    // A template that cannot be read, and one that fails while rendering.
    for (template, text) in [
        ("templates/index.html", "{{ not a template"),
        (
            "templates/provider.html",
            "<!DOCTYPE html><html lang=\"en\"><title>x</title>{{ provider.no_such_field }}</html>",
        ),
    ] {
        site.write(template, text);
        let build = site.build();
        build
            .expect_code(1)
            .expect_stderr(template)
            .expect_stderr(&warning)
            .expect_stderr("build failed: 1 error, 1 warning;");
        site.remove(template);
    }
}

#[test]
fn an_error_in_a_built_in_template_names_it_and_the_sites_own_templates() {
    // The site's base.html hides `page` from the built-in provider.html,
    // which fails: there is no templates/provider.html to point at.
    let site = Site::built();
    site.write(
        "templates/base.html",
        "{% set page = 5 %}<html>{% block content %}{% endblock content %}</html>\n",
    );
    site.build()
        .expect_code(1)
        .expect_stderr("the built-in template provider.html")
        .expect_stderr("the site's own: templates/base.html")
        .expect_no_stderr("templates/provider.html");
}

#[test]
fn check_reports_template_errors() {
    // `check` passing should mean `build` succeeds.
    let site = Site::built();
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}{% for p in providers %}{{ p.name }}{% endblock content %}",
    );
    let before = site.snapshot();
    site.build()
        .expect_code(1)
        .expect_stderr("templates/index.html");
    assert_same_tree(
        &before,
        &site.snapshot(),
        "the site folder after a failed build",
    );
    site.check()
        .expect_code(1)
        .expect_stderr("templates/index.html");
}

#[test]
fn site_without_templates_or_static_builds_with_built_ins() {
    let site = Site::built();
    assert!(!site.exists("templates") && !site.exists("static"));
    let css = site.read("public/style.css");
    assert!(!css.trim().is_empty(), "built-in style.css is empty");
    let page = site.read("public/providers/samuel-reyes/index.html");
    assert!(page.contains("Samuel Reyes"), "{page}");
}

#[test]
fn command_line_paths_are_relative_to_the_current_folder() {
    let site = Site::unbuilt();
    let cwd = Site::empty();
    let root = site.root().to_str().expect("UTF-8");
    let run = run_in(
        cwd.root(),
        &[
            "build",
            "--site",
            root,
            "--output",
            "out",
            "--base-url",
            "https://other.example.net/reach",
        ],
    );
    run.expect_success();
    assert!(cwd.exists("out/index.html"), "{run}");
    assert!(!site.exists("out") && !site.exists("public"));
    // Handouts still go to handout_dir, relative to the site.
    assert!(site.exists("handouts/nadia-okafor.html"));
    let sitemap = cwd.read("out/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://other.example.net/reach/providers/nadia-okafor/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn build_ends_with_one_summary_line() {
    let site = Site::unbuilt();
    let run = site.build();
    run.expect_success();
    let last = run.stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.contains("3 providers") && last.contains("pages"),
        "summary line: {last:?}\n{run}"
    );
}

// ---------------------------------------------------------------------------
// Patients-only channels never reach the public site.

#[track_caller]
fn assert_no_secret_in_public(site: &Site) {
    let files = site.files("public");
    assert!(files.len() > 5, "the public folder is nearly empty");
    let hits = find_in_files(&files, SECRET_FORMS);
    assert!(
        hits.is_empty(),
        "a patients-only number is in the public site:\n{}",
        hits.join("\n")
    );
}

#[test]
fn patients_only_number_is_nowhere_in_the_public_output() {
    let site = Site::built();
    assert_no_secret_in_public(&site);
    // The other channels of the same provider are public.
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(page.contains("(204) 555-0142"), "public phone missing");
    assert!(page.contains("nadia.okafor@clinic.example.org"));
}

#[test]
fn patients_only_number_is_in_the_handout() {
    let site = Site::built();
    let handout = site.read("handouts/nadia-okafor.html");
    assert!(
        handout.contains("(204) 555-0177") || handout.contains(SECRET),
        "the handout lacks the patients-only number"
    );
    let other = site.read("handouts/samuel-reyes.html");
    assert!(
        !other.contains("555-0177"),
        "another provider's handout has it"
    );
}

#[test]
fn patients_only_channels_listed_first_are_still_not_published() {
    // "Best way first": a private line first must not become the public
    // "preferred" channel, and a patients-only e-mail is as private as a number.
    let site = Site::built();
    site.replace(
        NADIA,
        "[[channels]]\nkind = \"phone\"",
        "[[channels]]\nkind = \"email\"\nvalue = \"nadia.private@clinic.example.org\"\nvisibility = \"patients\"\n\n\
         [[channels]]\nkind = \"pager\"\nvalue = \"+1 204 555 0177\"\nvisibility = \"patients\"\n\n\
         [[channels]]\nkind = \"phone\"",
    );
    site.build().expect_success();
    assert_no_secret_in_public(&site);
    let hits = find_in_files(&site.files("public"), &["nadia.private"]);
    assert!(hits.is_empty(), "patients-only e-mail published: {hits:?}");
    let handout = site.read("handouts/nadia-okafor.html");
    assert!(handout.contains("nadia.private@clinic.example.org"));
    // The first public channel is the preferred one everywhere.
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(page.contains("(204) 555-0142"), "{page}");
}

#[test]
fn patients_only_number_that_another_provider_publishes_is_reported() {
    // Samuel's public line is Nadia's "private" one: it would be on the site anyway.
    let site = Site::built();
    site.replace(SAMUEL, "\"204-555-0150 ext. 12\"", "\"+1 204 555 0177\"");
    let at = site.pos(NADIA, "\"+1 204 555 0177\"");
    let check = site.check();
    check.expect_stderr(&at);
    assert!(
        check.count("warning") + check.count("error") >= 1,
        "{check}"
    );
}

#[test]
fn patients_only_number_as_written_in_its_file_is_caught_in_any_punctuation() {
    // Digits joined by slashes (or a non-breaking space) are not a form the
    // digit scan joins: the number is looked for as written too.
    for written in ["204/555/0177", "204\u{a0}555\u{a0}0177"] {
        let site = Site::unbuilt();
        site.replace(
            NADIA,
            "value = \"+1 204 555 0177\"",
            &format!("value = \"{written}\""),
        );
        site.replace(
            ADA,
            "response = \"next business day\"",
            &format!(
                "response = \"next business day\"\nnote = \"Dr. Okafor's patients: {written}.\""
            ),
        );
        site.build()
            .expect_code(1)
            .expect_stderr("contains Nadia Okafor's patients-only");
    }
}

#[test]
fn patients_only_short_numbers_are_not_found_in_dates_or_built_in_files() {
    // Danish and Swedish numbers have 8 or 9 digits: joined across
    // separators they would match the review date in the page and sitemap,
    // or a year in the built-in script. They are looked for as written.
    for (region, phone, private, urgent) in [
        ("DK", "+45 33 12 34 56", "20 26 11 01", "+45 70 11 11 11"),
        ("SE", "+46 8 123 456 78", "019-70 01 01", "+46 8 123 456 99"),
    ] {
        let site = Site::unbuilt();
        site.write(
            "data/clinic.toml",
            &format!(
                "name = \"Test Clinic\"\ntimezone = \"Europe/Copenhagen\"\nregion = \"{region}\"\nphone = \"{phone}\"\nhours = \"Mo-Fr 08:00-16:30\"\n\n[emergency]\nnumber = \"112\"\ntext = \"Call 112.\"\n\n[[urgent]]\nlabel = \"Day and night\"\nphone = \"{urgent}\"\nhours = \"24/7\"\nwhen = \"Fever.\"\n"
            ),
        );
        site.remove(SAMUEL);
        site.remove(NADIA);
        site.write(
            ADA,
            &format!(
                "name = \"Ada Byron\"\nrole = \"Counsellor\"\nreviewed = 2026-11-01\n\n[[channels]]\nkind = \"email\"\nvalue = \"ada.byron@clinic.example.org\"\n\n[[channels]]\nkind = \"mobile\"\nvalue = \"{private}\"\nvisibility = \"patients\"\n"
            ),
        );
        site.build().expect_success();
        assert_no_form_in_public(&site, private);
    }
}

/// `text` nowhere under `public/`.
fn assert_no_form_in_public(site: &Site, text: &str) {
    for (path, bytes) in site.tree("public") {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(text),
            "{text} in public/{}",
            path.display()
        );
    }
}

#[test]
fn templates_printing_every_channel_cannot_leak_a_patients_only_number() {
    let site = Site::built();
    site.write(
        "templates/provider.html",
        r#"<!DOCTYPE html><html lang="en"><title>{{ provider.name }}</title>
<ul>{% for c in provider.channels %}<li>{{ c.kind }}|{{ c.label }}|{{ c.value }}|{{ c.display }}|{% if c.href %}{{ c.href }}{% endif %}|{{ c.patients_only }}</li>{% endfor %}</ul>
<p>{{ provider.preferred.value }}</p>
<ol>{% for p in providers %}{% for c in p.channels %}<li>{{ p.slug }}|{{ c.value }}|{{ c.display }}|{% if c.href %}{{ c.href }}{% endif %}</li>{% endfor %}{% endfor %}</ol>
</html>"#,
    );
    site.write(
        "templates/index.html",
        r#"<!DOCTYPE html><html lang="en"><title>all</title>
<ul>{% for p in providers %}{% for c in p.channels %}<li>{{ p.slug }}|{{ c.kind }}|{{ c.value }}|{{ c.display }}|{% if c.href %}{{ c.href }}{% endif %}</li>{% endfor %}{% endfor %}</ul>
<ol>{% for d in departments %}{% for p in d.providers %}{% for c in p.channels %}<li>{{ c.value }}|{{ c.display }}</li>{% endfor %}{% endfor %}{% endfor %}</ol>
</html>"#,
    );
    site.build().expect_success();
    // The templates were used and printed the public channels...
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(
        page.contains("+1 204 555 0142|(204) 555-0142|tel:+12045550142"),
        "{page}"
    );
    let index = site.read("public/index.html");
    assert!(
        index.contains("nadia-okafor|email|nadia.okafor@clinic.example.org"),
        "{index}"
    );
    // ...and nothing else.
    assert_no_secret_in_public(&site);
    assert!(site.read("handouts/nadia-okafor.html").contains("555-0177"));
}

#[test]
fn summary_channels_carry_the_fields_spec_names() {
    // The same line for each channel, from the index's summaries and from the
    // provider's own page: SPEC's channel fields must agree.
    let line = "{{ c.index }}|{{ c.kind }}|{{ c.kind_label }}|{{ c.label }}|{{ c.value }}|{{ c.display }}|\
                {% if c.href %}{{ c.href }}{% endif %}|{{ c.action }}|{{ c.preferred }}|{{ c.patients_only }}|\
                {{ c.hours_text }}|{% if c.response_text %}{{ c.response_text }}{% endif %}|{{ c.note_html | safe }}";
    let site = Site::built();
    site.write(
        "templates/index.html",
        &format!(
            "<!DOCTYPE html><html lang=\"en\"><title>x</title>{{% for p in providers %}}{{% if p.slug == \"nadia-okafor\" %}}\
             {{% for c in p.channels %}}<li>{line}</li>\n{{% endfor %}}<p>{{{{ p.preferred.label }}}}</p>{{% endif %}}{{% endfor %}}</html>"
        ),
    );
    site.write(
        "templates/provider.html",
        &format!(
            "<!DOCTYPE html><html lang=\"en\"><title>x</title>{{% for c in provider.channels %}}<li>{line}</li>\n{{% endfor %}}\
             <p>{{{{ provider.preferred.label }}}}</p></html>"
        ),
    );
    site.build().expect_success();
    let index = site.read("public/index.html");
    let page = site.read("public/providers/nadia-okafor/index.html");
    let body = |html: &str| {
        let start = html.find("<li>").expect("a channel was printed");
        let end = html.rfind("</p>").expect("the preferred label was printed");
        html[start..end].to_string()
    };
    assert_eq!(body(&index), body(&page));
    assert!(index.contains("|email|"), "{index}");
    assert!(index.contains("Monday"), "hours_text is printed: {index}");
}

#[test]
fn templates_dumping_the_whole_context_cannot_leak_a_patients_only_number() {
    let site = Site::built();
    let dump = "<pre>{{ __tera_context }}</pre><pre>{{ providers | str }}</pre>\
                <pre>{{ departments | str }}</pre><pre>{{ clinic | str }}</pre>";
    site.write(
        "templates/provider.html",
        &format!(
            "<!DOCTYPE html><html lang=\"en\"><title>x</title>{dump}<pre>{{{{ provider | str }}}}</pre></html>"
        ),
    );
    site.write(
        "templates/index.html",
        &format!("<!DOCTYPE html><html lang=\"en\"><title>x</title>{dump}</html>"),
    );
    site.write(
        "templates/404.html",
        &format!("<!DOCTYPE html><html lang=\"en\"><title>x</title>{dump}</html>"),
    );
    site.build().expect_success();
    let page = site.read("public/providers/nadia-okafor/index.html");
    assert!(
        page.contains("nadia.okafor@clinic.example.org"),
        "the dump did not print the context: {page}"
    );
    assert_no_secret_in_public(&site);
}

#[test]
fn patients_only_number_stays_out_when_published_elsewhere_in_the_site() {
    // The handout template is the site's own too: it may show everything, but
    // it only ever goes to the handout folder.
    let site = Site::built();
    site.write(
        "templates/handout.html",
        "<!DOCTYPE html><html lang=\"en\"><title>x</title>\
         {% for c in provider.channels %}<p>{{ c.display }}</p>{% endfor %}</html>",
    );
    site.build().expect_success();
    assert!(
        site.read("handouts/nadia-okafor.html")
            .contains("(204) 555-0177")
    );
    assert_no_secret_in_public(&site);
}

// ---------------------------------------------------------------------------
// init

#[test]
fn init_writes_a_site_that_passes_strict_check_and_builds() {
    let parent = Site::empty();
    run_in(parent.root(), &["init", "clinic"]).expect_success();
    let new = parent.root().join("clinic");
    assert!(new.join("site.toml").is_file());
    let new_str = new.to_str().expect("UTF-8");
    let check = run_in(parent.root(), &["check", "--strict", "--site", new_str]);
    check.expect_success();
    assert_eq!(check.count("warning"), 0, "{check}");
    assert_eq!(check.count("error"), 0, "{check}");
    let build = run_in(parent.root(), &["build", "--site", new_str]);
    build.expect_success();
    assert!(new.join("public/index.html").is_file(), "{build}");
}

#[test]
fn init_into_an_empty_folder_works() {
    let dir = Site::empty();
    run_in(dir.root(), &["init", "."]).expect_success();
    assert!(dir.exists("site.toml") && dir.exists("data/clinic.toml"));
}

#[test]
fn init_into_a_non_empty_folder_fails_with_status_2() {
    let dir = Site::empty();
    dir.write("clinic/notes.txt", "mine");
    let before = dir.snapshot();
    run_in(dir.root(), &["init", "clinic"])
        .expect_code(2)
        .expect_stderr("clinic");
    assert_same_tree(&before, &dir.snapshot(), "the folder");
}

// ---------------------------------------------------------------------------
// vCard

#[test]
fn vcard_is_version_3_with_crlf_and_public_channels_only() {
    let site = Site::built();
    let card = fs::read(site.path("public/providers/nadia-okafor/nadia-okafor.vcf")).expect("vcf");
    let card = String::from_utf8(card).expect("UTF-8 vCard");
    assert!(
        card.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"),
        "{card:?}"
    );
    assert!(card.ends_with("END:VCARD\r\n"), "{card:?}");
    let without_crlf = card.replace("\r\n", "");
    assert!(
        !without_crlf.contains('\n') && !without_crlf.contains('\r'),
        "a line does not end in CRLF: {card:?}"
    );
    for line in card.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line:?}");
    }
    assert!(card.contains("FN:Nadia Okafor"), "{card}");
    assert!(
        card.contains("+12045550142"),
        "public phone missing: {card}"
    );
    assert!(card.contains("nadia.okafor@clinic.example.org"), "{card}");
    assert!(
        card.contains("https://portal.clinic.example.org/okafor"),
        "{card}"
    );
    for form in SECRET_FORMS {
        assert!(!card.contains(form), "patients-only {form} in {card}");
    }
    // An extension is written the vCard way.
    let samuel = site.read("public/providers/samuel-reyes/samuel-reyes.vcf");
    assert!(samuel.contains("TEL;"), "{samuel}");
    assert!(samuel.contains("+12045550150"), "{samuel}");
}

// ---------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_cannot_inject_scripts_or_javascript_links() {
    let site = Site::built();
    let baseline_page = site.read("public/providers/nadia-okafor/index.html");
    let about = r#"about = """
Dr. Okafor treats breast cancer.

<script>alert(1)</script>

<SCRIPT SRC="https://evil.example.com/x.js"></SCRIPT>

[click me](javascript:alert(1)) and [me too](JaVaScRiPt:alert(2)) and [data](data:text/html,hi)

<a href="javascript:alert(3)">raw link</a> <img src=x onerror=alert(4)>

![pixel](https://tracker.example.com/p.gif)
""""#;
    site.replace(NADIA, "about = \"Dr. Okafor treats breast cancer.\"", about);
    site.replace(
        NADIA,
        "not_for = [\"Emergencies\"]",
        "not_for = [\"Emergencies\"]\nnote = \"[call](javascript:alert(5)) <script>alert(6)</script>\"",
    );
    site.build().expect_success();
    let page = site.read("public/providers/nadia-okafor/index.html");
    let lower = page.to_ascii_lowercase();
    let scripts = |s: &str| s.to_ascii_lowercase().matches("<script").count();
    assert_eq!(
        scripts(&page),
        scripts(&baseline_page),
        "the about text added a <script> element: {page}"
    );
    for bad in [
        "javascript:",
        "data:text/html",
        "onerror",
        "evil.example.com",
        "tracker.example.com",
        "<img src=x",
    ] {
        assert!(!lower.contains(bad), "{bad} in the page: {page}");
    }
    // The words stay.
    assert!(page.contains("Dr. Okafor treats breast cancer."));
    assert!(page.contains("click me"), "{page}");
    let handout = site.read("handouts/nadia-okafor.html").to_ascii_lowercase();
    assert!(!handout.contains("javascript:") && !handout.contains("<script>alert"));
}

// ---------------------------------------------------------------------------
// Sanity of the helpers themselves.

#[test]
fn tree_bytes_sees_every_file_and_folder() {
    let dir = Site::empty();
    dir.write("a/b/c.txt", "x");
    dir.mkdir("empty");
    let tree = tree_bytes(dir.root());
    assert_eq!(tree.get(Path::new("a/b/c.txt")), Some(&b"x".to_vec()));
    assert!(tree.contains_key(&PathBuf::from("empty/")));
}

#[test]
fn rebuild_links_unchanged_files_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::unbuilt();
    site.build().expect_success();
    let inode = |rel: &str| {
        std::fs::metadata(site.path(rel))
            .map(|m| m.ino())
            .unwrap_or_default()
    };
    let unchanged = "public/providers/nadia-okafor/qr.svg";
    let changed = "public/providers/ada-byron/index.html";
    // The index is written in parts, compared with the live one as it goes.
    let index = "public/index.html";
    site.build().expect_success();
    let before_index = inode(index);
    assert_ne!(before_index, 0);
    site.build().expect_success();
    assert_eq!(
        inode(index),
        before_index,
        "an unchanged index keeps its inode"
    );
    let (before_unchanged, before_changed) = (inode(unchanged), inode(changed));
    site.replace(ADA, "role = \"Counsellor\"", "role = \"Senior counsellor\"");
    site.build().expect_success();
    assert_ne!(
        inode(index),
        before_index,
        "the index shows the role: written anew"
    );
    assert!(site.read(index).contains("Senior counsellor"));
    assert_eq!(
        inode(unchanged),
        before_unchanged,
        "an unchanged file keeps its inode"
    );
    assert_ne!(
        inode(changed),
        before_changed,
        "a changed file is written anew"
    );
    assert!(site.read(changed).contains("Senior counsellor"));
}

#[test]
fn init_dates_the_review_today_so_a_new_site_is_never_stale() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("later");
    // 2028-01-01 at noon UTC: long after the starter files were written.
    let out = howtoreach()
        .env("SOURCE_DATE_EPOCH", "1830340800")
        .arg("init")
        .arg(&site)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text =
        std::fs::read_to_string(site.join("data/providers/jane-doe.toml")).unwrap_or_default();
    assert!(text.contains("reviewed = 2028-01-01"), "{text}");
    let check = howtoreach()
        .env("SOURCE_DATE_EPOCH", "1830340800")
        .args(["check", "--strict", "--site"])
        .arg(&site)
        .output()
        .expect("runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

// Regressions from the review of the first session.

#[test]
fn patients_only_number_in_a_colleagues_text_fails_the_build() {
    let site = Site::built();
    let before = site.tree("public");
    site.replace(
        SAMUEL,
        "role = \"Nurse practitioner\"",
        "role = \"Nurse practitioner\"\nabout = \"Dr. Okafor's patients may also text her at 204-555-0177.\"",
    );
    let run = site.build();
    run.expect_code(1)
        .expect_stderr("contains Nadia Okafor's patients-only")
        .expect_help();
    assert_same_tree(
        &before,
        &site.tree("public"),
        "the output after a refused build",
    );
}

#[test]
fn patients_only_number_in_the_clinic_text_fails_the_build() {
    let site = Site::built();
    site.replace(
        "data/clinic.toml",
        "text = \"Outside clinic hours, call the answering service.\"",
        "text = \"Dr. Okafor's patients: (204) 555-0177.\"",
    );
    site.build()
        .expect_code(1)
        .expect_stderr("contains Nadia Okafor's patients-only");
}

#[test]
fn patients_only_url_that_prefixes_a_public_one_is_not_a_false_alarm() {
    let site = Site::unbuilt();
    site.write(
        NADIA,
        &format!(
            "{NADIA_TOML}\n[[channels]]\nkind = \"video\"\nvalue = \"https://portal.clinic.example.org\"\nvisibility = \"patients\"\n"
        ),
    );
    site.build().expect_success();
}

#[test]
fn static_data_folder_does_not_block_the_next_build() {
    let site = Site::unbuilt();
    site.write("static/data/fees.txt", "x");
    site.build().expect_success();
    site.build().expect_success();
    assert_eq!(site.read("public/data/fees.txt"), "x");
}

#[test]
fn providers_in_a_linked_folder_inside_the_site_are_loaded() {
    let site = Site::unbuilt();
    let text = site.read(ADA);
    site.remove(ADA);
    site.write("shared/team/ada-byron.toml", &text);
    let _ = std::os::unix::fs::symlink("../../shared/team", site.path("data/providers/team"));
    site.build().expect_success();
    assert!(site.exists("public/providers/ada-byron/index.html"));
}

#[test]
fn linked_folder_loops_in_providers_are_errors_not_hangs() {
    // A link back to a folder the walk is in, and two folders linking to each other.
    let site = Site::unbuilt();
    std::os::unix::fs::symlink("..", site.path("data/providers/back")).expect("symlink");
    site.write("shared/a/x.txt", "");
    site.write("shared/b/y.txt", "");
    std::os::unix::fs::symlink("../b", site.path("shared/a/to-b")).expect("symlink");
    std::os::unix::fs::symlink("../a", site.path("shared/b/to-a")).expect("symlink");
    std::os::unix::fs::symlink("../../shared/a", site.path("data/providers/a")).expect("symlink");
    site.check()
        .expect_code(1)
        .expect_stderr("data/providers/back is a symbolic link to a folder it is inside")
        .expect_stderr("to-a is a symbolic link to a folder it is inside");
}

#[test]
fn folders_linking_to_each_other_in_providers_are_a_loop() {
    let site = Site::unbuilt();
    site.write("data/providers/a/x.txt", "");
    site.write("data/providers/b/y.txt", "");
    std::os::unix::fs::symlink("../b", site.path("data/providers/a/to-b")).expect("symlink");
    std::os::unix::fs::symlink("../a", site.path("data/providers/b/to-a")).expect("symlink");
    site.check()
        .expect_code(1)
        .expect_stderr("data/providers/a/to-b/to-a is a symbolic link to a folder it is inside");
}

#[test]
fn a_providers_folder_linked_outside_the_site_is_refused() {
    let site = Site::unbuilt();
    let outside = tempfile::tempdir().expect("temporary folder");
    fs::rename(
        site.path("data/providers"),
        outside.path().join("providers"),
    )
    .expect("move");
    std::os::unix::fs::symlink(
        outside.path().join("providers"),
        site.path("data/providers"),
    )
    .expect("symlink");
    site.check()
        .expect_code(1)
        .expect_stderr("data/providers leads outside the site");
}

#[test]
fn a_static_file_replacing_a_built_in_one_never_writes_into_the_live_output() {
    // The generated robots.txt of the next build is hard-linked to the live
    // one; static/robots.txt then replaces it in staging, and the build fails
    // later: the live file must be as it was.
    let site = Site::built();
    let before = site.read("public/robots.txt");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    site.write(
        "templates/provider.html",
        "<!DOCTYPE html><html lang=\"en\"><title>x</title>{{ provider.no_such_field }}</html>",
    );
    site.build().expect_code(1);
    assert_eq!(site.read("public/robots.txt"), before);
    // Fixed, the build uses the site's file.
    site.remove("templates/provider.html");
    site.build().expect_success();
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
}

#[test]
fn a_linked_provider_file_inside_the_site_is_loaded() {
    let site = Site::unbuilt();
    let text = site.read(ADA);
    site.remove(ADA);
    site.write("shared/ada.toml", &text);
    std::os::unix::fs::symlink(
        "../../shared/ada.toml",
        site.path("data/providers/ada-byron.toml"),
    )
    .expect("symlink");
    site.build().expect_success();
    assert!(site.exists("public/providers/ada-byron/index.html"));
}

#[test]
fn own_after_hours_replaces_the_clinic_text_and_line() {
    let site = Site::unbuilt();
    site.write(
        ADA,
        &format!("{ADA_TOML}\n[after_hours]\ncovering = [\"samuel-reyes\"]\n"),
    );
    site.build().expect_success();
    let page = site.read("public/providers/ada-byron/index.html");
    assert!(
        !page.contains("Outside clinic hours, call the answering service."),
        "{page}"
    );
}

#[test]
fn output_folder_that_is_a_symbolic_link_is_refused() {
    let site = Site::unbuilt();
    let elsewhere = tempfile::tempdir().expect("a temporary folder");
    let _ = std::os::unix::fs::symlink(elsewhere.path(), site.path("public"));
    site.build()
        .expect_code(1)
        .expect_stderr("is a symbolic link");
    assert!(
        std::fs::read_dir(elsewhere.path())
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
    );
}

#[test]
fn patients_only_extension_of_a_public_line_is_not_called_published() {
    let site = Site::unbuilt();
    site.replace(
        NADIA,
        "value = \"+1 204 555 0177\"",
        "value = \"+1 204 555 0100 ext. 4321\"",
    );
    let check = site.check();
    check.expect_no_stderr("is also published");
}

#[test]
fn source_date_far_in_the_future_is_an_error_not_a_crash() {
    let site = Site::unbuilt();
    let out = howtoreach()
        .env("SOURCE_DATE_EPOCH", "8210266876799")
        .args(["check", "--site"])
        .arg(site.root())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("outside the years 1970 to 9000"),
        "{stderr}"
    );
}

#[test]
fn summary_line_counts_the_files_actually_written() {
    let site = Site::unbuilt();
    // A static file with the name of a built-in asset replaces it: counted once.
    site.write("static/style.css", "body { color: black }");
    let run = site.build();
    run.expect_success();
    let written = ["public", "handouts"]
        .iter()
        .flat_map(|d| site.files(d))
        .filter(|(p, _)| !p.ends_with(".howtoreach"))
        .count();
    run.expect_stderr(&format!("({written} files)"));
}

#[test]
fn site_language_sets_html_lang() {
    let site = Site::unbuilt();
    site.replace(
        "site.toml",
        "review_after_days = 90",
        "review_after_days = 90\nlanguage = \"fr-CA\"",
    );
    site.build().expect_success();
    for page in [
        "public/index.html",
        "public/providers/ada-byron/index.html",
        "public/404.html",
    ] {
        assert!(site.read(page).contains("<html lang=\"fr-CA\""), "{page}");
    }
}

#[test]
fn qr_code_decodes_to_the_pages_absolute_url() {
    let site = Site::unbuilt();
    site.run("build", &["--base-url", "https://reach.example.org/clinic"])
        .expect_success();
    let svg = site.read("public/providers/nadia-okafor/qr.svg");
    let url = "https://reach.example.org/clinic/providers/nadia-okafor/";
    // The file is the code of the page's absolute address. That its path
    // draws exactly the code's modules is proved in src/render/qr.rs
    // (`the_path_draws_exactly_the_dark_modules`), and in Chromium by
    // tests/browser (decoded with jsqr).
    assert_eq!(
        Some(svg),
        howtoreach::render::qr::qr_svg(url, "QR code linking to the page of Nadia Okafor")
    );
    // And the code reads back as that address (rqrr, an independent decoder).
    let (width, grid) = howtoreach::render::qr::modules(url.as_bytes()).unwrap_or_default();
    let scale = 4;
    let size = (width + 8) * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        if mx < width && my < width && grid[my * width + mx] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let text = grids[0].decode().map(|(_, t)| t).unwrap_or_default();
    assert_eq!(text, url);
}

#[test]
fn a_patients_only_number_published_anyway_names_where_it_is_published() {
    // The clinic's lines are named as the clinic's; a number two providers
    // publish, by the first of them (Ada, before Samuel in file order).
    let site = Site::unbuilt();
    site.replace(
        SAMUEL,
        "kind = \"in-person\"",
        "kind = \"sms\"\nvalue = \"(204) 555-0160\"\n\n[[channels]]\nkind = \"in-person\"",
    );
    let mut nadia = site.read(NADIA);
    for number in [
        "+1 204 555 0100",
        "+1 204 555 0199",
        "+1 204 555 0198",
        "+1 204 555 0160",
    ] {
        nadia.push_str(&format!(
            "\n[[channels]]\nkind = \"phone\"\nvalue = \"{number}\"\nvisibility = \"patients\"\n"
        ));
    }
    site.write(NADIA, &nadia);
    let check = site.check();
    for place in [
        "(204) 555-0100 is also published as the clinic's main line",
        "(204) 555-0199 is also published as the clinic's 24-hour line",
        "(204) 555-0198 is also published as the clinic's after-hours line",
        "(204) 555-0160 is also published as Ada Byron's",
    ] {
        check.expect_stderr(place);
    }
    check.expect_no_stderr("Samuel Reyes's");
}
