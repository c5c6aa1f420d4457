//! Pages and components. They render state and dispatch server functions; no business rule is
//! decided here (limits shown for speed come from `crate::domain`).

mod account;
mod approvals;
mod audit;
mod auto_renew;
pub(crate) mod components;
mod customer_details;
mod demo_clock;
mod invitation;
mod invoice_details;
mod invoices;
mod mailbox;
mod new_quote;
mod overview;
mod password_reset;
mod payment_methods;
mod quotes;
mod renew;
mod sign_in;
mod subscriptions;
mod users;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

use leptos::server_fn::ServerFn;

use crate::api::{SignOut, current_user, site_features};
use crate::contract::dto::Me;
use crate::contract::links;
use crate::domain::locale::Locale as Lang;
use crate::i18n::{Locale, td_string};
use crate::words;

/// The page around the app. `<html lang>` is the request's language, which the server decided
/// (the user's choice, the switcher's cookie, the browser's); the browser takes it from there.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    // The page's content security policy carries the nonce Leptos puts on its scripts.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = crate::contract::policy::page(&nonce);
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    // The stylesheet by its hashed name (cached for good); the shell is drawn on the server only.
    let stylesheet = use_context::<links::Stylesheet>().map_or_else(|| links::PLAIN_STYLESHEET.to_string(), |s| s.0);
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <link rel="stylesheet" href=stylesheet/>
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
    // The server renders in the request's language and writes it into `<html lang>`; the
    // browser reads it back from there. Changing it reloads the page, so it is a plain value.
    provide_context(Locale::from(request_language()));
    view! { <Page/> }
}

#[component]
fn Page() -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <Title formatter=move |t: String| {
            if t.is_empty() { td_string!(l, app.name).to_string() } else { td_string!(l, app.title_suffix, title = t) }
        }/>
        <Router>
            <Shell/>
        </Router>
    }
}

/// The request's language: provided by the server for each request; in the browser, read back
/// from `<html lang>`.
fn request_language() -> Lang {
    #[cfg(feature = "hydrate")]
    if let Some(lang) =
        document().document_element().and_then(|e| e.get_attribute("lang")).and_then(|l| Lang::parse(&l))
    {
        return lang;
    }
    use_context::<Lang>().unwrap_or_default()
}

/// Sets `data-hydrated` on `<body>` once the WASM has taken over, so browser tests (and
/// impatient people) know buttons now run client-side. The page's `Suspense` contents hydrate
/// in tasks of their own after the shell: the mark waits for the executor to run them (a few
/// ticks), then a moment more, so a click never lands on content that is not yet live.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async {
            for _ in 0..8 {
                leptos::task::tick().await;
            }
            set_timeout(
                || {
                    if let Some(body) = document().body() {
                        let _ = body.set_attribute("data-hydrated", "true");
                    }
                },
                std::time::Duration::from_millis(50),
            );
        });
    });
}

#[component]
fn Shell() -> impl IntoView {
    let l = expect_context::<Locale>();
    let location = use_location();
    let me: MeResource = Resource::new(move || location.pathname.get(), |_| current_user());
    provide_context(me);
    let features = Resource::new(|| (), |_| site_features());
    view! {
        <a class="skip-link" href="#main">{td_string!(l, app.skip)}</a>
        <header class="topbar">
            <A href="/" attr:class="brand">{td_string!(l, app.name)}</A>
            <Transition fallback=|| ()>
                {move || features.get().and_then(|f| f.ok()).map(|f| view! {
                    {f.demo_clock.then(|| view! { <A href=links::DEMO_CLOCK attr:class="demo-link">{td_string!(l, app.demo_clock)}</A> })}
                    {f.mailbox.then(|| view! { <A href=links::MAILBOX attr:class="demo-link">{td_string!(l, app.mailbox)}</A> })}
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || me.get().map(|r| match r {
                    Ok(Some(me)) => view! { <UserMenu me/> }.into_any(),
                    _ => ().into_any(),
                })}
            </Transition>
            <LanguageSwitcher/>
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
                    <Route path=path!("/billing/subscriptions/:id/add-seats") view=renew::AddSeatsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/subscriptions/:id/invoice-details") view=invoice_details::InvoiceDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/subscriptions/:id/extend") view=renew::ExtendPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/auto-renew") view=auto_renew::AutoRenewPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/renew") view=renew::RenewPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/cart") view=renew::CartPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/orders") view=renew::OrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/orders/:number") view=renew::OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/orders/:number/refund") view=renew::RefundPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/quotes") view=quotes::QuotesPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/quotes/new") view=new_quote::NewQuotePage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/quotes/:number") view=quotes::QuotePage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/approvals") view=approvals::ApprovalsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/approvals/:number") view=approvals::ApprovalPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/invoices") view=invoices::InvoicesPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/invoices/pay") view=invoices::PayInvoicesPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/invoices/:number") view=invoices::InvoicePage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/payments/:id") view=invoices::PaymentPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing") view=overview::OverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/users") view=users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/users/products") view=users::ProductAssignmentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/users/products/:id") view=users::ProductAssignmentPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/audit") view=audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/customer-details") view=customer_details::CustomerDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/payment-methods") view=payment_methods::PaymentMethodsPage ssr=SsrMode::Async/>
                    <Route path=path!("/billing/payment-methods/change") view=payment_methods::ChangePaymentMethodPage ssr=SsrMode::Async/>
                    <Route path=path!("/mailbox") view=mailbox::MailboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/demo/clock") view=demo_clock::DemoClockPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=password_reset::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password") view=password_reset::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/accept-invitation") view=invitation::AcceptInvitationPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </div>
    }
}

#[component]
fn UserMenu(me: Me) -> impl IntoView {
    let l = expect_context::<Locale>();
    let roles = me.roles.iter().map(|r| words::role(l, *r)).collect::<Vec<_>>().join(", ");
    view! {
        <div class="user">
            <span class="user-name">{me.display_name}</span>
            <span class="user-meta">{me.org_name}" · "{roles}</span>
            // A plain form: signing out loads the sign-in page afresh, in the browser's language,
            // with nothing of the session left in memory.
            <form method="post" action={<SignOut as ServerFn>::PATH} class="inline">
                <button type="submit" class="link-button">{td_string!(l, app.sign_out)}</button>
            </form>
        </div>
    }
}

/// The "Billing and orders" navigation: only what this user may open.
#[component]
fn Nav(me: Me) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <nav class="sidenav" aria-label=td_string!(l, app.nav)>
            <ul>
                {me.can_view_billing.then(|| view! {
                    <li><A href=links::OVERVIEW exact=true>{td_string!(l, app.nav_overview)}</A></li>
                })}
                {me.can_view_subscriptions.then(|| view! {
                    <li><A href=links::SUBSCRIPTIONS>{td_string!(l, app.nav_subscriptions)}</A></li>
                })}
                {me.can_renew.then(|| view! {
                    <li><A href=links::CART>{td_string!(l, app.nav_cart)}</A></li>
                    <li><A href=links::ORDERS>{td_string!(l, app.nav_orders)}</A></li>
                })}
                {me.can_view_quotes.then(|| view! {
                    <li><A href=links::QUOTES>{td_string!(l, app.nav_quotes)}</A></li>
                })}
                {me.can_renew.then(|| view! {
                    <li><A href=links::APPROVALS>{td_string!(l, app.nav_approvals)}</A></li>
                })}
                {me.can_view_invoices.then(|| view! {
                    <li><A href=links::INVOICES>{td_string!(l, app.nav_invoices)}</A></li>
                })}
                {me.can_manage_payment_methods.then(|| view! {
                    <li><A href=links::PAYMENT_METHODS>{td_string!(l, app.nav_payment_methods)}</A></li>
                })}
                {me.can_view_users.then(|| view! {
                    <li><A href=links::USERS>{td_string!(l, app.nav_users)}</A></li>
                })}
                {me.can_edit_customer_details.then(|| view! {
                    <li><A href=links::CUSTOMER_DETAILS>{td_string!(l, app.nav_customer_details)}</A></li>
                })}
                {me.can_view_audit.then(|| view! {
                    <li><A href=links::AUDIT>{td_string!(l, app.nav_audit)}</A></li>
                })}
                <li><A href=links::ACCOUNT>{td_string!(l, app.nav_account)}</A></li>
            </ul>
        </nav>
    }
}

/// `/` sends each user to their start page.
#[component]
fn Home() -> impl IntoView {
    let l = expect_context::<Locale>();
    let me = expect_context::<MeResource>();
    view! {
        <Suspense fallback=move || view! { <p>{td_string!(l, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Redirect path=links::home(me.can_view_billing, me.can_view_subscriptions, me.can_view_invoices)/> }.into_any(),
                    _ => view! { <Redirect path=links::SIGN_IN/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let l = expect_context::<Locale>();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=td_string!(l, app.not_found_title)/>
        <h1>{td_string!(l, app.not_found_title)}</h1>
        <p><A href="/">{td_string!(l, app.not_found_link)}</A></p>
    }
}

/// The language switcher: a plain form, so it works without JavaScript. The server keeps the
/// choice (a cookie, and the user's preference when signed in) and sends the browser back here.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let l = expect_context::<Locale>();
    let current = words::lang(l);
    let location = use_location();
    let back = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() { path } else { format!("{path}?{}", search.trim_start_matches('?')) }
    };
    view! {
        <form method="post" action=links::SET_LANGUAGE class="languages" aria-label=td_string!(l, app.language)>
            <input type="hidden" name="back" value=back/>
            {Lang::ALL.into_iter().map(|lang| view! {
                <button type="submit" name="locale" value=lang.code() lang=lang.code() class="link-button"
                    aria-pressed=(lang == current).to_string()>
                    {lang.native_name()}
                </button>
            }).collect_view()}
        </form>
    }
}
