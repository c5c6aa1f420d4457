//! Pages and components. They render state and dispatch server functions; no business rule is
//! decided here (limits shown for speed come from `crate::domain`).

mod account;
mod auto_renew;
pub(crate) mod components;
mod demo_clock;
mod mailbox;
mod password_reset;
mod sign_in;
mod subscriptions;
mod words;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

use crate::api::{SignOut, current_user, site_features};
use crate::contract::dto::Me;
use crate::contract::links;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The signed-in user, fetched again on every navigation so sign-in and sign-out show at once.
pub type MeResource = Resource<Result<Option<Me>, crate::contract::error::AppError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();
    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Billing and orders".to_string() } else { format!("{t} | Billing and orders") }/>
        <Router>
            <Shell/>
        </Router>
    }
}

/// Sets `data-hydrated` on `<body>` once the WASM has taken over, so browser tests (and
/// impatient people) know buttons now run client-side.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn Shell() -> impl IntoView {
    let location = use_location();
    let me: MeResource = Resource::new(move || location.pathname.get(), |_| current_user());
    provide_context(me);
    let features = Resource::new(|| (), |_| site_features());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"Billing and orders"</A>
            <Transition fallback=|| ()>
                {move || features.get().and_then(|f| f.ok()).map(|f| view! {
                    {f.demo_clock.then(|| view! { <A href=links::DEMO_CLOCK attr:class="demo-link">"Demo clock"</A> })}
                    {f.mailbox.then(|| view! { <A href=links::MAILBOX attr:class="demo-link">"Mailbox (demo)"</A> })}
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || me.get().map(|r| match r {
                    Ok(Some(me)) => view! { <UserMenu me/> }.into_any(),
                    _ => ().into_any(),
                })}
            </Transition>
        </header>
        <div class="layout">
            <Transition fallback=|| ()>
                {move || me.get().map(|r| match r {
                    Ok(Some(me)) => view! { <Nav me/> }.into_any(),
                    _ => ().into_any(),
                })}
            </Transition>
            // Pages render completely before they are sent (SsrMode::Async), so redirects and
            // status codes decided inside a page reach the browser, also without JavaScript.
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=sign_in::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/subscriptions") view=subscriptions::SubscriptionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/subscriptions/:id") view=subscriptions::SubscriptionPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/auto-renew") view=auto_renew::AutoRenewPage ssr=SsrMode::Async/>
                    <Route path=path!("/mailbox") view=mailbox::MailboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/demo/clock") view=demo_clock::DemoClockPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=password_reset::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password") view=password_reset::ResetPasswordPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </div>
    }
}

#[component]
fn UserMenu(me: Me) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let roles = me.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    view! {
        <div class="user">
            <span class="user-name">{me.display_name}</span>
            <span class="user-meta">{me.org_name}" · "{roles}</span>
            <ActionForm action=sign_out attr:class="inline">
                <button type="submit" class="link-button">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// The "Billing and orders" navigation: only what this user may open.
#[component]
fn Nav(me: Me) -> impl IntoView {
    view! {
        <nav class="sidenav" aria-label="Billing and orders">
            <ul>
                {me.can_view_subscriptions.then(|| view! {
                    <li><A href=links::SUBSCRIPTIONS>"Subscriptions and contracts"</A></li>
                })}
                <li><A href=links::ACCOUNT>"Profile and roles"</A></li>
            </ul>
        </nav>
    }
}

/// `/` sends each user to their start page.
#[component]
fn Home() -> impl IntoView {
    let me = expect_context::<MeResource>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Redirect path=links::home(me.can_view_subscriptions)/> }.into_any(),
                    _ => view! { <Redirect path=links::SIGN_IN/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <h1>"Page not found"</h1>
        <p><A href="/">"Go to the start page"</A></p>
    }
}
