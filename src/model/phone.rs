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
        // Both formats append the extension in the region's preferred style
        // (" ext. 1234"); E.164 never carries it.
        let display = number.format().mode(mode).to_string();
        Ok(Phone {
            e164: number.format().mode(Mode::E164).to_string(),
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

/// Starts loading libphonenumber's metadata on a thread of its own (it takes
/// 50 ms), so that it is ready, or nearly, when the first number is parsed.
/// A parse that comes first waits for it, as it would anyway.
pub fn load_metadata_in_background() {
    let _ = std::thread::Builder::new()
        .name("howtoreach-phone-metadata".into())
        .spawn(|| {
            let _ = &*phonenumber::metadata::DATABASE;
        });
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

    #[test]
    fn regions() {
        assert!(parse_region("CA").is_some());
        assert!(parse_region("ca").is_none());
        assert!(parse_region("XX").is_none());
        assert!(parse_region("CAN").is_none());
    }
}
