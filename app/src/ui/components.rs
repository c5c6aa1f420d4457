//! Pieces shared by the pages.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

use super::MeResource;
use crate::contract::dto::Me;
use crate::contract::error::AppError;
use crate::domain::status::Status;
use crate::i18n::{Locale, td_string};

/// Renders `children` for a signed-in user; anyone else is sent to sign in and brought back.
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

/// An error as the user should read it.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let l = expect_context::<Locale>();
    let title = match &error {
        AppError::Validation { .. } | AppError::Conflict(_) => td_string!(l, errors.please_check),
        AppError::Unauthorized => td_string!(l, errors.signed_out),
        AppError::Forbidden => td_string!(l, errors.not_allowed),
        AppError::NotFound => td_string!(l, errors.not_found),
        AppError::TooManyRequests(_) => td_string!(l, errors.please_wait),
        AppError::Internal | AppError::Transport(_) => td_string!(l, errors.went_wrong),
    };
    view! {
        <div class="notice notice-error" role="alert">
            <strong>{title}</strong>
            <p>{error.to_string()}</p>
        </div>
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
            _ => return None,
        };
        let text = match (on, changed, super::words::is_one(l, changed)) {
            (true, 0, _) => td_string!(l, notice.unchanged_on).to_string(),
            (false, 0, _) => td_string!(l, notice.unchanged_off).to_string(),
            (true, _, true) => td_string!(l, notice.turned_on_single).to_string(),
            (true, n, false) => td_string!(l, notice.turned_on_multi, count = n),
            (false, _, true) => td_string!(l, notice.turned_off_single).to_string(),
            (false, n, false) => td_string!(l, notice.turned_off_multi, count = n),
        };
        Some(view! { <div class="notice notice-success" role="status">{text}</div> })
    }
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! { <span class=format!("badge badge-{}", status.code())>{super::words::status(l, status)}</span> }
}
