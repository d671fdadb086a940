//! vCard 3.0 contact cards (Android's contacts app rejects 4.0).
//!
//! Only what is passed in is written: the caller gives public channels only.

use crate::model::{Channel, ChannelKind, ChannelValue, Clinic, Provider};

/// Appends `s` to `out` escaped per RFC 2426: backslash, comma, semicolon,
/// newline (a carriage return is dropped). Character by character, so the
/// pieces of a value can be escaped one by one.
fn escape_into(out: &mut String, s: &str) {
    if !s.contains(['\\', ',', ';', '\n', '\r']) {
        out.push_str(s);
        return;
    }
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

/// The `TYPE` of a `TEL` line for a channel of `kind`.
fn tel_type(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Mobile => "CELL,VOICE",
        ChannelKind::Pager => "PAGER",
        ChannelKind::Fax => "WORK,FAX",
        ChannelKind::Sms => "CELL,MSG",
        _ => "WORK,VOICE",
    }
}

/// Builds a content line in `line` (cleared first) with `build`, then
/// appends it to `out`, folded: one buffer serves every line of a card.
fn put(out: &mut String, line: &mut String, build: impl FnOnce(&mut String)) {
    line.clear();
    build(line);
    push_line(out, line);
}

/// The provider's contact card with the given channels.
pub fn vcard<'a>(
    provider: &Provider,
    channels: impl Iterator<Item = &'a Channel>,
    clinic: &Clinic,
    page_url: &str,
) -> String {
    let mut out = String::with_capacity(768);
    let mut buffer = String::with_capacity(128);
    let l = &mut buffer;
    push_line(&mut out, "BEGIN:VCARD");
    push_line(&mut out, "VERSION:3.0");
    put(&mut out, l, |l| {
        l.push_str("FN:");
        escape_into(l, &provider.name);
        if let Some(c) = &provider.credentials {
            escape_into(l, ", ");
            escape_into(l, c);
        }
    });
    put(&mut out, l, |l| {
        l.push_str("N:");
        let mut words = provider.name.split_whitespace();
        let family = words.next_back();
        escape_into(l, family.unwrap_or_default());
        l.push(';');
        for (i, word) in words.enumerate() {
            if i > 0 {
                l.push(' ');
            }
            escape_into(l, word);
        }
        l.push_str(";;;");
    });
    put(&mut out, l, |l| {
        l.push_str("ORG:");
        escape_into(l, &clinic.name);
        if let Some(d) = &provider.department {
            l.push(';');
            escape_into(l, d);
        }
    });
    put(&mut out, l, |l| {
        l.push_str("TITLE:");
        escape_into(l, &provider.role);
    });
    for channel in channels {
        match (&channel.value, channel.kind) {
            (ChannelValue::Phone(p), kind) => {
                put(&mut out, l, |l| {
                    l.push_str("TEL;TYPE=");
                    l.push_str(tel_type(kind));
                    l.push(':');
                    p.push_e164_with_extension(l);
                });
            }
            (ChannelValue::Email(e), _) => put(&mut out, l, |l| {
                l.push_str("EMAIL;TYPE=INTERNET,WORK:");
                l.push_str(e);
            }),
            (ChannelValue::Url(u), _) => put(&mut out, l, |l| {
                l.push_str("URL:");
                l.push_str(u);
            }),
            (ChannelValue::Text(_), _) => {}
        }
    }
    if let Some(address) = &clinic.address {
        put(&mut out, l, |l| {
            l.push_str("ADR;TYPE=WORK:;;");
            escape_into(l, address);
            l.push_str(";;;;");
        });
    }
    put(&mut out, l, |l| {
        l.push_str("URL:");
        l.push_str(page_url);
    });
    put(&mut out, l, |l| {
        l.push_str("NOTE:How to reach ");
        escape_into(l, &provider.name);
        l.push_str(" and when: ");
        escape_into(l, page_url);
    });
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

    /// The card as first written: each value escaped whole, then joined.
    fn vcard_by_joining<'a>(
        provider: &Provider,
        channels: impl Iterator<Item = &'a Channel>,
        clinic: &Clinic,
        page_url: &str,
    ) -> String {
        let escape = |s: &str| {
            let mut out = String::new();
            escape_into(&mut out, s);
            out
        };
        let mut out = String::new();
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
                    ["TEL;TYPE=", tel_type(kind), ":", &p.e164_with_extension()].concat()
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
        let note = ["How to reach ", &provider.name, " and when: ", page_url].concat();
        push_line(&mut out, &["NOTE:", &escape(&note)].concat());
        push_line(&mut out, "END:VCARD");
        out
    }

    #[test]
    fn cards_are_the_cards_written_by_joining() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::test_util::example_site(root);
        let mut clinic = site.clinic.clone();
        let odd = [
            "Anne-Marie O;Neil, Jr",
            "  Li  ",
            "Dr\\ Who\r\nElse",
            "Zoë Ñúñez-Ölçer",
            "",
        ];
        let mut cards = 0;
        for (i, provider) in site.providers.iter().enumerate() {
            let mut p = (**provider).clone();
            for (n, text) in odd.iter().enumerate() {
                if (i + n) % 2 == 0 {
                    p.name = text.to_string();
                    p.credentials = Some(["MD, ", text].concat()).filter(|_| n % 2 == 0);
                    p.department = Some(text.to_string()).filter(|_| n != 1);
                    p.role = [text, ";role"].concat();
                    clinic.name = [text, ", clinic"].concat();
                    clinic.address = Some(["1 Main St;\n", text].concat()).filter(|_| n != 3);
                }
                let url = ["https://example.org/", text, "?a,b;c"].concat();
                assert_eq!(
                    vcard(&p, p.channels.iter(), &clinic, &url),
                    vcard_by_joining(&p, p.channels.iter(), &clinic, &url)
                );
                cards += 1;
            }
        }
        assert!(cards > 10, "{cards}");
    }

    #[test]
    fn escapes_and_folds() {
        let mut escaped = String::new();
        escape_into(&mut escaped, "a,b;c\\d\ne\r");
        assert_eq!(escaped, "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        push_line(&mut out, &"é".repeat(60));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
