//! The property file (`docs/property-file.md`): a property's access systems, spaces and entrances.
//!
//! A file that breaks any rule is refused as a whole with every problem listed by path, so
//! the document is walked by hand rather than deserialized (serde stops at the first error
//! and would silently drop misspelled fields).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::model::{AccessMode, AccessSystemKind, SpaceKind};

/// Inputs above this are refused before parsing: a real property is a few hundred KiB.
pub const MAX_PROPERTY_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 64;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 255;
/// Longest room number a PMS sends (FIAS `RN`: eight characters, more in OPERA and Suite8).
pub const MAX_PMS_ROOM_NUMBER_CHARS: usize = 20;
/// Key-option positions a PMS sends (FIAS `KO`: one character a position, twenty of them).
pub const PMS_KEY_OPTIONS: std::ops::RangeInclusive<u32> = 1..=20;
/// Lowest and highest floor accepted: anything outside is a typo, not a building.
pub const FLOOR_RANGE: std::ops::RangeInclusive<i32> = -10..=300;

/// The demo property that ships inside the app (Harbor View Hotel).
pub const DEMO_PROPERTY_JSON: &str = include_str!("../demo-property.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyFile {
    pub property: PropertyInfo,
    pub access_systems: Vec<AccessSystemDef>,
    pub spaces: Vec<SpaceDef>,
    pub entrances: Vec<EntranceDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyInfo {
    pub name: String,
    /// An IANA name such as `Europe/Lisbon`; known to `chrono_tz`.
    pub time_zone: String,
    /// How the property writes dates, as a language tag with its region (`en-GB`, `en-US`,
    /// `es-ES`): day, month and year in that order in every date field of the desk.
    pub locale: String,
}

/// The property's `locale` when its file gives none.
pub const DEFAULT_LOCALE: &str = "en-GB";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessSystemDef {
    pub key: String,
    pub name: String,
    pub kind: AccessSystemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceDef {
    pub key: String,
    pub name: String,
    // Omitted rather than null, so a serialized file reads like a hand-written one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
    pub kind: SpaceKind,
    /// The room's number in the property-management system (FIAS `RN`), when it differs
    /// from the key; unique.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pms_room_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntranceDef {
    pub key: String,
    pub name: String,
    /// Key of an access system of the same file.
    pub access_system: String,
    /// Keys of spaces of the same file; never empty.
    pub spaces: Vec<String>,
    pub can_belong_to_reservation: bool,
    /// Never empty, no duplicates.
    pub modes: Vec<AccessMode>,
    /// The position of the PMS's key options (FIAS `KO`) that puts this common-area
    /// entrance on a guest's key or leaves it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pms_key_option: Option<u32>,
}

/// One broken rule. `path` is where, e.g. `entrances[3].access_system`; `$` is the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Parses and validates a property file. On failure every problem found is returned, in
/// document order.
pub fn parse_property(json: &str) -> Result<PropertyFile, Vec<Problem>> {
    if json.len() > MAX_PROPERTY_FILE_BYTES {
        return Err(vec![Problem {
            path: ROOT.to_owned(),
            message: format!(
                "the file is {} bytes; at most {MAX_PROPERTY_FILE_BYTES} (16 MiB) are accepted",
                json.len()
            ),
        }]);
    }
    // Editors on Windows like to start UTF-8 files with a byte-order mark.
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);

    let mut checker = Checker::default();
    let root = match read_json(json, &mut checker.problems) {
        Ok(root) => root,
        Err(error) => {
            return Err(vec![Problem {
                path: ROOT.to_owned(),
                message: format!("invalid JSON: {error}"),
            }]);
        }
    };
    let file = checker.file(&root);
    match file {
        Some(file) if checker.problems.is_empty() => Ok(file),
        _ => Err(checker.problems),
    }
}

/// The demo property. The shipped file is checked by a test, so it cannot fail at run time.
pub fn demo_property() -> PropertyFile {
    parse_property(DEMO_PROPERTY_JSON)
        .expect("the bundled demo-property.json is valid (checked by the engine's tests)")
}

/// Path of the whole document.
const ROOT: &str = "$";

/// Path of a field of the object at `parent` ("" is the top level).
fn field_path(parent: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty(), plain) {
        (true, true) => name.to_owned(),
        (false, true) => format!("{parent}.{name}"),
        (true, false) => format!("{ROOT}[{}]", quoted(name)),
        (false, false) => format!("{parent}[{}]", quoted(name)),
    }
}

fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// A value from the file, quoted and escaped for a message, cut short so that a huge string
/// cannot make a huge message.
fn quoted(text: &str) -> String {
    const SHOWN_CHARS: usize = 80;
    if text.chars().count() <= SHOWN_CHARS {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{head:?}…")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected_list<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter()
        .map(|item| name(*item))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads JSON text into a `Value`, reporting names repeated within one object (serde_json
/// would silently keep the last). The first occurrence is the one kept.
fn read_json(json: &str, problems: &mut Vec<Problem>) -> Result<Value, serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = ValueSeed {
        path: String::new(),
        duplicates: &duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    problems.extend(duplicates.into_inner());
    Ok(value)
}

struct ValueSeed<'a> {
    path: String,
    duplicates: &'a RefCell<Vec<Problem>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // JSON text cannot spell NaN or infinity, so `None` does not happen.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = ValueSeed {
                path: index_path(&self.path, items.len()),
                duplicates: self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let path = field_path(&self.path, &name);
            if object.contains_key(&name) {
                map.next_value::<IgnoredAny>()?;
                self.duplicates.borrow_mut().push(Problem {
                    path,
                    message: "field appears more than once in the same object".to_owned(),
                });
            } else {
                let value = map.next_value_seed(ValueSeed {
                    path,
                    duplicates: self.duplicates,
                })?;
                object.insert(name, value);
            }
        }
        Ok(Value::Object(object))
    }
}

/// Collects problems while walking the document. Each `Option` it returns is `None` when the
/// part was unusable; the problem saying why has then been recorded.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    /// Every access system key seen (even a malformed one, so that entrances naming it do
    /// not add a second, misleading problem), with its kind when that was valid.
    systems: HashMap<String, Option<AccessSystemKind>>,
    /// Likewise for spaces.
    spaces: HashMap<String, Option<SpaceKind>>,
    entrances: HashSet<String>,
    /// PMS room numbers and key-option positions seen, with where.
    pms_room_numbers: HashMap<String, String>,
    pms_key_options: HashMap<u32, String>,
    /// False when `access_systems` (or `spaces`) is not a list at all: that is already
    /// reported, and every entrance naming a system (or space) would only repeat it.
    check_system_refs: bool,
    check_space_refs: bool,
}

impl Checker {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        let path = if path.is_empty() { ROOT } else { path };
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn file(&mut self, root: &Value) -> Option<PropertyFile> {
        let map = self.object("", root)?;
        let property = self
            .required(map, "", "property")
            .and_then(|v| self.property(v));
        let access_systems = self.list(map, "", "access_systems", Self::access_system);
        let spaces = self.list(map, "", "spaces", Self::space);
        self.check_system_refs = matches!(map.get("access_systems"), Some(Value::Array(_)));
        self.check_space_refs = matches!(map.get("spaces"), Some(Value::Array(_)));
        let entrances = self.list(map, "", "entrances", Self::entrance);
        if let Some(Value::Array(items)) = map.get("entrances")
            && items.is_empty()
        {
            self.problem("entrances", "at least one entrance is required");
        }
        self.unknown_fields(
            map,
            "",
            &["property", "access_systems", "spaces", "entrances"],
        );
        Some(PropertyFile {
            property: property?,
            access_systems: access_systems?,
            spaces: spaces?,
            entrances: entrances?,
        })
    }

    fn property(&mut self, value: &Value) -> Option<PropertyInfo> {
        let path = "property";
        let map = self.object(path, value)?;
        let name = self.name(map, path);
        let time_zone = self.required_str(map, path, "time_zone").and_then(|zone| {
            if chrono_tz::Tz::from_str(zone).is_ok() {
                Some(zone.to_owned())
            } else {
                self.problem(
                    &field_path(path, "time_zone"),
                    format!(
                        "unknown time zone {}; expected an IANA name such as \"Europe/Lisbon\"",
                        quoted(zone)
                    ),
                );
                None
            }
        });
        let locale = self.locale(map, path);
        self.unknown_fields(map, path, &["name", "time_zone", "locale"]);
        Some(PropertyInfo {
            name: name?,
            time_zone: time_zone?,
            locale: locale?,
        })
    }

    /// The property's `locale`: optional, a language and a region (`en-GB`); the language's
    /// two or three lower-case letters, the region's two capitals or three digits.
    fn locale(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let field = field_path(path, "locale");
        let tag = match map.get("locale") {
            None | Some(Value::Null) => return Some(DEFAULT_LOCALE.to_owned()),
            Some(Value::String(tag)) => tag.trim(),
            Some(other) => {
                self.wrong_type(&field, "a string", other);
                return None;
            }
        };
        let well_formed = tag.split_once('-').is_some_and(|(language, region)| {
            (2..=3).contains(&language.len())
                && language.bytes().all(|b| b.is_ascii_lowercase())
                && ((region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()))
                    || (region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit())))
        });
        if !well_formed {
            self.problem(
                &field,
                format!(
                    "{} is not a language with its region; expected a tag such as \"en-GB\", \"en-US\" or \"es-ES\"",
                    quoted(tag)
                ),
            );
            return None;
        }
        Some(tag.to_owned())
    }

    fn access_system(&mut self, path: &str, value: &Value) -> Option<AccessSystemDef> {
        let map = self.object(path, value)?;
        let key = self.key(map, path);
        let fresh = key.as_deref().is_some_and(|key| {
            let seen = self.systems.contains_key(key);
            self.claim(path, key, seen);
            !seen
        });
        let name = self.name(map, path);
        let kind = self.required_str(map, path, "kind").and_then(|text| {
            let kind = AccessSystemKind::parse(text);
            if kind.is_none() {
                self.unknown_kind(
                    path,
                    text,
                    &expected_list(&AccessSystemKind::ALL, |k| k.as_str()),
                );
            }
            kind
        });
        self.unknown_fields(map, path, &["key", "name", "kind"]);
        let key = key.filter(|_| fresh)?;
        self.systems.insert(key.clone(), kind);
        Some(AccessSystemDef {
            key,
            name: name?,
            kind: kind?,
        })
    }

    fn space(&mut self, path: &str, value: &Value) -> Option<SpaceDef> {
        let map = self.object(path, value)?;
        let key = self.key(map, path);
        let fresh = key.as_deref().is_some_and(|key| {
            let seen = self.spaces.contains_key(key);
            self.claim(path, key, seen);
            !seen
        });
        let name = self.name(map, path);
        let floor = self.floor(map, path);
        let kind = self.required_str(map, path, "kind").and_then(|text| {
            let kind = SpaceKind::parse(text);
            if kind.is_none() {
                self.unknown_kind(path, text, &expected_list(&SpaceKind::ALL, |k| k.as_str()));
            }
            kind
        });
        let pms_room_number = self.pms_room_number(map, path);
        self.unknown_fields(
            map,
            path,
            &["key", "name", "floor", "kind", "pms_room_number"],
        );
        let key = key.filter(|_| fresh)?;
        self.spaces.insert(key.clone(), kind);
        Some(SpaceDef {
            key,
            name: name?,
            floor: floor?,
            kind: kind?,
            pms_room_number: pms_room_number?,
        })
    }

    /// A space's `pms_room_number`: optional; printable, no `|` (FIAS's field separator), at
    /// most [`MAX_PMS_ROOM_NUMBER_CHARS`], unique. `Some(None)` when absent.
    fn pms_room_number(&mut self, map: &Map<String, Value>, path: &str) -> Option<Option<String>> {
        let field = field_path(path, "pms_room_number");
        let number = match map.get("pms_room_number") {
            None | Some(Value::Null) => return Some(None),
            Some(Value::String(number)) => number.trim(),
            Some(other) => {
                self.wrong_type(&field, "a string", other);
                return None;
            }
        };
        let length = number.chars().count();
        if number.is_empty() {
            self.problem(&field, "must not be empty (leave it out to use the key)");
            return None;
        }
        if length > MAX_PMS_ROOM_NUMBER_CHARS {
            self.problem(
                &field,
                format!(
                    "is {length} characters long; at most {MAX_PMS_ROOM_NUMBER_CHARS} are allowed"
                ),
            );
            return None;
        }
        if number.chars().any(|c| c.is_control() || c == '|') {
            self.problem(&field, "must not contain control characters or \"|\"");
            return None;
        }
        if let Some(first) = self.pms_room_numbers.get(number) {
            self.problem(
                &field,
                format!("{} is already the room number of {first}", quoted(number)),
            );
            return None;
        }
        self.pms_room_numbers
            .insert(number.to_owned(), path.to_owned());
        Some(Some(number.to_owned()))
    }

    /// An entrance's `pms_key_option`: optional; a position of FIAS's `KO` field
    /// ([`PMS_KEY_OPTIONS`]), unique, and only on an entrance to common areas (a guest's own
    /// room doors are always on the key). `Some(None)` when absent.
    fn pms_key_option(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        spaces: Option<&[String]>,
    ) -> Option<Option<u32>> {
        let field = field_path(path, "pms_key_option");
        let position = match map.get("pms_key_option") {
            None | Some(Value::Null) => return Some(None),
            Some(Value::Number(number)) => number
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| PMS_KEY_OPTIONS.contains(n)),
            Some(other) => {
                self.wrong_type(&field, "an integer", other);
                return None;
            }
        };
        let Some(position) = position else {
            self.problem(
                &field,
                format!(
                    "expected a position from {} to {}",
                    PMS_KEY_OPTIONS.start(),
                    PMS_KEY_OPTIONS.end()
                ),
            );
            return None;
        };
        if let Some(spaces) = spaces {
            let common = spaces.iter().all(|space| {
                matches!(
                    self.spaces.get(space.as_str()),
                    Some(Some(SpaceKind::Common))
                )
            });
            if !common {
                self.problem(
                    &field,
                    "only an entrance to common areas has a key option; a room's own doors are \
                     always on its key",
                );
                return None;
            }
        }
        if let Some(first) = self.pms_key_options.get(&position) {
            self.problem(
                &field,
                format!("position {position} is already the key option of {first}"),
            );
            return None;
        }
        self.pms_key_options.insert(position, path.to_owned());
        Some(Some(position))
    }

    fn entrance(&mut self, path: &str, value: &Value) -> Option<EntranceDef> {
        let map = self.object(path, value)?;
        let key = self.key(map, path).filter(|key| {
            let seen = !self.entrances.insert(key.clone());
            self.claim(path, key, seen);
            !seen
        });
        let name = self.name(map, path);

        let system_path = field_path(path, "access_system");
        let system = self
            .required_str(map, path, "access_system")
            .and_then(|system| {
                if !self.check_system_refs {
                    None
                } else if self.systems.contains_key(system) {
                    Some(system.to_owned())
                } else {
                    self.problem(&system_path, format!("unknown key {}", quoted(system)));
                    None
                }
            });
        let spaces = self.entrance_spaces(map, path);
        let capable = self
            .required(map, path, "can_belong_to_reservation")
            .and_then(|value| {
                let capable = value.as_bool();
                if capable.is_none() {
                    self.wrong_type(
                        &field_path(path, "can_belong_to_reservation"),
                        "a boolean",
                        value,
                    );
                }
                capable
            });
        let modes = self.modes(map, path);
        let pms_key_option = self.pms_key_option(map, path, spaces.as_deref());
        self.unknown_fields(
            map,
            path,
            &[
                "key",
                "name",
                "access_system",
                "spaces",
                "can_belong_to_reservation",
                "modes",
                "pms_key_option",
            ],
        );

        if capable == Some(true) {
            self.check_capable(path, system.as_deref(), spaces.as_deref());
        }
        Some(EntranceDef {
            key: key?,
            name: name?,
            access_system: system?,
            spaces: spaces?,
            can_belong_to_reservation: capable?,
            modes: modes?,
            pms_key_option: pms_key_option?,
        })
    }

    /// Only guest doors of an override-based system can belong to a reservation.
    fn check_capable(&mut self, path: &str, system: Option<&str>, spaces: Option<&[String]>) {
        let capable_path = field_path(path, "can_belong_to_reservation");
        if let Some(system) = system
            && let Some(Some(kind)) = self.systems.get(system).copied()
            && !kind.is_override_based()
        {
            self.problem(
                &capable_path,
                format!(
                    "must be false: access system {} is {}, which is not override-based",
                    quoted(system),
                    kind.as_str()
                ),
            );
        }
        if let Some(spaces) = spaces {
            let all_common = spaces.iter().all(|space| {
                matches!(
                    self.spaces.get(space.as_str()),
                    Some(Some(SpaceKind::Common))
                )
            });
            if all_common {
                self.problem(
                    &capable_path,
                    "must be false: an entrance to common areas only cannot belong to a \
                     reservation",
                );
            }
        }
    }

    fn entrance_spaces(&mut self, map: &Map<String, Value>, path: &str) -> Option<Vec<String>> {
        let list_path = field_path(path, "spaces");
        let items = self.required_array(map, path, "spaces")?;
        if items.is_empty() {
            self.problem(&list_path, "at least one space is required");
            return None;
        }
        let mut spaces = Vec::with_capacity(items.len());
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let item_path = index_path(&list_path, index);
            let Some(space) = item.as_str() else {
                self.wrong_type(&item_path, "a string", item);
                ok = false;
                continue;
            };
            if !self.check_space_refs {
                ok = false;
            } else if !self.spaces.contains_key(space) {
                self.problem(&item_path, format!("unknown key {}", quoted(space)));
                ok = false;
            } else if spaces.iter().any(|seen| seen == space) {
                self.problem(&item_path, format!("duplicate key {}", quoted(space)));
                ok = false;
            } else {
                spaces.push(space.to_owned());
            }
        }
        ok.then_some(spaces)
    }

    fn modes(&mut self, map: &Map<String, Value>, path: &str) -> Option<Vec<AccessMode>> {
        let list_path = field_path(path, "modes");
        let items = self.required_array(map, path, "modes")?;
        if items.is_empty() {
            self.problem(&list_path, "at least one mode is required");
            return None;
        }
        let mut modes = Vec::with_capacity(items.len());
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let item_path = index_path(&list_path, index);
            let Some(text) = item.as_str() else {
                self.wrong_type(&item_path, "a string", item);
                ok = false;
                continue;
            };
            match AccessMode::parse(text) {
                None => {
                    self.problem(
                        &item_path,
                        format!(
                            "unknown mode {}; expected one of {}",
                            quoted(text),
                            expected_list(&AccessMode::ALL, |m| m.as_str())
                        ),
                    );
                    ok = false;
                }
                Some(mode) if modes.contains(&mode) => {
                    self.problem(&item_path, format!("duplicate mode {}", quoted(text)));
                    ok = false;
                }
                Some(mode) => modes.push(mode),
            }
        }
        ok.then_some(modes)
    }

    fn floor(&mut self, map: &Map<String, Value>, path: &str) -> Option<Option<i32>> {
        let floor_path = field_path(path, "floor");
        match map.get("floor") {
            // Optional; an explicit null means the same as leaving it out.
            None | Some(Value::Null) => Some(None),
            Some(Value::Number(number)) => {
                let floor = number.as_i64().and_then(|n| i32::try_from(n).ok());
                match floor {
                    Some(floor) if FLOOR_RANGE.contains(&floor) => Some(Some(floor)),
                    _ if number.is_f64() => {
                        self.problem(&floor_path, format!("expected an integer, found {number}"));
                        None
                    }
                    _ => {
                        self.problem(
                            &floor_path,
                            format!(
                                "floor {number} is out of range; expected {}..={}",
                                FLOOR_RANGE.start(),
                                FLOOR_RANGE.end()
                            ),
                        );
                        None
                    }
                }
            }
            Some(other) => {
                self.wrong_type(&floor_path, "an integer", other);
                None
            }
        }
    }

    /// A key: non-empty, lower-case letters, digits and `-`, at most `MAX_KEY_CHARS`.
    /// Uniqueness is checked by the caller, which knows the list.
    fn key(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let key = self.required_str(map, path, "key")?;
        let key_path = field_path(path, "key");
        let length = key.chars().count();
        if key.is_empty() {
            self.problem(&key_path, "must not be empty");
        } else if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.problem(
                &key_path,
                format!(
                    "{} may contain only lower-case letters, digits and \"-\"",
                    quoted(key)
                ),
            );
        } else if length > MAX_KEY_CHARS {
            self.problem(
                &key_path,
                format!("is {length} characters long; at most {MAX_KEY_CHARS} are allowed"),
            );
        }
        // Returned even when malformed: see `Checker::systems`.
        Some(key.to_owned())
    }

    /// Reports a key already used earlier in the same list.
    fn claim(&mut self, path: &str, key: &str, seen: bool) {
        if seen {
            self.problem(
                &field_path(path, "key"),
                format!("duplicate key {}", quoted(key)),
            );
        }
    }

    /// A display name: non-blank, at most `MAX_NAME_CHARS`, no control characters.
    fn name(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let name = self.required_str(map, path, "name")?;
        let name_path = field_path(path, "name");
        let length = name.chars().count();
        if name.trim().is_empty() {
            self.problem(&name_path, "must not be empty");
            None
        } else if length > MAX_NAME_CHARS {
            self.problem(
                &name_path,
                format!("is {length} characters long; at most {MAX_NAME_CHARS} are allowed"),
            );
            None
        } else if name.chars().any(char::is_control) {
            self.problem(&name_path, "must not contain control characters");
            None
        } else {
            Some(name.to_owned())
        }
    }

    fn unknown_kind(&mut self, path: &str, text: &str, expected: &str) {
        self.problem(
            &field_path(path, "kind"),
            format!("unknown kind {}; expected one of {expected}", quoted(text)),
        );
    }

    /// A required list whose items are checked by `item`; `None` if any item is unusable.
    fn list<T>(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        field: &str,
        item: fn(&mut Self, &str, &Value) -> Option<T>,
    ) -> Option<Vec<T>> {
        let list_path = field_path(path, field);
        let items = self.required_array(map, path, field)?;
        let mut parsed = Vec::with_capacity(items.len());
        let mut ok = true;
        for (index, value) in items.iter().enumerate() {
            match item(self, &index_path(&list_path, index), value) {
                Some(value) => parsed.push(value),
                None => ok = false,
            }
        }
        ok.then_some(parsed)
    }

    fn object<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
        let map = value.as_object();
        if map.is_none() {
            self.wrong_type(path, "an object", value);
        }
        map
    }

    fn required<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        field: &str,
    ) -> Option<&'v Value> {
        let value = map.get(field);
        if value.is_none() {
            self.problem(&field_path(path, field), "required field is missing");
        }
        value
    }

    fn required_str<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        field: &str,
    ) -> Option<&'v str> {
        let value = self.required(map, path, field)?;
        let text = value.as_str();
        if text.is_none() {
            self.wrong_type(&field_path(path, field), "a string", value);
        }
        text
    }

    fn required_array<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        field: &str,
    ) -> Option<&'v Vec<Value>> {
        let value = self.required(map, path, field)?;
        let items = value.as_array();
        if items.is_none() {
            self.wrong_type(&field_path(path, field), "an array", value);
        }
        items
    }

    fn wrong_type(&mut self, path: &str, expected: &str, found: &Value) {
        self.problem(
            path,
            format!("expected {expected}, found {}", type_name(found)),
        );
    }

    /// Misspelled fields are refused rather than dropped: a dropped `floor` or `modes` would
    /// import something other than what was meant.
    fn unknown_fields(&mut self, map: &Map<String, Value>, path: &str, known: &[&str]) {
        for name in map.keys().filter(|name| !known.contains(&name.as_str())) {
            self.problem(
                &field_path(path, name),
                format!("unknown field; expected one of {}", known.join(", ")),
            );
        }
    }
}
