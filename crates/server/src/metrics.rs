//! What the server keeps metrics in: the embedded `sonde_tsdb::Store`
//! (the default, in `<data>/metrics`) or VictoriaMetrics (fleet mode,
//! `sonde server --metrics http://...`). The operations keep the store's
//! names and meanings, so the API, the monitors and the dashboard do not
//! care which one runs; only errors differ (an engine that is down is
//! [`MetricsError::Unavailable`], which the API answers with 503 so agents
//! keep their batches and try again).

use sonde_tsdb::{Matcher, Sample, SeriesId, SeriesKey, SeriesPoints};

use crate::victoria::{Victoria, VictoriaError};

/// How far back VictoriaMetrics is searched when listing series, labels or
/// a last value: 31 days, past the oldest value the API accepts (30 days),
/// so listing sees what the embedded store would (it keeps its index of
/// every series; VictoriaMetrics searches by time).
pub const LOOKBACK_MS: i64 = 31 * 86_400_000;

/// The metrics store.
pub enum Metrics {
    /// On this machine.
    Embedded(sonde_tsdb::Store),
    /// In VictoriaMetrics.
    Victoria(Box<Victoria>),
}

/// Why a metrics operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Store(#[from] sonde_tsdb::Error),
    #[error(transparent)]
    Victoria(#[from] VictoriaError),
}

impl MetricsError {
    /// The HTTP status the API answers with: 503 for a store that cannot
    /// take or give data now (try again), 400 for a query it cannot run,
    /// 500 for the rest.
    pub fn status(&self) -> u16 {
        match self {
            MetricsError::Store(sonde_tsdb::Error::BadMatcher { .. }) => 400,
            MetricsError::Store(_) => 500,
            MetricsError::Victoria(VictoriaError::Unavailable(_)) => 503,
            MetricsError::Victoria(VictoriaError::Refused(_) | VictoriaError::BadQuery(_)) => 400,
            MetricsError::Victoria(VictoriaError::BadAnswer { .. }) => 502,
        }
    }
}

impl From<sonde_tsdb::Store> for Metrics {
    fn from(s: sonde_tsdb::Store) -> Metrics {
        Metrics::Embedded(s)
    }
}

impl From<Victoria> for Metrics {
    fn from(v: Victoria) -> Metrics {
        Metrics::Victoria(Box::new(v))
    }
}

impl Metrics {
    /// The embedded store, when that is what runs.
    pub fn store(&self) -> Option<&sonde_tsdb::Store> {
        match self {
            Metrics::Embedded(s) => Some(s),
            Metrics::Victoria(_) => None,
        }
    }

    /// An id for a series, for [`Metrics::append`] (in VictoriaMetrics a
    /// process-local one).
    pub fn series_id(&self, key: &SeriesKey) -> Result<SeriesId, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.series_id(key)?),
            Metrics::Victoria(v) => Ok(v.series_id(key)),
        }
    }

    /// The key of an id.
    pub fn series_key(&self, id: SeriesId) -> Option<SeriesKey> {
        match self {
            Metrics::Embedded(s) => s.series_key(id),
            Metrics::Victoria(v) => v.series_key(id),
        }
    }

    /// Stores samples by series id; `Ok` once durable (the embedded store's
    /// WAL fsynced, or VictoriaMetrics answered 2xx).
    pub fn append(&self, samples: &[Sample]) -> Result<(), MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.append(samples)?),
            Metrics::Victoria(v) => Ok(v.append(samples)?),
        }
    }

    /// Stores samples with their series' keys; `Ok` once durable.
    pub fn append_keyed(&self, samples: &[(SeriesKey, i64, f64)]) -> Result<(), MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.append_keyed(samples)?),
            Metrics::Victoria(v) => Ok(v.append_keyed(samples)?),
        }
    }

    /// Series matching `matchers` in `[start, end)` ms, raw (`step == 0`)
    /// or per-step buckets (see `sonde_tsdb::Store::query_range`).
    pub fn query_range(
        &self,
        matchers: &[Matcher],
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Vec<SeriesPoints>, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.query_range(matchers, start, end, step)?),
            Metrics::Victoria(v) => Ok(v.query_range(matchers, start, end, step)?),
        }
    }

    /// The series matching `matchers` (VictoriaMetrics: those with samples
    /// in the last [`LOOKBACK_MS`]).
    pub fn select(&self, matchers: &[Matcher]) -> Result<Vec<SeriesId>, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.select(matchers)),
            Metrics::Victoria(v) => Ok(v
                .series(matchers, LOOKBACK_MS)?
                .iter()
                .map(|k| v.series_id(k))
                .collect()),
        }
    }

    /// Every label name (VictoriaMetrics: of series with samples in the last
    /// [`LOOKBACK_MS`]).
    pub fn label_names(&self) -> Result<Vec<String>, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.label_names()),
            Metrics::Victoria(v) => Ok(v.label_names(LOOKBACK_MS)?),
        }
    }

    /// The newest sample of a series (VictoriaMetrics: within the last
    /// [`LOOKBACK_MS`]).
    pub fn last_value(&self, id: SeriesId) -> Result<Option<(i64, f64)>, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.last_value(id)),
            Metrics::Victoria(v) => match v.series_key(id) {
                Some(key) => Ok(v.last_value(&key, LOOKBACK_MS)?),
                None => Ok(None),
            },
        }
    }

    /// Values of `label` among series matching `matchers` (VictoriaMetrics:
    /// those with samples in the last [`LOOKBACK_MS`]).
    pub fn label_values(
        &self,
        label: &str,
        matchers: &[Matcher],
    ) -> Result<Vec<String>, MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.label_values(label, matchers)),
            Metrics::Victoria(v) => Ok(v.label_values(label, matchers, LOOKBACK_MS)?),
        }
    }

    /// Makes recent writes durable in blocks (embedded) or visible to
    /// queries at once (VictoriaMetrics' force flush).
    pub fn flush(&self) -> Result<(), MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.flush()?),
            Metrics::Victoria(v) => Ok(v.flush()?),
        }
    }

    /// Flushes the embedded store's head when it is due (VictoriaMetrics
    /// flushes its own).
    pub fn maybe_flush(&self) -> Result<(), MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.maybe_flush()?),
            Metrics::Victoria(_) => Ok(()),
        }
    }

    /// Drops data past retention (VictoriaMetrics: its own
    /// `-retentionPeriod` does).
    pub fn apply_retention(&self, now_ms: i64) -> Result<(), MetricsError> {
        match self {
            Metrics::Embedded(s) => Ok(s.apply_retention(now_ms)?),
            Metrics::Victoria(_) => Ok(()),
        }
    }

    /// Damage the embedded store found and skipped (file and offset).
    pub fn damage(&self) -> Vec<String> {
        self.store().map(|s| s.damage()).unwrap_or_default()
    }

    /// Bytes on disk, when the store is ours (VictoriaMetrics reports its
    /// own in its `/metrics`).
    pub fn disk_usage(&self) -> Option<sonde_tsdb::DiskUsage> {
        self.store().map(|s| s.disk_usage())
    }

    /// Where the metrics are, for logs: a directory's store or a URL.
    pub fn describe(&self) -> String {
        match self {
            Metrics::Embedded(_) => "the embedded store".into(),
            Metrics::Victoria(v) => format!("VictoriaMetrics at {}", v.url()),
        }
    }
}
