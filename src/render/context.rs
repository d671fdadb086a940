//! Typed view structs the templates see, built from the model.
//!
//! The one rule that matters most: on public pages a provider's `channels`
//! hold public channels only. That filter is applied when a view is built,
//! here for templates ([`ViewBuilder::channels`]) and in
//! `native::provider::shown` for the built-in pages written directly, and
//! nowhere else: templates cannot get at a patients-only value because it is
//! never in their context. Docs: `docs/templates.md`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::hours::{date_text, monday_of};
use crate::model::{Channel, Clinic, Hours, Phone, Provider, Site};
use crate::render::markdown;

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub base_url: String,
    pub language: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildView {
    pub date: String,
    pub date_text: String,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub kind: &'static str,
    pub root: String,
    pub url: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhoneView {
    pub e164: String,
    pub display: String,
    pub href: String,
}

impl From<&Phone> for PhoneView {
    fn from(p: &Phone) -> Self {
        PhoneView {
            e164: p.e164.clone(),
            display: p.display.clone(),
            href: p.tel_href(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EmergencyView {
    pub number: String,
    pub href: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UrgentView {
    pub label: String,
    pub phone: PhoneView,
    pub hours_text: String,
    pub hours_lines: Vec<String>,
    pub when: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClinicAfterHoursView {
    pub text: String,
    pub phone: Option<PhoneView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClosureView {
    pub from: String,
    pub to: String,
    pub dates_text: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClinicView {
    pub name: String,
    pub address: Option<String>,
    pub website: Option<String>,
    pub phone: PhoneView,
    pub hours_text: String,
    pub hours_lines: Vec<String>,
    pub opening_hours_spec: Vec<OpeningSpec>,
    pub timezone: String,
    pub emergency: EmergencyView,
    pub urgent: Vec<UrgentView>,
    pub after_hours: Option<ClinicAfterHoursView>,
    pub closures: Vec<ClosureView>,
}

/// One schema.org OpeningHoursSpecification: days sharing one time range.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningSpec {
    pub days: Vec<&'static str>,
    /// `HH:MM`
    pub opens: String,
    /// `HH:MM`; midnight at the end of the day is `23:59`.
    pub closes: String,
}

/// OpeningHoursSpecification entries for a typical week: one per group of
/// days with the same range, in order of first appearance.
pub fn opening_specs(week: &[Vec<std::ops::Range<u32>>; 7]) -> Vec<OpeningSpec> {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let hhmm = |m: u32| {
        let m = m.min(1439);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let mut specs: Vec<(std::ops::Range<u32>, Vec<&'static str>)> = Vec::new();
    for (day, ranges) in week.iter().enumerate() {
        for r in ranges {
            match specs.iter_mut().find(|(range, _)| range == r) {
                Some((_, days)) => days.push(DAYS[day]),
                None => specs.push((r.clone(), vec![DAYS[day]])),
            }
        }
    }
    specs
        .into_iter()
        .map(|(r, days)| OpeningSpec {
            days,
            opens: hhmm(r.start),
            closes: if r.end >= 1440 {
                "23:59".to_string()
            } else {
                hhmm(r.end)
            },
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct LanguageView {
    pub tag: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    /// Position in the list shown (0 = preferred).
    pub index: usize,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub label: String,
    pub value: String,
    pub display: String,
    pub href: Option<String>,
    pub action: &'static str,
    pub preferred: bool,
    pub patients_only: bool,
    /// The raw text (a string value, shared by every channel with these hours).
    pub hours: tera::Value,
    /// A string value.
    pub hours_text: tera::Value,
    /// A list of strings.
    pub hours_lines: tera::Value,
    pub hours_own: bool,
    /// The typical week as schema.org OpeningHoursSpecification entries (a list).
    pub opening_hours_spec: tera::Value,
    /// The number, for phone-valued kinds (phone, mobile, pager, answering-service, sms, fax).
    pub phone: Option<PhoneView>,
    pub response_text: Option<String>,
    pub use_for: Vec<std::sync::Arc<str>>,
    pub not_for: Vec<std::sync::Arc<str>>,
    /// A string value (notes repeat across providers: each is rendered once).
    pub note_html: tera::Value,
}

/// A channel as the index sees it: the fields SPEC names, without the
/// per-page detail (`hours_lines`, `opening_hours_spec`, `phone`, `use_for`,
/// `not_for`...), so that every provider's summary can be in memory at once.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryChannel {
    pub index: usize,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub label: String,
    pub value: String,
    pub display: String,
    pub href: Option<String>,
    pub action: &'static str,
    pub preferred: bool,
    pub patients_only: bool,
    /// A string value, shared by every channel with these hours.
    pub hours_text: tera::Value,
    pub response_text: Option<String>,
    /// A string value, shared by every channel with this note.
    pub note_html: tera::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderSummary {
    pub slug: String,
    pub name: String,
    pub credentials: Option<String>,
    pub role: String,
    pub department: Option<String>,
    pub languages: Vec<LanguageView>,
    pub url: String,
    /// A [`SummaryChannel`] value: the first of `channels`, shared with it.
    pub preferred: tera::Value,
    /// The list of public [`SummaryChannel`] values.
    pub channels: tera::Value,
    pub away_now: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColleagueView {
    pub slug: String,
    pub name: String,
    pub role: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AfterHoursView {
    pub text: Option<String>,
    pub phone: Option<PhoneView>,
    pub covering: Vec<ColleagueView>,
    pub from_clinic: bool,
    /// What to do at any hour the provider's own channels are closed, derived
    /// from the reachability analysis of a typical week (`reach::Analysis::when_closed`).
    pub routes: Vec<RouteView>,
}

/// One way to reach someone while the provider's own channels are closed.
#[derive(Debug, Clone, Serialize)]
pub struct RouteView {
    /// The times in words: "Monday to Friday, 4:30 PM – midnight; Saturday and Sunday, all day".
    pub when: String,
    /// `covering`, `after_hours_colleague`, `clinic_after_hours`, `urgent` or `none`.
    pub kind: &'static str,
    /// What to do, e.g. "Call the 24-hour cancer care line".
    pub label: String,
    pub phone: Option<PhoneView>,
    pub colleague: Option<ColleagueView>,
}

/// The name of a response kind in the live-status data, and its number.
fn response_data(r: crate::model::Response) -> (&'static str, u32) {
    use crate::model::Response as R;
    match r {
        R::Minutes(n) => ("minutes", n),
        R::Hours(n) => ("hours", n),
        R::BusinessHours(n) => ("business_hours", n),
        R::Days(n) => ("days", n),
        R::BusinessDays(n) => ("business_days", n),
        R::SameDay => ("same_day", 0),
        R::SameBusinessDay => ("same_business_day", 0),
        R::NextBusinessDay => ("next_business_day", 0),
    }
}

/// A channel list as template values: the list, and its first item.
#[derive(Clone)]
pub struct ChannelValues {
    pub list: tera::Value,
    pub preferred: tera::Value,
}

impl ChannelValues {
    /// No channels: for views whose channels are not template values
    /// (the built-in pages, `render::native`).
    pub fn none() -> Self {
        ChannelValues {
            list: tera::Value::none(),
            preferred: tera::Value::none(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AwayView {
    pub from: String,
    pub to: String,
    pub dates_text: String,
    pub current: bool,
    pub covering: Option<ColleagueView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub slug: String,
    pub name: String,
    pub credentials: Option<String>,
    pub pronouns: Option<String>,
    pub role: String,
    pub department: Option<String>,
    pub languages: Vec<LanguageView>,
    pub url: String,
    pub photo: Option<String>,
    pub about_html: String,
    pub reviewed: String,
    pub reviewed_text: String,
    /// A channel value: the first of `channels`.
    pub preferred: tera::Value,
    /// The list of channel values the audience may see.
    pub channels: tera::Value,
    pub away_now: bool,
    pub after_hours: AfterHoursView,
    pub away: Vec<AwayView>,
    pub page_url: String,
    pub vcard: String,
    pub qr: &'static str,
    pub qr_svg_html: String,
    /// JSON for `<script type="application/json" id="howtoreach-status">`, safe to print unescaped.
    pub status_json_html: String,
}

/// Which channels a view may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The public site: public channels only.
    Public,
    /// A printed handout for the provider's own patients: every channel.
    Patients,
}

/// Hours in words are computed once per distinct `hours` text: many channels share them.
pub struct HoursWords {
    monday: NaiveDate,
    cache: std::sync::Mutex<rustc_hash::FxHashMap<String, std::sync::Arc<HoursFacts>>>,
}

/// What the pages show of one `hours` text, computed once.
pub struct HoursFacts {
    /// Open minute ranges of each day of the typical week, Monday first.
    pub week: [Vec<std::ops::Range<u32>>; 7],
    pub lines: Vec<String>,
    /// The lines joined with `; `.
    pub text: String,
    pub specs: Vec<OpeningSpec>,
    /// The same as template values, made once and shared by every channel
    /// with these hours (Tera's strings, lists and maps are reference-counted).
    pub raw_value: tera::Value,
    pub text_value: tera::Value,
    pub lines_value: tera::Value,
    pub specs_value: tera::Value,
    /// The week for the live-status data: seven lists of `[start, end]` minutes, as JSON.
    pub week_json: String,
}

impl HoursWords {
    pub fn new(today: NaiveDate) -> Self {
        HoursWords {
            monday: monday_of(today),
            cache: Default::default(),
        }
    }

    /// The typical week, its words and its OpeningHoursSpecification, cached by text.
    pub fn facts(&self, hours: &Hours) -> std::sync::Arc<HoursFacts> {
        if let Ok(cache) = self.cache.lock()
            && let Some(facts) = cache.get(hours.raw())
        {
            return facts.clone();
        }
        let week = hours.week(self.monday);
        let lines = crate::model::hours::week_lines(&week);
        let specs = opening_specs(&week);
        let week_json = {
            let days: Vec<Vec<[u32; 2]>> = week
                .iter()
                .map(|day| day.iter().map(|r| [r.start, r.end]).collect())
                .collect();
            serde_json::to_string(&days).unwrap_or_else(|_| "[]".to_string())
        };
        let facts = std::sync::Arc::new(HoursFacts {
            raw_value: tera::Value::from(hours.raw()),
            text_value: tera::Value::from(lines.join("; ")),
            text: lines.join("; "),
            lines_value: tera::Value::from_serializable(&lines),
            specs_value: tera::Value::from_serializable(&specs),
            week_json,
            lines,
            specs,
            week,
        });
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(hours.raw().to_string(), facts.clone());
        }
        facts
    }

    pub fn lines(&self, hours: &Hours) -> Vec<String> {
        self.facts(hours).lines.clone()
    }
}

/// Everything the views are built from.
pub struct ViewBuilder<'a> {
    pub site: &'a Site,
    pub words: HoursWords,
    /// Routes of every provider over a typical week, for the after-hours section.
    pub week: crate::reach::Analysis<'a>,
    /// Channel notes as HTML, by their Markdown: the same few notes recur.
    notes: std::sync::Mutex<rustc_hash::FxHashMap<String, tera::Value>>,
    /// The start of every page's status data, the same for all: the time
    /// zone and the clinic's closures not over yet.
    status_start: String,
    /// Stretches of a typical week in words, by their minutes: providers
    /// of the same hours share them.
    week_texts: std::sync::Mutex<rustc_hash::FxHashMap<crate::reach::Minutes, String>>,
}

/// The value `cache` holds for `key`, made by `make` and kept the first time.
/// (The lock is not held while it is made: two threads may both make it, and
/// both get the same value.)
fn memo<K, Q, V>(
    cache: &std::sync::Mutex<rustc_hash::FxHashMap<K, V>>,
    key: &Q,
    make: impl FnOnce() -> V,
) -> V
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: ToOwned<Owned = K> + std::hash::Hash + Eq + ?Sized,
    V: Clone,
{
    if let Ok(cache) = cache.lock()
        && let Some(value) = cache.get(key)
    {
        return value.clone();
    }
    let value = make();
    if let Ok(mut cache) = cache.lock() {
        cache.insert(key.to_owned(), value.clone());
    }
    value
}

pub fn phone_view(p: &Phone) -> PhoneView {
    PhoneView::from(p)
}

impl<'a> ViewBuilder<'a> {
    pub fn new(site: &'a Site) -> Self {
        ViewBuilder {
            site,
            words: HoursWords::new(site.today),
            week: crate::reach::Analysis::typical_week(site),
            notes: Default::default(),
            status_start: status_start(site),
            week_texts: Default::default(),
        }
    }

    /// [`crate::reach::week_text`], worked out once per distinct set of minutes.
    fn week_text(&self, minutes: &crate::reach::Minutes) -> String {
        memo(&self.week_texts, minutes, || {
            crate::reach::week_text(minutes)
        })
    }

    /// A channel note's HTML, rendered once per distinct text.
    pub fn note_html(&self, note: &str) -> tera::Value {
        memo(&self.notes, note, || {
            tera::Value::from(markdown::to_html(note))
        })
    }

    pub fn site_view(&self) -> SiteView {
        SiteView {
            base_url: self.site.config.base_url.clone(),
            language: self.site.config.language.clone(),
        }
    }

    pub fn build_view(&self) -> BuildView {
        BuildView {
            date: self.site.today.to_string(),
            date_text: date_text(self.site.today),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub fn clinic_view(&self) -> ClinicView {
        let c: &Clinic = &self.site.clinic;
        let hours_lines = self.words.lines(&c.hours);
        ClinicView {
            opening_hours_spec: self.words.facts(&c.hours).specs.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            website: c.website.clone(),
            phone: phone_view(&c.phone),
            hours_text: hours_lines.join("; "),
            hours_lines,
            timezone: c.timezone.name().to_string(),
            emergency: EmergencyView {
                number: c.emergency.number.clone(),
                href: format!(
                    "tel:{}",
                    c.emergency
                        .number
                        .chars()
                        .filter(|ch| ch.is_ascii_digit() || *ch == '+')
                        .collect::<String>()
                ),
                text: c.emergency.text.clone(),
            },
            urgent: c
                .urgent
                .iter()
                .map(|u| {
                    let lines = self.words.lines(&u.hours);
                    UrgentView {
                        label: u.label.clone(),
                        phone: phone_view(&u.phone),
                        hours_text: lines.join("; "),
                        hours_lines: lines,
                        when: u.when.clone(),
                    }
                })
                .collect(),
            after_hours: c.after_hours.as_ref().map(|a| ClinicAfterHoursView {
                text: a.text.clone(),
                phone: a.phone.as_ref().map(phone_view),
            }),
            closures: c
                .closures
                .iter()
                .filter(|cl| cl.to >= self.site.today)
                .map(|cl| ClosureView {
                    from: cl.from.to_string(),
                    to: cl.to.to_string(),
                    dates_text: dates_text(cl.from, cl.to),
                    note: cl.note.clone(),
                })
                .collect(),
        }
    }

    /// A channel as a page shows it: the summary's fields and the detail.
    pub fn channel_view(&self, c: &Channel, index: usize) -> ChannelView {
        let hours = c.hours.as_ref().unwrap_or(&self.site.clinic.hours);
        let facts = self.words.facts(hours);
        let s = self.summary_channel(c, index);
        ChannelView {
            index: s.index,
            kind: s.kind,
            kind_label: s.kind_label,
            label: s.label,
            value: s.value,
            display: s.display,
            href: s.href,
            action: s.action,
            preferred: s.preferred,
            patients_only: s.patients_only,
            hours: facts.raw_value.clone(),
            hours_text: s.hours_text,
            hours_lines: facts.lines_value.clone(),
            hours_own: c.hours.is_some(),
            opening_hours_spec: facts.specs_value.clone(),
            phone: match &c.value {
                crate::model::ChannelValue::Phone(p) => Some(phone_view(p)),
                _ => None,
            },
            response_text: s.response_text,
            use_for: c.use_for.clone(),
            not_for: c.not_for.clone(),
            note_html: s.note_html,
        }
    }

    /// The channels an audience may see, the first marked preferred, as template values.
    pub fn channels(&self, p: &Provider, audience: Audience) -> ChannelValues {
        let list: Vec<tera::Value> = p
            .channels
            .iter()
            .filter(|c| audience == Audience::Patients || c.is_public())
            .enumerate()
            .map(|(i, c)| tera::Value::from_serializable(&self.channel_view(c, i)))
            .collect();
        // Loading guarantees at least one public channel.
        let preferred = list
            .first()
            .cloned()
            .unwrap_or_else(|| tera::Value::from_serializable(&self.empty_channel()));
        ChannelValues {
            list: tera::Value::from(list),
            preferred,
        }
    }

    pub fn away_now(&self, p: &Provider) -> bool {
        p.away
            .iter()
            .any(|a| (a.from..=a.to).contains(&self.site.today))
    }

    /// A channel as the index sees it (the index shows public ones only).
    fn summary_channel(&self, c: &Channel, index: usize) -> SummaryChannel {
        let hours = c.hours.as_ref().unwrap_or(&self.site.clinic.hours);
        SummaryChannel {
            index,
            kind: c.kind.as_str(),
            kind_label: c.kind.default_label(),
            label: c.label().to_string(),
            value: c.raw_value.clone(),
            display: c.display().to_string(),
            href: c.href(),
            action: c.kind.action(),
            preferred: index == 0,
            patients_only: !c.is_public(),
            hours_text: self.words.facts(hours).text_value.clone(),
            response_text: c.response.map(|r| r.text()),
            note_html: c
                .note
                .as_deref()
                .map_or_else(|| tera::Value::from(""), |note| self.note_html(note)),
        }
    }

    /// The index's summary of a provider: public channels only, each with the
    /// fields of a [`SummaryChannel`].
    pub fn summary(&self, p: &Provider) -> ProviderSummary {
        let list: Vec<tera::Value> = p
            .public_channels()
            .enumerate()
            .map(|(i, c)| tera::Value::from_serializable(&self.summary_channel(c, i)))
            .collect();
        // Loading guarantees at least one public channel.
        let preferred = list
            .first()
            .cloned()
            .unwrap_or_else(|| tera::Value::from_serializable(&self.empty_channel()));
        ProviderSummary {
            slug: p.slug.clone(),
            name: p.name.clone(),
            credentials: p.credentials.clone(),
            role: p.role.clone(),
            department: p.department.clone(),
            languages: languages(&p.languages),
            url: provider_path(&p.slug),
            preferred,
            channels: tera::Value::from(list),
            away_now: self.away_now(p),
        }
    }

    fn empty_channel(&self) -> ChannelView {
        ChannelView {
            index: 0,
            kind: "phone",
            kind_label: "Phone",
            label: String::new(),
            value: String::new(),
            display: String::new(),
            href: None,
            action: "",
            preferred: true,
            patients_only: false,
            hours: tera::Value::from(""),
            hours_text: tera::Value::from(""),
            hours_lines: tera::Value::from(Vec::<tera::Value>::new()),
            hours_own: false,
            opening_hours_spec: tera::Value::from(Vec::<tera::Value>::new()),
            phone: None,
            response_text: None,
            use_for: Vec::new(),
            not_for: Vec::new(),
            note_html: tera::Value::from(""),
        }
    }

    fn colleague(&self, slug: &str) -> Option<ColleagueView> {
        let i = self.site.provider_index(slug)?;
        let p = &self.site.providers[i];
        Some(ColleagueView {
            slug: p.slug.clone(),
            name: p.name.clone(),
            role: p.role.clone(),
            url: provider_path(&p.slug),
        })
    }

    /// The handout's view from the public one: only the channels (and the
    /// live-status data that follows them) differ; routes, absences and
    /// Markdown are not worked out twice.
    pub fn for_patients(&self, p: &Provider, public: ProviderView) -> ProviderView {
        let channels = self.channels(p, Audience::Patients);
        ProviderView {
            preferred: channels.preferred,
            channels: channels.list,
            status_json_html: self.status_json(p, Audience::Patients),
            ..public
        }
    }

    /// A provider page's view, with the channels from [`Self::channels`] for `audience`.
    pub fn provider(
        &self,
        p: &Provider,
        audience: Audience,
        channels: &ChannelValues,
        qr_svg: String,
    ) -> ProviderView {
        let clinic = &self.site.clinic;
        let from_clinic = p.after_hours.text.is_none() && p.after_hours.covering.is_empty();
        // The provider's own [after_hours] replaces the clinic's, text and line.
        let clinic_route = clinic.after_hours.as_ref().filter(|_| from_clinic);
        let after_hours = AfterHoursView {
            text: p
                .after_hours
                .text
                .clone()
                .or_else(|| clinic_route.map(|a| a.text.clone())),
            phone: clinic_route.and_then(|a| a.phone.as_ref()).map(phone_view),
            covering: p
                .after_hours
                .covering
                .iter()
                .filter_map(|r| self.colleague(&r.slug))
                .collect(),
            from_clinic,
            routes: self.routes(p),
        };
        let away = p
            .away
            .iter()
            .filter(|a| a.to >= self.site.today)
            .map(|a| AwayView {
                from: a.from.to_string(),
                to: a.to.to_string(),
                dates_text: dates_text(a.from, a.to),
                current: a.from <= self.site.today,
                covering: a.covering.as_ref().and_then(|r| self.colleague(&r.slug)),
            })
            .collect();
        ProviderView {
            slug: p.slug.clone(),
            name: p.name.clone(),
            credentials: p.credentials.clone(),
            pronouns: p.pronouns.clone(),
            role: p.role.clone(),
            department: p.department.clone(),
            languages: languages(&p.languages),
            url: provider_path(&p.slug),
            photo: p.photo.clone(),
            about_html: p
                .about
                .as_deref()
                .map(markdown::to_html)
                .unwrap_or_default(),
            reviewed: p.reviewed.to_string(),
            reviewed_text: date_text(p.reviewed),
            preferred: channels.preferred.clone(),
            channels: channels.list.clone(),
            away_now: self.away_now(p),
            after_hours,
            away,
            page_url: self.page_url(&p.slug),
            vcard: format!("{}.vcf", p.slug),
            qr: "qr.svg",
            qr_svg_html: qr_svg,
            status_json_html: self.status_json(p, audience),
        }
    }

    /// What to do when the provider's own channels are closed, from the typical-week analysis.
    fn routes(&self, p: &Provider) -> Vec<RouteView> {
        use crate::reach::Route;
        let Some(i) = self.site.provider_index(&p.slug) else {
            return Vec::new();
        };
        let clinic = &self.site.clinic;
        self.week
            .when_closed(i)
            .into_iter()
            .map(|(route, minutes)| {
                let when = self.week_text(&minutes);
                let (kind, label, phone, colleague) = match route {
                    Some(Route::Covering(c)) | Some(Route::AfterHoursColleague(c)) => {
                        let colleague = self.colleague(&self.site.providers[c].slug);
                        let name = self.site.providers[c].name.clone();
                        (
                            "after_hours_colleague",
                            format!("Contact {name}, who covers"),
                            None,
                            colleague,
                        )
                    }
                    Some(Route::ClinicAfterHours) => (
                        "clinic_after_hours",
                        "Call the clinic's after-hours line".to_string(),
                        clinic.after_hours.as_ref().and_then(|a| a.phone.as_ref()).map(phone_view),
                        None,
                    ),
                    Some(Route::Urgent(u)) => {
                        let line = &clinic.urgent[u];
                        (
                            "urgent",
                            format!("Call the {}", line.label),
                            Some(phone_view(&line.phone)),
                            None,
                        )
                    }
                    Some(Route::Own) | None => (
                        "none",
                        "No one can be reached at these times. In an emergency, call the emergency number.".to_string(),
                        None,
                        None,
                    ),
                };
                RouteView {
                    when,
                    kind,
                    label,
                    phone,
                    colleague,
                }
            })
            .collect()
    }

    /// The live-status data of the channels an audience sees, as JSON safe
    /// inside `<script>`: `{timezone, closures, name, away: [[from, to,
    /// covering name or null]], channels: [{index, closures?, week,
    /// response}]}` (docs/templates.md). Written directly: the weeks are
    /// cached per hours text.
    pub fn status_json(&self, p: &Provider, audience: Audience) -> String {
        use std::fmt::Write as _;
        let mut json = String::with_capacity(512);
        json.push_str(&self.status_start);
        // The absences not over yet: the script says who covers on their
        // days instead of promising an answer by a time.
        json.push_str("],\"name\":");
        json.push_str(&json_string(&p.name));
        json.push_str(",\"away\":[");
        let away = p.away.iter().filter(|a| a.to >= self.site.today);
        for (i, a) in away.enumerate() {
            if i > 0 {
                json.push(',');
            }
            let covering = a
                .covering
                .as_ref()
                .and_then(|r| self.site.provider_index(&r.slug))
                .and_then(|c| self.site.providers.get(c))
                .map_or_else(|| "null".to_string(), |c| json_string(&c.name));
            let _ = write!(json, "[\"{}\",\"{}\",{covering}]", a.from, a.to);
        }
        json.push_str("],\"channels\":[");
        let shown = p
            .channels
            .iter()
            .filter(|c| audience == Audience::Patients || c.is_public());
        for (index, c) in shown.enumerate() {
            if index > 0 {
                json.push(',');
            }
            let hours = c.hours.as_ref().unwrap_or(&self.site.clinic.hours);
            let _ = write!(json, "{{\"index\":{index},");
            // The closures that close this channel, when not the clinic's:
            // an on-call service stays open (`[]`); absent means the clinic's list.
            if !c.follows_closures() {
                json.push_str("\"closures\":[],");
            }
            json.push_str("\"week\":");
            json.push_str(&self.words.facts(hours).week_json);
            json.push_str(",\"response\":");
            match c.response.map(response_data) {
                Some((kind, n)) => {
                    let _ = write!(json, "{{\"kind\":\"{kind}\",\"n\":{n}}}");
                }
                None => json.push_str("null"),
            }
            json.push('}');
        }
        json.push_str("]}");
        // Inside a <script> element only `</` (and `<!--`) matter; escape every `<`.
        if json.contains('<') {
            json = json.replace('<', "\\u003c");
        }
        json
    }

    pub fn page_url(&self, slug: &str) -> String {
        format!("{}/{}", self.site.config.base_url, provider_path(slug))
    }
}

/// `departments`: `[{name, providers}]` sorted by department name, providers in
/// the site's name order, those without a department last under "Other providers".
/// Takes each summary's department and template value; the values are shared, not copied.
pub fn department_values(summaries: &[(Option<String>, tera::Value)]) -> tera::Value {
    let mut groups: std::collections::BTreeMap<(u8, &str), Vec<tera::Value>> = Default::default();
    for (department, value) in summaries {
        let key = match department {
            Some(d) => (0, d.as_str()),
            None => (1, "Other providers"),
        };
        groups.entry(key).or_default().push(value.clone());
    }
    let list: Vec<tera::Value> = groups
        .into_iter()
        .map(|((_, name), providers)| {
            let mut map = std::collections::BTreeMap::new();
            map.insert("name", tera::Value::from(name));
            map.insert("providers", tera::Value::from(providers));
            tera::Value::from(map)
        })
        .collect();
    tera::Value::from(list)
}

/// [`ViewBuilder::status_json`] up to the provider's name: the time zone and
/// the clinic's closures not over yet.
fn status_start(site: &Site) -> String {
    use std::fmt::Write as _;
    let mut json = String::with_capacity(128);
    json.push_str("{\"timezone\":");
    json.push_str(&json_string(site.clinic.timezone.name()));
    json.push_str(",\"closures\":[");
    let closures = site.clinic.closures.iter().filter(|c| c.to >= site.today);
    for (i, c) in closures.enumerate() {
        if i > 0 {
            json.push(',');
        }
        let _ = write!(json, "[\"{}\",\"{}\"]", c.from, c.to);
    }
    json
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// `providers/<slug>/`, relative to the site root.
pub fn provider_path(slug: &str) -> String {
    format!("providers/{slug}/")
}

/// "December 25, 2026" or "December 24, 2026 to January 1, 2027".
pub fn dates_text(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        date_text(from)
    } else {
        format!("{} to {}", date_text(from), date_text(to))
    }
}

/// Every language any provider speaks, once each, sorted by name.
pub fn all_languages(providers: &[std::sync::Arc<Provider>]) -> Vec<LanguageView> {
    let tags: std::collections::BTreeSet<&String> =
        providers.iter().flat_map(|p| p.languages.iter()).collect();
    let mut all = languages(&tags.into_iter().cloned().collect::<Vec<_>>());
    all.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.tag.cmp(&b.tag)));
    all
}

fn languages(tags: &[String]) -> Vec<LanguageView> {
    tags.iter()
        .map(|t| LanguageView {
            tag: t.clone(),
            name: language_name(t).to_string(),
        })
        .collect()
}

/// English name of a language tag's primary language; the tag itself when unknown.
pub fn language_name(tag: &str) -> &str {
    let primary = tag.split('-').next().unwrap_or(tag);
    LANGUAGE_NAMES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(primary))
        .map_or(tag, |(_, name)| name)
}

/// ISO 639-1/3 codes of languages often spoken in clinics, with their English names.
const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("am", "Amharic"),
    ("ar", "Arabic"),
    ("asl", "American Sign Language"),
    ("bn", "Bengali"),
    ("cr", "Cree"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("fa", "Persian"),
    ("fr", "French"),
    ("gu", "Gujarati"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("it", "Italian"),
    ("iu", "Inuktitut"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("ml", "Malayalam"),
    ("nl", "Dutch"),
    ("oj", "Ojibwe"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("so", "Somali"),
    ("sw", "Swahili"),
    ("ta", "Tamil"),
    ("te", "Telugu"),
    ("ti", "Tigrinya"),
    ("tl", "Tagalog"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("yue", "Cantonese"),
    ("zh", "Chinese"),
];
