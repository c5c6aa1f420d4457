//! Profile and roles: who is signed in, in which organisation, with which roles.

use leptos::prelude::*;
use leptos_meta::Title;

use super::components::Authenticated;
use crate::domain::authz::Role;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Profile and roles"/>
        <h1>"Profile and roles"</h1>
        <Authenticated children=move |me| {
            let explain = me.roles.iter().map(|r| view! {
                <li><strong>{r.label()}</strong>": "{role_text(*r)}</li>
            }).collect_view();
            view! {
                <dl class="facts">
                    <dt>"Name"</dt><dd>{me.display_name.clone()}</dd>
                    <dt>"E-mail"</dt><dd>{me.email.clone()}</dd>
                    <dt>"Organisation"</dt><dd>{me.org_name.clone()}</dd>
                </dl>
                <h2>"Your roles"</h2>
                <ul class="roles">{explain}</ul>
                <p class="hint">"Changing who is the buyer is not self-service: contact support."</p>
            }
        }/>
    }
}

/// What each role means here (R-ROLE-2, R-ROLE-4..7).
fn role_text(role: Role) -> &'static str {
    match role {
        Role::Buyer => "manages billing, renewals, payment methods and orders.",
        Role::PrimaryAdmin => {
            "assigns products and manages users and secondary admins; sees subscriptions without billing actions."
        }
        Role::SecondaryAdmin => "assigns products and manages users; sees subscriptions without billing actions.",
        Role::Payer => "receives invoices by e-mail and pays them.",
    }
}
