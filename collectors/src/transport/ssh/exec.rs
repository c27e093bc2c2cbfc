//! Running an allow-listed command on an exec channel.
//!
//! The command line sent is [`AllowedCommand::command_line`]: a fixed,
//! quoted argument vector of `'static` strings. Nothing read from a target,
//! a manifest or a drift.toml can become part of it.

use std::io::Read;
use std::time::Instant;

use ssh2::Session;

use super::errors::{self, Context};
use super::pool::Outcome;
use crate::transport::{AllowedCommand, CommandOutput, TransportError};

/// Most output (each of stdout and stderr) a command may print (an
/// `rpm -qa` of a large host is a few MiB).
const MAX_OUTPUT: usize = 64 << 20;

/// The shell's status for "command not found".
const NOT_FOUND: i32 = 127;

pub(crate) fn run(
    session: &Session,
    command: &AllowedCommand,
    ctx: &Context<'_>,
) -> Outcome<CommandOutput> {
    let line = command.command_line();
    let started = Instant::now();
    let fail = |e: &ssh2::Error| Outcome {
        result: Err(ctx.command_error(e, &line)),
        fatal: errors::is_fatal(e),
        lost: errors::is_lost(e),
    };
    let mut channel = match session.channel_session() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    // Like the local transport: messages and formats of the C locale.
    // sshd accepts it when its `AcceptEnv` allows (Debian: `LANG LC_*`).
    let _ = channel.setenv("LC_ALL", "C");
    if let Err(e) = channel.exec(&line) {
        return fail(&e);
    }
    let _ = channel.send_eof();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    // Read both streams in turns so that neither fills its window while the
    // other is waited on.
    let mut out_done = false;
    let mut err_done = false;
    while !(out_done && err_done) {
        if started.elapsed() > ctx.timeout {
            let _ = channel.close();
            return Outcome {
                result: Err(ctx.timeout_error(format!("`{line}`"))),
                fatal: true,
                lost: false,
            };
        }
        let mut moved = false;
        if !out_done {
            match channel.read(&mut buf) {
                Ok(0) => out_done = true,
                Ok(n) => {
                    stdout.extend_from_slice(&buf[..n]);
                    moved = true;
                }
                Err(e) => return io_failure(&e, &line, ctx),
            }
        }
        if !err_done && (!moved || out_done) {
            match channel.stderr().read(&mut buf) {
                Ok(0) => err_done = true,
                Ok(n) => stderr.extend_from_slice(&buf[..n]),
                Err(e) => return io_failure(&e, &line, ctx),
            }
        }
        if stdout.len() > MAX_OUTPUT || stderr.len() > MAX_OUTPUT {
            let _ = channel.close();
            return Outcome {
                result: Err(TransportError::Command {
                    command: line.clone(),
                    message: format!("printed more than {} MiB; not read", MAX_OUTPUT >> 20),
                }),
                fatal: false,
                lost: false,
            };
        }
    }
    if let Err(e) = channel.wait_close() {
        return fail(&e);
    }
    let status = match channel.exit_signal() {
        Ok(sig) if sig.exit_signal.is_some() => -1,
        _ => channel.exit_status().unwrap_or(-1),
    };
    if status == NOT_FOUND && stdout.is_empty() {
        return Outcome {
            result: Err(TransportError::Command {
                command: line,
                message: "not installed (not found on the remote PATH)".into(),
            }),
            fatal: false,
            lost: false,
        };
    }
    Outcome {
        result: Ok(CommandOutput {
            status,
            stdout,
            stderr,
        }),
        fatal: false,
        lost: false,
    }
}

fn io_failure(e: &std::io::Error, line: &str, ctx: &Context<'_>) -> Outcome<CommandOutput> {
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut;
    Outcome {
        result: Err(if timed_out {
            ctx.timeout_error(format!("`{line}`"))
        } else {
            TransportError::Command {
                command: line.to_owned(),
                message: format!("reading its output failed: {e}"),
            }
        }),
        fatal: true,
        lost: !timed_out,
    }
}
