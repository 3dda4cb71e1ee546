//! Completion certificates: a numbered one-page PDF, typeset with krilla in Public Sans.
//!
//! Numbers look like `2027-00042-K7QD`: the year, a per-year sequence, and four random
//! characters, so a number can be checked on the public page but not guessed from
//! another one (which would list graduates' names to anyone counting upwards).

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
        Arc::new(include_bytes!("../fonts/PublicSans-Regular.ttf").to_vec()).into(),
        0,
    )
});
pub(crate) static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        Arc::new(include_bytes!("../fonts/PublicSans-Bold.ttf").to_vec()).into(),
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

/// Makes a certificate number from the year, a sequence and random bytes.
pub fn number(year: i16, sequence: i64, random: [u8; 4]) -> String {
    // Crockford's alphabet: no I, L, O or U, so numbers read aloud stay unambiguous.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let tail: String = random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("{year}-{sequence:05}-{tail}")
}

/// Whether a string has the shape of a certificate number (before any lookup).
pub fn looks_like_number(s: &str) -> bool {
    s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
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
    fn numbers_have_year_sequence_and_a_random_tail() {
        assert_eq!(number(2027, 42, [0, 1, 31, 32]), "2027-00042-01Z0");
        assert!(looks_like_number("2027-00042-01Z0"));
        assert!(!looks_like_number("../etc/passwd"));
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
