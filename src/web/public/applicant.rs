//! Applicant self-service without a password: a single-use emailed link opens a short
//! session (a cookie holding a random id; only its hash is stored) in which the
//! applicant sees their applications and can withdraw or answer an offer.
//!
//! Links land on a page with a button rather than acting on GET, because mail scanners
//! fetch links in messages and would otherwise use them up.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::auth::tokens;
use crate::domain::{ApplicationId, ApplicationStatus, ClassId, SlotId, application::looks_like_email};
use crate::format;
use crate::service::applicants;
use crate::service::applicants::{Action, SESSION_DAYS};
use crate::service::ride_alongs;
use crate::store::feeds::CalendarOwner;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{self, Id};
use crate::web::layout::{Layout, render};
use crate::web::see_other;

const COOKIE_NAME: &str = "precinct_applicant";

#[derive(Template)]
#[template(path = "public/my_find.html")]
struct FindPage {
    layout: Layout,
    email: String,
    error: Option<String>,
    sent: bool,
}

#[derive(Template)]
#[template(path = "public/my_link.html")]
struct LinkPage {
    layout: Layout,
    token: String,
    invalid: bool,
}

struct ApplicationView {
    id: ApplicationId,
    class_id: ClassId,
    class_name: String,
    program_name: String,
    status: ApplicationStatus,
    waitlist_position: Option<i64>,
    offer_deadline: Option<String>,
    can_withdraw: bool,
    /// When a withdrawal the owner asked for takes effect (they can still take it back).
    withdrawing_at: Option<String>,
    can_correct: bool,
    certificate: Option<String>,
    /// For graduates: whether they chose to hear about volunteering and alumni events.
    alumnus: Option<bool>,
    phone: String,
    emergency_name: String,
    emergency_phone: String,
    sessions: Vec<(String, String, String)>,
    ride_along: Option<RideAlongView>,
}

/// A participant's ride-along: done, booked, or the shifts open to book.
struct RideAlongView {
    done: bool,
    /// `(when, shift, may still cancel)`.
    booked: Option<(String, String, bool)>,
    /// `(slot id, when, shift, seats left)`.
    open: Vec<(SlotId, String, String, i64)>,
}

/// The ride-along part of a participant's application, when the class has one.
async fn ride_along_view(
    state: &AppState,
    a: &crate::store::applications::ApplicationRecord,
    done: bool,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<Option<RideAlongView>, AppError> {
    use crate::domain::ride_along::open;
    if !matches!(a.status.0, ApplicationStatus::Confirmed | ApplicationStatus::Completed) {
        return Ok(None);
    }
    let required = state.store.graduation_rule(a.class_id).await?.ride_along_required;
    let slots = state.store.ride_along_slots(a.class_id).await?;
    if !required && slots.is_empty() && !done {
        return Ok(None);
    }
    let booked = state.store.booked_slot(a.id).await?;
    let is_open = |t: i64| Timestamp::from_second(t).is_ok_and(|t| open(t, now));
    Ok(Some(RideAlongView {
        done,
        booked: booked.as_ref().map(|b| {
            (
                format::span(b.starts_at, b.ends_at, tz),
                b.shift.clone(),
                is_open(b.starts_at),
            )
        }),
        open: if done || booked.is_some() || a.status.0 != ApplicationStatus::Confirmed {
            Vec::new()
        } else {
            slots
                .into_iter()
                .filter(|s| s.booked < s.seats && is_open(s.starts_at))
                .map(|s| {
                    (
                        s.id,
                        format::span(s.starts_at, s.ends_at, tz),
                        s.shift,
                        s.seats - s.booked,
                    )
                })
                .collect()
        },
    }))
}

#[derive(Template)]
#[template(path = "public/my_applications.html")]
struct ApplicationsPage {
    layout: Layout,
    email: String,
    applications: Vec<ApplicationView>,
    notice: Option<&'static str>,
    /// A calendar address made just now (shown once: only its hash is kept).
    calendar: Option<super::calendars::CalendarLink>,
    has_calendar: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// The session id from the cookie, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    crate::web::cookie_value(headers, COOKIE_NAME)
}

/// The email whose applications this visitor may see.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(id) = session_cookie(headers) else {
        return Ok(None);
    };
    Ok(state
        .store
        .applicant_session(&tokens::hash(&id), Timestamp::now())
        .await?)
}

fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> Result<HeaderValue, AppError> {
    crate::web::session_cookie(COOKIE_NAME, value, "/my", "Lax", max_age_secs, state.config.https())
}

/// `GET /my`: ask for a link, or go straight to the applications when signed in.
pub async fn find(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(see_other("/my/applications"));
    }
    let dept = state.store.department().await?;
    let page = FindPage {
        layout: Layout::new(dept.as_ref(), ""),
        email: String::new(),
        error: None,
        sent: false,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /my/link`: email a fresh link if there is anything to see. The answer is the
/// same either way, so the form does not reveal who applied.
pub async fn send_link(
    State(state): State<AppState>,
    extract::Form(form): extract::Form<EmailForm>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let email = form.email.trim().to_string();
    if !looks_like_email(&email) {
        let page = FindPage {
            layout: Layout::new(dept.as_ref(), ""),
            email,
            error: Some("Enter an email address like name@example.com.".into()),
            sent: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let name = dept.as_ref().map_or("Police Department", |d| d.name.as_str());
    applicants::send_access_link(&state.store, &state.links, name, &email, Timestamp::now()).await?;
    let page = FindPage {
        layout: Layout::new(dept.as_ref(), ""),
        email,
        error: None,
        sent: true,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /my/link/{token}`: a button that uses the link.
pub async fn confirm_link(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let page = LinkPage {
        layout: Layout::new(dept.as_ref(), ""),
        token,
        invalid: false,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /my/link/{token}`: use the link once and open a session.
pub async fn use_link(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    match applicants::open_session(&state.store, &token, Timestamp::now()).await? {
        Some(session) => {
            let mut res = see_other("/my/applications");
            res.headers_mut()
                .insert(SET_COOKIE, cookie(&state, &session, SESSION_DAYS * 24 * 3600)?);
            Ok(res)
        }
        None => {
            let dept = state.store.department().await?;
            let page = LinkPage {
                layout: Layout::new(dept.as_ref(), ""),
                token: String::new(),
                invalid: true,
            };
            Ok((StatusCode::GONE, render(&page)?).into_response())
        }
    }
}

/// `GET /my/applications`: every application under the signed-in email.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let notice = match query.get("done").map(String::as_str) {
        Some("withdrawn") => Some(
            "You asked to withdraw. Until it takes effect, at the time shown below, your place is kept and \
             you can keep your application; then we email you a confirmation.",
        ),
        Some("kept") => Some("You kept your application. Nothing has changed."),
        Some("accepted") => Some("You accepted the seat. See you at the first session."),
        Some("declined") => Some("You declined the seat; it goes to the next person on the waitlist."),
        Some("corrected") => Some("Your contact details are updated."),
        Some("booked") => Some("Your ride-along is booked. We sent the details by email."),
        Some("unbooked") => Some("Your ride-along booking is cancelled."),
        Some("alumni") => Some("Thank you for staying in touch. Every alumni email has a link to stop them."),
        Some("left-alumni") => Some("You will not receive alumni emails."),
        _ => None,
    };
    applications_page(&state, email_key, notice, None).await
}

/// `POST /my/calendar`: a private calendar address for the signed-in person's classes,
/// shown once on their page; an earlier address stops working.
pub async fn calendar_link(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let link = super::calendars::new_link(&state, &CalendarOwner::Participant(email_key.clone())).await?;
    applications_page(&state, email_key, None, Some(link)).await
}

async fn applications_page(
    state: &AppState,
    email_key: String,
    notice: Option<&'static str>,
    calendar: Option<super::calendars::CalendarLink>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut applications = Vec::new();
    for a in state.store.applications_of(&email_key).await? {
        let Some(class) = state.store.public_class(a.class_id).await? else {
            continue;
        };
        let sessions = state
            .store
            .sessions(a.class_id)
            .await?
            .into_iter()
            .filter(|s| !s.cancelled)
            .map(|s| {
                (
                    format::date_long(s.local_date),
                    format::time_range(s.local_start, s.local_end),
                    s.topic,
                )
            })
            .collect();
        let status = a.status.0;
        applications.push(ApplicationView {
            id: a.id,
            class_id: a.class_id,
            class_name: class.name,
            program_name: class.program_name,
            status,
            waitlist_position: state.store.waitlist_position(a.id).await?,
            offer_deadline: (status == ApplicationStatus::Offered)
                .then(|| {
                    a.offer_expires_at
                        .and_then(|t| Timestamp::from_second(t).ok())
                        .map(|t| format::instant(t, &tz))
                })
                .flatten(),
            can_withdraw: status.can_withdraw() && a.withdraw_at.is_none(),
            withdrawing_at: a
                .withdraw_at
                .filter(|_| status.can_withdraw())
                .and_then(|t| Timestamp::from_second(t).ok())
                .map(|t| format::instant(t, &tz)),
            can_correct: status.can_withdraw()
                && crate::domain::application::corrections_open(
                    class.corrections_until,
                    class.first_session_at,
                    Timestamp::now(),
                ),
            certificate: if status == ApplicationStatus::Completed {
                state.store.class_certificates(a.class_id).await?.get(&a.id).cloned()
            } else {
                None
            },
            alumnus: if status == ApplicationStatus::Completed {
                Some(state.store.is_alumnus(a.id).await?)
            } else {
                None
            },
            phone: a.phone.clone(),
            emergency_name: a.emergency_name.clone(),
            emergency_phone: a.emergency_phone.clone(),
            sessions,
            ride_along: ride_along_view(
                state,
                &a,
                state.store.ride_along_done(a.id).await?,
                &tz,
                Timestamp::now(),
            )
            .await?,
        });
    }
    let has_calendar = state
        .store
        .has_calendar_link(&CalendarOwner::Participant(email_key.clone()))
        .await?;
    let email = state
        .store
        .applications_of(&email_key)
        .await?
        .first()
        .map(|a| a.email.clone())
        .unwrap_or(email_key);
    let page = ApplicationsPage {
        layout: Layout::new(dept.as_ref(), ""),
        email,
        applications,
        notice,
        calendar,
        has_calendar,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /my/applications/{id}/{withdraw|accept|decline}`.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id((id, action)): Id<(ApplicationId, String)>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let (action, done) = match action.as_str() {
        "keep" => (Action::KeepApplication, "kept"),
        "accept" => (Action::AcceptOffer, "accepted"),
        "decline" => (Action::DeclineOffer, "declined"),
        _ => return Err(AppError::NotFound("page")),
    };
    match applicants::act(&state.store, &state.links, &email_key, id, action, Timestamp::now()).await {
        Ok(_) => Ok(see_other(&format!("/my/applications?done={done}"))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "public/withdraw.html")]
struct WithdrawPage {
    layout: Layout,
    id: ApplicationId,
    course: String,
    status: ApplicationStatus,
    grace_minutes: i64,
}

/// `GET /my/applications/{id}/withdraw`: what withdrawing means, before it is asked for.
pub async fn confirm_withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let app = state
        .store
        .applications_of(&email_key)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound("application"))?;
    if !app.status.0.can_withdraw() || app.withdraw_at.is_some() {
        return Ok(see_other("/my/applications"));
    }
    let class = state
        .store
        .public_class(app.class_id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let dept = state.store.department().await?;
    let page = WithdrawPage {
        layout: Layout::new(dept.as_ref(), ""),
        id,
        course: format!("{}: {}", class.program_name, class.name),
        status: app.status.0,
        grace_minutes: crate::domain::application::WITHDRAW_GRACE.as_mins(),
    };
    Ok(render(&page)?.into_response())
}

/// `POST /my/applications/{id}/withdraw`: asks for the withdrawal once confirmed (it takes
/// effect after the grace period); unconfirmed, shows what it means first.
pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
    extract::Form(form): extract::Form<extract::ConfirmForm>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    if !form.confirmed() {
        return Ok(see_other(&format!("/my/applications/{id}/withdraw")));
    }
    applicants::act(
        &state.store,
        &state.links,
        &email_key,
        id,
        Action::Withdraw,
        Timestamp::now(),
    )
    .await?;
    Ok(see_other("/my/applications?done=withdrawn"))
}

/// `POST /my/applications/{id}/correct`: new contact details.
pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
    form: Result<Form<crate::domain::application::ContactCorrection>, FormRejection>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let Form(form) =
        form.map_err(|e| AppError::BadRequest(format!("The form could not be read: {}", e.body_text())))?;
    let correction = form
        .validate()
        .map_err(|errors| AppError::Invalid(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")))?;
    match applicants::correct(&state.store, &email_key, id, &correction, Timestamp::now()).await {
        Ok(()) => Ok(see_other("/my/applications?done=corrected")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AlumniForm {
    keep: String,
}

/// `POST /my/applications/{id}/alumni`: a graduate opts in to alumni news, or out.
pub async fn alumni(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
    extract::Form(form): extract::Form<AlumniForm>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let keep = match form.keep.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("Choose whether to keep in touch.".into())),
    };
    let mine = state
        .store
        .applications_of(&email_key)
        .await?
        .into_iter()
        .find(|a| a.id == id);
    let Some(application) = mine else {
        return Err(AppError::NotFound("application"));
    };
    if application.status.0 != ApplicationStatus::Completed {
        return Err(AppError::Conflict("Alumni news is for graduates of the class.".into()));
    }
    state
        .store
        .set_alumnus(id, keep, &tokens::generate(), Timestamp::now())
        .await?;
    Ok(see_other(if keep {
        "/my/applications?done=alumni"
    } else {
        "/my/applications?done=left-alumni"
    }))
}

/// `POST /my/sign-out`.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = session_cookie(&headers) {
        state.store.end_applicant_session(&tokens::hash(&id)).await?;
    }
    let mut res = see_other("/");
    res.headers_mut().insert(SET_COOKIE, cookie(&state, "", 0)?);
    Ok(res)
}

/// `GET /my/certificates/{number}`: a graduate downloads their own certificate.
pub async fn certificate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let number = crate::documents::certificate::parse_number(&number).ok_or(AppError::NotFound("certificate"))?;
    let record = state
        .store
        .certificate(&number)
        .await?
        .ok_or(AppError::NotFound("certificate"))?;
    if crate::domain::application::email_key(&record.email) != email_key {
        return Err(AppError::NotFound("certificate"));
    }
    crate::web::staff::attendance::certificate_pdf(&state, &number).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SlotForm {
    slot: String,
}

/// `POST /my/applications/{id}/ride-along`: book a ride-along shift.
pub async fn book_ride_along(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
    form: Result<Form<SlotForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let slot: SlotId = form.slot.parse().map_err(|_| AppError::NotFound("ride-along shift"))?;
    match ride_alongs::book_ride_along(&state.store, &email_key, id, slot, Timestamp::now()).await {
        Ok(()) => Ok(see_other("/my/applications?done=booked")),
        Err(e) => Err(e.into()),
    }
}

/// `POST /my/applications/{id}/ride-along/cancel`.
pub async fn cancel_ride_along(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<ApplicationId>,
) -> Result<Response, AppError> {
    let Some(email_key) = signed_in(&state, &headers).await? else {
        return Ok(see_other("/my"));
    };
    match ride_alongs::cancel_ride_along(&state.store, &email_key, id, Timestamp::now()).await {
        Ok(()) => Ok(see_other("/my/applications?done=unbooked")),
        Err(e) => Err(e.into()),
    }
}
