//! Pages and advisories for coordinators: write in Markdown (rendered and sanitized on
//! save), choose when an advisory shows (always, fixed dates, or a season every year),
//! publish, and put current advisories on the home page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::ContentId;
use crate::domain::access::Permission;
use crate::domain::content::{ContentDraft, ContentKind, Window, parse_month_day};
use crate::store::content::{ContentItem, NewContent};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ContentForm {
    kind: String,
    slug: String,
    title: String,
    category: String,
    summary: String,
    body: String,
    /// `always`, `dates` or `season`.
    window: String,
    from_date: String,
    until_date: String,
    season_from: String,
    season_until: String,
    published: String,
    on_home: String,
}

impl ContentForm {
    fn of(c: &ContentItem) -> ContentForm {
        let mut f = ContentForm {
            kind: c.kind.code().into(),
            slug: c.slug.clone(),
            title: c.title.clone(),
            category: c.category.clone(),
            summary: c.summary.clone(),
            body: c.body_markdown.clone(),
            published: if c.published { "yes".into() } else { String::new() },
            on_home: if c.on_home { "yes".into() } else { String::new() },
            ..Default::default()
        };
        match c.window {
            Window::Always => f.window = "always".into(),
            Window::Dates { from, until } => {
                f.window = "dates".into();
                f.from_date = from.map(|d| d.to_string()).unwrap_or_default();
                f.until_date = until.map(|d| d.to_string()).unwrap_or_default();
            }
            Window::Season { from, until } => {
                f.window = "season".into();
                f.season_from = format!("{:02}-{:02}", from.0, from.1);
                f.season_until = format!("{:02}-{:02}", until.0, until.1);
            }
        }
        f
    }

    /// The draft, its kind and window, and every problem found.
    fn read(&self) -> (ContentDraft, Option<ContentKind>, Option<Window>, Vec<String>) {
        let mut errors = Vec::new();
        let kind = ContentKind::parse(&self.kind);
        if kind.is_none() {
            errors.push("Choose a page or an advisory.".into());
        }
        let date = |s: &str, label: &str, errors: &mut Vec<String>| -> Option<jiff::civil::Date> {
            if s.trim().is_empty() {
                return None;
            }
            s.trim()
                .parse()
                .map_err(|_| errors.push(format!("{label}: use YYYY-MM-DD.")))
                .ok()
        };
        let window = match self.window.as_str() {
            "" | "always" => Some(Window::Always),
            "dates" => {
                let from = date(&self.from_date, "Show from", &mut errors);
                let until = date(&self.until_date, "Show until", &mut errors);
                if let (Some(f), Some(u)) = (from, until)
                    && u < f
                {
                    errors.push("The last day to show comes before the first.".into());
                }
                Some(Window::Dates { from, until })
            }
            "season" => match (parse_month_day(&self.season_from), parse_month_day(&self.season_until)) {
                (Some(from), Some(until)) => Some(Window::Season { from, until }),
                _ => {
                    errors.push("A season needs a first and last day as MM-DD, like 11-01 and 03-31.".into());
                    None
                }
            },
            _ => {
                errors.push("Choose when it shows.".into());
                None
            }
        };
        let draft = ContentDraft {
            slug: self.slug.trim().to_string(),
            title: self.title.trim().to_string(),
            category: self.category.trim().to_string(),
            summary: self.summary.trim().to_string(),
            body_markdown: self.body.clone(),
        };
        if let Err(more) = draft.validate() {
            errors.extend(more);
        }
        (draft, kind, window, errors)
    }
}

struct Row {
    id: ContentId,
    kind: &'static str,
    title: String,
    path: String,
    window: String,
    published: bool,
    showing: bool,
    on_home: bool,
}

#[derive(Template)]
#[template(path = "staff/content.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    /// Built-in pages: `(title, public path, edit link, whether the department's own text shows)`.
    site_pages: Vec<(&'static str, &'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "staff/content_edit.html")]
struct EditPage {
    layout: Layout,
    editing: Option<ContentId>,
    form: ContentForm,
    errors: Vec<String>,
}

/// Where residents read an item.
pub fn public_path(kind: ContentKind, slug: &str) -> String {
    match kind {
        ContentKind::Page => format!("/pages/{slug}"),
        ContentKind::Advisory => format!("/advisories/{slug}"),
    }
}

/// `GET /staff/content`.
pub async fn list(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let today = ctx.today();
    let all = state.store.content_all().await?;
    let site_pages = crate::domain::content::SITE_PAGES
        .iter()
        .map(|p| {
            let own = all.iter().find(|c| c.slug == p.slug && c.kind == ContentKind::Page);
            let edit = own.map_or_else(
                || format!("/staff/content/new?site={}", p.slug),
                |c| format!("/staff/content/{}", c.id),
            );
            (p.title, p.path, edit, own.is_some_and(|c| c.published))
        })
        .collect();
    let rows = all
        .into_iter()
        .map(|c| Row {
            id: c.id,
            kind: c.kind.label(),
            path: public_path(c.kind, &c.slug),
            title: c.title,
            window: c.window.describe(),
            published: c.published,
            showing: c.published && c.window.is_open(today),
            on_home: c.on_home,
        })
        .collect();
    let dept = &ctx.department;
    let page = ListPage {
        layout: super::layout(dept.as_ref(), "/staff/content", user),
        rows,
        site_pages,
    };
    Ok(render(&page)?.into_response())
}

async fn edit_page(
    ctx: &StaffPage,
    editing: Option<ContentId>,
    form: ContentForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: super::layout(dept.as_ref(), "/staff/content", user),
        editing,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/content/new`.
pub async fn new(
    State(state): State<AppState>,
    ctx: StaffPage,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let mut form = ContentForm {
        kind: ContentKind::Advisory.code().into(),
        window: "always".into(),
        ..Default::default()
    };
    // Customizing a built-in page starts from its default text.
    if let Some(page) = crate::domain::content::site_page(&q.site) {
        let (title, body) = crate::web::public::site_page_default(&state, page).await?;
        form.kind = ContentKind::Page.code().into();
        form.slug = page.slug.into();
        form.title = title;
        form.body = body;
        form.published = "yes".into();
    }
    edit_page(&ctx, None, form, Vec::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// A built-in page's slug, to start from its default text.
    site: String,
}

/// `GET /staff/content/{id}`.
pub async fn edit(State(state): State<AppState>, ctx: StaffPage, Id(id): Id<ContentId>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let item = state
        .store
        .content_item(id)
        .await?
        .ok_or(AppError::NotFound("content"))?;
    edit_page(&ctx, Some(item.id), ContentForm::of(&item), Vec::new()).await
}

/// `POST /staff/content/new`.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<ContentForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    save(&state, &ctx, None, form).await
}

/// `POST /staff/content/{id}`.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ContentId>,
    Form(form): Form<ContentForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    if state.store.content_item(id).await?.is_none() {
        return Err(AppError::NotFound("content"));
    }
    save(&state, &ctx, Some(id), form).await
}

async fn save(
    state: &AppState,
    ctx: &StaffPage,
    editing: Option<ContentId>,
    form: ContentForm,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let (draft, kind, window, errors) = form.read();
    let (Some(kind), Some(window), true) = (kind, window, errors.is_empty()) else {
        return edit_page(ctx, editing, form, errors).await;
    };
    let item = NewContent {
        kind,
        slug: &draft.slug,
        title: &draft.title,
        category: &draft.category,
        summary: &draft.summary,
        body_markdown: &draft.body_markdown,
        body_html: crate::domain::markdown::to_safe_html(&draft.body_markdown),
        window,
        published: !form.published.is_empty(),
        // Only advisories go on the home page.
        on_home: kind == ContentKind::Advisory && !form.on_home.is_empty(),
    };
    match crate::service::content::save(&state.store, &actor(user), editing, &item, Timestamp::now()).await {
        Ok(_) => {}
        Err(crate::service::Error::Invalid { failures, .. }) => {
            return edit_page(ctx, editing, form, crate::service::messages(&failures)).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other("/staff/content"))
}
