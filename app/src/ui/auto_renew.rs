//! Manage auto-renew, review and confirm: `/billing/auto-renew?on=false&ids=1,2,3&return_to=...`.
//! The same page serves one subscription and up to 100 (R-BULK-1), with and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice};
use super::words;
use crate::api::{ChangeAutoRenew, preview_auto_renew};
use crate::contract::dto::{AutoRenewPreview, PreviewOutcome};
use crate::contract::links::{self, safe_next};
use crate::domain::selection::join_ids;

#[component]
pub fn AutoRenewPage() -> impl IntoView {
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
        <Title text="Manage auto-renew"/>
        <Authenticated children=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Checking the selected subscriptions…"</p> }>
                {move || preview.get().map(|r| match r {
                    Ok(p) => view! { <Review p return_to=return_to()/> }.into_any(),
                    Err(e) => view! {
                        <h1>"Manage auto-renew"</h1>
                        <ErrorNotice error=e/>
                        <p><A href=return_to()>"Back"</A></p>
                    }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Review(p: AutoRenewPreview, return_to: String) -> impl IntoView {
    let action = ServerAction::<ChangeAutoRenew>::new();
    let state = if p.on { "on" } else { "off" };
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
    let confirm_label = match changes {
        1 => format!("Confirm: turn auto-renew {state} for 1 subscription"),
        c => format!("Confirm: turn auto-renew {state} for {c} subscriptions"),
    };
    let without_ineligible = links::auto_renew(p.on, &eligible_ids, &return_to);
    let heading = format!("Turn auto-renew {state}");
    let explain = if p.on {
        "With auto-renew on, each subscription renews on its renewal date and the payment method on file is charged (or invoiced). Review the dates, then confirm."
    } else {
        "With auto-renew off, nothing is charged on the renewal date: each subscription stays usable until its expiry date, then expires. You can turn auto-renew on again until 45 days (30 for monthly terms) after expiry."
    };
    view! {
        <h1>{heading}</h1>
        <p>{explain}</p>
        {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
        {(ineligible > 0).then(|| view! {
            <div class="notice notice-error" role="alert">
                <p>{format!("{ineligible} of the {n} selected subscriptions cannot change; nothing will be changed while they are selected.")}</p>
                {(ineligible < n).then(|| view! { <A href=without_ineligible.clone()>"Continue without them"</A> })}
            </div>
        })}
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">"Subscriptions to change"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Subscription"</th>
                        <th scope="col">"CSN"</th>
                        <th scope="col">"Now"</th>
                        <th scope="col">"After the change"</th>
                        <th scope="col">"Result"</th>
                    </tr>
                </thead>
                <tbody>
                    {p.items.iter().map(|i| {
                        let result = match &i.outcome {
                            PreviewOutcome::Changes => view! { <span class="ok">"Will change"</span> }.into_any(),
                            PreviewOutcome::Unchanged => view! { <span>{format!("Already {state}")}</span> }.into_any(),
                            PreviewOutcome::Ineligible(why) => view! { <span class="bad">"Cannot change: "{why.message()}</span> }.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{i.product_name.clone()}</td>
                                <td>{i.id.to_string()}</td>
                                <td>{i.csn.clone()}</td>
                                <td>{words::shown_date(i.current)}</td>
                                <td>{words::shown_date(i.resulting)}</td>
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
                {move || if action.pending().get() { "Saving…".to_string() } else { confirm_label.clone() }}
            </button>
            <A href=return_to.clone() attr:class="button-link">"Cancel"</A>
        </ActionForm>
    }
}
