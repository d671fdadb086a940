//! Phone numbers, parsed and formatted by `phonenumber` (a port of Google's libphonenumber).

pub use phonenumber::country::Id as Region;
use phonenumber::metadata::{Database, loader};
use phonenumber::{Mode, PhoneNumber};

/// A valid phone number: E.164 for links, a display form for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+12045550142`, without the extension.
    pub e164: String,
    /// `1234` when the number has an extension.
    pub extension: Option<String>,
    /// National format in the clinic's region, international otherwise, with ` ext. 1234`.
    pub display: String,
}

impl Phone {
    /// Parses `text` with `region` as the default country. Returns a sentence saying what is wrong.
    pub fn parse(text: &str, region: Region) -> Result<Phone, String> {
        // The metadata of the default region's country code answers as the
        // whole of it would, but for a number of another country code, which
        // it does not know: that number is parsed again with all of it.
        let subset = database_for(region);
        let (db, number) = match phonenumber::parse_with(subset, Some(region), text) {
            Err(phonenumber::ParseError::InvalidCountryCode) => {
                let all: &'static Database = &phonenumber::metadata::DATABASE;
                (all, phonenumber::parse_with(all, Some(region), text))
            }
            parsed => (subset, parsed),
        };
        let number: PhoneNumber =
            number.map_err(|e| format!("`{text}` is not a phone number ({e})"))?;
        // Which region's rules the number follows (for +1, a search through
        // twenty-five regions' patterns) is looked up once, for both the
        // validity test and the choice of format; `is_valid` and
        // `country().id()` would each search again.
        let national = number.national().to_string();
        // (`metadata` searches with the digits without leading zeros.)
        let value = number.national().value().to_string();
        let metadata = region_metadata(db, number.code().value(), &value);
        let valid = if national == value {
            metadata.is_some_and(|m| has_a_known_type(m.descriptors(), &national))
        } else {
            // Leading zeros (Italy): `is_valid` tests the digits with them.
            phonenumber::is_valid_with(db, &number)
        };
        let country: Option<Region> = metadata.and_then(|m| m.id().parse().ok());
        if !valid {
            return Err(format!(
                "`{text}` is not a valid phone number in {}",
                region_name(country.unwrap_or(region))
            ));
        }
        let extension = number
            .extension()
            .map(|e| e.to_string())
            .filter(|e| !e.is_empty());
        let mode = if country == Some(region) {
            Mode::National
        } else {
            Mode::International
        };
        // Both formats append the extension in the region's preferred style
        // (" ext. 1234"); E.164 never carries it.
        let display = display(db, &number, mode)
            .unwrap_or_else(|| number.format().database(db).mode(mode).to_string());
        Ok(Phone {
            // What `format().mode(Mode::E164)` writes, without first looking
            // for a national format it does not use.
            e164: format!("+{}{national}", number.code().value()),
            extension,
            display,
        })
    }

    /// `+12045550142;ext=1234`: E.164 with the extension as RFC 3966 writes
    /// it (links, vCards and structured data all use this form).
    pub fn e164_with_extension(&self) -> String {
        let mut out = String::with_capacity(self.e164.len() + 16);
        self.push_e164_with_extension(&mut out);
        out
    }

    /// Appends [`Phone::e164_with_extension`] to `out`.
    pub fn push_e164_with_extension(&self, out: &mut String) {
        out.push_str(&self.e164);
        if let Some(ext) = &self.extension {
            out.push_str(";ext=");
            out.push_str(ext);
        }
    }

    /// `tel:+12045550142;ext=1234`
    pub fn tel_href(&self) -> String {
        let mut href = String::with_capacity(4 + self.e164.len() + 16);
        href.push_str("tel:");
        self.push_e164_with_extension(&mut href);
        href
    }

    /// `sms:+12045550142` (an SMS cannot reach an extension).
    pub fn sms_href(&self) -> String {
        ["sms:", &self.e164].concat()
    }
}

/// The metadata of the region whose rules `national` follows, among those
/// of country code `code`: libphonenumber's own search (`validator::source_for`,
/// which `PhoneNumber::metadata` calls), with the patterns matched by
/// [`starts_with_match`].
fn region_metadata(
    db: &'static Database,
    code: u16,
    national: &str,
) -> Option<&'static phonenumber::Metadata> {
    let regions = db.region(&code)?;
    if let [only] = regions[..] {
        // A code of one region, or of none ("001": +800 and the like).
        return if only == "001" {
            db.by_code(&code).and_then(|m| m.into_iter().next())
        } else {
            only.parse::<Region>()
                .ok()
                .and_then(|r| db.by_id(r.as_ref()))
        };
    }
    regions.into_iter().find_map(|region| {
        let meta = db.by_id(region)?;
        let found = match meta.leading_digits() {
            Some(leading) => starts_with_match(leading.as_str(), national),
            None => has_a_known_type(meta.descriptors(), national),
        };
        found.then_some(meta)
    })
}

/// `phonenumber::is_valid`'s test, on metadata already found: the number
/// matches the region's general pattern and the pattern of at least one
/// type of line (fixed, mobile, toll-free, ...), as `number_type` is not `Unknown`.
fn has_a_known_type(d: &'static phonenumber::metadata::Descriptors, national: &str) -> bool {
    // (Fixed lines and mobiles first: nearly every number is one, and the
    // answer does not depend on the order.)
    matches(d.general(), national)
        && [
            d.fixed_line(),
            d.mobile(),
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .any(|t| matches(t, national))
}

/// `Descriptor::is_match`: a possible length, and the pattern matches from the start.
fn matches(d: &'static phonenumber::metadata::Descriptor, national: &str) -> bool {
    let lengths = d.possible_length();
    (lengths.is_empty() || u16::try_from(national.len()).is_ok_and(|n| lengths.contains(&n)))
        && starts_with_match(d.national_number().as_str(), national)
}

/// `pattern` compiled as phonenumber compiles it (spaces and line breaks in
/// it are layout); `anchored`, to match only from the start of the text.
fn compile(pattern: &str, anchored: bool) -> Option<regex::Regex> {
    // The line break ends a `#` comment, were there one.
    let anchor = if anchored { "^" } else { "" };
    let mut builder = regex::RegexBuilder::new(&format!("{anchor}(?:{pattern}\n)"));
    builder.ignore_whitespace(true);
    // The texts matched are a national number's ASCII digits: `\d` need not
    // stand for every script's digits, which makes the larger patterns (the
    // United States' lists its area codes) several times smaller once compiled.
    // A pattern that needs Unicode (none does) is compiled with it.
    builder
        .unicode(false)
        .build()
        .or_else(|_| builder.unicode(true).build())
        .ok()
}

/// Calls `f` with `pattern` (one of the metadata's) compiled by [`compile`],
/// or with `None` if it does not compile.
///
/// phonenumber compiles its patterns into one cache behind one lock, found by
/// hashing the whole pattern (the United States' run to hundreds of characters) at
/// every use: two threads checking numbers spent more time there than
/// matching. Here each thread keeps its own compiled patterns, found by the
/// pattern's address: the metadata (the crate's `static`, and each country
/// code's regions, leaked by [`database_for`]) lives as long as the program,
/// so one address is always the same pattern.
fn with_compiled<T>(
    pattern: &'static str,
    anchored: bool,
    f: impl FnOnce(Option<&regex::Regex>) -> T,
) -> T {
    type Compiled = rustc_hash::FxHashMap<(usize, usize, bool), Option<regex::Regex>>;
    thread_local! {
        static COMPILED: std::cell::RefCell<Compiled> = std::cell::RefCell::default();
    }
    let key = (pattern.as_ptr() as usize, pattern.len(), anchored);
    COMPILED.with(|compiled| {
        let Ok(mut compiled) = compiled.try_borrow_mut() else {
            // (Not reached: nothing here calls back into this function.)
            return f(compile(pattern, anchored).as_ref());
        };
        // The metadata's patterns all compile (phonenumber checks their
        // syntax as it loads them, and would panic on one that did not
        // compile); one that did not would match nothing.
        f(compiled
            .entry(key)
            .or_insert_with(|| compile(pattern, anchored))
            .as_ref())
    })
}

/// Whether `pattern` (one of the metadata's) matches `text` from its first
/// character, as phonenumber tests it (the leftmost match starts at 0). A
/// match from the start, leftmost or not, is one the anchored pattern finds.
fn starts_with_match(pattern: &'static str, text: &str) -> bool {
    with_compiled(pattern, true, |re| re.is_some_and(|re| re.is_match(text)))
}

/// Whether phonenumber's leftmost match of `pattern` in `text` is the whole
/// of it. When that match starts at 0 the anchored pattern finds the same
/// (the same choices from the same place); otherwise neither is the whole.
fn whole_match(pattern: &'static str, text: &str) -> bool {
    with_compiled(pattern, true, |re| {
        re.and_then(|re| re.find(text))
            .is_some_and(|m| m.end() == text.len())
    })
}

/// What `number.format().database(db).mode(mode)` writes, for the national
/// and international modes: the steps of phonenumber's `Formatter`, which
/// loads the crate's whole metadata at every use, whatever database it is
/// given. `None` if a pattern does not compile (the caller then asks the
/// library); the tests compare the two on every number they parse.
fn display(db: &'static Database, number: &PhoneNumber, mode: Mode) -> Option<String> {
    let code = number.code().value();
    let meta = db.by_code(&code)?.into_iter().next()?;
    let national = number.national().to_string();
    let formats = if meta.international_formats().is_empty() || mode == Mode::National {
        meta.formats()
    } else {
        meta.international_formats()
    };
    // The first format whose last leading-digits pattern matches the start of
    // the number and whose pattern the whole of it, or that has none.
    let format = formats.iter().find(|f| {
        f.leading_digits().last().is_none_or(|leading| {
            starts_with_match(leading.as_str(), &national)
                && whole_match(f.pattern().as_str(), &national)
        })
    });
    let mut out = String::with_capacity(24);
    if mode == Mode::International {
        out.push('+');
        out.push_str(&code.to_string());
        out.push(' ');
    }
    match format {
        None => out.push_str(&national),
        Some(f) => {
            let (rule, carrier) = match (mode, number.carrier(), f.domestic_carrier()) {
                (Mode::National, Some(carrier), Some(rule)) => (Some(rule), Some(&**carrier)),
                (Mode::National, _, _) => (f.national_prefix(), None),
                _ => (None, None),
            };
            out.push_str(&apply_format(&national, meta, f, rule, carrier)?);
        }
    }
    if let Some(ext) = number.extension() {
        out.push_str(meta.preferred_extension_prefix().unwrap_or(" ext. "));
        out.push_str(ext);
    }
    Some(out)
}

/// phonenumber's `replace`: `format`'s pattern rewritten by its format, whose
/// first group is first rewritten by `rule` (a national prefix or carrier
/// rule: `$NP` the national prefix, `$FG` the group, `$CC` the carrier).
fn apply_format(
    national: &str,
    meta: &phonenumber::Metadata,
    format: &'static phonenumber::metadata::Format,
    rule: Option<&str>,
    carrier: Option<&str>,
) -> Option<String> {
    static FIRST_GROUP: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let replacement = match rule {
        Some(rule) => {
            let first_group = FIRST_GROUP
                .get_or_init(|| regex::Regex::new(r"(\$\d)").ok())
                .as_ref()?;
            let first = first_group.captures(format.format())?.get(1)?.as_str();
            let rule = rule
                .replace("$NP", meta.national_prefix().unwrap_or(""))
                .replace("$FG", &format!("${first}"))
                .replace("$CC", carrier.unwrap_or(""));
            std::borrow::Cow::Owned(
                first_group
                    .replace(format.format(), rule.as_str())
                    .into_owned(),
            )
        }
        None => std::borrow::Cow::Borrowed(format.format()),
    };
    with_compiled(format.pattern().as_str(), false, |re| {
        re.map(|re| re.replace(national, replacement.as_ref()).into_owned())
    })
}

/// libphonenumber's metadata as the `phonenumber` crate this build uses
/// publishes it (`vendor/libphonenumber/`; a test checks that the two agree).
///
/// The crate's own copy (`phonenumber::metadata::DATABASE`) can only be
/// loaded whole, and loading it checks the syntax of every pattern of all 254
/// regions: 75–120 ms of CPU at every build, when a clinic's numbers are
/// nearly all of one country code. Read from this text (5 ms), the regions of
/// one country code load in a tenth of that; the whole is loaded only for a
/// number of another code.
const METADATA_XML: &str = include_str!("../../vendor/libphonenumber/PhoneNumberMetadata.xml");

/// Every region's metadata, read from [`METADATA_XML`] once (empty if it could
/// not be read, when every number uses the crate's copy).
fn all_regions() -> &'static [loader::Metadata] {
    static REGIONS: std::sync::OnceLock<Vec<loader::Metadata>> = std::sync::OnceLock::new();
    REGIONS.get_or_init(|| {
        loader::load(std::io::Cursor::new(METADATA_XML.as_bytes())).unwrap_or_default()
    })
}

/// The metadata of the regions that share `region`'s country code (for
/// Canada, the twenty-five of +1), loaded once per country code for the life
/// of the program, or the crate's whole copy if `region` is not among them.
fn database_for(region: Region) -> &'static Database {
    /// Each default region met so far, its country code and that code's regions.
    type Loaded = Vec<(Region, Option<u16>, &'static Database)>;
    static LOADED: std::sync::Mutex<Loaded> = std::sync::Mutex::new(Vec::new());
    // (Only a deref of the crate's copy loads it.)
    let all = || -> &'static Database { &phonenumber::metadata::DATABASE };
    // A poisoned lock (a panic while loading, not expected) only costs the
    // whole copy.
    let Ok(mut loaded) = LOADED.lock() else {
        return all();
    };
    if let Some((_, _, db)) = loaded.iter().find(|(r, _, _)| *r == region) {
        return db;
    }
    let regions = all_regions();
    let code = regions
        .iter()
        .find(|m| m.id.as_deref() == Some(region.as_ref()))
        .and_then(|m| m.country_code);
    // Canada after the United States: the same regions, already loaded.
    if let Some(&(_, _, db)) = loaded.iter().find(|(_, c, _)| code.is_some() && *c == code) {
        loaded.push((region, code, db));
        return db;
    }
    let subset: Vec<loader::Metadata> = match code {
        Some(code) => regions
            .iter()
            .filter(|m| m.country_code == Some(code))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let db = match Database::from(subset) {
        // Leaked on purpose: one per country code of the default regions the
        // program meets (one, in a build; under `serve`, one more per change
        // of the region to another code), and the pattern cache of
        // `with_compiled` needs its patterns to live as long as the program.
        Ok(db) if code.is_some() => &*Box::leak(Box::new(db)),
        _ => all(),
    };
    loaded.push((region, code, db));
    db
}

static METADATA_LOADED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads libphonenumber's metadata (about 5 ms, the first time; nothing
/// after). The first number of a region loads that region's country code.
pub fn load_metadata() {
    let _ = all_regions();
    METADATA_LOADED.store(true, std::sync::atomic::Ordering::Release);
}

/// Loads the metadata, then the regions of `region`'s country code (what
/// the first number of that region would load), ahead of its first number.
pub fn load_metadata_for(region: Region) {
    load_metadata();
    let _ = database_for(region);
}

/// Whether [`load_metadata`] has finished.
pub fn metadata_loaded() -> bool {
    METADATA_LOADED.load(std::sync::atomic::Ordering::Acquire)
}

/// Parses an ISO 3166-1 alpha-2 region code such as `CA`.
pub fn parse_region(code: &str) -> Option<Region> {
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    code.parse().ok()
}

fn region_name(region: Region) -> String {
    format!("{region:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca() -> Region {
        parse_region("CA").unwrap_or(Region::CA)
    }

    #[test]
    fn national_number_in_home_region() {
        let p = Phone::parse("+1 204 555 0142", ca()).expect("valid");
        assert_eq!(p.e164, "+12045550142");
        assert_eq!(p.display, "(204) 555-0142");
        assert_eq!(p.tel_href(), "tel:+12045550142");
    }

    #[test]
    fn number_without_country_code_uses_region() {
        let p = Phone::parse("204-555-0131", ca()).expect("valid");
        assert_eq!(p.e164, "+12045550131");
    }

    #[test]
    fn extension_is_kept() {
        let p = Phone::parse("204 555 0131 ext. 2210", ca()).expect("valid");
        assert_eq!(p.extension.as_deref(), Some("2210"));
        assert_eq!(p.display, "(204) 555-0131 ext. 2210");
        assert_eq!(p.tel_href(), "tel:+12045550131;ext=2210");
        assert_eq!(p.sms_href(), "sms:+12045550131");
    }

    #[test]
    fn foreign_number_is_international() {
        let p = Phone::parse("+44 20 7946 0958", ca()).expect("valid");
        assert_eq!(p.display, "+44 20 7946 0958");
    }

    #[test]
    fn invalid_numbers_are_rejected() {
        assert!(Phone::parse("12", ca()).is_err());
        assert!(Phone::parse("not a number", ca()).is_err());
        assert!(Phone::parse("+1 204 555", ca()).is_err());
        assert!(Phone::parse("", ca()).is_err());
    }

    /// What `Phone::parse` returned when it asked the library separately for
    /// validity, region and each format.
    fn parse_with_library_calls(text: &str, region: Region) -> Result<Phone, String> {
        let number: PhoneNumber = phonenumber::parse(Some(region), text)
            .map_err(|e| format!("`{text}` is not a phone number ({e})"))?;
        if !phonenumber::is_valid(&number) {
            return Err(format!(
                "`{text}` is not a valid phone number in {}",
                region_name(number.country().id().unwrap_or(region))
            ));
        }
        let extension = number
            .extension()
            .map(|e| e.to_string())
            .filter(|e| !e.is_empty());
        let mode = if number.country().id() == Some(region) {
            Mode::National
        } else {
            Mode::International
        };
        Ok(Phone {
            e164: number.format().mode(Mode::E164).to_string(),
            extension,
            display: number.format().mode(mode).to_string(),
        })
    }

    #[test]
    fn one_region_search_gives_what_the_library_calls_give() {
        let numbers = [
            "+1 204 555 0142",
            "204-555-0131 ext. 2210",
            "+1 212 555 0100",
            "+1 268 555 0100",
            "+1 876 555 0100",
            "+1 555 555 5555",
            "+1 204 155 0100",
            "1-800-555-0199",
            "+44 20 7946 0958",
            "+44 1481 255555",
            "+39 06 6982 1234",
            "+39 333 123 4567",
            "+33 1 23 45 67 89",
            "+49 30 901820",
            "+81 3-1234-5678",
            "+61 2 9876 5432",
            "+7 495 123-45-67",
            "+7 727 250 0000",
            "+800 1234 5678",
            "+45 32 12 34 56",
            "+46 8 123 456 78",
            "+290 2 2222",
            "+599 9 123 4567",
            "011 44 20 7946 0958",
            "00 1 204 555 0142",
            "00 44 20 7946 0958",
            "tel:+44-20-7946-0958",
            "tel:+1-204-555-0142",
            "911",
            "12",
            "",
        ];
        let regions = [ca(), Region::US, Region::GB, Region::IT, Region::DK];
        for text in numbers {
            for region in regions {
                assert_eq!(
                    Phone::parse(text, region),
                    parse_with_library_calls(text, region),
                    "{text} in {region:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_digits_parse_as_the_library_calls_say(
            digits in "[0-9]{3,12}",
            plus in proptest::bool::ANY,
            region in proptest::sample::select(vec![Region::CA, Region::US, Region::GB, Region::IT, Region::AG]),
        ) {
            let text = if plus { format!("+{digits}") } else { digits };
            proptest::prop_assert_eq!(Phone::parse(&text, region), parse_with_library_calls(&text, region));
        }
    }

    /// The vendored metadata is the crate's: a `phonenumber` of other
    /// metadata fails here, and the copy in vendor/ is replaced by the one in
    /// its package (assets/PhoneNumberMetadata.xml).
    #[test]
    fn vendored_metadata_is_the_crates() {
        let all: &Database = &phonenumber::metadata::DATABASE;
        let vendored = all_regions();
        assert_eq!(vendored.len(), 254, "regions in vendor/libphonenumber");
        for m in vendored {
            let id = m.id.as_deref().unwrap_or_default();
            let theirs = match id {
                "001" => m
                    .country_code
                    .and_then(|c| all.by_code(&c))
                    .and_then(|v| v.into_iter().next()),
                _ => all.by_id(id),
            };
            let Some(theirs) = theirs else {
                panic!("region {id} is not in the crate's metadata");
            };
            assert_eq!(m.country_code, Some(theirs.country_code()), "{id}");
            let general = m
                .general
                .as_ref()
                .and_then(|g| g.national_number.as_deref());
            assert_eq!(
                general,
                Some(theirs.descriptors().general().national_number().as_str()),
                "{id}"
            );
            let pattern = |f: &phonenumber::metadata::Format| f.pattern().as_str().to_string();
            let ours: Vec<_> = m.formats.iter().filter_map(|f| f.pattern.clone()).collect();
            assert_eq!(
                ours,
                theirs.formats().iter().map(pattern).collect::<Vec<_>>(),
                "{id}"
            );
        }
    }

    /// [`display`] writes what the library's formatter writes, in both
    /// modes, with national prefixes, carrier codes and extensions, from the
    /// whole metadata and from one country code's.
    #[test]
    fn display_is_the_library_format() {
        let numbers = [
            "+1 204 555 0142 ext. 12",
            "+44 20 7946 0958",
            "020 7946 0958",
            "+44 7700 900123",
            "+54 9 11 2345 6789",
            "011 15 2345 6789",
            "+55 11 2345 6789",
            "0 15 11 2345 6789",
            "0 21 11 98765 4321",
            "+57 601 2345678",
            "03 1 2345678",
            "+39 06 6982 1234",
            "+49 30 901820",
            "030 901820",
            "+81 3-1234-5678",
            "+86 10 1234 5678",
            "+33 1 23 45 67 89",
            "+7 495 123-45-67",
            "+800 1234 5678",
            "+599 9 123 4567",
        ];
        let regions = [
            ca(),
            Region::GB,
            Region::AR,
            Region::BR,
            Region::CO,
            Region::DE,
            Region::JP,
        ];
        let all: &'static Database = &phonenumber::metadata::DATABASE;
        let mut compared = 0;
        for text in numbers {
            for region in regions {
                let Ok(number) = phonenumber::parse(Some(region), text) else {
                    continue;
                };
                let own = database_for(region);
                for mode in [Mode::National, Mode::International] {
                    let expected = number.format().mode(mode).to_string();
                    assert_eq!(
                        display(all, &number, mode).as_deref(),
                        Some(&*expected),
                        "{text} in {region:?}"
                    );
                    if own.by_code(&number.code().value()).is_some() {
                        assert_eq!(
                            display(own, &number, mode),
                            Some(expected),
                            "{text} in {region:?}"
                        );
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 150, "{compared}");
    }

    /// What parsing with one country code's regions rests on: no country
    /// code is the start of another, so the first code the parser finds at
    /// the start of a number is the same in part of the metadata as in all of it.
    #[test]
    fn no_country_code_starts_another() {
        let codes: std::collections::BTreeSet<String> = all_regions()
            .iter()
            .filter_map(|m| m.country_code)
            .map(|c| c.to_string())
            .collect();
        assert!(codes.len() > 200, "{}", codes.len());
        for a in &codes {
            for b in &codes {
                assert!(a == b || !b.starts_with(a.as_str()), "+{a} starts +{b}");
            }
        }
    }

    #[test]
    fn a_region_loads_its_country_code_only() {
        let gb = database_for(Region::GB);
        assert!(gb.by_code(&44).is_some());
        assert!(gb.by_code(&1).is_none());
        assert!(std::ptr::eq(gb, database_for(Region::GB)), "loaded once");
        // Two regions of one country code share its regions, loaded once.
        assert!(std::ptr::eq(
            database_for(Region::JE),
            database_for(Region::GG)
        ));
        assert_eq!(database_for(ca()).region(&1).map(|r| r.len()), Some(25));
    }

    #[test]
    fn regions() {
        assert!(parse_region("CA").is_some());
        assert!(parse_region("ca").is_none());
        assert!(parse_region("XX").is_none());
        assert!(parse_region("CAN").is_none());
    }
}
