//! How much each path is run on how much data: the full run, or the smoke run that only
//! shows every path still works.

#[derive(Debug, Clone)]
pub struct Plan {
    /// Untimed runs before the timed ones, for each side of each row.
    pub warm_up: usize,
    pub check_in_runs: usize,
    /// The hotel of the create-grant row, and its long and short histories.
    pub history_rooms: usize,
    pub long_history: usize,
    pub short_history: usize,
    pub create_grant_runs: usize,
    pub board_rooms: usize,
    pub board_runs: usize,
    pub encode_runs: usize,
    pub api_clients: usize,
    pub api_requests_per_client: usize,
    /// Check-ins at one terminal, and changes made through the API for another to see.
    pub terminal_runs: usize,
    pub live_changes: usize,
    /// Terminals checking guests in at once, and check-ins each.
    pub terminals_at_once: usize,
    pub terminal_check_ins: usize,
}

impl Plan {
    /// The figures the goals are about; a few minutes in a release build.
    pub fn full() -> Self {
        Self {
            warm_up: 10,
            check_in_runs: 300,
            history_rooms: 10_000,
            long_history: 1_000_000,
            short_history: 1_000,
            create_grant_runs: 2_000,
            board_rooms: 2_000,
            board_runs: 100,
            encode_runs: 100,
            api_clients: 8,
            api_requests_per_client: 100,
            terminal_runs: 300,
            live_changes: 200,
            terminals_at_once: 8,
            terminal_check_ins: 50,
        }
    }

    /// Every path on little data, a few runs each: seconds, even in a debug build.
    pub fn smoke() -> Self {
        Self {
            warm_up: 1,
            check_in_runs: 5,
            history_rooms: 100,
            long_history: 10_000,
            short_history: 100,
            create_grant_runs: 5,
            board_rooms: 100,
            board_runs: 5,
            encode_runs: 5,
            api_clients: 8,
            api_requests_per_client: 5,
            terminal_runs: 5,
            live_changes: 5,
            terminals_at_once: 8,
            terminal_check_ins: 3,
        }
    }
}
