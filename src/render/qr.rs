//! QR codes of page URLs, as compact SVG.
//!
//! Encoding, error correction and masking are the `qrcode` crate's. Choosing
//! the mask is done here: the crate scores the eight masks with a general but
//! slow penalty function that took half of a 10,000-provider build; the same
//! ISO/IEC 18004 §7.8.3 rules over a plain bit grid give the same kind of
//! choice in a fraction of the time. The SVG is one `<path>` of dark modules,
//! a third of the size of one `<rect>` per module.

use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::ec::construct_codewords;
use qrcode::{Color, EcLevel};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of a QR code of `data`: `width × width` booleans, dark = true.
pub fn modules(data: &[u8]) -> Option<(usize, Vec<bool>)> {
    let ec = EcLevel::M;
    let bits = encode_auto(data, ec).ok()?;
    let version = bits.version();
    let width = usize::try_from(version.width()).ok()?;
    let (data_codewords, ec_codewords) =
        construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_codewords, &ec_codewords);
    MASKS
        .iter()
        .map(|mask| {
            let mut c = canvas.clone();
            c.apply_mask(*mask);
            let grid: Vec<bool> = c
                .into_colors()
                .into_iter()
                .map(|m| m == Color::Dark)
                .collect();
            (penalty(width, &grid), grid)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, grid)| (width, grid))
}

/// The mask penalty of ISO/IEC 18004 §7.8.3: runs, 2×2 blocks, finder-like
/// patterns, and the balance of dark and light. Rows and columns are scored
/// as bit sets, so a code of width ≤ 64 (every URL up to ~300 bytes) costs a
/// few microseconds a mask; wider codes use a plain per-module walk.
pub fn penalty(width: usize, grid: &[bool]) -> u32 {
    let lines = |transpose: bool| -> Vec<u64> {
        (0..width)
            .map(|a| {
                (0..width).fold(0u64, |acc, b| {
                    let dark = if transpose {
                        grid[b * width + a]
                    } else {
                        grid[a * width + b]
                    };
                    acc | (u64::from(dark) << b)
                })
            })
            .collect()
    };
    if !(8..=64).contains(&width) {
        return penalty_slow(width, grid);
    }
    let full = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let rows = lines(false);
    let cols = lines(true);
    let mut score = 0u32;
    for line in rows.iter().chain(cols.iter()) {
        // N1: runs of five or more modules of one colour, from the colour changes.
        let changes = (line ^ (line >> 1)) & (full >> 1);
        let mut rest = changes;
        let mut start = 0u32;
        while rest != 0 {
            let b = rest.trailing_zeros();
            let run = b + 1 - start;
            if run >= 5 {
                score += 3 + (run - 5);
            }
            start = b + 1;
            rest &= rest - 1;
        }
        let run = width as u32 - start;
        if run >= 5 {
            score += 3 + (run - 5);
        }
        // N3: 1:1:3:1:1 (dark, light, dark ×3, light, dark) with four light
        // modules (or the edge) on either side. Bit b is module b.
        const PATTERN: u64 = 0b101_1101;
        for b in 0..=width - 7 {
            if (line >> b) & 0x7F == PATTERN {
                let light = |from: isize, to: isize| {
                    (from..to).all(|i| i < 0 || i >= width as isize || (line >> i) & 1 == 0)
                };
                let b = b as isize;
                if light(b - 4, b) || light(b + 7, b + 11) {
                    score += 40;
                }
            }
        }
    }
    // N2: 2×2 blocks of one colour.
    for pair in rows.windows(2) {
        let (r0, r1) = (pair[0], pair[1]);
        let same_vertical = !(r0 ^ r1) & full;
        let same_horizontal = !(r0 ^ (r0 >> 1)) & (full >> 1);
        let blocks = same_vertical & (same_vertical >> 1) & same_horizontal;
        score += 3 * blocks.count_ones();
    }
    score + balance_penalty(grid)
}

/// N4: 10 points for every 5 % the dark share is away from 50 %.
fn balance_penalty(grid: &[bool]) -> u32 {
    let dark = grid.iter().filter(|&&d| d).count();
    let percent = dark * 100 / grid.len().max(1);
    10 * u32::try_from(percent.abs_diff(50) / 5).unwrap_or(10)
}

/// The same rules, module by module, for codes wider than 64.
fn penalty_slow(width: usize, grid: &[bool]) -> u32 {
    let at = |x: usize, y: usize| grid[y * width + x];
    let mut score = 0u32;
    for transpose in [false, true] {
        for a in 0..width {
            let cell = |b: usize| if transpose { at(a, b) } else { at(b, a) };
            let mut run = 1;
            for b in 1..width {
                if cell(b) == cell(b - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                score += 3 + (run - 5);
            }
            const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
            for b in 0..width.saturating_sub(6) {
                if (0..7).all(|i| cell(b + i) == PATTERN[i]) {
                    let light = |from: isize, to: isize| {
                        (from..to).all(|i| i < 0 || i >= width as isize || !cell(i as usize))
                    };
                    let b = b as isize;
                    if light(b - 4, b) || light(b + 7, b + 11) {
                        score += 40;
                    }
                }
            }
        }
    }
    for y in 0..width.saturating_sub(1) {
        for x in 0..width - 1 {
            let c = at(x, y);
            if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    score + balance_penalty(grid)
}

/// An SVG QR code of `url`, with a title for screen readers.
/// `None` only for data too long for any QR code (URLs never are).
pub fn qr_svg(url: &str, title: &str) -> Option<String> {
    let (width, grid) = modules(url.as_bytes())?;
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::with_capacity(grid.len() * 4);
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if grid[y * width + x] {
                let start = x;
                while x < width && grid[y * width + x] {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + quiet,
                    y + quiet,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let title = crate::render::escape_xml(title);
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><title>{title}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n",
        px = size * 5
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_an_svg() {
        let svg =
            qr_svg("https://riverside.example.org/providers/a/", "QR code").unwrap_or_default();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(svg.contains("<title>QR code</title>"), "{svg}");
    }

    #[test]
    fn decodes_back_to_the_url() {
        // Read the code back with an independent decoder (rqrr), at 4 px a module.
        for url in [
            "https://riverside.example.org/providers/nadia-okafor/",
            "https://clinic.example.org/providers/a/",
            "http://127.0.0.1:1111/providers/marie-claire-de-la-roche-2/",
        ] {
            let (width, grid) = modules(url.as_bytes()).unwrap_or_default();
            let scale = 4;
            let size = (width + 8) * scale;
            let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
                let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
                if mx < width && my < width && grid[my * width + mx] {
                    0
                } else {
                    255
                }
            });
            let grids = img.detect_grids();
            assert_eq!(grids.len(), 1, "{url}");
            let decoded = grids[0].decode().map(|(_, text)| text).unwrap_or_default();
            assert_eq!(decoded, url);
        }
    }

    #[test]
    fn fast_and_slow_penalties_agree() {
        for url in [
            "https://a.example.org/",
            "https://riverside.example.org/providers/nadia-okafor/",
        ] {
            let (width, _) = modules(url.as_bytes()).unwrap_or_default();
            let ec = EcLevel::M;
            let bits = encode_auto(url.as_bytes(), ec).ok();
            let Some(bits) = bits else { panic!("encodes") };
            let version = bits.version();
            let Ok((d, e)) = construct_codewords(&bits.into_bytes(), version, ec) else {
                panic!("codewords")
            };
            let mut canvas = Canvas::new(version, ec);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&d, &e);
            for mask in MASKS {
                let mut c = canvas.clone();
                c.apply_mask(mask);
                let grid: Vec<bool> = c
                    .into_colors()
                    .into_iter()
                    .map(|m| m == Color::Dark)
                    .collect();
                assert_eq!(
                    penalty(width, &grid),
                    penalty_slow(width, &grid),
                    "{url} {mask:?}"
                );
            }
        }
    }

    #[test]
    fn penalty_prefers_balanced_grids() {
        let all_dark = vec![true; 21 * 21];
        let checker: Vec<bool> = (0..21 * 21).map(|i| (i % 21 + i / 21) % 2 == 0).collect();
        assert!(penalty(21, &checker) < penalty(21, &all_dark));
    }
}
