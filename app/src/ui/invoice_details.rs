//! A subscription's invoice details (`/billing/subscriptions/:id/invoice-details`, R-INV-5):
//! the PO number and notes printed on the invoices issued from now on, and the PO documents.
//! Every form works without JavaScript; the upload is a plain multipart form, so the browser
//! sends the file as it is and the server judges it by its content.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::components::{Authenticated, ErrorNotice};
use super::invoices::{ManagePayers, PayersOf};
use crate::api::{RemovePoDocument, SaveInvoiceDetails, UploadPoDocument, invoice_details};
use crate::contract::dto::{InvoiceDetailsPage, PoDocumentView};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::ids::SubscriptionId;
use crate::domain::invoice::MAX_PO_NUMBER;
use crate::i18n::{Locale, td_string};
use crate::words;

/// The error an upload came back with: a plain form post is sent back here with the server
/// function's path and its error in the address (`__path`, `__err`), read on the server too.
fn upload_error(path: Option<String>, err: Option<String>) -> Option<AppError> {
    use leptos::server_fn::error::ServerFnUrlError;
    (path.as_deref() == Some(UploadPoDocument::PATH))
        .then(|| err.map(|e| ServerFnUrlError::<AppError>::decode_err(&e)))
        .flatten()
}

#[component]
pub fn InvoiceDetailsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    // Each change comes back here with `?notice=...`: the details are read again.
    let page = Resource::new(
        move || (id(), query.get().get("notice"), query.get().get("at")),
        |(id, _, _)| async move {
            match id {
                Some(id) => invoice_details(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(l, invoice_details.title)/>
        <Authenticated children=move |_me| view! {
            {move || id().map(|id| view! { <p><A href=links::subscription(id)>{td_string!(l, invoice_details.back)}</A></p> })}
            <h1>{td_string!(l, invoice_details.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Details p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Details(p: InvoiceDetailsPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let save = ServerAction::<SaveInvoiceDetails>::new();
    let remove = ServerAction::<RemovePoDocument>::new();
    let error = move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| remove.value().get().and_then(|r| r.err()))
            .or_else(|| query.with(|q| upload_error(q.get("__path"), q.get("__err"))))
    };
    let about = move |field: &'static str| super::components::described_by(error(), field);
    let notice = move || match query.get().get("notice").as_deref() {
        Some("saved") => Some(td_string!(l, invoice_details.saved)),
        Some("attached") => Some(td_string!(l, invoice_details.attached)),
        Some("removed") => Some(td_string!(l, invoice_details.removed)),
        _ => None,
    };
    let id = p.subscription_id;
    let full = p.documents.len() >= p.max_documents;
    let upload_url = UploadPoDocument::url();
    view! {
        <p class="sub">{p.product_name.clone()} " · " {td_string!(l, invoice_details.subscription, id = id.to_string())}</p>
        {move || notice().map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        <p class="hint">{td_string!(l, invoice_details.applies_from_now)}</p>
        {p.renewal_invoice_on.map(|day| view! {
            <p class="notice notice-warning">{td_string!(l, invoice_details.renewal_warning, date = words::date(l, day))}</p>
        })}
        {(!p.open_invoices.is_empty()).then(|| view! {
            <div class="notice">
                <p>{td_string!(l, invoice_details.open_invoices)}</p>
                <ul>{p.open_invoices.clone().into_iter().map(|n| view! { <li><A href=links::invoice(&n)>{n.clone()}</A></li> }).collect_view()}</ul>
            </div>
        })}
        <section class="card" aria-labelledby="h-po">
            <h2 id="h-po">{td_string!(l, invoice_details.po_title)}</h2>
            <ActionForm action=save>
                <input type="hidden" name="id" value=id.to_string()/>
                <label for="po-number">{td_string!(l, invoice_details.po_number)}</label>
                <input id="po-number" name="po_number" type="text" value=p.po_number.clone() maxlength=MAX_PO_NUMBER
                    autocomplete="off" aria-describedby=move || about("po_number").0 aria-invalid=move || about("po_number").1/>
                <span class="hint">{td_string!(l, invoice_details.po_hint, max = MAX_PO_NUMBER)}</span>
                <label for="notes">{td_string!(l, invoice_details.notes)}</label>
                <textarea id="notes" name="notes" rows="3"
                    aria-describedby=move || about("notes").0 aria-invalid=move || about("notes").1>{p.notes.clone()}</textarea>
                <button type="submit" class="primary" disabled=move || save.pending().get()>{td_string!(l, invoice_details.save)}</button>
            </ActionForm>
        </section>
        <section class="card" id="payers" aria-labelledby="h-payers">
            <h2 id="h-payers">{td_string!(l, invoice_details.payers_title)}</h2>
            <ManagePayers of=PayersOf::Subscription(id) payers=p.payers.clone()/>
        </section>
        <section class="card" aria-labelledby="h-documents">
            <h2 id="h-documents">{td_string!(l, invoice_details.documents_title)}</h2>
            <p class="sub">{td_string!(l, invoice_details.documents_count, count = p.documents.len(), max = p.max_documents)}</p>
            {if p.documents.is_empty() {
                view! { <p>{td_string!(l, invoice_details.no_documents)}</p> }.into_any()
            } else {
                view! { <ul class="documents">{p.documents.clone().into_iter().map(|d| view! { <Document id d remove/> }).collect_view()}</ul> }.into_any()
            }}
            {if full {
                view! { <p class="hint">{td_string!(l, invoice_details.documents_full, max = p.max_documents)}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=upload_url enctype="multipart/form-data">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label for="document">{td_string!(l, invoice_details.document)}</label>
                        <input id="document" name="document" type="file" required
                            accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
                            aria-describedby=move || about("document").0 aria-invalid=move || about("document").1/>
                        <span class="hint">{td_string!(l, invoice_details.document_hint, mb = p.max_document_bytes / (1024 * 1024), max = p.max_documents)}</span>
                        <button type="submit">{td_string!(l, invoice_details.attach)}</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Document(id: SubscriptionId, d: PoDocumentView, remove: ServerAction<RemovePoDocument>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let label = td_string!(l, invoice_details.remove_document, name = d.file_name.clone());
    let by = d.uploaded_by.clone().unwrap_or_default();
    view! {
        <li>
            <a href=links::po_document(id, d.id) download="">{d.file_name.clone()}</a>
            <span class="sub">" · " {words::file_size(l, d.size_bytes)} " · " {words::date(l, d.uploaded_on)} " · " {by}</span>
            " "
            <ActionForm action=remove attr:class="inline">
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="document" value=d.id.to_string()/>
                <button type="submit" class="link-button" aria-label=label>{td_string!(l, invoice_details.remove)}</button>
            </ActionForm>
        </li>
    }
}
