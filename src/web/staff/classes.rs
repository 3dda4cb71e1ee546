//! Back-office class pages: the list, one class with its roster and actions, and the
//! audit log.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::layout;
use crate::domain::access::{Permission, allows, may_see_roster};
use crate::domain::{ApplicationId, ClassId, ClassStatus};
use crate::format;
use crate::service::classes;
use crate::service::waitlist;
use crate::store::staff::{AuditEntry, RosterRow, StaffUser};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{ClassView, Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    classes: Vec<ClassView>,
    drafts: Vec<ClassView>,
    programs: Vec<(String, String)>,
    can_plan: bool,
    /// The first-run checklist, shown to administrators until every step is done.
    setup: Vec<crate::domain::department::SetupStep>,
    /// The DARE classes this officer teaches and how many of their held lessons wait to
    /// be recorded: `(href, school and teacher, waiting)`.
    dare: Vec<(String, String, usize)>,
}

struct RosterView {
    row: RosterRow,
    status: &'static str,
    applied: String,
    /// When a pending withdrawal takes effect.
    withdrawing: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/class.html")]
struct ClassPage {
    layout: Layout,
    class: ClassView,
    capacity: i64,
    /// Completed and cancelled classes keep their capacity.
    can_change_capacity: bool,
    /// The capacity field's value: the class's, or what was typed and refused.
    capacity_typed: String,
    capacity_error: Option<String>,
    roster: Vec<RosterView>,
    can_run: bool,
    next_statuses: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    sessions: Vec<(crate::domain::SessionId, String)>,
    /// The department's holidays the sessions pass over, as "Thanksgiving Day (Thursday, ...)".
    holidays_skipped: Vec<String>,
    can_cancel: bool,
    /// `(status code, label, count)` of the statuses present, for the filter.
    counts: Vec<(&'static str, &'static str, i64)>,
    total: i64,
    /// Links to the next roster screen and to the first (when not on it).
    next_screen: Option<String>,
    first_screen: Option<String>,
    /// A text search stopped after reading its budget of rows without filling the screen.
    searched_out: bool,
    filter_status: String,
    filter_q: String,
    filtered: bool,
    /// The filter as a query string, for the CSV link.
    filter_query: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: Layout,
    /// When, what in words, and the entry.
    entries: Vec<(String, &'static str, AuditEntry)>,
    filter: String,
    /// Links to the next (older) screen, and to the newest when not on it.
    older: Option<String>,
    newest: Option<String>,
}

/// Whether `user` may see this class's roster (object-level check).
async fn may_see(state: &AppState, ctx: &StaffPage, class_id: ClassId) -> Result<bool, AppError> {
    let user = &ctx.user;
    let presents = allows(user.role, Permission::Present) && state.store.presents_in(user.id, class_id).await?;
    Ok(may_see_roster(user.role, presents))
}

/// `GET /staff`: the classes this staff member may work on.
pub async fn dashboard(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    if allows(user.role, Permission::Nominate) && !state.store.counselor_schools(user.id).await?.is_empty() {
        // A counselor's work is nominating their schools' students.
        return Ok(crate::web::see_other("/staff/nominations"));
    }
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let now = Timestamp::now();
    let mut all = state.store.all_classes().await?;
    if !allows(user.role, Permission::SeeAllClasses) {
        let mine = state.store.classes_presented_by(user.id).await?;
        all.retain(|c| mine.contains(&c.id) && may_see_roster(user.role, true));
    }
    let (drafts, classes): (Vec<_>, Vec<_>) = all.iter().partition(|c| c.status == ClassStatus::Draft);
    let programs = if allows(user.role, Permission::SeeAllClasses) {
        state
            .store
            .published_programs()
            .await?
            .into_iter()
            .map(|p| (p.slug, p.name))
            .collect()
    } else {
        Vec::new()
    };
    let setup = if allows(user.role, Permission::Configure) {
        let facts = state.store.setup_facts().await?;
        if crate::domain::department::setup_pending(&facts) {
            crate::domain::department::checklist(&facts)
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    let dare = if allows(user.role, Permission::Present) {
        state
            .store
            .dare_classes(Some(user.id))
            .await?
            .into_iter()
            .filter(|c| c.status == crate::domain::dare::DareStatus::Scheduled)
            .map(|c| {
                let waiting = c
                    .lessons
                    .iter()
                    .filter(|l| l.status == crate::domain::dare::LessonStatus::Planned && l.starts_at <= now)
                    .count();
                (
                    format!("/staff/dare/{}", c.id),
                    format!("{}, {} (grade {})", c.school, c.teacher, c.grade),
                    waiting,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = DashboardPage {
        dare,
        setup,
        programs,
        can_plan: allows(user.role, Permission::RunClasses),
        layout: layout(dept.as_ref(), "/staff", user),
        classes: classes.into_iter().map(|c| ClassView::new(c, &tz, now)).collect(),
        drafts: drafts.into_iter().map(|c| ClassView::new(c, &tz, now)).collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    done: String,
    /// Roster filter: a status code, and search text.
    status: String,
    q: String,
    /// Where the roster screen starts (a cursor from the previous screen's "next").
    after: String,
}

/// `GET /staff/classes/{id}`: facts, roster and actions.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Query(notice): Query<Notice>,
) -> Result<Response, AppError> {
    class_page(&state, &ctx, id, &notice, None).await
}

/// A capacity the form refused: what was typed, why, and the answer's status.
struct CapacityProblem {
    typed: String,
    message: String,
    status: axum::http::StatusCode,
}

/// The class page, with a refused capacity shown at its field.
async fn class_page(
    state: &AppState,
    ctx: &StaffPage,
    id: ClassId,
    notice: &Notice,
    problem: Option<CapacityProblem>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    if !may_see(state, ctx, id).await? {
        return Err(AppError::Forbidden);
    }
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let filter = crate::domain::roster::RosterFilter::new(&notice.status, &notice.q);
    let stored = state.store.roster_status_counts(id).await?;
    let counts: Vec<(&'static str, &'static str, i64)> = crate::domain::ApplicationStatus::ALL
        .iter()
        .filter_map(|s| {
            let n = stored.iter().find(|(code, _)| code == s.code()).map_or(0, |(_, n)| *n);
            (n > 0).then_some((s.code(), s.label(), n))
        })
        .collect();
    let total: i64 = stored.iter().map(|(_, n)| n).sum();
    let after = match notice.after.trim() {
        "" => crate::domain::roster::Cursor::START,
        token => crate::domain::roster::Cursor::parse(token).ok_or_else(|| {
            AppError::BadRequest("That roster page link is not valid; start from the class page.".into())
        })?,
    };
    let screen = classes::roster_screen(&state.store, id, &filter, after).await?;
    let roster: Vec<RosterView> = screen
        .rows
        .into_iter()
        .map(|row| RosterView {
            withdrawing: row
                .withdraw_at
                .and_then(|t| Timestamp::from_second(t).ok())
                .map(|t| format::instant(t, &tz)),
            status: crate::domain::ApplicationStatus::parse(&row.status).map_or("Unknown", |s| s.label()),
            applied: Timestamp::from_second(row.created_at)
                .map(|t| format::instant(t, &tz))
                .unwrap_or_default(),
            row,
        })
        .collect();
    let screen_query = |after: Option<String>| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if filter.is_active() {
            pairs.push(("status", notice.status.clone()));
            pairs.push(("q", notice.q.clone()));
        }
        if let Some(after) = after {
            pairs.push(("after", after));
        }
        format!(
            "/staff/classes/{id}?{}#roster-heading",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let next_screen = screen.next.map(|c| screen_query(Some(c.token())));
    let first_screen = (after != crate::domain::roster::Cursor::START).then(|| screen_query(None));
    let next_statuses = [
        (ClassStatus::Announced, "Announce"),
        (ClassStatus::Open, "Open registration"),
        (ClassStatus::Closed, "Close registration"),
        (ClassStatus::InProgress, "Start the class"),
    ]
    .into_iter()
    .filter(|(s, _)| class.status.can_become(*s))
    .map(|(s, label)| (s.code(), label))
    .collect();
    let held: Vec<_> = state
        .store
        .sessions(id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .collect();
    let dates: Vec<jiff::civil::Date> = held.iter().map(|s| s.local_date).collect();
    let holidays = match (dates.iter().min(), dates.iter().max()) {
        (Some(first), Some(last)) => state.store.holidays_between(*first, *last).await?,
        _ => Vec::new(),
    };
    let holidays_skipped = crate::domain::holidays::skipped(&dates, &holidays)
        .into_iter()
        .map(|h| format!("{} ({})", h.name, format::date_long(h.date)))
        .collect();
    let sessions = held
        .into_iter()
        .map(|s| {
            (
                s.id,
                format!(
                    "{}. {}, {}: {}",
                    s.position,
                    format::date_long(s.local_date),
                    format::time_range(s.local_start, s.local_end),
                    s.topic
                ),
            )
        })
        .collect();
    let filter_query = if filter.is_active() {
        format!(
            "?{}",
            serde_urlencoded::to_string([("status", notice.status.as_str()), ("q", notice.q.as_str())])
                .unwrap_or_default()
        )
    } else {
        String::new()
    };
    let page = ClassPage {
        counts,
        total,
        next_screen,
        first_screen,
        searched_out: screen.searched_out,
        filtered: filter.is_active(),
        filter_status: notice.status.clone(),
        filter_q: notice.q.clone(),
        filter_query,
        can_cancel: class.status.can_become(ClassStatus::Cancelled),
        sessions,
        holidays_skipped,
        layout: layout(dept.as_ref(), "/staff", user),
        class: ClassView::new(&class, &tz, Timestamp::now()),
        capacity: class.capacity,
        can_change_capacity: class.status.capacity_may_change(),
        capacity_typed: problem
            .as_ref()
            .map_or_else(|| class.capacity.to_string(), |p| p.typed.clone()),
        capacity_error: problem.as_ref().map(|p| p.message.clone()),
        roster,
        can_run: allows(user.role, Permission::RunClasses),
        next_statuses,
        notice: match notice.done.as_str() {
            "status" => Some("The class status is updated."),
            "capacity" => Some("The capacity is updated; any freed seats were offered to the waitlist."),
            "entered" => Some("The application is entered; the applicant was emailed a confirmation."),
            "presenter" => Some("The presenter is updated."),
            "created" => Some("The draft class is created. Check its sessions, then announce it."),
            "copied" => Some("The class is copied as a draft. Check its sessions and presenters, then announce it."),
            "session" => {
                Some("The session is updated; participants were told about any change of date, time or place.")
            }
            "rules" => Some("The registration rules are updated."),
            "details" => Some("The class details are updated."),
            "moved" => Some("The waitlist is reordered; the move and its reason are in the audit log."),
            "emailed" => Some("The message is queued for every recipient."),
            "session-cancelled" => Some("The session is cancelled and everyone in the class was emailed."),
            "class-cancelled" => Some("The class is cancelled and everyone still involved was emailed."),
            _ => None,
        },
    };
    let status = problem.map_or(axum::http::StatusCode::OK, |p| p.status);
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

pub(super) fn back_to(id: ClassId, done: &str) -> Response {
    let to = format!("/staff/classes/{id}?done={done}");
    crate::web::see_other(&to)
}

/// `POST /staff/classes/{id}/status`: announce, open or close registration.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let to = ClassStatus::parse(&form.status).ok_or_else(|| AppError::BadRequest("Unknown class status.".into()))?;
    classes::set_class_status(&state.store, &state.links, &actor(user), id, to, Timestamp::now())
        .await
        .map_err(AppError::from)?;
    Ok(back_to(id, "status"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CapacityForm {
    capacity: String,
}

/// `POST /staff/classes/{id}/capacity`. A refused value comes back on the class page
/// with the reason at the field (422 for a value that is not a capacity, 409 for one
/// the class's seats or status rule out).
pub async fn set_capacity(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    use crate::service::{Error, messages};
    use axum::http::StatusCode;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let refused = |message: String, status| {
        Some(CapacityProblem {
            typed: form.capacity.clone(),
            message,
            status,
        })
    };
    let problem = match form.capacity.trim().parse::<i64>() {
        Err(_) => refused(
            "Enter the capacity as a whole number, for example 30.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(capacity) => {
            match classes::change_capacity(&state.store, &state.links, &actor(user), id, capacity, Timestamp::now())
                .await
            {
                Ok(_) => return Ok(back_to(id, "capacity")),
                Err(Error::Invalid { failures, .. }) => {
                    refused(messages(&failures).join(" "), StatusCode::UNPROCESSABLE_ENTITY)
                }
                Err(Error::Conflict { why, .. }) => refused(why, StatusCode::CONFLICT),
                Err(e) => return Err(e.into()),
            }
        }
    };
    class_page(&state, &ctx, id, &Notice::default(), problem).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditFilter {
    object: String,
    /// The next screen's cursor: entries older than this id.
    before: String,
}

/// Entries one audit log screen shows.
const AUDIT_SCREEN: i64 = 200;

/// `GET /staff/audit`: the newest entries, filterable by object type.
pub async fn audit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(filter): Query<AuditFilter>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::ReadAudit) {
        return Err(AppError::Forbidden);
    }
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let object = filter.object.trim();
    let sensitive = super::review::sees_sensitive(&state, &ctx).await?;
    let before = crate::domain::paging::before(&filter.before).map_err(|why| AppError::BadRequest(why.into()))?;
    let found = state
        .store
        .audit_entries_before((!object.is_empty()).then_some(object), before, AUDIT_SCREEN)
        .await?;
    let older = crate::domain::paging::older(found.len(), AUDIT_SCREEN, found.last().map(|e| e.id));
    let screen = |before: Option<i64>| {
        let mut pairs = vec![("object", object.to_string())];
        pairs.extend(before.map(|b| ("before", b.to_string())));
        format!(
            "/staff/audit?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let entries = found
        .into_iter()
        .map(|mut e| {
            // The log is no side door to sensitive screening fields.
            if !sensitive && crate::domain::screening::audit_entry_is_sensitive(&e.action, e.after_json.as_deref()) {
                let restricted = Some("(restricted: a sensitive screening field)".to_string());
                e.before_json = e.before_json.and(restricted.clone());
                e.after_json = e.after_json.and(restricted);
            }
            (
                Timestamp::from_second(e.at)
                    .map(|t| format::instant(t, &tz))
                    .unwrap_or_default(),
                crate::domain::audit::AuditAction::parse(&e.action).map_or("", |a| a.label()),
                e,
            )
        })
        .collect();
    let page = AuditPage {
        layout: layout(dept.as_ref(), "/staff/audit", user),
        entries,
        filter: object.to_string(),
        older: older.map(|b| screen(Some(b))),
        newest: before.map(|_| screen(None)),
    };
    Ok(render(&page)?.into_response())
}

/// How a staff member appears in the audit log.
pub fn actor(user: &StaffUser) -> String {
    format!("staff:{} {}", user.id, user.email)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    position: String,
    reason: String,
}

/// `POST /staff/applications/{id}/move`: a manual waitlist move, with a reason.
pub async fn move_on_waitlist(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ApplicationId>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let position: usize = form
        .position
        .trim()
        .parse()
        .map_err(|_| AppError::Invalid("Enter the new waitlist position as a number, 1 for the top.".into()))?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(AppError::Invalid(
            "Say briefly why this person moves (up to 300 characters).".into(),
        ));
    }
    let record = state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    waitlist::move_on_waitlist(&state.store, &actor(user), id, position, reason, Timestamp::now())
        .await
        .map_err(AppError::from)?;
    Ok(back_to(record.class_id, "moved"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    audience: String,
    subject: String,
    body: String,
}

/// `POST /staff/classes/{id}/email`: one message to a filtered roster, through the outbox.
pub async fn email(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let audience = match form.audience.as_str() {
        "participants" => classes::Audience::Participants,
        "waitlist" => classes::Audience::Waitlist,
        "everyone" => classes::Audience::Everyone,
        _ => return Err(AppError::Invalid("Choose who receives the message.".into())),
    };
    let (subject, body) = (form.subject.trim(), form.body.trim());
    if subject.is_empty() || subject.chars().count() > 150 || body.is_empty() || body.chars().count() > 5000 {
        return Err(AppError::Invalid(
            "Write a subject (up to 150 characters) and a message (up to 5,000).".into(),
        ));
    }
    classes::email_roster(
        &state.store,
        &actor(user),
        id,
        audience,
        subject,
        body,
        Timestamp::now(),
    )
    .await
    .map_err(AppError::from)?;
    Ok(back_to(id, "emailed"))
}
