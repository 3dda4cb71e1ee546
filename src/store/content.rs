//! Pages and advisories: the SQL. Which ones show now is decided by
//! `domain::content::Window`, from the department's local date.

use jiff::Timestamp;

use super::{Store, StoreError, Tx, dispatch, from_secs, on_tx, to_secs};
use crate::domain::ContentId;
use crate::domain::content::{ContentKind, Window};

/// A page or an advisory.
#[derive(Debug, Clone)]
pub struct ContentItem {
    pub id: ContentId,
    pub kind: ContentKind,
    pub slug: String,
    pub title: String,
    pub category: String,
    pub summary: String,
    pub body_markdown: String,
    pub body_html: String,
    pub window: Window,
    pub published: bool,
    pub on_home: bool,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ContentId,
    kind: String,
    slug: String,
    title: String,
    category: String,
    summary: String,
    body_markdown: String,
    body_html: String,
    publish_window: String,
    published: bool,
    on_home: bool,
    updated_at: i64,
}

impl TryFrom<Row> for ContentItem {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(ContentItem {
            kind: ContentKind::parse(&r.kind).ok_or_else(|| StoreError::Corrupt(format!("content {}: kind", r.id)))?,
            window: serde_json::from_str(&r.publish_window)
                .map_err(|e| StoreError::Corrupt(format!("content {}: window: {e}", r.id)))?,
            updated_at: from_secs(r.updated_at)?,
            id: r.id,
            slug: r.slug,
            title: r.title,
            category: r.category,
            summary: r.summary,
            body_markdown: r.body_markdown,
            body_html: r.body_html,
            published: r.published,
            on_home: r.on_home,
        })
    }
}

/// A page or advisory to store; `body_html` is the sanitized rendering of the Markdown.
pub struct NewContent<'a> {
    pub kind: ContentKind,
    pub slug: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub summary: &'a str,
    pub body_markdown: &'a str,
    pub body_html: String,
    pub window: Window,
    pub published: bool,
    pub on_home: bool,
}

const COLUMNS: &str = "id, kind, slug, title, category, summary, body_markdown, body_html, publish_window, \
                       published, on_home, updated_at";

impl Store {
    /// Everything, pages first, then by title (the staff list).
    pub async fn content_all(&self) -> Result<Vec<ContentItem>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM content ORDER BY kind DESC, lower(title), id");
        let rows: Vec<Row> = dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(ContentItem::try_from).collect()
    }

    /// Published items of one kind, newest change first; the caller applies the windows.
    pub async fn content_published(&self, kind: ContentKind) -> Result<Vec<ContentItem>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM content WHERE published AND kind = $1 ORDER BY updated_at DESC, id DESC");
        let rows: Vec<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(kind.code()).fetch_all(p).await)?;
        rows.into_iter().map(ContentItem::try_from).collect()
    }

    pub async fn content_by_slug(&self, slug: &str) -> Result<Option<ContentItem>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM content WHERE slug = $1");
        let row: Option<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await)?;
        row.map(ContentItem::try_from).transpose()
    }

    pub async fn content_item(&self, id: ContentId) -> Result<Option<ContentItem>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM content WHERE id = $1");
        let row: Option<Row> =
            dispatch!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(ContentItem::try_from).transpose()
    }
}

impl Tx {
    /// Stores a new item; `None` when the slug is taken.
    pub async fn insert_content(
        &mut self,
        c: &NewContent<'_>,
        now: Timestamp,
    ) -> Result<Option<ContentId>, StoreError> {
        let sql = "INSERT INTO content (kind, slug, title, category, summary, body_markdown, body_html, publish_window, \
                       published, on_home, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (slug) DO NOTHING RETURNING id";
        let window = serde_json::to_string(&c.window).expect("a window serializes");
        Ok(
            on_tx!(self, x => sqlx::query_scalar(sql).bind(c.kind.code()).bind(c.slug).bind(c.title).bind(c.category)
            .bind(c.summary).bind(c.body_markdown).bind(&c.body_html).bind(&window).bind(c.published).bind(c.on_home)
            .bind(to_secs(now)).fetch_optional(x).await)?,
        )
    }

    /// Changes an item; false when the new slug belongs to another item.
    pub async fn update_content(
        &mut self,
        id: ContentId,
        c: &NewContent<'_>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let taken: Option<ContentId> = on_tx!(self, x => sqlx::query_scalar("SELECT id FROM content WHERE slug = $1 AND id <> $2")
            .bind(c.slug).bind(id).fetch_optional(x).await)?;
        if taken.is_some() {
            return Ok(false);
        }
        let sql = "UPDATE content SET kind = $1, slug = $2, title = $3, category = $4, summary = $5, body_markdown = $6, \
                   body_html = $7, publish_window = $8, published = $9, on_home = $10, updated_at = $11 WHERE id = $12";
        let window = serde_json::to_string(&c.window).expect("a window serializes");
        on_tx!(self, x => sqlx::query(sql).bind(c.kind.code()).bind(c.slug).bind(c.title).bind(c.category)
            .bind(c.summary).bind(c.body_markdown).bind(&c.body_html).bind(&window).bind(c.published).bind(c.on_home)
            .bind(to_secs(now)).bind(id).execute(x).await.map(|_| ()))?;
        Ok(true)
    }
}
