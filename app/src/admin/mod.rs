//! Administration: staff accounts, the audit trail viewer, operational settings and the
//! on-call roster.

mod operations;
mod translations;

use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::audit;
use crate::auth::users::{self, Changes, NewUser, User, UserError};
use crate::auth::{password, Permission, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{show_time, Ctx, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/new", get(new_user_form).post(create_user))
        .route("/admin/users/{id}", get(edit_user_form).post(update_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/unlock", post(unlock_user))
        .route("/admin/audit", get(audit_page))
        .route(
            "/admin/settings",
            get(operations::settings_page).post(operations::save_settings),
        )
        .route(
            "/admin/roster",
            get(operations::roster).post(operations::add_shift),
        )
        .route("/admin/roster/{id}/remove", post(operations::remove_shift))
        .route("/admin/translations", get(translations::list))
        .route(
            "/admin/translations/edit",
            get(translations::edit).post(translations::save),
        )
}

/// A row of the users table, ready to show.
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    active: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    rows: Vec<UserRow>,
}

async fn list_users(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let rows = users::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            created: show_time(&ctx, u.created_at),
            role: ctx.t(&u.role.label_key()),
            email: u.email,
            name: u.display_name,
            active: u.active,
        })
        .collect();
    let t = UsersPage {
        page: Page::new(&ctx, &ctx.t("admin.users.title")),
        rows,
    };
    Ok(Html(t.render()?))
}

/// The values of the account form, kept as typed so nothing is lost on an error.
#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    active: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    page: Page,
    /// `None` when creating.
    id: Option<i64>,
    form: UserForm,
    roles: Vec<(String, String)>,
    locales: Vec<(String, String)>,
    error: Option<String>,
    is_self: bool,
}

fn form_page(
    ctx: &Ctx,
    id: Option<i64>,
    form: UserForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = if id.is_some() {
        ctx.t("admin.users.edit_title")
    } else {
        ctx.t("admin.users.new_title")
    };
    let t = UserFormPage {
        page: Page::new(ctx, &title),
        is_self: id.is_some() && ctx.user.as_ref().map(|u| u.id) == id,
        id,
        form,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), ctx.t(&r.label_key())))
            .collect(),
        locales: ctx
            .state
            .config
            .hotline
            .locales
            .iter()
            .map(|l| (l.clone(), crate::i18n::native_name(l)))
            .collect(),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

async fn new_user_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let form = UserForm {
        role: Role::Advocate.as_str().into(),
        locale: ctx.state.config.default_locale().into(),
        active: Some("on".into()),
        ..UserForm::default()
    };
    form_page(&ctx, None, form, None, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "admin/password_shown.html")]
struct PasswordShown {
    page: Page,
    email: String,
    password: String,
    created: bool,
}

/// The explanation of a refused change, or the error page for a database failure.
fn refusal(ctx: &Ctx, e: UserError) -> Result<String, AppError> {
    match e {
        UserError::Db(db) => Err(db.into()),
        other => Ok(ctx.t(other.key())),
    }
}

async fn create_user(ctx: Ctx, Form(form): Form<UserForm>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let Some(role) = Role::parse(&form.role) else {
        let msg = ctx.t("user.error.role_invalid");
        return form_page(
            &ctx,
            None,
            form,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let pw = password::generate();
    let locale = (!form.locale.is_empty()).then_some(form.locale.as_str());
    let result = users::create(
        &ctx.state.db,
        &ctx.actor(),
        NewUser {
            email: &form.email,
            display_name: &form.display_name,
            role,
            locale,
            password: &pw,
        },
    )
    .await;
    match result {
        Ok(user) => {
            let t = PasswordShown {
                page: Page::new(&ctx, &ctx.t("admin.users.created_title")),
                email: user.email,
                password: pw,
                created: true,
            };
            Ok(Html(t.render()?).into_response())
        }
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            form_page(
                &ctx,
                None,
                form,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

async fn load(ctx: &Ctx, id: i64) -> Result<User, AppError> {
    users::get(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_user_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let u = load(&ctx, id).await?;
    let form = UserForm {
        email: u.email,
        display_name: u.display_name,
        role: u.role.as_str().into(),
        locale: u.locale.unwrap_or_default(),
        active: u.active.then(|| "on".into()),
    };
    form_page(&ctx, Some(id), form, None, StatusCode::OK)
}

async fn update_user(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut form): Form<UserForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let existing = load(&ctx, id).await?;
    form.email = existing.email.clone();
    let Some(role) = Role::parse(&form.role) else {
        let msg = ctx.t("user.error.role_invalid");
        return form_page(
            &ctx,
            Some(id),
            form,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let locale = (!form.locale.is_empty()).then_some(form.locale.as_str());
    let result = users::update(
        &ctx.state.db,
        &ctx.actor(),
        id,
        Changes {
            display_name: &form.display_name,
            role,
            locale,
            active: form.active.is_some(),
        },
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=user_saved").into_response()),
        Err(e) => {
            let msg = refusal(&ctx, e)?;
            form_page(
                &ctx,
                Some(id),
                form,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

async fn reset_password(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let u = load(&ctx, id).await?;
    let pw = password::generate();
    users::set_password(&ctx.state.db, &ctx.actor(), id, &pw).await?;
    let t = PasswordShown {
        page: Page::new(&ctx, &ctx.t("admin.users.password_title")),
        email: u.email,
        password: pw,
        created: false,
    };
    Ok(Html(t.render()?).into_response())
}

async fn unlock_user(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    match users::unlock(&ctx.state.db, &ctx.state.keys.index, &ctx.actor(), id).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/users/{id}?notice=user_unlocked")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    ip: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Page,
    rows: Vec<AuditRow>,
    filter: String,
    page_no: i64,
    has_more: bool,
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    page: Option<i64>,
}

const AUDIT_PAGE_SIZE: i64 = 100;

async fn audit_page(ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ViewAudit)?;
    let filter = q.action.unwrap_or_default();
    let page_no = q.page.unwrap_or(1).max(1);
    let mut entries = audit::recent(
        &ctx.state.db,
        Some(filter.trim()),
        AUDIT_PAGE_SIZE + 1,
        (page_no - 1) * AUDIT_PAGE_SIZE,
    )
    .await?;
    let has_more = entries.len() as i64 > AUDIT_PAGE_SIZE;
    entries.truncate(AUDIT_PAGE_SIZE as usize);
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: show_time(&ctx, e.at),
            actor: audit::shown_actor(&ctx.locale, &e.actor),
            action: e.action,
            target: audit::shown_target(
                &ctx.locale,
                e.target_type.as_deref(),
                e.target_id.as_deref(),
            ),
            ip: e.ip.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect();
    let t = AuditPage {
        page: Page::new(&ctx, &ctx.t("admin.audit.title")),
        rows,
        filter,
        page_no,
        has_more,
    };
    Ok(Html(t.render()?))
}
