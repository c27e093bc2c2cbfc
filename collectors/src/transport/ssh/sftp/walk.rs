//! Walks over SFTP. The directories are first listed by a few threads at
//! once (their requests pipelined on the one channel), then the generic
//! walk runs over those listings, so the result has exactly the semantics
//! of every other transport's walk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

use super::client::SftpClient;
use super::{metadata, read_dir};
use crate::transport::ssh::errors::Context;
use crate::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileKind, FileMeta, Transport, TransportError, Tunnel,
    Walk, WalkOptions, generic_walk,
};

/// Directories listed at once.
const LISTERS: usize = 16;

type Listing = Result<Vec<DirEntry>, TransportError>;

#[derive(Default)]
struct Queue {
    todo: Vec<(PathBuf, usize)>,
    active: usize,
    files: usize,
    listings: HashMap<PathBuf, Listing>,
    followed: HashMap<PathBuf, Result<FileMeta, TransportError>>,
}

pub(crate) fn walk(
    c: &SftpClient,
    root: &Path,
    options: &WalkOptions,
    ctx: &Context<'_>,
) -> Result<Walk, TransportError> {
    let root_meta = metadata(c, root, true, ctx)?;
    if root_meta.kind != FileKind::Dir {
        return Err(TransportError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let queue = prefetch(c, root, options, ctx);
    let cached = Cached {
        c,
        ctx: *ctx,
        root: root.to_path_buf(),
        root_meta,
        listings: Mutex::new(queue.listings),
        followed: Mutex::new(queue.followed),
    };
    generic_walk(&cached, root, options)
}

/// Lists every directory the walk will need.
fn prefetch(c: &SftpClient, root: &Path, options: &WalkOptions, ctx: &Context<'_>) -> Queue {
    let state = Mutex::new(Queue {
        todo: vec![(root.to_path_buf(), 0)],
        ..Queue::default()
    });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    std::thread::scope(|s| {
        for _ in 0..LISTERS {
            s.spawn(|| {
                loop {
                    let mut q = lock();
                    let (dir, depth) = loop {
                        if let Some(item) = q.todo.pop() {
                            break item;
                        }
                        if q.active == 0 {
                            changed.notify_all();
                            return;
                        }
                        q = changed.wait(q).unwrap_or_else(PoisonError::into_inner);
                    };
                    q.active += 1;
                    drop(q);
                    let listing = read_dir(c, &dir, ctx);
                    let mut subdirs = Vec::new();
                    let mut followed = Vec::new();
                    let mut files = 0;
                    if let Ok(entries) = &listing {
                        for e in entries {
                            let path = dir.join(&e.name);
                            let mut kind = e.meta.kind;
                            if kind == FileKind::Symlink && options.follow_symlinks {
                                let m = metadata(c, &path, true, ctx);
                                kind = m.as_ref().map_or(FileKind::Other, |m| m.kind);
                                followed.push((path.clone(), m));
                            }
                            match kind {
                                FileKind::Dir if depth < options.max_depth => {
                                    subdirs.push((path, depth + 1));
                                }
                                FileKind::File | FileKind::Symlink => files += 1,
                                _ => {}
                            }
                        }
                    }
                    let mut q = lock();
                    q.active -= 1;
                    q.files += files;
                    q.listings.insert(dir, listing);
                    q.followed.extend(followed);
                    // Past the entry limit the walk stops anyway.
                    if q.files < options.max_entries {
                        q.todo.extend(subdirs);
                    }
                    changed.notify_all();
                }
            });
        }
    });
    state.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// The prefetched listings seen as a transport; anything not prefetched is
/// asked for live.
struct Cached<'a> {
    c: &'a SftpClient,
    ctx: Context<'a>,
    root: PathBuf,
    root_meta: FileMeta,
    listings: Mutex<HashMap<PathBuf, Listing>>,
    followed: Mutex<HashMap<PathBuf, Result<FileMeta, TransportError>>>,
}

impl std::fmt::Debug for Cached<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cached")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl Transport for Cached<'_> {
    fn target(&self) -> &str {
        self.ctx.target
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        super::read_file(self.c, path, limit, &self.ctx)
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        if follow_symlinks && path == self.root {
            return Ok(self.root_meta.clone());
        }
        if follow_symlinks {
            let hit = self
                .followed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(path);
            if let Some(m) = hit {
                return m;
            }
        }
        metadata(self.c, path, follow_symlinks, &self.ctx)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        let hit = self
            .listings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path);
        match hit {
            Some(listing) => listing,
            None => read_dir(self.c, path, &self.ctx),
        }
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        Err(TransportError::Unsupported(format!(
            "`{command}` cannot run during a walk"
        )))
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        Err(TransportError::Unsupported(format!(
            "no tunnel to `{host}:{port}` during a walk"
        )))
    }
}
