package sqlstore

import (
	"context"
	"fmt"
)

// Citus (distributed PostgreSQL, issue 16). Every table of the schema is
// placed in one of three ways:
//
//   - distributed by the enterprise's credit code, co-located with
//     enterprises: the per-enterprise tables, which grow with the registry.
//     Their primary and unique keys include the code (migration 0040), and
//     a foreign key between two of them includes it on both sides, so that
//     a firm's rows live on one shard and its checks never leave it;
//   - reference, copied to every node: the catalog, policy versions, runs
//     with their per-policy rows and totals, and small shared lookups that
//     distributed tables refer to or are joined with;
//   - local to the coordinator: accounts, sessions, audit, projects,
//     notifications, settings, and modules whose rows belong to no single
//     firm (招商, scenarios, matchmaking between two firms, space).
//
// A reference or local table never refers to a distributed one, and a
// reference table refers to reference tables only. SQLite is never
// distributed; it keeps the same tables with rowid keys.

// citusKind is how Citus holds a table.
type citusKind string

const (
	citusLocal       citusKind = "local"
	citusReference   citusKind = "reference"
	citusDistributed citusKind = "distributed"
)

// citusTable is a table's place on Citus: column is the distribution
// column and colocate the colocate_with argument, for distributed tables.
type citusTable struct {
	name     string
	kind     citusKind
	column   string
	colocate string
}

func coordinator(name string) citusTable { return citusTable{name: name, kind: citusLocal} }
func reference(name string) citusTable   { return citusTable{name: name, kind: citusReference} }

// byCode is a table distributed by its credit code column, co-located with
// enterprises.
func byCode(name string) citusTable {
	return citusTable{name: name, kind: citusDistributed, column: "code", colocate: "enterprises"}
}

// citusPlan places every table of the schema; TestCitusPlan checks it
// against the migrated schema, so a new table fails that test until it is
// placed here. Within each kind, a table comes after those it refers to:
// the order in which Citus must be told of them.
var citusPlan = []citusTable{
	// The catalog.
	reference("catalog_meta"),
	reference("industries"),
	reference("industry_classes"),
	reference("indicators"),
	// Policies: versions, runs and what a run keeps per policy.
	reference("policy_versions"),
	reference("policy_runs"),
	reference("policy_run_policies"),
	reference("policy_run_totals"),
	reference("policy_run_errors"), // the first failures of a run, a few per policy
	// One row per shard per run: each part's record, written in the
	// part's transaction beside its decisions (runpart.go).
	reference("policy_run_parts"),
	reference("policy_publicities"),
	// Shared lookups.
	reference("org_units"),
	reference("calendar_years"),
	reference("calendar_days"),
	reference("request_categories"),
	reference("request_issues"), // one issue groups the requests of several firms
	// The chains: their links and the figures of each link.
	reference("chain_sets"),
	reference("chain_links"),
	reference("chain_link_stats"),

	// The registry: the anchor of the co-location group.
	{name: "enterprises", kind: citusDistributed, column: "code", colocate: "none"},
	byCode("enterprise_industries"),
	byCode("enterprise_tiers"),
	byCode("enterprise_facts"),
	byCode("enterprise_scopes"),
	byCode("chain_placements"),
	byCode("chain_removals"),
	byCode("chain_lead_firms"),
	// Each firm's decisions, objections, events, entitlements and payments.
	byCode("policy_decisions"),
	byCode("policy_needs_data"),
	byCode("policy_excluded"),
	byCode("policy_objections"),
	byCode("policy_decision_events"),
	byCode("policy_entitlements"),
	byCode("policy_ledger"),
	// 快申快享 applications and what hangs off them (code added by 0040).
	byCode("policy_applications"),
	byCode("policy_application_values"),
	byCode("policy_application_files"),
	byCode("policy_application_events"),
	// Enterprise requests (诉求) and what hangs off them (code added by 0040).
	byCode("requests"),
	byCode("request_handlers"),
	byCode("request_events"),
	byCode("request_files"),
	byCode("request_issue_members"),

	// The coordinator's own.
	coordinator("schema_migrations"),
	coordinator("users"),
	coordinator("sessions"),
	coordinator("api_tokens"),
	coordinator("login_attempts"),
	coordinator("audit_log"),
	coordinator("notifications"),
	coordinator("notification_cursors"),
	coordinator("notification_reads"),
	coordinator("notification_deliveries"),
	// Locks, counters and caches that writers and the engine serialise on.
	coordinator("policy_locks"),
	coordinator("change_counter"),
	coordinator("engine_base"),
	coordinator("search_docs"), // enterprises, projects and policies alike
	// Settings and the last placement's summary.
	coordinator("chain_place_runs"),
	coordinator("chain_thresholds"),
	coordinator("space_settings"),
	coordinator("space_generation"),
	// Key projects (projects.owner_code is a credit code).
	coordinator("projects"),
	coordinator("project_nodes"),
	coordinator("project_reports"),
	coordinator("project_warning_rules"),
	coordinator("project_warning_closures"),
	coordinator("project_supervisions"),
	coordinator("project_supervision_events"),
	coordinator("project_colours"),
	// 招商: targets and leads are outside firms, most without a code yet
	// (invest_leads.enterprise_code once landed); leads point at projects.
	coordinator("invest_targets"),
	coordinator("invest_roster"),
	coordinator("invest_leads"),
	coordinator("invest_lead_events"),
	coordinator("invest_lead_supervisions"),
	coordinator("invest_lead_supervision_events"),
	// Scenarios (首试首用): a few hundred, each read whole with its
	// applications (scenario_applications.code), panel and scores.
	coordinator("scenarios"),
	coordinator("scenario_milestones"),
	coordinator("scenario_procurements"),
	coordinator("scenario_events"),
	coordinator("scenario_applications"),
	coordinator("scenario_panel"),
	coordinator("scenario_conflicts"),
	coordinator("scenario_scores"),
	coordinator("scenario_application_files"),
	// Matchmaking: a match joins two firms (buyer_code, supplier_code) and
	// refers to both listings, so no one firm's shard can hold it.
	coordinator("match_supplies"),
	coordinator("match_demands"),
	coordinator("matches"),
	coordinator("match_events"),
	coordinator("match_runs"),
	coordinator("match_fairs"),
	coordinator("match_fair_registrations"),
	coordinator("match_fair_requests"),
	coordinator("match_fair_meetings"),
	// Industrial space: the city's inventory. space_blocks.code is a block's
	// code, not a credit code; space_allocations.code is the firm given a
	// unit, which may not be in the registry.
	coordinator("space_blocks"),
	coordinator("space_block_industries"),
	coordinator("space_units"),
	coordinator("space_holds"),
	coordinator("space_allocations"),
}

// citusStatements returns the statements that place the tables of
// citusPlan not yet known to Citus (done: the tables in pg_dist_partition):
// reference tables first, then distributed ones, each after the tables it
// refers to. Local tables need none.
func citusStatements(done map[string]bool) []string {
	var out []string
	for _, kind := range []citusKind{citusReference, citusDistributed} {
		for _, t := range citusPlan {
			if t.kind != kind || done[t.name] {
				continue
			}
			if kind == citusReference {
				out = append(out, fmt.Sprintf(`SELECT create_reference_table('%s')`, t.name))
			} else {
				out = append(out, fmt.Sprintf(`SELECT create_distributed_table('%s', '%s', colocate_with => '%s')`, t.name, t.column, t.colocate))
			}
		}
	}
	return out
}

// distribute places the tables on Citus when the database has the Citus
// extension, and does nothing otherwise (plain PostgreSQL, SQLite). Tables
// already placed are left alone, so running it again finishes what an
// interrupted run began. Each call is its own statement: Citus moves a
// table's rows to the workers as it distributes it.
func (db *DB) distribute(ctx context.Context) error {
	if db.dialect.name != "postgres" {
		return nil
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_extension WHERE extname = 'citus'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
		WHERE c.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		done[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range citusStatements(done) {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
