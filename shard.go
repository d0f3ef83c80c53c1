package chanye

import "hash/fnv"

// ShardOf returns the shard, 0 ≤ shard < shards, that holds the enterprise
// with credit code code when the registry is split in shards parts (issue
// 16): FNV-1a of the code's bytes, modulo shards. The mapping is fixed once
// data is placed by it: changing it moves firms between shards.
func ShardOf(code string, shards int) int {
	if shards <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(code))
	return int(h.Sum32() % uint32(shards))
}
