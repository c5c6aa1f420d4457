//! The audit trail (`/billing/audit`, issue 14): the organisation's recorded changes, newest
//! first, 50 a page, filtered by subscription, user and kind with a GET form (every view has its
//! own address, also without JavaScript), and exported as CSV with the same filters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice};
use crate::api::audit_trail;
use crate::contract::dto::{AuditPage, AuditQuery, AuditRow};
use crate::contract::links;
use crate::i18n::{Locale, td_string};
use crate::words;

const FILTERS: [&str; 3] = ["subscription", "user", "kind"];

#[component]
pub fn AuditPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.get();
            AuditQuery {
                subscription: q.get("subscription"),
                user: q.get("user"),
                kind: q.get("kind"),
                page: q.get("page"),
            }
        },
        audit_trail,
    );
    view! {
        <Title text=td_string!(l, audit.title)/>
        <h1>{td_string!(l, audit.title)}</h1>
        <Authenticated children=move |me| view! {
            <p class="hint">{td_string!(l, audit.intro)}</p>
            {(!me.can_view_billing).then(|| view! { <p class="hint">{td_string!(l, audit.intro_admin)}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Filters p=p.clone()/> <Entries p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Filters(p: AuditPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let value = move |key: &'static str| query.with_untracked(|q| q.get(key).unwrap_or_default());
    let export = {
        let pairs: Vec<(&str, String)> = FILTERS.into_iter().map(|k| (k, value(k))).collect();
        links::audit_with(links::AUDIT_EXPORT, &pairs)
    };
    let (user, kind) = (value("user"), value("kind"));
    view! {
        <Form method="GET" action=links::AUDIT attr:class="filters" attr:aria-label=td_string!(l, audit.filters)>
            <div class="field">
                <label for="a-subscription">{td_string!(l, audit.subscription)}</label>
                <input id="a-subscription" name="subscription" type="text" inputmode="numeric" value=value("subscription")/>
            </div>
            <div class="field">
                <label for="a-user">{td_string!(l, audit.user)}</label>
                <select id="a-user" name="user">
                    <option value="">{td_string!(l, audit.all)}</option>
                    {p.users.iter().map(|(id, name)| {
                        let id = id.to_string();
                        let selected = id == user;
                        view! { <option value=id selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="a-kind">{td_string!(l, audit.kind)}</label>
                <select id="a-kind" name="kind">
                    <option value="">{td_string!(l, audit.all)}</option>
                    {p.kinds.iter().map(|k| view! {
                        <option value=k.code() selected=k.code() == kind>{words::audit_kind(l, *k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">{td_string!(l, audit.apply)}</button>
            <A href=links::AUDIT>{td_string!(l, audit.clear)}</A>
        </Form>
        <p class="export"><a href=export download="">{td_string!(l, audit.export)}</a></p>
    }
}

#[component]
fn Entries(p: AuditPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    if p.rows.is_empty() {
        return view! { <p>{td_string!(l, audit.none)}</p> }.into_any();
    }
    let from = (p.page - 1) * p.per_page + 1;
    let to = from + p.rows.len() as i64 - 1;
    let page_link = move |n: i64| {
        let mut pairs: Vec<(&str, String)> =
            FILTERS.into_iter().map(|k| (k, query.with_untracked(|q| q.get(k).unwrap_or_default()))).collect();
        pairs.push(("page", n.to_string()));
        links::audit_with(links::AUDIT, &pairs)
    };
    let previous = (p.page > 1).then(|| view! { <A href=page_link(p.page - 1)>{td_string!(l, audit.previous)}</A> });
    let next = (to < p.total).then(|| view! { <A href=page_link(p.page + 1)>{td_string!(l, audit.next)}</A> });
    view! {
        <p class="sub">{td_string!(l, audit.count, from = from, to = to, total = p.total)}</p>
        <div class="table-wrap"><table class="list">
            <caption>{td_string!(l, audit.caption)}</caption>
            <thead><tr>
                <th scope="col">{td_string!(l, audit.col_when)}</th>
                <th scope="col">{td_string!(l, audit.col_who)}</th>
                <th scope="col">{td_string!(l, audit.col_kind)}</th>
                <th scope="col">{td_string!(l, audit.col_action)}</th>
                <th scope="col">{td_string!(l, audit.col_object)}</th>
                <th scope="col">{td_string!(l, audit.col_change)}</th>
            </tr></thead>
            <tbody>{p.rows.into_iter().map(|r| view! { <Entry r/> }).collect_view()}</tbody>
        </table></div>
        <nav class="pager" aria-label=td_string!(l, audit.title)>{previous} " " {next}</nav>
    }
    .into_any()
}

#[component]
fn Entry(r: AuditRow) -> impl IntoView {
    let l = expect_context::<Locale>();
    let who = match &r.actor {
        Some(a) => view! { {a.name.clone()} <div class="sub">{a.email.clone()}</div> }.into_any(),
        None => view! { <span>{td_string!(l, audit.portal)}</span> }.into_any(),
    };
    let object = words::audit_object(l, &r.object_type, r.object_id, r.object_label.as_deref());
    let object = match r.object_type.as_str() {
        "subscription" => {
            view! { <A href=links::subscription(crate::domain::ids::SubscriptionId(r.object_id))>{object}</A> }
                .into_any()
        }
        "invoice" if r.object_label.is_some() => {
            view! { <A href=links::invoice(r.object_label.as_deref().unwrap_or_default())>{object}</A> }.into_any()
        }
        _ => view! { <span>{object}</span> }.into_any(),
    };
    view! {
        <tr>
            <td>{crate::domain::time::utc_instant_text(r.at)}</td>
            <td>{who}</td>
            <td>{r.kind.map(|k| words::audit_kind(l, k)).unwrap_or_default()}</td>
            <td><code>{r.action.clone()}</code></td>
            <td>{object}</td>
            <td>{r.detail.clone()}</td>
        </tr>
    }
}
