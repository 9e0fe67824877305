package profile

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
)

// MaxPooledHashes bounds how many pooled categories a reference feature
// remembers by hash: the most frequent 100,000 of those beyond the kept
// categories (800 kB of hashes at most, about 1.1 MB of JSON). A reference
// that pooled more records how many it could not remember
// (Feature.PooledUnhashed), and the unseen share of a batch is then an upper
// bound.
const MaxPooledHashes = 100_000

// HashSet is a sorted set of 64-bit FNV-1a hashes of category names. It
// encodes to JSON as one base64 string of the little-endian hashes.
type HashSet []uint64

// hashCategory is the 64-bit FNV-1a hash of a category name.
func hashCategory(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// newHashSet returns the set of the hashes of names.
func newHashSet(names []string) HashSet {
	out := make(HashSet, len(names))
	for i, n := range names {
		out[i] = hashCategory(n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Contains reports whether the set holds the hash of name.
func (s HashSet) Contains(name string) bool {
	_, found := slices.BinarySearch(s, hashCategory(name))
	return found
}

// MarshalJSON encodes the set as base64.
func (s HashSet) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 8*len(s))
	for i, h := range s {
		binary.LittleEndian.PutUint64(buf[8*i:], h)
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(buf))
}

// UnmarshalJSON decodes a base64 string of strictly increasing hashes.
func (s *HashSet) UnmarshalJSON(data []byte) error {
	return unmarshalWith(data, func(d *decoder) error { return d.hashSet(s) })
}

// parseHashSet decodes the base64 text of a HashSet; "" is the empty set.
func parseHashSet(text string) (HashSet, error) {
	buf, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("hash set: %w", err)
	}
	if len(buf)%8 != 0 {
		return nil, fmt.Errorf("hash set: %d bytes is not a whole number of 64-bit hashes", len(buf))
	}
	out := make(HashSet, len(buf)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(buf[8*i:])
		if i > 0 && out[i] <= out[i-1] {
			return nil, errors.New("hash set: hashes not strictly increasing")
		}
	}
	return out, nil
}
