//! Manage auto-renew, review and confirm: `/billing/auto-renew?on=false&ids=1,2,3&return_to=...`.
//! The same page serves one subscription and up to 100 (R-BULK-1), with and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice};
use crate::api::{ChangeAutoRenew, preview_auto_renew};
use crate::contract::dto::{AutoRenewPreview, PreviewOutcome};
use crate::contract::links::{self, safe_next};
use crate::domain::selection::join_ids;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn AutoRenewPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Ids come as "1,2,3" (links) or as repeated `ids` fields (the list's form without JavaScript).
    let request = move || {
        let q = query.get();
        let ids = q.get_all("ids").unwrap_or_default().join(",");
        let on = q.get("on").as_deref() == Some("true");
        (ids, on)
    };
    let preview = Resource::new(request, |(ids, on)| preview_auto_renew(ids, on));
    let return_to =
        move || safe_next(query.get().get("return_to").as_deref()).unwrap_or_else(|| links::SUBSCRIPTIONS.into());
    view! {
        <Title text=td_string!(l, auto_renew.title)/>
        <Authenticated children=move |_me| view! {
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, auto_renew.checking)}</p> }>
                {move || preview.get().map(|r| match r {
                    Ok(p) => view! { <Review p return_to=return_to()/> }.into_any(),
                    Err(e) => view! {
                        <h1>{td_string!(l, auto_renew.title)}</h1>
                        <ErrorNotice error=e/>
                        <p><A href=return_to()>{td_string!(l, auto_renew.back)}</A></p>
                    }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Review(p: AutoRenewPreview, return_to: String) -> impl IntoView {
    let l = expect_context::<Locale>();
    let action = ServerAction::<ChangeAutoRenew>::new();
    let changes = p.changes();
    let ineligible = p.ineligible();
    let n = p.items.len();
    let ids = join_ids(&p.items.iter().map(|i| i.id).collect::<Vec<_>>());
    let eligible_ids = join_ids(
        &p.items
            .iter()
            .filter(|i| !matches!(i.outcome, PreviewOutcome::Ineligible(_)))
            .map(|i| i.id)
            .collect::<Vec<_>>(),
    );
    let confirm_label = match (p.on, words::is_one(l, changes)) {
        (true, true) => td_string!(l, auto_renew.confirm_on_single).to_string(),
        (true, false) => td_string!(l, auto_renew.confirm_on_multi, count = changes),
        (false, true) => td_string!(l, auto_renew.confirm_off_single).to_string(),
        (false, false) => td_string!(l, auto_renew.confirm_off_multi, count = changes),
    };
    let without_ineligible = links::auto_renew(p.on, &eligible_ids, &return_to);
    let heading = if p.on { td_string!(l, auto_renew.heading_on) } else { td_string!(l, auto_renew.heading_off) };
    let explain = if p.on { td_string!(l, auto_renew.explain_on) } else { td_string!(l, auto_renew.explain_off) };
    let already = if p.on { td_string!(l, auto_renew.already_on) } else { td_string!(l, auto_renew.already_off) };
    view! {
        <h1>{heading}</h1>
        <p>{explain}</p>
        {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        {(ineligible > 0).then(|| view! {
            <div class="notice notice-error" role="alert">
                <p>{td_string!(l, auto_renew.ineligible, count = ineligible, total = n)}</p>
                {(ineligible < n).then(|| view! { <A href=without_ineligible.clone()>{td_string!(l, auto_renew.continue_without)}</A> })}
            </div>
        })}
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{td_string!(l, auto_renew.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, auto_renew.col_product)}</th>
                        <th scope="col">{td_string!(l, auto_renew.col_subscription)}</th>
                        <th scope="col">{td_string!(l, auto_renew.col_csn)}</th>
                        <th scope="col">{td_string!(l, auto_renew.col_now)}</th>
                        <th scope="col">{td_string!(l, auto_renew.col_after)}</th>
                        <th scope="col">{td_string!(l, auto_renew.col_result)}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.items.iter().map(|i| {
                        let result = match &i.outcome {
                            PreviewOutcome::Changes | PreviewOutcome::RenewsNow => view! { <span class="ok">{td_string!(l, auto_renew.will_change)}</span> }.into_any(),
                            PreviewOutcome::Unchanged => view! { <span>{already}</span> }.into_any(),
                            PreviewOutcome::Ineligible(why) => view! { <span class="bad">{td_string!(l, auto_renew.cannot_change, reason = words::ineligible(l, why))}</span> }.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{i.product_name.clone()}</td>
                                <td>{i.id.to_string()}</td>
                                <td>{i.csn.clone()}</td>
                                <td>{words::shown_date(l, i.current)}</td>
                                <td>{if i.outcome == PreviewOutcome::RenewsNow {
                                    words::renews_now(l, i.resulting.date, false)
                                } else {
                                    words::shown_date(l, i.resulting)
                                }}</td>
                                <td>{result}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <ActionForm action=action attr:class="confirm">
            <input type="hidden" name="ids" value=ids/>
            <input type="hidden" name="on" value=p.on.to_string()/>
            <input type="hidden" name="idempotency_key" value=p.idempotency_key.clone()/>
            <input type="hidden" name="return_to" value=return_to.clone()/>
            <button type="submit" class="primary" disabled=move || { action.pending().get() || ineligible > 0 || changes == 0 }>
                {move || if action.pending().get() { td_string!(l, auto_renew.saving).to_string() } else { confirm_label.clone() }}
            </button>
            <A href=return_to.clone() attr:class="button-link">{td_string!(l, auto_renew.cancel)}</A>
        </ActionForm>
    }
}
