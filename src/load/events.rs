//! Provider files read straight from the TOML parser's events.
//!
//! `toml::from_str` builds a whole table tree first (every key and value
//! allocated, in ordered maps), then serde walks it into [`RawProvider`]:
//! most of a provider file's parse, which was a fifth of a build's
//! instructions at 2,000 providers (252 M; 133 M read here, strings
//! without an escape taken as they are). Provider files are written in one
//! small form: keys and strings, lists of strings, dates, an
//! `[after_hours]` table, `[[channels]]` and `[[away]]`. A file in that
//! form is read here, from
//! `toml_parser`'s lexer and parser (the ones `toml` itself runs, with the
//! same checks of white space and comments), into the same [`RawProvider`]
//! with the same spans.
//!
//! Anything else gives `None`, and the caller reads the file through serde
//! as before: every error (syntax, a duplicate or unknown key, a missing
//! one, a value of the wrong type), and every form this reader leaves out
//! (dotted or quoted keys, inline tables, a list of tables written as a
//! value). So a file read here is read as `toml::from_str` reads it, and
//! every diagnostic still comes from `toml`; the tests below hold the two
//! to the same result on valid files and on mutated ones.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::value::Datetime;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};
use toml_parser::{ParseError, Source, Span};

use super::{RawAway, RawChannel, RawProvider, RawProviderAfterHours};

/// How deep `toml` lets lists and tables nest (its `LIMIT`); this reader
/// takes one list deep at most, so any limit above that reads the same files.
const MAX_NESTING: u32 = 80;

/// `text` as a provider file, when it is in the form this module reads and
/// without an error; else `None` (read it with `toml::from_str`).
pub(super) fn provider(text: &str) -> Option<RawProvider> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut error: Option<ParseError> = None;
    // As `toml` parses: the same white-space checks, and the same limit on
    // nesting, without which a file of many `[` would overflow the stack
    // (the parser goes one call deeper at each).
    let mut validated = ValidateWhitespace::new(&mut events, source);
    let mut receiver = RecursionGuard::new(&mut validated, MAX_NESTING);
    toml_parser::parser::parse_document(&tokens, &mut receiver, &mut error);
    if error.is_some() {
        return None;
    }
    Reader {
        source,
        events: &events,
        at: 0,
    }
    .document()
}

/// The table the keys being read go into.
enum Table {
    Root,
    AfterHours,
    Channel,
    Away,
}

/// A provider file's keys as read so far (each is set once), at its top
/// level, in `[after_hours]`, in each `[[channels]]` and each `[[away]]`.
#[derive(Default)]
struct RootKeys {
    name: Option<Spanned<String>>,
    sort_as: Option<Spanned<String>>,
    credentials: Option<Spanned<String>>,
    pronouns: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    department: Option<Spanned<String>>,
    languages: Option<Vec<Spanned<String>>>,
    photo: Option<Spanned<String>>,
    reviewed: Option<Spanned<Datetime>>,
    about: Option<Spanned<String>>,
}

#[derive(Default)]
struct AfterHoursKeys {
    covering: Option<Vec<Spanned<String>>>,
    text: Option<Spanned<String>>,
}

struct ChannelKeys {
    span: Range<usize>,
    kind: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
    hours: Option<Spanned<String>>,
    response: Option<Spanned<String>>,
    use_for: Option<Vec<Spanned<String>>>,
    not_for: Option<Vec<Spanned<String>>>,
    note: Option<Spanned<String>>,
    visibility: Option<Spanned<String>>,
}

struct AwayKeys {
    span: Range<usize>,
    from: Option<Spanned<Datetime>>,
    to: Option<Spanned<Datetime>>,
    covering: Option<Spanned<String>>,
}

/// Sets `slot` to what `read` gives, unless it is already set (a duplicate
/// key: `toml` names it).
fn set<T>(slot: &mut Option<T>, read: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(read?);
    Some(())
}

/// A basic string's text when it has no escape (most have none), as
/// `toml_parser` would decode it: the bytes between its quotes (after the
/// line end that may follow a multi-line string's opening quotes), when each
/// is one TOML allows unescaped (a tab, a space, a visible ASCII character
/// other than `\`, any non-ASCII character, and in a multi-line string a
/// line feed; a `"` ends a one-line string unless escaped, so the lexer
/// leaves none unescaped in one). Else, and for literal strings, `None`:
/// `toml_parser` decodes it. Every byte is tested without stopping early, so
/// the test runs on many bytes at once.
fn plain_string(raw: &str, encoding: Encoding) -> Option<&str> {
    let (text, multi_line) = match encoding {
        Encoding::BasicString => (raw.strip_prefix('"')?.strip_suffix('"')?, false),
        Encoding::MlBasicString => {
            let body = raw.strip_prefix("\"\"\"")?;
            let body = body
                .strip_prefix('\n')
                .or_else(|| body.strip_prefix("\r\n"))
                .unwrap_or(body);
            (body.strip_suffix("\"\"\"")?, true)
        }
        Encoding::LiteralString | Encoding::MlLiteralString => return None,
    };
    let plain = text.bytes().fold(true, |plain, b| {
        plain & (b == b'\t' || (b == b'\n' && multi_line) || (b >= b' ' && b != b'\\' && b != 0x7f))
    });
    plain.then_some(text)
}

struct Reader<'a, 'i> {
    source: Source<'i>,
    events: &'a [Event],
    at: usize,
}

impl<'i> Reader<'_, 'i> {
    /// The next event that is not white space, a comment or a line end.
    fn next_significant(&mut self) -> Option<Event> {
        while let Some(&event) = self.events.get(self.at) {
            self.at += 1;
            match event.kind() {
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline => {}
                _ => return Some(event),
            }
        }
        None
    }

    fn document(mut self) -> Option<RawProvider> {
        let mut root = RootKeys::default();
        let mut after_hours: Option<AfterHoursKeys> = None;
        let mut channels: Vec<ChannelKeys> = Vec::new();
        let mut away: Vec<AwayKeys> = Vec::new();
        let mut table = Table::Root;
        while let Some(event) = self.next_significant() {
            match event.kind() {
                EventKind::SimpleKey => {
                    let key = self.bare(event)?;
                    // A dotted key (`after_hours.text`) is left to `toml`.
                    if self.next_significant()?.kind() != EventKind::KeyValSep {
                        return None;
                    }
                    match table {
                        Table::Root => self.root_key(&mut root, key)?,
                        Table::AfterHours => self.after_hours_key(after_hours.as_mut()?, key)?,
                        Table::Channel => self.channel_key(channels.last_mut()?, key)?,
                        Table::Away => self.away_key(away.last_mut()?, key)?,
                    }
                }
                EventKind::StdTableOpen => {
                    let (name, _) = self.header(event, EventKind::StdTableClose)?;
                    if name != "after_hours" || after_hours.is_some() {
                        return None;
                    }
                    after_hours = Some(AfterHoursKeys::default());
                    table = Table::AfterHours;
                }
                EventKind::ArrayTableOpen => {
                    let (name, span) = self.header(event, EventKind::ArrayTableClose)?;
                    match name {
                        "channels" => {
                            channels.push(ChannelKeys::new(span));
                            table = Table::Channel;
                        }
                        "away" => {
                            away.push(AwayKeys::new(span));
                            table = Table::Away;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        Some(RawProvider {
            name: root.name?,
            sort_as: root.sort_as,
            credentials: root.credentials,
            pronouns: root.pronouns,
            role: root.role?,
            department: root.department,
            languages: root.languages.unwrap_or_default(),
            photo: root.photo,
            reviewed: root.reviewed?,
            about: root.about,
            channels: channels
                .into_iter()
                .map(ChannelKeys::finish)
                .collect::<Option<_>>()?,
            after_hours: after_hours.map(|a| RawProviderAfterHours {
                covering: a.covering.unwrap_or_default(),
                text: a.text,
            }),
            away: away
                .into_iter()
                .map(AwayKeys::finish)
                .collect::<Option<_>>()?,
        })
    }

    fn root_key(&mut self, r: &mut RootKeys, key: &str) -> Option<()> {
        match key {
            "name" => set(&mut r.name, self.string()),
            "sort_as" => set(&mut r.sort_as, self.string()),
            "credentials" => set(&mut r.credentials, self.string()),
            "pronouns" => set(&mut r.pronouns, self.string()),
            "role" => set(&mut r.role, self.string()),
            "department" => set(&mut r.department, self.string()),
            "languages" => set(&mut r.languages, self.strings()),
            "photo" => set(&mut r.photo, self.string()),
            "reviewed" => set(&mut r.reviewed, self.date()),
            "about" => set(&mut r.about, self.string()),
            _ => None,
        }
    }

    fn after_hours_key(&mut self, a: &mut AfterHoursKeys, key: &str) -> Option<()> {
        match key {
            "covering" => set(&mut a.covering, self.strings()),
            "text" => set(&mut a.text, self.string()),
            _ => None,
        }
    }

    fn channel_key(&mut self, c: &mut ChannelKeys, key: &str) -> Option<()> {
        match key {
            "kind" => set(&mut c.kind, self.string()),
            "label" => set(&mut c.label, self.string()),
            "value" => set(&mut c.value, self.string()),
            "hours" => set(&mut c.hours, self.string()),
            "response" => set(&mut c.response, self.string()),
            "use_for" => set(&mut c.use_for, self.strings()),
            "not_for" => set(&mut c.not_for, self.strings()),
            "note" => set(&mut c.note, self.string()),
            "visibility" => set(&mut c.visibility, self.string()),
            _ => None,
        }
    }

    fn away_key(&mut self, a: &mut AwayKeys, key: &str) -> Option<()> {
        match key {
            "from" => set(&mut a.from, self.date()),
            "to" => set(&mut a.to, self.date()),
            "covering" => set(&mut a.covering, self.string()),
            _ => None,
        }
    }

    /// A bare key's text (a quoted one is left to `toml`).
    fn bare(&self, key: Event) -> Option<&'i str> {
        if key.encoding().is_some() {
            return None;
        }
        Some(self.source.get(key)?.as_str())
    }

    /// A table header's one bare key, and the header's span from its
    /// opening bracket to its closing one (as `toml` spans the table).
    fn header(&mut self, open: Event, close: EventKind) -> Option<(&'i str, Range<usize>)> {
        let key = self.next_significant()?;
        if key.kind() != EventKind::SimpleKey {
            return None;
        }
        let name = self.bare(key)?;
        let end = self.next_significant()?;
        if end.kind() != close {
            return None;
        }
        Some((name, open.span().start()..end.span().end()))
    }

    /// A scalar value: its span, kind and decoded text.
    fn scalar(&self, event: Event) -> Option<(Span, ScalarKind, Cow<'i, str>)> {
        if event.kind() != EventKind::Scalar {
            return None;
        }
        let raw = self.source.get(event)?;
        if let Some(text) = event
            .encoding()
            .and_then(|encoding| plain_string(raw.as_str(), encoding))
        {
            return Some((event.span(), ScalarKind::String, Cow::Borrowed(text)));
        }
        let mut decoded = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut error);
        error.is_none().then_some((event.span(), kind, decoded))
    }

    fn string_at(&self, event: Event) -> Option<Spanned<String>> {
        match self.scalar(event)? {
            (span, ScalarKind::String, text) => {
                Some(Spanned::new(span.start()..span.end(), text.into_owned()))
            }
            _ => None,
        }
    }

    fn string(&mut self) -> Option<Spanned<String>> {
        let event = self.next_significant()?;
        self.string_at(event)
    }

    /// A list of strings, `[]` included.
    fn strings(&mut self) -> Option<Vec<Spanned<String>>> {
        if self.next_significant()?.kind() != EventKind::ArrayOpen {
            return None;
        }
        let mut list = Vec::new();
        loop {
            let event = self.next_significant()?;
            match event.kind() {
                EventKind::ArrayClose => return Some(list),
                EventKind::ValueSep => {}
                _ => list.push(self.string_at(event)?),
            }
        }
    }

    /// A date or date-time, as `toml` reads one.
    fn date(&mut self) -> Option<Spanned<Datetime>> {
        let event = self.next_significant()?;
        match self.scalar(event)? {
            (span, ScalarKind::DateTime, text) => Some(Spanned::new(
                span.start()..span.end(),
                text.parse::<Datetime>().ok()?,
            )),
            _ => None,
        }
    }
}

impl ChannelKeys {
    fn new(span: Range<usize>) -> Self {
        ChannelKeys {
            span,
            kind: None,
            label: None,
            value: None,
            hours: None,
            response: None,
            use_for: None,
            not_for: None,
            note: None,
            visibility: None,
        }
    }

    fn finish(self) -> Option<Spanned<RawChannel>> {
        Some(Spanned::new(
            self.span,
            RawChannel {
                kind: self.kind?,
                label: self.label,
                value: self.value?,
                hours: self.hours,
                response: self.response,
                use_for: self.use_for.unwrap_or_default(),
                not_for: self.not_for.unwrap_or_default(),
                note: self.note,
                visibility: self.visibility,
            },
        ))
    }
}

impl AwayKeys {
    fn new(span: Range<usize>) -> Self {
        AwayKeys {
            span,
            from: None,
            to: None,
            covering: None,
        }
    }

    fn finish(self) -> Option<Spanned<RawAway>> {
        Some(Spanned::new(
            self.span,
            RawAway {
                from: self.from?,
                to: self.to?,
                covering: self.covering,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_toml(text: &str) -> Option<String> {
        toml::from_str::<RawProvider>(text)
            .ok()
            .map(|r| format!("{r:?}"))
    }

    /// The file as read here, spans included (`Spanned`'s `==` leaves them out).
    fn by_events(text: &str) -> Option<String> {
        provider(text).map(|r| format!("{r:?}"))
    }

    /// A file read here is read as `toml` reads it.
    fn agrees(text: &str) -> Result<(), TestCaseError> {
        if let Some(read) = by_events(text) {
            prop_assert_eq!(Some(read), by_toml(text), "{}", text);
        }
        Ok(())
    }

    const EVERY_FORM: &str = "# a comment\r
name = \"Zoë \\\"Zo\\\" Wagner\\u00e9\\t\" # after a value\r
sort_as='Wagner, Zoë'\r
\trole    =   \"\"\"\\\r
   Palliative \\\r
   care physician\"\"\"\r
languages = [ # inside a list\r
  \"en\",\r
  'cr', # with a comment\r
]\r
photo = ''''quoted' photo.jpg'''\r
reviewed = 2026-06-27\r
about = \"\"\"\r
Zoë helps.\r
\r
- a list\r
\"\"\"\r
credentials = \"MD\"\r
pronouns = \"\"\r
department = \"Palliative care\"\r
\r
[after_hours]\r
\r
[[ channels ]]\r
kind = \"phone\"\r
value = \"+1 204 555 0140\"\r
use_for = []\r
not_for = [\"Emergencies\",]\r
visibility = \"patients\"\r
label = \"Desk\"\r
hours = \"Tu-Fr 08:00-17:00\"\r
response = \"2 hours\"\r
note = '''raw \\n text'''\r
\r
[[away]]\r
from = 2026-11-01\r
to = 2026-11-02T08:00:00\r
covering = \"hazel-r-fortin\"\r
[[channels]]\r
kind = \"email\"\r
value = \"z@example.org\"\r
[[away]] # again\r
to = 2026-12-24\r
from = 2026-12-20\r
[[away]]\r
from = 2026-11-01 08:00:00\r
to = 2026-11-02t08:00:00z\r
[[away]]\r
from = 1979-05-27T00:32:00.999999-07:00\r
to = 07:32:00\r
[[away]]\r
from = 2026-01-01T08:00\r
to = 2026-01-01T08:00:00.1234567891+01:00\r
";

    /// This reader and `toml` run the same lexer and parser: one version
    /// of `toml_parser` in the build.
    #[test]
    fn reads_with_the_parser_toml_uses() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
            .expect("Cargo.lock is in the repository");
        assert_eq!(
            lock.matches("name = \"toml_parser\"\n").count(),
            1,
            "one toml_parser: keep Cargo.toml's at the major version toml uses"
        );
    }

    #[test]
    fn reads_the_example_clinic_as_toml_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/providers");
        let mut files = 0;
        for entry in walkdir::WalkDir::new(root) {
            let path = entry
                .expect("the example clinic's folder is readable")
                .into_path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).expect("an example file is UTF-8");
                let read = by_events(&text);
                assert!(read.is_some(), "{} is in the common form", path.display());
                assert_eq!(read, by_toml(&text), "{}", path.display());
                files += 1;
            }
        }
        assert!(files >= 5, "the example clinic has its providers");
    }

    #[test]
    fn reads_every_form_of_key_string_list_and_date_as_toml_does() {
        let read = by_events(EVERY_FORM);
        assert!(read.is_some(), "every form here is one this reader reads");
        assert_eq!(read, by_toml(EVERY_FORM));
        let lf = EVERY_FORM.replace("\r\n", "\n");
        assert_eq!(by_events(&lf), by_toml(&lf));
        assert!(by_events(&lf).is_some());
        // The keys required, and nothing else, make a provider too.
        let least = "name = \"A\"\nrole = \"B\"\nreviewed = 2026-01-01\n";
        assert!(by_events(least).is_some());
        assert_eq!(by_events(least), by_toml(least));
    }

    #[test]
    fn leaves_other_forms_and_every_error_to_toml() {
        let base = "name = \"A\"\nrole = \"B\"\nreviewed = 2026-01-01\n";
        let deep_lists = ["languages = ", &"[".repeat(100_000)].concat();
        let deep_tables = ["about = ", &"{a=".repeat(100_000)].concat();
        let cases: [&str; 32] = [
            // Forms `toml` reads and this reader leaves to it.
            "after_hours.text = \"x\"\n",
            "\"sort_as\" = \"x\"\n",
            "after_hours = { text = \"x\" }\n",
            "channels = [{ kind = \"phone\", value = \"+1 204 555 0140\" }]\n",
            // Errors: unknown, duplicate, missing and mistyped keys.
            "languages = []\n[after_hours]\n[after_hours.x]\n",
            "nmae = \"x\"\n",
            "name = \"again\"\n",
            "[after_hours]\n[after_hours]\n",
            "[[after_hours]]\n",
            "[channels]\nkind = \"phone\"\n",
            "[other]\n",
            "[[channels]]\nkind = \"phone\"\n",
            "[[channels]]\nvalue = \"x\"\n",
            "[[channels]]\nkind = \"phone\"\nvalue = \"x\"\nlabel = 3\n",
            "[[channels]]\nkind = \"phone\"\nvalue = \"x\"\nextra = \"x\"\n",
            "[[away]]\nfrom = 2026-01-01\n",
            "[[away]]\nfrom = 2026-01-01\nto = \"2026-01-02\"\n",
            "[after_hours]\ncovering = \"x\"\n",
            "[after_hours]\nwhen = \"x\"\n",
            "languages = \"en\"\n",
            "languages = [1]\n",
            "languages = [[\"en\"]]\n",
            "languages = [\"en\", 2026-01-01]\n",
            "photo = true\n",
            // Errors the parser finds.
            "about = \"no end\n",
            "about = \n",
            "about = \"bad \\q escape\"\n",
            "# a control character \u{7} in a comment\n",
            "about = 'a' 'b'\n",
            "[[channels]\n",
            // Nesting deeper than `toml` allows: refused, not a stack overflow.
            &deep_lists,
            &deep_tables,
        ];
        for extra in cases {
            let text = [base, extra].concat();
            assert_eq!(by_events(&text), None, "{text}");
        }
        // A key or date missing or wrong at the top.
        for text in [
            "role = \"B\"\nreviewed = 2026-01-01\n",
            "name = \"A\"\nreviewed = 2026-01-01\n",
            "name = \"A\"\nrole = \"B\"\n",
            "name = \"A\"\nrole = \"B\"\nreviewed = 2026-02-30\n",
            "name = \"A\"\nrole = \"B\"\nreviewed = \"2026-01-01\"\n",
            "name = 1\nrole = \"B\"\nreviewed = 2026-01-01\n",
        ] {
            assert_eq!(by_events(text), None, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// A string taken as it is holds what `toml` decodes it to, and
        /// every basic string without a `\\` or (multi-line) a carriage
        /// return that `toml` reads is taken so.
        #[test]
        fn plain_strings_are_what_toml_decodes(
            text in proptest::collection::vec(
                proptest::sample::select(&[
                    'a', ' ', '\t', '\n', '\r', '"', '\\', '\u{7}', '\u{7f}', '\u{1f}', 'é', '€', 'n', 'u',
                ][..]),
                0..12,
            ).prop_map(String::from_iter),
            multi_line: bool,
        ) {
            // As the lexer cuts strings: a `"` ends a one-line string, `"""` a
            // multi-line one; neither is inside.
            let mut text = text;
            let end = if multi_line { "\"\"\"" } else { "\"" };
            while text.contains(end) {
                text = text.replace(end, &end[1..]);
            }
            let (quotes, encoding) = match multi_line {
                true => ("\"\"\"", Encoding::MlBasicString),
                false => ("\"", Encoding::BasicString),
            };
            let raw = format!("{quotes}{text}{quotes}");
            let by_toml = toml::from_str::<toml::Table>(&format!("a = {raw}"))
                .ok()
                .and_then(|t| t.get("a").and_then(|a| a.as_str()).map(str::to_owned));
            match plain_string(&raw, encoding) {
                Some(plain) => prop_assert_eq!(Some(plain.to_owned()), by_toml),
                None => prop_assert!(
                    by_toml.is_none() || text.contains('\\') || (multi_line && text.contains('\r'))
                ),
            }
        }
    }

    /// Pieces of TOML that change what a file means when put anywhere in it.
    const PIECES: [&str; 39] = [
        "\"",
        "'",
        "\"\"\"",
        "'''",
        "\\",
        "\n",
        "\r\n",
        "#",
        "=",
        ",",
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        ".",
        " ",
        "\t",
        "2026-01-01",
        "x",
        "\u{7}",
        "é",
        "\"x\",",
        "\nname = \"x\"\n",
        "\nkind = \"x\"\n",
        "\n[after_hours]\n",
        "\n[[channels]]\nkind = \"x\"\nvalue = \"y\"\n",
        "\n[[away]]\n",
        "\r",
        "\u{7f}",
        "\\\n",
        "T",
        "Z",
        "+01:00",
        ".5",
        " 08:00",
        "[[[[",
        "{a=",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whatever a file becomes after a few edits, this reader either
        /// leaves it to `toml` or reads it as `toml` does.
        #[test]
        fn edited_files_are_read_as_toml_reads_them(
            edits in proptest::collection::vec(
                (any::<proptest::sample::Index>(), 0usize..4, proptest::sample::select(&PIECES[..])),
                1..4,
            )
        ) {
            let mut text = EVERY_FORM.replace("\r\n", "\n");
            for (at, remove, piece) in edits {
                let mut start = at.index(text.len() + 1);
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let mut end = (start + remove).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, piece);
            }
            agrees(&text)?;
        }
    }
}
