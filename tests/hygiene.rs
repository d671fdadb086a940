//! The example clinic's output, file by file: no inline event handlers, no
//! inline scripts or styles on public pages, a Content-Security-Policy on
//! every public page, `rel="noopener"` on links to other sites, and no
//! resource loaded from any other host.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The repository's example clinic, copied and built with a fixed date.
fn example_output() -> (tempfile::TempDir, Vec<(PathBuf, String)>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy(&repo.join("site.toml"), &dir.path().join("site.toml"));
    copy_dir(&repo.join("data"), &dir.path().join("data"));
    let run = run_in(dir.path(), &["build", "--site", "."]);
    run.expect_success();
    let mut files = Vec::new();
    for (rel, bytes) in tree_bytes(&dir.path().join("public")) {
        if let Ok(text) = String::from_utf8(bytes) {
            files.push((rel, text));
        }
    }
    (dir, files)
}

fn copy(from: &Path, to: &Path) {
    let _ = std::fs::copy(from, to);
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::create_dir_all(to);
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            copy(&path, &to.join(entry.file_name()));
        }
    }
}

fn html_pages(files: &[(PathBuf, String)]) -> Vec<&(PathBuf, String)> {
    files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Every `<tag ...>` start tag of a page, lower-cased.
fn start_tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic())
            && let Some(j) = rest.find('>')
        {
            tags.push(rest[..j].to_lowercase());
        }
    }
    tags
}

/// The value of attribute `name` in a start tag, if present.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

#[test]
fn pages_have_no_inline_event_handlers_scripts_or_styles() {
    let (_dir, files) = example_output();
    let pages = html_pages(&files);
    assert!(pages.len() >= 12, "{}", pages.len());
    for (path, html) in pages {
        for tag in start_tags(html) {
            let attrs = tag.split_whitespace().skip(1);
            for a in attrs {
                assert!(
                    !(a.starts_with("on") && a.contains('=')),
                    "{}: inline event handler in <{tag}>",
                    path.display()
                );
                assert!(
                    !a.starts_with("style="),
                    "{}: inline style in <{tag}>",
                    path.display()
                );
            }
            if tag.starts_with("script") {
                let kind = attr(&tag, "type").unwrap_or("");
                assert!(
                    attr(&tag, "src").is_some()
                        || kind == "application/json"
                        || kind == "application/ld+json",
                    "{}: inline executable script <{tag}>",
                    path.display()
                );
            }
        }
        assert!(
            !html.contains("<style"),
            "{}: inline <style>",
            path.display()
        );
    }
}

#[test]
fn every_public_page_has_the_content_security_policy() {
    let (_dir, files) = example_output();
    for (path, html) in html_pages(&files) {
        let csp = start_tags(html)
            .into_iter()
            .find(|t| t.starts_with("meta") && t.contains("http-equiv=\"content-security-policy\""))
            .unwrap_or_else(|| panic!("{}: no Content-Security-Policy", path.display()));
        let content = attr(&csp, "content").unwrap_or("");
        assert!(
            content.contains("default-src 'none'"),
            "{}: {content}",
            path.display()
        );
        assert!(
            content.contains("script-src 'self'"),
            "{}: {content}",
            path.display()
        );
        assert!(
            !content.contains("unsafe-inline"),
            "{}: {content}",
            path.display()
        );
    }
}

#[test]
fn links_to_other_sites_have_noopener_and_nothing_loads_from_elsewhere() {
    let (_dir, files) = example_output();
    let own = "https://riverside.example.org";
    for (path, html) in html_pages(&files) {
        for tag in start_tags(html) {
            let external = |url: &str| {
                (url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//"))
                    && !url.starts_with(own)
            };
            if tag.starts_with("a ")
                && let Some(href) = attr(&tag, "href")
                && external(href)
            {
                let rel = attr(&tag, "rel").unwrap_or("");
                assert!(rel.contains("noopener"), "{}: <{tag}>", path.display());
            }
            // Resources: stylesheets, scripts, images, frames, media.
            for name in ["src", "srcset", "poster", "data"] {
                if let Some(url) = attr(&tag, name) {
                    assert!(!external(url), "{}: loads {url}", path.display());
                }
            }
            if tag.starts_with("link ")
                && !tag.contains("rel=\"canonical\"")
                && let Some(href) = attr(&tag, "href")
            {
                assert!(!external(href), "{}: <{tag}>", path.display());
            }
        }
    }
}

#[test]
fn every_page_stays_under_40_kb_with_its_css_and_js() {
    let (_dir, files) = example_output();
    let size = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == Path::new(name))
            .map_or(0, |(_, t)| t.len())
    };
    let assets = size("style.css") + size("howtoreach.js");
    for (path, html) in html_pages(&files) {
        let total = html.len() + assets;
        assert!(total < 40 * 1024, "{}: {total} bytes", path.display());
    }
}

#[test]
fn json_ld_is_valid_json_and_its_phones_are_on_the_page() {
    let (_dir, files) = example_output();
    for (path, html) in html_pages(&files) {
        let Some(start) = html.find("<script type=\"application/ld+json\">") else {
            continue;
        };
        let body = &html[start + "<script type=\"application/ld+json\">".len()..];
        let end = body.find("</script>").unwrap_or(body.len());
        let value: serde_json::Value = serde_json::from_str(&body[..end])
            .unwrap_or_else(|e| panic!("{}: JSON-LD does not parse: {e}", path.display()));
        let mut phones = Vec::new();
        collect_phones(&value, &mut phones);
        for phone in phones {
            // As a link, or (a fax) as shown: "(204) 555-0191" for +12045550191.
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            let national = match digits.strip_prefix('1') {
                Some(d) if d.len() == 10 => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
                _ => phone.clone(),
            };
            assert!(
                html.contains(&format!("tel:{phone}"))
                    || html.contains(&format!("sms:{phone}"))
                    || html.contains(&national),
                "{}: JSON-LD phone {phone} is not shown on the page",
                path.display()
            );
        }
    }
}

fn collect_phones(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "telephone" || k == "faxNumber" {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                } else {
                    collect_phones(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_phones(i, out)),
        _ => {}
    }
}
