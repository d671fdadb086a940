//! QR codes of page URLs, as SVG.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `url`, with a title for screen readers.
/// `None` only for data too long for any QR code (URLs never are).
pub fn qr_svg(url: &str, title: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Make the image accessible: role and a title naming what it links to.
    let title = crate::render::escape_xml(title);
    let svg = match svg.find("<svg ") {
        Some(i) => {
            let (head, rest) = svg.split_at(i + 5);
            let rest = match rest.find('>') {
                Some(j) => format!("{}><title>{title}</title>{}", &rest[..j], &rest[j + 1..]),
                None => rest.to_string(),
            };
            format!("{head}role=\"img\" {rest}")
        }
        None => svg,
    };
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_an_svg() {
        let svg = qr_svg("https://riverside.example.org/providers/a/", "QR code").unwrap_or_default();
        assert!(svg.contains("<svg "), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(svg.contains("<title>QR code</title>"), "{svg}");
    }
}
