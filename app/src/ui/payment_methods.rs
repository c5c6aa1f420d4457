//! Billing and orders > Payment methods (`/billing/payment-methods`, R-PAY-5, R-PAY-6): each
//! customer number's methods with the subscriptions paying with them; add a card, edit a card's
//! billing address and expiry, remove a method. Changing the method of one subscription or of
//! up to 100 (`/billing/payment-methods/change?ids=...`, R-BULK-5). Every form works without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice, described_by};
use crate::api::{AddCard, ChangePaymentMethod, EditCard, RemovePaymentMethod, payment_methods, preview_method_change};
use crate::contract::dto::{
    CustomerMethods, MethodChangeChoice, MethodChangePage, MethodOnFileView, MethodUserView, PaymentMethodsPage as Page,
};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::card::{MAX_BILLING_ADDRESS, MAX_HOLDER};
use crate::domain::selection::join_ids;
use crate::i18n::{Locale, td_string};
use crate::words;

#[component]
pub fn PaymentMethodsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Each change comes back here with `?notice=...`: the methods are read again.
    let page = Resource::new(move || (query.get().get("notice"), query.get().get("at")), |_| payment_methods());
    view! {
        <Title text=td_string!(l, payment_methods.title)/>
        <Authenticated children=move |_me| view! {
            <h1>{td_string!(l, payment_methods.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Methods p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

/// The forms of the page, shared by every customer number's section.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddCard>,
    edit: ServerAction<EditCard>,
    remove: ServerAction<RemovePaymentMethod>,
}

impl Actions {
    fn error(self) -> Option<AppError> {
        self.add
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| self.edit.value().get().and_then(|r| r.err()))
            .or_else(|| self.remove.value().get().and_then(|r| r.err()))
    }
}

#[component]
fn Methods(p: Page) -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let actions = Actions {
        add: ServerAction::<AddCard>::new(),
        edit: ServerAction::<EditCard>::new(),
        remove: ServerAction::<RemovePaymentMethod>::new(),
    };
    let notice = move || match query.get().get("notice").as_deref() {
        Some("added") => Some(td_string!(l, payment_methods.added)),
        Some("edited") => Some(td_string!(l, payment_methods.edited)),
        Some("removed") => Some(td_string!(l, payment_methods.removed)),
        Some("switched") => Some(td_string!(l, payment_methods.switched)),
        _ => None,
    };
    let listed = p.listed_per_method;
    view! {
        {move || notice().map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
        {move || actions.error().map(|e| view! { <ErrorNotice error=e/> })}
        <p class="hint">{td_string!(l, payment_methods.intro)}</p>
        {if p.customers.is_empty() {
            view! { <p>{td_string!(l, payment_methods.none)}</p> }.into_any()
        } else {
            p.customers.into_iter().map(|c| view! { <Customer c actions listed/> }).collect_view().into_any()
        }}
    }
}

#[component]
fn Customer(c: CustomerMethods, actions: Actions, listed: usize) -> impl IntoView {
    let l = expect_context::<Locale>();
    let heading = format!("h-csn-{}", c.csn);
    let without_ids = join_ids(&c.without_method.iter().take(100).map(|s| s.id).collect::<Vec<_>>());
    let csn = c.csn.clone();
    view! {
        <section class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{td_string!(l, payment_methods.customer, company = c.company_name.clone(), csn = c.csn.clone())}</h2>
            {c.methods.into_iter().map(|m| view! { <Method m actions listed/> }).collect_view()}
            {(!c.without_method.is_empty()).then(|| view! {
                <div class="notice notice-warning">
                    <p>{td_string!(l, payment_methods.without_method, count = c.without_method.len())}</p>
                    <Users users=c.without_method.clone()/>
                    <p><A href=links::change_payment_method(&without_ids)>{td_string!(l, payment_methods.choose_for_these)}</A></p>
                </div>
            })}
            <AddCardForm csn actions/>
        </section>
    }
}

#[component]
fn Users(users: Vec<MethodUserView>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <ul class="plain">
            {users.into_iter().map(|u| view! {
                <li>
                    <A href=links::subscription(u.id)>{u.product_name.clone()} " (" {u.id.to_string()} ")"</A>
                    " · " {words::status(l, u.status)}
                    " · " {if u.auto_renew { td_string!(l, payment_methods.renews_automatically) } else { td_string!(l, payment_methods.renews_manually) }}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Method(m: MethodOnFileView, actions: Actions, listed: usize) -> impl IntoView {
    let l = expect_context::<Locale>();
    let name = words::payment_method(l, &m.method);
    let id = m.id.get().to_string();
    let heading = format!("h-method-{id}");
    let ids = join_ids(&m.subscriptions.iter().take(100).map(|s| s.id).collect::<Vec<_>>());
    let remove_label = td_string!(l, payment_methods.remove_named, method = name.clone());
    let more = m.subscription_count.saturating_sub(listed.min(m.subscriptions.len()));
    view! {
        <article class="method" aria-labelledby=heading.clone()>
            <h3 id=heading.clone()>{name.clone()}</h3>
            {m.card.clone().map(|c| view! {
                <p>
                    {td_string!(l, payment_methods.expires, month = format!("{:02}", c.exp_month), year = c.exp_year)}
                    {c.expired.then(|| view! { " " <span class="badge badge-error">{td_string!(l, payment_methods.expired)}</span> })}
                </p>
            })}
            {(!m.billing_name.is_empty() || !m.billing_address.is_empty()).then(|| view! {
                <p class="sub address">{m.billing_name.clone()} <br/> {m.billing_address.clone()}</p>
            })}
            {if m.subscription_count == 0 {
                view! { <p>{td_string!(l, payment_methods.unused)}</p> }.into_any()
            } else {
                view! {
                    <p>{td_string!(l, payment_methods.used_by, count = m.subscription_count)}</p>
                    <Users users=m.subscriptions.clone()/>
                    {(more > 0).then(|| view! { <p class="sub">{td_string!(l, payment_methods.more, count = more)}</p> })}
                    <p><A href=links::change_payment_method(&ids)>{td_string!(l, payment_methods.switch_these)}</A></p>
                }.into_any()
            }}
            {(m.auto_renewing > 0).then(|| view! {
                <p class="hint">{td_string!(l, payment_methods.in_use_hint, count = m.auto_renewing)}</p>
            })}
            {m.card.clone().map(|c| view! { <EditCardForm m=m.clone() c actions/> })}
            <ActionForm action=actions.remove attr:class="inline">
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" aria-label=remove_label disabled=move || actions.remove.pending().get()>
                    {td_string!(l, payment_methods.remove)}
                </button>
            </ActionForm>
        </article>
    }
}

#[component]
fn EditCardForm(m: MethodOnFileView, c: crate::contract::dto::CardView, actions: Actions) -> impl IntoView {
    let l = expect_context::<Locale>();
    let id = m.id.get().to_string();
    let field = {
        let id = id.clone();
        move |name: &str| format!("edit-{id}-{name}")
    };
    let about = move |name: &'static str| described_by(actions.edit.value().get().and_then(|r| r.err()), name);
    view! {
        <details>
            <summary>{td_string!(l, payment_methods.edit_card)}</summary>
            <ActionForm action=actions.edit>
                <input type="hidden" name="id" value=id.clone()/>
                <label for=field("holder")>{td_string!(l, payment_methods.holder)}</label>
                <input id=field("holder") name="holder" type="text" value=m.billing_name.clone() maxlength=MAX_HOLDER
                    autocomplete="cc-name" required aria-describedby=move || about("holder").0 aria-invalid=move || about("holder").1/>
                <label for=field("address")>{td_string!(l, payment_methods.billing_address)}</label>
                <textarea id=field("address") name="billing_address" rows="3" maxlength=MAX_BILLING_ADDRESS
                    aria-describedby=move || about("billing_address").0 aria-invalid=move || about("billing_address").1>{m.billing_address.clone()}</textarea>
                <ExpiryFields prefix=format!("edit-{id}") month=c.exp_month.to_string() year=c.exp_year.to_string()
                    about=Signal::derive(move || about("expiry"))/>
                <p class="hint">{td_string!(l, payment_methods.edit_hint)}</p>
                <button type="submit" class="primary" disabled=move || actions.edit.pending().get()>{td_string!(l, payment_methods.save_card)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ExpiryFields(
    prefix: String,
    month: String,
    year: String,
    about: Signal<(Option<&'static str>, Option<&'static str>)>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let (m_id, y_id) = (format!("{prefix}-month"), format!("{prefix}-year"));
    view! {
        <fieldset class="expiry">
            <legend>{td_string!(l, payment_methods.expiry)}</legend>
            <label for=m_id.clone()>{td_string!(l, payment_methods.month)}</label>
            <input id=m_id name="exp_month" type="text" inputmode="numeric" maxlength="2" size="2" value=month
                autocomplete="cc-exp-month" required aria-describedby=move || about.get().0 aria-invalid=move || about.get().1/>
            <label for=y_id.clone()>{td_string!(l, payment_methods.year)}</label>
            <input id=y_id name="exp_year" type="text" inputmode="numeric" maxlength="4" size="4" value=year
                autocomplete="cc-exp-year" required aria-describedby=move || about.get().0 aria-invalid=move || about.get().1/>
        </fieldset>
    }
}

#[component]
fn AddCardForm(csn: String, actions: Actions) -> impl IntoView {
    let l = expect_context::<Locale>();
    let prefix = format!("add-{csn}");
    let field = {
        let csn = csn.clone();
        move |name: &str| format!("add-{csn}-{name}")
    };
    let about = move |name: &'static str| described_by(actions.add.value().get().and_then(|r| r.err()), name);
    // Added: the form is emptied, so the number typed is not left on the page (R-PAY-5).
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(actions.add.value().get(), Some(Ok(_)))
            && let Some(f) = form.get()
        {
            f.reset();
        }
    });
    view! {
        <details class="add-card">
            <summary>{td_string!(l, payment_methods.add_card_for, csn = csn.clone())}</summary>
            <ActionForm action=actions.add node_ref=form>
                <input type="hidden" name="csn" value=csn.clone()/>
                <label for=field("holder")>{td_string!(l, payment_methods.holder)}</label>
                <input id=field("holder") name="holder" type="text" maxlength=MAX_HOLDER autocomplete="cc-name" required
                    aria-describedby=move || about("holder").0 aria-invalid=move || about("holder").1/>
                <label for=field("number")>{td_string!(l, payment_methods.number)}</label>
                <input id=field("number") name="number" type="text" inputmode="numeric" maxlength="23" autocomplete="cc-number" required
                    aria-describedby=move || about("number").0 aria-invalid=move || about("number").1/>
                <ExpiryFields prefix month=String::new() year=String::new() about=Signal::derive(move || about("expiry"))/>
                <label for=field("address")>{td_string!(l, payment_methods.billing_address)}</label>
                <textarea id=field("address") name="billing_address" rows="3" maxlength=MAX_BILLING_ADDRESS
                    aria-describedby=move || about("billing_address").0 aria-invalid=move || about("billing_address").1></textarea>
                <p class="hint">{td_string!(l, payment_methods.number_hint)}</p>
                <button type="submit" class="primary" disabled=move || actions.add.pending().get()>{td_string!(l, payment_methods.add_card)}</button>
            </ActionForm>
        </details>
    }
}

/// `/billing/payment-methods/change?ids=1,2,3`: the selected subscriptions and the methods they
/// could switch to, with why any cannot.
#[component]
pub fn ChangePaymentMethodPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    // Ids come as "1,2,3" (links) or as repeated `ids` fields (the list's form without JavaScript).
    let ids = move || query.get().get_all("ids").unwrap_or_default().join(",");
    let preview = Resource::new(ids, preview_method_change);
    view! {
        <Title text=td_string!(l, payment_methods.change_title)/>
        <Authenticated children=move |_me| view! {
            <p><A href=links::PAYMENT_METHODS>{td_string!(l, payment_methods.back)}</A></p>
            <h1>{td_string!(l, payment_methods.change_title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || preview.get().map(|r| match r {
                    Ok(p) => view! { <Change p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Change(p: MethodChangePage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let change = ServerAction::<ChangePaymentMethod>::new();
    let error = move || change.value().get().and_then(|r| r.err());
    let ids = join_ids(&p.items.iter().map(|i| i.subscription.id).collect::<Vec<_>>());
    let current =
        p.items.first().and_then(|i| i.current_id).filter(|c| p.items.iter().all(|i| i.current_id == Some(*c)));
    let open = p.choices.iter().filter(|c| c.refused.is_empty()).count();
    view! {
        <p class="sub">{td_string!(l, payment_methods.customer, company = p.company_name.clone(), csn = p.csn.clone())}</p>
        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        <div class="table-wrap">
            <table>
                <caption>{td_string!(l, payment_methods.selected, count = p.items.len())}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, list.col_product)}</th>
                        <th scope="col">{td_string!(l, list.col_subscription)}</th>
                        <th scope="col">{td_string!(l, payment_methods.current)}</th>
                        <th scope="col">{td_string!(l, list.col_auto_renew)}</th>
                    </tr>
                </thead>
                <tbody>
                    {p.items.clone().into_iter().map(|i| view! {
                        <tr>
                            <td>{i.subscription.product_name.clone()}</td>
                            <td><A href=links::subscription(i.subscription.id)>{i.subscription.id.to_string()}</A></td>
                            <td>{i.current.map(|m| words::payment_method(l, &m)).unwrap_or_else(|| td_string!(l, none).into())}</td>
                            <td>{words::on_off(l, i.subscription.auto_renew)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {if p.choices.is_empty() {
            view! { <p>{td_string!(l, payment_methods.no_methods)}</p> }.into_any()
        } else {
            view! {
                <ActionForm action=change>
                    <input type="hidden" name="ids" value=ids/>
                    <fieldset aria-describedby=move || described_by(error(), "method").0>
                        <legend>{td_string!(l, payment_methods.new_method)}</legend>
                        {p.choices.clone().into_iter().map(|c| view! { <Choice c current/> }).collect_view()}
                    </fieldset>
                    <button type="submit" class="primary" disabled=move || open == 0 || change.pending().get()>
                        {td_string!(l, payment_methods.change)}
                    </button>
                </ActionForm>
            }.into_any()
        }}
        <p><A href=links::PAYMENT_METHODS>{td_string!(l, payment_methods.add_elsewhere)}</A></p>
    }
}

#[component]
fn Choice(c: MethodChangeChoice, current: Option<crate::domain::ids::PaymentMethodId>) -> impl IntoView {
    let l = expect_context::<Locale>();
    let id = format!("method-{}", c.id.get());
    let refused = !c.refused.is_empty();
    let hint = format!("{id}-why");
    view! {
        <div class="choice">
            <input type="radio" name="method" id=id.clone() value=c.id.get().to_string() disabled=refused
                checked=current == Some(c.id) && !refused aria-describedby=refused.then(|| hint.clone())/>
            <label for=id>{words::payment_method(l, &c.method)}</label>
            {refused.then(|| view! {
                <ul class="sub" id=hint>
                    {c.refused.iter().map(|r| view! { <li>{words::method_refused(l, r)}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
