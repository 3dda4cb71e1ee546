//! Background work, run every few seconds by each instance: lottery draws, expiring
//! seat offers (passing seats on), carrying out withdrawals whose grace period ended,
//! queuing session reminders and last calls on offers,
//! delivering the outbox, erasing minors' details and answers to programs' own questions
//! when their retention ends, and forgetting request counts and failed sign-ins of
//! windows that have passed. Every
//! step claims its work in the database, so several instances can run it side by side.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::notify::Links;
use crate::notify::delivery::Mailer;
use crate::notify::{delivery, scheduled};
use crate::service::waitlist;
use crate::store::Store;
use crate::telemetry::metrics::Metrics;
use jiff::Timestamp;

/// What the jobs work with: the store, the settings, where links point, how mail leaves
/// and the counters they report to.
#[derive(Clone)]
pub struct Jobs {
    pub store: Store,
    pub config: Arc<Config>,
    pub links: Links,
    pub mailer: Mailer,
    pub metrics: Arc<Metrics>,
    /// Signalled when a round changed what public pages show (seats, lottery results).
    pub changes: crate::service::changes::PublicChanges,
    /// The application writer's activity: delivery slows down while it is busy.
    pub intake: crate::service::registrar::Activity,
}

/// What one round of jobs did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub offers_expired: usize,
    pub withdrawals: usize,
    pub messages_delivered: usize,
    pub lotteries_drawn: usize,
    pub minor_records_erased: u64,
    pub answers_erased: u64,
    pub reminders_queued: usize,
    pub offer_warnings_queued: usize,
    pub survey_invitations_queued: usize,
}

/// Runs every job once as of `now`. Tests call this directly with a chosen `now`.
pub async fn run_once(state: &Jobs, now: Timestamp) -> anyhow::Result<Round> {
    let round = round(state, now).await;
    state.metrics.job_run(round.is_ok());
    round
}

async fn round(state: &Jobs, now: Timestamp) -> anyhow::Result<Round> {
    let lotteries_drawn = waitlist::draw_due_lotteries(&state.store, &state.links, now).await?;
    let offers_expired = waitlist::expire_offers(&state.store, &state.links, now).await?;
    let withdrawals = crate::service::applicants::finish_withdrawals(&state.store, &state.links, now).await?;
    if lotteries_drawn > 0 || offers_expired > 0 || withdrawals > 0 {
        state.changes.changed();
    }
    let reminders_queued =
        scheduled::queue_session_reminders(&state.store, &state.links, state.config.reminder_hour, now).await?;
    let offer_warnings_queued = scheduled::queue_offer_warnings(&state.store, &state.links, now).await?;
    let survey_invitations_queued =
        crate::service::outcomes::queue_invitations(&state.store, &state.links, now).await?;
    let messages_delivered = delivery::deliver_pending(&state.store, &state.mailer, now, &|| {
        state.intake.busy_within(delivery::RUSH_WINDOW)
    })
    .await?;
    state.metrics.delivered(messages_delivered);
    let minor_records_erased =
        crate::service::nominations::erase_due(&state.store, state.config.minor_retention_months, "job:retention", now)
            .await?;
    let answers_erased = crate::service::questions::erase_due(&state.store, "job:retention", now).await?;
    crate::auth::limits::prune(&state.store, now).await?;
    let window = crate::domain::sign_in::WINDOW_MINUTES * 60;
    state.store.prune_sign_in_failures(now.as_second() - window).await?;
    Ok(Round {
        offers_expired,
        withdrawals,
        messages_delivered,
        lotteries_drawn,
        minor_records_erased,
        answers_erased,
        reminders_queued,
        offer_warnings_queued,
        survey_invitations_queued,
    })
}

/// Runs the jobs every `job_interval_secs` until the task is aborted.
pub async fn run_forever(state: Jobs) {
    let mut tick = tokio::time::interval(Duration::from_secs(state.config.job_interval_secs.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick fires at once; wait a full interval so start-up stays quick.
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = run_once(&state, Timestamp::now()).await {
            tracing::warn!(error = ?e, "background jobs failed; retrying next round");
        }
    }
}
