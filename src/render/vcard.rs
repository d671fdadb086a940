//! vCard 3.0 contact cards (Android's contacts app rejects 4.0).
//!
//! Only what is passed in is written: the caller gives public channels only.

use crate::model::{Channel, ChannelKind, ChannelValue, Clinic, Provider};

/// Escapes a text value per RFC 2426: backslash, comma, semicolon, newline.
fn escape(s: &str) -> String {
    if !s.contains(['\\', ',', ';', '\n', '\r']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 2425), never inside a UTF-8 sequence:
/// each line as long as it can be, a continuation line's leading space counted.
fn push_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = 75;
    while rest.len() > room {
        // A UTF-8 sequence is at most 4 bytes: a boundary is at most 3 back.
        let cut = (room - 3..=room)
            .rev()
            .find(|&i| rest.is_char_boundary(i))
            .unwrap_or(room);
        let (head, tail) = rest.split_at_checked(cut).unwrap_or((rest, ""));
        out.push_str(head);
        out.push_str("\r\n ");
        rest = tail;
        room = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// The provider's contact card with the given channels.
pub fn vcard<'a>(
    provider: &Provider,
    channels: impl Iterator<Item = &'a Channel>,
    clinic: &Clinic,
    page_url: &str,
) -> String {
    let mut out = String::with_capacity(768);
    push_line(&mut out, "BEGIN:VCARD");
    push_line(&mut out, "VERSION:3.0");
    let fn_name = match &provider.credentials {
        Some(c) => [&provider.name, ", ", c].concat(),
        None => provider.name.clone(),
    };
    push_line(&mut out, &["FN:", &escape(&fn_name)].concat());
    let words: Vec<&str> = provider.name.split_whitespace().collect();
    let (family, given) = match words.split_last() {
        Some((last, rest)) => (escape(last), escape(&rest.join(" "))),
        None => (String::new(), String::new()),
    };
    push_line(&mut out, &["N:", &family, ";", &given, ";;;"].concat());
    let org = match &provider.department {
        Some(d) => [escape(&clinic.name), escape(d)].join(";"),
        None => escape(&clinic.name),
    };
    push_line(&mut out, &["ORG:", &org].concat());
    push_line(&mut out, &["TITLE:", &escape(&provider.role)].concat());
    for channel in channels {
        let line = match (&channel.value, channel.kind) {
            (ChannelValue::Phone(p), kind) => {
                let kind_type = match kind {
                    ChannelKind::Mobile => "CELL,VOICE",
                    ChannelKind::Pager => "PAGER",
                    ChannelKind::Fax => "WORK,FAX",
                    ChannelKind::Sms => "CELL,MSG",
                    _ => "WORK,VOICE",
                };
                ["TEL;TYPE=", kind_type, ":", &p.e164_with_extension()].concat()
            }
            (ChannelValue::Email(e), _) => ["EMAIL;TYPE=INTERNET,WORK:", e].concat(),
            (ChannelValue::Url(u), _) => ["URL:", u].concat(),
            (ChannelValue::Text(_), _) => continue,
        };
        push_line(&mut out, &line);
    }
    if let Some(address) = &clinic.address {
        push_line(
            &mut out,
            &["ADR;TYPE=WORK:;;", &escape(address), ";;;;"].concat(),
        );
    }
    push_line(&mut out, &["URL:", page_url].concat());
    push_line(
        &mut out,
        &[
            "NOTE:",
            &escape(&["How to reach ", &provider.name, " and when: ", page_url].concat()),
        ]
        .concat(),
    );
    push_line(&mut out, "END:VCARD");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fold as first written, character by character.
    fn push_line_by_char(out: &mut String, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let len = c.len_utf8();
            if width + len > 75 {
                out.push_str("\r\n ");
                width = 1;
            }
            out.push(c);
            width += len;
        }
        out.push_str("\r\n");
    }

    proptest::proptest! {
        #[test]
        fn folds_as_character_by_character(line in "[a-zé€😀,;]{0,400}") {
            let (mut fast, mut slow) = (String::new(), String::new());
            push_line(&mut fast, &line);
            push_line_by_char(&mut slow, &line);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn escapes_and_folds() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        push_line(&mut out, &"é".repeat(60));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
