//! Customer details (R-CUST-1..3, R-EXT-6, R-MAIL-5): buyers change the company name and address
//! of a customer number, confirming that ownership was not transferred to another entity. A
//! customer with a tax-exemption certificate on file is told to contact support. The change
//! applies to the CSN and all its subscriptions, sets the tax of later orders, is audited, and
//! is mailed to every buyer. Documents already issued keep the details of their day (the old
//! details are kept in `customer_details_history`).

use chrono::{DateTime, Utc};

use crate::contract::dto::{CustomerAccountView, CustomerDetailsPage};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, Role, authorize};
use crate::domain::customer::{CustomerDetails, one_line, parse_details, tax_rate};
use crate::domain::mail_routing::{Contacts, MailKind, recipients};
use crate::server::mail;
use crate::server::store::Store;
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject};

/// The organisation's customer numbers with their details and the tax their orders pay.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(store: &Store, actor: &Actor) -> Result<CustomerDetailsPage, AppError> {
    authorize(actor, Action::EditCustomerDetails, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let buyers = tx.recipients_with_role(actor.org_id, Role::Buyer).await?.len();
    let accounts = tx
        .customer_accounts(actor.org_id)
        .await?
        .into_iter()
        .map(|a| CustomerAccountView {
            tax: tax_rate(&a.details, a.tax_exempt).ok(),
            csn: a.csn,
            details: a.details,
            tax_exempt: a.tax_exempt,
            subscriptions: a.subscriptions,
            buyers,
        })
        .collect();
    Ok(CustomerDetailsPage { accounts })
}

/// Saves a customer number's details (R-CUST-1). Refused, changing nothing: without the
/// ownership confirmation, for a tax-exempt customer (R-CUST-2), and for details R-CUST-3 cannot
/// tax. Answers whether anything changed: the same details again (a second click) change
/// nothing and mail no one.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn save(
    store: &Store,
    actor: &Actor,
    csn: &str,
    form: &CustomerDetails,
    ownership_confirmed: bool,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    authorize(actor, Action::EditCustomerDetails, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let account = tx.customer_account(actor.org_id, csn.trim(), true).await?.ok_or(AppError::NotFound)?;
    if account.tax_exempt {
        return Err(AppError::form(Problem::TaxExemptContactSupport));
    }
    let details =
        parse_details(form).map_err(|p| AppError::validation(p.field().name(), Problem::CustomerDetails(p)))?;
    if !ownership_confirmed {
        return Err(AppError::validation("ownership", Problem::OwnershipNotConfirmed));
    }
    if details == account.details {
        return Ok(false);
    }
    tx.change_customer_details(account.id, &details, actor.user_id, now).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::CustomerDetailsChanged,
        object: AuditObject::CustomerAccount(account.id),
        detail: format!(
            "{}: {} ({}) -> {} ({})",
            account.csn,
            account.details.company_name,
            one_line(&account.details),
            details.company_name,
            one_line(&details)
        ),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    let by = tx.user(actor.user_id).await?.map(|u| u.display_name).unwrap_or_default();
    let contacts =
        Contacts { buyers: tx.recipients_with_role(actor.org_id, Role::Buyer).await?, ..Contacts::default() };
    let address = one_line(&details);
    for to in recipients(MailKind::CustomerDetailsChanged, &contacts) {
        let m = mail::customer_details_changed(
            actor.org_id,
            &to.address,
            to.lang,
            &account.csn,
            &by,
            &details.company_name,
            &address,
            base_url,
        );
        tx.queue_mail(&m, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}
