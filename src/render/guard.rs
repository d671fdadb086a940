//! Defence in depth: no public file may contain a patients-only value, in any
//! common written form, whatever a site's template or a free-text field does.
//!
//! Phone numbers of 10 digits or more are looked for as digits: every run of
//! digits in a public file (joined across the separators people write numbers
//! with: spaces, `-`, `.`, `(`, `)`, `+`) is checked, at every position,
//! against the patients-only numbers' digits (international and national),
//! kept in a hash map. That finds `(204) 555-0177`, `204.555.0177`,
//! `+1-204-555-0177` and `tel:+12045550177` alike, in one pass over the bytes,
//! in memory that does not depend on how many ways a number can be written.
//! Everything else is looked for as written, with an Aho-Corasick automaton:
//! an e-mail address, a link, a room, a number with an extension, a shorter
//! number (8 or 9 digits joined across separators would match dates), and
//! any form the digit scan would not find (`204/555/0177`, a non-breaking space).
//!
//! Values that are part of something the site publishes anyway (the same
//! number as a public channel or clinic line, a prefix of a public URL) are
//! left out: `check` warns about those.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Dest, Emit, Parts};
use crate::diagnostic::Diagnostic;
use crate::model::{Channel, ChannelValue, Provider, Site};

/// Digits of a number: how many (leading zeros count) and their value.
type Digits = (u8, u64);

/// Numbers with fewer digits are looked for as written, not as digits: a
/// date (`2026-11-01`) or a year in a comment joins to 8 or 9 digits, and
/// some countries' numbers are that short.
const MIN_DIGITS: usize = 10;
/// More than this do not fit the key (E.164 numbers have at most 15).
const MAX_DIGITS: usize = 18;
/// Texts shorter than this are not looked for (they would match by chance).
const MIN_TEXT: usize = 7;

/// The values a [`Guard`] looks for: its site's patients-only values that
/// the site does not publish anyway.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LookedFor {
    numbers: FxHashSet<Digits>,
    texts: FxHashSet<String>,
}

impl LookedFor {
    /// Whether `other` looks for every value this looks for: then a file
    /// that passed a guard looking for `other` passes one looking for this.
    pub fn within(&self, other: &LookedFor) -> bool {
        self.numbers.is_subset(&other.numbers) && self.texts.is_subset(&other.texts)
    }
}

pub struct Guard<'a> {
    inner: &'a dyn Emit,
    site: &'a Site,
    /// Patients-only numbers as digits, with the provider and channel of each.
    numbers: FxHashMap<Digits, (usize, usize)>,
    /// The digit counts present in `numbers`.
    lengths: Vec<usize>,
    /// Other patients-only values as written, and the owner of each pattern.
    texts: Option<aho_corasick::AhoCorasick>,
    /// The texts `texts` finds, in its pattern order.
    patterns: Vec<String>,
    text_owners: Vec<(usize, usize)>,
    /// How many bytes a value looked for can span at most, written out: a
    /// file emitted in parts is looked at with this much of the part before.
    overlap: usize,
    /// Files passed on, for the summary line.
    pub(super) written: AtomicUsize,
}

impl<'a> Guard<'a> {
    pub fn new(site: &'a Site, inner: &'a dyn Emit) -> Self {
        use rayon::prelude::*;
        // Each provider's patients-only values, worked out on both cores,
        // then gathered in the providers' order (the first owner of a
        // number is the one named).
        let private: Vec<Vec<Private>> = site
            .providers
            .par_iter()
            .enumerate()
            .map(|(pi, p)| private_values(pi, p))
            .collect();
        let mut numbers: FxHashMap<Digits, (usize, usize)> = FxHashMap::default();
        let mut texts: Vec<String> = Vec::new();
        let mut text_owners = Vec::new();
        for value in private.into_iter().flatten() {
            match value {
                Private::Number(key, owner) => {
                    numbers.entry(key).or_insert(owner);
                }
                Private::Text(form, owner) => {
                    texts.push(form);
                    text_owners.push(owner);
                }
            }
        }

        // What the site publishes anyway is not looked for: every public
        // value is scanned (the providers on both cores) for the numbers and
        // texts above.
        let finder = aho_corasick::AhoCorasick::new(&texts).ok();
        let lengths = lengths_of(&numbers);
        // What each core found, each value once.
        type Found = (FxHashSet<usize>, FxHashSet<Digits>);
        let find_in = |text: &str, (texts_found, numbers_found): &mut Found| {
            if let Some(finder) = &finder {
                texts_found.extend(
                    finder
                        .find_overlapping_iter(text)
                        .map(|m| m.pattern().as_usize()),
                );
            }
            scan_digits(text.as_bytes(), &lengths, |key| {
                if numbers.contains_key(&key) {
                    numbers_found.insert(key);
                }
                false
            });
        };
        let clinic = &site.clinic;
        let clinic_forms: Vec<String> = std::iter::once(&clinic.phone)
            .chain(clinic.urgent.iter().map(|u| &u.phone))
            .chain(clinic.after_hours.iter().filter_map(|a| a.phone.as_ref()))
            .flat_map(crate::model::phone_forms)
            .collect();
        // Each distinct public number once (many providers give the same
        // lines; addresses and links are mostly their own): the number as
        // written, as shown and in E.164 decide all its forms
        // (`Channel::value_forms`).
        type Numbers<'s> = FxHashMap<(&'s str, &'s str, &'s str), &'s Channel>;
        let distinct_numbers: Numbers<'_> = site
            .providers
            .par_iter()
            .fold(Numbers::default, |mut distinct, p| {
                for c in p.public_channels() {
                    if let ChannelValue::Phone(phone) = &c.value {
                        distinct
                            .entry((&c.raw_value, &phone.display, &phone.e164))
                            .or_insert(c);
                    }
                }
                distinct
            })
            .reduce(Numbers::default, |mut a, mut b| {
                if a.len() < b.len() {
                    std::mem::swap(&mut a, &mut b);
                }
                for (key, c) in b {
                    a.entry(key).or_insert(c);
                }
                a
            });
        let other_values = site.providers.par_iter().flat_map_iter(|p| {
            p.public_channels()
                .filter(|c| !matches!(c.value, ChannelValue::Phone(_)))
        });
        let (texts_found, numbers_found) = distinct_numbers
            .into_par_iter()
            .map(|(_, c)| c)
            .chain(other_values)
            .map(|c| c.value_forms())
            .chain(rayon::iter::once(clinic_forms))
            .fold(Found::default, |mut found, forms| {
                for form in &forms {
                    find_in(form, &mut found);
                }
                found
            })
            .reduce(Found::default, |(mut t, mut n), (t2, n2)| {
                t.extend(t2);
                n.extend(n2);
                (t, n)
            });
        let mut published = vec![false; texts.len()];
        for i in texts_found {
            if let Some(flag) = published.get_mut(i) {
                *flag = true;
            }
        }
        for key in numbers_found {
            numbers.remove(&key);
        }

        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for ((form, owner), published) in texts.into_iter().zip(text_owners).zip(published) {
            if !published {
                patterns.push(form);
                owners.push(owner);
            }
        }
        // The crate picks the kind: a DFA for a few patterns, a compact
        // automaton for many.
        let texts = (!patterns.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&patterns).ok())
            .flatten();
        // Digits joined across up to three separators each.
        let digits_span = 4 * MAX_DIGITS;
        let overlap = digits_span.max(texts.as_ref().map_or(0, |t| t.max_pattern_len()));
        Guard {
            inner,
            site,
            lengths: lengths_of(&numbers),
            numbers,
            texts,
            patterns,
            text_owners: owners,
            overlap,
            written: AtomicUsize::new(0),
        }
    }

    /// Every value this guard looks for.
    pub fn looked_for(&self) -> LookedFor {
        LookedFor {
            numbers: self.numbers.keys().copied().collect(),
            texts: self.patterns.iter().cloned().collect(),
        }
    }

    /// The provider and channel of the first patients-only value in `bytes`:
    /// a value looked for as written if there is one, else a number.
    fn find(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        self.find_text(bytes).or_else(|| self.find_number(bytes))
    }

    /// The owner of the first value looked for as written, in `bytes`.
    fn find_text(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let m = self.texts.as_ref()?.find(bytes)?;
        self.text_owners.get(m.pattern().as_usize()).copied()
    }

    /// The owner of the first number found by its digits, in `bytes`.
    fn find_number(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let mut owner = None;
        scan_digits(bytes, &self.lengths, |key| {
            owner = self.numbers.get(&key).copied();
            owner.is_some()
        });
        owner
    }
}

/// A patients-only value the guard looks for, with its provider and channel.
enum Private {
    /// A number, found by its digits.
    Number(Digits, (usize, usize)),
    /// A value looked for as written.
    Text(String, (usize, usize)),
}

/// The patients-only values of provider `pi`, channel by channel, each
/// channel's numbers before its texts.
fn private_values(pi: usize, p: &Provider) -> Vec<Private> {
    let mut values = Vec::new();
    for (ci, c) in p.channels.iter().enumerate() {
        if c.is_public() {
            continue;
        }
        let forms = c.value_forms();
        let mut as_written: Vec<String> = Vec::new();
        if let ChannelValue::Phone(phone) = &c.value {
            // The extension is part of what is private; a vanity
            // number is written with letters: all its forms are
            // looked for as written too.
            let whole =
                phone.extension.is_some() || c.raw_value.chars().any(|ch| ch.is_ascii_alphabetic());
            for form in forms {
                let number = form.split([';', 'e', 'x']).next().unwrap_or(&form);
                // A form the digit scan finds (its digits, joined by
                // the usual separators, long enough not to be a date)
                // is looked for as digits; any other (`204/555/0177`,
                // a non-breaking space, a short national number) as written.
                match digits_of(number).filter(|&key| finds_itself(number, key)) {
                    Some(key) => {
                        values.push(Private::Number(key, (pi, ci)));
                        if whole {
                            as_written.push(form);
                        }
                    }
                    None => as_written.push(form),
                }
            }
        } else {
            as_written = forms;
        }
        values.extend(
            as_written
                .into_iter()
                .filter(|form| form.chars().count() >= MIN_TEXT)
                .map(|form| Private::Text(form, (pi, ci))),
        );
    }
    values
}

impl Guard<'_> {
    /// The error for a public file at `path` that holds the patients-only
    /// value of provider `pi`'s channel `ci`.
    fn leak(&self, path: &str, (pi, ci): (usize, usize)) -> Option<Diagnostic> {
        let p = self.site.providers.get(pi)?;
        let c = p.channels.get(ci)?;
        Some(Diagnostic::error(format!(
            "the public file {path} contains {}'s patients-only {}",
            p.name,
            c.label()
        ))
        .in_path(&p.file.path)
        .help("patients-only values belong on handouts only: remove it from the text or template that prints it"))
    }
}

impl Emit for Guard<'_> {
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if dest == Dest::Public
            && let Some(leak) = self.find(bytes).and_then(|owner| self.leak(path, owner))
        {
            return Err(leak);
        }
        self.inner.emit(dest, path, bytes)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Each part is looked at with the end of the one before (as long as any
    /// value looked for, written out), so a value split between two parts is
    /// found. A part with a value looked for as written fails the file before
    /// it is passed on; a number found by its digits fails it at the end
    /// (the whole file's scan names a value looked for as written first,
    /// wherever it is, and so does this).
    fn emit_parts(&self, dest: Dest, path: &str, write: &mut Parts<'_>) -> Result<(), Diagnostic> {
        if dest == Dest::Public {
            let mut seen: Vec<u8> = Vec::new();
            let mut number = None;
            self.inner.emit_parts(dest, path, &mut |inner| {
                write(&mut |part| {
                    seen.extend_from_slice(part);
                    if let Some(leak) = self.find_text(&seen).and_then(|o| self.leak(path, o)) {
                        return Err(leak);
                    }
                    if number.is_none() {
                        number = self.find_number(&seen);
                    }
                    let done = seen.len().saturating_sub(self.overlap);
                    seen.drain(..done);
                    inner(part)
                })
            })?;
            if let Some(leak) = number.and_then(|o| self.leak(path, o)) {
                return Err(leak);
            }
        } else {
            self.inner.emit_parts(dest, path, write)?;
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn folder(&self, dest: Dest, path: &str) -> Result<(), Diagnostic> {
        self.inner.folder(dest, path)
    }
}

/// The digits of a written number, if it has a sensible count of them.
fn digits_of(number: &str) -> Option<Digits> {
    let mut n = 0usize;
    let mut value = 0u64;
    for b in number.bytes().filter(u8::is_ascii_digit) {
        n += 1;
        if n > MAX_DIGITS {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    (n >= MIN_DIGITS).then_some((n as u8, value))
}

/// Whether scanning `number` for its own digits finds them: it is written
/// with digits and the separators [`scan_digits`] joins across.
fn finds_itself(number: &str, key: Digits) -> bool {
    let mut found = false;
    scan_digits(number.as_bytes(), &[usize::from(key.0)], |k| {
        found = k == key;
        found
    });
    found
}

fn lengths_of(numbers: &FxHashMap<Digits, (usize, usize)>) -> Vec<usize> {
    let mut lengths: Vec<usize> = numbers.keys().map(|&(n, _)| usize::from(n)).collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// Calls `hit` with every `lengths`-long stretch of consecutive digits in
/// `bytes`, where digits stay consecutive across up to three separators
/// (space, `-`, `.`, `(`, `)`, `+`). Stops when `hit` returns true.
fn scan_digits(bytes: &[u8], lengths: &[usize], mut hit: impl FnMut(Digits) -> bool) {
    let (Some(&shortest), Some(&longest)) = (lengths.first(), lengths.last()) else {
        return;
    };
    // The current run's digits (the last `longest` of them, once it is longer
    // than the buffer). Most runs in a page are short and cost only a push.
    let mut digits = [0u8; 2 * MAX_DIGITS];
    let mut len = 0usize;
    let mut separators = 0;
    let mut i = 0;
    while i < bytes.len() {
        if len == 0 {
            match start_of_run(bytes, i, shortest) {
                Some(start) => i = start,
                None => return,
            }
        }
        let Some(&b) = bytes.get(i) else {
            break;
        };
        i += 1;
        match CLASS[usize::from(b)] {
            DIGIT => {
                if len == digits.len() {
                    digits.copy_within(len - longest.., 0);
                    len = longest;
                }
                digits[len] = b - b'0';
                len += 1;
                separators = 0;
                if len < shortest {
                    continue;
                }
                for &n in lengths.iter().take_while(|&&n| n <= len) {
                    let value = digits[len - n..len]
                        .iter()
                        .fold(0u64, |v, &d| v * 10 + u64::from(d));
                    if hit((n as u8, value)) {
                        return;
                    }
                }
            }
            SEPARATOR if len > 0 && separators < 3 => {
                separators += 1;
            }
            _ => {
                len = 0;
                separators = 0;
            }
        }
    }
}

const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const SEPARATOR: u8 = 2;

/// What each byte is to [`scan_digits`].
static CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = b'0';
    while b <= b'9' {
        class[b as usize] = DIGIT;
        b += 1;
    }
    let separators = *b" -.()+";
    let mut k = 0;
    while k < separators.len() {
        class[separators[k] as usize] = SEPARATOR;
        k += 1;
    }
    class
};

/// Where the next run of digits that could be `shortest` digits long may
/// start, from `i` (outside any run): its first digit, or `None` if none can.
///
/// Such a run and its separators fill at least `shortest` bytes, none of
/// them any other character. So when the byte `shortest - 1` ahead is
/// another character, no such run starts before it (as a search for a word
/// skips ahead by the word's length); else the run can only lie in the
/// stretch of digits and separators around that byte, and only if the
/// stretch holds `shortest` digits: the path of a QR code, times (`8:00`) and
/// dates are passed without looking at them byte by byte. Before the
/// stretch is read, two more bytes are looked at, `shortest / 2` either side
/// of that byte: a stretch `shortest` long holds one of them, so when both
/// are other characters, no run starts until after the second.
fn start_of_run(bytes: &[u8], mut i: usize, shortest: usize) -> Option<usize> {
    let is_other = |b: u8| CLASS[usize::from(b)] == OTHER;
    loop {
        let last = i + shortest.max(1) - 1;
        let &b = bytes.get(last)?;
        if is_other(b) {
            i = last + 1;
            continue;
        }
        // A stretch at least `shortest` long around `last` also holds the
        // byte `half` before it or the one `half` after it. When neither is
        // a digit or separator, no run starts by `last + half` (one starting
        // after `last` would hold the byte after it): short stretches, as in
        // the path of a QR code (`m2 0h1`), are passed without reading them.
        let half = shortest / 2;
        if half > 0
            && is_other(bytes[last - half])
            && bytes.get(last + half).is_none_or(|&b| is_other(b))
        {
            i = last + half + 1;
            continue;
        }
        // The stretch of digits and separators around it: a run long enough
        // lies within one, which holds at least `shortest` digits.
        let mut from = last;
        while from > i && !is_other(bytes[from - 1]) {
            from -= 1;
        }
        // A run that starts by `last` ends within 4 × `shortest` bytes of it
        // (at most three separators after each digit): the stretch is read
        // no further, so a long one whose runs keep breaking (a digit, four
        // spaces, a digit...) is not read again from each of them.
        let cap = (last + 4 * shortest).min(bytes.len());
        let to = bytes[last..cap]
            .iter()
            .position(|&b| is_other(b))
            .map_or(cap, |k| last + k);
        let stretch = &bytes[from..to];
        if stretch.len() >= shortest
            && stretch.iter().filter(|b| b.is_ascii_digit()).count() >= shortest
        {
            // Separators before the first digit do not start a run.
            if let Some(k) = stretch.iter().position(u8::is_ascii_digit) {
                return Some(from + k);
            }
        }
        i = if to < cap || cap == bytes.len() {
            // The whole stretch was read (`to` is another character, or the end).
            to + 1
        } else {
            // No run starts by `last`; one may start in the rest of the stretch.
            last + 1
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(text: &str, number: &str) -> bool {
        let key = digits_of(number).expect("a number");
        let mut found = false;
        scan_digits(text.as_bytes(), &[usize::from(key.0)], |k| {
            found = k == key;
            found
        });
        found
    }

    #[test]
    fn finds_a_number_however_it_is_written() {
        for text in [
            "call (204) 555-0177 now",
            "204.555.0177",
            "204 555 0177",
            "tel:+12045550177",
            "<a href=\"tel:+1-204-555-0177\">",
            "x2045550177x",
            "ext. 12, 204-555-0177",
        ] {
            assert!(finds(text, "2045550177"), "{text}");
        }
        assert!(finds("+1 204 555 0177", "12045550177"));
    }

    #[test]
    fn does_not_join_digits_across_other_characters() {
        for text in [
            "204-555-01:77",
            "2045550 is not 177",
            "204/555/0177",
            "20455501",
            "204 - - - 5550177",
        ] {
            assert!(!finds(text, "2045550177"), "{text}");
        }
    }

    /// The scan as first written, byte by byte: what [`scan_digits`] must find.
    fn scan_digits_bytewise(bytes: &[u8], lengths: &[usize]) -> Vec<Digits> {
        let mut found = Vec::new();
        let (Some(&shortest), Some(&longest)) = (lengths.first(), lengths.last()) else {
            return found;
        };
        let mut digits: Vec<u8> = Vec::new();
        let mut separators = 0;
        for &b in bytes {
            match b {
                b'0'..=b'9' => {
                    digits.push(b - b'0');
                    separators = 0;
                    if digits.len() > longest {
                        digits.remove(0);
                    }
                    for &n in lengths
                        .iter()
                        .filter(|&&n| n >= shortest && n <= digits.len())
                    {
                        let value = digits[digits.len() - n..]
                            .iter()
                            .fold(0u64, |v, &d| v * 10 + u64::from(d));
                        found.push((n as u8, value));
                    }
                }
                b' ' | b'-' | b'.' | b'(' | b')' | b'+' if !digits.is_empty() && separators < 3 => {
                    separators += 1;
                }
                _ => {
                    digits.clear();
                    separators = 0;
                }
            }
        }
        found
    }

    fn scan_all(bytes: &[u8], lengths: &[usize]) -> Vec<Digits> {
        let mut found = Vec::new();
        scan_digits(bytes, lengths, |k| {
            found.push(k);
            false
        });
        found
    }

    proptest::proptest! {
        #[test]
        fn skipping_ahead_finds_what_the_bytewise_scan_finds(
            text in proptest::collection::vec(
                proptest::sample::select(b"0123456789 -.()+x<\n".to_vec()), 0..200),
            lengths in proptest::sample::subsequence(vec![1usize, 2, 3, 10, 11, 12, 15], 1..4),
        ) {
            proptest::prop_assert_eq!(scan_all(&text, &lengths), scan_digits_bytewise(&text, &lengths));
        }

        /// Letters, as in a page, between stretches of digits and separators
        /// of every length: stretches with too few digits are passed whole.
        #[test]
        fn passing_stretches_finds_what_the_bytewise_scan_finds(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::collection::vec(
                        proptest::sample::select(b"abcdefgh<>=:\"\n\xc3\xa9".to_vec()), 1..12),
                    proptest::collection::vec(
                        proptest::sample::select(b"0123456789 -.()+".to_vec()), 0..30),
                ],
                0..16),
            lengths in proptest::sample::subsequence(vec![1usize, 2, 3, 10, 11, 12, 15], 1..4),
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(scan_all(&text, &lengths), scan_digits_bytewise(&text, &lengths));
        }
    }

    #[test]
    fn skips_what_cannot_hold_a_number() {
        let qr_path = b"M4 4h7v1h-7zM12 4h1v1h-1zM15 4h1v1h-1zM17 4h3v1h-3z".repeat(20);
        assert!(scan_all(&qr_path, &[10]).is_empty());
        let indented = [b" ".repeat(300), b"204 555 0177".to_vec(), b" ".repeat(300)].concat();
        assert_eq!(scan_all(&indented, &[10]), vec![(10, 2_045_550_177)]);
        assert_eq!(start_of_run(b"ab   -- 12", 0, 2), Some(8));
        assert_eq!(start_of_run(b"ab   -- 1x", 0, 2), None);
        assert_eq!(start_of_run(b"", 0, 10), None);
        // A stretch of nine digits is passed whole; the next, of ten, is not.
        assert_eq!(start_of_run(b"x1 2 3 4 5 6 7 8 9x 12", 0, 10), None);
        assert_eq!(
            start_of_run(b"x1 2 3 4 5 6 7 8 9x (204) 555-0177", 0, 10),
            Some(21)
        );
        // A long stretch whose runs keep breaking is read a bounded piece at a
        // time: the number at its end is still found.
        let breaking = [b"1    ".repeat(50), b"204 555 0177".to_vec()].concat();
        assert_eq!(scan_all(&breaking, &[10]), vec![(10, 2_045_550_177)]);
    }

    use crate::test_util::example_site;

    /// A copy of the example clinic to change, with the path and text of
    /// Nadia Okafor's file (her mobile, +1 204 555 0177, is patients-only).
    fn example_copy() -> (tempfile::TempDir, std::path::PathBuf, String) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(root.join("site.toml"), dir.path().join("site.toml")).expect("copy");
        for entry in walkdir::WalkDir::new(root.join("data"))
            .into_iter()
            .flatten()
        {
            let rel = entry.path().strip_prefix(root).expect("inside");
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(dir.path().join(rel)).expect("folder");
            } else {
                std::fs::copy(entry.path(), dir.path().join(rel)).expect("copy");
            }
        }
        let nadia = dir.path().join("data/providers/breast/nadia-okafor.toml");
        let text = std::fs::read_to_string(&nadia).expect("read");
        (dir, nadia, text)
    }

    /// Emits `text` in two parts, split at `at`.
    fn emit_split(guard: &Guard<'_>, text: &str, at: usize) -> Result<(), Diagnostic> {
        let (a, b) = text.as_bytes().split_at(at);
        guard.emit_parts(Dest::Public, "index.html", &mut |sink| {
            sink(a)?;
            sink(b)
        })
    }

    #[test]
    fn a_value_split_between_parts_is_found() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = example_site(root);
        let out = crate::output::MemoryOutput::default();
        let guard = Guard::new(&site, &out);
        let leak = "<p>Her mobile: 204 555-0177, any time.</p>";
        for at in 0..=leak.len() {
            assert!(emit_split(&guard, leak, at).is_err(), "split at {at}");
        }
        let clean = "<p>Call the clinic at (204) 555-0100.</p>";
        for at in 0..=clean.len() {
            assert!(emit_split(&guard, clean, at).is_ok(), "split at {at}");
        }
        let files = out.files.lock().expect("not poisoned");
        assert_eq!(files.len(), 1, "a leaking file is never passed on whole");
        assert_eq!(
            files.values().next().map(Vec::as_slice),
            Some(clean.as_bytes())
        );
    }

    #[test]
    fn a_number_several_providers_keep_private_is_named_as_the_first_ones() {
        // Nadia's patients-only mobile is also two colleagues' patients-only line.
        let (dir, _, _) = example_copy();
        let shared = "\n[[channels]]\nkind = \"phone\"\nlabel = \"Shared line\"\nvalue = \"+1 204 555 0177\"\nvisibility = \"patients\"\n";
        for file in [
            "data/providers/gastrointestinal/ahmed-rahman.toml",
            "data/providers/supportive-care/priya-sandhu.toml",
        ] {
            let path = dir.path().join(file);
            let text = std::fs::read_to_string(&path).expect("read");
            std::fs::write(&path, format!("{text}{shared}")).expect("write");
        }
        let site = example_site(dir.path());
        let owners: Vec<String> = site
            .providers
            .iter()
            .filter(|p| {
                p.channels
                    .iter()
                    .any(|c| !c.is_public() && c.raw_value == "+1 204 555 0177")
            })
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(owners.len(), 3, "{owners:?}");
        let out = crate::output::MemoryOutput::default();
        let guard = Guard::new(&site, &out);
        let Err(leak) = guard.emit(Dest::Public, "index.html", b"<p>204 555-0177</p>") else {
            panic!("the number was let through");
        };
        assert!(
            leak.message.contains(&format!("contains {}'s", owners[0])),
            "{} (owners in order: {owners:?})",
            leak.message
        );
    }

    #[test]
    fn a_number_published_as_a_phone_is_not_looked_for_when_a_place_is_written_the_same() {
        // Nadia's patients-only mobile, +1 204 555 0177, is also a public
        // line: written "(204) 555-0177" as Marie-Claire's place (text, the
        // first provider) and as Ahmed's phone. Only the phone has the E.164
        // form the pages link to: it must count, though its value is written
        // and shown as the place's is.
        let (dir, _, _) = example_copy();
        for (file, kind) in [
            (
                "data/providers/breast/marie-claire-de-la-roche.toml",
                "in-person",
            ),
            ("data/providers/gastrointestinal/ahmed-rahman.toml", "phone"),
        ] {
            let path = dir.path().join(file);
            let text = std::fs::read_to_string(&path).expect("read");
            let channel = format!(
                "\n[[channels]]\nkind = \"{kind}\"\nlabel = \"Desk\"\nvalue = \"(204) 555-0177\"\n"
            );
            std::fs::write(&path, format!("{text}{channel}")).expect("write");
        }
        let site = example_site(dir.path());
        let guard = Guard::new(&site, &crate::render::Discard);
        assert!(
            guard
                .emit(
                    Dest::Public,
                    "index.html",
                    b"<a href=\"tel:+12045550177\">Call</a>"
                )
                .is_ok(),
            "the published number was looked for"
        );
    }

    #[test]
    fn a_value_looked_for_as_written_is_found_split_between_parts() {
        // With an extension, the number is looked for as written (Aho-Corasick).
        let (dir, nadia, text) = example_copy();
        let text = text.replace("\"+1 204 555 0177\"", "\"+1 204 555 0177 ext. 12\"");
        // An address longer than the span of any number written out.
        let email = "nadia@patients-of-dr-nadia-okafor.breast-cancer-care.riverside-cancer-centre.example.org";
        let text = format!(
            "{text}\n[[channels]]\nkind = \"email\"\nvalue = \"{email}\"\nvisibility = \"patients\"\n"
        );
        std::fs::write(&nadia, text).expect("write");
        let site = example_site(dir.path());
        let guard = Guard::new(&site, &crate::render::Discard);
        for leak in [
            "<p>Her mobile: (204) 555-0177 ext. 12, any time.</p>".to_string(),
            format!("<p>Write to <a href=\"mailto:{email}\">her</a>.</p>"),
        ] {
            for at in 0..=leak.len() {
                assert!(
                    emit_split(&guard, &leak, at).is_err(),
                    "{leak} split at {at}"
                );
            }
        }
    }

    #[test]
    fn a_file_in_parts_names_the_leak_the_whole_file_would() {
        // A value looked for as written is named first, wherever it is; then
        // the first number found by its digits.
        let (dir, nadia, text) = example_copy();
        let email = "nadia@private.example.org";
        let text = format!(
            "{text}\n[[channels]]\nkind = \"email\"\nlabel = \"Private e-mail\"\nvalue = \"{email}\"\nvisibility = \"patients\"\n"
        );
        std::fs::write(&nadia, text).expect("write");
        let site = example_site(dir.path());
        let guard = Guard::new(&site, &crate::render::Discard);
        let page = format!("<p>204 555 0177</p>{}<p>{email}</p>", " ".repeat(1000));
        let whole = guard.emit(Dest::Public, "index.html", page.as_bytes());
        let whole = whole.expect_err("a leak").message;
        assert!(whole.contains("Private e-mail"), "{whole}");
        for at in [0, 10, 500, page.len() - 5, page.len()] {
            let parts = emit_split(&guard, &page, at).expect_err("a leak").message;
            assert_eq!(parts, whole, "split at {at}");
        }
        let numbers_only = format!("<p>204 555 0177</p>{}", " ".repeat(1000));
        let whole = guard.emit(Dest::Public, "index.html", numbers_only.as_bytes());
        let whole = whole.expect_err("a leak").message;
        assert_eq!(
            emit_split(&guard, &numbers_only, 500)
                .expect_err("a leak")
                .message,
            whole
        );
    }

    #[test]
    fn keys_count_leading_zeros() {
        assert_ne!(digits_of("020 7946 0958"), digits_of("20 7946 0958"));
        assert_eq!(
            digits_of("555 0177"),
            None,
            "too short to look for as digits"
        );
        assert_eq!(digits_of("1234567890123456789"), None, "too long for a key");
    }
}
