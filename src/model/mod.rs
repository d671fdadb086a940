//! Validated types: what a site *is*, once every value has been parsed.
//!
//! Values here are never re-checked: a `Phone` is a valid number, `Hours` parse,
//! a `Provider`'s covering colleagues exist. `load` builds these from the raw
//! TOML structs once; everything later (checks, rendering, output) reads them.

pub mod hours;
pub mod phone;
pub mod response;

use std::ops::Range;
use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::diagnostic::SourceFile;
pub use hours::Hours;
pub use phone::Phone;
pub use response::{BusinessTime, Closures, Response};

/// A whole site, ready to check and render. Never changed once made
/// ([`Site::new`]): what is worked out from it is kept in it (the slug index,
/// the typical week's routes), and a changed site is a new one.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub clinic: Clinic,
    /// Sorted by name (see [`sort_key`]).
    /// Shared: `serve` keeps unchanged providers from one build to the next.
    pub providers: Vec<std::sync::Arc<Provider>>,
    /// The day the build is for (`SOURCE_DATE_EPOCH`, else today in the clinic's time zone).
    pub today: NaiveDate,
    /// Position of each provider in `providers`, by slug.
    /// (The table holds positions only, hashed by the provider's slug: no
    /// copy of each slug is made.)
    by_slug: hashbrown::HashTable<usize>,
    /// The routes over the typical week, worked out once for the check and
    /// the pages ([`crate::reach::Analysis::typical_week`]).
    pub(crate) typical_week: std::sync::OnceLock<std::sync::Arc<crate::reach::OpenMinutes>>,
}

impl Site {
    /// A site with its providers sorted by name.
    pub fn new(
        root: PathBuf,
        config: Config,
        clinic: Clinic,
        providers: Vec<std::sync::Arc<Provider>>,
        today: NaiveDate,
    ) -> Site {
        // Sorted through a vector of the keys alone: comparing through each
        // `Arc<Provider>` would reach into two scattered, often cache-cold
        // providers at every one of the N log N comparisons.
        let mut keyed: Vec<(&str, &str, usize)> = providers
            .iter()
            .enumerate()
            .map(|(i, p)| (p.sort_key.as_str(), p.slug.as_str(), i))
            .collect();
        keyed.sort_unstable();
        let providers: Vec<std::sync::Arc<Provider>> = keyed
            .iter()
            .filter_map(|&(_, _, i)| providers.get(i).cloned())
            .collect();
        let mut by_slug = hashbrown::HashTable::with_capacity(providers.len());
        for (i, p) in providers.iter().enumerate() {
            by_slug.insert_unique(slug_hash(&p.slug), i, |&j: &usize| {
                providers.get(j).map_or(0, |q| slug_hash(&q.slug))
            });
        }
        Site {
            root,
            config,
            clinic,
            providers,
            today,
            by_slug,
            typical_week: std::sync::OnceLock::new(),
        }
    }

    /// The index of the provider with `slug`.
    pub fn provider_index(&self, slug: &str) -> Option<usize> {
        self.by_slug
            .find(slug_hash(slug), |&i| {
                self.providers.get(i).is_some_and(|p| p.slug == slug)
            })
            .copied()
    }
}

fn slug_hash(slug: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(slug)
}

/// `site.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: SourceFile,
    /// Absolute `http(s)` URL without a trailing slash.
    pub base_url: String,
    pub output_dir: PathBuf,
    pub output_dir_span: Option<Range<usize>>,
    pub handout_dir: PathBuf,
    pub handout_dir_span: Option<Range<usize>>,
    pub language: String,
    pub review_after_days: u32,
}

/// `data/clinic.toml`.
#[derive(Debug, Clone)]
pub struct Clinic {
    pub file: SourceFile,
    pub name: String,
    pub timezone: Tz,
    pub region: phonenumber::country::Id,
    pub phone: Phone,
    pub hours: Hours,
    pub address: Option<String>,
    pub website: Option<String>,
    pub emergency: Emergency,
    pub urgent: Vec<Urgent>,
    pub after_hours: Option<ClinicAfterHours>,
    pub closures: Vec<Closure>,
    /// The same closures as date ranges, for business-time arithmetic.
    pub closed: Closures,
}

#[derive(Debug, Clone)]
pub struct Emergency {
    /// As written: `911`, `112`, `999`.
    pub number: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Urgent {
    pub label: String,
    pub phone: Phone,
    pub hours: Hours,
    pub when: String,
}

#[derive(Debug, Clone)]
pub struct ClinicAfterHours {
    pub text: String,
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub note: String,
}

/// One provider file.
#[derive(Debug, Clone)]
pub struct Provider {
    pub file: SourceFile,
    pub slug: String,
    pub name: String,
    /// Folded key for sorting: `sort_as` or "last word, then the rest", lower-cased, accents removed.
    pub sort_key: String,
    pub credentials: Option<String>,
    pub pronouns: Option<String>,
    pub role: String,
    pub department: Option<String>,
    pub languages: Vec<String>,
    /// Path inside `static/`, checked to exist.
    pub photo: Option<String>,
    pub reviewed: NaiveDate,
    pub reviewed_span: Range<usize>,
    pub about: Option<String>,
    pub channels: Vec<Channel>,
    pub after_hours: ProviderAfterHours,
    pub away: Vec<Away>,
}

impl Provider {
    /// The channels a patient may see on the public site.
    pub fn public_channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.iter().filter(|c| c.is_public())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProviderAfterHours {
    /// Covering colleagues, in order; each exists and is not the provider.
    pub covering: Vec<SlugRef>,
    pub text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Away {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub covering: Option<SlugRef>,
    pub span: Range<usize>,
}

/// A reference to another provider by slug, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlugRef {
    pub slug: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Phone,
    Mobile,
    Pager,
    AnsweringService,
    Sms,
    Fax,
    Email,
    Portal,
    Video,
    InPerson,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 10] = [
        ChannelKind::Phone,
        ChannelKind::Mobile,
        ChannelKind::Pager,
        ChannelKind::AnsweringService,
        ChannelKind::Sms,
        ChannelKind::Fax,
        ChannelKind::Email,
        ChannelKind::Portal,
        ChannelKind::Video,
        ChannelKind::InPerson,
    ];

    /// The name used in TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Phone => "phone",
            ChannelKind::Mobile => "mobile",
            ChannelKind::Pager => "pager",
            ChannelKind::AnsweringService => "answering-service",
            ChannelKind::Sms => "sms",
            ChannelKind::Fax => "fax",
            ChannelKind::Email => "email",
            ChannelKind::Portal => "portal",
            ChannelKind::Video => "video",
            ChannelKind::InPerson => "in-person",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The label shown when a channel has none of its own.
    pub fn default_label(self) -> &'static str {
        match self {
            ChannelKind::Phone => "Phone",
            ChannelKind::Mobile => "Mobile phone",
            ChannelKind::Pager => "Pager",
            ChannelKind::AnsweringService => "Answering service",
            ChannelKind::Sms => "Text message",
            ChannelKind::Fax => "Fax",
            ChannelKind::Email => "E-mail",
            ChannelKind::Portal => "Patient portal",
            ChannelKind::Video => "Video visit",
            ChannelKind::InPerson => "In person",
        }
    }

    /// The call to action on the link.
    pub fn action(self) -> &'static str {
        match self {
            ChannelKind::Phone | ChannelKind::Mobile | ChannelKind::AnsweringService => "Call",
            ChannelKind::Pager => "Page",
            ChannelKind::Sms => "Text",
            ChannelKind::Fax => "Send a fax to",
            ChannelKind::Email => "E-mail",
            ChannelKind::Portal => "Open the portal",
            ChannelKind::Video => "Join the video visit",
            ChannelKind::InPerson => "Visit",
        }
    }
}

/// A channel's value, parsed according to its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelValue {
    Phone(Phone),
    Email(String),
    /// An `https:` URL.
    Url(String),
    /// Where and how to come in person.
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Patients,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub kind: ChannelKind,
    /// Labels, notes and `use_for`/`not_for` items recur across providers:
    /// loading keeps one copy of each text.
    pub label: Option<std::sync::Arc<str>>,
    /// The value as written, and where.
    pub raw_value: String,
    pub value_span: Range<usize>,
    /// A patients-only number's line, cut from its file as it loaded (the
    /// file's text is not kept), and the value's span in it: what a warning
    /// that the site publishes the number anyway shows, without reading the
    /// file again.
    pub private_line: Option<std::sync::Arc<(SourceFile, Range<usize>)>>,
    pub value: ChannelValue,
    /// The channel's own hours; `None` means the clinic's.
    pub hours: Option<Hours>,
    pub response: Option<Response>,
    pub use_for: Vec<std::sync::Arc<str>>,
    pub not_for: Vec<std::sync::Arc<str>>,
    pub note: Option<std::sync::Arc<str>>,
    pub visibility: Visibility,
}

impl Channel {
    pub fn is_public(&self) -> bool {
        self.visibility == Visibility::Public
    }

    pub fn label(&self) -> &str {
        self.label
            .as_deref()
            .unwrap_or_else(|| self.kind.default_label())
    }

    /// Whether the clinic's closures close this channel. An answering service,
    /// a pager, and any channel answered around the clock are on-call services
    /// that run when the clinic is closed ("the 24-hour line stays open"); every
    /// other channel is staffed by the clinic and closes with it.
    pub fn follows_closures(&self) -> bool {
        let on_call = matches!(
            self.kind,
            ChannelKind::AnsweringService | ChannelKind::Pager
        );
        let around_the_clock = self.hours.as_ref().is_some_and(Hours::always_open);
        !(on_call || around_the_clock)
    }

    /// The link a patient taps, if the kind has one.
    pub fn href(&self) -> Option<String> {
        match (&self.value, self.kind) {
            (ChannelValue::Phone(_), ChannelKind::Fax) => None,
            (ChannelValue::Phone(p), ChannelKind::Sms) => Some(p.sms_href()),
            (ChannelValue::Phone(p), _) => Some(p.tel_href()),
            (ChannelValue::Email(e), _) => Some(["mailto:", e].concat()),
            (ChannelValue::Url(u), _) => Some(u.clone()),
            (ChannelValue::Text(_), _) => None,
        }
    }

    /// The value as shown to a person (a part of the value as stored).
    pub fn display(&self) -> &str {
        match &self.value {
            ChannelValue::Phone(p) => &p.display,
            ChannelValue::Email(e) => e,
            ChannelValue::Url(u) => u
                .strip_prefix("https://")
                .unwrap_or(u)
                .trim_end_matches('/'),
            ChannelValue::Text(t) => t,
        }
    }

    /// Every form in which this channel's value could appear in output: used by
    /// tests and by the output guard that no patients-only value is published.
    /// A number's depend on it as written, as shown and in E.164 only (the
    /// guard works out the forms of each distinct number once).
    pub fn value_forms(&self) -> Vec<String> {
        let mut forms = vec![self.raw_value.clone(), self.display().to_string()];
        if let ChannelValue::Phone(p) = &self.value {
            forms.extend(phone_forms(p));
        }
        forms.sort();
        forms.dedup();
        forms
    }
}

/// The ways a phone number is commonly written: display, E.164 with and
/// without `+`, and for 10-digit national numbers (North America) the digits
/// alone and grouped 3-3-4 with spaces, dashes or dots.
pub fn phone_forms(p: &Phone) -> Vec<String> {
    let mut forms = vec![
        p.display.clone(),
        p.e164.clone(),
        p.e164.trim_start_matches('+').to_string(),
    ];
    if let Some(national) = p.e164.strip_prefix("+1")
        && national.len() == 10
    {
        let (a, b, c) = (&national[..3], &national[3..6], &national[6..]);
        forms.push(national.to_string());
        for sep in [" ", "-", "."] {
            forms.push([a, sep, b, sep, c].concat());
        }
    }
    forms
}

/// The key people look names up by: `sort_as`, else the last word of the name
/// then the rest; lower-cased with accents removed ("Côté" sorts as "cote").
pub fn sort_key(name: &str, sort_as: Option<&str>) -> String {
    let base = match sort_as {
        Some(s) => s.to_string(),
        None => {
            let words: Vec<&str> = name.split_whitespace().collect();
            match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{last} {}", rest.join(" ")),
                _ => name.to_string(),
            }
        }
    };
    fold(&base)
}

/// Lower-case, accent-free form of a string for sorting and searching.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_is_last_name_first_without_accents() {
        assert_eq!(sort_key("Nadia Okafor", None), "okafor nadia");
        assert_eq!(sort_key("Élise Côté", None), "cote elise");
        assert_eq!(sort_key("Cher", None), "cher");
        assert_eq!(
            sort_key("Marie-Claire de la Roche", Some("Roche Marie-Claire de la")),
            "roche marie-claire de la"
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ChannelKind::parse("telegram"), None);
    }
}
