//! Who can be reached when: the routes a patient has at every minute, the
//! gaps where they have none, and covering chains during absences.
//!
//! Time is the clinic's local clock, in minutes from the start of a window
//! (a Monday at midnight for the typical week; the build date at midnight for
//! the next 60 days). Sets of minutes are sorted, disjoint half-open intervals
//! ([`Minutes`]). Open hours come from the same [`Hours`] evaluation the pages
//! use; closures close providers' channels (not the clinic's urgent lines,
//! which are its round-the-clock backstop).
//!
//! The routes, per SPEC: an open public channel of the provider (not while they
//! are away); during an absence, the covering provider's open channels (and,
//! when the covering provider is away too, whoever covers for them); the
//! after-hours route (the provider's `[after_hours]` colleagues when open, else
//! the clinic's `[after_hours]` line, which is always answered); an open urgent line.

use rustc_hash::FxHashMap;
use std::ops::Range;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::hours::{monday_of, week_lines};
use crate::model::{Hours, Provider, Site};

/// A set of minutes: sorted, disjoint, non-empty half-open intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Minutes(Vec<Range<u32>>);

impl Minutes {
    pub fn empty() -> Self {
        Minutes(Vec::new())
    }

    pub fn full(len: u32) -> Self {
        Minutes::from_ranges(std::iter::once(0..len).collect())
    }

    /// Normalises any list of ranges (overlapping, touching, empty, unsorted).
    pub fn from_ranges(mut ranges: Vec<Range<u32>>) -> Self {
        ranges.retain(|r| r.start < r.end);
        ranges.sort_by_key(|r| r.start);
        let mut out: Vec<Range<u32>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match out.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => out.push(r),
            }
        }
        Minutes(out)
    }

    pub fn ranges(&self) -> &[Range<u32>] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> u32 {
        self.0.iter().map(|r| r.end - r.start).sum()
    }

    pub fn contains(&self, minute: u32) -> bool {
        self.0
            .binary_search_by(|r| {
                if r.end <= minute {
                    std::cmp::Ordering::Less
                } else if r.start > minute {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Both sets' minutes, merged in one pass (both are sorted).
    pub fn union(&self, other: &Minutes) -> Minutes {
        let (a, b) = (&self.0, &other.0);
        let mut out: Vec<Range<u32>> = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        loop {
            let next = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if y.start < x.start => {
                    j += 1;
                    y
                }
                (Some(x), _) => {
                    i += 1;
                    x
                }
                (None, Some(y)) => {
                    j += 1;
                    y
                }
                (None, None) => break,
            };
            match out.last_mut() {
                Some(last) if next.start <= last.end => last.end = last.end.max(next.end),
                _ => out.push(next.clone()),
            }
        }
        Minutes(out)
    }

    pub fn intersect(&self, other: &Minutes) -> Minutes {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        while i < self.0.len() && j < other.0.len() {
            let (a, b) = (&self.0[i], &other.0[j]);
            let start = a.start.max(b.start);
            let end = a.end.min(b.end);
            if start < end {
                out.push(start..end);
            }
            if a.end < b.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        Minutes(out)
    }

    /// The minutes of `0..len` not in the set (in order, and apart: a range
    /// of the set lies between two gaps).
    pub fn complement(&self, len: u32) -> Minutes {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut at = 0;
        for r in &self.0 {
            let end = r.start.min(len);
            if end > at {
                out.push(at..end);
            }
            at = at.max(r.end);
        }
        if at < len {
            out.push(at..len);
        }
        Minutes(out)
    }

    /// The set's minutes that are not in `other`: each range with the
    /// ranges of `other` over it cut out.
    pub fn subtract(&self, other: &Minutes) -> Minutes {
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        let mut j = 0;
        for r in &self.0 {
            while other.0.get(j).is_some_and(|o| o.end <= r.start) {
                j += 1;
            }
            let mut start = r.start;
            let mut k = j;
            while start < r.end {
                match other.0.get(k) {
                    Some(o) if o.start < r.end => {
                        if o.start > start {
                            out.push(start..o.start);
                        }
                        start = start.max(o.end);
                        k += 1;
                    }
                    _ => {
                        out.push(start..r.end);
                        break;
                    }
                }
            }
        }
        Minutes(out)
    }
}

/// A stretch of the clinic's local time, measured in minutes from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDateTime,
    pub days: u32,
    /// Whether closures and absences apply (the dated window) or not (the typical week).
    pub dated: bool,
}

impl Window {
    /// The typical week: Monday to Sunday of the build date's week, without closures or absences.
    pub fn typical_week(today: NaiveDate) -> Window {
        Window {
            start: monday_of(today).and_time(NaiveTime::MIN),
            days: 7,
            dated: false,
        }
    }

    /// The next `days` days from the build date, closures and absences included.
    pub fn ahead(today: NaiveDate, days: u32) -> Window {
        Window {
            start: today.and_time(NaiveTime::MIN),
            days,
            dated: true,
        }
    }

    pub fn minutes(&self) -> u32 {
        self.days * 1440
    }

    pub fn end(&self) -> NaiveDateTime {
        self.start + Duration::days(i64::from(self.days))
    }

    fn minute(&self, t: NaiveDateTime) -> u32 {
        let m = (t - self.start)
            .num_minutes()
            .clamp(0, i64::from(self.minutes()));
        u32::try_from(m).unwrap_or(0)
    }

    /// The minutes of whole dates `from..=to` inside the window.
    pub fn dates(&self, from: NaiveDate, to: NaiveDate) -> Minutes {
        let a = self.minute(from.and_time(NaiveTime::MIN));
        let b = self.minute((to + Duration::days(1)).and_time(NaiveTime::MIN));
        Minutes::from_ranges(std::iter::once(a..b).collect())
    }

    pub fn time_at(&self, minute: u32) -> NaiveDateTime {
        self.start + Duration::minutes(i64::from(minute))
    }
}

/// Every route of every provider over one window.
pub struct Analysis<'a> {
    site: &'a Site,
    minutes: std::sync::Arc<OpenMinutes>,
}

/// What an [`Analysis`] works from: the minutes each line, channel and
/// absence covers in its window. The typical week's is worked out once per
/// site and kept in it ([`Analysis::typical_week`]): the check and the pages
/// both read it.
#[derive(Debug)]
pub struct OpenMinutes {
    window: Window,
    /// Each urgent line's open minutes, and their union.
    urgent_lines: Vec<Minutes>,
    urgent: Minutes,
    clinic_line: bool,
    /// Per provider: open public channels minus closures (shared by the
    /// providers whose channels have the same hours), and absences.
    own: Vec<std::sync::Arc<Minutes>>,
    away: Vec<Minutes>,
}

/// How a patient can reach someone, for one stretch of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// One of the provider's own public channels.
    Own,
    /// A colleague covering an absence (index into `site.providers`).
    Covering(usize),
    /// A colleague named in the provider's `[after_hours]`.
    AfterHoursColleague(usize),
    /// The clinic's `[after_hours]` line.
    ClinicAfterHours,
    /// One of the clinic's urgent lines (index into `clinic.urgent`).
    Urgent(usize),
}

impl<'a> Analysis<'a> {
    /// The routes over `window`.
    pub fn new(site: &'a Site, window: Window) -> Self {
        Analysis {
            site,
            minutes: std::sync::Arc::new(OpenMinutes::new(site, window)),
        }
    }

    /// The routes over the typical week of the site's date, worked out the
    /// first time they are asked for and kept in the site.
    pub fn typical_week(site: &'a Site) -> Self {
        let minutes = site
            .typical_week
            .get_or_init(|| {
                std::sync::Arc::new(OpenMinutes::new(site, Window::typical_week(site.today)))
            })
            .clone();
        Analysis { site, minutes }
    }

    /// The window the routes are over.
    pub fn window(&self) -> Window {
        self.minutes.window
    }
}

impl OpenMinutes {
    fn new(site: &Site, window: Window) -> Self {
        use rayon::prelude::*;
        let closed = if window.dated {
            Minutes::from_ranges(
                site.clinic
                    .closures
                    .iter()
                    .flat_map(|c| window.dates(c.from, c.to).0)
                    .collect(),
            )
        } else {
            Minutes::empty()
        };
        // Each distinct hours text is evaluated once (most channels share a
        // few), with and without the clinic's closures; then the providers,
        // on both cores.
        let mut distinct: FxHashMap<&str, &Hours> = FxHashMap::default();
        let all_hours = std::iter::once(&site.clinic.hours)
            .chain(site.clinic.urgent.iter().map(|u| &u.hours))
            .chain(
                site.providers
                    .iter()
                    .flat_map(|p| p.channels.iter().filter_map(|c| c.hours.as_ref())),
            );
        for h in all_hours {
            distinct.entry(h.raw()).or_insert(h);
        }
        let open: FxHashMap<&str, (Minutes, Minutes)> = distinct
            .into_par_iter()
            .map(|(raw, hours)| {
                let minutes = open_minutes(hours, window);
                let with_closures = minutes.subtract(&closed);
                (raw, (minutes, with_closures))
            })
            .collect();
        let minutes = |hours: &Hours, follows_closures: bool| -> Minutes {
            match open.get(hours.raw()) {
                Some((all, _)) if !follows_closures => all.clone(),
                Some((_, with_closures)) => with_closures.clone(),
                // Every text was collected above; this is only for safety.
                None if follows_closures => open_minutes(hours, window).subtract(&closed),
                None => open_minutes(hours, window),
            }
        };
        let urgent_lines: Vec<Minutes> = site
            .clinic
            .urgent
            .iter()
            .map(|u| minutes(&u.hours, false))
            .collect();
        let urgent = urgent_lines
            .iter()
            .fold(Minutes::empty(), |acc, u| acc.union(u));
        let clinic_line = site
            .clinic
            .after_hours
            .as_ref()
            .is_some_and(|a| a.phone.is_some());
        // Most providers' channels have one of a few combinations of hours:
        // each combination's minutes are worked out and kept once.
        type Combination<'h> = Vec<(&'h str, bool)>;
        let combinations: std::sync::Mutex<FxHashMap<Combination<'_>, std::sync::Arc<Minutes>>> =
            Default::default();
        let (own, away): (Vec<std::sync::Arc<Minutes>>, Vec<Minutes>) = site
            .providers
            .par_iter()
            .map(|p| {
                let mut combination: Combination<'_> = p
                    .public_channels()
                    .map(|c| {
                        let hours = c.hours.as_ref().unwrap_or(&site.clinic.hours);
                        (hours.raw(), c.follows_closures())
                    })
                    .collect();
                combination.sort_unstable();
                combination.dedup();
                let known = combinations
                    .lock()
                    .ok()
                    .and_then(|known| known.get(&combination).cloned());
                let channels = match known {
                    Some(m) => m,
                    None => {
                        let m = std::sync::Arc::new(p.public_channels().fold(
                            Minutes::empty(),
                            |acc, c| {
                                let hours = c.hours.as_ref().unwrap_or(&site.clinic.hours);
                                acc.union(&minutes(hours, c.follows_closures()))
                            },
                        ));
                        if let Ok(mut known) = combinations.lock() {
                            known.insert(combination, m.clone());
                        }
                        m
                    }
                };
                let away = if window.dated {
                    Minutes::from_ranges(
                        p.away
                            .iter()
                            .flat_map(|a| window.dates(a.from, a.to).0)
                            .collect(),
                    )
                } else {
                    Minutes::empty()
                };
                (channels, away)
            })
            .unzip();
        OpenMinutes {
            window,
            urgent_lines,
            urgent,
            clinic_line,
            own,
            away,
        }
    }
}

impl Analysis<'_> {
    fn idx(&self, slug: &str) -> Option<usize> {
        self.site.provider_index(slug)
    }

    /// When provider `i` answers in person through their own channels (not while away).
    pub fn direct(&self, i: usize) -> Minutes {
        self.minutes.own[i].subtract(&self.minutes.away[i])
    }

    /// When provider `i` or, while they are away, whoever covers (following the
    /// chain through colleagues who are away too) can be reached.
    pub fn reachable(&self, i: usize) -> Minutes {
        let mut visited = vec![i];
        self.reachable_inner(
            i,
            &Minutes::full(self.minutes.window.minutes()),
            &mut visited,
        )
    }

    fn reachable_inner(&self, i: usize, during: &Minutes, visited: &mut Vec<usize>) -> Minutes {
        let mut out = self.direct(i).intersect(during);
        let p = &self.site.providers[i];
        for a in &p.away {
            let Some(c) = a.covering.as_ref().and_then(|r| self.idx(&r.slug)) else {
                continue;
            };
            if visited.contains(&c) {
                continue;
            }
            let span = self.minutes.window.dates(a.from, a.to).intersect(during);
            if span.is_empty() {
                continue;
            }
            visited.push(c);
            out = out.union(&self.reachable_inner(c, &span, visited));
            visited.pop();
        }
        out
    }

    /// Every route of provider `i`, each with the minutes it is open, in order of preference.
    pub fn routes(&self, i: usize) -> Vec<(Route, Minutes)> {
        let p = &self.site.providers[i];
        let mut routes = vec![(Route::Own, self.direct(i))];
        for a in &p.away {
            if let Some(c) = a.covering.as_ref().and_then(|r| self.idx(&r.slug)) {
                let span = self.minutes.window.dates(a.from, a.to);
                let mut visited = vec![i, c];
                routes.push((
                    Route::Covering(c),
                    self.reachable_inner(c, &span, &mut visited),
                ));
            }
        }
        if provider_has_own_after_hours(p) {
            for r in &p.after_hours.covering {
                if let Some(c) = self.idx(&r.slug) {
                    routes.push((Route::AfterHoursColleague(c), self.reachable(c)));
                }
            }
        } else if self.minutes.clinic_line {
            routes.push((
                Route::ClinicAfterHours,
                Minutes::full(self.minutes.window.minutes()),
            ));
        }
        for (u, line) in self.minutes.urgent_lines.iter().enumerate() {
            routes.push((Route::Urgent(u), line.clone()));
        }
        routes
    }

    /// The minutes when provider `i` has no route at all.
    pub fn gaps(&self, i: usize) -> Minutes {
        let any = self
            .routes(i)
            .into_iter()
            .fold(self.minutes.urgent.clone(), |acc, (_, m)| acc.union(&m));
        any.complement(self.minutes.window.minutes())
    }

    /// What to do at any hour outside the provider's own channels' hours: each
    /// route with the minutes it is the first one open. Minutes no route covers
    /// come last with `None`.
    pub fn when_closed(&self, i: usize) -> Vec<(Option<Route>, Minutes)> {
        let mut remaining = self.direct(i).complement(self.minutes.window.minutes());
        let mut out = Vec::new();
        for (route, open) in self.routes(i).into_iter().skip(1) {
            let part = remaining.intersect(&open);
            if !part.is_empty() {
                remaining = remaining.subtract(&part);
                out.push((Some(route), part));
            }
        }
        if !remaining.is_empty() {
            out.push((None, remaining));
        }
        out
    }
}

/// A provider's `[after_hours]` replaces the clinic's only when it names colleagues or says something.
fn provider_has_own_after_hours(p: &Provider) -> bool {
    !p.after_hours.covering.is_empty() || p.after_hours.text.is_some()
}

/// Open minutes of `hours` in the window.
pub fn open_minutes(hours: &Hours, window: Window) -> Minutes {
    let ranges = hours
        .open_ranges(window.start, window.end())
        .map(|r| window.minute(r.start)..window.minute(r.end))
        .collect();
    Minutes::from_ranges(ranges)
}

/// A set of minutes of a typical week in words: "Saturday, 12:00 PM – midnight; Sunday, all day".
pub fn week_text(m: &Minutes) -> String {
    let mut days: [Vec<Range<u32>>; 7] = Default::default();
    for r in m.ranges() {
        let mut s = r.start;
        while s < r.end {
            let day = s / 1440;
            let day_start = day * 1440;
            let e = r.end.min(day_start + 1440);
            if let Some(d) = days.get_mut(day as usize) {
                d.push(s - day_start..e - day_start);
            }
            s = e;
        }
    }
    week_lines(&days).join("; ")
}

/// A set of minutes of a dated window in words: "December 24, 2026 8:00 AM to December 26, 2026 midnight".
pub fn dated_text(m: &Minutes, window: Window, limit: usize) -> String {
    use crate::model::hours::{clock_time, date_text};
    let fmt = |t: NaiveDateTime| format!("{} {}", date_text(t.date()), clock_time(t.time()));
    let mut parts: Vec<String> = m
        .ranges()
        .iter()
        .take(limit)
        .map(|r| {
            format!(
                "{} to {}",
                fmt(window.time_at(r.start)),
                fmt(window.time_at(r.end))
            )
        })
        .collect();
    if m.ranges().len() > limit {
        parts.push(format!("{} more", m.ranges().len() - limit));
    }
    parts.join("; ")
}

/// Days ahead that `check` looks at.
pub const DAYS_AHEAD: u32 = 60;

/// The reachability warnings of SPEC: gaps in the typical week and in the next
/// 60 days, absences nobody covers, covering chains ending in someone away,
/// covering cycles.
pub fn check(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::default();
    use rayon::prelude::*;
    let week = Analysis::typical_week(site);
    let ahead = Analysis::new(site, Window::ahead(site.today, DAYS_AHEAD));
    let per_provider: Vec<Diagnostics> = (0..site.providers.len())
        .into_par_iter()
        .map(|i| provider_warnings(site, &week, &ahead, i))
        .collect();
    for d in per_provider {
        diags.extend(d);
    }
    diags
}

fn provider_warnings(
    site: &Site,
    week: &Analysis<'_>,
    ahead: &Analysis<'_>,
    i: usize,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let p = &site.providers[i];
    {
        let shown = p.file.path.display();
        let gaps = week.gaps(i);
        if !gaps.is_empty() {
            diags.push(
                Diagnostic::warning(format!(
                    "{} ({shown}): {} — no channel is open, no after-hours route, no urgent line",
                    p.name,
                    week_text(&gaps)
                ))
                .at(&p.file, 0..0)
                .help("add hours to a channel, an [after_hours] colleague or clinic line, or a 24/7 urgent line"),
            );
        } else {
            let gaps = ahead.gaps(i);
            if !gaps.is_empty() {
                diags.push(
                    Diagnostic::warning(format!(
                        "{} ({shown}): from {} — no channel is open, no after-hours route, no urgent line",
                        p.name,
                        dated_text(&gaps, ahead.window(), 3)
                    ))
                    .at(&p.file, 0..0)
                    .help("closures and absences leave these times without a route: add a covering colleague or an after-hours line"),
                );
            }
        }
        absences(site, i, &mut diags);
    }
    diags
}

/// Absences that are current or upcoming: covered, by someone who is not away, without cycles.
fn absences(site: &Site, i: usize, diags: &mut Diagnostics) {
    let p = &site.providers[i];
    for a in p.away.iter().filter(|a| a.to >= site.today) {
        let Some(first) = &a.covering else {
            diags.push(
                Diagnostic::warning(format!(
                    "{} is away from {} to {} and no one covers",
                    p.name, a.from, a.to
                ))
                .at(&p.file, a.span.clone())
                .help("add `covering = \"colleague-slug\"` to this [[away]] entry"),
            );
            continue;
        };
        // Follow the chain while the covering colleague is away during part of the absence.
        let mut chain = vec![p.slug.as_str()];
        let mut current = first.slug.as_str();
        let (from, to) = (a.from, a.to);
        loop {
            if chain.contains(&current) {
                chain.push(current);
                diags.push(
                    Diagnostic::warning(format!(
                        "covering cycle during {}'s absence ({} to {}): {}",
                        p.name,
                        from,
                        to,
                        chain.join(" → ")
                    ))
                    .at(&p.file, first.span.clone())
                    .help("make sure someone in the chain is at work during the absence"),
                );
                break;
            }
            let Some(ci) = site.provider_index(current) else {
                break;
            };
            let c = &site.providers[ci];
            let overlap = c.away.iter().find(|b| b.from <= to && b.to >= from);
            match overlap {
                None => break,
                Some(b) => match &b.covering {
                    Some(next) => {
                        chain.push(current);
                        current = next.slug.as_str();
                    }
                    None => {
                        chain.push(current);
                        diags.push(
                            Diagnostic::warning(format!(
                                "the covering chain for {}'s absence ({} to {}) ends in {}, who is away from {} to {}: {}",
                                p.name,
                                from,
                                to,
                                c.name,
                                b.from,
                                b.to,
                                chain.join(" → ")
                            ))
                            .at(&p.file, first.span.clone())
                            .help("name a covering colleague who is at work, or give the colleague's absence a covering provider"),
                        );
                        break;
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Provider, Site};

    fn m(ranges: &[(u32, u32)]) -> Minutes {
        Minutes::from_ranges(ranges.iter().map(|&(a, b)| a..b).collect())
    }

    #[test]
    fn normalises_overlaps_and_touching_ranges() {
        assert_eq!(m(&[(5, 10), (0, 6), (10, 12), (20, 20)]), m(&[(0, 12)]));
        assert_eq!(m(&[(20, 30), (0, 5)]).ranges(), &[0..5, 20..30]);
    }

    #[test]
    fn set_operations() {
        let a = m(&[(0, 10), (20, 30)]);
        let b = m(&[(5, 25)]);
        assert_eq!(a.union(&b), m(&[(0, 30)]));
        assert_eq!(a.intersect(&b), m(&[(5, 10), (20, 25)]));
        assert_eq!(a.subtract(&b), m(&[(0, 5), (25, 30)]));
        assert_eq!(a.complement(40), m(&[(10, 20), (30, 40)]));
        assert_eq!(Minutes::empty().complement(5), m(&[(0, 5)]));
        assert!(a.contains(0) && a.contains(9) && !a.contains(10) && a.contains(29));
        assert_eq!(a.len(), 20);
    }

    /// The minutes of `0..300` in a set, one by one.
    fn bits(m: &Minutes) -> Vec<bool> {
        (0..300).map(|t| m.contains(t)).collect()
    }

    /// Whether the ranges are sorted, non-empty, and apart (not touching).
    fn canonical(m: &Minutes) -> bool {
        m.ranges().iter().all(|r| r.start < r.end)
            && m.ranges().windows(2).all(|w| w[0].end < w[1].start)
    }

    proptest::proptest! {
        #[test]
        fn set_operations_are_those_of_minute_by_minute_sets(
            a in proptest::collection::vec((0u32..280, 0u32..40), 0..8),
            b in proptest::collection::vec((0u32..280, 0u32..40), 0..8),
            len in 0u32..300,
        ) {
            let a = m(&a.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            let b = m(&b.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            let (x, y) = (bits(&a), bits(&b));
            let each = |f: fn(bool, bool) -> bool| -> Vec<bool> {
                x.iter().zip(&y).map(|(&p, &q)| f(p, q)).collect()
            };
            for (got, want) in [
                (a.union(&b), each(|p, q| p || q)),
                (a.intersect(&b), each(|p, q| p && q)),
                (a.subtract(&b), each(|p, q| p && !q)),
            ] {
                proptest::prop_assert!(canonical(&got), "{got:?}");
                proptest::prop_assert_eq!(bits(&got), want);
            }
            let c = a.complement(len);
            proptest::prop_assert!(canonical(&c), "{c:?}");
            let want: Vec<bool> = x.iter().enumerate().map(|(t, &p)| !p && (t as u32) < len).collect();
            proptest::prop_assert_eq!(bits(&c), want);
        }
    }

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    #[test]
    fn hours_across_midnight_and_24_7() {
        let w = Window::typical_week(monday());
        let night = Hours::parse("Fr 22:00-02:00").expect("valid");
        let fri = 4 * 1440;
        assert_eq!(
            open_minutes(&night, w),
            m(&[(fri + 22 * 60, fri + 26 * 60)])
        );
        let all = Hours::parse("24/7").expect("valid");
        assert_eq!(open_minutes(&all, w), Minutes::full(7 * 1440));
    }

    #[test]
    fn week_in_words() {
        let sat = 5 * 1440;
        let gaps = m(&[(sat + 12 * 60, 7 * 1440)]);
        assert_eq!(
            week_text(&gaps),
            "Saturday, 12:00 PM – midnight; Sunday, all day"
        );
    }

    #[test]
    fn daylight_saving_day_is_local_clock() {
        // Winnipeg springs forward on 2027-03-14: opening hours still read on the local clock.
        let w = Window::ahead(NaiveDate::from_ymd_opt(2027, 3, 14).unwrap_or_default(), 1);
        let h = Hours::parse("Su 01:00-04:00").expect("valid");
        assert_eq!(open_minutes(&h, w), m(&[(60, 240)]));
    }

    #[test]
    fn dated_windows_cover_whole_dates() {
        let w = Window::ahead(monday(), 10);
        let d = monday() + Duration::days(2);
        assert_eq!(w.dates(d, d), m(&[(2 * 1440, 3 * 1440)]));
        // Dates outside the window are clipped away.
        let before = monday() - Duration::days(5);
        assert!(w.dates(before, before).is_empty());
    }

    // ---------------------------------------------------------------------
    // Property: a site that `check` calls gap-free has, at every sampled
    // minute, a route — judged by a per-minute oracle that evaluates hours
    // directly, not through `Minutes`.

    use crate::diagnostic::{Diagnostics, SourceFile};
    use crate::load::{self, ParseCache, ProviderEnv};
    use proptest::prelude::*;

    const HOURS: [&str; 7] = [
        "Mo-Fr 09:00-17:00",
        "24/7",
        "Sa-Su 00:00-24:00",
        "Mo-Su 17:00-24:00",
        "Mo-Su 00:00-09:00",
        "Tu,Th 08:00-12:00",
        "Fr 22:00-02:00",
    ];

    #[test]
    fn the_typical_week_is_worked_out_once_and_is_the_weeks_analysis() {
        let ps = [
            P {
                hours: vec![0, 1],
                after_hours: vec![1],
                away: Some((-3, 10, Some(1))),
            },
            P {
                hours: vec![2],
                after_hours: vec![],
                away: None,
            },
        ];
        let site = build_site(0, Some(1), false, &ps);
        assert!(site.is_some());
        let Some(site) = site else { return };
        let first = Analysis::typical_week(&site);
        let again = Analysis::typical_week(&site);
        assert!(std::sync::Arc::ptr_eq(&first.minutes, &again.minutes));
        let fresh = Analysis::new(&site, Window::typical_week(site.today));
        assert_eq!(first.window(), fresh.window());
        for i in 0..site.providers.len() {
            assert_eq!(first.routes(i), fresh.routes(i), "provider {i}");
            assert_eq!(first.gaps(i), fresh.gaps(i), "provider {i}");
        }
    }

    #[derive(Debug, Clone)]
    struct P {
        hours: Vec<usize>,
        after_hours: Vec<usize>,
        away: Option<(i64, i64, Option<usize>)>,
    }

    fn build_site(
        clinic_hours: usize,
        urgent: Option<usize>,
        clinic_line: bool,
        ps: &[P],
    ) -> Option<Site> {
        let mut diags = Diagnostics::default();
        let config = load::config_from_source(
            &SourceFile::new("site.toml", "base_url = \"https://x.example.org\"\n"),
            &mut diags,
        )?;
        let mut clinic = format!(
            "name = \"C\"\ntimezone = \"America/Winnipeg\"\nregion = \"CA\"\nphone = \"+1 204 555 0100\"\nhours = \"{}\"\n[emergency]\nnumber = \"911\"\ntext = \"Call 911.\"\n",
            HOURS[clinic_hours]
        );
        if let Some(u) = urgent {
            clinic += &format!(
                "[[urgent]]\nlabel = \"U\"\nphone = \"+1 204 555 0199\"\nhours = \"{}\"\nwhen = \"W\"\n",
                HOURS[u]
            );
        }
        if clinic_line {
            clinic += "[after_hours]\ntext = \"T\"\nphone = \"+1 204 555 0198\"\n";
        }
        clinic += "[[closures]]\nfrom = 2026-12-24\nto = 2026-12-26\n";
        let clinic =
            load::clinic_from_source(&SourceFile::new("data/clinic.toml", clinic), &mut diags)?;
        let today = NaiveDate::from_ymd_opt(2026, 11, 25)?;
        let cache = ParseCache::default();
        let env = ProviderEnv {
            region: Some(clinic.region),
            root: std::path::Path::new("/nonexistent"),
            cache: &cache,
        };
        let mut providers = Vec::new();
        for (i, p) in ps.iter().enumerate() {
            let mut text = format!("name = \"P{i}\"\nrole = \"R\"\nreviewed = 2026-11-01\n");
            for h in &p.hours {
                text += &format!(
                    "[[channels]]\nkind = \"email\"\nvalue = \"p{i}@x.example.org\"\nhours = \"{}\"\n",
                    HOURS[*h]
                );
            }
            let others: Vec<String> = p
                .after_hours
                .iter()
                .map(|j| j % ps.len())
                .filter(|j| *j != i)
                .map(|j| format!("\"p{j}\""))
                .collect();
            if !others.is_empty() {
                text += &format!("[after_hours]\ncovering = [{}]\n", others.join(", "));
            }
            if let Some((start, len, covering)) = p.away {
                let from = today + Duration::days(start);
                let to = from + Duration::days(len);
                text += &format!("[[away]]\nfrom = {from}\nto = {to}\n");
                if let Some(c) = covering.map(|c| c % ps.len()).filter(|c| *c != i) {
                    text += &format!("covering = \"p{c}\"\n");
                }
            }
            let file = SourceFile::new(format!("data/providers/p{i}.toml"), text);
            providers.push(std::sync::Arc::new(load::provider_from_source(
                &file,
                &format!("p{i}"),
                env,
                &mut diags,
            )?));
        }
        Some(Site::new(
            "/nonexistent".into(),
            config,
            clinic,
            providers,
            today,
        ))
    }

    fn away_on(p: &Provider, d: NaiveDate) -> Option<&crate::model::Away> {
        p.away.iter().find(|a| a.from <= d && d <= a.to)
    }

    fn channels_open(site: &Site, p: &Provider, t: NaiveDateTime, dated: bool) -> bool {
        let closed = dated && site.clinic.closed.contains(t.date());
        p.public_channels().any(|c| {
            !(closed && c.follows_closures())
                && c.hours.as_ref().unwrap_or(&site.clinic.hours).is_open(t)
        })
    }

    /// Provider `i` or whoever covers their absence, following the chain.
    fn reach_at(
        site: &Site,
        i: usize,
        t: NaiveDateTime,
        dated: bool,
        seen: &mut Vec<usize>,
    ) -> bool {
        let p = &site.providers[i];
        match away_on(p, t.date()).filter(|_| dated) {
            None => channels_open(site, p, t, dated),
            Some(a) => match a
                .covering
                .as_ref()
                .and_then(|c| site.provider_index(&c.slug))
            {
                Some(c) if !seen.contains(&c) => {
                    seen.push(c);
                    reach_at(site, c, t, dated, seen)
                }
                _ => false,
            },
        }
    }

    fn has_route(site: &Site, i: usize, t: NaiveDateTime, dated: bool) -> bool {
        let p = &site.providers[i];
        if reach_at(site, i, t, dated, &mut vec![i]) {
            return true;
        }
        if site.clinic.urgent.iter().any(|u| u.hours.is_open(t)) {
            return true;
        }
        if p.after_hours.covering.is_empty() && p.after_hours.text.is_none() {
            return site
                .clinic
                .after_hours
                .as_ref()
                .is_some_and(|a| a.phone.is_some());
        }
        p.after_hours.covering.iter().any(|c| {
            site.provider_index(&c.slug)
                .is_some_and(|c| reach_at(site, c, t, dated, &mut vec![c]))
        })
    }

    fn provider() -> impl Strategy<Value = P> {
        (
            proptest::collection::vec(0..HOURS.len(), 1..3),
            proptest::collection::vec(0usize..4, 0..2),
            proptest::option::of((-3i64..50, 0i64..12, proptest::option::of(0usize..4))),
        )
            .prop_map(|(hours, after_hours, away)| P {
                hours,
                after_hours,
                away,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn gap_free_sites_have_a_route_at_every_sampled_minute(
            clinic_hours in 0..HOURS.len(),
            urgent in proptest::option::of(0..HOURS.len()),
            clinic_line in proptest::bool::ANY,
            ps in proptest::collection::vec(provider(), 1..4),
            samples in proptest::collection::vec(0u32..(DAYS_AHEAD * 1440), 64),
        ) {
            let Some(site) = build_site(clinic_hours, urgent, clinic_line, &ps) else {
                return Ok(());
            };
            let warnings = check(&site);
            let analysis = Analysis::new(&site, Window::ahead(site.today, DAYS_AHEAD));
            for (i, p) in site.providers.iter().enumerate() {
                let gap_free = !warnings.iter().any(|d| d.message.starts_with(&format!("{} (", p.name)));
                let week = Window::typical_week(site.today);
                let ahead = Window::ahead(site.today, DAYS_AHEAD);
                for &m in &samples {
                    let t_week = week.time_at(m % week.minutes());
                    let t_ahead = ahead.time_at(m);
                    if gap_free {
                        prop_assert!(has_route(&site, i, t_week, false), "{} has no route at {t_week} (typical week)", p.name);
                        prop_assert!(has_route(&site, i, t_ahead, true), "{} has no route at {t_ahead}", p.name);
                    }
                    // And the analysis agrees with the oracle minute by minute.
                    prop_assert_eq!(
                        !analysis.gaps(i).contains(m),
                        has_route(&site, i, t_ahead, true),
                        "{} at {}", p.name, t_ahead
                    );
                }
            }
        }
    }
}
