package sqlstore

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/chanye-org/chanye"
)

// auditKeySize is the length of an audit key in bytes (HMAC-SHA-256).
const auditKeySize = 32

// AuditKeys are the HMAC-SHA-256 keys that sign the audit chain, kept
// outside the database so that whoever can write the database cannot
// recompute the chains. The newest key signs new rows of every chain; the
// older ones stay to verify the rows they signed. The keys also pin heads
// of the chains: the last row of the unkeyed (legacy) chain written before
// keys existed, in chain 0, and the heads at each rotation, so that
// removing rows up to there is found without a head kept elsewhere.
//
// Text form, one item per line, # starts a comment:
//
//	legacy ID HASH   the unkeyed rows of chain 0 are exactly 1…ID; row ID has HASH
//	key N HEX        key N, 64 hex digits; ids ascend, the last one signs
//	pin ID HASH      row ID of chain 0 has HASH (written by Rotate)
//	pin C:ID HASH    row ID of chain C has HASH (written by Pin)
type AuditKeys struct {
	ids    []int // ascending
	keys   map[int][]byte
	legacy *chanye.AuditHead
	pins   []chanye.AuditHead
}

// NewAuditKeys returns a key set with one fresh random key, id 1. legacy,
// when not nil, is the last row of the unkeyed chain already in the
// database, which the keys then pin.
func NewAuditKeys(legacy *chanye.AuditHead) (*AuditKeys, error) {
	k := &AuditKeys{keys: map[int][]byte{}, legacy: legacy}
	if _, err := k.add(); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *AuditKeys) add() (int, error) {
	key := make([]byte, auditKeySize)
	if _, err := rand.Read(key); err != nil {
		return 0, err
	}
	id := 1
	if len(k.ids) > 0 {
		id = k.ids[len(k.ids)-1] + 1
	}
	k.ids = append(k.ids, id)
	k.keys[id] = key
	return id, nil
}

// Rotate adds a fresh key that signs from now on and returns its id. head,
// when not nil, is the chain's current head, pinned so that a later
// verification finds rows removed up to it.
func (k *AuditKeys) Rotate(head *chanye.AuditHead) (int, error) {
	if head != nil {
		k.pins = append(k.pins, *head)
	}
	return k.add()
}

// Pin pins heads of chains, as Rotate pins its head: a rotation pins every
// chain's head.
func (k *AuditKeys) Pin(heads ...chanye.AuditHead) {
	k.pins = append(k.pins, heads...)
}

// Current returns the id of the key that signs new rows.
func (k *AuditKeys) Current() int { return k.ids[len(k.ids)-1] }

// Legacy returns the pinned last row of the unkeyed chain, or nil.
func (k *AuditKeys) Legacy() *chanye.AuditHead { return k.legacy }

// key returns key id, or nil.
func (k *AuditKeys) key(id int) []byte {
	if k == nil {
		return nil
	}
	return k.keys[id]
}

// MarshalText writes the text form.
func (k *AuditKeys) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# chanye 审计密钥 / audit keys. 勿放入数据库备份，权限 0600 / keep apart from the database and its backups, mode 0600.\n")
	b.WriteString("# The last key signs new audit rows; the others verify older rows. Do not edit; see README, Operations.\n")
	if k.legacy != nil {
		fmt.Fprintf(&b, "legacy %d %s\n", k.legacy.ID, k.legacy.Hash)
	}
	for _, id := range k.ids {
		fmt.Fprintf(&b, "key %d %s\n", id, hex.EncodeToString(k.keys[id]))
	}
	for _, p := range k.pins {
		id := strconv.FormatInt(p.ID, 10)
		if p.Chain != 0 {
			id = strconv.Itoa(p.Chain) + ":" + id
		}
		fmt.Fprintf(&b, "pin %s %s\n", id, p.Hash)
	}
	return b.Bytes(), nil
}

// ParseAuditKeys reads the text form. It needs at least one key.
func ParseAuditKeys(text []byte) (*AuditKeys, error) {
	k := &AuditKeys{keys: map[int][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(what string) error {
			return fmt.Errorf("审计密钥文件第 %d 行有误 / audit key file, line %d: %s", n, n, what)
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, bad("want three fields")
		}
		switch f[0] {
		case "key":
			id, err := strconv.Atoi(f[1])
			if err != nil || id < 1 || len(k.ids) > 0 && id <= k.ids[len(k.ids)-1] {
				return nil, bad("key ids are positive and ascend")
			}
			key, err := hex.DecodeString(f[2])
			if err != nil || len(key) != auditKeySize {
				return nil, bad(fmt.Sprintf("a key is %d hex digits", 2*auditKeySize))
			}
			k.ids = append(k.ids, id)
			k.keys[id] = key
		case "legacy", "pin":
			h, err := chanye.ParseAuditHead(f[1] + ":" + f[2])
			if err != nil {
				return nil, bad("want ID HASH")
			}
			if f[0] == "pin" {
				k.pins = append(k.pins, h)
			} else if h.Chain != 0 {
				return nil, bad("the legacy rows are chain 0's")
			} else if k.legacy != nil {
				return nil, bad("a second legacy line")
			} else {
				k.legacy = &h
			}
		default:
			return nil, bad(fmt.Sprintf("unknown item %q", f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(k.ids) == 0 {
		return nil, fmt.Errorf("审计密钥文件没有密钥 / the audit key file holds no key")
	}
	return k, nil
}
