package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/chain"
	"github.com/chanye-org/chanye/match"
	"github.com/chanye-org/chanye/notify"
	"github.com/chanye-org/chanye/uscc"
)

// Supply–demand matchmaking (广聚群链): the firms' listings, the matches
// proposed between them and followed to a contract, the runs that
// proposed them and the chains' figures; the fairs are in
// match_events.go. Every write is one transaction with its audit entry
// and the notifications it makes (notify.Match, notify.Fair).

var (
	_ match.ListingService = (*Store)(nil)
	_ match.MatchService   = (*Store)(nil)
	_ match.EventService   = (*Store)(nil)
)

// jsonList encodes a list of strings, [] for none.
func jsonList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs) // strings always encode
	return string(b)
}

// fenOrNull stores a value of 0 (none) as NULL.
func fenOrNull(f chanye.Fen) any {
	if f == 0 {
		return nil
	}
	return int64(f)
}

// matchPage checks a filter's paging and returns its limit.
func matchPage(offset, limit int, status string, known bool) (int, error) {
	limit, err := pageLimit(offset, limit)
	if err != nil {
		return 0, err
	}
	if !known {
		return 0, chanye.Invalid("筛选条件有误 / invalid filter", map[string]string{"status": fmt.Sprintf("未知状态 %q / unknown status", status)})
	}
	return limit, nil
}

// listingRefs checks what listings name against the store: the link on
// a chain, the district in the catalog, the firm in the registry. Each
// link and firm is read once and the catalog once, however many listings
// an import brings.
type listingRefs struct {
	s         *Store
	tx        *txn
	links     map[string]bool
	firms     map[string]bool
	districts map[string]bool // the catalog's, read when a district is first checked
}

func (s *Store) listingRefs(tx *txn) *listingRefs {
	return &listingRefs{s: s, tx: tx, links: map[string]bool{}, firms: map[string]bool{}}
}

// check adds to bad a link the chains lack (link_id) or a district the
// catalog lacks (district_code), and reports whether the firm of code is
// in the registry.
func (r *listingRefs) check(ctx context.Context, code, link, district string, bad map[string]string) (registered bool, err error) {
	if link != "" {
		ok, seen := r.links[link]
		if !seen {
			n, err := count(ctx, r.tx, `SELECT COUNT(*) FROM chain_links WHERE id = ?`, link)
			if err != nil {
				return false, err
			}
			ok = n > 0
			r.links[link] = ok
		}
		if !ok {
			bad["link_id"] = fmt.Sprintf("%q 不是产业链的环节 / is not a link of the chains", link)
		}
	}
	if district != "" {
		if r.districts == nil {
			r.districts = map[string]bool{}
			if c, err := r.s.currentCatalog(ctx, r.tx); err == nil {
				for _, d := range c.Districts {
					r.districts[d.Code] = true
				}
			} else if chanye.ErrorCode(err) != chanye.ENOTFOUND { // no catalog: no district is known
				return false, err
			}
		}
		if !r.districts[district] {
			bad["district_code"] = fmt.Sprintf("未知区 %q / unknown district", district)
		}
	}
	registered, seen := r.firms[code]
	if !seen {
		if registered, err = inRegistry(ctx, r.tx, code); err != nil {
			return false, err
		}
		r.firms[code] = registered
	}
	return registered, nil
}

// checkListing refuses a link the chains lack or a district the catalog
// lacks (EINVALID, under msg), then an enterprise outside the registry
// (ENOTFOUND). bad holds the faults found already, if any.
func (s *Store) checkListing(ctx context.Context, tx *txn, msg, code, link, district string, bad map[string]string) error {
	registered, err := s.listingRefs(tx).check(ctx, code, link, district, bad)
	if err != nil {
		return err
	}
	if err := chanye.Invalid(msg, bad); err != nil {
		return err
	}
	if !registered {
		return chanye.Errorf(chanye.ENOTFOUND, "企业 %s 不在名录中 / no enterprise %s in the registry", code, code)
	}
	return nil
}

// importListings stores n listings of a file, all or nothing, in one
// transaction with one audit entry (entity, the rows and their ids):
// check adds a row's faults to bad, insert writes a checked row and
// returns its id. Every fault is named rows[N].field before anything is
// written. EINVALID, also for no rows or more than match.MaxImportRows.
func (s *Store) importListings(ctx context.Context, entity, whatZH, whatEN string, n int,
	check func(refs *listingRefs, i int, bad map[string]string) error, insert func(tx *txn, i int, by string) (int64, error)) (int, error) {
	by, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if n == 0 || n > match.MaxImportRows {
		return 0, chanye.Invalid(whatZH+"文件有误 / invalid "+whatEN+" file",
			map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", match.MaxImportRows, match.MaxImportRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		refs := s.listingRefs(tx)
		bad := map[string]string{}
		for i := range n {
			row := map[string]string{}
			if err := check(refs, i, row); err != nil {
				return err
			}
			for k, v := range row {
				bad[fmt.Sprintf("rows[%d].%s", i, k)] = v
			}
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("%s文件有 %d 处错误，未导入 / %d errors: nothing imported", whatZH, len(bad), len(bad)), bad)
		}
		ids := make([]int64, n)
		for i := range n {
			var err error
			if ids[i], err = insert(tx, i, by); err != nil {
				return err
			}
		}
		type summary struct {
			Rows int     `json:"rows"`
			IDs  []int64 `json:"ids"`
		}
		return tx.audit(ctx, "import", entity, "", nil, summary{n, ids})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// registryFault names a firm outside the registry under code, unless
// the code is at fault already.
func registryFault(registered bool, code string, bad map[string]string) {
	if !registered && bad["code"] == "" {
		bad["code"] = fmt.Sprintf("企业 %s 不在名录中 / no enterprise %s in the registry", code, code)
	}
}

// listingWhere is the condition of a listing filter on the listings x
// joined with their enterprises e.
func listingWhere(f match.ListingFilter) (where, int, error) {
	var w where
	status := ""
	if f.Status != nil {
		status = string(*f.Status)
	}
	limit, err := matchPage(f.Offset, f.Limit, status, f.Status == nil || f.Status.Valid())
	if err != nil {
		return w, 0, err
	}
	if f.Code != nil {
		w.add("x.code = ?", uscc.Normalize(*f.Code))
	}
	if f.LinkID != nil {
		w.add("x.link_id = ?", *f.LinkID)
	}
	if f.IndustryID != nil {
		w.add("x.link_id IN (SELECT id FROM chain_links WHERE industry_id = ?)", *f.IndustryID)
	}
	if f.DistrictCode != nil {
		w.add("COALESCE(NULLIF(x.district_code, ''), e.district_code) = ?", *f.DistrictCode)
	}
	if f.Status != nil {
		w.add("x.status = ?", status)
	}
	return w, limit, nil
}

// Supplies.

const supplyColumns = `x.id, x.code, COALESCE(e.name, ''), x.products, x.link_id, x.classes, x.capacity, x.district_code,
	x.certifications, x.status, x.posted_on, x.demo`

const supplyFrom = ` FROM match_supplies x LEFT JOIN enterprises e ON e.code = x.code`

func scanSupply(row interface{ Scan(...any) error }) (*match.Supply, error) {
	var (
		s                      match.Supply
		classes, certs, posted string
		demo                   int
	)
	if err := row.Scan(&s.ID, &s.Code, &s.Name, &s.Products, &s.LinkID, &classes, &s.Capacity, &s.DistrictCode,
		&certs, &s.Status, &posted, &demo); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(classes), &s.Classes); err != nil {
		return nil, fmt.Errorf("supply %d: stored classes: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(certs), &s.Certifications); err != nil {
		return nil, fmt.Errorf("supply %d: stored certifications: %w", s.ID, err)
	}
	var err error
	s.PostedOn, err = parseDate(valid(posted))
	s.Demo = demo != 0
	return &s, err
}

func findSupply(ctx context.Context, tx *txn, id int64) (*match.Supply, error) {
	s, err := scanSupply(tx.queryRow(ctx, `SELECT `+supplyColumns+supplyFrom+` WHERE x.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "供给 %d 不存在 / supply %d not found", id, id)
	}
	return s, err
}

// FindSupplyByID returns a supply with its enterprise's name. ENOTFOUND.
func (s *Store) FindSupplyByID(ctx context.Context, id int64) (*match.Supply, error) {
	var out *match.Supply
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findSupply(ctx, tx, id)
		return err
	})
	return out, err
}

// FindSupplies returns a page of supplies, the latest first, and the
// total. EINVALID for a bad filter.
func (s *Store) FindSupplies(ctx context.Context, f match.ListingFilter) ([]*match.Supply, int, error) {
	w, limit, err := listingWhere(f)
	if err != nil {
		return nil, 0, err
	}
	out, total, err := readPage(ctx, s.db, supplyColumns, supplyFrom, w, "x.id DESC", limit, f.Offset, scanSupply)
	if out == nil {
		out = []*match.Supply{}
	}
	return out, total, err
}

// CreateSupply stores an open supply of a registry enterprise, posted
// today; its ID, PostedOn and Name are set. EINVALID (Supply.Validate, a
// link the chains or a district the catalog lacks), ENOTFOUND for an
// enterprise not in the registry.
func (s *Store) CreateSupply(ctx context.Context, in *match.Supply) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	x.Classes, x.Certifications = slices.Clone(in.Classes), slices.Clone(in.Certifications)
	if err := x.Validate(); err != nil {
		return err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := s.checkListing(ctx, tx, "供给信息有误 / invalid supply", x.Code, x.LinkID, x.DistrictCode, map[string]string{}); err != nil {
			return err
		}
		if err := insertSupply(ctx, tx, &x, by); err != nil {
			return err
		}
		stored, err := findSupply(ctx, tx, x.ID)
		if err != nil {
			return err
		}
		x = *stored
		return tx.audit(ctx, "create", "match_supply", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// insertSupply writes a checked supply, posted today, and sets its ID
// and PostedOn.
func insertSupply(ctx context.Context, tx *txn, x *match.Supply, by string) error {
	x.PostedOn = chanye.DateOf(tx.now)
	return tx.queryRow(ctx, `INSERT INTO match_supplies (code, products, link_id, classes, capacity, district_code, certifications,
		status, posted_on, demo, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		x.Code, x.Products, x.LinkID, jsonList(x.Classes), x.Capacity, x.DistrictCode, jsonList(x.Certifications),
		string(x.Status), x.PostedOn.String(), boolInt(x.Demo), ms(tx.now), by, ms(tx.now)).Scan(&x.ID)
}

// ImportSupplies stores a file's supplies, all or nothing, in one
// transaction with one audit entry: each row is checked as CreateSupply
// checks a supply, and every fault named rows[N].field (a firm outside
// the registry under rows[N].code) before anything is stored. The rows
// are trimmed and get their ids and day posted. EINVALID, also for no
// rows or more than match.MaxImportRows.
func (s *Store) ImportSupplies(ctx context.Context, rows []*match.Supply) (int, error) {
	return s.importListings(ctx, "match_supplies", "供给", "supplies", len(rows),
		func(refs *listingRefs, i int, bad map[string]string) error {
			x := rows[i]
			maps.Copy(bad, chanye.ErrorFields(x.Validate()))
			registered, err := refs.check(ctx, x.Code, x.LinkID, x.DistrictCode, bad)
			registryFault(registered, x.Code, bad)
			return err
		},
		func(tx *txn, i int, by string) (int64, error) {
			err := insertSupply(ctx, tx, rows[i], by)
			return rows[i].ID, err
		})
}

// UpdateSupply changes a supply and returns it; changed products are cut
// into words again by the next run. EINVALID, ENOTFOUND, ECONFLICT when
// its status changed meanwhile.
func (s *Store) UpdateSupply(ctx context.Context, id int64, upd match.SupplyUpdate) (*match.Supply, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *match.Supply
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findSupply(ctx, tx, id)
		if err != nil {
			return err
		}
		x := *old
		x.Classes, x.Certifications = slices.Clone(old.Classes), slices.Clone(old.Certifications)
		assign(&x.Products, upd.Products)
		assign(&x.LinkID, upd.LinkID)
		assign(&x.Capacity, upd.Capacity)
		assign(&x.DistrictCode, upd.DistrictCode)
		assign(&x.Status, upd.Status)
		if upd.Classes != nil {
			x.Classes = slices.Clone(*upd.Classes)
		}
		if upd.Certifications != nil {
			x.Certifications = slices.Clone(*upd.Certifications)
		}
		if err := x.Validate(); err != nil {
			return err
		}
		if err := s.checkListing(ctx, tx, "供给信息有误 / invalid supply", x.Code, x.LinkID, x.DistrictCode, map[string]string{}); err != nil {
			return err
		}
		// SET reads the row as it was: words stay while the products do.
		res, err := tx.exec(ctx, `UPDATE match_supplies SET products = ?, link_id = ?, classes = ?, capacity = ?, district_code = ?,
			certifications = ?, status = ?, words = CASE WHEN products = ? THEN words ELSE NULL END, updated_at = ?
			WHERE id = ? AND status = ?`,
			x.Products, x.LinkID, jsonList(x.Classes), x.Capacity, x.DistrictCode, jsonList(x.Certifications), string(x.Status),
			x.Products, ms(tx.now), id, string(old.Status))
		if err := changed(res, err, "供给 %d 已被他人修改 / supply %d was changed meanwhile", id); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, "update", "match_supply", itoa(id), old, &x)
	})
	return out, err
}

// assign sets *to to *v when v is given.
func assign[T any](to *T, v *T) {
	if v != nil {
		*to = *v
	}
}

// changed returns ECONFLICT (format with id twice) when an optimistic
// UPDATE matched no row.
func changed(res sql.Result, err error, format string, id int64) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return chanye.Errorf(chanye.ECONFLICT, format, id, id)
	}
	return nil
}

// Demands.

const demandColumns = `x.id, x.code, COALESCE(e.name, ''), x.needs, x.link_id, x.classes, x.quantity, x.needed_by, x.district_code,
	x.status, x.posted_on, x.demo`

const demandFrom = ` FROM match_demands x LEFT JOIN enterprises e ON e.code = x.code`

func scanDemand(row interface{ Scan(...any) error }) (*match.Demand, error) {
	var (
		d               match.Demand
		classes, posted string
		neededBy        sql.NullString
		demo            int
	)
	if err := row.Scan(&d.ID, &d.Code, &d.Name, &d.Needs, &d.LinkID, &classes, &d.Quantity, &neededBy, &d.DistrictCode,
		&d.Status, &posted, &demo); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(classes), &d.Classes); err != nil {
		return nil, fmt.Errorf("demand %d: stored classes: %w", d.ID, err)
	}
	var err error
	if d.NeededBy, err = parseDate(neededBy); err != nil {
		return nil, err
	}
	d.PostedOn, err = parseDate(valid(posted))
	d.Demo = demo != 0
	return &d, err
}

func findDemand(ctx context.Context, tx *txn, id int64) (*match.Demand, error) {
	d, err := scanDemand(tx.queryRow(ctx, `SELECT `+demandColumns+demandFrom+` WHERE x.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "需求 %d 不存在 / demand %d not found", id, id)
	}
	return d, err
}

// FindDemandByID returns a demand with its enterprise's name. ENOTFOUND.
func (s *Store) FindDemandByID(ctx context.Context, id int64) (*match.Demand, error) {
	var out *match.Demand
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findDemand(ctx, tx, id)
		return err
	})
	return out, err
}

// FindDemands returns a page of demands, the latest first, and the
// total. EINVALID for a bad filter.
func (s *Store) FindDemands(ctx context.Context, f match.ListingFilter) ([]*match.Demand, int, error) {
	w, limit, err := listingWhere(f)
	if err != nil {
		return nil, 0, err
	}
	out, total, err := readPage(ctx, s.db, demandColumns, demandFrom, w, "x.id DESC", limit, f.Offset, scanDemand)
	if out == nil {
		out = []*match.Demand{}
	}
	return out, total, err
}

// neededByFault is the fault of a demand needed by a day before today.
func neededByFault(d *match.Demand, today chanye.Date, bad map[string]string) {
	if !d.NeededBy.IsZero() && d.NeededBy.Before(today.Time) {
		bad["needed_by"] = "需求日期不能早于今天 / the day needed by must not be before today"
	}
}

// CreateDemand stores an open demand of a registry enterprise, posted
// today; its ID, PostedOn and Name are set. EINVALID (Demand.Validate, a
// day needed by before today, a link the chains or a district the
// catalog lacks), ENOTFOUND for an enterprise not in the registry.
func (s *Store) CreateDemand(ctx context.Context, in *match.Demand) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	x.Classes = slices.Clone(in.Classes)
	if err := x.Validate(); err != nil {
		return err
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		bad := map[string]string{}
		neededByFault(&x, chanye.DateOf(tx.now), bad)
		if err := s.checkListing(ctx, tx, "需求信息有误 / invalid demand", x.Code, x.LinkID, x.DistrictCode, bad); err != nil {
			return err
		}
		if err := insertDemand(ctx, tx, &x, by); err != nil {
			return err
		}
		stored, err := findDemand(ctx, tx, x.ID)
		if err != nil {
			return err
		}
		x = *stored
		return tx.audit(ctx, "create", "match_demand", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// insertDemand writes a checked demand, posted today, and sets its ID
// and PostedOn.
func insertDemand(ctx context.Context, tx *txn, x *match.Demand, by string) error {
	x.PostedOn = chanye.DateOf(tx.now)
	return tx.queryRow(ctx, `INSERT INTO match_demands (code, needs, link_id, classes, quantity, needed_by, district_code,
		status, posted_on, demo, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		x.Code, x.Needs, x.LinkID, jsonList(x.Classes), x.Quantity, dateArg(x.NeededBy), x.DistrictCode,
		string(x.Status), x.PostedOn.String(), boolInt(x.Demo), ms(tx.now), by, ms(tx.now)).Scan(&x.ID)
}

// ImportDemands stores a file's demands, all or nothing, in one
// transaction with one audit entry: each row is checked as CreateDemand
// checks a demand (a day needed by not before today), and every fault
// named rows[N].field (a firm outside the registry under rows[N].code)
// before anything is stored. The rows are trimmed and get their ids and
// day posted. EINVALID, also for no rows or more than
// match.MaxImportRows.
func (s *Store) ImportDemands(ctx context.Context, rows []*match.Demand) (int, error) {
	return s.importListings(ctx, "match_demands", "需求", "demands", len(rows),
		func(refs *listingRefs, i int, bad map[string]string) error {
			x := rows[i]
			maps.Copy(bad, chanye.ErrorFields(x.Validate()))
			neededByFault(x, chanye.DateOf(refs.tx.now), bad)
			registered, err := refs.check(ctx, x.Code, x.LinkID, x.DistrictCode, bad)
			registryFault(registered, x.Code, bad)
			return err
		},
		func(tx *txn, i int, by string) (int64, error) {
			err := insertDemand(ctx, tx, rows[i], by)
			return rows[i].ID, err
		})
}

// UpdateDemand changes a demand and returns it; changed needs are cut
// into words again by the next run. A day needed by, when changed, must
// not be before today. EINVALID, ENOTFOUND, ECONFLICT when its status
// changed meanwhile.
func (s *Store) UpdateDemand(ctx context.Context, id int64, upd match.DemandUpdate) (*match.Demand, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	var out *match.Demand
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findDemand(ctx, tx, id)
		if err != nil {
			return err
		}
		x := *old
		x.Classes = slices.Clone(old.Classes)
		assign(&x.Needs, upd.Needs)
		assign(&x.LinkID, upd.LinkID)
		assign(&x.Quantity, upd.Quantity)
		assign(&x.NeededBy, upd.NeededBy)
		assign(&x.DistrictCode, upd.DistrictCode)
		assign(&x.Status, upd.Status)
		if upd.Classes != nil {
			x.Classes = slices.Clone(*upd.Classes)
		}
		if err := x.Validate(); err != nil {
			return err
		}
		bad := map[string]string{}
		if x.NeededBy != old.NeededBy {
			neededByFault(&x, chanye.DateOf(tx.now), bad)
		}
		if err := s.checkListing(ctx, tx, "需求信息有误 / invalid demand", x.Code, x.LinkID, x.DistrictCode, bad); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE match_demands SET needs = ?, link_id = ?, classes = ?, quantity = ?, needed_by = ?, district_code = ?,
			status = ?, words = CASE WHEN needs = ? THEN words ELSE NULL END, updated_at = ?
			WHERE id = ? AND status = ?`,
			x.Needs, x.LinkID, jsonList(x.Classes), x.Quantity, dateArg(x.NeededBy), x.DistrictCode, string(x.Status),
			x.Needs, ms(tx.now), id, string(old.Status))
		if err := changed(res, err, "需求 %d 已被他人修改 / demand %d was changed meanwhile", id); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, "update", "match_demand", itoa(id), old, &x)
	})
	return out, err
}

// Matches.

const matchColumns = `m.id, m.demand_id, m.supply_id, m.buyer_code, m.supplier_code, COALESCE(eb.name, ''), COALESCE(es.name, ''),
	m.demand_link, m.supply_link, m.is_local, m.score, m.reasons, m.status, m.buyer_decision, m.supplier_decision,
	m.proposed_on, m.accepted_on, m.signed_on, m.contract_fen, m.ended_on, m.end_reason,
	COALESCE((SELECT demo FROM match_demands WHERE id = m.demand_id), 0) + COALESCE((SELECT demo FROM match_supplies WHERE id = m.supply_id), 0)`

const matchFrom = ` FROM matches m LEFT JOIN enterprises eb ON eb.code = m.buyer_code LEFT JOIN enterprises es ON es.code = m.supplier_code`

func scanMatch(row interface{ Scan(...any) error }) (*match.Match, error) {
	var (
		m                       match.Match
		local                   int
		reasons, proposed       string
		accepted, signed, ended sql.NullString
		contract                sql.NullInt64
		demo                    int
	)
	if err := row.Scan(&m.ID, &m.DemandID, &m.SupplyID, &m.BuyerCode, &m.SupplierCode, &m.BuyerName, &m.SupplierName,
		&m.DemandLink, &m.SupplyLink, &local, &m.Score, &reasons, &m.Status, &m.BuyerDecision, &m.SupplierDecision,
		&proposed, &accepted, &signed, &contract, &ended, &m.EndReason, &demo); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reasons), &m.Reasons); err != nil {
		return nil, fmt.Errorf("match %d: stored reasons: %w", m.ID, err)
	}
	var err error
	for _, d := range []struct {
		to *chanye.Date
		v  sql.NullString
	}{{&m.ProposedOn, valid(proposed)}, {&m.AcceptedOn, accepted}, {&m.SignedOn, signed}, {&m.EndedOn, ended}} {
		if *d.to, err = parseDate(d.v); err != nil {
			return nil, err
		}
	}
	m.Local, m.ContractFen, m.Demo = local != 0, chanye.Fen(contract.Int64), demo > 0
	return &m, nil
}

// findMatch reads a match with its history.
func findMatch(ctx context.Context, tx *txn, id int64) (*match.Match, error) {
	m, err := scanMatch(tx.queryRow(ctx, `SELECT `+matchColumns+matchFrom+` WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "对接 %d 不存在 / match %d not found", id, id)
	} else if err != nil {
		return nil, err
	}
	m.Events, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.MatchEvent, error) {
		var (
			e        match.MatchEvent
			on       string
			contract sql.NullInt64
		)
		if err := row.Scan(&e.ID, &e.Action, &e.From, &e.To, &e.Side, &e.By, &on, &e.Note, &contract); err != nil {
			return nil, err
		}
		e.ContractFen = chanye.Fen(contract.Int64)
		var err error
		e.On, err = parseDate(valid(on))
		return &e, err
	}, `SELECT id, action, from_status, to_status, side, actor, on_day, note, contract_fen FROM match_events WHERE match_id = ? ORDER BY id`, id)
	return m, err
}

// FindMatchByID returns a match with its history and the firms' names.
// ENOTFOUND.
func (s *Store) FindMatchByID(ctx context.Context, id int64) (*match.Match, error) {
	var out *match.Match
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findMatch(ctx, tx, id)
		return err
	})
	return out, err
}

// FindMatches returns a page of matches, the best first (by score, then
// demand and supply), without their history, and the total. EINVALID
// for a bad filter.
func (s *Store) FindMatches(ctx context.Context, f match.MatchFilter) ([]*match.Match, int, error) {
	status := ""
	if f.Status != nil {
		status = string(*f.Status)
	}
	limit, err := matchPage(f.Offset, f.Limit, status, f.Status == nil || f.Status.Valid())
	if err != nil {
		return nil, 0, err
	}
	var w where
	if f.Code != nil {
		c := uscc.Normalize(*f.Code)
		w.add("(m.buyer_code = ? OR m.supplier_code = ?)", c, c)
	}
	if f.BuyerCode != nil {
		w.add("m.buyer_code = ?", uscc.Normalize(*f.BuyerCode))
	}
	if f.SupplierCode != nil {
		w.add("m.supplier_code = ?", uscc.Normalize(*f.SupplierCode))
	}
	if f.LinkID != nil {
		w.add("(m.demand_link = ? OR m.supply_link = ?)", *f.LinkID, *f.LinkID)
	}
	if f.DemandID != nil {
		w.add("m.demand_id = ?", *f.DemandID)
	}
	if f.SupplyID != nil {
		w.add("m.supply_id = ?", *f.SupplyID)
	}
	if f.IndustryID != nil {
		w.add(`(m.demand_link IN (SELECT id FROM chain_links WHERE industry_id = ?)
			OR m.supply_link IN (SELECT id FROM chain_links WHERE industry_id = ?))`, *f.IndustryID, *f.IndustryID)
	}
	if f.Status != nil {
		w.add("m.status = ?", status)
	}
	out, total, err := readPage(ctx, s.db, matchColumns, matchFrom, w, "m.score DESC, m.demand_id, m.supply_id", limit, f.Offset, scanMatch)
	if out == nil {
		out = []*match.Match{}
	}
	return out, total, err
}

// updateMatch writes a match's status, decisions and dates if they are
// still those of old: ECONFLICT when another step was taken meanwhile.
func updateMatch(ctx context.Context, tx *txn, x, old *match.Match) error {
	res, err := tx.exec(ctx, `UPDATE matches SET status = ?, buyer_decision = ?, supplier_decision = ?, accepted_on = ?, signed_on = ?,
		contract_fen = ?, ended_on = ?, end_reason = ?, updated_at = ?
		WHERE id = ? AND status = ? AND buyer_decision = ? AND supplier_decision = ?`,
		string(x.Status), string(x.BuyerDecision), string(x.SupplierDecision), dateArg(x.AcceptedOn), dateArg(x.SignedOn),
		fenOrNull(x.ContractFen), dateArg(x.EndedOn), x.EndReason, ms(tx.now),
		x.ID, string(old.Status), string(old.BuyerDecision), string(old.SupplierDecision))
	return changed(res, err, "对接 %d 已被他人办理 / match %d was changed meanwhile", x.ID)
}

// withoutEvents is a match as the audit log records it: its history is
// recorded step by step.
func withoutEvents(m *match.Match) *match.Match {
	x := *m
	x.Events = nil
	return &x
}

// ActOnMatch takes a step on a match (Match.Apply, today) as the actor's
// side: an enterprise account acts as its firm's side, any other account
// as an official. EINVALID, ENOTFOUND, ECONFLICT (a step the status does
// not allow, or another step taken meanwhile), EFORBIDDEN (a firm that
// is neither side; an official accepting or declining). The firms are
// told of the step (notifyMatchStep).
func (s *Store) ActOnMatch(ctx context.Context, id int64, st match.Step) (*match.Match, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	a := chanye.ActorFrom(ctx)
	var out *match.Match
	err = s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findMatch(ctx, tx, id)
		if err != nil {
			return err
		}
		side := match.SideOfficial
		if a.Role == chanye.RoleEnterprise {
			var ok bool
			if side, ok = old.SideOf(a.Code); !ok {
				return chanye.Errorf(chanye.EFORBIDDEN, "企业不是对接 %d 的任何一方 / the firm is neither side of match %d", id, id)
			}
		}
		x := *old
		evs, err := x.Apply(st, side, chanye.DateOf(tx.now), by)
		if err != nil {
			return err
		}
		if err := updateMatch(ctx, tx, &x, old); err != nil {
			return err
		}
		for _, e := range evs {
			if err := tx.queryRow(ctx, `INSERT INTO match_events (match_id, action, from_status, to_status, side, actor, on_day, at, note, contract_fen)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				id, e.Action, string(e.From), string(e.To), string(e.Side), e.By, e.On.String(), ms(tx.now), e.Note, fenOrNull(e.ContractFen)).Scan(&e.ID); err != nil {
				return err
			}
		}
		x.Events = append(slices.Clip(old.Events), evs...)
		if err := tx.notifyMatchStep(ctx, &x, st.Action, side); err != nil {
			return err
		}
		out = &x
		return tx.audit(ctx, st.Action, "match", itoa(id), withoutEvents(old), withoutEvents(&x))
	})
	return out, err
}

// notifyMatchStep tells the firms of match x what step action by side
// did: an acceptance the other side, or both once both have accepted; a
// decline the other side, with the reason; any later step both. Each
// step is taken once on a match (a side accepts once), so its subject is
// the match and the step.
func (tx *txn) notifyMatchStep(ctx context.Context, x *match.Match, action string, side match.Side) error {
	buyer, supplier := notify.Enterprise(x.BuyerCode), notify.Enterprise(x.SupplierCode)
	to, other := []notify.Scope{buyer, supplier}, buyer
	if side == match.SideBuyer {
		other = supplier
	}
	bn, sn := cmp.Or(x.BuyerName, x.BuyerCode), cmp.Or(x.SupplierName, x.SupplierCode)
	who := map[match.Side][2]string{match.SideBuyer: {"需方" + bn, "the buyer " + bn}, match.SideSupplier: {"供方" + sn, "the supplier " + sn},
		match.SideOfficial: {"工作人员", "an official"}}[side]
	m := notify.Message{Kind: notify.Match, Subject: fmt.Sprintf("match/%d/%s", x.ID, action), Link: "/matches/" + itoa(x.ID),
		BodyZH: fmt.Sprintf("需方：%s；供方：%s；办理：%s。", bn, sn, who[0]), BodyEN: fmt.Sprintf("Buyer: %s; supplier: %s; by %s.", bn, sn, who[1])}
	var zh, en string
	switch {
	case action == match.StepAccept && x.Status == match.Accepted:
		m.Subject = fmt.Sprintf("match/%d/accepted", x.ID)
		zh, en = "双方已接受对接，可安排洽谈", "Both sides accepted the match, ready to negotiate"
	case action == match.StepAccept:
		m.Subject += "/" + string(side)
		zh, en, to = who[0]+"已接受对接，待您答复", "Accepted by "+who[1]+", awaiting your answer", []notify.Scope{other}
	case action == match.StepDecline:
		zh, en, to = who[0]+"谢绝了对接", "Declined by "+who[1], []notify.Scope{other}
		if x.EndReason != "" {
			m.BodyZH += "理由：" + x.EndReason
			m.BodyEN += " Reason: " + x.EndReason
		}
	case action == match.StepNegotiate:
		zh, en = "对接进入洽谈", "The match is in negotiation"
	case action == match.StepSign:
		zh, en = fmt.Sprintf("对接已签约，合同金额 %s 元", x.ContractFen.Yuan()), fmt.Sprintf("Contract signed for ¥%s", x.ContractFen.Yuan())
		m.BodyZH += "签约日期 " + x.SignedOn.String() + "。"
		m.BodyEN += " Signed on " + x.SignedOn.String() + "."
	case action == match.StepFail:
		zh, en = "对接未成", "The match failed"
		m.BodyZH += "原因：" + x.EndReason
		m.BodyEN += " Reason: " + x.EndReason
	default:
		return fmt.Errorf("sqlstore: no notification for match step %q", action)
	}
	m.TitleZH = truncRunes(fmt.Sprintf("%s：%s 与 %s", zh, bn, sn), 200)
	m.TitleEN = truncRunes(fmt.Sprintf("%s: %s and %s", en, bn, sn), 200)
	m.BodyZH, m.BodyEN = truncRunes(m.BodyZH, 2000), truncRunes(m.BodyEN, 2000)
	return tx.notify(ctx, m, to...)
}

// notifyProposed tells each firm of a run's new matches, once per run
// however many: how many it has as a buyer and as a supplier.
func (tx *txn) notifyProposed(ctx context.Context, runID int64, added map[string]*[2]int) error {
	for _, code := range slices.Sorted(maps.Keys(added)) {
		n := added[code]
		total := n[0] + n[1]
		plural := "es"
		if total == 1 {
			plural = ""
		}
		m := notify.Message{Kind: notify.Match, Subject: "match_run/" + itoa(runID), Link: "/matches",
			TitleZH: fmt.Sprintf("供需对接推荐：%d 条新的对接", total), TitleEN: fmt.Sprintf("Matchmaking: %d new match%s proposed", total, plural),
			BodyZH: fmt.Sprintf("作为需方 %d 条，作为供方 %d 条。请逐条接受或谢绝。", n[0], n[1]),
			BodyEN: fmt.Sprintf("%d as the buyer, %d as the supplier. Accept or decline each of them.", n[0], n[1])}
		if err := tx.notify(ctx, m, notify.Enterprise(code)); err != nil {
			return err
		}
	}
	return nil
}

// Proposing.

// storedWords is the segmenter Propose is given: the words of each
// listing's text as stored or cut by this run, so that nothing is cut
// twice. The map is only read while Propose runs.
type storedWords map[string][]string

// Words returns the words of text.
func (w storedWords) Words(text string) []string { return w[text] }

// listingWords reads a listing's stored words, or cuts them with seg
// when there are none yet, queueing them to be stored.
type listingWords struct {
	seg   match.Segmenter
	words storedWords
	cut   []any // table, id, words: to be stored
}

func (lw *listingWords) add(table string, id int64, text string, stored sql.NullString) {
	var ws []string
	switch {
	case stored.Valid:
		ws = strings.Fields(stored.String)
	case lw.seg != nil:
		ws = lw.seg.Words(text)
		lw.cut = append(lw.cut, table, id, strings.Join(ws, " "))
	}
	if _, ok := lw.words[text]; !ok {
		lw.words[text] = ws
	}
}

// proposeInput reads what Propose matches: the open listings, their
// firms' district, size and tiers held today, the districts, the chains
// and the past results (matches signed or declined, and contracts signed
// at fairs).
func (s *Store) proposeInput(ctx context.Context, tx *txn, seg match.Segmenter) (*match.Input, error) {
	today := chanye.DateOf(tx.now)
	in := &match.Input{Firms: map[string]match.Firm{}, Today: today}
	lw := &listingWords{seg: seg, words: storedWords{}}
	var err error
	if in.Supplies, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.Supply, error) {
		var (
			x       match.Supply
			classes string
			words   sql.NullString
		)
		if err := row.Scan(&x.ID, &x.Code, &x.Products, &x.LinkID, &classes, &x.DistrictCode, &x.Status, &words); err != nil {
			return nil, err
		}
		lw.add("match_supplies", x.ID, x.Products, words)
		return &x, json.Unmarshal([]byte(classes), &x.Classes)
	}, `SELECT id, code, products, link_id, classes, district_code, status, words FROM match_supplies WHERE status = 'open' ORDER BY id`); err != nil {
		return nil, err
	}
	if in.Demands, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.Demand, error) {
		var (
			x        match.Demand
			classes  string
			neededBy sql.NullString
			words    sql.NullString
		)
		if err := row.Scan(&x.ID, &x.Code, &x.Needs, &x.LinkID, &classes, &neededBy, &x.DistrictCode, &x.Status, &words); err != nil {
			return nil, err
		}
		var err error
		if x.NeededBy, err = parseDate(neededBy); err != nil {
			return nil, err
		}
		if x.NeededBy.IsZero() || !x.NeededBy.Before(today.Time) {
			lw.add("match_demands", x.ID, x.Needs, words) // no words for a demand Propose leaves out
		}
		return &x, json.Unmarshal([]byte(classes), &x.Classes)
	}, `SELECT id, code, needs, link_id, classes, needed_by, district_code, status, words FROM match_demands WHERE status = 'open' ORDER BY id`); err != nil {
		return nil, err
	}
	for i := 0; i < len(lw.cut); i += 3 {
		if _, err := tx.exec(ctx, `UPDATE `+lw.cut[i].(string)+` SET words = ? WHERE id = ?`, lw.cut[i+2], lw.cut[i+1]); err != nil {
			return nil, err
		}
	}
	in.Words = lw.words

	const firms = `(SELECT code FROM match_supplies WHERE status = 'open' UNION SELECT code FROM match_demands WHERE status = 'open')`
	rows, err := tx.query(ctx, `SELECT code, district_code, size_class FROM enterprises WHERE code IN `+firms)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			code string
			f    match.Firm
		)
		if err := rows.Scan(&code, &f.DistrictCode, &f.Size); err != nil {
			rows.Close()
			return nil, err
		}
		in.Firms[code] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	day := today.String()
	rows, err = tx.query(ctx, `SELECT code, kind FROM enterprise_tiers
		WHERE from_date <= ? AND (to_date IS NULL OR to_date >= ?) AND code IN `+firms+` ORDER BY code, kind`, day, day)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			code string
			kind chanye.TierKind
		)
		if err := rows.Scan(&code, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		f := in.Firms[code]
		f.Tiers = append(f.Tiers, kind)
		in.Firms[code] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	if c, err := s.currentCatalog(ctx, tx); err == nil {
		in.Districts = c.Districts
	} else if chanye.ErrorCode(err) != chanye.ENOTFOUND {
		return nil, err
	}
	if in.Chains, err = findChains(ctx, tx); err != nil {
		return nil, err
	}
	if in.Past, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (match.Past, error) {
		var p match.Past
		return p, row.Scan(&p.BuyerCode, &p.SupplierCode, &p.DemandID, &p.SupplyID, &p.Result)
	}, `SELECT buyer_code, supplier_code, demand_id, supply_id, status FROM matches WHERE status IN ('signed', 'declined')
		UNION ALL SELECT DISTINCT buyer_code, supplier_code, 0, 0, 'signed' FROM match_fair_meetings WHERE outcome = 'held' AND contract_fen IS NOT NULL
		ORDER BY 1, 2, 3, 4`); err != nil {
		return nil, err
	}
	return in, nil
}

// ProposeMatches runs Propose over the open listings, the chains, the
// firms' registry facts and the past results, and stores the pairs it
// returns as proposed matches, the best first; a (demand, supply) pair
// matched before keeps its match whatever its status. Listings whose
// words are not stored yet are cut by seg and their words stored (nil:
// they share no words). The run is recorded with its counts, and each
// firm with new matches is told once. One transaction: the same stored
// listings give the same matches.
func (s *Store) ProposeMatches(ctx context.Context, seg match.Segmenter) (*match.ProposeRun, error) {
	by, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var run match.ProposeRun
	err = s.db.transact(ctx, false, func(tx *txn) error {
		in, err := s.proposeInput(ctx, tx, seg)
		if err != nil {
			return err
		}
		found := match.Propose(*in)
		run = match.ProposeRun{Supplies: len(in.Supplies), Demands: len(in.Demands), Proposed: len(found), At: tx.now}
		insert, err := tx.stmt(ctx, `INSERT INTO matches (demand_id, supply_id, buyer_code, supplier_code, demand_link, supply_link, is_local,
			score, reasons, status, buyer_decision, supplier_decision, proposed_on, end_reason, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, '', ?) ON CONFLICT (demand_id, supply_id) DO NOTHING`)
		if err != nil {
			return err
		}
		added := map[string]*[2]int{} // new matches by firm: as buyer, as supplier
		for _, m := range found {
			reasons, err := json.Marshal(m.Reasons)
			if err != nil {
				return err
			}
			res, err := insert.ExecContext(ctx, m.DemandID, m.SupplyID, m.BuyerCode, m.SupplierCode, m.DemandLink, m.SupplyLink,
				boolInt(m.Local), m.Score, string(reasons), string(m.Status), m.ProposedOn.String(), ms(tx.now))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n > 0 {
				run.Added++
				for i, code := range []string{m.BuyerCode, m.SupplierCode} {
					if added[code] == nil {
						added[code] = &[2]int{}
					}
					added[code][i]++
				}
			}
		}
		run.Took = s.db.Now().Sub(tx.now)
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO match_runs (at, took_ms, supplies, demands, proposed, added, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ms(run.At), run.Took.Milliseconds(), run.Supplies, run.Demands,
			run.Proposed, run.Added, by).Scan(&id); err != nil {
			return err
		}
		if err := tx.notifyProposed(ctx, id, added); err != nil {
			return err
		}
		return tx.audit(ctx, "propose", "match_run", itoa(id), nil, &run)
	})
	if err != nil {
		return nil, err
	}
	return &run, nil
}

// LastProposeRun returns the latest run of ProposeMatches. ENOTFOUND
// before the first.
func (s *Store) LastProposeRun(ctx context.Context) (*match.ProposeRun, error) {
	var (
		run      match.ProposeRun
		at, took int64
	)
	err := s.db.transact(ctx, true, func(tx *txn) error {
		return tx.queryRow(ctx, `SELECT at, took_ms, supplies, demands, proposed, added FROM match_runs ORDER BY id DESC LIMIT 1`).
			Scan(&at, &took, &run.Supplies, &run.Demands, &run.Proposed, &run.Added)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.NewError(chanye.ENOTFOUND, "尚未运行供需匹配 / matching has not run yet", nil)
	} else if err != nil {
		return nil, err
	}
	run.At, run.Took = fromMs(at), time.Duration(took)*time.Millisecond
	return &run, nil
}

// FindChainMetrics returns an industry chain's figures of matchmaking
// (match.ChainMetrics) from its open demands and the matches on its
// links or of those demands. ENOTFOUND for an industry without a chain;
// EINVALID on overflow.
func (s *Store) FindChainMetrics(ctx context.Context, industryID string) (*match.Metrics, error) {
	var (
		ch      *chain.Chain
		demands []*match.Demand
		matches []*match.Match
	)
	err := s.db.snapshot(ctx, func(tx *txn) error {
		set, err := findChains(ctx, tx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(set.Chains, func(c *chain.Chain) bool { return c.IndustryID == industryID }); i >= 0 {
			ch = set.Chains[i]
		} else {
			return chanye.Errorf(chanye.ENOTFOUND, "产业 %q 没有产业链 / industry %q has no chain", industryID, industryID)
		}
		const links = `(SELECT id FROM chain_links WHERE industry_id = ?)`
		if demands, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.Demand, error) {
			var (
				d       match.Demand
				classes string
			)
			if err := row.Scan(&d.ID, &d.LinkID, &classes, &d.Status); err != nil {
				return nil, err
			}
			return &d, json.Unmarshal([]byte(classes), &d.Classes)
		}, `SELECT id, link_id, classes, status FROM match_demands WHERE status = 'open' AND (link_id = '' OR link_id IN `+links+`)`, industryID); err != nil {
			return err
		}
		matches, err = queryAll(ctx, tx, func(row interface{ Scan(...any) error }) (*match.Match, error) {
			var (
				m        match.Match
				local    int
				contract sql.NullInt64
			)
			err := row.Scan(&m.ID, &m.DemandID, &m.DemandLink, &m.SupplyLink, &local, &m.Status, &contract)
			m.Local, m.ContractFen = local != 0, chanye.Fen(contract.Int64)
			return &m, err
		}, `SELECT id, demand_id, demand_link, supply_link, is_local, status, contract_fen FROM matches
			WHERE demand_link IN `+links+` OR supply_link IN `+links+`
				OR demand_id IN (SELECT id FROM match_demands WHERE status = 'open' AND link_id = '')`, industryID, industryID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return match.ChainMetrics(ch, demands, matches)
}
