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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tokio::sync::{mpsc, oneshot};

use super::Error;
use super::changes::PublicChanges;
use crate::auth::tokens;
use crate::domain::application::{self, ClassFacts};
use crate::domain::mail::LinkKind;
use crate::domain::{Applicant, ApplicationId, ApplicationStatus, ClassId, RegistrationState, RuleFailure};
use crate::notify::{Links, messages};
use crate::store::applications::{Channel, ClassForAllocation};
use crate::store::batch::{BatchWrite, PlacedApplication};
use crate::store::outbox::OutgoingMessage;
use crate::store::outbox::SecretLink;
use crate::store::{Backend, Store, StoreError};

/// Most applications written in one transaction.
const MAX_BATCH: usize = 256;

/// How long the link in the "application received" email works.
pub(crate) const LINK_DAYS: i64 = 7;

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

/// The name of the refusal when the applicant has applied to this class before.
pub const ALREADY_APPLIED: &str = "already-applied";
/// The name of the refusal when the class is not taking this application now.
pub const REGISTRATION_CLOSED: &str = "registration-closed";
/// The name of the refusal when an idempotency key comes back with different content.
pub const KEY_REUSED: &str = "idempotency-key-reused";

fn not_open(why: String) -> Error {
    Error::Conflict {
        kind: REGISTRATION_CLOSED,
        why,
    }
}

fn already_applied() -> Error {
    Error::Conflict {
        kind: ALREADY_APPLIED,
        why: "This person has already applied to this class. Use the link in the confirmation email to see the application."
            .into(),
    }
}

fn key_reused() -> Error {
    Error::Invalid {
        kind: KEY_REUSED,
        failures: vec![RuleFailure::new(
            "idempotency_key",
            "Idempotency-Key",
            "This Idempotency-Key was already used for a different application.",
        )],
    }
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Result<Receipt, Error>>,
}

/// Handle to the batching writer; cheap to clone.
#[derive(Clone)]
pub struct Registrar {
    sender: mpsc::Sender<Job>,
    activity: Activity,
}

/// When the writer last committed a batch, so that background work (outbox delivery) can
/// slow down while applications come in: in a rush the two share the same cores, and an
/// acknowledged application matters more than an email a few seconds sooner.
#[derive(Clone)]
pub struct Activity(Arc<Clock>);

struct Clock {
    epoch: Instant,
    /// Milliseconds after `epoch`, plus one, of the last batch; 0 before the first.
    last: AtomicU64,
}

impl Default for Activity {
    fn default() -> Self {
        Activity(Arc::new(Clock {
            epoch: Instant::now(),
            last: AtomicU64::new(0),
        }))
    }
}

impl Activity {
    fn now(&self) -> u64 {
        u64::try_from(self.0.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// A batch was written (or failed) just now.
    pub fn batch_written(&self) {
        self.0.last.store(self.now(), Ordering::Relaxed);
    }

    /// Whether a batch was written within the last `window`.
    pub fn busy_within(&self, window: Duration) -> bool {
        let last = self.0.last.load(Ordering::Relaxed);
        last != 0 && self.now().saturating_sub(last) <= u64::try_from(window.as_millis()).unwrap_or(u64::MAX)
    }
}

impl Registrar {
    /// Starts the writer, which ends when the last handle is dropped.
    /// Each committed batch signals `changes`: seat counts on public pages moved.
    ///
    /// On SQLite the writer gets a thread and a single-threaded runtime of its own. A batch
    /// awaits a dozen statements in turn, and on the shared runtime each wake-up queued
    /// behind the request handlers of the very rush it serves (about half a millisecond
    /// per statement, measured with `bench`). SQLite connections are driven by their own
    /// threads, so nothing is tied to that runtime. PostgreSQL connections are sockets
    /// registered with the runtime that opened them, so there the writer stays on the
    /// shared runtime rather than own connections that die with its thread.
    pub fn start(store: Store, links: Links, changes: PublicChanges) -> Registrar {
        let (sender, receiver) = mpsc::channel(4096);
        let activity = Activity::default();
        let writer = Writer {
            store,
            links,
            changes,
            activity: activity.clone(),
        };
        if writer.store.backend() == Backend::Postgres {
            tokio::spawn(run(writer, receiver));
            return Registrar { sender, activity };
        }
        let spawned = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .and_then(|runtime| {
                std::thread::Builder::new()
                    .name("registrar".into())
                    .spawn(move || runtime.block_on(run(writer, receiver)))
            });
        if let Err(e) = spawned {
            // Without the writer every application answers "unavailable" (503): loud, not lost.
            tracing::error!(error = %e, "could not start the application writer");
        }
        Registrar { sender, activity }
    }

    /// When the writer last wrote, for background work that yields to a rush.
    pub fn activity(&self) -> Activity {
        self.activity.clone()
    }

    /// Files one application and waits until it is durable (or refused).
    pub async fn register(&self, request: Request) -> Result<Receipt, Error> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { request, reply })
            .await
            .map_err(|_| Error::Unavailable)?;
        answer.await.map_err(|_| Error::Unavailable)?
    }
}

/// What the writer task owns.
struct Writer {
    store: Store,
    links: Links,
    changes: PublicChanges,
    activity: Activity,
}

async fn run(writer: Writer, mut receiver: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        write_batch(&writer.store, &writer.links, &writer.changes, jobs).await;
        writer.activity.batch_written();
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
    Done(Result<Receipt, Error>),
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
async fn write_batch(store: &Store, links: &Links, changes: &PublicChanges, jobs: Vec<Job>) {
    let now = Timestamp::now();
    match try_batch(store, links, &jobs, now).await {
        Ok(results) => {
            // Before anyone hears "filed": a page they load next counts their seat.
            changes.changed();
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, batch = jobs.len(), "an application batch failed; nothing of it was saved");
            for job in jobs {
                let _ = job.reply.send(Err(Error::Unavailable));
            }
        }
    }
}

async fn try_batch(
    store: &Store,
    links: &Links,
    jobs: &[Job],
    now: Timestamp,
) -> Result<Vec<Result<Receipt, Error>>, StoreError> {
    let mut tx = store.begin().await?;
    // Lock classes in id order so two instances' batches cannot deadlock.
    let mut class_ids: Vec<ClassId> = jobs.iter().map(|j| j.request.class_id).collect();
    class_ids.sort();
    class_ids.dedup();
    let mut classes: HashMap<ClassId, ClassBatch> = HashMap::new();
    for id in class_ids {
        if let Some((class, (held, waitlisted, last_rank))) = tx.lock_class_counted(id).await? {
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
    let keys: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j.request.idempotency_key.as_deref())
        .collect();
    let earlier: HashMap<String, (String, ApplicationId)> = tx
        .idempotent_results(&keys)
        .await?
        .into_iter()
        .map(|(key, fingerprint, id)| (key, (fingerprint, id)))
        .collect();
    let mut slots = Vec::with_capacity(jobs.len());
    let mut keys_seen: HashMap<&str, (usize, &str)> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let r = &job.request;
        if let Some(key) = r.idempotency_key.as_deref() {
            if let Some(&(first, fingerprint)) = keys_seen.get(key) {
                slots.push(if fingerprint == r.fingerprint {
                    Slot::SameAs(first)
                } else {
                    Slot::Done(Err(key_reused()))
                });
                continue;
            }
            keys_seen.insert(key, (i, &r.fingerprint));
            if let Some((fingerprint, id)) = earlier.get(key) {
                let id = *id;
                let answer = if *fingerprint != r.fingerprint {
                    Err(key_reused())
                } else {
                    match tx.standing(id).await? {
                        Some((status, waitlist_position)) => Ok(Receipt {
                            id,
                            status,
                            waitlist_position,
                            replayed: true,
                        }),
                        None => Err(Error::NotFound("class")),
                    }
                };
                slots.push(Slot::Done(answer));
                continue;
            }
        }
        slots.push(match classes.get(&r.class_id) {
            None => Slot::Done(Err(Error::NotFound("class"))),
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
            *slot = Slot::Done(Err(already_applied()));
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

    // 4. Write: applications, idempotency keys, sign-in links, messages. Nothing written
    //    needs an application's id, so it all goes in one call.
    let mut write = BatchWrite::default();
    let mut waiting: BTreeSet<ClassId> = BTreeSet::new();
    for (job, slot) in jobs.iter().zip(&slots) {
        let &Slot::Placed {
            status,
            rank,
            waitlist_position,
        } = slot
        else {
            continue;
        };
        let r = &job.request;
        write.placed.push(PlacedApplication {
            class_id: r.class_id,
            applicant: &r.applicant,
            status,
            channel: r.channel,
            rank,
        });
        if let Some(key) = &r.idempotency_key {
            write
                .remembered
                .push((key.clone(), r.fingerprint.clone(), r.class_id, rank));
        }
        let class = &classes[&r.class_id].class;
        let token = tokens::generate();
        let expires = now
            .checked_add(jiff::SignedDuration::from_hours(24 * LINK_DAYS))
            .unwrap_or(now);
        write.links.push((
            tokens::hash(&token),
            application::email_key(&r.applicant.email),
            expires,
        ));
        let link = SecretLink::new(LinkKind::ApplicantSignIn, &links.base_url, &token, Some(expires));
        if status == ApplicationStatus::PendingReview {
            waiting.insert(r.class_id);
        }
        write.messages.push(messages::application_received(
            &context(class),
            &r.applicant.email,
            &r.applicant.first_name,
            status,
            waitlist_position,
            class.first_session_at,
            link,
        ));
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
                write.messages.push(OutgoingMessage {
                    dedupe_key: Some(format!("review-needed:{class_id}:{day}:{}", to.to_lowercase())),
                    ..messages::needs_review(&context(class), to, &link)
                });
            }
        }
    }
    let ids: HashMap<(ClassId, i64), ApplicationId> = tx
        .store_batch(&write, now)
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
    let mut results: Vec<Result<Receipt, Error>> = Vec::with_capacity(jobs.len());
    for (job, slot) in jobs.iter().zip(slots) {
        let result = match slot {
            Slot::Done(answer) => answer,
            Slot::Candidate => Err(Error::NotFound("class")),
            Slot::SameAs(first) => match &results[first] {
                Ok(receipt) => Ok(Receipt {
                    replayed: true,
                    ..receipt.clone()
                }),
                Err(_) => Err(Error::Unavailable),
            },
            Slot::Placed {
                status,
                rank,
                waitlist_position,
            } => {
                let class_id = job.request.class_id;
                let id = *ids.get(&(class_id, rank)).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "class {class_id}: inserted rank {rank} came back without an id"
                    ))
                })?;
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
    tx.commit().await?;
    Ok(results)
}

/// The facts every applicant message about `class` needs.
pub(crate) fn context(class: &ClassForAllocation) -> messages::Context<'_> {
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
fn check(class: &ClassForAllocation, r: &Request, now: Timestamp) -> Result<(), Error> {
    let tz = TimeZone::get(&class.time_zone).unwrap_or(TimeZone::UTC);
    let today = now.to_zoned(tz.clone()).date();
    let kind = crate::domain::ProgramKind::parse(&class.program_kind);
    if r.channel == Channel::Online && !kind.is_some_and(|k| k.open_to_public_applications()) {
        return Err(not_open(
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
        return Err(not_open(match state {
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
        return Err(not_open(format!(
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
        Err(Error::invalid(failures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_is_busy_only_after_a_batch_and_within_the_window() {
        // A clock started ten seconds ago, so a batch can be dated in the past.
        let epoch = Instant::now()
            .checked_sub(Duration::from_secs(10))
            .expect("an uptime over 10 s");
        let activity = Activity(Arc::new(Clock {
            epoch,
            last: AtomicU64::new(0),
        }));
        assert!(
            !activity.busy_within(Duration::from_secs(3600)),
            "never written: not busy"
        );
        activity.batch_written();
        assert!(activity.busy_within(Duration::from_millis(250)));
        // The last batch five seconds ago: outside a 250 ms window, inside a 6 s one.
        activity.0.last.store(5_001, Ordering::Relaxed);
        assert!(!activity.busy_within(Duration::from_millis(250)));
        assert!(activity.busy_within(Duration::from_secs(6)));
    }
}
