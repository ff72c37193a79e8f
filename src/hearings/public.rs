//! The calendars: every hearing and inquiry as a public iCalendar feed, each person's own
//! feed by the secret in its address, and one event to add to a calendar.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use super::sessions;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::ical;
use crate::kernel::web::{AppState, Ctx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar/hearings.ics", get(public_feed))
        .route("/calendar/feeds/{file}", get(own_feed))
        .route("/hearings/{id}/event.ics", get(one))
}

async fn public_feed(State(s): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    s.limit_public(&ctx, "calendar")?;
    let base = s.settings.public_base_url.clone();
    let list = s.db.read(|tx| sessions::feed(tx, None)).await?;
    let events: Vec<ical::Event> = list.iter().map(|h| sessions::event(h, &base)).collect();
    Ok(ical::response(ical::calendar("青岛市公开答辩与质询", &events), "hearings.ics"))
}

async fn own_feed(State(s): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> AppResult<Response> {
    s.limit_public(&ctx, "calendar")?;
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?.to_owned();
    let base = s.settings.public_base_url.clone();
    let list =
        s.db.read(move |tx| {
            let owner = sessions::feed_owner(tx, &token)?;
            sessions::feed(tx, Some(owner))
        })
        .await?;
    let events: Vec<ical::Event> = list.iter().map(|h| sessions::event(h, &base)).collect();
    Ok(ical::response(ical::calendar("我的答辩与质询", &events), "mine.ics"))
}

async fn one(State(s): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    s.limit_public(&ctx, "calendar")?;
    let base = s.settings.public_base_url.clone();
    let h = s.db.read(move |tx| sessions::find(tx, id)).await?;
    Ok(ical::response(ical::calendar(&h.title, &[sessions::event(&h, &base)]), &format!("hearing-{id}.ics")))
}
