package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBurstThenRefill(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(3, 10*time.Second, 100, c.now)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused within burst", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok {
		t.Fatal("fourth request allowed beyond burst")
	}
	if wait <= 0 || wait > 10*time.Second {
		t.Fatalf("retry-after %v, want (0,10s]", wait)
	}
	// Another key is unaffected by a's flood.
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("key b locked out by key a")
	}
	c.t = c.t.Add(10 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("no token after refill interval")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("two tokens after one interval")
	}
}

func TestPruneBoundsMemory(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(2, time.Second, 50, c.now)
	for i := 0; i < 500; i++ {
		c.t = c.t.Add(time.Millisecond)
		l.Allow(fmt.Sprint("k", i))
	}
	if n := l.Len(); n > 50 {
		t.Fatalf("%d buckets kept, limit 50", n)
	}
	// The most recent key keeps its state (one token used).
	l.Allow("k499")
	if ok, _ := l.Allow("k499"); ok {
		t.Fatal("recent bucket was pruned and reset")
	}
}
