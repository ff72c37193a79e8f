use axum::Router;

use crate::kernel::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
