//! Renewing: bulk renew's groups (`/billing/renew?ids=...`), the cart (`/billing/cart`) and the
//! orders (`/billing/orders`, `/billing/orders/:number`). Every form is a plain form first, so
//! all of it works without JavaScript; the server decides everything (windows, limits, prices).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::components::{Authenticated, ErrorNotice, StatusBadge};
use crate::api::{
    AddToCart, PlaceAddSeats, PlaceExtension, PlaceOrder, RemoveFromCart, RequestRefund, cart, order, orders,
    renew_groups, review_add_seats, review_extension, review_refund,
};
use crate::contract::dto::*;
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::checkout::MAX_CART;
use crate::domain::ids::{IdempotencyKey, PaymentMethodId, SubscriptionId};
use crate::domain::invoice::MAX_PO_NUMBER;
use crate::domain::next_term::MAX_ADDED_SEATS;
use crate::domain::term::Term;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn RenewPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Ids come as "1,2,3" (links) or as repeated `ids` fields (the list's form without JavaScript).
    let ids = move || query.get().get_all("ids").unwrap_or_default().join(",");
    let options = Resource::new(ids, renew_groups);
    view! {
        <Title text=td_string!(l, renew.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, renew.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, renew.checking)}</p> }>
                {move || options.get().map(|r| match r {
                    Ok(o) => view! { <Groups o/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
            <p><A href=links::SUBSCRIPTIONS>{td_string!(l, renew.back)}</A></p>
        }/>
    }
}

#[component]
fn Groups(o: RenewOptions) -> impl IntoView {
    let l = expect_context::<Locale>();
    let action = ServerAction::<AddToCart>::new();
    view! {
        <p>{td_string!(l, renew.intro)}</p>
        {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        {o.groups.is_empty().then(|| view! { <p class="notice notice-error" role="alert">{td_string!(l, renew.none)}</p> })}
        {o.groups.into_iter().enumerate().map(|(n, g)| view! { <Group n=n + 1 g action/> }).collect_view()}
        {(!o.left_out.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="h-left-out">
                <h2 id="h-left-out">{td_string!(l, renew.left_out)}</h2>
                <p>{td_string!(l, renew.left_out_intro)}</p>
                <ul>{o.left_out.iter().map(|r| view! { <li>{words::renew_refused(l, r)}</li> }).collect_view()}</ul>
            </section>
        })}
    }
}

/// One group: its own form, so "Add to cart" adds only what is ticked in it (R-BULK-3). The
/// count of ticked boxes is checked against the limit here for speed, and by the server.
#[component]
fn Group(n: usize, g: RenewGroup, action: ServerAction<AddToCart>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let total = g.items.len();
    let ticked = RwSignal::new(total);
    let caption = td_string!(
        l,
        renew.group_caption,
        n = n,
        company = &g.company_name,
        csn = &g.csn,
        currency = g.currency.code(),
        method = words::payment_method(l, &g.payment_method)
    );
    let heading_id = format!("h-group-{n}");
    let labelled_by = heading_id.clone();
    let group_ids = crate::domain::selection::join_ids(&g.items.iter().map(|i| i.id).collect::<Vec<_>>());
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{caption.clone()}</h2>
            <p>{td_string!(l, renew.group_count, count = total)}</p>
            <ActionForm action=action>
                <div class="table-wrap">
                    <table>
                        <caption class="visually-hidden">{caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{td_string!(l, renew.col_renew)}</th>
                                <th scope="col">{td_string!(l, list.col_product)}</th>
                                <th scope="col">{td_string!(l, list.col_subscription)}</th>
                                <th scope="col">{td_string!(l, list.col_seats)}</th>
                                <th scope="col">{td_string!(l, list.col_term)}</th>
                                <th scope="col">{td_string!(l, list.col_status)}</th>
                                <th scope="col">{td_string!(l, renew.col_renewal)}</th>
                                <th scope="col">{td_string!(l, renew.col_new_end)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {g.items.iter().map(|i| {
                                let label = td_string!(l, renew.tick, product = &i.product_name, id = i.id);
                                view! {
                                    <tr>
                                        <td>
                                            <input type="checkbox" name="ids[]" value=i.id.to_string() checked=true aria-label=label
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    ticked.update(|t| if on { *t += 1 } else { *t = t.saturating_sub(1) });
                                                }/>
                                        </td>
                                        <td>{i.product_name.clone()}{i.in_cart.then(|| view! { <div class="sub">{td_string!(l, renew.in_cart)}</div> })}</td>
                                        <td>{i.id.to_string()}</td>
                                        <td>{i.seats}</td>
                                        <td>{words::term(l, i.term)}</td>
                                        <td><StatusBadge status=i.status/></td>
                                        <td>{words::date(l, i.renewal_date)}</td>
                                        <td>{words::date(l, i.new_last_day)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {move || (ticked.get() > MAX_CART).then(|| view! {
                    <div class="notice notice-error" role="alert">{td_string!(l, renew.over_max, max = MAX_CART, more = ticked.get() - MAX_CART)}</div>
                })}
                <button type="submit" class="primary" disabled=move || { action.pending().get() || ticked.get() == 0 || ticked.get() > MAX_CART }>
                    {td_string!(l, renew.add)}
                </button>
            </ActionForm>
            // R-BULK-4: the same group as a renewal quote instead of the cart.
            <p>
                <A href=links::new_quote(&group_ids)>{td_string!(l, new_quote.from_group)}</A>
                <span class="hint">" " {td_string!(l, new_quote.from_group_hint)}</span>
            </p>
        </section>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    // Taking a line out reads the cart again (with JavaScript the page does not reload).
    let remove = ServerAction::<RemoveFromCart>::new();
    let view_cart = Resource::new(move || remove.version().get(), |_| cart());
    view! {
        <Title text=td_string!(l, cart.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, cart.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || view_cart.get().map(|r| match r {
                    Ok(c) => view! { <Cart c remove/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
            <p><A href=links::SUBSCRIPTIONS>{td_string!(l, cart.back)}</A></p>
        }/>
    }
}

#[component]
fn Cart(c: CartView, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let count = c.orders.len();
    if c.count() == 0 {
        return view! { <p>{td_string!(l, cart.empty)}</p> }.into_any();
    }
    view! {
        {(count > 1).then(|| view! { <p>{td_string!(l, cart.intro)}</p> })}
        {c.orders.into_iter().enumerate().map(|(n, o)| view! { <Order n=n + 1 total=count o remove/> }).collect_view()}
        {(!c.blocked.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="h-blocked">
                <h2 id="h-blocked">{td_string!(l, cart.blocked)}</h2>
                <ul>
                    {c.blocked.iter().map(|r| view! {
                        <li>
                            {words::renew_refused(l, r)}" "
                            <RemoveButton id=r.id.to_string() product=r.product_name.clone() remove/>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
    .into_any()
}

#[component]
fn RemoveButton(id: String, product: String, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let label = td_string!(l, cart.remove_label, product = &product, id = &id);
    view! {
        <ActionForm action=remove attr:class="inline">
            <input type="hidden" name="ids" value=id/>
            <button type="submit" class="link-button" aria-label=label>{td_string!(l, cart.remove)}</button>
        </ActionForm>
    }
}

/// One order of the cart: its lines, totals, schedule, payment choice and "Place order".
#[component]
fn Order(n: usize, total: usize, o: CartOrder, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let place = ServerAction::<PlaceOrder>::new();
    let heading_id = format!("h-order-{n}");
    let labelled_by = heading_id.clone();
    let heading = td_string!(
        l,
        cart.order_heading,
        n = n,
        total = total,
        company = &o.company_name,
        csn = &o.csn,
        term = words::term(l, o.term)
    );
    let tax_label = if o.tax_exempt {
        td_string!(l, cart.tax_exempt).to_string()
    } else {
        td_string!(l, cart.tax, rate = words::lang(l).decimal_text(&o.tax_percent))
    };
    let due_now = o.schedule.first().map(|(_, a)| *a).unwrap_or(o.total);
    let place_label = td_string!(l, cart.place, amount = words::amount(l, due_now));
    let as_quote = links::new_quote(&o.ids);
    view! {
        <section class="card order" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{td_string!(l, cart.caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, list.col_product)}</th>
                            <th scope="col">{td_string!(l, list.col_subscription)}</th>
                            <th scope="col">{td_string!(l, list.col_seats)}</th>
                            <th scope="col">{td_string!(l, cart.col_period)}</th>
                            <th scope="col">{td_string!(l, cart.col_unit)}</th>
                            <th scope="col">{td_string!(l, cart.col_discount)}</th>
                            <th scope="col">{td_string!(l, cart.col_amount)}</th>
                            <th scope="col"><span class="visually-hidden">{td_string!(l, cart.remove)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {o.lines.iter().map(|line| view! {
                            <tr>
                                <td>{line.product_name.clone()}<div class="sub"><StatusBadge status=line.status/></div></td>
                                <td>{line.id.to_string()}</td>
                                <td>{line.seats}</td>
                                <td>{td_string!(l, cart.period, from = words::date(l, line.period_start), to = words::date(l, line.period_last_day))}</td>
                                <td>{words::amount(l, line.unit_price)}</td>
                                <td>{if line.discount.is_zero() { "—".to_string() } else { format!("−{}", words::amount(l, line.discount)) }}
                                    {line.promotion.clone().map(|p| view! { <div class="sub">{p}</div> })}</td>
                                <td class="amount">{words::amount(l, line.net)}</td>
                                <td><RemoveButton id=line.id.to_string() product=line.product_name.clone() remove/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <dl class="totals">
                {(!o.discount.is_zero()).then(|| view! {
                    <dt>{td_string!(l, cart.list_total)}</dt><dd>{words::amount(l, o.list)}</dd>
                    <dt>{td_string!(l, cart.discounts)}</dt><dd>{format!("−{}", words::amount(l, o.discount))}</dd>
                })}
                <dt>{td_string!(l, cart.subtotal)}</dt><dd>{words::amount(l, o.subtotal)}</dd>
                <dt>{tax_label}</dt><dd>{words::amount(l, o.tax)}</dd>
                <dt>{td_string!(l, cart.total)}</dt><dd class="amount big">{words::amount(l, o.total)}</dd>
            </dl>
            {(o.term == Term::ThreeYear && o.schedule.len() > 1).then(|| view! {
                <p>{td_string!(l, cart.schedule)}</p>
                <ul>{o.schedule.iter().map(|(day, amount)| view! {
                    <li>{td_string!(l, cart.due_on, date = words::date(l, *day), amount = words::amount(l, *amount))}</li>
                }).collect_view()}</ul>
            })}
            {move || place.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=place attr:class="checkout">
                <input type="hidden" name="ids" value=o.ids.clone()/>
                <input type="hidden" name="fingerprint" value=o.fingerprint.clone()/>
                <CheckoutKey initial=o.checkout_key.clone() failed=Signal::derive(move || place.value().with(|v| matches!(v, Some(Err(_)))))/>
                <PaymentFields methods=o.methods.clone() default_method=o.default_method/>
                <button type="submit" class="primary" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { td_string!(l, cart.placing).to_string() } else { place_label.clone() }}
                </button>
            </ActionForm>
            // R-QUOTE-2: this order as a renewal quote instead.
            <p><A href=as_quote>{td_string!(l, new_quote.from_cart)}</A></p>
        </section>
    }
}

/// The key of one attempt to pay. A double click or a replay of the same attempt finds what it
/// did (its order, or the decline it met) and charges nothing more; once an attempt is refused,
/// the next submit is a new attempt with a new key, so another method, or the same card after
/// the bank said yes, is tried instead of answered with the old decline. Without JavaScript the
/// page comes back with a fresh review, and so a fresh key, after every refusal.
#[component]
pub(super) fn CheckoutKey(
    initial: String,
    failed: Signal<bool>,
    #[prop(default = "checkout_key")] name: &'static str,
) -> impl IntoView {
    let key = RwSignal::new(initial);
    Effect::new(move |_| {
        if failed.get() {
            key.set(IdempotencyKey::new().as_str().to_string());
        }
    });
    view! { <input type="hidden" name=name value=move || key.get()/> }
}

/// The payment part of a checkout form: each method on file, those that cannot pay this order
/// disabled with the reason beside them (R-PAY-2, R-PAY-3), and the PO number.
#[component]
pub(super) fn PaymentFields(methods: Vec<MethodChoice>, default_method: PaymentMethodId) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <fieldset>
            <legend>{td_string!(l, cart.method)}</legend>
            {methods.iter().map(|m| {
                let label = words::payment_method(l, &m.method);
                let checked = m.id == default_method && m.refused.is_none();
                view! {
                    <label class="choice">
                        <input type="radio" name="payment_method" value=m.id.to_string() checked=checked disabled=m.refused.is_some()/>
                        {label}
                        {m.refused.as_ref().map(|why| view! { <span class="sub">{words::payment_refusal(l, why)}</span> })}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <label>
            {td_string!(l, cart.po)}
            <input type="text" name="po_number" maxlength=MAX_PO_NUMBER.to_string() autocomplete="off"/>
            <span class="hint">{td_string!(l, cart.po_hint)}</span>
        </label>
    }
}

/// Seats added now to one subscription (`/billing/subscriptions/:id/add-seats?seats=N`): how
/// many, then the prorated price as it will be charged, then the checkout (R-PRICE-3).
#[component]
pub fn AddSeatsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    let seats = move || query.get().get("seats").unwrap_or_default();
    let review = Resource::new(
        move || (id(), seats()),
        |(id, seats)| async move {
            match id {
                None => Err(AppError::NotFound),
                Some(_) if seats.is_empty() => Ok(None),
                Some(id) => review_add_seats(id, seats).await.map(Some),
            }
        },
    );
    view! {
        <Title text=td_string!(l, add_seats.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, add_seats.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, renew.checking)}</p> }>
                {move || review.get().map(|r| {
                    let Some(id) = id() else { return view! { <ErrorNotice error=AppError::NotFound/> }.into_any() };
                    match r {
                        Ok(None) => view! { <section class="card"><SeatsForm id seats=String::new()/></section> }.into_any(),
                        Ok(Some(r)) => view! {
                            <section class="card"><SeatsForm id seats=r.added.to_string()/></section>
                            <SeatsReview r/>
                        }.into_any(),
                        Err(AppError::Validation { .. }) | Err(AppError::Conflict(_)) => {
                            let e = r.unwrap_err();
                            view! { <ErrorNotice error=e/><section class="card"><SeatsForm id seats=seats()/></section> }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || id().map(|id| view! { <p><A href=links::subscription(id)>{td_string!(l, add_seats.back)}</A></p> })}
        }/>
    }
}

/// How many seats to add: a plain GET form to the review, so it works without JavaScript.
/// Also on the subscription's page.
#[component]
pub fn SeatsForm(id: SubscriptionId, seats: String) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <p>{td_string!(l, add_seats.intro)}</p>
        <Form method="GET" action=links::add_seats(id, "") attr:class="next-term">
            <label>
                {td_string!(l, add_seats.seats)}
                <input type="number" name="seats" min="1" max=MAX_ADDED_SEATS.to_string() value=seats required/>
            </label>
            <button type="submit">{td_string!(l, add_seats.review)}</button>
        </Form>
    }
}

#[component]
fn SeatsReview(r: AddSeatsReview) -> impl IntoView {
    let l = expect_context::<Locale>();
    let place = ServerAction::<PlaceAddSeats>::new();
    let heading = td_string!(l, add_seats.heading, count = r.added, product = &r.product_name, id = r.id);
    let tax_label = if r.tax_exempt {
        td_string!(l, cart.tax_exempt).to_string()
    } else {
        td_string!(l, cart.tax, rate = words::lang(l).decimal_text(&r.tax_percent))
    };
    let due_now = r.schedule.first().map(|(_, a)| *a).unwrap_or(r.total);
    let place_label = td_string!(l, cart.place, amount = words::amount(l, due_now));
    view! {
        <section class="card order" aria-labelledby="h-add-seats">
            <h2 id="h-add-seats">{heading}</h2>
            <p>{td_string!(l, add_seats.period, from = words::date(l, r.from), to = words::date(l, r.last_day), term = words::term(l, r.term))}</p>
            <dl class="totals">
                <dt>{td_string!(l, add_seats.unit)}</dt><dd>{words::amount(l, r.unit_price)}</dd>
                <dt>{td_string!(l, add_seats.prorated)}</dt><dd>{words::amount(l, r.list)}</dd>
                {(!r.discount.is_zero()).then(|| view! {
                    <dt>{td_string!(l, cart.discounts)}</dt>
                    <dd>{format!("−{}", words::amount(l, r.discount))}{r.promotion.clone().map(|p| view! { <div class="sub">{p}</div> })}</dd>
                })}
                <dt>{td_string!(l, cart.subtotal)}</dt><dd>{words::amount(l, r.subtotal)}</dd>
                <dt>{tax_label}</dt><dd>{words::amount(l, r.tax)}</dd>
                <dt>{td_string!(l, cart.total)}</dt><dd class="amount big">{words::amount(l, r.total)}</dd>
            </dl>
            <p>{td_string!(l, add_seats.seats_after, count = r.seats_now + i64::from(r.added))}</p>
            {(r.schedule.len() > 1).then(|| view! {
                <p>{td_string!(l, add_seats.schedule)}</p>
                <ul>{r.schedule.iter().map(|(day, amount)| view! {
                    <li>{td_string!(l, cart.due_on, date = words::date(l, *day), amount = words::amount(l, *amount))}</li>
                }).collect_view()}</ul>
            })}
            {move || place.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=place attr:class="checkout">
                <input type="hidden" name="id" value=r.id.to_string()/>
                <input type="hidden" name="seats" value=r.added.to_string()/>
                <input type="hidden" name="fingerprint" value=r.fingerprint.clone()/>
                <CheckoutKey initial=r.checkout_key.clone() failed=Signal::derive(move || place.value().with(|v| matches!(v, Some(Err(_)))))/>
                <PaymentFields methods=r.methods.clone() default_method=r.default_method/>
                <button type="submit" class="primary" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { td_string!(l, cart.placing).to_string() } else { place_label.clone() }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Extending a subscription to end with another (`/billing/subscriptions/:id/extend?target=N`):
/// the review priced as it will be charged, then the checkout (R-PRICE-2, R-PRICE-4).
#[component]
pub fn ExtendPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    let target = move || query.get().get("target").unwrap_or_default();
    let review = Resource::new(
        move || (id(), target()),
        |(id, target)| async move {
            match id {
                None => Err(AppError::NotFound),
                Some(id) => review_extension(id, target).await,
            }
        },
    );
    view! {
        <Title text=td_string!(l, extend.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, extend.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, renew.checking)}</p> }>
                {move || review.get().map(|r| match r {
                    Ok(r) => view! { <ExtensionReviewCard r/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
            {move || id().map(|id| view! { <p><A href=links::subscription(id)>{td_string!(l, extend.back)}</A></p> })}
        }/>
    }
}

#[component]
fn ExtensionReviewCard(r: ExtensionReview) -> impl IntoView {
    let l = expect_context::<Locale>();
    let place = ServerAction::<PlaceExtension>::new();
    let heading =
        td_string!(l, extend.heading, product = &r.product_name, id = r.id, date = words::date(l, r.new_renewal));
    let tax_label = if r.tax_exempt {
        td_string!(l, cart.tax_exempt).to_string()
    } else {
        td_string!(l, cart.tax, rate = words::lang(l).decimal_text(&r.tax_percent))
    };
    let place_label = td_string!(l, cart.place, amount = words::amount(l, r.total));
    let last_day = r.new_renewal.pred_opt().unwrap_or(r.new_renewal);
    view! {
        <section class="card order" aria-labelledby="h-extend">
            <h2 id="h-extend">{heading}</h2>
            <p>{td_string!(l, extend.period, from = words::date(l, r.renewal), to = words::date(l, last_day), seats = r.seats, term = words::term(l, r.term))}</p>
            <dl class="totals">
                <dt>{td_string!(l, add_seats.unit)}</dt><dd>{words::amount(l, r.unit_price)}</dd>
                {(!r.discount.is_zero()).then(|| view! {
                    <dt>{td_string!(l, cart.list_total)}</dt><dd>{words::amount(l, r.list)}</dd>
                    <dt>{td_string!(l, cart.discounts)}</dt>
                    <dd>{format!("−{}", words::amount(l, r.discount))}{r.promotion.clone().map(|p| view! { <div class="sub">{p}</div> })}</dd>
                })}
                <dt>{td_string!(l, cart.subtotal)}</dt><dd>{words::amount(l, r.subtotal)}</dd>
                <dt>{tax_label}</dt><dd>{words::amount(l, r.tax)}</dd>
                <dt>{td_string!(l, cart.total)}</dt><dd class="amount big">{words::amount(l, r.total)}</dd>
            </dl>
            {move || place.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=place attr:class="checkout">
                <input type="hidden" name="id" value=r.id.to_string()/>
                <input type="hidden" name="target" value=r.target.to_string()/>
                <input type="hidden" name="fingerprint" value=r.fingerprint.clone()/>
                <CheckoutKey initial=r.checkout_key.clone() failed=Signal::derive(move || place.value().with(|v| matches!(v, Some(Err(_)))))/>
                <PaymentFields methods=r.methods.clone() default_method=r.default_method/>
                <button type="submit" class="primary" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { td_string!(l, cart.placing).to_string() } else { place_label.clone() }}
                </button>
            </ActionForm>
            // R-QUOTE-2: the same extension as a co-term quote, to be bought later.
            <p>
                <A href=links::new_coterm_quote(r.id, r.target)>{td_string!(l, extend.as_quote)}</A>
                <span class="hint">" " {td_string!(l, extend.as_quote_hint)}</span>
            </p>
        </section>
    }
}

/// The choice of a subscription to align with: a plain GET form to the review. On the
/// subscription's page, only while the extension is possible (its renewal period).
#[component]
pub fn AlignForm(id: SubscriptionId, targets: Vec<AlignTarget>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <p>{td_string!(l, extend.intro)}</p>
        <Form method="GET" action=links::extend(id, "") attr:class="next-term">
            <label>
                {td_string!(l, extend.target)}
                <select name="target">
                    {targets.iter().map(|t| view! {
                        <option value=t.id.to_string()>
                            {td_string!(l, extend.target_option, product = &t.product_name, id = t.id, date = words::date(l, t.renewal))}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">{td_string!(l, extend.review)}</button>
        </Form>
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page = move || query.get().get("page").and_then(|p| p.parse::<i64>().ok());
    let list = Resource::new(page, orders);
    view! {
        <Title text=td_string!(l, orders.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, orders.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(p) => view! { <OrderList p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn OrderList(p: OrdersPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    if p.rows.is_empty() {
        return view! { <p>{td_string!(l, orders.empty)}</p> }.into_any();
    }
    let pages = ((p.total + p.per_page - 1) / p.per_page).max(1);
    let page = p.page;
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{td_string!(l, orders.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, orders.col_number)}</th>
                        <th scope="col">{td_string!(l, orders.col_date)}</th>
                        <th scope="col">{td_string!(l, list.col_csn)}</th>
                        <th scope="col">{td_string!(l, orders.col_lines)}</th>
                        <th scope="col">{td_string!(l, orders.col_total)}</th>
                        <th scope="col">{td_string!(l, orders.col_payment)}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.rows.into_iter().map(|o| view! {
                        <tr>
                            <td><A href=links::order(&o.number)>{o.number.clone()}</A></td>
                            <td>{words::date(l, o.placed_on)}</td>
                            <td>{o.csn.clone()}</td>
                            <td>{o.lines}</td>
                            <td class="amount">{words::amount(l, o.total)}</td>
                            <td>{words::payment_state(l, &o.payment)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=td_string!(l, list.pages)>
                {(page > 1).then(|| view! { <A href=format!("{}?page={}", links::ORDERS, page - 1)>{td_string!(l, orders.previous)}</A> })}
                <span>{td_string!(l, orders.page_of, page = page, pages = pages)}</span>
                {(page < pages).then(|| view! { <A href=format!("{}?page={}", links::ORDERS, page + 1)>{td_string!(l, orders.next)}</A> })}
            </nav>
        })}
    }
    .into_any()
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.get().get("number").unwrap_or_default();
    let detail = Resource::new(number, order);
    let placed = move || query.get().get("placed").is_some();
    let refunded = move || query.get().get("refunded");
    view! {
        <Title text=move || td_string!(l, orders.detail_title, number = number())/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::ORDERS>{td_string!(l, orders.all)}</A></p>
            <h1>{move || td_string!(l, orders.detail_title, number = number())}</h1>
            {move || refunded().map(|memo| view! {
                <div class="notice notice-success" role="status">
                    {td_string!(l, refund.done, memo = memo)} " "
                    <A href=links::credit_memos()>{td_string!(l, refund.see_credit)}</A>
                </div>
            })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <OrderDetailView d placed=placed()/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

/// A line's refund (R-PAY-9): the credit memo it was refunded as, or the link to ask for one
/// while its window is open.
fn refund_cell(l: Locale, order: &str, line: &OrderLineView) -> AnyView {
    match (&line.refunded, &line.refund, line.subscription_id) {
        (Some(memo), _, _) => view! { <span>{td_string!(l, refund.refunded, memo = memo.clone())}</span> }.into_any(),
        (None, Some(offer), Some(id)) => view! {
            <A href=links::refund(order, id) attr:aria-label=td_string!(l, refund.request_label, id = id)>{td_string!(l, refund.request)}</A>
            " " <span class="sub">{td_string!(l, refund.until, date = words::date(l, offer.last_day))}</span>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// Asking for a refund of one subscription's line of an order (R-PAY-9): what is credited and
/// what becomes of the subscription, then one button.
#[component]
pub fn RefundPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.get().get("number").unwrap_or_default();
    let sub = move || query.get().get("subscription").and_then(|s| s.parse::<SubscriptionId>().ok());
    let review = Resource::new(
        move || (number(), sub()),
        |(n, s)| async move {
            match s {
                Some(s) => review_refund(n, s).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(l, refund.title)/>
        <Authenticated children=move |_me| view! {
            <p><A href=move || links::order(&number())>{td_string!(l, refund.back)}</A></p>
            <h1>{td_string!(l, refund.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || review.get().map(|r| match r {
                    Ok(r) => view! { <RefundForm r/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn RefundForm(r: RefundReview) -> impl IntoView {
    let l = expect_context::<Locale>();
    let ask = ServerAction::<RequestRefund>::new();
    let outcome = match r.outcome {
        RefundOutcome::Canceled { last_day } => td_string!(l, refund.outcome_canceled, date = words::date(l, last_day)),
        RefundOutcome::Shortened { last_day } => {
            td_string!(l, refund.outcome_shortened, date = words::date(l, last_day))
        }
        RefundOutcome::SeatsRemoved { seats } => td_string!(l, refund.outcome_seats, count = seats),
    };
    let label = td_string!(l, refund.confirm, amount = words::amount(l, r.offer.amount));
    let id = r.subscription_id;
    let order = r.order_number.clone();
    view! {
        <dl class="facts">
            <dt>{td_string!(l, refund.order)}</dt><dd><A href=links::order(&order)>{order.clone()}</A></dd>
            <dt>{td_string!(l, refund.subscription)}</dt><dd>{r.product_name.clone()} " · " <A href=links::subscription(id)>{id.to_string()}</A></dd>
            <dt>{td_string!(l, refund.amount)}</dt><dd class="amount big">{words::amount(l, r.offer.amount)}</dd>
            <dt>{td_string!(l, refund.last_day)}</dt><dd>{words::date(l, r.offer.last_day)}</dd>
        </dl>
        <p>{outcome}</p>
        <p class="hint">{td_string!(l, refund.credit_hint)}</p>
        {move || ask.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        <ActionForm action=ask>
            <input type="hidden" name="order" value=r.order_number.clone()/>
            <input type="hidden" name="subscription" value=id.to_string()/>
            <button type="submit" class="primary" disabled=move || ask.pending().get()>
                {move || if ask.pending().get() { td_string!(l, refund.working).to_string() } else { label.clone() }}
            </button>
        </ActionForm>
    }
}

#[component]
fn OrderDetailView(d: OrderDetail, placed: bool) -> impl IntoView {
    let l = expect_context::<Locale>();
    let s = d.summary.clone();
    let notice = match (&s.payment, placed) {
        (PaymentState::Confirming, _) => Some(td_string!(l, orders.confirming_notice, number = &s.number)),
        (_, true) => Some(td_string!(l, orders.placed, number = &s.number)),
        _ => None,
    };
    let refunds = d.lines.iter().any(|line| line.refund.is_some() || line.refunded.is_some());
    let number = s.number.clone();
    view! {
        {notice.map(|text| view! { <div class="notice notice-success" role="status">{text}</div> })}
        <dl class="facts">
            <dt>{td_string!(l, orders.col_date)}</dt><dd>{words::date(l, s.placed_on)}</dd>
            <dt>{td_string!(l, list.col_csn)}</dt><dd>{s.csn.clone()}" · "{d.company_name.clone()}</dd>
            <dt>{td_string!(l, detail.payment_method)}</dt><dd>{s.payment_method.as_ref().map(|m| words::payment_method(l, m)).unwrap_or_else(|| "—".into())}</dd>
            <dt>{td_string!(l, orders.col_payment)}</dt>
            // Paid by invoice: "Invoiced (INV-...)" opens the invoice.
            <dd>{match &s.payment {
                PaymentState::Invoiced(n) => view! { <A href=links::invoice(n)>{words::payment_state(l, &s.payment)}</A> }.into_any(),
                other => view! { <span>{words::payment_state(l, other)}</span> }.into_any(),
            }}</dd>
            {(!d.po_number.is_empty()).then(|| view! { <dt>{td_string!(l, orders.po)}</dt><dd>{d.po_number.clone()}</dd> })}
        </dl>
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{td_string!(l, orders.line_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, list.col_product)}</th>
                        <th scope="col">{td_string!(l, list.col_subscription)}</th>
                        <th scope="col">{td_string!(l, list.col_seats)}</th>
                        <th scope="col">{td_string!(l, list.col_term)}</th>
                        <th scope="col">{td_string!(l, cart.col_period)}</th>
                        <th scope="col">{td_string!(l, cart.col_amount)}</th>
                        <th scope="col">{td_string!(l, orders.col_now)}</th>
                        {refunds.then(|| view! { <th scope="col">{td_string!(l, orders.col_refund)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {d.lines.iter().map(|line| view! {
                        <tr>
                            <td>{line.product_name.clone()}</td>
                            <td>{line.subscription_id.map(|id| view! { <A href=links::subscription(id)>{id.to_string()}</A> })}</td>
                            <td>{line.seats}</td>
                            <td>{words::term(l, line.term)}</td>
                            <td>{td_string!(l, cart.period, from = words::date(l, line.period_start), to = words::date(l, line.period_last_day))}</td>
                            <td class="amount">{words::amount(l, line.net)}</td>
                            <td>{line.status_now.map(|status| view! { <StatusBadge status/> })}</td>
                            {refunds.then(|| view! { <td>{refund_cell(l, &number, line)}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <dl class="totals">
            <dt>{td_string!(l, cart.subtotal)}</dt><dd>{words::amount(l, d.subtotal)}</dd>
            <dt>{td_string!(l, orders.tax)}</dt><dd>{words::amount(l, d.tax)}</dd>
            <dt>{td_string!(l, cart.total)}</dt><dd class="amount big">{words::amount(l, s.total)}</dd>
        </dl>
    }
}
