//! Integration tests of sonde-tsdb on real files in temporary directories (one test binary).

mod codec_props;
mod crash;
mod faults;
mod index;
mod store;
mod util;
