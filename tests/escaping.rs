//! Property: an arbitrary string in any text field never produces markup in
//! any output file. Each field gets a payload `<zz-inject>` wrapped in random
//! text; after rendering (in memory, built-in templates), no HTML, XML, SVG or
//! JSON output contains the raw tag.

use std::fs;
use std::path::Path;

use howtoreach::output::MemoryOutput;
use proptest::prelude::*;

const TAG: &str = "<zz-inject";

/// A TOML basic string holding `s` (escapes quotes, backslashes and controls).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_site(dir: &Path, t: &[String]) {
    let f = |i: usize| toml_str(&t[i % t.len()]);
    let _ = fs::create_dir_all(dir.join("data/providers"));
    let _ = fs::write(
        dir.join("site.toml"),
        "base_url = \"https://clinic.example.org\"\n",
    );
    let clinic = format!(
        "name = {}\ntimezone = \"America/Winnipeg\"\nregion = \"CA\"\nphone = \"+1 204 555 0100\"\nhours = \"Mo-Fr 08:00-16:30\"\naddress = {}\n\
[emergency]\nnumber = \"911\"\ntext = {}\n\
[[urgent]]\nlabel = {}\nphone = \"+1 204 555 0199\"\nhours = \"24/7\"\nwhen = {}\n\
[after_hours]\ntext = {}\nphone = \"+1 204 555 0198\"\n\
[[closures]]\ndate = 2026-12-25\nnote = {}\n",
        f(0),
        f(1),
        f(2),
        f(3),
        f(4),
        f(5),
        f(6)
    );
    let _ = fs::write(dir.join("data/clinic.toml"), clinic);
    let provider = format!(
        "name = {}\nsort_as = {}\ncredentials = {}\npronouns = {}\nrole = {}\ndepartment = {}\nreviewed = 2026-11-01\nabout = {}\n\
[[channels]]\nkind = \"phone\"\nlabel = {}\nvalue = \"+1 204 555 0142\"\nuse_for = [{}]\nnot_for = [{}]\nnote = {}\n\
[[channels]]\nkind = \"in-person\"\nvalue = {}\n\
[after_hours]\ntext = {}\ncovering = [\"sam-lee\"]\n",
        f(7),
        f(8),
        f(9),
        f(10),
        f(11),
        f(12),
        f(13),
        f(14),
        f(15),
        f(16),
        f(17),
        f(18),
        f(19)
    );
    let _ = fs::write(dir.join("data/providers/ada-byron.toml"), provider);
    let _ = fs::write(
        dir.join("data/providers/sam-lee.toml"),
        "name = \"Sam Lee\"\nrole = \"Nurse\"\nreviewed = 2026-11-01\n[[channels]]\nkind = \"phone\"\nvalue = \"+1 204 555 0150\"\n",
    );
}

fn payload() -> impl Strategy<Value = String> {
    (
        "[^\\x00-\\x1f\\x7f]{0,12}",
        prop_oneof![
            Just("<zz-inject>".to_string()),
            Just("\"><zz-inject onerror=alert(1)>".to_string()),
            Just("</script><zz-inject>".to_string()),
            Just("]]><zz-inject/>".to_string()),
            Just("<zz-inject>**bold**</zz-inject>".to_string()),
            Just("[x](javascript:alert(1))<zz-inject>".to_string()),
        ],
        "[^\\x00-\\x1f\\x7f]{0,12}",
    )
        .prop_map(|(a, p, b)| {
            let s = format!("{a}{p}{b}");
            // Names and labels must not be blank; everything else is free text.
            if s.trim().is_empty() {
                "x".to_string()
            } else {
                s
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn text_fields_never_produce_markup(texts in proptest::collection::vec(payload(), 20)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        write_site(dir.path(), &texts);
        let opts = howtoreach::Options {
            site: dir.path().to_path_buf(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
            ..Default::default()
        };
        let (site, diags) = howtoreach::load_and_check(&opts);
        let Some((site, _)) = site else {
            // Some random texts are invalid where a value is parsed (none here is); report why.
            return Err(TestCaseError::fail(format!("site did not load: {:?}", diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>())));
        };
        let mut tera = howtoreach::render::load_templates(dir.path())
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let out = MemoryOutput::default();
        howtoreach::render::render_site(&site, &mut tera, &out)
            .map_err(|d| TestCaseError::fail(format!("{:?}", d.iter().map(|d| d.message.clone()).collect::<Vec<_>>())))?;
        let files = out.files.lock().map(|f| f.clone()).unwrap_or_default();
        prop_assert!(files.len() > 5);
        for ((_, path), bytes) in &files {
            if path.ends_with(".vcf") || path.ends_with(".txt") {
                continue; // plain text formats: no markup to produce
            }
            let text = String::from_utf8_lossy(bytes);
            prop_assert!(!text.contains(TAG), "{path} contains a raw tag from a text field");
            // Text may mention `javascript:`; an attribute may never start with it.
            for quote in ["=\"javascript:", "='javascript:", "=javascript:"] {
                prop_assert!(!text.to_lowercase().contains(quote), "{path} contains a javascript: link");
            }
        }
    }
}
