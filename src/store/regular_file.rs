//! Reading a file of the store: only a regular file, never through a
//! symbolic link, never blocking, never past the size cap.

use crate::core::case::Case;
use crate::core::error::{Error, Result};
use crate::format::{conflict_error, conflict_marker_line_in_bytes, parse_case, MAX_FILE_BYTES};
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// What a file that is not a regular file is, for refusals.
pub fn kind_of(file_type: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

fn refuse_unless_regular(path: &Path, file_type: fs::FileType) -> Result<()> {
    if file_type.is_symlink() {
        return Err(Error::invalid(
            path,
            None,
            "is a symbolic link; refused (files of the store must be regular files inside it)",
        ));
    }
    if !file_type.is_file() {
        return Err(Error::invalid(
            path,
            None,
            format!("is {}, not a regular file; refused", kind_of(file_type)),
        ));
    }
    Ok(())
}

/// Opens a file of the store for reading, with its metadata: never through
/// a symbolic link, never blocking (a FIFO named like a case file would hang
/// the reader, and with it the store's lock), and refused unless it is a
/// regular file, as invalid data naming it. The type is checked on the open
/// file, so a swap after the first look changes nothing.
pub fn open_regular(path: &Path) -> Result<(File, fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    // A first look, so that a device is never even opened.
    let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    refuse_unless_regular(path, meta.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match fs::symlink_metadata(path) {
            Ok(meta) if !meta.is_file() => refuse_unless_regular(path, meta.file_type())
                .err()
                .unwrap_or_else(|| Error::io(path, e)),
            _ => Error::io(path, e),
        })?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    refuse_unless_regular(path, meta.file_type())?;
    Ok((file, meta))
}

/// Reads a file as UTF-8 text, refusing symlinks, non-files, oversized files
/// and invalid UTF-8 as invalid data. At most [`MAX_FILE_BYTES`] + 1 bytes
/// are ever read, whatever the metadata says.
pub fn read_text(path: &Path) -> Result<String> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > MAX_FILE_BYTES {
        // A conflict the merge driver left around two large versions: say so.
        if let Some(conflict) = conflict_in_file(path) {
            return Err(conflict);
        }
        return Err(Error::invalid(
            path,
            None,
            format!("is {} bytes, over the {MAX_FILE_BYTES}-byte cap", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(
            path,
            None,
            format!("is over the {MAX_FILE_BYTES}-byte cap"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        if let Some(line) = conflict_marker_line_in_bytes(e.as_bytes()) {
            return conflict_error(path, line, &String::from_utf8_lossy(e.as_bytes()));
        }
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::invalid(path, Some(line), "is not valid UTF-8 text")
    })
}

/// [`read_text`] for a file the directory listing already says is a
/// regular file: one open (never through a link, never blocking) and one
/// `fstat`, without the first look by path. Whatever is not plainly a
/// regular file under the cap holding UTF-8 goes through [`read_text`], so
/// the answer, refusals and their messages included, is always its answer.
pub fn read_listed_text(path: &Path) -> Result<String> {
    use std::os::unix::fs::OpenOptionsExt;
    let plain = || -> Option<String> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).ok()?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return None;
        }
        String::from_utf8(bytes).ok()
    };
    match plain() {
        Some(text) => Ok(text),
        None => read_text(path),
    }
}

/// The conflict error for a file whose first [`MAX_FILE_BYTES`] bytes hold a
/// git conflict marker, whatever its size or encoding; None otherwise or when
/// it cannot be read.
pub fn conflict_in_file(path: &Path) -> Option<Error> {
    let mut bytes = Vec::new();
    let (file, _) = open_regular(path).ok()?;
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).ok()?;
    let line = conflict_marker_line_in_bytes(&bytes)?;
    Some(conflict_error(path, line, &String::from_utf8_lossy(&bytes)))
}

/// Loads a case file and checks what the schema cannot.
pub fn load_case_file(path: &Path, expected_id: Option<&str>) -> Result<Case> {
    let text = read_text(path)?;
    parse_case(path, &text, expected_id)
}
