//! Property tests: every chunk and rollup encoding decodes to exactly what went in.

use proptest::prelude::*;
use sonde_tsdb::codec::{decode, encode};

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(0.0),
        (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
        (-100_000i64..100_000).prop_map(|n| n as f64 / 100.0),
        any::<u64>().prop_map(f64::from_bits),
    ]
}

/// Sorted unique timestamps with regular, jittery or huge gaps.
fn timestamps() -> impl Strategy<Value = Vec<i64>> {
    (
        any::<i64>(),
        prop::collection::vec(
            prop_oneof![Just(60_000i64), 1..2_000_000i64, 1..i64::MAX / 1024],
            0..300,
        ),
    )
        .prop_map(|(start, gaps)| {
            let mut t = start / 2;
            let mut out = vec![t];
            for g in gaps {
                match t.checked_add(g) {
                    Some(n) => {
                        t = n;
                        out.push(t);
                    }
                    None => break,
                }
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn chunks_round_trip_bit_for_bit(ts in timestamps(), vals in prop::collection::vec(value(), 301)) {
        let samples: Vec<(i64, f64)> = ts.iter().zip(&vals).map(|(&t, &v)| (t, v)).collect();
        let dec = decode(&encode(&samples)).expect("own encoding decodes");
        prop_assert_eq!(dec.len(), samples.len());
        for (a, b) in samples.iter().zip(&dec) {
            prop_assert_eq!(a.0, b.0);
            prop_assert_eq!(a.1.to_bits(), b.1.to_bits());
        }
    }

    #[test]
    fn whole_second_series_round_trip(n in 1usize..200, base in -10_000_000i64..10_000_000, vals in prop::collection::vec(value(), 200)) {
        let samples: Vec<(i64, f64)> = (0..n).map(|i| ((base + i as i64 * 60) * 1000, vals[i])).collect();
        let dec = decode(&encode(&samples)).expect("decodes");
        prop_assert_eq!(dec.iter().map(|s| (s.0, s.1.to_bits())).collect::<Vec<_>>(),
            samples.iter().map(|s| (s.0, s.1.to_bits())).collect::<Vec<_>>());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&bytes);
    }
}
