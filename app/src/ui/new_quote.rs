//! A new renewal quote (`/billing/quotes/new?ids=...`), from the bulk renew screen (R-BULK-4)
//! or the cart (R-QUOTE-2): the items priced at today's prices, users and term adjusted with a
//! plain GET form ("Update prices"); or a co-term quote (`?ids=N&align=T`, from a subscription's
//! "Align end date" review): its extension to end with T, priced as checkout would, nothing to
//! adjust. Then the customer as printed on this quote (R-QUOTE-8), the recipients (R-QUOTE-1),
//! R-REN-4's consent and the human check, sent with a plain form.
//! Everything works without JavaScript; the server decides every limit.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice, StatusBadge, described_by};
use crate::api::{SendQuote, review_quote};
use crate::contract::dto::QuoteDraft;
use crate::contract::links;
use crate::domain::selection::join_ids;
use crate::i18n::{Locale, td_string};
use crate::words;

/// The field a line's users are typed in: `s` and the subscription id.
fn seats_field(id: impl std::fmt::Display) -> String {
    format!("s{id}")
}

#[component]
pub fn NewQuotePage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Ids come as "1,2,3" (links) or as repeated `ids` fields (a form); users as `s<id>` fields.
    let request = move || {
        let q = query.get();
        let ids = q.get_all("ids").unwrap_or_default().join(",");
        let term = q.get("term").unwrap_or_default();
        let align = q.get("align").unwrap_or_default();
        let seats = ids
            .split(',')
            .filter_map(|id| q.get(&seats_field(id.trim())).map(|n| format!("{}:{}", id.trim(), n.trim())))
            .filter(|pair| !pair.ends_with(':'))
            .collect::<Vec<_>>()
            .join(",");
        (ids, term, seats, align)
    };
    let coterm = move || query.with(|q| q.get("align").is_some_and(|a| !a.is_empty()));
    let title = move || if coterm() { td_string!(l, new_quote.coterm_title) } else { td_string!(l, new_quote.title) };
    let draft = Resource::new(request, |(ids, term, seats, align)| review_quote(ids, term, seats, align));
    view! {
        <Title text=title/>
        <Authenticated children=move |_me| view! {
            <h1>{title}</h1>
            <p>{move || if coterm() { td_string!(l, new_quote.coterm_intro) } else { td_string!(l, new_quote.intro) }}</p>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, new_quote.checking)}</p> }>
                {move || draft.get().map(|r| match r {
                    Ok(d) => view! { <Draft d/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
            <p><A href=links::SUBSCRIPTIONS>{td_string!(l, new_quote.back)}</A></p>
        }/>
    }
}

#[component]
fn Draft(d: QuoteDraft) -> impl IntoView {
    let l = expect_context::<Locale>();
    let send = ServerAction::<SendQuote>::new();
    let error = move || send.value().get().and_then(|r| r.err());
    let tax_label = if d.tax_exempt {
        td_string!(l, cart.tax_exempt).to_string()
    } else {
        td_string!(l, cart.tax, rate = words::lang(l).decimal_text(&d.tax_percent))
    };
    let consent_ids = join_ids(&d.auto_renew_off).replace(',', ", ");
    let ids_all = d.ids.clone();
    let term = d.term;
    let align = d.align.clone();
    let coterm = align.is_some();
    let align_id = align.as_ref().map(|a| a.target.to_string()).unwrap_or_default();
    // What the plain forms' children show, owned: a component's children outlive this function.
    let rows = d.lines.iter().map(|line| {
                                let label = td_string!(l, new_quote.seats_label, product = &line.product_name, id = line.id);
                                let hint_id = format!("seats-hint-{}", line.id);
                                let id = line.id;
                                view! {
                                    <tr>
                                        <td>{line.product_name.clone()}<div class="sub"><StatusBadge status=line.status/></div></td>
                                        <td><A href=links::subscription(id)>{id.to_string()}</A></td>
                                        <td>
                                            {if coterm {
                                                // A co-term extends every seat as it is: nothing to adjust.
                                                line.seats.to_string().into_any()
                                            } else {
                                                view! {
                                                    <input type="number" name=seats_field(line.id) min="1" max=line.seats_now.to_string()
                                                        value=line.seats.to_string() aria-label=label aria-describedby=hint_id.clone() class="seats"/>
                                                    <div class="sub" id=hint_id>{td_string!(l, new_quote.seats_hint, seats = line.seats_now)}</div>
                                                }.into_any()
                                            }}
                                        </td>
                                        <td>{td_string!(l, cart.period, from = words::date(l, line.period_start), to = words::date(l, line.period_last_day))}</td>
                                        <td class="amount">{words::amount(l, line.unit_price)}</td>
                                        <td>{if line.discount.is_zero() { "—".to_string() } else { format!("−{}", words::amount(l, line.discount)) }}
                                            {line.promotion.clone().map(|p| view! { <div class="sub">{p}</div> })}</td>
                                        <td class="amount">{words::amount(l, line.net)}</td>
                                    </tr>
                                }
                            }).collect_view();
    let terms = d
        .terms
        .iter()
        .map(|t| {
            let chosen = *t == term;
            view! { <option value=t.code() selected=chosen>{words::term(l, *t)}</option> }
        })
        .collect_view();
    view! {
        <section class="card order" aria-labelledby="h-quote-items">
            <h2 id="h-quote-items">
                {td_string!(l, new_quote.items)} " · " {d.company_name.clone()} " · " {td_string!(l, detail.csn)} " " {d.csn.clone()}
            </h2>
            {align.clone().map(|a| view! {
                <p>{td_string!(l, new_quote.coterm_heading, product = &d.lines[0].product_name, id = d.lines[0].id,
                    date = words::date(l, a.new_renewal), target = &a.target_product, target_id = a.target)}</p>
            })}
            // Users and term: a plain GET form back to this page, priced again by the server.
            <Form method="GET" action=links::NEW_QUOTE attr:class="quote-items">
                <input type="hidden" name="ids" value=ids_all/>
                <div class="table-wrap">
                    <table>
                        <caption class="visually-hidden">{td_string!(l, new_quote.items_caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{td_string!(l, quotes.col_product)}</th>
                                <th scope="col">{td_string!(l, quotes.col_subscription)}</th>
                                <th scope="col">{td_string!(l, quotes.col_seats)}</th>
                                <th scope="col">{td_string!(l, quotes.col_period)}</th>
                                <th scope="col">{td_string!(l, quotes.col_unit)}</th>
                                <th scope="col">{td_string!(l, quotes.col_discount)}</th>
                                <th scope="col">{td_string!(l, quotes.col_amount)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows}
                        </tbody>
                    </table>
                </div>
                {(!coterm).then(|| view! {
                    <label>
                        {td_string!(l, new_quote.term)}
                        <select name="term">
                            {terms}
                        </select>
                    </label>
                    <button type="submit">{td_string!(l, new_quote.update)}</button>
                })}
            </Form>
            <dl class="totals">
                {(!d.discount.is_zero()).then(|| view! {
                    <dt>{td_string!(l, quotes.list_total)}</dt><dd>{words::amount(l, d.list)}</dd>
                    <dt>{td_string!(l, quotes.discounts)}</dt><dd>{format!("−{}", words::amount(l, d.discount))}</dd>
                })}
                <dt>{td_string!(l, quotes.subtotal)}</dt><dd>{words::amount(l, d.subtotal)}</dd>
                <dt>{tax_label}</dt><dd>{words::amount(l, d.tax)}</dd>
                <dt>{td_string!(l, quotes.total)}</dt><dd class="amount big">{words::amount(l, d.total)}</dd>
            </dl>
            <p>{td_string!(l, new_quote.expires, date = words::date(l, d.last_day))}</p>
        </section>
        {(!d.left_out.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="h-quote-left-out">
                <h2 id="h-quote-left-out">{td_string!(l, new_quote.left_out)}</h2>
                <p>{td_string!(l, new_quote.left_out_intro)}</p>
                <ul>{d.left_out.iter().map(|r| view! { <li>{words::renew_refused(l, r)}</li> }).collect_view()}</ul>
            </section>
        })}
        <section class="card" aria-labelledby="h-quote-send">
            <h2 id="h-quote-send">{td_string!(l, new_quote.send_title)}</h2>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=send attr:class="send-quote">
                <input type="hidden" name="ids" value=d.ids.clone()/>
                <input type="hidden" name="term" value=d.term.code()/>
                <input type="hidden" name="seats" value=d.seats.clone()/>
                <input type="hidden" name="align" value=align_id/>
                <input type="hidden" name="fingerprint" value=d.fingerprint.clone()/>
                <input type="hidden" name="check_nonce" value=d.check.nonce.clone()/>
                <fieldset>
                    <legend>{td_string!(l, new_quote.customer)}</legend>
                    <p class="hint">{td_string!(l, new_quote.customer_hint)}</p>
                    <label>
                        {td_string!(l, new_quote.customer_name)}
                        <input type="text" name="customer_name" value=d.customer_name.clone() maxlength="200" required
                            aria-describedby=move || described_by(error(), "customer_name").0
                            aria-invalid=move || described_by(error(), "customer_name").1/>
                    </label>
                    <label>
                        {td_string!(l, new_quote.customer_address)}
                        <input type="text" name="customer_address" value=d.customer_address.clone() maxlength="200" required
                            aria-describedby=move || described_by(error(), "customer_address").0
                            aria-invalid=move || described_by(error(), "customer_address").1/>
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{td_string!(l, new_quote.recipients)}</legend>
                    <p class="hint">{td_string!(l, new_quote.recipients_hint, max = d.max_extra)}</p>
                    {d.members.iter().map(|(name, email)| view! {
                        <label class="choice">
                            <input type="checkbox" name="members[]" value=email.clone()/>
                            {format!("{name} <{email}>")}
                        </label>
                    }).collect_view()}
                    <label>
                        {td_string!(l, new_quote.extra, max = d.max_extra)}
                        <textarea name="extra" rows="4" autocomplete="off"
                            aria-describedby=move || described_by(error(), "extra").0
                            aria-invalid=move || described_by(error(), "extra").1></textarea>
                    </label>
                </fieldset>
                {(!d.auto_renew_off.is_empty()).then(|| view! {
                    <fieldset>
                        <legend>{td_string!(l, new_quote.consent_title)}</legend>
                        <label class="choice">
                            <input type="checkbox" name="consent" value="yes"
                                aria-describedby=move || described_by(error(), "consent").0
                                aria-invalid=move || described_by(error(), "consent").1/>
                            {td_string!(l, new_quote.consent, ids = consent_ids.clone())}
                        </label>
                    </fieldset>
                })}
                <label>
                    {td_string!(l, new_quote.check, a = d.check.a, b = d.check.b)}
                    <input type="text" name="check_answer" inputmode="numeric" autocomplete="off" required size="4"
                        aria-describedby=move || described_by(error(), "check_answer").0.unwrap_or("check-hint")
                        aria-invalid=move || described_by(error(), "check_answer").1/>
                    <span class="hint" id="check-hint">{td_string!(l, new_quote.check_hint)}</span>
                </label>
                <button type="submit" class="primary" disabled=move || send.pending().get()>
                    {move || if send.pending().get() { td_string!(l, new_quote.sending) } else { td_string!(l, new_quote.send) }}
                </button>
            </ActionForm>
        </section>
    }
}
