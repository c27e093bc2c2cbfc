//! Walks over SFTP. The directories are first listed by a few threads at
//! once (their requests pipelined on the one channel), then the generic
//! walk runs over those listings, so the result has exactly the semantics
//! of every other transport's walk.
//!
//! When links are followed, a link to a directory is resolved by the
//! server (`realpath`, asked with its `stat`); when its real path is that
//! of a directory on the path from the root to it, it is a loop, reported
//! as the local walk (`walkdir`) reports it and not walked. SFTP version 3
//! gives no device and inode numbers, hence real paths. A link into
//! `/proc`, `/sys` or `/dev` is not followed either, as locally. However a
//! server answers, a walk lists at most `max_entries` directories.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::client::SftpClient;
use super::{followed, metadata, read_dir};
use crate::transport::special::{is_special_path, under_special};
use crate::transport::ssh::errors::Context;
use crate::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileKind, FileMeta, Transport, TransportError, Tunnel,
    Walk, WalkOptions, generic_walk,
};

/// Directories listed at once.
const LISTERS: usize = 16;

type Listing = Result<Vec<DirEntry>, TransportError>;

/// A directory on the path from the root to the one being listed: where
/// the walk found it, and its real path.
#[derive(Debug)]
struct Ancestor {
    walk: PathBuf,
    real: PathBuf,
    parent: Option<Arc<Ancestor>>,
}

impl Ancestor {
    /// The walk path of the directory on this path (this one included)
    /// whose real path is `real`.
    fn find<'a>(mut node: &'a Ancestor, real: &Path) -> Option<&'a Path> {
        loop {
            if node.real == real {
                return Some(&node.walk);
            }
            node = node.parent.as_deref()?;
        }
    }

    fn child(parent: &Arc<Ancestor>, walk: PathBuf, real: PathBuf) -> Arc<Ancestor> {
        Arc::new(Ancestor {
            walk,
            real,
            parent: Some(Arc::clone(parent)),
        })
    }
}

/// A directory to list: its path, depth, and (when links are followed)
/// the directories on the path to it.
type Todo = (PathBuf, usize, Option<Arc<Ancestor>>);

#[derive(Default)]
struct Queue {
    todo: Vec<Todo>,
    active: usize,
    files: usize,
    dirs: usize,
    listings: HashMap<PathBuf, Listing>,
    followed: HashMap<PathBuf, Result<FileMeta, TransportError>>,
}

pub(crate) fn walk(
    c: &SftpClient,
    root: &Path,
    options: &WalkOptions,
    ctx: &Context<'_>,
) -> Result<Walk, TransportError> {
    let (root_meta, root_node) = if options.follow_symlinks {
        let (meta, real) = followed(c, root, ctx)?;
        let node = Ancestor {
            walk: root.to_path_buf(),
            real,
            parent: None,
        };
        (meta, Some(Arc::new(node)))
    } else {
        (metadata(c, root, true, ctx)?, None)
    };
    if root_meta.kind != FileKind::Dir {
        return Err(TransportError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let queue = prefetch(c, root, root_node, options, ctx);
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

/// A followed link's metadata, refused when it leads to a directory on
/// the path to it (a loop) or into `/proc`, `/sys` or `/dev`; with the
/// node of the directory it leads to.
fn check_followed(
    path: &Path,
    followed: Result<(FileMeta, PathBuf), TransportError>,
    node: Option<&Arc<Ancestor>>,
) -> Result<(FileMeta, Option<Arc<Ancestor>>), TransportError> {
    let (meta, real) = followed?;
    if meta.kind == FileKind::Dir
        && let Some(ancestor) = node.and_then(|n| Ancestor::find(n, &real))
    {
        // As `walkdir` says it.
        return Err(TransportError::Io {
            path: path.to_path_buf(),
            message: format!(
                "File system loop found: {} points to an ancestor {}",
                path.display(),
                ancestor.display()
            ),
        });
    }
    if let Some(special) = is_special_path(&real) {
        return Err(under_special(path, special));
    }
    let child = match node {
        Some(n) if meta.kind == FileKind::Dir => Some(Ancestor::child(n, path.to_path_buf(), real)),
        _ => None,
    };
    Ok((meta, child))
}

/// Lists every directory the walk will need.
fn prefetch(
    c: &SftpClient,
    root: &Path,
    root_node: Option<Arc<Ancestor>>,
    options: &WalkOptions,
    ctx: &Context<'_>,
) -> Queue {
    let state = Mutex::new(Queue {
        todo: vec![(root.to_path_buf(), 0, root_node)],
        ..Queue::default()
    });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    std::thread::scope(|s| {
        for _ in 0..LISTERS {
            s.spawn(|| {
                loop {
                    let mut q = lock();
                    let (dir, depth, node) = loop {
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
                    q.dirs += 1;
                    drop(q);
                    let listing = read_dir(c, &dir, ctx);
                    let mut subdirs = Vec::new();
                    let mut followed = Vec::new();
                    let mut files = 0;
                    if let Ok(entries) = &listing {
                        for e in entries {
                            let path = dir.join(&e.name);
                            let mut kind = e.meta.kind;
                            let mut child = None;
                            if kind == FileKind::Symlink && options.follow_symlinks {
                                let m = check_followed(
                                    &path,
                                    super::followed(c, &path, ctx),
                                    node.as_ref(),
                                );
                                kind = m.as_ref().map_or(FileKind::Other, |m| m.0.kind);
                                child = m.as_ref().ok().and_then(|m| m.1.clone());
                                followed.push((path.clone(), m.map(|m| m.0)));
                            } else if kind == FileKind::Dir {
                                child = node.as_ref().map(|n| {
                                    Ancestor::child(n, path.clone(), n.real.join(&e.name))
                                });
                            }
                            match kind {
                                FileKind::Dir if depth < options.max_depth => {
                                    subdirs.push((path, depth + 1, child));
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
                    // Past the entry limit the walk stops anyway; however
                    // many directories a server makes up, so many at most.
                    if q.files < options.max_entries && q.dirs < options.max_entries {
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
