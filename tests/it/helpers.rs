//! Spawning the real service on a random port against a fresh database, and
//! running the same test on SQLite and PostgreSQL.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use precinct::app::App;
use precinct::config::Config;
use precinct::store::Store;
use tokio::sync::oneshot;

/// Runs each named `async fn(Backend)` once per backend, as `sqlite::name` and
/// `postgres::name`. The PostgreSQL variant needs `PRECINCT_TEST_POSTGRES_URL`; without
/// it the test is skipped with a note, except under CI where that is a failure.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::helpers::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            )+
        }
    };
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `Some(Postgres)` when a server is configured for tests.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("PRECINCT_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres),
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PRECINCT_TEST_POSTGRES_URL must be set in CI so PostgreSQL is tested"
                );
                eprintln!("skipped: PRECINCT_TEST_POSTGRES_URL is not set");
                None
            }
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty database and a private data directory, both removed when dropped.
pub struct TestDb {
    pub url: String,
    dir: PathBuf,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Creates an empty database on `backend`.
    pub async fn new(backend: Backend) -> TestDb {
        let dir = std::env::temp_dir().join(unique_name("precinct_test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.join("test.db").display()),
                dir,
                pg: None,
            },
            Backend::Postgres => {
                let admin_url = std::env::var("PRECINCT_TEST_POSTGRES_URL").expect("postgres url");
                let name = unique_name("precinct_t");
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .expect("connect to postgres");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let (base, query) = match admin_url.split_once('?') {
                    Some((b, q)) => (b, format!("?{q}")),
                    None => (admin_url.as_str(), String::new()),
                };
                let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
                TestDb {
                    url: format!("{prefix}/{name}{query}"),
                    dir,
                    pg: Some((admin_url, name)),
                }
            }
        }
    }

    /// The private data directory (delivered `.eml` files land in `outbox/`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop runs inside the test's runtime; a separate thread with its own
            // runtime can block on the cleanup without stalling it.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running service and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub state: precinct::web::AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    // Declared last so the database outlives the server during drop.
    _db: TestDb,
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct Options {
    pub demo: bool,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    /// Requests per minute per address on application routes; `None` turns limits off.
    pub rate_limit: Option<u32>,
    /// Reuse this database instead of a fresh one (a second instance).
    pub database_url: Option<String>,
    /// Administrators must use two-step sign-in.
    pub require_admin_totp: bool,
    /// Deliver mail to this SMTP server instead of `.eml` files.
    pub smtp_url: Option<String>,
    /// Open311 filing needs an `api_key` (no anonymous budget).
    pub open311_key_required: bool,
    /// Bearer token for `/metrics`.
    pub metrics_token: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed (`PRECINCT_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<&'static str>,
}

/// Spawns the service with the demo department.
pub async fn spawn_demo(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        Options {
            demo: true,
            ..Default::default()
        },
    )
    .await
}

/// Spawns the service with an empty department.
pub async fn spawn_empty(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

/// Spawns the service on 127.0.0.1 with a random port and a fresh database.
pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        precinct::telemetry::init(precinct::config::LogFormat::Pretty);
    }
    let db = TestDb::new(backend).await;
    let url = options.database_url.clone().unwrap_or_else(|| db.url.clone());
    let mut config = Config::with_database(url);
    config.require_admin_totp = options.require_admin_totp;
    config.rate_limit = options.rate_limit.map_or(
        precinct::config::RateLimit::OFF,
        precinct::config::RateLimit::per_minute,
    );
    config.data_dir = db.data_dir();
    // Jobs run only when a test asks (jobs::run_once), so tests control time.
    config.job_interval_secs = 3600;
    config.demo = options.demo;
    config.public_url = options.public_url;
    config.smtp_url = options.smtp_url;
    config.metrics_token = options.metrics_token;
    config.trusted_proxies = options
        .trusted_proxies
        .iter()
        .map(|p| precinct::config::parse_trusted(p).expect("a proxy address"))
        .collect();
    if options.open311_key_required {
        config.open311_anonymous = precinct::config::RateLimit::OFF;
    }
    if let Some(max) = options.max_body_bytes {
        config.max_body_bytes = max;
    }
    let public_url = config.public_url.clone();
    let app = App::build(config).await.expect("app builds");
    let address = format!("http://{}", app.local_addr());
    let page_origin = public_url.unwrap_or_else(|| address.clone());
    let store = app.store();
    let state = app.state();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_with_shutdown(async {
        let _ = stopped.await;
    }));
    // Like a browser on the service's own pages: forms carry the page's Origin (a request
    // may set another to play a different site).
    let mut origin = reqwest::header::HeaderMap::new();
    origin.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(&page_origin).expect("an origin"),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(origin)
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        store,
        state,
        stop: Some(stop),
        server: Some(server),
        _db: db,
    }
}

impl TestApp {
    /// GET a path of the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// GET a path and return status and body text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// GET a page as the holder of `cookie` (a `name=value` pair) and return its text.
    pub async fn page_as(&self, cookie: &str, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    /// GET a JSON path, asserting 200.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let res = self.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        res.json().await.expect("json body")
    }

    /// Id of the demo class with this name.
    pub async fn class_id(&self, name: &str) -> i64 {
        let list = self.get_json("/api/v1/classes").await;
        list["classes"]
            .as_array()
            .expect("classes")
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["id"].as_i64())
            .unwrap_or_else(|| panic!("no class named {name}"))
    }

    /// Messages to `email`, oldest first, as the recipient reads them: a waiting message
    /// with its private link in place, a delivered one from its `.eml` file (the outbox
    /// erases a private link once it is delivered).
    pub async fn mailbox(&self, email: &str) -> Vec<precinct::store::outbox::OutboxMessage> {
        let mut messages = self.store.outbox_for(email).await.expect("outbox");
        let dir = self._db.data_dir().join("outbox");
        for m in &mut messages {
            if !m.body_text.contains(precinct::domain::mail::LINK_MARK) {
                continue;
            }
            let file = dir.join(format!("{:08}-{}.eml", m.id, m.kind));
            if let Ok(raw) = std::fs::read(&file) {
                let parsed = mail_parser::MessageParser::default()
                    .parse(&raw)
                    .expect("a delivered message");
                m.body_text = parsed.body_text(0).expect("a text part").to_string();
            }
        }
        messages
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Cancels the demo's sessions of the next two days, so tests that count what one job
/// round sends are not joined by the demo's session reminders (which fall due on some
/// days of the week and not others).
pub async fn without_demo_reminders(app: &TestApp) {
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    for class in app.store.public_classes(None).await.unwrap() {
        let class = class.id;
        for s in app.store.sessions(class).await.unwrap() {
            if !s.cancelled && s.starts_at < soon && s.starts_at > jiff::Timestamp::now() {
                let mut tx = app.store.begin().await.unwrap();
                tx.cancel_session(class, s.id).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
    }
}
