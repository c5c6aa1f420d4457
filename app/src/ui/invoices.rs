//! Invoices and credit memos (`/billing/invoices`, R-INV-1): what is owed per customer number,
//! the invoices soonest due first with overdue ones marked, one invoice's page, paying one or
//! several together (`/billing/invoices/pay`, R-INV-2) and a payment's page
//! (`/billing/payments/:id`, R-PAY-7). Buyers see all of them, payers those they pay.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::components::{Authenticated, ErrorNotice};
use super::renew::CheckoutKey;
use super::subscriptions::ValueSelect;
use crate::api::{
    ManagePayers as ManagePayersAction, PayInvoices, ReissueInvoice, invoice, invoice_payment, invoices,
    review_invoice_payment,
};
use crate::contract::dto::{
    CreditMemoView, InvoiceDetail, InvoicePayReview, InvoicePaymentState, InvoicePaymentView, InvoiceQuery,
    InvoiceSummary, InvoicesPage, ReissueForm,
};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::ids::{PaymentId, SubscriptionId};
use crate::domain::invoice::{InvoiceFilter, InvoiceStatus, MAX_PAYERS, MAX_PO_NUMBER};
use crate::i18n::{Locale, td_string};
use crate::words;

fn query_from(q: &ParamsMap) -> InvoiceQuery {
    InvoiceQuery {
        status: q.get("status"),
        csn: q.get("csn"),
        from: q.get("from"),
        to: q.get("to"),
        page: q.get("page").and_then(|p| p.parse().ok()),
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page = Resource::new(move || query_from(&query.get()), invoices);
    view! {
        <Title text=td_string!(l, invoices.title)/>
        <h1>{td_string!(l, invoices.title)}</h1>
        <Authenticated children=move |_me| view! {
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <InvoiceList p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn InvoiceList(p: InvoicesPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page_link = move |n: i64| {
        let q = query.get_untracked();
        let pairs: Vec<(&str, String)> = ["status", "csn", "from", "to"]
            .into_iter()
            .map(|k| (k, q.get(k).unwrap_or_default()))
            .chain([("page", n.to_string())])
            .collect();
        links::invoices_with(&pairs)
    };
    let (page, pages) = (p.page, p.pages);
    view! {
        {p.payer_only.then(|| view! { <p class="notice">{td_string!(l, invoices.payer_intro)}</p> })}
        <section class="card" aria-labelledby="h-balances">
            <h2 id="h-balances">{td_string!(l, invoices.balances)}</h2>
            {if p.balances.is_empty() {
                view! { <p>{td_string!(l, invoices.nothing_owed)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption class="visually-hidden">{td_string!(l, invoices.balances)}</caption>
                            <thead><tr>
                                <th scope="col">{td_string!(l, invoices.col_payer_number)}</th>
                                <th scope="col">{td_string!(l, invoices.col_unpaid)}</th>
                                <th scope="col">{td_string!(l, invoices.col_owed)}</th>
                                <th scope="col">{td_string!(l, invoices.col_overdue)}</th>
                                <th scope="col">{td_string!(l, invoices.col_credit)}</th>
                                <th scope="col">{td_string!(l, invoices.col_actions)}</th>
                            </tr></thead>
                            <tbody>
                                {p.balances.iter().map(|b| {
                                    let dash = |m: crate::domain::money::Money| if m.is_zero() { "—".to_string() } else { words::amount(l, m) };
                                    let currency = b.owed.currency();
                                    let pay_all = td_string!(l, invoices.pay_all_label, csn = b.csn.clone(), currency = currency.code());
                                    view! {
                                        <tr>
                                            <td>{b.csn.clone()}</td>
                                            <td class="num">{b.invoices}</td>
                                            <td class="amount">{words::amount(l, b.owed)}</td>
                                            <td class="amount">{dash(b.overdue)}</td>
                                            <td class="amount">{dash(b.credit)}</td>
                                            <td>{(b.invoices > 0).then(|| view! {
                                                <A href=links::pay_all(&b.csn, currency) attr:aria-label=pay_all>{td_string!(l, invoices.pay_all)}</A>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <Filters csns=p.csns.clone() current=p.filter/>
        <p class="sub" role="status">{td_string!(l, invoices.count, count = p.total_rows)}</p>
        {if p.rows.is_empty() {
            view! { <p>{td_string!(l, invoices.empty)}</p> }.into_any()
        } else {
            let any_open = p.rows.iter().any(|r| r.status == InvoiceStatus::Open);
            view! {
                <form method="get" action=links::PAY_INVOICES>
                    <div class="table-wrap">
                        <table>
                            <caption class="visually-hidden">{td_string!(l, invoices.caption)}</caption>
                            <thead><tr>
                                <th scope="col"><span class="visually-hidden">{td_string!(l, invoices.col_select)}</span></th>
                                <th scope="col">{td_string!(l, invoices.col_number)}</th>
                                <th scope="col">{td_string!(l, invoices.col_payer_number)}</th>
                                <th scope="col">{td_string!(l, invoices.col_issued)}</th>
                                <th scope="col">{td_string!(l, invoices.col_due)}</th>
                                <th scope="col">{td_string!(l, invoices.col_po)}</th>
                                <th scope="col">{td_string!(l, invoices.col_total)}</th>
                                <th scope="col">{td_string!(l, invoices.col_open)}</th>
                                <th scope="col">{td_string!(l, invoices.col_status)}</th>
                            </tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|i| view! { <InvoiceRow i/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {any_open.then(|| view! {
                        <p><button type="submit" class="primary">{td_string!(l, invoices.pay_selected)}</button>
                        " " <span class="hint">{td_string!(l, invoices.pay_selected_hint)}</span></p>
                    })}
                </form>
            }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=td_string!(l, list.pages)>
                {(page > 1).then(|| view! { <A href=page_link(page - 1)>{td_string!(l, list.previous)}</A> })}
                " " {td_string!(l, list.page_of, current = page, pages = pages)} " "
                {(page < pages).then(|| view! { <A href=page_link(page + 1)>{td_string!(l, list.next)}</A> })}
            </nav>
        })}
        <CreditMemos memos=p.credit_memos/>
    }
}

/// The credit memos (R-INV-1): refunds credited to a payer number (R-PAY-9), and what each has
/// left to pay invoices with (R-INV-2).
#[component]
fn CreditMemos(memos: Vec<CreditMemoView>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <section class="card" id="credit-memos" aria-labelledby="h-credit-memos">
            <h2 id="h-credit-memos">{td_string!(l, invoices.credit_memos)}</h2>
            {if memos.is_empty() {
                view! { <p>{td_string!(l, invoices.no_credit_memos)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption class="visually-hidden">{td_string!(l, invoices.credit_memos_caption)}</caption>
                            <thead><tr>
                                <th scope="col">{td_string!(l, invoices.col_memo)}</th>
                                <th scope="col">{td_string!(l, invoices.col_payer_number)}</th>
                                <th scope="col">{td_string!(l, invoices.col_issued)}</th>
                                <th scope="col">{td_string!(l, invoices.col_origin)}</th>
                                <th scope="col">{td_string!(l, invoices.col_amount)}</th>
                                <th scope="col">{td_string!(l, invoices.col_credit)}</th>
                            </tr></thead>
                            <tbody>
                                {memos.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.number.clone()}</td>
                                        <td>{m.csn.clone()}</td>
                                        <td>{words::date(l, m.issued_on)}</td>
                                        <td>{m.order_number.clone().map(|n| td_string!(l, invoices.refund_of, number = n))}</td>
                                        <td class="amount">{words::amount(l, m.amount)}</td>
                                        <td class="amount">{words::amount(l, m.remaining)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Filters(csns: Vec<String>, current: InvoiceFilter) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let value = move |key: &'static str| move || query.get().get(key).unwrap_or_default();
    view! {
        <Form method="GET" action=links::INVOICES attr:class="filters" attr:aria-label=td_string!(l, invoices.filters)>
            <div class="field">
                <label for="f-status">{td_string!(l, list.status)}</label>
                <select id="f-status" name="status">
                    {InvoiceFilter::ALL.into_iter().map(|f| view! {
                        <option value=f.code() selected=f == current>{words::invoice_filter(l, f)}</option>
                    }).collect_view()}
                </select>
            </div>
            <ValueSelect id="f-csn" name="csn" label=td_string!(l, invoices.col_payer_number) values=csns/>
            <div class="field">
                <label for="f-from">{td_string!(l, invoices.issued_from)}</label>
                <input id="f-from" name="from" type="date" prop:value=value("from")/>
            </div>
            <div class="field">
                <label for="f-to">{td_string!(l, invoices.issued_to)}</label>
                <input id="f-to" name="to" type="date" prop:value=value("to")/>
            </div>
            <button type="submit">{td_string!(l, list.apply)}</button>
            <A href=links::INVOICES attr:class="button-link">{td_string!(l, list.clear)}</A>
        </Form>
    }
}

#[component]
fn StatusCell(status: InvoiceStatus, overdue: bool) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <span class=format!("badge invoice-{}", status.code())>{words::invoice_status(l, status)}</span>
        {overdue.then(|| view! { " " <span class="badge badge-overdue">{td_string!(l, invoices.overdue)}</span> })}
    }
}

#[component]
fn InvoiceRow(i: InvoiceSummary) -> impl IntoView {
    let l = expect_context::<Locale>();
    let label = td_string!(l, invoices.select, number = i.number.clone());
    view! {
        <tr class:overdue=i.overdue>
            <td>{(i.status == InvoiceStatus::Open).then(|| view! {
                <input type="checkbox" name="numbers" value=i.number.clone() aria-label=label.clone()/>
            })}</td>
            <td><A href=links::invoice(&i.number)>{i.number.clone()}</A></td>
            <td>{i.csn.clone()}</td>
            <td>{words::date(l, i.issued_on)}</td>
            <td>{words::date(l, i.due_on)}</td>
            <td>{if i.po_number.is_empty() { "—".to_string() } else { i.po_number.clone() }}</td>
            <td class="amount">{words::amount(l, i.total)}</td>
            <td class="amount">{words::amount(l, i.open_amount)}</td>
            <td><StatusCell status=i.status overdue=i.overdue/></td>
        </tr>
    }
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.get().get("number").unwrap_or_default();
    // Saving payers comes back here with `?payers=N`: the invoice is read again.
    let detail = Resource::new(move || (number(), query.get().get("payers")), |(n, _)| invoice(n));
    let reissued = move || query.get().get("reissued").is_some();
    view! {
        <Title text=move || td_string!(l, invoices.detail_title, number = number())/>
        <Authenticated children=move |me| view! {
            <p><A href=links::INVOICES>{td_string!(l, invoices.back)}</A></p>
            <h1>{move || td_string!(l, invoices.detail_title, number = number())}</h1>
            {move || reissued().then(|| view! { <p class="notice notice-success" role="status">{td_string!(l, invoices.reissued)}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <Invoice d link_subscriptions=me.can_view_subscriptions/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Invoice(d: InvoiceDetail, link_subscriptions: bool) -> impl IntoView {
    let l = expect_context::<Locale>();
    let s = d.summary.clone();
    view! {
        <p><StatusCell status=s.status overdue=s.overdue/></p>
        {d.replaced_by.clone().map(|n| view! {
            <p class="notice" role="status">{td_string!(l, invoices.replaced_by)} " " <A href=links::invoice(&n)>{n.clone()}</A></p>
        })}
        {d.payable.then(|| view! {
            <p><A href=links::pay_invoices(std::slice::from_ref(&s.number)) attr:class="button-link primary">
                {td_string!(l, invoices.pay_this, amount = words::amount(l, s.open_amount))}
            </A></p>
        })}
        <p><a href=links::invoice_pdf(&s.number) download="">{td_string!(l, invoices.pdf)}</a></p>
        <dl class="facts">
            <dt>{td_string!(l, invoices.col_payer_number)}</dt><dd>{s.csn.clone()}</dd>
            <dt>{td_string!(l, invoices.col_issued)}</dt><dd>{words::date(l, s.issued_on)}</dd>
            <dt>{td_string!(l, invoices.col_due)}</dt><dd>{words::date(l, s.due_on)}</dd>
            // Buyers (who see subscriptions) open the order; payers see its number only.
            {s.order_number.clone().map(|n| view! {
                <dt>{td_string!(l, invoices.order)}</dt>
                <dd>{if link_subscriptions { view! { <A href=links::order(&n)>{n.clone()}</A> }.into_any() } else { view! { <span>{n.clone()}</span> }.into_any() }}</dd>
            })}
            <dt>{td_string!(l, invoices.col_po)}</dt><dd>{if s.po_number.is_empty() { "—".to_string() } else { s.po_number.clone() }}</dd>
            {(!d.notes.is_empty()).then(|| view! { <dt>{td_string!(l, invoices.notes)}</dt><dd>{d.notes.clone()}</dd> })}
            {d.replaces.clone().map(|n| view! { <dt>{td_string!(l, invoices.replaces)}</dt><dd><A href=links::invoice(&n)>{n.clone()}</A></dd> })}
        </dl>
        <section class="card order" aria-labelledby="h-invoice-lines">
            <h2 id="h-invoice-lines">{td_string!(l, invoices.lines)}</h2>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{td_string!(l, invoices.lines)}</caption>
                    <thead><tr>
                        <th scope="col">{td_string!(l, quotes.col_product)}</th>
                        <th scope="col">{td_string!(l, quotes.col_subscription)}</th>
                        <th scope="col">{td_string!(l, quotes.col_seats)}</th>
                        <th scope="col">{td_string!(l, quotes.col_term)}</th>
                        <th scope="col">{td_string!(l, quotes.col_period)}</th>
                        <th scope="col">{td_string!(l, quotes.col_amount)}</th>
                    </tr></thead>
                    <tbody>
                        {d.lines.iter().map(|line| view! {
                            <tr>
                                <td>{line.product_name.clone()}</td>
                                <td>{match line.subscription_id {
                                    Some(id) if link_subscriptions => view! { <A href=links::subscription(id)>{id.to_string()}</A> }.into_any(),
                                    Some(id) => view! { <span>{id.to_string()}</span> }.into_any(),
                                    None => view! { <span>"—"</span> }.into_any(),
                                }}</td>
                                <td class="num">{line.seats}</td>
                                <td>{words::term(l, line.term)}</td>
                                <td>{td_string!(l, cart.period, from = words::date(l, line.period_start), to = words::date(l, line.period_last_day))}</td>
                                <td class="amount">{words::amount(l, line.amount)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <dl class="totals">
                <dt>{td_string!(l, quotes.subtotal)}</dt><dd>{words::amount(l, d.subtotal)}</dd>
                <dt>{td_string!(l, quotes.tax)}</dt><dd>{words::amount(l, d.tax)}</dd>
                <dt>{td_string!(l, invoices.col_total)}</dt><dd class="amount big">{words::amount(l, s.total)}</dd>
                <dt>{td_string!(l, invoices.paid_so_far)}</dt><dd>{words::amount(l, d.paid)}</dd>
                <dt>{td_string!(l, invoices.col_open)}</dt><dd>{words::amount(l, s.open_amount)}</dd>
            </dl>
        </section>
        <div class="grid">
            <section class="card" aria-labelledby="h-invoice-payers">
                <h2 id="h-invoice-payers">{td_string!(l, invoices.payers)}</h2>
                {if d.can_manage_payers {
                    view! { <ManagePayers of=PayersOf::Invoice(s.number.clone()) payers=d.payers.clone()/> }.into_any()
                } else if d.payers.is_empty() {
                    view! { <p>{td_string!(l, invoices.no_payers)}</p> }.into_any()
                } else {
                    view! { <ul>{d.payers.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul> }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="h-invoice-payments">
                <h2 id="h-invoice-payments">{td_string!(l, invoices.payments)}</h2>
                {if d.payments.is_empty() {
                    view! { <p>{td_string!(l, invoices.no_payments)}</p> }.into_any()
                } else {
                    view! { <ul>{d.payments.clone().into_iter().map(|p| view! {
                        <li><A href=links::invoice_payment(p.id)>{words::date(l, p.made_on)}</A>
                            " · " {words::payment_method(l, &p.method)} " · " {words::amount(l, p.amount)}
                            " · " {words::invoice_payment_state(l, p.state)}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
        </div>
        {d.reissue.clone().map(|form| view! { <Reissue number=s.number.clone() form/> })}
    }
}

/// Reissuing an open invoice with a corrected PO number or notes (R-EXT-4): the invoice is
/// voided and replaced by a new one that is mailed to its payers again.
#[component]
fn Reissue(number: String, form: ReissueForm) -> impl IntoView {
    let l = expect_context::<Locale>();
    let reissue = ServerAction::<ReissueInvoice>::new();
    let error = move || reissue.value().get().and_then(|r| r.err());
    let about = move |field: &'static str| super::components::described_by(error(), field);
    view! {
        <section class="card" aria-labelledby="h-reissue">
            <h2 id="h-reissue">{td_string!(l, invoices.reissue_title)}</h2>
            <p class="hint">{td_string!(l, invoices.reissue_hint)}</p>
            {form.subscription_id.map(|id| view! {
                <p><A href=links::invoice_details(id)>{td_string!(l, invoices.reissue_details_link)}</A></p>
            })}
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=reissue>
                <input type="hidden" name="number" value=number.clone()/>
                <label for="reissue-po">{td_string!(l, invoice_details.po_number)}</label>
                <input id="reissue-po" name="po_number" type="text" value=form.po_number.clone() maxlength=MAX_PO_NUMBER
                    autocomplete="off" aria-describedby=move || about("po_number").0 aria-invalid=move || about("po_number").1/>
                <label for="reissue-notes">{td_string!(l, invoice_details.notes)}</label>
                <textarea id="reissue-notes" name="notes" rows="3"
                    aria-describedby=move || about("notes").0 aria-invalid=move || about("notes").1>{form.notes.clone()}</textarea>
                <button type="submit" class="primary" disabled=move || reissue.pending().get()>{td_string!(l, invoices.reissue_button)}</button>
            </ActionForm>
        </section>
    }
}

/// Whose payers a [`ManagePayers`] form changes: an invoice's (by number), or a subscription's
/// (its invoices from then on, R-INV-4: also from a subscription's page).
#[derive(Debug, Clone)]
pub(super) enum PayersOf {
    Invoice(String),
    Subscription(SubscriptionId),
}

impl PayersOf {
    /// The hidden field that names it in the form.
    fn field(&self) -> (&'static str, String) {
        match self {
            PayersOf::Invoice(number) => ("number", number.clone()),
            PayersOf::Subscription(id) => ("subscription", id.to_string()),
        }
    }
}

/// Manage payers (R-INV-4, R-ROLE-6): the payer addresses, each with its Remove button, and a
/// field to add more; at most 10, checked by the server (the count here is for reading).
#[component]
pub(super) fn ManagePayers(of: PayersOf, payers: Vec<String>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let save = ServerAction::<ManagePayersAction>::new();
    let query = use_query_map();
    let saved = move || query.get().get("payers").is_some() || query.get().get("notice").as_deref() == Some("payers");
    let count = payers.len();
    let (name, value) = of.field();
    let value_for_rows = value.clone();
    let (saved_text, hint) = match &of {
        PayersOf::Invoice(_) => (
            td_string!(l, invoices.payers_saved).to_string(),
            td_string!(l, invoices.add_payers_hint, max = MAX_PAYERS),
        ),
        PayersOf::Subscription(_) => (
            td_string!(l, invoice_details.payers_saved).to_string(),
            td_string!(l, invoice_details.add_payers_hint, max = MAX_PAYERS),
        ),
    };
    let about_field = move || super::components::described_by(save.value().get().and_then(|r| r.err()), "add");
    view! {
        {move || saved().then(|| view! { <p class="notice notice-success" role="status">{saved_text.clone()}</p> })}
        {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        <p class="sub">{td_string!(l, invoices.payers_count, count = count, max = MAX_PAYERS)}</p>
        {if payers.is_empty() {
            view! { <p>{td_string!(l, invoices.no_payers)}</p> }.into_any()
        } else {
            view! {
                <ul class="payers">
                    {payers.into_iter().map(|p| {
                        let value = value_for_rows.clone();
                        let label = td_string!(l, invoices.remove_payer, address = p.clone());
                        view! {
                            <li>
                                {p.clone()} " "
                                <ActionForm action=save attr:class="inline">
                                    <input type="hidden" name=name value=value/>
                                    <input type="hidden" name="remove" value=p.clone()/>
                                    <button type="submit" class="link-button" aria-label=label>{td_string!(l, invoices.remove)}</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <ActionForm action=save>
            <input type="hidden" name=name value=value/>
            <label>
                {td_string!(l, invoices.add_payers)}
                <textarea name="add" rows="3" autocomplete="off" aria-describedby=move || about_field().0 aria-invalid=move || about_field().1></textarea>
                <span class="hint">{hint}</span>
            </label>
            <button type="submit" disabled=move || save.pending().get()>{td_string!(l, invoices.add_payers_button)}</button>
        </ActionForm>
    }
}

/// Paying the invoices ticked in the list (or the one an invoice's page links): the review,
/// the ways to pay them, and one payment for all.
#[component]
pub fn PayInvoicesPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let numbers = move || query.get().get_all("numbers").unwrap_or_default().join(",");
    let all = move || query.get().get("all").unwrap_or_default();
    let review = Resource::new(move || (numbers(), all()), |(n, a)| review_invoice_payment(n, a));
    view! {
        <Title text=td_string!(l, invoices.pay_title)/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::INVOICES>{td_string!(l, invoices.back)}</A></p>
            <h1>{td_string!(l, invoices.pay_title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || review.get().map(|r| match r {
                    Ok(r) => view! { <PayForm r/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn PayForm(r: InvoicePayReview) -> impl IntoView {
    let l = expect_context::<Locale>();
    let pay = ServerAction::<PayInvoices>::new();
    let about_amount = move || super::components::described_by(pay.value().get().and_then(|r| r.err()), "amount");
    let full = r.amount.to_decimal().to_string();
    let first_allowed = r.choices.iter().find(|c| c.refused.is_none()).map(|c| c.value.clone());
    let label = td_string!(l, invoices.pay_amount, amount = words::amount(l, r.amount));
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{td_string!(l, invoices.pay_caption)}</caption>
                <thead><tr>
                    <th scope="col">{td_string!(l, invoices.col_number)}</th>
                    <th scope="col">{td_string!(l, invoices.col_payer_number)}</th>
                    <th scope="col">{td_string!(l, invoices.col_due)}</th>
                    <th scope="col">{td_string!(l, invoices.col_open)}</th>
                    <th scope="col">{td_string!(l, invoices.col_status)}</th>
                </tr></thead>
                <tbody>
                    {r.invoices.clone().into_iter().map(|i| view! {
                        <tr>
                            <td><A href=links::invoice(&i.number)>{i.number.clone()}</A></td>
                            <td>{i.csn.clone()}</td>
                            <td>{words::date(l, i.due_on)}</td>
                            <td class="amount">{words::amount(l, i.open_amount)}</td>
                            <td><StatusCell status=i.status overdue=i.overdue/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p><strong>{td_string!(l, invoices.pay_total)} " " {words::amount(l, r.amount)}</strong></p>
        {r.credit.map(|c| view! {
            <p class="notice" role="status">{td_string!(l, invoices.credit_available, amount = words::amount(l, c))}</p>
        })}
        {move || pay.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        <ActionForm action=pay attr:class="checkout">
            <input type="hidden" name="numbers" value=r.numbers.clone()/>
            <label for="pay-amount">{td_string!(l, invoices.amount_label)} " (" {r.amount.currency().code()} ")"</label>
            <input id="pay-amount" name="amount" type="text" inputmode="decimal" value=full autocomplete="off"
                aria-describedby=move || format!("pay-amount-hint {}", about_amount().0.unwrap_or_default()) aria-invalid=move || about_amount().1/>
            <p class="hint" id="pay-amount-hint">{td_string!(l, invoices.amount_hint)}</p>
            <CheckoutKey initial=r.pay_key.clone() name="pay_key" failed=Signal::derive(move || pay.value().with(|v| matches!(v, Some(Err(_)))))/>
            <fieldset>
                <legend>{td_string!(l, cart.method)}</legend>
                {r.choices.iter().map(|c| {
                    let checked = Some(&c.value) == first_allowed.as_ref();
                    view! {
                        <label class="choice">
                            <input type="radio" name="payment_method" value=c.value.clone() checked=checked disabled=c.refused.is_some()/>
                            {words::payment_method(l, &c.method)}
                            {c.refused.as_ref().map(|why| view! { <span class="sub">{words::payment_refusal(l, why)}</span> })}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="hint">{td_string!(l, invoices.transfer_hint)}</p>
            {r.credit.is_some().then(|| view! { <p class="hint">{td_string!(l, invoices.credit_hint)}</p> })}
            <button type="submit" class="primary" disabled=move || pay.pending().get()>
                {move || if pay.pending().get() { td_string!(l, invoices.paying).to_string() } else { label.clone() }}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn PaymentPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<PaymentId>().ok());
    let payment = Resource::new(id, |id| async move {
        match id {
            Some(id) => invoice_payment(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text=td_string!(l, invoices.payment_title)/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::INVOICES>{td_string!(l, invoices.back)}</A></p>
            <h1>{td_string!(l, invoices.payment_title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || payment.get().map(|r| match r {
                    Ok(p) => view! { <Payment p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Payment(p: InvoicePaymentView) -> impl IntoView {
    let l = expect_context::<Locale>();
    let (class, text) = match p.state {
        InvoicePaymentState::Succeeded => {
            ("notice notice-success", td_string!(l, invoices.paid_notice, amount = words::amount(l, p.amount)))
        }
        InvoicePaymentState::Pending => {
            ("notice", td_string!(l, invoices.pending_notice, amount = words::amount(l, p.amount)))
        }
        InvoicePaymentState::Failed => {
            ("notice notice-error", td_string!(l, invoices.failed_notice, amount = words::amount(l, p.amount)))
        }
    };
    view! {
        <div class=class role="status">{text}</div>
        <dl class="facts">
            <dt>{td_string!(l, invoices.payment_state)}</dt><dd>{words::invoice_payment_state(l, p.state)}</dd>
            <dt>{td_string!(l, detail.payment_method)}</dt><dd>{words::payment_method(l, &p.method)}</dd>
            <dt>{td_string!(l, invoices.made_on)}</dt><dd>{words::date(l, p.made_on)}</dd>
            {p.failure.map(|f| view! { <dt>{td_string!(l, invoices.failure)}</dt><dd>{words::problem(l, &crate::contract::problem::Problem::PaymentDeclined(f))}</dd> })}
        </dl>
        <h2>{td_string!(l, invoices.paid_invoices)}</h2>
        <ul>
            {p.invoices.clone().into_iter().map(|(n, a)| view! {
                <li><A href=links::invoice(&n)>{n.clone()}</A> " · " {words::amount(l, a)}</li>
            }).collect_view()}
        </ul>
    }
}
