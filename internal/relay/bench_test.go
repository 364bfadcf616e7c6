package relay

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkPost measures accepted posts over loopback HTTP, each one
// durably written to the outbox (fsync) before its 303, with the SMTP
// server up (the worker delivers concurrently) and down (everything is
// spooled). It reports p50 and p99 latency.
func BenchmarkPost(b *testing.B) {
	for _, mode := range []string{"smtp-up", "smtp-down"} {
		b.Run(mode, func(b *testing.B) {
			h := newHarness(b, func(c *Config, _ *harness) {
				c.Retry.Initial = Duration(time.Second)
				c.Retry.Max = Duration(5 * time.Second)
			})
			if mode == "smtp-down" {
				h.smtp.Stop()
			}
			body := h.values("kommunen").Encode()
			var mu sync.Mutex
			var lat []time.Duration
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			b.SetParallelism(4)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					req, _ := http.NewRequest("POST", h.base+"/skriv/kommunen", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Origin", testOrigin)
					t0 := time.Now()
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					res.Body.Close()
					mine = append(mine, time.Since(t0))
					if res.StatusCode != http.StatusSeeOther {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			el := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/el.Seconds(), "posts/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
			tr.CloseIdleConnections()
		})
	}
}
