package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/dataio"
	"github.com/chanye-org/chanye/space"
)

// Industrial space (产业空间): the blocks and their units, routing a
// project's needs by the size rule, holds and allocations of units, the
// use of the blocks (亩均) with its thresholds, the blocks as GeoJSON for
// the map, and imports of the inventory.

// SpaceServices serves industrial space; each service is guarded by authz.
type SpaceServices struct {
	Inventory   space.InventoryService
	Allocations space.AllocationService
	Use         space.UseService
}

func (s *server) withSpace(h func(http.ResponseWriter, *http.Request, *SpaceServices) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.space == nil {
			return chanye.Errorf(chanye.ENOTFOUND, "未配置产业空间 / no industrial space configured")
		}
		return h(w, r, s.space)
	}
}

// blockFilter reads ?district= and ?industry= and, with paged, ?offset=
// and ?limit=.
func blockFilter(r *http.Request, paged bool) (space.BlockFilter, error) {
	names := []string{"district", "industry"}
	if paged {
		names = append(names, "offset", "limit")
	}
	q, err := query(r, names...)
	if err != nil {
		return space.BlockFilter{}, err
	}
	var f space.BlockFilter
	if paged {
		if f.Offset, f.Limit, err = paging(q); err != nil {
			return f, err
		}
	}
	if v, ok := q["district"]; ok {
		f.DistrictCode = &v
	}
	if v, ok := q["industry"]; ok {
		f.IndustryID = &v
	}
	return f, nil
}

// withoutBoundary returns a copy of b without its boundary: lists leave
// boundaries out (one may be a megabyte); a block's own answer and
// blocks.geojson carry them.
func withoutBoundary(b *space.Block) *space.Block {
	if b == nil || len(b.Boundary) == 0 {
		return b
	}
	x := *b
	x.Boundary = nil
	return &x
}

func (s *server) listSpaceBlocks(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	f, err := blockFilter(r, true)
	if err != nil {
		return err
	}
	bs, total, err := svc.Inventory.FindBlocks(r.Context(), f)
	if err != nil {
		return err
	}
	for i, b := range bs {
		bs[i] = withoutBoundary(b)
	}
	return writeJSON(w, http.StatusOK, newPage(bs, total, f.Offset, f.Limit))
}

func (s *server) createSpaceBlock(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	var b space.Block
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	b.ID = 0
	if err := svc.Inventory.CreateBlock(r.Context(), &b); err != nil {
		return err
	}
	if b.Industries == nil {
		b.Industries = []string{}
	}
	w.Header().Set("Location", "/api/v1/space/blocks/"+strconv.FormatInt(b.ID, 10))
	return writeJSON(w, http.StatusCreated, &b)
}

func (s *server) getSpaceBlock(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return byID(w, r, svc.Inventory.FindBlockByID)
}

// patchSpaceBlock changes the fields the body gives and keeps the others
// (patchStored); "boundary": null removes the boundary.
func (s *server) patchSpaceBlock(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return patchStored(s, w, r, svc.Inventory.FindBlockByID, svc.Inventory.UpdateBlock, func(b *space.Block, id int64) {
		b.ID = id
		if string(b.Boundary) == "null" {
			b.Boundary = nil
		}
		if b.Industries == nil {
			b.Industries = []string{}
		}
	})
}

// patchStored decodes the body over stored record id and writes it back
// with update, so that the fields the body leaves out keep their values;
// prepare sets the id and mends what JSON's null leaves.
func patchStored[T any](s *server, w http.ResponseWriter, r *http.Request, find func(context.Context, int64) (*T, error),
	update func(context.Context, *T) error, prepare func(x *T, id int64)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	body, err := s.readJSONBody(w, r)
	if err != nil {
		return err
	}
	if err := decodeBytes(body, x); err != nil {
		return err
	}
	prepare(x, id)
	if err := update(r.Context(), x); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, x)
}

// readJSONBody reads a JSON request body whole, as decodeJSON does before
// decoding: for the PATCH handlers, which decode over a stored record.
func (s *server) readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, chanye.Errorf(codeUnsupportedMedia, "请求体须为 application/json，而不是 %q / request body must be application/json, not %q", ct, ct)
		}
	}
	return s.readBody(w, r)
}

// unitFilter reads a units query: block, kind, status, district,
// industry, offset, limit.
func unitFilter(r *http.Request) (space.UnitFilter, error) {
	q, err := query(r, "block", "kind", "status", "district", "industry", "offset", "limit")
	if err != nil {
		return space.UnitFilter{}, err
	}
	var f space.UnitFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return f, err
	}
	if v, ok := q["block"]; ok {
		id, err := queryID("block", v)
		if err != nil {
			return f, err
		}
		f.BlockID = &id
	}
	if v, ok := q["kind"]; ok {
		k := space.Kind(v)
		if !k.Valid() {
			return f, paramError("kind", "须为 land、floor 或 plant", "must be land, floor or plant")
		}
		f.Kind = &k
	}
	if v, ok := q["status"]; ok {
		st := space.Status(v)
		if !st.Valid() {
			return f, paramError("status", "须为 reserve、available、held 或 allocated", "must be reserve, available, held or allocated")
		}
		f.Status = &st
	}
	if v, ok := q["district"]; ok {
		f.DistrictCode = &v
	}
	if v, ok := q["industry"]; ok {
		f.IndustryID = &v
	}
	return f, nil
}

func (s *server) listSpaceUnits(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	us, total, err := svc.Inventory.FindUnits(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(us, total, f.Offset, f.Limit))
}

// createSpaceUnit stores a unit of the block block_id, or of the block
// block_code names when block_id is left out.
func (s *server) createSpaceUnit(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	var u space.Unit
	if err := s.decodeJSON(w, r, &u); err != nil {
		return err
	}
	u.ID = 0
	if u.BlockID == 0 && strings.TrimSpace(u.BlockCode) != "" {
		b, err := svc.Inventory.FindBlockByCode(r.Context(), u.BlockCode)
		if chanye.ErrorCode(err) == chanye.ENOTFOUND {
			return fieldError("block_code", "没有这个区块", "no such block", "")
		} else if err != nil {
			return err
		}
		u.BlockID = b.ID
	}
	if err := svc.Inventory.CreateUnit(r.Context(), &u); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/space/units/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, &u)
}

func (s *server) getSpaceUnit(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return byID(w, r, svc.Inventory.FindUnitByID)
}

// patchSpaceUnit changes the fields the body gives and keeps the others
// (patchStored); null clears a price or a rent.
func (s *server) patchSpaceUnit(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return patchStored(s, w, r, svc.Inventory.FindUnitByID, svc.Inventory.UpdateUnit, func(u *space.Unit, id int64) { u.ID = id })
}

// routeSpace answers needs with the kind of space the size rule gives
// them and the candidates, at most ?limit= (space.MaxCandidates).
func (s *server) routeSpace(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	q, err := query(r, "limit")
	if err != nil {
		return err
	}
	limit := 0
	if v, ok := q["limit"]; ok {
		if limit, err = queryInt("limit", v, 1, space.MaxCandidates); err != nil {
			return err
		}
	}
	var n space.Needs
	if err := s.decodeJSON(w, r, &n); err != nil {
		return err
	}
	out, err := svc.Allocations.Route(r.Context(), n, limit)
	if err != nil {
		return err
	}
	for i, c := range out.Candidates {
		if c.Reasons == nil {
			out.Candidates[i].Reasons = []space.Reason{}
		}
		if c.Unmet == nil {
			out.Candidates[i].Unmet = []space.Reason{}
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// holdInput is a hold as a client asks for it: the unit is the path's.
type holdInput struct {
	ForKind space.ForKind `json:"for_kind"`
	ForID   string        `json:"for_id"`
	Until   chanye.Date   `json:"until"`
	Note    string        `json:"note"`
}

func (s *server) holdSpaceUnit(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var in holdInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	h := space.Hold{UnitID: id, ForKind: in.ForKind, ForID: in.ForID, Until: in.Until, Note: in.Note}
	if err := svc.Allocations.HoldUnit(r.Context(), &h); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &h)
}

// listSpaceHolds reads ?unit=, for_kind and for_id (the holds of one
// project or lead), status, offset, limit.
func (s *server) listSpaceHolds(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	q, err := query(r, "unit", "for_kind", "for_id", "status", "offset", "limit")
	if err != nil {
		return err
	}
	var f space.HoldFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["unit"]; ok {
		id, err := queryID("unit", v)
		if err != nil {
			return err
		}
		f.UnitID = &id
	}
	if v, ok := q["for_kind"]; ok {
		k := space.ForKind(v)
		if !k.Valid() {
			return paramError("for_kind", "须为 project 或 lead", "must be project or lead")
		}
		f.ForKind = &k
	}
	if v, ok := q["for_id"]; ok {
		f.ForID = &v
	}
	if v, ok := q["status"]; ok {
		st := space.HoldStatus(v)
		if st.NameEN() == "" {
			return paramError("status", "须为 active、released、expired 或 allocated", "must be active, released, expired or allocated")
		}
		f.Status = &st
	}
	hs, total, err := svc.Allocations.FindHolds(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(hs, total, f.Offset, f.Limit))
}

// releaseInput says why a hold is released.
type releaseInput struct {
	Note string `json:"note"`
}

func (s *server) releaseSpaceHold(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return byIDWith(s, w, r, func(ctx context.Context, id int64, in releaseInput) (*space.Hold, error) {
		return svc.Allocations.ReleaseHold(ctx, id, in.Note)
	})
}

// allocationInput is an allocation as a client asks for it: the unit is
// the path's.
type allocationInput struct {
	Kind      space.AllocKind `json:"kind"`
	Code      string          `json:"code"`
	ForKind   space.ForKind   `json:"for_kind"`
	ForID     string          `json:"for_id"`
	From      chanye.Date     `json:"from"`
	To        chanye.Date     `json:"to"`
	AmountFen *chanye.Fen     `json:"amount_fen"`
}

func (s *server) allocateSpaceUnit(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var in allocationInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	a := space.Allocation{UnitID: id, Kind: in.Kind, Code: in.Code, ForKind: in.ForKind, ForID: in.ForID, From: in.From, To: in.To, AmountFen: in.AmountFen}
	if err := svc.Allocations.Allocate(r.Context(), &a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &a)
}

// listSpaceAllocations reads ?unit=, code, ended, offset, limit; an
// enterprise lists its own whatever it asks.
func (s *server) listSpaceAllocations(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	q, err := query(r, "unit", "code", "ended", "offset", "limit")
	if err != nil {
		return err
	}
	var f space.AllocationFilter
	if f.Offset, f.Limit, err = paging(q); err != nil {
		return err
	}
	if v, ok := q["unit"]; ok {
		id, err := queryID("unit", v)
		if err != nil {
			return err
		}
		f.UnitID = &id
	}
	if v, ok := q["code"]; ok {
		code, err := queryCode("code", v)
		if err != nil {
			return err
		}
		f.Code = &code
	}
	if v, ok := q["ended"]; ok {
		b, err := queryBool("ended", v)
		if err != nil {
			return err
		}
		f.Ended = &b
	}
	as, total, err := svc.Allocations.FindAllocations(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPage(as, total, f.Offset, f.Limit))
}

// endInput is the day an allocation ends: today when left out.
type endInput struct {
	On chanye.Date `json:"on"`
}

func (s *server) endSpaceAllocation(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return byIDWith(s, w, r, func(ctx context.Context, id int64, in endInput) (*space.Allocation, error) {
		return svc.Allocations.EndAllocation(ctx, id, in.On)
	})
}

// spaceUse is the use of the blocks, ranked, with the thresholds that
// flagged them.
type spaceUse struct {
	Items      []*space.BlockUse `json:"items"`
	ByDistrict []*space.Rollup   `json:"by_district"`
	ByIndustry []*space.Rollup   `json:"by_industry"`
	Thresholds space.Thresholds  `json:"thresholds"`
}

func (s *server) getSpaceUse(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	f, err := blockFilter(r, false)
	if err != nil {
		return err
	}
	us, err := svc.Use.FindBlockUse(r.Context(), f)
	if err != nil {
		return err
	}
	th, err := svc.Use.FindUseThresholds(r.Context())
	if err != nil {
		return err
	}
	for _, u := range us {
		u.Block = withoutBoundary(u.Block)
	}
	if us == nil {
		us = []*space.BlockUse{}
	}
	out := spaceUse{Items: us, Thresholds: th}
	if out.ByDistrict, err = space.Roll(us, space.ByDistrict); err != nil {
		return err
	}
	if out.ByIndustry, err = space.Roll(us, space.ByIndustry); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) getSizeRule(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return getSetting(w, r, svc.Allocations.FindSizeRule)
}

func (s *server) putSizeRule(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return putSetting(s, w, r, svc.Allocations.PutSizeRule, svc.Allocations.FindSizeRule)
}

func (s *server) getUseThresholds(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return getSetting(w, r, svc.Use.FindUseThresholds)
}

func (s *server) putUseThresholds(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	return putSetting(s, w, r, svc.Use.PutUseThresholds, svc.Use.FindUseThresholds)
}

// getSetting answers a setting of the city's (the size rule, the use
// thresholds) as find reads it.
func getSetting[T any](w http.ResponseWriter, r *http.Request, find func(context.Context) (T, error)) error {
	v, err := find(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// putSetting sets a setting from the body with put and answers it as
// stored.
func putSetting[T any](s *server, w http.ResponseWriter, r *http.Request, put func(context.Context, T) error, find func(context.Context) (T, error)) error {
	var v T
	if err := s.decodeJSON(w, r, &v); err != nil {
		return err
	}
	if err := put(r.Context(), v); err != nil {
		return err
	}
	return getSetting(w, r, find)
}

// The blocks as GeoJSON, for the map.

// blockFeature is a block as a GeoJSON Feature.
type blockFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties blockProperties `json:"properties"`
}

// blockProperties are what the map shows of a block: the use only to a
// reader of it (officials), null where unknown.
type blockProperties struct {
	ID           int64    `json:"id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	DistrictCode string   `json:"district_code"`
	AreaM2       int64    `json:"area_m2"`
	Industries   []string `json:"industries"`
	Schematic    bool     `json:"schematic"`
	Demo         bool     `json:"demo,omitempty"`
	*blockUseProperties
}

type blockUseProperties struct {
	OccupancyPerMille *int64      `json:"occupancy_per_mille"`
	TaxPerMu          *chanye.Fen `json:"tax_per_mu_fen"`
	RevenuePerMu      *chanye.Fen `json:"revenue_per_mu_fen"`
	Rank              int         `json:"rank"`
	Flagged           bool        `json:"flagged"`
}

// blockCollection is the FeatureCollection; Use says whether the
// features carry the use of their blocks.
type blockCollection struct {
	Type     string         `json:"type"`
	Use      bool           `json:"use"`
	Features []blockFeature `json:"features"`
}

// spaceBlocksGeoJSON answers the blocks that have a boundary (of
// ?district= and ?industry=) as a GeoJSON FeatureCollection; a reader of
// the blocks' use gets each block's occupancy and 亩均 too.
func (s *server) spaceBlocksGeoJSON(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	f, err := blockFilter(r, false)
	if err != nil {
		return err
	}
	var blocks []*space.Block
	for {
		f.Offset, f.Limit = len(blocks), space.MaxPage
		page, total, err := svc.Inventory.FindBlocks(r.Context(), f)
		if err != nil {
			return err
		}
		blocks = append(blocks, page...)
		if len(page) == 0 || len(blocks) >= total {
			break
		}
	}
	f.Offset, f.Limit = 0, 0
	out := blockCollection{Type: "FeatureCollection", Features: []blockFeature{}}
	use := map[int64]*space.BlockUse{}
	us, err := svc.Use.FindBlockUse(r.Context(), f)
	switch chanye.ErrorCode(err) {
	case "":
		out.Use = true
		for _, u := range us {
			use[u.Block.ID] = u
		}
	case chanye.EFORBIDDEN, chanye.EUNAUTHORIZED:
	default:
		return err
	}
	for _, b := range blocks {
		if len(b.Boundary) == 0 {
			continue
		}
		ft := blockFeature{Type: "Feature", Geometry: b.Boundary, Properties: blockProperties{ID: b.ID, Code: b.Code, Name: b.Name,
			DistrictCode: b.DistrictCode, AreaM2: b.AreaM2, Industries: b.Industries, Schematic: b.Schematic, Demo: b.Demo}}
		if ft.Properties.Industries == nil {
			ft.Properties.Industries = []string{}
		}
		if out.Use {
			p := &blockUseProperties{}
			if u := use[b.ID]; u != nil {
				p.OccupancyPerMille, p.TaxPerMu, p.RevenuePerMu, p.Rank, p.Flagged = u.OccupancyPerMille, u.TaxPerMu, u.RevenuePerMu, u.Rank, len(u.Flags) > 0
			}
			ft.Properties.blockUseProperties = p
		}
		out.Features = append(out.Features, ft)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode blocks: %w", err)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}

// Imports.

// maxSpaceUpload bounds an uploaded inventory: a city's workbook of some
// tens of thousands of units, or its blocks' boundaries as GeoJSON, is a
// few megabytes; the command line takes larger files
// (dataio.MaxGeoJSONBytes).
const maxSpaceUpload = 64 << 20

// spaceImported is what an import did.
type spaceImported struct {
	BlocksCreated int `json:"blocks_created"`
	BlocksUpdated int `json:"blocks_updated"`
	UnitsCreated  int `json:"units_created"`
	UnitsUpdated  int `json:"units_updated"`
}

// importSpace stores an uploaded inventory (multipart field file), all
// or nothing: an XLSX workbook of blocks, units or both (sheets 区块 and
// 单元), a GeoJSON FeatureCollection of blocks (.geojson or .json), or
// a CSV file of ?kind=blocks or units. The errors name the file's rows
// and columns ("units row 3, column area_m2") or its features
// (features[2].code).
func (s *server) importSpace(w http.ResponseWriter, r *http.Request, svc *SpaceServices) error {
	q, err := query(r, "kind")
	if err != nil {
		return err
	}
	name, data, err := readUpload(w, r, maxSpaceUpload)
	if err != nil {
		return err
	}
	var (
		st      space.ImportStats
		imports = svc.Inventory.ImportInventory
		ctx     = r.Context()
	)
	switch ext := strings.ToLower(path.Ext(name)); {
	case ext == ".geojson" || ext == ".json":
		file, err := dataio.ReadBlocksGeoJSON(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if err = file.Err(); err == nil {
			st, err = imports(ctx, file.Blocks, nil)
		}
		if err != nil {
			return withFaults(err, file.Faults(err))
		}
	case dataio.UploadFormat(name, data) == dataio.XLSX:
		file, err := dataio.ReadInventory(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if err = file.Err(); err == nil {
			var blocks []*space.Block
			var units []*space.ImportUnit
			if file.Blocks != nil {
				blocks = file.Blocks.Rows
			}
			if file.Units != nil {
				units = file.Units.Rows
			}
			st, err = imports(ctx, blocks, units)
		}
		if err != nil {
			bp, up := file.Problems(err)
			return withFaults(err, sheetFaults(map[string][]dataio.Problem{"blocks": bp, "units": up}))
		}
	default:
		switch q["kind"] {
		case string(dataio.Blocks):
			file, err := dataio.ReadBlocks(bytes.NewReader(data), dataio.CSV)
			if err != nil {
				return err
			}
			if err = file.Err(); err == nil {
				st, err = imports(ctx, file.Rows, nil)
			}
			if err != nil {
				return withFaults(err, sheetFaults(map[string][]dataio.Problem{"blocks": file.Problems(dataio.AsRows(err, "blocks"))}))
			}
		case string(dataio.Units):
			file, err := dataio.ReadUnits(bytes.NewReader(data), dataio.CSV)
			if err != nil {
				return err
			}
			if err = file.Err(); err == nil {
				st, err = imports(ctx, nil, file.Rows)
			}
			if err != nil {
				return withFaults(err, sheetFaults(map[string][]dataio.Problem{"units": file.Problems(dataio.AsRows(err, "units"))}))
			}
		default:
			return paramError("kind", "CSV 文件须给出 kind=blocks 或 units", "a CSV file needs kind=blocks or units")
		}
	}
	return writeJSON(w, http.StatusOK, spaceImported{BlocksCreated: st.BlocksCreated, BlocksUpdated: st.BlocksUpdated,
		UnitsCreated: st.UnitsCreated, UnitsUpdated: st.UnitsUpdated})
}

// sheetFaults keys each problem of each sheet "sheet row N, column C"
// ("sheet C" for a problem of the whole sheet).
func sheetFaults(sheets map[string][]dataio.Problem) map[string]string {
	out := map[string]string{}
	for sheet, ps := range sheets {
		for _, p := range ps {
			key := sheet + " " + p.Column
			if p.Row > 0 {
				key = fmt.Sprintf("%s row %d, column %s", sheet, p.Row, p.Column)
			}
			out[key] = p.Reason
		}
	}
	return out
}

// withFaults returns err with its field errors replaced by faults, when
// it has field errors; other errors pass as they are.
func withFaults(err error, faults map[string]string) error {
	var e *chanye.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	return out.WithFields(faults)
}

// readUpload reads the file of a multipart form (field file) of at most
// limit bytes, and its name.
func readUpload(w http.ResponseWriter, r *http.Request, limit int64) (string, []byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return "", nil, chanye.Errorf(codeUnsupportedMedia, "请求体须为 multipart/form-data（file）/ request body must be multipart/form-data (file)")
	}
	tooLarge := chanye.Errorf(chanye.ETOOLARGE, "文件超过 %d MB / the file exceeds %d MB", limit>>20, limit>>20)
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxFormOverhead)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return "", nil, tooLarge
		}
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取表单 / cannot read the form: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	f, h, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile):
		return "", nil, fieldError("file", "必填：XLSX、CSV 或 GeoJSON 文件", "required: an XLSX, CSV or GeoJSON file", "")
	case err != nil:
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取文件 / cannot read the file: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, chanye.Errorf(chanye.EINVALID, "无法读取文件 / cannot read the file: %v", err)
	}
	if int64(len(data)) > limit {
		return "", nil, tooLarge
	}
	return h.Filename, data, nil
}
