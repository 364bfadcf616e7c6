package serve

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// minMemoryLimit is the least soft memory limit the server sets.
const minMemoryLimit = 512 << 20

// limitMemory sets the Go runtime's soft memory limit from the live heap
// (the site held in memory) after a build: half as much again, so that
// the garbage between collections stays bounded and a large site keeps
// its resident size close to what it holds, instead of the runtime's
// default of letting the heap double before it collects. A tighter limit
// makes the collector run so often that edits slow down (each cycle
// marks the whole site). A GOMEMLIMIT set by the user wins
// (GOMEMLIMIT=off: no limit). It returns the limit set, or 0.
func limitMemory() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	live := int64(sample[0].Value.Uint64())
	limit := max(minMemoryLimit, live+live/2)
	debug.SetMemoryLimit(limit)
	return limit
}
