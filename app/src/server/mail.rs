//! Mail content. Every mail is queued in the outbox inside the transaction of the change that
//! causes it; delivery happens after commit (see docs/decisions.md).

use super::store::rows::OutgoingMail;

/// Escapes text for HTML bodies.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// One line of an auto-renew confirmation.
pub struct AutoRenewLine {
    pub id: i64,
    pub product_name: String,
    /// "Renews on 10 Jun 2025" or "Expires on 9 Jun 2025".
    pub resulting: String,
}

/// The confirmation every buyer gets when auto-renew changes (R-EXT-1, R-MAIL-1).
pub fn auto_renew_changed(org_id: i64, to: &str, on: bool, lines: &[AutoRenewLine], base_url: &str) -> OutgoingMail {
    let state = if on { "on" } else { "off" };
    let subject = match lines.len() {
        1 => format!("Auto-renew turned {state} for subscription {}", lines[0].id),
        n => format!("Auto-renew turned {state} for {n} subscriptions"),
    };
    let link = format!("{base_url}/billing/subscriptions");
    let consequence = if on {
        "These subscriptions will renew automatically on their renewal dates. We will remind you before each charge."
    } else {
        "These subscriptions will not be charged on their renewal dates; they expire instead. You can turn auto-renew on again until 45 days (30 for monthly terms) after expiry."
    };
    let mut text = format!("Auto-renew was turned {state} for:\n\n");
    let mut rows = String::new();
    for l in lines {
        text.push_str(&format!("- {} (subscription {}): {}\n", l.product_name, l.id, l.resulting));
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&l.product_name),
            l.id,
            escape_html(&l.resulting)
        ));
    }
    text.push_str(&format!("\n{consequence}\n\nManage your subscriptions: {link}\n"));
    let html = format!(
        "<p>Auto-renew was turned <strong>{state}</strong> for:</p>\
         <table><thead><tr><th>Product</th><th>Subscription</th><th>Date</th></tr></thead><tbody>{rows}</tbody></table>\
         <p>{consequence}</p><p><a href=\"{}\">Manage your subscriptions</a></p>",
        escape_html(&link)
    );
    OutgoingMail {
        org_id: Some(org_id),
        kind: "auto_renew_changed".into(),
        to_address: to.into(),
        subject,
        body_text: text,
        body_html: html,
    }
}

/// The password-reset link (R-AUTH-2), valid for 30 minutes.
pub fn password_reset(to: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Someone asked to reset the password of your Billing and orders account.\n\n\
         Choose a new password here (the link works once, for 30 minutes):\n{link}\n\n\
         If it was not you, ignore this mail: your password stays as it is.\n"
    );
    let html = format!(
        "<p>Someone asked to reset the password of your Billing and orders account.</p>\
         <p><a href=\"{0}\">Choose a new password</a> (the link works once, for 30 minutes).</p>\
         <p>If it was not you, ignore this mail: your password stays as it is.</p>",
        escape_html(link)
    );
    OutgoingMail {
        org_id: None,
        kind: "password_reset".into(),
        to_address: to.into(),
        subject: "Reset your Billing and orders password".into(),
        body_text: text,
        body_html: html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_lists_each_subscription_with_its_resulting_date() {
        // R-EXT-1
        let lines = [
            AutoRenewLine { id: 7, product_name: "Vectora CAD".into(), resulting: "Expires on 9 Jun 2025".into() },
            AutoRenewLine { id: 8, product_name: "A <b> & C".into(), resulting: "Expires on 1 Jul 2025".into() },
        ];
        let m = auto_renew_changed(1, "buyer@aurora.example", false, &lines, "http://127.0.0.1:3000");
        assert_eq!(m.subject, "Auto-renew turned off for 2 subscriptions");
        assert!(m.body_text.contains("- Vectora CAD (subscription 7): Expires on 9 Jun 2025"));
        assert!(m.body_html.contains("A &lt;b&gt; &amp; C"));
        assert!(m.body_text.contains("http://127.0.0.1:3000/billing/subscriptions"));
    }
}
