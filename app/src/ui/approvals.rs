//! Approvals (`/billing/approvals`, `/billing/approvals/:number`): the organisation's approval
//! threshold, the orders held for another buyer's approval, and one request with what it would
//! order and the buttons the viewer may use (approve or reject; withdraw for the one who asked).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::components::{Authenticated, ErrorNotice};
use crate::api::{
    ApproveOrder, RejectOrder, RemoveApprovalThreshold, SetApprovalThreshold, WithdrawOrderRequest, approval, approvals,
};
use crate::contract::dto::{ApprovalDetail, ApprovalSummary, ApprovalsPage as Page};
use crate::contract::links;
use crate::domain::approval::{ApprovalStatus, MAX_NOTE};
use crate::domain::money::Currency;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let set = ServerAction::<SetApprovalThreshold>::new();
    let remove = ServerAction::<RemoveApprovalThreshold>::new();
    // Read again after each change (the change's redirect lands on this same page).
    let list = Resource::new(move || (set.version().get(), remove.version().get()), |_| approvals());
    let query = use_query_map();
    let saved = move || query.get().get("saved").is_some();
    let removed = move || query.get().get("removed").is_some();
    view! {
        <Title text=td_string!(l, approvals.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, approvals.title)}</h1>
            <p>{td_string!(l, approvals.intro)}</p>
            {move || saved().then(|| view! { <p class="notice notice-success" role="status">{td_string!(l, approvals.saved)}</p> })}
            {move || removed().then(|| view! { <p class="notice notice-success" role="status">{td_string!(l, approvals.removed)}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(p) => view! { <Threshold p=p.clone() set remove/> <Requests rows=p.requests/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

/// The threshold as it is, and the form that sets, changes or removes it.
#[component]
fn Threshold(
    p: Page,
    set: ServerAction<SetApprovalThreshold>,
    remove: ServerAction<RemoveApprovalThreshold>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let current = p.threshold.clone();
    let chosen = current.as_ref().map(|t| t.amount.currency()).unwrap_or(Currency::Eur);
    let typed = current.as_ref().map(|t| t.amount.to_decimal().to_string()).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="h-threshold">
            <h2 id="h-threshold">{td_string!(l, approvals.threshold_title)}</h2>
            {match current.clone() {
                Some(t) => view! {
                    <p>{td_string!(l, approvals.threshold_set, amount = words::amount(l, t.amount), name = t.set_by, date = words::date(l, t.set_on))}</p>
                }.into_any(),
                None => view! { <p>{td_string!(l, approvals.threshold_none)}</p> }.into_any(),
            }}
            <p class="sub">{td_string!(l, approvals.threshold_currencies)}</p>
            {(p.buyers < 2).then(|| view! { <p class="notice">{td_string!(l, approvals.one_buyer)}</p> })}
            {move || set.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=set>
                <label for="threshold-amount">{td_string!(l, approvals.amount)}</label>
                <input id="threshold-amount" name="amount" inputmode="decimal" autocomplete="off" required value=typed/>
                <label for="threshold-currency">{td_string!(l, approvals.currency)}</label>
                <select id="threshold-currency" name="currency">
                    {Currency::ALL.into_iter().map(|c| view! {
                        <option value=c.code() selected=c == chosen>{c.code()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="primary" disabled=move || set.pending().get()>{td_string!(l, approvals.save)}</button>
            </ActionForm>
            {current.is_some().then(|| view! {
                {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                <ActionForm action=remove attr:class="inline">
                    <button type="submit" disabled=move || remove.pending().get()>{td_string!(l, approvals.remove)}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn Requests(rows: Vec<ApprovalSummary>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <section aria-labelledby="h-requests">
            <h2 id="h-requests">{td_string!(l, approvals.requests)}</h2>
            {if rows.is_empty() {
                view! { <p>{td_string!(l, approvals.empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption class="visually-hidden">{td_string!(l, approvals.caption)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{td_string!(l, approvals.col_number)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_kind)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_by)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_date)}</th>
                                    <th scope="col">{td_string!(l, list.col_csn)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_total)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_status)}</th>
                                    <th scope="col">{td_string!(l, approvals.col_order)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! { <RequestRow r/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn RequestRow(r: ApprovalSummary) -> impl IntoView {
    let l = expect_context::<Locale>();
    let order = r.order_number.clone();
    view! {
        <tr>
            <td><A href=links::approval(&r.number)>{r.number.clone()}</A></td>
            <td>{words::approval_kind(l, r.kind, None)}</td>
            <td>{r.requested_by.clone()}</td>
            <td>{words::date(l, r.requested_on)}</td>
            <td>{r.csn.clone()}</td>
            <td class="amount">{words::amount(l, r.total)}</td>
            <td><span class=format!("badge approval-{}", r.status.code())>{words::approval_status(l, r.status)}</span></td>
            <td>{match order {
                Some(n) => view! { <A href=links::order(&n)>{n.clone()}</A> }.into_any(),
                None => view! { <span>"—"</span> }.into_any(),
            }}</td>
        </tr>
    }
}

#[component]
pub fn ApprovalPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let number = move || params.get().get("number").unwrap_or_default();
    let approve = ServerAction::<ApproveOrder>::new();
    let reject = ServerAction::<RejectOrder>::new();
    let withdraw = ServerAction::<WithdrawOrderRequest>::new();
    let detail = Resource::new(
        move || (number(), approve.version().get(), reject.version().get(), withdraw.version().get()),
        |(n, ..)| approval(n),
    );
    let query = use_query_map();
    let held = move || query.get().get("held").is_some();
    view! {
        <Title text=move || td_string!(l, approvals.detail_title, number = number())/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::APPROVALS>{td_string!(l, approvals.back)}</A></p>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <Request d held=held() approve reject withdraw/> }.into_any(),
                    Err(e) => view! {
                        <h1>{td_string!(l, approvals.detail_title, number = number())}</h1>
                        <ErrorNotice error=e/>
                    }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

/// Where the request stands, in words.
fn standing(l: Locale, d: &ApprovalDetail) -> AnyView {
    let by = d.decided_by.clone().unwrap_or_default();
    let on = d.decided_on.map(|day| words::date(l, day)).unwrap_or_default();
    let note = (!d.note.is_empty()).then(|| td_string!(l, approvals.note_shown, note = d.note.clone()));
    match d.summary.status {
        ApprovalStatus::Pending => {
            view! { <p class="notice" role="status">{td_string!(l, approvals.pending_notice)}</p> }.into_any()
        }
        ApprovalStatus::Approved => {
            let placed = match d.summary.order_number.clone() {
                Some(n) => view! { " " <A href=links::order(&n)>{td_string!(l, approvals.placed_as, number = n.clone())}</A> }.into_any(),
                None => view! { " " {td_string!(l, approvals.declined_after)} }.into_any(),
            };
            view! {
                <p class="notice notice-success" role="status">{td_string!(l, approvals.approved_notice, name = by, date = on)}{placed}</p>
            }
            .into_any()
        }
        ApprovalStatus::Rejected => view! {
            <div class="notice notice-error" role="status">
                <p>{td_string!(l, approvals.rejected_notice, name = by, date = on)}</p>
                {note.map(|n| view! { <p>{n}</p> })}
            </div>
        }
        .into_any(),
        ApprovalStatus::Withdrawn => {
            view! { <p class="notice" role="status">{td_string!(l, approvals.withdrawn_notice, date = on)}</p> }.into_any()
        }
        ApprovalStatus::Outdated => {
            view! { <p class="notice notice-error" role="status">{td_string!(l, approvals.outdated_notice, date = on)}</p> }
                .into_any()
        }
    }
}

#[component]
fn Request(
    d: ApprovalDetail,
    held: bool,
    approve: ServerAction<ApproveOrder>,
    reject: ServerAction<RejectOrder>,
    withdraw: ServerAction<WithdrawOrderRequest>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let s = d.summary.clone();
    let kind = words::approval_kind(l, s.kind, d.quote_number.as_deref());
    let quote_link = d.quote_number.clone().map(|q| links::quote(&q));
    view! {
        <h1>{td_string!(l, approvals.detail_title, number = s.number.clone())}</h1>
        <p>
            <span class=format!("badge approval-{}", s.status.code())>{words::approval_status(l, s.status)}</span>
            " · " {match quote_link {
                Some(href) => view! { <A href=href>{kind.clone()}</A> }.into_any(),
                None => view! { <span>{kind.clone()}</span> }.into_any(),
            }}
            " · " {td_string!(l, approvals.asked, name = s.requested_by.clone(), date = words::date(l, s.requested_on))}
        </p>
        {(held && s.status == ApprovalStatus::Pending).then(|| view! {
            <div class="notice notice-success" role="status">{td_string!(l, approvals.held_notice, threshold = words::amount(l, d.threshold))}</div>
        })}
        {standing(l, &d)}
        {d.can_decide.then(|| view! { <Decide number=s.number.clone() asker=s.requested_by.clone() total=words::amount(l, s.total) approve reject/> })}
        {d.can_withdraw.then(|| view! { <Withdraw number=s.number.clone() withdraw/> })}
        <section class="card order" aria-labelledby="h-request-lines">
            <h2 id="h-request-lines">{td_string!(l, approvals.lines)}</h2>
            <p>{d.company_name.clone()} " · " {td_string!(l, detail.csn)} " " {s.csn.clone()}</p>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{td_string!(l, approvals.lines)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, quotes.col_product)}</th>
                            <th scope="col">{td_string!(l, quotes.col_subscription)}</th>
                            <th scope="col">{td_string!(l, quotes.col_seats)}</th>
                            <th scope="col">{td_string!(l, quotes.col_term)}</th>
                            <th scope="col">{td_string!(l, quotes.col_period)}</th>
                            <th scope="col">{td_string!(l, quotes.col_amount)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.lines.clone().into_iter().map(|line| view! {
                            <tr>
                                <td>{line.product_name.clone()}</td>
                                <td><A href=links::subscription(line.subscription_id)>{line.subscription_id.to_string()}</A></td>
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
                <dt>{td_string!(l, cart.total)}</dt><dd class="amount big">{words::amount(l, s.total)}</dd>
                <dt>{td_string!(l, approvals.threshold_when_asked)}</dt><dd>{words::amount(l, d.threshold)}</dd>
                <dt>{td_string!(l, detail.payment_method)}</dt><dd>{words::payment_method(l, &d.payment_method)}</dd>
                {(!d.po_number.is_empty()).then(|| view! {
                    <dt>{td_string!(l, approvals.po_number)}</dt><dd>{d.po_number.clone()}</dd>
                })}
            </dl>
        </section>
    }
}

/// Approve (places the order now) or reject with a note, for a buyer who did not ask.
#[component]
fn Decide(
    number: String,
    asker: String,
    total: String,
    approve: ServerAction<ApproveOrder>,
    reject: ServerAction<RejectOrder>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let label = td_string!(l, approvals.approve, amount = total);
    let note_label = td_string!(l, approvals.note, name = asker.clone());
    let busy = move || approve.pending().get() || reject.pending().get();
    let n2 = number.clone();
    view! {
        <section class="card order" aria-labelledby="h-decide">
            <h2 id="h-decide">{td_string!(l, approvals.decide_title)}</h2>
            <p>{td_string!(l, approvals.decide_intro, name = asker)}</p>
            {move || approve.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=approve attr:class="checkout">
                <input type="hidden" name="number" value=number/>
                <button type="submit" class="primary" disabled=busy>
                    {move || if approve.pending().get() { td_string!(l, approvals.approving).to_string() } else { label.clone() }}
                </button>
            </ActionForm>
            {move || reject.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=reject>
                <input type="hidden" name="number" value=n2/>
                <label for="reject-note">{note_label}</label>
                <textarea id="reject-note" name="note" rows="3" maxlength=MAX_NOTE.to_string()></textarea>
                <button type="submit" disabled=busy>{td_string!(l, approvals.reject)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Withdraw(number: String, withdraw: ServerAction<WithdrawOrderRequest>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <section class="card" aria-labelledby="h-withdraw">
            <h2 id="h-withdraw">{td_string!(l, approvals.withdraw)}</h2>
            <p>{td_string!(l, approvals.withdraw_intro)}</p>
            {move || withdraw.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=withdraw>
                <input type="hidden" name="number" value=number/>
                <button type="submit" disabled=move || withdraw.pending().get()>{td_string!(l, approvals.withdraw)}</button>
            </ActionForm>
        </section>
    }
}
