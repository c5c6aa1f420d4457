//! Subscriptions and contracts: the list (filters, search, sort, pages, selection, Actions >
//! Manage auto-renew) and one subscription's page.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::components::{Authenticated, ChangeNotice, ErrorNotice, StatusBadge};
use super::words;
use crate::api::{list_subscriptions, subscription};
use crate::contract::dto::{ChangeAvailability, Me, SubscriptionDetail, SubscriptionPage, SubscriptionQuery};
use crate::contract::links;
use crate::domain::ids::SubscriptionId;
use crate::domain::selection::{MAX_BULK, SelectionError, join_ids};
use crate::domain::status::Status;
use crate::domain::term::Term;
use crate::domain::time::format_date;

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
    view! {
        <Title text="Subscriptions and contracts"/>
        <h1>"Subscriptions and contracts"</h1>
        <Authenticated children=move |me| view! { <SubscriptionList me/> }/>
    }
}

#[component]
fn SubscriptionList(me: Me) -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(move || query_from(&query.get()), list_subscriptions);
    // The selection survives paging and filtering, so a buyer can gather up to 100 across pages.
    let selected = RwSignal::new(BTreeSet::<SubscriptionId>::new());
    let can_act = me.can_change_auto_renew;
    view! {
        <ChangeNotice/>
        <Transition fallback=|| view! { <p class="loading">"Loading subscriptions…"</p> }>
            {move || page.get().map(|r| match r {
                Ok(p) => view! {
                    <Filters csns=p.csns.clone() currencies=p.currencies.iter().map(|c| c.code().to_string()).collect()/>
                    <Results page=p selected can_act/>
                }.into_any(),
                Err(e) => view! {
                    <ErrorNotice error=e/>
                    <p><A href=links::SUBSCRIPTIONS>"Clear the filters"</A></p>
                }.into_any(),
            })}
        </Transition>
    }
}

/// Filters, search and page size: a GET form, so it works without JavaScript and every view of
/// the list has its own URL. CSNs and currencies are the organisation's own.
#[component]
fn Filters(csns: Vec<String>, currencies: Vec<String>) -> impl IntoView {
    let query = use_query_map();
    let value = move |key: &'static str| move || query.get().get(key).unwrap_or_default();
    let is = move |key: &'static str, v: String| move || query.get().get(key).as_deref() == Some(v.as_str());
    view! {
        <Form method="GET" action=links::SUBSCRIPTIONS attr:class="filters" attr:aria-label="Filter subscriptions">
            <div class="field">
                <label for="f-q">"Search"</label>
                <input id="f-q" name="q" type="search" placeholder="Product, subscription id, contract, CSN" prop:value=value("q")/>
            </div>
            <div class="field">
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status">
                    <option value="">"All"</option>
                    {Status::ALL.into_iter().map(|s| view! {
                        <option value=s.code() selected=is("status", s.code().into())>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-term">"Term"</label>
                <select id="f-term" name="term">
                    <option value="">"All"</option>
                    {Term::ALL.into_iter().map(|t| view! {
                        <option value=t.code() selected=is("term", t.code().into())>{t.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-auto">"Auto-renew"</label>
                <select id="f-auto" name="auto_renew">
                    <option value="">"All"</option>
                    <option value="on" selected=is("auto_renew", "on".into())>"On"</option>
                    <option value="off" selected=is("auto_renew", "off".into())>"Off"</option>
                </select>
            </div>
            <ValueSelect id="f-csn" name="csn" label="Customer number (CSN)" values=csns/>
            <ValueSelect id="f-currency" name="currency" label="Currency" values=currencies/>
            <div class="field">
                <label for="f-per-page">"Rows per page"</label>
                <select id="f-per-page" name="per_page">
                    {crate::domain::selection::PER_PAGE_CHOICES.into_iter().map(|n| view! {
                        <option value=n.to_string() selected=move || query.get().get("per_page").unwrap_or_else(|| "25".into()) == n.to_string()>{n}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">"Apply filters"</button>
            <A href=links::SUBSCRIPTIONS attr:class="button-link">"Clear"</A>
        </Form>
    }
}

/// A filter whose choices are the account's own values, plus "All".
#[component]
fn ValueSelect(id: &'static str, name: &'static str, label: &'static str, values: Vec<String>) -> impl IntoView {
    let query = use_query_map();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">"All"</option>
                {values.into_iter().map(|v| {
                    let (current, text) = (v.clone(), v.clone());
                    let selected = move || query.get().get(name).as_deref() == Some(current.as_str());
                    view! { <option value=v selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Results(page: SubscriptionPage, selected: RwSignal<BTreeSet<SubscriptionId>>, can_act: bool) -> impl IntoView {
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
        (n > MAX_BULK).then(|| SelectionError::TooMany(n).to_string())
    };
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
    let total = page.total;
    let first = (page.page - 1) * page.per_page + 1;
    let last = (first + page.rows.len() as i64 - 1).max(0);
    let pages = ((total + page.per_page - 1) / page.per_page).max(1);
    let current = page.page;
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
                <div class="actions-bar" role="group" aria-label="Actions">
                    <span aria-live="polite">{move || format!("{} selected", count())}</span>
                    <span class="actions-title">"Manage auto-renew:"</span>
                    <button type="submit" name="on" value="true" disabled=move || { count() == 0 || count() > MAX_BULK } on:click=go(true)>"Turn auto-renew on"</button>
                    <button type="submit" name="on" value="false" disabled=move || { count() == 0 || count() > MAX_BULK } on:click=go(false)>"Turn auto-renew off"</button>
                    {move || (count() > 0).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
                    })}
                </div>
                {move || too_many().map(|m| view! { <div class="notice notice-error" role="alert">{m}</div> })}
            })}
            <p class="count">{format!("{first}–{last} of {total} subscriptions")}</p>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">"Subscriptions and contracts"</caption>
                    <thead>
                        <tr>
                            {can_act.then(|| view! {
                                <th scope="col">
                                    <input type="checkbox" aria-label="Select all on this page" prop:checked=all_on_page on:change=toggle_page/>
                                </th>
                            })}
                            {move || sort_link("product", "Product")}
                            {move || sort_link("id", "Subscription")}
                            {move || sort_link("csn", "CSN")}
                            {move || sort_link("seats", "Seats")}
                            <th scope="col">"Term"</th>
                            {move || sort_link("status", "Status")}
                            {move || sort_link("date", "Renewal / expiry")}
                            <th scope="col">"Auto-renew"</th>
                            <th scope="col">"Payment method"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let id = r.id;
                            let label = format!("Select subscription {id}");
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
                                    <td><A href=links::subscription(id)>{r.product_name}</A></td>
                                    <td>{id.to_string()}<div class="sub">{r.contract_number}</div></td>
                                    <td>{r.csn}</td>
                                    <td class="num">{r.seats}</td>
                                    <td>{r.term.label()}</td>
                                    <td><StatusBadge status=r.status/></td>
                                    <td>{words::shown_date(r.shown)}</td>
                                    <td>{if r.shown.auto_renew { "On" } else { "Off" }}</td>
                                    <td>{r.payment_method.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </form>
        <nav class="pager" aria-label="Pages">
            {(current > 1).then(|| view! { <A href=with_params(&query.get_untracked(), &[("page", (current - 1).to_string())])>"Previous page"</A> })}
            <span>{format!("Page {current} of {pages}")}</span>
            {(current < pages).then(|| view! { <A href=with_params(&query.get_untracked(), &[("page", (current + 1).to_string())])>"Next page"</A> })}
        </nav>
    }
}

#[component]
pub fn SubscriptionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => subscription(id).await,
            None => Err(crate::contract::error::AppError::NotFound),
        }
    });
    view! {
        <Title text="Subscription"/>
        <Authenticated children=move |_me| view! {
            <ChangeNotice/>
            <Suspense fallback=|| view! { <p class="loading">"Loading subscription…"</p> }>
                {move || detail.get().map(|r| match r {
                    Ok(d) => view! { <Detail d/> }.into_any(),
                    Err(e) => view! { <h1>"Subscription"</h1><ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Detail(d: SubscriptionDetail) -> impl IntoView {
    let s = d.summary.clone();
    let id = s.id;
    let on = s.shown.auto_renew;
    let turn_to = !on;
    let change_href = links::auto_renew(turn_to, &id.to_string(), &links::subscription(id));
    let date = format_date(s.shown.date);
    let change_label = if turn_to { "Turn auto-renew on" } else { "Turn auto-renew off" };
    view! {
        <p><A href=links::SUBSCRIPTIONS>"← Subscriptions and contracts"</A></p>
        <h1>{s.product_name.clone()}</h1>
        <div class="grid">
            <section class="card" aria-labelledby="h-overview">
                <h2 id="h-overview">"Overview"</h2>
                <dl class="facts">
                    <dt>"Subscription ID"</dt><dd>{id.to_string()}</dd>
                    <dt>"Contract number"</dt><dd>{s.contract_number.clone()}</dd>
                    <dt>"Customer number (CSN)"</dt><dd>{s.csn.clone()}" · "{d.company_name.clone()}</dd>
                    <dt>"Seats"</dt><dd>{s.seats}{d.seats_at_renewal.map(|n| format!(" ({n} from the next renewal)"))}</dd>
                    <dt>"Term"</dt><dd>{s.term.label()}{d.term_at_renewal.map(|t| format!(" ({} from the next renewal)", t.label()))}</dd>
                    <dt>"Status"</dt><dd><StatusBadge status=s.status/>{if s.status.product_access() { " Product access" } else { " No product access" }}</dd>
                    <dt>"Customer since"</dt><dd>{format_date(d.started_on)}</dd>
                    <dt>"Current term started"</dt><dd>{words::instant(d.term_start, &d.time_zone)}</dd>
                    <dt>{crate::domain::auto_renew::shown_date_label(on)}</dt><dd>{date.clone()}<div class="sub">{words::instant(d.date_instant, &d.time_zone)}" ("{d.time_zone.clone()}")"</div></dd>
                    {d.reseller_name.clone().map(|name| {
                        let contact = match &d.reseller_email { Some(e) => format!("{name} ({e})"), None => name };
                        view! { <dt>"Reseller"</dt><dd>{contact}{d.partner_csn.clone().map(|c| format!(", partner CSN {c}"))}</dd> }
                    })}
                </dl>
            </section>
            <section class="card" aria-labelledby="h-lifecycle">
                <h2 id="h-lifecycle">"Status and access"</h2>
                <p>"This subscription is " <strong>{s.status.label()}</strong> ". " {words::renewal_window(&d.renewal_window)}</p>
                {d.payment_due.map(|due| view! { <p class="notice" role="status">{words::payment_due(due)}</p> })}
                {(!d.next_states.is_empty()).then(|| view! {
                    <p>"Unless it is renewed or paid: "
                        {d.next_states.iter().map(|(state, day)| format!("{} from {}", state.label(), format_date(*day))).collect::<Vec<_>>().join(", ")} "."</p>
                })}
                <table class="allowances">
                    <caption>{format!("What {} allows", s.status.label())}</caption>
                    <tbody>
                        {d.allowances.rows().into_iter().map(|(what, level)| view! { <tr><th scope="row">{what}</th><td>{level.label()}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="card" aria-labelledby="h-renewal">
                <h2 id="h-renewal">"Auto-renew"</h2>
                <p class="big">{if on { "On" } else { "Off" }}</p>
                <p>{match (on, &d.auto_renew_change) {
                    (true, _) => format!("Renews automatically on {date}. Turning auto-renew off cancels the renewal: no charge, and the subscription expires at the end of the term."),
                    (false, ChangeAvailability::Blocked(_)) => format!("Expired on {date}."),
                    (false, _) => format!("Expires on {date}. Auto-renew can be turned on again until {}.", format_date(d.auto_renew_last_day)),
                }}</p>
                {match d.auto_renew_change.clone() {
                    ChangeAvailability::Available => view! { <A href=change_href attr:class="button-link primary">{change_label}</A> }.into_any(),
                    ChangeAvailability::Blocked(why) => view! { <p class="hint">{why.message()}</p> }.into_any(),
                    ChangeAvailability::NotAllowed => view! { <p class="hint">"Only a buyer can change renewals."</p> }.into_any(),
                }}
            </section>
            {match d.billing.clone() {
                Some(b) => view! {
                    <section class="card" aria-labelledby="h-payment">
                        <h2 id="h-payment">"Payment"</h2>
                        <dl class="facts">
                            <dt>"Payment method"</dt><dd>{b.payment_method.unwrap_or_else(|| "None".into())}</dd>
                            <dt>"Currency"</dt><dd>{s.currency.code()}</dd>
                            <dt>"PO number"</dt><dd>{if b.po_number.is_empty() { "—".to_string() } else { b.po_number.clone() }}</dd>
                            <dt>"Invoice notes"</dt><dd>{if b.notes.is_empty() { "—".to_string() } else { b.notes.clone() }}</dd>
                            <dt>"PO documents"</dt><dd>{if b.po_documents.is_empty() { "None".to_string() } else { b.po_documents.join(", ") }}</dd>
                            <dt>"Payers"</dt><dd>{if b.payers.is_empty() { "None".to_string() } else { b.payers.join(", ") }}</dd>
                        </dl>
                    </section>
                }.into_any(),
                None => view! {
                    <section class="card" aria-labelledby="h-payment">
                        <h2 id="h-payment">"Payment"</h2>
                        <p class="hint">"Billing details are visible to buyers only."</p>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}
