//! Net 30 invoices for renewals and instalments of customers who pay by invoice (R-REN-5,
//! R-INV-5), mailed to their payers (R-MAIL-4, R-INV-3).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::ids::{OrderId, OrgId, SubscriptionId};
use crate::domain::invoice::allocate;
use crate::domain::mail_routing::{Contacts, MailKind, Recipient, recipients};
use crate::domain::money::Money;
use crate::domain::pricing::Instalment;
use crate::domain::renewal::overdue_from;
use crate::domain::time::{expiry_instant, local_date};
use crate::server::documents::invoice_pdf;
use crate::server::mail;
use crate::server::services::buyer_contacts;
use crate::server::store::records::{NewInvoice, NewInvoiceLine, Subscription};
use crate::server::store::{StoreError, StoreResult, Tx};

/// What to invoice: one instalment (or the whole renewal) of an order, due on a local day.
pub struct Issue<'a> {
    pub order: OrderId,
    pub number: &'a str,
    pub part: Instalment,
    pub due_day: NaiveDate,
    /// Only this subscription's lines of the order (an instalment is one subscription's);
    /// `None` bills every line.
    pub only: Option<SubscriptionId>,
}

/// The lines an invoice for `issue` bills: the order's lines (or one subscription's), each
/// with its share of the invoice's subtotal, so they add up to it exactly.
async fn lines_of(tx: &mut Tx, issue: &Issue<'_>, subtotal: Money) -> StoreResult<Vec<NewInvoiceLine>> {
    let lines: Vec<_> = tx
        .order_lines(issue.order)
        .await?
        .into_iter()
        .filter(|l| issue.only.is_none() || l.subscription_id == issue.only)
        .collect();
    let weights: Vec<Money> = lines.iter().map(|l| l.amount).collect();
    let shares =
        allocate(subtotal, &weights).map_err(|e| StoreError::Corrupt(format!("order {}: {e}", issue.order)))?;
    Ok(lines
        .into_iter()
        .zip(shares)
        .map(|(l, amount)| NewInvoiceLine {
            subscription_id: l.subscription_id,
            product_name: l.product_name,
            seats: l.seats,
            term: l.term,
            period_start: l.period_start,
            period_end: l.period_end,
            amount,
        })
        .collect())
}

/// Issues the invoice with the subscription's invoice details (PO number, notes) and mails it
/// to the subscription's payers. A PO number given at checkout for the order is the invoice's,
/// for every instalment of that order; without one, the subscription's stands.
pub async fn issue_invoice(
    tx: &mut Tx,
    sub: &Subscription,
    issue: &Issue<'_>,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    let details = tx.invoice_details(sub.id).await?.unwrap_or_default();
    let ordered_po = tx.order(issue.order).await?.map(|o| o.po_number).filter(|po| !po.trim().is_empty());
    let (total, tax) = (issue.part.total, issue.part.tax);
    let subtotal = total.checked_sub(tax).map_err(|e| StoreError::Corrupt(format!("instalment of {}: {e}", sub.id)))?;
    let payers = tx.subscription_payers(sub.id).await?;
    let invoice = NewInvoice {
        org_id: sub.org_id,
        number: issue.number,
        customer_account_id: sub.customer_account_id,
        order_id: issue.order,
        subtotal,
        tax,
        total,
        po_number: ordered_po.as_deref().unwrap_or(&details.po_number),
        notes: &details.notes,
        issued_at: now,
        issued_on: crate::domain::time::local_date(now, sub.time_zone),
        due_at: overdue_from(issue.due_day, sub.time_zone),
        replaces: None,
    };
    let addresses: Vec<String> = payers.iter().map(|p| p.address.clone()).collect();
    let lines = lines_of(tx, issue, subtotal).await?;
    tx.insert_invoice(&invoice, &lines, &addresses).await?;
    mail_invoice(tx, sub.org_id, issue.number, payers, now, base_url).await
}

/// Mails an invoice just written to its payers (R-MAIL-4), each in their language, with its
/// PDF attached (R-INV-3).
pub async fn mail_invoice(
    tx: &mut Tx,
    org: OrgId,
    number: &str,
    payers: Vec<Recipient>,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    let stored = tx
        .invoice_by_number(org, number, None)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("invoice {number} not written")))?;
    let due_day = local_date(expiry_instant(stored.due_at), stored.time_zone);
    let print = crate::server::services::invoices::print_of(tx, &stored).await?;
    let contacts = Contacts { payers, ..buyer_contacts(tx, org).await? };
    for to in recipients(MailKind::InvoiceToPayers, &contacts) {
        let pdf = invoice_pdf(to.lang, &print, base_url);
        let mail = mail::invoice(org, &to.address, to.lang, number, stored.total, due_day, pdf, base_url);
        tx.queue_mail(&mail, now).await?;
    }
    Ok(())
}
