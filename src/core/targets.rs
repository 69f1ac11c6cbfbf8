//! First-response targets (SPEC section 2): by the customer's plan and the
//! case's severity, counted on the 24x7 clock or, for `standard`, in covered
//! business hours on a 12x5 calendar in the configured time zone. Pure.

use crate::core::config::{BusinessHours, Config, Plan, SeverityTargets};
use crate::core::digest::Digest;
use crate::core::vocabulary::{Severity, Status};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The default target of a plan and severity (SPEC section 2), in config
/// spelling. Config overrides any of them, one at a time.
pub fn default_target(plan: Plan, severity: Severity) -> &'static str {
    match (plan, severity) {
        (Plan::Standard, _) => "1bd",
        (Plan::Plus, Severity::Low) => "8h",
        (Plan::Plus, Severity::Medium) => "4h",
        (Plan::Plus, Severity::High) => "2h",
        (Plan::MissionCritical, Severity::Low) => "4h",
        (Plan::MissionCritical, Severity::Medium) => "2h",
        (Plan::MissionCritical, Severity::High) => "30m",
    }
}

/// Whether a plan counts covered business hours (12x5) rather than the 24x7 clock.
pub fn counts_business_hours(plan: Plan) -> bool {
    plan == Plan::Standard
}

/// A first-response target: wall-clock time, or covered business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Elapsed time on the 24x7 clock.
    Elapsed(Duration),
    /// Covered time on the business-hours calendar.
    Business(Duration),
}

/// Targets longer than this are refused: surely a typo, and it keeps the
/// business-hours walk and the date arithmetic far from their limits.
const LONGEST_TARGET_DAYS: i64 = 366;

/// Parses a target such as `30m`, `4h`, `2d` or `1bd`. In a business-hours
/// plan every unit counts covered time and a day (`d` or `bd`) is `day`, the
/// covered hours of one working day; in a 24x7 plan a day is 24 hours and
/// `bd` is refused.
pub fn parse_target(text: &str, business: bool, day: Duration) -> Result<Target, String> {
    let example = "a whole number and a unit: m (minutes), h (hours), d or bd (business days), e.g. 4h";
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a target; expected {example}"))?;
    if number == 0 {
        return Err(format!("{text:?} is zero; a target must be longer than that"));
    }
    // Bound the number before multiplying so that no unit can overflow.
    let too_long = || format!("{text:?} is longer than {LONGEST_TARGET_DAYS} days");
    if number > LONGEST_TARGET_DAYS * 24 * 60 {
        return Err(too_long());
    }
    let duration = match unit.trim() {
        "m" | "min" => Duration::minutes(number),
        "h" => Duration::hours(number),
        "d" | "bd" if business => day * i32::try_from(number).map_err(|_| too_long())?,
        "d" => Duration::days(number),
        "bd" => {
            return Err(format!(
                "{text:?}: business days (bd) count only on the business-hours plan (standard); this plan is 24x7, use h or d"
            ))
        }
        "" => return Err(format!("{text:?} has no unit; expected {example}")),
        other => return Err(format!("{text:?} has unknown unit {other:?}; expected {example}")),
    };
    let longest = if business {
        day * LONGEST_TARGET_DAYS as i32
    } else {
        Duration::days(LONGEST_TARGET_DAYS)
    };
    if duration > longest {
        return Err(too_long());
    }
    Ok(if business {
        Target::Business(duration)
    } else {
        Target::Elapsed(duration)
    })
}

/// The business-hours calendar, parsed from config: covered hours from
/// `start` to `end` local time, Monday to Friday, except holidays.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: Tz,
    start: NaiveTime,
    end: NaiveTime,
    holidays: Vec<NaiveDate>,
}

impl Calendar {
    /// Parses the `business_hours` config.
    pub fn from_config(hours: &BusinessHours) -> Result<Calendar, String> {
        let zone: Tz = hours.timezone.parse().map_err(|_| {
            format!(
                "business_hours.timezone {:?} is not an IANA time zone name (e.g. America/Sao_Paulo)",
                hours.timezone
            )
        })?;
        let time = |key: &str, text: &str| {
            NaiveTime::parse_from_str(text.trim(), "%H:%M")
                .map_err(|_| format!("business_hours.{key} {text:?} must be a local time HH:MM, e.g. 08:00"))
        };
        let (start, end) = (time("start", &hours.start)?, time("end", &hours.end)?);
        if start >= end {
            return Err(format!(
                "business_hours.start ({}) must be before business_hours.end ({})",
                hours.start, hours.end
            ));
        }
        let holidays = hours
            .holidays
            .iter()
            .map(|d| {
                NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("business_hours.holidays: {d:?} must be a date YYYY-MM-DD, e.g. 2026-12-25"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Calendar {
            zone,
            start,
            end,
            holidays,
        })
    }

    /// Covered hours of one working day (a business day): 12 h for 08:00-20:00.
    pub fn day_length(&self) -> Duration {
        self.end - self.start
    }

    /// Whether a local date has covered hours: Monday to Friday, not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The instant of a local wall-clock time. When a daylight-saving jump
    /// skips that time, the first instant after the gap: the office opens
    /// (or closes) when the clock has caught up.
    fn local(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let wall = date.and_time(time);
        for minutes in 0..=24 * 60 {
            if let Some(t) = self
                .zone
                .from_local_datetime(&(wall + Duration::minutes(minutes)))
                .earliest()
            {
                return t.with_timezone(&Utc);
            }
        }
        // No zone skips a whole day of wall-clock time at once.
        wall.and_utc()
    }

    /// The instant when `covered` business time has elapsed after `from`.
    /// Outside covered hours the count starts at the next opening.
    pub fn add_business_time(&self, from: DateTime<Utc>, covered: Duration) -> DateTime<Utc> {
        let mut remaining = covered;
        let mut date = from.with_timezone(&self.zone).date_naive();
        // Bounded: targets are at most 366 days, so even with many holidays
        // the walk ends long before ten years of dates.
        for _ in 0..3660 {
            if self.is_working_day(date) {
                let (open, close) = (self.local(date, self.start), self.local(date, self.end));
                if from < close {
                    let begin = open.max(from);
                    let available = close - begin;
                    if remaining <= available {
                        return begin + remaining;
                    }
                    remaining -= available;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        from.checked_add_signed(covered).unwrap_or(from)
    }
}

fn overrides(config: &Config, plan: Plan) -> &SeverityTargets {
    match plan {
        Plan::Standard => &config.targets.standard,
        Plan::Plus => &config.targets.plus,
        Plan::MissionCritical => &config.targets.mission_critical,
    }
}

/// The first-response target of one plan and severity: the config's
/// override if any, else the default. Errors name the config key.
pub fn target_for(config: &Config, calendar: &Calendar, plan: Plan, severity: Severity) -> Result<Target, String> {
    let plan_overrides = overrides(config, plan);
    let text = match severity {
        Severity::Low => plan_overrides.low.as_deref(),
        Severity::Medium => plan_overrides.medium.as_deref(),
        Severity::High => plan_overrides.high.as_deref(),
    }
    .unwrap_or_else(|| default_target(plan, severity));
    parse_target(text, counts_business_hours(plan), calendar.day_length())
        .map_err(|reason| format!("targets.{}.{}: {reason}", plan.as_str(), severity.as_str()))
}

/// Computes first-response due instants for a store's config. Building it
/// validates every target and the calendar, so computing never fails.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Config,
    calendar: Calendar,
    /// Indexed by plan then severity, in `Plan::ALL` and `Severity::ALL` order.
    targets: [[Target; 3]; 3],
}

fn plan_index(plan: Plan) -> usize {
    match plan {
        Plan::Standard => 0,
        Plan::Plus => 1,
        Plan::MissionCritical => 2,
    }
}

fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
    }
}

impl Policy {
    /// Validates the targets and calendar of a config.
    pub fn new(config: &Config) -> Result<Policy, String> {
        let calendar = Calendar::from_config(&config.business_hours)?;
        let mut targets = [[Target::Elapsed(Duration::zero()); 3]; 3];
        for &plan in Plan::ALL {
            for &severity in Severity::ALL {
                targets[plan_index(plan)][severity_index(severity)] = target_for(config, &calendar, plan, severity)?;
            }
        }
        Ok(Policy {
            config: config.clone(),
            calendar,
            targets,
        })
    }

    /// The target of a plan and severity.
    pub fn target(&self, plan: Plan, severity: Severity) -> Target {
        self.targets[plan_index(plan)][severity_index(severity)]
    }

    /// When the first response to a case of this plan and severity, opened
    /// at `created_at`, is due.
    pub fn due(&self, plan: Plan, severity: Severity, created_at: DateTime<Utc>) -> DateTime<Utc> {
        match self.target(plan, severity) {
            Target::Elapsed(duration) => created_at.checked_add_signed(duration).unwrap_or(created_at),
            Target::Business(duration) => self.calendar.add_business_time(created_at, duration),
        }
    }

    /// When the first response to a case of this customer (unknown
    /// customers are on `standard`) and severity, opened at `created_at`, is
    /// due. The target follows the current severity, so reassessing moves it.
    pub fn first_response_due(&self, customer: &str, severity: Severity, created_at: DateTime<Utc>) -> DateTime<Utc> {
        self.due(self.config.plan_of(customer), severity, created_at)
    }
}

/// What a view needs from policy: the customer's plan and the due instant.
#[derive(Debug, Clone)]
pub struct Due {
    /// The customer's plan spelling.
    pub plan: String,
    /// When the first response is (or was) due.
    pub first_response_due: DateTime<Utc>,
}

/// Whether a case is past its first-response target with no first response.
pub fn is_overdue(summary: &Digest, due: &DateTime<Utc>, now: DateTime<Utc>) -> bool {
    summary.first_response_at.is_none() && summary.status != Status::Closed && now > *due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        crate::core::time::parse_instant(text).expect("test instant")
    }

    /// A local wall-clock time in `zone`, as UTC (the zone's real offset that day).
    fn local_in(zone: &str, text: &str) -> DateTime<Utc> {
        let zone: Tz = zone.parse().expect("zone");
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("local time");
        zone.from_local_datetime(&naive)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    /// Sao Paulo local time: the default calendar's zone.
    fn sp(text: &str) -> DateTime<Utc> {
        local_in("America/Sao_Paulo", text)
    }

    fn config(yaml: &str) -> Config {
        serde_yaml::from_str(yaml).expect("test config")
    }

    fn policy(yaml: &str) -> Policy {
        Policy::new(&config(yaml)).expect("valid policy")
    }

    fn refusal(yaml: &str) -> String {
        Policy::new(&config(yaml)).expect_err("policy must be refused")
    }

    fn standard_due(policy: &Policy, opened: DateTime<Utc>) -> DateTime<Utc> {
        policy.due(Plan::Standard, Severity::Medium, opened)
    }

    #[test]
    fn every_plan_and_severity_has_the_spec_default_target() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        let day = Target::Business(Duration::hours(12));
        let expected = [
            (Plan::Standard, Severity::Low, day),
            (Plan::Standard, Severity::Medium, day),
            (Plan::Standard, Severity::High, day),
            (Plan::Plus, Severity::Low, Target::Elapsed(Duration::hours(8))),
            (Plan::Plus, Severity::Medium, Target::Elapsed(Duration::hours(4))),
            (Plan::Plus, Severity::High, Target::Elapsed(Duration::hours(2))),
            (
                Plan::MissionCritical,
                Severity::Low,
                Target::Elapsed(Duration::hours(4)),
            ),
            (
                Plan::MissionCritical,
                Severity::Medium,
                Target::Elapsed(Duration::hours(2)),
            ),
            (
                Plan::MissionCritical,
                Severity::High,
                Target::Elapsed(Duration::minutes(30)),
            ),
        ];
        for (plan, severity, target) in expected {
            assert_eq!(policy.target(plan, severity), target, "{plan:?} {severity:?}");
        }
    }

    #[test]
    fn every_plan_and_severity_gives_the_spec_due_instant() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        // Thursday 10:00 in Sao Paulo: standard is due Friday 10:00 local.
        let opened = sp("2026-11-19 10:00");
        let expected = [
            (Plan::Standard, Severity::Low, sp("2026-11-20 10:00")),
            (Plan::Standard, Severity::Medium, sp("2026-11-20 10:00")),
            (Plan::Standard, Severity::High, sp("2026-11-20 10:00")),
            (Plan::Plus, Severity::Low, utc("2026-11-19T21:00:00Z")),
            (Plan::Plus, Severity::Medium, utc("2026-11-19T17:00:00Z")),
            (Plan::Plus, Severity::High, utc("2026-11-19T15:00:00Z")),
            (Plan::MissionCritical, Severity::Low, utc("2026-11-19T17:00:00Z")),
            (Plan::MissionCritical, Severity::Medium, utc("2026-11-19T15:00:00Z")),
            (Plan::MissionCritical, Severity::High, utc("2026-11-19T13:30:00Z")),
        ];
        for (plan, severity, due) in expected {
            assert_eq!(policy.due(plan, severity, opened), due, "{plan:?} {severity:?}");
        }
    }

    #[test]
    fn plus_and_mission_critical_run_through_nights_and_weekends() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        let saturday_night = sp("2026-11-21 23:00");
        assert_eq!(
            policy.due(Plan::Plus, Severity::Low, saturday_night),
            saturday_night + Duration::hours(8)
        );
        assert_eq!(
            policy.due(Plan::MissionCritical, Severity::High, saturday_night),
            saturday_night + Duration::minutes(30)
        );
    }

    #[test]
    fn unknown_customer_is_on_the_standard_plan() {
        let policy = policy("customers: [{name: Globex, plan: plus}]");
        let friday_evening = sp("2026-11-20 19:00");
        assert_eq!(
            policy.first_response_due("Nobody Ltd", Severity::High, friday_evening),
            sp("2026-11-23 19:00")
        );
        assert_eq!(
            policy.first_response_due("globex", Severity::High, friday_evening),
            friday_evening + Duration::hours(2),
            "customer names match case-insensitively"
        );
    }

    #[test]
    fn friday_19_00_is_due_monday_19_00_local() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&policy, sp("2026-11-20 19:00")), sp("2026-11-23 19:00"));
    }

    #[test]
    fn opened_on_saturday_is_due_monday_20_00() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&policy, sp("2026-11-21 11:00")), sp("2026-11-23 20:00"));
        assert_eq!(standard_due(&policy, sp("2026-11-22 23:59")), sp("2026-11-23 20:00"));
    }

    #[test]
    fn opened_exactly_at_closing_time_counts_from_the_next_working_day() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&policy, sp("2026-11-19 20:00")), sp("2026-11-20 20:00"));
        assert_eq!(standard_due(&policy, sp("2026-11-20 20:00")), sp("2026-11-23 20:00"));
        // One minute earlier, one covered minute is left that day.
        assert_eq!(standard_due(&policy, sp("2026-11-19 19:59")), sp("2026-11-20 19:59"));
    }

    #[test]
    fn opened_exactly_at_opening_time_is_due_at_closing_time_the_same_day() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&policy, sp("2026-11-19 08:00")), sp("2026-11-19 20:00"));
    }

    #[test]
    fn opened_before_opening_time_counts_from_opening() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&policy, sp("2026-11-19 07:00")), sp("2026-11-19 20:00"));
        assert_eq!(standard_due(&policy, sp("2026-11-19 00:00")), sp("2026-11-19 20:00"));
    }

    #[test]
    fn a_holiday_from_config_has_no_covered_hours() {
        // 2026-11-20 (Friday) is a Brazilian national holiday.
        let policy = policy("business_hours: {holidays: [2026-11-20]}");
        assert_eq!(standard_due(&policy, sp("2026-11-19 19:00")), sp("2026-11-23 19:00"));
        assert_eq!(standard_due(&policy, sp("2026-11-20 10:00")), sp("2026-11-23 20:00"));
        let without = Policy::new(&Config::default()).expect("defaults are valid");
        assert_eq!(standard_due(&without, sp("2026-11-19 19:00")), sp("2026-11-20 19:00"));
    }

    #[test]
    fn consecutive_holidays_after_a_weekend_are_all_skipped() {
        let policy = policy("business_hours: {holidays: ['2026-12-24', '2026-12-25']}");
        // Wednesday 23rd 19:00: 1 h that day, then Thursday and Friday off, the weekend, Monday 28th.
        assert_eq!(standard_due(&policy, sp("2026-12-23 19:00")), sp("2026-12-28 19:00"));
    }

    #[test]
    fn daylight_saving_changes_of_other_zones_do_not_move_sao_paulo_targets() {
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        // Fridays just before Europe (Oct 25, Mar 29) and the US (Nov 1, Mar 8)
        // change their clocks, and an ordinary Friday: all due Monday 19:00
        // Sao Paulo (no DST since 2019), i.e. 22:00 UTC, 72 hours later.
        for friday in ["2026-10-23", "2026-10-30", "2026-03-06", "2026-03-27", "2026-11-13"] {
            let opened = sp(&format!("{friday} 19:00"));
            assert_eq!(opened.format("%H:%M").to_string(), "22:00", "{friday}");
            let due = standard_due(&policy, opened);
            assert_eq!(due - opened, Duration::hours(72), "{friday}");
            assert_eq!(due.format("%A %H:%M").to_string(), "Monday 22:00", "{friday}");
        }
    }

    #[test]
    fn the_calendar_follows_the_zone_database_not_a_fixed_offset() {
        // Brazil still had DST in 2018 (from Sunday 4 November): Monday 19:00
        // local is then 21:00 UTC, one hour earlier than the Friday offset gives.
        let policy = Policy::new(&Config::default()).expect("defaults are valid");
        let opened = sp("2018-11-02 19:00");
        assert_eq!(opened, utc("2018-11-02T22:00:00Z"));
        assert_eq!(standard_due(&policy, opened), utc("2018-11-05T21:00:00Z"));
        // A New York calendar across the US change on Sunday 1 November 2026.
        let new_york = policy_in("America/New_York");
        let opened = local_in("America/New_York", "2026-10-30 19:00");
        assert_eq!(opened, utc("2026-10-30T23:00:00Z"));
        assert_eq!(standard_due(&new_york, opened), utc("2026-11-03T00:00:00Z"));
    }

    fn policy_in(zone: &str) -> Policy {
        policy(&format!("business_hours: {{timezone: {zone}}}"))
    }

    #[test]
    fn an_opening_time_skipped_by_a_dst_jump_opens_when_the_clock_catches_up() {
        // Tehran jumped from 00:00 to 01:00 on Monday 22 March 2021; an
        // office opening at 00:30 opened at 01:00 that day instead of not at all.
        let tehran = policy(
            "business_hours: {timezone: Asia/Tehran, start: '00:30', end: '12:00'}\ntargets: {standard: {high: 2h}}",
        );
        let sunday_evening = utc("2021-03-21T18:00:00Z");
        let due = tehran.due(Plan::Standard, Severity::High, sunday_evening);
        assert_eq!(due, local_in("Asia/Tehran", "2021-03-22 03:00"));
        assert_eq!(due, utc("2021-03-21T22:30:00Z"));
    }

    #[test]
    fn config_overrides_one_target_and_keeps_the_other_defaults() {
        let policy = policy("targets: {plus: {low: 6h}, mission-critical: {high: 15m}}");
        assert_eq!(
            policy.target(Plan::Plus, Severity::Low),
            Target::Elapsed(Duration::hours(6))
        );
        assert_eq!(
            policy.target(Plan::Plus, Severity::Medium),
            Target::Elapsed(Duration::hours(4))
        );
        assert_eq!(
            policy.target(Plan::Plus, Severity::High),
            Target::Elapsed(Duration::hours(2))
        );
        assert_eq!(
            policy.target(Plan::MissionCritical, Severity::High),
            Target::Elapsed(Duration::minutes(15))
        );
        assert_eq!(
            policy.target(Plan::MissionCritical, Severity::Low),
            Target::Elapsed(Duration::hours(4))
        );
        assert_eq!(
            policy.target(Plan::Standard, Severity::Low),
            Target::Business(Duration::hours(12))
        );
    }

    #[test]
    fn config_overrides_a_whole_plan() {
        let policy = policy("targets:\n  plus: {low: 6h, medium: 3h, high: 90m}\n");
        let opened = utc("2026-11-19T10:00:00Z");
        assert_eq!(
            policy.due(Plan::Plus, Severity::Low, opened),
            utc("2026-11-19T16:00:00Z")
        );
        assert_eq!(
            policy.due(Plan::Plus, Severity::Medium, opened),
            utc("2026-11-19T13:00:00Z")
        );
        assert_eq!(
            policy.due(Plan::Plus, Severity::High, opened),
            utc("2026-11-19T11:30:00Z")
        );
    }

    #[test]
    fn standard_overrides_count_covered_hours() {
        let policy = policy("targets: {standard: {low: 2bd, high: 4h}}");
        // 4 covered hours from Friday 19:00: 1 h on Friday, 3 h on Monday.
        assert_eq!(
            policy.due(Plan::Standard, Severity::High, sp("2026-11-20 19:00")),
            sp("2026-11-23 11:00")
        );
        assert_eq!(
            policy.due(Plan::Standard, Severity::Low, sp("2026-11-19 10:00")),
            sp("2026-11-23 10:00")
        );
        assert_eq!(
            policy.due(Plan::Standard, Severity::Medium, sp("2026-11-19 10:00")),
            sp("2026-11-20 10:00")
        );
    }

    #[test]
    fn a_business_day_is_the_configured_covered_hours() {
        let policy = policy("business_hours: {start: '09:00', end: '17:00'}");
        assert_eq!(
            policy.target(Plan::Standard, Severity::High),
            Target::Business(Duration::hours(8))
        );
        assert_eq!(standard_due(&policy, sp("2026-11-20 16:00")), sp("2026-11-23 16:00"));
    }

    #[test]
    fn a_day_on_a_24x7_plan_is_24_hours() {
        let policy = policy("targets: {plus: {low: 2d}}");
        assert_eq!(
            policy.target(Plan::Plus, Severity::Low),
            Target::Elapsed(Duration::hours(48))
        );
    }

    #[test]
    fn invalid_targets_are_refused_naming_the_key() {
        let cases = [
            ("targets: {plus: {low: 4x}}", "targets.plus.low", "unknown unit \"x\""),
            ("targets: {plus: {low: '4'}}", "targets.plus.low", "no unit"),
            ("targets: {plus: {medium: h}}", "targets.plus.medium", "not a target"),
            (
                "targets: {plus: {high: 1.5h}}",
                "targets.plus.high",
                "unknown unit \".5h\"",
            ),
            ("targets: {plus: {high: -2h}}", "targets.plus.high", "not a target"),
            (
                "targets: {mission-critical: {high: 0m}}",
                "targets.mission-critical.high",
                "zero",
            ),
            ("targets: {plus: {low: 1bd}}", "targets.plus.low", "business days"),
            (
                "targets: {standard: {low: 400d}}",
                "targets.standard.low",
                "longer than 366 days",
            ),
            (
                "targets: {plus: {low: 99999999999999999999h}}",
                "targets.plus.low",
                "not a target",
            ),
            (
                "targets: {plus: {low: 9999999999h}}",
                "targets.plus.low",
                "longer than 366 days",
            ),
        ];
        for (yaml, key, reason) in cases {
            let message = refusal(yaml);
            assert!(message.starts_with(key), "{yaml}: {message}");
            assert!(message.contains(reason), "{yaml}: {message}");
            assert!(
                message.contains("e.g.") || !reason.contains("unit"),
                "{yaml}: {message}"
            );
        }
    }

    #[test]
    fn an_invalid_calendar_is_refused_with_a_clear_message() {
        let cases = [
            (
                "business_hours: {timezone: Mars/Olympus}",
                "business_hours.timezone \"Mars/Olympus\" is not an IANA time zone",
            ),
            ("business_hours: {timezone: '-03:00'}", "is not an IANA time zone"),
            (
                "business_hours: {start: '8h00'}",
                "business_hours.start \"8h00\" must be a local time HH:MM",
            ),
            (
                "business_hours: {end: '25:00'}",
                "business_hours.end \"25:00\" must be a local time HH:MM",
            ),
            (
                "business_hours: {start: '20:00', end: '08:00'}",
                "business_hours.start (20:00) must be before business_hours.end (08:00)",
            ),
            (
                "business_hours: {holidays: [2026-13-01]}",
                "business_hours.holidays: \"2026-13-01\" must be a date YYYY-MM-DD",
            ),
            (
                "business_hours: {holidays: [christmas]}",
                "\"christmas\" must be a date",
            ),
        ];
        for (yaml, expected) in cases {
            let message = refusal(yaml);
            assert!(message.contains(expected), "{yaml}: {message}");
        }
    }

    #[test]
    fn unknown_plans_and_severities_in_targets_are_refused_by_the_parser() {
        let typo: Result<Config, _> = serde_yaml::from_str("targets: {plus: {hihg: 1h}}");
        assert!(typo.unwrap_err().to_string().contains("hihg"));
        let plan: Result<Config, _> = serde_yaml::from_str("targets: {premium: {high: 1h}}");
        assert!(plan.unwrap_err().to_string().contains("premium"));
    }

    #[test]
    fn parse_target_units() {
        let day = Duration::hours(12);
        assert_eq!(
            parse_target("30m", false, day),
            Ok(Target::Elapsed(Duration::minutes(30)))
        );
        assert_eq!(
            parse_target("45min", false, day),
            Ok(Target::Elapsed(Duration::minutes(45)))
        );
        assert_eq!(
            parse_target(" 4h ", false, day),
            Ok(Target::Elapsed(Duration::hours(4)))
        );
        assert_eq!(parse_target("1d", false, day), Ok(Target::Elapsed(Duration::hours(24))));
        assert_eq!(
            parse_target("1bd", true, day),
            Ok(Target::Business(Duration::hours(12)))
        );
        assert_eq!(parse_target("3d", true, day), Ok(Target::Business(Duration::hours(36))));
        assert_eq!(parse_target("5h", true, day), Ok(Target::Business(Duration::hours(5))));
    }
}
