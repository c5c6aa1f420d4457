//! Customer details (`/billing/customer-details`, R-CUST-1..3, R-EXT-6, R-MAIL-5): each customer
//! number's company name and address, edited by buyers. The form shows, before saving, the tax
//! later orders will pay at the new address, computed by the same domain code the server uses.
//! A tax-exempt customer sees its details and is told to contact support. Works without
//! JavaScript (plain forms; the tax preview then shows the current rate).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::{Authenticated, ErrorNotice, described_by};
use crate::api::{SaveCustomerDetails, customer_details};
use crate::contract::dto::CustomerAccountView;
use crate::domain::customer::{
    CustomerDetails, MAX_ADDRESS_LINE, MAX_CITY, MAX_COMPANY_NAME, MAX_POSTAL_CODE, MAX_REGION, country_choices,
    one_line, tax_rate,
};
use crate::domain::tax::{TaxKind, TaxRate};
use crate::i18n::{Locale, td_string};
use crate::words;

/// A tax rate as the form reads it ("VAT 25.5 %", "Tax exempt").
fn tax_text(l: Locale, rate: Option<TaxRate>) -> String {
    match rate {
        None => td_string!(l, customer.tax_unknown).to_string(),
        Some(TaxRate { kind: TaxKind::Exempt, .. }) => td_string!(l, customer.tax_exempt_rate).to_string(),
        Some(TaxRate { kind: TaxKind::Vat, percent }) => {
            td_string!(l, customer.tax_vat, rate = words::lang(l).decimal_text(&percent.to_string()))
        }
        Some(TaxRate { kind: TaxKind::SalesTax, percent }) => {
            td_string!(l, customer.tax_sales, rate = words::lang(l).decimal_text(&percent.to_string()))
        }
    }
}

#[component]
pub fn CustomerDetailsPage() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    let page = Resource::new(move || (query.get().get("notice"), query.get().get("csn")), |_| customer_details());
    view! {
        <Title text=td_string!(l, customer.title)/>
        <h1>{td_string!(l, customer.title)}</h1>
        <Authenticated children=move |_me| view! {
            <p class="hint">{td_string!(l, customer.intro)}</p>
            <Suspense fallback=move || view! { <p class="loading">{td_string!(l, app.loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <Notice/> {p.accounts.into_iter().map(|a| view! { <Account a/> }).collect_view()} }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Notice() -> impl IntoView {
    let l = expect_context::<Locale>();
    let query = use_query_map();
    move || {
        let q = query.get();
        let csn = q.get("csn").unwrap_or_default();
        let text = match q.get("notice").as_deref() {
            Some("saved") => td_string!(l, customer.saved, csn = csn),
            Some("unchanged") => td_string!(l, customer.unchanged, csn = csn),
            _ => return None,
        };
        Some(view! { <p class="notice notice-success" role="status">{text}</p> })
    }
}

#[component]
fn Account(a: CustomerAccountView) -> impl IntoView {
    let l = expect_context::<Locale>();
    let heading = format!("h-csn-{}", a.csn);
    let d = a.details.clone();
    view! {
        <section class="card" aria-labelledby=heading>
            <h2 id=heading.clone()>{td_string!(l, customer.account, csn = a.csn.clone())}</h2>
            <dl class="facts">
                <dt>{td_string!(l, customer.company_name)}</dt><dd>{d.company_name.clone()}</dd>
                <dt>{td_string!(l, customer.address)}</dt><dd>{one_line(&d)}</dd>
                <dt>{td_string!(l, customer.tax_now)}</dt><dd>{tax_text(l, a.tax)}</dd>
                <dt>{td_string!(l, customer.subscriptions)}</dt><dd>{a.subscriptions}</dd>
            </dl>
            {if a.tax_exempt {
                view! { <p class="notice notice-warning">{td_string!(l, problem.tax_exempt_contact_support)}</p> }.into_any()
            } else {
                view! { <EditForm a/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn EditForm(a: CustomerAccountView) -> impl IntoView {
    let l = expect_context::<Locale>();
    let save = ServerAction::<SaveCustomerDetails>::new();
    let error = move || save.value().get().and_then(|r| r.err());
    let about = move |field: &'static str| described_by(error(), field);
    let d = a.details.clone();
    let (country, set_country) = signal(d.country.clone());
    let (region, set_region) = signal(d.region.clone());
    // The tax later orders pay at the address as typed (R-CUST-3), before saving.
    let preview = move || {
        let typed = CustomerDetails { country: country.get(), region: region.get(), ..CustomerDetails::default() };
        tax_rate(&typed, false).ok()
    };
    let id = {
        let csn = a.csn.clone();
        move |field: &str| format!("{field}-{csn}")
    };
    let field_id = id.clone();
    let field = move |name: &'static str, label: String, value: String, max: usize, required: bool| {
        let input_id = field_id(name);
        view! {
            <label for=input_id.clone()>{label}</label>
            <input id=input_id name=name type="text" value=value maxlength=max required=required autocomplete="off"
                aria-describedby=move || about(name).0 aria-invalid=move || about(name).1/>
        }
    };
    let current = d.country.clone();
    let options = country_choices()
        .into_iter()
        .map(|(code, name)| view! { <option value=code selected=code == current>{format!("{name} ({code})")}</option> })
        .collect_view();
    view! {
        <h3>{td_string!(l, customer.edit)}</h3>
        {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        <ActionForm action=save>
            <input type="hidden" name="csn" value=a.csn.clone()/>
            {field("company_name", td_string!(l, customer.company_name).into(), d.company_name.clone(), MAX_COMPANY_NAME, true)}
            {field("address_line1", td_string!(l, customer.address_line1).into(), d.address_line1.clone(), MAX_ADDRESS_LINE, true)}
            {field("address_line2", td_string!(l, customer.address_line2).into(), d.address_line2.clone(), MAX_ADDRESS_LINE, false)}
            {field("postal_code", td_string!(l, customer.postal_code).into(), d.postal_code.clone(), MAX_POSTAL_CODE, true)}
            {field("city", td_string!(l, customer.city).into(), d.city.clone(), MAX_CITY, true)}
            <label for=id("region")>{td_string!(l, customer.region)}</label>
            <input id=id("region") name="region" type="text" value=d.region.clone() maxlength=MAX_REGION autocomplete="off"
                on:input=move |ev| set_region.set(event_target_value(&ev))
                aria-describedby=move || about("region").0 aria-invalid=move || about("region").1/>
            <span class="hint">{td_string!(l, customer.region_hint)}</span>
            <label for=id("country")>{td_string!(l, customer.country)}</label>
            <select id=id("country") name="country" on:change=move |ev| set_country.set(event_target_value(&ev))
                aria-describedby=move || about("country").0 aria-invalid=move || about("country").1>
                {options}
            </select>
            <p class="hint" aria-live="polite">{move || td_string!(l, customer.tax_after, tax = tax_text(l, preview()))}</p>
            <p class="hint">{td_string!(l, customer.applies, count = a.subscriptions, buyers = a.buyers)}</p>
            <label class="check">
                <input type="checkbox" name="ownership" value="yes" required
                    aria-describedby=move || about("ownership").0 aria-invalid=move || about("ownership").1/>
                {td_string!(l, customer.ownership)}
            </label>
            <button type="submit" class="primary" disabled=move || save.pending().get()>{td_string!(l, customer.save)}</button>
        </ActionForm>
    }
}
