//! QR codes of page URLs, as compact SVG.
//!
//! Encoding, data placement and masking are the `qrcode` crate's; choosing
//! the mask is done here, and the chosen code is, bit for bit, the crate's
//! canvas after `apply_mask`. The error correction of versions 1 to 11 is
//! worked out here too (the crate's, tested against it, with the generator
//! times every byte in a table, so each step XORs a ready row). Once per
//! version, the crate draws the functional patterns and masks them with each
//! of the eight masks (a data module masked alone is dark exactly where its
//! mask inverts), and shows where `draw_data` puts each bit of the codewords.
//! A code under mask `m` is then that masked grid XOR its data bits. Grids
//! are rows of `u64` bits (codes up to 64 modules wide: every URL up to ~250
//! bytes), and the ISO/IEC 18004 §7.8.3 penalty of each mask is scored a
//! whole row or column at a time (the scoring is compiled a second time for
//! AVX2 and POPCNT, picked at run time): under ~10 µs a code in all, against
//! ~100 µs for a crate canvas masked, converted and scored per mask. Wider
//! codes still go that way, with a per-module penalty. The SVG is one
//! `<path>` of the dark runs of each row,
//! a third of the size of one `<rect>` per module.

use std::fmt::Write as _;
use std::sync::OnceLock;

use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::ec::construct_codewords;
use qrcode::{Color, EcLevel, Version};

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

/// Every code is error-corrected at level M (15 %).
const EC: EcLevel = EcLevel::M;

/// The widest code kept as bit rows: one `u64` a row.
const MAX_BITS_WIDTH: usize = 64;

/// Versions 1 to 11 are at most 64 modules wide (version 11: 61).
const MAX_BITS_VERSION: usize = 11;

/// A grid of up to 64 × 64 modules: bit `x` of `rows[y]` is module (x, y),
/// 1 = dark. Bits and rows beyond the code's width are 0.
type Bits = [u64; MAX_BITS_WIDTH];

/// What every code of one version shares.
struct Layout {
    width: usize,
    /// The dark modules of the crate's canvas with the functional patterns
    /// drawn and masked with `MASKS[m]` (`apply_mask` also draws the format
    /// information of mask `m`), data modules left empty: a data module masked
    /// alone is dark exactly where mask `m` inverts it.
    masked_rows: [Bits; 8],
    /// `masked_rows` transposed: bit `y` of `masked_cols[m][x]` is (x, y).
    masked_cols: [Bits; 8],
    /// Where the crate's `draw_data` puts each bit of the codewords (data,
    /// then error correction, each most significant bit first): `(x, y)`,
    /// both < 64. The same for every code of the version.
    places: Vec<(u8, u8)>,
}

static LAYOUTS: [OnceLock<Option<Layout>>; MAX_BITS_VERSION] =
    [const { OnceLock::new() }; MAX_BITS_VERSION];

/// The shared layout of `version`, for codes up to 64 modules wide.
fn layout(version: Version) -> Option<&'static Layout> {
    let Version::Normal(v) = version else {
        return None;
    };
    let index = usize::try_from(v).ok()?.checked_sub(1)?;
    LAYOUTS
        .get(index)?
        .get_or_init(|| Layout::new(version))
        .as_ref()
}

impl Layout {
    fn new(version: Version) -> Option<Self> {
        let width = usize::try_from(version.width())
            .ok()
            .filter(|w| *w <= MAX_BITS_WIDTH)?;
        let mut base = Canvas::new(version, EC);
        base.draw_all_functional_patterns();
        let mut masked_rows = [[0; MAX_BITS_WIDTH]; 8];
        let mut masked_cols = [[0; MAX_BITS_WIDTH]; 8];
        for ((mask, rows), cols) in MASKS.iter().zip(&mut masked_rows).zip(&mut masked_cols) {
            let mut masked = base.clone();
            masked.apply_mask(*mask);
            *rows = color_rows(width, &masked.into_colors());
            *cols = transpose(rows);
        }
        Some(Self {
            width,
            masked_rows,
            masked_cols,
            places: places(width, &base)?,
        })
    }

    /// The data and error-correction modules of a code before masking,
    /// 1 = dark, as rows and as columns.
    fn data_bits(&self, data_codewords: &[u8], ec_codewords: &[u8]) -> (Bits, Bits) {
        let mut rows = [0; MAX_BITS_WIDTH];
        let codewords = data_codewords.iter().chain(ec_codewords);
        for (codeword, places) in codewords.zip(self.places.chunks(8)) {
            // Most significant bit first.
            for (&(x, y), shift) in places.iter().zip((0..8).rev()) {
                let dark = u64::from((codeword >> shift) & 1);
                // x, y < 64 (see `places`); the mask makes that plain.
                rows[usize::from(y & 63)] |= dark << (x & 63);
            }
        }
        let cols = transpose(&rows);
        (rows, cols)
    }
}

/// Where the crate's `draw_data` puts each bit of the codeword stream on
/// `base` (functional patterns drawn, width ≤ 64), read from the crate
/// itself: draw a stream in which bit `k` is bit `t` of `k`, for each `t`,
/// and the dark data modules spell each module's `k` in binary.
///
/// `draw_data(data, ec)` fills the empty modules in a fixed order, one bit of
/// `data` then `ec` each, whatever the bits are (QR codes have no half
/// codewords; Micro QR codes are never made here), so a code's bit `k` is
/// always at `places[k]`. `None` if the result is not a one-to-one order.
fn places(width: usize, base: &Canvas) -> Option<Vec<(u8, u8)>> {
    let base_rows = color_rows(width, &base.clone().into_colors());
    // More bits than modules: `draw_data` stops when no empty module is left.
    let bytes = width * width / 8 + 1;
    let drawn = |bit: &dyn Fn(usize) -> bool| -> Bits {
        let stream: Vec<u8> = (0..bytes)
            .map(|b| (0..8).fold(0u8, |acc, j| (acc << 1) | u8::from(bit(b * 8 + j))))
            .collect();
        let mut canvas = base.clone();
        canvas.draw_data(&stream, &[]);
        xor(&color_rows(width, &canvas.into_colors()), &base_rows)
    };
    let data = drawn(&|_| true);
    let count = data.iter().map(|r| r.count_ones() as usize).sum();
    let mut index = vec![0usize; width * width];
    // 12 binary digits number every module of a width ≤ 64.
    for t in 0..12 {
        let rows = drawn(&|k| (k >> t) & 1 == 1);
        for (y, row) in rows.iter().enumerate().take(width) {
            for (x, k) in index.iter_mut().skip(y * width).take(width).enumerate() {
                *k |= usize::from((row >> x) & 1 == 1) << t;
            }
        }
    }
    let mut places = vec![None; count];
    for (y, row) in data.iter().enumerate().take(width) {
        for x in 0..width {
            if (row >> x) & 1 == 1 {
                let place = places.get_mut(*index.get(y * width + x)?)?;
                if place.is_some() {
                    return None;
                }
                *place = Some((u8::try_from(x).ok()?, u8::try_from(y).ok()?));
            }
        }
    }
    places.into_iter().collect()
}

/// Row-major colours (`width` a row, width ≤ 64) as bit rows.
fn color_rows(width: usize, colors: &[Color]) -> Bits {
    let mut rows = [0; MAX_BITS_WIDTH];
    for (row, line) in rows.iter_mut().zip(colors.chunks_exact(width.max(1))) {
        *row = line
            .iter()
            .rev()
            .fold(0, |acc, c| (acc << 1) | u64::from(*c == Color::Dark));
    }
    rows
}

/// Row-major booleans (`width` a row, width ≤ 64) as bit rows.
fn bool_rows(width: usize, grid: &[bool]) -> Bits {
    let mut rows = [0; MAX_BITS_WIDTH];
    for (row, line) in rows.iter_mut().zip(grid.chunks_exact(width.max(1))) {
        *row = line
            .iter()
            .rev()
            .fold(0, |acc, d| (acc << 1) | u64::from(*d));
    }
    rows
}

#[inline(always)]
fn xor(a: &Bits, b: &Bits) -> Bits {
    let mut out = *a;
    for (o, b) in out.iter_mut().zip(b) {
        *o ^= b;
    }
    out
}

/// The 64 × 64 bit matrix transposed (rows become columns), by swapping
/// ever smaller blocks: 32 × 32, then 16 × 16, … (Hacker's Delight, §7-3).
/// XOR-linear, so `transpose(a ^ b) == transpose(a) ^ transpose(b)`.
fn transpose(rows: &Bits) -> Bits {
    let mut a = *rows;
    let mut j = MAX_BITS_WIDTH / 2;
    let mut m: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        // Swap the high `j` bits of row k with the low `j` bits of row k + j,
        // for the first `j` rows of each block of `2 j`.
        for block in a.chunks_exact_mut(2 * j) {
            let (low, high) = block.split_at_mut(j);
            for (x, y) in low.iter_mut().zip(high.iter_mut()) {
                let t = ((*x >> j) ^ *y) & m;
                *x ^= t << j;
                *y ^= t;
            }
        }
        j /= 2;
        m ^= m << j;
    }
    a
}

/// The `width` lowest bits.
#[inline(always)]
fn low_bits(width: usize) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// The code of some data under its mask of least [`penalty`].
#[allow(
    clippy::large_enum_variant,
    reason = "made and moved once a code; a Box would only add an allocation"
)]
enum Grid {
    /// Up to 64 modules wide.
    Bits { width: usize, rows: Bits },
    /// Wider: row-major, dark = true.
    Bools { width: usize, modules: Vec<bool> },
}

/// A version's error-correction codewords a block, then the count and data
/// codewords of the blocks of its two groups.
type Blocks = (usize, (usize, usize), (usize, usize));

/// The blocks of versions 1 to 11 at level M (ISO/IEC 18004, table 9):
/// error-correction codewords a block, then the count and data codewords of
/// the blocks of each of the two groups.
const BLOCKS_M: [Blocks; MAX_BITS_VERSION] = [
    (10, (1, 16), (0, 0)),
    (16, (1, 28), (0, 0)),
    (26, (1, 44), (0, 0)),
    (18, (2, 32), (0, 0)),
    (24, (2, 43), (0, 0)),
    (16, (4, 27), (0, 0)),
    (18, (4, 31), (0, 0)),
    (22, (2, 38), (2, 39)),
    (22, (3, 36), (2, 37)),
    (26, (4, 43), (1, 44)),
    (30, (1, 50), (4, 51)),
];

/// GF(256) of QR codes (x⁸ + x⁴ + x³ + x² + 1): `EXP[i]` = αⁱ, twice over
/// so that a sum of two logarithms needs no reduction; `LOG[αⁱ]` = i.
struct Field {
    exp: [u8; 512],
    log: [u8; 256],
}

static FIELD: Field = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    Field { exp, log }
};

/// The generator polynomial of `n` error-correction codewords,
/// (x − α⁰)(x − α¹)…(x − αⁿ⁻¹), as the logarithms of its coefficients after
/// the leading 1 (each is non-zero).
fn generator(n: usize) -> Vec<u8> {
    // Coefficients, highest power first, starting from 1.
    let mut poly = vec![1u8];
    for i in 0..n {
        let root = FIELD.exp[i];
        let mut next = poly.clone();
        next.push(0);
        for (j, &c) in poly.iter().enumerate() {
            if c != 0 {
                let product = FIELD.exp[usize::from(FIELD.log[usize::from(c)])
                    + usize::from(FIELD.log[usize::from(root)])];
                next[j + 1] ^= product;
            }
        }
        poly = next;
    }
    poly.iter()
        .skip(1)
        .map(|&c| FIELD.log[usize::from(c)])
        .collect()
}

/// The generator of `n` error-correction codewords times every byte: row
/// `c` (`n` bytes from `c × n`) is the generator's coefficients after the
/// leading 1, each times `c` in GF(256); row 0 is zeros.
fn products(n: usize) -> Option<&'static [u8]> {
    static PRODUCTS: [OnceLock<Vec<u8>>; 31] = [const { OnceLock::new() }; 31];
    let table = PRODUCTS.get(n)?.get_or_init(|| {
        let generator = generator(n);
        let mut table = vec![0u8; 256 * n];
        for (c, row) in table.chunks_exact_mut(n.max(1)).enumerate().skip(1) {
            let log_c = usize::from(FIELD.log[c]);
            for (product, &g) in row.iter_mut().zip(&generator) {
                *product = FIELD.exp[usize::from(g) + log_c];
            }
        }
        table
    });
    Some(table.as_slice())
}

/// The error-correction codewords of one block: the remainder of the block
/// times xⁿ divided by the generator (the crate's `create_error_correction_code`,
/// without its reduction modulo 255 at each step). `products` is
/// [`products`]`(n)` (256 rows of `n`): each step XORs a ready row of it,
/// `n` bytes at once.
fn block_ec(block: &[u8], products: &[u8]) -> Vec<u8> {
    let n = products.len() / 256;
    let mut rest = vec![0u8; block.len() + n];
    rest[..block.len()].copy_from_slice(block);
    for i in 0..block.len() {
        let lead = usize::from(rest[i]);
        // Row `lead` of 256 and the `n` bytes after `i`: both always there.
        let row = products.get(lead * n..(lead + 1) * n).unwrap_or_default();
        let tail = rest.get_mut(i + 1..i + 1 + n).unwrap_or_default();
        for (r, p) in tail.iter_mut().zip(row) {
            *r ^= p;
        }
    }
    rest.split_off(block.len())
}

/// The crate's `construct_codewords` at level M, for versions 1 to 11: the
/// data cut into blocks, each block's error correction, both interleaved.
/// `None` for another version or data of the wrong length.
fn codewords_m(data: &[u8], version: Version) -> Option<(Vec<u8>, Vec<u8>)> {
    let Version::Normal(v) = version else {
        return None;
    };
    let &(ec_len, (count_1, size_1), (count_2, size_2)) =
        BLOCKS_M.get(usize::try_from(v).ok()?.checked_sub(1)?)?;
    if data.len() != count_1 * size_1 + count_2 * size_2 {
        return None;
    }
    let (first, second) = data.split_at(count_1 * size_1);
    let blocks: Vec<&[u8]> = first
        .chunks(size_1.max(1))
        .chain(second.chunks(size_2.max(1)))
        .collect();
    let products = products(ec_len)?;
    let ecs: Vec<Vec<u8>> = blocks.iter().map(|b| block_ec(b, products)).collect();
    let interleave = |blocks: &[&[u8]], longest: usize| -> Vec<u8> {
        let mut out = Vec::with_capacity(longest * blocks.len());
        for i in 0..longest {
            out.extend(blocks.iter().filter_map(|b| b.get(i)));
        }
        out
    };
    let ec_blocks: Vec<&[u8]> = ecs.iter().map(Vec::as_slice).collect();
    Some((
        interleave(&blocks, size_1.max(size_2)),
        interleave(&ec_blocks, ec_len),
    ))
}

/// The masked functional patterns (`layout.masked_rows[m]`) of the mask `m`
/// of least penalty for a code whose data modules are `data_rows` (and, as
/// columns, `data_cols`); the first of equals.
///
/// Scoring the eight masks is most of the time a QR code takes, and most of
/// that is counting bits and shifting lines: where the CPU has them, the same
/// code is compiled a second time for POPCNT (one instruction a count instead
/// of about fifteen) and AVX2 (which the compiler may use for several lines
/// at once), chosen at run time so that the binary still runs on any x86-64.
/// The result is the same either way (a test checks); the scoring takes
/// about a third fewer instructions this way (callgrind).
fn best_mask<'l>(layout: &'l Layout, data_rows: &Bits, data_cols: &Bits) -> Option<&'l Bits> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: `best_mask_avx2` needs only AVX2 and POPCNT, and this CPU
        // has both (checked just above).
        return unsafe { best_mask_avx2(layout, data_rows, data_cols) };
    }
    best_mask_portable(layout, data_rows, data_cols)
}

/// [`best_mask_portable`] compiled for CPUs with AVX2 and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn best_mask_avx2<'l>(layout: &'l Layout, data_rows: &Bits, data_cols: &Bits) -> Option<&'l Bits> {
    best_mask_portable(layout, data_rows, data_cols)
}

/// [`best_mask`] for any CPU; inlined, with the scoring it calls (all
/// `#[inline(always)]`), into `best_mask_avx2`, which compiles it again for
/// AVX2 and POPCNT.
#[inline(always)]
fn best_mask_portable<'l>(
    layout: &'l Layout,
    data_rows: &Bits,
    data_cols: &Bits,
) -> Option<&'l Bits> {
    let mut best: Option<(u32, &Bits)> = None;
    for (masked_rows, masked_cols) in layout.masked_rows.iter().zip(&layout.masked_cols) {
        let rows = xor(masked_rows, data_rows);
        let cols = xor(masked_cols, data_cols);
        // A mask is scored only as far as it could still be the best.
        let least = best.map_or(u32::MAX, |(least, _)| least);
        if let Some(score) = penalty_below(layout.width, &rows, &cols, least) {
            best = Some((score, masked_rows));
        }
    }
    best.map(|(_, masked_rows)| masked_rows)
}

/// The code of `data` with the mask of least penalty (the first of equals).
fn best_grid(data: &[u8]) -> Option<Grid> {
    let bits = encode_auto(data, EC).ok()?;
    let version = bits.version();
    let bytes = bits.into_bytes();
    let (data_codewords, ec_codewords) = match codewords_m(&bytes, version) {
        Some(codewords) => codewords,
        None => construct_codewords(&bytes, version, EC).ok()?,
    };
    if let Some(layout) = layout(version) {
        let width = layout.width;
        let (data_rows, data_cols) = layout.data_bits(&data_codewords, &ec_codewords);
        return best_mask(layout, &data_rows, &data_cols).map(|masked_rows| Grid::Bits {
            width,
            rows: xor(masked_rows, &data_rows),
        });
    }
    let width = usize::try_from(version.width()).ok()?;
    let mut canvas = Canvas::new(version, EC);
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
        .map(|(_, modules)| Grid::Bools { width, modules })
}

/// The modules of a QR code of `data`: `width × width` booleans, dark = true.
pub fn modules(data: &[u8]) -> Option<(usize, Vec<bool>)> {
    Some(match best_grid(data)? {
        Grid::Bits { width, rows } => {
            let modules = rows
                .iter()
                .take(width)
                .flat_map(|row| (0..width).map(move |x| (row >> x) & 1 == 1))
                .collect();
            (width, modules)
        }
        Grid::Bools { width, modules } => (width, modules),
    })
}

/// The mask penalty of ISO/IEC 18004 §7.8.3: runs, 2×2 blocks, finder-like
/// patterns, and the balance of dark and light. Rows and columns are scored
/// as bit sets for codes 8 to 64 modules wide; others by a per-module walk.
pub fn penalty(width: usize, grid: &[bool]) -> u32 {
    if !(8..=MAX_BITS_WIDTH).contains(&width) || grid.len() != width * width {
        return penalty_slow(width, grid);
    }
    let rows = bool_rows(width, grid);
    penalty_below(width, &rows, &transpose(&rows), u32::MAX).unwrap_or(u32::MAX)
}

/// [`penalty`] of a grid of bit rows and the same grid's columns
/// (8 ≤ width ≤ 64), if it is less than `bound`. Every rule adds to the
/// score, so the sum stops as soon as it reaches `bound`.
#[inline(always)]
fn penalty_below(width: usize, rows: &Bits, cols: &Bits, bound: u32) -> Option<u32> {
    let full = low_bits(width);
    let rows = rows.get(..width)?;
    let dark: u32 = rows.iter().map(|r| r.count_ones()).sum();
    let mut score = balance(usize::try_from(dark).unwrap_or(0), width * width);
    // N2: 2×2 blocks of one colour, each found at its top left module (bit
    // b < width − 1), so two rows' blocks share one count up to width 33.
    let block = |y: usize| {
        let (r0, r1) = (rows[y], rows[y + 1]);
        let same_vertical = !(r0 ^ r1) & full;
        let same_horizontal = !(r0 ^ (r0 >> 1)) & (full >> 1);
        same_vertical & (same_vertical >> 1) & same_horizontal
    };
    let mut blocks = 0;
    let mut y = 0;
    while y + 1 < width {
        if width <= 33 && y + 2 < width {
            blocks += (block(y) | (block(y + 1) << 32)).count_ones();
            y += 2;
        } else {
            blocks += block(y).count_ones();
            y += 1;
        }
    }
    score += 3 * blocks;
    score += lines_penalty(width, full, rows);
    if score >= bound {
        return None;
    }
    score += lines_penalty(width, full, cols.get(..width)?);
    (score < bound).then_some(score)
}

/// N1 and N3 of rows or columns (bit b = module b, `full` = `width` ones).
#[inline(always)]
fn lines_penalty(width: usize, full: u64, lines: &[u64]) -> u32 {
    // N1: 3 + (n − 5) for each run of n ≥ 5 modules of one colour, that is,
    // one point for each five-module window of one colour plus two for each
    // such run (the first window of a run is one not following another).
    let five = |line: u64| {
        let same = !(line ^ (line >> 1)) & (full >> 1); // b and b + 1 alike
        same & (same >> 1) & (same >> 2) & (same >> 3) // b to b + 4 alike
    };
    let n1 = |fives: u64| fives.count_ones() + 2 * (fives & !(fives << 1)).count_ones();
    let mut score = 0;
    if width <= 35 {
        // A window is found at its first module (bit b ≤ width − 5 ≤ 30),
        // so two lines share one count, the second's bits from 32 on.
        let mut pairs = lines.chunks_exact(2);
        for pair in &mut pairs {
            score += n1(five(pair[0]) | (five(pair[1]) << 32));
            score += finder_penalty(full, pair[0]) + finder_penalty(full, pair[1]);
        }
        for &line in pairs.remainder() {
            score += n1(five(line)) + finder_penalty(full, line);
        }
    } else {
        for &line in lines {
            score += n1(five(line)) + finder_penalty(full, line);
        }
    }
    score
}

/// N3 of one line: 1:1:3:1:1 (dark, light, dark ×3, light, dark) at b to
/// b + 6, with four light modules (or the edge) just before or just after.
#[inline(always)]
fn finder_penalty(full: u64, line: u64) -> u32 {
    let light = !line & full;
    let found =
        line & (light >> 1) & (line >> 2) & (line >> 3) & (line >> 4) & (light >> 5) & (line >> 6);
    if found == 0 {
        return 0;
    }
    // Light, or past an edge (bits past the width are 0 in `line`; those
    // below 0 and above 63 are shifted in as ones): bit b of `before` is
    // "modules b − 4 to b − 1 are", of `after` "modules b + 7 to b + 10 are".
    let outside = !line;
    let shifted_up = |k: u32| (outside << k) | ((1u64 << k) - 1);
    let shifted_down = |k: u32| (outside >> k) | !(u64::MAX >> k);
    let before = shifted_up(1) & shifted_up(2) & shifted_up(3) & shifted_up(4);
    let after = shifted_down(7) & shifted_down(8) & shifted_down(9) & shifted_down(10);
    40 * (found & (before | after)).count_ones()
}

/// N4: 10 points for every 5 % the dark share is away from 50 %.
#[inline(always)]
fn balance(dark: usize, total: usize) -> u32 {
    let percent = dark * 100 / total.max(1);
    10 * u32::try_from(percent.abs_diff(50) / 5).unwrap_or(10)
}

/// The same rules, module by module, for codes wider than 64.
fn penalty_slow(width: usize, grid: &[bool]) -> u32 {
    let at = |x: usize, y: usize| grid.get(y * width + x).copied().unwrap_or(false);
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
                if PATTERN.iter().enumerate().all(|(i, p)| cell(b + i) == *p) {
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
    let dark = grid.iter().filter(|&&d| d).count();
    score + balance(dark, grid.len())
}

/// An SVG QR code of `url`, with a title for screen readers.
/// `None` only for data too long for any QR code (URLs never are).
pub fn qr_svg(url: &str, title: &str) -> Option<String> {
    const QUIET: usize = 4;
    let grid = best_grid(url.as_bytes())?;
    let width = match &grid {
        Grid::Bits { width, .. } | Grid::Bools { width, .. } => *width,
    };
    let size = width + 2 * QUIET;
    let title = crate::render::escape_xml(title);
    // At most (width + 1) / 2 runs a row, of at most 11 bytes up to version 19.
    let mut svg = String::with_capacity(400 + title.len() + width * (width + 1) / 2 * 11);
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><title>{title}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"none\" stroke=\"#000\" d=\"",
        px = size * 5
    );
    // The path is ASCII, written as bytes: a `String` checks every `push`.
    let mut svg = svg.into_bytes();
    match &grid {
        Grid::Bits { width, rows } => {
            for (y, row) in rows.iter().take(*width).enumerate() {
                let mut rest = *row;
                let mut end = None;
                while rest != 0 {
                    let start = rest.trailing_zeros() as usize;
                    let len = (rest >> start).trailing_ones() as usize;
                    push_run(&mut svg, start + QUIET, y + QUIET, len, end);
                    end = Some(start + QUIET + len);
                    // Adding the lowest set bit clears the lowest run of ones
                    // (a run up to bit 63 carries out of the word: 0).
                    rest &= rest.wrapping_add(rest & rest.wrapping_neg());
                }
            }
        }
        Grid::Bools { width, modules } => {
            for (y, row) in modules.chunks_exact((*width).max(1)).enumerate() {
                let mut x = 0;
                let mut end = None;
                while x < row.len() {
                    let len = row.iter().skip(x).take_while(|d| **d).count();
                    if len > 0 {
                        push_run(&mut svg, x + QUIET, y + QUIET, len, end);
                        end = Some(x + QUIET + len);
                    }
                    x += len.max(1);
                }
            }
        }
    }
    svg.extend_from_slice(b"\"/></svg>\n");
    String::from_utf8(svg).ok()
}

/// One dark run of a row, as a line one module thick through the middle of
/// the row: `M{x} {y}.5h{len}` for a row's first run, `m{gap} 0h{len}` after
/// the run that ended at `end` (half the bytes of a filled rectangle a run,
/// and the same pixels: a stroke 1 module wide with flat, "butt", ends).
#[inline]
fn push_run(out: &mut Vec<u8>, x: usize, y: usize, len: usize, end: Option<usize>) {
    // A row's runs go left to right, with a light module between.
    let gap = end.map_or(0, |end| x.saturating_sub(end));
    if let (Ok(x @ 0..100), Ok(y @ 0..100), Ok(len @ 0..100), Ok(gap @ 0..100)) = (
        u8::try_from(x),
        u8::try_from(y),
        u8::try_from(len),
        u8::try_from(gap),
    ) {
        // Every run of codes up to version 19 (93 modules, so x, y ≤ 96 with
        // the quiet zone): at most 1 + 2 + 1 + 2 + 2 + 1 + 2 = 11 bytes,
        // appended at once.
        let mut run = Short::default();
        if end.is_none() {
            run.push(b'M');
            run.push_number(x);
            run.push(b' ');
            run.push_number(y);
            run.push(b'.');
            run.push(b'5');
        } else {
            run.push(b'm');
            run.push_number(gap);
            run.push(b' ');
            run.push(b'0');
        }
        run.push(b'h');
        run.push_number(len);
        run.append_to(out);
    } else {
        push_long_run(out, x, y, len, end.map(|_| gap));
    }
}

/// [`push_run`] with a three-digit number, for codes of version 20 and up.
#[cold]
fn push_long_run(out: &mut Vec<u8>, x: usize, y: usize, len: usize, gap: Option<usize>) {
    let run = match gap {
        None => format!("M{x} {y}.5h{len}"),
        Some(gap) => format!("m{gap} 0h{len}"),
    };
    out.extend_from_slice(run.as_bytes());
}

/// Up to 16 bytes of text, built on the stack and appended to a `Vec` with
/// one capacity check instead of one a byte.
#[derive(Default)]
struct Short {
    bytes: [u8; 16],
    len: usize,
}

impl Short {
    fn push(&mut self, byte: u8) {
        // `& 15` keeps the index in bounds; callers push at most 16 bytes.
        self.bytes[self.len & 15] = byte;
        self.len += 1;
    }

    /// `n` < 100 in decimal.
    fn push_number(&mut self, n: u8) {
        if n >= 10 {
            self.push(b'0' + n / 10);
        }
        self.push(b'0' + n % 10);
    }

    fn append_to(&self, out: &mut Vec<u8>) {
        let end = out.len() + self.len.min(16);
        out.extend_from_slice(&self.bytes);
        out.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The implementation before the precomputed masks (one crate canvas
    /// masked, converted and scored per mask), kept verbatim, with its penalty
    /// functions below, as the oracle for byte-identical output.
    fn reference_modules(data: &[u8]) -> Option<(usize, Vec<bool>)> {
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
                (reference_penalty(width, &grid), grid)
            })
            .min_by_key(|(score, _)| *score)
            .map(|(_, grid)| (width, grid))
    }

    /// The mask penalty of ISO/IEC 18004 §7.8.3: runs, 2×2 blocks, finder-like
    /// patterns, and the balance of dark and light. Rows and columns are scored
    /// as bit sets, so a code of width ≤ 64 (every URL up to ~300 bytes) costs a
    /// few microseconds a mask; wider codes use a plain per-module walk.
    fn reference_penalty(width: usize, grid: &[bool]) -> u32 {
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
            // The module-by-module rules are unchanged: the current code is the reference.
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
        score + reference_balance_penalty(grid)
    }

    /// N4: 10 points for every 5 % the dark share is away from 50 %.
    fn reference_balance_penalty(grid: &[bool]) -> u32 {
        let dark = grid.iter().filter(|&&d| d).count();
        let percent = dark * 100 / grid.len().max(1);
        10 * u32::try_from(percent.abs_diff(50) / 5).unwrap_or(10)
    }

    fn reference_qr_svg(url: &str, title: &str) -> Option<String> {
        let (width, grid) = reference_modules(url.as_bytes())?;
        let quiet = 4;
        let size = width + 2 * quiet;
        let mut path = String::with_capacity(grid.len() * 4);
        for y in 0..width {
            let mut x = 0;
            let mut end = None;
            while x < width {
                if grid[y * width + x] {
                    let start = x;
                    while x < width && grid[y * width + x] {
                        x += 1;
                    }
                    match end {
                        None => path.push_str(&format!(
                            "M{} {}.5h{}",
                            start + quiet,
                            y + quiet,
                            x - start
                        )),
                        Some(end) => path.push_str(&format!("m{} 0h{}", start - end, x - start)),
                    }
                    end = Some(x);
                } else {
                    x += 1;
                }
            }
        }
        let title = crate::render::escape_xml(title);
        Some(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><title>{title}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"none\" stroke=\"#000\" d=\"{path}\"/></svg>\n",
            px = size * 5
        ))
    }

    /// Provider-page URLs of varied names, as a 10,000-provider build makes.
    fn bench_urls(n: usize) -> Vec<String> {
        const FIRST: [&str; 8] = [
            "abena",
            "nadia",
            "marie-claire",
            "li",
            "oluwaseun",
            "jan",
            "sofia",
            "mohammed",
        ];
        const LAST: [&str; 8] = [
            "anderson",
            "okafor",
            "de-la-roche",
            "ng",
            "adeyemi-williams",
            "kowalski",
            "o-brien",
            "al-rashid",
        ];
        (0..n)
            .map(|i| {
                let first = FIRST[i % FIRST.len()];
                let last = LAST[(i / FIRST.len()) % LAST.len()];
                let initial = char::from(b'a' + u8::try_from(i % 26).unwrap_or(0));
                if i < 64 {
                    format!("https://riverside.example.org/providers/{first}-{initial}-{last}/")
                } else {
                    format!("https://riverside.example.org/providers/{first}-{initial}-{last}-{i}/")
                }
            })
            .collect()
    }

    /// `CARGO_TARGET_DIR=… cargo test --release --lib render::qr::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore = "benchmark"]
    fn bench_qr_svg() {
        let urls = bench_urls(10_000);
        let title = "QR code linking to the page of Abena A. Anderson";
        for (name, f) in [
            (
                "reference",
                reference_qr_svg as fn(&str, &str) -> Option<String>,
            ),
            ("current", qr_svg),
        ] {
            let start = std::time::Instant::now();
            let mut bytes = 0;
            for url in &urls {
                bytes += f(url, title).map_or(0, |s| s.len());
            }
            let per = start.elapsed().as_secs_f64() * 1e6 / urls.len() as f64;
            println!("{name}: {per:.2} µs per code ({bytes} bytes)");
        }
    }

    /// ~200 URLs of 10 to 300 bytes (versions 1 to 13), of every character class.
    fn test_urls() -> Vec<String> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        const CHARS: &[u8] =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~/%:?=&";
        let mut urls: Vec<String> = (0..200)
            .map(|i| {
                let len = 10 + (i * 290 / 199);
                let mut url = String::from(["https://", "http://", "HTTPS://", ""][i % 4]);
                while url.len() < len {
                    let pick = usize::try_from(next() % 100).unwrap_or(0);
                    let c = match i % 5 {
                        // long digit and upper-case runs: numeric and
                        // alphanumeric segments
                        0 => b"0123456789"[pick % 10],
                        1 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:0123456789"[pick % 45],
                        _ => CHARS[pick % CHARS.len()],
                    };
                    url.push(char::from(c));
                }
                url
            })
            .collect();
        urls.extend(bench_urls(40));
        urls.push("https://riverside.example.org/providers/abena-a-anderson/".into());
        urls
    }

    /// The crate's own masking of the code of `data` with each mask.
    fn crate_grids(data: &[u8]) -> (usize, Vec<Vec<bool>>) {
        let Ok(bits) = encode_auto(data, EC) else {
            panic!("encodes")
        };
        let version = bits.version();
        let Ok((d, e)) = construct_codewords(&bits.into_bytes(), version, EC) else {
            panic!("codewords")
        };
        let mut canvas = Canvas::new(version, EC);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&d, &e);
        let grids = MASKS
            .iter()
            .map(|mask| {
                let mut c = canvas.clone();
                c.apply_mask(*mask);
                c.into_colors()
                    .into_iter()
                    .map(|m| m == Color::Dark)
                    .collect()
            })
            .collect();
        (usize::try_from(version.width()).unwrap_or(0), grids)
    }

    #[test]
    fn bit_grids_are_the_crates_masked_grids() {
        let mut bit_codes = 0;
        for url in test_urls() {
            let (width, grids) = crate_grids(url.as_bytes());
            let Ok(bits) = encode_auto(url.as_bytes(), EC) else {
                panic!("encodes")
            };
            let version = bits.version();
            let Ok((d, e)) = construct_codewords(&bits.into_bytes(), version, EC) else {
                panic!("codewords")
            };
            let Some(layout) = layout(version) else {
                assert!(width > 64, "{url}: no layout for width {width}");
                continue;
            };
            bit_codes += 1;
            assert_eq!(layout.width, width);
            let (data_rows, data_cols) = layout.data_bits(&d, &e);
            for (m, grid) in grids.iter().enumerate() {
                let rows = xor(&layout.masked_rows[m], &data_rows);
                let cols = xor(&layout.masked_cols[m], &data_cols);
                for y in 0..64 {
                    for x in 0..64 {
                        let dark = x < width && y < width && grid[y * width + x];
                        assert_eq!((rows[y] >> x) & 1 == 1, dark, "{url} mask {m} ({x}, {y})");
                        assert_eq!((cols[x] >> y) & 1 == 1, dark, "{url} mask {m} ({x}, {y})");
                    }
                }
                let score = penalty_below(width, &rows, &cols, u32::MAX).unwrap_or(u32::MAX);
                // Scored under a bound: the score when less, nothing when not.
                assert_eq!(penalty_below(width, &rows, &cols, score + 1), Some(score));
                assert_eq!(penalty_below(width, &rows, &cols, score), None);
                assert_eq!(penalty_below(width, &rows, &cols, score / 2), None);
                assert_eq!(score, penalty_slow(width, grid), "{url} mask {m}");
                assert_eq!(score, reference_penalty(width, grid), "{url} mask {m}");
                assert_eq!(score, penalty(width, grid), "{url} mask {m}");
            }
        }
        assert!(bit_codes > 150, "{bit_codes}");
    }

    #[test]
    fn output_is_the_reference_output() {
        let mut widths = std::collections::BTreeSet::new();
        for url in test_urls() {
            let title = format!("QR code linking to <{url}> & \"more\"");
            assert_eq!(
                modules(url.as_bytes()),
                reference_modules(url.as_bytes()),
                "{url}"
            );
            let svg = qr_svg(&url, &title);
            assert!(svg.is_some(), "{url}");
            assert_eq!(svg, reference_qr_svg(&url, &title), "{url}");
            if let Some((width, _)) = modules(url.as_bytes()) {
                widths.insert(width);
            }
        }
        // Every version from 1 to 13.
        assert_eq!(widths.len(), 13, "{widths:?}");
        // Wider codes: versions 16, 29 and 40 (three-digit coordinates).
        for len in [450, 1200, 2300] {
            let url: String = (0..len)
                .map(|i| char::from(b"abcdefghij0123456789/-_."[(i * 7 + i / 3) % 24]))
                .collect();
            let svg = qr_svg(&url, "t");
            assert!(svg.is_some(), "{len}");
            assert_eq!(svg, reference_qr_svg(&url, "t"), "{len}");
        }
        // Too long for any QR code.
        let long = "a".repeat(3000);
        assert_eq!(modules(long.as_bytes()), None);
        assert_eq!(qr_svg(&long, "t"), None);
    }

    /// The dark modules the SVG's path draws, read as SVG reads it: `M`/`m`
    /// move (absolute, relative to where the last line ended), `h` draws a
    /// line one module thick along the middle of a row. Checks on the way
    /// that lines are on a row's middle, inside the code, and never overlap.
    fn drawn(svg: &str) -> (usize, Vec<bool>) {
        let size: usize = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let path = svg
            .split("stroke=\"#000\" d=\"")
            .nth(1)
            .and_then(|p| p.split('"').next())
            .unwrap_or("");
        let mut grid = vec![false; size * size];
        let (mut x, mut y) = (0.0f64, 0.0f64);
        let mut rest = path;
        while let Some(command) = rest.chars().next() {
            let end = rest[1..]
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(rest.len(), |i| i + 1);
            let args: Vec<f64> = rest[1..end]
                .split(' ')
                .map(|n| n.parse().unwrap_or(f64::NAN))
                .collect();
            match (command, &args[..]) {
                ('M', [ax, ay]) => (x, y) = (*ax, *ay),
                ('m', [dx, dy]) => {
                    assert!(*dx >= 1.0 && *dy == 0.0, "m{dx} {dy} in {path}");
                    (x, y) = (x + dx, y + dy);
                }
                ('h', [len]) => {
                    assert_eq!(y.fract(), 0.5, "a line off a row's middle in {path}");
                    assert!(
                        *len >= 1.0 && x + len <= size as f64,
                        "h{len} at {x} in {path}"
                    );
                    let row = y.floor() as usize;
                    for i in x as usize..(x + len) as usize {
                        assert!(!grid[row * size + i], "drawn twice at {i},{row}");
                        grid[row * size + i] = true;
                    }
                    x += len;
                }
                _ => panic!("unexpected {command}{args:?} in {path}"),
            }
            rest = &rest[end..];
        }
        (size, grid)
    }

    #[test]
    fn the_path_draws_exactly_the_dark_modules() {
        let long = [450, 1200, 2300].map(|len| {
            (0..len)
                .map(|i| char::from(b"abcdefghij0123456789/-_."[(i * 7 + i / 3) % 24]))
                .collect::<String>()
        });
        let mut widths = std::collections::BTreeSet::new();
        for url in test_urls().into_iter().chain(long) {
            let Some((width, modules)) = modules(url.as_bytes()) else {
                panic!("no code for {url}");
            };
            let svg = qr_svg(&url, "t").unwrap_or_default();
            let (size, grid) = drawn(&svg);
            assert_eq!(size, width + 8, "{url}");
            for y in 0..size {
                for x in 0..size {
                    let dark = (4..width + 4).contains(&x)
                        && (4..width + 4).contains(&y)
                        && modules[(y - 4) * width + x - 4];
                    assert_eq!(grid[y * size + x], dark, "{url}: module {x},{y}");
                }
            }
            widths.insert(width);
        }
        // Bit rows up to 64 modules, plain ones beyond, three-digit coordinates.
        assert!(widths.iter().any(|w| *w > 64) && widths.iter().any(|w| *w + 8 >= 100));
    }

    /// The blocks and error correction of versions 1 to 11 are the crate's,
    /// on data of every length each version takes.
    #[test]
    fn codewords_are_the_crates() {
        for v in 1..=11i16 {
            let version = Version::Normal(v);
            let Some(&(_, (c1, s1), (c2, s2))) = BLOCKS_M.get(usize::try_from(v - 1).unwrap_or(0))
            else {
                panic!("no blocks for version {v}");
            };
            let len = c1 * s1 + c2 * s2;
            for seed in 0..20u32 {
                let data: Vec<u8> = (0..len)
                    .map(|i| {
                        (i as u32)
                            .wrapping_mul(2_654_435_761)
                            .wrapping_add(seed.wrapping_mul(97))
                            .rotate_left(seed % 31) as u8
                    })
                    .collect();
                let theirs = construct_codewords(&data, version, EC).ok();
                assert_eq!(codewords_m(&data, version), theirs, "version {v}");
            }
            assert_eq!(codewords_m(&vec![0; len + 1], version), None);
        }
        assert_eq!(codewords_m(&[0; 16], Version::Normal(12)), None);
    }

    #[test]
    fn versions_1_to_11_have_layouts() {
        for v in 1..=11 {
            let Some(layout) = layout(Version::Normal(v)) else {
                panic!("no layout for version {v}")
            };
            assert_eq!(layout.width, usize::try_from(17 + 4 * v).unwrap_or(0));
        }
        assert!(layout(Version::Normal(12)).is_none());
        assert!(layout(Version::Normal(0)).is_none());
        assert!(layout(Version::Micro(2)).is_none());
    }

    #[test]
    fn runs_are_written_as_format_would() {
        for (x, y, len, end) in [
            (4, 4, 1, None),
            (9, 10, 64, None),
            (99, 99, 99, None),
            (9, 10, 64, Some(5)),
            (99, 99, 99, Some(0)),
            (100, 5, 7, None),
            (100, 5, 7, Some(2)),
            (4, 180, 177, None),
            (200, 180, 177, Some(190)),
        ] {
            let mut out = b"d=\"".to_vec();
            push_run(&mut out, x, y, len, end);
            let expected = match end {
                None => format!("d=\"M{x} {y}.5h{len}"),
                Some(end) => format!("d=\"m{} 0h{len}", x - end),
            };
            assert_eq!(String::from_utf8(out).unwrap_or_default(), expected);
        }
    }

    #[test]
    fn transpose_transposes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut rows = [0u64; 64];
        for row in &mut rows {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *row = state;
        }
        let cols = transpose(&rows);
        for (y, row) in rows.iter().enumerate() {
            for (x, col) in cols.iter().enumerate() {
                assert_eq!((row >> x) & 1, (col >> y) & 1, "({x}, {y})");
            }
        }
    }

    #[test]
    fn bit_penalty_is_the_slow_penalty_on_random_grids() {
        let mut state = 0x853C_49E6_748F_EA9Bu64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..660 {
            // Either side of the widths up to which two lines share a count
            // (33 for blocks, 35 for runs).
            let width = [8, 9, 21, 25, 33, 34, 35, 36, 57, 63, 64][round % 11];
            // Dark shares from 1/8 to 7/8, and blocks of finder-like rows.
            let dark_in_8 = 1 + (round / 8) % 7;
            let grid: Vec<bool> = (0..width * width)
                .map(|i| {
                    if round % 3 == 0 && (i / width) % 4 == 0 {
                        matches!((i % width + round) % 11, 4 | 6 | 7 | 8 | 10)
                    } else {
                        next() % 8 < dark_in_8 as u64
                    }
                })
                .collect();
            let fast = penalty(width, &grid);
            assert_eq!(fast, penalty_slow(width, &grid), "round {round}");
            assert_eq!(fast, reference_penalty(width, &grid), "round {round}");
            assert_eq!(
                penalty_as_dispatched(width, &grid),
                Some(fast),
                "round {round}"
            );
        }
    }

    /// [`penalty`] compiled as [`best_mask`] runs it on this CPU: for AVX2
    /// and POPCNT where it has them (as here, on the machines this is
    /// developed and tested on), else as [`penalty`] itself.
    fn penalty_as_dispatched(width: usize, grid: &[bool]) -> Option<u32> {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,popcnt")]
        fn with_avx2(width: usize, rows: &Bits, cols: &Bits) -> Option<u32> {
            penalty_below(width, rows, cols, u32::MAX)
        }
        let rows = bool_rows(width, grid);
        let cols = transpose(&rows);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt")
        {
            // SAFETY: the CPU has both features (checked just above).
            return unsafe { with_avx2(width, &rows, &cols) };
        }
        penalty_below(width, &rows, &cols, u32::MAX)
    }

    #[test]
    fn every_cpu_picks_the_same_mask() {
        let mut checked = 0;
        for url in test_urls() {
            let bits = encode_auto(url.as_bytes(), EC).expect("encodes");
            let version = bits.version();
            let bytes = bits.into_bytes();
            // Wider codes are scored by `penalty_slow` alone.
            let (Some((d, e)), Some(layout)) = (codewords_m(&bytes, version), layout(version))
            else {
                continue;
            };
            checked += 1;
            let (rows, cols) = layout.data_bits(&d, &e);
            let portable = best_mask_portable(layout, &rows, &cols).map(|m| m.as_ptr());
            assert!(portable.is_some(), "{url}");
            assert_eq!(
                best_mask(layout, &rows, &cols).map(|m| m.as_ptr()),
                portable,
                "{url}"
            );
        }
        assert!(checked > 150, "{checked} codes up to 64 modules wide");
    }

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
