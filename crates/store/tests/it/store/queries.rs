//! The reads the reservation rules and the timeline make, copied from the store's source.

const GRANTS_RS: &str = include_str!("../../../src/grants.rs");
const CATALOG_RS: &str = include_str!("../../../src/catalog.rs");
const TIMELINE_RS: &str = include_str!("../../../src/timeline.rs");

/// A query the rule checks run, copied from the store's source (`source` names the function;
/// the test checks the text is still there, so an edit there fails here until copied).
pub(super) struct RuleQuery {
    pub(super) source: &'static str,
    pub(super) file: &'static str,
    pub(super) sql: &'static str,
    /// For SQL assembled with `format!`: the literal pieces to find in the source instead.
    pub(super) pieces: &'static [&'static str],
    /// Table aliases a full scan of is acceptable: property-sized tables, never history.
    pub(super) scans_allowed: &'static [&'static str],
}

pub(super) const RULE_QUERIES: &[RuleQuery] = &[
    RuleQuery {
        source: "grants.rs Reader::live_reservation",
        file: GRANTS_RS,
        sql: "SELECT id FROM reservations WHERE reservation_key = ?1 AND cleared_at IS NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::reservation_doors",
        file: GRANTS_RS,
        sql: "SELECT entrance_id, sequence FROM reservation_doors WHERE reservation_id = ?1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::reservation_frames",
        file: GRANTS_RS,
        sql: "SELECT starts_at, ends_at FROM access_grants
             WHERE reservation_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR id <> ?2)",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::last_sequences",
        file: GRANTS_RS,
        sql: "SELECT NULLIF(MAX(
                 COALESCE((SELECT MAX(sequence) FROM reservation_doors WHERE entrance_id = ?1), 0),
                 COALESCE((SELECT MAX(sequence) FROM spare_doors WHERE entrance_id = ?1), 0)), 0)",
        pieces: &[],
        // The one row the two lookups are compared in.
        scans_allowed: &["CONSTANT"],
    },
    RuleQuery {
        source: "grants.rs Reader::door_reservations",
        file: GRANTS_RS,
        sql: "SELECT r.id, r.reservation_key, d.sequence, MIN(g.starts_at), MAX(g.ends_at),
                    r.established_at
             FROM reservation_doors d INDEXED BY reservation_doors_live
             CROSS JOIN reservations r ON r.id = d.reservation_id
             CROSS JOIN access_grants g ON g.reservation_id = r.id AND g.deleted_at IS NULL
             CROSS JOIN access_grant_entrances ge
                 ON ge.access_grant_id = g.id AND ge.entrance_id = d.entrance_id
             WHERE d.entrance_id = ?1 AND d.live = 1
             GROUP BY r.id ORDER BY d.sequence",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::user_identity (query_users)",
        file: CATALOG_RS,
        sql:
            "SELECT id, user_identity_key, full_name, email_address, phone_number, kind, created_at
             FROM user_identities WHERE id = ?1 ORDER BY rowid",
        pieces: &[
            "SELECT id, user_identity_key, full_name, email_address, phone_number, kind, created_at FROM user_identities {filter} ORDER BY rowid",
            "\"WHERE id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::entrance (query_entrances)",
        file: CATALOG_RS,
        sql: "SELECT e.id, e.key, e.name, e.access_system_id, s.kind,
                 e.can_belong_to_reservation, e.modes, e.created_at FROM entrances e
             JOIN access_systems s ON s.id = e.access_system_id WHERE e.id = ?1 ORDER BY e.key",
        pieces: &[
            "e.can_belong_to_reservation, e.modes, e.created_at\";",
            "SELECT {ENTRANCE_COLUMNS} FROM entrances e JOIN access_systems s ON s.id = e.access_system_id {filter} ORDER BY e.key",
            "\"WHERE e.id = ?1\"",
        ],
        scans_allowed: &[],
    },
    // The spaces of an entrance and the entrances of a space: one entrance's or one space's
    // links, not the whole entrance-to-space table.
    RuleQuery {
        source: "catalog.rs Reader::spaces_of_entrances",
        file: CATALOG_RS,
        sql: "SELECT es.entrance_id, es.space_id FROM entrance_spaces es
             JOIN spaces s ON s.id = es.space_id WHERE es.entrance_id = ?1
             ORDER BY s.floor IS NULL, s.floor, s.key",
        pieces: &[
            "SELECT es.entrance_id, es.space_id FROM entrance_spaces es JOIN spaces s ON s.id = es.space_id {filter} ORDER BY s.floor IS NULL, s.floor, s.key",
            "\"WHERE es.entrance_id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::entrances_of_spaces",
        file: CATALOG_RS,
        sql: "SELECT entrance_id, space_id FROM entrance_spaces WHERE space_id = ?1
             ORDER BY space_id, entrance_id",
        pieces: &[
            "SELECT entrance_id, space_id FROM entrance_spaces {filter} ORDER BY space_id, entrance_id",
            "\"WHERE space_id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::is_common_area_entrance",
        file: CATALOG_RS,
        sql: "SELECT 1 FROM entrances e
                 JOIN entrance_spaces es ON es.entrance_id = e.id
                 JOIN spaces s ON s.id = es.space_id
                 WHERE e.id = ?1 AND e.retired_at IS NULL
                   AND s.kind = ?2 AND s.retired_at IS NULL
                 LIMIT 1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::space_by_key (query_spaces)",
        file: CATALOG_RS,
        sql: "SELECT id, key, name, floor, kind, created_at FROM spaces
             WHERE key = ?1 AND retired_at IS NULL
             ORDER BY floor IS NULL, floor, key",
        pieces: &[
            "SELECT id, key, name, floor, kind, created_at FROM spaces {filter} ORDER BY floor IS NULL, floor, key",
            "\"WHERE key = ?1 AND retired_at IS NULL\"",
        ],
        scans_allowed: &[],
    },
    // What update and delete read of the grant they change (live_grant).
    RuleQuery {
        source: "grants.rs Reader::access_grant (query_grants)",
        file: GRANTS_RS,
        sql: "SELECT g.id, g.user_identity_id, g.reservation_key, g.reservation_id, g.name,
                 g.starts_at, g.ends_at, g.requested_access_methods, g.space_ids, g.created_at,
                 g.deleted_at FROM access_grants g WHERE g.id = ?1 ORDER BY g.rowid",
        pieces: &[
            "SELECT {GRANT_COLUMNS} FROM access_grants g {filter} ORDER BY g.rowid",
            "\"WHERE g.id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::grant_entrances",
        file: GRANTS_RS,
        sql: "SELECT ge.entrance_id, d.entrance_id IS NOT NULL, d.sequence
             FROM access_grant_entrances ge
             JOIN entrances e ON e.id = ge.entrance_id
             LEFT JOIN reservation_doors d
                 ON d.reservation_id = ?2 AND d.entrance_id = ge.entrance_id
             WHERE ge.access_grant_id = ?1 ORDER BY e.key",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::method_ids_of_grant",
        file: GRANTS_RS,
        sql: "SELECT id FROM access_methods WHERE access_grant_id = ?1
             ORDER BY rowid",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::warnings_of_grant",
        file: GRANTS_RS,
        sql: "SELECT code, message, access_method_id, entrance_id, created_at, expires_at
             FROM warnings WHERE access_grant_id = ?1 ORDER BY id",
        pieces: &[],
        scans_allowed: &[],
    },
];

/// The timeline's and the stay search's queries (timeline.rs): they read past stays too, by
/// index, whatever the history.
pub(super) const TIMELINE_QUERIES: &[RuleQuery] = &[
    RuleQuery {
        source: "timeline.rs Reader::timeline_rows (stay_rows)",
        file: TIMELINE_RS,
        sql: "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
             FROM access_grants g INDEXED BY access_grants_stays_by_end
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND g.ends_at > ?2 AND g.starts_at < ?3
             AND (g.deleted_at IS NULL OR (g.deleted_at > ?2 AND g.deleted_at > g.starts_at))
             ORDER BY g.starts_at, g.rowid",
        pieces: &[
            "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)",
            "             FROM access_grants g INDEXED BY {index}
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND {filter}
             ORDER BY g.starts_at, g.rowid",
            "\"access_grants_stays_by_end\", \"g.ends_at > ?2 AND g.starts_at < ?3
             AND (g.deleted_at IS NULL OR (g.deleted_at > ?2 AND g.deleted_at > g.starts_at))\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_rows_of_key (stay_rows)",
        file: TIMELINE_RS,
        sql: "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
             FROM access_grants g INDEXED BY access_grants_stays_by_key
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND g.reservation_key = ?2
             ORDER BY g.starts_at, g.rowid",
        pieces: &["\"access_grants_stays_by_key\", \"g.reservation_key = ?2\""],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_guest",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_by_user
             WHERE user_identity_id = ?1 AND reservation_key IS NOT NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_room",
        file: TIMELINE_RS,
        sql: "SELECT g.reservation_key, g.starts_at, g.ends_at, g.deleted_at
             FROM entrance_spaces es
             JOIN access_grant_entrances ge ON ge.entrance_id = es.entrance_id
             JOIN access_grants g ON g.id = ge.access_grant_id
             WHERE es.space_id = ?1 AND g.reservation_key IS NOT NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_key",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key = ?1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_key_prefix",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key >= ?1 AND reservation_key < ?1 || char(1114111)",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::guest_names",
        file: TIMELINE_RS,
        sql: "SELECT id, full_name FROM user_identities
             WHERE kind = 'guest' AND full_name IS NOT NULL",
        pieces: &[],
        // One narrow row per guest, read for a search by name with accents folded.
        scans_allowed: &["user_identities"],
    },
];
