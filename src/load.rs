//! Loading: read `site.toml`, `data/clinic.toml` and every provider file, keep
//! spans, and build the validated model once.
//!
//! Reading a file and parsing its text are separate functions: the parsers take
//! a [`SourceFile`] so tests can call them on string literals. Raw structs
//! mirror the TOML exactly (`deny_unknown_fields`); the `*_from_raw` functions
//! destructure every raw field, so a new field cannot be silently ignored.
//! A provider file in the usual form fills its raw struct straight from the
//! TOML parser's events ([`events`]); serde fills it otherwise, and names
//! every error. (`events` builds those structs field by field: a new field
//! does not compile until it reads that key too.)

use rustc_hash::FxHashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::value::Datetime;

mod events;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{
    self, Away, Channel, ChannelKind, ChannelValue, Clinic, ClinicAfterHours, Closure, Closures,
    Config, Emergency, Hours, Phone, Provider, ProviderAfterHours, Response, Urgent, Visibility,
};

/// Provider files larger than this are refused (a provider file is a few KB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------
// Raw structs: the TOML as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: Spanned<String>,
    output_dir: Option<Spanned<String>>,
    handout_dir: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    review_after_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClinic {
    name: Spanned<String>,
    timezone: Spanned<String>,
    region: Spanned<String>,
    phone: Spanned<String>,
    hours: Spanned<String>,
    address: Option<Spanned<String>>,
    website: Option<Spanned<String>>,
    emergency: RawEmergency,
    #[serde(default)]
    urgent: Vec<RawUrgent>,
    after_hours: Option<RawClinicAfterHours>,
    #[serde(default)]
    closures: Vec<Spanned<RawClosure>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmergency {
    number: Spanned<String>,
    text: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUrgent {
    label: Spanned<String>,
    phone: Spanned<String>,
    hours: Spanned<String>,
    when: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClinicAfterHours {
    text: Spanned<String>,
    phone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosure {
    date: Option<Spanned<Datetime>>,
    from: Option<Spanned<Datetime>>,
    to: Option<Spanned<Datetime>>,
    note: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[cfg_attr(any(test, fuzzing), derive(Debug))]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: Spanned<String>,
    sort_as: Option<Spanned<String>>,
    credentials: Option<Spanned<String>>,
    pronouns: Option<Spanned<String>>,
    role: Spanned<String>,
    department: Option<Spanned<String>>,
    #[serde(default)]
    languages: Vec<Spanned<String>>,
    photo: Option<Spanned<String>>,
    reviewed: Spanned<Datetime>,
    about: Option<Spanned<String>>,
    #[serde(default)]
    channels: Vec<Spanned<RawChannel>>,
    after_hours: Option<RawProviderAfterHours>,
    #[serde(default)]
    away: Vec<Spanned<RawAway>>,
}

#[derive(Deserialize)]
#[cfg_attr(any(test, fuzzing), derive(Debug))]
#[serde(deny_unknown_fields)]
struct RawChannel {
    kind: Spanned<String>,
    label: Option<Spanned<String>>,
    value: Spanned<String>,
    hours: Option<Spanned<String>>,
    response: Option<Spanned<String>>,
    #[serde(default)]
    use_for: Vec<Spanned<String>>,
    #[serde(default)]
    not_for: Vec<Spanned<String>>,
    note: Option<Spanned<String>>,
    visibility: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[cfg_attr(any(test, fuzzing), derive(Debug))]
#[serde(deny_unknown_fields)]
struct RawProviderAfterHours {
    #[serde(default)]
    covering: Vec<Spanned<String>>,
    text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[cfg_attr(any(test, fuzzing), derive(Debug))]
#[serde(deny_unknown_fields)]
struct RawAway {
    from: Spanned<Datetime>,
    to: Spanned<Datetime>,
    covering: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------
// Reading files.

/// Reads a text file for parsing: refuses huge and non-UTF-8 files, drops a BOM.
/// `shown` is the path as shown in diagnostics (relative to the site root).
pub fn read_source(path: &Path, shown: &Path) -> Result<SourceFile, Diagnostic> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| {
        Diagnostic::error(format!("cannot read {}: {e}", shown.display()))
            .in_path(shown)
            .io()
    };
    let folder = || {
        Diagnostic::error(format!("{} is a folder, not a file", shown.display()))
            .in_path(shown)
            .help("rename the folder so its name does not end in `.toml`")
    };
    // Opened and read without asking its size first (one system call fewer
    // a file: a provider file fits the first read), one look-up of the path.
    let file = match fs::File::open(path) {
        Ok(file) => file,
        // A folder that cannot be opened is still a folder.
        Err(_) if fs::metadata(path).is_ok_and(|m| m.is_dir()) => return Err(folder()),
        Err(e) => return Err(cannot(e)),
    };
    let too_big = |size: String| {
        Diagnostic::error(format!(
            "{} is {size}; files over 1 MiB are refused",
            shown.display(),
        ))
        .in_path(shown)
        .help("a provider file is a few kilobytes: check that this is the right file")
    };
    // A file that grows while it is read, or a device without an end, is cut
    // one byte past the limit, and refused.
    let mut bytes = Vec::with_capacity(8 * 1024);
    match (&file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        Ok(_) => {}
        // A folder opens (for reading) and refuses to be read.
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => return Err(folder()),
        Err(e) => return Err(cannot(e)),
    }
    // The text is kept (for diagnostics) at its own size, not the buffer's.
    bytes.shrink_to_fit();
    if bytes.len() as u64 > MAX_FILE_BYTES {
        // Its size, when the file system knows it.
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file() && m.len() > MAX_FILE_BYTES)
            .map_or_else(|| "over 1 MiB".into(), |m| format!("{} bytes", m.len()));
        return Err(too_big(size));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            shown.display(),
            e.utf8_error().valid_up_to()
        ))
        .in_path(shown)
        .help("save the file as UTF-8 in your editor")
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(SourceFile::new(shown, text))
}

/// Parses TOML into a raw struct, turning the parser's error into a diagnostic
/// that points at the offending key or value.
fn parse_toml<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Diagnostic> {
    toml::from_str::<T>(&file.text).map_err(|e| toml_diagnostic(file, &e))
}

/// A provider file's raw struct: read straight from the TOML parser's
/// events when the file is in the usual form ([`events`]), else (another
/// form, or any error) through serde, whose error names the problem.
fn parse_provider(file: &SourceFile) -> Result<RawProvider, Diagnostic> {
    match events::provider(&file.text) {
        Some(raw) => Ok(raw),
        None => parse_toml(file),
    }
}

/// For the `provider_toml` fuzz target: whether `text`, when [`events`]
/// reads it, is read as `toml::from_str` reads it, spans included.
#[cfg(fuzzing)]
pub fn provider_readers_agree(text: &str) -> bool {
    events::provider(text).is_none_or(|read| {
        toml::from_str::<RawProvider>(text)
            .is_ok_and(|by_toml| format!("{read:?}") == format!("{by_toml:?}"))
    })
}

fn toml_diagnostic(file: &SourceFile, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let mut d = Diagnostic::error(first_line(&message).to_string()).at(file, span);
    if let Some((unknown, expected)) = parse_unknown_field(&message) {
        d.message = format!("unknown key `{unknown}`");
        d = d.label("not a key howtoreach knows");
        d = match did_you_mean(&unknown, &expected) {
            Some(close) => d.help(format!("did you mean `{close}`?")),
            None => d.help(format!("the keys allowed here are {}", expected.join(", "))),
        };
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        d.message = format!("missing required key `{field}`");
        d = d.help(format!(
            "add `{field} = ...` here (see SPEC.md for its form)"
        ));
    } else if message.starts_with("invalid type") {
        d = d.help("check the value's type: text in quotes, dates bare (2026-10-01), lists in [ ]");
    } else {
        d = d.help("fix the TOML syntax here; https://toml.io explains the format");
    }
    d
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`").
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((unknown.to_string(), expected))
}

/// The closest known key, when it is close enough to be a typo.
pub fn did_you_mean(unknown: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.clone())
}

// ---------------------------------------------------------------------------
// Helpers for converting raw values.

/// Collects diagnostics while converting one file.
struct Ctx<'a> {
    file: &'a SourceFile,
    diags: &'a mut Diagnostics,
    cache: &'a ParseCache,
}

/// Parsed phone numbers and hours by their text. A clinic repeats the same
/// hours (and often the same numbers) across hundreds of files, and both
/// parsers are costly (libphonenumber's regular expressions, the
/// opening_hours grammar): each distinct text is parsed once per load.
#[derive(Default)]
pub struct ParseCache {
    phones: std::sync::Mutex<FxHashMap<(String, model::phone::Region), Result<Phone, String>>>,
    hours: std::sync::Mutex<FxHashMap<String, Result<Hours, String>>>,
    /// Short texts that recur across providers (labels, notes, `use_for` and
    /// `not_for` items), one copy each.
    words: std::sync::Mutex<rustc_hash::FxHashSet<std::sync::Arc<str>>>,
}

impl ParseCache {
    /// One shared copy of `text`.
    fn word(&self, text: &str) -> std::sync::Arc<str> {
        let Ok(mut words) = self.words.lock() else {
            return std::sync::Arc::from(text);
        };
        if let Some(w) = words.get(text) {
            return w.clone();
        }
        let w: std::sync::Arc<str> = std::sync::Arc::from(text);
        words.insert(w.clone());
        w
    }

    fn phone(&self, text: &str, region: model::phone::Region) -> Result<Phone, String> {
        let key = (text.to_string(), region);
        if let Ok(map) = self.phones.lock()
            && let Some(r) = map.get(&key)
        {
            return r.clone();
        }
        let parsed = Phone::parse(text, region);
        if let Ok(mut map) = self.phones.lock() {
            map.insert(key, parsed.clone());
        }
        parsed
    }

    fn hours(&self, text: &str) -> Result<Hours, String> {
        if let Ok(map) = self.hours.lock()
            && let Some(r) = map.get(text)
        {
            return r.clone();
        }
        let parsed = Hours::parse(text);
        if let Ok(mut map) = self.hours.lock() {
            map.insert(text.to_string(), parsed.clone());
        }
        parsed
    }
}

impl Ctx<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::error(message)
                .at(self.file, span)
                .help(help.into()),
        );
    }

    fn text(&mut self, s: &Spanned<String>, what: &str) -> Option<String> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            self.error(
                s.span(),
                format!("{what} is empty"),
                format!("write the {what}, or remove the key"),
            );
            return None;
        }
        Some(t.to_string())
    }

    fn opt_text(&mut self, s: &Option<Spanned<String>>, what: &str) -> Option<String> {
        s.as_ref().and_then(|s| self.text(s, what))
    }

    fn phone(
        &mut self,
        s: &Spanned<String>,
        region: Option<model::phone::Region>,
    ) -> Option<Phone> {
        let region = region?;
        match self.cache.phone(s.get_ref(), region) {
            Ok(p) => Some(p),
            Err(msg) => {
                self.error(
                    s.span(),
                    msg,
                    "write the full number with its area code, e.g. \"+1 204 555 0142\" or \"204-555-0142 ext. 12\"",
                );
                None
            }
        }
    }

    fn hours(&mut self, s: &Spanned<String>) -> Option<Hours> {
        match self.cache.hours(s.get_ref()) {
            Ok(h) => Some(h),
            Err(msg) => {
                self.error(
                    s.span(),
                    msg,
                    "use the OpenStreetMap opening_hours syntax, e.g. \"Mo-Fr 09:00-17:00; Sa 09:00-12:00\" or \"24/7\"",
                );
                None
            }
        }
    }

    fn date(&mut self, s: &Spanned<Datetime>) -> Option<NaiveDate> {
        let dt = s.get_ref();
        let date = match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        };
        if date.is_none() {
            self.error(
                s.span(),
                format!("`{dt}` is not a date"),
                "write a plain date without quotes, e.g. 2026-10-01",
            );
        }
        date
    }

    fn https_url(&mut self, s: &Spanned<String>, what: &str) -> Option<String> {
        match check_url(s.get_ref(), &["https"]) {
            Ok(u) => Some(u),
            Err(msg) => {
                self.error(
                    s.span(),
                    format!("{what}: {msg}"),
                    "write a full https:// address, e.g. https://portal.example.org/messages",
                );
                None
            }
        }
    }
}

/// Parses a URL and allows only the given schemes; returns it normalised.
pub fn check_url(text: &str, schemes: &[&str]) -> Result<String, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    if !schemes.contains(&url.scheme()) {
        return Err(format!(
            "`{}:` links are not allowed here; only {}",
            url.scheme(),
            schemes
                .iter()
                .map(|s| format!("`{s}:`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` has no host name"));
    }
    Ok(url.to_string())
}

/// Whether a slug is `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

// ---------------------------------------------------------------------------
// site.toml

pub fn config_from_source(file: &SourceFile, diags: &mut Diagnostics) -> Option<Config> {
    let raw: RawConfig = match parse_toml(file) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let RawConfig {
        base_url,
        output_dir,
        handout_dir,
        language,
        review_after_days,
    } = raw;
    let cache = ParseCache::default();
    let mut cx = Ctx {
        file,
        diags,
        cache: &cache,
    };
    let base = match check_url(base_url.get_ref(), &["https", "http"]) {
        Ok(u) => Some(u.trim_end_matches('/').to_string()),
        Err(msg) => {
            cx.error(
                base_url.span(),
                format!("base_url: {msg}"),
                "write the address where the site is published, e.g. \"https://clinic.example.org\"",
            );
            None
        }
    };
    let language_tag = match &language {
        Some(l) => match language_tags::LanguageTag::parse(l.get_ref()) {
            Ok(tag) => Some(tag.to_string()),
            Err(e) => {
                cx.error(
                    l.span(),
                    format!("`{}` is not a BCP 47 language tag ({e})", l.get_ref()),
                    "write a language tag such as \"en\", \"fr-CA\" or \"es\"",
                );
                None
            }
        },
        None => Some("en".to_string()),
    };
    let review = match &review_after_days {
        Some(r) => match u32::try_from(*r.get_ref()) {
            Ok(n) if n > 0 => Some(n),
            _ => {
                cx.error(
                    r.span(),
                    format!(
                        "review_after_days must be a positive number of days, not {}",
                        r.get_ref()
                    ),
                    "write a number of days such as 90",
                );
                None
            }
        },
        None => Some(90),
    };
    let dir = |d: &Option<Spanned<String>>, default: &str| match d {
        Some(d) => (PathBuf::from(d.get_ref()), Some(d.span())),
        None => (PathBuf::from(default), None),
    };
    let (output_dir, output_dir_span) = dir(&output_dir, "public");
    let (handout_dir, handout_dir_span) = dir(&handout_dir, "handouts");
    Some(Config {
        file: file.clone(),
        base_url: base?,
        output_dir,
        output_dir_span,
        handout_dir,
        handout_dir_span,
        language: language_tag?,
        review_after_days: review?,
    })
}

// ---------------------------------------------------------------------------
// data/clinic.toml

pub fn clinic_from_source(file: &SourceFile, diags: &mut Diagnostics) -> Option<Clinic> {
    let raw: RawClinic = match parse_toml(file) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let RawClinic {
        name,
        timezone,
        region,
        phone,
        hours,
        address,
        website,
        emergency,
        urgent,
        after_hours,
        closures,
    } = raw;
    let cache = ParseCache::default();
    let mut cx = Ctx {
        file,
        diags,
        cache: &cache,
    };
    let tz: Option<Tz> = match timezone.get_ref().parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            cx.error(
                timezone.span(),
                format!("`{}` is not an IANA time zone", timezone.get_ref()),
                "write the clinic's time zone name, e.g. \"America/Winnipeg\" or \"Europe/Paris\"",
            );
            None
        }
    };
    let region_id = match model::phone::parse_region(region.get_ref()) {
        Some(r) => Some(r),
        None => {
            cx.error(
                region.span(),
                format!("`{}` is not an ISO 3166-1 region code", region.get_ref()),
                "write the two capital letters of the clinic's country, e.g. \"CA\", \"US\", \"GB\"",
            );
            None
        }
    };
    let name = cx.text(&name, "name");
    let main_phone = cx.phone(&phone, region_id);
    let clinic_hours = cx.hours(&hours);
    let address = cx.opt_text(&address, "address");
    let website = website.as_ref().and_then(|w| cx.https_url(w, "website"));

    let RawEmergency { number, text } = emergency;
    let emergency_number = {
        let n = number.get_ref().trim();
        if n.is_empty()
            || !n
                .chars()
                .all(|c| c.is_ascii_digit() || c == '+' || c == ' ' || c == '-')
        {
            cx.error(
                number.span(),
                format!("`{n}` is not an emergency number"),
                "write the digits to dial, e.g. \"911\", \"112\" or \"999\"",
            );
            None
        } else {
            Some(n.to_string())
        }
    };
    let emergency_text = cx.text(&text, "emergency text");

    let mut urgent_lines = Vec::new();
    let mut urgent_ok = true;
    for u in &urgent {
        let RawUrgent {
            label,
            phone,
            hours,
            when,
        } = u;
        let parts = (
            cx.text(label, "label"),
            cx.phone(phone, region_id),
            cx.hours(hours),
            cx.text(when, "`when` text"),
        );
        match parts {
            (Some(label), Some(phone), Some(hours), Some(when)) => urgent_lines.push(Urgent {
                label,
                phone,
                hours,
                when,
            }),
            _ => urgent_ok = false,
        }
    }

    let after = match &after_hours {
        Some(RawClinicAfterHours { text, phone }) => {
            let text = cx.text(text, "after-hours text");
            let phone = match phone {
                Some(p) => Some(cx.phone(p, region_id)),
                None => Some(None),
            };
            match (text, phone) {
                (Some(text), Some(phone)) => Some(Some(ClinicAfterHours { text, phone })),
                _ => None,
            }
        }
        None => Some(None),
    };

    let mut closure_list = Vec::new();
    let mut closures_ok = true;
    for c in &closures {
        match closure_from_raw(&mut cx, c) {
            Some(c) => closure_list.push(c),
            None => closures_ok = false,
        }
    }
    closure_list.sort_by_key(|c| (c.from, c.to));

    if !(urgent_ok && closures_ok) {
        return None;
    }
    let closed = Closures::new(closure_list.iter().map(|c| (c.from, c.to)).collect());
    Some(Clinic {
        file: file.clone(),
        name: name?,
        timezone: tz?,
        region: region_id?,
        phone: main_phone?,
        hours: clinic_hours?,
        address,
        website,
        emergency: Emergency {
            number: emergency_number?,
            text: emergency_text?,
        },
        urgent: urgent_lines,
        after_hours: after?,
        closures: closure_list,
        closed,
    })
}

fn closure_from_raw(cx: &mut Ctx<'_>, c: &Spanned<RawClosure>) -> Option<Closure> {
    let RawClosure {
        date,
        from,
        to,
        note,
    } = c.get_ref();
    let note = note
        .as_ref()
        .map(|n| n.get_ref().trim().to_string())
        .unwrap_or_default();
    let (from, to) = match (date, from, to) {
        (Some(d), None, None) => {
            let d = cx.date(d)?;
            (d, d)
        }
        (None, Some(f), Some(t)) => {
            let (f_date, t_date) = (cx.date(f), cx.date(t));
            let (f_date, t_date) = (f_date?, t_date?);
            if t_date < f_date {
                cx.error(
                    t.span(),
                    format!("the closure ends ({t_date}) before it starts ({f_date})"),
                    "swap `from` and `to`, or correct the date",
                );
                return None;
            }
            (f_date, t_date)
        }
        _ => {
            cx.error(
                c.span(),
                "a closure needs either `date`, or both `from` and `to`",
                "write `date = 2026-12-25` for one day, or `from = ...` and `to = ...` for several",
            );
            return None;
        }
    };
    Some(Closure { from, to, note })
}

// ---------------------------------------------------------------------------
// data/providers/**/*.toml

/// Clinic facts a provider file is read with.
#[derive(Clone, Copy)]
pub struct ProviderEnv<'a> {
    pub region: Option<model::phone::Region>,
    pub root: &'a Path,
    pub cache: &'a ParseCache,
}

pub fn provider_from_source(
    file: &SourceFile,
    slug: &str,
    env: ProviderEnv<'_>,
    diags: &mut Diagnostics,
) -> Option<Provider> {
    provider_from_parsed(file, parse_provider(file), slug, env, diags)
}

/// [`provider_from_source`] after its TOML was parsed (which needs no clinic facts).
fn provider_from_parsed(
    file: &SourceFile,
    parsed: Result<RawProvider, Diagnostic>,
    slug: &str,
    env: ProviderEnv<'_>,
    diags: &mut Diagnostics,
) -> Option<Provider> {
    let raw = match parsed {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let RawProvider {
        name,
        sort_as,
        credentials,
        pronouns,
        role,
        department,
        languages,
        photo,
        reviewed,
        about,
        channels,
        after_hours,
        away,
    } = raw;
    let mut cx = Ctx {
        file,
        diags,
        cache: env.cache,
    };
    let mut ok = true;

    let name = cx.text(&name, "name");
    let sort_as = cx.opt_text(&sort_as, "sort_as");
    let credentials = cx.opt_text(&credentials, "credentials");
    let pronouns = cx.opt_text(&pronouns, "pronouns");
    let role = cx.text(&role, "role");
    let department = cx.opt_text(&department, "department");
    let mut langs = Vec::new();
    for l in &languages {
        match language_tags::LanguageTag::parse(l.get_ref()) {
            Ok(tag) => langs.push(tag.to_string()),
            Err(e) => {
                cx.error(
                    l.span(),
                    format!("`{}` is not a BCP 47 language tag ({e})", l.get_ref()),
                    "write language tags such as \"en\", \"fr\", \"pa\" or \"zh-Hant\"",
                );
                ok = false;
            }
        }
    }
    let photo = match &photo {
        Some(p) => {
            let r = check_photo(env.root, p.get_ref());
            match r {
                Ok(()) => Some(p.get_ref().trim_start_matches('/').to_string()),
                Err((msg, help)) => {
                    cx.error(p.span(), msg, help);
                    ok = false;
                    None
                }
            }
        }
        None => None,
    };
    let reviewed_date = cx.date(&reviewed);
    let about = about
        .as_ref()
        .map(|a| a.get_ref().trim().to_string())
        .filter(|a| !a.is_empty());

    let mut channel_list = Vec::new();
    for c in &channels {
        match channel_from_raw(&mut cx, c.get_ref(), env) {
            Some(ch) => channel_list.push(ch),
            None => ok = false,
        }
    }
    if ok && !channel_list.iter().any(Channel::is_public) {
        let span = channels.first().map_or(0..0, |c| c.span());
        let message = if channels.is_empty() {
            "this provider has no channels"
        } else {
            "this provider has no public channel"
        };
        cx.error(
            span,
            message,
            "add a [[channels]] entry without `visibility = \"patients\"`, so patients can reach them from the public site",
        );
        ok = false;
    }

    let mut after = ProviderAfterHours::default();
    if let Some(RawProviderAfterHours { covering, text }) = &after_hours {
        for c in covering {
            match covering_slug(&mut cx, c, slug) {
                Some(s) => after.covering.push(s),
                None => ok = false,
            }
        }
        after.text = cx.opt_text(text, "after-hours text");
    }

    let mut absences = Vec::new();
    for a in &away {
        let RawAway { from, to, covering } = a.get_ref();
        let (f, t) = (cx.date(from), cx.date(to));
        let covering = match covering {
            Some(c) => match covering_slug(&mut cx, c, slug) {
                Some(s) => Some(s),
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        match (f, t) {
            (Some(f), Some(t)) if t < f => {
                cx.error(
                    to.span(),
                    format!("the absence ends ({t}) before it starts ({f})"),
                    "swap `from` and `to`, or correct the date",
                );
                ok = false;
            }
            (Some(from), Some(to)) => absences.push(Away {
                from,
                to,
                covering,
                span: a.span(),
            }),
            _ => ok = false,
        }
    }
    absences.sort_by_key(|a| a.from);

    if !ok {
        return None;
    }
    let name = name?;
    Some(Provider {
        file: file.clone(),
        slug: slug.to_string(),
        sort_key: model::sort_key(&name, sort_as.as_deref()),
        name,
        credentials,
        pronouns,
        role: role?,
        department,
        languages: langs,
        photo,
        reviewed: reviewed_date?,
        reviewed_span: reviewed.span(),
        about,
        channels: channel_list,
        after_hours: after,
        away: absences,
    })
}

/// A covering slug must be well-formed and not the provider's own; whether it
/// exists is checked once every provider is loaded (`check::cross_references`).
fn covering_slug(cx: &mut Ctx<'_>, c: &Spanned<String>, own: &str) -> Option<model::SlugRef> {
    let s = c.get_ref().trim();
    if s == own {
        cx.error(
            c.span(),
            "a provider cannot cover for themselves",
            "name a colleague's slug (the name of their file without `.toml`)",
        );
        return None;
    }
    if !is_valid_slug(s) {
        cx.error(
            c.span(),
            format!("`{s}` is not a provider slug"),
            "a slug is a provider's file name without `.toml`, e.g. \"samuel-reyes\"",
        );
        return None;
    }
    Some(model::SlugRef {
        slug: s.to_string(),
        span: c.span(),
    })
}

fn channel_from_raw(cx: &mut Ctx<'_>, raw: &RawChannel, env: ProviderEnv<'_>) -> Option<Channel> {
    let RawChannel {
        kind,
        label,
        value,
        hours,
        response,
        use_for,
        not_for,
        note,
        visibility,
    } = raw;
    let kind_parsed = ChannelKind::parse(kind.get_ref().trim());
    if kind_parsed.is_none() {
        let known: Vec<String> = ChannelKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect();
        let help = match did_you_mean(kind.get_ref(), &known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("the kinds are {}", known.join(", ")),
        };
        cx.error(
            kind.span(),
            format!("`{}` is not a channel kind", kind.get_ref()),
            help,
        );
    }
    let parsed_value = match kind_parsed {
        Some(k) => channel_value(cx, k, value, env),
        None => None,
    };
    let hours = match hours {
        Some(h) => Some(cx.hours(h)),
        None => Some(None),
    };
    let response = match response {
        Some(r) => match Response::parse(r.get_ref()) {
            Ok(r) => Some(Some(r)),
            Err(msg) => {
                cx.error(
                    r.span(),
                    msg,
                    format!("write one of {}", model::response::RESPONSE_FORMS),
                );
                None
            }
        },
        None => Some(None),
    };
    let visibility = match visibility {
        Some(v) => match v.get_ref().as_str() {
            "public" => Some(Visibility::Public),
            "patients" => Some(Visibility::Patients),
            other => {
                cx.error(
                    v.span(),
                    format!("`{other}` is not a visibility"),
                    "write \"public\" (shown on the site) or \"patients\" (only in printed handouts)",
                );
                None
            }
        },
        None => Some(Visibility::Public),
    };
    let cache = cx.cache;
    let list = |items: &[Spanned<String>]| -> Vec<std::sync::Arc<str>> {
        items
            .iter()
            .map(|s| s.get_ref().trim())
            .filter(|s| !s.is_empty())
            .map(|s| cache.word(s))
            .collect()
    };
    let label = cx.opt_text(label, "label").map(|l| cache.word(&l));
    let note = note
        .as_ref()
        .map(|n| n.get_ref().trim())
        .filter(|n| !n.is_empty())
        .map(|n| cache.word(n));
    let visibility = visibility?;
    let value_parsed = parsed_value?;
    // Only a patients-only number can be published by someone else (check.rs).
    let private_line = (visibility != Visibility::Public
        && matches!(value_parsed, ChannelValue::Phone(_)))
    .then(|| std::sync::Arc::new(cx.file.excerpt(value.span())));
    Some(Channel {
        kind: kind_parsed?,
        label,
        raw_value: value.get_ref().trim().to_string(),
        value_span: value.span(),
        private_line,
        value: value_parsed,
        hours: hours?,
        response: response?,
        use_for: list(use_for),
        not_for: list(not_for),
        note,
        visibility,
    })
}

fn channel_value(
    cx: &mut Ctx<'_>,
    kind: ChannelKind,
    value: &Spanned<String>,
    env: ProviderEnv<'_>,
) -> Option<ChannelValue> {
    match kind {
        ChannelKind::Phone
        | ChannelKind::Mobile
        | ChannelKind::Pager
        | ChannelKind::AnsweringService
        | ChannelKind::Sms
        | ChannelKind::Fax => cx.phone(value, env.region).map(ChannelValue::Phone),
        ChannelKind::Email => {
            let v = value.get_ref().trim();
            match v.parse::<email_address::EmailAddress>() {
                Ok(e) if !v.contains(['<', '>', '"', ' ']) && e.domain().contains('.') => {
                    Some(ChannelValue::Email(e.to_string()))
                }
                _ => {
                    cx.error(
                        value.span(),
                        format!("`{v}` is not an e-mail address"),
                        "write the address alone, e.g. \"name@clinic.example.org\"",
                    );
                    None
                }
            }
        }
        ChannelKind::Portal | ChannelKind::Video => {
            cx.https_url(value, kind.as_str()).map(ChannelValue::Url)
        }
        ChannelKind::InPerson => cx.text(value, "value").map(ChannelValue::Text),
    }
}

/// A photo must be a file inside `static/`.
fn check_photo(root: &Path, photo: &str) -> Result<(), (String, String)> {
    let rel = Path::new(photo.trim_start_matches('/'));
    let help = "put the image in the site's static/ folder and write its path inside it, e.g. \"photos/nadia-okafor.jpg\"".to_string();
    if rel
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err((format!("`{photo}` leads outside static/"), help));
    }
    let static_dir = root.join("static");
    let full = static_dir.join(rel);
    match (full.canonicalize(), static_dir.canonicalize()) {
        (Ok(f), Ok(s)) if f.starts_with(&s) && f.is_file() => Ok(()),
        (Ok(_), Ok(_)) => Err((format!("`{photo}` leads outside static/"), help)),
        _ => Err((format!("the photo static/{photo} does not exist"), help)),
    }
}

// ---------------------------------------------------------------------------
// The provider folder.

/// One provider file found under `data/providers/`.
#[derive(Debug, Clone)]
pub struct ProviderPath {
    pub full: PathBuf,
    /// Relative to the site root, for messages.
    pub shown: PathBuf,
    pub slug: String,
    /// Reached through a symbolic link (the file's own, a folder's, or
    /// `data/providers`'s): the file may be written under another name.
    pub linked: bool,
}

/// Walks `data/providers/` (sorted, sub-folders allowed). Reports folders named
/// like provider files, non-UTF-8 names, bad slugs, duplicate slugs and
/// symbolic links that lead outside the site.
pub fn find_provider_files(root: &Path, diags: &mut Diagnostics) -> Vec<ProviderPath> {
    let dir = root.join("data").join("providers");
    let mut found = Vec::new();
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error("the site has no data/providers/ folder")
                .in_path("data/providers")
                .help("create data/providers/ with one .toml file per provider (`howtoreach init DIR` makes an example)"),
        );
        return found;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // `data/providers` (or `data`) may itself be a link: it must stay inside too.
    let linked = match dir.canonicalize() {
        Ok(target) if target.starts_with(&canonical_root) => {
            target != canonical_root.join("data").join("providers")
        }
        Ok(target) => {
            diags.push(
                Diagnostic::error(format!(
                    "data/providers leads outside the site (to {})",
                    target.display()
                ))
                .in_path("data/providers")
                .help("copy the provider files into the site instead of linking to them"),
            );
            return found;
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read data/providers: {e}"))
                    .in_path("data/providers")
                    .io(),
            );
            return found;
        }
    };
    let mut walk = ProviderWalk {
        root,
        top: &dir,
        canonical_root: &canonical_root,
        seen: FxHashMap::default(),
        linked,
        found: &mut found,
        diags,
    };
    walk.folder(&dir);
    found
}

/// The walk of `data/providers/`. Folders are read without a `stat` per
/// file; a symbolic link is checked to stay inside the site and, when it
/// leads to a folder, that folder is walked in its place (unless it holds
/// the link: a loop).
struct ProviderWalk<'a> {
    root: &'a Path,
    /// `data/providers`: every path of the walk starts with it.
    top: &'a Path,
    canonical_root: &'a Path,
    /// Each slug found, with its place in `found`.
    seen: FxHashMap<String, usize>,
    /// Whether the folder being walked was reached through a link.
    linked: bool,
    found: &'a mut Vec<ProviderPath>,
    diags: &'a mut Diagnostics,
}

impl ProviderWalk<'_> {
    fn folder(&mut self, dir: &Path) {
        let root = self.root;
        // Sorted by name within each folder. Every entry of one folder has the
        // same path up to its name, so comparing whole paths as bytes gives the
        // same order as `sort_by_file_name`, whose every comparison looks for
        // two names in their paths (12 ms of 10,000 files, on one core).
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let shown = e
                        .path()
                        .and_then(|p| p.strip_prefix(root).ok())
                        .map_or_else(|| PathBuf::from("data/providers"), Path::to_path_buf);
                    self.diags.push(
                        Diagnostic::error(format!("cannot read {}: {e}", shown.display()))
                            .in_path(shown),
                    );
                    continue;
                }
            };
            let path = entry.path();
            let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                self.diags.push(
                    Diagnostic::error(format!(
                        "the file name {} is not valid UTF-8",
                        shown.display()
                    ))
                    .in_path(&shown)
                    .help("rename the file using letters a-z, digits and hyphens"),
                );
                continue;
            };
            let mut is_dir = entry.file_type().is_dir();
            if entry.path_is_symlink() && entry.depth() > 0 {
                if let Err(d) = check_link_inside(path, self.canonical_root, &shown) {
                    self.diags.push(d);
                    continue;
                }
                is_dir = path.is_dir();
                if is_dir && !name.ends_with(".toml") {
                    self.linked_folder(path, &shown);
                    continue;
                }
            }
            let Some(stem) = name.strip_suffix(".toml") else {
                continue;
            };
            if is_dir {
                self.diags.push(
                    Diagnostic::error(format!(
                        "{} is a folder, not a provider file",
                        shown.display()
                    ))
                    .in_path(&shown)
                    .help("rename the folder so its name does not end in `.toml`"),
                );
                continue;
            }
            if !is_valid_slug(stem) {
                self.diags.push(
                    Diagnostic::error(format!("`{stem}` is not a valid provider slug"))
                        .in_path(&shown)
                        .help("name the file with lower-case letters, digits and single hyphens, e.g. `nadia-okafor.toml`"),
                );
                continue;
            }
            if let Some(first) = self.seen.get(stem).and_then(|&i| self.found.get(i)) {
                self.diags.push(
                    Diagnostic::error(format!(
                        "two provider files have the slug `{stem}`: {} and {}",
                        first.shown.display(),
                        shown.display()
                    ))
                    .in_path(&shown)
                    .help("every provider's file name must be unique across data/providers/ and its sub-folders"),
                );
                continue;
            }
            self.seen.insert(stem.to_string(), self.found.len());
            self.found.push(ProviderPath {
                full: path.to_path_buf(),
                shown,
                slug: stem.to_string(),
                linked: self.linked || entry.path_is_symlink(),
            });
        }
    }

    /// A link to a folder: walked in place, unless it leads to a folder the
    /// walk is already inside (any folder on the way to the link, followed
    /// through links, lies within the target).
    fn linked_folder(&mut self, link: &Path, shown: &Path) {
        let Ok(target) = link.canonicalize() else {
            return;
        };
        let top = self.top;
        let looped = link
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(top))
            .filter_map(|a| a.canonicalize().ok())
            .any(|a| a.starts_with(&target));
        if looped {
            self.diags.push(
                Diagnostic::error(format!(
                    "{} is a symbolic link to a folder it is inside ({}): a loop",
                    shown.display(),
                    target.display()
                ))
                .in_path(shown)
                .help("remove the link"),
            );
            return;
        }
        let outer = std::mem::replace(&mut self.linked, true);
        self.folder(link);
        self.linked = outer;
    }
}

/// A symbolic link in `data/` or `static/` must lead to a place inside the site.
pub fn check_link_inside(
    path: &Path,
    canonical_root: &Path,
    shown: &Path,
) -> Result<(), Diagnostic> {
    match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => Ok(()),
        Ok(target) => Err(Diagnostic::error(format!(
            "{} is a symbolic link that leads outside the site (to {})",
            shown.display(),
            target.display()
        ))
        .in_path(shown)
        .help("copy the file into the site instead of linking to it")),
        Err(e) => Err(Diagnostic::error(format!(
            "{} is a symbolic link that leads nowhere ({e})",
            shown.display()
        ))
        .in_path(shown)
        .help("remove the link or make it point to a file inside the site")),
    }
}

// ---------------------------------------------------------------------------
// The whole site.

/// Converted provider files kept between loads (`serve`): a file whose text
/// (and the clinic's region) did not change is not parsed again. Providers
/// with a photo are always re-checked, since the photo may have gone.
#[derive(Default)]
pub struct LoadCache {
    /// Read by both cores at once on every load; written only for changed
    /// files. Keyed by the path's bytes: a `PathBuf` key hashes and compares
    /// component by component (4 % of `serve`'s CPU over edits at 10,000
    /// providers, 0.3 % keyed by bytes).
    providers: std::sync::RwLock<FxHashMap<std::ffi::OsString, CachedProvider>>,
    /// The provider files the last walk of `data/providers/` found, what the
    /// last load made of each, and what the caller vouched for since.
    files: std::sync::Mutex<Walked>,
    /// `data/clinic.toml` as last converted, by its text: an edit to a
    /// provider file does not convert the clinic again (8–12 ms a reload at
    /// 10,000 providers, on a slow hour).
    clinic: std::sync::Mutex<Option<CachedClinic>>,
}

/// The last walk of `data/providers/` and the last load of its files.
#[derive(Default)]
struct Walked {
    /// The files the last walk found (when it found no problem).
    paths: Option<std::sync::Arc<Vec<ProviderPath>>>,
    /// Their paths' bytes, for [`LoadCache::knows_file`].
    known: rustc_hash::FxHashSet<std::ffi::OsString>,
    /// What the caller vouched for since the last load: the same files are
    /// there, and only those of these slugs may have changed
    /// ([`LoadCache::only_changed`]). `None`: walk `data/providers/` again.
    changed: Option<rustc_hash::FxHashSet<String>>,
    /// The last load of `paths` (never of an earlier walk's).
    last: Option<LastLoad>,
}

/// A load's result for each provider file of a walk, in the walk's order.
struct LastLoad {
    /// The region the numbers were read in.
    region: Option<model::phone::Region>,
    /// Each file's result, and whether it is pinned ([`pinned`]).
    results: Vec<(ProviderResult, bool)>,
}

/// What one provider file became: the provider (if it converted) and its problems.
type ProviderResult = (Option<std::sync::Arc<Provider>>, Diagnostics);

/// Whether a file's result is made anew at every load, even when no one
/// named the file: one that may be written under another name, which the
/// watcher would report instead (through a link, or a hard link); a
/// provider with a photo (the photo may have gone from `static/`); one that
/// did not convert.
fn pinned(p: &ProviderPath, stamp: Option<FileStamp>, result: &ProviderResult) -> bool {
    p.linked
        || stamp.is_none_or(|s| s.3 > 1)
        || result
            .0
            .as_ref()
            .is_none_or(|provider| provider.photo.is_some())
}

/// What a load may take from the last one ([`LoadCache::take_files`]).
struct Reuse {
    paths: std::sync::Arc<Vec<ProviderPath>>,
    changed: rustc_hash::FxHashSet<String>,
    last: Option<LastLoad>,
}

impl Reuse {
    /// The last load's result for the `i`-th file, if its file was not
    /// named, it is not pinned, and the region is the same.
    fn result(&self, i: usize, region: Option<model::phone::Region>) -> Option<ProviderResult> {
        let last = self.last.as_ref().filter(|l| l.region == region)?;
        let (result, pinned) = last.results.get(i)?;
        let named = self.changed.contains(&self.paths.get(i)?.slug);
        (!named && !pinned).then(|| result.clone())
    }
}

struct CachedClinic {
    text: std::sync::Arc<str>,
    clinic: Option<Clinic>,
    region: Option<model::phone::Region>,
    diags: Diagnostics,
}

struct CachedProvider {
    text: std::sync::Arc<str>,
    stamp: Option<FileStamp>,
    region: Option<model::phone::Region>,
    provider: Option<std::sync::Arc<Provider>>,
    diags: Diagnostics,
}

impl std::fmt::Debug for LoadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.providers.read().map(|m| m.len()).unwrap_or(0);
        write!(f, "LoadCache({n} providers)")
    }
}

/// Size, modification time, inode and number of links of a file.
type FileStamp = (u64, std::time::SystemTime, u64, u64);

fn file_stamp(path: &Path) -> Option<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?, meta.ino(), meta.nlink()))
}

impl LoadCache {
    /// Whether `full` is one of the provider files the last walk found.
    pub fn knows_file(&self, full: &Path) -> bool {
        self.files
            .lock()
            .is_ok_and(|f| f.known.contains(full.as_os_str()))
    }

    /// The caller knows that no provider file appeared or went since the
    /// last load, and that only the files of `slugs` were written (`serve`,
    /// from the file watcher's events). The next load uses the last walk's
    /// list and, for every other file, the last load's result, without even
    /// a `stat` of the file: at 10,000 providers, that is 10,000 `stat`s and
    /// cache look-ups less on the way to a reload.
    pub fn only_changed(&self, slugs: impl IntoIterator<Item = String>) {
        if let Ok(mut f) = self.files.lock() {
            f.changed = Some(slugs.into_iter().collect());
        }
    }

    /// What the next load may take from the last one, as vouched for since.
    fn take_files(&self) -> Option<Reuse> {
        let mut f = self.files.lock().ok()?;
        let changed = f.changed.take()?;
        Some(Reuse {
            paths: f.paths.clone()?,
            changed,
            last: f.last.take(),
        })
    }

    fn remember_files(&self, paths: Option<std::sync::Arc<Vec<ProviderPath>>>) {
        if let Ok(mut f) = self.files.lock() {
            let known = paths
                .iter()
                .flat_map(|p| p.iter())
                .map(|p| p.full.as_os_str().to_os_string())
                .collect();
            *f = Walked {
                paths,
                known,
                changed: None,
                last: None,
            };
        }
    }

    /// Keeps a load's results for the next load ([`LoadCache::only_changed`]).
    fn remember_load(
        &self,
        paths: &std::sync::Arc<Vec<ProviderPath>>,
        region: Option<model::phone::Region>,
        results: &[(ProviderResult, bool)],
    ) {
        if let Ok(mut f) = self.files.lock()
            && f.paths
                .as_ref()
                .is_some_and(|p| std::sync::Arc::ptr_eq(p, paths))
        {
            f.last = Some(LastLoad {
                region,
                results: results.to_vec(),
            });
        }
    }

    /// [`clinic_and_region`], from the cache when clinic.toml's text is as
    /// last time.
    fn clinic(
        &self,
        file: &SourceFile,
        diags: &mut Diagnostics,
    ) -> (Option<Clinic>, Option<model::phone::Region>) {
        if let Ok(cached) = self.clinic.lock()
            && let Some(c) = cached.as_ref()
            && c.text == file.text
        {
            diags.extend(c.diags.clone());
            return (c.clinic.clone(), c.region);
        }
        let mut own = Diagnostics::default();
        let (clinic, region) = clinic_and_region(Some(file), &mut own);
        if let Ok(mut cached) = self.clinic.lock() {
            *cached = Some(CachedClinic {
                text: file.text.clone(),
                clinic: clinic.clone(),
                region,
                diags: own.clone(),
            });
        }
        diags.extend(own);
        (clinic, region)
    }

    fn get_by_stamp(
        &self,
        path: &Path,
        stamp: Option<FileStamp>,
        region: Option<model::phone::Region>,
    ) -> Option<(Option<std::sync::Arc<Provider>>, Diagnostics)> {
        let stamp = stamp?;
        let map = self.providers.read().ok()?;
        let hit = map.get(path.as_os_str())?;
        let fresh = hit.stamp == Some(stamp)
            && hit.region == region
            && hit.provider.as_ref().is_some_and(|p| p.photo.is_none());
        fresh.then(|| (hit.provider.clone(), hit.diags.clone()))
    }

    fn get(
        &self,
        path: &Path,
        file: &SourceFile,
        stamp: Option<FileStamp>,
        region: Option<model::phone::Region>,
    ) -> Option<(Option<std::sync::Arc<Provider>>, Diagnostics)> {
        let mut map = self.providers.write().ok()?;
        let hit = map.get_mut(path.as_os_str())?;
        let fresh = hit.text == file.text
            && hit.region == region
            && hit.provider.as_ref().is_some_and(|p| p.photo.is_none());
        if !fresh {
            return None;
        }
        // Same text under a new stamp (a save without a change): remember it.
        hit.stamp = stamp;
        Some((hit.provider.clone(), hit.diags.clone()))
    }

    fn put(
        &self,
        path: &Path,
        file: &SourceFile,
        stamp: Option<FileStamp>,
        region: Option<model::phone::Region>,
        provider: &Option<std::sync::Arc<Provider>>,
        diags: &Diagnostics,
    ) {
        if let Ok(mut map) = self.providers.write() {
            map.insert(
                path.as_os_str().to_os_string(),
                CachedProvider {
                    text: file.text.clone(),
                    stamp,
                    region,
                    provider: provider.clone(),
                    diags: diags.clone(),
                },
            );
        }
    }
}

/// Everything that loaded, even when some files did not: later checks run on
/// what is there, so one run reports every problem of the site.
pub struct Loaded {
    pub config: Option<Config>,
    pub clinic: Option<Clinic>,
    /// Providers whose files converted, in file order.
    pub providers: Vec<std::sync::Arc<Provider>>,
    /// Whether every file loaded.
    pub complete: bool,
}

/// Reads and converts every file of the site at `root`, reporting every problem.
pub fn load_site(root: &Path, load_cache: Option<&LoadCache>) -> (Loaded, Diagnostics) {
    let mut diags = Diagnostics::default();
    let read = |rel: &str, diags: &mut Diagnostics| -> Option<SourceFile> {
        match read_source(&root.join(rel), Path::new(rel)) {
            Ok(f) => Some(f),
            Err(mut d) => {
                if !root.join(rel).exists() {
                    d = Diagnostic::error(format!("the site has no {rel}"))
                        .in_path(rel)
                        .help(format!(
                            "is `{}` the site's folder? Use --site DIR, or `howtoreach init DIR` to start a new site",
                            root.display()
                        ));
                }
                diags.push(d);
                None
            }
        }
    };
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for rel in ["site.toml", "data/clinic.toml"] {
        let path = root.join(rel);
        if path.is_symlink()
            && let Err(d) = check_link_inside(&path, &canonical_root, Path::new(rel))
        {
            diags.push(d);
        }
    }
    // libphonenumber's metadata is read on another core, the first time (its
    // text, 5 ms), then the regions of the clinic's country code (8 ms, else
    // loaded with the clinic's first number), while site.toml is read and the
    // provider files are found (the scope ends when it is done; the clinic's
    // numbers need it next).
    let start = std::time::Instant::now();
    // Set when the thread is done (a reference, for its `move` closure).
    let done = std::sync::atomic::AtomicBool::new(false);
    let loaded = &done;
    let (config, (paths, reuse), early) = std::thread::scope(|scope| {
        // If no thread can be started, the first number loads it.
        let loading = !model::phone::metadata_loaded()
            && std::thread::Builder::new()
                .name("howtoreach-phone-metadata".into())
                .spawn_scoped(scope, move || {
                    // The region as data/clinic.toml gives it, if it does
                    // (a link is not followed here: the load checks it).
                    let clinic = root.join("data/clinic.toml");
                    let region = (!clinic.is_symlink())
                        .then(|| read_source(&clinic, Path::new("data/clinic.toml")).ok())
                        .flatten()
                        .and_then(|file| region_only(&file));
                    match region {
                        Some(region) => model::phone::load_metadata_for(region),
                        None => model::phone::load_metadata(),
                    }
                    crate::timing::lap(start, "loading the phone metadata");
                    loaded.store(true, std::sync::atomic::Ordering::Release);
                })
                .is_ok();
        let config = read("site.toml", &mut diags).and_then(|f| config_from_source(&f, &mut diags));
        let paths = match load_cache.and_then(LoadCache::take_files) {
            Some(reuse) => {
                let paths = reuse.paths.clone();
                (paths, Some(reuse))
            }
            None => {
                let before = diags.0.len();
                let paths = std::sync::Arc::new(find_provider_files(root, &mut diags));
                if let Some(c) = load_cache {
                    // A walk that found problems is done again next time.
                    c.remember_files((diags.0.len() == before).then(|| paths.clone()));
                }
                (paths, None)
            }
        };
        crate::timing::lap(start, "walking data/providers");
        // Until the metadata is loaded (`serve`, whose loads after the first
        // find it loaded, has its own cache), this core reads provider files ahead.
        let early = if loading && load_cache.is_none() {
            parse_ahead(&paths.0, loaded)
        } else {
            Vec::new()
        };
        (config, paths, early)
    });
    crate::timing::lap(start, "finding the provider files");
    let clinic_file = read("data/clinic.toml", &mut diags);
    let (clinic, region) = match (&clinic_file, load_cache) {
        (Some(file), Some(cache)) => cache.clinic(file, &mut diags),
        (file, _) => clinic_and_region(file.as_ref(), &mut diags),
    };
    let cache = ParseCache::default();
    let env = ProviderEnv {
        region,
        root,
        cache: &cache,
    };
    // Read and convert in parallel; each file's diagnostics stay with it, in order.
    use rayon::prelude::*;
    let ahead = early.len();
    let mut early = early.into_iter();
    let work: Vec<(&ProviderPath, Option<Early>)> =
        paths.iter().map(|p| (p, early.next())).collect();
    let results: Vec<(ProviderResult, bool)> = work
        .into_par_iter()
        .with_max_len(crate::PROVIDERS_AT_ONCE)
        .enumerate()
        .map(|(i, (p, early))| {
            if let Some(early) = early {
                return (early.convert(p, env), false);
            }
            if let Some(same) = reuse.as_ref().and_then(|r| r.result(i, env.region)) {
                return (same, false);
            }
            // A file whose size, modification time and inode are as last time
            // is not even read again. (Only `serve`'s cache compares stamps.)
            let stamp = load_cache.and_then(|_| file_stamp(&p.full));
            let result = load_provider_file(p, stamp, env, load_cache);
            let pinned = pinned(p, stamp, &result);
            (result, pinned)
        })
        .collect();
    crate::timing::lap(start, "reading the provider files");
    crate::timing::note(|| {
        format!("{ahead} provider files were parsed while the phone metadata loaded")
    });
    if let Some(c) = load_cache {
        c.remember_load(&paths, env.region, &results);
    }
    let mut providers = Vec::with_capacity(results.len());
    let mut complete = config.is_some() && clinic.is_some() && !diags.has_errors();
    for ((p, d), _) in results {
        diags.extend(d);
        match p {
            Some(p) => providers.push(p),
            None => complete = false,
        }
    }
    if !references_exist(&providers, &paths, &mut diags) {
        complete = false;
    }
    let loaded = Loaded {
        config,
        clinic,
        providers,
        complete,
    };
    (loaded, diags)
}

/// A provider file read and parsed before the clinic's region was known.
struct Early(Result<(SourceFile, Result<RawProvider, Diagnostic>), Diagnostic>);

/// The most files [`parse_ahead`] holds, and the most bytes of their text:
/// bounds on the memory it takes whatever the timing (2,048 files of 2 KB,
/// about 15 MB with what they parse into; a few files of the largest size
/// allowed, 1 MiB, as much).
const MOST_AHEAD: usize = 2048;
const MOST_AHEAD_BYTES: usize = 4 << 20;

/// Reads and parses provider files, in order, until the phone metadata has
/// been `loaded` (their numbers cannot be read before) on another core, where
/// it takes about 15 ms: this one would otherwise wait. (The walk of a large
/// site's folder takes longer, so only small sites get here first.)
fn parse_ahead(paths: &[ProviderPath], loaded: &std::sync::atomic::AtomicBool) -> Vec<Early> {
    let mut early = Vec::new();
    let mut bytes = 0;
    for p in paths.iter().take(MOST_AHEAD) {
        if bytes >= MOST_AHEAD_BYTES || loaded.load(std::sync::atomic::Ordering::Acquire) {
            break;
        }
        let file = Early::read(p);
        bytes += file.0.as_ref().map_or(0, |(f, _)| f.text.len());
        early.push(file);
    }
    early
}

impl Early {
    fn read(p: &ProviderPath) -> Early {
        Early(read_source(&p.full, &p.shown).map(|file| {
            let parsed = parse_provider(&file);
            (file, parsed)
        }))
    }

    /// The provider, as [`load_provider_file`] makes it without a cache.
    fn convert(self, p: &ProviderPath, env: ProviderEnv<'_>) -> ProviderResult {
        match self.0 {
            Ok((file, parsed)) => uncached(p, &file, parsed, env),
            Err(e) => (None, Diagnostics(vec![e])),
        }
    }
}

/// A provider file read without `serve`'s cache, converted. Nothing compares
/// texts later (`serve` always loads with a cache, whose files keep theirs):
/// the text is not kept (2 KB a provider, 100 MB at 50,000), only the line of
/// each patients-only number (`Channel::private_line`); the few files another
/// diagnostic needs are read again.
fn uncached(
    p: &ProviderPath,
    file: &SourceFile,
    parsed: Result<RawProvider, Diagnostic>,
    env: ProviderEnv<'_>,
) -> ProviderResult {
    let mut d = Diagnostics::default();
    let provider = provider_from_parsed(file, parsed, &p.slug, env, &mut d).map(|mut provider| {
        provider.file = file.release(&p.full);
        std::sync::Arc::new(provider)
    });
    (provider, d)
}

/// Reads and converts one provider file, through `serve`'s cache if there is one.
fn load_provider_file(
    p: &ProviderPath,
    stamp: Option<FileStamp>,
    env: ProviderEnv<'_>,
    load_cache: Option<&LoadCache>,
) -> ProviderResult {
    if let Some(hit) = load_cache.and_then(|c| c.get_by_stamp(&p.full, stamp, env.region)) {
        return hit;
    }
    let file = match read_source(&p.full, &p.shown) {
        Ok(file) => file,
        Err(e) => return (None, Diagnostics(vec![e])),
    };
    let Some(c) = load_cache else {
        let parsed = parse_provider(&file);
        return uncached(p, &file, parsed, env);
    };
    if let Some(hit) = c.get(&p.full, &file, stamp, env.region) {
        return hit;
    }
    let mut d = Diagnostics::default();
    let provider = provider_from_source(&file, &p.slug, env, &mut d).map(std::sync::Arc::new);
    c.put(&p.full, &file, stamp, env.region, &provider, &d);
    (provider, d)
}

/// The clinic, and the region provider phone numbers are read in: the
/// clinic's, even when another part of clinic.toml is wrong, so that the
/// providers' numbers are checked too.
fn clinic_and_region(
    file: Option<&SourceFile>,
    diags: &mut Diagnostics,
) -> (Option<Clinic>, Option<model::phone::Region>) {
    let clinic = file.and_then(|f| clinic_from_source(f, diags));
    let region = clinic
        .as_ref()
        .map(|c| c.region)
        .or_else(|| file.and_then(region_only));
    (clinic, region)
}

/// The clinic's `region`, read on its own from a clinic.toml that did not fully convert.
fn region_only(file: &SourceFile) -> Option<model::phone::Region> {
    let table: toml::Table = toml::from_str(&file.text).ok()?;
    model::phone::parse_region(table.get("region")?.as_str()?)
}

/// Every `covering` names a provider of the site.
fn references_exist(
    providers: &[std::sync::Arc<Provider>],
    files: &[ProviderPath],
    diags: &mut Diagnostics,
) -> bool {
    let slugs: rustc_hash::FxHashSet<&str> = files.iter().map(|f| f.slug.as_str()).collect();
    // For "did you mean": made only when a slug is unknown.
    let known = std::cell::LazyCell::new(|| {
        let mut v: Vec<String> = files.iter().map(|f| f.slug.clone()).collect();
        v.sort();
        v
    });
    let mut ok = true;
    for p in providers {
        let refs = p
            .after_hours
            .covering
            .iter()
            .chain(p.away.iter().filter_map(|a| a.covering.as_ref()));
        for r in refs {
            if !slugs.contains(r.slug.as_str()) {
                ok = false;
                let help = match did_you_mean(&r.slug, &known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "name a provider by their file name without `.toml`".to_string(),
                };
                diags.push(
                    Diagnostic::error(format!("no provider has the slug `{}`", r.slug))
                        .at(&p.file, r.span.clone())
                        .label("unknown provider")
                        .help(help),
                );
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_files_are_found_in_the_order_of_their_names_folder_by_folder() {
        // Names whose order differs from their paths' if `/` or `.` counted
        // wrongly: a folder `a` beside `a-b.toml`, `a0.toml`, `a.toml`.
        let dir = tempfile::tempdir().expect("temporary folder");
        let providers = dir.path().join("data/providers");
        for rel in [
            "a-b.toml",
            "a0.toml",
            "a.toml",
            "a/z.toml",
            "a/b/c.toml",
            "a/a-a.toml",
            "ab/b.toml",
            "e.toml",
            "a-c/d.toml",
        ] {
            let path = providers.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
            std::fs::write(&path, "").expect("write");
        }
        let mut diags = Diagnostics::default();
        let found: Vec<_> = find_provider_files(dir.path(), &mut diags)
            .into_iter()
            .map(|p| p.full)
            .collect();
        let by_names: Vec<_> = walkdir::WalkDir::new(&providers)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        assert_eq!(found.len(), 9, "{diags:?}");
        assert_eq!(found, by_names);
    }

    fn provider(text: &str) -> (Option<Provider>, Diagnostics) {
        let file = SourceFile::new("data/providers/a-b.toml", text);
        let mut diags = Diagnostics::default();
        let cache = ParseCache::default();
        let env = ProviderEnv {
            region: model::phone::parse_region("CA"),
            root: Path::new("/nonexistent"),
            cache: &cache,
        };
        let p = provider_from_source(&file, "a-b", env, &mut diags);
        (p, diags)
    }

    const MINIMAL: &str = r#"
name = "Ada Byron"
role = "Nurse"
reviewed = 2026-10-01
[[channels]]
kind = "phone"
value = "+1 204 555 0142"
"#;

    #[test]
    fn minimal_provider_loads() {
        let (p, d) = provider(MINIMAL);
        assert!(d.is_empty(), "{d:?}");
        let p = p.expect("loads");
        assert_eq!(p.sort_key, "byron ada");
        assert_eq!(p.channels.len(), 1);
    }

    #[test]
    fn unknown_key_suggests_the_close_one() {
        let (_, d) = provider(&MINIMAL.replace("role", "rol"));
        let text = d.0[0].render(false);
        assert!(text.contains("unknown key `rol`"), "{text}");
        assert!(text.contains("did you mean `role`?"), "{text}");
        assert!(text.contains("data/providers/a-b.toml:3:1"), "{text}");
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let text = r#"
name = "Ada Byron"
role = "Nurse"
reviewed = 2026-10-01
[[channels]]
kind = "phone"
value = "+1 204 555"
hours = "sometimes"
response = "soon"
[[channels]]
kind = "email"
value = "not-an-address"
[[channels]]
kind = "portal"
value = "javascript:alert(1)"
"#;
        let (p, d) = provider(text);
        assert!(p.is_none());
        assert_eq!(d.errors(), 5, "{d:?}");
    }

    #[test]
    fn patients_only_channels_do_not_count_as_public() {
        let text = MINIMAL.replace(
            "value = \"+1 204 555 0142\"",
            "value = \"+1 204 555 0142\"\nvisibility = \"patients\"",
        );
        let (p, d) = provider(&text);
        assert!(p.is_none());
        assert!(d.0[0].message.contains("no public channel"), "{d:?}");
    }

    #[test]
    fn covering_self_is_an_error() {
        let text = format!("{MINIMAL}\n[after_hours]\ncovering = [\"a-b\"]\n");
        let (_, d) = provider(&text);
        assert!(d.0[0].message.contains("cover for themselves"), "{d:?}");
    }

    #[test]
    fn away_ending_before_it_starts() {
        let text = format!("{MINIMAL}\n[[away]]\nfrom = 2026-12-20\nto = 2026-12-01\n");
        let (_, d) = provider(&text);
        assert!(d.0[0].message.contains("ends"), "{d:?}");
    }

    #[test]
    fn slugs() {
        assert!(is_valid_slug("nadia-okafor"));
        assert!(is_valid_slug("a1"));
        for bad in ["", "Nadia", "a--b", "-a", "a-", "a_b", "é"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(check_url("https://portal.example.org/x", &["https"]).is_ok());
        for bad in [
            "http://x.example.org",
            "javascript:alert(1)",
            "data:text/html,x",
            "https://",
            "portal",
        ] {
            assert!(check_url(bad, &["https"]).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_field_message_is_read() {
        let (k, e) = parse_unknown_field("unknown field `phon`, expected one of `kind`, `value`")
            .unwrap_or_default();
        assert_eq!(k, "phon");
        assert_eq!(e, ["kind", "value"]);
        assert_eq!(did_you_mean("vaule", &e), Some("value".to_string()));
        assert_eq!(did_you_mean("zzz", &e), None);
    }

    /// A new site, as `howtoreach init` makes it, in a temporary folder.
    fn new_site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        if let Err(d) = crate::init::init(dir.path(), today) {
            panic!("{d}");
        }
        dir
    }

    /// A new site, loaded once through a new cache.
    fn new_site_loaded() -> (tempfile::TempDir, LoadCache, Loaded) {
        let dir = new_site();
        let cache = LoadCache::default();
        let (first, diags) = load_site(dir.path(), Some(&cache));
        assert!(first.complete, "{diags:?}");
        (dir, cache, first)
    }

    fn provider_of(l: &Loaded, slug: &str) -> Option<std::sync::Arc<Provider>> {
        l.providers.iter().find(|p| p.slug == slug).cloned()
    }

    fn role(l: &Loaded, slug: &str) -> Option<String> {
        provider_of(l, slug).map(|p| p.role.clone())
    }

    /// Replaces `from` by `to` in the file, in place (as `fs::write` does:
    /// every name of the file sees it).
    fn edit(path: &Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        assert!(text.contains(from), "{} has no `{from}`", path.display());
        let _ = std::fs::write(path, text.replace(from, to));
    }

    #[test]
    fn a_file_parsed_ahead_gives_what_a_file_read_in_turn_gives() {
        let dir = new_site();
        let providers = dir.path().join("data/providers");
        let files = [
            ("toml-error.toml", "name = \"A\"\nrole = \n"),
            (
                "bad-number.toml",
                "name = \"B\"\nrole = \"Nurse\"\nreviewed = 2026-11-01\n[[channels]]\nkind = \"phone\"\nvalue = \"12\"\n",
            ),
            (
                "unknown-key.toml",
                "name = \"C\"\nrole = \"Nurse\"\nreviewed = 2026-11-01\nnmae = 1\n",
            ),
        ];
        for (name, text) in files {
            let _ = std::fs::write(providers.join(name), text);
        }
        let mut diags = Diagnostics::default();
        let mut paths = find_provider_files(dir.path(), &mut diags);
        let mut gone = paths[0].clone();
        gone.full = providers.join("gone.toml");
        gone.shown = PathBuf::from("data/providers/gone.toml");
        paths.push(gone);
        assert!(paths.len() > 4, "{paths:?}");
        let cache = ParseCache::default();
        let env = ProviderEnv {
            region: model::phone::parse_region("CA"),
            root: dir.path(),
            cache: &cache,
        };
        let mut failed = 0;
        for p in &paths {
            let in_turn = load_provider_file(p, None, env, None);
            let ahead = Early::read(p).convert(p, env);
            failed += usize::from(in_turn.0.is_none());
            assert_eq!(
                format!("{ahead:?}"),
                format!("{in_turn:?}"),
                "{}",
                p.shown.display()
            );
        }
        assert_eq!(failed, 4, "the three broken files and the missing one fail");
    }

    #[test]
    fn a_published_private_number_is_shown_as_loaded_without_reading_the_file_again() {
        let dir = new_site();
        let jane = dir.path().join("data/providers/jane-doe.toml");
        // Jane's patients-only mobile becomes Sam's public number too.
        let sam = dir.path().join("data/providers/sam-lee.toml");
        let text = fs::read_to_string(&sam).unwrap_or_default();
        let public = "\n[[channels]]\nkind = \"phone\"\nvalue = \"+1 416 555 0142\"\n";
        fs::write(&sam, format!("{text}{public}")).unwrap_or_else(|e| panic!("{e}"));
        let (loaded, diags) = load_site(dir.path(), None);
        assert!(loaded.complete, "{diags:?}");
        let jane_text = fs::read_to_string(&jane).unwrap_or_default();
        let line = jane_text
            .lines()
            .position(|l| l == "value = \"+1 416 555 0142\"")
            .map(|i| i + 1);
        // The file is gone by the time the check runs: its warning still
        // shows the value's line (a file read again would say it changed).
        fs::remove_file(&jane).unwrap_or_else(|e| panic!("{e}"));
        let warnings =
            crate::check::private_numbers_published(loaded.clinic.as_ref(), &loaded.providers);
        let w = warnings
            .iter()
            .find(|d| d.file() == Some(Path::new("data/providers/jane-doe.toml")));
        let Some(w) = w else {
            panic!("no warning for jane-doe: {warnings:?}");
        };
        assert_eq!(w.line_col(), line.map(|l| (l, 9)), "{w:?}");
        let shown = w.render(false);
        assert!(shown.contains("value = \"+1 416 555 0142\""), "{shown}");
        assert!(!shown.contains("changed while"), "{shown}");
    }

    #[test]
    fn a_cached_clinic_is_the_same_and_follows_its_file() {
        let dir = new_site();
        let cache = LoadCache::default();
        let name = |l: &Loaded| l.clinic.as_ref().map(|c| c.name.clone());
        let (first, d1) = load_site(dir.path(), Some(&cache));
        let (again, d2) = load_site(dir.path(), Some(&cache));
        let (uncached, d3) = load_site(dir.path(), None);
        assert!(name(&first).is_some());
        assert_eq!(name(&again), name(&first));
        assert_eq!(name(&uncached), name(&first));
        assert_eq!(
            again.clinic.map(|c| c.region),
            uncached.clinic.map(|c| c.region)
        );
        assert_eq!((d1.0.len(), d2.0.len()), (d3.0.len(), d3.0.len()));
        // An edited clinic.toml is read again.
        let path = dir.path().join("data/clinic.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let old = name(&first).unwrap_or_default();
        let _ = std::fs::write(&path, text.replace(&old, "Lakeside Clinic"));
        let (edited, _) = load_site(dir.path(), Some(&cache));
        assert_eq!(name(&edited).as_deref(), Some("Lakeside Clinic"));
        // A broken one is reported on every load, not only the first.
        let _ = std::fs::write(&path, text.replace("timezone = ", "timezone = 5 #"));
        for _ in 0..2 {
            let (broken, diags) = load_site(dir.path(), Some(&cache));
            assert!(broken.clinic.is_none());
            assert!(
                diags
                    .iter()
                    .any(|d| d.is_error() && format!("{d:?}").contains("data/clinic.toml")),
                "{diags:?}"
            );
        }
    }

    #[test]
    fn cached_loads_reparse_only_changed_files() {
        let (dir, cache, first) = new_site_loaded();
        let jane = dir.path().join("data/providers/jane-doe.toml");
        edit(&jane, "Family physician", "Family doctor");
        let (second, _) = load_site(dir.path(), Some(&cache));
        assert_eq!(role(&second, "jane-doe").as_deref(), Some("Family doctor"));
        assert_eq!(role(&second, "sam-lee"), role(&first, "sam-lee"));
        // A file broken after a good load is reported, not served from the cache.
        let _ = std::fs::write(&jane, "name = ");
        let (third, diags) = load_site(dir.path(), Some(&cache));
        assert!(!third.complete);
        assert!(diags.has_errors());
    }

    #[test]
    fn a_new_region_rereads_every_file_even_when_none_is_named() {
        let (dir, cache, first) = new_site_loaded();
        edit(
            &dir.path().join("data/clinic.toml"),
            "region = \"CA\"",
            "region = \"US\"",
        );
        // Numbers are read in the clinic's region: no provider is handed back as it was.
        cache.only_changed(Vec::new());
        let (second, diags) = load_site(dir.path(), Some(&cache));
        assert!(second.complete, "{diags:?}");
        assert_eq!(first.providers.len(), second.providers.len());
        for (a, b) in first.providers.iter().zip(&second.providers) {
            assert!(
                !std::sync::Arc::ptr_eq(a, b),
                "{} was not read again",
                a.slug
            );
        }
    }

    #[test]
    fn a_photo_is_checked_at_every_load_even_when_its_file_is_not_named() {
        let dir = new_site();
        let _ = std::fs::create_dir_all(dir.path().join("static"));
        let _ = std::fs::write(dir.path().join("static/sam.jpg"), b"jpeg");
        edit(
            &dir.path().join("data/providers/sam-lee.toml"),
            "role = ",
            "photo = \"sam.jpg\"\nrole = ",
        );
        let cache = LoadCache::default();
        let (first, diags) = load_site(dir.path(), Some(&cache));
        assert!(first.complete, "{diags:?}");
        let _ = std::fs::remove_file(dir.path().join("static/sam.jpg"));
        cache.only_changed(Vec::new());
        let (second, diags) = load_site(dir.path(), Some(&cache));
        assert!(!second.complete);
        assert!(
            diags
                .iter()
                .any(|d| d.message.contains("static/sam.jpg does not exist")),
            "{diags:?}"
        );
    }

    #[test]
    fn files_with_another_name_are_read_at_every_load() {
        let dir = new_site();
        let providers = dir.path().join("data/providers");
        // kim-park.toml is a link to a file outside data/providers/, and
        // sam-lee-2.toml a hard link to sam-lee.toml: either can change
        // while the watcher names only the other name.
        let extra = dir.path().join("data/extra");
        let _ = std::fs::create_dir_all(&extra);
        let _ = std::fs::copy(providers.join("jane-doe.toml"), extra.join("kim.toml"));
        if let Err(e) =
            std::os::unix::fs::symlink("../extra/kim.toml", providers.join("kim-park.toml"))
        {
            panic!("{e}");
        }
        if let Err(e) = std::fs::hard_link(
            providers.join("sam-lee.toml"),
            providers.join("sam-lee-2.toml"),
        ) {
            panic!("{e}");
        }
        let cache = LoadCache::default();
        let (first, diags) = load_site(dir.path(), Some(&cache));
        assert!(first.complete, "{diags:?}");
        edit(&extra.join("kim.toml"), "Family physician", "Family doctor");
        edit(
            &providers.join("sam-lee.toml"),
            "Nurse practitioner",
            "Nurse",
        );
        cache.only_changed(["sam-lee".to_string()]);
        let (second, _) = load_site(dir.path(), Some(&cache));
        assert_eq!(role(&second, "kim-park").as_deref(), Some("Family doctor"));
        assert_eq!(role(&second, "sam-lee-2").as_deref(), Some("Nurse"));
        assert_eq!(
            role(&second, "jane-doe").as_deref(),
            Some("Family physician")
        );
    }

    #[test]
    fn a_load_vouched_for_rereads_only_the_files_named() {
        let (dir, cache, first) = new_site_loaded();
        let jane = std::fs::read_to_string(dir.path().join("data/providers/jane-doe.toml"))
            .unwrap_or_default();
        let edit = |slug: &str, from: &str, to: &str| {
            edit(
                &dir.path().join(format!("data/providers/{slug}.toml")),
                from,
                to,
            );
        };
        edit("jane-doe", "Family physician", "Family doctor");
        edit("sam-lee", "Nurse practitioner", "Nurse");
        // Only jane-doe is vouched for: sam-lee's file is not even looked at,
        // and the last load's provider is handed back as it was.
        cache.only_changed(["jane-doe".to_string()]);
        let (second, _) = load_site(dir.path(), Some(&cache));
        assert!(second.complete);
        assert_eq!(role(&second, "jane-doe").as_deref(), Some("Family doctor"));
        assert_eq!(
            role(&second, "sam-lee").as_deref(),
            Some("Nurse practitioner")
        );
        assert!(matches!(
            (provider_of(&first, "sam-lee"), provider_of(&second, "sam-lee")),
            (Some(a), Some(b)) if std::sync::Arc::ptr_eq(&a, &b)
        ));
        // Naming sam-lee reads the edit; so does a load vouched for by no one.
        cache.only_changed(["sam-lee".to_string()]);
        let (third, _) = load_site(dir.path(), Some(&cache));
        assert_eq!(role(&third, "sam-lee").as_deref(), Some("Nurse"));
        assert_eq!(role(&third, "jane-doe").as_deref(), Some("Family doctor"));
        edit("sam-lee", "Nurse", "Nurse practitioner");
        let (fourth, _) = load_site(dir.path(), Some(&cache));
        assert_eq!(
            role(&fourth, "sam-lee").as_deref(),
            Some("Nurse practitioner")
        );
        // A broken file named is reported, and named again next time, still is.
        let _ = std::fs::write(dir.path().join("data/providers/jane-doe.toml"), "name = ");
        for _ in 0..2 {
            cache.only_changed(["jane-doe".to_string()]);
            let (broken, diags) = load_site(dir.path(), Some(&cache));
            assert!(!broken.complete);
            assert!(diags.has_errors());
        }
        // A load no one vouched for walks the folder again: a new file is found.
        let _ = std::fs::write(dir.path().join("data/providers/jane-doe.toml"), jane);
        let _ = std::fs::copy(
            dir.path().join("data/providers/sam-lee.toml"),
            dir.path().join("data/providers/kim-park.toml"),
        );
        let (fifth, _) = load_site(dir.path(), Some(&cache));
        assert!(fifth.complete);
        assert_eq!(fifth.providers.len(), 3);
    }
}
