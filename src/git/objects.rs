//! Loose objects written in process, for the auto-commit's trees.
//!
//! A folder of 100,000 cases is a 4 MB tree object, and every commit writes
//! a new one. `git hash-object` takes most of a tenth of a second for it
//! (SHA-1 with collision detection, and a check of every entry); here it is
//! hashed with the CPU's SHA instructions and stored as git stores a loose
//! object with `core.looseCompression=0`: zlib's "stored" blocks, read by
//! every git, and packed (compressed) by the next `git gc`. Like git's own
//! default, loose objects are not synced to disk.
//!
//! Only SHA-1 repositories in a directory of one's own are written here;
//! the caller leaves SHA-256 and shared repositories (`core.sharedRepository`)
//! to git.

use sha1::{Digest, Sha1};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The length of a SHA-1 object ID, in bytes.
pub(crate) const SHA1_LEN: usize = 20;

/// The largest `commondir` file read; real ones are one line.
const MAX_COMMONDIR_BYTES: u64 = 4096;

/// The objects directory of the repository whose git directory is
/// `git_dir`: `objects` in its common directory (a linked work tree's
/// `commondir` names it). `None` when `commondir` cannot be read.
pub(crate) fn objects_dir(git_dir: &Path) -> Option<PathBuf> {
    let common = match fs::File::open(git_dir.join("commondir")) {
        Ok(file) => {
            let mut text = String::new();
            file.take(MAX_COMMONDIR_BYTES).read_to_string(&mut text).ok()?;
            let named = Path::new(text.lines().next()?.trim());
            if named.as_os_str().is_empty() {
                return None;
            }
            git_dir.join(named)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => git_dir.to_path_buf(),
        Err(_) => return None,
    };
    Some(common.join("objects"))
}

/// The SHA-1 object ID of an object of `kind` with `body`, in binary.
pub(crate) fn object_id(kind: &str, body: &[u8]) -> [u8; SHA1_LEN] {
    let mut hasher = Sha1::new();
    hasher.update(format!("{kind} {}\0", body.len()).as_bytes());
    hasher.update(body);
    hasher.finalize().into()
}

/// Writes the object of `kind` with `body` into `objects` (unless it is
/// there already) and returns its ID in binary.
pub(crate) fn write_loose(objects: &Path, kind: &str, body: &[u8]) -> io::Result<[u8; SHA1_LEN]> {
    let id = object_id(kind, body);
    let hex = to_hex(&id);
    let folder = objects.join(&hex[..2]);
    let path = folder.join(&hex[2..]);
    if fs::symlink_metadata(&path).is_ok() {
        return Ok(id);
    }
    match fs::create_dir(&folder) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let temp = folder.join(format!("tmp_obj_tickets_{}_{}", std::process::id(), &hex[2..12]));
    let written = (|| {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o444)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)?;
        let header = format!("{kind} {}\0", body.len());
        write_stored_zlib(&file, &[header.as_bytes(), body])?;
        drop(file);
        fs::rename(&temp, &path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.map(|()| id)
}

/// The largest object read in process; a larger one is left to git.
const MAX_READ_BYTES: u64 = 1 << 30;

/// `path` opened for reading without blocking and without following a
/// final symbolic link: `Ok(None)` when it cannot be opened (missing, a
/// link to a file, no permission: git reads it, or says what is wrong),
/// and an error when it is something git would wait on forever if asked
/// to read it (a FIFO, a device, a socket, a folder), directly or through
/// a link, so that it is never left to git.
pub(crate) fn open_regular(path: &Path) -> io::Result<Option<fs::File>> {
    let special = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a regular file", path.display()),
        )
    };
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            // A symbolic link: git follows it; what it leads to must be a file.
            return match fs::metadata(path) {
                Ok(target) if !target.is_file() => Err(special()),
                _ => Ok(None),
            };
        }
        Err(_) => return Ok(None),
    };
    match file.metadata() {
        Ok(metadata) if metadata.is_file() => Ok(Some(file)),
        Ok(_) => Err(special()),
        Err(_) => Ok(None),
    }
}

/// The object `hex` names, when it is a loose object stored without
/// compression (as [`write_loose`] and `core.looseCompression=0` store
/// them): its type and body. `None` for any other (packed, compressed,
/// damaged), which is then read by git; an error when its file is not a
/// regular file (see [`open_regular`]), which git must not be asked to read.
pub(crate) fn read_stored(objects: &Path, hex: &str) -> io::Result<Option<(String, Vec<u8>)>> {
    if hex.len() != 2 * SHA1_LEN || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(file) = open_regular(&objects.join(&hex[..2]).join(&hex[2..]))? else {
        return Ok(None);
    };
    Ok(parse_stored(&file))
}

/// The type and body of the loose object in `file`, when stored without compression.
fn parse_stored(file: &fs::File) -> Option<(String, Vec<u8>)> {
    let size = file.metadata().ok().filter(|m| m.is_file())?.len();
    if size > MAX_READ_BYTES {
        return None;
    }
    let data = map(file)?;
    // zlib's header: deflate, no preset dictionary, a valid check.
    let (&cmf, &flg) = (data.first()?, data.get(1)?);
    if cmf & 0x0f != 8 || flg & 0x20 != 0 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return None;
    }
    // Stored blocks only: their payloads, in order.
    let mut payloads = Vec::new();
    let mut at = 2usize;
    loop {
        let block = *data.get(at)?;
        if block & 0b110 != 0 {
            return None;
        }
        let len = u16::from_le_bytes([*data.get(at + 1)?, *data.get(at + 2)?]);
        let nlen = u16::from_le_bytes([*data.get(at + 3)?, *data.get(at + 4)?]);
        if len != !nlen {
            return None;
        }
        let start = at + 5;
        let end = start.checked_add(usize::from(len)).filter(|end| *end <= data.len())?;
        payloads.push(&data[start..end]);
        at = end;
        if block & 1 == 1 {
            break;
        }
    }
    let check = u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?);
    let mut adler = simd_adler32::Adler32::new();
    payloads.iter().for_each(|payload| adler.write(payload));
    if adler.finish() != check {
        return None;
    }
    // `KIND SIZE\0`, within the first block as git writes it, then the body.
    let first = payloads.first()?;
    let nul = memchr::memchr(0, first)?;
    let (kind, size) = std::str::from_utf8(&first[..nul]).ok()?.split_once(' ')?;
    let total: usize = payloads.iter().map(|p| p.len()).sum();
    let size: usize = size.parse().ok()?;
    if size != total - nul - 1 {
        return None;
    }
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(&first[nul + 1..]);
    payloads[1..].iter().for_each(|payload| body.extend_from_slice(payload));
    Some((kind.to_string(), body))
}

/// `file` mapped into memory, read-only.
///
/// The files mapped are ones git never changes in place: loose objects are
/// written once under a temporary name and renamed, and the index is
/// replaced by renaming its lock file (which the caller holds). git maps
/// both the same way. `None` when the file cannot be mapped (or is empty).
pub(crate) fn map(file: &fs::File) -> Option<memmap2::Mmap> {
    // SAFETY: see above: the mapped inode is never written to while
    // mapped, by git or by this program; a file changed in place by some
    // other program would fault git itself the same way.
    unsafe { memmap2::Mmap::map(file) }.ok()
}

/// The commit HEAD names, read from the files as git keeps them when it
/// has just moved HEAD (a loose branch ref, or a detached HEAD); `None`
/// for anything else (packed refs, reftable, a link), which git then reads.
/// An error when HEAD, its branch's file or `packed-refs` is not a regular
/// file (see [`open_regular`]): git would wait forever reading it.
pub(crate) fn head_commit(git_dir: &Path, common_dir: &Path) -> io::Result<Option<String>> {
    let small = |path: &Path| -> io::Result<Option<String>> {
        let Some(file) = open_regular(path)? else {
            return Ok(None);
        };
        let mut text = String::new();
        if file.take(MAX_COMMONDIR_BYTES).read_to_string(&mut text).is_err() {
            return Ok(None);
        }
        Ok(Some(text.trim_end_matches('\n').to_string()))
    };
    let Some(head) = small(&git_dir.join("HEAD"))? else {
        return Ok(None);
    };
    let hex = match head.strip_prefix("ref: ") {
        Some(target) => {
            let safe = target.starts_with("refs/heads/")
                && target
                    .split('/')
                    .all(|part| !part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"))
                && !target.contains(['\\', '\0', ' ', ':', '~', '^', '?', '*', '[']);
            if !safe {
                return Ok(None);
            }
            match small(&common_dir.join(target))? {
                Some(hex) => hex,
                None => {
                    // git reads the branch from `packed-refs` next.
                    open_regular(&common_dir.join("packed-refs"))?;
                    return Ok(None);
                }
            }
        }
        None => head,
    };
    let valid = hex.len() == 2 * SHA1_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    Ok(valid.then_some(hex))
}

/// The largest stored deflate block.
const MAX_STORED_BLOCK: usize = 65_535;

/// `parts`, one after the other, as a zlib stream of stored (uncompressed)
/// deflate blocks (RFC 1950 and RFC 1951 section 3.2.4), written with
/// vectored writes (the data is never copied into a buffer).
fn write_stored_zlib(mut out: impl Write, parts: &[&[u8]]) -> io::Result<()> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let mut adler = simd_adler32::Adler32::new();
    parts.iter().for_each(|part| adler.write(part));
    // Each block's header, then its data: runs of the parts.
    let mut headers: Vec<[u8; 5]> = Vec::with_capacity(total / MAX_STORED_BLOCK + 1);
    // (index into `headers` to write first, or none; the run).
    let mut runs: Vec<(Option<usize>, &[u8])> = Vec::with_capacity(total / MAX_STORED_BLOCK + parts.len() + 1);
    let mut block_left = 0usize;
    let mut left = total;
    for part in parts {
        let mut part = *part;
        while !part.is_empty() {
            let mut header = None;
            if block_left == 0 {
                let size = left.min(MAX_STORED_BLOCK);
                let size16 = size as u16;
                let [lo, hi] = size16.to_le_bytes();
                let [nlo, nhi] = (!size16).to_le_bytes();
                headers.push([u8::from(size == left), lo, hi, nlo, nhi]);
                header = Some(headers.len() - 1);
                block_left = size;
            }
            let take = block_left.min(part.len());
            runs.push((header, &part[..take]));
            block_left -= take;
            left -= take;
            part = &part[take..];
        }
    }
    if total == 0 {
        headers.push([1, 0, 0, 0xff, 0xff]);
    }
    // CMF: deflate, 32 KiB window; FLG: no dictionary, fastest, FCHECK so
    // that the two bytes are a multiple of 31.
    let head = [0x78u8, 0x01];
    let check = adler.finish().to_be_bytes();
    let mut slices: Vec<io::IoSlice> = Vec::with_capacity(2 * runs.len() + 3);
    slices.push(io::IoSlice::new(&head));
    for (header, run) in &runs {
        if let Some(header) = header {
            slices.push(io::IoSlice::new(&headers[*header]));
        }
        slices.push(io::IoSlice::new(run));
    }
    if total == 0 {
        slices.push(io::IoSlice::new(&headers[0]));
    }
    slices.push(io::IoSlice::new(&check));
    let mut slices = &mut slices[..];
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => io::IoSlice::advance_slices(&mut slices, written),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A SHA-1 object ID from its hexadecimal form; `None` for any other.
pub(crate) fn from_hex(hex: &str) -> Option<[u8; SHA1_LEN]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 2 * SHA1_LEN {
        return None;
    }
    let mut id = [0; SHA1_LEN];
    for (byte, pair) in id.iter_mut().zip(hex.chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(id)
}

/// Lower-case hexadecimal.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_stream_reads_back_with_rfc_1950s_checksum() {
        // Across block boundaries and parts, and empty.
        let big = [vec![7u8; 70_000], vec![9u8; 70_000]];
        for parts in [vec![&b"tree 3\0"[..], b"abc"], vec![&big[0][..], &big[1][..]], vec![]] {
            let mut stream = Vec::new();
            write_stored_zlib(&mut stream, &parts).expect("written");
            assert_eq!(&stream[..2], &[0x78, 0x01]);
            let mut data = Vec::new();
            let mut at = 2;
            loop {
                let last = stream[at] & 1 == 1;
                let len = usize::from(u16::from_le_bytes([stream[at + 1], stream[at + 2]]));
                data.extend_from_slice(&stream[at + 5..at + 5 + len]);
                at += 5 + len;
                if last {
                    break;
                }
            }
            assert_eq!(data, parts.concat());
            let (mut a, mut b) = (1u32, 0u32);
            for &byte in &data {
                a = (a + u32::from(byte)) % 65_521;
                b = (b + a) % 65_521;
            }
            assert_eq!(&stream[at..], &((b << 16) | a).to_be_bytes());
        }
    }

    #[test]
    fn the_empty_blob_has_gits_well_known_id() {
        assert_eq!(
            to_hex(&object_id("blob", b"")),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }

    #[test]
    fn what_is_written_is_read_back_and_anything_else_is_left_to_git() {
        let dir = tempfile::tempdir().expect("temp dir");
        let body: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let id = write_loose(dir.path(), "tree", &body).expect("written");
        let hex = to_hex(&id);
        assert_eq!(
            read_stored(dir.path(), &hex).expect("a file"),
            Some(("tree".to_string(), body.clone()))
        );
        // A damaged copy (one byte of the data flipped) is not taken.
        let path = dir.path().join(&hex[..2]).join(&hex[2..]);
        let mut bytes = fs::read(&path).expect("read");
        bytes[100] ^= 1;
        fs::remove_file(&path).expect("remove");
        fs::write(&path, &bytes).expect("write");
        assert_eq!(read_stored(dir.path(), &hex).expect("a file"), None);
        assert_eq!(read_stored(dir.path(), "../../etc/passwd").expect("not read"), None);
    }

    #[test]
    fn head_is_read_from_a_loose_branch_or_a_detached_head_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let git = dir.path();
        let hex = "0123456789abcdef0123456789abcdef01234567";
        fs::create_dir_all(git.join("refs/heads")).expect("refs");
        fs::write(git.join("HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        assert_eq!(head_commit(git, git).expect("files"), None, "packed: git reads it");
        fs::write(git.join("refs/heads/main"), format!("{hex}\n")).expect("ref");
        assert_eq!(head_commit(git, git).expect("files").as_deref(), Some(hex));
        fs::write(git.join("HEAD"), "ref: refs/heads/../../config\n").expect("HEAD");
        assert_eq!(head_commit(git, git).expect("files"), None);
        fs::write(git.join("HEAD"), format!("{hex}\n")).expect("HEAD");
        assert_eq!(head_commit(git, git).expect("files").as_deref(), Some(hex));
    }

    #[test]
    fn stored_blocks_split_at_the_block_limit() {
        let body = vec![b'x'; MAX_STORED_BLOCK + 10];
        let mut out = Vec::new();
        write_stored_zlib(&mut out, &[b"ab", &body]).expect("written");
        // Header, two block headers, the data, the checksum.
        assert_eq!(out.len(), 2 + 5 + 5 + body.len() + 2 + 4);
        assert_eq!(&out[2..7], &[0, 0xff, 0xff, 0, 0]);
        let second = 7 + MAX_STORED_BLOCK;
        assert_eq!(out[second], 1);
        assert_eq!(u16::from_le_bytes([out[second + 1], out[second + 2]]), 12);
    }
}
