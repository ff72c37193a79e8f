//! `/api/v1/associations/…` and `/api/v1/documents/…`: the association registry with its
//! members and accounts; documents dispatched to departments and associations, read
//! receipts, acknowledgement, feedback, files, overdue unread documents and figures.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::associations::{self, Association, AssociationFilter, AssociationInput, Member, MembersInput};
use super::documents::{
    self, Detail, DocumentFilter, DocumentInput, FeedbackInput, Figures, Overdue, ReceiptInput, Recipient,
};
use super::need;
use crate::kernel::access::Action;
use crate::kernel::attachments::{self, Attachment};
use crate::kernel::db::Tx;
use crate::kernel::error::AppResult;
use crate::kernel::web::list::{ListParams, Page};
use crate::kernel::web::period::PeriodQuery;
use crate::kernel::web::{ApiJson, AppState, Can, Q};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_associations, create_association))
        .routes(routes!(get_association, update_association))
        .routes(routes!(set_members))
        .routes(routes!(list_documents, dispatch))
        .routes(routes!(overdue))
        .routes(routes!(figures))
        .routes(routes!(get_document))
        .routes(routes!(read))
        .routes(routes!(acknowledge))
        .routes(routes!(feedback))
        .routes(routes!(download))
        .merge(OpenApiRouter::new().routes(routes!(attach)).layer(attachments::body_limit()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AssociationDetail)]
pub struct AssociationDetail {
    #[serde(flatten)]
    pub association: Association,
    pub members: Vec<Member>,
    /// The names of the accounts that speak for it.
    pub accounts: Vec<String>,
}

pub fn association_detail(tx: &mut Tx<'_>, id: i64) -> AppResult<AssociationDetail> {
    let association = associations::find(tx, id)?;
    Ok(AssociationDetail {
        members: associations::members(tx, id)?,
        accounts: crate::enterprises::registry::accounts_of(tx, association.enterprise_id)?,
        association,
    })
}

#[utoipa::path(get, path = "/api/v1/associations", tag = "market", params(ListParams, AssociationFilter),
    responses((status = 200, body = Page<Association>), (status = 403)))]
async fn list_associations(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewDocuments>,
    Q(p): Q<ListParams>,
    Q(f): Q<AssociationFilter>,
) -> AppResult<Json<Page<Association>>> {
    s.look(&ctx, Action::ViewDocuments, move |tx, _| associations::list(tx, &f, &p)).await.map(Json)
}

/// Register an association or chamber on its record in the enterprise registry.
#[utoipa::path(post, path = "/api/v1/associations", tag = "market", request_body = AssociationInput,
    responses((status = 201, body = Association), (status = 403), (status = 409), (status = 422)))]
async fn create_association(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageAssociations>,
    ApiJson(input): ApiJson<AssociationInput>,
) -> AppResult<(StatusCode, Json<Association>)> {
    let a = s.change(&ctx, Action::ManageAssociations, move |tx, who| associations::create(tx, who, &input)).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(get, path = "/api/v1/associations/{id}", tag = "market",
    responses((status = 200, body = AssociationDetail), (status = 403), (status = 404)))]
async fn get_association(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewDocuments>,
    Path(id): Path<i64>,
) -> AppResult<Json<AssociationDetail>> {
    s.look(&ctx, Action::ViewDocuments, move |tx, _| association_detail(tx, id)).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/associations/{id}", tag = "market", request_body = AssociationInput,
    responses((status = 200, body = Association), (status = 403), (status = 404), (status = 422)))]
async fn update_association(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageAssociations>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssociationInput>,
) -> AppResult<Json<Association>> {
    s.change(&ctx, Action::ManageAssociations, move |tx, who| associations::update(tx, who, id, &input)).await.map(Json)
}

/// Replace the member enterprises.
#[utoipa::path(put, path = "/api/v1/associations/{id}/members", tag = "market", request_body = MembersInput,
    responses((status = 200, body = Vec<Member>), (status = 403), (status = 404), (status = 422)))]
async fn set_members(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ManageAssociations>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MembersInput>,
) -> AppResult<Json<Vec<Member>>> {
    s.change(&ctx, Action::ManageAssociations, move |tx, who| associations::set_members(tx, who, id, &input))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/documents", tag = "market", params(ListParams, DocumentFilter),
    responses((status = 200, body = Page<documents::Listed>), (status = 403)))]
async fn list_documents(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewDocuments>,
    Q(p): Q<ListParams>,
    Q(f): Q<DocumentFilter>,
) -> AppResult<Json<Page<documents::Listed>>> {
    let user = ctx.user()?.clone();
    s.look(&ctx, Action::ViewDocuments, move |tx, _| documents::list(tx, &user, &f, &p)).await.map(Json)
}

/// Issue a document and dispatch it to departments and associations in one go.
#[utoipa::path(post, path = "/api/v1/documents", tag = "market", request_body = DocumentInput,
    responses((status = 201, body = documents::Document), (status = 403), (status = 409), (status = 422)))]
async fn dispatch(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::IssueDocuments>,
    ApiJson(input): ApiJson<DocumentInput>,
) -> AppResult<(StatusCode, Json<documents::Document>)> {
    let (user, calendar) = (ctx.user()?.clone(), s.calendar());
    let d = s
        .change(&ctx, Action::IssueDocuments, move |tx, who| documents::dispatch(tx, who, &user, &calendar, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A document with its receiving accounts, their read receipts, acknowledgements and
/// feedback (a receiving account sees its own row).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "market",
    responses((status = 200, body = Detail), (status = 403), (status = 404)))]
async fn get_document(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewDocuments>,
    Path(id): Path<i64>,
) -> AppResult<Json<Detail>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::ViewDocuments, move |tx, _| documents::detail(tx, &user, id, now)).await.map(Json)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DocumentReceipt)]
pub struct Receipt {
    /// False when the caller had opened it before.
    pub first: bool,
}

/// Record the caller's read receipt (only one's own).
#[utoipa::path(post, path = "/api/v1/documents/{id}/read", tag = "market", request_body = ReceiptInput,
    responses((status = 200, body = Receipt), (status = 403), (status = 404), (status = 422)))]
async fn read(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ReceiveDocuments>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReceiptInput>,
) -> AppResult<Json<Receipt>> {
    let user = ctx.user()?.clone();
    let first =
        s.change(&ctx, Action::ReceiveDocuments, move |tx, who| documents::read(tx, who, &user, id, &input)).await?;
    Ok(Json(Receipt { first }))
}

/// 签收, once per receiving account.
#[utoipa::path(post, path = "/api/v1/documents/{id}/acknowledge", tag = "market",
    responses((status = 200, body = Recipient), (status = 403), (status = 404), (status = 409)))]
async fn acknowledge(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ReceiveDocuments>,
    Path(id): Path<i64>,
) -> AppResult<Json<Recipient>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ReceiveDocuments, move |tx, who| documents::acknowledge(tx, who, &user, id)).await.map(Json)
}

/// The receiving account's feedback on the document.
#[utoipa::path(post, path = "/api/v1/documents/{id}/feedback", tag = "market", request_body = FeedbackInput,
    responses((status = 200, body = Recipient), (status = 403), (status = 404), (status = 422)))]
async fn feedback(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ReceiveDocuments>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FeedbackInput>,
) -> AppResult<Json<Recipient>> {
    let user = ctx.user()?.clone();
    s.change(&ctx, Action::ReceiveDocuments, move |tx, who| documents::feedback(tx, who, &user, id, &input))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFileName {
    pub filename: String,
}

/// Attach a file to a document the caller's department issued (the raw bytes as the body).
#[utoipa::path(post, path = "/api/v1/documents/{id}/attachments", tag = "market", params(DocumentFileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment), (status = 403), (status = 404), (status = 422)))]
async fn attach(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::IssueDocuments>,
    Path(id): Path<i64>,
    Query(q): Query<DocumentFileName>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    let user = ctx.user()?.clone();
    let a = s
        .change(&ctx, Action::IssueDocuments, move |tx, who| documents::attach(tx, who, &user, id, &q.filename, &body))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// A file of a document the caller may see.
#[utoipa::path(get, path = "/api/v1/documents/attachments/{id}", tag = "market",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
async fn download(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::ViewDocuments>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let (a, bytes) = s.look(&ctx, Action::ViewDocuments, move |tx, _| documents::attachment(tx, &user, id)).await?;
    Ok(attachments::download(&a, bytes))
}

/// Receiving accounts that have not opened a document by its day (the issuer's; all for
/// leaders and administrators).
#[utoipa::path(get, path = "/api/v1/documents/overdue", tag = "market",
    responses((status = 200, body = Vec<Overdue>), (status = 403)))]
async fn overdue(State(s): State<AppState>, Can(ctx, _): Can<need::IssueDocuments>) -> AppResult<Json<Vec<Overdue>>> {
    let (user, now) = (ctx.user()?.clone(), ctx.now);
    s.look(&ctx, Action::IssueDocuments, move |tx, _| documents::overdue(tx, &user, now)).await.map(Json)
}

/// Documents delivered, read, acknowledged and overdue unread per department and association.
#[utoipa::path(get, path = "/api/v1/documents/figures", tag = "market", params(PeriodQuery),
    responses((status = 200, body = Vec<Figures>), (status = 403), (status = 422)))]
async fn figures(
    State(s): State<AppState>,
    Can(ctx, _): Can<need::IssueDocuments>,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<Vec<Figures>>> {
    let (from, to) = q.bounds()?;
    let now = ctx.now;
    s.look(&ctx, Action::IssueDocuments, move |tx, _| documents::figures(tx, from, to, now)).await.map(Json)
}
