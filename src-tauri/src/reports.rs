//! A report the window made, saved as a CSV file a manager takes away: into the user's
//! Downloads folder (their home folder where there is none), never over another file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use frontdesk::Error;

/// The longest report name the desk writes.
const MAX_NAME: usize = 120;

/// Writes `csv` as `name` in `folder` (as `name-2.csv`, `-3`… when taken); the file written.
pub fn save(folder: &Path, name: &str, csv: &str) -> Result<PathBuf, Error> {
    let stem = name.strip_suffix(".csv").unwrap_or_default();
    if stem.is_empty()
        || name.len() > MAX_NAME
        || !stem
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    {
        return Err(Error::invalid(
            "file_name",
            "must be lowercase letters, digits and dashes ending in .csv",
        ));
    }
    std::fs::create_dir_all(folder).map_err(|error| {
        Error::invalid(
            "file_name",
            format!("cannot be saved in {}: {error}", folder.display()),
        )
    })?;
    for copy in 1..1000 {
        let path = if copy == 1 {
            folder.join(name)
        } else {
            folder.join(format!("{stem}-{copy}.csv"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                if let Err(error) = file
                    .write_all(csv.as_bytes())
                    .and_then(|()| file.sync_all())
                {
                    // No half report is left behind to be taken for a whole one.
                    drop(file);
                    let _ = std::fs::remove_file(&path);
                    return Err(Error::invalid(
                        "file_name",
                        format!("could not be written in {}: {error}", folder.display()),
                    ));
                }
                return Ok(path);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => {
                return Err(Error::invalid(
                    "file_name",
                    format!("cannot be saved in {}: {error}", folder.display()),
                ));
            }
        }
    }
    Err(Error::invalid(
        "file_name",
        format!("is taken a thousand times over in {}", folder.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_saved_beside_earlier_ones_never_over_them() {
        let folder = tempfile::tempdir().expect("folder");
        let first =
            save(folder.path(), "cards-still-out-2026-12-07.csv", "a,b\r\n").expect("saved");
        let second =
            save(folder.path(), "cards-still-out-2026-12-07.csv", "c,d\r\n").expect("saved");
        assert_eq!(first, folder.path().join("cards-still-out-2026-12-07.csv"));
        assert_eq!(
            second,
            folder.path().join("cards-still-out-2026-12-07-2.csv")
        );
        assert_eq!(std::fs::read_to_string(first).expect("read"), "a,b\r\n");
        assert_eq!(std::fs::read_to_string(second).expect("read"), "c,d\r\n");
    }

    #[test]
    fn a_name_that_could_leave_the_folder_is_refused() {
        let folder = tempfile::tempdir().expect("folder");
        for name in ["../x.csv", "x.txt", ".csv", "/etc/x.csv", "A.csv"] {
            let error = save(folder.path(), name, "").expect_err(name).to_wire();
            assert_eq!(error.field.as_deref(), Some("file_name"), "{name}");
        }
        assert_eq!(std::fs::read_dir(folder.path()).expect("list").count(), 0);
    }
}
