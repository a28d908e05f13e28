//! What the mysql plugin posts: its graphs as mackerel-plugin-mysql
//! defines them (the InnoDB ones from status variables only, the extended
//! ones behind `--enable_extended`), and the names it gives to values
//! under other names.

use crate::services::graph::{Graph, counter, gauge};

pub(super) const GRAPHS: &[Graph] = &[
    Graph {
        key: "cmd",
        label: "Command",
        unit: "float",
        metrics: &[
            counter("Com_insert", "Insert").stacked(),
            counter("Com_insert_select", "Insert Select").stacked(),
            counter("Com_select", "Select").stacked(),
            counter("Com_update", "Update").stacked(),
            counter("Com_update_multi", "Update Multi").stacked(),
            counter("Com_delete", "Delete").stacked(),
            counter("Com_delete_multi", "Delete Multi").stacked(),
            counter("Com_replace", "Replace").stacked(),
            counter("Com_replace_select", "Replace Select").stacked(),
            counter("Com_load", "Load").stacked(),
            counter("Com_set_option", "Set Option").stacked(),
            counter("Qcache_hits", "Query Cache Hits"),
            counter("Questions", "Questions"),
        ],
    },
    Graph {
        key: "join",
        label: "Join/Scan",
        unit: "float",
        metrics: &[
            counter("Select_full_join", "Select Full JOIN"),
            counter("Select_full_range_join", "Select Full Range JOIN"),
            counter("Select_range", "Select Range"),
            counter("Select_range_check", "Select Range Check"),
            counter("Select_scan", "Select SCAN"),
        ],
    },
    Graph {
        key: "threads",
        label: "Threads",
        unit: "integer",
        metrics: &[
            gauge("thread_cache_size", "Cache Size"),
            gauge("Threads_connected", "Connected"),
            gauge("Threads_running", "Running"),
            counter("Threads_created", "Created"),
            gauge("Threads_cached", "Cached"),
        ],
    },
    Graph {
        key: "connections",
        label: "Connections",
        unit: "float",
        metrics: &[
            gauge("max_connections", "Max Connections"),
            gauge("Max_used_connections", "Max Used Connections"),
            counter("Connections", "Connections"),
            gauge("Threads_connected", "Threads Connected"),
            counter("Aborted_clients", "Aborted Clients"),
            counter("Aborted_connects", "Aborted Connects"),
        ],
    },
    Graph {
        key: "seconds_behind_master",
        label: "Slave status",
        unit: "integer",
        metrics: &[gauge("Seconds_Behind_Master", "Seconds Behind Master")],
    },
    Graph {
        key: "replication",
        label: "Replication threads (1: running)",
        unit: "integer",
        metrics: &[
            gauge("io_running", "IO thread running"),
            gauge("sql_running", "SQL thread running"),
        ],
    },
    Graph {
        key: "table_locks",
        label: "Table Locks/Slow Queries",
        unit: "float",
        metrics: &[
            counter("Table_locks_immediate", "Table Locks Immediate"),
            counter("Table_locks_waited", "Table Locks Waited"),
            counter("Slow_queries", "Slow Queries"),
        ],
    },
    // The Go plugin scales these to bytes per second; a counter here is a
    // per-minute rate, and the label says so.
    Graph {
        key: "traffic",
        label: "Traffic (bytes per minute)",
        unit: "bytes",
        metrics: &[
            counter("Bytes_sent", "Sent Bytes"),
            counter("Bytes_received", "Received Bytes"),
        ],
    },
    Graph {
        key: "capacity",
        label: "Capacity",
        unit: "percentage",
        metrics: &[
            gauge("PercentageOfConnections", "Percentage Of Connections"),
            gauge("PercentageOfBufferPool", "Percentage Of Buffer Pool"),
        ],
    },
    Graph {
        key: "transactions",
        label: "Long Transactions",
        unit: "integer",
        metrics: &[gauge("long_running", "Open longer than the threshold")],
    },
];

pub(super) const INNODB_GRAPHS: &[Graph] = &[
    Graph {
        key: "innodb_rows",
        label: "innodb Rows",
        unit: "float",
        metrics: &[
            counter("Innodb_rows_read", "Read"),
            counter("Innodb_rows_inserted", "Inserted"),
            counter("Innodb_rows_updated", "Updated"),
            counter("Innodb_rows_deleted", "Deleted"),
        ],
    },
    Graph {
        key: "innodb_row_lock_time",
        label: "innodb Row Lock Time",
        unit: "float",
        metrics: &[counter("Innodb_row_lock_time", "Lock Time")],
    },
    Graph {
        key: "innodb_row_lock_waits",
        label: "innodb Row Lock Waits",
        unit: "float",
        metrics: &[counter("Innodb_row_lock_waits", "Lock Waits")],
    },
    Graph {
        key: "innodb_buffer_pool_read",
        label: "innodb Buffer Pool Read (per minute)",
        unit: "float",
        metrics: &[
            counter("read_ahead", "Pages Read Ahead"),
            counter("read_evicted", "Evicted Without Access"),
            counter("read_random_ahead", "Random Read Ahead"),
        ],
    },
    Graph {
        key: "innodb_buffer_pool_activity",
        label: "innodb Buffer Pool Activity (Pages)",
        unit: "integer",
        metrics: &[
            counter("pages_created", "Created"),
            counter("pages_read", "Read"),
            counter("pages_written", "Written"),
        ],
    },
    Graph {
        key: "innodb_buffer_pool_efficiency",
        label: "innodb Buffer Pool Efficiency",
        unit: "integer",
        metrics: &[
            counter("Innodb_buffer_pool_reads", "Reads"),
            counter("Innodb_buffer_pool_read_requests", "Read Requests"),
        ],
    },
    Graph {
        key: "innodb_buffer_pool",
        label: "innodb Buffer Pool (Pages)",
        unit: "integer",
        metrics: &[
            gauge("pool_size", "Pool Size"),
            gauge("database_pages", "Used").stacked(),
            gauge("free_pages", "Free").stacked(),
            gauge("modified_pages", "Modified"),
        ],
    },
    Graph {
        key: "innodb_io",
        label: "innodb I/O",
        unit: "integer",
        metrics: &[
            counter("file_reads", "File Reads"),
            counter("file_writes", "File Writes"),
            counter("file_fsyncs", "File fsyncs"),
            counter("log_writes", "Log Writes"),
        ],
    },
    Graph {
        key: "innodb_log",
        label: "innodb Log",
        unit: "bytes",
        metrics: &[
            counter("log_bytes_written", "Written"),
            gauge("innodb_log_buffer_size", "Buffer Size").stacked(),
        ],
    },
    Graph {
        key: "innodb_transactions",
        label: "innodb Transactions",
        unit: "integer",
        metrics: &[gauge("history_list", "History List")],
    },
];

/// The thread states the processlist graph counts; any other is
/// `State_other`.
pub(super) const PROCESS_STATES: &[&str] = &[
    "State_closing_tables",
    "State_copying_to_tmp_table",
    "State_end",
    "State_freeing_items",
    "State_init",
    "State_locked",
    "State_login",
    "State_preparing",
    "State_reading_from_net",
    "State_sending_data",
    "State_sorting_result",
    "State_statistics",
    "State_updating",
    "State_writing_to_net",
    "State_none",
    "State_other",
];

/// The Go plugin's `-enable_extended` graphs.
pub(super) const EXTENDED_GRAPHS: &[Graph] = &[
    Graph {
        key: "processlist",
        label: "processlist",
        unit: "float",
        metrics: &[
            gauge("State_closing_tables", "State Closing Tables").stacked(),
            gauge("State_copying_to_tmp_table", "State Copying To Tmp Table").stacked(),
            gauge("State_end", "State End").stacked(),
            gauge("State_freeing_items", "State Freeing Items").stacked(),
            gauge("State_init", "State Init").stacked(),
            gauge("State_locked", "State Locked").stacked(),
            gauge("State_login", "State Login").stacked(),
            gauge("State_preparing", "State Preparing").stacked(),
            gauge("State_reading_from_net", "State Reading From Net").stacked(),
            gauge("State_sending_data", "State Sending Data").stacked(),
            gauge("State_sorting_result", "State Sorting Result").stacked(),
            gauge("State_statistics", "State Statistics").stacked(),
            gauge("State_updating", "State Updating").stacked(),
            gauge("State_writing_to_net", "State Writing To Net").stacked(),
            gauge("State_none", "State None").stacked(),
            gauge("State_other", "State Other").stacked(),
        ],
    },
    Graph {
        key: "query_cache",
        label: "query Cache",
        unit: "float",
        metrics: &[
            gauge("Qcache_queries_in_cache", "Qcache Queries In Cache"),
            counter("Qcache_hits", "Qcache Hits"),
            counter("Qcache_inserts", "Qcache Inserts"),
            counter("Qcache_not_cached", "Qcache Not Cached"),
            counter("Qcache_lowmem_prunes", "Qcache Lowmem Prunes"),
        ],
    },
    Graph {
        key: "query_cache_memory",
        label: "query Cache Memory",
        unit: "float",
        metrics: &[
            gauge("query_cache_size", "Query Cache Size"),
            gauge("Qcache_free_memory", "Qcache Free Memory"),
            gauge("Qcache_total_blocks", "Qcache Total Blocks"),
            gauge("Qcache_free_blocks", "Qcache Free Blocks"),
        ],
    },
    Graph {
        key: "temporary_objects",
        label: "temporary Objects",
        unit: "float",
        metrics: &[
            counter("Created_tmp_tables", "Created Tmp Tables"),
            counter("Created_tmp_disk_tables", "Created Tmp Disk Tables"),
            counter("Created_tmp_files", "Created Tmp Files"),
        ],
    },
    Graph {
        key: "files_and_tables",
        label: "files and Tables",
        unit: "float",
        metrics: &[
            gauge("table_cache", "Table Cache"),
            gauge("Open_tables", "Open Tables"),
            gauge("Open_files", "Open Files"),
            counter("Opened_tables", "Opened Tables"),
        ],
    },
    Graph {
        key: "sorts",
        label: "sorts",
        unit: "float",
        metrics: &[
            counter("Sort_rows", "Sort Rows"),
            counter("Sort_range", "Sort Range"),
            counter("Sort_merge_passes", "Sort Merge Passes"),
            counter("Sort_scan", "Sort Scan"),
        ],
    },
    Graph {
        key: "handlers",
        label: "handlers",
        unit: "float",
        metrics: &[
            counter("Handler_write", "Handler Write").stacked(),
            counter("Handler_update", "Handler Update").stacked(),
            counter("Handler_delete", "Handler Delete").stacked(),
            counter("Handler_read_first", "Handler Read First").stacked(),
            counter("Handler_read_key", "Handler Read Key").stacked(),
            counter("Handler_read_last", "Handler Read Last").stacked(),
            counter("Handler_read_next", "Handler Read Next").stacked(),
            counter("Handler_read_prev", "Handler Read Prev").stacked(),
            counter("Handler_read_rnd", "Handler Read Rnd").stacked(),
            counter("Handler_read_rnd_next", "Handler Read Rnd Next").stacked(),
        ],
    },
    Graph {
        key: "transaction_handler",
        label: "transaction handler",
        unit: "float",
        metrics: &[
            counter("Handler_commit", "Handler Commit"),
            counter("Handler_rollback", "Handler Rollback"),
            counter("Handler_savepoint", "Handler Savepoint"),
            counter("Handler_savepoint_rollback", "Handler Savepoint Rollback"),
        ],
    },
    Graph {
        key: "myisam_indexes",
        label: "MyISAM Indexes",
        unit: "float",
        metrics: &[
            counter("Key_read_requests", "Key Read Requests"),
            counter("Key_reads", "Key Reads"),
            counter("Key_write_requests", "Key Write Requests"),
            counter("Key_writes", "Key Writes"),
        ],
    },
    Graph {
        key: "myisam_key_cache",
        label: "MyISAM Key Cache",
        unit: "bytes",
        metrics: &[
            gauge("key_buffer_size", "Key Buffer Size"),
            gauge("key_buf_bytes_used", "Key Buf Bytes Used"),
            gauge("key_buf_bytes_unflushed", "Key Buf Bytes Unflushed"),
        ],
    },
];

/// The Go plugin's short names for `Innodb_*` status variables.
pub(super) const INNODB_ALIASES: &[(&str, &str)] = &[
    ("database_pages", "Innodb_buffer_pool_pages_data"),
    ("free_pages", "Innodb_buffer_pool_pages_free"),
    ("modified_pages", "Innodb_buffer_pool_pages_dirty"),
    ("pool_size", "Innodb_buffer_pool_pages_total"),
    ("file_fsyncs", "Innodb_data_fsyncs"),
    ("file_reads", "Innodb_data_reads"),
    ("file_writes", "Innodb_data_writes"),
    ("pages_created", "Innodb_pages_created"),
    ("pages_read", "Innodb_pages_read"),
    ("pages_written", "Innodb_pages_written"),
    ("read_ahead", "Innodb_buffer_pool_read_ahead"),
    ("read_evicted", "Innodb_buffer_pool_read_ahead_evicted"),
    ("read_random_ahead", "Innodb_buffer_pool_read_ahead_rnd"),
    ("log_writes", "Innodb_log_writes"),
    ("log_bytes_written", "Innodb_os_log_written"),
    ("history_list", "Innodb_history_list_length"),
];
