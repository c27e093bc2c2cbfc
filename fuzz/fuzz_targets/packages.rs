//! Every lockfile and text package database reader: any bytes read or give
//! an error, never a crash; every package read makes a key.
#![no_main]

use drift_collectors::packages::Format;
use libfuzzer_sys::fuzz_target;

const FORMATS: &[Format] = &[
    Format::Dpkg,
    Format::Apk,
    Format::CargoLock,
    Format::NpmLock,
    Format::YarnLock,
    Format::PnpmLock,
    Format::Requirements { dev: false },
    Format::PoetryLock,
    Format::PipfileLock,
    Format::UvLock,
    Format::PythonMetadata,
    Format::GemfileLock,
    Format::GoMod,
    Format::ComposerLock,
];

fuzz_target!(|data: &[u8]| {
    for format in FORMATS {
        if let Ok(packages) = format.parse(data) {
            for p in packages {
                let _ = p.key();
                let _ = p.ecosystem.scheme().is_valid(&p.version);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = drift_collectors::packages::parse_rpm_query(text);
    }
});
