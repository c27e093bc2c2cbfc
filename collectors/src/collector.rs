//! The `Collector` trait: one source kind (env, config, schema, packages,
//! host) read through a [`Transport`] into a [`Collection`].

use drift_core::Collection;
use drift_core::manifest::ManifestStream;

use crate::transport::Transport;

/// Reads one kind of source into a [`Collection`].
///
/// A collector never fails as a whole: what it cannot read becomes a
/// [`drift_core::CollectionError`] in the collection, and everything else is
/// still collected. It never decides what counts as drift, and it hands over
/// values as read; the manifest builder hides secrets.
pub trait Collector: Send + Sync + std::fmt::Debug {
    /// The collector's name, recorded in manifests (`config`).
    fn name(&self) -> &'static str;

    /// The collector's version, recorded in manifests.
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// Reads the sources through `transport`.
    fn collect(&self, transport: &dyn Transport) -> Collection;

    /// Whether [`Collector::collect_streaming`] hands entries to the stream
    /// as they are read (rather than all at the end).
    fn streams(&self) -> bool {
        false
    }

    /// Reads the sources through `transport`, pushing entries to `stream`
    /// as they are read, in the stream's order, and returns what was not
    /// pushed (entries that sort after every pushed one, coverage,
    /// errors). By default nothing is pushed: it is [`Collector::collect`].
    fn collect_streaming(
        &self,
        transport: &dyn Transport,
        stream: &mut ManifestStream<'_>,
    ) -> Collection {
        let _ = stream;
        self.collect(transport)
    }
}
