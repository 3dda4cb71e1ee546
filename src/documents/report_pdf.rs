//! Simple tabular reports as PDF (credit reports for schools): a title block, then a table
//! that continues over as many US Letter pages as it needs. Typeset with krilla in the
//! certificate's Public Sans.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use crate::documents::certificate::{BOLD, REGULAR};

/// A report: title lines above a table.
pub struct Report<'a> {
    pub title: &'a str,
    /// Lines under the title (department, cohort, school, date).
    pub subtitle: &'a [String],
    /// Column headings and each column's width in points.
    pub columns: &'a [(&'a str, f32)],
    pub rows: &'a [Vec<String>],
}

/// One titled table of a longer report.
pub struct Table<'a> {
    pub heading: Option<&'a str>,
    pub columns: &'a [(&'a str, f32)],
    pub rows: &'a [Vec<String>],
    /// Shown instead of rows when there are none.
    pub empty: &'a str,
}

const WIDTH: f32 = 612.0;
const HEIGHT: f32 = 792.0;
const LEFT: f32 = 54.0;
const TOP: f32 = 72.0;
const BOTTOM: f32 = HEIGHT - 72.0;
const ROW: f32 = 18.0;

/// Renders the report; rows that do not fit continue on the next page under a repeated
/// heading row.
pub fn render(r: &Report<'_>) -> anyhow::Result<Vec<u8>> {
    render_tables(
        r.title,
        r.subtitle,
        &[Table {
            heading: None,
            columns: r.columns,
            rows: r.rows,
            empty: "No students.",
        }],
    )
}

/// Renders several tables one after another (the annual report); a table that does not
/// fit continues on the next page under its repeated heading row, and a table never
/// starts in the last lines of a page.
pub fn render_tables(title: &str, subtitle: &[String], tables: &[Table<'_>]) -> anyhow::Result<Vec<u8>> {
    let (Some(regular), Some(bold)) = (REGULAR.clone(), BOLD.clone()) else {
        anyhow::bail!("the embedded report fonts could not be read");
    };
    let ink = rgb::Color::new(27, 27, 27);
    let navy = rgb::Color::new(22, 46, 81);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("en-US".to_string())
            .creator("Precinct".to_string()),
    );
    let settings = || PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| anyhow::anyhow!("page size"));
    let mut page = document.start_page_with(settings()?);
    let mut s = page.surface();
    let text =
        |s: &mut krilla::surface::Surface<'_>, x: f32, y: f32, font: &Font, size: f32, color: rgb::Color, t: &str| {
            s.set_fill(Some(Fill {
                paint: color.into(),
                ..Default::default()
            }));
            s.draw_text(Point::from_xy(x, y), font.clone(), size, t, false, TextDirection::Auto);
        };
    let rule = |s: &mut krilla::surface::Surface<'_>, y: f32| {
        let mut pb = PathBuilder::new();
        pb.move_to(LEFT, y);
        pb.line_to(WIDTH - LEFT, y);
        if let Some(path) = pb.finish() {
            s.set_stroke(Some(Stroke {
                paint: ink.into(),
                width: 0.75,
                ..Default::default()
            }));
            s.draw_path(&path);
            s.set_stroke(None);
        }
    };
    let mut y = TOP;
    text(&mut s, LEFT, y, &bold, 20.0, navy, title);
    y += 24.0;
    for line in subtitle {
        text(&mut s, LEFT, y, &regular, 11.0, ink, line);
        y += 16.0;
    }
    y += 14.0;
    for table in tables {
        // Heading, column row and at least two rows together, or a new page.
        if y + 4.0 * ROW > BOTTOM {
            s.finish();
            page.finish();
            page = document.start_page_with(settings()?);
            s = page.surface();
            y = TOP;
        }
        if let Some(h) = table.heading {
            text(&mut s, LEFT, y, &bold, 13.0, navy, h);
            y += ROW + 2.0;
        }
        let heading_row = |s: &mut krilla::surface::Surface<'_>, y: f32| {
            let mut x = LEFT;
            for (heading, width) in table.columns {
                text(s, x, y, &bold, 10.0, ink, heading);
                x += width;
            }
            rule(s, y + 6.0);
        };
        heading_row(&mut s, y);
        y += ROW;
        for row in table.rows {
            if y > BOTTOM {
                s.finish();
                page.finish();
                page = document.start_page_with(settings()?);
                s = page.surface();
                y = TOP;
                heading_row(&mut s, y);
                y += ROW;
            }
            let mut x = LEFT;
            for ((_, width), cell) in table.columns.iter().zip(row) {
                text(&mut s, x, y, &regular, 10.0, ink, cell);
                x += width;
            }
            y += ROW;
        }
        if table.rows.is_empty() {
            text(&mut s, LEFT, y, &regular, 10.0, ink, table.empty);
            y += ROW;
        }
        y += ROW;
    }
    s.finish();
    page.finish();
    document.finish().map_err(|e| anyhow::anyhow!("writing the PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tables_continue_on_more_pages() {
        let rows: Vec<Vec<String>> = (0..90).map(|i| vec![format!("Student {i}"), "11".into()]).collect();
        let one = render(&Report {
            title: "Credit report",
            subtitle: &["Harbor Point High School".into()],
            columns: &[("Student", 300.0), ("Grade", 60.0)],
            rows: &rows[..3],
        })
        .unwrap();
        let many = render(&Report {
            title: "Credit report",
            subtitle: &[],
            columns: &[("Student", 300.0), ("Grade", 60.0)],
            rows: &rows,
        })
        .unwrap();
        assert!(one.starts_with(b"%PDF-") && many.starts_with(b"%PDF-"));
        assert!(many.len() > one.len());
    }
}
