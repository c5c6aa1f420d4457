//! Reads the `.eml` files the file transport wrote, for the demo's Mailbox page.

use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::contract::dto::MailboxEntry;

/// The newest `limit` messages in `dir` whose recipient, subject or text contain `q` (any case;
/// every message when empty), newest first. A missing directory is an empty mailbox.
pub fn read(dir: &Path, limit: usize, q: &str) -> std::io::Result<Vec<MailboxEntry>> {
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
    let q = q.to_lowercase();
    let matches = |m: &MailboxEntry| {
        q.is_empty() || [&m.to, &m.subject, &m.text].iter().any(|field| field.to_lowercase().contains(&q))
    };
    Ok(files.iter().filter_map(|p| std::fs::read(p).ok()).map(|raw| parse(&raw)).filter(matches).take(limit).collect())
}

/// The headers shown and the plain-text part of one message (parsed by `mail-parser`).
pub fn parse(raw: &[u8]) -> MailboxEntry {
    let Some(m) = MessageParser::default().parse(raw) else {
        return MailboxEntry {
            message_id: String::new(),
            to: String::new(),
            subject: String::new(),
            date: String::new(),
            text: String::new(),
            attachments: Vec::new(),
        };
    };
    MailboxEntry {
        message_id: m.message_id().map(|id| format!("<{id}>")).unwrap_or_default(),
        to: m.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        date: m.date().map(|d| d.to_rfc822()).unwrap_or_default(),
        text: m.body_text(0).map(|t| t.trim_end().replace("\r\n", "\n")).unwrap_or_default(),
        attachments: m.attachments().filter_map(|a| a.attachment_name().map(String::from)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_part_of_a_multipart_message_is_found() {
        let raw = "To: buyer@aurora.example\r\nSubject: Hello\r\nMessage-ID: <outbox-1@portal.test>\r\nContent-Type: multipart/alternative;\r\n boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLine one=\r\n continues, token=3Dabc\r\n--XYZ\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--XYZ--\r\n";
        let m = parse(raw.as_bytes());
        assert_eq!(m.to, "buyer@aurora.example");
        assert_eq!(m.subject, "Hello");
        assert_eq!(m.message_id, "<outbox-1@portal.test>");
        assert_eq!(m.text, "Line one continues, token=abc");
    }
}
