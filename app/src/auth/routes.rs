//! Login and logout.

use askama::Template;
use axum::extract::{Form, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{password, session, users};
use crate::audit::{self, Actor, Event};
use crate::error::{safe_next, AppError};
use crate::state::AppState;
use crate::web::{cookie, Ctx, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account_page).post(change_password))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
    info: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    out: Option<String>,
}

async fn login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let info = if q.expired.is_some() || ctx.session_expired {
        Some(ctx.t("login.expired"))
    } else if q.out.is_some() {
        Some(ctx.t("login.logged_out"))
    } else {
        None
    };
    render(
        &ctx,
        String::new(),
        safe_next(q.next.as_deref()),
        None,
        info,
        StatusCode::OK,
    )
}

fn render(
    ctx: &Ctx,
    email: String,
    next: String,
    error: Option<String>,
    info: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = LoginPage {
        page: Page::new(ctx, &ctx.t("login.title")),
        email,
        next,
        error,
        info,
    };
    Ok((status, Html(t.render()?)).into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    let state = &ctx.state;
    let db = &state.db;
    let limits = &state.config.sessions;
    let next = safe_next(form.next.as_deref());
    let email = users::normalize_email(&form.email);
    let found = users::credentials(db, &email).await?;
    // The trail names an account only when it exists: whatever else was typed (perhaps a
    // password in the wrong field) is not kept.
    let attempt_actor = Actor {
        user_id: found.as_ref().map(|(u, _)| u.id),
        label: found
            .as_ref()
            .map_or_else(|| "unknown account".to_string(), |(u, _)| u.email.clone()),
        ip: Some(ctx.ip.clone()),
    };

    if session::throttled(db, &state.keys.index, &email, &ctx.ip, limits).await? {
        audit::record_now(db, &attempt_actor, Event::new("auth.login_throttled")).await?;
        let msg = crate::i18n::tr_with(
            &ctx.locale,
            "login.throttled",
            &[("minutes", &limits.lockout_minutes.to_string())],
        );
        return render(
            &ctx,
            form.email,
            next,
            Some(msg),
            None,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }

    let user = match found {
        Some((user, hash)) => {
            let ok = password::verify(&hash, &form.password);
            (ok && user.active).then_some(user)
        }
        None => {
            password::verify_dummy(&form.password);
            None
        }
    };
    let Some(user) = user else {
        session::record_attempt(db, &state.keys.index, &email, &ctx.ip, false).await?;
        audit::record_now(db, &attempt_actor, Event::new("auth.login_failed")).await?;
        return render(
            &ctx,
            form.email,
            next,
            Some(ctx.t("login.failed")),
            None,
            StatusCode::UNAUTHORIZED,
        );
    };

    session::record_attempt(db, &state.keys.index, &email, &ctx.ip, true).await?;
    // A fresh token at every login: a session id planted before login is never reused.
    let token = session::start(db, user.id).await?;
    audit::record_now(
        db,
        &Actor {
            user_id: Some(user.id),
            label: user.email.clone(),
            ip: Some(ctx.ip.clone()),
        },
        Event::new("auth.login").target("user", user.id),
    )
    .await?;
    let secure = state.config.served_over_tls();
    let mut resp = Redirect::to(&next).into_response();
    set_session_cookie(&mut resp, &token, secure)?;
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie::clear(crate::web::context::PRE_COOKIE, secure))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

/// Puts a new session's cookie on a response.
pub fn set_session_cookie(resp: &mut Response, token: &str, secure: bool) -> Result<(), AppError> {
    let set = cookie::build(session::COOKIE, token, secure, None);
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(())
}

async fn logout(ctx: Ctx, headers: axum::http::HeaderMap) -> Result<Response, AppError> {
    let secure = ctx.state.config.served_over_tls();
    if let Some(token) = cookie::parse(&headers).get(session::COOKIE) {
        session::end(&ctx.state.db, token).await?;
    }
    if ctx.user.is_some() {
        audit::record_now(&ctx.state.db, &ctx.actor(), Event::new("auth.logout")).await?;
    }
    let mut resp = Redirect::to("/login?out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie::clear(session::COOKIE, secure))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    page: Page,
    email: String,
    role: String,
    error: Option<String>,
}

async fn account_page(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(super::Permission::StaffHome)?;
    let t = AccountPage {
        page: Page::new(&ctx, &ctx.t("account.title")),
        email: user.email.clone(),
        role: ctx.t(&user.role.label_key()),
        error: None,
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// A user changes their own password; their other sessions end, this one continues.
async fn change_password(ctx: Ctx, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
    let user = ctx.require(super::Permission::StaffHome)?.clone();
    let db = &ctx.state.db;
    let refuse = |key: &str| -> Result<Response, AppError> {
        let t = AccountPage {
            page: Page::new(&ctx, &ctx.t("account.title")),
            email: user.email.clone(),
            role: ctx.t(&user.role.label_key()),
            error: Some(ctx.t(key)),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
    };
    // Guessing the current password from a hijacked session is throttled like logins.
    let index = &ctx.state.keys.index;
    let limits = &ctx.state.config.sessions;
    if session::throttled(db, index, &user.email, &ctx.ip, limits).await? {
        return refuse("account.error.throttled");
    }
    let current_ok = users::credentials(db, &user.email)
        .await?
        .is_some_and(|(_, hash)| password::verify(&hash, &form.current));
    if !current_ok {
        session::record_attempt(db, index, &user.email, &ctx.ip, false).await?;
        audit::record_now(
            db,
            &ctx.actor(),
            Event::new("account.password_check_failed"),
        )
        .await?;
        return refuse("account.error.current_wrong");
    }
    if form.new != form.confirm {
        return refuse("account.error.mismatch");
    }
    match users::set_password(db, &ctx.actor(), user.id, &form.new).await {
        Ok(()) => {}
        Err(users::UserError::Password(key)) => return refuse(key),
        Err(e) => return Err(e.into()),
    }
    let token = session::start(db, user.id).await?;
    let mut resp = Redirect::to("/account?notice=password_changed").into_response();
    set_session_cookie(&mut resp, &token, ctx.state.config.served_over_tls())?;
    Ok(resp)
}
