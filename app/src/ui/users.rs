//! User management (`/users`, R-ROLE-3, R-ROLE-4, R-ROLE-7): the organisation's users with their
//! roles and seats, invitations, and the role changes the reader may make; product assignments
//! (`/users/products`, `/users/products/:id`): who holds the seats of each subscription
//! (R-LIFE-6). The server decides every change; buttons only show what it would allow. Every
//! form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::components::{Authenticated, ErrorNotice, StatusBadge, described_by};
use crate::api::{
    AssignSeat, FreeSeat, InviteUser, ReassignPrimaryAdmin, RemoveUser, SetSecondaryAdmin, product_assignment,
    product_assignments, users,
};
use crate::contract::dto::{MemberView, ProductSeatsPage, ProductSeatsView, UsersPage};
use crate::contract::error::AppError;
use crate::contract::links;
use crate::domain::authz::Role;
use crate::domain::ids::SubscriptionId;
use crate::i18n::{Locale, td_string};
use crate::words;

/// The confirmation of the change that brought the reader back here (`?notice=...`).
fn notice_text(l: Locale, notice: Option<String>) -> Option<String> {
    Some(
        match notice.as_deref()? {
            "invited" => td_string!(l, users.notice_invited),
            "already-invited" => td_string!(l, users.notice_already_invited),
            "removed" => td_string!(l, users.notice_removed),
            "admin-granted" => td_string!(l, users.notice_admin_granted),
            "admin-revoked" => td_string!(l, users.notice_admin_revoked),
            "primary-admin" => td_string!(l, users.notice_primary_admin),
            "assigned" => td_string!(l, users.notice_assigned),
            "freed" => td_string!(l, users.notice_freed),
            _ => return None,
        }
        .to_string(),
    )
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page = Resource::new(move || (query.get().get("notice"), query.get().get("at")), |_| users());
    view! {
        <Title text=td_string!(l, users.title)/>
        <h1>{td_string!(l, users.title)}</h1>
        <Authenticated children=move |_me| view! {
            <p><A href=links::PRODUCT_ASSIGNMENTS>{td_string!(l, users.products_link)}</A></p>
            {move || notice_text(l, query.get().get("notice")).map(|t| view! { <p class="notice notice-success" role="status">{t}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Users p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Users(p: UsersPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let invite = ServerAction::<InviteUser>::new();
    let remove = ServerAction::<RemoveUser>::new();
    let admin = ServerAction::<SetSecondaryAdmin>::new();
    let primary = ServerAction::<ReassignPrimaryAdmin>::new();
    let error = move || {
        invite
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| remove.value().get().and_then(|r| r.err()))
            .or_else(|| admin.value().get().and_then(|r| r.err()))
            .or_else(|| primary.value().get().and_then(|r| r.err()))
    };
    let about = move |field: &'static str| described_by(error(), field);
    let rows =
        p.members.iter().cloned().map(|m| view! { <MemberRow m p=p.clone() remove admin primary/> }).collect_view();
    view! {
        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        <section class="card" aria-labelledby="h-users">
            <h2 id="h-users">{td_string!(l, users.list_title, count = p.members.len())}</h2>
            <div class="table-wrap"><table class="list">
                <thead><tr>
                    <th scope="col">{td_string!(l, users.col_name)}</th>
                    <th scope="col">{td_string!(l, users.col_email)}</th>
                    <th scope="col">{td_string!(l, users.col_roles)}</th>
                    <th scope="col">{td_string!(l, users.col_seats)}</th>
                    <th scope="col">{td_string!(l, users.col_actions)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            <p class="hint">{td_string!(l, account.buyer_change)}</p>
        </section>
        {p.can_manage.then(|| view! {
            <section class="card" aria-labelledby="h-invite">
                <h2 id="h-invite">{td_string!(l, users.invite_title)}</h2>
                <ActionForm action=invite>
                    <label for="invite-email">{td_string!(l, users.invite_email)}</label>
                    <input id="invite-email" name="email" type="email" required autocomplete="off"
                        aria-describedby=move || about("email").0 aria-invalid=move || about("email").1/>
                    <label for="invite-role">{td_string!(l, users.invite_role)}</label>
                    <select id="invite-role" name="role">
                        <option value=Role::User.code()>{words::role(l, Role::User)}</option>
                        {p.can_manage_admins.then(|| view! {
                            <option value=Role::SecondaryAdmin.code()>{words::role(l, Role::SecondaryAdmin)}</option>
                        })}
                    </select>
                    <span class="hint">{td_string!(l, users.invite_hint, max = p.max_pending)}</span>
                    <button type="submit" class="primary" disabled=move || invite.pending().get()>{td_string!(l, users.invite)}</button>
                </ActionForm>
            </section>
        })}
        <section class="card" aria-labelledby="h-invitations">
            <h2 id="h-invitations">{td_string!(l, users.invitations_title, count = p.invitations.len())}</h2>
            {if p.invitations.is_empty() {
                view! { <p>{td_string!(l, users.no_invitations)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">{p.invitations.iter().map(|i| view! {
                        <li>{i.email.clone()} " · " {words::role(l, i.role)} " · "
                            {td_string!(l, users.invitation_until, date = words::date(l, i.expires_on))}</li>
                    }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn MemberRow(
    m: MemberView,
    p: UsersPage,
    remove: ServerAction<RemoveUser>,
    admin: ServerAction<SetSecondaryAdmin>,
    primary: ServerAction<ReassignPrimaryAdmin>,
) -> impl IntoView {
    let l = expect_context::<Locale>();
    let roles = m.roles.iter().map(|r| words::role(l, *r)).collect::<Vec<_>>().join(", ");
    let is_primary = m.roles.contains(&Role::PrimaryAdmin);
    let is_secondary = m.roles.contains(&Role::SecondaryAdmin);
    let payer_only = m.roles == [Role::Payer];
    let removable = p.can_manage
        && !m.is_you
        && !is_primary
        && !m.roles.contains(&Role::Buyer)
        && !payer_only
        && (!is_secondary || p.can_manage_admins);
    let id = m.id.to_string();
    let admin_form = (p.can_manage_admins && !is_primary && !payer_only).then(|| {
        let (value, label) = if is_secondary {
            ("no", td_string!(l, users.revoke_admin, name = m.name.clone()))
        } else {
            ("yes", td_string!(l, users.grant_admin, name = m.name.clone()))
        };
        let id = id.clone();
        view! {
            <ActionForm action=admin attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <input type="hidden" name="admin" value=value/>
                <button type="submit" class="link-button">{label}</button>
            </ActionForm>
        }
    });
    let primary_form = (p.can_reassign_primary_admin && !is_primary && !payer_only).then(|| {
        let label = td_string!(l, users.make_primary, name = m.name.clone());
        let id = id.clone();
        view! {
            <ActionForm action=primary attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <button type="submit" class="link-button">{label}</button>
            </ActionForm>
        }
    });
    let remove_form = removable.then(|| {
        let label = td_string!(l, users.remove, name = m.name.clone());
        let id = id.clone();
        view! {
            <ActionForm action=remove attr:class="inline">
                <input type="hidden" name="user" value=id/>
                <button type="submit" class="link-button danger">{label}</button>
            </ActionForm>
        }
    });
    view! {
        <tr>
            <th scope="row">{m.name.clone()}{m.is_you.then(|| view! { " " <span class="sub">{td_string!(l, users.you)}</span> })}</th>
            <td>{m.email.clone()}</td>
            <td>{roles}</td>
            <td>{m.seats}</td>
            <td class="actions">{admin_form}{primary_form}{remove_form}</td>
        </tr>
    }
}

#[component]
pub fn ProductAssignmentsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let list = Resource::new(|| (), |_| product_assignments());
    view! {
        <Title text=td_string!(l, users.products_title)/>
        <p><A href=links::USERS>{td_string!(l, users.back)}</A></p>
        <h1>{td_string!(l, users.products_title)}</h1>
        <Authenticated children=move |_me| view! {
            <p class="hint">{td_string!(l, users.products_intro)}</p>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(rows) => view! { <ProductTable rows/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn ProductTable(rows: Vec<ProductSeatsView>) -> impl IntoView {
    let l = expect_context::<Locale>();
    view! {
        <div class="table-wrap"><table class="list">
            <thead><tr>
                <th scope="col">{td_string!(l, users.col_product)}</th>
                <th scope="col">{td_string!(l, users.col_subscription)}</th>
                <th scope="col">{td_string!(l, users.col_status)}</th>
                <th scope="col">{td_string!(l, users.col_assigned)}</th>
            </tr></thead>
            <tbody>{rows.into_iter().map(|p| view! {
                <tr>
                    <th scope="row"><A href=links::product_assignment(p.id)>{p.product_name.clone()}</A></th>
                    <td>{p.id.to_string()}</td>
                    <td><StatusBadge status=p.status/></td>
                    <td>{td_string!(l, users.assigned_of, assigned = p.holders.len(), seats = p.seats)}</td>
                </tr>
            }).collect_view()}</tbody>
        </table></div>
    }
}

#[component]
pub fn ProductAssignmentPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<SubscriptionId>().ok());
    let page = Resource::new(
        move || (id(), query.get().get("at")),
        |(id, _)| async move {
            match id {
                Some(id) => product_assignment(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(l, users.seats_title)/>
        <p><A href=links::PRODUCT_ASSIGNMENTS>{td_string!(l, users.back_products)}</A></p>
        <Authenticated children=move |_me| view! {
            {move || notice_text(l, query.get().get("notice")).map(|t| view! { <p class="notice notice-success" role="status">{t}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Seats p/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Seats(p: ProductSeatsPage) -> impl IntoView {
    let l = expect_context::<Locale>();
    let assign = ServerAction::<AssignSeat>::new();
    let free = ServerAction::<FreeSeat>::new();
    let error = move || assign.value().get().and_then(|r| r.err()).or_else(|| free.value().get().and_then(|r| r.err()));
    let s = p.product.clone();
    let id = s.id.to_string();
    let full = s.holders.len() as i64 >= s.seats;
    view! {
        <h1>{s.product_name.clone()}</h1>
        <p class="sub">{td_string!(l, users.subscription, id = s.id.to_string())} " · " <StatusBadge status=s.status/></p>
        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        {(!s.access).then(|| view! { <p class="notice notice-warning">{td_string!(l, users.no_access)}</p> })}
        <section class="card" aria-labelledby="h-holders">
            <h2 id="h-holders">{td_string!(l, users.assigned_of, assigned = s.holders.len(), seats = s.seats)}</h2>
            {if s.holders.is_empty() {
                view! { <p>{td_string!(l, users.nobody)}</p> }.into_any()
            } else {
                let can_manage = p.can_manage;
                let items = s.holders.clone().into_iter().map(|h| {
                    let label = td_string!(l, users.free, name = h.name.clone());
                    let id = id.clone();
                    let user = h.user_id.to_string();
                    let form = can_manage.then(|| view! {
                        <ActionForm action=free attr:class="inline">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="user" value=user/>
                            <button type="submit" class="link-button">{label}</button>
                        </ActionForm>
                    });
                    view! { <li>{h.name.clone()} " · " {h.email.clone()} " " {form}</li> }
                }).collect_view();
                view! { <ul class="plain">{items}</ul> }.into_any()
            }}
        </section>
        {(p.can_manage && s.access).then(|| if full {
            view! { <p class="hint">{td_string!(l, problem.seats_full, seats = s.seats)}</p> }.into_any()
        } else if p.candidates.is_empty() {
            view! { <p class="hint">{td_string!(l, users.no_candidates)}</p> }.into_any()
        } else {
            view! {
                <section class="card" aria-labelledby="h-assign">
                    <h2 id="h-assign">{td_string!(l, users.assign_title)}</h2>
                    <ActionForm action=assign>
                        <input type="hidden" name="id" value=id/>
                        <label for="assign-user">{td_string!(l, users.assign_user)}</label>
                        <select id="assign-user" name="user">
                            {p.candidates.iter().map(|c| view! {
                                <option value=c.user_id.to_string()>{format!("{} ({})", c.name, c.email)}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" class="primary" disabled=move || assign.pending().get()>{td_string!(l, users.assign)}</button>
                    </ActionForm>
                </section>
            }.into_any()
        })}
    }
}
