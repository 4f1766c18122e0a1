//! Where 64-byte reports go: a [`Link`] is either the hidapi device ([`HidLink`]) or the
//! simulated encoder ([`crate::simulator::SimulatedLink`]). Links only move reports; framing is
//! in [`crate::protocol`], meaning in [`crate::client`].
//!
//! # USB ids and Linux permissions
//!
//! The encoder is looked for by USB vendor and product id. [`DEFAULT_VENDOR_ID`] and
//! [`DEFAULT_PRODUCT_ID`] are placeholders, 0x1209 (pid.codes, the open-source vendor id) and
//! 0x0001 (pid.codes' test product id); every function here takes the ids as arguments, so the
//! real encoder's ids are configuration, not code.
//!
//! On Linux, hidraw device nodes belong to root. So that the desk user may open the encoder
//! without root, install a udev rule, e.g. `/etc/udev/rules.d/70-keycard-encoder.rules`
//! (use the configured ids, lower-case hex, four digits):
//!
//! ```text
//! SUBSYSTEM=="hidraw", ATTRS{idVendor}=="1209", ATTRS{idProduct}=="0001", MODE="0660", TAG+="uaccess"
//! ```
//!
//! then run `sudo udevadm control --reload-rules && sudo udevadm trigger` and plug the encoder
//! in again. `TAG+="uaccess"` gives the user logged in at the seat access; for a service
//! account add `GROUP="plugdev"` (or another group the account is in).
//!
//! # Several encoders on one computer
//!
//! Encoders of the same model share their ids. Each one's USB serial number tells them apart
//! (`udevadm info -a -n /dev/hidrawN | grep '{serial}'` shows it), so a desk with two names
//! each by its serial number, matched without regard to case; the hidraw path changes with the
//! USB port and the order of plugging. A desk that names a missing one says which are there.

use std::ffi::CString;
use std::time::Duration;

use thiserror::Error;

use crate::protocol::REPORT_LEN;

/// USB vendor id looked for by default: pid.codes (0x1209). Configurable.
pub const DEFAULT_VENDOR_ID: u16 = 0x1209;
/// USB product id looked for by default: pid.codes' test id (0x0001), a placeholder until the
/// encoder has its own. Configurable.
pub const DEFAULT_PRODUCT_ID: u16 = 0x0001;

/// Why a report could not be moved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// The device is gone (unplugged, powered off, or this handle is stale): open it again.
    #[error("the encoder is disconnected")]
    Disconnected,
    /// No device with these ids (and this serial number, when one is asked for) is
    /// connected (when opening).
    #[error(
        "no encoder with USB id {vendor_id:04x}:{product_id:04x}{} is connected",
        serial.as_ref().map(|serial| format!(" and serial number {serial}")).unwrap_or_default()
    )]
    NotFound {
        vendor_id: u16,
        product_id: u16,
        serial: Option<String>,
    },
    /// Anything else the operating system or hidapi reported.
    #[error("encoder I/O error: {0}")]
    Io(String),
}

/// A channel of 64-byte reports to and from one encoder.
pub trait Link: Send {
    /// Sends one report.
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError>;
    /// Waits up to `timeout` for one report from the device; `None` when none came.
    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError>;
}

impl<L: Link + ?Sized> Link for Box<L> {
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        (**self).write(report)
    }

    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
        (**self).read(timeout)
    }
}

/// An encoder on USB HID, through hidapi (hidraw on Linux).
pub struct HidLink {
    device: hidapi::HidDevice,
    path: String,
}

impl std::fmt::Debug for HidLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HidLink").field("path", &self.path).finish()
    }
}

fn api() -> Result<hidapi::HidApi, LinkError> {
    hidapi::HidApi::new().map_err(|error| LinkError::Io(error.to_string()))
}

/// Maps hidapi's error for an open device: a vanished device becomes `Disconnected`.
fn device_error(error: hidapi::HidError) -> LinkError {
    if let hidapi::HidError::IoError { error } = &error {
        // ENODEV, ENXIO, EIO, ESHUTDOWN: what Linux answers once the device is gone.
        if matches!(error.raw_os_error(), Some(19 | 6 | 5 | 108)) {
            return LinkError::Disconnected;
        }
    }
    let text = error.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("no such device")
        || lower.contains("input/output error")
        || lower.contains("device not configured")
        || lower.contains("disconnected")
    {
        return LinkError::Disconnected;
    }
    LinkError::Io(text)
}

fn open_error(error: hidapi::HidError, path: &str) -> LinkError {
    let text = error.to_string();
    if text.to_ascii_lowercase().contains("permission denied") {
        LinkError::Io(format!(
            "permission denied opening {path}: install the encoder's udev rule (see the link module docs)"
        ))
    } else {
        LinkError::Io(format!("cannot open {path}: {text}"))
    }
}

/// The hidraw paths of the connected encoders with these ids and, when `serial` is given, that
/// USB serial number (empty when there are none, or when hidapi cannot start). Each can be
/// given to [`HidLink::open_path`].
pub fn find_hid_encoders(vendor_id: u16, product_id: u16, serial: Option<&str>) -> Vec<String> {
    let Ok(api) = api() else {
        return Vec::new();
    };
    let mut paths: Vec<String> = api
        .device_list()
        .filter(|info| info.vendor_id() == vendor_id && info.product_id() == product_id)
        .filter(|info| {
            serial.is_none_or(|serial| {
                info.serial_number()
                    .is_some_and(|found| found.eq_ignore_ascii_case(serial))
            })
        })
        .map(|info| info.path().to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The USB serial numbers of the connected encoders with these ids, sorted (empty when
/// there are none, or when hidapi cannot start): what a desk with several names them by.
pub fn hid_serials(vendor_id: u16, product_id: u16) -> Vec<String> {
    let Ok(api) = api() else {
        return Vec::new();
    };
    let mut serials: Vec<String> = api
        .device_list()
        .filter(|info| info.vendor_id() == vendor_id && info.product_id() == product_id)
        .filter_map(|info| info.serial_number().map(str::to_owned))
        .collect();
    serials.sort();
    serials.dedup();
    serials
}

impl HidLink {
    /// Opens the first connected encoder with these ids and, when `serial` is given, that USB
    /// serial number; [`LinkError::NotFound`] if none is.
    pub fn open(
        vendor_id: u16,
        product_id: u16,
        serial: Option<&str>,
    ) -> Result<HidLink, LinkError> {
        let path = find_hid_encoders(vendor_id, product_id, serial)
            .into_iter()
            .next()
            .ok_or_else(|| LinkError::NotFound {
                vendor_id,
                product_id,
                serial: serial.map(str::to_owned),
            })?;
        HidLink::open_path(&path)
    }

    /// Opens the encoder at a path from [`find_hid_encoders`].
    pub fn open_path(path: &str) -> Result<HidLink, LinkError> {
        let api = api()?;
        let c_path = CString::new(path)
            .map_err(|_| LinkError::Io(format!("invalid device path {path:?}")))?;
        let device = api
            .open_path(&c_path)
            .map_err(|error| open_error(error, path))?;
        Ok(HidLink {
            device,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Link for HidLink {
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        // hidapi wants the report id first: 0x00 for a device without numbered reports.
        let mut buffer = [0u8; REPORT_LEN + 1];
        buffer[1..].copy_from_slice(report);
        let sent = self.device.write(&buffer).map_err(device_error)?;
        if sent < buffer.len() {
            return Err(LinkError::Io(format!(
                "short write: {sent} of {} bytes",
                buffer.len()
            )));
        }
        Ok(())
    }

    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
        let mut report = [0u8; REPORT_LEN];
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        let read = self
            .device
            .read_timeout(&mut report, millis)
            .map_err(device_error)?;
        // 0 bytes: the timeout passed. A shorter report is zero padded, as on the wire.
        Ok((read > 0).then_some(report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_a_missing_encoder_says_so() {
        // No HID device exists on the build machines; on a desk with an encoder of these ids
        // plugged in this test would open it, so use ids nobody has.
        let error = HidLink::open(0xFFFE, 0xFFFE, None).err();
        match error {
            Some(error @ LinkError::NotFound { .. }) => {
                assert_eq!(
                    error.to_string(),
                    "no encoder with USB id fffe:fffe is connected"
                );
            }
            // A machine where hidapi cannot start at all reports an I/O error instead.
            Some(LinkError::Io(text)) => assert!(!text.is_empty()),
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert!(find_hid_encoders(0xFFFE, 0xFFFE, None).is_empty());
    }

    #[test]
    fn an_encoder_asked_for_by_serial_number_is_named_by_it_when_missing() {
        let error = HidLink::open(0xFFFE, 0xFFFE, Some("ENC-0002")).err();
        match error {
            Some(error @ LinkError::NotFound { .. }) => assert_eq!(
                error.to_string(),
                "no encoder with USB id fffe:fffe and serial number ENC-0002 is connected"
            ),
            Some(LinkError::Io(text)) => assert!(!text.is_empty()),
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert!(find_hid_encoders(0xFFFE, 0xFFFE, Some("ENC-0002")).is_empty());
    }

    #[test]
    fn opening_a_missing_path_is_an_io_error() {
        let error = HidLink::open_path("/dev/hidraw-that-does-not-exist").err();
        assert!(
            matches!(&error, Some(LinkError::Io(text)) if text.contains("hidraw-that-does-not-exist")),
            "{error:?}"
        );
    }
}
