// Package ratelimit implements keyed token buckets for the contact-form
// relay: one bucket per client (IP address or IPv6 /64) and one per
// recipient. Buckets start full, refill continuously and are forgotten once
// they are full again, so the memory used is bounded by the number of keys
// that were active recently.
package ratelimit

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Limiter is a set of token buckets with the same rate and burst, keyed by
// an arbitrary string. The zero value is not usable; use New.
type Limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	max     int
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a Limiter whose buckets hold burst tokens and gain one token
// every interval. maxKeys bounds the number of buckets kept; when it is
// exceeded, full buckets are dropped first and then the least recently used
// ones. A nil now uses time.Now.
func New(burst int, interval time.Duration, maxKeys int, now func() time.Time) *Limiter {
	if burst < 1 {
		burst = 1
	}
	if interval <= 0 {
		interval = time.Second
	}
	if maxKeys < 1 {
		maxKeys = 100000
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		rate:    1 / interval.Seconds(),
		burst:   float64(burst),
		max:     maxKeys,
		now:     now,
		buckets: make(map[string]*bucket),
	}
}

// Allow takes one token from key's bucket. It reports whether a token was
// available and, when not, how long until one will be.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.pruneLocked(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / l.rate * float64(time.Second)))
	return false, wait
}

// Peek reports whether key's bucket has a token, without taking it.
func (l *Limiter) Peek(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return true, 0
	}
	now := l.now()
	l.refill(b, now)
	if b.tokens >= 1 {
		return true, 0
	}
	return false, time.Duration(math.Ceil((1 - b.tokens) / l.rate * float64(time.Second)))
}

// Len returns the number of buckets currently kept.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
}

// pruneLocked drops full buckets; if that frees nothing, it drops the least
// recently used quarter of the buckets.
func (l *Limiter) pruneLocked(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.max {
		return
	}
	var oldest []time.Time
	for _, b := range l.buckets {
		oldest = append(oldest, b.last)
	}
	// Find a cut-off time below which a quarter of the buckets fall.
	cut := quantile(oldest, 0.25)
	for k, b := range l.buckets {
		if !b.last.After(cut) {
			delete(l.buckets, k)
		}
	}
}

func quantile(ts []time.Time, q float64) time.Time {
	// Sorting a copy is fine: pruning is rare.
	s := append([]time.Time(nil), ts...)
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	return s[int(float64(len(s)-1)*q)]
}
