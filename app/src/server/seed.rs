//! Deterministic demo data, relative to a given day: the same day gives the same data.
//!
//! Organisation "Aurora Design Group" (four customer numbers, EUR, SEK and USD, 300 subscriptions
//! in all four states) with a user for every role, and "Borealis Works", a second organisation
//! for isolation. All names are fictional; addresses use the reserved `.example` domain.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::auth::hash_password;
use super::store::seeding::val as v;
use super::store::{Store, StoreError, StoreResult, Tx};
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::quote::{QuoteOrigin, QuoteStatus};
use crate::domain::status::{Status, status_without_renewal};
use crate::domain::tax::{TaxAddress, rate_for, tax_on};
use crate::domain::term::Term;
use crate::domain::time::{local_date, start_of_day, term_end};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "Demo-portal-2026";

/// The demo logins, as printed at start and shown in the README.
pub const DEMO_USERS: [(&str, &str, &[&str]); 10] = [
    ("buyer@aurora.example", "Aino Virtanen", &["buyer", "secondary_admin"]),
    ("buyer2@aurora.example", "Lina Berg", &["buyer"]),
    ("admin@aurora.example", "Erik Lund", &["primary_admin"]),
    ("admin2@aurora.example", "Claire Martin", &["secondary_admin"]),
    ("payer1@aurora.example", "Oskar Nieminen", &["payer"]),
    ("payer2@aurora.example", "Maja Holm", &["payer"]),
    ("buyer@borealis.example", "Noah Fischer", &["buyer", "primary_admin"]),
    ("admin@borealis.example", "Ida Keller", &["secondary_admin"]),
    ("buyer@cirrus.example", "Jonas Weber", &["buyer"]),
    ("admin@cirrus.example", "Lea Schmidt", &["primary_admin"]),
];

pub const AURORA_SUBSCRIPTIONS: usize = 300;
pub const BOREALIS_SUBSCRIPTIONS: usize = 20;
/// Cirrus Studios' renewals of one group (direct debit) for bulk renew.
pub const CIRRUS_BULK: usize = 110;

/// A small deterministic generator (64-bit LCG): no dependency, same sequence everywhere.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

struct Account {
    csn: &'static str,
    company: &'static str,
    street: &'static str,
    postal: &'static str,
    city: &'static str,
    region: &'static str,
    country: &'static str,
    currency: &'static str,
    tz: &'static str,
    tax_certificate: Option<&'static str>,
}

const AURORA_ACCOUNTS: [Account; 4] = [
    Account {
        csn: "5150001001",
        company: "Aurora Design Oy",
        street: "Mannerheimintie 12",
        postal: "00100",
        city: "Helsinki",
        region: "",
        country: "FI",
        currency: "EUR",
        tz: "Europe/Helsinki",
        tax_certificate: None,
    },
    Account {
        csn: "5150001002",
        company: "Aurora Design AB",
        street: "Drottninggatan 45",
        postal: "111 21",
        city: "Stockholm",
        region: "",
        country: "SE",
        currency: "SEK",
        tz: "Europe/Stockholm",
        tax_certificate: None,
    },
    Account {
        csn: "5150001003",
        company: "Aurora Design Inc.",
        street: "200 Harbor Street",
        postal: "02110",
        city: "Boston",
        region: "MA",
        country: "US",
        currency: "USD",
        tz: "America/New_York",
        tax_certificate: None,
    },
    Account {
        csn: "5150001004",
        company: "Aurora Design SARL",
        street: "18 rue des Lilas",
        postal: "75011",
        city: "Paris",
        region: "",
        country: "FR",
        currency: "EUR",
        tz: "Europe/Paris",
        tax_certificate: Some("FR-EXEMPT-2026-0147"),
    },
];

const BOREALIS_ACCOUNTS: [Account; 1] = [Account {
    csn: "5150002001",
    company: "Borealis Works GmbH",
    street: "Seestrasse 7",
    postal: "8002",
    city: "Zurich",
    region: "",
    country: "CH",
    currency: "USD",
    tz: "Europe/Zurich",
    tax_certificate: None,
}];

/// (code, name, licence type, annual price in USD cents)
const PRODUCTS: [(&str, &str, &str, i64); 6] = [
    ("VECTORA-CAD", "Vectora CAD", "subscription", 2_030_00),
    ("STRUCTURA-BIM", "Structura BIM", "subscription", 3_075_00),
    ("FLUXION-SIM", "Fluxion Simulate", "subscription", 4_510_00),
    ("PIXELFORGE-3D", "Pixelforge 3D", "subscription", 1_875_00),
    ("TERRAIN-CIVIL", "Terrain Civil", "subscription", 2_690_00),
    ("MESHWORKS", "Meshworks Render", "subscription", 545_00),
];

/// Price of a term in a currency's minor units, derived from the annual USD price.
fn price(annual_usd_cents: i64, term: Term, currency: &str) -> i64 {
    let annual = match currency {
        "EUR" => annual_usd_cents * 92 / 100,
        "SEK" => annual_usd_cents * 1050 / 100,
        _ => annual_usd_cents,
    };
    match term {
        Term::Monthly => annual * 12 / 100 / 100 * 100,
        Term::Annual => annual,
        Term::ThreeYear => annual * 3,
    }
}

/// Loads the demo data if the database has no organisation yet. Returns whether it loaded.
pub async fn load_if_empty(store: &Store, now: DateTime<Utc>) -> StoreResult<bool> {
    load_sized(store, now, AURORA_SUBSCRIPTIONS).await
}

/// The demo data with another number of Aurora subscriptions (benchmarks of large accounts).
pub async fn load_sized(store: &Store, now: DateTime<Utc>, aurora_subscriptions: usize) -> StoreResult<bool> {
    let mut tx = store.begin_write().await?;
    if tx.count_organisations().await? > 0 {
        return Ok(false);
    }
    let at = now.timestamp();
    crate::domain::password::check_new_password(DEMO_PASSWORD)
        .map_err(|e| StoreError::Corrupt(format!("demo password: {e}")))?;
    let mut hashes = Vec::new();
    for _ in DEMO_USERS {
        hashes.push(
            hash_password(DEMO_PASSWORD.into())
                .await
                .map_err(|_| StoreError::Corrupt("password hashing failed".into()))?,
        );
    }

    let mut product_ids = Vec::new();
    for (code, name, licence, annual) in PRODUCTS {
        let id =
            tx.insert_row("products", &["code", "name", "licence_type"], vec![v(code), v(name), v(licence)]).await?;
        for term in Term::ALL {
            for currency in ["EUR", "SEK", "USD"] {
                tx.insert_row(
                    "prices",
                    &["product_id", "term", "currency", "amount_minor", "valid_from"],
                    vec![v(id), v(term.code()), v(currency), v(price(annual, term, currency)), v(0i64)],
                )
                .await?;
            }
        }
        product_ids.push(id);
    }

    let aurora = tx.insert_row("organisations", &["name", "created_at"], vec![v("Aurora Design Group"), v(at)]).await?;
    // Borealis writes to people who chose no language in German (its default language).
    let borealis = tx
        .insert_row(
            "organisations",
            &["name", "created_at", "default_locale"],
            vec![v("Borealis Works"), v(at), v("de")],
        )
        .await?;

    let cirrus = tx.insert_row("organisations", &["name", "created_at"], vec![v("Cirrus Studios"), v(at)]).await?;

    for ((email, name, roles), hash) in DEMO_USERS.iter().zip(hashes) {
        let user = tx
            .insert_row(
                "users",
                &["email", "display_name", "password_hash", "created_at", "password_changed_at"],
                vec![v(*email), v(*name), v(hash), v(at), v(at)],
            )
            .await?;
        let org = if email.ends_with("@borealis.example") {
            borealis
        } else if email.ends_with("@cirrus.example") {
            cirrus
        } else {
            aurora
        };
        for role in *roles {
            tx.insert_link("memberships", &["user_id", "org_id", "role"], vec![v(user), v(org), v(*role)]).await?;
        }
    }

    let mut rng = Lcg(0x5eed_2026);
    let aurora = OrgSeed { org: aurora, accounts: &AURORA_ACCOUNTS, count: aurora_subscriptions, domain: "aurora" };
    let partner_subs = seed_org(&mut tx, &mut rng, &aurora, &product_ids, now).await?;
    seed_partner_quotes(&mut tx, aurora.org, &partner_subs, now).await?;
    let borealis =
        OrgSeed { org: borealis, accounts: &BOREALIS_ACCOUNTS, count: BOREALIS_SUBSCRIPTIONS, domain: "borealis" };
    seed_org(&mut tx, &mut rng, &borealis, &product_ids, now).await?;
    seed_cirrus(&mut tx, cirrus, &product_ids, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// One organisation's share of the demo: its customer accounts, how many subscriptions, and the
/// mail domain of its PayPal accounts.
struct OrgSeed<'a> {
    org: i64,
    accounts: &'a [Account],
    count: usize,
    domain: &'a str,
}

async fn seed_org(
    tx: &mut Tx,
    rng: &mut Lcg,
    seed: &OrgSeed<'_>,
    products: &[i64],
    now: DateTime<Utc>,
) -> StoreResult<Vec<PartnerSub>> {
    let OrgSeed { org, accounts, count, domain } = *seed;
    let mut partner_subs = Vec::new();
    let at = now.timestamp();
    // Customer accounts with one payment method of each kind.
    let mut methods: Vec<(i64, Vec<(PaymentKind, i64)>)> = Vec::new();
    for a in accounts {
        let account = tx
            .insert_row(
                "customer_accounts",
                &[
                    "org_id",
                    "csn",
                    "company_name",
                    "address_line1",
                    "postal_code",
                    "city",
                    "region",
                    "country",
                    "tax_exempt",
                    "tax_exemption_certificate",
                    "updated_at",
                ],
                vec![
                    v(org),
                    v(a.csn),
                    v(a.company),
                    v(a.street),
                    v(a.postal),
                    v(a.city),
                    v(a.region),
                    v(a.country),
                    v(a.tax_certificate.is_some()),
                    v(a.tax_certificate),
                    v(at),
                ],
            )
            .await?;
        let mut kinds = Vec::new();
        for kind in PaymentKind::METHODS {
            let last4 = format!("{:04}", 4242 + rng.below(5000));
            let label = match kind {
                // What identifies the method, the same in every language; pages word the kind.
                PaymentKind::Card => format!("Visa •••• {last4}"),
                PaymentKind::PayPal => format!("billing@{domain}.example"),
                PaymentKind::DirectDebit => format!("•••• {last4}"),
                PaymentKind::Invoice | PaymentKind::BankTransfer | PaymentKind::CreditMemo => String::new(),
            };
            let card = kind == PaymentKind::Card;
            let id = tx
                .insert_row(
                    "payment_methods",
                    &[
                        "org_id",
                        "customer_account_id",
                        "kind",
                        "label",
                        "gateway_token",
                        "card_brand",
                        "card_last4",
                        "card_exp_month",
                        "card_exp_year",
                        "billing_name",
                        "billing_address",
                        "created_at",
                    ],
                    vec![
                        v(org),
                        v(account),
                        v(kind.code()),
                        v(label),
                        v(format!("sim_{}_{}_{}", kind.code(), a.csn, last4)),
                        v(card.then_some("Visa")),
                        v(card.then_some(last4.clone())),
                        v(card.then_some(1 + rng.range(0, 11))),
                        v(card.then_some(2027 + rng.range(0, 3))),
                        v(a.company),
                        v(format!("{}, {} {}, {}", a.street, a.postal, a.city, a.country)),
                        v(at),
                    ],
                )
                .await?;
            kinds.push((kind, id));
        }
        methods.push((account, kinds));
    }

    let today = now.date_naive();
    let mut past_due_invoices = 0;
    for i in 0..count {
        let a_idx = rng.below(accounts.len() as u64) as usize;
        let a = &accounts[a_idx];
        let tz: Tz = a.tz.parse().expect("demo time zone");
        let (account, kinds) = &methods[a_idx];
        let term = match rng.below(20) {
            0..=4 => Term::Monthly,
            5..=15 => Term::Annual,
            _ => Term::ThreeYear,
        };
        // Every fifth subscription ended in the last 80 days (expired, suspended or canceled);
        // the others end within one term from today.
        let end_offset = if i % 5 == 0 {
            rng.range(-80, -1)
        } else {
            match term {
                Term::Monthly => rng.range(1, 30),
                Term::Annual => rng.range(1, 365),
                Term::ThreeYear => rng.range(1, 1095),
            }
        };
        let end_date = today + Duration::days(end_offset);
        let start = end_date.checked_sub_months(chrono::Months::new(term.months())).expect("date in range");
        let end = term_end(start, term, tz);
        let status = if end > now { Status::Active } else { status_without_renewal(end, term, tz, now) };
        let (kind, method) = kinds[rng.below(kinds.len() as u64) as usize];
        // Ended subscriptions were not renewed, so auto-renew is off; bank transfers renew manually.
        let auto_renew = status == Status::Active && kind.backs_automatic_renewal() && rng.below(10) < 7;
        let years_before = rng.range(0, 4) as u32;
        let first_start: NaiveDate = start.checked_sub_months(chrono::Months::new(12 * years_before)).unwrap_or(start);
        let seats = [1, 1, 2, 3, 5, 10, 25][rng.below(7) as usize];
        let product_idx = rng.below(products.len() as u64) as usize;
        let product = products[product_idx];
        let partner = rng.below(3) == 0;
        let sub = tx
            .insert_row(
                "subscriptions",
                &[
                    "org_id",
                    "customer_account_id",
                    "product_id",
                    "contract_number",
                    "seats",
                    "term",
                    "currency",
                    "started_at",
                    "term_start_at",
                    "term_end_at",
                    "time_zone",
                    "status",
                    "auto_renew",
                    "payment_method_id",
                    "partner_csn",
                    "reseller_name",
                    "reseller_email",
                    "updated_at",
                ],
                vec![
                    v(org),
                    v(*account),
                    v(product),
                    v(format!("{}{:06}", &a.csn[..4], 100_000 + i)),
                    v(seats),
                    v(term.code()),
                    v(a.currency),
                    v(start_of_day(first_start, tz).timestamp()),
                    v(start_of_day(start, tz).timestamp()),
                    v(end.timestamp()),
                    v(a.tz),
                    v(status.code()),
                    v(auto_renew),
                    v(method),
                    v(partner.then_some("5100900017")),
                    v(partner.then_some("Northlight Partners Oy")),
                    v(partner.then_some("orders@northlight.example")),
                    v(at),
                ],
            )
            .await?;
        if partner {
            partner_subs.push(PartnerSub {
                id: sub,
                account: *account,
                account_idx: a_idx,
                product: product_idx,
                product_id: product,
                seats,
                term,
                end,
                status,
            });
        }
        if kind == PaymentKind::Invoice {
            let po = format!("PO-{}-{:04}", local_date(now, tz).format("%Y"), 100 + i);
            tx.insert_link(
                "invoice_details",
                &["subscription_id", "po_number", "notes", "updated_at"],
                vec![v(sub), v(po), v("Deliver invoices to accounts payable."), v(at)],
            )
            .await?;
            let payers: Vec<String> = ["payer1", "payer2"].iter().map(|p| format!("{p}@{domain}.example")).collect();
            for payer in &payers {
                tx.insert_link("subscription_payers", &["subscription_id", "email"], vec![v(sub), v(payer.clone())])
                    .await?;
            }
            let days_in = (today - start).num_days();
            if status == Status::Active && term != Term::ThreeYear && days_in <= 60 {
                // Of the invoices past their due date, every other one is still unpaid.
                let past_due = days_in > crate::domain::renewal::NET_DAYS;
                if past_due {
                    past_due_invoices += 1;
                }
                let renewed = RenewedTerm {
                    org,
                    account: *account,
                    sub,
                    product: product_idx,
                    product_id: product,
                    seats,
                    term,
                    start,
                    end,
                    account_info: a,
                    auto_renew,
                    paid: past_due && past_due_invoices % 2 == 0,
                };
                seed_invoice(tx, &renewed, &payers, now).await?;
            }
        }
    }
    Ok(partner_subs)
}

/// A term that began with a renewal paid by invoice (R-REN-5).
struct RenewedTerm<'a> {
    org: i64,
    account: i64,
    sub: i64,
    /// Index in [`PRODUCTS`].
    product: usize,
    product_id: i64,
    seats: i64,
    term: Term,
    start: NaiveDate,
    end: DateTime<Utc>,
    account_info: &'a Account,
    auto_renew: bool,
    /// Paid once its due date has passed (an invoice not yet due is open either way).
    paid: bool,
}

/// The renewal order and Net 30 invoice of a term that began lately (R-REN-5, R-INV-1), as the
/// engine writes them: issued on the renewal date, due 30 days later, mailed to nobody (the
/// demo starts with an empty mailbox). Past its due date it is paid by bank transfer, or still
/// open: then the subscription is late and its lifecycle has started (R-LIFE-1).
async fn seed_invoice(tx: &mut Tx, r: &RenewedTerm<'_>, payers: &[String], now: DateTime<Utc>) -> StoreResult<()> {
    use crate::domain::ids::{CustomerAccountId, OrderId, SubscriptionId};
    use crate::domain::renewal::{invoice_due_date, overdue_from};
    use crate::server::store::records::{NewInvoice, NewInvoiceLine};
    let a = r.account_info;
    let tz: Tz = a.tz.parse().expect("demo time zone");
    let currency = Currency::parse(a.currency).expect("demo currency");
    let (_, name, _, annual) = PRODUCTS[r.product];
    let net = Money::from_minor(price(annual, r.term, a.currency) * r.seats, currency);
    let address =
        TaxAddress { country: a.country.into(), region: a.region.into(), tax_exempt: a.tax_certificate.is_some() };
    let rate = rate_for(&address).map_err(|e| StoreError::Corrupt(format!("demo tax: {e}")))?;
    let tax = tax_on(net, rate).map_err(|e| StoreError::Corrupt(format!("demo tax: {e}")))?;
    let total = net.checked_add(tax).map_err(|e| StoreError::Corrupt(format!("demo total: {e}")))?;
    let issued = start_of_day(r.start, tz);
    let due_day = invoice_due_date(r.start);
    let due_at = overdue_from(due_day, tz);
    let stamp = r.start.format("%Y%m%d");
    let order = tx
        .insert_row(
            "orders",
            &[
                "org_id",
                "number",
                "customer_account_id",
                "kind",
                "currency",
                "subtotal_minor",
                "tax_minor",
                "total_minor",
                "created_at",
            ],
            vec![
                v(r.org),
                v(format!("ORD-{}-{stamp}", r.sub)),
                v(r.account),
                v("renewal"),
                v(a.currency),
                v(net.minor()),
                v(tax.minor()),
                v(total.minor()),
                v(issued.timestamp()),
            ],
        )
        .await?;
    // The order's one line: the renewal of the subscription, as the engine writes it (what a
    // refund of it reads, R-PAY-9).
    tx.insert_link(
        "order_lines",
        &[
            "order_id",
            "subscription_id",
            "product_id",
            "seats",
            "term",
            "period_start_at",
            "period_end_at",
            "amount_minor",
            "list_minor",
            "discount_minor",
            "tax_minor",
            "product_name",
            "kind",
        ],
        vec![
            v(order),
            v(r.sub),
            v(r.product_id),
            v(r.seats),
            v(r.term.code()),
            v(issued.timestamp()),
            v(r.end.timestamp()),
            v(net.minor()),
            v(net.minor()),
            v(0_i64),
            v(tax.minor()),
            v(name),
            v("renewal"),
        ],
    )
    .await?;
    let number = format!("INV-{}-{stamp}", r.sub);
    let invoice = NewInvoice {
        org_id: crate::domain::ids::OrgId(r.org),
        number: &number,
        customer_account_id: CustomerAccountId(r.account),
        order_id: OrderId(order),
        subtotal: net,
        tax,
        total,
        po_number: &format!("PO-{}-{:04}", r.start.format("%Y"), r.sub % 10_000),
        notes: "Deliver invoices to accounts payable.",
        issued_at: issued,
        issued_on: r.start,
        due_at,
        replaces: None,
    };
    let line = NewInvoiceLine {
        subscription_id: Some(SubscriptionId(r.sub)),
        product_name: name.to_string(),
        seats: r.seats,
        term: r.term,
        period_start: issued,
        period_end: r.end,
        amount: net,
    };
    let id = tx.insert_invoice(&invoice, std::slice::from_ref(&line), payers).await?;
    let sub = SubscriptionId(r.sub);
    if due_at > now || !r.paid {
        // Owed: the lifecycle counts from the day after the due date (R-LIFE-1, R-LIFE-5).
        tx.set_unpaid_since(sub, Some(due_at), now).await?;
        let status = crate::domain::status::status_at(r.end, r.auto_renew, Some(due_at), r.term, tz, now);
        tx.set_status(sub, status, now).await?;
        return Ok(());
    }
    let paid_at = due_at - Duration::days(3);
    let payment = tx
        .insert_row(
            "payments",
            &[
                "org_id",
                "kind",
                "currency",
                "amount_minor",
                "status",
                "idempotency_key",
                "due_at",
                "created_at",
                "settled_at",
            ],
            vec![
                v(r.org),
                v("bank_transfer"),
                v(a.currency),
                v(total.minor()),
                v("succeeded"),
                v(format!("demo:{number}")),
                v(paid_at.timestamp()),
                v(paid_at.timestamp()),
                v(paid_at.timestamp()),
            ],
        )
        .await
        .map(crate::domain::ids::PaymentId)?;
    tx.insert_link(
        "payment_allocations",
        &["payment_id", "invoice_id", "amount_minor"],
        vec![v(payment.get()), v(id.get()), v(total.minor())],
    )
    .await?;
    // Paid as a payment of the portal pays it: claimed, then settled.
    tx.claim_invoices(&[id]).await?;
    tx.settle_invoices(payment, true).await?;
    Ok(())
}

/// A subscription of the demo that a partner manages, for the partner's quotes.
struct PartnerSub {
    id: i64,
    /// The customer account's row and its index in the organisation's accounts.
    account: i64,
    account_idx: usize,
    /// Index in [`PRODUCTS`].
    product: usize,
    product_id: i64,
    seats: i64,
    term: Term,
    end: DateTime<Utc>,
    status: Status,
}

/// Northlight Partners' renewal quotes for Aurora's Finnish customer number (R-QUOTE-1,
/// R-QUOTE-7): an active one for the three annual partner subscriptions renewing soonest (a 10 %
/// partner discount on the first line, R-QUOTE-5), the quote it replaced (R-QUOTE-8), and an
/// expired one for the next two. Prices are the demo's list prices; tax from the address.
async fn seed_partner_quotes(tx: &mut Tx, org: i64, subs: &[PartnerSub], now: DateTime<Utc>) -> StoreResult<()> {
    let a = &AURORA_ACCOUNTS[0];
    let tz: Tz = a.tz.parse().expect("demo time zone");
    let currency = Currency::parse(a.currency).expect("demo currency");
    let mut due: Vec<&PartnerSub> = subs
        .iter()
        .filter(|s| {
            s.account_idx == 0
                && s.term == Term::Annual
                && s.status == Status::Active
                && s.end > now + Duration::days(5)
                && s.end < now + Duration::days(90)
        })
        .collect();
    due.sort_by_key(|s| (s.end, s.id));
    if due.len() < 5 {
        return Ok(());
    }
    let address = TaxAddress { country: a.country.into(), region: a.region.into(), tax_exempt: false };
    let rate = rate_for(&address).map_err(|e| StoreError::Corrupt(format!("demo tax: {e}")))?;
    let today = local_date(now, tz);
    let year = today.format("%Y");
    let day = |offset: i64| start_of_day(today + Duration::days(offset), tz).timestamp();
    // (number, status, created, expires, subscriptions)
    let quotes: [(String, QuoteStatus, i64, i64, &[&PartnerSub]); 3] = [
        (format!("Q-{year}-0001"), QuoteStatus::Replaced, day(-12), day(18), &due[..3]),
        (format!("Q-{year}-0002"), QuoteStatus::Active, day(-2), day(28), &due[..3]),
        (format!("Q-{year}-0003"), QuoteStatus::Active, day(-40), day(-5), &due[3..5]),
    ];
    for (number, status, created, expires, lines) in quotes {
        let mut priced = Vec::new();
        for (n, s) in lines.iter().enumerate() {
            let unit = price(PRODUCTS[s.product].3, s.term, a.currency);
            let list = unit * s.seats;
            // The replaced quote had no discount: the partner added it in the new one.
            let discount = if n == 0 && status != QuoteStatus::Replaced { list / 10 } else { 0 };
            priced.push((s, unit, list, discount));
        }
        let subtotal: i64 = priced.iter().map(|(_, _, list, discount)| list - discount).sum();
        let discount: i64 = priced.iter().map(|(_, _, _, d)| d).sum();
        let tax = tax_on(Money::from_minor(subtotal, currency), rate)
            .map_err(|e| StoreError::Corrupt(format!("demo tax: {e}")))?
            .minor();
        let quote = tx
            .insert_row(
                "quotes",
                &[
                    "org_id",
                    "number",
                    "customer_account_id",
                    "kind",
                    "origin",
                    "status",
                    "currency",
                    "subtotal_minor",
                    "discount_minor",
                    "tax_minor",
                    "total_minor",
                    "partner_csn",
                    "partner_name",
                    "customer_name",
                    "customer_address",
                    "expires_at",
                    "created_at",
                    "sent_at",
                ],
                vec![
                    v(org),
                    v(number),
                    v(lines[0].account),
                    v("renewal"),
                    v(QuoteOrigin::Partner.code()),
                    v(status.code()),
                    v(a.currency),
                    v(subtotal),
                    v(discount),
                    v(tax),
                    v(subtotal + tax),
                    v("5100900017"),
                    v("Northlight Partners Oy"),
                    v(a.company),
                    v(format!("{}, {} {}, {}", a.street, a.postal, a.city, a.country)),
                    v(expires),
                    v(created),
                    v(created),
                ],
            )
            .await?;
        for (s, unit, list, discount) in priced {
            let next_end = term_end(local_date(s.end, tz), s.term, tz);
            tx.insert_row(
                "quote_lines",
                &[
                    "quote_id",
                    "subscription_id",
                    "product_id",
                    "seats",
                    "term",
                    "unit_price_minor",
                    "discount_minor",
                    "amount_minor",
                    "promotion",
                    "period_start",
                    "period_end",
                ],
                vec![
                    v(quote),
                    v(s.id),
                    v(s.product_id),
                    v(s.seats),
                    v(s.term.code()),
                    v(unit),
                    v(discount),
                    v(list - discount),
                    v((discount > 0).then_some("Northlight partner renewal offer: 10 %")),
                    v(s.end.timestamp()),
                    v(next_end.timestamp()),
                ],
            )
            .await?;
        }
        for to in ["buyer@aurora.example", "buyer2@aurora.example", "procurement@aurora-design.example"] {
            tx.insert_link("quote_recipients", &["quote_id", "email"], vec![v(quote), v(to)]).await?;
        }
    }
    Ok(())
}

/// Cirrus Studios: one German customer number whose renewals are due soon, for renewing in the
/// cart: a group of 110 on direct debit (bulk renew of 100, R-BULK-2), two large ones on a card
/// over the online limit (R-PAY-2) beside a subscription paid by invoice (R-PAY-3), two that
/// expired 10 days ago (late renewal, R-REN-2), and one on a card the provider declines.
async fn seed_cirrus(tx: &mut Tx, org: i64, products: &[i64], now: DateTime<Utc>) -> StoreResult<()> {
    let at = now.timestamp();
    let tz: Tz = "Europe/Berlin".parse().expect("demo time zone");
    let account = tx
        .insert_row(
            "customer_accounts",
            &["org_id", "csn", "company_name", "address_line1", "postal_code", "city", "country", "updated_at"],
            vec![
                v(org),
                v("5150003001"),
                v("Cirrus Studios GmbH"),
                v("Torstrasse 101"),
                v("10119"),
                v("Berlin"),
                v("DE"),
                v(at),
            ],
        )
        .await?;
    let method = |kind: PaymentKind, label: &str, token: &str| {
        let (label, token) = (label.to_string(), token.to_string());
        let card = kind == PaymentKind::Card;
        let last4 = token.chars().rev().take(4).collect::<String>().chars().rev().collect::<String>();
        (
            [
                "org_id",
                "customer_account_id",
                "kind",
                "label",
                "gateway_token",
                "card_brand",
                "card_last4",
                "card_exp_month",
                "card_exp_year",
                "billing_name",
                "billing_address",
                "created_at",
            ],
            vec![
                v(org),
                v(account),
                v(kind.code()),
                v(label),
                v(token),
                v(card.then_some("Visa")),
                v(card.then_some(last4)),
                v(card.then_some(12i64)),
                v(card.then_some(2029i64)),
                v("Cirrus Studios GmbH"),
                v("Torstrasse 101, 10119 Berlin, DE"),
                v(at),
            ],
        )
    };
    let mut ids = std::collections::HashMap::new();
    for (key, kind, label, token) in [
        ("card", PaymentKind::Card, "Visa •••• 4242", "sim_card_cirrus_4242"),
        ("declining", PaymentKind::Card, "Visa •••• 0002", "sim_card_cirrus_0002"),
        ("paypal", PaymentKind::PayPal, "billing@cirrus.example", "sim_paypal_cirrus"),
        ("debit", PaymentKind::DirectDebit, "•••• 3000", "sim_direct_debit_cirrus_3000"),
        ("invoice", PaymentKind::Invoice, "", "sim_invoice_cirrus"),
        ("transfer", PaymentKind::BankTransfer, "", "sim_bank_transfer_cirrus"),
    ] {
        let (columns, values) = method(kind, label, token);
        ids.insert(key, tx.insert_row("payment_methods", &columns, values).await?);
    }
    let today = local_date(now, tz);
    // (how many, product index, seats, term, days from today to the renewal date, method)
    let plan: [(usize, usize, i64, Term, i64, &str); 5] = [
        (CIRRUS_BULK, 5, 1, Term::Annual, 10, "debit"),
        (2, 2, 10, Term::Annual, 20, "card"),
        (2, 1, 1, Term::Annual, 200, "invoice"),
        (2, 0, 2, Term::Annual, -10, "card"),
        (1, 3, 1, Term::Monthly, 5, "declining"),
    ];
    let mut n = 0;
    for (count, product, seats, term, days, pm) in plan {
        for i in 0..count {
            let renewal = today + Duration::days(days + (i % 60) as i64);
            let start = renewal.checked_sub_months(chrono::Months::new(term.months())).expect("date in range");
            let end = term_end(start, term, tz);
            let status = if end > now { Status::Active } else { status_without_renewal(end, term, tz, now) };
            n += 1;
            tx.insert_row(
                "subscriptions",
                &[
                    "org_id",
                    "customer_account_id",
                    "product_id",
                    "contract_number",
                    "seats",
                    "term",
                    "currency",
                    "started_at",
                    "term_start_at",
                    "term_end_at",
                    "time_zone",
                    "status",
                    "auto_renew",
                    "payment_method_id",
                    "updated_at",
                ],
                vec![
                    v(org),
                    v(account),
                    v(products[product]),
                    v(format!("5150{:06}", 300_000 + n)),
                    v(seats),
                    v(term.code()),
                    v("EUR"),
                    v(start_of_day(start, tz).timestamp()),
                    v(start_of_day(start, tz).timestamp()),
                    v(end.timestamp()),
                    v("Europe/Berlin"),
                    v(status.code()),
                    v(false),
                    v(ids[pm]),
                    v(at),
                ],
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_minor_units_per_currency() {
        assert_eq!(price(2_030_00, Term::Annual, "USD"), 2_030_00);
        assert_eq!(price(2_030_00, Term::Annual, "EUR"), 1_867_60);
        assert_eq!(price(2_030_00, Term::ThreeYear, "USD"), 6_090_00);
        assert_eq!(price(2_030_00, Term::Monthly, "USD"), 243_00);
    }

    #[test]
    fn the_generator_is_deterministic() {
        // The demo data depends on this sequence: the same day gives the same data everywhere.
        let mut a = Lcg(1);
        assert_eq!((0..3).map(|_| a.next()).collect::<Vec<_>>(), vec![908834774, 1093944153, 1392341196]);
    }
}
