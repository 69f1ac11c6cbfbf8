//! First-response targets (SPEC section 2): by the customer's plan and the
//! case's severity, counted on the 24x7 clock or, for `standard`, in covered
//! business hours on a 12x5 calendar in the configured time zone. Pure.

use crate::config::{BusinessHours, Config, Plan};
use crate::fields::Severity;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A target read from config: wall-clock time, or covered business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Elapsed time on the 24x7 clock.
    Elapsed(Duration),
    /// Covered time on the business-hours calendar.
    Business(Duration),
}

/// Parses a target such as `30m`, `4h`, `2d` or `1bd`. In a business-hours
/// plan every unit counts covered time and a day (`d` or `bd`) is the covered
/// hours of one working day; in a 24x7 plan a day is 24 hours.
pub fn parse_target(text: &str, business: bool, day: Duration) -> Result<Target, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("target {text:?} must be a number and a unit (m, h, d or bd), e.g. 4h"))?;
    let duration = match unit.trim() {
        "m" | "min" => Duration::minutes(number),
        "h" => Duration::hours(number),
        "d" | "bd" if business => day * number as i32,
        "d" | "bd" => Duration::days(number),
        other => {
            return Err(format!(
                "target {text:?} has unknown unit {other:?} (expected m, h, d or bd)"
            ))
        }
    };
    Ok(if business {
        Target::Business(duration)
    } else {
        Target::Elapsed(duration)
    })
}

/// The business-hours calendar, parsed from config.
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
        let zone: Tz = hours
            .timezone
            .parse()
            .map_err(|_| format!("business_hours.timezone {:?} is not an IANA time zone", hours.timezone))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| format!("business hours time {t:?} must be HH:MM"))
        };
        let (start, end) = (time(&hours.start)?, time(&hours.end)?);
        if start >= end {
            return Err("business_hours.start must be before business_hours.end".into());
        }
        let holidays = hours
            .holidays
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| format!("holiday {d:?} must be YYYY-MM-DD")))
            .collect::<Result<_, _>>()?;
        Ok(Calendar {
            zone,
            start,
            end,
            holidays,
        })
    }

    /// Covered hours of one working day (a business day).
    pub fn day_length(&self) -> Duration {
        self.end - self.start
    }

    fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    fn local(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        self.zone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The instant when `covered` business time has elapsed after `from`.
    pub fn add_business_time(&self, from: DateTime<Utc>, covered: Duration) -> DateTime<Utc> {
        let mut remaining = covered;
        let mut date = from.with_timezone(&self.zone).date_naive();
        // Bounded: even with a year of holidays the loop ends within ~10 years.
        for _ in 0..3660 {
            if self.is_working_day(date) {
                if let (Some(open), Some(close)) = (self.local(date, self.start), self.local(date, self.end)) {
                    if from < close {
                        let begin = open.max(from);
                        let available = close - begin;
                        if remaining <= available {
                            return begin + remaining;
                        }
                        remaining -= available;
                    }
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        from + covered
    }
}

/// The first-response target of one plan and severity.
pub fn target_for(config: &Config, calendar: &Calendar, plan: Plan, severity: Severity) -> Result<Target, String> {
    let targets = match plan {
        Plan::Standard => &config.targets.standard,
        Plan::Plus => &config.targets.plus,
        Plan::MissionCritical => &config.targets.mission_critical,
    };
    let text = match severity {
        Severity::Low => &targets.low,
        Severity::Medium => &targets.medium,
        Severity::High => &targets.high,
    };
    parse_target(text, plan == Plan::Standard, calendar.day_length())
}

/// Computes first-response due instants for a store's config.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Config,
    calendar: Calendar,
}

impl Policy {
    /// Validates the targets and calendar of a config.
    pub fn new(config: &Config) -> Result<Policy, String> {
        let calendar = Calendar::from_config(&config.business_hours)?;
        for plan in [Plan::Standard, Plan::Plus, Plan::MissionCritical] {
            for severity in Severity::ALL {
                target_for(config, &calendar, plan, *severity)?;
            }
        }
        Ok(Policy {
            config: config.clone(),
            calendar,
        })
    }

    /// When the first response to a case of this customer and severity,
    /// opened at `created_at`, is due.
    pub fn first_response_due(&self, customer: &str, severity: Severity, created_at: DateTime<Utc>) -> DateTime<Utc> {
        let plan = self.config.plan_of(customer);
        match target_for(&self.config, &self.calendar, plan, severity) {
            Ok(Target::Elapsed(duration)) => created_at + duration,
            Ok(Target::Business(duration)) => self.calendar.add_business_time(created_at, duration),
            // Policy::new validated every target.
            Err(_) => created_at,
        }
    }
}
