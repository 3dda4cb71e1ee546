//! Completion certificates: a numbered one-page PDF, typeset with krilla in Public Sans.
//!
//! Numbers look like `2027-00042-7K3MD-Q2XPA`: the year, a per-year sequence, and ten
//! random characters (50 bits), so a number can be checked on the public page but not
//! guessed from another one (which would list graduates' names to anyone counting
//! upwards). Numbers issued before carry four (`2027-00042-K7QD`) and still verify.

use std::sync::{Arc, LazyLock};

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

pub(crate) static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        Arc::new(include_bytes!("../../fonts/PublicSans-Regular.ttf").to_vec()).into(),
        0,
    )
});
pub(crate) static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        Arc::new(include_bytes!("../../fonts/PublicSans-Bold.ttf").to_vec()).into(),
        0,
    )
});

/// What a certificate says.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub department: String,
    pub full_name: String,
    pub program: String,
    pub class: String,
    /// e.g. "March 16, 2027".
    pub completed_on: String,
    /// Under the signature line: "Program coordinator", "DARE instructor".
    pub signer: String,
    /// The number and where anyone can check it; `None` for a certificate nothing
    /// is kept of (DARE students' names are not stored).
    pub verification: Option<Verification>,
}

/// A certificate's number and its public check.
#[derive(Debug, Clone)]
pub struct Verification {
    pub number: String,
    pub url: String,
}

/// Crockford's alphabet: no I, L, O or U, so numbers read aloud stay unambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Random characters in a new number: 10 of 32 symbols, 50 bits, so that numbers cannot
/// be guessed within the verification page's request budget. Numbers issued before had
/// four (20 bits); they stay valid.
pub const RANDOM_CHARS: usize = 10;

/// Makes a certificate number from the year, a sequence and random bytes, e.g.
/// `2027-00042-7K3MD-Q2XPA`.
pub fn number(year: i16, sequence: i64, random: [u8; RANDOM_CHARS]) -> String {
    // 256 is a multiple of 32, so each byte picks a symbol evenly.
    let tail: String = random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    let (first, second) = tail.split_at(RANDOM_CHARS / 2);
    format!("{year}-{sequence:05}-{first}-{second}")
}

/// A number as stored, from one as typed: upper case, with the letters Crockford reads
/// as digits (O as 0, I and L as 1) read so. `None` when it has neither today's shape
/// nor that of the numbers issued before (`2027-00042-01Z0`).
pub fn parse_number(typed: &str) -> Option<String> {
    let s: String = typed
        .trim()
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    let digits =
        |p: &str, len: std::ops::RangeInclusive<usize>| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let symbols = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| ALPHABET.contains(&b));
    let half = RANDOM_CHARS / 2;
    let ok = match s.split('-').collect::<Vec<_>>().as_slice() {
        [year, seq, tail] => digits(year, 4..=4) && digits(seq, 5..=9) && symbols(tail, 4),
        [year, seq, first, second] => {
            digits(year, 4..=4) && digits(seq, 5..=9) && symbols(first, half) && symbols(second, half)
        }
        _ => false,
    };
    ok.then_some(s)
}

/// Typesets the certificate as a US Letter landscape PDF.
pub fn render(c: &Certificate) -> anyhow::Result<Vec<u8>> {
    let title = match &c.verification {
        Some(v) => format!("Certificate of completion {}: {}", v.number, c.full_name),
        None => format!("Certificate of completion: {}", c.full_name),
    };
    render_all(std::slice::from_ref(c), &title)
}

/// Typesets certificates as one PDF, a page each, titled `title`.
pub fn render_all(certificates: &[Certificate], title: &str) -> anyhow::Result<Vec<u8>> {
    let (Some(regular), Some(bold)) = (REGULAR.clone(), BOLD.clone()) else {
        anyhow::bail!("the embedded certificate fonts could not be read");
    };
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("en-US".to_string())
            .creator("Precinct".to_string()),
    );
    for c in certificates {
        page(&mut document, c, &regular, &bold)?;
    }
    document.finish().map_err(|e| anyhow::anyhow!("writing the PDF: {e:?}"))
}

fn page(document: &mut Document, c: &Certificate, regular: &Font, bold: &Font) -> anyhow::Result<()> {
    let navy = rgb::Color::new(22, 46, 81);
    let gold = rgb::Color::new(229, 160, 0);
    let ink = rgb::Color::new(27, 27, 27);
    let (width, height) = (792.0, 612.0);
    let mut page =
        document.start_page_with(PageSettings::from_wh(width, height).ok_or_else(|| anyhow::anyhow!("page size"))?);
    let mut s = page.surface();

    // Two framing borders.
    for (inset, color, thickness) in [(24.0, navy, 6.0), (36.0, gold, 2.0)] {
        let mut pb = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(inset, inset, width - 2.0 * inset, height - 2.0 * inset) {
            pb.push_rect(rect);
        }
        if let Some(path) = pb.finish() {
            s.set_fill(None);
            s.set_stroke(Some(Stroke {
                paint: color.into(),
                width: thickness,
                ..Default::default()
            }));
            s.draw_path(&path);
        }
    }
    s.set_stroke(None);

    let left = 80.0;
    let line = |s: &mut krilla::surface::Surface<'_>, y: f32, font: &Font, size: f32, color: rgb::Color, text: &str| {
        s.set_fill(Some(Fill {
            paint: color.into(),
            ..Default::default()
        }));
        s.draw_text(
            Point::from_xy(left, y),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    };
    line(&mut s, 110.0, bold, 18.0, navy, &c.department);
    line(&mut s, 170.0, bold, 38.0, navy, "Certificate of Completion");
    line(&mut s, 225.0, regular, 16.0, ink, "This certifies that");
    line(&mut s, 280.0, bold, 34.0, ink, &c.full_name);
    line(
        &mut s,
        330.0,
        regular,
        16.0,
        ink,
        &format!("completed the {} ({})", c.program, c.class),
    );
    line(&mut s, 355.0, regular, 16.0, ink, &format!("on {}.", c.completed_on));

    // Signature line.
    let mut pb = PathBuilder::new();
    pb.move_to(left, 470.0);
    pb.line_to(left + 260.0, 470.0);
    if let Some(path) = pb.finish() {
        s.set_stroke(Some(Stroke {
            paint: ink.into(),
            width: 1.0,
            ..Default::default()
        }));
        s.draw_path(&path);
        s.set_stroke(None);
    }
    line(&mut s, 490.0, regular, 12.0, ink, &c.signer);
    if let Some(v) = &c.verification {
        line(
            &mut s,
            545.0,
            regular,
            11.0,
            ink,
            &format!("Certificate number {}", v.number),
        );
        line(&mut s, 562.0, regular, 11.0, ink, &format!("Verify at {}", v.url));
    }
    s.finish();
    page.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_year_sequence_and_fifty_random_bits() {
        let n = number(2027, 42, [0, 1, 31, 32, 255, 10, 17, 18, 20, 27]);
        assert_eq!(n, "2027-00042-01Z0Z-AHJMV");
        // Ten symbols of 32: 50 bits.
        assert!(RANDOM_CHARS as f64 * (ALPHABET.len() as f64).log2() >= 40.0);
        assert_eq!(parse_number(&n).as_deref(), Some(n.as_str()));
    }

    #[test]
    fn numbers_are_read_as_typed_in_either_shape() {
        assert_eq!(
            parse_number("2027-00042-01Z0").as_deref(),
            Some("2027-00042-01Z0"),
            "issued before"
        );
        assert_eq!(
            parse_number(" 2027-00042-o1zoz-ahjmv ").as_deref(),
            Some("2027-00042-01Z0Z-AHJMV")
        );
        assert_eq!(
            parse_number("2027-00042-iLz0z-AHJMV").as_deref(),
            Some("2027-00042-11Z0Z-AHJMV")
        );
        for bad in [
            "../etc/passwd",
            "HPPD-0000-0000",
            "2027-00042-01Z",
            "2027-00042-01Z0Z-AHJM",
            "2027-00042-01U0Z-AHJMV",
            "2027-00042-01Z0Z-AHJMV-X",
            "",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_certificate_renders_as_a_pdf() {
        let certificate = Certificate {
            department: "Harbor Point Police Department".into(),
            full_name: "Rosa Álvarez".into(),
            program: "Citizen Police Academy".into(),
            class: "Class 33".into(),
            completed_on: "March 16, 2027".into(),
            signer: "Program coordinator".into(),
            verification: Some(Verification {
                number: "2027-00001-ABCD".into(),
                url: "https://example.org/certificates/2027-00001-ABCD".into(),
            }),
        };
        let pdf = render(&certificate).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
        let unnumbered = Certificate {
            verification: None,
            ..certificate
        };
        let two = render_all(&[unnumbered.clone(), unnumbered], "DARE").unwrap();
        assert!(two.starts_with(b"%PDF-"));
        // The page tree's `/Count` says how many pages the document has.
        let pages = |pdf: &[u8]| {
            let at = pdf.windows(7).position(|w| w == b"/Count ").expect("a page tree") + 7;
            pdf[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
        };
        assert_eq!((pages(&pdf), pages(&two)), (1, 2), "a page per certificate");
    }
}
