//! The built-in pages are written without the template engine when a site
//! replaces none of their templates (`src/render/native/`). They must be the
//! pages the templates give, byte for byte: each case here builds a site as
//! it is, and again with the built-in templates copied into its `templates/`
//! (which makes Tera render every page), and compares every file.

mod common;

use common::*;

const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("provider.html", include_str!("../templates/provider.html")),
    ("handout.html", include_str!("../templates/handout.html")),
];

/// Builds `site` both ways and asserts the same output, file for file.
fn assert_pages_match_the_templates(site: &Site, case: &str) {
    let output = || {
        let mut files = site.tree("public");
        for (path, bytes) in site.tree("handouts") {
            files.insert(std::path::Path::new("handouts").join(path), bytes);
        }
        files
    };
    site.build().expect_success();
    let native = output();
    for (name, text) in BUILTIN {
        site.write(&format!("templates/{name}"), text);
    }
    site.build().expect_success();
    let tera = output();
    std::fs::remove_dir_all(site.path("templates")).expect("remove templates/");
    assert_eq!(
        native.keys().collect::<Vec<_>>(),
        tera.keys().collect::<Vec<_>>(),
        "{case}: the same files"
    );
    let mut compared = 0;
    for (path, written) in &native {
        let from_templates = &tera[path];
        if path.extension().is_some_and(|e| e == "html") {
            compared += 1;
        }
        if written != from_templates {
            let (a, b) = (
                String::from_utf8_lossy(written),
                String::from_utf8_lossy(from_templates),
            );
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
            panic!(
                "{case}: {} differs from the templates' at line {}:\n  written:  {:?}\n  template: {:?}",
                path.display(),
                line + 1,
                a.lines().nth(line),
                b.lines().nth(line)
            );
        }
    }
    assert!(compared > 0, "{case}: no pages compared");
}

#[test]
fn pages_match_the_templates_on_the_test_site() {
    assert_pages_match_the_templates(&Site::unbuilt(), "the test site");
}

#[test]
fn pages_match_the_templates_with_a_bare_clinic() {
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
    assert_pages_match_the_templates(
        &site,
        "a clinic with no address, urgent line, closures or after-hours",
    );
}

#[test]
fn pages_match_the_templates_with_other_clinic_details() {
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
    assert_pages_match_the_templates(&site, "a clinic website, a closure without a note");
}

#[test]
fn pages_match_the_templates_with_every_kind_of_preferred_channel() {
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
    assert_pages_match_the_templates(&site, "every kind of preferred channel");
}

#[test]
fn pages_match_the_templates_with_no_providers() {
    let site = Site::unbuilt();
    site.remove(NADIA);
    site.remove(SAMUEL);
    site.remove(ADA);
    assert_pages_match_the_templates(&site, "no providers");
}

#[test]
fn pages_match_the_templates_with_every_provider_detail() {
    let site = Site::unbuilt();
    site.write("static/photos/lee.jpg", "not really a photo");
    site.write(
        "data/providers/lee-kim.toml",
        r#"name = "Lee <Kim> & \"Co\""
credentials = "MBBS, O'Neil"
pronouns = "they/them"
role = "Palliative care physician"
department = "Supportive care"
languages = ["ko", "en"]
photo = "photos/lee.jpg"
reviewed = 2026-11-01
about = """
Dr. Kim's *clinic* runs on [Tuesdays](https://example.org/tue) & <b>Thursdays</b>.

- one
- two
"""

[[channels]]
kind = "mobile"
label = "Lee's own mobile"
value = "+1 204 555 0181"
visibility = "patients"
hours = "Mo-Fr 07:00-22:00"
response = "30 minutes"
use_for = ["Pain that <will not> settle", "Questions & worries"]

[[channels]]
kind = "pager"
value = "+1 204 555 0182 ext. 9"
hours = "24/7"
response = "15 minutes"
not_for = ["Prescription \"refills\""]
note = "Say **your name** and number, then wait for the tone."

[[channels]]
kind = "fax"
value = "+1 204 555 0183"
note = "Say **your name** and number, then wait for the tone."

[after_hours]
text = "Overnight, the pager is answered by the on-call doctor."
covering = ["samuel-reyes", "ada-byron"]

[[away]]
from = 2026-11-20
to = 2026-11-28

[[away]]
from = 2027-02-01
to = 2027-02-05
covering = "ada-byron"
"#,
    );
    // One public channel only: its section opens and closes at once.
    site.write(
        "data/providers/solo-one.toml",
        "name = \"Solo One\"\nrole = \"Dietitian\"\nreviewed = 2026-11-01\n\n[[channels]]\nkind = \"in-person\"\nvalue = \"Room 2, Main & 1st\"\nhours = \"We 13:00-15:00\"\n",
    );
    // Answered at every hour: no routes (with the clinic's after-hours line,
    // then without it).
    site.write(
        "data/providers/always-on.toml",
        "name = \"Always On\"\nrole = \"Triage nurse\"\nreviewed = 2026-11-01\n\n[[channels]]\nkind = \"answering-service\"\nvalue = \"+1 204 555 0185\"\nhours = \"24/7\"\n",
    );
    assert_pages_match_the_templates(&site, "every provider detail");
    // The same without the clinic's urgent lines and after-hours line: some
    // hours have no route at all.
    site.write(
        "data/clinic.toml",
        r#"name = "Test Clinic"
timezone = "America/Winnipeg"
region = "CA"
phone = "+1 204 555 0100"
hours = "Mo-Fr 08:00-16:30"

[emergency]
number = "911"
text = "If this is a medical emergency, call 911."
"#,
    );
    assert_pages_match_the_templates(&site, "no urgent line, no clinic after-hours line");
}

#[test]
fn a_site_template_extending_the_built_in_index_gets_every_provider() {
    // The index lists every provider: a 404 page made from it needs them in
    // its context, though the index itself is written directly.
    let site = Site::unbuilt();
    site.write("templates/404.html", "{% extends \"index.html\" %}");
    site.build().expect_success();
    let page = site.read("public/404.html");
    for name in ["Nadia Okafor", "Samuel Reyes", "Ada Byron"] {
        assert!(page.contains(name), "{name} missing from the 404 page");
    }
}

#[test]
fn pages_match_the_templates_when_a_site_replaces_only_the_handout() {
    let site = Site::unbuilt();
    site.write("templates/handout.html", BUILTIN[3].1);
    assert_pages_match_the_templates(&site, "only handout.html replaced");
}

#[test]
fn pages_match_the_templates_with_urgent_lines_as_the_route() {
    // Two urgent lines, a clinic after-hours text without a phone (so the
    // urgent lines are the route at night), a provider with pronouns only.
    let site = Site::unbuilt();
    site.replace(
        "data/clinic.toml",
        "text = \"Outside clinic hours, call the answering service.\"\nphone = \"+1 204 555 0198\"",
        "text = \"Outside clinic hours, call an urgent line.\"",
    );
    site.replace(
        "data/clinic.toml",
        "[after_hours]",
        "[[urgent]]\nlabel = \"Evening nurse line\"\nphone = \"+1 204 555 0197 ext. 3\"\nhours = \"Mo-Fr 16:30-22:00\"\nwhen = \"A question that cannot wait for morning.\"\n\n[after_hours]",
    );
    site.replace(
        ADA,
        "role = \"Counsellor\"",
        "role = \"Counsellor\"\npronouns = \"she/her\"",
    );
    assert_pages_match_the_templates(&site, "urgent lines as the route");
    let ada = site.read("public/providers/ada-byron/index.html");
    assert!(ada.contains("route-urgent"), "{ada}");
}
