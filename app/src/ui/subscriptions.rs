//! Subscriptions and contracts: the list (filters, search, sort, pages, selection, Actions >
//! Manage auto-renew) and one subscription's page.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::components::{Authenticated, ChangeNotice, ErrorNotice, StatusBadge};
use crate::api::{ChangeNextTerm, WithdrawNextTerm, list_subscriptions, subscription};
use crate::contract::dto::{
    ChangeAvailability, Me, NextTermForm, SubscriptionDetail, SubscriptionPage, SubscriptionQuery,
};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::ids::SubscriptionId;
use crate::domain::selection::{MAX_BULK, SelectionError, join_ids};
use crate::domain::status::Status;
use crate::domain::term::Term;
use crate::i18n::{Locale, td_string};
use crate::words;

fn query_from(q: &ParamsMap) -> SubscriptionQuery {
    SubscriptionQuery {
        status: q.get("status"),
        csn: q.get("csn"),
        currency: q.get("currency"),
        term: q.get("term"),
        auto_renew: q.get("auto_renew"),
        q: q.get("q"),
        sort: q.get("sort"),
        dir: q.get("dir"),
        page: q.get("page").and_then(|p| p.parse().ok()),
        per_page: q.get("per_page").and_then(|p| p.parse().ok()),
    }
}

/// The current URL's query with some keys replaced (empty value = removed).
fn with_params(q: &ParamsMap, changes: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, String)> =
        ["status", "csn", "currency", "term", "auto_renew", "q", "sort", "dir", "page", "per_page"]
            .into_iter()
            .map(|key| {
                let value = changes.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).or_else(|| q.get(key));
                (key, value.unwrap_or_default())
            })
            .collect();
    links::subscriptions_with(&pairs)
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Created here, before any boundary: see `Authenticated` on why a page's resources never
    // start inside one.
    let page = Resource::new(move || query_from(&query.get()), list_subscriptions);
    // The selection survives paging and filtering, so a buyer can gather up to 100 across pages.
    let selected = RwSignal::new(BTreeSet::<SubscriptionId>::new());
    view! {
        <Title text=td_string!(l, list.title)/>
        <h1>{td_string!(l, list.title)}</h1>
        <Authenticated children=move |me| view! { <SubscriptionList me page selected/> }/>
    }
}

#[component]
fn SubscriptionList(
    me: Me,
    page: Resource<Result<SubscriptionPage, AppError>>,
    selected: RwSignal<BTreeSet<SubscriptionId>>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let can_act = me.can_change_auto_renew;
    let can_renew = me.can_renew;
    view! {
        <ChangeNotice/>
        <Transition fallback=move || view! { <p class="loading">{td_string!(l, list.loading)}</p> }>
            {move || page.get().map(|r| match r {
                Ok(p) => view! {
                    <Filters csns=p.csns.clone() currencies=p.currencies.iter().map(|c| c.code().to_string()).collect()/>
                    <ExportLink/>
                    <Results page=p selected can_act can_renew/>
                }.into_any(),
                Err(e) => view! {
                    <ErrorNotice error=e/>
                    <p><A href=links::SUBSCRIPTIONS>{td_string!(l, list.clear_filters)}</A></p>
                }.into_any(),
            })}
        </Transition>
    }
}

/// The CSV export of what the filters select (R-EXT-9): a plain download link, every page of
/// the list in one file.
#[component]
fn ExportLink() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let href = move || {
        let q = query.get();
        let keys = ["status", "csn", "currency", "term", "auto_renew", "q", "sort", "dir"];
        let pairs: Vec<(&str, String)> = keys.into_iter().map(|k| (k, q.get(k).unwrap_or_default())).collect();
        links::subscriptions_export(&pairs)
    };
    view! {
        <p class="export">
            <a href=href download="">{td_string!(l, export.link)}</a>
            " " <span class="hint">{td_string!(l, export.hint)}</span>
        </p>
    }
}

/// Filters, search and page size: a GET form, so it works without JavaScript and every view of
/// the list has its own URL. CSNs and currencies are the organisation's own.
#[component]
fn Filters(csns: Vec<String>, currencies: Vec<String>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let value = move |key: &'static str| move || query.get().get(key).unwrap_or_default();
    let is = move |key: &'static str, v: String| move || query.get().get(key).as_deref() == Some(v.as_str());
    view! {
        <Form method="GET" action=links::SUBSCRIPTIONS attr:class="filters" attr:aria-label=td_string!(l, list.filters)>
            <div class="field">
                <label for="f-q">{td_string!(l, list.search)}</label>
                <input id="f-q" name="q" type="search" placeholder=td_string!(l, list.search_placeholder) prop:value=value("q")/>
            </div>
            <div class="field">
                <label for="f-status">{td_string!(l, list.status)}</label>
                <select id="f-status" name="status">
                    <option value="">{td_string!(l, all)}</option>
                    {Status::ALL.into_iter().map(|s| view! {
                        <option value=s.code() selected=is("status", s.code().into())>{words::status(l, s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-term">{td_string!(l, list.term)}</label>
                <select id="f-term" name="term">
                    <option value="">{td_string!(l, all)}</option>
                    {Term::ALL.into_iter().map(|t| view! {
                        <option value=t.code() selected=is("term", t.code().into())>{words::term(l, t)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-auto">{td_string!(l, list.auto_renew)}</label>
                <select id="f-auto" name="auto_renew">
                    <option value="">{td_string!(l, all)}</option>
                    <option value="on" selected=is("auto_renew", "on".into())>{td_string!(l, on)}</option>
                    <option value="off" selected=is("auto_renew", "off".into())>{td_string!(l, off)}</option>
                </select>
            </div>
            <ValueSelect id="f-csn" name="csn" label=td_string!(l, list.csn) values=csns/>
            <ValueSelect id="f-currency" name="currency" label=td_string!(l, list.currency) values=currencies/>
            <div class="field">
                <label for="f-per-page">{td_string!(l, list.per_page)}</label>
                <select id="f-per-page" name="per_page">
                    {crate::domain::selection::PER_PAGE_CHOICES.into_iter().map(|n| view! {
                        <option value=n.to_string() selected=move || query.get().get("per_page").unwrap_or_else(|| "25".into()) == n.to_string()>{n}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">{td_string!(l, list.apply)}</button>
            <A href=links::SUBSCRIPTIONS attr:class="button-link">{td_string!(l, list.clear)}</A>
        </Form>
    }
}

/// A filter whose choices are the account's own values, plus "All".
#[component]
pub(super) fn ValueSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    values: Vec<String>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">{td_string!(l, all)}</option>
                {values.into_iter().map(|v| {
                    let (current, text) = (v.clone(), v.clone());
                    let selected = move || query.get().get(name).as_deref() == Some(current.as_str());
                    view! { <option value=v selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The boxes of the list that were ticked in the page as the server sent it, before the browser
/// code was running (read once, while hydrating).
#[cfg(feature = "hydrate")]
fn early_ticks(ids_on_page: &[SubscriptionId]) -> Vec<SubscriptionId> {
    use leptos::wasm_bindgen::JsCast;
    use std::sync::atomic::{AtomicBool, Ordering};
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return Vec::new();
    }
    let checked = |selector: &str| -> Vec<String> {
        let Ok(list) = document().query_selector_all(selector) else { return Vec::new() };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok())
            .filter(|input| input.checked())
            .map(|input| input.value())
            .collect()
    };
    let whole_page = !checked("input[data-select-page]").is_empty();
    if whole_page {
        ids_on_page.to_vec()
    } else {
        checked("input[name=ids]").iter().filter_map(|v| v.parse::<SubscriptionId>().ok()).collect()
    }
}

#[component]
fn Results(
    page: SubscriptionPage,
    selected: RwSignal<BTreeSet<SubscriptionId>>,
    can_act: bool,
    can_renew: bool,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let navigate = use_navigate();
    let ids_on_page: Vec<SubscriptionId> = page.rows.iter().map(|r| r.id).collect();
    let all_on_page = {
        let ids = ids_on_page.clone();
        move || !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    let toggle_page = {
        let ids = ids_on_page.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                for id in &ids {
                    if on {
                        s.insert(*id);
                    } else {
                        s.remove(id);
                    }
                }
            });
        }
    };
    let count = move || selected.with(BTreeSet::len);
    // The same limit the server enforces (R-BULK-1), checked here before anything is sent.
    let too_many = move || {
        let n = count();
        (n > MAX_BULK).then(|| words::selection(l, &SelectionError::TooMany(n)))
    };
    // Without JavaScript the buttons stay enabled and the form itself is sent (the server checks
    // the selection); with it, they follow the selection kept here across pages.
    let scripted = RwSignal::new(false);
    // Boxes ticked while the page was not live yet (the WASM still on its way, seconds on a slow
    // line) are read before hydration and taken into the selection right after it (changing it
    // during hydration would change what is drawn), so the count and the buttons match the boxes.
    #[cfg(feature = "hydrate")]
    let early = early_ticks(&ids_on_page);
    #[cfg(not(feature = "hydrate"))]
    let early: Vec<SubscriptionId> = Vec::new();
    Effect::new(move |_| {
        scripted.set(true);
        if !early.is_empty() {
            selected.update(|s| s.extend(early.iter().copied()));
        }
    });
    let blocked = move || scripted.get() && (count() == 0 || count() > MAX_BULK);
    let navigate_renew = navigate.clone();
    let navigate_method = navigate.clone();
    let go = move |on: bool| {
        let navigate = navigate.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if count() == 0 || count() > MAX_BULK {
                return;
            }
            let ids = selected.with(|s| join_ids(&s.iter().copied().collect::<Vec<_>>()));
            let back = with_params(&query.get_untracked(), &[]);
            navigate(&links::auto_renew(on, &ids, &back), Default::default());
        }
    };
    let go_renew = {
        let navigate = navigate_renew;
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if count() == 0 || count() > MAX_BULK {
                return;
            }
            let ids = selected.with(|s| join_ids(&s.iter().copied().collect::<Vec<_>>()));
            navigate(&links::renew(&ids), Default::default());
        }
    };
    let go_method = {
        let navigate = navigate_method;
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if count() == 0 || count() > MAX_BULK {
                return;
            }
            let ids = selected.with(|s| join_ids(&s.iter().copied().collect::<Vec<_>>()));
            navigate(&links::change_payment_method(&ids), Default::default());
        }
    };
    let total = page.total;
    let first = (page.page - 1) * page.per_page + 1;
    let last = (first + page.rows.len() as i64 - 1).max(0);
    let pages = ((total + page.per_page - 1) / page.per_page).max(1);
    let current = page.page;
    let lang = words::lang(l);
    let sort_link = move |key: &'static str, label: &'static str| {
        let q = query.get();
        let active = q.get("sort").as_deref() == Some(key);
        let desc = q.get("dir").as_deref() == Some("desc");
        let next_dir = if active && !desc { "desc" } else { "asc" };
        let href = with_params(&q, &[("sort", key.into()), ("dir", next_dir.into()), ("page", String::new())]);
        let aria = if active { if desc { "descending" } else { "ascending" } } else { "none" };
        view! { <th scope="col" aria-sort=aria><A href=href>{label}</A></th> }
    };
    let rows = page.rows.clone();
    view! {
        <form method="get" action=links::AUTO_RENEW class="results">
            <input type="hidden" name="return_to" value=move || with_params(&query.get(), &[])/>
            {can_act.then(|| view! {
                <div class="actions-bar" role="group" aria-label=td_string!(l, list.actions)>
                    <span aria-live="polite">{move || td_string!(l, list.selected, count = count())}</span>
                    <span class="actions-title">{td_string!(l, list.manage)}</span>
                    <button type="submit" name="on" value="true" disabled=blocked on:click=go(true)>{td_string!(l, list.turn_on)}</button>
                    <button type="submit" name="on" value="false" disabled=blocked on:click=go(false)>{td_string!(l, list.turn_off)}</button>
                    {can_renew.then(|| view! {
                        <button type="submit" formaction=links::RENEW disabled=blocked on:click=go_renew.clone()>{td_string!(l, renew.renew_one)}</button>
                        <button type="submit" formaction=links::CHANGE_PAYMENT_METHOD disabled=blocked on:click=go_method.clone()>{td_string!(l, payment_methods.change_title)}</button>
                    })}
                    {move || (count() > 0).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| selected.set(BTreeSet::new())>{td_string!(l, list.clear_selection)}</button>
                    })}
                </div>
                {move || too_many().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            })}
            <p class="count">{td_string!(l, list.range, first = lang.integer(first), last = lang.integer(last), total = lang.integer(total))}</p>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{td_string!(l, list.title)}</caption>
                    <thead>
                        <tr>
                            {can_act.then(|| view! {
                                <th scope="col">
                                    <input type="checkbox" aria-label=td_string!(l, list.select_page) data-select-page="" prop:checked=all_on_page on:change=toggle_page/>
                                </th>
                            })}
                            {move || sort_link("product", td_string!(l, list.col_product))}
                            {move || sort_link("id", td_string!(l, list.col_subscription))}
                            {move || sort_link("csn", td_string!(l, list.col_csn))}
                            {move || sort_link("seats", td_string!(l, list.col_seats))}
                            <th scope="col">{td_string!(l, list.col_term)}</th>
                            {move || sort_link("status", td_string!(l, list.col_status))}
                            {move || sort_link("date", td_string!(l, list.col_date))}
                            <th scope="col">{td_string!(l, list.col_auto_renew)}</th>
                            <th scope="col">{td_string!(l, list.col_payment)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let id = r.id;
                            let label = td_string!(l, list.select_single, id = id);
                            view! {
                                <tr>
                                    {can_act.then(|| view! {
                                        <td>
                                            <input type="checkbox" name="ids" value=id.to_string() aria-label=label
                                                prop:checked=move || selected.with(|s| s.contains(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                                }/>
                                        </td>
                                    })}
                                    // A plain link: the router takes its clicks all the same, and a
                                    // row has no "current page" state to keep (`<A>` builds a
                                    // resolved path and an active-state memo for each row).
                                    <td><a href=links::subscription(id)>{r.product_name}</a></td>
                                    <td>{id.to_string()}<div class="sub">{r.contract_number}</div></td>
                                    <td>{r.csn}</td>
                                    <td class="num">{r.seats}</td>
                                    <td>{words::term(l, r.term)}</td>
                                    <td><StatusBadge status=r.status/></td>
                                    <td>{words::shown_date(l, r.shown)}</td>
                                    <td>{words::on_off(l, r.auto_renew)}</td>
                                    <td>{r.payment_method.map(|pm| words::payment_method(l, &pm)).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </form>
        <nav class="pager" aria-label=td_string!(l, list.pages)>
            {(current > 1).then(|| view! { <A href=with_params(&query.get_untracked(), &[("page", (current - 1).to_string())])>{td_string!(l, list.previous)}</A> })}
            <span>{td_string!(l, list.page_of, current = lang.integer(current), pages = lang.integer(pages))}</span>
            {(current < pages).then(|| view! { <A href=with_params(&query.get_untracked(), &[("page", (current + 1).to_string())])>{td_string!(l, list.next)}</A> })}
        </nav>
    }
}

#[component]
pub fn SubscriptionPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    // The next-renewal forms live on this page: what they change is read again once they answer.
    let change = ServerAction::<ChangeNextTerm>::new();
    let withdraw = ServerAction::<WithdrawNextTerm>::new();
    let source = move || (id(), change.version().get(), withdraw.version().get());
    let detail = Resource::new(source, |(id, _, _)| async move {
        match id {
            Some(id) => subscription(id).await,
            None => Err(crate::contract::error::AppError::NotFound),
        }
    });
    view! {
        <Title text=td_string!(l, detail.title)/>
        <Authenticated children=move |_me| view! {
            <ChangeNotice/>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, detail.loading)}</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <Detail d change withdraw/> }.into_any(),
                    Err(e) => view! { <h1>{td_string!(l, detail.title)}</h1><ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Detail(
    d: SubscriptionDetail,
    change: ServerAction<ChangeNextTerm>,
    withdraw: ServerAction<WithdrawNextTerm>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let s = d.summary.clone();
    let id = s.id;
    let on = s.auto_renew;
    let turn_to = !on;
    let change_href = links::auto_renew(turn_to, &id.to_string(), &links::subscription(id));
    let date = words::date(l, s.shown.date);
    let change_label = if turn_to { td_string!(l, list.turn_on) } else { td_string!(l, list.turn_off) };
    view! {
        <p><A href=links::SUBSCRIPTIONS>{td_string!(l, detail.back)}</A></p>
        <h1>{s.product_name.clone()}</h1>
        <div class="grid">
            <section class="card" aria-labelledby="h-overview">
                <h2 id="h-overview">{td_string!(l, detail.overview)}</h2>
                <dl class="facts">
                    <dt>{td_string!(l, detail.id)}</dt><dd>{id.to_string()}</dd>
                    <dt>{td_string!(l, detail.contract)}</dt><dd>{s.contract_number.clone()}</dd>
                    <dt>{td_string!(l, detail.csn)}</dt><dd>{s.csn.clone()}" · "{d.company_name.clone()}</dd>
                    <dt>{td_string!(l, detail.seats)}</dt><dd>{s.seats}{d.seats_at_renewal.map(|n| td_string!(l, detail.seats_next, count = n))}</dd>
                    <dt>{td_string!(l, detail.term)}</dt><dd>{words::term(l, s.term)}{d.term_at_renewal.map(|t| td_string!(l, detail.term_next, term = words::term(l, t)))}</dd>
                    <dt>{td_string!(l, detail.status)}</dt><dd><StatusBadge status=s.status/>{if s.status.product_access() { td_string!(l, detail.access) } else { td_string!(l, detail.no_access) }}</dd>
                    <dt>{td_string!(l, detail.since)}</dt><dd>{words::date(l, d.started_on)}</dd>
                    <dt>{td_string!(l, detail.term_started)}</dt><dd>{words::instant(l, &d.term_start)}</dd>
                    <dt>{words::shown_label(l, s.shown.auto_renew)}</dt><dd>{date.clone()}<div class="sub">{words::instant(l, &d.date_instant)}" ("{d.time_zone.clone()}")"</div></dd>
                    {d.reseller_name.clone().map(|name| {
                        let contact = match &d.reseller_email { Some(e) => format!("{name} ({e})"), None => name };
                        view! { <dt>{td_string!(l, detail.reseller)}</dt><dd>{contact}{d.partner_csn.clone().map(|c| td_string!(l, detail.partner_csn, csn = c))}</dd> }
                    })}
                </dl>
            </section>
            <section class="card" aria-labelledby="h-lifecycle">
                <h2 id="h-lifecycle">{td_string!(l, detail.lifecycle)}</h2>
                <p>{td_string!(l, detail.state_is, status = words::status(l, s.status))} " " {words::renewal_window(l, &d.renewal_window)}</p>
                {(d.billing.is_some() && d.renewal_window.is_ok() && d.payment_due.is_none()).then(|| view! {
                    <p><A href=links::renew(&id.to_string()) attr:class="button-link primary">{td_string!(l, renew.renew_one)}</A></p>
                })}
                {d.payment_due.map(|due| view! { <p class="notice" role="status">{words::payment_due(l, due)}</p> })}
                {(!d.next_states.is_empty()).then(|| view! {
                    <p>{td_string!(l, detail.ahead, states = d.next_states.iter().map(|(state, day)| td_string!(l, detail.state_from, status = words::status(l, *state), date = words::date(l, *day))).collect::<Vec<_>>().join(", "))}</p>
                })}
                <table class="allowances">
                    <caption>{td_string!(l, detail.allows, status = words::status(l, s.status))}</caption>
                    <tbody>
                        {words::allowances(l, s.status).into_iter().map(|(what, level)| view! { <tr><th scope="row">{what}</th><td>{level}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="card" aria-labelledby="h-renewal">
                <h2 id="h-renewal">{td_string!(l, detail.auto_renew)}</h2>
                <p class="big">{words::on_off(l, on)}</p>
                <p>{match (on, &d.auto_renew_change) {
                    // Its renewal went unpaid: say so, not "renews on" a day next year.
                    (true, _) if d.payment_due.as_ref().is_some_and(|due| due.late) => {
                        td_string!(l, detail.renewal_unpaid).to_string()
                    }
                    (true, _) => td_string!(l, detail.renews_automatically, date = date),
                    (false, ChangeAvailability::Blocked(_)) => td_string!(l, detail.expired_on, date = date),
                    (false, _) => td_string!(l, detail.expires_until, date = date, last = words::date(l, d.auto_renew_last_day)),
                }}</p>
                {match d.auto_renew_change.clone() {
                    ChangeAvailability::Available => view! { <A href=change_href attr:class="button-link primary">{change_label}</A> }.into_any(),
                    ChangeAvailability::Blocked(why) => view! { <p class="hint">{words::ineligible(l, &why)}</p> }.into_any(),
                    ChangeAvailability::NotAllowed => view! { <p class="hint">{td_string!(l, detail.buyers_only)}</p> }.into_any(),
                }}
            </section>
            {(d.next_term.is_some() && s.status == Status::Active).then(|| view! {
                <section class="card" aria-labelledby="h-add-seats-now">
                    <h2 id="h-add-seats-now">{td_string!(l, add_seats.title)}</h2>
                    <super::renew::SeatsForm id seats=String::new()/>
                </section>
            })}
            {(!d.align_targets.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="h-align">
                    <h2 id="h-align">{td_string!(l, extend.title)}</h2>
                    <super::renew::AlignForm id targets=d.align_targets.clone()/>
                </section>
            })}
            {d.next_term.clone().map(|f| view! { <NextTermCard id f change withdraw/> })}
            {match d.billing.clone() {
                Some(b) => view! {
                    <section class="card" aria-labelledby="h-payment">
                        <h2 id="h-payment">{td_string!(l, detail.payment)}</h2>
                        <dl class="facts">
                            <dt>{td_string!(l, detail.payment_method)}</dt><dd>{b.payment_method.map(|pm| words::payment_method(l, &pm)).unwrap_or_else(|| td_string!(l, none).into())}</dd>
                            <dt>{td_string!(l, detail.currency)}</dt><dd>{s.currency.code()}</dd>
                            {b.renewal_price.map(|p| view! {
                                <dt>{td_string!(l, detail.renewal_price)}</dt>
                                <dd>
                                    <span class="amount">{words::amount(l, p.total)}</span>
                                    <div class="sub">{words::renewal_price(l, &p)}</div>
                                    {p.method_refused.as_ref().map(|why| view! { <div class="notice notice-error">{words::payment_refusal(l, why)}</div> })}
                                </dd>
                            })}
                            <dt>{td_string!(l, detail.po_number)}</dt><dd>{if b.po_number.is_empty() { "—".to_string() } else { b.po_number.clone() }}</dd>
                            <dt>{td_string!(l, detail.notes)}</dt><dd>{if b.notes.is_empty() { "—".to_string() } else { b.notes.clone() }}</dd>
                            <dt>{td_string!(l, detail.po_documents)}</dt>
                            <dd>{if b.po_documents.is_empty() {
                                view! { <span>{td_string!(l, none)}</span> }.into_any()
                            } else {
                                view! { <ul class="plain">{b.po_documents.clone().into_iter().map(|doc| view! {
                                    <li><a href=links::po_document(s.id, doc.id) download="">{doc.file_name.clone()}</a></li>
                                }).collect_view()}</ul> }.into_any()
                            }}</dd>
                            <dt>{td_string!(l, detail.payers)}</dt>
                            <dd>{if b.payers.is_empty() { td_string!(l, none).to_string() } else { b.payers.join(", ") }}
                                " " <A href=links::subscription_payers(s.id)>{td_string!(l, detail.manage_payers)}</A></dd>
                        </dl>
                        <p><A href=links::invoice_details(s.id)>{td_string!(l, invoice_details.edit_link)}</A></p>
                        <p><A href=links::customer_details_of(&s.csn)>{td_string!(l, customer.edit_link)}</A></p>
                        <p><A href=links::change_payment_method(&s.id.to_string())>{td_string!(l, payment_methods.change_title)}</A></p>
                    </section>
                }.into_any(),
                None => view! {
                    <section class="card" aria-labelledby="h-payment">
                        <h2 id="h-payment">{td_string!(l, detail.payment)}</h2>
                        <p class="hint">{td_string!(l, detail.billing_hidden)}</p>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}

/// The seats and term of the next renewal (R-SUB-3): fewer seats or another term, saved on the
/// server and applied by the renewal; a pending change can be withdrawn.
#[component]
fn NextTermCard(
    id: SubscriptionId,
    f: NextTermForm,
    change: ServerAction<ChangeNextTerm>,
    withdraw: ServerAction<WithdrawNextTerm>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let error = move || {
        let failed = |r: Option<Result<(), crate::contract::error::AppError>>| r.and_then(|r| r.err());
        failed(change.value().get()).or_else(|| failed(withdraw.value().get()))
    };
    let form = match f.blocked {
        Some(why) => view! { <p class="hint">{words::next_term_refusal(l, &why)}</p> }.into_any(),
        None => view! {
            <p>{td_string!(l, next_term.intro)}</p>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=change attr:class="next-term">
                <input type="hidden" name="id" value=id.to_string()/>
                <label>
                    {td_string!(l, next_term.seats, max = f.max_seats)}
                    <input type="number" name="seats" min="1" max=f.max_seats.to_string() value=f.seats.to_string() required/>
                </label>
                <label>
                    {td_string!(l, next_term.term)}
                    <select name="term">
                        {f.terms.iter().map(|t| view! {
                            <option value=t.code() selected=*t == f.term>{words::term(l, *t)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary" disabled=move || change.pending().get()>{td_string!(l, next_term.save)}</button>
            </ActionForm>
            {f.pending.then(|| view! {
                <ActionForm action=withdraw attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" disabled=move || withdraw.pending().get()>{td_string!(l, next_term.withdraw)}</button>
                </ActionForm>
            })}
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="h-next-term">
            <h2 id="h-next-term">{td_string!(l, next_term.title)}</h2>
            {f.pending.then(|| view! {
                <p class="notice">{td_string!(l, next_term.pending, seats = f.seats, term = words::term(l, f.term))}</p>
            })}
            {form}
        </section>
    }
}
