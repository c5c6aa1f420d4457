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
    /// Who may move the demo clock from its page (e-mail addresses, lower case): moving it runs
    /// every organisation's renewals. Nobody when empty (`server advance-clock` still works).
    pub demo_clock_operators: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the per-address limits);
    /// without them every client behind a proxy would share its address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
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
        demo_tools_on_loopback(&listen_addr, mailbox_page, demo_clock)?;
        let demo_clock_operators = var("PORTAL_DEMO_CLOCK_OPERATORS")
            .map(|list| list.split(',').map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect())
            .unwrap_or_default();
        let trusted_proxies = match var("PORTAL_TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| a.parse().map_err(|_| format!("PORTAL_TRUSTED_PROXIES: {a:?} is not an IP address")))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
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
            demo_clock_operators,
            trusted_proxies,
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

/// The demo tools show every organisation's mail (reset links included) and move every
/// organisation's business time: they are for a portal only this machine can reach. Asking for
/// them on any other address is refused at start.
fn demo_tools_on_loopback(listen_addr: &str, mailbox_page: bool, demo_clock: bool) -> Result<(), String> {
    if !(mailbox_page || demo_clock) {
        return Ok(());
    }
    let loopback = match listen_addr.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => listen_addr.rsplit_once(':').is_some_and(|(host, _)| host == "localhost"),
    };
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "PORTAL_MAILBOX_PAGE and PORTAL_DEMO_CLOCK are demo tools and need PORTAL_LISTEN on a loopback \
             address (127.0.0.1:3000, [::1]:3000), not {listen_addr:?}; turn them off to listen there"
        ))
    }
}

#[cfg(test)]
mod demo_tools_tests {
    use super::demo_tools_on_loopback;

    #[test]
    fn demo_tools_start_only_on_a_loopback_address() {
        for addr in ["127.0.0.1:3000", "[::1]:3000", "localhost:3000", "127.0.0.2:80"] {
            assert!(demo_tools_on_loopback(addr, true, true).is_ok(), "{addr}");
        }
        for addr in ["0.0.0.0:3000", "[::]:3000", "192.168.1.10:3000", "portal.example:443"] {
            assert!(demo_tools_on_loopback(addr, true, false).is_err(), "{addr}: mailbox");
            assert!(demo_tools_on_loopback(addr, false, true).is_err(), "{addr}: clock");
            assert!(demo_tools_on_loopback(addr, false, false).is_ok(), "{addr}: no demo tools");
        }
    }
}
