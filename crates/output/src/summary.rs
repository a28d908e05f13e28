//! The per-event-type call counts of `sysdig -S`, printed at the end of a run
//! (sysdig 0.29.3 `print_summary_table`).
//!
//! sysdig keeps one counter per event type of its table (336) and one per
//! direction of every syscall of its syscall table (2 × 329): generic
//! `syscall` events count under the syscall they carry. At the end it sorts
//! the counters by decreasing count with `std::sort`, which is not stable: the
//! order of equal counts is whatever libstdc++'s introsort leaves, so
//! [`Summary::write`] runs the same algorithm over the same initial order to
//! print ties exactly as sysdig does. At most 100 rows are printed, and
//! counters of 0 never.
//!
//! What to count: every event sysdig's loop receives, with or without `-q`
//! (the table is the same; `-q` only suppresses the event lines before it).
//! That excludes the container events (`PPME_CONTAINER_E`,
//! `PPME_CONTAINER_JSON_E`, `PPME_CONTAINER_JSON_2_E`) that open a capture
//! file, which libsinsp consumes while opening it, and events of types newer
//! than its table, which [`Summary::add`] ignores. Internal events such as
//! `procinfo` and `switch` are counted.

use std::io::{self, Write};

use sonde_event::{EVENT_TABLE, LEGACY_EVENT_COUNT, SYSCALL_TABLE, is_enter};

/// Event types of sysdig 0.29.3's table (`PPM_EVENT_MAX`).
const EVENT_MAX: usize = LEGACY_EVENT_COUNT;
/// Rows printed at most.
const MAX_ROWS: usize = 100;
/// `PPME_GENERIC_E` and `PPME_GENERIC_X`.
const GENERIC_E: u16 = 0;
const GENERIC_X: u16 = 1;

/// Counts events by type, as `sysdig -S` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Indexed like sysdig's table: event types first, then for each syscall
    /// code `c` the enter (`EVENT_MAX + 2c`) and exit (`+ 1`) counters.
    counts: Vec<u64>,
}

impl Default for Summary {
    fn default() -> Self {
        Self::new()
    }
}

/// One counter: what it names and how often.
#[derive(Debug, Clone, Copy)]
struct Entry {
    ncalls: u64,
    /// An event type, or `2 × syscall code + direction` for a syscall.
    id: u16,
    syscall: bool,
}

impl Summary {
    pub fn new() -> Self {
        Summary {
            counts: vec![0; EVENT_MAX + 2 * SYSCALL_TABLE.len()],
        }
    }

    /// Counts one event of type `ty`. For a generic `syscall` event (types 0
    /// and 1), `generic_syscall_id` is its `ID` parameter (a `PPM_SC_*`
    /// code) and the event counts under that syscall.
    ///
    /// Types the 0.29.3 table does not have (≥ 336) are not counted: sysdig's
    /// reader skips those events. Neither is a syscall code outside its syscall
    /// table (sysdig would write past its array).
    pub fn add(&mut self, ty: u16, generic_syscall_id: Option<u16>) {
        if usize::from(ty) >= EVENT_MAX {
            return;
        }
        let slot = match (ty, generic_syscall_id) {
            (GENERIC_E | GENERIC_X, Some(id)) => {
                if usize::from(id) >= SYSCALL_TABLE.len() {
                    return;
                }
                EVENT_MAX + 2 * usize::from(id) + usize::from(ty)
            }
            _ => usize::from(ty),
        };
        self.counts[slot] += 1;
    }

    /// The number of events counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Prints the table exactly as sysdig does at the end of a `-S` run.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut entries: Vec<Entry> = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, &ncalls)| {
                let (id, syscall) = if i < EVENT_MAX {
                    (i, false)
                } else {
                    (i - EVENT_MAX, true)
                };
                Entry {
                    ncalls,
                    id: id as u16,
                    syscall,
                }
            })
            .collect();
        libstdcxx_sort(&mut entries, |a, b| a.ncalls > b.ncalls);

        let mut text = String::new();
        text.push_str("----------------------\n");
        text.push_str("Event           #Calls\n");
        text.push_str("----------------------\n");
        for e in entries.iter().take(MAX_ROWS) {
            if e.ncalls == 0 {
                break;
            }
            let name = if e.syscall {
                SYSCALL_TABLE[usize::from(e.id / 2)].name
            } else {
                EVENT_TABLE[usize::from(e.id)].name
            };
            text.push_str(if is_enter(e.id) { "> " } else { "< " });
            // `std::string::resize(16, ' ')`: padded or cut to 16 bytes.
            let name = name.get(..16).unwrap_or(name);
            text.push_str(&format!("{name:<16}{}\n", e.ncalls));
        }
        out.write_all(text.as_bytes())
    }
}

/// Elements at or below which introsort leaves a range to the final
/// insertion sort (`_S_threshold`).
const THRESHOLD: usize = 16;

/// `std::sort` as libstdc++ implements it (introsort: median-of-three
/// quicksort, heapsort past a depth limit, then insertion sort), so that
/// elements that compare equal end up in the same order as in sysdig.
fn libstdcxx_sort<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let depth = 2 * (usize::BITS - 1 - n.leading_zeros()) as usize;
    introsort_loop(v, depth, &less);
    final_insertion_sort(v, &less);
}

fn introsort_loop<T: Copy>(v: &mut [T], mut depth: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut last = v.len();
    while last > THRESHOLD {
        if depth == 0 {
            heap_sort(&mut v[..last], less);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(&mut v[..last], less);
        introsort_loop(&mut v[cut..last], depth, less);
        last = cut;
    }
}

/// Moves the median of `v[1]`, `v[mid]`, `v[last]` to `v[0]` and partitions
/// the rest around it; returns the cut.
fn partition_pivot<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) -> usize {
    let n = v.len();
    let mid = n / 2;
    let (a, b, c) = (1, mid, n - 1);
    let median = if less(&v[a], &v[b]) {
        if less(&v[b], &v[c]) {
            b
        } else if less(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if less(&v[a], &v[c]) {
        a
    } else if less(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(0, median);
    // `__unguarded_partition(first + 1, last, first)`.
    let mut first = 1;
    let mut last = n;
    loop {
        while less(&v[first], &v[0]) {
            first += 1;
        }
        last -= 1;
        while less(&v[0], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn final_insertion_sort<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    if v.len() > THRESHOLD {
        insertion_sort(&mut v[..THRESHOLD], less);
        for i in THRESHOLD..v.len() {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, less);
    }
}

fn insertion_sort<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        if less(&v[i], &v[0]) {
            let val = v[i];
            v.copy_within(0..i, 1);
            v[0] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

/// Shifts `v[i]` left past the elements greater than it (a smaller element is
/// known to exist to its left, or it stops at its place).
fn unguarded_linear_insert<T: Copy>(v: &mut [T], mut i: usize, less: &impl Fn(&T, &T) -> bool) {
    let val = v[i];
    while less(&val, &v[i - 1]) {
        v[i] = v[i - 1];
        i -= 1;
    }
    v[i] = val;
}

/// `std::__partial_sort(first, last, last)`: make a heap, then sort it.
fn heap_sort<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let len = v.len();
    if len >= 2 {
        let mut parent = (len - 2) / 2;
        loop {
            let value = v[parent];
            adjust_heap(v, parent, len, value, less);
            if parent == 0 {
                break;
            }
            parent -= 1;
        }
    }
    let mut last = len;
    while last > 1 {
        last -= 1;
        // `__pop_heap(first, last, last)`.
        let value = v[last];
        v[last] = v[0];
        adjust_heap(&mut v[..last], 0, last, value, less);
    }
}

fn adjust_heap<T: Copy>(
    v: &mut [T],
    mut hole: usize,
    len: usize,
    value: T,
    less: &impl Fn(&T, &T) -> bool,
) {
    let top = hole;
    let mut child = hole;
    while len >= 1 && child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if less(&v[child], &v[child - 1]) {
            child -= 1;
        }
        v[hole] = v[child];
        hole = child;
    }
    if len & 1 == 0 && len >= 2 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[hole] = v[child - 1];
        hole = child - 1;
    }
    // `__push_heap(first, hole, top, value)`.
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(&v[parent], &value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_like_std_sort() {
        // Sorted output for several shapes, including the heap fallback.
        for n in [0usize, 1, 2, 5, 16, 17, 100, 1000] {
            let mut v: Vec<u32> = (0..n as u32).map(|i| (i * 7919) % 13).collect();
            let mut want = v.clone();
            want.sort();
            libstdcxx_sort(&mut v, |a, b| a < b);
            assert_eq!(v, want);
            let mut h: Vec<u32> = (0..n as u32).map(|i| (i * 31) % 97).collect();
            let mut want = h.clone();
            want.sort();
            heap_sort(&mut h, &|a: &u32, b: &u32| a < b);
            assert_eq!(h, want);
        }
    }

    #[test]
    fn empty_table_is_the_header() {
        let mut out = Vec::new();
        Summary::new().write(&mut out).expect("write");
        assert_eq!(
            out,
            b"----------------------\nEvent           #Calls\n----------------------\n"
        );
    }

    #[test]
    fn generic_events_count_under_their_syscall() {
        let mut s = Summary::new();
        s.add(GENERIC_E, Some(1));
        s.add(GENERIC_X, Some(1));
        s.add(GENERIC_X, Some(1));
        s.add(400, None);
        s.add(GENERIC_E, Some(u16::MAX));
        assert_eq!(s.total(), 3);
        let mut out = Vec::new();
        s.write(&mut out).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        let name = SYSCALL_TABLE[1].name;
        assert!(
            text.ends_with(&format!("< {name:<16}2\n> {name:<16}1\n")),
            "{text}"
        );
    }
}
