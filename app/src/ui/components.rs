//! Pieces shared by the pages.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

use super::MeResource;
use crate::contract::dto::Me;
use crate::contract::error::AppError;
use crate::domain::status::Status;

/// Renders `children` for a signed-in user; anyone else is sent to sign in and brought back.
#[component]
pub fn Authenticated<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let me = expect_context::<MeResource>();
    let location = use_location();
    let children = StoredValue::new(children);
    // Awaiting (rather than reading) the resource waits for a fetch in flight, so a value from
    // before sign-in never sends a just-signed-in user back to the sign-in page.
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    let title = match &error {
        AppError::Validation { .. } | AppError::Conflict(_) => "Please check",
        AppError::Unauthorized => "Signed out",
        AppError::Forbidden => "Not allowed",
        AppError::NotFound => "Not found",
        AppError::TooManyRequests(_) => "Please wait",
        AppError::Internal | AppError::Transport(_) => "Something went wrong",
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
    let query = use_query_map();
    move || {
        let q = query.get();
        let changed: i64 = q.get("changed").and_then(|c| c.parse().ok()).unwrap_or(0);
        let state = match q.get("notice").as_deref() {
            Some("auto-renew-on") => "on",
            Some("auto-renew-off") => "off",
            _ => return None,
        };
        let text = match changed {
            0 => format!("Auto-renew was already {state}; nothing changed."),
            1 => format!("Auto-renew turned {state} for 1 subscription. Buyers receive a confirmation e-mail."),
            n => format!("Auto-renew turned {state} for {n} subscriptions. Buyers receive a confirmation e-mail."),
        };
        Some(view! { <div class="notice notice-success" role="status">{text}</div> })
    }
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.code())>{status.label()}</span> }
}
