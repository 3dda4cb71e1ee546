//! iCalendar feeds: a class's sessions (public), a participant's classes and an
//! officer's presentations (each behind a private link whose token only its holder
//! knows; the database keeps its hash). The pages that hand out the private links are
//! `/my/applications` and `/staff/calendar`.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::auth::tokens;
use crate::documents::calendar::Feed;
use crate::domain::ClassId;
use crate::store::catalog::{Class, Session};
use crate::store::feeds::CalendarOwner;
use crate::web::AppState;
use crate::web::error::AppError;

/// A private feed address as shown once to its owner.
pub struct CalendarLink {
    pub url: String,
    /// The `webcal:` form, which calendar applications open as a subscription.
    pub webcal: String,
}

/// A new private calendar link for `owner`, replacing any earlier one.
pub async fn new_link(state: &AppState, owner: &CalendarOwner) -> Result<CalendarLink, AppError> {
    let token = tokens::generate();
    state
        .store
        .replace_calendar_link(owner, &tokens::hash(&token), Timestamp::now())
        .await?;
    let kind = match owner {
        CalendarOwner::Participant(_) => "me",
        CalendarOwner::Presenter(_) => "staff",
    };
    let url = format!("{}/calendar/{kind}/{token}.ics", state.links.base_url);
    let webcal = url
        .split_once("://")
        .map_or(url.clone(), |(_, rest)| format!("webcal://{rest}"));
    Ok(CalendarLink { url, webcal })
}

fn ics(body: String, filename: &str, private: bool) -> Response {
    (
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
            // A private feed names people's classes: no shared cache may keep it.
            (
                CACHE_CONTROL,
                if private {
                    "private, no-store"
                } else {
                    "public, max-age=300"
                }
                .to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

async fn department(state: &AppState) -> Result<(String, String), AppError> {
    Ok(state
        .store
        .department()
        .await?
        .map_or(("Police Department".to_string(), "UTC".to_string()), |d| {
            (d.name, d.time_zone)
        }))
}

/// `GET /calendar/classes/{id}.ics`: the class's sessions for any calendar application.
/// Read-only and public, like the class page; drafts do not exist here.
pub async fn class(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let id: ClassId = file
        .strip_suffix(".ics")
        .and_then(|id| id.parse().ok())
        .ok_or(AppError::NotFound("calendar"))?;
    let class = state.store.public_class(id).await?.ok_or(AppError::NotFound("class"))?;
    let sessions = state.store.sessions(id).await?;
    let (name, zone) = department(&state).await?;
    let body = crate::documents::calendar::class_calendar(&name, &zone, &state.links.base_url, &class, &sessions);
    Ok(ics(body, &format!("class-{id}.ics"), false))
}

async fn owner(state: &AppState, file: &str) -> Result<CalendarOwner, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound("calendar"))?;
    state
        .store
        .calendar_owner(&tokens::hash(token))
        .await?
        .ok_or(AppError::NotFound("calendar"))
}

async fn classes_with(
    state: &AppState,
    ids: impl IntoIterator<Item = ClassId>,
    keep: impl Fn(&Session) -> bool,
) -> Result<Vec<(Class, Vec<Session>)>, AppError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(class) = state.store.class(id).await? {
            let sessions: Vec<Session> = state.store.sessions(id).await?.into_iter().filter(&keep).collect();
            if !sessions.is_empty() {
                out.push((class, sessions));
            }
        }
    }
    Ok(out)
}

/// `GET /calendar/me/{token}.ics`: every session of the classes a participant takes or took.
pub async fn participant(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let CalendarOwner::Participant(key) = owner(&state, &file).await? else {
        return Err(AppError::NotFound("calendar"));
    };
    let classes = classes_with(&state, state.store.participant_classes(&key).await?, |_| true).await?;
    let (name, zone) = department(&state).await?;
    let title = format!("My classes with the {name}");
    let body = crate::documents::calendar::calendar(
        &Feed {
            title: &title,
            description: "Sessions of the classes you take, with changes and cancellations.",
            time_zone: &zone,
            base_url: &state.links.base_url,
        },
        &classes,
        &[],
    );
    Ok(ics(body, "my-classes.ics", true))
}

/// `GET /calendar/staff/{token}.ics`: the sessions one officer is named to present and
/// the DARE lessons they teach.
pub async fn presenter(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let CalendarOwner::Presenter(staff) = owner(&state, &file).await? else {
        return Err(AppError::NotFound("calendar"));
    };
    let presented = state.store.presented_sessions(staff).await?;
    let mut class_ids: Vec<ClassId> = presented.iter().map(|(c, _)| *c).collect();
    class_ids.dedup();
    let sessions: std::collections::HashSet<_> = presented.iter().map(|(_, s)| *s).collect();
    let classes = classes_with(&state, class_ids, |s| sessions.contains(&s.id)).await?;
    let lessons: Vec<_> = state
        .store
        .dare_classes(Some(staff))
        .await?
        .iter()
        .flat_map(|c| crate::documents::calendar::dare_entries(c, &state.links.base_url))
        .collect();
    let (name, zone) = department(&state).await?;
    let title = format!("Sessions I present: {name}");
    let body = crate::documents::calendar::calendar(
        &Feed {
            title: &title,
            description: "Community-program sessions you are named to present, and the DARE lessons you teach.",
            time_zone: &zone,
            base_url: &state.links.base_url,
        },
        &classes,
        &lessons,
    );
    Ok(ics(body, "my-presentations.ics", true))
}
