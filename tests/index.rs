//! The built-in index is written without the template engine when a site
//! replaces neither `index.html` nor `base.html` (`src/render/index.rs`). It
//! must be the page the templates give, byte for byte: each case here builds a
//! site as it is, and again with the built-in `index.html` copied into its
//! `templates/` (which makes Tera render it), and compares the two.

mod common;

use common::*;

const BUILTIN_INDEX: &str = include_str!("../templates/index.html");

/// Builds `site` both ways and asserts the same `index.html`.
fn assert_index_matches_the_template(site: &Site, case: &str) {
    site.build().expect_success();
    let native = site.read("public/index.html");
    site.write("templates/index.html", BUILTIN_INDEX);
    site.build().expect_success();
    let tera = site.read("public/index.html");
    site.remove("templates/index.html");
    if native != tera {
        let line = native
            .lines()
            .zip(tera.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| native.lines().count().min(tera.lines().count()));
        panic!(
            "{case}: the index differs from the template's at line {}:\n  written:  {:?}\n  template: {:?}",
            line + 1,
            native.lines().nth(line),
            tera.lines().nth(line)
        );
    }
}

#[test]
fn index_matches_the_template_on_the_test_site() {
    assert_index_matches_the_template(&Site::unbuilt(), "the test site");
}

#[test]
fn index_matches_the_template_with_a_bare_clinic() {
    let site = Site::unbuilt();
    site.write(
        "data/clinic.toml",
        r#"name = "Bare & <Plain> Clinic"
timezone = "America/Winnipeg"
region = "CA"
phone = "+1 204 555 0100 ext. 7"
hours = "Mo-Fr 08:00-16:30; Sa 10:00-12:00"
website = "https://clinic.example.org/"

[emergency]
number = "112"
text = "In an emergency, call \"112\" — it's free."
"#,
    );
    assert_index_matches_the_template(
        &site,
        "a clinic with no address, urgent line, closures or after-hours",
    );
}

#[test]
fn index_matches_the_template_with_other_clinic_details() {
    let site = Site::unbuilt();
    site.replace(
        "data/clinic.toml",
        "address = \"1 Main St, Winnipeg MB R3E 0V9\"",
        "address = \"1 Main St, Winnipeg MB R3E 0V9\"\nwebsite = \"https://www.example.org/about?a=1&b=<2>\"",
    );
    site.replace(
        "data/clinic.toml",
        "note = \"Closed for the holidays.\"",
        "",
    );
    assert_index_matches_the_template(&site, "a clinic website, a closure without a note");
}

#[test]
fn index_matches_the_template_with_every_kind_of_preferred_channel() {
    let site = Site::unbuilt();
    let kinds = [
        ("in-person", "Room 4B, \"north\" <wing> & more"),
        ("fax", "+1 204 555 0120"),
        ("portal", "https://portal.clinic.example.org/a?b=1&c=2"),
        ("video", "https://video.clinic.example.org/x"),
        ("sms", "+1 204 555 0121"),
        ("pager", "+1 204 555 0122 ext. 45"),
        ("answering-service", "+1 204 555 0123"),
        ("mobile", "+1 204 555 0124"),
        ("email", "oneil@clinic.example.org"),
    ];
    for (i, (kind, value)) in kinds.iter().enumerate() {
        let department = if i % 3 == 0 {
            String::new()
        } else {
            format!("department = \"Dept {} & <Co>\"\n", i % 2)
        };
        let languages = match i % 3 {
            0 => "",
            1 => "languages = [\"en\"]\n",
            _ => "languages = [\"fr\", \"pt-BR\", \"xx\"]\n",
        };
        let credentials = if i % 2 == 0 {
            "credentials = \"MD\"\n"
        } else {
            ""
        };
        let hours = if i % 2 == 0 {
            "hours = \"Tu 09:00-12:00\"\n"
        } else {
            ""
        };
        let away = if i == 4 {
            "\n[[away]]\nfrom = 2026-11-20\nto = 2026-11-30\n"
        } else {
            ""
        };
        site.write(
            &format!("data/providers/kind-{i}.toml"),
            &format!(
                "name = \"Zoë O'Brien-{i} <&>\"\nrole = \"Role \\\"{kind}\\\"\"\n{department}{languages}{credentials}reviewed = 2026-11-01\n\n[[channels]]\nkind = \"{kind}\"\nvalue = '{value}'\n{hours}label = \"Label's {i}\"\n{away}"
            ),
        );
    }
    assert_index_matches_the_template(&site, "every kind of preferred channel");
}

#[test]
fn index_matches_the_template_with_no_providers() {
    let site = Site::unbuilt();
    site.remove(NADIA);
    site.remove(SAMUEL);
    site.remove(ADA);
    assert_index_matches_the_template(&site, "no providers");
}
