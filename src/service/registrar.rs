//! Taking applications: the rules from `domain`, the writes from `store`, in one
//! transaction per batch (group commit).
//!
//! When registration opens, hundreds of people apply within minutes. Each application
//! must be durable before it is acknowledged (SQLite `synchronous=FULL`, PostgreSQL's
//! default commit), and a durable commit costs a disk flush. So concurrent applications
//! queue up here and one task writes them in batches: one transaction, one flush, many
//! applications. Each sees the seats taken by those before it, so a class is never
//! oversold; refusals are decided before any write, so they never disturb batch-mates. On PostgreSQL the class row is locked (`FOR UPDATE`) for the batch,
//! which serializes allocation across several instances as well.
//!
//! Rejected: weakening `synchronous` (loses acknowledged applications on power loss);
//! an in-process mutex per class (does not hold across instances).

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tokio::sync::{mpsc, oneshot};

use crate::auth::tokens;
use crate::domain::application::{self, ClassFacts};
use crate::domain::mail::LinkKind;
use crate::domain::{Applicant, ApplicationId, ApplicationStatus, ClassId, RegistrationState, RuleFailure};
use crate::notify::{Links, messages};
use crate::store::applications::{Channel, ClassForAllocation, PlacedApplication};
use crate::store::outbox::OutgoingMessage;
use crate::store::outbox::SecretLink;
use crate::store::{Store, StoreError, Tx};

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
    /// Checked answers to the program's own questions, stored with the application.
    pub answers: Vec<crate::domain::questions::Answer>,
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

/// A class as the batch sees it: its facts, and counts kept up to date in memory as
/// the batch places applications (the class is locked, so nobody else changes them).
struct ClassBatch {
    class: ClassForAllocation,
    held: i64,
    waitlisted: i64,
    last_rank: i64,
}

/// Where one job of a batch stands while the batch is worked out.
enum Slot {
    /// Answered without a write (refused, or replayed from an earlier request).
    Done(Result<Receipt, RegisterError>),
    /// Passed every rule; waits for the duplicate check.
    Candidate,
    /// Placed: will be stored at this rank; the id is known after the insert.
    Placed {
        status: ApplicationStatus,
        rank: i64,
        waitlist_position: Option<i64>,
    },
    /// A retry of an earlier job in the same batch (same idempotency key).
    SameAs(usize),
}

/// Writes a batch in one transaction and answers every job once it committed.
///
/// Every rule is decided before anything is written, and duplicates are found with one
/// query per class, so refusals never leave partial writes and the accepted applications
/// of a class go in with one multi-row INSERT. A database error fails the whole batch:
/// nothing is acknowledged that is not durable, and the callers may retry.
async fn write_batch(store: &Store, links: &Links, jobs: Vec<Job>) {
    let now = Timestamp::now();
    match try_batch(store, links, &jobs, now).await {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, batch = jobs.len(), "an application batch failed; nothing of it was saved");
            for job in jobs {
                let _ = job.reply.send(Err(RegisterError::Unavailable));
            }
        }
    }
}

async fn try_batch(
    store: &Store,
    links: &Links,
    jobs: &[Job],
    now: Timestamp,
) -> Result<Vec<Result<Receipt, RegisterError>>, StoreError> {
    let mut tx = store.begin().await?;
    // Lock classes in id order so two instances' batches cannot deadlock.
    let mut class_ids: Vec<ClassId> = jobs.iter().map(|j| j.request.class_id).collect();
    class_ids.sort();
    class_ids.dedup();
    let mut classes: HashMap<ClassId, ClassBatch> = HashMap::new();
    for id in class_ids {
        if let Some(class) = tx.lock_class(id).await? {
            let (held, waitlisted, last_rank) = tx.allocation_counts(id).await?;
            classes.insert(
                id,
                ClassBatch {
                    class,
                    held,
                    waitlisted,
                    last_rank,
                },
            );
        }
    }

    // 1. Replays and rules, in arrival order.
    let mut slots = Vec::with_capacity(jobs.len());
    let mut keys_seen: HashMap<&str, (usize, &str)> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let r = &job.request;
        if let Some(key) = r.idempotency_key.as_deref() {
            if let Some(&(first, fingerprint)) = keys_seen.get(key) {
                slots.push(if fingerprint == r.fingerprint {
                    Slot::SameAs(first)
                } else {
                    Slot::Done(Err(RegisterError::KeyReused))
                });
                continue;
            }
            keys_seen.insert(key, (i, &r.fingerprint));
            if let Some((fingerprint, id)) = tx.idempotent_result(key).await? {
                let answer = if fingerprint != r.fingerprint {
                    Err(RegisterError::KeyReused)
                } else {
                    match tx.standing(id).await? {
                        Some((status, waitlist_position)) => Ok(Receipt {
                            id,
                            status,
                            waitlist_position,
                            replayed: true,
                        }),
                        None => Err(RegisterError::ClassNotFound),
                    }
                };
                slots.push(Slot::Done(answer));
                continue;
            }
        }
        slots.push(match classes.get(&r.class_id) {
            None => Slot::Done(Err(RegisterError::ClassNotFound)),
            Some(batch) => match check(&batch.class, r, now) {
                Ok(()) => Slot::Candidate,
                Err(refusal) => Slot::Done(Err(refusal)),
            },
        });
    }

    // 2. People who already applied, one query per class.
    let mut taken: HashMap<ClassId, (HashSet<String>, HashSet<String>)> = HashMap::new();
    for class_id in classes.keys() {
        let (emails, people): (Vec<String>, Vec<String>) = jobs
            .iter()
            .zip(&slots)
            .filter(|(j, s)| matches!(s, Slot::Candidate) && j.request.class_id == *class_id)
            .map(|(j, _)| keys_of(&j.request.applicant))
            .unzip();
        let existing = tx.existing_people(*class_id, &emails, &people).await?;
        taken.insert(*class_id, existing.into_iter().unzip());
    }

    // 3. Placement in arrival order; the same person twice in one batch is caught too.
    for (job, slot) in jobs.iter().zip(slots.iter_mut()) {
        if !matches!(slot, Slot::Candidate) {
            continue;
        }
        let r = &job.request;
        let (Some(batch), Some((emails, people))) = (classes.get_mut(&r.class_id), taken.get_mut(&r.class_id)) else {
            continue;
        };
        let (email_key, person_key) = keys_of(&r.applicant);
        if emails.contains(&email_key) || people.contains(&person_key) {
            *slot = Slot::Done(Err(RegisterError::AlreadyApplied));
            continue;
        }
        emails.insert(email_key);
        people.insert(person_key);
        let class = &batch.class;
        let status = application::place(
            class.allocation,
            class.capacity_for(r.channel),
            batch.held,
            class.eligibility.requires_review(),
        );
        batch.last_rank += 1;
        if status.holds_seat() {
            batch.held += 1;
        }
        let waitlist_position = (status == ApplicationStatus::Waitlisted).then(|| {
            batch.waitlisted += 1;
            batch.waitlisted
        });
        *slot = Slot::Placed {
            status,
            rank: batch.last_rank,
            waitlist_position,
        };
    }

    // 4. Write: applications, idempotency keys, sign-in links, messages.
    let placed: Vec<PlacedApplication<'_>> = jobs
        .iter()
        .zip(&slots)
        .filter_map(|(j, s)| match s {
            Slot::Placed { status, rank, .. } => Some(PlacedApplication {
                class_id: j.request.class_id,
                applicant: &j.request.applicant,
                status: *status,
                channel: j.request.channel,
                rank: *rank,
            }),
            _ => None,
        })
        .collect();
    let ids: HashMap<(ClassId, i64), ApplicationId> = tx
        .insert_placed(&placed, now)
        .await?
        .into_iter()
        .map(|(c, rank, id)| ((c, rank), id))
        .collect();
    // Answers go in the same transaction: an application is never stored without them.
    for (job, slot) in jobs.iter().zip(&slots) {
        if let Slot::Placed { rank, .. } = slot
            && !job.request.answers.is_empty()
            && let Some(id) = ids.get(&(job.request.class_id, *rank))
        {
            tx.insert_answers(*id, &job.request.answers, now).await?;
        }
    }
    let mut results: Vec<Result<Receipt, RegisterError>> = Vec::with_capacity(jobs.len());
    let mut remembered = Vec::new();
    let mut new_links = Vec::new();
    let mut messages_out = Vec::new();
    let mut waiting: BTreeSet<ClassId> = BTreeSet::new();
    for (job, slot) in jobs.iter().zip(slots) {
        let r = &job.request;
        let result = match slot {
            Slot::Done(answer) => answer,
            Slot::Candidate => Err(RegisterError::ClassNotFound),
            Slot::SameAs(first) => match &results[first] {
                Ok(receipt) => Ok(Receipt {
                    replayed: true,
                    ..receipt.clone()
                }),
                Err(_) => Err(RegisterError::Unavailable),
            },
            Slot::Placed {
                status,
                rank,
                waitlist_position,
            } => {
                let id = *ids.get(&(r.class_id, rank)).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "class {}: inserted rank {rank} came back without an id",
                        r.class_id
                    ))
                })?;
                if let Some(key) = &r.idempotency_key {
                    remembered.push((key.clone(), r.fingerprint.clone(), id));
                }
                let class = &classes[&r.class_id].class;
                let token = tokens::generate();
                let expires = now
                    .checked_add(jiff::SignedDuration::from_hours(24 * LINK_DAYS))
                    .unwrap_or(now);
                new_links.push((
                    tokens::hash(&token),
                    application::email_key(&r.applicant.email),
                    expires,
                ));
                let ctx = context(class);
                let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
                if status == ApplicationStatus::PendingReview {
                    waiting.insert(r.class_id);
                }
                messages_out.push(messages::application_received(
                    &ctx,
                    &r.applicant.email,
                    &r.applicant.first_name,
                    status,
                    waitlist_position,
                    link,
                ));
                Ok(Receipt {
                    id,
                    status,
                    waitlist_position,
                    replayed: false,
                })
            }
        };
        results.push(result);
    }
    // Reviewers hear of waiting applications once per class and local day, not once per
    // application: a registration rush must not bury them in mail.
    if !waiting.is_empty() {
        let reviewers = tx.staff_emails_with(crate::domain::access::Permission::Review).await?;
        for class_id in &waiting {
            let class = &classes[class_id].class;
            let tz = jiff::tz::TimeZone::get(&class.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let day = now.to_zoned(tz).date();
            let link = format!("{}/staff/review", links.base_url);
            for to in &reviewers {
                messages_out.push(OutgoingMessage {
                    dedupe_key: Some(format!("review-needed:{class_id}:{day}:{}", to.to_lowercase())),
                    ..messages::needs_review(&context(class), to, &link)
                });
            }
        }
    }
    tx.remember_idempotency_many(&remembered, now).await?;
    tx.insert_access_links(&new_links, now).await?;
    tx.enqueue_many(&messages_out, now).await?;
    tx.commit().await?;
    Ok(results)
}

/// The facts every applicant message about `class` needs.
fn context(class: &ClassForAllocation) -> messages::Context<'_> {
    messages::Context {
        department: &class.department_name,
        program: &class.program_name,
        class: &class.name,
        time_zone: &class.time_zone,
    }
}

/// The comparison keys of an applicant: email, and name with birth date.
fn keys_of(a: &Applicant) -> (String, String) {
    (
        application::email_key(&a.email),
        application::person_key(&a.first_name, &a.last_name, a.date_of_birth),
    )
}

/// The rules that decide whether an application may be filed at all: online channel,
/// registration window, priority round, eligibility.
fn check(class: &ClassForAllocation, r: &Request, now: Timestamp) -> Result<(), RegisterError> {
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
                format!("Registration for this class opens {}.", crate::format::instant(t, &tz))
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
            crate::format::instant(until, &tz),
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
        service_area: &class.service_area,
    };
    let failures = application::check_eligibility(&r.applicant, &facts, today);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(RegisterError::Ineligible(failures))
    }
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
    if to == ApplicationStatus::Withdrawn {
        // A ride-along seat is freed with the class seat.
        tx.delete_booking(id).await?;
    }
    let ctx = context(&class);
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
    let ctx = context(class);
    for p in &promoted {
        let token = tokens::generate();
        tx.insert_access_link(
            &tokens::hash(&token),
            &application::email_key(&p.email),
            p.expires_at,
            now,
        )
        .await?;
        let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(p.expires_at));
        tx.enqueue(
            &messages::seat_offered(&ctx, &p.email, &p.first_name, p.expires_at, link),
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
        let ctx = context(&class);
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
        let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
        tx.enqueue(&messages::access_link(department, email.trim(), link), now)
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
        let ctx = context(&class);
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
            let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
            tx.enqueue(
                &messages::lottery_result(&ctx, &email, &first_name, status, position, link),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        drawn += 1;
    }
    Ok(drawn)
}

/// Moves a class along its life (announce, open or close registration), tells the
/// program's interest list when a class is announced or opens, and records the change in
/// the audit log, all in one transaction.
pub async fn set_class_status(
    store: &Store,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    to: crate::domain::ClassStatus,
    now: Timestamp,
) -> Result<usize, ActionError> {
    use crate::domain::ClassStatus;
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(ActionError::NotFound)?;
    if !matches!(
        to,
        ClassStatus::Announced | ClassStatus::Open | ClassStatus::Closed | ClassStatus::InProgress
    ) || !class.status.can_become(to)
    {
        return Err(ActionError::NotAllowed(
            "The class cannot move to that status from where it is.",
        ));
    }
    if matches!(to, ClassStatus::Announced | ClassStatus::Open) {
        crate::domain::class::ready_to_publish(class.allocation, class.registration_closes_at)
            .map_err(ActionError::NotAllowed)?;
    }
    if !tx.move_class(class_id, class.status, to, now).await? {
        return Err(ActionError::NotAllowed("The class changed in the meantime."));
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "class.status",
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": to.code() })),
        },
        now,
    )
    .await?;
    let mut told = 0;
    if matches!(to, ClassStatus::Announced | ClassStatus::Open) {
        let ctx = context(&class);
        let subscribers = tx.subscribers_of_class(class_id).await?;
        let class_link = format!("{}/classes/{class_id}", links.base_url);
        for s in &subscribers {
            let unsubscribe = format!("{}/interest/unsubscribe/{}", links.base_url, s.unsubscribe_token);
            let message = messages::class_news(&ctx, &s.email, to == ClassStatus::Open, &class_link, &unsubscribe);
            tx.enqueue(&message, now).await?;
        }
        told = subscribers.len();
    }
    tx.commit().await?;
    Ok(told)
}

/// Corrects an applicant's contact details on one of their own applications, until the
/// class's correction deadline.
pub async fn correct(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    correction: &application::ContactCorrection,
    now: Timestamp,
) -> Result<(), ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    let class = tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    if !application::corrections_open(class.corrections_until, class.first_session_at, now) {
        return Err(ActionError::NotAllowed(
            "The deadline for corrections has passed; contact us instead.",
        ));
    }
    if !app.status.0.can_withdraw() {
        return Err(ActionError::NotAllowed("This application can no longer be changed."));
    }
    tx.correct_contact(id, correction, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Why a capacity change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    #[error("class not found")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] crate::domain::CapacityRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes a class's capacity; seats it frees go to the waitlist as offers at once.
/// Returns how many were offered.
pub async fn change_capacity(
    store: &Store,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    capacity: i64,
    now: Timestamp,
) -> Result<usize, CapacityError> {
    let mut tx = store.begin().await?;
    let offered = change_capacity_in(&mut tx, links, actor, class_id, capacity, now).await?;
    tx.commit().await?;
    Ok(offered)
}

/// [`change_capacity`] inside the caller's transaction, so a refusal also undoes the
/// caller's other changes (the API's PATCH changes details and capacity together).
pub async fn change_capacity_in(
    tx: &mut Tx,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    capacity: i64,
    now: Timestamp,
) -> Result<usize, CapacityError> {
    use crate::domain::{CapacityChange, CapacityRefusal, class::capacity_change};
    // The lock keeps registrations, offers and reviews out until commit, so the seats
    // counted here are still the seats held when the new capacity becomes visible.
    let mut class = tx.lock_class(class_id).await?.ok_or(CapacityError::NotFound)?;
    let held = tx.seats_held(class_id).await?;
    let CapacityChange::To(capacity) = capacity_change(class.status, class.capacity, held, capacity)? else {
        return Ok(0);
    };
    if !tx.set_capacity(class_id, capacity, now).await? {
        let held = tx.seats_held(class_id).await?;
        return Err(CapacityRefusal::BelowHeld { held }.into());
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "class.capacity",
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "capacity": class.capacity })),
            after: Some(serde_json::json!({ "capacity": capacity })),
        },
        now,
    )
    .await?;
    class.capacity = capacity;
    Ok(offer_freed_seats(tx, &class, links, now).await?)
}

/// Records a reviewer's decision on a pending application: approval confirms the seat
/// (once any required background check is cleared); denial frees the seat for the
/// waitlist. The applicant is told either way, and the change is audited.
pub async fn decide(
    store: &Store,
    links: &Links,
    actor: &str,
    id: ApplicationId,
    decision: &application::Decision,
    now: Timestamp,
) -> Result<ApplicationStatus, ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    let class = tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    if app.status.0 != ApplicationStatus::PendingReview {
        return Err(ActionError::NotAllowed(
            "Only applications waiting for review can be decided.",
        ));
    }
    let (to, reason) = match decision {
        application::Decision::Approve => {
            let check = tx
                .background_check(id)
                .await?
                .and_then(|c| application::BackgroundCheck::parse(&c));
            application::may_approve(
                class.eligibility.background_check,
                check.unwrap_or(application::BackgroundCheck::NotStarted),
            )
            .map_err(ActionError::NotAllowed)?;
            let screening = tx.screening(app.class_id).await?;
            let entries = tx.screening_state(id).await?;
            if !screening.unfinished(&entries).is_empty() {
                return Err(ActionError::NotAllowed(
                    "Every screening stage must be passed before the application is approved.",
                ));
            }
            (ApplicationStatus::Confirmed, None)
        }
        application::Decision::Deny { reason } => (ApplicationStatus::Denied, Some(reason.as_str())),
    };
    if !tx.set_status(id, &[ApplicationStatus::PendingReview], to, now).await? {
        return Err(ActionError::NotAllowed(
            "This application changed in the meantime; reload the page.",
        ));
    }
    tx.record_decision(id, reason, actor, now).await?;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "application.decide",
            object_type: "application",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "status": "pending_review" })),
            after: Some(serde_json::json!({ "status": to.code(), "reason": reason })),
        },
        now,
    )
    .await?;
    let ctx = context(&class);
    tx.enqueue(
        &messages::review_decision(
            &ctx,
            &app.email,
            &app.first_name,
            to == ApplicationStatus::Confirmed,
            reason,
        ),
        now,
    )
    .await?;
    if to == ApplicationStatus::Denied {
        offer_freed_seats(&mut tx, &class, links, now).await?;
    }
    tx.commit().await?;
    Ok(to)
}

/// Cancels one session and tells everyone still involved in the class, in one transaction.
pub async fn cancel_session(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    session_id: crate::domain::SessionId,
    describe: &str,
    now: Timestamp,
) -> Result<usize, ActionError> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(ActionError::NotFound)?;
    if !tx.cancel_session(class_id, session_id).await? {
        return Err(ActionError::NotAllowed(
            "That session is not part of this class or is already cancelled.",
        ));
    }
    let ctx = context(&class);
    let people: Vec<(String, String)> = tx.active_applicants(class_id).await?.into_iter().collect();
    let mut told = 0;
    for (email, first_name) in &people {
        tx.enqueue(&messages::session_cancelled(&ctx, email, first_name, describe), now)
            .await?;
        told += 1;
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "session.cancel",
            object_type: "session",
            object_id: session_id.to_string(),
            before: Some(serde_json::json!({ "cancelled": false })),
            after: Some(serde_json::json!({ "cancelled": true, "notified": told })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}

/// Cancels a class and tells everyone still involved (seats, waitlist, lottery).
pub async fn cancel_class(store: &Store, actor: &str, class_id: ClassId, now: Timestamp) -> Result<usize, ActionError> {
    use crate::domain::ClassStatus;
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(ActionError::NotFound)?;
    if !class.status.can_become(ClassStatus::Cancelled) {
        return Err(ActionError::NotAllowed(
            "A completed or cancelled class cannot be cancelled.",
        ));
    }
    tx.move_class(class_id, class.status, ClassStatus::Cancelled, now)
        .await?;
    let ctx = context(&class);
    let people = tx.active_applicants(class_id).await?;
    for (email, first_name) in &people {
        tx.enqueue(&messages::class_cancelled(&ctx, email, first_name), now)
            .await?;
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "class.cancel",
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": "cancelled", "notified": people.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(people.len())
}

/// Moves a waitlisted application to another place on its class's waitlist, recording
/// who moved whom, from where to where, and why.
pub async fn move_on_waitlist(
    store: &Store,
    actor: &str,
    id: ApplicationId,
    position: usize,
    reason: &str,
    now: Timestamp,
) -> Result<usize, ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    let current = tx.waitlist_ranks(app.class_id).await?;
    let ids: Vec<ApplicationId> = current.iter().map(|(i, _)| *i).collect();
    let from = ids
        .iter()
        .position(|i| *i == id)
        .ok_or(ActionError::NotAllowed("Only waitlisted applications can be moved."))?;
    let order = application::move_in_queue(&ids, id, position).ok_or(ActionError::NotFound)?;
    // Reuse the same rank values in the new order, so other classes' ranks are untouched.
    let ranks: Vec<i64> = current.iter().map(|(_, r)| *r).collect();
    for (new_id, rank) in order.iter().zip(&ranks) {
        tx.set_queue_rank(*new_id, *rank, now).await?;
    }
    let to = order.iter().position(|i| *i == id).unwrap_or(from) + 1;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "waitlist.move",
            object_type: "application",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "position": from + 1 })),
            after: Some(serde_json::json!({ "position": to, "reason": reason })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// Which applicants a bulk message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Confirmed participants (and graduates).
    Participants,
    /// People on the waitlist.
    Waitlist,
    /// Everyone still involved.
    Everyone,
}

impl Audience {
    fn statuses(self) -> &'static [&'static str] {
        match self {
            Audience::Participants => &["confirmed", "completed"],
            Audience::Waitlist => &["waitlisted"],
            Audience::Everyone => &["entered", "pending_review", "confirmed", "waitlisted", "offered"],
        }
    }
}

/// Queues one message per recipient of a class's filtered roster, through the outbox.
pub async fn email_roster(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    audience: Audience,
    subject: &str,
    body: &str,
    now: Timestamp,
) -> Result<usize, ActionError> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(ActionError::NotFound)?;
    let recipients = tx.recipients(class_id, audience.statuses()).await?;
    let messages: Vec<crate::store::outbox::OutgoingMessage> = recipients
        .iter()
        .map(|(email, first_name)| crate::store::outbox::OutgoingMessage {
            kind: "class_message",
            recipient: email.clone(),
            subject: format!("{} ({}: {})", subject, class.program_name, class.name),
            body_text: format!("Hello {first_name},\n\n{body}\n\n{}\n", class.department_name),
            ..Default::default()
        })
        .collect();
    tx.enqueue_many(&messages, now).await?;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "class.email",
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "audience": format!("{audience:?}"), "subject": subject, "recipients": messages.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(messages.len())
}

/// Books a ride-along slot for a confirmed participant, never more riders than seats:
/// the slot row is locked while its bookings are counted. The participant gets an email.
pub async fn book_ride_along(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    slot_id: i64,
    now: Timestamp,
) -> Result<(), ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    // Class before slot, the order every transaction takes them in.
    let class = tx.lock_class(app.class_id).await?.ok_or(ActionError::NotFound)?;
    let slot = tx.lock_slot(slot_id).await?.ok_or(ActionError::NotFound)?;
    if slot.class_id != app.class_id {
        return Err(ActionError::NotFound);
    }
    let facts = crate::domain::ride_along::BookingFacts {
        participant: app.status.0 == ApplicationStatus::Confirmed,
        ride_along_done: tx.ride_along_done(id).await?,
        has_booking: tx.booking_of(id).await?.is_some(),
        slot_starts_at: Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        seats: slot.seats,
        booked: slot.booked,
    };
    crate::domain::ride_along::may_book(&facts, now).map_err(|r| ActionError::NotAllowed(r.message()))?;
    tx.insert_booking(slot_id, id, now).await?;
    tx.enqueue(
        &messages::ride_along_booked(
            &context(&class),
            &app.email,
            &app.first_name,
            facts.slot_starts_at,
            &slot.shift,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a participant's ride-along booking while the slot is still open.
pub async fn cancel_ride_along(
    store: &Store,
    email_key: &str,
    id: ApplicationId,
    now: Timestamp,
) -> Result<(), ActionError> {
    let mut tx = store.begin().await?;
    let app = tx.application(id).await?.ok_or(ActionError::NotFound)?;
    if application::email_key(&app.email) != email_key {
        return Err(ActionError::NotFound);
    }
    let slot_id = tx
        .booking_of(id)
        .await?
        .ok_or(ActionError::NotAllowed("You have no ride-along booked."))?;
    let slot = tx.lock_slot(slot_id).await?.ok_or(ActionError::NotFound)?;
    let starts_at = Timestamp::from_second(slot.starts_at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !crate::domain::ride_along::open(starts_at, now) {
        return Err(ActionError::NotAllowed(
            "The shift starts within 24 hours; call the department to change it.",
        ));
    }
    tx.delete_booking(id).await?;
    tx.commit().await?;
    Ok(())
}

/// A session as a coordinator edits it.
pub struct SessionEdit<'a> {
    pub topic: &'a str,
    pub description: &'a str,
    pub at: &'a crate::domain::Occurrence,
    pub place: &'a str,
    /// Units presenting, each with the officer where one is named.
    pub presenters: &'a [(crate::domain::UnitId, Option<crate::domain::StaffId>)],
    /// When the date, time or place changed: how it was and how it is, for the people told.
    pub moved: Option<(&'a str, &'a str)>,
}

/// Changes a session and its presenters. When the date, time or place changed
/// (`edit.moved`), everyone still involved in the class is told, in the same
/// transaction. Returns how many were told.
pub async fn edit_session(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    session_id: crate::domain::SessionId,
    edit: &SessionEdit<'_>,
    before: serde_json::Value,
    now: Timestamp,
) -> Result<usize, ActionError> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(ActionError::NotFound)?;
    tx.update_session(session_id, edit.topic, edit.description, edit.at, edit.place)
        .await?;
    tx.clear_presenters(session_id).await?;
    for (unit, staff) in edit.presenters {
        tx.add_presenter(session_id, *unit, *staff).await?;
    }
    let mut told = 0;
    if let Some((was, is)) = edit.moved {
        let ctx = context(&class);
        for (email, first_name) in tx.active_applicants(class_id).await? {
            tx.enqueue(&messages::session_changed(&ctx, &email, &first_name, was, is), now)
                .await?;
            told += 1;
        }
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: "session.update",
            object_type: "session",
            object_id: session_id.to_string(),
            before: Some(before),
            after: Some(serde_json::json!({
                "topic": edit.topic,
                "date": edit.at.date.to_string(),
                "start": edit.at.start.time().to_string(),
                "end": edit.at.end.time().to_string(),
                "place": edit.place,
                "presenters": edit.presenters,
                "notified": told,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}
