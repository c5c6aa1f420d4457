//! Net 30 invoices for renewals and instalments of customers who pay by invoice (R-REN-5,
//! R-INV-5), mailed to their payers (R-MAIL-4, R-INV-3).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::ids::OrderId;
use crate::domain::mail_routing::{Contacts, MailKind, recipients};
use crate::domain::pricing::Instalment;
use crate::domain::renewal::overdue_from;
use crate::server::mail;
use crate::server::services::buyer_contacts;
use crate::server::store::records::{NewInvoice, Subscription};
use crate::server::store::{StoreError, StoreResult, Tx};

/// What to invoice: one instalment (or the whole renewal) of an order, due on a local day.
pub struct Issue<'a> {
    pub order: OrderId,
    pub number: &'a str,
    pub part: Instalment,
    pub due_day: NaiveDate,
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
        due_at: overdue_from(issue.due_day, sub.time_zone),
    };
    let addresses: Vec<String> = payers.iter().map(|p| p.address.clone()).collect();
    tx.insert_invoice(&invoice, &addresses).await?;
    let contacts = Contacts { payers, ..buyer_contacts(tx, sub.org_id).await? };
    for to in recipients(MailKind::InvoiceToPayers, &contacts) {
        let mail =
            mail::invoice(sub.org_id, &to.address, to.lang, issue.number, sub.id, total, issue.due_day, base_url);
        tx.queue_mail(&mail, now).await?;
    }
    Ok(())
}
