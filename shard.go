package chanye

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// ShardOf returns the shard, 0 ≤ shard < shards, that holds the enterprise
// with credit code code when the registry is split in shards parts (issue
// 16): the shard Citus places it on when a table distributed by the code
// has that many shards. Citus hashes a text column with PostgreSQL's
// hashtext and gives shard i the i-th of shards equal ranges of the 32-bit
// hashes, the last taking the rest; so does ShardOf, and a worker of the
// local stand-in holds exactly the firms of the Citus shard of its number.
// The mapping is fixed once data is placed by it.
func ShardOf(code string, shards int) int {
	if shards <= 1 {
		return 0
	}
	h := int64(HashText(code)) - math.MinInt32 // 0 … 2³²−1
	step := (int64(1) << 32) / int64(shards)
	return int(min(h/step, int64(shards-1)))
}

// HashText is PostgreSQL's hashtext of s (hash_bytes over its UTF-8 bytes,
// for a deterministic collation): Bob Jenkins's lookup3 hash as PostgreSQL
// adapts it (src/common/hashfn.c), little-endian.
func HashText(s string) int32 {
	k := []byte(s)
	a := uint32(0x9e3779b9) + uint32(len(k)) + 3923095
	b, c := a, a
	for len(k) >= 12 {
		a += binary.LittleEndian.Uint32(k[0:])
		b += binary.LittleEndian.Uint32(k[4:])
		c += binary.LittleEndian.Uint32(k[8:])
		a, b, c = jenkinsMix(a, b, c)
		k = k[12:]
	}
	// The last 11 bytes; the lowest byte of c is left for the length.
	switch len(k) {
	case 11:
		c += uint32(k[10]) << 24
		fallthrough
	case 10:
		c += uint32(k[9]) << 16
		fallthrough
	case 9:
		c += uint32(k[8]) << 8
		fallthrough
	case 8:
		b += uint32(k[7]) << 24
		fallthrough
	case 7:
		b += uint32(k[6]) << 16
		fallthrough
	case 6:
		b += uint32(k[5]) << 8
		fallthrough
	case 5:
		b += uint32(k[4])
		fallthrough
	case 4:
		a += uint32(k[3]) << 24
		fallthrough
	case 3:
		a += uint32(k[2]) << 16
		fallthrough
	case 2:
		a += uint32(k[1]) << 8
		fallthrough
	case 1:
		a += uint32(k[0])
	}
	return int32(jenkinsFinal(a, b, c))
}

func jenkinsMix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= c
	a ^= bits.RotateLeft32(c, 4)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 6)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 8)
	b += a
	a -= c
	a ^= bits.RotateLeft32(c, 16)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 19)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 4)
	b += a
	return a, b, c
}

func jenkinsFinal(a, b, c uint32) uint32 {
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}
