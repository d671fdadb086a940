//! Markdown fields (`about`, channel `note`) to safe HTML with comrak.
//!
//! Raw HTML is never passed through (comrak's default replaces it with a
//! comment), and links keep only safe schemes: `https:`, `http:`, `mailto:`,
//! `tel:`, `sms:` and relative links. A link with any other scheme, and every
//! image (a picture from another host would be a request to it), is replaced by
//! its text.

use comrak::nodes::NodeValue;
use comrak::{Arena, Options, format_html, parse_document};

const SAFE_SCHEMES: [&str; 5] = ["https", "http", "mailto", "tel", "sms"];

fn options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = false;
    options
}

/// Whether a link destination is allowed in output: its scheme (up to the
/// first colon, read without white space and control characters, in lower
/// case) is a safe one, or it has none (a `/`, `?` or `#` comes first, or no
/// colon at all: a relative link).
pub fn is_safe_link(url: &str) -> bool {
    // The longest safe scheme is `mailto`: a longer one is not safe.
    let mut scheme = ['\0'; 6];
    let mut len = 0;
    let lower = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase);
    for c in lower {
        match c {
            ':' => {
                let scheme = scheme.get(..len).unwrap_or_default();
                return SAFE_SCHEMES
                    .iter()
                    .any(|safe| safe.chars().eq(scheme.iter().copied()));
            }
            '/' | '?' | '#' => return true,
            c => {
                if let Some(slot) = scheme.get_mut(len) {
                    *slot = c;
                }
                len += 1;
            }
        }
    }
    true
}

/// Renders Markdown to HTML that is safe to print unescaped.
pub fn to_html(markdown: &str) -> String {
    let options = options();
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options);
    let unwanted: Vec<_> = root
        .descendants()
        .filter(|node| match &node.data.borrow().value {
            NodeValue::Link(link) => !is_safe_link(&link.url),
            NodeValue::Image(_) => true,
            _ => false,
        })
        .collect();
    for node in unwanted {
        // Keep the link's text: move its children before it, then drop it.
        let children: Vec<_> = node.children().collect();
        for child in children {
            child.detach();
            node.insert_before(child);
        }
        node.detach();
    }
    let mut html = String::new();
    // Writing into a String cannot fail.
    if format_html(root, &options, &mut html).is_err() {
        return String::new();
    }
    // Links to other sites open without giving them a handle on this page.
    no_opener(html)
}

/// `html` with `rel="noopener noreferrer"` on every link to `https://` or
/// `http://`, in one pass (and none when it has no such link). The links
/// are found by their `<`, which a byte search finds fast: a search for the
/// whole `<a href="http` would first build a searcher, at every call.
fn no_opener(html: String) -> String {
    const LINK: &str = "<a href=\"http";
    let links = html.match_indices('<').filter(|&(i, _)| {
        html.get(i..)
            .and_then(|tag| tag.strip_prefix(LINK))
            .is_some_and(|after| after.starts_with("s://") || after.starts_with("://"))
    });
    let mut out = String::new();
    let mut copied = 0;
    // Each link starts at a `<` after the last one's `<a href="http` (one
    // `<`, all ASCII): every slice below is between character boundaries.
    for (i, _) in links {
        if out.is_empty() {
            out.reserve(html.len() + 128);
        }
        out.push_str(&html[copied..i]);
        out.push_str("<a rel=\"noopener noreferrer\" href=\"http");
        copied = i + LINK.len();
    }
    if copied == 0 {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`is_safe_link`] as first written: the whole destination lower-cased.
    fn is_safe_link_by_copy(url: &str) -> bool {
        let lower: String = url
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .flat_map(char::to_lowercase)
            .collect();
        match lower.find(':') {
            None => true,
            Some(colon) if lower[..colon].contains(['/', '?', '#']) => true,
            Some(_) => SAFE_SCHEMES
                .iter()
                .any(|s| lower.starts_with(&format!("{s}:"))),
        }
    }

    /// [`no_opener`] as first written: a search for the whole tag.
    fn no_opener_by_search(html: &str) -> String {
        const LINK: &str = "<a href=\"http";
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find(LINK) {
            let (before, after) = rest.split_at(i + LINK.len());
            out.push_str(&before[..i]);
            if after.starts_with("s://") || after.starts_with("://") {
                out.push_str("<a rel=\"noopener noreferrer\" href=\"http");
            } else {
                out.push_str(LINK);
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    proptest::proptest! {
        #[test]
        fn links_get_no_opener_as_by_a_search_for_the_tag(
            parts in proptest::collection::vec(
                "<a href=\"https?://|<a href=\"http|<a href=\"/|<p>|é|s://|://|<|a", 0..12)
        ) {
            let html = parts.concat();
            proptest::prop_assert_eq!(no_opener(html.clone()), no_opener_by_search(&html));
        }

        #[test]
        fn a_link_is_judged_as_by_a_lower_cased_copy(
            url in "(https?|mailto|tel|sms|javascript|data|vbscript|HTTPS|MailTo|Tel|x)?[:/?# \t\u{0}a-zA-Z0-9İK\u{212a}é.]{0,16}"
        ) {
            proptest::prop_assert_eq!(is_safe_link(&url), is_safe_link_by_copy(&url));
        }
    }

    #[test]
    fn only_links_to_other_sites_get_no_opener() {
        let html = "<a href=\"https://a.example.org\">a</a> <a href=\"http://b.example.org\">b</a> <a href=\"httpx\">c</a> <a href=\"/d\">d</a>";
        assert_eq!(
            no_opener(html.to_string()),
            "<a rel=\"noopener noreferrer\" href=\"https://a.example.org\">a</a> <a rel=\"noopener noreferrer\" href=\"http://b.example.org\">b</a> <a href=\"httpx\">c</a> <a href=\"/d\">d</a>"
        );
        assert_eq!(no_opener("<p>no link</p>".to_string()), "<p>no link</p>");
    }

    #[test]
    fn renders_markdown() {
        assert_eq!(
            to_html("Hello **you**"),
            "<p>Hello <strong>you</strong></p>\n"
        );
    }

    #[test]
    fn raw_html_is_not_passed_through() {
        let html = to_html("<script>alert(1)</script>\n\nHi <b onclick=x>there</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn unsafe_links_become_text() {
        for md in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](data:text/html,hi)",
            "[click](vbscript:x)",
            "[click](java\tscript:x)",
        ] {
            let html = to_html(md);
            assert!(!html.contains("href"), "{md}: {html}");
            assert!(html.contains("click"), "{md}: {html}");
        }
    }

    #[test]
    fn safe_links_stay() {
        let html = to_html("[site](https://example.org) [mail](mailto:a@example.org) [rel](../x/)");
        assert_eq!(html.matches("href").count(), 3, "{html}");
    }

    #[test]
    fn external_links_get_noopener() {
        let html = to_html("[site](https://example.org) [rel](../x/)");
        assert!(
            html.contains("<a rel=\"noopener noreferrer\" href=\"https://example.org\">"),
            "{html}"
        );
        assert!(html.contains("<a href=\"../x/\">"), "{html}");
    }

    #[test]
    fn images_are_replaced_by_their_text() {
        let html = to_html("![a tracking pixel](https://tracker.example.com/p.gif)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("a tracking pixel"), "{html}");
    }
}
