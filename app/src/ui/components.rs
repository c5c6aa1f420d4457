//! Pieces shared by the pages.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

use super::MeResource;
use crate::contract::dto::Me;
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::status::Status;
use crate::i18n::{Locale, td_string};

/// Renders `children` for a signed-in user; anyone else is sent to sign in and brought back.
///
/// `children` must not create resources: a page creates its resources at its top, before its
/// view, and hands them in. Resources are matched between server and browser by the order in
/// which they are created, and on the server a boundary may run its children's closure again
/// while it waits (Leptos walks them to find resource reads): a resource created in there takes
/// a different number on the server than in the browser, which then hydrates another resource's
/// value (a list page drew an error where the server had drawn the list, and the page died).
#[component]
pub fn Authenticated<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let l = expect_context::<Locale>();
    let me = expect_context::<MeResource>();
    let location = use_location();
    let children = StoredValue::new(children);
    // Awaiting (rather than reading) the resource waits for a fetch in flight, so a value from
    // before sign-in never sends a just-signed-in user back to the sign-in page.
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => children.with_value(|c| c(me)).into_any(),
                    Ok(None) => {
                        let search = location.search.get_untracked();
                        let search = search.trim_start_matches('?');
                        let path = location.pathname.get_untracked();
                        let here = if search.is_empty() { path } else { format!("{path}?{search}") };
                        let target = crate::contract::links::sign_in_then(&here);
                        view! { <Redirect path=target/> }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The id of the error notice a form shows; its fields point at it with `aria-describedby`.
pub const ERROR_ID: &str = "form-error";

/// An error as the user should read it, in their language. It takes the focus when it appears
/// after an action, so keyboard and screen-reader users land on it; the field it is about points
/// at it (see [`described_by`]).
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let l = expect_context::<Locale>();
    let (title, text) = crate::words::error(l, &error);
    let details = match &error {
        AppError::Validation { problem: Problem::AutoRenewRefused { refused, .. }, .. } => {
            refused.iter().map(|r| crate::words::refused(l, r)).collect()
        }
        AppError::Validation { problem: Problem::RenewRefused { refused }, .. } => {
            refused.iter().map(|r| crate::words::renew_refused(l, r)).collect()
        }
        AppError::Validation { problem: Problem::MethodChangeRefused { refused }, .. } => {
            refused.iter().map(|r| crate::words::method_refused(l, r)).collect()
        }
        AppError::Validation { problem: Problem::MethodInUse { subscriptions }, .. } => {
            subscriptions.iter().map(|u| crate::words::in_use(l, u)).collect()
        }
        _ => Vec::new(),
    };
    let node = focused_on_arrival();
    view! {
        <div class="notice notice-error" role="alert" id=ERROR_ID tabindex="-1" node_ref=node>
            <strong>{title}</strong>
            <p>{text}</p>
            {(!details.is_empty()).then(|| view! {
                <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// A node that takes the focus when it appears (a result, an error), so keyboard and
/// screen-reader users continue from there. It needs `tabindex="-1"`.
fn focused_on_arrival() -> NodeRef<leptos::html::Div> {
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = el.focus();
        }
    });
    node
}

/// `aria-describedby` and `aria-invalid` for the field `name` while `error` is about it.
pub fn described_by(error: Option<AppError>, name: &str) -> (Option<&'static str>, Option<&'static str>) {
    match error {
        Some(e) if e.field().is_none_or(|f| f == name) => (Some(ERROR_ID), Some("true")),
        _ => (None, None),
    }
}

/// The confirmation shown after a change redirected back here (`?notice=...&changed=N`).
#[component]
pub fn ChangeNotice() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    move || {
        let q = query.get();
        let changed: usize = q.get("changed").and_then(|c| c.parse().ok()).unwrap_or(0);
        let on = match q.get("notice").as_deref() {
            Some("auto-renew-on") => true,
            Some("auto-renew-off") => false,
            Some(next @ ("next-term" | "next-term-withdrawn")) => {
                let text = if next == "next-term" {
                    td_string!(l, next_term.saved)
                } else {
                    td_string!(l, next_term.withdrawn)
                };
                let node = focused_on_arrival();
                return Some(
                    view! { <div class="notice notice-success" role="status" tabindex="-1" node_ref=node>{text}</div> }
                        .into_any(),
                );
            }
            _ => return None,
        };
        let text = match (on, changed, crate::words::is_one(l, changed)) {
            (true, 0, _) => td_string!(l, notice.unchanged_on).to_string(),
            (false, 0, _) => td_string!(l, notice.unchanged_off).to_string(),
            (true, _, true) => td_string!(l, notice.turned_on_single).to_string(),
            (true, n, false) => td_string!(l, notice.turned_on_multi, count = n),
            (false, _, true) => td_string!(l, notice.turned_off_single).to_string(),
            (false, n, false) => td_string!(l, notice.turned_off_multi, count = n),
        };
        let node = focused_on_arrival();
        Some(
            view! { <div class="notice notice-success" role="status" tabindex="-1" node_ref=node>{text}</div> }
                .into_any(),
        )
    }
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! { <span class=format!("badge badge-{}", status.code())>{crate::words::status(l, status)}</span> }
}
