//! Building and running the service: connect, migrate, seed the demo if asked, bind,
//! serve until SIGINT or SIGTERM, then let in-flight requests finish.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::demo;
use crate::jobs::Jobs;
use crate::notify::Links;
use crate::service::registrar::Registrar;
use crate::store::Store;
use crate::web::AppState;

/// A service bound to its port, ready to run.
pub struct App {
    listener: TcpListener,
    state: AppState,
    seeded: Option<demo::Seeded>,
}

impl App {
    /// Connects to the database, applies migrations, seeds the demo department when
    /// configured, and binds the listener (port 0 picks a free port, for tests).
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let url = config.database_url();
        let store = Store::connect(&url).await.context("connecting to the database")?;
        store.migrate().await.context("applying migrations")?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let links = Links {
            base_url: config.base_url(listener.local_addr()?),
        };
        // Seeded once the address is known: the demo's certificates link to it.
        let seeded = if config.demo {
            Some(
                demo::seed(&store, &links.base_url, jiff::Timestamp::now())
                    .await
                    .context("seeding the demo department")?,
            )
        } else {
            None
        };
        let mailer = crate::notify::delivery::Mailer::from_config(&config, &links.base_url)?;
        tracing::info!(mail = %mailer.describe(), "outgoing mail");
        let changes = crate::service::changes::PublicChanges::default();
        let registrar = Registrar::start(store.clone(), links.clone(), changes.clone());
        use crate::auth::limits::{Budget, Window};
        let budget = |limit: crate::config::RateLimit, bucket, window| {
            limit
                .get()
                .and_then(std::num::NonZeroU32::new)
                .map(|n| Budget::new(bucket, n, window, &store))
        };
        let request_budget = budget(config.rate_limit, "requests", Window::Minute);
        let open311_budget = budget(config.open311_anonymous, "open311", Window::Hour);
        let survey_key = Arc::new(crate::service::outcomes::survey_key(&store, config.survey_key.as_deref()).await?);
        let metrics: Arc<crate::telemetry::metrics::Metrics> = Arc::default();
        let state = AppState::new(crate::web::Shared {
            store,
            config: Arc::new(config),
            registrar,
            links,
            mailer,
            request_budget,
            open311_budget,
            metrics: metrics.clone(),
            survey_key,
            questions: crate::service::changes::Memo::new(changes.clone()),
            pages: crate::web::page_cache::PageCache::new(changes, metrics),
        });
        Ok(App {
            listener,
            state,
            seeded,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The store, for tests and tools that act next to the running service.
    pub fn store(&self) -> Store {
        self.state.store.clone()
    }

    /// The shared state handlers see (tests drive jobs and the registrar through it).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// What demo seeding did at build time, if it ran.
    pub fn demo_seeded(&self) -> Option<demo::Seeded> {
        self.seeded
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting and waits for in-flight
    /// requests before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes (graceful, like [`App::run_until_stopped`]).
    pub async fn run_with_shutdown(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let jobs = tokio::spawn(crate::jobs::run_forever(self.state.jobs()));
        let router = crate::web::router(self.state);
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        jobs.abort();
        store.close().await;
        Ok(())
    }
}

impl AppState {
    /// What the background jobs need, taken from the state handlers share.
    pub fn jobs(&self) -> Jobs {
        Jobs {
            store: self.store.clone(),
            config: self.config.clone(),
            links: self.links.clone(),
            mailer: self.mailer.clone(),
            metrics: self.metrics.clone(),
            changes: self.pages.changes().clone(),
            intake: self.registrar.activity(),
        }
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (systemd, container stop).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
