//! The benchmark floor: reads every case file of a store once, in one
//! process, and prints how many bytes it read. Whatever `tickets` does with a
//! store, doing it without an index cannot beat this.
//!
//! ```sh
//! cargo run --release --example read_all -- DIR
//! ```

use std::io::Read;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: read_all DIR");
        std::process::exit(2);
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("read_all: {dir}: {e}");
            std::process::exit(1);
        }
    };
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut buffer = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.ends_with(".yaml") || name == "config.yaml" || name.starts_with('.') {
            continue;
        }
        buffer.clear();
        if let Ok(mut file) = std::fs::File::open(entry.path()) {
            if file.read_to_end(&mut buffer).is_ok() {
                files += 1;
                bytes += buffer.len() as u64;
            }
        }
    }
    println!("{files} files, {bytes} bytes");
}
