//! Plain documents as PDF (the evidence download): headings, label–value
//! lines and paragraphs, wrapped to an A4 page in the PDF built-in
//! Helvetica (WinAnsi: Spanish accents print; characters outside it print
//! as `?`), paged as they fill. Written with `pdf-canvas`.

use std::io;

use pdf_canvas::{BuiltinFont, FontSource, Pdf};

/// A4 in points, and the margin.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BODY: f32 = 9.5;
const HEADING: f32 = 12.0;
const TITLE: f32 = 16.0;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    /// `label: value`, the label in bold.
    Field(String, String),
    Text(String),
    /// A space between groups.
    Gap,
}

/// One line set on a page: font, size, indent, text.
struct Line {
    font: BuiltinFont,
    size: f32,
    indent: f32,
    text: String,
    before: f32,
}

/// `text` cut into lines no wider than `width` points at `size`, at word
/// boundaries (a word wider than a line is cut by characters).
pub fn wrap(text: &str, font: BuiltinFont, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if font.get_width(size, &candidate) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if font.get_width(size, &piece) > width {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        current = piece;
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn lines_of(blocks: &[Block]) -> Vec<Line> {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut out = Vec::new();
    let mut push = |font, size, indent: f32, text: &str, before: f32| {
        for (i, t) in wrap(text, font, size, width - indent).into_iter().enumerate() {
            out.push(Line { font, size, indent, text: t, before: if i == 0 { before } else { 0.0 } });
        }
    };
    for b in blocks {
        match b {
            Block::Title(t) => push(BuiltinFont::Helvetica_Bold, TITLE, 0.0, t, 0.0),
            Block::Heading(t) => push(BuiltinFont::Helvetica_Bold, HEADING, 0.0, t, 8.0),
            Block::Field(label, value) => push(BuiltinFont::Helvetica, BODY, 0.0, &format!("{label}: {value}"), 0.0),
            Block::Text(t) => push(BuiltinFont::Helvetica, BODY, 12.0, t, 0.0),
            Block::Gap => push(BuiltinFont::Helvetica, BODY, 0.0, "", 4.0),
        }
    }
    out
}

/// Writes `blocks` as a PDF titled `title` to `file`, with a footer of
/// `footer` and the page number on every page.
///
/// # Errors
/// When the file cannot be written.
pub fn write(file: std::fs::File, title: &str, footer: &str, blocks: &[Block]) -> io::Result<()> {
    let mut pdf = Pdf::new(file)?;
    pdf.set_title(title);
    let lines = lines_of(blocks);
    let mut pages: Vec<Vec<(f32, &Line)>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    for l in &lines {
        let step = l.before + l.size * 1.35;
        if y - step < MARGIN + 20.0 {
            pages.push(Vec::new());
            y = PAGE_H - MARGIN;
        }
        y -= step;
        if let Some(page) = pages.last_mut() {
            page.push((y, l));
        }
    }
    let count = pages.len();
    for (n, page) in pages.into_iter().enumerate() {
        pdf.render_page(PAGE_W, PAGE_H, |c| {
            for (y, l) in &page {
                c.left_text(MARGIN + l.indent, *y, l.font, l.size, &l.text)?;
            }
            let foot = format!("{footer} · {}/{count}", n + 1);
            c.left_text(MARGIN, MARGIN - 10.0, BuiltinFont::Helvetica, 7.5, &foot)
        })?;
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_within_the_width_and_keep_every_word() {
        let text = "Cártel de Jalisco Nueva Generación ".repeat(12);
        let lines = wrap(&text, BuiltinFont::Helvetica, 10.0, 200.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(BuiltinFont::Helvetica.get_width(10.0, l) <= 200.0, "{l}");
        }
        assert_eq!(lines.join(" ").split_whitespace().count(), text.split_whitespace().count());
        let long = wrap(&"x".repeat(500), BuiltinFont::Helvetica, 10.0, 100.0);
        assert!(long.len() > 1 && long.iter().all(|l| !l.is_empty()));
        assert_eq!(wrap("", BuiltinFont::Helvetica, 10.0, 100.0), vec![String::new()]);
    }

    #[test]
    fn a_long_document_runs_over_pages() {
        let dir = std::env::temp_dir().join(format!("cs-pdf-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("doc.pdf");
        let mut blocks = vec![Block::Title("Evidencia de una consulta".into())];
        blocks.extend((0..200).map(|i| Block::Field(format!("Línea {i}"), "Coincidencia verdadera".into())));
        write(std::fs::File::create(&path).unwrap(), "t", "cartelscreen", &blocks).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let pages = bytes.windows(10).filter(|w| w == b"/Type /Pag").count();
        assert!(pages >= 4, "200 lines make several pages and a page tree: {pages}");
    }
}
