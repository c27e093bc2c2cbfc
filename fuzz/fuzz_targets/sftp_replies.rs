//! SFTP replies as the client buffers and decodes them (the first byte: the
//! size of each read), never a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&chunk, rest)) = data.split_first() {
        drift_collectors::transport::fuzzing::sftp_replies(rest, usize::from(chunk));
    }
});
