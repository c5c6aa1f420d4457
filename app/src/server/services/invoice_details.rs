//! A subscription's invoice details (R-INV-5): the PO number and notes printed on the invoices
//! issued from then on, and up to 5 PO documents (PDF, PNG or JPEG by content, 10 MB each)
//! kept under the data directory. Buyers only; another organisation's subscription is not
//! found. Invoices already issued keep what they were issued with: they are reissued
//! (R-EXT-4, `invoices::reissue`).

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::contract::dto::{InvoiceDetailsPage, PoDocumentView};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::ids::SubscriptionId;
use crate::domain::invoice::{
    MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, judge_document, parse_notes, parse_po_number, renewal_invoice_day,
};
use crate::domain::payment::PaymentKind;
use crate::domain::status::Status;
use crate::domain::time::local_date;
use crate::server::files;
use crate::server::store::records::{
    Attachment, AuditAction, AuditEntry, AuditObject, InvoiceDetails, NewPoDocument, PoDocument, Subscription,
};
use crate::server::store::{Store, Tx};

/// The longest file name kept for a document, in characters (longer ones are shortened).
const MAX_FILE_NAME: usize = 120;

/// The subscription, if it is the actor's organisation's; locked for a change.
async fn subscription(tx: &mut Tx, actor: &Actor, id: SubscriptionId, lock: bool) -> Result<Subscription, AppError> {
    tx.subscriptions_in_org(actor.org_id, &[id], lock).await?.into_iter().next().ok_or(AppError::NotFound)
}

pub(crate) fn document_view(d: PoDocument, tz: chrono_tz::Tz) -> PoDocumentView {
    PoDocumentView {
        id: d.id,
        file_name: d.file_name,
        content_type: d.content_type,
        size_bytes: d.size_bytes,
        uploaded_on: local_date(d.uploaded_at, tz),
        uploaded_by: d.uploaded_by,
    }
}

/// The invoice details of a subscription as the buyer edits them, with the warning of R-REN-5
/// when its automatic renewal invoice is near.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<InvoiceDetailsPage, AppError> {
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let sub = subscription(&mut tx, actor, id, false).await?;
    let details = tx.invoice_details(id).await?.unwrap_or_default();
    let tz = sub.time_zone;
    let documents = tx.po_documents(id).await?.into_iter().map(|d| document_view(d, tz)).collect();
    let renewal_invoice_on = renewal_invoice_day(
        sub.payment_kind == Some(PaymentKind::Invoice),
        sub.auto_renew && sub.status == Status::Active,
        local_date(sub.term_end, tz),
        local_date(now, tz),
    );
    Ok(InvoiceDetailsPage {
        subscription_id: id,
        product_name: sub.product_name,
        po_number: details.po_number,
        notes: details.notes,
        documents,
        max_documents: MAX_DOCUMENTS,
        max_document_bytes: MAX_DOCUMENT_BYTES,
        renewal_invoice_on,
        open_invoices: tx.open_invoices_of_subscription(id).await?,
        payers: tx.subscription_payers(id).await?.into_iter().map(|r| r.address).collect(),
        max_payers: crate::domain::invoice::MAX_PAYERS,
    })
}

/// Saves the PO number and notes for the invoices issued from now on (R-INV-5); a PO number
/// over 35 characters or with control characters, or notes over 500, change nothing.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn save(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    po_number: &str,
    notes: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let po_number = parse_po_number(po_number).map_err(|p| AppError::validation("po_number", Problem::PoNumber(p)))?;
    let notes = parse_notes(notes).map_err(|p| AppError::validation("notes", Problem::Notes(p)))?;
    let mut tx = store.begin_write().await?;
    subscription(&mut tx, actor, id, true).await?;
    let before = tx.invoice_details(id).await?.unwrap_or_default();
    let after = InvoiceDetails { po_number, notes };
    if before.po_number == after.po_number && before.notes == after.notes {
        return Ok(());
    }
    tx.save_invoice_details(id, &after, now).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::InvoiceDetailsChanged,
        object: AuditObject::Subscription(id),
        detail: format!(
            "PO {:?} -> {:?}; notes {} -> {} characters",
            before.po_number,
            after.po_number,
            before.notes.chars().count(),
            after.notes.chars().count()
        ),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(())
}

/// The name a document is kept under: the base name as uploaded, without control characters
/// or path separators, at most [`MAX_FILE_NAME`] characters; "document" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(MAX_FILE_NAME)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." { "document".into() } else { cleaned }
}

/// Attaches a PO document (R-INV-5): a PDF, PNG or JPEG by its content whatever its name, at
/// most 10 MB, at most 5 on the subscription. The bytes are written to a file first and the
/// record after it; a refusal writes neither, and a failed record removes the file again.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn add_document(
    store: &Store,
    actor: &Actor,
    documents_dir: &Path,
    id: SubscriptionId,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<PoDocumentView, AppError> {
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let problem = |p| AppError::validation("document", Problem::Document(p));
    // Judged once before the write lock (a refused upload costs no transaction) and again
    // inside it, where the count cannot change under us.
    judge_document(bytes, 0).map_err(problem)?;
    let mut tx = store.begin_write().await?;
    let sub = subscription(&mut tx, actor, id, true).await?;
    let kind = judge_document(bytes, tx.po_documents(id).await?.len()).map_err(problem)?;
    let stored = files::save(documents_dir, bytes).await.map_err(|e| {
        tracing::error!(error = %e, "writing a PO document");
        AppError::Internal
    })?;
    let name = clean_file_name(file_name);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let record = NewPoDocument {
        org_id: actor.org_id,
        subscription_id: id,
        file_name: &name,
        content_type: kind.content_type(),
        size_bytes: size,
        sha256: &stored.sha256,
        storage_key: &stored.key,
        uploaded_by: actor.user_id,
        uploaded_at: now,
    };
    let written = async {
        let doc = tx.insert_po_document(&record).await?;
        let entry = AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: AuditAction::PoDocumentAdded,
            object: AuditObject::Subscription(id),
            detail: format!("{name} ({size} bytes, {})", kind.content_type()),
            at: now,
        };
        tx.insert_audit(&[entry]).await?;
        let view = tx.po_document(id, doc).await?.map(|d| document_view(d, sub.time_zone));
        tx.commit().await?;
        Ok::<_, AppError>(view)
    };
    match written.await {
        Ok(Some(view)) => Ok(view),
        Ok(None) => Err(AppError::Internal),
        Err(e) => {
            if let Err(io) = files::remove(documents_dir, &stored.key).await {
                tracing::warn!(error = %io, key = %stored.key, "a PO document's file outlived its failed record");
            }
            Err(e)
        }
    }
}

/// Takes a PO document off (its file goes after its record, so a crash in between leaves an
/// unreferenced file, never a record without its bytes).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn remove_document(
    store: &Store,
    actor: &Actor,
    documents_dir: &Path,
    id: SubscriptionId,
    document: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    subscription(&mut tx, actor, id, true).await?;
    let Some(doc) = tx.po_document(id, document).await? else {
        // Already taken off (a second click) or never here: nothing to do either way.
        return Ok(());
    };
    tx.delete_po_document(id, document).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PoDocumentRemoved,
        object: AuditObject::Subscription(id),
        detail: doc.file_name.clone(),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    if let Err(e) = files::remove(documents_dir, &doc.storage_key).await {
        tracing::warn!(error = %e, key = %doc.storage_key, "a removed PO document's file stayed");
    }
    Ok(())
}

/// A PO document's bytes, for the organisation's buyers only (R-INV-5).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn document(
    store: &Store,
    actor: &Actor,
    documents_dir: &Path,
    id: SubscriptionId,
    document: i64,
) -> Result<Attachment, AppError> {
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    subscription(&mut tx, actor, id, false).await?;
    let doc = tx.po_document(id, document).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    let bytes = files::read(documents_dir, &doc.storage_key).await.map_err(|e| {
        tracing::error!(error = %e, key = %doc.storage_key, "a PO document's file is missing");
        AppError::NotFound
    })?;
    Ok(Attachment { file_name: doc.file_name, content_type: doc.content_type, bytes })
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_keep_their_base_name_only() {
        assert_eq!(clean_file_name("C:\\Users\\maria\\PO 4711.pdf"), "PO 4711.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\"c.png"), "abc.png");
        assert_eq!(clean_file_name(".."), "document");
        assert_eq!(clean_file_name(""), "document");
        assert_eq!(clean_file_name(&"x".repeat(300)).chars().count(), 120);
    }
}
