//! A subscription's invoice details and reissuing invoices through the services, as buyers use
//! them: the PO number and notes printed on the invoices issued from then on (R-INV-5), PO
//! documents judged by their content and kept under the data directory, and an open invoice
//! voided and replaced by a linked one that is mailed again (R-EXT-4). Each story once on
//! SQLite and once on PostgreSQL.

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::ids::SubscriptionId;
use app::domain::invoice::{DocumentProblem, InvoiceStatus, NotesProblem, PoNumberProblem};
use app::domain::mail_routing::MailKind;
use app::server::services::{invoice_details, invoices};
use app::server::store::Store;
use app::server::testing::{demo_actor, engine, execute, scalar, table_counts, text};
use chrono::{DateTime, Duration};

mod common;
use common::{BASE_URL, now};

/// An Aurora subscription paid by invoice, Active.
async fn invoiced_subscription(store: &Store) -> SubscriptionId {
    SubscriptionId(
        scalar(
            store,
            "SELECT MIN(s.id) FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
             JOIN organisations o ON o.id = s.org_id WHERE o.name LIKE 'Aurora%' AND pm.kind = 'invoice' \
             AND s.status = 'active'",
        )
        .await,
    )
}

/// A scratch directory for one story's documents.
fn scratch() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("portal-docs-{}", uuid::Uuid::new_v4().simple()))
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

both!(invoice_details_are_printed_on_the_invoices_issued_from_then_on, |store: Store| async move {
    // R-INV-5: the PO number and notes saved on a subscription go on its next invoice; a PO
    // number over 35 characters or with a line break, or notes with other control characters,
    // are refused with the field named and nothing changes; only buyers edit them.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let sub = invoiced_subscription(&store).await;
    let before = table_counts(&store).await;
    let r = invoice_details::save(&store, &buyer, sub, &"P".repeat(36), "", now()).await;
    assert!(
        matches!(&r, Err(AppError::Validation { field: Some(f), problem: Problem::PoNumber(PoNumberProblem::TooLong { max: 35 }) }) if f == "po_number"),
        "{r:?}"
    );
    let r = invoice_details::save(&store, &buyer, sub, "PO-1\nPO-2", "", now()).await;
    assert!(matches!(
        r,
        Err(AppError::Validation { problem: Problem::PoNumber(PoNumberProblem::ControlCharacter), .. })
    ));
    let r = invoice_details::save(&store, &buyer, sub, "PO-1", "bell\u{7}", now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::Notes(NotesProblem::ControlCharacter), .. })));
    assert_eq!(table_counts(&store).await, before, "nothing changed");

    invoice_details::save(&store, &buyer, sub, "  PO-2027-0042 ", "Attn: Accounts payable\r\nFloor 3", now())
        .await
        .unwrap();
    let page = invoice_details::page(&store, &buyer, sub, now()).await.unwrap();
    assert_eq!((page.po_number.as_str(), page.notes.as_str()), ("PO-2027-0042", "Attn: Accounts payable\nFloor 3"));
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice_details.changed'").await, 1);
    // Saving the same again records nothing new.
    invoice_details::save(&store, &buyer, sub, "PO-2027-0042", "Attn: Accounts payable\nFloor 3", now()).await.unwrap();
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice_details.changed'").await, 1);

    // The engine renews it on its renewal day: the new invoice carries the new details.
    let end = scalar(&store, &format!("SELECT term_end_at FROM subscriptions WHERE id = {sub}")).await;
    execute(&store, &format!("UPDATE subscriptions SET unpaid_since = NULL, auto_renew = TRUE WHERE id = {sub}")).await;
    engine(&store, BASE_URL).run_pass(DateTime::from_timestamp(end, 0).unwrap() + Duration::hours(1)).await.unwrap();
    let issued = text(
        &store,
        &format!(
            "SELECT i.po_number || '|' || i.notes FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id \
             WHERE il.subscription_id = {sub} ORDER BY i.id DESC LIMIT 1"
        ),
    )
    .await;
    assert_eq!(issued, "PO-2027-0042|Attn: Accounts payable\nFloor 3");

    // Payers and admins do not edit invoice details; another organisation's subscription is
    // not found.
    for who in ["payer1@aurora.example", "admin@aurora.example"] {
        let actor = demo_actor(&store, who).await;
        assert!(matches!(invoice_details::save(&store, &actor, sub, "X", "", now()).await, Err(AppError::Forbidden)));
        assert!(matches!(invoice_details::page(&store, &actor, sub, now()).await, Err(AppError::Forbidden)));
    }
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    assert!(matches!(invoice_details::save(&store, &stranger, sub, "X", "", now()).await, Err(AppError::NotFound)));
});

both!(po_documents_are_judged_by_content_kept_on_disk_and_at_most_five, |store: Store| async move {
    // R-INV-5: PDF, PNG or JPEG by content whatever the name, at most 10 MB, at most 5; the
    // bytes live in files under the data directory and the database holds what they are;
    // only the organisation's buyers read them back.
    let dir = scratch();
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let sub = invoiced_subscription(&store).await;
    let before = table_counts(&store).await;
    let refused = |r: Result<_, AppError>| match r {
        Err(AppError::Validation { field: Some(f), problem: Problem::Document(p) }) if f == "document" => p,
        other => panic!("expected a refused document, got {other:?}"),
    };
    let exe = b"MZ\x90\x00\x03\x00\x00\x00this program cannot be run in DOS mode".to_vec();
    let p = refused(invoice_details::add_document(&store, &buyer, &dir, sub, "po.pdf", &exe, now()).await);
    assert_eq!(p, DocumentProblem::NotAllowed, "a program named .pdf is refused by its content");
    let mut big = pdf();
    big.resize(12 * 1024 * 1024, b' ');
    let p = refused(invoice_details::add_document(&store, &buyer, &dir, sub, "big.pdf", &big, now()).await);
    assert_eq!(p, DocumentProblem::TooLarge { max_bytes: 10 * 1024 * 1024 });
    let p = refused(invoice_details::add_document(&store, &buyer, &dir, sub, "empty.pdf", &[], now()).await);
    assert_eq!(p, DocumentProblem::Empty);
    assert_eq!(table_counts(&store).await, before, "nothing recorded");
    assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none(), "and no file written");

    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    let first = invoice_details::add_document(&store, &buyer, &dir, sub, "C:\\scans\\PO 4711.pdf", &pdf(), now())
        .await
        .unwrap();
    assert_eq!((first.file_name.as_str(), first.content_type.as_str()), ("PO 4711.pdf", "application/pdf"));
    let scan = invoice_details::add_document(&store, &buyer, &dir, sub, "scan.jpg.png", &jpeg, now()).await.unwrap();
    assert_eq!(scan.content_type, "image/jpeg", "the content decides, not the name");
    for name in ["a.png", "b.png", "c.png"] {
        invoice_details::add_document(&store, &buyer, &dir, sub, name, &png, now()).await.unwrap();
    }
    let p = refused(invoice_details::add_document(&store, &buyer, &dir, sub, "sixth.png", &png, now()).await);
    assert_eq!(p, DocumentProblem::TooMany { max: 5 });
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 5, "one file per document");
    assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM po_documents WHERE subscription_id = {sub}")).await, 5);

    // Read back as uploaded; the subscription's page lists them.
    let back = invoice_details::document(&store, &buyer, &dir, sub, first.id).await.unwrap();
    assert_eq!((back.bytes, back.content_type.as_str()), (pdf(), "application/pdf"));
    let page = invoice_details::page(&store, &buyer, sub, now()).await.unwrap();
    assert_eq!(page.documents.len(), 5);
    assert_eq!(page.documents[0].uploaded_by.as_deref(), Some("buyer@aurora.example"));

    // Nobody else reads them.
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    assert!(matches!(invoice_details::document(&store, &stranger, &dir, sub, first.id).await, Err(AppError::NotFound)));
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    assert!(matches!(invoice_details::document(&store, &payer, &dir, sub, first.id).await, Err(AppError::Forbidden)));
    let other_sub =
        SubscriptionId(scalar(&store, &format!("SELECT MAX(id) FROM subscriptions WHERE id <> {sub}")).await);
    assert!(matches!(
        invoice_details::document(&store, &buyer, &dir, other_sub, first.id).await,
        Err(AppError::NotFound)
    ));

    // Removing one takes its file too, and makes room again; a second removal changes nothing.
    invoice_details::remove_document(&store, &buyer, &dir, sub, first.id, now()).await.unwrap();
    invoice_details::remove_document(&store, &buyer, &dir, sub, first.id, now()).await.unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 4);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'po_document.removed'").await, 1);
    invoice_details::add_document(&store, &buyer, &dir, sub, "again.pdf", &pdf(), now()).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
});

/// An open Aurora invoice with nothing paid on it, and the subscription it bills.
async fn open_invoice(store: &Store, buyer: &Actor) -> (String, SubscriptionId) {
    let q = app::contract::dto::InvoiceQuery { status: Some("unpaid".into()), ..Default::default() };
    let rows = invoices::invoices(store, buyer, &q, now()).await.unwrap().rows;
    let i = rows.iter().find(|i| i.status == InvoiceStatus::Open && i.open_amount == i.total).expect("an open invoice");
    let sub = scalar(
        store,
        &format!(
            "SELECT MIN(il.subscription_id) FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id \
             WHERE i.number = '{}'",
            i.number
        ),
    )
    .await;
    (i.number.clone(), SubscriptionId(sub))
}

both!(reissuing_voids_the_invoice_links_the_new_one_and_mails_it_once, |store: Store| async move {
    // R-EXT-4: an issued invoice is never edited in place: the buyer corrects the PO number
    // and reissues; the old one is voided and linked to the new one, which bills the same lines
    // with the same due date, goes to the same payers and is mailed to them again. Double
    // clicks and concurrent clicks make one new invoice.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let (old, sub) = open_invoice(&store, &buyer).await;
    invoice_details::save(&store, &buyer, sub, "PO-CORRECTED-7", "Ship to HQ", now()).await.unwrap();
    let before = invoices::invoice(&store, &buyer, &old, now()).await.unwrap();
    let form = before.reissue.clone().expect("a buyer can reissue an open invoice");
    assert_eq!((form.po_number.as_str(), form.subscription_id), ("PO-CORRECTED-7", Some(sub)));

    // Bad input changes nothing.
    let counts = table_counts(&store).await;
    let r = invoices::reissue(&store, &buyer, &old, &"9".repeat(36), "", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::PoNumber(PoNumberProblem::TooLong { .. }), .. })));
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    let r = invoices::reissue(&store, &stranger, &old, "PO", "", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    let r = invoices::reissue(&store, &payer, &old, "PO", "", now(), BASE_URL).await;
    assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    assert!(invoices::invoice(&store, &payer, &old, now()).await.map(|d| d.reissue.is_none()).unwrap_or(true));
    assert_eq!(table_counts(&store).await, counts);

    // Ten clicks at once: one new invoice, and every click answers with it.
    let mut clicks = Vec::new();
    for _ in 0..10 {
        let (store, buyer, old, po) = (store.clone(), buyer.clone(), old.clone(), form.po_number.clone());
        clicks.push(tokio::spawn(async move {
            invoices::reissue(&store, &buyer, &old, &po, "Ship to HQ", now(), BASE_URL).await
        }));
    }
    let mut answers = Vec::new();
    for c in clicks {
        answers.push(c.await.unwrap().expect("every click succeeds"));
    }
    let new = answers[0].clone();
    assert!(answers.iter().all(|a| a == &new), "{answers:?}");
    assert_eq!(new, format!("{old}-R1"));
    assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM invoices WHERE number LIKE '{old}-R%'")).await, 1);

    let voided = invoices::invoice(&store, &buyer, &old, now()).await.unwrap();
    assert_eq!(voided.summary.status, InvoiceStatus::Voided);
    assert_eq!(voided.replaced_by.as_deref(), Some(new.as_str()));
    assert!(voided.reissue.is_none() && !voided.payable);
    let fresh = invoices::invoice(&store, &buyer, &new, now()).await.unwrap();
    assert_eq!(fresh.replaces.as_deref(), Some(old.as_str()));
    assert_eq!(fresh.summary.po_number, "PO-CORRECTED-7");
    assert_eq!(fresh.notes, "Ship to HQ");
    assert_eq!(
        (fresh.summary.total, fresh.summary.due_on, fresh.summary.status),
        (before.summary.total, before.summary.due_on, InvoiceStatus::Open)
    );
    assert_eq!(fresh.lines, before.lines);
    assert_eq!(fresh.payers, before.payers);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.reissued'").await, 1);
    // Mailed once to each payer, with the new number and its PDF.
    for p in &fresh.payers {
        let mails = {
            let mut tx = store.begin_read().await.unwrap();
            tx.outbox_for(p, MailKind::InvoiceToPayers).await.unwrap()
        };
        assert_eq!(mails.iter().filter(|m| m.subject.contains(&new)).count(), 1, "{p}");
    }

    // The voided one cannot be paid, and a paid one cannot be reissued.
    let key = app::domain::ids::IdempotencyKey::new();
    let gateway = app::server::gateway::SimulatedGateway::new(store.clone());
    let form =
        invoices::PayForm { numbers: old.clone(), method: invoices::BANK_TRANSFER.into(), key, ..Default::default() };
    assert!(invoices::pay(&store, &gateway, &buyer, &form, &Default::default(), now(), BASE_URL).await.is_err());
    execute(&store, &format!("UPDATE invoices SET status = 'paid', paid_minor = total_minor WHERE number = '{new}'"))
        .await;
    let r = invoices::reissue(&store, &buyer, &new, "PO", "", now(), BASE_URL).await;
    assert!(
        matches!(r, Err(AppError::Conflict(Problem::NotReissuable { status: InvoiceStatus::Paid, partly_paid: true }))),
        "{r:?}"
    );
});
