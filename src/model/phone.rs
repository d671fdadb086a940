//! Phone numbers, parsed and formatted by `phonenumber` (a port of Google's libphonenumber).

pub use phonenumber::country::Id as Region;
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
        let number: PhoneNumber = phonenumber::parse(Some(region), text)
            .map_err(|e| format!("`{text}` is not a phone number ({e})"))?;
        // Which region's rules the number follows (for +1, a search through
        // twenty-five regions' patterns) is looked up once, for both the
        // validity test and the choice of format; `is_valid` and
        // `country().id()` would each search again.
        let db: &'static phonenumber::metadata::Database = &phonenumber::metadata::DATABASE;
        let national = number.national().to_string();
        // (`metadata` searches with the digits without leading zeros.)
        let value = number.national().value().to_string();
        let metadata = region_metadata(db, number.code().value(), &value);
        let valid = if national == value {
            metadata.is_some_and(|m| has_a_known_type(m.descriptors(), &national))
        } else {
            // Leading zeros (Italy): `is_valid` tests the digits with them.
            phonenumber::is_valid(&number)
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
        let display = number.format().mode(mode).to_string();
        Ok(Phone {
            // What `format().mode(Mode::E164)` writes, without first looking
            // for a national format it does not use.
            e164: format!("+{}{national}", number.code().value()),
            extension,
            display,
        })
    }

    /// `tel:+12045550142;ext=1234`
    pub fn tel_href(&self) -> String {
        match &self.extension {
            Some(ext) => format!("tel:{};ext={ext}", self.e164),
            None => format!("tel:{}", self.e164),
        }
    }

    /// `sms:+12045550142` (an SMS cannot reach an extension).
    pub fn sms_href(&self) -> String {
        format!("sms:{}", self.e164)
    }
}

/// The metadata of the region whose rules `national` follows, among those
/// of country code `code`: libphonenumber's own search (`validator::source_for`,
/// which `PhoneNumber::metadata` calls), with the patterns matched by
/// [`starts_with_match`].
fn region_metadata(
    db: &'static phonenumber::metadata::Database,
    code: u16,
    national: &str,
) -> Option<&'static phonenumber::metadata::Metadata> {
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
    matches(d.general(), national)
        && [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
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
/// it are layout), to match only from the start of the text.
fn anchored(pattern: &str) -> Option<regex::Regex> {
    // The line break ends a `#` comment, were there one.
    let mut builder = regex::RegexBuilder::new(&format!("^(?:{pattern}\n)"));
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

/// Whether `pattern` (one of the metadata's) matches `text` from its first
/// character, as phonenumber tests it (the leftmost match starts at 0).
///
/// phonenumber compiles its patterns into one cache behind one lock, found by
/// hashing the whole pattern (the United States' run to hundreds of characters) at
/// every use: two threads checking numbers spent more time there than
/// matching. Here each thread keeps its own compiled patterns, found by the
/// pattern's address: the metadata is a `static` that lives as long as the
/// program, so one address is always the same pattern.
fn starts_with_match(pattern: &'static str, text: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<rustc_hash::FxHashMap<(usize, usize), Option<regex::Regex>>> =
            std::cell::RefCell::default();
    }
    let key = (pattern.as_ptr() as usize, pattern.len());
    COMPILED.with(|compiled| {
        let Ok(mut compiled) = compiled.try_borrow_mut() else {
            // (Not reached: nothing here calls back into this function.)
            return anchored(pattern).is_some_and(|re| re.is_match(text));
        };
        compiled
            .entry(key)
            // A match from the start, leftmost or not, is one the anchored
            // pattern finds. The metadata's patterns all compile (phonenumber
            // checks their syntax as it loads them, and would panic on one
            // that did not compile); one that did not would match nothing.
            .or_insert_with(|| anchored(pattern))
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    })
}

static METADATA_LOADED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Loads libphonenumber's metadata: 50 ms the first time, nothing after.
/// A number parsed while it loads waits for it.
pub fn load_metadata() {
    let _ = &*phonenumber::metadata::DATABASE;
    METADATA_LOADED.store(true, std::sync::atomic::Ordering::Release);
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

    #[test]
    fn regions() {
        assert!(parse_region("CA").is_some());
        assert!(parse_region("ca").is_none());
        assert!(parse_region("XX").is_none());
        assert!(parse_region("CAN").is_none());
    }
}
