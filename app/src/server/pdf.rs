//! Documents as PDF (a quote today, invoices next): A4 pages written with `pdf-writer`, in the
//! standard Helvetica and Courier fonts with the WinAnsi encoding, so nothing is embedded, every
//! reader shows them, and their text can be extracted (copied, searched, read aloud, tested).
//! WinAnsi covers the portal's five languages; a character outside it is written as `?`.
//!
//! A document is a list of [`Block`]s laid out top to bottom, onto as many pages as it takes.
//! Amounts are set in Courier, whose fixed width lets them be right-aligned exactly.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 14.0;
/// Courier's advance is 600/1000 of the size for every glyph.
const COURIER_ADVANCE: f32 = 0.6;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const MONO: Name<'static> = Name(b"F3");

/// A piece of a document.
pub enum Block {
    /// The document's heading.
    Title(String),
    /// Text, wrapped to the page width.
    Para(String),
    /// Label and value pairs, one pair a line.
    Facts(Vec<(String, String)>),
    /// A table: headers, rows, and which columns are amounts (right-aligned, in Courier).
    /// Column widths are shares of the page width.
    Table { head: Vec<String>, rows: Vec<Vec<String>>, widths: Vec<f32>, amounts: Vec<bool> },
    /// Label and amount pairs, right-aligned; the last one in bold.
    Totals(Vec<(String, String)>),
}

/// A document's metadata.
pub struct Meta {
    pub title: String,
    pub lang: &'static str,
}

/// One character in WinAnsi (Windows-1252), or `?`.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        // Latin-1 is WinAnsi from 0xA0 on; the no-break spaces numbers are grouped with
        // ("1 234,56 €") become WinAnsi's no-break space.
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '\u{202f}' | '\u{2009}' | '\u{2007}' => 0xa0,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '−' => b'-',
        'Š' => 0x8a,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        'š' => 0x9a,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '™' => 0x99,
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// Helvetica's width of `text` at `size`, near enough for wrapping (an average advance).
fn approx_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.5
}

fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if approx_width(&candidate, size) > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts `text` so it fits `width` at `size`, marking the cut.
fn fit(text: &str, width: f32, size: f32) -> String {
    let max = (width / (size * 0.5)).floor().max(1.0) as usize;
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Pages as they are laid out.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Content::new()], y: PAGE_HEIGHT - MARGIN }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a layout has a page")
    }

    /// Makes room for `height` points, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, font: Name<'_>, size: f32, x: f32, text: &str) {
        let y = self.y;
        let c = self.page();
        c.begin_text();
        c.set_font(font, size);
        c.next_line(x, y);
        c.show(Str(&encode(text)));
        c.end_text();
    }

    /// Right-aligned at `right`, in Courier.
    fn amount(&mut self, font: Name<'_>, size: f32, right: f32, text: &str) {
        let width = text.chars().count() as f32 * size * COURIER_ADVANCE;
        self.text(font, size, right - width, text);
    }

    fn rule(&mut self, y: f32) {
        let c = self.page();
        c.set_line_width(0.5);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_WIDTH - MARGIN, y);
        c.stroke();
    }
}

/// Lays out `blocks` and writes the PDF.
pub fn render(meta: &Meta, blocks: &[Block]) -> Vec<u8> {
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let right = PAGE_WIDTH - MARGIN;
    let mut l = Layout::new();
    for block in blocks {
        match block {
            Block::Title(t) => {
                l.room(30.0);
                l.y -= 8.0;
                l.text(BOLD, 18.0, MARGIN, t);
                l.y -= 22.0;
            }
            Block::Para(p) => {
                for line in wrap(p, width, BODY) {
                    l.room(LEADING);
                    l.text(REGULAR, BODY, MARGIN, &line);
                    l.y -= LEADING;
                }
                l.y -= 6.0;
            }
            Block::Facts(pairs) => {
                for (label, value) in pairs {
                    for (n, line) in wrap(value, width * 0.7, BODY).iter().enumerate() {
                        l.room(LEADING);
                        if n == 0 {
                            l.text(BOLD, BODY, MARGIN, label);
                        }
                        l.text(REGULAR, BODY, MARGIN + width * 0.3, line);
                        l.y -= LEADING;
                    }
                }
                l.y -= 6.0;
            }
            Block::Table { head, rows, widths, amounts } => {
                let total: f32 = widths.iter().sum();
                let cols: Vec<(f32, f32)> = widths
                    .iter()
                    .scan(MARGIN, |x, w| {
                        let w = w / total * width;
                        let col = (*x, w);
                        *x += w;
                        Some(col)
                    })
                    .collect();
                let size = BODY - 1.0;
                let header = |l: &mut Layout| {
                    l.room(LEADING * 2.0);
                    for (i, h) in head.iter().enumerate() {
                        let (x, w) = cols[i];
                        let h = fit(h, w - 4.0, size);
                        if amounts[i] {
                            let tw = approx_width(&h, size);
                            l.text(BOLD, size, x + w - tw, &h);
                        } else {
                            l.text(BOLD, size, x, &h);
                        }
                    }
                    let y = l.y - 4.0;
                    l.rule(y);
                    l.y -= LEADING;
                };
                header(&mut l);
                for row in rows {
                    if l.y - LEADING < MARGIN {
                        l.room(LEADING * 2.0);
                        header(&mut l);
                    }
                    for (i, cell) in row.iter().enumerate() {
                        let (x, w) = cols[i];
                        if amounts[i] {
                            l.amount(MONO, size, x + w, cell);
                        } else {
                            l.text(REGULAR, size, x, &fit(cell, w - 4.0, size));
                        }
                    }
                    l.y -= LEADING;
                }
                l.y -= 8.0;
            }
            Block::Totals(pairs) => {
                l.room(LEADING * pairs.len() as f32 + 6.0);
                let y = l.y + LEADING - 4.0;
                l.rule(y);
                for (n, (label, value)) in pairs.iter().enumerate() {
                    let last = n + 1 == pairs.len();
                    let font = if last { BOLD } else { REGULAR };
                    let label_width = approx_width(label, BODY);
                    l.text(font, BODY, right - 130.0 - label_width, label);
                    l.amount(MONO, BODY, right, value);
                    l.y -= LEADING;
                }
                l.y -= 6.0;
            }
        }
    }
    write(meta, l.pages)
}

fn write(meta: &Meta, pages: Vec<Content>) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let fonts =
        [(REGULAR, Ref::new(4), "Helvetica"), (BOLD, Ref::new(5), "Helvetica-Bold"), (MONO, Ref::new(6), "Courier")];
    let first_page = 7;
    let count = pages.len() as i32;
    let page_ids: Vec<Ref> = (0..count).map(|n| Ref::new(first_page + 2 * n)).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr(meta.lang));
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count);
    pdf.document_info(info).title(TextStr(&meta.title)).producer(TextStr("Billing and orders portal"));
    for (name, id, base) in fonts {
        let _ = name;
        pdf.type1_font(id).base_font(Name(base.as_bytes())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (n, content) in pages.into_iter().enumerate() {
        let page_id = page_ids[n];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_id);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        for (name, id, _) in fonts {
            font_dict.pair(name, id);
        }
        font_dict.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_languages_letters_and_the_euro_are_in_win_ansi() {
        assert_eq!(encode("Hyvä Åsa, façade, Straße, 12 €"), b"Hyv\xe4 \xc5sa, fa\xe7ade, Stra\xdfe, 12 \x80".to_vec());
        assert_eq!(encode("1\u{202f}234,56"), b"1\xa0234,56".to_vec());
        assert_eq!(encode("日本"), b"??".to_vec());
    }

    #[test]
    fn long_text_wraps_and_long_cells_are_cut() {
        let lines = wrap(&"word ".repeat(100), 200.0, 10.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| approx_width(l, 10.0) <= 200.0));
        assert!(fit(&"x".repeat(100), 50.0, 10.0).ends_with('…'));
    }

    #[test]
    fn a_long_table_goes_on_to_more_pages() {
        let rows: Vec<Vec<String>> = (0..200).map(|n| vec![format!("Row {n}"), "1,00 €".into()]).collect();
        let pdf = render(
            &Meta { title: "T".into(), lang: "en" },
            &[Block::Table {
                head: vec!["A".into(), "B".into()],
                rows,
                widths: vec![3.0, 1.0],
                amounts: vec![false, true],
            }],
        );
        let doc = lopdf::Document::load_mem(&pdf).expect("a readable PDF");
        assert!(doc.get_pages().len() >= 4);
        let text = doc.extract_text(&[doc.get_pages().len() as u32]).unwrap();
        assert!(text.contains("Row 199"), "{text}");
    }
}
