//! Extractors every handler shares, so each kind of bad input is answered one way: a
//! path id that names nothing is a 404 naming what was looked for (a page through
//! [`Id`], problem JSON through [`ApiId`]), and a form body that cannot be read is a 400
//! page with the reason.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;

use crate::domain::{
    ActivityId, ApplicationId, ClassId, ContentId, DareClassId, DutyId, LessonId, MessageId, NominationId, OperationId,
    ProgramId, QuestionId, RequestId, SchoolId, SessionId, SlotId, StaffId, TokenId, UnitId,
};
use crate::web::error::{ApiError, AppError};

/// An id type that can come from one path segment, with the word for what it names.
pub trait PathId: Sized {
    /// What a page says it could not find ("We could not find that class.").
    const NOUN: &'static str;
    fn parse_segment(segment: &str) -> Option<Self>;
}

macro_rules! path_id {
    ($($ty:ty => $noun:literal),+ $(,)?) => {
        $(impl PathId for $ty {
            const NOUN: &'static str = $noun;
            fn parse_segment(segment: &str) -> Option<Self> {
                segment.parse().ok()
            }
        })+
    };
}

path_id!(
    ActivityId => "activity",
    ApplicationId => "application",
    ClassId => "class",
    ContentId => "content",
    DareClassId => "DARE class",
    DutyId => "duty",
    LessonId => "lesson",
    MessageId => "message",
    NominationId => "nomination",
    OperationId => "operation",
    ProgramId => "program",
    QuestionId => "question",
    RequestId => "request",
    SchoolId => "school",
    SessionId => "session",
    SlotId => "ride-along shift",
    StaffId => "staff member",
    TokenId => "token",
    UnitId => "unit",
);

/// A segment taken as it is, for a route that mixes a slug or an action word with an id
/// (`Id((slug, question)): Id<(String, QuestionId)>`); it never fails to parse.
impl PathId for String {
    const NOUN: &'static str = "page";
    fn parse_segment(segment: &str) -> Option<Self> {
        Some(segment.to_string())
    }
}

/// The ids a route's path carries: one, or two in path order.
pub trait PathIds: Sized {
    fn from_segments(segments: &[&str]) -> Result<Self, &'static str>;
}

impl<A: PathId> PathIds for A {
    fn from_segments(segments: &[&str]) -> Result<Self, &'static str> {
        let [a] = segments else { return Err(A::NOUN) };
        A::parse_segment(a).ok_or(A::NOUN)
    }
}

impl<A: PathId, B: PathId> PathIds for (A, B) {
    fn from_segments(segments: &[&str]) -> Result<Self, &'static str> {
        let [a, b] = segments else { return Err(A::NOUN) };
        Ok((A::parse_segment(a).ok_or(A::NOUN)?, B::parse_segment(b).ok_or(B::NOUN)?))
    }
}

/// Typed ids from the path: `Id(class): Id<ClassId>` or `Id((class, session)):
/// Id<(ClassId, SessionId)>`. A segment that is not an id answers 404, as an unknown id does.
pub struct Id<T>(pub T);

/// Reads the route's path segments as `T`; the error names what was not found.
async fn path_ids<T: PathIds, S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<T, AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound("page"))?;
    let segments: Vec<&str> = params.iter().map(|(_, value)| value).collect();
    T::from_segments(&segments).map_err(AppError::NotFound)
}

impl<T: PathIds + Send, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        path_ids(parts, state).await.map(Id)
    }
}

/// [`Id`] for the JSON API: the same ids, but a segment that is not one answers problem
/// JSON (`/problems/not-found`), as an unknown id does, never an HTML page.
pub struct ApiId<T>(pub T);

impl<T: PathIds + Send, S: Send + Sync> FromRequestParts<S> for ApiId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        path_ids(parts, state).await.map(ApiId).map_err(ApiError)
    }
}

/// A form body. One rejection policy for every form: a body that cannot be read (wrong
/// content type, a field of the wrong shape) answers a 400 page saying why.
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    axum::Form<T>: FromRequest<S, Rejection = FormRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(value)| Form(value))
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {}", e.body_text())))
    }
}

/// The form behind every action that asks first (cancelling, withdrawing): only the
/// confirming button sends `confirm=yes`; anything else shows what the action would do.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
}

impl ConfirmForm {
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_become_typed_ids_or_name_what_was_not_found() {
        assert_eq!(ClassId::from_segments(&["42"]), Ok(ClassId::new(42)));
        assert_eq!(ClassId::from_segments(&["abc"]), Err("class"));
        assert_eq!(ClassId::from_segments(&["99999999999999999999999"]), Err("class"));
        assert_eq!(
            <(ClassId, SessionId)>::from_segments(&["1", "2"]),
            Ok((ClassId::new(1), SessionId::new(2)))
        );
        assert_eq!(<(ClassId, SessionId)>::from_segments(&["1", "x"]), Err("session"));
        assert_eq!(<(ClassId, SessionId)>::from_segments(&["1"]), Err("class"));
        assert_eq!(
            <(String, QuestionId)>::from_segments(&["teen-academy", "3"]),
            Ok(("teen-academy".to_string(), QuestionId::new(3)))
        );
        assert_eq!(<(RequestId, String)>::from_segments(&["x", "accept"]), Err("request"));
    }

    #[tokio::test]
    async fn the_api_answers_a_bad_id_with_problem_json_and_pages_with_a_page() {
        use axum::body::Body;
        use axum::routing::get;
        use tower::ServiceExt;

        let app = axum::Router::new()
            .route(
                "/api/{id}",
                get(|ApiId(id): ApiId<SchoolId>| async move { id.to_string() }),
            )
            .route("/page/{id}", get(|Id(id): Id<SchoolId>| async move { id.to_string() }));
        let get = |uri: &str| {
            let app = app.clone();
            let req = axum::http::Request::get(uri).body(Body::empty()).unwrap();
            async move { app.oneshot(req).await.unwrap() }
        };
        let body = |res: axum::response::Response| async {
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        };

        assert_eq!(body(get("/api/12").await).await, "12");
        let res = get("/api/twelve").await;
        assert_eq!(res.status(), axum::http::StatusCode::NOT_FOUND);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = serde_json::from_str(&body(res).await).unwrap();
        assert_eq!(problem["type"], "/problems/not-found");
        assert_eq!(problem["detail"], "We could not find that school.");

        // A page handler's rejection is the AppError the HTML error page renders.
        let res = get("/page/twelve").await;
        assert_eq!(res.status(), axum::http::StatusCode::NOT_FOUND);
        assert_ne!(
            res.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/problem+json"[..])
        );
    }
}
