//! Arbitrary bytes as a provider file, through the whole pipeline: load,
//! check, reachability, render (in memory). Nothing may panic, and a
//! patients-only value must never reach a public file.
#![no_main]

use std::sync::OnceLock;

use howtoreach::output::MemoryOutput;
use libfuzzer_sys::fuzz_target;

const SITE: &str = "base_url = \"https://clinic.example.org\"\n";
const CLINIC: &str = r#"name = "Fuzz Clinic"
timezone = "America/Winnipeg"
region = "CA"
phone = "+1 204 555 0100"
hours = "Mo-Fr 08:00-16:30"
[emergency]
number = "911"
text = "Call 911."
[[urgent]]
label = "24-hour line"
phone = "+1 204 555 0199"
hours = "24/7"
when = "Fever."
"#;
const COLLEAGUE: &str = r#"name = "Sam Lee"
role = "Nurse"
reviewed = 2026-11-01
[[channels]]
kind = "phone"
value = "+1 204 555 0150"
"#;

fn site_dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("howtoreach-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("data/providers"));
        let _ = std::fs::write(dir.join("site.toml"), SITE);
        let _ = std::fs::write(dir.join("data/clinic.toml"), CLINIC);
        let _ = std::fs::write(dir.join("data/providers/sam-lee.toml"), COLLEAGUE);
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = site_dir();
    if std::fs::write(dir.join("data/providers/fuzzed.toml"), data).is_err() {
        return;
    }
    let opts = howtoreach::Options {
        site: dir.to_path_buf(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
        ..Default::default()
    };
    let (site, diags) = howtoreach::load_and_check(&opts);
    for d in diags.iter() {
        let _ = d.render(false);
    }
    let Some((site, _)) = site else { return };
    let Ok(mut tera) = howtoreach::render::load_templates(dir) else { return };
    let out = MemoryOutput::default();
    if howtoreach::render::render_site(&site, &mut tera, &out).is_err() {
        return;
    }
    // No patients-only phone number in any public file.
    let files = out.files.lock().map(|f| f.clone()).unwrap_or_default();
    for p in &site.providers {
        for c in p.channels.iter().filter(|c| !c.is_public()) {
            let howtoreach::model::ChannelValue::Phone(phone) = &c.value else { continue };
            let published = site.providers.iter().flat_map(|q| q.public_channels()).any(|q| {
                matches!(&q.value, howtoreach::model::ChannelValue::Phone(x) if x.e164 == phone.e164)
            }) || ["+12045550100", "+12045550199"].contains(&phone.e164.as_str());
            if published {
                continue;
            }
            for ((dest, path), bytes) in &files {
                if *dest == 0 {
                    let text = String::from_utf8_lossy(bytes);
                    assert!(!text.contains(&phone.e164), "{} leaked into {path}", phone.e164);
                    assert!(!text.contains(&phone.display), "{} leaked into {path}", phone.display);
                }
            }
        }
    }
});
