//! One typed configuration: command-line flags override `PRECINCT_*` environment
//! variables, which override the defaults documented on each field (and in the README).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::FalseyValueParser;
use ipnet::IpNet;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Settings of a running service.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "PRECINCT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Database URL: `sqlite://path/file.db` or `postgres://user@host/db`.
    /// Defaults to a SQLite file in the data directory.
    #[arg(long, env = "PRECINCT_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for the default SQLite database and other local files.
    #[arg(long, env = "PRECINCT_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Seed a fictional demo department on first start (does nothing once seeded).
    #[arg(long, env = "PRECINCT_DEMO", value_parser = FalseyValueParser::new(), default_value_t = false)]
    pub demo: bool,

    /// The address residents use, e.g. `https://programs.example-pd.org`. When it is
    /// https, responses carry HSTS.
    #[arg(long, env = "PRECINCT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "PRECINCT_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "PRECINCT_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Applications and link requests allowed per client address per minute, or `off`
    /// (for load tests behind one address).
    #[arg(long, env = "PRECINCT_RATE_LIMIT", default_value = "20", value_parser = parse_rate_limit)]
    pub rate_limit: RateLimit,

    /// Administrators must set up a second sign-in factor (TOTP) before using the back office.
    #[arg(long, env = "PRECINCT_REQUIRE_ADMIN_TOTP", value_parser = FalseyValueParser::new(), default_value_t = false)]
    pub require_admin_totp: bool,

    /// Seconds between runs of the background jobs (offer expiry, outbox delivery, draws).
    #[arg(long, env = "PRECINCT_JOB_INTERVAL", default_value_t = 5)]
    pub job_interval_secs: u64,

    /// Months after a teen cohort's last session when its students' personal details are
    /// erased (anonymous counts stay).
    #[arg(long, env = "PRECINCT_MINOR_RETENTION_MONTHS", default_value_t = 12)]
    pub minor_retention_months: u16,

    /// Outgoing mail server, e.g. `smtp://user:password@mail.example.org:587?tls=required`
    /// (STARTTLS), `smtps://user:password@mail.example.org:465` (TLS from the start), or
    /// `smtp://127.0.0.1:25` (plain, a local relay). Unset: messages are written as `.eml`
    /// files to `<data dir>/outbox/`.
    #[arg(long, env = "PRECINCT_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender address of outgoing mail; the display name is the department's.
    #[arg(long, env = "PRECINCT_MAIL_FROM", default_value = "no-reply@precinct.invalid")]
    pub mail_from: String,

    /// Seconds a delivery job holds a claimed message before another may retry it (a
    /// crashed sender's messages wait this long). Sends time out well before it.
    #[arg(long, env = "PRECINCT_OUTBOX_LEASE", default_value_t = 120)]
    pub outbox_lease_secs: u64,

    /// Local hour (0-23, department's time zone) on the day before a session when its
    /// reminders go out.
    #[arg(long, env = "PRECINCT_REMINDER_HOUR", default_value_t = 9, value_parser = clap::value_parser!(u8).range(0..=23))]
    pub reminder_hour: u8,

    /// Open311 requests filed without an `api_key`, per client address per hour, or `off`
    /// to require a key.
    #[arg(long, env = "PRECINCT_OPEN311_ANONYMOUS", default_value = "10", value_parser = parse_rate_limit)]
    pub open311_anonymous: RateLimit,

    /// Bearer token Prometheus sends to read `/metrics`. Unset: only a direct scrape from
    /// this machine (not through a proxy) is answered.
    #[arg(long, env = "PRECINCT_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Reverse proxies whose `X-Forwarded-For` names the client, as addresses or
    /// networks separated by commas (`127.0.0.1,10.0.0.0/8`). Unset: the connecting
    /// address is the client.
    #[arg(long, env = "PRECINCT_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_trusted)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Key of the pair codes that link a participant's before and after survey answers
    /// (any long random string; every instance uses the same). Kept out of the database
    /// so the database alone cannot tie an answer to a person. Unset: a key is made and
    /// stored in the database, which keeps pairing working but weakens that guarantee.
    #[arg(long, env = "PRECINCT_SURVEY_KEY", hide_env_values = true)]
    pub survey_key: Option<String>,
}

/// A per-address request budget (per minute for application routes, per hour for
/// anonymous Open311 filing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(Option<u32>);

impl RateLimit {
    /// No limit (load tests, or a proxy that limits instead).
    pub const OFF: RateLimit = RateLimit(None);

    /// `n` requests per minute per address.
    pub fn per_minute(n: u32) -> RateLimit {
        RateLimit((n > 0).then_some(n))
    }

    /// The budget per minute, if limited.
    pub fn get(self) -> Option<u32> {
        self.0
    }
}

/// `off` (or `0`) disables the limit; otherwise a positive count per minute.
fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    match s.trim() {
        "off" | "0" => Ok(RateLimit::OFF),
        n => n
            .parse::<u32>()
            .map(RateLimit::per_minute)
            .map_err(|_| format!("expected a number per minute or `off`, got {n:?}")),
    }
}

impl Config {
    /// A configuration with every default, for `url`; tests and tools start from it.
    pub fn with_database(url: impl Into<String>) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: Some(url.into()),
            data_dir: PathBuf::from("data"),
            demo: false,
            public_url: None,
            request_timeout_secs: 30,
            max_body_bytes: 64 * 1024,
            rate_limit: RateLimit::per_minute(20),
            require_admin_totp: false,
            job_interval_secs: 5,
            minor_retention_months: 12,
            smtp_url: None,
            mail_from: "no-reply@precinct.invalid".into(),
            outbox_lease_secs: 120,
            reminder_hour: 9,
            open311_anonymous: RateLimit::per_minute(10),
            metrics_token: None,
            trusted_proxies: Vec::new(),
            survey_key: None,
        }
    }

    /// Where links in emails point: the public URL, or the listening address.
    pub fn base_url(&self, bound: std::net::SocketAddr) -> String {
        match &self.public_url {
            Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
            _ => format!("http://{bound}"),
        }
    }

    /// Where `.eml` files of delivered messages go.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The database URL in force: the configured one, or a SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match self.database_url.as_deref().map(str::trim) {
            // An empty variable (`PRECINCT_DATABASE_URL=`) means "use the default".
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("precinct.db").display()),
        }
    }

    /// Whether the site is served over TLS (by a proxy in front), so HSTS applies.
    pub fn https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// Parses one `PRECINCT_TRUSTED_PROXIES` entry: an address (`10.0.0.5`) or a network
/// (`10.0.0.0/8`).
pub fn parse_trusted(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{entry}` is neither an address nor a network such as 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_database_is_sqlite_in_the_data_dir() {
        let mut c = Config::with_database("x");
        c.database_url = None;
        c.data_dir = PathBuf::from("/var/lib/precinct");
        assert_eq!(c.database_url(), "sqlite:///var/lib/precinct/precinct.db");
        c.database_url = Some(String::new());
        assert_eq!(c.database_url(), "sqlite:///var/lib/precinct/precinct.db");
    }

    #[test]
    fn rate_limits_parse() {
        assert_eq!(parse_rate_limit("off"), Ok(RateLimit::OFF));
        assert_eq!(parse_rate_limit("0"), Ok(RateLimit::OFF));
        assert_eq!(parse_rate_limit("30").unwrap().get(), Some(30));
        assert!(parse_rate_limit("lots").is_err());
    }

    #[test]
    fn hsts_only_behind_https() {
        let mut c = Config::with_database("x");
        assert!(!c.https());
        c.public_url = Some("http://localhost:8080".into());
        assert!(!c.https());
        c.public_url = Some("https://programs.example.org".into());
        assert!(c.https());
    }
}
