//! Typed configuration: defaults, overridden by environment variables. Secrets are never logged.

use std::path::PathBuf;

use crate::domain::money::UsdRates;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://...` (default: a file in the data directory) or `postgres://...`.
    pub database_url: String,
    /// Where the embedded database and other local files live.
    pub data_dir: PathBuf,
    /// The address the portal listens on.
    pub listen_addr: String,
    /// The origin users reach the portal at, e.g. `https://billing.example.com`. Used for CSRF
    /// origin checks, absolute links in mail, and the cookie's Secure flag.
    pub public_url: String,
    /// Load the demo data into an empty database at start (off unless asked for).
    pub demo_data: bool,
    /// SMTP server for outgoing mail. Without one, mails are written as `.eml` files into
    /// `<data_dir>/mailbox`.
    pub smtp_url: Option<Secret>,
    /// The sender of every mail.
    pub mail_from: String,
    /// Show the Mailbox page: every mail written as a file, readable by anyone who can reach
    /// the portal. For the demo and browser tests only; it has no effect with SMTP.
    pub mailbox_page: bool,
    /// A business clock that can be moved forward (the Demo clock page and `server
    /// advance-clock`), so renewals, reminders and state changes can be watched. Never in
    /// production: it changes what customers are charged and when.
    pub demo_clock: bool,
    /// What one unit of each currency is worth in USD, for the 25,000 USD limit (R-PAY-2).
    pub usd_rates: UsdRates,
}

/// A configuration value that may hold credentials: never printed.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

impl Config {
    /// Reads `DATABASE_URL`, `PORTAL_DATA_DIR`, `PORTAL_LISTEN`, `PORTAL_PUBLIC_URL`,
    /// `PORTAL_DEMO_DATA`, `PORTAL_SMTP_URL`, `PORTAL_MAIL_FROM`, `PORTAL_MAILBOX_PAGE`,
    /// `PORTAL_DEMO_CLOCK` and `PORTAL_USD_RATES` ("EUR=1.08,SEK=0.095"), with
    /// `listen_default` as the listen address when none is set.
    pub fn from_env(listen_default: &str) -> Result<Config, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("PORTAL_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url =
            var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}/portal.sqlite3", data_dir.display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err("DATABASE_URL must start with sqlite: or postgres://".into());
        }
        let listen_addr = var("PORTAL_LISTEN").unwrap_or_else(|| listen_default.to_string());
        let public_url = var("PORTAL_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen_addr}"));
        let public_url = public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err("PORTAL_PUBLIC_URL must start with http:// or https://".into());
        }
        let flag = |name: &str| match var(name).as_deref() {
            Some("1") | Some("true") | Some("yes") => Ok(true),
            None | Some("0") | Some("false") | Some("no") => Ok(false),
            Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
        };
        let demo_data = flag("PORTAL_DEMO_DATA")?;
        let mailbox_page = flag("PORTAL_MAILBOX_PAGE")?;
        let smtp_url = var("PORTAL_SMTP_URL").map(Secret);
        let mail_from = var("PORTAL_MAIL_FROM").unwrap_or_else(|| "Billing and orders <billing@localhost>".into());
        let demo_clock = flag("PORTAL_DEMO_CLOCK")?;
        let usd_rates = match var("PORTAL_USD_RATES") {
            Some(text) => UsdRates::parse(&text).map_err(|e| format!("PORTAL_USD_RATES: {e}"))?,
            None => UsdRates::default(),
        };
        Ok(Config {
            database_url,
            data_dir,
            listen_addr,
            public_url,
            demo_data,
            smtp_url,
            mail_from,
            mailbox_page,
            demo_clock,
            usd_rates,
        })
    }

    /// Whether the Mailbox page is on: asked for, and mail goes to files.
    pub fn mailbox_enabled(&self) -> bool {
        self.mailbox_page && self.smtp_url.is_none()
    }

    /// Where the file transport writes mail when no SMTP server is configured.
    pub fn mailbox_dir(&self) -> PathBuf {
        self.data_dir.join("mailbox")
    }

    /// The mailer this configuration asks for.
    pub fn mailer(&self) -> Result<super::outbox::Mailer, String> {
        let transport = match &self.smtp_url {
            Some(url) => super::outbox::Transport::smtp(&url.0)?,
            None => super::outbox::Transport::Files(self.mailbox_dir()),
        };
        super::outbox::Mailer::new(transport, &self.mail_from, &self.public_url)
    }

    /// Cookies are Secure whenever the portal is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
