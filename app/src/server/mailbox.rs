//! Reads the `.eml` files the file transport wrote, for the demo's Mailbox page. Only what the
//! portal itself writes is understood: a multipart/alternative message with a text part in
//! 7bit, quoted-printable or base64.

use std::path::Path;

use base64::Engine;

use crate::api::dto::MailboxEntry;

/// The newest `limit` messages in `dir`, newest first. A missing directory is an empty mailbox.
pub fn read(dir: &Path, limit: usize) -> std::io::Result<Vec<MailboxEntry>> {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // Files are named by outbox id, zero-padded: name order is queue order.
    files.sort();
    files.reverse();
    files.truncate(limit);
    Ok(files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).map(|raw| parse(&raw)).collect())
}

fn split_head(raw: &str) -> (&str, &str) {
    raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).unwrap_or((raw, ""))
}

/// A header's value, unfolded.
fn header(head: &str, name: &str) -> String {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut out: Option<String> = None;
    for line in head.lines() {
        match &mut out {
            Some(v) if line.starts_with([' ', '\t']) => {
                v.push(' ');
                v.push_str(line.trim());
            }
            Some(_) => break,
            None if line.to_ascii_lowercase().starts_with(&prefix) => {
                out = Some(line[prefix.len()..].trim().to_string())
            }
            None => {}
        }
    }
    out.unwrap_or_default()
}

fn decode_quoted_printable(s: &str) -> String {
    let bytes = s.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or(""), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_part(head: &str, body: &str) -> String {
    match header(head, "Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        }
        _ => body.to_string(),
    }
}

/// The headers shown and the plain-text part of one message.
pub fn parse(raw: &str) -> MailboxEntry {
    let (head, body) = split_head(raw);
    let content_type = header(head, "Content-Type");
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string());
    let text = match boundary {
        Some(b) => body
            .split(&format!("--{b}"))
            .map(|part| split_head(part.trim_start_matches(['\r', '\n'])))
            .find(|(h, _)| header(h, "Content-Type").starts_with("text/plain"))
            .map(|(h, b)| decode_part(h, b.trim_end()))
            .unwrap_or_default(),
        None => decode_part(head, body),
    };
    MailboxEntry {
        message_id: header(head, "Message-ID"),
        to: header(head, "To"),
        subject: header(head, "Subject"),
        date: header(head, "Date"),
        text: text.replace("\r\n", "\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_soft_breaks_and_escapes_are_decoded() {
        assert_eq!(
            decode_quoted_printable("https://portal.test/reset?token=3Dabc=\r\ndef"),
            "https://portal.test/reset?token=abcdef"
        );
    }

    #[test]
    fn the_text_part_of_a_multipart_message_is_found() {
        let raw = "To: buyer@aurora.example\r\nSubject: Hello\r\nMessage-ID: <outbox-1@portal.test>\r\nContent-Type: multipart/alternative;\r\n boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLine one=\r\n continues\r\n--XYZ\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--XYZ--\r\n";
        let m = parse(raw);
        assert_eq!(m.to, "buyer@aurora.example");
        assert_eq!(m.subject, "Hello");
        assert_eq!(m.message_id, "<outbox-1@portal.test>");
        assert_eq!(m.text, "Line one continues");
    }
}
