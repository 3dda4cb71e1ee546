//! Taking applications: the rules from `domain`, the writes from `store`, in one
//! transaction per batch (group commit).
//!
//! When registration opens, hundreds of people apply within minutes. Each application
//! must be durable before it is acknowledged (SQLite `synchronous=FULL`, PostgreSQL's
//! default commit), and a durable commit costs a disk flush. So concurrent applications
//! queue up here and one task writes them in batches: one transaction, one flush, many
//! applications. Each application runs under its own savepoint, so one failure never
//! undoes its batch-mates, and each sees the seats taken by those before it, so a class
//! is never oversold. On PostgreSQL the class row is locked (`FOR UPDATE`) for the batch,
//! which serializes allocation across several instances as well.
//!
//! Rejected: weakening `synchronous` (loses acknowledged applications on power loss);
//! an in-process mutex per class (does not hold across instances).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tokio::sync::{mpsc, oneshot};

use crate::domain::application::{self, ClassFacts};
use crate::domain::{Applicant, ApplicationId, ApplicationStatus, ClassId, RegistrationState, RuleFailure};
use crate::notify::messages;
use crate::store::applications::{Channel, ClassForAllocation};
use crate::store::{Store, StoreError, Tx};
use crate::tokens;

/// Most applications written in one transaction.
const MAX_BATCH: usize = 256;
/// How long the link in the "application received" email works.
const LINK_DAYS: i64 = 7;

/// One application to file.
#[derive(Debug, Clone)]
pub struct Request {
    pub class_id: ClassId,
    pub applicant: Applicant,
    pub channel: Channel,
    /// `api:<Idempotency-Key>` or `form:<token>`; a repeat returns the first answer.
    pub idempotency_key: Option<String>,
    /// Hash of what was submitted, to refuse a key reused for different content.
    pub fingerprint: String,
}

/// The answer to an accepted application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: ApplicationId,
    pub status: ApplicationStatus,
    pub waitlist_position: Option<i64>,
    /// True when this repeats the answer to an earlier identical request.
    pub replayed: bool,
}

/// Why an application was not filed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("no such class")]
    ClassNotFound,
    #[error("{0}")]
    NotOpen(String),
    #[error("the applicant does not meet the program's rules")]
    Ineligible(Vec<RuleFailure>),
    #[error("this person has already applied to this class")]
    AlreadyApplied,
    #[error("this idempotency key was already used for a different application")]
    KeyReused,
    #[error("the registration service is shutting down")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Result<Receipt, RegisterError>>,
}

/// Where links in emails point.
#[derive(Debug, Clone)]
pub struct Links {
    /// e.g. `https://programs.example.org`, without a trailing slash.
    pub base_url: String,
}

/// Handle to the batching writer; cheap to clone.
#[derive(Clone)]
pub struct Registrar {
    sender: mpsc::Sender<Job>,
}

impl Registrar {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store, links: Links) -> Registrar {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(run(store, links, receiver));
        Registrar { sender }
    }

    /// Files one application and waits until it is durable (or refused).
    pub async fn register(&self, request: Request) -> Result<Receipt, RegisterError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { request, reply })
            .await
            .map_err(|_| RegisterError::Unavailable)?;
        answer.await.map_err(|_| RegisterError::Unavailable)?
    }
}

async fn run(store: Store, links: Links, mut receiver: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        write_batch(&store, &links, jobs).await;
    }
}

/// Writes a batch in one transaction and answers every job once it committed.
async fn write_batch(store: &Store, links: &Links, jobs: Vec<Job>) {
    let now = Timestamp::now();
    let mut tx = match store.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot start an application batch");
            for job in jobs {
                let _ = job.reply.send(Err(RegisterError::Store(StoreError::Corrupt(
                    "the database is not accepting writes".into(),
                ))));
            }
            return;
        }
    };
    // Lock classes in id order so two instances' batches cannot deadlock.
    let mut class_ids: Vec<ClassId> = jobs.iter().map(|j| j.request.class_id).collect();
    class_ids.sort();
    class_ids.dedup();
    let mut classes: HashMap<ClassId, Option<ClassForAllocation>> = HashMap::new();
    let mut results = Vec::with_capacity(jobs.len());
    let mut lock_error = None;
    for id in class_ids {
        match tx.lock_class(id).await {
            Ok(c) => {
                classes.insert(id, c);
            }
            Err(e) => {
                lock_error = Some(e);
                break;
            }
        }
    }
    if let Some(e) = lock_error {
        tracing::error!(error = %e, "locking classes for a batch failed");
        for job in jobs {
            let _ = job
                .reply
                .send(Err(RegisterError::Store(StoreError::Corrupt(e.to_string()))));
        }
        return;
    }
    for job in &jobs {
        let class = classes.get(&job.request.class_id).and_then(Option::as_ref);
        let outcome = match tx.savepoint().await {
            Ok(()) => match file_one(&mut tx, class, &job.request, links, now).await {
                Ok(receipt) => tx.release_savepoint().await.map(|()| Ok(receipt)),
                Err(e) => tx.rollback_to_savepoint().await.map(|()| Err(e)),
            },
            Err(e) => Err(e),
        };
        match outcome {
            Ok(r) => results.push(r),
            Err(e) => {
                // The transaction itself is broken: nothing of this batch can commit.
                tracing::error!(error = %e, "application batch failed");
                for job in jobs {
                    let _ = job
                        .reply
                        .send(Err(RegisterError::Store(StoreError::Corrupt(e.to_string()))));
                }
                return;
            }
        }
    }
    if let Err(e) = tx.commit().await {
        tracing::error!(error = %e, "committing an application batch failed");
        for job in jobs {
            let _ = job
                .reply
                .send(Err(RegisterError::Store(StoreError::Corrupt(e.to_string()))));
        }
        return;
    }
    for (job, result) in jobs.into_iter().zip(results) {
        let _ = job.reply.send(result);
    }
}

/// Decides and writes one application inside the batch's transaction.
async fn file_one(
    tx: &mut Tx,
    class: Option<&ClassForAllocation>,
    r: &Request,
    links: &Links,
    now: Timestamp,
) -> Result<Receipt, RegisterError> {
    if let Some(key) = &r.idempotency_key
        && let Some((fingerprint, id)) = tx.idempotent_result(key).await?
    {
        if fingerprint != r.fingerprint {
            return Err(RegisterError::KeyReused);
        }
        let (status, waitlist_position) = tx.standing(id).await?.ok_or(RegisterError::ClassNotFound)?;
        return Ok(Receipt {
            id,
            status,
            waitlist_position,
            replayed: true,
        });
    }
    let class = class.ok_or(RegisterError::ClassNotFound)?;
    let tz = TimeZone::get(&class.time_zone).unwrap_or(TimeZone::UTC);
    let today = now.to_zoned(tz.clone()).date();

    let kind = crate::domain::ProgramKind::parse(&class.program_kind);
    if r.channel == Channel::Online && !kind.is_some_and(|k| k.open_to_public_applications()) {
        return Err(RegisterError::NotOpen(
            "This program does not take applications online; see the program page for how to join.".into(),
        ));
    }
    let state = RegistrationState::at(
        class.status,
        class.registration_opens_at,
        class.registration_closes_at,
        now,
    );
    if !state.is_open() {
        return Err(RegisterError::NotOpen(match state {
            RegistrationState::NotYetOpen { opens_at: Some(t) } => {
                format!(
                    "Registration for this class opens {}.",
                    crate::web::format::instant(t, &tz)
                )
            }
            RegistrationState::NotYetOpen { opens_at: None } => "Registration for this class is not open yet.".into(),
            _ => "Registration for this class is closed.".into(),
        }));
    }
    if let Some(until) = class.priority_until
        && !application::priority_round_allows(r.applicant.affiliation, &class.priority_affiliations, now < until)
    {
        return Err(RegisterError::NotOpen(format!(
            "Until {} this class is open only to people who {}; everyone may apply after that.",
            crate::web::format::instant(until, &tz),
            class
                .priority_affiliations
                .iter()
                .map(|a| a.label())
                .collect::<Vec<_>>()
                .join(" or "),
        )));
    }
    let facts = ClassFacts {
        eligibility: &class.eligibility,
        first_day: class.first_day,
        city: &class.department_city,
    };
    let failures = application::check_eligibility(&r.applicant, &facts, today);
    if !failures.is_empty() {
        return Err(RegisterError::Ineligible(failures));
    }
    let email_key = application::email_key(&r.applicant.email);
    let person_key = application::person_key(
        &r.applicant.first_name,
        &r.applicant.last_name,
        r.applicant.date_of_birth,
    );
    if tx.duplicate_of(class.id, &email_key, &person_key).await?.is_some() {
        return Err(RegisterError::AlreadyApplied);
    }
    let held = tx.seats_held(class.id).await?;
    let status = application::place(
        class.allocation,
        class.capacity_for(r.channel),
        held,
        class.eligibility.requires_review(),
    );
    let id = tx
        .insert_application(class.id, &r.applicant, status, r.channel, now)
        .await?;
    if let Some(key) = &r.idempotency_key {
        tx.remember_idempotency(key, &r.fingerprint, id, now).await?;
    }
    let waitlist_position = if status == ApplicationStatus::Waitlisted {
        tx.standing(id).await?.and_then(|(_, p)| p)
    } else {
        None
    };
    let token = tokens::generate();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * LINK_DAYS))
        .unwrap_or(now);
    tx.insert_access_link(&tokens::hash(&token), &email_key, expires, now)
        .await?;
    let ctx = messages::Context {
        department: &class.department_name,
        program: &class.program_name,
        class: &class.name,
        time_zone: &class.time_zone,
    };
    let link = format!("{}/my/link/{token}", links.base_url);
    let message = messages::application_received(
        &ctx,
        &r.applicant.email,
        &r.applicant.first_name,
        status,
        waitlist_position,
        &link,
    );
    tx.enqueue(&message, now).await?;
    Ok(Receipt {
        id,
        status,
        waitlist_position,
        replayed: false,
    })
}

/// Why an applicant's action on their application was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Not theirs, or no such application: the same answer, so ids cannot be probed.
    #[error("application not found")]
    NotFound,
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an applicant can do to their application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Withdraw,
    AcceptOffer,
    DeclineOffer,
}

/// Carries out an applicant's action on one of their own applications, passing a freed
/// seat to the waitlist in the same transaction.
pub async fn act(
    store: &Store,
    links: &Links,
    email_key: &str,
    id: ApplicationId,
    action: Action,
    now: Timestamp,
) -> Result<ApplicationStatus, ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    let class = tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    let current = app.status.0;
    let offer_open = current == ApplicationStatus::Offered && app.offer_expires_at.is_some_and(|t| t > now.as_second());
    let (from, to): (&[ApplicationStatus], ApplicationStatus) = match action {
        Action::Withdraw if current.can_withdraw() => (&[current], ApplicationStatus::Withdrawn),
        Action::Withdraw => return Err(ActionError::NotAllowed("This application can no longer be withdrawn.")),
        Action::AcceptOffer if offer_open => {
            let to = if class.eligibility.requires_review() {
                ApplicationStatus::PendingReview
            } else {
                ApplicationStatus::Confirmed
            };
            (&[ApplicationStatus::Offered], to)
        }
        Action::DeclineOffer if offer_open => (&[ApplicationStatus::Offered], ApplicationStatus::Declined),
        Action::AcceptOffer | Action::DeclineOffer => {
            return Err(ActionError::NotAllowed(
                "There is no open seat offer on this application.",
            ));
        }
    };
    if !tx.set_status(id, from, to, now).await? {
        return Err(ActionError::NotAllowed(
            "This application changed in the meantime; reload the page.",
        ));
    }
    let ctx = messages::Context {
        department: &class.department_name,
        program: &class.program_name,
        class: &class.name,
        time_zone: &class.time_zone,
    };
    if to == ApplicationStatus::Withdrawn {
        tx.enqueue(&messages::withdrawn(&ctx, &app.email, &app.first_name), now)
            .await?;
    }
    if current.holds_seat() && !to.holds_seat() {
        offer_freed_seats(&mut tx, &class, links, now).await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// Offers a class's free seats to its waitlist and emails each person offered a seat.
async fn offer_freed_seats(
    tx: &mut Tx,
    class: &ClassForAllocation,
    links: &Links,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let promoted = tx.promote_waitlist(class, now).await?;
    let ctx = messages::Context {
        department: &class.department_name,
        program: &class.program_name,
        class: &class.name,
        time_zone: &class.time_zone,
    };
    for p in &promoted {
        let token = tokens::generate();
        tx.insert_access_link(
            &tokens::hash(&token),
            &application::email_key(&p.email),
            p.expires_at,
            now,
        )
        .await?;
        let link = format!("{}/my/link/{token}", links.base_url);
        tx.enqueue(
            &messages::seat_offered(&ctx, &p.email, &p.first_name, p.expires_at, &link),
            now,
        )
        .await?;
    }
    Ok(promoted.len())
}

/// Expires offers that ran out by `now` and passes their seats on. Safe on several
/// instances: each class is handled under its row lock, and the expiry UPDATE re-checks
/// the offer's state, so a second instance finds nothing left to do.
pub async fn expire_offers(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    let mut expired = 0;
    for class_id in store.classes_with_expired_offers(now).await? {
        let mut tx = store.begin().await?;
        let Some(class) = tx.lock_class(class_id).await? else {
            continue;
        };
        let gone = tx.expire_offers_of(class_id, now).await?;
        let ctx = messages::Context {
            department: &class.department_name,
            program: &class.program_name,
            class: &class.name,
            time_zone: &class.time_zone,
        };
        for a in &gone {
            tx.enqueue(&messages::offer_expired(&ctx, &a.email, &a.first_name), now)
                .await?;
        }
        offer_freed_seats(&mut tx, &class, links, now).await?;
        tx.commit().await?;
        expired += gone.len();
    }
    Ok(expired)
}

/// Emails a fresh sign-in link if applications exist under `email`. Says nothing either
/// way to the caller, so the form cannot be used to learn who applied.
pub async fn send_access_link(
    store: &Store,
    links: &Links,
    department: &str,
    email: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let key = application::email_key(email);
    let mut tx = store.begin().await?;
    if tx.has_applications(&key).await? {
        let token = tokens::generate();
        let expires = now.checked_add(jiff::SignedDuration::from_hours(24)).unwrap_or(now);
        tx.insert_access_link(&tokens::hash(&token), &key, expires, now).await?;
        let link = format!("{}/my/link/{token}", links.base_url);
        tx.enqueue(&messages::access_link(department, email.trim(), &link), now)
            .await?;
    }
    tx.commit().await
}

/// How long an applicant stays signed in after using a link.
pub const SESSION_DAYS: i64 = 14;

/// Uses a sign-in link: on success returns a new session id (to set as a cookie).
pub async fn open_session(store: &Store, token: &str, now: Timestamp) -> Result<Option<String>, StoreError> {
    let mut tx = store.begin().await?;
    let Some(email_key) = tx.consume_access_link(&tokens::hash(token), now).await? else {
        return Ok(None);
    };
    let session = tokens::generate();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * SESSION_DAYS))
        .unwrap_or(now);
    tx.insert_applicant_session(&tokens::hash(&session), &email_key, expires, now)
        .await?;
    tx.commit().await?;
    Ok(Some(session))
}

/// Commits new lottery classes to a seed and draws the lotteries whose registration
/// closed. Safe on several instances: the draw is claimed by a conditional UPDATE that
/// succeeds once.
pub async fn draw_due_lotteries(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    for class_id in store.lottery_classes_without_seed().await? {
        let seed = tokens::random_bytes();
        let mut tx = store.begin().await?;
        tx.set_lottery_seed(class_id, &hex::encode(seed), &crate::domain::lottery::seed_hash(&seed))
            .await?;
        tx.commit().await?;
    }
    let mut drawn = 0;
    for class_id in store.lotteries_due(now).await? {
        let mut tx = store.begin().await?;
        let Some(class) = tx.lock_class(class_id).await? else {
            continue;
        };
        let Some(seed_hex) = tx.claim_draw(class_id, now).await? else {
            continue;
        };
        let seed = crate::domain::lottery::parse_seed(&seed_hex)
            .ok_or_else(|| StoreError::Corrupt(format!("class {class_id}: lottery seed")))?;
        let order = crate::domain::lottery::draw(&seed, &tx.entered_ids(class_id).await?);
        let free = (class.capacity_for(Channel::Online) - tx.seats_held(class_id).await?).max(0);
        let seated = if class.eligibility.requires_review() {
            ApplicationStatus::PendingReview
        } else {
            ApplicationStatus::Confirmed
        };
        let ctx = messages::Context {
            department: &class.department_name,
            program: &class.program_name,
            class: &class.name,
            time_zone: &class.time_zone,
        };
        for (i, id) in order.iter().enumerate() {
            let rank = i as i64 + 1;
            let (status, position) = if rank <= free {
                (seated, None)
            } else {
                (ApplicationStatus::Waitlisted, Some(rank - free))
            };
            let (email, first_name) = tx.place_drawn(*id, status, rank, now).await?;
            let token = tokens::generate();
            let expires = now
                .checked_add(jiff::SignedDuration::from_hours(24 * LINK_DAYS))
                .unwrap_or(now);
            tx.insert_access_link(&tokens::hash(&token), &application::email_key(&email), expires, now)
                .await?;
            let link = format!("{}/my/link/{token}", links.base_url);
            tx.enqueue(
                &messages::lottery_result(&ctx, &email, &first_name, status, position, &link),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        drawn += 1;
    }
    Ok(drawn)
}
