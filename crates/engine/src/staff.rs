//! What a staff grant carries beyond its doors and dates: its level (area, floor, master,
//! emergency) with a floor card's floors, and the shifts it works in the property's local
//! time (`docs/cards.md`, "Staff levels and zones").

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::RuleError;
use crate::lock::{Shift, StaffLevel};

/// The most shifts one staff card carries (the card image's limit).
pub const MAX_SCHEDULE_WINDOWS: usize = 7;

/// A staff grant's level and schedule.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTerms {
    pub level: StaffLevel,
    /// A floor card's floors; no other level has any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<i32>,
    /// When the card works; always when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ScheduleWindow>,
}

/// Days and hours a staff card works, in the property's local time: `{days: ["mon", …],
/// from: "08:00", to: "16:00"}`. A window whose end is before its start crosses midnight
/// (a night shift), and belongs to the day it starts.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleWindow {
    pub days: Vec<Day>,
    pub from: ClockTime,
    pub to: ClockTime,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    /// The day's bit on a card: bit 0 is Monday.
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A time of day to the minute, `"HH:MM"` from `"00:00"` to `"24:00"` (the end of a day).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub const MIDNIGHT: Self = Self(0);
    pub const END_OF_DAY: Self = Self(24 * 60);

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (hours, minutes) = text.split_once(':')?;
        let digits = |part: &str| part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit());
        if !digits(hours) || !digits(minutes) {
            return None;
        }
        let hours: u16 = hours.parse().ok()?;
        let minutes: u16 = minutes.parse().ok()?;
        let total = hours.checked_mul(60)?.checked_add(minutes)?;
        (minutes < 60 && total <= Self::END_OF_DAY.0).then_some(Self(total))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{text:?} is not a time of day (HH:MM, 00:00 to 24:00)"
            ))
        })
    }
}

impl StaffTerms {
    /// Refuses terms a card cannot carry or that say nothing, naming the field.
    pub fn check(&self) -> Result<(), RuleError> {
        match self.level {
            StaffLevel::Floor if self.floors.is_empty() => {
                return Err(RuleError::invalid(
                    "floors",
                    "a floor card needs the floors it opens",
                ));
            }
            StaffLevel::Floor => {}
            _ if !self.floors.is_empty() => {
                return Err(RuleError::invalid(
                    "floors",
                    "only a floor card (staff_level floor) takes floors",
                ));
            }
            _ => {}
        }
        for (index, floor) in self.floors.iter().enumerate() {
            if i16::try_from(*floor).is_err() {
                return Err(RuleError::invalid(
                    format!("floors[{index}]"),
                    "is not a floor of a building",
                ));
            }
            if self.floors[..index].contains(floor) {
                return Err(RuleError::invalid(
                    format!("floors[{index}]"),
                    format!("floor {floor} is named twice"),
                ));
            }
        }
        if self.schedule.len() > MAX_SCHEDULE_WINDOWS {
            return Err(RuleError::invalid(
                "schedule",
                format!("a card carries at most {MAX_SCHEDULE_WINDOWS} windows"),
            ));
        }
        for (index, window) in self.schedule.iter().enumerate() {
            if window.days.is_empty() {
                return Err(RuleError::invalid(
                    format!("schedule[{index}].days"),
                    "name at least one day",
                ));
            }
            if window.from == window.to {
                return Err(RuleError::invalid(
                    format!("schedule[{index}].to"),
                    "must differ from `from`: the window would be empty",
                ));
            }
            if window.from == ClockTime::END_OF_DAY {
                return Err(RuleError::invalid(
                    format!("schedule[{index}].from"),
                    "a window starts before 24:00",
                ));
            }
        }
        Ok(())
    }

    /// The shifts the card carries, one per window.
    pub fn shifts(&self) -> Vec<Shift> {
        self.schedule
            .iter()
            .map(|window| Shift {
                weekdays: window.days.iter().fold(0, |bits, day| bits | day.bit()),
                start_minute: window.from.minutes(),
                end_minute: window.to.minutes(),
            })
            .collect()
    }
}
