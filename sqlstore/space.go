package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/space"
)

// Industrial space (产业空间): the blocks and their units here
// (space.InventoryService), holds, allocations and routing in
// space_alloc.go (space.AllocationService), the use of the blocks in
// space_use.go (space.UseService). Every write is one transaction with
// its audit entry.

var (
	_ space.InventoryService  = (*Store)(nil)
	_ space.AllocationService = (*Store)(nil)
	_ space.UseService        = (*Store)(nil)
)

const blockColumns = `b.id, b.code, b.name, b.district_code, b.area_m2, b.boundary, b.schematic, b.demo`

func scanBlock(row interface{ Scan(...any) error }) (*space.Block, error) {
	var (
		b               space.Block
		boundary        sql.NullString
		schematic, demo int
	)
	if err := row.Scan(&b.ID, &b.Code, &b.Name, &b.DistrictCode, &b.AreaM2, &boundary, &schematic, &demo); err != nil {
		return nil, err
	}
	if boundary.Valid {
		b.Boundary = json.RawMessage(boundary.String)
	}
	b.Schematic, b.Demo, b.Industries = schematic != 0, demo != 0, []string{}
	return &b, nil
}

// blockIndustries reads the industries of the blocks by id, in their
// order: of those blocks, or of every block when all (Route and Use read
// the whole inventory).
func blockIndustries(ctx context.Context, tx *txn, byID map[int64]*space.Block, all bool) error {
	if len(byID) == 0 {
		return nil
	}
	query, args := `SELECT block_id, industry_id FROM space_block_industries`, []any{}
	if !all {
		for id := range byID {
			args = append(args, id)
		}
		query += ` WHERE block_id IN (` + inList(len(args)) + `)`
	}
	rows, err := tx.query(ctx, query+` ORDER BY block_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id  int64
			ind string
		)
		if err := rows.Scan(&id, &ind); err != nil {
			return err
		}
		if b := byID[id]; b != nil {
			b.Industries = append(b.Industries, ind)
		}
	}
	return rows.Err()
}

// withIndustries reads the industries of blocks.
func withIndustries(ctx context.Context, tx *txn, bs []*space.Block) error {
	byID := make(map[int64]*space.Block, len(bs))
	for _, b := range bs {
		byID[b.ID] = b
	}
	return blockIndustries(ctx, tx, byID, false)
}

func blockNotFound(what string) error {
	return chanye.Errorf(chanye.ENOTFOUND, "产业区块 %s 不存在 / block %s not found", what, what)
}

func findBlock(ctx context.Context, tx *txn, id int64) (*space.Block, error) {
	return findBlockWhere(ctx, tx, `b.id = ?`, id, itoa(id))
}

func findBlockWhere(ctx context.Context, tx *txn, cond string, arg any, what string) (*space.Block, error) {
	b, err := scanBlock(tx.queryRow(ctx, `SELECT `+blockColumns+` FROM space_blocks b WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, blockNotFound(what)
	} else if err != nil {
		return nil, err
	}
	return b, withIndustries(ctx, tx, []*space.Block{b})
}

// FindBlockByID returns a block with its industries. ENOTFOUND.
func (s *Store) FindBlockByID(ctx context.Context, id int64) (*space.Block, error) {
	var out *space.Block
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findBlock(ctx, tx, id)
		return err
	})
	return out, err
}

// FindBlockByCode returns the block of the city's number. ENOTFOUND.
func (s *Store) FindBlockByCode(ctx context.Context, code string) (*space.Block, error) {
	var out *space.Block
	code = strings.TrimSpace(code)
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findBlockWhere(ctx, tx, `b.code = ?`, code, code)
		return err
	})
	return out, err
}

// blockWhere is the condition of a block filter on alias b.
func blockWhere(district, industry *string) where {
	var w where
	if district != nil {
		w.add("b.district_code = ?", *district)
	}
	if industry != nil {
		w.add("EXISTS (SELECT 1 FROM space_block_industries i WHERE i.block_id = b.id AND i.industry_id = ?)", *industry)
	}
	return w
}

// FindBlocks returns a page of blocks by code with their industries, and
// the total. EINVALID for bad paging.
func (s *Store) FindBlocks(ctx context.Context, f space.BlockFilter) ([]*space.Block, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*space.Block
		total int
	)
	err = s.db.transact(ctx, true, func(tx *txn) (err error) {
		if out, total, err = findPage(ctx, tx, blockColumns, ` FROM space_blocks b`, blockWhere(f.DistrictCode, f.IndustryID), "b.code", limit, f.Offset, scanBlock); err != nil {
			return err
		}
		return withIndustries(ctx, tx, out)
	})
	if out == nil {
		out = []*space.Block{}
	}
	return out, total, err
}

// spaceRefs checks what the inventory names against the store: districts
// and industries against the catalog, read once per transaction.
type spaceRefs struct {
	cat *chanye.Catalog
}

func (s *Store) spaceRefs(ctx context.Context, tx *txn) (*spaceRefs, error) {
	c, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &spaceRefs{cat: c}, nil
}

// block names in bad a district or an industry the catalog lacks.
func (r *spaceRefs) block(b *space.Block, bad map[string]string) {
	if _, ok := r.cat.District(b.DistrictCode); !ok && bad["district_code"] == "" {
		bad["district_code"] = fmt.Sprintf("%q 不是本市的区县代码 / not a district code of the city", b.DistrictCode)
	}
	for _, id := range b.Industries {
		if r.cat.Industry(id) == nil && bad["industries"] == "" {
			bad["industries"] = fmt.Sprintf("未知产业 %q / unknown industry %q", id, id)
		}
	}
}

// blockValues are a block's stored columns, in blockWrite's order.
func blockValues(b *space.Block) []any {
	var boundary any
	if len(b.Boundary) > 0 {
		boundary = string(b.Boundary)
	}
	return []any{b.Code, b.Name, b.DistrictCode, b.AreaM2, boundary, boolInt(b.Schematic), boolInt(b.Demo)}
}

// insertBlock writes a checked block with its industries and sets its ID.
func insertBlock(ctx context.Context, tx *txn, b *space.Block, by string) error {
	args := append(blockValues(b), ms(tx.now), by, ms(tx.now))
	if err := tx.queryRow(ctx, `INSERT INTO space_blocks (code, name, district_code, area_m2, boundary, schematic, demo, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&b.ID); err != nil {
		return err
	}
	return writeBlockIndustries(ctx, tx, b, false)
}

// updateBlock writes a checked block over the stored one of its ID.
func updateBlock(ctx context.Context, tx *txn, b *space.Block) error {
	args := append(blockValues(b), ms(tx.now), b.ID)
	res, err := tx.exec(ctx, `UPDATE space_blocks SET code = ?, name = ?, district_code = ?, area_m2 = ?, boundary = ?, schematic = ?, demo = ?, updated_at = ?
		WHERE id = ?`, args...)
	if err := changed(res, err, "产业区块 %d 不存在 / block %d not found", b.ID); err != nil {
		return err
	}
	return writeBlockIndustries(ctx, tx, b, true)
}

func writeBlockIndustries(ctx context.Context, tx *txn, b *space.Block, replace bool) error {
	if replace {
		if _, err := tx.exec(ctx, `DELETE FROM space_block_industries WHERE block_id = ?`, b.ID); err != nil {
			return err
		}
	}
	for i, id := range b.Industries {
		if _, err := tx.exec(ctx, `INSERT INTO space_block_industries (block_id, industry_id, position) VALUES (?, ?, ?)`, b.ID, id, i); err != nil {
			return err
		}
	}
	return nil
}

// blockCodeTaken returns ECONFLICT when another block than id has code.
func blockCodeTaken(ctx context.Context, tx *txn, code string, id int64) error {
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM space_blocks WHERE code = ? AND id <> ?`, code, id)
	if err != nil || n == 0 {
		return err
	}
	return chanye.Errorf(chanye.ECONFLICT, "区块编号 %s 已被使用 / block code %s is taken", code, code)
}

// checkBlock validates a block and checks its district and industries.
func (s *Store) checkBlock(ctx context.Context, tx *txn, b *space.Block) error {
	bad := chanye.ErrorFields(b.Validate())
	if bad == nil {
		bad = map[string]string{}
	}
	refs, err := s.spaceRefs(ctx, tx)
	if err != nil {
		return err
	}
	refs.block(b, bad)
	return chanye.Invalid("产业区块有误 / invalid industrial block", bad)
}

// CreateBlock stores a new block and sets its ID. EINVALID
// (Block.Validate, a district or industry the catalog lacks), ECONFLICT
// for a code taken.
func (s *Store) CreateBlock(ctx context.Context, in *space.Block) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	x.Industries = slices.Clone(in.Industries)
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := s.checkBlock(ctx, tx, &x); err != nil {
			return err
		}
		if err := blockCodeTaken(ctx, tx, x.Code, 0); err != nil {
			return err
		}
		if err := insertBlock(ctx, tx, &x, by); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "space_block", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// UpdateBlock changes the block of in.ID to in. ENOTFOUND, EINVALID,
// ECONFLICT for a code taken.
func (s *Store) UpdateBlock(ctx context.Context, in *space.Block) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	x := *in
	x.Industries = slices.Clone(in.Industries)
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findBlock(ctx, tx, x.ID)
		if err != nil {
			return err
		}
		if err := s.checkBlock(ctx, tx, &x); err != nil {
			return err
		}
		if err := blockCodeTaken(ctx, tx, x.Code, x.ID); err != nil {
			return err
		}
		if err := updateBlock(ctx, tx, &x); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "space_block", itoa(x.ID), old, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

const unitColumns = `u.id, u.block_id, b.code, u.kind, u.code, u.name, u.area_m2, u.land_use, u.plot_ratio, u.height_m, u.building,
	u.floor_level, u.load_kg_m2, u.ceiling_cm, u.freight_lift, u.power_kva, u.env_class, u.price_fen, u.rent_fen_m2_month, u.status,
	u.available_on, u.demo`

const unitFrom = ` FROM space_units u JOIN space_blocks b ON b.id = u.block_id`

func scanUnit(row interface{ Scan(...any) error }) (*space.Unit, error) {
	var (
		u           space.Unit
		price, rent sql.NullInt64
		availableOn sql.NullString
		lift, demo  int
	)
	if err := row.Scan(&u.ID, &u.BlockID, &u.BlockCode, &u.Kind, &u.Code, &u.Name, &u.AreaM2, &u.LandUse, &u.PlotRatio, &u.HeightM, &u.Building,
		&u.Level, &u.LoadKgM2, &u.CeilingCM, &lift, &u.PowerKVA, &u.Env, &price, &rent, &u.Status,
		&availableOn, &demo); err != nil {
		return nil, err
	}
	var err error
	if u.AvailableOn, err = parseDate(availableOn); err != nil {
		return nil, err
	}
	u.PriceFen, u.RentFenM2Month = nullFen(price), nullFen(rent)
	u.FreightLift, u.Demo = lift != 0, demo != 0
	return &u, nil
}

// nullFen reads a nullable amount.
func nullFen(v sql.NullInt64) *chanye.Fen {
	if !v.Valid {
		return nil
	}
	f := chanye.Fen(v.Int64)
	return &f
}

// unitValueColumns are the columns unitValues gives, in order.
const unitValueColumns = `block_id, kind, code, name, area_m2, land_use, plot_ratio, height_m, building, floor_level, load_kg_m2, ceiling_cm,
	freight_lift, power_kva, env_class, price_fen, rent_fen_m2_month, status, available_on, demo`

// unitValues are a unit's stored columns, as unitValueColumns names them:
// plain values, so that two units' compare with slices.Equal.
func unitValues(u *space.Unit) []any {
	return []any{u.BlockID, string(u.Kind), u.Code, u.Name, u.AreaM2, u.LandUse, u.PlotRatio, u.HeightM, u.Building, u.Level, u.LoadKgM2, u.CeilingCM,
		boolInt(u.FreightLift), u.PowerKVA, int(u.Env), fenArg(u.PriceFen), fenArg(u.RentFenM2Month), string(u.Status), dateArg(u.AvailableOn), boolInt(u.Demo)}
}

const unitSet = `block_id = ?, kind = ?, code = ?, name = ?, area_m2 = ?, land_use = ?, plot_ratio = ?, height_m = ?, building = ?, floor_level = ?,
	load_kg_m2 = ?, ceiling_cm = ?, freight_lift = ?, power_kva = ?, env_class = ?, price_fen = ?, rent_fen_m2_month = ?, status = ?,
	available_on = ?, demo = ?, updated_at = ?`

func findUnit(ctx context.Context, tx *txn, id int64) (*space.Unit, error) {
	u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitColumns+unitFrom+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "空间单元 %d 不存在 / unit %d not found", id, id)
	}
	return u, err
}

// FindUnitByID returns a unit with its block's code. ENOTFOUND.
func (s *Store) FindUnitByID(ctx context.Context, id int64) (*space.Unit, error) {
	var out *space.Unit
	err := s.db.transact(ctx, true, func(tx *txn) (err error) {
		out, err = findUnit(ctx, tx, id)
		return err
	})
	return out, err
}

// FindUnits returns a page of units by block code and code, and the
// total. EINVALID for bad paging.
func (s *Store) FindUnits(ctx context.Context, f space.UnitFilter) ([]*space.Unit, int, error) {
	limit, err := pageLimit(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	w := blockWhere(f.DistrictCode, f.IndustryID)
	if f.BlockID != nil {
		w.add("u.block_id = ?", *f.BlockID)
	}
	if f.Kind != nil {
		w.add("u.kind = ?", string(*f.Kind))
	}
	if f.Status != nil {
		w.add("u.status = ?", string(*f.Status))
	}
	out, total, err := readPage(ctx, s.db, unitColumns, unitFrom, w, "b.code, u.code", limit, f.Offset, scanUnit)
	if out == nil {
		out = []*space.Unit{}
	}
	return out, total, err
}

// settled reports whether a unit's status is its hold's or allocation's,
// which only holds and allocations change.
func settled(st space.Status) bool { return st == space.Held || st == space.Allocated }

var errSettledStatus = "由预留和供地决定，不能直接设置 / set by holds and allocations, not by hand"

// checkUnit validates a unit and checks that its block exists and that
// a new unit is in reserve or available.
func checkUnit(ctx context.Context, tx *txn, u *space.Unit, isNew bool) error {
	bad := chanye.ErrorFields(u.Validate())
	if bad == nil {
		bad = map[string]string{}
	}
	if bad["block_id"] == "" {
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM space_blocks WHERE id = ?`, u.BlockID); err != nil {
			return err
		} else if n == 0 {
			bad["block_id"] = fmt.Sprintf("产业区块 %d 不存在 / no block %d", u.BlockID, u.BlockID)
		}
	}
	if isNew && settled(u.Status) && bad["status"] == "" {
		bad["status"] = errSettledStatus
	}
	return chanye.Invalid("产业空间有误 / invalid space unit", bad)
}

// unitCodeTaken returns ECONFLICT when another unit than id has code in
// the block.
func unitCodeTaken(ctx context.Context, tx *txn, blockID int64, code string, id int64) error {
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM space_units WHERE block_id = ? AND code = ? AND id <> ?`, blockID, code, id)
	if err != nil || n == 0 {
		return err
	}
	return chanye.Errorf(chanye.ECONFLICT, "区块内已有编号 %s 的单元 / the block has a unit %s already", code, code)
}

// blockCodeOf reads the code of block id into u.
func blockCodeOf(ctx context.Context, tx *txn, u *space.Unit) error {
	return tx.queryRow(ctx, `SELECT code FROM space_blocks WHERE id = ?`, u.BlockID).Scan(&u.BlockCode)
}

// CreateUnit stores a new unit, in reserve or available, and sets its ID
// and block code. EINVALID (Unit.Validate, no such block, a status held
// or allocated), ECONFLICT for a code taken in the block.
func (s *Store) CreateUnit(ctx context.Context, in *space.Unit) error {
	by, err := actor(ctx)
	if err != nil {
		return err
	}
	x := *in
	err = s.db.transact(ctx, false, func(tx *txn) error {
		if err := checkUnit(ctx, tx, &x, true); err != nil {
			return err
		}
		if err := unitCodeTaken(ctx, tx, x.BlockID, x.Code, 0); err != nil {
			return err
		}
		args := append(unitValues(&x), ms(tx.now), by, ms(tx.now))
		if err := tx.queryRow(ctx, `INSERT INTO space_units (`+unitValueColumns+`, created_at, created_by, updated_at)
			VALUES (`+inList(len(args))+`) RETURNING id`, args...).Scan(&x.ID); err != nil {
			return err
		}
		if err := blockCodeOf(ctx, tx, &x); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "create", "space_unit", itoa(x.ID), nil, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// UpdateUnit changes the unit of in.ID to in. A unit held or allocated
// keeps its status and kind (ECONFLICT otherwise); another goes to
// reserve or available only (EINVALID). ENOTFOUND, EINVALID, ECONFLICT
// also for a code taken in the block or a unit held or allocated
// meanwhile.
func (s *Store) UpdateUnit(ctx context.Context, in *space.Unit) error {
	if _, err := actor(ctx); err != nil {
		return err
	}
	x := *in
	err := s.db.transact(ctx, false, func(tx *txn) error {
		old, err := findUnit(ctx, tx, x.ID)
		if err != nil {
			return err
		}
		if err := checkUnit(ctx, tx, &x, !settled(old.Status)); err != nil {
			return err
		}
		if settled(old.Status) && (x.Status != old.Status || x.Kind != old.Kind) {
			return chanye.Errorf(chanye.ECONFLICT, "单元 %d %s，状态和类型只能经释放预留或终止供地改变 / unit %d is %s: release its hold or end its allocation to change its status or kind",
				x.ID, old.Status.NameZH(), x.ID, old.Status.NameEN())
		}
		if err := unitCodeTaken(ctx, tx, x.BlockID, x.Code, x.ID); err != nil {
			return err
		}
		args := append(unitValues(&x), ms(tx.now), x.ID, string(old.Status))
		res, err := tx.exec(ctx, `UPDATE space_units SET `+unitSet+` WHERE id = ? AND status = ?`, args...)
		if err := changed(res, err, "单元 %d 已被他人修改 / unit %d was changed meanwhile", x.ID); err != nil {
			return err
		}
		if err := blockCodeOf(ctx, tx, &x); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		return tx.audit(ctx, "update", "space_unit", itoa(x.ID), old, &x)
	})
	if err != nil {
		return err
	}
	*in = x
	return nil
}

// unitKey names a unit in an import: its block's code and its code.
type unitKey struct{ block, code string }

// storedUnit is what an import needs of a stored unit.
type storedUnit struct {
	id     int64
	status space.Status
	kind   space.Kind
	values []any
}

// ImportInventory stores blocks and units all or nothing, in one
// transaction with one audit entry: the blocks by code, then the units
// by block code (a block of the file or a stored one) and code. Every
// fault is named blocks[N].field or units[N].field before anything is
// stored; a code twice in the file is a fault of its second row. A unit
// held or allocated keeps its status and kind; a block given without a
// boundary keeps the stored one. EINVALID, also for no rows or more than
// space.MaxImportRows.
func (s *Store) ImportInventory(ctx context.Context, blocks []*space.Block, units []*space.ImportUnit) (space.ImportStats, error) {
	var stats space.ImportStats
	by, err := actor(ctx)
	if err != nil {
		return stats, err
	}
	if n := len(blocks) + len(units); n == 0 || n > space.MaxImportRows {
		return stats, chanye.Invalid("空间清单文件有误 / invalid inventory file",
			map[string]string{"rows": fmt.Sprintf("须有 1–%d 行 / must have 1–%d rows", space.MaxImportRows, space.MaxImportRows)})
	}
	err = s.db.transact(ctx, false, func(tx *txn) error {
		stats = space.ImportStats{}
		refs, err := s.spaceRefs(ctx, tx)
		if err != nil {
			return err
		}
		stored, err := queryAll(ctx, tx, scanBlock, `SELECT `+blockColumns+` FROM space_blocks b`)
		if err != nil {
			return err
		}
		if err := withIndustries(ctx, tx, stored); err != nil {
			return err
		}
		known := make(map[string]*space.Block, len(stored)) // by code
		for _, b := range stored {
			known[b.Code] = b
		}
		// A sheet has no column for a boundary: a block of the file
		// without one keeps the stored block's, lest a workbook erase
		// what a GeoJSON file brought.
		for _, b := range blocks {
			if old := known[strings.TrimSpace(b.Code)]; old != nil && len(b.Boundary) == 0 {
				b.Boundary = old.Boundary
			}
		}
		bad := map[string]string{}
		fault := func(list string, i int, fields map[string]string) {
			for k, v := range fields {
				bad[fmt.Sprintf("%s[%d].%s", list, i, k)] = v
			}
		}
		inFile := make(map[string]int, len(blocks)) // block code → row
		for i, b := range blocks {
			row := chanye.ErrorFields(b.Validate())
			if row == nil {
				row = map[string]string{}
			}
			refs.block(b, row)
			if j, twice := inFile[b.Code]; twice && row["code"] == "" {
				row["code"] = fmt.Sprintf("与第 %d 行重复 / the same code as blocks[%d]", j, j)
			} else if !twice {
				inFile[b.Code] = i
			}
			fault("blocks", i, row)
		}
		storedUnits, err := readStoredUnits(ctx, tx)
		if err != nil {
			return err
		}
		seen := make(map[unitKey]int, len(units))
		for i, iu := range units {
			u := &iu.Unit
			iu.BlockCode = strings.TrimSpace(iu.BlockCode)
			b, inFileBlock := known[iu.BlockCode], false
			if j, ok := inFile[iu.BlockCode]; ok {
				b, inFileBlock = blocks[j], true
			}
			// The block is named by code: Validate sees an ID, the stored
			// one or, for a block of the file, a stand-in until it is.
			u.BlockID = 1
			if b != nil && !inFileBlock {
				u.BlockID = b.ID
			}
			row := chanye.ErrorFields(u.Validate())
			if row == nil {
				row = map[string]string{}
			}
			delete(row, "block_id")
			if b == nil {
				row["block_code"] = fmt.Sprintf("产业区块 %q 不存在 / no block %q", iu.BlockCode, iu.BlockCode)
			}
			k := unitKey{iu.BlockCode, u.Code}
			if j, twice := seen[k]; twice && row["code"] == "" {
				row["code"] = fmt.Sprintf("与第 %d 行重复 / the same block and code as units[%d]", j, j)
			} else if !twice {
				seen[k] = i
			}
			old := storedUnits[k]
			switch {
			case old != nil && settled(old.status):
				if u.Kind != old.kind && row["kind"] == "" {
					row["kind"] = "单元已预留或已供，类型不能改变 / a unit held or allocated keeps its kind"
				}
				u.Status = old.status
			case settled(u.Status) && row["status"] == "":
				row["status"] = errSettledStatus
			}
			fault("units", i, row)
		}
		if len(bad) > 0 {
			return chanye.Invalid(fmt.Sprintf("空间清单文件有 %d 处错误，未导入 / %d errors: nothing imported", len(bad), len(bad)), bad)
		}

		// Every row is good: write the blocks, then the units.
		for _, b := range blocks {
			old := known[b.Code]
			if old == nil {
				if err := insertBlock(ctx, tx, b, by); err != nil {
					return err
				}
				known[b.Code] = b
				stats.BlocksCreated++
				continue
			}
			b.ID = old.ID
			if slices.Equal(blockValues(b), blockValues(old)) && slices.Equal(b.Industries, old.Industries) {
				continue
			}
			if err := updateBlock(ctx, tx, b); err != nil {
				return err
			}
			stats.BlocksUpdated++
		}
		var inserts []any
		for _, iu := range units {
			u := &iu.Unit
			u.BlockID, u.BlockCode = known[iu.BlockCode].ID, iu.BlockCode
			values := unitValues(u)
			old := storedUnits[unitKey{iu.BlockCode, u.Code}]
			if old == nil {
				inserts = append(append(inserts, values...), ms(tx.now), by, ms(tx.now))
				stats.UnitsCreated++
				continue
			}
			u.ID = old.id
			if slices.Equal(values, old.values) {
				continue
			}
			st, err := tx.stmt(ctx, `UPDATE space_units SET `+unitSet+` WHERE id = ?`)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, append(values, ms(tx.now), old.id)...); err != nil {
				return err
			}
			stats.UnitsUpdated++
		}
		columns := strings.Fields(strings.ReplaceAll(unitValueColumns+", created_at, created_by, updated_at", ",", " "))
		if err := tx.insertMany(ctx, "space_units", columns, inserts); err != nil {
			return err
		}
		if err := tx.touchSpace(ctx); err != nil {
			return err
		}
		codes := make([]string, len(blocks))
		for i, b := range blocks {
			codes[i] = b.Code
		}
		type summary struct {
			Blocks []string          `json:"blocks"`
			Units  int               `json:"units"`
			Stats  space.ImportStats `json:"stats"`
		}
		return tx.audit(ctx, "import", "space_inventory", "", nil, summary{codes, len(units), stats})
	})
	if err != nil {
		return space.ImportStats{}, err
	}
	return stats, nil
}

// readStoredUnits reads what an import compares of every stored unit, by
// block code and code.
func readStoredUnits(ctx context.Context, tx *txn) (map[unitKey]*storedUnit, error) {
	rows, err := tx.query(ctx, `SELECT `+unitColumns+unitFrom)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[unitKey]*storedUnit{}
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out[unitKey{u.BlockCode, u.Code}] = &storedUnit{id: u.ID, status: u.Status, kind: u.Kind, values: unitValues(u)}
	}
	return out, rows.Err()
}
