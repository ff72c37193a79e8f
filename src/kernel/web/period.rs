//! The period chooser of figures pages: this week, month, quarter or year (or all time),
//! the period before and after, and any range of days.

use maud::{Markup, html};

use super::Ctx;
use super::list::link_with;
use crate::kernel::error::AppResult;
use crate::kernel::period::{Kind, Period};

/// The period a page was asked for: a range typed as two days, or a written period;
/// none when neither was given.
pub fn asked(period: Option<&str>, from: Option<&str>, to: Option<&str>) -> AppResult<Option<Period>> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    match (given(from), given(to), given(period)) {
        (Some(f), Some(t), _) => Period::parse(&format!("{f}~{t}")).map(Some),
        (_, _, Some(p)) => Period::parse(p).map(Some),
        _ => Ok(None),
    }
}

/// The period a figures endpoint or page is asked for, as query parameters.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// 2019, 2019-Q2, 2019-04, 2019-W15; all time when none.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl PeriodQuery {
    pub fn asked(&self) -> AppResult<Option<Period>> {
        asked(self.period.as_deref(), self.from.as_deref(), self.to.as_deref())
    }

    /// The period asked for, in ms; all time when none.
    pub fn bounds(&self) -> AppResult<(i64, i64)> {
        Ok(self.asked()?.map_or((0, i64::MAX), |p| p.bounds_ms()))
    }
}

/// A period in words: 2019年第2季度, 2019年第15周, 2019-04-01 至 2019-04-30.
pub fn label(ctx: &Ctx, p: &Period) -> String {
    use chrono::Datelike;
    let f = p.first;
    let (y, q, m, w) = (
        f.year().to_string(),
        ((f.month() - 1) / 3 + 1).to_string(),
        f.month().to_string(),
        f.iso_week().week().to_string(),
    );
    match p.kind {
        Kind::Year => ctx.t_args("k-period-year", &[("year", &y)]),
        Kind::Quarter => ctx.t_args("k-period-quarter", &[("year", &y), ("quarter", &q)]),
        Kind::Month => ctx.t_args("k-period-month", &[("year", &y), ("month", &m)]),
        Kind::Week => ctx.t_args(
            "k-period-week",
            &[("year", &f.iso_week().year().to_string()), ("week", &w), ("monday", &f.to_string())],
        ),
        Kind::Range => ctx.t_args("k-period-range", &[("first", &f.to_string()), ("last", &p.last().to_string())]),
    }
}

/// Links to this week, month, quarter and year (and all time where the page has it), to
/// the periods either side of the one shown, and a form for any range of days. `keep` are
/// the page's other query parameters.
pub fn chooser(ctx: &Ctx, keep: &[(&str, String)], shown: Option<&Period>, all_time: bool) -> Markup {
    let quick = [
        (Kind::Week, "k-period-this-week"),
        (Kind::Month, "k-period-this-month"),
        (Kind::Quarter, "k-period-this-year-quarter"),
        (Kind::Year, "k-period-this-year"),
    ];
    let href = |p: &Period| link_with(ctx, keep, &[("period", &p.key())]);
    html! {
        nav.periods.no-print aria-label=(ctx.t("k-period")) {
            @for (kind, words) in quick {
                @let p = Period::at(kind, ctx.now);
                a href=(href(&p)) aria-current=[(shown == Some(&p)).then_some("page")] { (ctx.t(words)) }
            }
            @if all_time {
                a href=(link_with(ctx, keep, &[])) aria-current=[shown.is_none().then_some("page")] { (ctx.t("k-period-all")) }
            }
            @if let Some(p) = shown {
                span.sep { "|" }
                a href=(href(&p.previous())) rel="prev" { "← " (label(ctx, &p.previous())) }
                a href=(href(&p.next())) rel="next" { (label(ctx, &p.next())) " →" }
            }
        }
        form.filters.periods method="get" action=(ctx.path) {
            @for (name, value) in keep { @if !value.is_empty() { input type="hidden" name=(name) value=(value); } }
            label.field { span { (ctx.t("k-period-from")) } input type="date" name="from" value=[shown.map(|p| p.first.to_string())]; }
            label.field { span { (ctx.t("k-period-to")) } input type="date" name="to" value=[shown.map(|p| p.last().to_string())]; }
            button type="submit" { (ctx.t("k-period-show")) }
        }
    }
}

/// A figure with the previous period's beside it: `85% (上期 80%)`.
pub fn beside(ctx: &Ctx, now: &str, before: Option<&str>) -> Markup {
    html! {
        (now)
        @if let Some(b) = before { " " span.muted.before { "(" (ctx.t("k-period-before")) " " (b) ")" } }
    }
}
