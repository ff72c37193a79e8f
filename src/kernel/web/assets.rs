//! Static files, embedded in the binary: no CDN, nothing fetched at run time.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::kernel::error::AppError;

struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { path: "app.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../../static/app.css") },
    Asset { path: "favicon.svg", mime: "image/svg+xml", body: include_bytes!("../../../static/favicon.svg") },
    Asset {
        path: "forms.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/forms.js"),
    },
    Asset {
        path: "api-docs.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/api-docs.js"),
    },
    Asset {
        path: "vendor/swagger-ui/swagger-ui-bundle.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../static/vendor/swagger-ui/swagger-ui-bundle.js"),
    },
    Asset {
        path: "vendor/swagger-ui/swagger-ui.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../../../static/vendor/swagger-ui/swagger-ui.css"),
    },
];

pub async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|a| a.path == path).ok_or(AppError::NotFound)?;
    let mut res = asset.body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(res)
}

/// The vendored API browser.
pub async fn api_docs() -> Html<&'static str> {
    Html(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>zaizao API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/static/vendor/swagger-ui/swagger-ui.css\"></head>\
         <body><div id=\"swagger-ui\"></div>\
         <script src=\"/static/vendor/swagger-ui/swagger-ui-bundle.js\"></script>\
         <script src=\"/static/api-docs.js\"></script></body></html>",
    )
}
