//! Quotes (`/billing/quotes`, `/billing/quotes/:number`): the organisation's quotes, active ones
//! first (R-QUOTE-7), and one quote with its lines, promotions (R-QUOTE-5), tax and total, the
//! customer as printed on it (R-QUOTE-8) and who received it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::components::{Authenticated, ErrorNotice};
use super::renew::{CheckoutKey, PaymentFields};
use crate::api::{AcceptQuote, quote, quotes};
use crate::contract::dto::{QuoteAcceptance, QuoteCheckout, QuoteDetail, QuoteSummary, QuotesPage};
use crate::contract::links;
use crate::domain::quote::{AcceptRefusal, QuoteStatus};
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn QuotesPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let list = Resource::new(|| (), |_| quotes());
    view! {
        <Title text=td_string!(l, quotes.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, quotes.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(p) => view! { <QuoteList p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn QuoteList(p: QuotesPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    if p.rows.is_empty() {
        return view! { <p>{td_string!(l, quotes.empty)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{td_string!(l, quotes.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, quotes.col_number)}</th>
                        <th scope="col">{td_string!(l, quotes.col_source)}</th>
                        <th scope="col">{td_string!(l, list.col_csn)}</th>
                        <th scope="col">{td_string!(l, quotes.col_created)}</th>
                        <th scope="col">{td_string!(l, quotes.col_expires)}</th>
                        <th scope="col">{td_string!(l, quotes.col_total)}</th>
                        <th scope="col">{td_string!(l, quotes.col_status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.rows.into_iter().map(|q| view! { <QuoteRow q/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn QuoteRow(q: QuoteSummary) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <tr>
            <td><A href=links::quote(&q.number)>{q.number.clone()}</A></td>
            <td>{words::quote_origin(l, q.origin, q.partner_name.as_deref())}</td>
            <td>{q.csn.clone()}</td>
            <td>{words::date(l, q.created_on)}</td>
            <td>{words::date(l, q.expires_on)}</td>
            <td class="amount">{words::amount(l, q.total)}</td>
            <td><span class=format!("badge quote-{}", q.status.code())>{words::quote_status(l, q.status)}</span>
                {q.outdated.then(|| view! { <div class="sub">{td_string!(l, quotes.outdated)}</div> })}</td>
        </tr>
    }
}

#[component]
pub fn QuotePage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let number = move || params.get().get("number").unwrap_or_default();
    let detail = Resource::new(number, quote);
    let query = leptos_router::hooks::use_query_map();
    let sent = move || query.get().get("sent").is_some();
    view! {
        <Title text=move || td_string!(l, quotes.detail_title, number = number())/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::QUOTES>{td_string!(l, quotes.back)}</A></p>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <Quote d sent=sent()/> }.into_any(),
                    Err(e) => view! {
                        <h1>{td_string!(l, quotes.detail_title, number = number())}</h1>
                        <ErrorNotice error=e/>
                    }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Quote(d: QuoteDetail, sent: bool) -> impl IntoView {
    let l = expect_context::<Locale>();
    let s = d.summary.clone();
    let expires = words::date(l, s.expires_on);
    let standing = match s.status {
        QuoteStatus::Active => view! { <p class="notice">{td_string!(l, quotes.valid_until, date = expires)}</p> }.into_any(),
        QuoteStatus::Expired => view! {
            <p class="notice notice-error" role="status">{td_string!(l, quotes.expired_notice, date = expires)}</p>
        }
        .into_any(),
        QuoteStatus::Accepted => view! {
            <p class="notice notice-success" role="status">
                {td_string!(l, quotes.accepted_notice)} " "
                {d.order_number.clone().map(|n| view! { <A href=links::order(&n)>{td_string!(l, quotes.accepted_order, number = n.clone())}</A> })}
            </p>
        }
        .into_any(),
        QuoteStatus::Replaced => view! { <p class="notice" role="status">{td_string!(l, quotes.replaced_notice)}</p> }.into_any(),
    };
    view! {
        <h1>{td_string!(l, quotes.detail_title, number = s.number.clone())}</h1>
        <p>
            <span class=format!("badge quote-{}", s.status.code())>{words::quote_status(l, s.status)}</span>
            " · " {words::quote_kind(l, s.kind)}
            " · " {words::quote_origin(l, s.origin, s.partner_name.as_deref())}
            " · " {td_string!(l, quotes.created_on, date = words::date(l, s.created_on))}
        </p>
        {sent.then(|| view! {
            <div class="notice notice-success" role="status">{td_string!(l, new_quote.sent_notice, number = s.number.clone())}</div>
        })}
        {standing}
        <p><a href=links::quote_pdf(&s.number) download="">{td_string!(l, new_quote.pdf)}</a></p>
        {match d.acceptance.clone() {
            QuoteAcceptance::Open(c) => view! { <AcceptForm number=s.number.clone() c/> }.into_any(),
            // Expired, accepted and replaced quotes say so above; an outdated one says why here.
            QuoteAcceptance::Refused(AcceptRefusal::Outdated) => view! {
                <p class="notice notice-error" role="status">{words::quote_refusal(l, AcceptRefusal::Outdated)}</p>
            }
            .into_any(),
            QuoteAcceptance::Refused(_) => ().into_any(),
        }}
        <div class="grid">
            <section class="card" aria-labelledby="h-quote-customer">
                <h2 id="h-quote-customer">{td_string!(l, quotes.customer)}</h2>
                <p>{d.customer_name.clone()}<br/>{d.customer_address.clone()}<br/>{td_string!(l, detail.csn)} " " {s.csn.clone()}</p>
                {s.partner_name.clone().map(|name| view! {
                    <h3>{td_string!(l, quotes.partner)}</h3>
                    <p>{name}{d.partner_csn.clone().map(|c| view! { <br/>{td_string!(l, quotes.partner_csn, csn = c)} })}</p>
                })}
                <h3>{td_string!(l, quotes.recipients)}</h3>
                <ul>{d.recipients.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            </section>
        </div>
        <section class="card order" aria-labelledby="h-quote-lines">
            <h2 id="h-quote-lines">{td_string!(l, quotes.lines)}</h2>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{td_string!(l, quotes.lines)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, quotes.col_product)}</th>
                            <th scope="col">{td_string!(l, quotes.col_subscription)}</th>
                            <th scope="col">{td_string!(l, quotes.col_seats)}</th>
                            <th scope="col">{td_string!(l, quotes.col_term)}</th>
                            <th scope="col">{td_string!(l, quotes.col_period)}</th>
                            <th scope="col">{td_string!(l, quotes.col_unit)}</th>
                            <th scope="col">{td_string!(l, quotes.col_discount)}</th>
                            <th scope="col">{td_string!(l, quotes.col_amount)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.lines.iter().map(|line| view! {
                            <tr>
                                <td>{line.product_name.clone()}</td>
                                <td>{match line.subscription_id {
                                    Some(id) => view! { <A href=links::subscription(id)>{id.to_string()}</A> }.into_any(),
                                    None => view! { <span>{td_string!(l, quotes.new_subscription)}</span> }.into_any(),
                                }}</td>
                                <td class="num">{line.seats}</td>
                                <td>{words::term(l, line.term)}</td>
                                <td>{match (line.period_start, line.period_last_day) {
                                    (Some(from), Some(to)) => td_string!(l, cart.period, from = words::date(l, from), to = words::date(l, to)).to_string(),
                                    _ => "—".to_string(),
                                }}</td>
                                <td class="amount">{words::amount(l, line.unit_price)}</td>
                                <td>{if line.discount.is_zero() { "—".to_string() } else { format!("−{}", words::amount(l, line.discount)) }}
                                    {line.promotion.clone().map(|p| view! { <div class="sub">{p}</div> })}</td>
                                <td class="amount">{words::amount(l, line.net)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <dl class="totals">
                {(!d.discount.is_zero()).then(|| view! {
                    <dt>{td_string!(l, quotes.list_total)}</dt><dd>{words::amount(l, d.list)}</dd>
                    <dt>{td_string!(l, quotes.discounts)}</dt><dd>{format!("−{}", words::amount(l, d.discount))}</dd>
                })}
                <dt>{td_string!(l, quotes.subtotal)}</dt><dd>{words::amount(l, d.subtotal)}</dd>
                <dt>{td_string!(l, quotes.tax)}</dt><dd>{words::amount(l, d.tax)}</dd>
                <dt>{td_string!(l, quotes.total)}</dt><dd class="amount big">{words::amount(l, s.total)}</dd>
            </dl>
        </section>
    }
}

/// Accept and buy (R-QUOTE-7): the payment choices of the checkout (R-PAY-2, R-PAY-3), one order
/// at the quote's prices, charged once per checkout key.
#[component]
fn AcceptForm(number: String, c: QuoteCheckout) -> impl IntoView {
    let l = expect_context::<Locale>();
    let accept = ServerAction::<AcceptQuote>::new();
    let label = td_string!(l, quotes.accept, amount = words::amount(l, c.due_now));
    view! {
        <section class="card order" aria-labelledby="h-quote-accept">
            <h2 id="h-quote-accept">{td_string!(l, quotes.accept_title)}</h2>
            <p>{td_string!(l, quotes.accept_intro)}</p>
            {move || accept.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=accept attr:class="checkout">
                <input type="hidden" name="number" value=number/>
                <CheckoutKey initial=c.checkout_key.clone() failed=Signal::derive(move || accept.value().with(|v| matches!(v, Some(Err(_)))))/>
                <PaymentFields methods=c.methods.clone() default_method=c.default_method/>
                <button type="submit" class="primary" disabled=move || accept.pending().get()>
                    {move || if accept.pending().get() { td_string!(l, quotes.accepting).to_string() } else { label.clone() }}
                </button>
            </ActionForm>
        </section>
    }
}
