//! Runs of the binary under the kernel's limits: bounded in time (a run
//! that would hang is killed and the test fails) or in file size (a write
//! past it stops the writer or fails, as on a full disk); and FIFOs to plant.

use super::store::{TestStore, NOW};
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A run that would hang is killed after this long.
const HANG: Duration = Duration::from_secs(10);

/// What a bounded run printed.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary on the store at `now`; panics (failing the test) if it
/// has not exited after [`HANG`], after killing it.
pub fn run_bounded(t: &TestStore, now: &str, args: &[&str]) -> Ran {
    run_bounded_in(t.path(), now, args)
}

/// [`run_bounded`] on the store at `dir`.
pub fn run_bounded_in(dir: &Path, now: &str, args: &[&str]) -> Ran {
    let out = tempfile::tempdir().expect("temp dir");
    let stdout_path = out.path().join("stdout");
    let stderr_path = out.path().join("stderr");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env("TICKETS_DIR", dir)
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", "tester")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("spawn tickets");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`tickets {}` hung: still running after {HANG:?} (stderr so far: {})",
                args.join(" "),
                fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: fs::read_to_string(&stdout_path).expect("stdout"),
        stderr: fs::read_to_string(&stderr_path).expect("stderr"),
    }
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Runs `args` at NOW as `tester` with a file-size limit of `limit` bytes:
/// the kernel stops the writer (SIGXFSZ) as soon as it writes past it,
/// partway through a file. Unlike a kill at a random instant, this lands
/// inside the write every time.
pub fn run_with_file_size_limit(t: &TestStore, limit: u64, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester");
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    command.output().expect("run tickets")
}

/// Makes every write of `command` past `limit` bytes of a file fail (EFBIG,
/// SIGXFSZ ignored), as on a full disk, while the process goes on to handle
/// the error: unlike [`run_with_file_size_limit`], which stops it there.
pub fn fail_writes_past(command: &mut std::process::Command, limit: u64) {
    use std::os::unix::process::CommandExt;
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: setrlimit and signal are async-signal-safe and touch only the child.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// Runs `command`, killed (and the test failed) if it runs past `limit`;
/// its output and how long it took.
pub fn guarded(mut command: Command, limit: Duration) -> (Output, Duration) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Drain both pipes meanwhile, so a chatty child never blocks on them.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).ok();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).ok();
        bytes
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} ran past {limit:?} (hung)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let output = Output {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    };
    (output, took)
}

/// Lossy UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes an executable shell script at `path`: `#!/bin/sh`, then `body`.
/// A fake sendmail, pager, logger or hook.
pub fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::write(path, format!("#!/bin/sh\n{body}")).expect("script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}
