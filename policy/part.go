package policy

import (
	"time"

	"github.com/chanye-org/chanye"
)

// RunPart is one shard's part of a sharded run (issue 16), as the shard
// stored it: the counts of its enterprises' decisions, per policy with the
// first errors, and its totals by dimension. The run's figures are the sums
// of its parts'.
type RunPart struct {
	RunID       int64       `json:"run_id"`
	Shard       int         `json:"shard"`
	Shards      int         `json:"shards"`
	Enterprises int         `json:"enterprises"`
	Eligible    int         `json:"eligible"`
	TotalFen    chanye.Fen  `json:"total_fen"`
	NeedsData   int         `json:"needs_data"`
	Excluded    int         `json:"excluded"`
	Errors      int         `json:"errors"`
	Snapshot    string      `json:"snapshot"`
	AsOf        chanye.Date `json:"as_of"`
	// BaseSeq is the change stamp of the base the part was decided on.
	BaseSeq int64 `json:"base_seq"`
	// CarriedFrom is the earlier run of the shard whose decisions the
	// part carried, unchanged, for the firms whose data did not change
	// since (Carried decisions of any verdict); 0 when every decision was
	// explained afresh.
	CarriedFrom int64       `json:"carried_from,omitempty"`
	Carried     int         `json:"carried,omitempty"`
	Policies    []RunPolicy `json:"policies"`
	Totals      []*RunTotal `json:"totals"`
	StoredAt    time.Time   `json:"stored_at"`
	StoredBy    string      `json:"stored_by"`
}

// MaxShards bounds the shards a run is split in: Citus's own default is
// 32 shards per table, and a few thousand is the most any deployment uses.
const MaxShards = 4096
